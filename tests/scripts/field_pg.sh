#!/bin/sh
# field_pg.sh — two field servers share one PostgreSQL store (`sondage serve
# … --db postgresql://…`, docs/fieldwork.md) under bounded concurrent load:
# two load clients (8 connections each, build/*/field_load) run 1,200
# interviews against small quotas (CIOs 300, marketers 50) split over the
# two servers, and one server is killed with SIGKILL mid-load and started
# again. Then the store must hold every interview that got its thank-you
# page (on either server), each quota cell exactly at its limit (never
# over), the counters equal to the rows, no half-written row, and `sondage
# tab` on the table must count the same. Without a server: a SKIP line.
# Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
LOAD=$ROOT/$B/field_load
T=field_pg
if [ -z "${SONDAGE_PG_URI:-}" ]; then
    echo "SKIP $T: no PostgreSQL server (SONDAGE_PG_URI unset; make check starts one when postgresql is installed)"
    exit 0
fi
U0=$SONDAGE_PG_URI
S=sdt_field_$$
# The store's tables in a schema of their own (search_path).
U="$U0&options=-csearch_path%3D$S"
tmp=$(mktemp -d)
pa="" pb="" la="" lb=""
cleanup() {
    for p in $pa $pb $la $lb; do kill -9 "$p" 2>/dev/null; done
    psql "$U0" -qc "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
psql "$U0" -qc "CREATE SCHEMA $S" >/dev/null 2>&1 || { echo "FAIL ${T}_server: cannot create a schema"; exit 0; }
Q='role=1:300,2:50'

# start NAME PORT: a server on the shared store; sets $port_NAME, $pid.
start() {
    SONDAGE_ADMIN_SECRET=field-test-secret "$SONDAGE" serve examples/dsi-marketing/questionnaire.yml \
        --db "$U" --port "$2" --per-ip 0 --quota "$Q" 2>>"$tmp/$1.err" &
    pid=$!
    n=0
    while [ $n -lt 200 ]; do
        p=$(sed -n "s/.*serving .* at http:\/\/127\.0\.0\.1:\([0-9]*\)\/ .*/\1/p" "$tmp/$1.err" 2>/dev/null | tail -1)
        if [ -n "$p" ] && [ "$(grep -c serving "$tmp/$1.err")" -ge "$3" ]; then
            eval "port_$1=$p"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
        n=$((n + 1))
    done
    echo "FAIL ${T}_server_$1_started: $(tail -3 "$tmp/$1.err")"
    return 1
}
start a 0 1 || exit 0
pa=$pid
start b 0 1 || exit 0
pb=$pid
grep -q 's3cr3t\|password' "$tmp/a.err" && echo "FAIL ${T}_no_password_printed" || echo "PASS ${T}_no_password_printed"
timeout 120 "$LOAD" --port "$port_a" --conns 8 --interviews 600 --seconds 60 --marketers 30 \
    --seed 3 --log "$tmp/thanked_a.log" >"$tmp/load_a.out" 2>&1 &
la=$!
timeout 120 "$LOAD" --port "$port_b" --conns 8 --interviews 600 --seconds 60 --marketers 30 \
    --seed 5 --log "$tmp/thanked_b.log" >"$tmp/load_b.out" 2>&1 &
lb=$!
# Kill server b mid-load, start it again on its port: its clients reconnect.
n=0
while [ "$(cat "$tmp/thanked_b.log" 2>/dev/null | wc -l)" -lt 60 ] && [ $n -lt 400 ]; do
    sleep 0.05
    n=$((n + 1))
done
kill -9 "$pb"
wait "$pb" 2>/dev/null
pb=""
sleep 0.3
start b "$port_b" 2 || exit 0
pb=$pid
wait "$la"
la=""
wait "$lb"
lb=""
cat "$tmp/load_a.out" "$tmp/load_b.out" >&2
kv() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }
completes=$(( $(kv "$tmp/load_a.out" completes) + $(kv "$tmp/load_b.out" completes) ))
[ "$(kv "$tmp/load_a.out" errors)" = 0 ] && echo "PASS ${T}_no_errors_on_a" ||
    echo "FAIL ${T}_no_errors_on_a: $(cat "$tmp/load_a.out")"
