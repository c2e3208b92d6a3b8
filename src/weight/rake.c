/*
 * rake.c — R's rake and postStratify on pattern sums. rake(design, …)
 * post-stratifies on each margin in turn (weights times target over the
 * category's weighted total), compares the joint table of all margins
 * with the previous sweep's, and stops when no cell moved by epsilon or
 * more (epsilon < 1 is a fraction of the weights' total), after at most
 * maxit sweeps (R's defaults: 10 and 1). Every row of a pattern gets the
 * same factor, and a pattern is a cell of that joint table, so a sweep
 * costs the number of patterns, not of rows.
 */
#include "weight.h"

#include <math.h>
#include <string.h>

sd_status sd__rake(const wprob *p, const double *W, int maxit, double eps, int fixed, double *F,
                   double *G, rake_out *out, sd_error *err)
{
    size_t np = p->npat, nf = p->nf, maxcat = 1;
    for (size_t k = 0; k < nf; k++)
        maxcat = p->f[k].ncat > maxcat ? p->f[k].ncat : maxcat;
    double *cur = sd__zalloc(np, sizeof *cur);
    double *old = sd__zalloc(np, sizeof *old);
    double *freq = sd__zalloc(maxcat, sizeof *freq);
    if (!cur || !old || !freq) {
        sd__free(cur);
        sd__free(old);
        sd__free(freq);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    for (size_t q = 0; q < np; q++) {
        cur[q] = old[q] = W[q];
        F[q] = 1;
    }
    double total = 0;
    for (size_t q = 0; q < np; q++)
        total += W[q];
    double epsilon = eps < 1 ? eps * total : eps;
    memset(out, 0, sizeof *out);
    int iter = 0;
    for (;;) {
        if (fixed > 0 ? out->sweeps >= fixed : iter >= maxit)
            break;
        for (size_t k = 0; k < nf; k++) {
            const wfactor *f = &p->f[k];
            memset(freq, 0, f->ncat * sizeof *freq);
            for (size_t q = 0; q < np; q++)
                freq[p->pcat[q * nf + k]] += cur[q];
            /* reweight = Pop.Freq / Freq; categories nobody is in are left
             * out (R's merge drops them). */
            for (size_t c = 0; c < f->ncat; c++)
                freq[c] = freq[c] > 0 ? f->target[c] / freq[c] : 0;
            for (size_t q = 0; q < np; q++) {
                double r = freq[p->pcat[q * nf + k]];
                cur[q] *= r;
                F[q] *= r;
                if (G)
                    G[q * nf + k] = F[q];
            }
        }
        out->sweeps++;
        double delta = 0;
        for (size_t q = 0; q < np; q++) {
            double d = fabs(old[q] - cur[q]);
            delta = d > delta || isnan(d) ? d : delta;
        }
        out->delta = delta;
        if (fixed <= 0 && delta < epsilon) {
            out->converged = true;
            break;
        }
        memcpy(old, cur, np * sizeof *old);
        iter++;
    }
    if (fixed > 0)
        out->converged = true;
    sd__free(cur);
    sd__free(old);
    sd__free(freq);
    return SD_OK;
}

sd_status sd__poststratify(const wprob *p, size_t k, const double *W, double *F, sd_error *err)
{
    const wfactor *f = &p->f[k];
    size_t np = p->npat, nf = p->nf;
    double *freq = sd__zalloc(f->ncat, sizeof *freq);
    if (!freq)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t q = 0; q < np; q++)
        freq[p->pcat[q * nf + k]] += W[q];
    for (size_t q = 0; q < np; q++) {
        double fr = freq[p->pcat[q * nf + k]];
        F[q] = fr > 0 ? f->target[p->pcat[q * nf + k]] / fr : 0;
    }
    sd__free(freq);
    return SD_OK;
}
