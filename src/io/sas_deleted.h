/*
 * sas_deleted.h — io-internal: which rows of a SAS .sas7bdat file are
 * deleted. SAS marks rows removed by PROC SQL DELETE (and the like) in a
 * bitmap on each page instead of removing them; ReadStat 1.1.8 reads them
 * as data (see sas_deleted.c).
 */
#ifndef SD_SAS_DELETED_H
#define SD_SAS_DELETED_H

#include "sav_dict.h"

typedef struct sd__sas_deleted {
    size_t total;     /* rows in the file, deleted ones included */
    size_t ndeleted;  /* rows the file marks deleted */
    uint8_t *deleted; /* total flags (1 = deleted), or NULL when none is */
} sd__sas_deleted;

/* Find the deleted rows of a .sas7bdat of `size` bytes. A file that counts
 * deleted rows in its header but whose flags cannot be found (compressed
 * files keep them elsewhere) fails with SD_E_UNSUPPORTED rather than read
 * them as data. Files it cannot make sense of are left to ReadStat (SD_OK,
 * nothing deleted). */
sd_status sd__sas_find_deleted(sd__sav_pread rd, void *ctx, long long size, const char *file,
                               sd__sas_deleted *out, sd_error *err);
void sd__sas_deleted_free(sd__sas_deleted *d);

#endif /* SD_SAS_DELETED_H */
