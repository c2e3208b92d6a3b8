/*
 * csv_map.c — a CSV file mapped into memory rather than copied into it
 * (issue 14: a 10M-row file held whole, 810 MB, was most of a table job's
 * memory). The pages are the kernel's page cache: the reader releases them
 * behind it as it goes (sd__csv_release), so at any time only a window of
 * the file counts in the process's memory, and a page it needs again (a
 * second pass over early rows) is simply read again from the cache.
 *
 * The bytes are read as UTF-8, as they are: the reader checks every field
 * that is not plain ASCII, and one that is not UTF-8 fails the read with
 * SD_E_ENCODING, on which the caller reads the file the usual way
 * (sd__read_file and sd__csv_decode: Windows-1252, UTF-16). No scan first:
 * it was a whole extra pass over the file on one core.
 * mmap and madvise are POSIX / Linux calls no library wraps better.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_DONTNEED */
#include "io.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void sd__csv_release(const char *from, const char *to)
{
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)from + pg - 1) / pg * pg, b = (uintptr_t)to / pg * pg;
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_DONTNEED);
}

bool sd__csv_map(const char *path, sd_csv_map *m)
{
    m->data = NULL;
    m->len = 0;
    /* Not opened unless regular: opening a FIFO and closing it unread
     * would end its writer (SIGPIPE) and lose its bytes for the read
     * that follows. */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size > SD_MAX_FILE) {
        close(fd);
        return false;
    }
    size_t len = (size_t)st.st_size;
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return false;
    (void)madvise(p, len, MADV_SEQUENTIAL);
    m->data = p;
    m->len = len;
    return true;
}

void sd__csv_unmap(sd_csv_map *m)
{
    if (m->data)
        munmap((void *)m->data, m->len);
    m->data = NULL;
    m->len = 0;
}
