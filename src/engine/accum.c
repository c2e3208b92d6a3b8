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
    a->n = sd__zalloc_sums(nlq ? nlq : 1, sizeof(double));
    a->w = sd__zalloc_sums(nlq ? nlq : 1, sizeof(double));
    a->miss_n = sd__zalloc_sums(nk, sizeof(double));
    a->miss_w = sd__zalloc_sums(nk, sizeof(double));
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
        a->unit_tot = sd__zalloc_sums(k ? k : 1, sizeof(double));
        return a->unit_tot != NULL;
    case SD_VMODE_MOMENTS:
        a->nstrata = count;
        if (!sd__mul_ok(count, a->nlq, &k) || !sd__mul_ok(k, a->nlq, &k) || k > VAR_SUMS_MAX)
            return false;
        a->st_sum = sd__zalloc_sums(count > 0 ? count * a->nlq : 1, sizeof(double));
        if (diag) {
            a->st_diag = sd__zalloc_sums(count > 0 ? count * a->nlq : 1, sizeof(double));
            return a->st_sum && a->st_diag;
        }
        a->st_cross = sd__zalloc_sums(k ? k : 1, sizeof(double));
        return a->st_sum && a->st_cross;
    case SD_VMODE_REPS:
        a->nrep = count;
        if (!sd__mul_ok(count, a->nlq, &k) || k > VAR_SUMS_MAX)
            return false;
        a->rep_tot = sd__zalloc_sums(k ? k : 1, sizeof(double));
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
    a->cal_a = sd__zalloc_sums(k, sizeof(double));
    if (nstrata)
        a->cal_sza = sd__zalloc_sums(ks, sizeof(double));
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

bool sd__accum_init_glm(sd_accum *a)
{
    if (!a->glm_a) {
        a->glm_a = sd__zalloc(a->nlq ? a->nlq : 1, sizeof *a->glm_a);
        a->glm_al = sd__zalloc(a->nlq ? a->nlq : 1, sizeof *a->glm_al);
        a->glm_d = sd__zalloc(a->nlq ? a->nlq : 1, sizeof *a->glm_d);
    }
    return a->glm_a && a->glm_al && a->glm_d;
}

/* Sizes of the optional arrays of a set of sums. */
static size_t n_unit(const sd_accum *a) { return a->nunits * a->nlq; }
static size_t n_st(const sd_accum *a) { return a->nstrata * a->nlq; }
static size_t n_cross(const sd_accum *a) { return a->nstrata * a->nlq * a->nlq; }
static size_t n_rep(const sd_accum *a) { return a->nrep * a->nlq; }
static size_t n_pat(const sd_accum *a) { return a->ncols * a->npattern; }
static size_t n_cal(const sd_accum *a) { return a->nlq * a->calp; }
static size_t n_sza(const sd_accum *a) { return a->nstrata * a->nlq * a->calp; }

static double *dup_zero(const double *src, size_t n, bool *ok)
{
    if (!src)
        return NULL;
    double *p = sd__zalloc_sums(n ? n : 1, sizeof *p);
    if (!p)
        *ok = false;
    return p;
}

bool sd__accum_init_like(sd_accum *dst, const sd_accum *src)
{
    if (!sd__accum_init(dst, src->nrows, src->ncols))
        return false;
    bool ok = true;
    dst->vmode = src->vmode;
    dst->nunits = src->nunits;
    dst->nstrata = src->nstrata;
    dst->nrep = src->nrep;
    dst->npattern = src->npattern;
    dst->calp = src->calp;
    dst->ovf_u = src->ovf_u;
    dst->unit_tot = dup_zero(src->unit_tot, n_unit(src), &ok);
    dst->st_sum = dup_zero(src->st_sum, n_st(src), &ok);
    dst->st_cross = dup_zero(src->st_cross, n_cross(src), &ok);
    dst->st_diag = dup_zero(src->st_diag, n_st(src), &ok);
    dst->rep_tot = dup_zero(src->rep_tot, n_rep(src), &ok);
    dst->glm_a = dup_zero(src->glm_a, src->nlq, &ok);
    dst->glm_al = dup_zero(src->glm_al, src->nlq, &ok);
    dst->glm_d = dup_zero(src->glm_d, src->nlq, &ok);
    dst->pat_w2 = dup_zero(src->pat_w2, n_pat(src), &ok);
    dst->cal_a = dup_zero(src->cal_a, n_cal(src), &ok);
    dst->cal_sza = dup_zero(src->cal_sza, n_sza(src), &ok);
    if (ok && src->ovf) {
        if (!(dst->ovf = sd__zalloc(src->ncols ? src->ncols : 1, sizeof *dst->ovf)))
            ok = false;
        for (size_t c = 0; ok && c < src->ncols; c++)
            ok = sd__rf_init(&dst->ovf[c], src->nrep);
    }
    if (!ok)
        sd__accum_free(dst);
    return ok;
}

