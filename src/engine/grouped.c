/*
 * grouped.c — the engine's hook for sums computed elsewhere: a table's
 * accumulators filled from groups of rows instead of rows (plan.h,
 * sd__pass_groups). A group is every row sharing the values the table's
 * sums depend on — its row and banner values, stratum, variance unit,
 * replicate pattern — as a database's GROUP BY returns them (src/db/):
 * within a group a row's LQ values a_l are the same, so each sum the pass
 * adds row by row (pass.c) is the group's count, sum of w, sum of w^2 or
 * sum of w_r times a_l (a_l a_m for the cross-products). The LQs a group
 * touches are found exactly as pass.c's generic path finds a row's, and
 * the sums land in the same sd_accum, so what reads them (stats/) cannot
 * tell a file's rows from a database's groups.
 *
 * Keep in step with pass.c: a sum added there is added here.
 */
#include "plan.h"

#include <math.h>
#include <string.h>

typedef struct gem {
    sd_accum *a;
    const sd_groups *g;
    bool glm;
    uint32_t *lq;
    double *av;
    size_t m, cap;
} gem;

static inline void g_add(gem *e, size_t lq, double a)
{
    e->lq[e->m] = (uint32_t)lq;
    e->av[e->m] = a;
    e->m++;
}

static inline void g_cells(gem *e, size_t r, const uint32_t *cols, size_t nc)
{
    size_t ncols = e->a->ncols;
    g_add(e, r * ncols, 1.0);
    for (size_t j = 0; j < nc; j++)
        g_add(e, r * ncols + cols[j], 1.0);
}

/* Group k's base in Total and its columns (valid) or its missing count;
 * the banner's missing count. Returns the number of its columns. */
static size_t g_bases(gem *e, const sd_colmap *cm, size_t k, bool valid, uint32_t *cols)
{
    sd_accum *a = e->a;
    double cnt = e->g->cnt[k], sw = e->g->sw[k];
    size_t nc = sd__colmap_row(cm, k, cols);
    size_t cells = a->nrows * a->ncols;
    if (valid) {
        g_add(e, cells, 1.0);
        for (size_t j = 0; j < nc; j++)
            g_add(e, cells + cols[j], 1.0);
        if (cm && nc == 0 && !e->glm) {
            a->bm_n += cnt;
            a->bm_w += sw;
        }
    } else if (!e->glm) {
        a->miss_n[0] += cnt;
        a->miss_w[0] += sw;
        for (size_t j = 0; j < nc; j++) {
            a->miss_n[cols[j]] += cnt;
            a->miss_w[cols[j]] += sw;
        }
    }
    return nc;
}

/* pass.c's glm start sums (glm_start_add) for a group whose rows all
 * weigh w: each of its cnt rows adds the same terms. */
static void g_glm(gem *e, size_t k)
{
    sd_accum *a = e->a;
    double cnt = e->g->cnt[k], w = e->g->wval[k];
    size_t cells = a->nrows * a->ncols;
    for (size_t i = 0; i < e->m; i++) {
        size_t c = e->lq[i] < cells ? e->lq[i] % a->ncols : e->lq[i] - cells;
        double W = w / (a->base_w[c] / a->base_n[c]);
        if (!(W > 0))
            continue;
        double aw = W * 0.5 * (W + 0.5) / ((W + 1) * (W + 1));
        a->glm_a[e->lq[i]] += cnt * aw;
        a->glm_al[e->lq[i]] += cnt * aw * (log(2 * W + 1) + (W + 1) / (W + 0.5));
        a->glm_d[e->lq[i]] += cnt * 2 * W * log((W + 1) / (W + 0.5));
    }
}

