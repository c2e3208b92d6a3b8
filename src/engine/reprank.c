/*
 * reprank.c — the numerical rank of replicate weights, behind a replicate
 * design's degrees of freedom (R's degf.svyrep.design: qr(weights, tol =
 * 1e-5)$rank - 1, LINPACK's dqrdc2). The engine gathers rows here while it
 * passes over the data; stats/repdf.c turns a domain's rows into its df.
 *
 * Rows are folded into an upper-triangular R x R factor T (T'T is their
 * Gram matrix, so T has the same QR up to an orthogonal factor on the left,
 * hence the same rank decisions) by blocks of Householder reflections, the
 * rows of a block held column by column so every inner loop is a
 * contiguous one. The rank is then dqrdc2's rule applied to T.
 *
 * A domain's rows are a subset of the design's, so its rank is at most
 * the design's (sd_design.rank, found once when the design is resolved);
 * a factor whose rank reaches it takes no more rows: its domain's rank is
 * the design's, as R finds it on all the domain's rows. The rank is looked
 * at when the factor has U rows, then each time their number doubles.
 *
 * dqrdc2 is written here (GSL's QR has neither the limited pivoting nor
 * R's tolerance rule).
 */
#include "engine.h"

#include <math.h>
#include <string.h>

/* Euclidean norm of x[0..n), scaled against overflow. */
static double norm2(const double *x, size_t n)
{
    double scale = 0, ssq = 1;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (a == 0)
            continue;
        if (scale < a) {
            ssq = 1 + ssq * (scale / a) * (scale / a);
            scale = a;
        } else {
            ssq += (a / scale) * (a / scale);
        }
    }
    return scale * sqrt(ssq);
}

size_t sd__qr_rank(double *a, size_t m, size_t p, double tol)
{
    if (m == 0 || p == 0)
        return 0;
    double *qraux = sd__zalloc(p, sizeof *qraux);
    double *work1 = sd__zalloc(p, sizeof *work1);
    double *work2 = sd__zalloc(p, sizeof *work2);
    double *tmp = sd__zalloc(m, sizeof *tmp);
    if (!qraux || !work1 || !work2 || !tmp) {
        sd__free(qraux);
        sd__free(work1);
        sd__free(work2);
        sd__free(tmp);
        return SIZE_MAX;
    }
    for (size_t j = 0; j < p; j++) {
        qraux[j] = work1[j] = work2[j] = norm2(a + j * m, m);
        if (work2[j] == 0)
            work2[j] = 1;
    }
    size_t k = p; /* columns [k, p) were found negligible */
    size_t lup = m < p ? m : p;
    for (size_t l = 0; l < lup; l++) {
        /* Move negligible columns to the end, shifting the rest left. */
        while (l < k && qraux[l] < work2[l] * tol) {
            memcpy(tmp, a + l * m, m * sizeof *tmp);
            memmove(a + l * m, a + (l + 1) * m, (p - l - 1) * m * sizeof *a);
            memcpy(a + (p - 1) * m, tmp, m * sizeof *tmp);
            double q = qraux[l], w1 = work1[l], w2 = work2[l];
            memmove(qraux + l, qraux + l + 1, (p - l - 1) * sizeof *qraux);
            memmove(work1 + l, work1 + l + 1, (p - l - 1) * sizeof *work1);
            memmove(work2 + l, work2 + l + 1, (p - l - 1) * sizeof *work2);
            qraux[p - 1] = q;
            work1[p - 1] = w1;
            work2[p - 1] = w2;
            k--;
        }
        if (l + 1 == m)
            break; /* the last row: nothing left to reduce */
        double *al = a + l * m;
        double nrm = norm2(al + l, m - l);
        if (nrm == 0)
            continue;
        if (al[l] != 0)
            nrm = copysign(nrm, al[l]);
        for (size_t i = l; i < m; i++)
            al[i] /= nrm;
        al[l] += 1;
        /* The reflection applied to the later columns eight at a time:
         * eight dot products in one loop are eight independent chains of
         * adds (a lone chain waits on each add: 2,800 x 2,800 took 7 s),
         * each summed in the same order as alone, so every value is the
         * one a column at a time gives, and so is the rank. */
        size_t j = l + 1;
        for (; j + 8 <= p; j += 8) {
            double *c[8], t[8];
            for (int q = 0; q < 8; q++) {
                c[q] = a + (j + (size_t)q) * m;
                t[q] = 0;
            }
            for (size_t i = l; i < m; i++) {
                double v = al[i];
                t[0] -= v * c[0][i];
                t[1] -= v * c[1][i];
                t[2] -= v * c[2][i];
                t[3] -= v * c[3][i];
                t[4] -= v * c[4][i];
                t[5] -= v * c[5][i];
                t[6] -= v * c[6][i];
                t[7] -= v * c[7][i];
            }
            for (int q = 0; q < 8; q++)
                t[q] /= al[l];
            for (size_t i = l; i < m; i++) {
                double v = al[i];
                c[0][i] += t[0] * v;
                c[1][i] += t[1] * v;
                c[2][i] += t[2] * v;
                c[3][i] += t[3] * v;
                c[4][i] += t[4] * v;
                c[5][i] += t[5] * v;
                c[6][i] += t[6] * v;
                c[7][i] += t[7] * v;
            }
        }
        for (; j < p; j++) {
            double *aj = a + j * m;
            double t = 0;
            for (size_t i = l; i < m; i++)
                t -= al[i] * aj[i];
            t /= al[l];
            for (size_t i = l; i < m; i++)
                aj[i] += t * al[i];
        }
        for (j = l + 1; j < p; j++) {
            double *aj = a + j * m;
            if (qraux[j] == 0)
                continue;
            double tt = 1 - (fabs(aj[l]) / qraux[j]) * (fabs(aj[l]) / qraux[j]);
            tt = tt > 0 ? tt : 0;
            if (tt < 1e-6) {
                qraux[j] = norm2(aj + l + 1, m - l - 1);
                work1[j] = qraux[j];
            } else {
                qraux[j] *= sqrt(tt);
            }
        }
        qraux[l] = al[l];
        al[l] = -nrm;
    }
    sd__free(qraux);
    sd__free(work1);
    sd__free(work2);
    sd__free(tmp);
    return k < m ? k : m;
}

