#!/bin/sh
# speed.sh — issue 14's comparison table in one command: each workload run
# by sondage and by what a user would pick instead (pandas, R's survey),
# whole processes under /usr/bin/time (wall time, peak RSS), every figure
# of sondage's output compared with the peer's before anything is printed,
# and the floor: `wc -l` on the same file (the time to read its bytes once).
# Written to bench/results/speed.md.
#
#   sh bench/speed.sh               every workload (about 15 min here:
#                                   R's 1M x 80 replicates takes ~6 min alone)
#   BENCH_SKIP="rep1m tab10m" ...   leave workloads out (their row says so)
#   BENCH_PEERS=0 ...               sondage and wc -l only (no pandas, no R)
#   BENCH_REPEAT=3 ...              best of 3 sondage and wc -l runs (default 2)
#   R_TIMEOUT=1800 ...              seconds before an R run is stopped (default 1200)
#   BENCH_THREADS=N ...             sondage --threads N (default: its own, the cores)
#
# Workloads (bench/gen_data.c makes the files, kept in bench/data/):
#   tab1m    1M rows, q1..q10 by role, weighted            pandas  (bench/pandas_tab.py)
#   tab1mu   the same, pandas reading only the 12 columns the tables use
#            (read_csv usecols=, as a careful pandas user would)
#   tab1msav the 1M file as an SPSS .sav (sondage convert), the same tables
#            (no peer; the script stops unless they equal tab1m's)
#   taylor1m the same + strata and PSUs, SEs by Taylor     R       (bench/r_tab.R taylor)
#   taylor100k  the same on 100k rows                      R
#   boot100k 100k rows x 80 bootstrap replicate weights    R       (bench/r_tab.R boot)
#   rep1m    1M rows x 115 columns, 80 JK1 replicates      R       (bench/r_tab.R rep)
#   tab10m   10M rows, the first workload                  pandas
#   tab10mu  the same, pandas with usecols=
#   tab10mw  the same, sondage reading the file whole (--no-stream; no peer)
#   taylor10m / taylor10mw  10M rows, Taylor (strata, PSUs), streamed and
#            read whole (no peer: R would take an hour)
#   jkn      the bundled study, --cluster id, replicates
#            made (JKn, 2,800 of them), one table          R       (bench/r_jkn.R)
# Every command runs under `nice`: the machine is shared.
set -eu
cd "$(dirname "$0")/.."

REPEAT=${BENCH_REPEAT:-2}
RTIMEOUT=${R_TIMEOUT:-1200}
PEERS=${BENCH_PEERS:-1}
SKIP=" ${BENCH_SKIP:-} "
PY=${PYTHON:-/usr/bin/python3}
RS=${RSCRIPT:-Rscript}
TIME=/usr/bin/time
NICE="nice -n 10"
ROWS=q1,q2,q3,q4,q5,q6,q7,q8,q9,q10
B=build/release
BB=build/bench
DATA=bench/data
RES=bench/results
STUDY=examples/dsi-marketing/dsi-marketing.csv
THREADS=""
[ -z "${BENCH_THREADS:-}" ] || THREADS="--threads $BENCH_THREADS"

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$TIME" ] || die "$TIME is missing: apt-get install -y time"
for n in $REPEAT $RTIMEOUT; do
    case $n in '' | *[!0-9]*) die "expected a positive integer, not '$n'" ;; esac
done
if [ "$PEERS" = 1 ]; then
    "$PY" -c 'import pandas' 2> /dev/null || die "$PY has no pandas (python3-pandas)"
    "$RS" -e 'suppressPackageStartupMessages(library(survey))' > /dev/null 2>&1 ||
        die "$RS cannot load the R package survey (r-cran-survey)"
fi

make -s all
mkdir -p "$BB" "$DATA" "$RES"
# shellcheck disable=SC2086 # a list of words
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$BB/gen_data" bench/gen_data.c

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src include 2> /dev/null)" ]; then COMMIT="$COMMIT+changes"; fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

gen() { # gen FILE ARGS...: make a data file once
    f=$1
    shift
    if [ ! -s "$f" ]; then
        echo "bench: generating $f" >&2
        "$BB/gen_data" "$@" "$f.tmp"
        mv "$f.tmp" "$f"
    fi
}

