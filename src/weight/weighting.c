/*
 * weighting.c — sd_weight: a dataset weighted to targets by one of R's
 * methods, full sample then every replicate the same way (R's rake and
 * calibrate on a svyrep.design), trimmed when asked (trimWeights, strict),
 * and the calibration step it hands to the design: the weights, and the
 * residual structure R's svyrecvar uses for linearisation
 * (docs/weighting.md, "Variance"). Also the public calls that attach a
 * weighting to a table spec and add its weights to a dataset.
 */
#include "weight.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *sd__wmethod_name(sd_wmethod m)
{
    switch (m) {
    case SD_WM_RAKE: return "rake";
    case SD_WM_POSTSTRAT: return "poststratify";
    case SD_WM_LINEAR: return "linear";
    case SD_WM_RAKING: return "raking";
    case SD_WM_LOGIT: return "logit";
    }
    return "?";
}

static sd_status nomem(sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

void sd_weighting_free(sd_weighting *w)
{
    if (!w)
        return;
    sd__weightopts_free(&w->opts);
    sd__targets_free(w->targets);
    sd__designspec_free(&w->design);
    sd__free(w->base);
    sd__free(w->default_name);
    sd__calib_unref(w->cal);
    for (size_t i = 0; i < w->nmargins; i++) {
        sd__free(w->margins[i].var);
        sd__free(w->margins[i].key);
    }
    sd__free(w->margins);
    for (size_t i = 0; i < w->ngroups; i++) {
        sd__free(w->groups[i].var);
        sd__free(w->groups[i].key);
    }
    sd__free(w->groups);
    sd__issues_free(&w->issues);
    sd__wprob_free(&w->prob);
    sd__wmodel_free(&w->model);
    sd__free(w->G);
    sd__free(w->w0);
    sd__free(w->wcal);
    sd__free(w);
}

size_t sd_weighting_nwarnings(const sd_weighting *w)
{
    return w ? w->issues.n : 0;
}

const char *sd_weighting_warning(const sd_weighting *w, size_t i)
{
    return w && i < w->issues.n ? w->issues.v[i].msg : NULL;
}

const double *sd_weighting_weights(const sd_weighting *w)
{
    return w && w->cal ? w->cal->w : NULL;
}

const char *sd_weighting_default_name(const sd_weighting *w)
{
    return w ? w->default_name : NULL;
}

/* The first fatal issue as the error (with its place in the targets). */
static sd_status fail_issue(const sd_weighting *w, const char *file, sd_error *err)
{
    for (size_t i = 0; i < w->issues.n; i++) {
        const wissue *x = &w->issues.v[i];
        if (x->fatal)
            return sd__fail(err, SD_E_INVALID, file, x->line, x->col, x->var,
                            "%s", x->msg);
    }
    return SD_OK;
}

static bool has_fatal(const sd_weighting *w)
{
    for (size_t i = 0; i < w->issues.n; i++)
        if (w->issues.v[i].fatal)
            return true;
    return false;
}

/* ------------------------------------------------------------ methods */

/* One set of base weights (the full sample's or a replicate's) weighted:
 * per-row results into `out`. The full sample sets the sweep count and the
 * linearisation's pieces; replicates reuse the count. */
typedef struct run {
    const wprob *p;
    const wmodel *m;
    sd_wmethod method;
    const sd_weightopts *o;
    int maxit;
    double eps;
    double *W;      /* npat scratch */
    double *F;      /* npat scratch: factor or g per pattern */
    double *G;      /* npat x nf: rake's adjustment after each margin (full sample) */
} run;

static sd_status weigh(run *rn, const double *base, int fixed, double *out, rake_out *ro,
                       grake_out *go, sd_error *err)
{
    const wprob *p = rn->p;
    sd__wprob_sum(p, base, rn->W);
    sd_status st = SD_OK;
    switch (rn->method) {
    case SD_WM_RAKE:
        st = sd__rake(p, rn->W, rn->maxit, rn->eps, fixed, rn->F, fixed ? NULL : rn->G, ro, err);
        break;
    case SD_WM_POSTSTRAT:
        st = sd__poststratify(p, 0, rn->W, rn->F, err);
        break;
    case SD_WM_LINEAR:
    case SD_WM_RAKING:
    case SD_WM_LOGIT:
        st = sd__calibrate(p, rn->m, rn->W, rn->method, rn->o->has_bounds, rn->o->lower,
                           rn->o->upper, rn->eps, rn->maxit, rn->F, go, err);
        break;
    }
    if (st != SD_OK)
        return st;
    for (size_t i = 0; i < p->nrows; i++)
        out[i] = (base ? base[i] : 1.0) * rn->F[p->pat[i]];
    return SD_OK;
}

/* The linearisation pieces for the full sample (sd_calib's col, z, u and
 * solve) from what the weighting kept: the weights before trimming (wcal),
 * the final ones (wt), the base (w0); each row's categories come from its
 * pattern. */
sd_status sd__weighting_linearise(sd_weighting *w, sd_error *err)
{
    if (w->linearised || w->cal->nrep)
        return SD_OK;
    sd_calib *c = w->cal;
    const wprob *p = &w->prob;
    const double *w0 = w->w0, *wt = c->w, *wcal = w->wcal ? w->wcal : c->w;
    sd_wmethod method = w->method;
    const double *Gk = w->G;
    size_t n = p->nrows, nf = p->nf;
    size_t T, P;
    if (method == SD_WM_RAKE || method == SD_WM_POSTSTRAT) {
        size_t nb = method == SD_WM_RAKE ? nf : 1;
        T = nb;
        P = 0;
        for (size_t k = 0; k < nb; k++)
            P += p->f[k].ncat;
    } else {
        T = 1 + nf + p->nnum;
        P = w->model.q;
    }
    size_t cells;
    if (!sd__mul_ok(T, n, &cells) || cells > ((size_t)1 << 28))
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                        "the calibration's linearisation is too large (%zu rows x %zu terms)", n,
                        T);
    c->p = P;
    c->nterms = T;
    c->col = sd__zalloc(cells, sizeof *c->col);
    c->z = sd__zalloc(cells, sizeof *c->z);
    c->u = sd__zalloc(cells, sizeof *c->u);
    if (!c->col || !c->z || !c->u)
        return nomem(err);
    if (method == SD_WM_RAKE || method == SD_WM_POSTSTRAT) {
        size_t nb = T;
        c->nblocks = nb;
        c->block = sd__zalloc(nb + 1, sizeof *c->block);
        c->cnt = sd__zalloc(P ? P : 1, sizeof *c->cnt);
        if (!c->block || !c->cnt)
            return nomem(err);
        for (size_t k = 0; k < nb; k++)
            c->block[k + 1] = c->block[k] + p->f[k].ncat;
        if (method == SD_WM_POSTSTRAT) {
            /* R: psmeans = rowsum(x * oldw / psw, strata) / sum(oldw), and
             * x - psmeans * psw: z = psw, u = oldw * w / psw, divisor the
             * old weights' total. */
            c->sweeps = 1;
            for (size_t i = 0; i < n; i++) {
                int32_t cat = p->pcat[(size_t)p->pat[i] * nf];
                double psw = wcal[i], old = w0 ? w0[i] : 1.0;
                c->col[i] = cat;
                c->z[i] = psw;
                c->u[i] = psw > 0 ? old * wt[i] / psw : 0;
                c->cnt[cat] += old;
            }
            w->linearised = true;
            return SD_OK;
        }
        /* R: ten times, for each margin, x <- x - psw * ave(x / psw,
         * margin), psw the weights just after that margin's
         * post-stratification in the last sweep. */
        c->sweeps = 10;
        size_t pp;
        if (!sd__mul_ok(P, P, &pp) || pp > ((size_t)1 << 26))
            return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                            "raking on %zu categories is too large for its variance", P);
        if (!(c->M = sd__zalloc(pp, sizeof *c->M)))
            return nomem(err);
        for (size_t k = 0; k < nf; k++)
            for (size_t i = 0; i < n; i++) {
                int32_t q = p->pat[i];
                double psw = (w0 ? w0[i] : 1.0) * Gk[(size_t)q * nf + k];
                c->col[k * n + i] = (int32_t)c->block[k] + p->pcat[(size_t)q * nf + k];
                c->z[k * n + i] = psw;
                c->u[k * n + i] = psw > 0 ? wt[i] / psw : 0;
            }
        /* M and the counts from patterns: rows whose base weight is 0 are
         * left out of the averages (R would give NaN). */
        for (size_t q = 0; q < p->npat; q++) {
            double cnt = p->ppos[q];
            if (cnt == 0)
                continue;
            const double *g = Gk + q * nf;
            for (size_t k = 0; k < nf; k++) {
                size_t j = c->block[k] + (size_t)p->pcat[q * nf + k];
                c->cnt[j] += cnt;
                if (!(g[k] > 0))
                    continue;
                for (size_t k2 = 0; k2 < nf; k2++) {
                    size_t j2 = c->block[k2] + (size_t)p->pcat[q * nf + k2];
                    c->M[j * P + j2] += cnt * g[k2] / g[k];
                }
            }
        }
        w->linearised = true;
        return SD_OK;
    }
    /* Calibration: R keeps qr(X sqrt(w0)) and w = g sqrt(w0); the residual
     * is x - w g X (X'W0X)^-1 X' W0 (x / (w0 g)): z = wcal X, u = w0 (w /
     * wcal) X, S = (X'W0X)^+. */
    const wmodel *m = &w->model;
    size_t q = m->q;
    for (size_t i = 0; i < n; i++) {
        int32_t pt = p->pat[i];
        const double *x = m->X + (size_t)pt * q;
        double b = w0 ? w0[i] : 1.0, wc = wcal[i];
        double ur = wc > 0 ? b * wt[i] / wc : 0;
        c->col[i] = 0;
        c->z[i] = wc;
        c->u[i] = ur;
        for (size_t k = 0; k < nf; k++) {
            int32_t col = m->catcol[k][p->pcat[(size_t)pt * nf + k]];
            c->col[(1 + k) * n + i] = col;
            c->z[(1 + k) * n + i] = col >= 0 ? wc : 0;
            c->u[(1 + k) * n + i] = col >= 0 ? ur : 0;
        }
        for (size_t k = 0; k < p->nnum; k++) {
            size_t t = 1 + nf + k, j = q - p->nnum + k;
            c->col[t * n + i] = (int32_t)j;
            c->z[t * n + i] = wc * x[j];
            c->u[t * n + i] = ur * x[j];
        }
    }
    double *G = sd__zalloc(q * q, sizeof *G);
    double *W0 = sd__zalloc(p->npat, sizeof *W0);
    if (!G || !W0 || !(c->S = sd__zalloc(q * q, sizeof *c->S))) {
        sd__free(G);
        sd__free(W0);
        return nomem(err);
    }
    sd__wprob_sum(p, w0, W0);
    for (size_t r = 0; r < p->npat; r++) {
        const double *x = m->X + r * q;
        for (size_t a = 0; a < q; a++)
            if (x[a] != 0)
                for (size_t b = 0; b < q; b++)
                    G[a * q + b] += W0[r] * x[a] * x[b];
    }
    sd_status st = sd__pinv_sym(G, q, 1e-10, c->S, err);
    sd__free(G);
    sd__free(W0);
    w->linearised = st == SD_OK;
    return st;
}

