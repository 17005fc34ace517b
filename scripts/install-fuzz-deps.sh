#!/usr/bin/env bash
# Installs what `make fuzz` needs beside the build packages (scripts/install-deps.sh) and is
# missing: Debian's clang, and its compiler runtime with libFuzzer and the sanitizers
# (libclang-rt-dev; without it -fsanitize=fuzzer does not link). Idempotent.
set -euo pipefail

packages=(clang libclang-rt-dev)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-fuzz-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
