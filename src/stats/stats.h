/*
 * stats.h — the stats layer's interface: estimates built as ratios of a
 * table's linear quantities (LQs), their covariance by Taylor linearization
 * (as R's survey::svyrecvar computes it, stage by stage) or by replicate
 * weights (as survey::svrVar), degrees of freedom, confidence intervals,
 * tests, and the distributions they need (GSL).
 */
#ifndef SD_STATS_H
#define SD_STATS_H

#include "../engine/engine.h"
#include "../db/db.h"

/* The engine's pass (sd__tabulate_counts), then every cell's statistics
 * and the tests: the working state the cube layer turns into a result.
 * On success *out is owned by the caller (sd__work_free). (cellstats.c) */
sd_status sd__tabulate_work(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                            sd_error *err);
/* Every cell's statistics and the tests of a work whose sums are in (the
 * second half of sd__tabulate_work; a stream's work, engine/stream.c). */
sd_status sd__work_stats(sd_work *w, const sd_tabspec *spec, sd_error *err);

/* A weighted sum of LQ totals. */
typedef struct sd_lin {
    size_t n;
    uint32_t *lq; /* owned */
    double *c;    /* owned */
} sd_lin;

/* An estimate num / den (den empty: a total). */
typedef struct sd_ratio {
    sd_lin num, den;
} sd_ratio;

bool sd__lin_add(sd_lin *l, size_t lq, double c);
void sd__lin_free(sd_lin *l);
void sd__ratio_free(sd_ratio *r);

/* The full-sample value of a ratio from the LQ totals. */
double sd__ratio_value(const sd_accum *a, const sd_ratio *r);

/* Covariance matrix (k x k, row-major into `out`) of k ratio estimates of
 * one table, by the method its design calls for. `domain_col` >= 0 applies
 * R's subset rules for one banner column (strata present in the domain,
 * for lonely-PSU "average"); -1 uses the whole design (svyby's covmat). */
sd_status sd__ratio_cov(const sd_work *res, const sd_wtable *t, const sd_ratio *r, size_t k,
                        long domain_col, double *out, sd_error *err);

/* Replicate designs: each replicate's value of a ratio (theta, nrep). */
sd_status sd__ratio_replicates(const sd_work *res, const sd_wtable *t, const sd_ratio *r,
                               double *theta);
/* svrVar of replicate values around `full` (mse) or their mean. */
double sd__rep_var(const sd_design *d, const double *theta, double full);
/* svrVar of k estimates at once (theta[i * nrep + q]): a replicate where
 * any estimate is NaN is left out; k x k into out. */
void sd__rep_cov(const sd_design *d, const double *theta, const double *full, size_t k,
                 double *out);
/* Replicate values of the weighted totals of LQs lq[0..k) (theta[i * nrep + q]). */
sd_status sd__lq_replicates(const sd_work *res, const sd_wtable *t, const size_t *lq, size_t k,
                            double *theta);

/* Degrees of freedom for a column's domain: PSUs with data minus strata
 * with data (R's degf of the subset), or the replicate design's degf. */
double sd__domain_df(const sd_work *res, const sd_wtable *t, size_t col);
/* Replicate designs: the rank of a domain's replicate weights minus one
 * (R's degf of the subset), from its per-pattern sums of w^2 and the
 * triangular factors (R x R, row-major, NULL entries skipped) of its rows
 * whose pattern the design did not keep. */
double sd__rep_df_domain(const sd_design *d, const double *pat_w2,
                         const sd_repfactor *const *rf, size_t nrf);

/* R's glm.fit for an intercept-only quasibinomial model of a proportion p
 * over n rows (prior weights summing to n): the coefficient b, the mean of
 * the iteration before the last (whose working weights R's summary uses),
 * and the deviance. `start` = {sum a, sum aL over the cell, sum aL over the
 * column, sum d} (the engine's glm start sums), or NULL to start at the
 * maximum. (likelihood.c) */
