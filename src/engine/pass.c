/*
 * pass.c — the pass over a range of a dataset's rows for every table of a
 * request: each row adds its weight to the linear quantities (cells and
 * bases) it belongs to, in every sum the design needs (engine.h,
 * sd_accum). Rows outside the analysis (a filter, a weight of 0) are
 * skipped: a filter is a domain of the design, so its rows stay in the
 * design's units and strata with nothing added, as R's subset() of a
 * design keeps them. The range is walked in tiles of a few hundred rows,
 * and every table takes each tile in turn, so a tile's data (and, for
 * given replicate weights, its rows of replicate weights, gathered once
 * into a row-major block) are read from cache by all tables. The common
 * case (a categorical variable by a one-column-per-row banner) has hot
 * paths.
 */
#include "plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The LQs one row touches, then applied to every sum at once. */
typedef struct emitter {
    sd_accum *a;
    const sd_accum *means; /* glm pass: the first pass's sums (column means) */
    const sd_design *d;   /* NULL: counts only */
    const int32_t *unit;  /* SD_VMODE_UNITS: the unit of each row */
    bool glm;             /* second pass: glm start sums only */
    uint32_t *lq;         /* LQs touched by the current row */
    double *av;           /* their values a_il */
    size_t m, cap;
    const double *rep;    /* the tile's replicate weights, [row - rep0][nrep] */
    size_t rep0;
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
    } else if (!e->glm) {
        e->a->miss_n[c] += 1;
        e->a->miss_w[c] += w;
    }
}

/* The glm start sums of R's glm.fit for an intercept-only logistic model
 * with prior weight W (the row's weight over its column's mean weight),
 * started from mustart = (W y + 0.5)/(W + 1): the working weight a(W), a(W)
 * times the working response's magnitude L(W), and the starting deviance
 * d(W) (tests/oracle/README.md section 7). Plain sums, one per LQ. */
static void glm_start_add(sd_accum *a, const sd_accum *means, const uint32_t *lq, size_t m,
                          double w)
{
    size_t cells = a->nrows * a->ncols;
    for (size_t k = 0; k < m; k++) {
        size_t c = lq[k] < cells ? lq[k] % a->ncols : lq[k] - cells;
        double W = w / (means->base_w[c] / means->base_n[c]);
        if (!(W > 0))
            continue; /* glm.fit leaves zero-weight rows out */
        double aw = W * 0.5 * (W + 0.5) / ((W + 1) * (W + 1));
        a->glm_a[lq[k]] += aw;
        a->glm_al[lq[k]] += aw * (log(2 * W + 1) + (W + 1) / (W + 0.5));
        a->glm_d[lq[k]] += 2 * W * log((W + 1) / (W + 0.5));
    }
}

/* A calibrated design's sums (docs/weighting.md, "Variance"): per LQ the
 * row's u a for each of its auxiliary columns, and unclustered designs per
 * stratum its w a z, from which the stats layer makes the residuals. */
static void cal_add(sd_accum *a, const sd_design *d, size_t row, const uint32_t *lq,
                    const double *av, size_t m, double w)
{
    const sd_calib *c = d->cal;
    size_t n = c->nrows, p = a->calp;
    double *sza = a->cal_sza ? a->cal_sza + (size_t)d->stratum[row] * a->nlq * p : NULL;
    for (size_t t = 0; t < c->nterms; t++) {
        int32_t j = c->col[t * n + row];
        if (j < 0)
            continue;
        double u = c->u[t * n + row], wz = w * c->z[t * n + row];
        for (size_t k = 0; k < m; k++) {
            a->cal_a[(size_t)lq[k] * p + (size_t)j] += u * av[k];
            if (sza)
                sza[(size_t)lq[k] * p + (size_t)j] += wz * av[k];
        }
    }
}

/* A row whose replicate pattern the design did not keep: its replicate
 * weights into the factor of each column it is a base row of, until that
 * factor's rank is the design's (reprank.c). */
