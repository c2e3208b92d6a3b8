/*
 * hash.c — the one hash index of the code base: open addressing (linear
 * probing) from a hash to item numbers the caller stores elsewhere (codes,
 * string levels, variable names, replicate patterns). The caller keeps the
 * items and decides equality; the index keeps only item + 1 and 32 bits of
 * the hash, so growing never asks the caller to hash again.
 *
 * The table is at most half full: a probe always ends on an empty slot, so
 * lookups terminate whatever was inserted (the endless loop of issue 11 was
 * a table that counted its entries wrongly and filled up).
 */
#include "core.h"

#include <string.h>

void sd__hindex_init(sd_hindex *h)
{
    memset(h, 0, sizeof *h);
}

void sd__hindex_free(sd_hindex *h)
{
    sd__free(h->slot);
    memset(h, 0, sizeof *h);
}

void sd__hindex_clear(sd_hindex *h)
{
    if (h->slot)
        memset(h->slot, 0, h->cap * sizeof *h->slot);
    h->n = 0;
}

/* Move every entry into a table of `cap` slots (a power of two). */
static bool rehash(sd_hindex *h, size_t cap)
{
    sd_hslot *ns = sd__calloc(cap, sizeof *ns);
    if (!ns)
        return false;
    size_t mask = cap - 1;
    for (size_t i = 0; i < h->cap; i++) {
        sd_hslot s = h->slot[i];
        if (!s.item)
            continue;
        size_t k = s.hash & mask;
        while (ns[k].item)
            k = (k + 1) & mask;
        ns[k] = s;
    }
    sd__free(h->slot);
    h->slot = ns;
    h->cap = cap;
    return true;
}

bool sd__hindex_reserve(sd_hindex *h, size_t n)
{
    if (n > SD_HINDEX_MAX)
        return false;
    size_t cap = h->cap ? h->cap : 16;
    while (cap < 2 * n) /* n <= 2^32, so this cannot overflow */
        cap *= 2;
    return cap == h->cap || rehash(h, cap);
}

bool sd__hindex_add(sd_hindex *h, uint64_t hash, size_t item)
{
    if (item >= SD_HINDEX_MAX || h->n >= SD_HINDEX_MAX)
        return false;
    if (2 * (h->n + 1) > h->cap && !sd__hindex_reserve(h, h->n + 1))
        return false;
    uint32_t h32 = sd__hash32(hash);
    size_t mask = h->cap - 1, k = h32 & mask;
    while (h->slot[k].item)
        k = (k + 1) & mask;
    h->slot[k].item = (uint32_t)(item + 1);
    h->slot[k].hash = h32;
    h->n++;
    return true;
}

uint64_t sd__hash_bytes(const void *p, size_t n)
{
    /* FNV-1a over the bytes, then a 64-bit finaliser so every bit of the
     * result depends on every byte (FNV's low bits alone mix poorly). */
    const unsigned char *s = p;
    uint64_t x = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        x = (x ^ s[i]) * 1099511628211ull;
    return sd__hash_u64(x);
}

uint64_t sd__hash_str(const char *s)
{
    return sd__hash_bytes(s, strlen(s));
}
