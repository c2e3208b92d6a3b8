/*
 * write_md.c — a document (doc.h) as Markdown: the title, introduction and
 * sections as headings and paragraphs; each row variable's banners side by
 * side in one pipe table (GitHub-flavoured), with the columns' letters,
 * bases, low bases marked and the base sentence; the findings under each
 * table; the notes. Numbers in the report language's typography (fr
 * "73,0 %" with a narrow no-break space, en "73.0%").
 */
#include "doc.h"

#include <math.h>
#include <string.h>

/* Text in a table cell or a heading: pipes escaped, line ends and other
 * control characters made spaces. */
static void md_text(sd_strbuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '|' || *p == '\\' || *p == '*' || *p == '_' || *p == '`')
            sd__sb_putc(sb, '\\');
        sd__sb_putc(sb, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
    }
}

static void md_label(sd_strbuf *sb, const sd_labels *l, const char *lang, const char *prefix)
{
    const char *t = sd__labels_get(l, lang);
    if (!t || !*t)
        return;
    sd__sb_puts(sb, prefix);
    md_text(sb, t);
    sd__sb_puts(sb, "\n\n");
}

/* A percentage or a mean for people. */
static void md_figure(sd_strbuf *sb, double x, bool pct, int dec, const char *lang)
{
    char num[SD_NUMBUF];
    if (!isfinite(x)) {
        sd__sb_puts(sb, "–");
        return;
    }
    sd__people_num(num, pct ? 100 * x : x, dec, lang);
    sd__sb_puts(sb, num);
    if (pct)
        sd__sb_puts(sb, sd__lang_is_fr(lang) ? "\xE2\x80\xAF%" : "%");
}

#define FOR_COLS(r, from, to, ti, t, c)                                                           \
    for (size_t ti = (from); ti < (to); ti++)                                                    \
        for (const sd_table *t = sd_result_table((r), ti); t; t = NULL)                           \
            for (size_t c = ti == (from) ? 0 : 1; c < sd_table_size(t, SD_COLS); c++)

