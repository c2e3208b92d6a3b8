/*
 * design_db.c — a survey design resolved against a database's table
 * (dbint.h, sd_dbdesign), with one GROUP BY over the design's columns.
 *
 * A design's structure depends on its distinct design values only: the
 * strata, the units of each stage and their parents, the population sizes
 * (fpc), the replicate patterns. So the table's distinct design keys — one
 * "key row" per distinct (strata, clusters, fpc) for a linearization
 * design, per distinct replicate pattern (each replicate weight over the
 * weight, quantised as replicates.c quantises it) for given replicates —
 * make a small dataset, and design.c's own resolution on it numbers
 * strata, units and patterns exactly as it does on the rows. What depends
 * on row counts is taken from the GROUP BY's counts: an unclustered
 * design's rows per stratum (its PSUs) and the population sizes they give,
 * the weights from the fpc, the lonely-PSU rule there. The rules whose
 * messages name a row (a missing design value, a bad fpc, a cluster in two
 * strata, a population below its sample) are checked here first, with the
 * value instead of the row. What the push-down cannot gather is refused
 * with what to do instead: a weighting (calibration), an fpc varying
 * within a stratum of an unclustered design, replicates made from the
 * rows of an unclustered design (both need every row as a unit of its
 * own), an fpc varying within a unit.
 */
#include "dbint.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

void sd__db_design_free(sd_dbdesign *dd)
{
    sd__design_free(&dd->d);
    sd__designspec_free(&dd->spec);
    for (size_t i = 0; i < dd->nkeys; i++)
        sd__free(dd->keyexpr[i]);
    sd__free(dd->keyexpr);
    sd__free(dd->keytext);
    sd__hindex_free(&dd->hidx);
    sd__free(dd->kbytes);
    sd__free(dd->koff);
    sd__free(dd->krow);
    sd__free(dd->wexpr);
    for (size_t i = 0; i < dd->nrep; i++)
        sd__free(dd->repexpr[i]);
    sd__free(dd->repexpr);
    memset(dd, 0, sizeof *dd);
}

static sd_status nomem(const sd_dataset *ds, sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
}

/* design.c's find_var: a design variable by name, or its message. */
static long find_var(const sd_dataset *ds, const sd_designspec *spec, sd_dfield f,
                     const char *name, const char *role, sd_error *err)
{
    long i = sd__dataset_var_index(ds, name);
    if (i < 0) {
        const sd_dpos *p = &spec->pos[f];
        bool coded = spec->origin && p->line > 0;
        sd__fail(err, SD_E_NOT_FOUND, coded ? spec->origin : ds->source, coded ? p->line : 0,
                 coded ? p->col : 0, name,
                 "unknown %s variable '%s': expected a variable of the data%s%s", role, name,
                 coded ? " " : "", coded ? ds->source : "");
    }
    return i;
}

/* ---- key bytes: a result row's key columns, as one byte string */

static bool key_bytes(const PGresult *r, int col0, size_t nkeys, sd_strbuf *kb)
{
    kb->len = 0;
    for (size_t j = 0; j < nkeys; j++) {
        int c = col0 + (int)j;
        if (PQgetisnull(r, 0, c)) {
            sd__sb_putc(kb, 0);
            continue;
        }
        uint32_t len = (uint32_t)PQgetlength(r, 0, c);
        sd__sb_putc(kb, 1);
        sd__sb_add(kb, (const char *)&len, sizeof len);
        sd__sb_add(kb, PQgetvalue(r, 0, c), len);
    }
    return sd__sb_status(kb) == SD_OK;
}

static long find_entry(const sd_dbdesign *dd, const char *b, size_t n, uint64_t h)
{
    sd_hprobe p = sd__hindex_probe(&dd->hidx, h);
    size_t it;
    while (sd__hindex_next(&dd->hidx, &p, &it))
        if (dd->koff[it + 1] - dd->koff[it] == n && memcmp(dd->kbytes + dd->koff[it], b, n) == 0)
            return (long)it;
    return -1;
}

int32_t sd__db_key_row(const sd_dbdesign *dd, const PGresult *r, int col0)
{
    if (dd->nkeys == 0)
        return dd->nentries ? dd->krow[0] : -2;
    sd_strbuf kb;
    sd__sb_init(&kb, 1 << 20);
    int32_t out = -2;
    if (key_bytes(r, col0, dd->nkeys, &kb)) {
        const char *b = kb.s ? kb.s : "";
        long e = find_entry(dd, b, kb.len, sd__hash_bytes(b, kb.len));
        if (e >= 0)
            out = dd->krow[e];
    }
    sd__sb_free(&kb);
    return out;
}

