/*
 * diag.c — what a weighting cost and how well it met its targets: weight
 * statistics (min, median, max, their ratio, Kish's efficiency and the
 * design effect due to weighting), each margin's achieved total against
 * its target, and the effective sample size of every banner group.
 */
#include "weight.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The k-th smallest of a[0..n) (Hoare's selection; a is reordered). */
static double select_kth(double *a, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, kk = (long)k;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            break;
    }
    return a[kk];
}

#define BUCKETS 65536

/* The k-th and (k+1)-th smallest of w[0..n) in [mn, mx] (k + 1 < n, or
 * hi NULL) without sorting or copying the whole: count values per bucket
 * of [mn, mx], then select among the few of the buckets that hold those
 * ranks. false on no memory. */
static bool kth(const double *w, size_t n, size_t k, double mn, double mx, double *lo,
                double *hi)
{
    if (mn == mx) {
        *lo = mn;
        if (hi)
            *hi = mn;
        return true;
    }
    size_t *cnt = sd__zalloc(BUCKETS, sizeof *cnt);
    if (!cnt)
        return false;
    double scale = (double)BUCKETS / (mx - mn);
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((w[i] - mn) * scale);
        cnt[b < BUCKETS ? b : BUCKETS - 1]++;
    }
    size_t b0 = 0, below = 0;
    while (below + cnt[b0] <= k)
        below += cnt[b0++];
    /* The bucket of rank k + 1: the same, or the next non-empty one. */
    size_t b1 = b0, m = cnt[b0];
    if (hi && below + cnt[b0] == k + 1) {
        b1 = b0 + 1;
        while (b1 < BUCKETS && cnt[b1] == 0)
            b1++;
        m += b1 < BUCKETS ? cnt[b1] : 0;
    }
    sd__free(cnt);
    double *v = sd__reallocarray(NULL, m ? m : 1, sizeof *v);
    if (!v)
        return false;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        size_t bi = (size_t)((w[i] - mn) * scale);
        bi = bi < BUCKETS ? bi : BUCKETS - 1;
        if (bi >= b0 && bi <= b1 && j < m)
            v[j++] = w[i];
    }
    *lo = select_kth(v, j, k - below);
    if (hi) {
        /* After selection every value above rank k - below is no smaller. */
        double up = INFINITY;
        for (size_t i = k - below + 1; i < j; i++)
            up = v[i] < up ? v[i] : up;
        *hi = up;
    }
    sd__free(v);
    return true;
}

bool sd__wstats(const double *w, size_t n, wstats *s)
{
    memset(s, 0, sizeof *s);
    s->n = (double)n;
    if (n == 0)
        return true;
    double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = w ? w[i] : 1.0;
        sum += x;
        sq += x * x;
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
    }
    s->sum = sum;
    s->min = mn;
    s->max = mx;
    s->mean = sum / (double)n;
    s->ratio = mn > 0 ? mx / mn : INFINITY;
    s->neff = sq > 0 ? sum * sum / sq : NAN;
    s->eff = s->neff / (double)n;
    s->deff = 1 / s->eff;
    double var = sq / (double)n - s->mean * s->mean;
    s->cv = s->mean != 0 ? sqrt(var > 0 ? var : 0) / s->mean : NAN;
    if (!w) {
        s->median = 1;
        return true;
    }
    /* R's median: the middle value, or the mean of the two middle ones. */
    double a, b;
    if (!kth(w, n, (n - 1) / 2, mn, mx, &a, n % 2 == 0 ? &b : NULL))
        return false;
    s->median = n % 2 == 0 ? (a + b) / 2 : a;
    return true;
}

static bool add_margin(sd_weighting *w, size_t *cap, const char *var, const char *key,
                       double code, long vi, double target, double achieved, double n)
{
    if (!sd__grow((void **)&w->margins, cap, w->nmargins + 1, sizeof *w->margins))
        return false;
    wmargin *m = &w->margins[w->nmargins];
    memset(m, 0, sizeof *m);
    m->code = code;
    m->var_index = vi;
    m->target = target;
    m->achieved = achieved;
    m->n = n;
    if (!(m->var = sd__strdup(var)) || (key && !(m->key = sd__strdup(key)))) {
        sd__free(m->var);
        return false;
    }
    w->nmargins++;
    double e = fabs(achieved - target);
    if (w->nmargins == 1 || e > w->max_error || isnan(e)) {
        w->max_error = e;
        w->max_error_at = w->nmargins - 1;
    }
    return true;
}

static bool add_group(sd_weighting *w, size_t *cap, const char *var, const char *key,
                      double code, long vi, double n, double sum, double sq)
{
    if (!sd__grow((void **)&w->groups, cap, w->ngroups + 1, sizeof *w->groups))
        return false;
    wgroup *g = &w->groups[w->ngroups];
    memset(g, 0, sizeof *g);
    g->code = code;
    g->var_index = vi;
    g->n = n;
    g->sum = sum;
    g->neff = sq > 0 ? sum * sum / sq : NAN;
    g->eff = n > 0 ? g->neff / n : NAN;
    if (!(g->var = sd__strdup(var)) || !(g->key = sd__strdup(key))) {
        sd__free(g->var);
        return false;
    }
    w->ngroups++;
    return true;
}

/* Groups of one variable: its distinct values in order (codes ascending,
 * strings in byte order); rows missing on it are left out. */
