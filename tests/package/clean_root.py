"""A clean Debian 12 root for the package tests, entered with chroot.

`CleanRoot` unpacks a fresh copy of the cached debootstrap tarball (clean-root.sh: minbase with
python3 and python3-venv, nothing of our build dependencies) under SG_TEST_ROOTS (default
/var/tmp/socket-gateway-test-roots), mounts /proc and binds /dev into it, and copies the host's
resolv.conf (apt inside the root reaches Debian's archive over the shared network). Leaving it —
even after a failure — kills the processes still running inside, unmounts, and deletes the copy;
roots left mounted by an interrupted earlier run (its `owner` PID gone) are unmounted and deleted
on the next one.

Commands run as `chroot ROOT /bin/sh -c CMD` with a minimal environment (PATH, HOME, LANG) plus
what the caller adds; the root shares the host's network, so a server inside is reached on
127.0.0.1 from the host.

Threading: one test thread; the helpers own every process they start.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
from typing import IO, Optional

PACKAGE_TESTS = pathlib.Path(__file__).resolve().parent
ROOTS = pathlib.Path(os.environ.get("SG_TEST_ROOTS", "/var/tmp/socket-gateway-test-roots"))
BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
            "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"  # resolved with the host's PATH


def cached_tarball() -> pathlib.Path:
    """The cached root tarball, built by clean-root.sh when missing (about 1.5 min)."""
    done = subprocess.run([str(PACKAGE_TESTS / "clean-root.sh")], stdout=subprocess.PIPE, text=True,
                          check=True, timeout=1500)
    return pathlib.Path(done.stdout.strip().splitlines()[-1])


def _mounts_under(directory: pathlib.Path) -> list[str]:
    """Mount points below `directory`, deepest first."""
    prefix = str(directory) + "/"
    points = []
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            point = line.split()[1].replace("\\040", " ")
            if point.startswith(prefix):
                points.append(point)
    return sorted(points, key=len, reverse=True)


def _processes_inside(root: pathlib.Path) -> list[int]:
    """PIDs of the processes whose root directory is `root`."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "root") == str(root):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _dispose(root: pathlib.Path) -> None:
    """Kills what runs inside `root`, unmounts everything under it, then deletes its directory
    (ROOTS/<label>.XXXX) — never while anything is still mounted there: /dev is the host's."""
    for pid in _processes_inside(root):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while _processes_inside(root) and time.monotonic() < deadline:
        time.sleep(0.1)
    for point in _mounts_under(root):
        subprocess.run(["umount", point], check=False, timeout=30)
    for point in _mounts_under(root):  # still busy: detach it from the tree
        subprocess.run(["umount", "--lazy", point], check=False, timeout=30)
    if _mounts_under(root):
        raise RuntimeError(f"{root} still has mounts {_mounts_under(root)}: not deleting it")
    shutil.rmtree(root.parent, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dispose_stale_roots() -> None:
    """Roots that an interrupted earlier run left behind under ROOTS: those whose `owner` file
    names a process that is gone (a run going on beside this one keeps its roots)."""
    if not ROOTS.is_dir():
        return
    for stale in ROOTS.iterdir():
        try:
            owner = int((stale / "owner").read_text())
        except (OSError, ValueError):
            owner = 0
        if not owner or not _alive(owner):
            _dispose(stale / "root")


class CleanRoot:
    """A fresh, mounted copy of the clean root; a context manager."""

    def __init__(self, tarball: pathlib.Path, label: str) -> None:
        self.tarball = tarball
        self.label = label
        self.path: Optional[pathlib.Path] = None

    def __enter__(self) -> "CleanRoot":
        ROOTS.mkdir(parents=True, exist_ok=True)
        holder = pathlib.Path(tempfile.mkdtemp(prefix=f"{self.label}.", dir=ROOTS))
        (holder / "owner").write_text(str(os.getpid()))
        self.path = holder / "root"
        self.path.mkdir()
        try:
            subprocess.run(["tar", "--numeric-owner", "-xzpf", str(self.tarball), "-C", str(self.path)],
                           check=True, timeout=300)
            shutil.copy("/etc/resolv.conf", self.path / "etc/resolv.conf")
            subprocess.run(["mount", "-t", "proc", "proc", str(self.path / "proc")], check=True, timeout=30)
            subprocess.run(["mount", "--bind", "/dev", str(self.path / "dev")], check=True, timeout=30)
        except BaseException:
            _dispose(self.path)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.path is not None:
            _dispose(self.path)

    def host_path(self, inside: str) -> pathlib.Path:
        """The host's path of a path inside the root."""
        assert self.path is not None
        return self.path / inside.lstrip("/")

    def _argv(self, command: str, user: Optional[str]) -> list[str]:
        userspec = [f"--userspec={user}"] if user else []
        return [CHROOT, *userspec, str(self.path), "/bin/sh", "-c", command]

    def run(self, command: str, *, timeout: float = 120, check: bool = True, env: Optional[dict] = None,
            user: Optional[str] = None) -> subprocess.CompletedProcess:
        """Runs a shell command inside; its stdout and stderr (text) are on the result."""
        done = subprocess.run(self._argv(command, user), env={**BASE_ENV, **(env or {})}, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"in the clean root, `{command}` exited {done.returncode}\n"
                                 f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}")
        return done

    def start(self, command: str, log: IO[bytes], *, env: Optional[dict] = None,
              user: Optional[str] = None) -> subprocess.Popen:
        """Starts a command inside (exec'd by the shell, so the PID is the command's)."""
        return subprocess.Popen(self._argv(f"exec {command}", user), env={**BASE_ENV, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT)
