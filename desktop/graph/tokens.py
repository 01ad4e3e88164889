"""The one token-provider seam: every way of getting a Graph access token behind `TokenProvider`.

- a token from `ENTITLEMENT_DESK_GRAPH_TOKEN` (obtained elsewhere; no sign-in),
- app-only sign-in with a certificate (`--certificate PEM`, unattended runs),
- a user signing in: the system browser with a loopback redirect (the GUI) or a device code
  (the CLI), with MSAL's token cache kept encrypted by the operating system's key store.

MSAL is used only through its public API, and only here.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import msal
import msal_extensions
import platformdirs

from desktop.errors import InvalidInput
from desktop.graph.clouds import Cloud
from desktop.graph.errors import SignInFailed

ENVIRONMENT_TOKEN = "ENTITLEMENT_DESK_GRAPH_TOKEN"
# Microsoft's own public client "Microsoft Graph Command Line Tools" (the Graph PowerShell SDK's):
# it allows loopback redirects and device codes and asks for Graph scopes at sign-in. A tenant
# that blocks it registers its own app and passes `--client-id`.
DEFAULT_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
# The delegated permissions a sync needs (read only): the least privileged for each call it makes
# (the audit log needs Directory.Read.All beside AuditLog.Read.All).
DELEGATED_PERMISSIONS = (
    "User.Read.All",
    "GroupMember.Read.All",
    "RoleManagement.Read.Directory",
    "EntitlementManagement.Read.All",
    "AuditLog.Read.All",
    "Directory.Read.All",
    "Application.Read.All",
)
CACHE_FILE = "msal-token-cache.bin"
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)


@dataclass(frozen=True)
class SignInSettings:
    cloud: Cloud
    graph_root: str
    tenant: str | None = None
    client_id: str | None = None
    certificate: Path | None = None
    device_code: bool = False

    @property
    def authority(self) -> str:
        return f"{self.cloud.authority_host}/{self.tenant or 'organizations'}"

    def scopes(self) -> list[str]:
        return [f"{self.cloud.graph_root}/{name}" for name in DELEGATED_PERMISSIONS]


class TokenProvider(Protocol):
    """Gives the bearer token for Graph requests."""

    description: str  # how the token was obtained, for the sync record and the status bar
    delegated: bool  # a user's token (so `/me` is someone), not an application's

    def token(self) -> str:
        """A valid access token, signing in first when needed."""

    def refresh(self) -> str:
        """A new token after Graph said the last one has expired; SignInFailed when none can be had."""

    def sign_out(self) -> None:
        """Forget every token and account this provider holds."""


class EnvironmentToken:
    """A token obtained elsewhere (for example `az account get-access-token`), sent as is."""

    delegated = True

    def __init__(self, value: str):
        self._value = value.strip().removeprefix("Bearer ").strip()
        self.description = f"a token from {ENVIRONMENT_TOKEN}"

    def token(self) -> str:
        return self._value

    def refresh(self) -> str:
        raise SignInFailed(
            f"The token in {ENVIRONMENT_TOKEN} has expired or was refused; get a new one "
            "(for example: az account get-access-token --resource-type ms-graph)."
        )

    def sign_out(self) -> None:
        """Nothing is held: the token lives in the environment, which the app does not change."""


class CertificateToken:
    """App-only sign-in with a certificate: the application's own Graph permissions apply."""

    delegated = False

    def __init__(self, settings: SignInSettings):
        if not settings.tenant or not settings.client_id:
            raise InvalidInput("App-only sign-in with --certificate needs --tenant and --client-id.")
        self._settings = settings
        self._credential = certificate_credential(settings.certificate)
        self._application = None  # made on first use: MSAL asks the authority about itself then
        self.description = f"application {settings.client_id} (certificate)"

    def token(self) -> str:
        if self._application is None:
            self._application = msal.ConfidentialClientApplication(
                self._settings.client_id, authority=self._settings.authority, client_credential=self._credential
            )
        return _access_token(
            self._application.acquire_token_for_client(scopes=[f"{self._settings.cloud.graph_root}/.default"])
        )

    def refresh(self) -> str:
        # A new application has an empty cache, so MSAL asks Entra for a new token.
        self._application = None
        return self.token()

    def sign_out(self) -> None:
        self._application = None


