/*
 * plan.c — categories of a variable and the per-row category index: the
 * part of a tabulation plan that depends on one variable only.
 */
#include "plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sd__catmap_free(sd_catmap *m)
{
    sd__free(m->cats);
    sd__free(m->idx);
    sd__free(m->netmask);
    memset(m, 0, sizeof *m);
}

/* ---- distinct numeric values: a direct table for small non-negative
 * integers (nearly every survey code), the shared hash index for the rest
 * (negative, fractional and large codes; only those are in the index). */
#define SMALL_CODES 1024

typedef struct values {
    double *v;        /* distinct values in order met */
    bool *excluded;   /* user-missing and excluded */
    size_t n, cap;
    int32_t small[SMALL_CODES];
    sd_hindex big;    /* items: indexes into v of the codes not in small */
} values;

static uint64_t code_hash(double x)
{
    uint64_t b;
    if (x == 0)
        x = 0; /* -0 and 0 are one code */
    if (x != x)
        x = NAN; /* every NaN is one code */
    memcpy(&b, &x, sizeof b);
    return sd__hash_u64(b);
}

static bool same_code(double a, double b)
{
    return a == b || (a != a && b != b);
}

/* Index of x in s, adding it when new; -1 on no memory, -2 over the cap. */
static long values_find_add(values *s, const sd_var *v, sd_missing_mode mode, double x)
{
    if (x == 0)
        x = 0;
    bool small = x >= 0 && x < SMALL_CODES && x == floor(x);
    uint64_t h = 0;
    if (small) {
        int32_t k = s->small[(int)x];
        if (k >= 0)
            return k;
    } else {
        h = code_hash(x);
        sd_hprobe p = sd__hindex_probe(&s->big, h);
        size_t it;
        while (sd__hindex_next(&s->big, &p, &it))
            if (same_code(s->v[it], x))
                return (long)it;
    }
    if (s->n >= SD_MAX_CATEGORIES)
        return -2;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 32;
        double *nv = sd__reallocarray(s->v, ncap, sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        bool *ne = sd__reallocarray(s->excluded, ncap, sizeof *ne);
        if (!ne)
            return -1;
        s->excluded = ne;
        s->cap = ncap;
    }
    if (small)
        s->small[(int)x] = (int32_t)s->n;
    else if (!sd__hindex_add(&s->big, h, s->n))
        return -1;
    s->v[s->n] = x;
    s->excluded[s->n] = mode == SD_MISSING_EXCLUDE && sd__var_is_user_missing_num(v, x);
    return (long)s->n++;
}

typedef struct order_item {
    double code;
    size_t old;
} order_item;

static int cmp_order(const void *a, const void *b)
{
    double x = ((const order_item *)a)->code, y = ((const order_item *)b)->code;
    if (x != x || y != y) /* NaN last */
        return (x != x) - (y != y);
    return (x > y) - (x < y);
}

static sd_status too_many(const sd_dataset *ds, const sd_var *v, sd_error *err)
{
    return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, v->name,
                    "variable '%s' has more than %zu distinct values: expected a categorical "
                    "variable",
                    v->name, SD_MAX_CATEGORIES);
}

