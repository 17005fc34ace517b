#!/usr/bin/env bash
# Installs what the benchmarks (bench/run.py) need beyond the test dependencies, when missing:
# Debian's wrk (the HTTP load generator of the REST scenario) and bench/requirements.txt in
# .venv (matplotlib for the charts, granian and uvicorn's fast parsers for REST). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "bench/install-deps: installing wrk"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends wrk
fi
.venv/bin/pip install -q -r bench/requirements.txt
