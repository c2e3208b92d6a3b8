/*
 * test_csv_scan.c — the CSV reader's block scan (csv_scan.h): the SSE2
 * masks equal the byte-by-byte ones on every byte value; and a read with
 * the scan gives what the byte-by-byte read gives (sd__csv_scan_set), the
 * same dataset cell by cell or the same error, same line and column, on
 * random texts: short and long fields (across 64-byte blocks), quotes with
 * separators, line ends and "" inside, empty fields and NA, decimals,
 * UTF-8 and invalid bytes, NUL, rows with a field too few or too many,
 * LF, CRLF and lone CR, blank lines, three separators, every column or
 * some (runs of skipped columns), narrow codes, one thread and several.
 */
#include "harness.h"
#include "io/csv_scan.h"
#include "io/io.h"

#include <stdint.h>

static uint64_t rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void test_masks(void)
{
    char b[CSV_BLOCK];
    static const char seps[] = {',', ';', '\t', '|'};
    for (int it = 0; it < 20000; it++) {
        for (unsigned i = 0; i < CSV_BLOCK; i++) {
            static const char common[] = ",;\t|\n\r\"\0a1.\x80\xff";
            b[i] = rnd(3) ? common[rnd(sizeof common)] : (char)rnd(256);
        }
        char sep = seps[rnd(4)];
        csv_masks a, s;
        csv_masks_get(b, sep, &a);
        csv_masks_scalar(b, sep, &s);
        if (a.stop != s.stop || a.hi != s.hi || a.seps != s.seps || a.quotes != s.quotes) {
            CHECK(0);
            return;
        }
    }
    CHECK(1);
}

/* csv_row_masks (the record path's) and csv_same16 against their byte by
 * byte references. */
static void test_row_masks(void)
{
    char b[CSV_BLOCK + 16];
    static const char seps[] = {',', ';', '\t', '|'};
    int bad = 0;
    for (int it = 0; it < 20000; it++) {
        for (unsigned i = 0; i < sizeof b; i++) {
            static const char common[] = ",;\t|\n\r\"\0a1. \x1f\x7f\x80\xff";
            b[i] = rnd(3) ? common[rnd(sizeof common)] : (char)rnd(256);
        }
        char sep = seps[rnd(4)];
        uint64_t s1, b1, s2, b2;
        csv_row_masks(b, sep, &s1, &b1);
        csv_row_masks_scalar(b, sep, &s2, &b2);
        bad += s1 != s2 || b1 != b2;
        /* same16: a copy with one byte changed, or none */
        char c[32];
        memcpy(c, b, 16);
        memset(c + 16, 0, 16);
        size_t w = 1 + rnd(16), at = rnd(20);
        if (at < 16)
            c[at] ^= (char)(1 + rnd(255));
        bool want = at >= w;
        bad += csv_same16(b, c, w) != want;
        /* repeat64: against the count byte by byte */
        char p[CSV_BLOCK + 16];
        size_t pw = 1 + rnd(16), upto = rnd(CSV_BLOCK + 1);
        for (size_t i = 0; i < sizeof p; i++)
            p[i] = i < 16 ? (char)rnd(256) : p[i - pw];
        if (16 + upto < sizeof p)
            p[16 + upto] ^= (char)(1 + rnd(255));
        size_t k = 0;
        while (k < CSV_BLOCK && p[16 + k] == p[16 + k - pw])
            k++;
        bad += csv_repeat64(p + 16, pw) != k;
    }
    CHECK_INT(bad, 0);
}

/* A random field: what a survey file holds, and what it should not. */
static void field(h_text *t, char sep, bool bad)
{
    char f[200];
    unsigned k = rnd(bad ? 16 : 13);
    switch (k) {
    case 0: /* empty */
        f[0] = 0;
        break;
    case 1:
        strcpy(f, "NA");
        break;
    case 2: /* a long number: across blocks */
        snprintf(f, sizeof f, "%u%u%u.%u", rnd(100000), rnd(100000), rnd(100000), rnd(100));
        break;
    case 3:
        snprintf(f, sizeof f, "%u.%02u", rnd(5), rnd(100));
        break;
    case 4: /* a quoted field with the separator, a line end and "" */
        snprintf(f, sizeof f, "\"a%cb\"\"c%sd\"", sep, rnd(2) ? "\n" : "\r\n");
        break;
    case 5:
        snprintf(f, sizeof f, "\"%u\"", rnd(10));
        break;
    case 6: /* text, some of it long */
        if (rnd(4) == 0) {
            size_t n = 60 + rnd(100);
            memset(f, 'x', n);
            f[n] = 0;
        } else
            strcpy(f, "oui");
        break;
    case 7:
        strcpy(f, "caf\xc3\xa9");
        break;
    case 8:
        snprintf(f, sizeof f, "%u", rnd(300));
        break;
    case 9:
        snprintf(f, sizeof f, " %u ", rnd(9));
        break;
    case 10:
        snprintf(f, sizeof f, "-%u", rnd(9));
        break;
    case 11:
    case 12:
        snprintf(f, sizeof f, "%u", rnd(10));
        break;
    case 13: /* invalid UTF-8 */
        strcpy(f, "a\xff");
        break;
    case 14: /* text after a closing quote */
        strcpy(f, "\"a\"b");
        break;
    default: /* an unterminated quote comes last: see text() */
        strcpy(f, "1");
        break;
    }
    h_put(t, f);
}

