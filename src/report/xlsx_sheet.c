/*
 * xlsx_sheet.c — one sheet of the XLSX workbook (write_xlsx.c): a row
 * variable by its banners side by side (the tables sharing a number, as
 * tab_text.c shows them). From the top: a link back to the contents; the
 * number and title, the variable, the base sentence; the banner headers (a
 * banner's label over its columns, nested levels as rows of merged cells,
 * each column's label, then the measures under it: n, weighted, %, the
 * column's letter); a row per category, percentages as numbers in a
 * percent format and letters in their own cells; the base row (and the
 * missing row when some are missing); notes (low bases, tests, letters,
 * weight); the findings. Panes frozen under the header and right of the
 * row labels; printed landscape, one page wide, the header repeated.
 * Reads the result only through sondage.h.
 */
#include "xlsx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The sub-columns of one banner column. */
enum { S_N = 0, S_W, S_EST, S_LET, S_LO, S_HI, S_PREV, S_CHG, S_P, S_COUNT };

typedef struct xgrp {
    const sd_table *t;
    size_t c;         /* the column in t */
    lxw_col_t col0;   /* its first sheet column */
    int off[S_COUNT]; /* each sub-column's offset from col0, -1 when absent */
    int nsub;
    bool low;
    bool page;        /* a printed page starts at this column (wide tables) */
} xgrp;

typedef struct xblk {
    xctx *x;
    lxw_worksheet *ws;
    size_t from, to;
    const sd_table *t0;
    xgrp *g;
    size_t ng;
    bool weighted, stats, compared, sig, low_any;
    size_t maxd;      /* the deepest banner */
    uint32_t hrows;   /* banner header rows above the measures' row */
    lxw_col_t last;   /* the last sheet column */
    double wstub, wsub[S_COUNT], width;
    size_t nbreaks;   /* printed pages across, less one */
    lxw_col_t page1_last; /* the first printed page's last column */
    double page1_width;
} xblk;

#define STUB_MIN 18.0
#define STUB_MAX 45.0

static lxw_format *F(xblk *b, xf_kind k, bool low)
{
    return sd__xf(b->x, k, low);
}

/* ------------------------------------------------------------- layout */

/* Do columns a and c of a nested banner share their outer category? */
static bool same_levels_(const sd_table *t, size_t a, size_t c)
{
    const char *ka = sd_table_col_level_key(t, a, 0), *kc = sd_table_col_level_key(t, c, 0);
    return ka && kc && !strcmp(ka, kc);
}

