/*
 * svg_chart.c — the chart of each table of the HTML page, as inline SVG.
 *
 * Hand-written: no C charting library fits. The C ones (PLplot, MathGL,
 * libharu, cairo's plotting front ends, gnuplot through a pipe) draw into
 * files or windows with their own fonts and layout, not small accessible
 * SVG elements in a page; none draws diverging stacked bars or keeps a
 * <title>/<desc> per chart; and the page must hold no script, so the
 * JavaScript libraries are out too. What is drawn is small and fixed:
 * horizontal bars on a linear scale, text wrapped by an estimate of its
 * width, and whiskers. Every coordinate is computed here and written with
 * the locale-free number formatter, so the same result gives the same bytes.
 *
 * Kinds (chosen from the table, docs/reports.md "## HTML"):
 *  - grouped bars: one group per answer, a bar per column (Total and each
 *    banner column), a whisker for the confidence interval;
 *  - ranked bars: the same for a multiple-response set, items sorted by
 *    their Total percentage and numbered;
 *  - diverging stacked bars: an ordinal row variable (sd_table_row_measure)
 *    shown as column percentages, one bar per column, the scale's middle
 *    on a vertical line (user-missing answers left out and named);
 *  - bars of the means: a scale variable's summaries.
 * Each bar is labelled with its column's name and its value, so a reader
 * does not need the colours (they are chosen to differ in grey as well);
 * columns under --min-base are drawn light and dashed, marked "*".
 */
#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 400.0       /* the viewBox width; the page scales it */
#define LW_MIN 64.0   /* the column names' width, left of the bars: */
#define LW_MAX 168.0  /* as wide as the longest name, within these */
#define FS 12.0       /* answer labels */
#define FS_SMALL 11.0 /* column names, values, ticks */
#define MAX_LINES 4   /* an answer's label: at most this many lines */

typedef enum ckind { CH_GROUPED, CH_RANKED, CH_DIVERGING, CH_MEANS } ckind;

typedef struct ccol {
    const sd_table *t;
    size_t c;
    const char *label;
    bool low;
    const char *fill;
} ccol;

typedef struct chart {
    sd_strbuf *sb;
    const sd_result *r;
    const sd_table *t0;
    const char *lang, *id;
    bool fr;
    ckind kind;
    int dec;
    ccol *cols;
    size_t ncols;
    size_t *rows; /* the rows drawn, in drawing order */
    size_t nrows;
    bool low_any, ci_any;
    double lw; /* the column names' width */
} chart;

/* Bar colours: Total dark grey, then a colour-blind-safe set whose
 * lightness alternates (each bar also carries its name and value). */
static const char *const palette[] = {"#1f5a96", "#e08214", "#2e8b57", "#7b3f98",
                                      "#c9a227", "#4fa3d9", "#a0522d", "#d16a9e"};
#define TOTAL_FILL "#505050"
#define NPAL (sizeof palette / sizeof palette[0])

/* ------------------------------------------------------------ numbers */

/* A coordinate: one decimal, '.', no trailing ".0". */
static void coord(sd_strbuf *sb, double x)
{
    char b[SD_NUMBUF];
    if (!isfinite(x))
        x = 0;
    sd__fmt_fixed(b, x, 1, '.');
    size_t n = strlen(b);
    if (n > 2 && b[n - 2] == '.' && b[n - 1] == '0')
        b[n - 2] = '\0';
    sd__sb_puts(sb, b);
}

/* attr="x" */
static void att(sd_strbuf *sb, const char *name, double x)
{
    sd__sb_printf(sb, " %s=\"", name);
    coord(sb, x);
    sd__sb_putc(sb, '"');
}

/* A nice step for an axis over `span` with at most `most` intervals:
 * 1, 2, 2.5 or 5 times a power of ten. */
static double nice_step(double span, int most)
{
    if (!(span > 0))
        return 1;
    double raw = span / most, p = pow(10, floor(log10(raw)));
    static const double m[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= raw * (1 - 1e-9))
            return m[i] * p;
    return 10 * p;
}

/* Decimals that show a tick value exactly (values times `k`). */
static int step_decimals(double step, double k)
{
    double s = step * k;
    for (int d = 0; d < 4; d++, s *= 10)
        if (fabs(s - round(s)) < 1e-6)
            return d;
    return 4;
}

/* ------------------------------------------------------------ text */

/* The width of text at font size fs, estimated from its characters: the
 * widths of a wide sans-serif (DejaVu Sans, the widest of the fonts the
 * page names), so that text fits whichever of them the reader has. */
static double text_width(const char *s, size_t n, double fs)
{
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;
        double k;
        if (strchr("il.,;:'|!j ", c) && c)
            k = 0.32;
        else if (strchr("ftrI()[]-", c) && c)
            k = 0.42;
        else if (strchr("mwMW", c) && c)
            k = 0.92;
        else if (c >= 'A' && c <= 'Z')
            k = 0.74;
        else if (c >= '0' && c <= '9')
            k = 0.64;
        else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xAF || (unsigned char)s[i + 2] == 0x89))
            k = 0.25; /* narrow and thin spaces */
        else if (c == 0xE2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x81)
            k = 0.85; /* general punctuation: dashes, ellipsis, quotes */
        else if (c >= 0xE3)
            k = 1.0; /* CJK and other wide scripts: generous */
        else
            k = 0.62;
        w += k;
    }
    return w * fs;
}

