#!/bin/sh
# field_browser.sh — a person answers the bundled questionnaire in headless
# Chromium (tests/field/browser.py drives it through chromedriver), in French
# and English, through conditions and a quota that closes; then the store is
# read back with `sondage convert` and checked value by value. Screenshots:
# $SONDAGE_BUILD/screens/*.png. Prints PASS/FAIL lines.
#
# Needs chromium, chromium-driver and python3 (.ci/run installs them). When
# they are missing the test says so and fails under CI=true; elsewhere it is
# skipped with a message.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
for tool in chromium chromedriver python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ "${CI:-}" = true ]; then
            echo "FAIL field_browser: $tool is not installed (apt-get install chromium chromium-driver python3)"
        else
            echo "field_browser.sh: skipped: $tool is not installed (apt-get install chromium chromium-driver python3)" >&2
        fi
        exit 0
    fi
done
tmp=$(mktemp -d)
spid=""
dpid=""
cleanup() {
    [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
    [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
SCREENS="$ROOT/$B/screens"
rm -rf "$SCREENS"
mkdir -p "$SCREENS"
secret=browser-test-secret
SONDAGE_ADMIN_SECRET=$secret "$SONDAGE" serve examples/dsi-marketing/questionnaire.yml \
    --db "$tmp/field.sqlite" --port 0 --quota 'role=1:5,2:1' 2>"$tmp/serve.err" &
spid=$!
port=""
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
    port=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\)\/ .*/\1/p' "$tmp/serve.err" | head -1)
    [ -z "$port" ] && sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "FAIL field_browser_server_started: $(cat "$tmp/serve.err")"
    exit 0
fi
dport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chromedriver --port="$dport" >"$tmp/driver.log" 2>&1 &
dpid=$!
i=0
until python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$dport/status', timeout=2)" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        echo "FAIL field_browser_driver_started: $(tail -3 "$tmp/driver.log")"
        exit 0
    fi
    sleep 0.1
done
timeout 300 python3 tests/field/browser.py "http://127.0.0.1:$port" "$secret" "$SCREENS" "$dport"

# What the store kept, read as any dataset.
if "$SONDAGE" convert "$tmp/field.sqlite" -o "$tmp/out.csv" 2>"$tmp/convert.err"; then
    python3 - "$tmp/out.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + "browser_store_" + name + ("" if cond else ": " + str(detail)))
check("two_completes", len(rows) == 2, len(rows))
m = next((r for r in rows if r["role"] == "2"), {})
c = next((r for r in rows if r["role"] == "1"), {})
check("marketer_row", m.get("segment") == "2" and m.get("company_size") == "1" and
      m.get("metro") == "" and m.get("integration") == "9" and m.get("agency") == "1" and
      m.get("act_none") == "0" and m.get("closer") == "1" and m.get("team_size") == "25" and
      m.get("fr_dsi_relation_metiers") == "", m)
check("marketer_text_kept_as_typed",
      m.get("challenge1_text") == "Le jargon <technique> & les délais", m.get("challenge1_text"))
check("cio_row", c.get("segment") == "" and c.get("metro") == "3" and c.get("company_size") == "6"
      and c.get("integration") == "1" and c.get("encourage_collab") == "1" and
      c.get("fr_dsi_relation_metiers") == "2" and c.get("fr_dsi_relation_marketing") == "9" and
      c.get("team_size") == "", c)
PY
else
    echo "FAIL browser_store_read: $(cat "$tmp/convert.err")"
fi
