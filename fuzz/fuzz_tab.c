/*
 * fuzz_tab.c — libFuzzer target for the tabulation itself (engine, design,
 * stats, cube, writers), not only the readers: the input builds a random
 * small dataset (up to 64 rows of up to 8 variables: small, negative,
 * fractional, huge and NaN codes, strings with control characters, value
 * labels, user-missing codes, nets, multiple-response sets, weights) and
 * then a random table spec (rows, banners, weight, missing mode and any
 * option the CLI passes, values drawn from lists of good and bad ones or
 * taken from the input), tabulates, and writes every format.
 *
 * Any input must give a result or an error (status and message), never a
 * crash, a leak, undefined behaviour, an endless loop or a huge
 * allocation. A result must write in every format, its JSON must hold no
 * Inf or NaN, and its text no raw control character.
 *
 * Its first finds: wide banners took minutes (stats/variance.c built an
 * L x L matrix per cell) and an empty banner passed NULL to memcpy.
 */
#define _GNU_SOURCE
#include "io/io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Build with -DFUZZ_TAB_TRACE to print the spec an input makes. */
#ifdef FUZZ_TAB_TRACE
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif

typedef struct in {
    const uint8_t *p, *end;
} in;

static unsigned byte(in *s)
{
    return s->p < s->end ? *s->p++ : 0;
}

static unsigned pick(in *s, unsigned n)
{
    return n ? byte(s) % n : 0;
}

/* A short string from the input (up to max bytes, stops at a 0 byte). */
static void text(in *s, char *buf, size_t max)
{
    size_t n = pick(s, (unsigned)max);
    size_t i = 0;
    for (; i < n && s->p < s->end && *s->p; i++)
        buf[i] = (char)*s->p++;
    buf[i] = '\0';
    if (sd__utf8_valid_prefix(buf, i) != i)
        buf[sd__utf8_valid_prefix(buf, i)] = '\0'; /* the data layer holds UTF-8 */
}

static double code(in *s)
{
    static const double odd[] = {-1, -0.0, 0.5, 1023, 1024, 1e6, -1e9, 2.5e-300, 1e300, 98, 99};
    unsigned k = byte(s);
    if (k < 160)
        return (double)(k % 70); /* small codes: 64 distinct and more */
    if (k < 200)
        return odd[k % (sizeof odd / sizeof odd[0])];
    if (k < 205)
        return NAN;
    return (double)(int8_t)byte(s) / 4;
}

static const char *const strs[] = {"a", "b", "Ä", "x\x1b[2J", "", " ", "NA", "z\r", "\xc2\x9b"};

static sd_dataset *build(in *s)
{
    sd_dataset *ds = sd__dataset_new("fuzz");
    if (!ds)
        return NULL;
    size_t nrows = pick(s, 65), nvars = 1 + pick(s, 8);
    if (!sd__dataset_reserve_rows(ds, nrows)) {
        sd_dataset_free(ds);
        return NULL;
    }
    ds->nrows = nrows;
    for (size_t j = 0; j < nvars; j++) {
        char name[8];
        snprintf(name, sizeof name, "v%zu", j);
        unsigned kind = pick(s, 4);
        sd_var *v = NULL;
        if (sd__dataset_add_var(ds, name, kind == 3 ? SD_TYPE_STRING : SD_TYPE_NUMERIC, &v,
                                NULL) != SD_OK)
            break;
        v->measure = kind == 2 ? SD_MEASURE_SCALE : SD_MEASURE_NOMINAL;
        for (size_t r = 0; r < nrows; r++) {
            bool mis = pick(s, 8) == 0;
            v->sysmis[r] = mis;
            if (mis)
                continue;
            if (kind == 3) {
                const char *t = strs[pick(s, sizeof strs / sizeof strs[0])];
                if (!sd__var_intern(v, t, strlen(t), &v->str[r]))
                    v->sysmis[r] = 1;
            } else if (kind == 1) {
                v->num[r] = (double)pick(s, 3); /* weights, strata, clusters */
            } else {
                v->num[r] = code(s);
            }
        }
        if (kind == 3) {
            if (!sd__var_finish_levels(v, nrows))
                break;
        }
        for (unsigned k = pick(s, 4); k > 0; k--) {
            char label[24];
            text(s, label, sizeof label);
            if (kind == 3)
                sd__var_set_vlabel_str(v, strs[pick(s, 4)], pick(s, 2) ? "fr" : NULL, label);
            else
                sd__var_set_vlabel_num(v, code(s), pick(s, 2) ? "en" : NULL, label);
        }
        if (pick(s, 4) == 0) {
            if (kind == 3)
                sd__var_add_missing_str(v, strs[pick(s, 4)]);
            else
                sd__var_add_missing_code(v, code(s));
        }
        if (kind != 3 && pick(s, 5) == 0)
            sd__var_set_missing_range(v, code(s), code(s));
        if (kind == 0 && pick(s, 4) == 0) {
            double codes[3] = {code(s), code(s), code(s)};
            sd__var_add_net(v, "net", codes, 1 + pick(s, 3), NULL);
        }
        if (pick(s, 3) == 0) {
            char label[24];
            text(s, label, sizeof label);
            sd__labels_set(&v->label, NULL, label);
        }
    }
    if (ds->nvars >= 2 && pick(s, 3) == 0) {
        sd_mrset *m = NULL;
        if (sd__dataset_add_mrset(ds, "set", pick(s, 2) ? SD_MRSET_DICHOTOMY : SD_MRSET_CATEGORY,
                                  &m, NULL) == SD_OK) {
            for (size_t j = 0; j < ds->nvars; j++)
                if (ds->vars[j]->type == SD_TYPE_NUMERIC && pick(s, 2))
                    sd__mrset_add_var(m, j);
            m->counted = (double)pick(s, 3);
        }
    }
    return ds;
}

