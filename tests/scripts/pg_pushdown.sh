#!/bin/sh
# pg_pushdown.sh — the push-down (docs/postgresql.md) gives the figures of
# the same data read from CSV: the bundled study and every R-oracle dataset
# (tests/oracle/data/*.csv) are loaded into PostgreSQL, and every cell of
# `tab --format json` — estimates, SEs, intervals, design effects, degrees
# of freedom, bases, tests, pairs — is compared between the two, to 1e-12
# relative, for every oracle design (cases.csv: Taylor, fpc, multistage,
# lonely PSUs, given and made replicates, pattern overflow) with the logit
# and the likelihood intervals (the second needs the glm pass), and for the
# study's filters, nested and multiple-response banners, sets and nets.
# A case R refuses must be refused alike (same exit status). Without a
# server: a SKIP line. Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
T=pg_pushdown
if [ -z "${SONDAGE_PG_URI:-}" ]; then
    echo "SKIP $T: no PostgreSQL server (SONDAGE_PG_URI unset; make check starts one when postgresql is installed)"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL $T: python3 is needed to compare the JSON"
    exit 0
fi
U=$SONDAGE_PG_URI
S=sdt_push_$$
tmp=$(mktemp -d)
trap 'psql "$U" -qc "DROP SCHEMA IF EXISTS $S CASCADE; DELETE FROM sondage_codebook WHERE tbl LIKE '"'"'$S.%'"'"'" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
psql "$U" -qc "CREATE SCHEMA $S" >/dev/null 2>&1 || { echo "FAIL ${T}_server: cannot create a schema on $U"; exit 0; }

# Every cell of two JSON results: the same keys, strings and nulls, and
# numbers within 1e-12 relative (a value that is 0 up to rounding on one
# side may be 1e-15 of its scale on the other).
cat >"$tmp/cmp.py" <<'PY'
import json, math, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
bad = []; n = [0]
def walk(x, y, path):
    if len(bad) > 5: return
    if isinstance(x, dict):
        if not isinstance(y, dict) or sorted(x) != sorted(y):
            bad.append(f"{path}: keys {sorted(x) if isinstance(x, dict) else x} vs {sorted(y) if isinstance(y, dict) else y}"); return
        for k in x:
            if k != "source": walk(x[k], y[k], f"{path}.{k}")
    elif isinstance(x, list):
        if not isinstance(y, list) or len(x) != len(y):
            bad.append(f"{path}: lengths differ"); return
        for i, (p, q) in enumerate(zip(x, y)): walk(p, q, f"{path}[{i}]")
    elif isinstance(x, bool) or x is None or isinstance(x, str):
        if x != y: bad.append(f"{path}: {x!r} vs {y!r}")
    elif isinstance(x, (int, float)):
        if not isinstance(y, (int, float)) or isinstance(y, bool):
            bad.append(f"{path}: {x!r} vs {y!r}"); return
        n[0] += 1
        d = abs(x - y)
        if d > 1e-12 * max(abs(x), abs(y)) and d > 1e-15:
            bad.append(f"{path}: {x!r} vs {y!r} (rel {d / max(abs(x), abs(y)):.2g})")
    else:
        bad.append(f"{path}: {type(x)}")
