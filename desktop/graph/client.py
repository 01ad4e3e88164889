"""A Microsoft Graph client: follows `@odata.nextLink`, batches, retries, and says what went wrong.

- 429, 503 and 504 wait for `Retry-After` (else exponential backoff with jitter), within a
  bounded total wait per request;
- a dropped connection is retried the same way;
- a 401 (the token expired) refreshes the token once;
- a 403 names the permission the request needs.
"""

import random
import threading
from typing import Callable, Iterator
from urllib.parse import urlsplit

import httpx

from desktop.errors import Cancelled
from desktop.graph.errors import DeltaExpired, GraphUnavailable, PermissionMissing, SignInFailed
from desktop.graph.tokens import TokenProvider

RETRIED_STATUSES = (429, 503, 504)
MAX_TOTAL_WAIT_SECONDS = 300.0
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
BATCH_LIMIT = 20  # requests per JSON batch, Graph's documented maximum
# The permission each family of requests needs (least privileged, delegated and application alike).
PERMISSIONS = (
    ("/me", "User.Read"),
    ("/organization", "User.Read"),
    ("/users", "User.Read.All"),
    ("/groups", "GroupMember.Read.All"),
    ("/directoryRoles", "RoleManagement.Read.Directory"),
    ("/servicePrincipals", "Application.Read.All"),
    ("/identityGovernance/entitlementManagement", "EntitlementManagement.Read.All"),
    ("/auditLogs", "AuditLog.Read.All and Directory.Read.All"),
)


class GraphClient:
    """Requests to one Graph root (`https://graph.microsoft.com`, or `--graph-url`)."""

    def __init__(
        self,
        root: str,
        tokens: TokenProvider,
        *,
        transport: httpx.BaseTransport | None = None,
        max_total_wait: float = MAX_TOTAL_WAIT_SECONDS,
        sleep: Callable[[float], None] | None = None,
        cancel_event: threading.Event | None = None,
        timeout: float = 100.0,
    ):
        self.root = root.rstrip("/")
        self.tokens = tokens
        self.max_total_wait = max_total_wait
        self.cancel_event = cancel_event or threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self._token_lock = threading.Lock()
        self._token: str | None = None
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "GraphClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str) -> str:
        """An absolute URL under this Graph root; a link elsewhere is refused, so the bearer
        token never goes to a host a response named."""
        if not path.startswith(("http://", "https://")):
            return self.root + path
        if _origin(path) != _origin(self.root):
            raise GraphUnavailable(
                f"Graph answered with a link to another host ({_origin(path)}); "
                f"it was not followed (the endpoint is {self.root})."
            )
        return path

    # -- lists -------------------------------------------------------------------------------------
    def pages(self, path: str, headers: dict | None = None) -> Iterator[tuple[str, dict]]:
        """Every page of a list, in order, as (the URL that produced it, the body)."""
        url = self.url(path)
        while url:
            body = self.get(url, headers)
            yield url, body
            link = body.get("@odata.nextLink")
            url = self.url(link) if isinstance(link, str) and link else None

    def batched_pages(self, paths: list[str], headers: dict | None = None) -> Iterator[tuple[str, dict]]:
        """The pages of many small lists, fetched BATCH_LIMIT at a time through `$batch`; a
        sub-response's next pages are followed one by one."""
        for start in range(0, len(paths), BATCH_LIMIT):
            chunk = paths[start : start + BATCH_LIMIT]
            for path, body in self._batch(chunk, headers):
                yield self.url(path), body
                link = body.get("@odata.nextLink")
                if isinstance(link, str) and link:
                    yield from self.pages(link, headers)

    def _batch(self, paths: list[str], headers: dict | None) -> list[tuple[str, dict]]:
        version = "/" + paths[0].lstrip("/").split("/", 1)[0]
        requests = [
            {
                "id": str(number),
                "method": "GET",
                "url": path[len(version) :],
                **({"headers": headers} if headers else {}),
            }
            for number, path in enumerate(paths)
        ]
        answer = self._request("POST", f"{self.root}{version}/$batch", json={"requests": requests})
        bodies: dict[str, dict] = {}
        for response in answer.get("responses") or []:
            number = str(response.get("id")) if isinstance(response, dict) else ""
            if not number.isdigit() or int(number) >= len(paths) or not isinstance(response.get("status"), int):
                raise GraphUnavailable(
                    f"Graph's batch answer holds a response this client did not ask for: {str(response)[:80]}"
                )
            status, path = response["status"], paths[int(number)]
            if status in RETRIED_STATUSES:
                # A throttled sub-request goes again alone, after its own Retry-After.
                sub_headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
                self._wait(
                    _seconds(sub_headers.get("retry-after")) or _backoff(0),
                    0.0,
                    self.url(path),
                    f"Graph answered {status}",
                )
                bodies[number] = self.get(self.url(path), headers)
            elif status >= 400:
                _raise_for(status, self.url(path), response.get("body") or {})
            elif isinstance(response.get("body"), dict):
                bodies[number] = response["body"]
            else:
                raise GraphUnavailable(f"Graph's batch answer to {path} is not a JSON object.")
        missing = [path for number, path in enumerate(paths) if str(number) not in bodies]
        if missing:
            raise GraphUnavailable(f"Graph's batch answer left out {len(missing)} request(s), first {missing[0]}.")
        return [(path, bodies[str(number)]) for number, path in enumerate(paths)]

    # -- one request ---------------------------------------------------------------------------------
    def get(self, url: str, headers: dict | None = None) -> dict:
        return self._request("GET", self.url(url), headers=headers)

    def _request(self, method: str, url: str, *, headers: dict | None = None, json: dict | None = None) -> dict:
        waited = 0.0
        refreshed = False
        for attempt in range(MAX_ATTEMPTS):
            self._check_cancelled()
            token = self._current_token()
            try:
                response = self._http.request(
                    method,
                    url,
                    json=json,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})},
                )
            except httpx.ConnectError as error:
                # Nothing answers at that address (a wrong --graph-url, no network): no use waiting.
                raise GraphUnavailable(
                    f"Cannot reach Graph at {self.root}: the connection failed ({_first_line(error)})."
                ) from None
            except httpx.TransportError as error:
                waited += self._wait(_backoff(attempt), waited, url, f"the connection dropped ({type(error).__name__})")
                continue
            status = response.status_code
            if status == 401 and not refreshed:
                refreshed = True
                self._refresh_token(token)
                continue
            if status in RETRIED_STATUSES:
                delay = _retry_after(response) or _backoff(attempt)
                waited += self._wait(delay, waited, url, f"Graph answered {status}")
                continue
            if status >= 400:
                _raise_for(status, url, _json_or_empty(response))
            try:
                body = response.json()
            except ValueError:
                raise GraphUnavailable(f"Graph's answer to {_path(url)} is not JSON.") from None
            if not isinstance(body, dict):
                raise GraphUnavailable(f"Graph's answer to {_path(url)} is not a JSON object.")
            return body
        raise GraphUnavailable(f"{_path(url)}: no answer after {MAX_ATTEMPTS} attempts; try again later.")

    def _wait(self, delay: float, waited: float, url: str, why: str) -> float:
        if waited + delay > self.max_total_wait:
            raise GraphUnavailable(
                f"{_path(url)}: {why}, and waiting longer than {self.max_total_wait:.0f} s "
                "in all did not help; try again later."
            )
        self._sleep(delay)
        self._check_cancelled()
        return delay

    def _interruptible_sleep(self, seconds: float) -> None:
        self.cancel_event.wait(seconds)

    def _check_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled("Sync cancelled; nothing was written.")

    def _current_token(self) -> str:
        with self._token_lock:
            if self._token is None:
                self._token = self.tokens.token()
            return self._token

    def _refresh_token(self, rejected: str) -> None:
        with self._token_lock:
            # Four requests in flight may all meet the same expired token: refresh it once.
            if self._token == rejected:
                self._token = self.tokens.refresh()


