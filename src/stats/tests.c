/*
 * tests.c — significance tests on a table: the Rao-Scott test of rows by
 * banner columns (R's svychisq, tests/oracle/README.md §8) and the column
 * letters of market-research tables, from pairwise differences of column
 * estimates with their design-based covariance (svyby(covmat = TRUE) then
 * svycontrast, README §10), or SPSS Custom Tables' pooled z-test on
 * effective bases. docs/tests.md describes both and their options.
 *
 * The small matrix algebra of the Rao-Scott test (products and one linear
 * solve, of order (rows-1)(columns-1)) uses GSL's BLAS and LU.
 */
#include "stats.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>

enum { LETTERS_DESIGN = 0, LETTERS_SPSS = 1, LETTERS_NONE = 2 };
enum { ADJ_NONE = 1, ADJ_BONFERRONI = 2, ADJ_HOLM = 3, ADJ_FDR = 4 };

/* Banner letters A..Z: wider banners get no letters. */
#define MAX_LETTER_COLS 26

static sd_status nomem(sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

/* ------------------------------------------------------------ Rao-Scott */

double sd__cols_df(const sd_work *res, const sd_wtable *t, const bool *cols)
{
    const sd_accum *a = &t->acc;
    const sd_design *d = &res->design;
    size_t B = t->nrows * t->ncols;
    if (a->vmode == SD_VMODE_REPS || d->repmult) {
        /* The columns' rows: their replicate-pattern sums add up, and
         * their triangular factors stack. */
        double *w2 = sd__zalloc(a->npattern ? a->npattern : 1, sizeof *w2);
        const sd_repfactor **rf = sd__zalloc(t->ncols, sizeof *rf);
        if (!w2 || !rf) {
            sd__free(w2);
            sd__free(rf);
            return NAN;
        }
        size_t nrf = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            if (!cols[c])
                continue;
            for (size_t p = 0; a->pat_w2 && p < a->npattern; p++)
                w2[p] += a->pat_w2[c * a->npattern + p];
            if (a->ovf)
                rf[nrf++] = &a->ovf[c];
        }
        double df = sd__rep_df_domain(d, w2, rf, nrf);
        sd__free(w2);
        sd__free(rf);
        return df;
    }
    size_t psus = 0, strata = 0;
    if (a->vmode == SD_VMODE_MOMENTS) {
        double n = 0;
        for (size_t c = 0; c < t->ncols; c++)
            n += cols[c] ? a->base_n[c] : 0;
        for (size_t h = 0; h < d->nstrata; h++) {
            double s = 0;
            for (size_t c = 0; c < t->ncols; c++)
                s += cols[c] ? a->st_sum[h * a->nlq + B + c] : 0;
            strata += s > 0;
        }
        return n - (double)strata;
    }
    if (a->vmode != SD_VMODE_UNITS)
        return NAN;
    size_t depth = 1;
    while (depth < d->nstages && d->has_fpc[depth - 1])
        depth++;
    size_t n0 = d->nunits[0];
    double *psu = sd__zalloc(n0 ? n0 : 1, sizeof *psu);
    bool *hs = sd__zalloc(d->nstrata ? d->nstrata : 1, sizeof *hs);
    if (!psu || !hs) {
        sd__free(psu);
        sd__free(hs);
        return NAN;
    }
    for (size_t u = 0; u < d->nunits[depth - 1]; u++) {
        size_t x = u;
        for (size_t s = depth - 1; s > 0; s--)
            x = (size_t)d->parent[s][x];
        for (size_t c = 0; c < t->ncols; c++)
            psu[x] += cols[c] ? a->unit_tot[u * a->nlq + B + c] : 0;
    }
    for (size_t p = 0; p < n0; p++)
        if (psu[p] > 0) {
            psus++;
            hs[d->parent[0][p]] = true;
        }
    for (size_t h = 0; h < d->nstrata; h++)
        strata += hs[h];
    sd__free(psu);
    sd__free(hs);
    return (double)psus - (double)strata;
}

static void chisq_clear(sd_chisq *out)
{
    out->done = false;
    out->n = out->nu = out->x2 = NAN;
    out->f = out->ndf = out->ddf = out->f_p = NAN;
    out->df = out->chisq_p = NAN;
}

/* Delta = (C' D C / N)^-1 (C' D V D C), D = diag(1/P) (0 where P = 0):
 * its trace and the trace of its square. False when singular. */
