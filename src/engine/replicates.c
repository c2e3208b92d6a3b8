/*
 * replicates.c — replicate designs: replicate weights a file gives
 * (--repweights, --reptype, as R's svrepdesign), replicates made from a
 * linearization design's PSUs (--make-replicates, as R's as.svrepdesign:
 * JK1, JKn, BRR, bootstrap), and the replicate-weight patterns behind a
 * domain's degrees of freedom (stats/repdf.c). design.c calls these while
 * it resolves a design.
 */
#include "design.h"

#include <float.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- the given replicate weights' values
 *
 * Negative replicate weights are legitimate (R's mrbbootstrap makes them);
 * only a missing or infinite one is refused, and the largest in size is
 * checked against the sums' overflow. One branch-free scan a column finds
 * whether any is bad and the largest |value|; the row named in an error is
 * looked for only then. The columns are shared between two threads when
 * asked; the first error in column order is the one reported. */
typedef struct repcheck {
    const sd_var *const *v; /* the replicate weights' variables */
    size_t k0, k1, n;
    bool *bad;   /* per column: a missing or infinite value */
    double *big; /* per column: the largest |value| */
} repcheck;

static void *repcheck_run(void *arg)
{
    const repcheck *c = arg;
    for (size_t k = c->k0; k < c->k1; k++) {
        const double *x = c->v[k]->num;
        const uint8_t *m = c->v[k]->sysmis;
        size_t n = c->n, r = 0;
        uint64_t miss = 0;
        unsigned inf = 0;
        double big = 0;
        for (; r + 8 <= n; r += 8) { /* the flags 8 bytes at a time */
            uint64_t u;
            memcpy(&u, m + r, 8);
            miss |= u;
        }
        for (; r < n; r++)
            miss |= m[r];
        r = 0;
#ifdef __SSE2__
        /* Two at a time: maxpd keeps its second operand unless the first
         * is larger, as the scalar loop below; a NaN or an infinity is
         * flagged apart (not <= DBL_MAX), so the order does not matter. */
        const __m128d sign = _mm_set1_pd(-0.0), lim = _mm_set1_pd(DBL_MAX);
        __m128d vb = _mm_setzero_pd(), vi = _mm_setzero_pd();
        for (; r + 2 <= n; r += 2) {
            __m128d a = _mm_andnot_pd(sign, _mm_loadu_pd(x + r));
            vi = _mm_or_pd(vi, _mm_cmpnle_pd(a, lim));
            vb = _mm_max_pd(a, vb);
        }
        double b2[2];
        _mm_storeu_pd(b2, vb);
        big = b2[0] > b2[1] ? b2[0] : b2[1];
        inf = (unsigned)_mm_movemask_pd(vi);
#endif
        for (; r < n; r++) {
            double a = fabs(x[r]);
            inf |= !(a <= DBL_MAX);
            big = a > big ? a : big;
        }
        c->bad[k] = miss || inf;
        c->big[k] = big;
    }
    return NULL;
}

static sd_status check_replicates(const sd_dataset *ds, sd_design *d, int threads,
                                  sd_error *err)
{
    size_t R = d->nrep, n = ds->nrows;
    const sd_var **v = sd__zalloc(R ? R : 1, sizeof *v);
    bool *bad = sd__zalloc(R ? R : 1, sizeof *bad);
    double *big = sd__zalloc(R ? R : 1, sizeof *big);
    if (!v || !bad || !big) {
        sd__free(v);
        sd__free(bad);
        sd__free(big);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    for (size_t k = 0; k < R; k++)
        v[k] = ds->vars[(uintptr_t)d->repw[k]];
    repcheck part[2] = {{v, 0, R, n, bad, big}, {v, R, R, n, bad, big}};
    pthread_t th;
    bool two = sd__thread_count(threads) > 1 && R > 1 && n >= 8192;
    if (two) {
        part[0].k1 = part[1].k0 = R / 2;
        two = pthread_create(&th, NULL, repcheck_run, &part[1]) == 0;
        if (!two)
            part[0].k1 = R;
    }
    repcheck_run(&part[0]);
    if (two)
        pthread_join(th, NULL);
    sd_status st = SD_OK;
    for (size_t k = 0; k < R && st == SD_OK; k++) {
        const double *x = v[k]->num;
        size_t at = 0;
        if (bad[k]) {
            while (at < n && !v[k]->sysmis[at] && fabs(x[at]) <= DBL_MAX)
                at++;
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v[k]->name,
                          "replicate weight '%s' in row %zu: expected a finite number",
                          v[k]->name, at + 1);
            break;
        }
        if (sd__design_weight_fits(ds, v[k], "replicate weight", big[k], 0, n, NULL) != SD_OK) {
            while (at + 1 < n && fabs(x[at]) != big[k])
                at++; /* the first row of the largest, for the message */
            st = sd__design_weight_fits(ds, v[k], "replicate weight", x[at], at, n, err);
        }
        d->repw[k] = x;
    }
    sd__free(v);
    sd__free(bad);
    sd__free(big);
    return st;
}

sd_status sd__design_given_replicates(const sd_dataset *ds, const sd_designspec *spec,
                                      sd_design *d, sd_error *err)
{
    /* Names, or the variables whose names match a regular expression. */
    size_t cap = 0;
    const char *first = spec->repweights[0];
    if (spec->repregex) {
        regex_t re;
        sd_status rst = sd__repweights_compile(&re, first, err);
        if (rst != SD_OK)
            return rst;
        for (size_t i = 0; i < ds->nvars; i++) {
            if (regexec(&re, ds->vars[i]->name, 0, NULL, 0) != 0)
                continue;
            if (!sd__grow((void **)&d->repw, &cap, d->nrep + 1, sizeof *d->repw)) {
                regfree(&re);
                return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            }
            d->repw[d->nrep++] = (const double *)(uintptr_t)i; /* index for now */
        }
        regfree(&re);
        if (d->nrep == 0)
            return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, NULL,
                            "--repweights: no variable name matches '%s'", first);
    } else {
        for (size_t k = 0; k < spec->nrepweights; k++) {
            long i = sd__dataset_var_index(ds, spec->repweights[k]);
            if (i < 0)
                return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, spec->repweights[k],
                                "unknown replicate weight variable '%s'", spec->repweights[k]);
            if (!sd__grow((void **)&d->repw, &cap, d->nrep + 1, sizeof *d->repw))
                return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            d->repw[d->nrep++] = (const double *)(uintptr_t)i;
        }
    }
    for (size_t k = 0; k < d->nrep; k++) {
        const sd_var *v = ds->vars[(uintptr_t)d->repw[k]];
        sd_status rst = sd__var_readable(ds, v, err);
        if (rst != SD_OK)
            return rst;
        if (v->type != SD_TYPE_NUMERIC)
            return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, v->name,
                            "replicate weight '%s' is a string: expected numbers", v->name);
    }
    sd_status cst = check_replicates(ds, d, spec->threads, err);
    if (cst != SD_OK)
        return cst;
    if (d->nrep < 2)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                        "--repweights: expected at least 2 replicate weights, got %zu", d->nrep);
    d->reptype = spec->reptype;
    if (d->reptype == SD_REP_NONE)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                        "--repweights needs --reptype jk1, jkn, brr, fay, bootstrap or sdr");
    double R = (double)d->nrep;
    double rho = spec->has_rho ? spec->rho : 0;
    if (d->reptype == SD_REP_FAY && !spec->has_rho)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                        "--reptype fay needs --rho, the Fay coefficient (e.g. 0.5)");
    switch (d->reptype) {
    case SD_REP_JK1: d->scale = (R - 1) / R; break;
    case SD_REP_JKN: d->scale = 1; break;
    case SD_REP_BRR: d->scale = 1 / R; break;
    case SD_REP_FAY: d->scale = 1 / (R * (1 - rho) * (1 - rho)); break;
    case SD_REP_BOOTSTRAP: d->scale = 1 / (R - 1); break;
    case SD_REP_SDR: d->scale = 4 / R; break;
    case SD_REP_NONE: break;
    }
    /* As svrepdesign: BRR's and Fay's scales follow from R and rho, and
     * successive-difference fixes scale 4/R and rscales 1, whatever
     * --scale and --rscales say (R ignores them with a warning). */
    bool fixed_scale = d->reptype == SD_REP_BRR || d->reptype == SD_REP_FAY ||
                       d->reptype == SD_REP_SDR;
    if (spec->has_scale && !fixed_scale)
        d->scale = spec->scale;
    d->rscales = sd__calloc(d->nrep, sizeof *d->rscales);
    if (!d->rscales)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (spec->nrscales && d->reptype != SD_REP_SDR) {
        if (spec->nrscales != d->nrep)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                            "--rscales has %zu values for %zu replicate weights: expected one "
                            "per replicate",
                            spec->nrscales, d->nrep);
        memcpy(d->rscales, spec->rscales, d->nrep * sizeof *d->rscales);
    } else {
        if (d->reptype == SD_REP_JKN)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                            "--reptype jkn needs --rscales, one (n_h - 1)/n_h per replicate");
        for (size_t k = 0; k < d->nrep; k++)
            d->rscales[k] = 1;
    }
    d->mse = spec->mse;
    return SD_OK;
}

