/*
 * trim.c — R's trimWeights(design, lower, upper, strict = TRUE): weights
 * outside [lower, upper] are set to the bound and what was cut (or added)
 * is shared equally among the weights inside; strict repeats until every
 * weight is inside. The total is kept, so bounds that cannot hold it
 * (n * upper below it, or n * lower above it) are refused up front.
 */
#include "weight.h"

#include <math.h>

#define TRIM_PASSES 100000

int sd__trim(double *w, size_t n, double lo, double hi, size_t *ntrim)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    *ntrim = 0;
    for (size_t i = 0; i < n; i++)
        *ntrim += w[i] < lo || w[i] > hi;
    bool possible = !(hi * (double)n < total) && !(lo * (double)n > total);
    uint8_t *out = possible ? sd__zalloc(n, sizeof *out) : NULL;
    if (possible && !out)
        return -2;
    int passes = 0;
    while (out && passes < TRIM_PASSES) {
        size_t inside = 0;
        double cut = 0;
        for (size_t i = 0; i < n; i++) {
            out[i] = w[i] < lo || w[i] > hi;
            if (out[i]) {
                double c = w[i] < lo ? lo : hi;
                cut += w[i] - c;
                w[i] = c;
            } else {
                inside++;
            }
        }
        if (inside == n) {
            sd__free(out);
            return passes;
        }
        passes++;
        if (inside == 0)
            break;
        /* pwnew[!outside] + sum(trimmings) / sum(!outside) */
        double share = cut / (double)inside;
        for (size_t i = 0; i < n; i++)
            if (!out[i])
                w[i] += share;
    }
    sd__free(out);
    for (size_t i = 0; i < n; i++)
        w[i] = w[i] < lo ? lo : w[i] > hi ? hi : w[i];
    return -1;
}
