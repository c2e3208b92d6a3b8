/*
 * tabulate.c — resolve a table spec against a dataset and fill every
 * table's accumulators in one pass over the rows per table. The sums are
 * plain additions, so a chunk of rows can be tabulated apart and merged
 * with sd__accum_merge.
 */
#include "plan.h"

#include <math.h>
#include <string.h>

/* ---- accumulators */

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
    memset(a, 0, sizeof *a);
}

static void add_all(double *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

void sd__accum_merge(sd_accum *dst, const sd_accum *src)
{
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
}

void sd__work_free(sd_work *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntables; i++) {
        sd__free(r->tables[i].rows);
        sd__free(r->tables[i].cols);
        sd__free(r->tables[i].stats);
        sd__accum_free(&r->tables[i].acc);
    }
    sd__free(r->tables);
    sd__free(r->weight);
    sd__free(r->source);
    sd__design_free(&r->design);
    sd__free(r);
}

/* ---- name resolution, with a suggestion for typos */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

static sd_status unknown_name(const sd_dataset *ds, const char *name, const char *what,
                              bool sets_too, sd_error *err)
{
    const char *best = NULL;
    size_t bestd = 3;
    for (size_t i = 0; i < ds->nvars; i++) {
        size_t d = edit_distance(name, ds->vars[i]->name);
        if (d < bestd) {
            bestd = d;
            best = ds->vars[i]->name;
        }
    }
    for (size_t i = 0; sets_too && i < ds->nmr; i++) {
        size_t d = edit_distance(name, ds->mr[i]->name);
        if (d < bestd) {
            bestd = d;
            best = ds->mr[i]->name;
        }
    }
    if (best)
        return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, name,
                        "unknown %s '%s'; did you mean '%s'?", what, name, best);
    return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, name,
                    "unknown %s '%s': expected one of the names `sondage info` lists", what,
                    name);
}

/* ---- the pass over rows, one table at a time */

typedef struct rowsrc {
    const sd_catmap *map;    /* categorical row variable, or NULL */
    const sd_dataset *ds;
    const sd_mrset *mr;      /* multiple-response row set, or NULL */
    sd_missing_mode mode;
    /* category sets: per member variable, its catmap and cat -> row map */
    sd_catmap *mmaps;
    int32_t **mcat2row;
} rowsrc;

/* The LQs one row touches, then applied to every sum at once. */
typedef struct emitter {
    sd_accum *a;
    const sd_design *d;   /* NULL: counts only */
    const int32_t *unit;  /* SD_VMODE_UNITS: the unit of each row */
    bool glm;             /* second pass: glm start sums only */
    uint32_t *lq;         /* LQs touched by the current row */
    double *av;           /* their values a_il */
    size_t m, cap;
} emitter;

static inline void em_add(emitter *e, size_t lq, double a)
{
    e->lq[e->m] = (uint32_t)lq;
    e->av[e->m] = a;
    e->m++;
}

static inline void add_cell(emitter *e, size_t r, size_t c)
{
    em_add(e, r * e->a->ncols + c, 1.0);
}

static inline void add_base(emitter *e, size_t c, double w, bool valid)
{
    if (valid) {
        em_add(e, e->a->nrows * e->a->ncols + c, 1.0);
    } else {
        e->a->miss_n[c] += 1;
        e->a->miss_w[c] += w;
    }
}

/* The glm start sums of R's glm.fit for an intercept-only logistic model
 * with prior weight W (the row's weight over its column's mean weight),
 * started from mustart = (W y + 0.5)/(W + 1): the working weight a(W), a(W)
 * times the working response's magnitude L(W), and the starting deviance
 * d(W) (tests/oracle/README.md section 7). Plain sums, one per LQ. */
static bool glm_start_init(sd_accum *a)
{
    if (!a->glm_a) {
        a->glm_a = sd__zalloc(a->nlq, sizeof *a->glm_a);
        a->glm_al = sd__zalloc(a->nlq, sizeof *a->glm_al);
        a->glm_d = sd__zalloc(a->nlq, sizeof *a->glm_d);
    }
    return a->glm_a && a->glm_al && a->glm_d;
}