/* ------------------------------------------------------------ sd_weight */

/* Cap on re-weighted replicate weights: 2^27 doubles (1 GiB). */
#define REPW_MAX ((size_t)1 << 27)

static sd_status weight_run(const sd_dataset *ds, const sd_tabspec *spec, const sd_targets *tg,
                            bool rerun, const char *base, sd_weighting **out, sd_error *err)
{
    *out = NULL;
    const sd_weightopts *o = &spec->weighting;
    sd_targets *owned = NULL;
    sd_status st = SD_OK;
    if (!tg) {
        if (!o->targets)
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "no targets: expected --targets FILE (docs/weighting.md)");
        if ((st = sd_targets_open(o->targets, &owned, err)) != SD_OK)
            return st;
        tg = owned;
    }
    sd_wmethod method = o->method < 0 ? SD_WM_RAKE : (sd_wmethod)o->method;
    if (o->has_bounds && (method == SD_WM_RAKE || method == SD_WM_POSTSTRAT)) {
        sd__targets_free(owned);
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--bounds: %s has no bounds (R's %s); use --method raking, linear or "
                        "logit",
                        sd__wmethod_name(method), method == SD_WM_RAKE ? "rake" : "postStratify");
    }
    if (method == SD_WM_LOGIT && !o->has_bounds) {
        sd__targets_free(owned);
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--method logit needs --bounds L,U (finite, L < 1 < U)");
    }
    if (o->has_bounds && !(o->lower < 1 && o->upper > 1) &&
        !(method != SD_WM_LOGIT && o->lower <= 1 && o->upper >= 1)) {
        sd__targets_free(owned);
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--bounds %g,%g: the bounds are on g = weight / base weight and must "
                        "hold 1 (no change)%s",
                        o->lower, o->upper, method == SD_WM_LOGIT ? " strictly" : "");
    }
    if (method == SD_WM_LOGIT && (!isfinite(o->lower) || !isfinite(o->upper))) {
        sd__targets_free(owned);
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--method logit needs finite bounds (R: Logit calibration requires "
                        "finite bounds)");
    }
    sd_weighting *w = sd__calloc(1, sizeof *w);
    sd_design d;
    memset(&d, 0, sizeof d);
    wprob p;
    memset(&p, 0, sizeof p);
    wmodel m;
    memset(&m, 0, sizeof m);
    run rn;
    memset(&rn, 0, sizeof rn);
    double *w0 = NULL, *wcal = NULL, *rbase = NULL;
    if (!w) {
        sd__targets_free(owned);
        return nomem(err);
    }
    w->method = method;
    w->opts.method = o->method;
    w->nrows = ds->nrows;
    w->N = NAN;
    /* The design: the spec's options completed by the codebook's; a re-run
     * of a recorded calibration starts from its base weight. */
    if ((st = sd__designspec_copy(&w->design, &spec->design, err)) != SD_OK ||
        (st = sd__designspec_fill(&w->design, &ds->design, err)) != SD_OK)
        goto fail;
    if (rerun) {
        sd__free(w->design.weight);
        w->design.weight = NULL;
        if (base && !(w->design.weight = sd__strdup(base))) {
            st = nomem(err);
            goto fail;
        }
    }
    if (!(w->targets = sd__targets_copy(tg)) ||
        (o->targets && !(w->opts.targets = sd__strdup(o->targets))) ||
        (w->design.weight && !(w->base = sd__strdup(w->design.weight)))) {
        st = nomem(err);
        goto fail;
    }
    w->opts.has_bounds = o->has_bounds;
    w->opts.lower = o->lower;
    w->opts.upper = o->upper;
    w->opts.has_trim = o->has_trim;
    w->opts.trim_lower = o->trim_lower;
    w->opts.trim_upper = o->trim_upper;
    w->opts.has_tolerance = o->has_tolerance;
    w->opts.tolerance = o->tolerance;
    w->opts.max_iter = o->max_iter;
    w->opts.force = o->force;
    {
        const char *mn = sd__wmethod_name(method);
        size_t len = strlen(mn) + 8;
        if (!(w->default_name = sd__malloc(len))) {
            st = nomem(err);
            goto fail;
        }
        snprintf(w->default_name, len, "weight_%s", mn);
    }
    if ((st = sd__design_resolve(ds, &w->design, &d, err)) != SD_OK)
        goto fail;
    size_t n = ds->nrows;
    if (d.w) {
        if (!(w0 = sd__reallocarray(NULL, n ? n : 1, sizeof *w0))) {
            st = nomem(err);
            goto fail;
        }
        memcpy(w0, d.w, n * sizeof *w0);
    }
    if ((st = sd__wprob_build(ds, tg, method, w0, &p, &w->issues, err)) != SD_OK)
        goto fail;
    w->N = p.has_N ? p.N : NAN;
    if (has_fatal(w) && !o->force) {
        st = fail_issue(w, tg->source, err);
        goto fail;
    }
    bool calib = method == SD_WM_LINEAR || method == SD_WM_RAKING || method == SD_WM_LOGIT;
    if (calib && (st = sd__wmodel_build(&p, &m, err)) != SD_OK)
        goto fail;
    rn.p = &p;
    rn.m = calib ? &m : NULL;
    rn.method = method;
    rn.o = o;
    rn.maxit = o->max_iter > 0 ? (int)o->max_iter : method == SD_WM_RAKE ? 10 : 50;
    rn.eps = o->has_tolerance ? o->tolerance : method == SD_WM_RAKE ? 1 : 1e-7;
    w->max_iter = method == SD_WM_POSTSTRAT ? 0 : rn.maxit;
    w->epsilon = method == SD_WM_POSTSTRAT ? NAN : rn.eps;
    rn.W = sd__zalloc(p.npat, sizeof *rn.W);
    rn.F = sd__zalloc(p.npat, sizeof *rn.F);
    if (method == SD_WM_RAKE)
        rn.G = sd__zalloc(p.npat * (p.nf ? p.nf : 1), sizeof *rn.G);
    w->cal = sd__calloc(1, sizeof *w->cal);
    wcal = sd__reallocarray(NULL, n ? n : 1, sizeof *wcal);
    if (!rn.W || !rn.F || (method == SD_WM_RAKE && !rn.G) || !w->cal || !wcal) {
        st = nomem(err);
        goto fail;
    }
    w->cal->refs = 1;
    w->cal->nrows = n;
    /* The full sample. */
    rake_out ro;
    grake_out go;
    memset(&ro, 0, sizeof ro);
    memset(&go, 0, sizeof go);
    if ((st = weigh(&rn, w0, 0, wcal, &ro, &go, err)) != SD_OK)
        goto fail;
    double w0sum = 0;
    for (size_t i = 0; i < n; i++)
        w0sum += w0 ? w0[i] : 1.0;
    switch (method) {
    case SD_WM_RAKE:
        w->iterations = ro.sweeps;
        w->converged = ro.converged;
        w->last_change = ro.delta;
        if (!ro.converged &&
            !sd__issue_add(&w->issues, true, 0, 0, NULL,
                           "raking did not converge in %d sweeps: the joint table of the "
                           "margins still moved by %g (epsilon %g); raise --max-iter, or check "
                           "that the margins agree",
                           ro.sweeps, ro.delta, rn.eps < 1 ? rn.eps * w0sum : rn.eps)) {
            st = nomem(err);
            goto fail;
        }
        break;
    case SD_WM_POSTSTRAT:
        w->converged = true;
        break;
    case SD_WM_LINEAR:
    case SD_WM_RAKING:
    case SD_WM_LOGIT:
        w->iterations = go.iterations;
        w->converged = !go.failed;
        w->last_change = go.achieved;
        if (go.failed &&
            !sd__issue_add(&w->issues, true, 0, 0, NULL,
                           "calibration did not converge in %d iterations (largest relative "
                           "misfit %g, epsilon %g)%s",
                           go.iterations, go.achieved, rn.eps,
                           o->has_bounds ? ": the bounds may make the targets impossible; widen "
                                           "--bounds or raise --max-iter"
                                         : "; raise --max-iter")) {
            st = nomem(err);
            goto fail;
        }
        break;
    }
    /* A calibration that diverged (bounds that cannot hold the targets)
     * leaves weights that are not numbers: never written, even with
     * --force, which keeps weights that are only off target. */
    size_t nonfinite = 0;
    for (size_t i = 0; i < n; i++)
        nonfinite += !isfinite(wcal[i]);
    if (nonfinite) {
        st = sd__fail(err, SD_E_INVALID, tg->source, 0, 0, NULL,
                      "the %s weighting diverged: %zu of %zu weights are not finite numbers, "
                      "so none is kept, even with --force%s",
                      sd__wmethod_name(method), nonfinite, n,
                      o->has_bounds ? " (the bounds make the targets impossible: widen --bounds)"
                                    : "");
        goto fail;
    }
    size_t negative = 0;
    for (size_t i = 0; i < n; i++)
        negative += wcal[i] < 0;
    if (negative &&
        !sd__issue_add(&w->issues, false, 0, 0, NULL,
                       "%zu weights are negative (linear calibration without bounds): consider "
                       "--bounds",
                       negative)) {
        st = nomem(err);
        goto fail;
    }
    /* The final weights: the calibrated ones, trimmed in a copy when asked
     * (the linearisation needs both). */
    if (o->has_trim) {
        if (!(w->cal->w = sd__reallocarray(NULL, n ? n : 1, sizeof *w->cal->w))) {
            st = nomem(err);
            goto fail;
        }
        memcpy(w->cal->w, wcal, n * sizeof *wcal);
    } else {
        w->cal->w = wcal;
        wcal = NULL;
    }
    if (o->has_trim) {
        double tot = 0;
        for (size_t i = 0; i < n; i++)
            tot += w->cal->w[i];
        int passes = sd__trim(w->cal->w, n, o->trim_lower, o->trim_upper, &w->trimmed);
        w->trim_passes = passes;
        if (passes == -2) {
            st = nomem(err);
            goto fail;
        }
        if (passes == -1 &&
            !sd__issue_add(&w->issues, true, 0, 0, NULL,
                           "--trim %g,%g cannot hold the total weight %g over %zu rows (it "
                           "needs %g <= total / rows <= %g); with --force the weights are only "
                           "clamped",
                           o->trim_lower, o->trim_upper, tot, n, o->trim_lower,
                           o->trim_upper)) {
            st = nomem(err);
            goto fail;
        }
    }
    /* Replicates: each re-weighted the same way (rake with the full
     * sample's sweep count, as R's rake does on a svyrep.design). */
    if (d.nrep) {
        size_t R = d.nrep, cells;
        if (!sd__mul_ok(R, n, &cells) || cells > REPW_MAX) {
            st = sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, NULL,
                          "re-weighting %zu replicates of %zu rows is beyond the %zu-value "
                          "limit",
                          R, n, REPW_MAX);
            goto fail;
        }
        w->cal->nrep = R;
        w->nrep = R;
        w->cal->repw = sd__zalloc(cells, sizeof *w->cal->repw);
        rbase = sd__zalloc(n, sizeof *rbase);
        if (!w->cal->repw || !rbase) {
            st = nomem(err);
            goto fail;
        }
        size_t P = d.nunits[0];
        const int32_t *u0 = d.nstages ? d.unit[0] : d.rowunit;
        size_t rep_trim_bad = 0;
        for (size_t r = 0; r < R; r++) {
            for (size_t i = 0; i < n; i++)
                rbase[i] = d.repmult ? (w0 ? w0[i] : 1.0) * d.repmult[r * P + (size_t)u0[i]]
                                     : d.repw[r][i];
            double *rw = w->cal->repw + r * n;
            rake_out rro;
            grake_out rgo;
            memset(&rgo, 0, sizeof rgo);
            if ((st = weigh(&rn, rbase, method == SD_WM_RAKE ? ro.sweeps : 0, rw, &rro, &rgo,
                            err)) != SD_OK)
                goto fail;
            if (rgo.failed)
                w->rep_failed++;
            for (size_t i = 0; i < n; i++)
                if (!isfinite(rw[i])) {
                    st = sd__fail(err, SD_E_INVALID, tg->source, 0, 0, NULL,
                                  "the %s weighting of replicate %zu diverged: its weights are "
                                  "not finite numbers, so none is kept, even with --force%s",
                                  sd__wmethod_name(method), r + 1,
                                  o->has_bounds ? " (widen --bounds)" : "");
                    goto fail;
                }
            if (o->has_trim) {
                size_t nt;
                int ps = sd__trim(rw, n, o->trim_lower, o->trim_upper, &nt);
                if (ps == -2) {
                    st = nomem(err);
                    goto fail;
                }
                rep_trim_bad += ps == -1;
            }
        }
        if (w->rep_failed &&
            !sd__issue_add(&w->issues, false, 0, 0, NULL,
                           "%zu of %zu replicates did not converge in %d iterations", w->rep_failed,
                           R, rn.maxit)) {
            st = nomem(err);
            goto fail;
        }
        if (rep_trim_bad &&
            !sd__issue_add(&w->issues, false, 0, 0, NULL,
                           "--trim cannot hold %zu replicates' totals: they were only clamped",
                           rep_trim_bad)) {
            st = nomem(err);
            goto fail;
        }
    }
    if ((st = sd__weighting_diag(w, ds, spec, &p, w0, err)) != SD_OK)
        goto fail;
    /* Kept for the linearisation a table may ask for (each row's categories
     * are its pattern's: the per-row copies go). */
    for (size_t k = 0; k < p.nf; k++) {
        sd__free(p.f[k].of);
        p.f[k].of = NULL;
    }
    w->prob = p;
    memset(&p, 0, sizeof p);
    w->model = m;
    memset(&m, 0, sizeof m);
    w->G = rn.G;
    rn.G = NULL;
    w->w0 = w0;
    w0 = NULL;
    w->wcal = wcal;
    wcal = NULL;
    /* What a table says of it. */
    w->cal->eff = w->after.eff;
    w->cal->deff = w->after.deff;
    w->cal->neff = w->after.neff;
    if (!(w->cal->name = sd__strdup(w->default_name)) ||
        !(w->cal->method = sd__strdup(sd__wmethod_name(method))) ||
        (w->base && !(w->cal->base = sd__strdup(w->base))) ||
        (tg->source && !(w->cal->targets = sd__strdup(tg->source)))) {
        st = nomem(err);
        goto fail;
    }
    if (has_fatal(w) && !o->force) {
        st = fail_issue(w, tg->source, err);
        goto fail;
    }
    sd__free(rn.W);
    sd__free(rn.F);
    sd__free(rn.G);
    sd__free(w0);
    sd__free(wcal);
    sd__free(rbase);
    sd__wmodel_free(&m);
    sd__wprob_free(&p);
    sd__design_free(&d);
    sd__targets_free(owned);
    *out = w;
    return SD_OK;
