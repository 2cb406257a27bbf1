#!/usr/bin/env bash
# Starts or stops the two independent Ceph RADOS Gateways the integration
# tests use (ctest fixture "rgw"). Both bind to 127.0.0.1 only.
#   tools/test-servers.sh start|stop DIR_A PORT_A DIR_B PORT_B
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
action=$1 dir_a=$2 port_a=$3 dir_b=$4 port_b=$5

instance() {  # instance start|stop DIR RGW_PORT MON_PORT MON_V2_PORT
  if [ "$1" = start ]; then
    CEPH_DIR=$2 RGW_PORT=$3 MON_PORT=$4 MON_V2_PORT=$5 "$here/ceph-rgw/start.sh" >/dev/null
  else
    CEPH_DIR=$2 "$here/ceph-rgw/stop.sh"
  fi
}

# A second S3 user with no rights of its own: the reliability tests grant
# it exactly what each case needs with bucket policies (access-denied
# cases). Keys: tests/support/test_env.h.
limited_user() {  # limited_user DIR
  radosgw-admin -c "$1/ceph.conf" user info --uid=s5j-limited >/dev/null 2>&1 && return 0
  radosgw-admin -c "$1/ceph.conf" user create --uid=s5j-limited --display-name="s5j limited test user" \
    --access-key=LIMITEDACCESSKEY0001 --secret-key=limitedsecretkey0000000000000000000000001 >/dev/null
}

case "$action" in
  start)
    instance start "$dir_a" "$port_a" 16789 13300
    instance start "$dir_b" "$port_b" 16790 13301
    limited_user "$dir_a"
    limited_user "$dir_b"
    echo "rgw A on http://127.0.0.1:$port_a, rgw B on http://127.0.0.1:$port_b"
    ;;
  stop)
    instance stop "$dir_a" || true
    instance stop "$dir_b" || true
    ;;
  *) echo "usage: $0 start|stop DIR_A PORT_A DIR_B PORT_B" >&2; exit 2 ;;
esac