static bool delta_traces(const double *P, const double *V, size_t nr, size_t nc, double N,
                         double *tr1, double *tr2)
{
    size_t k = nr * nc, m = (nr - 1) * (nc - 1);
    bool ok = false;
    double *C = sd__zalloc(k * m, sizeof *C);
    double *G = sd__zalloc(k * m, sizeof *G);
    double *M1 = sd__zalloc(m * m, sizeof *M1);
    double *VG = sd__zalloc(k * m, sizeof *VG);
    double *M2 = sd__zalloc(m * m, sizeof *M2);
    sd__gsl_quiet();
    gsl_permutation *perm = gsl_permutation_alloc(m);
    gsl_vector *x = gsl_vector_alloc(m);
    if (!C || !G || !M1 || !VG || !M2 || !perm || !x)
        goto done;
    /* Interaction contrasts, cell (i, j) at i + j nr, column (a, b) for
     * a, b >= 1 at (a - 1) + (b - 1)(nr - 1). */
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nr; i++) {
            size_t l = i + j * nr;
            double inv = P[l] != 0 ? 1 / P[l] : 0;
            for (size_t b = 1; b < nc; b++)
                for (size_t a2 = 1; a2 < nr; a2++) {
                    size_t q = (a2 - 1) + (b - 1) * (nr - 1);
                    double v = (i == a2 && j == b) - (i == a2) / (double)nc -
                               (j == b) / (double)nr + 1 / (double)(nr * nc);
                    C[l * m + q] = v;
                    G[l * m + q] = v * inv;
                }
        }
    gsl_matrix_view Cv = gsl_matrix_view_array(C, k, m);
    gsl_matrix_view Gv = gsl_matrix_view_array(G, k, m);
    gsl_matrix_const_view Vv = gsl_matrix_const_view_array(V, k, k);
    gsl_matrix_view M1v = gsl_matrix_view_array(M1, m, m);
    gsl_matrix_view VGv = gsl_matrix_view_array(VG, k, m);
    gsl_matrix_view M2v = gsl_matrix_view_array(M2, m, m);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1 / N, &Cv.matrix, &Gv.matrix, 0, &M1v.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &Vv.matrix, &Gv.matrix, 0, &VGv.matrix);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1, &Gv.matrix, &VGv.matrix, 0, &M2v.matrix);
    int sign = 0;
    gsl_linalg_LU_decomp(&M1v.matrix, perm, &sign);
    /* GSL's default handler aborts on a singular matrix: test first. */
    double umax = 0;
    for (size_t i = 0; i < m; i++)
        umax = fmax(umax, fabs(M1[i * m + i]));
    for (size_t i = 0; i < m; i++)
        if (!(fabs(M1[i * m + i]) > 1e-13 * umax))
            goto done;
    /* Delta column by column, into M2 (read before overwrite: solve into x). */
    for (size_t q = 0; q < m; q++) {
        gsl_vector_view col = gsl_matrix_column(&M2v.matrix, q);
        gsl_linalg_LU_solve(&M1v.matrix, perm, &col.vector, x);
        gsl_vector_memcpy(&col.vector, x);
    }
    *tr1 = *tr2 = 0;
    for (size_t i = 0; i < m; i++) {
        *tr1 += M2[i * m + i];
        for (size_t j = 0; j < m; j++)
            *tr2 += M2[i * m + j] * M2[j * m + i];
    }
    ok = isfinite(*tr1) && isfinite(*tr2) && *tr1 > 0 && *tr2 > 0;
done:
    sd__free(C);
    sd__free(G);
    sd__free(M1);
    sd__free(VG);
    sd__free(M2);
    if (perm)
        gsl_permutation_free(perm);
    if (x)
        gsl_vector_free(x);
    return ok;
}

/* Covariance of the k joint proportions q[l] = cell_l / D (one shared
 * denominator D), with whole-design semantics. Linearization: from the
 * covariance of the k + 1 totals (cells and D) by the ratios' Jacobian,
 * the same influence values as sd__ratio_cov on the ratios but without a
 * k-term denominator in every one of k^2 products. Replicates: the ratios
 * themselves (each replicate's ratio, not a delta method). */
