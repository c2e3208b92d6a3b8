/*
 * write_tab.c — tables of counts and column percentages as text (for
 * people: banners side by side, the report language's decimal mark), CSV
 * (one line per cell) and JSON (docs/json.md), and sd_result_write.
 */
#include "report.h"

#include <math.h>
#include <string.h>

static double pct_of(const sd_accum *a, size_t r, size_t c)
{
    double base = a->base_w[c];
    return base > 0 ? a->w[r * a->ncols + c] / base : NAN;
}

/* Rows shown: a scale variable's second row (its sum of squares) is not. */
static size_t shown_rows(const sd_table *t)
{
    return t->row_is_scale ? 1 : t->nrows;
}

static const char *row_label(const sd_dataset *ds, const sd_table *t, const char *lang)
{
    const char *l = t->row_is_mrset ? sd__labels_get(&ds->mr[t->row_index]->label, lang)
                                    : sd__labels_get(&ds->vars[t->row_index]->label, lang);
    return l ? l : "";
}

static const char *col_label(const sd_dataset *ds, const sd_table *t, const char *lang)
{
    if (t->col_var < 0)
        return "";
    const char *l = sd__labels_get(&ds->vars[t->col_var]->label, lang);
    return l ? l : "";
}

static const char *row_kind(const sd_dataset *ds, const sd_table *t)
{
    if (!t->row_is_mrset)
        return "variable";
    return ds->mr[t->row_index]->kind == SD_MRSET_DICHOTOMY ? "dichotomy_set" : "category_set";
}

/* ------------------------------------------------------------------ CSV */

sd_status sd__write_tab_csv(const sd_result *r, const sd_dataset *ds, const char *lang,
                            sd_strbuf *sb)
{
    sd__sb_puts(sb, "row_var,row,row_label,col_var,col,col_label,n,count,pct,base_n,base_count,"
                    "missing_n,mean");
    if (r->show_stats)
        sd__sb_puts(sb, r->deff ? ",se,ci_low,ci_high,deff,eff_base" : ",se,ci_low,ci_high");
    sd__sb_puts(sb, r->tests ? ",letters\n" : "\n"); /* column letters (docs/tests.md) */
    char b1[SD_NUMBUF], b2[SD_NUMBUF];
    for (size_t ti = 0; ti < r->ntables; ti++) {
        const sd_table *t = &r->tables[ti];
        const sd_accum *a = &t->acc;
        for (size_t i = 0; i < shown_rows(t); i++) {
            for (size_t c = 0; c < t->ncols; c++) {
                sd__sb_csv_field(sb, t->row_name);
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd__cat_key(ds, t, true, i, b1));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd__cat_label(ds, t, true, i, lang, b2));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, t->col_name ? t->col_name : "");
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd__cat_key(ds, t, false, c, b1));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd__cat_label(ds, t, false, c, lang, b2));
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, a->n[i * t->ncols + c]);
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, a->w[i * t->ncols + c]);
                sd__sb_putc(sb, ',');
                double p = pct_of(a, i, c);
                if (!isnan(p) && !t->row_is_scale)
                    sd__sb_num(sb, p);
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, a->base_n[c]);
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, a->base_w[c]);
                sd__sb_putc(sb, ',');
                sd__sb_num(sb, a->miss_n[c]);
                sd__sb_putc(sb, ',');
                if (!isnan(p) && t->row_is_scale)
                    sd__sb_num(sb, p);
                if (r->show_stats) {
                    const sd_cellstat *cs = &t->stats[i * t->ncols + c];
                    double v[5] = {cs->se, cs->ci_low, cs->ci_high, cs->deff, cs->eff_base};
                    for (int k = 0; k < (r->deff ? 5 : 3); k++) {
                        sd__sb_putc(sb, ',');
                        if (isfinite(v[k]))
                            sd__sb_num(sb, v[k]);
                    }
                }
                if (r->tests) {
                    sd__sb_putc(sb, ',');
                    if (t->has_letters)
                        sd__sb_csv_field(sb, t->stats[i * t->ncols + c].letters);
                }
                sd__sb_putc(sb, '\n');
            }
        }
    }
    return sd__sb_status(sb);
}