/* splitmix64: a small, well-mixed generator for reproducible bootstraps. */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The rank behind a replicate design's degrees of freedom (stats/repdf.c)
 * is taken on the smaller side of its replicate weights, R replicates by
 * `rows` PSUs, patterns or rows: refuse, before anything is allocated, a
 * design whose smaller side passes SD_MAX_GRAM_SIDE. */
sd_status sd__design_gram_fits(const sd_dataset *ds, size_t R, size_t rows, const char *what,
                           sd_error *err)
{
    if (R <= SD_MAX_GRAM_SIDE || rows <= SD_MAX_GRAM_SIDE)
        return SD_OK;
    size_t side = R < rows ? R : rows;
    return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, NULL,
                    "%zu replicates over %zu %s: their degrees of freedom need a %zu x %zu "
                    "matrix, beyond the limit of %zu on a side: expected at most %zu replicates",
                    R, rows, what, side, side, SD_MAX_GRAM_SIDE, SD_MAX_GRAM_SIDE);
}

/* A stratum sampled whole (fpc = its sample size): jknweights drops it. */
static bool jkn_census(const sd_design *d, size_t h)
{
    double N = d->popsize[0][h], n = (double)d->sampsize[0][h];
    return !isinf(N) && (N - n) / N == 0;
}

