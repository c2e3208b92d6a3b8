/*
 * targets.c — population targets for weighting and the calibration a
 * codebook records, as plain owned data (freeing and deep copies); the
 * reader is src/io/read_targets.c, the methods src/weight/.
 */
#include "data.h"

#include <string.h>

static void entries_free(sd_target_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sd__free(v[i].key);
    sd__free(v);
}

void sd__targets_free(sd_targets *t)
{
    if (!t)
        return;
    sd__free(t->source);
    for (size_t i = 0; i < t->nmargins; i++) {
        sd__free(t->margins[i].var);
        entries_free(t->margins[i].v, t->margins[i].n);
    }
    sd__free(t->margins);
    entries_free(t->totals, t->ntotals);
    for (size_t i = 0; i < t->ncells; i++) {
        for (size_t k = 0; k < t->ncellvars; k++)
            sd__free(t->cells[i].keys ? t->cells[i].keys[k] : NULL);
        sd__free(t->cells[i].keys);
    }
    sd__free(t->cells);
    for (size_t k = 0; k < t->ncellvars; k++)
        sd__free(t->cellvars[k]);
    sd__free(t->cellvars);
    sd__free(t);
}

void sd_targets_free(sd_targets *t)
{
    sd__targets_free(t);
}

static bool dup_str(char **dst, const char *src)
{
    *dst = NULL;
    return !src || (*dst = sd__strdup(src)) != NULL;
}

/* Copy n entries; on failure *dst holds what was copied (keys NULL beyond). */
static bool copy_entries(sd_target_entry **dst, size_t *dn, const sd_target_entry *src,
                         size_t n)
{
    *dst = NULL;
    *dn = 0;
    if (!n)
        return true;
    if (!(*dst = sd__calloc(n, sizeof **dst)))
        return false;
    *dn = n;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        (*dst)[i] = src[i];
        (*dst)[i].key = NULL;
        ok = ok && dup_str(&(*dst)[i].key, src[i].key);
    }
    return ok;
}

sd_targets *sd__targets_copy(const sd_targets *t)
{
    if (!t)
        return NULL;
    sd_targets *c = sd__calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* Scalars first; every array is calloc'd with its count set at once,
     * so a failure part-way leaves NULLs that sd__targets_free skips. */
    c->has_population = t->has_population;
    c->population = t->population;
    c->pop_line = t->pop_line;
    c->pop_col = t->pop_col;
    c->cells_line = t->cells_line;
    c->cells_col = t->cells_col;
    bool ok = dup_str(&c->source, t->source);
    if (ok && t->nmargins) {
        ok = (c->margins = sd__calloc(t->nmargins, sizeof *c->margins)) != NULL;
        if (ok)
            c->nmargins = t->nmargins;
        for (size_t i = 0; ok && i < t->nmargins; i++) {
            c->margins[i].line = t->margins[i].line;
            c->margins[i].col = t->margins[i].col;
            ok = dup_str(&c->margins[i].var, t->margins[i].var);
            ok = copy_entries(&c->margins[i].v, &c->margins[i].n, t->margins[i].v,
                              t->margins[i].n) &&
                 ok;
        }
    }
    if (ok)
        ok = copy_entries(&c->totals, &c->ntotals, t->totals, t->ntotals);
    if (ok && t->ncellvars) {
        ok = (c->cellvars = sd__calloc(t->ncellvars, sizeof *c->cellvars)) != NULL;
        if (ok)
            c->ncellvars = t->ncellvars;
        for (size_t k = 0; ok && k < t->ncellvars; k++)
            ok = dup_str(&c->cellvars[k], t->cellvars[k]);
    }
    if (ok && t->ncells) {
        ok = (c->cells = sd__calloc(t->ncells, sizeof *c->cells)) != NULL;
        if (ok)
            c->ncells = t->ncells;
        for (size_t i = 0; ok && i < t->ncells; i++) {
            c->cells[i].total = t->cells[i].total;
            c->cells[i].line = t->cells[i].line;
            c->cells[i].col = t->cells[i].col;
            ok = (c->cells[i].keys = sd__calloc(t->ncellvars ? t->ncellvars : 1,
                                                sizeof(char *))) != NULL;
            for (size_t k = 0; ok && k < t->ncellvars; k++)
                ok = dup_str(&c->cells[i].keys[k], t->cells[i].keys[k]);
        }
    }
    if (!ok) {
        sd__targets_free(c);
        return NULL;
    }
    return c;
}

void sd__calib_decl_free(sd_calib_decl *c)
{
    if (!c)
        return;
    sd__free(c->method);
    sd__free(c->base);
    sd__targets_free(c->targets);
    sd__free(c);
}

sd_calib_decl *sd__calib_decl_copy(const sd_calib_decl *c)
{
    if (!c)
        return NULL;
    sd_calib_decl *d = sd__calloc(1, sizeof *d);
    if (!d)
        return NULL;
    *d = *c;
    d->method = d->base = NULL;
    d->targets = NULL;
    if (!dup_str(&d->method, c->method) || !dup_str(&d->base, c->base) ||
        (c->targets && !(d->targets = sd__targets_copy(c->targets)))) {
        sd__calib_decl_free(d);
        return NULL;
    }
    return d;
}