walk(a, b, "")
if n[0] == 0: bad.append("no numbers compared")
print(n[0])
for l in bad[:6]: print(l, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# Compare one request on a CSV (or @study) and on its table; $1 name, $2
# file, $3 table, the rest the options.
compare() {
    c_name=$1 c_file=$2 c_tbl=$3
    shift 3
    "$SONDAGE" tab "$c_file" "$@" --format json >"$tmp/l.json" 2>"$tmp/l.err"
    lrc=$?
    "$SONDAGE" tab "$U" --table "$S.$c_tbl" "$@" --format json >"$tmp/p.json" 2>"$tmp/p.err"
    prc=$?
    if [ "$lrc" != 0 ] || [ "$prc" != 0 ]; then
        if [ "$lrc" = "$prc" ]; then
            echo "PASS ${T}_${c_name}_refused_alike"
        elif [ "$lrc" = 0 ] && [ "$prc" = 1 ] && [ -n "${REFUSED:-}" ] && grep -q "$REFUSED" "$tmp/p.err"; then
            echo "PASS ${T}_${c_name}_refused_by_the_pushdown"
        else
            echo "FAIL ${T}_${c_name}: exit $lrc from the file ($(head -1 "$tmp/l.err")), $prc from the database ($(head -1 "$tmp/p.err"))"
        fi
        return
    fi
    if k=$(python3 "$tmp/cmp.py" "$tmp/l.json" "$tmp/p.json" 2>"$tmp/cmp.err"); then
        echo "PASS ${T}_${c_name} ($k numbers)"
    else
        echo "FAIL ${T}_${c_name}: $(head -3 "$tmp/cmp.err" | tr '\n' ' ')"
    fi
}

# The bundled study.
"$SONDAGE" convert -o "$U" --table "$S.study" 2>"$tmp/err" ||
    { echo "FAIL ${T}_load_study: $(cat "$tmp/err")"; exit 0; }
compare study_banner @study study --rows closer,challenge1,integration --cols role --tests --stats
compare study_sets @study study --rows actions,challenges --cols role,actions --tests
compare study_nested @study study --rows closer --cols 'role>company_size,metro' --tests --stats --deff
compare study_nets_means @study study --rows closer --cols role --means --missing include --tests
compare study_filters @study study --rows closer,actions --cols role \
    --filter 'company_size in (3, 4) or missing(segment)' --filter 'not closer = "The same amount"' --tests
compare study_weighted_strata @study study --rows closer,actions,challenges --cols metro --weight id \
    --strata role --tests --stats --deff --ci likelihood
compare study_design_missing @study study --rows closer --strata metro
compare study_scale @study study --rows id,company_size:mean --cols role,actions --tests --stats
compare study_pct_sort @study study --rows challenge1 --cols role --pct row --sort desc --hide-empty
compare study_string_banner @study study --rows closer --cols role --filter 'closer >= 2' \
    --weight id --tests --stats

# Filters in three-valued logic on NULLs and user-missing codes (numeric
# codes, a missing range, strings), with weights that leave rows out.
python3 - >"$tmp/f.csv" <<'PY'
import random
r = random.Random(17)
print("a,b,c,g,w")
for i in range(600):
    a = r.choice(["1", "2", "3", "4", "5", "9", ""])
    b = r.choice(["x", "y", "z", "zz", "", "x y"])
    c = r.choice([str(k) for k in range(11)] + [""])
    g = r.choice(["1", "2", "3"])
    w = r.choice(["1", "2.5", "0.5", "0", "-1", "", "3"])
    print(",".join([a, b, c, g, w]))
PY
cat >"$tmp/f.yaml" <<'YAML'
variables:
  - name: a
    missing: [9]
    values: {1: {en: one}, 2: {en: two}, 3: {en: three}}
  - name: b
    type: string
    missing: [zz]
  - name: c
    missing_range: [8, highest]
  - name: g
    values: {1: {en: G1}, 2: {en: G2}, 3: {en: G3}}
YAML
"$SONDAGE" convert "$tmp/f.csv" --codebook "$tmp/f.yaml" -o "$U" --table "$S.filt" 2>"$tmp/err" ||
    echo "FAIL ${T}_load_filters: $(cat "$tmp/err")"
i=0
for f in 'a = 1' 'a != 1' 'a > 2' 'a <= 2' 'a in (1, 9)' 'a = "two"' 'not a = 1' 'missing(a)' \
    'not missing(a)' 'a = 1 or c > 5' 'a = 1 and c > 5' 'not (a = 1 or c > 5)' \
    'not (a = 1 and c > 5)' 'b = "x"' 'b != "x"' 'b < "y"' 'b >= "x y"' 'b in ("x", "zz")' \
    'missing(b) or not missing(c)' 'not (b = "z" and (a > 1 or c < 3))' 'c = 9' 'c < 8'; do
    i=$((i + 1))
    compare "filter_$i" "$tmp/f.csv" filt --codebook "$tmp/f.yaml" --rows a,b,c,c:mean --cols g \
        --weight w --filter "$f" --tests --stats
done
compare filter_missing_include "$tmp/f.csv" filt --codebook "$tmp/f.yaml" --rows a,b --cols g \
    --weight w --filter 'not a = 1' --missing include --tests

# The R-oracle data, every design of cases.csv.
for f in tests/oracle/data/*.csv; do
    b=$(basename "$f" .csv)
    "$SONDAGE" convert "$f" -o "$U" --table "$S.$b" 2>"$tmp/err" ||
        echo "FAIL ${T}_load_$b: $(cat "$tmp/err")"
done
tail -n +2 tests/oracle/cases.csv | while IFS=, read -r name data args; do
    args=$(printf '%s' "$args" | sed 's/^"//; s/"$//')
    tbl=$(basename "$data" .csv)
    # Replicates made from the rows of an unclustered design need every row
    # as a unit: the push-down says so (docs/postgresql.md).
    REFUSED=""
    [ "$name" = meanone_clus ] && REFUSED="make-replicates without --cluster makes every row a PSU"
    for ci in logit likelihood; do
        # shellcheck disable=SC2086 # args is a word list
        compare "oracle_${name}_$ci" "tests/oracle/data/$data" "$tbl" --rows y,x:mean,b --cols g \
            --tests --stats --deff --ci "$ci" $args
    done
done
exit 0
