#!/usr/bin/env bash
# End-to-end benchmark: s5j against rclone, `aws s3` and a minimal client
# (the ceiling), on the same data, between two local Ceph RADOS Gateways of its
# own (127.0.0.1:18480 source, :18482 destination; in-memory object store).
#
#   bench/run.sh                  # everything: W1..W5, 3 rounds (~20 min on the 2-core dev box; docs/performance.md)
#   bench/run.sh --quick          # scaled down smoke run (a few minutes)
#   bench/run.sh --only W1,W4     # some workloads
#   bench/run.sh --runs 5 --concurrency 32
#
# Environment: S5J_BIN=path uses that binary instead of building
# build-bench/s5j (Release); BENCH_DIR (default /tmp/s5j-bench) holds the
# gateways, run directories and logs. Results: a table on stdout and
# bench/results/<timestamp>.json. Details: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export BENCH_DIR=${BENCH_DIR:-/tmp/s5j-bench}

for arg in "$@"; do
  case "$arg" in
    -h|--help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      echo
      /usr/bin/python3 bench/e2e/bench.py --help 2>/dev/null | sed -n '/^options:/,$p' || true
      exit 0 ;;
  esac
done

say() { echo "[bench] $*" >&2; }
T0=$(date +%s)

# ------------------------------------------------------------------ packages
# The project's own list (build, Ceph, python3-botocore), then what only the
# benchmark needs. apt-get update only when something is missing.
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
tools/install-deps.sh
extra=()
for p in rclone awscli time curl python3 python3-botocore util-linux iproute2; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || extra+=("$p")
done
if [ ${#extra[@]} -gt 0 ]; then
  say "installing: ${extra[*]}"
  $SUDO apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${extra[@]}" >/dev/null
fi

# a typo in the arguments should not cost a build and two gateway starts
/usr/bin/python3 bench/e2e/bench.py --check-args "$@"

mkdir -p "$BENCH_DIR"
# one benchmark at a time: it owns the ports and $BENCH_DIR
exec 9>"$BENCH_DIR/lock"
flock -n 9 || { say "another bench/run.sh is running (lock $BENCH_DIR/lock)"; exit 1; }

# ------------------------------------------------------------------ s5j (Release)
# Its own build tree, so the developers' build/ (RelWithDebInfo, tests) is not
# reconfigured; ninja rebuilds only what changed.
# The ceiling (the minimal client, also the data generator) is built in the
# same tree; the benchmark cannot run without it.
say "building build-bench/s5j (Release) and the ceiling; log: $BENCH_DIR/build.log"
release_ok=0 ceiling_ok=0
if cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DS5J_BUILD_TESTS=OFF \
      -DS5J_BUILD_BENCH=ON >"$BENCH_DIR/build.log" 2>&1; then
  cmake --build build-bench --target s5j_ceiling -j"$(nproc)" >>"$BENCH_DIR/build.log" 2>&1 && ceiling_ok=1
  if [ -z "${S5J_BIN:-}" ] && cmake --build build-bench --target s5j -j"$(nproc)" >>"$BENCH_DIR/build.log" 2>&1; then
    release_ok=1
  fi
fi
ceiling=build-bench/bench/s5j_ceiling
if [ $ceiling_ok = 0 ]; then
  say "the ceiling (bench/ceiling/s5j_ceiling.cpp) did not build; it also generates the data, so the benchmark cannot run (tail of $BENCH_DIR/build.log below)"
  tail -n 5 "$BENCH_DIR/build.log" >&2
  exit 1
fi
if [ -n "${S5J_BIN:-}" ]; then
  s5j=$S5J_BIN
  say "using S5J_BIN=$s5j"
elif [ $release_ok = 1 ]; then
  s5j=build-bench/s5j
elif [ -x build/s5j ]; then
  say "WARNING: the Release build failed (tail below); measuring build/s5j as it is"
  tail -n 5 "$BENCH_DIR/build.log" >&2
  s5j=build/s5j
else
  say "WARNING: the Release build failed and there is no build/s5j: s5j cells will be n/a"
  tail -n 5 "$BENCH_DIR/build.log" >&2
  s5j=""
fi
[ -z "$s5j" ] || say "s5j: $("$s5j" --version 2>/dev/null || echo '?') ($s5j)"
T_BUILD=$(date +%s)

# ------------------------------------------------------------------ gateways
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  say "stopping the benchmark gateways"
  bench/e2e/gateways.sh stop all || true
  rm -rf "$BENCH_DIR/runs"
  exit $rc
}
bench_pid=""
on_signal() {
  # bench.py runs in the background so that this trap runs at once; it ends
  # the command it is measuring before it exits
  if [ -n "$bench_pid" ]; then kill -TERM "$bench_pid" 2>/dev/null || true; wait "$bench_pid" 2>/dev/null || true; fi
  exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

bench/e2e/gateways.sh stop all   # leftovers of an interrupted run of ours, if any
busy=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ':(18480|18482|18789|18790|14300|14301)$' || true)
if [ -n "$busy" ]; then
  say "ports in use by something else: $(echo $busy); the benchmark needs 18480 18482 18789 18790 14300 14301"
  exit 1
fi
say "starting source (127.0.0.1:18480) and destination (127.0.0.1:18482) gateways"
bench/e2e/gateways.sh start all
say "setup took $(( $(date +%s) - T0 )) s (build $(( T_BUILD - T0 )) s)"

status=0
/usr/bin/python3 bench/e2e/bench.py --s5j "$s5j" --ceiling "$ceiling" "$@" &
bench_pid=$!
wait "$bench_pid" || status=$?
bench_pid=""
say "total $(( $(date +%s) - T0 )) s"
exit $status