/* A random text of `rows` records of `ncols` fields (some rows wrong when
 * `bad`). */
static void text(h_text *t, size_t ncols, size_t rows, char sep, bool bad, bool narrow_friendly)
{
    static const char *const eols[] = {"\n", "\r\n", "\r"};
    const char *eol = eols[rnd(5) == 0 ? 1 + rnd(2) : 0];
    char s[2] = {sep, 0};
    for (size_t j = 0; j < ncols; j++) {
        char name[32];
        snprintf(name, sizeof name, "%sc%zu", j ? s : "", j);
        h_put(t, name);
    }
    h_put(t, eol);
    for (size_t r = 0; r < rows; r++) {
        size_t n = ncols;
        if (bad && rnd(400) == 0)
            n += rnd(2) ? 1 : (size_t)-1;
        if (rnd(50) == 0)
            h_put(t, eol); /* a blank line */
        for (size_t j = 0; j < n; j++) {
            if (j)
                h_put(t, s);
            if (narrow_friendly && j % 3 == 1) {
                char f[8];
                snprintf(f, sizeof f, "%u", rnd(bad ? 300 : 100));
                h_put(t, f);
            } else
                field(t, sep, bad);
        }
        if (r + 1 < rows || rnd(2))
            h_put(t, eol);
    }
    if (bad && rnd(10) == 0)
        h_put(t, "\"open");
    if (bad && rnd(10) == 0 && t->n > 10)
        t->s[rnd((unsigned)t->n)] = '\0'; /* a NUL somewhere */
}

typedef struct outcome {
    sd_status st;
    char msg[512];
    long line, col;
    sd_dataset *ds;
} outcome;

static void read_with(const h_text *t, bool scan, const sd_csv_cols *sel, outcome *o)
{
    sd_error *e = sd_error_new();
    sd__csv_scan_set(scan);
    o->ds = NULL;
    o->st = sd__read_csv_cols(t->s, t->n, "s.csv", NULL, sel, &o->ds, e);
    snprintf(o->msg, sizeof o->msg, "%s", o->st == SD_OK ? "" : sd_error_message(e));
    o->line = sd_error_line(e);
    o->col = sd_error_column(e);
    sd__csv_scan_set(true);
    sd_error_free(e);
}

static int same(const outcome *a, const outcome *b)
{
    if (a->st != b->st || strcmp(a->msg, b->msg) || a->line != b->line || a->col != b->col) {
        fprintf(stderr, "  status %d/%d '%s' vs '%s' line %ld/%ld col %ld/%ld\n", a->st, b->st,
                a->msg, b->msg, a->line, b->line, a->col, b->col);
        return 0;
    }
    if (a->st != SD_OK)
        return 1;
    const sd_dataset *x = a->ds, *y = b->ds;
    if (x->nrows != y->nrows || x->nvars != y->nvars) {
        fprintf(stderr, "  rows %zu/%zu\n", x->nrows, y->nrows);
        return 0;
    }
    for (size_t j = 0; j < x->nvars; j++) {
        const sd_var *u = x->vars[j], *v = y->vars[j];
        if (u->type != v->type || u->measure != v->measure || u->unread != v->unread ||
            u->narrow != v->narrow) {
            fprintf(stderr, "  variable %zu differs\n", j);
            return 0;
        }
        if (u->unread)
            continue;
        for (size_t r = 0; r < x->nrows; r++) {
            bool mu, mv;
            int d;
            if (u->type == SD_TYPE_NUMERIC) {
                mu = sd__var_sysmis(u, r);
                mv = sd__var_sysmis(v, r);
                d = mu != mv || (!mu && sd__var_value(u, r) != sd__var_value(v, r));
            } else {
                mu = u->sysmis[r];
                mv = v->sysmis[r];
                d = mu != mv || (!mu && strcmp(u->levels[u->str[r]], v->levels[v->str[r]]));
            }
            if (d) {
                fprintf(stderr, "  %s row %zu differs\n", u->name, r);
                return 0;
            }
        }
    }
    return 1;
}

