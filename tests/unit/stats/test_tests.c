/*
 * test_tests.c — significance tests (src/stats/tests.c) on a small
 * unweighted simple random sample whose every figure can be worked by hand:
 * y (yes/no) by g (three groups of 20): yes = 14, 6, 7.
 *
 * With every row its own PSU and no weights, the variance of a column
 * proportion is n/(n-1) p(1-p)/n_c (n = 60) and columns do not covary, so
 * diff 1-2 = 0.4 has se = sqrt(60/59 (0.21 + 0.21)/20); df = 60 - 1.
 * The Rao-Scott design effects are all N/(N-1), so F = X2 (N-1)/(N m) with
 * Pearson's X2 = 38/9 + 38/11, ndf = m = 2, ddf = 2 * 59, and both p-values
 * have closed forms for 2 df: (1 + 2F/ddf)^(-ddf/2) and exp(-x/2).
 * R (survey 4.1-1) gives the same: svychisq F = 3.7744107744107711,
 * p = 0.02576870746202703; Chisq p = 0.02295060974518727; svyby +
 * svycontrast p-values 0.0081772331440454829 (1-2), 0.022321572084338184
 * (1-3), 0.73863861994709479 (2-3); svyttest(x ~ grp) for groups 1, 2:
 * t = 2.239686212839604451, df 38, p = 0.031040941911584637.
 */
#include "engine/engine.h"
#include "harness.h"
#include "cube/cube.h"

static void num_var(sd_dataset *ds, const char *name, const double *vals)
{
    sd_var *v = NULL;
    sd__dataset_add_var(ds, name, SD_TYPE_NUMERIC, &v, NULL);
    for (size_t r = 0; r < ds->nrows; r++) {
        v->sysmis[r] = false;
        v->num[r] = vals[r];
    }
}

static sd_dataset *make(void)
{
    double g[60], y[60], x[60], a1[60], a2[60];
    for (int i = 0; i < 60; i++) {
        int grp = i / 20, k = i % 20;
        g[i] = grp + 1;
        int yes = grp == 0 ? 14 : grp == 1 ? 6 : 7;
        y[i] = k < yes ? 1 : 2;
        x[i] = grp == 0 ? k + 1 : grp == 1 ? 1.5 * (k + 1) : 20 - k;
        a1[i] = k % 2;
        a2[i] = k < 5;
    }
    sd_dataset *ds = sd__dataset_new("mem");
    ds->nrows = 60;
    sd__dataset_reserve_rows(ds, 60);
    num_var(ds, "g", g);
    num_var(ds, "y", y);
    num_var(ds, "x", x);
    num_var(ds, "a1", a1);
    num_var(ds, "a2", a2);
    sd_var *v = ds->vars[1];
    sd__var_set_vlabel_num(v, 1, "en", "Yes");
    sd__var_set_vlabel_num(v, 2, "en", "No");
    sd__var_set_vlabel_num(v, 3, "en", "Nobody"); /* a row with no one in it */
    sd__var_add_net(v, "any", (double[]){1, 2}, 2, NULL);
    ds->vars[2]->measure = SD_MEASURE_SCALE;
    sd_mrset *m = NULL;
    sd__dataset_add_mrset(ds, "acts", SD_MRSET_DICHOTOMY, &m, NULL);
    sd__mrset_add_var(m, 3);
    sd__mrset_add_var(m, 4);
    return ds;
}

/* run() keeps the pooled default out (with_defaults false); run_default()
 * keeps every default but the minimum base. */
static bool with_defaults;

static sd_work *run(sd_dataset *ds, const char *rows, const char *cols, const char *k1,
                      const char *v1, const char *k2, const char *v2)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    sd_tabspec_add_row(s, rows, NULL);
    if (cols)
        sd_tabspec_add_col(s, cols, NULL);
    CHECK_INT(sd_tabspec_set_option(s, "tests", "true", e), SD_OK);
    /* These hand-computed tests have columns of fewer than 30 rows: the
     * letters are checked with the low-base rule off (test_low_base checks
     * the rule itself). */
    CHECK_INT(sd_tabspec_set_option(s, "min-base", "0", e), SD_OK);
    /* ... and their figures are svycontrast's (the pooled default has its
     * own test, test_pooled_pairs). */
    if (!with_defaults)
        CHECK_INT(sd_tabspec_set_option(s, "pair-test", "unpooled", e), SD_OK);
    if (k1)
        CHECK_INT(sd_tabspec_set_option(s, k1, v1, e), SD_OK);
    if (k2)
        CHECK_INT(sd_tabspec_set_option(s, k2, v2, e), SD_OK);
    sd_work *r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_OK);
    if (!r)
        fprintf(stderr, "  %s\n", sd_error_message(e));
    sd_tabspec_free(s);
    sd_error_free(e);
    return r;
}

