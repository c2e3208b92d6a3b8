/*
 * test_stream.c — the streaming mode (engine/stream.c): a CSV file
 * tabulated a chunk of rows at a time gives, byte for byte, the JSON that
 * the whole file gives, with chunks of the same size in the in-memory pass.
 * The weights are not whole numbers, so a sum added in another order
 * would show in the last digits. The file is made so that chunks differ:
 * codes, string categories, strata and PSUs that first appear late, PSUs
 * that span chunks, rows of weight 0 and blank weights, blank lines,
 * quoted fields. Requests the mode cannot stream, and files whose later
 * rows read otherwise, must say so (SD_E_UNSUPPORTED) rather than give
 * another result.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "engine/engine.h"
#include "harness.h"

#include <unistd.h>

static char dir[] = "/tmp/sondage-stream-XXXXXX";
static char csv_path[256], cb_path[256];

static const char codebook[] =
    "sondage_codebook: 1\n"
    "variables:\n"
    "  - name: q\n"
    "    values: {1: one, 2: two, 3: three, 4: four, 5: five, 9: dk}\n"
    "    missing: [9]\n"
    "    nets:\n"
    "      - {name: top, codes: [4, 5]}\n"
    "  - name: city\n"
    "    type: string\n"
    "mrsets:\n"
    "  - name: acts\n"
    "    kind: dichotomy\n"
    "    counted: 1\n"
    "    variables: [a1, a2, a3]\n";

/* A file `name` in the test's folder, opened for writing (its path in
 * path[0..cap)); NULL, a check failed, when it cannot be. */
static FILE *new_file(char *path, size_t cap, const char *name)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    return fp;
}

/* 1,000 rows (MINSTD); `late` adds what only the last rows hold. */
static void make_csv(const char *path, bool blank_lines)
{
    uint64_t x = 4242;
#define NEXT(k) ((x = (48271 * x) % 2147483647) % (k))
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fputs("role,size,q,a1,a2,a3,city,w,st,psu,sname,x\n", fp);
    for (int i = 0; i < 1000; i++) {
        int role = 1 + (int)NEXT(2), size = 1 + (int)NEXT(i < 600 ? 3 : 5);
        int q = (int)NEXT(8); /* 0: missing, 6: the user-missing 9, 7: a code 7 late */
        int st = 1 + (int)NEXT(i < 500 ? 3 : 4); /* stratum 4 from row 500 on */
        int psu = (int)NEXT(5) + (i / 300) * 5;   /* PSUs of a stratum over chunks */
        int wi = (int)NEXT(40);
        fprintf(fp, "%d,%d,", role, size);
        if (q && !(q == 7 && i < 700))
            fprintf(fp, "%d", q == 6 ? 9 : q);
        int a1 = (int)NEXT(2), a2 = (int)NEXT(2), a3 = (int)NEXT(2);
        fprintf(fp, ",%d,%d,%d,", a1, a2, a3);
        static const char *const cities[] = {"Lyon", "Paris", "\"Aix, en Provence\"",
                                             "Zurich", "Brest"};
        fputs(cities[NEXT(i < 800 ? 3 : 5)], fp);
        if (wi == 0)
            fputs(",", fp); /* a blank weight */
        else if (wi == 1)
            fputs(",0", fp);
        else
            fprintf(fp, ",%.6f", 0.1 + wi / 7.0);
        int xv = (int)NEXT(50);
        fprintf(fp, ",%d,%d,s%d,%d\n", st, st * 100 + psu, st, xv);
        if (blank_lines && i % 97 == 0)
            fputs("\n", fp);
    }
#undef NEXT
    fclose(fp);
}

static void setup(void)
{
    CHECK(mkdtemp(dir) != NULL);
    snprintf(csv_path, sizeof csv_path, "%s/data.csv", dir);
    snprintf(cb_path, sizeof cb_path, "%s/cb.yaml", dir);
    make_csv(csv_path, true);
    FILE *fp = fopen(cb_path, "w");
    CHECK(fp != NULL);
    if (fp) {
        fputs(codebook, fp);
        fclose(fp);
    }
}

