/*
 * cellstats.c — the engine's one pass, then each
 * cell's estimate, standard error, degrees of freedom, confidence interval
 * and design effect, as R's survey package computes them (tests/oracle/
 * README.md gives each formula and the R call it matches).
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

/* Confidence-interval methods; sd_tabspec_set_option("ci") uses this order. */
enum { CI_LOGIT, CI_WALD, CI_WILSON, CI_LIKELIHOOD, CI_BETA, CI_XLOGIT, CI_ASIN, CI_MEAN };

/* Degrees of freedom of a column's analysis set (linearization): PSUs
 * with data in it minus strata with data in it. */
double sd__domain_df(const sd_work *res, const sd_wtable *t, size_t col)
{
    bool *mask = sd__zalloc(t->ncols, sizeof *mask);
    if (!mask)
        return NAN;
    mask[col] = true;
    double df = sd__cols_df(res, t, mask);
    sd__free(mask);
    return df;
}

static double expit(double x)
{
    return 1 / (1 + exp(-x));
}

/* One proportion's interval (svyciprop), or NaN when not computable. */
static void interval(int method, double p, double v, double df, double n, double level,
                     double *lo, double *hi)
{
    double a = (1 - level) / 2, se = sqrt(v);
    double ql = sd__qt(a, df), qh = sd__qt(1 - a, df);
    *lo = *hi = NAN;
    switch (method) {
    case CI_MEAN:
    case CI_WALD:
        *lo = p + se * ql;
        *hi = p + se * qh;
        return;
    case CI_ASIN: {
        double c = asin(sqrt(p)), s = se / (2 * sqrt(p) * sqrt(1 - p));
        *lo = pow(sin(c + ql * s), 2);
        *hi = pow(sin(c + qh * s), 2);
        return;
    }
    case CI_LIKELIHOOD: /* handled by likelihood_cell: needs the design */
        return;
    case CI_LOGIT: /* R fits a glm by IRLS; this is its exact limit */
    case CI_XLOGIT: {
        double l = log(p / (1 - p)), s = se / (p * (1 - p));
        *lo = expit(l + ql * s);
        *hi = expit(l + qh * s);
        return;
    }
    case CI_BETA: {
        if (v == 0 && p > 0 && p < 1) {
            /* No sampling variance (a stratum's share): an infinite
             * effective base, the interval is the point. (R's qbeta with
             * two infinite shapes gives 0.5 whatever p is.) */
            *lo = *hi = p;
            return;
        }
        double r = sd__qt(a, n - 1) / sd__qt(a, df);
        double neff = p * (1 - p) / v * r * r;
        *lo = sd__qbeta(a, neff * p, neff * (1 - p) + 1);
        *hi = sd__qbeta(1 - a, neff * p + 1, neff * (1 - p));
        return;
    }
    case CI_WILSON: {
        /* Wilson's score interval on the effective base n/deff. */
        double q = sd__qt(1 - a, df);
        double neff = p * (1 - p) / v;
        double den = 1 + q * q / neff;
        double mid = (p + q * q / (2 * neff)) / den;
        double half = q * sqrt(p * (1 - p) / neff + q * q / (4 * neff * neff)) / den;
        *lo = mid - half;
        *hi = mid + half;
        return;
    }
    }
}

/* A proportion of exactly 0 or 1 (no respondent, or every one, in the
 * cell): its design variance is 0 and the logit, beta and Wilson forms are
 * 0/0. Clopper and Pearson's exact interval on the unweighted base n, as
 * Korn and Graubard's beta interval becomes when the effective base cannot
 * be estimated (NCHS takes n itself): [0, 1 - a^(1/n)] for 0 and
 * [a^(1/n), 1] for 1, a = (1 - level) / 2. R gives NaN or an interval of
 * a glm that did not converge here (docs/statistics.md). */
static void boundary_interval(double p, double n, double level, double *lo, double *hi)
{
    double b = pow((1 - level) / 2, 1 / n);
    *lo = p == 0 ? 0 : b;
    *hi = p == 0 ? 1 - b : 1;
}

/* Row r of column c over the column base: sum(w a) / sum(w). */
static double a_ratio(const sd_wtable *t, size_t r, size_t c)
{
    const sd_accum *a = &t->acc;
    return a->w[r * t->ncols + c] / a->base_w[c];
}

/* The likelihood interval of cell (r, c): R's glm fit, then the design
 * variance of its coefficient, then the profile. */