static sd_status joint_cov(const sd_work *res, const sd_wtable *t, const sd_ratio *q,
                           const double *P, size_t k, double *V, sd_error *err)
{
    if (t->acc.vmode == SD_VMODE_REPS || res->design.repmult)
        return sd__ratio_cov(res, t, q, k, -1, V, err);
    size_t K = k + 1;
    sd_ratio *tot = sd__zalloc(K, sizeof *tot);
    double *W = sd__zalloc(K * K, sizeof *W);
    sd_status st = SD_OK;
    if (!tot || !W) {
        st = nomem(err);
        goto done;
    }
    for (size_t l = 0; l < k && st == SD_OK; l++)
        if (!sd__lin_add(&tot[l].num, q[l].num.lq[0], 1))
            st = nomem(err);
    for (size_t i = 0; i < q[0].den.n && st == SD_OK; i++)
        if (!sd__lin_add(&tot[k].num, q[0].den.lq[i], 1))
            st = nomem(err);
    if (st != SD_OK || (st = sd__ratio_cov(res, t, tot, K, -1, W, err)) != SD_OK)
        goto done;
    double D = sd__ratio_value(&t->acc, &tot[k]);
    for (size_t l = 0; l < k; l++)
        for (size_t m = 0; m < k; m++)
            V[l * k + m] = (W[l * K + m] - P[l] * W[k * K + m] - P[m] * W[l * K + k] +
                            P[l] * P[m] * W[k * K + k]) /
                           (D * D);
done:
    for (size_t l = 0; tot && l < K; l++)
        sd__ratio_free(&tot[l]);
    sd__free(tot);
    sd__free(W);
    return st;
}

sd_status sd__rao_scott(const sd_work *res, const sd_wtable *t, sd_chisq *out, sd_error *err)
{
    chisq_clear(out);
    /* A banner whose rows can be in several columns (a multiple-response
     * set) is not a partition: no test of independence applies. */
    if (t->row_is_mrset || t->row_is_scale || !t->one_col || t->ncols < 3)
        return SD_OK;
    const sd_accum *a = &t->acc;
    size_t body = t->nrows - t->nnets, B = t->nrows * t->ncols;
    size_t nr = 0, nc = 0;
    size_t *rows = sd__zalloc(body ? body : 1, sizeof *rows);
    size_t *cols = sd__zalloc(t->ncols, sizeof *cols);
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    sd_ratio *q = NULL;
    double *P = NULL, *V = NULL;
    sd_status st = SD_OK;
    if (!rows || !cols || !mask) {
        st = nomem(err);
        goto done;
    }
    /* Rows and banner columns with weight: the levels R's factors see. */
    for (size_t r = 0; r < body; r++) {
        double s = 0;
        for (size_t c = 1; c < t->ncols; c++)
            s += a->w[r * t->ncols + c];
        if (s > 0)
            rows[nr++] = r;
    }
    for (size_t c = 1; c < t->ncols; c++)
        if (a->base_w[c] > 0)
            cols[nc++] = c;
    if (nr < 2 || nc < 2)
        goto done;
    size_t k = nr * nc;
    q = sd__zalloc(k, sizeof *q);
    P = sd__zalloc(k, sizeof *P);
    V = sd__zalloc(k * k, sizeof *V);
    if (!q || !P || !V) {
        st = nomem(err);
        goto done;
    }
    /* Joint cell proportions over the rows valid on both, y fastest. */
    double N = 0;
    for (size_t j = 0; j < nc; j++)
        N += a->base_n[cols[j]];
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nr; i++) {
            sd_ratio *x = &q[i + j * nr];
            bool ok = sd__lin_add(&x->num, rows[i] * t->ncols + cols[j], 1);
            for (size_t jj = 0; ok && jj < nc; jj++)
                ok = sd__lin_add(&x->den, B + cols[jj], 1);
            if (!ok) {
                st = nomem(err);
                goto done;
            }
            P[i + j * nr] = sd__ratio_value(a, x);
        }
    if ((st = joint_cov(res, t, q, P, k, V, err)) != SD_OK)
        goto done;
    double X2 = 0;
    for (size_t j = 0; j < nc; j++) {
        double pc = 0;
        for (size_t i = 0; i < nr; i++)
            pc += P[i + j * nr];
        for (size_t i = 0; i < nr; i++) {
            double pr = 0;
            for (size_t jj = 0; jj < nc; jj++)
                pr += P[i + jj * nr];
            double e = pr * pc, dlt = P[i + j * nr] - e;
            X2 += dlt * dlt / e;
        }
    }
    X2 *= N;
    double tr1, tr2;
    if (!delta_traces(P, V, nr, nc, N, &tr1, &tr2))
        goto done;
    double df = (double)((nr - 1) * (nc - 1));
    out->done = true;
    out->n = N;
    for (size_t c = 0; c < t->ncols; c++)
        mask[c] = c > 0;
    out->nu = sd__cols_df(res, t, mask);
    out->x2 = X2;
    out->f = X2 / tr1;
    out->ndf = tr1 * tr1 / tr2;
    out->ddf = out->ndf * out->nu;
    out->f_p = sd__pf_upper(out->f, out->ndf, out->ddf);
    out->df = df;
    out->chisq_p = sd__pchisq_upper(X2 / (tr1 / df), df);