static sd_tabspec *spec_of(const char *const *opts, const char *chunk)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    sd_status st = SD_OK;
    for (size_t i = 0; opts[i] && st == SD_OK; i += 2)
        st = sd_tabspec_set_option(s, opts[i], opts[i + 1], e);
    if (st == SD_OK)
        st = sd_tabspec_set_option(s, "chunk-rows", chunk, e);
    if (st != SD_OK)
        fprintf(stderr, "  %s\n", sd_error_message(e));
    CHECK_INT(st, SD_OK);
    sd_error_free(e);
    return s;
}

static char *json_of(sd_result *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    sd_error *e = sd_error_new();
    if (fp) {
        CHECK_INT(sd_result_write(r, SD_OUT_JSON, "en", fp, e), SD_OK);
        fclose(fp);
    }
    sd_error_free(e);
    return text;
}

/* The whole file's JSON (the request's columns read, as `tab` does). */
static char *whole_json(const char *path, const char *cb, sd_tabspec *s)
{
    sd_open_options o = {.codebook = cb};
    sd_dataset *ds = NULL;
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    sd_tabspec *const specs[1] = {s};
    sd_status st = sd_dataset_open_for(path, &o, specs, 1, &ds, e);
    if (st == SD_OK)
        st = sd_tabulate(ds, s, &r, e);
    if (st != SD_OK)
        fprintf(stderr, "  whole: %s\n", sd_error_message(e));
    char *text = st == SD_OK ? json_of(r) : NULL;
    sd_result_free(r);
    sd_dataset_free(ds);
    sd_error_free(e);
    return text;
}

static sd_status stream_json(const char *path, const char *cb, sd_tabspec *s, char **out,
                             char *why, size_t whylen)
{
    sd_open_options o = {.codebook = cb};
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    sd_tabspec *const specs[1] = {s};
    sd_status st = sd_tabulate_stream(path, &o, specs, 1, &r, e);
    CHECK(st == SD_OK || r == NULL);
    *out = st == SD_OK ? json_of(r) : NULL;
    snprintf(why, whylen, "%s", st == SD_OK ? "" : sd_error_message(e));
    sd_result_free(r);
    sd_error_free(e);
    return st;
}

/* Stream and whole file agree, byte for byte, in chunks of 1, 37, 300 and
 * 5000 rows. */
static void same(const char *const *opts, const char *cb)
{
    static const char *const chunks[] = {"1", "37", "300", "5000", "37"};
    for (size_t k = 0; k < 5; k++) {
        sd_tabspec *s = spec_of(opts, chunks[k]);
        /* The last: chunks read in line, not on a reader thread. */
        if (k == 4)
            CHECK_INT(sd_tabspec_set_option(s, "threads", "1", NULL), SD_OK);
        char *whole = whole_json(csv_path, cb, s), *part = NULL, why[256];
        sd_status st = stream_json(csv_path, cb, s, &part, why, sizeof why);
        if (st != SD_OK)
            fprintf(stderr, "  chunks of %s: %s\n", chunks[k], why);
        CHECK_INT(st, SD_OK);
        CHECK(whole != NULL);
        if (whole && part && strcmp(whole, part) != 0) {
            size_t i = 0;
            while (part[i] && part[i] == whole[i])
                i++;
            fprintf(stderr, "  chunks of %s: differs at byte %zu: ...%.80s\n  whole: ...%.80s\n",
                    chunks[k], i, part + (i > 40 ? i - 40 : 0), whole + (i > 40 ? i - 40 : 0));
            h_failed_checks++;
        }
        free(whole);
        free(part);
        sd_tabspec_free(s);
    }
}

static void test_plain(void)
{
    static const char *const o[] = {"rows", "q,size,city", "cols", "role,city", NULL};
    same(o, cb_path);
}

static void test_weighted_tests(void)
{
    static const char *const o[] = {"rows", "q,size,city,acts", "cols", "role,size,acts",
                                    "weight", "w", "tests", "true", "means", "true", "stats",
                                    "true", "deff", "true", NULL};
    same(o, cb_path);
}

static void test_strata(void)
{
    static const char *const o[] = {"rows",  "q,city", "cols",  "role", "weight",
                                    "w",     "strata", "st",    "tests", "true",
                                    "deff",  "true",   NULL};
    same(o, cb_path);
    static const char *const s[] = {"rows", "q", "cols", "size", "weight", "w", "strata",
                                    "sname", "tests", "true", NULL};
    same(s, cb_path);
}

