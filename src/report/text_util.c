/*
 * text_util.c — small helpers shared by the writers for people: numbers in
 * the report language, texts with their control characters made visible
 * (a label holding ESC or BEL must not drive the reader's terminal),
 * padding UTF-8 text to a display width, CSV quoting, numbers for machines
 * that are never Inf or NaN, and the sentences that say what a table's base
 * is.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void sd__people_num(char *buf, double x, int dec, const char *lang)
{
    if (!isfinite(x)) {
        memcpy(buf, "-", 2);
        return;
    }
    sd__fmt_fixed(buf, x, dec, sd__lang_is_fr(lang) ? ',' : '.');
}

void sd__people_p(sd_strbuf *sb, double p, const char *lang)
{
    char num[SD_NUMBUF];
    if (isfinite(p) && p < 0.001) {
        sd__people_num(num, 0.001, 3, lang);
        sd__sb_printf(sb, "p < %s", num);
        return;
    }
    sd__people_num(num, p, 3, lang);
    sd__sb_printf(sb, "p = %s", num);
}

void sd__sb_text(sd_strbuf *sb, const char *s)
{
    s = s ? s : "";
    sd__sb_add_text(sb, s, strlen(s), false); /* core/utf8.c: C0, DEL and C1 controls */
}

bool sd__lang_is_fr(const char *lang)
{
    return lang && strncmp(lang, "fr", 2) == 0;
}

void sd__sb_pad(sd_strbuf *sb, const char *s, size_t width, bool right)
{
    size_t w = sd__display_width(s); /* a control counts as its escape */
    if (w > width) {
        /* Cut at a code-point (or escape) boundary, leaving room for the
         * ellipsis. */
        size_t keep = width ? width - 1 : 0, cols = 0;
        const char *p = s;
        while (*p) {
            size_t k = sd__ctl_len(p), cw = k == 0 ? 1 : k == 1 ? 4 : 6;
            if (cols + cw > keep)
                break;
            if (k)
                p += k;
            else {
                p++;
                while (((unsigned char)*p & 0xC0) == 0x80)
                    p++;
            }
            cols += cw;
        }
        sd__sb_add_text(sb, s, (size_t)(p - s), false);
        for (; cols < keep; cols++)
            sd__sb_putc(sb, ' ');
        if (width)
            sd__sb_puts(sb, "\xE2\x80\xA6");
        return;
    }
    if (!right)
        sd__sb_add_text(sb, s, strlen(s), false);
    for (size_t i = w; i < width; i++)
        sd__sb_putc(sb, ' ');
    if (right)
        sd__sb_add_text(sb, s, strlen(s), false);
}

void sd__sb_escape_controls(sd_strbuf *sb)
{
    const char *s = sd__sb_str(sb);
    size_t n = sb->len, i = 0;
    while (i < n && !(s[i] != '\n' && sd__ctl_len(s + i)))
        i++;
    if (i == n || sd__sb_status(sb) != SD_OK)
        return; /* nothing to escape: the common case costs one scan */
    sd_strbuf out;
    sd__sb_init(&out, sb->max);
    sd__sb_add(&out, s, i);
    sd__sb_add_text(&out, s + i, n - i, true);
    sd__sb_free(sb);
    *sb = out;
}

void sd__sb_num_or_empty(sd_strbuf *sb, double x)
{
    if (isfinite(x))
        sd__sb_num(sb, x);
}

void sd__sb_json_num(sd_strbuf *sb, double x)
{
    if (isfinite(x))
        sd__sb_num(sb, x);
    else
        sd__sb_puts(sb, "null");
}

void sd__sb_csv_field(sd_strbuf *sb, const char *s)
{
    size_t n = strlen(s);
    bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *p = s; *p && !quote; p++)
        if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
            quote = true;
    if (!quote) {
        sd__sb_add(sb, s, n);
        return;
    }
    sd__sb_putc(sb, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sd__sb_putc(sb, '"');
        sd__sb_putc(sb, *p);
    }
    sd__sb_putc(sb, '"');
}

void sd__base_text(sd_strbuf *sb, const sd_table *t, const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    sd__sb_puts(sb, fr ? "Base : " : "Base: ");
    switch (sd_table_kind_of(t)) {
    case SD_TABLE_DICHOTOMY_SET:
    case SD_TABLE_CATEGORY_SET:
        sd__sb_puts(sb, fr ? "répondants ayant répondu à au moins un item"
                           : "respondents who answered at least one item");
        break;
    case SD_TABLE_SUMMARY:
        sd__sb_puts(sb, fr ? "répondants ayant une valeur" : "respondents with a value");
        break;
    case SD_TABLE_VARIABLE:
        if (sd_table_missing(t) == SD_MISSING_INCLUDE)
            sd__sb_puts(sb, fr ? "répondants ayant répondu (codes de non-réponse présentés "
                                 "comme modalités)"
                               : "respondents with an answer (user-missing codes shown as "
                                 "categories)");
        else
            sd__sb_puts(sb, fr ? "répondants ayant donné une réponse valide (valeurs "
                                 "manquantes exclues)"
                               : "respondents with a valid answer (missing values excluded)");
        break;
    }
    const char *f = sd_table_filter(t);
    if (f) {
        sd__sb_puts(sb, fr ? " ; lignes où " : "; rows where ");
        sd__sb_text(sb, f);
    }
    const char *of = sd_table_pct_of(t);
    if (!strcmp(of, "row"))
        sd__sb_puts(sb, fr ? " ; pourcentages en ligne : part des répondants de chaque ligne"
                           : "; row percentages: the share of each row's respondents");
    else if (!strcmp(of, "total"))
        sd__sb_puts(sb, fr ? " ; pourcentages de l'ensemble des répondants"
                           : "; percentages of all respondents");
}

void sd__excluded_text(sd_strbuf *sb, const sd_result *r, const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    double b = sd_result_rows(r, SD_ROWS_WEIGHT_BLANK), n = sd_result_rows(r, SD_ROWS_WEIGHT_NEGATIVE),
           z = sd_result_rows(r, SD_ROWS_WEIGHT_ZERO);
    if (b + n + z == 0)
        return;
    char num[SD_NUMBUF];
    sd__people_num(num, b + n + z, 0, lang);
    sd__sb_printf(sb, fr ? "(%s lignes exclues de l'analyse par leur poids :"
                         : "(%s rows left out of the analysis by their weight:",
                  num);
    const char *what[3][2] = {{"blank", "vide"}, {"negative", "négatif"}, {"zero", "nul"}};
    double v[3] = {b, n, z};
    bool first = true;
    for (int k = 0; k < 3; k++) {
        if (v[k] == 0)
            continue;
        sd__people_num(num, v[k], 0, lang);
        sd__sb_printf(sb, "%s %s %s", first ? "" : ",", what[k][fr], num);
        first = false;
    }
    sd__sb_puts(sb, ")\n");
}
