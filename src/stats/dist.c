/*
 * dist.c — the distributions the statistics need, from GSL. Arguments are
 * checked first so that GSL's error handler (which aborts by default) is
 * never reached: a value outside the domain gives NaN.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

double sd__qnorm(double p)
{
    if (!(p > 0 && p < 1))
        return NAN;
    return gsl_cdf_ugaussian_Pinv(p);
}

double sd__qt(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0))
        return NAN;
    if (isinf(df))
        return gsl_cdf_ugaussian_Pinv(p);
    return gsl_cdf_tdist_Pinv(p, df);
}

double sd__pt_upper2(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    double a = fabs(t);
    return 2 * (isinf(df) ? gsl_cdf_ugaussian_Q(a) : gsl_cdf_tdist_Q(a, df));
}

double sd__qbeta(double p, double a, double b)
{
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
    return gsl_cdf_beta_Pinv(p, a, b);
}

double sd__pchisq_upper(double x, double df)
{
    if (isnan(x) || !(df > 0))
        return NAN;
    if (x <= 0)
        return 1;
    return gsl_cdf_chisq_Q(x, df);
}

double sd__qchisq(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0))
        return NAN;
    return gsl_cdf_chisq_Pinv(p, df);
}

double sd__pf_upper(double x, double df1, double df2)
{
    if (isnan(x) || !(df1 > 0) || !(df2 > 0))
        return NAN;
    if (x <= 0)
        return 1;
    return gsl_cdf_fdist_Q(x, df1, df2);
}