static void test_clusters(void)
{
    static const char *const o[] = {"rows", "q,size,acts", "cols", "role", "weight", "w",
                                    "strata", "st", "cluster", "psu", "tests", "true",
                                    "deff", "true", NULL};
    same(o, cb_path);
    static const char *const n[] = {"rows",    "q",    "cols",  "role", "weight", "w",
                                    "strata",  "sname", "cluster", "size", "nest", "true",
                                    "lonely-psu", "adjust", NULL};
    same(n, cb_path);
    static const char *const c[] = {"rows", "city", "cols", "role", "cluster", "psu", NULL};
    same(c, cb_path);
}

static void test_filter_missing(void)
{
    static const char *const o[] = {"rows", "q", "cols", "size", "weight", "w", "filter",
                                    "role = 2 and city != 'Lyon'", "missing", "include",
                                    "tests", "true", NULL};
    same(o, cb_path);
    static const char *const p[] = {"rows", "q", "cols", "role", "pct", "row", "sort", "desc",
                                    "hide-empty", "true", NULL};
    same(p, cb_path);
}

/* Every interval and test option reads the sums only. */
static void test_options(void)
{
    static const char *const ci[] = {"wilson", "beta", "xlogit", "asin", "wald", "mean"};
    for (size_t k = 0; k < sizeof ci / sizeof ci[0]; k++) {
        const char *const o[] = {"rows", "q,acts", "cols", "role", "weight", "w", "strata",
                                 "st", "cluster", "psu", "ci", ci[k], "stats", "true", NULL};
        same(o, cb_path);
    }
    static const char *const t[] = {"rows",    "q,city",   "cols",      "size,role", "weight",
                                    "w",       "letters",  "spss",      "adjust",    "holm",
                                    "chisq",   "Chisq",    "pair-test", "unpooled",  "alpha",
                                    "0.1",     "alpha2",   "0.2",       "level",     "0.9",
                                    "min-base", "10",      NULL};
    same(t, cb_path);
}

static void test_no_codebook(void)
{
    static const char *const o[] = {"rows", "q,size,city", "cols", "role", "weight", "w",
                                    "strata", "st", "cluster", "psu", NULL};
    same(o, NULL);
}

/* A scale row: its median (and the median's interval) the whole file's,
 * from its values kept by column and a second read; late banner columns,
 * a filter, a design. */
static void test_scale(void)
{
    static const char *const o[] = {"rows", "x:mean,w", "cols", "role,city,size", "weight",
                                    "w", "stats", "true", "tests", "true", NULL};
    same(o, cb_path);
    static const char *const d[] = {"rows",    "x:mean,q", "cols", "size", "weight", "w",
                                    "strata",  "st",       "cluster", "psu", "filter",
                                    "city != 'Paris'", NULL};
    same(d, cb_path);
}

/* What it cannot stream, it says. */
static void refused(const char *const *opts, const char *path, const char *cb,
                    const char *expect)
{
    sd_tabspec *s = spec_of(opts, "100");
    char *part = NULL, why[256];
    CHECK_INT(stream_json(path, cb, s, &part, why, sizeof why), SD_E_UNSUPPORTED);
    CHECK(part == NULL);
    if (!strstr(why, expect)) {
        fprintf(stderr, "  why: \"%s\", expected \"%s\"\n", why, expect);
        h_failed_checks++;
    }
    free(part);
    sd_tabspec_free(s);
}

