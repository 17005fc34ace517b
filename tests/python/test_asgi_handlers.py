"""Client events reach Python handlers, their return values come back as acks, and the
connect/disconnect hooks see the sid, user id, claims and reason — in ASGI mode.

The handlers are those of apps/asgi_test_app.py (each records a hook log entry). Covered with
python-socketio and socket.io-client over polling, WebSocket and the upgrade: a tuple return
is several ack arguments, None is an ack with none, bytes travel as binary both ways, sync and
async handlers both run on the server's asyncio loop, and a handler can use the gateway.
"""
from __future__ import annotations

import base64

import pytest

from asgi_clients import wait_until


def events_of(api, sid: str, event: str, since: int = 0) -> list:
    return [e for e in api.hooks(since) if e["kind"] == "event" and e["sid"] == sid
            and e["event"] == event]


@pytest.mark.parametrize("event", ["echo", "echo_sync"])
def test_handler_return_value_is_the_ack(app_server, api, clients, transport, client_kind, event,
                                         unique_user):
    client = clients.connect(app_server.url, transport, unique_user("acker"), kind=client_kind)
    args = ("text", 7, {"list": [1, 2, None], "flag": False})
    assert client.call(event, *args) == list(args)
    recorded = events_of(api, client.sid, event)
    assert len(recorded) == 1 and recorded[0]["args"] == list(args), recorded
    assert recorded[0]["on_server_loop"] is True, recorded


def test_handler_returning_none_acks_with_no_arguments(app_server, api, clients, transport,
                                                       client_kind, unique_user):
    client = clients.connect(app_server.url, transport, unique_user("quiet"), kind=client_kind)
    assert client.call("silent", "ping") == []
    assert events_of(api, client.sid, "silent")[0]["args"] == ["ping"]


def test_binary_arguments_reach_the_handler_and_come_back_in_the_ack(
        app_server, api, clients, transport, client_kind, unique_user):
    client = clients.connect(app_server.url, transport, unique_user("binary"), kind=client_kind)
    blob = bytes(range(256)) * 3
    args = (blob, {"inner": b"\x00\xff\x00", "list": [b"a", "b"]})
    assert client.call("echo", *args) == list(args)
    recorded = events_of(api, client.sid, "echo")[0]["args"]
    assert recorded == [{"$bytes": _b64(blob)}, {"inner": {"$bytes": _b64(b"\x00\xff\x00")},
                                                 "list": [{"$bytes": _b64(b"a")}, "b"]}]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_event_without_ack_reaches_its_handler(app_server, api, clients, transport, client_kind,
                                               unique_user):
    client = clients.connect(app_server.url, transport, unique_user("fire"), kind=client_kind)
    client.emit("record", "one", 2)
    entry = wait_until(lambda: events_of(api, client.sid, "record"), "the record handler ran")[0]
    assert entry["args"] == ["one", 2] and entry["on_server_loop"] is True, entry


def test_handler_can_look_up_its_connection(app_server, clients, transport, client_kind,
                                            unique_user):
    user = unique_user("who")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    assert client.call("whoami") == [{"sid": client.sid, "rooms": [f"user:{user}"]}]


def test_handlers_are_per_namespace(app_server, clients, transport, client_kind, unique_user):
    user = unique_user("ns")
    main = clients.connect(app_server.url, transport, user, kind=client_kind)
    admin = clients.connect(app_server.url, transport, user, kind=client_kind, namespace="/admin")
    assert main.call("echo", 1) == [1]
    assert admin.call("echo", 1) == ["admin", 1]


def test_connect_hook_sees_sid_user_claims_and_the_personal_room(
        app_server, api, clients, transport, client_kind, unique_user, mint_token):
    user = unique_user("hooked")
    since = len(api.hooks())
    client = clients.connect(app_server.url, transport, kind=client_kind,
                             token=mint_token(user, role="tester", tenant=42))
    entry = api.wait_for_hook(lambda e: e["kind"] == "connect" and e["sid"] == client.sid,
                              "the connect hook", since)
    assert entry["user_id"] == user and entry["namespace"] == "/"
    assert entry["claims"]["sub"] == user and entry["claims"]["role"] == "tester"
    assert entry["claims"]["tenant"] == 42
    assert entry["rooms"] == [f"user:{user}"], entry
    assert entry["on_server_loop"] is True


def test_disconnect_hook_sees_sid_user_and_reason(app_server, api, clients, transport, client_kind,
                                                  unique_user):
    user = unique_user("leaving")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    admin = clients.connect(app_server.url, transport, user, kind=client_kind, namespace="/admin")
    sid, admin_sid = client.sid, admin.sid
    since = len(api.hooks())
    client.disconnect()
    admin.disconnect()
    for namespace, expected_sid in (("/", sid), ("/admin", admin_sid)):
        entry = api.wait_for_hook(lambda e, s=expected_sid: e["kind"] == "disconnect"
                                  and e["sid"] == s, f"the disconnect hook of {namespace}", since)
        assert entry["user_id"] == user and entry["namespace"] == namespace, entry
        assert isinstance(entry["reason"], str) and entry["reason"], entry
        assert entry["on_server_loop"] is True


def test_admin_connect_hook_runs_for_the_admin_namespace_only(
        app_server, api, clients, transport, client_kind, unique_user):
    user = unique_user("admin-hook")
    since = len(api.hooks())
    admin = clients.connect(app_server.url, transport, user, kind=client_kind, namespace="/admin")
    entry = api.wait_for_hook(lambda e: e["kind"] == "connect" and e["sid"] == admin.sid,
                              "the /admin connect hook", since)
    assert entry["namespace"] == "/admin" and entry["user_id"] == user
    assert entry["claims"]["sub"] == user
