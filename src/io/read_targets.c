/*
 * read_targets.c — the targets YAML for weighting (docs/weighting.md):
 * population, margins, totals, cells, into the plain sd_targets of the data
 * layer; and the calibration a codebook's design section records (method,
 * base weight, bounds, trimming, targets), read from a node of the
 * codebook's own document. Loading and the node readers are yaml_doc.c's
 * (capped input, depth and alias visits); the walk follows the schema.
 */
#include "io.h"
#include "yaml_doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef sd_yctx tctx;

static sd_status failn(tctx *c, sd_status st, const yaml_node_t *n, const char *var,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static sd_status failn(tctx *c, sd_status st, const yaml_node_t *n, const char *var,
                       const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sd_ypos p = n ? sd__ypos(n) : (sd_ypos){0, 0};
    return sd__yfail(c, st, p, var, "%s", msg);
}

static sd_status nomem(tctx *c)
{
    return sd__ynomem(c);
}

static sd_status node(tctx *c, int id, yaml_node_t **out)
{
    return sd__yget(c, id, out);
}

/* A scalar's text (capped, no NUL, valid UTF-8), borrowed. */
static sd_status text(tctx *c, const yaml_node_t *n, const char *what, const char *var,
                      const char **out)
{
    return sd__ywant_text(c, n, what, var, out);
}

static sd_status number(tctx *c, const yaml_node_t *n, const char *what, const char *var,
                        double *out)
{
    return sd__ywant_number(c, n, what, var, out);
}

static sd_status want(tctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *what,
                      const char *var)
{
    char d[64];
    if (n->type == t)
        return SD_OK;
    return failn(c, SD_E_PARSE, n, var, "%s must be %s, not %s", what,
                 t == YAML_MAPPING_NODE ? "a mapping" : "a list", sd__ydescribe(n, d, sizeof d));
}

static size_t map_len(const yaml_node_t *n)
{
    return sd__ymap_len(n);
}

static bool is_null(const yaml_node_t *n)
{
    return sd__yis_null(n);
}

#define TG_MAX_ITEMS SD_YMAX_ITEMS

/* Walk a mapping's pairs: key text and value node for each. */
typedef sd_status (*pair_fn)(tctx *c, void *ud, const yaml_node_t *k, const char *key,
                             const yaml_node_t *v);

static sd_status each_pair(tctx *c, const yaml_node_t *map, const char *what, pair_fn fn,
                           void *ud)
{
    if (map_len(map) > TG_MAX_ITEMS)
        return failn(c, SD_E_TOO_LARGE, map, NULL, "more than %zu entries in %s", TG_MAX_ITEMS,
                     what);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        const char *key;
        sd_status st;
        if ((st = node(c, p->key, &k)) != SD_OK || (st = node(c, p->value, &v)) != SD_OK ||
            (st = text(c, k, "a key", NULL, &key)) != SD_OK || (st = fn(c, ud, k, key, v)) != SD_OK)
            return st;
    }
    return SD_OK;
}

/* ---- margins: variable -> {key: total} */

static sd_status add_entry(tctx *c, sd_target_entry **v, size_t *n, size_t *cap,
                           const yaml_node_t *k, const char *key, const yaml_node_t *val,
                           const char *var, const char *what)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].key, key))
            return failn(c, SD_E_INVALID, k, var, "%s '%s' is given twice", what, key);
    double x;
    char buf[128];
    snprintf(buf, sizeof buf, "the target of %s '%.64s'", what, key);
    sd_status st = number(c, val, buf, var, &x);
    if (st != SD_OK)
        return st;
    if (x < 0)
        return failn(c, SD_E_INVALID, val, var,
                     "%s '%.64s' has a target of %g: expected a total or proportion >= 0", what,
                     key, x);
    if (!sd__grow((void **)v, cap, *n + 1, sizeof **v))
        return nomem(c);
    sd_target_entry *e = &(*v)[*n];
    memset(e, 0, sizeof *e);
    if (!(e->key = sd__strdup(key)))
        return nomem(c);
    e->total = x;
    e->line = (long)k->start_mark.line + 1;
    e->col = (long)k->start_mark.column + 1;
    (*n)++;
    return SD_OK;
}

typedef struct margin_ud {
    sd_target_margin *m;
    size_t cap;
} margin_ud;