static void compare(const h_text *t, const sd_csv_cols *sel, int *bad_runs)
{
    outcome a, b;
    read_with(t, true, sel, &a);
    read_with(t, false, sel, &b);
    if (!same(&a, &b))
        (*bad_runs)++;
    sd_dataset_free(a.ds);
    sd_dataset_free(b.ds);
}

/* t read with the scan and without it: every column; some (names), with
 * some narrow; the same on three threads. Whether the read of some failed. */
static int compare_reads(const h_text *t, const char **names, size_t nn, const char **narrow,
                         size_t nw, int *bad_runs)
{
    sd_csv_cols all = {.all = true, .threads = 1};
    sd_csv_cols some = {.names = names, .n = nn, .threads = 1, .narrow = narrow, .nnarrow = nw};
    sd_csv_cols par = some;
    par.threads = 3;
    par.par_min = 1;
    compare(t, &all, bad_runs);
    compare(t, &some, bad_runs);
    compare(t, &par, bad_runs);
    outcome o;
    read_with(t, true, &some, &o);
    sd_dataset_free(o.ds);
    return o.st != SD_OK;
}

static void test_reads_equal(void)
{
    static const char seps[] = {',', ';', '\t'};
    int bad_runs = 0, errors = 0;
    for (int it = 0; it < 600 && bad_runs < 3; it++) {
        size_t ncols = 1 + rnd(it % 3 == 0 ? 40 : 8);
        bool bad = it % 2 == 1, nf = it % 4 < 2;
        h_text t = {0};
        text(&t, ncols, 1 + rnd(300), seps[rnd(3)], bad, nf);
        /* every column, or a random choice of them (runs of skipped
         * columns), some narrow */
        const char *names[64];
        char buf[64][24];
        size_t nn = 0;
        for (size_t j = 0; j < ncols; j++) {
            snprintf(buf[j], sizeof buf[j], "c%zu", j);
            if (rnd(3) == 0)
                names[nn++] = buf[j];
        }
        const char *narrow[64];
        size_t nw = 0;
        for (size_t j = 1; j < ncols; j += 3)
            narrow[nw++] = buf[j];
        errors += compare_reads(&t, names, nn, narrow, nw, &bad_runs);
        free(t.s);
    }
    CHECK_INT(bad_runs, 0);
    CHECK(errors > 50);  /* the bad texts did fail, in many ways */
    CHECK(errors < 300); /* and the good ones read */
}

/* Files the record path reads (read_csv.c: plain codes, decimals, empty
 * fields, runs of skipped and narrow columns, LF or CRLF) with, now and
 * then, a field or a row it must leave to the field path: each of the odd
 * fields above, a lone CR, a row a field short or long, a blank line, a
 * NUL, a code too wide for a byte, text in a number column. The same
 * dataset or the same error as the byte-by-byte read, on one thread and
 * on three. */
