#!/bin/sh
# field_hostile.sh — hostile and broken clients against `sondage serve`
# (tests/field/hostile.py): bounded bodies and fields, bad bytes, forged
# CSRF tokens and sessions, HTML and SQL in answers, the admin secret, slow
# clients dropped by the timeout, the per-address connection limit.
# Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
TEST=field_hostile
tmp=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
. tests/field/lib.sh
if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL field_hostile: python3 is needed for the raw-socket client"
    exit 0
fi
SECRET=hostile-test-secret
start_server "$tmp/f.sqlite" --port 0 --timeout 2 --per-ip 6 || exit 0
timeout 120 python3 tests/field/hostile.py "$port" "$SECRET" "$tmp/f.sqlite"
kill -TERM "$spid" && wait "$spid"
rc=$?
spid=""
[ "$rc" = 0 ] && echo "PASS hostile_server_stops_cleanly" || echo "FAIL hostile_server_stops_cleanly: exit $rc"
