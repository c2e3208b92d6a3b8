/*
 * test_weight_oracle.c — sondage's weighting against R's survey package:
 * every case of tests/oracle/weight/cases.csv is weighted with its options
 * (rake, postStratify, calibrate linear / raking / logit, trimWeights; on
 * weights-only, stratified, clustered and replicate designs) and every
 * row's weight is compared with R's, to 1e-9 relative for closed forms
 * and 1e-7 for iterative methods at R's stopping rule; then the weighted
 * design's proportions of y, mean and total of x by g and their standard
 * errors (linearisation with R's calibration residuals, or replicates
 * re-weighted the same way), to the same tolerances. The fixtures were
 * made by tests/oracle/gen_weight_fixtures.R. A case R refuses must fail.
 */
#include "weight/weight.h"
#include "harness.h"

#define DIR "tests/oracle/weight/"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    buf[got] = '\0';
    return buf;
}

/* Apply "--opt value --flag …" to a spec. */
static int apply_args(sd_tabspec *s, char *args, sd_error *e)
{
    char *tok[128];
    int n = 0;
    for (char *p = strtok(args, " "); p && n < 128; p = strtok(NULL, " ")) /* lint: allow */
        tok[n++] = p;
    for (int i = 0; i < n; i++) {
        const char *key = tok[i] + 2;
        if (!strcmp(key, "nest") || !strcmp(key, "mse") || !strcmp(key, "force")) {
            if (sd_tabspec_set_option(s, key, "true", e) != SD_OK)
                return -1;
            continue;
        }
        if (i + 1 >= n || sd_tabspec_set_option(s, key, tok[++i], e) != SD_OK)
            return -1;
    }
    return 0;
}

typedef struct tally {
    int cases, weights, estimates;
    double worst_closed, worst_iter;   /* weights */
    double worst_est_closed, worst_est_iter;
} tally;

/* The column of a banner key ("total", or a code). */
static long col_of(const sd_table *t, const char *key)
{
    if (!strcmp(key, "total"))
        return 0;
    for (size_t c = 1; c < sd_table_size(t, SD_COLS); c++)
        if (sd_table_cat_code(t, SD_COLS, c) == strtod(key, NULL))
            return (long)c;
    return -1;
}

static long row_of(const sd_table *t, const char *key)
{
    for (size_t r = 0; r < sd_table_size(t, SD_ROWS); r++)
        if (!strcmp(sd_table_cat_key(t, SD_ROWS, r), key))
            return (long)r;
    return -1;
}

/* Every estimate of the fixture against the weighted tables of y and x by g. */
static void compare_estimates(const char *name, const sd_result *res, const char *fx,
                              double tol, double *worst, int *count)
{
    const sd_table *ty = sd_result_table(res, 0), *tx = sd_result_table(res, 1);
    char *copy = strdup(fx), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char stat[32], rowv[16], row[16], colv[16], col[16];
        const char *f[6];
        char *p = line;
        for (int k = 0; k < 6; k++) {
            f[k] = p;
            char *c = strchr(p, ',');
            if (c && k < 5) {
                *c = '\0';
                p = c + 1;
            }
        }
        snprintf(stat, sizeof stat, "%s", f[0]);
        snprintf(rowv, sizeof rowv, "%s", f[1]);
        snprintf(row, sizeof row, "%s", f[2]);
        snprintf(colv, sizeof colv, "%s", f[3]);
        snprintf(col, sizeof col, "%s", f[4]);
        double want = strtod(f[5], NULL);
        sd_figure fig;
        const sd_table *t = !strcmp(rowv, "y") ? ty : tx;
        if (!strcmp(stat, "pct"))
            fig = SD_FIG_PCT;
        else if (!strcmp(stat, "pct_se") || !strcmp(stat, "mean_se"))
            fig = SD_FIG_SE;
        else if (!strcmp(stat, "mean"))
            fig = SD_FIG_MEAN;
        else if (!strcmp(stat, "total"))
            fig = SD_FIG_COUNT;
        else if (!strcmp(stat, "total_se"))
            fig = SD_FIG_TOTAL_SE;
        else
            continue;
        long r = row_of(t, row), c = col_of(t, col);
        if (r < 0 || c < 0) {
            fprintf(stderr, "  %s: no cell %s=%s g=%s\n", name, rowv, row, col);
            h_failed_checks++;
            continue;
        }
        double got = sd_table_cell(t, (size_t)r, (size_t)c, fig);
        double rel = fabs(got - want) / fabs(want);
        if (!(rel <= tol)) {
            fprintf(stderr, "  %s: %s %s=%s g=%s: %.17g, R %.17g\n", name, stat, rowv, row, col,
                    got, want);
            h_failed_checks++;
        }
        *worst = rel > *worst || isnan(rel) ? rel : *worst;
        (*count)++;
    }
    free(copy);
}