static sd_work *run_default(sd_dataset *ds, const char *rows, const char *cols,
                              const char *k1, const char *v1, const char *k2, const char *v2)
{
    with_defaults = true;
    sd_work *r = run(ds, rows, cols, k1, v1, k2, v2);
    with_defaults = false;
    return r;
}

static const char *letters(const sd_work *r, size_t row, size_t col)
{
    const sd_wtable *t = &r->tables[0];
    return t->stats[row * t->ncols + col].letters;
}

static void test_rao_scott_by_hand(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "y", "g", NULL, NULL, NULL, NULL);
    if (!r) {
        sd_dataset_free(ds);
        return;
    }
    const sd_wtable *t = &r->tables[0];
    const sd_chisq *q = &t->chisq;
    CHECK(q->done);
    double N = 60, X2 = 38.0 / 9 + 38.0 / 11, F = X2 * (N - 1) / (N * 2);
    CHECK_NEAR(q->n, 60, 1e-15);
    CHECK_NEAR(q->nu, 59, 1e-15);
    CHECK_NEAR(q->x2, X2, 1e-12);
    CHECK_NEAR(q->f, F, 1e-12);
    CHECK_NEAR(q->ndf, 2, 1e-12);
    CHECK_NEAR(q->ddf, 118, 1e-12);
    CHECK_NEAR(q->f_p, pow(1 + 2 * F / 118, -59), 1e-12);
    CHECK_NEAR(q->df, 2, 0);
    CHECK_NEAR(q->chisq_p, exp(-X2 * (N - 1) / N / 2), 1e-12);
    /* R's figures. */
    CHECK_NEAR(q->f, 3.7744107744107711, 1e-12);
    CHECK_NEAR(q->f_p, 0.02576870746202703, 1e-12);
    CHECK_NEAR(q->chisq_p, 0.02295060974518727, 1e-12);
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_letters_by_hand(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "y", "g", NULL, NULL, NULL, NULL);
    if (!r) {
        sd_dataset_free(ds);
        return;
    }
    const sd_wtable *t = &r->tables[0];
    /* rows: 1 Yes, 2 No, 3 Nobody, then the net "any". */
    CHECK_INT(t->nrows, 4);
    CHECK(t->has_letters);
    sd_coltest ct;
    sd_error *e = sd_error_new();
    CHECK_INT(sd__col_test(r, t, 0, 1, 2, SD_PAIR_UNPOOLED, &ct, e), SD_OK);
    CHECK_NEAR(ct.diff, 0.4, 1e-15);
    CHECK_NEAR(ct.se, sqrt(60.0 / 59 * 0.42 / 20), 1e-15);
    CHECK_NEAR(ct.df, 59, 0);
    CHECK_NEAR(ct.p, 0.0081772331440454829, 1e-12);
    CHECK_INT(sd__col_test(r, t, 0, 1, 3, SD_PAIR_UNPOOLED, &ct, e), SD_OK);
    CHECK_NEAR(ct.se, sqrt(60.0 / 59 * (0.21 + 0.35 * 0.65) / 20), 1e-15);
    CHECK_NEAR(ct.p, 0.022321572084338184, 1e-12);
    /* alpha 0.01, alpha2 0.05: 1-2 upper case, 1-3 lower case. */
    CHECK_STR(letters(r, 0, 0), "");
    CHECK_STR(letters(r, 0, 1), "Bc");
    CHECK_STR(letters(r, 0, 2), "");
    CHECK_STR(letters(r, 0, 3), "");
    CHECK_STR(letters(r, 1, 1), "");
    CHECK_STR(letters(r, 1, 2), "A");
    CHECK_STR(letters(r, 1, 3), "a");
    CHECK_STR(letters(r, 2, 1), ""); /* nobody: no test */
    CHECK_STR(letters(r, 3, 2), ""); /* the net is 100% everywhere */
    sd_error_free(e);
    sd__work_free(r);
    /* Bonferroni over the row's 3 pairs: 0.0245 (lower case), 0.067. */
    r = run(ds, "y", "g", "adjust", "bonferroni", NULL, NULL);
    if (r) {
        CHECK_STR(letters(r, 0, 1), "b");
        CHECK_STR(letters(r, 1, 2), "a");
        CHECK_STR(letters(r, 1, 3), "");
        sd__work_free(r);
    }
    /* Levels. */
    r = run(ds, "y", "g", "alpha", "0.001", "alpha2", "0.01");
    if (r) {
        CHECK_STR(letters(r, 0, 1), "b");
        sd__work_free(r);
    }
    sd_dataset_free(ds);
}

