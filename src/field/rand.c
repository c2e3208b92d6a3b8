/*
 * rand.c — randomness and secrets for fieldwork: session ids, CSRF and
 * invitation tokens and the admin secret come from the kernel (getrandom);
 * option shuffles use splitmix64 seeded per session (reproducible for one
 * respondent, so a page shows the same order when it is shown again);
 * secrets are compared in constant time.
 */
#include "field.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

sd_status sd__random_bytes(void *buf, size_t n, sd_error *err)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return sd__fail(err, SD_E_IO, NULL, 0, 0, NULL, "no randomness from the kernel: %s",
                            strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return SD_OK;
}

sd_status sd__random_hex(char *out, size_t nbytes, sd_error *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[64];
    if (nbytes > sizeof b)
        return sd__fail(err, SD_E_INTERNAL, NULL, 0, 0, NULL, "random token too long");
    sd_status st = sd__random_bytes(b, nbytes, err);
    if (st != SD_OK)
        return st;
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return SD_OK;
}

bool sd__secret_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    /* Every byte of the secret b is read whatever a holds; a's length only
     * folds into the result. */
    volatile unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < blen; i++) {
        unsigned char x = alen ? (unsigned char)a[i % alen] : 0;
        diff |= (unsigned char)(x ^ (unsigned char)b[i]);
    }
    return blen > 0 && diff == 0;
}

uint64_t sd__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t sd__hash64(const char *s)
{
    /* FNV-1a, then mixed: only to derive per-question shuffle seeds. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return sd__splitmix64(&h);
}
