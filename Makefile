# sondage — plain GNU make; dependencies through pkg-config (ReadStat has no
# .pc file in Debian, so it is linked by name).
#
#   make          build libsondage (static + shared) and the sondage CLI
#   make demo     install what is missing, build, run the bundled study
#   make check    install what is missing, build with ASan+UBSan, run every test
#   make fuzz     build the libFuzzer targets (clang) into build/fuzz
#   make bench    run the benchmark (bench/run.sh)
#   make lint     banned functions and file-header checks
#   make install  PREFIX=/usr/local (and DESTDIR): the CLI, libsondage (static,
#                 and shared with a soname), sondage.h, sondage.pc, sondage(1)
#   make uninstall  removes exactly what install put there
#
# SAN=1 builds with -fsanitize=address,undefined,float-cast-overflow (GCC leaves
# that one out of "undefined"; a double outside an integer type cast to it is UB)
# -fno-sanitize-recover=all
# into build/asan; otherwise into build/release. BUILD=dir overrides the folder.

CC      ?= cc
SAN     ?= 0
PKGS    := yaml-0.1 gsl libmicrohttpd sqlite3 xlsxwriter libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libpq and libmicrohttpd: their headers only; the libraries are loaded at
# the first connection and when a server starts (src/io/pq_load.c,
# src/field/mhd_load.c), so a command starts without them
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libpq libmicrohttpd,$(PKGS)) 2>/dev/null)
LIBS    := -lreadstat $(PKG_LIBS) -lpthread -lm

WARN    := -Wall -Wextra -Werror -Wswitch-enum -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral
CFLAGS_COMMON := -std=c17 $(WARN) -g -fPIC -fvisibility=hidden -Iinclude -Isrc \
           -D_FILE_OFFSET_BITS=64 -D_POSIX_C_SOURCE=200809L $(PKG_CFLAGS)

ifeq ($(SAN),1)
  B       := $(or $(BUILD),build/asan)
  OPT     := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
  LDSAN   := -fsanitize=address,undefined,float-cast-overflow
else
  B       := $(or $(BUILD),build/release)
  OPT     := -O2
  LDSAN   :=
endif
CFLAGS_ALL := $(CFLAGS_COMMON) $(OPT) $(CFLAGS)

VERSION := $(shell sed -n 's/^\#define SD_VERSION "\(.*\)"/\1/p' include/sondage.h)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME  := libsondage.so.$(SOMAJOR)
PREFIX  ?= /usr/local
DESTDIR ?=

LIB_SRC  := $(sort $(shell find src -name '*.c' -not -path 'src/cli/*'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(shell find tests/unit -name 'test_*.c' 2>/dev/null))
HDRS     := $(shell find include src -name '*.h')
STUDY    := examples/dsi-marketing
EMBED_IN := $(STUDY)/dsi-marketing.csv $(STUDY)/codebook.yaml $(STUDY)/report.yml \
            $(STUDY)/published.csv $(STUDY)/claims.csv $(STUDY)/targets.yml

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/study_embed.o
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all demo check test deps fuzz fuzz-smoke bench lint clean install uninstall
all: $(B)/sondage $(B)/libsondage.a $(B)/libsondage.so $(B)/gen_study $(B)/sondage.1 \
     $(B)/sondage.pc $(B)/field_load $(UNIT_BIN)

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The pass over the rows adds every row's replicate weights (80 of them,
# say) to its cells' totals, the replicate-rank factors fold rows with axpy
# loops, and the replicate patterns' blocks are filled row by row: loops
# whose length is known only at run time, which -O2's
# "very cheap" vectorizer leaves scalar. The dynamic cost model vectorizes
# them (7% of a 1M x 80-replicate job; the factors' folds in a 100k x 80
# bootstrap job, 454M instructions, take 314M); element-wise only, no
# reassociation, so every figure is the same.
$(B)/obj/src/engine/pass.o: CFLAGS_ALL += -fvect-cost-model=dynamic
$(B)/obj/src/engine/reprank.o: CFLAGS_ALL += -fvect-cost-model=dynamic
$(B)/obj/src/engine/replicates.o: CFLAGS_ALL += -fvect-cost-model=dynamic

# The bundled study is compiled into the library: `sondage` with no FILE uses it.
$(B)/gen/study_embed.c: $(EMBED_IN) scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh > $@
$(B)/obj/gen/study_embed.o: $(B)/gen/study_embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/libsondage.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(B)/libsondage.so: $(LIB_OBJ) Makefile
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDSAN) -o $@ $(LIB_OBJ) $(LIBS)
$(B)/sondage.1: docs/sondage.1.md scripts/man.sh
	@mkdir -p $(dir $@)
	sh scripts/man.sh $< $(VERSION) > $@.tmp && mv $@.tmp $@
