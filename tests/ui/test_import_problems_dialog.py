"""File → Import… with problems: every one listed in a dialog with Copy and Save; with
"Skip Invalid Records" checked the rest is imported and the skipped ones are listed."""

import json

import pytest
from PySide6.QtGui import QGuiApplication

import ui.main_window as main_window
from models import User
from tests.helpers import gui_tenant
from tests.helpers.windows import make_window
from ui.dialogs import import_problems

GOOD = "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0b01"


@pytest.fixture
def people(database):
    return gui_tenant.build(assignees=3)


def _bad_users(tmp_path):
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps(
            {
                "value": [
                    {"id": GOOD, "userPrincipalName": "good@contoso.com", "displayName": "Good"},
                    {"id": "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0b02", "userPrincipalName": 2},
                    {
                        "id": "5f1c0f6e-8e2b-4c1a-9d3e-1a2b3c4d0b03",
                        "createdDateTime": "never",
                        "userPrincipalName": "x@y",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    return path


def test_problems_are_listed_with_copy_and_save(database, people, qtbot, monkeypatch, tmp_path):
    path = _bad_users(tmp_path)
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    shown = []
    monkeypatch.setattr(main_window.ImportProblemsDialog, "exec", lambda dialog: shown.append(dialog))
    window = make_window(qtbot, database, actor=people.admin)
    with qtbot.waitSignal(window.import_files().finished, timeout=10_000):
        pass
    dialog = shown[-1]
    assert dialog.windowTitle() == "Import refused"
    assert "2 problems found; nothing was imported" in dialog.lines[0]
    assert "users.json: record 2" in dialog.text.toPlainText() and "record 3" in dialog.text.toPlainText()
    assert not User.select().where(User.id == GOOD).exists()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.report()
    saved = tmp_path / "problems.txt"
    monkeypatch.setattr(import_problems.QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    dialog.save_button.click()
    assert saved.read_text(encoding="utf-8") == dialog.report()


def test_skip_invalid_imports_the_rest_and_lists_the_skipped(database, people, qtbot, monkeypatch, tmp_path):
    path = _bad_users(tmp_path)
    monkeypatch.setattr(main_window.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    shown = []
    monkeypatch.setattr(main_window.ImportProblemsDialog, "exec", lambda dialog: shown.append(dialog))
    window = make_window(qtbot, database, actor=people.admin)
    window.skip_invalid_action.setChecked(True)
    with qtbot.waitSignal(window.import_files().finished, timeout=10_000):
        pass
    dialog = shown[-1]
    assert dialog.windowTitle() == "Import finished; invalid records skipped"
    assert "2 records skipped (not valid):" in dialog.text.toPlainText()
    assert User.get_by_id(GOOD).display_name == "Good"
