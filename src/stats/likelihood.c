/*
 * likelihood.c — the profile-likelihood interval of a proportion, as R's
 * svyciprop(method = "likelihood") computes it for a linearization design:
 * the quasibinomial deviance profile of the intercept, scaled by the
 * design effect, splined (Forsythe-Malcolm-Moler, as stats::spline) and
 * inverted by linear interpolation (as stats::approx). Hand-written
 * because the exact procedure, not just any profile root, is what R's
 * numbers follow (tests/oracle/README.md section 7). We take the exact
 * maximum likelihood b = logit(p) where R stops its IRLS at a deviance
 * tolerance of 1e-8; the intervals agree to about 1e-8.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double expit(double x)
{
    double t = x < -30 ? 2.220446049250313e-16 : x > 30 ? 1 / 2.220446049250313e-16 : exp(x);
    return t / (1 + t);
}

/* Deviance of 0/1 rows with prior weights summing to n, a weighted share
 * p of ones, all fitted at mu: sum 2 W [y log(1/mu) + (1-y) log(1/(1-mu))]. */
static double deviance(double n, double p, double mu)
{
    double d = 0;
    if (p > 0)
        d -= n * p * log(mu);
    if (p < 1)
        d -= n * (1 - p) * log(1 - mu);
    return 2 * d;
}

typedef struct fmm {
    size_t n;
    double *x, *y, *b, *c, *d;
} fmm;

/* stats::spline(method = "fmm") coefficients (R's spline_coef, fmm). */
static void fmm_coef(fmm *s)
{
    size_t n = s->n;
    double *x = s->x, *y = s->y, *b = s->b, *c = s->c, *d = s->d;
    if (n < 3) {
        double t = (y[1] - y[0]);
        b[0] = t / (x[1] - x[0]);
        b[1] = b[0];
        c[0] = c[1] = d[0] = d[1] = 0;
        return;
    }
    size_t nm1 = n - 1;
    d[0] = x[1] - x[0];
    c[1] = (y[1] - y[0]) / d[0];
    for (size_t i = 1; i < nm1; i++) {
        d[i] = x[i + 1] - x[i];
        b[i] = 2 * (d[i - 1] + d[i]);
        c[i + 1] = (y[i + 1] - y[i]) / d[i];
        c[i] = c[i + 1] - c[i];
    }
    b[0] = -d[0];
    b[nm1] = -d[n - 2];
    c[0] = c[nm1] = 0;
    if (n > 3) {
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0]);
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4]);
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0]);
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4]);
    }
    for (size_t i = 1; i <= nm1; i++) {
        double t = d[i - 1] / b[i - 1];
        b[i] = b[i] - t * d[i - 1];
        c[i] = c[i] - t * c[i - 1];
    }
    c[nm1] = c[nm1] / b[nm1];
    for (size_t i = n - 1; i-- > 0;)
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i];
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2 * c[nm1]);
    for (size_t i = 0; i < nm1; i++) {
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2 * c[i]);
        d[i] = (c[i + 1] - c[i]) / d[i];
        c[i] = 3 * c[i];
    }
    c[nm1] = 3 * c[nm1];
    d[nm1] = d[n - 2];
}

static double fmm_eval(const fmm *s, double u)
{
    size_t i = 0;
    while (i + 1 < s->n && s->x[i + 1] <= u)
        i++;
    double dx = u - s->x[i];
    return s->y[i] + dx * (s->b[i] + dx * (s->c[i] + dx * s->d[i]));
}

typedef struct pt {
    double x, y;
} pt;

static int cmp_pt_x(const void *a, const void *b)
{
    double u = ((const pt *)a)->x, v = ((const pt *)b)->x;
    return (u > v) - (u < v);
}

/* approx(x, y, xout = v, rule = 1) over points sorted by x (R's approx1). */
static double lin_interp(const pt *p, size_t n, double v)
{
    if (n == 0 || v < p[0].x || v > p[n - 1].x)
        return NAN;
    size_t i = 0, j = n - 1;
    while (i + 1 < j) {
        size_t ij = (i + j) / 2;
        if (v < p[ij].x)
            j = ij;
        else
            i = ij;
    }
    if (v == p[j].x)
        return p[j].y;
    if (v == p[i].x)
        return p[i].y;
    return p[i].y + (p[j].y - p[i].y) * ((v - p[i].x) / (p[j].x - p[i].x));
}

