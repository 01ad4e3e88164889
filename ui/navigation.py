"""The navigation of the main window, as in the admin center's entitlement management: one
entry per page, with the role it needs; and whom the window acts as first."""

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt

from desktop.permissions import IDENTITY_GOVERNANCE_ADMINISTRATOR, Action, administrators, roles_of, why_not
from models import AccessPackage, User
from ui.pages.access_packages import AccessPackagesPage
from ui.pages.audit_logs import AuditLogsPage
from ui.pages.base import Page, PageContext
from ui.pages.changes import ChangesPage
from ui.pages.connected_organizations import ConnectedOrganizationsPage
from ui.pages.reports import ReportsPage
from ui.pages.requests import RequestsPage
from ui.pages.workbooks import WorkbooksPage


@dataclass(frozen=True)
class NavigationEntry:
    title: str
    action: Action | None  # the role it needs; None: anyone (the page shows what is theirs)
    build: Callable[[PageContext], Page]

    def why_not(self, actor: User | None) -> str | None:
        return why_not(actor, self.action) if self.action is not None else None


# The reason a navigation entry's page is not available to the acting user (None: it is).
NAVIGATION_REFUSAL_ROLE = Qt.ItemDataRole.UserRole + 1

NAVIGATION = (
    NavigationEntry("Access packages", Action.VIEW_ACCESS_PACKAGES, AccessPackagesPage),
    NavigationEntry("Reports", Action.VIEW_REPORTS, ReportsPage),
    NavigationEntry("Audit logs", Action.VIEW_AUDIT_LOG, AuditLogsPage),
    NavigationEntry("Connected organizations", Action.VIEW_CONNECTED_ORGANIZATIONS, ConnectedOrganizationsPage),
    NavigationEntry("Workbooks", Action.VIEW_WORKBOOKS, WorkbooksPage),
    # An approver without a role decides their own queue here; the page says what else needs one.
    NavigationEntry("Requests", None, RequestsPage),
    NavigationEntry("Changes", Action.VIEW_REPORTS, ChangesPage),
)


def default_administrator() -> User | None:
    """The first Identity Governance Administrator by name, else the first other admin."""
    candidates = list(administrators())
    for user in candidates:
        if IDENTITY_GOVERNANCE_ADMINISTRATOR in roles_of(user):
            return user
    return candidates[0] if candidates else None


def holds_no_tenant() -> bool:
    """Nothing imported, synced or built yet: no directory user and no access package."""
    return not User.select().exists() and not AccessPackage.select().exists()
