#!/usr/bin/env bash
# Builds s5j and runs it. With a config file argument, runs against your
# own S3 endpoints: `tools/demo.sh config.yaml`. Without one, a
# self-contained demo: starts a local Ceph RADOS Gateway on 127.0.0.1,
# creates a source bucket with sample objects and an empty destination
# bucket, writes a config for them, and runs s5j against it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target s5j

if [ $# -ge 1 ]; then
  build/s5j check -c "$1"
  exec build/s5j sync -c "$1"
fi

DEMO_DIR=${DEMO_DIR:-/tmp/s5j-demo}
export CEPH_DIR=$DEMO_DIR/ceph RGW_PORT=${RGW_PORT:-17580} MON_PORT=16889 MON_V2_PORT=13400
mkdir -p "$DEMO_DIR"
rm -rf "$DEMO_DIR/ledger.db" "$DEMO_DIR/ledger.db-wal" "$DEMO_DIR/ledger.db-shm" "$DEMO_DIR/logs"
tools/ceph-rgw/start.sh >/dev/null
. "$CEPH_DIR/env"
endpoint=http://127.0.0.1:$RGW_PORT
s3curl() { curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
             -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }
s3curl -X PUT "$endpoint/demo-source" >/dev/null || true
s3curl -X PUT "$endpoint/demo-destination" >/dev/null || true
for i in $(seq 1 20); do
  head -c $((i * 1000)) /dev/urandom | s3curl -X PUT --data-binary @- "$endpoint/demo-source/data/file-$i.bin" >/dev/null
done
# One object above the multipart threshold, so the demo shows a multipart copy.
head -c $((70 * 1024 * 1024)) /dev/urandom | s3curl -X PUT --data-binary @- "$endpoint/demo-source/data/large.bin" >/dev/null
cat >"$DEMO_DIR/config.yaml" <<YAML
source:
  bucket: demo-source
  bucket_prefix: data/
  region: us-east-1
  endpoint_urls: [$endpoint]
destination:
  bucket: demo-destination
  bucket_prefix: data/
  region: us-east-1
  endpoint_urls: [$endpoint]
ledger:
  path: $DEMO_DIR/ledger.db
log:
  dir: $DEMO_DIR/logs
YAML
chmod 600 "$DEMO_DIR/config.yaml"
echo "== demo config: $DEMO_DIR/config.yaml (credentials from the environment)"
echo "== s5j check -c $DEMO_DIR/config.yaml"
status=0
build/s5j check -c "$DEMO_DIR/config.yaml" || status=$?
if [ $status -eq 0 ]; then
  echo "== s5j sync -c $DEMO_DIR/config.yaml"
  build/s5j sync -c "$DEMO_DIR/config.yaml" || status=$?
  echo "== s5j sync again: everything is verified, nothing is copied twice"
  build/s5j sync -c "$DEMO_DIR/config.yaml" || status=$?
  echo "== the event log: $(ls -t "$DEMO_DIR"/logs/*.jsonl | head -1)"
fi
echo "== stop the demo server with: CEPH_DIR=$CEPH_DIR tools/ceph-rgw/stop.sh"
exit $status