done:
    for (size_t i = 0; q && i < nr * nc; i++)
        sd__ratio_free(&q[i]);
    sd__free(q);
    sd__free(P);
    sd__free(V);
    sd__free(rows);
    sd__free(cols);
    sd__free(mask);
    return st;
}

/* ------------------------------------------------------- column letters */

/* Covariance (nb x nb) of row r's estimates in columns cols[], over the
 * Total column's analysis set (the rows valid on the row variable). */
static sd_status row_cov(const sd_work *res, const sd_wtable *t, size_t r, const size_t *cols,
                         size_t nb, double *V, double *est, sd_error *err)
{
    sd_ratio *q = sd__zalloc(nb, sizeof *q);
    if (!q)
        return nomem(err);
    sd_status st = SD_OK;
    for (size_t i = 0; i < nb && st == SD_OK; i++) {
        if (!sd__lin_add(&q[i].num, r * t->ncols + cols[i], 1) ||
            !sd__lin_add(&q[i].den, t->nrows * t->ncols + cols[i], 1))
            st = nomem(err);
        else if (est)
            est[i] = sd__ratio_value(&t->acc, &q[i]);
    }
    if (st == SD_OK)
        st = sd__ratio_cov(res, t, q, nb, 0, V, err);
    for (size_t i = 0; i < nb; i++)
        sd__ratio_free(&q[i]);
    sd__free(q);
    return st;
}

/* svyttest's df for columns c and d: degf of their rows, minus one. */
static double pair_df(const sd_work *res, const sd_wtable *t, size_t c, size_t d, bool *mask)
{
    for (size_t i = 0; i < t->ncols; i++)
        mask[i] = i == c || i == d;
    return sd__cols_df(res, t, mask) - 1;
}

/* The 2x2 table of one row (in the row / not) by two banner columns c, d:
 * its four joint proportions over the pair's base rows (y fastest) and
 * their covariance, as svymean of the cells' indicators on the subset of
 * the two columns. Linearization: from W, the covariance of the totals
 * (cell c, base c, cell d, base d) (4 x 4); replicates: each replicate's
 * proportions from thetas (those four totals' replicate values). */
static void pair_table(const sd_work *res, const sd_wtable *t, const double *u, const double *W,
                       const double *const *th, double *P, double *V)
{
    double T = u[1] + u[3];
    double cell[4] = {u[0], u[1] - u[0], u[2], u[3] - u[2]};
    for (size_t l = 0; l < 4; l++)
        P[l] = cell[l] / T;
    if (!th) {
        /* cell = M u, T = e'u. */
        static const double M[4][4] = {{1, 0, 0, 0}, {-1, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, -1, 1}};
        static const double e[4] = {0, 1, 0, 1};
        double MW[4][4], g[4], vT = 0, We[4];
        for (size_t i = 0; i < 4; i++) {
            We[i] = 0;
            for (size_t j = 0; j < 4; j++)
                We[i] += W[i * 4 + j] * e[j];
            vT += e[i] * 0; /* filled below */
        }
        for (size_t i = 0; i < 4; i++)
            vT += e[i] * We[i];
        for (size_t i = 0; i < 4; i++) {
            g[i] = 0;
            for (size_t j = 0; j < 4; j++) {
                MW[i][j] = 0;
                for (size_t k = 0; k < 4; k++)
                    MW[i][j] += M[i][k] * W[k * 4 + j];
                g[i] += M[i][j] * We[j];
            }
        }
        for (size_t l = 0; l < 4; l++)
            for (size_t m = 0; m < 4; m++) {
                double C = 0;
                for (size_t k = 0; k < 4; k++)
                    C += MW[l][k] * M[m][k];
                V[l * 4 + m] = (C - P[l] * g[m] - P[m] * g[l] + P[l] * P[m] * vT) / (T * T);
            }
        return;
    }
    const sd_design *d = &res->design;
    size_t R = d->nrep;
    double *pt = sd__zalloc(4 * (R ? R : 1), sizeof *pt);
    if (!pt) {
        for (size_t i = 0; i < 16; i++)
            V[i] = NAN;
        return;
    }
    for (size_t q = 0; q < R; q++) {
        double ac = th[0][q], bc = th[1][q], ad = th[2][q], bd = th[3][q], Tq = bc + bd;
        double cq[4] = {ac, bc - ac, ad, bd - ad};
        for (size_t l = 0; l < 4; l++)
            pt[l * R + q] = Tq != 0 ? cq[l] / Tq : NAN;
    }
    sd__rep_cov(d, pt, P, 4, V);
    sd__free(pt);
    (void)t;
}