static double tw(const char *s, double fs)
{
    return text_width(s, strlen(s), fs);
}

/* The length of the longest prefix of s (at a character boundary) that,
 * followed by "…", fits in `width`; the whole when it fits. */
static size_t fit_len(const char *s, double width, double fs, bool *cut)
{
    size_t n = strlen(s);
    *cut = false;
    if (text_width(s, n, fs) <= width)
        return n;
    *cut = true;
    double room = width - text_width("\xE2\x80\xA6", 3, fs);
    size_t k = 0, best = 0;
    while (k < n) {
        size_t j = k + 1;
        while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
            j++;
        if (text_width(s, j, fs) > room)
            break;
        best = k = j;
    }
    while (best > 0 && s[best - 1] == ' ')
        best--;
    return best;
}

/* <text ...>s</text>, cut with "…" to `width` (the whole text then in a
 * <title> for the pointer). */
static void text_fit(sd_strbuf *sb, const char *s, double x, double y, double width, double fs,
                     const char *anchor, const char *extra)
{
    bool cut;
    size_t n = fit_len(s, width, fs, &cut);
    sd__sb_puts(sb, "<text");
    att(sb, "x", x);
    att(sb, "y", y);
    if (fs != FS)
        att(sb, "font-size", fs);
    if (anchor)
        sd__sb_printf(sb, " text-anchor=\"%s\"", anchor);
    if (extra)
        sd__sb_printf(sb, " %s", extra);
    sd__sb_putc(sb, '>');
    if (cut) {
        sd__sb_puts(sb, "<title>");
        sd__html_text(sb, s);
        sd__sb_puts(sb, "</title>");
    }
    sd__html_textn(sb, s, n);
    if (cut)
        sd__sb_puts(sb, "\xE2\x80\xA6");
    sd__sb_puts(sb, "</text>");
}

/* Break s into at most `most` lines of `width`, at spaces (a word longer
 * than a line is cut); starts[i], lens[i] give each line. The last line
 * ends with "…" (*cut) when the text does not fit. */
static size_t wrap(const char *s, double width, double fs, size_t most, size_t *starts,
                   size_t *lens, bool *cut)
{
    size_t n = strlen(s), i = 0, k = 0;
    *cut = false;
    while (i < n && s[i] == ' ')
        i++;
    while (i < n && k < most) {
        /* the longest run of words from i that fits */
        size_t end = i, j = i;
        while (j < n) {
            size_t w = j;
            while (w < n && s[w] != ' ')
                w++;
            if (text_width(s + i, w - i, fs) > width)
                break;
            end = w;
            j = w;
            while (j < n && s[j] == ' ')
                j++;
        }
        if (end == i) {
            /* one word wider than the line: cut it at a character */
            bool c;
            char tmp[1024];
            size_t w = i;
            while (w < n && s[w] != ' ')
                w++;
            size_t len = w - i < sizeof tmp - 1 ? w - i : sizeof tmp - 1;
            memcpy(tmp, s + i, len);
            tmp[len] = '\0';
            end = i + fit_len(tmp, width, fs, &c);
            if (end == i)
                end = i + 1;
            while (end < n && ((unsigned char)s[end] & 0xC0) == 0x80)
                end++;
        }
        starts[k] = i;
        lens[k] = end - i;
        k++;
        i = end;
        while (i < n && s[i] == ' ')
            i++;
    }
    if (i < n && k > 0) {
        *cut = true;
        /* leave room for the ellipsis on the last line */
        size_t last = k - 1;
        while (lens[last] > 0 &&
               text_width(s + starts[last], lens[last], fs) + text_width("\xE2\x80\xA6", 3, fs) >
                   width) {
            lens[last]--;
            while (lens[last] > 0 && ((unsigned char)s[starts[last] + lens[last]] & 0xC0) == 0x80)
                lens[last]--;
        }
    }
    return k;
}

/* A wrapped label as lines of <text>; returns the lines used. */
static size_t text_lines(sd_strbuf *sb, const char *s, double x, double y, double width,
                         double fs, double lh, const char *extra)
{
    size_t st[MAX_LINES], ln[MAX_LINES];
    bool cut;
    size_t k = wrap(s, width, fs, MAX_LINES, st, ln, &cut);
    for (size_t i = 0; i < k; i++) {
        sd__sb_puts(sb, "<text");
        att(sb, "x", x);
        att(sb, "y", y + (double)i * lh);
        if (extra)
            sd__sb_printf(sb, " %s", extra);
        sd__sb_putc(sb, '>');
        if (cut && i + 1 == k) {
            sd__sb_puts(sb, "<title>");
            sd__html_text(sb, s);
            sd__sb_puts(sb, "</title>");
        }
        sd__html_textn(sb, s + st[i], ln[i]);
        if (cut && i + 1 == k)
            sd__sb_puts(sb, "\xE2\x80\xA6");
        sd__sb_puts(sb, "</text>");
    }
    return k;
}

static size_t count_lines(const char *s, double width, double fs)
{
    size_t st[MAX_LINES], ln[MAX_LINES];
    bool cut;
    size_t k = wrap(s, width, fs, MAX_LINES, st, ln, &cut);
    return k ? k : 1;
}

/* ------------------------------------------------------------ values */

static double k_of(const chart *ch)
{
    return ch->kind == CH_MEANS ? 1 : 100;
}

