"""R2, R3, R4 in ASGI mode: emit_to_user, emit_to_room and broadcast called from FastAPI.

Each emit is made in every way a FastAPI app makes calls (`via`): an `async def` route (awaits
the method), a plain `def` route (FastAPI's threadpool, no loop: the method does the work
itself), and a BackgroundTasks task, sync and async. Each reaches python-socketio and
socket.io-client clients over polling, WebSocket and the upgrade; clients that are not addressed
get nothing (proved with a barrier, not a sleep); emits to nobody complete without error.
"""
from __future__ import annotations

import pytest

from control_api import VIAS

PAYLOAD = {"text": "héllo", "n": 42, "list": [1, None, True], "nested": {"x": 1.5}}


@pytest.fixture(params=VIAS)
def via(request) -> str:
    return request.param


def test_emit_to_user_reaches_every_connection_of_that_user_only(
        app_server, api, clients, transport, via, unique_user):
    user, other = unique_user("alice"), unique_user("bob")
    tab = clients.connect(app_server.url, transport, user, kind="python")
    phone = clients.connect(app_server.url, transport, user, kind="node")
    bystander = clients.connect(app_server.url, transport, other, kind="node")
    api.result("emit_to_user", via, user_id=user, event="notice", data=PAYLOAD)
    assert tab.log.wait_for("notice") == [(PAYLOAD,)]
    assert phone.log.wait_for("notice") == [(PAYLOAD,)]
    api.barrier([tab, phone, bystander])
    assert bystander.log.args_of("notice") == []
    assert len(tab.log.args_of("notice")) == 1 and len(phone.log.args_of("notice")) == 1


def test_emit_to_user_without_connections_completes(app_server, api, via, unique_user):
    api.result("emit_to_user", via, user_id=unique_user("nobody"), event="notice",
               data=PAYLOAD)


def test_emit_to_room_reaches_every_member_only(
        app_server, api, clients, transport, via, unique_user):
    room = unique_user("room")
    member_py = clients.connect(app_server.url, transport, unique_user("m1"), kind="python")
    member_node = clients.connect(app_server.url, transport, unique_user("m2"), kind="node")
    outsider = clients.connect(app_server.url, transport, unique_user("out"), kind="python")
    for member in (member_py, member_node):
        api.result("join_room", sid=member.sid, room=room)
    api.result("emit_to_room", via, room=room, event="room-news", data=PAYLOAD)
    assert member_py.log.wait_for("room-news") == [(PAYLOAD,)]
    assert member_node.log.wait_for("room-news") == [(PAYLOAD,)]
    api.barrier([member_py, member_node, outsider])
    assert outsider.log.args_of("room-news") == []


def test_emit_to_empty_room_completes(app_server, api, via, unique_user):
    api.result("emit_to_room", via, room=unique_user("empty-room"), event="x",
               data=PAYLOAD)


def test_broadcast_reaches_every_client(app_server, api, clients, transport, via, unique_user):
    everyone = [clients.connect(app_server.url, transport, unique_user("u"), kind=kind)
                for kind in ("python", "node", "python")]
    marker = unique_user("broadcast")
    api.result("broadcast", via, event="all-hands", data=marker)
    for client in everyone:
        client.log.wait_for_args("all-hands", (marker,))


def test_binary_data_arrives_as_binary(app_server, api, clients, transport, client_kind, unique_user):
    user = unique_user("bin")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    blob = bytes(range(256)) * 4
    data = {"blob": blob, "parts": [b"\x00\x01", "text", {"deep": b"\xff"}]}
    api.result("emit_to_user", user_id=user, event="binary", data=data)
    assert client.log.wait_for("binary") == [(data,)]


def test_emit_in_another_namespace_stays_in_it(
        app_server, api, clients, transport, client_kind, unique_user):
    user = unique_user("ns")
    main = clients.connect(app_server.url, transport, user, kind=client_kind)
    admin = clients.connect(app_server.url, transport, user, kind=client_kind, namespace="/admin")
    api.result("emit_to_user", user_id=user, event="admin-only", data=1, namespace="/admin")
    assert admin.log.wait_for("admin-only") == [(1,)]
    api.barrier([main])
    assert main.log.args_of("admin-only") == []


def test_emits_from_one_route_arrive_in_order(app_server, api, clients, transport, client_kind,
                                              unique_user):
    user = unique_user("order")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    for number in range(30):
        api.result("emit_to_user", "sync" if number % 2 else "async", user_id=user,
                   event="numbered", data=number)
    assert client.log.wait_for("numbered", 30) == [(number,) for number in range(30)]