static void test_spss_letters(void)
{
    /* Unweighted: SPSS's pooled z test on the counts. 1-2: z = 2.5298,
     * p = 0.011412, times 3 pairs = 0.034 < 0.05; 1-3: 0.080. */
    sd_dataset *ds = make();
    sd_work *r = run(ds, "y", "g", "letters", "spss", NULL, NULL);
    if (r) {
        CHECK_NEAR(r->alpha, 0.05, 0);
        CHECK_INT(r->adjust, 2);
        CHECK_STR(letters(r, 0, 1), "B");
        CHECK_STR(letters(r, 1, 2), "A");
        CHECK_STR(letters(r, 1, 3), "");
        sd__work_free(r);
    }
    r = run(ds, "y", "g", "letters", "spss", "adjust", "none");
    if (r) {
        CHECK_STR(letters(r, 0, 1), "BC");
        sd__work_free(r);
    }
    sd_dataset_free(ds);
}

static void test_means_and_sets(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "x", "g", NULL, NULL, NULL, NULL);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        CHECK(t->row_is_scale);
        CHECK(!t->chisq.done);
        sd_coltest ct;
        sd_error *e = sd_error_new();
        CHECK_INT(sd__col_test(r, t, 0, 2, 1, SD_PAIR_UNPOOLED, &ct, e), SD_OK);
        sd_error_free(e);
        CHECK_NEAR(ct.diff, 5.25, 1e-13);
        CHECK_NEAR(ct.t, 2.239686212839604451, 1e-12);
        CHECK_NEAR(ct.df, 38, 0);
        CHECK_NEAR(ct.p, 0.031040941911584637, 1e-12);
        CHECK_STR(letters(r, 0, 2), "ac");
        CHECK_STR(letters(r, 0, 1), "");
        sd__work_free(r);
    }
    r = run(ds, "acts", "g", NULL, NULL, NULL, NULL);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        CHECK(!t->chisq.done); /* no Rao-Scott test for a set */
        CHECK(t->has_letters);
        CHECK_STR(letters(r, 0, 1), ""); /* a1 = 50% in every group */
        sd__work_free(r);
    }
    r = run(ds, "y", NULL, NULL, NULL, NULL, NULL);
    if (r) {
        CHECK(!r->tables[0].chisq.done);
        CHECK(!r->tables[0].has_letters);
        sd__work_free(r);
    }
    sd_dataset_free(ds);
}

/* The default pair test: R's svychisq of the pair's 2x2 table, F(1, nu)
 * (figures in the header: 1-2 F = 6.2933333333333366, p =
 * 0.016386224957682053; 1-3 F = 4.8304093567251476, p =
 * 0.033965381675686745; 2-3 p = 0.73960385430920561, ddf 39). */
