"""The token-provider seam without a network: which provider is chosen, where tokens are kept,
what sign-out clears, and how a certificate file is read."""

from datetime import datetime, timedelta, timezone

import msal_extensions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from desktop.errors import InvalidInput
from desktop.graph.clouds import CLOUDS, cloud_named
from desktop.graph.errors import SignInFailed
from desktop.graph.tokens import (
    DEFAULT_CLIENT_ID,
    ENVIRONMENT_TOKEN,
    CertificateToken,
    EnvironmentToken,
    SignInSettings,
    UserToken,
    certificate_credential,
    choose_provider,
    token_cache,
)


def settings(**options) -> SignInSettings:
    cloud = cloud_named(options.pop("cloud", "global"))
    return SignInSettings(cloud=cloud, graph_root=cloud.graph_root, **options)


class MemoryPersistence:
    """A store that works, as the OS key store would."""

    is_encrypted = True

    def __init__(self, location):
        self.location = location
        self.content = None

    def save(self, content):
        self.content = content

    def load(self):
        if self.content is None:
            raise msal_extensions.persistence.PersistenceNotFound(location=self.location)
        return self.content

    def time_last_modified(self):
        return 0

    def get_location(self):
        return self.location


@pytest.fixture
def pem(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "entitlement-desk-test")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "app.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return path


def test_the_environment_token_wins_without_a_sign_in(tmp_path):
    provider = choose_provider(settings(device_code=True), environ={ENVIRONMENT_TOKEN: " Bearer abc.def "})
    assert isinstance(provider, EnvironmentToken)
    assert provider.token() == "abc.def"
    with pytest.raises(SignInFailed, match=ENVIRONMENT_TOKEN):
        provider.refresh()


def test_a_certificate_chooses_app_only_sign_in(pem):
    provider = choose_provider(settings(certificate=pem, tenant="contoso.example", client_id="app-id"), environ={})
    assert isinstance(provider, CertificateToken)
    assert not provider.delegated


def test_app_only_sign_in_needs_tenant_and_client_id(pem):
    with pytest.raises(InvalidInput, match="--tenant and --client-id"):
        choose_provider(settings(certificate=pem), environ={})


def test_without_token_or_certificate_a_user_signs_in(tmp_path):
    cache = token_cache(tmp_path, build_persistence=MemoryPersistence)
    interactive = choose_provider(settings(), environ={}, cache=cache)
    device = choose_provider(settings(device_code=True), environ={}, cache=cache)
    assert isinstance(interactive, UserToken) and interactive.description == "interactive sign-in"
    assert isinstance(device, UserToken) and device.description == "device code sign-in"


def test_settings_follow_the_cloud_and_tenant():
    china = settings(cloud="china", tenant="contoso.partner.onmschina.cn")
    assert china.authority == "https://login.chinacloudapi.cn/contoso.partner.onmschina.cn"
    assert china.scopes()[0].startswith("https://microsoftgraph.chinacloudapi.cn/")
    assert settings().authority == "https://login.microsoftonline.com/organizations"
    assert set(CLOUDS) == {"global", "usgov", "usgov-dod", "china"}
    with pytest.raises(InvalidInput, match="Unknown cloud"):
        cloud_named("mars")
    assert DEFAULT_CLIENT_ID == "14d82eec-204b-4c2f-b7e8-296a70dab67e"


def test_token_cache_is_kept_by_the_os_store_when_one_works(tmp_path):
    cache = token_cache(tmp_path, build_persistence=MemoryPersistence)
    assert cache.persisted
    assert "encrypted" in cache.note


def test_without_an_os_store_tokens_stay_in_memory_and_the_app_says_so(tmp_path):
    def no_store(location):
        raise ImportError("Unable to import module 'gi'\nRuntime dependency of PyGObject is missing.")

    cache = token_cache(tmp_path, build_persistence=no_store)
    assert not cache.persisted
    assert "in memory only" in cache.note and "gi" in cache.note and "\n" not in cache.note
    assert not list(tmp_path.iterdir())  # nothing written in plain text


