#!/bin/sh
# field_crash.sh — kill the field server with SIGKILL in the middle of a
# load (16 clients, build/*/field_load), twice, restarting it each time on
# the same store and port while the clients keep going; then check that
# every interview that got its thank-you page is in the store, that none is
# half-written (each stored row has every answer its path required, the
# database passes SQLite's integrity check, counters equal rows), and that
# the closing quota cell (marketers: 120) never went over. Bounded: about 8
# seconds of load. Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
LOAD=$ROOT/$B/field_load
TEST=field_crash
tmp=$(mktemp -d)
spid=""
lpid=""
trap '[ -n "$spid" ] && kill -9 "$spid" 2>/dev/null; [ -n "$lpid" ] && kill "$lpid" 2>/dev/null; rm -rf "$tmp"' EXIT
. tests/field/lib.sh
if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL field_crash: python3 is needed to read the store's own tables"
    exit 0
fi
Q='role=1:1000000,2:120'
starts=1 start_server "$tmp/f.sqlite" --port 0 --per-ip 0 --quota "$Q" || exit 0
fixed=$port
timeout 60 "$LOAD" --port "$fixed" --conns 16 --interviews 100000000 --seconds 8 \
    --marketers 10 --seed 11 --log "$tmp/thanked.log" >"$tmp/load.out" 2>&1 &
lpid=$!
for round in 1 2; do
    sleep 2
    kill -9 "$spid"
    wait "$spid" 2>/dev/null
    spid=""
    n=$(wc -l <"$tmp/thanked.log")
    echo "round $round: SIGKILL after $n thanked interviews" >&2
    sleep 0.3
    starts=$((round + 1)) start_server "$tmp/f.sqlite" --port "$fixed" --per-ip 0 --quota "$Q" || exit 0
done
wait "$lpid"
lpid=""
cat "$tmp/load.out" >&2
thanked=$(wc -l <"$tmp/thanked.log")
[ "$thanked" -gt 100 ] && echo "PASS field_crash_load_ran" ||
    echo "FAIL field_crash_load_ran: only $thanked interviews thanked"
grep -q 'conn_errors=[1-9]' "$tmp/load.out" && echo "PASS field_crash_clients_saw_the_kills" ||
    echo "FAIL field_crash_clients_saw_the_kills: $(cat "$tmp/load.out")"
python3 - "$tmp/f.sqlite" "$tmp/thanked.log" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
thanked = set(open(sys.argv[2]).read().split())
def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + "field_crash_" + name + ("" if cond else ": " + str(detail)))
check("integrity", db.execute("pragma integrity_check").fetchone()[0] == "ok")
sess = dict(db.execute("select sid, response_id from sondage_sessions where status = 1").fetchall())
ids = {i for (i,) in db.execute("select id from responses")}
missing = [s for s in thanked if s not in sess or sess[s] not in ids]
check("every_thanked_interview_stored", not missing, f"{len(missing)} of {len(thanked)} missing")
check("completed_sessions_are_rows", len(sess) == len(ids) and set(sess.values()) == ids,
      f"{len(sess)} complete sessions, {len(ids)} rows")
# Half-written: a row missing an answer its path required.
bad = db.execute("""select count(*) from responses where role is null or company_size is null
    or integration is null or closer is null or challenge1 is null
    or encourage_collab is null or act_none is null or ch_budget is null
    or (role = 2 and segment is null) or (role = 1 and (metro is null
        or fr_dsi_relation_metiers is null or fr_dsi_relation_marketing is null))
    or (role = 2 and (metro is not null or fr_dsi_relation_metiers is not null))""").fetchone()[0]
check("no_half_written_row", bad == 0, f"{bad} rows")
marketers = db.execute("select count(*) from responses where role = 2").fetchone()[0]
check("quota_never_over", marketers <= 120, f"{marketers} marketers, limit 120")
done = dict(db.execute("select code, done from sondage_quotas").fetchall())
cios = db.execute("select count(*) from responses where role = 1").fetchone()[0]
check("counters_equal_rows", done.get(2.0) == marketers and done.get(1.0) == cios,
      f"{done} vs {cios} CIOs, {marketers} marketers")
print(f"crash: {len(thanked)} thanked, {len(ids)} stored, {marketers} marketers", file=sys.stderr)
PY
kill -TERM "$spid" && wait "$spid"
spid=""