static void glm_start_add(sd_accum *a, const uint32_t *lq, size_t m, double w)
{
    size_t cells = a->nrows * a->ncols;
    for (size_t k = 0; k < m; k++) {
        size_t c = lq[k] < cells ? lq[k] % a->ncols : lq[k] - cells;
        double W = w / (a->base_w[c] / a->base_n[c]);
        if (!(W > 0))
            continue; /* glm.fit leaves zero-weight rows out */
        double aw = W * 0.5 * (W + 0.5) / ((W + 1) * (W + 1));
        a->glm_a[lq[k]] += aw;
        a->glm_al[lq[k]] += aw * (log(2 * W + 1) + (W + 1) / (W + 0.5));
        a->glm_d[lq[k]] += 2 * W * log((W + 1) / (W + 0.5));
    }
}

static void em_end(emitter *e, size_t row, double w)
{
    sd_accum *a = e->a;
    size_t m = e->m;
    e->m = 0;
    if (e->glm) {
        glm_start_add(a, e->lq, m, w);
        return;
    }
    for (size_t k = 0; k < m; k++) {
        a->n[e->lq[k]] += 1;
        a->w[e->lq[k]] += w * e->av[k];
    }
    if (a->pat_w2 && e->d->pattern[row] >= 0) {
        size_t cells = a->nrows * a->ncols;
        for (size_t k = 0; k < m; k++)
            if (e->lq[k] >= cells)
                a->pat_w2[(e->lq[k] - cells) * a->npattern + (size_t)e->d->pattern[row]] += w * w;
    }
    switch (a->vmode) {
    case SD_VMODE_NONE: return;
    case SD_VMODE_UNITS: {
        double *t = a->unit_tot + (size_t)e->unit[row] * a->nlq;
        for (size_t k = 0; k < m; k++)
            t[e->lq[k]] += w * e->av[k];
        return;
    }
    case SD_VMODE_MOMENTS: {
        size_t h = (size_t)e->d->stratum[row];
        double *s = a->st_sum + h * a->nlq;
        if (a->st_diag) {
            double *dg = a->st_diag + h * a->nlq;
            for (size_t k = 0; k < m; k++) {
                s[e->lq[k]] += w * e->av[k];
                dg[e->lq[k]] += w * w * e->av[k] * e->av[k];
            }
            return;
        }
        double *q = a->st_cross + h * a->nlq * a->nlq;
        for (size_t k = 0; k < m; k++) {
            double x = w * e->av[k];
            s[e->lq[k]] += x;
            double *qr = q + (size_t)e->lq[k] * a->nlq;
            for (size_t j = 0; j < m; j++)
                qr[e->lq[j]] += x * w * e->av[j];
        }
        return;
    }
    case SD_VMODE_REPS:
        for (size_t r = 0; r < a->nrep; r++) {
            double wr = e->d->repw[r][row];
            double *t = a->rep_tot + r * a->nlq;
            for (size_t k = 0; k < m; k++)
                t[e->lq[k]] += wr * e->av[k];
        }
        return;
    }
}

/* A categorical row variable (with its nets) by a banner (or none). */
/* A row missing on the row variable: counted apart in Total and its column. */
static inline void count_missing(sd_accum *a, int32_t ci, size_t col, double w)
{
    a->miss_n[0] += 1;
    a->miss_w[0] += w;
    if (ci >= 0) {
        a->miss_n[col] += 1;
        a->miss_w[col] += w;
    }
}

/* The hot path: a categorical variable without nets, counts only or with
 * per-stratum diagonal moments. Each row touches at most two cells and two
 * bases; the updates are written out rather than listed. */