static sd_status layout(xblk *b, sd_error *err)
{
    xctx *x = b->x;
    const sd_result *r = x->r;
    b->t0 = sd_result_table(r, b->from);
    b->weighted = sd__result_any_weight(r);
    b->compared = sd_result_compared(r) != NULL;
    b->stats = sd_table_shows(b->t0, SD_SHOW_STATS);
    size_t ng = 0, nr = sd_table_size(b->t0, SD_ROWS);
    bool total_letters = false;
    for (size_t ti = b->from; ti < b->to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t nc = sd_table_size(t, SD_COLS), d = sd_table_col_depth(t);
        ng += ti == b->from ? nc : nc - 1;
        b->maxd = d > b->maxd ? d : b->maxd;
        if (!sd_table_shows(t, SD_SHOW_TESTS))
            continue;
        for (size_t c = 1; c < nc; c++)
            b->sig |= *sd_table_col_letter(t, c) != '\0';
        for (size_t i = 0; i < nr; i++)
            total_letters |= *sd_table_cell_letters(t, i, 0) != '\0';
    }
    b->hrows = b->maxd ? (uint32_t)(2 * b->maxd) : 1;
    if (!(b->g = sd__zalloc(ng, sizeof *b->g)))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    /* Widths: the letters as wide as the longest, the estimate as its format. */
    size_t lw = 3;
    size_t col = 1, gi = 0;
    for (size_t ti = b->from; ti < b->to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t nc = sd_table_size(t, SD_COLS);
        for (size_t c = ti == b->from ? 0 : 1; c < nc; c++, gi++) {
            xgrp *g = &b->g[gi];
            g->t = t;
            g->c = c;
            g->low = (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) != 0;
            b->low_any |= g->low;
            for (int s = 0; s < S_COUNT; s++)
                g->off[s] = -1;
            int k = 0;
            g->off[S_N] = k++;
            if (b->weighted)
                g->off[S_W] = k++;
            g->off[S_EST] = k++;
            if (b->sig && (c > 0 || total_letters))
                g->off[S_LET] = k++;
            if (b->stats) {
                g->off[S_LO] = k++;
                g->off[S_HI] = k++;
            }
            if (b->compared) {
                g->off[S_PREV] = k++;
                g->off[S_CHG] = k++;
                g->off[S_P] = k++;
            }
            g->nsub = k;
            if (col + (size_t)k > LXW_COL_MAX)
                return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, sd_table_row_var(b->t0),
                                "table %zu needs more than the %d columns a worksheet holds",
                                sd_table_number(b->t0), LXW_COL_MAX);
            g->col0 = (lxw_col_t)col;
            col += (size_t)k;
            if (g->off[S_LET] >= 0)
                for (size_t i = 0; i < nr; i++) {
                    size_t len = strlen(sd_table_cell_letters(t, i, c));
                    lw = len > lw ? len : lw;
                }
        }
    }
    b->ng = ng;
    b->last = (lxw_col_t)(col - 1);
    if (nr > LXW_ROW_MAX - 1000)
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, sd_table_row_var(b->t0),
                        "table %zu has more rows than a worksheet holds",
                        sd_table_number(b->t0));
    int dp = x->dec_pct, dm = x->dec_mean;
    int dest = dp + 6 > dm + 6 ? dp + 6 : dm + 6;
    b->wsub[S_N] = 7;
    b->wsub[S_W] = 9;
    b->wsub[S_EST] = dest < 7 ? 7 : dest;
    b->wsub[S_LET] = (double)(lw > 12 ? 12 : lw) + 1.5;
    b->wsub[S_LO] = b->wsub[S_HI] = b->wsub[S_EST];
    b->wsub[S_PREV] = b->wsub[S_EST];
    b->wsub[S_CHG] = b->wsub[S_EST] + 1;
    b->wsub[S_P] = 7;
    /* The row labels' column: the longest label, within bounds. */
    double w = (double)sd__utf8_width(x->fr ? "Manquants (exclus)" : "Missing (excluded)");
    for (size_t i = 0; i < nr; i++) {
        double lwi = (double)sd__utf8_width(sd_table_cat_label(b->t0, SD_ROWS, i, x->lang));
        w = lwi > w ? lwi : w;
    }
    w = w / 1.1 + 2;
    b->wstub = w < STUB_MIN ? STUB_MIN : (w > STUB_MAX ? STUB_MAX : w);
    b->width = b->wstub;
    for (size_t i = 0; i < ng; i++)
        for (int s = 0; s < S_COUNT; s++)
            if (b->g[i].off[s] >= 0)
                b->width += b->wsub[s];
    return SD_OK;
}

static double group_width(const xblk *b, const xgrp *g)
{
    double w = 0;
    for (int s = 0; s < S_COUNT; s++)
        if (g->off[s] >= 0)
            w += b->wsub[s];
    return w;
}

/* Width units a Letter or A4 page holds in landscape at 100 % (measured on
 * LibreOffice with Carlito, Calibri's metrics; Letter, the narrower); the
 * smallest scale a table is fitted to one page wide at; the scale of a
 * table too wide for that, printed on several pages across. */
#define PAGE_UNITS 120.0
#define FIT_MIN_SCALE 55
#define SPLIT_SCALE 65

