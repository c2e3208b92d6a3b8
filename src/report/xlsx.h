/*
 * xlsx.h — what the XLSX writer's two files share (write_xlsx.c: the
 * workbook, its formats and contents sheet; xlsx_sheet.c: one table's
 * sheet): the writing context, the cell formats by kind, and cell writers
 * that clean texts and keep libxlsxwriter's first error.
 */
#ifndef SD_REPORT_XLSX_H
#define SD_REPORT_XLSX_H

#include "doc.h"

#include <xlsxwriter.h>

/* Cell formats, each in a plain and a low-base variant (sd__xf). */
typedef enum xf_kind {
    XF_TITLE = 0,  /* a sheet's title */
    XF_SUBTLE,     /* the variable's name, the back link's row */
    XF_TEXT,       /* a sentence, wrapped (base, notes, intro) */
    XF_NOTE,       /* a note under a table, wrapped, small */
    XF_LINK,       /* an internal hyperlink */
    XF_SECTION,    /* a section heading on the contents sheet */
    XF_HEAD,       /* a banner header cell: centred, wrapped, filled */
    XF_HEAD_STUB,  /* the header cell over the row labels */
    XF_HEAD_SUB,   /* a measure's name under a column ("n", "%", "(A)") */
    XF_STUB,       /* a row label */
    XF_STUB_NET,   /* a net's label */
    XF_STUB_MISS,  /* a user-missing code shown as a category */
    XF_N,          /* unweighted count (first sub-column: left border) */
    XF_W,          /* weighted count */
    XF_PCT,        /* a proportion shown as a percentage */
    XF_MEAN,       /* a summary's value */
    XF_CHG_PCT,    /* a change in a proportion, signed */
    XF_CHG_MEAN,   /* a change in a mean, signed */
    XF_P,          /* a p-value */
    XF_LETTERS,    /* the letters of the columns a cell is above */
    XF_DASH,       /* "-": a figure that cannot be computed */
    XF_BASE_STUB,  /* the "Base" row: label */
    XF_BASE_N,     /* the "Base" row: unweighted base (left border) */
    XF_BASE_W,     /* the "Base" row: weighted base */
    XF_BASE_BLANK, /* the "Base" row: the other sub-columns */
    XF_MISS_N,     /* the missing row: unweighted (left border) */
    XF_MISS_W,
    XF_FIND_HEAD,  /* "Findings" over a table's findings */
    XF_FIND,       /* one finding, wrapped */
    XF_CONTENTS_HEAD, /* the contents sheet's column headers */
    XF_INT,        /* a whole number in a sentence's place (contents: base) */
    XF_COUNT_
} xf_kind;

typedef struct xctx {
    lxw_workbook *wb;
    const sd_rdoc *doc;
    const sd_result *r;
    const char *lang;
    bool fr;
    int dec_pct, dec_mean;
    lxw_format *f[XF_COUNT_][2];
    lxw_error lerr;     /* the first libxlsxwriter error, or LXW_NO_ERROR */
    sd_strbuf scratch;  /* a cleaned text, reused by each cell write */
    sd_strbuf line;     /* a sentence being built */
    const char *contents_name; /* the contents sheet's name, for back links */
} xctx;

/* The format of a kind (low: the low-base variant); created on first use. */
lxw_format *sd__xf(xctx *x, xf_kind kind, bool low);
/* Empty a buffer for reuse. */
void sd__x_reset(sd_strbuf *sb);
/* Keep the first libxlsxwriter error. */
void sd__x_check(xctx *x, lxw_error e);
/* Cell writers: texts have their control characters shown as \xNN (line
 * ends kept where `nl`), are cut to what a cell holds, and NULL is "". */
void sd__x_str(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
               lxw_format *f);
void sd__x_num(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, double v,
               lxw_format *f);
/* A text over rows r1..r2, columns c1..c2 (one cell: no merge). */
void sd__x_span(xctx *x, lxw_worksheet *ws, uint32_t r1, uint16_t c1, uint32_t r2,
                uint16_t c2, const char *s, lxw_format *f, bool nl);
/* An internal link to cell A1 of a sheet, shown as `text`. */
void sd__x_link(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *sheet,
                const char *text, lxw_format *f);
/* Lines a text of `pt` points takes when wrapped in a cell `width` units
 * wide. */
unsigned sd__x_lines(const char *s, double width, double pt);
/* A sentence of `pt` points over columns 0..last (total width `width`),
 * wrapped, its row as tall as its lines. */
void sd__x_text_row(xctx *x, lxw_worksheet *ws, uint32_t row, uint16_t last, double width,
                    const char *s, lxw_format *f, double pt, bool nl);
/* The row height of `lines` lines of `pt`-point text. */
double sd__x_height(unsigned lines, double pt);

/* The sheet of the tables [from, to) (one row variable by its banners),
 * named `name`. */
sd_status sd__xlsx_table_sheet(xctx *x, size_t from, size_t to, const char *name,
                               sd_error *err);
/* The sheet name of table number n ("Tableau 3", "Table 3"). */
void sd__xlsx_sheet_name(const xctx *x, size_t number, char *buf, size_t size);

#endif /* SD_REPORT_XLSX_H */
