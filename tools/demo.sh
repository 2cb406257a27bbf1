#!/usr/bin/env bash
# Installs the dependencies, builds s5j and runs it.
#
#   tools/demo.sh               a self-contained demo on this machine
#   tools/demo.sh config.yaml   check + sync against your own S3 endpoints
#
# The demo starts two local Ceph RADOS Gateways on 127.0.0.1 (source on
# :19480, destination on :19482; apart from the test suite's 17480/17482 and
# the benchmark's 18480/18482), fills the source with small objects, keys
# that trip up naive tools and two objects above an 8 MiB multipart
# threshold, relays them through two local staging directories
# (`s5j relay --once`), shows `s5j status` and `s5j verify`, and reads every
# object back from both gateways to compare them (tools/demo_buckets.py,
# botocore, independent of s5j). The gateways are stopped at the end, also
# on failure or Ctrl-C; the config, ledger and event logs stay in $DEMO_DIR
# (/tmp/s5j-demo). One demo at a time (it owns its ports and directory).
# s5j is built in $BUILD_DIR (build/), reusing however it was configured.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

tools/install-deps.sh

# Builds the s5j target quietly (one line; the log's tail on failure). An
# existing build directory is used as it was configured: asking for another
# generator (-G) than the one it was made with is an error. A directory
# configured for another checkout is left alone for build-demo/.
build_s5j() {
  BUILD_DIR=${BUILD_DIR:-build}
  local cache=$BUILD_DIR/CMakeCache.txt
  if [ -f "$cache" ] && [ "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")" != "$root" ]; then
    BUILD_DIR=build-demo cache=build-demo/CMakeCache.txt
  fi
  local configure=(cmake -S . -B "$BUILD_DIR")
  [ -f "$cache" ] || configure+=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  mkdir -p "$BUILD_DIR"
  local log=$BUILD_DIR/demo-build.log started=$SECONDS
  printf 'building s5j in %s/ (a few minutes the first time; log: %s) ... ' "$BUILD_DIR" "$log"
  if "${configure[@]}" >"$log" 2>&1 && cmake --build "$BUILD_DIR" -j"$(nproc)" --target s5j >>"$log" 2>&1; then
    echo "done ($((SECONDS - started)) s)"
  else
    echo "FAILED"
    tail -n 30 "$log" >&2
    echo "the build failed: the whole log is $log" >&2
    exit 1
  fi
  case $BUILD_DIR in /*) S5J=$BUILD_DIR/s5j ;; *) S5J=$root/$BUILD_DIR/s5j ;; esac
}
build_s5j

if [ $# -ge 1 ]; then
  "$S5J" check -c "$1"
  exec "$S5J" sync -c "$1"
fi

DEMO_DIR=${DEMO_DIR:-/tmp/s5j-demo}
SRC_PORT=19480 DST_PORT=19482
SRC_MON_PORTS="19789 15300" DST_MON_PORTS="19790 15301"   # msgr v1, v2
export DEMO_SRC_ACCESS_KEY=DEMOSRCACCESSKEY0001 DEMO_SRC_SECRET_KEY=demosrcsecret000000000000000000000000001
export DEMO_DST_ACCESS_KEY=DEMODSTACCESSKEY0001 DEMO_DST_SECRET_KEY=demodstsecret000000000000000000000000001
src_endpoint=http://127.0.0.1:$SRC_PORT dst_endpoint=http://127.0.0.1:$DST_PORT
prefix=data/

exec 9>"$DEMO_DIR.lock"
flock -n 9 || { echo "another tools/demo.sh is running (it holds $DEMO_DIR.lock); wait for it to end" >&2; exit 1; }

stop_gateways() {
  local side
  for side in source destination; do
    [ -d "$DEMO_DIR/ceph-$side" ] && CEPH_DIR=$DEMO_DIR/ceph-$side tools/ceph-rgw/stop.sh 2>/dev/null
  done
  return 0
}
stop_gateways   # a demo killed before its cleanup left them running

for port in $SRC_PORT $DST_PORT $SRC_MON_PORTS $DST_MON_PORTS; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is in use; the demo needs $SRC_PORT $DST_PORT $SRC_MON_PORTS $DST_MON_PORTS free" >&2
    exit 1
  fi
done
# only what an earlier demo left: DEMO_DIR may have been pointed elsewhere
rm -rf "$DEMO_DIR"/{staging-1,staging-2,logs,config.yaml,ceph-source.log,ceph-destination.log} "$DEMO_DIR"/ledger.db*
mkdir -p "$DEMO_DIR/staging-1" "$DEMO_DIR/staging-2"

start_gateway() {  # start_gateway SIDE RGW_PORT MON_PORT MON_V2_PORT ACCESS_KEY SECRET_KEY
  CEPH_DIR=$DEMO_DIR/ceph-$1 RGW_PORT=$2 MON_PORT=$3 MON_V2_PORT=$4 S3_ACCESS_KEY=$5 S3_SECRET_KEY=$6 \
    OSD_SIZE_GB=1 tools/ceph-rgw/start.sh >/dev/null 2>"$DEMO_DIR/ceph-$1.log"
}
# On any exit: let a start still under way finish (it may yet launch a
# daemon), then stop both gateways.
starting=()
# shellcheck disable=SC2317  # called by the trap below
on_exit() {
  local pid
  trap '' INT TERM   # a second Ctrl-C must not cut the clean-up short
  for pid in "${starting[@]}"; do wait "$pid" 2>/dev/null; done
  printf '\nstopping the gateways ... '
  stop_gateways
  echo "done"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
printf 'starting two local Ceph RADOS Gateways: source %s, destination %s ... ' "$src_endpoint" "$dst_endpoint"
started=$SECONDS
# shellcheck disable=SC2086  # the mon ports are two words on purpose
start_gateway source $SRC_PORT $SRC_MON_PORTS "$DEMO_SRC_ACCESS_KEY" "$DEMO_SRC_SECRET_KEY" & starting+=($!)
# shellcheck disable=SC2086
start_gateway destination $DST_PORT $DST_MON_PORTS "$DEMO_DST_ACCESS_KEY" "$DEMO_DST_SECRET_KEY" & starting+=($!)
failed=
wait "${starting[0]}" || failed+=" source"
wait "${starting[1]}" || failed+=" destination"
starting=()
if [ -n "$failed" ]; then
  echo "FAILED"
  for side in $failed; do tail -n 20 "$DEMO_DIR/ceph-$side.log" >&2; done
  echo "gateway start failed:$failed (logs: $DEMO_DIR/ceph-*.log)" >&2
  exit 1
fi
echo "done ($((SECONDS - started)) s)"

/usr/bin/python3 tools/demo_buckets.py fill "$src_endpoint" demo-source "$dst_endpoint" demo-destination "$prefix"

config=$DEMO_DIR/config.yaml
cat >"$config" <<YAML
# Written by tools/demo.sh: a staged relay between two local gateways.
job:
  name: demo
source:
  bucket: demo-source
  prefix: $prefix
  endpoint_urls: [$src_endpoint]
  access_key: $DEMO_SRC_ACCESS_KEY
  secret_access_key: $DEMO_SRC_SECRET_KEY
destination:
  bucket: demo-destination
  prefix: $prefix
  endpoint_urls: [$dst_endpoint]
  access_key: $DEMO_DST_ACCESS_KEY
  secret_access_key: $DEMO_DST_SECRET_KEY
transfer:
  workers: 4
  multipart_threshold: 8MiB   # small, so that the demo's 12 and 20 MiB objects go in parts
  part_size: 5MiB             # S3's smallest part
staging:
  volumes: [$DEMO_DIR/staging-1, $DEMO_DIR/staging-2]
  reserve: 64MiB
ledger:
  path: $DEMO_DIR/ledger.db
log:
  dir: $DEMO_DIR/logs
YAML
chmod 600 "$config"   # it holds (demo) secrets
echo
echo "config $config: a staged relay through $DEMO_DIR/staging-1 and staging-2,"
echo "multipart above 8 MiB in 5 MiB parts (the secrets in it never appear in s5j's output)"

status=0
run() {  # run ARGS...: shows and runs `s5j ARGS -c config`, remembering a failure
  echo
  echo "\$ s5j $* -c $config"
  "$S5J" "$@" -c "$config" || { local rc=$?; echo "(exit code $rc)"; status=$rc; }
}
run relay --once --no-progress
relay_logs=("$DEMO_DIR"/logs/relay-*.jsonl)   # this first relay's only
relay_log=${relay_logs[0]}
echo
echo "once more: the ledger knows every object is verified, nothing is moved twice"
run relay --once --no-progress
run status
run verify
echo
/usr/bin/python3 tools/demo_buckets.py compare "$src_endpoint" demo-source "$dst_endpoint" demo-destination \
  "$prefix" "$relay_log" || status=1
echo
echo "the first relay's event log: $relay_log"
echo "config, ledger and event logs stay in $DEMO_DIR; try: $S5J ledger export -c $config"
exit $status