/* Where printed pages start when the table is too wide for one page at
 * FIT_MIN_SCALE (each page then holds what fits at SPLIT_SCALE): before
 * the column that would overflow, preferring the start of a banner or of
 * a nested banner's outer category when that still fills half the page.
 * At most 1000 breaks (Excel's limit is 1023). */
static void plan_pages(xblk *b)
{
    double cap = PAGE_UNITS * 100 / SPLIT_SCALE;
    b->page1_last = b->last;
    b->page1_width = b->width;
    if (b->width <= PAGE_UNITS * 100 / FIT_MIN_SCALE)
        return;
    double acc = b->wstub;
    size_t start = 0; /* the first group on this page */
    for (size_t i = 0; i < b->ng && b->nbreaks < 1000; i++) {
        double gw = group_width(b, &b->g[i]);
        if (acc + gw > cap && i > start) {
            /* The latest outer boundary in the second half of the page. */
            size_t at = i;
            double w = acc;
            for (size_t j = i; j > start + 1; j--) {
                w -= group_width(b, &b->g[j - 1]);
                if (w < cap / 2)
                    break;
                const xgrp *g = &b->g[j - 1];
                if (g->c == 1 || (sd_table_col_depth(g->t) > 1 &&
                                  !same_levels_(g->t, g->c - 1, g->c))) {
                    at = j - 1;
                    break;
                }
            }
            b->g[at].page = true;
            if (!b->nbreaks++) {
                b->page1_last = (lxw_col_t)(b->g[at].col0 - 1);
                b->page1_width = b->wstub;
                for (size_t j = start; j < at; j++)
                    b->page1_width += group_width(b, &b->g[j]);
            }
            start = at;
            acc = b->wstub;
            for (size_t j = at; j < i; j++)
                acc += group_width(b, &b->g[j]);
        }
        acc += gw;
    }
}

/* ------------------------------------------------------------- header */

/* Do columns a and b of t agree on the nested levels [0, upto)? */
static bool same_levels(const sd_table *t, size_t a, size_t c, size_t upto)
{
    for (size_t l = 0; l < upto; l++) {
        const char *ka = sd_table_col_level_key(t, a, l), *kc = sd_table_col_level_key(t, c, l);
        if (!ka || !kc || strcmp(ka, kc))
            return false;
    }
    return true;
}

/* One header cell over the groups [g1, g2], rows r1..r2; a one-row cell's
 * lines raise that row's height. */
static void head_cell(xblk *b, uint32_t r1, uint32_t r2, size_t g1, size_t g2, const char *s,
                      lxw_format *f, unsigned *lines, uint32_t row0)
{
    /* Split where a printed page starts, the text again on each page. */
    for (size_t p = g1; p <= g2;) {
        size_t q = p;
        while (q < g2 && !b->g[q + 1].page)
            q++;
        const xgrp *a = &b->g[p], *z = &b->g[q];
        double w = 0;
        for (size_t i = p; i <= q; i++)
            w += group_width(b, &b->g[i]);
        sd__x_span(b->x, b->ws, r1, a->col0, r2, (lxw_col_t)(z->col0 + z->nsub - 1), s, f,
                   false);
        if (r1 == r2) {
            unsigned n = sd__x_lines(s, w, 12); /* bold */
            if (n > lines[r1 - row0])
                lines[r1 - row0] = n;
        }
        p = q + 1;
    }
}

static const char *pct_head(const sd_table *t, bool fr)
{
    const char *of = sd_table_pct_of(t);
    if (sd_table_kind_of(t) == SD_TABLE_SUMMARY)
        return fr ? "moyenne" : "mean";
    if (!strcmp(of, "row"))
        return fr ? "% ligne" : "row %";
    if (!strcmp(of, "total"))
        return fr ? "% total" : "total %";
    return "%";
}

