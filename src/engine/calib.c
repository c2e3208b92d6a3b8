/*
 * calib.c — a calibration step of the survey design (made by src/weight):
 * the weighting options as given, the shared calibration object, its
 * solve (beta = S A, or R's raking sweeps), and applying it to a resolved
 * design: calibrated weights and replicate weights, and the sums of the
 * residual multipliers z per variance unit or per stratum that the stats
 * layer's linearisation needs (docs/weighting.md, "Variance").
 */
#include "design.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ options */

void sd__weightopts_free(sd_weightopts *o)
{
    sd__free(o->targets);
    memset(o, 0, sizeof *o);
    o->method = -1;
}

static sd_status parse_pair(const char *key, const char *value, double *lo, double *hi,
                            sd_error *err)
{
    const char *comma = value ? strchr(value, ',') : NULL;
    if (!comma || !sd__parse_double(value, (size_t)(comma - value), false, lo) ||
        !sd__parse_double(comma + 1, strlen(comma + 1), false, hi) || isnan(*lo) ||
        isnan(*hi) || !(*lo < *hi))
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--%s: expected two numbers L,U with L < U (e.g. 0.5,3), not '%s'", key,
                        value ? value : "");
    return SD_OK;
}

sd_status sd__weightopts_set(sd_weightopts *o, const char *key, const char *value,
                             sd_error *err)
{
    if (!strcmp(key, "force")) {
        return sd__parse_flag(key, value, &o->force, err);
    }
    if (!strcmp(key, "targets")) {
        if (!value || !*value)
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "--targets needs a file");
        char *c = sd__strdup(value);
        if (!c)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        sd__free(o->targets);
        o->targets = c;
        return SD_OK;
    }
    if (!strcmp(key, "method")) {
        static const char *const names[] = {"rake", "poststratify", "linear", "raking", "logit"};
        for (int i = 0; i < 5; i++)
            if (value && !strcmp(value, names[i])) {
                o->method = i;
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--method: expected rake, poststratify, linear, raking or logit, not "
                        "'%s'",
                        value ? value : "");
    }
    if (!strcmp(key, "bounds")) {
        sd_status st = parse_pair(key, value, &o->lower, &o->upper, err);
        o->has_bounds = st == SD_OK;
        return st;
    }
    if (!strcmp(key, "trim")) {
        sd_status st = parse_pair(key, value, &o->trim_lower, &o->trim_upper, err);
        o->has_trim = st == SD_OK;
        return st;
    }
    if (!strcmp(key, "tolerance")) {
        double x;
        if (!value || !sd__parse_double(value, strlen(value), false, &x) || !(x > 0) ||
            !isfinite(x))
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--tolerance: expected a number > 0 (rake: 1 is R's epsilon), not "
                            "'%s'",
                            value ? value : "");
        o->tolerance = x;
        o->has_tolerance = true;
        return SD_OK;
    }
    if (!strcmp(key, "max-iter")) {
        unsigned long v;
        if (!value || !sd__parse_ulong(value, strlen(value), 100000, &v) || v < 1)
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--max-iter: expected a whole number from 1 to 100000, not '%s'",
                            value ? value : "");
        o->max_iter = (long)v;
        return SD_OK;
    }
    return SD_E_NOT_FOUND;
}

/* ------------------------------------------------------------ the step */

sd_calib *sd__calib_ref(sd_calib *c)
{
    if (c)
        c->refs++;
    return c;
}

void sd__calib_unref(sd_calib *c)
{
    if (!c || --c->refs > 0)
        return;
    sd__free(c->w);
    sd__free(c->repw);
    sd__free(c->col);
    sd__free(c->z);
    sd__free(c->u);
    sd__free(c->S);
    sd__free(c->block);
    sd__free(c->M);
    sd__free(c->cnt);
    sd__free(c->name);
    sd__free(c->method);
    sd__free(c->base);
    sd__free(c->targets);
    sd__free(c);
}

