"""R7: a client that goes away is removed from every room, however it goes.

Three ways out, each over every transport mode: a clean disconnect (python-socketio's
disconnect()), network loss (the client process is SIGKILLed, or a raw client drops its TCP
connection without any close frame), and a heartbeat timeout (a raw client that keeps reading but
never answers pings, against --ping-interval 300 --ping-timeout 200). Afterwards the sid is gone:
GET /api/v1/sockets/{sid}/rooms is 404 and GET /api/v1/users/{id}/sockets no longer lists it.

A WebSocket that drops is noticed from the TCP close, so those cases run with the default 25 s
heartbeat and must still be noticed within seconds; long-polling has no open connection to watch,
so its cases use a short heartbeat.
"""
from __future__ import annotations

import json
import pathlib
import signal
import socket
import struct
import subprocess
import sys
import time

import pytest

from standalone_api import GatewayApi
from standalone_clients import scaled, wait_until
from standalone_raw import SEPARATOR, RawPolling, RawWebSocket

CLIENT_PROCESS = pathlib.Path(__file__).with_name("standalone_client_process.py")
SHORT_HEARTBEAT = ("--ping-interval", "500", "--ping-timeout", "500")


def gateway_for_network_loss(start_gateway, mode_name: str):
    return start_gateway(*SHORT_HEARTBEAT) if mode_name == "polling" else start_gateway()


def assert_removed(api: GatewayApi, sid: str, user: str, timeout: float = 5.0) -> None:
    wait_until(lambda: api.socket_is_gone(sid, user), f"{sid} removed from rooms and users", timeout)
    response = api.rooms_of(sid)
    assert response.status == 404, response.text
    response.error_reason()


def connect_raw(server, mode_name: str, token: str):
    """A raw connection in `mode_name` with "/" connected; returns (sid, raw objects)."""
    auth = {"token": token}
    if mode_name == "polling":
        polling = RawPolling(server.url)
        return polling.connect_namespace(auth), polling, None
    if mode_name == "websocket":
        ws = RawWebSocket(server.url)
        return ws.connect_namespace(auth), None, ws
    polling = RawPolling(server.url)
    ws = RawWebSocket(server.url, polling=polling)
    return ws.connect_namespace(auth), polling, ws


# --- clean disconnect ----------------------------------------------------------------------------

def test_clean_disconnect_removes_the_socket(gateway, api, clients, transport):
    leaving = clients.connect(gateway, transport, "alice")
    staying = clients.connect(gateway, transport, "alice")
    sid = leaving.sid()
    assert api.join(sid, "lobby").status == 200
    leaving.sio.disconnect()
    assert_removed(api, sid, "alice")
    assert api.sockets_of("alice").body["sids"] == [staying.sid()]
    assert api.emit_to_room("lobby", "chat", "anyone?").status == 202
    assert api.emit_to_user("alice", "notify", "still here").status == 202
    assert staying.log.wait_for("notify") == [("still here",)]


# --- network loss --------------------------------------------------------------------------------

def test_killed_client_process_is_removed(start_gateway, mint_token, transport):
    server = gateway_for_network_loss(start_gateway, transport.name)
    api = GatewayApi(server.url)
    child = subprocess.Popen([sys.executable, str(CLIENT_PROCESS), server.url, mint_token("alice"),
                              transport.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line, f"client process printed nothing: {child.stderr.read() if child.poll() else ''}"
        hello = json.loads(line)
        assert hello["transport"] == transport.final_transport, hello
        sid = hello["sid"]
        assert api.join(sid, "lobby").status == 200
        assert api.sockets_of("alice").body["sids"] == [sid]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert_removed(api, sid, "alice")


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_raw_client_dropping_its_connection_without_close_is_removed(start_gateway, mint_token,
                                                                     transport, reset):
    server = gateway_for_network_loss(start_gateway, transport.name)
    api = GatewayApi(server.url)
    sid, polling, ws = connect_raw(server, transport.name, mint_token("alice"))
    assert api.rooms_of(sid).status == 200
    if ws is not None:
        ws.vanish(reset=reset)
    else:
        abandon_long_poll(server.port, polling, reset)
    assert_removed(api, sid, "alice")


def abandon_long_poll(port: int, polling: RawPolling, reset: bool) -> None:
    """Starts a GET on a raw TCP socket and drops that socket while the server holds it."""
    polling.close()
    sock = socket.create_connection(("127.0.0.1", port), timeout=scaled(5))
    path = polling.url.split(f":{port}", 1)[1]
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# --- heartbeat -----------------------------------------------------------------------------------

@pytest.fixture
def heartbeat_gateway(start_gateway):
    return start_gateway("--ping-interval", "300", "--ping-timeout", "200")


def read_without_answering(polling: RawPolling, ws, timeout: float = 5.0) -> None:
    """Reads everything the server sends, never answering a ping, until it closes the session;
    fails if the session outlives `timeout`."""
    if ws is not None:
        ws.wait_closed(timeout)
        return
    deadline = time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        response = polling.get(timeout)
        if response.status_code != 200 or "1" in response.text.split(SEPARATOR):
            return
    raise AssertionError(f"session still open after {scaled(timeout):.1f} s without pongs")


def answer_pings(polling: RawPolling, ws, count: int) -> None:
    """Answers `count` pings like a healthy client."""
    answered = 0
    deadline = time.monotonic() + scaled(10)
    while answered < count:
        assert time.monotonic() < deadline, f"only {answered} of {count} pings within the deadline"
        packets = [ws.recv()] if ws is not None else polling.packets()
        for packet in packets:
            if packet == "2":
                ws.send("3") if ws is not None else polling.post("3")
                answered += 1


def test_client_that_stops_answering_pings_is_removed(heartbeat_gateway, mint_token, transport):
    api = GatewayApi(heartbeat_gateway.url)
    sid, polling, ws = connect_raw(heartbeat_gateway, transport.name, mint_token("alice"))
    assert api.join(sid, "lobby").status == 200
    read_without_answering(polling, ws)
    assert_removed(api, sid, "alice")


def test_client_that_answers_pings_stays_connected(heartbeat_gateway, mint_token, transport):
    """The control for the test above: the same raw client, answering, outlives many pings."""
    api = GatewayApi(heartbeat_gateway.url)
    sid, polling, ws = connect_raw(heartbeat_gateway, transport.name, mint_token("alice"))
    answer_pings(polling, ws, 6)
    rooms = api.rooms_of(sid)
    assert rooms.status == 200 and "user:alice" in rooms.body["rooms"], rooms.text


def test_python_client_survives_a_short_heartbeat(heartbeat_gateway, clients, transport, mint_token):
    client = clients.connect(heartbeat_gateway, transport, "alice")
    api = GatewayApi(heartbeat_gateway.url)
    _, polling, pacer = connect_raw(heartbeat_gateway, "websocket", mint_token("pacer"))
    answer_pings(polling, pacer, 6)  # a clock: about two seconds of heartbeats have passed
    assert client.disconnects["/"] == [] and client.connected
    assert api.rooms_of(client.sid()).status == 200
    assert api.emit_to_user("alice", "notify", "awake").status == 202
    assert client.log.wait_for("notify") == [("awake",)]
