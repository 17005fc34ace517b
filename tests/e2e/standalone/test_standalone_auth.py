"""R1: JWT authentication of Socket.IO connections, over every transport mode.

A valid token (in the CONNECT auth payload or an `Authorization: Bearer` handshake header) puts
the socket in room `user:{sub}`: proved with GET /api/v1/sockets/{sid}/rooms and by a user emit
arriving. Anything else is refused with connect_error {"message": "Unauthorized"}. The JWT flags
(--jwt-issuer, --jwt-audience, --jwt-public-key, --jwt-algorithms, --jwt-user-claim,
--jwt-leeway) are each exercised against a server started with them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from standalone_api import GatewayApi

ISSUER = "https://issuer.e2e.test"
AUDIENCE = "socket-gateway-e2e"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade_token(header: dict, claims: dict, sign=lambda signing_input: b"") -> str:
    """A JWT built without PyJWT, for the shapes PyJWT refuses to produce."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(sign(signing_input.encode()))}"


def fresh_claims(sub: str = "mallory") -> dict:
    now = int(time.time())
    return {"sub": sub, "iat": now, "exp": now + 300}


def tampered_signature(token: str) -> str:
    head, body, signature = token.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    return f"{head}.{body}.{flipped}{signature[1:]}"


def tampered_claims(token: str) -> str:
    head, _, signature = token.split(".")
    return f"{head}.{b64url(json.dumps(fresh_claims('admin')).encode())}.{signature}"


def assert_refused_as_unauthorized(client, error) -> None:
    assert "failed to connect" in str(error), str(error)
    errors = client.connect_errors["/"]
    assert len(errors) == 1, f"connect_error calls: {errors}"
    assert isinstance(errors[0], dict) and errors[0].get("message") == "Unauthorized", errors
    assert not client.connected


def assert_in_user_room(api: GatewayApi, client, user: str) -> str:
    sid = client.sid()
    rooms = api.rooms_of(sid)
    assert rooms.status == 200, rooms.text
    assert rooms.body["sid"] == sid
    assert f"user:{user}" in rooms.body["rooms"], rooms.body
    return sid


def assert_user_emit_arrives(api: GatewayApi, client, user: str) -> None:
    sent = api.emit_to_user(user, "auth-check", {"for": user})
    assert sent.status == 202, sent.text
    assert client.log.wait_for("auth-check") == [({"for": user},)]


# --- valid tokens --------------------------------------------------------------------------------

def test_valid_token_in_auth_joins_user_room_and_receives_user_emits(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    sid = assert_in_user_room(api, client, "alice")
    sockets = api.sockets_of("alice")
    assert sockets.status == 200 and sockets.body == {"user_id": "alice", "sids": [sid]}, sockets.text
    assert_user_emit_arrives(api, client, "alice")


def test_token_in_authorization_bearer_header_is_accepted(gateway, api, clients, transport, mint_token):
    client = clients.connect(gateway, transport, headers={"Authorization": f"Bearer {mint_token('bob')}"})
    assert_in_user_room(api, client, "bob")
    assert_user_emit_arrives(api, client, "bob")


def test_invalid_token_in_authorization_header_is_refused(gateway, clients, transport, mint_token):
    bad = mint_token("bob", secret="not-the-gateway-secret-0123456789abcdef")
    client, error = clients.refused(gateway, transport, headers={"Authorization": f"Bearer {bad}"})
    assert_refused_as_unauthorized(client, error)


def test_expiry_within_default_leeway_is_tolerated(gateway, api, clients, transport, mint_token):
    recently_expired = mint_token("carol", exp=int(time.time()) - 10)
    client = clients.connect(gateway, transport, token=recently_expired)
    assert_in_user_room(api, client, "carol")


def test_zero_leeway_refuses_a_just_expired_token(start_gateway, clients, transport, mint_token):
    server = start_gateway("--jwt-leeway", "0")
    recently_expired = mint_token("carol", exp=int(time.time()) - 10)
    client, error = clients.refused(server, transport, auth={"token": recently_expired})
    assert_refused_as_unauthorized(client, error)


# --- refused tokens ------------------------------------------------------------------------------

def _bad_tokens(mint_token, secret):
    now = int(time.time())
    return {
        "no-auth-payload": None,
        "auth-without-token": {"user": "alice"},
        "expired": {"token": mint_token("alice", exp=now - 3600)},
        "not-yet-valid": {"token": mint_token("alice", nbf=now + 3600)},
        "bad-signature": {"token": tampered_signature(mint_token("alice"))},
        "claims-changed-after-signing": {"token": tampered_claims(mint_token("alice"))},
        "wrong-secret": {"token": mint_token("alice", secret="another-secret-0123456789abcdefghij")},
        "alg-none": {"token": handmade_token({"alg": "none", "typ": "JWT"}, fresh_claims())},
        "alg-none-with-real-signature": {"token": handmade_token(
            {"alg": "none", "typ": "JWT"}, fresh_claims(),
            lambda data: hmac.new(secret.encode(), data, hashlib.sha256).digest())},
        "unpinned-algorithm-hs512": {"token": mint_token("alice", algorithm="HS512")},
        "missing-user-claim": {"token": mint_token(None)},
        "garbage": {"token": "garbage"},
        "three-garbage-segments": {"token": "a.b.c"},
        "empty-string": {"token": ""},
        "token-not-a-string": {"token": 12345},
        "oversized-garbage": {"token": ".".join(["QUFB" * 10_000] * 3)},
    }


# The case names, for parametrize (the tokens themselves are minted inside each test).
BAD_TOKEN_CASES = list(_bad_tokens(lambda *args, **kwargs: "x.y.z", "unused"))


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_bad_token_is_refused_as_unauthorized(gateway, clients, transport, mint_token, jwt_secret, case):
    auth = _bad_tokens(mint_token, jwt_secret)[case]
    client, error = clients.refused(gateway, transport, auth=auth)
    assert_refused_as_unauthorized(client, error)


def test_refused_client_is_not_left_in_any_user_room(gateway, api, clients, transport, mint_token):
    client, error = clients.refused(gateway, transport, auth={"token": "garbage"})
    assert_refused_as_unauthorized(client, error)
    sockets = api.sockets_of("alice")
    assert sockets.status == 200 and sockets.body["sids"] == [], sockets.text


# --- issuer and audience -------------------------------------------------------------------------

@pytest.fixture
def strict_gateway(start_gateway):
    return start_gateway("--jwt-issuer", ISSUER, "--jwt-audience", AUDIENCE)


def test_token_with_required_issuer_and_audience_is_accepted(strict_gateway, clients, transport, mint_token):
    client = clients.connect(strict_gateway, transport,
                             token=mint_token("dave", iss=ISSUER, aud=AUDIENCE))
    assert_in_user_room(GatewayApi(strict_gateway.url), client, "dave")


@pytest.mark.parametrize("claims", [
    {"aud": AUDIENCE}, {"iss": ISSUER}, {"iss": "https://elsewhere.test", "aud": AUDIENCE},
    {"iss": ISSUER, "aud": "another-audience"}, {},
], ids=["missing-iss", "missing-aud", "wrong-iss", "wrong-aud", "missing-both"])
def test_token_without_required_issuer_or_audience_is_refused(strict_gateway, clients, transport,
                                                              mint_token, claims):
    client, error = clients.refused(strict_gateway, transport, auth={"token": mint_token("dave", **claims)})
    assert_refused_as_unauthorized(client, error)


# --- algorithms and public keys ------------------------------------------------------------------

def test_pinned_algorithm_list_is_honoured(start_gateway, clients, transport, mint_token):
    server = start_gateway("--jwt-algorithms", "HS512")
    accepted = clients.connect(server, transport, token=mint_token("erin", algorithm="HS512"))
    assert_in_user_room(GatewayApi(server.url), accepted, "erin")
    client, error = clients.refused(server, transport, auth={"token": mint_token("erin")})
    assert_refused_as_unauthorized(client, error)


def _pem_files(tmp_path, private_key):
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = tmp_path / "jwt-public.pem"
    path.write_bytes(public_pem)
    return path, public_pem, private_pem


@pytest.fixture(scope="module")
def rsa_keys():
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048),
            rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def rsa_gateway(start_gateway, rsa_keys, tmp_path):
    path, public_pem, private_pem = _pem_files(tmp_path, rsa_keys[0])
    server = start_gateway("--jwt-public-key", str(path), secret=None)
    return server, public_pem, private_pem