class UserToken:
    """A user signs in: the system browser with a loopback redirect, or a device code."""

    delegated = True
    INTERACTIVE_TIMEOUT_SECONDS = 300

    def __init__(
        self, settings: SignInSettings, cache: "TokenCache", show_device_code: Callable[[str], None] | None = None
    ):
        self._settings = settings
        self.cache = cache
        self._show_device_code = show_device_code
        self._application = None  # made on first use: MSAL asks the authority about itself then
        self.description = "device code sign-in" if settings.device_code else "interactive sign-in"

    def _app(self):
        if self._application is None:
            self._application = msal.PublicClientApplication(
                self._settings.client_id or DEFAULT_CLIENT_ID,
                authority=self._settings.authority,
                token_cache=self.cache.cache,
            )
        return self._application

    def token(self) -> str:
        return self._acquire(force_refresh=False)

    def refresh(self) -> str:
        return self._acquire(force_refresh=True)

    def _acquire(self, force_refresh: bool) -> str:
        application = self._app()
        scopes = self._settings.scopes()
        accounts = application.get_accounts()
        if accounts:
            result = application.acquire_token_silent(scopes, account=accounts[0], force_refresh=force_refresh)
            if result and "access_token" in result:
                return result["access_token"]
        if self._settings.device_code:
            flow = application.initiate_device_flow(scopes=scopes)
            if "user_code" not in flow:
                raise SignInFailed(f"Device code sign-in could not start: {_reason(flow)}")
            (self._show_device_code or print)(flow["message"])
            return _access_token(application.acquire_token_by_device_flow(flow))
        return _access_token(
            application.acquire_token_interactive(
                scopes, prompt="select_account", timeout=self.INTERACTIVE_TIMEOUT_SECONDS
            )
        )

    def sign_out(self) -> None:
        """Forget the accounts and their tokens: the cache is emptied where it is kept."""
        self.cache.clear()
        self._application = None


@dataclass
class TokenCache:
    """MSAL's token cache and where it is kept: `persisted` False means in memory only, and
    `note` says why, for the app to show."""

    cache: msal.TokenCache
    persisted: bool
    note: str
    persistence: object | None = None

    def clear(self) -> None:
        if self.persistence is not None:
            # An empty cache written through the store: libsecret keeps it in the keyring, not the file.
            self.persistence.save("{}")
            self.cache = msal_extensions.PersistedTokenCache(self.persistence)
        else:
            self.cache = msal.SerializableTokenCache()


def token_cache(folder: Path | None = None, build_persistence=None) -> TokenCache:
    """The token cache encrypted by the operating system (DPAPI, Keychain, libsecret), or an
    in-memory one where no such store works here."""
    folder = folder or Path(platformdirs.user_data_dir("EntitlementDesk", appauthor=False))
    path = folder / CACHE_FILE
    build_persistence = build_persistence or msal_extensions.build_encrypted_persistence
    try:
        folder.mkdir(parents=True, exist_ok=True)
        persistence = build_persistence(str(path))
        if not persistence.is_encrypted:
            raise RuntimeError("the store does not encrypt")
        # libsecret can be installed without a running keyring: only a round trip proves it works.
        try:
            content = persistence.load()
        except msal_extensions.persistence.PersistenceNotFound:
            content = "{}"
        persistence.save(content)
        return TokenCache(
            msal_extensions.PersistedTokenCache(persistence),
            True,
            "Tokens are kept encrypted by the operating system's key store.",
            persistence,
        )
    except Exception as error:  # each platform's store fails with its own library's errors
        return TokenCache(
            msal.SerializableTokenCache(),
            False,
            "No operating-system key store is available here "
            f"({type(error).__name__}: {_first_line(error)}); tokens are "
            "kept in memory only and you will sign in again next time.",
        )


def choose_provider(
    settings: SignInSettings,
    environ=None,
    cache: TokenCache | None = None,
    show_device_code: Callable[[str], None] | None = None,
) -> TokenProvider:
    """The environment's token when there is one, else certificate sign-in when a certificate
    is given, else a user signing in (device code or the system browser)."""
    environ = os.environ if environ is None else environ
    if environ.get(ENVIRONMENT_TOKEN, "").strip():
        return EnvironmentToken(environ[ENVIRONMENT_TOKEN])
    if settings.certificate is not None:
        return CertificateToken(settings)
    return UserToken(settings, cache or token_cache(), show_device_code)


def certificate_credential(path: Path) -> dict:
    """MSAL's client credential from a PEM file holding the private key and its certificate."""
    try:
        content = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path}: cannot read the certificate ({error})") from None
    blocks = {match.group(1): match.group(0) for match in _PEM_BLOCK.finditer(content)}
    key = next((block for name, block in blocks.items() if name.endswith("PRIVATE KEY")), None)
    certificate = blocks.get("CERTIFICATE")
    if key is None or certificate is None:
        raise InvalidInput(
            f"{path}: a PEM file with both the private key and the certificate is needed "
            "(cat key.pem cert.pem > app.pem)."
        )
    return {"private_key": key, "public_certificate": certificate}


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:120] if text else "not usable"


def _access_token(result: dict | None) -> str:
    if result and "access_token" in result:
        return result["access_token"]
    raise SignInFailed(f"Sign-in failed: {_reason(result)}")


def _reason(result: dict | None) -> str:
    if not result:
        return "no answer from the sign-in service"
    return (result.get("error_description") or result.get("error") or "unknown error").strip().splitlines()[0]
