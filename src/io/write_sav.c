/* write_sav.c — STUB, being written. */
#include "io.h"
sd_status sd__write_sav(const sd_dataset *ds, const char *path, const char *lang, sd_error *err)
{
    (void)ds; (void)lang;
    return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL, ".sav writer not built yet");
}
