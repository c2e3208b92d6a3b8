/*
 * designspec.c — a survey design as declared (data.h, sd_designspec): by
 * the command line, one option at a time by its name after R's svydesign
 * and svrepdesign arguments (sd__designspec_set), or by a codebook's design
 * section (io/codebook_apply.c fills the same typed fields, with the line
 * of each). sd__designspec_fill completes the one with the other, field by
 * field: no design goes through a joined string. The engine resolves it
 * against the data (engine/design.c).
 */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sd__free(v[i]);
}

void sd__designspec_free(sd_designspec *d)
{
    sd__free(d->weight);
    sd__free(d->strata);
    free_strs(d->cluster, d->ncluster);
    free_strs(d->fpc, d->nfpc);
    free_strs(d->repweights, d->nrepweights);
    sd__free(d->repweights);
    sd__free(d->rscales);
    sd__free(d->origin);
    sd__calib_decl_free(d->calibration);
    memset(d, 0, sizeof *d);
}

bool sd__designspec_is_design(const sd_designspec *d)
{
    return d->strata || d->ncluster || d->nfpc || d->nrepweights;
}

/* Split a comma list into owned strings; *n receives the count. */
static sd_status split_list(const char *key, const char *value, char ***out, size_t *n,
                            size_t max, sd_error *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    const char *p = value;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0) {
            free_strs(*out, *n);
            sd__free(*out);
            *out = NULL;
            *n = 0;
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--%s: empty name in '%s': expected names separated by commas", key,
                            value);
        }
        if (*n >= max) {
            free_strs(*out, *n);
            sd__free(*out);
            *out = NULL;
            *n = 0;
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--%s: at most %zu names, got more in '%s'", key, max, value);
        }
        char *s = sd__strndup(p, len);
        if (!s || !sd__grow((void **)out, &cap, *n + 1, sizeof **out)) {
            sd__free(s);
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        (*out)[(*n)++] = s;
        if (!e)
            return SD_OK;
        p = e + 1;
    }
}

static sd_status set_number(const char *key, const char *value, double lo, double hi,
                            double *out, sd_error *err)
{
    double x;
    if (!sd__parse_double(value, strlen(value), false, &x) || !(x >= lo && x <= hi))
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--%s: expected a number from %g to %g, not '%s'", key, lo, hi, value);
    *out = x;
    return SD_OK;
}

static sd_status set_reptype(const char *key, const char *value, bool allow_all,
                             sd_reptype *out, sd_error *err)
{
    static const struct {
        const char *name;
        sd_reptype t;
    } map[] = {{"jk1", SD_REP_JK1}, {"jkn", SD_REP_JKN},           {"brr", SD_REP_BRR},
               {"fay", SD_REP_FAY}, {"bootstrap", SD_REP_BOOTSTRAP}, {"sdr", SD_REP_SDR}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(value, map[i].name) == 0 &&
            (allow_all || map[i].t == SD_REP_JK1 || map[i].t == SD_REP_JKN ||
             map[i].t == SD_REP_BRR || map[i].t == SD_REP_BOOTSTRAP)) {
            *out = map[i].t;
            return SD_OK;
        }
    return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "--%s: expected %s, not '%s'", key,
                    allow_all ? "jk1, jkn, brr, fay, bootstrap or sdr" : "jk1, jkn, brr or bootstrap",
                    value);
}

/* Is every comma-separated part of s a variable name? */
static bool is_name_list(const char *s)
{
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char part[256];
        if (n == 0 || n >= sizeof part)
            return false;
        memcpy(part, s, n);
        part[n] = '\0';
        if (!sd__valid_name(part))
            return false;
        if (!e)
            return true;
        s = e + 1;
    }
}

static bool looks_like_regex(const char *s)
{
    return strpbrk(s, "[]()*+?^$|\\{}") != NULL;
}

/* A --repweights pattern, through the guarded compiler of core/regex.c
 * (the CLI, the library and codebooks all come here). */
sd_status sd__repweights_compile(regex_t *re, const char *value, sd_error *err)
{
    char why[128];
    switch (sd__regex_compile(re, value, why, sizeof why)) {
    case SD_RE_OK:
        return SD_OK;
    case SD_RE_BACKREF:
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--repweights: '%.64s' holds a back-reference (%s): expected a pattern "
                        "without one, e.g. 'rw[0-9]+'",
                        value, why);
    case SD_RE_TOO_COMPLEX:
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--repweights: '%.64s' is too complex a regular expression: expected "
                        "at most %d bytes and repetitions at most two deep, e.g. 'rw[0-9]+'",
                        value, SD_MAX_REGEX);
    case SD_RE_INVALID:
        break;
    }
    return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                    "--repweights: '%.64s' is not a valid regular expression: %s", value, why);
}