/* A cell's value for people: "73,0 %", "3,42". */
static void value_text(char *buf, const chart *ch, double v, int dec)
{
    if (ch->kind == CH_MEANS)
        sd__people_typeset(buf, v, dec, ch->lang);
    else
        sd__html_pct(buf, v, dec, ch->lang);
}

static sd_figure est_fig(const chart *ch)
{
    return ch->kind == CH_MEANS ? SD_FIG_MEAN : SD_FIG_PCT;
}

static const char *row_label(const chart *ch, size_t i)
{
    const char *l = sd_table_cat_label(ch->t0, SD_ROWS, i, ch->lang);
    return l ? l : "";
}

/* "Marketeur : 73,0 % (IC 95 % : 68,5 % à 77,1 % ; n = 400)" */
static void cell_sentence(sd_strbuf *sb, const chart *ch, const ccol *cc, size_t i)
{
    char v[SD_HTMLNUM], lo[SD_HTMLNUM], hi[SD_HTMLNUM], n[SD_HTMLNUM];
    sd_figure f = est_fig(ch);
    double l = sd_table_cell(cc->t, i, cc->c, SD_FIG_CI_LOW);
    double h = sd_table_cell(cc->t, i, cc->c, SD_FIG_CI_HIGH);
    value_text(v, ch, sd_table_cell(cc->t, i, cc->c, f), ch->dec);
    sd__html_text(sb, cc->label);
    sd__sb_puts(sb, ch->fr ? "\xC2\xA0: " : ": ");
    sd__sb_puts(sb, v);
    if (isfinite(l) && isfinite(h)) {
        value_text(lo, ch, l, ch->dec);
        value_text(hi, ch, h, ch->dec);
        char lev[SD_HTMLNUM];
        sd__people_typeset(lev, 100 * sd_table_level(cc->t), 0, ch->lang);
        sd__sb_printf(sb, ch->fr ? " (IC %s" SD_NNBSP "%%\xC2\xA0: %s \xC3\xA0 %s" : " (%s%% CI: %s to %s",
                      lev, lo, hi);
        sd__people_typeset(n, sd_table_base(cc->t, cc->c, SD_BASE_N), 0, ch->lang);
        sd__sb_printf(sb, ch->fr ? " ; base %s)" : "; base %s)", n);
    }
    if (cc->low)
        sd__sb_puts(sb, ch->fr ? " *" : " *");
}

/* ------------------------------------------------------------ choice */

static bool drawn_row(const chart *ch, size_t i)
{
    sd_cat_type ty = sd_table_cat_type(ch->t0, SD_ROWS, i);
    switch (ch->kind) {
    case CH_MEANS: return ty == SD_CAT_TYPE_SUMMARY;
    case CH_RANKED: return ty == SD_CAT_TYPE_ITEM || ty == SD_CAT_TYPE_CATEGORY;
    case CH_GROUPED: return ty == SD_CAT_TYPE_CATEGORY;
    case CH_DIVERGING:
        return ty == SD_CAT_TYPE_CATEGORY &&
               !(sd_table_cat_flags(ch->t0, SD_ROWS, i) & SD_CATF_USER_MISSING);
    }
    return false;
}

static ckind choose(const sd_table *t0)
{
    switch (sd_table_kind_of(t0)) {
    case SD_TABLE_SUMMARY: return CH_MEANS;
    case SD_TABLE_DICHOTOMY_SET:
    case SD_TABLE_CATEGORY_SET: return CH_RANKED;
    case SD_TABLE_VARIABLE: break;
    }
    if (sd_table_row_measure(t0) != SD_MEASURE_ORDINAL || strcmp(sd_table_pct_of(t0), "col") != 0)
        return CH_GROUPED;
    size_t k = 0, nr = sd_table_size(t0, SD_ROWS);
    for (size_t i = 0; i < nr; i++)
        k += sd_table_cat_type(t0, SD_ROWS, i) == SD_CAT_TYPE_CATEGORY &&
             !(sd_table_cat_flags(t0, SD_ROWS, i) & SD_CATF_USER_MISSING);
    return k >= 3 ? CH_DIVERGING : CH_GROUPED;
}

/* ------------------------------------------------------------ pieces */

static void axis_ticks(const chart *ch, double lo, double hi, double step, double x0, double x1,
                       double ytop, double ybot, bool absolute)
{
    sd_strbuf *sb = ch->sb;
    double k = k_of(ch);
    int dec = step_decimals(step, k);
    sd__sb_puts(sb, "<g class=\"axis\" stroke=\"#d0d0d0\" stroke-width=\"1\">");
    for (double v = lo; v <= hi + step * 1e-6; v += step) {
        double x = x0 + (x1 - x0) * (v - lo) / (hi - lo);
        sd__sb_puts(sb, "<line");
        att(sb, "x1", x);
        att(sb, "x2", x);
        att(sb, "y1", ytop);
        att(sb, "y2", ybot);
        sd__sb_puts(sb, "/>");
    }
    sd__sb_puts(sb, "</g><g fill=\"#555\" text-anchor=\"middle\">");
    for (double v = lo; v <= hi + step * 1e-6; v += step) {
        double x = x0 + (x1 - x0) * (v - lo) / (hi - lo);
        char b[SD_HTMLNUM];
        double shown = absolute ? fabs(v) : v;
        if (fabs(shown) < step * 1e-6)
            shown = 0;
        value_text(b, ch, shown, dec);
        sd__sb_puts(sb, "<text");
        att(sb, "x", x);
        att(sb, "y", ybot + 13);
        att(sb, "font-size", FS_SMALL);
        sd__sb_putc(sb, '>');
        sd__sb_puts(sb, b);
        sd__sb_puts(sb, "</text>");
    }
    sd__sb_puts(sb, "</g>");
}

