/*
 * test_replicates.c — replicates made from a design (--make-replicates):
 * for a paired design (two PSUs per stratum) fully balanced BRR gives the
 * with-replacement linearization variance of a total exactly, whatever
 * Hadamard matrix is used; and bad designs are refused with a message.
 * And a domain's degrees of freedom are R's on a file with more distinct
 * replicate-weight patterns than the design keeps (gen_patterns.R).
 * The rank of a domain of made jackknife replicates, found from their
 * structure, is dqrdc2's on the domain's PSUs x replicates matrix; and
 * the QR that applies a reflection to eight columns at once leaves every
 * value as the one-column-at-a-time dqrdc2 does.
 */
#include "stats/stats.h"
#include "harness.h"

static const char csv[] =
    "st,psu,x,w\n"
    "1,1,3,1.5\n1,1,5,1.5\n1,2,2,2\n1,2,8,1\n"
    "2,1,1,1\n2,1,4,2\n2,2,7,1\n"
    "3,1,6,3\n3,2,2,1\n3,2,9,1\n3,2,3,2\n"
    "4,1,5,1\n4,2,5,1\n4,2,1,1\n"
    "5,1,2,2\n5,2,8,2\n";

static double total_se(const char *make)
{
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, sizeof csv - 1, "paired", &ds, e), SD_OK);
    /* x has decimals-free values: declare it scale through the data layer. */
    ((sd_var *)sd_dataset_find(ds, "x"))->measure = SD_MEASURE_SCALE;
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "x", NULL);
    sd_tabspec_set_option(s, "weight", "w", NULL);
    sd_tabspec_set_option(s, "strata", "st", NULL);
    sd_tabspec_set_option(s, "cluster", "psu", NULL);
    sd_tabspec_set_option(s, "nest", "true", NULL);
    if (make)
        sd_tabspec_set_option(s, "make-replicates", make, NULL);
    sd_work *r = NULL;
    double se = NAN;
    if (sd__tabulate_work(ds, s, &r, e) == SD_OK)
        se = r->tables[0].stats[0].total_se;
    else
        fprintf(stderr, "  %s\n", sd_error_message(e));
    sd__work_free(r);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
    sd_error_free(e);
    return se;
}

static void test_brr_equals_linearization_for_a_total(void)
{
    double lin = total_se(NULL), brr = total_se("brr");
    CHECK(lin > 0);
    CHECK_NEAR(brr, lin, 1e-12);
    /* JKn with two PSUs per stratum: the same again. */
    CHECK_NEAR(total_se("jkn"), lin, 1e-12);
}

static void test_brr_needs_pairs(void)
{
    const char bad[] = "st,psu,x\n1,1,1\n1,2,2\n1,3,3\n2,1,1\n2,2,2\n";
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(bad, sizeof bad - 1, "triples", &ds, e), SD_OK);
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "x", NULL);
    sd_tabspec_set_option(s, "strata", "st", NULL);
    sd_tabspec_set_option(s, "cluster", "psu", NULL);
    sd_tabspec_set_option(s, "nest", "true", NULL);
    sd_tabspec_set_option(s, "make-replicates", "brr", NULL);
    sd_work *r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_E_INVALID);
    CHECK_STR(sd_error_message(e), "--make-replicates brr needs exactly 2 PSUs in every stratum, "
                                   "and a stratum has 3: expected a paired design (or jkn)");
    sd_tabspec_free(s);
    sd_dataset_free(ds);
    sd_error_free(e);
}

/* The data of tests/oracle/gen_patterns.R, number for number (MINSTD):
 * 24,000 rows, JKn replicate weights with a noise below R's rank
 * tolerance, so nearly every row is its own pattern. */
