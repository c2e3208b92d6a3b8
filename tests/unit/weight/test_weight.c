/*
 * test_weight.c — the weighting layer on small datasets held in memory:
 * the targets reader (every error with its line and column), what cannot
 * be met (each named, fatal unless --force), proportions, the diagnostics'
 * formulas, closed forms checked by hand, trimming, and the calibration a
 * codebook records (written, read back, re-run).
 */
#include "harness.h"
#include "io/io.h"
#include "weight/weight.h"

/* 12 rows: sex (1/2), region (string), age (numeric), w. */
static const char csv[] = "sex,region,age,w,g\n"
                          "1,north,20,1,1\n1,north,35,1,2\n1,south,50,2,1\n1,south,65,2,2\n"
                          "1,east,30,1,1\n1,east,45,1,2\n2,north,25,1,1\n2,north,40,2,2\n"
                          "2,south,55,1,1\n2,south,70,1,2\n2,east,33,2,1\n2,east,60,1,2\n";

static sd_dataset *data(void)
{
    sd_dataset *ds = NULL;
    CHECK_INT(sd_dataset_read_csv_mem(csv, strlen(csv), "mem.csv", &ds, NULL), SD_OK);
    return ds;
}

static sd_targets *targets(const char *yaml, sd_error *e)
{
    sd_targets *t = NULL;
    sd_targets_read_mem(yaml, strlen(yaml), "t.yml", &t, e);
    return t;
}

/* Weight `yaml` with options "k=v;k=v"; returns the status. */
static sd_status weigh(sd_dataset *ds, const char *yaml, const char *opts, sd_weighting **w,
                       sd_error *e)
{
    *w = NULL;
    sd_targets *t = targets(yaml, e);
    if (!t)
        return sd_error_status(e);
    sd_tabspec *s = sd_tabspec_new();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", opts);
    for (char *p = strtok(buf, ";"); p; p = strtok(NULL, ";")) { /* lint: allow */
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        CHECK_INT(sd_tabspec_set_option(s, p, eq ? eq + 1 : "true", e), SD_OK);
    }
    sd_status st = sd_weight(ds, s, t, w, e);
    sd_tabspec_free(s);
    sd_targets_free(t);
    return st;
}

static void expect_parse_error(const char *yaml, long line, long col, const char *msg)
{
    sd_error *e = sd_error_new();
    sd_targets *t = targets(yaml, e);
    CHECK(t == NULL);
    CHECK_INT(sd_error_line(e), line);
    CHECK_INT(sd_error_column(e), col);
    if (!strstr(sd_error_message(e), msg)) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", sd_error_message(e), msg);
        h_failed_checks++;
    }
    sd_targets_free(t);
    sd_error_free(e);
}

static void test_targets_read(void)
{
    sd_error *e = sd_error_new();
    sd_targets *t = targets("population: 100\n"
                            "margins:\n  sex: {1: 40, 2: 60}\n  region: {north: 0.5, south: 0.3, "
                            "east: 0.2}\n"
                            "totals:\n  age: 4500\n"
                            "cells:\n  - {sex: 1, region: north, total: 20}\n"
                            "  - {region: south, sex: 2, total: 30}\n",
                            e);
    CHECK(t != NULL);
    if (t) {
        CHECK(t->has_population && t->population == 100);
        CHECK_INT(t->nmargins, 2);
        CHECK_STR(t->margins[1].var, "region");
        CHECK_INT(t->margins[1].n, 3);
        CHECK_STR(t->margins[1].v[2].key, "east");
        CHECK(t->margins[1].v[2].total == 0.2);
        CHECK_INT(t->margins[1].v[2].line, 4);
        CHECK_INT(t->ntotals, 1);
        CHECK_STR(t->totals[0].key, "age");
        CHECK_INT(t->ncellvars, 2);
        CHECK_INT(t->ncells, 2);
        CHECK_STR(t->cells[1].keys[0], "2"); /* in the first cell's variable order */
        CHECK_STR(t->cells[1].keys[1], "south");
        sd_targets *c = sd__targets_copy(t);
        CHECK(c && c->ncells == 2 && !strcmp(c->cells[1].keys[1], "south"));
        sd_targets_free(c);
    }
    sd_targets_free(t);
    sd_error_free(e);
    expect_parse_error("margins:\n  sex: {1: 40, 1: 60}\n", 2, 16, "category '1' is given twice");
    expect_parse_error("margins:\n  sex: {1: -4}\n", 2, 12, "target of -4");
    expect_parse_error("margins:\n  sex: {1: many}\n", 2, 12, "must be a number, not 'many'");
    expect_parse_error("margin:\n  sex: {1: 4}\n", 1, 1, "unknown key 'margin'");
    expect_parse_error("population: 0\nmargins:\n  sex: {1: 4}\n", 1, 13,
                       "population must be more than 0");
    expect_parse_error("cells:\n  - {sex: 1, total: 4}\n  - {region: a, total: 5}\n", 3, 6,
                       "which the first cell does not");
    expect_parse_error("cells:\n  - {sex: 1}\n", 2, 5, "a cell has no total");
    expect_parse_error("cells:\n  - {sex: 1, region: a, total: 4}\n  - {sex: 2, total: 5}\n", 3,
                       5, "a cell names 1 variables where the first names 2");
    expect_parse_error("population: 5\n", 1, 1, "no margins, totals or cells");
    expect_parse_error("margins: [1, 2]\n", 1, 10, "margins must be a mapping, not a list");
}

