/*
 * prose.c — the prose writer of a document (doc.h). Not built yet:
 * refused with a message saying so (issue 13).
 */
#include "doc.h"

sd_status sd__write_prose(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err)
{
    (void)doc;
    (void)lang;
    (void)out;
    return sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                    "the prose format is not built yet: expected text, csv or json");
}

void sd__findings_free(sd_findings *f)
{
    for (size_t i = 0; f && i < f->n; i++)
        sd__free(f->v[i].text);
    if (f)
        sd__free(f->v);
}

sd_status sd__findings_compute(const sd_result *r, const char *lang, sd_findings *out,
                               sd_error *err)
{
    (void)r;
    (void)lang;
    (void)out;
    return sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL, "findings are not built yet");
}