/* The pooled test of row r between columns c and d: R's svychisq (F) of
 * the pair's 2x2 table on the rows of the two columns valid on the row
 * variable, Rao-Scott's design-corrected Pearson X2, whose variance is
 * taken under the null (the pooled proportion), so a column at 0 or 1
 * still has one. F(1, nu) is t(nu)^2: t = sign(diff) sqrt(F), and the SE it
 * implies, sqrt(pbar (1 - pbar) / (N P_c P_d) * delta). */
static void pooled_test(const sd_work *res, const sd_wtable *t, size_t c, size_t d,
                        const double *u, const double *W, const double *const *th, bool *mask,
                        sd_coltest *out)
{
    double P[4], V[16];
    pair_table(res, t, u, W, th, P, V);
    double N = t->acc.base_n[c] + t->acc.base_n[d];
    double pc = P[0] + P[1], pd = P[2] + P[3], p1 = P[0] + P[2], p0 = P[1] + P[3];
    double x2 = 0;
    for (size_t j = 0; j < 2; j++)
        for (size_t i = 0; i < 2; i++) {
            double e = (i == 0 ? p1 : p0) * (j == 0 ? pc : pd);
            double dl = P[i + 2 * j] - e;
            x2 += dl * dl / e;
        }
    x2 *= N;
    double tr1, tr2;
    out->diff = u[0] / u[1] - u[2] / u[3];
    if (!(pc > 0 && pd > 0 && p1 > 0 && p0 > 0) || !isfinite(x2) ||
        !delta_traces(P, V, 2, 2, N, &tr1, &tr2))
        return;
    for (size_t i = 0; i < t->ncols; i++)
        mask[i] = i == c || i == d;
    double F = x2 / tr1, nu = sd__cols_df(res, t, mask);
    out->t = copysign(sqrt(F), out->diff);
    out->se = sqrt(p1 * p0 / (N * pc * pd) * tr1);
    out->df = nu;
    out->p = sd__pf_upper(F, 1, nu);
}

/* The four totals of a pair, their covariance (linearization) and their
 * replicate values (replicates), for every banner column of row r at
 * once: u[2 i], u[2 i + 1] are column cols[i]'s cell and base. */
typedef struct rowtot {
    size_t nb;
    double *u;  /* 2 nb */
    double *W;  /* (2 nb)^2, linearization */
    double *th; /* 2 nb x nrep, replicates */
} rowtot;

static void rowtot_free(rowtot *rt)
{
    sd__free(rt->u);
    sd__free(rt->W);
    sd__free(rt->th);
    memset(rt, 0, sizeof *rt);
}

static sd_status rowtot_fill(const sd_work *res, const sd_wtable *t, size_t r, const size_t *cols,
                             size_t nb, rowtot *rt, sd_error *err)
{
    memset(rt, 0, sizeof *rt);
    rt->nb = nb;
    size_t k = 2 * nb, R = res->design.nrep;
    bool reps = t->acc.vmode == SD_VMODE_REPS || res->design.repmult;
    size_t *lq = sd__zalloc(k ? k : 1, sizeof *lq);
    rt->u = sd__zalloc(k ? k : 1, sizeof *rt->u);
    if (!lq || !rt->u) {
        sd__free(lq);
        rowtot_free(rt);
        return nomem(err);
    }
    for (size_t i = 0; i < nb; i++) {
        lq[2 * i] = r * t->ncols + cols[i];
        lq[2 * i + 1] = t->nrows * t->ncols + cols[i];
    }
    for (size_t i = 0; i < k; i++)
        rt->u[i] = t->acc.w[lq[i]];
    sd_status st = SD_OK;
    if (reps) {
        if (!(rt->th = sd__zalloc(k * (R ? R : 1), sizeof *rt->th)))
            st = nomem(err);
        else
            st = sd__lq_replicates(res, t, lq, k, rt->th);
    } else {
        sd_ratio *q = sd__zalloc(k ? k : 1, sizeof *q);
        rt->W = sd__zalloc(k ? k * k : 1, sizeof *rt->W);
        if (!q || !rt->W)
            st = nomem(err);
        for (size_t i = 0; st == SD_OK && i < k; i++)
            if (!sd__lin_add(&q[i].num, lq[i], 1))
                st = nomem(err);
        if (st == SD_OK)
            st = sd__ratio_cov(res, t, q, k, -1, rt->W, err);
        for (size_t i = 0; q && i < k; i++)
            sd__ratio_free(&q[i]);
        sd__free(q);
    }
    sd__free(lq);
    if (st != SD_OK)
        rowtot_free(rt);
    return st;
}

