"""SIGTERM / SIGINT drain (docs/configuration.md): every connected client receives a Socket.IO
DISCONNECT (python-socketio reports "server disconnect"), /healthz answers 503 {"status":
"draining"} while the server drains, new connections are refused, and the process exits 0 within
a few seconds.

A thread polls /healthz from the signal until the process is gone; every answer to a request sent
after the clients saw their disconnect (so surely during the drain) must be the 503.
"""
from __future__ import annotations

import signal
import threading
import time

import pytest
import requests
import socketio

from standalone_clients import TRANSPORT_MODES, scaled

DRAIN_SECONDS = 5.0  # "exits 0 within a few seconds"


class HealthWatcher(threading.Thread):
    """Polls /healthz until the server stops answering; keeps (sent_at, status, body).

    A draining server refuses new connections, so the watcher opens its keep-alive connection
    before the signal (constructor) and asks over it afterwards."""

    def __init__(self, url: str, process):
        super().__init__(daemon=True)
        self.url, self.process = url + "/healthz", process
        self.http = requests.Session()
        before = self.http.get(self.url, timeout=scaled(5))
        assert before.status_code == 200, before.text
        self.answers: list = []

    def run(self) -> None:
        deadline = time.monotonic() + scaled(DRAIN_SECONDS + 5)
        while self.process.poll() is None and time.monotonic() < deadline:
            sent_at = time.monotonic()
            try:
                response = self.http.get(self.url, timeout=1)
            except requests.RequestException:
                time.sleep(0.01)
                continue  # refused or reset: the listener is closed
            try:
                body = response.json()
            except ValueError:
                body = response.text
            self.answers.append((sent_at, response.status_code, body))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_drains_clients_and_exits_zero(start_gateway, clients, mint_token, transport, signum):
    server = start_gateway()
    connected = [clients.connect(server, transport, "alice") for _ in range(2)]
    connected += [clients.connect(server, mode, "bob") for mode in TRANSPORT_MODES if mode != transport]
    watcher = HealthWatcher(server.url, server.process)

    server.signal(signum)
    watcher.start()
    for client in connected:
        client.wait_disconnected(DRAIN_SECONDS)
    all_disconnects_seen = time.monotonic()
    refused = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(server.url, auth={"token": mint_token("late")}, wait_timeout=scaled(2))
    exit_code = server.wait_exit(scaled(DRAIN_SECONDS))
    watcher.join(scaled(DRAIN_SECONDS + 5))

    assert exit_code == 0, f"exit code {exit_code} (None: still running {scaled(DRAIN_SECONDS)} s on)"
    for client in connected:
        assert client.disconnects["/"] == ["server disconnect"], client.disconnects
        assert "1" in client.socket_packets, \
            f"{client.transport or 'closed'}: no Socket.IO DISCONNECT among {client.socket_packets[-5:]}"
    assert any(status == 503 for _, status, _ in watcher.answers), \
        f"no 503 from /healthz over a connection opened before the signal: {watcher.answers[:5]}"
    for sent_at, status, body in watcher.answers:
        if sent_at > all_disconnects_seen:
            assert (status, body) == (503, {"status": "draining"}), (status, body)
        else:
            assert (status, body) in ((200, {"status": "ok"}), (503, {"status": "draining"})), (status, body)


def test_signal_with_no_clients_exits_zero_promptly(start_gateway):
    server = start_gateway()
    server.signal(signal.SIGTERM)
    assert server.wait_exit(scaled(DRAIN_SECONDS)) == 0
