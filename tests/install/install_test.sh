#!/bin/sh
# `cmake --install` puts the binary in <prefix>/bin, its man page and bash
# completion under <prefix>/share, and the systemd units in
# <prefix>/lib/systemd/system with ExecStart naming that binary; the default
# prefix gives /usr/local/bin/s5j, the path docs/service.md uses.
# Usage: install_test.sh BUILD_DIR   (installs into temporary DESTDIRs only)
set -eu
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "install_test: $*" >&2; exit 1; }

check() {  # check PREFIX DESTDIR
  prefix=$1 root=$2
  [ -x "$root$prefix/bin/s5j" ] || fail "no executable $prefix/bin/s5j"
  grep -q '^\.TH S5J 1' "$root$prefix/share/man/man1/s5j.1" || fail "no man page $prefix/share/man/man1/s5j.1"
  grep -q '^complete -F _s5j s5j$' "$root$prefix/share/bash-completion/completions/s5j" ||
    fail "no bash completion $prefix/share/bash-completion/completions/s5j"
  units="$root$prefix/lib/systemd/system"
  for unit in s5j-sync@.service s5j-sync@.timer s5j-relay@.service s5j-relay@.timer; do
    [ -f "$units/$unit" ] || fail "no $prefix/lib/systemd/system/$unit"
  done
  grep -qx "ExecStart=$prefix/bin/s5j sync -c /etc/s5j/%i.yaml" "$units/s5j-sync@.service" ||
    fail "s5j-sync@.service: $(grep ExecStart "$units/s5j-sync@.service")"
  grep -qx "ExecStart=$prefix/bin/s5j relay -c /etc/s5j/%i.yaml" "$units/s5j-relay@.service" ||
    fail "s5j-relay@.service: $(grep ExecStart "$units/s5j-relay@.service")"
}

DESTDIR="$work/default" cmake --install "$build" --prefix /usr/local >/dev/null
check /usr/local "$work/default"
DESTDIR="$work/opt" cmake --install "$build" --prefix /opt/s5j >/dev/null
check /opt/s5j "$work/opt"
echo "install_test: ok"
