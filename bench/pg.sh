#!/bin/sh
# pg.sh — the push-down benchmark (docs/postgresql.md): N rows in PostgreSQL
# (made once in the database with generate_series, kept and reused), and
# the job `sondage tab URI --rows q1,...,q10 --cols region --weight w
# --strata st --cluster psu --nest --format json` (10 questions by a banner,
# Taylor SEs with 50 strata and 1,000 PSUs) timed, with sondage's peak
# memory, against:
#   - bare: the database's own SELECT … GROUP BY over the same columns
#     (question, banner, stratum, PSU; count(*), sum(w)), the 10 queries
#     run by psql with their rows thrown away: the floor;
#   - export: `sondage convert URI -o FILE.csv` then `sondage tab FILE.csv`
#     (the rows brought over and tabulated here);
#   - R: survey's database-backed design, svydesign(…, dbtype =
#     "PostgreSQL") on the same table, svyby(~factor(qk), ~region, svymean)
#     for each question, on the first R_N rows (default 1000000, a view;
#     R holds the columns it uses in memory) and bounded by R_TIMEOUT
#     seconds. RPostgreSQL 0.7 predates DBI's dbIsValid, which survey
#     calls: the script gives it that one method (isPostgresqlIdCurrent).
# and checks that the push-down's figures equal the export's (every cell,
# 1e-12). Prints a Markdown table (also to bench/results/pg_N.md).
#
#   sh bench/pg.sh [N]            default 10000000
#   SONDAGE_PG_URI=postgresql:///postgres?host=/tmp/x sh bench/pg.sh
#   BENCH_SKIP=export,r sh bench/pg.sh 100000000   (the 100M memory check)
#
# Without SONDAGE_PG_URI it runs inside a throw-away cluster
# (scripts/pg_cluster.sh): the rows are then made again on each run.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${SONDAGE_PG_URI:-}" ]; then
    exec sh scripts/pg_cluster.sh run sh bench/pg.sh "$@"
fi
N=${1:-10000000}
U=$SONDAGE_PG_URI
SKIP=${BENCH_SKIP:-}
R_TIMEOUT=${R_TIMEOUT:-900}
R_N=${R_N:-1000000}
[ "$R_N" -le "$N" ] || R_N=$N
B=build/release
S=$B/sondage
TIME=/usr/bin/time
T=bench_pg_$N
ROWS=q1,q2,q3,q4,q5,q6,q7,q8,q9,q10
DESIGN="--weight w --strata st --cluster psu --nest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/results
[ -x "$TIME" ] || { echo "bench: $TIME is missing: apt-get install -y time" >&2; exit 1; }
make -s all >/dev/null

# ---- the rows, made once
have=$(psql "$U" -Atc "SELECT count(*) FROM $T" 2>/dev/null || echo 0)
if [ "$have" != "$N" ]; then
    echo "bench: making $N rows in $T" >&2
    qs=""
    for k in 1 2 3 4 5 6 7 8 9 10; do
        qs="$qs, CASE WHEN random() < 0.03 THEN NULL ELSE (1 + floor(random() * 5))::smallint END AS q$k"
    done
    psql "$U" -q <<SQL >/dev/null
SET client_min_messages = warning;
DROP TABLE IF EXISTS $T CASCADE;
SELECT setseed(0.17);
CREATE TABLE $T AS
SELECT i::integer AS id, (1 + i % 50)::smallint AS st, (1 + (i / 50) % 20)::smallint AS psu,
       (0.5 + 2 * random())::float8 AS w, (1 + floor(random() * 5))::smallint AS region $qs
FROM generate_series(1, $N) i;
ANALYZE $T;
SQL
fi
# Its codebook: every measure stated (no query to decide them), labels.
{
    echo "variables:"
    echo "  - {name: id, measure: scale}"
    echo "  - {name: st, measure: nominal}"
    echo "  - {name: psu, measure: nominal}"
    echo "  - {name: w, measure: scale}"
    echo "  - name: region"
    echo "    measure: nominal"
    echo "    values: {1: {en: North}, 2: {en: East}, 3: {en: South}, 4: {en: West}, 5: {en: Centre}}"
    for k in 1 2 3 4 5 6 7 8 9 10; do
        echo "  - name: q$k"
        echo "    measure: ordinal"
        echo "    values: {1: {en: Very bad}, 2: {en: Bad}, 3: {en: Fair}, 4: {en: Good}, 5: {en: Very good}}"
    done
} >"$tmp/cb.yaml"
MB=$(psql "$U" -Atc "SELECT pg_total_relation_size('$T') / 1048576")

# time_of CMD...: wall seconds and peak RSS (MiB) of CMD, into $secs, $rss.
time_of() {
    $TIME -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "bench: failed: $*" >&2
        head -5 "$tmp/err" >&2
        return 1
    }
    secs=$(awk '{print $1}' "$tmp/time")
    rss=$(awk '{printf "%.0f", $2 / 1024}' "$tmp/time")
}

# ---- the floor: the bare GROUP BY of each table, in psql
: >"$tmp/bare.sql"
for k in 1 2 3 4 5 6 7 8 9 10; do
    echo "SELECT q$k, region, st, psu, count(*), sum(w) FROM $T GROUP BY 1, 2, 3, 4;" >>"$tmp/bare.sql"
