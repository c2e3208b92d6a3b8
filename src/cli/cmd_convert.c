/*
 * cmd_convert.c — `sondage convert`: write a dataset as .sav, or as CSV
 * plus the YAML codebook that keeps every label in every language, or load
 * it into a PostgreSQL table (COPY) with its codebook; a PostgreSQL table
 * as FILE is exported.
 */
#include "opts.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "Usage: sondage convert [FILE] -o OUT [OPTIONS]\n"
    "\n"
    "Write FILE (or the bundled study) as OUT: .sav (SPSS; labels in one\n"
    "language) or .csv (with --codebook-out, a YAML codebook keeping every\n"
    "language, value label, missing value, net and set), or a PostgreSQL table\n"
    "(OUT a postgresql:// URI: loaded with COPY, its codebook kept in the\n"
    "database's sondage_codebook table; docs/postgresql.md). FILE may be a\n"
    "postgresql:// URI too: the table is exported.\n"
    "\n"
    "  -o, --output OUT           the file to write (.sav or .csv), or a URI\n"
    "      --table NAME           the table of the side that is a postgresql://\n"
    "                             URI (or ?table=NAME in the URI)\n"
    "      --replace              OUT's table may exist: it is replaced (in the\n"
    "                             same transaction as the load)\n"
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
        {"help", no_argument, NULL, 'h'},              {"table", required_argument, NULL, 'T'},
        {"replace", no_argument, NULL, 'R'},           {NULL, 0, NULL, 0}};
    const char *codebook = NULL, *encoding = NULL, *cb_out = NULL, *lang = "en", *output = NULL;
    const char *table = NULL;
    bool replace = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:b:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'k': cb_out = optarg; break;
        case 'T': table = optarg; break;
        case 'R': replace = true; break;
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
    bool pg_out = cli_is_uri(output), pg_in = cli_is_uri(file);
    const char *dot = strrchr(output, '.');
    bool sav = !pg_out && dot && (strcmp(dot, ".sav") == 0 || strcmp(dot, ".zsav") == 0);
    bool csv = !pg_out && dot && strcmp(dot, ".csv") == 0;
    if (!sav && !csv && !pg_out)
        return cli_usage("convert", "-o %s: expected a name ending in .sav or .csv, or a "
                                    "postgresql:// URI",
                         output);
    if (cb_out && !csv)
        return cli_usage("convert", "--codebook-out goes with a .csv output");
    if (table && pg_in && pg_out)
        return cli_usage("convert", "--table: FILE and OUT are both URIs: give each its "
                                    "?table=NAME");
    if (table && !pg_in && !pg_out)
        return cli_usage("convert", "--table names the table of a postgresql:// FILE or OUT");
    if (replace && !pg_out)
        return cli_usage("convert", "--replace goes with a postgresql:// OUT");
    const char *inputs[] = {"data file", file, "codebook", codebook, NULL};
    const char *outputs[] = {"-o", pg_out ? NULL : output, "--codebook-out", cb_out, NULL};
    if (!cli_outputs_ok("convert", inputs, outputs))
        return EXIT_USAGE;
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    int rc = EXIT_OK;
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    if (opts_open_table(file, pg_in ? table : NULL, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    else if ((pg_out ? sd_dataset_write_postgresql(ds, output, table, replace, err)
              : sav  ? sd_dataset_write_sav(ds, output, lang, err)
                     : sd_dataset_write_csv(ds, output, cb_out, err)) != SD_OK)
        rc = cli_report(err);
    sd_dataset_free(ds);
    sd_error_free(err);
    return rc;
}
