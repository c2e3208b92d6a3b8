/*
 * build.c — turn a tabulation's working state (the engine's sums and the
 * stats layer's cell statistics) into the result users read: every name,
 * label and code is copied out of the dataset, every figure out of the
 * sums, so the result needs neither once built. Presentation happens here
 * too: the order of the rows (--sort), empty rows and columns left out
 * (--hide-empty), columns flagged under --min-base, nested banners'
 * composite labels, each table's title and base definition.
 */
#include "cube.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words of the result's own (not from the data), in the languages sondage
 * ships; another language falls back to the first. */
static bool set_builtin(sd_labels *l, const char *en, const char *fr)
{
    return sd__labels_set(l, "en", en) && sd__labels_set(l, "fr", fr);
}

static sd_status nomem(sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

/* Every language any of the labels has (untagged as NULL), once. */
static size_t langs_of(const sd_labels *const *ls, size_t n, const char **out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; ls[i] && j < ls[i]->n; j++) {
            const char *lg = ls[i]->v[j].lang;
            bool seen = false;
            for (size_t m = 0; m < k && !seen; m++)
                seen = sd__lang_eq(out[m], lg);
            if (!seen && k < cap)
                out[k++] = lg;
        }
    return k;
}

/* Labels made of parts joined by `sep`, in every language a part has (a
 * part without that language gives its fallback; a part with no label at
 * all gives fallback[i]). */
static bool join_labels(sd_labels *dst, const sd_labels *const *parts, const char *const *fallback,
                        size_t n, const char *sep)
{
    const char *langs[64];
    size_t nl = langs_of(parts, n, langs, 64);
    if (nl == 0)
        langs[nl++] = NULL;
    for (size_t l = 0; l < nl; l++) {
        sd_strbuf sb;
        sd__sb_init(&sb, 1 << 20);
        for (size_t i = 0; i < n; i++) {
            const char *t = parts[i] ? sd__labels_get(parts[i], langs[l]) : NULL;
            if (i)
                sd__sb_puts(&sb, sep);
            sd__sb_puts(&sb, t ? t : fallback[i]);
        }
        bool ok = sd__sb_status(&sb) == SD_OK && sd__labels_set(dst, langs[l], sd__sb_str(&sb));
        sd__sb_free(&sb);
        if (!ok)
            return false;
    }
    return true;
}

/* The variable whose value labels name a dimension's categories. */
static const sd_var *row_var(const sd_dataset *ds, const sd_wtable *t)
{
    if (!t->row_is_mrset)
        return ds->vars[t->row_index];
    const sd_mrset *m = ds->mr[t->row_index];
    return m->kind == SD_MRSET_CATEGORY && m->nvars ? ds->vars[m->vars[0]] : NULL;
}

static const sd_var *col_var(const sd_dataset *ds, const sd_wtable *t)
{
    if (t->col_var >= 0)
        return ds->vars[t->col_var];
    if (t->col_set >= 0) {
        const sd_mrset *m = ds->mr[t->col_set];
        return m->kind == SD_MRSET_CATEGORY && m->nvars ? ds->vars[m->vars[0]] : NULL;
    }
    return NULL;
}

/* A value's nouns, "singular|plural[|f]" per language (the codebook
 * checked their form), split into the three sd_noun_form labels. */
static bool split_nouns(sd_labels *dst, const sd_labels *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const char *s = src->v[i].text, *b1 = strchr(s, '|');
        if (!b1)
            continue;
        const char *b2 = strchr(b1 + 1, '|');
        char *one = sd__strndup(s, (size_t)(b1 - s));
        char *other = b2 ? sd__strndup(b1 + 1, (size_t)(b2 - b1 - 1)) : sd__strdup(b1 + 1);
        bool ok = one && other && sd__labels_set(&dst[SD_NOUN_ONE], src->v[i].lang, one) &&
                  sd__labels_set(&dst[SD_NOUN_OTHER], src->v[i].lang, other) &&
                  sd__labels_set(&dst[SD_NOUN_GENDER], src->v[i].lang, b2 ? b2 + 1 : "m");
        sd__free(one);
        sd__free(other);
        if (!ok)
            return false;
    }
    return true;
}

