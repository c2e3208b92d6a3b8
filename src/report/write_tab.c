/*
 * write_tab.c — tables of counts and column percentages as text (for
 * people: banners side by side, the report language's decimal mark), CSV
 * (one line per cell) and JSON (docs/json.md), and sd_result_write.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* The estimate a cell shows: its proportion, or a summary's value. */
static sd_figure est_fig(const sd_table *t)
{
    return sd_table_kind_of(t) == SD_TABLE_SUMMARY ? SD_FIG_MEAN : SD_FIG_PCT;
}

static bool is_summary(const sd_table *t)
{
    return sd_table_kind_of(t) == SD_TABLE_SUMMARY;
}

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

/* ------------------------------------------------------------------ CSV */

sd_status sd__write_tab_csv(const sd_result *r, const char *lang, sd_strbuf *sb)
{
    bool stats = sd_result_shows_stats(r), deff = sd_result_shows_deff(r);
    bool tests = sd_result_shows_tests(r);
    sd__sb_puts(sb, "row_var,row,row_label,col_var,col,col_label,n,count,pct,base_n,base_count,"
                    "missing_n,mean");
    if (stats)
        sd__sb_puts(sb, deff ? ",se,ci_low,ci_high,deff,eff_base" : ",se,ci_low,ci_high");
    sd__sb_puts(sb, tests ? ",letters\n" : "\n"); /* column letters (docs/tests.md) */
    static const sd_figure extra[5] = {SD_FIG_SE, SD_FIG_CI_LOW, SD_FIG_CI_HIGH, SD_FIG_DEFF,
                                       SD_FIG_EFF_BASE};
    for (size_t ti = 0; ti < sd_result_ntables(r); ti++) {
        const sd_table *t = sd_result_table(r, ti);
        const char *cv = sd_table_col_var(t);
        bool summary = is_summary(t);
        for (size_t i = 0; i < sd_table_size(t, SD_ROWS); i++) {
            for (size_t c = 0; c < sd_table_size(t, SD_COLS); c++) {
                sd__sb_csv_field(sb, sd_table_row_var(t));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_key(t, SD_ROWS, i));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_label(t, SD_ROWS, i, lang));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, cv ? cv : "");
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_key(t, SD_COLS, c));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_label(t, SD_COLS, c, lang));
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, sd_table_cell(t, i, c, SD_FIG_N));
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, sd_table_cell(t, i, c, SD_FIG_COUNT));
                sd__sb_putc(sb, ',');
                double p = sd_table_cell(t, i, c, est_fig(t));
                if (!isnan(p) && !summary)
                    sd__sb_num(sb, p);
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, sd_table_base(t, c, SD_BASE_N));
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, sd_table_base(t, c, SD_BASE_COUNT));
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, sd_table_base(t, c, SD_BASE_MISSING_N));
                sd__sb_putc(sb, ',');
                if (!isnan(p) && summary)
                    sd__sb_num(sb, p);
                for (int k = 0; stats && k < (deff ? 5 : 3); k++) {
                    double v = sd_table_cell(t, i, c, extra[k]);
                    sd__sb_putc(sb, ',');
                    if (isfinite(v))
                        sd__sb_num(sb, v);
                }
                if (tests) {
                    sd__sb_putc(sb, ',');
                    sd__sb_csv_field(sb, sd_table_cell_letters(t, i, c));
                }
                sd__sb_putc(sb, '\n');
            }
        }
    }
    return sd__sb_status(sb);
}

/* ----------------------------------------------------------------- JSON */

/* A category key as JSON: a number for codes, a string otherwise. */
static void json_key(sd_strbuf *sb, const sd_table *t, sd_axis axis, size_t i)
{
    double code = sd_table_cat_code(t, axis, i);
    if (isfinite(code))
        sd__sb_num(sb, code);
    else
        sd__sb_json_str(sb, sd_table_cat_key(t, axis, i));
}