static void zero(double *p, size_t n)
{
    if (p)
        memset(p, 0, n * sizeof *p);
}

void sd__accum_zero(sd_accum *a)
{
    zero(a->n, a->nlq);
    zero(a->w, a->nlq);
    zero(a->miss_n, a->ncols);
    zero(a->miss_w, a->ncols);
    a->bm_n = a->bm_w = 0;
    zero(a->unit_tot, n_unit(a));
    zero(a->st_sum, n_st(a));
    zero(a->st_cross, n_cross(a));
    zero(a->st_diag, n_st(a));
    zero(a->rep_tot, n_rep(a));
    zero(a->glm_a, a->nlq);
    zero(a->glm_al, a->nlq);
    zero(a->glm_d, a->nlq);
    zero(a->pat_w2, n_pat(a));
    zero(a->cal_a, n_cal(a));
    zero(a->cal_sza, n_sza(a));
    for (size_t c = 0; a->ovf && c < a->ncols; c++) {
        size_t R = a->nrep;
        zero(a->ovf[c].T, R * R);
        a->ovf[c].nx = a->ovf[c].rows = a->ovf[c].next = 0;
        a->ovf[c].full = false;
    }
}

static void add_all(double *dst, const double *src, size_t n)
{
    if (!dst || !src)
        return;
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

void sd__accum_merge(sd_accum *dst, const sd_accum *src)
{
    add_all(dst->n, src->n, dst->nlq);
    add_all(dst->w, src->w, dst->nlq);
    add_all(dst->miss_n, src->miss_n, dst->ncols);
    add_all(dst->miss_w, src->miss_w, dst->ncols);
    dst->bm_n += src->bm_n;
    dst->bm_w += src->bm_w;
    add_all(dst->unit_tot, src->unit_tot, n_unit(dst));
    add_all(dst->st_sum, src->st_sum, n_st(dst));
    add_all(dst->st_cross, src->st_cross, n_cross(dst));
    add_all(dst->st_diag, src->st_diag, n_st(dst));
    add_all(dst->rep_tot, src->rep_tot, n_rep(dst));
    add_all(dst->glm_a, src->glm_a, dst->nlq);
    add_all(dst->glm_al, src->glm_al, dst->nlq);
    add_all(dst->glm_d, src->glm_d, dst->nlq);
    add_all(dst->pat_w2, src->pat_w2, n_pat(dst));
    add_all(dst->cal_a, src->cal_a, n_cal(dst));
    add_all(dst->cal_sza, src->cal_sza, n_sza(dst));
    /* Triangular factors merge by folding src's rows into dst's. */
    for (size_t c = 0; dst->ovf && src->ovf && c < dst->ncols; c++)
        sd__rf_merge(&dst->ovf[c], &src->ovf[c], dst->nrep, dst->ovf_u);
}

bool sd__accum_finish(sd_accum *a, bool bases_from_cells)
{
    for (size_t c = 0; a->ovf && c < a->ncols; c++)
        sd__rf_finish(&a->ovf[c], a->nrep, a->ovf_u);
    if (!a->rep_tot)
        return true;
    size_t R = a->nrep, L = a->nlq, nc = a->ncols, cells = a->nrows * nc;
    if (bases_from_cells) {
        /* The pass put a row in its banner column's cell only (pass.c,
         * reps_rows): a Total cell adds its row's columns. */
        for (size_t k = 0; k < a->nrows; k++) {
            double *t0 = a->rep_tot + k * nc * R;
            for (size_t c = 1; c < nc; c++) {
                const double *x = t0 + c * R;
                for (size_t q = 0; q < R; q++)
                    t0[q] += x[q];
            }
        }
        /* Every valid row is in one category: a base is its cells' sum. */
        for (size_t c = 0; c < nc; c++) {
            double *b = a->rep_tot + (cells + c) * R;
            memset(b, 0, R * sizeof *b);
            for (size_t k = 0; k < a->nrows; k++) {
                const double *x = a->rep_tot + (k * nc + c) * R;
                for (size_t q = 0; q < R; q++)
                    b[q] += x[q];
            }
        }
    }
    double *t = sd__zalloc(R * L > 0 ? R * L : 1, sizeof *t);
    if (!t)
        return false;
    for (size_t l = 0; l < L; l++)
        for (size_t q = 0; q < R; q++)
            t[q * L + l] = a->rep_tot[l * R + q];
    sd__free(a->rep_tot);
    a->rep_tot = t;
    return true;
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
    sd_dataset_free(r->keep);
    sd__free(r);
}

