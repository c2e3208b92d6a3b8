/*
 * write_html.c — the HTML writer of a document (doc.h): one self-contained
 * page (no script, no font, no stylesheet or image fetched: inline CSS and
 * inline SVG, and a Content-Security-Policy that forbids any fetch), with
 * the report's title, introduction, sections and notes when it has them,
 * and for each row variable one <table> of its banners side by side
 * (caption with number, title and base; banner header rows for nested
 * levels; column letters; percentages in the language's typography; bases;
 * low-base marks), its SVG chart (svg_chart.c) and its findings. The page
 * reads in one column under 600 px (tables scroll sideways), puts a table
 * beside its chart on wide screens, and prints one table a page
 * (A4, a narrow table beside its chart).
 * Hand-written: HTML templating libraries for C (e.g. ctemplate ports,
 * mustach) would add a dependency for a fixed page whose every text must
 * still go through our own escaping; the page is a few string appends.
 * Reads the result only through sondage.h.
 */
#include "doc.h"
#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct hctx {
    const sd_rdoc *doc;
    const sd_result *r;
    const char *lang;
    bool fr;
    sd_strbuf *sb;
    int dec_pct, dec_mean;
    bool weighted, compared;
    size_t *starts; /* block i is tables [starts[i], starts[i + 1]) */
    size_t nblocks;
} hctx;

/* ------------------------------------------------------------ style */

static const char CSS[] =
    ":root{--ink:#1a1a1a;--muted:#5a5a5a;--line:#d8d8d8;--head:#f2f3f5;--accent:#1f5a96}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;background:#fff;color:var(--ink);font:15px/1.45 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Noto Sans\",\"Liberation Sans\",\"DejaVu Sans\",Arial,sans-serif}\n"
    ".page{max-width:1200px;margin:0 auto;padding:24px 32px 48px}\n"
    "h1{font-size:1.55rem;line-height:1.25;margin:0 0 .6rem}\n"
    "h2{font-size:1.25rem;line-height:1.3;margin:2rem 0 .4rem}\n"
    "header.doc p,.part>p{max-width:48rem}\n"
    "nav.toc{margin:1rem 0 0;font-size:.9rem}\n"
    "nav.toc h2{font-size:1rem;margin:.5rem 0 .2rem}\n"
    "nav.toc ol{margin:0;padding-left:1.4rem}\n"
    "nav.toc a{color:var(--accent)}\n"
    ".block{border-top:1px solid var(--line);margin-top:1.8rem;padding-top:1.1rem}\n"
    ".pair{display:grid;grid-template-columns:minmax(0,1fr);gap:1.25rem}\n"
    "@media (min-width:900px){.pair.narrow{grid-template-columns:minmax(0,7fr) minmax(0,5fr);"
    "align-items:start}}\n"
    ".tw{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
    ".tw:focus{outline:2px solid var(--accent);outline-offset:2px}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;min-width:min(100%,34rem)}\n"
    "caption{text-align:left;padding:0 0 .55rem}\n"
    "caption .cap{display:block;position:sticky;left:0;max-width:min(calc(100vw - 4rem),1136px)}\n"
    "caption .tnum{font-weight:700}\n"
    "caption .ttl{font-weight:600;font-size:1.05rem}\n"
    "caption .var{color:var(--muted);font-weight:400;font-size:.85rem}\n"
    "caption .base{display:block;color:var(--muted);font-size:.85rem;margin-top:.15rem}\n"
    "th,td{padding:.32rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}\n"
    "thead th{background:var(--head);font-weight:600;font-size:.85rem;text-align:center;"
    "vertical-align:bottom;border-bottom:1px solid #bbb}\n"
    "thead th.bv{font-weight:500;color:var(--muted);border-bottom:1px solid #bbb}\n"
    "thead td.corner{background:var(--head);border-bottom:1px solid #bbb;position:sticky;left:0;"
    "z-index:2}\n"
    "thead th[scope=colgroup]{text-align:left;border-left:1px solid #bbb}\n"
    "thead .letter{display:block;font-weight:400;color:var(--muted)}\n"
    "thead th.nw{white-space:nowrap}\n"
    "tbody th{text-align:left;font-weight:400;min-width:9rem;max-width:22rem}\n"
    "th[scope=row]{position:sticky;left:0;background:#fff;z-index:1}\n"
    "td{text-align:right;white-space:nowrap}\n"
    "td .sig{font-weight:700;color:var(--accent);margin-left:.3em;font-size:.8rem}\n"
    "td .ci,td .chg{display:block;color:var(--muted);font-size:.75rem}\n"
    "tr.net>*{border-top:1px solid #9a9a9a}\n"
    "tr.net th{font-style:italic}\n"
    "tr.um>*{color:var(--muted)}\n"
    "tr.mean>*{border-top:1px solid #9a9a9a}\n"
    "tbody.bases>tr>*{color:var(--muted);font-size:.85rem}\n"
    "tbody.bases>tr:first-child>*{border-top:2px solid #9a9a9a}\n"
    ".low,td.low{color:#767676;font-style:italic}\n"
    ".chart{margin:0}\n"
    ".chart svg{display:block;width:100%;height:auto;max-width:34rem}\n"
    "figcaption{font-size:.8rem;color:var(--muted);margin-top:.35rem;max-width:34rem}\n"
    ".notes{font-size:.8rem;color:var(--muted);margin-top:.7rem}\n"
    ".notes p{margin:.15rem 0;max-width:60rem}\n"
    ".findings{margin-top:.9rem;max-width:52rem}\n"
    ".findings h3{font-size:.95rem;margin:0 0 .25rem}\n"
    ".findings ul{margin:0;padding-left:1.2rem}\n"
    ".findings li{margin:.2rem 0}\n"
    "footer{border-top:1px solid var(--line);margin-top:2.5rem;padding-top:.8rem;"
    "font-size:.8rem;color:var(--muted)}\n"
    "footer p{margin:.2rem 0;max-width:60rem}\n"
    "@media (max-width:600px){body{font-size:14px}.page{padding:16px 12px 32px}"
    "h1{font-size:1.3rem}th,td{padding:.28rem .4rem}tbody th{min-width:7.5rem;"
    "max-width:11rem}caption .cap{max-width:calc(100vw - 1.5rem)}}\n"
    "@media print{@page{size:A4;margin:12mm}body{font-size:9pt}"
    ".page{max-width:none;padding:0}tbody th{min-width:7rem}.pair.narrow{grid-template-columns:"
    "minmax(min-content,1fr) minmax(0,1fr);"
    "align-items:start}"
    "nav.toc{display:none}thead td.corner{position:static}.block{break-before:page;border-top:none;margin-top:0}"
    ".block.first,.block.lead{break-before:auto}.part{break-before:page}.part.first"
    "{break-before:auto}.tw{overflow:visible}th[scope=row],caption .cap{position:static}"
    "caption .cap{max-width:none}.chart,tr,thead{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

