#!/bin/sh
# api_example.sh — libsondage as a user installs and uses it: `make install
# PREFIX=tmp` puts the CLI, the header, the static and shared libraries
# (with a soname), sondage.pc and sondage(1) in place; examples/api/
# study_cells.c builds against them through pkg-config (shared and static)
# and prints the study's cells; `make uninstall` removes every file.
# Prints PASS/FAIL lines.
set -u
B=${SONDAGE_BUILD:-build/release}
SAN=0
SANFLAGS=""
case "$B" in *asan*) SAN=1; SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P="$tmp/prefix"
ok() { if [ "$1" -eq 0 ]; then echo "PASS $2"; else echo "FAIL $2${3:+: $3}"; fi; }

make -s --no-print-directory SAN=$SAN BUILD="$B" install PREFIX="$P" >"$tmp/make.out" 2>&1
ok $? api_install "$(tail -3 "$tmp/make.out")"
for f in bin/sondage include/sondage.h lib/libsondage.a lib/libsondage.so lib/pkgconfig/sondage.pc \
         share/man/man1/sondage.1; do
    [ -e "$P/$f" ] || { echo "FAIL api_installed_$f"; continue; }
done
soname=$(LC_ALL=C readelf -d "$P/lib/libsondage.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -n "$soname" ] && [ -e "$P/lib/$soname" ]
ok $? api_soname "soname '$soname'"
# The man page has a section for each command of --help.
for c in demo info tab convert; do
    grep -q "^\.SH SONDAGE $(echo $c | tr a-z A-Z)\$" "$P/share/man/man1/sondage.1"
    ok $? "api_man_$c"
done
grep -q '^\.TH SONDAGE 1' "$P/share/man/man1/sondage.1"
ok $? api_man_title

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
cc -std=c17 -Wall -Wextra -Werror $SANFLAGS examples/api/study_cells.c \
    $(pkg-config --cflags --libs sondage) -o "$tmp/shared" 2>"$tmp/cc.err"
ok $? api_build_shared "$(head -3 "$tmp/cc.err")"
cc -std=c17 -Wall -Wextra -Werror $SANFLAGS -static-libgcc examples/api/study_cells.c \
    $(pkg-config --cflags sondage) "$P/lib/libsondage.a" $(pkg-config --static --libs-only-l sondage | sed 's/-lsondage//') \
    -o "$tmp/static" 2>"$tmp/cc2.err"
ok $? api_build_static "$(head -3 "$tmp/cc2.err")"
want="Votre entreprise dispose-t-elle de l'organisation nécessaire pour soutenir une intégration fluide du marketing et de l'IT dans les projets de marketing digital ?
DSI (A, base 2400): 54.0% [52.0-56.0]
Marketeur (B, base 400): 73.0% [68.4-77.1] higher than A
Rao-Scott F = 25.43, p = 1.01e-11"
got=$(LD_LIBRARY_PATH="$P/lib" "$tmp/shared" fr 2>&1)
[ "$got" = "$want" ]
ok $? api_run_shared "$got"
ldd "$tmp/shared" 2>/dev/null | grep -q "libsondage.so" 
ok $? api_links_shared
got=$("$tmp/static" fr 2>&1)
[ "$got" = "$want" ]
ok $? api_run_static "$got"

make -s --no-print-directory SAN=$SAN BUILD="$B" uninstall PREFIX="$P" >"$tmp/make.out" 2>&1
left=$(find "$P" -type f -o -type l)
[ -z "$left" ]
ok $? api_uninstall "left: $left"
