#!/bin/sh
# study_gaps.sh — the bundled study's published gaps, tested as a survey
# statistician would: which differences between CIOs (column A) and
# marketers (column B) are real. The articles printed both 73 % vs 54 %
# (integration = yes) and 46 % vs 44 % (hybrid talent) as findings; only
# the first is significant. Prints PASS/FAIL lines.
set -u
out=$("$SONDAGE" tab @study --rows integration,actions,closer --cols role --missing include \
    --tests --format csv) || { echo "FAIL study_gaps_run"; exit 1; }
# letters of a cell: row_var,row,...,col,...,letters (last field)
letters() {
    printf '%s\n' "$out" | awk -F, -v rv="$1" -v r="$2" -v c="$3" \
        '$1 == rv && $2 == r && $5 == c { print $NF; found = 1 } END { if (!found) print "MISSING" }'
}
check() { # name row_var row col expected
    got=$(letters "$2" "$3" "$4")
    if [ "$got" = "$5" ]; then echo "PASS $1"; else echo "FAIL $1: letters '$got', expected '$5'"; fi
}
check gap_integration_73_vs_54_flagged integration 1 2 A
check gap_integration_no_42_vs_24_flagged integration 2 1 B
check gap_collab_68_vs_47_flagged actions encourage_collab 2 A
check gap_talent_46_vs_44_not_flagged_marketers actions hybrid_talent 2 ""
check gap_talent_46_vs_44_not_flagged_cios actions hybrid_talent 1 ""
check gap_closer_55_vs_33_flagged closer closer_more 2 A
check gap_same_39_vs_37_not_flagged closer 3 2 ""
