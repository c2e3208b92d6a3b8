/*
 * readstat_mem.h — io-internal: read an SPSS, Stata or SAS file held in
 * memory through ReadStat's custom I/O handlers (for the fuzz target and for
 * tests that build files in memory). Same behaviour and messages as
 * sd__read_readstat on a file; `name` stands in for the path in messages.
 */
#ifndef SD_READSTAT_MEM_H
#define SD_READSTAT_MEM_H

#include "io.h"

/* `data` is borrowed for the call only; on success *out owns the dataset. */
sd_status sd__read_readstat_mem(const void *data, size_t len, sd_format fmt, const char *name,
                                sd_dataset **out, sd_error *err);

#endif /* SD_READSTAT_MEM_H */
