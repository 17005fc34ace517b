#!/usr/bin/env bash
# Installs what the end-to-end tests need and is missing: a project virtualenv (.venv) with
# the Python test requirements, and the npm packages of tests/e2e/node. Idempotent.
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