static void test_record_path(void)
{
    static const char seps[] = {',', ';', '\t'};
    int bad_runs = 0, errors = 0;
    for (int it = 0; it < 300 && bad_runs < 3; it++) {
        size_t ncols = 2 + rnd(it % 4 == 0 ? 60 : 14);
        char sep = seps[rnd(3)], s[2] = {sep, 0};
        const char *eol = rnd(3) == 0 ? "\r\n" : "\n";
        unsigned odd = it % 3 == 0 ? 0 : 1 + rnd(it % 3 == 1 ? 400 : 40);
        h_text t = {0};
        for (size_t j = 0; j < ncols; j++) {
            char name[32];
            snprintf(name, sizeof name, "%sc%zu", j ? s : "", j);
            h_put(&t, name);
        }
        h_put(&t, eol);
        size_t rows = 1 + rnd(it % 5 == 0 ? 3000 : 400);
        for (size_t r = 0; r < rows; r++) {
            size_t n = ncols;
            if (odd && rnd(odd * 4) == 0)
                n += rnd(2) ? 1 : (size_t)-1;
            if (odd && rnd(odd * 4) == 0)
                h_put(&t, eol);
            for (size_t j = 0; j < n; j++) {
                if (j)
                    h_put(&t, s);
                char f[48];
                unsigned k = rnd(20);
                if (odd && rnd(odd) == 0) {
                    field(&t, sep, true);
                    continue;
                }
                if (j % 5 == 4 || (it % 2 && j > ncols / 2)) /* replicate-like: again */
                    snprintf(f, sizeof f, k < 12 ? "0.739241" : "%u.%06u", rnd(3), rnd(1000000));
                else if (k < 12)
                    snprintf(f, sizeof f, "%u", rnd(10));
                else if (k < 15)
                    snprintf(f, sizeof f, "%u", 10 + rnd(90));
                else if (k < 17)
                    snprintf(f, sizeof f, "%u.%02u", rnd(5), rnd(100));
                else if (k < 19)
                    f[0] = 0;
                else
                    snprintf(f, sizeof f, "%u", rnd(odd ? 300 : 255));
                h_put(&t, f);
            }
            if (r + 1 < rows || rnd(2))
                h_put(&t, odd && rnd(odd * 8) == 0 ? "\r" : eol);
        }
        if (odd && rnd(20) == 0 && t.n > 10)
            t.s[rnd((unsigned)t.n)] = '\0';
        const char *names[64], *narrow[64];
        char buf[64][24];
        size_t nn = 0, nw = 0;
        for (size_t j = 0; j < ncols; j++) {
            snprintf(buf[j], sizeof buf[j], "c%zu", j);
            if (rnd(3) != 0)
                names[nn++] = buf[j];
            if (j % 5 != 4 && !(it % 2 && j > ncols / 2) && rnd(2))
                narrow[nw++] = buf[j];
        }
        errors += compare_reads(&t, names, nn, narrow, nw, &bad_runs);
        free(t.s);
    }
    CHECK_INT(bad_runs, 0);
    CHECK(errors > 20);  /* the odd texts failed, in many ways */
    CHECK(errors < 200); /* and the plain ones read */
}

/* Hand-made: a run of skipped columns with a quoted field in it, one with
 * a non-ASCII byte, and a row ending inside a run (a field too few). */
static void test_runs(void)
{
    const char *names[] = {"a", "e"};
    sd_csv_cols sel = {.names = names, .n = 2, .threads = 1};
    h_text t = {0};
    h_put(&t, "a,b,c,d,e\n");
    for (int i = 0; i < 40; i++)
        h_put(&t, i == 20 ? "1,\"x,y\",2,3,4\n" : i == 30 ? "1,\xc3\xa9,2,3,4\n" : "1,2,3,4,5\n");
    h_put(&t, "1,2,3\n");
    for (int i = 0; i < 40; i++)
        h_put(&t, "1,2,3,4,5\n");
    int bad_runs = 0;
    compare(&t, &sel, &bad_runs);
    CHECK_INT(bad_runs, 0);
    outcome o;
    read_with(&t, true, &sel, &o);
    CHECK_INT(o.st, SD_E_PARSE);
    CHECK_INT(o.line, 42);
    CHECK(strstr(o.msg, "row has 3 fields, expected 5") != NULL);
    sd_dataset_free(o.ds);
    free(t.s);
}

/* Rows of replicate weights (the number run of read_csv.c: the last field
 * again, a recent number, or converted): each row a weight times a few
 * factors, written with 4 or 6 decimals or as whole numbers, now and then
 * what the run leaves to the other paths (a sign, "1.", ".5", an exponent,
 * 10 and 16 digits, blank, NA, text, spaces): the values, types and
 * measures of a read without the block scan. */
