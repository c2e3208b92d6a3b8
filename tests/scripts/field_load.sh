#!/bin/sh
# field_load.sh — a bounded load test of `sondage serve` on 127.0.0.1:
# 16 concurrent clients (build/*/field_load) run 1,000 whole interviews
# against small quotas (CIOs 300, marketers 50) so that both cells close
# under concurrent completions; then the store must hold exactly the
# interviews thanked, each cell exactly at its limit (never over), and
# `sondage tab` on the store must count the same. Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
LOAD=$ROOT/$B/field_load
TEST=field_load
tmp=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
. tests/field/lib.sh
if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL field_load: python3 is needed to read the store's own tables"
    exit 0
fi
start_server "$tmp/f.sqlite" --port 0 --per-ip 0 --quota 'role=1:300,2:50' || exit 0
out=$(timeout 120 "$LOAD" --port "$port" --conns 16 --interviews 1000 --seconds 90 \
    --marketers 30 --seed 7 --log "$tmp/thanked.log")
echo "$out" >&2
kv() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(kv errors)" = 0 ] && [ "$(kv conn_errors)" = 0 ] && echo "PASS field_load_no_errors" ||
    echo "FAIL field_load_no_errors: $out"
[ "$(kv interviews)" = 1000 ] && echo "PASS field_load_all_interviews_ended" ||
    echo "FAIL field_load_all_interviews_ended: $out"
[ "$(kv completes)" = 350 ] && echo "PASS field_load_completes_fill_the_quotas" ||
    echo "FAIL field_load_completes_fill_the_quotas: $(kv completes) completes, expected 300 + 50"
# The store, while the server still runs (WAL readers).
tab=$("$SONDAGE" tab "$tmp/f.sqlite" --rows role --format csv 2>&1)
echo "$tab" | grep -q '^role,1,CIO,,total,Total,300,' && echo "$tab" | grep -q '^role,2,Marketer,,total,Total,50,' &&
    echo "PASS field_load_tab_reads_the_store" || echo "FAIL field_load_tab_reads_the_store: $tab"
python3 - "$tmp/f.sqlite" "$tmp/thanked.log" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
thanked = set(open(sys.argv[2]).read().split())
def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + "field_load_" + name + ("" if cond else ": " + str(detail)))
rows = db.execute("select count(*) from responses").fetchone()[0]
by_role = dict(db.execute("select role, count(*) from responses group by role").fetchall())
check("cells_exactly_full", by_role == {1: 300, 2: 50}, by_role)
cells = {c: d for c, l, d in db.execute("select code, lim, done from sondage_quotas")}
check("quota_counters_match_rows", cells == {1.0: 300, 2.0: 50}, cells)
stored = {s for (s,) in db.execute("select sid from sondage_sessions where status = 1 and response_id is not null")}
check("every_thanked_interview_stored", thanked <= stored and len(thanked) == rows,
      f"{len(thanked - stored)} missing of {len(thanked)}; {rows} rows")
PY
kill -TERM "$spid" && wait "$spid"
rc=$?
spid=""
[ "$rc" = 0 ] && echo "PASS field_load_server_stops_cleanly" || echo "FAIL field_load_server_stops_cleanly: exit $rc"
