/*
 * tab_text.c — tables for people as plain text: each row variable's
 * banners side by side, with a number and a title, what the base is, the
 * banners' labels over their columns, the column letters, low bases
 * marked, and the report language's numbers (fr: decimal comma, French
 * spacing before colons). Reads the result only through sondage.h.
 */
#include "doc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LABEL_MAX 40
#define NUM_W 7
#define CI_W 13

typedef struct tctx {
    const sd_result *r;
    const char *lang;
    bool fr, weighted, stats, sig, compared;
    int dec_pct, dec_mean;
    size_t lw, gw, sw;
} tctx;

/* Under a block: each table's Rao-Scott test and what the letters mean. */
static void text_tests(sd_strbuf *sb, const tctx *x, size_t from, size_t to)
{
    const sd_result *r = x->r;
    bool fr = x->fr;
    const char *lang = x->lang;
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        sd_test_info q;
        if (!sd_table_shows(t, SD_SHOW_TESTS) || !sd_table_test(t, &q))
            continue;
        sd__test_sentence(sb, t, &q, lang, false);
        sd__sb_putc(sb, '\n');
    }
    if (!x->sig)
        return;
    double alpha, alpha2;
    const char *method = sd_result_letters_method(r, &alpha, &alpha2);
    char hi[SD_NUMBUF], lo[SD_NUMBUF];
    sd__people_num(hi, alpha, 3, lang);
    sd__people_num(lo, alpha2, 3, lang);
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

/* The columns a block shows: Total once, then every banner's columns. */
#define FOR_COLS(r, from, to, ti, t, c)                                                           \
    for (size_t ti = (from); ti < (to); ti++)                                                    \
        for (const sd_table *t = sd_result_table((r), ti); t; t = NULL)                           \
            for (size_t c = ti == (from) ? 0 : 1; c < sd_table_size(t, SD_COLS); c++)

/* A banner's label, centred on nothing: padded over all its columns. */
static void header_banners(sd_strbuf *sb, const tctx *x, size_t from, size_t to)
{
    sd__sb_pad(sb, "", x->lw, false);
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(x->r, ti);
        size_t nc = sd_table_size(t, SD_COLS);
        if (ti == from) {
            sd__sb_puts(sb, " | ");
            sd__sb_pad(sb, "", x->gw, false);
        }
        if (nc < 2)
            continue;
        size_t span = (nc - 1) * (x->gw + 3) - 3;
        const char *l = sd_table_col_label(t, x->lang);
        sd__sb_puts(sb, " | ");
        sd__sb_pad(sb, l && *l ? l : sd_table_col_var(t), span, false);
    }
    sd__sb_putc(sb, '\n');
}

static void header_cols(sd_strbuf *sb, const tctx *x, size_t from, size_t to)
{
    sd__sb_pad(sb, "", x->lw, false);
    FOR_COLS(x->r, from, to, ti, t, c) {
        const char *l = sd_table_cat_label(t, SD_COLS, c, x->lang);
        bool low = sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE;
        sd__sb_puts(sb, " | ");
        /* the low-base mark stays when the label is cut */
        sd__sb_pad(sb, l, low ? x->gw - 2 : x->gw, false);
        if (low)
            sd__sb_puts(sb, " *");
    }
    sd__sb_putc(sb, '\n');
}

static const char *pct_head(const sd_table *t, bool fr)
{
    const char *of = sd_table_pct_of(t);
    if (sd_table_kind_of(t) == SD_TABLE_SUMMARY)
        return fr ? "valeur" : "value"; /* the mean, SD or median of its row */
    if (!strcmp(of, "row"))
        return fr ? "% ligne" : "row %";
    if (!strcmp(of, "total"))
        return fr ? "% total" : "total %";
    return "%";
}

