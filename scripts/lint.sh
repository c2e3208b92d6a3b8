#!/bin/sh
# lint.sh — project rules a compiler does not check: banned functions, a
# header comment at the top of every C file, no printing from the library.
set -u
cd "$(dirname "$0")/.."
bad=0
files=$(find src include -name '*.c' -o -name '*.h' | sort)
for f in $files; do
    head -3 "$f" | grep -q '^/\*' || { echo "lint: $f: no header comment on line 1-3"; bad=1; }
done
# Banned: unbounded or locale-dependent parsing and copying.
if grep -nE '\b(atoi|atol|atof|sscanf|strtok|strcpy|strcat|sprintf|vsprintf|gets)\s*\(' $files \
    | grep -v 'lint: allow'; then
    echo "lint: banned function (use sd__parse_*, snprintf, sd_strbuf)"; bad=1
fi
# Only src/cli prints or exits.
lib=$(find src -name '*.c' -not -path 'src/cli/*')
if grep -nE '\b(printf|puts|perror|exit|abort)\s*\(|\bstderr\b|\bstdout\b' $lib | grep -v 'lint: allow'; then
    echo "lint: the library must not print or exit (only src/cli does)"; bad=1
fi
if [ "$bad" -eq 0 ]; then echo "lint: ok"; fi
exit $bad
