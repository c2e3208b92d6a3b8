/*
 * form.c — application/x-www-form-urlencoded bodies: the parser the server
 * runs on every POST (and on the answers it keeps per session), and the
 * encoder.
 *
 * Hand-written rather than libmicrohttpd's post processor: the parser must
 * be a pure function of the bytes, bounded in every dimension (body, field
 * count, name and value lengths), strict about text (UTF-8, no control
 * characters) and small enough to fuzz on its own (fuzz/fuzz_form.c).
 */
#include "field.h"

#include <string.h>

/* Decode s[0..n) into out (at most n bytes); returns the decoded length or
 * -1 on a bad %-escape. */
static long decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            out[o++] = ' ';
        } else if (c == '%') {
            int h, l;
            if (i + 2 >= n || (h = sd__hexval((unsigned char)s[i + 1])) < 0 ||
                (l = sd__hexval((unsigned char)s[i + 2])) < 0)
                return -1;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = (char)c;
        }
    }
    return (long)o;
}

/* Text a field may hold: valid UTF-8; no NUL and no control character
 * other than tab, CR and LF in values, none at all in names. */
static bool text_ok(const char *s, size_t n, bool name)
{
    if (sd__utf8_valid_prefix(s, n) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7f || (c < 0x20 && (name || (c != '\t' && c != '\r' && c != '\n'))))
            return false;
    }
    return true;
}

void sd__form_free(sd__form *f)
{
    if (!f)
        return;
    sd__free(f->f);
    sd__free(f->buf);
    memset(f, 0, sizeof *f);
}

sd_status sd__form_parse(const char *body, size_t len, const sd__form_limits *lim, sd__form *out,
                         sd_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > lim->max_body)
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                        "the form is larger than %zu bytes", lim->max_body);
    if (len == 0)
        return SD_OK;
    /* Count fields first: the array is sized once. */
    size_t nf = 1;
    for (size_t i = 0; i < len; i++)
        nf += body[i] == '&';
    if (nf > lim->max_fields)
        return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                        "the form has more than %zu fields", lim->max_fields);
    /* Decoded text never exceeds the encoded one; +1 NUL per name/value. */
    size_t cap;
    if (!sd__add_ok(len, 2 * nf, &cap) || !(out->buf = sd__malloc(cap)) ||
        !(out->f = sd__calloc(nf, sizeof *out->f))) {
        sd__form_free(out);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    size_t used = 0, start = 0;
    sd_status st = SD_OK;
    for (size_t i = 0; i <= len && st == SD_OK; i++) {
        if (i < len && body[i] != '&')
            continue;
        const char *pair = body + start;
        size_t plen = i - start;
        start = i + 1;
        if (plen == 0)
            continue; /* "a=1&&b=2", a trailing '&' */
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        const char *val = eq ? eq + 1 : pair + plen;
        size_t vlen = eq ? plen - nlen - 1 : 0;
        char *name = out->buf + used;
        long dn = decode(pair, nlen, name);
        if (dn < 0) {
            st = sd__fail(err, SD_E_PARSE, NULL, 0, 0, NULL, "a form field name has a bad %%-escape");
            break;
        }
        if (dn == 0) {
            st = sd__fail(err, SD_E_PARSE, NULL, 0, 0, NULL, "a form field has no name");
            break;
        }
        if ((size_t)dn > lim->max_name) {
            st = sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL,
                          "a form field name is longer than %zu bytes", lim->max_name);
            break;
        }
        if (!text_ok(name, (size_t)dn, true)) {
            st = sd__fail(err, SD_E_ENCODING, NULL, 0, 0, NULL,
                          "a form field name is not valid text");
            break;
        }
        name[dn] = '\0';
        used += (size_t)dn + 1;
        char *value = out->buf + used;
        long dv = decode(val, vlen, value);
        if (dv < 0) {
            st = sd__fail(err, SD_E_PARSE, NULL, 0, 0, name, "the value of '%.64s' has a bad %%-escape",
                          name);
            break;
        }
        if ((size_t)dv > lim->max_value) {
            st = sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, name,
                          "the value of '%.64s' is longer than %zu bytes", name, lim->max_value);
            break;
        }
        if (!text_ok(value, (size_t)dv, false)) {
            st = sd__fail(err, SD_E_ENCODING, NULL, 0, 0, name,
                          "the value of '%.64s' is not valid text", name);
            break;
        }
        value[dv] = '\0';
        used += (size_t)dv + 1;
        out->f[out->n++] = (sd__form_field){name, value, (size_t)dn, (size_t)dv};
    }
    if (st != SD_OK)
        sd__form_free(out);
    return st;
}

const sd__form_field *sd__form_get(const sd__form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->f[i].name, name) == 0)
            return &f->f[i];
    return NULL;
}

size_t sd__form_count(const sd__form *f, const char *name)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++)
        k += strcmp(f->f[i].name, name) == 0;
    return k;
}

static void encode(sd_strbuf *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            sd__sb_putc(sb, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sd__sb_add(sb, e, 3);
        }
    }
}

void sd__form_append(sd_strbuf *sb, const char *name, const char *value, size_t vlen)
{
    if (sb->len)
        sd__sb_putc(sb, '&');
    encode(sb, name, strlen(name));
    sd__sb_putc(sb, '=');
    encode(sb, value, vlen);
}
