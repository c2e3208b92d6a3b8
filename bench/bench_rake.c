/*
 * bench_rake.c — how fast sondage rakes: N respondents on 4 margins of 10
 * categories (issue 15's benchmark), in process, timed with
 * CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID (one thread: the library
 * does not spawn any).
 *
 *   bench_rake [--runs R] [--csv OUT.csv] [--targets OUT.csv] [--weights OUT.bin] N
 *
 * The data are made here (splitmix64, the same on every machine): margins
 * m1..m4 with codes 1..10, skewed and correlated (each margin leans on the
 * previous one, so raking needs several sweeps), and a base weight w in
 * 0.50..3.00 (two decimals). The targets are each margin's categories in
 * the shares 6..15 % (the sample's are far from them), times 1.2 times the
 * base weights' total. Timed, best of R runs (default 3):
 *
 *   default_s   sd_weight with R's rake defaults (maxit 10, epsilon 1: it
 *               stops when the joint table moves by less than 1; --force, as
 *               R only warns when 10 sweeps were not enough)
 *   ten_s       sd_weight forced to exactly 10 sweeps (max-iter 10,
 *               tolerance 1e-300), the "per 10 iterations" figure
 *   sweeps      the sweeps the default run needed
 *
 * Each timed call is the whole of sd_weight: the categories of every row,
 * the patterns (cells of the joint table), the sweeps, every row's weight,
 * and the diagnostics (median, Kish efficiency, margins, groups). Building
 * the dataset is not timed. --csv, --targets and --weights write the data,
 * the targets (margin,code,total) and the 10-sweep weights (raw doubles,
 * native order) for bench/r_rake.R, which rakes the same data in R and
 * compares every weight.
 */
#include "core/core.h"
#include "data/data.h"
#include "weight/weight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NMARG 4
#define NCAT 10

static double now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int fail(const char *what, const sd_error *err)
{
    fprintf(stderr, "bench_rake: %s: %s\n", what, err ? sd_error_message(err) : "failed");
    return 1;
}

