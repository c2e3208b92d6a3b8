/*
 * harness.h — the in-repo unit-test harness: no framework to install.
 * A test file defines `static void test_x(void)` functions and lists them in
 * main with RUN(test_x); each prints "PASS name" or "FAIL name: why", and
 * tests/run.sh counts those lines. CHECK* macros record a failure and go on.
 */
#ifndef SD_HARNESS_H
#define SD_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_failed_checks;
static int h_failed_tests;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);        \
            h_failed_checks++;                                                                 \
        }                                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                                        \
    do {                                                                                       \
        const char *h_a = (a), *h_b = (b);                                                     \
        if (!h_a || !h_b || strcmp(h_a, h_b) != 0) {                                           \
            fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,                 \
                    h_a ? h_a : "(null)", h_b ? h_b : "(null)");                               \
            h_failed_checks++;                                                                 \
        }                                                                                      \
    } while (0)

#define CHECK_INT(a, b)                                                                        \
    do {                                                                                       \
        long long h_a = (long long)(a), h_b = (long long)(b);                                  \
        if (h_a != h_b) {                                                                      \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a,    \
                    h_a, h_b);                                                                 \
            h_failed_checks++;                                                                 \
        }                                                                                      \
    } while (0)

/* Relative tolerance (absolute below 1). */
#define CHECK_NEAR(a, b, tol)                                                                  \
    do {                                                                                       \
        double h_a = (a), h_b = (b);                                                           \
        double h_s = fabs(h_b) > 1 ? fabs(h_b) : 1;                                            \
        if (!(fabs(h_a - h_b) <= (tol) * h_s)) {                                               \
            fprintf(stderr, "  %s:%d: %s == %.17g, expected %.17g\n", __FILE__, __LINE__, #a,  \
                    h_a, h_b);                                                                 \
            h_failed_checks++;                                                                 \
        }                                                                                      \
    } while (0)

/* A growing text, for tests that build their input (CSV of many rows). */
typedef struct h_text {
    char *s;
    size_t n, cap;
} h_text;

static inline void h_put(h_text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->n + n + 1 > t->cap) {
        size_t cap = (t->n + n + 1) * 2;
        char *b = realloc(t->s, cap);
        if (!b) {
            fprintf(stderr, "  h_put: out of memory\n");
            exit(1);
        }
        t->s = b;
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, n + 1);
    t->n += n;
}

#define RUN(fn)                                                                                \
    do {                                                                                       \
        int h_before = h_failed_checks;                                                        \
        fn();                                                                                  \
        if (h_failed_checks == h_before)                                                       \
            printf("PASS %s\n", #fn);                                                          \
        else {                                                                                 \
            printf("FAIL %s\n", #fn);                                                          \
            h_failed_tests++;                                                                  \
        }                                                                                      \
        fflush(stdout);                                                                        \
    } while (0)

#define DONE() return h_failed_tests ? 1 : 0

#endif