/* Fold k rows, held column by column in X (X[c * k + i] is row i's value
 * in replicate c; overwritten), into the upper-triangular T (row-major):
 * one Householder reflection per replicate column zeroes the block's
 * column against T's diagonal. Each reflection's vector is scaled by the
 * column's largest magnitude (the reflection does not depend on it), so
 * weights of any size neither overflow nor underflow. */
SD_AVX2_CLONES
static void fold_block(double *T, size_t R, double *X, size_t k)
{
    for (size_t j = 0; j < R; j++) {
        double *xj = X + j * k, *tj = T + j * R;
        double amax = fabs(tj[j]);
        for (size_t i = 0; i < k; i++)
            amax = fabs(xj[i]) > amax ? fabs(xj[i]) : amax;
        if (amax == 0)
            continue;
        bool any = false;
        for (size_t i = 0; i < k && !any; i++)
            any = xj[i] != 0;
        if (!any)
            continue; /* nothing below the diagonal to zero */
        double x0 = tj[j] / amax, s2 = 0;
        for (size_t i = 0; i < k; i++) {
            xj[i] /= amax;
            s2 += xj[i] * xj[i];
        }
        double nrm = sqrt(x0 * x0 + s2);
        double alpha = x0 >= 0 ? -nrm : nrm;
        double v0 = x0 - alpha; /* |x0| + nrm: no cancellation */
        double f0 = 2 / (v0 * v0 + s2);
        tj[j] = alpha * amax;
        for (size_t c = j + 1; c < R; c++) {
            double *xc = X + c * k;
            double dot = v0 * tj[c];
            for (size_t i = 0; i < k; i++)
                dot += xj[i] * xc[i];
            double f = f0 * dot;
            tj[c] -= f * v0;
            for (size_t i = 0; i < k; i++)
                xc[i] -= f * xj[i];
        }
    }
}

/* Is the factor T (R x R, upper triangular) of full rank by dqrdc2's rule,
 * without the QR where the answer is plain: 1 yes, 0 no, -1 the QR must
 * say. On a triangular matrix dqrdc2 moves no column while none is
 * negligible, and column l's norm at step l is then |T_ll| (nothing lies
 * below it): the rank is R when every |T_ll| is at least tol times its
 * column's norm, less when one is below or the column is zero. Each side
 * is taken only with a margin of 16 (the QR's own norms are computed, not
 * exact); a NaN is left to the QR. */
