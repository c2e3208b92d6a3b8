/*
 * variable.c — one variable: its string levels, value labels, user-missing
 * values, nets, type conversions, and the public accessors.
 */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- string levels: while a column is built, the shared hash index
 * (v->intern, an sd_hindex) maps each value to its level. */
bool sd__var_intern(sd_var *v, const char *s, size_t n, uint32_t *idx)
{
    sd_hindex *t = v->intern;
    if (!t) {
        if (!(t = sd__calloc(1, sizeof *t)))
            return false;
        v->intern = t;
        /* Levels already there (a column converted while being built). */
        for (size_t i = 0; i < v->nlevels; i++)
            if (!sd__hindex_add(t, sd__hash_str(v->levels[i]), i))
                return false;
    }
    uint64_t h = sd__hash_bytes(s, n);
    sd_hprobe p = sd__hindex_probe(t, h);
    size_t it;
    while (sd__hindex_next(t, &p, &it)) {
        const char *lv = v->levels[it];
        if (strncmp(lv, s, n) == 0 && lv[n] == '\0') {
            *idx = (uint32_t)it;
            return true;
        }
    }
    if (v->nlevels >= UINT32_MAX - 1)
        return false;
    char *copy = sd__strndup(s, n);
    if (!copy || !sd__grow((void **)&v->levels, &v->levcap, v->nlevels + 1, sizeof *v->levels) ||
        !sd__hindex_add(t, h, v->nlevels)) {
        sd__free(copy);
        return false;
    }
    v->levels[v->nlevels] = copy;
    *idx = (uint32_t)v->nlevels++;
    if ((int)n > v->width)
        v->width = n > 32767 ? 32767 : (int)n;
    return true;
}

/* Drop the builder hash. */
static void intern_free(sd_var *v)
{
    if (v->intern) {
        sd__hindex_free(v->intern);
        sd__free(v->intern);
        v->intern = NULL;
    }
}

