#!/bin/sh
# codebook_design.sh — a design declared once in the codebook gives the same
# statistics as the same design given as options, and the two combine.
set -u
d=tests/oracle/data/strat.csv
a=$("$SONDAGE" tab $d --rows y --cols g --weight w --strata st --fpc fpc1 --stats --format csv)
b=$("$SONDAGE" tab $d --codebook tests/data/cases/strat_design.yaml --rows y --cols g --stats --format csv)
if [ -n "$a" ] && [ "$a" = "$b" ]; then echo "PASS codebook_design_equals_options"; else echo "FAIL codebook_design_equals_options"; fi
c=$("$SONDAGE" tab $d --codebook tests/data/cases/strat_design.yaml --rows y --cols g --stats --format csv --fpc fpc1 --strata st --weight w)
if [ "$a" = "$c" ]; then echo "PASS codebook_design_options_agree"; else echo "FAIL codebook_design_options_agree"; fi