static void test_pooled_pairs(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "y", "g", "pair-test", "pooled", NULL, NULL);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        sd_coltest ct;
        sd_error *e = sd_error_new();
        CHECK_INT(sd__col_test(r, t, 0, 1, 2, SD_PAIR_POOLED, &ct, e), SD_OK);
        CHECK_NEAR(ct.diff, 0.4, 1e-15);
        CHECK_NEAR(ct.t * ct.t, 6.2933333333333366, 1e-12);
        CHECK_NEAR(ct.df, 39, 0);
        CHECK_NEAR(ct.p, 0.016386224957682053, 1e-12);
        /* The SE under the null: pbar (1 - pbar) (1/20 + 1/20) times the
         * design effect, n/(n - 1) of the 60-row SRS. */
        CHECK_NEAR(ct.se, sqrt(0.5 * 0.5 * 0.1 * 60.0 / 59), 1e-14);
        CHECK_INT(sd__col_test(r, t, 0, 1, 3, SD_PAIR_POOLED, &ct, e), SD_OK);
        CHECK_NEAR(ct.t * ct.t, 4.8304093567251476, 1e-12);
        CHECK_NEAR(ct.p, 0.033965381675686745, 1e-12);
        CHECK_INT(sd__col_test(r, t, 0, 2, 3, SD_PAIR_POOLED, &ct, e), SD_OK);
        CHECK_NEAR(ct.p, 0.73960385430920561, 1e-12);
        CHECK(ct.t < 0); /* 6 of 20 below 7 of 20 */
        sd_error_free(e);
        CHECK_STR(letters(r, 0, 1), "bc");
        CHECK_STR(letters(r, 1, 2), "a");
        CHECK_STR(letters(r, 1, 3), "a");
        /* The recorded pairs: rows 0..3 (with the net), 3 pairs each. */
        CHECK_INT(t->npairs, 12);
        CHECK_INT(t->pairs[0].row, 0);
        CHECK_INT(t->pairs[0].c, 1);
        CHECK_INT(t->pairs[0].d, 2);
        CHECK_INT(t->pairs[0].method, SD_PAIR_POOLED);
        CHECK_NEAR(t->pairs[0].p, 0.016386224957682053, 1e-12);
        sd__work_free(r);
    }
    sd_dataset_free(ds);
}

/* 7 of 144 against 0 of 33: svycontrast's unpooled variance is that of
 * the first column alone (the second has none), t = 2.70 and p = 0.008;
 * the pooled test (R: svychisq F = 1.7144596008746524 on 1 and 176 df,
 * p = 0.19211456301675747; Fisher's exact p = 0.35) letters nothing. */
static void test_zero_cell(void)
{
    double y[177], g[177];
    for (int i = 0; i < 177; i++) {
        g[i] = i < 144 ? 1 : 2;
        y[i] = i < 7 ? 1 : 0;
    }
    sd_dataset *ds = sd__dataset_new("mem");
    ds->nrows = 177;
    sd__dataset_reserve_rows(ds, 177);
    num_var(ds, "y", y);
    num_var(ds, "g", g);
    sd_work *r = run_default(ds, "y", "g", NULL, NULL, NULL, NULL);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        sd_coltest ct;
        sd_error *e = sd_error_new();
        /* Row 1 is y = 1. */
        CHECK_INT(sd__col_test(r, t, 1, 1, 2, SD_PAIR_POOLED, &ct, e), SD_OK);
        CHECK_NEAR(ct.t * ct.t, 1.7144596008746524, 1e-12);
        CHECK_NEAR(ct.df, 176, 0);
        CHECK_NEAR(ct.p, 0.19211456301675747, 1e-12);
        CHECK_INT(sd__col_test(r, t, 1, 1, 2, SD_PAIR_UNPOOLED, &ct, e), SD_OK);
        CHECK(ct.p < 0.01);
        sd_error_free(e);
        CHECK_STR(letters(r, 1, 1), "");
        CHECK_STR(letters(r, 0, 2), "");
        sd__work_free(r);
    }
    r = run_default(ds, "y", "g", "pair-test", "unpooled", NULL, NULL);
    if (r) {
        CHECK_STR(letters(r, 1, 1), "B"); /* what svycontrast's form says */
        sd__work_free(r);
    }
    sd_dataset_free(ds);
}

/* Multiplying every weight by 1000 changes no letter, no effective base
 * and no design effect (mean-1 weights used to lose every SPSS letter: the
 * without-replacement SRS variance was negative there). */
