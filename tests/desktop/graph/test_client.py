"""The Graph client against the stand-in: paging, batches, throttling, dropped connections,
expired tokens and missing permissions."""

import pytest

from desktop.errors import Cancelled
from desktop.graph.client import GraphClient
from desktop.graph.errors import GraphUnavailable, PermissionMissing, SignInFailed
from desktop.graph.plan import ASSIGNMENTS, group_members
from desktop.graph.tokens import EnvironmentToken

TOKEN = "stand-in-token"


class RefreshingToken:
    """A provider whose first token has expired; refresh() gives the one Graph accepts."""

    description = "test"
    delegated = True

    def __init__(self):
        self.refreshes = 0

    def token(self) -> str:
        return "expired-token"

    def refresh(self) -> str:
        self.refreshes += 1
        return TOKEN

    def sign_out(self) -> None:
        """Nothing held."""


def client_for(graph, tokens=None, **options) -> GraphClient:
    waits = options.pop("waits", None)
    sleep = (lambda seconds: waits.append(seconds)) if waits is not None else (lambda seconds: None)
    return GraphClient(graph.url, tokens or EnvironmentToken(TOKEN), sleep=sleep, **options)


def test_pages_follow_next_links_in_order(graph, tenant):
    """Every page of a list is fetched once, in order, and together they hold every record."""
    with client_for(graph) as client:
        pages = list(client.pages(ASSIGNMENTS))
    assert len(pages) == 2  # ten assignments, five to a page
    ids = [record["id"] for _, body in pages for record in body["value"]]
    assert ids == list(tenant.assignments)
    assert pages[1][0] == pages[0][1]["@odata.nextLink"]


def test_members_of_many_groups_take_one_batch_request_per_twenty(graph, tenant):
    """Members of 25 groups: two $batch requests, not 25 GETs; each sub-response keeps its own URL."""
    groups = list(tenant.group_members) * 9  # 27 lists
    paths = [group_members(pk) for pk in groups[:25]]
    with client_for(graph) as client:
        pages = list(client.batched_pages(paths))
    assert graph.requested("POST /v1.0/$batch") == 2
    assert graph.requested("GET /v1.0/groups/") == 0
    assert [url for url, _ in pages] == [graph.url + path for path in paths]


def test_throttled_request_waits_for_retry_after(graph):
    """429 with Retry-After: 7 waits seven seconds, then succeeds."""
    graph.fault("/assignments", 429, retry_after="7")
    waits = []
    with client_for(graph, waits=waits) as client:
        body = client.get(ASSIGNMENTS)
    assert waits == [7.0]
    assert len(body["value"]) == 5


def test_unavailable_and_gateway_timeout_back_off_and_retry(graph):
    """503 and 504 without Retry-After are retried after growing, jittered waits."""
    graph.fault("/assignments", 503, times=2)
    graph.fault("/assignments", 504, times=1)
    waits = []
    with client_for(graph, waits=waits) as client:
        assert client.get(ASSIGNMENTS)["value"]
    assert len(waits) == 3
    assert all(0 <= wait <= 2**attempt for attempt, wait in enumerate(waits))


def test_throttling_past_the_total_wait_gives_up_with_a_clear_error(graph):
    """A throttle that never ends stops at the bounded total wait and says so."""
    graph.fault("/assignments", 429, times=100, retry_after="30")
    with client_for(graph, max_total_wait=100) as client, pytest.raises(GraphUnavailable, match="429.*100 s"):
        client.get(ASSIGNMENTS)


def test_dropped_connection_is_retried(graph):
    """A connection closed without an answer is tried again."""
    graph.fault("/assignments", "drop")
    waits = []
    with client_for(graph, waits=waits) as client:
        assert len(client.get(ASSIGNMENTS)["value"]) == 5
    assert len(waits) == 1


def test_expired_token_is_refreshed_once(graph):
    """401 for an expired token: one refresh, then the request succeeds."""
    tokens = RefreshingToken()
    with client_for(graph, tokens) as client:
        assert client.get(ASSIGNMENTS)["value"]
        assert client.get(ASSIGNMENTS)["value"]
    assert tokens.refreshes == 1


def test_a_token_refused_after_refresh_asks_to_sign_in_again(graph):
    """The environment's token cannot be refreshed: the error says to get a new one."""
    with (
        client_for(graph, EnvironmentToken("stale")) as client,
        pytest.raises(SignInFailed, match="ENTITLEMENT_DESK_GRAPH_TOKEN has expired"),
    ):
        client.get(ASSIGNMENTS)


def test_forbidden_names_the_missing_permission(graph):
    """403 on the audit log names AuditLog.Read.All; on assignments, EntitlementManagement.Read.All."""
    graph.fault("/auditLogs", 403)
    graph.fault("/assignments", 403)
    with client_for(graph) as client:
        with pytest.raises(PermissionMissing, match="AuditLog.Read.All and Directory.Read.All"):
            client.get("/v1.0/auditLogs/directoryAudits")
        with pytest.raises(PermissionMissing, match="EntitlementManagement.Read.All"):
            client.get(ASSIGNMENTS)


def test_a_forbidden_sub_request_of_a_batch_names_its_permission(graph, tenant):
    """A batch answers 200 with a 403 inside: the error names the sub-request's permission."""
    graph.fault("/members", 403)
    with client_for(graph) as client, pytest.raises(PermissionMissing, match="GroupMember.Read.All"):
        list(client.batched_pages([group_members(next(iter(tenant.group_members)))]))


def test_a_throttled_sub_request_of_a_batch_goes_again_alone(graph, tenant):
    """A 429 inside a batch: that sub-request alone is repeated after its Retry-After."""
    graph.fault("/members", 429, retry_after="3")
    paths = [group_members(pk) for pk in tenant.group_members]
    waits = []
    with client_for(graph, waits=waits) as client:
        pages = list(client.batched_pages(paths))
    assert [url for url, _ in pages] == [graph.url + path for path in paths]
    assert waits == [3.0]


def test_cancel_stops_a_wait(graph):
    """Cancelling during a Retry-After wait ends the request with Cancelled."""
    graph.fault("/assignments", 429, retry_after="60")
    client = GraphClient(graph.url, EnvironmentToken(TOKEN))
    client.cancel_event.set()
    with client, pytest.raises(Cancelled):
        client.get(ASSIGNMENTS)


def test_a_next_link_to_another_host_is_not_followed(graph, tenant):
    """A page that points elsewhere would take the bearer token with it: refused, named."""
    elsewhere = {"value": [], "@odata.nextLink": "https://attacker.example/v1.0/users?$skiptoken=1"}
    graph.answer = lambda path: (200, elsewhere)
    with client_for(graph) as client, pytest.raises(GraphUnavailable, match="another host.*https://attacker.example"):
        list(client.pages("/v1.0/users"))
    assert graph.requested("GET /v1.0/users") == 1


def test_an_answer_that_is_not_a_json_object_is_a_clear_error(graph):
    graph.answer = lambda path: (200, ["not", "an", "object"])
    with client_for(graph) as client, pytest.raises(GraphUnavailable, match="not a JSON object"):
        client.get(ASSIGNMENTS)
