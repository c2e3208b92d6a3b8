#!/bin/sh
# run.sh SECONDS — run each fuzz target (build/fuzz/fuzz_NAME, built by
# fuzz/build.sh) for SECONDS seconds (default 20) on a copy of its seed
# corpus fuzz/corpus/NAME/, so the committed seeds are never rewritten.
# Prints "PASS fuzz_NAME" or "FAIL fuzz_NAME" per target and exits 1 if any
# failed: a crash, a sanitizer report, a leak, a timeout (10 s per input) or
# running out of memory (2 GB). A failing input is kept as
# build/fuzz/artifacts/fuzz_NAME-crash-…; the log is build/fuzz/fuzz_NAME.log.
# A dictionary fuzz/dict/NAME.dict (or fuzz/NAME.dict) is used when present,
# and the flags in fuzz/options/NAME.
# FUZZ_SEED=N fixes libFuzzer's random seed (CI does, so a run explores the
# same inputs first each time); FUZZ_MAX_LEN sets the largest input
# (default 65536 bytes).
set -u
SECS=${1:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=build/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$OUT/artifacts"
pass=0
fail=0
for f in fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .c)
    short=${name#fuzz_}
    bin="$OUT/$name"
    if [ ! -x "$bin" ]; then
        echo "FAIL $name (not built: run sh fuzz/build.sh)"
        fail=$((fail + 1))
        continue
    fi
    corpus="$tmp/$short"
    mkdir -p "$corpus"
    if [ -d "fuzz/corpus/$short" ]; then
        cp -R "fuzz/corpus/$short/." "$corpus/"
    fi
    # Inputs up to 64 KiB (libFuzzer's default stops at 4 KiB when the seeds
    # are small): wide headers, long labels, many options.
    set -- -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${FUZZ_MAX_LEN:-65536}" -artifact_prefix="$ROOT/$OUT/artifacts/$name-"
    if [ -n "${FUZZ_SEED:-}" ]; then
        set -- "$@" -seed="$FUZZ_SEED"
    fi
    # fuzz/options/NAME: more libFuzzer flags for one target, one line.
    if [ -f "fuzz/options/$short" ]; then
        # shellcheck disable=SC2046
        set -- "$@" $(cat "fuzz/options/$short")
    fi
    for d in "fuzz/dict/$short.dict" "fuzz/$short.dict"; do
        if [ -f "$d" ]; then
            set -- "$@" -dict="$ROOT/$d" # absolute: a target may change folder
            break
        fi
    done
    if "$bin" "$@" "$corpus" >"$OUT/$name.log" 2>&1; then
        echo "PASS $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name (log: $OUT/$name.log)"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$OUT/$name.log" | head -5 | sed 's/^/  /'
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
