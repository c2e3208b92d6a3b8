#!/bin/sh
# help_docs.sh — docs/sondage.1.md shows each command's --help exactly, so
# the reference cannot drift from the program. Prints PASS/FAIL lines.
set -u
for c in "" demo info tab report convert codebook serve tokens weight; do
    name=${c:-sondage}
    # the block after "## sondage[ CMD]" between ``` fences
    want=$(awk -v h="## sondage${c:+ $c}" '
        $0 == h { on = 1; next }
        on && /^```$/ { if (inside) exit; inside = 1; next }
        on && inside { print }' docs/sondage.1.md)
    got=$("$SONDAGE" $c --help)
    if [ "$want" = "$got" ]; then echo "PASS help_doc_$name"; else echo "FAIL help_doc_$name: docs/sondage.1.md differs from --help"; fi
done
