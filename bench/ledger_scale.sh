#!/usr/bin/env bash
# A job ledger of N objects (default 10^7) made directly, then: bytes per
# object on disk, the totals `s5j status` reads, claim-and-settle
# throughput at the far end of the key space, and `s5j status` itself
# timed on that ledger (text and --json). docs/performance.md has figures.
#
#   bench/ledger_scale.sh [N] [DIR]     # DIR default /tmp/s5j-ledger-scale (needs ~260 B per object)
#
# S5J_BUILD=path uses that build tree (default build/, which must be built).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
DIR=${2:-/tmp/s5j-ledger-scale}
BUILD=${S5J_BUILD:-build}
cmake --build "$BUILD" --target s5j s5j_ledger_scale >/dev/null
rm -rf "$DIR" && mkdir -p "$DIR"
"$BUILD/bench/s5j_ledger_scale" --ledger "$DIR/ledger.db" --objects "$N"
cat > "$DIR/config.yaml" <<YAML
job:
  name: scale
source:
  bucket: scale-source
  endpoint_urls: [http://127.0.0.1:9]
  access_key: bench
  secret_access_key: bench-secret
destination:
  bucket: scale-destination
  endpoint_urls: [http://127.0.0.1:9]
  access_key: bench
  secret_access_key: bench-secret
ledger:
  path: $DIR/ledger.db
log:
  dir: $DIR/logs
YAML
chmod 600 "$DIR/config.yaml"
for args in "" "--json"; do
  # The second of two runs: the first reads the file into the page cache.
  "$BUILD/s5j" status -c "$DIR/config.yaml" $args >/dev/null
  start=$(date +%s.%N)
  "$BUILD/s5j" status -c "$DIR/config.yaml" $args >/dev/null
  end=$(date +%s.%N)
  echo "status${args:+_json}_seconds $(echo "$end - $start" | bc -l | sed 's/^\./0./')"
done
