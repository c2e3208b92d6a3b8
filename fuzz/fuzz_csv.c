/*
 * fuzz_csv.c — libFuzzer target for the CSV reader and writer (src/io/
 * read_csv.c, write_csv.c).
 *
 * Any bytes must give a dataset or an error (status, message, no dataset),
 * never a crash, a leak or undefined behaviour. A dataset that reads must
 * also survive write → read unchanged: names, types, measures, missing
 * cells, numbers bit for bit, strings byte for byte. Each input is read
 * twice: without a codebook (types inferred) and with a small codebook that
 * declares `a` a string and `b` a number (types forced), so the seed corpus
 * uses those names. Each read is also made in parts on three threads (from
 * the first byte on, as a large file is) and with `b` and `c` asked narrow:
 * the same status, message, line and column, or the same cells.
 */
#define _GNU_SOURCE
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd_codebook *types_cb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char yaml[] = "variables:\n"
                               "  - name: a\n"
                               "    type: string\n"
                               "  - name: b\n"
                               "    type: numeric\n";
    if (sd__codebook_parse(yaml, sizeof yaml - 1, "fuzz.yaml", &types_cb, NULL) != SD_OK)
        types_cb = NULL; /* the codebook reader may not be built: fuzz without it */
    return 0;
}

/* Invariants of any dataset the reader returns. */
static void check_shape(const sd_dataset *ds)
{
    if (ds->nvars == 0 || ds->nrows > ds->rowcap)
        abort();
    for (size_t j = 0; j < ds->nvars; j++) {
        const sd_var *v = ds->vars[j];
        if (!v->name || !*v->name || v->intern)
            abort();
        if (v->type == SD_TYPE_STRING) {
            for (size_t k = 1; k < v->nlevels; k++)
                if (strcmp(v->levels[k - 1], v->levels[k]) >= 0)
                    abort(); /* levels sorted and distinct */
            for (size_t r = 0; r < ds->nrows; r++)
                if (!v->sysmis[r] && v->str[r] >= v->nlevels)
                    abort();
        } else if (v->measure == SD_MEASURE_ORDINAL) {
            abort();
        }
    }
}

static void check_same(const sd_dataset *a, const sd_dataset *b)
{
    if (a->nrows != b->nrows || a->nvars != b->nvars)
        abort();
    for (size_t j = 0; j < a->nvars; j++) {
        const sd_var *u = a->vars[j], *v = b->vars[j];
        if (strcmp(u->name, v->name) != 0 || u->type != v->type || u->measure != v->measure ||
            u->nlevels != v->nlevels)
            abort();
        for (size_t r = 0; r < a->nrows; r++) {
            if (u->sysmis[r] != v->sysmis[r])
                abort();
            if (u->sysmis[r])
                continue;
            if (u->type == SD_TYPE_NUMERIC) {
                if (memcmp(&u->num[r], &v->num[r], sizeof(double)) != 0)
                    abort();
            } else if (strcmp(u->levels[u->str[r]], v->levels[v->str[r]]) != 0) {
                abort();
            }
        }
    }
}

/* The same values through the public accessors (narrow columns too). */
static void check_values(const sd_dataset *a, const sd_dataset *b)
{
    if (a->nrows != b->nrows || a->nvars != b->nvars)
        abort();
    for (size_t j = 0; j < a->nvars; j++) {
        const sd_var *u = a->vars[j], *v = b->vars[j];
        if (strcmp(u->name, v->name) != 0 || u->type != v->type || u->measure != v->measure)
            abort();
        for (size_t r = 0; r < a->nrows; r++) {
            int m = sd_var_is_missing(u, r);
            if (m != sd_var_is_missing(v, r))
                abort();
            if (m)
                continue;
            if (u->type == SD_TYPE_NUMERIC) {
                double x = sd_var_num(u, r), y = sd_var_num(v, r);
                if (memcmp(&x, &y, sizeof x) != 0)
                    abort();
            } else if (strcmp(sd_var_str(u, r), sd_var_str(v, r)) != 0) {
                abort();
            }
        }
    }
}

/* The read in parts (and narrow) fails exactly as the single one, or gives
 * the same dataset. */
static void parts(const char *data, size_t size, const sd_codebook *cb, sd_status st1,
                  const sd_error *err1, const sd_dataset *ds1, bool narrow)
{
    static const char *const nn[] = {"b", "c"};
    sd_csv_cols sel = {.all = true, .threads = 3, .par_min = 1};
    if (narrow) {
        sel.narrow = nn;
        sel.nnarrow = 2;
    }
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    sd_status st = sd__read_csv_cols(data, size, "fuzz.csv", cb, &sel, &ds, err);
    if (st != st1)
        abort();
    if (st != SD_OK) {
        if (ds || strcmp(sd_error_message(err), sd_error_message(err1)) != 0 ||
            sd_error_line(err) != sd_error_line(err1) ||
            sd_error_column(err) != sd_error_column(err1))
            abort();
    } else {
        check_shape(ds);
        if (narrow)
            check_values(ds1, ds);
        else
            check_same(ds1, ds);
        sd_dataset_free(ds);
    }
    sd_error_free(err);
}

static void one(const char *data, size_t size, const sd_codebook *cb)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = (sd_dataset *)&err; /* must be reset to NULL on failure */
    sd_status st = sd__read_csv(data, size, "fuzz.csv", cb, &ds, err);
    if (st != SD_OK) {
        if (ds || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
        parts(data, size, cb, st, err, NULL, false);
        parts(data, size, cb, st, err, NULL, true);
        sd_error_free(err);
        return;
    }
    if (!ds || sd_error_status(err) != SD_OK)
        abort();
    check_shape(ds);
    parts(data, size, cb, st, err, ds, false);
    parts(data, size, cb, st, err, ds, true);

    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (fp) {
        st = sd__write_csv(ds, fp, "fuzz-out.csv", err);
        if (fclose(fp) != 0 || st != SD_OK)
            abort();
        sd_dataset *back = NULL;
        if (sd__read_csv(text, len, "fuzz-out.csv", cb, &back, err) != SD_OK)
            abort(); /* what we write, we read */
        check_same(ds, back);
        sd_dataset_free(back);
        free(text);
    }
    sd_dataset_free(ds);
    sd_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one((const char *)data, size, NULL);
    if (types_cb)
        one((const char *)data, size, types_cb);
    return 0;
}
