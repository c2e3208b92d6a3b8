/*
 * file.c — read a whole file into memory, with the size capped and every
 * failure named.
 */
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

sd_status sd__read_file(const char *path, char **data, size_t *len, sd_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(fp);
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "not a readable file");
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    if ((size_t)st.st_size > SD_MAX_FILE) {
        fclose(fp);
        return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL,
                        "file is larger than the %zu-byte limit", SD_MAX_FILE);
    }
    char *buf = sd__malloc(cap);
    size_t n = 0;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
        if (cap - n - 1 == 0) { /* a pipe or a growing file: keep going */
            if (cap > SD_MAX_FILE) {
                sd__free(buf);
                fclose(fp);
                return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL, "file is too large");
            }
            char *nb = sd__realloc(buf, cap * 2);
            if (!nb) {
                sd__free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (!buf) {
        fclose(fp);
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory reading the file");
    }
    if (ferror(fp)) {
        sd__free(buf);
        fclose(fp);
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "read error");
    }
    fclose(fp);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return SD_OK;
}