static void rect(sd_strbuf *sb, double x, double y, double w, double h, const char *fill,
                 bool low)
{
    sd__sb_puts(sb, "<rect");
    att(sb, "x", x);
    att(sb, "y", y);
    att(sb, "width", w < 0 ? 0 : w);
    att(sb, "height", h);
    sd__sb_printf(sb, " fill=\"%s\"", fill);
    if (low)
        sd__sb_puts(sb, " fill-opacity=\"0.35\" stroke=\"#333\" stroke-dasharray=\"3 2\"");
    sd__sb_puts(sb, "/>");
}

/* The confidence interval: a dark line with end caps over a white halo,
 * visible on dark and light bars alike. */
static void whisker(sd_strbuf *sb, double xl, double xh, double yc, double cap)
{
    for (int pass = 0; pass < 2; pass++) {
        sd__sb_printf(sb, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" d=\"M",
                      pass ? "#111" : "#fff", pass ? "1.3" : "3.3");
        coord(sb, xl);
        sd__sb_putc(sb, ' ');
        coord(sb, yc - cap);
        sd__sb_puts(sb, "V");
        coord(sb, yc + cap);
        sd__sb_puts(sb, "M");
        coord(sb, xl);
        sd__sb_putc(sb, ' ');
        coord(sb, yc);
        sd__sb_puts(sb, "H");
        coord(sb, xh);
        sd__sb_puts(sb, "M");
        coord(sb, xh);
        sd__sb_putc(sb, ' ');
        coord(sb, yc - cap);
        sd__sb_puts(sb, "V");
        coord(sb, yc + cap);
        sd__sb_puts(sb, "\"/>");
    }
}

/* The name of a column beside its bar ("*" when its base is low). */
static void col_name(const chart *ch, const ccol *cc, double y)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s", cc->label, cc->low ? " *" : "");
    text_fit(ch->sb, buf, ch->lw - 6, y, ch->lw - 10, FS_SMALL, "end",
             cc->c == 0 ? "font-weight=\"600\"" : NULL);
}

static void desc_text(const chart *ch);

/* The <svg> tag, then its <title> (the table's number and title) and
 * <desc> (every value drawn, in words), which name the chart for screen
 * readers (aria-labelledby). */
static void svg_open(const chart *ch, double height)
{
    sd_strbuf *sb = ch->sb;
    sd__sb_puts(sb, "<svg viewBox=\"0 0 ");
    coord(sb, W);
    sd__sb_putc(sb, ' ');
    coord(sb, height);
    sd__sb_putc(sb, '"');
    att(sb, "width", W);
    att(sb, "height", height);
    sd__sb_printf(sb, " role=\"img\" aria-labelledby=\"%s-t %s-d\" font-size=\"%g\">", ch->id,
                  ch->id, FS);
    sd__sb_printf(sb, "<title id=\"%s-t\">", ch->id);
    sd__sb_printf(sb, ch->fr ? "Graphique %zu. " : "Chart %zu. ", sd_table_number(ch->t0));
    sd__html_text(sb, sd_table_title(ch->t0, ch->lang));
    sd__sb_printf(sb, "</title><desc id=\"%s-d\">", ch->id);
    desc_text(ch);
    sd__sb_puts(sb, "</desc>");
}

/* ------------------------------------------------------------ bars */

#define BAR_H 13.0
#define BAR_STEP 17.0
#define LINE_H 15.0
#define GROUP_GAP 11.0

static double bars_height(const chart *ch, double width)
{
    double h = 6;
    for (size_t k = 0; k < ch->nrows; k++) {
        char lab[1024];
        const char *l = row_label(ch, ch->rows[k]);
        if (ch->kind == CH_RANKED)
            snprintf(lab, sizeof lab, "%zu. %s", k + 1, l);
        else
            snprintf(lab, sizeof lab, "%s", l);
        h += (double)count_lines(lab, width, FS) * LINE_H + 3;
        h += (double)ch->ncols * BAR_STEP + GROUP_GAP;
    }
    return h + 16;
}

