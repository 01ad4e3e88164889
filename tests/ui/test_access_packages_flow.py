"""Access packages as an admin uses them: search, open a package, filter by state, download."""

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.helpers import gui_tenant as tenant
from ui.dialogs import download, messages
from ui.main_window import MainWindow


@pytest.fixture
def people(database):
    return tenant.build(assignees=30)


@pytest.fixture
def window(database, people, qtbot):
    main = MainWindow(database, actor=people.admin)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.show_page(0)
    return main


class Answers:
    """Stands in for the admin at the save dialog and the closing message box."""

    def __init__(self, monkeypatch, *paths: Path, choices=("Close",)):
        self.paths = list(paths)
        self.choices = list(choices)
        self.asked = []
        monkeypatch.setattr(download, "save_file_dialog", self.save_dialog)
        monkeypatch.setattr(messages, "choose", self.choose)

    def save_dialog(self, parent, caption, proposed, filters, selected):
        self.asked.append(("save", Path(proposed).name))
        return str(self.paths.pop(0)), selected, False

    def choose(self, parent, title, text, choices, **options):
        self.asked.append((title, text))
        return self.choices.pop(0)


def sheet_rows(path: Path, sheet_index: int = 0) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(row) for row in workbook.worksheets[sheet_index].iter_rows(values_only=True)]
    workbook.close()
    return rows


def open_package(qtbot, page, name: str):
    """Type the name in the quick filter, then Enter on the one row left."""
    view = page.list_view
    qtbot.keyClicks(view.filter_edit, name)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.view.setFocus()
    view.select_row(0)
    qtbot.keyClick(view.view, Qt.Key.Key_Return)
    assert page.pages.currentIndex() == 1


def test_search_and_open_a_package_then_filter_by_state(window, qtbot):
    """The list filters as the admin types; a package opens on Enter; the state filter re-queries."""
    page = window.current_page()
    assert page.list_view.model.rowCount() == 3
    assert window.row_status.text() == "3 access packages"
    open_package(qtbot, page, "field")
    assert page.package_title.title_label.text() == "Field sales"
    assignments = page.assignments_view
    assert assignments.model.rowCount() == 25  # Ada + 24 delivered sellers
    assert window.row_status.text() == "25 assignments"
    page.state_filter.setCurrentText("Expired")
    assert assignments.model.rowCount() == 6
    page.state_filter.setCurrentText("All")
    assert assignments.model.rowCount() == 31
    qtbot.keyClick(assignments.view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert page.pages.currentIndex() == 0


def test_download_assignments_to_xlsx(window, qtbot, monkeypatch, tmp_path):
    """Download proposes "<package> assignments <date>.xlsx", writes in the background and
    offers to open the file; the workbook holds the rows shown."""
    page = window.current_page()
    open_package(qtbot, page, "field sales")
    target = tmp_path / "field.xlsx"
    answers = Answers(monkeypatch, target)
    with qtbot.waitSignal(window.downloader.finished, timeout=10_000) as done:
        qtbot.mouseClick(page.assignments_view.download_button, Qt.MouseButton.LeftButton)
    assert done.args == [target]
    assert answers.asked[0] == ("save", download.proposed_file_name("Field sales assignments"))
    assert answers.asked[1][0] == "Download complete"
    rows = sheet_rows(target)
    assert rows[0][:3] == ("Display name", "User principal name", "Email")
    assert len(rows) == 1 + 25
    assert rows[1][0] == "Ada Lovelace"


def test_download_as_csv_follows_the_chosen_type(window, qtbot, monkeypatch, tmp_path):
    """Choosing the CSV type without typing an extension writes a .csv file."""
    page = window.current_page()
    open_package(qtbot, page, "field sales")
    monkeypatch.setattr(
        download, "save_file_dialog", lambda *args: (str(tmp_path / "field"), download.FORMATS["csv"], False)
    )
    monkeypatch.setattr(messages, "choose", lambda *args, **kwargs: "Close")
    with qtbot.waitSignal(window.downloader.finished, timeout=10_000) as done:
        page.assignments_view.download()
    assert done.args == [tmp_path / "field.csv"]
    text = (tmp_path / "field.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Display name,")


def test_unwritable_target_offers_another_file(window, qtbot, monkeypatch, tmp_path):
    """A folder that does not exist is a question, not a traceback: choosing another file works."""
    page = window.current_page()
    open_package(qtbot, page, "field sales")
    good = tmp_path / "ok.xlsx"
    answers = Answers(monkeypatch, tmp_path / "missing" / "x.xlsx", good, choices=["Choose another file…", "Close"])
    with qtbot.waitSignal(window.downloader.finished, timeout=10_000) as done:
        page.assignments_view.download()
    assert done.args == [good]
    assert answers.asked[1][0] == "Cannot save the file" and "does not exist" in answers.asked[1][1]
    assert good.exists()


def test_export_selected_rows_and_copy(window, qtbot, monkeypatch, tmp_path):
    """Selected rows export with the visible columns; Ctrl+C copies them with the header."""
    page = window.current_page()
    open_package(qtbot, page, "field sales")
    view = page.assignments_view
    view.view.selectRow(0)
    view.view.selectionModel().select(
        view.model.index(2, 0),
        view.view.selectionModel().SelectionFlag.Select | view.view.selectionModel().SelectionFlag.Rows,
    )
    assert window.row_status.text() == "25 assignments · 2 selected"
    qtbot.keyClick(view.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    titles = [
        view.model.columns()[view.model.columns().index(c)].title
        for c in view.model.columns()
        if c.key in view.visible_column_keys()
    ]
    assert lines[0].split("\t") == titles
    assert len(lines) == 3 and lines[1].startswith("Ada Lovelace\t")
    target = tmp_path / "selection.xlsx"
    Answers(monkeypatch, target)
    with qtbot.waitSignal(window.downloader.finished, timeout=10_000):
        view.export_selected()
    rows = sheet_rows(target)
    assert [row[0] for row in rows] == ["Display name", "Ada Lovelace", view.model.value(2, "display_name")]
    assert len(rows[0]) == len(view.visible_column_keys())


def test_download_all_assignments_is_tenant_wide(window, qtbot, monkeypatch, tmp_path):
    """ "Download all assignments" writes every package's assignments, package first."""
    page = window.current_page()
    target = tmp_path / "all.xlsx"
    Answers(monkeypatch, target)
    with qtbot.waitSignal(window.downloader.finished, timeout=10_000):
        qtbot.mouseClick(page.download_all_button, Qt.MouseButton.LeftButton)
    rows = sheet_rows(target)
    assert rows[0][:2] == ("Access package", "Access package ID")
    assert len(rows) == 1 + 32


def test_export_what_is_shown_keeps_columns_sort_and_filter(window, qtbot, monkeypatch, tmp_path):
    """ "Export what is shown" writes the visible columns, in the header's sort, filtered."""
    view = window.current_page().list_view
    qtbot.keyClicks(view.filter_edit, "sales")
    view.apply_filter()
    view.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    target = tmp_path / "shown.xlsx"
    Answers(monkeypatch, target)
    with qtbot.waitSignal(window.downloader.finished, timeout=10_000):
        view.export_shown()
    rows = sheet_rows(target)
    assert rows[0] == ("Name", "Catalog", "Description", "Assignments", "Policies", "Hidden", "Modified (UTC)")
    assert [row[0] for row in rows[1:]] == ["Sales analytics", "Partner portal", "Field sales"]