# Best (lowest wall) of $1 runs under /usr/bin/time: prints "WALL PEAK_KB",
# or "timeout". Wall time from date's nanoseconds (time's %e has 10 ms
# steps, too coarse for wc -l on a small file), peak RSS from time's %M.
# The command's stdout goes to $OUT, stderr to $ERR.
timed() {
    reps=$1
    shift
    best=""
    i=0
    while [ "$i" -lt "$reps" ]; do
        rc=0
        t0=$(date +%s%N)
        $NICE "$TIME" -f '%M' -o "$DATA/time.tmp" "$@" > "$OUT" 2> "$ERR" || rc=$?
        t1=$(date +%s%N)
        if [ "$rc" = 124 ]; then
            rm -f "$DATA/time.tmp"
            echo timeout
            return 0
        fi
        [ "$rc" = 0 ] || { cat "$ERR" >&2; die "failed: $*"; }
        cur="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') $(tail -n 1 "$DATA/time.tmp")"
        best=$(printf '%s\n%s\n' "$best" "$cur" | awk 'NF == 2 && (b == "" || $1 < b) { b = $1; l = $0 } END { print l }')
        i=$((i + 1))
    done
    rm -f "$DATA/time.tmp"
    echo "$best"
}

# sondage's CSV ($1) against pandas_tab.py's ($2): every cell's n, weighted
# count, proportion, bases and missing count, to 1e-9. Prints the cells.
cmp_pandas() {
    awk -F, '
        function near(a, b,    d, m) {
            if (a == b) return 1
            if (a == "" || b == "") return 0
            d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a
            return d <= 1e-9 * (m > 1 ? m : 1)
        }
        FNR == 1 {
            delete col; for (i = 1; i <= NF; i++) col[$i] = i; nf++
            split("row_var row col n count pct base_n base_count missing_n", nm, " ")
            for (i = 1; i <= 9; i++) { if (!(nm[i] in col)) { print "no column " nm[i] > "/dev/stderr"; exit 1 }; ix[nf, i] = col[nm[i]] }
            next
        }
        { k = $ix[nf, 1] SUBSEP $ix[nf, 2] SUBSEP $ix[nf, 3]; v = ""
          for (i = 4; i <= 9; i++) v = v (i > 4 ? "," : "") $ix[nf, i] }
        nf == 1 { want[k] = v; nw++; next }
        { ng++
          if (!(k in want)) { print "pandas cell absent from sondage: " $0 > "/dev/stderr"; bad++; next }
          split(want[k], a, ","); split(v, b, ",")
          for (i = 1; i <= 6; i++) if (!near(a[i], b[i])) { print "differ: sondage " want[k] ", pandas " v > "/dev/stderr"; bad++; break } }
        END { if (bad || nw != ng) exit 1; print ng }' "$1" "$2"
}

# sondage's CSV ($1: row_var,row,col,pct,se) against an R script's ($2:
# var,role,code,pct,se): every proportion and SE to 1e-9 relative. Prints
# "CELLS MAXREL".
cmp_r() {
    awk -F, '
        function rel(a, b,    d, m) {
            if (a == b) return 0
            if (a == "" || b == "") return 1e300
            d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b
            return m == 0 ? 1e300 : d / m
        }
        FNR == 1 { delete col; for (i = 1; i <= NF; i++) col[$i] = i; nf++
          if (nf == 1) { cv = col["row_var"]; cc = col["col"]; cr = col["row"] } else { cv = col["var"]; cc = col["role"]; cr = col["code"] }
          cp = col["pct"]; cs = col["se"]; next }
        { k = $cv SUBSEP $cc SUBSEP $cr }
        nf == 1 { sp[k] = $cp; ss[k] = $cs; ns++; next }
        { nr++
          if (!(k in sp)) { print "R cell absent from sondage: " $0 > "/dev/stderr"; bad++; next }
          a = rel(sp[k], $cp); b = rel(ss[k], $cs); if (b > a) a = b
          if (a > 1e-9) { print "differ: " $0 " sondage " sp[k] " " ss[k] > "/dev/stderr"; bad++ }
          if (a > mx) mx = a }
        END { if (bad || nr != ns) exit 1; printf "%d %.1e\n", nr, mx }' "$1" "$2"
}

fmt_s() { awk -v w="$1" 'BEGIN { if (w < 0.1) printf "%.3f s", w; else if (w < 10) printf "%.2f s", w; else printf "%.1f s", w }'; }
fmt_m() { awk -v k="$1" 'BEGIN { if (k >= 1048576) printf "%.1f GiB", k / 1048576; else printf "%.0f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = b > 0 ? a / b : 0; if (r >= 10) printf "%.0f×", r; else printf "%.1f×", r }'; }