static void json_num_or_null(sd_strbuf *sb, double x)
{
    if (isfinite(x))
        sd__sb_num(sb, x);
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

sd_status sd__write_tab_json(const sd_result *r, const char *lang, sd_strbuf *sb)
{
    bool tests = sd_result_shows_tests(r), deff = sd_result_shows_deff(r);
    const char *compared = sd_result_compared(r);
    sd__sb_puts(sb, "{\n  \"sondage\": \"" SD_VERSION "\",\n  \"source\": ");
    sd__sb_json_str(sb, sd_result_source(r));
    sd__sb_puts(sb, ",\n  \"lang\": ");
    sd__sb_json_str(sb, lang ? lang : "");
    sd__sb_puts(sb, ",\n  \"weight\": ");
    if (sd_result_weight(r))
        sd__sb_json_str(sb, sd_result_weight(r));
    else
        sd__sb_puts(sb, "null");
    if (compared) {
        sd__sb_puts(sb, ",\n  \"compare\": ");
        sd__sb_json_str(sb, compared);
    }
    sd__sb_printf(sb, ",\n  \"missing\": \"%s\",\n  \"tables\": [",
                  sd_result_missing(r) == SD_MISSING_INCLUDE ? "include" : "exclude");
    size_t ntab = sd_result_ntables(r);
    for (size_t ti = 0; ti < ntab; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t nr = sd_table_size(t, SD_ROWS), nc = sd_table_size(t, SD_COLS);
        bool summary = is_summary(t);
        sd__sb_puts(sb, ti ? ",\n    {\n" : "\n    {\n");
        sd__sb_puts(sb, "      \"row_var\": ");
        sd__sb_json_str(sb, sd_table_row_var(t));
        sd__sb_printf(sb, ",\n      \"row_kind\": \"%s\",\n      \"row_label\": ", row_kind(t));
        sd__sb_json_str(sb, row_label(t, lang));
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
            sd__sb_num(sb, sd_table_base(t, c, SD_BASE_N));
            sd__sb_puts(sb, ", \"base_count\": ");
            sd__sb_num(sb, sd_table_base(t, c, SD_BASE_COUNT));
            sd__sb_puts(sb, ", \"missing_n\": ");
            sd__sb_num(sb, sd_table_base(t, c, SD_BASE_MISSING_N));
            sd__sb_puts(sb, ", \"missing_count\": ");
            sd__sb_num(sb, sd_table_base(t, c, SD_BASE_MISSING_COUNT));
            const char *letter = sd_table_col_letter(t, c);
            if (tests && *letter)
                sd__sb_printf(sb, ", \"letter\": \"%s\"", letter);
            sd__sb_putc(sb, '}');
        }
        sd__sb_puts(sb, "],\n      \"banner_missing_n\": ");
        sd__sb_num(sb, sd_table_banner_missing(t, 0));
        if (tests) {
            sd__sb_puts(sb, ",\n      \"test\": ");
            json_test(sb, t);
        }
        bool has_letters = nc > 1 && *sd_table_col_letter(t, 1);
        sd__sb_puts(sb, ",\n      \"cells\": [");
        for (size_t i = 0; i < nr; i++) {
            for (size_t c = 0; c < nc; c++) {
                sd__sb_puts(sb, i + c ? ",\n        {\"row\": " : "\n        {\"row\": ");
                json_key(sb, t, SD_ROWS, i);
                sd__sb_puts(sb, ", \"col\": ");
                json_key(sb, t, SD_COLS, c);
                sd__sb_puts(sb, ", \"n\": ");
                sd__sb_num(sb, sd_table_cell(t, i, c, SD_FIG_N));
                sd__sb_puts(sb, summary ? ", \"total\": " : ", \"count\": ");
                sd__sb_num(sb, sd_table_cell(t, i, c, SD_FIG_COUNT));
                json_fig(sb, summary ? "mean" : "pct", sd_table_cell(t, i, c, est_fig(t)));
                json_fig(sb, "se", sd_table_cell(t, i, c, SD_FIG_SE));
                json_fig(sb, "ci_low", sd_table_cell(t, i, c, SD_FIG_CI_LOW));
                json_fig(sb, "ci_high", sd_table_cell(t, i, c, SD_FIG_CI_HIGH));
                if (compared) {
                    json_fig(sb, summary ? "prev_mean" : "prev_pct",
                             sd_table_cell(t, i, c, SD_FIG_PREV));
                    json_fig(sb, "change", sd_table_cell(t, i, c, SD_FIG_CHANGE));
                    json_fig(sb, "change_se", sd_table_cell(t, i, c, SD_FIG_CHANGE_SE));
                    json_fig(sb, "change_p", sd_table_cell(t, i, c, SD_FIG_CHANGE_P));
                }
                if (summary)
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

/* ----------------------------------------------------------------- text */

#define LABEL_MAX 40
#define NUM_W 7
#define CI_W 13

static void people_num(char *buf, double x, int dec, const char *lang)
{
    if (!isfinite(x)) {
        memcpy(buf, "-", 2);
        return;
    }
    sd__fmt_fixed(buf, x, dec, sd__lang_is_fr(lang) ? ',' : '.');
}

/* p for people: three decimals, or "< 0.001". */
static void people_p(sd_strbuf *sb, double p, const char *lang)
{
    char num[SD_NUMBUF];
    if (isfinite(p) && p < 0.001) {
        people_num(num, 0.001, 3, lang);
        sd__sb_printf(sb, "p < %s", num);
        return;
    }
    people_num(num, p, 3, lang);
    sd__sb_printf(sb, "p = %s", num);
}

/* Under a block: each table's Rao-Scott test and what the letters mean. */
static void text_tests(sd_strbuf *sb, const sd_result *r, size_t from, size_t to, bool sig,
                       const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    char a[SD_NUMBUF], b[SD_NUMBUF], c[SD_NUMBUF];
    for (size_t ti = from; sd_result_shows_tests(r) && ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        sd_test_info q;
        if (!sd_table_test(t, &q))
            continue;
        sd__sb_printf(sb, fr ? "Test de Rao-Scott, %s par %s : " : "Rao-Scott test, %s by %s: ",
                      sd_table_row_var(t), sd_table_col_var(t));
        if (strcmp(q.statistic, "F") == 0) {
            people_num(a, q.df, 2, lang);
            people_num(b, q.ddf, 2, lang);
            people_num(c, q.value, 2, lang);
            sd__sb_printf(sb, fr ? "F(%s ; %s) = %s, " : "F(%s, %s) = %s, ", a, b, c);
            people_p(sb, q.p, lang);
        } else {
            people_num(a, q.value, 2, lang);
            people_num(b, q.df, 0, lang);
            sd__sb_printf(sb, fr ? "X2 = %s, ddl = %s, " : "X2 = %s, df = %s, ", a, b);
            people_p(sb, q.p, lang);
            sd__sb_puts(sb, fr ? " (correction du premier ordre)" : " (first-order correction)");
        }
        sd__sb_putc(sb, '\n');
    }
    if (!sig)
        return;
    double alpha, alpha2;
    const char *method = sd_result_letters_method(r, &alpha, &alpha2);
    char hi[SD_NUMBUF], lo[SD_NUMBUF];
    people_num(hi, alpha, 3, lang);
    people_num(lo, alpha2, 3, lang);
    sd__sb_puts(sb, fr ? "(lettres : valeur de la colonne supérieure à celle de la colonne indiquée"
                       : "(letters: the column's value is higher than the lettered column's");
    if (method && strcmp(method, "spss") == 0)
        sd__sb_puts(sb, fr ? ", test z de SPSS" : ", SPSS z test");
    if (alpha2 > alpha)
        sd__sb_printf(sb, fr ? ", majuscule p < %s, minuscule p < %s)\n"
                             : ", upper case p < %s, lower case p < %s)\n",
                      hi, lo);
    else
        sd__sb_printf(sb, ", p < %s)\n", hi);
}

/* One block: the tables [from, to) share their row dimension. */
static void text_block(sd_strbuf *sb, const sd_result *r, size_t from, size_t to,
                       const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    bool weighted = sd_result_weight(r) != NULL, stats = sd_result_shows_stats(r);
    const sd_table *t0 = sd_result_table(r, from);
    bool summary = is_summary(t0);
    size_t nr = sd_table_size(t0, SD_ROWS);
    char num[SD_NUMBUF];
    const char *rl = row_label(t0, lang);
    sd__sb_puts(sb, sd_table_row_var(t0));
    if (*rl) {
        sd__sb_puts(sb, ": ");
        sd__sb_puts(sb, rl);
    }
    sd__sb_putc(sb, '\n');
    sd_table_kind kind = sd_table_kind_of(t0);
    if (kind == SD_TABLE_DICHOTOMY_SET || kind == SD_TABLE_CATEGORY_SET)
        sd__sb_puts(sb, fr ? "(réponses multiples : une personne peut être dans plusieurs lignes)\n"
                           : "(multiple response: a respondent can be in several rows)\n");
    /* Row label width. */
    size_t lw = sd__utf8_width(fr ? "Manquants (exclus)" : "Missing (excluded)");
    for (size_t i = 0; i < nr; i++) {
        size_t w = sd__utf8_width(sd_table_cat_label(t0, SD_ROWS, i, lang));
        if (w > lw)
            lw = w;
    }
    if (lw > LABEL_MAX)
        lw = LABEL_MAX;
    /* Column letters (tests): one more sub-column, as wide as the longest. */
    bool sig = false;
    size_t sw = 3;
    for (size_t ti = from; sd_result_shows_tests(r) && ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t nc = sd_table_size(t, SD_COLS);
        if (nc < 2 || !*sd_table_col_letter(t, 1))
            continue;
        sig = true;
        for (size_t i = 0; i < nr; i++)
            for (size_t c = 0; c < nc; c++) {
                size_t len = strlen(sd_table_cell_letters(t, i, c));
                sw = len > sw ? len : sw;
            }
    }
    size_t gw = weighted ? 3 * NUM_W + 2 : 2 * NUM_W + 1; /* one column group */
    if (stats)
        gw += CI_W + 1;
    if (sig)
        gw += sw + 1;
    /* Header 1: banner variables; header 2: categories; header 3: measures. */
    sd__sb_pad(sb, "", lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        for (size_t c = ti == from ? 0 : 1; c < sd_table_size(t, SD_COLS); c++) {
            sd__sb_puts(sb, " | ");
            const char *h = c == 1 ? sd_table_col_var(t) : "";
            sd__sb_pad(sb, h ? h : "", gw, false);
        }
    }
    sd__sb_putc(sb, '\n');
    sd__sb_pad(sb, "", lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        for (size_t c = ti == from ? 0 : 1; c < sd_table_size(t, SD_COLS); c++) {
            sd__sb_puts(sb, " | ");
            sd__sb_pad(sb, sd_table_cat_label(t, SD_COLS, c, lang), gw, false);
        }
    }
    sd__sb_putc(sb, '\n');
    sd__sb_pad(sb, "", lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        for (size_t c = ti == from ? 0 : 1; c < sd_table_size(t, SD_COLS); c++) {
            sd__sb_puts(sb, " | ");
            sd__sb_pad(sb, "n", NUM_W, true);
            if (weighted) {
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, fr ? "pondéré" : "weight", NUM_W, true);
            }
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, summary ? (fr ? "moyenne" : "mean") : "%", NUM_W, true);
            if (stats) {
                char h[32];
                snprintf(h, sizeof h, fr ? "IC %g %%" : "%g%% CI", 100 * sd_result_level(r));
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, h, CI_W, true);
            }
            if (sig) {
                char let[8] = "";
                const char *l = sd_table_col_letter(t, c);
                if (*l)
                    snprintf(let, sizeof let, "(%s)", l);
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, let, sw, false);
            }
        }
    }
    sd__sb_putc(sb, '\n');
    int dec = summary ? 2 : 1;
    double k = summary ? 1 : 100;
    for (size_t i = 0; i < nr; i++) {
        sd__sb_pad(sb, sd_table_cat_label(t0, SD_ROWS, i, lang), lw, false);
        for (size_t ti = from; ti < to; ti++) {
            const sd_table *t = sd_result_table(r, ti);
            for (size_t c = ti == from ? 0 : 1; c < sd_table_size(t, SD_COLS); c++) {
                sd__sb_puts(sb, " | ");
                people_num(num, sd_table_cell(t, i, c, SD_FIG_N), 0, lang);
                sd__sb_pad(sb, num, NUM_W, true);
                if (weighted) {
                    sd__sb_putc(sb, ' ');
                    people_num(num, sd_table_cell(t, i, c, SD_FIG_COUNT), 1, lang);
                    sd__sb_pad(sb, num, NUM_W, true);
                }
                sd__sb_putc(sb, ' ');
                people_num(num, k * sd_table_cell(t, i, c, est_fig(t)), dec, lang);
                sd__sb_pad(sb, num, NUM_W, true);
                if (stats) {
                    double l = sd_table_cell(t, i, c, SD_FIG_CI_LOW);
                    char lo[SD_NUMBUF], hi[SD_NUMBUF], ci[2 * SD_NUMBUF + 4];
                    people_num(lo, k * l, dec, lang);
                    people_num(hi, k * sd_table_cell(t, i, c, SD_FIG_CI_HIGH), dec, lang);
                    snprintf(ci, sizeof ci, "%s-%s", lo, hi);
                    sd__sb_putc(sb, ' ');
                    sd__sb_pad(sb, isfinite(l) ? ci : "-", CI_W, true);
                }
                if (sig) {
                    sd__sb_putc(sb, ' ');
                    sd__sb_pad(sb, sd_table_cell_letters(t, i, c), sw, false);
                }
            }
        }
        sd__sb_putc(sb, '\n');
    }
    /* Bases and missing. */
    for (int line = 0; line < 2; line++) {
        const char *name = line == 0 ? "Base" : (fr ? "Manquants (exclus)" : "Missing (excluded)");
        sd_base bn = line == 0 ? SD_BASE_N : SD_BASE_MISSING_N;
        sd_base bw = line == 0 ? SD_BASE_COUNT : SD_BASE_MISSING_COUNT;
        sd__sb_pad(sb, name, lw, false);
        for (size_t ti = from; ti < to; ti++) {
            const sd_table *t = sd_result_table(r, ti);
            for (size_t c = ti == from ? 0 : 1; c < sd_table_size(t, SD_COLS); c++) {
                sd__sb_puts(sb, " | ");
                people_num(num, sd_table_base(t, c, bn), 0, lang);
                sd__sb_pad(sb, num, NUM_W, true);
                if (weighted) {
                    sd__sb_putc(sb, ' ');
                    people_num(num, sd_table_base(t, c, bw), 1, lang);
                    sd__sb_pad(sb, num, NUM_W, true);
                }
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, "", NUM_W, true);
                if (stats) {
                    sd__sb_putc(sb, ' ');
                    sd__sb_pad(sb, "", CI_W, true);
                }
                if (sig) {
                    sd__sb_putc(sb, ' ');
                    sd__sb_pad(sb, "", sw, false);
                }
            }
        }
        sd__sb_putc(sb, '\n');
    }
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        double bm = sd_table_banner_missing(t, 0);
        if (bm > 0) {
            people_num(num, bm, 0, lang);
            sd__sb_printf(sb,
                          fr ? "(%s répondants sans valeur pour %s : comptés dans l'ensemble "
                               "seulement)\n"
                             : "(%s respondents with no value of %s: counted in Total only)\n",
                          num, sd_table_col_var(t));
        }
    }
    text_tests(sb, r, from, to, sig, lang);
}