static void draw_bars(chart *ch)
{
    sd_strbuf *sb = ch->sb;
    sd_figure f = est_fig(ch);
    double x0 = ch->lw, x1 = W - 52;
    /* The scale: zero and every value and interval end, nicely rounded. */
    double lo = 0, hi = 0;
    for (size_t k = 0; k < ch->nrows; k++)
        for (size_t j = 0; j < ch->ncols; j++) {
            const ccol *cc = &ch->cols[j];
            size_t i = ch->rows[k];
            double v[3] = {sd_table_cell(cc->t, i, cc->c, f),
                           sd_table_cell(cc->t, i, cc->c, SD_FIG_CI_LOW),
                           sd_table_cell(cc->t, i, cc->c, SD_FIG_CI_HIGH)};
            for (int m = 0; m < 3; m++)
                if (isfinite(v[m])) {
                    lo = v[m] < lo ? v[m] : lo;
                    hi = v[m] > hi ? v[m] : hi;
                }
        }
    if (ch->kind != CH_MEANS) {
        lo = 0;
        hi = hi > 1 ? 1 : hi;
    }
    if (!(hi > lo))
        hi = lo + (ch->kind == CH_MEANS ? 1 : 0.1);
    double step = nice_step(hi - lo, 5);
    lo = floor(lo / step + 1e-9) * step;
    hi = ceil(hi / step - 1e-9) * step;
    if (ch->kind != CH_MEANS && hi > 1)
        hi = 1;
#define XOF(v) (x0 + (x1 - x0) * ((v) - lo) / (hi - lo))
    double label_w = (W - 8) / 1.1; /* bold labels are wider */
    double height = bars_height(ch, label_w);
    double y = 6;
    svg_open(ch, height);
    double ygrid_top = y, ygrid_bot = height - 18;
    axis_ticks(ch, lo, hi, step, x0, x1, ygrid_top, ygrid_bot, false);
    if (lo < 0) {
        sd__sb_puts(sb, "<line stroke=\"#333\"");
        att(sb, "x1", XOF(0));
        att(sb, "x2", XOF(0));
        att(sb, "y1", ygrid_top);
        att(sb, "y2", ygrid_bot);
        sd__sb_puts(sb, "/>");
    }
    for (size_t k = 0; k < ch->nrows; k++) {
        size_t i = ch->rows[k];
        char lab[1024];
        const char *l = row_label(ch, i);
        if (ch->kind == CH_RANKED)
            snprintf(lab, sizeof lab, "%zu. %s", k + 1, l);
        else
            snprintf(lab, sizeof lab, "%s", l);
        sd__sb_puts(sb, "<g class=\"grp\">");
        size_t nl = text_lines(sb, lab, 4, y + 11, label_w, FS, LINE_H,
                               "font-weight=\"600\" fill=\"#1a1a1a\"");
        y += (double)(nl ? nl : 1) * LINE_H + 3;
        for (size_t j = 0; j < ch->ncols; j++) {
            const ccol *cc = &ch->cols[j];
            double v = sd_table_cell(cc->t, i, cc->c, f);
            double cl = sd_table_cell(cc->t, i, cc->c, SD_FIG_CI_LOW);
            double chh = sd_table_cell(cc->t, i, cc->c, SD_FIG_CI_HIGH);
            sd__sb_puts(sb, "<g><title>");
            cell_sentence(sb, ch, cc, i);
            sd__sb_puts(sb, "</title>");
            col_name(ch, cc, y + 10);
            double end = x0;
            if (isfinite(v)) {
                double a = XOF(v < 0 ? v : 0), b = XOF(v < 0 ? 0 : v);
                rect(sb, a, y, b - a, BAR_H, cc->fill, cc->low);
                end = XOF(v > 0 ? v : 0);
                if (isfinite(cl) && isfinite(chh) && chh > cl) {
                    whisker(sb, XOF(cl), XOF(chh), y + BAR_H / 2, 4);
                    end = XOF(chh) > end ? XOF(chh) : end;
                }
            }
            char vt[SD_HTMLNUM];
            value_text(vt, ch, v, ch->dec);
            sd__sb_puts(sb, "<text");
            att(sb, "x", (end > x1 ? x1 : end) + 4);
            att(sb, "y", y + 10);
            att(sb, "font-size", FS_SMALL);
            sd__sb_putc(sb, '>');
            sd__sb_puts(sb, vt);
            sd__sb_puts(sb, "</text></g>");
            y += BAR_STEP;
        }
        sd__sb_puts(sb, "</g>");
        y += GROUP_GAP;
    }
#undef XOF
}

/* ------------------------------------------------------------ diverging */

#define DBAR_H 18.0
#define DBAR_STEP 25.0

/* The colour a fraction t of the way from a to b, and whether white text
 * reads on it (its relative luminance, sRGB, under 0.25). */
static bool mix(char *out, size_t n, const unsigned a[3], const unsigned b[3], double t)
{
    unsigned c[3];
    double y = 0;
    static const double wt[3] = {0.2126, 0.7152, 0.0722};
    for (int k = 0; k < 3; k++) {
        c[k] = (unsigned)lround((double)a[k] + ((double)b[k] - (double)a[k]) * t);
        y += wt[k] * pow(c[k] / 255.0, 2.2);
    }
    snprintf(out, n, "#%02x%02x%02x", c[0], c[1], c[2]);
    return y < 0.25;
}

/* Colour of the scale's answer k of n: blues darkening away from the
 * middle on the left, oranges on the right, a light grey in the middle.
 * Their lightness differs between neighbours and between the two sides
 * (left 21 and 68, middle 89, right 75 and 39 in CIE L* for five answers),
 * so the bars read in grey too; *dark when white text reads on it. */
static void scale_colour(char *out, size_t len, size_t k, size_t n, bool odd, bool *dark)
{
    static const unsigned bl_dark[3] = {0x08, 0x30, 0x6b}, bl_light[3] = {0x6b, 0xae, 0xd6};
    static const unsigned or_light[3] = {0xf9, 0xa6, 0x5a}, or_dark[3] = {0xa6, 0x36, 0x03};
    static const unsigned grey[3] = {0xe0, 0xe0, 0xe0};
    size_t half = n / 2;
    if (odd && k == half) {
        *dark = mix(out, len, grey, grey, 0);
        return;
    }
    if (k < half) {
        double t = half > 1 ? (double)k / (double)(half - 1) : 0;
        *dark = mix(out, len, bl_dark, bl_light, t);
    } else {
        size_t r = k - (odd ? half + 1 : half);
        double t = half > 1 ? (double)r / (double)(half - 1) : 1;
        *dark = mix(out, len, or_light, or_dark, t);
    }
}