void sd__calib_solve(const sd_calib *c, const double *A, double *beta)
{
    size_t p = c->p;
    if (c->S) {
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            const double *Sj = c->S + j * p;
            for (size_t k = 0; k < p; k++)
                s += Sj[k] * A[k];
            beta[j] = s;
        }
        return;
    }
    /* R's svyrecvar for a raking: ten times, for each margin in turn,
     * x <- x - psw * ave(x / psw, margin). */
    memset(beta, 0, p * sizeof *beta);
    for (int it = 0; it < c->sweeps; it++)
        for (size_t b = 0; b < c->nblocks; b++) {
            size_t lo = c->block[b], hi = c->block[b + 1];
            for (size_t j = lo; j < hi; j++) {
                if (!(c->cnt[j] > 0))
                    continue;
                double s = A[j];
                if (c->M) {
                    const double *Mj = c->M + j * p;
                    for (size_t k = 0; k < p; k++)
                        s -= Mj[k] * beta[k];
                }
                /* Within a block the rows of different columns are apart,
                 * so updating column by column is R's update of the block. */
                beta[j] += s / c->cnt[j];
            }
        }
}

/* ------------------------------------------------------------ the design */

const int32_t *sd__design_var_units(const sd_design *d, size_t *count)
{
    if (!d->nstages)
        return NULL;
    size_t depth = 1;
    while (depth < d->nstages && d->has_fpc[depth - 1])
        depth++;
    *count = d->nunits[depth - 1];
    return d->unit[depth - 1];
}

/* Cap on the z sums: 2^26 doubles (512 MiB). */
#define CAL_SUMS_MAX ((size_t)1 << 26)

sd_status sd__design_calibrate(sd_design *d, sd_calib *cal, sd_error *err)
{
    if (cal->nrows != d->nrows)
        return sd__fail(err, SD_E_INTERNAL, NULL, 0, 0, NULL,
                        "a weighting of %zu rows given for %zu rows", cal->nrows, d->nrows);
    if ((d->nrep != 0) != (cal->nrep != 0) || (cal->nrep && cal->nrep != d->nrep))
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "the weighting was made for another design (%zu replicates, this one "
                        "has %zu): weight with the same design options as the table",
                        cal->nrep, d->nrep);
    d->cal = sd__calib_ref(cal);
    d->w = cal->w;
    if (d->nrep) {
        /* Replicates: explicit re-calibrated columns replace given or made
         * ones (made ones were PSU multipliers; the engine then sums by
         * replicate instead of by PSU). */
        if (!d->repw && !(d->repw = sd__zalloc(d->nrep, sizeof *d->repw)))
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        for (size_t r = 0; r < d->nrep; r++)
            d->repw[r] = cal->repw + r * d->nrows;
        if (d->repmult) {
            sd__free(d->repmult);
            d->repmult = NULL;
        }
        sd__free(d->pattern);
        sd__free(d->patvec);
        d->pattern = NULL;
        d->patvec = NULL;
        d->npattern = 0;
        return sd__design_patterns(d, 0, d->threads, err);
    }
    size_t p = cal->p, T = cal->nterms, n = d->nrows, cells;
    size_t nunits = 0;
    const int32_t *unit = sd__design_var_units(d, &nunits);
    if (unit) {
        if (!sd__mul_ok(nunits, p, &cells) || cells > CAL_SUMS_MAX)
            return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                            "the calibration's sums per unit (%zu units x %zu columns) are too "
                            "large",
                            nunits, p);
        if (!(d->cal_zu = sd__zalloc(cells, sizeof *d->cal_zu)))
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        for (size_t t = 0; t < T; t++)
            for (size_t i = 0; i < n; i++) {
                int32_t j = cal->col[t * n + i];
                if (j >= 0)
                    d->cal_zu[(size_t)unit[i] * p + (size_t)j] += cal->z[t * n + i];
            }
        return SD_OK;
    }
    size_t H = d->nstrata, pp;
    if (!sd__mul_ok(p, p, &pp) || !sd__mul_ok(H, pp, &cells) || cells > CAL_SUMS_MAX)
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                        "the calibration's sums per stratum (%zu strata x %zu columns) are too "
                        "large",
                        H, p);
    d->cal_zh = sd__zalloc(H * p, sizeof *d->cal_zh);
    d->cal_zzh = sd__zalloc(cells, sizeof *d->cal_zzh);
    if (!d->cal_zh || !d->cal_zzh)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)d->stratum[i];
        double *zh = d->cal_zh + h * p, *zz = d->cal_zzh + h * pp;
        for (size_t t = 0; t < T; t++) {
            int32_t j = cal->col[t * n + i];
            if (j < 0)
                continue;
            double zj = cal->z[t * n + i];
            zh[j] += zj;
            for (size_t s = 0; s < T; s++) {
                int32_t k = cal->col[s * n + i];
                if (k >= 0)
                    zz[(size_t)j * p + (size_t)k] += zj * cal->z[s * n + i];
            }
        }
    }
    return SD_OK;
}