/* Options the CLI passes (sd_tabspec_set_option), with values to try. */
static const char *const keys[] = {
    "strata", "cluster", "fpc", "nest", "lonely-psu", "repweights", "reptype", "rho",
    "scale", "rscales", "mse", "make-replicates", "replicates", "seed", "ci", "level",
    "deff", "tests", "stats", "chisq", "letters", "adjust", "alpha", "alpha2", "filter",
    "pct", "sort", "hide-empty", "means", "min-base", "decimals", "weight", "rows", "cols"};
static const char *const values[] = {
    "v0", "v1", "v2", "v3", "v1,v2", "v0,v1,v2", "v[0-9]", "v*", "v0 TO v3", "v1:mean",
    "v2:cat", "v1>v2", "v3>v0>v1", "set", "true", "false", "jk1", "jkn", "brr", "fay", "bootstrap", "sdr",
    "remove", "adjust", "certainty", "average", "fail", "logit", "wald", "wilson", "likelihood",
    "beta", "xlogit", "asin", "mean", "0.5", "0.9", "2", "3", "50", "4097", "100000", "F",
    "Chisq", "design", "spss", "none", "bonferroni", "holm", "fdr", "0.01", "col", "row",
    "total", "desc", "asc", "v0 = 1", "v1 in (1, 2)", "not v2 = 0", "v0 > 1 and v1 < 2",
    "missing(v0)", "", "-1", "1e308", "a+++++++++++++++++++", "((a{255}){255}){255}"};

static const char *value(in *s, char *buf, size_t max)
{
    if (pick(s, 6) == 0) {
        text(s, buf, max);
        return buf;
    }
    return values[pick(s, sizeof values / sizeof values[0])];
}

/* JSON must hold no Inf or NaN outside strings. */
static void check_json(const char *j)
{
    bool instr = false;
    for (const char *p = j; *p; p++) {
        if (instr) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                instr = false;
            continue;
        }
        if (*p == '"')
            instr = true;
        else if (*p == 'I' || *p == 'N')
            abort();
    }
}

static void check_text(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            abort();
        if (c == 0xc2 && i + 1 < n && (unsigned char)t[i + 1] >= 0x80 &&
            (unsigned char)t[i + 1] <= 0x9f)
            abort();
    }
}

static void write_all(const sd_result *r)
{
    static const sd_outfmt fmts[] = {SD_OUT_TEXT, SD_OUT_CSV, SD_OUT_JSON};
    for (int f = 0; f < 3; f++)
        for (int l = 0; l < 2; l++) {
            char *buf = NULL;
            size_t len = 0;
            FILE *fp = open_memstream(&buf, &len);
            if (!fp)
                return;
            sd_error *e = sd_error_new();
            sd_status st = sd_result_write(r, fmts[f], l ? "fr" : "en", fp, e);
            fclose(fp);
            if (st != SD_OK && st != SD_E_NOMEM && st != SD_E_TOO_LARGE)
                abort(); /* a result that was made must be writable */
            if (st == SD_OK && fmts[f] == SD_OUT_JSON)
                check_json(buf);
            if (st == SD_OK && fmts[f] == SD_OUT_TEXT)
                check_text(buf, len);
            sd_error_free(e);
            free(buf);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in s = {data, data + size};
    sd_dataset *ds = build(&s);
    if (!ds)
        return 0;
    sd_tabspec *spec = sd_tabspec_new();
    sd_error *err = sd_error_new();
    char buf[64];
    bool rows = false;
    for (unsigned k = 1 + pick(&s, 12); k > 0 && s.p < s.end; k--) {
        const char *key, *val;
        switch (pick(&s, 6)) {
        case 0:
        case 1:
            val = value(&s, buf, sizeof buf);
            TRACE("--rows '%s'\n", val);
            rows |= sd_tabspec_add_row(spec, val, err) == SD_OK;
            break;
        case 2:
            val = value(&s, buf, sizeof buf);
            TRACE("--cols '%s'\n", val);
            sd_tabspec_add_col(spec, val, err);
            break;
        case 3:
            val = value(&s, buf, sizeof buf);
            TRACE("--weight '%s'\n", val);
            sd_tabspec_set_weight(spec, val, err);
            break;
        case 4:
            key = pick(&s, 2) ? "include" : "exclude";
            TRACE("--missing %s\n", key);
            sd_tabspec_set_missing(spec, key[0] == 'i' ? SD_MISSING_INCLUDE : SD_MISSING_EXCLUDE);
            break;
        default:
            key = keys[pick(&s, sizeof keys / sizeof keys[0])];
            val = value(&s, buf, sizeof buf);
            TRACE("--%s '%s'\n", key, val);
            sd_tabspec_set_option(spec, key, val, err);
            break;
        }
        sd_error_clear(err);
    }
    if (!rows)
        sd_tabspec_add_row(spec, "v0", NULL);
    TRACE("dataset: %zu rows, %zu variables\n", ds->nrows, ds->nvars);
#ifdef FUZZ_TAB_TRACE
    FILE *dump = fopen("fuzz_tab_trace.csv", "wb");
    if (dump) {
        sd__write_csv(ds, dump, "fuzz_tab_trace.csv", NULL);
        fclose(dump);
    }
#endif
    sd_result *r = (sd_result *)&err; /* must be reset on failure */
    sd_status st = sd_tabulate(ds, spec, &r, err);
    if (st != SD_OK) {
        if (r || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
    } else {
        if (!r)
            abort();
        write_all(r);
        sd_result_free(r);
    }
    sd_error_free(err);
    sd_tabspec_free(spec);
    sd_dataset_free(ds);
    return 0;
}