/* Cap on made replicate multipliers (replicates x PSUs). */
#define REPMULT_MAX ((size_t)1 << 26)

/* --make-replicates, as R's as.svrepdesign: jackknife (JK1, JKn) or
 * bootstrap multipliers per PSU (tests/oracle/README.md section 5). */
sd_status sd__design_make_replicates(const sd_dataset *ds, const sd_designspec *spec,
                                     sd_design *d, sd_error *err)
{
    if (d->nstages == 0 && sd__design_rowunits(d) != SD_OK) /* each row its own PSU */
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (d->unitpop[0])
        return sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, spec->fpc[0],
                        "--make-replicates: fpc variable '%s' varies within a stratum: expected "
                        "one population size per stratum to make replicates from",
                        spec->fpc[0]);
    size_t P = d->nunits[0];
    const int32_t *unit = d->nstages ? d->unit[0] : d->rowunit;
    (void)unit;
    size_t R = 0;
    sd_reptype type = spec->make_replicates;
    static const char *const names[] = {"none", "jk1", "jkn", "brr", "fay", "bootstrap", "sdr"};
    const char *tname = (size_t)type < sizeof names / sizeof names[0] ? names[type] : "?";
    if (P == 0)
        return sd__fail(err, SD_E_EMPTY, ds->source, 0, 0, NULL,
                        "--make-replicates %s: the data has no rows, so there are no PSUs to "
                        "make replicates from",
                        tname);
    if (type == SD_REP_JK1) {
        if (d->nstrata > 1)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, spec->strata,
                            "--make-replicates jk1 needs an unstratified design (R: Can't use "
                            "JK1 for a stratified design): expected jkn");
        R = P;
    } else if (type == SD_REP_JKN) {
        /* R's jknweights: a census stratum (fpc = its sample) has no
         * replicates; a lonely PSU's stratum has none either, except one
         * under "adjust". */
        for (size_t h = 0; h < d->nstrata; h++)
            if (jkn_census(d, h))
                continue;
            else if (d->sampsize[0][h] > 1)
                R += d->sampsize[0][h];
            else if (d->lonely == SD_LONELY_ADJUST && d->nstrata > 1)
                R++;
        bool all_census = true;
        for (size_t h = 0; h < d->nstrata && all_census; h++)
            all_census = jkn_census(d, h);
        if (R == 0 && all_census)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, spec->strata,
                            "--make-replicates jkn: every stratum is a census (fpc equal to its "
                            "sample), so there is no sampling variance to replicate");
    } else if (type == SD_REP_BOOTSTRAP) {
        R = spec->replicates ? spec->replicates : 50;
    } else {
        /* BRR: exactly two PSUs per stratum; R = the smallest power of two
         * above the number of strata (a Sylvester Hadamard matrix). */
        for (size_t h = 0; h < d->nstrata; h++)
            if (d->sampsize[0][h] != 2)
                return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, spec->strata,
                                "--make-replicates brr needs exactly 2 PSUs in every stratum, "
                                "and a stratum has %zu: expected a paired design (or jkn)",
                                d->sampsize[0][h]);
        R = 4;
        while (R < d->nstrata + 1)
            R *= 2;
    }
    size_t cells;
    sd_status gst = sd__design_gram_fits(ds, R, P, "PSUs", err);
    if (gst != SD_OK)
        return gst;
    if (R < 2)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, spec->strata,
                        "--make-replicates %s gives %zu replicate%s here (no stratum has two "
                        "PSUs or more): expected a design with 2 or more PSUs in a stratum",
                        tname, R, R == 1 ? "" : "s");
    if (!sd__mul_ok(R, P, &cells) || cells > REPMULT_MAX)
        return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, NULL,
                        "--make-replicates: %zu replicates of %zu PSUs is beyond the %zu-value "
                        "limit: expected a clustered design",
                        R, P, REPMULT_MAX);
    d->repmult = sd__zalloc(cells, sizeof *d->repmult);
    d->rscales = sd__zalloc(R, sizeof *d->rscales);
    if (!d->repmult || !d->rscales)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    d->nrep = R;
    d->reptype = type;
    d->mse = spec->mse;
    if (type == SD_REP_JK1) {
        double n = (double)P, N = d->popsize[0][0];
        for (size_t r = 0; r < R; r++) {
            for (size_t p = 0; p < P; p++)
                d->repmult[r * P + p] = p == r ? 0 : n / (n - 1);
            d->rscales[r] = 1;
        }
        d->scale = (n - 1) / n * (isinf(N) ? 1 : (N - n) / N);
    } else if (type == SD_REP_JKN) {
        size_t r = 0;
        double H = (double)d->nstrata;
        for (size_t h = 0; h < d->nstrata; h++) {
            double nh = (double)d->sampsize[0][h], N = d->popsize[0][h];
            if (jkn_census(d, h))
                continue;
            if (nh < 2 && d->lonely == SD_LONELY_ADJUST && H > 1) {
                /* One replicate drops the lonely stratum and reweights
                 * every other PSU by H/(H - 1), rscale (H - 1)/H. */
                for (size_t p = 0; p < P; p++)
                    d->repmult[r * P + p] = (size_t)d->parent[0][p] == h ? 0 : H / (H - 1);
                d->rscales[r++] = (H - 1) / H;
                continue;
            }
            if (nh < 2)
                continue;
            for (size_t j = 0; j < P; j++) {
                if ((size_t)d->parent[0][j] != h)
                    continue;
                for (size_t p = 0; p < P; p++)
                    d->repmult[r * P + p] = (size_t)d->parent[0][p] != h ? 1
                                            : p == j                    ? 0
                                                                        : nh / (nh - 1);
                d->rscales[r] = (nh - 1) / nh * (isinf(N) ? 1 : (N - nh) / N);
                r++;
            }
        }
        d->scale = 1;
        if (d->lonely == SD_LONELY_AVERAGE && R < P)
            d->scale = (double)P / (double)R;
    } else if (type == SD_REP_BRR) {
        /* Half-samples: in replicate r, stratum h keeps its first PSU (x2)
         * when the Sylvester Hadamard entry H[r][h+1] is +1, else its
         * second; H[r][c] = (-1)^popcount(r & c). Any Hadamard matrix gives
         * full orthogonal balance; R's own matrices and PSU order differ,
         * so replicate values differ from R's while variances of linear
         * statistics agree exactly. */
        bool *seen = sd__zalloc(d->nstrata, sizeof *seen);
        if (!seen)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        int *which = sd__zalloc(P, sizeof *which);
        if (!which) {
            sd__free(seen);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t p = 0; p < P; p++) {
            size_t h = (size_t)d->parent[0][p];
            which[p] = seen[h] ? 1 : 0;
            seen[h] = true;
        }
        for (size_t r = 0; r < R; r++) {
            for (size_t p = 0; p < P; p++) {
                size_t h = (size_t)d->parent[0][p];
                bool plus = (__builtin_popcountll((unsigned long long)(r & (h + 1))) & 1) == 0;
                d->repmult[r * P + p] = (plus ? which[p] == 0 : which[p] == 1) ? 2.0 : 0.0;
            }
            d->rscales[r] = 1;
        }
        sd__free(seen);
        sd__free(which);
        d->scale = 1 / (double)R;
    } else {
        uint64_t seed = spec->seed ? spec->seed : 1;
        double inv = 0;
        for (size_t h = 0; h < d->nstrata; h++)
            inv += 1.0 / (double)d->sampsize[0][h];
        double nt = (double)d->nstrata / inv; /* harmonic mean of the n_h */
        /* PSUs of each stratum, in order: a counting sort by stratum. */
        size_t *first = sd__zalloc(d->nstrata + 1, sizeof *first);
        size_t *order = sd__zalloc(P, sizeof *order);
        size_t *fill = sd__zalloc(d->nstrata, sizeof *fill);
        if (!first || !order || !fill) {
            sd__free(first);
            sd__free(order);
            sd__free(fill);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t h = 0; h < d->nstrata; h++)
            first[h + 1] = first[h] + d->sampsize[0][h];
        for (size_t p = 0; p < P; p++) {
            size_t h = (size_t)d->parent[0][p];
            order[first[h] + fill[h]++] = p;
        }
        for (size_t r = 0; r < R; r++) {
            for (size_t h = 0; h < d->nstrata; h++) {
                size_t nh = d->sampsize[0][h];
                for (size_t k = 0; k < nh; k++)
                    d->repmult[r * P + order[first[h] + splitmix(&seed) % nh]] += 1;
            }
            d->rscales[r] = 1;
        }
        sd__free(order);
        sd__free(fill);
        sd__free(first);
        d->scale = nt / ((nt - 1) * (double)(R - 1));
    }
    return SD_OK;
}

