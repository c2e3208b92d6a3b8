/*
 * varcopy.c — a variable's codebook (everything but its column) copied
 * into another dataset, and a whole dataset's codebook (variables, sets,
 * title, design) copied without its rows: the shapes a database's dataset
 * takes when its rows, or the grouped sums standing for them, come back
 * (io/read_pg.c, src/db/).
 */
#include "data.h"

#include <string.h>

static bool copy_vlabels(sd_var *d, const sd_var *s)
{
    if (!s->nvl)
        return true;
    if (!sd__grow((void **)&d->vl, &d->vlcap, s->nvl, sizeof *d->vl))
        return false;
    for (size_t i = 0; i < s->nvl; i++) {
        sd_vlabel *l = &d->vl[d->nvl];
        memset(l, 0, sizeof *l);
        d->nvl++;
        l->code = s->vl[i].code;
        if (s->vl[i].str && !(l->str = sd__strdup(s->vl[i].str)))
            return false;
        if (!sd__labels_copy(&l->labels, &s->vl[i].labels) ||
            !sd__labels_copy(&l->nouns, &s->vl[i].nouns))
            return false;
    }
    return true;
}

sd_status sd__var_copy_meta(sd_dataset *dst, const sd_var *s, sd_var **out, sd_error *err)
{
    sd_var *d;
    sd_status st = sd__dataset_add_var(dst, s->name, s->type, &d, err);
    if (st != SD_OK)
        return st;
    d->measure = s->measure;
    d->measure_given = s->measure_given;
    d->width = s->width;
    d->decimals = s->decimals;
    bool ok = sd__labels_copy(&d->label, &s->label) && sd__labels_copy(&d->note, &s->note) &&
              copy_vlabels(d, s);
    for (size_t i = 0; ok && i < s->nmiss; i++)
        ok = sd__var_add_missing_code(d, s->miss_codes[i]);
    if (ok && s->has_miss_range)
        sd__var_set_missing_range(d, s->miss_lo, s->miss_hi);
    for (size_t i = 0; ok && i < s->nmiss_strs; i++)
        ok = sd__var_add_missing_str(d, s->miss_strs[i]);
    for (size_t i = 0; ok && i < s->nnets; i++) {
        sd_net *n;
        ok = sd__var_add_net(d, s->nets[i].name, s->nets[i].codes, s->nets[i].ncodes, &n) &&
             sd__labels_copy(&n->labels, &s->nets[i].labels);
    }
    if (!ok)
        return sd__fail(err, SD_E_NOMEM, dst->source, 0, 0, s->name, "out of memory");
    if (out)
        *out = d;
    return SD_OK;
}

sd_status sd__mrset_copy_meta(sd_dataset *dst, const sd_mrset *s, const size_t *varmap,
                              sd_error *err)
{
    sd_mrset *m;
    sd_status st = sd__dataset_add_mrset(dst, s->name, s->kind, &m, err);
    if (st != SD_OK)
        return st;
    m->counted = s->counted;
    bool ok = sd__labels_copy(&m->label, &s->label) && sd__labels_copy(&m->note, &s->note);
    for (size_t k = 0; ok && k < s->nvars; k++)
        ok = sd__mrset_add_var(m, varmap ? varmap[s->vars[k]] : s->vars[k]);
    return ok ? SD_OK : sd__fail(err, SD_E_NOMEM, dst->source, 0, 0, s->name, "out of memory");
}

sd_status sd__dataset_copy_meta(const sd_dataset *src, sd_dataset **out, sd_error *err)
{
    *out = NULL;
    sd_dataset *ds = sd__dataset_new(src->source);
    if (!ds)
        return sd__fail(err, SD_E_NOMEM, src->source, 0, 0, NULL, "out of memory");
    sd_status st = sd__labels_copy(&ds->title, &src->title)
                       ? SD_OK
                       : sd__fail(err, SD_E_NOMEM, src->source, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < src->nvars && st == SD_OK; i++)
        st = sd__var_copy_meta(ds, src->vars[i], NULL, err);
    for (size_t i = 0; i < src->nmr && st == SD_OK; i++)
        st = sd__mrset_copy_meta(ds, src->mr[i], NULL, err);
    if (st == SD_OK)
        st = sd__designspec_copy(&ds->design, &src->design, err);
    if (st != SD_OK) {
        sd_dataset_free(ds);
        return st;
    }
    *out = ds;
    return SD_OK;
}