static void test_refused(void)
{
    static const char *const nested[] = {"rows", "q", "cols", "role>size", NULL};
    refused(nested, csv_path, cb_path, "nested banner");
    static const char *const fpc[] = {"rows", "q", "strata", "st", "fpc", "x", NULL};
    refused(fpc, csv_path, cb_path, "fpc");
    static const char *const reps[] = {"rows", "q", "make-replicates", "jk1", "cluster", "psu",
                                       NULL};
    refused(reps, csv_path, cb_path, "replicate");
    /* x has 50 codes: the whole file could read it as a scale. */
    static const char *const many[] = {"rows", "x:cat", "cols", "role", NULL};
    sd_tabspec *s = spec_of(many, "100");
    char *part = NULL, why[256];
    CHECK_INT(stream_json(csv_path, cb_path, s, &part, why, sizeof why), SD_OK);
    free(part);
    sd_tabspec_free(s);
    /* Without a codebook x is a scale in the whole file (50 codes): a
     * chunk of 100 rows says so too and streams; chunks of one row each
     * read it as categories, whose union is too many to be sure. */
    static const char *const many2[] = {"rows", "x", "cols", "role", NULL};
    s = spec_of(many2, "100");
    CHECK_INT(stream_json(csv_path, NULL, s, &part, why, sizeof why), SD_OK);
    free(part);
    sd_tabspec_free(s);
    s = spec_of(many2, "1");
    CHECK_INT(stream_json(csv_path, NULL, s, &part, why, sizeof why), SD_E_UNSUPPORTED);
    CHECK(strstr(why, "reads otherwise") != NULL);
    free(part);
    sd_tabspec_free(s);
    static const char *const unknown[] = {"rows", "nosuch", NULL};
    refused(unknown, csv_path, cb_path, "does not resolve");
    static const char *const plain[] = {"rows", "q", NULL};
    refused(plain, "@study", NULL, "CSV");
}

/* A later chunk that reads otherwise: a column that turns to text, a row
 * with a field too many. Streamed, it is refused; the whole file gives its
 * own result or error. */
static void test_later_rows(void)
{
    char path[300];
    FILE *fp = new_file(path, sizeof path, "late.csv");
    if (!fp)
        return;
    fputs("g,v\n", fp);
    for (int i = 0; i < 500; i++)
        fprintf(fp, "%d,%d\n", i % 3, i % 4);
    fputs("1,text\n", fp);
    fclose(fp);
    static const char *const o[] = {"rows", "v", "cols", "g", NULL};
    refused(o, path, NULL, "read otherwise");
    fp = new_file(path, sizeof path, "bad.csv");
    if (!fp)
        return;
    fputs("g,v\n", fp);
    for (int i = 0; i < 500; i++)
        fprintf(fp, "%d,%d\n", i % 3, i % 4);
    fputs("1,2,3\n", fp);
    fclose(fp);
    refused(o, path, NULL, "whole read");
    /* Clusters that meet in two strata over two chunks: the whole file's
     * error, not another design. */
    fp = new_file(path, sizeof path, "nest.csv");
    if (!fp)
        return;
    fputs("g,st,psu\n", fp);
    for (int i = 0; i < 400; i++)
        fprintf(fp, "%d,%d,%d\n", i % 2, i < 200 ? 1 : 2, i % 7);
    fclose(fp);
    static const char *const n[] = {"rows", "g", "strata", "st", "cluster", "psu", NULL};
    refused(n, path, NULL, "two strata");
}

/* Line ends of every kind and quoted fields across lines, in chunks parsed
 * on several threads: each chunk starts where the scan of line ends says
 * (sd__csv_stream_skip), which must be where the one before stopped. */
static void test_line_ends(void)
{
    char path[300];
    FILE *fp = new_file(path, sizeof path, "ends.csv");
    if (!fp)
        return;
    fputs("g,v,t\r\n", fp);
    static const char *const ends[] = {"\r\n", "\n", "\r", "\r\n\r\n", "\n\n"};
    static const char *const texts[] = {"plain", "\"two\nlines\"", "\"a, \"\"quote\"\"\"",
                                        "\"cr\rinside\"", "\"\""};
    for (int i = 0; i < 700; i++)
        fprintf(fp, "%d,%d,%s%s", i % 3, (i * 7) % 5, texts[(i / 3) % 5], ends[(i / 11) % 5]);
    fclose(fp);
    static const char *const o[] = {"rows", "v,t", "cols", "g", NULL};
    static const char *const chunks[] = {"1", "13", "64"};
    for (size_t k = 0; k < 3; k++) {
        sd_tabspec *s = spec_of(o, chunks[k]);
        char *whole = whole_json(path, NULL, s), *part = NULL, why[256];
        CHECK_INT(stream_json(path, NULL, s, &part, why, sizeof why), SD_OK);
        if (!part)
            fprintf(stderr, "  chunks of %s: %s\n", chunks[k], why);
        CHECK(whole && part && strcmp(whole, part) == 0);
        CHECK(whole && strstr(whole, "two\\nlines"));
        free(whole);
        free(part);
        sd_tabspec_free(s);
    }
}