void sd__glm_fit(double n, double p, const double *start, double *b, double *mu_prev,
                 double *dev);
/* R's glm.fit refit of one replicate from coefficient b0: prior weights
 * summing to 1, share p of ones. Returns the replicate's coefficient. */
double sd__glm_refit(double p, double b0);
/* svyciprop(method = "likelihood"): v = design variance of the
 * coefficient b, df degrees of freedom, n rows, nobs of them with nonzero
 * weight (the dispersion's n). */
void sd__ci_likelihood(double p, double b, double mu_prev, double dev0, double v, double df,
                       double n, double nobs, double level, double *lo, double *hi);

/* ---- distributions (dist.c): NaN for arguments outside the domain, never
 * an abort. */
double sd__qt(double p, double df);   /* t quantile; df = INFINITY: normal */
double sd__pt_upper2(double t, double df); /* two-sided p-value of |t| */
double sd__qnorm(double p);
double sd__qbeta(double p, double a, double b);
double sd__pchisq_upper(double x, double df);
double sd__pf_upper(double x, double df1, double df2);
double sd__qchisq(double p, double df);
/* Upper-tail F quantile (R's qf(p, df1, df2, lower.tail = FALSE)). */
double sd__qf_upper(double p, double df1, double df2);
/* Switch GSL's aborting error handler off (idempotent); dist.c's functions
 * call it, and so does every other GSL user before its first call. */
void sd__gsl_quiet(void);

/* ---- tests between banner columns and per table (tests.c; docs/tests.md) */

/* Copy the spec's test options into `res` and, when tests were asked for,
 * fill t->chisq (Rao-Scott, R's svychisq) and the cells' column letters.
 * Call after the cells' statistics (est, se, deff) are filled. */
sd_status sd__table_tests(const sd_tabspec *spec, sd_work *res, sd_wtable *t, sd_error *err);

/* The Rao-Scott test of the table's rows (nets left out) by its banner
 * columns c >= 1: svychisq on the rows valid on both. Rows and columns with
 * no weight are left out, as R's factor levels would be; out->done is false
 * when fewer than two of either remain. */
sd_status sd__rao_scott(const sd_work *res, const sd_wtable *t, sd_chisq *out, sd_error *err);

/* Degrees of freedom of the rows in the columns cols[c] (a mask over
 * t->ncols): PSUs minus strata with data there (R's degf of the subset);
 * for replicate designs the rank of the replicate weights over those rows
 * minus one (over all rows when the design has too many weight patterns). */
double sd__cols_df(const sd_work *res, const sd_wtable *t, const bool *cols);

/* The comparison of columns c and d in row r that column letters use:
 * diff = est_rc - est_rd; se with the covariance between the columns
 * (svyby(covmat = TRUE) then svycontrast, over the Total column's
 * analysis set); t = diff / se; df: proportions, the degf of the rows
 * valid on the row variable (README §10); means, svyttest's degf - 1 of
 * the rows of the two columns; p two-sided. */
typedef struct sd_coltest {
    double diff, se, t, df, p;
} sd_coltest;
/* method SD_PAIR_POOLED: the Rao-Scott test of the pair's 2x2 table (R's
 * svychisq on the two columns' rows), t = sign(diff) sqrt(F) on nu df;
 * SD_PAIR_UNPOOLED: svycontrast's difference over its design SE. A scale
 * variable's mean row is svyttest whatever the method. */
sd_status sd__col_test(const sd_work *res, const sd_wtable *t, size_t r, size_t c, size_t d,
                       int method, sd_coltest *out, sd_error *err);

/* R's p.adjust over n p-values in place: method 1 none, 2 bonferroni,
 * 3 holm, 4 fdr (Benjamini-Hochberg). NaN entries are left out. */
void sd__p_adjust(double *p, size_t n, int method);

#endif /* SD_STATS_H */