TABLE=""
NOTES=""
row() { TABLE="$TABLE$*
"; }
note() { NOTES="$NOTES- $*
"; }

# run ID LABEL FILE PEER PEERCMD... -- SONDAGE ARGS: one row of the table.
# PEER is pandas, r or none; the peer command's output is compared with
# sondage's (cmp_pandas or cmp_r).
run() {
    id=$1 label=$2 file=$3 peer=$4
    shift 4
    pcmd=""
    while [ "$1" != -- ]; do pcmd="$pcmd $1"; shift; done
    shift
    case $SKIP in *" $id "*)
        row "| $label | skipped (BENCH_SKIP) | | | | | | | |"
        return 0 ;;
    esac
    cat "$file" > /dev/null # page cache warm for everyone
    size=$(awk -v b="$(wc -c < "$file")" 'BEGIN { if (b < 1e6) printf "%.0f kB", b / 1e3; else printf "%.0f MB", b / 1e6 }')
    echo "bench: $id: wc -l" >&2
    OUT="$DATA/sp_wc.txt" ERR="$DATA/sp_wc.err"
    W=$(timed 5 wc -l "$file")
    echo "bench: $id: sondage" >&2
    OUT="$DATA/sp_${id}_sondage.csv" ERR="$DATA/sp_${id}_sondage.err"
    # shellcheck disable=SC2086 # THREADS is empty or two words
    S=$(timed "$REPEAT" "$B/sondage" tab "$file" "$@" $THREADS --format csv)
    pw="—" pk="—" sp="—" agree="—"
    if [ "$peer" != none ] && [ "$PEERS" = 1 ]; then
        echo "bench: $id: $peer (at most $RTIMEOUT s)" >&2
        OUT="$DATA/sp_${id}_peer.csv" ERR="$DATA/sp_${id}_peer.err"
        # shellcheck disable=SC2086 # pcmd is a list of words
        P=$(timed 1 timeout "$RTIMEOUT" $pcmd)
        if [ "$P" = timeout ]; then
            pw="> $RTIMEOUT s" sp="> $(awk -v r="$RTIMEOUT" -v s="${S% *}" 'BEGIN { printf "%.0f", r / s }')×"
            note "$id: the peer was stopped after $RTIMEOUT s: no comparison"
        else
            if [ "$peer" = pandas ]; then
                c=$(cmp_pandas "$DATA/sp_${id}_sondage.csv" "$DATA/sp_${id}_peer.csv") ||
                    die "$id: sondage and pandas disagree (outputs in $DATA/sp_${id}_*)"
                agree="$c cells equal"
            else
                c=$(cmp_r "$DATA/sp_${id}_sondage.csv" "$DATA/sp_${id}_peer.csv") ||
                    die "$id: sondage and R disagree (outputs in $DATA/sp_${id}_*)"
                agree="${c% *} cells, ≤ ${c#* }"
            fi
            pw=$(fmt_s "${P% *}") pk=$(fmt_m "${P#* }") sp=$(ratio "${P% *}" "${S% *}")
        fi
        pname=$(echo "$pcmd" | awk '{ print ($1 ~ /python/ ? "pandas" : "R survey") }')
        pw="$pname $pw"
    fi
    row "| $label | $size | $(fmt_s "${S% *}") | $(fmt_m "${S#* }") | $(fmt_s "${W% *}") | $(ratio "${S% *}" "${W% *}") | $pw | $pk | $sp | $agree |"
}

F1M=$DATA/survey_1000000.csv F100K=$DATA/survey_100000.csv F10M=$DATA/survey_10000000.csv
FBOOT=$DATA/survey_boot80_100000.csv FWIDE=$DATA/survey_rw80_1000000.csv
gen "$F1M" 1000000
gen "$F100K" 100000
gen "$FBOOT" --bootstrap 80 100000
case $SKIP in *" rep1m "*) ;; *) gen "$FWIDE" --repweights 80 1000000 ;; esac
case $SKIP in *" tab10m "*) ;; *) gen "$F10M" 10000000 ;; esac
# The 1M file as SPSS writes it: made once by sondage itself.
F1MSAV=$DATA/survey_1000000.sav
if [ ! -s "$F1MSAV" ]; then
    echo "bench: writing $F1MSAV" >&2
    "$B/sondage" convert "$F1M" -o "$F1MSAV.tmp.sav" && mv "$F1MSAV.tmp.sav" "$F1MSAV" ||
        die "cannot write $F1MSAV"
fi

run tab1m "1M rows, 10 questions by role, weighted" "$F1M" pandas \
    "$PY" bench/pandas_tab.py "$F1M" "$ROWS" role w -- --rows "$ROWS" --cols role --weight w
run tab1mu "the same, pandas reading only those 12 columns (usecols)" "$F1M" pandas \
    "$PY" bench/pandas_tab.py "$F1M" "$ROWS" role w usecols -- --rows "$ROWS" --cols role --weight w
run tab1msav "the same from an SPSS .sav (ReadStat reads the 12 columns)" "$F1MSAV" none \
    -- --rows "$ROWS" --cols role --weight w
