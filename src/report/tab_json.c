/*
 * tab_json.c — tables for machines as JSON (docs/json.md: the shape is a
 * contract; fields are only ever added). Numbers in round-trip form; a
 * value that cannot be computed is null, never a bare NaN or Inf.
 */
#include "doc.h"

#include <math.h>
#include <string.h>

static const char *row_label(const sd_table *t, const char *lang)
{
    const char *l = sd_table_row_label(t, lang);
    return l ? l : "";
}

static const char *col_label(const sd_table *t, const char *lang)
{
    const char *l = sd_table_col_label(t, lang);
    return l ? l : "";
}

static const char *row_kind(const sd_table *t)
{
    switch (sd_table_kind_of(t)) {
    case SD_TABLE_VARIABLE:
    case SD_TABLE_SUMMARY: return "variable";
    case SD_TABLE_DICHOTOMY_SET: return "dichotomy_set";
    case SD_TABLE_CATEGORY_SET: return "category_set";
    }
    return "variable";
}

/* A category key as JSON: a number for codes, a string otherwise. */
static void json_key(sd_strbuf *sb, const sd_table *t, sd_axis axis, size_t i)
{
    double code = sd_table_cat_code(t, axis, i);
    if (isfinite(code))
        sd__sb_json_num(sb, code);
    else
        sd__sb_json_str(sb, sd_table_cat_key(t, axis, i));
}

static void json_num_or_null(sd_strbuf *sb, double x)
{
    if (isfinite(x))
        sd__sb_json_num(sb, x);
    else
        sd__sb_puts(sb, "null");
}

/* A table's Rao-Scott test (docs/tests.md): the statistic --chisq picks,
 * or null where it does not apply. */
static void json_test(sd_strbuf *sb, const sd_table *t)
{
    sd_test_info q;
    if (!sd_table_test(t, &q)) {
        sd__sb_puts(sb, "null");
        return;
    }
    bool f = strcmp(q.statistic, "F") == 0;
    sd__sb_printf(sb, "{\"statistic\": \"%s\", \"value\": ", q.statistic);
    json_num_or_null(sb, q.value);
    sd__sb_puts(sb, ", \"df\": ");
    json_num_or_null(sb, q.df);
    if (f) {
        sd__sb_puts(sb, ", \"ddf\": ");
        json_num_or_null(sb, q.ddf);
    }
    sd__sb_puts(sb, ", \"p\": ");
    json_num_or_null(sb, q.p);
    sd__sb_putc(sb, '}');
}

/* A measure's name. */
static const char *measure_name(sd_measure m)
{
    return m == SD_MEASURE_SCALE ? "scale" : m == SD_MEASURE_ORDINAL ? "ordinal" : "nominal";
}

/* A table's compared pairs (--tests): per row and pair of columns, the
 * difference, the SE its test implies, the statistic (a t), its df and
 * two-sided p, how it was tested (docs/tests.md), and the p after
 * --adjust when one applies. */
static void json_pairs(sd_strbuf *sb, const sd_table *t)
{
    size_t np = sd_table_npairs(t);
    bool adjusted = false; /* --adjust changed a p-value of this table */
    for (size_t k = 0; k < np && !adjusted; k++) {
        sd_pair_info q;
        sd_table_pair(t, k, &q);
        adjusted = isfinite(q.p) && q.p_adjusted != q.p;
    }
    sd__sb_puts(sb, np ? "[" : "[]");
    for (size_t k = 0; k < np; k++) {
        sd_pair_info q;
        sd_table_pair(t, k, &q);
        sd__sb_puts(sb, k ? ",\n        {\"row\": " : "\n        {\"row\": ");
        json_key(sb, t, SD_ROWS, q.row);
        sd__sb_puts(sb, ", \"cols\": [");
        json_key(sb, t, SD_COLS, q.col_a);
        sd__sb_puts(sb, ", ");
        json_key(sb, t, SD_COLS, q.col_b);
        sd__sb_puts(sb, "], \"diff\": ");
        json_num_or_null(sb, q.diff);
        sd__sb_puts(sb, ", \"se\": ");
        json_num_or_null(sb, q.se);
        sd__sb_puts(sb, ", \"statistic\": ");
        json_num_or_null(sb, q.statistic);
        sd__sb_puts(sb, ", \"df\": ");
        json_num_or_null(sb, q.df);
        sd__sb_puts(sb, ", \"p\": ");
        json_num_or_null(sb, q.p);
        if (adjusted) {
            sd__sb_puts(sb, ", \"p_adjusted\": ");
            json_num_or_null(sb, q.p_adjusted);
        }
        sd__sb_printf(sb, ", \"method\": \"%s\"}", q.method);
    }
    if (np)
        sd__sb_puts(sb, "\n      ]");
}

