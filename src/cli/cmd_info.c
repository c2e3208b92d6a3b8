/*
 * cmd_info.c — `sondage info`: the codebook of a data file.
 */
#include "opts.h"

#include <stdio.h>

static const char help[] =
    "Usage: sondage info [FILE] [OPTIONS]\n"
    "\n"
    "The codebook as SPSS's DISPLAY DICTIONARY shows it: variables (position,\n"
    "type, measurement level, missing values, label), value labels, nets,\n"
    "multiple-response sets, row count. Without FILE, the bundled study.\n"
    "\n"
    "  -b, --codebook FILE    YAML codebook to apply (docs/codebook.md)\n"
    ENCODING_HELP
    TABLE_HELP
    "  -f, --format FMT       text (default) or json (every language)\n"
    "  -l, --lang LANG        labels in fr or en (default en)\n"
    "  -o, --output FILE      write there instead of standard output\n"
    "  -h, --help             this help\n";

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"codebook", required_argument, NULL, 'b'}, {"encoding", required_argument, NULL, 'E'},
        {"format", required_argument, NULL, 'f'},
        {"lang", required_argument, NULL, 'l'},     {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},           {"table", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    const char *codebook = NULL, *encoding = NULL, *lang = "en", *output = NULL, *table = NULL;
    sd_outfmt fmt = SD_OUT_TEXT;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":b:f:l:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'T': table = optarg; break;
        case 'f':
            if (!cli_outfmt("info", optarg, false, &fmt))
                return EXIT_USAGE;
            break;
        case 'l':
            if (!cli_lang("info", optarg))
                return EXIT_USAGE;
            lang = optarg;
            break;
        case 'o': output = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("info", c, argv, longopts);
        }
    }
    const char *file = opts_file("info", argc, argv);
    if (!file)
        return EXIT_USAGE;
    const char *inputs[] = {"data file", file, "codebook", codebook, NULL};
    const char *outputs[] = {"-o", output, NULL};
    if (!cli_outputs_ok("info", inputs, outputs))
        return EXIT_USAGE;
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    int rc = EXIT_OK;
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    if (opts_open_table(file, table, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK) {
        sd_outfile *out = cli_output(output, err);
        if (!out)
            rc = EXIT_INPUT;
        else if (sd_dataset_write_info(ds, fmt, lang, sd_outfile_stream(out), err) != SD_OK) {
            rc = cli_report_output(err, output);
            sd_outfile_abort(out);
        } else
            rc = cli_close_output(out, err);
    }
    sd_dataset_free(ds);
    sd_error_free(err);
    return rc;
}
