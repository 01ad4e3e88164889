"""Numbered forward schema migrations.

A module `vNNNN_<what>.py` here holds `upgrade(database)`, which takes the schema from
version NNNN-1 to NNNN. Each runs in its own transaction after a backup of the file.
"""

import importlib
import pkgutil
import re

_MODULE_NAME = re.compile(r"^v(\d{4})_\w+$")


def registered_migrations() -> dict:
    """Target version -> upgrade function, for every migration module in this package."""
    steps = {}
    for info in pkgutil.iter_modules(__path__):
        match = _MODULE_NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            steps[int(match.group(1))] = module.upgrade
    return steps
