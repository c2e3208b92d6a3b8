/* read_csv.c — STUB, being written. */
#include "io.h"
sd_status sd__read_csv(const char *data, size_t len, const char *name, const sd_codebook *cb,
                       sd_dataset **out, sd_error *err)
{
    (void)data; (void)len; (void)cb; *out = NULL;
    return sd__fail(err, SD_E_UNSUPPORTED, name, 0, 0, NULL, "CSV reader not built yet");
}
