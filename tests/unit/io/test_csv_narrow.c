/*
 * test_csv_narrow.c — the CSV reader asked to hold columns narrow
 * (sd_csv_cols.narrow, read_csv.c): whole codes 0..254 go to one byte a
 * row; a column meeting 255, a negative or fractional number or text is
 * widened at that row and read on wide (or as text); every cell equals the
 * one a wide read gives, on 1 to 4 threads; a widen inside a part reads
 * again on one thread, and a file whose values all fit stays parallel
 * (its blank lines closed up in the narrow columns too).
 */
#include "harness.h"
#include "io/io.h"

#include <stdint.h>

static const char *const all_names[] = {"a", "b", "c", "d", "e", "f"};

static sd_dataset *read_t(const h_text *t, int threads, bool narrow, size_t *parts)
{
    sd_csv_cols sel = {.all = true, .threads = threads, .par_min = 1, .parts_out = parts,
                       .narrow = narrow ? all_names : NULL, .nnarrow = narrow ? 6 : 0};
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    if (sd__read_csv_cols(t->s, t->n, "n.csv", NULL, &sel, &ds, e) != SD_OK) {
        fprintf(stderr, "  %s\n", sd_error_message(e));
        ds = NULL;
    }
    sd_error_free(e);
    return ds;
}

/* Equal cell by cell, narrow or wide? */
static void check_same(const sd_dataset *a, const sd_dataset *w)
{
    CHECK(a && w);
    if (!a || !w)
        return;
    CHECK_INT(a->nrows, w->nrows);
    CHECK_INT(a->nvars, w->nvars);
    for (size_t j = 0; j < a->nvars && j < w->nvars; j++) {
        const sd_var *x = a->vars[j], *y = w->vars[j];
        CHECK_INT(x->type, y->type);
        CHECK_INT(x->measure, y->measure);
        CHECK(!y->narrow);
        for (size_t r = 0; r < a->nrows && r < w->nrows; r++) {
            if (x->type == SD_TYPE_STRING) {
                CHECK_INT(x->sysmis[r], y->sysmis[r]);
                if (!x->sysmis[r] && strcmp(x->levels[x->str[r]], y->levels[y->str[r]])) {
                    fprintf(stderr, "  %s row %zu differs\n", x->name, r);
                    h_failed_checks++;
                }
                continue;
            }
            bool m = sd__var_sysmis(x, r);
            if (m != (y->sysmis[r] != 0) || (!m && sd__var_value(x, r) != y->num[r])) {
                fprintf(stderr, "  %s row %zu differs\n", x->name, r);
                h_failed_checks++;
                return;
            }
        }
    }
}

/* Rows of six columns: a codes 1..5 (and blanks, NA, quoted and spaced
 * codes) that always fit; b 0..254 until a 255 at row `b255`; c a 2.5 at
 * row `cfrac`; d text at row `dtext`; e a -1 at row `eneg`; f 300 at its
 * last row. 0 leaves the value out. */
static void rows_of(h_text *t, int n, int b255, int cfrac, int dtext, int eneg)
{
    h_put(t, "a,b,c,d,e,f\n");
    char buf[160];
    for (int i = 1; i <= n; i++) {
        const char *a = i % 7 == 0 ? "" : i % 11 == 0 ? "NA" : i % 13 == 0 ? "\"4\"" : NULL;
        char av[16];
        if (!a) {
            snprintf(av, sizeof av, i % 17 == 0 ? " %d " : "%d", 1 + i % 5);
            a = av;
        }
        char b[8], c[8], d[8], e[8];
        snprintf(b, sizeof b, "%d", i == b255 ? 255 : i % 255);
        snprintf(c, sizeof c, i == cfrac ? "2.5" : "%d", i % 3);
        snprintf(d, sizeof d, i == dtext ? "x%d" : "%d", i % 4);
        snprintf(e, sizeof e, "%d", i == eneg ? -1 : i % 9);
        snprintf(buf, sizeof buf, "%s,%s,%s,%s,%s,%d\n", a, b, c, d, e, i == n ? 300 : i % 2);
        h_put(t, buf);
    }
}

