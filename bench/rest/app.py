"""The app of the REST scenario (bench/rest_scenario.py): a small FastAPI JSON API mounted beside
a Socket Gateway exactly as our users deploy it, ``ASGIApp(gateway, other_asgi_app=api)``; the
same ``app`` object is served by ``python -m socket_gateway serve``, uvicorn and granian.

  GET  /api/status   a small JSON object (what a health or lookup route returns)
  POST /api/orders   a JSON body validated by a pydantic model; echoes its fields back

The routes are ``async def``, as FastAPI's documentation writes small routes: a plain ``def``
route would add a hop to the thread pool on every server alike and measure that instead.
The gateway has one core thread (``threads=1``) and no client during the scenario.

Threading: the routes run on the server's asyncio loop; the gateway's core on its own thread.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from pydantic import BaseModel
from socket_gateway import ASGIApp, SocketGateway


class Order(BaseModel):
    item: str
    quantity: int = 1
    note: str | None = None


api = FastAPI()


@api.get("/api/status")
async def status() -> dict:
    return {"status": "ok", "service": "orders", "version": 3, "ready": True}


@api.post("/api/orders")
async def create_order(order: Order) -> dict:
    return {"accepted": True, "item": order.item, "quantity": order.quantity}


gateway = SocketGateway(
    jwt_secret=os.environ.get("BENCH_JWT_SECRET", "rest-bench-secret-0123456789abcdef"),
    jwt_algorithms=("HS256",),
    threads=1,
    log_level="warn",
)
app = ASGIApp(gateway, other_asgi_app=api)