static const char *cat_type_name(const sd_table *t, size_t i)
{
    switch (sd_table_cat_type(t, SD_ROWS, i)) {
    case SD_CAT_TYPE_TOTAL: return "total";
    case SD_CAT_TYPE_CATEGORY:
        return isfinite(sd_table_cat_code(t, SD_ROWS, i)) ? "code" : "value";
    case SD_CAT_TYPE_ITEM: return "item";
    case SD_CAT_TYPE_NET: return "net";
    case SD_CAT_TYPE_SUMMARY: return sd_table_cat_key(t, SD_ROWS, i);
    }
    return "";
}

/* One figure as `, "name": value` (null when not computable). */
static void json_fig(sd_strbuf *sb, const char *name, double x)
{
    sd__sb_printf(sb, ", \"%s\": ", name);
    json_num_or_null(sb, x);
}

/* A table's findings (docs/json.md, "findings"). */
static void json_findings(sd_strbuf *sb, const sd_findings *f, const sd_table *t, size_t ti)
{
    sd__sb_puts(sb, ",\n      \"findings\": [");
    bool first = true;
    for (size_t i = 0; i < f->n; i++) {
        const sd_finding *x = &f->v[i];
        if (x->table != ti)
            continue;
        static const char *const kinds[] = {"gap", "no_gap", "level", "ranking"};
        sd__sb_puts(sb, first ? "\n        {\"text\": " : ",\n        {\"text\": ");
        first = false;
        sd__sb_json_str(sb, x->text);
        sd__sb_puts(sb, ", \"lang\": ");
        sd__sb_json_str(sb, x->lang);
        sd__sb_printf(sb, ", \"kind\": \"%s\", \"row\": ", kinds[x->kind]);
        json_key(sb, t, SD_ROWS, x->row);
        sd__sb_puts(sb, ", \"cols\": [");
        json_key(sb, t, SD_COLS, x->col_a);
        if (x->col_b != x->col_a) {
            sd__sb_puts(sb, ", ");
            json_key(sb, t, SD_COLS, x->col_b);
        }
        sd__sb_puts(sb, "], \"p\": ");
        json_num_or_null(sb, x->p);
        if (x->change) /* since the compared wave, not two groups */
            sd__sb_puts(sb, ", \"change\": true");
        sd__sb_putc(sb, '}');
    }
    sd__sb_puts(sb, first ? "]" : "\n      ]");
}

/* A label in the report's language as a JSON string ("" when none). */
static void json_label(sd_strbuf *sb, const sd_labels *l, const char *lang)
{
    const char *t = sd__labels_get(l, lang);
    sd__sb_json_str(sb, t ? t : "");
}

/* A report's parts: title, introduction, sections (with their tables'
 * numbers) and notes. */
static void json_report(sd_strbuf *sb, const sd_rdoc *doc, const char *lang)
{
    sd__sb_puts(sb, ",\n  \"report\": {\"title\": ");
    json_label(sb, &doc->title, lang);
    sd__sb_puts(sb, ", \"introduction\": ");
    json_label(sb, &doc->intro, lang);
    sd__sb_puts(sb, ", \"notes\": ");
    json_label(sb, &doc->notes, lang);
    sd__sb_puts(sb, ", \"sections\": [");
    for (size_t s = 0; s < doc->nsections; s++) {
        const sd_rsection *x = &doc->sections[s];
        sd__sb_puts(sb, s ? ",\n    {\"title\": " : "\n    {\"title\": ");
        json_label(sb, &x->title, lang);
        sd__sb_puts(sb, ", \"text\": ");
        json_label(sb, &x->text, lang);
        sd__sb_puts(sb, ", \"tables\": [");
        for (size_t k = x->from; k <= x->to; k++)
            sd__sb_printf(sb, k > x->from ? ", %zu" : "%zu", k);
        sd__sb_puts(sb, "]}");
    }
    sd__sb_puts(sb, doc->nsections ? "\n  ]}" : "]}");
}

