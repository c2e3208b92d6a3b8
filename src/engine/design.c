/*
 * design.c — survey designs (as declared: data/designspec.c) resolved
 * against a dataset
 * into per-row stratum and cluster indexes, population sizes per stage,
 * and replicate weight columns. Every rule R's survey package enforces is
 * checked here, with a message naming the variable and row.
 */
#include "design.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ resolve */

void sd__design_free(sd_design *d)
{
    sd__free(d->w_owned);
    sd__free(d->stratum);
    for (size_t s = 0; s < SD_MAX_STAGES; s++) {
        sd__free(d->unit[s]);
        sd__free(d->parent[s]);
        sd__free(d->popsize[s]);
        sd__free(d->sampsize[s]);
        sd__free(d->unitpop[s]);
    }
    sd__free(d->repw);
    sd__free(d->rep_owned);
    sd__free(d->rscales);
    sd__free(d->repmult);
    sd__free(d->rowunit);
    sd__free(d->pattern);
    sd__free(d->patvec);
    sd__calib_unref(d->cal);
    sd__free(d->cal_zu);
    sd__free(d->cal_zh);
    sd__free(d->cal_zzh);
    memset(d, 0, sizeof *d);
}

bool sd__design_has_variance(const sd_design *d)
{
    (void)d;
    return true;
}

/* A design variable by name; an unknown one is named with where it was
 * declared (the codebook's line, when it came from one). */
static const sd_var *find_var(const sd_dataset *ds, const sd_designspec *spec, sd_dfield f,
                              const char *name, const char *role, sd_error *err)
{
    long i = sd__dataset_var_index(ds, name);
    if (i < 0) {
        const sd_dpos *p = &spec->pos[f];
        bool coded = spec->origin && p->line > 0;
        sd__fail(err, SD_E_NOT_FOUND, coded ? spec->origin : ds->source, coded ? p->line : 0,
                 coded ? p->col : 0, name,
                 "unknown %s variable '%s': expected a variable of the data%s%s", role, name,
                 coded ? " " : "", coded ? ds->source : "");
        return NULL;
    }
    return ds->vars[i];
}

