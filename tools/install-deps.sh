#!/usr/bin/env bash
# Installs everything s5j needs to build, test and benchmark, from Debian 12
# packages only. Safe to run again (apt-get skips what is installed).
set -euo pipefail
packages=(
  # build
  g++ cmake ninja-build pkg-config
  libcurl4-openssl-dev libssl-dev libpugixml-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  libfmt-dev libsqlite3-dev libisal-dev libpq-dev libblkid-dev zlib1g-dev
  # metrics (--metrics-addr, status --serve): the Prometheus client library and its HTTP server
  prometheus-cpp-dev libcivetweb-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-botocore curl openssl
  # reliability tests: a clock 20 minutes off, a TLS front for RGW
  faketime socat
  # the proxy tests: real HTTP CONNECT and SOCKS5 proxies (started by the
  # tests with their own configs), and nss_wrapper for dante's test user
  squid dante-server libnss-wrapper
  # the metrics and status page tests: a real Prometheus (and promtool), a headless browser
  prometheus chromium
  # the man page, the shell completion, the Debian package and its checks
  man-db bash-completion debhelper dpkg-dev fakeroot lintian systemd
  # `s5j volumes` tests on loop devices: mkfs.ext4, mkfs.xfs, wipefs, losetup
  e2fsprogs xfsprogs util-linux
  # the real S3 server the tests run against (Ceph RADOS Gateway)
  ceph-mon ceph-osd radosgw ceph-common ceph-base
  # the PostgreSQL 15 the PostgreSQL ledger's tests start (tools/test-postgres.sh)
  postgresql-15
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-deps] all packages present" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "[install-deps] installing: ${missing[*]}" >&2
$SUDO apt-get update >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
# squid and danted are here for the tests, which start instances of their
# own on free loopback ports: the system services the packages enable
# (squid on :3128) are stopped and disabled where this script installed them.
for p in squid dante-server; do
  case " ${missing[*]} " in *" $p "*) ;; *) continue ;; esac
  service=$p; [ "$p" = dante-server ] && service=danted
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
  elif command -v service >/dev/null; then
    $SUDO service "$service" stop >/dev/null 2>&1 || true
  fi
done
