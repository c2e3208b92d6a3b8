/*
 * alloc.c — the single route for heap memory. Nothing aborts on failure:
 * callers get NULL and turn it into SD_E_NOMEM.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

void *sd__malloc(size_t n)
{
    return n ? malloc(n) : NULL;
}

void *sd__calloc(size_t count, size_t size)
{
    size_t n;
    if (!sd__mul_ok(count, size, &n) || n == 0)
        return NULL;
    return calloc(count, size);
}

void *sd__zalloc(size_t count, size_t size)
{
    return sd__calloc(count ? count : 1, size);
}

void *sd__zalloc_sums(size_t count, size_t size)
{
    size_t n;
    if (!sd__mul_ok(count ? count : 1, size, &n) || n == 0)
        return NULL;
    /* A write to every page (volatile: malloc and memset would be turned
     * into the calloc this avoids, and the writes into nothing). */
    volatile char *p = calloc(1, n);
    for (size_t i = 0; p && i < n; i += 4096)
        p[i] = 0;
    return (void *)p;
}

void *sd__realloc(void *p, size_t n)
{
    if (n == 0)
        return NULL;
    return realloc(p, n);
}

void *sd__reallocarray(void *p, size_t count, size_t size)
{
    size_t n;
    if (!sd__mul_ok(count, size, &n))
        return NULL;
    return sd__realloc(p, n);
}

void sd__free(void *p)
{
    free(p);
}

char *sd__strndup(const char *s, size_t n)
{
    char *d = sd__malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sd__strdup(const char *s)
{
    return s ? sd__strndup(s, strlen(s)) : NULL;
}

bool sd__grow(void **arr, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (!sd__mul_ok(ncap, 2, &ncap))
            return false;
    }
    void *p = sd__reallocarray(*arr, ncap, item_size);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}
