#!/bin/sh
# field_tokens.sh — invitation-only fieldwork (tests/field/tokens.py): tokens
# made with `sondage tokens` while the server runs on the same store (two
# processes writing one SQLite file), then an invited respondent's path.
# Prints PASS/FAIL lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
TEST=field_tokens
tmp=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
. tests/field/lib.sh
if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL field_tokens: python3 is needed for the HTTP client"
    exit 0
fi
start_server "$tmp/f.sqlite" --port 0 --access tokens || exit 0
"$SONDAGE" tokens examples/dsi-marketing/questionnaire.yml --db "$tmp/f.sqlite" --create 3 \
    --url "http://127.0.0.1:$port/" >"$tmp/links" 2>"$tmp/tokens.err"
n=$(grep -c "^http://127.0.0.1:$port/t/[0-9a-f]\{32\}\$" "$tmp/links")
[ "$n" = 3 ] && echo "PASS tokens_created_while_serving" ||
    echo "FAIL tokens_created_while_serving: $(cat "$tmp/links" "$tmp/tokens.err")"
t1=$(sed -n '1s/.*\/t\///p' "$tmp/links")
t2=$(sed -n '2s/.*\/t\///p' "$tmp/links")
timeout 60 python3 tests/field/tokens.py "$port" "$tmp/f.sqlite" "$t1" "$t2"
kill -TERM "$spid" && wait "$spid"
spid=""
