/*
 * file.c — read a whole text file into memory, with the size capped before
 * anything is allocated and every failure named. Devices are refused (an
 * endless /dev/zero is not a data file); pipes are read up to
 * SD_MAX_STREAM.
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
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        /* /dev/zero, /dev/urandom, a disk: endless or not a data file. */
        fclose(fp);
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL,
                        "is a device: expected a data file (or a pipe)");
    }
    /* A regular file says its size, checked before anything is allocated;
     * a pipe is read in growing steps up to SD_MAX_STREAM, each checked
     * before it is allocated. */
    bool sized = S_ISREG(st.st_mode);
    size_t limit = sized ? SD_MAX_FILE : SD_MAX_STREAM;
    if (sized && (uintmax_t)st.st_size > SD_MAX_FILE) {
        fclose(fp);
        return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL,
                        "the file is larger than the %zu-byte limit (64 GiB)", SD_MAX_FILE);
    }
    size_t cap = sized && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
    char *buf = sd__malloc(cap);
    size_t n = 0;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
        if (cap - n - 1 == 0) { /* a pipe or a growing file: keep going */
            if (n >= limit) {
                sd__free(buf);
                fclose(fp);
                return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL,
                                sized ? "the file grew past the %zu-byte limit while it was read"
                                      : "more than %zu bytes from a pipe: expected at most 4 GiB "
                                        "(save it to a file first)",
                                limit);
            }
            size_t ncap = cap > limit / 2 ? limit + 1 : cap * 2;
            char *nb = sd__realloc(buf, ncap);
            if (!nb) {
                sd__free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap = ncap;
        }
    }
    if (!buf) {
        fclose(fp);
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory reading the file");
    }
    if (ferror(fp)) {
        int e = errno;
        sd__free(buf);
        fclose(fp);
        return sd__fail_errno(err, SD_E_IO, path, e, "read error");
    }
    fclose(fp);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return SD_OK;
}