static void test_number_runs(void)
{
    static const char *const odd[] = {"-1.5", "1.",   ".5",         "1e3",
                                      "",     "NA",   "1234567890", "123456789012.3456",
                                      " 2",   "0.5 ", "x",          "12345678.9",
                                      /* a field longer than a block */
                                      "1234567890123456789012345678901234567890123456789012345678901234567890"};
    int bad_runs = 0;
    for (int it = 0; it < 40 && !bad_runs; it++) {
        size_t ncols = 2 + rnd(30);
        h_text t = {0};
        char f[64];
        for (size_t j = 0; j < ncols; j++) {
            snprintf(f, sizeof f, "%sr%zu", j ? "," : "", j);
            h_put(&t, f);
        }
        h_put(&t, "\n");
        unsigned oddp = it % 4 == 0 ? 0 : 200 + rnd(2000); /* some files all clean */
        for (int r = 0; r < 400; r++) {
            double w = 0.2 + rnd(30000) / 10000.0;
            int style = (int)rnd(3);
            for (size_t j = 0; j < ncols; j++) {
                if (j)
                    h_put(&t, ",");
                if (oddp && rnd(oddp) == 0) {
                    h_put(&t, odd[rnd(sizeof odd / sizeof *odd)]);
                    continue;
                }
                unsigned k = rnd(4);
                if (style == 0)
                    snprintf(f, sizeof f, "%.4f", w * k);
                else if (style == 1)
                    snprintf(f, sizeof f, "%.6f", k == 0 ? 0 : w * 1.0125);
                else
                    snprintf(f, sizeof f, "%u", k * 7);
                h_put(&t, f);
            }
            h_put(&t, "\n");
        }
        sd_csv_cols sel = {.all = true, .threads = 1};
        compare(&t, &sel, &bad_runs);
        free(t.s);
    }
    CHECK_INT(bad_runs, 0);
}

/* csv_skip_fields (and csv_sep_field) against the bytes: from a field's start, as many clean
 * fields (not quoted, ASCII, ended by the separator) in a row as there are
 * up to k, all ended inside the block; random bytes, runs that go on past
 * the block, stop at a line end or at a non-ASCII byte. */
static void test_skip_fields_bytes(void)
{
    char b[CSV_BLOCK * 2];
    int bad = 0;
    for (int it = 0; it < 50000 && !bad; it++) {
        static const char common[] = "12a,,,,\n\"";
        int rare = it % 3 == 0 ? 8 : 60; /* some blocks with only digits and ',' */
        for (unsigned i = 0; i < sizeof b; i++)
            b[i] = rnd(rare) ? common[rnd(it % 2 ? 4 : sizeof common - 1)] : (char)rnd(256);
        size_t k = 1 + rnd(40);
        csv_scan sc;
        csv_scan_init(&sc, ',');
        const char *p = b;
        size_t got = csv_skip_fields(&sc, &p, b + sizeof b, k);
        size_t want = 0, at = 0, i = 0;
        while (want < k) {
            size_t s = i;
            int clean = b[s] != '"';
            while (i < CSV_BLOCK && b[i] != ',' && b[i] != '\n' && b[i] != '\r' && b[i] != 0) {
                clean &= (unsigned char)b[i] < 0x80;
                i++;
            }
            if (i >= CSV_BLOCK || b[i] != ',' || !clean)
                break;
            want++;
            at = ++i;
        }
        bad += got != want || (size_t)(p - b) != at;
        /* csv_sep_field on the same block: the first field's length when it
         * is 1 to max bytes ended by the separator, else 0 */
        size_t max = 1 + rnd(20), flen = 0;
        while (flen < CSV_BLOCK && b[flen] != ',' && b[flen] != '\n' && b[flen] != '\r' &&
               b[flen] != 0)
            flen++;
        size_t wantf = flen >= 1 && flen <= max && flen < CSV_BLOCK && b[flen] == ',' ? flen : 0;
        csv_scan_init(&sc, ',');
        size_t gotf = csv_sep_field(&sc, b, b + sizeof b, max);
        if (gotf != wantf)
            fprintf(stderr, "  field of %zu bytes (max %zu): %zu, expected %zu\n", flen, max,
                    gotf, wantf);
        bad += gotf != wantf;
        if (bad)
            fprintf(stderr, "  k %zu: %zu fields to %zu, expected %zu to %zu\n", k, got,
                    (size_t)(p - b), want, at);
    }
    CHECK_INT(bad, 0);
}

/* The line-end masks and counts (csv_lf_masks, csv_count_lf_quotes)
 * against the bytes, at every length up to a block and past it. */