static sd_status margin_pair(tctx *c, void *ud, const yaml_node_t *k, const char *key,
                             const yaml_node_t *v)
{
    margin_ud *u = ud;
    return add_entry(c, &u->m->v, &u->m->n, &u->cap, k, key, v, u->m->var, "category");
}

typedef struct targets_ud {
    sd_targets *t;
    size_t cap;
} targets_ud;

static sd_status margins_pair(tctx *c, void *ud, const yaml_node_t *k, const char *key,
                              const yaml_node_t *v)
{
    targets_ud *u = ud;
    sd_targets *t = u->t;
    if (!sd__valid_name(key))
        return failn(c, SD_E_INVALID, k, NULL,
                     "margins: '%.64s' is not a variable name (a letter or _ then letters, "
                     "digits, _ or .)",
                     key);
    for (size_t i = 0; i < t->nmargins; i++)
        if (!strcmp(t->margins[i].var, key))
            return failn(c, SD_E_INVALID, k, key, "margins: '%s' is given twice", key);
    sd_status st = want(c, v, YAML_MAPPING_NODE, "a margin", key);
    if (st != SD_OK)
        return st;
    if (map_len(v) == 0)
        return failn(c, SD_E_INVALID, v, key,
                     "margin '%s' is empty: expected category: total entries", key);
    if (!sd__grow((void **)&t->margins, &u->cap, t->nmargins + 1, sizeof *t->margins))
        return nomem(c);
    sd_target_margin *m = &t->margins[t->nmargins++];
    memset(m, 0, sizeof *m);
    m->line = (long)k->start_mark.line + 1;
    m->col = (long)k->start_mark.column + 1;
    if (!(m->var = sd__strdup(key)))
        return nomem(c);
    margin_ud mu = {m, 0};
    return each_pair(c, v, "a margin", margin_pair, &mu);
}

static sd_status totals_pair(tctx *c, void *ud, const yaml_node_t *k, const char *key,
                             const yaml_node_t *v)
{
    targets_ud *u = ud;
    if (!sd__valid_name(key))
        return failn(c, SD_E_INVALID, k, NULL, "totals: '%.64s' is not a variable name", key);
    sd_status st = add_entry(c, &u->t->totals, &u->t->ntotals, &u->cap, k, key, v, key,
                             "total of");
    if (st == SD_OK && u->t->totals[u->t->ntotals - 1].total < 0)
        return failn(c, SD_E_INVALID, v, key, "total of '%s' must be >= 0", key);
    return st;
}

/* ---- cells: a list of {var: key, ..., total: T} */

