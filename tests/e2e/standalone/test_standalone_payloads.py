"""What an emit carries, where it goes by namespace, and in which order it arrives.

Payloads: unicode, nested JSON, arrays, no data at all, and ~500 KB. Namespaces: `--namespaces
/admin` adds one; an emit picks it with "namespace" in the body or ?namespace= in the URL and
reaches only that namespace; an unknown namespace is 404 for the API and "Invalid namespace" for a
client. Order: 100 emits issued one after another arrive in that order. All over every transport.
"""
from __future__ import annotations

import json

import pytest
from engineio import payload as engineio_payload

from standalone_api import NO_DATA, GatewayApi
from standalone_raw import SEPARATOR, RawPolling

UNICODE_TEXT = "héllo wörld — 你好, мир 🎉🚀 \u2028 ‮ \\ \" '"
NESTED = {
    "user": {"id": 42, "name": "Zoë", "tags": ["a", "b", {"deep": [1, 2.5, -3e-7, True, False, None]}]},
    "matrix": [[1, 2], [3, [4, [5, [6, [7, [8]]]]]]],
    "empty": {"list": [], "object": {}, "string": ""},
    "big": 9007199254740991,
}


@pytest.mark.parametrize("data", [
    UNICODE_TEXT, NESTED, [1, "two", {"three": 3}], "plain", 12.75, True, {"text": UNICODE_TEXT},
], ids=["unicode", "nested", "array", "string", "number", "boolean", "unicode-in-object"])
def test_emit_data_arrives_unchanged(gateway, api, clients, transport, data):
    client = clients.connect(gateway, transport, "alice")
    assert api.emit_to_user("alice", "payload", data).status == 202
    assert client.log.wait_for("payload") == [(data,)]


def test_unicode_event_name_arrives_unchanged(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    assert api.emit_to_user("alice", "évènement-✓-事件", {"ok": True}).status == 202
    assert client.log.wait_for("évènement-✓-事件") == [({"ok": True},)]


def test_emit_without_data_carries_no_argument(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    assert api.emit_to_user("alice", "bare", NO_DATA).status == 202
    assert api.emit_to_room("user:alice", "bare", NO_DATA).status == 202
    assert api.broadcast("bare", NO_DATA).status == 202
    assert client.log.wait_for("bare", 3) == [(), (), ()]


def test_large_payload_arrives_intact(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    blob = "".join(chr(ord("a") + i % 26) for i in range(500_000))
    assert api.emit_to_user("alice", "large", {"blob": blob, "size": len(blob)}).status == 202
    [(received,)] = client.log.wait_for("large", timeout=15)
    assert received["size"] == 500_000 and received["blob"] == blob


def test_events_arrive_in_the_order_they_were_emitted(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    for i in range(100):
        assert api.emit_to_user("alice", "seq", i).status == 202
    received = client.log.wait_for("seq", 100, timeout=15)
    assert [args[0] for args in received] == list(range(100))


# --- namespaces ----------------------------------------------------------------------------------

@pytest.fixture
def admin_gateway(start_gateway):
    return start_gateway("--namespaces", "/admin")


def connect_both(clients, server, transport, user="alice"):
    return clients.connect(server, transport, user, namespaces=["/", "/admin"])


@pytest.mark.parametrize("how", ["body", "query"])
def test_namespace_of_an_emit_reaches_only_that_namespace(admin_gateway, clients, transport, how):
    api = GatewayApi(admin_gateway.url)
    client = connect_both(clients, admin_gateway, transport)
    root_only = clients.connect(admin_gateway, transport, "bob")
    if how == "body":
        sent = api.broadcast("admin-news", "for admins", namespace="/admin")
    else:
        sent = api.broadcast("admin-news", "for admins", params={"namespace": "/admin"})
    assert sent.status == 202, sent.text
    assert client.log.wait_for("admin-news", namespace="/admin") == [("for admins",)]
    api.barrier([client, root_only], namespace="/")
    assert client.log.args_of("admin-news", "/") == []
    assert root_only.log.args_of("admin-news", "/") == []


@pytest.mark.parametrize("target", ["user", "room"])
def test_user_and_room_emits_honour_the_namespace(admin_gateway, clients, transport, target):
    api = GatewayApi(admin_gateway.url)
    client = connect_both(clients, admin_gateway, transport)
    admin_sid = client.sid("/admin")
    assert admin_sid != client.sid("/")
    assert "user:alice" in api.rooms_of(admin_sid).body["rooms"]
    if target == "user":
        sent = api.emit_to_user("alice", "scoped", 1, namespace="/admin")
    else:
        assert api.join(admin_sid, "ops").status == 200
        sent = api.emit_to_room("ops", "scoped", 1, params={"namespace": "/admin"})
    assert sent.status == 202, sent.text
    assert client.log.wait_for("scoped", namespace="/admin") == [(1,)]
    api.barrier([client], namespace="/")
    assert client.log.args_of("scoped", "/") == []


def test_default_namespace_emit_does_not_reach_admin_sockets(admin_gateway, clients, transport):
    api = GatewayApi(admin_gateway.url)
    client = connect_both(clients, admin_gateway, transport)
    assert api.emit_to_user("alice", "root-only", 1).status == 202
    assert client.log.wait_for("root-only", namespace="/") == [(1,)]
    api.barrier([client], namespace="/admin")
    assert client.log.args_of("root-only", "/admin") == []


@pytest.mark.parametrize("how", ["body", "query"])
def test_emit_to_an_unknown_namespace_is_404(admin_gateway, how):
    api = GatewayApi(admin_gateway.url)
    if how == "body":
        response = api.broadcast("x", 1, namespace="/nope")
    else:
        response = api.broadcast("x", 1, params={"namespace": "/nope"})
    assert response.status == 404, response.text
    response.error_reason()


def test_client_connecting_to_an_unknown_namespace_gets_invalid_namespace(admin_gateway, clients,
                                                                           transport, mint_token):
    client, _ = clients.refused(admin_gateway, transport, auth={"token": mint_token("alice")},
                               namespaces=["/nope"])
    assert connect_error_messages(client, "/nope") == ["Invalid namespace"], client.connect_errors


def test_added_namespace_also_requires_a_valid_token(admin_gateway, clients, transport):
    client, _ = clients.refused(admin_gateway, transport, auth={"token": "garbage"},
                               namespaces=["/admin"])
    assert connect_error_messages(client, "/admin") == ["Unauthorized"], client.connect_errors


def connect_error_messages(client, namespace: str) -> list:
    return [e.get("message") if isinstance(e, dict) else e for e in client.connect_errors[namespace]]


def test_burst_queued_between_polls_stays_decodable_by_python_engineio(gateway, api, mint_token):
    """40 emits wait in the session while nobody polls; the next polls must carry them in order in
    payloads the python-engineio client can decode (its decoder refuses more than
    Payload.max_decode_packets = 16 packets in one payload, and then drops the connection)."""
    raw = RawPolling(gateway.url)
    raw.connect_namespace({"token": mint_token("alice")})
    for i in range(40):
        assert api.emit_to_user("alice", "seq", i).status == 202
    received = []
    while len(received) < 40:
        response = raw.get()
        assert response.status_code == 200, response.text[:200]
        try:
            decoded = engineio_payload.Payload(encoded_payload=response.text)
        except ValueError as error:
            packets = response.text.split(SEPARATOR)
            raise AssertionError(f"python-engineio cannot decode a {len(packets)}-packet poll: {error}")
        received += [json.loads(p.data[1:])[1] for p in decoded.packets if p.packet_type == 4]
    assert received == list(range(40))