static void run_case(const char *name, const char *data, char *args, bool closed, tally *t)
{
    char path[512];
    snprintf(path, sizeof path, DIR "data/%s", data);
    sd_error *e = sd_error_new();
    sd_dataset *ds = NULL;
    sd_tabspec *s = sd_tabspec_new();
    CHECK_INT(sd_dataset_open(path, SD_FORMAT_AUTO, NULL, &ds, e), SD_OK);
    if (apply_args(s, args, e) != 0) {
        fprintf(stderr, "  %s: bad args: %s\n", name, sd_error_message(e));
        h_failed_checks++;
    }
    snprintf(path, sizeof path, DIR "fixtures/%s.csv", name);
    char *fx = slurp(path);
    CHECK(fx != NULL);
    char *fx_copy = fx ? strdup(fx) : NULL;
    sd_weighting *w = NULL;
    sd_status st = ds && fx ? sd_weight(ds, s, NULL, &w, e) : SD_E_INTERNAL;
    bool expect_error = fx && strstr(fx, "\nerror,") != NULL;
    if (expect_error) {
        if (st == SD_OK) {
            fprintf(stderr, "  %s: R fails, sondage weighted\n", name);
            h_failed_checks++;
        }
        CHECK_INT(st, SD_E_INVALID);
    } else if (st != SD_OK) {
        fprintf(stderr, "  %s: %s\n", name, sd_error_message(e));
        h_failed_checks++;
    } else {
        const double *wt = sd_weighting_weights(w);
        size_t n = sd_dataset_nrows(ds), seen = 0;
        double tol = closed ? 1e-9 : 1e-7, worst = 0;
        for (char *line = strtok(fx, "\n"); line; line = strtok(NULL, "\n")) { /* lint: allow */
            if (strncmp(line, "weight,,", 8))
                continue;
            char *p = line + 8, *end;
            long row = strtol(p, &end, 10);
            const char *v = strrchr(line, ',') + 1;
            double want = strtod(v, NULL);
            CHECK(row >= 1 && (size_t)row <= n);
            if (row < 1 || (size_t)row > n)
                continue;
            double got = wt[row - 1], rel = fabs(got - want) / fabs(want);
            if (!(rel <= tol)) {
                if (worst <= tol)
                    fprintf(stderr, "  %s: row %ld weight %.17g, R %.17g\n", name, row, got, want);
                h_failed_checks++;
            }
            worst = rel > worst || isnan(rel) ? rel : worst;
            seen++;
        }
        CHECK_INT(seen, n);
        t->weights += (int)seen;
        double *slot = closed ? &t->worst_closed : &t->worst_iter;
        *slot = worst > *slot ? worst : *slot;
        /* The weighted tables. */
        sd_result *res = NULL;
        CHECK_INT(sd_tabspec_add_row(s, "y", e), SD_OK);
        CHECK_INT(sd_tabspec_add_row(s, "x:mean", e), SD_OK);
        CHECK_INT(sd_tabspec_add_col(s, "g", e), SD_OK);
        CHECK_INT(sd_tabspec_set_weighting(s, w, e), SD_OK);
        if (sd_tabulate(ds, s, &res, e) != SD_OK) {
            fprintf(stderr, "  %s: tab: %s\n", name, sd_error_message(e));
            h_failed_checks++;
        } else {
            int before = t->estimates;
            compare_estimates(name, res, fx_copy, tol,
                              closed ? &t->worst_est_closed : &t->worst_est_iter,
                              &t->estimates);
            CHECK(t->estimates - before >= 40);
        }
        sd_result_free(res);
    }
    t->cases++;
    free(fx);
    free(fx_copy);
    sd_weighting_free(w);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
    sd_error_free(e);
}

static void test_weights_match_r(void)
{
    char *cases = slurp(DIR "cases.csv");
    CHECK(cases != NULL);
    if (!cases)
        return;
    tally t;
    memset(&t, 0, sizeof t);
    char *save = NULL;
    for (char *line = strtok_r(cases, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "case,", 5))
            continue;
        char *c1 = strchr(line, ','), *q1 = c1 ? strchr(c1 + 1, '"') : NULL;
        char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        if (!c1 || !q1 || !q2) {
            CHECK(0);
            continue;
        }
        *c1 = '\0';
        *(q1 - 1) = '\0';
        *q2 = '\0';
        bool closed = !strcmp(q2 + 2, "closed");
        run_case(line, c1 + 1, q1 + 1, closed, &t);
    }
    free(cases);
    printf("weights: %d cases, %d weights; largest relative difference %.3g (closed forms), "
           "%.3g (iterative)\n",
           t.cases, t.weights, t.worst_closed, t.worst_iter);
    printf("estimates: %d (proportions, means, totals and their SEs); largest relative "
           "difference %.3g (closed forms), %.3g (iterative)\n",
           t.estimates, t.worst_est_closed, t.worst_est_iter);
    CHECK(t.cases >= 29);
}

int main(void)
{
    RUN(test_weights_match_r);
    DONE();
}
