/*
 * build.c — turn a tabulation's working state (the engine's sums and the
 * stats layer's cell statistics) into the result users read: every name,
 * label and code is copied out of the dataset, every figure out of the
 * sums, so the result needs neither once built.
 */
#include "cube.h"

#include <math.h>
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

/* The variable whose value labels name a table's categories: the row
 * variable, the first variable of a category set, or the banner. */
static const sd_var *dim_var(const sd_dataset *ds, const sd_wtable *t, bool is_row)
{
    if (!is_row)
        return t->col_var >= 0 ? ds->vars[t->col_var] : NULL;
    if (!t->row_is_mrset)
        return ds->vars[t->row_index];
    const sd_mrset *m = ds->mr[t->row_index];
    return m->kind == SD_MRSET_CATEGORY && m->nvars ? ds->vars[m->vars[0]] : NULL;
}

static sd_status build_cat(const sd_dataset *ds, const sd_wtable *t, bool is_row, size_t i,
                           sd_ccat *out, sd_error *err)
{
    const sd_cat *c = is_row ? &t->rows[i] : &t->cols[i];
    const sd_var *v = dim_var(ds, t, is_row);
    const sd_labels *src = NULL;
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
        if (k >= 0)
            src = &v->vl[k].labels;
        break;
    }
    case SD_CAT_STRING: {
        out->type = SD_CAT_TYPE_CATEGORY;
        key = c->str;
        long k = v ? sd__var_find_vlabel_str(v, c->str) : -1;
        if (k >= 0)
            src = &v->vl[k].labels;
        break;
    }
    case SD_CAT_ITEM:
        out->type = SD_CAT_TYPE_ITEM;
        key = ds->vars[c->index]->name;
        src = &ds->vars[c->index]->label;
        break;
    case SD_CAT_NET: {
        const sd_net *net = &ds->vars[t->row_index]->nets[c->index];
        out->type = SD_CAT_TYPE_NET;
        key = net->name;
        src = &net->labels;
        break;
    }
    case SD_CAT_MEAN:
        out->type = SD_CAT_TYPE_SUMMARY;
        key = "mean";
        ok = set_builtin(&out->labels, "Mean", "Moyenne");
        break;
    case SD_CAT_SUMSQ: /* never shown: build_table skips it */
        out->type = SD_CAT_TYPE_SUMMARY;
        key = "sumsq";
        break;
    }
    if (!ok || !(out->key = sd__strdup(key)) || (src && !sd__labels_copy(&out->labels, src)))
        return nomem(err);
    return SD_OK;
}

/* Rows shown: a scale variable's sum of squares row only feeds its SD. */
static size_t shown_rows(const sd_wtable *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++)
        n += t->rows[i].kind != SD_CAT_SUMSQ;
    return n;
}

static void fill_cell(const sd_work *w, const sd_wtable *t, size_t r, size_t c, sd_ccell *cell)
{
    const sd_accum *a = &t->acc;
    size_t k = r * t->ncols + c;
    for (int f = 0; f < SD_FIG_COUNT_; f++)
        cell->fig[f] = NAN;
    cell->fig[SD_FIG_N] = a->n[k];
    cell->fig[SD_FIG_COUNT] = a->w[k];
    double base = a->base_w[c];
    double est = base > 0 ? a->w[k] / base : NAN;
    bool summary = t->rows[r].kind == SD_CAT_MEAN;
    cell->fig[summary ? SD_FIG_MEAN : SD_FIG_PCT] = est;
    if (!t->stats)
        return;
    const sd_cellstat *cs = &t->stats[k];
    cell->fig[SD_FIG_SE] = cs->se;
    cell->fig[SD_FIG_DF] = cs->df;
    cell->fig[SD_FIG_CI_LOW] = cs->ci_low;
    cell->fig[SD_FIG_CI_HIGH] = cs->ci_high;
    cell->fig[SD_FIG_DEFF] = cs->deff;
    cell->fig[SD_FIG_EFF_BASE] = cs->eff_base;
    if (summary)
        cell->fig[SD_FIG_TOTAL_SE] = cs->total_se;
    (void)w;
}

static sd_status build_table(const sd_work *w, const sd_wtable *t, sd_table *out, sd_error *err)
{
    const sd_dataset *ds = w->dataset;
    out->number = t->number;
    if (t->row_is_scale)
        out->kind = SD_TABLE_SUMMARY;
    else if (!t->row_is_mrset)
        out->kind = SD_TABLE_VARIABLE;
    else
        out->kind = ds->mr[t->row_index]->kind == SD_MRSET_DICHOTOMY ? SD_TABLE_DICHOTOMY_SET
                                                                     : SD_TABLE_CATEGORY_SET;
    const sd_labels *rl = t->row_is_mrset ? &ds->mr[t->row_index]->label
                                          : &ds->vars[t->row_index]->label;
    if (!(out->row_var = sd__strdup(t->row_name)) || !sd__labels_copy(&out->row_label, rl))
        return nomem(err);
    if (t->col_var >= 0 && (!(out->col_var = sd__strdup(t->col_name)) ||
                            !sd__labels_copy(&out->col_label, &ds->vars[t->col_var]->label)))
        return nomem(err);
    out->nrows = shown_rows(t);
    out->ncols = t->ncols;
    out->rows = sd__zalloc(out->nrows, sizeof *out->rows);
    out->cols = sd__zalloc(out->ncols, sizeof *out->cols);
    size_t ncells;
    if (!sd__mul_ok(out->nrows, out->ncols, &ncells))
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, t->row_name, "table too large");
    out->cells = sd__zalloc(ncells, sizeof *out->cells);
    if (!out->rows || !out->cols || !out->cells)
        return nomem(err);
    sd_status st = SD_OK;
    size_t shown = 0;
    for (size_t r = 0; r < t->nrows && st == SD_OK; r++) {
        if (t->rows[r].kind == SD_CAT_SUMSQ)
            continue;
        st = build_cat(ds, t, true, r, &out->rows[shown], err);
        for (size_t c = 0; c < t->ncols && st == SD_OK; c++) {
            sd_ccell *cell = &out->cells[shown * out->ncols + c];
            fill_cell(w, t, r, c, cell);
            const char *l = t->has_letters ? t->stats[r * t->ncols + c].letters : "";
            if (*l && !(cell->letters = sd__strdup(l)))
                st = nomem(err);
        }
        shown++;
    }
    const sd_accum *a = &t->acc;
    for (size_t c = 0; c < t->ncols && st == SD_OK; c++) {
        sd_ccat *col = &out->cols[c];
        st = build_cat(ds, t, false, c, col, err);
        col->base_n = a->base_n[c];
        col->base_w = a->base_w[c];
        col->miss_n = a->miss_n[c];
        col->miss_w = a->miss_w[c];
        if (t->has_letters && c > 0)
            snprintf(col->letter, sizeof col->letter, "%c", (char)('A' + (int)(c - 1)));
    }
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
    sd_status st = SD_OK;
    if (!(r->source = sd__strdup(w->source ? w->source : "")) ||
        (w->weight && !(r->weight = sd__strdup(w->weight))) ||
        !(r->tables = sd__zalloc(w->ntables, sizeof *r->tables)))
        st = nomem(err);
    for (size_t i = 0; st == SD_OK && i < w->ntables; i++) {
        r->ntables++;
        st = build_table(w, &w->tables[i], &r->tables[i], err);
    }
    if (st != SD_OK) {
        sd_result_free(r);
        return st;
    }
    *out = r;
    return SD_OK;
}
