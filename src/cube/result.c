/*
 * result.c — the public entry points of a tabulation (sd_tabulate,
 * sd_result_free) and the read API of its result (include/sondage.h,
 * "reading results"). Every accessor checks its indexes: out of range
 * gives NaN, NULL, "" or 0 as the header says.
 */
#include "cube.h"

#include <math.h>
#include <string.h>

sd_status sd_tabulate(const sd_dataset *ds, const sd_tabspec *spec, sd_result **out,
                      sd_error *err)
{
    sd_work *w = NULL;
    *out = NULL;
    sd_status st = sd__tabulate_work(ds, spec, &w, err);
    if (st == SD_OK)
        st = sd__cube_build(w, out, err);
    sd__work_free(w);
    return st;
}

sd_status sd_tabulate_stream(const char *path, const sd_open_options *opts,
                             sd_tabspec *const *specs, size_t n, sd_result **out,
                             sd_error *err)
{
    for (size_t i = 0; out && i < n; i++)
        out[i] = NULL;
    if (!path || !specs || !n || !out)
        return sd__fail(err, SD_E_INVALID, path, 0, 0, NULL, "no file or no request given");
    sd_work **w = sd__zalloc(n, sizeof *w);
    if (!w)
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    sd_status st = sd__tabulate_stream(path, opts, specs, n, w, NULL, 0, err);
    for (size_t i = 0; i < n && st == SD_OK; i++)
        if ((st = sd__work_stats(w[i], specs[i], err)) == SD_OK)
            st = sd__cube_build(w[i], &out[i], err);
    for (size_t i = 0; i < n; i++)
        sd__work_free(w[i]); /* the last owns the dataset the others read */
    sd__free(w);
    for (size_t i = 0; st != SD_OK && i < n; i++) {
        sd_result_free(out[i]);
        out[i] = NULL;
    }
    return st;
}

static void cat_free(sd_ccat *c)
{
    sd__free(c->key);
    sd__labels_free(&c->labels);
    for (int k = 0; k < 3; k++)
        sd__labels_free(&c->noun[k]);
    for (size_t l = 0; c->lev && l < c->nlev; l++)
        cat_free(&c->lev[l]);
    sd__free(c->lev);
}

void sd_result_free(sd_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntables; i++) {
        sd_table *t = &r->tables[i];
        sd__free(t->row_var);
        sd__free(t->col_var);
        sd__labels_free(&t->row_label);
        sd__labels_free(&t->row_note);
        sd__free(t->row_set);
        sd__labels_free(&t->row_set_label);
        sd__labels_free(&t->col_label);
        sd__free(t->filter);
        for (size_t l = 0; l < SD_MAX_NEST; l++) {
            sd__free(t->col_levels[l]);
            sd__labels_free(&t->col_level_label[l]);
        }
        for (size_t k = 0; t->rows && k < t->nrows; k++)
            cat_free(&t->rows[k]);
        for (size_t k = 0; t->cols && k < t->ncols; k++)
            cat_free(&t->cols[k]);
        for (size_t k = 0; t->cells && k < t->nrows * t->ncols; k++)
            sd__free(t->cells[k].letters);
        for (size_t k = 0; k < t->npairs; k++)
            sd__free(t->pairs[k].method);
        sd__free(t->rows);
        sd__free(t->cols);
        sd__free(t->cells);
        sd__free(t->pairs);
        sd__cweight_free(&t->wt);
    }
    sd__free(r->tables);
    sd__free(r->source);
    sd__cweight_free(&r->wt);
    sd__free(r->compared);
    sd__free(r);
}

/* ---- the result */

size_t sd_result_ntables(const sd_result *r)
{
    return r ? r->ntables : 0;
}

const sd_table *sd_result_table(const sd_result *r, size_t i)
{
    return r && i < r->ntables ? &r->tables[i] : NULL;
}

const char *sd_result_source(const sd_result *r)
{
    return r->source;
}

/* ---- weights: the result's (its first request's) and each table's */

void sd__cweight_free(sd_cweight *w)
{
    sd__free(w->weight);
    sd__free(w->method);
    sd__free(w->base);
    sd__free(w->targets);
    memset(w, 0, sizeof *w);
}

static bool dup_or_null(char **dst, const char *src)
{
    *dst = src ? sd__strdup(src) : NULL;
    return !src || *dst;
}

