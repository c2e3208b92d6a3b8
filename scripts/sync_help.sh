#!/bin/sh
# sync_help.sh — rewrite each command's block in docs/sondage.1.md from its
# --help (tests/scripts/help_docs.sh checks they agree):
#   sh scripts/sync_help.sh build/release/sondage
set -eu
S=${1:-build/release/sondage}
doc=docs/sondage.1.md
tmp=$(mktemp)
awk -v S="$S" '
function help(cmd,   line, c) {
    c = S (cmd == "" ? "" : " " cmd) " --help"
    while ((c | getline line) > 0) print line
    close(c)
}
/^## sondage/ { print; name = substr($0, 12); want = 1; next }
want && /^```$/ && !inside { print; inside = 1; help(name); next }
inside && /^```$/ { print; inside = 0; want = 0; next }
inside { next }
{ print }
' "$doc" > "$tmp"
mv "$tmp" "$doc"
