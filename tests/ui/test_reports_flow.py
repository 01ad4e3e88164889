"""Reports for a user: pick them with the keyboard, read Can request / Assigned with their
details, expand a resource that comes from two packages."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from tests.helpers import gui_tenant as tenant
from ui.dialogs.user_picker import UserPickerDialog
from ui.main_window import MainWindow


@pytest.fixture
def people(database):
    return tenant.build(assignees=3)


@pytest.fixture
def page(database, people, qtbot):
    window = MainWindow(database, actor=people.admin)
    qtbot.addWidget(window)
    window.show()
    window.show_page(1)
    return window.current_page()


def test_picker_finds_a_user_with_the_keyboard_only(people, qtbot):
    """Type part of a name, arrow down to the second match, Enter selects it."""
    dialog = UserPickerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.search_edit, "SELL")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3)
    assert dialog.current_match().display_name == "Seller 000"
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Down)
    assert dialog.search_edit.hasFocus() or dialog.focusWidget() is dialog.search_edit
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert dialog.chosen.display_name == "Seller 001"


def test_picker_shows_type_department_and_organization(people, qtbot):
    """A guest shows as Guest with the connected organization they came through."""
    dialog = UserPickerDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.search_edit, "gus")
    dialog.run_search()
    row = [dialog.model.index(0, column).data() for column in range(dialog.model.columnCount())]
    assert row[0] == "Gus Guest" and row[3:] == ["Guest", "Sales", "Fabrikam"]


def test_picker_escape_closes_without_choosing(people, qtbot):
    dialog = UserPickerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Escape)
    assert dialog.chosen is None


def pick_with_keyboard(qtbot, page, text: str):
    """Press "Select users…", type in the modal picker, Enter."""

    def answer():
        picker = QApplication.activeModalWidget()
        qtbot.keyClicks(picker.search_edit, text)
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(page.select_button, Qt.MouseButton.LeftButton)


def test_access_packages_for_a_user(page, qtbot):
    """Can request lists the packages the user's policies allow; Assigned what they hold;
    a row's policies and resource roles show in the details."""
    pick_with_keyboard(qtbot, page, "ada love")
    assert page.user.display_name == "Ada Lovelace"
    can_request = page.can_request_view
    names = [can_request.model.value(row, "access_package") for row in range(can_request.model.rowCount())]
    assert names == ["Field sales", "Partner portal", "Sales analytics"]
    can_request.view.setFocus()
    can_request.select_row(0)
    policies = page.details.tables["policies"]
    assert sorted(policies.item(row, 0).text() for row in range(policies.rowCount())) == [
        "Approval by manager",
        "Employees",
    ]
    roles = page.details.tables["resource_roles"]
    assert roles.rowCount() == 2 and roles.item(0, 0).text() == "CRM users"
    page.package_tabs.setCurrentIndex(1)
    assigned = page.assigned_view
    assert assigned.model.rowCount() == 2
    assert page.current_status() == "2 assignments"


def test_resource_from_two_packages_expands(page, qtbot):
    """CRM users comes through two packages: its row has an arrow and opens to both."""
    pick_with_keyboard(qtbot, page, "ada")
    page.report_tabs.setCurrentIndex(1)
    tree = page.resources_view
    model = tree.model
    rows = {model.index(row, 0).data(): row for row in range(model.rowCount())}
    crm = model.index(rows["CRM users"], 0)
    assert model.hasChildren(crm) and not model.hasChildren(model.index(rows["Travel portal"], 0))
    tree.view.setFocus()
    tree.view.setCurrentIndex(crm)
    qtbot.keyClick(tree.view, Qt.Key.Key_Right)
    assert tree.view.isExpanded(crm)
    packages = sorted(model.index(row, 3, crm).data() for row in range(model.rowCount(crm)))
    assert packages == ["Field sales", "Sales analytics"]
    assert model.index(rows["CRM users"], 3).data() == "2 packages"