/* ------------------------------------------------------------ helpers */

static void esc(hctx *x, const char *s)
{
    sd__html_text(x->sb, s);
}

static const char *W_(const hctx *x, const char *en, const char *fr)
{
    return x->fr ? fr : en;
}

/* A label in the page's language, or NULL when the labels are empty. */
static const char *label_of(const hctx *x, const sd_labels *l)
{
    if (!l || l->n == 0)
        return NULL;
    const char *s = sd__labels_get(l, x->lang);
    return s && *s ? s : NULL;
}

/* Text as paragraphs: a blank line separates them. */
static void paragraphs(hctx *x, const char *s, const char *cls)
{
    while (s && *s) {
        while (*s == '\n' || *s == '\r' || *s == ' ')
            s++;
        if (!*s)
            break;
        const char *e = strstr(s, "\n\n");
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        if (cls)
            sd__sb_printf(x->sb, "<p class=\"%s\">", cls);
        else
            sd__sb_puts(x->sb, "<p>");
        sd__html_textn(x->sb, s, n);
        sd__sb_puts(x->sb, "</p>\n");
        s = e ? e + 2 : s + n;
    }
}

/* A sentence made by a text helper (report.h), escaped for the page. */
static void esc_buf(hctx *x, sd_strbuf *tmp)
{
    if (sd__sb_status(tmp) != SD_OK && x->sb->err == SD_OK)
        x->sb->err = sd__sb_status(tmp);
    else
        sd__html_textn(x->sb, sd__sb_str(tmp), tmp->len);
    sd__sb_free(tmp);
}

static const sd_table *tab(const hctx *x, size_t i)
{
    return sd_result_table(x->r, i);
}

/* ------------------------------------------------------------ blocks */

/* Tables of one row variable by several banners share a number: they make
 * one block, side by side (as tab_text.c). */