static bool add_entry(sd_dbdesign *dd, const char *b, size_t n, uint64_t h, int32_t row)
{
    size_t end = dd->nentries ? dd->koff[dd->nentries] : 0;
    if (!sd__grow((void **)&dd->koff, &dd->ecap, dd->nentries + 2, sizeof *dd->koff))
        return false;
    size_t rcap = dd->ecap;
    (void)rcap;
    int32_t *kr = sd__reallocarray(dd->krow, dd->ecap, sizeof *kr);
    if (!kr)
        return false;
    dd->krow = kr;
    if (!sd__grow((void **)&dd->kbytes, &dd->kcap, end + n + 1, 1))
        return false;
    if (n)
        memcpy(dd->kbytes + end, b, n);
    dd->koff[dd->nentries] = end;
    dd->koff[dd->nentries + 1] = end + n;
    dd->krow[dd->nentries] = row;
    if (!sd__hindex_add(&dd->hidx, h, dd->nentries))
        return false;
    dd->nentries++;
    return true;
}

/* ---- SQL pieces */

void sd__db_wvalid(const sd_dbdesign *dd, const sd_dataset *ds, sd_strbuf *sql, sd_pgparams *p)
{
    if (!dd->wexpr) {
        sd__sb_puts(sql, "TRUE");
        return;
    }
    const sd_var *v = ds->vars[sd__dataset_var_index(ds, dd->spec.weight)];
    sd__sb_printf(sql, "(%s > 0 AND %s < 'Infinity'::float8 AND NOT ", dd->wexpr, dd->wexpr);
    sd__pg_missing_cond(sql, p, v, dd->wexpr);
    sd__sb_putc(sql, ')');
}

/* The key columns: design variables, or each replicate's pattern key,
 * llround(w_r / w * 2^24) as replicates.c's sd__design_patterns computes
 * it (rounding half away from zero), NULL where the weight leaves the row
 * out. Keep the two in step. */
static void append_keys(const sd_dbdesign *dd, const sd_dataset *ds, sd_strbuf *sql,
                        sd_pgparams *p)
{
    for (size_t k = 0; k < dd->nkeys; k++) {
        if (k)
            sd__sb_puts(sql, ", ");
        if (!dd->nrep) {
            sd__sb_puts(sql, dd->keyexpr[k]);
            continue;
        }
        /* trunc(x + 0.5 sign(x)), x twice: a plain expression, no subquery. */
        sd__sb_puts(sql, "trunc(");
        for (int twice = 0; twice < 2; twice++) {
            sd__sb_puts(sql, twice ? " + 0.5 * sign(" : "");
            sd__sb_puts(sql, "CASE WHEN ");
            sd__db_wvalid(dd, ds, sql, p);
            if (dd->wexpr)
                sd__sb_printf(sql, " THEN %s / %s * 16777216.0 END", dd->keyexpr[k], dd->wexpr);
            else
                sd__sb_printf(sql, " THEN %s * 16777216.0 END", dd->keyexpr[k]);
            sd__sb_puts(sql, twice ? "))" : "");
        }
    }
}

void sd__db_keys_sql(const sd_dbdesign *dd, const sd_dataset *ds, sd_strbuf *sql,
                     sd_pgparams *p);
void sd__db_keys_sql(const sd_dbdesign *dd, const sd_dataset *ds, sd_strbuf *sql,
                     sd_pgparams *p)
{
    append_keys(dd, ds, sql, p);
}

/* ---- the key rows as a small dataset */

typedef struct drows {
    sd_dataset *D;
    size_t *var;      /* per key column (linearization) or replicate: its variable in ds */
    double *count;    /* rows per key row */
} drows;

static void drows_free(drows *r)
{
    sd_dataset_free(r->D);
    sd__free(r->var);
    sd__free(r->count);
    memset(r, 0, sizeof *r);
}

/* A design variable's value in key row k as people read it (messages). */
static void value_text(const sd_var *v, size_t k, char *buf, size_t cap)
{
    if (v->sysmis[k])
        snprintf(buf, cap, "(missing)");
    else if (v->type == SD_TYPE_NUMERIC) {
        char b[SD_NUMBUF];
        sd__fmt_double(b, v->num[k]);
        snprintf(buf, cap, "%s", b);
    } else
        snprintf(buf, cap, "'%.60s'", v->levels[v->str[k]]);
}

static bool is_missing(const sd_var *v, size_t k)
{
    if (v->sysmis[k])
        return true;
    return v->type == SD_TYPE_NUMERIC ? sd__var_is_user_missing_num(v, v->num[k])
                                      : sd__var_is_user_missing_str(v, v->levels[v->str[k]]);
}