/* Columns i and j (indexes into the rowtot's columns): the totals, their
 * covariance or replicate values. */
static void rowtot_pair(const sd_work *res, const rowtot *rt, size_t i, size_t j, double *u,
                        double *W, const double **th)
{
    size_t ix[4] = {2 * i, 2 * i + 1, 2 * j, 2 * j + 1}, k = 2 * rt->nb;
    for (size_t a = 0; a < 4; a++) {
        u[a] = rt->u[ix[a]];
        if (rt->W)
            for (size_t b = 0; b < 4; b++)
                W[a * 4 + b] = rt->W[ix[a] * k + ix[b]];
        if (rt->th)
            th[a] = rt->th + ix[a] * res->design.nrep;
    }
}

sd_status sd__col_test(const sd_work *res, const sd_wtable *t, size_t r, size_t c, size_t d,
                       int method, sd_coltest *out, sd_error *err)
{
    size_t cols[2] = {c, d};
    double V[4], est[2];
    out->diff = out->se = out->t = out->df = out->p = NAN;
    if (r >= t->nrows || c >= t->ncols || d >= t->ncols)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no such cell");
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    if (!mask)
        return nomem(err);
    sd_status st = SD_OK;
    if (method == SD_PAIR_POOLED && !t->row_is_scale && t->one_col) {
        rowtot rt;
        if ((st = rowtot_fill(res, t, r, cols, 2, &rt, err)) == SD_OK) {
            double u[4], W[16];
            const double *th[4] = {NULL};
            rowtot_pair(res, &rt, 0, 1, u, W, th);
            pooled_test(res, t, c, d, u, W, rt.th ? th : NULL, mask, out);
            rowtot_free(&rt);
        }
        sd__free(mask);
        return st;
    }
    st = row_cov(res, t, r, cols, 2, V, est, err);
    if (st == SD_OK) {
        double v = V[0] + V[3] - 2 * V[1];
        out->diff = est[0] - est[1];
        out->se = sqrt(v > 0 ? v : 0);
        out->t = v > 0 ? out->diff / out->se : NAN;
        out->df = t->row_is_scale ? pair_df(res, t, c, d, mask) : sd__domain_df(res, t, 0);
        out->p = v > 0 ? sd__pt_upper2(out->t, out->df) : NAN;
    }
    sd__free(mask);
    return st;
}

void sd__p_adjust(double *p, size_t n, int method)
{
    if (method != ADJ_BONFERRONI && method != ADJ_HOLM && method != ADJ_FDR)
        return;
    size_t *o = sd__zalloc(n ? n : 1, sizeof *o);
    if (!o) {
        for (size_t i = 0; i < n; i++)
            p[i] = NAN; /* no memory: no test rather than an unadjusted one */
        return;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i]))
            o[m++] = i;
    /* Order by p, ties by position (R's order is stable). */
    for (size_t i = 1; i < m; i++) {
        size_t x = o[i], j = i;
        while (j > 0 && p[o[j - 1]] > p[x]) {
            o[j] = o[j - 1];
            j--;
        }
        o[j] = x;
    }
    double mm = (double)m;
    if (method == ADJ_BONFERRONI) {
        for (size_t i = 0; i < m; i++)
            p[o[i]] = fmin(1, mm * p[o[i]]);
    } else if (method == ADJ_HOLM) {
        double run = 0;
        for (size_t i = 0; i < m; i++) {
            run = fmax(run, (mm - (double)i) * p[o[i]]);
            p[o[i]] = fmin(1, run);
        }
    } else {
        double run = INFINITY;
        for (size_t i = m; i-- > 0;) {
            run = fmin(run, mm / (double)(i + 1) * p[o[i]]);
            p[o[i]] = fmin(1, run);
        }
    }
    sd__free(o);
}

/* SPSS's effective base of a cell's column: n / deff, or the unweighted
 * base when there is no design effect to speak of (unweighted data). */
static double spss_base(const sd_wtable *t, size_t r, size_t c)
{
    const sd_cellstat *cs = &t->stats[r * t->ncols + c];
    return isfinite(cs->eff_base) && cs->eff_base > 0 ? cs->eff_base : t->acc.base_n[c];
}

