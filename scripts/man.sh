#!/bin/sh
# man.sh — sondage(1) in roff from docs/sondage.1.md, the one source of the
# command reference (each section there is a command's own --help, which
# tests/scripts/help_docs.sh keeps equal to the program). Written by hand:
# the page is a title, sections and literal blocks, and no Debian package
# turns Markdown into roff without pulling in a document toolchain.
#   sh scripts/man.sh docs/sondage.1.md VERSION > sondage.1
set -eu
src=${1:-docs/sondage.1.md}
version=${2:-0}
awk -v version="$version" '
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    if (s ~ /^[.\047]/) s = "\\&" s
    return s
}
BEGIN {
    print ".\\\" sondage(1), made by scripts/man.sh from docs/sondage.1.md: do not edit"
    print ".TH SONDAGE 1 \"\" \"sondage " version "\" \"User Commands\""
    print ".SH NAME"
    print "sondage \\- survey data from file to table: codebooks, banner tables, design\\-based statistics"
}
/^# / { next }
!seen && !/^## / { next }
/^## / { seen = 1 }
/^```/ { if (lit) { print ".fi"; print ".RE"; lit = 0 } else { print ".RS 2"; print ".nf"; lit = 1 } next }
lit { print (length($0) ? esc($0) : ""); next }
/^## / { t = substr($0, 4); print (t == "sondage" ? ".SH SYNOPSIS AND OPTIONS" : ".SH " toupper(esc(t))); next }
/^### / { print ".SS " esc(substr($0, 5)); next }
/^$/ { print ".PP"; next }
{ line = $0; gsub(/`/, "", line); print esc(line) }
END { if (lit) print ".fi" }
' "$src"
