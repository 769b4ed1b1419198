#!/usr/bin/env bash
# Runs a command with a private, throw-away PostgreSQL server on a loopback port and
# CLASSIFY_TEST_POSTGRES_URL pointing at it; stops and removes the server afterwards.
#   scripts/with-postgres.sh swift test
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries (Debian package: postgresql)" >&2
  exit 1
fi
port=${CLASSIFY_TEST_POSTGRES_PORT:-55432}
dir=$(mktemp -d "${TMPDIR:-/tmp}/classify-pg-XXXXXX")
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c autovacuum=off" start >/dev/null
export CLASSIFY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
"$@"