static char *make_patterns_csv(size_t *len)
{
    const uint64_t m = 2147483647;
    uint64_t x = 20240611;
#define NEXTX() (x = (48271 * x) % m)
    size_t cap = (size_t)24000 * 16 * 26 + 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    n += (size_t)snprintf(buf, cap, "st,psu,w,g,y");
    for (int k = 1; k <= 16; k++)
        n += (size_t)snprintf(buf + n, cap - n, ",rw%d", k);
    buf[n++] = '\n';
    for (int i = 1; i <= 24000; i++) {
        int h = (i - 1) % 4;
        int j = (int)(NEXTX() % 4);
        double w = 1 + (double)(NEXTX() % 1000) / 100;
        int r = (int)(NEXTX() % 3);
        int g = h < 2 && r == 0 ? 1 : j != 3 && r == 1 ? 2 : 3;
        int y = (int)(NEXTX() % 2);
        n += (size_t)snprintf(buf + n, cap - n, "%d,%d,%.17g,%d,%d", h + 1, j + 1, w, g, y);
        for (int k = 0; k < 16; k++) {
            int hh = k / 4, jj = k % 4;
            double mult = h != hh ? 1 : j == jj ? 0 : 4.0 / 3.0;
            double u = (double)NEXTX() / (double)m;
            double rw = mult == 0 ? 0 : w * mult * (1 + 3e-6 * (2 * u - 1));
            n += (size_t)snprintf(buf + n, cap - n, ",%.17g", rw);
        }
        buf[n++] = '\n';
    }
#undef NEXTX
    *len = n;
    return buf;
}

static void test_df_past_the_pattern_cap(void)
{
    size_t len = 0;
    char *csv_text = make_patterns_csv(&len);
    CHECK(csv_text != NULL);
    if (!csv_text)
        return;
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv_text, len, "patterns", &ds, e), SD_OK);
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "y", NULL);
    sd_tabspec_add_col(s, "g", NULL);
    sd_tabspec_set_option(s, "weight", "w", NULL);
    sd_tabspec_set_option(s, "repweights", "^rw[0-9]+$", NULL);
    sd_tabspec_set_option(s, "reptype", "jkn", NULL);
    sd_tabspec_set_option(s, "rscales",
                          "0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,"
                          "0.75,0.75,0.75",
                          NULL);
    /* The patterns are found by blocks filled on threads (replicates.c):
     * the same patterns, numbered the same, on 1, 2 and 3 threads. */
    int32_t *one = NULL;
    static const char *const threads[] = {"1", "2", "3"};
    for (int k = 0; k < 3; k++) {
        sd_tabspec_set_option(s, "threads", threads[k], NULL);
        sd_work *rk = NULL;
        CHECK_INT(sd__tabulate_work(ds, s, &rk, e), SD_OK);
        if (!rk)
            continue;
        CHECK_INT(rk->design.nrows, 24000);
        CHECK_INT(rk->design.npattern, 20000);
        if (k == 0) {
            one = malloc(24000 * sizeof *one);
            if (one)
                memcpy(one, rk->design.pattern, 24000 * sizeof *one);
        } else if (one) {
            CHECK(memcmp(one, rk->design.pattern, 24000 * sizeof *one) == 0);
        }
        sd__work_free(rk);
    }
    free(one);
    sd_tabspec_set_option(s, "threads", "2", NULL);
    sd_work *r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_OK);
    /* R's degf of the whole sample and of g = 1, 2, 3. */
    static const double want[4] = {12, 6, 11, 12};
    FILE *fp = fopen("tests/oracle/fixtures/patterns_df.csv", "r");
    double fix[4] = {NAN, NAN, NAN, NAN};
    if (fp) {
        char line[128], dom[32];
        double v;
        int k = 0;
        while (k < 4 && fgets(line, sizeof line, fp))
            if (sscanf(line, "%31[^,],%lf", dom, &v) == 2)
                fix[k++] = v;
        fclose(fp);
    }
    for (int k = 0; k < 4; k++)
        CHECK_INT(fix[k], want[k]);
    if (r) {
        /* Past the cap: the rows over it are folded, not dropped. */
        CHECK_INT(r->design.npattern, 20000);
        CHECK(r->design.overflow > 3000);
        CHECK_INT(r->design.rank, 13);
        const sd_wtable *t = &r->tables[0];
        CHECK_INT(t->ncols, 4);
        for (size_t c = 0; c < t->ncols && c < 4; c++)
            CHECK_INT(t->stats[c].df, fix[c]);
    }
    sd__work_free(r);
    /* A cap reached in the first block (16,384 rows of 16 replicates),
     * whose rows were nearly all new: the rest are not looked up but over
     * the cap at once (replicates.c), even the 100 rows at the end that
     * repeat the first 100 (patterns 0..99 if they were looked up), with
     * the same df (the same rows again do not change a rank). */
    const char *body = strchr(csv_text, '\n') + 1, *cut = body;
    for (int k = 0; k < 100; k++)
        cut = strchr(cut, '\n') + 1;
    size_t extra = (size_t)(cut - body);
    char *more = malloc(len + extra);
    sd_dataset *ds2 = NULL;
    if (more) {
        memcpy(more, csv_text, len);
        memcpy(more + len, body, extra);
        CHECK_INT(sd_dataset_read_csv_mem(more, len + extra, "patterns", &ds2, e), SD_OK);
    }
    sd_tabspec_set_option(s, "patterns-max", "1000", NULL);
    r = NULL;
    if (ds2)
        CHECK_INT(sd__tabulate_work(ds2, s, &r, e), SD_OK);
    if (r) {
        CHECK_INT(r->design.nrows, 24100);
        CHECK_INT(r->design.npattern, 1000);
        CHECK_INT(r->design.overflow, 23100);
        size_t later = 0;
        for (size_t i = 16384; i < 24100; i++)
            later += r->design.pattern[i] == -2;
        CHECK_INT(later, 24100 - 16384);
        CHECK_INT(r->design.rank, 13);
        const sd_wtable *t = &r->tables[0];
        for (size_t c = 0; c < t->ncols && c < 4; c++)
            CHECK_INT(t->stats[c].df, fix[c]);
    }
    sd__work_free(r);
    sd_dataset_free(ds2);
    free(more);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
    sd_error_free(e);
    free(csv_text);
}

