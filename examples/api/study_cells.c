/*
 * study_cells.c — libsondage from a program of your own: open the bundled
 * study, tabulate one question by role with the column tests, free the
 * dataset, and print a few cells through the result API. Build it against
 * an installed sondage:
 *
 *   cc study_cells.c $(pkg-config --cflags --libs sondage) -o study_cells
 *   ./study_cells [fr|en]
 */
#include <sondage.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, const sd_error *e)
{
    fprintf(stderr, "study_cells: %s: %s\n", what, sd_error_message(e));
    return 1;
}

int main(int argc, char **argv)
{
    const char *lang = argc > 1 ? argv[1] : "en";
    sd_error *e = sd_error_new();
    sd_dataset *ds = NULL;
    sd_tabspec *spec = sd_tabspec_new();
    sd_result *res = NULL;
    if (!e || !spec)
        return 1;
    if (sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, e) != SD_OK)
        return fail("open", e);
    if (sd_tabspec_add_row(spec, "integration", e) != SD_OK ||
        sd_tabspec_add_col(spec, "role", e) != SD_OK ||
        sd_tabspec_set_option(spec, "tests", "true", e) != SD_OK)
        return fail("spec", e);
    if (sd_tabulate(ds, spec, &res, e) != SD_OK)
        return fail("tabulate", e);
    sd_dataset_free(ds); /* the result keeps its own copy of every label */
    sd_tabspec_free(spec);

    const sd_table *t = sd_result_table(res, 0);
    printf("%s\n", sd_table_row_label(t, lang));
    for (size_t c = 1; c < sd_table_size(t, SD_COLS); c++) {
        /* the first row: "Yes" */
        printf("%s (%s, base %.0f): %.1f%% [%.1f-%.1f]%s%s\n",
               sd_table_cat_label(t, SD_COLS, c, lang), sd_table_col_letter(t, c),
               sd_table_base(t, c, SD_BASE_N), 100 * sd_table_cell(t, 0, c, SD_FIG_PCT),
               100 * sd_table_cell(t, 0, c, SD_FIG_CI_LOW),
               100 * sd_table_cell(t, 0, c, SD_FIG_CI_HIGH),
               *sd_table_cell_letters(t, 0, c) ? " higher than " : "",
               sd_table_cell_letters(t, 0, c));
    }
    sd_test_info q;
    if (sd_table_test(t, &q))
        printf("Rao-Scott %s = %.2f, p = %.3g\n", q.statistic, q.value, q.p);
    sd_result_free(res);
    sd_error_free(e);
    return 0;
}
