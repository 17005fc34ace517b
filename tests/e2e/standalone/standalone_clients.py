"""python-socketio clients for the standalone gateway tests, with bounded waits everywhere.

TRANSPORT_MODES is the parametrisation of every transport-sensitive test: polling only, WebSocket
only, and the default (a polling handshake upgraded to WebSocket). GatewayClient wraps a
`socketio.Client` (reconnection off) and records every event it receives, per namespace, in an
EventLog that tests wait on with a timeout. ClientPool (the `clients` fixture) opens them and
closes them all when the test ends.

Threading: python-socketio delivers events on its own reader threads; EventLog is guarded by a
Condition so the test thread can wait on it. Everything else is used from the test thread.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any, Callable, Optional

import socketio

# Set by the standalone conftest from the shared `timeout_factor` fixture (5 on sanitizer builds).
TIME_FACTOR = 1.0


def scaled(seconds: float) -> float:
    return seconds * TIME_FACTOR


@dataclasses.dataclass(frozen=True)
class TransportMode:
    name: str
    transports: Optional[list]  # what connect() gets; None = polling then upgrade
    final_transport: str  # what the connection must be using once connect() returns


TRANSPORT_MODES = [
    TransportMode("polling", ["polling"], "polling"),
    TransportMode("websocket", ["websocket"], "websocket"),
    TransportMode("upgrade", None, "websocket"),
]
MODES_BY_NAME = {mode.name: mode for mode in TRANSPORT_MODES}


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    """Polls `condition` until it returns something truthy; fails after scaled(`timeout`) s."""
    deadline = time.monotonic() + scaled(timeout)
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # a request that failed: keep trying until the deadline
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"not within {scaled(timeout):.1f} s: {what}{detail}")
        time.sleep(0.02)


class EventLog:
    """Every (namespace, event, args) a client received, in arrival order."""

    def __init__(self):
        self._entries: list = []
        self._changed = threading.Condition()

    def record(self, namespace: str, event: str, args: tuple) -> None:
        with self._changed:
            self._entries.append((namespace, event, args))
            self._changed.notify_all()

    def args_of(self, event: str, namespace: str = "/") -> list:
        """The argument tuples of every `event` received on `namespace` so far."""
        with self._changed:
            return [a for (ns, e, a) in self._entries if e == event and ns == namespace]

    def names(self, namespace: str = "/") -> list:
        with self._changed:
            return [e for (ns, e, _) in self._entries if ns == namespace]

    def wait_for(self, event: str, count: int = 1, namespace: str = "/", timeout: float = 5.0) -> list:
        """The argument tuples of the first `count` `event`s; fails if they do not all arrive."""
        def enough(found):
            return len(found) >= count
        return self._wait(event, namespace, enough, f"{count} '{event}'", timeout)[:count]

    def wait_for_args(self, event: str, args: tuple, namespace: str = "/", timeout: float = 5.0):
        """Waits until an `event` carrying exactly `args` has arrived."""
        def present(found):
            return args in found
        self._wait(event, namespace, present, f"'{event}' with {args!r}"[:200], timeout)

    def _wait(self, event, namespace, satisfied, what, timeout) -> list:
        deadline = time.monotonic() + scaled(timeout)
        with self._changed:
            while True:
                found = [a for (ns, e, a) in self._entries if e == event and ns == namespace]
                if satisfied(found):
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no {what} on {namespace} within {scaled(timeout):.1f} s "
                        f"({len(found)} '{event}' so far); last events received: "
                        f"{[(ns, e) for (ns, e, _) in self._entries][-10:]}")
                self._changed.wait(remaining)


class GatewayClient:
    """One python-socketio client; `log` has its events, `disconnects` its disconnect reasons,
    `connect_errors` the data of its connect_error events, per namespace."""

    def __init__(self, namespaces: list):
        self.namespaces = namespaces
        self.sio = socketio.Client(reconnection=False)
        self.log = EventLog()
        self.connect_errors: dict = {ns: [] for ns in namespaces}
        self.disconnects: dict = {ns: [] for ns in namespaces}
        self._disconnected = threading.Event()
        self.socket_packets: list = []  # raw Socket.IO packets received, e.g. "1" (DISCONNECT)
        for namespace in namespaces:
            self._listen(namespace)
        self._deliver_events_in_wire_order()

    def _deliver_events_in_wire_order(self) -> None:
        """python-engineio hands every received message to a new thread, so two events sent in
        order can reach the handlers out of order. This keeps every text packet in arrival order
        (`socket_packets`, e.g. "1" is a DISCONNECT of "/") and runs EVENT packets ("2…") on the
        reader thread itself, so the EventLog holds what the wire carried, in its order. Other
        packets keep the library's threads (a DISCONNECT joins the reader thread)."""
        eio = self.sio.eio
        trigger = eio._trigger_event

        def trigger_in_order(event, *args, **kwargs):
            if event == "message" and args and isinstance(args[0], str):
                self.socket_packets.append(args[0])
                if args[0].startswith("2"):
                    kwargs["run_async"] = False
            return trigger(event, *args, **kwargs)

        eio._trigger_event = trigger_in_order

    def _listen(self, namespace: str) -> None:
        def on_any(event, *args):
            self.log.record(namespace, event, args)

        def on_connect_error(*data):
            self.connect_errors[namespace].append(data[0] if len(data) == 1 else data)

        def on_disconnect(reason=None):
            self.disconnects[namespace].append(reason)
            self._disconnected.set()

        self.sio.on("*", on_any, namespace=namespace)
        self.sio.on("connect_error", on_connect_error, namespace=namespace)
        self.sio.on("disconnect", on_disconnect, namespace=namespace)

    def connect(self, url: str, mode: TransportMode, auth: Optional[dict], headers: Optional[dict]):
        self.sio.connect(url, auth=auth, headers=headers or {}, transports=mode.transports,
                         namespaces=self.namespaces, wait_timeout=scaled(5))

    def sid(self, namespace: str = "/") -> str:
        sid = self.sio.get_sid(namespace)
        assert sid, f"no Socket.IO sid for {namespace}"
        return sid

    @property
    def transport(self) -> Optional[str]:
        return self.sio.transport()

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def wait_disconnected(self, timeout: float = 5.0) -> None:
        assert self._disconnected.wait(scaled(timeout)), \
            f"no disconnect within {scaled(timeout):.1f} s"

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # already gone with the server: nothing left to close
            pass


