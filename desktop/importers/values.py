"""Reading one field of an exported record, with the quirks real exports have.

Real files say "null" for null, write 0 to 7 fractional second digits with `Z` or an
offset, use beta names (`requestState`, `completedDate`) and capitalised enum values
(`UserAdd`, `Delivered`). Every reader here takes the names a field may go by, the first
present one wins, and a value that cannot be read raises FieldError naming that field.
"""

import re
from datetime import datetime, timezone

from desktop.durations import parse_duration
from desktop.errors import InvalidInput

NULL_TEXT = "null"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# What fromisoformat accepts beyond this (week dates, bare dates) is not a Graph timestamp.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MAX_ID_LENGTH = 128
_US_TIMESTAMP = "%m/%d/%Y, %I:%M:%S %p"  # how the admin center writes dates in some locales


class FieldError(Exception):
    """One field of a record cannot be read; the importer adds the file and the record."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"field {field}: {reason}")
        self.field = field
        self.reason = reason

    def inside(self, outer: str) -> "FieldError":
        """The same error for a field of an expanded object: `target` + `id` → `target.id`."""
        return FieldError(f"{outer}.{self.field}", self.reason)


def present(record: dict, *names: str) -> str | None:
    """The first of `names` that `record` has, or None."""
    return next((name for name in names if name in record), None)


def raw(record: dict, *names: str):
    """The value under the first present name, with the text "null" read as null."""
    name = present(record, *names)
    if name is None:
        return None
    value = record[name]
    return None if value == NULL_TEXT else value


def text(record: dict, *names: str, required: bool = False) -> str | None:
    """A string field; numbers are refused, not coerced."""
    value = raw(record, *names)
    if value is None:
        if required:
            raise FieldError(names[0], "is missing")
        return None
    if not isinstance(value, str):
        raise FieldError(present(record, *names), f"must be text, not {_json_type(value)}")
    return value


def boolean(record: dict, *names: str) -> bool | None:
    """A true/false field; the texts "true" and "false" are accepted as PowerShell writes them."""
    value = raw(record, *names)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise FieldError(present(record, *names), f"must be true or false, not {value!r}")


def integer(record: dict, *names: str) -> int | None:
    """A whole-number field."""
    value = raw(record, *names)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(present(record, *names), f"must be a whole number, not {value!r}")
    return value


def duration(record: dict, *names: str) -> str | None:
    """An ISO 8601 duration (P14D, PT12H), kept as written once the lifecycle's parser can use it."""
    value = text(record, *names)
    if value is None:
        return None
    try:
        parse_duration(value)
    except InvalidInput as error:
        raise FieldError(present(record, *names), str(error)) from None
    return value


def guid(record: dict, *names: str, required: bool = False) -> str | None:
    """An object id: a GUID, returned in lowercase as the database keeps ids."""
    value = text(record, *names, required=required)
    if value is None:
        return None
    if not _GUID.match(value):
        raise FieldError(present(record, *names), f"is not an object id (a GUID): {value!r}")
    return value.lower()


def graph_id(record: dict, *names: str, required: bool = False) -> str | None:
    """An id as Graph gives it: a GUID (lowercased, as the database keeps ids) or another
    text id such as a role scope's `<roleId>_<scopeId>` or an audit record's `Directory_…`."""
    value = text(record, *names, required=required)
    if value is None:
        return None
    if _GUID.match(value):
        return value.lower()
    if not value.strip() or len(value) > MAX_ID_LENGTH:
        raise FieldError(present(record, *names), f"is not an object id: {value[:80]!r}")
    return value


def timestamp(record: dict, *names: str, required: bool = False) -> datetime | None:
    """A point in time as aware UTC; text without an offset is taken as UTC."""
    value = raw(record, *names)
    if isinstance(value, datetime):  # a reader that parsed it already (the audit CSV)
        return value
    value = text(record, *names, required=required)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as error:
        raise FieldError(present(record, *names), str(error)) from None


def parse_time(value: str) -> datetime:
    """Graph or admin-center timestamp text → aware UTC datetime; ValueError when impossible."""
    if _TIMESTAMP.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"is not a valid date and time: {value!r}") from None
    else:
        try:
            moment = datetime.strptime(value, _US_TIMESTAMP)
        except ValueError:
            raise ValueError(f"is not a date and time: {value!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 is past the last moment a date can hold
        raise ValueError(f"is out of the range of dates this app keeps: {value!r}") from None


def enumeration(record: dict, *names: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
    """An enum field in Graph v1.0 camelCase (`UserAdd` → `userAdd`), checked against `allowed`."""
    value = text(record, *names, required=required)
    if value is None:
        return None
    normalised = value[:1].lower() + value[1:]
    if normalised not in allowed:
        raise FieldError(present(record, *names), f"{value!r} is not one of {', '.join(allowed)}")
    return normalised


def nested(record: dict, *names: str) -> dict | None:
    """An expanded object (or null)."""
    value = raw(record, *names)
    if value is None or isinstance(value, dict):
        return value
    raise FieldError(present(record, *names), f"must be an object, not {_json_type(value)}")


def listing(record: dict, *names: str) -> list | None:
    """An expanded collection (or null); each element must be an object."""
    value = raw(record, *names)
    if value is None:
        return None
    name = present(record, *names)
    if not isinstance(value, list):
        raise FieldError(name, f"must be a list, not {_json_type(value)}")
    for position, element in enumerate(value):
        if not isinstance(element, dict):
            raise FieldError(f"{name}[{position}]", f"must be an object, not {_json_type(element)}")
    return value


def odata_type(record: dict) -> str | None:
    """The `@odata.type` without its namespace: `#microsoft.graph.singleUser` → `singleUser`."""
    value = record.get("@odata.type")
    if not isinstance(value, str):
        return None
    return value.rsplit(".", 1)[-1].lstrip("#")


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
