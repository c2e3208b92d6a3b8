/*
 * test_cube.c — the result read API (include/sondage.h, "reading
 * results") on the bundled study: every accessor a writer uses, read after
 * the dataset is freed (the result owns what it shows), with the study's
 * published figures (integration: 54 % of CIOs, 73 % of marketers).
 */
#include "sondage.h"
#include "harness.h"

static sd_result *tab_study(const char *rows, int tests)
{
    sd_dataset *ds = NULL;
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    sd_tabspec *s = sd_tabspec_new();
    if (sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, e) != SD_OK)
        fprintf(stderr, "  open failed: %s\n", sd_error_message(e));
    sd_tabspec_add_row(s, rows, e);
    sd_tabspec_add_col(s, "role", e);
    if (tests)
        sd_tabspec_set_option(s, "tests", "true", e);
    if (sd_tabulate(ds, s, &r, e) != SD_OK)
        fprintf(stderr, "  tabulate failed: %s\n", sd_error_message(e));
    sd_dataset_free(ds); /* before any read: the result must not need it */
    sd_tabspec_free(s);
    sd_error_free(e);
    return r;
}

static void test_outlives_dataset(void)
{
    sd_result *r = tab_study("integration", 1);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(sd_result_ntables(r), 1);
    CHECK(sd_result_table(r, 1) == NULL);
    CHECK_STR(sd_result_source(r), "@study");
    CHECK(sd_result_weight(r) == NULL);
    const sd_table *t = sd_result_table(r, 0);
    CHECK_INT(sd_table_number(t), 1);
    CHECK_INT(sd_table_kind_of(t), SD_TABLE_VARIABLE);
    CHECK_STR(sd_table_row_var(t), "integration");
    CHECK_STR(sd_table_col_var(t), "role");
    CHECK_STR(sd_table_col_label(t, "fr"), "Quelle est votre fonction ?");
    CHECK_INT(sd_table_size(t, SD_ROWS), 3);
    CHECK_INT(sd_table_size(t, SD_COLS), 3);
    /* rows: Yes (1), No (2), Don't know (9) */
    CHECK_STR(sd_table_cat_key(t, SD_ROWS, 0), "1");
    CHECK_STR(sd_table_cat_key(t, SD_ROWS, 2), "9");
    CHECK(sd_table_cat_code(t, SD_ROWS, 2) == 9);
    CHECK_STR(sd_table_cat_label(t, SD_ROWS, 0, "fr"), "Oui");
    CHECK_STR(sd_table_cat_label(t, SD_ROWS, 0, "en"), "Yes");
    CHECK(sd_table_cat_label(t, SD_ROWS, 3, "en") == NULL);
    CHECK_INT(sd_table_cat_type(t, SD_ROWS, 0), SD_CAT_TYPE_CATEGORY);
    /* columns: Total, CIO (A), Marketer (B) */
    CHECK_INT(sd_table_cat_type(t, SD_COLS, 0), SD_CAT_TYPE_TOTAL);
    CHECK_STR(sd_table_cat_key(t, SD_COLS, 0), "total");
    CHECK_STR(sd_table_cat_label(t, SD_COLS, 0, "fr"), "Ensemble");
    CHECK_STR(sd_table_cat_label(t, SD_COLS, 0, "en"), "Total");
    CHECK_STR(sd_table_cat_label(t, SD_COLS, 2, "fr"), "Marketeur");
    CHECK(isnan(sd_table_cat_code(t, SD_COLS, 0)));
    CHECK_STR(sd_table_col_letter(t, 0), "");
    CHECK_STR(sd_table_col_letter(t, 1), "A");
    CHECK_STR(sd_table_col_letter(t, 2), "B");
    CHECK_INT(sd_table_base(t, 1, SD_BASE_N), 2400);
    CHECK_INT(sd_table_base(t, 2, SD_BASE_N), 400);
    CHECK_INT(sd_table_base(t, 0, SD_BASE_MISSING_N), 0);
    CHECK(isnan(sd_table_base(t, 3, SD_BASE_N)));
    /* the published figures: 54 % of CIOs, 73 % of marketers say yes, and
     * the marketers' figure is significantly higher (letter A). */
    CHECK_NEAR(sd_table_cell(t, 0, 1, SD_FIG_PCT), 0.54, 1e-15);
    CHECK_NEAR(sd_table_cell(t, 0, 2, SD_FIG_PCT), 0.73, 1e-15);
    CHECK_INT(sd_table_cell(t, 0, 2, SD_FIG_N), 292);
    CHECK(isnan(sd_table_cell(t, 0, 2, SD_FIG_MEAN)));
    CHECK(sd_table_cell(t, 0, 2, SD_FIG_SE) > 0.02 && sd_table_cell(t, 0, 2, SD_FIG_SE) < 0.03);
    CHECK(sd_table_cell(t, 0, 2, SD_FIG_CI_LOW) < 0.73 && sd_table_cell(t, 0, 2, SD_FIG_CI_HIGH) > 0.73);
    CHECK(isnan(sd_table_cell(t, 0, 2, SD_FIG_PREV)));
    CHECK(isnan(sd_table_cell(t, 3, 0, SD_FIG_N)));
    CHECK(isnan(sd_table_cell(t, 0, 0, SD_FIG_COUNT_)));
    CHECK_STR(sd_table_cell_letters(t, 0, 2), "A");
    CHECK_STR(sd_table_cell_letters(t, 1, 1), "B");
    CHECK_STR(sd_table_cell_letters(t, 0, 1), "");
    CHECK_STR(sd_table_cell_letters(t, 9, 9), "");
    sd_test_info q;
    CHECK(sd_table_test(t, &q) == 1);
    CHECK_STR(q.statistic, "F");
    CHECK(q.p < 0.001);
    double a1, a2;
    CHECK_STR(sd_result_letters_method(r, &a1, &a2), "design");
    CHECK_NEAR(a1, 0.01, 1e-15);
    CHECK_NEAR(a2, 0.05, 1e-15);
    sd_result_free(r);
}

