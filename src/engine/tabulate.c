/*
 * tabulate.c — a table request resolved against a dataset, then one pass
 * per table (pass.c): the row entries and banners expanded into names
 * (names.c), each banner's columns (banner.c), the rows in the analysis
 * (filters, filter_eval.c; rows whose weight is 0, blank or negative are
 * left out and counted), the design (design.c) and which of its sums each
 * table gathers. All of this is plan-time work: the pass itself only adds.
 */
#include "plan.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* ---- row entries: NAME, NAME:cat, NAME:mean, A TO B, patterns */

typedef struct rowent {
    char *name; /* owned */
    int force;  /* 0, 1 (:cat) or 2 (:mean) */
} rowent;

typedef struct rowlist {
    rowent *v;
    size_t n, cap;
} rowlist;

static void rowlist_free(rowlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        sd__free(l->v[i].name);
    sd__free(l->v);
}

static sd_status expand_rows(const sd_dataset *ds, const sd_tabspec *spec, rowlist *out,
                             sd_error *err)
{
    for (size_t i = 0; i < spec->nrows; i++) {
        const char *entry = spec->rows[i];
        int force = 0;
        size_t len = strlen(entry);
        while (len && (entry[len - 1] == ' ' || entry[len - 1] == '\t'))
            len--;
        /* A measure override, as the last part after a colon. */
        static const struct {
            const char *suffix;
            int force;
        } mods[] = {{":cat", 1}, {":mean", 2}};
        for (size_t k = 0; k < 2; k++) {
            size_t sl = strlen(mods[k].suffix);
            if (len > sl && memcmp(entry + len - sl, mods[k].suffix, sl) == 0) {
                force = mods[k].force;
                len -= sl;
            }
        }
        char *base = sd__strndup(entry, len);
        sd_names names;
        memset(&names, 0, sizeof names);
        sd_status st = base ? sd__expand_names(ds, base, true, "variable or set", &names, err)
                            : sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        sd__free(base);
        for (size_t k = 0; st == SD_OK && k < names.n; k++) {
            if (!sd__grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v)) {
                st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
                break;
            }
            out->v[out->n].name = names.v[k];
            out->v[out->n++].force = force;
            names.v[k] = NULL;
        }
        sd__names_free(&names);
        if (st != SD_OK)
            return st;
    }
    return SD_OK;
}

/* Banner entries: a nested banner is one entry; a name or pattern may
 * stand for several banners. */
static sd_status expand_cols(const sd_dataset *ds, const sd_tabspec *spec, sd_names *out,
                             sd_error *err)
{
    for (size_t i = 0; i < spec->ncols; i++) {
        const char *entry = spec->cols[i];
        if (strchr(entry, '>')) {
            char *c = sd__strdup(entry);
            if (!c || !sd__grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v)) {
                sd__free(c);
                return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            }
            out->v[out->n++] = c;
            continue;
        }
        sd_status st = sd__expand_names(ds, entry, true, "banner variable", out, err);
        if (st != SD_OK)
            return st;
    }
    return SD_OK;
}

/* ---- a table's row dimension */

static sd_status var_rows(const sd_dataset *ds, long vi, sd_missing_mode mode, sd_wtable *t,
                          sd_catmap *rm, sd_error *err)
{
    const sd_var *v = ds->vars[vi];
    sd_status st = sd__catmap_build(ds, (size_t)vi, mode, true, rm, err);
    if (st != SD_OK)
        return st;
    t->nnets = rm->nnets;
    t->nrows = rm->ncats + rm->nnets;
    t->rows = sd__zalloc(t->nrows, sizeof *t->rows);
    if (!t->rows)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, v->name, "out of memory");
    if (rm->ncats)
        memcpy(t->rows, rm->cats, rm->ncats * sizeof *t->rows);
    for (size_t k = 0; k < rm->nnets; k++) {
        t->rows[rm->ncats + k].kind = SD_CAT_NET;
        t->rows[rm->ncats + k].index = k;
    }
    return SD_OK;
}

/* Everything a row entry needs for its passes (shared by its banners). */
typedef struct rowsrc {
    sd_catmap map;
    sd_catset cs;
    sd_rowdim rd;
} rowsrc;

static void rowsrc_free(rowsrc *src)
{
    sd__catmap_free(&src->map);
    sd__catset_free(&src->cs);
}

