/* write_csv.c — STUB, being written. */
#include "io.h"
sd_status sd__write_csv(const sd_dataset *ds, FILE *fp, const char *name, sd_error *err)
{
    (void)ds; (void)fp;
    return sd__fail(err, SD_E_UNSUPPORTED, name, 0, 0, NULL, "CSV writer not built yet");
}
