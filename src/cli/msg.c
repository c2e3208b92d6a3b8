/*
 * msg.c — every message sondage prints about a failure goes through here,
 * in one shape: `sondage: error: FILE:LINE:COL: what was expected`.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_report(const sd_error *err)
{
    sd_status st = sd_error_status(err);
    const char *file = sd_error_file(err);
    long line = sd_error_line(err), col = sd_error_column(err);
    fputs("sondage: error: ", stderr);
    if (file) {
        fputs(file, stderr);
        if (line > 0)
            fprintf(stderr, ":%ld", line);
        if (line > 0 && col > 0)
            fprintf(stderr, ":%ld", col);
        fputs(": ", stderr);
    }
    const char *msg = sd_error_message(err);
    fputs(*msg ? msg : sd_status_str(st), stderr);
    fputc('\n', stderr);
    return st == SD_E_INTERNAL || st == SD_E_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sondage: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'sondage %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

bool cli_outfmt(const char *cmd, const char *s, bool allow_csv, sd_outfmt *out)
{
    if (strcmp(s, "text") == 0)
        *out = SD_OUT_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = SD_OUT_JSON;
    else if (allow_csv && strcmp(s, "csv") == 0)
        *out = SD_OUT_CSV;
    else {
        cli_usage(cmd, "--format: expected %s, not '%s'",
                  allow_csv ? "text, csv or json" : "text or json", s);
        return false;
    }
    return true;
}

bool cli_lang(const char *cmd, const char *s)
{
    if (strcmp(s, "fr") == 0 || strcmp(s, "en") == 0)
        return true;
    cli_usage(cmd, "--lang: expected fr or en, not '%s'", s);
    return false;
}

FILE *cli_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fprintf(stderr, "sondage: error: %s: cannot create: %s\n", path, strerror(errno));
    return fp;
}

int cli_close_output(FILE *fp, const char *path)
{
    if (fp == stdout) {
        if (fflush(stdout) != 0) {
            fprintf(stderr, "sondage: error: write error on standard output: %s\n",
                    strerror(errno));
            return EXIT_INPUT;
        }
        return EXIT_OK;
    }
    if (fclose(fp) != 0) {
        fprintf(stderr, "sondage: error: %s: write error: %s\n", path, strerror(errno));
        return EXIT_INPUT;
    }
    return EXIT_OK;
}