static sd_status fill_row_dim(const sd_dataset *ds, const rowent *re, sd_missing_mode mode,
                              sd_wtable *t, rowsrc *src, sd_error *err)
{
    const char *name = re->name;
    long vi = sd__dataset_var_index(ds, name);
    const sd_mrset *m = vi < 0 ? sd_dataset_find_mrset(ds, name) : NULL;
    if (vi < 0 && !m)
        return sd__unknown_name(ds, name, "variable or set", true, NULL, err);
    sd_status rst = vi >= 0 ? sd__var_readable(ds, ds->vars[vi], err) : SD_OK;
    if (rst != SD_OK)
        return rst;
    t->force = re->force;
    if (m && re->force)
        return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, name,
                        "'%s' is a multiple-response set: :cat and :mean apply to variables",
                        name);
    if (vi >= 0) {
        const sd_var *v = ds->vars[vi];
        t->row_index = (size_t)vi;
        t->row_name = v->name;
        bool scale = re->force == 2 || (re->force == 0 && v->measure == SD_MEASURE_SCALE);
        if (scale && v->type != SD_TYPE_NUMERIC) {
            if (re->force == 2)
                return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, name,
                                "'%s' is a string variable: it has no mean (:mean needs a "
                                "numeric variable)",
                                name);
            scale = false;
        }
        if (!scale) {
            src->rd.map = &src->map;
            return var_rows(ds, vi, mode, t, &src->map, err);
        }
        /* A scale variable: its mean (and total), SD and median by column;
         * the third row counts the rows at or below the column's median
         * (the median's interval). */
        t->row_is_scale = true;
        t->nrows = 3;
        if (!(t->rows = sd__calloc(3, sizeof *t->rows)))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
        t->rows[0].kind = SD_CAT_MEAN;
        t->rows[1].kind = SD_CAT_SUMSQ;
        t->rows[2].kind = SD_CAT_BELOW;
        src->rd.scale = v;
        return SD_OK;
    }
    t->row_is_mrset = true;
    for (size_t i = 0; i < ds->nmr; i++)
        if (ds->mr[i] == m)
            t->row_index = i;
    t->row_name = m->name;
    if (m->kind == SD_MRSET_CATEGORY) {
        sd_status st = sd__catset_build(ds, m, mode, &src->cs, err);
        if (st != SD_OK)
            return st;
        t->nrows = src->cs.ncats;
        if (!(t->rows = sd__zalloc(t->nrows, sizeof *t->rows)))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
        if (t->nrows)
            memcpy(t->rows, src->cs.cats, t->nrows * sizeof *t->rows);
        src->rd.cs = &src->cs;
        return SD_OK;
    }
    for (size_t k = 0; k < m->nvars; k++)
        if (ds->vars[m->vars[k]]->type != SD_TYPE_NUMERIC)
            return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, ds->vars[m->vars[k]]->name,
                            "set '%s': item '%s' is a string: a dichotomy set needs numeric "
                            "items",
                            m->name, ds->vars[m->vars[k]]->name);
    t->nrows = m->nvars;
    if (!(t->rows = sd__zalloc(t->nrows, sizeof *t->rows)))
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
    for (size_t k = 0; k < m->nvars; k++) {
        t->rows[k].kind = SD_CAT_ITEM;
        t->rows[k].index = m->vars[k];
        t->rows[k].code = m->counted;
    }
    src->rd.mr = m;
    return SD_OK;
}

/* Copy the first table's row dimension (a row entry's later banners). */
static sd_status copy_rows(const sd_wtable *t0, sd_wtable *t, sd_error *err)
{
    t->row_is_mrset = t0->row_is_mrset;
    t->row_is_scale = t0->row_is_scale;
    t->row_index = t0->row_index;
    t->row_name = t0->row_name;
    t->force = t0->force;
    t->nrows = t0->nrows;
    t->nnets = t0->nnets;
    if (!(t->rows = sd__zalloc(t->nrows, sizeof *t->rows)))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (t->nrows)
        memcpy(t->rows, t0->rows, t->nrows * sizeof *t->rows);
    return SD_OK;
}

/* ---- a table's column dimension, from its banner */

static sd_status fill_col_dim(const sd_dataset *ds, const char *entry, const sd_colmap *cm,
                              sd_wtable *t, sd_error *err)
{
    size_t nb = cm ? cm->ncols : 0;
    t->col_var = -1;
    t->col_set = -1;
    t->col_depth = 1;
    t->one_col = !cm || sd__colmap_one(cm);
    t->ncols = nb + 1;
    if (!(t->cols = sd__zalloc(t->ncols, sizeof *t->cols)))
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    t->cols[0].kind = SD_CAT_TOTAL;
    if (!cm)
        return SD_OK;
    if (nb) /* a banner with no category at all has no array */
        memcpy(t->cols + 1, cm->cats, nb * sizeof *t->cols);
    if (!(t->col_name = sd__strdup(entry)))
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    t->col_set = cm->set;
    if (cm->path) {
        t->col_depth = cm->depth;
        memcpy(t->col_levels, cm->var, sizeof t->col_levels);
        if (!(t->colpath = sd__zalloc(nb * cm->depth, sizeof *t->colpath)))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        memcpy(t->colpath, cm->path, nb * cm->depth * sizeof *t->colpath);
    } else if (cm->set < 0) {
        t->col_var = cm->var[0];
    }
    return SD_OK;
}