static int rf_full_rank(const double *T, size_t R)
{
    double col[256];
    if (R > sizeof col / sizeof *col)
        return -1;
    int verdict = 1;
    for (size_t l = 0; l < R; l++) {
        for (size_t r = 0; r <= l; r++)
            col[r] = T[r * R + l];
        double nrm = norm2(col, l + 1), d = fabs(T[l * R + l]);
        if (d == 0 || d < nrm * (SD_RANK_TOL / 16))
            return 0; /* (a column of zeros is negligible too) */
        if (!(d >= nrm * (SD_RANK_TOL * 16)))
            verdict = -1;
    }
    return verdict;
}

size_t sd__rf_rank_of(const double *T, size_t R)
{
    size_t cells;
    if (!R || !sd__mul_ok(R, R, &cells))
        return 0;
    if (rf_full_rank(T, R) == 1)
        return R;
    double *a = sd__zalloc(cells, sizeof *a);
    if (!a)
        return SIZE_MAX;
    for (size_t r = 0; r < R; r++)
        for (size_t c = r; c < R; c++)
            a[c * R + r] = T[r * R + c];
    size_t rank = sd__qr_rank(a, R, R, SD_RANK_TOL);
    sd__free(a);
    return rank;
}

/* Rows a block holds: 16, fewer for many replicates (at most 64 KiB of
 * doubles waiting per factor). */
static size_t block_rows(size_t R)
{
    size_t k = R ? ((size_t)8192 / R) : 16;
    return k < 1 ? 1 : k > 16 ? 16 : k;
}

bool sd__rf_init(sd_repfactor *f, size_t R)
{
    memset(f, 0, sizeof *f);
    size_t cells;
    if (!R || !sd__mul_ok(R, R, &cells))
        return false;
    f->cap = block_rows(R);
    f->T = sd__zalloc_sums(cells, sizeof *f->T);
    f->X = sd__zalloc_sums(R * f->cap, sizeof *f->X);
    if (!f->T || !f->X) {
        sd__rf_free(f);
        return false;
    }
    return true;
}

void sd__rf_free(sd_repfactor *f)
{
    sd__free(f->T);
    sd__free(f->X);
    memset(f, 0, sizeof *f);
}

/* Fold the waiting rows; look at the rank when due. */
static void rf_flush(sd_repfactor *f, size_t R, size_t U)
{
    if (f->nx) {
        if (f->nx < f->cap) {
            /* Close up the columns of a partial block. */
            for (size_t c = 1; c < R; c++)
                memmove(f->X + c * f->nx, f->X + c * f->cap, f->nx * sizeof *f->X);
        }
        fold_block(f->T, R, f->X, f->nx);
        f->nx = 0;
    }
    if (f->full || f->rows < (f->next ? f->next : U))
        return;
    /* plainly full, or plainly short of U = R: no QR */
    int quick = rf_full_rank(f->T, R);
    bool full;
    if (quick == 1) {
        full = true;
    } else if (quick == 0 && U == R) {
        full = false;
    } else {
        size_t rank = sd__rf_rank_of(f->T, R);
        full = rank != SIZE_MAX && rank >= U;
    }
    if (full)
        f->full = true;
    else
        f->next = 2 * f->rows;
}

void sd__rf_add(sd_repfactor *f, size_t R, size_t U, const double *x, double s)
{
    if (f->full)
        return;
    for (size_t c = 0; c < R; c++)
        f->X[c * f->cap + f->nx] = s * x[c];
    f->nx++;
    f->rows++;
    if (f->nx == f->cap)
        rf_flush(f, R, U);
}

void sd__rf_finish(sd_repfactor *f, size_t R, size_t U)
{
    if (f->T)
        rf_flush(f, R, U);
}