static void g_end(gem *e, size_t k)
{
    sd_accum *a = e->a;
    const sd_groups *g = e->g;
    size_t m = e->m;
    if (e->glm) {
        g_glm(e, k);
        e->m = 0;
        return;
    }
    e->m = 0;
    double cnt = g->cnt[k], sw = g->sw[k], sw2 = g->sw2 ? g->sw2[k] : 0;
    for (size_t i = 0; i < m; i++) {
        a->n[e->lq[i]] += cnt;
        a->w[e->lq[i]] += sw * e->av[i];
    }
    size_t cells = a->nrows * a->ncols;
    int32_t p = g->pattern ? g->pattern[k] : -1;
    if (a->pat_w2 && p >= 0) {
        for (size_t i = 0; i < m; i++)
            if (e->lq[i] >= cells)
                a->pat_w2[(e->lq[i] - cells) * a->npattern + (size_t)p] += sw2;
    } else if (a->ovf && p == -2 && g->ovf_row) {
        /* The rows' replicate weights w_r = w x_r share x: their Gram
         * matrix sum w^2 x x' is that of one row sqrt(sum w^2) x. */
        size_t R = a->nrep;
        for (size_t i = 0; i < m; i++)
            if (e->lq[i] >= cells)
                sd__rf_add(&a->ovf[e->lq[i] - cells], R, a->ovf_u, g->ovf_row + k * R, sqrt(sw2));
    }
    switch (a->vmode) {
    case SD_VMODE_NONE: return;
    case SD_VMODE_UNITS: {
        double *t = a->unit_tot + (size_t)g->unit[k] * a->nlq;
        for (size_t i = 0; i < m; i++)
            t[e->lq[i]] += sw * e->av[i];
        return;
    }
    case SD_VMODE_MOMENTS: {
        size_t h = (size_t)g->stratum[k];
        double *s = a->st_sum + h * a->nlq;
        if (a->st_diag) {
            double *dg = a->st_diag + h * a->nlq;
            for (size_t i = 0; i < m; i++) {
                s[e->lq[i]] += sw * e->av[i];
                dg[e->lq[i]] += sw2 * e->av[i] * e->av[i];
            }
            return;
        }
        double *q = a->st_cross + h * a->nlq * a->nlq;
        for (size_t i = 0; i < m; i++) {
            s[e->lq[i]] += sw * e->av[i];
            double *qr = q + (size_t)e->lq[i] * a->nlq;
            for (size_t j = 0; j < m; j++)
                qr[e->lq[j]] += sw2 * e->av[i] * e->av[j];
        }
        return;
    }
    case SD_VMODE_REPS: {
        /* Cell by cell while sums are added (sd__accum_finish turns them). */
        size_t R = a->nrep;
        const double *wr = g->swr + k * R;
        for (size_t i = 0; i < m; i++) {
            double *t = a->rep_tot + (size_t)e->lq[i] * R, av = e->av[i];
            for (size_t r = 0; r < R; r++)
                t[r] += wr[r] * av;
        }
        return;
    }
    }
}

static bool g_missing(const sd_var *v, size_t r, sd_missing_mode mode)
{
    if (v->sysmis[r])
        return true;
    return mode == SD_MISSING_EXCLUDE && sd__var_is_user_missing_num(v, v->num[r]);
}

static void g_var(gem *e, const sd_passctx *pc, const sd_colmap *cm, uint32_t *cols,
                  const sd_catmap *rm)
{
    for (size_t k = 0; k < pc->nrows; k++) {
        if (!(e->g->cnt[k] > 0))
            continue;
        int32_t ri = sd__catmap_at(rm, k);
        size_t nc = g_bases(e, cm, k, ri >= 0, cols);
        if (ri >= 0) {
            g_cells(e, (size_t)ri, cols, nc);
            uint64_t msk = rm->netmask ? rm->netmask[ri] : 0;
            while (msk) {
                int b = __builtin_ctzll(msk);
                msk &= msk - 1;
                g_cells(e, rm->ncats + (size_t)b, cols, nc);
            }
        }
        g_end(e, k);
    }
}

static void g_scale(gem *e, const sd_passctx *pc, const sd_colmap *cm, uint32_t *cols,
                    const sd_var *v, const double *median)
{
    size_t nc0 = e->a->ncols;
    for (size_t k = 0; k < pc->nrows; k++) {
        if (!(e->g->cnt[k] > 0))
            continue;
        bool valid = !g_missing(v, k, SD_MISSING_EXCLUDE);
        size_t nc = g_bases(e, cm, k, valid, cols);
        if (valid) {
            double x = v->num[k];
            g_add(e, 0, x);
            g_add(e, nc0, x * x);
            if (median)
                g_add(e, 2 * nc0, x <= median[0]);
            for (size_t j = 0; j < nc; j++) {
                g_add(e, cols[j], x);
                g_add(e, nc0 + cols[j], x * x);
                if (median)
                    g_add(e, 2 * nc0 + cols[j], x <= median[cols[j]]);
            }
        }
        g_end(e, k);
    }
}