static void header_measures(sd_strbuf *sb, const tctx *x, size_t from, size_t to)
{
    sd__sb_pad(sb, "", x->lw, false);
    FOR_COLS(x->r, from, to, ti, t, c) {
        sd__sb_puts(sb, " | ");
        sd__sb_pad(sb, "n", NUM_W, true);
        if (x->weighted) {
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, x->fr ? "pondéré" : "weight", NUM_W, true);
        }
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, pct_head(t, x->fr), NUM_W, true);
        if (x->stats) {
            char h[32];
            snprintf(h, sizeof h, x->fr ? "IC %g %%" : "%g%% CI", 100 * sd_table_level(t));
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, h, CI_W, true);
        }
        if (x->compared) {
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, x->fr ? "avant" : "before", NUM_W, true);
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, x->fr ? "écart" : "change", NUM_W, true);
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, "p", NUM_W, true);
        }
        if (x->sig) {
            char let[8] = "";
            const char *l = sd_table_col_letter(t, c);
            if (*l)
                snprintf(let, sizeof let, "(%s)", l);
            sd__sb_putc(sb, ' ');
            sd__sb_pad(sb, let, x->sw, false);
        }
    }
    sd__sb_putc(sb, '\n');
}

/* One cell's figures, for a row of category percentages or of a summary. */
static void cell_text(sd_strbuf *sb, const tctx *x, const sd_table *t, size_t i, size_t c)
{
    const char *lang = x->lang;
    bool summary = sd_table_cat_type(t, SD_ROWS, i) == SD_CAT_TYPE_SUMMARY;
    sd_figure fe = summary ? SD_FIG_MEAN : SD_FIG_PCT;
    int dec = summary ? x->dec_mean : x->dec_pct;
    double k = summary ? 1 : 100;
    char num[SD_NUMBUF];
    sd__sb_puts(sb, " | ");
    sd__people_num(num, sd_table_cell(t, i, c, SD_FIG_N), 0, lang);
    sd__sb_pad(sb, num, NUM_W, true);
    if (x->weighted) {
        sd__sb_putc(sb, ' ');
        sd__people_num(num, sd_table_cell(t, i, c, SD_FIG_COUNT), 1, lang);
        sd__sb_pad(sb, summary ? "" : num, NUM_W, true);
    }
    sd__sb_putc(sb, ' ');
    sd__people_num(num, k * sd_table_cell(t, i, c, fe), dec, lang);
    sd__sb_pad(sb, num, NUM_W, true);
    if (x->stats) {
        double l = sd_table_cell(t, i, c, SD_FIG_CI_LOW);
        char lo[SD_NUMBUF], hi[SD_NUMBUF], ci[2 * SD_NUMBUF + 4];
        sd__people_num(lo, k * l, dec, lang);
        sd__people_num(hi, k * sd_table_cell(t, i, c, SD_FIG_CI_HIGH), dec, lang);
        snprintf(ci, sizeof ci, "%s-%s", lo, hi);
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, isfinite(l) ? ci : "-", CI_W, true);
    }
    if (x->compared) {
        sd__sb_putc(sb, ' ');
        sd__people_num(num, k * sd_table_cell(t, i, c, SD_FIG_PREV), dec, lang);
        sd__sb_pad(sb, num, NUM_W, true);
        sd__sb_putc(sb, ' ');
        double ch = k * sd_table_cell(t, i, c, SD_FIG_CHANGE);
        sd__people_num(num, ch, dec, lang);
        char signed_num[SD_NUMBUF + 2];
        snprintf(signed_num, sizeof signed_num, "%s%s", isfinite(ch) && ch > 0 ? "+" : "", num);
        sd__sb_pad(sb, signed_num, NUM_W, true);
        sd__sb_putc(sb, ' ');
        sd__people_num(num, sd_table_cell(t, i, c, SD_FIG_CHANGE_P), 3, lang);
        sd__sb_pad(sb, num, NUM_W, true);
    }
    if (x->sig) {
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, sd_table_cell_letters(t, i, c), x->sw, false);
    }
}

