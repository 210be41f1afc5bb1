#!/usr/bin/env bash
# Runs a command with an ephemeral PostgreSQL 15 server.
#
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throw-away PostgreSQL 15 cluster in a temporary directory (owned by the `postgres`
# user, trust authentication, listening on 127.0.0.1 only, on a random free port, fsync off —
# test data only), exports
#   FAULTDESK_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres
# runs CMD, then stops the server and removes the directory whatever happens. The script exits
# with CMD's exit code. When PostgreSQL 15 is not installed it installs it with apt-get (CI
# machines may be fresh). Must run as root (initdb/pg_ctl run as `postgres` via runuser) or as
# the `postgres` user itself.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

if [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: PostgreSQL 15 not found in $PG_BIN, installing it with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-15 >/dev/null
fi

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  else
    runuser -u postgres -- "$@"
  fi
}

free_port() {
  python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

PGTMP=$(mktemp -d /tmp/faultdesk-pg.XXXXXX)
chown postgres:postgres "$PGTMP" 2>/dev/null || true
chmod 700 "$PGTMP"
PGDATA="$PGTMP/data"
PGSOCK="$PGTMP/sock"
mkdir -p "$PGSOCK"
chown postgres:postgres "$PGSOCK" 2>/dev/null || true

cleanup() {
  local code=$?
  if [ -f "$PGDATA/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGTMP"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_postgres "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync -E UTF8 >"$PGTMP/initdb.log" 2>&1 || {
  cat "$PGTMP/initdb.log" >&2
  exit 1
}

started=""
for _ in 1 2 3 4 5; do
  PORT=$(free_port)
  if as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGTMP/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGSOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: could not start PostgreSQL" >&2
  cat "$PGTMP/server.log" >&2 || true
  exit 1
fi

export FAULTDESK_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$PORT (FAULTDESK_TEST_PG_URL exported)" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
