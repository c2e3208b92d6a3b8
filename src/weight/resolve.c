/*
 * resolve.c — targets resolved against a dataset: each margin's categories
 * (sorted as R's factor levels: codes ascending, strings in byte order),
 * each row's category, proportions turned into totals, the checks that say
 * which cell cannot be met, and the patterns of rows (rows with the same
 * categories and numeric values), on which every method runs.
 */
#include "weight.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ issues */

bool sd__issue_add(wissues *is, bool fatal, long line, long col, const char *var,
                   const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!sd__grow((void **)&is->v, &is->cap, is->n + 1, sizeof *is->v))
        return false;
    wissue *x = &is->v[is->n];
    memset(x, 0, sizeof *x);
    x->fatal = fatal;
    x->line = line;
    x->col = col;
    if (!(x->msg = sd__strdup(msg)) || (var && !(x->var = sd__strdup(var)))) {
        sd__free(x->msg);
        return false;
    }
    is->n++;
    return true;
}

void sd__issues_free(wissues *is)
{
    for (size_t i = 0; i < is->n; i++) {
        sd__free(is->v[i].msg);
        sd__free(is->v[i].var);
    }
    sd__free(is->v);
    memset(is, 0, sizeof *is);
}

/* ------------------------------------------------------------ freeing */

static void factor_free(wfactor *f)
{
    sd__free(f->name);
    for (size_t c = 0; f->key && c < f->ncat; c++)
        sd__free(f->key[c]);
    sd__free(f->key);
    sd__free(f->target);
    sd__free(f->code);
    sd__free(f->line);
    sd__free(f->col);
    sd__free(f->active);
    sd__free(f->n);
    sd__free(f->w0);
    sd__free(f->of);
    memset(f, 0, sizeof *f);
}

void sd__wprob_free(wprob *p)
{
    for (size_t k = 0; k < p->nf; k++)
        factor_free(&p->f[k]);
    sd__free(p->f);
    for (size_t k = 0; k < p->nnum; k++)
        sd__free(p->num[k].name);
    sd__free(p->num);
    sd__free(p->pat);
    sd__free(p->pcat);
    sd__free(p->pnum);
    sd__free(p->pcnt);
    sd__free(p->ppos);
    memset(p, 0, sizeof *p);
}

void sd__wprob_sum(const wprob *p, const double *w, double *W)
{
    memset(W, 0, p->npat * sizeof *W);
    for (size_t i = 0; i < p->nrows; i++)
        W[p->pat[i]] += w ? w[i] : 1.0;
}

/* ------------------------------------------------------------ factors */

