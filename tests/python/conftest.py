"""Fixtures of the ASGI-mode suite: the socket_gateway package beside FastAPI, under uvicorn and
under `python -m socket_gateway serve`.

Every server is a real process (asgi_server.AsgiServer) running apps/asgi_test_app.py (or
another app of apps/, or the example app); every client is a real python-socketio or
socket.io-client connection, or a real HTTP client.

  server_kind  "uvicorn" or "serve": every test that starts a server runs once per kind (ids
               "[uvicorn-...]", "[serve-...]"), session-scoped so each kind's shared app starts
               once. SG_TEST_SERVERS restricts the kinds (asgi_server.selected_server_kinds). A
               test about one kind's own behaviour is marked @asgi_server.only_on("serve", reason=...): the
               other kind's case is deselected at collection (the reason says why it does not apply).
  app_server   the shared test app of the kind for the whole session (default settings); tests
               use unique user ids (unique_user) so they do not see each other's connections.
  http_app     the shared apps/http_behaviour_app.py of the kind (tests of the server itself).
  api          a ControlApi on app_server.
  start_app    factory for a test's own server of the kind: start_app(env={...},
               server_args=(...) in uvicorn's spelling, target="asgi_test_app:app", app_dir=...,
               ready_path=...). Stopped with SIGTERM when the test ends; one that does not stop
               with its kind's clean code fails it.
  transport    parametrises a test over TRANSPORT_MODES (polling, websocket, upgrade).
  client_kind  parametrises a test over "python" (python-socketio) and "node" (socket.io-client).
  clients      a ClientPool; clients.connect(url, transport, user, kind=client_kind).
  mint_token   mint_token(sub, secret=JWT_SECRET, ttl=300, **claims) -> an HS256 JWT.
  unique_user  unique_user("alice") -> "alice-<8 hex>".

Threading: pytest runs the tests one after another on one thread.
"""
from __future__ import annotations

import pathlib
import sys
import time
import uuid
from typing import Callable, Optional

import jwt
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).with_name("apps")))

from asgi_clients import TRANSPORT_MODES, ClientPool  # noqa: E402
from asgi_server import OUTPUT_DIR, TEST_APPS_DIR, AsgiServer, selected_server_kinds  # noqa: E402
from control_api import ControlApi  # noqa: E402
from node_clients import NodeDriver  # noqa: E402

JWT_SECRET = "asgi-tests-secret-0123456789abcdef0123456789abcdef-0123456789abcdef"
CLIENT_KINDS = ("python", "node")


def mint_token(sub: Optional[str] = "alice", secret: str = JWT_SECRET, algorithm: str = "HS256",
               ttl: Optional[int] = 300, **claims) -> str:
    """A JWT for `sub` (left out when None), valid for `ttl` s (no exp when None)."""
    now = int(time.time())
    payload = dict(claims)
    if sub is not None:
        payload.setdefault("sub", sub)
    payload.setdefault("iat", now)
    if ttl is not None:
        payload.setdefault("exp", now + ttl)
    return jwt.encode(payload, secret, algorithm=algorithm)


def app_env(extra: Optional[dict] = None) -> dict:
    env = {"SG_TEST_JWT_SECRET": JWT_SECRET}
    env.update(extra or {})
    return env


@pytest.fixture(name="mint_token")
def mint_token_fixture() -> Callable[..., str]:
    return mint_token


@pytest.fixture
def unique_user() -> Callable[[str], str]:
    return lambda prefix="user": f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.hookimpl(tryfirst=True)  # the kind leads the ids: test_x[serve-polling-node]
def pytest_generate_tests(metafunc):
    if "server_kind" not in metafunc.fixturenames:
        return
    params = [pytest.param(kind, id=kind) for kind in selected_server_kinds()]
    metafunc.parametrize("server_kind", params, scope="session")


def pytest_collection_modifyitems(config, items):
    """Deselects the cases of a test marked only_on(...) for the kinds it is not about (the
    marker's reason says why it does not apply to them), so no case is skipped at run time."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("server_kinds")
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("server_kind") if callspec is not None else None
        if marker is not None and kind is not None and kind not in marker.args:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def app_server(server_kind):
    server = AsgiServer("asgi_test_app:app", kind=server_kind, env=app_env(),
                        name="shared-asgi-test-app")
    server.wait_ready()
    yield server
    code = server.stop()
    assert code == server.clean_stop_code, \
        f"the shared test app exited with {code}:\n{server.log_text()[-5000:]}"


@pytest.fixture(scope="session")
def http_app(server_kind):
    """The shared apps/http_behaviour_app.py of the kind (the tests of the ASGI server itself)."""
    server = AsgiServer("http_behaviour_app:app", kind=server_kind, env=app_env(),
                        name="shared-http-behaviour-app")
    server.wait_ready()
    yield server
    code = server.stop()
    assert code == server.clean_stop_code, \
        f"the shared HTTP behaviour app exited with {code}:\n{server.log_text()[-5000:]}"


@pytest.fixture
def api(app_server) -> ControlApi:
    return ControlApi(app_server.url)


@pytest.fixture
def start_app(request, server_kind):
    started: list = []
    request.node.asgi_servers = started

    def start(env: Optional[dict] = None, *, server_args: tuple = (),
              target: str = "asgi_test_app:app", app_dir: pathlib.Path = TEST_APPS_DIR,
              ready_path: Optional[str] = "/openapi.json", plain_env: bool = False) -> AsgiServer:
        server = AsgiServer(target, kind=server_kind, app_dir=app_dir,
                            env=(env or {}) if plain_env else app_env(env),
                            server_args=server_args, name=request.node.name)
        started.append(server)
        if ready_path is not None:
            server.wait_ready(ready_path)
        return server

    yield start
    problems = []
    for server in started:
        if server.process.returncode is not None:
            continue  # the test stopped it and checked the exit itself
        code = server.stop()
        if code != server.clean_stop_code:
            problems.append(f"{server.log_path.name} exited with {code}, not {server.clean_stop_code}")
    assert not problems, "; ".join(problems)


@pytest.fixture(params=TRANSPORT_MODES, ids=[mode.name for mode in TRANSPORT_MODES])
def transport(request):
    return request.param


@pytest.fixture(params=CLIENT_KINDS)
def client_kind(request) -> str:
    return request.param


@pytest.fixture
def clients(request, start_app):  # after start_app: clients close before servers stop
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)[:120]
    drivers: list = []

    def new_driver() -> NodeDriver:
        driver = NodeDriver(OUTPUT_DIR / f"node-clients-{safe}-{len(drivers)}.log")
        drivers.append(driver)
        return driver

    pool = ClientPool(token_for=mint_token, node_driver_factory=new_driver)
    request.node.node_drivers = drivers
    yield pool
    pool.close_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attaches the logs of the servers and node drivers of a failing test to its report."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    servers = list(getattr(item, "asgi_servers", []))
    for fixture in ("app_server", "http_app"):
        shared = item.funcargs.get(fixture) if hasattr(item, "funcargs") else None
        if shared is not None:
            servers.append(shared)
    for server in servers:
        report.sections.append((f"server log {server.log_path.name}", server.log_text()[-15000:]))
    for driver in getattr(item, "node_drivers", []):
        report.sections.append((f"node driver {driver.log_path.name}", driver.stderr_text()[-5000:]))