/* Key, code and the labels of one category of variable v (v may be NULL). */
static sd_status simple_cat(const sd_dataset *ds, const sd_cat *c, const sd_var *v,
                            const sd_net *nets, sd_ccat *out, sd_error *err)
{
    const sd_labels *src = NULL, *nouns = NULL;
    char buf[SD_NUMBUF];
    const char *key = "";
    bool ok = true;
    out->code = NAN;
    out->flags = c->user_missing ? SD_CATF_USER_MISSING : 0;
    switch (c->kind) {
    case SD_CAT_TOTAL:
        out->type = SD_CAT_TYPE_TOTAL;
        key = "total";
        ok = set_builtin(&out->labels, "Total", "Ensemble");
        break;
    case SD_CAT_CODE: {
        out->type = SD_CAT_TYPE_CATEGORY;
        out->code = c->code;
        sd__fmt_double(buf, c->code);
        key = buf;
        long k = v ? sd__var_find_vlabel_num(v, c->code) : -1;
        if (k >= 0) {
            src = &v->vl[k].labels;
            nouns = &v->vl[k].nouns;
        }
        break;
    }
    case SD_CAT_STRING: {
        out->type = SD_CAT_TYPE_CATEGORY;
        key = c->str;
        long k = v ? sd__var_find_vlabel_str(v, c->str) : -1;
        if (k >= 0) {
            src = &v->vl[k].labels;
            nouns = &v->vl[k].nouns;
        }
        break;
    }
    case SD_CAT_ITEM:
        out->type = SD_CAT_TYPE_ITEM;
        key = ds->vars[c->index]->name;
        src = &ds->vars[c->index]->label;
        break;
    case SD_CAT_NET:
        out->type = SD_CAT_TYPE_NET;
        key = nets[c->index].name;
        src = &nets[c->index].labels;
        break;
    case SD_CAT_MEAN:
        out->type = SD_CAT_TYPE_SUMMARY;
        key = "mean";
        ok = set_builtin(&out->labels, "Mean", "Moyenne");
        break;
    case SD_CAT_SUMSQ: /* never shown */
    case SD_CAT_BELOW:  /* never shown */
    case SD_CAT_NESTED: /* built by nested_col */
        out->type = SD_CAT_TYPE_SUMMARY;
        key = "";
        break;
    }
    if (!ok || !(out->key = sd__strdup(key)) || (src && !sd__labels_copy(&out->labels, src)) ||
        (nouns && !split_nouns(out->noun, nouns)))
        return nomem(err);
    return SD_OK;
}

/* A nested banner's column: its levels, the key "1>2" and the label
 * "CIO > Small" in each language. */
static sd_status nested_col(const sd_dataset *ds, const sd_wtable *t, size_t c, sd_ccat *out,
                            sd_error *err)
{
    size_t depth = t->col_depth;
    const sd_cat *path = t->colpath + (c - 1) * depth;
    out->type = SD_CAT_TYPE_CATEGORY;
    out->code = NAN;
    out->nlev = depth;
    if (!(out->lev = sd__zalloc(depth, sizeof *out->lev)))
        return nomem(err);
    sd_strbuf key;
    sd__sb_init(&key, 1 << 16);
    const sd_labels *parts[SD_MAX_NEST];
    const char *fallback[SD_MAX_NEST];
    sd_status st = SD_OK;
    for (size_t l = 0; l < depth && st == SD_OK; l++) {
        const sd_var *v = ds->vars[t->col_levels[l]];
        st = simple_cat(ds, &path[l], v, v->nets, &out->lev[l], err);
        if (st != SD_OK)
            break;
        out->flags |= out->lev[l].flags;
        if (l)
            sd__sb_putc(&key, '>');
        sd__sb_puts(&key, out->lev[l].key);
        parts[l] = out->lev[l].labels.n ? &out->lev[l].labels : NULL;
        fallback[l] = out->lev[l].key;
    }
    if (st == SD_OK && (sd__sb_status(&key) != SD_OK || !(out->key = sd__sb_take(&key)) ||
                        !join_labels(&out->labels, parts, fallback, depth, " > ")))
        st = nomem(err);
    sd__sb_free(&key);
    return st;
}