static void test_weight_scale(void)
{
    double w1[60], w2[60];
    for (int i = 0; i < 60; i++) {
        w1[i] = 0.5 + (double)((i * 7) % 11) / 10; /* mean about 1 */
        w2[i] = 1000 * w1[i];
    }
    const char *modes[] = {"design", "spss"};
    for (int m = 0; m < 2; m++) {
        sd_work *res[2] = {NULL, NULL};
        sd_dataset *ds[2];
        for (int k = 0; k < 2; k++) {
            ds[k] = make();
            num_var(ds[k], "w", k ? w2 : w1);
            sd_tabspec *s = sd_tabspec_new();
            sd_tabspec_add_row(s, "y", NULL);
            sd_tabspec_add_col(s, "g", NULL);
            sd_tabspec_set_option(s, "weight", "w", NULL);
            sd_tabspec_set_option(s, "letters", modes[m], NULL);
            sd_tabspec_set_option(s, "min-base", "0", NULL);
            sd_tabspec_set_option(s, "adjust", "none", NULL);
            CHECK_INT(sd__tabulate_work(ds[k], s, &res[k], NULL), SD_OK);
            sd_tabspec_free(s);
        }
        if (res[0] && res[1]) {
            const sd_wtable *a = &res[0]->tables[0], *b = &res[1]->tables[0];
            bool any = false;
            for (size_t i = 0; i < a->nrows * a->ncols; i++) {
                CHECK_STR(a->stats[i].letters, b->stats[i].letters);
                any |= a->stats[i].letters[0] != '\0';
                if (isfinite(a->stats[i].deff)) {
                    CHECK(a->stats[i].deff > 0);
                    CHECK_NEAR(b->stats[i].deff, a->stats[i].deff, 1e-12 * a->stats[i].deff);
                    CHECK_NEAR(b->stats[i].eff_base, a->stats[i].eff_base,
                               1e-12 * a->stats[i].eff_base);
                }
            }
            CHECK(any);
        }
        for (int k = 0; k < 2; k++) {
            sd__work_free(res[k]);
            sd_dataset_free(ds[k]);
        }
    }
}

static void test_p_adjust(void)
{
    /* R: p.adjust(c(0.01, 0.04, 0.03, 0.2), m) */
    double p[5];
    const double in[5] = {0.01, 0.04, NAN, 0.03, 0.2};
    memcpy(p, in, sizeof p);
    sd__p_adjust(p, 5, 3);
    CHECK_NEAR(p[0], 0.04, 1e-15);
    CHECK_NEAR(p[1], 0.09, 1e-15);
    CHECK(isnan(p[2]));
    CHECK_NEAR(p[3], 0.09, 1e-15);
    CHECK_NEAR(p[4], 0.2, 1e-15);
    memcpy(p, in, sizeof p);
    sd__p_adjust(p, 5, 4);
    CHECK_NEAR(p[0], 0.04, 1e-15);
    CHECK_NEAR(p[1], 0.16 / 3, 1e-15);
    CHECK_NEAR(p[3], 0.16 / 3, 1e-15);
    CHECK_NEAR(p[4], 0.2, 1e-15);
    memcpy(p, in, sizeof p);
    sd__p_adjust(p, 5, 2);
    CHECK_NEAR(p[0], 0.04, 1e-15);
    CHECK_NEAR(p[1], 0.16, 1e-15);
    CHECK_NEAR(p[3], 0.12, 1e-15);
    CHECK_NEAR(p[4], 0.8, 1e-15);
    memcpy(p, in, sizeof p);
    sd__p_adjust(p, 5, 1);
    CHECK_NEAR(p[1], 0.04, 0);
}

/* The work as users get it (the cube), written in a format. */
/* --min-base (default 30): a column with fewer respondents gets no letter
 * and is compared with nothing; letters run on across a row variable's
 * banners (A-C for the first, D-F for the second). */