/* ---- the rows in the analysis */

/* The filters' mask, with rows of weight 0 (blank and negative weights
 * were set to 0 by the design) left out too; NULL when every row is in. */
static sd_status rows_in(const sd_dataset *ds, const sd_tabspec *spec, const sd_design *d,
                         sd_work *res, uint8_t **in, sd_error *err)
{
    sd_status st = sd__filter_mask(ds, spec->filters, spec->filter_text, spec->nfilters, in, err);
    if (st != SD_OK)
        return st;
    size_t zero = d->w ? d->nw_blank + d->nw_negative + d->nw_zero : 0;
    if (zero && !*in) {
        if (!(*in = sd__zalloc(ds->nrows, 1)))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        memset(*in, 1, ds->nrows);
    }
    double n = 0;
    for (size_t r = 0; r < ds->nrows; r++) {
        if (*in && d->w && !(d->w[r] > 0))
            (*in)[r] = 0;
        n += !*in || (*in)[r];
    }
    res->rows_in = n;
    res->nw_blank = d->nw_blank;
    res->nw_negative = d->nw_negative;
    res->nw_zero = d->nw_zero;
    if (spec->nfilters) {
        sd_strbuf sb;
        sd__sb_init(&sb, 1 << 20);
        for (size_t k = 0; k < spec->nfilters; k++) {
            if (k)
                sd__sb_puts(&sb, " and ");
            bool paren = spec->nfilters > 1;
            if (paren)
                sd__sb_putc(&sb, '(');
            sd__sb_puts(&sb, spec->filter_text[k]);
            if (paren)
                sd__sb_putc(&sb, ')');
        }
        if (sd__sb_status(&sb) != SD_OK || !(res->filter = sd__sb_take(&sb))) {
            sd__sb_free(&sb);
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        }
    }
    return SD_OK;
}

/* ---- narrow columns (data.h): read as categories only */

enum { NARROW_AXIS = SD_USE_AXIS, NARROW_OTHER = SD_USE_VALUES };

static void mark_name(const sd_dataset *ds, uint8_t *use, const char *name, size_t n, int how)
{
    char buf[256];
    while (n && (*name == ' ' || *name == '\t'))
        name++, n--;
    while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    if (n >= sizeof buf)
        return; /* longer than any variable name */
    memcpy(buf, name, n);
    buf[n] = '\0';
    long vi = sd__dataset_var_index(ds, buf);
    if (vi >= 0) {
        use[vi] |= (uint8_t)how;
        return;
    }
    /* A set: a category set's members are read through category maps, a
     * dichotomy set's as values. */
    const sd_mrset *m = sd_dataset_find_mrset(ds, buf);
    for (size_t k = 0; m && k < m->nvars; k++)
        use[m->vars[k]] |= m->kind == SD_MRSET_CATEGORY ? (uint8_t)how : NARROW_OTHER;
}

static void mark_filter(const sd_dataset *ds, uint8_t *use, const sd_fnode *f)
{
    for (; f; f = f->b) {
        if (f->var)
            mark_name(ds, use, f->var, strlen(f->var), NARROW_OTHER);
        mark_filter(ds, use, f->a);
        if (f->kind != SD_F_AND && f->kind != SD_F_OR)
            return;
    }
}

/* What a request reads of each variable (use[i], SD_USE_AXIS and/or
 * SD_USE_VALUES, or'ed in). A narrow variable is read as categories only:
 * a row variable tabulated as categories, a banner variable, a nested
 * banner's level, a category set's member (category maps read its codes).
 * Every other variable a request reads (a weight, a design's variables, a
 * filter's, a scale row's, a dichotomy set's items) is read as values,
 * and so is any variable the request may read that this does not know of
 * (every match of a replicate-weight pattern that does not compile). */
