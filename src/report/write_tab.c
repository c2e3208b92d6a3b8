/*
 * write_tab.c — sd_result_write and sd_dataset_write_info: render into a
 * capped buffer in the asked format (tab_text.c, tab_csv.c, tab_json.c,
 * write_info.c), then write it out.
 */
#include "doc.h"

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

sd_status sd__doc_write(const sd_rdoc *doc0, sd_outfmt fmt, const char *lang, FILE *fp,
                        sd_error *err)
{
    const sd_result *r = doc0->result;
    sd_rdoc doc = *doc0;
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    /* The findings, when asked for (--findings, a report's tables) or
     * needed (prose). */
    sd_findings fs;
    memset(&fs, 0, sizeof fs);
    bool want = fmt == SD_OUT_PROSE || (fmt != SD_OUT_CSV && sd_result_wants_findings(r));
    if (want && (st = sd__findings_compute(r, lang, &fs, err)) == SD_OK)
        doc.findings = &fs;
    if (st == SD_OK) {
        switch (fmt) {
        case SD_OUT_TEXT: st = sd__write_doc_text(&doc, lang, &sb); break;
        case SD_OUT_CSV: st = sd__write_tab_csv(r, lang, &sb); break;
        case SD_OUT_JSON: st = sd__write_tab_json(&doc, lang, &sb); break;
        case SD_OUT_XLSX: st = sd__write_xlsx(&doc, lang, &sb, err); break;
        case SD_OUT_HTML: st = sd__write_html(&doc, lang, &sb, err); break;
        case SD_OUT_MD: st = sd__write_md(&doc, lang, &sb, err); break;
        case SD_OUT_PROSE: st = sd__write_prose(&doc, lang, &sb, err); break;
        }
    }
    sd__findings_free(&fs);
    if (st == SD_OK && (fmt == SD_OUT_TEXT || fmt == SD_OUT_MD || fmt == SD_OUT_PROSE))
        sd__sb_escape_controls(&sb); /* no raw ESC, BEL or CR reaches people */
    if (st != SD_OK && sd__error_is_set(err)) {
        sd__sb_free(&sb);
        return st;
    }
    return flush(&sb, st, fp, err);
}

sd_status sd_result_write(const sd_result *r, sd_outfmt fmt, const char *lang, FILE *fp,
                          sd_error *err)
{
    sd_rdoc doc;
    memset(&doc, 0, sizeof doc);
    doc.result = r;
    return sd__doc_write(&doc, fmt, lang, fp, err);
}

sd_status sd_dataset_write_info(const sd_dataset *ds, sd_outfmt fmt, const char *lang, FILE *fp,
                                sd_error *err)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st = SD_OK;
    switch (fmt) {
    case SD_OUT_TEXT:
        st = sd__write_info_text(ds, lang, &sb);
        sd__sb_escape_controls(&sb);
        break;
    case SD_OUT_CSV:
        st = sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                      "info has no csv format: expected text or json");
        sd__sb_free(&sb);
        return st;
    case SD_OUT_JSON: st = sd__write_info_json(ds, lang, &sb); break;
    case SD_OUT_XLSX:
    case SD_OUT_HTML:
    case SD_OUT_MD:
    case SD_OUT_PROSE:
        st = sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                      "info writes text or json: expected one of them");
        sd__sb_free(&sb);
        return st;
    }
    return flush(&sb, st, fp, err);
}
