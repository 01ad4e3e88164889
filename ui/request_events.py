"""One signal for "a request changed in this app" (a decision, an assignment, a removal), so
every open timeline and request table shows the change without the admin reloading."""

from PySide6.QtCore import QObject, Signal


class RequestEvents(QObject):
    changed = Signal(str)  # the request id


_events: RequestEvents | None = None


def request_events() -> RequestEvents:
    global _events
    if _events is None:
        _events = RequestEvents()
    return _events
