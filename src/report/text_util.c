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

void sd__people_grouped(char *buf, double x, int dec, const char *lang)
{
    if (!isfinite(x)) {
        memcpy(buf, "-", 2);
        return;
    }
    char raw[SD_NUMBUF];
    bool fr = sd__lang_is_fr(lang);
    sd__fmt_fixed(raw, x, dec, fr ? ',' : '.');
    const char *sep = fr ? "\xE2\x80\xAF" : ",";
    size_t seplen = strlen(sep);
    const char *p = raw;
    char *o = buf;
    if (*p == '-') {
        /* the minus sign for people, U+2212 */
        memcpy(o, "\xE2\x88\x92", 3);
        o += 3;
        p++;
    }
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    for (size_t i = 0; i < digits; i++) {
        *o++ = p[i];
        size_t left = digits - i - 1;
        /* grouped from four digits: 2 800, 2,800 */
        if (left && left % 3 == 0) {
            memcpy(o, sep, seplen);
            o += seplen;
        }
    }
    size_t rest = strlen(p + digits);
    memcpy(o, p + digits, rest + 1);
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

void sd__weight_text(sd_strbuf *sb, const sd_result *r, const sd_table *t, const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    const char *weight = t ? sd_table_weight(t) : sd_result_weight(r);
    const char *method = t ? sd_table_weighting(t, SD_WPART_METHOD)
                           : sd_result_weighting(r, SD_WPART_METHOD);
    if (weight) {
        sd__sb_puts(sb, fr ? "Pondération : " : "Weight: ");
        sd__sb_text(sb, weight);
        sd__sb_putc(sb, '\n');
    } else if (t ? sd_table_weights_from_fpc(t) : sd_result_weights_from_fpc(r)) {
        sd__sb_puts(sb, fr ? "Pondération : N/n de chaque degré, d'après la correction de "
                             "population finie (--fpc)\n"
                           : "Weights: N/n at each stage, from the finite population "
                             "correction (--fpc)\n");
    } else if (t && !method) {
        sd__sb_puts(sb, fr ? "Non pondéré\n" : "Unweighted\n");
    }
    if (!method)
        return;
    /* The weighting step (docs/weighting.md): what it cost. */
    double fig[3];
    for (int k = 0; k < 3; k++)
        fig[k] = t ? sd_table_weighting_figure(t, (sd_wfigure)k)
                   : sd_result_weighting_figure(r, (sd_wfigure)k);
    char e[SD_NUMBUF], d[SD_NUMBUF], ne[SD_PEOPLENUM];
    sd__people_num(e, 100 * fig[SD_WFIG_EFFICIENCY], 1, lang);
    sd__people_num(d, fig[SD_WFIG_DEFF], 2, lang);
    sd__people_grouped(ne, fig[SD_WFIG_EFFECTIVE_N], 0, lang);
    const char *base = t ? sd_table_weighting(t, SD_WPART_BASE) : sd_result_weighting(r, SD_WPART_BASE);
    const char *tg =
        t ? sd_table_weighting(t, SD_WPART_TARGETS) : sd_result_weighting(r, SD_WPART_TARGETS);
    sd__sb_puts(sb, fr ? "Calage : " : "Weighting: ");
    sd__sb_text(sb, method);
    if (tg) {
        sd__sb_puts(sb, fr ? " sur " : " to ");
        sd__sb_text(sb, tg);
    }
    if (base) {
        sd__sb_puts(sb, fr ? " depuis " : " from ");
        sd__sb_text(sb, base);
    }
    sd__sb_printf(sb,
                  fr ? " ; efficacité %s\u00a0%% (Kish), effet de plan dû à la pondération "
                       "%s, n effectif %s ; les erreurs types tiennent compte du calage\n"
                     : "; efficiency %s%% (Kish), design effect due to weighting %s, "
                       "effective n %s; standard errors allow for the weighting\n",
                  e, d, ne);
}

void sd__table_weight_note(sd_strbuf *sb, const sd_result *r, const sd_table *t, const char *lang)
{
    if (!sd_result_weights_mixed(r))
        return;
    sd_strbuf tmp;
    sd__sb_init(&tmp, 1 << 16);
    sd__weight_text(&tmp, r, t, lang);
    const char *s = sd__sb_str(&tmp);
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n')
        n--;
    /* Its lines as sentences after the base's. */
    sd__sb_puts(sb, ". ");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            sd__sb_puts(sb, ". ");
        else
            sd__sb_putc(sb, s[i]);
    }
    sd__sb_free(&tmp);
}

bool sd__result_any_weight(const sd_result *r)
{
    for (size_t i = 0; i < sd_result_ntables(r); i++) {
        const sd_table *t = sd_result_table(r, i);
        if (sd_table_weight(t) || sd_table_weights_from_fpc(t))
            return true;
    }
    return sd_result_weight(r) || sd_result_weights_from_fpc(r);
}

void sd__people_typeset(char *buf, double x, int dec, const char *lang)
{
    if (!isfinite(x))
        memcpy(buf, "\xE2\x80\x93", 4); /* – */
    else
        sd__people_grouped(buf, x, dec, lang);
}

/* A number of the test sentence: typeset for pages, plain for text and
 * spreadsheets. */
static void test_num(char *buf, double x, int dec, const char *lang, bool typeset)
{
    if (typeset)
        sd__people_typeset(buf, x, dec, lang);
    else
        sd__people_num(buf, x, dec, lang);
}

void sd__test_sentence(sd_strbuf *sb, const sd_table *t, const sd_test_info *q, const char *lang,
                       bool typeset)
{
    bool fr = sd__lang_is_fr(lang);
    char a[SD_PEOPLENUM], b[SD_PEOPLENUM], c[SD_PEOPLENUM];
    sd__sb_puts(sb, fr ? "Test de Rao-Scott, " : "Rao-Scott test, ");
    sd__sb_text(sb, sd_table_row_var(t));
    sd__sb_puts(sb, fr ? " par " : " by ");
    sd__sb_text(sb, sd_table_col_var(t));
    sd__sb_puts(sb, !fr ? ": " : typeset ? "\xC2\xA0: " : " : ");
    if (strcmp(q->statistic, "F") == 0) {
        test_num(a, q->df, 2, lang, typeset);
        test_num(b, q->ddf, 2, lang, typeset);
        test_num(c, q->value, 2, lang, typeset);
        sd__sb_printf(sb, fr ? "F(%s ; %s) = %s, " : "F(%s, %s) = %s, ", a, b, c);
        sd__people_p(sb, q->p, lang);
    } else {
        test_num(a, q->value, 2, lang, typeset);
        test_num(b, q->df, 0, lang, typeset);
        sd__sb_printf(sb, fr ? "%s = %s, ddl = %s, " : "%s = %s, df = %s, ",
                      typeset ? "X\xC2\xB2" : "X2", a, b);
        sd__people_p(sb, q->p, lang);
        sd__sb_puts(sb, fr ? " (correction du premier ordre)" : " (first-order correction)");
    }
}
