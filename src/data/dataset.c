/*
 * dataset.c — the dataset container: variables, rows, multiple-response
 * sets; construction for readers and the public accessors.
 */
#include "data.h"

#include <string.h>

sd_dataset *sd__dataset_new(const char *source)
{
    sd_dataset *ds = sd__calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    if (source && !(ds->source = sd__strdup(source))) {
        sd__free(ds);
        return NULL;
    }
    return ds;
}

static void var_free(sd_var *v)
{
    if (!v)
        return;
    sd__free(v->name);
    sd__labels_free(&v->label);
    sd__labels_free(&v->note);
    for (size_t i = 0; i < v->nvl; i++) {
        sd__free(v->vl[i].str);
        sd__labels_free(&v->vl[i].labels);
        sd__labels_free(&v->vl[i].nouns);
    }
    sd__free(v->vl);
    sd__free(v->miss_codes);
    for (size_t i = 0; i < v->nmiss_strs; i++)
        sd__free(v->miss_strs[i]);
    sd__free(v->miss_strs);
    for (size_t i = 0; i < v->nnets; i++) {
        sd__free(v->nets[i].name);
        sd__free(v->nets[i].codes);
        sd__labels_free(&v->nets[i].labels);
    }
    sd__free(v->nets);
    sd__free(v->sysmis);
    sd__free(v->num);
    sd__free(v->str);
    sd__free(v->u8);
    for (size_t i = 0; i < v->nlevels; i++)
        sd__free(v->levels[i]);
    sd__free(v->levels);
    if (v->intern)
        sd__hindex_free(v->intern);
    sd__free(v->intern);
    sd__free(v);
}

void sd_dataset_free(sd_dataset *ds)
{
    if (!ds)
        return;
    for (size_t i = 0; i < ds->nvars; i++)
        var_free(ds->vars[i]);
    sd__free(ds->vars);
    for (size_t i = 0; i < ds->nmr; i++) {
        sd__free(ds->mr[i]->name);
        sd__labels_free(&ds->mr[i]->label);
        sd__labels_free(&ds->mr[i]->note);
        sd__free(ds->mr[i]->vars);
        sd__free(ds->mr[i]);
    }
    sd__free(ds->mr);
    sd__hindex_free(&ds->var_names);
    sd__hindex_free(&ds->mr_names);
    sd__labels_free(&ds->title);
    sd__designspec_free(&ds->design);
    if (ds->remote)
        ds->remote->free(ds->remote);
    sd__free(ds->source);
    sd__free(ds);
}

sd_status sd__dataset_rows_here(const sd_dataset *ds, const char *what, sd_error *err)
{
    if (!ds->remote)
        return SD_OK;
    return sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, NULL,
                    "the rows stay in %s, where sondage tabulates them; %s needs them here: "
                    "expected a file (sondage convert %s -o FILE.csv exports them)",
                    ds->remote->kind, what, ds->source ? ds->source : "URI");
}

/* Letters of any script count as letters: a name is valid UTF-8, and each
 * character of two or more bytes is taken as a letter (German überhaupt,
 * Polish źdźbło, Hebrew names), as SPSS takes them. */
bool sd__valid_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || sd__utf8_valid_prefix(s, n) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            continue; /* part of a character of another script */
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                      c == '@' || c == '$' || c == '#';
        if (!(letter || (i > 0 && ((c >= '0' && c <= '9') || c == '.'))))
            return false;
    }
    return true;
}

long sd__dataset_var_index(const sd_dataset *ds, const char *name)
{
    sd_hprobe p = sd__hindex_probe(&ds->var_names, sd__hash_str(name));
    size_t i;
    while (sd__hindex_next(&ds->var_names, &p, &i))
        if (strcmp(ds->vars[i]->name, name) == 0)
            return (long)i;
    return -1;
}

sd_status sd__var_readable(const sd_dataset *ds, const sd_var *v, sd_error *err)
{
    if (!v->unread)
        return SD_OK;
    return sd__fail(err, SD_E_INTERNAL, ds->source, 0, 0, v->name,
                    "variable '%s' was not read (the file was read for other columns): "
                    "expected every variable a request uses to be read",
                    v->name);
}

sd_status sd__dataset_widen_var(const sd_dataset *ds, size_t var, sd_error *err)
{
    sd_var *v = ds->vars[var];
    if (!v->narrow || sd__var_widen(v, ds->rowcap))
        return SD_OK;
    return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
}

