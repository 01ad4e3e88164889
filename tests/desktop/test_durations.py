"""The one ISO 8601 duration parser: what Graph writes, calendar months, and durations too
long to mean anything refused with a message instead of an overflow."""

from datetime import datetime, timedelta, timezone

import pytest

from desktop.durations import Duration, parse_duration, shift
from desktop.errors import InvalidInput

T = datetime(2026, 1, 31, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P14D", Duration(0, timedelta(days=14))),
        ("PT12H", Duration(0, timedelta(hours=12))),
        ("P1DT2H30M", Duration(0, timedelta(days=1, hours=2, minutes=30))),
        ("P2W", Duration(0, timedelta(weeks=2))),
        ("p1m", Duration(1, timedelta())),
        ("P1Y6M", Duration(18, timedelta())),
        ("PT0.5S", Duration(0, timedelta(seconds=0.5))),
        (" P365D ", Duration(0, timedelta(days=365))),
    ],
)
def test_graph_durations(text, expected):
    """Every shape Graph writes reads the same everywhere, months included."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", None, "P", "PT", "P1DT", "14 days", "-P1D", "P1.5D", "1D", "PT1H2D"])
def test_text_that_is_not_a_duration_is_refused(text):
    """Unreadable text is an InvalidInput that quotes it."""
    with pytest.raises(InvalidInput, match="is not an ISO 8601 duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["P10000Y", "P99999999999D", "P1001Y", "PT99999999999999H", "P12001M"])
def test_durations_too_long_are_refused_not_overflowed(text):
    """A duration no moment can be moved by is a clear refusal, never an OverflowError."""
    with pytest.raises(InvalidInput, match="longer than 1,000 years"):
        parse_duration(text)


def test_months_are_calendar_steps_clamped_to_the_month_end():
    assert shift(T, "P1M") == datetime(2026, 2, 28, 9, 0, tzinfo=timezone.utc)
    assert shift(T, "P1Y1M") == datetime(2027, 2, 28, 9, 0, tzinfo=timezone.utc)
    assert shift(datetime(2026, 3, 31, tzinfo=timezone.utc), "P1M", -1) == datetime(2026, 2, 28, tzinfo=timezone.utc)


def test_the_longest_duration_moves_any_moment_of_this_millennium():
    assert shift(T, "P1000Y").year == 3026
    assert shift(T, "P365000D", -1).year == 1026