static bool find_blocks(hctx *x)
{
    size_t n = sd_result_ntables(x->r);
    x->starts = sd__zalloc(n + 1, sizeof *x->starts);
    if (!x->starts)
        return false;
    size_t from = 0;
    while (from < n) {
        x->starts[x->nblocks++] = from;
        size_t to = from + 1;
        size_t num = sd_table_number(tab(x, from));
        while (to < n && sd_table_number(tab(x, to)) == num && sd_table_col_var(tab(x, to)))
            to++;
        from = to;
    }
    x->starts[x->nblocks] = n;
    return true;
}

/* Every column a block shows: Total once, then each banner's. */
#define FOR_COLS(x, from, to, ti, t, c)                                                          \
    for (size_t ti = (from); ti < (to); ti++)                                                    \
        for (const sd_table *t = tab((x), ti); t; t = NULL)                                      \
            for (size_t c = ti == (from) ? 0 : 1; c < sd_table_size(t, SD_COLS); c++)

static size_t block_cols(const hctx *x, size_t from, size_t to)
{
    size_t n = 0;
    FOR_COLS(x, from, to, ti, t, c) {
        (void)t;
        (void)c;
        n++;
    }
    return n;
}

/* ------------------------------------------------------------ header */

static void low_mark(hctx *x, const sd_table *t, size_t c)
{
    if (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) {
        sd__sb_puts(x->sb, "<span class=\"low\" title=\"");
        esc(x, W_(x, "base under the minimum: read with caution, not tested",
                  "base inférieure au minimum : à lire avec prudence, sans test"));
        sd__sb_puts(x->sb, "\">\xC2\xA0*</span>");
    }
}

/* Does column c of t start a new group at `level` (its keys differ from
 * column c-1's at this level or above)? */
static bool new_group(const sd_table *t, size_t c, size_t level)
{
    if (c <= 1)
        return true;
    for (size_t l = 0; l <= level; l++) {
        const char *a = sd_table_col_level_key(t, c - 1, l), *b = sd_table_col_level_key(t, c, l);
        if (!a || !b || strcmp(a, b) != 0)
            return true;
    }
    return false;
}

static void thead(hctx *x, size_t from, size_t to)
{
    sd_strbuf *sb = x->sb;
    const sd_table *t0 = tab(x, from);
    size_t depth = 0;
    for (size_t ti = from; ti < to; ti++) {
        size_t d = sd_table_col_depth(tab(x, ti));
        depth = d > depth ? d : depth;
    }
    size_t rows = depth ? 2 * depth : 1;
    sd__sb_puts(sb, "<thead>\n");
    for (size_t hr = 0; hr < rows; hr++) {
        sd__sb_puts(sb, "<tr>");
        if (hr == 0) {
            sd__sb_printf(sb, "<td class=\"corner\" rowspan=\"%zu\"></td>", rows);
            sd__sb_printf(sb, "<th scope=\"col\" rowspan=\"%zu\">", rows);
            esc(x, sd_table_cat_label(t0, SD_COLS, 0, x->lang));
            low_mark(x, t0, 0);
            sd__sb_puts(sb, "</th>");
        }
        for (size_t ti = from; ti < to; ti++) {
            const sd_table *t = tab(x, ti);
            size_t d = sd_table_col_depth(t), nc = sd_table_size(t, SD_COLS);
            if (d == 0 || nc < 2 || hr >= 2 * d)
                continue;
            size_t level = hr / 2;
            if (hr % 2 == 0) {
                /* the level's variable, over all the banner's columns */
                sd__sb_printf(sb, "<th scope=\"colgroup\" class=\"bv\" colspan=\"%zu\">", nc - 1);
                const char *l = d > 1 ? sd_table_col_level_var_label(t, level, x->lang)
                                      : sd_table_col_label(t, x->lang);
                esc(x, l && *l ? l : sd_table_col_level_var(t, level));
                sd__sb_puts(sb, "</th>");
                continue;
            }
            bool leaf = level + 1 == d;
            for (size_t c = 1; c < nc; c++) {
                if (!leaf && !new_group(t, c, level))
                    continue;
                if (leaf) {
                    size_t span = rows - (2 * d - 1);
                    sd__sb_puts(sb, "<th scope=\"col\"");
                    if (span > 1)
                        sd__sb_printf(sb, " rowspan=\"%zu\"", span);
                    /* a short label stays on one line ("20-49", not "20-" over "49") */
                    const char *lab = sd_table_col_level_label(t, c, level, x->lang);
                    bool lowc = sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE;
                    bool nw = lab && sd__utf8_width(lab) <= 12;
                    if (lowc || nw)
                        sd__sb_printf(sb, " class=\"%s%s%s\"", lowc ? "low" : "",
                                      lowc && nw ? " " : "", nw ? "nw" : "");
                    sd__sb_putc(sb, '>');
                    esc(x, sd_table_col_level_label(t, c, level, x->lang));
                    low_mark(x, t, c);
                    const char *let = sd_table_col_letter(t, c);
                    if (*let && sd_table_shows(t, SD_SHOW_TESTS)) {
                        sd__sb_puts(sb, "<span class=\"letter\">(");
                        esc(x, let);
                        sd__sb_puts(sb, ")</span>");
                    }
                    sd__sb_puts(sb, "</th>");
                } else {
                    size_t span = 1;
                    while (c + span < nc && !new_group(t, c + span, level))
                        span++;
                    sd__sb_printf(sb, "<th scope=\"colgroup\" colspan=\"%zu\">", span);
                    esc(x, sd_table_col_level_label(t, c, level, x->lang));
                    sd__sb_puts(sb, "</th>");
                }
            }
        }
        sd__sb_puts(sb, "</tr>\n");
    }
    sd__sb_puts(sb, "</thead>\n");
}