void sd__glm_fit(double n, double p, const double *start, double *b, double *mu_prev,
                 double *dev)
{
    /* Iteration 1 from mustart: needs the rows (start sums); the rest need
     * only n and p, since every row then has the same linear predictor. */
    double mu, bb, devold;
    if (start) {
        double sa = start[0], sal_cell = start[1], sal_col = start[2], sd = start[3];
        devold = sd;
        bb = (2 * sal_cell - sal_col) / sa;
        *mu_prev = NAN; /* iteration 1's working weights vary by row */
    } else {
        bb = log(p / (1 - p));
        devold = NAN;
        *mu_prev = p;
    }
    mu = expit(bb);
    double d = deviance(n, p, mu);
    for (int iter = 2; iter <= 25 && start; iter++) {
        if (fabs(d - devold) / (fabs(d) + 0.1) < 1e-8)
            break;
        devold = d;
        *mu_prev = mu;
        bb = bb + (p - mu) / (mu * (1 - mu));
        mu = expit(bb);
        d = deviance(n, p, mu);
    }
    *b = bb;
    *dev = d;
}

double sd__glm_refit(double p, double b0)
{
    double bb = b0, mu = expit(bb);
    double devold = deviance(1, p, mu);
    for (int iter = 1; iter <= 25; iter++) {
        bb = bb + (p - mu) / (mu * (1 - mu));
        mu = expit(bb);
        double d = deviance(1, p, mu);
        if (fabs(d - devold) / (fabs(d) + 0.1) < 1e-8)
            break;
        devold = d;
    }
    return bb;
}

void sd__ci_likelihood(double p, double b, double mu_prev, double dev0, double v, double df,
                       double n, double nobs, double level, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (!(p > 0 && p < 1) || !(v > 0) || !(n > 1) || !(df > 0) || !isfinite(b))
        return;
    double mu = expit(b);
    if (isnan(mu_prev))
        mu_prev = mu;
    double naive = 1 / (n * mu_prev * (1 - mu_prev));
    double se = sqrt(v), lambda = v / naive;
    /* Pearson dispersion: sum w (r - rbar)^2 n/(n-1) / W, r = (y - mu)/sqrt(mu(1-mu)),
     * n the rows of nonzero weight (svyvar's). */
    if (!(nobs > 1))
        return;
    double phi = p * (1 - p) / (mu * (1 - mu)) * nobs / (nobs - 1);
    double alpha = gsl_cdf_ugaussian_P(sd__qt((1 - level) / 2, df) * sqrt(lambda)) / 2;
    if (!(alpha > 0 && alpha < 0.5))
        return;
    double zmax = sqrt(sd__qf_upper(alpha, 1, n - 1)), del = zmax / 5;
    if (!isfinite(zmax))
        return;
    double d0 = dev0;
    pt pts[24];
    size_t np = 0;
    pts[np++] = (pt){b, 0};
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        int step = 0;
        double z = 0;
        while (++step < 10 && fabs(z) < zmax) {
            double bi = b + sgn * step * del * se;
            double zz = (deviance(n, p, expit(bi)) - d0) / phi;
            if (zz > -0.001)
                zz = zz > 0 ? zz : 0;
            else
                return;
            z = sgn * sqrt(zz);
            pts[np++] = (pt){bi, z};
        }
    }
    qsort(pts, np, sizeof *pts, cmp_pt_x);
    double buf[5][24];
    fmm s = {np, buf[0], buf[1], buf[2], buf[3], buf[4]};
    for (size_t i = 0; i < np; i++) {
        s.x[i] = pts[i].x;
        s.y[i] = pts[i].y;
    }
    fmm_coef(&s);
    size_t no = 3 * np;
    pt *inv = sd__zalloc(no, sizeof *inv);
    if (!inv)
        return;
    double from = s.x[0], to = s.x[np - 1], by = (to - from) / (double)(no - 1);
    for (size_t k = 0; k < no; k++) {
        double xo = k + 1 == no ? to : from + (double)k * by;
        inv[k] = (pt){fmm_eval(&s, xo), xo};
    }
    qsort(inv, no, sizeof *inv, cmp_pt_x);
    double c1 = gsl_cdf_ugaussian_Pinv(2 * alpha), c2 = gsl_cdf_ugaussian_Qinv(2 * alpha);
    *lo = expit(lin_interp(inv, no, c1));
    *hi = expit(lin_interp(inv, no, c2));
    sd__free(inv);
}
