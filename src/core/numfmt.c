/*
 * numfmt.c — numbers for machines, locale-free.
 *
 * Hand-written because the C library's printf/strtod follow LC_NUMERIC (a
 * program or a library user that calls setlocale would get "0,5" in CSV and
 * JSON), and no packaged library offers shortest round-trip formatting and
 * correctly rounded parsing without a locale. Formatting uses snprintf and
 * then replaces whatever decimal mark the locale chose; parsing takes an
 * exact fast path (Clinger's: up to 15 significant digits, power of ten up
 * to 22) and otherwise hands a normalised copy to strtod_l in the C locale.
 */
#define _GNU_SOURCE
#include "core.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replace the locale's decimal mark in buf (length n) by `mark`. */
static int fix_mark(char *buf, int n, char mark)
{
    const char *dp = localeconv()->decimal_point;
    size_t dl = dp ? strlen(dp) : 0;
    if (dl == 0 || (dl == 1 && dp[0] == mark))
        return n;
    char *p = strstr(buf, dp);
    if (!p)
        return n;
    *p = mark;
    memmove(p + 1, p + dl, (size_t)n - (size_t)(p - buf) - dl + 1);
    return n - (int)dl + 1;
}

int sd__fmt_double(char *buf, double x)
{
    if (isnan(x))
        return snprintf(buf, SD_NUMBUF, "NaN");
    if (isinf(x))
        return snprintf(buf, SD_NUMBUF, x < 0 ? "-Inf" : "Inf");
    if (x == 0)
        return snprintf(buf, SD_NUMBUF, "0");
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, SD_NUMBUF, "%.*g", prec, x);
        n = fix_mark(buf, n, '.');
        double back;
        if (sd__parse_double(buf, (size_t)n, false, &back) && back == x)
            break;
    }
    return n;
}

int sd__fmt_fixed(char *buf, double x, int decimals, char mark)
{
    if (!isfinite(x))
        return sd__fmt_double(buf, x);
    if (decimals < 0)
        decimals = 0;
    if (decimals > 15)
        decimals = 15;
    int n = snprintf(buf, SD_NUMBUF, "%.*f", decimals, x);
    if (n < 0 || n >= SD_NUMBUF) /* too long for fixed notation (|x| near 1e30) */
        return sd__fmt_double(buf, x);
    n = fix_mark(buf, n, mark);
    /* "-0.0" reads as a sign that is not there: drop it. */
    if (buf[0] == '-') {
        bool zero = true;
        for (int i = 1; i < n; i++)
            if (buf[i] >= '1' && buf[i] <= '9')
                zero = false;
        if (zero) {
            memmove(buf, buf + 1, (size_t)n);
            n--;
        }
    }
    return n;
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool sd__parse_double(const char *s, size_t n, bool comma, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    uint64_t mant = 0;
    int sig = 0;      /* significant digits kept in mant */
    int dropped = 0;  /* integer digits beyond what mant holds */
    int frac = 0;     /* fraction digits kept in mant */
    size_t digits = 0;
    bool nonzero_dropped = false;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant)
                sig++;
        } else {
            dropped++;
            nonzero_dropped |= s[i] != '0';
        }
        i++;
        digits++;
    }
    char mark = comma ? ',' : '.';
    if (i < n && s[i] == mark) {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                if (mant)
                    sig++;
                frac++;
            } else {
                nonzero_dropped |= s[i] != '0';
            }
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    long ex = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (ex < 100000)
                ex = ex * 10 + (s[i] - '0');
            i++;
            ed++;
        }
        if (ed == 0)
            return false;
        if (eneg)
            ex = -ex;
    }
    if (i != n)
        return false;
    long e10 = ex + dropped - frac;
    if (!nonzero_dropped && mant < ((uint64_t)1 << 53)) {
        double m = (double)mant;
        if (mant == 0) {
            *out = neg ? -0.0 : 0.0;
            return true;
        }
        if (e10 >= 0 && e10 <= 22) {
            *out = neg ? -(m * pow10_exact[e10]) : m * pow10_exact[e10];
            return true;
        }
        if (e10 < 0 && e10 >= -22) {
            *out = neg ? -(m / pow10_exact[-e10]) : m / pow10_exact[-e10];
            return true;
        }
    }
    /* Slow path: a copy with '.' for strtod_l in the C locale. */
    char stack[128];
    char *tmp = n < sizeof stack ? stack : sd__malloc(n + 1);
    if (!tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (comma) {
        char *c = strchr(tmp, ',');
        if (c)
            *c = '.';
    }
    bool ok = false;
    locale_t c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c_loc) {
        char *end;
        *out = strtod_l(tmp, &end, c_loc);
        ok = *end == '\0';
        freelocale(c_loc);
    }
    if (tmp != stack)
        sd__free(tmp);
    return ok;
}

bool sd__parse_ulong(const char *s, size_t n, unsigned long max, unsigned long *out)
{
    if (n == 0)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

sd_status sd__parse_flag(const char *key, const char *value, bool *out, sd_error *err)
{
    if (!value || !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
        *out = true;
    else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
        *out = false;
    else
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--%s: expected true or false, not '%.64s'", key, value);
    return SD_OK;
}

int sd__hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