sd_status sd__dataset_widen(const sd_dataset *ds, sd_error *err)
{
    for (size_t i = 0; i < ds->nvars; i++) {
        sd_status st = sd__dataset_widen_var(ds, i, err);
        if (st != SD_OK)
            return st;
    }
    return SD_OK;
}

/* Allocate one column's arrays for `cap` rows, keeping `old` rows. New
 * cells are system-missing. The first allocation of the values uses
 * calloc, whose fresh pages are zero without being touched: readers fill
 * every cell anyway, and touching gigabytes twice costs seconds. */
static bool var_reserve(sd_var *v, size_t old, size_t cap)
{
    if (v->unread)
        return true; /* no values */
    if (v->narrow) {
        uint8_t *u = sd__realloc(v->u8, cap);
        if (!u)
            return false;
        memset(u + old, SD_U8_NONE, cap - old);
        v->u8 = u;
        return true;
    }
    uint8_t *m = sd__realloc(v->sysmis, cap);
    if (!m)
        return false;
    v->sysmis = m;
    memset(m + old, 1, cap - old);
    if (v->type == SD_TYPE_NUMERIC) {
        double *d = old == 0 && !v->num ? sd__calloc(cap, sizeof *d)
                                        : sd__reallocarray(v->num, cap, sizeof *d);
        if (!d)
            return false;
        if (old > 0 || v->num)
            memset(d + old, 0, (cap - old) * sizeof *d);
        v->num = d;
    } else {
        uint32_t *s = old == 0 && !v->str ? sd__calloc(cap, sizeof *s)
                                          : sd__reallocarray(v->str, cap, sizeof *s);
        if (!s)
            return false;
        if (old > 0 || v->str)
            memset(s + old, 0, (cap - old) * sizeof *s);
        v->str = s;
    }
    return true;
}

/* Do rows x variables stay within SD_MAX_CELLS? */
static bool cells_ok(size_t nrows, size_t nvars)
{
    size_t cells;
    return sd__mul_ok(nrows, nvars ? nvars : 1, &cells) && cells <= SD_MAX_CELLS;
}

bool sd__dataset_reserve_rows(sd_dataset *ds, size_t nrows)
{
    if (nrows <= ds->rowcap)
        return true;
    if (nrows > SD_MAX_ROWS || !cells_ok(nrows, ds->nvars))
        return false;
    /* The first reservation is exact (readers know an upper bound); later
     * ones double, so appending row by row stays linear. */
    size_t cap = nrows;
    if (ds->rowcap) {
        cap = ds->rowcap;
        while (cap < nrows)
            cap *= 2;
        if (cap > SD_MAX_ROWS || !cells_ok(cap, ds->nvars))
            cap = nrows; /* the doubling would pass a cap the rows themselves do not */
    }
    for (size_t i = 0; i < ds->nvars; i++)
        if (!var_reserve(ds->vars[i], ds->rowcap, cap))
            return false;
    ds->rowcap = cap;
    return true;
}

sd_status sd__dataset_grow_rows(sd_dataset *ds, size_t nrows, const char *file, long line,
                                sd_error *err)
{
    if (nrows > SD_MAX_ROWS)
        return sd__fail(err, SD_E_TOO_LARGE, file, line, 0, NULL,
                        "more than %zu rows: expected at most %zu", SD_MAX_ROWS, SD_MAX_ROWS);
    if (!cells_ok(nrows, ds->nvars))
        return sd__fail(err, SD_E_TOO_LARGE, file, line, 0, NULL,
                        "%zu rows of %zu variables pass the limit of %zu values in one dataset",
                        nrows, ds->nvars, SD_MAX_CELLS);
    if (!sd__dataset_reserve_rows(ds, nrows))
        return sd__fail(err, SD_E_NOMEM, file, line, 0, NULL, "out of memory for %zu rows", nrows);
    return SD_OK;
}