/* ------------------------------------------------------------ body */

static void cell(hctx *x, const sd_table *t, size_t i, size_t c)
{
    sd_strbuf *sb = x->sb;
    bool summary = sd_table_cat_type(t, SD_ROWS, i) == SD_CAT_TYPE_SUMMARY;
    bool low = sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE;
    char v[SD_HTMLNUM], n[SD_HTMLNUM];
    sd__people_typeset(n, sd_table_cell(t, i, c, SD_FIG_N), 0, x->lang);
    sd__sb_puts(sb, low ? "<td class=\"low\"" : "<td");
    sd__sb_printf(sb, " title=\"n = %s\">", n);
    int dec = summary ? x->dec_mean : x->dec_pct;
    if (summary)
        sd__people_typeset(v, sd_table_cell(t, i, c, SD_FIG_MEAN), dec, x->lang);
    else
        sd__html_pct(v, sd_table_cell(t, i, c, SD_FIG_PCT), dec, x->lang);
    sd__sb_puts(sb, v);
    const char *let = sd_table_shows(t, SD_SHOW_TESTS) ? sd_table_cell_letters(t, i, c) : "";
    if (*let) {
        sd__sb_puts(sb, "<span class=\"sig\">");
        esc(x, let);
        sd__sb_puts(sb, "</span>");
    }
    if (sd_table_shows(t, SD_SHOW_STATS)) {
        double lo = sd_table_cell(t, i, c, SD_FIG_CI_LOW), hi = sd_table_cell(t, i, c, SD_FIG_CI_HIGH);
        if (isfinite(lo) && isfinite(hi)) {
            char a[SD_HTMLNUM], b[SD_HTMLNUM];
            if (summary) {
                sd__people_typeset(a, lo, dec, x->lang);
                sd__people_typeset(b, hi, dec, x->lang);
            } else {
                sd__people_typeset(a, 100 * lo, dec, x->lang);
                sd__people_typeset(b, 100 * hi, dec, x->lang);
            }
            sd__sb_printf(sb, "<span class=\"ci\">%s\xE2\x80\x93%s</span>", a, b);
        }
    }
    if (x->compared) {
        double ch = sd_table_cell(t, i, c, SD_FIG_CHANGE);
        if (isfinite(ch)) {
            char a[SD_HTMLNUM];
            sd__people_typeset(a, summary ? ch : 100 * ch, dec, x->lang);
            sd__sb_printf(sb, "<span class=\"chg\">%s%s", ch > 0 ? "+" : "", a);
            double p = sd_table_cell(t, i, c, SD_FIG_CHANGE_P);
            if (isfinite(p)) {
                sd_strbuf tmp;
                sd__sb_init(&tmp, 256);
                sd__people_p(&tmp, p, x->lang);
                sd__sb_puts(sb, " (");
                esc_buf(x, &tmp);
                sd__sb_puts(sb, ")");
            }
            sd__sb_puts(sb, "</span>");
        }
    }
    sd__sb_puts(sb, "</td>");
}

