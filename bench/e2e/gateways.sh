#!/usr/bin/env bash
# The benchmark's own two Ceph RADOS Gateways (in-memory object store), apart
# from the test gateways on 17480/17482:
#   source       http://127.0.0.1:18480  mon 18789 / 14300  $BENCH_DIR/ceph-src
#   destination  http://127.0.0.1:18482  mon 18790 / 14301  $BENCH_DIR/ceph-dst
#
#   bench/e2e/gateways.sh start|stop|restart src|dst|all
#
# `restart dst` is how the benchmark frees the destination (bench.py,
# DST_BUDGET): a fresh gateway (~4 s) is quicker than deleting 10,000
# objects from RGW (~13 s) and leaves no garbage collection running under the
# next run. The OSDs keep data in RAM (about twice the payload of large
# objects, ~15 KB per small object with the short PG log set below); their
# device size (BENCH_SRC_GB 4 GiB / BENCH_DST_GB 6 GiB: the destination holds
# two runs of W2 between restarts) makes a runaway fill stop at "OSD full"
# rather than at the kernel's OOM killer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/s5j-bench}
action=${1:?usage: gateways.sh start|stop|restart src|dst|all}
which=${2:-all}

SRC_ACCESS_KEY=BENCHSRCACCESSKEY001
SRC_SECRET_KEY=benchsrcsecret00000000000000000000000001
DST_ACCESS_KEY=BENCHDSTACCESSKEY001
DST_SECRET_KEY=benchdstsecret00000000000000000000000001

one() {  # one start|stop NAME
  local port mon mon2 ak sk bucket size
  case "$2" in
    src) port=18480 mon=18789 mon2=14300 ak=$SRC_ACCESS_KEY sk=$SRC_SECRET_KEY bucket=bench-src size=${BENCH_SRC_GB:-4} ;;
    dst) port=18482 mon=18790 mon2=14301 ak=$DST_ACCESS_KEY sk=$DST_SECRET_KEY bucket=bench-dst size=${BENCH_DST_GB:-6} ;;
    *) echo "gateways.sh: unknown gateway '$2'" >&2; exit 2 ;;
  esac
  if [ "$1" = start ]; then
    # memstore keeps every PG log entry in RAM: with the default 10,000 per PG
    # an OSD costs ~42 KB per small object, with 100 about 15 KB (measured)
    # debug logging off: at its defaults (1/5 and 0/5: gathered in memory)
    # it costs the gateways about a tenth of their CPU on small objects
    # (measured on W1: radosgw 13.1 -> 11.0 CPU-s on the source side), CPU
    # the client would otherwise compete with
    # 16 gateway threads instead of tools/ceph-rgw's 128: beast serves
    # requests as coroutines, so the threads only need to keep 2 cores busy,
    # and 128 of them mostly switch between each other. Measured with the
    # ceiling (bench/ceiling), 2 runs each on fresh gateways: W1 17.7 -> 15.1 s,
    # W2 22.1 -> 18.5 s, generating W5's 100,000 objects 103 -> 79 s (8: no
    # better than 16)
    local threads="--rgw_thread_pool_size=16"
    local quiet="" sub
    for sub in rgw osd ms objecter rados filestore bluestore bluefs rocksdb monc mon paxos auth finisher \
               optracker objclass journal throttle asok context buffer timer crush; do
      quiet+=" --debug_$sub=0/0"
    done
    CEPH_ARGS="--osd_min_pg_log_entries=100 --osd_max_pg_log_entries=100 --osd_pg_log_dups_tracked=100 --osd_pg_log_trim_min=10 $threads$quiet" \
    CEPH_DIR=$BENCH_DIR/ceph-$2 RGW_PORT=$port MON_PORT=$mon MON_V2_PORT=$mon2 \
      S3_ACCESS_KEY=$ak S3_SECRET_KEY=$sk S3_BUCKET=$bucket OSD_SIZE_GB=$size TIMEOUT=90 \
      "$root/tools/ceph-rgw/start.sh" >/dev/null 2>"$BENCH_DIR/ceph-$2.start.log" || {
        cat "$BENCH_DIR/ceph-$2.start.log" >&2; exit 1; }
  else
    CEPH_DIR=$BENCH_DIR/ceph-$2 "$root/tools/ceph-rgw/stop.sh" 2>/dev/null || true
  fi
}

mkdir -p "$BENCH_DIR"
case "$which" in all) names=(src dst) ;; *) names=("$which") ;; esac
for n in "${names[@]}"; do
  case "$action" in
    start) one start "$n" ;;
    stop) one stop "$n" ;;
    restart) one stop "$n"; one start "$n" ;;
    *) echo "usage: gateways.sh start|stop|restart src|dst|all" >&2; exit 2 ;;
  esac
done
