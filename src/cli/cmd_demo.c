/*
 * cmd_demo.c — `sondage demo`: the bundled study, as its articles should
 * have reported it. Every published figure restated with sondage's
 * estimate and interval, every claim of the articles with the design-based
 * test of its gap (and the two misread questions said so), the findings in
 * words, and the full report written into a folder (every format, fr and
 * en). The study's files are compiled in (sd_study_file), so the demo runs
 * from an installed binary too.
 */
#include "opts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "Usage: sondage demo [OPTIONS]\n"
    "\n"
    "The bundled CIO/marketer study (Robert Half Technology / The Creative Group,\n"
    "2015; examples/dsi-marketing) as its articles should have reported it: every\n"
    "published figure restated with its 95% interval, every claim of the articles\n"
    "with the design-based test of its gap (73% vs 54% is a real gap, 46% vs 44% is\n"
    "not; two questions were misread), the findings in words, and the full report\n"
    "written into a folder. The release computed percentages on all respondents,\n"
    "so 'does not apply' and 'don't know' stay in the base.\n"
    "\n"
    "      --out DIR          where the report goes (default sondage-report)\n"
    "      --no-report        do not write the report\n"
    "  -f, --format FMT       text (default); csv or json give the key tables\n"
    "  -l, --lang LANG        fr or en (default en)\n"
    "  -h, --help             this help\n";

/* The key tables of the release: each measure by role, all respondents in
 * the base, with intervals and tests. */
static sd_status key_tables(const sd_dataset *ds, sd_result **out, sd_error *err)
{
    sd_tabspec *spec = sd_tabspec_new();
    if (!spec)
        return SD_E_NOMEM;
    sd_status st = sd_tabspec_set_option(spec, "rows", "integration,actions,closer", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "cols", "role", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "missing", "include", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "tests", "true", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "stats", "true", err);
    if (st == SD_OK)
        st = sd_tabulate(ds, spec, out, err);
    sd_tabspec_free(spec);
    return st;
}

static const sd_table *find_table(const sd_result *r, const char *var)
{
    for (size_t i = 0; i < sd_result_ntables(r); i++)
        if (strcmp(sd_table_row_var(sd_result_table(r, i)), var) == 0)
            return sd_result_table(r, i);
    return NULL;
}

static long find_cat(const sd_table *t, sd_axis axis, const char *key)
{
    for (size_t i = 0; i < sd_table_size(t, axis); i++)
        if (strcmp(sd_table_cat_key(t, axis, i), key) == 0)
            return (long)i;
    return -1;
}

/* A percentage for people: "73.0%" / "73,0 %". */
static void pct(char *buf, size_t cap, double x, bool fr)
{
    if (!isfinite(x)) {
        snprintf(buf, cap, "-");
        return;
    }
    snprintf(buf, cap, "%.1f", 100 * x); /* lint: allow (C locale: the CLI never sets it) */
    if (fr)
        for (char *p = buf; *p; p++)
            if (*p == '.')
                *p = ',';
    strncat(buf, fr ? "\xE2\x80\xAF%" : "%", cap - strlen(buf) - 1);
}

static const char *status_words(const char *status, bool fr)
{
    static const struct {
        const char *status, *en, *fr;
    } w[] = {{"confirmed", "confirmed by an English source", "confirmé par une source anglaise"},
             {"article_only", "only in the French article", "dans l'article français seulement"},
             {"inferred", "inferred (remainder to 100)", "déduit (reste à 100)"},
             {"suggested", "never published: illustrative value", "jamais publié : valeur illustrative"}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (!strcmp(status, w[i].status))
            return fr ? w[i].fr : w[i].en;
    return status;
}

/* Text in a column `width` characters wide (UTF-8 counted by code point):
 * padded, or cut with an ellipsis. */
static void put_col(const char *s, size_t width)
{
    size_t n = 0, i = 0, cut = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (n == width - 1)
            cut = i;
        n++;
    }
    if (n > width) {
        fwrite(s, 1, cut, stdout);
        fputs("\xE2\x80\xA6", stdout);
        return;
    }
    fputs(s, stdout);
    for (; n < width; n++)
        putchar(' ');
}