static void tbody(hctx *x, size_t from, size_t to)
{
    sd_strbuf *sb = x->sb;
    const sd_table *t0 = tab(x, from);
    size_t nr = sd_table_size(t0, SD_ROWS);
    sd__sb_puts(sb, "<tbody>\n");
    for (size_t i = 0; i < nr; i++) {
        sd_cat_type ty = sd_table_cat_type(t0, SD_ROWS, i);
        const char *cls = ty == SD_CAT_TYPE_NET       ? "net"
                          : ty == SD_CAT_TYPE_SUMMARY ? "mean"
                          : (sd_table_cat_flags(t0, SD_ROWS, i) & SD_CATF_USER_MISSING) ? "um"
                                                                                        : NULL;
        if (cls)
            sd__sb_printf(sb, "<tr class=\"%s\">", cls);
        else
            sd__sb_puts(sb, "<tr>");
        sd__sb_puts(sb, "<th scope=\"row\">");
        esc(x, sd_table_cat_label(t0, SD_ROWS, i, x->lang));
        sd__sb_puts(sb, "</th>");
        FOR_COLS(x, from, to, ti, t, c)
            cell(x, t, i, c);
        sd__sb_puts(sb, "</tr>\n");
    }
    sd__sb_puts(sb, "</tbody>\n<tbody class=\"bases\">\n");
    /* Bases: unweighted, weighted, and the missing when there are any. */
    bool missing = false;
    FOR_COLS(x, from, to, ti, t, c)
        missing |= sd_table_base(t, c, SD_BASE_MISSING_N) > 0;
    for (int line = 0; line < 4; line++) {
        if ((line == 1 || line == 3) && !x->weighted)
            continue;
        if (line >= 2 && !missing)
            continue;
        static const sd_base which[4] = {SD_BASE_N, SD_BASE_COUNT, SD_BASE_MISSING_N,
                                         SD_BASE_MISSING_COUNT};
        static const char *const name[4][2] = {{"Base (n)", "Base (n)"},
                                               {"Weighted base", "Base pondérée"},
                                               {"Missing (excluded)", "Manquants (exclus)"},
                                               {"Missing, weighted", "Manquants, pondérés"}};
        sd__sb_puts(sb, "<tr><th scope=\"row\">");
        esc(x, name[line][x->fr]);
        sd__sb_puts(sb, "</th>");
        FOR_COLS(x, from, to, ti, t, c) {
            char n[SD_HTMLNUM];
            sd__people_typeset(n, sd_table_base(t, c, which[line]), line % 2 ? 1 : 0, x->lang);
            bool low = line == 0 && (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE);
            sd__sb_puts(sb, low ? "<td class=\"low\">" : "<td>");
            sd__sb_puts(sb, n);
            if (low)
                sd__sb_puts(sb, "\xC2\xA0*");
            sd__sb_puts(sb, "</td>");
        }
        sd__sb_puts(sb, "</tr>\n");
    }
    sd__sb_puts(sb, "</tbody>\n");
}

/* ------------------------------------------------------------ notes */

static void tests_notes(hctx *x, size_t from, size_t to)
{
    sd_strbuf *sb = x->sb;
    const char *lang = x->lang;
    bool fr = x->fr, sig = false;
    char a[SD_HTMLNUM], b[SD_HTMLNUM];
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = tab(x, ti);
        if (!sd_table_shows(t, SD_SHOW_TESTS))
            continue;
        for (size_t k = 1; k < sd_table_size(t, SD_COLS); k++)
            sig |= *sd_table_col_letter(t, k) != '\0';
        sd_test_info q;
        if (!sd_table_test(t, &q))
            continue;
        sd__sb_puts(sb, "<p class=\"test\">");
        sd_strbuf tmp;
        sd__sb_init(&tmp, 1 << 16);
        sd__test_sentence(&tmp, t, &q, lang, true);
        esc_buf(x, &tmp);
        sd__sb_puts(sb, ".</p>\n");
    }
    if (!sig)
        return;
    double alpha, alpha2;
    const char *method = sd_result_letters_method(x->r, &alpha, &alpha2);
    sd__people_typeset(a, alpha, 3, lang);
    sd__people_typeset(b, alpha2, 3, lang);
    sd__sb_puts(sb, "<p class=\"letters\">");
    sd__sb_puts(sb, fr ? "Lettres\xC2\xA0: la valeur de la colonne est supérieure à celle de la "
                         "colonne indiquée"
                       : "Letters: the column's value is higher than the lettered column's");
    if (method && strcmp(method, "spss") == 0)
        sd__sb_puts(sb, fr ? " (test z de SPSS)" : " (SPSS z test)");
    if (alpha2 > alpha)
        sd__sb_printf(sb, fr ? "\xC2\xA0; majuscule p < %s, minuscule p < %s.</p>\n"
                             : "; upper case p < %s, lower case p < %s.</p>\n",
                      a, b);
    else
        sd__sb_printf(sb, fr ? " (p < %s).</p>\n" : " (p < %s).</p>\n", a);
}