static void test_line_end_masks(void)
{
    char b[CSV_BLOCK * 3];
    int bad = 0;
    for (int it = 0; it < 20000 && !bad; it++) {
        for (unsigned i = 0; i < sizeof b; i++) {
            static const char common[] = "\n\r\"a1,";
            b[i] = rnd(4) ? common[rnd(sizeof common - 1)] : (char)rnd(256);
        }
        size_t m = it % 2 ? CSV_BLOCK : rnd(CSV_BLOCK + 1);
        uint64_t nl, odd, wnl = 0, wodd = 0;
        csv_lf_masks(b, m, &nl, &odd);
        for (size_t i = 0; i < m; i++) {
            wnl |= (uint64_t)(b[i] == '\n') << i;
            wodd |= (uint64_t)(b[i] == '"' || b[i] == '\r') << i;
        }
        bad += nl != wnl || odd != wodd;
        size_t n = rnd(sizeof b + 1), cl = 1, cq = 2, wl = 1, wq = 2;
        csv_count_lf_quotes(b, n, &cl, &cq);
        for (size_t i = 0; i < n; i++) {
            wl += b[i] == '\n';
            wq += b[i] == '"';
        }
        bad += cl != wl || cq != wq;
    }
    CHECK_INT(bad, 0);
    /* Past the 255 steps after which the byte counters are summed, with
     * every byte a match (a counter that wrapped would show). */
    enum { BIG = 70001 };
    char *big = malloc(BIG);
    if (!big)
        return;
    memset(big, '\n', BIG);
    size_t nl = 0, nq = 0;
    csv_count_lf_quotes(big, BIG, &nl, &nq);
    CHECK_INT(nl, BIG);
    CHECK_INT(nq, 0);
    for (size_t i = 0; i < BIG; i++)
        big[i] = "\"\n,a"[rnd(4)];
    size_t wl = 0, wq = 0;
    for (size_t i = 0; i < BIG; i++) {
        wl += big[i] == '\n';
        wq += big[i] == '"';
    }
    nl = nq = 0;
    csv_count_lf_quotes(big, BIG, &nl, &nq);
    CHECK_INT(nl, wl);
    CHECK_INT(nq, wq);
    nl = 0;
    csv_count_lf_quotes(big, BIG, &nl, NULL); /* line ends only */
    CHECK_INT(nl, wl);
    free(big);
}

/* Where the scan of line ends says a chunk starts (sd__csv_stream_skip) is
 * where reading the chunk before stopped, on long stretches of plain LF
 * lines (the 64-byte path) of every length, with blank lines anywhere
 * (also at a block's first byte), and now and then a stretch with quoted
 * line ends or CRs (the record-by-record path), in chunks of 1 to 97 rows. */
static void test_skip_lf_blocks(void)
{
    h_text t = {0};
    size_t want_rows = 6001; /* and the odd lines */
    h_put(&t, "a,b\n");
    for (int i = 0; i < 6000; i++) {
        unsigned k = rnd(40);
        if (k == 0) {
            h_put(&t, "\n"); /* a blank line */
        } else if (k == 1 && i % 500 > 480) {
            h_put(&t, "\"x\ny\",1\n");
            want_rows++;
        } else if (k == 2 && i % 700 > 690) {
            h_put(&t, "3,4\r\n");
            want_rows++;
        }
        char f[80];
        unsigned len = rnd(70);
        for (unsigned j = 0; j < len; j++)
            f[j] = (char)('0' + rnd(10));
        f[len] = 0;
        h_put(&t, f);
        h_put(&t, ",7\n");
    }
    h_put(&t, "9,9"); /* a last line without a line end */
    int bad = 0;
    for (size_t chunk = 1; chunk < 100 && !bad; chunk += 8) {
        sd_error *e = sd_error_new();
        sd_csv_stream *s = NULL;
        CHECK_INT(sd__csv_stream_open(t.s, t.n, "lf.csv", NULL, NULL, &s, e), SD_OK);
        sd_csv_pos pos = s ? sd__csv_stream_body(s) : (sd_csv_pos){0, 0};
        size_t rows = 0;
        while (s && !bad) {
            sd_csv_pos want, to;
            bool ok = sd__csv_stream_skip(s, pos, chunk, &want);
            sd_dataset *ck = NULL;
            if (sd__csv_stream_read(s, pos, chunk, &ck, &to, e) != SD_OK) {
                bad++;
                break;
            }
            if (!ck)
                break;
            rows += sd_dataset_nrows(ck);
            sd_dataset_free(ck);
            bad += !ok || want.off != to.off || want.line != to.line;
            pos = to;
        }
        bad += rows != want_rows;
        sd__csv_stream_free(s);
        sd_error_free(e);
    }
    CHECK_INT(bad, 0);
    free(t.s);
}

int main(void)
{
    RUN(test_masks);
    RUN(test_row_masks);
    RUN(test_reads_equal);
    RUN(test_record_path);
    RUN(test_runs);
    RUN(test_skip_fields_bytes);
    RUN(test_number_runs);
    RUN(test_line_end_masks);
    RUN(test_skip_lf_blocks);
    DONE();
}