/* One row's column pairs (upper triangle of pv, nb x nb, banner columns
 * cols[0..nb)): each pair's test into pairs[] (in order), its p-value into
 * pv. Columns under the minimum base (skip[]) are not compared. */
static sd_status row_pairs(const sd_work *res, sd_wtable *t, size_t r, const double *df,
                           const size_t *cols, size_t nb, const bool *skip, double *V,
                           double *pv, sd_error *err)
{
    const sd_cellstat *cs = t->stats + r * t->ncols;
    for (size_t i = 0; i < nb * nb; i++)
        pv[i] = NAN;
    bool spss = res->letters == LETTERS_SPSS;
    /* The pooled test needs the pair's rows split between the two columns
     * (a partition): a multiple-response banner's columns share rows, so
     * their pairs use the unpooled form, whose covariance counts that. */
    bool pooled =
        !spss && !t->row_is_scale && t->one_col && res->pair_test == SD_PAIR_POOLED;
    rowtot rt;
    memset(&rt, 0, sizeof rt);
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    sd_status st = mask ? SD_OK : nomem(err);
    if (st == SD_OK && pooled)
        st = rowtot_fill(res, t, r, cols, nb, &rt, err);
    else if (st == SD_OK && !spss)
        st = row_cov(res, t, r, cols, nb, V, NULL, err);
    for (size_t i = 0; st == SD_OK && i < nb; i++)
        for (size_t j = i + 1; j < nb; j++) {
            if (skip[i] || skip[j])
                continue;
            sd_coltest ct = {NAN, NAN, NAN, NAN, NAN};
            int method;
            double p1 = cs[cols[i]].est, p2 = cs[cols[j]].est;
            ct.diff = p1 - p2;
            if (spss) {
                method = SD_PAIR_SPSS;
                double n1 = spss_base(t, r, cols[i]), n2 = spss_base(t, r, cols[j]);
                /* Columns at 0 or 1 are not compared (SPSS's footnote). */
                if (p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && n1 > 0 && n2 > 0) {
                    double pp = (n1 * p1 + n2 * p2) / (n1 + n2);
                    ct.se = sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2));
                    ct.t = ct.diff / ct.se;
                    ct.df = INFINITY;
                    ct.p = sd__pt_upper2(ct.t, INFINITY);
                }
            } else if (pooled) {
                method = SD_PAIR_POOLED;
                double u[4], W[16];
                const double *th[4] = {NULL};
                rowtot_pair(res, &rt, i, j, u, W, th);
                pooled_test(res, t, cols[i], cols[j], u, W, rt.th ? th : NULL, mask, &ct);
            } else {
                method = t->row_is_scale ? SD_PAIR_TTEST : SD_PAIR_UNPOOLED;
                double v = V[i * nb + i] + V[j * nb + j] - 2 * V[i * nb + j];
                ct.se = sqrt(v > 0 ? v : 0);
                ct.df = df[i * nb + j];
                if (v > 0 && isfinite(ct.diff)) {
                    ct.t = ct.diff / ct.se;
                    ct.p = sd__pt_upper2(ct.t, ct.df);
                }
            }
            pv[i * nb + j] = ct.p;
            sd_pairtest *pt = &t->pairs[t->npairs++];
            pt->row = r;
            pt->c = cols[i];
            pt->d = cols[j];
            pt->diff = ct.diff;
            pt->se = ct.se;
            pt->t = ct.t;
            pt->df = ct.df;
            pt->p = ct.p;
            pt->p_adj = ct.p;
            pt->method = method;
        }
    rowtot_free(&rt);
    sd__free(mask);
    return st;
}