done
# Best of two runs, each (the machine is shared; the first run also warms
# the cache for both).
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
time_of psql "$U" -q -o /dev/null -f "$tmp/bare.sql"
b1=$secs
time_of psql "$U" -q -o /dev/null -f "$tmp/bare.sql"
bare=$(best "$b1" "$secs")

# ---- the push-down (best of two)
time_of "$S" tab "$U" --table "$T" --codebook "$tmp/cb.yaml" --rows $ROWS --cols region $DESIGN \
    --format json -o "$tmp/push.json"
p1=$secs r1=$rss
time_of "$S" tab "$U" --table "$T" --codebook "$tmp/cb.yaml" --rows $ROWS --cols region $DESIGN \
    --format json -o "$tmp/push.json"
push=$(best "$p1" "$secs") push_rss=$(awk -v a="$r1" -v b="$rss" 'BEGIN { print (a > b ? a : b) }')

# ---- export and tabulate here
exp_s="-" exp_rss="-" loc_s="-" loc_rss="-" same="(not compared)"
case ",$SKIP," in *,export,*) ;; *)
    time_of "$S" convert "$U" --table "$T" --codebook "$tmp/cb.yaml" -o "$tmp/x.csv" --codebook-out "$tmp/x.yaml"
    exp_s=$secs exp_rss=$rss
    time_of "$S" tab "$tmp/x.csv" --codebook "$tmp/x.yaml" --rows $ROWS --cols region $DESIGN \
        --format json -o "$tmp/local.json"
    loc_s=$secs loc_rss=$rss
    rm -f "$tmp/x.csv"
    same=$(python3 - "$tmp/local.json" "$tmp/push.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
n = [0, 0]
def walk(x, y):
    if isinstance(x, dict):
        for k in x:
            if k != "source": walk(x[k], y[k])
    elif isinstance(x, list):
        for p, q in zip(x, y): walk(p, q)
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        n[0] += 1
        if abs(x - y) > 1e-12 * max(abs(x), abs(y)) and abs(x - y) > 1e-15: n[1] += 1
walk(a, b)
print(f"{n[0]} numbers, {n[1]} differ")
PY
)
    ;;
esac

# ---- R's database-backed design
r_s="-" r_rss="-" r_note="skipped"
case ",$SKIP," in *,r,*) ;; *)
    host=$(echo "$U" | sed -n 's/.*[?&]host=\([^&]*\).*/\1/p')
    user=$(echo "$U" | sed -n 's/.*[?&]user=\([^&]*\).*/\1/p')
    db=$(echo "$U" | sed -n 's|^postgres[a-z]*://[^/]*/\([^?]*\).*|\1|p')
    psql "$U" -q -c "CREATE OR REPLACE VIEW ${T}_r AS SELECT * FROM $T WHERE id <= $R_N" >/dev/null
    cat >"$tmp/r.R" <<RSCRIPT
suppressMessages({library(survey); library(RPostgreSQL)})
setMethod("dbIsValid", "PostgreSQLConnection", function(dbObj, ...) isPostgresqlIdCurrent(dbObj))
des <- svydesign(ids = ~psu, strata = ~st, weights = ~w, nest = TRUE, data = "${T}_r",
                 dbtype = "PostgreSQL", dbname = "${db:-postgres}", host = "$host",
                 user = "${user:-postgres}")
for (k in 1:10) {
  f <- as.formula(paste0("~factor(q", k, ")"))
  r <- svyby(f, ~region, des, svymean, na.rm = TRUE)
}
cat("done\n")
RSCRIPT
    rc=0
    timeout "$R_TIMEOUT" $TIME -f '%e %M' -o "$tmp/time" Rscript "$tmp/r.R" >"$tmp/r.out" 2>"$tmp/r.err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        r_s=$(awk '{print $1}' "$tmp/time")
        r_rss=$(awk '{printf "%.0f", $2 / 1024}' "$tmp/time")
        r_note="svydesign(dbtype = \"PostgreSQL\") on the first $R_N rows, svyby per question"
    elif [ "$rc" -eq 124 ]; then
        r_note="did not finish within ${R_TIMEOUT} s on $R_N rows"
    else
        r_note="failed: $(grep -v '^Calls:' "$tmp/r.err" | tail -2 | tr '\n' ' ')"
    fi
    ;;
esac

ratio=$(awk -v a="$push" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
    echo "## PostgreSQL push-down, $N rows ($(date -u +%Y-%m-%d), $(nproc) cores, $CPU)"
    echo
    echo "Table $T: $MB MiB in PostgreSQL $(psql "$U" -Atc 'SHOW server_version'). Job: 10 questions by region,"
    echo "weighted, Taylor SEs with 50 strata and 1,000 PSUs (\`$DESIGN\`)."
    echo
    echo "| what | seconds | peak RSS (MiB) | vs bare GROUP BY |"
    echo "|---|---:|---:|---:|"
    echo "| bare SELECT … GROUP BY (psql, 10 queries; best of 2) | $bare | | 1.00 |"
    echo "| sondage tab, pushed down (best of 2) | $push | $push_rss | $ratio |"
    echo "| sondage convert (export to CSV) | $exp_s | $exp_rss | |"
    echo "| sondage tab on the export | $loc_s | $loc_rss | |"
    echo "| R survey, database-backed design ($R_N rows) | $r_s | $r_rss | |"
    echo
    echo "Push-down figures against the export's: $same. R: $r_note."
} | tee bench/results/pg_$N.md
