#!/bin/sh
# field_codebook.sh — the bundled questionnaire makes the bundled study's
# codebook: every variable and set of examples/dsi-marketing/codebook.yaml
# that the questionnaire asks comes out of `sondage codebook` with the same
# name, type, measure, labels in both languages, value labels, missing
# codes, nets and set members (notes differ on purpose: the study's describe its
# published figures). Read back through an empty store (`sondage info
# FILE.sqlite`), so the store's reader is the path checked. Then the study's
# own microdata are tabulated with the generated codebook: the same tables
# as @study. Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
Q=examples/dsi-marketing/questionnaire.yml
if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL field_codebook: python3 is needed to compare the codebooks"
    exit 0
fi
"$SONDAGE" codebook "$Q" -o "$tmp/cb.yaml" && echo "PASS field_codebook_written" ||
    echo "FAIL field_codebook_written"
"$SONDAGE" tokens "$Q" --db "$tmp/empty.sqlite" --create 1 >/dev/null &&
    "$SONDAGE" info "$tmp/empty.sqlite" --format json >"$tmp/store.json" &&
    "$SONDAGE" info @study --format json >"$tmp/study.json" &&
    echo "PASS field_codebook_store_info" || echo "FAIL field_codebook_store_info"
python3 - "$tmp/store.json" "$tmp/study.json" <<'PY'
import json, sys
got, want = (json.load(open(p)) for p in sys.argv[1:3])
gv = {v["name"]: v for v in got["variables"]}
wv = {v["name"]: v for v in want["variables"]}
def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + "field_codebook_" + name + ("" if cond else ": " + str(detail)[:300]))
check("store_has_no_rows", got["rows"] == 0, got["rows"])
shared = [n for n in wv if n in gv]
check("every_study_variable_asked", set(wv) - set(gv) == {"stratum"}, set(wv) - set(gv))
for n in shared:
    g, w = gv[n], wv[n]
    diffs = [k for k in ("type", "measure", "label", "values", "missing", "nets") if g.get(k) != w.get(k)]
    check("same_" + n, not diffs, {k: (g.get(k), w.get(k)) for k in diffs})
gs = {m["name"]: m for m in got.get("mrsets", [])}
for m in want.get("mrsets", []):
    g = gs.get(m["name"], {})
    check("same_set_" + m["name"], all(g.get(k) == m.get(k) for k in ("kind", "counted", "label", "variables")), g)
PY
# The study's data tabulate the same with the generated codebook (stratum
# and the questionnaire's additions aside: apply the variables both have).
python3 - "$tmp/cb.yaml" "$tmp/cb_data.yaml" <<'PY'
import sys
# Keep the YAML as written, minus the variables the study's CSV lacks.
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
out, skip = [], False
for l in lines:
    if l.startswith("- name: "):
        skip = l[8:] in ("challenge1_text", "fr_dsi_relation_metiers", "fr_dsi_relation_marketing", "team_size")
    elif not l.startswith(" "):
        skip = False
    if not skip:
        out.append(l)
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out))
PY
for rows in integration,actions,closer company_size,challenges; do
    a=$("$SONDAGE" tab examples/dsi-marketing/dsi-marketing.csv --codebook "$tmp/cb_data.yaml" --rows "$rows" --cols role --format csv 2>&1)
    b=$("$SONDAGE" tab @study --rows "$rows" --cols role --format csv 2>&1)
    [ "$a" = "$b" ] && echo "PASS field_codebook_same_tables_$rows" ||
        echo "FAIL field_codebook_same_tables_$rows: $(echo "$a" | head -3)"
done
