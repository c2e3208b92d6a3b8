/*
 * filter_eval.c — filter expressions (spec/filter.c) evaluated on a
 * dataset's rows into a mask, once per request at plan time, so the pass
 * over rows only tests one byte per row.
 *
 * Logic is three-valued, as SPSS's: a comparison on a missing value
 * (system-missing, or a user-missing code) is unknown; `not` keeps unknown;
 * `and` is false when either side is false, `or` true when either is true;
 * a row is kept when the whole expression is true. `missing(VAR)` is true
 * for system- and user-missing values and never unknown. A quoted value
 * compared with a numeric variable names one of its value labels (in any
 * language), so `role = "Marketer"` reads as the code it labels.
 */
#include "plan.h"

#include <stdio.h>
#include <string.h>

enum { F_FALSE = 0, F_TRUE = 1, F_UNKNOWN = 2 };

typedef struct ectx {
    const sd_dataset *ds;
    const char *origin; /* "--filter 'role = 2'" */
    sd_error *err;
} ectx;

/* The code a value stands for on a numeric variable: the number, or the
 * code whose value label is the quoted text. */
static sd_status code_of(ectx *c, const sd_fnode *n, const sd_var *v, const sd_fval *val,
                         double *code)
{
    if (!val->is_str) {
        *code = val->num;
        return SD_OK;
    }
    for (size_t i = 0; i < v->nvl; i++) {
        if (v->vl[i].str)
            continue;
        for (size_t k = 0; k < v->vl[i].labels.n; k++)
            if (strcmp(v->vl[i].labels.v[k].text, val->str) == 0) {
                *code = v->vl[i].code;
                return SD_OK;
            }
    }
    return sd__fail(c->err, SD_E_INVALID, c->ds->source, 0, 0, v->name,
                    "%s: at character %zu: '%s' is numeric and none of its value labels is "
                    "\"%s\": expected a code (a number) or one of its labels",
                    c->origin, n->at, v->name, val->str);
}

static bool cmp_num(sd_fcmp op, double x, double y)
{
    switch (op) {
    case SD_FC_EQ: return x == y;
    case SD_FC_NE: return x != y;
    case SD_FC_LT: return x < y;
    case SD_FC_LE: return x <= y;
    case SD_FC_GT: return x > y;
    case SD_FC_GE: return x >= y;
    }
    return false;
}

static bool cmp_str(sd_fcmp op, const char *x, const char *y)
{
    int r = strcmp(x, y);
    switch (op) {
    case SD_FC_EQ: return r == 0;
    case SD_FC_NE: return r != 0;
    case SD_FC_LT: return r < 0;
    case SD_FC_LE: return r <= 0;
    case SD_FC_GT: return r > 0;
    case SD_FC_GE: return r >= 0;
    }
    return false;
}

static bool is_missing(const sd_var *v, size_t r)
{
    if (v->sysmis[r])
        return true;
    return v->type == SD_TYPE_NUMERIC ? sd__var_is_user_missing_num(v, v->num[r])
                                      : sd__var_is_user_missing_str(v, v->levels[v->str[r]]);
}

