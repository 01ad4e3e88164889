"""Report 5: connected organizations with their identity sources and sponsors."""

from collections import defaultdict

from peewee import fn

from desktop.audit_record import format_time
from desktop.permissions import Action
from desktop.reports.base import Column, ColumnType, QueryReport, authorize, joined
from models import ConnectedOrganization, ConnectedOrganizationSponsor, User
from models.deletion import current
from models.streaming import streamed

INTERNAL, EXTERNAL = "internal", "external"
GRAPH_NAMESPACE = "#microsoft.graph."


def identity_source_types(sources: list) -> str | None:
    return joined(str(s.get("@odata.type", "")).removeprefix(GRAPH_NAMESPACE) for s in sources or ())


def identity_source_ids(sources: list) -> str | None:
    """The tenant ids and domain names of the identity sources."""
    return joined(s.get("tenantId") or s.get("domainName") for s in sources or ())


class ConnectedOrganizationsReport(QueryReport):
    """Every connected organization, by name."""

    name = "Connected organizations"
    graph_type = "connectedOrganization"
    columns = (
        Column("name", "Name"),
        Column("description", "Description"),
        Column("state", "State"),
        Column("identity_source_type", "Identity source type"),
        Column("tenant_or_domain", "Tenant ID or domain"),
        Column("internal_sponsors", "Internal sponsors"),
        Column("external_sponsors", "External sponsors"),
        Column("created", "Created", ColumnType.DATETIME),
        Column("modified", "Modified", ColumnType.DATETIME),
        Column("id", "ID"),
    )
    sponsor_columns = (Column("name", "Display name"), Column("user_principal_name", "User principal name"))
    detail_columns = {"internal_sponsors": sponsor_columns, "external_sponsors": sponsor_columns}

    def __init__(self, *, actor: User | None = None):
        authorize(actor, Action.VIEW_CONNECTED_ORGANIZATIONS)

    def query(self):
        return ConnectedOrganization.select().where(current(ConnectedOrganization))

    def sort_expressions(self) -> dict:
        o = ConnectedOrganization
        # Identity sources live in a JSON column; its text starts with the source's type.
        return {
            "name": o.display_name,
            "description": o.description,
            "state": o.state,
            "identity_source_type": o.identity_sources,
            "tenant_or_domain": o.identity_sources,
            "internal_sponsors": _first_sponsor(INTERNAL),
            "external_sponsors": _first_sponsor(EXTERNAL),
            "created": o.created_date_time,
            "modified": o.modified_date_time,
            "id": o.id,
        }

    def default_order(self) -> list[tuple[object, bool]]:
        return [(ConnectedOrganization.display_name, False), (ConnectedOrganization.id, False)]

    def unique_key(self):
        return ConnectedOrganization.id

    def rows(self, records: list) -> list[tuple]:
        sponsors = _sponsors([r.id for r in records])
        return [
            (
                r.display_name,
                r.description,
                r.state,
                identity_source_types(r.identity_sources),
                identity_source_ids(r.identity_sources),
                joined(name for name, _ in sponsors[r.id, INTERNAL]),
                joined(name for name, _ in sponsors[r.id, EXTERNAL]),
                r.created_date_time,
                r.modified_date_time,
                r.id,
            )
            for r in records
        ]

    def details(self, row: tuple, column_key: str) -> list[tuple]:
        kind = {"internal_sponsors": INTERNAL, "external_sponsors": EXTERNAL}[column_key]
        organization_id = row[self.column_index("id")]
        return _sponsors([organization_id])[organization_id, kind]

    def documents(self):
        """Graph `connectedOrganization` objects with internalSponsors and externalSponsors."""
        batch = []
        for organization in streamed(self._ordered(self.default_order())):
            batch.append(organization)
            if len(batch) == self.BATCH:
                yield from _documents(batch)
                batch = []
        yield from _documents(batch)


def _documents(organizations: list):
    sponsors = _sponsor_users([o.id for o in organizations])
    for o in organizations:
        yield {
            "id": o.id,
            "displayName": o.display_name,
            "description": o.description,
            "state": o.state,
            "identitySources": o.identity_sources or [],
            "createdBy": o.created_by,
            "createdDateTime": format_time(o.created_date_time),
            "modifiedBy": o.modified_by,
            "modifiedDateTime": format_time(o.modified_date_time),
            "internalSponsors": sponsors[o.id, INTERNAL],
            "externalSponsors": sponsors[o.id, EXTERNAL],
        }


def _sponsor_query(organization_ids):
    return (
        ConnectedOrganizationSponsor.select(
            ConnectedOrganizationSponsor.connected_organization,
            ConnectedOrganizationSponsor.kind,
            User.id,
            User.display_name,
            User.user_principal_name,
        )
        .join(User)
        .where(ConnectedOrganizationSponsor.connected_organization.in_(organization_ids))
        .order_by(User.display_name_key, User.id)
        .tuples()
    )


def _sponsors(organization_ids) -> dict[tuple[str, str], list[tuple]]:
    """(organization id, kind) -> (display name, UPN) of its sponsors, by name."""
    sponsors = defaultdict(list)
    for organization_id, kind, _, name, upn in _sponsor_query(organization_ids):
        sponsors[organization_id, kind].append((name, upn))
    return sponsors


def _sponsor_users(organization_ids) -> dict[tuple[str, str], list[dict]]:
    sponsors = defaultdict(list)
    for organization_id, kind, user_id, name, upn in _sponsor_query(organization_ids):
        sponsors[organization_id, kind].append(
            {"@odata.type": "#microsoft.graph.user", "id": user_id, "displayName": name, "userPrincipalName": upn}
        )
    return sponsors


def _first_sponsor(kind: str):
    """A correlated subquery: the first sponsor name of a kind (for sorting)."""
    return (
        ConnectedOrganizationSponsor.select(fn.MIN(User.display_name_key))
        .join(User)
        .where(
            (ConnectedOrganizationSponsor.connected_organization == ConnectedOrganization.id)
            & (ConnectedOrganizationSponsor.kind == kind)
        )
    )
