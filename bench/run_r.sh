#!/bin/sh
# run_r.sh — sondage against R's `survey` package on the same synthetic survey:
# ten questions by role, proportions with design-based standard errors, once
# with strata and clusters (Taylor linearization), once with replicate weights
# (JK1). Printed as a Markdown table and written to bench/results/r.md.
#
#   sh bench/run_r.sh [N ...]       default: 1000000
#   BENCH_QUICK=1 sh bench/run_r.sh 100000 only (table in bench/results/r_quick.md.tmp)
#   BENCH_REPEAT=3 ...              best of 3 sondage runs (default 2)
#   R_REPEAT=2 ...                  best of 2 R runs (default 1)
#   R_TIMEOUT=1200 ...              seconds before an R run is stopped (default 1200)
#   BENCH_REPS=80 ...               replicate weights in the rep file (default 80)
#   RSCRIPT=/path/to/Rscript        the Rscript that has `survey`
#   R_FORM=ratio ...                r_tab.R's svyratio formulation instead of
#                                   svyby (table in bench/results/r_ratio.md.tmp)
#
# For each N: bench/data/survey_N.csv (the Taylor mode; the same file as
# bench/run.sh) and bench/data/survey_rwR_N.csv (the same respondents with
# rw1..rwR added; the rep mode), both kept and reused. Each mode runs
# `sondage tab FILE --rows q1,...,q10 --cols role --weight w <design> --format csv
# --stats` and `Rscript bench/r_tab.R FILE MODE` under /usr/bin/time (whole
# process: wall time and peak RSS), then compares every pct and se of the two
# (same question, role and code; Total too) and stops if any differs by more
# than 1e-9 relative.
set -eu
cd "$(dirname "$0")/.."

OUTMD=r.md
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    SIZES=100000
    OUTMD=r_quick.md.tmp
elif [ $# -gt 0 ]; then
    SIZES="$*"
else
    SIZES=1000000
fi
REPEAT=${BENCH_REPEAT:-2}
FORM=${R_FORM:-svyby}
case $FORM in
    svyby) ;;
    ratio) [ "$OUTMD" = r.md ] && OUTMD=r_ratio.md.tmp ;;
    *) echo "bench: R_FORM must be svyby or ratio, not '$FORM'" >&2; exit 1 ;;
esac
RREPEAT=${R_REPEAT:-1}
RTIMEOUT=${R_TIMEOUT:-1200}
REPS=${BENCH_REPS:-80}
RS=${RSCRIPT:-Rscript}
TIME=/usr/bin/time
ROWS=q1,q2,q3,q4,q5,q6,q7,q8,q9,q10
TOL=1e-9
B=build/release
BB=build/bench
DATA=bench/data
RES=bench/results

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$TIME" ] || die "$TIME is missing: apt-get install -y time"
command -v timeout > /dev/null || die "timeout (coreutils) is missing"
"$RS" -e 'suppressPackageStartupMessages(library(survey))' > /dev/null 2>&1 ||
    die "$RS cannot load the R package survey: set RSCRIPT= (Debian: r-cran-survey)"
for n in $SIZES $REPS $REPEAT $RREPEAT $RTIMEOUT; do
    case $n in '' | *[!0-9]*) die "expected a positive integer, not '$n'" ;; esac
done
[ "$REPS" -ge 2 ] || die "BENCH_REPS must be at least 2"
SCALE=$(awk -v r="$REPS" 'BEGIN { printf "%.15g", (r - 1) / r }')

# ---- build
make -s all
mkdir -p "$BB" "$DATA" "$RES"
CFLAGS_B="-std=c17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
# shellcheck disable=SC2086 # CFLAGS_B is a list of words
cc $CFLAGS_B -o "$BB/gen_data" bench/gen_data.c

# ---- machine
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$CPU" ] || CPU=$(uname -m)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
MACHINE="$(nproc) cores, $CPU, $MEM RAM, $(uname -sr)"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src include 2>/dev/null)" ]; then COMMIT="$COMMIT+changes"; fi
RVER=$("$RS" -e 'cat(format(getRversion()), format(packageVersion("survey")),
    if (requireNamespace("data.table", quietly = TRUE)) format(packageVersion("data.table")) else "-")' 2>/dev/null)
# shellcheck disable=SC2086 # split into words on purpose
set -- $RVER
RVERSION="R $1, survey $2"
[ "$3" = - ] || RVERSION="$RVERSION, data.table $3"

