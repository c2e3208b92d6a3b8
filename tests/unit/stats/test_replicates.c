/*
 * test_replicates.c — replicates made from a design (--make-replicates):
 * for a paired design (two PSUs per stratum) fully balanced BRR gives the
 * with-replacement linearization variance of a total exactly, whatever
 * Hadamard matrix is used; and bad designs are refused with a message.
 */
#include "stats/stats.h"
#include "harness.h"

static const char csv[] =
    "st,psu,x,w\n"
    "1,1,3,1.5\n1,1,5,1.5\n1,2,2,2\n1,2,8,1\n"
    "2,1,1,1\n2,1,4,2\n2,2,7,1\n"
    "3,1,6,3\n3,2,2,1\n3,2,9,1\n3,2,3,2\n"
    "4,1,5,1\n4,2,5,1\n4,2,1,1\n"
    "5,1,2,2\n5,2,8,2\n";

static double total_se(const char *make)
{
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, sizeof csv - 1, "paired", &ds, e), SD_OK);
    /* x has decimals-free values: declare it scale through the data layer. */
    ((sd_var *)sd_dataset_find(ds, "x"))->measure = SD_MEASURE_SCALE;
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "x", NULL);
    sd_tabspec_set_option(s, "weight", "w", NULL);
    sd_tabspec_set_option(s, "strata", "st", NULL);
    sd_tabspec_set_option(s, "cluster", "psu", NULL);
    sd_tabspec_set_option(s, "nest", "true", NULL);
    if (make)
        sd_tabspec_set_option(s, "make-replicates", make, NULL);
    sd_work *r = NULL;
    double se = NAN;
    if (sd__tabulate_work(ds, s, &r, e) == SD_OK)
        se = r->tables[0].stats[0].total_se;
    else
        fprintf(stderr, "  %s\n", sd_error_message(e));
    sd__work_free(r);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
    sd_error_free(e);
    return se;
}

static void test_brr_equals_linearization_for_a_total(void)
{
    double lin = total_se(NULL), brr = total_se("brr");
    CHECK(lin > 0);
    CHECK_NEAR(brr, lin, 1e-12);
    /* JKn with two PSUs per stratum: the same again. */
    CHECK_NEAR(total_se("jkn"), lin, 1e-12);
}

static void test_brr_needs_pairs(void)
{
    const char bad[] = "st,psu,x\n1,1,1\n1,2,2\n1,3,3\n2,1,1\n2,2,2\n";
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(bad, sizeof bad - 1, "triples", &ds, e), SD_OK);
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "x", NULL);
    sd_tabspec_set_option(s, "strata", "st", NULL);
    sd_tabspec_set_option(s, "cluster", "psu", NULL);
    sd_tabspec_set_option(s, "nest", "true", NULL);
    sd_tabspec_set_option(s, "make-replicates", "brr", NULL);
    sd_work *r = NULL;
    CHECK_INT(sd__tabulate_work(ds, s, &r, e), SD_E_INVALID);
    CHECK_STR(sd_error_message(e), "--make-replicates brr needs exactly 2 PSUs in every stratum, "
                                   "and a stratum has 3: expected a paired design (or jkn)");
    sd_tabspec_free(s);
    sd_dataset_free(ds);
    sd_error_free(e);
}

int main(void)
{
    RUN(test_brr_equals_linearization_for_a_total);
    RUN(test_brr_needs_pairs);
    DONE();
}
