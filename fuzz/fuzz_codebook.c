/*
 * fuzz_codebook.c — libFuzzer target for the YAML codebook (src/io/
 * codebook_parse.c, codebook_apply.c, write_codebook.c).
 *
 * Any bytes must parse to a codebook or give an error, never a crash, a leak
 * or undefined behaviour. A codebook that parses is applied to a small fixed
 * dataset built in memory; when that succeeds, the dataset's codebook is
 * written, read back and applied to a fresh copy of the same dataset, which
 * must succeed and write the same bytes again (the writer's output is a
 * fixed point). The seed corpus (fuzz/corpus/codebook/) uses the names of
 * the fixed dataset: numeric role, q1, q2, q3, w, fpc1, rw1, rw2, age;
 * string city, psu.
 */
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd_dataset *make_ds(void)
{
    static const char *const nums[] = {"role", "q1", "q2", "q3", "w", "fpc1", "rw1", "rw2", "age"};
    static const char *const strs[] = {"city", "psu"};
    static const char *const cities[] = {"Paris", "Lyon", "NA"};
    sd_dataset *ds = sd__dataset_new("fuzz");
    if (!ds)
        abort();
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (sd__dataset_add_var(ds, nums[i], SD_TYPE_NUMERIC, NULL, NULL) != SD_OK)
            abort();
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (sd__dataset_add_var(ds, strs[i], SD_TYPE_STRING, NULL, NULL) != SD_OK)
            abort();
    if (!sd__dataset_reserve_rows(ds, 3))
        abort();
    for (size_t r = 0; r < 3; r++) {
        for (size_t i = 0; i < ds->nvars; i++) {
            sd_var *v = ds->vars[i];
            v->sysmis[r] = 0;
            if (v->type == SD_TYPE_NUMERIC) {
                v->num[r] = (double)r + 1;
            } else {
                const char *s = i == ds->nvars - 1 ? (r ? "b" : "a") : cities[r];
                if (!sd__var_intern(v, s, strlen(s), &v->str[r]))
                    abort();
            }
        }
    }
    ds->nrows = 3;
    for (size_t i = 0; i < ds->nvars; i++)
        if (!sd__var_finish_levels(ds->vars[i], ds->nrows))
            abort();
    return ds;
}

/* The dataset's codebook as text (malloc'd), or abort: writing a dataset a
 * codebook was applied to cannot fail. */
static char *write_text(const sd_dataset *ds, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&buf, &n);
    if (!fp)
        abort();
    sd_status st = sd__codebook_write(ds, fp, "fuzz.yaml", NULL);
    fclose(fp);
    if (st != SD_OK)
        abort();
    *len = n;
    return buf;
}

static void round_trip(const sd_dataset *ds)
{
    size_t n1, n2;
    char *t1 = write_text(ds, &n1);
    sd_dataset *fresh = make_ds();
    sd_error *err = sd_error_new();
    sd_codebook *cb = NULL;
    if (sd__codebook_parse(t1, n1, "fuzz.yaml", &cb, err) != SD_OK ||
        sd__codebook_apply(cb, fresh, err) != SD_OK) {
        fprintf(stderr, "written codebook does not read back: %ld:%ld %s\n%.*s\n",
                sd_error_line(err), sd_error_column(err), sd_error_message(err), (int)n1, t1);
        abort();
    }
    char *t2 = write_text(fresh, &n2);
    if (n1 != n2 || memcmp(t1, t2, n1) != 0) {
        fprintf(stderr, "writer is not a fixed point:\n%.*s\n----\n%.*s\n", (int)n1, t1, (int)n2,
                t2);
        abort();
    }
    free(t1);
    free(t2);
    sd__codebook_free(cb);
    sd_error_free(err);
    sd_dataset_free(fresh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_error *err = sd_error_new();
    sd_codebook *cb = NULL;
    sd_status st = sd__codebook_parse((const char *)data, size, "fuzz.yaml", &cb, err);
    if (st != SD_OK) {
        /* A failure leaves no codebook and names a status. */
        if (cb || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
    } else {
        sd_type t;
        (void)sd__codebook_var_type(cb, "role", &t);
        (void)sd__codebook_var_type(cb, "city", &t);
        sd_dataset *ds = make_ds();
        st = sd__codebook_apply(cb, ds, err);
        if (st == SD_OK)
            round_trip(ds);
        else if (sd_error_status(err) != st || !*sd_error_message(err))
            abort();
        sd_dataset_free(ds);
    }
    sd__codebook_free(cb);
    sd_error_free(err);
    return 0;
}
