"""R5 in ASGI mode: join_room / leave_room / rooms / sids_of_user / disconnect from FastAPI.

Called from an `async def` route (awaited) and from a plain `def` route (FastAPI's threadpool,
returning the value directly), and from a Socket.IO handler; the effect is checked with the
lookups and with what room emits deliver. An unknown sid is a KeyError for join_room,
leave_room, disconnect and rooms, whichever way they are called.
"""
from __future__ import annotations

import pytest

DIRECT_VIAS = ("async", "sync")


@pytest.fixture(params=DIRECT_VIAS)
def via(request) -> str:
    return request.param


def test_join_room_adds_the_connection(app_server, api, clients, transport, client_kind, via,
                                       unique_user):
    user, room = unique_user("joiner"), unique_user("room")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    api.result("join_room", via, sid=client.sid, room=room)
    assert sorted(api.result("rooms", via, sid=client.sid)) == sorted([room, f"user:{user}"])
    api.result("emit_to_room", room=room, event="in-room", data="welcome")
    assert client.log.wait_for("in-room") == [("welcome",)]


def test_leave_room_removes_the_connection(app_server, api, clients, transport, client_kind, via,
                                           unique_user):
    user, room = unique_user("leaver"), unique_user("room")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    api.result("join_room", sid=client.sid, room=room)
    api.result("leave_room", via, sid=client.sid, room=room)
    assert api.result("rooms", via, sid=client.sid) == [f"user:{user}"]
    api.result("emit_to_room", room=room, event="in-room", data="too late")
    api.result("emit_to_user", user_id=user, event="personal", data="still reachable")
    assert client.log.wait_for("personal") == [("still reachable",)]
    api.barrier([client])
    assert client.log.args_of("in-room") == []


def test_sids_of_user_lists_every_connection(app_server, api, clients, transport, via, unique_user):
    user = unique_user("multi")
    first = clients.connect(app_server.url, transport, user, kind="python")
    second = clients.connect(app_server.url, transport, user, kind="node")
    assert sorted(api.result("sids_of_user", via, user_id=user)) == sorted([first.sid, second.sid])
    assert api.result("sids_of_user", via, user_id=unique_user("nobody")) == []


@pytest.mark.parametrize("method,extra", [
    ("join_room", {"room": "r"}), ("leave_room", {"room": "r"}), ("disconnect", {}), ("rooms", {}),
])
def test_unknown_sid_is_a_key_error(app_server, api, via, method, extra):
    response = api.call(method, via, sid="no-such-sid-0000", **extra)
    assert response.status == 404 and response.body["error"] == "KeyError", response.text


def test_handler_can_join_rooms_for_its_client(app_server, api, clients, transport, client_kind,
                                               unique_user):
    user, room = unique_user("self-join"), unique_user("room")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    assert client.call("join", room) == [sorted([room, f"user:{user}"])]
    api.result("emit_to_room", room=room, event="in-room", data="joined by the handler")
    assert client.log.wait_for("in-room") == [("joined by the handler",)]


def test_server_disconnect_closes_the_connection_and_empties_its_rooms(
        app_server, api, clients, transport, client_kind, via, unique_user):
    user, room = unique_user("kicked"), unique_user("room")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    sid = client.sid
    api.result("join_room", sid=sid, room=room)
    since = len(api.hooks())
    api.result("disconnect", via, sid=sid)
    assert client.wait_disconnected() in ("io server disconnect", "server disconnect")
    assert api.socket_is_gone(sid, user)
    entry = api.wait_for_hook(lambda e: e["kind"] == "disconnect" and e["sid"] == sid,
                              "the disconnect hook", since)
    assert entry["user_id"] == user
