/*
 * codebook.h — private to the codebook's files (codebook_parse.c,
 * codebook_design.c, codebook_apply.c): the parsed codebook as plain
 * structs, each item with the line and column it came from.
 */
#ifndef SD_CODEBOOK_H
#define SD_CODEBOOK_H

#include "io.h"
#include "yaml_doc.h"

#define CB_MAX_WIDTH 32767
#define CB_MAX_DECIMALS 16

/* A scalar kept as text, with where it was. */
typedef struct cb_item {
    char *text; /* owned; NULL when absent */
    sd_ypos pos;
} cb_item;

typedef struct cb_list {
    cb_item *v; /* owned, n items */
    size_t n;
    sd_ypos pos; /* of the list (or of the single scalar it was written as) */
} cb_list;

typedef struct cb_value {
    cb_item key;      /* the code or string value, raw text */
    sd_labels labels; /* at least one */
} cb_value;

typedef struct cb_net {
    cb_item name;
    double *codes; /* owned, ncodes >= 1 */
    size_t ncodes;
    sd_labels label;
} cb_net;

typedef struct cb_var {
    sd_ypos pos; /* the entry (its mapping) */
    cb_item name;
    bool has_type;
    sd_type type;
    sd_ypos type_pos;
    bool has_measure;
    sd_measure measure;
    sd_ypos measure_pos;
    sd_labels label, note;
    cb_value *values; /* owned, nvalues, in the order given */
    size_t nvalues;
    cb_value *nouns;  /* owned, nnouns: "singular|plural[|f|m]" per language */
    size_t nnouns;
    bool has_missing;
    cb_list missing; /* raw text */
    bool has_range;
    double lo, hi; /* -HUGE_VAL / HUGE_VAL for lowest / highest */
    sd_ypos range_pos;
    cb_net *nets; /* owned, nnets */
    size_t nnets;
    sd_ypos nets_pos;
    bool has_width, has_decimals;
    int width, decimals;
} cb_var;

typedef struct cb_set {
    sd_ypos pos;
    cb_item name;
    sd_mrset_kind kind;
    bool has_counted;
    double counted;
    sd_labels label, note;
    cb_list vars; /* at least 2 names, distinct */
} cb_set;

typedef struct cb_design {
    bool present;
    sd_ypos pos;
    cb_item weight, strata;
    cb_list cluster, fpc;
    cb_list repweights; /* names (>= 2), or one regular expression */
    bool repweights_regex;
    bool nest, mse;
    char *lonely_psu, *reptype; /* owned, lowercase, validated; NULL when absent */
    bool has_rho, has_scale;
    double rho, scale;
    double *rscales; /* owned */
    size_t nrscales;
    sd_calib_decl *calibration; /* owned (read_targets.c), NULL when none */
} cb_design;

/* A variable name with its entry's index, for sorted lookups. */
typedef struct cb_ref {
    const char *name; /* borrowed */
    size_t idx;
} cb_ref;

struct sd_codebook {
    char *file; /* owned; the name used in messages */
    sd_labels title;
    cb_var *vars; /* owned, nvars */
    size_t nvars;
    cb_ref *order; /* vars sorted by name (nvars), for sd__codebook_var_type */
    cb_set *sets;  /* owned, nsets */
    size_t nsets;
    cb_design design;
};


/* ---- shared by the codebook's files */

void sd__cb_item_free(cb_item *it);
void sd__cb_list_free(cb_list *l);
void sd__cb_design_free(cb_design *d);
/* Order refs by name, then index (qsort). */
int sd__cb_cmp_ref(const void *a, const void *b);
/* The entry of a name in refs sorted by name, or NULL. */
const cb_ref *sd__cb_find_ref(const cb_ref *r, size_t n, const char *name);
/* A non-empty text kept with its position. */
sd_status sd__cb_want_item(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                           cb_item *out);
/* A list of texts (raw), or, when `scalar_ok`, one text standing for a list
 * of one. */
sd_status sd__cb_read_text_list(sd_yctx *c, const yaml_node_t *n, const char *expected,
                                bool scalar_ok, const char *var, cb_list *out);
/* Every item a valid name and, when `in` is given ("set 's'"), no name twice. */
sd_status sd__cb_check_names(sd_yctx *c, const cb_list *l, const char *what, const char *in,
                             const char *var);
sd_status sd__cb_check_name(sd_yctx *c, const cb_item *it, const char *what, const char *var);
sd_status sd__cb_read_numbers(sd_yctx *c, const yaml_node_t *n, const char *what,
                              const char *expected, const char *var, double **out, size_t *count);
sd_status sd__cb_read_design(sd_yctx *c, const yaml_node_t *n, cb_design *dz);

#endif /* SD_CODEBOOK_H */
