"""--bench-contract (bench/peers/README.md): an admin socket's `bench:emit` makes the gateway emit.

An admin (JWT claim role = "admin") sends {"to", "ev", "payload", "repeat"} with an ack; the gateway
issues `repeat` rounds of emits — to everyone, to each listed user's room, or to each listed room —
and acks {"issued": n}. A non-admin gets {"error":"forbidden"} and nothing is emitted; a malformed
argument gets {"error":"bad request"} and the gateway goes on serving. With --jwt-rooms-claim rooms
the sockets are in the rooms of their `rooms` claim as soon as they are connected. "Nobody else
received it" is proved with the HTTP API's barrier, never with a sleep.
"""
from __future__ import annotations

import subprocess

import pytest
import requests

from standalone_api import GatewayApi

ACK_WAIT = 5.0
PAYLOAD = {"text": "héllo", "n": [1, 2.5, None, True]}


@pytest.fixture
def bench_gateway(start_gateway):
    return start_gateway("--bench-contract", "--threads", "2")


@pytest.fixture
def bench_api(bench_gateway):
    return GatewayApi(bench_gateway.url)


def connect_admin(clients, server, transport, mint_token, **claims):
    return clients.connect(server, transport, token=mint_token("bench-admin", role="admin", **claims))


def bench_emit(client, request):
    return client.sio.call("bench:emit", request, timeout=ACK_WAIT)


def assert_counts(expected: dict, everyone: list, event: str, payload=PAYLOAD) -> None:
    for client in everyone:
        received = client.log.args_of(event)
        want = expected.get(client, 0)
        assert received == [(payload,)] * want, f"{event}: {client.sid()} received {len(received)}, expected {want}"


def test_admin_emit_to_all_reaches_every_socket_repeat_times(bench_gateway, bench_api, clients, transport,
                                                             mint_token):
    admin = connect_admin(clients, bench_gateway, transport, mint_token)
    others = [clients.connect(bench_gateway, transport, user) for user in ("ann", "ann", "bob")]
    assert bench_emit(admin, {"to": "all", "ev": "to-all", "payload": PAYLOAD, "repeat": 3}) == {"issued": 3}
    bench_api.barrier([admin, *others])
    assert_counts({client: 3 for client in [admin, *others]}, [admin, *others], "to-all")


def test_admin_emit_to_users_reaches_each_listed_user_repeat_times(bench_gateway, bench_api, clients, transport,
                                                                   mint_token):
    admin = connect_admin(clients, bench_gateway, transport, mint_token)
    ann = [clients.connect(bench_gateway, transport, "ann") for _ in range(2)]
    bob, cyd = clients.connect(bench_gateway, transport, "bob"), clients.connect(bench_gateway, transport, "cyd")
    request = {"to": {"users": ["ann", "cyd", "nobody-here"]}, "ev": "to-users", "payload": PAYLOAD, "repeat": 2}
    assert bench_emit(admin, request) == {"issued": 6}
    bench_api.barrier([admin, *ann, bob, cyd])
    assert_counts({ann[0]: 2, ann[1]: 2, cyd: 2}, [admin, *ann, bob, cyd], "to-users")


def test_admin_emit_to_rooms_emits_each_room_separately(bench_gateway, bench_api, clients, transport, mint_token):
    admin = connect_admin(clients, bench_gateway, transport, mint_token)
    red, both, blue, outside = (clients.connect(bench_gateway, transport, user) for user in ("r", "rb", "b", "o"))
    for client, rooms in ((red, ["red"]), (both, ["red", "blue"]), (blue, ["blue"])):
        for room in rooms:
            assert bench_api.join(client.sid(), room).status == 200
    request = {"to": {"rooms": ["red", "blue", "empty"]}, "ev": "to-rooms", "payload": PAYLOAD, "repeat": 2}
    assert bench_emit(admin, request) == {"issued": 6}
    bench_api.barrier([admin, red, both, blue, outside])
    assert_counts({red: 2, both: 4, blue: 2}, [admin, red, both, blue, outside], "to-rooms")


def test_null_payload_arrives_as_one_null_argument(bench_gateway, clients, mint_token):
    admin = connect_admin(clients, bench_gateway, "websocket", mint_token)
    assert bench_emit(admin, {"to": {"users": ["bench-admin"]}, "ev": "nothing", "payload": None}) == {"issued": 1}
    assert admin.log.wait_for("nothing") == [(None,)]


