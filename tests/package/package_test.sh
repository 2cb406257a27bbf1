#!/usr/bin/env bash
# The Debian package as an operator gets it (#20): built from the checkout by
# tools/package.sh, lintian-clean (no error, no warning), installed with
# apt-get; the installed /usr/bin/s5j syncs between the test gateways and
# every byte is read back; its man page, bash completion and systemd units
# are in place and valid. Removing it keeps /var/lib/s5j and /var/log/s5j;
# purging removes them; nothing else of it is left.
#
# Usage: package_test.sh SOURCE_DIR WORK_DIR ENDPOINT_A ENDPOINT_B ACCESS_KEY SECRET_KEY
# Needs root (apt-get, the s5j system user). Installs the package on this
# machine and purges it at the end, also on failure, so it refuses to run
# where an s5j package is already installed.
set -euo pipefail
src=$1 work=$2 endpoint_a=$3 endpoint_b=$4
export DEMO_SRC_ACCESS_KEY=$5 DEMO_SRC_SECRET_KEY=$6 DEMO_DST_ACCESS_KEY=$5 DEMO_DST_SECRET_KEY=$6

say() { echo "package_test: $*"; }
fail() { echo "package_test: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (apt-get install, the s5j system user): run the suite as root, as CI does"
if dpkg-query -W -f='${Status}' s5j 2>/dev/null | grep -q installed; then
  fail "an s5j package is already installed here; this test installs and purges it: run it on a build machine"
fi
rm -rf "$work"
mkdir -p "$work"
installed=0
cleanup() { [ $installed -eq 0 ] || dpkg --purge s5j >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "building the package (tools/package.sh)"
deb=$("$src/tools/package.sh" --out "$work/dist" | tail -1)
[ -f "$deb" ] || fail "tools/package.sh made no package"
version=$(dpkg-deb -f "$deb" Version)
say "$(basename "$deb"): $(stat -c %s "$deb") bytes; Depends: $(dpkg-deb -f "$deb" Depends)"

say "lintian"
lintian --fail-on error,warning "$deb" || fail "lintian reports errors or warnings (above)"

say "apt-get install"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "apt-get install failed"; }
grep -i "warning" "$work/install.log" && fail "apt-get install printed a warning (above)"
files=$(dpkg-query -L s5j)

say "/usr/bin/s5j --version"
/usr/bin/s5j --version | tee "$work/version.txt"
head -1 "$work/version.txt" | grep -qx "s5j $version" || fail "--version does not say the package's version $version"
grep -q "^commit [0-9a-f]\{40\}$" "$work/version.txt" || fail "--version names no commit"

say "the glibc and libstdc++ floor (Ubuntu 22.04: glibc 2.35, libstdc++ of GCC 12)"
newest() { objdump -T /usr/bin/s5j | grep -o "$1[0-9.]*" | sed "s/^$1//" | sort -uV | tail -1; }
glibc=$(newest GLIBC_) glibcxx=$(newest GLIBCXX_)
say "needs GLIBC_$glibc, GLIBCXX_$glibcxx"
[ "$(printf '%s\n' "$glibc" 2.35 | sort -V | tail -1)" = 2.35 ] || fail "needs glibc $glibc, newer than Ubuntu 22.04's 2.35"
[ "$(printf '%s\n' "$glibcxx" 3.4.30 | sort -V | tail -1)" = 3.4.30 ] ||
  fail "needs GLIBCXX_$glibcxx, newer than GCC 12's libstdc++ (3.4.30)"

say "a sync with the installed binary"
suffix=$$-$(date +%s)
cat >"$work/job.yaml" <<YAML
job: { name: package-test }
source: { bucket: pkg-src-$suffix, prefix: "p/", region: us-east-1, endpoint_urls: "$endpoint_a" }
destination: { bucket: pkg-dst-$suffix, prefix: "p/", region: us-east-1, endpoint_urls: "$endpoint_b" }
transfer: { multipart_threshold: 8MiB, part_size: 5MiB }
YAML
/usr/bin/python3 "$src/tools/demo_buckets.py" fill "$endpoint_a" "pkg-src-$suffix" "$endpoint_b" "pkg-dst-$suffix" p/
(cd "$work" && AWS_ACCESS_KEY_ID=$5 AWS_SECRET_ACCESS_KEY=$6 /usr/bin/s5j sync -c job.yaml --no-progress) ||
  fail "s5j sync exited $?"
/usr/bin/python3 "$src/tools/demo_buckets.py" compare "$endpoint_a" "pkg-src-$suffix" "$endpoint_b" "pkg-dst-$suffix" \
  p/ "$(ls "$work"/s5j-logs/*.jsonl | head -1)" || fail "the destination differs from the source"

say "man page, completion, units"
[ "$(man -w s5j)" = /usr/share/man/man1/s5j.1.gz ] || fail "man -w s5j: $(man -w s5j 2>&1)"
man s5j 2>&1 | grep -q "ledger export" || fail "man s5j does not show the commands"
completion=$(bash -c '. /usr/share/bash-completion/bash_completion && . /usr/share/bash-completion/completions/s5j &&
  complete -p s5j')
[ "$completion" = "complete -F _s5j s5j" ] || fail "the bash completion does not load: $completion"
systemd-analyze verify s5j-sync@package-test.service s5j-sync@package-test.timer \
  s5j-relay@package-test.service s5j-relay@package-test.timer || fail "systemd-analyze verify (above)"
getent passwd s5j >/dev/null || fail "no s5j system user"
for dir in /var/lib/s5j /var/log/s5j; do
  [ "$(stat -c %U:%a "$dir")" = s5j:750 ] || fail "$dir is $(stat -c %U:%a "$dir"), not s5j:750"
done
enabled=$(find /etc/systemd/system -name 's5j-*' 2>/dev/null)
[ -z "$enabled" ] || fail "installing enabled units: $enabled"

say "apt-get remove: the state and log directories stay"
touch /var/lib/s5j/kept-on-remove
apt-get remove -y s5j >/dev/null 2>&1 || fail "apt-get remove failed"
[ "$(dpkg-query -W -f='${Status}' s5j)" = "deinstall ok config-files" ] || fail "not in config-files state after remove"
[ -f /var/lib/s5j/kept-on-remove ] && [ -d /var/log/s5j ] || fail "remove deleted /var/lib/s5j or /var/log/s5j"
while IFS= read -r path; do
  [ -d "$path" ] || [ ! -e "$path" ] || fail "$path is left after remove"
done <<<"$files"

say "apt-get purge: nothing of it is left"
apt-get purge -y s5j >/dev/null 2>&1 || fail "apt-get purge failed"
installed=0
! dpkg-query -W s5j >/dev/null 2>&1 || fail "dpkg still knows s5j after purge"
for path in /var/lib/s5j /var/log/s5j /etc/s5j; do
  [ ! -e "$path" ] || fail "$path is left after purge"
done
while IFS= read -r path; do
  [ -d "$path" ] || [ ! -e "$path" ] || fail "$path is left after purge"
done <<<"$files"
say "ok"
