#!/bin/sh
# run_rake.sh — raking, sondage against R's survey::rake (issue 15): N
# respondents on 4 margins of 10 categories, exactly 10 sweeps each, the
# same data and targets, every weight compared. Printed as a Markdown table
# and written to bench/results/rake.md.
#
#   sh bench/run_rake.sh [N ...]     default: 1000000 10000000
#   BENCH_QUICK=1 sh bench/run_rake.sh  100000 only (bench/results/rake_quick.md.tmp)
#   R_TIMEOUT=1800 ...               seconds before an R run is stopped (default 1800)
#   RSCRIPT=/path/to/Rscript         the Rscript that has survey and data.table
#
# sondage: bench/bench_rake.c (in process, best of 3: sd_weight whole, i.e.
# the rows' categories, the joint table's cells, the sweeps, every row's
# weight and the diagnostics; CPU time too). R: bench/r_rake.R under
# /usr/bin/time (fread, svydesign, rake with maxit = 10 and epsilon =
# 1e-300); R's own split is printed under the table. The data are made by
# bench_rake and kept in bench/data/ (ignored by git).
set -eu
cd "$(dirname "$0")/.."
OUTMD=rake.md
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    SIZES=100000
    OUTMD=rake_quick.md.tmp
elif [ $# -gt 0 ]; then
    SIZES="$*"
else
    SIZES="1000000 10000000"
fi
RS=${RSCRIPT:-Rscript}
RTIMEOUT=${R_TIMEOUT:-1800}
B=build/release
BB=build/bench
DATA=bench/data
RES=bench/results
make -s all
mkdir -p "$BB" "$DATA" "$RES"
# shellcheck disable=SC2046 # word lists on purpose
cc -std=c17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
    -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc $(pkg-config --cflags yaml-0.1 gsl) \
    -o "$BB/bench_rake" bench/bench_rake.c "$B/libsondage.a" \
    -lreadstat $(pkg-config --libs yaml-0.1 gsl libmicrohttpd sqlite3) -lpthread -lm
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
RVER=$("$RS" -e 'cat(R.version$major, ".", R.version$minor, sep = "")' 2>/dev/null)
SVER=$("$RS" -e 'cat(format(packageVersion("survey")))' 2>/dev/null)
get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
table="| N | sondage 10 sweeps: wall | CPU | sondage, R's stopping rule | sweeps | R rake 10 sweeps: wall | CPU | speed-up (CPU) | speed-up (wall) | max rel. diff of the weights |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
notes=""
for N in $SIZES; do
    F="$DATA/rake_$N.csv"
    echo "bench: N=$N sondage" >&2
    "$BB/bench_rake" --runs 3 --csv "$F" --targets "$DATA/rake_targets_$N.csv" \
        --weights "$DATA/rake_$N.bin" "$N" > "$DATA/rake_sondage_$N.txt"
    echo "bench: N=$N R (can take minutes)" >&2
    if ! timeout "$RTIMEOUT" /usr/bin/time -f 'rss_kb %M' "$RS" bench/r_rake.R "$F" \
        "$DATA/rake_targets_$N.csv" "$DATA/rake_$N.bin" > "$DATA/rake_r_$N.txt" 2> "$DATA/rake_r_$N.err"; then
        echo "bench: R failed or timed out at N=$N (see $DATA/rake_r_$N.err)" >&2
        exit 1
    fi
    S="$DATA/rake_sondage_$N.txt"
    R="$DATA/rake_r_$N.txt"
    ten=$(get ten_s "$S")
    rr=$(get rake_s "$R")
    diff=$(get max_rel_diff "$R")
    awk -v d="$diff" 'BEGIN { exit !(d + 0 < 1e-7) }' || { echo "bench: weights differ ($diff)" >&2; exit 1; }
    rc=$(get rake_cpu_s "$R")
    tc=$(get ten_cpu_s "$S")
    speed=$(awk -v a="$rr" -v b="$ten" 'BEGIN { printf "%.0f", a / b }')
    speedc=$(awk -v a="$rc" -v b="$tc" 'BEGIN { printf "%.0f", a / b }')
    table="$table
| $N | $ten s | $tc s | $(get default_s "$S") s | $(get sweeps "$S") | $rr s | $rc s | ${speedc}× | ${speed}× | $diff |"
    notes="$notes
- N=$N: R read $(get read_s "$R") s (data.table::fread), svydesign $(get design_s "$R") s, rake $rr s; R peak RSS $(awk '/rss_kb/ { printf "%.0f MiB", $2 / 1024 }' "$DATA/rake_r_$N.err")"
done
out="Machine: $(nproc) cores, $CPU, $MEM RAM, $(uname -sr). sondage $COMMIT, R $RVER, survey $SVER; $(date -u '+%Y-%m-%d %H:%M') UTC; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

$table

sondage: \`sd_weight\` with \`--method rake --max-iter 10 --tolerance 1e-300\` (exactly 10 sweeps), best of 3, in process (bench/bench_rake.c); \"R's stopping rule\": the default maxit 10, epsilon 1 (with --force: R only warns when 10 sweeps do not reach it).
R: \`rake(svydesign(ids = ~1, weights = ~w, data = d), list(~m1, ~m2, ~m3, ~m4), margins, control = list(maxit = 10, epsilon = 1e-300))\`, its elapsed time (bench/r_rake.R).
Speed-up: R's rake over sondage's 10 sweeps, by CPU time (user + system: what one core spends, whatever else the shared machine runs) and by elapsed time (both exclude reading the data; sondage's includes the diagnostics). Every row's weight compared with R's.
$notes"
printf '%s\n' "$out"
printf '%s\n' "$out" > "$RES/$OUTMD"
