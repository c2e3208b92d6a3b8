/*
 * calibrate.c — R's calibrate() on pattern sums: the model matrix of its
 * formula (an intercept, treatment dummies for each margin's categories,
 * the numeric columns), regcalibrate's closed form for the linear
 * function without bounds, and grake's Newton iterations for the linear,
 * raking and logit functions with bounds (its rescaling when the
 * population is far above the sample, its step halving, its stopping rule
 * |misfit| / (1 + |population|) < epsilon). The generalized inverse is
 * MASS::ginv's, through GSL's symmetric eigensolver (sizes are checked, so
 * GSL's error handler is never reached).
 */
#include "weight.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ ginv */

sd_status sd__pinv_sym(const double *A, size_t q, double tol, double *out, sd_error *err)
{
    if (q == 0)
        return SD_OK;
    double *d = sd__zalloc(q, sizeof *d);
    gsl_matrix *B = gsl_matrix_alloc(q, q), *V = gsl_matrix_alloc(q, q);
    gsl_vector *ev = gsl_vector_alloc(q);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(q);
    sd_status st = SD_OK;
    if (!d || !B || !V || !ev || !ws) {
        st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    /* Scale to a unit diagonal: B = D^-1 A D^-1. A generalized inverse of
     * A is then D^-1 B^+ D^-1, which is all a Newton step or a residual
     * projection needs, with far better conditioning. */
    for (size_t i = 0; i < q; i++) {
        double a = fabs(A[i * q + i]);
        d[i] = a > 0 && isfinite(a) ? sqrt(a) : 1;
    }
    for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < q; j++) {
            double x = A[i * q + j] / (d[i] * d[j]);
            if (!isfinite(x)) {
                st = sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                              "the calibration's equations hold a value that is not finite");
                goto done;
            }
            gsl_matrix_set(B, i, j, x);
        }
    if (gsl_eigen_symmv(B, ev, V, ws) != 0) {
        st = sd__fail(err, SD_E_INTERNAL, NULL, 0, 0, NULL, "eigen decomposition failed");
        goto done;
    }
    double big = 0;
    for (size_t k = 0; k < q; k++)
        big = fabs(gsl_vector_get(ev, k)) > big ? fabs(gsl_vector_get(ev, k)) : big;
    memset(out, 0, q * q * sizeof *out);
    for (size_t k = 0; k < q; k++) {
        double l = gsl_vector_get(ev, k);
        if (!(fabs(l) > tol * big) || l == 0)
            continue;
        for (size_t i = 0; i < q; i++) {
            double vi = gsl_matrix_get(V, i, k) / l;
            for (size_t j = 0; j < q; j++)
                out[i * q + j] += vi * gsl_matrix_get(V, j, k);
        }
    }
    for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < q; j++)
            out[i * q + j] /= d[i] * d[j];
done:
    sd__free(d);
    if (B)
        gsl_matrix_free(B);
    if (V)
        gsl_matrix_free(V);
    if (ev)
        gsl_vector_free(ev);
    if (ws)
        gsl_eigen_symmv_free(ws);
    return st;
}

/* ------------------------------------------------------------ model */

void sd__wmodel_free(wmodel *m)
{
    sd__free(m->X);
    sd__free(m->pop);
    for (size_t j = 0; m->colname && j < m->q; j++)
        sd__free(m->colname[j]);
    sd__free(m->colname);
    sd__free(m->fcol);
    sd__free(m->catcol);
    sd__free(m->catblock);
    memset(m, 0, sizeof *m);
}