static void test_cannot_be_met(void)
{
    sd_dataset *ds = data();
    sd_error *e = sd_error_new();
    sd_weighting *w;
    /* A category with a target and no respondents: fatal, named; with
     * --force it is left out and the rest is weighted. */
    const char *y = "margins:\n  sex: {1: 40, 2: 60}\n  region: {north: 30, south: 30, east: 30, "
                    "west: 10}\n";
    CHECK_INT(weigh(ds, y, "weight=w", &w, e), SD_E_INVALID);
    CHECK_INT(sd_error_line(e), 3);
    CHECK(strstr(sd_error_message(e), "category region = west has a target of 10 but no "
                                      "respondents") != NULL);
    sd_error_clear(e);
    CHECK_INT(weigh(ds, y, "weight=w;force", &w, e), SD_OK);
    CHECK(w && sd_weighting_nwarnings(w) >= 1);
    sd_weighting_free(w);
    /* Margins that disagree. */
    y = "margins:\n  sex: {1: 40, 2: 60}\n  region: {north: 30, south: 30, east: 30}\n";
    CHECK_INT(weigh(ds, y, "weight=w", &w, e), SD_E_INVALID);
    CHECK(strstr(sd_error_message(e), "margin 'region' sums to 90 but the first margin's sum is "
                                      "100") != NULL);
    sd_error_clear(e);
    /* A category in the data without a target. */
    y = "margins:\n  region: {north: 30, south: 30}\n";
    CHECK_INT(weigh(ds, y, "weight=w", &w, e), SD_E_INVALID);
    CHECK(strstr(sd_error_message(e), "row 5 has region = 'east', which the margin 'region' "
                                      "gives no target") != NULL);
    sd_error_clear(e);
    /* Unknown variable, totals with rake, two margins to post-stratify. */
    CHECK_INT(weigh(ds, "margins:\n  sexe: {1: 4}\n", "", &w, e), SD_E_NOT_FOUND);
    CHECK_INT(sd_error_line(e), 2);
    sd_error_clear(e);
    CHECK_INT(weigh(ds, "margins:\n  sex: {1: 4, 2: 6}\ntotals:\n  age: 400\n", "", &w, e),
              SD_E_INVALID);
    CHECK(strstr(sd_error_message(e), "need --method linear, raking or logit") != NULL);
    sd_error_clear(e);
    CHECK_INT(weigh(ds, "margins:\n  sex: {1: 4, 2: 6}\n  g: {1: 5, 2: 5}\n",
                    "method=poststratify", &w, e),
              SD_E_INVALID);
    sd_error_clear(e);
    CHECK_INT(weigh(ds, "margins:\n  sex: {1: 4, 2: 6}\n", "method=logit", &w, e), SD_E_INVALID);
    CHECK(strstr(sd_error_message(e), "needs --bounds") != NULL);
    sd_error_clear(e);
    CHECK_INT(weigh(ds, "margins:\n  sex: {1: 4, 2: 6}\n", "bounds=0.5,2", &w, e), SD_E_INVALID);
    sd_error_clear(e);
    CHECK_INT(weigh(ds, "margins:\n  sex: {2: 6, 02: 8}\n", "", &w, e), SD_E_INVALID);
    CHECK(strstr(sd_error_message(e), "'2' and '02' are the same category") != NULL);
    sd_error_clear(e);
    /* Trim bounds that cannot hold the total: 12 rows of at most 5 < 100. */
    CHECK_INT(weigh(ds, "margins:\n  sex: {1: 40, 2: 60}\n", "trim=1,5", &w, e), SD_E_INVALID);
    CHECK(strstr(sd_error_message(e), "--trim 1,5 cannot hold the total weight 100") != NULL);
    sd_error_free(e);
    sd_dataset_free(ds);
}