/* The figures columns that a base line leaves blank. */
static void blank_figures(sd_strbuf *sb, const tctx *x)
{
    sd__sb_putc(sb, ' ');
    sd__sb_pad(sb, "", NUM_W, true);
    if (x->stats) {
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, "", CI_W, true);
    }
    if (x->compared) {
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, "", 3 * NUM_W + 2, true);
    }
    if (x->sig) {
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, "", x->sw, false);
    }
}

/* Group width: n, weighted count, estimate, interval, comparison, letters. */
static size_t group_width(const tctx *x)
{
    size_t gw = x->weighted ? 3 * NUM_W + 2 : 2 * NUM_W + 1;
    if (x->stats)
        gw += CI_W + 1;
    if (x->compared)
        gw += 3 * NUM_W + 3;
    if (x->sig)
        gw += x->sw + 1;
    return gw;
}

/* The title lines: number, row variable and label, the set note, the
 * filter and the base. */
static void title(sd_strbuf *sb, const tctx *x, const sd_table *t0)
{
    bool fr = x->fr;
    const char *rl = sd_table_row_label(t0, x->lang);
    sd__sb_printf(sb, fr ? "Tableau %zu. " : "Table %zu. ", sd_table_number(t0));
    sd__sb_text(sb, sd_table_row_var(t0));
    if (rl && *rl) {
        sd__sb_puts(sb, fr ? " : " : ": ");
        sd__sb_text(sb, rl);
    }
    sd__sb_putc(sb, '\n');
    sd_table_kind kind = sd_table_kind_of(t0);
    if (kind == SD_TABLE_DICHOTOMY_SET || kind == SD_TABLE_CATEGORY_SET)
        sd__sb_puts(sb, fr ? "(réponses multiples : une personne peut être dans plusieurs lignes)\n"
                           : "(multiple response: a respondent can be in several rows)\n");
    int forced = sd_table_row_forced(t0);
    sd_measure ms = sd_table_row_measure(t0);
    const char *measure = ms == SD_MEASURE_ORDINAL ? "ordinal" : "nominal";
    if (kind == SD_TABLE_SUMMARY) {
        /* Why the rows are summaries: the variable's measure, or :mean. */
        if (!forced || ms == SD_MEASURE_SCALE)
            sd__sb_puts(sb, fr ? "(variable d'échelle : moyenne, écart-type et médiane)\n"
                               : "(scale variable: mean, standard deviation and median)\n");
        else
            sd__sb_printf(sb,
                          fr ? "(variable %s résumée à la demande (:mean) : moyenne, écart-type et "
                               "médiane)\n"
                             : "(%s variable summarised on request (:mean): mean, standard "
                               "deviation and median)\n",
                          fr ? (strcmp(measure, "ordinal") ? "nominale" : "ordinale") : measure);
    } else if (kind == SD_TABLE_VARIABLE && forced && ms == SD_MEASURE_SCALE) {
        sd__sb_puts(sb, fr ? "(variable d'échelle montrée en catégories à la demande (:cat))\n"
                           : "(scale variable shown as categories on request (:cat))\n");
    }
    sd__base_text(sb, t0, x->lang);
    sd__sb_putc(sb, '\n');
    if (sd_result_weights_mixed(x->r))
        sd__weight_text(sb, x->r, t0, x->lang);
}

