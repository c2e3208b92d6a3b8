/*
 * repdf.c — degrees of freedom of a replicate design, as R's
 * degf.svyrep.design: the numerical rank of the replicate weights minus
 * one. Computed from the R x R Gram matrix by pivoted Cholesky with R's
 * relative tolerance (1e-5 on column norms), which gives the rank of
 * LINPACK's dqrdc2 for all but near-degenerate designs.
 *
 * The rank of the replicate weights is also the rank of their rows: when
 * there are fewer rows (PSUs, replicate patterns, data rows) than
 * replicates, the Gram matrix is formed on the rows' side instead, so 40,000
 * bootstrap replicates of a 6-PSU design need a 6 x 6 matrix, not 40,000 x
 * 40,000. design.c refuses designs whose smaller side passes
 * SD_MAX_GRAM_SIDE before any of this runs.
 */
#include "stats.h"

#include <math.h>
#include <string.h>

/* Rank of an R x R Gram matrix as LINPACK's dqrdc2 finds the rank of the
 * matrix behind it, minus one. */
static double gram_df(const double *g, size_t R)
{
    /* Column by column in R's order: keep a column when what is left of it
     * after projecting out the kept ones is >= 1e-5 of its length. L holds
     * the Cholesky factor of the kept columns' Gram matrix, row by row. */
    size_t rank = 0;
    size_t *kept = sd__zalloc(R, sizeof *kept);
    double *l = sd__zalloc(R * R, sizeof *l);
    if (!kept || !l) {
        sd__free(kept);
        sd__free(l);
        return NAN;
    }
    for (size_t j = 0; j < R; j++) {
        double orig = g[j * R + j];
        double *v = l + rank * R;
        double res = orig;
        for (size_t k = 0; k < rank; k++) {
            double s = g[j * R + kept[k]];
            for (size_t m = 0; m < k; m++)
                s -= v[m] * l[k * R + m];
            v[k] = s / l[k * R + k];
            res -= v[k] * v[k];
        }
        if (orig > 0 && res > 1e-10 * orig) {
            v[rank] = sqrt(res);
            kept[rank++] = j;
        }
    }
    sd__free(kept);
    sd__free(l);
    return (double)rank - 1;
}

/* Mirror the upper triangle, take the rank, free the matrix. */
static double gram_df_free(double *g, size_t R)
{
    for (size_t a = 0; a < R; a++)
        for (size_t b = 0; b < a; b++)
            g[a * R + b] = g[b * R + a];
    double df = gram_df(g, R);
    sd__free(g);
    return df;
}

/* The rank of K rows of length R (rows[k * R + a], weighted by c[k] >= 0,
 * NULL for all 1) from their K x K Gram matrix, for K < R. */
static double rows_df(const double *rows, const double *c, size_t K, size_t R)
{
    double *g = sd__zalloc(K * K, sizeof *g);
    if (!g)
        return NAN;
    for (size_t k = 0; k < K; k++)
        for (size_t l = k; l < K; l++) {
            double s = 0;
            for (size_t a = 0; a < R; a++)
                s += rows[k * R + a] * rows[l * R + a];
            g[k * K + l] = c ? sqrt(c[k] * c[l]) * s : s;
        }
    return gram_df_free(g, K);
}

double sd__rep_df_domain(const sd_design *d, const double *pat_w2)
{
    size_t R = d->nrep, P = d->npattern;
    size_t K = 0; /* patterns in the domain */
    for (size_t p = 0; p < P; p++)
        K += pat_w2[p] != 0;
    if (K < R) {
        double *rows = sd__zalloc(K * R, sizeof *rows), *c = sd__zalloc(K, sizeof *c);
        double df = NAN;
        if (rows && c) {
            size_t k = 0;
            for (size_t p = 0; p < P; p++)
                if (pat_w2[p] != 0) {
                    memcpy(rows + k * R, d->patvec + p * R, R * sizeof *rows);
                    c[k++] = pat_w2[p];
                }
            df = rows_df(rows, c, K, R);
        }
        sd__free(rows);
        sd__free(c);
        return df;
    }
    if (R > SD_MAX_GRAM_SIDE)
        return NAN;
    double *g = sd__zalloc(R * R, sizeof *g);
    if (!g)
        return NAN;
    for (size_t p = 0; p < P; p++) {
        double c = pat_w2[p];
        if (c == 0)
            continue;
        const double *m = d->patvec + p * R;
        for (size_t a = 0; a < R; a++) {
            if (m[a] == 0)
                continue;
            for (size_t b = a; b < R; b++)
                g[a * R + b] += c * m[a] * m[b];
        }
    }
    return gram_df_free(g, R);
}

double sd__rep_df(const sd_design *d, size_t nrows)
{
    size_t R = d->nrep;
    size_t K = d->repmult ? d->nunits[0] : nrows;
    if (K < R) {
        /* Fewer PSUs (or rows) than replicates: their rows, contiguous. */
        double *rows = sd__zalloc(K * R, sizeof *rows);
        if (!rows)
            return NAN;
        for (size_t k = 0; k < K; k++)
            for (size_t a = 0; a < R; a++)
                rows[k * R + a] = d->repmult ? d->repmult[a * K + k] : d->repw[a][k];
        double df = rows_df(rows, NULL, K, R);
        sd__free(rows);
        return df;
    }
    if (R > SD_MAX_GRAM_SIDE)
        return NAN;
    double *g = sd__zalloc(R * R, sizeof *g);
    if (!g)
        return NAN;
    if (d->repmult) {
        /* Made replicates: the PSUs' multiplier rows. */
        size_t P = d->nunits[0];
        for (size_t p = 0; p < P; p++)
            for (size_t a = 0; a < R; a++) {
                double x = d->repmult[a * P + p];
                if (x == 0)
                    continue;
                for (size_t b = a; b < R; b++)
                    g[a * R + b] += x * d->repmult[b * P + p];
            }
    } else
        for (size_t i = 0; i < nrows; i++)
            for (size_t a = 0; a < R; a++) {
                double x = d->repw[a][i];
                if (x == 0)
                    continue;
                for (size_t b = a; b < R; b++)
                    g[a * R + b] += x * d->repw[b][i];
            }
    return gram_df_free(g, R);
}
