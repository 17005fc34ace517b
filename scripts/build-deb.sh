#!/usr/bin/env bash
# `make deb`: the Debian package of the standalone server in dist/
# (socket-gateway_<version>_amd64.deb): a Release build of the server alone in
# build-package/deb with Boost linked statically (SG_STATIC_BOOST) and the CPack setup of
# cmake/Packaging.cmake (SG_PACKAGE_DEB: unit, /etc/default file, man page), then `cpack -G DEB`.
# Depends: is computed by dpkg-shlibdeps (libc6, libstdc++6, libgcc-s1, libssl3, libhiredis0.14).
# Needs the Debian build packages (scripts/install-deps.sh); installs help2man if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in help2man dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "build-deb: installing help2man and dpkg-dev"
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends help2man dpkg-dev
    break
  fi
done

build=build-package/deb
# Relative paths in ccache's keys: the objects of `make wheel` (build-package/wheel-<tag>, as
# deep as this directory, same flags, and the same compiler name, which ccache hashes too) and
# of earlier clones on this machine are reused.
export CCACHE_BASEDIR=$PWD
export CXX=${CXX:-g++}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSG_STATIC_BOOST=ON -DSG_PACKAGE_DEB=ON \
      -DSG_BUILD_TESTS=OFF -DSG_BUILD_BENCH=OFF -DSG_BUILD_PYTHON=OFF \
      -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build "$build" --target socket-gateway socket-gateway-man
rm -rf "$build/package"
cpack --config "$build/CPackConfig.cmake" -B "$build/package" >/dev/null
mkdir -p dist
version=$(sed -nE 's/^project\(socket_gateway VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
rm -f dist/socket-gateway_"$version"_*.deb
cp "$build"/package/socket-gateway_"$version"_*.deb dist/
deb=$(ls dist/socket-gateway_"$version"_*.deb)
echo "build-deb: $deb ($(du -h "$deb" | cut -f1)); Depends: $(dpkg-deb --field "$deb" Depends)"
