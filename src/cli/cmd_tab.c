/*
 * cmd_tab.c — `sondage tab`: tables of counts and column percentages.
 */
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: sondage tab [FILE] --rows V1,V2,... [--cols G1,G2,...] [OPTIONS]\n"
    "       sondage tab [FILE] --spec TABLES.yml [OPTIONS]\n"
    "\n"
    "For each row variable (or multiple-response set), a table with, per category\n"
    "of each banner and a Total column: unweighted count n, weighted count, column\n"
    "proportion, bases. Missing values leave the base and are counted apart.\n"
    "Without FILE, the bundled study (@study) is used. docs/tables.md has it all.\n"
    "\n"
    "  -r, --rows LIST        row variables or sets: names, A TO B, q* (repeatable);\n"
    "                         NAME:cat or NAME:mean says what a variable is\n"
    "  -c, --cols LIST        banners, side by side: variables, sets, nested a>b>c\n"
    "      --spec FILE        the tables from a YAML spec file (docs/tables.md)\n"
    "      --filter EXPR      only rows where EXPR holds (repeatable, and-ed), e.g.\n"
    "                         'role = 2 and size in (1, 2)', 'not missing(q1)'\n"
    "      --pct WHAT         col (default), row or total percentages\n"
    "      --sort ORDER       desc, asc or none (default): rows by the Total column\n"
    "      --hide-empty       leave out rows and columns with nobody in them\n"
    "      --min-base N       flag columns under N respondents, no letters (30)\n"
    "      --means            a mean row under a categorical variable\n"
    "      --decimals N       decimals in text (1 for %, 2 for means)\n"
    "      --threads N        threads for reading a CSV and the pass over the rows\n"
    "                         (default: the machine's cores); the same figures for any N\n"
    "      --stream           say so when a CSV file cannot be read a chunk of rows\n"
    "                         at a time (the default where it can: memory for the\n"
    "                         sums, not the file; the same figures; docs/tables.md)\n"
    "      --no-stream        read the file whole first\n"
    "  -w, --weight VAR       weight variable (none: no weight, whatever the codebook)\n"
    "  -b, --codebook FILE    YAML codebook to apply (docs/codebook.md)\n"
    ENCODING_HELP
    TABLE_HELP
    "      --missing MODE     exclude (default) or include user-missing codes\n"
    "  -f, --format FMT       text (default), csv, json (docs/json.md), xlsx (needs\n"
    "                         -o), html, md, or prose (the findings in sentences)\n"
    "      --findings         json: each table's findings in words (docs/findings.md)\n"
    "  -l, --lang LANG        labels in this language: en (default), fr, de...\n"
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
    "--chisq F|Chisq (the Rao-Scott statistic in each table's test),\n"
    "--pair-test pooled|unpooled (pooled: Rao-Scott test of each pair's 2x2\n"
    "table, the default; unpooled: R's svycontrast difference over its SE).\n"
    "Weighting, a step of the design (docs/weighting.md): --targets FILE\n"
    "[--method rake|poststratify|linear|raking|logit] [--bounds L,U] [--trim L,U]\n"
    "[--tolerance E] [--max-iter N] [--force]; standard errors carry it (R's\n"
    "calibration residuals; replicates re-weighted the same way).\n"
    "--stats: text and CSV show intervals too (CSV: se, ci_low, ci_high).\n"
    "Statistics (JSON cells gain se, ci_low, ci_high): --ci logit|wald|wilson|\n"
    "likelihood|beta|xlogit|asin|mean (default logit), --level 0.95, --deff.\n";

/* --threads, for the parse too (0: the machine's cores); 1..64, checked by
 * opts_apply before. */
static int tab_threads(const opts_pair *pairs, size_t npairs)
{
    int threads = 0;
    for (size_t i = 0; i < npairs; i++)
        if (!strcmp(pairs[i].key, "threads")) {
            threads = 0;
            for (const char *d = pairs[i].value; *d >= '0' && *d <= '9' && threads <= 64; d++)
                threads = threads * 10 + (*d - '0');
        }
    return threads;
}

/* Tabulate every request on one dataset and put the tables in one result.
 * A request's weighting (--targets, or the one its codebook records) is a
 * step of its design: run first, its warnings printed. */
