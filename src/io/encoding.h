/*
 * encoding.h — io-internal: turning text in another encoding into the UTF-8
 * the dataset holds. iconv (glibc) does the converting; Windows-1252, the
 * encoding French Excel saves CSV in, is also decoded by hand for the
 * detection a reader does before it knows anything (see encoding.c).
 */
#ifndef SD_ENCODING_H
#define SD_ENCODING_H

#include "../core/core.h"

/* Is `enc` a name of UTF-8 ("UTF-8", "utf8", any case)? */
bool sd__enc_is_utf8(const char *enc);

/* Does iconv know `enc`? */
bool sd__enc_known(const char *enc);

/* Could s[0..n) be Windows-1252 text that is not UTF-8: it is not valid
 * UTF-8, holds no valid UTF-8 sequence of two or more bytes (text with some
 * is corrupt UTF-8, not another encoding), no NUL, and none of the five
 * bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D)? */
bool sd__enc_looks_cp1252(const char *s, size_t n);

/* Convert s[0..n) from `enc` (an iconv name) to a new NUL-terminated UTF-8
 * buffer (*out, *outlen). On an invalid sequence fails with SD_E_ENCODING
 * and sets *bad_at to its offset in s; an unknown encoding is SD_E_INVALID.
 * `file` is used in messages; the caller may replace the message with one
 * naming the line. */
sd_status sd__enc_to_utf8(const char *enc, const char *s, size_t n, char **out, size_t *outlen,
                          size_t *bad_at, const char *file, sd_error *err);

#endif /* SD_ENCODING_H */
