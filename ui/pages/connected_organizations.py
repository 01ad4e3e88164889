"""Connected organizations, searchable, with Download (the admin center's Connected
organizations > Download)."""

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.reports.connected_organizations import ConnectedOrganizationsReport
from ui.operations import Changes
from ui.pages.base import Page, PageContext, page_title
from ui.widgets.report_view import ReportView


class ConnectedOrganizationsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.view = ReportView(
            "connected-organizations",
            noun=("connected organization", "connected organizations"),
            hidden_columns=("id", "modified"),
            empty_text="No connected organizations yet.\n\nA connected organization lets users of "
            "another tenant or domain request your access packages; import them with "
            "entitlement-desk-cli.",
        )
        self.view.set_downloads(context.downloader, lambda: "Connected organizations")
        self.view.status_changed.connect(self.status_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(
            page_title(
                "Connected organizations",
                "Other Microsoft Entra tenants and domains whose users can request access packages.",
            )
        )
        layout.addWidget(self.view, 1)
        self.view.set_source(lambda: ConnectedOrganizationsReport(actor=context.actor))

    def shows(self, changes: Changes) -> bool:
        return changes.everything  # only an import changes connected organizations

    def reload(self) -> None:
        self.view.reload()

    def current_status(self) -> str:
        return self.view.status_text()

    def save_state(self) -> None:
        self.view.save_state()