static sd_status read_cells(tctx *c, sd_targets *t, const yaml_node_t *n)
{
    sd_status st = want(c, n, YAML_SEQUENCE_NODE, "cells", NULL);
    if (st != SD_OK)
        return st;
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0)
        return failn(c, SD_E_INVALID, n, NULL, "cells is empty: expected a list of cells");
    if (count > TG_MAX_ITEMS)
        return failn(c, SD_E_TOO_LARGE, n, NULL, "more than %zu cells", TG_MAX_ITEMS);
    t->cells_line = (long)n->start_mark.line + 1;
    t->cells_col = (long)n->start_mark.column + 1;
    if (!(t->cells = sd__calloc(count, sizeof *t->cells)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *cell;
        if ((st = node(c, n->data.sequence.items.start[i], &cell)) != SD_OK)
            return st;
        if ((st = want(c, cell, YAML_MAPPING_NODE, "a cell", NULL)) != SD_OK)
            return st;
        sd_target_cell *tc = &t->cells[t->ncells++];
        tc->line = (long)cell->start_mark.line + 1;
        tc->col = (long)cell->start_mark.column + 1;
        bool has_total = false;
        size_t nk = 0;
        for (yaml_node_pair_t *p = cell->data.mapping.pairs.start;
             p < cell->data.mapping.pairs.top; p++) {
            yaml_node_t *k, *v;
            const char *key, *val;
            if ((st = node(c, p->key, &k)) != SD_OK || (st = node(c, p->value, &v)) != SD_OK ||
                (st = text(c, k, "a key", NULL, &key)) != SD_OK)
                return st;
            if (!strcmp(key, "total")) {
                if (has_total)
                    return failn(c, SD_E_INVALID, k, NULL, "a cell gives total twice");
                if ((st = number(c, v, "the total of a cell", NULL, &tc->total)) != SD_OK)
                    return st;
                if (tc->total < 0)
                    return failn(c, SD_E_INVALID, v, NULL, "a cell's total must be >= 0");
                has_total = true;
                continue;
            }
            if (!sd__valid_name(key))
                return failn(c, SD_E_INVALID, k, NULL, "cells: '%.64s' is not a variable name",
                             key);
            if ((st = text(c, v, "a cell's category", key, &val)) != SD_OK)
                return st;
            if (i == 0) {
                for (size_t j = 0; j < t->ncellvars; j++)
                    if (!strcmp(t->cellvars[j], key))
                        return failn(c, SD_E_INVALID, k, key, "a cell gives '%s' twice", key);
                char **nv = sd__reallocarray(t->cellvars, t->ncellvars + 1, sizeof *nv);
                if (!nv)
                    return nomem(c);
                t->cellvars = nv;
                if (!(t->cellvars[t->ncellvars] = sd__strdup(key)))
                    return nomem(c);
                t->ncellvars++;
            }
            size_t j = 0;
            while (j < t->ncellvars && strcmp(t->cellvars[j], key))
                j++;
            if (j == t->ncellvars)
                return failn(c, SD_E_INVALID, k, key,
                             "this cell names '%s', which the first cell does not: every cell "
                             "names the same variables",
                             key);
            /* Room for every pair: the first cell names its variables as it goes. */
            size_t room = map_len(cell) > t->ncellvars ? map_len(cell) : t->ncellvars;
            if (!tc->keys && !(tc->keys = sd__calloc(room, sizeof *tc->keys)))
                return nomem(c);
            if (tc->keys[j])
                return failn(c, SD_E_INVALID, k, key, "a cell gives '%s' twice", key);
            if (!(tc->keys[j] = sd__strdup(val)))
                return nomem(c);
            nk++;
        }
        if (!has_total)
            return failn(c, SD_E_INVALID, cell, NULL,
                         "a cell has no total: expected {variable: category, ..., total: N}");
        if (nk != t->ncellvars || nk == 0)
            return failn(c, SD_E_INVALID, cell, NULL,
                         "a cell names %zu variables where the first names %zu: every cell "
                         "names the same variables",
                         nk, t->ncellvars);
    }
    /* No cell twice. */
    for (size_t i = 0; i < t->ncells; i++)
        for (size_t j = 0; j < i; j++) {
            bool same = true;
            for (size_t k = 0; k < t->ncellvars && same; k++)
                same = !strcmp(t->cells[i].keys[k], t->cells[j].keys[k]);
            if (same)
                return sd__fail(c->err, SD_E_INVALID, c->file, t->cells[i].line,
                                t->cells[i].col, NULL, "this cell is given twice");
        }
    return SD_OK;
}

static const char *const top_keys[] = {"population", "margins", "totals", "cells", NULL};

static sd_status read_targets_node(tctx *c, const yaml_node_t *root, sd_targets *t)
{
    sd_status st = want(c, root, YAML_MAPPING_NODE, "the targets", NULL);
    if (st != SD_OK)
        return st;
    bool seen[4] = {false};
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        const char *key;
        if ((st = node(c, p->key, &k)) != SD_OK || (st = node(c, p->value, &v)) != SD_OK ||
            (st = text(c, k, "a key", NULL, &key)) != SD_OK)
            return st;
        int which = -1;
        for (int i = 0; top_keys[i]; i++)
            if (!strcmp(key, top_keys[i]))
                which = i;
        if (which < 0)
            return failn(c, SD_E_PARSE, k, NULL,
                         "unknown key '%.64s' in the targets; expected population, margins, "
                         "totals or cells",
                         key);
        if (seen[which])
            return failn(c, SD_E_PARSE, k, NULL, "'%s' is given twice", key);
        seen[which] = true;
        if (is_null(v))
            continue;
        targets_ud u = {t, 0};
        switch (which) {
        case 0:
            if ((st = number(c, v, "population", NULL, &t->population)) != SD_OK)
                return st;
            if (!(t->population > 0))
                return failn(c, SD_E_INVALID, v, NULL, "population must be more than 0");
            t->has_population = true;
            t->pop_line = (long)v->start_mark.line + 1;
            t->pop_col = (long)v->start_mark.column + 1;
            break;
        case 1:
            if ((st = want(c, v, YAML_MAPPING_NODE, "margins", NULL)) != SD_OK ||
                (st = each_pair(c, v, "margins", margins_pair, &u)) != SD_OK)
                return st;
            break;
        case 2:
            if ((st = want(c, v, YAML_MAPPING_NODE, "totals", NULL)) != SD_OK ||
                (st = each_pair(c, v, "totals", totals_pair, &u)) != SD_OK)
                return st;
            break;
        default:
            if ((st = read_cells(c, t, v)) != SD_OK)
                return st;
            break;
        }
    }
    if (!t->nmargins && !t->ntotals && !t->ncells)
        return failn(c, SD_E_INVALID, root, NULL,
                     "the targets give no margins, totals or cells: expected at least one");
    return SD_OK;
}