static void pass_var_fast(sd_wtable *t, const sd_design *d, const int32_t *unit,
                          const sd_catmap *rm, const int32_t *cidx, const double *wt,
                          size_t nrows)
{
    sd_accum *a = &t->acc;
    size_t nc = a->ncols, cells = a->nrows * nc, L = a->nlq;
    double *n = a->n, *sw = a->w;
    double *ss = a->st_sum, *dg = a->st_diag;
    double *ut = unit ? a->unit_tot : NULL;
    const int32_t *strat = d ? d->stratum : NULL;
    const int32_t *ridx = rm->idx;
    double bmn = 0, bmw = 0;
    for (size_t r = 0; r < nrows; r++) {
        double w = wt ? wt[r] : 1.0;
        int32_t ri = ridx[r];
        int32_t ci = cidx ? cidx[r] : -1;
        size_t col = (size_t)(ci + 1);
        if (ri < 0) {
            count_missing(a, ci, col, w);
            continue;
        }
        size_t k0 = (size_t)ri * nc, b0 = cells;
        n[k0] += 1;
        sw[k0] += w;
        n[b0] += 1;
        sw[b0] += w;
        double *s = NULL, *q = NULL, *u = NULL;
        double w2 = w * w;
        if (ut) {
            u = ut + (size_t)unit[r] * L;
            u[k0] += w;
            u[b0] += w;
        }
        if (dg) {
            size_t off = (size_t)strat[r] * L;
            s = ss + off;
            q = dg + off;
            s[k0] += w;
            s[b0] += w;
            q[k0] += w2;
            q[b0] += w2;
        }
        if (ci >= 0) {
            size_t kc = k0 + col, bc = b0 + col;
            n[kc] += 1;
            sw[kc] += w;
            n[bc] += 1;
            sw[bc] += w;
            if (u) {
                u[kc] += w;
                u[bc] += w;
            }
            if (dg) {
                s[kc] += w;
                s[bc] += w;
                q[kc] += w2;
                q[bc] += w2;
            }
        } else if (cidx) {
            bmn += 1;
            bmw += w;
        }
    }
    t->banner_missing_n += bmn;
    t->banner_missing_w += bmw;
}

/* The hot path for given replicate weights: a categorical variable without
 * nets. Each row adds its replicate weights to its two cells only; a base
 * is the sum of its column's cells (every valid row is in one category),
 * so the bases' replicate totals are filled in after the pass, which
 * halves the work per replicate. */
static void pass_var_reps(sd_wtable *t, const sd_design *d, const sd_catmap *rm,
                          const int32_t *cidx, const double *wt, size_t nrows)
{
    sd_accum *a = &t->acc;
    size_t nc = a->ncols, cells = a->nrows * nc, L = a->nlq, R = a->nrep;
    size_t P = a->npattern;
    const int32_t *pat = a->pat_w2 ? d->pattern : NULL;
    double bmn = 0, bmw = 0;
    for (size_t r = 0; r < nrows; r++) {
        double w = wt ? wt[r] : 1.0;
        int32_t ri = rm->idx[r];
        int32_t ci = cidx ? cidx[r] : -1;
        size_t col = (size_t)(ci + 1);
        if (ri < 0) {
            count_missing(a, ci, col, w);
            continue;
        }
        size_t k0 = (size_t)ri * nc, kc = k0 + col;
        a->n[k0] += 1;
        a->w[k0] += w;
        a->n[cells] += 1;
        a->w[cells] += w;
        if (ci >= 0) {
            a->n[kc] += 1;
            a->w[kc] += w;
            a->n[cells + col] += 1;
            a->w[cells + col] += w;
        } else if (cidx) {
            bmn += 1;
            bmw += w;
        }
        if (pat && pat[r] >= 0) {
            a->pat_w2[(size_t)pat[r]] += w * w;
            if (ci >= 0)
                a->pat_w2[col * P + (size_t)pat[r]] += w * w;
        }
        double *tq = a->rep_tot;
        if (ci >= 0)
            for (size_t q = 0; q < R; q++, tq += L) {
                double wr = d->repw[q][r];
                tq[k0] += wr;
                tq[kc] += wr;
            }
        else
            for (size_t q = 0; q < R; q++, tq += L)
                tq[k0] += d->repw[q][r];
    }
    for (size_t q = 0; q < R; q++) {
        double *tq = a->rep_tot + q * L;
        for (size_t c = 0; c < nc; c++) {
            double b = 0;
            for (size_t k = 0; k < a->nrows; k++)
                b += tq[k * nc + c];
            tq[cells + c] = b;
        }
    }
    t->banner_missing_n += bmn;
    t->banner_missing_w += bmw;
}