def _raise_for(status: int, url: str, body: dict) -> None:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    detail = (error.get("message") or error.get("code") or "").strip()
    detail = f" ({detail})" if detail else ""
    if status == 401:
        raise SignInFailed(
            f"Graph refused the token for {_path(url)} even after a new one was fetched{detail}; sign in again."
        )
    if status == 403:
        permission = permission_for(url)
        raise PermissionMissing(
            f"Graph refused {_path(url)} (403){detail}: the signed-in account or application needs the "
            f"{permission} permission{'s' * (' and ' in permission)} (granted with admin consent) and a directory role that allows reading it."
        )
    if status == 410:
        raise DeltaExpired(f"Graph no longer knows the delta link of {_path(url).split('?')[0]} (410 Gone){detail}.")
    raise GraphUnavailable(f"Graph answered {status} to {_path(url)}{detail}.")


def permission_for(url: str) -> str:
    path = urlsplit(url).path
    path = "/" + path.lstrip("/").split("/", 1)[-1] if path.count("/") > 1 else path
    for prefix, permission in PERMISSIONS:
        if path.startswith(prefix):
            return permission
    return "a Graph read"


def _retry_after(response: httpx.Response) -> float | None:
    return _seconds(response.headers.get("Retry-After"))


def _seconds(value: str | None) -> float | None:
    value = (value or "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare from Graph; the backoff stands in


def _backoff(attempt: int) -> float:
    # Full jitter: many clients throttled at once do not come back in step.
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))


def _json_or_empty(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