static void header(xblk *b, uint32_t row0)
{
    xctx *x = b->x;
    const char *lang = x->lang;
    bool fr = x->fr;
    uint32_t hr = b->hrows, meas = row0 + hr;
    unsigned lines[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    sd__x_span(x, b->ws, row0, 0, meas, 0, "", F(b, XF_HEAD_STUB, false), false);
    size_t gi = 0;
    for (size_t ti = b->from; ti < b->to; ti++) {
        const sd_table *t = sd_result_table(x->r, ti);
        size_t nc = sd_table_size(t, SD_COLS), d = sd_table_col_depth(t);
        if (ti == b->from) { /* Total */
            const char *s = sd_table_cat_label(t, SD_COLS, 0, lang);
            if (b->g[gi].low) {
                sd__x_reset(&x->line);
                sd__sb_printf(&x->line, "%s *", s ? s : "");
                s = sd__sb_str(&x->line);
            }
            head_cell(b, row0, row0 + hr - 1, gi, gi, s, F(b, XF_HEAD, b->g[gi].low), lines,
                      row0);
            gi++;
        }
        if (nc < 2)
            continue;
        size_t g0 = gi; /* the group of column 1 */
        for (size_t l = 0; l < d; l++) {
            uint32_t rv = row0 + (uint32_t)(2 * l);
            /* The level's variable over each run of its parent's value. */
            for (size_t c = 1; c < nc;) {
                size_t e = c;
                while (e + 1 < nc && same_levels(t, c, e + 1, l))
                    e++;
                const char *s = d > 1 ? sd_table_col_level_var_label(t, l, lang)
                                      : sd_table_col_label(t, lang);
                if (!s || !*s)
                    s = sd_table_col_level_var(t, l);
                head_cell(b, rv, rv, g0 + c - 1, g0 + e - 1, s, F(b, XF_HEAD, false), lines,
                          row0);
                c = e + 1;
            }
            /* Its values; the last level's down to the measures' row. */
            bool lastl = l + 1 == d;
            uint32_t r2 = lastl ? row0 + hr - 1 : rv + 1;
            for (size_t c = 1; c < nc;) {
                size_t e = c;
                while (!lastl && e + 1 < nc && same_levels(t, c, e + 1, l + 1))
                    e++;
                const char *s = d > 1 ? sd_table_col_level_label(t, c, l, lang)
                                      : sd_table_cat_label(t, SD_COLS, c, lang);
                bool low = lastl && b->g[g0 + c - 1].low;
                const char *text = s;
                if (low) {
                    sd__x_reset(&x->line);
                    sd__sb_printf(&x->line, "%s *", s ? s : "");
                    text = sd__sb_str(&x->line);
                }
                head_cell(b, rv + 1, r2, g0 + c - 1, g0 + e - 1, text, F(b, XF_HEAD, low),
                          lines, row0);
                c = e + 1;
            }
        }
        gi += nc - 1;
    }
    /* The measures under each column. */
    char ci[48], lv[SD_NUMBUF];
    for (size_t i = 0; i < b->ng; i++) {
        const xgrp *g = &b->g[i];
        lxw_format *f = F(b, XF_HEAD_SUB, g->low);
        const int *o = g->off;
        sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_N]), "n", f);
        if (o[S_W] >= 0)
            sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_W]), fr ? "pondéré" : "weighted",
                      f);
        sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_EST]), pct_head(g->t, fr), f);
        if (o[S_LET] >= 0) {
            const char *l = sd_table_col_letter(g->t, g->c);
            char let[16] = "";
            if (*l)
                snprintf(let, sizeof let, "(%.8s)", l);
            sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_LET]), let, f);
        }
        if (o[S_LO] >= 0) {
            double lev = 100 * sd_table_level(g->t);
            sd__people_num(lv, lev, fabs(lev - round(lev)) < 1e-9 ? 0 : 1, x->lang);
            snprintf(ci, sizeof ci, fr ? "IC %s %%" : "%s%% CI", lv);
            sd__x_span(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_LO]), meas,
                       (lxw_col_t)(g->col0 + o[S_HI]), ci, f, false);
        }
        if (o[S_PREV] >= 0) {
            sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_PREV]), fr ? "avant" : "before",
                      f);
            sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_CHG]), fr ? "écart" : "change",
                      f);
            sd__x_str(x, b->ws, meas, (lxw_col_t)(g->col0 + o[S_P]), "p", f);
        }
    }
    for (uint32_t i = 0; i < hr && i < 8; i++)
        if (lines[i] > 1)
            sd__x_check(x, worksheet_set_row(b->ws, row0 + i, sd__x_height(lines[i], 11), NULL));
}