/* ---- figures */

static void set_figs(sd_ccell *cell, const sd_accum *a, size_t k, const sd_cellstat *cs,
                     bool summary)
{
    for (int f = 0; f < SD_FIG_COUNT_; f++)
        cell->fig[f] = NAN;
    if (a) {
        cell->fig[SD_FIG_N] = a->n[k];
        cell->fig[SD_FIG_COUNT] = a->w[k];
    }
    if (!cs)
        return;
    cell->fig[summary ? SD_FIG_MEAN : SD_FIG_PCT] = cs->est;
    cell->fig[SD_FIG_SE] = cs->se;
    cell->fig[SD_FIG_DF] = cs->df;
    cell->fig[SD_FIG_CI_LOW] = cs->ci_low;
    cell->fig[SD_FIG_CI_HIGH] = cs->ci_high;
    cell->fig[SD_FIG_DEFF] = cs->deff;
    cell->fig[SD_FIG_EFF_BASE] = cs->eff_base;
    if (summary)
        cell->fig[SD_FIG_TOTAL_SE] = cs->total_se;
}

/* ---- which rows and columns are shown, in which order */

typedef struct order_key {
    size_t row;
    double total; /* the Total column's estimate */
} order_key;

/* Ascending (dir 1) or descending (dir -1) by the Total estimate, NaN
 * last, ties in their original order. */
static int by_total(const order_key *a, const order_key *b, int dir)
{
    bool na = isnan(a->total), nb = isnan(b->total);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->total != b->total)
        return a->total < b->total ? -dir : dir;
    return (a->row > b->row) - (a->row < b->row);
}

static int by_total_desc(const void *x, const void *y)
{
    return by_total(x, y, -1);
}

static int by_total_asc(const void *x, const void *y)
{
    return by_total(x, y, 1);
}

/* The work's rows to show, in order: categories (sorted by their Total
 * estimate with --sort), then nets and summaries as they come. */
static size_t shown_rows(const sd_work *w, const sd_wtable *t, size_t *out)
{
    size_t n = 0, ncat = 0;
    order_key *keys = sd__zalloc(t->nrows, sizeof *keys);
    if (!keys)
        return (size_t)-1;
    for (size_t r = 0; r < t->nrows; r++) {
        sd_cat_kind k = t->rows[r].kind;
        if (k == SD_CAT_SUMSQ || k == SD_CAT_BELOW)
            continue;
        if (w->hide_empty && k != SD_CAT_MEAN && t->acc.n[r * t->ncols] == 0)
            continue;
        if (k == SD_CAT_CODE || k == SD_CAT_STRING || k == SD_CAT_ITEM) {
            keys[ncat].row = r;
            keys[ncat++].total = t->stats ? t->stats[r * t->ncols].est : t->acc.w[r * t->ncols];
        }
    }
    if (w->sort && ncat > 1)
        qsort(keys, ncat, sizeof *keys, w->sort == 1 ? by_total_desc : by_total_asc);
    for (size_t i = 0; i < ncat; i++)
        out[n++] = keys[i].row;
    for (size_t r = 0; r < t->nrows; r++) {
        sd_cat_kind k = t->rows[r].kind;
        if (k == SD_CAT_NET && !(w->hide_empty && t->acc.n[r * t->ncols] == 0))
            out[n++] = r;
        else if (k == SD_CAT_MEAN)
            out[n++] = r;
    }
    sd__free(keys);
    return n;
}

