/*
 * tabspec.c — the table specification handed to the engine: row variables
 * or sets, banner variables, weight, missing-value mode (names only; the
 * engine resolves them against a dataset).
 */
#include "engine.h"
#include "../spec/spec.h"

#include <string.h>

sd_tabspec *sd_tabspec_new(void)
{
    sd_tabspec *s = sd__calloc(1, sizeof(sd_tabspec));
    if (s) {
        s->decimals = -1;
        s->weighting.method = -1;
    }
    return s;
}

void sd_tabspec_free(sd_tabspec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrows; i++)
        sd__free(s->rows[i]);
    for (size_t i = 0; i < s->ncols; i++)
        sd__free(s->cols[i]);
    sd__free(s->rows);
    sd__free(s->cols);
    for (size_t i = 0; i < s->nfilters; i++) {
        sd__free(s->filter_text[i]);
        sd__filter_free(s->filters[i]);
    }
    sd__free(s->filter_text);
    sd__free(s->filters);
    sd__designspec_free(&s->design);
    sd__weightopts_free(&s->weighting);
    sd__calib_unref(s->calib);
    sd__free(s);
}

static sd_status add_name(char ***v, size_t *n, size_t *cap, const char *name, const char *what,
                          sd_error *err)
{
    while (name && (*name == ' ' || *name == '\t'))
        name++;
    if (!name || !*name)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "empty name in %s: expected a variable name", what);
    char *c = sd__strdup(name);
    if (!c || !sd__grow((void **)v, cap, *n + 1, sizeof **v)) {
        sd__free(c);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    (*v)[(*n)++] = c;
    return SD_OK;
}

sd_status sd_tabspec_add_row(sd_tabspec *s, const char *name, sd_error *err)
{
    return add_name(&s->rows, &s->nrows, &s->rowcap, name, "--rows", err);
}

sd_status sd_tabspec_add_col(sd_tabspec *s, const char *name, sd_error *err)
{
    return add_name(&s->cols, &s->ncols, &s->colcap, name, "--cols", err);
}

sd_status sd_tabspec_set_weight(sd_tabspec *s, const char *name, sd_error *err)
{
    return sd__designspec_set(&s->design, "weight", name, err);
}

/* Every option a table request takes, by its command-line name; the design
 * ones go to the design (design.c). */
static const char *const table_keys[] = {
    "rows", "cols", "filter", "missing", "pct", "sort", "hide-empty", "min-base", "means", "findings",
    "decimals", "ci", "level", "deff", "stats", "tests", "chisq", "letters", "adjust", "alpha",
    "alpha2", "pair-test", "threads", NULL};
static const char *const design_keys[] = {
    "weight", "strata", "cluster", "fpc", "nest", "lonely-psu", "repweights", "reptype", "rho",
    "scale", "rscales", "mse", "make-replicates", "replicates", "seed",
    /* the weighting, a step of the design (calib.c) */
    "targets", "method", "bounds", "trim", "tolerance", "max-iter", "force", NULL};

/* The known option nearest to a misspelt one, or NULL. */
static const char *nearest_key(const char *key)
{
    const char *best = NULL;
    size_t bd = 3;
    for (int l = 0; l < 2; l++)
        for (const char *const *k = l ? design_keys : table_keys; *k; k++) {
            size_t d = sd__edit_distance(key, *k);
            if (d < bd) {
                bd = d;
                best = *k;
            }
        }
    return best;
}

static void clear_names(char ***v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        sd__free((*v)[i]);
    *n = 0;
}

