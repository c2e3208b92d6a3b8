/*
 * cmd_codebook.c — `sondage codebook QUESTIONNAIRE`: the YAML codebook a
 * questionnaire makes (docs/codebook.md), the one the store keeps and the
 * readers apply, so answers tabulate with no extra work.
 */
#include "opts.h"

#include "field/field.h"

#include <stdio.h>

static const char help[] =
    "Usage: sondage codebook QUESTIONNAIRE [OPTIONS]\n"
    "\n"
    "Write the codebook of a questionnaire (docs/questionnaire.md): the\n"
    "respondent's id, then every question's variable (one per option of a\n"
    "multiple question, one per line of a grid) with its labels in each\n"
    "language, codes, missing codes and measure, and a multiple-response set\n"
    "per multiple question. The questionnaire is checked whole first.\n"
    "\n"
    "  -o, --output FILE      write there instead of standard output\n"
    "  -h, --help             this help\n";

int cmd_codebook(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("codebook", c, argv, longopts);
        }
    }
    if (optind >= argc)
        return cli_usage("codebook", "QUESTIONNAIRE is required: the questionnaire's YAML file");
    if (optind + 1 < argc)
        return cli_usage("codebook", "one QUESTIONNAIRE expected, got '%s' and '%s'",
                         argv[optind], argv[optind + 1]);
    const char *inputs[] = {"questionnaire", argv[optind], NULL};
    const char *outputs[] = {"-o", output, NULL};
    if (!cli_outputs_ok("codebook", inputs, outputs))
        return EXIT_USAGE;
    sd_error *err = sd_error_new();
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    sd__questionnaire *q = NULL;
    char *yaml = NULL;
    size_t len = 0;
    int rc = EXIT_OK;
    if (sd__questionnaire_open(argv[optind], &q, err) != SD_OK ||
        sd__questionnaire_codebook(q, &yaml, &len, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK) {
        sd_outfile *out = cli_output(output, err);
        if (!out)
            rc = EXIT_INPUT;
        else {
            fwrite(yaml, 1, len, sd_outfile_stream(out));
            rc = cli_close_output(out, err);
        }
    }
    sd__free(yaml);
    sd__questionnaire_free(q);
    sd_error_free(err);
    return rc;
}