sd_status sd__write_tab_text(const sd_result *r, const char *lang, sd_strbuf *sb)
{
    size_t from = 0, n = sd_result_ntables(r);
    while (from < n) {
        size_t to = from + 1;
        size_t num = sd_table_number(sd_result_table(r, from));
        while (to < n && sd_table_number(sd_result_table(r, to)) == num &&
               sd_table_col_var(sd_result_table(r, to)))
            to++;
        if (from)
            sd__sb_putc(sb, '\n');
        text_block(sb, r, from, to, lang);
        from = to;
    }
    if (sd_result_weight(r))
        sd__sb_printf(sb, sd__lang_is_fr(lang) ? "\nPondération : %s\n" : "\nWeight: %s\n",
                      sd_result_weight(r));
    return sd__sb_status(sb);
}

/* ------------------------------------------------------------ dispatch */

static sd_status flush(sd_strbuf *sb, sd_status st, FILE *fp, sd_error *err)
{
    if (st == SD_OK && fwrite(sd__sb_str(sb), 1, sb->len, fp) != sb->len)
        st = sd__fail_errno(err, SD_E_IO, NULL, errno, "write error");
    else if (st != SD_OK)
        sd__fail(err, st, NULL, 0, 0, NULL, "cannot render the output: %s", sd_status_str(st));
    sd__sb_free(sb);
    return st;
}

sd_status sd_result_write(const sd_result *r, sd_outfmt fmt, const char *lang, FILE *fp,
                          sd_error *err)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    switch (fmt) {
    case SD_OUT_TEXT: st = sd__write_tab_text(r, lang, &sb); break;
    case SD_OUT_CSV: st = sd__write_tab_csv(r, lang, &sb); break;
    case SD_OUT_JSON: st = sd__write_tab_json(r, lang, &sb); break;
    }
    return flush(&sb, st, fp, err);
}

sd_status sd_dataset_write_info(const sd_dataset *ds, sd_outfmt fmt, const char *lang, FILE *fp,
                                sd_error *err)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    switch (fmt) {
    case SD_OUT_TEXT: st = sd__write_info_text(ds, lang, &sb); break;
    case SD_OUT_CSV:
        st = sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                      "info has no csv format: expected text or json");
        sd__sb_free(&sb);
        return st;
    case SD_OUT_JSON: st = sd__write_info_json(ds, lang, &sb); break;
    }
    return flush(&sb, st, fp, err);
}
