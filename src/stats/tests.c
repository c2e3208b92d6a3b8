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
        if (!a->pat_w2)
            return sd__rep_df(d, d->nrows);
        /* The columns' rows: their replicate-pattern sums add up. */
        double *w2 = sd__zalloc(a->npattern ? a->npattern : 1, sizeof *w2);
        if (!w2)
            return NAN;
        for (size_t c = 0; c < t->ncols; c++)
            for (size_t p = 0; cols[c] && p < a->npattern; p++)
                w2[p] += a->pat_w2[c * a->npattern + p];
        double df = sd__rep_df_domain(d, w2);
        sd__free(w2);
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

sd_status sd__col_test(const sd_work *res, const sd_wtable *t, size_t r, size_t c, size_t d,
                       sd_coltest *out, sd_error *err)
{
    size_t cols[2] = {c, d};
    double V[4], est[2];
    out->diff = out->se = out->t = out->df = out->p = NAN;
    if (r >= t->nrows || c >= t->ncols || d >= t->ncols)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no such cell");
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    if (!mask)
        return nomem(err);
    sd_status st = row_cov(res, t, r, cols, 2, V, est, err);
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

/* The two-sided p-values of one row's column pairs (upper triangle of
 * pv, nb x nb, columns 1..nb as 0..nb-1); df[i * nb + j] the pairs'
 * degrees of freedom. */
static sd_status row_pvalues(const sd_work *res, const sd_wtable *t, size_t r,
                             const double *df, const size_t *cols, size_t nb, double *V,
                             double *pv, sd_error *err)
{
    const sd_cellstat *cs = t->stats + r * t->ncols;
    for (size_t i = 0; i < nb * nb; i++)
        pv[i] = NAN;
    if (res->letters == LETTERS_SPSS) {
        for (size_t i = 0; i < nb; i++)
            for (size_t j = i + 1; j < nb; j++) {
                double p1 = cs[cols[i]].est, p2 = cs[cols[j]].est;
                double n1 = spss_base(t, r, cols[i]), n2 = spss_base(t, r, cols[j]);
                /* Columns at 0 or 1 are not compared (SPSS's footnote). */
                if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && n1 > 0 && n2 > 0))
                    continue;
                double pp = (n1 * p1 + n2 * p2) / (n1 + n2);
                double z = (p1 - p2) / sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2));
                pv[i * nb + j] = sd__pt_upper2(z, INFINITY);
            }
        return SD_OK;
    }
    sd_status st = row_cov(res, t, r, cols, nb, V, NULL, err);
    if (st != SD_OK)
        return st;
    for (size_t i = 0; i < nb; i++)
        for (size_t j = i + 1; j < nb; j++) {
            double v = V[i * nb + i] + V[j * nb + j] - 2 * V[i * nb + j];
            double diff = cs[cols[i]].est - cs[cols[j]].est;
            if (v > 0 && isfinite(diff))
                pv[i * nb + j] = sd__pt_upper2(diff / sqrt(v), df[i * nb + j]);
        }
    return SD_OK;
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
    size_t *cols = sd__zalloc(nn, sizeof *cols);
    double *V = sd__zalloc(nn, sizeof *V);
    double *pv = sd__zalloc(nn, sizeof *pv);
    double *flat = sd__zalloc(nn, sizeof *flat);
    double *df = sd__zalloc(nn, sizeof *df);
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    sd_status st = SD_OK;
    if (!cols || !V || !pv || !flat || !df || !mask) {
        st = nomem(err);
        goto done;
    }
    for (size_t i = 0; i < nb; i++)
        cols[i] = i + 1;
    /* Proportions: the design's df of the rows valid on the row variable
     * (README §10); means: svyttest's, per pair; SPSS's test is a z test. */
    double df0 = res->letters == LETTERS_SPSS ? INFINITY : sd__domain_df(res, t, 0);
    for (size_t i = 0; i < nb; i++)
        for (size_t j = 0; j < nb; j++)
            df[i * nb + j] = t->row_is_scale && i < j ? pair_df(res, t, cols[i], cols[j], mask)
                                                      : df0;
    size_t nrows = t->row_is_scale ? 1 : t->nrows;
    for (size_t r = 0; r < nrows && nb >= 2; r++) {
        if ((st = row_pvalues(res, t, r, df, cols, nb, V, pv, err)) != SD_OK)
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
        for (size_t i = 0; i < nb; i++) {
            sd_cellstat *cs = &t->stats[r * t->ncols + cols[i]];
            size_t len = 0;
            for (size_t j = 0; j < nb; j++) {
                double p = pv[i * nb + j];
                /* A column under --min-base is compared with nothing. */
                if (j == i || !(p < res->alpha2) ||
                    !(cs->est > t->stats[r * t->ncols + cols[j]].est) ||
                    t->acc.base_n[cols[i]] < res->min_base ||
                    t->acc.base_n[cols[j]] < res->min_base)
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
    chisq_clear(&t->chisq);
    t->has_letters = false;
    if (!spec->tests || !t->stats)
        return SD_OK;
    sd_status st = sd__rao_scott(res, t, &t->chisq, err);
    if (st == SD_OK && res->letters != LETTERS_NONE)
        st = column_letters(res, t, err);
    return st;
}
