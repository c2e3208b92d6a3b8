/*
 * test_measure.c — the measurement rule (src/data/measure.c): what a
 * numeric variable is once read, whatever its file said, on CSV with and
 * without a codebook (a PSPP-written .sav is in tests/cases/tab/measure_sav).
 */
#include "data/data.h"
#include "harness.h"

#include <stdio.h>

/* A CSV of column `name` holding the codes 0..k-1 in turn over n rows (a
 * half step added when `half`), with an optional codebook. */
static sd_dataset *column(int k, int n, bool half, const char *codebook)
{
    char csv[8192];
    size_t len = (size_t)snprintf(csv, sizeof csv, "v\n");
    for (int i = 0; i < n && len < sizeof csv - 32; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, half ? "%d.5\n" : "%d\n", i % k);
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, len, "mem", &ds, e), SD_OK);
    if (ds && codebook)
        CHECK_INT(sd_dataset_apply_codebook_mem(ds, codebook, strlen(codebook), "cb", e), SD_OK);
    if (!ds)
        fprintf(stderr, "  %s\n", sd_error_message(e));
    sd_error_free(e);
    return ds;
}

static sd_measure measure_of(int k, int n, bool half, const char *codebook)
{
    sd_dataset *ds = column(k, n, half, codebook);
    sd_measure m = ds ? sd_var_measure(sd_dataset_find(ds, "v")) : (sd_measure)-1;
    sd_dataset_free(ds);
    return m;
}

/* A CSV without a codebook: SPSS's rule for unknown measures. */
static void test_unknown_measure(void)
{
    CHECK_INT(measure_of(5, 100, false, NULL), SD_MEASURE_NOMINAL);  /* a 1-5 item */
    CHECK_INT(measure_of(23, 100, false, NULL), SD_MEASURE_NOMINAL); /* fewer than 24 */
    CHECK_INT(measure_of(24, 100, false, NULL), SD_MEASURE_SCALE);   /* 24 or more */
    CHECK_INT(measure_of(148, 148, false, NULL), SD_MEASURE_SCALE);  /* api00 */
    CHECK_INT(measure_of(3, 100, true, NULL), SD_MEASURE_SCALE);     /* non-integers */
}

/* A stated measure stands, except "scale" on a labelled variable with at
 * most 24 values; labels only on missing codes change nothing. */
static void test_stated_measure(void)
{
    static const char scale_labelled[] =
        "variables:\n  - name: v\n    measure: scale\n    values:\n      0: Male\n      1: Female\n";
    static const char scale_missing_label[] =
        "variables:\n  - name: v\n    measure: scale\n    values:\n      0: Not given\n"
        "    missing: [0]\n";
    static const char nominal[] = "variables:\n  - name: v\n    measure: nominal\n";
    static const char ordinal_labelled[] =
        "variables:\n  - name: v\n    measure: ordinal\n    values:\n      1: Low\n";
    CHECK_INT(measure_of(2, 40, false, scale_labelled), SD_MEASURE_NOMINAL);
    CHECK_INT(measure_of(24, 48, false, scale_labelled), SD_MEASURE_NOMINAL); /* 24: at most */
    CHECK_INT(measure_of(25, 50, false, scale_labelled), SD_MEASURE_SCALE);   /* 25 values */
    CHECK_INT(measure_of(5, 40, false, scale_missing_label), SD_MEASURE_SCALE);
    CHECK_INT(measure_of(200, 200, false, nominal), SD_MEASURE_NOMINAL);
    CHECK_INT(measure_of(3, 30, false, ordinal_labelled), SD_MEASURE_ORDINAL);
}

/* Labelled, no measure stated: categories with few values or when most
 * values have labels (country codes), a scale otherwise. */
static void test_labelled_unknown(void)
{
    char cb[8192];
    size_t len = (size_t)snprintf(cb, sizeof cb, "variables:\n  - name: v\n    values:\n");
    for (int i = 0; i < 60 && len < sizeof cb - 32; i++)
        len += (size_t)snprintf(cb + len, sizeof cb - len, "      %d: C%d\n", i, i);
    CHECK_INT(measure_of(60, 120, false, cb), SD_MEASURE_NOMINAL);
    static const char top_coded[] = "variables:\n  - name: v\n    values:\n      99: 99 or more\n";
    CHECK_INT(measure_of(100, 100, false, top_coded), SD_MEASURE_SCALE);
    CHECK_INT(measure_of(10, 100, false, top_coded), SD_MEASURE_NOMINAL);
}

int main(void)
{
    RUN(test_unknown_measure);
    RUN(test_stated_measure);
    RUN(test_labelled_unknown);
    DONE();
}
