#!/bin/sh
# html_report.sh — the HTML page (`sondage tab --format html`, `sondage
# report`) as a reader sees it in headless Chromium: the bundled study's
# tables read back from the browser's DOM (--dump-dom) in French and English,
# the charts and their titles, the findings under each table, the bundled
# report's title, sections and notes, a nested banner with low bases, hostile
# labels, no network request (Chromium's net log), the layout measured at
# desktop and phone widths (tests/report/layout_probe.js), printed to PDF (one
# table a page), the same bytes twice and under LC_ALL=fr_FR.UTF-8.
# Screenshots (to be looked at) go to $SONDAGE_BUILD/screens-html/. Checks:
# tests/report/html_check.py; layout and screenshots:
# tests/report/html_browser.py. Prints PASS/FAIL lines.
#
# Needs chromium, chromium-driver, python3 and poppler-utils (.ci/run installs
# them). When they are missing
# the test says so and fails under CI=true; elsewhere it is skipped.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
B=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$ROOT/$B/sondage}
for tool in chromium python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ "${CI:-}" = true ]; then
            echo "FAIL html_report: $tool is not installed (apt-get install chromium python3)"
        else
            echo "html_report.sh: skipped: $tool is not installed" >&2
        fi
        exit 0
    fi
done
tmp=$(mktemp -d)
dpid=""
cleanup() {
    [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
SCREENS="$ROOT/$B/screens-html"
rm -rf "$SCREENS"
mkdir -p "$SCREENS"
CHECK="python3 $ROOT/tests/report/html_check.py"

# One headless Chromium run, bounded, with a fresh profile and nothing that
# phones home.
chrome() {
    ud=$(mktemp -d "$tmp/profile.XXXXXX")
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-extensions \
        --disable-default-apps --hide-scrollbars --host-resolver-rules='MAP * ~NOTFOUND' \
        --user-data-dir="$ud" "$@" 2>>"$tmp/chrome.err"
    rc=$?
    rm -rf "$ud"
    return $rc
}

study() { # lang out
    "$SONDAGE" tab --rows integration,actions,closer --cols role --tests --format html \
        --lang "$1" -o "$2"
}

for lang in fr en; do
    page="$tmp/study_$lang.html"
    if ! study "$lang" "$page" 2>"$tmp/err"; then
        echo "FAIL html_${lang}_written: $(cat "$tmp/err")"
        continue
    fi
    echo "PASS html_${lang}_written"
    $CHECK static "$page" "$lang"
    if chrome --dump-dom "file://$page" >"$tmp/dom_$lang.html" && [ -s "$tmp/dom_$lang.html" ]; then
        $CHECK study "$tmp/dom_$lang.html" "$lang"
    else
        echo "FAIL html_${lang}_dump_dom: $(tail -3 "$tmp/chrome.err")"
    fi
done

# Deterministic, and the same whatever the locale.
page="$tmp/study_fr.html"
study fr "$tmp/again.html" 2>/dev/null
if cmp -s "$page" "$tmp/again.html"; then echo "PASS html_deterministic"; else
    echo "FAIL html_deterministic: two runs differ"; fi
if locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$'; then
    LC_ALL=fr_FR.UTF-8 "$SONDAGE" tab --rows integration,actions,closer --cols role --tests \
        --format html --lang fr -o "$tmp/locale.html" 2>/dev/null
    if cmp -s "$page" "$tmp/locale.html"; then echo "PASS html_locale_independent"; else
        echo "FAIL html_locale_independent: LC_ALL=fr_FR.UTF-8 changes the page"; fi
fi

# No request leaves the page: Chromium's own log of the load (and of a
# control page that does fetch, to show the log would tell).
chrome --log-net-log="$tmp/net.json" --dump-dom "file://$page" >/dev/null
if [ -s "$tmp/net.json" ]; then $CHECK netlog "$tmp/net.json"; else
    echo "FAIL html_netlog_written: $(tail -3 "$tmp/chrome.err")"; fi
printf '<!DOCTYPE html><html lang="en"><head><title>c</title><link rel="stylesheet" href="https://example.com/a.css"></head><body><img src="http://127.0.0.1:9/x.png" alt=""></body></html>' >"$tmp/control.html"
chrome --log-net-log="$tmp/net_control.json" --dump-dom "file://$tmp/control.html" >/dev/null
if [ -s "$tmp/net_control.json" ]; then $CHECK netlog "$tmp/net_control.json" control; else
    echo "FAIL html_netlog_control_written: $(tail -3 "$tmp/chrome.err")"; fi

# With --findings, the sentences under each table.
if "$SONDAGE" tab --rows integration,actions,closer --cols role --tests --findings --format html \
    --lang fr -o "$tmp/findings.html" 2>"$tmp/err"; then
    chrome --dump-dom "file://$tmp/findings.html" >"$tmp/findings_dom.html"
    $CHECK findings "$tmp/findings_dom.html"
else
    echo "FAIL html_findings_written: $(cat "$tmp/err")"
fi

# The bundled report (`sondage report`, its own spec): title, introduction,
# sections, notes.
if "$SONDAGE" report --out "$tmp/report" --format html --lang fr >/dev/null 2>"$tmp/err"; then
    chrome --dump-dom "file://$tmp/report/report.fr.html" >"$tmp/report_dom.html"
    $CHECK report "$tmp/report_dom.html"
else
    echo "FAIL html_report_written: $(cat "$tmp/err")"
fi

# Printed: one table a page (Chromium's PDF, read back with pdftotext).
if command -v pdftotext >/dev/null 2>&1; then
    chrome --no-pdf-header-footer --print-to-pdf="$tmp/study.pdf" "file://$page" >/dev/null
    if [ -s "$tmp/study.pdf" ]; then
        pdftotext -layout "$tmp/study.pdf" "$tmp/study.txt"
        python3 - "$tmp/study.txt" <<'PY'
import re, sys
pages = open(sys.argv[1], encoding="utf-8").read().split("\f")
pages = [p for p in pages if p.strip()]
found = [re.findall(r"Tableau (\d+)\.", p) for p in pages]
ok = len(pages) >= 3 and [f[:1] for f in found[:3]] == [["1"], ["2"], ["3"]] and \
    all(len(f) <= 1 for f in found) and len(pages) <= 6
print(("PASS" if ok else "FAIL") + " html_print_one_table_a_page" + ("" if ok else f": {found}"))
PY
        command -v pdftoppm >/dev/null 2>&1 &&
            pdftoppm -r 60 -png "$tmp/study.pdf" "$SCREENS/study_fr_print"
    else
        echo "FAIL html_print_pdf: $(tail -3 "$tmp/chrome.err")"
    fi
elif [ "${CI:-}" = true ]; then
    echo "FAIL html_print: pdftotext is not installed (apt-get install poppler-utils)"
fi

# A nested banner, low bases (--min-base 100), with intervals.
if "$SONDAGE" tab --rows closer --cols 'role>company_size' --min-base 100 --tests --stats \
    --format html --lang en -o "$tmp/nested.html" 2>"$tmp/err"; then
    chrome --dump-dom "file://$tmp/nested.html" >"$tmp/nested_dom.html"
    $CHECK nested "$tmp/nested_dom.html"
else
    echo "FAIL html_nested_written: $(cat "$tmp/err")"
fi

# Labels that hold markup, quotes and control characters.
printf 'q,g\n1,1\n2,1\n1,2\n2,2\n1,1\n' >"$tmp/h.csv"
cat >"$tmp/h.yaml" <<'EOF'
sondage_codebook: 1
variables:
  - name: q
    type: numeric
    measure: nominal
    label: {en: "<script>alert(1)</script> & \"quoted\" 'single' \e[31m red \x07 bell"}
    values:
      1: {en: "<b>Yes</b> & more"}
      2: {en: "No \u0085 next-line"}
  - name: g
    type: numeric
    label: {en: "Group </table>"}
    values:
      1: {en: "A<br>"}
      2: {en: "B&amp;"}
EOF
if "$SONDAGE" tab "$tmp/h.csv" --codebook "$tmp/h.yaml" --rows q --cols g --format html \
    -o "$tmp/hostile.html" 2>"$tmp/err"; then
    $CHECK static "$tmp/hostile.html" en | sed 's/html_static_en/html_hostile_static/'
    chrome --dump-dom "file://$tmp/hostile.html" >"$tmp/hostile_dom.html"
    $CHECK hostile "$tmp/hostile_dom.html"
else
    echo "FAIL html_hostile_written: $(cat "$tmp/err")"
fi
# Layout at a desktop's and a phone's width (chromedriver sets the
# viewport: plain headless windows are at least 500 px wide), measured and
# screenshot: the whole page, and each table alone on the phone.
if command -v chromedriver >/dev/null 2>&1; then
    dport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    chromedriver --port="$dport" >"$tmp/driver.log" 2>&1 &
    dpid=$!
    i=0
    until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$dport/status', timeout=2)" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && break
        sleep 0.1
    done
    mkdir -p "$tmp/layout"
    if SCREENS="$SCREENS" timeout 300 python3 tests/report/html_browser.py "$dport" "$tmp/layout" \
        "study_fr=$tmp/study_fr.html:desktop,phone" "study_en=$tmp/study_en.html:desktop" \
        "nested_en=$tmp/nested.html:desktop,phone" "findings_fr=$tmp/findings.html:phone" \
        "report_fr=$tmp/report/report.fr.html:desktop,phone" \
        2>"$tmp/browser.err"; then
        $CHECK layout "$tmp/layout/study_fr_desktop.json" desktop
        $CHECK layout "$tmp/layout/study_fr_phone.json" phone
        $CHECK layout "$tmp/layout/study_en_desktop.json" desktop_en
        $CHECK layout "$tmp/layout/nested_en_phone.json" phone_nested
        $CHECK layout "$tmp/layout/findings_fr_phone.json" phone_findings
        $CHECK layout "$tmp/layout/report_fr_desktop.json" desktop_report
        $CHECK layout "$tmp/layout/report_fr_phone.json" phone_report
    else
        echo "FAIL html_layout_browser: $(tail -5 "$tmp/browser.err")"
    fi
    kill "$dpid" 2>/dev/null
    wait "$dpid" 2>/dev/null
    dpid=""
elif [ "${CI:-}" = true ]; then
    echo "FAIL html_layout: chromedriver is not installed (apt-get install chromium-driver)"
else
    echo "html_report.sh: layout checks skipped: chromedriver is not installed" >&2
fi
exit 0
