/*
 * opts.c — shared option parsing for the commands.
 */
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opts_bad(const char *cmd, int c, char **argv, const struct option *longopts)
{
    const char *arg = argv[optind - 1];
    if (c == ':')
        return cli_usage(cmd, "option '%s' needs a value", arg);
    (void)longopts;
    if (optopt && optopt != '?')
        return cli_usage(cmd, "unknown option '-%c'", optopt);
    return cli_usage(cmd, "unknown option '%s'", arg);
}

const char *opts_file(const char *cmd, int argc, char **argv)
{
    if (optind >= argc)
        return "@study";
    if (optind + 1 < argc) {
        cli_usage(cmd, "one FILE expected, got '%s' and '%s'", argv[optind], argv[optind + 1]);
        return NULL;
    }
    return argv[optind];
}

bool opts_split(const char *list, bool (*add)(void *ctx, const char *name), void *ctx)
{
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *name = malloc(n + 1);
        if (!name)
            return false;
        memcpy(name, p, n);
        name[n] = '\0';
        bool ok = add(ctx, name);
        free(name);
        if (!ok)
            return false;
        if (!e)
            return true;
        p = e + 1;
    }
}

sd_status opts_open(const char *file, const char *codebook, const char *encoding,
                    sd_dataset **out, sd_error *err)
{
    sd_open_options o = {.format = SD_FORMAT_AUTO, .codebook = codebook, .encoding = encoding};
    return sd_dataset_open_with(file, &o, out, err);
}