/* A design of strata of 1 to 6 PSUs (one of them sampled whole when
 * `census`), 1 to 3 rows a PSU, weights in [0.5, 3]; replicates made. */
static sd_work *made_design(const char *type, const char *lonely, bool census, uint64_t seed,
                            sd_dataset **dsp)
{
    static char buf[1 << 16];
    uint64_t x = seed;
#define NEXTX() (x = (48271 * x) % 2147483647)
    size_t n = (size_t)snprintf(buf, sizeof buf, "st,psu,w,fpc,y\n");
    int H = strcmp(type, "jk1") ? 7 : 1;
    for (int h = 1; h <= H; h++) {
        int nh = H == 1 ? 9 : h == 1 ? 1 : 1 + (int)(NEXTX() % 6);
        if (h == 2 && lonely)
            nh = 1; /* two lonely strata */
        for (int j = 1; j <= nh; j++) {
            int rows = 1 + (int)(NEXTX() % 3);
            for (int k = 0; k < rows; k++) {
                double w = 0.5 + (double)(NEXTX() % 2500) / 1000;
                int y = (int)(NEXTX() % 2);
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%d,%d,%.4f,%d,%d\n", h, j, w,
                                      census && h == H ? nh : 1000, y);
            }
        }
    }
#undef NEXTX
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(buf, n, "made", dsp, e), SD_OK);
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "y", NULL);
    sd_tabspec_set_option(s, "weight", "w", NULL);
    if (H > 1)
        sd_tabspec_set_option(s, "strata", "st", NULL);
    sd_tabspec_set_option(s, "cluster", "psu", NULL);
    sd_tabspec_set_option(s, "nest", "true", NULL);
    sd_tabspec_set_option(s, "fpc", "fpc", NULL);
    if (lonely)
        sd_tabspec_set_option(s, "lonely-psu", lonely, NULL);
    sd_tabspec_set_option(s, "make-replicates", type, NULL);
    sd_work *r = NULL;
    if (sd__tabulate_work(*dsp, s, &r, e) != SD_OK)
        fprintf(stderr, "  %s\n", sd_error_message(e));
    sd_tabspec_free(s);
    sd_error_free(e);
    return r;
}