static sd_status targets_from(tctx *c, const yaml_node_t *root, sd_targets **out)
{
    *out = NULL;
    sd_targets *t = sd__calloc(1, sizeof *t);
    if (!t || (c->file && !(t->source = sd__strdup(c->file)))) {
        sd__targets_free(t);
        return nomem(c);
    }
    sd_status st = read_targets_node(c, root, t);
    if (st != SD_OK) {
        sd__targets_free(t);
        return st;
    }
    *out = t;
    return SD_OK;
}

sd_status sd__targets_parse(const char *yaml, size_t len, const char *name, sd_targets **out,
                            sd_error *err)
{
    *out = NULL;
    tctx c;
    yaml_node_t *root;
    sd_status st = sd__yaml_load(&c, yaml, len, name, "targets", err, &root);
    if (st == SD_OK && !root)
        st = sd__fail(err, SD_E_EMPTY, name, 0, 0, NULL,
                      "the targets file is empty: expected margins, totals or cells");
    if (st == SD_OK)
        st = targets_from(&c, root, out);
    sd__yaml_done(&c);
    return st;
}

sd_status sd_targets_read_mem(const char *yaml, size_t len, const char *name, sd_targets **out,
                              sd_error *err)
{
    return sd__targets_parse(yaml, len, name ? name : "(memory)", out, err);
}

sd_status sd_targets_open(const char *path, sd_targets **out, sd_error *err)
{
    *out = NULL;
    if (!path)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no targets file given");
    char *txt;
    size_t len;
    if (strncmp(path, "@study/", 7) == 0) {
        /* the bundled study's own (illustrative) targets, compiled in */
        const char *t = sd_study_file(path + 7, &len);
        if (!t)
            return sd__fail(err, SD_E_NOT_FOUND, path, 0, 0, NULL,
                            "the bundled study has no file '%s': expected @study/targets.yml",
                            path + 7);
        return sd__targets_parse(t, len, path, out, err);
    }
    sd_status st = sd__read_file(path, &txt, &len, err);
    if (st != SD_OK)
        return st;
    st = sd__targets_parse(txt, len, path, out, err);
    sd__free(txt);
    return st;
}

/* ---- the calibration section of a codebook's design */

static const char *const cal_keys[] = {"method",    "base",     "bounds", "trim",
                                       "tolerance", "max_iter", "force",  "targets",
                                       NULL};

static sd_status pair_of(tctx *c, const yaml_node_t *n, const char *what, double *lo,
                         double *hi)
{
    sd_status st = want(c, n, YAML_SEQUENCE_NODE, what, NULL);
    if (st != SD_OK)
        return st;
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count != 2)
        return failn(c, SD_E_INVALID, n, NULL, "%s must be a list of two numbers [lower, upper]",
                     what);
    yaml_node_t *a, *b;
    if ((st = node(c, n->data.sequence.items.start[0], &a)) != SD_OK ||
        (st = node(c, n->data.sequence.items.start[1], &b)) != SD_OK)
        return st;
    /* -.inf and .inf are YAML's infinities: bounds may be open on one side. */
    const char *as = a->type == YAML_SCALAR_NODE ? (const char *)a->data.scalar.value : "";
    const char *bs = b->type == YAML_SCALAR_NODE ? (const char *)b->data.scalar.value : "";
    if (!strcmp(as, "-.inf"))
        *lo = -INFINITY;
    else if ((st = number(c, a, what, NULL, lo)) != SD_OK)
        return st;
    if (!strcmp(bs, ".inf"))
        *hi = INFINITY;
    else if ((st = number(c, b, what, NULL, hi)) != SD_OK)
        return st;
    if (!(*lo < *hi))
        return failn(c, SD_E_INVALID, n, NULL, "%s: the lower bound must be below the upper",
                     what);
    return SD_OK;
}

