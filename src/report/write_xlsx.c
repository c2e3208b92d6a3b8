/*
 * write_xlsx.c — the XLSX writer of a document (doc.h), through
 * libxlsxwriter: the workbook (fixed document properties, so that the same
 * tables give the same bytes), its cell formats, the contents sheet (the
 * report's title, introduction, sections and notes, and a link to every
 * table), and one sheet per table (xlsx_sheet.c). libxlsxwriter 1.1.4
 * (Debian 12) writes only to a named file, so the workbook goes to a
 * temporary file in $TMPDIR that is read back into `out` and removed.
 * Numbers are written under the C locale whatever the caller set.
 */
#include "xlsx.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The creation time in the document properties: fixed (1 January 1980,
 * the zip entries' own date) so that two runs give identical bytes. */
#define XLSX_CREATED ((time_t)315532800)
/* What one cell holds (Excel's limit, in bytes here: cut below it). */
#define XLSX_CELL_MAX 32000

/* ------------------------------------------------------------- formats */

/* "0.0%", "+0.0%;-0.0%;0.0%", "0.00": dec decimals (at most 10). */
static void num_format(char buf[64], int dec, bool pct, bool sign)
{
    char one[16];
    size_t z = dec < 0 ? 0 : (dec > 10 ? 10 : (size_t)dec), n = 0;
    one[n++] = '0';
    if (z) {
        one[n++] = '.';
        memset(one + n, '0', z);
        n += z;
    }
    if (pct)
        one[n++] = '%';
    one[n] = '\0';
    if (sign)
        snprintf(buf, 64, "+%s;-%s;%s", one, one, one);
    else
        snprintf(buf, 64, "%s", one);
}

static void xf_make(lxw_format *f, xf_kind k, bool low, const xctx *x)
{
    char num[64];
    const lxw_color_t grey = 0x595959, fill = 0xF2F2F2, rule = 0xA6A6A6;
    switch (k) {
    case XF_TITLE:
        format_set_bold(f);
        format_set_font_size(f, 12);
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        break;
    case XF_SUBTLE:
        format_set_font_color(f, grey);
        format_set_font_size(f, 9);
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        break;
    case XF_TEXT:
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        break;
    case XF_NOTE:
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        format_set_font_size(f, 9);
        format_set_font_color(f, grey);
        break;
    case XF_LINK:
        format_set_font_color(f, 0x0563C1);
        format_set_underline(f, LXW_UNDERLINE_SINGLE);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        format_set_text_wrap(f);
        break;
    case XF_SECTION:
        format_set_bold(f);
        format_set_font_size(f, 12);
        format_set_bottom(f, LXW_BORDER_THIN);
        break;
    case XF_HEAD:
    case XF_HEAD_STUB:
    case XF_HEAD_SUB:
        format_set_bg_color(f, low ? 0xFCE4D6 : fill);
        format_set_text_wrap(f);
        format_set_align(f, k == XF_HEAD_STUB ? LXW_ALIGN_LEFT : LXW_ALIGN_CENTER);
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
        format_set_border(f, LXW_BORDER_THIN);
        format_set_border_color(f, rule);
        if (k == XF_HEAD)
            format_set_bold(f);
        if (k == XF_HEAD_SUB) {
            format_set_font_size(f, 9);
            format_set_font_color(f, grey);
        }
        break;
    case XF_STUB:
    case XF_STUB_NET:
    case XF_STUB_MISS:
    case XF_BASE_STUB:
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        if (k == XF_STUB_NET)
            format_set_italic(f);
        if (k == XF_STUB_MISS)
            format_set_font_color(f, grey);
        if (k == XF_BASE_STUB) {
            format_set_bold(f);
            format_set_top(f, LXW_BORDER_THIN);
        }
        break;
    case XF_FIND_HEAD:
        format_set_bold(f);
        break;
    case XF_FIND:
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        break;
    case XF_CONTENTS_HEAD:
        format_set_bold(f);
        format_set_bg_color(f, fill);
        format_set_bottom(f, LXW_BORDER_THIN);
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
        break;
    case XF_N:
    case XF_W:
    case XF_PCT:
    case XF_MEAN:
    case XF_CHG_PCT:
    case XF_CHG_MEAN:
    case XF_P:
    case XF_LETTERS:
    case XF_DASH:
    case XF_BASE_N:
    case XF_BASE_W:
    case XF_BASE_BLANK:
    case XF_MISS_N:
    case XF_MISS_W:
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        if (low) {
            format_set_italic(f);
            format_set_font_color(f, grey);
        }
        break;
    case XF_INT:
        format_set_num_format(f, "#,##0");
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        break;
    case XF_COUNT_:
        break;
    }
    /* Figures: number formats, the group's left rule, the base row's top rule. */
    if (k == XF_N || k == XF_BASE_N || k == XF_MISS_N) {
        format_set_num_format(f, "#,##0");
        format_set_left(f, LXW_BORDER_THIN);
        format_set_left_color(f, rule);
    } else if (k == XF_W || k == XF_BASE_W || k == XF_MISS_W) {
        format_set_num_format(f, "#,##0.0");
    } else if (k == XF_PCT || k == XF_CHG_PCT || k == XF_MEAN || k == XF_CHG_MEAN) {
        bool pct = k == XF_PCT || k == XF_CHG_PCT;
        bool chg = k == XF_CHG_PCT || k == XF_CHG_MEAN;
        num_format(num, pct ? x->dec_pct : x->dec_mean, pct, chg);
        format_set_num_format(f, num);
    } else if (k == XF_P) {
        format_set_num_format(f, "0.000");
    } else if (k == XF_LETTERS) {
        format_set_bold(f);
        format_set_font_color(f, low ? grey : 0x1F4E79);
        format_set_align(f, LXW_ALIGN_LEFT);
    } else if (k == XF_DASH) {
        format_set_align(f, LXW_ALIGN_RIGHT);
    }
    if (k == XF_BASE_N || k == XF_BASE_W || k == XF_BASE_BLANK) {
        format_set_top(f, LXW_BORDER_THIN);
        format_set_bold(f);
        if (low)
            format_set_bg_color(f, 0xFCE4D6);
    }
}

