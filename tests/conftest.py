import os

# Before anything imports Qt: the tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from models.database import close_database, open_database


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "tenant.db"


@pytest.fixture
def database(db_path):
    """A fresh, empty temp-file database bound to the models (worker threads see it too)."""
    location = open_database(db_path)
    yield location
    close_database()
