/*
 * bench_engine.c — the benchmark's in-process timer: how fast the library
 * itself reads CSV and tabulates, without process start-up, output or the
 * shell in the way.
 *
 *   bench_engine [--runs R] [--rows q1,...] [--cols role] [--weight w]
 *                [--set KEY=VALUE]... FILE.csv
 *
 * Each run times, with CLOCK_MONOTONIC: sd__read_file (file -> memory, page
 * cache warm), sd__read_csv (memory -> dataset: the "CSV read" figure), and
 * sd_tabulate (every row variable by the banner, weighted). The best of R
 * runs (default 3) of each step is reported, one `key value` line each, so
 * bench/run.sh can pick them with awk.
 *
 * Cell updates: one per (row, table) accumulation into a cell, counted for
 * the Total column and the banner column, i.e. rows x tables x 2, whether or
 * not the row's answer is missing (a missing answer updates the missing
 * counts instead). This is a nominal rate for comparison, not a count of
 * additions: each update adds to n and to the weighted sum.
 *
 * --set passes a design option to sd_tabspec_set_option (e.g. --set
 * cluster=psu --set strata=stratum), to see what a design costs.
 *
 * `plan_s` times sd__catmap_build (engine-private, src/engine/plan.h) for
 * the same variables, once each: the part of sd_tabulate that is the
 * category scan rather than the accumulation pass.
 */
#include "core/core.h"
#include "engine/engine.h"
#include "engine/plan.h"
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(const char *what, const sd_error *err)
{
    fprintf(stderr, "bench_engine: %s: %s: %s\n", what, sd_status_str(sd_error_status(err)),
            sd_error_message(err));
    return 1;
}

/* Split a comma list into spec rows or cols. */
static int add_list(sd_tabspec *spec, const char *list, int rows, sd_error *err)
{
    char buf[4096];
    if (strlen(list) >= sizeof buf)
        return 0;
    memcpy(buf, list, strlen(list) + 1);
    for (char *p = buf, *q; p; p = q) {
        q = strchr(p, ',');
        if (q)
            *q++ = '\0';
        if (!*p)
            continue;
        sd_status st = rows ? sd_tabspec_add_row(spec, p, err) : sd_tabspec_add_col(spec, p, err);
        if (st != SD_OK)
            return 0;
    }
    return 1;
}

static int usage(void)
{
    fputs("usage: bench_engine [--runs R] [--rows LIST] [--cols LIST] [--weight VAR] "
          "[--set KEY=VALUE]... FILE.csv\n",
          stderr);
    return 2;
}

static double minf(double a, double b)
{
    return a < b ? a : b;
}