lxw_format *sd__xf(xctx *x, xf_kind kind, bool low)
{
    lxw_format **slot = &x->f[kind][low ? 1 : 0];
    if (!*slot) {
        *slot = workbook_add_format(x->wb);
        if (!*slot) {
            sd__x_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return NULL;
        }
        xf_make(*slot, kind, low, x);
    }
    return *slot;
}

/* ---------------------------------------------------------- cell writers */

void sd__x_reset(sd_strbuf *sb)
{
    sb->len = 0;
    if (sb->s)
        sb->s[0] = '\0';
}

void sd__x_check(xctx *x, lxw_error e)
{
    if (e != LXW_NO_ERROR && x->lerr == LXW_NO_ERROR)
        x->lerr = e;
}

/* s with control characters as \xNN (line ends kept when nl), cut at a
 * code-point boundary below what a cell holds. */
static const char *clean(xctx *x, const char *s, bool nl)
{
    if (!s)
        return "";
    bool plain = true;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if ((*p < 0x20 && !(nl && *p == '\n')) || *p == 0x7F)
            plain = false;
    if (plain && n <= XLSX_CELL_MAX)
        return s;
    sd_strbuf *sb = &x->scratch;
    sd__x_reset(sb);
    for (const unsigned char *p = (const unsigned char *)s; *p && sb->len < XLSX_CELL_MAX; p++) {
        if ((*p < 0x20 && !(nl && *p == '\n')) || *p == 0x7F)
            sd__sb_printf(sb, "\\x%02X", *p);
        else
            sd__sb_putc(sb, (char)*p);
    }
    if (sb->len >= XLSX_CELL_MAX) {
        size_t cut = XLSX_CELL_MAX;
        while (cut && ((unsigned char)sb->s[cut] & 0xC0) == 0x80)
            cut--;
        sb->len = cut;
        sb->s[cut] = '\0';
        sd__sb_puts(sb, "\xE2\x80\xA6");
    }
    return sd__sb_status(sb) == SD_OK ? sd__sb_str(sb) : "";
}

void sd__x_str(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
               lxw_format *f)
{
    const char *c = clean(x, s, false);
    if (*c)
        sd__x_check(x, worksheet_write_string(ws, row, col, c, f));
    else
        sd__x_check(x, worksheet_write_blank(ws, row, col, f));
}