static void notes(hctx *x, size_t from, size_t to)
{
    sd_strbuf *sb = x->sb;
    const sd_table *t0 = tab(x, from);
    char num[SD_HTMLNUM];
    sd__sb_puts(sb, "<div class=\"notes\">\n");
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = tab(x, ti);
        double bm = sd_table_banner_missing(t, 0);
        if (bm > 0) {
            sd__people_typeset(num, bm, 0, x->lang);
            sd__sb_printf(sb, "<p>%s", num);
            sd__sb_puts(sb, x->fr ? " répondants sans valeur pour " : " respondents with no value of ");
            esc(x, sd_table_col_var(t));
            sd__sb_puts(sb, x->fr ? "\xC2\xA0: comptés dans l'ensemble seulement.</p>\n"
                                  : ": counted in Total only.</p>\n");
        }
    }
    bool low = false;
    FOR_COLS(x, from, to, ti, t, c)
        low |= (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) != 0;
    if (low) {
        sd__people_typeset(num, sd_table_min_base(t0), 0, x->lang);
        sd__sb_printf(sb,
                      x->fr ? "<p class=\"lowbase\">* Base inférieure à %s répondants\xC2\xA0: à "
                              "lire avec prudence, sans test.</p>\n"
                            : "<p class=\"lowbase\">* Base under %s respondents: read with "
                              "caution; not tested.</p>\n",
                      num);
    }
    tests_notes(x, from, to);
    sd__sb_puts(sb, "</div>\n");
}

static void findings(hctx *x, size_t from, size_t to)
{
    const sd_findings *f = x->doc->findings;
    if (!f)
        return;
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->v[i].table >= from && f->v[i].table < to && f->v[i].body;
    if (!n)
        return;
    sd_strbuf *sb = x->sb;
    sd__sb_puts(sb, "<section class=\"findings\"><h3>");
    esc(x, W_(x, "Findings", "Ce que disent les chiffres"));
    sd__sb_puts(sb, "</h3>\n<ul>\n");
    static const char *const kind[] = {"gap", "no-gap", "level", "ranking"};
    for (size_t i = 0; i < f->n; i++) {
        const sd_finding *g = &f->v[i];
        if (g->table < from || g->table >= to || !g->body)
            continue;
        unsigned k = (unsigned)g->kind < 4 ? (unsigned)g->kind : 2;
        sd__sb_printf(sb, "<li class=\"f-%s\"", kind[k]);
        if (g->lang[0] && !sd__lang_eq(g->lang, x->lang)) {
            sd__sb_puts(sb, " lang=\"");
            esc(x, g->lang);
            sd__sb_putc(sb, '"');
        }
        sd__sb_putc(sb, '>');
        esc(x, sd__finding_words(x->doc->result, g));
        sd__sb_puts(sb, "</li>\n");
    }
    sd__sb_puts(sb, "</ul></section>\n");
}

/* ------------------------------------------------------------ a block */

static void caption(hctx *x, const sd_table *t0)
{
    sd_strbuf *sb = x->sb;
    sd__sb_puts(sb, "<caption><span class=\"cap\"><span class=\"tnum\">");
    sd__sb_printf(sb, x->fr ? "Tableau %zu." : "Table %zu.", sd_table_number(t0));
    sd__sb_puts(sb, "</span> <span class=\"ttl\">");
    esc(x, sd_table_title(t0, x->lang));
    sd__sb_puts(sb, "</span>");
    const char *rl = sd_table_row_label(t0, x->lang);
    if (rl && *rl) {
        /* the variable's name, for the analyst */
        sd__sb_puts(sb, " <span class=\"var\">(");
        esc(x, sd_table_row_var(t0));
        sd__sb_puts(sb, ")</span>");
    }
    sd__sb_puts(sb, "<span class=\"base\">");
    sd_table_kind k = sd_table_kind_of(t0);
    if (k == SD_TABLE_DICHOTOMY_SET || k == SD_TABLE_CATEGORY_SET) {
        esc(x, W_(x, "Multiple response: a respondent can be in several rows. ",
                  "Réponses multiples : une personne peut être dans plusieurs lignes. "));
    }
    sd_strbuf tmp;
    sd__sb_init(&tmp, 1 << 20);
    sd__base_text(&tmp, t0, x->lang);
    sd__table_weight_note(&tmp, x->r, t0, x->lang);
    esc_buf(x, &tmp);
    sd__sb_puts(sb, ".</span></span></caption>\n");
}

