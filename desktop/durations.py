"""ISO 8601 durations as Graph writes them (P14D, PT12H, P1Y6M, P1DT2H30M): the one parser
that the lifecycle (stage timeouts, expiry), the request history (when a stage times out) and
the importers (a policy's durations are checked as they arrive) share."""

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.errors import InvalidInput

_PATTERN = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)
# Longer than any policy means, and short enough that every moment it moves stays within
# the years a datetime can hold (P10000Y or P99999999999D would overflow).
LONGEST_YEARS = 1000
_LONGEST = timedelta(days=365.25 * LONGEST_YEARS)
_AVERAGE_MONTH = timedelta(days=365.25 / 12)


@dataclass(frozen=True)
class Duration:
    """Calendar months (years count twelve) and an exact span (weeks down to seconds)."""

    months: int
    span: timedelta

    def shift(self, moment: datetime, sign: int = 1) -> datetime:
        """`moment` moved forward (sign 1) or back (sign -1). Months are calendar steps,
        clamped to the month's last day."""
        if self.months:
            index = moment.year * 12 + moment.month - 1 + sign * self.months
            year, month = divmod(index, 12)
            day = min(moment.day, calendar.monthrange(year, month + 1)[1])
            moment = moment.replace(year=year, month=month + 1, day=day)
        return moment + sign * self.span


def parse_duration(text: str | None) -> Duration:
    """The duration `text` says; InvalidInput (saying why) when it is not one, or is longer
    than LONGEST_YEARS."""
    cleaned = (text or "").strip().upper()
    match = _PATTERN.fullmatch(cleaned)
    if match is None or cleaned in ("P", "PT") or cleaned.endswith("T"):
        raise InvalidInput(f"{text!r} is not an ISO 8601 duration such as P14D or PT12H.")
    parts = {name: value or "0" for name, value in match.groupdict().items()}
    months = 12 * int(parts["years"]) + int(parts["months"])
    try:
        span = timedelta(
            weeks=int(parts["weeks"]),
            days=int(parts["days"]),
            hours=int(parts["hours"]),
            minutes=int(parts["minutes"]),
            seconds=float(parts["seconds"]),
        )
    except OverflowError:
        span = None
    if span is None or months > 12 * LONGEST_YEARS or span + months * _AVERAGE_MONTH > _LONGEST:
        raise InvalidInput(f"{text!r} is longer than {LONGEST_YEARS:,} years.")
    return Duration(months, span)


def shift(moment: datetime, duration: str, sign: int = 1) -> datetime:
    """`moment` moved by the ISO 8601 `duration`; sign -1 moves back."""
    return parse_duration(duration).shift(moment, sign)
