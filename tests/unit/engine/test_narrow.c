/*
 * test_narrow.c — narrow columns (data.h: whole codes 0..254 in one byte):
 * a column narrowed and widened back holds the same values; the public
 * accessors and the measurement rule read it as they read the wide one;
 * and every kind of table gives the same JSON and CSV, byte for byte,
 * whether its columns are narrow or wide — tables by categorical rows,
 * nested and multiple-response banners, category sets, a scale row and
 * --means, filters, weights, strata, PSUs and replicate weights held
 * narrow (those are widened by the engine before they are read) — in one
 * chunk or in chunks of 7 rows on 1, 2 and 3 threads. After each request
 * the variables it reads as values are wide and those it reads as
 * categories only are still narrow.
 */
#include "engine/engine.h"
#include "harness.h"

static const char codebook[] =
    "sondage_codebook: 1\n"
    "variables:\n"
    "  - name: q\n"
    "    values: {1: one, 2: two, 3: three, 4: four, 5: five, 9: dk, 200: other}\n"
    "    missing: [9]\n"
    "    nets:\n"
    "      - {name: top, codes: [4, 5]}\n"
    "  - name: x\n"
    "    measure: scale\n"
    "mrsets:\n"
    "  - name: acts\n"
    "    kind: dichotomy\n"
    "    counted: 1\n"
    "    variables: [a1, a2, a3]\n"
    "  - name: cats\n"
    "    kind: category\n"
    "    variables: [c1, c2]\n";

/* 400 rows from a small generator (MINSTD); every column but the string
 * one holds whole numbers 0..254 (or nothing), so each can be narrow. With
 * big_rows set, 20,000 rows and weights with two decimals (w is then not
 * narrow), whose sums depend on the order they are added in. */
static bool big_rows;

static char *make_csv(size_t *len)
{
    uint64_t x = 4242;
#define NEXT(k) ((x = (48271 * x) % 2147483647) % (k))
    int rows = big_rows ? 20000 : 400;
    size_t cap = (size_t)rows * 128 + 256, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    n += (size_t)snprintf(buf, cap, "role,size,q,a1,a2,a3,c1,c2,x,w,st,psu,name");
    for (int r = 1; r <= 6; r++)
        n += (size_t)snprintf(buf + n, cap - n, ",rw%d", r);
    buf[n++] = '\n';
    for (int i = 0; i < rows; i++) {
        int role = 1 + (int)NEXT(3), size = 1 + (int)NEXT(3);
        int q = (int)NEXT(8); /* 0: missing, 6: the user-missing 9, 7: 200 */
        int st = 1 + (int)NEXT(3), psu = st * 10 + (int)NEXT(3);
        int w = 1 + (int)NEXT(4);
        n += (size_t)snprintf(buf + n, cap - n, "%d,%d,", role, size);
        if (q)
            n += (size_t)snprintf(buf + n, cap - n, "%d", q == 6 ? 9 : q == 7 ? 200 : q);
        int a1 = (int)NEXT(2), a2 = (int)NEXT(2), a3 = (int)NEXT(2), c1 = 1 + (int)NEXT(4);
        n += (size_t)snprintf(buf + n, cap - n, ",%d,%d,%d,%d,", a1, a2, a3, c1);
        int c2 = (int)NEXT(5);
        if (c2)
            n += (size_t)snprintf(buf + n, cap - n, "%d", c2);
        int xv = (int)NEXT(101);
        if (big_rows) {
            int cents = (int)NEXT(100);
            n += (size_t)snprintf(buf + n, cap - n, ",%d,%d.%02d,%d,%d,n%d", xv, w, cents, st,
                                  psu, (int)NEXT(3));
        } else {
            n += (size_t)snprintf(buf + n, cap - n, ",%d,%d,%d,%d,n%d", xv, w, st, psu,
                                  (int)NEXT(3));
        }
        for (int r = 0; r < 6; r++)
            n += (size_t)snprintf(buf + n, cap - n, ",%d", psu % 6 == r ? 0 : 2 * w);
        buf[n++] = '\n';
    }
#undef NEXT
    *len = n;
    return buf;
}

