#!/bin/sh
# study_figures.sh — checks the bundled example study (examples/dsi-marketing):
#  (a) the generator rebuilds the committed CSV byte for byte;
#  (b) `sondage tab` on that CSV and its codebook reproduces every published figure listed in
#      published.csv within 0.5 point (all respondents of the group as the base, as the
#      releases computed them, hence --missing include).
# One PASS/FAIL line per check, as tests/run.sh expects. Run from anywhere; it works from the
# repository root. $SONDAGE is the sondage binary, $SONDAGE_BUILD the build folder
# (defaults: build/release and build/release/sondage).
#
# The CSV of `sondage tab --format csv` is parsed here with awk (RFC 4180 quoting, fields
# looked up by header name): header row_var,row,row_label,col_var,col,col_label,n,count,pct,
# base_n,base_count,missing_n; `row` is a code, an MR item's variable name or a net's name;
# `col` is the banner code or `total`; `pct` is a proportion between 0 and 1.
set -u
cd "$(dirname "$0")/../.." || exit 3
SONDAGE_BUILD=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$SONDAGE_BUILD/sondage}
STUDY=examples/dsi-marketing
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM

# (a) The generator is reproducible.
gen="$SONDAGE_BUILD/gen_study"
if [ ! -x "$gen" ]; then
    echo "FAIL generator_reproducible: $gen is not built (make builds it)"
else
    "$gen" >"$tmp/gen.csv" 2>"$tmp/gen.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL generator_reproducible: $gen exited with status $rc: $(head -1 "$tmp/gen.err")"
    elif cmp -s "$tmp/gen.csv" "$STUDY/dsi-marketing.csv"; then
        echo "PASS generator_reproducible"
    else
        echo "FAIL generator_reproducible: output differs from $STUDY/dsi-marketing.csv:" \
            "$(LC_ALL=C cmp "$tmp/gen.csv" "$STUDY/dsi-marketing.csv" 2>&1 | head -1)"
    fi
fi

# (b) Every published figure, from the table sondage prints.
"$SONDAGE" tab "$STUDY/dsi-marketing.csv" --codebook "$STUDY/codebook.yaml" \
    --rows integration,actions,closer --cols role --missing include --format csv \
    >"$tmp/tab.csv" 2>"$tmp/tab.err"
tab_rc=$?
if [ "$tab_rc" -ne 0 ]; then
    echo "FAIL tab_runs: sondage tab exited with status $tab_rc: $(head -1 "$tmp/tab.err")"
    : >"$tmp/tab.csv"
fi

LC_ALL=C awk -v tabfile="$tmp/tab.csv" -v tab_rc="$tab_rc" '
# Splits one CSV record (RFC 4180: "" is a quote inside a quoted field) into f[1..n].
function csvsplit(rec, f,    n, i, c, len, field, inq) {
    n = 0; field = ""; inq = 0; len = length(rec)
    for (i = 1; i <= len; i++) {
        c = substr(rec, i, 1)
        if (inq) {
            if (c == "\"") {
                if (substr(rec, i + 1, 1) == "\"") { field = field "\""; i++ }
                else inq = 0
            } else field = field c
        } else if (c == "\"") inq = 1
        else if (c == ",") { f[++n] = field; field = "" }
        else field = field c
    }
    f[++n] = field
    return n
}
# Codes compare as numbers ("1" and "1.0" are the same code); names as text.
function key(s) {
    if (s ~ /^[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/) return sprintf("%.15g", s + 0)
    return s
}
function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
BEGIN {
    group["cio"] = 1; group["marketer"] = 2
    # Read the table, joining lines while a quoted field is open.
    nrec = 0; rec = ""; open_q = 0
    while ((getline line < tabfile) > 0) {
        sub(/\r$/, "", line)
        rec = open_q ? rec "\n" line : line
        tmp = line; q = gsub(/"/, "", tmp)
        if (q % 2) open_q = !open_q
        if (open_q) continue
        n = csvsplit(rec, f)
        if (++nrec == 1) {
            for (i = 1; i <= n; i++) col[f[i]] = i
            hdr_ok = ("row_var" in col) && ("row" in col) && ("col_var" in col) && \
                     ("col" in col) && ("pct" in col)
            if (!hdr_ok && n > 0 && f[1] != "")
                print "FAIL tab_header: expected row_var,row,...,pct; got: " rec
            continue
        }
        if (!hdr_ok) continue
        k = f[col["row_var"]] SUBSEP key(f[col["row"]]) SUBSEP f[col["col_var"]] SUBSEP \
            key(f[col["col"]])
        if (!(k in pct)) pct[k] = f[col["pct"]]
    }
    close(tabfile)
    if (nrec == 0 && tab_rc == 0) print "FAIL tab_output: sondage tab exited 0 but printed nothing"
    FS = ","
}
# published.csv: variable,code_or_item,group,pct,status
FNR == 1 { next }
NF == 0 { next }
{
    name = "fig_" $1 "_" $2 "_" $3
    if (NF != 5 || !($3 in group) || !isnum($4)) { print "FAIL " name ": bad line in published.csv: " $0; next }
    k = $1 SUBSEP key($2) SUBSEP "role" SUBSEP group[$3]
    if (!(k in pct)) { print "FAIL " name ": not in the table (expected " $4 ")"; next }
    got = pct[k]
    if (!isnum(got)) { print "FAIL " name ": got \"" got "\" expected " $4; next }
    d = got * 100 - $4
    if (d < 0) d = -d
    if (d <= 0.5 + 1e-9) print "PASS " name
    else printf "FAIL %s: got %.2f expected %s (status %s)\n", name, got * 100, $4, $5
}
' "$STUDY/published.csv"
exit 0
