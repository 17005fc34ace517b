"""The "still serving" check of the bad-input tests.

A Witnessed server has three ordinary python-socketio clients (one per transport mode) connected
before a test misbehaves. `assert_still_serving` then proves the abuse harmed nobody else: each
witness receives a fresh emit, /healthz is 200, /metrics answers, and a brand-new client can
connect and receive too.

Threading: test thread only.
"""
from __future__ import annotations

import dataclasses
import uuid

from standalone_api import GatewayApi
from standalone_clients import TRANSPORT_MODES

# Limits of the server the bad-input tests run against: small enough to reach quickly.
MAX_PAYLOAD = 100_000
MAX_QUEUE_BYTES = 262_144
WITNESS_USER = "witness"


@dataclasses.dataclass
class Witnessed:
    server: object
    api: GatewayApi
    witnesses: list
    clients: object  # the test's ClientPool

    def assert_still_serving(self) -> None:
        assert self.server.process.poll() is None, "the server process died"
        health = self.api.request("GET", "/healthz")
        assert (health.status, health.body) == (200, {"status": "ok"}), health.text
        assert self.api.request("GET", "/metrics").status == 200
        newcomer = self.clients.connect(self.server, "websocket", WITNESS_USER)
        marker = uuid.uuid4().hex
        sent = self.api.emit_to_user(WITNESS_USER, "still-there", marker)
        assert sent.status == 202, sent.text
        for client in self.witnesses + [newcomer]:
            client.log.wait_for_args("still-there", (marker,))


def start_witnessed(start_gateway, clients, *extra_flags: str) -> Witnessed:
    server = start_gateway("--max-payload", str(MAX_PAYLOAD), "--max-queue-bytes",
                           str(MAX_QUEUE_BYTES), *extra_flags)
    witnesses = [clients.connect(server, mode, WITNESS_USER) for mode in TRANSPORT_MODES]
    return Witnessed(server, GatewayApi(server.url), witnesses, clients)
