#!/bin/sh
# pg_basic.sh — a PostgreSQL table as a source (docs/postgresql.md), against
# the server SONDAGE_PG_URI names (scripts/pg_cluster.sh starts a throw-away
# one for make check): `convert` loads the bundled study with COPY and its
# codebook into sondage_codebook; `info` reads it back; `convert` exports it
# again; --table and ?table=; a table sondage did not make, with a codebook
# file; the errors (no server, no table, a table that exists, a password
# kept out of messages). Without a server: a SKIP line. Prints PASS/FAIL.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
T=pg_basic
if [ -z "${SONDAGE_PG_URI:-}" ]; then
    echo "SKIP $T: no PostgreSQL server (SONDAGE_PG_URI unset; make check starts one when postgresql is installed)"
    exit 0
fi
U=$SONDAGE_PG_URI
S=sdt_basic_$$
tmp=$(mktemp -d)
trap 'psql "$U" -qc "DROP SCHEMA IF EXISTS $S CASCADE; DELETE FROM sondage_codebook WHERE tbl LIKE '"'"'$S.%'"'"'" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
check() { if [ "$2" = 0 ]; then echo "PASS ${T}_$1"; else echo "FAIL ${T}_$1: $3"; fi; }
psql "$U" -qc "CREATE SCHEMA $S" >/dev/null 2>&1 || { echo "FAIL ${T}_server: cannot create a schema on $U"; exit 0; }

# Load, then read back: the codebook is the bundled study's.
"$SONDAGE" convert -o "$U" --table "$S.study" 2>"$tmp/err"
check convert_loads "$?" "$(cat "$tmp/err")"
n=$(psql "$U" -Atc "SELECT count(*) FROM $S.study")
[ "$n" = 2800 ]; check convert_all_rows "$?" "$n rows"
"$SONDAGE" info >"$tmp/a.txt"
"$SONDAGE" info "$U&table=$S.study" >"$tmp/b.txt" 2>"$tmp/err"
check info_reads "$?" "$(cat "$tmp/err")"
sed 1d "$tmp/a.txt" >"$tmp/a1.txt"
sed 1d "$tmp/b.txt" >"$tmp/b1.txt"
cmp -s "$tmp/a1.txt" "$tmp/b1.txt"; check info_same_codebook "$?" "$(diff "$tmp/a1.txt" "$tmp/b1.txt" | head -5)"
head -1 "$tmp/b.txt" | grep -q "table=$S.study"; check info_names_the_table "$?" "$(head -1 "$tmp/b.txt")"
"$SONDAGE" info "$U" --table "$S.study" --format json >"$tmp/b.json" 2>"$tmp/err" &&
    grep -q '"rows": 2800' "$tmp/b.json"; check info_table_option "$?" "$(cat "$tmp/err")"

# Loading twice: refused, the table kept; --replace replaces it.
"$SONDAGE" convert -o "$U" --table "$S.study" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "table '$S.study' exists: expected a new table name, or --replace" "$tmp/err"
check convert_refuses_an_existing_table "$?" "exit $rc: $(cat "$tmp/err")"
"$SONDAGE" convert -o "$U&table=$S.study" --replace 2>"$tmp/err" &&
    [ "$(psql "$U" -Atc "SELECT count(*) FROM $S.study")" = 2800 ]
check convert_replace "$?" "$(cat "$tmp/err")"

# Export: the table back to a CSV and its codebook, tabulated as the study.
"$SONDAGE" convert "$U" --table "$S.study" -o "$tmp/x.csv" --codebook-out "$tmp/x.yaml" 2>"$tmp/err"
check export "$?" "$(cat "$tmp/err")"
"$SONDAGE" tab --rows closer,actions,challenge1 --cols role --format csv >"$tmp/t1.csv"
"$SONDAGE" tab "$tmp/x.csv" --codebook "$tmp/x.yaml" --rows closer,actions,challenge1 --cols role \
    --format csv >"$tmp/t2.csv" 2>"$tmp/err"
cmp -s "$tmp/t1.csv" "$tmp/t2.csv"; check export_tabulates_the_same "$?" "$(diff "$tmp/t1.csv" "$tmp/t2.csv" | head -5)"

# report: a spec without a weighting step gives the file's report (all
# but the source line); the bundled one, whose last section is raked, is
# refused (weighting needs the rows here).
cat >"$tmp/rep.yml" <<'YAML'
sondage_report: 1
title: {en: "PostgreSQL", fr: "PostgreSQL"}
defaults: {cols: [role], tests: true, stats: true, findings: true, missing: include}
sections:
  - title: {en: "Tables", fr: "Tableaux"}
    tables:
      - rows: integration
      - rows: actions
        sort: desc
      - rows: closer
        cols: ["role>company_size"]
        filter: "metro != 1"
