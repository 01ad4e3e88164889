import pytest

from tests.helpers.graph_standin import GraphStandIn, build_tenant


@pytest.fixture
def tenant():
    return build_tenant()


@pytest.fixture
def graph(tenant):
    """The stand-in Graph on 127.0.0.1, serving `tenant` five records a page."""
    with GraphStandIn(tenant) as server:
        yield server