# Best (lowest wall time) of $1 runs of a command under /usr/bin/time:
# prints "WALL_S PEAK_KB", or "timeout" if the command was stopped by
# timeout(1). stdout of the command goes to $OUT, stderr to $ERR.
timed() {
    reps=$1
    shift
    best=""
    i=0
    while [ "$i" -lt "$reps" ]; do
        rc=0
        "$TIME" -f '%e %M' -o "$DATA/time.tmp" "$@" > "$OUT" 2> "$ERR" || rc=$?
        if [ "$rc" = 124 ] && [ "$1" = timeout ]; then
            rm -f "$DATA/time.tmp"
            echo timeout
            return 0
        fi
        if [ "$rc" != 0 ]; then
            cat "$ERR" >&2
            die "failed: $*"
        fi
        cur=$(tail -n 1 "$DATA/time.tmp")
        best=$(printf '%s\n%s\n' "$best" "$cur" | awk 'NF == 2 && (b == "" || $1 < b) { b = $1; l = $0 } END { print l }')
        i=$((i + 1))
    done
    rm -f "$DATA/time.tmp"
    echo "$best"
}

# Compare sondage's CSV ($1: row_var,row,col,pct,se found by header name)
# with r_tab.R's ($2: var,role,code,pct,se). Prints "MAXPCT MAXSE" on stdout;
# the cells and the worst ones on stderr; fails if a cell is missing on
# either side or a relative difference exceeds $TOL.
compare() {
    awk -F, -v tol="$TOL" -v what="$3" '
        function rel(a, b,    d, m) {
            if (a == b) return 0
            if (a == "" || b == "") return 1e300
            d = a - b; if (d < 0) d = -d
            m = b < 0 ? -b : b
            return m == 0 ? 1e300 : d / m
        }
        function need(name) {
            if (!(name in col)) { print "bench: no column " name " in output " nf > "/dev/stderr"; bad = 1; exit 1 }
            return col[name]
        }
        FNR == 1 {
            delete col
            for (i = 1; i <= NF; i++) col[$i] = i
            nf++
            if (nf == 1) { cv = need("row_var"); cc = need("col"); cr = need("row") }
            else { cv = need("var"); cc = need("role"); cr = need("code") }
            cp = need("pct"); cs = need("se")
            next
        }
        {
            cell = $cv " role " $cc " code " $cr
            k = $cv SUBSEP $cc SUBSEP $cr
        }
        nf == 1 { sp[k] = $cp; ss[k] = $cs; nsond++; next }
        {
            nr++
            if (!(k in sp)) { print "bench: " what ": R cell " cell " absent from sondage" > "/dev/stderr"; bad = 1; next }
            seen[k] = 1
            rp = rel(sp[k], $cp); rs = rel(ss[k], $cs)
            if (rp > tol || rs > tol) {
                printf "bench: %s: %s: sondage pct %s se %s, R pct %s se %s\n", what, cell, sp[k], ss[k], $cp, $cs > "/dev/stderr"
                bad = 1
            }
            if (rp > mp || wp == "") { mp = rp; wp = cell }
            if (rs > ms || ws == "") { ms = rs; ws = cell }
        }
        END {
            if (nf < 2) bad = 1
            for (k in sp) if (!(k in seen)) { split(k, p, SUBSEP); print "bench: " what ": sondage cell " p[1] " role " p[2] " code " p[3] " absent from R" > "/dev/stderr"; bad = 1 }
            printf "bench: %s: %d cells (sondage %d); max relative difference pct %.2g (%s), se %.2g (%s)\n", what, nr, nsond, mp, wp, ms, ws > "/dev/stderr"
            printf "%.2g %.2g\n", mp, ms
            exit bad
        }' "$1" "$2"
}

fmt_n() { echo "$1" | awk '{ ns = $1; out = ""; while (length(ns) > 3) { out = "," substr(ns, length(ns) - 2) out; ns = substr(ns, 1, length(ns) - 3) }; print ns out }'; }

