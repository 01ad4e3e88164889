"""From the admin's settings to a signed-in Graph client: the one place the CLI and the GUI
turn `--cloud`, `--graph-url`, `--tenant`, `--client-id`, `--certificate` into a token provider."""
import threading
from pathlib import Path
from typing import Callable

from desktop.graph.client import GraphClient
from desktop.graph.clouds import cloud_named
from desktop.graph.tokens import (
    SignInSettings,
    TokenCache,
    TokenProvider,
    choose_provider,
)
from models.sync import TenantConnection


def sign_in_settings(*, cloud: str | None = None, graph_url: str | None = None, tenant: str | None = None,
                     client_id: str | None = None, certificate: str | Path | None = None,
                     device_code: bool = False) -> SignInSettings:
    """Settings from what was given, else from the tenant this database is connected to."""
    connection = TenantConnection.select().first()
    chosen = cloud_named(cloud or (connection.cloud if connection else "global"))
    return SignInSettings(
        cloud=chosen,
        graph_root=(graph_url or (connection.graph_root if connection and not cloud else chosen.graph_root)).rstrip("/"),
        tenant=tenant or (connection.tenant_id if connection else None),
        client_id=client_id or (connection.client_id if connection else None),
        certificate=Path(certificate) if certificate else None,
        device_code=device_code)


def open_client(settings: SignInSettings, *, cache: TokenCache | None = None, environ=None,
                show_device_code: Callable[[str], None] | None = None,
                cancel_event: threading.Event | None = None) -> tuple[GraphClient, TokenProvider]:
    provider = choose_provider(settings, environ=environ, cache=cache, show_device_code=show_device_code)
    return GraphClient(settings.graph_root, provider, cancel_event=cancel_event), provider
