"""A python-socketio client in its own process, for tests that kill a client abruptly.

Usage: python standalone_client_process.py URL TOKEN polling|websocket|upgrade
Connects (reconnection off), prints its Socket.IO sid and transport as one JSON line on stdout,
then blocks until the connection ends. The test SIGKILLs it: the kernel closes its sockets with
no Engine.IO close, no Socket.IO DISCONNECT and no WebSocket close frame.
Threading: python-socketio's own threads; the main thread only waits.
"""
import json
import sys

import socketio

TRANSPORTS = {"polling": ["polling"], "websocket": ["websocket"], "upgrade": None}


def main() -> None:
    url, token, mode = sys.argv[1:4]
    client = socketio.Client(reconnection=False)
    client.connect(url, auth={"token": token}, transports=TRANSPORTS[mode], wait_timeout=30)
    print(json.dumps({"sid": client.get_sid(), "transport": client.transport()}), flush=True)
    client.wait()


if __name__ == "__main__":
    main()
