#!/usr/bin/env bash
# A/B of s5j binaries (and rclone) on one generated data set, at s5j's
# default settings, between the benchmark's own two gateways: the quick
# measurement behind an issue's before/after figures (docs/performance.md).
#
#   bench/ab.sh ROUNDS NAME=S5J_BINARY... [rclone=-]
#   e.g. bench/ab.sh 3 before=/tmp/s5j-old after=build/s5j rclone=-
#
# Data: COUNT objects of SIZE bytes (default 4 x 128 MiB) under PREFIX (ab/),
# written as multipart uploads of PART-byte parts (default 8 MiB; PART=0:
# single PUTs) by the ceiling's generator (build-bench/bench/s5j_ceiling:
# run bench/run.sh once to build it). Each round runs every NAME in order,
# each into a fresh destination bucket: `s5j sync` with a config naming only
# the sides (EXTRA_TRANSFER may add a "transfer:" block), rclone as
# `rclone sync --transfers 16 --checkers 16`. MODE=relay runs `s5j relay
# --once` through two staging directories instead (rclone is then not
# comparable: leave it out). Per run: wall, user + system CPU and peak RSS
# from GNU time -v, and the proof of the first object.
# Takes the benchmark's lock; the gateways are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR=${BENCH_DIR:-/tmp/s5j-bench}
mkdir -p "$BENCH_DIR"
exec 9>"$BENCH_DIR/lock"; flock -n 9 || { echo "bench lock busy"; exit 1; }
rounds=${1:?usage: bench/ab.sh ROUNDS NAME=BINARY... [rclone=-]}; shift
trap 'bench/e2e/gateways.sh stop all >/dev/null 2>&1 || true' EXIT
bench/e2e/gateways.sh stop all >/dev/null 2>&1 || true
bench/e2e/gateways.sh start all >/dev/null
SRC_AK=BENCHSRCACCESSKEY001 SRC_SK=benchsrcsecret00000000000000000000000001
DST_AK=BENCHDSTACCESSKEY001 DST_SK=benchdstsecret00000000000000000000000001
PREFIX=${PREFIX:-ab/} COUNT=${COUNT:-4} SIZE=${SIZE:-134217728} PART=${PART:-8388608}
parts=(); [ "$PART" = 0 ] || parts=(--part-size "$PART")
BENCH_ACCESS_KEY=$SRC_AK BENCH_SECRET_KEY=$SRC_SK build-bench/bench/s5j_ceiling generate --endpoint http://127.0.0.1:18480 \
  --bucket bench-src --prefix "$PREFIX" --count "$COUNT" --size "$SIZE" "${parts[@]}" >/dev/null
W=$BENCH_DIR/ab; rm -rf $W; mkdir -p $W
cat > $W/rclone.conf <<RC
[src]
type = s3
provider = Ceph
access_key_id = $SRC_AK
secret_access_key = $SRC_SK
endpoint = http://127.0.0.1:18480
region = us-east-1
force_path_style = true

[dst]
type = s3
provider = Ceph
access_key_id = $DST_AK
secret_access_key = $DST_SK
endpoint = http://127.0.0.1:18482
region = us-east-1
force_path_style = true
RC
n=0
mk_bucket() { python3 - "$1" <<PY
import sys; sys.path.insert(0, "bench/e2e")
from s3lite import Side
Side("http://127.0.0.1:18482", sys.argv[1], "$DST_AK", "$DST_SK").create_bucket()
PY
}
measure() {  # name argv...
  local name=$1; shift
  env -i PATH=/usr/bin:/bin HOME=/root LC_ALL=C.UTF-8 RCLONE_CONFIG=$W/rclone.conf /usr/bin/time -v -o $W/time.txt "$@" >$W/out.txt 2>&1 || { echo "$name FAILED"; tail -5 $W/out.txt; }
  python3 - "$name" $W/time.txt <<'PY'
import sys
d={}
for l in open(sys.argv[2]):
    l=l.strip()
    for k,n in (("User time (seconds):","u"),("System time (seconds):","s"),("Maximum resident set size (kbytes):","rss"),("Elapsed (wall clock) time (h:mm:ss or m:ss):","wall")):
        if l.startswith(k): d[n]=l[len(k):].strip()
w=d["wall"].split(":"); wall=float(w[-1])+60*float(w[-2])
print(f"{sys.argv[1]:<12} wall {wall:6.2f} s  cpu {float(d['u'])+float(d['s']):5.2f} s (user {d['u']}, sys {d['s']})  rss {int(d['rss'])/1024:6.1f} MiB")
PY
}
for r in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    name=${spec%%=*}; bin=${spec#*=}
    n=$((n+1)); b=ab-dst-$n; mk_bucket $b
    if [ "$name" = rclone ]; then
      RCLONE_CONFIG=$W/rclone.conf measure "r$r rclone" /usr/bin/rclone sync src:bench-src/$PREFIX dst:$b/$PREFIX --transfers 16 --checkers 16
    else
      rd=$W/$name-$r; mkdir -p $rd
      staging=""; command=(sync)
      if [ "${MODE:-sync}" = relay ]; then
        mkdir -p $rd/vol1 $rd/vol2
        staging="staging:
  volumes: [$rd/vol1, $rd/vol2]
  reserve: 0
"
        command=(relay --once)
      fi
      cat > $rd/config.yaml <<CFG
source:
  bucket: bench-src
  bucket_prefix: $PREFIX
  region: us-east-1
  endpoint_urls: [http://127.0.0.1:18480]
  access_key: $SRC_AK
  secret_access_key: $SRC_SK
destination:
  bucket: $b
  bucket_prefix: $PREFIX
  region: us-east-1
  endpoint_urls: [http://127.0.0.1:18482]
  access_key: $DST_AK
  secret_access_key: $DST_SK
${EXTRA_TRANSFER:-}${staging}ledger:
  path: $rd/ledger.db
log:
  dir: $rd/logs
CFG
      chmod 600 $rd/config.yaml
      measure "r$r $name" $bin "${command[@]}" -c $rd/config.yaml --no-progress
      grep -h '"object_verified"' $rd/logs/*.jsonl 2>/dev/null | head -1 | python3 -c "import sys,json; [print('   proof:', json.loads(l).get('proof')) for l in sys.stdin]" || true
    fi
  done
done