YAML
"$SONDAGE" report --spec "$tmp/rep.yml" --format json,md --lang en --out "$tmp/r1" >/dev/null 2>"$tmp/err"
"$SONDAGE" report "$U&table=$S.study" --spec "$tmp/rep.yml" --format json,md --lang en \
    --out "$tmp/r2" >/dev/null 2>"$tmp/err"
rc=$?
ok=1
for f in report.en.json report.en.md; do
    [ -s "$tmp/r2/$f" ] && grep -v '@study\|postgresql://' "$tmp/r1/$f" >"$tmp/r1.x" &&
        grep -v '@study\|postgresql://' "$tmp/r2/$f" >"$tmp/r2.x" && cmp -s "$tmp/r1.x" "$tmp/r2.x" || ok=0
done
[ "$rc" = 0 ] && [ "$ok" = 1 ]; check report_same_as_file "$?" "exit $rc: $(cat "$tmp/err") $(diff "$tmp/r1.x" "$tmp/r2.x" | head -5)"
"$SONDAGE" report "$U&table=$S.study" --spec examples/dsi-marketing/report.yml --out "$tmp/r3" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "weighting needs them here" "$tmp/err" && [ ! -e "$tmp/r3/report.en.html" ]
check report_weighting_refused "$?" "exit $rc: $(cat "$tmp/err")"

# A table sondage did not make, with a codebook file; measures decided
# from the values (3 codes: nominal; 40 values: scale).
psql "$U" -q >/dev/null <<SQL
CREATE TABLE $S.plain (q integer, x double precision, s varchar(10), "odd name" text);
INSERT INTO $S.plain SELECT 1 + i % 3, i / 7.0, CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || (i % 2) END, 'a"b'
  FROM generate_series(1, 40) i;
SQL
cat >"$tmp/plain.yaml" <<'YAML'
variables:
  - name: q
    label: {en: A question}
    values: {1: {en: "Yes"}, 2: {en: "No"}, 3: {en: Maybe}}
  - name: s
    missing: [v0]
YAML
"$SONDAGE" info "$U" --table "$S.plain" --codebook "$tmp/plain.yaml" --format json >"$tmp/p.json" 2>"$tmp/err"
check plain_table "$?" "$(cat "$tmp/err")"
python3 - "$tmp/p.json" >"$tmp/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = {x["name"]: x for x in d["variables"]}
assert d["rows"] == 40, d["rows"]
assert v["q"]["measure"] == "nominal" and v["x"]["measure"] == "scale", (v["q"]["measure"], v["x"]["measure"])
assert v["s"]["type"] == "string" and "odd name" in v, v.keys()
PY
check plain_types_and_measures "$?" "$(cat "$tmp/py.out")"
"$SONDAGE" tab "$U" --table "$S.plain" --codebook "$tmp/plain.yaml" --rows q,s --format csv >"$tmp/pt.csv" 2>"$tmp/err" &&
    grep -q '^q,2,No,,total,Total,14,' "$tmp/pt.csv" && grep -q '^s,v1,v1,,total,Total,16,' "$tmp/pt.csv"
check plain_tab "$?" "$(cat "$tmp/err") $(head -5 "$tmp/pt.csv")"

# Errors: one line, exit 1, no password.
"$SONDAGE" info "$U" --table "$S.nope" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "no table '$S.nope' in the database" "$tmp/err"
check unknown_table "$?" "exit $rc: $(cat "$tmp/err")"
bad=$(echo "$U" | sed 's|^postgresql://|postgresql://nobody:s3cr3t@|; s|user=postgres|dbname=no_such_db|')
"$SONDAGE" info "$bad" --table t 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "cannot connect" "$tmp/err" && ! grep -q s3cr3t "$tmp/err" &&
    [ "$(wc -l <"$tmp/err")" = 1 ]
check connect_error_without_password "$?" "exit $rc: $(cat "$tmp/err")"
"$SONDAGE" info "$U&table=a" --table b 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "names table 'a' and --table 'b'" "$tmp/err"
check two_tables "$?" "exit $rc: $(cat "$tmp/err")"
"$SONDAGE" info examples/dsi-marketing/dsi-marketing.csv --table t 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "expected a postgresql:// URI" "$tmp/err"
check table_needs_a_uri "$?" "exit $rc: $(cat "$tmp/err")"
"$SONDAGE" weight "$U&table=$S.study" --targets examples/dsi-marketing/targets.yml --out "$tmp/w.csv" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "weighting needs them here" "$tmp/err"
check weighting_needs_the_rows "$?" "exit $rc: $(cat "$tmp/err")"
exit 0