static void block(hctx *x, size_t b, bool first, bool lead)
{
    sd_strbuf *sb = x->sb;
    size_t from = x->starts[b], to = x->starts[b + 1];
    const sd_table *t0 = tab(x, from);
    size_t ncols = block_cols(x, from, to);
    sd__sb_printf(sb, "<article class=\"block%s%s\" id=\"t%zu\">\n", first ? " first" : "",
                  lead ? " lead" : "", b + 1);
    sd__sb_printf(sb, "<div class=\"pair%s\">\n", ncols <= 4 ? " narrow" : "");
    sd__sb_printf(sb, "<div class=\"tw\" tabindex=\"0\" role=\"region\" aria-labelledby=\"t%zu-c\">\n",
                  b + 1);
    sd__sb_printf(sb, "<table id=\"t%zu-c\">\n", b + 1);
    caption(x, t0);
    thead(x, from, to);
    tbody(x, from, to);
    sd__sb_puts(sb, "</table>\n</div>\n");
    char id[32];
    snprintf(id, sizeof id, "c%zu", b + 1);
    sd__svg_chart(sb, x->r, from, to, x->lang, id);
    sd__sb_puts(sb, "</div>\n");
    notes(x, from, to);
    findings(x, from, to);
    sd__sb_puts(sb, "</article>\n");
}

/* ------------------------------------------------------------ the page */

/* The lang attribute: the request's language tag, letters, digits and
 * hyphens only ("en" when there is none). */
static void lang_attr(hctx *x)
{
    char tag[36];
    size_t n = 0;
    for (const char *p = x->lang ? x->lang : ""; *p && n < sizeof tag - 1; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            tag[n++] = c;
        else if (c == '-' || c == '_')
            tag[n++] = '-';
        else
            break;
    }
    tag[n] = '\0';
    sd__sb_puts(x->sb, n ? tag : "en");
}

/* The page's title: the report's, else "Tables: SOURCE"; in the <title>
 * (the browser's tab) a single table's own title. */
static void page_title(hctx *x, bool head)
{
    const char *t = label_of(x, &x->doc->title);
    if (t) {
        esc(x, t);
        return;
    }
    if (head && x->nblocks == 1) {
        const sd_table *t0 = tab(x, 0);
        sd__sb_printf(x->sb, x->fr ? "Tableau %zu. " : "Table %zu. ", sd_table_number(t0));
        esc(x, sd_table_title(t0, x->lang));
        return;
    }
    esc(x, W_(x, "Tables", "Tableaux"));
    const char *src = sd_result_source(x->r);
    if (src && *src) {
        sd__sb_puts(x->sb, x->fr ? "\xC2\xA0: " : ": ");
        esc(x, src);
    }
}

static void toc(hctx *x)
{
    if (x->nblocks < 2)
        return;
    sd_strbuf *sb = x->sb;
    sd__sb_puts(sb, "<nav class=\"toc\" aria-labelledby=\"toc-h\"><h2 id=\"toc-h\">");
    esc(x, W_(x, "Contents", "Sommaire"));
    sd__sb_puts(sb, "</h2>\n<ol>\n");
    for (size_t b = 0; b < x->nblocks; b++) {
        const sd_table *t0 = tab(x, x->starts[b]);
        sd__sb_printf(sb, "<li><a href=\"#t%zu\">", b + 1);
        sd__sb_printf(sb, x->fr ? "Tableau %zu. " : "Table %zu. ", sd_table_number(t0));
        esc(x, sd_table_title(t0, x->lang));
        sd__sb_puts(sb, "</a></li>\n");
    }
    sd__sb_puts(sb, "</ol></nav>\n");
}