ROWS_MD=""
DETAIL=""
FAILED=""
for N in $SIZES; do
    FT="$DATA/survey_$N.csv"
    FR="$DATA/survey_rw${REPS}_$N.csv"
    if [ ! -s "$FT" ]; then
        echo "bench: generating $FT" >&2
        "$BB/gen_data" "$N" "$FT.tmp"
        mv "$FT.tmp" "$FT"
    fi
    if [ ! -s "$FR" ]; then
        echo "bench: generating $FR" >&2
        "$BB/gen_data" --repweights "$REPS" "$N" "$FR.tmp"
        mv "$FR.tmp" "$FR"
    fi

    for MODE in taylor rep; do
        if [ "$MODE" = taylor ]; then
            F=$FT
            set -- --strata stratum --cluster psu --nest
        else
            F=$FR
            set -- --repweights 'rw[0-9]+' --reptype jk1 --scale "$SCALE"
        fi
        cat "$F" > /dev/null # page cache warm for both

        echo "bench: N=$N $MODE sondage" >&2
        OUT="$DATA/r_out_sondage_${MODE}_$N.csv" ERR="$DATA/r_err_sondage_${MODE}_$N.txt"
        S=$(timed "$REPEAT" "$B/sondage" tab "$F" --rows "$ROWS" --cols role --weight w "$@" \
            --format csv --stats)

        echo "bench: N=$N $MODE R (at most $RTIMEOUT s)" >&2
        OUT="$DATA/r_out_r_${MODE}_$N.csv" ERR="$DATA/r_err_r_${MODE}_$N.txt"
        R=$(timed "$RREPEAT" timeout "$RTIMEOUT" "$RS" bench/r_tab.R "$F" "$MODE" "$FORM")

        if [ "$R" = timeout ]; then
            RW=$(awk -v t="$RTIMEOUT" 'BEGIN { if (t % 60) printf "> %d s", t; else printf "> %d min", t / 60 }') RK="—" SP="> $(awk -v r="$RTIMEOUT" -v s="${S% *}" 'BEGIN { printf "%.0f", r / s }')×"
            DP="—" DS="—"
            DETAIL="$DETAIL- $MODE, N=$N: R stopped after $RTIMEOUT s; no comparison
"
        else
            if D=$(compare "$DATA/r_out_sondage_${MODE}_$N.csv" "$DATA/r_out_r_${MODE}_$N.csv" "$MODE N=$N"); then :; else
                FAILED="$FAILED $MODE/N=$N"
            fi
            DP=${D% *} DS=${D#* }
            RW=$(awk -v w="${R% *}" 'BEGIN { printf "%.1f s", w }')
            RK=$(awk -v k="${R#* }" 'BEGIN { printf "%.0f MiB", k / 1024 }')
            SP=$(awk -v r="${R% *}" -v s="${S% *}" 'BEGIN { printf "%.0f×", (s > 0 ? r / s : 0) }')
            DETAIL="$DETAIL- $MODE, N=$N: $(sed -n 's/^r_tab: //p' "$ERR" | sed 's/;.*//')
"
        fi
        SW=$(awk -v w="${S% *}" 'BEGIN { printf "%.2f s", w }')
        SK=$(awk -v k="${S#* }" 'BEGIN { printf "%.0f MiB", k / 1024 }')
        SIZE=$(awk -v b="$(wc -c < "$F")" 'BEGIN { printf "%.0f MB", b / 1e6 }')
        ROWS_MD="$ROWS_MD| $MODE | $(fmt_n "$N") | $SIZE | $SW | $SK | $RW | $RK | $SP | $DP | $DS |
"
    done
done
[ -z "$FAILED" ] || die "sondage and R disagree (beyond $TOL relative) in:$FAILED (outputs in $DATA/r_out_*)"

{
    echo "Machine: $MACHINE. sondage $COMMIT, $RVERSION; $(date -u '+%Y-%m-%d %H:%M UTC'); sondage best of $REPEAT, R best of $RREPEAT, formulation $FORM (whole processes, \`/usr/bin/time\`)."
    echo
    echo "| mode | N | CSV size | sondage wall | sondage peak RSS | R wall | R peak RSS | speed-up | max rel. diff pct | max rel. diff se |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s' "$ROWS_MD"
    echo
    echo "sondage: \`sondage tab FILE --rows q1,...,q10 --cols role --weight w DESIGN --format csv --stats\`,"
    echo "DESIGN = \`--strata stratum --cluster psu --nest\` (taylor) or"
    echo "\`--repweights 'rw[0-9]+' --reptype jk1 --scale $SCALE\` (rep, $REPS replicates)."
    echo "R: \`Rscript bench/r_tab.R FILE taylor|rep $FORM\` (\`svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE)\` or"
    if [ "$FORM" = svyby ]; then
        echo "\`svrepdesign(type = \"JK1\", scale = $((REPS - 1))/$REPS, combined.weights = TRUE)\`; per question \`svyby(~q, ~role, des, svymean, na.rm = TRUE)\` and \`svymean(~q, des, na.rm = TRUE)\`)."
    else
        echo "\`svrepdesign(type = \"JK1\", scale = $((REPS - 1))/$REPS, combined.weights = TRUE)\`; per question and domain \`svyratio(~a_q_1_d + ... + a_q_K_d, ~b_q_d, des)\` on 0/1 columns)."
    fi
    echo "Compared: every proportion and its SE, by role and in total (171 cells per mode); relative difference to R's figure."
    echo
    echo "R's own split:"
    echo
    printf '%s' "$DETAIL"
} > "$RES/$OUTMD.part.tmp"
mv "$RES/$OUTMD.part.tmp" "$RES/$OUTMD"
cat "$RES/$OUTMD"
