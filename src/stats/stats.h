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
sd_status sd__ratio_cov(const sd_result *res, const sd_table *t, const sd_ratio *r, size_t k,
                        long domain_col, double *out, sd_error *err);

/* Degrees of freedom for a column's domain: PSUs with data minus strata
 * with data (R's degf of the subset), or the replicate design's degf. */
double sd__domain_df(const sd_result *res, const sd_table *t, size_t col);
/* Replicate designs: rank of the replicate weights minus one (R's degf). */
double sd__rep_df(const sd_design *d, size_t nrows);

/* svyciprop(method = "likelihood") for a proportion p with design variance
 * v_p, df degrees of freedom and n rows (likelihood.c). */
void sd__ci_likelihood(double p, double v_p, double df, double n, double level, double *lo,
                       double *hi);

/* ---- distributions (dist.c): NaN for arguments outside the domain, never
 * an abort. */
double sd__qt(double p, double df);   /* t quantile; df = INFINITY: normal */
double sd__pt_upper2(double t, double df); /* two-sided p-value of |t| */
double sd__qnorm(double p);
double sd__qbeta(double p, double a, double b);
double sd__pchisq_upper(double x, double df);
double sd__pf_upper(double x, double df1, double df2);
double sd__qchisq(double p, double df);

#endif /* SD_STATS_H */
