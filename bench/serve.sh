#!/bin/sh
# serve.sh — the field server's benchmark: completed, durable interviews per
# second and latency percentiles, on 127.0.0.1, bounded in time.
#
#   sh bench/serve.sh                 16, 64, 128 and 256 clients, 10 s each, best of 3
#   SERVE_CONNS="32" SERVE_SECONDS=5 SERVE_REPEAT=1 sh bench/serve.sh
#
# For each client count: a fresh store (a file on the same disk as the
# repository's temporary folder), `sondage serve` on the bundled
# questionnaire with quotas lifted (every interview completes), and
# build/release/field_load running whole interviews (GET /, POST /start,
# then one POST per page, 10 requests: the CIO path skips the marketers'
# page, the marketers' path the CIOs' one) until SERVE_SECONDS pass. An
# interview counts when its thank-you page came back, i.e. after its
# transaction was committed with synchronous=FULL (fsync). The client runs
# on the same 2 cores as the server. Prints a Markdown table (and writes
# bench/results/serve.md): interviews/s, requests/s, request latency
# p50/p90/p99/max, the completing request's p50/p99, and the server's CPU
# time per interview (user+system, from /proc), which the machine's other
# load disturbs less than the wall-clock rates.
set -eu
cd "$(dirname "$0")/.."
CONNS=${SERVE_CONNS:-16 64 128 256}
SECS=${SERVE_SECONDS:-10}
REPEAT=${SERVE_REPEAT:-3}
B=build/release
make -s all >/dev/null
tmp=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MACHINE="$(nproc) cores, ${CPU:-$(uname -m)}, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
HZ=$(getconf CLK_TCK)
out="$tmp/table.md"
{
    echo "Machine: $MACHINE; sondage $COMMIT; $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg); best of $REPEAT runs of $SECS s per row (by interviews/s)."
    echo
    echo "| clients | interviews/s | requests/s | req p50 ms | req p90 ms | req p99 ms | req max ms | completing req p50 ms | completing req p99 ms | server CPU ms / interview |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$out"
for c in $CONNS; do
    best=""
    bestrate=0
    r=0
    while [ $r -lt "$REPEAT" ]; do
        r=$((r + 1))
        rm -f "$tmp"/s.sqlite*
        : >"$tmp/serve.err"
        SONDAGE_ADMIN_SECRET=bench "$B/sondage" serve examples/dsi-marketing/questionnaire.yml \
            --db "$tmp/s.sqlite" --port 0 --per-ip 0 --max-connections 2048 \
            --quota 'role=1:1000000000,2:1000000000' 2>"$tmp/serve.err" &
        spid=$!
        port=""
        while [ -z "$port" ]; do
            sleep 0.05
            port=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\)\/ .*/\1/p' "$tmp/serve.err")
        done
        t0=$(awk '{print $14 + $15}' /proc/$spid/stat)
        line=$("$B/field_load" --port "$port" --conns "$c" --interviews 1000000000 --seconds "$SECS" --seed "$r")
        t1=$(awk '{print $14 + $15}' /proc/$spid/stat)
        kill "$spid"
        wait "$spid" || true
        spid=""
        kv() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
        n=$(kv completes)
        cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / hz * 1000 / (n > 0 ? n : 1) }')
        rate=$(kv per_second)
        echo "clients=$c run=$r $line server_cpu_ms_per_interview=$cpu" >&2
        if awk -v a="$rate" -v b="$bestrate" 'BEGIN { exit !(a > b) }'; then
            bestrate=$rate
            best="| $c | $(kv per_second) | $(kv requests_per_second) | $(kv req_p50_ms) | $(kv req_p90_ms) | $(kv req_p99_ms) | $(kv req_max_ms) | $(kv final_p50_ms) | $(kv final_p99_ms) | $cpu |"
        fi
    done
    echo "$best" >>"$out"
done
mkdir -p bench/results
cp "$out" bench/results/serve.md
cat "$out"
