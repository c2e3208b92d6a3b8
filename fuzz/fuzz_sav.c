/*
 * fuzz_sav.c — libFuzzer target for the SPSS .sav/.zsav reader (src/io/
 * read_readstat.c through ReadStat, fed from memory by custom I/O handlers)
 * and the .sav writer (src/io/write_sav.c).
 *
 * Any bytes must give a dataset or an error (status, message, no dataset),
 * never a crash, a leak or undefined behaviour. A dataset that reads must
 * hold only what the data layer promises (valid UTF-8 text, sorted distinct
 * string levels, level indexes in range), and, when the writer accepts it
 * (names SPSS rejects are renamed to valid ones), must read back with the
 * same shape, types, missing cells and values. Seeds: fuzz/corpus/sav/.
 */
#include "io/readstat_mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out_path[64]; /* scratch file for the writer, removed at exit */

static void remove_out(void)
{
    if (out_path[0])
        unlink(out_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(out_path, sizeof out_path, "/tmp/fuzz_sav_XXXXXX");
    int fd = mkstemp(out_path);
    if (fd < 0) {
        out_path[0] = '\0'; /* no scratch file: fuzz the reader only */
    } else {
        close(fd);
        atexit(remove_out);
    }
    return 0;
}

static void utf8_ok(const char *s)
{
    if (s && sd__utf8_valid_prefix(s, strlen(s)) != strlen(s))
        abort();
}

static void check_shape(const sd_dataset *ds)
{
    if (ds->nvars == 0 || ds->nrows > ds->rowcap)
        abort();
    utf8_ok(sd_dataset_title(ds, NULL));
    for (size_t j = 0; j < ds->nvars; j++) {
        const sd_var *v = ds->vars[j];
        if (!v->name || !*v->name || v->intern)
            abort();
        utf8_ok(v->name);
        utf8_ok(sd_var_label(v, NULL));
        for (size_t k = 0; k < v->nvl; k++) {
            utf8_ok(sd_var_value_label(v, k, NULL));
            utf8_ok(v->vl[k].str);
            if ((v->type == SD_TYPE_STRING) != (v->vl[k].str != NULL))
                abort(); /* labels match the variable's type */
        }
        if (v->type == SD_TYPE_STRING) {
            for (size_t k = 0; k < v->nlevels; k++) {
                utf8_ok(v->levels[k]);
                if (k && strcmp(v->levels[k - 1], v->levels[k]) >= 0)
                    abort(); /* levels sorted and distinct */
            }
            for (size_t r = 0; r < ds->nrows; r++)
                if (!v->sysmis[r] && v->str[r] >= v->nlevels)
                    abort();
        } else {
            for (size_t r = 0; r < ds->nrows; r++)
                if (!v->sysmis[r] && isnan(v->num[r]))
                    abort(); /* NaN is system-missing, never a value */
        }
        for (size_t r = 0; r < ds->nrows; r++)
            (void)sd_var_is_missing(v, r);
    }
}

static void check_same(const sd_dataset *a, const sd_dataset *b)
{
    if (a->nrows != b->nrows || a->nvars != b->nvars)
        abort();
    for (size_t j = 0; j < a->nvars; j++) {
        const sd_var *u = a->vars[j], *v = b->vars[j];
        /* A name SPSS cannot take is written renamed (write_sav.c): then
         * the new one must be a valid name. */
        if ((strcmp(u->name, v->name) != 0 && !sd__valid_name(v->name)) || u->type != v->type ||
            u->measure != v->measure)
            abort();
        for (size_t r = 0; r < a->nrows; r++) {
            if (u->sysmis[r] != v->sysmis[r])
                abort();
            if (u->sysmis[r])
                continue;
            if (u->type == SD_TYPE_NUMERIC) {
                double x = u->num[r], y = v->num[r];
                if (isfinite(x) && fabs(x) < 1e300 && x != y)
                    abort(); /* ±Inf and the extremes map to SPSS HIGHEST/LOWEST */
            } else if (strcmp(u->levels[u->str[r]], v->levels[v->str[r]]) != 0) {
                abort();
            }
        }
    }
}

static void round_trip(const sd_dataset *ds)
{
    if (!out_path[0])
        return;
    sd_error *err = sd_error_new();
    sd_status st = sd__write_sav(ds, out_path, NULL, err);
    if (st != SD_OK) {
        /* Names or missing values .sav cannot hold are refused, cleanly. */
        if ((st != SD_E_INVALID && st != SD_E_UNSUPPORTED) || !*sd_error_message(err))
            abort();
        sd_error_free(err);
        return;
    }
    char *bytes = NULL;
    size_t len = 0;
    if (sd__read_file(out_path, &bytes, &len, NULL) != SD_OK)
        abort();
    sd_dataset *back = NULL;
    sd_error_clear(err);
    st = sd__read_readstat_mem(bytes, len, SD_FORMAT_SAV, "fuzz-out.sav", &back, err);
    bool long_name = false; /* .sav names are cut to 64 bytes: two may then clash */
    for (size_t j = 0; j < ds->nvars; j++)
        long_name = long_name || strlen(ds->vars[j]->name) > 64;
    if (st == SD_OK)
        check_same(ds, back);
    else if (!(st == SD_E_FORMAT && long_name))
        abort(); /* what we write, we read */
    sd_dataset_free(back);
    sd__free(bytes);
    sd_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = (sd_dataset *)&err; /* must be reset to NULL on failure */
    sd_status st = sd__read_readstat_mem(data, size, SD_FORMAT_SAV, "fuzz.sav", &ds, err);
    if (st != SD_OK) {
        if (ds || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
        sd_error_free(err);
        return 0;
    }
    if (!ds || sd_error_status(err) != SD_OK)
        abort();
    check_shape(ds);
    round_trip(ds);
    sd_dataset_free(ds);
    sd_error_free(err);
    return 0;
}