static void footer(hctx *x)
{
    sd_strbuf *sb = x->sb;
    sd__sb_puts(sb, "<footer>\n");
    const char *notes_text = label_of(x, &x->doc->notes);
    if (notes_text)
        paragraphs(x, notes_text, "note");
    sd_strbuf tmp;
    sd__sb_init(&tmp, 1 << 20);
    if (!sd_result_weights_mixed(x->r)) {
        sd__weight_text(&tmp, x->r, NULL, x->lang);
        /* One paragraph a line, each a sentence. */
        const char *s = sd__sb_str(&tmp);
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            sd__sb_puts(sb, "<p>");
            sd__html_textn(x->sb, s, n);
            sd__sb_puts(sb, ".</p>\n");
            s += n + (e != NULL);
        }
        sd__sb_free(&tmp);
        sd__sb_init(&tmp, 1 << 20);
    }
    sd__excluded_text(&tmp, x->r, x->lang);
    if (tmp.len) {
        sd__sb_puts(sb, "<p>");
        esc_buf(x, &tmp);
        sd__sb_puts(sb, "</p>\n");
    } else
        sd__sb_free(&tmp);
    sd__sb_puts(sb, "<p>");
    esc(x, W_(x, "Source: ", "Source : "));
    esc(x, sd_result_source(x->r));
    sd__sb_puts(sb, x->fr ? ". Tableaux et graphiques faits par sondage " SD_VERSION ".</p>\n"
                          : ". Tables and charts made by sondage " SD_VERSION ".</p>\n");
    sd__sb_puts(sb, "</footer>\n");
}

/* The blocks whose tables are numbered in [lo, hi]; each at most once. */
static void blocks_in(hctx *x, size_t lo, size_t hi, bool *done, bool *first, bool lead_first)
{
    bool lead = lead_first;
    for (size_t b = 0; b < x->nblocks; b++) {
        size_t num = sd_table_number(tab(x, x->starts[b]));
        if (done[b] || num < lo || num > hi)
            continue;
        block(x, b, *first, lead);
        done[b] = true;
        *first = false;
        lead = false;
    }
}

sd_status sd__write_html(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err)
{
    hctx x = {.doc = doc, .r = doc->result, .lang = lang, .fr = sd__lang_is_fr(lang), .sb = out};
    x.weighted = sd__result_any_weight(x.r);
    x.compared = sd_result_compared(x.r) != NULL;
    int dec = sd_result_decimals(x.r);
    x.dec_pct = dec >= 0 ? dec : 1;
    x.dec_mean = dec >= 0 ? dec : 2;
    if (!find_blocks(&x))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    bool *done = sd__zalloc(x.nblocks + 1, sizeof *done);
    if (!done) {
        sd__free(x.starts);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    sd_strbuf *sb = out;
    sd__sb_puts(sb, "<!DOCTYPE html>\n<html lang=\"");
    lang_attr(&x);
    sd__sb_puts(sb, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'\">\n"
                    "<meta name=\"generator\" content=\"sondage " SD_VERSION "\">\n<title>");
    page_title(&x, true);
    sd__sb_puts(sb, "</title>\n<style>\n");
    sd__sb_puts(sb, CSS);
    sd__sb_puts(sb, "</style>\n</head>\n<body>\n<div class=\"page\">\n<header class=\"doc\">\n<h1>");
    page_title(&x, false);
    sd__sb_puts(sb, "</h1>\n");
    const char *intro = label_of(&x, &doc->intro);
    if (intro)
        paragraphs(&x, intro, NULL);
    toc(&x);
    sd__sb_puts(sb, "</header>\n<main>\n");
    bool first = true;
    for (size_t s = 0; s < doc->nsections; s++) {
        const sd_rsection *sec = &doc->sections[s];
        sd__sb_printf(sb, "<section class=\"part%s\" aria-labelledby=\"s%zu\">\n<h2 id=\"s%zu\">",
                      s == 0 ? " first" : "", s + 1, s + 1);
        const char *st = label_of(&x, &sec->title);
        if (st)
            esc(&x, st);
        else
            sd__sb_printf(sb, x.fr ? "Partie %zu" : "Part %zu", s + 1);
        sd__sb_puts(sb, "</h2>\n");
        const char *text = label_of(&x, &sec->text);
        if (text)
            paragraphs(&x, text, NULL);
        blocks_in(&x, sec->from, sec->to, done, &first, true);
        sd__sb_puts(sb, "</section>\n");
    }
    /* Tables no section claims (all of them for `sondage tab`). */
    blocks_in(&x, 0, (size_t)-1, done, &first, false);
    sd__sb_puts(sb, "</main>\n");
    footer(&x);
    sd__sb_puts(sb, "</div>\n</body>\n</html>\n");
    sd__free(done);
    sd__free(x.starts);
    sd_status st = sd__sb_status(sb);
    if (st != SD_OK)
        return sd__fail(err, st, NULL, 0, 0, NULL, "cannot render the HTML page: %s",
                        sd_status_str(st));
    return SD_OK;
}
