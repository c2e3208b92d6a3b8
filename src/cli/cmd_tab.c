/*
 * cmd_tab.c — `sondage tab`: tables of counts and column percentages.
 */
#include "opts.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "Usage: sondage tab [FILE] --rows V1,V2,... [--cols G1,G2,...] [OPTIONS]\n"
    "\n"
    "For each row variable (or multiple-response set), a table with, per category\n"
    "of each banner and a Total column: unweighted count n, weighted count, column\n"
    "proportion, bases. Missing values leave the base and are counted apart.\n"
    "Without FILE, the bundled study (@study) is used.\n"
    "\n"
    "  -r, --rows LIST        row variables or multiple-response sets (repeatable)\n"
    "  -c, --cols LIST        banner variables, side by side (none: Total only)\n"
    "  -w, --weight VAR       weight variable\n"
    "  -b, --codebook FILE    YAML codebook to apply (docs/codebook.md)\n"
    ENCODING_HELP
    "      --missing MODE     exclude (default) or include user-missing codes\n"
    "  -f, --format FMT       text (default), csv or json (docs/json.md)\n"
    "  -l, --lang LANG        labels in fr or en (default en)\n"
    "  -o, --output FILE      write there instead of standard output\n"
    "  -h, --help             this help\n"
    "\n"
    "Design (named after R's svydesign/svrepdesign; a codebook's design section\n"
    "fills what is not given): --strata S, --cluster C1[,C2], --fpc F1[,F2],\n"
    "--nest, --lonely-psu fail|remove|adjust|certainty|average,\n"
    "--repweights LIST|REGEX --reptype jk1|jkn|brr|fay|bootstrap|sdr [--rho R]\n"
    "[--scale S] [--rscales LIST] [--mse]; --make-replicates jk1|jkn|brr|bootstrap\n"
    "[--replicates N] [--seed S] turns a linearization design into replicates.\n"
    "--compare FILE: the same tables from an independent earlier wave; cells\n"
    "gain prev_pct (or prev_mean), change, change_se and change_p.\n"
    "Tests between banner columns (docs/tests.md): --tests, --alpha 0.01,\n"
    "--alpha2 0.05, --adjust none|bonferroni|holm|fdr, --letters design|spss|none,\n"
    "--chisq F|Chisq (the Rao-Scott statistic in each table's test).\n"
    "--stats: text and CSV show intervals too (CSV: se, ci_low, ci_high).\n"
    "Statistics (JSON cells gain se, ci_low, ci_high): --ci logit|wald|wilson|\n"
    "likelihood|beta|xlogit|asin|mean (default logit), --level 0.95, --deff.\n";

typedef struct ctx {
    sd_tabspec *spec;
    sd_error *err;
    bool rows;
} ctx;

static bool add_name(void *p, const char *name)
{
    ctx *c = p;
    sd_status st = c->rows ? sd_tabspec_add_row(c->spec, name, c->err)
                           : sd_tabspec_add_col(c->spec, name, c->err);
    return st == SD_OK;
}

