#!/usr/bin/env bash
# Installs what the FastAPI demo needs and is missing, beside the socket_gateway package itself
# (scripts/install-python-package.sh): its Python requirements in the project virtualenv .venv,
# and socket.io-client from npm (the page's client, served from node_modules). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python=${PYTHON:-python3}

if [[ ! -x $repo/.venv/bin/python ]]; then
  "$python" -m venv "$repo/.venv"
fi
stamp=$repo/.venv/.fastapi-demo-requirements-installed
if [[ ! -f $stamp || $here/requirements.txt -nt $stamp ]]; then
  "$repo/.venv/bin/pip" install -q -r "$here/requirements.txt"
  touch "$stamp"
fi

if [[ ! -f $here/node_modules/socket.io-client/dist/socket.io.min.js || $here/package.json -nt $here/node_modules ]]; then
  (cd "$here" && npm install --no-audit --no-fund --silent && touch node_modules)
fi