static void draw_diverging(chart *ch)
{
    sd_strbuf *sb = ch->sb;
    size_t n = ch->nrows;
    bool odd = n % 2 == 1;
    size_t half = n / 2;
    double x0 = ch->lw + 6, x1 = W - 16;
    /* Left and right extents: the answers before the middle, half the
     * middle, the answers after it. */
    double lmax = 0, rmax = 0;
    for (size_t j = 0; j < ch->ncols; j++) {
        const ccol *cc = &ch->cols[j];
        double l = 0, r = 0;
        for (size_t k = 0; k < n; k++) {
            double v = sd_table_cell(cc->t, ch->rows[k], cc->c, SD_FIG_PCT);
            if (!isfinite(v))
                continue;
            if (k < half)
                l += v;
            else if (odd && k == half) {
                l += v / 2;
                r += v / 2;
            } else
                r += v;
        }
        lmax = l > lmax ? l : lmax;
        rmax = r > rmax ? r : rmax;
    }
    double step = nice_step(lmax + rmax, 6);
    double lo = -ceil(lmax / step - 1e-9) * step, hi = ceil(rmax / step - 1e-9) * step;
    if (lo == 0)
        lo = -step;
    if (hi == 0)
        hi = step;
#define XOF(v) (x0 + (x1 - x0) * ((v) - lo) / (hi - lo))
    /* The legend: a swatch and each answer, flowing over lines. */
    double lx = 4, ly = 6;
    double legend_lines = 1;
    for (size_t k = 0; k < n; k++) {
        double w = 14 + tw(row_label(ch, ch->rows[k]), FS_SMALL) + 12;
        if (lx + w > W - 4 && lx > 4) {
            lx = 4;
            legend_lines++;
        }
        lx += w;
    }
    double ybars = 6 + legend_lines * 16 + 8;
    double height = ybars + (double)ch->ncols * DBAR_STEP + 22;
    svg_open(ch, height);
    sd__sb_puts(sb, "<g class=\"legend\">");
    lx = 4;
    ly = 6;
    for (size_t k = 0; k < n; k++) {
        const char *l = row_label(ch, ch->rows[k]);
        double w = 14 + tw(l, FS_SMALL) + 12;
        if (lx + w > W - 4 && lx > 4) {
            lx = 4;
            ly += 16;
        }
        char col[8];
        bool dark;
        scale_colour(col, sizeof col, k, n, odd, &dark);
        rect(sb, lx, ly + 1, 10, 10, col, false);
        text_fit(sb, l, lx + 14, ly + 10, W - 4 - lx - 14, FS_SMALL, NULL, NULL);
        lx += w;
    }
    sd__sb_puts(sb, "</g>");
    double ytop = ybars - 4, ybot = ybars + (double)ch->ncols * DBAR_STEP - 4;
    axis_ticks(ch, lo, hi, step, x0, x1, ytop, ybot, true);
    /* the middle, under the bars: seen between them */
    sd__sb_puts(sb, "<line stroke=\"#222\" stroke-width=\"1.5\"");
    att(sb, "x1", XOF(0));
    att(sb, "x2", XOF(0));
    att(sb, "y1", ytop - 2);
    att(sb, "y2", ybot);
    sd__sb_puts(sb, "/>");
    double y = ybars;
    for (size_t j = 0; j < ch->ncols; j++) {
        const ccol *cc = &ch->cols[j];
        sd__sb_puts(sb, "<g>");
        col_name(ch, cc, y + 13);
        /* left of the middle: from the middle outwards */
        double left = 0;
        for (size_t k = 0; k < half; k++) {
            double v = sd_table_cell(cc->t, ch->rows[k], cc->c, SD_FIG_PCT);
            left += isfinite(v) ? v : 0;
        }
        if (odd) {
            double v = sd_table_cell(cc->t, ch->rows[half], cc->c, SD_FIG_PCT);
            left += isfinite(v) ? v / 2 : 0;
        }
        double at = -left;
        for (size_t k = 0; k < n; k++) {
            double v = sd_table_cell(cc->t, ch->rows[k], cc->c, SD_FIG_PCT);
            if (!isfinite(v) || v <= 0)
                continue;
            char col[8];
            bool dark;
            scale_colour(col, sizeof col, k, n, odd, &dark);
            double a = XOF(at), b = XOF(at + v);
            sd__sb_puts(sb, "<g><title>");
            sd__html_text(sb, row_label(ch, ch->rows[k]));
            sd__sb_puts(sb, ", ");
            cell_sentence(sb, ch, cc, ch->rows[k]);
            sd__sb_puts(sb, "</title>");
            rect(sb, a, y, b - a, DBAR_H, col, cc->low);
            /* a white line between answers: neighbours never merge */
            sd__sb_puts(sb, "<path stroke=\"#fff\" stroke-width=\"1\" d=\"M");
            coord(sb, b);
            sd__sb_putc(sb, ' ');
            coord(sb, y);
            sd__sb_puts(sb, "v");
            coord(sb, DBAR_H);
            sd__sb_puts(sb, "\"/>");
            char vt[SD_HTMLNUM];
            sd__html_pct(vt, v, 0, ch->lang);
            if (b - a >= tw(vt, 10) + 4) {
                sd__sb_puts(sb, "<text");
                att(sb, "x", (a + b) / 2);
                att(sb, "y", y + 12.5);
                att(sb, "font-size", 10);
                sd__sb_printf(sb, " text-anchor=\"middle\" fill=\"%s\">",
                              dark && !cc->low ? "#fff" : "#111");
                sd__sb_puts(sb, vt);
                sd__sb_puts(sb, "</text>");
            }
            sd__sb_puts(sb, "</g>");
            at += v;
        }
        sd__sb_puts(sb, "</g>");
        y += DBAR_STEP;
    }
#undef XOF
}