static void test_widen_at_the_row(void)
{
    h_text t = {0};
    rows_of(&t, 3000, 2000, 1500, 2500, 10);
    sd_dataset *w = read_t(&t, 1, false, NULL);
    for (int th = 1; th <= 4; th++) {
        size_t parts = 0;
        sd_dataset *n = read_t(&t, th, true, &parts);
        check_same(n, w);
        CHECK_INT(parts, 1); /* a widen in a part: one thread */
        if (n) {
            CHECK(n->vars[0]->narrow && n->vars[0]->u8 && !n->vars[0]->num);
            CHECK_INT(n->vars[0]->u8[6], SD_U8_NONE); /* row 7: empty */
            CHECK_INT(n->vars[0]->u8[10], SD_U8_NONE); /* row 11: NA */
            CHECK_INT(n->vars[0]->u8[12], 4);           /* row 13: "4" */
            CHECK_INT(n->vars[0]->u8[16], 3);           /* row 17: " 3 " */
            for (size_t j = 1; j < 6; j++)
                CHECK(!n->vars[j]->narrow && !n->vars[j]->u8);
            CHECK(n->vars[1]->num[1999] == 255 && n->vars[1]->num[1998] == 1999 % 255);
            CHECK(n->vars[2]->num[1499] == 2.5);
            CHECK_INT(n->vars[2]->measure, SD_MEASURE_SCALE);
            CHECK_INT(n->vars[3]->type, SD_TYPE_STRING);
            CHECK(n->vars[4]->num[9] == -1);
            CHECK(n->vars[5]->num[2999] == 300 && n->vars[5]->sysmis[2999] == 0);
        }
        sd_dataset_free(n);
    }
    sd_dataset_free(w);
    free(t.s);
}

/* Random rows over the run path (a run of narrow columns read straight
 * from the block masks, read_csv.c): codes of one and two digits, with now
 * and then what it leaves to the other paths (blank, NA, 07, 123, 254,
 * quoted or spaced codes) and what widens a column (255, -1, 1.5, text),
 * rows of every length across the 64-byte blocks: every cell as the wide
 * read's, on one thread and on two. */
static void test_random_runs(void)
{
    static const char *const odd[] = {"",  "NA", "07", "123", "254", "\"4\"", " 3",
                                      "9", "0",  "99", "255", "-1",  "1.5",   "x"};
    uint64_t seed = 88172645463325252ull;
    for (int round = 0; round < 4; round++) {
        h_text t = {0};
        h_put(&t, "a,b,c,d,e,f\n");
        char buf[200];
        for (int i = 0; i < 3000; i++) {
            size_t at = 0;
            for (int j = 0; j < 6; j++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                unsigned x = (unsigned)(seed >> 33);
                /* widening values only in round 3, and rarely */
                unsigned nodd = round == 3 ? 14 : 10;
                const char *v = x % 50 == 0 ? odd[(x / 50) % nodd] : NULL;
                char num[8];
                if (!v) {
                    snprintf(num, sizeof num, "%u", (x / 50) % (round == 0 ? 10 : 100));
                    v = num;
                }
                at += (size_t)snprintf(buf + at, sizeof buf - at, j ? ",%s" : "%s", v);
            }
            snprintf(buf + at, sizeof buf - at, "\n");
            h_put(&t, buf);
        }
        sd_dataset *w = read_t(&t, 1, false, NULL);
        for (int th = 1; th <= 2; th++) {
            sd_dataset *n = read_t(&t, th, true, NULL);
            check_same(n, w);
            if (n && round < 3)
                for (size_t j = 0; j < 6; j++)
                    CHECK(n->vars[j]->narrow); /* nothing to widen */
            sd_dataset_free(n);
        }
        sd_dataset_free(w);
        free(t.s);
    }
}

static void test_all_fit_parallel(void)
{
    h_text t = {0};
    h_put(&t, "a,b,w\n");
    char buf[64];
    for (int i = 1; i <= 5000; i++) {
        if (i % 9)
            snprintf(buf, sizeof buf, "%d,%d,%d.5\n", i % 250, i % 3, i);
        else
            snprintf(buf, sizeof buf, ",%d,%d.5\n", i % 3, i);
        h_put(&t, buf);
        if (i % 97 == 0)
            h_put(&t, "\n\n"); /* blank lines: rows the parts close up */
    }
    static const char *const names[] = {"a", "b"};
    sd_dataset *w = NULL, *n = NULL;
    sd_error *e = sd_error_new();
    sd_csv_cols wsel = {.all = true, .threads = 1};
    CHECK_INT(sd__read_csv_cols(t.s, t.n, "p.csv", NULL, &wsel, &w, e), SD_OK);
    for (int th = 1; th <= 4; th++) {
        size_t parts = 0;
        sd_csv_cols sel = {.all = true, .threads = th, .par_min = 1, .parts_out = &parts,
                           .narrow = names, .nnarrow = 2};
        CHECK_INT(sd__read_csv_cols(t.s, t.n, "p.csv", NULL, &sel, &n, e), SD_OK);
        CHECK_INT(parts, (size_t)th);
        check_same(n, w);
        CHECK(n && n->vars[0]->narrow && n->vars[1]->narrow && !n->vars[2]->narrow);
        if (n) {
            CHECK_INT(n->vars[0]->u8[248], 249);
            CHECK_INT(n->vars[0]->u8[8], SD_U8_NONE);
            CHECK_INT(n->vars[1]->u8[4999], 5000 % 3);
        }
        sd_dataset_free(n);
        n = NULL;
    }
    sd_dataset_free(w);
    sd_error_free(e);
    free(t.s);
}

int main(void)
{
    RUN(test_widen_at_the_row);
    RUN(test_all_fit_parallel);
    RUN(test_random_runs);
    DONE();
}