/* --------------------------------------------------------------- body */

static void body_row(xblk *b, uint32_t row, size_t i)
{
    xctx *x = b->x;
    const sd_table *t0 = b->t0;
    sd_cat_type ty = sd_table_cat_type(t0, SD_ROWS, i);
    bool summary = ty == SD_CAT_TYPE_SUMMARY;
    xf_kind sk = ty == SD_CAT_TYPE_NET || summary ? XF_STUB_NET
                 : sd_table_cat_flags(t0, SD_ROWS, i) & SD_CATF_USER_MISSING ? XF_STUB_MISS
                                                                              : XF_STUB;
    const char *label = sd_table_cat_label(t0, SD_ROWS, i, x->lang);
    unsigned lines = sd__x_lines(label, b->wstub, 11);
    if (lines > 1)
        sd__x_check(x, worksheet_set_row(b->ws, row, sd__x_height(lines, 11), NULL));
    sd__x_str(x, b->ws, row, 0, label, F(b, sk, false));
    sd_figure fe = summary ? SD_FIG_MEAN : SD_FIG_PCT;
    xf_kind ke = summary ? XF_MEAN : XF_PCT, kc = summary ? XF_CHG_MEAN : XF_CHG_PCT;
    for (size_t gi = 0; gi < b->ng; gi++) {
        const xgrp *g = &b->g[gi];
        const int *o = g->off;
        const sd_table *t = g->t;
        size_t c = g->c;
        bool low = g->low;
        lxw_col_t c0 = g->col0;
        sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_N]), sd_table_cell(t, i, c, SD_FIG_N),
                  F(b, XF_N, low));
        if (o[S_W] >= 0 && !summary)
            sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_W]),
                      sd_table_cell(t, i, c, SD_FIG_COUNT), F(b, XF_W, low));
        sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_EST]), sd_table_cell(t, i, c, fe),
                  F(b, ke, low));
        if (o[S_LET] >= 0) {
            const char *l = sd_table_cell_letters(t, i, c);
            if (*l)
                sd__x_str(x, b->ws, row, (lxw_col_t)(c0 + o[S_LET]), l, F(b, XF_LETTERS, low));
        }
        if (o[S_LO] >= 0) {
            sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_LO]),
                      sd_table_cell(t, i, c, SD_FIG_CI_LOW), F(b, ke, low));
            sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_HI]),
                      sd_table_cell(t, i, c, SD_FIG_CI_HIGH), F(b, ke, low));
        }
        if (o[S_PREV] >= 0) {
            sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_PREV]),
                      sd_table_cell(t, i, c, SD_FIG_PREV), F(b, ke, low));
            sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_CHG]),
                      sd_table_cell(t, i, c, SD_FIG_CHANGE), F(b, kc, low));
            sd__x_num(x, b->ws, row, (lxw_col_t)(c0 + o[S_P]),
                      sd_table_cell(t, i, c, SD_FIG_CHANGE_P), F(b, XF_P, low));
        }
    }
}

