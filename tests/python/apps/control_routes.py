"""The test app's control routes: the tests call a gateway method through FastAPI in four ways.

POST /control/{via}/{method} with body {"args": {...}} calls `gateway.<method>(**args)` where
method is one of the SocketGateway API methods and `via` chooses where the call runs:
  async             inside an `async def` route, on the server's asyncio loop; the method must
                    return an awaitable, which the route awaits;
  sync              inside a plain `def` route, which FastAPI runs in its threadpool (no running
                    loop there): the method must do the work and return the value itself;
  background-sync   in a sync function queued with BackgroundTasks (runs after the response,
                    in the threadpool);
  background-async  in an async function queued with BackgroundTasks (after the response, on
                    the loop).
The two direct ways answer 200 {"result": value} (bytes as {"$bytes": b64}), 404
{"error": "KeyError", "detail": ...} for a KeyError (an unknown sid), 500 {"error": ...} for
anything else, including a method that returned the wrong kind of value for its context.
The background ways answer 202 at once and record the outcome in the hook log (kind
"background"). Argument values go through wire_values.from_wire, so a test can emit bytes.
Threading: route bodies run on the loop (async) or in FastAPI's threadpool (sync).
"""
from __future__ import annotations

import inspect
import traceback
from typing import Any

from fastapi import APIRouter, BackgroundTasks
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hook_log import HookLog
from wire_values import from_wire, to_wire

GATEWAY_METHODS = frozenset({
    "emit_to_user", "emit_to_room", "broadcast", "join_room", "leave_room", "disconnect",
    "rooms", "sids_of_user", "cluster_status",
})


class GatewayCall(BaseModel):
    """The keyword arguments of one gateway method call, in wire form."""
    args: dict[str, Any] = {}


def _unknown_method(method: str) -> JSONResponse:
    return JSONResponse({"error": "unknown method", "detail": method}, status_code=400)


def _outcome_response(value: Any) -> JSONResponse:
    return JSONResponse({"result": to_wire(value)})


def _error_response(error: BaseException) -> JSONResponse:
    if isinstance(error, KeyError):
        return JSONResponse({"error": "KeyError", "detail": str(error)}, status_code=404)
    return JSONResponse({"error": type(error).__name__, "detail": "".join(
        traceback.format_exception(error))[-2000:]}, status_code=500)


def make_control_router(gateway: Any, hooks: HookLog) -> APIRouter:
    """The /control/... routes calling into `gateway`, recording background outcomes in `hooks`."""
    router = APIRouter(prefix="/control")

    @router.post("/async/{method}")
    async def call_from_async_route(method: str, call: GatewayCall) -> JSONResponse:
        if method not in GATEWAY_METHODS:
            return _unknown_method(method)
        try:
            pending = getattr(gateway, method)(**from_wire(call.args))
            if not inspect.isawaitable(pending):
                raise TypeError(f"{method} returned {pending!r} on the event loop, not an awaitable")
            return _outcome_response(await pending)
        except Exception as error:  # the test reads the failure from the response
            return _error_response(error)

    @router.post("/sync/{method}")
    def call_from_sync_route(method: str, call: GatewayCall) -> JSONResponse:
        if method not in GATEWAY_METHODS:
            return _unknown_method(method)
        try:
            value = getattr(gateway, method)(**from_wire(call.args))
            if inspect.isawaitable(value):
                if inspect.iscoroutine(value):
                    value.close()
                raise TypeError(f"{method} returned an awaitable in a thread without a loop")
            return _outcome_response(value)
        except Exception as error:  # the test reads the failure from the response
            return _error_response(error)

    def record_background(via: str, method: str, value: Any = None,
                          error: BaseException | None = None) -> None:
        hooks.record("background", via=via, method=method, result=to_wire(value),
                     error=None if error is None else f"{type(error).__name__}: {error}")

    def run_in_threadpool_task(method: str, args: dict) -> None:
        try:
            value = getattr(gateway, method)(**args)
            if inspect.isawaitable(value):
                if inspect.iscoroutine(value):
                    value.close()
                raise TypeError(f"{method} returned an awaitable in a thread without a loop")
            record_background("background-sync", method, value)
        except Exception as error:  # recorded for the test
            record_background("background-sync", method, error=error)

    async def run_in_loop_task(method: str, args: dict) -> None:
        try:
            pending = getattr(gateway, method)(**args)
            if not inspect.isawaitable(pending):
                raise TypeError(f"{method} returned {pending!r} on the event loop, not an awaitable")
            record_background("background-async", method, await pending)
        except Exception as error:  # recorded for the test
            record_background("background-async", method, error=error)

    @router.post("/background-sync/{method}", status_code=202)
    async def call_from_sync_background_task(method: str, call: GatewayCall,
                                             tasks: BackgroundTasks) -> Any:
        if method not in GATEWAY_METHODS:
            return _unknown_method(method)
        tasks.add_task(run_in_threadpool_task, method, from_wire(call.args))
        return {"queued": method}

    @router.post("/background-async/{method}", status_code=202)
    async def call_from_async_background_task(method: str, call: GatewayCall,
                                              tasks: BackgroundTasks) -> Any:
        if method not in GATEWAY_METHODS:
            return _unknown_method(method)
        tasks.add_task(run_in_loop_task, method, from_wire(call.args))
        return {"queued": method}

    @router.get("/hooks")
    async def hook_entries(since: int = 0) -> Any:
        return {"entries": hooks.entries(since)}

    return router
