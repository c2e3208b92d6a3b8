/*
 * strbuf.c — bounded, sticky-error string buffer used by every text writer
 * and message builder.
 */
#include "core.h"

#include <stdio.h>
#include <string.h>

void sd__sb_init(sd_strbuf *sb, size_t max)
{
    memset(sb, 0, sizeof *sb);
    sb->max = max;
}

void sd__sb_free(sd_strbuf *sb)
{
    sd__free(sb->s);
    sb->s = NULL;
    sb->len = sb->cap = 0;
}

static bool reserve(sd_strbuf *sb, size_t extra)
{
    if (sb->err != SD_OK)
        return false;
    size_t need;
    if (!sd__add_ok(sb->len, extra, &need) || need > sb->max) {
        sb->err = SD_E_TOO_LARGE;
        return false;
    }
    need += 1;
    if (need <= sb->cap)
        return true;
    size_t ncap = sb->cap ? sb->cap : 64;
    while (ncap < need)
        ncap = ncap > sb->max / 2 + 1 ? sb->max + 1 : ncap * 2;
    char *p = sd__realloc(sb->s, ncap);
    if (!p) {
        sb->err = SD_E_NOMEM;
        return false;
    }
    sb->s = p;
    sb->cap = ncap;
    return true;
}

void sd__sb_add(sd_strbuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n))
        return;
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void sd__sb_puts(sd_strbuf *sb, const char *s)
{
    sd__sb_add(sb, s, strlen(s));
}

void sd__sb_putc(sd_strbuf *sb, char c)
{
    sd__sb_add(sb, &c, 1);
}

void sd__sb_printf(sd_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        if (sb->err == SD_OK)
            sb->err = SD_E_INTERNAL;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sd__sb_add(sb, tmp, (size_t)n);
        return;
    }
    if (!reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void sd__sb_num(sd_strbuf *sb, double x)
{
    char buf[SD_NUMBUF];
    int n = sd__fmt_double(buf, x);
    sd__sb_add(sb, buf, (size_t)n);
}

void sd__sb_json_str(sd_strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sd__sb_putc(sb, '"');
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sd__sb_add(sb, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"': sd__sb_add(sb, "\\\"", 2); break;
        case '\\': sd__sb_add(sb, "\\\\", 2); break;
        case '\n': sd__sb_add(sb, "\\n", 2); break;
        case '\r': sd__sb_add(sb, "\\r", 2); break;
        case '\t': sd__sb_add(sb, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sd__sb_add(sb, u, 6);
        }
        }
    }
    sd__sb_puts(sb, run);
    sd__sb_putc(sb, '"');
}

const char *sd__sb_str(const sd_strbuf *sb)
{
    return sb->s ? sb->s : "";
}

sd_status sd__sb_status(const sd_strbuf *sb)
{
    return sb->err;
}

char *sd__sb_take(sd_strbuf *sb)
{
    char *s = sb->s ? sb->s : sd__strdup("");
    sb->s = NULL;
    sb->len = sb->cap = 0;
    return s;
}