static void mark_request(const sd_dataset *ds, const sd_tabspec *spec, const rowlist *rows,
                         const sd_names *cols, const sd_designspec *dspec, uint8_t *use)
{
    for (size_t i = 0; i < rows->n; i++) {
        const rowent *re = &rows->v[i];
        long vi = sd__dataset_var_index(ds, re->name);
        if (vi < 0) {
            mark_name(ds, use, re->name, strlen(re->name), NARROW_AXIS);
            continue;
        }
        const sd_var *v = ds->vars[vi];
        bool scale = re->force == 2 || (re->force == 0 && v->measure == SD_MEASURE_SCALE);
        use[vi] |= scale ? NARROW_OTHER : NARROW_AXIS;
    }
    for (size_t b = 0; b < cols->n; b++)
        for (const char *p = cols->v[b];;) {
            size_t n = strcspn(p, ">");
            mark_name(ds, use, p, n, NARROW_AXIS);
            if (!p[n])
                break;
            p += n + 1;
        }
    const char *one[] = {dspec->weight, dspec->strata};
    for (size_t k = 0; k < 2; k++)
        if (one[k])
            mark_name(ds, use, one[k], strlen(one[k]), NARROW_OTHER);
    for (size_t k = 0; k < dspec->ncluster; k++)
        mark_name(ds, use, dspec->cluster[k], strlen(dspec->cluster[k]), NARROW_OTHER);
    for (size_t k = 0; k < dspec->nfpc; k++)
        mark_name(ds, use, dspec->fpc[k], strlen(dspec->fpc[k]), NARROW_OTHER);
    for (size_t k = 0; k < dspec->nrepweights; k++) {
        if (!dspec->repregex) {
            mark_name(ds, use, dspec->repweights[k], strlen(dspec->repweights[k]), NARROW_OTHER);
            continue;
        }
        regex_t re;
        bool ok = sd__repweights_compile(&re, dspec->repweights[k], NULL) == SD_OK;
        for (size_t i = 0; i < ds->nvars; i++)
            if (!ok || regexec(&re, ds->vars[i]->name, 0, NULL, 0) == 0)
                use[i] |= NARROW_OTHER; /* a bad pattern fails later: widen all */
        if (ok)
            regfree(&re);
    }
    for (size_t k = 0; k < spec->nfilters; k++)
        mark_filter(ds, use, spec->filters[k]);
}

/* Every narrow variable the request reads other than as categories only
 * is widened before anything reads it (mark_request); one it does not
 * read stays as it is (another request on the dataset may need it narrow
 * only: a spec file's tables). */
static sd_status widen_for_request(const sd_dataset *ds, const sd_tabspec *spec,
                                   const rowlist *rows, const sd_names *cols,
                                   const sd_designspec *dspec, sd_error *err)
{
    bool any = false;
    for (size_t i = 0; i < ds->nvars && !any; i++)
        any = ds->vars[i]->narrow;
    if (!any)
        return SD_OK;
    uint8_t *use = sd__zalloc(ds->nvars, 1);
    if (!use)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    mark_request(ds, spec, rows, cols, dspec, use);
    sd_status st = SD_OK;
    for (size_t i = 0; i < ds->nvars && st == SD_OK; i++)
        if (ds->vars[i]->narrow && (use[i] & NARROW_OTHER))
            st = sd__dataset_widen_var(ds, i, err);
    sd__free(use);
    return st;
}

sd_status sd__tabspec_uses(const sd_dataset *ds, const sd_tabspec *spec, uint8_t *use,
                           sd_error *err)
{
    rowlist rows;
    memset(&rows, 0, sizeof rows);
    sd_names cols;
    memset(&cols, 0, sizeof cols);
    sd_designspec dspec;
    memset(&dspec, 0, sizeof dspec);
    sd_status st;
    if ((st = expand_rows(ds, spec, &rows, err)) == SD_OK &&
        (st = expand_cols(ds, spec, &cols, err)) == SD_OK &&
        (st = sd__designspec_copy(&dspec, &spec->design, err)) == SD_OK &&
        (st = sd__designspec_fill(&dspec, &ds->design, err)) == SD_OK)
        mark_request(ds, spec, &rows, &cols, &dspec, use);
    rowlist_free(&rows);
    sd__names_free(&cols);
    sd__designspec_free(&dspec);
    return st;
}

/* ---- the request */

/* Which variance sums the design needs, and the unit rows add to. */
/* Replicates made from PSUs: each replicate's LQ totals, the PSU totals
 * weighted by its multipliers, found once a table (rep_tot, [nrep][nlq])
 * rather than at every estimate (stats/variance.c took R x PSUs x LQs a
 * cell: seconds for a jackknife of 2,800 PSUs). A jackknife replicate's
 * multipliers are nearly all one value b (1 outside the dropped PSU's
 * stratum for JKn, n / (n - 1) for JK1), so its totals are b times the
 * grand total plus (m - b) u over its few other PSUs: R x (n_h + 1) x LQs
 * rather than R x PSUs x LQs. Replicates with no such majority (BRR,
 * bootstrap: few replicates) are summed over their PSUs. Left undone (the
 * stats then sum per estimate) past REPTOT_MAX values. */
#define REPTOT_MAX ((size_t)1 << 26)

typedef struct made_sparse {
    double *base;   /* per replicate: b, or 0 when summed over every PSU */
    size_t *start;  /* per replicate, into idx and dm (nrep + 1) */
    int32_t *idx;   /* PSUs whose multiplier is not b */
    double *dm;     /* their m - b */
} made_sparse;

static void made_sparse_free(made_sparse *ms)
{
    sd__free(ms->base);
    sd__free(ms->start);
    sd__free(ms->idx);
    sd__free(ms->dm);
    memset(ms, 0, sizeof *ms);
}

