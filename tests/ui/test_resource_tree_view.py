"""Reports → Resource assignments for a user: a tree resource → role → package at 1280×800,
the parents counting what they group ("3 packages"), no text cut once expanded."""

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR
from tests.helpers import factories
from tests.helpers.resource_tree_tenant import sales_tenant
from tests.helpers.windows import make_window
from ui.navigation import NAVIGATION


@pytest.fixture
def resources(database, qtbot):
    ada = sales_tenant()
    admin = factories.user("Miriam Graham", department="IT")
    factories.grant_role(admin, IDENTITY_GOVERNANCE_ADMINISTRATOR)
    window = make_window(qtbot, database, actor=admin)
    window.resize(1280, 800)
    window.show_page([entry.title for entry in NAVIGATION].index("Reports"))
    page = window.current_page()
    page.select_user(ada)
    page.report_tabs.setCurrentIndex(1)
    return page.resources_view


def texts(model, row: int, parent: QModelIndex = QModelIndex()) -> tuple:
    return tuple(model.index(row, column, parent).data() for column in range(5))


def test_resource_role_package_levels(resources, qtbot):
    model = resources.model
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == ["CRM users", "Sales site"]
    site = model.index(1, 0)
    assert texts(model, 1) == ("Sales site", "Group", "2 roles", "3 packages", "2 policies")
    assert [texts(model, row, site)[2:] for row in range(model.rowCount(site))] == [
        ("Member", "2 packages", "Employees"),
        ("Owner", "Sales leads", "Managers"),
    ]
    member = model.index(0, 0, site)
    assert [model.index(row, 3, member).data() for row in range(model.rowCount(member))] == [
        "Field sales",
        "Sales analytics",
    ]
    assert model.rowCount(model.index(0, 0, member)) == 0 and model.rowCount(model.index(1, 0, site)) == 0
    assert model.parent(model.index(1, 3, member)) == member and model.parent(member) == site
    # The keyboard opens each level.
    resources.view.setFocus()
    resources.view.setCurrentIndex(site)
    qtbot.keyClick(resources.view, Qt.Key.Key_Right)
    qtbot.keyClick(resources.view, Qt.Key.Key_Down)
    assert resources.view.currentIndex() == member
    qtbot.keyClick(resources.view, Qt.Key.Key_Right)
    assert resources.view.isExpanded(site) and resources.view.isExpanded(member)


def test_sorting_orders_every_level(resources):
    model = resources.model
    model.sort(3, Qt.SortOrder.DescendingOrder)  # by access package
    site = next(model.index(row, 0) for row in range(model.rowCount()) if model.index(row, 0).data() == "Sales site")
    member = next(
        model.index(row, 0, site) for row in range(model.rowCount(site)) if model.index(row, 2, site).data() == "Member"
    )
    assert [model.index(row, 3, member).data() for row in range(model.rowCount(member))] == [
        "Sales analytics",
        "Field sales",
    ]


def test_no_text_is_cut_once_every_level_is_open(resources, qtbot):
    view = resources.view
    view.expandAll()
    qtbot.wait(20)
    model = resources.model
    last = max(
        (column for column in range(model.columnCount()) if not view.isColumnHidden(column)),
        key=view.header().visualIndex,
    )
    checked = 0

    def check(parent: QModelIndex) -> None:
        nonlocal checked
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount()):
                index = model.index(row, column, parent)
                if view.isColumnHidden(column) or column == last or not index.data():
                    continue
                needed = view.fontMetrics().horizontalAdvance(index.data())
                assert view.visualRect(index).width() >= needed + 6, (index.data(), column)
                checked += 1
            check(model.index(row, 0, parent))

    check(QModelIndex())
    assert checked > 20