static void pass_var(sd_wtable *t, emitter *e, const sd_catmap *rm, const int32_t *cidx,
                     const double *wt, size_t nrows)
{
    size_t ncat = rm->ncats;
    if (!e->glm && !rm->netmask && t->acc.vmode == SD_VMODE_REPS) {
        pass_var_reps(t, e->d, rm, cidx, wt, nrows);
        return;
    }
    if (!e->glm && !rm->netmask && !t->acc.pat_w2 &&
        (t->acc.vmode == SD_VMODE_NONE || t->acc.vmode == SD_VMODE_UNITS ||
         (t->acc.vmode == SD_VMODE_MOMENTS && t->acc.st_diag))) {
        pass_var_fast(t, t->acc.vmode == SD_VMODE_NONE ? NULL : e->d,
                      t->acc.vmode == SD_VMODE_UNITS ? e->unit : NULL, rm, cidx, wt, nrows);
        return;
    }
    for (size_t r = 0; r < nrows; r++) {
        double w = wt ? wt[r] : 1.0;
        int32_t ri = rm->idx[r];
        int32_t ci = cidx ? cidx[r] : -1;
        size_t col = ci >= 0 ? (size_t)ci + 1 : 0;
        add_base(e, 0, w, ri >= 0);
        if (ci >= 0)
            add_base(e, col, w, ri >= 0);
        if (ri < 0) {
            em_end(e, r, w);
            continue;
        }
        if (cidx && ci < 0) {
            t->banner_missing_n += 1;
            t->banner_missing_w += w;
        }
        add_cell(e, (size_t)ri, 0);
        if (ci >= 0)
            add_cell(e, (size_t)ri, col);
        if (rm->netmask) {
            uint64_t m = rm->netmask[ri];
            while (m) {
                int k = __builtin_ctzll(m);
                m &= m - 1;
                add_cell(e, ncat + (size_t)k, 0);
                if (ci >= 0)
                    add_cell(e, ncat + (size_t)k, col);
            }
        }
        em_end(e, r, w);
    }
}

static bool item_missing(const sd_var *v, size_t r, sd_missing_mode mode)
{
    if (v->sysmis[r])
        return true;
    return mode == SD_MISSING_EXCLUDE && sd__var_is_user_missing_num(v, v->num[r]);
}

static bool item_missing(const sd_var *v, size_t r, sd_missing_mode mode);

/* A scale variable: the weighted sum and sum of squares of its valid
 * values per column; the base is the rows with a valid value. */
static void pass_scale(sd_wtable *t, emitter *e, const sd_var *v, sd_missing_mode mode,
                       const int32_t *cidx, const double *wt, size_t nrows)
{
    for (size_t r = 0; r < nrows; r++) {
        double w = wt ? wt[r] : 1.0;
        int32_t ci = cidx ? cidx[r] : -1;
        size_t col = ci >= 0 ? (size_t)ci + 1 : 0;
        bool valid = !item_missing(v, r, mode);
        add_base(e, 0, w, valid);
        if (ci >= 0)
            add_base(e, col, w, valid);
        if (valid) {
            double x = v->num[r];
            em_add(e, 0 * e->a->ncols + 0, x);
            em_add(e, 1 * e->a->ncols + 0, x * x);
            if (ci >= 0) {
                em_add(e, 0 * e->a->ncols + col, x);
                em_add(e, 1 * e->a->ncols + col, x * x);
            }
            if (cidx && ci < 0) {
                t->banner_missing_n += 1;
                t->banner_missing_w += w;
            }
        }
        em_end(e, r, w);
    }
}

/* A dichotomy set: each item counts the rows where it holds the counted value;
 * the base is the rows with at least one item answered. */
static void pass_dichotomy(sd_wtable *t, emitter *e, const sd_dataset *ds, const sd_mrset *m,
                           sd_missing_mode mode, const int32_t *cidx, const double *wt)
{
    for (size_t r = 0; r < ds->nrows; r++) {
        double w = wt ? wt[r] : 1.0;
        int32_t ci = cidx ? cidx[r] : -1;
        size_t col = ci >= 0 ? (size_t)ci + 1 : 0;
        bool valid = false;
        for (size_t k = 0; k < m->nvars; k++) {
            const sd_var *v = ds->vars[m->vars[k]];
            if (item_missing(v, r, mode))
                continue;
            valid = true;
            if (v->num[r] == m->counted) {
                add_cell(e, k, 0);
                if (ci >= 0)
                    add_cell(e, k, col);
            }
        }
        add_base(e, 0, w, valid);
        if (ci >= 0)
            add_base(e, col, w, valid);
        if (valid && cidx && ci < 0) {
            t->banner_missing_n += 1;
            t->banner_missing_w += w;
        }
        em_end(e, r, w);
    }
}

