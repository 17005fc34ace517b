"""The wheel is self-contained: in a clean Debian 12 root (no compiler, no Boost, no OpenSSL or
hiredis headers, nothing of this checkout) one `pip install` of dist/'s wheel into a venv gives
the `socket-gateway` server and the socket_gateway package; both push to a client.

Checks: `auditwheel show` names a manylinux tag, the wheel's own; `ldd` (in the root) of every
ELF file in the wheel resolves inside the wheel or to a library of that tag's policy; the console
script runs the bundled binary (`--version`, `--help`, `mint-token`); the standalone server
delivers an HTTP API push to a python-socketio client; a FastAPI app built on the README's five
lines, run with `python -m socket_gateway serve`, delivers a push made in a FastAPI route.

The root installs only the wheel (pip --no-index), plus FastAPI for the app from a wheelhouse
that the host's pip downloads from PyPI; the clients run on the host (the root shares its
network). Measured: wheel size and the time of the wheel's pip install, in the summary.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import time
import zipfile

import pytest

from clean_root import CleanRoot
from conftest import REPO_ROOT, run_host
from push_client import PushClient, RootServer

VENV = "/opt/sg"
TAG_LINE = re.compile(r'consistent with the following platform tag:\s*"(manylinux_\d+_\d+_x86_64)"')


@pytest.fixture(scope="module")
def manylinux_tag(wheel_path, tools_python) -> str:
    shown = run_host([tools_python, "-m", "auditwheel", "show", wheel_path])
    found = TAG_LINE.search(" ".join(shown.split()))
    assert found, f"auditwheel show names no manylinux tag:\n{shown}"
    return found.group(1)


@pytest.fixture(scope="module")
def wheel_root(root_tarball, wheel_path, measure):
    """A clean root with a venv at /opt/sg holding the wheel, and FastAPI for the README app."""
    with CleanRoot(root_tarball, "wheel") as root:
        inside = f"/tmp/pkg/{wheel_path.name}"
        root.host_path("/tmp/pkg").mkdir(parents=True)
        shutil.copy(wheel_path, root.host_path(inside))
        run_host([sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
                  "--dest", root.host_path("/tmp/wheelhouse"), "fastapi"], timeout=300)
        root.run(f"python3 -m venv {VENV}")
        started = time.monotonic()
        root.run(f"{VENV}/bin/pip install --no-index --no-cache-dir {inside}")
        measure("pip install of the wheel into a fresh venv (clean root)", f"{time.monotonic() - started:.1f} s")
        installed = root.run(f"{VENV}/bin/pip list --format=freeze").stdout.split()
        assert {line.split("==")[0] for line in installed} <= {"socket-gateway", "socket_gateway", "pip", "setuptools"}, \
            f"the wheel brought more than itself: {installed}"
        root.run(f"{VENV}/bin/pip install -q --no-index --only-binary=:all: --find-links /tmp/wheelhouse fastapi",
                 timeout=300)
        root.host_path("/opt/app").mkdir(parents=True)
        shutil.copy(REPO_ROOT / "tests/package/apps/readme_app.py", root.host_path("/opt/app/readme_app.py"))
        yield root


def test_the_root_has_none_of_the_build_dependencies(wheel_root):
    assert wheel_root.run("command -v cc gcc g++ c++ cmake", check=False).stdout == ""
    for package in ("libboost-json1.81-dev", "libboost-json1.81.0", "libssl-dev", "libhiredis-dev",
                    "libhiredis0.14", "python3-dev"):
        assert wheel_root.run(f"dpkg -s {package}", check=False).returncode != 0, f"{package} is in the root"
    assert not wheel_root.host_path("/usr/include/boost").exists()


def test_auditwheel_names_the_wheels_manylinux_tag(wheel_path, manylinux_tag, measure):
    assert f"-{manylinux_tag}.whl" in wheel_path.name or f".{manylinux_tag}." in wheel_path.name, wheel_path.name
    measure("manylinux tag (auditwheel show)", manylinux_tag)
    measure("wheel", f"{wheel_path.name}, {wheel_path.stat().st_size / 1e6:.1f} MB")


def _policy_libraries(tools_python, tag: str) -> set:
    """The libraries the manylinux policy of `tag` allows (auditwheel's own policy file)."""
    read = ("import importlib.resources as r; "
            "print((r.files('auditwheel.policy') / 'manylinux-policy.json').read_text())")
    policies = json.loads(run_host([tools_python, "-c", read]))
    name = tag.removesuffix("_x86_64")
    for policy in policies:
        if policy["name"] == name or name in policy.get("aliases", []):
            return set(policy["lib_whitelist"])
    raise AssertionError(f"auditwheel has no policy {name}")


def test_every_elf_file_resolves_inside_the_wheel_or_to_the_policy(wheel_root, wheel_path, manylinux_tag,
                                                                   tools_python):
    allowed = _policy_libraries(tools_python, manylinux_tag)
    unpacked = "/tmp/unpacked"
    elf_files = []
    with zipfile.ZipFile(wheel_path) as wheel:
        for member in wheel.infolist():
            if member.is_dir():
                continue
            target = wheel_root.host_path(f"{unpacked}/{member.filename}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(wheel.read(member))
            target.chmod((member.external_attr >> 16) & 0o777 or 0o644)
            if target.read_bytes()[:4] == b"\x7fELF":
                elf_files.append(member.filename)
    names = sorted(path.rsplit("/", 1)[-1] for path in elf_files)
    assert "socket-gateway" in names and any(n.startswith("_core.") for n in names), names
    problems = []
    for path in elf_files:
        listing = wheel_root.run(f"ldd {unpacked}/{path}").stdout
        for line in listing.splitlines():
            line = line.strip()
            if not line or line.startswith("linux-vdso.so") or line.startswith("/lib64/ld-linux"):
                continue
            soname, _, where = line.partition(" => ")
            if "not found" in where:
                problems.append(f"{path}: {soname} not found")
            elif not where.startswith(unpacked + "/") and soname not in allowed:
                problems.append(f"{path}: {soname} => {where} is outside the wheel and the policy")
    assert not problems, "\n".join(problems)


def test_the_console_script_runs_the_bundled_server(wheel_root, version):
    assert wheel_root.run("command -v socket-gateway", env={"PATH": f"{VENV}/bin:/usr/bin:/bin"}
                          ).stdout.strip() == f"{VENV}/bin/socket-gateway"
    assert wheel_root.run(f"{VENV}/bin/socket-gateway --version").stdout.strip() == f"socket-gateway {version}"
    help_text = wheel_root.run(f"{VENV}/bin/socket-gateway --help").stdout
    assert "mint-token" in help_text and "SOCKET_GATEWAY_JWT_SECRET" in help_text
    package = wheel_root.run(f"cd / && {VENV}/bin/python -c "
                             "'import socket_gateway; print(socket_gateway.__version__, socket_gateway.__file__)'")
    assert package.stdout.split() == [version, f"{VENV}/lib/python3.11/site-packages/socket_gateway/__init__.py"]


def _mint(root, secret: str, user: str) -> str:
    return root.run(f"{VENV}/bin/socket-gateway mint-token --jwt-secret {secret} --sub {user}").stdout.strip()


def test_the_standalone_server_pushes_to_a_client(wheel_root, free_port):
    port = free_port()
    server = RootServer(wheel_root, "wheel-standalone", f"{VENV}/bin/socket-gateway --host 127.0.0.1 "
                        f"--port {port} --threads 1", port, env={"SOCKET_GATEWAY_JWT_SECRET": "package-secret"})
    try:
        server.wait_ready("/healthz")
        with PushClient(server.url, _mint(wheel_root, "package-secret", "alice")) as client:
            status = server.post_json("/api/v1/users/alice/events",
                                      json.dumps({"event": "notice", "data": {"text": "hello"}}).encode())
            assert status == 202
            assert client.wait_for("notice") == {"text": "hello"}
    finally:
        code = server.stop()
    assert code == 0, server.log_text()


def test_the_readme_fastapi_app_pushes_from_a_route(wheel_root, free_port):
    port = free_port()
    server = RootServer(wheel_root, "wheel-fastapi-serve", f"{VENV}/bin/python -m socket_gateway serve "
                        f"readme_app:app --app-dir /opt/app --host 127.0.0.1 --port {port} --threads 1", port)
    try:
        server.wait_ready("/ping")
        with PushClient(server.url, _mint(wheel_root, "change-me", "alice")) as client:
            assert server.post_json("/notify/alice", b"{}") == 200
            assert client.wait_for("notification") == {"text": "hi"}
    finally:
        code = server.stop()
    assert code == 0, server.log_text()