static bool row_missing(const sd_var *v, size_t r)
{
    if (v->sysmis[r])
        return true;
    return v->type == SD_TYPE_NUMERIC ? sd__var_is_user_missing_num(v, v->num[r])
                                      : sd__var_is_user_missing_str(v, v->levels[v->str[r]]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Dense 0..k-1 index of a numeric or string column, in sorted order of the
 * values; missing values are an error naming the row. */
static sd_status index_column(const sd_dataset *ds, const sd_var *v, const char *role,
                              int32_t **out, size_t *k, sd_error *err)
{
    size_t n = ds->nrows;
    int32_t *idx = sd__calloc(n ? n : 1, sizeof *idx);
    if (!idx)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
    for (size_t r = 0; r < n; r++)
        if (row_missing(v, r)) {
            sd__free(idx);
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                            "%s variable '%s' is missing in row %zu: expected a value for every "
                            "row",
                            role, v->name, r + 1);
        }
    if (v->type == SD_TYPE_STRING) {
        /* Levels are sorted: compact the used ones. */
        int32_t *map = sd__calloc(v->nlevels ? v->nlevels : 1, sizeof *map);
        if (!map) {
            sd__free(idx);
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
        }
        for (size_t r = 0; r < n; r++)
            map[v->str[r]] = 1;
        size_t c = 0;
        for (size_t l = 0; l < v->nlevels; l++)
            map[l] = map[l] ? (int32_t)c++ : -1;
        for (size_t r = 0; r < n; r++)
            idx[r] = map[v->str[r]];
        sd__free(map);
        *out = idx;
        *k = c;
        return SD_OK;
    }
    /* Whole numbers in a modest range (nearly every stratum or cluster id):
     * a direct table instead of a sort. */
    double lo = INFINITY, hi = -INFINITY;
    bool whole = true;
    for (size_t r = 0; r < n && whole; r++) {
        double x = v->num[r];
        whole = x == floor(x);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    if (n && whole && hi - lo < (double)(1 << 24)) {
        size_t span = (size_t)(hi - lo) + 1;
        int32_t *rank = sd__zalloc(span, sizeof *rank);
        if (!rank) {
            sd__free(idx);
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
        }
        for (size_t r = 0; r < n; r++)
            rank[(size_t)(v->num[r] - lo)] = 1;
        size_t c = 0;
        for (size_t i = 0; i < span; i++)
            rank[i] = rank[i] ? (int32_t)c++ : -1;
        for (size_t r = 0; r < n; r++)
            idx[r] = rank[(size_t)(v->num[r] - lo)];
        sd__free(rank);
        *out = idx;
        *k = c;
        return SD_OK;
    }
    double *vals = sd__reallocarray(NULL, n ? n : 1, sizeof *vals);
    if (!vals) {
        sd__free(idx);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
    }
    if (n) /* a dataset without rows has no column arrays */
        memcpy(vals, v->num, n * sizeof *vals);
    qsort(vals, n, sizeof *vals, cmp_double);
    size_t c = 0;
    for (size_t r = 0; r < n; r++)
        if (r == 0 || vals[r] != vals[c - 1])
            vals[c++] = vals[r];
    for (size_t r = 0; r < n; r++) {
        double *p = bsearch(&v->num[r], vals, c, sizeof *vals, cmp_double);
        idx[r] = (int32_t)(p - vals);
    }
    sd__free(vals);
    *out = idx;
    *k = c;
    return SD_OK;
}

typedef struct pair_key {
    int32_t a, b;
    size_t row;
} pair_key;

static int cmp_pair(const void *x, const void *y)
{
    const pair_key *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return (p->row > q->row) - (p->row < q->row);
}

/* Units from (parent, id) pairs: unit numbers in sorted order; parent of
 * each unit recorded. */
static sd_status make_units(const sd_dataset *ds, const int32_t *parent, const int32_t *id,
                            const char *name, int32_t **unit, int32_t **uparent, size_t *nunits,
                            sd_error *err)
{
    size_t n = ds->nrows;
    /* Dense keys parent * K + id: a direct table when it is small enough,
     * numbering units in (parent, id) order as the sort below does. */
    int32_t pmax = -1, imax = -1;
    for (size_t r = 0; r < n; r++) {
        pmax = parent[r] > pmax ? parent[r] : pmax;
        imax = id[r] > imax ? id[r] : imax;
    }
    size_t span;
    if (n && sd__mul_ok((size_t)pmax + 1, (size_t)imax + 1, &span) && span <= ((size_t)1 << 26)) {
        size_t K = (size_t)imax + 1;
        int32_t *num = sd__zalloc(span, sizeof *num);
        *unit = sd__zalloc(n, sizeof **unit);
        *uparent = sd__zalloc(n, sizeof **uparent);
        if (!num || !*unit || !*uparent) {
            sd__free(num);
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
        }
        for (size_t r = 0; r < n; r++)
            num[(size_t)parent[r] * K + (size_t)id[r]] = 1;
        size_t u = 0;
        for (size_t i = 0; i < span; i++)
            if (num[i]) {
                (*uparent)[u] = (int32_t)(i / K);
                num[i] = (int32_t)u++;
            }
        for (size_t r = 0; r < n; r++)
            (*unit)[r] = num[(size_t)parent[r] * K + (size_t)id[r]];
        *nunits = u;
        sd__free(num);
        return SD_OK;
    }
    pair_key *k = sd__reallocarray(NULL, n ? n : 1, sizeof *k);
    *unit = sd__calloc(n ? n : 1, sizeof **unit);
    *uparent = sd__calloc(n ? n : 1, sizeof **uparent);
    if (!k || !*unit || !*uparent) {
        sd__free(k);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
    }
    for (size_t r = 0; r < n; r++) {
        k[r].a = parent[r];
        k[r].b = id[r];
        k[r].row = r;
    }
    qsort(k, n, sizeof *k, cmp_pair);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (k[i].a != k[i - 1].a || k[i].b != k[i - 1].b))
            u++;
        (*unit)[k[i].row] = (int32_t)u;
        (*uparent)[u] = k[i].a;
    }
    *nunits = n ? u + 1 : 0;
    sd__free(k);
    return SD_OK;
}

static sd_status make_rowunits(sd_design *d);

/* Stage-s population sizes from an fpc column; all values <= 1 read as
 * sampling fractions (R's rule). popsize[s] gets each parent's value at its
 * first row. R lets the fpc vary within a stratum (with a warning) and
 * scales each PSU by its own (its first row's): then unitpop[s] holds one
 * population size per stage-s unit. `wfac` (per row, or NULL) is multiplied
 * by N / n, the weight svydesign derives when none is given. */