static sd_dataset *read_ds(bool narrow)
{
    size_t len = 0;
    char *csv = make_csv(&len);
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, len, "narrow", &ds, e), SD_OK);
    CHECK_INT(sd_dataset_apply_codebook_mem(ds, codebook, sizeof codebook - 1, "cb", e), SD_OK);
    for (size_t i = 0; narrow && ds && i < ds->nvars; i++) {
        sd_var *v = ds->vars[i];
        bool ok = sd__var_narrow(v, ds->rowcap);
        CHECK_INT(ok, v->type == SD_TYPE_NUMERIC && !(big_rows && !strcmp(v->name, "w")));
    }
    sd_error_free(e);
    free(csv);
    return ds;
}

/* The request's output in `fmt`, or NULL when it fails. */
static char *tab_out(const sd_dataset *ds, const char *const *opts, const char *chunk,
                     const char *threads, sd_outfmt fmt)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    sd_status st = SD_OK;
    for (size_t i = 0; opts[i] && st == SD_OK; i += 2)
        st = sd_tabspec_set_option(s, opts[i], opts[i + 1], e);
    if (st == SD_OK && chunk)
        st = sd_tabspec_set_option(s, "chunk-rows", chunk, e);
    if (st == SD_OK)
        st = sd_tabspec_set_option(s, "threads", threads, e);
    sd_result *r = NULL;
    if (st == SD_OK)
        st = sd_tabulate(ds, s, &r, e);
    char *text = NULL;
    size_t len = 0;
    FILE *fp = st == SD_OK ? open_memstream(&text, &len) : NULL;
    if (fp) {
        if (sd_result_write(r, fmt, "en", fp, e) != SD_OK)
            st = SD_E_IO;
        fclose(fp);
    }
    if (st != SD_OK) {
        fprintf(stderr, "  %s\n", sd_error_message(e));
        free(text);
        text = NULL;
    }
    sd_result_free(r);
    sd_tabspec_free(s);
    sd_error_free(e);
    return text;
}

static void same_text(const char *got, const char *want, const char *what)
{
    CHECK(got != NULL && want != NULL);
    if (!got || !want || strcmp(got, want) == 0)
        return;
    size_t i = 0;
    while (got[i] && got[i] == want[i])
        i++;
    fprintf(stderr, "  %s: differs at byte %zu: ...%.80s\n  wide: ...%.80s\n", what, i,
            got + (i > 40 ? i - 40 : 0), want + (i > 40 ? i - 40 : 0));
    h_failed_checks++;
}

static bool is_narrow(const sd_dataset *ds, const char *name)
{
    long i = sd__dataset_var_index(ds, name);
    return i >= 0 && ds->vars[i]->narrow;
}

/* The request on wide columns (one chunk, one thread) against the same on
 * narrow ones; `axes` (comma-separated) stay narrow, `values` are widened. */
static void same_narrow(const char *const *opts, const char *axes, const char *values)
{
    sd_dataset *wide = read_ds(false);
    char *wj = tab_out(wide, opts, NULL, "1", SD_OUT_JSON);
    char *wc = tab_out(wide, opts, NULL, "1", SD_OUT_CSV);
    CHECK(wj != NULL && wc != NULL);
    static const char *const threads[] = {"1", "2", "3"};
    /* (sums of weights with decimals differ in their last bits between
     * chunkings: those are compared in one chunk only) */
    for (size_t k = 0; k < (big_rows ? 1 : 4); k++) {
        sd_dataset *nar = read_ds(true);
        char *nj = tab_out(nar, opts, k ? "7" : NULL, threads[k ? k - 1 : 0], SD_OUT_JSON);
        char *nc = tab_out(nar, opts, k ? "7" : NULL, threads[k ? k - 1 : 0], SD_OUT_CSV);
        same_text(nj, wj, "json");
        same_text(nc, wc, "csv");
        char buf[256];
        for (int pass = 0; pass < 2; pass++) {
            const char *list = pass ? values : axes;
            snprintf(buf, sizeof buf, "%s", list);
            for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
                if (is_narrow(nar, t) != !pass) {
                    fprintf(stderr, "  %s should be %s\n", t, pass ? "wide" : "narrow");
                    h_failed_checks++;
                }
        }
        free(nj);
        free(nc);
        sd_dataset_free(nar);
    }
    free(wj);
    free(wc);
    sd_dataset_free(wide);
}

