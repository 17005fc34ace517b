#!/usr/bin/env bash
# Installs what building Socket Gateway needs and is missing: Debian packages (Boost 1.81
# by name, OpenSSL 3, hiredis for the Redis cluster mode, GoogleTest, CMake, Ninja, and
# redis-server for the cluster tests). Idempotent; does nothing when all is there.
# Never add libmsgpack-*: those packages pull libboost-dev (1.74), which replaces Boost 1.81.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libssl-dev libhiredis-dev libgtest-dev libgmock-dev redis-server
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
