"""The Workbooks page: pick a package (among those with activity in the range), read its grid
and chart; app role activity with and without entitlement management's own changes; the
chart savable as PNG."""

from collections import Counter

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from desktop.reports.package_activity import PackageActivityReport
from tests.helpers import requests_tenant
from ui.background import wait_for_reads
from ui.dialogs.download import Downloader
from ui.pages.base import PageContext
from ui.pages.workbooks import WorkbooksPage


@pytest.fixture
def tenant(database):
    return requests_tenant.build()


@pytest.fixture
def page(tenant, qtbot):
    downloader = Downloader()
    downloader.actor = tenant.reader
    shown = WorkbooksPage(PageContext(actor=tenant.reader, downloader=downloader), clock=tenant.clock)
    qtbot.addWidget(shown)
    shown.resize(1300, 800)
    shown.show()
    qtbot.waitUntil(lambda: not shown.loading())
    yield shown
    QThreadPool.globalInstance().waitForDone(5000)
    wait_for_reads(5000)


def labels(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def grid_column(view, key: str) -> list:
    return [view.model.value(row, key) for row in range(view.model.rowCount())]


def test_pick_a_package_and_read_its_grid_and_chart(page, tenant, qtbot):
    """The drop-down lists the packages with activity as "displayName id"; choosing one fills
    the grid with its events and the chart with its events per day by operation."""
    workbook = page.package_activity
    assert labels(workbook.chooser) == [
        f"{p.display_name} {p.id}" for p in (tenant.open_package, tenant.payroll, tenant.approval_package)
    ]
    assert workbook.view.model.rowCount() == 0  # nothing chosen yet
    workbook.chooser.setCurrentIndex(workbook.chooser.findData(tenant.approval_package.id))
    qtbot.waitUntil(lambda: not workbook.loading())
    view = workbook.view
    assert [column.title for column in view.model.columns()] == [
        "Time",
        "AccessPackageId",
        "OperationName",
        "InitiatedById",
        "InitiatedByUPN",
        "InitiatedByDisplayName",
        "AdditionalDetails",
    ]
    assert view.model.rowCount() == 7
    assert set(grid_column(view, "access_package_id")) == {tenant.approval_package.id}
    assert "mona.manager@contoso.com" in grid_column(view, "initiated_by_upn")
    report = PackageActivityReport(tenant.approval_package.id, "all", now=tenant.clock.now())
    expected = Counter()
    for _day, operation, count in report.daily_counts():
        expected[operation] += count
    assert workbook.chart.totals() == dict(expected)
    assert Counter(grid_column(view, "operation_name")) == expected
    assert {bars.label() for bars in workbook.chart.bar_sets()} == set(expected)


def test_the_range_narrows_the_package_list(page, tenant, qtbot):
    """In the last 24 hours only the package assigned then had activity."""
    workbook = page.package_activity
    workbook.time_range.setCurrentText("Last 24 hours")
    qtbot.waitUntil(lambda: workbook.chooser.count() == 1)
    assert labels(workbook.chooser) == [f"Payroll readers {tenant.payroll.id}"]


def test_save_the_chart_as_png(page, tenant, qtbot, monkeypatch, tmp_path):
    """The chart is saved as a PNG image where the admin says."""
    workbook = page.package_activity
    workbook.chooser.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not workbook.loading())
    target = tmp_path / "chart"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), "PNG image (*.png)"))
    assert workbook.save_chart() == tmp_path / "chart.png"
    image = QImage(str(tmp_path / "chart.png"))
    assert not image.isNull() and image.width() > 200


def test_app_role_activity_omits_entitlement_managements_changes(page, tenant, qtbot):
    """Include shows every grant and removal; Omit keeps only those made outside entitlement
    management (here a Global Administrator's removal)."""
    workbook = page.app_role_activity
    assert labels(workbook.chooser) == ["All applications", f"Payroll {tenant.payroll_id}"]
    workbook.chooser.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not workbook.loading())
    assert grid_column(workbook.view, "activity") == [
        "Remove app role assignment from user",
        "Add app role assignment grant to user",
    ]
    assert workbook.chart.totals() == {
        "Add app role assignment grant to user": 1,
        "Remove app role assignment from user": 1,
    }
    workbook.from_entitlements.setCurrentText("Omit")
    qtbot.waitUntil(lambda: not workbook.loading())
    assert grid_column(workbook.view, "user") == ["gloria.global@contoso.com"]
    assert workbook.chart.totals() == {"Remove app role assignment from user": 1}