sd_status sd__calibration_read(tctx *c, const yaml_node_t *n, sd_calib_decl **out)
{
    *out = NULL;
    sd_status st = want(c, n, YAML_MAPPING_NODE, "calibration", NULL);
    if (st != SD_OK)
        return st;
    sd_calib_decl *d = sd__calloc(1, sizeof *d);
    if (!d)
        return nomem(c);
    d->line = (long)n->start_mark.line + 1;
    d->col = (long)n->start_mark.column + 1;
    bool seen[8] = {false};
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         st == SD_OK && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        const char *key, *s;
        if ((st = node(c, p->key, &k)) != SD_OK || (st = node(c, p->value, &v)) != SD_OK ||
            (st = text(c, k, "a key", NULL, &key)) != SD_OK)
            break;
        int which = -1;
        for (int i = 0; cal_keys[i]; i++)
            if (!strcmp(key, cal_keys[i]))
                which = i;
        if (which < 0) {
            st = failn(c, SD_E_PARSE, k, NULL,
                       "unknown key '%.64s' in calibration; expected one of: method, base, "
                       "bounds, trim, tolerance, max_iter, force, targets",
                       key);
            break;
        }
        if (seen[which]) {
            st = failn(c, SD_E_PARSE, k, NULL, "'%s' is given twice", key);
            break;
        }
        seen[which] = true;
        double x;
        switch (which) {
        case 0:
            if ((st = text(c, v, "method", NULL, &s)) != SD_OK)
                break;
            if (strcmp(s, "rake") && strcmp(s, "poststratify") && strcmp(s, "linear") &&
                strcmp(s, "raking") && strcmp(s, "logit")) {
                st = failn(c, SD_E_INVALID, v, NULL,
                           "method must be rake, poststratify, linear, raking or logit, not "
                           "'%.64s'",
                           s);
                break;
            }
            if (!(d->method = sd__strdup(s)))
                st = nomem(c);
            break;
        case 1:
            if ((st = text(c, v, "base", NULL, &s)) != SD_OK)
                break;
            if (!sd__valid_name(s)) {
                st = failn(c, SD_E_INVALID, v, NULL, "base must be a variable name");
                break;
            }
            if (!(d->base = sd__strdup(s)))
                st = nomem(c);
            break;
        case 2:
            st = pair_of(c, v, "bounds", &d->lower, &d->upper);
            d->has_bounds = st == SD_OK;
            break;
        case 3:
            st = pair_of(c, v, "trim", &d->trim_lower, &d->trim_upper);
            d->has_trim = st == SD_OK;
            break;
        case 4:
            if ((st = number(c, v, "tolerance", NULL, &d->tolerance)) == SD_OK &&
                !(d->tolerance > 0))
                st = failn(c, SD_E_INVALID, v, NULL, "tolerance must be more than 0");
            d->has_tolerance = st == SD_OK;
            break;
        case 5:
            if ((st = number(c, v, "max_iter", NULL, &x)) == SD_OK &&
                !(x >= 1 && x <= 100000 && x == floor(x)))
                st = failn(c, SD_E_INVALID, v, NULL,
                           "max_iter must be a whole number from 1 to 100000");
            d->max_iter = (long)x;
            break;
        case 6:
            if (v->type == YAML_SCALAR_NODE &&
                (!strcmp((const char *)v->data.scalar.value, "true") ||
                 !strcmp((const char *)v->data.scalar.value, "false")))
                d->force = !strcmp((const char *)v->data.scalar.value, "true");
            else
                st = failn(c, SD_E_INVALID, v, NULL, "force must be true or false");
            break;
        default:
            st = targets_from(c, v, &d->targets);
            break;
        }
    }
    if (st == SD_OK && !d->method)
        st = failn(c, SD_E_INVALID, n, NULL, "calibration has no method");
    if (st == SD_OK && !d->targets)
        st = failn(c, SD_E_INVALID, n, NULL, "calibration has no targets");
    if (st != SD_OK) {
        sd__calib_decl_free(d);
        return st;
    }
    *out = d;
    return SD_OK;
}
