/*
 * test_lazy_libs.c — libpq and libmicrohttpd are loaded when first needed
 * (io/pq_load.c, field/mhd_load.c), not with the program: a table job
 * runs without either in the process, and each loads, once, into a full
 * table of its functions.
 */
#include "harness.h"
#include "io/pg.h"
#include "field/server.h"
#include "sondage.h"

/* Is a library whose file name contains `name` mapped in this process? */
static int mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

static void test_not_at_start(void)
{
    /* a table over the bundled study: neither library comes in */
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK(sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, e) == SD_OK);
    CHECK(ds != NULL && sd_dataset_nrows(ds) == 2800);
    sd_dataset_free(ds);
    sd_error_free(e);
    CHECK_INT(mapped("libpq.so"), 0);
    CHECK_INT(mapped("libmicrohttpd.so"), 0);
}

static void test_loaded_once(void)
{
    const sd_pq_api *pq = sd__pq_load();
    CHECK(pq != NULL);
    if (pq) {
        /* (the names are macros, member names too: calls only) */
        CHECK(sd__pq() == pq && sd__pq_load() == pq);
        /* a call through the table: libpq's own answer */
        CHECK_INT(PQresultStatus(NULL), PGRES_FATAL_ERROR);
    }
    CHECK_INT(mapped("libpq.so"), 1);
    const sd_mhd_api *mhd = sd__mhd_load();
    CHECK(mhd != NULL);
    if (mhd) {
        CHECK(sd__mhd() == mhd);
        MHD_free(NULL); /* a call through the table */
    }
    CHECK_INT(mapped("libmicrohttpd.so"), 1);
}

int main(void)
{
    RUN(test_not_at_start);
    RUN(test_loaded_once);
    DONE();
}
