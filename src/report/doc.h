/*
 * doc.h — the report layer's document: what every writer for people
 * (text, Markdown, HTML, XLSX, prose) renders. A document is a result (its
 * tables, read through sondage.h) with, for `sondage report`, a title, an
 * introduction, sections of tables with their text, and notes, in every
 * language the report spec gives; and the findings (findings.c) when asked
 * for. `sondage tab --format html` makes a document of the result alone.
 * The findings are made in findings.c and phrased in prose.c (with one
 * table of words per language, prose_fr.c, prose_en.c): docs/findings.md.
 */
#ifndef SD_REPORT_DOC_H
#define SD_REPORT_DOC_H

#include "report.h"

/* A section: a heading and a text, over tables numbered [from, to]
 * (sd_table_number). */
typedef struct sd_rsection {
    sd_labels title, text;
    size_t from, to;
} sd_rsection;

/* One finding: a sentence about one table's figures (docs/findings.md).
 * kind: "gap" (a difference the design-based test supports at alpha2),
 * "no_gap" (two groups compared, no significant difference), "level" (one
 * group's figure), "ranking" (a ranked list). */
typedef enum sd_fkind_rep {
    SD_FIND_GAP = 0,
    SD_FIND_NO_GAP,
    SD_FIND_LEVEL,
    SD_FIND_RANKING
} sd_fkind_rep;

typedef struct sd_finding {
    size_t table;      /* index into the result's tables */
    size_t row;        /* the row the finding is about (rankings: the first) */
    size_t col_a, col_b; /* the columns compared (level: col_b == col_a) */
    sd_fkind_rep kind;
    double p;          /* the test's p-value (gap, no_gap), else NaN (also when
                        * only the column letters said whether it holds) */
    bool change;       /* a change since the compared wave (sd_result_compare)
                        * in column col_a (== col_b), not two groups */
    char lang[9];
    char *text;        /* owned: the whole sentence, the question included */
    char *body;        /* owned: the same without the question's lead-in, for a
                        * list under the table's own heading (the question) */
} sd_finding;

typedef struct sd_findings {
    sd_finding *v;
    size_t n, cap;
} sd_findings;

void sd__findings_free(sd_findings *f);
/* The words of a finding listed under its table: the short form (the
 * table's heading says the question), or the whole sentence when the table
 * is an item of a multiple-response set tabulated alone (its heading is the
 * item, not the question). */
static inline const char *sd__finding_words(const sd_result *r, const sd_finding *f)
{
    const sd_table *t = sd_result_table(r, f->table);
    return t && sd_table_row_set(t, NULL, NULL, NULL) ? f->text : f->body;
}

typedef struct sd_rdoc {
    const sd_result *result;
    sd_labels title, intro, notes;  /* empty for an ad-hoc table request */
    sd_rsection *sections;
    size_t nsections;
    const sd_findings *findings;    /* NULL when not asked for */
} sd_rdoc;

/* Render a document in a format and write it to fp (write_tab.c): the
 * findings are computed here when the format or the result asks. */
sd_status sd__doc_write(const sd_rdoc *doc, sd_outfmt fmt, const char *lang, FILE *fp,
                        sd_error *err);
/* Text and JSON of a document (tab_text.c, tab_json.c). */
sd_status sd__write_doc_text(const sd_rdoc *doc, const char *lang, sd_strbuf *sb);
sd_status sd__write_tab_json(const sd_rdoc *doc, const char *lang, sd_strbuf *sb);

/* Writers of a document (each its own file). XLSX renders the workbook's
 * bytes into `out`. */
sd_status sd__write_xlsx(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err);
sd_status sd__write_html(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err);
sd_status sd__write_md(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err);
sd_status sd__write_prose(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err);
/* The findings of every table of a result, in one language: for every
 * table whose percentages are column percentages, each banner pair of each
 * row (gap or no_gap), a level for a column compared with no other (every
 * row of a table without a banner), a ranking of each column of a
 * multiple-response set, and with a compared wave each cell's change.
 * Appends to `out` (zeroed by the caller or holding earlier findings). */
sd_status sd__findings_compute(const sd_result *r, const char *lang, sd_findings *out,
                               sd_error *err);
/* The same for one table, and one finding at a time (for a report that
 * picks its comparisons): each appends nothing when a figure fails the
 * reliability gate or the pair was not tested. `col_*` index the table's
 * columns (0 is Total). */
sd_status sd__findings_table(const sd_result *r, size_t table, const char *lang,
                             sd_findings *out, sd_error *err);
sd_status sd__finding_pair(const sd_result *r, size_t table, size_t row, size_t col_a,
                           size_t col_b, const char *lang, sd_findings *out, sd_error *err);
sd_status sd__finding_level(const sd_result *r, size_t table, size_t row, size_t col,
                            const char *lang, sd_findings *out, sd_error *err);
sd_status sd__finding_ranking(const sd_result *r, size_t table, size_t col, const char *lang,
                              sd_findings *out, sd_error *err);

/* The reliability gate of one figure (docs/findings.md): 0 when it may be
 * written up, else why not. Writers flag a cell with any SD_REL_WITHHELD
 * bit; the REVIEW bits are the NCHS standards' "statistical review" cases,
 * written up but worth a look. */
#define SD_REL_LOW_BASE 0x01u   /* its column's unweighted base is under --min-base */
#define SD_REL_NO_SE 0x02u      /* no estimate, standard error or interval */
#define SD_REL_NEFF 0x04u       /* effective sample size under 30 */
#define SD_REL_WIDTH 0x08u      /* interval 30 points wide or more */
#define SD_REL_RELWIDTH 0x10u   /* interval wider than 130 % of the estimate */
#define SD_REL_WITHHELD 0x1Fu
#define SD_REL_REVIEW_COMPLEMENT 0x20u /* interval wider than 130 % of 1 - p */
#define SD_REL_REVIEW_DF 0x40u  /* fewer than 8 degrees of freedom */
#define SD_REL_REVIEW_ZERO 0x80u /* an estimate of 0 or 100 % */
unsigned sd__fig_reliability(const sd_table *t, size_t row, size_t col);

#endif /* SD_REPORT_DOC_H */