static sd_status stage_fpc(const sd_dataset *ds, sd_design *d, size_t s, const sd_var *v,
                           const int32_t *rowparent, size_t nparents, double *wfac,
                           sd_error *err)
{
    size_t n = ds->nrows;
    double *val = sd__calloc(nparents ? nparents : 1, sizeof *val);
    bool *seen = sd__calloc(nparents ? nparents : 1, sizeof *seen);
    if (!val || !seen) {
        sd__free(val);
        sd__free(seen);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
    }
    bool fractions = true, varies = false;
    sd_status st = SD_OK;
    for (size_t r = 0; r < n && st == SD_OK; r++) {
        if (row_missing(v, r))
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                          "fpc variable '%s' is missing in row %zu: expected a value for every "
                          "row",
                          v->name, r + 1);
        else if (v->type != SD_TYPE_NUMERIC || !(v->num[r] > 0) || !isfinite(v->num[r]))
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                          "fpc variable '%s' in row %zu: expected a population size or a "
                          "sampling fraction > 0",
                          v->name, r + 1);
        else {
            int32_t p = rowparent[r];
            if (!seen[p]) {
                seen[p] = true;
                val[p] = v->num[r];
            } else if (val[p] != v->num[r])
                varies = true;
            if (v->num[r] > 1)
                fractions = false;
        }
    }
    /* Each row's population size, checked against its parent's sample. */
    for (size_t r = 0; r < n && st == SD_OK; r++) {
        size_t ns = d->sampsize[s][rowparent[r]];
        double N = fractions ? (double)ns / v->num[r] : v->num[r];
        if (!fractions && N < (double)ns)
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                          "fpc variable '%s' gives a population of %g where %zu units were "
                          "sampled (row %zu): expected a population size >= the sample",
                          v->name, N, ns, r + 1);
        if (wfac)
            wfac[r] *= N / (double)ns;
    }
    for (size_t p = 0; p < nparents && st == SD_OK; p++)
        d->popsize[s][p] = fractions ? (double)d->sampsize[s][p] / val[p] : val[p];
    if (st == SD_OK && varies && !d->nstages && make_rowunits(d) != SD_OK)
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
    if (st == SD_OK && varies) {
        /* Stage-s units: the rows themselves when the design has no
         * clusters (make_rowunits numbers them). */
        size_t nu = d->nunits[s];
        const int32_t *unit = d->nstages ? d->unit[s] : d->rowunit;
        d->unitpop[s] = sd__zalloc(nu ? nu : 1, sizeof *d->unitpop[s]);
        bool *done = sd__zalloc(nu ? nu : 1, sizeof *done);
        if (!d->unitpop[s] || !done)
            st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
        for (size_t r = 0; st == SD_OK && r < n; r++) {
            size_t u = (size_t)unit[r];
            if (done[u])
                continue;
            done[u] = true;
            size_t ns = d->sampsize[s][rowparent[r]];
            d->unitpop[s][u] = fractions ? (double)ns / v->num[r] : v->num[r];
        }
        sd__free(done);
    }
    sd__free(val);
    sd__free(seen);
    return st;
}

/* Unclustered designs whose rows must be units of their own (made
 * replicates, an fpc varying within a stratum): unit r is row r, its parent
 * the row's stratum. */
static sd_status make_rowunits(sd_design *d)
{
    if (d->rowunit)
        return SD_OK;
    d->rowunit = sd__zalloc(d->nrows ? d->nrows : 1, sizeof *d->rowunit);
    int32_t *par = sd__zalloc(d->nrows ? d->nrows : 1, sizeof *par);
    if (!d->rowunit || !par) {
        sd__free(par);
        return SD_E_NOMEM;
    }
    for (size_t r = 0; r < d->nrows; r++) {
        d->rowunit[r] = (int32_t)r;
        par[r] = d->stratum[r];
    }
    d->parent[0] = par;
    d->nunits[0] = d->nrows;
    return SD_OK;
}

