/*
 * banner.c — a banner's columns and each row's columns, from its --cols
 * entry: a variable (one column per category), a nested banner `a>b>c`
 * (one column per combination of the levels' categories, the first level
 * outermost, as SPSS CTABLES nests), or a multiple-response set (one column
 * per item or code: a respondent is in every column they chose).
 */
#include "plan.h"

#include <string.h>

void sd__colmap_free(sd_colmap *m)
{
    sd__free(m->cats);
    sd__free(m->path);
    sd__free(m->idx);
    sd__free(m->off);
    sd__free(m->list);
    memset(m, 0, sizeof *m);
}

static sd_status nomem(const sd_dataset *ds, const char *name, sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, name, "out of memory");
}

/* Take a variable's category map as the banner. */
static sd_status from_var(const sd_dataset *ds, long vi, sd_missing_mode mode, sd_colmap *out,
                          sd_error *err)
{
    sd_catmap cm;
    sd_status st = sd__catmap_build(ds, (size_t)vi, mode, false, &cm, err);
    if (st != SD_OK)
        return st;
    out->cats = cm.cats;
    out->ncols = cm.ncats;
    out->idx = cm.idx;
    out->u8 = cm.u8; /* a narrow variable: its codes, read through map8 */
    memcpy(out->map8, cm.map8, sizeof out->map8);
    out->depth = 1;
    out->var[0] = vi;
    sd__free(cm.netmask);
    return SD_OK;
}

static sd_status nested(const sd_dataset *ds, const char *entry, sd_missing_mode mode,
                        sd_colmap *out, sd_error *err)
{
    sd_catmap lv[SD_MAX_NEST];
    memset(lv, 0, sizeof lv);
    size_t depth = 0;
    sd_status st = SD_OK;
    const char *p = entry;
    while (st == SD_OK) {
        const char *e = strchr(p, '>');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        char *name = sd__strndup(p, n);
        if (!name) {
            st = nomem(ds, entry, err);
            break;
        }
        long vi = sd__dataset_var_index(ds, name);
        if (depth == SD_MAX_NEST)
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, name,
                          "banner '%s' nests more than %d levels: expected a>b or a>b>c", entry,
                          SD_MAX_NEST);
        else if (!*name)
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                          "banner '%s': an empty level: expected a>b with a variable on each "
                          "side of >",
                          entry);
        else if (vi < 0 && sd_dataset_find_mrset(ds, name))
            st = sd__fail(err, SD_E_UNSUPPORTED, ds->source, 0, 0, name,
                          "banner '%s': '%s' is a multiple-response set; a nested banner's "
                          "levels are variables (a set can be a banner on its own)",
                          entry, name);
        else if (vi < 0)
            st = sd__unknown_name(ds, name, "banner variable", false, NULL, err);
        else if ((st = sd__var_readable(ds, ds->vars[vi], err)) != SD_OK)
            ;
        else if ((st = sd__catmap_build(ds, (size_t)vi, mode, false, &lv[depth], err)) == SD_OK)
            out->var[depth++] = vi;
        sd__free(name);
        if (!e)
            break;
        p = e + 1;
    }
    size_t ncols = 1;
    for (size_t l = 0; st == SD_OK && l < depth; l++)
        if (!sd__mul_ok(ncols, lv[l].ncats, &ncols) || ncols > SD_MAX_CATEGORIES)
            st = sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, NULL,
                          "banner '%s' has more than %zu columns", entry, SD_MAX_CATEGORIES);
    if (st == SD_OK) {
        out->depth = depth;
        out->ncols = ncols;
        out->cats = sd__zalloc(ncols, sizeof *out->cats);
        out->path = sd__zalloc(ncols * depth, sizeof *out->path);
        out->idx = sd__zalloc(ds->nrows, sizeof *out->idx);
        if (!out->cats || !out->path || !out->idx)
            st = nomem(ds, entry, err);
    }
    for (size_t c = 0; st == SD_OK && c < ncols; c++) {
        out->cats[c].kind = SD_CAT_NESTED;
        out->cats[c].index = c;
        size_t rest = c;
        for (size_t l = depth; l-- > 0;) {
            out->path[c * depth + l] = lv[l].cats[rest % lv[l].ncats];
            rest /= lv[l].ncats;
        }
    }
    for (size_t r = 0; st == SD_OK && r < ds->nrows; r++) {
        int32_t k = 0;
        for (size_t l = 0; l < depth; l++) {
            int32_t c = sd__catmap_at(&lv[l], r);
            if (c < 0) {
                k = -1;
                break;
            }
            k = k * (int32_t)lv[l].ncats + c;
        }
        out->idx[r] = k;
    }
    for (size_t l = 0; l < SD_MAX_NEST; l++)
        sd__catmap_free(&lv[l]);
    return st;
}

