/*
 * repdf.c — degrees of freedom of a replicate design, as R's
 * degf.svyrep.design: qr(weights(design, "analysis"), tol = 1e-5)$rank - 1,
 * the numerical rank that LINPACK's dqrdc2 (Householder QR with limited
 * pivoting) finds for the domain's rows x replicates matrix, minus one.
 *
 * The engine does not keep that matrix (rows x replicates), but one that
 * has the same Gram matrix, hence the same QR up to an orthogonal factor on
 * the left and so the same rank decisions: one row per replicate pattern,
 * sqrt(sum of w^2 over the pattern's rows in the domain) times the
 * pattern's multipliers w_r / w, and, for rows whose pattern was not kept
 * (more distinct patterns than the design keeps), the triangular factor the
 * engine folded them into. The rank is then found by the same Householder
 * reduction as dqrdc2 (written here: GSL's QR has no limited pivoting with
 * R's tolerance rule), never from the Gram matrix itself, whose Cholesky
 * squares the condition number and can keep a dependent column.
 */
#include "stats.h"

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

/* Numerical rank of the m x p matrix a (column-major, a[j * m + i]) by
 * dqrdc2's rule: columns are reduced left to right by Householder
 * reflections; a column whose remaining norm (tracked by downdating, and
 * recomputed when the downdate loses accuracy) falls below tol times its
 * original norm is moved to the end and not counted. a is overwritten. */
static size_t qr_rank(double *a, size_t m, size_t p, double tol)
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
        for (size_t j = l + 1; j < p; j++) {
            double *aj = a + j * m;
            double t = 0;
            for (size_t i = l; i < m; i++)
                t -= al[i] * aj[i];
            t /= al[l];
            for (size_t i = l; i < m; i++)
                aj[i] += t * al[i];
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

/* Fold the row x (R values, overwritten) into the upper-triangular R x R
 * factor T (row-major) by Givens rotations. */
static void fold_row(double *T, size_t R, double *x)
{
    for (size_t k = 0; k < R; k++) {
        if (x[k] == 0)
            continue;
        double *tk = T + k * R;
        double h = hypot(tk[k], x[k]);
        double c = tk[k] / h, sn = x[k] / h;
        tk[k] = h;
        x[k] = 0;
        for (size_t j = k + 1; j < R; j++) {
            double a = tk[j], b = x[j];
            tk[j] = c * a + sn * b;
            x[j] = c * b - sn * a;
        }
    }
}

double sd__rep_df_domain(const sd_design *d, const double *pat_w2, const double *const *rf,
                         size_t nrf)
{
    size_t R = d->nrep, P = d->npattern, m = 0;
    for (size_t p = 0; p < P; p++)
        m += pat_w2[p] > 0;
    /* Rows of the triangular factors that hold anything. */
    for (size_t f = 0; f < nrf; f++)
        for (size_t i = 0; rf[f] && i < R; i++) {
            bool any = false;
            for (size_t j = i; j < R && !any; j++)
                any = rf[f][i * R + j] != 0;
            m += any;
        }
    /* More rows than replicates: fold them into an R x R triangular factor
     * first (the same rank decisions, memory on the smaller side). */
    bool fold = m > R;
    size_t rows = fold ? R : m, cells;
    if (rows > SD_MAX_GRAM_SIDE && R > SD_MAX_GRAM_SIDE)
        return NAN; /* design.c refuses such designs before any sum is made */
    if (!sd__mul_ok(rows ? rows : 1, R, &cells))
        return NAN;
    double *a = sd__zalloc(cells, sizeof *a);
    double *x = sd__zalloc(R ? R : 1, sizeof *x);
    if (!a || !x) {
        sd__free(a);
        sd__free(x);
        return NAN;
    }
    size_t i = 0;
    /* One row: into the matrix (column-major, m x R), or folded. */
#define PUT_ROW()                                                                                 \
    do {                                                                                          \
        if (fold)                                                                                 \
            fold_row(a, R, x);                                                                    \
        else {                                                                                    \
            for (size_t r = 0; r < R; r++)                                                        \
                a[r * m + i] = x[r];                                                              \
            i++;                                                                                  \
        }                                                                                         \
    } while (0)
    for (size_t p = 0; p < P; p++) {
        if (!(pat_w2[p] > 0))
            continue;
        double s = sqrt(pat_w2[p]);
        const double *v = d->patvec + p * R;
        for (size_t r = 0; r < R; r++)
            x[r] = s * v[r];
        PUT_ROW();
    }
    for (size_t f = 0; f < nrf; f++)
        for (size_t row = 0; rf[f] && row < R; row++) {
            bool any = false;
            for (size_t j = row; j < R && !any; j++)
                any = rf[f][row * R + j] != 0;
            if (!any)
                continue;
            for (size_t r = 0; r < R; r++)
                x[r] = r < row ? 0 : rf[f][row * R + r];
            PUT_ROW();
        }
#undef PUT_ROW
    if (fold) {
        /* The factor, row-major, as a column-major R x R matrix. */
        double *b = sd__zalloc(cells, sizeof *b);
        if (!b) {
            sd__free(a);
            sd__free(x);
            return NAN;
        }
        for (size_t r = 0; r < R; r++)
            for (size_t c = r; c < R; c++)
                b[c * R + r] = a[r * R + c];
        sd__free(a);
        a = b;
        m = R;
    }
    size_t rank = qr_rank(a, m, R, 1e-5);
    sd__free(a);
    sd__free(x);
    return rank == SIZE_MAX ? NAN : (double)rank - 1;
}