static void ovf_add(sd_accum *a, const sd_design *d, size_t row, const size_t *cols, size_t ncol)
{
    size_t R = d->nrep, U = d->rank ? d->rank : R;
    bool need = false;
    for (size_t k = 0; k < ncol && !need; k++)
        need = !a->ovf[cols[k]].full;
    if (!need)
        return;
    double x[512], *buf = R <= 512 ? x : sd__zalloc(R, sizeof *buf);
    if (!buf)
        return;
    for (size_t r = 0; r < R; r++)
        buf[r] = d->repw[r][row];
    for (size_t k = 0; k < ncol; k++)
        sd__rf_add(&a->ovf[cols[k]], R, U, buf, 1);
    if (buf != x)
        sd__free(buf);
}

static void em_end(emitter *e, size_t row, double w)
{
    sd_accum *a = e->a;
    size_t m = e->m;
    e->m = 0;
    if (e->glm) {
        glm_start_add(a, e->means, e->lq, m, w);
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
    } else if (a->ovf && e->d->pattern[row] == -2) {
        size_t cells = a->nrows * a->ncols, nb = 0;
        for (size_t k = 0; k < m; k++)
            nb += e->lq[k] >= cells;
        size_t one[8], *cols = nb <= 8 ? one : sd__zalloc(nb, sizeof *cols);
        if (cols) {
            nb = 0;
            for (size_t k = 0; k < m; k++)
                if (e->lq[k] >= cells)
                    cols[nb++] = e->lq[k] - cells;
            ovf_add(a, e->d, row, cols, nb);
            if (cols != one)
                sd__free(cols);
        }
    }
    if (a->cal_a)
        cal_add(a, e->d, row, e->lq, e->av, m, w);
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
    case SD_VMODE_REPS: {
        /* Cell by cell during the pass: a row adds its replicate weights
         * to R contiguous totals of each LQ it touches. */
        size_t R = a->nrep;
        const double *wr = e->rep + (row - e->rep0) * R;
        for (size_t k = 0; k < m; k++) {
            double *t = a->rep_tot + (size_t)e->lq[k] * R, av = e->av[k];
            for (size_t r = 0; r < R; r++)
                t[r] += wr[r] * av;
        }
        return;
    }
    }
}

/* A row missing on the row variable: counted apart in Total and its columns. */
static inline void count_missing(sd_accum *a, const uint32_t *cols, size_t nc, double w)
{
    a->miss_n[0] += 1;
    a->miss_w[0] += w;
    for (size_t j = 0; j < nc; j++) {
        a->miss_n[cols[j]] += 1;
        a->miss_w[cols[j]] += w;
    }
}

/* The hot path: a categorical variable without nets, by a banner whose
 * rows are in one column at most, counts only or with per-unit totals or
 * per-stratum diagonal moments (counts of narrow codes: fast_counts_u8).
 * Each row touches at most two cells and two bases; the updates are
 * written out rather than listed. */
static inline __attribute__((always_inline)) void
fast_rows(sd_accum *a, const sd_passctx *pc, const sd_tpass *tp, size_t r0, size_t r1,
          bool ru8, bool cu8)
{
    const sd_catmap *rm = tp->rd.map;
    const sd_design *d = a->vmode == SD_VMODE_NONE ? NULL : pc->d;
    const int32_t *unit = a->vmode == SD_VMODE_UNITS ? pc->unit : NULL;
    const sd_colmap *cm = tp->cm;
    const int32_t *cidx = cm && !cu8 ? cm->idx : NULL;
    const uint8_t *cu = cu8 ? cm->u8 : NULL, *ru = ru8 ? rm->u8 : NULL;
    const int32_t *cmap = cu8 ? cm->map8 : NULL, *rmap = ru8 ? rm->map8 : NULL;
    const double *wt = pc->wt;
    const uint8_t *in = pc->in;
    size_t nc = a->ncols, cells = a->nrows * nc, L = a->nlq;
    double *n = a->n, *sw = a->w;
    double *ss = a->st_sum, *dg = a->st_diag;
    double *ut = unit ? a->unit_tot : NULL;
    const int32_t *strat = d ? d->stratum : NULL;
    const int32_t *ridx = rm->idx;
    for (size_t r = r0; r < r1; r++) {
        if (in && !in[r])
            continue;
        double w = wt ? wt[r] : 1.0;
        int32_t ri = ru8 ? rmap[ru[r]] : ridx[r];
        int32_t ci = cu8 ? cmap[cu[r]] : cidx ? cidx[r] : -1;
        size_t col = (size_t)(ci + 1);
        if (ri < 0) {
            uint32_t c1 = (uint32_t)col;
            count_missing(a, &c1, ci >= 0, w);
            continue;
        }
        size_t k0 = (size_t)ri * nc, b0 = cells;
        /* The count and weight go to the banner column's cell alone, or
         * outside the banner to the Total cell: the Total cells and the
         * bases are added up from them once the chunk is in (cells_up). */
        size_t kn = ci >= 0 ? k0 + col : k0;
        n[kn] += 1;
        sw[kn] += w;
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
        }
    }
}