static sd_status var_groups(sd_weighting *w, size_t *cap, const sd_dataset *ds, long vi,
                            const double *wt, sd_error *err)
{
    const sd_var *v = ds->vars[vi];
    size_t n = ds->nrows;
    if (v->type == SD_TYPE_STRING) {
        size_t L = v->nlevels;
        double *acc = sd__zalloc(3 * (L ? L : 1), sizeof *acc);
        if (!acc)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        for (size_t r = 0; r < n; r++) {
            if (v->sysmis[r])
                continue;
            double x = wt[r];
            acc[3 * v->str[r]] += 1;
            acc[3 * v->str[r] + 1] += x;
            acc[3 * v->str[r] + 2] += x * x;
        }
        bool ok = true;
        for (size_t l = 0; l < L && ok; l++)
            if (acc[3 * l] > 0)
                ok = add_group(w, cap, v->name, v->levels[l], NAN, vi, acc[3 * l],
                               acc[3 * l + 1], acc[3 * l + 2]);
        sd__free(acc);
        return ok ? SD_OK : sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    /* Numeric: distinct codes, at most 1000 groups shown. */
    double codes[1000], acc[3000];
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        if (v->sysmis[r])
            continue;
        double x = v->num[r];
        size_t j = 0;
        while (j < k && codes[j] != x)
            j++;
        if (j == k) {
            if (k == 1000)
                continue;
            codes[k] = x;
            acc[3 * k] = acc[3 * k + 1] = acc[3 * k + 2] = 0;
            k++;
        }
        acc[3 * j] += 1;
        acc[3 * j + 1] += wt[r];
        acc[3 * j + 2] += wt[r] * wt[r];
    }
    /* In code order. */
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && codes[b - 1] > codes[b]; b--) {
            double t = codes[b];
            codes[b] = codes[b - 1];
            codes[b - 1] = t;
            for (int z = 0; z < 3; z++) {
                t = acc[3 * b + z];
                acc[3 * b + z] = acc[3 * (b - 1) + z];
                acc[3 * (b - 1) + z] = t;
            }
        }
    for (size_t j = 0; j < k; j++) {
        char key[SD_NUMBUF];
        sd__fmt_double(key, codes[j]);
        if (!add_group(w, cap, v->name, key, codes[j], vi, acc[3 * j], acc[3 * j + 1],
                       acc[3 * j + 2]))
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    return SD_OK;
}

sd_status sd__weighting_diag(sd_weighting *w, const sd_dataset *ds, const sd_tabspec *spec,
                             const wprob *p, const double *w0, sd_error *err)
{
    const double *wt = w->cal->w;
    size_t n = ds->nrows;
    if (!sd__wstats(w0, n, &w->before) || !sd__wstats(wt, n, &w->after))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    /* Margins: every category, cell and total, achieved by the final
     * weights (after trimming). */
    size_t cap = 0;
    /* Per pattern, the final weights' sum and sum of squares: one pass over
     * the rows serves every margin and every margin's groups. */
    double *PW = sd__zalloc(2 * p->npat, sizeof *PW);
    if (!PW)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t r = 0; r < n; r++) {
        double *x = PW + 2 * (size_t)p->pat[r];
        x[0] += wt[r];
        x[1] += wt[r] * wt[r];
    }
    /* [factor] -> per category: n, sum, sum of squares */
    double **acc = sd__zalloc(p->nf ? p->nf : 1, sizeof *acc);
    bool ok = acc != NULL;
    for (size_t k = 0; ok && k < p->nf; k++)
        ok = (acc[k] = sd__zalloc(3 * p->f[k].ncat, sizeof **acc)) != NULL;
    for (size_t q = 0; ok && q < p->npat; q++)
        for (size_t k = 0; k < p->nf; k++) {
            double *a = acc[k] + 3 * (size_t)p->pcat[q * p->nf + k];
            a[0] += p->pcnt[q];
            a[1] += PW[2 * q];
            a[2] += PW[2 * q + 1];
        }
    for (size_t k = 0; ok && k < p->nf; k++) {
        const wfactor *f = &p->f[k];
        for (size_t c = 0; c < f->ncat && ok; c++)
            ok = add_margin(w, &cap, f->name, f->key[c], f->code[c], f->var, f->target[c],
                            acc[k][3 * c + 1], f->n[c]);
    }
    sd__free(PW);
    if (!ok) {
        for (size_t k = 0; acc && k < p->nf; k++)
            sd__free(acc[k]);
        sd__free(acc);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    for (size_t k = 0; k < p->nnum; k++) {
        double s = 0;
        for (size_t r = 0; r < n; r++)
            s += wt[r] * p->num[k].x[r];
        if (!add_margin(w, &cap, p->num[k].name, NULL, NAN,
                        sd__dataset_var_index(ds, p->num[k].name), p->num[k].total, s,
                        (double)n)) {
            for (size_t j = 0; j < p->nf; j++)
                sd__free(acc[j]);
            sd__free(acc);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    /* Effective sample sizes: per category of the banner variables, or of
     * the margins' variables when no banner is given. */
    cap = 0;
    sd_status st = SD_OK;
    if (spec && spec->ncols) {
        for (size_t b = 0; b < spec->ncols && st == SD_OK; b++) {
            long vi = sd__dataset_var_index(ds, spec->cols[b]);
            st = vi < 0 ? sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, spec->cols[b],
                                   "unknown banner variable '%s'", spec->cols[b])
                        : var_groups(w, &cap, ds, vi, wt, err);
        }
    } else {
        /* The margins' categories, from the pattern sums. */
        for (size_t k = 0; k < p->nf && st == SD_OK; k++) {
            const wfactor *f = &p->f[k];
            if (f->cells)
                continue;
            const double *a = acc[k];
            for (size_t c = 0; c < f->ncat && st == SD_OK; c++)
                if (a[3 * c] > 0 && !add_group(w, &cap, f->name, f->key[c], f->code[c], f->var,
                                               a[3 * c], a[3 * c + 1], a[3 * c + 2]))
                    st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    for (size_t k = 0; k < p->nf; k++)
        sd__free(acc[k]);
    sd__free(acc);
    return st;
}