fail:
    sd__free(rn.W);
    sd__free(rn.F);
    sd__free(rn.G);
    sd__free(w0);
    sd__free(wcal);
    sd__free(rbase);
    sd__wmodel_free(&m);
    sd__wprob_free(&p);
    sd__design_free(&d);
    sd__targets_free(owned);
    sd_weighting_free(w);
    return st;
}

sd_status sd_weight(const sd_dataset *ds, const sd_tabspec *spec, const sd_targets *t,
                    sd_weighting **out, sd_error *err)
{
    if (!ds || !spec || !out)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "sd_weight: no dataset or spec");
    sd_status st = sd__dataset_rows_here(ds, "weighting", err);
    if (st == SD_OK)
        st = sd__dataset_widen(ds, err); /* weighting reads columns as values */
    return st == SD_OK ? weight_run(ds, spec, t, false, NULL, out, err) : st;
}

/* ------------------------------------------------------------ tables */

sd_status sd_tabspec_set_weighting(sd_tabspec *s, sd_weighting *w, sd_error *err)
{
    if (!s || (w && !w->cal))
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no spec or weighting given");
    sd_status st = w ? sd__weighting_linearise(w, err) : SD_OK;
    if (st != SD_OK)
        return st;
    sd__calib_unref(s->calib);
    s->calib = w ? sd__calib_ref(w->cal) : NULL;
    return SD_OK;
}