/* Each compared pair of columns (--tests), on the rows and columns shown. */
static sd_status build_pairs(const sd_wtable *t, const size_t *rows, size_t nrows,
                             const size_t *cols, size_t ncols, sd_table *out, sd_error *err)
{
    static const char *const names[] = {"pooled", "unpooled", "ttest", "spss"};
    if (!t->npairs)
        return SD_OK;
    if (!(out->pairs = sd__zalloc(t->npairs, sizeof *out->pairs)))
        return nomem(err);
    for (size_t k = 0; k < t->npairs; k++) {
        const sd_pairtest *p = &t->pairs[k];
        size_t i = nrows, a = ncols, b = ncols;
        for (size_t x = 0; x < nrows; x++)
            if (rows[x] == p->row)
                i = x;
        for (size_t x = 0; x < ncols; x++) {
            if (cols[x] == p->c)
                a = x;
            if (cols[x] == p->d)
                b = x;
        }
        if (i == nrows || a == ncols || b == ncols)
            continue; /* a row or column not shown */
        sd_cpair *q = &out->pairs[out->npairs];
        q->row = i;
        q->col_a = a;
        q->col_b = b;
        q->diff = p->diff;
        q->se = p->se;
        q->statistic = p->t;
        q->df = p->df;
        q->p = p->p;
        q->p_adj = p->p_adj;
        if (!(q->method = sd__strdup(names[p->method < 4 ? p->method : 0])))
            return nomem(err);
        out->npairs++;
    }
    return SD_OK;
}