def test_rooms_claim_is_joined_by_the_time_the_client_is_connected(start_gateway, clients, transport, mint_token):
    server = start_gateway("--bench-contract", "--jwt-rooms-claim", "rooms")
    api = GatewayApi(server.url)
    # The admin's first packet after its CONNECT asks for an emit to a room of its own claim.
    admin = connect_admin(clients, server, transport, mint_token, rooms=["admin-room"])
    assert bench_emit(admin, {"to": {"rooms": ["admin-room"]}, "ev": "own", "payload": 1}) == {"issued": 1}
    assert admin.log.wait_for("own") == [(1,)]
    member = clients.connect(server, transport, token=mint_token("member", rooms=["a", "b"]))
    outsider = clients.connect(server, transport, token=mint_token("outsider", rooms=["c"]))
    assert bench_emit(admin, {"to": {"rooms": ["a", "b"]}, "ev": "claimed", "payload": PAYLOAD}) == {"issued": 2}
    api.barrier([admin, member, outsider])
    assert_counts({member: 2}, [admin, member, outsider], "claimed")


@pytest.mark.parametrize("role", [None, "user", "Admin"], ids=["no-role", "role-user", "role-Admin"])
def test_non_admin_is_forbidden_and_nothing_is_emitted(bench_gateway, bench_api, clients, mint_token, role):
    admin = connect_admin(clients, bench_gateway, "websocket", mint_token)
    claims = {"role": role} if role else {}
    sender = clients.connect(bench_gateway, "websocket", token=mint_token("sender", **claims))
    for request in ({"to": "all", "ev": "sneaky", "payload": 1}, {"to": {"users": ["bench-admin"]}, "ev": "sneaky"},
                    "not even a request"):
        assert bench_emit(sender, request) == {"error": "forbidden"}
    bench_api.barrier([admin, sender])
    assert admin.log.args_of("sneaky") == [] and sender.log.args_of("sneaky") == []


MALFORMED = [
    None, 5, "all", [1, 2], {}, b"\x00\x01",
    {"to": "all"},
    {"ev": "bad"},
    {"to": "everyone", "ev": "bad"},
    {"to": {"users": "ann"}, "ev": "bad"},
    {"to": {"rooms": [1]}, "ev": "bad"},
    {"to": {"users": ["a"], "rooms": ["b"]}, "ev": "bad"},
    {"to": {"groups": ["x"]}, "ev": "bad"},
    {"to": "all", "ev": 7},
    {"to": "all", "ev": ""},
    {"to": "all", "ev": "disconnect"},
    {"to": "all", "ev": "bad", "repeat": -1},
    {"to": "all", "ev": "bad", "repeat": "2"},
    {"to": "all", "ev": "bad", "repeat": 1.5},
    {"to": "all", "ev": "bad", "repeat": 1_000_001},
    {"to": {"rooms": ["a", "b"]}, "ev": "bad", "repeat": 500_001},
]


def test_malformed_argument_is_answered_and_the_gateway_goes_on(bench_gateway, bench_api, clients, mint_token):
    admin = connect_admin(clients, bench_gateway, "websocket", mint_token)
    for request in MALFORMED:
        assert bench_emit(admin, request) == {"error": "bad request"}, request
    assert bench_emit(admin, {"to": "all", "ev": "after", "payload": PAYLOAD}) == {"issued": 1}
    assert admin.log.wait_for("after") == [(PAYLOAD,)]
    bench_api.barrier([admin])
    assert admin.log.args_of("bad") == []
    assert requests.get(bench_gateway.url + "/healthz", timeout=ACK_WAIT).status_code == 200


def test_environment_variable_enables_the_contract(start_gateway, clients, mint_token):
    server = start_gateway(env={"SOCKET_GATEWAY_BENCH_CONTRACT": "true"})
    admin = connect_admin(clients, server, "websocket", mint_token)
    assert bench_emit(admin, {"to": "all", "ev": "via-env"}) == {"issued": 1}


def test_help_says_the_flag_is_for_benchmarks_only(sg_binary, clean_env):
    result = subprocess.run([str(sg_binary("socket-gateway")), "--help"], capture_output=True, text=True,
                            env=clean_env(), timeout=10)
    assert result.returncode == 0
    line = result.stdout[result.stdout.index("--bench-contract"):]
    assert "benchmarks only" in " ".join(line.split()[:8]), result.stdout
