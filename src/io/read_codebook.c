/* read_codebook.c — STUB, being written. */
#include "io.h"
sd_status sd__codebook_parse(const char *yaml, size_t len, const char *name, sd_codebook **out,
                             sd_error *err)
{
    (void)yaml; (void)len; *out = NULL;
    return sd__fail(err, SD_E_UNSUPPORTED, name, 0, 0, NULL, "codebook reader not built yet");
}
void sd__codebook_free(sd_codebook *cb) { (void)cb; }
int sd__codebook_var_type(const sd_codebook *cb, const char *name, sd_type *type)
{
    (void)cb; (void)name; (void)type;
    return 0;
}
sd_status sd__codebook_apply(const sd_codebook *cb, sd_dataset *ds, sd_error *err)
{
    (void)cb; (void)ds;
    return sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL, "codebook reader not built yet");
}