/* Without a chunk size asked: the pass's and the stream's default chunks
 * (SD_CHUNK_ROWS) must be one size, or the sums would be added in other
 * orders; 140,001 rows make three chunks, the weights not whole. */
static void test_default_chunks(void)
{
    char path[300];
    FILE *fp = new_file(path, sizeof path, "big.csv");
    if (!fp)
        return;
    fputs("g,q,w,st,psu\n", fp);
    uint64_t x = 77;
    for (int i = 0; i < 140001; i++) {
        x = (48271 * x) % 2147483647;
        fprintf(fp, "%d,%d,%.4f,%d,%d\n", (int)(x % 3), (int)(x / 3 % 6), 0.5 + (double)(x % 997) / 331,
                (int)(x / 7 % 5), (int)(x / 7 % 5) * 100 + (int)(x / 41 % 30));
    }
    fclose(fp);
    static const char *const o[] = {"rows", "q", "cols", "g", "weight", "w", "strata", "st",
                                    "cluster", "psu", "tests", "true", NULL};
    sd_tabspec *s = sd_tabspec_new();
    for (size_t i = 0; o[i]; i += 2)
        CHECK_INT(sd_tabspec_set_option(s, o[i], o[i + 1], NULL), SD_OK);
    char *whole = whole_json(path, NULL, s), *part = NULL, why[256];
    CHECK_INT(stream_json(path, NULL, s, &part, why, sizeof why), SD_OK);
    CHECK(whole && part && strcmp(whole, part) == 0);
    CHECK(whole && strstr(whole, "\"rows\": 140001"));
    free(whole);
    free(part);
    sd_tabspec_free(s);
}

/* Several requests over one read of the file: the tables of each, in
 * order, as the whole file gives them one request after the other. */
static void test_several(void)
{
    static const char *const a[] = {"rows", "q,city", "cols", "role", "weight", "w", "strata",
                                    "st", "cluster", "psu", "tests", "true", NULL};
    static const char *const b[] = {"rows", "size,acts", "cols", "city", "filter", "role = 1",
                                    NULL};
    static const char *const c[] = {"rows", "q", "cols", "size", "weight", "w", "strata",
                                    "sname", NULL};
    sd_tabspec *specs[3] = {spec_of(a, "37"), spec_of(b, "37"), spec_of(c, "37")};
    sd_open_options o = {.codebook = cb_path};
    sd_error *e = sd_error_new();
    sd_dataset *ds = NULL;
    sd_result *whole = NULL, *part = NULL;
    CHECK_INT(sd_dataset_open_for(csv_path, &o, specs, 3, &ds, e), SD_OK);
    for (size_t i = 0; ds && i < 3; i++) {
        sd_result *r = NULL;
        CHECK_INT(sd_tabulate(ds, specs[i], &r, e), SD_OK);
        if (whole)
            CHECK_INT(sd_result_merge(whole, r, e), SD_OK);
        else
            whole = r;
    }
    sd_result *parts[3] = {NULL, NULL, NULL};
    CHECK_INT(sd_tabulate_stream(csv_path, &o, specs, 3, parts, e), SD_OK);
    part = parts[0];
    for (size_t i = 1; part && i < 3; i++)
        CHECK_INT(sd_result_merge(part, parts[i], e), SD_OK);
    char *wj = whole ? json_of(whole) : NULL, *pj = part ? json_of(part) : NULL;
    CHECK(wj && pj && strlen(wj) > 10000);
    CHECK(wj && pj && strcmp(wj, pj) == 0);
    free(wj);
    free(pj);
    sd_result_free(whole);
    sd_result_free(part);
    sd_dataset_free(ds);
    sd_error_free(e);
    for (size_t i = 0; i < 3; i++)
        sd_tabspec_free(specs[i]);
}

int main(void)
{
    setup();
    RUN(test_plain);
    RUN(test_weighted_tests);
    RUN(test_strata);
    RUN(test_clusters);
    RUN(test_filter_missing);
    RUN(test_options);
    RUN(test_no_codebook);
    RUN(test_scale);
    RUN(test_refused);
    RUN(test_later_rows);
    RUN(test_several);
    RUN(test_line_ends);
    RUN(test_default_chunks);
    const char *names[] = {"data.csv", "cb.yaml", "late.csv", "bad.csv", "nest.csv", "ends.csv",
                           "big.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    DONE();
}
