"""The demo of examples/fastapi_app in a real browser: a page receives pushes from REST routes.

The server of the kind (uvicorn or serve) runs the example app on a free port;
node/browser-demo.mjs drives Debian's Chromium with playwright-core: it opens "/", logs in
through the page's form and waits until the page is connected. The test then pushes through the app's REST API — a message to another user first,
then POST /notify/{user} (async route), /notify-sync/{user} (def route) and /notify-later/{user}
(background task) — and the page must list the three messages, not the other user's. The
screenshot is saved as test-output/browser/fastapi-demo.png.
"""
from __future__ import annotations

import json
import pathlib
import select
import subprocess
import time
import uuid

import requests

from asgi_clients import WAIT
from asgi_server import REPO_ROOT

EXAMPLE_DIR = REPO_ROOT / "examples" / "fastapi_app"
BROWSER_SCRIPT = pathlib.Path(__file__).with_name("node") / "browser-demo.mjs"
SCREENSHOT_DIR = REPO_ROOT / "test-output" / "browser"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
BROWSER_TIMEOUT = 90  # seconds for the whole browser run, launch included


def test_page_shows_notifications_pushed_through_the_rest_api(start_app, tmp_path):
    assert CHROMIUM.exists(), "Debian's chromium is missing: run scripts/install-test-deps.sh"
    server = start_app({"SOCKET_GATEWAY_JWT_SECRET": "browser-test-secret-0123456789abcdef"},
                       target="app:app", app_dir=EXAMPLE_DIR, plain_env=True)
    assert requests.get(f"{server.url}/static/socket.io.min.js", timeout=WAIT).status_code == 200
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOT_DIR / "fastapi-demo.png"
    screenshot.unlink(missing_ok=True)
    user = f"alice-{uuid.uuid4().hex[:6]}"
    token = uuid.uuid4().hex[:6]
    pushes = [(f"/notify/{user}", f"hello from an async route {token}"),
              (f"/notify-sync/{user}", f"hello from a def route {token}"),
              (f"/notify-later/{user}", f"hello from a background task {token}")]
    unexpected = f"for somebody else {token}"
    settings = {"url": server.url + "/", "user": user, "expected": [m for _, m in pushes],
                "unexpected": unexpected, "screenshot": str(screenshot),
                "profile": str(tmp_path / "chromium-profile"), "timeoutMs": 20000}

    browser = subprocess.Popen(["node", str(BROWSER_SCRIPT), json.dumps(settings)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=BROWSER_SCRIPT.parent)
    try:
        first_line = _read_line(browser, BROWSER_TIMEOUT)
        assert first_line.strip() == "CONNECTED", \
            f"the page did not connect: {first_line!r}\n{_finish(browser)}"
        other = requests.post(f"{server.url}/notify/bob-{token}", json={"message": unexpected},
                              timeout=WAIT)
        assert other.status_code == 202, other.text
        for path, message in pushes:
            response = requests.post(server.url + path, json={"message": message}, timeout=WAIT)
            assert response.status_code == 202, f"{path}: {response.status_code} {response.text}"
        stdout, stderr = _finish(browser)
        assert browser.returncode == 0, f"{stdout}\n--- stderr ---\n{stderr}"
    finally:
        if browser.poll() is None:
            browser.kill()
            browser.wait()
    result = json.loads(stdout.strip().splitlines()[-1])
    assert sorted(result["notifications"]) == sorted(m for _, m in pushes), result
    assert unexpected not in result["notifications"]
    assert result["status"].startswith(f"Connected as {user}"), result
    assert result["consoleErrors"] == [], result
    assert screenshot.exists() and screenshot.stat().st_size > 1000


def _read_line(browser: subprocess.Popen, timeout: float) -> str:
    """The next line of the browser script's stdout, or "" when none comes within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([browser.stdout], [], [], 0.2)
        if ready:
            return browser.stdout.readline()  # the script writes whole lines at once
        if browser.poll() is not None:
            return ""
    return ""


def _finish(browser: subprocess.Popen) -> tuple:
    """Waits (bounded) for the browser script; returns its (stdout, stderr)."""
    try:
        return browser.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        browser.kill()
        stdout, stderr = browser.communicate()
        return stdout, f"{stderr}\n(killed after {BROWSER_TIMEOUT} s)"
