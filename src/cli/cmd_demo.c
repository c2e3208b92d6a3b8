/*
 * cmd_demo.c — `sondage demo`: the bundled study's key tables, each
 * published measure by population (CIO vs marketer) with its bases.
 */
#include "opts.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "Usage: sondage demo [OPTIONS]\n"
    "\n"
    "The bundled CIO/marketer study (Robert Half Technology / The Creative Group,\n"
    "2015; examples/dsi-marketing): each published measure by role, with bases.\n"
    "The release computed percentages on all respondents, so 'does not apply'\n"
    "and 'don't know' stay in the base (--missing include). Each cell shows its\n"
    "95% interval and the letters of the columns it is significantly above\n"
    "(upper case p < 0.01, lower case p < 0.05): the articles' 73% vs 54% is\n"
    "a real gap, their 46% vs 44% is not.\n"
    "\n"
    "  -f, --format FMT       text (default), csv or json\n"
    "  -l, --lang LANG        fr or en (default en)\n"
    "  -h, --help             this help\n";

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *lang = "en";
    sd_outfmt fmt = SD_OUT_TEXT;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":f:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!cli_outfmt("demo", optarg, true, &fmt))
                return EXIT_USAGE;
            break;
        case 'l':
            if (!cli_lang("demo", optarg))
                return EXIT_USAGE;
            lang = optarg;
            break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("demo", c, argv, longopts);
        }
    }
    if (optind < argc)
        return cli_usage("demo", "demo takes no FILE: it runs the bundled study");
    sd_error *err = sd_error_new();
    sd_tabspec *spec = sd_tabspec_new();
    sd_dataset *ds = NULL;
    sd_result *res = NULL;
    int rc = EXIT_OK;
    if (!err || !spec) {
        fputs("sondage: error: out of memory\n", stderr);
        rc = EXIT_INTERNAL;
        goto out;
    }
    static const char *const rows[] = {"integration", "actions", "closer"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (sd_tabspec_add_row(spec, rows[i], err) != SD_OK) {
            rc = cli_report(err);
            goto out;
        }
    if (sd_tabspec_add_col(spec, "role", err) != SD_OK) {
        rc = cli_report(err);
        goto out;
    }
    sd_tabspec_set_missing(spec, SD_MISSING_INCLUDE);
    /* Which gaps are real: intervals and column letters (docs/tests.md). */
    if (sd_tabspec_set_option(spec, "tests", "true", err) != SD_OK ||
        sd_tabspec_set_option(spec, "stats", "true", err) != SD_OK) {
        rc = cli_report(err);
        goto out;
    }
    if (sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, err) != SD_OK ||
        sd_tabulate(ds, spec, &res, err) != SD_OK) {
        rc = cli_report(err);
        goto out;
    }
    if (fmt == SD_OUT_TEXT) {
        const char *title = sd_dataset_title(ds, lang);
        if (title)
            printf("%s\n%s\n\n", title,
                   strcmp(lang, "fr") == 0
                       ? "Base : tous les répondants de chaque groupe (« sans objet » et « ne sait "
                         "pas » inclus, comme dans la publication)."
                       : "Base: all respondents of each group ('does not apply' and 'don't know' "
                         "included, as in the release).");
    }
    sd_outfile *out = cli_output(NULL, err);
    if (!out)
        rc = EXIT_INTERNAL;
    else if (sd_result_write(res, fmt, lang, sd_outfile_stream(out), err) != SD_OK) {
        rc = cli_report_output(err, NULL);
        sd_outfile_abort(out);
    } else
        rc = cli_close_output(out, err);
out:
    sd_result_free(res);
    sd_dataset_free(ds);
    sd_tabspec_free(spec);
    sd_error_free(err);
    return rc;
}