static int cmp_level_ptr(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

bool sd__var_finish_levels(sd_var *v, size_t nrows)
{
    intern_free(v);
    if (v->type != SD_TYPE_STRING || v->nlevels < 2)
        return true;
    char ***order = sd__reallocarray(NULL, v->nlevels, sizeof *order);
    uint32_t *remap = sd__reallocarray(NULL, v->nlevels, sizeof *remap);
    char **sorted = sd__reallocarray(NULL, v->nlevels, sizeof *sorted);
    if (!order || !remap || !sorted) {
        sd__free(order);
        sd__free(remap);
        sd__free(sorted);
        return false;
    }
    for (size_t i = 0; i < v->nlevels; i++)
        order[i] = &v->levels[i];
    qsort(order, v->nlevels, sizeof *order, cmp_level_ptr);
    for (size_t k = 0; k < v->nlevels; k++) {
        size_t old = (size_t)(order[k] - v->levels);
        remap[old] = (uint32_t)k;
        sorted[k] = v->levels[old];
    }
    for (size_t r = 0; r < nrows; r++)
        if (!v->sysmis[r])
            v->str[r] = remap[v->str[r]];
    sd__free(v->levels);
    v->levels = sorted;
    v->levcap = v->nlevels;
    sd__free(order);
    sd__free(remap);
    return true;
}

long sd__var_find_level(const sd_var *v, const char *s)
{
    /* Levels are sorted once finished; before that, the builder hash. */
    if (v->intern) {
        sd_hprobe p = sd__hindex_probe(v->intern, sd__hash_str(s));
        size_t it;
        while (sd__hindex_next(v->intern, &p, &it))
            if (strcmp(v->levels[it], s) == 0)
                return (long)it;
        return -1;
    }
    size_t lo = 0, hi = v->nlevels;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v->levels[mid], s);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- value labels */

long sd__var_find_vlabel_num(const sd_var *v, double code)
{
    for (size_t i = 0; i < v->nvl; i++)
        if (!v->vl[i].str && v->vl[i].code == code)
            return (long)i;
    return -1;
}

long sd__var_find_vlabel_str(const sd_var *v, const char *value)
{
    for (size_t i = 0; i < v->nvl; i++)
        if (v->vl[i].str && strcmp(v->vl[i].str, value) == 0)
            return (long)i;
    return -1;
}

static sd_vlabel *vl_add(sd_var *v)
{
    if (!sd__grow((void **)&v->vl, &v->vlcap, v->nvl + 1, sizeof *v->vl))
        return NULL;
    sd_vlabel *l = &v->vl[v->nvl];
    memset(l, 0, sizeof *l);
    return l;
}

bool sd__var_set_vlabel_num(sd_var *v, double code, const char *lang, const char *text)
{
    long i = sd__var_find_vlabel_num(v, code);
    if (i >= 0)
        return sd__labels_set(&v->vl[i].labels, lang, text);
    sd_vlabel *l = vl_add(v);
    if (!l)
        return false;
    l->code = code;
    if (!sd__labels_set(&l->labels, lang, text))
        return false;
    v->nvl++;
    return true;
}

bool sd__var_set_vlabel_str(sd_var *v, const char *value, const char *lang, const char *text)
{
    long i = sd__var_find_vlabel_str(v, value);
    if (i >= 0)
        return sd__labels_set(&v->vl[i].labels, lang, text);
    sd_vlabel *l = vl_add(v);
    if (!l || !(l->str = sd__strdup(value)))
        return false;
    if (!sd__labels_set(&l->labels, lang, text)) {
        sd__free(l->str);
        l->str = NULL;
        return false;
    }
    v->nvl++;
    return true;
}

/* ---- missing values */

bool sd__var_add_missing_code(sd_var *v, double code)
{
    for (size_t i = 0; i < v->nmiss; i++)
        if (v->miss_codes[i] == code)
            return true;
    if (!sd__grow((void **)&v->miss_codes, &v->misscap, v->nmiss + 1, sizeof *v->miss_codes))
        return false;
    v->miss_codes[v->nmiss++] = code;
    return true;
}

bool sd__var_add_missing_str(sd_var *v, const char *s)
{
    char *c = sd__strdup(s);
    if (!c || !sd__grow((void **)&v->miss_strs, &v->missstrcap, v->nmiss_strs + 1,
                        sizeof *v->miss_strs)) {
        sd__free(c);
        return false;
    }
    v->miss_strs[v->nmiss_strs++] = c;
    return true;
}

void sd__var_set_missing_range(sd_var *v, double lo, double hi)
{
    v->has_miss_range = true;
    v->miss_lo = lo;
    v->miss_hi = hi;
}

void sd__var_clear_missing(sd_var *v)
{
    v->nmiss = 0;
    v->has_miss_range = false;
    for (size_t i = 0; i < v->nmiss_strs; i++)
        sd__free(v->miss_strs[i]);
    v->nmiss_strs = 0;
}

bool sd__var_is_user_missing_num(const sd_var *v, double x)
{
    for (size_t i = 0; i < v->nmiss; i++)
        if (v->miss_codes[i] == x)
            return true;
    return v->has_miss_range && x >= v->miss_lo && x <= v->miss_hi;
}

bool sd__var_is_user_missing_str(const sd_var *v, const char *s)
{
    for (size_t i = 0; i < v->nmiss_strs; i++)
        if (strcmp(v->miss_strs[i], s) == 0)
            return true;
    return false;
}

/* ---- nets */

bool sd__var_add_net(sd_var *v, const char *name, const double *codes, size_t ncodes,
                     sd_net **out)
{
    if (!sd__grow((void **)&v->nets, &v->netcap, v->nnets + 1, sizeof *v->nets))
        return false;
    sd_net *n = &v->nets[v->nnets];
    memset(n, 0, sizeof *n);
    n->name = sd__strdup(name);
    n->codes = ncodes ? sd__reallocarray(NULL, ncodes, sizeof *codes) : NULL;
    if (!n->name || (ncodes && !n->codes)) {
        sd__free(n->name);
        sd__free(n->codes);
        return false;
    }
    if (ncodes)
        memcpy(n->codes, codes, ncodes * sizeof *codes);
    n->ncodes = ncodes;
    v->nnets++;
    if (out)
        *out = n;
    return true;
}

/* ---- type conversions */

sd_status sd__var_to_numeric(sd_var *v, size_t nrows, const char *file, sd_error *err)
{
    if (v->type == SD_TYPE_NUMERIC)
        return SD_OK;
    size_t nl = v->nlevels ? v->nlevels : 1;
    double *lv = sd__reallocarray(NULL, nl, sizeof *lv);
    double *num = nrows ? sd__reallocarray(NULL, nrows, sizeof *num) : NULL;
    if (!lv || (nrows && !num)) {
        sd__free(lv);
        sd__free(num);
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, v->name, "out of memory");
    }
    for (size_t i = 0; i < v->nlevels; i++) {
        if (!sd__parse_double(v->levels[i], strlen(v->levels[i]), false, &lv[i])) {
            /* Name the first row holding this value. */
            size_t row = 0;
            for (size_t r = 0; r < nrows; r++)
                if (!v->sysmis[r] && v->str[r] == i) {
                    row = r + 1;
                    break;
                }
            sd__free(lv);
            sd__free(num);
            return sd__fail(err, SD_E_CONFLICT, file, 0, 0, v->name,
                            "variable '%s' is declared numeric but row %zu holds '%s'", v->name,
                            row, v->levels[i]);
        }
    }
    for (size_t r = 0; r < nrows; r++)
        num[r] = v->sysmis[r] ? 0 : lv[v->str[r]];
    sd__free(lv);
    sd__free(v->str);
    v->str = NULL;
    for (size_t i = 0; i < v->nlevels; i++)
        sd__free(v->levels[i]);
    sd__free(v->levels);
    v->levels = NULL;
    v->nlevels = v->levcap = 0;
    intern_free(v);
    v->num = num;
    v->type = SD_TYPE_NUMERIC;
    v->width = 8;
    return SD_OK;
}

