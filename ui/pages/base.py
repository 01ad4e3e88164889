"""What every page shares: the acting administrator, the downloader, a status line; and
the two pages that stand in for one the admin cannot use yet."""

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from models import User
from ui.operations import Changes, operation_events
from ui.widgets.report_view import ReportView


@dataclass(frozen=True)
class PageContext:
    actor: User | None  # the acting (signed-in) administrator
    downloader: object  # ui.dialogs.download.Downloader


class Page(QWidget):
    """A navigation entry's content. `status_changed` carries the row counts of the table
    in view, for the main window's status bar.

    After an operation (a decision, an assignment, an import) a page whose data it touched
    reads again in the background (`refresh_after_change`): at once when in view, else when
    next shown."""

    status_changed = Signal(str)

    def __init__(self, context: PageContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._stale = False
        operation_events().changed.connect(self._operation_done)

    def reload(self) -> None:
        """Read the data again (after an import, or when the admin presses F5)."""

    def shows(self, changes: Changes) -> bool:
        """Whether this page shows something `changes` touched (each page says what it shows)."""
        return False

    @Slot(object)  # a real slot: Qt drops the connection when the page goes
    def _operation_done(self, changes: Changes) -> None:
        if not self.shows(changes):
            return
        if not self.isVisible():
            self._stale = True
            return
        self.refresh_after_change()

    def refresh_after_change(self) -> None:
        """Read again what a write changed, on the reader thread: each table keeps its rows on
        screen until the new ones arrive, so the window never waits on the database (a big
        tenant, a cold disk, another program holding the write lock)."""
        for view in self.findChildren(ReportView):
            if view.report() is not None:
                view.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh_after_change()

    def current_status(self) -> str:
        """The status line of the table in view."""
        return ""


def page_title(text: str, subtitle: str | None = None) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    title = QLabel(text)
    title.setObjectName("pageTitle")
    layout.addWidget(title)
    box.title_label = title
    if subtitle is not None:
        box.subtitle_label = QLabel(subtitle)
        box.subtitle_label.setObjectName("pageSubtitle")
        box.subtitle_label.setWordWrap(True)
        layout.addWidget(box.subtitle_label)
    return box


class NoticePage(Page):
    """A page that only explains: why it is unavailable, or that it comes later."""

    def __init__(self, context: PageContext, title: str, text: str, parent: QWidget | None = None):
        super().__init__(context, parent)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("noticeTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label = QLabel(text)
        self.text_label.setObjectName("notice")
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(self.text_label)
        layout.addStretch(2)


def unavailable_page(context: PageContext, title: str, reason: str) -> NoticePage:
    return NoticePage(
        context,
        f"{title} is not available",
        f"{reason}\n\nChoose another acting administrator in the Account menu, "
        "or ask a Global Administrator for the role.",
    )
