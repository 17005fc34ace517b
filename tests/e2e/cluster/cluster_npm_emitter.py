"""The official npm @socket.io/redis-emitter, driven from pytest through tests/e2e/node/
redis_emitter_cli.mjs (one subprocess per batch of operations).

`run()` returns once Redis has processed every PUBLISH of the batch, so an emit made this way
precedes, in Redis order, anything the test publishes afterwards (e.g. a barrier).

Threading: the pytest thread only.
"""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
from typing import Optional

from cluster_nodes import scaled

NODE_DIR = pathlib.Path(__file__).resolve().parents[1] / "node"
CLI = NODE_DIR / "redis_emitter_cli.mjs"


def binary(data: bytes) -> dict:
    """An emit argument the CLI turns into a Buffer (msgpack bin on the wire)."""
    return {"$binary": data.hex()}


class NpmEmitter:
    def __init__(self, redis_url: str, prefix: str):
        self.redis_url = redis_url
        self.prefix = prefix
        node = shutil.which("node")
        assert node, "node is not installed (scripts/install-test-deps.sh)"
        assert (NODE_DIR / "node_modules" / "@socket.io" / "redis-emitter").is_dir(), \
            f"npm packages missing in {NODE_DIR}: run scripts/install-test-deps.sh"
        self._node = node

    def run(self, *ops: dict) -> None:
        argv = [self._node, str(CLI), "--redis-url", self.redis_url, "--prefix", self.prefix]
        done = subprocess.run(argv, cwd=NODE_DIR, input=json.dumps(list(ops)), capture_output=True,
                              text=True, timeout=scaled(20))
        assert done.returncode == 0, f"redis_emitter_cli failed ({done.returncode}):\n{done.stderr}"

    # --- one operation each ---------------------------------------------------------------------
    def emit(self, event: str, *args, rooms: Optional[list] = None, except_: Optional[list] = None,
             namespace: str = "/") -> None:
        self.run({"op": "emit", "namespace": namespace, "rooms": rooms or [],
                  "except": except_ or [], "event": event, "args": list(args)})

    def sockets_join(self, join: list, rooms: Optional[list] = None,
                     except_: Optional[list] = None, namespace: str = "/") -> None:
        self.run({"op": "socketsJoin", "namespace": namespace, "rooms": rooms or [],
                  "except": except_ or [], "join": join})

    def sockets_leave(self, leave: list, rooms: Optional[list] = None,
                      except_: Optional[list] = None, namespace: str = "/") -> None:
        self.run({"op": "socketsLeave", "namespace": namespace, "rooms": rooms or [],
                  "except": except_ or [], "leave": leave})

    def disconnect_sockets(self, rooms: Optional[list] = None, except_: Optional[list] = None,
                           close: bool = True, namespace: str = "/") -> None:
        self.run({"op": "disconnectSockets", "namespace": namespace, "rooms": rooms or [],
                  "except": except_ or [], "close": close})
