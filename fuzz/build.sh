#!/bin/sh
# build.sh — build every fuzz/fuzz_*.c as a libFuzzer target into build/fuzz/.
#
# The library sources (src/**/*.c except src/cli/) and the bundled study
# (scripts/embed.sh) are compiled once with coverage and ASan+UBSan
# (-fsanitize=fuzzer-no-link,address,undefined, no recovery) into
# build/fuzz/obj; each target is then linked with -fsanitize=fuzzer against
# all of them (targets named fuzz_cli* also with src/cli/, main renamed
# sd_cli_main). A new fuzz/fuzz_NAME.c is picked up with no change here.
# Objects are rebuilt only when their source or any header is newer.
#
#   sh fuzz/build.sh          (CC=clang by default; FUZZ_CC overrides)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CC=${FUZZ_CC:-clang}
OUT=build/fuzz
STUDY=examples/dsi-marketing
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz/build.sh: $CC not found (clang is needed)" >&2; exit 1; }

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c17 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Iinclude -Isrc \
 -D_FILE_OFFSET_BITS=64 -D_POSIX_C_SOURCE=200809L $(pkg-config --cflags yaml-0.1 gsl libmicrohttpd sqlite3 xlsxwriter libpq) $SAN"
LIBS="-lreadstat $(pkg-config --libs yaml-0.1 gsl libmicrohttpd sqlite3 xlsxwriter libpq) -lpthread -lm"

mkdir -p "$OUT/obj" "$OUT/gen"

# The newest header: an object older than it is rebuilt.
newest_h=$(ls -t $(find include src -name '*.h') | head -1)

# The bundled study, compiled into the library (open.c refers to it).
gen="$OUT/gen/study_embed.c"
sh scripts/embed.sh >"$gen.tmp"
if ! cmp -s "$gen.tmp" "$gen"; then mv "$gen.tmp" "$gen"; else rm -f "$gen.tmp"; fi

objs=""
for src in $(find src -name '*.c' -not -path 'src/cli/*' | sort) "$gen"; do
    case "$src" in
    "$OUT"/*) obj="$OUT/obj/gen/$(basename "$src" .c).o" ;;
    *) obj="$OUT/obj/${src%.c}.o" ;;
    esac
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
        mkdir -p "$(dirname "$obj")"
        echo "  CC  $src"
        # shellcheck disable=SC2086
        $CC $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    objs="$objs $obj"
done

# The command-line layer, for targets named fuzz_cli*: src/cli/*.c with
# main renamed sd_cli_main, so a target can run whole command lines.
cliobjs=""
for src in src/cli/*.c; do
    obj="$OUT/obj/${src%.c}.o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
        mkdir -p "$(dirname "$obj")"
        echo "  CC  $src"
        # shellcheck disable=SC2086
        $CC $CFLAGS -Dmain=sd_cli_main -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    cliobjs="$cliobjs $obj"
done

n=0
for f in fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .c)
    extra=""
    case "$name" in fuzz_cli*) extra=$cliobjs ;; esac
    echo "  LD  $OUT/$name"
    # shellcheck disable=SC2086
    $CC $CFLAGS -fsanitize=fuzzer "$f" $extra $objs -o "$OUT/$name" $LIBS
    n=$((n + 1))
done
echo "fuzz/build.sh: $n target(s) in $OUT"