int cmd_tab(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rows", required_argument, NULL, 'r'},   {"cols", required_argument, NULL, 'c'},
        {"weight", required_argument, NULL, 'w'}, {"codebook", required_argument, NULL, 'b'}, {"encoding", required_argument, NULL, 'E'},
        {"missing", required_argument, NULL, 'm'}, {"format", required_argument, NULL, 'f'},
        {"lang", required_argument, NULL, 'l'},   {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {"strata", required_argument, NULL, 'D'},
        {"cluster", required_argument, NULL, 'D'}, {"fpc", required_argument, NULL, 'D'},
        {"nest", no_argument, NULL, 'F'},          {"lonely-psu", required_argument, NULL, 'D'},
        {"repweights", required_argument, NULL, 'D'}, {"reptype", required_argument, NULL, 'D'},
        {"rho", required_argument, NULL, 'D'},     {"scale", required_argument, NULL, 'D'},
        {"rscales", required_argument, NULL, 'D'}, {"mse", no_argument, NULL, 'F'},
        {"ci", required_argument, NULL, 'D'},      {"level", required_argument, NULL, 'D'},
        {"deff", no_argument, NULL, 'F'},
        {"make-replicates", required_argument, NULL, 'D'},
        {"compare", required_argument, NULL, 'C'},
        {"tests", no_argument, NULL, 'F'},        {"stats", no_argument, NULL, 'F'},        {"chisq", required_argument, NULL, 'D'},
        {"letters", required_argument, NULL, 'D'}, {"adjust", required_argument, NULL, 'D'},
        {"alpha", required_argument, NULL, 'D'},  {"alpha2", required_argument, NULL, 'D'},
        {"replicates", required_argument, NULL, 'D'}, {"seed", required_argument, NULL, 'D'},
        {NULL, 0, NULL, 0}};
    int li = 0;
    sd_error *err = sd_error_new();
    sd_tabspec *spec = sd_tabspec_new();
    if (!err || !spec) {
        fputs("sondage: error: out of memory\n", stderr);
        sd_error_free(err);
        sd_tabspec_free(spec);
        return EXIT_INTERNAL;
    }
    const char *codebook = NULL, *encoding = NULL, *lang = "en", *output = NULL, *compare = NULL;
    sd_outfmt fmt = SD_OUT_TEXT;
    int rc = EXIT_OK, c;
    bool have_rows = false;
    ctx cx = {spec, err, true};
    opterr = 0;
    optind = 1;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, ":r:c:w:b:f:l:o:h", longopts, &li)) != -1) {
        switch (c) {
        case 'r':
        case 'c':
            cx.rows = c == 'r';
            have_rows |= cx.rows;
            if (!opts_split(optarg, add_name, &cx))
                rc = cli_usage("tab", "%s", sd_error_message(err));
            break;
        case 'w':
            if (sd_tabspec_set_weight(spec, optarg, err) != SD_OK)
                rc = cli_report(err);
            break;
        case 'D':
        case 'F':
            if (sd_tabspec_set_option(spec, longopts[li].name, c == 'F' ? "true" : optarg, err) !=
                SD_OK)
                rc = cli_usage("tab", "%s", sd_error_message(err));
            break;
        case 'C': compare = optarg; break;
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'm':
            if (strcmp(optarg, "exclude") == 0)
                sd_tabspec_set_missing(spec, SD_MISSING_EXCLUDE);
            else if (strcmp(optarg, "include") == 0)
                sd_tabspec_set_missing(spec, SD_MISSING_INCLUDE);
            else
                rc = cli_usage("tab", "--missing: expected exclude or include, not '%s'", optarg);
            break;
        case 'f':
            if (!cli_outfmt("tab", optarg, true, &fmt))
                rc = EXIT_USAGE;
            break;
        case 'l':
            if (!cli_lang("tab", optarg))
                rc = EXIT_USAGE;
            lang = optarg;
            break;
        case 'o': output = optarg; break;
        case 'h':
            fputs(help, stdout);
            sd_error_free(err);
            sd_tabspec_free(spec);
            return EXIT_OK;
        default: rc = opts_bad("tab", c, argv, longopts); break;
        }
    }
    const char *file = NULL;
    if (rc == EXIT_OK && !have_rows)
        rc = cli_usage("tab", "--rows is required: name the variables to tabulate");
    if (rc == EXIT_OK && !(file = opts_file("tab", argc, argv)))
        rc = EXIT_USAGE;
    if (rc == EXIT_OK) {
        const char *inputs[] = {"data file", file, "codebook", codebook, "--compare file",
                                compare, NULL};
        const char *outputs[] = {"-o", output, NULL};
        if (!cli_outputs_ok("tab", inputs, outputs))
            rc = EXIT_USAGE;
    }
    sd_dataset *ds = NULL;
    sd_result *res = NULL;
    if (rc == EXIT_OK && opts_open(file, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && sd_tabulate(ds, spec, &res, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && compare) {
        /* The other wave: same codebook, same tables, its own design. */
        sd_dataset *pds = NULL;
        sd_result *prev = NULL;
        if (opts_open(compare, codebook, encoding, &pds, err) != SD_OK ||
            sd_tabulate(pds, spec, &prev, err) != SD_OK ||
            sd_result_compare(res, prev, err) != SD_OK)
            rc = cli_report(err);
        sd_result_free(prev);
        sd_dataset_free(pds);
    }
    if (rc == EXIT_OK) {
        sd_outfile *out = cli_output(output, err);
        if (!out)
            rc = EXIT_INPUT;
        else if (sd_result_write(res, fmt, lang, sd_outfile_stream(out), err) != SD_OK) {
            rc = cli_report_output(err, output);
            sd_outfile_abort(out);
        } else
            rc = cli_close_output(out, err);
    }
    sd_result_free(res);
    sd_dataset_free(ds);
    sd_tabspec_free(spec);
    sd_error_free(err);
    return rc;
}