static sd_status add_filter(sd_tabspec *s, const char *value, sd_error *err)
{
    sd_fnode *f = NULL;
    sd_status st = sd__filter_parse(value, "--filter", NULL, 0, 0, &f, err);
    if (st != SD_OK)
        return st;
    size_t cap = s->filtercap;
    char *text = sd__strdup(value);
    if (!text || !sd__grow((void **)&s->filters, &cap, s->nfilters + 1, sizeof *s->filters) ||
        !sd__grow((void **)&s->filter_text, &s->filtercap, s->nfilters + 1,
                  sizeof *s->filter_text)) {
        sd__free(text);
        sd__filter_free(f);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    s->filters[s->nfilters] = f;
    s->filter_text[s->nfilters++] = text;
    return SD_OK;
}

/* A whole number from lo to hi. */
static sd_status want_int(const char *key, const char *value, long lo, long hi, long *out,
                          sd_error *err)
{
    unsigned long u;
    if (value && sd__parse_ulong(value, strlen(value), (unsigned long)hi, &u) &&
        (long)u >= lo) {
        *out = (long)u;
        return SD_OK;
    }
    return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                    "--%s: expected a whole number from %ld to %ld, not '%s'", key, lo, hi,
                    value ? value : "");
}

sd_status sd_tabspec_set_option(sd_tabspec *s, const char *key, const char *value,
                                sd_error *err)
{
    if (!strcmp(key, "filter"))
        return add_filter(s, value ? value : "", err);
    if (!strcmp(key, "rows") || !strcmp(key, "cols")) {
        /* Comma-separated entries (spaces around them allowed); a nested
         * banner a>b and a pattern are one entry each. */
        const char *p = value ? value : "";
        for (;;) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char *name = sd__strndup(p, n);
            if (!name)
                return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            sd_status st = key[0] == 'r' ? sd_tabspec_add_row(s, name, err)
                                         : sd_tabspec_add_col(s, name, err);
            sd__free(name);
            if (st != SD_OK || !e)
                return st;
            p = e + 1;
        }
    }
    if (!strcmp(key, "pct")) {
        static const char *const names[] = {"col", "row", "total"};
        for (int i = 0; i < 3; i++)
            if (value && !strcmp(value, names[i])) {
                s->pct = (sd_pct)i;
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--pct: expected col, row or total, not '%s'", value ? value : "");
    }
    if (!strcmp(key, "sort")) {
        static const char *const names[] = {"none", "desc", "asc"};
        for (int i = 0; i < 3; i++)
            if (value && !strcmp(value, names[i])) {
                s->sort = i;
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--sort: expected desc, asc or none, not '%s'", value ? value : "");
    }
    if (!strcmp(key, "hide-empty"))
        return sd__parse_flag(key, value, &s->hide_empty, err);
    if (!strcmp(key, "means"))
        return sd__parse_flag(key, value, &s->means, err);
    if (!strcmp(key, "findings")) {
        /* Findings say whether a gap holds: they need the tests. */
        sd_status st = sd__parse_flag(key, value, &s->findings, err);
        if (st == SD_OK && s->findings)
            s->tests = true;
        return st;
    }
    if (!strcmp(key, "variances")) {
        /* cmd_tab's knob: "shown" (sums only for what is shown) or "all". */
        if (value && (!strcmp(value, "shown") || !strcmp(value, "all"))) {
            s->variances_if_shown = !strcmp(value, "shown");
            return SD_OK;
        }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "variances: expected shown or all, not '%s'", value ? value : "");
    }
    if (!strcmp(key, "chunk-rows")) {
        /* A test knob (tests/unit/engine/test_chunks.c): rows per chunk. */
        long x = 0;
        sd_status st = want_int(key, value, 1, 1L << 30, &x, err);
        if (st == SD_OK)
            s->chunk_rows = (size_t)x;
        return st;
    }
    if (!strcmp(key, "threads")) {
        /* How many threads the pass runs on; the figures do not depend on it. */
        long x = 0;
        sd_status st = want_int(key, value, 1, 64, &x, err);
        if (st == SD_OK)
            s->threads = s->design.threads = (int)x;
        return st;
    }
    if (!strcmp(key, "min-base") || !strcmp(key, "decimals")) {
        long x = 0;
        bool mb = key[0] == 'm';
        sd_status st = want_int(key, value, 0, mb ? 1000000000L : 6, &x, err);
        if (st != SD_OK)
            return st;
        if (mb) {
            s->has_min_base = true;
            s->min_base = (double)x;
        } else {
            s->decimals = (int)x;
        }
        return SD_OK;
    }
    if (!strcmp(key, "ci")) {
        static const char *names[] = {"logit", "wald", "wilson", "likelihood", "beta", "xlogit",
                                      "asin", "mean"};
        for (int i = 0; i < 8; i++)
            if (value && !strcmp(value, names[i])) {
                s->ci_method = i;
                s->glm_start = i == 3; /* likelihood follows R's glm fit exactly */
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--ci: expected logit, wald, wilson, likelihood, beta, xlogit, asin or "
                        "mean, not '%s'",
                        value ? value : "");
    }
    if (!strcmp(key, "stats"))
        return sd__parse_flag(key, value, &s->show_stats, err);
    if (!strcmp(key, "deff"))
        return sd__parse_flag(key, value, &s->deff, err);
    if (!strcmp(key, "level")) {
        double x;
        if (!value || !sd__parse_double(value, strlen(value), false, &x) || !(x > 0 && x < 1))
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--level: expected a number between 0 and 1 such as 0.95, not '%s'",
                            value ? value : "");
        s->level = x;
        return SD_OK;
    }
    if (!strcmp(key, "tests"))
        return sd__parse_flag(key, value, &s->tests, err);
    /* Test options (docs/tests.md); each one also asks for the tests. */
    static const char *const chisq_names[] = {"F", "Chisq"};
    static const char *const letters_names[] = {"design", "spss", "none"};
    static const char *const adjust_names[] = {"none", "bonferroni", "holm", "fdr"};
    struct {
        const char *key, *expected;
        const char *const *names;
        int n;
        int *field;
    } choices[] = {
        {"chisq", "F or Chisq", chisq_names, 2, &s->chisq_stat},
        {"letters", "design, spss or none", letters_names, 3, &s->letters},
        {"adjust", "none, bonferroni, holm or fdr", adjust_names, 4, &s->adjust},
    };
    for (size_t k = 0; k < sizeof choices / sizeof choices[0]; k++) {
        if (strcmp(key, choices[k].key))
            continue;
        for (int i = 0; i < choices[k].n; i++)
            if (value && !strcmp(value, choices[k].names[i])) {
                *choices[k].field = choices[k].field == &s->adjust ? i + 1 : i;
                s->tests = true;
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "--%s: expected %s, not '%s'",
                        key, choices[k].expected, value ? value : "");
    }
    if (!strcmp(key, "pair-test")) {
        if (value && (!strcmp(value, "pooled") || !strcmp(value, "unpooled"))) {
            s->pair_test = value[0] == 'p' ? SD_PAIR_POOLED : SD_PAIR_UNPOOLED;
            s->tests = true;
            return SD_OK;
        }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--pair-test: expected pooled or unpooled, not '%s'", value ? value : "");
    }
    if (!strcmp(key, "alpha") || !strcmp(key, "alpha2")) {
        double x;
        if (!value || !sd__parse_double(value, strlen(value), false, &x) || !(x > 0 && x < 1))
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--%s: expected a significance level between 0 and 1 such as %s, "
                            "not '%s'",
                            key, key[5] ? "0.05" : "0.01", value ? value : "");
        *(key[5] ? &s->alpha2 : &s->alpha) = x;
        s->tests = true;
        return SD_OK;
    }
    if (!strcmp(key, "missing")) {
        if (value && !strcmp(value, "exclude"))
            s->missing = SD_MISSING_EXCLUDE;
        else if (value && !strcmp(value, "include"))
            s->missing = SD_MISSING_INCLUDE;
        else
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--missing: expected exclude or include, not '%s'",
                            value ? value : "");
        return SD_OK;
    }
    sd_status st = sd__weightopts_set(&s->weighting, key, value, err);
    if (st != SD_E_NOT_FOUND)
        return st;
    for (size_t i = 0; design_keys[i]; i++)
        if (!strcmp(key, design_keys[i]))
            return sd__designspec_set(&s->design, key, value, err);
    if (!strcmp(key, "patterns-max")) /* a test knob (tests/oracle/README.md) */
        return sd__designspec_set(&s->design, key, value, err);
    return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "unknown option '%s'%s%s%s", key,
                    nearest_key(key) ? "; did you mean '" : ": expected an option of `sondage tab`",
                    nearest_key(key) ? nearest_key(key) : "", nearest_key(key) ? "'?" : "");
}

