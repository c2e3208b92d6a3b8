/*
 * test_csv_parts.c — the CSV reader on several threads (read_csv.c,
 * "parts"): for texts that cut anywhere, the dataset read in 2, 3, 4 and 7
 * parts equals the one read on one thread, cell by cell; blank lines, line
 * ends inside quotes, CRLF, no last line end; the cases a part cannot read
 * alone (lone-CR line ends, a column turning to text, an error) give the
 * one-thread result or the one-thread error, same line and column.
 */
#include "harness.h"
#include "io/io.h"

#include <stdint.h>

/* Read `t` on `threads` threads (parts from 1 byte on); the names to keep,
 * or NULL for all. */
static sd_dataset *read_t(const h_text *t, int threads, const char *const *names, size_t nn,
                          size_t *parts, sd_error *e)
{
    sd_csv_cols sel = {.names = names, .n = nn, .all = names == NULL, .threads = threads,
                       .par_min = 1, .parts_out = parts};
    sd_dataset *ds = NULL;
    sd_error_clear(e);
    if (sd__read_csv_cols(t->s, t->n, "p.csv", NULL, &sel, &ds, e) != SD_OK)
        return NULL;
    return ds;
}

/* Equal cell by cell? Prints the first difference. */
static int same(const sd_dataset *a, const sd_dataset *b)
{
    if (!a || !b || a->nrows != b->nrows || a->nvars != b->nvars) {
        fprintf(stderr, "  rows %zu vs %zu\n", a ? a->nrows : 0, b ? b->nrows : 0);
        return 0;
    }
    for (size_t j = 0; j < a->nvars; j++) {
        const sd_var *x = a->vars[j], *y = b->vars[j];
        if (x->type != y->type || x->measure != y->measure || x->unread != y->unread ||
            strcmp(x->name, y->name)) {
            fprintf(stderr, "  variable %zu differs\n", j);
            return 0;
        }
        if (x->unread)
            continue;
        for (size_t r = 0; r < a->nrows; r++) {
            int d = x->sysmis[r] != y->sysmis[r];
            if (!d && !x->sysmis[r])
                d = x->type == SD_TYPE_NUMERIC ? x->num[r] != y->num[r]
                                               : strcmp(x->levels[x->str[r]], y->levels[y->str[r]]);
            if (d) {
                fprintf(stderr, "  %s row %zu differs\n", x->name, r);
                return 0;
            }
        }
    }
    return 1;
}

/* One thread, then 2, 3, 4, 7: the same dataset; `parallel` 1: read in
 * parts, 0: every part count falls back to one thread, -1: either. */
static void check_text(const h_text *t, const char *const *names, size_t nn, int parallel)
{
    sd_error *e = sd_error_new();
    size_t parts = 0;
    sd_dataset *one = read_t(t, 1, names, nn, &parts, e);
    CHECK(one != NULL);
    CHECK_INT(parts, 1);
    static const int nts[] = {2, 3, 4, 7};
    for (size_t i = 0; one && i < sizeof nts / sizeof *nts; i++) {
        parts = 0;
        sd_dataset *many = read_t(t, nts[i], names, nn, &parts, e);
        CHECK(same(one, many));
        if (parallel >= 0)
            CHECK_INT(parts, parallel ? (size_t)nts[i] : 1);
        sd_dataset_free(many);
    }
    sd_dataset_free(one);
    sd_error_free(e);
}

static void rows_of(h_text *t, size_t n, const char *eol, bool blanks)
{
    char line[160];
    h_put(t, "id,a,b,w,note");
    h_put(t, eol);
    for (size_t r = 0; r < n; r++) {
        if (r % 7 == 0)
            snprintf(line, sizeof line, "%zu,%zu,,%zu.25,\"say \"\"hi\"\",\nthen, %zu\"", r,
                     r % 5, r % 3, r);
        else
            snprintf(line, sizeof line, "%zu,%zu,%zu,%zu.5,plain", r, r % 5, r % 11, r % 4);
        h_put(t, line);
        h_put(t, eol);
        if (blanks && r % 13 == 0)
            h_put(t, eol);
    }
}

static void test_parts_equal(void)
{
    static const char *const keep[] = {"id", "a", "b", "w"};
    h_text t = {0};
    rows_of(&t, 500, "\n", false);
    check_text(&t, keep, 4, 1);
    t.n = 0;
    rows_of(&t, 500, "\n", 1); /* blank lines: rows closed up */
    check_text(&t, keep, 4, 1);
    t.n = 0;
    rows_of(&t, 500, "\r\n", 1);
    check_text(&t, keep, 4, 1);
    t.n--; /* no last line end */
    check_text(&t, keep, 4, 1);
    /* Stray quotes inside unquoted text (data, not quoting) beside quoted
     * line ends: the cuts may guess wrong; the rows may not. */
    t.n = 0;
    rows_of(&t, 400, "\n", false);
    for (size_t i = 0, k = 0; i < t.n; i++)
        if (t.s[i] == 'p' && t.s[i + 1] == 'l' && k++ % 3 == 0)
            t.s[i + 1] = '"'; /* "plain" -> "p"ain" */
    check_text(&t, keep, 4, -1);
    free(t.s);
}

static void test_parts_fallback(void)
{
    static const char *const keep[] = {"id", "a", "b", "w"};
    h_text t = {0};
    /* Every column kept: "note" is text, interned in row order. */
    rows_of(&t, 300, "\n", false);
    check_text(&t, NULL, 0, 0);
    /* Lone-CR line ends: more records than '\n's. */
    t.n = 0;
    rows_of(&t, 300, "\r", false);
    check_text(&t, keep, 4, 0);
    /* A numeric column turning to text late. */
    t.n = 0;
    rows_of(&t, 300, "\n", false);
    h_put(&t, "301,x,1,1.5,plain\n");
    check_text(&t, keep, 4, 0);
    free(t.s);
}

static void test_parts_error(void)
{
    static const char *const keep[] = {"id", "a", "b", "w"};
    h_text t = {0};
    rows_of(&t, 300, "\n", false);
    h_put(&t, "301,1,2\n"); /* ragged, near the end */
    rows_of(&t, 10, "\n", false);
    sd_error *e1 = sd_error_new(), *e2 = sd_error_new();
    sd_dataset *a = read_t(&t, 1, keep, 4, NULL, e1), *b = read_t(&t, 3, keep, 4, NULL, e2);
    CHECK(a == NULL && b == NULL);
    CHECK_INT(sd_error_line(e2), sd_error_line(e1));
    CHECK_INT(sd_error_column(e2), sd_error_column(e1));
    CHECK_STR(sd_error_message(e2), sd_error_message(e1));
    CHECK_STR(sd_error_message(e1), "row has 3 fields, expected 5 as in the header");
    CHECK(sd_error_line(e1) > 300);
    sd_error_free(e1);
    sd_error_free(e2);
    free(t.s);
}

int main(void)
{
    RUN(test_parts_equal);
    RUN(test_parts_fallback);
    RUN(test_parts_error);
    DONE();
}