/* One block: the tables [from, to) share their row dimension. */
static void text_block(sd_strbuf *sb, tctx *x, size_t from, size_t to)
{
    const sd_result *r = x->r;
    const char *lang = x->lang;
    bool fr = x->fr;
    const sd_table *t0 = sd_result_table(r, from);
    size_t nr = sd_table_size(t0, SD_ROWS);
    char num[SD_NUMBUF];
    x->stats = sd_table_shows(t0, SD_SHOW_STATS);
    title(sb, x, t0);
    /* Row label width. */
    x->lw = sd__display_width(fr ? "Manquants (exclus)" : "Missing (excluded)");
    for (size_t i = 0; i < nr; i++) {
        size_t w = sd__display_width(sd_table_cat_label(t0, SD_ROWS, i, lang));
        if (w > x->lw)
            x->lw = w;
    }
    if (x->lw > LABEL_MAX)
        x->lw = LABEL_MAX;
    /* Column letters (tests): one more sub-column, as wide as the longest. */
    x->sig = false;
    x->sw = 3;
    bool low = false;
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t nc = sd_table_size(t, SD_COLS);
        for (size_t c = 0; c < nc; c++)
            low |= (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) != 0;
        if (!sd_table_shows(t, SD_SHOW_TESTS))
            continue;
        for (size_t c = 1; c < nc; c++)
            x->sig |= *sd_table_col_letter(t, c) != '\0';
        for (size_t i = 0; i < nr; i++)
            for (size_t c = 0; c < nc; c++) {
                size_t len = strlen(sd_table_cell_letters(t, i, c));
                x->sw = len > x->sw ? len : x->sw;
            }
    }
    x->gw = group_width(x);
    header_banners(sb, x, from, to);
    header_cols(sb, x, from, to);
    header_measures(sb, x, from, to);
    for (size_t i = 0; i < nr; i++) {
        sd__sb_pad(sb, sd_table_cat_label(t0, SD_ROWS, i, lang), x->lw, false);
        FOR_COLS(r, from, to, ti, t, c)
            cell_text(sb, x, t, i, c);
        sd__sb_putc(sb, '\n');
    }
    /* Bases and missing. */
    for (int line = 0; line < 2; line++) {
        const char *name = line == 0 ? "Base" : (fr ? "Manquants (exclus)" : "Missing (excluded)");
        sd_base bn = line == 0 ? SD_BASE_N : SD_BASE_MISSING_N;
        sd_base bw = line == 0 ? SD_BASE_COUNT : SD_BASE_MISSING_COUNT;
        sd__sb_pad(sb, name, x->lw, false);
        FOR_COLS(r, from, to, ti, t, c) {
            sd__sb_puts(sb, " | ");
            sd__people_num(num, sd_table_base(t, c, bn), 0, lang);
            sd__sb_pad(sb, num, NUM_W, true);
            if (x->weighted) {
                sd__sb_putc(sb, ' ');
                sd__people_num(num, sd_table_base(t, c, bw), 1, lang);
                sd__sb_pad(sb, num, NUM_W, true);
            }
            blank_figures(sb, x);
        }
        sd__sb_putc(sb, '\n');
    }
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        double bm = sd_table_banner_missing(t, 0);
        if (bm > 0) {
            sd__people_num(num, bm, 0, lang);
            sd__sb_printf(sb, fr ? "(%s répondants sans valeur pour " : "(%s respondents with no value of ",
                          num);
            sd__sb_text(sb, sd_table_col_var(t));
            sd__sb_puts(sb, fr ? " : comptés dans l'ensemble seulement)\n"
                               : ": counted in Total only)\n");
        }
    }
    if (low) {
        sd__people_num(num, sd_table_min_base(t0), 0, lang);
        sd__sb_printf(sb,
                      fr ? "(* base inférieure à %s répondants : à lire avec prudence, sans "
                           "test)\n"
                         : "(* base under %s respondents: read with caution; not tested)\n",
                      num);
    }
    text_tests(sb, x, from, to);
}

/* A text in the report's language, as a paragraph. */
static void paragraph(sd_strbuf *sb, const sd_labels *l, const char *lang)
{
    const char *t = sd__labels_get(l, lang);
    if (!t || !*t)
        return;
    sd__sb_text(sb, t);
    sd__sb_puts(sb, "\n\n");
}

