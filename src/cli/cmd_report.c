/*
 * cmd_report.c — `sondage report`: a report spec's tables tabulated on one
 * dataset and written, in each asked format and language, into a folder:
 * DIR/report.LANG.{html,xlsx,md,json,txt}. Each file is written whole or
 * not at all (a temporary file beside it, renamed).
 */
#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "Usage: sondage report [FILE] [--spec SPEC.yml] --out DIR [OPTIONS]\n"
    "\n"
    "A report: the tables of a report spec (docs/reports.md: a table spec with a\n"
    "title, an introduction, sections and notes, in fr and en), their findings in\n"
    "words, written into DIR as report.LANG.html, .xlsx, .md, .json and .txt.\n"
    "Without FILE and --spec: the bundled study with its own report\n"
    "(examples/dsi-marketing/report.yml); with --spec alone, the bundled study.\n"
    "\n"
    "      --spec FILE        the report spec (YAML, docs/reports.md)\n"
    "      --out DIR          the folder to write into (made when missing)\n"
    "      --format LIST      of xlsx, html, md, json, txt (default: all of them)\n"
    "  -l, --lang LANG        one language (default: every language of the\n"
    "                         report's title, else en)\n"
    "  -b, --codebook FILE    YAML codebook to apply (docs/codebook.md)\n"
    ENCODING_HELP
    TABLE_HELP
    "      --stream           say so when a CSV file cannot be read a chunk of rows\n"
    "                         at a time (the default where it can; docs/tables.md)\n"
    "      --no-stream        read the file whole first\n"
    "  -h, --help             this help\n"
    "\n"
    "The options of sondage tab that shape tables (--weight, --filter, --missing,\n"
    "--tests, --pct, --min-base, the design and --targets weighting options...)\n"
    "apply to every table, over the spec's own.\n";

typedef struct fmtname {
    const char *name, *ext;
    sd_outfmt fmt;
} fmtname;

static const fmtname formats[] = {{"html", "html", SD_OUT_HTML}, {"xlsx", "xlsx", SD_OUT_XLSX},
                                  {"md", "md", SD_OUT_MD},       {"json", "json", SD_OUT_JSON},
                                  {"txt", "txt", SD_OUT_TEXT}};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* --format xlsx,html: which of the formats, in the table's order. */
static bool parse_formats(const char *list, bool *want)
{
    for (size_t k = 0; k < NFORMATS; k++)
        want[k] = list == NULL;
    if (!list)
        return true;
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool found = false;
        for (size_t k = 0; k < NFORMATS; k++)
            if (strlen(formats[k].name) == n && !strncmp(p, formats[k].name, n))
                want[k] = found = true;
        if (n == 4 && !strncmp(p, "text", 4))
            want[NFORMATS - 1] = found = true;
        if (!found) {
            cli_usage("report", "--format: expected a list of xlsx, html, md, json and txt, not "
                                "'%.*s'",
                      (int)n, p);
            return false;
        }
        if (!e)
            return true;
        p = e + 1;
    }
}