/* ------------------------------------------------------------ captions */

static void desc_text(const chart *ch)
{
    sd_strbuf *sb = ch->sb;
    bool fr = ch->fr;
    switch (ch->kind) {
    case CH_GROUPED:
        sd__sb_puts(sb, fr ? "Barres groupées : pourcentage de chaque réponse par colonne"
                           : "Grouped bars: the percentage of each answer by column");
        break;
    case CH_RANKED:
        sd__sb_puts(sb, fr ? "Barres classées : items rangés par leur pourcentage dans l'ensemble"
                           : "Ranked bars: items in the order of their Total percentage");
        break;
    case CH_DIVERGING:
        sd__sb_puts(sb, fr ? "Barres empilées divergentes : les réponses de l'échelle dans "
                             "l'ordre, centrées sur le milieu de l'échelle, une barre par colonne"
                           : "Diverging stacked bars: the scale's answers in order, centred on "
                             "the scale's middle, one bar per column");
        break;
    case CH_MEANS:
        sd__sb_puts(sb, fr ? "Barres : moyenne par colonne" : "Bars: the mean by column");
        break;
    }
    sd__sb_puts(sb, ". ");
    for (size_t k = 0; k < ch->nrows; k++) {
        size_t i = ch->rows[k];
        if (k)
            sd__sb_putc(sb, ' ');
        sd__html_text(sb, row_label(ch, i));
        sd__sb_puts(sb, fr ? "\xC2\xA0: " : ": ");
        for (size_t j = 0; j < ch->ncols; j++) {
            if (j)
                sd__sb_puts(sb, fr ? " ; " : "; ");
            cell_sentence(sb, ch, &ch->cols[j], i);
        }
        sd__sb_putc(sb, '.');
    }
}

/* The visible caption: what the chart shows, how to read it, what it
 * leaves out. */
static void caption(const chart *ch)
{
    sd_strbuf *sb = ch->sb;
    bool fr = ch->fr;
    char lev[SD_HTMLNUM];
    sd__people_typeset(lev, 100 * sd_table_level(ch->t0), 0, ch->lang);
    sd__sb_puts(sb, "<figcaption>");
    switch (ch->kind) {
    case CH_GROUPED:
        sd__sb_puts(sb, fr ? "Pourcentage de chaque réponse, par colonne"
                           : "Percentage of each answer, by column");
        break;
    case CH_RANKED:
        sd__sb_puts(sb, fr ? "Items classés par leur pourcentage dans l'ensemble, par colonne"
                           : "Items ranked by their Total percentage, by column");
        break;
    case CH_DIVERGING: {
        size_t n = ch->nrows;
        sd__sb_puts(sb, fr ? "Réponses de l'échelle de gauche à droite, centrées sur "
                           : "The scale's answers from left to right, centred on ");
        if (n % 2) {
            sd__sb_puts(sb, fr ? "«\xC2\xA0" : "\xE2\x80\x9C");
            sd__html_text(sb, row_label(ch, ch->rows[n / 2]));
            sd__sb_puts(sb, fr ? "\xC2\xA0»" : "\xE2\x80\x9D");
        } else
            sd__sb_puts(sb, fr ? "le milieu de l'échelle" : "the scale's middle");
        break;
    }
    case CH_MEANS:
        sd__sb_puts(sb, fr ? "Moyenne par colonne" : "Mean by column");
        break;
    }
    if (ch->ci_any && ch->kind != CH_DIVERGING)
        sd__sb_printf(sb, fr ? " ; trait : intervalle de confiance à %s" SD_NNBSP "%%"
                             : "; line: %s%% confidence interval",
                      lev);
    sd__sb_putc(sb, '.');
    if (ch->kind == CH_DIVERGING) {
        /* the answers left out: user-missing ones shown in the table */
        size_t nr = sd_table_size(ch->t0, SD_ROWS), out = 0;
        for (size_t i = 0; i < nr; i++)
            if (sd_table_cat_type(ch->t0, SD_ROWS, i) == SD_CAT_TYPE_CATEGORY &&
                (sd_table_cat_flags(ch->t0, SD_ROWS, i) & SD_CATF_USER_MISSING)) {
                sd__sb_puts(sb, out ? ", " : (fr ? " Non représentés\xC2\xA0: " : " Not drawn: "));
                sd__html_text(sb, row_label(ch, i));
                out++;
            }
        if (out)
            sd__sb_putc(sb, '.');
    }
    if (ch->low_any) {
        char mb[SD_HTMLNUM];
        sd__people_typeset(mb, sd_table_min_base(ch->t0), 0, ch->lang);
        sd__sb_printf(sb,
                      fr ? " * Base inférieure à %s répondants (barres claires)\xC2\xA0: à lire "
                           "avec prudence."
                         : " * Base under %s respondents (light bars): read with caution.",
                      mb);
    }
    sd__sb_puts(sb, "</figcaption>");
}