sd_status sd__designspec_set(sd_designspec *d, const char *key, const char *value,
                             sd_error *err)
{
    if (!strcmp(key, "nest"))
        return sd__parse_flag(key, value, &d->nest, err);
    if (!strcmp(key, "mse"))
        return sd__parse_flag(key, value, &d->mse, err);
    if (!value || !*value)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "--%s needs a value", key);
    if (!strcmp(key, "weight") && !strcmp(value, "none")) {
        /* --weight none: unweighted, whatever the codebook declares */
        sd__free(d->weight);
        d->weight = NULL;
        d->no_weight = true;
        return SD_OK;
    }
    if (!strcmp(key, "weight") || !strcmp(key, "strata")) {
        if (key[0] == 'w')
            d->no_weight = false;
        char **slot = key[0] == 'w' ? &d->weight : &d->strata;
        char *c = sd__strdup(value);
        if (!c)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        sd__free(*slot);
        *slot = c;
        return SD_OK;
    }
    if (!strcmp(key, "cluster") || !strcmp(key, "fpc")) {
        bool cl = key[0] == 'c';
        char **list;
        size_t n;
        sd_status st = split_list(key, value, &list, &n, SD_MAX_STAGES, err);
        if (st != SD_OK)
            return st;
        char **dst = cl ? d->cluster : d->fpc;
        size_t *dn = cl ? &d->ncluster : &d->nfpc;
        free_strs(dst, *dn);
        memcpy(dst, list, n * sizeof *list);
        *dn = n;
        sd__free(list);
        return SD_OK;
    }
    if (!strcmp(key, "lonely-psu")) {
        static const char *names[] = {"fail", "remove", "adjust", "certainty", "average"};
        for (int i = 0; i < 5; i++)
            if (!strcmp(value, names[i])) {
                d->lonely = (sd_lonely)i;
                d->has_lonely = true;
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--lonely-psu: expected fail, remove, adjust, certainty or average, not "
                        "'%s'",
                        value);
    }
    if (!strcmp(key, "repweights")) {
        free_strs(d->repweights, d->nrepweights);
        sd__free(d->repweights);
        d->repweights = NULL;
        d->nrepweights = 0;
        /* A list of names, or one regular expression (which may hold
         * commas: rw{1,2}): a list when every comma-separated part is a
         * name. */
        d->repregex = looks_like_regex(value) && !is_name_list(value);
        if (d->repregex) {
            regex_t re;
            sd_status st = sd__repweights_compile(&re, value, err);
            if (st != SD_OK)
                return st;
            regfree(&re);
            if (!(d->repweights = sd__zalloc(1, sizeof *d->repweights)) ||
                !(d->repweights[0] = sd__strdup(value)))
                return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            d->nrepweights = 1;
            d->pos[SD_DF_REPWEIGHTS] = (sd_dpos){0, 0};
            return SD_OK;
        }
        return split_list(key, value, &d->repweights, &d->nrepweights, 100000, err);
    }
    if (!strcmp(key, "reptype"))
        return set_reptype(key, value, true, &d->reptype, err);
    if (!strcmp(key, "make-replicates"))
        return set_reptype(key, value, false, &d->make_replicates, err);
    if (!strcmp(key, "replicates") || !strcmp(key, "seed")) {
        unsigned long v;
        if (!sd__parse_ulong(value, strlen(value), key[0] == 'r' ? 100000 : 0xFFFFFFFFul, &v) ||
            (key[0] == 'r' && v < 2))
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--%s: expected a whole number%s, not '%s'", key,
                            key[0] == 'r' ? " from 2 to 100000" : "", value);
        if (key[0] == 'r')
            d->replicates = v;
        else
            d->seed = v;
        return SD_OK;
    }
    if (!strcmp(key, "patterns-max")) {
        /* A test knob (not a command-line option): replicate patterns kept
         * before rows fall back to their own weights. */
        unsigned long v;
        if (!sd__parse_ulong(value, strlen(value), 0xFFFFFFFFul, &v) || v < 1)
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--patterns-max: expected a whole number >= 1, not '%s'", value);
        d->patterns_max = v;
        return SD_OK;
    }
    if (!strcmp(key, "rho")) {
        d->has_rho = true;
        return set_number(key, value, 0, 0.999999, &d->rho, err);
    }
    if (!strcmp(key, "scale")) {
        d->has_scale = true;
        return set_number(key, value, 1e-300, 1e300, &d->scale, err);
    }
    if (!strcmp(key, "rscales")) {
        char **list;
        size_t n;
        sd_status st = split_list(key, value, &list, &n, 100000, err);
        if (st != SD_OK)
            return st;
        double *r = sd__calloc(n, sizeof *r);
        for (size_t i = 0; st == SD_OK && i < n; i++) {
            if (!r)
                st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
            else
                st = set_number(key, list[i], 0, 1e300, &r[i], err);
        }
        free_strs(list, n);
        sd__free(list);
        if (st != SD_OK) {
            sd__free(r);
            return st;
        }
        sd__free(d->rscales);
        d->rscales = r;
        d->nrscales = n;
        return SD_OK;
    }
    return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "unknown design option '%s'", key);
}

static sd_status dup_str(char **dst, const char *src, sd_error *err)
{
    *dst = NULL;
    if (src && !(*dst = sd__strdup(src)))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    return SD_OK;
}

