"""Shared fixtures of the Python end-to-end suites: server processes, JWTs, time scaling.

Every suite under tests/e2e starts the binaries it tests as subprocesses. This file finds them
(SG_BUILD_DIR, default `build`, relative to the repository root unless absolute), picks a free
loopback port, waits with a bounded wait until the server is ready (GET /healthz == 200 or TCP
accept), stores the server's stderr under <repo>/test-output/, attaches that log to the report
of a failing test, and sends every server SIGTERM when its test ends. The drains overlap the
following tests; at the end of the session every server is reaped (SIGKILL after a bounded wait)
and one that did not exit 0 fails the run with its log (that is where sanitizer reports show).
A test that stops a server on purpose in another way sets `server.exit_code_expected = True`.

Fixtures:
  timeout_factor   1, or 5 when SG_SANITIZED=1 (ASan/UBSan builds are 3-5x slower); every wait
                   in the suites should be multiplied by it (`scaled(seconds)` does that).
  sg_build_dir     the pathlib.Path of the build directory.
  sg_binary        sg_binary("socket-gateway") -> path of a built binary (fails if missing).
  free_port        free_port() -> a loopback port that was free a moment ago.
  clean_env        clean_env(extra) -> os.environ minus SOCKET_GATEWAY_*, plus `extra`.
  start_server     factory: start_server("conformance-server", "--flag", ..., ready="tcp").
  start_gateway    factory: start_gateway("--flag", ...) starts socket-gateway with --host
                   127.0.0.1, a free --port and --jwt-secret JWT_SECRET (pass secret=None to
                   leave the secret out, env={...} to add variables).
  mint_token       mint_token(sub, secret=JWT_SECRET, algorithm="HS256", key=None, ttl=300,
                   **claims) -> a JWT string made with PyJWT.
  jwt_secret       JWT_SECRET, the secret start_gateway passes by default.

Threading: pytest runs tests sequentially in one thread; the fixtures own their processes.
"""
from __future__ import annotations

import ctypes
import os
import pathlib
import signal
import socket
import subprocess
import time
from typing import Callable, Optional

import jwt
import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output"
JWT_SECRET = "e2e-secret-0123456789abcdef0123456789abcdef-0123456789abcdef-0123456789"
TIMEOUT_FACTOR = 5.0 if os.environ.get("SG_SANITIZED") == "1" else 1.0


def scaled(seconds: float) -> float:
    """A wait of `seconds` on a normal build, longer on a sanitizer build."""
    return seconds * TIMEOUT_FACTOR


def build_dir() -> pathlib.Path:
    """The directory holding the binaries (SG_BUILD_DIR, relative to the repo root)."""
    configured = pathlib.Path(os.environ.get("SG_BUILD_DIR", "build"))
    if configured.is_absolute():
        return configured
    from_root = REPO_ROOT / configured
    if from_root.exists() or not configured.exists():
        return from_root
    return configured.resolve()


def binary_path(name: str) -> pathlib.Path:
    path = build_dir() / name
    if not path.exists():
        pytest.fail(f"{path} does not exist: build it first (SG_BUILD_DIR={build_dir()})")
    return path