/* A category set: each code counts once per row, whichever variables hold it. */
static void pass_category(sd_wtable *t, emitter *e, const sd_dataset *ds, const rowsrc *src,
                          const int32_t *cidx, const double *wt, uint32_t *stamp)
{
    const sd_mrset *m = src->mr;
    for (size_t r = 0; r < ds->nrows; r++) {
        double w = wt ? wt[r] : 1.0;
        int32_t ci = cidx ? cidx[r] : -1;
        size_t col = ci >= 0 ? (size_t)ci + 1 : 0;
        bool valid = false;
        uint32_t mark = (uint32_t)r + 1;
        for (size_t k = 0; k < m->nvars; k++) {
            int32_t c = src->mmaps[k].idx[r];
            if (c < 0)
                continue;
            valid = true;
            int32_t row = src->mcat2row[k][c];
            if (stamp[row] == mark)
                continue;
            stamp[row] = mark;
            add_cell(e, (size_t)row, 0);
            if (ci >= 0)
                add_cell(e, (size_t)row, col);
        }
        add_base(e, 0, w, valid);
        if (ci >= 0)
            add_base(e, col, w, valid);
        if (valid && cidx && ci < 0) {
            t->banner_missing_n += 1;
            t->banner_missing_w += w;
        }
        em_end(e, r, w);
    }
}

static int cmp_cat(const sd_cat *x, const sd_cat *y)
{
    if (x->kind == SD_CAT_STRING && y->kind == SD_CAT_STRING)
        return strcmp(x->str, y->str);
    if (x->kind != y->kind)
        return x->kind == SD_CAT_STRING ? 1 : -1;
    return (x->code > y->code) - (x->code < y->code);
}

/* Union of the member variables' categories, in order, and each member's
 * category -> union row map. */
static sd_status category_rows(const sd_dataset *ds, const sd_mrset *m, sd_missing_mode mode,
                               rowsrc *src, sd_wtable *t, sd_error *err)
{
    src->mmaps = sd__calloc(m->nvars, sizeof *src->mmaps);
    src->mcat2row = sd__calloc(m->nvars, sizeof *src->mcat2row);
    if (!src->mmaps || !src->mcat2row)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, m->name, "out of memory");
    size_t total = 0;
    for (size_t k = 0; k < m->nvars; k++) {
        sd_status st = sd__catmap_build(ds, m->vars[k], mode, false, &src->mmaps[k], err);
        if (st != SD_OK)
            return st;
        total += src->mmaps[k].ncats;
    }
    t->rows = sd__calloc(total ? total : 1, sizeof *t->rows);
    if (!t->rows)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, m->name, "out of memory");
    /* Merge: each member's categories are sorted, so insert in order. */
    size_t n = 0;
    for (size_t k = 0; k < m->nvars; k++) {
        const sd_catmap *cm = &src->mmaps[k];
        for (size_t c = 0; c < cm->ncats; c++) {
            size_t pos = 0;
            while (pos < n && cmp_cat(&t->rows[pos], &cm->cats[c]) < 0)
                pos++;
            if (pos < n && cmp_cat(&t->rows[pos], &cm->cats[c]) == 0)
                continue;
            memmove(&t->rows[pos + 1], &t->rows[pos], (n - pos) * sizeof *t->rows);
            t->rows[pos] = cm->cats[c];
            n++;
        }
    }
    t->nrows = n;
    for (size_t k = 0; k < m->nvars; k++) {
        const sd_catmap *cm = &src->mmaps[k];
        src->mcat2row[k] = sd__calloc(cm->ncats ? cm->ncats : 1, sizeof(int32_t));
        if (!src->mcat2row[k])
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, m->name, "out of memory");
        for (size_t c = 0; c < cm->ncats; c++)
            for (size_t p = 0; p < n; p++)
                if (cmp_cat(&t->rows[p], &cm->cats[c]) == 0) {
                    src->mcat2row[k][c] = (int32_t)p;
                    break;
                }
    }
    return SD_OK;
}

