/*
 * main.c — `sondage COMMAND [OPTIONS] [FILE]`: dispatch to one command.
 * The CLI never calls setlocale for LC_NUMERIC: numbers for machines stay
 * locale-free, and people's numbers follow --lang, not the environment.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "Usage: sondage COMMAND [OPTIONS] [FILE]\n"
    "\n"
    "Survey data from file to table. FILE is .sav, .zsav, .por, .dta, .sas7bdat,\n"
    ".xpt, .sqlite (a fieldwork store), .csv (with --codebook YAML) or a\n"
    "postgresql:// table (--table); without FILE, or with @study, the bundled\n"
    "CIO/marketer study is used.\n"
    "\n"
    "Commands:\n"
    "  demo       the bundled study: its published figures restated and tested,\n"
    "             findings in words, the full report (sondage-report/)\n"
    "  info       the codebook: variables, labels, value labels, missing, sets\n"
    "  tab        tables of counts and column percentages, with banners\n"
    "  report     a report: tables, charts and findings in html, xlsx, md, json, txt\n"
    "  convert    write a dataset as .sav, or as .csv plus a YAML codebook\n"
    "  codebook   the codebook a questionnaire makes (fieldwork)\n"
    "  serve      run the fieldwork: the questionnaire on the web, answers in a store\n"
    "  tokens     single-use invitation tokens for a served questionnaire\n"
    "  weight     weight to population targets (rake, post-stratify, calibrate)\n"
    "\n"
    "Run 'sondage COMMAND --help' for a command's options.\n"
    "Exit status: 0 success, 1 bad input, 2 usage error, 3 internal error.\n";

int main(int argc, char **argv)
{
    /* A closed pipe is a write error to report (EPIPE), not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("sondage " SD_VERSION);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"info", cmd_info}, {"tab", cmd_tab}, {"convert", cmd_convert}, {"demo", cmd_demo},
                   {"codebook", cmd_codebook}, {"serve", cmd_serve}, {"tokens", cmd_tokens},
                   {"weight", cmd_weight}, {"report", cmd_report}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmd, cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    return cli_usage(NULL, "unknown command '%s': expected demo, info, tab, report, convert, "
                           "codebook, serve, tokens or weight",
                     cmd);
}
