/*
 * variance.c — covariance of ratio estimates.
 *
 * Taylor linearization follows R's survey::svyrecvar exactly: the estimate
 * num/den is replaced by its influence total z = (num - est * den) / den,
 * a linear combination of LQ totals; within each stratum the PSU totals of
 * z are centred on their mean over the stratum's sampled PSUs (zeros for
 * PSUs outside a domain) and their cross-products scaled by
 * (1 - n/N) * n / (n - 1); with an fpc at stage 1 the next stage adds its
 * own within-PSU variance times n/N; lonely PSUs follow survey.lonely.psu.
 * Replicate designs follow survey::svrVar: scale * sum rscales_r *
 * (theta_r - centre)^2, centre = the full estimate (mse) or the replicates'
 * mean.
 */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <string.h>

bool sd__lin_add(sd_lin *l, size_t lq, double c)
{
    uint32_t *q = sd__reallocarray(l->lq, l->n + 1, sizeof *q);
    if (!q)
        return false;
    l->lq = q;
    double *cc = sd__reallocarray(l->c, l->n + 1, sizeof *cc);
    if (!cc)
        return false;
    l->c = cc;
    l->lq[l->n] = (uint32_t)lq;
    l->c[l->n] = c;
    l->n++;
    return true;
}

void sd__lin_free(sd_lin *l)
{
    sd__free(l->lq);
    sd__free(l->c);
    memset(l, 0, sizeof *l);
}

void sd__ratio_free(sd_ratio *r)
{
    sd__lin_free(&r->num);
    sd__lin_free(&r->den);
}

static double lin_dot(const sd_lin *l, const double *tot)
{
    double s = 0;
    for (size_t i = 0; i < l->n; i++)
        s += l->c[i] * tot[l->lq[i]];
    return s;
}

double sd__ratio_value(const sd_accum *a, const sd_ratio *r)
{
    double num = lin_dot(&r->num, a->w);
    if (r->den.n == 0)
        return num;
    double den = lin_dot(&r->den, a->w);
    return den != 0 ? num / den : NAN;
}

/* The influence coefficients of a ratio over the LQs: a dense vector. */
static void influence(const sd_accum *a, const sd_ratio *r, double *coef)
{
    memset(coef, 0, a->nlq * sizeof *coef);
    double num = lin_dot(&r->num, a->w);
    if (r->den.n == 0) {
        for (size_t i = 0; i < r->num.n; i++)
            coef[r->num.lq[i]] += r->num.c[i];
        return;
    }
    double den = lin_dot(&r->den, a->w);
    if (den == 0)
        return; /* an empty domain: no variance (NaN estimate) */
    double est = num / den;
    for (size_t i = 0; i < r->num.n; i++)
        coef[r->num.lq[i]] += r->num.c[i] / den;
    for (size_t i = 0; i < r->den.n; i++)
        coef[r->den.lq[i]] -= est * r->den.c[i] / den;
}

/* (1 - n/N), or 1 without an fpc; R's onestrat `f`. */
static double fpc_factor(double N, double n)
{
    return isinf(N) ? 1.0 : (N - n) / N;
}

/* Stratum presence in a domain: rows with a positive weighted base. */
static bool stratum_present_moments(const sd_accum *a, size_t h, long col)
{
    if (col < 0)
        return true;
    size_t base = a->nrows * a->ncols + (size_t)col;
    return a->st_sum[h * a->nlq + base] > 0;
}

/* A categorical variable's LQs as sets: the code rows an LQ's rows fall in
 * (a code row, a net's codes, or all of them for a base) and its column. */
typedef struct lqset {
    size_t col;
    bool all;      /* a base: every row with a valid answer */
    size_t n;
    size_t *codes; /* code-row indexes, sorted (owned) */
} lqset;