bool sd__var_to_string(sd_var *v, size_t nrows)
{
    if (v->type == SD_TYPE_STRING)
        return true;
    if (v->narrow && !sd__var_widen(v, nrows))
        return false;
    uint32_t *str = nrows ? sd__calloc(nrows, sizeof *str) : NULL;
    if (nrows && !str)
        return false;
    v->type = SD_TYPE_STRING;
    v->width = 1;
    for (size_t r = 0; r < nrows; r++) {
        if (v->sysmis[r])
            continue;
        char buf[SD_NUMBUF];
        int n = sd__fmt_double(buf, v->num[r]);
        if (!sd__var_intern(v, buf, (size_t)n, &str[r])) {
            sd__free(str);
            return false;
        }
    }
    sd__free(v->num);
    v->num = NULL;
    v->str = str;
    return sd__var_finish_levels(v, nrows);
}

/* ---- public accessors */

const char *sd_var_name(const sd_var *v) { return v->name; }
sd_type sd_var_type(const sd_var *v) { return v->type; }
sd_measure sd_var_measure(const sd_var *v) { return v->measure; }
const char *sd_var_label(const sd_var *v, const char *lang)
{
    return sd__labels_get(&v->label, lang);
}
size_t sd_var_nvalue_labels(const sd_var *v) { return v->nvl; }
double sd_var_value_code(const sd_var *v, size_t i) { return i < v->nvl ? v->vl[i].code : NAN; }
const char *sd_var_value_string(const sd_var *v, size_t i)
{
    return i < v->nvl ? v->vl[i].str : NULL;
}
const char *sd_var_value_label(const sd_var *v, size_t i, const char *lang)
{
    return i < v->nvl ? sd__labels_get(&v->vl[i].labels, lang) : NULL;
}
int sd_var_is_missing(const sd_var *v, size_t row)
{
    if (v->unread || (!v->sysmis && !v->u8)) /* not read, or no rows (a database) */
        return 1;
    if (v->type == SD_TYPE_NUMERIC)
        return sd__var_sysmis(v, row) || sd__var_is_user_missing_num(v, sd__var_value(v, row));
    if (v->sysmis[row])
        return 1;
    return sd__var_is_user_missing_str(v, v->levels[v->str[row]]);
}
double sd_var_num(const sd_var *v, size_t row)
{
    if (v->narrow)
        return sd__var_value(v, row);
    return v->num ? v->num[row] : NAN;
}
const char *sd_var_str(const sd_var *v, size_t row)
{
    if (v->unread || v->type != SD_TYPE_STRING || !v->sysmis || v->sysmis[row])
        return NULL;
    return v->levels[v->str[row]];
}

/* ---- narrow columns */

bool sd__var_narrow(sd_var *v, size_t n)
{
    if (v->narrow || v->unread || v->type != SD_TYPE_NUMERIC || !v->num || !v->sysmis || !n)
        return false;
    for (size_t r = 0; r < n; r++) {
        double x = v->num[r];
        if (!v->sysmis[r] && !(!signbit(x) && x < SD_U8_NONE && x == (double)(int)x))
            return false;
    }
    uint8_t *u = sd__realloc(NULL, n);
    if (!u)
        return false;
    for (size_t r = 0; r < n; r++)
        u[r] = v->sysmis[r] ? SD_U8_NONE : (uint8_t)v->num[r];
    sd__free(v->num);
    sd__free(v->sysmis);
    v->num = NULL;
    v->sysmis = NULL;
    v->u8 = u;
    v->narrow = true;
    return true;
}

bool sd__var_widen(sd_var *v, size_t n)
{
    if (!v->narrow)
        return true;
    double *num = sd__calloc(n ? n : 1, sizeof *num);
    uint8_t *mis = sd__calloc(n ? n : 1, 1);
    if (!num || !mis) {
        sd__free(num);
        sd__free(mis);
        return false;
    }
    for (size_t r = 0; r < n; r++) {
        uint8_t c = v->u8[r];
        mis[r] = c == SD_U8_NONE;
        num[r] = c == SD_U8_NONE ? 0 : (double)c;
    }
    sd__free(v->u8);
    v->u8 = NULL;
    v->narrow = false;
    v->num = num;
    v->sysmis = mis;
    return true;
}

bool sd__var_blank_string(sd_var *v, size_t n)
{
    if (v->type != SD_TYPE_NUMERIC || v->unread)
        return false;
    for (size_t r = 0; r < n; r++)
        if (!sd__var_sysmis(v, r))
            return false;
    uint8_t *mis = sd__calloc(n ? n : 1, 1);
    uint32_t *str = sd__calloc(n ? n : 1, sizeof *str);
    if (!mis || !str) {
        sd__free(mis);
        sd__free(str);
        return false;
    }
    memset(mis, 1, n);
    sd__free(v->num);
    sd__free(v->sysmis);
    sd__free(v->u8);
    v->num = NULL;
    v->u8 = NULL;
    v->narrow = false;
    v->sysmis = mis;
    v->str = str;
    v->type = SD_TYPE_STRING;
    v->measure = SD_MEASURE_NOMINAL;
    v->width = v->width > 0 ? v->width : 1;
    return true;
}