int main(int argc, char **argv)
{
    int runs = 3;
    const char *csv = NULL, *tcsv = NULL, *wbin = NULL;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csv = argv[++i];
        else if (!strcmp(argv[i], "--targets") && i + 1 < argc)
            tcsv = argv[++i];
        else if (!strcmp(argv[i], "--weights") && i + 1 < argc)
            wbin = argv[++i];
        else
            n = (size_t)strtoull(argv[i], NULL, 10);
    }
    if (n == 0 || runs < 1) {
        fputs("usage: bench_rake [--runs R] [--csv OUT.csv] [--targets OUT.csv] "
              "[--weights OUT.bin] N\n",
              stderr);
        return 2;
    }
    sd_error *err = sd_error_new();
    /* The data. */
    sd_dataset *ds = sd__dataset_new("bench");
    sd_var *v[NMARG + 1];
    static const char *const names[] = {"m1", "m2", "m3", "m4", "w"};
    for (int k = 0; k <= NMARG; k++)
        if (!ds || sd__dataset_add_var(ds, names[k], SD_TYPE_NUMERIC, &v[k], err) != SD_OK)
            return fail("dataset", err);
    if (!sd__dataset_reserve_rows(ds, n))
        return fail("dataset rows", NULL);
    uint64_t seed = 20261124;
    double total = 0;
    for (size_t r = 0; r < n; r++) {
        int prev = 0;
        for (int k = 0; k < NMARG; k++) {
            /* Skewed: code c with weight (c + k)^-1.2-ish, leaning on the
             * previous margin's code. */
            double u = unif(&seed);
            int c = (int)(u * u * NCAT);
            if (k > 0 && unif(&seed) < 0.35)
                c = prev;
            c = c < 0 ? 0 : c >= NCAT ? NCAT - 1 : c;
            prev = c;
            v[k]->num[r] = c + 1;
            v[k]->sysmis[r] = 0;
        }
        double w = (double)(50 + splitmix(&seed) % 251) / 100.0;
        v[NMARG]->num[r] = w;
        v[NMARG]->sysmis[r] = 0;
        total += w;
    }
    ds->nrows = n;
    /* The targets: shares 6..15 %, rotated per margin. */
    double pop = 1.2 * total, target[NMARG][NCAT];
    sd_strbuf y;
    sd__sb_init(&y, 1 << 20);
    sd__sb_puts(&y, "margins:\n");
    for (int k = 0; k < NMARG; k++) {
        sd__sb_printf(&y, "  m%d: {", k + 1);
        for (int c = 0; c < NCAT; c++) {
            target[k][c] = pop * (6 + (c + 3 * k) % NCAT) / 105.0;
            sd__sb_printf(&y, "%s%d: ", c ? ", " : "", c + 1);
            sd__sb_num(&y, target[k][c]);
        }
        sd__sb_puts(&y, "}\n");
    }
    sd_targets *t = NULL;
    if (sd__sb_status(&y) != SD_OK ||
        sd_targets_read_mem(sd__sb_str(&y), y.len, "bench.yml", &t, err) != SD_OK)
        return fail("targets", err);
    sd__sb_free(&y);
    if (tcsv) {
        FILE *fp = fopen(tcsv, "w");
        if (!fp)
            return fail(tcsv, NULL);
        fputs("margin,code,total\n", fp);
        for (int k = 0; k < NMARG; k++)
            for (int c = 0; c < NCAT; c++) {
                char b[SD_NUMBUF];
                sd__fmt_double(b, target[k][c]);
                fprintf(fp, "m%d,%d,%s\n", k + 1, c + 1, b);
            }
        fclose(fp);
    }
    if (csv) {
        FILE *fp = fopen(csv, "w");
        if (!fp)
            return fail(csv, NULL);
        fputs("m1,m2,m3,m4,w\n", fp);
        for (size_t r = 0; r < n; r++)
            fprintf(fp, "%d,%d,%d,%d,%.2f\n", (int)v[0]->num[r], (int)v[1]->num[r],
                    (int)v[2]->num[r], (int)v[3]->num[r], v[NMARG]->num[r]);
        fclose(fp);
    }
    /* The runs. */
    double best[2] = {1e300, 1e300}, cpu[2] = {0, 0};
    int sweeps = 0;
    for (int mode = 0; mode < 2; mode++)
        for (int run = 0; run < runs; run++) {
            sd_tabspec *s = sd_tabspec_new();
            if (!s || sd_tabspec_set_option(s, "weight", "w", err) != SD_OK ||
                sd_tabspec_set_option(s, "force", "true", err) != SD_OK ||
                (mode == 1 && (sd_tabspec_set_option(s, "max-iter", "10", err) != SD_OK ||
                               sd_tabspec_set_option(s, "tolerance", "1e-300", err) != SD_OK)))
                return fail("options", err);
            sd_weighting *w = NULL;
            double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            if (sd_weight(ds, s, t, &w, err) != SD_OK)
                return fail("sd_weight", err);
            double t1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
            if (t1 - t0 < best[mode]) {
                best[mode] = t1 - t0;
                cpu[mode] = c1 - c0;
            }
            if (mode == 0)
                sweeps = w->iterations;
            if (mode == 1 && w->iterations != 10)
                return fail("forced sweeps", NULL);
            if (mode == 1 && run == 0 && wbin) {
                FILE *fp = fopen(wbin, "wb");
                if (!fp || fwrite(sd_weighting_weights(w), sizeof(double), n, fp) != n)
                    return fail(wbin, NULL);
                fclose(fp);
            }
            if (mode == 1 && run == 0) {
                printf("efficiency %.6f\n", w->after.eff);
                printf("max_margin_error %.6g\n", w->max_error);
            }
            sd_weighting_free(w);
            sd_tabspec_free(s);
        }
    printf("rows %zu\n", n);
    printf("default_s %.4f\n", best[0]);
    printf("default_cpu_s %.4f\n", cpu[0]);
    printf("sweeps %d\n", sweeps);
    printf("ten_s %.4f\n", best[1]);
    printf("ten_cpu_s %.4f\n", cpu[1]);
    sd_targets_free(t);
    sd_dataset_free(ds);
    sd_error_free(err);
    return 0;
}
