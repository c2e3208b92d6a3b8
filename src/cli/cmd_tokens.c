/*
 * cmd_tokens.c — `sondage tokens QUESTIONNAIRE --db FILE --create N`:
 * single-use invitation tokens for a closed survey, printed one per line
 * (each opens /t/TOKEN on the field server and completes at most once).
 */
#include "opts.h"

#include "field/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: sondage tokens QUESTIONNAIRE --db FILE.sqlite|URI --create N [OPTIONS]\n"
    "\n"
    "Create N single-use invitation tokens in the store (created with the\n"
    "questionnaire's tables if it does not exist yet) and print them, one per\n"
    "line, or as links with --url. Serve with --access tokens so that only\n"
    "invited respondents can answer: http://HOST:PORT/t/TOKEN starts (or\n"
    "resumes) that respondent's interview, which completes at most once.\n"
    "\n"
    "  -d, --db FILE|URI      the store (SQLite or postgresql://), as given to\n"
    "                         sondage serve\n"
    "  -n, --create N         how many tokens (1 to 1000000)\n"
    "  -u, --url BASE         print BASE/t/TOKEN (e.g. https://survey.example.org)\n"
    "  -h, --help             this help\n";

int cmd_tokens(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},  {"create", required_argument, NULL, 'n'},
        {"url", required_argument, NULL, 'u'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *url = NULL;
    long n = -1;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":d:n:u:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n': {
            char *end;
            n = strtol(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || n < 1 || n > 1000000)
                return cli_usage("tokens", "--create: expected a whole number from 1 to 1000000, "
                                           "not '%s'", optarg);
            break;
        }
        case 'u': url = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("tokens", c, argv, longopts);
        }
    }
    if (optind >= argc)
        return cli_usage("tokens", "QUESTIONNAIRE is required: the questionnaire's YAML file");
    if (optind + 1 < argc)
        return cli_usage("tokens", "one QUESTIONNAIRE expected, got '%s' and '%s'", argv[optind],
                         argv[optind + 1]);
    if (!db)
        return cli_usage("tokens", "--db FILE is required: the store to create tokens in");
    if (n < 0)
        return cli_usage("tokens", "--create N is required: how many tokens to create");
    sd_error *err = sd_error_new();
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    sd__questionnaire *q = NULL;
    sd__store *st = NULL;
    char *tokens = NULL;
    int rc = EXIT_OK;
    if (sd__questionnaire_open(argv[optind], &q, err) != SD_OK ||
        sd__store_open(db, q, false, &st, err) != SD_OK ||
        st->ops->tokens_create(st, (size_t)n, &tokens, err) != SD_OK)
        rc = cli_report(err);
    sd_outfile *out = rc == EXIT_OK ? cli_output(NULL, err) : NULL;
    if (rc == EXIT_OK && !out)
        rc = EXIT_INTERNAL;
    if (rc == EXIT_OK) {
        FILE *fp = sd_outfile_stream(out);
        size_t ul = url ? strlen(url) : 0;
        while (ul && url[ul - 1] == '/')
            ul--;
        for (long i = 0; i < n; i++) {
            const char *t = tokens + (size_t)i * (SD_SID_LEN + 1);
            if (url)
                fprintf(fp, "%.*s/t/%s\n", (int)ul, url, t);
            else
                fprintf(fp, "%s\n", t);
        }
        rc = cli_close_output(out, err);
    }
    sd__free(tokens);
    sd__store_close(st);
    sd__questionnaire_free(q);
    sd_error_free(err);
    return rc;
}