static void test_low_base_and_letters_across_banners(void)
{
    sd_dataset *ds = make();
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    sd_tabspec_add_row(s, "y", NULL);
    sd_tabspec_add_col(s, "g", NULL);
    sd_tabspec_add_col(s, "g", NULL);
    CHECK_INT(sd_tabspec_set_option(s, "tests", "true", e), SD_OK);
    CHECK_INT(sd_tabspec_set_option(s, "pair-test", "unpooled", e), SD_OK);
    sd_work *r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_OK); /* 20 rows a column: all under 30 */
    if (r) {
        for (size_t ti = 0; ti < 2; ti++)
            for (size_t k = 0; k < r->tables[ti].nrows * r->tables[ti].ncols; k++)
                CHECK_STR(r->tables[ti].stats[k].letters, "");
        sd__work_free(r);
    }
    CHECK_INT(sd_tabspec_set_option(s, "min-base", "20", e), SD_OK);
    r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_OK);
    if (r) {
        CHECK_STR(letters(r, 0, 1), "Bc");
        const sd_wtable *t2 = &r->tables[1];
        CHECK_INT(t2->letter0, 3);
        CHECK_STR(t2->stats[0 * t2->ncols + 1].letters, "Ef");
        CHECK_STR(t2->stats[1 * t2->ncols + 2].letters, "D");
        sd__work_free(r);
    }
    CHECK_INT(sd_tabspec_set_option(s, "min-base", "21", e), SD_OK);
    r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_OK);
    if (r) {
        CHECK_STR(letters(r, 0, 1), "");
        sd__work_free(r);
    }
    sd_error_free(e);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
}

static char *render(const sd_work *w, sd_outfmt fmt)
{
    char *buf = NULL;
    size_t len = 0;
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    FILE *fp = open_memstream(&buf, &len);
    if (fp) {
        CHECK_INT(sd__cube_build(w, &r, e), SD_OK);
        CHECK_INT(sd_result_write(r, fmt, "en", fp, e), SD_OK);
        fclose(fp);
    }
    sd_result_free(r);
    sd_error_free(e);
    return buf;
}

static void test_writers(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "y", "g", NULL, NULL, NULL, NULL);
    if (r) {
        char *j = render(r, SD_OUT_JSON);
        CHECK(j && strstr(j, "\"test\": {\"statistic\": \"F\", \"value\": 3.77441077441077"));
        CHECK(j && strstr(j, "\"ddf\": 11") && strstr(j, "\"p\": 0.02576870746202"));
        if (j && !strstr(j, "\"p\": 0.02576870746202"))
            fprintf(stderr, "%.200s\n", strstr(j, "\"test\""));
        CHECK(j && strstr(j, "\"missing_count\": 0, \"letter\": \"B\"}"));
        CHECK(j && strstr(j, "\"letters\": \"Bc\"}"));
        free(j);
        char *tx = render(r, SD_OUT_TEXT);
        CHECK(tx && strstr(tx, "Rao-Scott test, y by g: F(2.00, 118.00) = 3.77, p = 0.026\n"));
        CHECK(tx && strstr(tx, "(A)"));
        CHECK(tx && strstr(tx, "upper case p < 0.010, lower case p < 0.050)"));
        free(tx);
        char *c = render(r, SD_OUT_CSV);
        CHECK(c && strstr(c, ",mean,letters\n"));
        CHECK(c && strstr(c, ",Bc\n"));
        free(c);
        sd__work_free(r);
    }
    r = run(ds, "y", "g", "chisq", "Chisq", NULL, NULL);
    if (r) {
        char *j = render(r, SD_OUT_JSON);
        CHECK(j && strstr(j, "\"test\": {\"statistic\": \"Chisq\", \"value\": 7.67676767676767"));
        CHECK(j && strstr(j, "\"df\": 2, \"p\": 0.02295060974518"));
        free(j);
        sd__work_free(r);
    }
    r = run(ds, "y", NULL, NULL, NULL, NULL, NULL);
    if (r) {
        char *j = render(r, SD_OUT_JSON);
        CHECK(j && strstr(j, "\"test\": null"));
        CHECK(j && !strstr(j, "letters"));
        free(j);
        sd__work_free(r);
    }
    /* Without tests, nothing changes in the output. */
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "y", NULL);
    sd_tabspec_add_col(s, "g", NULL);
    r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, NULL), SD_OK);
    if (r) {
        char *j = render(r, SD_OUT_JSON);
        CHECK(j && !strstr(j, "\"test\"") && !strstr(j, "letter"));
        free(j);
        sd__work_free(r);
    }
    sd_tabspec_free(s);
    sd_dataset_free(ds);
}

