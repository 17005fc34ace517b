#!/usr/bin/env bash
# Installs what the end-to-end tests need and is missing: a project virtualenv (.venv) with
# the Python test requirements, and the npm packages of tests/e2e/node and tests/python/node,
# and Debian's chromium for the browser test. Idempotent. (The ASGI-mode tests also need the
# socket_gateway package itself: scripts/install-python-package.sh, run by `make test-python`.)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
stamp=.venv/.requirements-installed
if [[ ! -f $stamp || requirements-test.txt -nt $stamp ]]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-test.txt
  touch "$stamp"
fi

if [[ ! -d tests/e2e/node/node_modules || tests/e2e/node/package.json -nt tests/e2e/node/node_modules ]]; then
  (cd tests/e2e/node && npm install --no-audit --no-fund --silent && touch node_modules)
fi

# The benchmark peers' contract test (tests/bench) runs the Node socket.io peer.
if [[ ! -d bench/peers/node/node_modules || bench/peers/node/package.json -nt bench/peers/node/node_modules ]]; then
  (cd bench/peers/node && npm install --no-audit --no-fund --silent && touch node_modules)
fi

# The ASGI-mode tests (tests/python): socket.io-client and playwright-core for the node clients
# and the browser test, and Debian's Chromium for that test (playwright-core never downloads one).
if [[ ! -d tests/python/node/node_modules || tests/python/node/package.json -nt tests/python/node/node_modules ]]; then
  (cd tests/python/node && npm install --no-audit --no-fund --silent && touch node_modules)
fi
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  echo "install-test-deps: installing chromium"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium
fi
