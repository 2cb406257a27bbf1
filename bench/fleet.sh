#!/usr/bin/env bash
# The fleet's cost of coordination (#17, docs/fleet.md): W1's data (10,000 x
# 16 KiB) synced between the benchmark's two gateways by one s5j worker on
# an SQLite ledger, and by 2 and 3 workers (processes) of one job on a
# PostgreSQL ledger, with the same total concurrency (32 objects in flight,
# split over the workers). On one machine the workers share its cores, so
# this measures what coordinating through PostgreSQL costs, not what more
# hosts would gain (docs/performance.md says what it predicts for those).
#
#   bench/fleet.sh                 # 2 rounds of each shape
#   ROUNDS=3 COUNT=2000 bench/fleet.sh
#
# Needs build/s5j and build/bench/s5j_ceiling (cmake --build build). Uses
# the benchmark's gateways (bench/e2e/gateways.sh, ports 18480/18482) and a
# PostgreSQL 15 of its own (tools/test-postgres.sh, port 18491), all under
# BENCH_DIR (default /tmp/s5j-bench), stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR=${BENCH_DIR:-/tmp/s5j-bench}
COUNT=${COUNT:-10000}
SIZE=${SIZE:-16384}
ROUNDS=${ROUNDS:-2}
CONCURRENCY=${CONCURRENCY:-32}
S5J=$PWD/${S5J_BIN:-build/s5j}
CEILING=$PWD/build/bench/s5j_ceiling
PG_DIR=$BENCH_DIR/fleet-pg
PG_PORT=18491
PG_URL="postgresql://s5j_test:s5j-test-password@127.0.0.1:$PG_PORT/s5j_test"
say() { echo "[fleet] $*" >&2; }

[ -x "$S5J" ] && [ -x "$CEILING" ] || { say "build first: cmake --build build"; exit 2; }
mkdir -p "$BENCH_DIR"
exec 9>"$BENCH_DIR/lock"
flock -n 9 || { say "another benchmark holds $BENCH_DIR/lock"; exit 1; }

export BENCH_SRC_ACCESS_KEY=BENCHSRCACCESSKEY001 BENCH_SRC_SECRET_KEY=benchsrcsecret00000000000000000000000001
export BENCH_DST_ACCESS_KEY=BENCHDSTACCESSKEY001 BENCH_DST_SECRET_KEY=benchdstsecret00000000000000000000000001
cleanup() {
  bench/e2e/gateways.sh stop all >/dev/null 2>&1 || true
  tools/test-postgres.sh stop "$PG_DIR" "$PG_PORT" >/dev/null 2>&1 || true
}
trap cleanup EXIT
say "starting the gateways and PostgreSQL"
bench/e2e/gateways.sh start all >/dev/null
tools/test-postgres.sh start "$PG_DIR" "$PG_PORT" >/dev/null
say "generating $COUNT x $SIZE bytes at the source"
BENCH_ACCESS_KEY=$BENCH_SRC_ACCESS_KEY BENCH_SECRET_KEY=$BENCH_SRC_SECRET_KEY \
  "$CEILING" generate --endpoint http://127.0.0.1:18480 --bucket bench-src --prefix fleet/ \
  --count "$COUNT" --size "$SIZE" -c 32 >/dev/null

# run_shape NAME WORKERS LEDGER: one timed run; prints "NAME wall cpu".
run_shape() {
  local name=$1 workers=$2 ledger=$3 dir job
  bench/e2e/gateways.sh restart dst >/dev/null  # an empty destination for every run
  dir=$BENCH_DIR/fleet-$name-$RANDOM
  job=fleet${RANDOM}x$RANDOM
  mkdir -p "$dir"
  {
    echo "job: {name: $job}"
    echo "source: {bucket: bench-src, prefix: fleet/, endpoint_urls: http://127.0.0.1:18480,"
    echo "  access_key: $BENCH_SRC_ACCESS_KEY, secret_access_key: $BENCH_SRC_SECRET_KEY}"
    echo "destination: {bucket: bench-dst, prefix: fleet/, endpoint_urls: http://127.0.0.1:18482,"
    echo "  access_key: $BENCH_DST_ACCESS_KEY, secret_access_key: $BENCH_DST_SECRET_KEY}"
    echo "transfer: {workers: $((CONCURRENCY / workers))}"
    echo "log: {dir: $dir/logs, object_events: none}"
    if [ "$ledger" = postgres ]; then
      echo "ledger: {postgres_url: \"$PG_URL\"}"
    else
      echo "ledger: {path: $dir/ledger.db}"
    fi
  } >"$dir/config.yaml"
  chmod 600 "$dir/config.yaml"
  local start end pids=() i cpu=0
  start=$(date +%s.%N)
  for i in $(seq "$workers"); do
    /usr/bin/time -f "%U %S" -o "$dir/time.$i" "$S5J" sync -c "$dir/config.yaml" --no-progress >"$dir/out.$i" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { say "$name: worker $((i + 1)) failed:"; cat "$dir/out.$((i + 1))" >&2; exit 1; }
  done
  end=$(date +%s.%N)
  for i in $(seq "$workers"); do cpu=$(echo "$cpu + $(awk '{print $1 + $2}' "$dir/time.$i")" | bc -l); done
  printf "%s %.2f %.2f\n" "$name" "$(echo "$end - $start" | bc -l)" "$cpu"
}

say "$ROUNDS rounds of: 1 worker on SQLite, 1, 2 and 3 workers on PostgreSQL ($CONCURRENCY objects in flight in all)"
results=()
for round in $(seq "$ROUNDS"); do
  results+=("$(run_shape sqlite-1 1 sqlite)")
  results+=("$(run_shape postgres-1 1 postgres)")
  results+=("$(run_shape postgres-2 2 postgres)")
  results+=("$(run_shape postgres-3 3 postgres)")
done
echo "shape wall_s cpu_s objects_per_s"
for r in "${results[@]}"; do
  set -- $r
  printf "%-12s %7.2f %6.2f %8.0f\n" "$1" "$2" "$3" "$(echo "$COUNT / $2" | bc -l)"
done
