/*
 * status.c — sd_status_str and the sd_error object: the one place where a
 * failure's details (message, file, line, column, variable) are kept.
 */
#include "core.h"

#include <stdio.h>
#include <string.h>

/* Messages are capped: a longer one ends in "…" rather than growing. */
#define ERR_MSG_MAX 1024

struct sd_error {
    sd_status status;
    char msg[ERR_MSG_MAX];
    char *file;
    long line;
    long col;
    char *var;
};

const char *sd_status_str(sd_status s)
{
    /* A switch with no default: -Wswitch-enum makes a missing code a build error. */
    switch (s) {
    case SD_OK: return "success";
    case SD_E_NOMEM: return "out of memory";
    case SD_E_IO: return "input/output error";
    case SD_E_PARSE: return "malformed text input";
    case SD_E_FORMAT: return "corrupt or truncated file";
    case SD_E_ENCODING: return "invalid UTF-8";
    case SD_E_TOO_LARGE: return "size exceeds a limit";
    case SD_E_NOT_FOUND: return "not found";
    case SD_E_TYPE: return "wrong type";
    case SD_E_INVALID: return "invalid argument";
    case SD_E_CONFLICT: return "codebook contradicts the data";
    case SD_E_EMPTY: return "no data";
    case SD_E_UNSUPPORTED: return "not supported";
    case SD_E_INTERNAL: return "internal error";
    case SD_STATUS_COUNT: break;
    }
    return "unknown status";
}

sd_error *sd_error_new(void)
{
    return sd__calloc(1, sizeof(sd_error));
}

void sd_error_clear(sd_error *e)
{
    if (!e)
        return;
    sd__free(e->file);
    sd__free(e->var);
    memset(e, 0, sizeof *e);
}

void sd_error_free(sd_error *e)
{
    if (!e)
        return;
    sd_error_clear(e);
    sd__free(e);
}

sd_status sd_error_status(const sd_error *e) { return e ? e->status : SD_OK; }
const char *sd_error_message(const sd_error *e) { return e ? e->msg : ""; }
const char *sd_error_file(const sd_error *e) { return e ? e->file : NULL; }
long sd_error_line(const sd_error *e) { return e ? e->line : 0; }
long sd_error_column(const sd_error *e) { return e ? e->col : 0; }
const char *sd_error_variable(const sd_error *e) { return e ? e->var : NULL; }

bool sd__error_is_set(const sd_error *err)
{
    return err && err->status != SD_OK;
}

void sd__error_set_file(sd_error *err, const char *file)
{
    if (err && err->status != SD_OK && !err->file && file)
        err->file = sd__strdup(file);
}

sd_status sd__fail(sd_error *err, sd_status st, const char *file, long line, long col,
                   const char *var, const char *fmt, ...)
{
    if (!err || err->status != SD_OK)
        return st;
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->msg)
        memcpy(err->msg + sizeof err->msg - 4, "...", 4);
    err->file = file ? sd__strdup(file) : NULL;
    err->line = line;
    err->col = col;
    err->var = var ? sd__strdup(var) : NULL;
    return st;
}
