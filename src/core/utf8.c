/*
 * utf8.c — UTF-8 validation and width, control characters made visible
 * for people's text, and label-language matching. Hand-written: a strict
 * validator is twenty lines and every reader needs it.
 */
#include "core.h"

#include <stdio.h>
#include <string.h>

size_t sd__utf8_valid_prefix(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp, min;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return i;
        }
        if (n - i < len)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

size_t sd__ctl_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    if (c < 0x20 || c == 0x7F)
        return 1;
    if (c == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9F)
        return 2; /* a C1 control, U+0080..U+009F (0x9B is a terminal's CSI) */
    return 0;
}

size_t sd__ctl_escape(const char *s, char out[8])
{
    size_t n = sd__ctl_len(s);
    if (n == 1)
        snprintf(out, 8, "\\x%02X", (unsigned char)s[0]);
    else if (n == 2)
        snprintf(out, 8, "\\u%04X", (unsigned char)s[1]);
    else
        out[0] = '\0';
    return n;
}

void sd__sb_add_text(sd_strbuf *sb, const char *s, size_t n, bool keep_newline)
{
    const char *end = s + n, *run = s;
    while (s < end) {
        size_t k = (keep_newline && *s == '\n') || (s + 1 == end && (unsigned char)*s == 0xC2)
                       ? 0
                       : sd__ctl_len(s);
        if (!k) {
            s++;
            continue;
        }
        sd__sb_add(sb, run, (size_t)(s - run));
        char esc[8];
        sd__ctl_escape(s, esc);
        sd__sb_puts(sb, esc);
        s += k;
        run = s;
    }
    sd__sb_add(sb, run, (size_t)(s - run));
}

size_t sd__utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

size_t sd__display_width(const char *s)
{
    size_t w = 0;
    while (*s) {
        size_t k = sd__ctl_len(s);
        if (k) {
            w += k == 1 ? 4 : 6; /* shown as \xHH or \u00HH */
            s += k;
            continue;
        }
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
        s++;
    }
    return w;
}

bool sd__lang_eq(const char *a, const char *b)
{
    if (!a || !*a)
        return !b || !*b;
    return b && strcmp(a, b) == 0;
}

char *sd__latin1_to_utf8(const char *s, size_t n)
{
    size_t cap;
    if (!sd__mul_ok(n, 2, &cap) || !sd__add_ok(cap, 1, &cap))
        return NULL;
    char *d = sd__malloc(cap);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            d[o++] = (char)c;
        } else {
            d[o++] = (char)(0xC0 | (c >> 6));
            d[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    d[o] = '\0';
    return d;
}

size_t sd__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

bool sd__lang_is_fr(const char *lang)
{
    return lang && strncmp(lang, "fr", 2) == 0;
}