/* The same, right-aligned (a number: never cut). */
static void put_rcol(const char *s, size_t width)
{
    size_t n = 0;
    for (size_t i = 0; s[i]; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    for (; n < width; n++)
        putchar(' ');
    fputs(s, stdout);
}

/* A count for people: "1,793" / "1 793" (a narrow no-break space). */
static void count(char *buf, size_t cap, double x, bool fr)
{
    char d[32];
    snprintf(d, sizeof d, "%.0f", x); /* lint: allow (C locale: the CLI never sets it) */
    size_t n = strlen(d), o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0 && d[i - 1] != '-') {
            const char *sep = fr ? "\xE2\x80\xAF" : ",";
            memcpy(buf + o, sep, strlen(sep));
            o += strlen(sep);
        }
        buf[o++] = d[i];
    }
    buf[o] = '\0';
}

/* The study file `name` as a dataset (it is a CSV). */
static sd_status study_csv(const char *name, sd_dataset **out, sd_error *err)
{
    size_t len;
    const char *csv = sd_study_file(name, &len);
    return sd_dataset_read_csv_mem(csv, len, name, out, err);
}

static const char *cell_str(const sd_dataset *d, const char *var, size_t row)
{
    const sd_var *v = sd_dataset_find(d, var);
    if (!v || sd_var_is_missing(v, row))
        return "";
    if (sd_var_type(v) == SD_TYPE_STRING)
        return sd_var_str(v, row);
    static char buf[32];
    snprintf(buf, sizeof buf, "%.17g", sd_var_num(v, row)); /* lint: allow */
    return buf;
}

static double cell_num(const sd_dataset *d, const char *var, size_t row)
{
    const sd_var *v = sd_dataset_find(d, var);
    return !v || sd_var_is_missing(v, row) || sd_var_type(v) != SD_TYPE_NUMERIC
               ? NAN
               : sd_var_num(v, row);
}

/* Every published figure, with sondage's estimate and interval. */
static sd_status restate(const sd_result *r, bool fr, sd_error *err)
{
    sd_dataset *pub = NULL;
    sd_status st = study_csv("published.csv", &pub, err);
    if (st != SD_OK)
        return st;
    puts(fr ? "Les chiffres publiés, recalculés (estimation et intervalle de confiance à 95 %) :"
            : "The published figures, restated (sondage's estimate and 95% interval):");
    for (size_t i = 0; i < sd_dataset_nrows(pub); i++) {
        const char *var = cell_str(pub, "variable", i), *group = cell_str(pub, "group", i);
        char key[64];
        snprintf(key, sizeof key, "%s", cell_str(pub, "code_or_item", i));
        const sd_table *t = find_table(r, var);
        long row = t ? find_cat(t, SD_ROWS, key) : -1;
        long col = t ? find_cat(t, SD_COLS, strcmp(group, "cio") == 0 ? "1" : "2") : -1;
        if (row < 0 || col < 0)
            continue;
        char est[32], lo[32], hi[32], published[32];
        pct(est, sizeof est, sd_table_cell(t, (size_t)row, (size_t)col, SD_FIG_PCT), fr);
        pct(lo, sizeof lo, sd_table_cell(t, (size_t)row, (size_t)col, SD_FIG_CI_LOW), fr);
        pct(hi, sizeof hi, sd_table_cell(t, (size_t)row, (size_t)col, SD_FIG_CI_HIGH), fr);
        snprintf(published, sizeof published, "%.0f%s", cell_num(pub, "pct", i),
                 fr ? "\xE2\x80\xAF%" : "%");
        char label[160];
        snprintf(label, sizeof label, "%s = %s", var,
                 sd_table_cat_label(t, SD_ROWS, (size_t)row, fr ? "fr" : "en"));
        char ci[80];
        if (strcmp(lo, "-") == 0 || strcmp(hi, "-") == 0)
            snprintf(ci, sizeof ci, fr ? "(pas d'intervalle)" : "(no interval)");
        else
            snprintf(ci, sizeof ci, "[%s-%s]", lo, hi);
        fputs("  ", stdout);
        put_col(label, 44);
        putchar(' ');
        put_col(sd_table_cat_label(t, SD_COLS, (size_t)col, fr ? "fr" : "en"), 10);
        putchar(' ');
        put_rcol(published, 4);
        fputs(" -> ", stdout);
        put_rcol(est, 6);
        putchar(' ');
        put_col(ci, 17);
        printf(" (%s)\n", status_words(cell_str(pub, "status", i), fr));
    }
    putchar('\n');
    sd_dataset_free(pub);
    return SD_OK;
}