static void test_round_trip(void)
{
    static const char csv[] = "a,b,c,d,e,f\n"
                              "0,1,255,1.5,-1,x\n"
                              ",254,,2,3,y\n"
                              "7,,1,3,300,z\n";
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, sizeof csv - 1, "rt", &ds, e), SD_OK);
    CHECK_INT(ds->nrows, 3);
    /* a and b fit; c holds 255, d 1.5, e -1 and 300, f is text. */
    CHECK(sd__var_narrow(ds->vars[0], ds->rowcap));
    CHECK(sd__var_narrow(ds->vars[1], ds->rowcap));
    for (size_t i = 2; i < 6; i++) {
        CHECK(!sd__var_narrow(ds->vars[i], ds->rowcap));
        CHECK(!ds->vars[i]->narrow);
        CHECK(ds->vars[i]->u8 == NULL);
    }
    CHECK(!sd__var_narrow(ds->vars[0], ds->rowcap)); /* already narrow */
    const sd_var *a = ds->vars[0], *b = ds->vars[1];
    CHECK(a->narrow && a->num == NULL && a->sysmis == NULL);
    CHECK_INT(a->u8[0], 0);
    CHECK_INT(a->u8[1], SD_U8_NONE);
    CHECK_INT(a->u8[2], 7);
    CHECK_INT(b->u8[0], 1);
    CHECK_INT(b->u8[1], 254);
    CHECK_INT(b->u8[2], SD_U8_NONE);
    /* The public accessors read narrow columns. */
    CHECK(sd_var_num(a, 0) == 0);
    CHECK(sd_var_num(a, 2) == 7);
    CHECK_INT(sd_var_is_missing(a, 0), 0);
    CHECK_INT(sd_var_is_missing(a, 1), 1);
    CHECK(sd_var_num(b, 1) == 254);
    CHECK_INT(sd_var_is_missing(b, 2), 1);
    /* User-missing codes apply to narrow columns too. */
    CHECK(sd__var_add_missing_code(ds->vars[1], 254));
    CHECK_INT(sd_var_is_missing(b, 1), 1);
    CHECK_INT(sd_var_is_missing(b, 0), 0);
    /* Rows added later are system-missing in a narrow column. */
    CHECK(sd__dataset_reserve_rows(ds, 40));
    CHECK_INT(a->u8[39], SD_U8_NONE);
    /* And back. */
    CHECK(sd__var_widen(ds->vars[0], ds->rowcap));
    CHECK(sd__var_widen(ds->vars[1], ds->rowcap));
    CHECK(!a->narrow && a->u8 == NULL);
    CHECK(a->num[0] == 0 && a->sysmis[0] == 0);
    CHECK(a->sysmis[1] == 1);
    CHECK(a->num[2] == 7 && a->sysmis[2] == 0);
    CHECK(b->num[1] == 254 && b->sysmis[1] == 0);
    CHECK(b->sysmis[2] == 1 && b->sysmis[39] == 1);
    CHECK(sd__var_widen(ds->vars[0], ds->rowcap)); /* wide already: nothing to do */
    /* The other readers widen every column first. */
    CHECK(sd__var_narrow(ds->vars[0], ds->rowcap));
    CHECK_INT(sd__dataset_widen(ds, e), SD_OK);
    CHECK(!a->narrow && a->num[2] == 7);
    sd_dataset_free(ds);
    sd_error_free(e);
}

/* The measurement rule reads narrow columns the same way: distinct values
 * in the order met, user-missing codes left out, labels counted. */
static void test_measures(void)
{
    /* v: 30 distinct codes (scale); l: 30 codes, the first 25 met mostly
     * labelled (nominal); m: 26 codes of which 3 user-missing (nominal). */
    char csv[8192];
    size_t n = (size_t)snprintf(csv, sizeof csv, "v,l,m\n");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "%d,%d,%d\n", 100 + i, 60 - i, i % 26);
    static const char cb[] = "sondage_codebook: 1\n"
                             "variables:\n"
                             "  - name: l\n"
                             "    values: {60: a, 59: b, 58: c, 57: d, 56: e, 55: f, 54: g,\n"
                             "             53: h, 52: i, 51: j, 50: k, 49: l, 48: m}\n"
                             "  - name: m\n"
                             "    missing: [0, 1, 2]\n";
    sd_measure want[3];
    for (int pass = 0; pass < 2; pass++) {
        sd_dataset *ds = NULL;
        sd_error *e = sd_error_new();
        CHECK_INT(sd_dataset_read_csv_mem(csv, n, "m", &ds, e), SD_OK);
        CHECK_INT(sd_dataset_apply_codebook_mem(ds, cb, sizeof cb - 1, "cb", e), SD_OK);
        for (size_t i = 0; i < 3; i++) {
            ds->vars[i]->measure = SD_MEASURE_NOMINAL;
            ds->vars[i]->measure_given = false;
            if (pass)
                CHECK(sd__var_narrow(ds->vars[i], ds->rowcap));
        }
        sd__dataset_apply_measures(ds);
        for (size_t i = 0; i < 3; i++) {
            if (!pass)
                want[i] = ds->vars[i]->measure;
            else
                CHECK_INT(ds->vars[i]->measure, want[i]);
        }
        sd_dataset_free(ds);
        sd_error_free(e);
    }
    CHECK_INT(want[0], SD_MEASURE_SCALE);
    CHECK_INT(want[1], SD_MEASURE_NOMINAL);
    CHECK_INT(want[2], SD_MEASURE_NOMINAL);
}

