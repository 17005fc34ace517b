"""The server's life: lifespan, SIGTERM and --limit-max-requests, for each server kind, with
apps/http_behaviour_app.py (the gateway mounted, so Socket.IO clients are connected too).

The lifespan startup runs before the first request and its shutdown when the server stops; a
failing startup ends the process with a non-zero code and the app's error in its output. On
SIGTERM the server stops accepting, every Socket.IO client is disconnected, a slow request in
flight still gets its whole answer within --timeout-graceful-shutdown, and only then does the
lifespan shutdown run (its marker lists the finished request); a request that outlasts the
timeout is cut and the server still stops cleanly. --limit-max-requests N answers N requests,
then the server stops by itself with code 0.
"""
from __future__ import annotations

import json
import pathlib
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from asgi_clients import WAIT
from behaviour_probes import BEHAVIOUR_APP, Probes, new_probe

# A long-polling GET is held until the next ping; uvicorn waits for it before the lifespan
# shutdown, so a short ping interval keeps its graceful stop short.
QUICK_PINGS = {"SG_TEST_PING_INTERVAL": "2"}


def test_lifespan_startup_runs_before_serving_and_shutdown_at_the_stop(start_app, tmp_path):
    server = start_app({"SG_TEST_MARKER_DIR": str(tmp_path)}, target=BEHAVIOUR_APP)
    startup = pathlib.Path(tmp_path, "startup")
    assert startup.read_text() == f"pid={server.pid}"
    assert not pathlib.Path(tmp_path, "shutdown").exists()
    code = server.stop()
    assert code == server.clean_stop_code, f"exit code {code}:\n{server.log_text()[-3000:]}"
    assert json.loads(pathlib.Path(tmp_path, "shutdown").read_text()) == {"slow_finished": []}


def test_failing_lifespan_startup_exits_non_zero_with_the_apps_error(start_app):
    message = f"startup refused by the test {uuid.uuid4().hex[:8]}"
    server = start_app({"SG_TEST_FAIL_STARTUP": message}, target=BEHAVIOUR_APP, ready_path=None)
    code = server.wait_exit(timeout=30)
    assert code is not None, "the server kept running after its startup failed"
    assert code > 0, f"exit code {code}"
    assert message in server.log_text(), server.log_text()[-3000:]


def _disconnect_reasons_after_sigterm(server_kind: str) -> tuple:
    if server_kind == "serve":
        # serve drains the gateway first: each client gets its Socket.IO DISCONNECT.
        return ("io server disconnect", "server disconnect")  # socket.io-client, python-socketio
    # uvicorn closes WebSockets (1012) and stops accepting polls before it sends
    # lifespan.shutdown, so the DISCONNECT packet cannot reach the clients: any reason will do.
    return ()


def test_sigterm_disconnects_clients_finishes_requests_in_flight_then_shuts_down(
        start_app, clients, transport, tmp_path, unique_user, server_kind):
    server = start_app({"SG_TEST_MARKER_DIR": str(tmp_path), **QUICK_PINGS}, target=BEHAVIOUR_APP,
                       server_args=("--timeout-graceful-shutdown", "10"))
    user = unique_user("until-sigterm")
    socketio_clients = [clients.connect(server.url, transport, user, kind=kind)
                        for kind in ("python", "node")]
    name = new_probe("slow")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(requests.get, f"{server.url}/slow?probe={name}&seconds=2", timeout=WAIT + 10)
        Probes(server.url).wait(name, lambda seen: seen.get("started"), "the slow request started")
        server.process.send_signal(signal.SIGTERM)
        response = slow.result(timeout=WAIT + 10)
    assert response.status_code == 200 and response.json() == {"slept": 2.0}
    code = server.wait_exit(timeout=20)
    assert code == server.clean_stop_code, f"exit code {code}:\n{server.log_text()[-3000:]}"
    shutdown = json.loads(pathlib.Path(tmp_path, "shutdown").read_text())
    assert shutdown == {"slow_finished": [name]}, "the lifespan shutdown ran before the request ended"
    expected = _disconnect_reasons_after_sigterm(server_kind)
    for client in socketio_clients:
        reason = client.wait_disconnected()
        assert not expected or reason in expected, f"{client.kind}: disconnected with {reason!r}"


def test_sigterm_cuts_a_request_that_outlasts_the_graceful_timeout(start_app, tmp_path):
    server = start_app({"SG_TEST_MARKER_DIR": str(tmp_path)}, target=BEHAVIOUR_APP,
                       server_args=("--timeout-graceful-shutdown", "1"))
    name = new_probe("too-slow")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(requests.get, f"{server.url}/slow?probe={name}&seconds=60", timeout=WAIT + 20)
        Probes(server.url).wait(name, lambda seen: seen.get("started"), "the slow request started")
        server.process.send_signal(signal.SIGTERM)
        code = server.wait_exit(timeout=WAIT + 10)
        assert code == server.clean_stop_code, f"exit code {code}:\n{server.log_text()[-3000:]}"
        try:
            outcome = slow.result(timeout=WAIT).status_code
        except requests.RequestException as error:
            outcome = type(error).__name__
    assert outcome != 200, "the request outlived the graceful timeout and still got its answer"
    assert json.loads(pathlib.Path(tmp_path, "shutdown").read_text()) == {"slow_finished": []}


def test_limit_max_requests_stops_the_server_after_that_many(start_app):
    server = start_app(target=BEHAVIOUR_APP, server_args=("--limit-max-requests", "3"),
                       ready_path=None)
    server.wait_listening()  # a bare TCP connect: not a request
    for number in range(3):
        response = requests.get(f"{server.url}/raw/echo?n={number}", timeout=WAIT,
                                headers={"Connection": "close"})
        assert response.text == str(number)
    code = server.wait_exit(timeout=WAIT + 10)
    assert code == 0, f"exit code {code} (it was never signalled):\n{server.log_text()[-3000:]}"