static sd_status column_letters(const sd_work *res, sd_wtable *t, sd_error *err)
{
    size_t nb = t->ncols - 1;
    /* Letters run on across the banners of one row variable (A-C for the
     * first, D-E for the next, as Q and WinCross letter them); columns
     * past Z get none. Row and total percentages are not compared: the
     * letters test column proportions. */
    if (nb == 0 || t->letter0 + nb > MAX_LETTER_COLS || res->pct != SD_PCT_COL)
        return SD_OK;
    if (t->row_is_scale && res->letters == LETTERS_SPSS)
        return SD_OK; /* SPSS's column means test is not implemented */
    size_t nn = nb ? nb * nb : 1; /* nb <= 26: no overflow */
    size_t nrows = t->row_is_scale ? 1 : t->nrows;
    size_t *cols = sd__zalloc(nn, sizeof *cols);
    double *V = sd__zalloc(nn, sizeof *V);
    double *pv = sd__zalloc(nn, sizeof *pv);
    double *flat = sd__zalloc(nn, sizeof *flat);
    double *df = sd__zalloc(nn, sizeof *df);
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    bool *skip = sd__zalloc(nb ? nb : 1, sizeof *skip);
    size_t maxpairs;
    sd_status st = SD_OK;
    if (!sd__mul_ok(nrows, nn, &maxpairs) ||
        !(t->pairs = sd__zalloc(maxpairs ? maxpairs : 1, sizeof *t->pairs)) || !cols || !V ||
        !pv || !flat || !df || !mask || !skip) {
        st = nomem(err);
        goto done;
    }
    t->npairs = 0;
    for (size_t i = 0; i < nb; i++) {
        cols[i] = i + 1;
        /* A column under the minimum (unweighted) base is never compared. */
        skip[i] = t->acc.base_n[i + 1] < res->min_base;
    }
    /* Proportions: the design's df of the rows valid on the row variable
     * (README §10); means: svyttest's, per pair; SPSS's test is a z test. */
    double df0 = res->letters == LETTERS_SPSS ? INFINITY : sd__domain_df(res, t, 0);
    for (size_t i = 0; i < nb; i++)
        for (size_t j = 0; j < nb; j++)
            df[i * nb + j] = t->row_is_scale && i < j && !skip[i] && !skip[j]
                                 ? pair_df(res, t, cols[i], cols[j], mask)
                                 : df0;
    for (size_t r = 0; r < nrows && nb >= 2; r++) {
        size_t first = t->npairs;
        if ((st = row_pairs(res, t, r, df, cols, nb, skip, V, pv, err)) != SD_OK)
            goto done;
        /* Adjust over the row's pairs. */
        size_t np = 0;
        for (size_t i = 0; i < nb; i++)
            for (size_t j = i + 1; j < nb; j++)
                flat[np++] = pv[i * nb + j];
        sd__p_adjust(flat, np, res->adjust);
        np = 0;
        for (size_t i = 0; i < nb; i++)
            for (size_t j = i + 1; j < nb; j++)
                pv[i * nb + j] = pv[j * nb + i] = flat[np++];
        for (size_t k = first; k < t->npairs; k++)
            t->pairs[k].p_adj = pv[(t->pairs[k].c - 1) * nb + (t->pairs[k].d - 1)];
        for (size_t i = 0; i < nb; i++) {
            sd_cellstat *cs = &t->stats[r * t->ncols + cols[i]];
            size_t len = 0;
            for (size_t j = 0; j < nb; j++) {
                double p = pv[i * nb + j];
                if (j == i || !(p < res->alpha2) ||
                    !(cs->est > t->stats[r * t->ncols + cols[j]].est))
                    continue;
                cs->letters[len++] =
                    (char)((p < res->alpha ? 'A' : 'a') + (int)(t->letter0 + j));
            }
            cs->letters[len] = '\0';
        }
    }
    t->has_letters = true;
done:
    sd__free(cols);
    sd__free(V);
    sd__free(pv);
    sd__free(flat);
    sd__free(df);
    sd__free(mask);
    sd__free(skip);
    return st;
}

sd_status sd__table_tests(const sd_tabspec *spec, sd_work *res, sd_wtable *t, sd_error *err)
{
    bool spss = spec->letters == LETTERS_SPSS;
    res->tests = spec->tests;
    res->chisq_stat = spec->chisq_stat;
    res->letters = spec->letters;
    res->adjust = spec->adjust ? spec->adjust : (spss ? ADJ_BONFERRONI : ADJ_NONE);
    res->alpha = spec->alpha > 0 ? spec->alpha : (spss ? 0.05 : 0.01);
    res->alpha2 = spec->alpha2 > 0 ? spec->alpha2 : (spss ? res->alpha : 0.05);
    if (res->alpha2 < res->alpha)
        res->alpha2 = res->alpha;
    res->pair_test = spec->pair_test;
    chisq_clear(&t->chisq);
    t->has_letters = false;
    sd__free(t->pairs);
    t->pairs = NULL;
    t->npairs = 0;
    if (!spec->tests || !t->stats)
        return SD_OK;
    sd_status st = sd__rao_scott(res, t, &t->chisq, err);
    if (st == SD_OK && res->letters != LETTERS_NONE)
        st = column_letters(res, t, err);
    return st;
}
