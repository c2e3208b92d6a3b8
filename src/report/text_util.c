/*
 * text_util.c — small helpers shared by the writers: padding UTF-8 text to
 * a display width, CSV quoting, language checks.
 */
#include "report.h"

#include <string.h>

bool sd__lang_is_fr(const char *lang)
{
    return lang && strncmp(lang, "fr", 2) == 0;
}

void sd__sb_pad(sd_strbuf *sb, const char *s, size_t width, bool right)
{
    size_t w = sd__utf8_width(s);
    if (w > width) {
        /* Cut at a code-point boundary, leaving room for the ellipsis. */
        size_t keep = width ? width - 1 : 0, cps = 0;
        const char *p = s;
        while (*p && cps < keep) {
            p++;
            while (((unsigned char)*p & 0xC0) == 0x80)
                p++;
            cps++;
        }
        sd__sb_add(sb, s, (size_t)(p - s));
        if (width)
            sd__sb_puts(sb, "\xE2\x80\xA6");
        return;
    }
    if (!right)
        sd__sb_puts(sb, s);
    for (size_t i = w; i < width; i++)
        sd__sb_putc(sb, ' ');
    if (right)
        sd__sb_puts(sb, s);
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