/* Write one file of the report, whole or not at all. */
static int write_one(const sd_report *rep, const char *dir, const fmtname *f, const char *lang,
                     sd_error *err)
{
    size_t n = strlen(dir) + strlen(lang) + strlen(f->ext) + 16;
    char *path = malloc(n);
    if (!path) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    snprintf(path, n, "%s/report.%s.%s", dir, lang, f->ext);
    int rc;
    sd_outfile *out = cli_output(path, err);
    if (!out)
        rc = EXIT_INPUT;
    else if (sd_report_write(rep, f->fmt, lang, sd_outfile_stream(out), err) != SD_OK) {
        rc = cli_report_output(err, path);
        sd_outfile_abort(out);
    } else {
        rc = cli_close_output(out, err);
        if (rc == EXIT_OK)
            printf("%s\n", path);
    }
    free(path);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option own[] = {
        {"spec", required_argument, NULL, 'S'},     {"out", required_argument, NULL, 'O'},
        {"format", required_argument, NULL, 'f'},   {"lang", required_argument, NULL, 'l'},
        {"codebook", required_argument, NULL, 'b'}, {"encoding", required_argument, NULL, 'E'},
        {"help", no_argument, NULL, 'h'},           {"table", required_argument, NULL, 'T'},
        {"stream", no_argument, NULL, 'Z'},         {"no-stream", no_argument, NULL, 'z'},
        {NULL, 0, NULL, 0}};
    struct option *longopts = opts_with_table(own);
    opts_pair *pairs = calloc((size_t)argc + 1, sizeof *pairs);
    sd_error *err = sd_error_new();
    if (!longopts || !pairs || !err) {
        fputs("sondage: error: out of memory\n", stderr);
        free(longopts);
        free(pairs);
        sd_error_free(err);
        return EXIT_INTERNAL;
    }
    const char *specfile = NULL, *dir = NULL, *fmtlist = NULL, *lang = NULL;
    const char *codebook = NULL, *encoding = NULL, *table = NULL;
    size_t npairs = 0;
    int rc = EXIT_OK, c, li = 0;
    int stream = 0; /* 1 --stream, -1 --no-stream, 0 where it can */
    opterr = 0;
    optind = 1;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, ":f:l:b:w:h", longopts, &li)) != -1) {
        switch (c) {
        case 'S': specfile = optarg; break;
        case 'O': dir = optarg; break;
        case 'f': fmtlist = optarg; break;
        case 'l':
            if (!cli_lang("report", optarg))
                rc = EXIT_USAGE;
            lang = optarg;
            break;
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'T': table = optarg; break;
        case 'Z': stream = 1; break;
        case 'z': stream = -1; break;
        case 'w': pairs[npairs++] = (opts_pair){"weight", optarg}; break;
        case 'm': pairs[npairs++] = (opts_pair){"missing", optarg}; break;
        case 'D': pairs[npairs++] = (opts_pair){longopts[li].name, optarg}; break;
        case 'F': pairs[npairs++] = (opts_pair){longopts[li].name, "true"}; break;
        case 'h':
            fputs(help, stdout);
            free(longopts);
            free(pairs);
            sd_error_free(err);
            return EXIT_OK;
        default: rc = opts_bad("report", c, argv, longopts); break;
        }
    }
    bool want[NFORMATS];
    const char *file = NULL;
    if (rc == EXIT_OK && !parse_formats(fmtlist, want))
        rc = EXIT_USAGE;
    if (rc == EXIT_OK && !dir)
        rc = cli_usage("report", "--out DIR is required: the folder the report is written into");
    if (rc == EXIT_OK && !(file = opts_file("report", argc, argv)))
        rc = EXIT_USAGE;
    if (rc == EXIT_OK && strcmp(file, "@study") != 0 && !specfile)
        rc = cli_usage("report", "a report of '%s' needs --spec SPEC.yml saying what to tabulate "
                                 "(the bundled study has its own)",
                       file);
    if (rc == EXIT_OK) {
        const char *inputs[] = {"data file", file, "codebook", codebook, "--spec file", specfile,
                                NULL};
        const char *outputs[] = {NULL};
        if (!cli_outputs_ok("report", inputs, outputs))
            rc = EXIT_USAGE;
    }
    sd_report *rep = NULL;
    sd_dataset *ds = NULL;
    bool streamed = false;
    if (rc == EXIT_OK && sd_report_read(specfile, &rep, err) != SD_OK)
        rc = cli_report(err);
    for (size_t i = 0; rc == EXIT_OK && i < sd_report_nspecs(rep); i++)
        rc = opts_apply("report", sd_report_spec(rep, i), pairs, npairs, err);
    /* The columns the report's tables read only (sd_dataset_open_for: a
     * CSV's others are not stored, categories held narrow); a database's
     * table reads in full. */
    if (rc == EXIT_OK && !table) {
        size_t n = sd_report_nspecs(rep);
        sd_tabspec **specs = n ? calloc(n, sizeof *specs) : NULL;
        if (n && !specs) {
            fputs("sondage: error: out of memory\n", stderr);
            rc = EXIT_INTERNAL;
        }
        for (size_t i = 0; rc == EXIT_OK && i < n; i++)
            specs[i] = sd_report_spec(rep, i);
        sd_open_options o = {.format = SD_FORMAT_AUTO, .codebook = codebook, .encoding = encoding};
        /* A CSV file a chunk of rows at a time where it can (docs/tables.md,
         * "Streaming"); else read whole. */
        sd_status st = SD_E_UNSUPPORTED;
        if (rc == EXIT_OK && stream >= 0) {
            st = sd_report_run_stream(rep, file, &o, err);
            if (st == SD_OK)
                streamed = true;
            else if (st != SD_E_UNSUPPORTED)
                rc = cli_report(err);
            else
                opts_stream_fallback(stream == 1, err);
        }
        if (rc == EXIT_OK && !streamed && sd_dataset_open_for(file, &o, specs, n, &ds, err) != SD_OK)
            rc = cli_report(err);
        free(specs);
    } else if (rc == EXIT_OK &&
               opts_open_table(file, table, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && !streamed && sd_report_run(rep, ds, err) != SD_OK)
        rc = cli_report(err);
    for (size_t k = 0; rc == EXIT_OK && k < sd_report_nwarnings(rep); k++)
        fprintf(stderr, "sondage: warning: %s\n", sd_report_warning(rep, k));
    if (rc == EXIT_OK && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "sondage: error: %s: cannot make the folder: %s\n", dir, strerror(errno));
        rc = EXIT_INPUT;
    }
    /* The languages: the one asked for, or those the report is written in. */
    const char *langs[8];
    size_t nlang = 0;
    if (lang)
        langs[nlang++] = lang;
    else if (rep)
        nlang = sd_report_languages(rep, langs, 8);
    for (size_t l = 0; rc == EXIT_OK && l < nlang; l++)
        for (size_t k = 0; rc == EXIT_OK && k < NFORMATS; k++)
            if (want[k])
                rc = write_one(rep, dir, &formats[k], langs[l], err);
    sd_report_free(rep);
    sd_dataset_free(ds);
    free(longopts);
    free(pairs);
    sd_error_free(err);
    return rc;
}
