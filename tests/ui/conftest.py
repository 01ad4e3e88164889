import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path):
    """Every GUI test reads and writes its own settings file, never the real home's."""
    from ui.app import configure_application

    configure_application(qapp)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield tmp_path / "settings"
    from ui.operations import wait_for_writes

    wait_for_writes(10_000)  # no write of this test outlives its database