/* ,"weight": ... and the weighting step, of table t or (t NULL) of the
 * result: each key after `nl`, the line end and indent. */
static void json_weight(sd_strbuf *sb, const sd_result *r, const sd_table *t, const char *nl)
{
    const char *weight = t ? sd_table_weight(t) : sd_result_weight(r);
    sd__sb_printf(sb, ",%s\"weight\": ", nl);
    if (weight)
        sd__sb_json_str(sb, weight);
    else
        sd__sb_puts(sb, "null");
    if (t ? sd_table_weights_from_fpc(t) : sd_result_weights_from_fpc(r))
        sd__sb_printf(sb, ",%s\"weights_from_fpc\": true", nl);
    if (!(t ? sd_table_weighting(t, SD_WPART_METHOD) : sd_result_weighting(r, SD_WPART_METHOD)))
        return;
    /* The weighting step of the design (docs/weighting.md). */
    static const char *const parts[] = {"method", "base_weight", "targets"};
    sd__sb_printf(sb, ",%s\"weighting\": {", nl);
    for (int k = 0; k < 3; k++) {
        const char *v = t ? sd_table_weighting(t, (sd_wpart)k) : sd_result_weighting(r, (sd_wpart)k);
        sd__sb_printf(sb, "%s\"%s\": ", k ? ", " : "", parts[k]);
        if (v)
            sd__sb_json_str(sb, v);
        else
            sd__sb_puts(sb, "null");
    }
    static const char *const figs[] = {"efficiency", "deff", "effective_n"};
    for (int k = 0; k < 3; k++) {
        double v = t ? sd_table_weighting_figure(t, (sd_wfigure)k)
                     : sd_result_weighting_figure(r, (sd_wfigure)k);
        sd__sb_printf(sb, ", \"%s\": ", figs[k]);
        if (isfinite(v))
            sd__sb_json_num(sb, v);
        else
            sd__sb_puts(sb, "null");
    }
    sd__sb_putc(sb, '}');
}

