/*
 * accum.c — a table's sums (engine.h, sd_accum): allocation with a cap on
 * the variance sums, freeing, and merging by addition (chunks of rows
 * tabulated apart add up to the whole); and freeing a tabulation's
 * working state.
 */
#include "plan.h"

#include <string.h>

bool sd__accum_init(sd_accum *a, size_t nrows, size_t ncols)
{
    memset(a, 0, sizeof *a);
    size_t cells, nlq;
    if (!sd__mul_ok(nrows, ncols, &cells) || !sd__add_ok(cells, ncols, &nlq))
        return false;
    a->nrows = nrows;
    a->ncols = ncols;
    a->nlq = nlq;
    size_t nk = ncols ? ncols : 1;
    a->n = sd__calloc(nlq ? nlq : 1, sizeof(double));
    a->w = sd__calloc(nlq ? nlq : 1, sizeof(double));
    a->miss_n = sd__calloc(nk, sizeof(double));
    a->miss_w = sd__calloc(nk, sizeof(double));
    if (!a->n || !a->w || !a->miss_n || !a->miss_w) {
        sd__accum_free(a);
        return false;
    }
    a->base_n = a->n + cells;
    a->base_w = a->w + cells;
    return true;
}

/* Cap on the variance sums of one table: 2^28 doubles (2 GiB). */
#define VAR_SUMS_MAX ((size_t)1 << 28)

bool sd__accum_init_var(sd_accum *a, sd_vmode mode, size_t count, bool diag)
{
    size_t k;
    a->vmode = mode;
    switch (mode) {
    case SD_VMODE_NONE: return true;
    case SD_VMODE_UNITS:
        a->nunits = count;
        if (!sd__mul_ok(count, a->nlq, &k) || k > VAR_SUMS_MAX)
            return false;
        a->unit_tot = sd__calloc(k ? k : 1, sizeof(double));
        return a->unit_tot != NULL;
    case SD_VMODE_MOMENTS:
        a->nstrata = count;
        if (!sd__mul_ok(count, a->nlq, &k) || !sd__mul_ok(k, a->nlq, &k) || k > VAR_SUMS_MAX)
            return false;
        a->st_sum = sd__calloc(count > 0 ? count * a->nlq : 1, sizeof(double));
        if (diag) {
            a->st_diag = sd__calloc(count > 0 ? count * a->nlq : 1, sizeof(double));
            return a->st_sum && a->st_diag;
        }
        a->st_cross = sd__calloc(k ? k : 1, sizeof(double));
        return a->st_sum && a->st_cross;
    case SD_VMODE_REPS:
        a->nrep = count;
        if (!sd__mul_ok(count, a->nlq, &k) || k > VAR_SUMS_MAX)
            return false;
        a->rep_tot = sd__calloc(k ? k : 1, sizeof(double));
        return a->rep_tot != NULL;
    }
    return false;
}

bool sd__accum_init_cal(sd_accum *a, size_t p, size_t nstrata)
{
    size_t k, ks;
    a->calp = p;
    if (!sd__mul_ok(a->nlq, p, &k) || k > VAR_SUMS_MAX || !sd__mul_ok(k, nstrata, &ks) ||
        ks > VAR_SUMS_MAX)
        return false;
    a->cal_a = sd__zalloc(k, sizeof(double));
    if (nstrata)
        a->cal_sza = sd__zalloc(ks, sizeof(double));
    return a->cal_a && (!nstrata || a->cal_sza);
}

void sd__accum_free(sd_accum *a)
{
    sd__free(a->n);
    sd__free(a->w);
    sd__free(a->miss_n);
    sd__free(a->miss_w);
    sd__free(a->unit_tot);
    sd__free(a->st_sum);
    sd__free(a->st_cross);
    sd__free(a->st_diag);
    sd__free(a->rep_tot);
    sd__free(a->glm_a);
    sd__free(a->glm_al);
    sd__free(a->glm_d);
    sd__free(a->pat_w2);
    sd__free(a->cal_a);
    sd__free(a->cal_sza);
    for (size_t c = 0; a->ovf && c < a->ncols; c++)
        sd__rf_free(&a->ovf[c]);
    sd__free(a->ovf);
    memset(a, 0, sizeof *a);
}

static void add_all(double *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

void sd__accum_merge(sd_accum *dst, const sd_accum *src)
{
    /* Triangular factors merge by folding src's rows into dst's. */
    for (size_t c = 0; dst->ovf && src->ovf && c < dst->ncols; c++)
        sd__rf_merge(&dst->ovf[c], &src->ovf[c], dst->nrep, dst->ovf_u);
    add_all(dst->n, src->n, dst->nlq);
    add_all(dst->w, src->w, dst->nlq);
    add_all(dst->miss_n, src->miss_n, dst->ncols);
    add_all(dst->miss_w, src->miss_w, dst->ncols);
    if (dst->unit_tot && src->unit_tot)
        add_all(dst->unit_tot, src->unit_tot, dst->nunits * dst->nlq);
    if (dst->st_sum && src->st_sum)
        add_all(dst->st_sum, src->st_sum, dst->nstrata * dst->nlq);
    if (dst->st_cross && src->st_cross)
        add_all(dst->st_cross, src->st_cross, dst->nstrata * dst->nlq * dst->nlq);
    if (dst->st_diag && src->st_diag)
        add_all(dst->st_diag, src->st_diag, dst->nstrata * dst->nlq);
    if (dst->rep_tot && src->rep_tot)
        add_all(dst->rep_tot, src->rep_tot, dst->nrep * dst->nlq);
    if (dst->cal_a && src->cal_a)
        add_all(dst->cal_a, src->cal_a, dst->nlq * dst->calp);
    if (dst->cal_sza && src->cal_sza)
        add_all(dst->cal_sza, src->cal_sza, dst->nstrata * dst->nlq * dst->calp);
}

void sd__work_free(sd_work *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntables; i++) {
        sd__free(r->tables[i].rows);
        sd__free(r->tables[i].cols);
        sd__free(r->tables[i].col_name);
        sd__free(r->tables[i].colpath);
        sd__free(r->tables[i].stats);
        sd__free(r->tables[i].mean_stats);
        sd__free(r->tables[i].pairs);
        sd__free(r->tables[i].sv_x);
        sd__free(r->tables[i].sv_w);
        sd__free(r->tables[i].sv_off);
        sd__free(r->tables[i].median);
        sd__accum_free(&r->tables[i].acc);
    }
    sd__free(r->tables);
    sd__free(r->weight);
    sd__free(r->source);
    sd__free(r->filter);
    sd__design_free(&r->design);
    sd__free(r);
}

