/*
 * codebook_design.c — the codebook's design section (docs/codebook.md,
 * "Design"): weight, strata, clusters, fpc, lonely-PSU rule and replicate
 * weights, as names and settings with the line each came from; the stats
 * layer resolves them against the data.
 */
#include "codebook.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sd__cb_design_free(cb_design *d)
{
    sd__cb_item_free(&d->weight);
    sd__cb_item_free(&d->strata);
    sd__cb_list_free(&d->cluster);
    sd__cb_list_free(&d->fpc);
    sd__cb_list_free(&d->repweights);
    sd__free(d->lonely_psu);
    sd__free(d->reptype);
    sd__free(d->rscales);
    sd__calib_decl_free(d->calibration);
    memset(d, 0, sizeof *d);
}

/* ---- design */

enum {
    DK_WEIGHT,
    DK_STRATA,
    DK_CLUSTER,
    DK_FPC,
    DK_NEST,
    DK_LONELY,
    DK_REPWEIGHTS,
    DK_REPTYPE,
    DK_RHO,
    DK_SCALE,
    DK_RSCALES,
    DK_MSE,
    DK_CALIBRATION
};
static const char *const design_keys[] = {"weight",     "strata",     "cluster", "fpc", "nest",
                                          "lonely_psu", "repweights", "reptype", "rho", "scale",
                                          "rscales",    "mse", "calibration",        NULL};

/* A regular expression must compile (POSIX extended) and pass the guard of
 * core/regex.c (small, repetitions at most two deep, no back-reference):
 * the one place patterns are compiled. */
static sd_status check_regex(sd_yctx *c, const cb_item *it)
{
    const char *re = it->text;
    regex_t rx;
    char why[128];
    switch (sd__regex_compile(&rx, re, why, sizeof why)) {
    case SD_RE_OK:
        regfree(&rx);
        return SD_OK;
    case SD_RE_BACKREF:
        return sd__yfail(c, SD_E_INVALID, it->pos, NULL,
                         "repweights '%.64s' holds a back-reference (%s); a regular expression "
                         "for repweights cannot",
                         re, why);
    case SD_RE_TOO_COMPLEX:
        return sd__yfail(c, SD_E_INVALID, it->pos, NULL,
                         "repweights '%.64s' is too complex a regular expression (at most %d "
                         "bytes, repetitions at most two deep); e.g. ^rw[0-9]+$",
                         re, SD_MAX_REGEX);
    case SD_RE_INVALID:
        break;
    }
    return sd__yfail(c, SD_E_INVALID, it->pos, NULL,
                     "repweights '%.64s' is not a valid regular expression (POSIX extended): %s",
                     re, why);
}

