/*
 * test_chunks.c — the pass in chunks: every figure of a request is the same
 * whether its rows are added in one chunk or in chunks of 7 rows merged in
 * order, on 1, 2 or 3 threads. Weights, replicate weights and values are
 * whole numbers, so every sum is exact whatever its order: a sum the merge
 * forgot (or added twice) changes the output. Every kind of table (a
 * categorical variable with nets, both kinds of multiple-response set, a
 * scale variable), of banner (variable, nested, set), a filter, rows of
 * weight 0, and every kind of design's sums (per unit, per stratum, per
 * replicate, replicates made from PSUs, rows past the replicate-pattern
 * cap) and the tests.
 */
#include "engine/engine.h"
#include "harness.h"

static const char codebook[] =
    "sondage_codebook: 1\n"
    "variables:\n"
    "  - name: q\n"
    "    values: {1: one, 2: two, 3: three, 4: four, 5: five, 9: dk}\n"
    "    missing: [9]\n"
    "    nets:\n"
    "      - {name: top, codes: [4, 5]}\n"
    "  - name: x\n"
    "    measure: scale\n"
    "mrsets:\n"
    "  - name: acts\n"
    "    kind: dichotomy\n"
    "    counted: 1\n"
    "    variables: [a1, a2, a3]\n"
    "  - name: cats\n"
    "    kind: category\n"
    "    variables: [c1, c2]\n";

/* 500 rows from a small generator (MINSTD). */
static char *make_csv(size_t *len)
{
    uint64_t x = 12345;
#define NEXT(k) ((x = (48271 * x) % 2147483647) % (k))
    size_t cap = 500 * 128 + 256, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    n += (size_t)snprintf(buf, cap, "role,size,q,a1,a2,a3,c1,c2,x,w,st,psu");
    for (int r = 1; r <= 8; r++)
        n += (size_t)snprintf(buf + n, cap - n, ",rw%d", r);
    buf[n++] = '\n';
    for (int i = 0; i < 500; i++) {
        int role = 1 + (int)NEXT(2), size = 1 + (int)NEXT(3);
        int q = (int)NEXT(7); /* 0: missing, 6: the user-missing 9 */
        int st = 1 + (int)NEXT(4), psu = st * 10 + (int)NEXT(3);
        int w = (int)NEXT(4); /* 0 leaves the row out */
        n += (size_t)snprintf(buf + n, cap - n, "%d,%d,", role, size);
        if (q)
            n += (size_t)snprintf(buf + n, cap - n, "%d", q == 6 ? 9 : q);
        int a1 = (int)NEXT(2), a2 = (int)NEXT(2), a3 = (int)NEXT(2), c1 = 1 + (int)NEXT(4);
        n += (size_t)snprintf(buf + n, cap - n, ",%d,%d,%d,%d,", a1, a2, a3, c1);
        int c2 = (int)NEXT(5);
        if (c2)
            n += (size_t)snprintf(buf + n, cap - n, "%d", c2);
        int xv = (int)NEXT(101);
        n += (size_t)snprintf(buf + n, cap - n, ",%d,%d,%d,%d", xv, w, st, psu);
        for (int r = 0; r < 8; r++)
            n += (size_t)snprintf(buf + n, cap - n, ",%d", psu % 8 == r ? 0 : 2 * w);
        buf[n++] = '\n';
    }
#undef NEXT
    *len = n;
    return buf;
}

/* The request's JSON, or NULL when it fails. */
static char *tab_json(const sd_dataset *ds, const char *const *opts, const char *chunk,
                      const char *threads)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    sd_status st = SD_OK;
    for (size_t i = 0; opts[i] && st == SD_OK; i += 2)
        st = sd_tabspec_set_option(s, opts[i], opts[i + 1], e);
    if (st == SD_OK && chunk)
        st = sd_tabspec_set_option(s, "chunk-rows", chunk, e);
    if (st == SD_OK)
        st = sd_tabspec_set_option(s, "threads", threads, e);
    sd_result *r = NULL;
    if (st == SD_OK)
        st = sd_tabulate(ds, s, &r, e);
    char *text = NULL;
    size_t len = 0;
    FILE *fp = st == SD_OK ? open_memstream(&text, &len) : NULL;
    if (fp) {
        if (sd_result_write(r, SD_OUT_JSON, "en", fp, e) != SD_OK)
            st = SD_E_IO;
        fclose(fp);
    }
    if (st != SD_OK) {
        fprintf(stderr, "  %s\n", sd_error_message(e));
        free(text);
        text = NULL;
    }
    sd_result_free(r);
    sd_tabspec_free(s);
    sd_error_free(e);
    return text;
}

static void same_in_chunks(const char *const *opts)
{
    size_t len = 0;
    char *csv = make_csv(&len);
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, len, "chunks", &ds, e), SD_OK);
    CHECK_INT(sd_dataset_apply_codebook_mem(ds, codebook, sizeof codebook - 1, "cb", e), SD_OK);
    char *whole = tab_json(ds, opts, NULL, "1");
    CHECK(whole != NULL);
    static const char *const threads[] = {"1", "2", "3"};
    for (size_t k = 0; whole && k < 3; k++) {
        char *part = tab_json(ds, opts, "7", threads[k]);
        CHECK(part != NULL);
        if (part && strcmp(part, whole) != 0) {
            size_t i = 0;
            while (part[i] && part[i] == whole[i])
                i++;
            fprintf(stderr, "  %s threads, chunks of 7: differs at byte %zu: ...%.80s\n  one chunk: ...%.80s\n",
                    threads[k], i, part + (i > 40 ? i - 40 : 0), whole + (i > 40 ? i - 40 : 0));
            h_failed_checks++;
        }
        if (getenv("CHUNKS_DUMP")) {
            FILE *f = fopen("/tmp/h14_whole.json", "w"); fputs(whole, f); fclose(f);
            f = fopen("/tmp/h14_part.json", "w"); fputs(part ? part : "", f); fclose(f);
        }
        free(part);
    }
    free(whole);
    sd_dataset_free(ds);
    sd_error_free(e);
    free(csv);
}

#define ROWS "rows", "q,acts,cats,x"
#define COLS "cols", "role,size>role,acts"

static void test_counts_and_banners(void)
{
    same_in_chunks((const char *const[]){ROWS, COLS, "weight", "w", "filter", "size != 3",
                                         "tests", "true", NULL});
}

static void test_units(void)
{
    same_in_chunks((const char *const[]){ROWS, COLS, "weight", "w", "strata", "st", "cluster",
                                         "psu", "deff", "true", "tests", "true", NULL});
}

static void test_strata_moments(void)
{
    same_in_chunks((const char *const[]){ROWS, COLS, "weight", "w", "strata", "st", "tests",
                                         "true", NULL});
}

static void test_given_replicates_past_the_pattern_cap(void)
{
    same_in_chunks((const char *const[]){ROWS, COLS, "weight", "w", "repweights", "^rw[0-9]$",
                                         "reptype", "jk1", "scale", "0.875", "patterns-max", "3",
                                         "tests", "true", NULL});
}

static void test_made_replicates(void)
{
    same_in_chunks((const char *const[]){ROWS, COLS, "weight", "w", "strata", "st", "cluster",
                                         "psu", "make-replicates", "jkn", "tests", "true",
                                         NULL});
}

int main(void)
{
    RUN(test_counts_and_banners);
    RUN(test_units);
    RUN(test_strata_moments);
    RUN(test_given_replicates_past_the_pattern_cap);
    RUN(test_made_replicates);
    DONE();
}