static bool made_sparse_init(made_sparse *ms, const sd_design *d)
{
    memset(ms, 0, sizeof *ms);
    size_t R = d->nrep, P = d->nunits[0];
    if (!d->repmult || !R || !P)
        return true;
    ms->base = sd__zalloc(R, sizeof *ms->base);
    ms->start = sd__zalloc(R + 1, sizeof *ms->start);
    if (!ms->base || !ms->start)
        return false;
    size_t nnz = 0, cap = 0, cap2 = 0;
    for (size_t q = 0; q < R; q++) {
        const double *m = d->repmult + q * P;
        /* A jackknife's common value is m[0] or m[P - 1] (the first or
         * last stratum is not the dropped PSU's): the commoner of the two. */
        size_t c0 = 0, c1 = 0;
        for (size_t p = 0; p < P; p++) {
            c0 += m[p] == m[0];
            c1 += m[p] == m[P - 1];
        }
        double b = c0 >= c1 ? m[0] : m[P - 1];
        size_t cb = c0 >= c1 ? c0 : c1;
        ms->start[q] = nnz;
        if (b == 0 || (P - cb) > P / 8) {
            ms->base[q] = 0; /* summed over its PSUs */
            continue;
        }
        ms->base[q] = b;
        if (!sd__grow((void **)&ms->idx, &cap, nnz + (P - cb), sizeof *ms->idx) ||
            !sd__grow((void **)&ms->dm, &cap2, nnz + (P - cb), sizeof *ms->dm))
            return false;
        for (size_t p = 0; p < P; p++)
            if (m[p] != b) {
                ms->idx[nnz] = (int32_t)p;
                ms->dm[nnz++] = m[p] - b;
            }
    }
    ms->start[R] = nnz;
    return true;
}

static bool made_totals(sd_accum *a, const sd_design *d, const made_sparse *ms)
{
    size_t R = d->nrep, P = d->nunits[0], L = a->nlq, cells;
    if (!d->repmult || !ms->base || !a->unit_tot || a->rep_tot || a->nunits != P || !R ||
        !L || !sd__mul_ok(R, L, &cells) || cells > REPTOT_MAX)
        return true;
    double *tot = sd__zalloc(cells, sizeof *tot), *g = sd__zalloc(L, sizeof *g);
    if (!tot || !g) {
        sd__free(tot);
        sd__free(g);
        return false;
    }
    for (size_t p = 0; p < P; p++) {
        const double *u = a->unit_tot + p * L;
        for (size_t l = 0; l < L; l++)
            g[l] += u[l];
    }
    for (size_t q = 0; q < R; q++) {
        double *t = tot + q * L, b = ms->base[q];
        if (b == 0) {
            for (size_t p = 0; p < P; p++) {
                double m = d->repmult[q * P + p];
                if (m == 0)
                    continue;
                const double *u = a->unit_tot + p * L;
                for (size_t l = 0; l < L; l++)
                    t[l] += m * u[l];
            }
            continue;
        }
        for (size_t l = 0; l < L; l++)
            t[l] = b * g[l];
        for (size_t k = ms->start[q]; k < ms->start[q + 1]; k++) {
            const double *u = a->unit_tot + (size_t)ms->idx[k] * L;
            double dm = ms->dm[k];
            for (size_t l = 0; l < L; l++)
                t[l] += dm * u[l];
        }
    }
    sd__free(g);
    a->rep_tot = tot;
    a->nrep = R;
    return true;
}

static sd_vmode var_mode(const sd_design *d, const sd_tabspec *spec, size_t *count,
                         const int32_t **unit)
{
    *unit = NULL;
    *count = d->nstrata;
    if (spec->variances_if_shown && !spec->show_stats && !spec->deff && !spec->tests &&
        !spec->findings && !spec->glm_start && !d->nrep && !d->repmult && !d->cal) {
        /* Nothing shown needs a variance: counts and weights only. */
        *count = 0;
        return SD_VMODE_NONE;
    }
    if (d->repmult) {
        *unit = d->nstages ? d->unit[0] : d->rowunit;
        *count = d->nunits[0];
        return SD_VMODE_UNITS; /* PSU totals; replicates are combined from them */
    }
    if (d->nrep) {
        *count = d->nrep;
        return SD_VMODE_REPS;
    }
    if (d->nstages) {
        size_t depth = 1;
        while (depth < d->nstages && d->has_fpc[depth - 1])
            depth++;
        *unit = d->unit[depth - 1];
        *count = d->nunits[depth - 1];
        return SD_VMODE_UNITS;
    }
    if (d->rowunit) {
        /* Rows as units: an fpc varying within a stratum. */
        *unit = d->rowunit;
        *count = d->nunits[0];
        return SD_VMODE_UNITS;
    }
    return SD_VMODE_MOMENTS;
}