static sd_status tab_all(const sd_dataset *ds, sd_tabspec **specs, size_t n, sd_result **out,
                         sd_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        sd_result *r = NULL;
        sd_weighting *w = NULL;
        sd_status st = sd_tabspec_set_weighting(specs[i], NULL, err);
        if (st == SD_OK)
            st = sd_tabspec_weight(specs[i], ds, &w, err);
        for (size_t k = 0; st == SD_OK && k < sd_weighting_nwarnings(w); k++)
            fprintf(stderr, "sondage: warning: %s\n", sd_weighting_warning(w, k));
        sd_weighting_free(w);
        if (st == SD_OK)
            st = sd_tabulate(ds, specs[i], &r, err);
        if (st == SD_OK && *out)
            st = sd_result_merge(*out, r, err);
        else if (st == SD_OK)
            *out = r;
        if (st != SD_OK) {
            sd_result_free(*out);
            *out = NULL;
            return st;
        }
    }
    return SD_OK;
}

/* Every request over a CSV file read a chunk at a time (--stream, and
 * by default where it can); one the stream cannot take reads the file
 * whole, with a note saying why when --stream was asked. */
static sd_status tab_stream(const char *file, const sd_open_options *o, sd_tabspec **specs,
                            size_t n, bool say, sd_result **out, sd_error *err)
{
    *out = NULL;
    sd_result **rs = calloc(n ? n : 1, sizeof *rs);
    if (!rs)
        return SD_E_NOMEM;
    sd_status st = sd_tabulate_stream(file, o, specs, n, rs, err);
    for (size_t i = 0; i < n && st == SD_OK; i++) {
        if (*out)
            st = sd_result_merge(*out, rs[i], err);
        else
            *out = rs[i];
        rs[i] = NULL;
    }
    for (size_t i = 0; i < n; i++)
        sd_result_free(rs[i]);
    free(rs);
    if (st != SD_E_UNSUPPORTED)
        return st;
    opts_stream_fallback(say, err);
    sd_dataset *ds = NULL;
    st = sd_dataset_open_for(file, o, specs, n, &ds, err);
    if (st == SD_OK)
        st = tab_all(ds, specs, n, out, err);
    sd_dataset_free(ds);
    return st;
}

