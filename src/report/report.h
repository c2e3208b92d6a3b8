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
sd_status sd__write_tab_text(const sd_result *r, const char *lang, sd_strbuf *sb);
sd_status sd__write_tab_csv(const sd_result *r, const char *lang, sd_strbuf *sb);
sd_status sd__write_tab_json(const sd_result *r, const char *lang, sd_strbuf *sb);
sd_status sd__write_info_text(const sd_dataset *ds, const char *lang, sd_strbuf *sb);
sd_status sd__write_info_json(const sd_dataset *ds, const char *lang, sd_strbuf *sb);

/* Shared helpers for people-facing text. */
/* Append s padded with spaces (or cut with "…") to exactly `width` code
 * points; right-aligned when `right`. */
void sd__sb_pad(sd_strbuf *sb, const char *s, size_t width, bool right);
/* CSV field with RFC 4180 quoting when needed. */
void sd__sb_csv_field(sd_strbuf *sb, const char *s);
/* Is this language French (decimal comma, French typography)? */
bool sd__lang_is_fr(const char *lang);

/* Cap on one rendered report: 1 GiB. */
#define SD_MAX_REPORT ((size_t)1 << 30)

#endif