sd_status sd__table_sums_init(const sd_dataset *ds, sd_wtable *t, sd_vmode vmode,
                              size_t vcount, const sd_design *d, sd_error *err)
{
    if (!sd__accum_init(&t->acc, t->nrows, t->ncols))
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    if (!sd__accum_init_var(&t->acc, vmode, vcount,
                            !t->row_is_mrset && !t->row_is_scale && t->one_col))
        return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, t->row_name,
                        "table of '%s' is too large for its variance sums (%zu estimates x "
                        "%zu %s)",
                        t->row_name, t->acc.nlq, vcount,
                        vmode == SD_VMODE_REPS ? "replicates" : "strata or units");
    if (d->cal && vmode != SD_VMODE_REPS &&
        !sd__accum_init_cal(&t->acc, d->cal->p, vmode == SD_VMODE_MOMENTS ? d->nstrata : 0))
        return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, t->row_name,
                        "table of '%s' is too large for its calibration sums (%zu estimates x "
                        "%zu auxiliary columns)",
                        t->row_name, t->acc.nlq, d->cal->p);
    if (d->pattern) {
        t->acc.npattern = d->npattern;
        if (!(t->acc.pat_w2 = sd__zalloc_sums(t->ncols * t->acc.npattern, sizeof *t->acc.pat_w2)))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    }
    if (d->overflow) {
        /* Rows over the pattern cap: a triangular factor per column. */
        size_t R = d->nrep, k;
        if (!sd__mul_ok(R, R, &k) || !sd__mul_ok(k, t->ncols, &k) || k > ((size_t)1 << 28))
            return sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, t->row_name,
                            "table of '%s': %zu replicate weights with more than %zu distinct "
                            "patterns are too many for its degrees of freedom",
                            t->row_name, R, d->npattern);
        t->acc.nrep = R;
        t->acc.ovf_u = d->rank ? d->rank : R;
        if (!(t->acc.ovf = sd__zalloc(t->ncols, sizeof *t->acc.ovf)))
            return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        for (size_t c = 0; c < t->ncols; c++)
            if (!sd__rf_init(&t->acc.ovf[c], R))
                return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    }
    return SD_OK;
}

/* One table's sums, allocated (zero), and what its pass needs before it
 * starts (a scale variable's sorted values and medians). */
static sd_status plan_table(const sd_dataset *ds, const sd_tabspec *spec, sd_wtable *t,
                            const sd_passctx *pc, const sd_rowdim *rd, const sd_colmap *cm,
                            uint32_t *cbuf, sd_vmode vmode, size_t vcount, const sd_design *d,
                            sd_error *err)
{
    sd_status st = sd__table_sums_init(ds, t, vmode, vcount, d, err);
    if (st != SD_OK)
        return st;
    if (spec->glm_start && !t->row_is_scale && !sd__accum_init_glm(&t->acc))
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    if (t->row_is_scale && sd__scale_values(t, rd->scale, pc, cm, cbuf) != SD_OK)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    return SD_OK;
}

/* A stream's second read: the whole file's medians for a scale row's
 * columns (the rows at or below them are what the pass counts). */
static void given_medians(sd_wtable *t, const sd_given_medians *g)
{
    for (size_t c = 0; c < t->ncols; c++)
        for (size_t k = 0; k < g->ncols; k++)
            if (sd__cat_same(&t->cols[c], &g->cols[k])) {
                t->median[c] = g->median[k];
                break;
            }
}

/* ---- the pass: chunks of rows on threads */


typedef struct runner {
    const sd_passctx *pc;
    sd_tpass *tp;
    size_t n, nrows, nchunks, chunk;
    bool glm;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;   /* the next chunk to take */
    size_t merged; /* chunks added to the tables' sums */
} runner;

typedef struct worker_arg {
    runner *ru;
    sd_worker w;
} worker_arg;

static void *run_chunks(void *arg)
{
    worker_arg *wa = arg;
    runner *ru = wa->ru;
    for (;;) {
        pthread_mutex_lock(&ru->mu);
        size_t k = ru->next++;
        pthread_mutex_unlock(&ru->mu);
        if (k >= ru->nchunks)
            break;
        size_t r0 = k * ru->chunk, r1 = ru->nrows - r0 < ru->chunk ? ru->nrows : r0 + ru->chunk;
        sd__pass_rows(ru->pc, ru->tp, ru->n, &wa->w, r0, r1, ru->glm);
        pthread_mutex_lock(&ru->mu);
        while (ru->merged != k)
            pthread_cond_wait(&ru->cv, &ru->mu);
        for (size_t i = 0; i < ru->n; i++)
            sd__accum_merge(&ru->tp[i].t->acc, &wa->w.acc[i]);
        ru->merged++;
        pthread_cond_broadcast(&ru->cv);
        pthread_mutex_unlock(&ru->mu);
        for (size_t i = 0; i < ru->n; i++)
            sd__accum_zero(&wa->w.acc[i]);
    }
    return NULL;
}