static void rowsrc_free(rowsrc *src, size_t nvars)
{
    for (size_t k = 0; src->mmaps && k < nvars; k++) {
        sd__catmap_free(&src->mmaps[k]);
        if (src->mcat2row)
            sd__free(src->mcat2row[k]);
    }
    sd__free(src->mmaps);
    sd__free(src->mcat2row);
}

static sd_status fill_row_dim(const sd_dataset *ds, const char *name, sd_missing_mode mode,
                              sd_wtable *t, sd_catmap *rm, rowsrc *src, sd_error *err)
{
    long vi = sd__dataset_var_index(ds, name);
    const sd_mrset *m = vi < 0 ? sd_dataset_find_mrset(ds, name) : NULL;
    if (vi < 0 && !m)
        return unknown_name(ds, name, "variable or set", true, err);
    if (vi >= 0 && ds->vars[vi]->measure == SD_MEASURE_SCALE &&
        ds->vars[vi]->type == SD_TYPE_NUMERIC) {
        /* A scale variable: its mean (and total) by column. */
        t->row_index = (size_t)vi;
        t->row_name = ds->vars[vi]->name;
        t->row_is_scale = true;
        t->nrows = 2;
        t->rows = sd__calloc(2, sizeof *t->rows);
        if (!t->rows)
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
        t->rows[0].kind = SD_CAT_MEAN;
        t->rows[1].kind = SD_CAT_SUMSQ;
        return SD_OK;
    }
    if (vi >= 0) {
        t->row_index = (size_t)vi;
        t->row_name = ds->vars[vi]->name;
        sd_status st = sd__catmap_build(ds, (size_t)vi, mode, true, rm, err);
        if (st != SD_OK)
            return st;
        const sd_var *v = ds->vars[vi];
        t->nnets = rm->nnets;
        t->nrows = rm->ncats + rm->nnets;
        t->rows = sd__calloc(t->nrows ? t->nrows : 1, sizeof *t->rows);
        if (!t->rows)
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
        if (rm->ncats)
            memcpy(t->rows, rm->cats, rm->ncats * sizeof *t->rows);
        for (size_t k = 0; k < rm->nnets; k++) {
            t->rows[rm->ncats + k].kind = SD_CAT_NET;
            t->rows[rm->ncats + k].index = k;
        }
        (void)v;
        return SD_OK;
    }
    t->row_is_mrset = true;
    t->row_index = 0;
    for (size_t i = 0; i < ds->nmr; i++)
        if (ds->mr[i] == m)
            t->row_index = i;
    t->row_name = m->name;
    src->mr = m;
    if (m->kind == SD_MRSET_DICHOTOMY) {
        for (size_t k = 0; k < m->nvars; k++)
            if (ds->vars[m->vars[k]]->type != SD_TYPE_NUMERIC)
                return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, ds->vars[m->vars[k]]->name,
                                "set '%s': item '%s' is a string: a dichotomy set needs "
                                "numeric items",
                                m->name, ds->vars[m->vars[k]]->name);
        t->nrows = m->nvars;
        t->rows = sd__calloc(t->nrows ? t->nrows : 1, sizeof *t->rows);
        if (!t->rows)
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
        for (size_t k = 0; k < m->nvars; k++) {
            t->rows[k].kind = SD_CAT_ITEM;
            t->rows[k].index = m->vars[k];
            t->rows[k].code = m->counted;
        }
        return SD_OK;
    }
    return category_rows(ds, m, mode, src, t, err);
}

