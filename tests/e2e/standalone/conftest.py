"""Fixtures of the standalone-gateway suite (built on the shared ones in tests/e2e/conftest.py).

  transport  parametrises a test over TRANSPORT_MODES (polling, websocket, upgrade).
  gateway    a socket-gateway with default flags, started for the test.
  api        a GatewayApi for `gateway`.
  clients    a ClientPool: clients.connect(server, transport, "alice") gives a connected
             python-socketio client holding a fresh token for "alice"; all closed at the end.
  witnessed  a gateway with small limits and a witness client per transport, for bad input.

Threading: pytest's test thread only.
"""
from __future__ import annotations

import pytest

import standalone_clients
from standalone_api import GatewayApi
from standalone_clients import TRANSPORT_MODES, ClientPool
from standalone_witness import start_witnessed


@pytest.fixture(autouse=True, scope="session")
def _scale_waits(timeout_factor):
    standalone_clients.TIME_FACTOR = timeout_factor


@pytest.fixture(params=TRANSPORT_MODES, ids=[mode.name for mode in TRANSPORT_MODES])
def transport(request):
    return request.param


@pytest.fixture
def gateway(start_gateway):
    return start_gateway()


@pytest.fixture
def api(gateway):
    return GatewayApi(gateway.url)


@pytest.fixture
def clients(mint_token, start_server):  # start_server first: clients close before servers stop
    pool = ClientPool(token_for=lambda user: mint_token(user))
    yield pool
    pool.close_all()


@pytest.fixture
def witnessed(start_gateway, clients):
    """A gateway with small limits and three witness clients (see standalone_witness.py)."""
    return start_witnessed(start_gateway, clients)