typedef struct vpair {
    double c, s;
    size_t row;
} vpair;

static int cmp_vpair(const void *x, const void *y)
{
    const vpair *a = x, *b = y;
    if (a->c != b->c)
        return a->c < b->c ? -1 : 1;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* The checks of design.c that name a row, here naming the value. */
static sd_status lin_checks(const sd_dataset *ds, const sd_designspec *sp, const drows *dr,
                            sd_error *err)
{
    const sd_dataset *D = dr->D;
    size_t n = D->nrows;
    /* Every design value present. */
    for (size_t j = 0; j < D->nvars; j++) {
        const sd_var *v = D->vars[j];
        double miss = 0;
        for (size_t k = 0; k < n; k++)
            if (is_missing(v, k))
                miss += dr->count[k];
        if (miss > 0) {
            const char *role = sp->strata && !strcmp(v->name, sp->strata) ? "strata" : "cluster";
            for (size_t s = 0; s < sp->nfpc; s++)
                if (!strcmp(v->name, sp->fpc[s]))
                    role = "fpc";
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                            "%s variable '%s' is missing in %.0f rows: expected a value for "
                            "every row",
                            role, v->name, miss);
        }
    }
    /* fpc values: a population size or a sampling fraction > 0. */
    for (size_t s = 0; s < sp->nfpc; s++) {
        const sd_var *v = D->vars[sd__dataset_var_index(D, sp->fpc[s])];
        if (v->type != SD_TYPE_NUMERIC)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                            "fpc variable '%s' is a string: expected a population size or a "
                            "sampling fraction > 0",
                            v->name);
        for (size_t k = 0; k < n; k++)
            if (!(v->num[k] > 0) || !isfinite(v->num[k])) {
                char b[80];
                value_text(v, k, b, sizeof b);
                return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                                "fpc variable '%s' has the value %s: expected a population size "
                                "or a sampling fraction > 0",
                                v->name, b);
            }
    }
    /* Without --nest, a PSU id in one stratum only: sort the key rows by
     * (PSU, stratum) and look at neighbours. */
    if (sp->ncluster && sp->strata && !sp->nest && n > 1) {
        const sd_var *sv = D->vars[sd__dataset_var_index(D, sp->strata)];
        const sd_var *cv = D->vars[sd__dataset_var_index(D, sp->cluster[0])];
        vpair *pr = sd__zalloc(n, sizeof *pr);
        if (!pr)
            return nomem(ds, err);
        for (size_t k = 0; k < n; k++) {
            pr[k].c = cv->type == SD_TYPE_NUMERIC ? cv->num[k] : (double)cv->str[k];
            pr[k].s = sv->type == SD_TYPE_NUMERIC ? sv->num[k] : (double)sv->str[k];
            pr[k].row = k;
        }
        qsort(pr, n, sizeof *pr, cmp_vpair);
        for (size_t k = 1; k < n; k++)
            if (pr[k].c == pr[k - 1].c && pr[k].s != pr[k - 1].s) {
                char bv[80];
                value_text(cv, pr[k].row, bv, sizeof bv);
                sd__free(pr);
                return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, cv->name,
                                "cluster variable '%s' has the value %s in two strata: expected "
                                "clusters nested in strata, or --nest to number them within "
                                "each stratum",
                                cv->name, bv);
            }
        sd__free(pr);
    }
    return SD_OK;
}

/* A spec for design.c on the key rows: no weight (the rows' weights are in
 * the database), replicate weights by name. */
static sd_status key_spec(const sd_designspec *sp, sd_designspec *out, bool fpc, bool lonely,
                          bool make, sd_error *err)
{
    sd_status st = sd__designspec_copy(out, sp, err);
    if (st != SD_OK)
        return st;
    sd__free(out->weight);
    out->weight = NULL;
    out->no_weight = true;
    sd__calib_decl_free(out->calibration);
    out->calibration = NULL;
    if (!fpc) {
        for (size_t s = 0; s < out->nfpc; s++) {
            sd__free(out->fpc[s]);
            out->fpc[s] = NULL;
        }
        out->nfpc = 0;
    }
    if (!lonely)
        out->lonely = SD_LONELY_REMOVE;
    if (!make)
        out->make_replicates = SD_REP_NONE;
    return SD_OK;
}

/* Unclustered designs: rows per stratum from the counts, then population
 * sizes, weights from the fpc and the lonely-PSU rule (design.c's
 * sd__design_resolve and stage_fpc for stage 0 without clusters). */
