"""R7 in ASGI mode: a client that goes away leaves every room, however it goes.

Three ways out, over polling, WebSocket and the upgrade: a clean disconnect (python-socketio and
socket.io-client), network loss (the socket.io-client process is SIGKILLed: the kernel closes its
connections with no Engine.IO or WebSocket close), and a heartbeat timeout (the client process is
SIGSTOPped: its connections stay open but it never answers a ping). Afterwards rooms(sid) raises
KeyError, sids_of_user() no longer lists the sid, room emits reach the members that stayed, and
the disconnect hook has run with the reason.

Long-polling has no open connection to watch while no GET is pending, so its network-loss case
runs against a server with a short heartbeat; a dropped WebSocket must be noticed within seconds
with the default 25 s heartbeat.
"""
from __future__ import annotations

import time

from asgi_clients import wait_until
from control_api import ControlApi

SHORT_HEARTBEAT = {"SG_TEST_PING_INTERVAL": "0.5", "SG_TEST_PING_TIMEOUT": "0.5"}


def assert_removed(api: ControlApi, sid: str, user: str, timeout: float = 10.0) -> None:
    wait_until(lambda: api.socket_is_gone(sid, user), f"{sid} removed from its rooms", timeout)


def disconnect_reason(api: ControlApi, sid: str) -> str:
    entry = api.wait_for_hook(lambda e: e["kind"] == "disconnect" and e["sid"] == sid,
                              f"the disconnect hook of {sid}")
    return entry["reason"]


def test_clean_disconnect_leaves_every_room(app_server, api, clients, transport, client_kind,
                                            unique_user):
    user, room = unique_user("leaver"), unique_user("room")
    leaving = clients.connect(app_server.url, transport, user, kind=client_kind)
    staying = clients.connect(app_server.url, transport, user, kind=client_kind)
    sid = leaving.sid
    for name in (room, f"{room}-2"):
        api.result("join_room", sid=sid, room=name)
        api.result("join_room", sid=staying.sid, room=name)
    leaving.disconnect()
    assert_removed(api, sid, user)
    assert api.result("sids_of_user", user_id=user) == [staying.sid]
    reasons = {"client namespace disconnect"}
    if client_kind == "python" and transport.final_transport == "websocket":
        # python-engineio queues the DISCONNECT packet and closes the WebSocket at once, so the
        # packet may never be written: the server then rightly sees the transport close.
        reasons.add("transport close")
    assert disconnect_reason(api, sid) in reasons
    api.result("emit_to_room", room=room, event="room-news", data="for who stayed")
    assert staying.log.wait_for("room-news") == [("for who stayed",)]


def test_killed_client_process_leaves_every_room(start_app, app_server, clients, transport,
                                                 unique_user):
    server = start_app(SHORT_HEARTBEAT) if transport.name == "polling" else app_server
    api = ControlApi(server.url)
    user, room = unique_user("killed"), unique_user("room")
    doomed = clients.connect(server.url, transport, user, kind="node")
    sid = doomed.sid
    api.result("join_room", sid=sid, room=room)
    witness = clients.connect(server.url, transport, unique_user("witness"), kind="python")
    api.result("join_room", sid=witness.sid, room=room)
    clients.node_driver().kill()
    assert_removed(api, sid, user)
    assert disconnect_reason(api, sid) in ("transport close", "transport error", "ping timeout")
    api.result("emit_to_room", room=room, event="after-loss", data=1)
    assert witness.log.wait_for("after-loss") == [(1,)]


def test_heartbeat_timeout_leaves_every_room(start_app, clients, transport, unique_user):
    server = start_app(SHORT_HEARTBEAT)
    api = ControlApi(server.url)
    user, room = unique_user("hung"), unique_user("room")
    hung = clients.connect(server.url, transport, user, kind="node")
    sid = hung.sid
    api.result("join_room", sid=sid, room=room)
    clients.node_driver().freeze()
    assert_removed(api, sid, user)
    assert disconnect_reason(api, sid) == "ping timeout"


def test_heartbeat_keeps_a_live_client_connected(start_app, clients, transport, client_kind,
                                                 unique_user):
    server = start_app(SHORT_HEARTBEAT)
    api = ControlApi(server.url)
    user = unique_user("alive")
    client = clients.connect(server.url, transport, user, kind=client_kind)
    # Six heartbeat periods pass while the client keeps working: it must stay connected.
    deadline = time.monotonic() + 3.0
    number = 0
    while time.monotonic() < deadline:
        assert client.call("echo", number) == [number]
        number += 1
        time.sleep(0.05)  # pacing, not an assertion: a few dozen round trips in 3 s
    assert client.connected
    assert api.result("sids_of_user", user_id=user) == [client.sid]
