"""socket.io-client (npm) connections for the ASGI-mode tests, driven from pytest.

NodeDriver runs tests/python/node/client-driver.mjs in a child process and speaks its
line-delimited JSON protocol (documented in that file); NodeClient is one socket in it, with the
same interface as asgi_clients.PythonClient. A driver holds every node client of one test, so
killing it (kill()) is a client process dying with its connections open, and freeze() is a
client that hangs: its sockets stay open but it answers nothing, not even pings.

Threading: a reader thread parses the driver's stdout and hands replies to the waiting test
thread (one Event per request) and events to the clients' EventLogs; requests are written from
the test thread only.
"""
from __future__ import annotations

import itertools
import json
import pathlib
import signal
import subprocess
import sys
import threading
from typing import Any, Optional

from asgi_clients import WAIT, ConnectRefused, EventLog, TransportMode

sys.path.insert(0, str(pathlib.Path(__file__).with_name("apps")))
from wire_values import from_wire, to_wire  # noqa: E402

DRIVER = pathlib.Path(__file__).with_name("node") / "client-driver.mjs"


class NodeDriver:
    """One node process holding socket.io-client sockets; its stderr goes to `log_path`."""

    def __init__(self, log_path: pathlib.Path):
        if not (DRIVER.parent / "node_modules" / "socket.io-client").is_dir():
            raise RuntimeError(f"{DRIVER.parent}/node_modules is missing: run scripts/install-test-deps.sh")
        self.log_path = log_path
        self._log_file = open(log_path, "wb")
        self.process = subprocess.Popen(["node", str(DRIVER)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._log_file)
        self._ids = itertools.count(1)
        self._handles = itertools.count(1)
        self._lock = threading.Lock()
        self._replies: dict = {}
        self._waiters: dict = {}
        self.clients: dict = {}
        self.frozen = False
        self._reader = threading.Thread(target=self._read_lines, name="node-driver-reader",
                                        daemon=True)
        self._reader.start()

    def _read_lines(self) -> None:
        for raw in self.process.stdout:
            message = json.loads(raw)
            if "id" in message:
                with self._lock:
                    self._replies[message["id"]] = message
                    waiter = self._waiters.get(message["id"])
                if waiter is not None:
                    waiter.set()
                continue
            client = self.clients.get(message.get("handle"))
            if client is None:
                continue
            if message["type"] == "event":
                client.log.record(message["event"], tuple(from_wire(message["args"])))
            elif message["type"] == "disconnect":
                client.on_disconnect(message["reason"])

    def request(self, op: str, timeout: float = WAIT, **fields: Any) -> dict:
        """Sends one request and returns its reply (fails after `timeout` + 2 s)."""
        request_id = next(self._ids)
        answered = threading.Event()
        with self._lock:
            self._waiters[request_id] = answered
        line = json.dumps({"id": request_id, "op": op, "timeoutMs": int(timeout * 1000), **fields})
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()
        if not answered.wait(timeout + 2):
            raise AssertionError(f"node driver: no reply to {op} within {timeout + 2:.1f} s; "
                                 f"stderr: {self.stderr_text()[-2000:]}")
        with self._lock:
            self._waiters.pop(request_id)
            return self._replies.pop(request_id)

    def new_client(self, namespace: str = "/") -> "NodeClient":
        client = NodeClient(self, f"c{next(self._handles)}", namespace)
        self.clients[client.handle] = client
        return client

    def freeze(self) -> None:
        """Stops the process (SIGSTOP) after it answered: every socket in it goes silent."""
        reply = self.request("freeze")
        assert reply["ok"], reply
        self.frozen = True

    def kill(self) -> None:
        """SIGKILL: the kernel closes its sockets without any Engine.IO or WebSocket close."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stderr_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                if self.frozen:
                    raise OSError("a stopped process reads nothing")
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(timeout=WAIT)
        self._log_file.close()


class NodeClient:
    """One socket.io-client socket (its own Manager, reconnection off) inside a NodeDriver."""

    kind = "node"

    def __init__(self, driver: NodeDriver, handle: str, namespace: str):
        self.driver = driver
        self.handle = handle
        self.namespace = namespace
        self.log = EventLog()
        self.disconnect_reasons: list = []
        self._disconnected = threading.Event()
        self._sid: Optional[str] = None

    def on_disconnect(self, reason: str) -> None:
        self.disconnect_reasons.append(reason)
        self._disconnected.set()

    def connect(self, url: str, mode: TransportMode, auth: Optional[dict],
                headers: Optional[dict]) -> None:
        reply = self.driver.request("connect", handle=self.handle, url=url,
                                    namespace=self.namespace, transports=mode.transports,
                                    upgrade=mode.transports is None, auth=auth, headers=headers)
        if not reply["ok"]:
            if reply.get("refused"):
                raise ConnectRefused(reply["error"], reply.get("data"))
            raise AssertionError(f"node client {self.handle}: {reply['error']}")
        self._sid = reply["sid"]

    @property
    def sid(self) -> str:
        assert self._sid, f"node client {self.handle} is not connected"
        return self._sid

    def transport(self) -> Optional[str]:
        return self.driver.request("transport", handle=self.handle)["transport"]

    @property
    def connected(self) -> bool:
        if self.driver.process.poll() is not None:
            return False
        return bool(self.driver.request("transport", handle=self.handle).get("connected"))

    def emit(self, event: str, *args: Any) -> None:
        reply = self.driver.request("emit", handle=self.handle, event=event, args=to_wire(list(args)),
                                    ack=False)
        assert reply["ok"], reply

    def call(self, event: str, *args: Any, timeout: float = WAIT) -> list:
        """Emits with an ack callback; returns the ack's arguments as a list."""
        reply = self.driver.request("emit", timeout=timeout, handle=self.handle, event=event,
                                    args=to_wire(list(args)), ack=True)
        assert reply["ok"], f"no ack for '{event}': {reply.get('error')}"
        return from_wire(reply["ackArgs"])

    def disconnect(self) -> None:
        reply = self.driver.request("disconnect", handle=self.handle)
        assert reply["ok"], reply

    def cut_transport(self) -> None:
        """Closes the Engine.IO connection without a DISCONNECT packet (a lost connection)."""
        reply = self.driver.request("cut", handle=self.handle)
        assert reply["ok"], reply

    def come_back(self) -> bool:
        """Reconnects after cut_transport(); returns socket.recovered (the sid is updated)."""
        reply = self.driver.request("come_back", handle=self.handle)
        assert reply["ok"], f"node client {self.handle} did not come back: {reply.get('error')}"
        self._sid = reply["sid"]
        return reply["recovered"]

    def wait_disconnected(self, timeout: float = WAIT) -> Any:
        assert self._disconnected.wait(timeout), f"no disconnect within {timeout:.1f} s"
        return self.disconnect_reasons[0]

    def close(self) -> None:
        if self.driver.process.poll() is None and not self.driver.frozen:
            try:
                self.driver.request("disconnect", timeout=2, handle=self.handle)
            except (AssertionError, OSError):
                pass  # a frozen or dead driver: closed with the process
