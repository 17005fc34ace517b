"""The test app's control routes (apps/control_routes.py) as the tests call them.

ControlApi.call(method, via, **args) calls a SocketGateway method inside the server through an
async route, a sync route or a background task (`via`); `result()` asserts a 200 and returns the
value. hooks()/wait_for_hook() read what the app's handlers recorded. barrier() proves a negative
without sleeping: it broadcasts a unique marker and waits until every given client has it —
emits reach a connection in the order they were made, so whatever an earlier emit was going to
deliver to those clients has arrived by then.
Threading: the test thread only.
"""
from __future__ import annotations

import dataclasses
import sys
import pathlib
import uuid
from typing import Any, Callable, Optional

import requests

from asgi_clients import WAIT, wait_until

sys.path.insert(0, str(pathlib.Path(__file__).with_name("apps")))
from wire_values import from_wire, to_wire  # noqa: E402

BARRIER_EVENT = "test-barrier"
VIAS = ("async", "sync", "background-sync", "background-async")


@dataclasses.dataclass
class ControlResponse:
    status: int
    body: Any
    text: str


class ControlApi:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def call(self, method: str, via: str = "async", **args: Any) -> ControlResponse:
        """POST /control/{via}/{method} {"args": args} (bytes in args are sent as bytes)."""
        response = self.session.post(f"{self.base_url}/control/{via}/{method}",
                                     json={"args": to_wire(args)}, timeout=WAIT)
        try:
            body = from_wire(response.json())
        except ValueError:
            body = None
        return ControlResponse(response.status_code, body, response.text)

    def result(self, method: str, via: str = "async", **args: Any) -> Any:
        """The value the method returned; fails unless the call answered 200 (or 202 in the
        background, then waits for its recorded outcome and fails on a recorded error)."""
        since = len(self.hooks()) if via.startswith("background") else 0
        response = self.call(method, via, **args)
        if via.startswith("background"):
            assert response.status == 202, f"{via} {method}: {response.status} {response.text}"
            entry = self.wait_for_hook(lambda e: e["kind"] == "background" and e["via"] == via
                                       and e["method"] == method, f"{via} {method} ran", since)
            assert entry["error"] is None, f"{via} {method} failed: {entry['error']}"
            return from_wire(entry["result"])
        assert response.status == 200, f"{via} {method}: {response.status} {response.text}"
        return response.body["result"]

    def hooks(self, since: int = 0) -> list:
        response = self.session.get(f"{self.base_url}/control/hooks", params={"since": since},
                                    timeout=WAIT)
        assert response.status_code == 200, response.text
        return response.json()["entries"]

    def wait_for_hook(self, predicate: Callable[[dict], bool], what: str, since: int = 0,
                      timeout: float = WAIT) -> dict:
        """The first hook entry (from position `since`) matching `predicate`."""
        def find() -> Optional[dict]:
            return next((entry for entry in self.hooks(since) if predicate(entry)), None)
        return wait_until(find, f"hook entry: {what}", timeout)

    def socket_is_gone(self, sid: str, user: str) -> bool:
        """True once rooms(sid) raises KeyError and sids_of_user(user) no longer lists sid."""
        rooms = self.call("rooms", sid=sid)
        if rooms.status != 404:
            return False
        return sid not in self.result("sids_of_user", user_id=user)

    def barrier(self, clients: list, timeout: float = WAIT) -> None:
        """Broadcasts a unique marker on "/" and waits until every client received it."""
        marker = uuid.uuid4().hex
        self.result("broadcast", event=BARRIER_EVENT, data=marker)
        for client in clients:
            client.log.wait_for_args(BARRIER_EVENT, (marker,), timeout)