case $SKIP in *" tab1m "* | *" tab1msav "*) ;; *)
    cmp -s "$DATA/sp_tab1m_sondage.csv" "$DATA/sp_tab1msav_sondage.csv" ||
        die "tab1msav: the .sav and the CSV give different tables"
    note "tab1m and tab1msav: the same output, byte for byte (CSV, .sav)" ;;
esac
run taylor1m "the same + strata and PSUs (Taylor SEs)" "$F1M" r \
    "$RS" bench/r_tab.R "$F1M" taylor -- --rows "$ROWS" --cols role --weight w \
    --strata stratum --cluster psu --nest --stats
run taylor100k "the same at 100k rows" "$F100K" r \
    "$RS" bench/r_tab.R "$F100K" taylor -- --rows "$ROWS" --cols role --weight w \
    --strata stratum --cluster psu --nest --stats
run boot100k "100k rows × 80 bootstrap replicate weights" "$FBOOT" r \
    "$RS" bench/r_tab.R "$FBOOT" boot -- --rows "$ROWS" --cols role --weight w \
    --repweights 'rw[0-9]+' --reptype bootstrap --stats
run rep1m "1M rows × 115 columns, 80 JK1 replicates" "$FWIDE" r \
    "$RS" bench/r_tab.R "$FWIDE" rep -- --rows "$ROWS" --cols role --weight w \
    --repweights 'rw[0-9]+' --reptype jk1 --scale 0.9875 --stats
run tab10m "10M rows, the first workload" "$F10M" pandas \
    "$PY" bench/pandas_tab.py "$F10M" "$ROWS" role w -- --rows "$ROWS" --cols role --weight w
run tab10mu "the same, pandas with usecols" "$F10M" pandas \
    "$PY" bench/pandas_tab.py "$F10M" "$ROWS" role w usecols -- --rows "$ROWS" --cols role --weight w
run tab10mw "the same, read whole (--no-stream)" "$F10M" none \
    -- --rows "$ROWS" --cols role --weight w --no-stream
run taylor10m "10M rows + strata and PSUs (Taylor)" "$F10M" none \
    -- --rows "$ROWS" --cols role --weight w --strata stratum --cluster psu --nest --stats
run taylor10mw "the same, read whole (--no-stream)" "$F10M" none \
    -- --rows "$ROWS" --cols role --weight w --strata stratum --cluster psu --nest --stats \
    --no-stream
# Streamed and read whole: the same output, byte for byte.
for pair in "tab10m tab10mw" "taylor10m taylor10mw"; do
    a=$DATA/sp_${pair% *}_sondage.csv b=$DATA/sp_${pair#* }_sondage.csv
    case $SKIP in *" ${pair% *} "* | *" ${pair#* } "*) continue ;; esac
    cmp -s "$a" "$b" || die "${pair% *}: streamed and read whole differ ($a, $b)"
    note "${pair% *} and ${pair#* }: the same output, byte for byte (streamed, read whole)"
done
run jkn "bundled study, JKn made from 2,800 PSUs (--cluster id)" "$STUDY" r \
    "$RS" bench/r_jkn.R "$STUDY" -- --rows integration --cols role --strata stratum \
    --cluster id --make-replicates jkn --stats

{
    echo "Machine: $(nproc) cores, $CPU, $MEM RAM, $(uname -sr), shared (load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end). sondage $COMMIT; $(date -u '+%Y-%m-%d %H:%M UTC'); sondage and \`wc -l\` best of $REPEAT, peers 1 run; every command under \`nice\`."
    echo
    echo "| workload | file | sondage | peak RSS | \`wc -l\` | ÷ \`wc -l\` | peer | peer peak RSS | speed-up | figures |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s' "$TABLE"
    echo
    echo "sondage: \`sondage tab FILE --rows q1,...,q10 --cols role --weight w [DESIGN] --format csv\`; DESIGN = \`--strata stratum --cluster psu --nest --stats\` (Taylor), \`--repweights 'rw[0-9]+' --reptype bootstrap --stats\`, \`--repweights 'rw[0-9]+' --reptype jk1 --scale 0.9875 --stats\`; the study: \`--rows integration --cols role --strata stratum --cluster id --make-replicates jkn --stats\`."
    echo "Peers: \`bench/pandas_tab.py\` (read_csv of every column, or of the 12 the tables use with usecols, crosstabs; compared on every cell's n, weighted count, proportion, bases, missing), \`bench/r_tab.R\` (data.table::fread, svydesign or svrepdesign, svyby + svymean per question), \`bench/r_jkn.R\` (as.svrepdesign type JKn, svyby); R compared on every proportion and SE (largest relative difference shown)."
    printf '%s' "$NOTES"
} > "$RES/speed.md.tmp"
mv "$RES/speed.md.tmp" "$RES/speed.md"
cat "$RES/speed.md"
