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
    if (arg[0] == '-' && arg[1] == '-') {
        /* A long option: getopt_long sets optopt to its short value when it
         * was given a value it does not take ("--findings=maybe"), which
         * must not be reported as an unknown '-F'. */
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        for (const struct option *o = longopts; eq && o && o->name; o++)
            if (o->has_arg == no_argument && strlen(o->name) == n && !strncmp(o->name, arg + 2, n))
                return cli_usage(cmd, "option '--%s' takes no value (given '%s')", o->name,
                                 eq + 1);
        return cli_usage(cmd, "unknown option '%.*s'", (int)(eq ? eq - arg : (long)strlen(arg)),
                         arg);
    }
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
    return opts_open_table(file, NULL, codebook, encoding, out, err);
}

sd_status opts_open_table(const char *file, const char *table, const char *codebook,
                          const char *encoding, sd_dataset **out, sd_error *err)
{
    sd_open_options o = {.format = SD_FORMAT_AUTO, .codebook = codebook, .encoding = encoding,
                         .table = table};
    return sd_dataset_open_with(file, &o, out, err);
}

void opts_stream_fallback(bool say, sd_error *err)
{
    if (say)
        fprintf(stderr, "sondage: note: --stream: %s: reading the file whole\n",
                sd_error_message(err));
    sd_error_clear(err);
}

static const struct option table_opts[] = {
    {"strata", required_argument, NULL, 'D'},     {"cluster", required_argument, NULL, 'D'},
    {"fpc", required_argument, NULL, 'D'},        {"nest", no_argument, NULL, 'F'},
    {"lonely-psu", required_argument, NULL, 'D'}, {"repweights", required_argument, NULL, 'D'},
    {"reptype", required_argument, NULL, 'D'},    {"rho", required_argument, NULL, 'D'},
    {"scale", required_argument, NULL, 'D'},      {"rscales", required_argument, NULL, 'D'},
    {"mse", no_argument, NULL, 'F'},              {"ci", required_argument, NULL, 'D'},
    {"level", required_argument, NULL, 'D'},      {"deff", no_argument, NULL, 'F'},
    {"make-replicates", required_argument, NULL, 'D'},
    {"tests", no_argument, NULL, 'F'},            {"stats", no_argument, NULL, 'F'},
    {"chisq", required_argument, NULL, 'D'},      {"letters", required_argument, NULL, 'D'},
    {"adjust", required_argument, NULL, 'D'},     {"alpha", required_argument, NULL, 'D'},
    {"alpha2", required_argument, NULL, 'D'},     {"replicates", required_argument, NULL, 'D'},
    {"seed", required_argument, NULL, 'D'},       {"filter", required_argument, NULL, 'D'},
    {"pct", required_argument, NULL, 'D'},        {"sort", required_argument, NULL, 'D'},
    {"hide-empty", no_argument, NULL, 'F'},       {"min-base", required_argument, NULL, 'D'},
    {"means", no_argument, NULL, 'F'},            {"decimals", required_argument, NULL, 'D'},
    {"findings", no_argument, NULL, 'F'},         {"weight", required_argument, NULL, 'w'},
    {"targets", required_argument, NULL, 'D'},    {"method", required_argument, NULL, 'D'},
    {"bounds", required_argument, NULL, 'D'},     {"trim", required_argument, NULL, 'D'},
    {"tolerance", required_argument, NULL, 'D'},  {"max-iter", required_argument, NULL, 'D'},
    {"force", no_argument, NULL, 'F'},            {"pair-test", required_argument, NULL, 'D'},
    {"missing", required_argument, NULL, 'm'},    {"threads", required_argument, NULL, 'D'},
    {NULL, 0, NULL, 0}};

struct option *opts_with_table(const struct option *own)
{
    size_t a = 0, b = 0;
    while (own[a].name)
        a++;
    while (table_opts[b].name)
        b++;
    struct option *v = calloc(a + b + 1, sizeof *v);
    if (!v)
        return NULL;
    memcpy(v, own, a * sizeof *v);
    memcpy(v + a, table_opts, (b + 1) * sizeof *v);
    return v;
}

int opts_apply(const char *cmd, sd_tabspec *spec, const opts_pair *p, size_t n, sd_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (sd_tabspec_set_option(spec, p[i].key, p[i].value, err) != SD_OK)
            return sd_error_status(err) == SD_E_NOMEM ? cli_report(err)
                                                       : cli_usage(cmd, "%s", sd_error_message(err));
    return EXIT_OK;
}
