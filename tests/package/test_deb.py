"""The .deb of the standalone server installs with `dpkg -i` in a clean Debian 12 root once the
packages its Depends: names are there (apt installs them in the root), and runs as its systemd
unit would run it.

Checks: the control fields (version, Depends: on libssl3 and libhiredis, none on Boost); the
files (binary, unit, /etc/default/socket-gateway as a conffile, man page); `--version` and
`--help`; then the unit's ExecStart with the unit's EnvironmentFile (settings written into
/etc/default/socket-gateway as an administrator would) as an unprivileged user, and a push
through the HTTP API reaching a python-socketio client on the host; `dpkg --purge` at the end.
systemd itself does not run in the root.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest

from clean_root import CleanRoot
from conftest import run_host
from push_client import PushClient, RootServer

UNIT = "/usr/lib/systemd/system/socket-gateway.service"
DEFAULTS = "/etc/default/socket-gateway"


@pytest.fixture(scope="module")
def deb_root(root_tarball):
    with CleanRoot(root_tarball, "deb") as root:
        yield root


def _field(deb_path, name: str) -> str:
    return run_host(["dpkg-deb", "--field", deb_path, name]).strip()


def _depends(deb_path) -> list:
    """The package names of Depends: (the first of each alternative)."""
    return [re.split(r"[ (|]", item.strip())[0] for item in _field(deb_path, "Depends").split(",")]


def test_control_fields(deb_path, version, measure):
    assert _field(deb_path, "Package") == "socket-gateway"
    assert _field(deb_path, "Version") == version
    depends = _depends(deb_path)
    assert {"libc6", "libssl3", "libhiredis0.14"} <= set(depends), depends
    assert not [name for name in depends if "boost" in name], depends
    measure(".deb", f"{deb_path.name}, {deb_path.stat().st_size / 1e6:.1f} MB, Depends: {_field(deb_path, 'Depends')}")


def test_contents(deb_path):
    listing = run_host(["dpkg-deb", "--contents", deb_path])
    for path in ("./usr/bin/socket-gateway", f".{UNIT}", f".{DEFAULTS}",
                 "./usr/share/man/man1/socket-gateway.1.gz"):
        assert path in listing, f"{path} is not in the package:\n{listing}"


def _install(root, deb_path) -> None:
    missing = [name for name in _depends(deb_path)
               if root.run(f"dpkg -s {name}", check=False).returncode != 0]
    if missing:
        install = f"apt-get install -y -q --no-install-recommends {' '.join(missing)}"
        if root.run(install, check=False, timeout=300).returncode != 0:  # stale lists: refresh once
            root.run("apt-get update -q", timeout=300)
            root.run(install, timeout=300)
    shutil.copy(deb_path, root.host_path(f"/tmp/{deb_path.name}"))
    root.run(f"dpkg -i /tmp/{deb_path.name}")


def _unit_settings(root) -> dict:
    """Key -> value of the unit file's [Service] lines."""
    settings = {}
    for line in root.host_path(UNIT).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    return settings


def _environment_file(root, path: str) -> dict:
    """The variables of an EnvironmentFile=, read as systemd reads the simple form."""
    variables = {}
    for line in root.host_path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            key, _, value = line.partition("=")
            variables[key.strip()] = value.strip().strip('"')
    return variables


def test_installs_with_dpkg_and_serves_as_its_unit_would(deb_root, deb_path, version, free_port):
    _install(deb_root, deb_path)
    assert "install ok installed" in deb_root.run("dpkg-query -W -f='${Status}' socket-gateway").stdout
    assert DEFAULTS in deb_root.run("dpkg-query -W -f='${Conffiles}' socket-gateway").stdout
    assert deb_root.run("socket-gateway --version").stdout.strip() == f"socket-gateway {version}"
    assert "SOCKET_GATEWAY_JWT_SECRET" in deb_root.run("socket-gateway --help").stdout
    man = gzip.decompress(deb_root.host_path("/usr/share/man/man1/socket-gateway.1.gz").read_bytes()).decode()
    man = man.replace("\\-", "-")
    assert '.TH SOCKET-GATEWAY "1"' in man and f"socket-gateway {version}" in man
    assert "--jwt-secret" in man and "SOCKET_GATEWAY_JWT_SECRET" in man and DEFAULTS in man

    unit = _unit_settings(deb_root)
    assert unit["EnvironmentFile"] == DEFAULTS and unit["ExecStart"] == "/usr/bin/socket-gateway", unit
    # What an administrator does before `systemctl enable --now socket-gateway`.
    port = free_port()
    defaults = deb_root.host_path(DEFAULTS)
    text = defaults.read_text()
    text = re.sub(r"(?m)^SOCKET_GATEWAY_HOST=.*$", "SOCKET_GATEWAY_HOST=127.0.0.1", text)
    text = re.sub(r"(?m)^SOCKET_GATEWAY_PORT=.*$", f"SOCKET_GATEWAY_PORT={port}", text)
    defaults.write_text(text + "SOCKET_GATEWAY_JWT_SECRET=deb-secret\nSOCKET_GATEWAY_THREADS=1\n")

    environment = _environment_file(deb_root, unit["EnvironmentFile"])
    server = RootServer(deb_root, "deb-unit", unit["ExecStart"], port, env=environment, user="nobody:nogroup")
    try:
        server.wait_ready("/healthz")
        token = deb_root.run("socket-gateway mint-token --jwt-secret deb-secret --sub alice").stdout.strip()
        with PushClient(server.url, token) as client:
            status = server.post_json("/api/v1/users/alice/events",
                                      json.dumps({"event": "notice", "data": {"from": "deb"}}).encode())
            assert status == 202
            assert client.wait_for("notice") == {"from": "deb"}
    finally:
        code = server.stop()
    assert code == 0, server.log_text()

    deb_root.run("dpkg --purge socket-gateway")
    assert not deb_root.host_path("/usr/bin/socket-gateway").exists()
    assert not deb_root.host_path(DEFAULTS).exists()
