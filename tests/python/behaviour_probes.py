"""The probes of apps/http_behaviour_app.py as the tests read them.

A route of that app records what it saw under a probe name the test chose; Probes reads it
through GET /probe/{name} on a connection of its own, waits (bounded) for a condition on it,
and releases a waiting route with POST /release/{name}.
Threading: the test thread only.
"""
from __future__ import annotations

import uuid
from typing import Any, Callable

import requests

from asgi_clients import WAIT, wait_until

BEHAVIOUR_APP = "http_behaviour_app:app"


def new_probe(prefix: str = "probe") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Probes:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def read(self, name: str) -> dict:
        response = self.session.get(f"{self.base_url}/probe/{name}", timeout=WAIT)
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, name: str, condition: Callable[[dict], Any], what: str,
             timeout: float = WAIT) -> dict:
        """The probe once `condition(probe)` is truthy."""
        return wait_until(lambda: (lambda seen: seen if condition(seen) else None)(self.read(name)),
                          f"probe {name}: {what}", timeout)

    def release(self, name: str) -> None:
        response = self.session.post(f"{self.base_url}/release/{name}", timeout=WAIT)
        assert response.status_code == 200, response.text
