/*
 * html.h — the HTML writer's own interface (write_html.c, html_text.c,
 * svg_chart.c): text made safe for HTML and inline SVG, numbers in the
 * report language's typography, and the SVG chart of a block of tables.
 */
#ifndef SD_REPORT_HTML_H
#define SD_REPORT_HTML_H

#include "report.h"

/* Append UTF-8 text as HTML character data or an attribute value: & < > "
 * ' escaped; tab, line feed and carriage return as a space; other control
 * characters (C0, DEL) as their visible Unicode pictures (U+2400...); C1
 * controls, noncharacters and invalid bytes as U+FFFD. NULL appends nothing. */
void sd__html_text(sd_strbuf *sb, const char *s);
/* The same for the first `n` bytes of s. */
void sd__html_textn(sd_strbuf *sb, const char *s, size_t n);

/* Buffers for the number helpers below. */
#define SD_HTMLNUM SD_PEOPLENUM
/* (Numbers of the page: sd__people_typeset, report.h.) */
/* A proportion (0..1) as a percentage: fr "73,0 %" (U+202F before %), en
 * "73.0%"; "–" when not finite. */
void sd__html_pct(char *buf, double p, int dec, const char *lang);

/* The French narrow no-break space, U+202F. */
#define SD_NNBSP "\xE2\x80\xAF"

/* The SVG chart of the tables [from, to) of a result (one row variable by
 * its banners, as the page's table shows them): grouped bars with
 * confidence-interval whiskers (single choice), diverging stacked bars
 * (an ordinal row variable), ranked bars (a multiple-response set), bars of
 * the means (a scale). `id` prefixes the chart's element ids (unique in the
 * page). Appends nothing when the tables have nothing to draw; returns
 * whether it drew. */
bool sd__svg_chart(sd_strbuf *sb, const sd_result *r, size_t from, size_t to, const char *lang,
                   const char *id);

#endif