[ "$completes" -ge 340 ] && echo "PASS ${T}_both_servers_completed ($completes thanked)" ||
    echo "FAIL ${T}_both_servers_completed: $completes thanked"
# The store, while both servers still run.
q() { psql "$U" -Atc "$1"; }
cio=$(q "SELECT count(*) FROM responses WHERE role = 1")
mkt=$(q "SELECT count(*) FROM responses WHERE role = 2")
[ "$cio" = 300 ] && [ "$mkt" = 50 ] && echo "PASS ${T}_cells_exactly_full" ||
    echo "FAIL ${T}_cells_exactly_full: $cio CIOs (limit 300), $mkt marketers (limit 50)"
[ "$cio" -le 300 ] && [ "$mkt" -le 50 ] && echo "PASS ${T}_never_over" ||
    echo "FAIL ${T}_never_over: $cio CIOs, $mkt marketers"
done1=$(q "SELECT done FROM sondage_quotas WHERE code = 1")
done2=$(q "SELECT done FROM sondage_quotas WHERE code = 2")
[ "$done1" = "$cio" ] && [ "$done2" = "$mkt" ] && echo "PASS ${T}_counters_equal_rows" ||
    echo "FAIL ${T}_counters_equal_rows: counters $done1/$done2, rows $cio/$mkt"
cat "$tmp/thanked_a.log" "$tmp/thanked_b.log" | sort -u >"$tmp/thanked"
q "SELECT s.sid FROM sondage_sessions s JOIN responses r ON r.id = s.response_id WHERE s.status = 1" |
    sort -u >"$tmp/stored"
lost=$(comm -23 "$tmp/thanked" "$tmp/stored" | wc -l)
[ "$lost" = 0 ] && [ -s "$tmp/thanked" ] && echo "PASS ${T}_every_thanked_interview_stored ($(wc -l <"$tmp/thanked"))" ||
    echo "FAIL ${T}_every_thanked_interview_stored: $lost of $(wc -l <"$tmp/thanked") missing"
rows=$(q "SELECT count(*) FROM responses")
sess=$(q "SELECT count(*) FROM sondage_sessions WHERE status = 1")
linked=$(q "SELECT count(DISTINCT response_id) FROM sondage_sessions WHERE status = 1")
[ "$rows" = "$sess" ] && [ "$sess" = "$linked" ] && echo "PASS ${T}_completed_sessions_are_rows" ||
    echo "FAIL ${T}_completed_sessions_are_rows: $rows rows, $sess complete sessions, $linked linked"
bad=$(q "SELECT count(*) FROM responses WHERE role IS NULL OR company_size IS NULL
    OR integration IS NULL OR closer IS NULL OR challenge1 IS NULL
    OR encourage_collab IS NULL OR act_none IS NULL OR ch_budget IS NULL
    OR (role = 2 AND segment IS NULL) OR (role = 1 AND (metro IS NULL
        OR fr_dsi_relation_metiers IS NULL OR fr_dsi_relation_marketing IS NULL))
    OR (role = 2 AND (metro IS NOT NULL OR fr_dsi_relation_metiers IS NOT NULL))")
[ "$bad" = 0 ] && echo "PASS ${T}_no_half_written_row" || echo "FAIL ${T}_no_half_written_row: $bad rows"
tab=$("$SONDAGE" tab "$U" --rows role --format csv 2>&1)
echo "$tab" | grep -q '^role,1,CIO,,total,Total,300,' && echo "$tab" | grep -q '^role,2,Marketer,,total,Total,50,' &&
    echo "PASS ${T}_tab_reads_the_store" || echo "FAIL ${T}_tab_reads_the_store: $tab"
for p in $pa $pb; do kill -TERM "$p"; done
rc=0
wait "$pa" || rc=1
wait "$pb" || rc=1
pa="" pb=""
[ "$rc" = 0 ] && echo "PASS ${T}_servers_stop_cleanly" || echo "FAIL ${T}_servers_stop_cleanly"
exit 0