sd_status sd_tabspec_weight(sd_tabspec *s, const sd_dataset *ds, sd_weighting **out,
                            sd_error *err)
{
    *out = NULL;
    sd_status st;
    if (s->weighting.targets) {
        if ((st = sd_weight(ds, s, NULL, out, err)) != SD_OK)
            return st;
        if ((st = sd_tabspec_set_weighting(s, *out, err)) != SD_OK) {
            sd_weighting_free(*out);
            *out = NULL;
        }
        return st;
    }
    const sd_calib_decl *cd = ds->design.calibration;
    const char *dw = ds->design.weight;
    if (!cd || !dw || (s->design.weight && strcmp(s->design.weight, dw)))
        return SD_OK;
    /* A calibration the codebook records: weight again from its base with
     * its options, and check it gives the weights the file holds. */
    sd_tabspec tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.design = s->design;
    tmp.ncols = s->ncols;
    tmp.cols = s->cols;
    tmp.weighting.method = -1;
    static const char *const names[] = {"rake", "poststratify", "linear", "raking", "logit"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(cd->method, names[i]))
            tmp.weighting.method = i;
    tmp.weighting.has_bounds = cd->has_bounds;
    tmp.weighting.lower = cd->lower;
    tmp.weighting.upper = cd->upper;
    tmp.weighting.has_trim = cd->has_trim;
    tmp.weighting.trim_lower = cd->trim_lower;
    tmp.weighting.trim_upper = cd->trim_upper;
    tmp.weighting.has_tolerance = cd->has_tolerance;
    tmp.weighting.tolerance = cd->tolerance;
    tmp.weighting.max_iter = cd->max_iter;
    tmp.weighting.force = cd->force || s->weighting.force;
    if ((st = sd__dataset_widen(ds, err)) != SD_OK)
        return st;
    st = weight_run(ds, &tmp, cd->targets, true, cd->base, out, err);
    if (st != SD_OK)
        return st;
    long vi = sd__dataset_var_index(ds, dw);
    const sd_var *v = vi >= 0 ? ds->vars[vi] : NULL;
    const double *got = (*out)->cal->w;
    for (size_t i = 0; v && i < ds->nrows; i++) {
        double x = v->num[i];
        if (v->sysmis[i] || !(fabs(x - got[i]) <= 1e-9 * (fabs(got[i]) > 1 ? fabs(got[i]) : 1))) {
            char a[SD_NUMBUF], b[SD_NUMBUF];
            sd__fmt_double(a, x);
            sd__fmt_double(b, got[i]);
            sd_weighting_free(*out);
            *out = NULL;
            return sd__fail(err, SD_E_CONFLICT, ds->source, 0, 0, dw,
                            "'%s' does not hold the weights its recorded calibration gives (row "
                            "%zu: %s, calibration %s): the data changed after `sondage weight`; "
                            "weight again",
                            dw, i + 1, v->sysmis[i] ? "missing" : a, b);
        }
    }
    char *nm = sd__strdup(dw);
    if (!nm) {
        sd_weighting_free(*out);
        *out = NULL;
        return nomem(err);
    }
    sd__free((*out)->cal->name);
    (*out)->cal->name = nm;
    if ((st = sd_tabspec_set_weighting(s, *out, err)) != SD_OK) {
        sd_weighting_free(*out);
        *out = NULL;
    }
    return st;
}