static sd_status build_numeric(const sd_dataset *ds, const sd_var *v, sd_missing_mode mode,
                               sd_catmap *out, sd_error *err)
{
    values s;
    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < SMALL_CODES; i++)
        s.small[i] = -1;
    sd_status st = SD_OK;
    size_t n = ds->nrows;
    /* A narrow column (data.h): the codes it holds, from one pass over its
     * bytes; rows are read through map8 rather than an index per row. */
    bool narrow = v->narrow && n > 0;
    int32_t *idx = n && !narrow ? sd__reallocarray(NULL, n, sizeof *idx) : NULL;
    order_item *ord = NULL;
    int32_t *remap = NULL;
    if (n && !narrow && !idx)
        goto nomem;
    if (narrow) {
        uint8_t seen[256] = {0};
        sd__u8_present(v->u8, n, seen);
        for (int c = 0; c < SD_U8_NONE; c++) {
            if (!seen[c])
                continue;
            long k = values_find_add(&s, v, mode, c);
            if (k == -1)
                goto nomem;
        }
    }
    for (size_t r = 0; r < n && !narrow; r++) {
        if (v->sysmis[r]) {
            idx[r] = -1;
            continue;
        }
        /* Nearly every survey code is a small whole number seen before. */
        double x = v->num[r];
        if (x >= 0 && x < SMALL_CODES) {
            int xi = (int)x;
            if ((double)xi == x && s.small[xi] >= 0) {
                idx[r] = s.small[xi];
                continue;
            }
        }
        long k = values_find_add(&s, v, mode, x);
        if (k == -1)
            goto nomem;
        if (k == -2) {
            st = too_many(ds, v, err);
            goto done;
        }
        idx[r] = (int32_t)k;
    }
    /* Value-labelled codes nobody chose are shown too. */
    for (size_t i = 0; i < v->nvl; i++) {
        if (v->vl[i].str)
            continue;
        long k = values_find_add(&s, v, mode, v->vl[i].code);
        if (k == -1)
            goto nomem;
        if (k == -2) {
            st = too_many(ds, v, err);
            goto done;
        }
    }
    /* Display order: ascending code, excluded user-missing codes dropped. */
    size_t nkeep = 0;
    ord = s.n ? sd__reallocarray(NULL, s.n, sizeof *ord) : NULL;
    remap = s.n ? sd__reallocarray(NULL, s.n, sizeof *remap) : NULL;
    if (s.n && (!ord || !remap))
        goto nomem;
    for (size_t i = 0; i < s.n; i++) {
        remap[i] = -1;
        if (!s.excluded[i]) {
            ord[nkeep].code = s.v[i];
            ord[nkeep].old = i;
            nkeep++;
        }
    }
    if (nkeep)
        qsort(ord, nkeep, sizeof *ord, cmp_order);
    out->cats = nkeep ? sd__calloc(nkeep, sizeof *out->cats) : NULL;
    if (nkeep && !out->cats)
        goto nomem;
    for (size_t k = 0; k < nkeep; k++) {
        remap[ord[k].old] = (int32_t)k;
        out->cats[k].kind = SD_CAT_CODE;
        out->cats[k].code = ord[k].code;
        out->cats[k].user_missing = sd__var_is_user_missing_num(v, ord[k].code);
    }
    out->ncats = nkeep;
    if (narrow) {
        for (int c = 0; c < 256; c++)
            out->map8[c] = c < SD_U8_NONE && s.small[c] >= 0 ? remap[s.small[c]] : -1;
        out->u8 = v->u8;
        goto done;
    }
    for (size_t r = 0; r < n; r++)
        if (idx[r] >= 0)
            idx[r] = remap[idx[r]];
    out->idx = idx;
    idx = NULL;
    goto done;
nomem:
    st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
done:
    sd__free(idx);
    sd__free(ord);
    sd__free(remap);
    sd__free(s.v);
    sd__free(s.excluded);
    sd__hindex_free(&s.big);
    return st;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static sd_status build_string(const sd_dataset *ds, const sd_var *v, sd_missing_mode mode,
                              sd_catmap *out, sd_error *err)
{
    size_t n = ds->nrows;
    /* Candidate values: every level, and value-labelled strings not met. */
    size_t ncand = v->nlevels;
    const char **cand = sd__calloc(v->nlevels + v->nvl + 1, sizeof *cand);
    int32_t *lev2cat = sd__calloc(v->nlevels + 1, sizeof *lev2cat);
    int32_t *idx = n ? sd__reallocarray(NULL, n, sizeof *idx) : NULL;
    sd_status st = SD_OK;
    if (!cand || !lev2cat || (n && !idx)) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < v->nlevels; i++)
        cand[i] = v->levels[i];
    for (size_t i = 0; i < v->nvl; i++)
        if (v->vl[i].str && sd__var_find_level(v, v->vl[i].str) < 0)
            cand[ncand++] = v->vl[i].str;
    qsort(cand, ncand, sizeof *cand, cmp_str_ptr);
    size_t nkeep = 0;
    for (size_t i = 0; i < ncand; i++) {
        if (i > 0 && strcmp(cand[i], cand[i - 1]) == 0)
            continue;
        if (mode == SD_MISSING_EXCLUDE && sd__var_is_user_missing_str(v, cand[i]))
            continue;
        cand[nkeep++] = cand[i];
    }
    if (nkeep > SD_MAX_CATEGORIES) {
        st = too_many(ds, v, err);
        goto done;
    }
    out->cats = nkeep ? sd__calloc(nkeep, sizeof *out->cats) : NULL;
    if (nkeep && !out->cats) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < v->nlevels; i++)
        lev2cat[i] = -1;
    for (size_t k = 0; k < nkeep; k++) {
        out->cats[k].kind = SD_CAT_STRING;
        out->cats[k].str = cand[k];
        out->cats[k].user_missing = sd__var_is_user_missing_str(v, cand[k]);
        long lev = sd__var_find_level(v, cand[k]);
        if (lev >= 0)
            lev2cat[lev] = (int32_t)k;
    }
    out->ncats = nkeep;
    for (size_t r = 0; r < n; r++)
        idx[r] = v->sysmis[r] ? -1 : lev2cat[v->str[r]];
    out->idx = idx;
    idx = NULL;
done:
    sd__free(cand);
    sd__free(lev2cat);
    sd__free(idx);
    return st;
}