static void test_made_rank_is_the_qr_rank(void)
{
    static const struct {
        const char *type, *lonely;
        bool census;
    } designs[] = {{"jk1", NULL, false},        {"jkn", "remove", false},
                   {"jkn", "adjust", false},    {"jkn", "adjust", true},
                   {"jkn", "certainty", true},  {"jkn", "average", false}};
    size_t compared = 0;
    for (size_t k = 0; k < sizeof designs / sizeof designs[0]; k++)
        for (uint64_t seed = 1; seed <= 4; seed++) {
            sd_dataset *ds = NULL;
            sd_work *r = made_design(designs[k].type, designs[k].lonely, designs[k].census,
                                     seed * 7919 + k, &ds);
            CHECK(r != NULL);
            if (!r) {
                sd_dataset_free(ds);
                continue;
            }
            const sd_design *d = &r->design;
            size_t P = d->nunits[0], R = d->nrep;
            double *w2 = calloc(P, sizeof *w2), *a = calloc(P * R, sizeof *a);
            uint64_t x = seed;
            /* Domains: all PSUs, none, one, and random ones kept with
             * probability 1/4 to 3/4, some whole strata left out. */
            for (int dom = 0; dom < 40 && w2 && a; dom++) {
                size_t m = 0;
                for (size_t p = 0; p < P; p++) {
                    x = (48271 * x) % 2147483647;
                    bool in = dom == 0   ? true
                              : dom == 1 ? false
                              : dom == 2 ? p == (size_t)seed % P
                              : dom % 3 == 0 && d->parent[0][p] % 2 == 0
                                  ? false
                                  : x % 4 < (uint64_t)(1 + dom % 3);
                    w2[p] = in ? 0.25 + (double)(x % 1000) / 100 : 0;
                }
                for (size_t p = 0; p < P; p++)
                    if (w2[p] > 0) {
                        for (size_t c = 0; c < R; c++)
                            a[c * P + m] = sqrt(w2[p]) * d->repmult[c * P + p];
                        m++;
                    }
                /* column-major m x R: close up the columns */
                for (size_t c = 1; c < R && m < P; c++)
                    memmove(a + c * m, a + c * P, m * sizeof *a);
                size_t want = m ? sd__qr_rank(a, m, R, SD_RANK_TOL) : 0, got = 99999;
                CHECK(sd__design_made_rank(d, w2, &got));
                if (got != want)
                    fprintf(stderr, "  %s %s seed %d domain %d: structure %zu, QR %zu\n",
                            designs[k].type, designs[k].lonely ? designs[k].lonely : "",
                            (int)seed, dom, got, want);
                CHECK_INT(got, want);
                compared++;
            }
            /* Weights too unequal: the structure stands aside. */
            for (size_t p = 0; w2 && p < P; p++)
                w2[p] = p == 0 ? 1e-6 : 1;
            size_t got = 0;
            CHECK(P < 2 || !sd__design_made_rank(d, w2, &got));
            free(w2);
            free(a);
            sd__work_free(r);
            sd_dataset_free(ds);
        }
    CHECK_INT(compared, 6 * 4 * 40);
}

/* dqrdc2 a column at a time, as engine/reprank.c had it: the reference. */
static double ref_norm2(const double *x, size_t n)
{
    double scale = 0, ssq = 1;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (a == 0)
            continue;
        if (scale < a) {
            ssq = 1 + ssq * (scale / a) * (scale / a);
            scale = a;
        } else {
            ssq += (a / scale) * (a / scale);
        }
    }
    return scale * sqrt(ssq);
}