void sd__rf_merge(sd_repfactor *dst, const sd_repfactor *src, size_t R, size_t U)
{
    if (!dst->T || !src->T)
        return;
    if (src->full)
        dst->full = true;
    if (dst->full)
        return;
    /* src's rows again: its factor's rows, then its waiting ones. */
    size_t before = dst->rows, added = 0;
    double *x = sd__zalloc(R, sizeof *x);
    if (!x)
        return;
    for (size_t r = 0; r < R && !dst->full; r++) {
        bool any = false;
        for (size_t c = r; c < R && !any; c++)
            any = src->T[r * R + c] != 0;
        if (!any)
            continue;
        memset(x, 0, r * sizeof *x);
        memcpy(x + r, src->T + r * R + r, (R - r) * sizeof *x);
        sd__rf_add(dst, R, U, x, 1);
        added++;
    }
    for (size_t i = 0; i < src->nx && !dst->full; i++) {
        for (size_t c = 0; c < R; c++)
            x[c] = src->X[c * src->cap + i];
        sd__rf_add(dst, R, U, x, 1);
        added++;
    }
    sd__free(x);
    /* It stands for all of src's rows. */
    dst->rows = before + (src->rows > added ? src->rows : added);
}

size_t sd__rf_nonzero_rows(const sd_repfactor *f, size_t R)
{
    size_t m = f->nx;
    for (size_t r = 0; f->T && r < R; r++)
        for (size_t c = r; c < R; c++)
            if (f->T[r * R + c] != 0) {
                m++;
                break;
            }
    return m;
}

/* Rows of the design's matrix whose Gram is the design's: one per pattern
 * (the root of its rows' summed w^2 times its multipliers), one per row
 * over the pattern cap. Rank by a direct QR when there are no more of them
 * than replicates, else folded, stopping at full column rank. Made
 * replicates (rows: PSUs) whose QR would take too long leave the rank
 * unknown (0): domains then never stop early. */
sd_status sd__design_rank(sd_design *d)
{
    size_t R = d->nrep, P = d->npattern, n = d->nrows;
    d->rank = 0;
    if (!R)
        return SD_OK;
    double *w2 = sd__zalloc(P ? P : 1, sizeof *w2);
    if (!w2)
        return SD_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (d->pattern[i] >= 0) {
            double w = d->w ? d->w[i] : 1.0;
            w2[d->pattern[i]] += w * w;
        }
    size_t m = d->overflow;
    for (size_t p = 0; p < P; p++)
        m += w2[p] > 0;
    sd_status st = SD_OK;
    if (m <= R) {
        size_t cells;
        if ((double)m * (double)m * (double)R > 2e9 || !sd__mul_ok(m ? m : 1, R, &cells)) {
            sd__free(w2);
            return SD_OK; /* unknown: too long to find here */
        }
        double *a = sd__zalloc(cells, sizeof *a);
        if (!a) {
            sd__free(w2);
            return SD_E_NOMEM;
        }
        size_t i = 0;
        for (size_t p = 0; p < P; p++) {
            if (!(w2[p] > 0))
                continue;
            double s = sqrt(w2[p]);
            for (size_t r = 0; r < R; r++)
                a[r * m + i] = s * d->patvec[p * R + r];
            i++;
        }
        for (size_t row = 0; row < n && d->overflow; row++)
            if (d->pattern[row] == -2) {
                for (size_t r = 0; r < R; r++)
                    a[r * m + i] = d->repw[r][row];
                i++;
            }
        size_t rank = sd__qr_rank(a, m, R, SD_RANK_TOL);
        sd__free(a);
        if (rank == SIZE_MAX)
            st = SD_E_NOMEM;
        else
            d->rank = rank;
        sd__free(w2);
        return st;
    }
    sd_repfactor f;
    double *x = sd__zalloc(R, sizeof *x);
    if (!x || !sd__rf_init(&f, R)) {
        sd__free(x);
        sd__free(w2);
        return SD_E_NOMEM;
    }
    for (size_t p = 0; p < P && !f.full; p++)
        if (w2[p] > 0)
            sd__rf_add(&f, R, R, d->patvec + p * R, sqrt(w2[p]));
    for (size_t row = 0; row < n && d->overflow && !f.full; row++)
        if (d->pattern[row] == -2) {
            for (size_t r = 0; r < R; r++)
                x[r] = d->repw[r][row];
            sd__rf_add(&f, R, R, x, 1);
        }
    sd__rf_finish(&f, R, R);
    size_t rank = f.full ? R : sd__rf_rank_of(f.T, R);
    if (rank == SIZE_MAX)
        st = SD_E_NOMEM;
    else
        d->rank = rank;
    sd__rf_free(&f);
    sd__free(x);
    sd__free(w2);
    return st;
}