/* The base row (every sub-column ruled) or the missing row. */
static void base_row(xblk *b, uint32_t row, bool missing)
{
    xctx *x = b->x;
    bool fr = x->fr;
    sd__x_str(x, b->ws, row, 0,
              missing ? (fr ? "Manquants (exclus)" : "Missing (excluded)") : "Base",
              F(b, missing ? XF_STUB_MISS : XF_BASE_STUB, false));
    for (size_t gi = 0; gi < b->ng; gi++) {
        const xgrp *g = &b->g[gi];
        for (int s = 0; s < S_COUNT; s++) {
            if (g->off[s] < 0)
                continue;
            lxw_col_t col = (lxw_col_t)(g->col0 + g->off[s]);
            if (s == S_N)
                sd__x_num(x, b->ws, row, col,
                          sd_table_base(g->t, g->c, missing ? SD_BASE_MISSING_N : SD_BASE_N),
                          F(b, missing ? XF_MISS_N : XF_BASE_N, g->low));
            else if (s == S_W)
                sd__x_num(x, b->ws, row, col,
                          sd_table_base(g->t, g->c,
                                        missing ? SD_BASE_MISSING_COUNT : SD_BASE_COUNT),
                          F(b, missing ? XF_MISS_W : XF_BASE_W, g->low));
            else if (!missing)
                sd__x_check(x, worksheet_write_blank(b->ws, row, col,
                                                     F(b, XF_BASE_BLANK, g->low)));
        }
    }
}

/* -------------------------------------------------------------- notes */

/* A sentence over the table, wrapped across its width (a table printed on
 * several pages across: the first page's width; the later pages, which
 * repeat column A, show the sentence's start there). */
static void btext(xblk *b, uint32_t row, const char *s, xf_kind k, double pt)
{
    sd__x_text_row(b->x, b->ws, row, b->page1_last, b->page1_width, s, F(b, k, false), pt,
                   false);
}

static void note(xblk *b, uint32_t *row, const char *s)
{
    btext(b, (*row)++, s, XF_NOTE, 9);
}

static void notes(xblk *b, uint32_t *row)
{
    xctx *x = b->x;
    const sd_result *r = x->r;
    const char *lang = x->lang;
    bool fr = x->fr;
    sd_strbuf *sb = &x->line;
    char a[SD_NUMBUF], bb[SD_NUMBUF];
    if (b->low_any) {
        sd__people_num(a, sd_table_min_base(b->t0), 0, lang);
        sd__x_reset(sb);
        sd__sb_printf(sb,
                      fr ? "* base inférieure à %s répondants : à lire avec prudence, sans test"
                         : "* base under %s respondents: read with caution; not tested",
                      a);
        note(b, row, sd__sb_str(sb));
    }
    for (size_t ti = b->from; ti < b->to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        double bm = sd_table_banner_missing(t, 0);
        if (!(bm > 0))
            continue;
        sd__people_num(a, bm, 0, lang);
        sd__x_reset(sb);
        sd__sb_printf(sb, fr ? "%s répondants sans valeur pour " : "%s respondents with no value of ",
                      a);
        sd__sb_puts(sb, sd_table_col_var(t));
        sd__sb_puts(sb, fr ? " : comptés dans l'ensemble seulement" : ": counted in Total only");
        note(b, row, sd__sb_str(sb));
    }
    for (size_t ti = b->from; ti < b->to; ti++) {
        const sd_table *t = sd_result_table(r, ti);
        sd_test_info q;
        if (!sd_table_shows(t, SD_SHOW_TESTS) || !sd_table_test(t, &q))
            continue;
        sd__x_reset(sb);
        sd__test_sentence(sb, t, &q, lang, false);
        note(b, row, sd__sb_str(sb));
    }
    if (b->sig) {
        double alpha, alpha2;
        const char *method = sd_result_letters_method(r, &alpha, &alpha2);
        sd__people_num(a, alpha, 3, lang);
        sd__people_num(bb, alpha2, 3, lang);
        sd__x_reset(sb);
        sd__sb_puts(sb, fr ? "Lettres : valeur de la colonne supérieure à celle de la colonne "
                             "indiquée"
                           : "Letters: the column's value is higher than the lettered column's");
        if (method && strcmp(method, "spss") == 0)
            sd__sb_puts(sb, fr ? ", test z de SPSS" : ", SPSS z test");
        if (alpha2 > alpha)
            sd__sb_printf(sb, fr ? ", majuscule p < %s, minuscule p < %s"
                                 : ", upper case p < %s, lower case p < %s",
                          a, bb);
        else
            sd__sb_printf(sb, ", p < %s", a);
        note(b, row, sd__sb_str(sb));
    }
    if (b->compared) {
        sd__x_reset(sb);
        sd__sb_puts(sb, fr ? "Avant : estimation de " : "Before: the estimate in ");
        sd__sb_puts(sb, sd_result_compared(r));
        sd__sb_puts(sb, fr ? " ; écart : différence en points ; p : test de l'écart"
                           : "; change: the difference in points; p: the change's test");
        note(b, row, sd__sb_str(sb));
    }
    if (sd_table_weight(b->t0)) {
        sd__x_reset(sb);
        sd__sb_puts(sb, fr ? "Pondération : " : "Weight: ");
        sd__sb_puts(sb, sd_table_weight(b->t0));
        sd__sb_puts(sb, fr ? " (n : effectifs non pondérés)" : " (n: unweighted counts)");
        note(b, row, sd__sb_str(sb));
    }
    if (sd_table_weighting(b->t0, SD_WPART_METHOD)) {
        /* The weighting step and what it cost: the line after "Weight". */
        sd__x_reset(sb);
        sd__weight_text(sb, r, b->t0, lang);
        char *l = strchr(sb->s, '\n');
        if (l && l[1]) {
            char *e = strchr(l + 1, '\n');
            if (e)
                *e = '\0';
            note(b, row, l + 1);
        }
    }
    sd__x_reset(sb);
    sd__excluded_text(sb, r, lang);
    if (sb->len) {
        sb->s[--sb->len] = '\0';
        note(b, row, sd__sb_str(sb));
    }
}