/* Jackknife multipliers made here have a structure that gives the rank
 * of a domain's replicate weights without a QR of its PSUs x replicates
 * matrix (2,800 x 2,800 took seconds a domain). Rows: the domain's PSUs S
 * (each scaled by a nonzero weight, which leaves the exact rank alone);
 * columns: stratum h's replicate dropping PSU k is 1 outside h, 0 at k and
 * c = n_h / (n_h - 1) on h's other PSUs. Within a stratum two replicates
 * differ by c (e_k' - e_k), so the columns span, stratum by stratum:
 *   - a stratum whose n_h PSUs are all in S: the n_h - 1 differences, and
 *     any of its columns is 1_S modulo them (c (1 - 1/n_h) = 1);
 *   - a stratum with s_h of its PSUs in S, 0 < s_h < n_h: every e_k of
 *     those (a column dropping a PSU outside S minus one dropping k), and
 *     its columns are 1_S modulo them;
 *   - a stratum with none in S: its columns are 1_S;
 *   - a stratum without replicates (census, or a lonely PSU) contributes
 *     no column, its PSUs in S stay free coordinates;
 *   - a lonely PSU's replicate under "adjust" is 1_S without that PSU
 *     (times H / (H - 1)).
 * The rank is the local dimensions plus that of the span of those global
 * vectors once the local ones are quotiented out (where 1_S is nonzero
 * exactly when S has a PSU of a whole stratum or of a stratum without
 * replicates). This is the exact rank; R's is dqrdc2's numerical one at
 * tolerance 1e-5, the same unless the rows' weights are so unequal that
 * a PSU's direction falls under the tolerance (tests/oracle rank.csv,
 * weights over ten orders of magnitude): so the structure is used only
 * when the domain's PSU weights (root of the sum of w^2) are within
 * MADE_RANK_SPREAD of each other, and the QR otherwise. */
