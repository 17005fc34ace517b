"""Fixtures of the package tests: the artefacts under dist/ (`make wheel`, `make deb`), the tool
virtualenv that built the wheel (auditwheel), the cached clean root, free ports, and a
summary of the measurements (wheel size, install time) printed at the end of the run.

Fixtures:
  version        the project's version (CMakeLists.txt project()).
  wheel_path     dist/socket_gateway-<version>-*.whl (fails when missing: run `make wheel`).
  deb_path       dist/socket-gateway_<version>_amd64.deb (fails when missing: run `make deb`).
  tools_python   build-package/tools/bin/python, which has auditwheel (scripts/build-wheel.sh).
  root_tarball   the cached clean root (clean-root.sh builds it when missing).
  free_port      free_port() -> a loopback port that was free a moment ago.
  measure        measure(name, text): a line of the final summary.

Threading: pytest runs tests sequentially in one thread.
"""
from __future__ import annotations

import os
import pathlib
import re
import socket
import subprocess
from typing import Callable

import pytest

from clean_root import cached_tarball, dispose_stale_roots

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "dist"
_measurements: dict[str, str] = {}


def _one(pattern: str, make_target: str) -> pathlib.Path:
    found = sorted(DIST.glob(pattern))
    if len(found) != 1:
        pytest.fail(f"expected one dist/{pattern}, found {[p.name for p in found]}: run `make {make_target}`")
    return found[0]


@pytest.fixture(scope="session")
def version() -> str:
    text = (REPO_ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(socket_gateway VERSION ([0-9.]+)", text).group(1)


@pytest.fixture(scope="session")
def wheel_path(version: str) -> pathlib.Path:
    return _one(f"socket_gateway-{version}-*.whl", "wheel")


@pytest.fixture(scope="session")
def deb_path(version: str) -> pathlib.Path:
    return _one(f"socket-gateway_{version}_*.deb", "deb")


@pytest.fixture(scope="session")
def tools_python() -> pathlib.Path:
    path = REPO_ROOT / "build-package" / "tools" / "bin" / "python"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make wheel`")
    return path


@pytest.fixture(scope="session")
def root_tarball() -> pathlib.Path:
    if os.geteuid() != 0:
        pytest.fail("the package tests need root (debootstrap, chroot, mount)")
    dispose_stale_roots()
    return cached_tarball()


@pytest.fixture(name="free_port")
def free_port_fixture() -> Callable[[], int]:
    def free_port() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
    return free_port


@pytest.fixture(scope="session")
def measure() -> Callable[[str, str], None]:
    def record(name: str, text: str) -> None:
        _measurements[name] = text
    return record


def pytest_terminal_summary(terminalreporter) -> None:
    if _measurements:
        terminalreporter.section("package measurements")
        for name, text in _measurements.items():
            terminalreporter.write_line(f"{name}: {text}")


def run_host(argv: list, timeout: float = 120) -> str:
    """A host command's stdout; fails with its output when it exits non-zero."""
    done = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout[-4000:]}"
    return done.stdout
