/*
 * tab_csv.c — tables for machines as CSV: one line per cell (docs/json.md,
 * "The same in CSV"), numbers in round-trip form whatever the locale.
 */
#include "report.h"

#include <math.h>
#include <string.h>

sd_status sd__write_tab_csv(const sd_result *r, const char *lang, sd_strbuf *sb)
{
    bool stats = sd_result_shows_stats(r), deff = sd_result_shows_deff(r);
    bool tests = sd_result_shows_tests(r), compared = sd_result_compared(r) != NULL;
    sd__sb_puts(sb, "row_var,row,row_label,col_var,col,col_label,n,count,pct,base_n,base_count,"
                    "missing_n,mean");
    if (stats)
        sd__sb_puts(sb, deff ? ",se,ci_low,ci_high,deff,eff_base" : ",se,ci_low,ci_high");
    if (tests)
        sd__sb_puts(sb, ",letters"); /* column letters (docs/tests.md) */
    sd__sb_puts(sb, compared ? ",prev,change,change_se,change_p\n" : "\n");
    static const sd_figure extra[5] = {SD_FIG_SE, SD_FIG_CI_LOW, SD_FIG_CI_HIGH, SD_FIG_DEFF,
                                       SD_FIG_EFF_BASE};
    for (size_t ti = 0; ti < sd_result_ntables(r); ti++) {
        const sd_table *t = sd_result_table(r, ti);
        const char *cv = sd_table_col_var(t);
        for (size_t i = 0; i < sd_table_size(t, SD_ROWS); i++) {
            bool summary = sd__est_fig(t, i) == SD_FIG_MEAN;
            for (size_t c = 0; c < sd_table_size(t, SD_COLS); c++) {
                sd__sb_csv_field(sb, sd_table_row_var(t));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_key(t, SD_ROWS, i));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_label(t, SD_ROWS, i, lang));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, cv ? cv : "");
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_key(t, SD_COLS, c));
                sd__sb_putc(sb, ',');
                sd__sb_csv_field(sb, sd_table_cat_label(t, SD_COLS, c, lang));
                sd__sb_putc(sb, ',');
                sd__sb_num_or_empty(sb, sd_table_cell(t, i, c, SD_FIG_N));
                sd__sb_putc(sb, ',');
                double cnt = sd_table_cell(t, i, c, SD_FIG_COUNT);
                if (isfinite(cnt))
                    sd__sb_num_or_empty(sb, cnt);
                sd__sb_putc(sb, ',');
                double p = sd_table_cell(t, i, c, sd__est_fig(t, i));
                if (!isnan(p) && !summary)
                    sd__sb_num_or_empty(sb, p);
                sd__sb_putc(sb, ',');
                sd__sb_num_or_empty(sb, sd_table_base(t, c, SD_BASE_N));
                sd__sb_putc(sb, ',');
                sd__sb_num_or_empty(sb, sd_table_base(t, c, SD_BASE_COUNT));
                sd__sb_putc(sb, ',');
                sd__sb_num_or_empty(sb, sd_table_base(t, c, SD_BASE_MISSING_N));
                sd__sb_putc(sb, ',');
                if (!isnan(p) && summary)
                    sd__sb_num_or_empty(sb, p);
                for (int k = 0; stats && k < (deff ? 5 : 3); k++) {
                    double v = sd_table_cell(t, i, c, extra[k]);
                    sd__sb_putc(sb, ',');
                    if (isfinite(v))
                        sd__sb_num_or_empty(sb, v);
                }
                if (tests) {
                    sd__sb_putc(sb, ',');
                    sd__sb_csv_field(sb, sd_table_cell_letters(t, i, c));
                }
                static const sd_figure cmp[4] = {SD_FIG_PREV, SD_FIG_CHANGE, SD_FIG_CHANGE_SE,
                                                 SD_FIG_CHANGE_P};
                for (int k = 0; compared && k < 4; k++) {
                    double v = sd_table_cell(t, i, c, cmp[k]);
                    sd__sb_putc(sb, ',');
                    if (isfinite(v))
                        sd__sb_num_or_empty(sb, v);
                }
                sd__sb_putc(sb, '\n');
            }
        }
    }
    return sd__sb_status(sb);
}