#define MADE_RANK_SPREAD 100.0

bool sd__design_made_rank(const sd_design *d, const double *pat_w2, size_t *rank)
{
    if (!d->repmult || (d->reptype != SD_REP_JK1 && d->reptype != SD_REP_JKN) ||
        d->npattern != d->nunits[0])
        return false;
    size_t P = d->nunits[0], H = d->nstrata;
    double lo = INFINITY, hi = 0;
    for (size_t p = 0; p < P; p++)
        if (pat_w2[p] > 0) {
            lo = pat_w2[p] < lo ? pat_w2[p] : lo;
            hi = pat_w2[p] > hi ? pat_w2[p] : hi;
        }
    if (hi == 0) {
        *rank = 0; /* no rows */
        return true;
    }
    if (!(hi <= lo * MADE_RANK_SPREAD * MADE_RANK_SPREAD))
        return false;
    size_t *in = sd__zalloc(H, sizeof *in);
    if (!in)
        return false;
    for (size_t p = 0; p < P; p++)
        if (pat_w2[p] > 0)
            in[d->parent[0][p]]++;
    size_t local = 0, lonely_in = 0, lonely_out = 0;
    bool regular = false, rest = false;
    for (size_t h = 0; h < H; h++) {
        size_t nh = d->sampsize[0][h], sh = in[h];
        bool census = d->reptype == SD_REP_JKN && jkn_census(d, h);
        if (!census && nh >= 2) {
            regular = true;
            if (sh == nh) {
                local += nh - 1;
                rest = true;
            } else {
                local += sh;
            }
        } else if (!census && d->reptype == SD_REP_JKN && d->lonely == SD_LONELY_ADJUST &&
                   H > 1) {
            if (sh)
                lonely_in++;
            else
                lonely_out++;
        } else if (sh) {
            rest = true;
        }
    }
    sd__free(in);
    size_t global;
    if (regular || lonely_out)
        global = lonely_in + (rest ? 1 : 0); /* span {1_S, 1_S - e_l} */
    else if (rest)
        global = lonely_in; /* the 1_S - e_l alone, independent */
    else
        global = lonely_in == 1 ? 0 : lonely_in; /* J - I: singular only at 1 */
    *rank = local + global;
    return true;
}

/* Cap on distinct replicate patterns kept for domain degrees of freedom. */
#define PATTERNS_MAX ((size_t)20000)

/* Rows whose multipliers w_r / w agree to this, relative to the largest,
 * are one pattern. Replicate weights written with a few decimals differ
 * from w times the multiplier by their rounding; merged, the rows'
 * matrix moves by at most this much relative to its entries, ten times
 * less than R's rank tolerance (1e-5), so its rank decisions are kept. */
#define PATTERN_TOL 1e-6

/* A pattern's coarse key: its zero replicates (exact), and two weighted
 * sums of its multipliers in buckets wide enough that rows within the
 * tolerance fall in the same or a neighbouring one. */
typedef struct patkey {
    uint64_t zeros;
    int64_t b1, b2;
} patkey;

static uint64_t patkey_hash(uint64_t zeros, int64_t b1, int64_t b2)
{
    return sd__hash_u64(zeros ^ sd__hash_u64((uint64_t)b1 * 0x9e3779b97f4a7c15ull ^
                                             sd__hash_u64((uint64_t)b2)));
}

/* The weights of the two sums: fixed, in [0.5, 1.5). */
static double patkey_g(size_t r, int k)
{
    uint64_t s = (uint64_t)r * 2 + (uint64_t)k + 1;
    return 0.5 + (double)(splitmix(&s) >> 11) * 0x1.0p-53;
}

static bool pattern_same(const double *a, const double *b, size_t R, double ma, double mb)
{
    double tol = PATTERN_TOL * (ma > mb ? ma : mb);
    for (size_t r = 0; r < R; r++) {
        if ((a[r] == 0) != (b[r] == 0))
            return false;
        if (fabs(a[r] - b[r]) > tol)
            return false;
    }
    return true;
}

/* ---- replicate patterns
 *
 * Every row's multipliers (its replicate weights over its weight) and its
 * key are computed by blocks of rows, each gathered column by column (R
 * streams read side by side defeat the caches) into a row-major block, in
 * sub-tiles of 256 rows whose sums run over the replicates in order, as
 * they would row by row. On two threads or more, the blocks are filled by
 * as many threads, a few blocks ahead, while this one looks their rows up
 * in row order: the patterns and their numbers are the same whatever the
 * threads. */

typedef struct pblock {
    size_t i0, nb;
    double *m;      /* nb x R multipliers */
    double *mx;     /* largest |multiplier| of each row */
    uint64_t *zero; /* hash of each row's zero replicates */
    int64_t *b1, *b2;
} pblock;

#define PBUF_MAX 8 /* blocks in flight */

