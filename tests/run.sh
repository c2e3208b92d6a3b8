#!/bin/sh
# run.sh — the whole test suite: unit-test binaries, then the data-driven
# cases in tests/cases/ (each under LC_ALL=C and LC_ALL=fr_FR.UTF-8), then
# the script checks in tests/scripts/. Ends with "N passed, N failed".
#
# A case is a folder with `cmd` (one shell command, run from the repo root
# with $SONDAGE set to the binary and $CASE to the folder) and any of
# expected.out (stdout), expected.err (stderr), expected.rc (exit status,
# default 0). Set CASES=pattern to run only matching cases.
set -u
B=${SONDAGE_BUILD:-build/release}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export SONDAGE="$ROOT/$B/sondage"
export SONDAGE_BUILD="$B"
pass=0
fail=0
failed=""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Unit tests: each binary prints PASS/FAIL lines.
for t in $(find "$B/tests" -type f -perm -u+x 2>/dev/null | sort); do
    out="$tmp/unit.out"
    "$t" >"$out" 2>"$tmp/unit.err"
    rc=$?
    p=$(grep -c '^PASS ' "$out")
    f=$(grep -c '^FAIL ' "$out")
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        fail=$((fail + 1))
        failed="$failed\n  $t (exit $rc)"
    fi
    if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
        grep '^FAIL ' "$out" | sed "s|^|  $t: |"
        cat "$tmp/unit.err" | head -40
        failed="$failed\n  $t"
    fi
done

# Data-driven cases, under two locales.
locales="C"
if locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$'; then
    locales="C fr_FR.UTF-8"
else
    echo "run.sh: fr_FR.UTF-8 not installed; cases run under C only (make deps installs it)" >&2
fi
for c in $(find tests/cases -name cmd 2>/dev/null | sort); do
    d=$(dirname "$c")
    case "$d" in *${CASES:-}*) ;; *) continue ;; esac
    for loc in $locales; do
        want_rc=0
        [ -f "$d/expected.rc" ] && want_rc=$(cat "$d/expected.rc")
        CASE="$d" LC_ALL=$loc sh "$c" >"$tmp/out" 2>"$tmp/err" </dev/null
        rc=$?
        ok=1
        why=""
        if [ "$rc" != "$want_rc" ]; then ok=0; why="exit $rc, expected $want_rc"; fi
        if [ -f "$d/expected.out" ] && ! cmp -s "$d/expected.out" "$tmp/out"; then
            ok=0; why="$why; stdout differs"
            diff -u "$d/expected.out" "$tmp/out" | head -20
        fi
        if [ -f "$d/expected.err" ] && ! cmp -s "$d/expected.err" "$tmp/err"; then
            ok=0; why="$why; stderr differs"
            diff -u "$d/expected.err" "$tmp/err" | head -10
        fi
        if [ "$ok" -eq 1 ]; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL $d [$loc]: $why"
            head -5 "$tmp/err"
            failed="$failed\n  $d [$loc]"
        fi
    done
done

# Script checks: each prints PASS/FAIL lines like the unit tests.
for s in $(find tests/scripts -name '*.sh' 2>/dev/null | sort); do
    sh "$s" >"$tmp/s.out" 2>"$tmp/s.err"
    rc=$?
    p=$(grep -c '^PASS ' "$tmp/s.out")
    f=$(grep -c '^FAIL ' "$tmp/s.out")
    grep '^SKIP ' "$tmp/s.out" # skipped checks say why (no database server...)
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
        grep '^FAIL ' "$tmp/s.out" | sed "s|^|  $s: |"
        head -20 "$tmp/s.err"
        [ "$f" -eq 0 ] && fail=$((fail + 1))
        failed="$failed\n  $s"
    fi
done

if [ "$fail" -ne 0 ]; then
    printf "failed:%b\n" "$failed"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