static sd_status likelihood_cell(const sd_work *res, const sd_wtable *t, size_t r, size_t c,
                                 sd_cellstat *cs, double level, sd_error *err)
{
    const sd_accum *a = &t->acc;
    size_t cell = r * t->ncols + c, base = t->nrows * t->ncols + c;
    double n = a->base_n[c], p = cs->est;
    double start[4];
    const double *sp = NULL;
    if (a->glm_a) {
        start[0] = a->glm_a[base];
        start[1] = a->glm_al[cell];
        start[2] = a->glm_al[base];
        start[3] = a->glm_d[base];
        sp = start;
    }
    double b, mu_prev, dev;
    sd__glm_fit(n, p, sp, &b, &mu_prev, &dev);
    double mu = 1 / (1 + exp(-b)), X = a->base_w[c];
    /* The coefficient's influence: w (y - mu) / (X mu (1 - mu)). */
    sd_ratio q;
    memset(&q, 0, sizeof q);
    double k = 1 / (X * mu * (1 - mu)), v = NAN;
    if (!sd__lin_add(&q.num, cell, k) || !sd__lin_add(&q.num, base, -mu * k)) {
        sd__ratio_free(&q);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    sd_status st = sd__ratio_cov(res, t, &q, 1, (long)c, &v, err);
    sd__ratio_free(&q);
    if (st == SD_OK)
        sd__ci_likelihood(p, b, mu_prev, dev, v, cs->df, n, n, level,
                          &cs->ci_low, &cs->ci_high);
    return st;
}

/* A scale row's median in column c and its interval as svyquantile gives
 * them (interval.type "mean", Woodruff): the design-based interval of the
 * share of the column at or below the median (the BELOW row), mapped back
 * through the column's weighted quantile function; SE = interval / (2 q). */
static sd_status median_cell(const sd_work *res, const sd_wtable *t, size_t c, sd_cellstat *cs,
                             double level, sd_error *err)
{
    cs->median = cs->median_low = cs->median_high = cs->median_se = NAN;
    if (!t->median || !t->sv_off)
        return SD_OK;
    cs->median = t->median[c];
    size_t a = t->sv_off[c], n = t->sv_off[c + 1] - a;
    if (n == 0)
        return SD_OK;
    sd_ratio q;
    memset(&q, 0, sizeof q);
    if (!sd__lin_add(&q.num, 2 * t->ncols + c, 1) || !sd__lin_add(&q.den, t->nrows * t->ncols + c, 1)) {
        sd__ratio_free(&q);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    double v = NAN, p = sd__ratio_value(&t->acc, &q);
    sd_status st = sd__ratio_cov(res, t, &q, 1, (long)c, &v, err);
    sd__ratio_free(&q);
    if (st != SD_OK)
        return st;
    double crit = sd__qt(1 - (1 - level) / 2, cs->df), se = sqrt(v > 0 ? v : 0);
    double lo = p - crit * se, hi = p + crit * se;
    cs->median_low = isnan(lo) || lo < 0 ? NAN : sd__qrule_math(t->sv_x + a, t->sv_w + a, n, lo);
    cs->median_high = isnan(hi) || hi > 1 ? NAN : sd__qrule_math(t->sv_x + a, t->sv_w + a, n, hi);
    cs->median_se = (cs->median_high - cs->median_low) / (2 * crit);
    return SD_OK;
}

static sd_status fill_table(const sd_work *res, sd_wtable *t, sd_error *err)
{
    const sd_accum *a = &t->acc;
    size_t cells = t->nrows * t->ncols;
    t->stats = sd__zalloc(cells, sizeof *t->stats);
    if (!t->stats)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    double level = res->level > 0 ? res->level : 0.95;
    /* The percentage shown (--pct): of the column's base (the default), of
     * the row's Total cell (row percentages: the domain is the row's
     * respondents) or of the Total column's base. A scale variable's rows
     * are means of their column whatever --pct says. */
    sd_pct pct = t->row_is_scale ? SD_PCT_COL : res->pct;
    if (pct != SD_PCT_COL && res->ci_method == CI_LIKELIHOOD)
        return sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                        "--ci likelihood is for column percentages: expected --pct col, or "
                        "another --ci with --pct %s",
                        pct == SD_PCT_ROW ? "row" : "total");
    for (size_t c = 0; c < t->ncols; c++) {
        size_t dcol = pct == SD_PCT_COL ? c : 0;
        double df = sd__domain_df(res, t, dcol);
        for (size_t r = 0; r < t->nrows; r++) {
            sd_cellstat *cs = &t->stats[r * t->ncols + c];
            size_t den = pct == SD_PCT_ROW ? r * t->ncols : cells + dcol;
            double n = a->n[den], W = a->w[den];
            sd_ratio q;
            memset(&q, 0, sizeof q);
            if (!sd__lin_add(&q.num, r * t->ncols + c, 1) || !sd__lin_add(&q.den, den, 1)) {
                sd__ratio_free(&q);
                return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            }
            double v = NAN;
            sd_status st = sd__ratio_cov(res, t, &q, 1, (long)dcol, &v, err);
            cs->est = sd__ratio_value(a, &q);
            sd__ratio_free(&q);
            if (st != SD_OK)
                return st;
            double p = cs->est;
            cs->se = v < 0 ? 0 : sqrt(v); /* rounding below zero is zero; NaN stays */
            cs->df = df;
            double unitvar = p * (1 - p); /* weighted unit variance, without n/(n-1) */
            cs->sd = cs->median = cs->median_low = cs->median_high = cs->median_se = NAN;
            if (t->row_is_scale) {
                if (r > 0)
                    continue; /* the sum of squares and median rows have no statistics */
                /* A mean: t interval; unit variance from the sum of squares. */
                double half = (1 - level) / 2;
                cs->ci_low = p + cs->se * sd__qt(half, df);
                cs->ci_high = p + cs->se * sd__qt(1 - half, df);
                unitvar = a_ratio(t, 1, c) - p * p;
                sd_ratio tot;
                memset(&tot, 0, sizeof tot);
                double tv = NAN;
                if (!sd__lin_add(&tot.num, c, 1)) {
                    sd__ratio_free(&tot);
                    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
                }
                st = sd__ratio_cov(res, t, &tot, 1, (long)c, &tv, err);
                sd__ratio_free(&tot);
                if (st != SD_OK)
                    return st;
                cs->total_se = tv < 0 ? 0 : sqrt(tv);
                cs->sd = n > 1 ? sqrt(fmax(unitvar, 0) * n / (n - 1)) : NAN;
                if ((st = median_cell(res, t, c, cs, level, err)) != SD_OK)
                    return st;
            } else if (res->ci_method == CI_LIKELIHOOD && (a->vmode == SD_VMODE_REPS ||
                                                           res->design.repmult)) {
                /* R's survey gives NA here (its replicate Pearson residuals are
                 * off by the weights' scale): no interval rather than a wrong one. */
                cs->ci_low = cs->ci_high = NAN;
                cs->total_se = NAN;
            } else if (res->ci_method == CI_LIKELIHOOD) {
                cs->total_se = NAN;
                if ((st = likelihood_cell(res, t, r, c, cs, level, err)) != SD_OK)
                    return st;
            } else if (res->ci_method == CI_LOGIT && res->design.nrep && p > 0 && p < 1) {
                /* Replicates: R refits the glm in each replicate and takes the
                 * replicates' spread of the coefficient. */
                cs->total_se = NAN;
                double *th = sd__zalloc(res->design.nrep, sizeof *th);
                sd_ratio q2;
                memset(&q2, 0, sizeof q2);
                if (!th || !sd__lin_add(&q2.num, r * t->ncols + c, 1) ||
                    !sd__lin_add(&q2.den, den, 1) ||
                    sd__ratio_replicates(res, t, &q2, th) != SD_OK) {
                    sd__free(th);
                    sd__ratio_free(&q2);
                    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
                }
                sd__ratio_free(&q2);
                double b = log(p / (1 - p));
                for (size_t k = 0; k < res->design.nrep; k++)
                    th[k] = sd__glm_refit(th[k], b);
                double vb = sd__rep_var(&res->design, th, b);
                sd__free(th);
                double qt = sd__qt((1 - level) / 2, df);
                qt = sd__qnorm(gsl_cdf_ugaussian_P(qt));
                cs->ci_low = 1 / (1 + exp(-(b + qt * sqrt(vb))));
                cs->ci_high = 1 / (1 + exp(-(b - qt * sqrt(vb))));
            } else {
                interval(res->ci_method, p, v, df, n, level, &cs->ci_low, &cs->ci_high);
                cs->total_se = NAN;
            }
            if ((p == 0 || p == 1) && n >= 1 && res->ci_method != CI_WALD &&
                res->ci_method != CI_MEAN && !(isfinite(cs->ci_low) && isfinite(cs->ci_high)))
                boundary_interval(p, n, level, &cs->ci_low, &cs->ci_high);
            /* deff: against simple random sampling of the same n with
             * replacement (R's deff = "replace"): vsrs = svyvar / n, n the
             * rows in the analysis (rows of weight 0 are not). It does not
             * depend on the scale of the weights (docs/statistics.md). */
            double vsrs = unitvar / (n - 1);
            cs->deff = n > 1 && W > 0 && vsrs > 0 ? v / vsrs : NAN;
            if (cs->deff < 0)
                cs->deff = NAN;
            cs->eff_base = isfinite(cs->deff) && cs->deff > 0 ? n / cs->deff : NAN;
            cs->cv = p != 0 ? cs->se / p : NAN;
        }
    }
    return SD_OK;
}

/* --means: under a categorical variable's distribution, the mean of its
 * codes over the valid categories (user-missing codes shown under
 * --missing include stay out, as SPSS keeps them out of means), with its
 * design-based SE and t interval: a ratio of the table's own cells. */
static sd_status fill_means(const sd_work *res, sd_wtable *t, sd_error *err)
{
    if (!res->means || t->row_is_mrset || t->row_is_scale ||
        res->dataset->vars[t->row_index]->type != SD_TYPE_NUMERIC)
        return SD_OK;
    if (!(t->mean_stats = sd__zalloc(t->ncols, sizeof *t->mean_stats)))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    double level = res->level > 0 ? res->level : 0.95;
    for (size_t c = 0; c < t->ncols; c++) {
        sd_cellstat *cs = &t->mean_stats[c];
        sd_ratio q;
        memset(&q, 0, sizeof q);
        bool ok = true;
        for (size_t r = 0; r < t->nrows && ok; r++) {
            const sd_cat *k = &t->rows[r];
            if (k->kind != SD_CAT_CODE || k->user_missing)
                continue;
            ok = sd__lin_add(&q.num, r * t->ncols + c, k->code) &&
                 sd__lin_add(&q.den, r * t->ncols + c, 1);
        }
        if (!ok) {
            sd__ratio_free(&q);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        double v = NAN;
        sd_status st = q.den.n ? sd__ratio_cov(res, t, &q, 1, (long)c, &v, err) : SD_OK;
        cs->est = q.den.n ? sd__ratio_value(&t->acc, &q) : NAN;
        sd__ratio_free(&q);
        if (st != SD_OK)
            return st;
        cs->se = sqrt(v);
        cs->df = sd__domain_df(res, t, c);
        double half = (1 - level) / 2;
        cs->ci_low = cs->est + cs->se * sd__qt(half, cs->df);
        cs->ci_high = cs->est + cs->se * sd__qt(1 - half, cs->df);
        cs->deff = cs->eff_base = cs->cv = cs->total_se = NAN;
    }
    return SD_OK;
}

sd_status sd__work_stats(sd_work *w, const sd_tabspec *spec, sd_error *err)
{
    sd__gsl_quiet(); /* GSL must never abort the process */
    w->ci_method = spec->ci_method;
    w->deff = spec->deff;
    w->show_stats = spec->show_stats;
    w->level = spec->level > 0 ? spec->level : 0.95;
    sd_status st = SD_OK;
    for (size_t i = 0; i < w->ntables && st == SD_OK; i++) {
        st = fill_table(w, &w->tables[i], err);
        if (st == SD_OK)
            st = fill_means(w, &w->tables[i], err);
        if (st == SD_OK)
            st = sd__table_tests(spec, w, &w->tables[i], err); /* tests.c */
    }
    return st;
}

sd_status sd__tabulate_work(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                            sd_error *err)
{
    sd__gsl_quiet();
    /* A database's dataset is tabulated where its rows are (src/db/). */
    sd_status st = ds->remote ? sd__db_tabulate_counts(ds, spec, out, err)
                              : sd__tabulate_counts(ds, spec, out, err);
    if (st != SD_OK)
        return st;
    if ((st = sd__work_stats(*out, spec, err)) != SD_OK) {
        sd__work_free(*out);
        *out = NULL;
    }
    return st;
}