static void test_rows_by_banners(void)
{
    same_narrow((const char *const[]){"rows", "q,role,name", "cols", "role,size", "tests", "true",
                                      NULL},
                "q,role,size", "");
}

static void test_nested_and_set_banners(void)
{
    same_narrow((const char *const[]){"rows", "q,cats", "cols", "size>role,acts,cats", "tests",
                                      "true", NULL},
                "q,role,size,c1,c2", "a1,a2,a3");
}

static void test_dichotomy_rows_missing_include(void)
{
    same_narrow((const char *const[]){"rows", "acts,q", "cols", "role", "missing", "include",
                                      NULL},
                "q,role", "a1,a2,a3");
}

static void test_scale_and_means(void)
{
    same_narrow((const char *const[]){"rows", "x,q:mean,size", "cols", "role", "means", "true",
                                      "tests", "true", NULL},
                "role,size", "x,q");
}

static void test_filter_and_weight(void)
{
    same_narrow((const char *const[]){"rows", "q", "cols", "role", "weight", "w", "filter",
                                      "size != 3 and not missing(c2)", NULL},
                "q,role", "w,size,c2");
}

/* Weights with decimals over many rows: the sums of a table of narrow
 * codes (engine/pass.c's lookups by code) carry the same bits as a wide
 * one's, weighted counts, Totals and bases alike. */
static void test_weighted_sums_bits(void)
{
    big_rows = true;
    same_narrow((const char *const[]){"rows", "q,size", "cols", "role", "weight", "w",
                                      "variances", "shown", NULL},
                "q,role,size", "w");
    same_narrow((const char *const[]){"rows", "q", "weight", "w", "variances", "shown", NULL},
                "q", "w");
    big_rows = false;
}

static void test_design_vars(void)
{
    same_narrow((const char *const[]){"rows", "q,cats", "cols", "role,size>role", "weight", "w",
                                      "strata", "st", "cluster", "psu", "deff", "true", "tests",
                                      "true", NULL},
                "q,role,size,c1,c2", "w,st,psu");
}

static void test_strata_moments(void)
{
    same_narrow((const char *const[]){"rows", "q", "cols", "role", "weight", "w", "strata", "st",
                                      NULL},
                "q,role", "w,st");
}

static void test_replicates(void)
{
    same_narrow((const char *const[]){"rows", "q", "cols", "role,acts", "weight", "w",
                                      "repweights", "^rw[0-9]$", "reptype", "jk1", "tests",
                                      "true", NULL},
                "q,role", "w,rw1,rw6,a1");
    same_narrow((const char *const[]){"rows", "q", "cols", "role", "weight", "w", "strata", "st",
                                      "cluster", "psu", "make-replicates", "jkn", NULL},
                "q,role", "w,st,psu");
}

/* A variable both a table's axis and its weight is widened. */
static void test_axis_and_weight(void)
{
    same_narrow((const char *const[]){"rows", "q,w", "cols", "role", "weight", "w", NULL},
                "q,role", "w");
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_measures);
    RUN(test_rows_by_banners);
    RUN(test_nested_and_set_banners);
    RUN(test_dichotomy_rows_missing_include);
    RUN(test_scale_and_means);
    RUN(test_filter_and_weight);
    RUN(test_weighted_sums_bits);
    RUN(test_design_vars);
    RUN(test_strata_moments);
    RUN(test_replicates);
    RUN(test_axis_and_weight);
    DONE();
}