static void findings(xblk *b, uint32_t *row)
{
    const sd_findings *fs = b->x->doc->findings;
    if (!fs)
        return;
    bool head = false;
    for (size_t i = 0; i < fs->n; i++) {
        const sd_finding *f = &fs->v[i];
        if (f->table < b->from || f->table >= b->to || !f->text)
            continue;
        if (!head) {
            (*row)++;
            sd__x_str(b->x, b->ws, (*row)++, 0, b->x->fr ? "Constats" : "Findings",
                      F(b, XF_FIND_HEAD, false));
            head = true;
        }
        sd__x_text_row(b->x, b->ws, (*row)++, b->page1_last, b->page1_width,
                       sd__finding_words(b->x->doc->result, f), F(b, XF_FIND, false), 11,
                       false);
    }
}

/* -------------------------------------------------------------- sheet */

/* One page wide when that keeps the scale at FIT_MIN_SCALE or more; a
 * wider table prints at SPLIT_SCALE on pages that break between banner
 * columns (plan_pages), each page with the row labels again. */
static void print_width(xblk *b)
{
    if (!b->nbreaks) {
        worksheet_fit_to_pages(b->ws, 1, 0);
        return;
    }
    worksheet_set_print_scale(b->ws, SPLIT_SCALE);
    sd__x_check(b->x, worksheet_repeat_columns(b->ws, 0, 0));
    lxw_col_t *brk = sd__zalloc(b->nbreaks + 1, sizeof *brk);
    if (!brk) {
        sd__x_check(b->x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < b->ng; i++)
        if (b->g[i].page)
            brk[n++] = b->g[i].col0;
    brk[n] = 0;
    sd__x_check(b->x, worksheet_set_v_pagebreaks(b->ws, brk));
    sd__free(brk);
}

sd_status sd__xlsx_table_sheet(xctx *x, size_t from, size_t to, const char *name, sd_error *err)
{
    xblk b;
    memset(&b, 0, sizeof b);
    b.x = x;
    b.from = from;
    b.to = to;
    sd_status st = layout(&b, err);
    if (st == SD_OK)
        plan_pages(&b);
    if (st == SD_OK && !(b.ws = workbook_add_worksheet(x->wb, name)))
        st = sd__fail(err, SD_E_INTERNAL, NULL, 0, 0, NULL, "cannot add the sheet '%s'", name);
    if (st != SD_OK) {
        sd__free(b.g);
        return st;
    }
    lxw_worksheet *ws = b.ws;
    const sd_table *t0 = b.t0;
    bool fr = x->fr;
    /* Widths. */
    sd__x_check(x, worksheet_set_column(ws, 0, 0, b.wstub, NULL));
    for (size_t i = 0; i < b.ng; i++)
        for (int s = 0; s < S_COUNT; s++)
            if (b.g[i].off[s] >= 0) {
                lxw_col_t c = (lxw_col_t)(b.g[i].col0 + b.g[i].off[s]);
                sd__x_check(x, worksheet_set_column(ws, c, c, b.wsub[s], NULL));
            }
    /* Title lines. */
    sd__x_link(x, ws, 0, 0, x->contents_name, fr ? "\xE2\x80\xB9 Sommaire" : "\xE2\x80\xB9 Contents",
               F(&b, XF_LINK, false));
    sd_strbuf *sb = &x->line;
    sd__x_reset(sb);
    sd__sb_printf(sb, fr ? "Tableau %zu. " : "Table %zu. ", sd_table_number(t0));
    sd__sb_puts(sb, sd_table_title(t0, x->lang));
    btext(&b, 1, sd__sb_str(sb), XF_TITLE, 13);
    sd__x_reset(sb);
    sd__sb_puts(sb, sd_table_row_var(t0));
    sd_table_kind kind = sd_table_kind_of(t0);
    if (kind == SD_TABLE_DICHOTOMY_SET || kind == SD_TABLE_CATEGORY_SET)
        sd__sb_puts(sb, fr ? " \xE2\x80\x94 réponses multiples : une personne peut être dans "
                             "plusieurs lignes"
                           : " \xE2\x80\x94 multiple response: a respondent can be in several rows");
    btext(&b, 2, sd__sb_str(sb), XF_SUBTLE, 9);
    sd__x_reset(sb);
    sd__base_text(sb, t0, x->lang);
    sd__table_weight_note(sb, x->r, t0, x->lang);
    btext(&b, 3, sd__sb_str(sb), XF_TEXT, 11);
    sd__x_check(x, worksheet_set_row(ws, 4, 6, NULL));
    /* The table. */
    uint32_t row0 = 5, meas = row0 + b.hrows, row = meas + 1;
    header(&b, row0);
    size_t nr = sd_table_size(t0, SD_ROWS);
    for (size_t i = 0; i < nr; i++)
        body_row(&b, row++, i);
    base_row(&b, row++, false);
    bool miss = false;
    for (size_t i = 0; i < b.ng && !miss; i++)
        miss = sd_table_base(b.g[i].t, b.g[i].c, SD_BASE_MISSING_N) > 0;
    if (miss)
        base_row(&b, row++, true);
    row++;
    notes(&b, &row);
    findings(&b, &row);
    /* View and print. */
    worksheet_freeze_panes(ws, meas + 1, 1);
    sd__x_check(x, worksheet_repeat_rows(ws, 1, meas));
    sd__x_check(x, worksheet_print_area(ws, 1, 0, row > 1 ? row - 1 : 1, b.last));
    worksheet_set_landscape(ws);
    print_width(&b);
    if (fr)
        worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    sd__x_check(x, worksheet_set_footer(ws, fr ? "&L&8&A&R&8Page &P sur &N"
                                               : "&L&8&A&R&8Page &P of &N"));
    sd__free(b.g);
    return SD_OK;
}
