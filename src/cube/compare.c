/*
 * compare.c — change between two independent samples of the same survey
 * (two waves): for each cell present in both, the difference of the
 * estimates, its standard error sqrt(se1^2 + se2^2) (independent samples:
 * no covariance), and a two-sided p-value. The degrees of freedom are
 * the smaller of the two cells' (a conservative choice; with replicate or
 * large designs this is close to the normal). Works on results alone:
 * cells are matched by what their rows and columns stand for (type and
 * key), so the waves' datasets need not be at hand.
 */
#include "cube.h"

#include <math.h>
#include <string.h>

static long find_cat(const sd_ccat *c, const sd_ccat *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i].type == c->type && strcmp(set[i].key, c->key) == 0)
            return (long)i;
    return -1;
}

/* The estimate a cell's change is about: its proportion, or its mean. */
static sd_figure est_of(const sd_table *t)
{
    return t->kind == SD_TABLE_SUMMARY ? SD_FIG_MEAN : SD_FIG_PCT;
}

sd_status sd_result_compare(sd_result *res, const sd_result *prev, sd_error *err)
{
    if (prev->ntables != res->ntables)
        return sd__fail(err, SD_E_INVALID, prev->source, 0, 0, NULL,
                        "the compared file gives %zu tables where this one gives %zu: expected "
                        "the same --rows and --cols",
                        prev->ntables, res->ntables);
    for (size_t ti = 0; ti < res->ntables; ti++) {
        const sd_table *u = &prev->tables[ti];
        if (strcmp(res->tables[ti].row_var, u->row_var) != 0)
            return sd__fail(err, SD_E_INVALID, prev->source, 0, 0, res->tables[ti].row_var,
                            "the compared file's table %zu is '%s', not '%s'", ti + 1,
                            u->row_var, res->tables[ti].row_var);
    }
    for (size_t ti = 0; ti < res->ntables; ti++) {
        sd_table *t = &res->tables[ti];
        const sd_table *u = &prev->tables[ti];
        sd_figure fe = est_of(t);
        for (size_t r = 0; r < t->nrows; r++) {
            long ur = find_cat(&t->rows[r], u->rows, u->nrows);
            for (size_t c = 0; c < t->ncols; c++) {
                double *f = t->cells[r * t->ncols + c].fig;
                f[SD_FIG_PREV] = f[SD_FIG_CHANGE] = f[SD_FIG_CHANGE_SE] = f[SD_FIG_CHANGE_P] =
                    NAN;
                long uc = find_cat(&t->cols[c], u->cols, u->ncols);
                if (ur < 0 || uc < 0)
                    continue;
                const double *g = u->cells[(size_t)ur * u->ncols + (size_t)uc].fig;
                f[SD_FIG_PREV] = g[fe];
                f[SD_FIG_CHANGE] = f[fe] - g[fe];
                f[SD_FIG_CHANGE_SE] =
                    sqrt(f[SD_FIG_SE] * f[SD_FIG_SE] + g[SD_FIG_SE] * g[SD_FIG_SE]);
                double df = f[SD_FIG_DF] < g[SD_FIG_DF] ? f[SD_FIG_DF] : g[SD_FIG_DF];
                f[SD_FIG_CHANGE_P] =
                    f[SD_FIG_CHANGE_SE] > 0
                        ? sd__pt_upper2(f[SD_FIG_CHANGE] / f[SD_FIG_CHANGE_SE], df)
                        : NAN;
            }
        }
    }
    sd__free(res->compared);
    if (!(res->compared = sd__strdup(prev->source)))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    return SD_OK;
}
