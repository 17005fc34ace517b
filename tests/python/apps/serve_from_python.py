"""Serves plain_asgi_app through `socket_gateway.serve()` called from Python (not the command
line): `python serve_from_python.py PORT`.

Threading: the main thread (serve() handles signals there).
"""
from __future__ import annotations

import sys

import socket_gateway
from plain_asgi_app import app

if __name__ == "__main__":
    socket_gateway.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=1, log_level="info")
