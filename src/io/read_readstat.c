/* read_readstat.c — STUB, being written. */
#include "io.h"
sd_status sd__read_readstat(const char *path, sd_format fmt, sd_dataset **out, sd_error *err)
{
    (void)fmt; *out = NULL;
    return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL, "ReadStat reader not built yet");
}
