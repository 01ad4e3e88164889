"""The layers point one way: ui -> desktop -> models, and only ui/ touches Qt. The ui builds
no SQL: it never imports peewee (it may read models' rows for display, as DESIGN says)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "models": {"PySide6", "shiboken6", "desktop", "ui"},
    "desktop": {"PySide6", "shiboken6", "ui"},
    "ui": {"peewee"},
    "bench": set(),
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", ["models", "desktop", "ui"])
def test_package_imports_only_lower_layers(package):
    """models/ and desktop/ never import Qt or a layer above them; ui/ never imports peewee."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_layer_check_catches_a_qt_import(tmp_path):
    """The check itself fails on a module that imports PySide6."""
    module = tmp_path / "bad.py"
    module.write_text("from PySide6.QtCore import QObject\nimport ui.app\n")
    assert imported_roots(module) & FORBIDDEN["desktop"] == {"PySide6", "ui"}


# Past this a module holds more than one job (issue 16); split it by what its parts do.
MAX_MODULE_LINES = 500


def test_no_module_in_the_layers_is_over_500_lines():
    """Lines as `ruff format` leaves them (CI checks the format)."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in ("models", "desktop", "ui")
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