/* A leaf: comparison, list or missing(). */
static sd_status leaf(ectx *c, const sd_fnode *n, uint8_t *out)
{
    const sd_dataset *ds = c->ds;
    long vi = sd__dataset_var_index(ds, n->var);
    if (vi < 0) {
        char where[200];
        snprintf(where, sizeof where, "%s: at character %zu: ", c->origin, n->at);
        return sd__unknown_name(ds, n->var, "variable", false, where, c->err);
    }
    sd_status rst = sd__var_readable(ds, ds->vars[vi], c->err);
    if (rst != SD_OK)
        return rst;
    const sd_var *v = ds->vars[vi];
    size_t rows = ds->nrows;
    if (n->kind == SD_F_MISSING) {
        for (size_t r = 0; r < rows; r++)
            out[r] = is_missing(v, r) ? F_TRUE : F_FALSE;
        return SD_OK;
    }
    bool num = v->type == SD_TYPE_NUMERIC;
    double *codes = NULL;
    if (num) {
        if (!(codes = sd__zalloc(n->nvals, sizeof *codes)))
            return sd__fail(c->err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        for (size_t k = 0; k < n->nvals; k++) {
            if (n->vals[k].is_str && n->kind == SD_F_CMP && n->cmp != SD_FC_EQ &&
                n->cmp != SD_FC_NE) {
                sd__free(codes);
                return sd__fail(c->err, SD_E_INVALID, ds->source, 0, 0, v->name,
                                "%s: at character %zu: '%s' is numeric: expected a number to "
                                "order it by, not \"%s\"",
                                c->origin, n->at, v->name, n->vals[k].str);
            }
            sd_status st = code_of(c, n, v, &n->vals[k], &codes[k]);
            if (st != SD_OK) {
                sd__free(codes);
                return st;
            }
        }
    } else {
        for (size_t k = 0; k < n->nvals; k++)
            if (!n->vals[k].is_str) {
                char b[SD_NUMBUF];
                sd__fmt_double(b, n->vals[k].num);
                return sd__fail(c->err, SD_E_INVALID, ds->source, 0, 0, v->name,
                                "%s: at character %zu: '%s' is a string variable: expected a "
                                "value in quotes, such as \"%s\", not %s",
                                c->origin, n->at, v->name, b, b);
            }
    }
    for (size_t r = 0; r < rows; r++) {
        if (is_missing(v, r)) {
            out[r] = F_UNKNOWN;
            continue;
        }
        bool hit = false;
        for (size_t k = 0; k < n->nvals && !hit; k++) {
            sd_fcmp op = n->kind == SD_F_IN ? SD_FC_EQ : n->cmp;
            hit = num ? cmp_num(op, v->num[r], codes[k])
                      : cmp_str(op, v->levels[v->str[r]], n->vals[k].str);
        }
        out[r] = hit ? F_TRUE : F_FALSE;
    }
    sd__free(codes);
    return SD_OK;
}

static sd_status eval(ectx *c, const sd_fnode *n, uint8_t *out)
{
    size_t rows = c->ds->nrows;
    sd_status st;
    switch (n->kind) {
    case SD_F_CMP:
    case SD_F_IN:
    case SD_F_MISSING: return leaf(c, n, out);
    case SD_F_NOT:
        if ((st = eval(c, n->a, out)) != SD_OK)
            return st;
        for (size_t r = 0; r < rows; r++)
            out[r] = out[r] == F_UNKNOWN ? F_UNKNOWN : (uint8_t)!out[r];
        return SD_OK;
    case SD_F_AND:
    case SD_F_OR: {
        uint8_t *b = sd__zalloc(rows, 1);
        if (!b)
            return sd__fail(c->err, SD_E_NOMEM, c->ds->source, 0, 0, NULL, "out of memory");
        if ((st = eval(c, n->a, out)) == SD_OK && (st = eval(c, n->b, b)) == SD_OK) {
            uint8_t dom = n->kind == SD_F_AND ? F_FALSE : F_TRUE;
            for (size_t r = 0; r < rows; r++)
                out[r] = out[r] == dom || b[r] == dom
                             ? dom
                             : (out[r] == F_UNKNOWN || b[r] == F_UNKNOWN ? F_UNKNOWN
                                                                         : (uint8_t)!dom);
        }
        sd__free(b);
        return st;
    }
    }
    return SD_E_INTERNAL;
}

sd_status sd__filter_mask(const sd_dataset *ds, sd_fnode *const *filters,
                          char *const *texts, size_t n, uint8_t **mask, sd_error *err)
{
    *mask = NULL;
    if (!n)
        return SD_OK;
    uint8_t *m = sd__zalloc(ds->nrows, 1), *one = sd__zalloc(ds->nrows, 1);
    if (!m || !one) {
        sd__free(m);
        sd__free(one);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    }
    memset(m, 1, ds->nrows);
    sd_status st = SD_OK;
    char origin[160];
    for (size_t k = 0; k < n && st == SD_OK; k++) {
        snprintf(origin, sizeof origin, "--filter '%.120s%s'", texts[k],
                 strlen(texts[k]) > 120 ? "..." : "");
        ectx c = {ds, origin, err};
        if ((st = eval(&c, filters[k], one)) == SD_OK)
            for (size_t r = 0; r < ds->nrows; r++)
                m[r] &= one[r] == F_TRUE;
    }
    sd__free(one);
    if (st != SD_OK) {
        sd__free(m);
        return st;
    }
    *mask = m;
    return SD_OK;
}
