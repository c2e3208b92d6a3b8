/*
 * write_md.c — the Markdown writer of a document (doc.h). Not built yet:
 * refused with a message saying so (issue 13).
 */
#include "doc.h"

sd_status sd__write_md(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err)
{
    (void)doc;
    (void)lang;
    (void)out;
    return sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                    "the Markdown format is not built yet: expected text, csv or json");
}
