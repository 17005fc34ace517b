"""The `socket-gateway` command line (docs/configuration.md): --help lists every documented flag,
SOCKET_GATEWAY_* variables configure it and flags win over them, it refuses to start without a
JWT secret or key, it logs a JSON `listening` line naming the port (also for --port 0), and
`socket-gateway mint-token` prints a token PyJWT verifies and the gateway accepts.
"""
from __future__ import annotations

import json
import pathlib
import re
import subprocess
import time

import jwt
import pytest
import requests

from standalone_api import GatewayApi
from standalone_clients import scaled, wait_until
from standalone_raw import RawPolling

CONFIG_DOC = pathlib.Path(__file__).resolve().parents[3] / "docs" / "configuration.md"
API_KEY = "cli-api-key-1234"


def documented_flags() -> list:
    """The flags in the first column of the table in docs/configuration.md."""
    flags = []
    for line in CONFIG_DOC.read_text().splitlines():
        match = re.match(r"^\|\s*`(--[a-z0-9-]+)`\s*\|", line)
        if match:
            flags.append(match.group(1))
    return flags


def run(sg_binary, clean_env, *args, env=None, timeout=10.0) -> subprocess.CompletedProcess:
    return subprocess.run([str(sg_binary("socket-gateway")), *args], capture_output=True, text=True,
                          env=clean_env(env), timeout=scaled(timeout))


def test_help_lists_every_documented_flag(sg_binary, clean_env):
    flags = documented_flags()
    assert len(flags) >= 19, f"could not read the flag table of {CONFIG_DOC}: {flags}"
    result = run(sg_binary, clean_env, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    missing = [flag for flag in flags if not re.search(re.escape(flag) + r"(?![a-z-])", text)]
    assert not missing, f"--help does not mention {missing}:\n{text}"


def test_starting_without_secret_or_key_fails_clearly(sg_binary, clean_env):
    result = run(sg_binary, clean_env, "--host", "127.0.0.1", "--port", "0")
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "jwt-secret" in message.lower().replace("_", "-") or "jwt-public-key" in message.lower(), message


def test_unreadable_public_key_fails_clearly(sg_binary, clean_env, tmp_path):
    missing = tmp_path / "no-such-key.pem"
    result = run(sg_binary, clean_env, "--host", "127.0.0.1", "--port", "0", "--jwt-public-key", str(missing))
    assert result.returncode != 0
    assert "no-such-key.pem" in result.stdout + result.stderr, result.stdout + result.stderr


def test_unknown_flag_is_refused(sg_binary, clean_env, jwt_secret):
    result = run(sg_binary, clean_env, "--jwt-secret", jwt_secret, "--no-such-flag", "1")
    assert result.returncode != 0
    assert "no-such-flag" in result.stdout + result.stderr


def test_environment_variables_configure_the_gateway(start_server, free_port, clients, transport,
                                                    mint_token, jwt_secret):
    port = free_port()
    server = start_server("socket-gateway", pass_port=False, port=port, env={
        "SOCKET_GATEWAY_HOST": "127.0.0.1",
        "SOCKET_GATEWAY_PORT": str(port),
        "SOCKET_GATEWAY_JWT_SECRET": jwt_secret,
        "SOCKET_GATEWAY_NAMESPACES": "/admin",
        "SOCKET_GATEWAY_API_KEY": API_KEY,
        "SOCKET_GATEWAY_PING_INTERVAL": "4321",
        "SOCKET_GATEWAY_MAX_PAYLOAD": "123456",
    })
    client = clients.connect(server, transport, "alice", namespaces=["/", "/admin"])
    handshake = RawPolling(server.url).handshake
    assert (handshake["pingInterval"], handshake["maxPayload"]) == (4321, 123456), handshake
    assert GatewayApi(server.url).emit_to_user("alice", "x", 1).status == 401
    keyed = GatewayApi(server.url, api_key=API_KEY)
    assert keyed.emit_to_user("alice", "x", 1, namespace="/admin").status == 202
    assert client.log.wait_for("x", namespace="/admin") == [(1,)]


def test_flags_win_over_environment_variables(start_server, free_port, clients, transport, mint_token,
                                              jwt_secret):
    env_secret = "secret-from-the-environment-0123456789abcdef"
    env_port = free_port()
    server = start_server("socket-gateway", "--host", "127.0.0.1", "--jwt-secret", jwt_secret,
                          "--ping-interval", "2500", env={
                              "SOCKET_GATEWAY_JWT_SECRET": env_secret,
                              "SOCKET_GATEWAY_PORT": str(env_port),
                              "SOCKET_GATEWAY_PING_INTERVAL": "9999",
                          })
    assert server.port != env_port
    assert RawPolling(server.url).handshake["pingInterval"] == 2500
    clients.connect(server, transport, "alice", token=mint_token("alice", secret=jwt_secret))
    client, _ = clients.refused(server, transport, auth={"token": mint_token("alice", secret=env_secret)})
    assert client.connect_errors["/"][0]["message"] == "Unauthorized"


def test_port_zero_is_reported_in_the_json_listening_log_line(start_server, jwt_secret):
    server = start_server("socket-gateway", "--host", "127.0.0.1", "--jwt-secret", jwt_secret,
                          "--port", "0", pass_port=False, ready=None)

    def listening_port():
        for line in server.log_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "listening":
                return entry
        return None

    entry = wait_until(listening_port, "a JSON log line with msg=listening", timeout=10)
    assert entry["level"] == "info" and entry["host"] == "127.0.0.1" and "ts" in entry, entry
    assert isinstance(entry["port"], int) and entry["port"] > 0, entry
    health = requests.get(f"http://127.0.0.1:{entry['port']}/healthz", timeout=scaled(5))
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


def test_mint_token_prints_a_token_that_verifies_and_connects(sg_binary, clean_env, start_gateway, clients,
                                                              transport, jwt_secret):
    before = int(time.time())
    result = run(sg_binary, clean_env, "mint-token", "--jwt-secret", jwt_secret, "--sub", "minted-user",
                 "--ttl", "120", "--claim", "role=admin", "--claim", "team=blue")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.count(".") == 2 and "\n" not in token, result.stdout
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, jwt_secret, algorithms=["HS256"])
    assert (claims["sub"], claims["role"], claims["team"]) == ("minted-user", "admin", "blue"), claims
    assert before + 120 - 5 <= claims["exp"] <= int(time.time()) + 120 + 5, claims
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, jwt_secret + "x", algorithms=["HS256"])

    server = start_gateway()
    client = clients.connect(server, transport, token=token)
    api = GatewayApi(server.url)
    assert "user:minted-user" in api.rooms_of(client.sid()).body["rooms"]


def test_mint_token_default_ttl_is_an_hour(sg_binary, clean_env, jwt_secret):
    result = run(sg_binary, clean_env, "mint-token", "--jwt-secret", jwt_secret, "--sub", "alice")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), jwt_secret, algorithms=["HS256"])
    assert abs(claims["exp"] - time.time() - 3600) < 60, claims
