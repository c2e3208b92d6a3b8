/*
 * repdf.c — degrees of freedom of a replicate design's domain, as R's
 * degf.svyrep.design: qr(weights(design, "analysis"), tol = 1e-5)$rank - 1,
 * the numerical rank that LINPACK's dqrdc2 finds for the domain's rows x
 * replicates matrix, minus one.
 *
 * The engine does not keep that matrix, but rows with the same Gram
 * matrix, hence the same QR up to an orthogonal factor on the left and so
 * the same rank decisions: one row per replicate pattern, sqrt(sum of w^2
 * over the pattern's rows in the domain) times the pattern's multipliers
 * w_r / w, and, for rows whose pattern was not kept, the triangular factor
 * the engine folded them into (engine/reprank.c). A domain's rank is at
 * most the design's: a factor that reached it (full) gives it at once, and
 * pattern rows are folded only until the rank reaches it.
 */
#include "stats.h"

#include <math.h>
#include <string.h>

double sd__rep_df_domain(const sd_design *d, const double *pat_w2,
                         const sd_repfactor *const *rf, size_t nrf)
{
    size_t R = d->nrep, P = d->npattern, m = 0;
    size_t U = d->rank ? d->rank : R;
    for (size_t f = 0; f < nrf; f++)
        if (rf[f] && rf[f]->full)
            return (double)U - 1;
    size_t made;
    if (nrf == 0 && sd__design_made_rank(d, pat_w2, &made))
        return (double)made - 1;
    for (size_t p = 0; p < P; p++)
        m += pat_w2[p] > 0;
    for (size_t f = 0; f < nrf; f++)
        m += rf[f] ? sd__rf_nonzero_rows(rf[f], R) : 0;
    if (R == 0)
        return NAN;
    double *x = sd__zalloc(R, sizeof *x);
    if (!x)
        return NAN;
    size_t rank;
    if (m <= R) {
        /* No more rows than replicates: their matrix, column-major m x R. */
        size_t cells;
        double *a = sd__mul_ok(m ? m : 1, R, &cells) ? sd__zalloc(cells, sizeof *a) : NULL;
        if (!a) {
            sd__free(x);
            return NAN;
        }
        size_t i = 0;
        for (size_t p = 0; p < P; p++) {
            if (!(pat_w2[p] > 0))
                continue;
            double s = sqrt(pat_w2[p]);
            for (size_t r = 0; r < R; r++)
                a[r * m + i] = s * d->patvec[p * R + r];
            i++;
        }
        for (size_t f = 0; f < nrf; f++) {
            const sd_repfactor *g = rf[f];
            for (size_t row = 0; g && g->T && row < R; row++) {
                bool any = false;
                for (size_t c = row; c < R && !any; c++)
                    any = g->T[row * R + c] != 0;
                if (!any)
                    continue;
                for (size_t r = row; r < R; r++)
                    a[r * m + i] = g->T[row * R + r];
                i++;
            }
            for (size_t k = 0; g && k < g->nx; k++, i++)
                for (size_t r = 0; r < R; r++)
                    a[r * m + i] = g->X[r * g->cap + k];
        }
        rank = sd__qr_rank(a, m, R, SD_RANK_TOL);
        sd__free(a);
    } else {
        /* More: fold them (the factors' rows first), stopping at U. */
        sd_repfactor F;
        if (!sd__rf_init(&F, R)) {
            sd__free(x);
            return NAN;
        }
        for (size_t f = 0; f < nrf; f++)
            if (rf[f])
                sd__rf_merge(&F, rf[f], R, U);
        for (size_t p = 0; p < P && !F.full; p++)
            if (pat_w2[p] > 0)
                sd__rf_add(&F, R, U, d->patvec + p * R, sqrt(pat_w2[p]));
        sd__rf_finish(&F, R, U);
        rank = F.full ? U : sd__rf_rank_of(F.T, R);
        sd__rf_free(&F);
    }
    sd__free(x);
    return rank == SIZE_MAX ? NAN : (double)rank - 1;
}