static void test_closed_forms(void)
{
    sd_dataset *ds = data();
    sd_error *e = sd_error_new();
    sd_weighting *w;
    /* Post-stratification on sex: w * target / base total. Base totals:
     * sex 1: 8, sex 2: 8. Proportions times the population. */
    CHECK_INT(weigh(ds, "population: 200\nmargins:\n  sex: {1: 0.25, 2: 0.75}\n",
                    "weight=w;method=poststratify", &w, e),
              SD_OK);
    const double *x = sd_weighting_weights(w);
    CHECK_NEAR(x[0], 1 * 50.0 / 8, 1e-14);
    CHECK_NEAR(x[2], 2 * 50.0 / 8, 1e-14);
    CHECK_NEAR(x[7], 2 * 150.0 / 8, 1e-14);
    /* Kish: (sum w)^2 / (n sum w^2). */
    double s = 0, q = 0;
    for (int i = 0; i < 12; i++) {
        s += x[i];
        q += x[i] * x[i];
    }
    CHECK_NEAR(w->after.eff, s * s / (12 * q), 1e-14);
    CHECK_NEAR(w->after.deff, 12 * q / (s * s), 1e-14);
    CHECK_NEAR(w->after.sum, 200, 1e-12);
    CHECK_NEAR(w->after.min, 50.0 / 8, 1e-14);
    CHECK_NEAR(w->after.max, 300.0 / 8, 1e-14);
    CHECK_NEAR(w->after.median, (12.5 + 18.75) / 2, 1e-14); /* 4 x 6.25, 2 x 12.5, 4 x 18.75, 2 x 37.5 */
    CHECK_STR(sd_weighting_default_name(w), "weight_poststratify");
    CHECK(w->max_error < 1e-12);
    sd_weighting_free(w);
    /* Linear calibration meets every total exactly. */
    CHECK_INT(weigh(ds, "population: 120\nmargins:\n  sex: {1: 50, 2: 70}\ntotals:\n  age: 5000\n",
                    "weight=w;method=linear", &w, e),
              SD_OK);
    x = sd_weighting_weights(w);
    const sd_var *age = sd_dataset_find(ds, "age");
    double tot = 0, n1 = 0;
    for (size_t i = 0; i < 12; i++) {
        tot += x[i] * sd_var_num(age, i);
        n1 += i < 6 ? x[i] : 0;
    }
    CHECK_NEAR(tot, 5000, 1e-12);
    CHECK_NEAR(n1, 50, 1e-12);
    CHECK_INT(w->iterations, 0);
    sd_weighting_free(w);
    /* Raking a table whose margins are already met stops after one sweep. */
    CHECK_INT(weigh(ds, "margins:\n  sex: {1: 8, 2: 8}\n", "weight=w", &w, e), SD_OK);
    CHECK_INT(w->iterations, 1);
    CHECK(w->converged);
    CHECK_NEAR(sd_weighting_weights(w)[2], 2, 1e-15);
    sd_weighting_free(w);
    sd_error_free(e);
    sd_dataset_free(ds);
}