def test_rs256_token_verified_with_public_key_is_accepted(rsa_gateway, clients, transport, mint_token):
    server, _, private_pem = rsa_gateway
    client = clients.connect(server, transport, token=mint_token("frank", algorithm="RS256", key=private_pem))
    api = GatewayApi(server.url)
    assert_in_user_room(api, client, "frank")
    assert_user_emit_arrives(api, client, "frank")


def test_rs256_token_signed_by_another_key_is_refused(rsa_gateway, rsa_keys, clients, transport, mint_token):
    server, _, _ = rsa_gateway
    other_pem = rsa_keys[1].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
    client, error = clients.refused(server, transport,
                                    auth={"token": mint_token("frank", algorithm="RS256", key=other_pem)})
    assert_refused_as_unauthorized(client, error)


def test_hs256_token_keyed_with_the_public_key_is_refused(rsa_gateway, clients, transport):
    """Algorithm confusion: an attacker HMACs with the (public) PEM as the secret."""
    server, public_pem, _ = rsa_gateway
    forged = handmade_token({"alg": "HS256", "typ": "JWT"}, fresh_claims("frank"),
                            lambda data: hmac.new(public_pem, data, hashlib.sha256).digest())
    client, error = clients.refused(server, transport, auth={"token": forged})
    assert_refused_as_unauthorized(client, error)


def test_es256_token_verified_with_public_key_is_accepted(start_gateway, clients, transport, mint_token,
                                                          tmp_path):
    path, _, private_pem = _pem_files(tmp_path, ec.generate_private_key(ec.SECP256R1()))
    server = start_gateway("--jwt-public-key", str(path), secret=None)
    client = clients.connect(server, transport, token=mint_token("grace", algorithm="ES256", key=private_pem))
    assert_in_user_room(GatewayApi(server.url), client, "grace")


# --- user claim ----------------------------------------------------------------------------------

def test_user_claim_flag_chooses_the_claim_naming_the_user(start_gateway, clients, transport, mint_token):
    server = start_gateway("--jwt-user-claim", "uid")
    api = GatewayApi(server.url)
    client = clients.connect(server, transport, token=mint_token("someone-else", uid="u-7"))
    sid = assert_in_user_room(api, client, "u-7")
    assert "user:someone-else" not in api.rooms_of(sid).body["rooms"]
    assert api.sockets_of("u-7").body["sids"] == [sid]
    assert_user_emit_arrives(api, client, "u-7")


def test_token_lacking_the_configured_user_claim_is_refused(start_gateway, clients, transport, mint_token):
    server = start_gateway("--jwt-user-claim", "uid")
    client, error = clients.refused(server, transport, auth={"token": mint_token("henry")})
    assert_refused_as_unauthorized(client, error)
