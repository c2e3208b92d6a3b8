/*
 * cmd_weight.c — `sondage weight`: weight a dataset to population targets
 * (R's rake, postStratify, calibrate, trimWeights), write it with the new
 * weight column and the calibration recorded in its codebook, and print
 * the diagnostics.
 */
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: sondage weight [FILE] --targets TARGETS.yml --out OUT [OPTIONS]\n"
    "\n"
    "Weight FILE to population targets (docs/weighting.md) as R's survey package\n"
    "does, write it as OUT with the new weight column, and print diagnostics:\n"
    "convergence, the largest remaining margin error, the weights' spread, Kish's\n"
    "efficiency, the design effect due to weighting and the effective sample size\n"
    "by group. OUT is .sav, or .csv with a codebook (--codebook-out, default OUT\n"
    "with .yaml) that records the calibration: `tab` on it gives the same\n"
    "standard errors as `tab --targets` on FILE. When the targets cannot be met\n"
    "(a category with no respondents, margins that disagree, bounds that cannot\n"
    "hold, no convergence) the error names the cell and nothing is written.\n"
    "\n"
    "  -t, --targets FILE     the targets: population, margins, totals, cells\n"
    "  -o, --out OUT          the file to write (.sav or .csv)\n"
    "      --method M         rake (default; R's rake), poststratify, linear,\n"
    "                         raking or logit (R's calibrate calfun)\n"
    "      --bounds L,U       bounds on weight / base weight (linear, raking, logit)\n"
    "      --trim L,U         then trim the weights to [L, U] (trimWeights, strict)\n"
    "      --tolerance E      stopping rule: rake's epsilon (default 1; below 1 a\n"
    "                         fraction of the total), calibrate's (default 1e-7)\n"
    "      --max-iter N       rake sweeps (default 10) or Newton steps (default 50)\n"
    "      --force            carry on when targets cannot be met (with warnings)\n"
    "      --name NAME        the new weight's name (default weight_METHOD)\n"
    "  -c, --cols LIST        groups for the effective sample sizes (default: the\n"
    "                         margins' variables)\n"
    "  -w, --weight VAR       the base weight (design weight) to start from\n"
    "  -b, --codebook FILE    YAML codebook to apply to FILE first\n"
    ENCODING_HELP
    "      --codebook-out F   where the codebook of a .csv OUT goes\n"
    "  -f, --format FMT       diagnostics as text (default) or json\n"
    "  -l, --lang LANG        labels in fr or en (default en; .sav labels too)\n"
    "  -h, --help             this help\n"
    "\n"
    "Design options as for tab (--strata, --cluster, --fpc, --nest, --repweights,\n"
    "--reptype, --make-replicates, ...): replicate weights are re-weighted the\n"
    "same way, which the diagnostics report.\n";

typedef struct ctx {
    sd_tabspec *spec;
    sd_error *err;
} ctx;