static void g_dichotomy(gem *e, const sd_passctx *pc, const sd_colmap *cm, uint32_t *cols,
                        const sd_mrset *m)
{
    const sd_dataset *ds = pc->ds;
    for (size_t k = 0; k < pc->nrows; k++) {
        if (!(e->g->cnt[k] > 0))
            continue;
        bool valid = false;
        for (size_t i = 0; i < m->nvars && !valid; i++)
            valid = !g_missing(ds->vars[m->vars[i]], k, pc->mode);
        size_t nc = g_bases(e, cm, k, valid, cols);
        for (size_t i = 0; i < m->nvars; i++) {
            const sd_var *v = ds->vars[m->vars[i]];
            if (!g_missing(v, k, pc->mode) && v->num[k] == m->counted)
                g_cells(e, i, cols, nc);
        }
        g_end(e, k);
    }
}

static void g_category(gem *e, const sd_passctx *pc, const sd_colmap *cm, uint32_t *cols,
                       const sd_catset *cs,
                       uint32_t *stamp)
{
    for (size_t k = 0; k < pc->nrows; k++) {
        if (!(e->g->cnt[k] > 0))
            continue;
        bool valid = false;
        for (size_t i = 0; i < cs->nvars && !valid; i++)
            valid = sd__catmap_at(&cs->maps[i], k) >= 0;
        size_t nc = g_bases(e, cm, k, valid, cols);
        uint32_t mark = (uint32_t)k + 1;
        for (size_t i = 0; i < cs->nvars; i++) {
            int32_t c = sd__catmap_at(&cs->maps[i], k);
            if (c < 0)
                continue;
            int32_t row = cs->cat2u[i][c];
            if (stamp[row] == mark)
                continue;
            stamp[row] = mark;
            g_cells(e, (size_t)row, cols, nc);
        }
        g_end(e, k);
    }
}

sd_status sd__pass_groups(sd_wtable *t, const sd_passctx *pc, const sd_rowdim *rd,
                          const sd_colmap *cm, uint32_t *cols, const sd_groups *g, bool glm,
                          sd_error *err)
{
    gem em;
    memset(&em, 0, sizeof em);
    em.a = &t->acc;
    em.g = g;
    em.glm = glm;
    em.cap = t->acc.nlq;
    em.lq = sd__zalloc(em.cap, sizeof *em.lq);
    em.av = sd__zalloc(em.cap, sizeof *em.av);
    uint32_t *stamp = rd->cs ? sd__zalloc(t->nrows, sizeof *stamp) : NULL;
    bool glm_ok = !glm || sd__accum_init_glm(&t->acc);
    if (!em.lq || !em.av || (rd->cs && !stamp) || !glm_ok) {
        sd__free(em.lq);
        sd__free(em.av);
        sd__free(stamp);
        return sd__fail(err, SD_E_NOMEM, pc->ds->source, 0, 0, NULL, "out of memory");
    }
    if ((glm && !g->wval) || (t->acc.vmode == SD_VMODE_UNITS && !g->unit) ||
        (t->acc.vmode == SD_VMODE_MOMENTS && (!g->stratum || !g->sw2)) ||
        (t->acc.vmode == SD_VMODE_REPS && !g->swr) || (t->acc.pat_w2 && (!g->pattern || !g->sw2))) {
        sd__free(em.lq);
        sd__free(em.av);
        sd__free(stamp);
        return sd__fail(err, SD_E_INTERNAL, pc->ds->source, 0, 0, t->row_name,
                        "table of '%s': grouped sums without what its design needs", t->row_name);
    }
    if (rd->scale)
        g_scale(&em, pc, cm, cols, rd->scale, t->median);
    else if (rd->map)
        g_var(&em, pc, cm, cols, rd->map);
    else if (rd->cs)
        g_category(&em, pc, cm, cols, rd->cs, stamp);
    else
        g_dichotomy(&em, pc, cm, cols, rd->mr);
    sd__free(em.lq);
    sd__free(em.av);
    sd__free(stamp);
    return SD_OK;
}
