"""Static files the ui loads from the `resources` package (style sheet, icons)."""

from importlib import resources as importlib_resources
from pathlib import Path

import resources as resources_package


def path(name: str) -> Path:
    return Path(str(importlib_resources.files(resources_package) / name))


def style_sheet() -> str:
    return path("style.qss").read_text(encoding="utf-8")