sd_status sd__write_tab_json(const sd_rdoc *doc, const char *lang, sd_strbuf *sb)
{
    const sd_result *r = doc->result;
    const sd_findings *findings = doc->findings;
    const char *compared = sd_result_compared(r);
    sd__sb_puts(sb, "{\n  \"sondage\": \"" SD_VERSION "\",\n  \"source\": ");
    sd__sb_json_str(sb, sd_result_source(r));
    sd__sb_puts(sb, ",\n  \"lang\": ");
    sd__sb_json_str(sb, lang ? lang : "");
    json_weight(sb, r, NULL, "\n  ");
    if (sd_result_weights_mixed(r))
        sd__sb_puts(sb, ",\n  \"weights_mixed\": true");
    if (compared) {
        sd__sb_puts(sb, ",\n  \"compare\": ");
        sd__sb_json_str(sb, compared);
    }
    if (doc->nsections || doc->title.n)
        json_report(sb, doc, lang);
    double excl[3] = {sd_result_rows(r, SD_ROWS_WEIGHT_BLANK),
                      sd_result_rows(r, SD_ROWS_WEIGHT_NEGATIVE),
                      sd_result_rows(r, SD_ROWS_WEIGHT_ZERO)};
    sd__sb_puts(sb, ",\n  \"rows\": ");
    sd__sb_json_num(sb, sd_result_rows(r, SD_ROWS_DATA));
    sd__sb_puts(sb, ",\n  \"rows_analysed\": ");
    sd__sb_json_num(sb, sd_result_rows(r, SD_ROWS_ANALYSED));
    if (excl[0] + excl[1] + excl[2] > 0) {
        sd__sb_puts(sb, ",\n  \"excluded\": {\"weight_blank\": ");
        sd__sb_json_num(sb, excl[0]);
        sd__sb_puts(sb, ", \"weight_negative\": ");
        sd__sb_json_num(sb, excl[1]);
        sd__sb_puts(sb, ", \"weight_zero\": ");
        sd__sb_json_num(sb, excl[2]);
        sd__sb_putc(sb, '}');
    }
    sd__sb_printf(sb, ",\n  \"missing\": \"%s\",\n  \"tables\": [",
                  sd_result_missing(r) == SD_MISSING_INCLUDE ? "include" : "exclude");
    size_t ntab = sd_result_ntables(r);
    for (size_t ti = 0; ti < ntab; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t nr = sd_table_size(t, SD_ROWS), nc = sd_table_size(t, SD_COLS);
        bool summary = sd_table_kind_of(t) == SD_TABLE_SUMMARY;
        bool tests = sd_table_shows(t, SD_SHOW_TESTS), deff = sd_table_shows(t, SD_SHOW_DEFF);
        sd__sb_puts(sb, ti ? ",\n    {\n" : "\n    {\n");
        sd__sb_printf(sb, "      \"number\": %zu,\n      \"title\": ", sd_table_number(t));
        sd__sb_json_str(sb, sd_table_title(t, lang));
        sd__sb_puts(sb, ",\n      \"base\": ");
        sd_strbuf bt;
        sd__sb_init(&bt, 1 << 20);
        sd__base_text(&bt, t, lang);
        sd__sb_json_str(sb, sd__sb_str(&bt));
        sd__sb_free(&bt);
        if (sd_result_weights_mixed(r))
            json_weight(sb, r, t, "\n      ");
        if (sd_table_filter(t)) {
            sd__sb_puts(sb, ",\n      \"filter\": ");
            sd__sb_json_str(sb, sd_table_filter(t));
        }
        if (strcmp(sd_table_pct_of(t), "col") != 0)
            sd__sb_printf(sb, ",\n      \"pct_of\": \"%s\"", sd_table_pct_of(t));
        sd__sb_puts(sb, ",\n      \"min_base\": ");
        sd__sb_json_num(sb, sd_table_min_base(t));
        sd__sb_puts(sb, ",\n      \"row_var\": ");
        sd__sb_json_str(sb, sd_table_row_var(t));
        sd__sb_printf(sb, ",\n      \"row_kind\": \"%s\",\n      \"row_label\": ", row_kind(t));
        sd__sb_json_str(sb, row_label(t, lang));
        int forced = sd_table_row_forced(t);
        const char *measure = measure_name(sd_table_row_measure(t));
        if (summary || forced) {
            /* why a table shows summaries (the variable's measure), and
             * whether NAME:cat / NAME:mean overrode it */
            sd__sb_printf(sb, ",\n      \"measure\": \"%s\"", measure);
            if (forced)
                sd__sb_puts(sb, ", \"forced\": true");
        }
        sd__sb_puts(sb, ",\n      \"col_var\": ");
        if (sd_table_col_var(t))
            sd__sb_json_str(sb, sd_table_col_var(t));
        else
            sd__sb_puts(sb, "null");
        sd__sb_puts(sb, ",\n      \"col_label\": ");
        sd__sb_json_str(sb, col_label(t, lang));
        sd__sb_puts(sb, ",\n      \"rows\": [");
        for (size_t i = 0; i < nr; i++) {
            sd__sb_puts(sb, i ? ", {\"row\": " : "{\"row\": ");
            json_key(sb, t, SD_ROWS, i);
            sd__sb_printf(sb, ", \"kind\": \"%s\", \"label\": ", cat_type_name(t, i));
            sd__sb_json_str(sb, sd_table_cat_label(t, SD_ROWS, i, lang));
            if (sd_table_cat_flags(t, SD_ROWS, i) & SD_CATF_USER_MISSING)
                sd__sb_puts(sb, ", \"user_missing\": true");
            sd__sb_putc(sb, '}');
        }
        sd__sb_puts(sb, "],\n      \"cols\": [");
        for (size_t c = 0; c < nc; c++) {
            sd__sb_puts(sb, c ? ", {\"col\": " : "{\"col\": ");
            json_key(sb, t, SD_COLS, c);
            sd__sb_puts(sb, ", \"label\": ");
            sd__sb_json_str(sb, sd_table_cat_label(t, SD_COLS, c, lang));
            sd__sb_puts(sb, ", \"base_n\": ");
            sd__sb_json_num(sb, sd_table_base(t, c, SD_BASE_N));
            sd__sb_puts(sb, ", \"base_count\": ");
            sd__sb_json_num(sb, sd_table_base(t, c, SD_BASE_COUNT));
            sd__sb_puts(sb, ", \"missing_n\": ");
            sd__sb_json_num(sb, sd_table_base(t, c, SD_BASE_MISSING_N));
            sd__sb_puts(sb, ", \"missing_count\": ");
            sd__sb_json_num(sb, sd_table_base(t, c, SD_BASE_MISSING_COUNT));
            if (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE)
                sd__sb_puts(sb, ", \"low_base\": true");
            size_t depth = sd_table_col_depth(t);
            if (depth > 1 && c > 0) {
                sd__sb_puts(sb, ", \"path\": [");
                for (size_t l = 0; l < depth; l++) {
                    sd__sb_puts(sb, l ? ", {\"var\": " : "{\"var\": ");
                    sd__sb_json_str(sb, sd_table_col_level_var(t, l));
                    sd__sb_puts(sb, ", \"col\": ");
                    double code = sd_table_col_level_code(t, c, l);
                    if (isfinite(code))
                        sd__sb_json_num(sb, code);
                    else
                        sd__sb_json_str(sb, sd_table_col_level_key(t, c, l));
                    sd__sb_puts(sb, ", \"label\": ");
                    sd__sb_json_str(sb, sd_table_col_level_label(t, c, l, lang));
                    sd__sb_putc(sb, '}');
                }
                sd__sb_putc(sb, ']');
            }
            const char *letter = sd_table_col_letter(t, c);
            if (tests && *letter)
                sd__sb_printf(sb, ", \"letter\": \"%s\"", letter);
            sd__sb_putc(sb, '}');
        }
        sd__sb_puts(sb, "],\n      \"banner_missing_n\": ");
        sd__sb_json_num(sb, sd_table_banner_missing(t, 0));
        if (tests) {
            sd__sb_puts(sb, ",\n      \"test\": ");
            json_test(sb, t);
            sd__sb_puts(sb, ",\n      \"pairs\": ");
            json_pairs(sb, t);
        }
        if (findings)
            json_findings(sb, findings, t, ti);
        bool has_letters = nc > 1 && *sd_table_col_letter(t, 1);
        sd__sb_puts(sb, ",\n      \"cells\": [");
        for (size_t i = 0; i < nr; i++) {
            for (size_t c = 0; c < nc; c++) {
                sd__sb_puts(sb, i + c ? ",\n        {\"row\": " : "\n        {\"row\": ");
                json_key(sb, t, SD_ROWS, i);
                sd__sb_puts(sb, ", \"col\": ");
                json_key(sb, t, SD_COLS, c);
                sd__sb_puts(sb, ", \"n\": ");
                sd__sb_json_num(sb, sd_table_cell(t, i, c, SD_FIG_N));
                bool srow = sd__est_fig(t, i) == SD_FIG_MEAN;
                if (summary || !srow) {
                    sd__sb_puts(sb, summary ? ", \"total\": " : ", \"count\": ");
                    json_num_or_null(sb, sd_table_cell(t, i, c, SD_FIG_COUNT));
                }
                json_fig(sb, srow ? "mean" : "pct", sd_table_cell(t, i, c, sd__est_fig(t, i)));
                json_fig(sb, "se", sd_table_cell(t, i, c, SD_FIG_SE));
                json_fig(sb, "ci_low", sd_table_cell(t, i, c, SD_FIG_CI_LOW));
                json_fig(sb, "ci_high", sd_table_cell(t, i, c, SD_FIG_CI_HIGH));
                if (compared) {
                    json_fig(sb, srow ? "prev_mean" : "prev_pct",
                             sd_table_cell(t, i, c, SD_FIG_PREV));
                    json_fig(sb, "change", sd_table_cell(t, i, c, SD_FIG_CHANGE));
                    json_fig(sb, "change_se", sd_table_cell(t, i, c, SD_FIG_CHANGE_SE));
                    json_fig(sb, "change_p", sd_table_cell(t, i, c, SD_FIG_CHANGE_P));
                }
                if (summary && srow)
                    json_fig(sb, "total_se", sd_table_cell(t, i, c, SD_FIG_TOTAL_SE));
                if (deff) {
                    json_fig(sb, "deff", sd_table_cell(t, i, c, SD_FIG_DEFF));
                    json_fig(sb, "eff_base", sd_table_cell(t, i, c, SD_FIG_EFF_BASE));
                }
                if (tests && has_letters) {
                    sd__sb_puts(sb, ", \"letters\": ");
                    sd__sb_json_str(sb, sd_table_cell_letters(t, i, c));
                }
                sd__sb_putc(sb, '}');
            }
        }
        sd__sb_puts(sb, nr && nc ? "\n      ]\n    }" : "]\n    }");
    }
    sd__sb_puts(sb, ntab ? "\n  ]\n}\n" : "]\n}\n");
    return sd__sb_status(sb);
}