sd_status sd__dataset_add_var(sd_dataset *ds, const char *name, sd_type type, sd_var **out,
                              sd_error *err)
{
    if (!name || !*name)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL, "a variable has an empty name");
    if (sd__dataset_var_index(ds, name) >= 0 || sd_dataset_find_mrset(ds, name))
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, name,
                        "variable name '%s' is used twice", name);
    if (ds->nvars >= SD_MAX_VARS)
        return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, name,
                        "more than %zu variables", SD_MAX_VARS);
    if (!cells_ok(ds->rowcap, ds->nvars + 1))
        return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, name,
                        "%zu rows of %zu variables pass the limit of %zu values in one dataset",
                        ds->rowcap, ds->nvars + 1, SD_MAX_CELLS);
    sd_var *v = sd__calloc(1, sizeof *v);
    if (!v || !(v->name = sd__strdup(name)) ||
        !sd__grow((void **)&ds->vars, &ds->varcap, ds->nvars + 1, sizeof *ds->vars) ||
        !sd__hindex_reserve(&ds->var_names, ds->nvars + 1) ||
        (ds->rowcap && !(v->type = type, var_reserve(v, 0, ds->rowcap)))) {
        var_free(v);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
    }
    v->type = type;
    v->measure = type == SD_TYPE_STRING ? SD_MEASURE_NOMINAL : SD_MEASURE_NOMINAL;
    v->width = 8;
    sd__hindex_add(&ds->var_names, sd__hash_str(v->name), ds->nvars); /* reserved above */
    ds->vars[ds->nvars++] = v;
    if (out)
        *out = v;
    return SD_OK;
}

sd_status sd__dataset_add_mrset(sd_dataset *ds, const char *name, sd_mrset_kind kind,
                                sd_mrset **out, sd_error *err)
{
    if (!sd__valid_name(name))
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, name,
                        "'%s' is not a valid set name", name ? name : "");
    if (sd__dataset_var_index(ds, name) >= 0 || sd_dataset_find_mrset(ds, name))
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, name,
                        "set name '%s' is already used by a variable or a set", name);
    sd_mrset *m = sd__calloc(1, sizeof *m);
    if (!m || !(m->name = sd__strdup(name)) ||
        !sd__grow((void **)&ds->mr, &ds->mrcap, ds->nmr + 1, sizeof *ds->mr) ||
        !sd__hindex_reserve(&ds->mr_names, ds->nmr + 1)) {
        if (m)
            sd__free(m->name);
        sd__free(m);
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
    }
    m->kind = kind;
    m->counted = 1;
    m->ds = ds;
    sd__hindex_add(&ds->mr_names, sd__hash_str(m->name), ds->nmr); /* reserved above */
    ds->mr[ds->nmr++] = m;
    *out = m;
    return SD_OK;
}

bool sd__mrset_add_var(sd_mrset *m, size_t var_index)
{
    size_t *p = sd__reallocarray(m->vars, m->nvars + 1, sizeof *p);
    if (!p)
        return false;
    m->vars = p;
    m->vars[m->nvars++] = var_index;
    return true;
}

/* ---- public accessors */

size_t sd_dataset_nrows(const sd_dataset *ds)
{
    return ds->remote ? ds->remote->nrows : ds->nrows;
}
size_t sd_dataset_nvars(const sd_dataset *ds) { return ds->nvars; }
const sd_var *sd_dataset_var(const sd_dataset *ds, size_t i)
{
    return i < ds->nvars ? ds->vars[i] : NULL;
}
const sd_var *sd_dataset_find(const sd_dataset *ds, const char *name)
{
    long i = sd__dataset_var_index(ds, name);
    return i < 0 ? NULL : ds->vars[i];
}
size_t sd_dataset_nmrsets(const sd_dataset *ds) { return ds->nmr; }
const sd_mrset *sd_dataset_mrset(const sd_dataset *ds, size_t i)
{
    return i < ds->nmr ? ds->mr[i] : NULL;
}
const sd_mrset *sd_dataset_find_mrset(const sd_dataset *ds, const char *name)
{
    sd_hprobe p = sd__hindex_probe(&ds->mr_names, sd__hash_str(name));
    size_t i;
    while (sd__hindex_next(&ds->mr_names, &p, &i))
        if (strcmp(ds->mr[i]->name, name) == 0)
            return ds->mr[i];
    return NULL;
}
const char *sd_dataset_title(const sd_dataset *ds, const char *lang)
{
    return sd__labels_get(&ds->title, lang);
}

const char *sd_mrset_name(const sd_mrset *m) { return m->name; }
sd_mrset_kind sd_mrset_kind_of(const sd_mrset *m) { return m->kind; }
const char *sd_mrset_label(const sd_mrset *m, const char *lang)
{
    return sd__labels_get(&m->label, lang);
}
size_t sd_mrset_nvars(const sd_mrset *m) { return m->nvars; }
double sd_mrset_counted(const sd_mrset *m) { return m->counted; }
const sd_var *sd_mrset_var(const sd_mrset *m, size_t i)
{
    return i < m->nvars ? m->ds->vars[m->vars[i]] : NULL;
}
