"""Connection-state recovery with the Python package (SocketGateway(recovery_max_disconnection=)),
under uvicorn and under serve: the official socket.io-client loses its transport (no DISCONNECT),
the FastAPI app emits 10 events to its user and 10 to a room while it is away, and the client
comes back recovered — same sid, rooms, the 20 events once and in order, then live traffic.
python-socketio, which has no recovery, keeps working beside it: it connects, receives emits
(each with its offset as one more last argument, as from the Node server) and a reconnection is a
fresh session.
"""
from __future__ import annotations

import uuid

import pytest

from asgi_clients import TRANSPORT_MODES, wait_until

WINDOW_SECONDS = 10


@pytest.fixture
def recovering_app(start_app):
    return start_app({"SG_TEST_RECOVERY": str(WINDOW_SECONDS)})


def _payloads(client) -> list:
    return [args[0] for args in client.log.args_of("notice")]


def _wait_gone(api, sid: str, user: str) -> None:
    wait_until(lambda: api.socket_is_gone(sid, user), f"the server let {sid} go")


@pytest.mark.parametrize("transport", TRANSPORT_MODES, ids=[mode.name for mode in TRANSPORT_MODES])
def test_socketio_client_recovers_sid_rooms_and_every_missed_emit(recovering_app, clients, transport, unique_user):
    from control_api import ControlApi
    api = ControlApi(recovering_app.url)
    user, room = unique_user("phone"), f"news-{uuid.uuid4().hex[:8]}"
    client = clients.connect(recovering_app.url, transport, user, kind="node")
    sid = client.sid
    api.result("join_room", sid=sid, room=room)
    api.result("emit_to_user", user_id=user, event="notice", data="before")
    client.log.wait_for("notice")
    assert isinstance(client.log.args_of("notice")[0][-1], str), "events carry their offset last"

    client.cut_transport()
    _wait_gone(api, sid, user)
    sent = []
    for n in range(10):
        api.result("emit_to_user", user_id=user, event="notice", data={"to": "user", "n": n})
        api.result("emit_to_room", room=room, event="notice", data={"to": "room", "n": n})
        sent += [{"to": "user", "n": n}, {"to": "room", "n": n}]
    assert client.come_back() is True
    assert client.sid == sid
    client.log.wait_for("notice", 21)
    assert _payloads(client)[1:] == sent
    assert set(api.result("rooms", sid=sid)) >= {room, f"user:{user}"}

    api.result("emit_to_room", room=room, event="notice", data="live")
    api.result("emit_to_user", user_id=user, event="notice", data="live, later")
    client.log.wait_for("notice", 23)
    assert _payloads(client)[21:] == ["live", "live, later"], "live traffic follows, nothing twice"


def test_python_socketio_keeps_working_with_recovery_on(recovering_app, clients, unique_user):
    from control_api import ControlApi
    api = ControlApi(recovering_app.url)
    user = unique_user("py")
    client = clients.connect(recovering_app.url, TRANSPORT_MODES[1], user, kind="python")
    api.result("emit_to_user", user_id=user, event="notice", data={"n": 1})
    received = client.log.wait_for("notice")
    assert received[0][0] == {"n": 1} and len(received[0]) == 2
    first_sid = client.sid
    client.disconnect()
    _wait_gone(api, first_sid, user)
    again = clients.connect(recovering_app.url, TRANSPORT_MODES[1], user, kind="python")
    assert again.sid != first_sid
    api.result("emit_to_user", user_id=user, event="notice", data={"n": 2})
    assert again.log.wait_for("notice")[0][0] == {"n": 2}