static void test_sets_and_no_tests(void)
{
    sd_result *r = tab_study("actions", 0);
    if (!r)
        return;
    const sd_table *t = sd_result_table(r, 0);
    CHECK_INT(sd_table_kind_of(t), SD_TABLE_DICHOTOMY_SET);
    CHECK_INT(sd_table_cat_type(t, SD_ROWS, 0), SD_CAT_TYPE_ITEM);
    CHECK_STR(sd_table_cat_key(t, SD_ROWS, 0), "encourage_collab");
    CHECK(isnan(sd_table_cat_code(t, SD_ROWS, 0)));
    CHECK_STR(sd_table_col_letter(t, 1), "");
    CHECK(sd_table_test(t, NULL) == 0);
    CHECK(sd_result_letters_method(r, NULL, NULL) == NULL);
    CHECK_INT(sd_table_npairs(t), 0);
    CHECK(sd_table_pair(t, 0, NULL) == 0);
    sd_result_free(r);
    sd_result_free(NULL);
}

/* The row variable's measure from the codebook (the HTML writer draws an
 * ordinal scale as diverging bars); a set is nominal. */
static void test_row_measure(void)
{
    const char *rows[] = {"closer", "integration", "actions", "company_size"};
    const sd_measure want[] = {SD_MEASURE_ORDINAL, SD_MEASURE_NOMINAL, SD_MEASURE_NOMINAL,
                               SD_MEASURE_ORDINAL};
    for (size_t i = 0; i < 4; i++) {
        sd_result *r = tab_study(rows[i], 0);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK_INT(sd_table_row_measure(sd_result_table(r, 0)), want[i]);
        sd_result_free(r);
    }
}

int main(void)
{
    RUN(test_outlives_dataset);
    RUN(test_sets_and_no_tests);
    RUN(test_row_measure);
    DONE();
}
