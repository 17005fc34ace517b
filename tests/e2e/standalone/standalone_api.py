"""The standalone gateway's HTTP API (docs/http-api.md) as a backend service uses it.

GatewayApi sends requests with `requests` and a bounded timeout and returns ApiResponse (status,
parsed JSON body or None, raw text, headers). `barrier` proves a negative without sleeping: it
broadcasts a unique marker and waits until every given client has it. Emits reach a connection in
the order they were issued, so anything an earlier emit was going to deliver to those clients has
arrived by then; a client that still lacks an event after the barrier was never sent it.

Threading: used from the test thread only (barrier waits on the clients' EventLogs).
"""
from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any, Optional
from urllib.parse import quote

import requests

from standalone_clients import scaled

NO_DATA = object()  # leave "data" out of an emit body
BARRIER_EVENT = "e2e-barrier"


@dataclasses.dataclass
class ApiResponse:
    status: int
    body: Any  # parsed JSON, or None when the body is not JSON
    text: str
    headers: Any

    def error_reason(self) -> str:
        """The "error" of a JSON error body; fails the test if the body is anything else."""
        assert isinstance(self.body, dict) and isinstance(self.body.get("error"), str), \
            f"status {self.status}: error body is not {{\"error\": ...}} JSON: {self.text[:300]!r}"
        return self.body["error"]


def segment(value: str) -> str:
    """A URL path segment holding `value` exactly."""
    return quote(value, safe="")


def emit_body(event: Any, data: Any = NO_DATA, namespace: Any = None) -> dict:
    body = {"event": event}
    if data is not NO_DATA:
        body["data"] = data
    if namespace is not None:
        body["namespace"] = namespace
    return body


class GatewayApi:
    def __init__(self, base_url: str, api_key: Optional[str] = None):
        self.base_url = base_url
        self.api_key = api_key
        self.session = requests.Session()

    def request(self, method: str, path: str, *, body: Any = NO_DATA, raw: Optional[bytes] = None,
                headers: Optional[dict] = None, params: Optional[dict] = None) -> ApiResponse:
        """Any request; `body` is sent as JSON, `raw` as it is (Content-Type: application/json)."""
        all_headers = {}
        if self.api_key is not None:
            all_headers["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if body is not NO_DATA:
            data = json.dumps(body).encode()
        elif raw is not None:
            data = raw
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        response = self.session.request(method, self.base_url + path, data=data,
                                        headers=all_headers, params=params, timeout=scaled(10))
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        return ApiResponse(response.status_code, parsed, response.text, response.headers)

    # --- emitting -------------------------------------------------------------------------------
    def emit_to_user(self, user: str, event: Any, data: Any = NO_DATA, namespace: Any = None,
                     params: Optional[dict] = None) -> ApiResponse:
        return self.request("POST", f"/api/v1/users/{segment(user)}/events",
                            body=emit_body(event, data, namespace), params=params)

    def emit_to_room(self, room: str, event: Any, data: Any = NO_DATA, namespace: Any = None,
                     params: Optional[dict] = None) -> ApiResponse:
        return self.request("POST", f"/api/v1/rooms/{segment(room)}/events",
                            body=emit_body(event, data, namespace), params=params)

    def broadcast(self, event: Any, data: Any = NO_DATA, namespace: Any = None,
                  params: Optional[dict] = None) -> ApiResponse:
        return self.request("POST", "/api/v1/events", body=emit_body(event, data, namespace),
                            params=params)

    # --- rooms, sockets, users ------------------------------------------------------------------
    def join(self, sid: str, room: str, params: Optional[dict] = None) -> ApiResponse:
        return self.request("PUT", f"/api/v1/sockets/{segment(sid)}/rooms/{segment(room)}",
                            params=params)

    def leave(self, sid: str, room: str, params: Optional[dict] = None) -> ApiResponse:
        return self.request("DELETE", f"/api/v1/sockets/{segment(sid)}/rooms/{segment(room)}",
                            params=params)

    def rooms_of(self, sid: str, params: Optional[dict] = None) -> ApiResponse:
        return self.request("GET", f"/api/v1/sockets/{segment(sid)}/rooms", params=params)

    def disconnect(self, sid: str, params: Optional[dict] = None) -> ApiResponse:
        return self.request("DELETE", f"/api/v1/sockets/{segment(sid)}", params=params)

    def sockets_of(self, user: str) -> ApiResponse:
        return self.request("GET", f"/api/v1/users/{segment(user)}/sockets")

    def socket_is_gone(self, sid: str, user: str) -> bool:
        """True once GET rooms of `sid` is 404 and `user`'s socket list no longer has it."""
        rooms = self.rooms_of(sid)
        if rooms.status != 404:
            return False
        sockets = self.sockets_of(user)
        return sockets.status == 200 and sid not in sockets.body["sids"]

    # --- negative proofs ------------------------------------------------------------------------
    def barrier(self, clients: list, namespace: str = "/", timeout: float = 5.0) -> None:
        """Broadcasts a unique marker on `namespace` and waits until every client received it."""
        marker = uuid.uuid4().hex
        response = self.broadcast(BARRIER_EVENT, marker, namespace=namespace)
        assert response.status == 202, f"barrier broadcast: {response.status} {response.text}"
        for client in clients:
            client.log.wait_for_args(BARRIER_EVENT, (marker,), namespace, timeout)
