"""R6: the gateway mounted beside FastAPI with ASGIApp, under uvicorn and under serve.

Socket.IO answers at the standard /socket.io/ path, over HTTP long-polling and WebSocket, while
everything else reaches FastAPI untouched: /docs and /openapi.json, a route with a validated
body, query and header, FastAPI's own 404 and 422, a path that only starts like "socket.io",
and a FastAPI WebSocket route. FastAPI's lifespan startup and shutdown still run (the app writes
marker files), the gateway already works during startup, SIGTERM ends connected clients and the
process stops cleanly; without lifespan events (uvicorn --lifespan off) the gateway starts on the
first request.
"""
from __future__ import annotations

import json
import pathlib
import time

import requests
import websocket

from asgi_clients import TRANSPORT_MODES, WAIT, wait_until
from asgi_server import only_on
from control_api import ControlApi

MODE = {mode.name: mode for mode in TRANSPORT_MODES}


def test_docs_and_openapi_are_served_by_fastapi(app_server):
    docs = requests.get(f"{app_server.url}/docs", timeout=WAIT)
    assert docs.status_code == 200 and "swagger" in docs.text.lower(), docs.text[:300]
    schema = requests.get(f"{app_server.url}/openapi.json", timeout=WAIT).json()
    assert "/items" in schema["paths"] and schema["info"]["title"] == "socket-gateway ASGI test app"


def test_route_with_a_body_query_and_header_keeps_working(app_server):
    response = requests.post(f"{app_server.url}/items?tag=blue", json={"name": "pen", "quantity": 3},
                             headers={"X-Test-Header": "kept"}, timeout=WAIT)
    assert response.status_code == 201, response.text
    assert response.json() == {"item": {"name": "pen", "quantity": 3}, "tag": "blue",
                               "header": "kept"}


def test_fastapi_validation_and_not_found_answers_are_fastapis(app_server):
    invalid = requests.post(f"{app_server.url}/items", json={"name": "pen"}, timeout=WAIT)
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["body", "quantity"]
    missing = requests.get(f"{app_server.url}/no/such/route", timeout=WAIT)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


def test_paths_that_only_look_like_socketio_reach_fastapi(app_server):
    response = requests.get(f"{app_server.url}/socket.io-lookalike", timeout=WAIT)
    assert response.status_code == 200 and response.json() == {"served_by": "fastapi"}


def test_fastapi_websocket_route_keeps_working(app_server):
    connection = websocket.create_connection(f"ws://127.0.0.1:{app_server.port}/ws/echo",
                                             timeout=WAIT)
    try:
        connection.send("hi")
        assert connection.recv() == "fastapi echo: hi"
    finally:
        connection.close()


def _open_packet(text: str) -> dict:
    assert text.startswith("0"), text[:200]
    return json.loads(text[1:])


def test_engineio_handshake_is_served_at_the_root_socketio_path(app_server):
    response = requests.get(f"{app_server.url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                            timeout=WAIT)
    assert response.status_code == 200, response.text
    opened = _open_packet(response.text)
    assert opened["sid"] and opened["upgrades"] == ["websocket"]
    assert opened["pingInterval"] == 25000 and opened["pingTimeout"] == 20000


def test_websocket_connections_are_served_at_the_root_socketio_path(app_server):
    connection = websocket.create_connection(
        f"ws://127.0.0.1:{app_server.port}/socket.io/?EIO=4&transport=websocket", timeout=WAIT)
    try:
        opened = _open_packet(connection.recv())
        assert opened["sid"] and opened["upgrades"] == []
    finally:
        connection.close()


def test_lifespan_events_fire_and_shutdown_ends_clients(start_app, clients, transport, tmp_path,
                                                        unique_user):
    # uvicorn lets requests in flight finish before it sends lifespan.shutdown (serve drains the
    # gateway first), and a long-poll GET ends at the next ping at the latest: a 3 s ping
    # interval keeps this test short.
    server = start_app({"SG_TEST_MARKER_DIR": str(tmp_path), "SG_TEST_PING_INTERVAL": "3"})
    startup = pathlib.Path(tmp_path, "startup")
    assert startup.exists(), "FastAPI's lifespan startup did not run"
    assert "sids_of_nobody=[]" in startup.read_text(), startup.read_text()
    assert not pathlib.Path(tmp_path, "shutdown").exists()
    user = unique_user("until-shutdown")
    python_client = clients.connect(server.url, transport, user, kind="python")
    node_client = clients.connect(server.url, transport, user, kind="node")
    started = time.monotonic()
    code = server.stop(timeout=20)
    assert code == server.clean_stop_code, f"exit code {code} after SIGTERM:\n{server.log_text()[-5000:]}"
    assert pathlib.Path(tmp_path, "shutdown").exists(), "FastAPI's lifespan shutdown did not run"
    python_client.wait_disconnected()
    node_client.wait_disconnected()
    assert time.monotonic() - started < 20


NO_LIFESPAN = ("a server that sends no lifespan events (uvicorn --lifespan off); serve always "
               "runs the lifespan protocol, so ASGIApp's start on the first request does not apply")


@only_on("uvicorn", reason=NO_LIFESPAN)
def test_gateway_starts_on_first_request_without_lifespan(start_app, clients, transport, tmp_path,
                                                          unique_user):
    server = start_app({"SG_TEST_MARKER_DIR": str(tmp_path)}, server_args=("--lifespan", "off"))
    assert not pathlib.Path(tmp_path, "startup").exists()
    user = unique_user("lazy")
    client = clients.connect(server.url, transport, user, kind="python")
    api = ControlApi(server.url)
    api.result("emit_to_user", user_id=user, event="lazy", data="started anyway")
    assert client.log.wait_for("lazy") == [("started anyway",)]
    assert client.call("echo", 1) == [1]


@only_on("uvicorn", reason=NO_LIFESPAN)
def test_emits_from_a_sync_route_work_without_lifespan(start_app, clients, unique_user):
    server = start_app(server_args=("--lifespan", "off"))
    user = unique_user("lazy-sync")
    client = clients.connect(server.url, MODE["websocket"], user, kind="node")
    ControlApi(server.url).result("emit_to_user", "sync", user_id=user, event="from-thread", data=2)
    assert client.log.wait_for("from-thread") == [(2,)]
    wait_until(lambda: client.connected, "the client stays connected")
