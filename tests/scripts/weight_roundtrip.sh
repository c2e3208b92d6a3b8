#!/bin/sh
# weight_roundtrip.sh — a file written by `sondage weight` records its
# calibration in its codebook, so `tab` on it gives the same estimates and
# standard errors as `tab --targets` on the original (linearisation with
# the calibration's residuals, or replicates re-weighted the same way);
# and a weight column changed since is refused.
set -uf
W=tests/oracle/weight
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # name data design weighting-options tab-only-design
    name=$1 data=$2 design=$3 wopts=$4 tabonly=$5
    out="$tmp/$name.csv"
    if ! "$SONDAGE" weight "$W/data/$data" $design $wopts --out "$out" >/dev/null 2>"$tmp/err"; then
        echo "FAIL weight_roundtrip_$name: weight: $(head -1 "$tmp/err")"
        return
    fi
    a=$("$SONDAGE" tab "$W/data/$data" $design $tabonly $wopts --rows y,x:mean --cols g --stats --deff --format csv 2>&1)
    b=$("$SONDAGE" tab "$out" --codebook "$tmp/$name.yaml" $tabonly --rows y,x:mean --cols g --stats --deff --format csv 2>&1)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then echo "PASS weight_roundtrip_$name"; else
        echo "FAIL weight_roundtrip_$name"; printf '%s\n' "$a" | head -3; printf '%s\n' "$b" | head -3; fi
}
check srs_rake srs.csv "--weight w" "--targets $W/targets/margins.yml" ""
check clus_linear_trim clus.csv "--weight w --strata st --cluster psu --nest" \
    "--targets $W/targets/calib_clus.yml --method linear --trim 30,150" ""
check strat_logit strat.csv "--weight w --strata st" \
    "--targets $W/targets/calib_strat.yml --method logit --bounds 0.4,2.5" ""
check rep_post rep.csv "--weight w --repweights r[0-9]+ --reptype jk1 --scale 0.95833333333333337" \
    "--targets $W/targets/cells.yml --method poststratify" ""
check jkn_rake clus.csv "--weight w --strata st --cluster psu --nest" \
    "--targets $W/targets/margins.yml" "--make-replicates jkn"
# The weights changed after weighting: refused, naming the variable.
"$SONDAGE" weight "$W/data/srs.csv" --weight w --targets "$W/targets/margins.yml" --out "$tmp/c.csv" >/dev/null
awk -F, 'NR == 3 { $NF = $NF * 2 } { print }' OFS=, "$tmp/c.csv" > "$tmp/c2.csv"
if "$SONDAGE" tab "$tmp/c2.csv" --codebook "$tmp/c.yaml" --rows y >/dev/null 2>"$tmp/err"; then
    echo "FAIL weight_roundtrip_changed: accepted"
elif grep -q "'weight_rake' does not hold the weights its recorded calibration gives (row 2" "$tmp/err"; then
    echo "PASS weight_roundtrip_changed"
else
    echo "FAIL weight_roundtrip_changed: $(head -1 "$tmp/err")"
fi
