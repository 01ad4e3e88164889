"""The requests report: every request with a state filter, and one approver's queue."""

import pytest

from desktop.errors import Forbidden, InvalidInput
from desktop.reports.requests import RequestsReport
from tests.helpers import requests_tenant


@pytest.fixture
def tenant(database):
    return requests_tenant.build()


def column(report, key):
    return [row[report.column_index(key)] for row in report.iterate()]


def test_every_request_newest_first_with_state_filter(tenant):
    """All requests come newest first; the state filter keeps one Graph state."""
    report = RequestsReport(actor=tenant.admin)
    assert report.count() == 4
    created = column(report, "created")
    assert created == sorted(created, reverse=True)
    pending = RequestsReport("pendingApproval", actor=tenant.admin)
    assert column(pending, "id") == [tenant.pending.id]
    assert column(pending, "stage") == [1]
    with pytest.raises(InvalidInput):
        RequestsReport("approved")


def test_pending_approvals_follow_the_controller(tenant):
    """An approver's queue is the controller's pending_approvals, readable without a role."""
    queue = RequestsReport(pending_for=tenant.manager, actor=tenant.manager)
    expected = [request.id for request in tenant.lifecycle.pending_approvals(tenant.manager)]
    assert column(queue, "id") == expected == [tenant.pending.id]
    tenant.lifecycle.approve(tenant.manager, tenant.pending.id)
    assert queue.count() == 0
    assert column(RequestsReport(pending_for=tenant.admin, actor=tenant.admin), "id") == [tenant.pending.id]


def test_reading_every_request_needs_the_role(tenant):
    """All requests, or someone else's queue, need a governance role."""
    with pytest.raises(Forbidden):
        RequestsReport(actor=tenant.reader)
    with pytest.raises(Forbidden):
        RequestsReport(pending_for=tenant.admin, actor=tenant.manager)


def test_pages_match_the_stream_in_every_sort(tenant):
    """Pages join up to the streamed rows for each column and direction."""
    report = RequestsReport(actor=tenant.admin)
    for sort_key in [None] + [c.key for c in report.columns]:
        for descending in (False, True):
            streamed = list(report.iterate(sort_key, descending))
            paged = [row for offset in range(0, 6, 2) for row in report.page(offset, 2, sort_key, descending)]
            assert paged == streamed, sort_key
