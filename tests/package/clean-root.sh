#!/usr/bin/env bash
# The clean Debian 12 root of the package tests: `debootstrap --variant=minbase` with python3
# and python3-venv only (no compiler, no Boost, no OpenSSL headers, no hiredis), its apt lists
# fetched, packed into a tarball that later runs reuse. Prints the tarball's path.
#
#   tests/package/clean-root.sh            build the tarball if it is missing, print its path
#   SG_TEST_ROOT_REFRESH=1 ...             build it again
#
# Cache: $SG_TEST_ROOT_CACHE (default /var/cache/socket-gateway-test-root); the tarball's name
# carries a hash of the suite, mirror and package list, so changing them builds a new one.
# Needs root (debootstrap, chroot); installs debootstrap with apt if it is missing.
set -euo pipefail

suite=bookworm
mirror=${SG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
include=python3,python3-venv
cache=${SG_TEST_ROOT_CACHE:-/var/cache/socket-gateway-test-root}

key=$(printf '%s %s %s minbase' "$suite" "$mirror" "$include" | sha1sum | cut -c1-12)
tarball=$cache/debian-$suite-minbase-$key.tar.gz
if [[ -f $tarball && ${SG_TEST_ROOT_REFRESH:-0} != 1 ]]; then
  echo "$tarball"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "clean-root: needs root (debootstrap and chroot)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  echo "clean-root: installing debootstrap" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
root=$work/root
cleanup() {
  # Never leave a mount behind, then drop the half-made root.
  for mounted in "$root/proc" "$root/dev"; do
    mountpoint -q "$mounted" 2>/dev/null && umount "$mounted"
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "clean-root: debootstrap $suite (minbase + $include) from $mirror" >&2
started=$SECONDS
timeout 1200 debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
  exit 1
}

# apt lists inside the root, so a test can `apt-get install` what a .deb depends on.
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
timeout 600 chroot "$root" apt-get update -qq >&2
chroot "$root" apt-get clean
umount "$root/proc" "$root/dev"

tar --numeric-owner -C "$root" -czf "$work/root.tar.gz" .
mv "$work/root.tar.gz" "$tarball"
# Older roots of other keys are of no further use.
find "$cache" -maxdepth 1 -name 'debian-*.tar.gz' ! -path "$tarball" -delete
echo "clean-root: $tarball ($(du -h "$tarball" | cut -f1), $((SECONDS - started)) s)" >&2
echo "$tarball"