static sd_status resolve_replicates(const sd_dataset *ds, const sd_designspec *spec,
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
        if (v->type != SD_TYPE_NUMERIC)
            return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, v->name,
                            "replicate weight '%s' is a string: expected numbers", v->name);
        /* Negative replicate weights are legitimate (R's mrbbootstrap
         * makes them); only a missing or infinite one is refused. */
        for (size_t r = 0; r < ds->nrows; r++)
            if (v->sysmis[r] || !isfinite(v->num[r]))
                return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                                "replicate weight '%s' in row %zu: expected a finite number",
                                v->name, r + 1);
        d->repw[k] = v->num;
    }
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
static sd_status gram_fits(const sd_dataset *ds, size_t R, size_t rows, const char *what,
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
static sd_status make_replicates(const sd_dataset *ds, const sd_designspec *spec, sd_design *d,
                                 sd_error *err)
{
    if (d->nstages == 0 && make_rowunits(d) != SD_OK) /* each row its own PSU */
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
    sd_status gst = gram_fits(ds, R, P, "PSUs", err);
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

/* Cap on distinct replicate patterns kept for domain degrees of freedom. */
#define PATTERNS_MAX ((size_t)20000)

/* Group rows by replicate pattern: multipliers w_r / w quantised to 2^-24
 * (the CSV rounding of replicate weights stays inside one pattern). Rows
 * with a pattern beyond the first `max` (PATTERNS_MAX by default) are
 * marked -2: the engine keeps their own replicate weights (a triangular
 * factor per column). */
sd_status sd__design_patterns(sd_design *d, size_t max, sd_error *err)
{
    if (!max)
        max = PATTERNS_MAX;
    size_t R = d->nrep, n = d->nrows;
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
        for (size_t p = 0; p < P; p++)
            for (size_t r = 0; r < R; r++)
                d->patvec[p * R + r] = d->repmult[r * P + p];
        d->npattern = P;
        return SD_OK;
    }
    sd_hindex seen; /* items: pattern numbers */
    sd__hindex_init(&seen);
    int64_t *key = sd__zalloc(R, sizeof *key);
    d->pattern = sd__zalloc(n, sizeof *d->pattern);
    size_t pcap = 0;
    bool ok = key && d->pattern;
    for (size_t i = 0; ok && i < n; i++) {
        double w = d->w ? d->w[i] : 1.0;
        if (w == 0) {
            d->pattern[i] = -1; /* out of the analysis */
            continue;
        }
        for (size_t r = 0; r < R; r++)
            key[r] = (int64_t)llround(d->repw[r][i] / w * 16777216.0);
        uint64_t h = sd__hash_bytes(key, R * sizeof *key);
        sd_hprobe pr = sd__hindex_probe(&seen, h);
        size_t p;
        long found = -1;
        while (found < 0 && sd__hindex_next(&seen, &pr, &p)) {
            bool same = true;
            for (size_t r = 0; r < R && same; r++)
                same = (int64_t)llround(d->patvec[p * R + r] * 16777216.0) == key[r];
            if (same)
                found = (long)p;
        }
        if (found < 0) {
            if (d->npattern >= max) {
                d->pattern[i] = -2;
                d->overflow++;
                continue;
            }
            if (!sd__grow((void **)&d->patvec, &pcap, (d->npattern + 1) * R, sizeof *d->patvec) ||
                !sd__hindex_add(&seen, h, d->npattern)) {
                ok = false;
                break;
            }
            for (size_t r = 0; r < R; r++)
                d->patvec[d->npattern * R + r] = d->repw[r][i] / w;
            found = (long)d->npattern++;
        }
        d->pattern[i] = (int32_t)found;
    }
    sd__hindex_free(&seen);
    sd__free(key);
    return ok ? SD_OK : sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

/* A later stage's lonely unit (one SSU sampled in a PSU, not a census)
 * under --lonely-psu fail: R stops when it reaches it, "Stratum (...) has
 * only one PSU at stage 2". Stages are used while the one above has an fpc
 * (svyrecvar's multistage). */
static sd_status lonely_ssu(const sd_dataset *ds, const sd_designspec *spec, sd_design *d,
                            sd_error *err)
{
    if (d->lonely != SD_LONELY_FAIL)
        return SD_OK;
    for (size_t s = 1; s < d->nstages && d->has_fpc[s - 1]; s++)
        for (size_t p = 0; p < d->nunits[s - 1]; p++) {
            double N = d->popsize[s][p];
            if (d->sampsize[s][p] != 1 || (!isinf(N) && (N - 1) / N < 1e-7))
                continue;
            const sd_var *cv = ds->vars[sd__dataset_var_index(ds, spec->cluster[s - 1])];
            char name[SD_NUMBUF] = "?";
            for (size_t r = 0; r < d->nrows; r++)
                if ((size_t)d->unit[s - 1][r] == p) {
                    if (cv->type == SD_TYPE_NUMERIC)
                        sd__fmt_double(name, cv->num[r]);
                    else
                        snprintf(name, sizeof name, "%s", cv->levels[cv->str[r]]);
                    break;
                }
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, spec->cluster[s],
                            "cluster %s of '%s' has only one sampled unit of '%s', so its "
                            "stage-%zu variance cannot be estimated: expected --lonely-psu "
                            "remove, adjust, certainty or average",
                            name, spec->cluster[s - 1], spec->cluster[s], s + 1);
        }
    return SD_OK;
}

sd_status sd__design_resolve(const sd_dataset *ds, const sd_designspec *spec, sd_design *d,
                             sd_error *err)
{
    memset(d, 0, sizeof *d);
    d->nrows = ds->nrows;
    d->lonely = spec->lonely;
    size_t n = ds->nrows;
    sd_status st = SD_OK;
    const sd_var *v;
    /* Weights. */
    if (spec->weight) {
        if (!(v = find_var(ds, spec, SD_DF_WEIGHT, spec->weight, "weight", err)))
            return SD_E_NOT_FOUND;
        if (v->type != SD_TYPE_NUMERIC)
            return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, v->name,
                            "weight variable '%s' is a string: expected a numeric variable",
                            v->name);
        /* A blank, negative or non-finite weight takes its row out of the
         * analysis, as SPSS does (weight 0 here; the engine leaves rows of
         * weight 0 out of every count and the result reports them). */
        d->w = v->num;
        for (size_t r = 0; r < n; r++) {
            bool blank = row_missing(v, r);
            bool bad = !blank && (!(v->num[r] >= 0) || !isfinite(v->num[r]));
            d->nw_blank += blank;
            d->nw_negative += bad;
            d->nw_zero += !blank && !bad && v->num[r] == 0;
            if ((blank || bad) && !d->w_owned) {
                if (!(d->w_owned = sd__zalloc(n, sizeof *d->w_owned)))
                    return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
                memcpy(d->w_owned, v->num, r * sizeof *d->w_owned);
                d->w = d->w_owned;
            }
            if (d->w_owned)
                d->w_owned[r] = blank || bad ? 0 : v->num[r];
        }
    }
    if (spec->nrepweights) {
        if (spec->strata || spec->ncluster || spec->nfpc)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                            "--repweights describes the design by itself: drop --strata, "
                            "--cluster and --fpc");
        if ((st = resolve_replicates(ds, spec, d, err)) != SD_OK) {
            sd__design_free(d);
            return st;
        }
    } else if (spec->reptype != SD_REP_NONE) {
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                        "--reptype needs --repweights naming the replicate weight variables");
    }
    /* Strata. */
    if (spec->strata) {
        if (!(v = find_var(ds, spec, SD_DF_STRATA, spec->strata, "strata", err)))
            return SD_E_NOT_FOUND;
        if ((st = index_column(ds, v, "strata", &d->stratum, &d->nstrata, err)) != SD_OK)
            return st;
    } else {
        d->stratum = sd__calloc(n ? n : 1, sizeof *d->stratum);
        if (!d->stratum)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        d->nstrata = 1;
    }
    if (spec->nfpc && spec->nfpc > (spec->ncluster ? spec->ncluster : 1)) {
        sd__design_free(d);
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                        "--fpc has %zu stages but --cluster has %zu: expected at most one fpc "
                        "per stage",
                        spec->nfpc, spec->ncluster ? spec->ncluster : 1);
    }
    /* Clusters, stage by stage; ids nested in the previous stage. */
    d->nstages = spec->ncluster;
    const int32_t *prev = d->stratum;
    for (size_t s = 0; s < spec->ncluster && st == SD_OK; s++) {
        int32_t *ids = NULL;
        size_t k;
        if (!(v = find_var(ds, spec, SD_DF_CLUSTER, spec->cluster[s], "cluster", err))) {
            st = SD_E_NOT_FOUND;
            break;
        }
        if ((st = index_column(ds, v, "cluster", &ids, &k, err)) != SD_OK)
            break;
        if (s == 0 && !spec->nest && spec->strata) {
            /* Without --nest an id must belong to one stratum. */
            int32_t *where = sd__reallocarray(NULL, k ? k : 1, sizeof *where);
            if (!where) {
                sd__free(ids);
                st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
                break;
            }
            for (size_t i = 0; i < k; i++)
                where[i] = -1;
            for (size_t r = 0; r < n && st == SD_OK; r++) {
                if (where[ids[r]] >= 0 && where[ids[r]] != d->stratum[r])
                    st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                                  "cluster variable '%s' has the same value in two strata (row "
                                  "%zu): expected clusters nested in strata, or --nest to "
                                  "number them within each stratum",
                                  v->name, r + 1);
                where[ids[r]] = d->stratum[r];
            }
            sd__free(where);
        }
        if (st == SD_OK)
            st = make_units(ds, prev, ids, v->name, &d->unit[s], &d->parent[s], &d->nunits[s],
                            err);
        sd__free(ids);
        prev = d->unit[s];
    }
    if (st != SD_OK) {
        sd__design_free(d);
        return st;
    }
    /* Sample sizes per parent at each stage, then population sizes; with
     * an fpc and no weight, the weights follow from them (R's svydesign). */
    size_t stages = d->nstages ? d->nstages : 1;
    double *wfac = NULL;
    if (!spec->weight && spec->nfpc && !spec->nrepweights) {
        wfac = sd__reallocarray(NULL, n ? n : 1, sizeof *wfac);
        if (!wfac) {
            sd__design_free(d);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t r = 0; r < n; r++)
            wfac[r] = 1;
    }
    for (size_t s = 0; s < stages && st == SD_OK; s++) {
        size_t np = s == 0 ? d->nstrata : d->nunits[s - 1];
        d->sampsize[s] = sd__calloc(np ? np : 1, sizeof *d->sampsize[s]);
        d->popsize[s] = sd__calloc(np ? np : 1, sizeof *d->popsize[s]);
        if (!d->sampsize[s] || !d->popsize[s]) {
            st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            break;
        }
        if (d->nstages == 0) {
            for (size_t r = 0; r < n; r++)
                d->sampsize[0][d->stratum[r]]++;
        } else {
            for (size_t u = 0; u < d->nunits[s]; u++)
                d->sampsize[s][d->parent[s][u]]++;
        }
        for (size_t p = 0; p < np; p++)
            d->popsize[s][p] = INFINITY;
        if (s < spec->nfpc) {
            if (!(v = find_var(ds, spec, SD_DF_FPC, spec->fpc[s], "fpc", err))) {
                st = SD_E_NOT_FOUND;
                break;
            }
            d->has_fpc[s] = true;
            d->fpc_stages = s + 1;
            st = stage_fpc(ds, d, s, v, s == 0 ? d->stratum : d->unit[s - 1], np, wfac, err);
        }
    }
    if (st == SD_OK && wfac) {
        /* svydesign without weights: 1/prob = the product of N/n by stage. */
        d->w_owned = wfac;
        d->w = wfac;
        d->w_from_fpc = true;
        wfac = NULL;
    }
    sd__free(wfac);
    if (st == SD_OK && !d->nrep)
        st = lonely_ssu(ds, spec, d, err);
    /* A lonely PSU is an error of a declared design (strata or clusters).
     * Without one, each row is its own PSU: a one-row file has no variance
     * to estimate, and its SEs are simply undefined (null), not an error. */
    d->no_variance = !spec->strata && !spec->ncluster && !d->nrep && n == 1;
    if (st == SD_OK && d->lonely == SD_LONELY_FAIL && !d->nrep &&
        (spec->strata || spec->ncluster)) {
        for (size_t h = 0; h < d->nstrata; h++) {
            /* A census stratum (f = 0) has no variance to estimate: R lets it be. */
            double N = d->popsize[0][h];
            if (d->sampsize[0][h] != 1 || (!isinf(N) && (N - 1) / N < 1e-7))
                continue;
            char name[SD_NUMBUF] = "1";
            const sd_var *sv = spec->strata ? ds->vars[sd__dataset_var_index(ds, spec->strata)]
                                            : NULL;
            for (size_t r = 0; sv && r < n; r++)
                if ((size_t)d->stratum[r] == h) {
                    if (sv->type == SD_TYPE_NUMERIC)
                        sd__fmt_double(name, sv->num[r]);
                    else
                        snprintf(name, sizeof name, "%s", sv->levels[sv->str[r]]);
                    break;
                }
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, spec->strata,
                          "stratum %s of '%s' has only one PSU, so its variance cannot be "
                          "estimated: expected --lonely-psu remove, adjust, certainty or average",
                          name, spec->strata ? spec->strata : "");
            break;
        }
    }
    if (st == SD_OK && spec->make_replicates != SD_REP_NONE)
        st = make_replicates(ds, spec, d, err);
    if (st == SD_OK && d->nrep)
        st = sd__design_patterns(d, spec->patterns_max, err);
    if (st == SD_OK && d->nrep && !d->repmult)
        st = gram_fits(ds, d->nrep, d->pattern ? d->npattern : n,
                       d->pattern ? "replicate patterns" : "rows", err);
    if (st != SD_OK)
        sd__design_free(d);
    return st;
}