def test_a_store_that_is_installed_but_does_not_work_falls_back_to_memory(tmp_path):
    class LockedKeyring(MemoryPersistence):
        def save(self, content):
            raise RuntimeError("the keyring is locked")

    assert not token_cache(tmp_path, build_persistence=LockedKeyring).persisted


def test_a_store_that_would_keep_tokens_in_plain_text_is_not_used(tmp_path):
    class PlainFile(MemoryPersistence):
        is_encrypted = False

    assert not token_cache(tmp_path, build_persistence=PlainFile).persisted


def test_sign_out_empties_the_stored_cache(tmp_path):
    cache = token_cache(tmp_path, build_persistence=MemoryPersistence)
    cache.persistence.save('{"AccessToken": {"k": {"secret": "a-token"}}}')
    UserToken(settings(), cache).sign_out()
    assert cache.persistence.load() == "{}"


def test_certificate_file_gives_key_and_certificate(pem, tmp_path):
    credential = certificate_credential(pem)
    assert credential["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert credential["public_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    key_only = tmp_path / "key.pem"
    key_only.write_text(credential["private_key"])
    with pytest.raises(InvalidInput, match="both the private key and the certificate"):
        certificate_credential(key_only)
    with pytest.raises(InvalidInput, match="cannot read"):
        certificate_credential(tmp_path / "missing.pem")


class FakePublicClient:
    """Stands in for msal.PublicClientApplication: what the seam asks of MSAL, and nothing else."""

    made = []

    def __init__(self, client_id, authority, token_cache):
        self.client_id, self.authority, self.cache = client_id, authority, token_cache
        self.accounts, self.calls = [], []
        FakePublicClient.made.append(self)

    def get_accounts(self):
        return self.accounts

    def acquire_token_silent(self, scopes, account, force_refresh=False):
        self.calls.append(("silent", force_refresh))
        return {"access_token": "refreshed" if force_refresh else "cached"}

    def initiate_device_flow(self, scopes):
        self.calls.append(("device", tuple(scopes)))
        return {"user_code": "ABCD-EFGH", "message": "To sign in, enter the code ABCD-EFGH."}

    def acquire_token_by_device_flow(self, flow):
        self.accounts.append({"username": "admin@fabrikam.example"})
        return {"access_token": "from-device-code"}

    def acquire_token_interactive(self, scopes, prompt, timeout):
        self.calls.append(("interactive", prompt))
        return {"error": "access_denied", "error_description": "AADSTS65004: User declined to consent."}


@pytest.fixture
def fake_msal(monkeypatch):
    FakePublicClient.made.clear()
    monkeypatch.setattr("desktop.graph.tokens.msal.PublicClientApplication", FakePublicClient)
    return FakePublicClient.made


def test_device_code_sign_in_shows_the_code_then_uses_the_cache(tmp_path, fake_msal):
    shown = []
    cache = token_cache(tmp_path, build_persistence=MemoryPersistence)
    provider = UserToken(settings(device_code=True, tenant="fabrikam.example"), cache, shown.append)
    assert fake_msal == []  # MSAL is not asked anything until a token is wanted
    assert provider.token() == "from-device-code"
    assert shown == ["To sign in, enter the code ABCD-EFGH."]
    application = fake_msal[0]
    assert application.client_id == DEFAULT_CLIENT_ID
    assert application.authority == "https://login.microsoftonline.com/fabrikam.example"
    assert "https://graph.microsoft.com/EntitlementManagement.Read.All" in application.calls[0][1]
    assert provider.token() == "cached"
    assert provider.refresh() == "refreshed"  # after a 401: MSAL is told to skip its cached token


def test_a_refused_browser_sign_in_says_why(tmp_path, fake_msal):
    provider = UserToken(settings(client_id="my-app"), token_cache(tmp_path, build_persistence=MemoryPersistence))
    with pytest.raises(SignInFailed, match="AADSTS65004: User declined to consent"):
        provider.token()
    assert fake_msal[0].client_id == "my-app" and fake_msal[0].calls == [("interactive", "select_account")]
