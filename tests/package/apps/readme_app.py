"""The README's FastAPI example, as the package test runs it in the clean root with
`python -m socket_gateway serve readme_app:app`: the five lines from README.md
("For FastAPI users") around a FastAPI app with a route that pushes, and one that answers
the test's readiness probe.
"""
from fastapi import FastAPI

fastapi_app = FastAPI()

from socket_gateway import SocketGateway, ASGIApp  # noqa: E402  (README line 1)
gateway = SocketGateway(jwt_secret="change-me", jwt_algorithms=("HS256",))  # line 2
app = ASGIApp(gateway, other_asgi_app=fastapi_app, socketio_path="socket.io")  # line 3


@fastapi_app.get("/ping")
def ping() -> dict:
    return {"ok": True}


@fastapi_app.post("/notify/{user_id}")
async def notify(user_id: str) -> dict:
    # in any route, async or plain def:  (line 4)
    await gateway.emit_to_user(user_id, "notification", {"text": "hi"})  # line 5
    return {"sent": user_id}
