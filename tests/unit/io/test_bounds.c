/*
 * test_bounds.c — caps that count what costs memory (issue 11): rows x
 * variables of a dataset, the bytes value labels take once a shared label
 * set is given to every variable that uses it, devices refused as input.
 * Each cap is met before anything large is allocated.
 */
#include "io/io.h"
#include "harness.h"

#include <readstat.h>
#include <unistd.h>

static void test_cells_cap(void)
{
    sd_dataset *ds = sd__dataset_new("wide");
    char name[16];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "v%d", i);
        CHECK_INT(sd__dataset_add_var(ds, name, SD_TYPE_NUMERIC, NULL, NULL), SD_OK);
    }
    sd_error *e = sd_error_new();
    /* 42,950 rows of 100,000 variables pass 2^32 values: refused at once. */
    CHECK_INT(sd__dataset_grow_rows(ds, 42950, "wide.csv", 2, e), SD_E_TOO_LARGE);
    CHECK_STR(sd_error_message(e), "42950 rows of 100000 variables pass the limit of 4294967296 "
                                   "values in one dataset");
    CHECK_INT(sd_error_line(e), 2);
    CHECK(!sd__dataset_reserve_rows(ds, (size_t)1 << 20));
    CHECK_INT(ds->rowcap, 0);
    sd_error_clear(e);
    CHECK_INT(sd__dataset_grow_rows(ds, 3, "wide.csv", 2, e), SD_OK);
    CHECK_INT(ds->rowcap, 3);
    sd_error_free(e);
    sd_dataset_free(ds);
}

static void test_device_refused(void)
{
    char *data = NULL;
    size_t len = 0;
    sd_error *e = sd_error_new();
    CHECK_INT(sd__read_file("/dev/zero", &data, &len, e), SD_E_IO);
    CHECK_STR(sd_error_message(e), "is a device: expected a data file (or a pipe)");
    CHECK(data == NULL);
    sd_error_free(e);
}

/* ---- a .sav whose one label set is shared by many variables */

static ssize_t to_file(const void *data, size_t len, void *ctx)
{
    return (ssize_t)fwrite(data, 1, len, ctx);
}

static bool write_shared_labels(const char *path, int nvars, int nlabels)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return false;
    readstat_writer_t *w = readstat_writer_init();
    readstat_set_data_writer(w, to_file);
    readstat_label_set_t *ls = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, "big");
    char label[128];
    for (int i = 0; i < nlabels; i++) {
        snprintf(label, sizeof label, "%0100d", i); /* 100 bytes */
        readstat_label_double_value(ls, i, label);
    }
    char name[16];
    for (int i = 0; i < nvars; i++) {
        snprintf(name, sizeof name, "v%d", i);
        readstat_variable_t *v = readstat_add_variable(w, name, READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_set_label_set(v, ls);
    }
    bool ok = readstat_begin_writing_sav(w, fp, 1) == READSTAT_OK &&
              readstat_begin_row(w) == READSTAT_OK;
    for (int i = 0; ok && i < nvars; i++)
        ok = readstat_insert_double_value(w, readstat_get_variable(w, i), 1) == READSTAT_OK;
    ok = ok && readstat_end_row(w) == READSTAT_OK && readstat_end_writing(w) == READSTAT_OK;
    readstat_writer_free(w);
    return fclose(fp) == 0 && ok;
}

static void test_value_label_bytes_cap(void)
{
    char dir[] = "/tmp/sd_bounds_XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/labels.sav", dir);
    /* 3,000 labels of 100 bytes (a 0.4 MB file) on 1,000 variables: 3
     * million labels, over half a gigabyte once applied. */
    CHECK(write_shared_labels(path, 1000, 3000));
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_open(path, SD_FORMAT_AUTO, NULL, &ds, e), SD_E_TOO_LARGE);
    CHECK(strstr(sd_error_message(e), "value labels would take more than 256 MiB once given to "
                                      "the variables that share them") != NULL);
    CHECK(ds == NULL);
    /* The same set on 10 variables is read whole. */
    CHECK(write_shared_labels(path, 10, 3000));
    sd_error_clear(e);
    CHECK_INT(sd_dataset_open(path, SD_FORMAT_AUTO, NULL, &ds, e), SD_OK);
    if (ds) {
        CHECK_INT(sd_dataset_nvars(ds), 10);
        CHECK_INT(sd_var_nvalue_labels(sd_dataset_var(ds, 9)), 3000);
    }
    sd_dataset_free(ds);
    sd_error_free(e);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RUN(test_cells_cap);
    RUN(test_device_refused);
    RUN(test_value_label_bytes_cap);
    DONE();
}
