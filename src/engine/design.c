/*
 * design.c — a survey design (as declared: data/designspec.c) resolved
 * against a dataset: weights (blank and negative ones leave their rows
 * out), per-row stratum and cluster indexes, population sizes per stage
 * (fpc), the lonely-SSU rule; replicate weights given or made are in
 * replicates.c. Every rule R's survey package enforces is checked here,
 * with a message naming the variable and row. (The lonely-PSU rule's
 * variance is in stats/variance.c.)
 */
#include "design.h"

#include <float.h>
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
    if (st == SD_OK && varies && !d->nstages && sd__design_rowunits(d) != SD_OK)
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
sd_status sd__design_weights_fit(const sd_dataset *ds, const sd_var *v, const char *role,
                                 const double *w, size_t n, sd_error *err)
{
    size_t at = 0;
    for (size_t r = 1; r < n; r++)
        if (fabs(w[r]) > fabs(w[at]))
            at = r; /* replicate weights may be negative */
    return n ? sd__design_weight_fits(ds, v, role, w[at], at, n, err) : SD_OK;
}

sd_status sd__design_weight_fits(const sd_dataset *ds, const sd_var *v, const char *role,
                                 double big, size_t at, size_t n, sd_error *err)
{
    if (n == 0 || !(fabs(big) > 0))
        return SD_OK;
    double lim = sqrt(DBL_MAX / 16 / (double)n);
    if (fabs(big) <= lim)
        return SD_OK;
    return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, v->name,
                    "%s '%s' is %g in row %zu: over %zu rows, weights above %.3g would overflow "
                    "the sums of weights and of their squares: expected smaller weights (divide "
                    "them all by one number; percentages do not change)",
                    role, v->name, big, at + 1, n, lim);
}

sd_status sd__design_rowunits(sd_design *d)
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
    d->threads = spec->threads;
    d->lonely = spec->lonely;
    size_t n = ds->nrows;
    sd_status st = SD_OK;
    const sd_var *v;
    /* Every design variable must have been read (sd_var.unread). */
    const char *named[2 + 2 * SD_MAX_STAGES];
    size_t nnamed = 0;
    named[nnamed++] = spec->weight;
    named[nnamed++] = spec->strata;
    for (size_t s = 0; s < spec->ncluster && s < SD_MAX_STAGES; s++)
        named[nnamed++] = spec->cluster[s];
    for (size_t s = 0; s < spec->nfpc && s < SD_MAX_STAGES; s++)
        named[nnamed++] = spec->fpc[s];
    for (size_t k = 0; k < nnamed; k++) {
        long vi = named[k] ? sd__dataset_var_index(ds, named[k]) : -1;
        if (vi >= 0 && (st = sd__var_readable(ds, ds->vars[vi], err)) != SD_OK)
            return st;
    }
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
        if ((st = sd__design_weights_fit(ds, v, "weight variable", d->w, n, err)) != SD_OK) {
            sd__design_free(d);
            return st;
        }
    }
    if (spec->nrepweights) {
        if (spec->strata || spec->ncluster || spec->nfpc)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                            "--repweights describes the design by itself: drop --strata, "
                            "--cluster and --fpc");
        if ((st = sd__design_given_replicates(ds, spec, d, err)) != SD_OK) {
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
        st = sd__design_make_replicates(ds, spec, d, err);
    if (st == SD_OK && d->nrep)
        st = sd__design_patterns(d, spec->patterns_max, spec->threads, err);
    if (st == SD_OK && d->nrep && !d->repmult)
        st = sd__design_gram_fits(ds, d->nrep, d->pattern ? d->npattern : n,
                       d->pattern ? "replicate patterns" : "rows", err);
    if (st != SD_OK)
        sd__design_free(d);
    return st;
}