/* ------------------------------------------------------------ entry */

static int by_total_desc(const chart *ch, size_t a, size_t b)
{
    double x = sd_table_cell(ch->t0, a, 0, SD_FIG_PCT), y = sd_table_cell(ch->t0, b, 0, SD_FIG_PCT);
    bool nx = !isfinite(x), ny = !isfinite(y);
    if (nx != ny)
        return nx ? 1 : -1;
    if (!nx && x != y)
        return x > y ? -1 : 1;
    return (a > b) - (a < b);
}

static int by_code(const chart *ch, size_t a, size_t b)
{
    double x = sd_table_cat_code(ch->t0, SD_ROWS, a), y = sd_table_cat_code(ch->t0, SD_ROWS, b);
    if (isfinite(x) && isfinite(y) && x != y)
        return x < y ? -1 : 1;
    return (a > b) - (a < b);
}

/* Insertion sort: few rows, and stable. */
static void sort_rows(chart *ch, int (*cmp)(const chart *, size_t, size_t))
{
    for (size_t i = 1; i < ch->nrows; i++) {
        size_t v = ch->rows[i], j = i;
        while (j > 0 && cmp(ch, ch->rows[j - 1], v) > 0) {
            ch->rows[j] = ch->rows[j - 1];
            j--;
        }
        ch->rows[j] = v;
    }
}

static const char *const kind_name[] = {"grouped", "ranked", "diverging", "means"};

bool sd__svg_chart(sd_strbuf *sb, const sd_result *r, size_t from, size_t to, const char *lang,
                   const char *id)
{
    const sd_table *t0 = sd_result_table(r, from);
    if (!t0 || to <= from)
        return false;
    chart ch = {.sb = sb, .r = r, .t0 = t0, .lang = lang, .id = id, .fr = sd__lang_is_fr(lang)};
    ch.kind = choose(t0);
    int dec = sd_result_decimals(r);
    ch.dec = dec >= 0 ? dec : (ch.kind == CH_MEANS ? 2 : 1);
    size_t nr = sd_table_size(t0, SD_ROWS), nc = 0;
    for (size_t ti = from; ti < to; ti++)
        nc += sd_table_size(sd_result_table(r, ti), SD_COLS);
    ch.rows = sd__zalloc(nr ? nr : 1, sizeof *ch.rows);
    ch.cols = sd__zalloc(nc ? nc : 1, sizeof *ch.cols);
    if (!ch.rows || !ch.cols) {
        sd__free(ch.rows);
        sd__free(ch.cols);
        sb->err = sb->err ? sb->err : SD_E_NOMEM;
        return false;
    }
    for (size_t i = 0; i < nr; i++)
        if (drawn_row(&ch, i))
            ch.rows[ch.nrows++] = i;
    if (ch.kind == CH_RANKED)
        sort_rows(&ch, by_total_desc);
    else if (ch.kind == CH_DIVERGING)
        sort_rows(&ch, by_code);
    /* Columns: Total once, then each banner's; empty ones left out. */
    size_t pal = 0;
    for (size_t ti = from; ti < to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        for (size_t c = ti == from ? 0 : 1; c < sd_table_size(t, SD_COLS); c++) {
            if (!(sd_table_base(t, c, SD_BASE_N) > 0))
                continue;
            ccol *cc = &ch.cols[ch.ncols++];
            cc->t = t;
            cc->c = c;
            cc->label = sd_table_cat_label(t, SD_COLS, c, lang);
            if (!cc->label)
                cc->label = "";
            cc->low = (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) != 0;
            cc->fill = c == 0 ? TOTAL_FILL : palette[pal++ % NPAL];
            ch.low_any |= cc->low;
            for (size_t k = 0; k < ch.nrows; k++)
                ch.ci_any |= isfinite(sd_table_cell(t, ch.rows[k], c, SD_FIG_CI_LOW));
        }
    }
    /* More banner columns than colours: one colour for them all (a colour
     * that came round again would suggest a kinship that is not there). */
    if (ch.ncols > NPAL + 1)
        for (size_t j = 1; j < ch.ncols; j++)
            ch.cols[j].fill = palette[0];
    ch.lw = LW_MIN;
    for (size_t j = 0; j < ch.ncols; j++) {
        double w = tw(ch.cols[j].label, FS_SMALL) * (j == 0 ? 1.1 : 1) + (ch.cols[j].low ? 12 : 0) + 12;
        ch.lw = w > ch.lw ? w : ch.lw;
    }
    ch.lw = ch.lw > LW_MAX ? LW_MAX : ch.lw;
    bool drew = ch.nrows > 0 && ch.ncols > 0;
    if (drew) {
        sd__sb_printf(sb, "<figure class=\"chart\" data-kind=\"%s\">", kind_name[ch.kind]);
        if (ch.kind == CH_DIVERGING)
            draw_diverging(&ch);
        else
            draw_bars(&ch);
        sd__sb_puts(sb, "</svg>");
        caption(&ch);
        sd__sb_puts(sb, "</figure>\n");
    }
    sd__free(ch.rows);
    sd__free(ch.cols);
    return drew;
}
