/*
 * encoding.c — io-internal: text in another encoding into UTF-8 (iconv),
 * and the test a reader uses to recognise Windows-1252 before it is told.
 *
 * The test is written here, not left to iconv: iconv converts whatever it
 * is given, so it cannot say whether a file *is* Windows-1252. Text that is
 * not UTF-8, holds no UTF-8 sequence at all (Windows-1252 text such as
 * "Très" never forms one by chance in practice) and none of the bytes
 * Windows-1252 leaves undefined is taken as Windows-1252; anything else is
 * left for the reader to refuse, naming the line.
 */
#include "encoding.h"
#include "io.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

bool sd__enc_is_utf8(const char *enc)
{
    return enc && (strcasecmp(enc, "UTF-8") == 0 || strcasecmp(enc, "UTF8") == 0);
}

bool sd__enc_known(const char *enc)
{
    if (!enc || !*enc)
        return false;
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return false;
    iconv_close(cd);
    return true;
}

/* Length of the valid UTF-8 sequence of two or more bytes at s (n bytes
 * left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (!len || len > n || s[0] > 0xF4)
        return 0;
    return sd__utf8_valid_prefix((const char *)s, len) == len ? len : 0;
}

bool sd__enc_looks_cp1252(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    bool high = false;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c == 0 || c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D)
            return false;
        if (c < 0x80)
            continue;
        high = true;
        if (utf8_seq(s + i, n - i))
            return false;
    }
    return high;
}

sd_status sd__enc_to_utf8(const char *enc, const char *s, size_t n, char **out, size_t *outlen,
                          size_t *bad_at, const char *file, sd_error *err)
{
    *out = NULL;
    *outlen = 0;
    if (bad_at)
        *bad_at = 0;
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL,
                        "unknown encoding '%s' (expected a name iconv knows, such as "
                        "WINDOWS-1252, ISO-8859-15, UTF-16)",
                        enc);
    /* UTF-8 takes at most 4 bytes for one input byte (UTF-16 pairs give 4
     * for 4); start at n + n/2 + 16 and grow. */
    size_t cap = n + n / 2 + 16, used = 0;
    if (cap < n || cap > SD_MAX_FILE) {
        iconv_close(cd);
        return sd__fail(err, SD_E_TOO_LARGE, file, 0, 0, NULL, "text too large to convert");
    }
    char *buf = sd__malloc(cap + 1);
    if (!buf) {
        iconv_close(cd);
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    }
    char *in = (char *)s;
    size_t inleft = n;
    sd_status st = SD_OK;
    while (inleft > 0) {
        char *o = buf + used;
        size_t oleft = cap - used;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        used = (size_t)(o - buf);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            size_t ncap;
            if (!sd__add_ok(cap, cap / 2 + 64, &ncap) || ncap > SD_MAX_FILE) {
                st = sd__fail(err, SD_E_TOO_LARGE, file, 0, 0, NULL, "text too large to convert");
                break;
            }
            char *nb = sd__realloc(buf, ncap + 1);
            if (!nb) {
                st = sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
            continue;
        }
        /* EILSEQ, or EINVAL: a sequence cut by the end of the text. */
        if (bad_at)
            *bad_at = (size_t)(in - s);
        st = sd__fail(err, SD_E_ENCODING, file, 0, 0, NULL,
                      "byte %zu is not valid %s text", (size_t)(in - s) + 1, enc);
        break;
    }
    iconv_close(cd);
    if (st != SD_OK) {
        sd__free(buf);
        return st;
    }
    buf[used] = '\0';
    *out = buf;
    *outlen = used;
    return SD_OK;
}

/* Any byte with its high bit set? Eight bytes at a time. */
static bool any_high(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            return true;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] & 0x80)
            return true;
    return false;
}

static long line_of(const char *s, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at; i++)
        line += s[i] == '\n';
    return line;
}

sd_status sd__csv_decode(const char *data, size_t len, const char *encoding, const char *name,
                         char **out, size_t *outlen, sd_error *err)
{
    *out = NULL;
    *outlen = 0;
    const char *from = NULL;
    if (encoding && !sd__enc_is_utf8(encoding)) {
        from = encoding;
    } else if (!encoding) {
        const unsigned char *u = (const unsigned char *)data;
        bool bom16 = len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
        if (bom16)
            from = "UTF-16";
        else if (any_high(data, len) && sd__utf8_valid_prefix(data, len) != len &&
                 sd__enc_looks_cp1252(data, len))
            from = "WINDOWS-1252";
    }
    if (!from)
        return SD_OK;
    size_t bad = 0;
    sd_status st = sd__enc_to_utf8(from, data, len, out, outlen, &bad, name, err);
    if (st == SD_E_ENCODING) {
        sd_error_clear(err);
        st = sd__fail(err, SD_E_ENCODING, name, line_of(data, bad), 0, NULL,
                      "byte %zu is not valid %s text: expected the encoding given (--encoding)",
                      bad + 1, from);
    }
    return st;
}
