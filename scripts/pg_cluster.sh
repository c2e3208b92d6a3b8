#!/bin/sh
# pg_cluster.sh — a throw-away PostgreSQL cluster for the tests.
#
#   scripts/pg_cluster.sh run CMD [ARGS...]
#
# makes a cluster in a temporary folder (initdb), starts it on a Unix
# socket in that folder only (no TCP port), runs CMD with SONDAGE_PG_URI
# naming it, then stops the server and removes the folder — also when CMD
# fails or is interrupted — and exits with CMD's status. As root (CI), the
# server runs as the `postgres` user (PostgreSQL refuses to run as root).
# When SONDAGE_PG_URI is already set, CMD runs against that server; when
# no PostgreSQL server is installed, CMD runs without one (the database
# tests then print SKIP lines).
set -u
[ "${1:-}" = run ] || { echo "usage: scripts/pg_cluster.sh run CMD [ARGS...]" >&2; exit 2; }
shift
if [ -n "${SONDAGE_PG_URI:-}" ]; then
    exec "$@"
fi
bin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { bin=$d; break; }
done
if [ -z "$bin" ]; then
    echo "pg_cluster.sh: no PostgreSQL server installed (apt-get install postgresql): the database tests will be skipped" >&2
    exec "$@"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/sondage-pg.XXXXXX") || exit 3
as=""
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "pg_cluster.sh: running as root needs a 'postgres' user" >&2; rm -rf "$dir"; exit 3; }
    chown postgres "$dir"
    as="runuser -u postgres --"
fi
stop() {
    $as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}
trap 'stop' EXIT
trap 'exit 130' INT TERM HUP
if ! $as "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    echo "pg_cluster.sh: initdb failed:" >&2
    tail -5 "$dir/initdb.log" >&2
    exit 3
fi
# A test cluster: no durability needed, a few connections per test.
if ! $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories=$dir -c fsync=off -c max_connections=60 -c shared_buffers=64MB" \
    start >/dev/null 2>&1; then
    echo "pg_cluster.sh: the server did not start:" >&2
    tail -5 "$dir/server.log" >&2
    exit 3
fi
SONDAGE_PG_URI="postgresql:///postgres?host=$dir&user=postgres"
export SONDAGE_PG_URI
echo "pg_cluster.sh: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on $dir" >&2
"$@"
rc=$?
exit $rc
