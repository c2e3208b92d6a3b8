/*
 * write_tab.c — sd_result_write and sd_dataset_write_info: render into a
 * capped buffer in the asked format (tab_text.c, tab_csv.c, tab_json.c,
 * write_info.c), then write it out.
 */
#include "report.h"

#include <errno.h>
#include <string.h>

/* ------------------------------------------------------------ dispatch */

static sd_status flush(sd_strbuf *sb, sd_status st, FILE *fp, sd_error *err)
{
    if (st == SD_OK && fwrite(sd__sb_str(sb), 1, sb->len, fp) != sb->len)
        st = sd__fail_errno(err, SD_E_IO, NULL, errno, "write error");
    else if (st != SD_OK)
        sd__fail(err, st, NULL, 0, 0, NULL, "cannot render the output: %s", sd_status_str(st));
    sd__sb_free(sb);
    return st;
}

sd_status sd_result_write(const sd_result *r, sd_outfmt fmt, const char *lang, FILE *fp,
                          sd_error *err)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    switch (fmt) {
    case SD_OUT_TEXT: st = sd__write_tab_text(r, lang, &sb); break;
    case SD_OUT_CSV: st = sd__write_tab_csv(r, lang, &sb); break;
    case SD_OUT_JSON: st = sd__write_tab_json(r, lang, &sb); break;
    }
    return flush(&sb, st, fp, err);
}

sd_status sd_dataset_write_info(const sd_dataset *ds, sd_outfmt fmt, const char *lang, FILE *fp,
                                sd_error *err)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    switch (fmt) {
    case SD_OUT_TEXT: st = sd__write_info_text(ds, lang, &sb); break;
    case SD_OUT_CSV:
        st = sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                      "info has no csv format: expected text or json");
        sd__sb_free(&sb);
        return st;
    case SD_OUT_JSON: st = sd__write_info_json(ds, lang, &sb); break;
    }
    return flush(&sb, st, fp, err);
}
