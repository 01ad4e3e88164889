"""Who a token speaks for: the tenant, and the signed-in user with the directory roles the tenant
gives them (or the application, for app-only tokens)."""

from dataclasses import dataclass

from desktop.errors import Forbidden
from desktop.graph.client import GraphClient
from desktop.graph.errors import GraphUnavailable
from desktop.graph.tokens import TokenProvider
from desktop.permissions import ALLOWED_ROLES, ROLE_TEMPLATE_IDS, Action


@dataclass(frozen=True)
class SignedIn:
    tenant_id: str
    tenant_name: str | None
    user_id: str | None = None  # None for an application's own (app-only) token
    upn: str | None = None
    display_name: str | None = None
    roles: frozenset[str] = frozenset()  # role display names, by their template ids
    application: str | None = None

    def describe(self) -> str:
        """The account as the status bar and the sync history show it."""
        return self.upn or self.application or self.user_id or "unknown"

    def status(self) -> str:
        return f"Signed in to {self.tenant_name or self.tenant_id} as {self.describe()}"


def who_is_signed_in(client: GraphClient, tokens: TokenProvider) -> SignedIn:
    """Ask Graph who the token belongs to (`/organization`, `/me`, `/me/memberOf`)."""
    organizations = client.get("/v1.0/organization?$select=id,displayName").get("value") or []
    if not organizations:
        raise GraphUnavailable("Graph listed no organization for this token; is it a work or school account?")
    tenant_id, tenant_name = organizations[0].get("id"), organizations[0].get("displayName")
    if not tokens.delegated:
        return SignedIn(tenant_id, tenant_name, application=tokens.description)
    me = client.get("/v1.0/me?$select=id,displayName,userPrincipalName")
    by_template = {template: name for name, template in ROLE_TEMPLATE_IDS.items()}
    roles = set()
    for _, page in client.pages(
        "/v1.0/me/memberOf/microsoft.graph.directoryRole?$select=id,displayName,roleTemplateId"
    ):
        for role in page.get("value") or []:
            roles.add(by_template.get(role.get("roleTemplateId"), role.get("displayName") or ""))
    return SignedIn(
        tenant_id,
        tenant_name,
        user_id=me.get("id"),
        upn=me.get("userPrincipalName"),
        display_name=me.get("displayName"),
        roles=frozenset(roles - {""}),
    )


def require_sync_role(identity: SignedIn) -> None:
    """A user must hold a role that reads entitlement management whole; an application's own
    permissions are checked by Graph on every request."""
    needed = ALLOWED_ROLES[Action.SYNC]
    if identity.user_id is None or needed & identity.roles:
        return
    held = ", ".join(sorted(identity.roles)) or "no directory role"
    raise Forbidden(
        f"{identity.describe()} cannot {Action.SYNC}: that needs {' or '.join(sorted(needed))} "
        f"(the tenant gives them {held})."
    )