static sd_status nomem(sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

static bool factor_alloc(wfactor *f, size_t ncat, size_t nrows)
{
    f->ncat = ncat;
    size_t k = ncat ? ncat : 1;
    f->target = sd__zalloc(k, sizeof *f->target);
    f->key = sd__zalloc(k, sizeof *f->key);
    f->code = sd__zalloc(k, sizeof *f->code);
    f->line = sd__zalloc(k, sizeof *f->line);
    f->col = sd__zalloc(k, sizeof *f->col);
    f->active = sd__zalloc(k, sizeof *f->active);
    f->n = sd__zalloc(k, sizeof *f->n);
    f->w0 = sd__zalloc(k, sizeof *f->w0);
    f->of = sd__zalloc(nrows, sizeof *f->of);
    return f->target && f->key && f->code && f->line && f->col && f->active && f->n && f->w0 &&
           f->of;
}

static const sd_var *find_var(const sd_dataset *ds, const char *name, const char *file,
                              long line, long col, const char *what, sd_error *err)
{
    long i = sd__dataset_var_index(ds, name);
    if (i < 0) {
        sd__fail(err, SD_E_NOT_FOUND, file, line, col, name,
                 "%s '%s' is not a variable of %s", what, name, ds->source ? ds->source : "the data");
        return NULL;
    }
    return ds->vars[i];
}

static sd_status missing_row(const sd_dataset *ds, const sd_var *v, const char *file,
                             sd_error *err)
{
    for (size_t r = 0; r < ds->nrows; r++)
        if (v->sysmis[r])
            return sd__fail(err, SD_E_INVALID, file, 0, 0, v->name,
                            "'%s' is missing in row %zu of %s: weighting needs a value in every "
                            "row of a margin, cell or total variable",
                            v->name, r + 1, ds->source ? ds->source : "the data");
    return SD_OK;
}

/* A category's value: the code of a numeric variable, or the level of a
 * string one (as a number: levels are in byte order). */
static sd_status key_value(const sd_var *v, const char *key, const char *file, long line,
                           long col, const char *what, double *out, bool *present, sd_error *err)
{
    *present = true;
    if (v->type == SD_TYPE_NUMERIC) {
        if (!sd__parse_double(key, strlen(key), false, out) || !isfinite(*out))
            return sd__fail(err, SD_E_INVALID, file, line, col, v->name,
                            "%s: '%.64s' is not a code of the numeric variable '%s': expected a "
                            "number",
                            what, key, v->name);
        return SD_OK;
    }
    long l = sd__var_find_level(v, key);
    *present = l >= 0;
    *out = (double)l;
    return SD_OK;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Row values of a variable as numbers (codes, or levels for strings). */
static double row_value(const sd_var *v, size_t r)
{
    return v->type == SD_TYPE_NUMERIC ? v->num[r] : (double)v->str[r];
}

/* Direct lookup of whole-number codes in a modest range, else bsearch. */
typedef struct vmap {
    const double *vals; /* sorted values of the categories */
    size_t n;
    int32_t *direct;    /* value - lo -> category, or NULL */
    double lo;
    size_t span;
} vmap;

static bool vmap_init(vmap *m, const double *vals, size_t n)
{
    memset(m, 0, sizeof *m);
    m->vals = vals;
    m->n = n;
    if (!n)
        return true;
    double lo = vals[0], hi = vals[n - 1];
    bool whole = true;
    for (size_t i = 0; i < n; i++)
        whole = whole && vals[i] == floor(vals[i]);
    if (whole && hi - lo < 65536) {
        m->lo = lo;
        m->span = (size_t)(hi - lo) + 1;
        if (!(m->direct = sd__zalloc(m->span, sizeof *m->direct)))
            return false;
        for (size_t i = 0; i < m->span; i++)
            m->direct[i] = -1;
        for (size_t i = 0; i < n; i++)
            m->direct[(size_t)(vals[i] - lo)] = (int32_t)i;
    }
    return true;
}

static inline int32_t vmap_find(const vmap *m, double x)
{
    if (m->direct) {
        double d = x - m->lo;
        if (!(d >= 0 && d < (double)m->span))
            return -1;
        size_t i = (size_t)d;
        return (double)i == d ? m->direct[i] : -1; /* a whole number, without floor() */
    }
    const double *p = bsearch(&x, m->vals, m->n, sizeof *m->vals, cmp_dbl);
    return p ? (int32_t)(p - m->vals) : -1;
}

typedef struct catsort {
    double value;
    size_t entry;
} catsort;

static int cmp_catsort(const void *a, const void *b)
{
    const catsort *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

/* The text of a row's value, for messages. */
static void value_text(const sd_var *v, size_t r, char *buf, size_t cap)
{
    if (v->type == SD_TYPE_NUMERIC) {
        char nb[SD_NUMBUF];
        sd__fmt_double(nb, v->num[r]);
        snprintf(buf, cap, "%s", nb);
    } else {
        snprintf(buf, cap, "'%.64s'", v->levels[v->str[r]]);
    }
}

static sd_status margin_factor(const sd_dataset *ds, const sd_targets *t,
                               const sd_target_margin *m, wfactor *f, sd_error *err)
{
    const char *file = t->source;
    const sd_var *v = find_var(ds, m->var, file, m->line, m->col, "margin", err);
    if (!v)
        return SD_E_NOT_FOUND;
    sd_status st = missing_row(ds, v, file, err);
    if (st != SD_OK)
        return st;
    f->var = sd__dataset_var_index(ds, m->var);
    f->fline = m->line;
    f->fcol = m->col;
    if (!(f->name = sd__strdup(m->var)))
        return nomem(err);
    catsort *cs = sd__zalloc(m->n, sizeof *cs);
    if (!cs)
        return nomem(err);
    size_t nc = 0;
    char what[96];
    snprintf(what, sizeof what, "margin '%.64s'", m->var);
    for (size_t i = 0; i < m->n; i++) {
        double x;
        bool present;
        st = key_value(v, m->v[i].key, file, m->v[i].line, m->v[i].col, what, &x, &present,
                       err);
        if (st != SD_OK) {
            sd__free(cs);
            return st;
        }
        if (!present) {
            /* A string value nobody has: a category without respondents. */
            x = (double)v->nlevels + (double)i;
        }
        for (size_t j = 0; j < nc; j++)
            if (cs[j].value == x) {
                size_t first = cs[j].entry;
                sd__free(cs);
                return sd__fail(err, SD_E_INVALID, file, m->v[i].line, m->v[i].col, m->var,
                                "%s: '%.64s' and '%.64s' are the same category", what,
                                m->v[first].key, m->v[i].key);
            }
        cs[nc].value = x;
        cs[nc].entry = i;
        nc++;
    }
    qsort(cs, nc, sizeof *cs, cmp_catsort);
    double *vals = sd__zalloc(nc, sizeof *vals);
    if (!vals || !factor_alloc(f, nc, ds->nrows)) {
        sd__free(cs);
        sd__free(vals);
        return nomem(err);
    }
    for (size_t c = 0; c < nc; c++) {
        const sd_target_entry *e = &m->v[cs[c].entry];
        vals[c] = cs[c].value;
        f->target[c] = e->total;
        f->line[c] = e->line;
        f->col[c] = e->col;
        f->code[c] = v->type == SD_TYPE_NUMERIC ? cs[c].value : NAN;
        if (!(f->key[c] = sd__strdup(e->key))) {
            sd__free(cs);
            sd__free(vals);
            return nomem(err);
        }
    }
    sd__free(cs);
    vmap vm;
    if (!vmap_init(&vm, vals, nc)) {
        sd__free(vals);
        return nomem(err);
    }
    if (v->type == SD_TYPE_NUMERIC) {
        /* The hot loop (every row, every margin): categories only; a row
         * without one is looked at again below for its message. */
        const double *x = v->num;
        int32_t *of = f->of, bad = 0;
        for (size_t r = 0; r < ds->nrows; r++) {
            int32_t c = vmap_find(&vm, x[r]);
            of[r] = c;
            bad |= c < 0;
        }
        if (!bad) {
            sd__free(vm.direct);
            sd__free(vals);
            return SD_OK;
        }
    }
    for (size_t r = 0; r < ds->nrows && st == SD_OK; r++) {
        int32_t c = vmap_find(&vm, row_value(v, r));
        if (c < 0) {
            char vb[96];
            value_text(v, r, vb, sizeof vb);
            st = sd__fail(err, SD_E_INVALID, file, m->line, m->col, m->var,
                          "row %zu has %s = %s, which the margin '%s' gives no target: every "
                          "category in the data needs one",
                          r + 1, m->var, vb, m->var);
        }
        f->of[r] = c;
    }
    sd__free(vm.direct);
    sd__free(vals);
    return st;
}

/* The cells' cross-classification as one factor, categories sorted by
 * their values variable by variable. */
typedef struct cellsort {
    const double *vals; /* ncellvars values */
    size_t entry;
    size_t nv;
} cellsort;

static int cmp_cellsort(const void *a, const void *b)
{
    const cellsort *x = a, *y = b;
    for (size_t k = 0; k < x->nv; k++)
        if (x->vals[k] != y->vals[k])
            return x->vals[k] < y->vals[k] ? -1 : 1;
    return 0;
}

static sd_status cells_factor(const sd_dataset *ds, const sd_targets *t, wfactor *f,
                              sd_error *err)
{
    const char *file = t->source;
    size_t K = t->ncellvars, nc = t->ncells;
    const sd_var **vars = sd__zalloc(K, sizeof *vars);
    double *vals = sd__zalloc(nc * K, sizeof *vals);
    cellsort *cs = sd__zalloc(nc, sizeof *cs);
    sd_strbuf name;
    sd__sb_init(&name, 1 << 16);
    sd_status st = SD_OK;
    if (!vars || !vals || !cs) {
        st = nomem(err);
        goto done;
    }
    for (size_t k = 0; k < K && st == SD_OK; k++) {
        if (!(vars[k] = find_var(ds, t->cellvars[k], file, t->cells_line, t->cells_col,
                                 "cells", err)))
            st = SD_E_NOT_FOUND;
        else
            st = missing_row(ds, vars[k], file, err);
        sd__sb_printf(&name, "%s%s", k ? " x " : "", t->cellvars[k]);
    }
    for (size_t i = 0; i < nc && st == SD_OK; i++) {
        for (size_t k = 0; k < K && st == SD_OK; k++) {
            bool present;
            char what[96];
            snprintf(what, sizeof what, "cells, '%.64s'", t->cellvars[k]);
            st = key_value(vars[k], t->cells[i].keys[k], file, t->cells[i].line,
                           t->cells[i].col, what, &vals[i * K + k], &present, err);
            if (!present)
                vals[i * K + k] = (double)vars[k]->nlevels + (double)i;
        }
        cs[i] = (cellsort){vals + i * K, i, K};
    }
    if (st != SD_OK)
        goto done;
    qsort(cs, nc, sizeof *cs, cmp_cellsort);
    f->cells = true;
    f->var = -1;
    f->fline = t->cells_line;
    f->fcol = t->cells_col;
    if (sd__sb_status(&name) != SD_OK || !(f->name = sd__sb_take(&name)) ||
        !factor_alloc(f, nc, ds->nrows)) {
        st = nomem(err);
        goto done;
    }
    for (size_t c = 0; c < nc; c++) {
        const sd_target_cell *tc = &t->cells[cs[c].entry];
        f->target[c] = tc->total;
        f->line[c] = tc->line;
        f->col[c] = tc->col;
        f->code[c] = NAN;
        sd_strbuf kb;
        sd__sb_init(&kb, 1 << 16);
        for (size_t k = 0; k < K; k++)
            sd__sb_printf(&kb, "%s%s", k ? ", " : "", tc->keys[k]);
        if (sd__sb_status(&kb) != SD_OK || !(f->key[c] = sd__sb_take(&kb))) {
            sd__sb_free(&kb);
            st = nomem(err);
            goto done;
        }
    }
    /* Rows: binary search of the row's values among the sorted cells. */
    double *rv = sd__zalloc(K, sizeof *rv);
    if (!rv) {
        st = nomem(err);
        goto done;
    }
    for (size_t r = 0; r < ds->nrows && st == SD_OK; r++) {
        for (size_t k = 0; k < K; k++)
            rv[k] = row_value(vars[k], r);
        cellsort key = {rv, 0, K};
        const cellsort *hit = bsearch(&key, cs, nc, sizeof *cs, cmp_cellsort);
        if (!hit) {
            sd_strbuf vb;
            sd__sb_init(&vb, 1024);
            for (size_t k = 0; k < K; k++) {
                char b[96];
                value_text(vars[k], r, b, sizeof b);
                sd__sb_printf(&vb, "%s%s = %s", k ? ", " : "", t->cellvars[k], b);
            }
            st = sd__fail(err, SD_E_INVALID, file, t->cells_line, t->cells_col, NULL,
                          "row %zu has %s, a cell the targets give no total: every cell in the "
                          "data needs one",
                          r + 1, sd__sb_str(&vb));
            sd__sb_free(&vb);
            break;
        }
        f->of[r] = (int32_t)(hit - cs);
    }
    sd__free(rv);
done:
    sd__sb_free(&name);
    sd__free(vars);
    sd__free(vals);
    sd__free(cs);
    return st;
}

/* ------------------------------------------------------------ patterns */

/* Cap on the dense index of category combinations. */
#define DENSE_MAX ((size_t)1 << 22)

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static sd_status make_patterns(wprob *p, const double *w0, sd_error *err)
{
    size_t n = p->nrows, nf = p->nf, nn = p->nnum;
    p->pat = sd__zalloc(n, sizeof *p->pat);
    if (!p->pat)
        return nomem(err);
    size_t cap = 0, np = 0;
    int32_t *pcat = NULL;
    double *pnum = NULL;
    size_t span = 1;
    bool dense = nn == 0;
    for (size_t k = 0; k < nf && dense; k++)
        dense = sd__mul_ok(span, p->f[k].ncat ? p->f[k].ncat : 1, &span) && span <= DENSE_MAX;
    if (dense) {
        int32_t *slot = sd__zalloc(span, sizeof *slot);
        if (!slot)
            return nomem(err);
        for (size_t i = 0; i < n; i++) {
            size_t key = 0;
            for (size_t k = 0; k < nf; k++)
                key = key * p->f[k].ncat + (size_t)p->f[k].of[i];
            if (!slot[key]) {
                if (!sd__grow((void **)&pcat, &cap, (np + 1) * (nf ? nf : 1), sizeof *pcat)) {
                    sd__free(slot);
                    sd__free(pcat);
                    return nomem(err);
                }
                for (size_t k = 0; k < nf; k++)
                    pcat[np * nf + k] = p->f[k].of[i];
                slot[key] = (int32_t)++np;
            }
            p->pat[i] = slot[key] - 1;
        }
        sd__free(slot);
    } else {
        /* The shared index (core/hash.c) on (categories, numeric values). */
        sd_hindex idx;
        sd__hindex_init(&idx);
        size_t ncap = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t h = 1469598103934665603ull;
            for (size_t k = 0; k < nf; k++)
                h = mix(h, (uint64_t)(uint32_t)p->f[k].of[i]);
            for (size_t k = 0; k < nn; k++) {
                double x = p->num[k].x[i];
                uint64_t b;
                x = x == 0 ? 0 : x; /* -0 and 0 are one value */
                memcpy(&b, &x, sizeof b);
                h = mix(h, b);
            }
            sd_hprobe pr = sd__hindex_probe(&idx, h);
            size_t q;
            int32_t found = -1;
            while (found < 0 && sd__hindex_next(&idx, &pr, &q)) {
                bool same = true;
                for (size_t k = 0; k < nf && same; k++)
                    same = pcat[q * nf + k] == p->f[k].of[i];
                for (size_t k = 0; k < nn && same; k++)
                    same = pnum[q * nn + k] == p->num[k].x[i];
                if (same)
                    found = (int32_t)q;
            }
            if (found < 0) {
                if ((nf && !sd__grow((void **)&pcat, &cap, (np + 1) * nf, sizeof *pcat)) ||
                    (nn && !sd__grow((void **)&pnum, &ncap, (np + 1) * nn, sizeof *pnum)) ||
                    np >= INT32_MAX || !sd__hindex_add(&idx, h, np)) {
                    sd__hindex_free(&idx);
                    sd__free(pcat);
                    sd__free(pnum);
                    return nomem(err);
                }
                for (size_t k = 0; k < nf; k++)
                    pcat[np * nf + k] = p->f[k].of[i];
                for (size_t k = 0; k < nn; k++)
                    pnum[np * nn + k] = p->num[k].x[i];
                found = (int32_t)np++;
            }
            p->pat[i] = found;
        }
        sd__hindex_free(&idx);
    }
    p->npat = np;
    p->pcat = pcat;
    p->pnum = pnum;
    p->pcnt = sd__zalloc(np, sizeof *p->pcnt);
    p->ppos = sd__zalloc(np, sizeof *p->ppos);
    if (!p->pcnt || !p->ppos)
        return nomem(err);
    for (size_t i = 0; i < n; i++) {
        p->pcnt[p->pat[i]] += 1;
        if (!w0 || w0[i] > 0)
            p->ppos[p->pat[i]] += 1;
    }
    return SD_OK;
}

/* ------------------------------------------------------------ build */

static double total_w(const double *w0, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += w0 ? w0[i] : 1.0;
    return s;
}

sd_status sd__wprob_build(const sd_dataset *ds, const sd_targets *t, sd_wmethod method,
                          const double *w0, wprob *p, wissues *is, sd_error *err)
{
    memset(p, 0, sizeof *p);
    p->nrows = ds->nrows;
    p->source = t->source;
    const char *file = t->source;
    size_t nf = t->nmargins + (t->ncells ? 1 : 0);
    sd_status st = SD_OK;
    if (ds->nrows == 0)
        return sd__fail(err, SD_E_EMPTY, ds->source, 0, 0, NULL, "no rows to weight");
    bool calib = method == SD_WM_LINEAR || method == SD_WM_RAKING || method == SD_WM_LOGIT;
    if (t->ntotals && !calib)
        return sd__fail(err, SD_E_INVALID, file, t->totals[0].line, t->totals[0].col,
                        t->totals[0].key,
                        "totals of numeric variables need --method linear, raking or logit "
                        "(%s weights to categories only)",
                        sd__wmethod_name(method));
    if (method == SD_WM_POSTSTRAT && nf != 1)
        return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL,
                        "post-stratification weights to one classification: give one margin, "
                        "or the cells of a cross-classification (not %zu margins%s); or use "
                        "--method rake",
                        t->nmargins, t->ncells ? " and cells" : "");
    if (method == SD_WM_RAKE && nf == 0)
        return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL,
                        "raking needs margins or cells: the targets give only totals");
    if (!(p->f = sd__zalloc(nf ? nf : 1, sizeof *p->f)))
        return nomem(err);
    for (size_t k = 0; k < t->nmargins && st == SD_OK; k++, p->nf++)
        st = margin_factor(ds, t, &t->margins[k], &p->f[k], err);
    if (st == SD_OK && t->ncells) {
        st = cells_factor(ds, t, &p->f[p->nf], err);
        p->nf++;
    }
    if (st == SD_OK && t->ntotals) {
        if (!(p->num = sd__zalloc(t->ntotals, sizeof *p->num)))
            st = nomem(err);
        for (size_t k = 0; st == SD_OK && k < t->ntotals; k++, p->nnum++) {
            const sd_target_entry *e = &t->totals[k];
            const sd_var *v = find_var(ds, e->key, file, e->line, e->col, "total", err);
            if (!v)
                st = SD_E_NOT_FOUND;
            else if (v->type != SD_TYPE_NUMERIC)
                st = sd__fail(err, SD_E_TYPE, file, e->line, e->col, e->key,
                              "total of '%s': it is a string variable; a total needs a numeric "
                              "one (give a string variable as a margin)",
                              e->key);
            else
                st = missing_row(ds, v, file, err);
            if (st == SD_OK) {
                p->num[k].x = v->num;
                p->num[k].total = e->total;
                p->num[k].line = e->line;
                p->num[k].col = e->col;
                if (!(p->num[k].name = sd__strdup(e->key)))
                    st = nomem(err);
            }
        }
    }
    if (st != SD_OK)
        return st;
    /* Counts and base weight per category: from the patterns (below)
     * when there are few, else row by row. */
    if ((st = make_patterns(p, w0, err)) != SD_OK)
        return st;
    {
        double *W = sd__zalloc(p->npat, sizeof *W);
        if (!W)
            return nomem(err);
        sd__wprob_sum(p, w0, W);
        for (size_t q = 0; q < p->npat; q++)
            for (size_t k = 0; k < p->nf; k++) {
                int32_t c = p->pcat[q * p->nf + k];
                p->f[k].n[c] += p->pcnt[q];
                p->f[k].w0[c] += W[q];
            }
        sd__free(W);
    }
    /* Proportions become totals: of the population, or else of the base
     * weights' total (the weighted sample size). */
    double W = total_w(w0, p->nrows);
    for (size_t k = 0; k < p->nf; k++) {
        wfactor *f = &p->f[k];
        double s = 0;
        for (size_t c = 0; c < f->ncat; c++)
            s += f->target[c];
        if (fabs(s - 1) <= 1e-9) {
            double N = t->has_population ? t->population : W;
            s = 0;
            for (size_t c = 0; c < f->ncat; c++)
                s += (f->target[c] *= N);
        }
        f->sum = s;
    }
    p->has_N = t->has_population || p->nf > 0;
    p->N = t->has_population ? t->population : p->nf ? p->f[0].sum : NAN;
    if (calib && !p->has_N)
        return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL,
                        "the targets give totals only: a calibration also needs the population "
                        "size (population: N)");
    /* Margins that disagree on the population. */
    for (size_t k = 0; k < p->nf; k++) {
        const wfactor *f = &p->f[k];
        double ref = t->has_population ? t->population : p->f[0].sum;
        if (fabs(f->sum - ref) > 1e-6 * fabs(ref)) {
            char a[SD_NUMBUF], b[SD_NUMBUF];
            sd__fmt_double(a, f->sum);
            sd__fmt_double(b, ref);
            if (!sd__issue_add(is, true, f->fline, f->fcol, f->cells ? NULL : f->name,
                               "the targets disagree: %s '%s' sums to %s but %s is %s, so they "
                               "cannot all be met",
                               f->cells ? "the cells" : "margin", f->name, a,
                               t->has_population ? "the population" : "the first margin's sum",
                               b))
                return nomem(err);
        }
    }
    /* Categories the data cannot meet. */
    for (size_t k = 0; k < p->nf; k++) {
        wfactor *f = &p->f[k];
        for (size_t c = 0; c < f->ncat; c++) {
            f->active[c] = f->w0[c] > 0;
            const char *what = f->cells ? "cell" : "category";
            char tb[SD_NUMBUF];
            sd__fmt_double(tb, f->target[c]);
            if (f->w0[c] > 0 && f->target[c] == 0 && method != SD_WM_LINEAR) {
                if (!sd__issue_add(is, true, f->line[c], f->col[c], f->cells ? NULL : f->name,
                                   "%s '%s' = %s has a target of 0 but %.0f respondents: %s "
                                   "cannot give them zero weight",
                                   f->cells ? "cell" : "margin", f->name, f->key[c], f->n[c],
                                   sd__wmethod_name(method)))
                    return nomem(err);
            }
            if (!(f->w0[c] > 0) && f->target[c] > 0) {
                if (!sd__issue_add(is, true, f->line[c], f->col[c], f->cells ? NULL : f->name,
                                   "%s %s = %s has a target of %s but %s: the target cannot "
                                   "be met (with --force it is left out)",
                                   what, f->name, f->key[c], tb,
                                   f->n[c] > 0 ? "its respondents all weigh 0"
                                               : "no respondents"))
                    return nomem(err);
            }
        }
    }
    return SD_OK;
}
