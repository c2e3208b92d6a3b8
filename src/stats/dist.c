/*
 * dist.c — the distributions the statistics need, from GSL. Arguments are
 * checked first, and GSL's error handler (which aborts by default) is
 * switched off before any GSL call (sd__gsl_quiet), so no input can reach
 * it: a value outside the domain gives NaN, and an inverse that fails to
 * converge falls back to bisection on the distribution function (GSL's
 * inverse F from about 8,000 denominator degrees of freedom, for one). The
 * F quantile follows R's qf, which uses the chi-square limit above 4e5
 * denominator degrees of freedom.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>

void sd__gsl_quiet(void)
{
    /* Idempotent: every caller stores the same value. */
    gsl_set_error_handler_off();
}

/* x with upper(x) = p, upper decreasing on [lo, +inf): bisection after
 * doubling hi until it brackets p. NaN when no bracket is found. */
static double invert_upper(double (*upper)(double, const double *), const double *par,
                           double p, double lo, double hi)
{
    for (int i = 0; i < 2000 && !(upper(hi, par) <= p); i++)
        hi = lo + 2 * (hi - lo);
    if (!(upper(hi, par) <= p))
        return NAN;
    for (int i = 0; i < 200; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (upper(mid, par) > p)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

double sd__qnorm(double p)
{
    sd__gsl_quiet();
    if (!(p > 0 && p < 1))
        return NAN;
    return gsl_cdf_ugaussian_Pinv(p);
}

static double t_upper(double x, const double *df)
{
    return gsl_cdf_tdist_Q(x, *df);
}

double sd__qt(double p, double df)
{
    sd__gsl_quiet();
    if (!(p > 0 && p < 1) || !(df > 0))
        return NAN;
    if (isinf(df))
        return gsl_cdf_ugaussian_Pinv(p);
    double q = gsl_cdf_tdist_Pinv(p, df);
    if (isnan(q)) {
        /* Symmetric: the upper quantile of min(p, 1 - p), signed. */
        double u = p < 0.5 ? p : 1 - p;
        q = invert_upper(t_upper, &df, u, 0, 1);
        q = p < 0.5 ? -q : q;
    }
    return q;
}

double sd__pt_upper2(double t, double df)
{
    sd__gsl_quiet();
    if (isnan(t) || !(df > 0))
        return NAN;
    double a = fabs(t);
    return 2 * (isinf(df) ? gsl_cdf_ugaussian_Q(a) : gsl_cdf_tdist_Q(a, df));
}

static double beta_lower(double x, const double *ab)
{
    return gsl_cdf_beta_P(x, ab[0], ab[1]);
}

double sd__qbeta(double p, double a, double b)
{
    sd__gsl_quiet();
    if (!(p >= 0 && p <= 1) || !(a >= 0) || !(b >= 0) || !isfinite(a) || !isfinite(b))
        return NAN;
    if (a == 0) /* a point mass at 0, as R's qbeta gives */
        return 0;
    if (b == 0)
        return 1;
    if (p == 0)
        return 0;
    if (p == 1)
        return 1;
    double q = gsl_cdf_beta_Pinv(p, a, b);
    if (isnan(q)) {
        /* Bisection on [0, 1]: the distribution function is increasing. */
        double ab[2] = {a, b}, lo = 0, hi = 1;
        for (int i = 0; i < 200; i++) {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi)
                break;
            if (beta_lower(mid, ab) < p)
                lo = mid;
            else
                hi = mid;
        }
        q = lo + (hi - lo) / 2;
    }
    return q;
}

double sd__pchisq_upper(double x, double df)
{
    sd__gsl_quiet();
    if (isnan(x) || !(df > 0))
        return NAN;
    if (x <= 0)
        return 1;
    return gsl_cdf_chisq_Q(x, df);
}

static double chisq_upper(double x, const double *df)
{
    return gsl_cdf_chisq_Q(x, *df);
}

double sd__qchisq(double p, double df)
{
    sd__gsl_quiet();
    if (!(p > 0 && p < 1) || !(df > 0))
        return NAN;
    double q = gsl_cdf_chisq_Pinv(p, df);
    if (isnan(q))
        q = invert_upper(chisq_upper, &df, 1 - p, 0, df > 1 ? df : 1);
    return q;
}

double sd__pf_upper(double x, double df1, double df2)
{
    sd__gsl_quiet();
    if (isnan(x) || !(df1 > 0) || !(df2 > 0))
        return NAN;
    if (x <= 0)
        return 1;
    return gsl_cdf_fdist_Q(x, df1, df2);
}

static double f_upper(double x, const double *df)
{
    return gsl_cdf_fdist_Q(x, df[0], df[1]);
}

double sd__qf_upper(double p, double df1, double df2)
{
    sd__gsl_quiet();
    if (!(p > 0 && p < 1) || !(df1 > 0) || !(df2 > 0))
        return NAN;
    if (df2 > 4e5) /* R's qf: the chi-square limit */
        return gsl_cdf_chisq_Qinv(p, df1) / df1;
    double q = gsl_cdf_fdist_Qinv(p, df1, df2);
    if (isnan(q) && df1 == 1) {
        /* F(1, n) is the square of t(n). */
        double t = gsl_cdf_tdist_Qinv(p / 2, df2);
        q = t * t;
    }
    if (isnan(q)) {
        double df[2] = {df1, df2};
        q = invert_upper(f_upper, df, p, 0, 1);
    }
    return q;
}