/* Counts only, the row variable and the banner (if any) narrow: a row's
 * cell is one sum of two lookups by its codes, the row code's first cell
 * (-2^40 for a missing row) and the banner code's column (0 outside the
 * banner: the Total cell). The rows outside the banner are what the Total
 * cells hold before cells_up adds the banner cells to them. Each cell's
 * sums are added to row by row, as fast_rows adds them (the same bits
 * whatever the storage of the codes: a .sav file's tables equal its CSV's). */
static inline __attribute__((always_inline)) void
counts_u8_rows(double *n, double *sw, const int64_t *rk, const int64_t *ck, const uint8_t *ru,
               const uint8_t *cu, const uint8_t *in, const double *wt, size_t r0, size_t r1,
               sd_accum *a, const sd_colmap *cm)
{
    for (size_t r = r0; r < r1; r++) {
        if (in && !in[r])
            continue;
        double w = wt ? wt[r] : 1.0;
        int64_t kn = rk[ru[r]] + (cu ? ck[cu[r]] : 0);
        if (kn < 0) {
            int32_t ci = cu ? cm->map8[cu[r]] : -1;
            uint32_t c1 = (uint32_t)(ci + 1);
            count_missing(a, &c1, ci >= 0, w);
            continue;
        }
        n[kn] += 1;
        sw[kn] += w;
    }
}

static void fast_counts_u8(sd_accum *a, const sd_passctx *pc, const sd_tpass *tp, size_t r0,
                           size_t r1)
{
    const sd_catmap *rm = tp->rd.map;
    const sd_colmap *cm = tp->cm;
    size_t nc = a->ncols;
    int64_t rk[256], ck[256];
    for (size_t v = 0; v < 256; v++) {
        int32_t ri = rm->map8[v], ci = cm ? cm->map8[v] : -1;
        rk[v] = ri >= 0 ? (int64_t)ri * (int64_t)nc : -((int64_t)1 << 40);
        ck[v] = ci >= 0 ? ci + 1 : 0;
    }
    const uint8_t *ru = rm->u8, *cu = cm ? cm->u8 : NULL, *in = pc->in;
    const double *wt = pc->wt;
    if (!in && wt && cu)
        counts_u8_rows(a->n, a->w, rk, ck, ru, cu, NULL, wt, r0, r1, a, cm);
    else if (!in && wt)
        counts_u8_rows(a->n, a->w, rk, ck, ru, NULL, NULL, wt, r0, r1, a, cm);
    else
        counts_u8_rows(a->n, a->w, rk, ck, ru, cu, in, wt, r0, r1, a, cm);
}

/* The loop above for each storage of the row variable and the banner
 * (per-row index or narrow codes), the test made once per range. */
static void pass_var_fast(sd_accum *a, const sd_passctx *pc, const sd_tpass *tp, size_t r0,
                          size_t r1)
{
    bool ru8 = tp->rd.map->u8 != NULL, cu8 = tp->cm && tp->cm->u8;
    bool counts = a->vmode == SD_VMODE_NONE;
    if (ru8 && counts && (cu8 || !tp->cm))
        fast_counts_u8(a, pc, tp, r0, r1);
    else if (ru8 && cu8)
        fast_rows(a, pc, tp, r0, r1, true, true);
    else if (ru8)
        fast_rows(a, pc, tp, r0, r1, true, false);
    else if (cu8)
        fast_rows(a, pc, tp, r0, r1, false, true);
    else
        fast_rows(a, pc, tp, r0, r1, false, false);
}