static sd_status unclustered(const sd_dataset *ds, sd_dbdesign *dd, const drows *dr,
                             sd_error *err)
{
    sd_design *d = &dd->d;
    const sd_designspec *sp = &dd->spec;
    const sd_dataset *D = dr->D;
    size_t n = D->nrows, H = d->nstrata;
    for (size_t h = 0; h < H; h++)
        d->sampsize[0][h] = 0;
    for (size_t k = 0; k < n; k++)
        d->sampsize[0][d->stratum[k]] += (size_t)dr->count[k];
    if (sp->nfpc) {
        const sd_var *fv = D->vars[sd__dataset_var_index(D, sp->fpc[0])];
        double *val = sd__zalloc(H, sizeof *val);
        bool *seen = sd__zalloc(H, sizeof *seen);
        if (!val || !seen) {
            sd__free(val);
            sd__free(seen);
            return nomem(ds, err);
        }
        bool fractions = true;
        sd_status st = SD_OK;
        for (size_t k = 0; k < n && st == SD_OK; k++) {
            size_t h = (size_t)d->stratum[k];
            double x = fv->num[k];
            if (seen[h] && val[h] != x)
                st = sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, fv->name,
                              "fpc variable '%s' varies within a stratum of a design without "
                              "clusters: each row is then a unit of its own, which the "
                              "database's sums do not keep: expected one fpc per stratum, or "
                              "--cluster, or the table exported to a file",
                              fv->name);
            seen[h] = true;
            val[h] = x;
            if (x > 1)
                fractions = false;
        }
        for (size_t h = 0; h < H && st == SD_OK; h++) {
            double ns = (double)d->sampsize[0][h];
            double N = fractions ? ns / val[h] : val[h];
            if (!fractions && N < ns)
                st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, fv->name,
                              "fpc variable '%s' gives a population of %g where %zu units were "
                              "sampled: expected a population size >= the sample",
                              fv->name, N, d->sampsize[0][h]);
            d->popsize[0][h] = N;
        }
        sd__free(val);
        sd__free(seen);
        if (st != SD_OK)
            return st;
        d->has_fpc[0] = true;
        d->fpc_stages = 1;
        if (!sp->weight) {
            /* svydesign without weights: N/n. */
            d->w_owned = sd__zalloc(n, sizeof *d->w_owned);
            if (!d->w_owned)
                return nomem(ds, err);
            for (size_t k = 0; k < n; k++) {
                size_t h = (size_t)d->stratum[k];
                d->w_owned[k] = d->popsize[0][h] / (double)d->sampsize[0][h];
            }
            d->w = d->w_owned;
            d->w_from_fpc = true;
            dd->w_key_rows = true;
        }
    }
    d->lonely = sp->lonely;
    d->no_variance = !sp->strata && !sp->ncluster && dd->rows == 1;
    if (d->lonely == SD_LONELY_FAIL && sp->strata)
        for (size_t h = 0; h < H; h++) {
            double N = d->popsize[0][h];
            if (d->sampsize[0][h] != 1 || (!isinf(N) && (N - 1) / N < 1e-7))
                continue;
            const sd_var *sv = D->vars[sd__dataset_var_index(D, sp->strata)];
            char name[SD_NUMBUF + 64] = "1";
            for (size_t k = 0; k < n; k++)
                if ((size_t)d->stratum[k] == h) {
                    if (sv->type == SD_TYPE_NUMERIC)
                        sd__fmt_double(name, sv->num[k]);
                    else
                        snprintf(name, sizeof name, "%s", sv->levels[sv->str[k]]);
                    break;
                }
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, sp->strata,
                            "stratum %s of '%s' has only one PSU, so its variance cannot be "
                            "estimated: expected --lonely-psu remove, adjust, certainty or "
                            "average",
                            name, sp->strata);
        }
    return SD_OK;
}

/* Clustered designs: the fpc checked against the units sampled (design.c
 * names the row), and constant within each unit of its stage. */