void sd_tabspec_set_missing(sd_tabspec *s, sd_missing_mode mode)
{
    s->missing = mode;
}

/* ---- the table spec file */

/* One option of the file: through the same parser as the command line,
 * with the file, line and column in the message when it is refused. */
static sd_status apply_opt(sd_tabspec *s, const char *file, const sd_topt *o, sd_error *err)
{
    sd_error *e = sd_error_new();
    if (!e)
        return sd__fail(err, SD_E_NOMEM, file, o->line, o->col, NULL, "out of memory");
    sd_status st = sd_tabspec_set_option(s, o->key, o->value, e);
    if (st != SD_OK) {
        const char *m = sd_error_message(e);
        /* "--pct: expected ..." reads "pct: expected ..." in a file; an
         * unknown option is pointed at by its key, a bad value by itself */
        bool unknown = strncmp(m, "unknown option", 14) == 0;
        sd__fail(err, st, file, unknown ? o->kline : o->line, unknown ? o->kcol : o->col,
                 sd_error_variable(e), "%s", m[0] == '-' && m[1] == '-' ? m + 2 : m);
    }
    sd_error_free(e);
    return st;
}

void sd_tabspecs_free(sd_tabspec **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sd_tabspec_free(v[i]);
    sd__free(v);
}

sd_status sd__tabspecs_build(const sd_tabfile *f, sd_tabspec ***out, size_t *n, sd_error *err)
{
    *out = NULL;
    *n = 0;
    const char *name = f->file;
    sd_status st = SD_OK;
    sd_tabspec **v = sd__zalloc(f->ntables, sizeof *v);
    size_t made = 0;
    if (!v)
        st = sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    for (size_t t = 0; st == SD_OK && t < f->ntables; t++) {
        if (!(v[t] = sd_tabspec_new())) {
            st = sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
            break;
        }
        made++;
        for (size_t i = 0; st == SD_OK && i < f->defaults.n; i++)
            st = apply_opt(v[t], name, &f->defaults.opts[i], err);
        /* A table's rows and banners replace the defaults' rather than add
         * to them. */
        bool rows = false, cols = false;
        for (size_t i = 0; st == SD_OK && i < f->tables[t].n; i++) {
            const sd_topt *o = &f->tables[t].opts[i];
            if (!strcmp(o->key, "rows") && !rows) {
                rows = true;
                clear_names(&v[t]->rows, &v[t]->nrows);
            }
            if (!strcmp(o->key, "cols") && !cols) {
                cols = true;
                clear_names(&v[t]->cols, &v[t]->ncols);
            }
            st = apply_opt(v[t], name, o, err);
        }
        if (st == SD_OK && v[t]->nrows == 0)
            st = sd__fail(err, SD_E_INVALID, name, f->tables[t].line, f->tables[t].col, NULL,
                          "table %zu has no rows: expected rows: naming what to tabulate", t + 1);
    }
    if (st != SD_OK) {
        sd_tabspecs_free(v, made);
        return st;
    }
    *out = v;
    *n = made;
    return SD_OK;
}

sd_status sd_tabspec_read_mem(const char *yaml, size_t len, const char *name,
                              sd_tabspec ***out, size_t *n, sd_error *err)
{
    *out = NULL;
    *n = 0;
    sd_tabfile *f = NULL;
    sd_status st = sd__tabfile_parse(yaml, len, name, &f, err);
    if (st == SD_OK)
        st = sd__tabspecs_build(f, out, n, err);
    sd__tabfile_free(f);
    return st;
}

sd_status sd_tabspec_read(const char *path, sd_tabspec ***out, size_t *n, sd_error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    *n = 0;
    sd_status st = sd__read_file(path, &text, &len, err);
    if (st == SD_OK)
        st = sd_tabspec_read_mem(text, len, path, out, n, err);
    sd__free(text);
    return st;
}