/* The p-value of the design-based test of row `row` between columns a, b. */
static double pair_p(const sd_table *t, size_t row, size_t a, size_t b)
{
    sd_pair_info pi;
    for (size_t k = 0; sd_table_pair(t, k, &pi); k++)
        if (pi.row == row && ((pi.col_a == a && pi.col_b == b) || (pi.col_a == b && pi.col_b == a)))
            return pi.p;
    return NAN;
}

/* Every claim of the articles, with the test of its gap. */
static sd_status claims(const sd_result *r, bool fr, sd_error *err)
{
    sd_dataset *cl = NULL;
    sd_status st = study_csv("claims.csv", &cl, err);
    if (st != SD_OK)
        return st;
    double alpha2 = 0.05;
    sd_result_letters_method(r, NULL, &alpha2);
    puts(fr ? "Ce que les articles ont écrit, et ce que le test dit :"
            : "What the articles wrote, and what the test says:");
    for (size_t i = 0; i < sd_dataset_nrows(cl); i++) {
        const sd_table *t = find_table(r, cell_str(cl, "variable", i));
        long row = t ? find_cat(t, SD_ROWS, cell_str(cl, "row", i)) : -1;
        long cio = t ? find_cat(t, SD_COLS, "1") : -1, mkt = t ? find_cat(t, SD_COLS, "2") : -1;
        if (row < 0 || cio < 0 || mkt < 0)
            continue;
        char a[32], b[32];
        pct(a, sizeof a, sd_table_cell(t, (size_t)row, (size_t)mkt, SD_FIG_PCT), fr);
        pct(b, sizeof b, sd_table_cell(t, (size_t)row, (size_t)cio, SD_FIG_PCT), fr);
        double p = pair_p(t, (size_t)row, (size_t)mkt, (size_t)cio);
        char pv[48];
        if (!isfinite(p))
            snprintf(pv, sizeof pv, fr ? "non testé" : "not tested");
        else if (p < 0.001)
            snprintf(pv, sizeof pv, "p < 0%s001", fr ? "," : ".");
        else {
            snprintf(pv, sizeof pv, "p = %.3f", p); /* lint: allow */
            if (fr)
                for (char *q = pv; *q; q++)
                    if (*q == '.')
                        *q = ',';
        }
        const char *verdict = !isfinite(p) ? (fr ? "écart non testé" : "gap not tested")
                              : p < alpha2 ? (fr ? "un vrai écart" : "a real gap")
                                           : (fr ? "pas un écart significatif"
                                                 : "not a significant gap");
        printf("  \xC2\xAB %s \xC2\xBB\n", cell_str(cl, "article_fr", i));
        printf(fr ? "    marketeurs %s contre DSI %s : %s (%s)\n"
                  : "    marketers %s vs CIOs %s: %s (%s)\n",
               a, b, verdict, pv);
        const char *note = cell_str(cl, fr ? "note_fr" : "note_en", i);
        if (*note)
            printf("    %s\n", note);
    }
    putchar('\n');
    sd_dataset_free(cl);
    return SD_OK;
}