void sd__x_num(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, double v,
               lxw_format *f)
{
    /* NaN and infinities are not numbers a spreadsheet holds: a dash. */
    if (!isfinite(v)) {
        sd__x_check(x, worksheet_write_string(ws, row, col, "-", sd__xf(x, XF_DASH, false)));
        return;
    }
    sd__x_check(x, worksheet_write_number(ws, row, col, v, f));
}

/* A cleaned text over a range. */
static void put_span(xctx *x, lxw_worksheet *ws, uint32_t r1, uint16_t c1, uint32_t r2,
                     uint16_t c2, const char *c, lxw_format *f)
{
    if (r1 == r2 && c1 == c2)
        sd__x_check(x, *c ? worksheet_write_string(ws, r1, c1, c, f)
                          : worksheet_write_blank(ws, r1, c1, f));
    else
        sd__x_check(x, worksheet_merge_range(ws, r1, c1, r2, c2, c, f));
}

void sd__x_span(xctx *x, lxw_worksheet *ws, uint32_t r1, uint16_t c1, uint32_t r2,
                uint16_t c2, const char *s, lxw_format *f, bool nl)
{
    put_span(x, ws, r1, c1, r2, c2, clean(x, s, nl), f);
}

void sd__x_link(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *sheet,
                const char *text, lxw_format *f)
{
    char url[128];
    snprintf(url, sizeof url, "internal:'%s'!A1", sheet);
    sd__x_check(x, worksheet_write_url_opt(ws, row, col, url, f, clean(x, text, false), NULL));
}

unsigned sd__x_lines(const char *s, double width, double pt)
{
    /* Greedy word wrap over code points: about 1.3 characters of 11-point
     * text per unit of column width, a little under what LibreOffice
     * shows with Carlito (Calibri's metrics), less a margin: a row may be
     * a little tall, never too short for its text. */
    double per = 1.3 * 11.0 / (pt > 4 ? pt : 11);
    size_t cap = width * per > 2 ? (size_t)(width * per) - 1 : 1;
    unsigned lines = 1;
    size_t col = 0, word = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); ; p++) {
        if (*p && (*p & 0xC0) == 0x80)
            continue;
        if (*p == '\0' || *p == ' ' || *p == '\n') {
            if (col && col + 1 + word > cap) {
                lines++;
                col = word;
            } else {
                col += (col ? 1 : 0) + word;
            }
            while (col > cap) { /* a word longer than a line */
                lines++;
                col -= cap;
            }
            word = 0;
            if (*p == '\n') {
                lines++;
                col = 0;
            }
            if (*p == '\0')
                break;
            continue;
        }
        word++;
    }
    return lines > 200 ? 200 : lines;
}

double sd__x_height(unsigned lines, double pt)
{
    double h = (pt > 4 ? pt : 11) * 15.0 / 11.0 * lines;
    if (lines == 1 && h < 15)
        h = 15;
    return h > 409 ? 409 : h; /* Excel's highest row */
}

void sd__x_text_row(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t last, double width,
                    const char *s, lxw_format *f, double pt, bool nl)
{
    const char *c = clean(x, s, nl);
    unsigned lines = sd__x_lines(c, width, pt);
    if (lines > 1 || pt > 11.5)
        sd__x_check(x, worksheet_set_row(ws, row, sd__x_height(lines, pt), NULL));
    put_span(x, ws, row, 0, row, last, c, f);
}

void sd__xlsx_sheet_name(const xctx *x, size_t number, char *buf, size_t size)
{
    snprintf(buf, size, x->fr ? "Tableau %zu" : "Table %zu", number);
}

/* ------------------------------------------------------------- contents */

typedef struct xblock {
    size_t from, to;
    char name[40];
} xblock;

static const char *lab(const sd_labels *l, const char *lang)
{
    const char *s = sd__labels_get(l, lang);
    return s && *s ? s : NULL;
}

