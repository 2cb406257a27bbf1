#!/usr/bin/env bash
# Starts or stops the PostgreSQL 15 the PostgreSQL ledger's tests use (ctest
# fixture "postgres"): a throwaway cluster made by initdb in DIR, listening
# on 127.0.0.1:PORT only (and a unix socket in DIR), with a role and
# password for the tests and a database of the same name.
#   tools/test-postgres.sh start|stop DIR PORT
#   tools/test-postgres.sh down|up DIR PORT   (the server alone stopped or
#                                             started again, data kept: the
#                                             reconnect tests)
# PostgreSQL refuses to run as root; as root, the server runs as the
# `postgres` system user (Debian's package creates it), owning DIR.
# A stale server on DIR (from a killed run) is stopped before a start.
# Role, password and database: tests/support/test_env.h (postgres_url()).
set -euo pipefail
action=${1:-} dir=${2:-} port=${3:-}
if [ -z "$action" ] || [ -z "$dir" ] || [ -z "$port" ]; then
  echo "usage: $0 start|stop|down|up DIR PORT" >&2
  exit 2
fi
bin=/usr/lib/postgresql/15/bin
role=s5j_test
password=s5j-test-password
database=s5j_test

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

start_server() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" \
    start >/dev/null
}

case "$action" in
  start)
    stop_server
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    pwfile="$dir/superuser.pw"
    echo "$password" >"$pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$pwfile"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    start_server
    PGPASSWORD=$password "$bin/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres <<SQL
CREATE ROLE $role LOGIN PASSWORD '$password' CREATEDB;
CREATE DATABASE $database OWNER $role;
SQL
    echo "postgres on postgresql://$role@127.0.0.1:$port/$database"
    ;;
  down)
    stop_server
    ;;
  up)
    start_server
    ;;
  stop)
    stop_server
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|down|up DIR PORT" >&2; exit 2 ;;
esac