static size_t ref_qr_rank(double *a, size_t m, size_t p, double tol)
{
    double *qraux = calloc(p, sizeof *qraux), *work1 = calloc(p, sizeof *work1);
    double *work2 = calloc(p, sizeof *work2), *tmp = calloc(m, sizeof *tmp);
    for (size_t j = 0; j < p; j++) {
        qraux[j] = work1[j] = work2[j] = ref_norm2(a + j * m, m);
        if (work2[j] == 0)
            work2[j] = 1;
    }
    size_t k = p, lup = m < p ? m : p;
    for (size_t l = 0; l < lup; l++) {
        while (l < k && qraux[l] < work2[l] * tol) {
            memcpy(tmp, a + l * m, m * sizeof *tmp);
            memmove(a + l * m, a + (l + 1) * m, (p - l - 1) * m * sizeof *a);
            memcpy(a + (p - 1) * m, tmp, m * sizeof *tmp);
            double q = qraux[l], w1 = work1[l], w2 = work2[l];
            memmove(qraux + l, qraux + l + 1, (p - l - 1) * sizeof *qraux);
            memmove(work1 + l, work1 + l + 1, (p - l - 1) * sizeof *work1);
            memmove(work2 + l, work2 + l + 1, (p - l - 1) * sizeof *work2);
            qraux[p - 1] = q;
            work1[p - 1] = w1;
            work2[p - 1] = w2;
            k--;
        }
        if (l + 1 == m)
            break;
        double *al = a + l * m;
        double nrm = ref_norm2(al + l, m - l);
        if (nrm == 0)
            continue;
        if (al[l] != 0)
            nrm = copysign(nrm, al[l]);
        for (size_t i = l; i < m; i++)
            al[i] /= nrm;
        al[l] += 1;
        for (size_t j = l + 1; j < p; j++) {
            double *aj = a + j * m;
            double t = 0;
            for (size_t i = l; i < m; i++)
                t -= al[i] * aj[i];
            t /= al[l];
            for (size_t i = l; i < m; i++)
                aj[i] += t * al[i];
            if (qraux[j] == 0)
                continue;
            double tt = 1 - (fabs(aj[l]) / qraux[j]) * (fabs(aj[l]) / qraux[j]);
            tt = tt > 0 ? tt : 0;
            if (tt < 1e-6) {
                qraux[j] = ref_norm2(aj + l + 1, m - l - 1);
                work1[j] = qraux[j];
            } else {
                qraux[j] *= sqrt(tt);
            }
        }
        qraux[l] = al[l];
        al[l] = -nrm;
    }
    free(qraux);
    free(work1);
    free(work2);
    free(tmp);
    return k < m ? k : m;
}

static void test_qr_by_eight_is_dqrdc2(void)
{
    uint64_t x = 12345;
#define NEXTX() (x = (48271 * x) % 2147483647)
    static const size_t shapes[][2] = {{40, 37}, {37, 40}, {9, 8}, {100, 19}, {3, 11},
                                       {64, 64}, {17, 1},  {1, 9}, {50, 23}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int kind = 0; kind < 3; kind++) {
            size_t m = shapes[s][0], p = shapes[s][1];
            double *a = calloc(m * p, sizeof *a), *b = calloc(m * p, sizeof *b);
            for (size_t j = 0; j < p; j++)
                for (size_t i = 0; i < m; i++) {
                    double v = (double)(NEXTX() % 2000) / 1000 - 1;
                    /* kind 1: every third column a mix of two earlier ones;
                     * kind 2: also columns of zeros and tiny ones */
                    if (kind >= 1 && j >= 2 && j % 3 == 2)
                        v = 0.5 * a[(j - 1) * m + i] - 2 * a[(j - 2) * m + i];
                    if (kind == 2 && j % 5 == 4)
                        v = j % 10 == 4 ? 0 : v * 1e-9;
                    a[j * m + i] = v;
                }
            memcpy(b, a, m * p * sizeof *a);
            size_t got = sd__qr_rank(a, m, p, SD_RANK_TOL), want = ref_qr_rank(b, m, p, SD_RANK_TOL);
            CHECK_INT(got, want);
            CHECK(memcmp(a, b, m * p * sizeof *a) == 0); /* every value, bit for bit */
            free(a);
            free(b);
        }
#undef NEXTX
}

/* The given replicate weights' check (replicates.c, check_replicates) on
 * 9,000 rows, the columns shared between two threads: an infinity in rw2
 * and a NaN in rw3 (a .sav can hold both) are refused, rw2's named (the
 * first column in order) with its row; a huge one is refused as too large
 * for the sums, with the row of the largest; a file without them reads. */
