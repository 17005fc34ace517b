#!/usr/bin/env python3
"""Proves that a running server implements the bench contract (bench/peers/README.md), with
python-socketio clients over WebSocket:

  handshake      pingInterval 25000 / pingTimeout 20000, the WebSocket transport;
  auth           missing, wrongly signed and expired tokens get CONNECT error "Unauthorized";
  rooms claim    the rooms of the `rooms` claim (and user:<sub>) are joined by the time the client
                 has its CONNECT: the first emit issued after it reaches the socket;
  reach          bench:emit to "all" / users / rooms, with repeat, reaches exactly the expected
                 sockets exactly the expected number of times, with the payload as its one
                 argument, and acks {"issued": n};
  forbidden      a non-admin's bench:emit is answered {"error":"forbidden"} and emits nothing;
  bad requests   malformed arguments are answered {"error":"bad request"}, the server goes on.

"Nothing else arrived" is proved with a barrier (an emit to everyone that every client waits
for; a server's emits reach one connection in order), never with a sleep.

    check_contract.py --url http://127.0.0.1:8000 --secret S      # a server already running
    check_contract.py --start node --secret S                     # start one with the contract's
                                                                  # command (see peer_processes.py)
Exit status 0 when every check passes.

Threading: the main thread drives the checks; python-socketio delivers events on its reader
threads into EventLogs guarded by a Condition.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import socketio

WAIT = 5.0  # seconds any single expected thing may take
BARRIER_EVENT = "contract:barrier"


class CheckFailed(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def make_token(secret: str, sub: str, ttl: int = 600, **claims: Any) -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iat": now, "exp": now + ttl, **claims}, secret, algorithm="HS256")


class ContractClient:
    """A python-socketio client over WebSocket that records, in wire order, every event it gets."""

    def __init__(self, name: str):
        self.name = name
        self.sio = socketio.Client(reconnection=False)
        self._events: list[tuple[str, tuple]] = []
        self._changed = threading.Condition()
        self.connect_errors: list[Any] = []
        self.sio.on("*", self._record)
        self.sio.on("connect_error", lambda data=None: self.connect_errors.append(data))
        self._deliver_events_in_wire_order()

    def _deliver_events_in_wire_order(self) -> None:
        """python-engineio runs each message's handler on a new thread; EVENT packets ("2...")
        run on the reader thread instead, so the log keeps the order the wire had."""
        trigger = self.sio.eio._trigger_event

        def in_order(event, *args, **kwargs):
            if event == "message" and args and isinstance(args[0], str) and args[0].startswith("2"):
                kwargs["run_async"] = False
            return trigger(event, *args, **kwargs)

        self.sio.eio._trigger_event = in_order

    def _record(self, event: str, *args: Any) -> None:
        with self._changed:
            self._events.append((event, args))
            self._changed.notify_all()

    def connect(self, url: str, token: str | None) -> None:
        auth = {"token": token} if token is not None else None
        self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=WAIT)

    def args_of(self, event: str) -> list[tuple]:
        with self._changed:
            return [args for (name, args) in self._events if name == event]

    def wait_for(self, event: str, satisfied: Callable[[list[tuple]], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        with self._changed:
            while not satisfied([args for (name, args) in self._events if name == event]):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CheckFailed(f"{self.name}: no {what} within {WAIT:.0f} s "
                                      f"(received {[name for name, _ in self._events][-10:]})")
                self._changed.wait(remaining)

    def bench_emit(self, request: Any) -> Any:
        return self.sio.call("bench:emit", request, timeout=WAIT)

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # already gone: nothing left to close
            pass


class Session:
    """The clients of one check, closed together."""

    def __init__(self, url: str, secret: str):
        self.url = url
        self.secret = secret
        self.clients: list[ContractClient] = []

    def connect(self, name: str, sub: str, **claims: Any) -> ContractClient:
        client = ContractClient(name)
        self.clients.append(client)
        client.connect(self.url, make_token(self.secret, sub, **claims))
        expect(client.sio.transport() == "websocket", f"{name}: connected over {client.sio.transport()}")
        return client

    def admin(self, **claims: Any) -> ContractClient:
        return self.connect("admin", "bench-admin", role="admin", **claims)

    def barrier(self, admin: ContractClient) -> None:
        """An emit to everyone that every client of the session waits for."""
        marker = uuid.uuid4().hex
        reply = admin.bench_emit({"to": "all", "ev": BARRIER_EVENT, "payload": marker})
        expect(reply == {"issued": 1}, f"barrier emit acked {reply!r}")
        for client in self.clients:
            if client.sio.connected:
                client.wait_for(BARRIER_EVENT, lambda found: (marker,) in found, "barrier")

    def close(self) -> None:
        for client in self.clients:
            client.close()


# ---- the checks ----------------------------------------------------------------------------

def check_handshake(session: Session) -> None:
    client = session.connect("plain", "handshake-user")
    expect(client.sio.eio.ping_interval == 25, f"pingInterval is {client.sio.eio.ping_interval} s, not 25")
    expect(client.sio.eio.ping_timeout == 20, f"pingTimeout is {client.sio.eio.ping_timeout} s, not 20")


def check_auth(session: Session) -> None:
    tokens = {
        "missing token": None,
        "wrong signature": make_token(session.secret + "-not", "mallory"),
        "expired token": make_token(session.secret, "late", ttl=-3600),
    }
    for case, token in tokens.items():
        client = ContractClient(case)
        session.clients.append(client)
        try:
            client.connect(session.url, token)
        except socketio.exceptions.ConnectionError:
            pass
        else:
            raise CheckFailed(f"{case}: the connection was accepted")
        expect(client.connect_errors == [{"message": "Unauthorized"}],
               f"{case}: connect_error data {client.connect_errors!r}, expected {{'message': 'Unauthorized'}}")


def check_rooms_claim(session: Session) -> None:
    # The admin's first packet after its CONNECT asks for an emit to a room of its own claim.
    admin = session.admin(rooms=["claimed-by-admin"])
    reply = admin.bench_emit({"to": {"rooms": ["claimed-by-admin"]}, "ev": "to-own-room", "payload": 1})
    expect(reply == {"issued": 1}, f"ack {reply!r}")
    admin.wait_for("to-own-room", lambda found: found == [(1,)], "'to-own-room' (room of the claim)")
    # Each receiver: the first emit issued once its connect() returned must reach it.
    for index in range(3):
        room = f"claimed-{index}"
        receiver = session.connect(f"receiver-{index}", f"claim-user-{index}", rooms=["other", room])
        reply = admin.bench_emit({"to": {"rooms": [room]}, "ev": "to-claimed-room", "payload": index})
        expect(reply == {"issued": 1}, f"ack {reply!r}")
        receiver.wait_for("to-claimed-room", lambda found, i=index: (i,) in found, f"'to-claimed-room' {index}")
        reply = admin.bench_emit({"to": {"users": [f"claim-user-{index}"]}, "ev": "to-user-room", "payload": index})
        receiver.wait_for("to-user-room", lambda found, i=index: (i,) in found, f"'to-user-room' {index}")
    session.barrier(admin)
    for index, receiver in enumerate(session.clients[1:]):
        expect(receiver.args_of("to-claimed-room") == [(index,)],
               f"{receiver.name}: 'to-claimed-room' {receiver.args_of('to-claimed-room')}")


def check_reach(session: Session) -> None:
    admin = session.admin()
    ann_1 = session.connect("ann-1", "ann", rooms=["red"])
    ann_2 = session.connect("ann-2", "ann")
    bob = session.connect("bob", "bob", rooms=["red", "blue"])
    cyd = session.connect("cyd", "cyd", rooms=["blue"])
    dan = session.connect("dan", "dan", rooms=["green"])
    everyone = [admin, ann_1, ann_2, bob, cyd, dan]
    payload = {"text": "héllo", "n": [1, 2.5, None, True], "nested": {"k": "v"}}
    requests = [
        ({"to": "all", "ev": "ev-all", "payload": payload, "repeat": 3}, 3,
         {client: 3 for client in everyone}),
        ({"to": {"users": ["ann", "cyd", "nobody-here"]}, "ev": "ev-users", "payload": payload, "repeat": 2}, 6,
         {ann_1: 2, ann_2: 2, cyd: 2}),
        ({"to": {"rooms": ["red", "blue", "empty-room"]}, "ev": "ev-rooms", "payload": payload, "repeat": 2}, 6,
         {ann_1: 2, bob: 4, cyd: 2}),  # bob is in both rooms: each room is emitted separately
        ({"to": {"rooms": ["green"]}, "ev": "ev-once", "payload": payload}, 1, {dan: 1}),
        ({"to": {"users": ["dan"]}, "ev": "ev-null", "payload": None}, 1, {dan: 1}),
    ]
    for request, issued, _ in requests:
        reply = admin.bench_emit(request)
        expect(reply == {"issued": issued}, f"{request['ev']}: ack {reply!r}, expected {{'issued': {issued}}}")
    session.barrier(admin)
    for request, _, expected in requests:
        event = request["ev"]
        argument = (request.get("payload"),)
        for client in everyone:
            received = client.args_of(event)
            want = expected.get(client, 0)
            expect(len(received) == want, f"{event}: {client.name} received it {len(received)} times, expected {want}")
            expect(all(args == argument for args in received), f"{event}: {client.name} received {received[:1]!r}")


def check_forbidden(session: Session) -> None:
    admin = session.admin()
    users = [session.connect(f"user-{i}", f"plain-{i}", rooms=["lobby"]) for i in range(2)]
    for role in (None, "user"):
        claims = {"role": role} if role else {}
        sender = session.connect(f"non-admin-{role}", f"sender-{role}", **claims)
        for request in ({"to": "all", "ev": "forbidden-ev", "payload": 1},
                        {"to": {"rooms": ["lobby"]}, "ev": "forbidden-ev", "payload": 1}, "garbage"):
            reply = sender.bench_emit(request)
            expect(reply == {"error": "forbidden"}, f"non-admin (role {role}) got {reply!r}")
    session.barrier(admin)
    for client in [admin, *users]:
        expect(client.args_of("forbidden-ev") == [], f"{client.name} received a non-admin's emit")


def check_bad_requests(session: Session) -> None:
    admin = session.admin()
    bystander = session.connect("bystander", "bystander", rooms=["r"])
    malformed = [
        None, 5, "all", [1, 2], {},
        {"to": "all"},
        {"ev": "bad-ev"},
        {"to": "everyone", "ev": "bad-ev"},
        {"to": {"users": "ann"}, "ev": "bad-ev"},
        {"to": {"rooms": [1, 2]}, "ev": "bad-ev"},
        {"to": {"groups": ["x"]}, "ev": "bad-ev"},
        {"to": "all", "ev": 7},
        {"to": "all", "ev": ""},
        {"to": "all", "ev": "disconnect"},
        {"to": "all", "ev": "bad-ev", "repeat": -1},
        {"to": "all", "ev": "bad-ev", "repeat": "2"},
        {"to": "all", "ev": "bad-ev", "repeat": 1.5},
        {"to": "all", "ev": "bad-ev", "repeat": 1_000_001},
    ]
    for request in malformed:
        reply = admin.bench_emit(request)
        expect(reply == {"error": "bad request"}, f"{request!r}: answered {reply!r}, expected {{'error': 'bad request'}}")
    reply = admin.bench_emit({"to": {"rooms": ["r"]}, "ev": "after-bad", "payload": "fine"})
    expect(reply == {"issued": 1}, f"valid request after the malformed ones: {reply!r}")
    bystander.wait_for("after-bad", lambda found: found == [("fine",)], "'after-bad'")
    session.barrier(admin)
    for client in (admin, bystander):
        expect(client.args_of("bad-ev") == [], f"{client.name} received an emit of a malformed request")


CHECKS: list[tuple[str, Callable[[Session], None]]] = [
    ("handshake", check_handshake),
    ("auth", check_auth),
    ("rooms claim", check_rooms_claim),
    ("reach", check_reach),
    ("forbidden", check_forbidden),
    ("bad requests", check_bad_requests),
]


@dataclasses.dataclass
class CheckResult:
    name: str
    passed: bool
    detail: str = ""


def run_checks(url: str, secret: str) -> list[CheckResult]:
    """Runs every check against the server at `url`; each on its own clients."""
    results = []
    for name, check in CHECKS:
        session = Session(url, secret)
        try:
            check(session)
            results.append(CheckResult(name, True))
        except CheckFailed as failure:
            results.append(CheckResult(name, False, str(failure)))
        except Exception:  # a client error is a failed check, reported with its trace
            results.append(CheckResult(name, False, traceback.format_exc(limit=3)))
        finally:
            session.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    where.add_argument("--start", help="start this implementation with the contract's command: "
                                       "standalone, asgi, node or python")
    parser.add_argument("--secret", default="bench-contract-check-secret-0123456789abcdef",
                        help="the server's BENCH_JWT_SECRET")
    parser.add_argument("--build-dir", help="where socket-gateway is (for --start standalone; default $SG_BUILD_DIR or build)")
    options = parser.parse_args()

    peer = None
    if options.start:
        import pathlib

        from peer_processes import start_peer
        build_dir = pathlib.Path(options.build_dir).resolve() if options.build_dir else None
        peer = start_peer(options.start, options.secret, build_dir=build_dir)
    url = options.url or peer.url
    try:
        results = run_checks(url, options.secret)
    finally:
        if peer is not None:
            code = peer.stop()
            if code not in (0, -15):
                print(f"note: {options.start} exited with {code} on SIGTERM", file=sys.stderr)
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'}  {result.name}" + (f": {result.detail}" if result.detail else ""))
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