sd_status sd__designspec_copy(sd_designspec *dst, const sd_designspec *src, sd_error *err)
{
    *dst = *src;
    dst->weight = dst->strata = dst->origin = NULL;
    dst->ncluster = dst->nfpc = dst->nrepweights = dst->nrscales = 0;
    dst->repweights = NULL;
    dst->rscales = NULL;
    dst->calibration = NULL;
    sd_status st = dup_str(&dst->weight, src->weight, err);
    if (st == SD_OK)
        st = dup_str(&dst->origin, src->origin, err);
    if (st == SD_OK && src->calibration && !(dst->calibration = sd__calib_decl_copy(src->calibration)))
        st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (st == SD_OK)
        st = dup_str(&dst->strata, src->strata, err);
    for (size_t i = 0; st == SD_OK && i < src->ncluster; i++, dst->ncluster++)
        st = dup_str(&dst->cluster[i], src->cluster[i], err);
    for (size_t i = 0; st == SD_OK && i < src->nfpc; i++, dst->nfpc++)
        st = dup_str(&dst->fpc[i], src->fpc[i], err);
    if (st == SD_OK && src->nrepweights) {
        dst->repweights = sd__calloc(src->nrepweights, sizeof *dst->repweights);
        if (!dst->repweights)
            st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        for (size_t i = 0; st == SD_OK && i < src->nrepweights; i++, dst->nrepweights++)
            st = dup_str(&dst->repweights[i], src->repweights[i], err);
    }
    if (st == SD_OK && src->nrscales) {
        dst->rscales = sd__calloc(src->nrscales, sizeof *dst->rscales);
        if (!dst->rscales)
            st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        else {
            memcpy(dst->rscales, src->rscales, src->nrscales * sizeof *dst->rscales);
            dst->nrscales = src->nrscales;
        }
    }
    if (st != SD_OK)
        sd__designspec_free(dst);
    return st;
}

/* Copy src's list of n names into an empty dst list. */
static sd_status dup_list(char **dst, size_t *dn, char *const *src, size_t n, sd_error *err)
{
    sd_status st = SD_OK;
    for (size_t i = 0; st == SD_OK && i < n; i++, (*dn)++)
        st = dup_str(&dst[i], src[i], err);
    return st;
}

sd_status sd__designspec_fill(sd_designspec *d, const sd_designspec *c, sd_error *err)
{
    if (!c->declared)
        return SD_OK;
    sd_status st = SD_OK;
    bool any = false;
    if (!d->origin && c->origin && (st = dup_str(&d->origin, c->origin, err)) != SD_OK)
        return st;
#define TAKE(field, unset, f)                                                                    \
    (st == SD_OK && (unset) && (any = true) && ((d->pos[f] = c->pos[f]), true))
    if (TAKE(weight, !d->weight && !d->no_weight && c->weight, SD_DF_WEIGHT)) {
        st = dup_str(&d->weight, c->weight, err);
        if (st == SD_OK && c->calibration && !d->calibration &&
            !(d->calibration = sd__calib_decl_copy(c->calibration)))
            st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    if (TAKE(strata, !d->strata && c->strata, SD_DF_STRATA))
        st = dup_str(&d->strata, c->strata, err);
    if (TAKE(cluster, !d->ncluster && c->ncluster, SD_DF_CLUSTER))
        st = dup_list(d->cluster, &d->ncluster, c->cluster, c->ncluster, err);
    if (TAKE(fpc, !d->nfpc && c->nfpc, SD_DF_FPC))
        st = dup_list(d->fpc, &d->nfpc, c->fpc, c->nfpc, err);
    if (TAKE(lonely, !d->has_lonely && c->has_lonely, SD_DF_LONELY)) {
        d->lonely = c->lonely;
        d->has_lonely = true;
    }
    if (TAKE(repweights, !d->nrepweights && c->nrepweights, SD_DF_REPWEIGHTS)) {
        if (!(d->repweights = sd__zalloc(c->nrepweights, sizeof *d->repweights)))
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        d->repregex = c->repregex;
        st = dup_list(d->repweights, &d->nrepweights, c->repweights, c->nrepweights, err);
    }
    if (TAKE(reptype, d->reptype == SD_REP_NONE && c->reptype != SD_REP_NONE, SD_DF_REPTYPE))
        d->reptype = c->reptype;
    if (TAKE(rscales, !d->nrscales && c->nrscales, SD_DF_RSCALES)) {
        if (!(d->rscales = sd__zalloc(c->nrscales, sizeof *d->rscales)))
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        memcpy(d->rscales, c->rscales, c->nrscales * sizeof *d->rscales);
        d->nrscales = c->nrscales;
    }
#undef TAKE
    if (st == SD_OK && !d->has_rho && c->has_rho) {
        d->has_rho = true;
        d->rho = c->rho;
    }
    if (st == SD_OK && !d->has_scale && c->has_scale) {
        d->has_scale = true;
        d->scale = c->scale;
    }
    d->nest |= c->nest;
    d->mse |= c->mse;
    (void)any;
    return st;
}