/* LQ l of a table as a set; false on no memory. */
static bool lq_set_one(const sd_dataset *ds, const sd_wtable *t, size_t l, lqset *out)
{
    size_t nc = t->ncols, cells = t->nrows * nc, ncat = t->nrows - t->nnets;
    memset(out, 0, sizeof *out);
    if (l >= cells) {
        out->col = l - cells;
        out->all = true;
        return true;
    }
    size_t r = l / nc;
    out->col = l % nc;
    if (!(out->codes = sd__zalloc(ncat, sizeof *out->codes)))
        return false;
    if (r < ncat) {
        out->codes[out->n++] = r;
        return true;
    }
    const sd_net *net = &ds->vars[t->row_index]->nets[t->rows[r].index];
    for (size_t k = 0; k < ncat; k++)
        for (size_t j = 0; j < net->ncodes; j++)
            if (t->rows[k].kind == SD_CAT_CODE && t->rows[k].code == net->codes[j]) {
                out->codes[out->n++] = k;
                break;
            }
    return true;
}

/* The cross-product sum of two LQs from the diagonal: the w^2 sum over the
 * rows in both, i.e. over the common code cells of the common column. */
static double cross_from_diag(const sd_wtable *t, const lqset *a, const lqset *b,
                              const double *dg)
{
    size_t nc = t->ncols, cells = t->nrows * nc;
    size_t cl = a->col, cm = b->col, c;
    if (cl == cm || cm == 0)
        c = cl;
    else if (cl == 0)
        c = cm;
    else
        return 0; /* different banner columns hold different rows */
    if (a->all && b->all)
        return dg[cells + c];
    const lqset *x = a->all ? b : a;
    const lqset *y = a->all ? NULL : (b->all ? NULL : b);
    double s = 0;
    for (size_t i = 0; i < x->n; i++) {
        bool in = !y;
        for (size_t j = 0; y && j < y->n && !in; j++)
            in = y->codes[j] == x->codes[i];
        if (in)
            s += dg[x->codes[i] * nc + c];
    }
    return s;
}

/* The LQs one coefficient vector uses (a ratio touches a few of a table's
 * L): index, coefficient and, without st_cross, the LQ as a set. */
typedef struct lqterm {
    size_t l;
    double coef;
    lqset set;
} lqterm;

static void terms_free(lqterm **term, const size_t *nterm, size_t k)
{
    for (size_t i = 0; term && i < k; i++) {
        for (size_t e = 0; nterm && e < nterm[i]; e++)
            sd__free(term[i][e].set.codes);
        sd__free(term[i]);
    }
    sd__free(term);
}

/* The non-zero coefficients of each of the k vectors; false on no memory. */
static bool terms_make(const sd_dataset *ds, const sd_wtable *t, double *const *coef, size_t k,
                       lqterm **term, size_t *nterm)
{
    const sd_accum *a = &t->acc;
    for (size_t i = 0; i < k; i++) {
        size_t nz = 0;
        for (size_t l = 0; l < a->nlq; l++)
            nz += coef[i][l] != 0;
        if (!(term[i] = sd__zalloc(nz, sizeof *term[i])))
            return false;
        for (size_t l = 0; l < a->nlq; l++) {
            if (coef[i][l] == 0)
                continue;
            lqterm *e = &term[i][nterm[i]++];
            e->l = l;
            e->coef = coef[i][l];
            if (!a->st_cross && !lq_set_one(ds, t, l, &e->set))
                return false;
        }
    }
    return true;
}

/* Unclustered designs: every row is a PSU; the stratum's centred
 * cross-products follow from its sums: Q - S_a S_b / n. Only the
 * coefficients' non-zero LQs are visited: building the whole L x L
 * cross-product matrix per stratum and per estimate cost (rows x
 * columns)^3 for a table, minutes for a wide banner (found by
 * fuzz/fuzz_tab.c). The sums are the same, term for term. */