static sd_status clustered_fpc(const sd_dataset *ds, const sd_dbdesign *dd, const drows *dr,
                               sd_error *err)
{
    const sd_designspec *sp = &dd->spec;
    if (!sp->nfpc)
        return SD_OK;
    sd_designspec ks;
    sd_status st = key_spec(sp, &ks, false, false, false, err);
    sd_design d0;
    memset(&d0, 0, sizeof d0);
    if (st == SD_OK)
        st = sd__design_resolve(dr->D, &ks, &d0, err);
    sd__designspec_free(&ks);
    const sd_dataset *D = dr->D;
    for (size_t s = 0; st == SD_OK && s < sp->nfpc && s < d0.nstages; s++) {
        const sd_var *fv = D->vars[sd__dataset_var_index(D, sp->fpc[s])];
        bool fractions = true;
        for (size_t k = 0; k < D->nrows; k++)
            if (fv->num[k] > 1)
                fractions = false;
        const int32_t *par = s == 0 ? d0.stratum : d0.unit[s - 1];
        double *first = sd__zalloc(d0.nunits[s], sizeof *first);
        bool *seen = sd__zalloc(d0.nunits[s], sizeof *seen);
        if (!first || !seen)
            st = nomem(ds, err);
        for (size_t k = 0; k < D->nrows && st == SD_OK; k++) {
            size_t ns = d0.sampsize[s][par[k]];
            size_t u = (size_t)d0.unit[s][k];
            if (!fractions && fv->num[k] < (double)ns)
                st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, fv->name,
                              "fpc variable '%s' gives a population of %g where %zu units were "
                              "sampled: expected a population size >= the sample",
                              fv->name, fv->num[k], ns);
            else if (seen[u] && first[u] != fv->num[k])
                st = sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, fv->name,
                              "fpc variable '%s' varies within a unit of '%s': R takes its "
                              "first row's, and a database's rows have no first: expected one "
                              "fpc per unit",
                              fv->name, sp->cluster[s]);
            seen[u] = true;
            first[u] = fv->num[k];
        }
        sd__free(first);
        sd__free(seen);
    }
    sd__design_free(&d0);
    return st;
}

/* The sums the tables gather: tabulate.c's var_mode, on the key rows. */
static void var_mode(sd_dbdesign *dd)
{
    const sd_design *d = &dd->d;
    dd->vunit = NULL;
    dd->vcount = d->nstrata;
    if (d->repmult) {
        dd->vunit = d->nstages ? d->unit[0] : d->rowunit;
        dd->vcount = d->nunits[0];
        dd->vmode = SD_VMODE_UNITS;
        return;
    }
    if (d->nrep) {
        dd->vcount = d->nrep;
        dd->vmode = SD_VMODE_REPS;
        return;
    }
    if (d->nstages) {
        size_t depth = 1;
        while (depth < d->nstages && d->has_fpc[depth - 1])
            depth++;
        dd->vunit = d->unit[depth - 1];
        dd->vcount = d->nunits[depth - 1];
        dd->vmode = SD_VMODE_UNITS;
        return;
    }
    dd->vmode = SD_VMODE_MOMENTS;
}

/* --repweights names, a regular expression expanded (replicates.c). */
static sd_status rep_names(const sd_dataset *ds, sd_designspec *sp, sd_error *err)
{
    if (!sp->repregex)
        return SD_OK;
    regex_t re;
    sd_status st = sd__repweights_compile(&re, sp->repweights[0], err);
    if (st != SD_OK)
        return st;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < ds->nvars && st == SD_OK; i++) {
        if (regexec(&re, ds->vars[i]->name, 0, NULL, 0) != 0)
            continue;
        char *c = sd__strdup(ds->vars[i]->name);
        if (!c || !sd__grow((void **)&names, &cap, n + 1, sizeof *names)) {
            sd__free(c);
            st = nomem(ds, err);
            break;
        }
        names[n++] = c;
    }
    regfree(&re);
    if (st == SD_OK && n == 0)
        st = sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, NULL,
                      "--repweights: no variable name matches '%s'", sp->repweights[0]);
    if (st != SD_OK) {
        for (size_t i = 0; i < n; i++)
            sd__free(names[i]);
        sd__free(names);
        return st;
    }
    for (size_t i = 0; i < sp->nrepweights; i++)
        sd__free(sp->repweights[i]);
    sd__free(sp->repweights);
    sp->repweights = names;
    sp->nrepweights = n;
    sp->repregex = false;
    return SD_OK;
}

static sd_status add_key(sd_dbdesign *dd, const sd_dataset *ds, const sd_pgsrc *src, long vi,
                         size_t *kcap, sd_error *err)
{
    if (!sd__grow((void **)&dd->keyexpr, kcap, dd->nkeys + 1, sizeof *dd->keyexpr))
        return nomem(ds, err);
    bool *kt = sd__reallocarray(dd->keytext, *kcap, sizeof *kt);
    if (!kt)
        return nomem(ds, err);
    dd->keytext = kt;
    if (!(dd->keyexpr[dd->nkeys] = sd__strdup(src->expr[vi])))
        return nomem(ds, err);
    dd->keytext[dd->nkeys] = ds->vars[vi]->type == SD_TYPE_STRING;
    dd->nkeys++;
    return SD_OK;
}