sd_status sd__tabulate_counts(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                              sd_error *err)
{
    *out = NULL;
    if (spec->nrows == 0)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "no row variables: expected at least one name in --rows");
    size_t nban = spec->ncols ? spec->ncols : 1;
    size_t ntab;
    if (!sd__mul_ok(spec->nrows, nban, &ntab))
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL, "too many tables");
    sd_work *res = sd__calloc(1, sizeof *res);
    sd_catmap *bmaps = sd__calloc(nban, sizeof *bmaps);
    long *bvars = sd__calloc(nban, sizeof *bvars);
    uint32_t *stamp = NULL;
    const double *wt = NULL;
    sd_status st = SD_OK;
    sd_designspec dspec;
    memset(&dspec, 0, sizeof dspec);
    emitter em;
    memset(&em, 0, sizeof em);
    if (!res || !bmaps || !bvars || !(res->tables = sd__calloc(ntab, sizeof *res->tables))) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    res->missing = spec->missing;
    res->dataset = ds;
    res->rows_used = (double)ds->nrows;
    /* The design: the options given, completed by the codebook's. */
    if ((st = sd__designspec_copy(&dspec, &spec->design, err)) != SD_OK ||
        (st = sd__designspec_from_decl(&dspec, &ds->design, err)) != SD_OK)
        goto done;
    if ((dspec.weight && !(res->weight = sd__strdup(dspec.weight))) ||
        (ds->source && !(res->source = sd__strdup(ds->source)))) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    if ((st = sd__design_resolve(ds, &dspec, &res->design, err)) != SD_OK)
        goto done;
    wt = res->design.w;
    /* Which variance sums the design needs. */
    sd_vmode vmode = SD_VMODE_MOMENTS;
    size_t vcount = res->design.nstrata;
    if (res->design.repmult) {
        vmode = SD_VMODE_UNITS; /* PSU totals; replicates are combined from them */
        em.unit = res->design.nstages ? res->design.unit[0] : res->design.rowunit;
        vcount = res->design.nunits[0];
    } else if (res->design.nrep) {
        vmode = SD_VMODE_REPS;
        vcount = res->design.nrep;
    } else if (res->design.nstages) {
        size_t depth = 1;
        while (depth < res->design.nstages && res->design.has_fpc[depth - 1])
            depth++;
        vmode = SD_VMODE_UNITS;
        em.unit = res->design.unit[depth - 1];
        vcount = res->design.nunits[depth - 1];
    }
    em.d = &res->design;
    /* Banners: one category map each, shared by every row variable. */
    for (size_t b = 0; b < nban; b++) {
        bvars[b] = -1;
        if (!spec->ncols)
            continue;
        long vi = sd__dataset_var_index(ds, spec->cols[b]);
        if (vi < 0) {
            st = sd_dataset_find_mrset(ds, spec->cols[b])
                     ? sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, spec->cols[b],
                                "'%s' is a multiple-response set: banners of sets are not "
                                "supported yet; expected a variable in --cols",
                                spec->cols[b])
                     : unknown_name(ds, spec->cols[b], "banner variable", false, err);
            goto done;
        }
        bvars[b] = vi;
        if ((st = sd__catmap_build(ds, (size_t)vi, spec->missing, false, &bmaps[b], err)) !=
            SD_OK)
            goto done;
    }
    for (size_t i = 0; i < spec->nrows; i++) {
        sd_catmap rm;
        memset(&rm, 0, sizeof rm);
        rowsrc src;
        memset(&src, 0, sizeof src);
        for (size_t b = 0; b < nban; b++) {
            sd_wtable *t = &res->tables[res->ntables];
            t->number = i + 1;
            t->col_var = bvars[b];
            if (b == 0) {
                st = fill_row_dim(ds, spec->rows[i], spec->missing, t, &rm, &src, err);
            } else {
                /* Same row dimension as the first banner's table. */
                const sd_wtable *t0 = &res->tables[res->ntables - b];
                t->row_is_mrset = t0->row_is_mrset;
                t->row_is_scale = t0->row_is_scale;
                t->row_index = t0->row_index;
                t->row_name = t0->row_name;
                t->nrows = t0->nrows;
                t->nnets = t0->nnets;
                t->rows = sd__calloc(t->nrows ? t->nrows : 1, sizeof *t->rows);
                if (!t->rows)
                    st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
                else if (t->nrows)
                    memcpy(t->rows, t0->rows, t->nrows * sizeof *t->rows);
            }
            size_t nb = bvars[b] >= 0 ? bmaps[b].ncats : 0;
            if (st == SD_OK) {
                t->ncols = nb + 1;
                t->cols = sd__calloc(t->ncols, sizeof *t->cols);
                if (!t->cols || !sd__accum_init(&t->acc, t->nrows, t->ncols))
                    st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
                else if (!sd__accum_init_var(&t->acc, vmode, vcount,
                                             !t->row_is_mrset && !t->row_is_scale))
                    st = sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, t->row_name,
                                  "table of '%s' is too large for its variance sums (%zu "
                                  "estimates x %zu %s)",
                                  t->row_name, t->acc.nlq, vcount,
                                  vmode == SD_VMODE_REPS ? "replicates" : "strata or units");
            }
            if (st == SD_OK && res->design.pattern) {
                t->acc.npattern = res->design.npattern;
                t->acc.pat_w2 = sd__zalloc(t->ncols * t->acc.npattern, sizeof *t->acc.pat_w2);
                if (!t->acc.pat_w2)
                    st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
            }
            if (st == SD_OK && t->acc.nlq > em.cap) {
                sd__free(em.lq);
                sd__free(em.av);
                em.cap = t->acc.nlq;
                em.lq = sd__calloc(em.cap, sizeof *em.lq);
                em.av = sd__calloc(em.cap, sizeof *em.av);
                if (!em.lq || !em.av)
                    st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
            }
            em.a = &t->acc;
            if (st != SD_OK) {
                res->ntables++;
                break;
            }
            t->cols[0].kind = SD_CAT_TOTAL;
            if (nb)
                memcpy(t->cols + 1, bmaps[b].cats, nb * sizeof *t->cols);
            t->col_name = bvars[b] >= 0 ? ds->vars[bvars[b]]->name : NULL;
            const int32_t *cidx = bvars[b] >= 0 ? bmaps[b].idx : NULL;
            res->ntables++;
            /* The pass; with glm start sums wanted, a second pass over the
             * same rows gathers them (the column means are known by then). */
            for (int pass = 0; pass < (spec->glm_start && !t->row_is_scale ? 2 : 1); pass++) {
                double bmn = t->banner_missing_n, bmw = t->banner_missing_w;
                double *keep = NULL;
                if (pass == 1) {
                    if (!(keep = sd__zalloc(2 * t->ncols, sizeof *keep)) ||
                        !glm_start_init(&t->acc)) {
                        sd__free(keep);
                        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
                        break;
                    }
                    memcpy(keep, t->acc.miss_n, t->ncols * sizeof *keep);
                    memcpy(keep + t->ncols, t->acc.miss_w, t->ncols * sizeof *keep);
                    em.glm = true;
                }
                if (t->row_is_scale) {
                    pass_scale(t, &em, ds->vars[t->row_index], spec->missing, cidx, wt, ds->nrows);
                } else if (!t->row_is_mrset) {
                    pass_var(t, &em, &rm, cidx, wt, ds->nrows);
                } else if (src.mr->kind == SD_MRSET_DICHOTOMY) {
                    pass_dichotomy(t, &em, ds, src.mr, spec->missing, cidx, wt);
                } else {
                    sd__free(stamp);
                    stamp = sd__calloc(t->nrows ? t->nrows : 1, sizeof *stamp);
                    if (!stamp) {
                        sd__free(keep);
                        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
                        break;
                    }
                    pass_category(t, &em, ds, &src, cidx, wt, stamp);
                }
                if (pass == 1) {
                    memcpy(t->acc.miss_n, keep, t->ncols * sizeof *keep);
                    memcpy(t->acc.miss_w, keep + t->ncols, t->ncols * sizeof *keep);
                    t->banner_missing_n = bmn;
                    t->banner_missing_w = bmw;
                    sd__free(keep);
                    em.glm = false;
                }
            }
            if (st != SD_OK)
                break;
        }
        sd__catmap_free(&rm);
        rowsrc_free(&src, src.mr ? src.mr->nvars : 0);
        if (st != SD_OK)
            goto done;
    }
done:
    for (size_t b = 0; bmaps && b < nban; b++)
        sd__catmap_free(&bmaps[b]);
    sd__free(bmaps);
    sd__free(bvars);
    sd__free(stamp);
    sd__free(em.lq);
    sd__free(em.av);
    sd__designspec_free(&dspec);
    if (st != SD_OK) {
        sd__work_free(res);
        return st;
    }
    *out = res;
    return SD_OK;
}