static void test_options(void)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    CHECK(!s->tests);
    CHECK_INT(sd_tabspec_set_option(s, "chisq", "Chisq", e), SD_OK);
    CHECK(s->tests);
    CHECK_INT(s->chisq_stat, 1);
    CHECK_INT(sd_tabspec_set_option(s, "chisq", "G2", e), SD_E_INVALID);
    CHECK_STR(sd_error_message(e), "--chisq: expected F or Chisq, not 'G2'");
    CHECK_INT(sd_tabspec_set_option(s, "adjust", "holm", e), SD_OK);
    CHECK_INT(s->adjust, 3);
    CHECK_INT(sd_tabspec_set_option(s, "letters", "spss", e), SD_OK);
    CHECK_INT(s->letters, 1);
    CHECK_INT(sd_tabspec_set_option(s, "alpha", "1.5", e), SD_E_INVALID);
    CHECK_INT(sd_tabspec_set_option(s, "alpha2", "0.1", e), SD_OK);
    CHECK_NEAR(s->alpha2, 0.1, 0);
    CHECK_INT(sd_tabspec_set_option(s, "tests", "false", e), SD_OK);
    CHECK(!s->tests);
    sd_error_free(e);
    sd_tabspec_free(s);
}

/* "variances" = "shown" (cmd_tab's, for CSV and text): without --stats,
 * --deff or tests the tables keep counts and weights alone (no variance
 * sums, SEs NaN) and every count and estimate is the same; asked for a
 * figure that needs them, they are kept and the SEs are the same too. */
static void test_variances_if_shown(void)
{
    sd_dataset *ds = make();
    static const char *const asks[][2] = {{NULL, NULL}, {"stats", "true"}, {"deff", "true"},
                                          {"tests", "true"}, {"findings", "true"}};
    for (size_t k = 0; k < 5; k++) {
        sd_work *rw[2] = {NULL, NULL};
        for (int shown = 0; shown < 2; shown++) {
            sd_tabspec *s = sd_tabspec_new();
            sd_error *e = sd_error_new();
            sd_tabspec_add_row(s, "y", NULL);
            sd_tabspec_add_col(s, "g", NULL);
            if (asks[k][0])
                CHECK_INT(sd_tabspec_set_option(s, asks[k][0], asks[k][1], e), SD_OK);
            CHECK_INT(sd_tabspec_set_option(s, "variances", shown ? "shown" : "all", e), SD_OK);
            CHECK_INT(sd__tabulate_work(ds, s, &rw[shown], e), SD_OK);
            sd_tabspec_free(s);
            sd_error_free(e);
        }
        if (!rw[0] || !rw[1]) {
            sd__work_free(rw[0]);
            sd__work_free(rw[1]);
            CHECK(0);
            continue;
        }
        const sd_wtable *a = &rw[0]->tables[0], *b = &rw[1]->tables[0];
        CHECK_INT(a->acc.vmode, SD_VMODE_MOMENTS);
        CHECK_INT(b->acc.vmode, k == 0 ? SD_VMODE_NONE : SD_VMODE_MOMENTS);
        CHECK_INT(a->nrows * a->ncols, b->nrows * b->ncols);
        for (size_t i = 0; i < a->nrows * a->ncols; i++) {
            CHECK_NEAR(a->acc.n[i], b->acc.n[i], 0);
            CHECK_NEAR(a->acc.w[i], b->acc.w[i], 0);
            CHECK(a->stats[i].est == b->stats[i].est || (isnan(a->stats[i].est) && isnan(b->stats[i].est)));
            if (k == 0)
                CHECK(isnan(b->stats[i].se) || !(a->stats[i].se > 0));
            else
                CHECK(a->stats[i].se == b->stats[i].se || (isnan(a->stats[i].se) && isnan(b->stats[i].se)));
        }
        sd__work_free(rw[0]);
        sd__work_free(rw[1]);
    }
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    CHECK_INT(sd_tabspec_set_option(s, "variances", "some", e), SD_E_INVALID);
    CHECK_STR(sd_error_message(e), "variances: expected shown or all, not 'some'");
    sd_error_free(e);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
}

int main(void)
{
    RUN(test_rao_scott_by_hand);
    RUN(test_letters_by_hand);
    RUN(test_spss_letters);
    RUN(test_means_and_sets);
    RUN(test_pooled_pairs);
    RUN(test_zero_cell);
    RUN(test_weight_scale);
    RUN(test_p_adjust);
    RUN(test_writers);
    RUN(test_variances_if_shown);
    RUN(test_low_base_and_letters_across_banners);
    RUN(test_options);
    DONE();
}
