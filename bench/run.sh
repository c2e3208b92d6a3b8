#!/bin/sh
# run.sh — the benchmark: sondage against pandas on the same synthetic survey,
# printed as a Markdown table (and written to bench/results/latest.md).
#
#   sh bench/run.sh [N ...]      default: 1000000 10000000
#   BENCH_QUICK=1 sh bench/run.sh   100000 only (table in bench/results/quick.md.tmp)
#   BENCH_REPEAT=3 ...           best of 3 whole-process runs (default 1)
#   PYTHON=/path/to/python3      the interpreter that has pandas
#
# For each N: generate bench/data/survey_N.csv (kept and reused), run
# `sondage tab FILE --rows q1,...,q10 --cols role --weight w --format csv`
# and bench/pandas_tab.py under /usr/bin/time (wall time and peak RSS of the
# whole process), check that both give the same n, weighted count,
# proportion, bases and missing counts in every cell, then run
# build/bench/bench_engine for the library's own CSV and tabulation rates.
set -eu
cd "$(dirname "$0")/.."

OUTMD=latest.md
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    SIZES=100000
    OUTMD=quick.md.tmp # a smoke test: keep latest.md for real runs
elif [ $# -gt 0 ]; then
    SIZES="$*"
else
    SIZES="1000000 10000000"
fi
REPEAT=${BENCH_REPEAT:-1}
PY=${PYTHON:-/usr/bin/python3}
TIME=/usr/bin/time
ROWS=q1,q2,q3,q4,q5,q6,q7,q8,q9,q10
B=build/release
BB=build/bench
DATA=bench/data
RES=bench/results

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$TIME" ] || die "$TIME is missing: apt-get install -y time"
"$PY" -c 'import pandas' 2>/dev/null || die "$PY has no pandas: set PYTHON= (Debian: python3-pandas)"
for n in $SIZES; do
    case $n in '' | *[!0-9]*) die "N must be a positive integer, not '$n'" ;; esac
done

# ---- build
make -s all
mkdir -p "$BB" "$DATA" "$RES"
CFLAGS_B="-std=c17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
# shellcheck disable=SC2086 # CFLAGS_B is a list of words
cc $CFLAGS_B -o "$BB/gen_data" bench/gen_data.c
# shellcheck disable=SC2086,SC2046 # word lists on purpose
cc $CFLAGS_B -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc $(pkg-config --cflags yaml-0.1 gsl) \
    -o "$BB/bench_engine" bench/bench_engine.c "$B/libsondage.a" \
    -lreadstat $(pkg-config --libs yaml-0.1 gsl libmicrohttpd sqlite3 xlsxwriter libpq) -lpthread -lm

# ---- machine
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$CPU" ] || CPU=$(uname -m)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
MACHINE="$(nproc) cores, $CPU, $MEM RAM, $(uname -sr)"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src include 2>/dev/null)" ]; then COMMIT="$COMMIT+changes"; fi
PDVER=$("$PY" -c 'import pandas; print(pandas.__version__)')