static void md_block(sd_strbuf *sb, const sd_rdoc *doc, size_t from, size_t to, const char *lang)
{
    const sd_result *r = doc->result;
    const sd_table *t0 = sd_result_table(r, from);
    bool fr = sd__lang_is_fr(lang);
    int dec = sd_result_decimals(r);
    sd__sb_printf(sb, fr ? "### Tableau %zu. " : "### Table %zu. ", sd_table_number(t0));
    md_text(sb, sd_table_title(t0, lang));
    sd__sb_puts(sb, "\n\n*");
    sd_strbuf base;
    sd__sb_init(&base, 1 << 20);
    sd__base_text(&base, t0, lang);
    sd__table_weight_note(&base, r, t0, lang);
    md_text(sb, sd__sb_str(&base));
    sd__sb_free(&base);
    sd__sb_puts(sb, "*\n\n|");
    bool low = false;
    FOR_COLS(r, from, to, ti, t, c) {
        sd__sb_puts(sb, " | ");
        if (c > 0 && sd_table_col_var(t)) {
            const char *bl = sd_table_col_label(t, lang);
            md_text(sb, bl && *bl ? bl : sd_table_col_var(t));
            sd__sb_puts(sb, fr ? " : " : ": ");
        }
        md_text(sb, sd_table_cat_label(t, SD_COLS, c, lang));
        const char *letter = sd_table_col_letter(t, c);
        if (*letter)
            sd__sb_printf(sb, " (%s)", letter);
        if (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) {
            sd__sb_puts(sb, " \\*");
            low = true;
        }
    }
    sd__sb_puts(sb, " |\n|---");
    FOR_COLS(r, from, to, ti, t, c) {
        (void)t;
        (void)c;
        sd__sb_puts(sb, "|---:");
    }
    sd__sb_puts(sb, "|\n");
    size_t nr = sd_table_size(t0, SD_ROWS);
    for (size_t i = 0; i < nr; i++) {
        sd__sb_puts(sb, "| ");
        md_text(sb, sd_table_cat_label(t0, SD_ROWS, i, lang));
        FOR_COLS(r, from, to, ti, t, c) {
            bool mean = sd__est_fig(t, i) == SD_FIG_MEAN;
            sd__sb_puts(sb, " | ");
            md_figure(sb, sd_table_cell(t, i, c, sd__est_fig(t, i)), !mean,
                      dec >= 0 ? dec : (mean ? 2 : 1), lang);
            const char *l = sd_table_cell_letters(t, i, c);
            if (*l)
                sd__sb_printf(sb, " %s", l);
        }
        sd__sb_puts(sb, " |\n");
    }
    sd__sb_puts(sb, "| Base");
    FOR_COLS(r, from, to, ti, t, c) {
        char num[SD_NUMBUF];
        sd__people_num(num, sd_table_base(t, c, SD_BASE_N), 0, lang);
        sd__sb_printf(sb, " | %s", num);
    }
    sd__sb_puts(sb, " |\n\n");
    if (low) {
        char num[SD_NUMBUF];
        sd__people_num(num, sd_table_min_base(t0), 0, lang);
        sd__sb_printf(sb,
                      fr ? "\\* base inférieure à %s répondants : à lire avec prudence, sans "
                           "test.\n\n"
                         : "\\* base under %s respondents: read with caution; not tested.\n\n",
                      num);
    }
    bool any = false;
    for (size_t k = 0; doc->findings && k < doc->findings->n; k++) {
        const sd_finding *f = &doc->findings->v[k];
        if (f->table < from || f->table >= to)
            continue;
        if (!any)
            sd__sb_puts(sb, fr ? "**Constats**\n\n" : "**Findings**\n\n");
        any = true;
        sd__sb_puts(sb, "- ");
        md_text(sb, sd__finding_words(doc->result, f));
        sd__sb_putc(sb, '\n');
    }
    if (any)
        sd__sb_putc(sb, '\n');
}

/* The blocks of tables numbered [lo, hi]. */
static void md_tables(sd_strbuf *sb, const sd_rdoc *doc, size_t lo, size_t hi, const char *lang)
{
    const sd_result *r = doc->result;
    size_t from = 0, n = sd_result_ntables(r);
    while (from < n) {
        size_t to = from + 1;
        size_t num = sd_table_number(sd_result_table(r, from));
        while (to < n && sd_table_number(sd_result_table(r, to)) == num &&
               sd_table_col_var(sd_result_table(r, to)))
            to++;
        if (num >= lo && num <= hi)
            md_block(sb, doc, from, to, lang);
        from = to;
    }
}

sd_status sd__write_md(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err)
{
    (void)err;
    md_label(out, &doc->title, lang, "# ");
    md_label(out, &doc->intro, lang, "");
    if (!doc->nsections)
        md_tables(out, doc, 1, (size_t)-1, lang);
    for (size_t s = 0; s < doc->nsections; s++) {
        md_label(out, &doc->sections[s].title, lang, "## ");
        md_label(out, &doc->sections[s].text, lang, "");
        md_tables(out, doc, doc->sections[s].from, doc->sections[s].to, lang);
    }
    if (!sd_result_weights_mixed(doc->result)) {
        sd_strbuf w;
        sd__sb_init(&w, 1 << 16);
        sd__weight_text(&w, doc->result, NULL, lang);
        for (char *l = w.len ? w.s : NULL, *e; l && *l; l = e + 1) {
            e = strchr(l, '\n'); /* a paragraph a line */
            *e = '\0';
            md_text(out, l);
            sd__sb_puts(out, "\n\n");
        }
        sd__sb_free(&w);
    }
    md_label(out, &doc->notes, lang, "");
    return sd__sb_status(out);
}