/* The banners of a block, "label ; label". */
static const char *banners_text(xctx *x, const xblock *b)
{
    sd_strbuf *sb = &x->line;
    sd__x_reset(sb);
    for (size_t ti = b->from; ti < b->to; ti++) {
        const sd_table *t = sd_result_table(x->r, ti);
        const char *v = sd_table_col_var(t);
        if (!v)
            continue;
        size_t d = sd_table_col_depth(t);
        if (sb->len)
            sd__sb_puts(sb, x->fr ? " ; " : "; ");
        for (size_t l = 0; l < d; l++) {
            if (l)
                sd__sb_puts(sb, " > ");
            const char *s = d > 1 ? sd_table_col_level_var_label(t, l, x->lang)
                                  : sd_table_col_label(t, x->lang);
            sd__sb_puts(sb, s && *s ? s : sd_table_col_level_var(t, l));
        }
    }
    return sd__sb_str(sb);
}

enum { CC_NUM = 0, CC_TITLE, CC_VAR, CC_BANNERS, CC_BASE, CC_FILTER, CC_N };

static void contents_row(xctx *x, lxw_worksheet *ws, uint32_t row, const xblock *b)
{
    const sd_table *t0 = sd_result_table(x->r, b->from);
    static const double w[CC_N] = {11, 60, 16, 36, 8, 24};
    char num[64];
    snprintf(num, sizeof num, x->fr ? "Tableau %zu" : "Table %zu", sd_table_number(t0));
    lxw_format *link = sd__xf(x, XF_LINK, false), *text = sd__xf(x, XF_TEXT, false);
    sd__x_link(x, ws, row, CC_NUM, b->name, num, link);
    const char *title = sd_table_title(t0, x->lang);
    unsigned lines = sd__x_lines(title, w[CC_TITLE], 11);
    /* The title as text: LibreOffice does not wrap a link's text. */
    sd__x_str(x, ws, row, CC_TITLE, title, text);
    sd__x_str(x, ws, row, CC_VAR, sd_table_row_var(t0), text);
    const char *bn = banners_text(x, b);
    unsigned l2 = sd__x_lines(bn, w[CC_BANNERS], 11);
    lines = l2 > lines ? l2 : lines;
    sd__x_str(x, ws, row, CC_BANNERS, *bn ? bn : (x->fr ? "(ensemble)" : "(total only)"), text);
    sd__x_num(x, ws, row, CC_BASE, sd_table_base(t0, 0, SD_BASE_N), sd__xf(x, XF_INT, false));
    const char *f = sd_table_filter(t0);
    if (f) {
        unsigned l3 = sd__x_lines(f, w[CC_FILTER], 11);
        lines = l3 > lines ? l3 : lines;
        sd__x_str(x, ws, row, CC_FILTER, f, text);
    }
    if (lines > 1)
        sd__x_check(x, worksheet_set_row(ws, row, sd__x_height(lines, 11), NULL));
}