$(B)/sondage.pc: scripts/sondage.pc.in include/sondage.h
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@.tmp && mv $@.tmp $@
$(B)/sondage: $(CLI_OBJ) $(B)/libsondage.a
	$(CC) $(LDSAN) -o $@ $(CLI_OBJ) $(B)/libsondage.a $(LIBS)
$(B)/gen_study: $(STUDY)/gen_study.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(OPT) $(LDSAN) -o $@ $< -lm
# The fieldwork load client (tests/scripts/field_*.sh, bench/serve.sh): plain
# C and pthreads, never sanitized (it measures the server, not itself).
$(B)/field_load: bench/field_load.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -O2 -o $@ $< -lpthread
$(B)/tests/%: tests/unit/%.c tests/unit/harness.h $(HDRS) $(B)/libsondage.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit $(LDSAN) -o $@ $< $(B)/libsondage.a $(LIBS)

deps:
	@sh scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@$(B)/sondage demo

# The database tests run against a throw-away PostgreSQL cluster
# (scripts/pg_cluster.sh), or print SKIP lines when none can be made.
test: all
	@SONDAGE_BUILD=$(B) sh scripts/pg_cluster.sh run sh tests/run.sh

check: deps
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory SAN=1 all
	@SONDAGE_BUILD=build/asan sh scripts/pg_cluster.sh run sh tests/run.sh

fuzz:
	@sh fuzz/build.sh

fuzz-smoke: fuzz
	@FUZZ_SEED=1 sh fuzz/run.sh 20

bench: all
	@sh bench/run.sh

lint:
	@sh scripts/lint.sh

# The installed tree: bin/sondage, include/sondage.h, lib/libsondage.a,
# lib/libsondage.so.VERSION with its soname and dev links, lib/pkgconfig/
# sondage.pc, share/man/man1/sondage.1. The .pc file names PREFIX, so it is
# remade when PREFIX changes.
D := $(DESTDIR)$(PREFIX)
install: all
	@rm -f $(B)/sondage.pc && $(MAKE) --no-print-directory $(B)/sondage.pc
	install -d $(D)/bin $(D)/include $(D)/lib/pkgconfig $(D)/share/man/man1
	install -m 755 $(B)/sondage $(D)/bin/sondage
	install -m 644 include/sondage.h $(D)/include/sondage.h
	install -m 644 $(B)/libsondage.a $(D)/lib/libsondage.a
	install -m 755 $(B)/libsondage.so $(D)/lib/libsondage.so.$(VERSION)
	ln -sf libsondage.so.$(VERSION) $(D)/lib/$(SONAME)
	ln -sf $(SONAME) $(D)/lib/libsondage.so
	install -m 644 $(B)/sondage.pc $(D)/lib/pkgconfig/sondage.pc
	install -m 644 $(B)/sondage.1 $(D)/share/man/man1/sondage.1

uninstall:
	rm -f $(D)/bin/sondage $(D)/include/sondage.h $(D)/lib/libsondage.a \
	      $(D)/lib/libsondage.so.$(VERSION) $(D)/lib/$(SONAME) $(D)/lib/libsondage.so \
	      $(D)/lib/pkgconfig/sondage.pc $(D)/share/man/man1/sondage.1

clean:
	rm -rf build
