/*
 * html_text.c — text and numbers for the HTML page: every label, title and
 * sentence goes through sd__html_text, so that no text from a data file can
 * open a tag, end an attribute or put a character HTML forbids into the
 * page (control characters become their visible Unicode pictures, as
 * sd__sb_text makes them visible in plain text); numbers follow the report
 * language (fr: 73,0 % with U+202F, 2 800; en: 73.0%, 2,800).
 */
#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void put_cp(sd_strbuf *sb, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sd__sb_add(sb, b, n);
}

/* Decode one code point at s (n bytes left); *len gets its length. Invalid
 * or overlong sequences, surrogates and values past U+10FFFF give
 * 0xFFFFFFFF with *len 1. */
static unsigned decode(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0];
    size_t k;
    unsigned cp, min;
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        *len = 1;
        return 0xFFFFFFFFu;
    }
    if (n < k) {
        *len = 1;
        return 0xFFFFFFFFu;
    }
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFFFFFFu;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *len = 1;
        return 0xFFFFFFFFu;
    }
    *len = k;
    return cp;
}

static bool noncharacter(unsigned cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

void sd__html_textn(sd_strbuf *sb, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (s && i < n) {
        /* Runs of plain characters are copied at once. */
        size_t j = i;
        while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '&' && p[j] != '<' &&
               p[j] != '>' && p[j] != '"' && p[j] != '\'')
            j++;
        if (j > i) {
            sd__sb_add(sb, s + i, j - i);
            i = j;
            continue;
        }
        size_t len;
        unsigned cp = decode(p + i, n - i, &len);
        switch (cp) {
        case '&': sd__sb_puts(sb, "&amp;"); break;
        case '<': sd__sb_puts(sb, "&lt;"); break;
        case '>': sd__sb_puts(sb, "&gt;"); break;
        case '"': sd__sb_puts(sb, "&quot;"); break;
        case '\'': sd__sb_puts(sb, "&#39;"); break;
        case '\t':
        case '\n':
        case '\r': sd__sb_putc(sb, ' '); break;
        default:
            if (cp < 0x20)
                put_cp(sb, 0x2400 + cp); /* ␀ … ␟ */
            else if (cp == 0x7F)
                put_cp(sb, 0x2421); /* ␡ */
            else if (cp == 0xFFFFFFFFu || (cp >= 0x80 && cp <= 0x9F) || noncharacter(cp))
                put_cp(sb, 0xFFFD);
            else
                sd__sb_add(sb, s + i, len);
        }
        i += len;
    }
}

void sd__html_text(sd_strbuf *sb, const char *s)
{
    if (s)
        sd__html_textn(sb, s, strlen(s));
}

void sd__html_pct(char *buf, double p, int dec, const char *lang)
{
    if (!isfinite(p)) {
        memcpy(buf, "\xE2\x80\x93", 4);
        return;
    }
    sd__people_typeset(buf, 100 * p, dec, lang);
    strncat(buf, sd__lang_is_fr(lang) ? SD_NNBSP "%" : "%", SD_HTMLNUM - strlen(buf) - 1);
}
