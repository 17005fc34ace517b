#!/usr/bin/env bash
# Installs the socket_gateway Python package into the project virtualenv (.venv) with
# `pip install .`: scikit-build-core and nanobind build the C++ core into socket_gateway._core
# (build tree build/<wheel tag>, reused between builds). Skips the build when the installed
# package was made from the same sources: a stamp holds a hash of every file under python/, src/
# and cmake/ plus CMakeLists.txt and pyproject.toml, working-tree edits included. Idempotent.
# Needs the Debian build packages (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f pyproject.toml ]]; then
  echo "install-python-package: no pyproject.toml yet: the socket_gateway package is not in this checkout" >&2
  exit 1
fi
python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi

source_hash=$(find python src cmake CMakeLists.txt pyproject.toml -type f \
                 -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 2>/dev/null \
               | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
stamp=.venv/.socket-gateway-package
if [[ -f $stamp && $(cat "$stamp") == "$source_hash" ]] && .venv/bin/python -c 'import socket_gateway' 2>/dev/null; then
  exit 0
fi
echo "install-python-package: building and installing socket_gateway (pip install .)"
rm -f "$stamp"
.venv/bin/pip install -q .
echo "$source_hash" > "$stamp"
