"""R1 in ASGI mode: JWT authentication of Socket.IO connections to the package (uvicorn and serve).

With python-socketio and socket.io-client, over polling, WebSocket and the upgrade: a valid token
(auth.token, or an `Authorization: Bearer` header on the handshake) is accepted and the socket is
in room `user:{sub}` (rooms(sid) and sids_of_user() say so, a user emit arrives); no token, a
forged, expired or otherwise bad token is refused with connect_error "Unauthorized"; an unknown
namespace with "Invalid namespace".
"""
from __future__ import annotations

import time

import pytest

from asgi_clients import TRANSPORT_MODES

MODE = {mode.name: mode for mode in TRANSPORT_MODES}


def assert_in_personal_room(api, client, user: str) -> None:
    rooms = api.result("rooms", sid=client.sid)
    assert f"user:{user}" in rooms, rooms
    assert client.sid in api.result("sids_of_user", user_id=user)
    api.result("emit_to_user", user_id=user, event="auth-check", data={"for": user})
    assert client.log.wait_for("auth-check") == [({"for": user},)]


def test_valid_token_in_auth_is_accepted_into_the_personal_room(
        app_server, api, clients, transport, client_kind, unique_user):
    user = unique_user("alice")
    client = clients.connect(app_server.url, transport, user, kind=client_kind)
    assert_in_personal_room(api, client, user)
    assert api.result("sids_of_user", user_id=user) == [client.sid]


def test_bearer_header_on_the_handshake_is_accepted(
        app_server, api, clients, transport, client_kind, unique_user, mint_token):
    user = unique_user("bob")
    client = clients.connect(app_server.url, transport, kind=client_kind,
                             headers={"Authorization": f"Bearer {mint_token(user)}"})
    assert_in_personal_room(api, client, user)


def _bad_auth(mint_token) -> dict:
    now = int(time.time())
    valid = mint_token("mallory")
    head, body, signature = valid.split(".")
    return {
        "no-token": None,
        "auth-without-token": {"user": "mallory"},
        "expired": {"token": mint_token("mallory", exp=now - 3600)},
        "not-yet-valid": {"token": mint_token("mallory", nbf=now + 3600)},
        "wrong-secret": {"token": mint_token("mallory", secret="some-other-secret-0123456789abcdef")},
        "tampered-signature": {"token": f"{head}.{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"},
        "unpinned-algorithm": {"token": mint_token("mallory", algorithm="HS512")},
        "missing-sub": {"token": mint_token(None)},
        "garbage": {"token": "not.a.jwt"},
    }


BAD_AUTH_CASES = list(_bad_auth(lambda *a, **k: "x.y.z"))


@pytest.mark.parametrize("case", BAD_AUTH_CASES)
def test_bad_tokens_are_refused_as_unauthorized(
        app_server, api, clients, client_kind, mint_token, case):
    refusal = clients.refused(app_server.url, MODE["polling"], kind=client_kind,
                              auth=_bad_auth(mint_token)[case])
    assert refusal.message == "Unauthorized", refusal.data
    assert api.result("sids_of_user", user_id="mallory") == []


def test_bad_tokens_are_refused_over_every_transport(
        app_server, clients, transport, client_kind, mint_token):
    bad = mint_token("mallory", secret="some-other-secret-0123456789abcdef")
    refusal = clients.refused(app_server.url, transport, kind=client_kind, auth={"token": bad})
    assert refusal.message == "Unauthorized", refusal.data
    refusal = clients.refused(app_server.url, transport, kind=client_kind, auth=None)
    assert refusal.message == "Unauthorized", refusal.data


def test_bad_bearer_header_is_refused_as_unauthorized(
        app_server, clients, transport, client_kind, mint_token):
    bad = mint_token("mallory", exp=int(time.time()) - 3600)
    refusal = clients.refused(app_server.url, transport, kind=client_kind,
                              headers={"Authorization": f"Bearer {bad}"})
    assert refusal.message == "Unauthorized", refusal.data


def test_refused_connect_does_not_disturb_connected_clients(
        app_server, api, clients, transport, client_kind, unique_user, mint_token):
    user = unique_user("carol")
    connected = clients.connect(app_server.url, transport, user, kind=client_kind)
    clients.refused(app_server.url, transport, kind=client_kind, auth={"token": "garbage"})
    api.result("emit_to_user", user_id=user, event="still-here", data=1)
    assert connected.log.wait_for("still-here") == [(1,)]


def test_unknown_namespace_is_refused(app_server, clients, transport, client_kind, mint_token):
    refusal = clients.refused(app_server.url, transport, kind=client_kind, namespace="/nowhere",
                              auth={"token": mint_token("dave")})
    assert refusal.message == "Invalid namespace", refusal.data


def test_second_configured_namespace_authenticates_too(
        app_server, api, clients, transport, client_kind, unique_user, mint_token):
    user = unique_user("erin")
    client = clients.connect(app_server.url, transport, user, kind=client_kind, namespace="/admin")
    assert client.call("echo", "hi") == ["admin", "hi"]
    refusal = clients.refused(app_server.url, transport, kind=client_kind, namespace="/admin",
                              auth={"token": mint_token(user, secret="wrong-secret-0123456789abcdef012")})
    assert refusal.message == "Unauthorized", refusal.data