/* Every table's pass over all rows (`glm`: the second, glm start sums). */
static sd_status run_pass(const sd_passctx *pc, sd_tpass *tp, size_t n, const sd_tabspec *spec,
                          bool glm, sd_error *err)
{
    runner ru;
    memset(&ru, 0, sizeof ru);
    ru.pc = pc;
    ru.tp = tp;
    ru.n = n;
    ru.nrows = pc->nrows;
    ru.chunk = spec->chunk_rows ? spec->chunk_rows : SD_CHUNK_ROWS;
    ru.nchunks = (pc->nrows + ru.chunk - 1) / ru.chunk;
    int threads = spec->threads;
    ru.glm = glm;
    if (ru.nchunks == 0 || n == 0)
        return SD_OK;
    size_t nt = sd__thread_count(threads);
    nt = nt < ru.nchunks ? nt : ru.nchunks;
    if (ru.nchunks == 1) {
        /* One chunk: straight into the tables' sums. */
        sd_worker w;
        if (!sd__worker_init(&w, pc, tp, n, true))
            return sd__fail(err, SD_E_NOMEM, pc->ds->source, 0, 0, NULL, "out of memory");
        sd__pass_rows(pc, tp, n, &w, 0, pc->nrows, glm);
        for (size_t i = 0; i < n; i++) {
            tp[i].t->acc.bm_n = w.acc[i].bm_n;
            tp[i].t->acc.bm_w = w.acc[i].bm_w;
        }
        sd__worker_free(&w);
        return SD_OK;
    }
    worker_arg *wa = sd__zalloc(nt, sizeof *wa);
    pthread_t *th = sd__zalloc(nt, sizeof *th);
    if (!wa || !th) {
        sd__free(wa);
        sd__free(th);
        return sd__fail(err, SD_E_NOMEM, pc->ds->source, 0, 0, NULL, "out of memory");
    }
    size_t ready = 0;
    for (; ready < nt; ready++) {
        wa[ready].ru = &ru;
        if (!sd__worker_init(&wa[ready].w, pc, tp, n, false))
            break;
    }
    if (ready == 0) {
        sd__free(wa);
        sd__free(th);
        return sd__fail(err, SD_E_NOMEM, pc->ds->source, 0, 0, NULL, "out of memory");
    }
    pthread_mutex_init(&ru.mu, NULL);
    pthread_cond_init(&ru.cv, NULL);
    size_t started = 1;
    for (size_t k = 1; k < ready; k++) {
        if (pthread_create(&th[k], NULL, run_chunks, &wa[k]) != 0)
            break; /* fewer threads: the same sums */
        started++;
    }
    run_chunks(&wa[0]);
    for (size_t k = 1; k < started; k++)
        pthread_join(th[k], NULL);
    pthread_cond_destroy(&ru.cv);
    pthread_mutex_destroy(&ru.mu);
    for (size_t k = 0; k < ready; k++)
        sd__worker_free(&wa[k].w);
    sd__free(wa);
    sd__free(th);
    return SD_OK;
}