static void test_replicate_values_checked(void)
{
    enum { N = 9000 };
    static const struct {
        size_t col, row;
        double x;
        sd_status st;
        const char *msg;
    } cases[] = {
        {1, 5000, INFINITY, SD_E_INVALID, "replicate weight 'rw2' in row 5001: expected a finite number"},
        {2, 10, NAN, SD_E_INVALID, "replicate weight 'rw3' in row 11: expected a finite number"},
        {2, 7000, -1e300, SD_E_TOO_LARGE, NULL},
        {0, 0, 1, SD_OK, NULL},
    };
    for (size_t k = 0; k < 4; k++) {
        sd_dataset *ds = sd__dataset_new("mem");
        ds->nrows = N;
        sd__dataset_reserve_rows(ds, N);
        static const char *const names[] = {"y", "w", "rw1", "rw2", "rw3"};
        for (int j = 0; j < 5; j++) {
            sd_var *v = NULL;
            sd__dataset_add_var(ds, names[j], SD_TYPE_NUMERIC, &v, NULL);
            for (size_t r = 0; v && r < N; r++) {
                v->sysmis[r] = 0;
                v->num[r] = j == 0 ? (double)(r % 2) : j == 1 ? 1 : (double)((r + (size_t)j) % 3);
            }
        }
        ds->vars[2 + cases[k].col]->num[cases[k].row] = cases[k].x;
        if (k == 0)
            ds->vars[4]->num[10] = NAN; /* rw3's, earlier in the rows: rw2 is named */
        sd_tabspec *s = sd_tabspec_new();
        sd_error *e = sd_error_new();
        sd_tabspec_add_row(s, "y", NULL);
        sd_tabspec_set_option(s, "weight", "w", NULL);
        sd_tabspec_set_option(s, "repweights", "^rw[0-9]+$", NULL);
        sd_tabspec_set_option(s, "reptype", "jk1", NULL);
        sd_tabspec_set_option(s, "threads", "2", NULL);
        sd_work *r = NULL;
        CHECK_INT(sd__tabulate_work(ds, s, &r, e), cases[k].st);
        if (cases[k].msg)
            CHECK_STR(sd_error_message(e), cases[k].msg);
        if (k == 2)
            CHECK(strstr(sd_error_message(e), "'rw3' is -1e+300 in row 7001") != NULL);
        sd__work_free(r);
        sd_tabspec_free(s);
        sd_error_free(e);
        sd_dataset_free(ds);
    }
}

/* The rank of a triangular factor (sd__rf_rank_of) answers without the QR
 * where dqrdc2's answer is plain (reprank.c: every diagonal far above tol
 * times its column's norm): the same rank as the QR itself on random
 * factors whose diagonals lie on both sides of the threshold, near it and
 * far from it. */
static void test_factor_rank_quick(void)
{
    static const double ratio[] = {0,     1e-9, 1e-7,   5e-7,   0.99e-5, 1.01e-5,
                                   2e-5, 1e-4, 1.7e-4, 1e-3,   0.3,     0.9};
    uint64_t x = 12345;
    int differ = 0, full = 0, short_ = 0;
    for (int it = 0; it < 400; it++) {
        x = (48271 * x) % 2147483647;
        size_t R = 2 + x % 60;
        double *T = calloc(R * R, sizeof *T), *a = calloc(R * R, sizeof *a);
        for (size_t r = 0; r < R; r++)
            for (size_t c = r + 1; c < R; c++) {
                x = (48271 * x) % 2147483647;
                T[r * R + c] = (double)(x % 2001) / 1000 - 1;
            }
        for (size_t l = 0; l < R; l++) {
            x = (48271 * x) % 2147483647;
            /* most diagonals plainly large; now and then one at a ratio */
            double q = x % 7 ? 0.5 : ratio[(x / 7) % (sizeof ratio / sizeof *ratio)];
            double s2 = 0;
            for (size_t r = 0; r < l; r++)
                s2 += T[r * R + l] * T[r * R + l];
            T[l * R + l] = l == 0 ? (q > 0 ? 1 : 0) : q * sqrt(s2) / sqrt(1 - q * q);
            if (x % 97 == 0) /* a replicate all zero so far */
                for (size_t r = 0; r <= l; r++)
                    T[r * R + l] = 0;
        }
        for (size_t r = 0; r < R; r++)
            for (size_t c = r; c < R; c++)
                a[c * R + r] = T[r * R + c];
        size_t want = sd__qr_rank(a, R, R, SD_RANK_TOL), got = sd__rf_rank_of(T, R);
        differ += got != want;
        full += want == R;
        short_ += want < R;
        free(T);
        free(a);
    }
    CHECK_INT(differ, 0);
    CHECK(full > 50 && short_ > 50);
}

int main(void)
{
    RUN(test_brr_equals_linearization_for_a_total);
    RUN(test_brr_needs_pairs);
    RUN(test_df_past_the_pattern_cap);
    RUN(test_replicate_values_checked);
    RUN(test_made_rank_is_the_qr_rank);
    RUN(test_qr_by_eight_is_dqrdc2);
    RUN(test_factor_rank_quick);
    DONE();
}