class ClientPool:
    """Opens GatewayClients for one test and closes them all at its end."""

    def __init__(self, token_for: Callable[[str], str]):
        self._token_for = token_for
        self._clients: list = []

    def connect(self, server, mode: TransportMode | str, user: Optional[str] = "alice", *,
                token: Optional[str] = None, auth: Optional[dict] = None,
                headers: Optional[dict] = None, namespaces: Optional[list] = None) -> GatewayClient:
        """A connected client of `user` (a fresh token unless `token`/`auth` is given).

        Asserts the connection ended on the mode's final transport, so an upgrade that silently
        failed does not pass as "upgrade".
        """
        mode = MODES_BY_NAME[mode] if isinstance(mode, str) else mode
        client = GatewayClient(namespaces or ["/"])
        self._clients.append(client)
        if auth is None and headers is None:
            auth = {"token": token if token is not None else self._token_for(user)}
        client.connect(server.url, mode, auth, headers)
        assert client.transport == mode.final_transport, \
            f"{mode.name}: connected over {client.transport}, expected {mode.final_transport}"
        return client

    def refused(self, server, mode: TransportMode | str, *, auth: Optional[dict] = None,
                headers: Optional[dict] = None, namespaces: Optional[list] = None):
        """Connects expecting a refusal: returns (client, ConnectionError)."""
        mode = MODES_BY_NAME[mode] if isinstance(mode, str) else mode
        client = GatewayClient(namespaces or ["/"])
        self._clients.append(client)
        try:
            client.connect(server.url, mode, auth, headers)
        except socketio.exceptions.ConnectionError as error:
            return client, error
        raise AssertionError(f"{mode.name}: connection was accepted (sid {client.sio.get_sid()})")

    def close_all(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