/* The hot path for given replicate weights: a categorical variable without
 * nets, by a banner whose rows are in one column at most. Each row adds
 * its replicate weights (a row of the tile's block) to one cell's totals,
 * which lie cell by cell: its banner column's. A Total cell is the sum of
 * its row's banner cells and of the rows outside the banner, and a base
 * the sum of its column's cells (every valid row is in one category), so
 * both are filled in once all rows are in (sd__accum_finish): a quarter of
 * the work per replicate that each cell and base by itself would take. */
static inline __attribute__((always_inline)) void
reps_rows(sd_accum *a, const sd_passctx *pc, const sd_tpass *tp, const double *rep, size_t r0,
          size_t r1, bool ru8, bool cu8)
{
    const sd_catmap *rm = tp->rd.map;
    const sd_design *d = pc->d;
    const sd_colmap *cm = tp->cm;
    const int32_t *cidx = cm && !cu8 ? cm->idx : NULL;
    const uint8_t *cu = cu8 ? cm->u8 : NULL, *ru = ru8 ? rm->u8 : NULL;
    const int32_t *cmap = cu8 ? cm->map8 : NULL, *rmap = ru8 ? rm->map8 : NULL;
    const double *wt = pc->wt;
    const uint8_t *in = pc->in;
    size_t nc = a->ncols, cells = a->nrows * nc, R = a->nrep;
    size_t P = a->npattern;
    const int32_t *pat = a->pat_w2 ? d->pattern : NULL;
    double *rt = a->rep_tot;
    double bmn = 0, bmw = 0;
    for (size_t r = r0; r < r1; r++) {
        if (in && !in[r])
            continue;
        double w = wt ? wt[r] : 1.0;
        int32_t ri = ru8 ? rmap[ru[r]] : rm->idx[r];
        int32_t ci = cu8 ? cmap[cu[r]] : cidx ? cidx[r] : -1;
        size_t col = (size_t)(ci + 1);
        if (ri < 0) {
            uint32_t c1 = (uint32_t)col;
            count_missing(a, &c1, ci >= 0, w);
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
        } else if (cm) {
            bmn += 1;
            bmw += w;
        }
        if (pat && pat[r] >= 0) {
            a->pat_w2[(size_t)pat[r]] += w * w;
            if (ci >= 0)
                a->pat_w2[col * P + (size_t)pat[r]] += w * w;
        } else if (pat && pat[r] == -2 && a->ovf) {
            size_t two[2] = {0, col};
            ovf_add(a, d, r, two, ci >= 0 ? 2 : 1);
        }
        /* Into its banner column's cell, or, outside the banner, its Total
         * cell: a Total cell is its columns' sum and what was put there
         * directly, added up in sd__accum_finish. */
        const double *wr = rep + (r - r0) * R;
        double *t = rt + (ci >= 0 ? kc : k0) * R;
        for (size_t q = 0; q < R; q++)
            t[q] += wr[q];
    }
    a->bm_n += bmn;
    a->bm_w += bmw;
}

/* With AVX2 where the processor has it (SD_AVX2_CLONES): a row's R
 * replicate weights go in four at a time rather than two. */
SD_AVX2_CLONES
static void pass_var_reps(sd_accum *a, const sd_passctx *pc, const sd_tpass *tp,
                          const double *rep, size_t r0, size_t r1)
{
    bool ru8 = tp->rd.map->u8 != NULL, cu8 = tp->cm && tp->cm->u8;
    if (ru8 && cu8)
        reps_rows(a, pc, tp, rep, r0, r1, true, true);
    else if (ru8)
        reps_rows(a, pc, tp, rep, r0, r1, true, false);
    else if (cu8)
        reps_rows(a, pc, tp, rep, r0, r1, false, true);
    else
        reps_rows(a, pc, tp, rep, r0, r1, false, false);
}

/* Row r's base in Total and in each of its columns (valid: it answered the
 * row variable; else it is counted missing there), and the banner's
 * missing count. Returns the number of its columns (in cols). */
