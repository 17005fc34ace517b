"""The serve command itself (`python -m socket_gateway serve`, `socket_gateway.serve()`): a plain
ASGI app without a gateway gets every request (the Socket.IO path included) and WebSockets;
`serve()` from Python serves the same; an import string that names nothing, and a port already
taken, exit 1 with a clear message; SIGTERM ends a plain app's server with 0.

Each test runs its own server process (asgi_server.AsgiServer of kind "serve", or a Python
script calling serve()); clients are real HTTP and WebSocket clients.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import requests
import websockets.sync.client

from asgi_server import TEST_APPS_DIR, AsgiServer, free_port, server_argv

WAIT = 20.0


def _serve(target: str, server_args: tuple = ()) -> AsgiServer:
    return AsgiServer(target, kind="serve", server_args=server_args, name="serve-command")


def test_plain_asgi_app_gets_every_request_the_socketio_path_included():
    server = _serve("plain_asgi_app:app", ("--threads", "2")).wait_ready("/ready")
    try:
        for path in ("/ready", "/socket.io/", "/anything/else"):
            response = requests.post(server.url + path + "?EIO=4&transport=polling", data=b"x" * 100, timeout=WAIT)
            assert response.status_code == 200
            assert response.json() == {"path": path, "body_bytes": 100, "plain": True}
        with websockets.sync.client.connect(server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                            open_timeout=WAIT) as websocket:
            websocket.send("hello")
            assert websocket.recv(timeout=WAIT) == "echo:hello"
    finally:
        assert server.stop() == 0, server.log_text()[-3000:]


def test_serve_called_from_python_serves_the_app():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(TEST_APPS_DIR / "serve_from_python.py"), str(port)],
                               cwd=TEST_APPS_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/from-python", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read().decode()
                time.sleep(0.05)
        assert response.json()["path"] == "/from-python"
    finally:
        process.terminate()
        output = process.communicate(timeout=WAIT)[0].decode()
    assert process.returncode == 0, output
    assert f"Socket Gateway serving on http://127.0.0.1:{port}" in output


def test_an_import_string_that_names_nothing_exits_1_with_the_reason():
    for target, reason in (("no_such_module:app", "no_such_module"), ("plain_asgi_app:no_such_attribute",
                                                                        "no_such_attribute")):
        server = _serve(target)
        code = server.wait_exit(WAIT)
        log = server.log_text()
        assert code == 1, log
        assert "Error loading ASGI app" in log and reason in log


def test_a_port_already_taken_exits_1_saying_so():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = server_argv("serve", "plain_asgi_app:app", TEST_APPS_DIR, port)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1, result.stderr
    assert f"Could not listen on 127.0.0.1:{port}" in result.stderr
