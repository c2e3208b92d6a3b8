/*
 * outfile.c — output files that never destroy what was there: every writer
 * (CSV, codebook, .sav, tab -o, info -o, convert) writes into a temporary
 * file in the target's folder, which is flushed, fsynced and renamed over
 * the target only when all of it was written. On any failure the temporary
 * file is removed and an existing target is left as it was, so a full disk
 * or a refused name costs nothing but the message.
 *
 * Targets that are not regular files (a terminal, /dev/null, /dev/full, a
 * pipe) cannot be replaced by a rename and are written in place; so is a
 * stream the caller already holds (sd_outfile_wrap: standard output). A
 * symbolic link is followed: its target is replaced, the link kept.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sd_outfile {
    FILE *fp;
    char *path;   /* the target as given (for messages) */
    char *real;   /* the file a rename replaces (the link's target, if any) */
    char *tmp;    /* the temporary file; NULL when written in place */
    bool wrapped; /* the caller's stream: flushed, never closed */
};

const char *sd__errno_name(int e)
{
    switch (e) {
    case ENOSPC: return "ENOSPC";
    case EPIPE: return "EPIPE";
    case EIO: return "EIO";
    case EDQUOT: return "EDQUOT";
    case EFBIG: return "EFBIG";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EXDEV: return "EXDEV";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ETXTBSY: return "ETXTBSY";
    case ELOOP: return "ELOOP";
    case EMFILE: return "EMFILE";
    default: return NULL;
    }
}

sd_status sd__fail_errno(sd_error *err, sd_status st, const char *file, int errnum,
                         const char *what)
{
    const char *name = sd__errno_name(errnum);
    if (errnum == 0)
        return sd__fail(err, st, file, 0, 0, NULL, "%s", what);
    if (name)
        return sd__fail(err, st, file, 0, 0, NULL, "%s: %s (%s)", what, strerror(errnum), name);
    return sd__fail(err, st, file, 0, 0, NULL, "%s: %s", what, strerror(errnum));
}

static void outfile_free(sd_outfile *o)
{
    sd__free(o->path);
    sd__free(o->real);
    sd__free(o->tmp);
    sd__free(o);
}

/* "dir/.name.XXXXXXXX.tmp" beside `real`, created exclusively. */
static int make_temp(sd_outfile *o, const struct stat *keep)
{
    const char *slash = strrchr(o->real, '/');
    size_t dirlen = slash ? (size_t)(slash - o->real) + 1 : 0;
    const char *base = o->real + dirlen;
    size_t need = strlen(o->real) + 32;
    o->tmp = sd__malloc(need);
    if (!o->tmp) {
        errno = ENOMEM;
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = sd__hash_u64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                                 ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)o);
    for (int attempt = 0; attempt < 100; attempt++) {
        seed = sd__hash_u64(seed + (uint64_t)attempt);
        /* At most 200 bytes of the name, so that a 255-byte name still
         * has a temporary file within NAME_MAX. */
        snprintf(o->tmp, need, "%.*s.%.200s.%08x.tmp", (int)dirlen, o->real, base,
                 (unsigned)(seed & 0xffffffffu));
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            if (keep) {
                /* The target's owner (when allowed) and permissions. */
                if (fchown(fd, keep->st_uid, keep->st_gid) != 0) {
                    /* not ours to give (not root): the new file is ours */
                }
                (void)fchmod(fd, keep->st_mode & 07777);
            }
            return fd;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

sd_status sd_outfile_open(const char *path, sd_outfile **out, sd_error *err)
{
    *out = NULL;
    sd_outfile *o = sd__calloc(1, sizeof *o);
    if (!o)
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    if (!path || !*path) {
        outfile_free(o);
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "empty output file name");
    }
    if (!(o->path = sd__strdup(path))) {
        outfile_free(o);
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        outfile_free(o);
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL,
                        "is a folder: expected a file name to write");
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* A device or a pipe: written in place. */
        o->fp = fopen(path, "wb");
        if (!o->fp) {
            int e = errno;
            outfile_free(o);
            return sd__fail_errno(err, SD_E_IO, path, e, "cannot open for writing");
        }
        *out = o;
        return SD_OK;
    }
    struct stat lst;
    if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        o->real = realpath(path, NULL); /* malloc'd by libc; freed with free() below */
    if (o->real) {
        char *copy = sd__strdup(o->real);
        free(o->real);
        o->real = copy;
    } else {
        o->real = sd__strdup(path);
    }
    if (!o->real) {
        outfile_free(o);
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    int fd = make_temp(o, exists ? &st : NULL);
    if (fd < 0) {
        int e = errno;
        outfile_free(o);
        return sd__fail_errno(err, SD_E_IO, path, e,
                              "cannot create a temporary file in its folder");
    }
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        outfile_free(o);
        return sd__fail_errno(err, SD_E_IO, path, e, "cannot open for writing");
    }
    *out = o;
    return SD_OK;
}

sd_status sd_outfile_wrap(FILE *fp, const char *name, sd_outfile **out, sd_error *err)
{
    *out = NULL;
    sd_outfile *o = sd__calloc(1, sizeof *o);
    if (!o || !(o->path = sd__strdup(name ? name : "output"))) {
        sd__free(o);
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    }
    o->fp = fp;
    o->wrapped = true;
    *out = o;
    return SD_OK;
}

FILE *sd_outfile_stream(sd_outfile *o)
{
    return o ? o->fp : NULL;
}

const char *sd__outfile_name(const sd_outfile *o)
{
    return o ? o->path : NULL;
}

void sd_outfile_abort(sd_outfile *o)
{
    if (!o)
        return;
    if (!o->wrapped && o->fp)
        fclose(o->fp);
    if (o->tmp)
        unlink(o->tmp);
    outfile_free(o);
}

/* fsync the folder holding `path`, so the rename itself is durable. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? sd__strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : sd__strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    sd__free(dir);
}

sd_status sd_outfile_commit(sd_outfile *o, sd_error *err)
{
    if (!o)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no output file");
    sd_status st = SD_OK;
    int e = 0;
    errno = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp))
        e = errno ? errno : EIO;
    if (o->wrapped) {
        if (e)
            st = sd__fail_errno(err, SD_E_IO, o->path, e, "write error");
        outfile_free(o);
        return st;
    }
    /* fsync is for regular files; devices and pipes answer EINVAL. */
    if (!e && o->tmp && fsync(fileno(o->fp)) != 0)
        e = errno;
    if (fclose(o->fp) != 0 && !e)
        e = errno ? errno : EIO;
    o->fp = NULL;
    if (e) {
        st = sd__fail_errno(err, SD_E_IO, o->path, e, "write error");
    } else if (o->tmp) {
        if (rename(o->tmp, o->real) != 0)
            st = sd__fail_errno(err, SD_E_IO, o->path, errno,
                                "cannot replace it with the file just written");
        else {
            sd__free(o->tmp);
            o->tmp = NULL;
            sync_dir(o->real);
        }
    }
    if (o->tmp)
        unlink(o->tmp);
    outfile_free(o);
    return st;
}

int sd_path_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0 || stat(a, &sa) != 0 ||
        stat(b, &sb) != 0)
        return 0;
    if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode))
        return 0; /* /dev/null twice is not a clash */
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
