/*
 * codebook_apply.c — a parsed codebook (codebook.h) applied to a dataset:
 * labels, value labels, missing values, measure, nets, multiple-response
 * sets, title, design. A contradiction with the data names the codebook's
 * file, line and column and the variable.
 */
#include "codebook.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ apply */

typedef struct actx {
    const sd_codebook *cb;
    sd_dataset *ds;
    sd_error *err;
    cb_ref *index; /* the dataset's variables sorted by name */
} actx;

static sd_status afail(actx *a, sd_status st, sd_ypos p, const char *var, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static sd_status afail(actx *a, sd_status st, sd_ypos p, const char *var, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sd__fail(a->err, st, a->cb->file, p.line, p.col, var, "%s", msg);
}

static sd_status anomem(actx *a)
{
    return sd__fail(a->err, SD_E_NOMEM, a->cb->file, 0, 0, NULL, "out of memory");
}

static sd_var *ds_find(actx *a, const char *name, long *idx)
{
    const cb_ref *r = sd__cb_find_ref(a->index, a->ds->nvars, name);
    if (!r)
        return NULL;
    if (idx)
        *idx = (long)r->idx;
    return a->ds->vars[r->idx];
}

static const char *type_name(sd_type t) { return t == SD_TYPE_STRING ? "string" : "numeric"; }

static bool labels_merge(sd_labels *dst, const sd_labels *src) { return sd__labels_copy(dst, src); }

typedef struct code_ref {
    double code;
    size_t idx;
} code_ref;

static int cmp_code(const void *x, const void *y)
{
    const code_ref *a = x, *b = y;
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static sd_status apply_var(actx *a, const cb_var *cv)
{
    const char *name = cv->name.text;
    sd_var *v = ds_find(a, name, NULL);
    if (!v)
        return afail(a, SD_E_CONFLICT, cv->pos, name,
                     "variable '%s' is in the codebook but not in the data", name);
    /* A column the reader was asked to leave (sd_var.unread: the request
     * does not use it) has no values, and no type but the codebook's: its
     * entry is checked against the data only when the column is read. Its
     * stated measure is kept (a request's columns are chosen by it). */
    if (v->unread) {
        if (cv->has_measure && v->type == SD_TYPE_NUMERIC) {
            v->measure = cv->measure;
            v->measure_given = true;
        }
        return SD_OK;
    }
    if (cv->has_type && cv->type != v->type)
        return afail(a, SD_E_CONFLICT, cv->type_pos, name,
                     "variable '%s' is declared %s in the codebook but is %s in the data", name,
                     type_name(cv->type), type_name(v->type));
    bool numeric = v->type == SD_TYPE_NUMERIC;
    if (cv->has_measure && !numeric && cv->measure == SD_MEASURE_SCALE)
        return afail(a, SD_E_CONFLICT, cv->measure_pos, name,
                     "variable '%s' is string, so its measure must be nominal or ordinal, not "
                     "scale",
                     name);
    if (cv->has_range && !numeric)
        return afail(a, SD_E_CONFLICT, cv->range_pos, name,
                     "missing_range needs a numeric variable, but '%s' is string", name);
    if (cv->nnets && !numeric)
        return afail(a, SD_E_CONFLICT, cv->nets_pos, name,
                     "nets need a numeric variable, but '%s' is string", name);

    /* Check every code before changing anything of this variable. */
    double *codes = NULL, *miss = NULL;
    sd_status st = SD_OK;
    if (numeric && cv->nvalues) {
        code_ref *cr = sd__calloc(cv->nvalues, sizeof *cr);
        if (!cr || !(codes = sd__calloc(cv->nvalues, sizeof *codes))) {
            sd__free(cr);
            return anomem(a);
        }
        for (size_t i = 0; i < cv->nvalues && st == SD_OK; i++) {
            const cb_item *k = &cv->values[i].key;
            if (!sd__parse_double(k->text, strlen(k->text), false, &codes[i]) ||
                !isfinite(codes[i]))
                st = afail(a, SD_E_CONFLICT, k->pos, name,
                           "value '%.40s' of variable '%s' is not a number, but the variable is "
                           "numeric",
                           k->text, name);
            cr[i] = (code_ref){codes[i], i};
        }
        if (st == SD_OK && cv->nvalues > 1) {
            qsort(cr, cv->nvalues, sizeof *cr, cmp_code);
            size_t best = SIZE_MAX, first = 0;
            for (size_t i = 1; i < cv->nvalues; i++)
                if (cr[i].code == cr[i - 1].code && (i == 1 || cr[i - 2].code != cr[i].code) &&
                    cr[i].idx < best) {
                    best = cr[i].idx;
                    first = cr[i - 1].idx;
                }
            if (best != SIZE_MAX)
                st = afail(a, SD_E_INVALID, cv->values[best].key.pos, name,
                           "value '%.40s' of variable '%s' is the same code as '%.40s' (line %ld)",
                           cv->values[best].key.text, name, cv->values[first].key.text,
                           cv->values[first].key.pos.line);
        }
        sd__free(cr);
    }
    if (st == SD_OK && numeric && cv->missing.n) {
        if (!(miss = sd__calloc(cv->missing.n, sizeof *miss)))
            st = anomem(a);
        for (size_t i = 0; i < cv->missing.n && st == SD_OK; i++) {
            const cb_item *m = &cv->missing.v[i];
            if (!sd__parse_double(m->text, strlen(m->text), false, &miss[i]) || !isfinite(miss[i]))
                st = afail(a, SD_E_CONFLICT, m->pos, name,
                           "missing value '%.40s' of variable '%s' is not a number, but the "
                           "variable is numeric",
                           m->text, name);
        }
    }
    /* Nouns: each for a code that has a value label, in the data or here. */
    double ncode = 0;
    for (size_t i = 0; i < cv->nnouns && st == SD_OK; i++) {
        const cb_item *k = &cv->nouns[i].key;
        bool found = false;
        if (numeric) {
            if (!sd__parse_double(k->text, strlen(k->text), false, &ncode) || !isfinite(ncode)) {
                st = afail(a, SD_E_CONFLICT, k->pos, name,
                           "value '%.40s' in nouns of variable '%s' is not a number, but the "
                           "variable is numeric",
                           k->text, name);
                break;
            }
            found = sd__var_find_vlabel_num(v, ncode) >= 0;
            for (size_t j = 0; j < cv->nvalues && !found; j++)
                found = codes[j] == ncode;
        } else {
            found = sd__var_find_vlabel_str(v, k->text) >= 0;
            for (size_t j = 0; j < cv->nvalues && !found; j++)
                found = strcmp(cv->values[j].key.text, k->text) == 0;
        }
        if (!found)
            st = afail(a, SD_E_CONFLICT, k->pos, name,
                       "nouns of variable '%s' name value '%.40s', which has no value label", name,
                       k->text);
    }
    if (st != SD_OK)
        goto done;

    if (cv->has_measure) {
        v->measure = cv->measure;
        v->measure_given = true;
    }
    if (!labels_merge(&v->label, &cv->label) || !labels_merge(&v->note, &cv->note))
        goto oom;
    for (size_t i = 0; i < cv->nvalues; i++) {
        const sd_labels *l = &cv->values[i].labels;
        for (size_t j = 0; j < l->n; j++) {
            bool ok = numeric ? sd__var_set_vlabel_num(v, codes[i], l->v[j].lang, l->v[j].text)
                              : sd__var_set_vlabel_str(v, cv->values[i].key.text, l->v[j].lang,
                                                       l->v[j].text);
            if (!ok)
                goto oom;
        }
    }
    for (size_t i = 0; i < cv->nnouns; i++) {
        const char *key = cv->nouns[i].key.text;
        long k = -1;
        if (numeric && sd__parse_double(key, strlen(key), false, &ncode))
            k = sd__var_find_vlabel_num(v, ncode);
        else if (!numeric)
            k = sd__var_find_vlabel_str(v, key);
        const sd_labels *l = &cv->nouns[i].labels;
        for (size_t j = 0; k >= 0 && j < l->n; j++)
            if (!sd__labels_set(&v->vl[k].nouns, l->v[j].lang, l->v[j].text))
                goto oom;
    }
    if (cv->has_missing || cv->has_range) {
        sd__var_clear_missing(v);
        for (size_t i = 0; i < cv->missing.n; i++) {
            const char *s = cv->missing.v[i].text;
            if (numeric ? !sd__var_add_missing_code(v, miss[i])
                        : (!sd__var_is_user_missing_str(v, s) && !sd__var_add_missing_str(v, s)))
                goto oom;
        }
        if (cv->has_range)
            sd__var_set_missing_range(v, cv->lo, cv->hi);
    }
    for (size_t i = 0; i < cv->nnets; i++) {
        const cb_net *cn = &cv->nets[i];
        sd_net *net = NULL;
        for (size_t j = 0; j < v->nnets; j++)
            if (strcmp(v->nets[j].name, cn->name.text) == 0)
                net = &v->nets[j];
        if (net) {
            double *cc = sd__reallocarray(NULL, cn->ncodes, sizeof *cc);
            if (!cc)
                goto oom;
            memcpy(cc, cn->codes, cn->ncodes * sizeof *cc);
            sd__free(net->codes);
            net->codes = cc;
            net->ncodes = cn->ncodes;
        } else if (!sd__var_add_net(v, cn->name.text, cn->codes, cn->ncodes, &net)) {
            goto oom;
        }
        if (!labels_merge(&net->labels, &cn->label))
            goto oom;
    }
    if (cv->has_width)
        v->width = cv->width;
    if (cv->has_decimals)
        v->decimals = cv->decimals;
    goto done;
oom:
    st = anomem(a);
done:
    sd__free(codes);
    sd__free(miss);
    return st;
}

static sd_status apply_set(actx *a, const cb_set *cs)
{
    const char *name = cs->name.text;
    if (ds_find(a, name, NULL))
        return afail(a, SD_E_CONFLICT, cs->name.pos, NULL,
                     "set name '%s' is already the name of a variable in the data", name);
    size_t *idx = sd__calloc(cs->vars.n, sizeof *idx);
    if (!idx)
        return anomem(a);
    sd_status st = SD_OK;
    const sd_var *first = NULL;
    for (size_t i = 0; i < cs->vars.n && st == SD_OK; i++) {
        const cb_item *it = &cs->vars.v[i];
        long k;
        const sd_var *v = ds_find(a, it->text, &k);
        if (!v) {
            st = afail(a, SD_E_CONFLICT, it->pos, it->text,
                       "set '%s' names variable '%s', which is not in the data", name, it->text);
            break;
        }
        idx[i] = (size_t)k;
        if (v->unread)
            continue; /* its type is not known (apply_var): not checked */
        if (cs->kind == SD_MRSET_DICHOTOMY && v->type != SD_TYPE_NUMERIC)
            st = afail(a, SD_E_CONFLICT, it->pos, it->text,
                       "set '%s' is a dichotomy set, so its variables must be numeric, but "
                       "'%s' is string",
                       name, it->text);
        else if (first && v->type != first->type)
            st = afail(a, SD_E_CONFLICT, it->pos, it->text,
                       "set '%s' mixes types: '%s' is %s but '%s' is %s", name, first->name,
                       type_name(first->type), v->name, type_name(v->type));
        if (!first)
            first = v;
    }
    if (st != SD_OK) {
        sd__free(idx);
        return st;
    }
    sd_mrset *m = NULL;
    for (size_t i = 0; i < a->ds->nmr; i++)
        if (strcmp(a->ds->mr[i]->name, name) == 0)
            m = a->ds->mr[i];
    if (m) {
        sd__free(m->vars);
        m->vars = NULL;
        m->nvars = 0;
        m->kind = cs->kind;
    } else if ((st = sd__dataset_add_mrset(a->ds, name, cs->kind, &m, a->err)) != SD_OK) {
        sd__free(idx);
        return st;
    }
    m->counted = cs->kind == SD_MRSET_DICHOTOMY ? cs->counted : 1;
    bool ok = labels_merge(&m->label, &cs->label) && labels_merge(&m->note, &cs->note);
    for (size_t i = 0; ok && i < cs->vars.n; i++)
        ok = sd__mrset_add_var(m, idx[i]);
    sd__free(idx);
    return ok ? SD_OK : anomem(a);
}

static char **dup_list(const cb_list *l, bool *ok)
{
    if (!l->n)
        return NULL;
    char **v = sd__calloc(l->n, sizeof *v);
    if (!v) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < l->n; i++)
        if (!(v[i] = sd__strdup(l->v[i].text)))
            *ok = false;
    return v;
}

/* A design variable must exist, and be numeric when `numeric`. */
static sd_status check_design_var(actx *a, const cb_item *it, const char *role, bool numeric)
{
    const sd_var *v = ds_find(a, it->text, NULL);
    if (!v)
        return afail(a, SD_E_CONFLICT, it->pos, it->text,
                     "design %s '%s' is not a variable in the data", role, it->text);
    if (numeric && !v->unread && v->type != SD_TYPE_NUMERIC)
        return afail(a, SD_E_CONFLICT, it->pos, it->text,
                     "design %s '%s' must be numeric, but it is string", role, it->text);
    return SD_OK;
}

static sd_status apply_design(actx *a, const cb_design *dz)
{
    sd_status st = SD_OK;
    if (dz->weight.text && (st = check_design_var(a, &dz->weight, "weight", true)) != SD_OK)
        return st;
    if (dz->strata.text && (st = check_design_var(a, &dz->strata, "strata", false)) != SD_OK)
        return st;
    for (size_t i = 0; i < dz->cluster.n; i++)
        if ((st = check_design_var(a, &dz->cluster.v[i], "cluster", false)) != SD_OK)
            return st;
    for (size_t i = 0; i < dz->fpc.n; i++)
        if ((st = check_design_var(a, &dz->fpc.v[i], "fpc", true)) != SD_OK)
            return st;
    if (!dz->repweights_regex)
        for (size_t i = 0; i < dz->repweights.n; i++)
            if ((st = check_design_var(a, &dz->repweights.v[i], "repweights", true)) != SD_OK)
                return st;

    /* The typed design (data.h), each field with the codebook line it came
     * from, so that resolving it against the data can name that line. */
    sd_designspec d;
    memset(&d, 0, sizeof d);
    bool ok = true;
    d.declared = true;
    if (a->cb->file)
        ok &= (d.origin = sd__strdup(a->cb->file)) != NULL;
    if (dz->weight.text) {
        ok &= (d.weight = sd__strdup(dz->weight.text)) != NULL;
        d.pos[SD_DF_WEIGHT] = (sd_dpos){dz->weight.pos.line, dz->weight.pos.col};
    }
    if (dz->strata.text) {
        ok &= (d.strata = sd__strdup(dz->strata.text)) != NULL;
        d.pos[SD_DF_STRATA] = (sd_dpos){dz->strata.pos.line, dz->strata.pos.col};
    }
    for (size_t i = 0; i < dz->cluster.n && i < SD_MAX_STAGES; i++, d.ncluster++)
        ok &= (d.cluster[i] = sd__strdup(dz->cluster.v[i].text)) != NULL;
    d.pos[SD_DF_CLUSTER] = (sd_dpos){dz->cluster.pos.line, dz->cluster.pos.col};
    for (size_t i = 0; i < dz->fpc.n && i < SD_MAX_STAGES; i++, d.nfpc++)
        ok &= (d.fpc[i] = sd__strdup(dz->fpc.v[i].text)) != NULL;
    d.pos[SD_DF_FPC] = (sd_dpos){dz->fpc.pos.line, dz->fpc.pos.col};
    d.repweights = dup_list(&dz->repweights, &ok);
    d.nrepweights = d.repweights ? dz->repweights.n : 0;
    d.repregex = dz->repweights_regex;
    d.pos[SD_DF_REPWEIGHTS] = (sd_dpos){dz->repweights.pos.line, dz->repweights.pos.col};
    d.nest = dz->nest;
    d.mse = dz->mse;
    if (dz->calibration)
        ok &= (d.calibration = sd__calib_decl_copy(dz->calibration)) != NULL;
    static const char *const lonely[] = {"fail", "remove", "adjust", "certainty", "average"};
    for (int k = 0; dz->lonely_psu && k < 5; k++)
        if (!strcmp(dz->lonely_psu, lonely[k])) {
            d.lonely = (sd_lonely)k;
            d.has_lonely = true;
            d.pos[SD_DF_LONELY] = (sd_dpos){dz->pos.line, dz->pos.col};
        }
    static const struct {
        const char *name;
        sd_reptype t;
    } rt[] = {{"jk1", SD_REP_JK1}, {"jkn", SD_REP_JKN},           {"brr", SD_REP_BRR},
              {"fay", SD_REP_FAY}, {"bootstrap", SD_REP_BOOTSTRAP}, {"sdr", SD_REP_SDR}};
    for (size_t k = 0; dz->reptype && k < sizeof rt / sizeof rt[0]; k++)
        if (!strcmp(dz->reptype, rt[k].name)) {
            d.reptype = rt[k].t;
            d.pos[SD_DF_REPTYPE] = (sd_dpos){dz->pos.line, dz->pos.col};
        }
    d.has_rho = dz->has_rho;
    d.rho = dz->rho;
    d.has_scale = dz->has_scale;
    d.scale = dz->scale;
    if (dz->nrscales) {
        if ((d.rscales = sd__reallocarray(NULL, dz->nrscales, sizeof *d.rscales))) {
            memcpy(d.rscales, dz->rscales, dz->nrscales * sizeof *d.rscales);
            d.nrscales = dz->nrscales;
            d.pos[SD_DF_RSCALES] = (sd_dpos){dz->pos.line, dz->pos.col};
        } else {
            ok = false;
        }
    }
    if (!ok) {
        sd__designspec_free(&d);
        return anomem(a);
    }
    sd__designspec_free(&a->ds->design);
    a->ds->design = d;
    return SD_OK;
}

sd_status sd__codebook_apply(const sd_codebook *cb, sd_dataset *ds, sd_error *err)
{
    if (!cb || !ds)
        return sd__fail(err, SD_E_INVALID, cb ? cb->file : NULL, 0, 0, NULL,
                        "no codebook or no dataset given");
    actx a = {cb, ds, err, NULL};
    if (ds->nvars) {
        if (!(a.index = sd__calloc(ds->nvars, sizeof *a.index)))
            return anomem(&a);
        for (size_t i = 0; i < ds->nvars; i++)
            a.index[i] = (cb_ref){ds->vars[i]->name, i};
        qsort(a.index, ds->nvars, sizeof *a.index, sd__cb_cmp_ref);
    }
    sd_status st = SD_OK;
    if (!labels_merge(&ds->title, &cb->title))
        st = anomem(&a);
    for (size_t i = 0; i < cb->nvars && st == SD_OK; i++)
        st = apply_var(&a, &cb->vars[i]);
    for (size_t i = 0; i < cb->nsets && st == SD_OK; i++)
        st = apply_set(&a, &cb->sets[i]);
    if (st == SD_OK && cb->design.present)
        st = apply_design(&a, &cb->design);
    sd__free(a.index);
    return st;
}