static bool add_col(void *p, const char *name)
{
    ctx *c = p;
    return sd_tabspec_add_col(c->spec, name, c->err) == SD_OK;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

int cmd_weight(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"targets", required_argument, NULL, 'D'},    {"out", required_argument, NULL, 'o'},
        {"method", required_argument, NULL, 'D'},     {"bounds", required_argument, NULL, 'D'},
        {"trim", required_argument, NULL, 'D'},       {"tolerance", required_argument, NULL, 'D'},
        {"max-iter", required_argument, NULL, 'D'},   {"force", no_argument, NULL, 'F'},
        {"name", required_argument, NULL, 'n'},       {"cols", required_argument, NULL, 'c'},
        {"weight", required_argument, NULL, 'w'},     {"codebook", required_argument, NULL, 'b'},
        {"codebook-out", required_argument, NULL, 'k'}, {"format", required_argument, NULL, 'f'},
        {"lang", required_argument, NULL, 'l'},       {"help", no_argument, NULL, 'h'},
        {"strata", required_argument, NULL, 'D'},     {"cluster", required_argument, NULL, 'D'},
        {"fpc", required_argument, NULL, 'D'},        {"nest", no_argument, NULL, 'F'},
        {"lonely-psu", required_argument, NULL, 'D'}, {"repweights", required_argument, NULL, 'D'},
        {"reptype", required_argument, NULL, 'D'},    {"rho", required_argument, NULL, 'D'},
        {"scale", required_argument, NULL, 'D'},      {"rscales", required_argument, NULL, 'D'},
        {"mse", no_argument, NULL, 'F'},              {"make-replicates", required_argument, NULL, 'D'},
        {"replicates", required_argument, NULL, 'D'}, {"seed", required_argument, NULL, 'D'},
        {"encoding", required_argument, NULL, 'E'},   {NULL, 0, NULL, 0}};
    int li = 0;
    sd_error *err = sd_error_new();
    sd_tabspec *spec = sd_tabspec_new();
    if (!err || !spec) {
        fputs("sondage: error: out of memory\n", stderr);
        sd_error_free(err);
        sd_tabspec_free(spec);
        return EXIT_INTERNAL;
    }
    const char *codebook = NULL, *cb_out = NULL, *lang = "en", *out = NULL, *name = NULL;
    const char *encoding = NULL;
    bool have_targets = false;
    sd_outfmt fmt = SD_OUT_TEXT;
    int rc = EXIT_OK, c;
    ctx cx = {spec, err};
    opterr = 0;
    optind = 1;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, ":t:o:c:w:b:f:l:h", longopts, &li)) != -1) {
        switch (c) {
        case 't':
            li = 0; /* --targets */
            /* fall through */
        case 'D':
        case 'F':
            have_targets |= !strcmp(longopts[li].name, "targets");
            if (sd_tabspec_set_option(spec, longopts[li].name, c == 'F' ? "true" : optarg, err) !=
                SD_OK)
                rc = cli_usage("weight", "%s", sd_error_message(err));
            break;
        case 'o': out = optarg; break;
        case 'n': name = optarg; break;
        case 'c':
            if (!opts_split(optarg, add_col, &cx))
                rc = cli_usage("weight", "%s", sd_error_message(err));
            break;
        case 'w':
            if (sd_tabspec_set_weight(spec, optarg, err) != SD_OK)
                rc = cli_usage("weight", "%s", sd_error_message(err));
            break;
        case 'b': codebook = optarg; break;
        case 'E': encoding = optarg; break;
        case 'k': cb_out = optarg; break;
        case 'f':
            if (!cli_outfmt("weight", optarg, false, &fmt))
                rc = EXIT_USAGE;
            break;
        case 'l':
            if (!cli_lang("weight", optarg))
                rc = EXIT_USAGE;
            lang = optarg;
            break;
        case 'h':
            fputs(help, stdout);
            sd_error_free(err);
            sd_tabspec_free(spec);
            return EXIT_OK;
        default: rc = opts_bad("weight", c, argv, longopts); break;
        }
    }
    const char *file = NULL;
    bool sav = false, csv = false;
    if (rc == EXIT_OK && !have_targets)
        rc = cli_usage("weight", "--targets is required: the population targets (YAML)");
    if (rc == EXIT_OK && !out)
        rc = cli_usage("weight", "--out is required: the .sav or .csv file to write");
    if (rc == EXIT_OK) {
        sav = ends_with(out, ".sav") || ends_with(out, ".zsav");
        csv = ends_with(out, ".csv");
        if (!sav && !csv)
            rc = cli_usage("weight", "--out %s: expected a name ending in .sav or .csv", out);
    }
    if (rc == EXIT_OK && !(file = opts_file("weight", argc, argv)))
        rc = EXIT_USAGE;
    char *cbpath = NULL;
    if (rc == EXIT_OK && csv && !cb_out) {
        size_t n = strlen(out) - 4;
        if ((cbpath = malloc(n + 6))) {
            memcpy(cbpath, out, n);
            memcpy(cbpath + n, ".yaml", 6);
            cb_out = cbpath;
        }
    }
    if (rc == EXIT_OK) {
        const char *inputs[] = {"data file", file, "codebook", codebook, NULL};
        const char *outputs[] = {"--out", out, "--codebook-out", cb_out, NULL};
        if (!cli_outputs_ok("weight", inputs, outputs))
            rc = EXIT_USAGE;
    }
    sd_dataset *ds = NULL;
    sd_weighting *w = NULL;
    if (rc == EXIT_OK && opts_open(file, codebook, encoding, &ds, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && sd_weight(ds, spec, NULL, &w, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && sd_dataset_add_weighting(ds, w, name, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK) {
        for (size_t i = 0; i < sd_weighting_nwarnings(w); i++)
            fprintf(stderr, "sondage: warning: %s\n", sd_weighting_warning(w, i));
        sd_status st = sav ? sd_dataset_write_sav(ds, out, lang, err)
                           : sd_dataset_write_csv(ds, out, cb_out, err);
        if (st == SD_OK && sav && cb_out)
            st = sd_dataset_write_codebook(ds, cb_out, err);
        if (st != SD_OK)
            rc = cli_report(err);
        else if (sav && !cb_out)
            /* A .sav has no place for how the weight was made: without the
             * codebook, tab takes it as a plain weight (docs/weighting.md). */
            fprintf(stderr,
                    "sondage: note: %s holds the weight %s but not its calibration: tab on it "
                    "alone takes it as a plain weight, with standard errors that leave the "
                    "calibration out; --codebook-out FILE.yaml records it (then tab %s -b "
                    "FILE.yaml)\n",
                    out, name ? name : sd_weighting_default_name(w), out);
    }
    if (rc == EXIT_OK) {
        sd_outfile *o = cli_output(NULL, err);
        if (!o)
            rc = EXIT_INPUT;
        else if (sd_weighting_write(w, ds, fmt, lang, sd_outfile_stream(o), err) != SD_OK) {
            rc = cli_report_output(err, NULL);
            sd_outfile_abort(o);
        } else
            rc = cli_close_output(o, err);
    }
    free(cbpath);
    sd_weighting_free(w);
    sd_dataset_free(ds);
    sd_tabspec_free(spec);
    sd_error_free(err);
    return rc;
}