sd_status sd__db_design(sd_pgsrc *src, const sd_dataset *ds, const sd_tabspec *spec,
                        sd_dbdesign *dd, sd_error *err)
{
    memset(dd, 0, sizeof *dd);
    sd_status st = sd__designspec_copy(&dd->spec, &spec->design, err);
    if (st == SD_OK)
        st = sd__designspec_fill(&dd->spec, &ds->design, err);
    if (st != SD_OK)
        return st;
    sd_designspec *sp = &dd->spec;
    if (spec->calib)
        return sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, NULL,
                        "a weighting (--targets, or the calibration the codebook records) needs "
                        "the rows: expected the table exported to a file (sondage convert)");
    /* The weight. */
    long wi = -1;
    if (sp->weight) {
        if ((wi = find_var(ds, sp, SD_DF_WEIGHT, sp->weight, "weight", err)) < 0)
            return SD_E_NOT_FOUND;
        if (ds->vars[wi]->type != SD_TYPE_NUMERIC)
            return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, sp->weight,
                            "weight variable '%s' is a string: expected a numeric variable",
                            sp->weight);
        if (!(dd->wexpr = sd__strdup(src->expr[wi])))
            return nomem(ds, err);
    }
    size_t kcap = 0;
    drows dr;
    memset(&dr, 0, sizeof dr);
    bool reps = sp->nrepweights > 0;
    if (reps) {
        if (sp->strata || sp->ncluster || sp->nfpc)
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                            "--repweights describes the design by itself: drop --strata, "
                            "--cluster and --fpc");
        if ((st = rep_names(ds, sp, err)) != SD_OK)
            return st;
        if (!(dd->repexpr = sd__zalloc(sp->nrepweights, sizeof *dd->repexpr)) ||
            !(dr.var = sd__zalloc(sp->nrepweights, sizeof *dr.var)))
            return nomem(ds, err);
        for (size_t k = 0; k < sp->nrepweights; k++) {
            long ri = sd__dataset_var_index(ds, sp->repweights[k]);
            if (ri < 0)
                return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, sp->repweights[k],
                                "unknown replicate weight variable '%s'", sp->repweights[k]);
            if (ds->vars[ri]->type != SD_TYPE_NUMERIC)
                return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, sp->repweights[k],
                                "replicate weight '%s' is a string: expected numbers",
                                sp->repweights[k]);
            if (!(dd->repexpr[k] = sd__strdup(src->expr[ri])))
                return nomem(ds, err);
            dd->nrep++;
            dr.var[k] = (size_t)ri;
            if ((st = add_key(dd, ds, src, ri, &kcap, err)) != SD_OK)
                return st;
        }
    } else {
        if (!(dr.var = sd__zalloc(2 + 2 * SD_MAX_STAGES, sizeof *dr.var)))
            return nomem(ds, err);
        const char *names[1 + 2 * SD_MAX_STAGES];
        const char *roles[1 + 2 * SD_MAX_STAGES];
        sd_dfield fields[1 + 2 * SD_MAX_STAGES];
        size_t nn = 0;
        if (sp->strata) {
            names[nn] = sp->strata;
            roles[nn] = "strata";
            fields[nn++] = SD_DF_STRATA;
        }
        for (size_t s = 0; s < sp->ncluster; s++) {
            names[nn] = sp->cluster[s];
            roles[nn] = "cluster";
            fields[nn++] = SD_DF_CLUSTER;
        }
        for (size_t s = 0; s < sp->nfpc; s++) {
            names[nn] = sp->fpc[s];
            roles[nn] = "fpc";
            fields[nn++] = SD_DF_FPC;
        }
        for (size_t j = 0; j < nn; j++) {
            long vi = find_var(ds, sp, fields[j], names[j], roles[j], err);
            if (vi < 0)
                return SD_E_NOT_FOUND;
            bool dup = false;
            for (size_t k = 0; k < dd->nkeys; k++)
                dup |= dr.var[k] == (size_t)vi;
            if (dup)
                continue;
            dr.var[dd->nkeys] = (size_t)vi;
            if ((st = add_key(dd, ds, src, vi, &kcap, err)) != SD_OK)
                return st;
        }
        if (sp->make_replicates != SD_REP_NONE && !sp->ncluster)
            return sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, NULL,
                            "--make-replicates without --cluster makes every row a PSU of its "
                            "own, which the database's sums do not keep: expected --cluster, or "
                            "the table exported to a file");
    }
    /* The GROUP BY over the keys, with the counts. */
    sd_strbuf sql;
    sd_pgparams p;
    sd__sb_init(&sql, (size_t)1 << 24);
    sd__pgp_init(&p);
    sd__sb_puts(&sql, "SELECT ");
    append_keys(dd, ds, &sql, &p);
    sd__sb_printf(&sql, "%scount(*)", dd->nkeys ? ", " : "");
    const sd_var *wv = wi >= 0 ? ds->vars[wi] : NULL;
    if (wv) {
        const char *w = dd->wexpr;
        sd__sb_puts(&sql, ", count(*) FILTER (WHERE ");
        sd__pg_missing_cond(&sql, &p, wv, w);
        sd__sb_puts(&sql, "), count(*) FILTER (WHERE NOT ");
        sd__pg_missing_cond(&sql, &p, wv, w);
        sd__sb_printf(&sql, " AND NOT (%s >= 0 AND %s < 'Infinity'::float8)), count(*) FILTER "
                            "(WHERE NOT ",
                      w, w);
        sd__pg_missing_cond(&sql, &p, wv, w);
        sd__sb_printf(&sql, " AND %s = 0)", w);
    }
    for (size_t k = 0; k < dd->nrep; k++) {
        const char *r = dd->repexpr[k];
        sd__sb_puts(&sql, ", min(CASE WHEN ");
        sd__db_wvalid(dd, ds, &sql, &p);
        if (dd->wexpr)
            sd__sb_printf(&sql, " THEN %s / %s END)", r, dd->wexpr);
        else
            sd__sb_printf(&sql, " THEN %s END)", r);
        sd__sb_printf(&sql,
                      ", count(*) FILTER (WHERE %s IS NULL OR NOT (%s > '-Infinity'::float8 AND "
                      "%s < 'Infinity'::float8))",
                      r, r, r);
    }
    sd__sb_printf(&sql, " FROM %s", src->qtable);
    if (dd->nkeys) {
        sd__sb_puts(&sql, " GROUP BY ");
        for (size_t k = 0; k < dd->nkeys; k++)
            sd__sb_printf(&sql, "%s%zu", k ? ", " : "", k + 1);
    }
    if (sd__sb_status(&sql) != SD_OK || sd__pgp_status(&p) != SD_OK) {
        sd__sb_free(&sql);
        sd__pgp_free(&p);
        drows_free(&dr);
        return nomem(ds, err);
    }
    /* The key rows' dataset: the design variables (replicates: the
     * replicate weights over the weight, the pattern's multipliers). */
    if (!(dr.D = sd__dataset_new(ds->source)))
        st = nomem(ds, err);
    size_t nvarD = reps ? dd->nrep : dd->nkeys;
    for (size_t j = 0; j < nvarD && st == SD_OK; j++)
        st = sd__var_copy_meta(dr.D, ds->vars[dr.var[j]], NULL, err);
    sd_dbq q;
    memset(&q, 0, sizeof q);
    if (st == SD_OK)
        st = sd__dbq_start(&q, src, sd__sb_str(&sql), &p, "cannot read the design", err);
    sd__sb_free(&sql);
    sd__pgp_free(&p);
    sd_strbuf kb;
    sd__sb_init(&kb, 1 << 20);
    size_t ccap = 0;
    double *badrep = reps ? sd__zalloc(dd->nrep, sizeof *badrep) : NULL;
    if (st == SD_OK && reps && !badrep)
        st = nomem(ds, err);
    sd_status qst = SD_OK;
    int nk = (int)dd->nkeys;
    while (st == SD_OK && sd__dbq_next(&q, &qst, "cannot read the design", err)) {
        const PGresult *r = q.row;
        double cnt = (double)sd__pg_int8(PQgetvalue(r, 0, nk));
        dd->rows += cnt;
        int c = nk + 1;
        if (wv) {
            dd->nw_blank += (double)sd__pg_int8(PQgetvalue(r, 0, c));
            dd->nw_negative += (double)sd__pg_int8(PQgetvalue(r, 0, c + 1));
            dd->nw_zero += (double)sd__pg_int8(PQgetvalue(r, 0, c + 2));
            c += 3;
        }
        if (!key_bytes(r, 0, dd->nkeys, &kb)) {
            st = nomem(ds, err);
            break;
        }
        bool null_key = false;
        for (int j = 0; j < nk; j++)
            null_key |= PQgetisnull(r, 0, j) != 0;
        bool row = !(reps && null_key); /* replicates: a NULL key is out of the analysis */
        size_t k = dr.D->nrows;
        if (row) {
            if (!sd__dataset_reserve_rows(dr.D, k + 1) ||
                !sd__grow((void **)&dr.count, &ccap, k + 1, sizeof *dr.count)) {
                st = nomem(ds, err);
                break;
            }
            dr.count[k] = cnt;
            for (size_t j = 0; j < nvarD; j++) {
                sd_var *v = dr.D->vars[j];
                int col = reps ? c + 2 * (int)j : (int)j;
                if (PQgetisnull(r, 0, col))
                    continue;
                if (v->type == SD_TYPE_NUMERIC) {
                    v->num[k] = sd__pg_float8(PQgetvalue(r, 0, col));
                    v->sysmis[k] = 0;
                } else if (!sd__var_intern(v, PQgetvalue(r, 0, col),
                                           (size_t)PQgetlength(r, 0, col), &v->str[k])) {
                    st = nomem(ds, err);
                    break;
                } else {
                    v->sysmis[k] = 0;
                }
            }
            dr.D->nrows = k + 1;
        }
        for (size_t j = 0; j < dd->nrep; j++)
            badrep[j] += (double)sd__pg_int8(PQgetvalue(r, 0, c + 2 * (int)j + 1));
        const char *b = kb.s ? kb.s : "";
        if (st == SD_OK && !add_entry(dd, b, kb.len, sd__hash_bytes(b, kb.len),
                                      row ? (int32_t)k : -1))
            st = nomem(ds, err);
    }
    sd__dbq_end(&q);
    sd__sb_free(&kb);
    if (st == SD_OK)
        st = qst;
    for (size_t j = 0; st == SD_OK && j < dd->nrep; j++)
        if (badrep[j] > 0)
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, sp->repweights[j],
                          "replicate weight '%s' is missing or infinite in %.0f rows: expected a "
                          "finite number",
                          sp->repweights[j], badrep[j]);
    sd__free(badrep);
    for (size_t j = 0; st == SD_OK && j < dr.D->nvars; j++)
        if (dr.D->vars[j]->type == SD_TYPE_STRING &&
            !sd__var_finish_levels(dr.D->vars[j], dr.D->nrows))
            st = nomem(ds, err);
    if (st != SD_OK) {
        drows_free(&dr);
        return st;
    }
    /* Resolve on the key rows. */
    sd_designspec ks;
    memset(&ks, 0, sizeof ks);
    if (reps) {
        st = key_spec(sp, &ks, true, true, true, err);
        if (st == SD_OK)
            st = sd__design_resolve(dr.D, &ks, &dd->d, err);
        if (st == SD_OK)
            dd->d.sampsize[0][0] = (size_t)dd->rows;
    } else if (!sp->ncluster) {
        if ((st = lin_checks(ds, sp, &dr, err)) == SD_OK &&
            (st = key_spec(sp, &ks, false, false, false, err)) == SD_OK &&
            (st = sd__design_resolve(dr.D, &ks, &dd->d, err)) == SD_OK)
            st = unclustered(ds, dd, &dr, err);
    } else {
        if ((st = lin_checks(ds, sp, &dr, err)) == SD_OK &&
            (st = clustered_fpc(ds, dd, &dr, err)) == SD_OK &&
            (st = key_spec(sp, &ks, true, true, true, err)) == SD_OK &&
            (st = sd__design_resolve(dr.D, &ks, &dd->d, err)) == SD_OK && dd->d.w_from_fpc) {
            if (sp->weight) { /* the key rows had no weight: the table has one */
                sd__free(dd->d.w_owned);
                dd->d.w_owned = NULL;
                dd->d.w = NULL;
                dd->d.w_from_fpc = false;
            } else {
                dd->w_key_rows = true;
            }
        }
    }
    sd__designspec_free(&ks);
    /* The design keeps no pointer into the key rows but the replicate
     * weights (the patterns' multipliers, read for overflowed patterns):
     * copy those out before the key rows go. */
    if (st == SD_OK && dd->d.nrep && !dd->d.repmult && dd->d.repw && !dd->d.rep_owned) {
        size_t R = dd->d.nrep, n = dd->d.nrows, cells;
        if (!sd__mul_ok(R, n ? n : 1, &cells) ||
            !(dd->d.rep_owned = sd__zalloc(cells, sizeof *dd->d.rep_owned)))
            st = nomem(ds, err);
        for (size_t r = 0; st == SD_OK && r < R; r++) {
            if (n)
                memcpy(dd->d.rep_owned + r * n, dd->d.repw[r], n * sizeof(double));
            dd->d.repw[r] = dd->d.rep_owned + r * n;
        }
    }
    if (st == SD_OK && dd->d.w && !dd->d.w_owned)
        dd->d.w = NULL; /* a weight on key rows is one made from the fpc (owned) */
    drows_free(&dr);
    if (st != SD_OK)
        return st;
    var_mode(dd);
    return SD_OK;
}
