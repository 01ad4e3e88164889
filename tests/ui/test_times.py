"""One rule for times: the screen shows local time with the zone in the header, or UTC (a
View setting); every download holds UTC and its headers say so. Run in Asia/Kolkata."""

import csv
import time
from datetime import datetime, timezone

import pytest

from desktop.export import export
from models import User
from tests.helpers import factories
from tests.helpers.sample_reports import UsersReport
from ui.times import time_display
from ui.widgets.date_range import DateRangePicker, to_utc
from ui.widgets.report_view import ReportView

MOMENT = datetime(2026, 3, 2, 6, 7, tzinfo=timezone.utc)  # 11:37 in Kolkata


@pytest.fixture
def kolkata(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
    time_display().utc = False


@pytest.fixture
def view(database, kolkata, qtbot):
    factories.user("Asha Rao")
    User.update(created_date_time=MOMENT).execute()
    shown = ReportView("users", noun=("user", "users"))
    qtbot.addWidget(shown)
    shown.set_source(UsersReport)
    return shown


def created(view: ReportView) -> tuple[str, str]:
    column = view.model.columns().index(next(c for c in view.model.columns() if c.key == "created"))
    return view.model.headerData(column, view.header.orientation()), view.model.index(0, column).data()


def test_local_time_with_the_zone_in_the_header(view):
    """The screen's times are local, and the header names the zone: never "(UTC)" over local times."""
    assert created(view) == ("Created (IST, UTC+05:30)", "2026-03-02 11:37")


def test_the_view_setting_switches_every_time_to_utc(view, qtbot):
    """View → Times → UTC: the same cells and headers in UTC; the choice is kept for next time."""
    with qtbot.waitSignal(time_display().changed):
        time_display().set_utc(True)
    assert created(view) == ("Created (UTC)", "2026-03-02 06:07")
    time_display().utc = False
    time_display().load()
    assert time_display().utc is True


def test_the_download_holds_utc_and_says_so(view, tmp_path):
    """The file of what the screen shows at 11:37 IST holds 06:07 under a "(UTC)" header."""
    export(tmp_path / "users.csv", view.report())
    with open(tmp_path / "users.csv", encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header[header.index("Created (UTC)")] == "Created (UTC)"
    assert row[header.index("Created (UTC)")].startswith("2026-03-02T06:07")


def test_a_date_range_is_read_in_the_zone_it_shows(kolkata, qtbot):
    """A custom range typed as 11:37 local means 06:07 UTC; switching to UTC keeps the moment
    and writes it as 06:07, with the zone beside the editors."""
    picker = DateRangePicker()
    qtbot.addWidget(picker)
    picker.set_custom(MOMENT, MOMENT)
    assert picker.since_edit.dateTime().toString("HH:mm") == "11:37"
    assert picker.zone_label.text() == "IST, UTC+05:30"
    assert to_utc(picker.since_edit.dateTime()) == MOMENT
    time_display().set_utc(True)
    assert picker.since_edit.dateTime().toString("HH:mm") == "06:07"
    assert picker.bounds(MOMENT)[0] == MOMENT and picker.zone_label.text() == "UTC"