static sd_status build_table(const sd_work *w, const sd_wtable *t, sd_table *out, sd_error *err)
{
    const sd_dataset *ds = w->dataset;
    const sd_accum *a = &t->acc;
    out->number = t->number;
    if (t->row_is_scale)
        out->kind = SD_TABLE_SUMMARY;
    else if (!t->row_is_mrset)
        out->kind = SD_TABLE_VARIABLE;
    else
        out->kind = ds->mr[t->row_index]->kind == SD_MRSET_DICHOTOMY ? SD_TABLE_DICHOTOMY_SET
                                                                     : SD_TABLE_CATEGORY_SET;
    out->pct = t->row_is_scale ? SD_PCT_COL : w->pct;
    out->forced = !t->row_is_mrset && t->force != 0; /* NAME:cat / NAME:mean */
    out->show_stats = w->show_stats;
    out->missing = w->missing;
    out->show_deff = w->deff;
    out->show_tests = w->tests;
    out->level = w->level > 0 ? w->level : 0.95;
    out->min_base = w->min_base;
    out->row_measure = t->row_is_mrset ? SD_MEASURE_NOMINAL : ds->vars[t->row_index]->measure;
    const sd_labels *rl = t->row_is_mrset ? &ds->mr[t->row_index]->label
                                          : &ds->vars[t->row_index]->label;
    const sd_labels *rn = t->row_is_mrset ? &ds->mr[t->row_index]->note
                                          : &ds->vars[t->row_index]->note;
    if (!(out->row_var = sd__strdup(t->row_name)) || !sd__labels_copy(&out->row_label, rl) ||
        !sd__labels_copy(&out->row_note, rn) ||
        (w->filter && !(out->filter = sd__strdup(w->filter))))
        return nomem(err);
    /* A variable that is an item of a dichotomy set: the set's question. */
    out->row_set_counted = NAN;
    for (size_t m = 0; !t->row_is_mrset && !out->row_set && m < ds->nmr; m++) {
        const sd_mrset *set = ds->mr[m];
        for (size_t k = 0; set->kind == SD_MRSET_DICHOTOMY && k < set->nvars; k++)
            if (set->vars[k] == t->row_index && !out->row_set) {
                if (!(out->row_set = sd__strdup(set->name)) ||
                    !sd__labels_copy(&out->row_set_label, &set->label))
                    return nomem(err);
                out->row_set_counted = set->counted;
            }
    }
    if (t->col_name) {
        if (!(out->col_var = sd__strdup(t->col_name)))
            return nomem(err);
        const sd_labels *parts[SD_MAX_NEST];
        const char *fallback[SD_MAX_NEST];
        size_t nparts = 1;
        if (t->colpath) {
            nparts = t->col_depth;
            for (size_t l = 0; l < nparts; l++) {
                const sd_var *v = ds->vars[t->col_levels[l]];
                parts[l] = v->label.n ? &v->label : NULL;
                fallback[l] = v->name;
            }
        } else {
            const sd_labels *cl = t->col_set >= 0 ? &ds->mr[t->col_set]->label
                                                  : &ds->vars[t->col_var]->label;
            parts[0] = cl->n ? cl : NULL;
            fallback[0] = t->col_name;
        }
        if (!join_labels(&out->col_label, parts, fallback, nparts, " > "))
            return nomem(err);
        out->col_depth = t->colpath ? t->col_depth : 1;
        for (size_t l = 0; t->colpath && l < t->col_depth; l++) {
            const sd_var *v = ds->vars[t->col_levels[l]];
            if (!(out->col_levels[l] = sd__strdup(v->name)) ||
                !sd__labels_copy(&out->col_level_label[l], &v->label))
                return nomem(err);
        }
    }
    /* Which rows, in which order; a --means row goes last. */
    size_t *rows = sd__zalloc(t->nrows, sizeof *rows);
    if (!rows)
        return nomem(err);
    size_t nshown = shown_rows(w, t, rows);
    if (nshown == (size_t)-1) {
        sd__free(rows);
        return nomem(err);
    }
    bool means = t->mean_stats != NULL;
    /* A scale variable's table: its mean, then its standard deviation and
     * median (docs/statistics.md), all summary rows. */
    size_t extra = t->row_is_scale && t->stats ? 2 : 0;
    /* Which columns: Total always; banner columns unless empty and hidden. */
    size_t *cols = sd__zalloc(t->ncols, sizeof *cols);
    size_t ncols = 0;
    for (size_t c = 0; cols && c < t->ncols; c++)
        if (c == 0 || !(w->hide_empty && a->base_n[c] == 0))
            cols[ncols++] = c;
    out->nrows = nshown + means + extra;
    out->ncols = ncols;
    out->rows = sd__zalloc(out->nrows, sizeof *out->rows);
    out->cols = sd__zalloc(out->ncols, sizeof *out->cols);
    out->cells = sd__zalloc(out->nrows * out->ncols, sizeof *out->cells);
    sd_status st = SD_OK;
    if (!cols || !out->rows || !out->cols || !out->cells)
        st = nomem(err);
    const sd_var *rv = row_var(ds, t), *cv = col_var(ds, t);
    const sd_net *nets = t->row_is_mrset ? NULL : ds->vars[t->row_index]->nets;
    for (size_t i = 0; i < nshown && st == SD_OK; i++) {
        size_t r = rows[i];
        st = simple_cat(ds, &t->rows[r], rv, nets, &out->rows[i], err);
        for (size_t j = 0; j < ncols && st == SD_OK; j++) {
            size_t c = cols[j], k = r * t->ncols + c;
            sd_ccell *cell = &out->cells[i * ncols + j];
            set_figs(cell, a, k, t->stats ? &t->stats[k] : NULL, t->row_is_scale);
            const char *l = t->has_letters ? t->stats[k].letters : "";
            if (*l && !(cell->letters = sd__strdup(l)))
                st = nomem(err);
        }
    }
    for (size_t x = 0; x < extra && st == SD_OK; x++) {
        /* after the mean row (the table's only shown row) */
        sd_ccat *m = &out->rows[nshown + x];
        m->type = SD_CAT_TYPE_SUMMARY;
        m->code = NAN;
        bool ok = x == 0 ? (m->key = sd__strdup("sd")) &&
                               set_builtin(&m->labels, "Standard deviation", "Écart-type")
                         : (m->key = sd__strdup("median")) &&
                               set_builtin(&m->labels, "Median", "Médiane");
        if (!ok)
            st = nomem(err);
        for (size_t j = 0; j < ncols && st == SD_OK; j++) {
            const sd_cellstat *cs = &t->stats[cols[j]]; /* the mean's cell holds them */
            sd_ccell *cell = &out->cells[(nshown + x) * ncols + j];
            set_figs(cell, NULL, 0, NULL, true);
            cell->fig[SD_FIG_N] = a->base_n[cols[j]];
            if (x == 0) {
                cell->fig[SD_FIG_MEAN] = cs->sd;
            } else {
                cell->fig[SD_FIG_MEAN] = cs->median;
                cell->fig[SD_FIG_SE] = cs->median_se;
                cell->fig[SD_FIG_DF] = cs->df;
                cell->fig[SD_FIG_CI_LOW] = cs->median_low;
                cell->fig[SD_FIG_CI_HIGH] = cs->median_high;
            }
        }
    }
    if (means && st == SD_OK) {
        sd_ccat *m = &out->rows[nshown + extra];
        m->type = SD_CAT_TYPE_SUMMARY;
        m->code = NAN;
        if (!(m->key = sd__strdup("mean")) || !set_builtin(&m->labels, "Mean", "Moyenne"))
            st = nomem(err);
        for (size_t j = 0; j < ncols && st == SD_OK; j++) {
            sd_ccell *cell = &out->cells[(nshown + extra) * ncols + j];
            set_figs(cell, NULL, 0, &t->mean_stats[cols[j]], true);
            cell->fig[SD_FIG_N] = a->base_n[cols[j]];
        }
    }
    for (size_t j = 0; j < ncols && st == SD_OK; j++) {
        size_t c = cols[j];
        sd_ccat *col = &out->cols[j];
        st = c > 0 && t->colpath ? nested_col(ds, t, c, col, err)
                                 : simple_cat(ds, &t->cols[c], cv, NULL, col, err);
        col->base_n = a->base_n[c];
        col->base_w = a->base_w[c];
        col->miss_n = a->miss_n[c];
        col->miss_w = a->miss_w[c];
        if (col->base_n < w->min_base)
            col->flags |= SD_CATF_LOW_BASE;
        if (t->has_letters && c > 0)
            snprintf(col->letter, sizeof col->letter, "%c",
                     (char)('A' + (int)(t->letter0 + c - 1)));
    }
    if (st == SD_OK)
        st = build_pairs(t, rows, nshown, cols, ncols, out, err);
    sd__free(rows);
    sd__free(cols);
    if (st != SD_OK)
        return st;
    out->banner_missing_n = t->banner_missing_n;
    out->banner_missing_w = t->banner_missing_w;
    if (t->chisq.done) {
        const sd_chisq *q = &t->chisq;
        bool f = w->chisq_stat == 0;
        out->has_test = true;
        out->test.statistic = f ? "F" : "Chisq";
        out->test.value = f ? q->f : q->x2;
        out->test.df = f ? q->ndf : q->df;
        out->test.ddf = f ? q->ddf : NAN;
        out->test.p = f ? q->f_p : q->chisq_p;
    }
    return SD_OK;
}

