/*
 * repdf.c — degrees of freedom of a replicate design, as R's
 * degf.svyrep.design: the numerical rank of the replicate weights minus
 * one. Computed from the R x R Gram matrix by pivoted Cholesky with R's
 * relative tolerance (1e-5 on column norms), which gives the rank of
 * LINPACK's dqrdc2 for all but near-degenerate designs.
 */
#include "stats.h"

#include <math.h>

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

double sd__rep_df_domain(const sd_design *d, const double *pat_w2)
{
    size_t R = d->nrep, P = d->npattern;
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
