/*
 * compare.c — change between two independent samples of the same survey
 * (two waves): for each cell present in both, the difference of the
 * estimates, its standard error sqrt(se1^2 + se2^2) (independent samples:
 * no covariance), and a two-sided p-value. The degrees of freedom are
 * the smaller of the two cells' (a conservative choice; with replicate or
 * large designs this is close to the normal).
 */
#include "stats.h"

#include <math.h>
#include <string.h>

/* Does a category of `a` name the same thing as one of `b`? */
static bool same_cat(const sd_cat *a, const sd_dataset *da, const sd_table *ta, const sd_cat *b,
                     const sd_dataset *db, const sd_table *tb)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SD_CAT_TOTAL:
    case SD_CAT_MEAN:
    case SD_CAT_SUMSQ: return true;
    case SD_CAT_CODE: return a->code == b->code;
    case SD_CAT_STRING: return strcmp(a->str, b->str) == 0;
    case SD_CAT_ITEM: return strcmp(da->vars[a->index]->name, db->vars[b->index]->name) == 0;
    case SD_CAT_NET:
        return strcmp(da->vars[ta->row_index]->nets[a->index].name,
                      db->vars[tb->row_index]->nets[b->index].name) == 0;
    }
    return false;
}

static long find_cat(const sd_cat *c, const sd_dataset *da, const sd_table *ta,
                     const sd_cat *set, size_t n, const sd_dataset *db, const sd_table *tb)
{
    for (size_t i = 0; i < n; i++)
        if (same_cat(c, da, ta, &set[i], db, tb))
            return (long)i;
    return -1;
}

sd_status sd_result_compare(sd_result *res, const sd_dataset *ds, const sd_result *prev,
                            const sd_dataset *pds, sd_error *err)
{
    if (prev->ntables != res->ntables)
        return sd__fail(err, SD_E_INVALID, prev->source, 0, 0, NULL,
                        "the compared file gives %zu tables where this one gives %zu: expected "
                        "the same --rows and --cols",
                        prev->ntables, res->ntables);
    for (size_t ti = 0; ti < res->ntables; ti++) {
        sd_table *t = &res->tables[ti];
        const sd_table *u = &prev->tables[ti];
        if (strcmp(t->row_name, u->row_name) != 0 || !t->stats || !u->stats)
            return sd__fail(err, SD_E_INVALID, prev->source, 0, 0, t->row_name,
                            "the compared file's table %zu is '%s', not '%s'", ti + 1,
                            u->row_name, t->row_name);
        for (size_t r = 0; r < t->nrows; r++) {
            long ur = find_cat(&t->rows[r], ds, t, u->rows, u->nrows, pds, u);
            for (size_t c = 0; c < t->ncols; c++) {
                sd_cellstat *cs = &t->stats[r * t->ncols + c];
                long uc = find_cat(&t->cols[c], ds, t, u->cols, u->ncols, pds, u);
                cs->prev_est = cs->prev_se = cs->change = cs->change_se = cs->change_p = NAN;
                if (ur < 0 || uc < 0)
                    continue;
                const sd_cellstat *ps = &u->stats[(size_t)ur * u->ncols + (size_t)uc];
                cs->prev_est = ps->est;
                cs->prev_se = ps->se;
                cs->change = cs->est - ps->est;
                cs->change_se = sqrt(cs->se * cs->se + ps->se * ps->se);
                double df = cs->df < ps->df ? cs->df : ps->df;
                cs->change_p = cs->change_se > 0
                                   ? sd__pt_upper2(cs->change / cs->change_se, df)
                                   : NAN;
            }
        }
    }
    res->compared = true;
    if (prev->source && !(res->compare_source = sd__strdup(prev->source)))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    return SD_OK;
}
