"""From the admin's settings to a signed-in Graph client: the one place the CLI and the GUI
turn `--cloud`, `--graph-url`, `--tenant`, `--client-id`, `--certificate` into a token provider."""

import os
import threading
from pathlib import Path
from typing import Callable

from desktop.graph.client import GraphClient
from desktop.graph.clouds import cloud_named
from desktop.graph.identity import SignedIn, who_is_signed_in
from desktop.graph.tokens import SignInSettings, TokenCache, TokenProvider, UserToken, choose_provider
from models import User
from models.sync import TenantConnection

GRAPH_URL_VARIABLE = "ENTITLEMENT_DESK_GRAPH_URL"


def sign_in_settings(
    *,
    cloud: str | None = None,
    graph_url: str | None = None,
    tenant: str | None = None,
    client_id: str | None = None,
    certificate: str | Path | None = None,
    device_code: bool = False,
) -> SignInSettings:
    """Settings from what was given, else from the tenant this database is connected to.
    `ENTITLEMENT_DESK_GRAPH_URL` stands in for `--graph-url` where there is no command line (the GUI)."""
    graph_url = graph_url or os.environ.get(GRAPH_URL_VARIABLE) or None
    connection = TenantConnection.select().first()
    chosen = cloud_named(cloud or (connection.cloud if connection else "global"))
    return SignInSettings(
        cloud=chosen,
        graph_root=(graph_url or (connection.graph_root if connection and not cloud else chosen.graph_root)).rstrip(
            "/"
        ),
        tenant=tenant or (connection.tenant_id if connection else None),
        client_id=client_id or (connection.client_id if connection else None),
        certificate=Path(certificate) if certificate else None,
        device_code=device_code,
    )


def open_client(
    settings: SignInSettings,
    *,
    cache: TokenCache | None = None,
    environ=None,
    show_device_code: Callable[[str], None] | None = None,
    cancel_event: threading.Event | None = None,
) -> tuple[GraphClient, TokenProvider]:
    provider = choose_provider(settings, environ=environ, cache=cache, show_device_code=show_device_code)
    return GraphClient(settings.graph_root, provider, cancel_event=cancel_event), provider


def connected_tenant() -> TenantConnection | None:
    """The tenant this database mirrors; None for a database no sync has filled (the demo)."""
    return TenantConnection.select().first()


def tenant_actor(signed_in: SignedIn | None) -> User | None:
    """Who the app acts as on a database connected to a tenant: the signed-in user, else (offline)
    the user who signed in for the last sync. Their roles are the ones the tenant gave them."""
    connection = connected_tenant()
    user_id = signed_in.user_id if signed_in is not None else (connection.signed_in_user_id if connection else None)
    return User.get_or_none(User.id == user_id) if user_id else None


def account_status(signed_in: SignedIn | None, actor: User | None) -> str:
    """The status bar's words: "Signed in to <tenant> as <UPN>" only when that is so."""
    connection = connected_tenant()
    if signed_in is not None and (connection is not None or actor is None):
        return signed_in.status()
    if signed_in is not None:
        return f"{signed_in.status()}; simulation: acting as {actor.label}"
    if connection is not None:
        acting = f", acting as {actor.principal_name}" if actor is not None else ""
        return f"Not signed in: offline copy of {connection.display_name or connection.tenant_id}{acting}"
    if actor is None:
        return "Simulation: nobody to act as (no administrator in this database)"
    return f"Simulation: acting as {actor.label}"


class GraphSession:
    """The GUI's sign-in: one token provider for the window's life, and who it signed in."""

    def __init__(self, settings: SignInSettings, cache: TokenCache | None = None, environ=None):
        self.settings = settings
        self.provider = choose_provider(settings, environ=environ, cache=cache)
        self.signed_in: SignedIn | None = None

    @property
    def storage_note(self) -> str | None:
        """Said once at sign-in when tokens can only be kept in memory."""
        if isinstance(self.provider, UserToken) and not self.provider.cache.persisted:
            return self.provider.cache.note
        return None

    def client(self, cancel_event: threading.Event | None = None) -> GraphClient:
        return GraphClient(self.settings.graph_root, self.provider, cancel_event=cancel_event)

    def sign_in(self, cancel_event: threading.Event | None = None) -> SignedIn:
        """Get a token (the browser opens when none is cached) and ask Graph who it is; blocks."""
        with self.client(cancel_event) as client:
            self.provider.token()
            self.signed_in = who_is_signed_in(client, self.provider)
        return self.signed_in

    def sign_out(self) -> None:
        self.provider.sign_out()
        self.signed_in = None
