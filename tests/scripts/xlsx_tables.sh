#!/bin/sh
# xlsx_tables.sh — the XLSX writer as a person and a spreadsheet see it:
#  (a) `sondage tab --spec examples/dsi-marketing/tables.yml --format xlsx -o F` writes a
#      workbook, the same bytes twice;
#  (b) every part of it is well-formed XML, and its structure is what docs/reports.md says:
#      a contents sheet linking every table sheet, frozen panes, landscape, one page wide,
#      header rows repeated, merged banner headers;
#  (c) LibreOffice opens it (soffice --headless --convert-to csv, every sheet) and its cells
#      read back: the study's 73 % of marketers and 54 % of CIOs shown as "73.0%" (numbers in
#      a percent format, not text: the raw export gives "73%"), the letters in their own
#      cells, the bases in their own row; every percentage, count and letter of every table
#      equals sondage's JSON for the same request;
#  (d) a report workbook (title, introduction, a section, notes, findings: the unit test's
#      document, tests/unit/report/test_xlsx.c) reads back with its findings under their
#      table, in French and in English;
#  (e) a PDF through LibreOffice has a page per sheet for the study's tables (one page wide).
# Without soffice (LibreOffice) the checks of (c)-(e) FAIL: CI installs it (.ci/run).
set -u
cd "$(dirname "$0")/../.." || exit 3
SONDAGE_BUILD=${SONDAGE_BUILD:-build/release}
SONDAGE=${SONDAGE:-$SONDAGE_BUILD/sondage}
STUDY=examples/dsi-marketing
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
# LibreOffice with a profile of its own (never another run's), numbers shown the C way.
lo() {
    LC_ALL=C.UTF-8 HOME="$tmp" timeout 300 soffice -env:UserInstallation="file://$tmp/lo" \
        --headless "$@" >>"$tmp/lo.log" 2>&1
}
PY=$(command -v python3 || true)

# (a) the study's tables.
"$SONDAGE" tab --spec "$STUDY/tables.yml" --lang fr --format xlsx -o "$tmp/t.xlsx" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || [ "$(head -c 2 "$tmp/t.xlsx" 2>/dev/null)" != "PK" ]; then
    echo "FAIL xlsx_written: exit $rc: $(head -1 "$tmp/err")"
    exit 0
fi
echo "PASS xlsx_written"
"$SONDAGE" tab --spec "$STUDY/tables.yml" --lang fr --format xlsx -o "$tmp/t2.xlsx" 2>/dev/null
if cmp -s "$tmp/t.xlsx" "$tmp/t2.xlsx"; then
    echo "PASS xlsx_deterministic"
else
    echo "FAIL xlsx_deterministic: two runs differ: $(cmp "$tmp/t.xlsx" "$tmp/t2.xlsx" 2>&1)"
fi
"$SONDAGE" tab --spec "$STUDY/tables.yml" --lang fr --format json >"$tmp/t.json" 2>/dev/null
"$SONDAGE" tab --spec "$STUDY/tables.yml" --lang en --format xlsx -o "$tmp/en.xlsx" 2>/dev/null
"$SONDAGE" tab --spec "$STUDY/tables.yml" --lang en --format json >"$tmp/en.json" 2>/dev/null

if [ -z "$PY" ]; then
    echo "FAIL xlsx_structure: python3 is needed to read the workbook's parts"
    exit 0
fi

# (b) the parts.
"$PY" - "$tmp/t.xlsx" <<'EOF'
import re, sys, zipfile
import xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1])
bad = []
for n in z.namelist():
    if n.endswith(".xml") or n.endswith(".rels"):
        try:
            ET.fromstring(z.read(n))
        except ET.ParseError as e:
            bad.append(f"{n}: {e}")
print("FAIL xlsx_wellformed: " + "; ".join(bad) if bad else "PASS xlsx_wellformed")
wb = z.read("xl/workbook.xml").decode()
names = re.findall(r'<sheet name="([^"]+)"', wb)
why = []
if names[:1] != ["Sommaire"] or names[1:] != [f"Tableau {i}" for i in range(1, 13)]:
    why.append(f"sheets {names}")
contents = z.read("xl/worksheets/sheet1.xml").decode()
links = re.findall(r'<hyperlink [^>]*location="([^"]+)"', contents)
if links != [f"'Tableau {i}'!A1" for i in range(1, 13)]:
    why.append(f"contents links {links}")
for i in range(2, 14):
    s = z.read(f"xl/worksheets/sheet{i}.xml").decode()
    if not re.search(r'<pane [^>]*state="frozen"', s):
        why.append(f"sheet{i}: no frozen pane")
    if 'orientation="landscape"' not in s:
        why.append(f"sheet{i}: not landscape")
    if not re.search(r'<pageSetUpPr fitToPage="1"', s) or 'fitToHeight="0"' not in s:
        why.append(f"sheet{i}: not fit to one page wide")
    if "<mergeCell " not in s:
        why.append(f"sheet{i}: no merged banner header")
    if "location=\"'Sommaire'!A1\"" not in s:
        why.append(f"sheet{i}: no link back to the contents")
