/* write_codebook.c — STUB, being written. */
#include "io.h"
sd_status sd__codebook_write(const sd_dataset *ds, FILE *fp, const char *name, sd_error *err)
{
    (void)ds; (void)fp;
    return sd__fail(err, SD_E_UNSUPPORTED, name, 0, 0, NULL, "codebook writer not built yet");
}