static void contents_sheet(xctx *x, lxw_worksheet *ws, const xblock *blocks, size_t nb)
{
    const sd_rdoc *doc = x->doc;
    const sd_result *r = x->r;
    bool fr = x->fr;
    static const double w[CC_N] = {11, 60, 16, 36, 8, 24};
    double total = 0;
    for (int c = 0; c < CC_N; c++) {
        sd__x_check(x, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], NULL));
        total += w[c];
    }
    uint32_t row = 0;
    const char *title = lab(&doc->title, x->lang);
    sd__x_text_row(x, ws, row++, CC_N - 1, total,
                   title ? title : (fr ? "Tableaux" : "Tables"), sd__xf(x, XF_TITLE, false), 13,
                   false);
    /* Where the figures come from. */
    sd_strbuf *sb = &x->line;
    sd__x_reset(sb);
    const char *src = sd_result_source(r);
    sd__sb_puts(sb, fr ? "Source : " : "Source: ");
    if (!strcmp(src, "@study"))
        sd__sb_puts(sb, fr ? "l'étude intégrée (examples/dsi-marketing)"
                           : "the bundled study (examples/dsi-marketing)");
    else
        sd__sb_puts(sb, src);
    char num[SD_NUMBUF];
    sd__people_num(num, sd_result_rows(r, SD_ROWS_ANALYSED), 0, x->lang);
    sd__sb_printf(sb, fr ? " ; %s répondants dans l'analyse" : "; %s respondents in the analysis",
                  num);
    if (sd_result_weight(r)) {
        sd__sb_puts(sb, fr ? " ; pondération : " : "; weight: ");
        sd__sb_puts(sb, sd_result_weight(r));
    }
    if (sd_result_compared(r)) {
        sd__sb_puts(sb, fr ? " ; comparé à : " : "; compared with: ");
        sd__sb_puts(sb, sd_result_compared(r));
    }
    sd__x_text_row(x, ws, row++, CC_N - 1, total, sd__sb_str(sb), sd__xf(x, XF_SUBTLE, false), 9,
                   false);
    sd__x_reset(sb);
    sd__excluded_text(sb, r, x->lang);
    if (sb->len) {
        sb->s[--sb->len] = '\0'; /* its line end */
        sd__x_text_row(x, ws, row++, CC_N - 1, total, sd__sb_str(sb),
                       sd__xf(x, XF_SUBTLE, false), 9, false);
    }
    const char *intro = lab(&doc->intro, x->lang);
    if (intro) {
        row++;
        sd__x_text_row(x, ws, row++, CC_N - 1, total, intro, sd__xf(x, XF_TEXT, false), 11, true);
    }
    row++;
    static const char *const head[2][CC_N] = {
        {"Table", "Title", "Variable", "Banners", "Base", "Filter"},
        {"Tableau", "Titre", "Variable", "Colonnes", "Base", "Filtre"}};
    uint32_t head_row = row;
    for (int c = 0; c < CC_N; c++)
        sd__x_str(x, ws, row, (lxw_col_t)c, head[fr][c], sd__xf(x, XF_CONTENTS_HEAD, false));
    row++;
    /* Sections, each with its tables; then the tables no section names. */
    bool *listed = sd__zalloc(nb, sizeof *listed);
    if (!listed) {
        sd__x_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    for (size_t s = 0; s < doc->nsections; s++) {
        const sd_rsection *sec = &doc->sections[s];
        const char *st = lab(&sec->title, x->lang), *tx = lab(&sec->text, x->lang);
        row++;
        sd__x_span(x, ws, row, 0, row, CC_N - 1, st ? st : "", sd__xf(x, XF_SECTION, false),
                   false);
        row++;
        if (tx)
            sd__x_text_row(x, ws, row++, CC_N - 1, total, tx, sd__xf(x, XF_TEXT, false), 11, true);
        for (size_t i = 0; i < nb; i++) {
            size_t n = sd_table_number(sd_result_table(r, blocks[i].from));
            if (n < sec->from || n > sec->to)
                continue;
            contents_row(x, ws, row++, &blocks[i]);
            listed[i] = true;
        }
    }
    bool others = false;
    for (size_t i = 0; i < nb; i++) {
        if (listed[i])
            continue;
        if (doc->nsections && !others) {
            row++;
            sd__x_span(x, ws, row, 0, row, CC_N - 1, fr ? "Autres tableaux" : "Other tables",
                       sd__xf(x, XF_SECTION, false), false);
            row++;
            others = true;
        }
        contents_row(x, ws, row++, &blocks[i]);
    }
    sd__free(listed);
    const char *notes = lab(&doc->notes, x->lang);
    if (notes) {
        row++;
        sd__x_span(x, ws, row, 0, row, CC_N - 1, "Notes", sd__xf(x, XF_SECTION, false), false);
        row++;
        sd__x_text_row(x, ws, row++, CC_N - 1, total, notes, sd__xf(x, XF_TEXT, false), 11, true);
    }
    worksheet_freeze_panes(ws, head_row + 1, 0);
    sd__x_check(x, worksheet_repeat_rows(ws, head_row, head_row));
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    if (fr)
        worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
    sd__x_check(x, worksheet_set_footer(ws, fr ? "&L&8&A&R&8Page &P sur &N"
                                               : "&L&8&A&R&8Page &P of &N"));
}

/* ------------------------------------------------------------ workbook */