static void cov_moments(const sd_dataset *ds, const sd_work *res, const sd_wtable *t,
                        double *const *coef, size_t k, long col, const double *beta,
                        double *out)
{
    const sd_accum *a = &t->acc;
    const sd_design *d = &res->design;
    size_t L = a->nlq, p = beta ? a->calp : 0;
    size_t nstrat = 0, nok = 0;
    double *S = sd__zalloc(k, sizeof *S);
    /* Calibrated: per estimate, SZA_h' coef (p) and ZZ_h beta (p). */
    double *va = beta ? sd__zalloc(k * p, sizeof *va) : NULL;
    double *vz = beta ? sd__zalloc(k * p, sizeof *vz) : NULL;
    if (beta && (!va || !vz)) {
        sd__free(va);
        sd__free(vz);
        va = vz = NULL;
        beta = NULL;
        p = 0;
    }
    double *Qd = sd__zalloc(k, sizeof *Qd), *Vd = sd__zalloc(k, sizeof *Vd);
    double *hv = sd__zalloc(k * k, sizeof *hv);
    lqterm **term = sd__zalloc(k, sizeof *term);
    size_t *nterm = sd__zalloc(k, sizeof *nterm);
    memset(out, 0, k * k * sizeof *out);
    if (!S || !Qd || !Vd || !hv || !term || !nterm || !terms_make(ds, t, coef, k, term, nterm)) {
        sd__free(va);
        sd__free(vz);
        sd__free(Qd);
        sd__free(Vd);
        sd__free(hv);
        sd__free(S);
        terms_free(term, nterm, k);
        sd__free(nterm);
        return;
    }
    for (size_t h = 0; h < d->nstrata; h++) {
        double n = (double)d->sampsize[0][h];
        double N = d->popsize[0][h];
        double f = fpc_factor(N, n);
        bool present = stratum_present_moments(a, h, col);
        if (present)
            nstrat++;
        /* A census stratum contributes 0 before any lonely-PSU rule (R's
         * onestrat), so it counts as computed under "average". */
        if (n == 1 && d->lonely == SD_LONELY_AVERAGE && !(f < 1e-7)) {
            continue; /* NA in R: left out, then the rest scaled up */
        }
        if (present)
            nok++;
        if (f < 1e-7)
            continue;
        double scale = n > 1 ? f * n / (n - 1) : f;
        bool centre = !(n == 1 && d->lonely == SD_LONELY_ADJUST);
        const double *ss = a->st_sum + h * L;
        const double *q = a->st_cross ? a->st_cross + h * L * L : NULL;
        const double *dg = a->st_cross ? NULL : a->st_diag + h * L;
        for (size_t i = 0; i < k; i++) {
            double s = 0;
            for (size_t l = 0; l < L; l++)
                s += coef[i][l] * ss[l];
            S[i] = s;
        }
        if (beta) {
            /* The rows' residuals e = w a - z'beta (docs/weighting.md):
             * sum e = S - Z_h'beta; sum e_i e_j = Q_ij - beta_i'SZA coef_j
             * - beta_j'SZA coef_i + beta_i' ZZ_h beta_j. */
            const double *zh = d->cal_zh + h * p, *zz = d->cal_zzh + h * p * p;
            const double *sza = a->cal_sza + h * L * p;
            for (size_t i = 0; i < k; i++) {
                const double *bi = beta + i * p;
                double *vai = va + i * p, *vzi = vz + i * p;
                memset(vai, 0, p * sizeof *vai);
                for (size_t l = 0; l < L; l++)
                    if (coef[i][l] != 0)
                        for (size_t jj = 0; jj < p; jj++)
                            vai[jj] += sza[l * p + jj] * coef[i][l];
                double zb = 0;
                for (size_t jj = 0; jj < p; jj++) {
                    double x = 0;
                    for (size_t kk = 0; kk < p; kk++)
                        x += zz[jj * p + kk] * bi[kk];
                    vzi[jj] = x;
                    zb += zh[jj] * bi[jj];
                }
                S[i] -= zb;
            }
        }
        /* The stratum's centred cross-products Q - S_i S_j / n. The
         * difference cancels when the values are (nearly) equal within the
         * stratum, e.g. the share of a stratum: what is left below the
         * rounding error of the sums is zero, as R's explicit centring
         * gives (and never a negative variance). */
        double tol = 4 * DBL_EPSILON * (n > 1 ? n : 1);
        for (size_t i = 0; i < k; i++) {
            for (size_t j = i; j < k; j++) {
                double qq = 0;
                for (size_t e = 0; e < nterm[i]; e++) {
                    const lqterm *x = &term[i][e];
                    double r = 0;
                    for (size_t g = 0; g < nterm[j]; g++) {
                        const lqterm *y = &term[j][g];
                        r += y->coef * (q ? q[x->l * L + y->l]
                                          : cross_from_diag(t, &x->set, &y->set, dg));
                    }
                    qq += x->coef * r;
                }
                if (beta) {
                    const double *bi = beta + i * p, *bj = beta + j * p;
                    for (size_t jj = 0; jj < p; jj++)
                        qq += -bi[jj] * va[j * p + jj] - bj[jj] * va[i * p + jj] +
                              bi[jj] * vz[j * p + jj];
                }
                double v = centre ? qq - S[i] * S[j] / n : qq;
                if (n == 1 && d->lonely != SD_LONELY_ADJUST)
                    v = 0; /* a single centred PSU */
                if (i == j) {
                    Qd[i] = qq;
                    Vd[i] = v < tol * qq ? 0 : v;
                }
                hv[i * k + j] = v;
            }
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = i + 1; j < k; j++) {
                double v = hv[i * k + j];
                if (Vd[j] == 0 || fabs(v) < tol * sqrt(Qd[i] * Qd[j]))
                    v = 0;
                out[i * k + j] += scale * v;
            }
        for (size_t i = 0; i < k; i++)
            out[i * k + i] += scale * Vd[i];
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            out[i * k + j] = out[j * k + i];
    if (d->lonely == SD_LONELY_AVERAGE && nok > 0 && nok < nstrat)
        for (size_t i = 0; i < k * k; i++)
            out[i] *= (double)nstrat / (double)nok;
    sd__free(Qd);
    sd__free(Vd);
    sd__free(hv);
    sd__free(S);
    sd__free(va);
    sd__free(vz);
    terms_free(term, nterm, k);
    sd__free(nterm);
}

/* One stage of svyrecvar: unit totals z[i][u] for the units of `stage`,
 * grouped by parent (stratum at stage 0, unit of the previous stage
 * otherwise). Adds into out (k x k, upper triangle). `pmult` (NULL: 1)
 * scales each parent's part: the product of n/N of the stages above, as
 * svyrecvar's recursion multiplies each later stage. */
static void cov_stage(const sd_design *d, size_t stage, double *const *z, size_t k,
                      const bool *present_stratum, const double *pmult, double *out)
{
    size_t nunits = d->nunits[stage];
    size_t nparents = stage == 0 ? d->nstrata : d->nunits[stage - 1];
    const int32_t *parent = d->parent[stage];
    /* Sums of z per parent, for the centring. */
    double *sum = sd__zalloc(nparents * k, sizeof *sum);
    double *acc = sd__zalloc(k * k, sizeof *acc);
    if (!sum || !acc) {
        sd__free(sum);
        sd__free(acc);
        return;
    }
    for (size_t u = 0; u < nunits; u++)
        for (size_t i = 0; i < k; i++)
            sum[(size_t)parent[u] * k + i] += z[i][u];
    size_t nstrat = 0, nok = 0;
    if (stage == 0)
        for (size_t h = 0; h < nparents; h++) {
            if (present_stratum && !present_stratum[h])
                continue;
            nstrat++;
            double N = d->popsize[0][h], n = (double)d->sampsize[0][h];
            if (!(n == 1 && d->lonely == SD_LONELY_AVERAGE && !(fpc_factor(N, n) < 1e-7)))
                nok++;
        }
    /* Per parent: centred cross-products of its units, each scaled by its
     * (1 - n/N) n/(n - 1) (one N per unit when the fpc varies within the
     * parent, as R's onestrat). Units of one parent are contiguous except
     * for rows as units: a counting sort by parent gives the sweep order. */
    size_t *order = NULL, *first = NULL;
    if (d->rowunit && stage == 0) {
        order = sd__zalloc(nunits ? nunits : 1, sizeof *order);
        first = sd__zalloc(nparents + 1, sizeof *first);
        if (!order || !first) {
            sd__free(order);
            sd__free(first);
            sd__free(sum);
            sd__free(acc);
            return;
        }
        for (size_t v = 0; v < nunits; v++)
            first[(size_t)parent[v] + 1]++;
        for (size_t p = 0; p < nparents; p++)
            first[p + 1] += first[p];
        for (size_t v = 0; v < nunits; v++)
            order[first[(size_t)parent[v]]++] = v;
    }
    const double *upop = d->unitpop[stage];
    size_t u = 0;
    while (u < nunits) {
        size_t p = (size_t)parent[order ? order[u] : u];
        size_t end = u;
        while (end < nunits && (size_t)parent[order ? order[end] : end] == p)
            end++;
        double n = (double)d->sampsize[stage][p];
        double N = d->popsize[stage][p];
        double f = fpc_factor(N, n);
        if (upop) {
            f = 0; /* census only when every unit's fraction is */
            for (size_t v = u; v < end; v++)
                f = fmax(f, fpc_factor(upop[order ? order[v] : v], n));
        }
        double mult = pmult ? pmult[p] : 1.0;
        bool lonely = n == 1;
        bool skip = f < 1e-7 || mult == 0 ||
                    (lonely && stage == 0 && d->lonely == SD_LONELY_AVERAGE);
        if (!skip) {
            double nf = n > 1 ? n / (n - 1) : 1;
            bool centre = !(lonely && d->lonely == SD_LONELY_ADJUST);
            memset(acc, 0, k * k * sizeof *acc);
            for (size_t w = u; w < end; w++) {
                size_t v = order ? order[w] : w;
                double sc = upop ? fpc_factor(upop[v], n) / f : 1; /* relative to f */
                for (size_t i = 0; i < k; i++) {
                    double zi = z[i][v] - (centre ? sum[p * k + i] / n : 0);
                    for (size_t j = i; j < k; j++)
                        acc[i * k + j] +=
                            sc * zi * (z[j][v] - (centre ? sum[p * k + j] / n : 0));
                }
            }
            /* Sampled units with no rows here (a domain's zeros) still count
             * in n: their centred values are -mean. */
            double missing = n - (double)(end - u);
            if (centre && missing > 0)
                for (size_t i = 0; i < k; i++)
                    for (size_t j = i; j < k; j++)
                        acc[i * k + j] += missing * (sum[p * k + i] / n) * (sum[p * k + j] / n);
            if (lonely && d->lonely != SD_LONELY_ADJUST)
                memset(acc, 0, k * k * sizeof *acc);
            for (size_t i = 0; i < k; i++)
                for (size_t j = i; j < k; j++)
                    out[i * k + j] += mult * f * nf * acc[i * k + j];
        }
        u = end;
    }
    sd__free(order);
    sd__free(first);
    if (stage == 0 && d->lonely == SD_LONELY_AVERAGE && nok > 0 && nok < nstrat)
        for (size_t i = 0; i < k; i++)
            for (size_t j = i; j < k; j++)
                out[i * k + j] *= (double)nstrat / (double)nok;
    sd__free(sum);
    sd__free(acc);
}

/* Clustered designs: unit totals at the deepest stage used, summed up to
 * each stage above; one svyrecvar stage at a time, each later stage's
 * parents weighted by the sampling fractions above them. */
static void cov_units(const sd_work *res, const sd_wtable *t, double *const *coef, size_t k,
                      long col, const double *beta, double *out)
{
    const sd_accum *a = &t->acc;
    const sd_design *d = &res->design;
    size_t L = a->nlq;
    size_t depth = 1;
    while (depth < d->nstages && d->has_fpc[depth - 1])
        depth++;
    memset(out, 0, k * k * sizeof *out);
    double **z[SD_MAX_STAGES] = {NULL};
    double *pm[SD_MAX_STAGES] = {NULL};
    bool *present = sd__zalloc(d->nstrata, sizeof *present);
    bool ok = present != NULL;
    for (size_t s = 0; ok && s < depth; s++) {
        z[s] = sd__zalloc(k, sizeof **z);
        ok = z[s] != NULL;
        for (size_t i = 0; ok && i < k; i++)
            ok = (z[s][i] = sd__zalloc(d->nunits[s], sizeof(double))) != NULL;
    }
    if (!ok)
        goto done;
    size_t nu = d->nunits[depth - 1];
    for (size_t i = 0; i < k; i++)
        for (size_t u = 0; u < nu; u++) {
            const double *tot = a->unit_tot + u * L;
            double v = 0;
            for (size_t l = 0; l < L; l++)
                v += coef[i][l] * tot[l];
            if (beta) {
                /* The unit's total of the residuals e = w a - z'beta. */
                size_t p = a->calp;
                const double *zu = d->cal_zu + u * p, *bi = beta + i * p;
                for (size_t j = 0; j < p; j++)
                    v -= zu[j] * bi[j];
            }
            z[depth - 1][i][u] = v;
        }
    for (size_t s = depth - 1; s > 0; s--)
        for (size_t i = 0; i < k; i++)
            for (size_t u = 0; u < d->nunits[s]; u++)
                z[s - 1][i][d->parent[s][u]] += z[s][i][u];
    if (col >= 0) {
        size_t base = a->nrows * a->ncols + (size_t)col;
        for (size_t u = 0; u < nu; u++) {
            if (a->unit_tot[u * L + base] <= 0)
                continue;
            size_t x = u;
            for (size_t s = depth - 1; s > 0; s--)
                x = (size_t)d->parent[s][x];
            present[d->parent[0][x]] = true;
        }
    }
    for (size_t s = 0; s < depth; s++) {
        if (s > 0) {
            size_t np = d->nunits[s - 1];
            if (!(pm[s] = sd__zalloc(np, sizeof(double))))
                goto done;
            for (size_t p = 0; p < np; p++) {
                size_t g = (size_t)d->parent[s - 1][p];
                double N = d->unitpop[s - 1] ? d->unitpop[s - 1][p] : d->popsize[s - 1][g];
                double frac = isinf(N) ? 0 : (double)d->sampsize[s - 1][g] / N;
                pm[s][p] = frac * (s > 1 ? pm[s - 1][g] : 1.0);
            }
        }
        cov_stage(d, s, z[s], k, col >= 0 ? present : NULL, pm[s], out);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            out[i * k + j] = out[j * k + i];
done:
    for (size_t s = 0; s < SD_MAX_STAGES; s++) {
        for (size_t i = 0; z[s] && i < k; i++)
            sd__free(z[s][i]);
        sd__free(z[s]);
        sd__free(pm[s]);
    }
    sd__free(present);
}

sd_status sd__ratio_replicates(const sd_work *res, const sd_wtable *t, const sd_ratio *r,
                               double *theta)
{
    const sd_accum *a = &t->acc;
    const sd_design *d = &res->design;
    size_t R = d->nrep, L = a->nlq;
    double *tot = sd__zalloc(L, sizeof *tot);
    if (!tot)
        return SD_E_NOMEM;
    for (size_t q = 0; q < R; q++) {
        const double *rt;
        if (d->repmult && a->rep_tot) {
            rt = a->rep_tot + q * L; /* made once (engine/tabulate.c) */
        } else if (d->repmult) {
            size_t P = d->nunits[0];
            memset(tot, 0, L * sizeof *tot);
            for (size_t p = 0; p < P; p++) {
                double m = d->repmult[q * P + p];
                if (m == 0)
                    continue;
                for (size_t l = 0; l < L; l++)
                    tot[l] += m * a->unit_tot[p * L + l];
            }
            rt = tot;
        } else {
            rt = a->rep_tot + q * L;
        }
        double num = lin_dot(&r->num, rt);
        double den = r->den.n ? lin_dot(&r->den, rt) : 1;
        theta[q] = den != 0 ? num / den : NAN;
    }
    sd__free(tot);
    return SD_OK;
}

double sd__rep_var(const sd_design *d, const double *theta, double full)
{
    /* svrVar: replicates whose estimate is NA (no weight in the domain)
     * are left out with their rscales; the centre is the mean of the
     * replicates with rscales > 0, or the full estimate with mse. */
    size_t R = d->nrep, used = 0, nc = 0;
    double s = 0;
    for (size_t q = 0; q < R; q++) {
        if (isnan(theta[q]))
            continue;
        used++;
        if (d->rscales[q] > 0) {
            s += theta[q];
            nc++;
        }
    }
    if (used == 0)
        return NAN; /* R: "All replicates contained NAs" */
    double centre = d->mse ? full : (nc ? s / (double)nc : NAN);
    double v = 0;
    for (size_t q = 0; q < R; q++)
        if (!isnan(theta[q]))
            v += d->rscales[q] * (theta[q] - centre) * (theta[q] - centre);
    return d->scale * v;
}

void sd__rep_cov(const sd_design *d, const double *theta, const double *full, size_t k,
                 double *out)
{
    size_t R = d->nrep;
    memset(out, 0, k * k * sizeof *out);
    bool *drop = sd__zalloc(R ? R : 1, sizeof *drop);
    double *centre = sd__zalloc(k ? k : 1, sizeof *centre);
    if (!drop || !centre) {
        sd__free(drop);
        sd__free(centre);
        for (size_t i = 0; i < k * k; i++)
            out[i] = NAN;
        return;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t q = 0; q < R; q++)
            if (isnan(theta[i * R + q]))
                drop[q] = true; /* svrVar's na.omit drops the whole replicate */
    /* Centre: the mean over the kept replicates with rscales > 0 (svrVar),
     * or the full estimate with mse. */
    size_t kept = 0, nc = 0;
    for (size_t q = 0; q < R; q++)
        if (!drop[q]) {
            kept++;
            nc += d->rscales[q] > 0;
        }
    for (size_t i = 0; i < k; i++) {
        double mean = 0;
        for (size_t q = 0; q < R; q++)
            if (!drop[q] && d->rscales[q] > 0)
                mean += theta[i * R + q];
        centre[i] = d->mse ? full[i] : (nc ? mean / (double)nc : NAN);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++) {
            double s = 0;
            for (size_t q = 0; q < R; q++)
                if (!drop[q])
                    s += d->rscales[q] * (theta[i * R + q] - centre[i]) *
                         (theta[j * R + q] - centre[j]);
            out[i * k + j] = out[j * k + i] = kept ? d->scale * s : NAN;
        }
    sd__free(drop);
    sd__free(centre);
}

sd_status sd__lq_replicates(const sd_work *res, const sd_wtable *t, const size_t *lq, size_t k,
                            double *theta)
{
    const sd_accum *a = &t->acc;
    const sd_design *d = &res->design;
    size_t R = d->nrep, L = a->nlq;
    for (size_t i = 0; i < k; i++)
        for (size_t q = 0; q < R; q++) {
            double v = 0;
            if (d->repmult && a->rep_tot) {
                v = a->rep_tot[q * L + lq[i]];
            } else if (d->repmult) {
                size_t P = d->nunits[0];
                for (size_t p = 0; p < P; p++)
                    v += d->repmult[q * P + p] * a->unit_tot[p * L + lq[i]];
            } else {
                v = a->rep_tot[q * L + lq[i]];
            }
            theta[i * R + q] = v;
        }
    return SD_OK;
}

static void cov_reps(const sd_work *res, const sd_wtable *t, const sd_ratio *r, size_t k,
                     double *out)
{
    const sd_accum *a = &t->acc;
    const sd_design *d = &res->design;
    size_t R = d->nrep;
    const double *reptot = a->rep_tot;
    double *made = NULL;
    if (d->repmult && !reptot) {
        /* Replicates made from PSUs: replicate totals are the PSU totals
         * weighted by the replicate's multipliers. */
        size_t P = d->nunits[0], L = a->nlq;
        made = sd__zalloc(R * L, sizeof *made);
        if (!made) {
            memset(out, 0, k * k * sizeof *out);
            return;
        }
        for (size_t q = 0; q < R; q++)
            for (size_t p = 0; p < P; p++) {
                double m = d->repmult[q * P + p];
                if (m == 0)
                    continue;
                const double *u = a->unit_tot + p * L;
                for (size_t l = 0; l < L; l++)
                    made[q * L + l] += m * u[l];
            }
        reptot = made;
    }
    double *theta = sd__zalloc(k * R, sizeof *theta);
    double *full = sd__zalloc(k, sizeof *full);
    if (!theta || !full) {
        sd__free(made);
        sd__free(theta);
        sd__free(full);
        memset(out, 0, k * k * sizeof *out);
        return;
    }
    for (size_t i = 0; i < k; i++) {
        full[i] = sd__ratio_value(a, &r[i]);
        for (size_t q = 0; q < R; q++) {
            const double *tot = reptot + q * a->nlq;
            double num = lin_dot(&r[i].num, tot);
            double v = num;
            if (r[i].den.n) {
                double den = lin_dot(&r[i].den, tot);
                v = den != 0 ? num / den : NAN;
            }
            theta[i * R + q] = v;
        }
    }
    sd__rep_cov(d, theta, full, k, out);
    sd__free(made);
    sd__free(theta);
    sd__free(full);
}

sd_status sd__ratio_cov(const sd_work *res, const sd_wtable *t, const sd_ratio *r, size_t k,
                        long domain_col, double *out, sd_error *err)
{
    const sd_accum *a = &t->acc;
    if (res->design.no_variance || a->vmode == SD_VMODE_NONE) {
        /* One row and no declared design: no variance can be estimated;
         * or none was asked for (a table kept counts only). */
        for (size_t i = 0; i < k * k; i++)
            out[i] = NAN;
        return SD_OK;
    }
    if (a->vmode == SD_VMODE_REPS || res->design.repmult) {
        cov_reps(res, t, r, k, out);
        return SD_OK;
    }
    double **coef = sd__zalloc(k, sizeof *coef);
    if (!coef)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < k; i++) {
        coef[i] = sd__zalloc(a->nlq, sizeof **coef);
        if (!coef[i]) {
            for (size_t j = 0; j < i; j++)
                sd__free(coef[j]);
            sd__free(coef);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        influence(a, &r[i], coef[i]);
    }
    /* A calibrated design (docs/weighting.md, "Variance"): each estimate's
     * residual coefficients beta = solve(A coef), A the table's sums of u a. */
    double *beta = NULL;
    if (res->design.cal && a->cal_a) {
        size_t p = a->calp;
        double *Ai = sd__zalloc(p, sizeof *Ai);
        beta = sd__zalloc(k * p, sizeof *beta);
        if (!Ai || !beta) {
            sd__free(Ai);
            sd__free(beta);
            for (size_t i = 0; i < k; i++)
                sd__free(coef[i]);
            sd__free(coef);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t i = 0; i < k; i++) {
            memset(Ai, 0, p * sizeof *Ai);
            for (size_t l = 0; l < a->nlq; l++)
                if (coef[i][l] != 0)
                    for (size_t j = 0; j < p; j++)
                        Ai[j] += coef[i][l] * a->cal_a[l * p + j];
            sd__calib_solve(res->design.cal, Ai, beta + i * p);
        }
        sd__free(Ai);
    }
    if (a->vmode == SD_VMODE_UNITS)
        cov_units(res, t, coef, k, domain_col, beta, out);
    else
        cov_moments(res->dataset, res, t, coef, k, domain_col, beta, out);
    sd__free(beta);
    for (size_t i = 0; i < k; i++)
        sd__free(coef[i]);
    sd__free(coef);
    return SD_OK;
}
