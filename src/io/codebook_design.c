/*
 * codebook_design.c — the codebook's design section (docs/codebook.md,
 * "Design"): weight, strata, clusters, fpc, lonely-PSU rule and replicate
 * weights, as names and settings with the line each came from; the stats
 * layer resolves them against the data.
 */
#include "codebook.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

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
    DK_MSE
};
static const char *const design_keys[] = {"weight",     "strata",     "cluster", "fpc", "nest",
                                          "lonely_psu", "repweights", "reptype", "rho", "scale",
                                          "rscales",    "mse",        NULL};

/* Is an extended regular expression small enough for glibc's regcomp?
 * regcomp copies a subexpression once more for every x+ and once per count
 * of x{m,n}, so nested repetitions multiply the tree's size ("a++++…"
 * doubles at each +), and repetitions stacked on repetitions ("a****…",
 * "((a*)*)*") make its epsilon-closure step take exponential time. So:
 * an upper bound on the tree's size must stay under CB_MAX_REGEX_NODES, and
 * an element may be repeated at most twice over (rw[0-9]+ once, (rw[0-9]+)*
 * twice). Each level of parentheses keeps its size so far, the size and
 * repetition depth of its last element, and its deepest repetition. */
#define CB_MAX_REGEX_NODES 1000.0
#define CB_MAX_REGEX_REPEAT 2

static bool regex_small(const char *re)
{
    struct {
        double sum, last;  /* tree size so far; size of the last element */
        int rep, deepest;  /* repetition depth of the last element; the most in the group */
    } lv[CB_MAX_REGEX + 2];
    int top = 0;
    memset(&lv[0], 0, sizeof lv[0]);
    for (const char *p = re; *p; p++) {
        double atom = 1;
        int atom_rep = 0;
        double copies = 0; /* > 0: a repetition operator making this many copies */
        switch (*p) {
        case '(':
            if (top > CB_MAX_REGEX)
                return false;
            top++;
            memset(&lv[top], 0, sizeof lv[top]);
            continue;
        case ')':
            if (top == 0)
                break; /* a literal ')' (or an error regcomp reports) */
            atom = lv[top].sum + 2;
            atom_rep = lv[top].deepest;
            top--;
            break;
        case '|':
            lv[top].sum += 1;
            lv[top].last = 0;
            lv[top].rep = 0;
            continue;
        case '*':
        case '?':
            copies = 1;
            break;
        case '+':
            copies = 2;
            break;
        case '{': {
            /* {m}, {m,} or {m,n}: up to max(m, n) + 1 copies. */
            double m = 0, n = -1, *cur = &m;
            const char *q = p + 1;
            for (; *q && *q != '}'; q++) {
                if (*q >= '0' && *q <= '9')
                    *cur = (*cur < 0 ? 0 : *cur) * 10 + (*q - '0');
                else if (*q == ',' && cur == &m)
                    cur = &n;
                else
                    break;
            }
            if (*q != '}')
                break; /* not an interval: a literal '{' */
            copies = (n > m ? n : m) + 1;
            p = q;
            break;
        }
        case '[':
            /* A bracket expression is one element: skip to its ']' (a ']'
             * first, and [:class:] [.x.] [=x=] inside, do not close it). */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']') {
                if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                    char end = p[1];
                    p += 2;
                    while (*p && !(*p == end && p[1] == ']'))
                        p++;
                    if (*p)
                        p++;
                }
                if (*p)
                    p++;
            }
            if (!*p)
                p--;
            break;
        case '\\':
            if (p[1])
                p++;
            break;
        default:
            break;
        }
        if (copies > 0) {
            lv[top].sum += lv[top].last * (copies - 1) + 1;
            lv[top].last *= copies;
            if (++lv[top].rep > CB_MAX_REGEX_REPEAT)
                return false;
        } else {
            lv[top].sum += atom;
            lv[top].last = atom;
            lv[top].rep = atom_rep;
        }
        if (lv[top].rep > lv[top].deepest)
            lv[top].deepest = lv[top].rep;
        if (lv[top].sum > CB_MAX_REGEX_NODES || lv[top].last > CB_MAX_REGEX_NODES)
            return false;
    }
    double total = 0;
    for (int i = 0; i <= top; i++)
        total += lv[i].sum;
    return total <= CB_MAX_REGEX_NODES;
}

/* A regular expression must compile (POSIX extended) and stay small (see
 * regex_small); back-references are refused (matching them can take
 * exponential time). */
static sd_status check_regex(sd_yctx *c, const cb_item *it)
{
    const char *re = it->text;
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1] >= '1' && p[1] <= '9')
            return sd__yfail(c, SD_E_INVALID, it->pos, NULL,
                         "repweights '%.64s' holds a back-reference (\\%c); a regular expression "
                         "for repweights cannot",
                         re, p[1]);
        if (*p == '\\' && p[1])
            p++;
    }
    if (strlen(re) > CB_MAX_REGEX || !regex_small(re))
        return sd__yfail(c, SD_E_INVALID, it->pos, NULL,
                     "repweights '%.64s' is too complex a regular expression (at most %d bytes, "
                     "repetitions at most two deep); e.g. ^rw[0-9]+$",
                     re, CB_MAX_REGEX);
    regex_t rx;
    int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, &rx, why, sizeof why);
        regfree(&rx);
        for (char *q = why; *q; q++)
            *q = lower(*q);
        return sd__yfail(c, SD_E_INVALID, it->pos, NULL,
                     "repweights '%.64s' is not a valid regular expression (POSIX extended): %s",
                     re, why);
    }
    regfree(&rx);
    return SD_OK;
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
    return SD_OK;
}