/* ------------------------------------------------------------ dataset */

sd_status sd_dataset_add_weighting(sd_dataset *ds, const sd_weighting *w, const char *name,
                                   sd_error *err)
{
    if (!ds || !w || !w->cal || w->nrows != ds->nrows)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "the weighting was made for another dataset");
    if (!name)
        name = w->default_name;
    if (sd__dataset_var_index(ds, name) >= 0)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, name,
                        "variable '%s' exists already: expected a new name for the weight "
                        "(--name)",
                        name);
    sd_var *v;
    sd_status st = sd__dataset_add_var(ds, name, SD_TYPE_NUMERIC, &v, err);
    if (st != SD_OK)
        return st;
    v->measure = SD_MEASURE_SCALE;
    v->width = 12;
    v->decimals = 6;
    for (size_t i = 0; i < ds->nrows; i++) {
        v->num[i] = w->cal->w[i];
        v->sysmis[i] = 0;
    }
    const char *mn = sd__wmethod_name(w->method);
    const char *src = w->targets && w->targets->source ? w->targets->source : "targets";
    char en[512], fr[512];
    snprintf(en, sizeof en, "Weight: %s to %s", mn, src);
    snprintf(fr, sizeof fr, "Pondération : %s sur %s", mn, src);
    if (!sd__labels_set(&v->label, "en", en) || !sd__labels_set(&v->label, "fr", fr))
        return nomem(err);
    /* The design: the effective one, with the new weight and its
     * calibration. */
    const sd_designspec *e = &w->design;
    sd_designspec dd;
    sd_status cst = sd__designspec_copy(&dd, e, err);
    if (cst != SD_OK)
        return cst;
    bool ok = true;
    dd.declared = true;
    sd__free(dd.weight);
    ok &= (dd.weight = sd__strdup(name)) != NULL;
    dd.no_weight = false;
    dd.make_replicates = SD_REP_NONE; /* the file records the design, not a request */
    sd__calib_decl_free(dd.calibration);
    sd_calib_decl *cd = sd__calloc(1, sizeof *cd);
    dd.calibration = cd;
    if (cd) {
        ok &= (cd->method = sd__strdup(mn)) != NULL;
        if (w->base)
            ok &= (cd->base = sd__strdup(w->base)) != NULL;
        cd->has_bounds = w->opts.has_bounds;
        cd->lower = w->opts.lower;
        cd->upper = w->opts.upper;
        cd->has_trim = w->opts.has_trim;
        cd->trim_lower = w->opts.trim_lower;
        cd->trim_upper = w->opts.trim_upper;
        cd->has_tolerance = w->opts.has_tolerance;
        cd->tolerance = w->opts.tolerance;
        cd->max_iter = w->opts.max_iter;
        cd->force = w->opts.force;
        ok &= (cd->targets = sd__targets_copy(w->targets)) != NULL;
    } else {
        ok = false;
    }
    if (!ok) {
        sd__designspec_free(&dd);
        return nomem(err);
    }
    sd__designspec_free(&ds->design);
    ds->design = dd;
    return SD_OK;
}
