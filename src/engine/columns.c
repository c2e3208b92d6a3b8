/*
 * columns.c — sd_dataset_open_for: a data file opened for some table
 * requests, reading only the columns they use (issue 14: a CSV's other
 * columns are split and checked, not converted or stored; a .sav's, .dta's
 * or SAS file's are skipped by ReadStat, their dictionary kept).
 *
 * Two steps: the file's header is read first, with its codebook applied
 * (io's sd__dataset_open_names: names, sets, design; for a ReadStat file
 * the dictionary and one column, ReadStat having no header-only read); the
 * requests are resolved against it by the engine's own rules
 * (sd__tabspec_uses: patterns, A TO B, sets and members, filters, the
 * design completed by the codebook's), so what is read is what the
 * tabulation will look up; then the file is read with those columns only.
 * Chosen over a callback from the reader (the engine would run inside
 * the io layer) or names guessed from the command line (a set, a pattern,
 * the codebook's design are only known against the file): the header and
 * codebook are read twice, which costs a line and a small YAML file.
 * Anything that fails or is another kind of file reads every column, and the
 * real open reports the error; a second read whose names differ from the
 * header's (the text decoded otherwise) is read again in full.
 */
#include "engine.h"
#include "../io/io.h"

#include <string.h>

/* A weighting's variables (the targets' margins, totals and cells, the
 * recorded calibration's base): read as values. */
static void mark_var(const sd_dataset *ds, uint8_t *use, const char *name)
{
    long vi = name ? sd__dataset_var_index(ds, name) : -1;
    if (vi >= 0)
        use[vi] |= SD_USE_VALUES;
}

static void mark_targets(const sd_dataset *ds, uint8_t *use, const sd_targets *t)
{
    for (size_t k = 0; t && k < t->nmargins; k++)
        mark_var(ds, use, t->margins[k].var);
    for (size_t k = 0; t && k < t->ntotals; k++)
        mark_var(ds, use, t->totals[k].key);
    for (size_t k = 0; t && k < t->ncellvars; k++)
        mark_var(ds, use, t->cellvars[k]);
}

/* A request that weights: its targets' variables; a weighting reads every
 * kept column as values (it widens them), so none is held narrow. */
static sd_status mark_weighting(const sd_dataset *ds, const sd_tabspec *spec, uint8_t *use,
                                bool *weights)
{
    const sd_calib_decl *cd = ds->design.calibration;
    if (cd) {
        mark_var(ds, use, cd->base);
        mark_var(ds, use, ds->design.weight); /* checked against the calibration */
        mark_targets(ds, use, cd->targets);
        *weights = true;
    }
    if (spec->weighting.targets) {
        sd_targets *t = NULL;
        sd_status st = sd_targets_open(spec->weighting.targets, &t, NULL);
        if (st != SD_OK)
            return st;
        mark_targets(ds, use, t);
        sd_targets_free(t);
        *weights = true;
    }
    return SD_OK;
}

/* The names of the variables whose use is `which` (any use when 0). */
static bool names_of(const sd_dataset *ds, const uint8_t *use, int which, const char ***out,
                     size_t *n)
{
    *n = 0;
    *out = sd__zalloc(ds->nvars ? ds->nvars : 1, sizeof **out);
    if (!*out)
        return false;
    for (size_t i = 0; i < ds->nvars; i++)
        if (which ? use[i] == which : use[i] != 0)
            (*out)[(*n)++] = ds->vars[i]->name;
    return true;
}

static bool same_names(const sd_dataset *a, const sd_dataset *b)
{
    if (a->nvars != b->nvars)
        return false;
    for (size_t i = 0; i < a->nvars; i++)
        if (strcmp(a->vars[i]->name, b->vars[i]->name))
            return false;
    return true;
}

bool sd__request_columns(const sd_dataset *hd, sd_tabspec *const *specs, size_t n,
                         const char ***keep, size_t *nkeep, const char ***narrow,
                         size_t *nnarrow)
{
    *keep = *narrow = NULL;
    *nkeep = *nnarrow = 0;
    bool weights = false;
    uint8_t *use = sd__zalloc(hd->nvars ? hd->nvars : 1, 1);
    bool ok = use != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = specs[i] && sd__tabspec_uses(hd, specs[i], use, NULL) == SD_OK &&
             mark_weighting(hd, specs[i], use, &weights) == SD_OK;
    ok = ok && names_of(hd, use, 0, keep, nkeep) &&
         names_of(hd, use, weights ? -1 : SD_USE_AXIS, narrow, nnarrow);
    sd__free(use);
    if (!ok) {
        sd__free(*keep);
        sd__free(*narrow);
        *keep = *narrow = NULL;
    }
    return ok;
}

sd_status sd_dataset_open_for(const char *path, const sd_open_options *opts,
                              sd_tabspec *const *specs, size_t n, sd_dataset **out,
                              sd_error *err)
{
    *out = NULL;
    sd_open_options none;
    memset(&none, 0, sizeof none);
    if (!opts)
        opts = &none;
    if (!path || !specs || !n || opts->columns || opts->columns_match || opts->narrow)
        return sd_dataset_open_with(path, opts, out, err);
    sd_dataset *hd = NULL;
    const char **keep = NULL, **narrow = NULL;
    size_t nkeep = 0, nnarrow = 0;
    /* The header and the requests: errors are the real open's to report. */
    bool ok = sd__dataset_open_names(path, opts, &hd, NULL) == SD_OK &&
              sd__request_columns(hd, specs, n, &keep, &nkeep, &narrow, &nnarrow);
    sd_status st;
    if (!ok) {
        st = sd_dataset_open_with(path, opts, out, err);
    } else {
        static const char *const no_column[] = {""};
        sd_open_options o = *opts;
        o.columns = nkeep ? keep : no_column; /* NULL would be every column */
        o.ncolumns = nkeep;
        o.narrow = narrow;
        o.nnarrow = nnarrow;
        st = sd_dataset_open_with(path, &o, out, err);
        if (st == SD_OK && !same_names(hd, *out)) {
            sd_dataset_free(*out);
            *out = NULL;
            st = sd_dataset_open_with(path, opts, out, err);
        }
    }
    sd__free(keep);
    sd__free(narrow);
    sd_dataset_free(hd);
    return st;
}