static void test_trim(void)
{
    double w[6] = {1, 1, 1, 1, 1, 25};
    size_t nt;
    int passes = sd__trim(w, 6, 0.5, 10, &nt);
    CHECK_INT(nt, 1);
    CHECK(passes >= 1);
    double s = 0;
    for (int i = 0; i < 6; i++) {
        s += w[i];
        CHECK(w[i] >= 0.5 && w[i] <= 10);
    }
    CHECK_NEAR(s, 30, 1e-14);
    CHECK_NEAR(w[5], 10, 1e-15);
    CHECK_NEAR(w[0], 4, 1e-15); /* 15 shared equally among the five */
    double v[3] = {1, 1, 1};
    CHECK_INT(sd__trim(v, 3, 2, 5, &nt), -1); /* 3 rows of at least 2 > 3 */
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median by bucket selection equals the sorted one, odd and even,
 * with ties and a wide range. */
static void test_median(void)
{
    uint64_t seed = 7;
    for (size_t n = 1; n < 3000; n = n * 3 + 1) {
        double *w = malloc(n * sizeof *w), *c = malloc(n * sizeof *c);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            w[i] = (seed >> 33) % 7 == 0 ? 1e6 : (double)((seed >> 20) % 500) / 7;
        }
        memcpy(c, w, n * sizeof *c);
        qsort(c, n, sizeof *c, cmp_d);
        double want = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
        wstats st;
        CHECK(sd__wstats(w, n, &st));
        CHECK_NEAR(st.median, want, 1e-15);
        CHECK(st.min == c[0] && st.max == c[n - 1]);
        free(w);
        free(c);
    }
}

static void test_codebook_record(void)
{
    sd_dataset *ds = data();
    sd_error *e = sd_error_new();
    sd_weighting *w;
    CHECK_INT(weigh(ds, "population: 100\nmargins:\n  sex: {1: 40, 2: 60}\n  region: {north: "
                        "30, south: 30, east: 40}\n",
                    "weight=w;trim=2,20", &w, e),
              SD_OK);
    CHECK_INT(sd_dataset_add_weighting(ds, w, NULL, e), SD_OK);
    CHECK_INT(sd_dataset_add_weighting(ds, w, NULL, e), SD_E_INVALID); /* exists */
    sd_error_clear(e);
    CHECK_STR(ds->design.weight, "weight_rake");
    CHECK(ds->design.calibration && !strcmp(ds->design.calibration->base, "w"));
    /* Written and read back: the same calibration; re-run, the same weights. */
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    CHECK_INT(sd__codebook_write(ds, fp, "mem.yaml", e), SD_OK);
    fclose(fp);
    CHECK(strstr(buf, "    trim: [2, 20]\n") != NULL);
    sd_dataset *back = data();
    sd_var *nv;
    CHECK_INT(sd__dataset_add_var(back, "weight_rake", SD_TYPE_NUMERIC, &nv, e), SD_OK);
    for (size_t i = 0; i < 12; i++) {
        nv->num[i] = sd_weighting_weights(w)[i];
        nv->sysmis[i] = 0;
    }
    CHECK_INT(sd_dataset_apply_codebook_mem(back, buf, len, "mem.yaml", e), SD_OK);
    const sd_calib_decl *cd = back->design.calibration;
    CHECK(cd && cd->has_trim && cd->trim_lower == 2 && cd->trim_upper == 20);
    CHECK(cd && cd->targets->nmargins == 2 && cd->targets->margins[1].v[2].total == 40);
    sd_tabspec *s = sd_tabspec_new();
    sd_weighting *w2 = NULL;
    CHECK_INT(sd_tabspec_weight(s, back, &w2, e), SD_OK);
    CHECK(w2 != NULL);
    for (size_t i = 0; w2 && i < 12; i++)
        CHECK(sd_weighting_weights(w2)[i] == sd_weighting_weights(w)[i]);
    /* A weight column that no longer matches is refused. */
    nv->num[3] *= 1.01;
    sd_weighting *w3 = NULL;
    CHECK_INT(sd_tabspec_weight(s, back, &w3, e), SD_E_CONFLICT);
    CHECK(strstr(sd_error_message(e), "row 4") != NULL);
    sd_weighting_free(w3);
    sd_weighting_free(w2);
    sd_tabspec_free(s);
    free(buf);
    sd_dataset_free(back);
    sd_weighting_free(w);
    sd_error_free(e);
    sd_dataset_free(ds);
}

int main(void)
{
    RUN(test_targets_read);
    RUN(test_cannot_be_met);
    RUN(test_closed_forms);
    RUN(test_trim);
    RUN(test_median);
    RUN(test_codebook_record);
    DONE();
}