titles = re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">([^<]*)<', wb)
if len(titles) != 13:  # the contents sheet and every table sheet
    why.append(f"{len(titles)} sheets repeat their header rows when printed")
core = z.read("docProps/core.xml").decode()
if "<dcterms:created xsi:type=\"dcterms:W3CDTF\">1980-01-01T00:00:00Z" not in core:
    why.append("creation time not fixed")
print("FAIL xlsx_structure: " + "; ".join(why) if why else "PASS xlsx_structure")
EOF

# (c) what LibreOffice reads: cells as shown and raw, every sheet.
if ! command -v soffice >/dev/null 2>&1; then
    echo "FAIL xlsx_libreoffice: soffice (LibreOffice) is not installed (apt-get install libreoffice-calc-nogui)"
    exit 0
fi
# Field 9 of the CSV filter: cells as shown (true) or their values (false); field 12 -1: every sheet.
mkdir -p "$tmp/shown" "$tmp/raw" "$tmp/en" "$tmp/pdf"
lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1' \
    --outdir "$tmp/shown" "$tmp/t.xlsx"
lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1' \
    --outdir "$tmp/raw" "$tmp/t.xlsx"
lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1' \
    --outdir "$tmp/en" "$tmp/en.xlsx"
if [ ! -f "$tmp/shown/t-Tableau 1.csv" ] || [ ! -f "$tmp/raw/t-Tableau 12.csv" ] ||
    [ ! -f "$tmp/en/en-Table 12.csv" ]; then
    echo "FAIL xlsx_libreoffice: LibreOffice did not convert the workbook: $(tail -3 "$tmp/lo.log")"
    exit 0
fi
echo "PASS xlsx_libreoffice"

"$PY" - "$tmp" <<'EOF'
import csv, json, math, sys
tmp = sys.argv[1]
def sheet(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))
# As shown: the published figures with their format and letters.
s = sheet(f"{tmp}/shown/t-Tableau 1.csv")
meas = next(i for i, r in enumerate(s) if r[:3] == ["", "n", "%"])
head = s[meas]
oui = next(r for r in s if r and r[0] == "Oui")
base = next(r for r in s if r and r[0] == "Base")
why = []
if head != ["", "n", "%", "n", "%", "(A)", "n", "%", "(B)"]:
    why.append(f"measures row {head}")
if oui != ["Oui", "1,588", "56.7%", "1,296", "54.0%", "", "292", "73.0%", "A"]:
    why.append(f"row Oui {oui}")
if base[:8] != ["Base", "2,800", "", "2,400", "", "", "400", ""]:
    why.append(f"row Base {base}")
if not any(r and r[0].startswith("Tableau 1. Votre entreprise dispose-t-elle") for r in s):
    why.append("no title")
if not any(r and r[0].startswith("Base : répondants") for r in s):
    why.append("no base sentence")
if not any(r and r[0].startswith("Lettres : valeur de la colonne") for r in s):
    why.append("no letters note")
banner = s[meas - 2]
if "Quelle est votre fonction ?" not in banner or "Ensemble" not in banner:
    why.append(f"banner row {banner}")
print("FAIL xlsx_published_figures: " + "; ".join(why) if why else "PASS xlsx_published_figures")

# Raw: a percentage cell is a number (73%, not the text 73.0%), and every
# table's figures equal the JSON's.
raw = sheet(f"{tmp}/raw/t-Tableau 1.csv")
r_oui = next(r for r in raw if r and r[0] == "Oui")
print("PASS xlsx_percent_is_number" if r_oui[7] == "73%" and r_oui[4] == "54%"
      else f"FAIL xlsx_percent_is_number: raw row {r_oui}")

