"""Real Socket.IO clients for the ASGI-mode tests: python-socketio here, socket.io-client in
node_clients.py, behind one interface so a test runs unchanged with either.

TRANSPORT_MODES: polling only, WebSocket only, and the default polling start upgraded to
WebSocket. A client (PythonClient / node_clients.NodeClient) offers
  connect(url, mode, auth, headers)   raises ConnectRefused(message) on a connect_error
  sid, transport(), log (an EventLog of every event received), emit(event, *args),
  call(event, *args) -> the ack's argument list, disconnect(), wait_disconnected() -> reason.
ClientPool (the `clients` fixture) opens them, and closes them all when the test ends.

Threading: python-socketio delivers events on its own threads; EventLog is guarded by a
Condition so the test thread can wait on it. Everything else runs on the test thread.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any, Callable, Optional

import socketio

WAIT = 10.0  # seconds: the bound of every wait for something the server should do promptly


class ConnectRefused(Exception):
    """The server answered the connect with connect_error; `message` is its message."""

    def __init__(self, message: Optional[str], data: Any = None):
        super().__init__(f"connect_error: {message!r}")
        self.message = message
        self.data = data


@dataclasses.dataclass(frozen=True)
class TransportMode:
    name: str
    transports: Optional[list]  # None: the client's default, polling then upgrade
    final_transport: str  # the transport once connect() has returned


TRANSPORT_MODES = [
    TransportMode("polling", ["polling"], "polling"),
    TransportMode("websocket", ["websocket"], "websocket"),
    TransportMode("upgrade", None, "websocket"),
]


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Polls `condition` until it returns something truthy; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # e.g. a request that failed: retry until the deadline
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"not within {timeout:.1f} s: {what}{detail}")
        time.sleep(0.02)


class EventLog:
    """Every (event, args) one client received, in arrival order."""

    def __init__(self) -> None:
        self._entries: list = []
        self._changed = threading.Condition()

    def record(self, event: str, args: tuple) -> None:
        with self._changed:
            self._entries.append((event, tuple(args)))
            self._changed.notify_all()

    def args_of(self, event: str) -> list:
        with self._changed:
            return [args for (name, args) in self._entries if name == event]

    def wait_for(self, event: str, count: int = 1, timeout: float = WAIT) -> list:
        """The argument tuples of the first `count` `event`s; fails if they do not all arrive."""
        return self._wait(event, lambda found: len(found) >= count, f"{count} '{event}'",
                          timeout)[:count]

    def wait_for_args(self, event: str, args: tuple, timeout: float = WAIT) -> None:
        """Waits until an `event` carrying exactly `args` has arrived."""
        self._wait(event, lambda found: tuple(args) in found, f"'{event}' with {args!r}"[:200],
                   timeout)

    def _wait(self, event: str, satisfied, what: str, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [args for (name, args) in self._entries if name == event]
                if satisfied(found):
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no {what} within {timeout:.1f} s ({len(found)} so far); events "
                        f"received: {[name for (name, _) in self._entries][-10:]}")
                self._changed.wait(remaining)


class PythonClient:
    """One python-socketio client (reconnection off) on one namespace."""

    kind = "python"

    def __init__(self, namespace: str = "/"):
        self.namespace = namespace
        self.sio = socketio.Client(reconnection=False)
        self.log = EventLog()
        self.connect_errors: list = []
        self.disconnect_reasons: list = []
        self._disconnected = threading.Event()
        self.sio.on("*", lambda event, *args: self.log.record(event, args), namespace=namespace)
        self.sio.on("connect_error", lambda *data: self.connect_errors.append(data[0] if data else None),
                    namespace=namespace)
        self.sio.on("disconnect", self._on_disconnect, namespace=namespace)
        self._deliver_events_in_wire_order()

    def _on_disconnect(self, reason: Any = None) -> None:
        self.disconnect_reasons.append(reason)
        self._disconnected.set()

    def _deliver_events_in_wire_order(self) -> None:
        """python-engineio runs each received message on a new thread, so two events sent in order
        can reach the handlers out of order; EVENT packets ("2...") run on the reader thread here,
        so the log holds them in the order the wire carried them."""
        eio = self.sio.eio
        trigger = eio._trigger_event

        def trigger_in_order(event, *args, **kwargs):
            if event == "message" and args and isinstance(args[0], str) and args[0].startswith("2"):
                kwargs["run_async"] = False
            return trigger(event, *args, **kwargs)

        eio._trigger_event = trigger_in_order

    def connect(self, url: str, mode: TransportMode, auth: Optional[dict],
                headers: Optional[dict]) -> None:
        try:
            self.sio.connect(url, auth=auth, headers=headers or {}, transports=mode.transports,
                             namespaces=[self.namespace], wait_timeout=WAIT)
        except socketio.exceptions.ConnectionError as error:
            if self.connect_errors:
                data = self.connect_errors[0]
                message = data.get("message") if isinstance(data, dict) else data
                raise ConnectRefused(message, data) from error
            raise

    @property
    def sid(self) -> str:
        sid = self.sio.get_sid(self.namespace)
        assert sid, f"no Socket.IO sid for {self.namespace}"
        return sid

    def transport(self) -> Optional[str]:
        return self.sio.transport()

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def emit(self, event: str, *args: Any) -> None:
        self.sio.emit(event, tuple(args) if args else None, namespace=self.namespace)

    def call(self, event: str, *args: Any, timeout: float = WAIT) -> list:
        """Emits with an ack callback; returns the ack's arguments as a list."""
        answered = threading.Event()
        ack_args: list = []

        def on_ack(*received):
            ack_args.extend(received)
            answered.set()

        self.sio.emit(event, tuple(args) if args else None, namespace=self.namespace,
                      callback=on_ack)
        assert answered.wait(timeout), f"no ack for '{event}' within {timeout:.1f} s"
        return ack_args

    def disconnect(self) -> None:
        self._let_pending_writes_finish()
        self.sio.disconnect()

    def _let_pending_writes_finish(self) -> None:
        """python-engineio's writer thread leaves without sending anything if it finds the client
        'disconnecting' when it finishes a write: a disconnect() right after an emit can then
        lose its DISCONNECT and CLOSE packets (the server only notices at the next ping). So
        wait (bounded) until every queued packet was written before disconnecting."""
        queue = getattr(self.sio.eio, "queue", None)
        if queue is None or not self.sio.connected:
            return
        deadline = time.monotonic() + WAIT
        while queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)

    def wait_disconnected(self, timeout: float = WAIT) -> Any:
        assert self._disconnected.wait(timeout), f"no disconnect within {timeout:.1f} s"
        return self.disconnect_reasons[0]

    def close(self) -> None:
        try:
            self.disconnect()
        except Exception:  # already gone with the server: nothing left to close
            pass