sd_status sd__tabulate_counts(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                              sd_error *err)
{
    *out = NULL;
    if (spec->nrows == 0)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "no row variables: expected at least one name in --rows");
    sd_status st = SD_OK;
    rowlist rows;
    memset(&rows, 0, sizeof rows);
    sd_names cols;
    memset(&cols, 0, sizeof cols);
    sd_colmap *bmaps = NULL;
    rowsrc *srcs = NULL;
    size_t nsrcs = 0;
    sd_tpass *tp = NULL;
    uint8_t *in = NULL;
    uint32_t *cbuf = NULL;
    sd_designspec dspec;
    memset(&dspec, 0, sizeof dspec);
    sd_work *res = sd__calloc(1, sizeof *res);
    if (!res) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    res->missing = spec->missing;
    res->dataset = ds;
    res->rows_used = (double)ds->nrows;
    res->pct = spec->pct;
    res->sort = spec->sort;
    res->hide_empty = spec->hide_empty;
    res->means = spec->means;
    res->findings = spec->findings;
    res->min_base = spec->has_min_base ? spec->min_base : 30;
    res->decimals = spec->decimals;
    if ((st = expand_rows(ds, spec, &rows, err)) != SD_OK ||
        (st = expand_cols(ds, spec, &cols, err)) != SD_OK)
        goto done;
    size_t nban = cols.n ? cols.n : 1, ntab;
    if (!sd__mul_ok(rows.n, nban, &ntab) || ntab > SD_MAX_VARS) {
        st = sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, NULL,
                      "%zu row entries by %zu banners is more than %zu tables", rows.n, nban,
                      SD_MAX_VARS);
        goto done;
    }
    if (!(res->tables = sd__zalloc(ntab, sizeof *res->tables)) ||
        !(bmaps = sd__zalloc(nban, sizeof *bmaps))) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    /* The design: the options given, completed by the codebook's. */
    if ((st = sd__designspec_copy(&dspec, &spec->design, err)) != SD_OK ||
        (st = sd__designspec_fill(&dspec, &ds->design, err)) != SD_OK)
        goto done;
    if ((dspec.weight && !(res->weight = sd__strdup(dspec.weight))) ||
        (ds->source && !(res->source = sd__strdup(ds->source)))) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    if ((st = widen_for_request(ds, spec, &rows, &cols, &dspec, err)) != SD_OK ||
        (st = sd__design_resolve(ds, &dspec, &res->design, err)) != SD_OK)
        goto done;
    /* A weighting is a step of the design: its weights, its re-weighted
     * replicates, its residuals' sums (calib.c). */
    if (spec->calib) {
        if ((st = sd__design_calibrate(&res->design, spec->calib, err)) != SD_OK)
            goto done;
        sd__free(res->weight);
        if (!(res->weight = sd__strdup(spec->calib->name ? spec->calib->name : "calibrated"))) {
            st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
            goto done;
        }
    }
    /* Banners: one column map each, shared by every row entry. */
    size_t maxcols = 1;
    for (size_t b = 0; b < cols.n; b++) {
        if ((st = sd__colmap_build(ds, cols.v[b], spec->missing, &bmaps[b], err)) != SD_OK)
            goto done;
        maxcols = bmaps[b].ncols > maxcols ? bmaps[b].ncols : maxcols;
    }
    if ((st = rows_in(ds, spec, &res->design, res, &in, err)) != SD_OK)
        goto done;
    if (!(cbuf = sd__zalloc(maxcols, sizeof *cbuf))) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    size_t vcount;
    const int32_t *unit;
    sd_vmode vmode = var_mode(&res->design, spec, &vcount, &unit);
    sd_passctx pc = {ds, ds->nrows, &res->design, res->design.w, unit, in, spec->missing};
    /* Every table planned (its row entry's sources kept until the pass),
     * then one pass over the rows for all of them. */
    if (!(srcs = sd__zalloc(rows.n ? rows.n : 1, sizeof *srcs)) ||
        !(tp = sd__zalloc(ntab, sizeof *tp))) {
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        goto done;
    }
    nsrcs = rows.n;
    bool any_glm = false;
    for (size_t i = 0; i < rows.n && st == SD_OK; i++) {
        rowsrc *src = &srcs[i];
        size_t letter = 0;
        for (size_t b = 0; b < nban && st == SD_OK; b++) {
            sd_wtable *t = &res->tables[res->ntables++];
            const sd_colmap *cm = cols.n ? &bmaps[b] : NULL;
            t->number = i + 1;
            st = b == 0 ? fill_row_dim(ds, &rows.v[i], spec->missing, t, src, err)
                        : copy_rows(&res->tables[res->ntables - 1 - b], t, err);
            if (st == SD_OK)
                st = fill_col_dim(ds, cols.n ? cols.v[b] : NULL, cm, t, err);
            if (st != SD_OK)
                break;
            t->letter0 = letter;
            letter += t->ncols - 1;
            st = plan_table(ds, spec, t, &pc, &src->rd, cm, cbuf, vmode, vcount, &res->design,
                            err);
            if (st == SD_OK && t->median && res->ntables - 1 < spec->ngiven)
                given_medians(t, &spec->given_medians[res->ntables - 1]);
            tp[res->ntables - 1] = (sd_tpass){t, src->rd, cm, spec->glm_start && !t->row_is_scale};
            any_glm |= tp[res->ntables - 1].glm;
        }
    }
    if (st == SD_OK)
        st = run_pass(&pc, tp, res->ntables, spec, false, err);
    if (st == SD_OK && any_glm)
        st = run_pass(&pc, tp, res->ntables, spec, true, err);
    made_sparse ms = {0};
    if (st == SD_OK && !made_sparse_init(&ms, &res->design))
        st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    for (size_t k = 0; st == SD_OK && k < res->ntables; k++) {
        sd_wtable *t = &res->tables[k];
        if (!sd__accum_finish(&t->acc, sd__tpass_reps_cells(&tp[k])) ||
            !made_totals(&t->acc, &res->design, &ms))
            st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        t->banner_missing_n = t->acc.bm_n;
        t->banner_missing_w = t->acc.bm_w;
    }
    made_sparse_free(&ms);
done:
    for (size_t i = 0; srcs && i < nsrcs; i++)
        rowsrc_free(&srcs[i]);
    sd__free(srcs);
    sd__free(tp);
    for (size_t b = 0; bmaps && b < nban; b++)
        sd__colmap_free(&bmaps[b]);
    sd__free(bmaps);
    sd__free(in);
    sd__free(cbuf);
    rowlist_free(&rows);
    sd__names_free(&cols);
    sd__designspec_free(&dspec);
    if (st != SD_OK) {
        sd__work_free(res);
        return st;
    }
    *out = res;
    return SD_OK;
}