typedef struct pfill {
    const sd_design *d;
    const double *g; /* the two sums' weights, 2R */
    double q;        /* bucket width */
    size_t R, n, B, nblocks, nfill, nbuf;
    pblock buf[PBUF_MAX];
    size_t filled[PBUF_MAX]; /* block number + 1 a buffer holds, 0 none */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t used; /* blocks looked up */
    bool stop;
} pfill;

typedef struct pfiller {
    pfill *F;
    size_t k; /* fills blocks k, k + nfill, ... */
} pfiller;

enum { PTILE = 256 };

/* A sum's bucket, floor(s / q); sums too large for one or not finite
 * share one bucket past the others (its neighbours still fit an int64). */
static int64_t bucket(double s, double q)
{
    double b = floor(s / q);
    return b >= -0x1p62 && b <= 0x1p62 ? (int64_t)b : ((int64_t)1 << 62) + 2;
}

SD_AVX2_CLONES
static void pblock_fill(const pfill *F, pblock *b, size_t blk)
{
    const sd_design *d = F->d;
    size_t R = F->R;
    b->i0 = blk * F->B;
    b->nb = F->n - b->i0 < F->B ? F->n - b->i0 : F->B;
    for (size_t t0 = 0; t0 < b->nb; t0 += PTILE) {
        size_t nt = b->nb - t0 < PTILE ? b->nb - t0 : PTILE, i = b->i0 + t0;
        double s1[PTILE], s2[PTILE], mx[PTILE];
        uint64_t z[PTILE];
        for (size_t k = 0; k < nt; k++) {
            s1[k] = s2[k] = mx[k] = 0;
            z[k] = 0;
        }
        double *tile = b->m + t0 * R, inv[PTILE];
        for (size_t k = 0; k < nt; k++) {
            double w = d->w ? d->w[i + k] : 1.0;
            inv[k] = w != 0 ? 1 / w : 0; /* a row of weight 0 is left out */
        }
        for (size_t r = 0; r < R; r++) {
            const double *c = d->repw[r] + i;
            double g1 = F->g[r], g2 = F->g[R + r];
            uint64_t zr = sd__hash_u64((uint64_t)r + 1);
            for (size_t k = 0; k < nt; k++) {
                /* times 1/w: within an ulp of c / w, far inside the
                 * tolerance patterns are compared to */
                double x = c[k] * inv[k];
                tile[k * R + r] = x;
                if (x == 0)
                    z[k] ^= zr;
                s1[k] += g1 * x;
                s2[k] += g2 * x;
                mx[k] = fabs(x) > mx[k] ? fabs(x) : mx[k];
            }
        }
        for (size_t k = 0; k < nt; k++) {
            b->mx[t0 + k] = mx[k];
            b->zero[t0 + k] = z[k];
            b->b1[t0 + k] = bucket(s1[k], F->q);
            b->b2[t0 + k] = bucket(s2[k], F->q);
        }
    }
}

static void *pfill_run(void *arg)
{
    pfiller *P = arg;
    pfill *F = P->F;
    for (size_t blk = P->k; blk < F->nblocks; blk += F->nfill) {
        pthread_mutex_lock(&F->mu);
        while (!F->stop && blk >= F->used + F->nbuf)
            pthread_cond_wait(&F->cv, &F->mu);
        bool stop = F->stop;
        pthread_mutex_unlock(&F->mu);
        if (stop)
            break;
        pblock_fill(F, &F->buf[blk % F->nbuf], blk);
        pthread_mutex_lock(&F->mu);
        F->filled[blk % F->nbuf] = blk + 1;
        pthread_cond_broadcast(&F->cv);
        pthread_mutex_unlock(&F->mu);
    }
    return NULL;
}