/* The findings about tables [from, to) of the result, one per line. */
static void findings_text(sd_strbuf *sb, const sd_rdoc *doc, size_t from, size_t to,
                          const char *lang)
{
    if (!doc->findings)
        return;
    bool any = false;
    for (size_t i = 0; i < doc->findings->n; i++) {
        const sd_finding *f = &doc->findings->v[i];
        if (f->table < from || f->table >= to)
            continue;
        if (!any)
            sd__sb_puts(sb, sd__lang_is_fr(lang) ? "\nConstats :\n" : "\nFindings:\n");
        any = true;
        sd__sb_puts(sb, "- ");
        sd__sb_text(sb, sd__finding_words(doc->result, f));
        sd__sb_putc(sb, '\n');
    }
}

/* The tables numbered [lo, hi] (every table when hi < lo is never the
 * case: sections give real ranges), each block with its findings. */
static void tables_text(sd_strbuf *sb, tctx *x, const sd_rdoc *doc, size_t lo, size_t hi,
                        bool *first)
{
    const sd_result *r = x->r;
    size_t from = 0, n = sd_result_ntables(r);
    while (from < n) {
        size_t to = from + 1;
        size_t num = sd_table_number(sd_result_table(r, from));
        while (to < n && sd_table_number(sd_result_table(r, to)) == num &&
               sd_table_col_var(sd_result_table(r, to)))
            to++;
        if (num >= lo && num <= hi) {
            if (!*first)
                sd__sb_putc(sb, '\n');
            *first = false;
            text_block(sb, x, from, to);
            findings_text(sb, doc, from, to, x->lang);
        }
        from = to;
    }
}

sd_status sd__write_doc_text(const sd_rdoc *doc, const char *lang, sd_strbuf *sb)
{
    const sd_result *r = doc->result;
    tctx x = {.r = r, .lang = lang, .fr = sd__lang_is_fr(lang)};
    x.weighted = sd__result_any_weight(r);
    x.compared = sd_result_compared(r) != NULL;
    int dec = sd_result_decimals(r);
    x.dec_pct = dec >= 0 ? dec : 1;
    x.dec_mean = dec >= 0 ? dec : 2;
    bool first = true;
    const char *title = sd__labels_get(&doc->title, lang);
    if (title && *title) {
        sd__sb_text(sb, title);
        sd__sb_putc(sb, '\n');
        for (size_t k = sd__display_width(title); k > 0; k--)
            sd__sb_putc(sb, '=');
        sd__sb_puts(sb, "\n\n");
    }
    paragraph(sb, &doc->intro, lang);
    if (!doc->nsections) {
        tables_text(sb, &x, doc, 1, (size_t)-1, &first);
    } else {
        for (size_t s = 0; s < doc->nsections; s++) {
            const sd_rsection *sec = &doc->sections[s];
            const char *h = sd__labels_get(&sec->title, lang);
            if (h && *h) {
                if (!first)
                    sd__sb_putc(sb, '\n');
                sd__sb_text(sb, h);
                sd__sb_putc(sb, '\n');
                for (size_t k = sd__display_width(h); k > 0; k--)
                    sd__sb_putc(sb, '-');
                sd__sb_puts(sb, "\n\n");
                first = true;
            }
            paragraph(sb, &sec->text, lang);
            tables_text(sb, &x, doc, sec->from, sec->to, &first);
        }
    }
    if (!sd_result_weights_mixed(r) &&
        (sd_result_weight(r) || sd_result_weights_from_fpc(r) ||
         sd_result_weighting(r, SD_WPART_METHOD))) {
        sd__sb_putc(sb, '\n');
        sd__weight_text(sb, r, NULL, lang);
    }
    sd__excluded_text(sb, r, lang);
    const char *notes = sd__labels_get(&doc->notes, lang);
    if (notes && *notes) {
        sd__sb_puts(sb, "\n");
        sd__sb_text(sb, notes);
        sd__sb_putc(sb, '\n');
    }
    return sd__sb_status(sb);
}