sd_status sd__cube_build(const sd_work *w, sd_result **out, sd_error *err)
{
    sd_result *r = sd__calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return nomem(err);
    r->missing = w->missing;
    r->level = w->level > 0 ? w->level : 0.95;
    r->show_stats = w->show_stats;
    r->show_deff = w->deff;
    r->show_tests = w->tests;
    r->letters = w->letters;
    r->alpha = w->alpha;
    r->alpha2 = w->alpha2;
    r->decimals = w->decimals;
    r->findings = w->findings;
    r->rows_in = w->rows_in;
    r->wt.from_fpc = w->design.w_from_fpc;
    r->rows_total = w->rows_used;
    r->nw_blank = w->nw_blank;
    r->nw_negative = w->nw_negative;
    r->nw_zero = w->nw_zero;
    sd_status st = SD_OK;
    const sd_calib *cal = w->design.cal;
    r->wt.eff = cal ? cal->eff : NAN;
    r->wt.deff = cal ? cal->deff : NAN;
    r->wt.neff = cal ? cal->neff : NAN;
    if (cal && ((cal->method && !(r->wt.method = sd__strdup(cal->method))) ||
                (cal->base && !(r->wt.base = sd__strdup(cal->base))) ||
                (cal->targets && !(r->wt.targets = sd__strdup(cal->targets)))))
        st = nomem(err);
    if (st != SD_OK || !(r->source = sd__strdup(w->source ? w->source : "")) ||
        (w->weight && !(r->wt.weight = sd__strdup(w->weight))) ||
        !(r->tables = sd__zalloc(w->ntables, sizeof *r->tables)))
        st = nomem(err);
    for (size_t i = 0; st == SD_OK && i < w->ntables; i++) {
        r->ntables++;
        st = build_table(w, &w->tables[i], &r->tables[i], err);
        if (st == SD_OK && !sd__cweight_copy(&r->tables[i].wt, &r->wt))
            st = nomem(err);
    }
    if (st != SD_OK) {
        sd_result_free(r);
        return st;
    }
    *out = r;
    return SD_OK;
}