/* The first question unweighted and raked to the study's illustrative
 * targets, side by side, with what the weighting cost. */
static sd_status weighted(const sd_dataset *ds, const sd_result *r, bool fr, sd_error *err)
{
    sd_tabspec *spec = sd_tabspec_new();
    sd_result *w = NULL;
    if (!spec)
        return SD_E_NOMEM;
    sd_status st = sd_tabspec_set_option(spec, "rows", "integration", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "cols", "role", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "missing", "include", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "stats", "true", err);
    if (st == SD_OK)
        st = sd_tabspec_set_option(spec, "targets", "@study/targets.yml", err);
    sd_weighting *wg = NULL;
    if (st == SD_OK)
        st = sd_tabspec_weight(spec, ds, &wg, err);
    sd_weighting_free(wg);
    if (st == SD_OK)
        st = sd_tabulate(ds, spec, &w, err);
    sd_tabspec_free(spec);
    if (st != SD_OK)
        return st;
    const sd_table *u = find_table(r, "integration"), *t = find_table(w, "integration");
    long row = u ? find_cat(u, SD_ROWS, "1") : -1;
    if (!t || row < 0) {
        sd_result_free(w);
        return SD_OK;
    }
    puts(fr ? "Pondéré ou non (cibles ILLUSTRATIVES, examples/dsi-marketing/targets.yml : "
              "60\xE2\x80\xAF% de DSI, 40\xE2\x80\xAF% de marketeurs, tailles d'entreprise) :"
            : "Weighted or not (ILLUSTRATIVE targets, examples/dsi-marketing/targets.yml: 60% "
              "CIOs, 40% marketers, company sizes):");
    printf(fr ? "  integration = \xC2\xAB\xC2\xA0%s\xC2\xA0\xC2\xBB\n" : "  integration = \"%s\"\n",
           sd_table_cat_label(u, SD_ROWS, (size_t)row, fr ? "fr" : "en"));
    put_col("", 14);
    put_rcol(fr ? "non pondéré" : "unweighted", 13);
    put_rcol(fr ? "pondéré" : "weighted", 13);
    putchar('\n');
    for (size_t c = 0; c < sd_table_size(u, SD_COLS) && c < sd_table_size(t, SD_COLS); c++) {
        char a[32], b[32];
        pct(a, sizeof a, sd_table_cell(u, (size_t)row, c, SD_FIG_PCT), fr);
        pct(b, sizeof b, sd_table_cell(t, (size_t)row, c, SD_FIG_PCT), fr);
        fputs("  ", stdout);
        put_col(sd_table_cat_label(t, SD_COLS, c, fr ? "fr" : "en"), 12);
        putchar(' ');
        put_rcol(a, 12);
        putchar(' ');
        put_rcol(b, 12);
        putchar('\n');
    }
    char e[32], ne[32], n[32];
    pct(e, sizeof e, sd_table_weighting_figure(t, SD_WFIG_EFFICIENCY), fr);
    count(ne, sizeof ne, sd_table_weighting_figure(t, SD_WFIG_EFFECTIVE_N), fr);
    count(n, sizeof n, sd_table_base(t, 0, SD_BASE_N), fr);
    printf(fr ? "  Le total bouge (les marketeurs pèsent leurs 40\xE2\x80\xAF%%), chaque groupe à "
                "peine ; efficacité de Kish %s, n effectif %s sur %s.\n\n"
              : "  The total moves (marketers weigh their 40%%), each group barely; Kish "
                "efficiency %s, effective n %s of %s.\n\n",
           e, ne, n);
    sd_result_free(w);
    return SD_OK;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"out", required_argument, NULL, 'O'},
                                             {"no-report", no_argument, NULL, 'N'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *lang = "en", *dir = "sondage-report";
    bool report = true;
    sd_outfmt fmt = SD_OUT_TEXT;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":f:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!cli_outfmt("demo", optarg, true, &fmt))
                return EXIT_USAGE;
            if (fmt != SD_OUT_TEXT && fmt != SD_OUT_CSV && fmt != SD_OUT_JSON)
                return cli_usage("demo", "--format: expected text, csv or json, not '%s'",
                                 optarg);
            break;
        case 'l':
            if (!cli_lang("demo", optarg))
                return EXIT_USAGE;
            lang = optarg;
            break;
        case 'O': dir = optarg; break;
        case 'N': report = false; break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("demo", c, argv, longopts);
        }
    }
    if (optind < argc)
        return cli_usage("demo", "demo takes no FILE: it runs the bundled study");
    bool fr = strcmp(lang, "fr") == 0;
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    sd_result *res = NULL;
    sd_report *rep = NULL;
    int rc = EXIT_OK;
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    if (sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, err) != SD_OK ||
        key_tables(ds, &res, err) != SD_OK) {
        rc = cli_report(err);
        goto out;
    }
    if (fmt != SD_OUT_TEXT) {
        /* Machines get the key tables. */
        if (sd_result_write(res, fmt, lang, stdout, err) != SD_OK)
            rc = cli_report_output(err, NULL);
        goto out;
    }
    const char *title = sd_dataset_title(ds, lang);
    if (title)
        printf("%s\n\n", title);
    if (restate(res, fr, err) != SD_OK || claims(res, fr, err) != SD_OK ||
        weighted(ds, res, fr, err) != SD_OK) {
        rc = cli_report(err);
        goto out;
    }
    /* The key tables' findings in words, then the full report. */
    puts(fr ? "Les constats, tels que sondage les écrit :" : "The findings, as sondage writes them:");
    if (sd_result_write(res, SD_OUT_PROSE, lang, stdout, err) != SD_OK) {
        rc = cli_report_output(err, NULL);
        goto out;
    }
    putchar('\n');
    if (report && (sd_report_read(NULL, &rep, err) != SD_OK || sd_report_run(rep, ds, err) != SD_OK)) {
        rc = cli_report(err);
        goto out;
    }
    if (report) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "sondage: error: %s: cannot make the folder: %s\n", dir,
                    strerror(errno));
            rc = EXIT_INPUT;
            goto out;
        }
        static const struct {
            const char *ext;
            sd_outfmt fmt;
        } formats[] = {{"html", SD_OUT_HTML}, {"xlsx", SD_OUT_XLSX}, {"md", SD_OUT_MD},
                       {"json", SD_OUT_JSON}, {"txt", SD_OUT_TEXT}};
        static const char *const langs[] = {"fr", "en"};
        printf(fr ? "Le rapport complet est dans %s/ :" : "The full report is in %s/:", dir);
        for (size_t l = 0; rc == EXIT_OK && l < 2; l++)
            for (size_t k = 0; rc == EXIT_OK && k < sizeof formats / sizeof formats[0]; k++) {
                char path[4096];
                snprintf(path, sizeof path, "%s/report.%s.%s", dir, langs[l], formats[k].ext);
                sd_outfile *o = cli_output(path, err);
                if (!o)
                    rc = EXIT_INPUT;
                else if (sd_report_write(rep, formats[k].fmt, langs[l], sd_outfile_stream(o),
                                         err) != SD_OK) {
                    rc = cli_report_output(err, path);
                    sd_outfile_abort(o);
                } else if ((rc = cli_close_output(o, err)) == EXIT_OK)
                    printf(" report.%s.%s", langs[l], formats[k].ext);
            }
        putchar('\n');
    }
out:
    sd_report_free(rep);
    sd_result_free(res);
    sd_dataset_free(ds);
    sd_error_free(err);
    fflush(stdout);
    return rc;
}
