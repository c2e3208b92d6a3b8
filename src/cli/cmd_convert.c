/*
 * cmd_convert.c — `sondage convert`: write a dataset as .sav, or as CSV
 * plus the YAML codebook that keeps every label in every language.
 */
#include "opts.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "Usage: sondage convert [FILE] -o OUT [OPTIONS]\n"
    "\n"
    "Write FILE (or the bundled study) as OUT: .sav (SPSS; labels in one\n"
    "language) or .csv (with --codebook-out, a YAML codebook keeping every\n"
    "language, value label, missing value, net and set).\n"
    "\n"
    "  -o, --output OUT           the file to write (.sav or .csv)\n"
    "  -b, --codebook FILE        YAML codebook to apply to FILE first\n"
    "      --encoding NAME        FILE's text encoding (iconv name: WINDOWS-1252,\n"
    "                             ISO-8859-15, UTF-16...); default UTF-8, or\n"
    "                             Windows-1252 when a CSV is not UTF-8 and reads\n"
    "                             as it, and what SPSS, Stata and SAS files declare\n"
    "      --codebook-out FILE    with a .csv OUT: write the codebook there\n"
    "  -l, --lang LANG            .sav labels in fr or en (default en)\n"
    "  -h, --help                 this help\n";

int cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},      {"codebook", required_argument, NULL, 'b'},
        {"encoding", required_argument, NULL, 'E'},
        {"codebook-out", required_argument, NULL, 'k'}, {"lang", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0}};
    const char *codebook = NULL, *encoding = NULL, *cb_out = NULL, *lang = "en", *output = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:b:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'k': cb_out = optarg; break;
        case 'l':
            if (!cli_lang("convert", optarg))
                return EXIT_USAGE;
            lang = optarg;
            break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("convert", c, argv, longopts);
        }
    }
    const char *file = opts_file("convert", argc, argv);
    if (!file)
        return EXIT_USAGE;
    if (!output)
        return cli_usage("convert", "-o OUT is required: the .sav or .csv file to write");
    const char *dot = strrchr(output, '.');
    bool sav = dot && (strcmp(dot, ".sav") == 0 || strcmp(dot, ".zsav") == 0);
    bool csv = dot && strcmp(dot, ".csv") == 0;
    if (!sav && !csv)
        return cli_usage("convert", "-o %s: expected a name ending in .sav or .csv", output);
    if (cb_out && !csv)
        return cli_usage("convert", "--codebook-out goes with a .csv output");
    const char *inputs[] = {"data file", file, "codebook", codebook, NULL};
    const char *outputs[] = {"-o", output, "--codebook-out", cb_out, NULL};
    if (!cli_outputs_ok("convert", inputs, outputs))
        return EXIT_USAGE;
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    int rc = EXIT_OK;
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    if (opts_open(file, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    else if ((sav ? sd_dataset_write_sav(ds, output, lang, err)
                  : sd_dataset_write_csv(ds, output, cb_out, err)) != SD_OK)
        rc = cli_report(err);
    sd_dataset_free(ds);
    sd_error_free(err);
    return rc;
}