static size_t row_bases(emitter *e, const sd_colmap *cm, size_t r, double w, bool valid,
                        uint32_t *cols)
{
    size_t nc = sd__colmap_row(cm, r, cols);
    add_base(e, 0, w, valid);
    for (size_t j = 0; j < nc; j++)
        add_base(e, cols[j], w, valid);
    if (valid && cm && nc == 0 && !e->glm) {
        e->a->bm_n += 1;
        e->a->bm_w += w;
    }
    return nc;
}

static inline void add_cells(emitter *e, size_t k, const uint32_t *cols, size_t nc)
{
    add_cell(e, k, 0);
    for (size_t j = 0; j < nc; j++)
        add_cell(e, k, cols[j]);
}

static void pass_var(emitter *e, const sd_passctx *pc, const sd_tpass *tp, uint32_t *cols,
                     size_t r0, size_t r1)
{
    const sd_catmap *rm = tp->rd.map;
    size_t ncat = rm->ncats;
    for (size_t r = r0; r < r1; r++) {
        if (pc->in && !pc->in[r])
            continue;
        double w = pc->wt ? pc->wt[r] : 1.0;
        int32_t ri = sd__catmap_at(rm, r);
        size_t nc = row_bases(e, tp->cm, r, w, ri >= 0, cols);
        if (ri >= 0) {
            add_cells(e, (size_t)ri, cols, nc);
            uint64_t m = rm->netmask ? rm->netmask[ri] : 0;
            while (m) {
                int k = __builtin_ctzll(m);
                m &= m - 1;
                add_cells(e, ncat + (size_t)k, cols, nc);
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

/* R's qrule "math": qs() takes pos, the last value whose cumulative weight
 * is <= p W, and returns it when its share is exactly p, else the next
 * one (sums as R's cumsum and sum, in long double). When even the first
 * value's share is above p, R's last() falls back to the first index and
 * so returns the second value; we return the first: the smallest value
 * with F >= p, which the rule means (docs/statistics.md). */
double sd__qrule_math(const double *x, const double *w, size_t n, double p)
{
    if (n == 0 || !(p >= 0 && p <= 1))
        return NAN;
    long double tot = 0, cum = 0;
    for (size_t i = 0; i < n; i++)
        tot += w[i];
    double W = (double)tot, target = p * W, cpos = 0;
    size_t pos = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        cum += w[i];
        double c = (double)cum;
        if (c <= target) {
            pos = i;
            cpos = c;
        }
    }
    if (pos == SIZE_MAX)
        return x[0];
    if (p - cpos / W == 0)
        return x[pos];
    return x[pos + 1 < n ? pos + 1 : pos];
}

/* A scale variable's valid values (never a user-missing code, whatever
 * --missing says: SPSS leaves them out of scale statistics too) by column,
 * sorted (ties in row order), and each column's median. */
typedef struct svitem {
    double x, w;
    size_t row;
} svitem;

static int cmp_svitem(const void *a, const void *b)
{
    const svitem *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->row > q->row) - (p->row < q->row);
}

sd_status sd__scale_values(sd_wtable *t, const sd_var *v, const sd_passctx *pc,
                           const sd_colmap *cm, uint32_t *cols)
{
    size_t nc = t->ncols;
    t->sv_off = sd__zalloc(nc + 1, sizeof *t->sv_off);
    t->median = sd__zalloc(nc, sizeof *t->median);
    if (!t->sv_off || !t->median)
        return SD_E_NOMEM;
    size_t *count = sd__zalloc(nc, sizeof *count);
    if (!count)
        return SD_E_NOMEM;
    for (size_t r = 0; r < pc->nrows; r++) {
        if ((pc->in && !pc->in[r]) || item_missing(v, r, SD_MISSING_EXCLUDE))
            continue;
        count[0]++;
        size_t k = sd__colmap_row(cm, r, cols);
        for (size_t j = 0; j < k; j++)
            count[cols[j]]++;
    }
    for (size_t c = 0; c < nc; c++)
        t->sv_off[c + 1] = t->sv_off[c] + count[c];
    size_t total = t->sv_off[nc];
    svitem *it = sd__zalloc(total ? total : 1, sizeof *it);
    t->sv_x = sd__zalloc(total ? total : 1, sizeof *t->sv_x);
    t->sv_w = sd__zalloc(total ? total : 1, sizeof *t->sv_w);
    if (!it || !t->sv_x || !t->sv_w) {
        sd__free(it);
        sd__free(count);
        return SD_E_NOMEM;
    }
    memset(count, 0, nc * sizeof *count);
    for (size_t r = 0; r < pc->nrows; r++) {
        if ((pc->in && !pc->in[r]) || item_missing(v, r, SD_MISSING_EXCLUDE))
            continue;
        svitem x = {v->num[r], pc->wt ? pc->wt[r] : 1.0, r};
        it[t->sv_off[0] + count[0]++] = x;
        size_t k = sd__colmap_row(cm, r, cols);
        for (size_t j = 0; j < k; j++)
            it[t->sv_off[cols[j]] + count[cols[j]]++] = x;
    }
    for (size_t c = 0; c < nc; c++) {
        size_t a = t->sv_off[c], n = t->sv_off[c + 1] - a;
        if (n > 1)
            qsort(it + a, n, sizeof *it, cmp_svitem);
        for (size_t i = a; i < a + n; i++) {
            t->sv_x[i] = it[i].x;
            t->sv_w[i] = it[i].w;
        }
        t->median[c] = sd__qrule_math(t->sv_x + a, t->sv_w + a, n, 0.5);
    }
    sd__free(it);
    sd__free(count);
    return SD_OK;
}

/* A scale variable: the weighted sum and sum of squares of its valid
 * values per column, and its rows at or below the column's median; the
 * base is the rows with a valid value (a user-missing code is never one). */
static void pass_scale(emitter *e, const sd_passctx *pc, const sd_tpass *tp, uint32_t *cols,
                       size_t r0, size_t r1)
{
    const sd_var *v = tp->rd.scale;
    const sd_wtable *t = tp->t;
    size_t nc0 = e->a->ncols;
    for (size_t r = r0; r < r1; r++) {
        if (pc->in && !pc->in[r])
            continue;
        double w = pc->wt ? pc->wt[r] : 1.0;
        bool valid = !item_missing(v, r, SD_MISSING_EXCLUDE);
        size_t nc = row_bases(e, tp->cm, r, w, valid, cols);
        if (valid) {
            double x = v->num[r];
            em_add(e, 0, x);
            em_add(e, nc0, x * x);
            if (t->median)
                em_add(e, 2 * nc0, x <= t->median[0]);
            for (size_t j = 0; j < nc; j++) {
                em_add(e, cols[j], x);
                em_add(e, nc0 + cols[j], x * x);
                if (t->median)
                    em_add(e, 2 * nc0 + cols[j], x <= t->median[cols[j]]);
            }
        }
        em_end(e, r, w);
    }
}

/* A dichotomy set: each item counts the rows where it holds the counted value;
 * the base is the rows with at least one item answered. */
static void pass_dichotomy(emitter *e, const sd_passctx *pc, const sd_tpass *tp, uint32_t *cols,
                           size_t r0, size_t r1)
{
    const sd_mrset *m = tp->rd.mr;
    const sd_dataset *ds = pc->ds;
    for (size_t r = r0; r < r1; r++) {
        if (pc->in && !pc->in[r])
            continue;
        double w = pc->wt ? pc->wt[r] : 1.0;
        bool valid = false;
        for (size_t k = 0; k < m->nvars && !valid; k++)
            valid = !item_missing(ds->vars[m->vars[k]], r, pc->mode);
        size_t nc = row_bases(e, tp->cm, r, w, valid, cols);
        for (size_t k = 0; k < m->nvars; k++) {
            const sd_var *v = ds->vars[m->vars[k]];
            if (!item_missing(v, r, pc->mode) && v->num[r] == m->counted)
                add_cells(e, k, cols, nc);
        }
        em_end(e, r, w);
    }
}

/* A category set: each code counts once per row, whichever variables hold
 * it (stamp: per category, the number of the last row visit that counted
 * it; every table's visit of every row has its own number). */
static void pass_category(emitter *e, const sd_passctx *pc, const sd_tpass *tp, uint32_t *cols,
                          sd_worker *wk, size_t r0, size_t r1)
{
    const sd_catset *cs = tp->rd.cs;
    uint32_t *stamp = wk->stamp;
    for (size_t r = r0; r < r1; r++) {
        if (pc->in && !pc->in[r])
            continue;
        double w = pc->wt ? pc->wt[r] : 1.0;
        bool valid = false;
        for (size_t k = 0; k < cs->nvars && !valid; k++)
            valid = sd__catmap_at(&cs->maps[k], r) >= 0;
        size_t nc = row_bases(e, tp->cm, r, w, valid, cols);
        if (++wk->visit == 0) {
            memset(stamp, 0, wk->nstamp * sizeof *stamp);
            wk->visit = 1;
        }
        uint32_t mark = wk->visit;
        for (size_t k = 0; k < cs->nvars; k++) {
            int32_t c = sd__catmap_at(&cs->maps[k], r);
            if (c < 0)
                continue;
            int32_t row = cs->cat2u[k][c];
            if (stamp[row] == mark)
                continue;
            stamp[row] = mark;
            add_cells(e, (size_t)row, cols, nc);
        }
        em_end(e, r, w);
    }
}

/* ---- a worker: its scratch and its sums */

/* Rows per tile: 256, fewer with replicates (at most 32 KiB of their
 * weights, 51 rows of 80: the tile stays in the first-level cache while
 * every table takes it; 2 MiB tiles missed it on half their reads). */
static size_t tile_rows(size_t R)
{
    if (!R) /* a tile's codes and weights stay in cache across the tables,
             * and fast_counts_u8's lookups, made per tile, cost little */
        return 4096;
    size_t k = ((size_t)1 << 12) / R;
    return k < 8 ? 8 : k > 256 ? 256 : k;
}

bool sd__tpass_reps_cells(const sd_tpass *tp)
{
    const sd_accum *a = &tp->t->acc;
    return a->vmode == SD_VMODE_REPS && tp->rd.map && !tp->rd.map->netmask &&
           (!tp->cm || sd__colmap_one(tp->cm));
}

static bool tpass_fast(const sd_tpass *tp)
{
    const sd_accum *a = &tp->t->acc;
    return tp->rd.map && !tp->rd.map->netmask && (!tp->cm || sd__colmap_one(tp->cm)) && !a->pat_w2 &&
           !a->cal_a &&
           (a->vmode == SD_VMODE_NONE || a->vmode == SD_VMODE_UNITS ||
            (a->vmode == SD_VMODE_MOMENTS && a->st_diag));
}

bool sd__worker_init(sd_worker *w, const sd_passctx *pc, const sd_tpass *tp, size_t n,
                     bool direct)
{
    memset(w, 0, sizeof *w);
    size_t cap = 1, cols = 1, stamp = 1;
    for (size_t i = 0; i < n; i++) {
        cap = tp[i].t->acc.nlq > cap ? tp[i].t->acc.nlq : cap;
        cols = tp[i].t->ncols > cols ? tp[i].t->ncols : cols;
        if (tp[i].rd.cs)
            stamp = tp[i].t->nrows > stamp ? tp[i].t->nrows : stamp;
    }
    w->n = n;
    w->acc = sd__zalloc(n ? n : 1, sizeof *w->acc);
    w->lq = sd__zalloc(cap, sizeof *w->lq);
    w->av = sd__zalloc(cap, sizeof *w->av);
    w->cbuf = sd__zalloc(cols, sizeof *w->cbuf);
    w->stamp = sd__zalloc(stamp, sizeof *w->stamp);
    w->nstamp = stamp;
    w->cap = cap;
    size_t R = pc->d && pc->d->nrep && !pc->d->repmult ? pc->d->nrep : 0;
    w->tile = tile_rows(R);
    if (R && !(w->rep = sd__zalloc(w->tile * R, sizeof *w->rep)))
        goto fail;
    if (!w->acc || !w->lq || !w->av || !w->cbuf || !w->stamp)
        goto fail;
    w->direct = direct;
    for (size_t i = 0; i < n; i++)
        if (direct)
            w->acc[i] = tp[i].t->acc; /* the tables' own arrays */
        else if (!sd__accum_init_like(&w->acc[i], &tp[i].t->acc))
            goto fail;
    return true;
fail:
    sd__worker_free(w);
    return false;
}

void sd__worker_free(sd_worker *w)
{
    for (size_t i = 0; w->acc && !w->direct && i < w->n; i++)
        sd__accum_free(&w->acc[i]);
    sd__free(w->acc);
    sd__free(w->lq);
    sd__free(w->av);
    sd__free(w->cbuf);
    sd__free(w->stamp);
    sd__free(w->rep);
    memset(w, 0, sizeof *w);
}

/* Neumaier's compensated sum: a Total or a base made from its cells is
 * then as close to the exact sum of their values as a double holds, so a
 * figure at a rounding edge (12.05 from weights of four decimals) prints
 * as the row-by-row sum in row order printed it. */
typedef struct ksum {
    double s, c;
} ksum;

static inline void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    k->c += fabs(k->s) >= fabs(x) ? (k->s - t) + x : (x - t) + k->s;
    k->s = t;
}

/* After fast_rows over a chunk (into sums that started from zero): a Total
 * cell is its row's banner cells plus what was put there directly, and a
 * base its column's cells (every valid row is in one category). What was
 * put in the Total cells directly, with a banner, is the rows whose banner
 * value is missing. */
static void cells_up(sd_accum *a, bool banner)
{
    size_t nc = a->ncols, cells = a->nrows * nc;
    double *n = a->n, *w = a->w;
    if (banner) {
        double bn = 0;
        ksum bw = {0, 0};
        for (size_t k = 0; k < a->nrows; k++) {
            bn += n[k * nc];
            ksum_add(&bw, w[k * nc]);
        }
        a->bm_n += bn;
        a->bm_w += bw.s + bw.c;
    }
    for (size_t k = 0; k < a->nrows; k++) {
        double *tn = n + k * nc, *tw = w + k * nc;
        ksum sw = {tw[0], 0};
        for (size_t c = 1; c < nc; c++) {
            tn[0] += tn[c];
            ksum_add(&sw, tw[c]);
        }
        tw[0] = sw.s + sw.c;
    }
    for (size_t c = 0; c < nc; c++) {
        double bn = 0;
        ksum bw = {w[cells + c], 0};
        for (size_t k = 0; k < a->nrows; k++) {
            bn += n[k * nc + c];
            ksum_add(&bw, w[k * nc + c]);
        }
        n[cells + c] += bn;
        w[cells + c] = bw.s + bw.c;
    }
}

void sd__pass_rows(const sd_passctx *pc, const sd_tpass *tp, size_t n, sd_worker *wk,
                   size_t r0, size_t r1, bool glm)
{
    const sd_design *d = pc->d;
    size_t R = wk->rep ? d->nrep : 0;
    for (size_t a = r0; a < r1; a += wk->tile) {
        size_t b = r1 - a < wk->tile ? r1 : a + wk->tile;
        if (R && !glm) {
            /* The tile's replicate weights, row by row. */
            for (size_t q = 0; q < R; q++) {
                const double *col = d->repw[q];
                for (size_t r = a; r < b; r++)
                    wk->rep[(r - a) * R + q] = col[r];
            }
        }
        for (size_t i = 0; i < n; i++) {
            const sd_tpass *t = &tp[i];
            sd_accum *acc = &wk->acc[i];
            if (glm && (!t->glm || t->t->row_is_scale))
                continue;
            if (!glm && sd__tpass_reps_cells(t)) {
                pass_var_reps(acc, pc, t, wk->rep, a, b);
                continue;
            }
            if (!glm && tpass_fast(t)) {
                pass_var_fast(acc, pc, t, a, b);
                continue;
            }
            emitter em = {acc, &t->t->acc, d, pc->unit, glm, wk->lq, wk->av, 0, wk->cap,
                          wk->rep, a};
            if (t->rd.scale)
                pass_scale(&em, pc, t, wk->cbuf, a, b);
            else if (t->rd.map)
                pass_var(&em, pc, t, wk->cbuf, a, b);
            else if (t->rd.cs)
                pass_category(&em, pc, t, wk->cbuf, wk, a, b);
            else
                pass_dichotomy(&em, pc, t, wk->cbuf, a, b);
        }
    }
    for (size_t i = 0; i < n && !glm; i++)
        if (!sd__tpass_reps_cells(&tp[i]) && tpass_fast(&tp[i]))
            cells_up(&wk->acc[i], tp[i].cm != NULL);
}