def check(lang, folder, prefix, word):
    doc = json.load(open(f"{tmp}/{lang}.json" if lang == "en" else f"{tmp}/t.json"))
    by_num = {}
    for t in doc["tables"]:
        by_num.setdefault(t["number"], []).append(t)
    errs, cells = [], 0
    for num, ts in sorted(by_num.items()):
        s = sheet(f"{tmp}/{folder}/{prefix}-{word} {num}.csv")
        meas = next(i for i, r in enumerate(s) if r[1:3] == ["n", "%"])
        head = s[meas]
        groups = [j for j, h in enumerate(head) if h == "n"]
        cols = [(ts[0], c["col"]) for c in ts[0]["cols"]]
        for t in ts[1:]:
            cols += [(t, c["col"]) for c in t["cols"] if c["col"] != "total"]
        if len(groups) != len(cols):
            errs.append(f"table {num}: {len(groups)} column groups, JSON has {len(cols)}")
            continue
        rows = ts[0]["rows"]
        body = s[meas + 1: meas + 1 + len(rows)]
        for i, row in enumerate(rows):
            line = body[i]
            if line[0] != row["label"]:
                errs.append(f"table {num} row {i}: label {line[0]!r}, JSON {row['label']!r}")
            for j, (t, ck) in zip(groups, cols):
                cell = next(c for c in t["cells"] if c["row"] == row["row"] and c["col"] == ck)
                n = int(line[j])
                est = "pct" if "pct" in cell else "mean"
                v = line[j + 1]
                x = float(v[:-1]) / 100 if v.endswith("%") else (math.nan if v == "-" else float(v))
                want = cell.get(est)
                cells += 1
                if n != cell["n"]:
                    errs.append(f"table {num} row {i} col {ck}: n {n}, JSON {cell['n']}")
                if want is None and not math.isnan(x) or want is not None and abs(x - want) > 1e-9 * max(1, abs(want)):
                    errs.append(f"table {num} row {i} col {ck}: {est} {v}, JSON {want}")
                if head[j + 2].startswith("(") and line[j + 2] != cell.get("letters", ""):
                    errs.append(f"table {num} row {i} col {ck}: letters {line[j + 2]!r}, JSON {cell.get('letters')!r}")
        baseline = s[meas + 1 + len(rows)]
        for j, (t, ck) in zip(groups, cols):
            c = next(c for c in t["cols"] if c["col"] == ck)
            if int(baseline[j]) != c["base_n"]:
                errs.append(f"table {num} col {ck}: base {baseline[j]}, JSON {c['base_n']}")
    return errs, cells
for lang, folder, prefix, word in (("fr", "raw", "t", "Tableau"), ("en", "en", "en", "Table")):
    errs, cells = check(lang, folder, prefix, word)
    if errs or cells < 200:
        print(f"FAIL xlsx_cells_{lang}: {cells} cells; " + "; ".join(errs[:5]))
    else:
        print(f"PASS xlsx_cells_{lang}")
EOF

# (d) a report's workbook, with findings under their table.
T="$SONDAGE_BUILD/tests/report/test_xlsx"
for lang in fr en; do
    if ! "$T" "$tmp/r-$lang.xlsx" "$lang" 2>"$tmp/err"; then
        echo "FAIL xlsx_report_$lang: $T: $(head -1 "$tmp/err")"
        continue
    fi
    mkdir -p "$tmp/r$lang"
    lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1' \
        --outdir "$tmp/r$lang" "$tmp/r-$lang.xlsx"
    "$PY" - "$tmp/r$lang" "$lang" <<'EOF'
import csv, glob, sys
d, lang = sys.argv[1], sys.argv[2]
def sheet(name):
    with open(f"{d}/r-{lang}-{name}.csv", newline="", encoding="utf-8") as f:
        return [r for r in csv.reader(f)]
why = []
if lang == "fr":
    c = sheet("Sommaire")
    first = [r[0] for r in c if r and r[0]]
    for want in ("Marketing et DSI : l'étude", "Intégration", "Autres tableaux", "Notes",
                 "Chiffres illustratifs, non publiés."):
        if want not in first:
            why.append(f"contents lack {want!r}")
    if not any(r[0].startswith("Une enquête auprès de 2 800") and "Deuxième paragraphe." in r[0] for r in c if r):
        why.append("no introduction")
    t1, t2, word, fh = sheet("Tableau 1"), sheet("Tableau 2"), "Constats", "Parmi les 400 marketeurs"
    low = "* base inférieure à 50 répondants"
else:
    c = sheet("Contents")
    if not any(r and r[0] == "Marketing and IT: the study" for r in c):
        why.append("no English title")
    t1, t2, word, fh = sheet("Table 1"), sheet("Table 2"), "Findings", "Parmi les 400 marketeurs"
    low = "* base under 50 respondents"
i = next((k for k, r in enumerate(t1) if r and r[0] == word), None)
if i is None or not t1[i + 1][0].startswith(fh):
    why.append(f"table 1: no finding under {word!r}")
if not any(r and r[0] == "Un marketeur sur trois (30 %)." for r in t2):
    why.append("table 2: its finding missing")
if not any(r and r[0].startswith(low) for r in t2):
    why.append("table 2: no low-base note")
heads = [x for r in t2 for x in r]
if not any(x.endswith(" *") for x in heads):
    why.append("table 2: low-base column not marked")
print(f"FAIL xlsx_report_{lang}: " + "; ".join(why) if why else f"PASS xlsx_report_{lang}")
EOF
done

# (e) printed: a page per sheet, each table one page wide.
lo --convert-to pdf --outdir "$tmp/pdf" "$tmp/t.xlsx"
pages=$(pdfinfo "$tmp/pdf/t.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
if [ "${pages:-0}" = 13 ]; then
    echo "PASS xlsx_pdf_pages"
else
    echo "FAIL xlsx_pdf_pages: ${pages:-no} pages (pdfinfo from poppler-utils), expected 13: $(tail -2 "$tmp/lo.log")"
fi