bool sd__cweight_copy(sd_cweight *dst, const sd_cweight *src)
{
    *dst = *src;
    dst->weight = dst->method = dst->base = dst->targets = NULL;
    if (dup_or_null(&dst->weight, src->weight) && dup_or_null(&dst->method, src->method) &&
        dup_or_null(&dst->base, src->base) && dup_or_null(&dst->targets, src->targets))
        return true;
    sd__cweight_free(dst);
    return false;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* Two requests weighted alike: the same weight, made the same way. */
static bool cweight_same(const sd_cweight *a, const sd_cweight *b)
{
    return same_str(a->weight, b->weight) && a->from_fpc == b->from_fpc &&
           same_str(a->method, b->method) && same_str(a->base, b->base) &&
           same_str(a->targets, b->targets);
}

static const char *wpart(const sd_cweight *w, sd_wpart what)
{
    switch (what) {
    case SD_WPART_METHOD: return w->method;
    case SD_WPART_BASE: return w->base;
    case SD_WPART_TARGETS: return w->targets;
    }
    return NULL;
}

static double wfigure(const sd_cweight *w, sd_wfigure what)
{
    if (!w->method)
        return NAN;
    switch (what) {
    case SD_WFIG_EFFICIENCY: return w->eff;
    case SD_WFIG_DEFF: return w->deff;
    case SD_WFIG_EFFECTIVE_N: return w->neff;
    }
    return NAN;
}

const char *sd_result_weight(const sd_result *r)
{
    return r->wt.weight;
}

const char *sd_result_weighting(const sd_result *r, sd_wpart what)
{
    return wpart(&r->wt, what);
}

double sd_result_weighting_figure(const sd_result *r, sd_wfigure what)
{
    return wfigure(&r->wt, what);
}

int sd_result_weights_mixed(const sd_result *r)
{
    return r->mixed_weights;
}

const char *sd_table_weight(const sd_table *t)
{
    return t->wt.weight;
}

int sd_table_weights_from_fpc(const sd_table *t)
{
    return t->wt.from_fpc;
}

const char *sd_table_weighting(const sd_table *t, sd_wpart what)
{
    return wpart(&t->wt, what);
}

double sd_table_weighting_figure(const sd_table *t, sd_wfigure what)
{
    return wfigure(&t->wt, what);
}

sd_missing_mode sd_result_missing(const sd_result *r)
{
    return r->missing;
}

const char *sd_result_compared(const sd_result *r)
{
    return r->compared;
}

double sd_result_level(const sd_result *r)
{
    return r->level;
}

int sd_result_shows_stats(const sd_result *r)
{
    return r->show_stats;
}

int sd_result_shows_deff(const sd_result *r)
{
    return r->show_deff;
}

int sd_result_shows_tests(const sd_result *r)
{
    return r->show_tests;
}

int sd_result_weights_from_fpc(const sd_result *r)
{
    return r->wt.from_fpc;
}

const char *sd_result_letters_method(const sd_result *r, double *alpha, double *alpha2)
{
    if (alpha)
        *alpha = r->alpha;
    if (alpha2)
        *alpha2 = r->alpha2;
    if (!r->show_tests || r->letters == 2)
        return NULL;
    return r->letters == 1 ? "spss" : "design";
}

/* ---- a table */

size_t sd_table_number(const sd_table *t)
{
    return t->number;
}

sd_table_kind sd_table_kind_of(const sd_table *t)
{
    return t->kind;
}

int sd_table_row_forced(const sd_table *t)
{
    return t->forced;
}

const char *sd_table_row_var(const sd_table *t)
{
    return t->row_var;
}

const char *sd_table_row_label(const sd_table *t, const char *lang)
{
    return sd__labels_get(&t->row_label, lang);
}

sd_measure sd_table_row_measure(const sd_table *t)
{
    return t->row_measure;
}

const char *sd_table_col_var(const sd_table *t)
{
    return t->col_var;
}

const char *sd_table_col_label(const sd_table *t, const char *lang)
{
    return t->col_var ? sd__labels_get(&t->col_label, lang) : NULL;
}

size_t sd_table_size(const sd_table *t, sd_axis axis)
{
    return axis == SD_ROWS ? t->nrows : t->ncols;
}

static const sd_ccat *cat_at(const sd_table *t, sd_axis axis, size_t i)
{
    if (axis == SD_ROWS)
        return i < t->nrows ? &t->rows[i] : NULL;
    return i < t->ncols ? &t->cols[i] : NULL;
}

sd_cat_type sd_table_cat_type(const sd_table *t, sd_axis axis, size_t i)
{
    const sd_ccat *c = cat_at(t, axis, i);
    return c ? c->type : SD_CAT_TYPE_TOTAL;
}

const char *sd_table_cat_key(const sd_table *t, sd_axis axis, size_t i)
{
    const sd_ccat *c = cat_at(t, axis, i);
    return c ? c->key : NULL;
}

double sd_table_cat_code(const sd_table *t, sd_axis axis, size_t i)
{
    const sd_ccat *c = cat_at(t, axis, i);
    return c ? c->code : NAN;
}

const char *sd_table_cat_label(const sd_table *t, sd_axis axis, size_t i, const char *lang)
{
    const sd_ccat *c = cat_at(t, axis, i);
    if (!c)
        return NULL;
    const char *l = sd__labels_get(&c->labels, lang);
    return l ? l : c->key;
}

const char *sd_table_cat_noun(const sd_table *t, sd_axis axis, size_t i, const char *lang,
                              sd_noun_form form)
{
    const sd_ccat *c = cat_at(t, axis, i);
    if (!c || (int)form < 0 || (int)form > 2)
        return NULL;
    const char *s = sd__labels_get_exact(&c->noun[form], lang);
    return s ? s : sd__labels_get_exact(&c->noun[form], NULL);
}

unsigned sd_table_cat_flags(const sd_table *t, sd_axis axis, size_t i)
{
    const sd_ccat *c = cat_at(t, axis, i);
    return c ? c->flags : 0;
}

const char *sd_table_col_letter(const sd_table *t, size_t col)
{
    return col < t->ncols ? t->cols[col].letter : "";
}

double sd_table_base(const sd_table *t, size_t col, sd_base which)
{
    if (col >= t->ncols)
        return NAN;
    const sd_ccat *c = &t->cols[col];
    switch (which) {
    case SD_BASE_N: return c->base_n;
    case SD_BASE_COUNT: return c->base_w;
    case SD_BASE_MISSING_N: return c->miss_n;
    case SD_BASE_MISSING_COUNT: return c->miss_w;
    }
    return NAN;
}

double sd_table_banner_missing(const sd_table *t, int weighted)
{
    return weighted ? t->banner_missing_w : t->banner_missing_n;
}

double sd_table_cell(const sd_table *t, size_t row, size_t col, sd_figure f)
{
    if (row >= t->nrows || col >= t->ncols || (int)f < 0 || f >= SD_FIG_COUNT_)
        return NAN;
    return t->cells[row * t->ncols + col].fig[f];
}

const char *sd_table_cell_letters(const sd_table *t, size_t row, size_t col)
{
    if (row >= t->nrows || col >= t->ncols)
        return "";
    const char *l = t->cells[row * t->ncols + col].letters;
    return l ? l : "";
}

int sd_table_test(const sd_table *t, sd_test_info *out)
{
    if (!t->has_test)
        return 0;
    if (out)
        *out = t->test;
    return 1;
}

size_t sd_table_npairs(const sd_table *t)
{
    return t->npairs;
}

int sd_table_pair(const sd_table *t, size_t i, sd_pair_info *out)
{
    if (i >= t->npairs)
        return 0;
    const sd_cpair *p = &t->pairs[i];
    if (out) {
        out->row = p->row;
        out->col_a = p->col_a;
        out->col_b = p->col_b;
        out->diff = p->diff;
        out->se = p->se;
        out->statistic = p->statistic;
        out->df = p->df;
        out->p = p->p;
        out->p_adjusted = p->p_adj;
        out->method = p->method;
    }
    return 1;
}

/* ---- what was analysed, and how a table is defined */

int sd_result_wants_findings(const sd_result *r)
{
    return r->findings;
}

int sd_result_decimals(const sd_result *r)
{
    return r->decimals;
}

double sd_result_rows(const sd_result *r, sd_rowcount which)
{
    switch (which) {
    case SD_ROWS_DATA: return r->rows_total;
    case SD_ROWS_ANALYSED: return r->rows_in;
    case SD_ROWS_WEIGHT_BLANK: return (double)r->nw_blank;
    case SD_ROWS_WEIGHT_NEGATIVE: return (double)r->nw_negative;
    case SD_ROWS_WEIGHT_ZERO: return (double)r->nw_zero;
    }
    return NAN;
}

const char *sd_table_row_note(const sd_table *t, const char *lang)
{
    return sd__labels_get(&t->row_note, lang);
}

const char *sd_table_row_set(const sd_table *t, const char *lang, const char **label,
                             double *counted)
{
    if (label)
        *label = t->row_set ? sd__labels_get(&t->row_set_label, lang) : NULL;
    if (counted)
        *counted = t->row_set_counted;
    return t->row_set;
}

const char *sd_table_title(const sd_table *t, const char *lang)
{
    const char *l = sd__labels_get(&t->row_label, lang);
    return l ? l : t->row_var;
}

const char *sd_table_filter(const sd_table *t)
{
    return t->filter;
}

const char *sd_table_pct_of(const sd_table *t)
{
    switch (t->pct) {
    case SD_PCT_COL: return "col";
    case SD_PCT_ROW: return "row";
    case SD_PCT_TOTAL: return "total";
    }
    return "col";
}

double sd_table_min_base(const sd_table *t)
{
    return t->min_base;
}

size_t sd_table_col_depth(const sd_table *t)
{
    return t->col_var ? t->col_depth : 0;
}

const char *sd_table_col_level_var(const sd_table *t, size_t level)
{
    if (!t->col_var || level >= t->col_depth)
        return NULL;
    return t->col_depth > 1 ? t->col_levels[level] : t->col_var;
}

const char *sd_table_col_level_var_label(const sd_table *t, size_t level, const char *lang)
{
    if (!t->col_var || level >= t->col_depth)
        return NULL;
    const sd_labels *l = t->col_depth > 1 ? &t->col_level_label[level] : &t->col_label;
    const char *s = sd__labels_get(l, lang);
    return s ? s : sd_table_col_level_var(t, level);
}

static const sd_ccat *level_at(const sd_table *t, size_t col, size_t level)
{
    if (col >= t->ncols || level >= t->col_depth)
        return NULL;
    const sd_ccat *c = &t->cols[col];
    if (c->nlev)
        return &c->lev[level];
    return level == 0 ? c : NULL;
}

const char *sd_table_col_level_key(const sd_table *t, size_t col, size_t level)
{
    const sd_ccat *c = level_at(t, col, level);
    return c ? c->key : NULL;
}

const char *sd_table_col_level_label(const sd_table *t, size_t col, size_t level,
                                     const char *lang)
{
    const sd_ccat *c = level_at(t, col, level);
    if (!c)
        return NULL;
    const char *l = sd__labels_get(&c->labels, lang);
    return l ? l : c->key;
}

int sd_table_shows(const sd_table *t, sd_show what)
{
    switch (what) {
    case SD_SHOW_STATS: return t->show_stats;
    case SD_SHOW_DEFF: return t->show_deff;
    case SD_SHOW_TESTS: return t->show_tests;
    }
    return 0;
}

double sd_table_level(const sd_table *t)
{
    return t->level;
}

sd_status sd_result_merge(sd_result *dst, sd_result *src, sd_error *err)
{
    if (!src)
        return SD_OK;
    size_t n;
    if (!sd__add_ok(dst->ntables, src->ntables, &n)) {
        sd_result_free(src);
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL, "too many tables");
    }
    sd_table *v = sd__reallocarray(dst->tables, n ? n : 1, sizeof *v);
    if (!v) {
        sd_result_free(src);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    dst->tables = v;
    bool added = src->ntables > 0;
    size_t last = dst->ntables ? dst->tables[dst->ntables - 1].number : 0;
    for (size_t i = 0; i < src->ntables; i++) {
        dst->tables[dst->ntables + i] = src->tables[i];
        dst->tables[dst->ntables + i].number += last;
    }
    dst->ntables = n;
    src->ntables = 0;
    /* What any of the requests asked to show, the merged result shows. */
    dst->show_stats |= src->show_stats;
    dst->show_deff |= src->show_deff;
    dst->show_tests |= src->show_tests;
    dst->findings |= src->findings;
    dst->rows_in = dst->rows_in > src->rows_in ? dst->rows_in : src->rows_in;
    dst->mixed_weights |= src->mixed_weights || (added && !cweight_same(&dst->wt, &src->wt));
    sd_result_free(src);
    return SD_OK;
}

double sd_table_col_level_code(const sd_table *t, size_t col, size_t level)
{
    const sd_ccat *c = level_at(t, col, level);
    return c ? c->code : NAN;
}

sd_missing_mode sd_table_missing(const sd_table *t)
{
    return t->missing;
}
