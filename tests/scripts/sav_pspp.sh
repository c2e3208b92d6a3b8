#!/bin/sh
# sav_pspp.sh — .sav files sondage writes, read by PSPP as an SPSS user
# would: MRSETS /DISPLAY lists the multiple-response sets, SHOW WEIGHT names
# the weight, DISPLAY DICTIONARY shows the names (a Hebrew name whose short
# name ReadStat cut mid-letter; names SPSS refuses, renamed) and DISPLAY
# DOCUMENTS the renaming. Needs pspp (installed by .ci/run). Prints PASS/FAIL.
set -u
if ! command -v pspp >/dev/null 2>&1; then
    echo "FAIL sav_pspp: pspp is not installed (apt-get install pspp)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=tests/data
"$SONDAGE" convert $D/spssio_test.sav -o "$tmp/a.sav" &&
"$SONDAGE" convert $D/simple_alltypes.sav -o "$tmp/b.sav" &&
"$SONDAGE" convert $D/hebrews.sav -o "$tmp/c.sav" &&
printf '_id,1st,Age,AGE\n1,2,3,4\n' > "$tmp/n.csv" &&
"$SONDAGE" convert "$tmp/n.csv" -o "$tmp/n.sav" &&
"$SONDAGE" convert @study -o "$tmp/s.sav" || { echo "FAIL sav_pspp_convert"; exit 0; }
cat > "$tmp/t.sps" <<SPS
GET FILE='$tmp/a.sav'.
MRSETS /DISPLAY NAME=ALL.
SHOW WEIGHT.
GET FILE='$tmp/b.sav'.
MRSETS /DISPLAY NAME=ALL.
GET FILE='$tmp/c.sav'.
DISPLAY DICTIONARY.
GET FILE='$tmp/n.sav'.
DISPLAY DICTIONARY.
DISPLAY DOCUMENTS.
GET FILE='$tmp/s.sav'.
MRSETS /DISPLAY NAME=ALL.
SPS
out=$(cd "$tmp" && LC_ALL=C pspp t.sps -O format=csv -O box=ascii 2>&1)
has() { # name pattern
    if printf '%s\n' "$out" | grep -q -- "$2"; then echo "PASS $1"; else echo "FAIL $1: no '$2' in PSPP's output"; fi
}
hasnt() {
    if printf '%s\n' "$out" | grep -q -- "$2"; then echo "FAIL $1: '$2' in PSPP's output"; else echo "PASS $1"; fi
}
has sav_pspp_set_ages '^\$ages,the ages,Categories,,"Age$'
has sav_pspp_set_incomes '^\$incomes,three kinds of income,Categories,,"Income1$'
has sav_pspp_set_V '^\$V,,Dichotomies,1,"V1$'
has sav_pspp_weight 'WEIGHT is weightVar'
has sav_pspp_set_mymrset '^\$mymrset,My multiple response set,Dichotomies,1,"bool1$'
has sav_pspp_set_categorical '^\$categorical_array,,Categories,,"ca_subvar_1$'
has sav_pspp_hebrew_name '^ותק_ב,1,'
hasnt sav_pspp_no_var001 'VAR001'
has sav_pspp_renamed_underscore '^v_id,1,'
has sav_pspp_renamed_digit '^v1st,2,'
has sav_pspp_case_distinct '^AGE_2,4,'
has sav_pspp_rename_document 'v_id = _id'
has sav_pspp_study_sets '^\$actions,'
hasnt sav_pspp_no_warning 'warning'
