"""The ``socket-gateway`` console script: runs the standalone server that the wheel carries.

pip installs this entry point as ``socket-gateway`` (pyproject.toml, [project.scripts]). It
replaces the Python process with the binary ``socket_gateway/_bin/socket-gateway`` (built from
server/ with the package), passing the arguments through, so ``socket-gateway --help`` and
``socket-gateway mint-token ...`` are the server's own, and the server keeps the PID, receives
the signals and sets the exit status.

Threading: the main thread, before any other exists.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

__all__ = ["binary_path", "main"]


def binary_path() -> Path:
    """Where the package keeps the server binary."""
    return Path(__file__).resolve().parent / "_bin" / "socket-gateway"


def main() -> None:
    """Execs the server binary with this process's arguments; returns only on failure."""
    path = binary_path()
    if not os.access(path, os.X_OK):
        sys.exit(f"socket-gateway: no server binary at {path}: this install of socket_gateway was built "
                 "without it (build the package with scikit-build-core from the project's pyproject.toml)")
    # Python ignores SIGPIPE; give the server the default disposition a shell would.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execv(path, [str(path), *sys.argv[1:]])


if __name__ == "__main__":
    main()