sd_status sd__wmodel_build(const wprob *p, wmodel *m, sd_error *err)
{
    memset(m, 0, sizeof *m);
    size_t q = 1;
    for (size_t k = 0; k < p->nf; k++) {
        size_t a = 0;
        for (size_t c = 0; c < p->f[k].ncat; c++)
            a += p->f[k].active[c];
        q += a > 0 ? a - 1 : 0;
    }
    q += p->nnum;
    size_t cells;
    if (!sd__mul_ok(p->npat, q, &cells) || cells > ((size_t)1 << 28))
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                        "the calibration's model is too large (%zu patterns x %zu columns)",
                        p->npat, q);
    m->q = q;
    m->X = sd__zalloc(cells, sizeof *m->X);
    m->pop = sd__zalloc(q, sizeof *m->pop);
    m->colname = sd__zalloc(q, sizeof *m->colname);
    m->fcol = sd__zalloc(p->nf ? p->nf : 1, sizeof *m->fcol);
    size_t ncat = 0;
    for (size_t k = 0; k < p->nf; k++)
        ncat += p->f[k].ncat;
    m->catcol = sd__zalloc(p->nf ? p->nf : 1, sizeof *m->catcol);
    int32_t *cc = sd__zalloc(ncat ? ncat : 1, sizeof *cc);
    m->catblock = cc;
    if (!m->X || !m->pop || !m->colname || !m->fcol || !m->catcol || !cc) {
        sd__wmodel_free(m);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    size_t j = 0, off = 0;
    bool ok = (m->colname[j] = sd__strdup("(Intercept)")) != NULL;
    m->pop[j++] = p->N;
    for (size_t k = 0; k < p->nf; k++) {
        const wfactor *f = &p->f[k];
        m->catcol[k] = cc + off;
        off += f->ncat;
        m->fcol[k] = j;
        bool ref = true;
        for (size_t c = 0; c < f->ncat; c++) {
            m->catcol[k][c] = -1;
            if (!f->active[c])
                continue;
            if (ref) {
                ref = false;
                continue;
            }
            m->catcol[k][c] = (int32_t)j;
            m->pop[j] = f->target[c];
            size_t len = strlen(f->name) + strlen(f->key[c]) + 1;
            if ((m->colname[j] = sd__malloc(len)))
                snprintf(m->colname[j], len, "%s%s", f->name, f->key[c]);
            ok = ok && m->colname[j];
            j++;
        }
    }
    for (size_t k = 0; k < p->nnum; k++) {
        m->pop[j] = p->num[k].total;
        ok = ok && (m->colname[j] = sd__strdup(p->num[k].name));
        j++;
    }
    for (size_t r = 0; r < p->npat; r++) {
        double *x = m->X + r * q;
        x[0] = 1;
        for (size_t k = 0; k < p->nf; k++) {
            int32_t col = m->catcol[k][p->pcat[r * p->nf + k]];
            if (col >= 0)
                x[col] = 1;
        }
        for (size_t k = 0; k < p->nnum; k++)
            x[q - p->nnum + k] = p->pnum[r * p->nnum + k];
    }
    if (!ok) {
        sd__wmodel_free(m);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    return SD_OK;
}

/* ------------------------------------------------------------ calfun */

static double Fm1(sd_wmethod m, double u, double L, double U)
{
    double x;
    switch (m) {
    case SD_WM_LINEAR:
        x = u + 1;
        break;
    case SD_WM_RAKING:
        x = exp(u);
        break;
    case SD_WM_LOGIT: {
        double A = (U - L) / ((U - 1) * (1 - L)), e = exp(A * u);
        return (L * (U - 1) + U * (1 - L) * e) / (U - 1 + (1 - L) * e) - 1;
    }
    case SD_WM_RAKE:
    case SD_WM_POSTSTRAT:
    default:
        return NAN;
    }
    /* pmin(pmax(x, L), U): NaN stays NaN, as in R. */
    if (x < L)
        x = L;
    if (x > U)
        x = U;
    return x - 1;
}

static double dF(sd_wmethod m, double u, double L, double U)
{
    switch (m) {
    case SD_WM_LINEAR:
        return u < U - 1 && u > L - 1 ? 1 : isnan(u) ? NAN : 0;
    case SD_WM_RAKING:
        return u < U - 1 && u > L - 1 ? exp(u) : isnan(u) ? NAN : 0;
    case SD_WM_LOGIT: {
        double A = (U - L) / ((U - 1) * (1 - L)), e = exp(A * u);
        double den = U - 1 + (1 - L) * e;
        return U * (1 - L) * e * A / den - ((L * (U - 1) + U * (1 - L) * e) * ((1 - L) * e * A)) /
                                               (den * den);
    }
    case SD_WM_RAKE:
    case SD_WM_POSTSTRAT:
    default:
        return NAN;
    }
}

/* ------------------------------------------------------------ solve */

#define GINV_TOL (256 * 2.220446049250313e-16)

sd_status sd__calibrate(const wprob *p, const wmodel *m, const double *W0, sd_wmethod method,
                        bool has_bounds, double lower, double upper, double eps, int maxit,
                        double *g, grake_out *out, sd_error *err)
{
    size_t q = m->q, np = p->npat;
    double L = has_bounds ? lower : -INFINITY, U = has_bounds ? upper : INFINITY;
    memset(out, 0, sizeof *out);
    out->scale = 1;
    double *T = sd__zalloc(q * q, sizeof *T), *Ti = sd__zalloc(q * q, sizeof *Ti);
    double *st = sd__zalloc(q, sizeof *st), *mis = sd__zalloc(q, sizeof *mis);
    double *eta = sd__zalloc(q, sizeof *eta), *deta = sd__zalloc(q, sizeof *deta);
    double *xeta = sd__zalloc(np, sizeof *xeta), *der = sd__zalloc(np, sizeof *der);
    double *W = sd__zalloc(np, sizeof *W);
    sd_status rc = SD_OK;
    if (!T || !Ti || !st || !mis || !eta || !deta || !xeta || !der || !W) {
        rc = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    memcpy(W, W0, np * sizeof *W);
    for (size_t r = 0; r < np; r++)
        for (size_t j = 0; j < q; j++)
            st[j] += m->X[r * q + j] * W[r];
    if (method == SD_WM_LINEAR && !has_bounds) {
        /* regcalibrate: g = 1 + X solve(X'WX, population - sample.total). */
        for (size_t r = 0; r < np; r++) {
            const double *x = m->X + r * q;
            for (size_t i = 0; i < q; i++)
                if (x[i] != 0)
                    for (size_t j = 0; j < q; j++)
                        T[i * q + j] += W[r] * x[i] * x[j];
        }
        if ((rc = sd__pinv_sym(T, q, GINV_TOL, Ti, err)) != SD_OK)
            goto done;
        for (size_t i = 0; i < q; i++) {
            double s = 0;
            for (size_t j = 0; j < q; j++)
                s += Ti[i * q + j] * (m->pop[j] - st[j]);
            eta[i] = s;
        }
        for (size_t r = 0; r < np; r++) {
            double s = 0;
            for (size_t j = 0; j < q; j++)
                s += m->X[r * q + j] * eta[j];
            g[r] = 1 + s;
        }
        double worst = 0;
        for (size_t j = 0; j < q; j++) {
            double a = 0;
            for (size_t r = 0; r < np; r++)
                a += m->X[r * q + j] * W[r] * g[r];
            double e = fabs(m->pop[j] - a) / (1 + fabs(m->pop[j]));
            worst = e > worst ? e : worst;
        }
        out->achieved = worst;
        goto done;
    }
    /* grake. */
    double minscale = INFINITY, sumscale = 0;
    for (size_t j = 0; j < q; j++) {
        double s = m->pop[j] / st[j];
        minscale = s < minscale || isnan(s) ? s : minscale;
        sumscale += s;
    }
    if (minscale > 20) {
        out->scale = sumscale / (double)q;
        for (size_t r = 0; r < np; r++)
            W[r] *= out->scale;
        for (size_t j = 0; j < q; j++)
            st[j] *= out->scale;
    }
    for (size_t r = 0; r < np; r++) {
        g[r] = 1 + Fm1(method, 0, L, U);
        der[r] = dF(method, 0, L, U);
    }
    int iter = 1;
    for (;;) {
        memset(T, 0, q * q * sizeof *T);
        for (size_t r = 0; r < np; r++) {
            const double *x = m->X + r * q;
            double c = W[r] * der[r];
            if (c == 0)
                continue;
            for (size_t i = 0; i < q; i++)
                if (x[i] != 0)
                    for (size_t j = 0; j < q; j++)
                        T[i * q + j] += c * x[i] * x[j];
        }
        for (size_t j = 0; j < q; j++)
            mis[j] = m->pop[j] - st[j];
        for (size_t r = 0; r < np; r++) {
            double c = W[r] * Fm1(method, xeta[r], L, U);
            for (size_t j = 0; j < q; j++)
                mis[j] -= m->X[r * q + j] * c;
        }
        if ((rc = sd__pinv_sym(T, q, GINV_TOL, Ti, err)) != SD_OK)
            goto done;
        for (size_t i = 0; i < q; i++) {
            double s = 0;
            for (size_t j = 0; j < q; j++)
                s += Ti[i * q + j] * mis[j];
            deta[i] = s;
            eta[i] += s;
        }
        for (;;) {
            bool finite = true;
            for (size_t r = 0; r < np; r++) {
                double s = 0;
                for (size_t j = 0; j < q; j++)
                    s += m->X[r * q + j] * eta[j];
                xeta[r] = s;
                g[r] = 1 + Fm1(method, s, L, U);
                der[r] = dF(method, s, L, U);
                finite = finite && isfinite(g[r]) && isfinite(der[r]);
            }
            if (finite || iter >= maxit)
                break;
            /* Step halving. */
            iter++;
            for (size_t j = 0; j < q; j++) {
                deta[j] /= 2;
                eta[j] -= deta[j];
            }
        }
        for (size_t j = 0; j < q; j++)
            mis[j] = m->pop[j] - st[j];
        for (size_t r = 0; r < np; r++) {
            double c = W[r] * Fm1(method, xeta[r], L, U);
            for (size_t j = 0; j < q; j++)
                mis[j] -= m->X[r * q + j] * c;
        }
        double worst = 0;
        bool done_ = true;
        for (size_t j = 0; j < q; j++) {
            double e = fabs(mis[j]) / (1 + fabs(m->pop[j]));
            if (!(e < eps))
                done_ = false;
            worst = e > worst || isnan(e) ? e : worst;
        }
        out->achieved = worst;
        out->iterations = iter;
        if (done_)
            break;
        iter++;
        if (iter > maxit) {
            out->failed = true;
            out->iterations = iter;
            break;
        }
    }
    if (out->scale != 1)
        for (size_t r = 0; r < np; r++)
            g[r] *= out->scale;
done:
    sd__free(T);
    sd__free(Ti);
    sd__free(st);
    sd__free(mis);
    sd__free(eta);
    sd__free(deta);
    sd__free(xeta);
    sd__free(der);
    sd__free(W);
    return rc;
}