/* Stop the fillers (those not done), wait for them, end their lock. */
static void pfill_stop(pfill *F, const pthread_t *th, size_t started)
{
    pthread_mutex_lock(&F->mu);
    F->stop = true;
    pthread_cond_broadcast(&F->cv);
    pthread_mutex_unlock(&F->mu);
    for (size_t k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    pthread_cond_destroy(&F->cv);
    pthread_mutex_destroy(&F->mu);
}

static bool pblock_alloc(pblock *b, size_t B, size_t R)
{
    b->m = sd__zalloc(B * R, sizeof *b->m);
    b->mx = sd__zalloc(B, sizeof *b->mx);
    b->zero = sd__zalloc(B, sizeof *b->zero);
    b->b1 = sd__zalloc(B, sizeof *b->b1);
    b->b2 = sd__zalloc(B, sizeof *b->b2);
    return b->m && b->mx && b->zero && b->b1 && b->b2;
}

static void pblock_free(pblock *b)
{
    sd__free(b->m);
    sd__free(b->mx);
    sd__free(b->zero);
    sd__free(b->b1);
    sd__free(b->b2);
}

/* The largest |multiplier| of the file, by blocks of rows, column by
 * column within a block: for a row, the largest |c_r / w| is the largest
 * |c_r| over |w| (a correctly rounded division by one number keeps the
 * order), so one division a row. On two threads when asked, halves of the
 * rows (a maximum does not depend on the order). */
typedef struct pbig {
    const sd_design *d;
    size_t i0, i1;
    double big;
} pbig;

static void *pbig_run(void *arg)
{
    pbig *P = arg;
    const sd_design *d = P->d;
    enum { BLK = 1024 };
    double rm[BLK], big = 0;
    for (size_t i0 = P->i0; i0 < P->i1; i0 += BLK) {
        size_t nb = P->i1 - i0 < BLK ? P->i1 - i0 : BLK;
        for (size_t k = 0; k < nb; k++)
            rm[k] = 0;
        for (size_t r = 0; r < d->nrep; r++) {
            const double *c = d->repw[r] + i0;
            for (size_t k = 0; k < nb; k++)
                rm[k] = fabs(c[k]) > rm[k] ? fabs(c[k]) : rm[k];
        }
        for (size_t k = 0; k < nb; k++) {
            double w = d->w ? fabs(d->w[i0 + k]) : 1.0;
            double x = w != 0 ? rm[k] / w : 0;
            big = x > big ? x : big;
        }
    }
    P->big = big;
    return NULL;
}

static double largest_multiplier(const sd_design *d, size_t nt)
{
    pbig part[2] = {{d, 0, d->nrows, 0}, {d, d->nrows, d->nrows, 0}};
    pthread_t th;
    bool two = nt > 1 && d->nrows >= 8192;
    if (two) {
        part[0].i1 = part[1].i0 = d->nrows / 2;
        two = pthread_create(&th, NULL, pbig_run, &part[1]) == 0;
        if (!two)
            part[0].i1 = d->nrows;
    }
    pbig_run(&part[0]);
    if (two)
        pthread_join(th, NULL);
    return part[0].big > part[1].big ? part[0].big : part[1].big;
}

/* Group rows by replicate pattern (multipliers w_r / w, to PATTERN_TOL).
 * Rows with a pattern beyond the first `max` (PATTERNS_MAX by default)
 * are marked -2: the engine keeps their own replicate weights (a
 * triangular factor per column). Then the design's rank. `threads`:
 * sd__thread_count's; the result is the same for any. */
sd_status sd__design_patterns(sd_design *d, size_t max, int threads, sd_error *err)
{
    if (!max)
        max = PATTERNS_MAX;
    size_t R = d->nrep, n = d->nrows;
    d->npattern = 0;
    d->overflow = 0;
    d->rank = 0;
    if (d->repmult) {
        /* Made replicates: the PSU is the pattern. */
        size_t P = d->nunits[0];
        d->pattern = sd__zalloc(n, sizeof *d->pattern);
        d->patvec = sd__zalloc(P * R, sizeof *d->patvec);
        if (!d->pattern || !d->patvec)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        const int32_t *u = d->nstages ? d->unit[0] : d->rowunit;
        for (size_t i = 0; i < n; i++)
            d->pattern[i] = d->w && d->w[i] == 0 ? -1 : u[i];
        /* patvec is repmult transposed: by tiles, so neither side is
         * walked with a stride of thousands (2,800 x 2,800 took 0.1 s). */
        for (size_t p0 = 0; p0 < P; p0 += 64)
            for (size_t r0 = 0; r0 < R; r0 += 64)
                for (size_t p = p0; p < P && p < p0 + 64; p++)
                    for (size_t r = r0; r < R && r < r0 + 64; r++)
                        d->patvec[p * R + r] = d->repmult[r * P + p];
        d->npattern = P;
        if (sd__design_rank(d) != SD_OK)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        return SD_OK;
    }
    size_t nt = sd__thread_count(threads);
    sd_hindex seen; /* items: pattern numbers */
    sd__hindex_init(&seen);
    double *g = sd__zalloc(2 * R, sizeof *g);
    patkey *keys = NULL;
    double *pmax = NULL;
    size_t pcap = 0, kcap = 0, mcap = 0;
    d->pattern = sd__zalloc(n, sizeof *d->pattern);
    pfill F;
    memset(&F, 0, sizeof F);
    bool ok = g && d->pattern;
    double q = 2 * 1.5 * (double)R * PATTERN_TOL * (ok ? largest_multiplier(d, nt) : 0);
    if (!(q > 0) || !isfinite(q))
        q = 1;
    for (size_t r = 0; ok && r < R; r++) {
        g[r] = patkey_g(r, 0);
        g[R + r] = patkey_g(r, 1);
    }
    /* Blocks of about 2 MiB of multipliers, in whole sub-tiles. */
    size_t B = ((size_t)2 << 20) / (8 * (R ? R : 1)) / PTILE * PTILE;
    B = B < PTILE ? PTILE : B;
    F = (pfill){.d = d, .g = g, .q = q, .R = R, .n = n, .B = B, .nblocks = (n + B - 1) / B};
    /* Fillers: one per thread (this one looks up, which is little). */
    F.nfill = nt > 1 && F.nblocks > 1 ? (nt < PBUF_MAX / 2 ? nt : PBUF_MAX / 2) : 0;
    F.nbuf = F.nfill ? 2 * F.nfill : 1;
    for (size_t k = 0; ok && k < F.nbuf; k++)
        ok = pblock_alloc(&F.buf[k], B, R);
    pthread_t th[PBUF_MAX / 2];
    pfiller fillers[PBUF_MAX / 2];
    size_t started = 0;
    if (ok && F.nfill) {
        pthread_mutex_init(&F.mu, NULL);
        pthread_cond_init(&F.cv, NULL);
        for (size_t k = 0; k < F.nfill; k++) {
            fillers[k] = (pfiller){&F, k};
            if (pthread_create(&th[k], NULL, pfill_run, &fillers[k]) != 0)
                break;
            started++;
        }
        if (started < F.nfill) { /* stop those started; fill here */
            pfill_stop(&F, th, started);
            started = 0;
            F.stop = false;
            memset(F.filled, 0, sizeof F.filled);
        }
    }
    bool piped = started > 0;
    size_t blk = 0;
    for (; ok && blk < F.nblocks; blk++) {
        pblock *b = &F.buf[piped ? blk % F.nbuf : 0];
        if (piped) {
            pthread_mutex_lock(&F.mu);
            while (F.filled[blk % F.nbuf] != blk + 1)
                pthread_cond_wait(&F.cv, &F.mu);
            pthread_mutex_unlock(&F.mu);
        } else {
            pblock_fill(&F, b, blk);
        }
        size_t hits = 0, misses = 0;
        for (size_t t = 0; ok && t < b->nb; t++) {
            size_t i = b->i0 + t;
            /* The pattern a later row will likely be compared with, fetched
             * ahead: the patterns are megabytes, met in no order. */
            enum { AHEAD = 8 };
            if (t + AHEAD < b->nb) {
                size_t ta = t + AHEAD;
                sd_hprobe pa = sd__hindex_probe(
                    &seen, patkey_hash(b->zero[ta], b->b1[ta], b->b2[ta]));
                size_t pp;
                if (sd__hindex_next(&seen, &pa, &pp))
                    for (size_t o = 0; o < R; o += 8)
                        __builtin_prefetch(d->patvec + pp * R + o);
            }
            double w = d->w ? d->w[i] : 1.0;
            if (w == 0) {
                d->pattern[i] = -1; /* out of the analysis */
                continue;
            }
            const double *m = b->m + t * R;
            uint64_t zeros = b->zero[t];
            double mx = b->mx[t];
            int64_t b1 = b->b1[t], b2 = b->b2[t];
            long found = -1;
            /* Its own buckets first (nearly always there), then the neighbours. */
            static const int near[9][2] = {{0, 0},  {-1, -1}, {-1, 0}, {-1, 1}, {0, -1},
                                           {0, 1},  {1, -1},  {1, 0},  {1, 1}};
            for (int e = 0; e < 9 && found < 0; e++) {
                int64_t k1 = b1 + near[e][0], k2 = b2 + near[e][1];
                sd_hprobe pr = sd__hindex_probe(&seen, patkey_hash(zeros, k1, k2));
                size_t p;
                while (found < 0 && sd__hindex_next(&seen, &pr, &p))
                    if (keys[p].zeros == zeros && keys[p].b1 == k1 && keys[p].b2 == k2 &&
                        pattern_same(d->patvec + p * R, m, R, pmax[p], mx))
                        found = (long)p;
            }
            if (found >= 0)
                hits++;
            else
                misses++;
            if (found < 0) {
                if (d->npattern >= max) {
                    d->pattern[i] = -2;
                    d->overflow++;
                    continue;
                }
                size_t np = d->npattern;
                if (!sd__grow((void **)&d->patvec, &pcap, (np + 1) * R, sizeof *d->patvec) ||
                    !sd__grow((void **)&keys, &kcap, np + 1, sizeof *keys) ||
                    !sd__grow((void **)&pmax, &mcap, np + 1, sizeof *pmax) ||
                    !sd__hindex_add(&seen, patkey_hash(zeros, b1, b2), np)) {
                    ok = false;
                    break;
                }
                memcpy(d->patvec + np * R, m, R * sizeof *m);
                keys[np] = (patkey){zeros, b1, b2};
                pmax[np] = mx;
                found = (long)d->npattern++;
            }
            d->pattern[i] = (int32_t)found;
        }
        /* Patterns kept to the cap, and most of a block's rows new: the
         * rows have no few patterns (weights rounded to a few decimals
         * make every row its own), so looking the rest up would cost the
         * block's time again and again for nothing. They are over the cap,
         * as rows with new patterns are. */
        bool done = d->npattern >= max && misses > hits;
        if (piped) {
            pthread_mutex_lock(&F.mu);
            F.used = blk + 1;
            F.stop = !ok || done;
            pthread_cond_broadcast(&F.cv);
            pthread_mutex_unlock(&F.mu);
        }
        if (done) {
            blk++;
            break;
        }
    }
    for (size_t i = blk * B; ok && i < n; i++) {
        if (d->w && d->w[i] == 0) {
            d->pattern[i] = -1;
        } else {
            d->pattern[i] = -2;
            d->overflow++;
        }
    }
    if (piped)
        pfill_stop(&F, th, started);
    for (size_t k = 0; k < PBUF_MAX; k++)
        pblock_free(&F.buf[k]);
    sd__hindex_free(&seen);
    sd__free(g);
    sd__free(keys);
    sd__free(pmax);
    if (ok && sd__design_rank(d) != SD_OK)
        ok = false;
    return ok ? SD_OK : sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}