/* Two passes over the rows: count each row's columns, then list them. */
static sd_status from_set(const sd_dataset *ds, long si, sd_missing_mode mode, sd_colmap *out,
                          sd_error *err)
{
    const sd_mrset *m = ds->mr[si];
    size_t n = ds->nrows;
    out->set = si;
    out->depth = 1;
    out->var[0] = -1;
    sd_catset cs;
    memset(&cs, 0, sizeof cs);
    sd_status st = SD_OK;
    if (m->kind == SD_MRSET_DICHOTOMY) {
        out->ncols = m->nvars;
        if (!(out->cats = sd__zalloc(m->nvars, sizeof *out->cats)))
            return nomem(ds, m->name, err);
        for (size_t k = 0; k < m->nvars; k++) {
            if (ds->vars[m->vars[k]]->type != SD_TYPE_NUMERIC)
                return sd__fail(err, SD_E_TYPE, ds->source, 0, 0, ds->vars[m->vars[k]]->name,
                                "set '%s': item '%s' is a string: a dichotomy set needs "
                                "numeric items",
                                m->name, ds->vars[m->vars[k]]->name);
            out->cats[k].kind = SD_CAT_ITEM;
            out->cats[k].index = m->vars[k];
            out->cats[k].code = m->counted;
        }
    } else {
        if ((st = sd__catset_build(ds, m, mode, &cs, err)) != SD_OK)
            return st;
        out->ncols = cs.ncats;
        if (!(out->cats = sd__zalloc(cs.ncats, sizeof *out->cats))) {
            sd__catset_free(&cs);
            return nomem(ds, m->name, err);
        }
        memcpy(out->cats, cs.cats, cs.ncats * sizeof *out->cats);
    }
    uint8_t *seen = sd__zalloc(out->ncols, 1);
    if (!(out->off = sd__zalloc(n + 1, sizeof *out->off)) || !seen) {
        sd__free(seen);
        sd__catset_free(&cs);
        return nomem(ds, m->name, err);
    }
    for (int pass = 0; pass < 2 && st == SD_OK; pass++) {
        size_t total = 0;
        for (size_t r = 0; r < n; r++) {
            if (pass)
                out->off[r] = (uint32_t)total;
            for (size_t k = 0; k < m->nvars; k++) {
                long c = -1;
                const sd_var *v = ds->vars[m->vars[k]];
                if (m->kind == SD_MRSET_DICHOTOMY) {
                    double x = sd__var_value(v, r);
                    if (!sd__var_sysmis(v, r) && x == m->counted &&
                        !(mode == SD_MISSING_EXCLUDE && sd__var_is_user_missing_num(v, x)))
                        c = (long)k;
                } else if (sd__catmap_at(&cs.maps[k], r) >= 0) {
                    c = cs.cat2u[k][sd__catmap_at(&cs.maps[k], r)];
                }
                if (c < 0 || seen[c])
                    continue;
                seen[c] = 1;
                if (pass)
                    out->list[total] = (uint32_t)c;
                total++;
            }
            /* Clear what this row marked (its columns are in order of its
             * variables, so walk them again). */
            for (size_t k = 0; k < m->nvars; k++) {
                if (m->kind == SD_MRSET_DICHOTOMY)
                    seen[k] = 0;
                else if (sd__catmap_at(&cs.maps[k], r) >= 0)
                    seen[cs.cat2u[k][sd__catmap_at(&cs.maps[k], r)]] = 0;
            }
            if (total > UINT32_MAX) {
                st = sd__fail(err, SD_E_TOO_LARGE, ds->source, 0, 0, m->name,
                              "banner '%s': too many answers", m->name);
                break;
            }
        }
        if (pass)
            out->off[n] = (uint32_t)total;
        else if (!(out->list = sd__zalloc(total, sizeof *out->list)))
            st = nomem(ds, m->name, err);
    }
    sd__free(seen);
    sd__catset_free(&cs);
    return st;
}

sd_status sd__colmap_build(const sd_dataset *ds, const char *entry, sd_missing_mode mode,
                           sd_colmap *out, sd_error *err)
{
    memset(out, 0, sizeof *out);
    out->set = -1;
    long vi = sd__dataset_var_index(ds, entry);
    sd_status st;
    if (vi >= 0 && (st = sd__var_readable(ds, ds->vars[vi], err)) != SD_OK)
        return st;
    if (vi >= 0)
        st = from_var(ds, vi, mode, out, err);
    else if (strchr(entry, '>'))
        st = nested(ds, entry, mode, out, err);
    else {
        long si = -1;
        for (size_t i = 0; i < ds->nmr; i++)
            if (strcmp(ds->mr[i]->name, entry) == 0)
                si = (long)i;
        st = si >= 0 ? from_set(ds, si, mode, out, err)
                     : sd__unknown_name(ds, entry, "banner variable", true, NULL, err);
    }
    if (st != SD_OK)
        sd__colmap_free(out);
    return st;
}