/* ----------------------------------------------------------------- JSON */

/* A category key as JSON: a number for codes, a string otherwise. */
static void json_key(sd_strbuf *sb, const sd_dataset *ds, const sd_table *t, bool is_row,
                     size_t i)
{
    const sd_cat *c = is_row ? &t->rows[i] : &t->cols[i];
    char buf[SD_NUMBUF];
    if (c->kind == SD_CAT_CODE && isfinite(c->code))
        sd__sb_num(sb, c->code);
    else
        sd__sb_json_str(sb, sd__cat_key(ds, t, is_row, i, buf));
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
static void json_test(sd_strbuf *sb, const sd_result *r, const sd_table *t)
{
    const sd_chisq *q = &t->chisq;
    if (!q->done) {
        sd__sb_puts(sb, "null");
        return;
    }
    bool f = r->chisq_stat == 0;
    sd__sb_printf(sb, "{\"statistic\": \"%s\", \"value\": ", f ? "F" : "Chisq");
    json_num_or_null(sb, f ? q->f : q->x2);
    sd__sb_puts(sb, ", \"df\": ");
    json_num_or_null(sb, f ? q->ndf : q->df);
    if (f) {
        sd__sb_puts(sb, ", \"ddf\": ");
        json_num_or_null(sb, q->ddf);
    }
    sd__sb_puts(sb, ", \"p\": ");
    json_num_or_null(sb, f ? q->f_p : q->chisq_p);
    sd__sb_putc(sb, '}');
}

static const char *cat_kind_name(sd_cat_kind k)
{
    switch (k) {
    case SD_CAT_TOTAL: return "total";
    case SD_CAT_CODE: return "code";
    case SD_CAT_STRING: return "value";
    case SD_CAT_ITEM: return "item";
    case SD_CAT_NET: return "net";
    case SD_CAT_MEAN: return "mean";
    case SD_CAT_SUMSQ: return "sumsq";
    }
    return "";
}

sd_status sd__write_tab_json(const sd_result *r, const sd_dataset *ds, const char *lang,
                             sd_strbuf *sb)
{
    char buf[SD_NUMBUF];
    sd__sb_puts(sb, "{\n  \"sondage\": \"" SD_VERSION "\",\n  \"source\": ");
    sd__sb_json_str(sb, r->source ? r->source : "");
    sd__sb_puts(sb, ",\n  \"lang\": ");
    sd__sb_json_str(sb, lang ? lang : "");
    sd__sb_puts(sb, ",\n  \"weight\": ");
    if (r->weight)
        sd__sb_json_str(sb, r->weight);
    else
        sd__sb_puts(sb, "null");
    if (r->compared) {
        sd__sb_puts(sb, ",\n  \"compare\": ");
        sd__sb_json_str(sb, r->compare_source ? r->compare_source : "");
    }
    sd__sb_printf(sb, ",\n  \"missing\": \"%s\",\n  \"tables\": [",
                  r->missing == SD_MISSING_INCLUDE ? "include" : "exclude");
    for (size_t ti = 0; ti < r->ntables; ti++) {
        const sd_table *t = &r->tables[ti];
        const sd_accum *a = &t->acc;
        sd__sb_puts(sb, ti ? ",\n    {\n" : "\n    {\n");
        sd__sb_puts(sb, "      \"row_var\": ");
        sd__sb_json_str(sb, t->row_name);
        sd__sb_printf(sb, ",\n      \"row_kind\": \"%s\",\n      \"row_label\": ", row_kind(ds, t));
        sd__sb_json_str(sb, row_label(ds, t, lang));
        sd__sb_puts(sb, ",\n      \"col_var\": ");
        if (t->col_name)
            sd__sb_json_str(sb, t->col_name);
        else
            sd__sb_puts(sb, "null");
        sd__sb_puts(sb, ",\n      \"col_label\": ");
        sd__sb_json_str(sb, col_label(ds, t, lang));
        sd__sb_puts(sb, ",\n      \"rows\": [");
        for (size_t i = 0; i < shown_rows(t); i++) {
            sd__sb_puts(sb, i ? ", {\"row\": " : "{\"row\": ");
            json_key(sb, ds, t, true, i);
            sd__sb_printf(sb, ", \"kind\": \"%s\", \"label\": ", cat_kind_name(t->rows[i].kind));
            sd__sb_json_str(sb, sd__cat_label(ds, t, true, i, lang, buf));
            if (t->rows[i].user_missing)
                sd__sb_puts(sb, ", \"user_missing\": true");
            sd__sb_putc(sb, '}');
        }
        sd__sb_puts(sb, "],\n      \"cols\": [");
        for (size_t c = 0; c < t->ncols; c++) {
            sd__sb_puts(sb, c ? ", {\"col\": " : "{\"col\": ");
            json_key(sb, ds, t, false, c);
            sd__sb_puts(sb, ", \"label\": ");
            sd__sb_json_str(sb, sd__cat_label(ds, t, false, c, lang, buf));
            sd__sb_puts(sb, ", \"base_n\": ");
            sd__sb_num(sb, a->base_n[c]);
            sd__sb_puts(sb, ", \"base_count\": ");
            sd__sb_num(sb, a->base_w[c]);
            sd__sb_puts(sb, ", \"missing_n\": ");
            sd__sb_num(sb, a->miss_n[c]);
            sd__sb_puts(sb, ", \"missing_count\": ");
            sd__sb_num(sb, a->miss_w[c]);
            if (r->tests && t->has_letters && c > 0)
                sd__sb_printf(sb, ", \"letter\": \"%c\"", (char)('A' + (int)(c - 1)));
            sd__sb_putc(sb, '}');
        }
        sd__sb_puts(sb, "],\n      \"banner_missing_n\": ");
        sd__sb_num(sb, t->banner_missing_n);
        if (r->tests) {
            sd__sb_puts(sb, ",\n      \"test\": ");
            json_test(sb, r, t);
        }
        sd__sb_puts(sb, ",\n      \"cells\": [");
        for (size_t i = 0; i < shown_rows(t); i++) {
            for (size_t c = 0; c < t->ncols; c++) {
                sd__sb_puts(sb, i + c ? ",\n        {\"row\": " : "\n        {\"row\": ");
                json_key(sb, ds, t, true, i);
                sd__sb_puts(sb, ", \"col\": ");
                json_key(sb, ds, t, false, c);
                sd__sb_puts(sb, ", \"n\": ");
                sd__sb_num(sb, a->n[i * t->ncols + c]);
                sd__sb_puts(sb, t->row_is_scale ? ", \"total\": " : ", \"count\": ");
                sd__sb_num(sb, a->w[i * t->ncols + c]);
                sd__sb_puts(sb, t->row_is_scale ? ", \"mean\": " : ", \"pct\": ");
                json_num_or_null(sb, pct_of(a, i, c));
                if (t->stats) {
                    const sd_cellstat *cs = &t->stats[i * t->ncols + c];
                    sd__sb_puts(sb, ", \"se\": ");
                    json_num_or_null(sb, cs->se);
                    sd__sb_puts(sb, ", \"ci_low\": ");
                    json_num_or_null(sb, cs->ci_low);
                    sd__sb_puts(sb, ", \"ci_high\": ");
                    json_num_or_null(sb, cs->ci_high);
                    if (r->compared) {
                        sd__sb_puts(sb, t->row_is_scale ? ", \"prev_mean\": " : ", \"prev_pct\": ");
                        json_num_or_null(sb, cs->prev_est);
                        sd__sb_puts(sb, ", \"change\": ");
                        json_num_or_null(sb, cs->change);
                        sd__sb_puts(sb, ", \"change_se\": ");
                        json_num_or_null(sb, cs->change_se);
                        sd__sb_puts(sb, ", \"change_p\": ");
                        json_num_or_null(sb, cs->change_p);
                    }
                    if (t->row_is_scale) {
                        sd__sb_puts(sb, ", \"total_se\": ");
                        json_num_or_null(sb, cs->total_se);
                    }
                    if (r->deff) {
                        sd__sb_puts(sb, ", \"deff\": ");
                        json_num_or_null(sb, cs->deff);
                        sd__sb_puts(sb, ", \"eff_base\": ");
                        json_num_or_null(sb, cs->eff_base);
                    }
                    if (r->tests && t->has_letters) {
                        sd__sb_puts(sb, ", \"letters\": ");
                        sd__sb_json_str(sb, cs->letters);
                    }
                }
                sd__sb_putc(sb, '}');
            }
        }
        sd__sb_puts(sb, t->nrows && t->ncols ? "\n      ]\n    }" : "]\n    }");
    }
    sd__sb_puts(sb, r->ntables ? "\n  ]\n}\n" : "]\n}\n");
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
    for (size_t ti = from; r->tests && ti < to; ti++) {
        const sd_table *t = &r->tables[ti];
        const sd_chisq *q = &t->chisq;
        if (!q->done)
            continue;
        sd__sb_printf(sb, fr ? "Test de Rao-Scott, %s par %s : " : "Rao-Scott test, %s by %s: ",
                      t->row_name, t->col_name);
        if (r->chisq_stat == 0) {
            people_num(a, q->ndf, 2, lang);
            people_num(b, q->ddf, 2, lang);
            people_num(c, q->f, 2, lang);
            sd__sb_printf(sb, fr ? "F(%s ; %s) = %s, " : "F(%s, %s) = %s, ", a, b, c);
            people_p(sb, q->f_p, lang);
        } else {
            people_num(a, q->x2, 2, lang);
            people_num(b, q->df, 0, lang);
            sd__sb_printf(sb, fr ? "X2 = %s, ddl = %s, " : "X2 = %s, df = %s, ", a, b);
            people_p(sb, q->chisq_p, lang);
            sd__sb_puts(sb, fr ? " (correction du premier ordre)" : " (first-order correction)");
        }
        sd__sb_putc(sb, '\n');
    }
    if (!sig)
        return;
    char hi[SD_NUMBUF], lo[SD_NUMBUF];
    people_num(hi, r->alpha, 3, lang);
    people_num(lo, r->alpha2, 3, lang);
    sd__sb_puts(sb, fr ? "(lettres : valeur de la colonne supérieure à celle de la colonne indiquée"
                       : "(letters: the column's value is higher than the lettered column's");
    if (r->letters == 1)
        sd__sb_puts(sb, fr ? ", test z de SPSS" : ", SPSS z test");
    if (r->alpha2 > r->alpha)
        sd__sb_printf(sb, fr ? ", majuscule p < %s, minuscule p < %s)\n"
                             : ", upper case p < %s, lower case p < %s)\n",
                      hi, lo);
    else
        sd__sb_printf(sb, ", p < %s)\n", hi);
}

/* One block: the tables [from, to) share their row dimension. */
static void text_block(sd_strbuf *sb, const sd_result *r, const sd_dataset *ds, size_t from,
                       size_t to, const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    bool weighted = r->weight != NULL;
    const sd_table *t0 = &r->tables[from];
    char buf[SD_NUMBUF], num[SD_NUMBUF];
    const char *rl = row_label(ds, t0, lang);
    sd__sb_puts(sb, t0->row_name);
    if (*rl) {
        sd__sb_puts(sb, ": ");
        sd__sb_puts(sb, rl);
    }
    sd__sb_putc(sb, '\n');
    if (t0->row_is_mrset)
        sd__sb_puts(sb, fr ? "(réponses multiples : une personne peut être dans plusieurs lignes)\n"
                           : "(multiple response: a respondent can be in several rows)\n");
    /* Row label width. */
    size_t lw = sd__utf8_width(fr ? "Manquants (exclus)" : "Missing (excluded)");
    for (size_t i = 0; i < shown_rows(t0); i++) {
        size_t w = sd__utf8_width(sd__cat_label(ds, t0, true, i, lang, buf));
        if (w > lw)
            lw = w;
    }
    if (lw > LABEL_MAX)
        lw = LABEL_MAX;
    /* Column letters (tests): one more sub-column, as wide as the longest. */
    bool sig = false;
    size_t sw = 3;
    for (size_t ti = from; r->tests && ti < to; ti++) {
        const sd_table *t = &r->tables[ti];
        if (!t->has_letters)
            continue;
        sig = true;
        for (size_t k = 0; k < shown_rows(t) * t->ncols; k++) {
            size_t len = strlen(t->stats[k].letters);
            sw = len > sw ? len : sw;
        }
    }
    size_t gw = weighted ? 3 * NUM_W + 2 : 2 * NUM_W + 1; /* one column group */
    if (r->show_stats)
        gw += CI_W + 1;
    if (sig)
        gw += sw + 1;
    /* Header 1: banner variables; header 2: categories; header 3: measures. */
    sd__sb_pad(sb, "", lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = &r->tables[ti];
        size_t first = ti == from ? 0 : 1;
        for (size_t c = first; c < t->ncols; c++) {
            sd__sb_puts(sb, " | ");
            const char *h = c == 0 ? "" : (c == 1 ? t->col_name : "");
            sd__sb_pad(sb, h ? h : "", gw, false);
        }
    }
    sd__sb_putc(sb, '\n');
    sd__sb_pad(sb, "", lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = &r->tables[ti];
        for (size_t c = ti == from ? 0 : 1; c < t->ncols; c++) {
            sd__sb_puts(sb, " | ");
            sd__sb_pad(sb, sd__cat_label(ds, t, false, c, lang, buf), gw, false);
        }
    }
    sd__sb_putc(sb, '\n');
    sd__sb_pad(sb, "", lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = &r->tables[ti];
        for (size_t c = ti == from ? 0 : 1; c < t->ncols; c++) {
            sd__sb_puts(sb, " | ");
            sd__sb_pad(sb, "n", NUM_W, true);
            if (weighted) {
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, fr ? "pondéré" : "weight", NUM_W, true);
            }
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, t->row_is_scale ? (fr ? "moyenne" : "mean") : "%", NUM_W, true);
            if (r->show_stats) {
                char h[32];
                snprintf(h, sizeof h, fr ? "IC %g %%" : "%g%% CI", 100 * r->level);
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, h, CI_W, true);
            }
            if (sig) {
                char let[8] = "";
                if (t->has_letters && c > 0)
                    snprintf(let, sizeof let, "(%c)", (char)('A' + (int)(c - 1)));
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, let, sw, false);
            }
        }
    }
    sd__sb_putc(sb, '\n');
    for (size_t i = 0; i < shown_rows(t0); i++) {
        const char *l = sd__cat_label(ds, t0, true, i, lang, buf);
        sd__sb_pad(sb, l, lw, false);
        for (size_t ti = from; ti < to; ti++) {
            const sd_table *t = &r->tables[ti];
            const sd_accum *a = &t->acc;
            for (size_t c = ti == from ? 0 : 1; c < t->ncols; c++) {
                sd__sb_puts(sb, " | ");
                people_num(num, a->n[i * t->ncols + c], 0, lang);
                sd__sb_pad(sb, num, NUM_W, true);
                if (weighted) {
                    sd__sb_putc(sb, ' ');
                    people_num(num, a->w[i * t->ncols + c], 1, lang);
                    sd__sb_pad(sb, num, NUM_W, true);
                }
                sd__sb_putc(sb, ' ');
                people_num(num, t->row_is_scale ? pct_of(a, i, c) : 100 * pct_of(a, i, c),
                           t->row_is_scale ? 2 : 1, lang);
                sd__sb_pad(sb, num, NUM_W, true);
                if (r->show_stats) {
                    const sd_cellstat *cs = &t->stats[i * t->ncols + c];
                    double k = t->row_is_scale ? 1 : 100;
                    char lo[SD_NUMBUF], hi[SD_NUMBUF], ci[2 * SD_NUMBUF + 4];
                    people_num(lo, k * cs->ci_low, t->row_is_scale ? 2 : 1, lang);
                    people_num(hi, k * cs->ci_high, t->row_is_scale ? 2 : 1, lang);
                    snprintf(ci, sizeof ci, "%s-%s", lo, hi);
                    sd__sb_putc(sb, ' ');
                    sd__sb_pad(sb, isfinite(cs->ci_low) ? ci : "-", CI_W, true);
                }
                if (sig) {
                    sd__sb_putc(sb, ' ');
                    sd__sb_pad(sb, t->has_letters ? t->stats[i * t->ncols + c].letters : "", sw,
                               false);
                }
            }
        }
        sd__sb_putc(sb, '\n');
    }
    /* Bases and missing. */
    for (int line = 0; line < 2; line++) {
        const char *name = line == 0 ? (fr ? "Base" : "Base")
                                     : (fr ? "Manquants (exclus)" : "Missing (excluded)");
        sd__sb_pad(sb, name, lw, false);
        for (size_t ti = from; ti < to; ti++) {
            const sd_table *t = &r->tables[ti];
            const sd_accum *a = &t->acc;
            for (size_t c = ti == from ? 0 : 1; c < t->ncols; c++) {
                sd__sb_puts(sb, " | ");
                people_num(num, line == 0 ? a->base_n[c] : a->miss_n[c], 0, lang);
                sd__sb_pad(sb, num, NUM_W, true);
                if (weighted) {
                    sd__sb_putc(sb, ' ');
                    people_num(num, line == 0 ? a->base_w[c] : a->miss_w[c], 1, lang);
                    sd__sb_pad(sb, num, NUM_W, true);
                }
                sd__sb_putc(sb, ' ');
                sd__sb_pad(sb, "", NUM_W, true);
                if (r->show_stats) {
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
        const sd_table *t = &r->tables[ti];
        if (t->banner_missing_n > 0) {
            people_num(num, t->banner_missing_n, 0, lang);
            sd__sb_printf(sb,
                          fr ? "(%s répondants sans valeur pour %s : comptés dans l'ensemble "
                               "seulement)\n"
                             : "(%s respondents with no value of %s: counted in Total only)\n",
                          num, t->col_name);
        }
    }
    text_tests(sb, r, from, to, sig, lang);
}

sd_status sd__write_tab_text(const sd_result *r, const sd_dataset *ds, const char *lang,
                             sd_strbuf *sb)
{
    size_t from = 0;
    while (from < r->ntables) {
        size_t to = from + 1;
        while (to < r->ntables && r->tables[to].row_is_mrset == r->tables[from].row_is_mrset &&
               r->tables[to].row_index == r->tables[from].row_index && r->tables[to].col_var >= 0)
            to++;
        if (from)
            sd__sb_putc(sb, '\n');
        text_block(sb, r, ds, from, to, lang);
        from = to;
    }
    if (r->weight)
        sd__sb_printf(sb, sd__lang_is_fr(lang) ? "\nPondération : %s\n" : "\nWeight: %s\n",
                      r->weight);
    return sd__sb_status(sb);
}

/* ------------------------------------------------------------ dispatch */

static sd_status flush(sd_strbuf *sb, sd_status st, FILE *fp, sd_error *err)
{
    if (st == SD_OK && fwrite(sd__sb_str(sb), 1, sb->len, fp) != sb->len)
        st = sd__fail(err, SD_E_IO, NULL, 0, 0, NULL, "write error on output");
    else if (st != SD_OK)
        sd__fail(err, st, NULL, 0, 0, NULL, "cannot render the output: %s", sd_status_str(st));
    sd__sb_free(sb);
    return st;
}

sd_status sd_result_write(const sd_result *r, const sd_dataset *ds, sd_outfmt fmt,
                          const char *lang, FILE *fp, sd_error *err)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    switch (fmt) {
    case SD_OUT_TEXT: st = sd__write_tab_text(r, ds, lang, &sb); break;
    case SD_OUT_CSV: st = sd__write_tab_csv(r, ds, lang, &sb); break;
    case SD_OUT_JSON: st = sd__write_tab_json(r, ds, lang, &sb); break;
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