# Best (lowest wall time) of $REPEAT runs of a command under /usr/bin/time:
# prints "WALL_S PEAK_KB". stdout of the command goes to $OUT, stderr to $ERR.
timed() {
    best=""
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        if ! "$TIME" -f '%e %M' -o "$DATA/time.tmp" "$@" > "$OUT" 2> "$ERR"; then
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

ROWS_MD=""
DETAIL=""
for N in $SIZES; do
    F="$DATA/survey_$N.csv"
    if [ ! -s "$F" ]; then
        echo "bench: generating $F" >&2
        "$BB/gen_data" "$N" "$F.tmp"
        mv "$F.tmp" "$F"
    fi
    cat "$F" > /dev/null # page cache warm for every contender

    echo "bench: N=$N sondage" >&2
    OUT="$DATA/out_sondage_$N.csv" ERR="$DATA/err_sondage_$N.txt"
    S=$(timed "$B/sondage" tab "$F" --rows "$ROWS" --cols role --weight w --format csv)

    echo "bench: N=$N pandas" >&2
    OUT="$DATA/out_pandas_$N.csv" ERR="$DATA/err_pandas_$N.txt"
    P=$(timed "$PY" bench/pandas_tab.py "$F" "$ROWS" role w)

    # Sanity: every cell of every table, sondage against pandas; columns are
    # found by their header names, so added columns do not matter.
    awk -F, -v N="$N" '
        function close_enough(a, b,    d, m) {
            if (a == b) return 1
            if (a == "" || b == "") return 0
            d = a - b; if (d < 0) d = -d
            m = a < 0 ? -a : a
            return d <= 1e-9 * (m > 1 ? m : 1)
        }
        function need(name, file_no) {
            if (!(name in col)) { print "bench: no column " name " in output " file_no; bad++; exit 1 }
            return col[name]
        }
        FNR == 1 {
            delete col
            for (i = 1; i <= NF; i++) col[$i] = i
            nf++
            split("row_var row col n count pct base_n base_count missing_n", names, " ")
            for (i = 1; i <= 9; i++) idx[nf, i] = need(names[i], nf)
            next
        }
        {
            k = $idx[nf, 1] SUBSEP $idx[nf, 2] SUBSEP $idx[nf, 3]
            v = ""
            for (i = 4; i <= 9; i++) v = v (i > 4 ? "," : "") $idx[nf, i]
        }
        nf == 1 { want[k] = v; nw++; next }
        {
            ng++
            if (!(k in want)) { print "bench: pandas cell " $idx[nf, 1] "=" $idx[nf, 2] " col " $idx[nf, 3] " absent from sondage"; bad++; next }
            split(want[k], a, ","); split(v, b, ",")
            for (i = 1; i <= 6; i++)
                if (!close_enough(a[i], b[i])) {
                    print "bench: " $idx[nf, 1] "=" $idx[nf, 2] " col " $idx[nf, 3] ": sondage " want[k] " pandas " v; bad++; break
                }
        }
        END {
            if (bad) exit 1
            if (nw != ng) { print "bench: sondage has " nw " cells, pandas " ng; exit 1 }
            print "bench: N=" N ": sondage and pandas agree on " ng " cells (n, weighted count, proportion, bases, missing)"
        }' "$DATA/out_sondage_$N.csv" "$DATA/out_pandas_$N.csv" >&2 \
        || die "sondage and pandas disagree for N=$N (outputs in $DATA/)"

    echo "bench: N=$N bench_engine" >&2
    "$BB/bench_engine" --runs 3 --rows "$ROWS" --cols role --weight w "$F" > "$DATA/engine_$N.txt"
    E() { awk -v k="$1" '$1 == k { print $2 }' "$DATA/engine_$N.txt"; }

    SIZE=$(wc -c < "$F")
    ROW=$(printf '%s %s %s %s %s %s %s %s\n' "$N" "$SIZE" "${S% *}" "${S#* }" "${P% *}" "${P#* }" \
        "$(E csv_mb_s)" "$(E cell_updates_per_s)" |
        awk '{
            n = $1; size = $2; sw = $3; sk = $4; pw = $5; pk = $6; mbs = $7; ups = $8
            ns = sprintf("%d", n); out = ""
            while (length(ns) > 3) { out = "," substr(ns, length(ns) - 2) out; ns = substr(ns, 1, length(ns) - 3) }
            printf "| %s | %.0f MB | %.2f s | %.0f MiB | %.2f s | %.0f MiB | %.1f× | %.0f MB/s | %.0f M/s |\n",
                ns out, size / 1e6, sw, sk / 1024, pw, pk / 1024, (sw > 0 ? pw / sw : 0), mbs, ups / 1e6
        }')
    ROWS_MD="$ROWS_MD$ROW
"
    PT=$(sed -n 's/^pandas_tab: //p' "$DATA/err_pandas_$N.txt")
    DETAIL="$DETAIL- N=$N: engine read_file $(E read_file_s) s, CSV parse $(E parse_s) s, sd_tabulate $(E tab_s) s (CPU $(E tab_cpu_s) s; category scans alone $(E plan_s) s); pandas $PT
"
done

{
    echo "Machine: $MACHINE. sondage $COMMIT, pandas $PDVER; $(date -u '+%Y-%m-%d %H:%M UTC'); whole-process figures best of $REPEAT, engine figures best of 3."
    echo
    echo "| N | CSV size | sondage wall | sondage peak RSS | pandas wall | pandas peak RSS | speed-up | engine CSV read | engine tabulate |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s' "$ROWS_MD"
    echo
    echo "Command: \`sondage tab FILE --rows q1,...,q10 --cols role --weight w --format csv\`; pandas: \`bench/pandas_tab.py\` (same cells: n, weighted count, column proportion, bases, missing)."
    echo "Engine CSV read: \`sd__read_csv\` from memory, MB = 10^6 bytes. Engine tabulate: cell updates per second in \`sd_tabulate\`, one update per (row, table) accumulation, counted for the Total and the banner column: rows × 10 tables × 2."
    echo
    printf '%s' "$DETAIL"
} > "$RES/$OUTMD.part.tmp"
mv "$RES/$OUTMD.part.tmp" "$RES/$OUTMD"
cat "$RES/$OUTMD"