sd_status sd__cb_read_design(sd_yctx *c, const yaml_node_t *n, cb_design *dz)
{
    sd_status st = sd__ywant_kind(c, n, YAML_MAPPING_NODE, "a mapping for design", NULL);
    if (st != SD_OK)
        return st;
    dz->present = true;
    dz->pos = sd__ypos(n);
    yaml_node_t *vals[SD_YMAX_KEYS];
    sd_ypos kpos[SD_YMAX_KEYS];
    if ((st = sd__yread_keys(c, n, design_keys, "in design", NULL, vals, kpos)) != SD_OK)
        return st;
    if (vals[DK_WEIGHT] &&
        ((st = sd__cb_want_item(c, vals[DK_WEIGHT], "weight", NULL, &dz->weight)) != SD_OK ||
         (st = sd__cb_check_name(c, &dz->weight, "variable", NULL)) != SD_OK))
        return st;
    if (vals[DK_STRATA] &&
        ((st = sd__cb_want_item(c, vals[DK_STRATA], "strata", NULL, &dz->strata)) != SD_OK ||
         (st = sd__cb_check_name(c, &dz->strata, "variable", NULL)) != SD_OK))
        return st;
    if (vals[DK_CLUSTER] &&
        ((st = sd__cb_read_text_list(c, vals[DK_CLUSTER], "a name or a list of names for cluster", true,
                              NULL, &dz->cluster)) != SD_OK ||
         (st = sd__cb_check_names(c, &dz->cluster, "variable", "cluster", NULL)) != SD_OK))
        return st;
    if (vals[DK_FPC] && ((st = sd__cb_read_text_list(c, vals[DK_FPC], "a name or a list of names for fpc",
                                              true, NULL, &dz->fpc)) != SD_OK ||
                         (st = sd__cb_check_names(c, &dz->fpc, "variable", NULL, NULL)) != SD_OK))
        return st;
    if (dz->cluster.n && dz->fpc.n && dz->fpc.n != dz->cluster.n)
        return sd__yfail(c, SD_E_INVALID, dz->fpc.pos, NULL,
                     "fpc names %zu stages but cluster names %zu; give one fpc per stage",
                     dz->fpc.n, dz->cluster.n);
    if (!dz->cluster.n && dz->fpc.n > 1)
        return sd__yfail(c, SD_E_INVALID, dz->fpc.pos, NULL,
                     "fpc names %zu stages but there is no cluster; give one fpc", dz->fpc.n);
    if (vals[DK_NEST] && (st = sd__ywant_bool(c, vals[DK_NEST], "nest", NULL, &dz->nest)) != SD_OK)
        return st;
    int w;
    if (vals[DK_LONELY]) {
        static const char *const lonely[] = {"fail",      "remove",  "adjust",
                                             "certainty", "average", NULL};
        if ((st = sd__ywant_word(c, vals[DK_LONELY], "lonely_psu", lonely,
                            "fail, remove, adjust, certainty or average", NULL, &w)) != SD_OK)
            return st;
        if (!(dz->lonely_psu = sd__strdup(lonely[w])))
            return sd__ynomem(c);
    }
    if (vals[DK_REPWEIGHTS]) {
        yaml_node_t *r = vals[DK_REPWEIGHTS];
        if ((st = sd__cb_read_text_list(c, r, "a list of names or a regular expression for repweights",
                                 true, NULL, &dz->repweights)) != SD_OK)
            return st;
        if (r->type == YAML_SCALAR_NODE) {
            dz->repweights_regex = true;
            if ((st = check_regex(c, &dz->repweights.v[0])) != SD_OK)
                return st;
        } else {
            if ((st = sd__cb_check_names(c, &dz->repweights, "variable", "repweights", NULL)) != SD_OK)
                return st;
            if (dz->repweights.n < 2)
                return sd__yfail(c, SD_E_INVALID, sd__ypos(r), NULL,
                             "repweights must name at least 2 variables (or be one string "
                             "holding a regular expression)");
        }
    }
    if (vals[DK_REPTYPE]) {
        static const char *const types[] = {"jk1", "jkn", "brr", "fay", "bootstrap", "sdr", NULL};
        if ((st = sd__ywant_word(c, vals[DK_REPTYPE], "reptype", types,
                            "jk1, jkn, brr, fay, bootstrap or sdr", NULL, &w)) != SD_OK)
            return st;
        if (!dz->repweights.n)
            return sd__yfail(c, SD_E_INVALID, kpos[DK_REPTYPE], NULL, "reptype needs repweights");
        if (!(dz->reptype = sd__strdup(types[w])))
            return sd__ynomem(c);
    }
    if (vals[DK_RHO]) {
        if ((st = sd__ywant_number(c, vals[DK_RHO], "rho", NULL, &dz->rho)) != SD_OK)
            return st;
        if (dz->rho < 0 || dz->rho >= 1)
            return sd__yfail(c, SD_E_INVALID, sd__ypos(vals[DK_RHO]), NULL,
                         "rho must be at least 0 and less than 1");
        dz->has_rho = true;
    }
    if (vals[DK_SCALE]) {
        if ((st = sd__ywant_number(c, vals[DK_SCALE], "scale", NULL, &dz->scale)) != SD_OK)
            return st;
        if (!(dz->scale > 0))
            return sd__yfail(c, SD_E_INVALID, sd__ypos(vals[DK_SCALE]), NULL,
                         "scale must be more than 0");
        dz->has_scale = true;
    }
    if (vals[DK_RSCALES]) {
        if ((st = sd__cb_read_numbers(c, vals[DK_RSCALES], "rscales", "a list of numbers for rscales",
                               NULL, &dz->rscales, &dz->nrscales)) != SD_OK)
            return st;
        if (!dz->repweights_regex && dz->repweights.n && dz->nrscales != dz->repweights.n)
            return sd__yfail(c, SD_E_INVALID, sd__ypos(vals[DK_RSCALES]), NULL,
                         "rscales gives %zu numbers but repweights names %zu variables",
                         dz->nrscales, dz->repweights.n);
    }
    if (vals[DK_MSE] && (st = sd__ywant_bool(c, vals[DK_MSE], "mse", NULL, &dz->mse)) != SD_OK)
        return st;
    /* The weight's calibration (`sondage weight`, docs/weighting.md). */
    if (vals[DK_CALIBRATION] &&
        (st = sd__calibration_read(c, vals[DK_CALIBRATION], &dz->calibration)) != SD_OK)
        return st;
    if (dz->calibration && !dz->weight.text)
        return sd__yfail(c, SD_E_INVALID, kpos[DK_CALIBRATION], NULL,
                         "calibration needs the design's weight: the calibrated variable");
    return SD_OK;
}