def free_port() -> int:
    """A loopback port that was free a moment ago (bound to 0 and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(extra: Optional[dict] = None) -> dict:
    """The test's environment without any SOCKET_GATEWAY_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_GATEWAY_")}
    env.update(extra or {})
    return env


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL me if pytest dies (killed by a timeout, ^C twice), so no
    server outlives the run (Linux prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


class ServerProcess:
    """One server subprocess on 127.0.0.1:`port`, its stderr in `log_path`."""

    def __init__(self, argv: list, port: int, log_path: pathlib.Path, env: dict):
        self.exit_code_expected = False  # set by a test that checked the exit status itself
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}"
        self._log_file = open(log_path, "wb")
        self.process = subprocess.Popen(
            argv, stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, ready: str, timeout: float) -> None:
        """Returns once the server answers (ready="healthz") or accepts TCP (ready="tcp")."""
        deadline = time.monotonic() + timeout
        last_problem = "nothing tried yet"
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(
                    f"{self.argv[0]} exited with {code} before it was ready:\n{self.log_text()}")
            try:
                if ready == "healthz":
                    response = requests.get(self.url + "/healthz", timeout=1)
                    if response.status_code == 200:
                        return
                    last_problem = f"/healthz answered {response.status_code}"
                else:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
            except (requests.RequestException, OSError) as error:
                last_problem = str(error)
            time.sleep(0.02)
        raise RuntimeError(f"{self.argv[0]} not ready within {timeout:.1f} s ({last_problem}):\n"
                           f"{self.log_text()}")

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def wait_exit(self, timeout: float) -> Optional[int]:
        """The exit code, or None when the process is still running after `timeout`."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def begin_stop(self) -> None:
        """SIGTERM without waiting: the server drains while the next test runs."""
        self.signal(signal.SIGTERM)
        self._log_file.close()  # the child keeps its own descriptor

    def finish_stop(self) -> Optional[str]:
        """Waits for the exit (SIGKILL after a bounded wait); returns a complaint or None."""
        code = self.wait_exit(scaled(10))
        if code is None:
            self.process.kill()
            self.process.wait()
            return f"still running {scaled(10):.0f} s after SIGTERM (killed)"
        if code != 0 and not self.exit_code_expected:
            return f"exited with {code} after SIGTERM"
        return None


# Servers whose test has ended: SIGTERMed at teardown (a drain takes a moment), reaped at the end
# of the session, where any that did not exit 0 fails the run (sanitizer reports land there too).
_draining_servers: list = []


def _log_name(request, argv0: str, port: int) -> pathlib.Path:
    test_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR / f"{pathlib.Path(argv0).name}-{test_name[:120]}-{port}.log"


@pytest.fixture(scope="session")
def timeout_factor() -> float:
    return TIMEOUT_FACTOR


@pytest.fixture
def sg_build_dir() -> pathlib.Path:
    return build_dir()


@pytest.fixture
def sg_binary() -> Callable[[str], pathlib.Path]:
    """sg_binary("socket-gateway") -> its path (fails the test when it is not built)."""
    return binary_path


@pytest.fixture(name="free_port")
def free_port_fixture() -> Callable[[], int]:
    return free_port


@pytest.fixture
def clean_env() -> Callable[..., dict]:
    """clean_env({"K": "V"}) -> os.environ without SOCKET_GATEWAY_* variables, plus the extras."""
    return clean_environment


@pytest.fixture
def start_server(request) -> Callable[..., ServerProcess]:
    """Factory: start_server(binary, *flags, ready="healthz"|"tcp"|None, env=None, port=None,
    pass_port=True).

    `--port N` (N = `port` or a free port) is appended unless pass_port=False (then the test
    chooses the port some other way, e.g. SOCKET_GATEWAY_PORT in env, and says which in `port`).
    Every server started is stopped when the test ends and its log attached on failure.
    """
    started: list = []
    request.node.sg_servers = started

    def start(binary: str, *flags: str, ready: Optional[str] = "healthz", env: Optional[dict] = None,
              port: Optional[int] = None, pass_port: bool = True) -> ServerProcess:
        port = port or free_port()
        argv = [str(binary_path(binary)), *flags]
        if pass_port:
            argv += ["--port", str(port)]
        server = ServerProcess(argv, port, _log_name(request, binary, port), clean_environment(env))
        started.append(server)
        if ready is not None:
            server.wait_ready(ready, scaled(15))
        return server

    yield start
    for server in started:
        server.begin_stop()
        _draining_servers.append(server)


def pytest_sessionfinish(session, exitstatus):
    complaints = []
    for server in _draining_servers:
        complaint = server.finish_stop()
        if complaint:
            complaints.append(f"{server.log_path.name}: {complaint}\n{server.log_text()[-3000:]}")
    _draining_servers.clear()
    if complaints:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = "servers that did not stop cleanly:\n" + "\n".join(complaints)
        if reporter is not None:
            reporter.write_sep("=", "server shutdown problems", red=True)
            reporter.write_line(text)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def start_gateway(start_server) -> Callable[..., ServerProcess]:
    """Factory: start_gateway(*flags, secret=JWT_SECRET, env=None) -> a ready socket-gateway."""

    def start(*flags: str, secret: Optional[str] = JWT_SECRET, env: Optional[dict] = None,
              ready: Optional[str] = "healthz") -> ServerProcess:
        base = ["--host", "127.0.0.1"]
        if secret is not None:
            base += ["--jwt-secret", secret]
        return start_server("socket-gateway", *base, *flags, ready=ready, env=env)

    return start


def mint_token(sub: Optional[str] = "alice", secret: str = JWT_SECRET, algorithm: str = "HS256",
               key=None, ttl: Optional[int] = 300, **claims) -> str:
    """A JWT for `sub` (left out when None) signed with `key` or `secret`, valid for `ttl` s."""
    payload = dict(claims)
    now = int(time.time())
    if sub is not None:
        payload.setdefault("sub", sub)
    payload.setdefault("iat", now)
    if ttl is not None:
        payload.setdefault("exp", now + ttl)
    return jwt.encode(payload, key if key is not None else secret, algorithm=algorithm)


@pytest.fixture(name="mint_token")
def mint_token_fixture() -> Callable[..., str]:
    return mint_token


@pytest.fixture
def jwt_secret() -> str:
    """The HMAC secret start_gateway passes by default."""
    return JWT_SECRET


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attaches the logs of the servers a failing test started to its report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for server in getattr(item, "sg_servers", []):
            report.sections.append((f"server log {server.log_path.name}", server.log_text()[-20000:]))