sd_status sd__catmap_build(const sd_dataset *ds, size_t var, sd_missing_mode mode,
                           bool with_nets, sd_catmap *out, sd_error *err)
{
    memset(out, 0, sizeof *out);
    const sd_var *v = ds->vars[var];
    sd_status st = v->type == SD_TYPE_NUMERIC ? build_numeric(ds, v, mode, out, err)
                                              : build_string(ds, v, mode, out, err);
    if (st != SD_OK || !with_nets || v->nnets == 0 || v->type != SD_TYPE_NUMERIC)
        return st;
    out->nnets = v->nnets > 64 ? 64 : v->nnets;
    out->netmask = out->ncats ? sd__calloc(out->ncats, sizeof *out->netmask) : NULL;
    if (out->ncats && !out->netmask) {
        sd__catmap_free(out);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
    }
    for (size_t k = 0; k < out->ncats; k++)
        for (size_t j = 0; j < out->nnets; j++)
            for (size_t c = 0; c < v->nets[j].ncodes; c++)
                if (v->nets[j].codes[c] == out->cats[k].code)
                    out->netmask[k] |= (uint64_t)1 << j;
    return SD_OK;
}

/* ---- a category set's codes: the union of its variables' categories */

static int cmp_cat(const sd_cat *x, const sd_cat *y)
{
    if (x->kind == SD_CAT_STRING && y->kind == SD_CAT_STRING)
        return strcmp(x->str, y->str);
    if (x->kind != y->kind)
        return x->kind == SD_CAT_STRING ? 1 : -1;
    return (x->code > y->code) - (x->code < y->code);
}

void sd__catset_free(sd_catset *s)
{
    for (size_t k = 0; s->maps && k < s->nvars; k++) {
        sd__catmap_free(&s->maps[k]);
        if (s->cat2u)
            sd__free(s->cat2u[k]);
    }
    sd__free(s->maps);
    sd__free(s->cat2u);
    sd__free(s->cats);
    memset(s, 0, sizeof *s);
}

sd_status sd__catset_build(const sd_dataset *ds, const sd_mrset *m, sd_missing_mode mode,
                           sd_catset *out, sd_error *err)
{
    memset(out, 0, sizeof *out);
    out->nvars = m->nvars;
    out->maps = sd__zalloc(m->nvars, sizeof *out->maps);
    out->cat2u = sd__zalloc(m->nvars, sizeof *out->cat2u);
    if (!out->maps || !out->cat2u)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, m->name, "out of memory");
    size_t total = 0;
    for (size_t k = 0; k < m->nvars; k++) {
        sd_status st = sd__catmap_build(ds, m->vars[k], mode, false, &out->maps[k], err);
        if (st != SD_OK)
            return st;
        total += out->maps[k].ncats;
    }
    out->cats = sd__zalloc(total, sizeof *out->cats);
    if (!out->cats)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, m->name, "out of memory");
    /* Merge: each member's categories are sorted, so insert in order. */
    size_t n = 0;
    for (size_t k = 0; k < m->nvars; k++) {
        const sd_catmap *cm = &out->maps[k];
        for (size_t c = 0; c < cm->ncats; c++) {
            size_t pos = 0;
            while (pos < n && cmp_cat(&out->cats[pos], &cm->cats[c]) < 0)
                pos++;
            if (pos < n && cmp_cat(&out->cats[pos], &cm->cats[c]) == 0)
                continue;
            memmove(&out->cats[pos + 1], &out->cats[pos], (n - pos) * sizeof *out->cats);
            out->cats[pos] = cm->cats[c];
            n++;
        }
    }
    out->ncats = n;
    for (size_t k = 0; k < m->nvars; k++) {
        const sd_catmap *cm = &out->maps[k];
        if (!(out->cat2u[k] = sd__zalloc(cm->ncats, sizeof(int32_t))))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, m->name, "out of memory");
        for (size_t c = 0; c < cm->ncats; c++)
            for (size_t p = 0; p < n; p++)
                if (cmp_cat(&out->cats[p], &cm->cats[c]) == 0) {
                    out->cat2u[k][c] = (int32_t)p;
                    break;
                }
    }
    return SD_OK;
}

bool sd__cat_same(const sd_cat *a, const sd_cat *b)
{
    if (a->kind != b->kind || a->user_missing != b->user_missing)
        return false;
    switch (a->kind) {
    case SD_CAT_CODE: return a->code == b->code;
    case SD_CAT_STRING: return !strcmp(a->str, b->str);
    case SD_CAT_ITEM:
    case SD_CAT_NET: return a->index == b->index && a->code == b->code;
    case SD_CAT_TOTAL:
    case SD_CAT_MEAN:
    case SD_CAT_SUMSQ:
    case SD_CAT_NESTED:
    case SD_CAT_BELOW: return true;
    }
    return false;
}
