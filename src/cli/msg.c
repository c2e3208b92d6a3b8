/*
 * msg.c — every message sondage prints about a failure goes through here,
 * in one shape: `sondage: error: FILE:LINE:COL: what was expected`.
 * A message may quote a name, a label or a value from a hostile file: its
 * control characters (ESC, BEL, CR, the C1 controls) are shown as \x1B or
 * \u009B, never sent to the terminal raw.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Print s on stderr with its control characters made visible. */
static void put_visible(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            fprintf(stderr, "\\x%02X", *p);
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            fprintf(stderr, "\\u%04X", *++p);
        else
            fputc(*p, stderr);
    }
}

int cli_report(const sd_error *err)
{
    sd_status st = sd_error_status(err);
    const char *file = sd_error_file(err);
    long line = sd_error_line(err), col = sd_error_column(err);
    fputs("sondage: error: ", stderr);
    if (file) {
        put_visible(file);
        if (line > 0)
            fprintf(stderr, ":%ld", line);
        if (line > 0 && col > 0)
            fprintf(stderr, ":%ld", col);
        fputs(": ", stderr);
    }
    const char *msg = sd_error_message(err);
    put_visible(*msg ? msg : sd_status_str(st));
    fputc('\n', stderr);
    return st == SD_E_INTERNAL || st == SD_E_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap); /* a usage message is short: cut, never overrun */
    va_end(ap);
    fputs("sondage: error: ", stderr);
    put_visible(buf);
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
    else if (allow_csv && strcmp(s, "xlsx") == 0)
        *out = SD_OUT_XLSX;
    else if (allow_csv && strcmp(s, "html") == 0)
        *out = SD_OUT_HTML;
    else if (allow_csv && (strcmp(s, "md") == 0 || strcmp(s, "markdown") == 0))
        *out = SD_OUT_MD;
    else if (allow_csv && strcmp(s, "prose") == 0)
        *out = SD_OUT_PROSE;
    else {
        cli_usage(cmd, "--format: expected %s, not '%s'",
                  allow_csv ? "text, csv, json, xlsx, html, md or prose" : "text or json", s);
        return false;
    }
    return true;
}

bool cli_lang(const char *cmd, const char *s)
{
    /* A language tag: 2 to 8 letters (fr, en, de, es...); labels fall back
     * to another language where the codebook has none in it. */
    size_t n = strlen(s);
    bool ok = n >= 2 && n <= 8;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z');
    if (!ok)
        cli_usage(cmd, "--lang: expected a language tag such as fr, en or de, not '%s'", s);
    return ok;
}

int cli_report_output(const sd_error *err, const char *path)
{
    if (sd_error_file(err))
        return cli_report(err);
    sd_status st = sd_error_status(err);
    const char *msg = sd_error_message(err);
    fputs("sondage: error: ", stderr);
    put_visible(!path || strcmp(path, "-") == 0 ? "standard output" : path);
    fputs(": ", stderr);
    put_visible(*msg ? msg : sd_status_str(st));
    fputc('\n', stderr);
    return st == SD_E_INTERNAL || st == SD_E_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
}

sd_outfile *cli_output(const char *path, sd_error *err)
{
    sd_outfile *out = NULL;
    bool std = !path || strcmp(path, "-") == 0;
    if ((std ? sd_outfile_wrap(stdout, "standard output", &out, err)
             : sd_outfile_open(path, &out, err)) != SD_OK) {
        cli_report_output(err, path);
        return NULL;
    }
    return out;
}

int cli_close_output(sd_outfile *out, sd_error *err)
{
    if (sd_outfile_commit(out, err) != SD_OK)
        return cli_report(err);
    return EXIT_OK;
}

bool cli_outputs_ok(const char *cmd, const char *const *inputs, const char *const *outputs)
{
    for (size_t i = 0; outputs[i]; i += 2) {
        const char *o = outputs[i + 1];
        if (!o || strcmp(o, "-") == 0)
            continue;
        for (size_t j = 0; inputs[j]; j += 2) {
            const char *in = inputs[j + 1];
            if (!in || strcmp(in, "@study") == 0)
                continue;
            if (strcmp(in, o) == 0 || sd_path_same_file(in, o)) {
                cli_usage(cmd, "%s %s is also the %s '%s': expected another output file",
                          outputs[i], o, inputs[j], in);
                return false;
            }
        }
        for (size_t j = 0; j < i; j += 2) {
            const char *o2 = outputs[j + 1];
            if (o2 && strcmp(o2, "-") != 0 && (strcmp(o2, o) == 0 || sd_path_same_file(o2, o))) {
                cli_usage(cmd, "%s %s is also the output of %s: expected another file",
                          outputs[i], o, outputs[j]);
                return false;
            }
        }
    }
    return true;
}

bool cli_is_uri(const char *s)
{
    return s && (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0);
}