int cmd_tab(int argc, char **argv)
{
    static const struct option own[] = {
        {"rows", required_argument, NULL, 'r'},     {"cols", required_argument, NULL, 'c'},
        {"codebook", required_argument, NULL, 'b'}, {"encoding", required_argument, NULL, 'E'},
        {"format", required_argument, NULL, 'f'},   {"lang", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},   {"help", no_argument, NULL, 'h'},
        {"compare", required_argument, NULL, 'C'},  {"spec", required_argument, NULL, 'S'},
        {"table", required_argument, NULL, 'T'},    {"stream", no_argument, NULL, 'Z'},
        {"no-stream", no_argument, NULL, 'z'},      {NULL, 0, NULL, 0}};
    struct option *longopts = opts_with_table(own);
    int li = 0;
    sd_error *err = sd_error_new();
    opts_pair *pairs = calloc((size_t)argc + 1, sizeof *pairs);
    if (!err || !pairs || !longopts) {
        fputs("sondage: error: out of memory\n", stderr);
        sd_error_free(err);
        free(pairs);
        free(longopts);
        return EXIT_INTERNAL;
    }
    const char *codebook = NULL, *encoding = NULL, *lang = "en", *output = NULL, *compare = NULL;
    const char *specfile = NULL, *table = NULL;
    sd_outfmt fmt = SD_OUT_TEXT;
    int rc = EXIT_OK, c;
    bool have_rows = false, have_cols = false;
    int stream = 0; /* 1 --stream, -1 --no-stream, 0 where it can */
    size_t npairs = 0;
    opterr = 0;
    optind = 1;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, ":r:c:w:b:f:l:o:h", longopts, &li)) != -1) {
        switch (c) {
        case 'r': pairs[npairs++] = (opts_pair){"rows", optarg}; have_rows = true; break;
        case 'c': pairs[npairs++] = (opts_pair){"cols", optarg}; have_cols = true; break;
        case 'w': pairs[npairs++] = (opts_pair){"weight", optarg}; break;
        case 'm': pairs[npairs++] = (opts_pair){"missing", optarg}; break;
        case 'D': pairs[npairs++] = (opts_pair){longopts[li].name, optarg}; break;
        case 'F': pairs[npairs++] = (opts_pair){longopts[li].name, "true"}; break;
        case 'S': specfile = optarg; break;
        case 'C': compare = optarg; break;
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'T': table = optarg; break;
        case 'Z': stream = 1; break;
        case 'z': stream = -1; break;
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
            free(pairs);
            free(longopts);
            return EXIT_OK;
        default: rc = opts_bad("tab", c, argv, longopts); break;
        }
    }
    const char *file = NULL;
    if (rc == EXIT_OK && !have_rows && !specfile)
        rc = cli_usage("tab", "--rows is required: name the variables to tabulate (or give "
                              "--spec FILE)");
    if (rc == EXIT_OK && specfile && (have_rows || have_cols))
        rc = cli_usage("tab", "--spec gives the tables: drop --rows and --cols, or drop --spec");
    if (rc == EXIT_OK && !(file = opts_file("tab", argc, argv)))
        rc = EXIT_USAGE;
    if (rc == EXIT_OK && fmt == SD_OUT_XLSX && (!output || !strcmp(output, "-")))
        rc = cli_usage("tab", "--format xlsx writes a workbook: give -o FILE.xlsx");
    if (rc == EXIT_OK) {
        const char *inputs[] = {"data file", file, "codebook", codebook, "--compare file",
                                compare, "--spec file", specfile, NULL};
        const char *outputs[] = {"-o", output, NULL};
        if (!cli_outputs_ok("tab", inputs, outputs))
            rc = EXIT_USAGE;
    }
    /* The requests: the spec file's tables, or one from the command line. */
    sd_tabspec **specs = NULL;
    size_t nspecs = 0;
    if (rc == EXIT_OK && specfile && sd_tabspec_read(specfile, &specs, &nspecs, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && !specfile) {
        if (!(specs = calloc(1, sizeof *specs)) || !(specs[0] = sd_tabspec_new())) {
            fputs("sondage: error: out of memory\n", stderr);
            rc = EXIT_INTERNAL;
        } else {
            nspecs = 1;
        }
    }
    /* Prose is the findings: they need the tests (as --findings does). */
    if (rc == EXIT_OK && fmt == SD_OUT_PROSE)
        pairs[npairs++] = (opts_pair){"findings", "true"};
    for (size_t i = 0; rc == EXIT_OK && i < nspecs; i++)
        rc = opts_apply("tab", specs[i], pairs, npairs, err);
    /* CSV and text show no SE, interval or test unless asked (--stats,
     * --deff, tests): their tables then keep no variance sums, the larger
     * part of a pass (JSON and the workbooks always carry the SEs). */
    for (size_t i = 0; rc == EXIT_OK && !compare && (fmt == SD_OUT_CSV || fmt == SD_OUT_TEXT) &&
                       i < nspecs;
         i++)
        if (sd_tabspec_set_option(specs[i], "variances", "shown", err) != SD_OK)
            rc = cli_report(err);
    sd_dataset *ds = NULL;
    sd_result *res = NULL;
    /* The requests' columns only (sd_dataset_open_for: a CSV's others are
     * not stored), in both waves of --compare; a database's table reads in
     * full. */
    sd_open_options o = {.format = SD_FORMAT_AUTO,
                         .codebook = codebook,
                         .encoding = encoding,
                         .threads = tab_threads(pairs, npairs)};
    if (rc == EXIT_OK && stream == 1 && table)
        rc = cli_usage("tab", "--stream reads a CSV file: drop --table");
    bool streamed = stream >= 0 && !table;
    if (rc == EXIT_OK && streamed) {
        if (tab_stream(file, &o, specs, nspecs, stream == 1, &res, err) != SD_OK)
            rc = cli_report(err);
    } else if (rc == EXIT_OK && !table) {
        if (sd_dataset_open_for(file, &o, specs, nspecs, &ds, err) != SD_OK)
            rc = cli_report(err);
    } else if (rc == EXIT_OK &&
               opts_open_table(file, table, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && !streamed && tab_all(ds, specs, nspecs, &res, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && compare) {
        /* The other wave: same codebook, same tables, its own design. */
        sd_dataset *pds = NULL;
        sd_result *prev = NULL;
        sd_status st = SD_OK;
        if (stream >= 0)
            st = tab_stream(compare, &o, specs, nspecs, stream == 1, &prev, err);
        else if ((st = sd_dataset_open_for(compare, &o, specs, nspecs, &pds, err)) == SD_OK)
            st = tab_all(pds, specs, nspecs, &prev, err);
        if (st != SD_OK || sd_result_compare(res, prev, err) != SD_OK)
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
    if (specfile)
        sd_tabspecs_free(specs, nspecs);
    else if (specs) {
        sd_tabspec_free(specs[0]);
        free(specs);
    }
    free(pairs);
    free(longopts);
    sd_error_free(err);
    return rc;
}