static sd_status build(xctx *x, sd_error *err)
{
    const sd_result *r = x->r;
    size_t nt = sd_result_ntables(r), nb = 0;
    xblock *blocks = sd__zalloc(nt, sizeof *blocks);
    if (!blocks)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    /* Blocks as the text writer makes them: one row variable by its banners. */
    for (size_t from = 0; from < nt;) {
        size_t to = from + 1, num = sd_table_number(sd_result_table(r, from));
        while (to < nt && sd_table_number(sd_result_table(r, to)) == num &&
               sd_table_col_var(sd_result_table(r, to)))
            to++;
        xblock *b = &blocks[nb];
        b->from = from;
        b->to = to;
        sd__xlsx_sheet_name(x, num, b->name, sizeof b->name);
        /* A number seen before (never made so today): a distinct name. */
        for (unsigned k = 2; ; k++) {
            bool dup = false;
            for (size_t j = 0; j < nb && !dup; j++)
                dup = !strcmp(blocks[j].name, b->name);
            if (!dup)
                break;
            char base[40];
            sd__xlsx_sheet_name(x, num, base, sizeof base);
            snprintf(b->name, sizeof b->name, "%.20s (%u)", base, k);
        }
        nb++;
        from = to;
    }
    const char *cname = x->fr ? "Sommaire" : "Contents";
    x->contents_name = cname;
    lxw_worksheet *cws = workbook_add_worksheet(x->wb, cname);
    sd_status st = SD_OK;
    if (!cws)
        st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "cannot add the contents sheet");
    for (size_t i = 0; st == SD_OK && i < nb; i++)
        st = sd__xlsx_table_sheet(x, blocks[i].from, blocks[i].to, blocks[i].name, err);
    if (st == SD_OK)
        contents_sheet(x, cws, blocks, nb);
    sd__free(blocks);
    return st;
}

static sd_status read_back(const char *path, sd_strbuf *out, sd_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sd__fail_errno(err, SD_E_IO, path, errno, "cannot read the workbook back");
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        sd__sb_add(out, buf, n);
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot read the workbook back");
    if (sd__sb_status(out) != SD_OK)
        return sd__fail(err, sd__sb_status(out), NULL, 0, 0, NULL,
                        "the workbook is larger than a report may be (1 GiB)");
    return SD_OK;
}

sd_status sd__write_xlsx(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err)
{
    xctx x;
    memset(&x, 0, sizeof x);
    x.doc = doc;
    x.r = doc->result;
    x.lang = lang;
    x.fr = sd__lang_is_fr(lang);
    int dec = sd_result_decimals(x.r);
    x.dec_pct = dec >= 0 ? (dec > 10 ? 10 : dec) : 1;
    x.dec_mean = dec >= 0 ? (dec > 10 ? 10 : dec) : 2;
    sd__sb_init(&x.scratch, 1 << 20);
    sd__sb_init(&x.line, 1 << 20);

    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", tmpdir);
    snprintf(path, sizeof path, "%s/sondage-xlsx-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        sd__sb_free(&x.scratch);
        sd__sb_free(&x.line);
        return sd__fail_errno(err, SD_E_IO, dir, errno,
                              "cannot make a temporary file for the workbook (set TMPDIR)");
    }
    close(fd);

    /* libxlsxwriter prints numbers with the C library: under the C locale. */
    locale_t cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t old = cloc ? uselocale(cloc) : (locale_t)0;

    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = dir,
                                .use_zip64 = LXW_FALSE};
    x.wb = workbook_new_opt(path, &opt);
    sd_status st = SD_OK;
    if (!x.wb) {
        st = sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot start the workbook");
    } else {
        const char *title = lab(&doc->title, lang);
        char comments[64];
        snprintf(comments, sizeof comments, "sondage %s", SD_VERSION);
        lxw_doc_properties props = {
            .title = (char *)clean(&x, title ? title : (x.fr ? "Tableaux" : "Tables"), false),
            .author = "sondage",
            .comments = comments,
            .created = XLSX_CREATED,
        };
        sd__x_check(&x, workbook_set_properties(x.wb, &props));
        st = build(&x, err);
        lxw_error e = workbook_close(x.wb); /* frees the workbook */
        x.wb = NULL;
        if (st == SD_OK && x.lerr != LXW_NO_ERROR)
            st = sd__fail(err, SD_E_INTERNAL, NULL, 0, 0, NULL, "cannot build the workbook: %s",
                          lxw_strerror(x.lerr));
        if (st == SD_OK && e != LXW_NO_ERROR)
            st = sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot write the workbook: %s",
                          lxw_strerror(e));
    }
    if (cloc) {
        uselocale(old);
        freelocale(cloc);
    }
    if (st == SD_OK)
        st = read_back(path, out, err);
    unlink(path);
    sd__sb_free(&x.scratch);
    sd__sb_free(&x.line);
    return st;
}