class ClientPool:
    """Opens the clients of one test, python-socketio or socket.io-client, and closes them all."""

    def __init__(self, token_for: Callable[[str], str], node_driver_factory: Callable[[], Any]):
        self._token_for = token_for
        self._node_driver_factory = node_driver_factory
        self._node_driver = None
        self._clients: list = []

    def node_driver(self):
        """The socket.io-client process of this test (started on first use)."""
        if self._node_driver is None:
            self._node_driver = self._node_driver_factory()
        return self._node_driver

    def new_client(self, kind: str, namespace: str = "/"):
        client = PythonClient(namespace) if kind == "python" else self.node_driver().new_client(namespace)
        self._clients.append(client)
        return client

    def connect(self, url: str, mode: TransportMode, user: Optional[str] = "alice", *,
                kind: str = "python", namespace: str = "/", token: Optional[str] = None,
                auth: Optional[dict] = None, headers: Optional[dict] = None):
        """A connected client of `user` (a fresh token unless token/auth/headers is given).

        Asserts it ended on the mode's final transport, so a failed upgrade does not pass.
        """
        client = self.new_client(kind, namespace)
        if auth is None and headers is None:
            auth = {"token": token if token is not None else self._token_for(user)}
        client.connect(url, mode, auth, headers)
        assert client.transport() == mode.final_transport, \
            f"{kind} {mode.name}: on {client.transport()}, expected {mode.final_transport}"
        return client

    def refused(self, url: str, mode: TransportMode, *, kind: str = "python",
                namespace: str = "/", auth: Optional[dict] = None,
                headers: Optional[dict] = None) -> ConnectRefused:
        """Connects expecting a connect_error; returns it (fails if the connect succeeds)."""
        client = self.new_client(kind, namespace)
        try:
            client.connect(url, mode, auth, headers)
        except ConnectRefused as refusal:
            assert not client.connected
            return refusal
        raise AssertionError(f"{kind} {mode.name}: connect was accepted (sid {client.sid})")

    def close_all(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._node_driver is not None:
            self._node_driver.close()
            self._node_driver = None
