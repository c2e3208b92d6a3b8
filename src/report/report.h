/*
 * report.h — the report layer's interface: writers that turn a result cube
 * or a dataset's codebook into text for people (text) or machines (csv,
 * json). Writers know labels and formats, nothing of how numbers were made.
 */
#ifndef SD_REPORT_H
#define SD_REPORT_H

#include "../data/data.h"

/* Writers of results read them only through the public API (sondage.h,
 * "reading results"): they know nothing of sums or variance formulas. */
sd_status sd__write_tab_csv(const sd_result *r, const char *lang, sd_strbuf *sb);
/* (JSON and text of a whole document: doc.h.) */
sd_status sd__write_info_text(const sd_dataset *ds, const char *lang, sd_strbuf *sb);
sd_status sd__write_info_json(const sd_dataset *ds, const char *lang, sd_strbuf *sb);

/* Shared helpers for people-facing text. */
/* A number with `dec` decimals in the report language ("-" when not finite). */
void sd__people_num(char *buf, double x, int dec, const char *lang);
/* The same, the integer part grouped by thousands (fr: a narrow no-break
 * space U+202F, en: ","; from four digits: 1 793, 1,793), the minus sign
 * U+2212; "-" when not finite. buf holds SD_PEOPLENUM bytes. */
#define SD_PEOPLENUM 96
void sd__people_grouped(char *buf, double x, int dec, const char *lang);
/* Grouped as sd__people_grouped, "–" (U+2013) when not finite: the numbers
 * of typeset pages (HTML tables, charts, the test sentence). */
void sd__people_typeset(char *buf, double x, int dec, const char *lang);
/* "p = 0.026" or "p < 0.001" in the report language. */
void sd__people_p(sd_strbuf *sb, double p, const char *lang);
/* Append text with control characters shown as \xNN (C1 ones as \u00NN). */
void sd__sb_text(sd_strbuf *sb, const char *s);
/* What a table's base is, in a sentence ("Base: respondents with a valid
 * answer ...; rows where role = 2"), without a line end. */
void sd__base_text(sd_strbuf *sb, const sd_table *t, const char *lang);
/* "(3 rows left out of the analysis by their weight: blank 1, zero 2)\n",
 * or nothing. */
void sd__excluded_text(sd_strbuf *sb, const sd_result *r, const char *lang);
/* The weight of table t, or of the result when t is NULL: "Weight: NAME\n"
 * (or the fpc's N/n), then "Weighting: rake to FILE; efficiency ...\n" when
 * the weight was made by a weighting step; for a table with neither,
 * "Unweighted\n" (said where the result's tables are weighted differently). */
void sd__weight_text(sd_strbuf *sb, const sd_result *r, const sd_table *t, const char *lang);
/* Where the result's tables are weighted differently: ". " and table t's
 * weight as sentences, to follow its base sentence; else nothing. */
void sd__table_weight_note(sd_strbuf *sb, const sd_result *r, const sd_table *t, const char *lang);
/* Table t's test of independence as one sentence, without a line end:
 * "Rao-Scott test, ROW by COL: F(df, ddf) = v, p = …" (or the first-order
 * X2). typeset (HTML): numbers grouped, X², a no-break space before the
 * French colon; else plain (text, XLSX). Names' control characters shown
 * as \xNN. */
void sd__test_sentence(sd_strbuf *sb, const sd_table *t, const sd_test_info *q, const char *lang,
                       bool typeset);
/* Any of its tables weighted (a weight variable or the fpc's N/n). */
bool sd__result_any_weight(const sd_result *r);
/* Append s padded with spaces (or cut with "…") to exactly `width` code
 * points; right-aligned when `right`; control characters shown as \xNN. */
void sd__sb_pad(sd_strbuf *sb, const char *s, size_t width, bool right);
/* Make every control character of a rendered text visible (\x1B, \u009B;
 * line ends kept): the last step before people's text is written, so no
 * label or name reaches a terminal raw (ESC, BEL, CR), whichever writer
 * forgot sd__sb_text. */
void sd__sb_escape_controls(sd_strbuf *sb);
/* A number for machines: nothing (CSV) or null (JSON) when not finite. */
void sd__sb_num_or_empty(sd_strbuf *sb, double x);
void sd__sb_json_num(sd_strbuf *sb, double x);
/* CSV field with RFC 4180 quoting when needed. */
void sd__sb_csv_field(sd_strbuf *sb, const char *s);

/* The estimate row i of a table shows: a proportion, or a summary's value
 * (a scale variable's rows, a --means row). */
static inline sd_figure sd__est_fig(const sd_table *t, size_t i)
{
    return sd_table_cat_type(t, SD_ROWS, i) == SD_CAT_TYPE_SUMMARY ? SD_FIG_MEAN : SD_FIG_PCT;
}

/* Cap on one rendered report: 1 GiB. */
#define SD_MAX_REPORT ((size_t)1 << 30)

#endif
