"""The Python package's abuse limits (SocketGateway(max_sockets_per_user=,
max_client_events_per_second=, max_rooms_per_socket=)) under uvicorn and serve, with python-socketio
clients: a user's socket past the limit gets connect_error "Too many connections for this user"
while other users connect; a socket sending events faster than allowed is disconnected while another socket's
events still reach the handlers; join_room past the room limit raises RoomLimitError, and the
socket keeps the rooms it had.
"""
from __future__ import annotations

import pytest

from asgi_clients import wait_until


@pytest.fixture
def limited_app(start_app):
    return start_app({"SG_TEST_MAX_SOCKETS_PER_USER": "2", "SG_TEST_MAX_EVENTS_PER_SECOND": "20",
                      "SG_TEST_MAX_ROOMS_PER_SOCKET": "3"})


def test_a_users_socket_past_the_limit_is_refused_and_others_connect(limited_app, clients, transport, unique_user,
                                                                      mint_token):
    user = unique_user("busy")
    first = clients.connect(limited_app.url, transport, user)
    clients.connect(limited_app.url, transport, user)
    refusal = clients.refused(limited_app.url, transport, auth={"token": mint_token(user)})
    assert refusal.message == "Too many connections for this user"
    other = clients.connect(limited_app.url, transport, unique_user("other"))
    assert other.call("echo", "still served") == ["still served"]
    first.disconnect()
    wait_until(lambda: _connects(clients, limited_app.url, transport, user), "the user connects again once a socket left")


def _connects(clients, url, transport, user) -> bool:
    try:
        clients.connect(url, transport, user)
        return True
    except Exception:  # noqa: BLE001 — refused while the server has not seen the disconnect yet
        return False


def test_a_socket_sending_too_fast_is_disconnected_and_another_keeps_its_handlers(limited_app, clients, transport,
                                                                                   unique_user):
    flooder = clients.connect(limited_app.url, transport, unique_user("flood"))
    calm = clients.connect(limited_app.url, transport, unique_user("calm"))
    for n in range(200):
        flooder.emit("record", n)
    assert flooder.wait_disconnected() in ("io server disconnect", "server disconnect")
    assert calm.call("echo", "still here") == ["still here"]


def test_join_room_past_the_room_limit_raises_and_the_socket_keeps_its_rooms(limited_app, clients, transport,
                                                                             unique_user):
    user = unique_user("rooms")
    client = clients.connect(limited_app.url, transport, user)  # in its user room: 1 of 3
    assert client.call("join", "a") == [sorted(["a", f"user:{user}"])]
    assert client.call("join", "b") == [sorted(["a", "b", f"user:{user}"])]
    assert client.call("join", "c") == [{"refused": "c", "rooms": sorted(["a", "b", f"user:{user}"])}]
    other = clients.connect(limited_app.url, transport, unique_user("roomy"))
    assert "c" in other.call("join", "c")[0]