int main(int argc, char **argv)
{
    const char *rows = "q1,q2,q3,q4,q5,q6,q7,q8,q9,q10", *cols = "role", *weight = "w";
    const char *path = NULL, *sets[32];
    int runs = 3, nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            char *end;
            long r = strtol(argv[++i], &end, 10);
            if (*end || r < 1 || r > 100) {
                fputs("bench_engine: --runs: expected 1..100\n", stderr);
                return 2;
            }
            runs = (int)r;
        } else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
            rows = argv[++i];
        } else if (strcmp(argv[i], "--cols") == 0 && i + 1 < argc) {
            cols = argv[++i];
        } else if (strcmp(argv[i], "--weight") == 0 && i + 1 < argc) {
            weight = argv[++i];
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc && nsets < 32) {
            sets[nsets++] = argv[++i];
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            return usage();
        }
    }
    if (!path)
        return usage();

    sd_error *err = sd_error_new();
    sd_tabspec *spec = sd_tabspec_new();
    if (!err || !spec) {
        fputs("bench_engine: out of memory\n", stderr);
        return 1;
    }
    if (!add_list(spec, rows, 1, err) || !add_list(spec, cols, 0, err) ||
        (*weight && sd_tabspec_set_weight(spec, weight, err) != SD_OK))
        return fail("table spec", err);
    for (int i = 0; i < nsets; i++) {
        char key[64];
        const char *eq = strchr(sets[i], '=');
        if (!eq || (size_t)(eq - sets[i]) >= sizeof key)
            return usage();
        memcpy(key, sets[i], (size_t)(eq - sets[i]));
        key[eq - sets[i]] = '\0';
        if (sd_tabspec_set_option(spec, key, eq + 1, err) != SD_OK)
            return fail("--set", err);
    }

    double best_file = 1e300, best_parse = 1e300, best_tab = 1e300, best_plan = 1e300;
    double tab_cpu = 0;
    size_t nbytes = 0, nrows = 0, ncolumns = 0, ntables = 0, ncells = 0;
    for (int run = 0; run < runs; run++) {
        char *text = NULL;
        size_t len = 0;
        sd_dataset *ds = NULL;
        sd_result *res = NULL;

        double t0 = now(CLOCK_MONOTONIC);
        if (sd__read_file(path, &text, &len, err) != SD_OK)
            return fail("read file", err);
        double t1 = now(CLOCK_MONOTONIC);
        if (sd__read_csv(text, len, path, NULL, &ds, err) != SD_OK)
            return fail("read csv", err);
        double t2 = now(CLOCK_MONOTONIC);
        sd__free(text);

        double c3 = now(CLOCK_PROCESS_CPUTIME_ID);
        double t3 = now(CLOCK_MONOTONIC);
        if (sd_tabulate(ds, spec, &res, err) != SD_OK)
            return fail("tabulate", err);
        double t4 = now(CLOCK_MONOTONIC);
        double c4 = now(CLOCK_PROCESS_CPUTIME_ID);

        /* The category scans alone: every row variable and banner once. */
        double plan = 0;
        for (size_t i = 0; i < spec->nrows + spec->ncols; i++) {
            const char *name = i < spec->nrows ? spec->rows[i] : spec->cols[i - spec->nrows];
            long vi = sd__dataset_var_index(ds, name);
            if (vi < 0)
                continue;
            sd_catmap m;
            double p0 = now(CLOCK_MONOTONIC);
            if (sd__catmap_build(ds, (size_t)vi, SD_MISSING_EXCLUDE, i < spec->nrows, &m, err) !=
                SD_OK)
                return fail("catmap", err);
            plan += now(CLOCK_MONOTONIC) - p0;
            sd__catmap_free(&m);
        }

        /* Check the result is whole: in every table, the Total column's
         * base plus its missing count is every row. */
        ncells = 0;
        for (size_t ti = 0; ti < sd_result_ntables(res); ti++) {
            const sd_table *t = sd_result_table(res, ti);
            size_t nr = sd_table_size(t, SD_ROWS), nc = sd_table_size(t, SD_COLS);
            double sum = 0;
            for (size_t r = 0; r < nr; r++)
                sum += sd_table_cell(t, r, 0, SD_FIG_N);
            double base = sd_table_base(t, 0, SD_BASE_N);
            if (sum != base || base + sd_table_base(t, 0, SD_BASE_MISSING_N) != (double)ds->nrows) {
                fprintf(stderr, "bench_engine: table %zu does not add up\n", ti + 1);
                return 1;
            }
            ncells += nr * nc;
        }

        nbytes = len;
        nrows = ds->nrows;
        ncolumns = ds->nvars;
        ntables = sd_result_ntables(res);
        best_file = minf(best_file, t1 - t0);
        best_parse = minf(best_parse, t2 - t1);
        if (t4 - t3 < best_tab) {
            best_tab = t4 - t3;
            tab_cpu = c4 - c3;
        }
        best_plan = minf(best_plan, plan);
        sd_result_free(res);
        sd_dataset_free(ds);
    }

    double updates = (double)nrows * (double)ntables * 2.0;
    printf("# bench_engine: best of %d runs; MB = 10^6 bytes\n", runs);
    printf("# cell updates = rows x tables x 2 (Total column + banner column), one per\n"
           "# (row, table) accumulation; each adds to n and to the weighted sum\n");
    printf("file %s\n", path);
    for (int i = 0; i < nsets; i++)
        printf("set %s\n", sets[i]);
    printf("bytes %zu\n", nbytes);
    printf("rows %zu\n", nrows);
    printf("columns %zu\n", ncolumns);
    printf("tables %zu\n", ntables);
    printf("cells %zu\n", ncells);
    printf("read_file_s %.4f\n", best_file);
    printf("read_file_mb_s %.1f\n", (double)nbytes / 1e6 / best_file);
    printf("parse_s %.4f\n", best_parse);
    printf("csv_mb_s %.1f\n", (double)nbytes / 1e6 / best_parse);
    printf("tab_s %.4f\n", best_tab);
    printf("tab_cpu_s %.4f\n", tab_cpu);
    printf("plan_s %.4f\n", best_plan);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        printf("# whole program, all runs: page faults and system time (kernel)\n");
        printf("minor_faults %ld\n", ru.ru_minflt);
        printf("sys_s %.3f\n", (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6);
        printf("user_s %.3f\n", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6);
        printf("max_rss_kb %ld\n", ru.ru_maxrss);
    }
    printf("cell_updates %.0f\n", updates);
    printf("cell_updates_per_s %.4g\n", updates / best_tab);
    sd_tabspec_free(spec);
    sd_error_free(err);
    return 0;
}
