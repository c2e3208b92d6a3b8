/*
 * read_codebook.c — the YAML codebook (docs/codebook.md, the reference):
 * parsing into private plain structs, and applying them to a dataset.
 *
 * Parsing uses libyaml: its events are loaded into a yaml_document_t here
 * rather than by yaml_parser_load, only to cap the nesting depth (libyaml's
 * time grows with it; see "loading" below). A walk directed by the
 * codebook's schema (never by the document's own shape, so an alias cycle
 * cannot loop) copies what it needs into the structs below, keeping each
 * node's 1-based line and column so that apply can name the codebook line of
 * any contradiction with the data. Aliases are allowed (a shared set of
 * value labels is a natural use); the nodes they make the walk visit are
 * capped.
 *
 * What cannot be checked without the data (is a value label's code a number?
 * that depends on the variable's type, which may come from the data file) is
 * kept as raw text and checked by sd__codebook_apply.
 */
#include "io.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Caps on what a codebook may hold; each failure is SD_E_TOO_LARGE. */
#define CB_MAX_INPUT ((size_t)1 << 28)  /* 256 MiB of YAML */
#define CB_MAX_TEXT ((size_t)65536)     /* one label, note, name or value, in bytes */
#define CB_MAX_ITEMS SD_MAX_VARS        /* entries in any one list or mapping */
#define CB_MAX_LANGS 64                 /* languages in one label */
#define CB_MAX_EXPAND ((size_t)1 << 21) /* node visits beyond the document's own nodes */
#define CB_MAX_REGEX 256                /* bytes in a repweights regular expression */
#define CB_MAX_WIDTH 32767
#define CB_MAX_DECIMALS 16

/* ------------------------------------------------------------ the structs */

typedef struct cb_pos {
    long line, col; /* 1-based */
} cb_pos;

/* A scalar kept as text, with where it was. */
typedef struct cb_item {
    char *text; /* owned; NULL when absent */
    cb_pos pos;
} cb_item;

typedef struct cb_list {
    cb_item *v; /* owned, n items */
    size_t n;
    cb_pos pos; /* of the list (or of the single scalar it was written as) */
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
    cb_pos pos; /* the entry (its mapping) */
    cb_item name;
    bool has_type;
    sd_type type;
    cb_pos type_pos;
    bool has_measure;
    sd_measure measure;
    cb_pos measure_pos;
    sd_labels label, note;
    cb_value *values; /* owned, nvalues, in the order given */
    size_t nvalues;
    bool has_missing;
    cb_list missing; /* raw text */
    bool has_range;
    double lo, hi; /* -HUGE_VAL / HUGE_VAL for lowest / highest */
    cb_pos range_pos;
    cb_net *nets; /* owned, nnets */
    size_t nnets;
    cb_pos nets_pos;
    bool has_width, has_decimals;
    int width, decimals;
} cb_var;

typedef struct cb_set {
    cb_pos pos;
    cb_item name;
    sd_mrset_kind kind;
    bool has_counted;
    double counted;
    sd_labels label, note;
    cb_list vars; /* at least 2 names, distinct */
} cb_set;

typedef struct cb_design {
    bool present;
    cb_pos pos;
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

/* ------------------------------------------------------------ freeing */

static void item_free(cb_item *it)
{
    sd__free(it->text);
    it->text = NULL;
}

static void list_free(cb_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        item_free(&l->v[i]);
    sd__free(l->v);
    memset(l, 0, sizeof *l);
}

static void var_free(cb_var *v)
{
    item_free(&v->name);
    sd__labels_free(&v->label);
    sd__labels_free(&v->note);
    for (size_t i = 0; i < v->nvalues; i++) {
        item_free(&v->values[i].key);
        sd__labels_free(&v->values[i].labels);
    }
    sd__free(v->values);
    list_free(&v->missing);
    for (size_t i = 0; i < v->nnets; i++) {
        item_free(&v->nets[i].name);
        sd__free(v->nets[i].codes);
        sd__labels_free(&v->nets[i].label);
    }
    sd__free(v->nets);
}

static void set_free(cb_set *s)
{
    item_free(&s->name);
    sd__labels_free(&s->label);
    sd__labels_free(&s->note);
    list_free(&s->vars);
}

static void design_free(cb_design *d)
{
    item_free(&d->weight);
    item_free(&d->strata);
    list_free(&d->cluster);
    list_free(&d->fpc);
    list_free(&d->repweights);
    sd__free(d->lonely_psu);
    sd__free(d->reptype);
    sd__free(d->rscales);
    memset(d, 0, sizeof *d);
}

void sd__codebook_free(sd_codebook *cb)
{
    if (!cb)
        return;
    sd__free(cb->file);
    sd__labels_free(&cb->title);
    for (size_t i = 0; i < cb->nvars; i++)
        var_free(&cb->vars[i]);
    sd__free(cb->vars);
    sd__free(cb->order);
    for (size_t i = 0; i < cb->nsets; i++)
        set_free(&cb->sets[i]);
    sd__free(cb->sets);
    design_free(&cb->design);
    sd__free(cb);
}

/* ------------------------------------------------------------ small helpers */

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* ASCII case-insensitive equality (never the locale's). */
static bool eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return false;
    return *a == *b;
}

/* Index of s in a NULL-terminated word list (case-insensitive), or -1. */
static int word_index(const char *const *words, const char *s)
{
    for (int i = 0; words[i]; i++)
        if (eq_nocase(words[i], s))
            return i;
    return -1;
}

static int cmp_ref(const void *a, const void *b)
{
    const cb_ref *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sort refs by (name, idx) and find a name given twice: *first and *second
 * receive the idx of the first two occurrences of the duplicate whose second
 * occurrence comes earliest. */
static bool find_dup(cb_ref *r, size_t n, size_t *first, size_t *second)
{
    if (n < 2)
        return false;
    qsort(r, n, sizeof *r, cmp_ref);
    bool found = false;
    for (size_t i = 1; i < n; i++) {
        bool group_start = i == 1 || strcmp(r[i - 2].name, r[i - 1].name) != 0;
        if (group_start && strcmp(r[i - 1].name, r[i].name) == 0 &&
            (!found || r[i].idx < *second)) {
            *first = r[i - 1].idx;
            *second = r[i].idx;
            found = true;
        }
    }
    return found;
}

static const cb_ref *find_ref(const cb_ref *r, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r[mid].name, name);
        if (c == 0) {
            /* The first of equal names (there are none after parsing). */
            while (mid > 0 && strcmp(r[mid - 1].name, name) == 0)
                mid--;
            return &r[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------------------ the walk */

typedef struct pctx {
    yaml_document_t *doc;
    const char *file;
    sd_error *err;
    size_t budget; /* node visits left */
} pctx;

static cb_pos pos_of(const yaml_node_t *n)
{
    return (cb_pos){(long)n->start_mark.line + 1, (long)n->start_mark.column + 1};
}

static sd_status failf(pctx *c, sd_status st, cb_pos p, const char *var, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static sd_status failf(pctx *c, sd_status st, cb_pos p, const char *var, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sd__fail(c->err, st, c->file, p.line, p.col, var, "%s", msg);
}

static sd_status nomem(pctx *c)
{
    return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
}

static sd_status get_node(pctx *c, int id, yaml_node_t **out)
{
    yaml_node_t *n = yaml_document_get_node(c->doc, id);
    if (!n)
        return sd__fail(c->err, SD_E_INTERNAL, c->file, 0, 0, NULL,
                        "libyaml returned an unknown node");
    if (c->budget == 0)
        return failf(c, SD_E_TOO_LARGE, pos_of(n), NULL,
                     "the codebook expands to too many nodes through aliases (more than %zu "
                     "beyond its own)",
                     CB_MAX_EXPAND);
    c->budget--;
    *out = n;
    return SD_OK;
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    return len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

/* Is the node the scalar `word` exactly (a "\0" escape cannot fool it)? */
static bool scalar_is(const yaml_node_t *n, const char *word)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(word) &&
           memcmp(n->data.scalar.value, word, n->data.scalar.length) == 0;
}

/* How a node looks, for "not …" in messages: a list, a mapping, an empty
 * value, or its text in quotes (cut at 40 bytes on a character boundary). */
static const char *describe(const yaml_node_t *n, char *buf, size_t cap)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (is_null(n))
        return "an empty value";
    const char *s = (const char *)n->data.scalar.value;
    size_t len = strnlen(s, n->data.scalar.length);
    const char *more = "";
    if (len > 40) {
        len = 40;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        more = "...";
    }
    snprintf(buf, cap, "'%.*s%s'", (int)len, s, more);
    return buf;
}

/* Check a scalar's text: at most CB_MAX_TEXT bytes, no NUL, valid UTF-8.
 * *s borrows the document's text (NUL-terminated). */
static sd_status scalar_text(pctx *c, const yaml_node_t *n, const char *var, const char **s)
{
    const char *t = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (len > CB_MAX_TEXT)
        return failf(c, SD_E_TOO_LARGE, pos_of(n), var, "text longer than %zu bytes", CB_MAX_TEXT);
    if (memchr(t, '\0', len))
        return failf(c, SD_E_PARSE, pos_of(n), var, "a text holds a NUL character");
    if (sd__utf8_valid_prefix(t, len) != len)
        return failf(c, SD_E_ENCODING, pos_of(n), var, "a text is not valid UTF-8");
    *s = t;
    return SD_OK;
}

/* A non-empty scalar's checked text, for a key whose value must be one
 * (`what` names it: "name must be a text, not a list"). */
static sd_status want_text(pctx *c, const yaml_node_t *n, const char *what, const char *var,
                           const char **s)
{
    char d[64];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return failf(c, SD_E_INVALID, pos_of(n), var, "%s must be a text, not %s", what,
                     describe(n, d, sizeof d));
    return scalar_text(c, n, var, s);
}

static sd_status want_item(pctx *c, const yaml_node_t *n, const char *what, const char *var,
                           cb_item *out)
{
    const char *s;
    sd_status st = want_text(c, n, what, var, &s);
    if (st != SD_OK)
        return st;
    if (!(out->text = sd__strdup(s)))
        return nomem(c);
    out->pos = pos_of(n);
    return SD_OK;
}

/* A finite number (sd__parse_double: locale-free, no spaces). */
static bool scalar_number(const yaml_node_t *n, double *out)
{
    return n->type == YAML_SCALAR_NODE && !is_null(n) &&
           sd__parse_double((const char *)n->data.scalar.value, n->data.scalar.length, false,
                            out) &&
           isfinite(*out);
}

static sd_status want_number(pctx *c, const yaml_node_t *n, const char *what, const char *var,
                             double *out)
{
    char d[64];
    if (scalar_number(n, out))
        return SD_OK;
    return failf(c, SD_E_INVALID, pos_of(n), var, "%s must be a number, not %s", what,
                 describe(n, d, sizeof d));
}

static sd_status want_uint(pctx *c, const yaml_node_t *n, const char *what, unsigned long max,
                           const char *var, int *out)
{
    char d[64];
    unsigned long u;
    if (n->type == YAML_SCALAR_NODE && !is_null(n) &&
        sd__parse_ulong((const char *)n->data.scalar.value, n->data.scalar.length, max, &u)) {
        *out = (int)u;
        return SD_OK;
    }
    return failf(c, SD_E_INVALID, pos_of(n), var, "%s must be a whole number from 0 to %lu, not %s",
                 what, max, describe(n, d, sizeof d));
}

static sd_status want_bool(pctx *c, const yaml_node_t *n, const char *what, const char *var,
                           bool *out)
{
    static const char *const words[] = {"true", "yes", "false", "no", NULL};
    char d[64];
    int w = -1;
    if (n->type == YAML_SCALAR_NODE && !is_null(n) &&
        strlen((const char *)n->data.scalar.value) == n->data.scalar.length)
        w = word_index(words, (const char *)n->data.scalar.value);
    if (w < 0)
        return failf(c, SD_E_INVALID, pos_of(n), var, "%s must be true or false, not %s", what,
                     describe(n, d, sizeof d));
    *out = w < 2;
    return SD_OK;
}

/* One of a list of words (case-insensitive); `choices` reads "a, b or c". */
static sd_status want_word(pctx *c, const yaml_node_t *n, const char *what,
                           const char *const *words, const char *choices, const char *var, int *out)
{
    char d[64];
    int w = -1;
    if (n->type == YAML_SCALAR_NODE && !is_null(n) &&
        strlen((const char *)n->data.scalar.value) == n->data.scalar.length)
        w = word_index(words, (const char *)n->data.scalar.value);
    if (w < 0)
        return failf(c, SD_E_INVALID, pos_of(n), var, "%s must be %s, not %s", what, choices,
                     describe(n, d, sizeof d));
    *out = w;
    return SD_OK;
}

static sd_status want_kind(pctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *expected,
                           const char *var)
{
    char d[64];
    if (n->type == t)
        return SD_OK;
    return failf(c, SD_E_PARSE, pos_of(n), var, "expected %s, not %s", expected,
                 describe(n, d, sizeof d));
}

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static size_t map_len(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static sd_status check_count(pctx *c, const yaml_node_t *n, size_t count, const char *what,
                             const char *var)
{
    if (count > CB_MAX_ITEMS)
        return failf(c, SD_E_TOO_LARGE, pos_of(n), var, "more than %zu entries in %s", CB_MAX_ITEMS,
                     what);
    return SD_OK;
}

/* The value of key "name" in a mapping when it is a usable text, else NULL
 * (used to name an entry in messages before its keys are checked). */
static const char *peek_name(pctx *c, const yaml_node_t *map)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        if (k && v && scalar_is(k, "name") && v->type == YAML_SCALAR_NODE && !is_null(v) &&
            v->data.scalar.length <= 64 &&
            strlen((char *)v->data.scalar.value) == v->data.scalar.length &&
            sd__utf8_valid_prefix((char *)v->data.scalar.value, v->data.scalar.length) ==
                v->data.scalar.length)
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

#define MAX_KEYS 16

/* Check a mapping's keys against a NULL-terminated list (unknown and
 * repeated keys are errors) and fill vals[i] with the value of keys[i], or
 * NULL when absent or empty (an empty value is the same as no key), and
 * kpos[i] with the key's position. `ctx` reads "in variable 'role'". */
static sd_status read_keys(pctx *c, const yaml_node_t *map, const char *const *keys,
                           const char *ctx, const char *var, yaml_node_t **vals, cb_pos *kpos)
{
    size_t nkeys = 0;
    while (keys[nkeys])
        nkeys++;
    bool seen[MAX_KEYS] = {false};
    for (size_t i = 0; i < nkeys; i++)
        vals[i] = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        const char *name;
        char d[64];
        sd_status st = get_node(c, p->key, &k);
        if (st != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return failf(c, SD_E_PARSE, pos_of(k), var, "expected a key %s, not %s", ctx,
                         describe(k, d, sizeof d));
        if ((st = scalar_text(c, k, var, &name)) != SD_OK)
            return st;
        size_t i = 0;
        while (i < nkeys && strcmp(keys[i], name) != 0)
            i++;
        if (i == nkeys) {
            char list[256] = "";
            size_t used = 0;
            for (size_t j = 0; j < nkeys; j++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                         keys[j]);
            return failf(c, SD_E_PARSE, pos_of(k), var,
                         "unknown key '%.64s' %s; expected one of: %s", name, ctx, list);
        }
        if (seen[i])
            return failf(c, SD_E_PARSE, pos_of(k), var, "duplicate key '%s' %s", name, ctx);
        seen[i] = true;
        kpos[i] = pos_of(k);
        if ((st = get_node(c, p->value, &v)) != SD_OK)
            return st;
        vals[i] = is_null(v) ? NULL : v;
    }
    return SD_OK;
}

/* ---- labels */

/* A label: a text (untagged) or a mapping language -> text, where the
 * language is 2 to 8 ASCII letters (kept in lowercase) or _ (untagged). */
static sd_status read_labels(pctx *c, const yaml_node_t *n, const char *what, const char *var,
                             sd_labels *out)
{
    char d[64];
    const char *text;
    sd_status st;
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        if ((st = scalar_text(c, n, var, &text)) != SD_OK)
            return st;
        if (!sd__labels_set(out, NULL, text))
            return nomem(c);
        return SD_OK;
    }
    if (n->type != YAML_MAPPING_NODE)
        return failf(c, SD_E_PARSE, pos_of(n), var,
                     "expected a text or a mapping of languages to texts for %s, not %s", what,
                     describe(n, d, sizeof d));
    if (map_len(n) > CB_MAX_LANGS)
        return failf(c, SD_E_TOO_LARGE, pos_of(n), var, "%s has more than %d languages", what,
                     CB_MAX_LANGS);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        const char *tag;
        if ((st = get_node(c, p->key, &k)) != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return failf(c, SD_E_PARSE, pos_of(k), var, "expected a language for %s, not %s", what,
                         describe(k, d, sizeof d));
        if ((st = scalar_text(c, k, var, &tag)) != SD_OK)
            return st;
        char lang[9];
        size_t len = strlen(tag);
        bool ok = strcmp(tag, "_") == 0;
        if (!ok && len >= 2 && len <= 8) {
            ok = true;
            for (size_t i = 0; i < len; i++) {
                ok &= is_alpha((unsigned char)tag[i]);
                lang[i] = lower(tag[i]);
            }
            lang[len] = '\0';
        }
        if (!ok)
            return failf(c, SD_E_INVALID, pos_of(k), var,
                         "'%.64s' is not a language tag (in %s); expected 2 to 8 letters such as "
                         "fr or en, or _ for the untagged text",
                         tag, what);
        const char *lg = strcmp(tag, "_") == 0 ? NULL : lang;
        if (sd__labels_get_exact(out, lg))
            return failf(c, SD_E_PARSE, pos_of(k), var, "duplicate language '%s' in %s", tag, what);
        if ((st = get_node(c, p->value, &v)) != SD_OK)
            return st;
        if (v->type != YAML_SCALAR_NODE || is_null(v))
            return failf(c, SD_E_PARSE, pos_of(v), var, "expected a text for %s in '%s', not %s",
                         what, tag, describe(v, d, sizeof d));
        if ((st = scalar_text(c, v, var, &text)) != SD_OK)
            return st;
        if (!sd__labels_set(out, lg, text))
            return nomem(c);
    }
    return SD_OK;
}

/* ---- lists of scalars */

/* A list of texts (raw), or — when `scalar_ok` — one text standing for a
 * list of one. Empty items are kept as "" (raw text). */
static sd_status read_text_list(pctx *c, const yaml_node_t *n, const char *expected, bool scalar_ok,
                                const char *var, cb_list *out)
{
    char d[64];
    sd_status st;
    out->pos = pos_of(n);
    if (scalar_ok && n->type == YAML_SCALAR_NODE) {
        if (!(out->v = sd__calloc(1, sizeof *out->v)))
            return nomem(c);
        const char *s;
        if ((st = scalar_text(c, n, var, &s)) != SD_OK)
            return st;
        if (!(out->v[0].text = sd__strdup(s)))
            return nomem(c);
        out->v[0].pos = pos_of(n);
        out->n = 1;
        return SD_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return failf(c, SD_E_PARSE, pos_of(n), var, "expected %s, not %s", expected,
                     describe(n, d, sizeof d));
    size_t count = seq_len(n);
    if ((st = check_count(c, n, count, expected, var)) != SD_OK)
        return st;
    if (count && !(out->v = sd__calloc(count, sizeof *out->v)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        const char *s;
        if ((st = get_node(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        if (it->type != YAML_SCALAR_NODE)
            return failf(c, SD_E_PARSE, pos_of(it), var, "expected %s, but item %zu is %s",
                         expected, i + 1, describe(it, d, sizeof d));
        if ((st = scalar_text(c, it, var, &s)) != SD_OK)
            return st;
        if (!(out->v[i].text = sd__strdup(s)))
            return nomem(c);
        out->v[i].pos = pos_of(it);
        out->n++;
    }
    return SD_OK;
}

/* Every item a valid name (`what`: "variable", used in messages) and, when
 * `in` is given ("set 's'"), no name twice. */
static sd_status check_names(pctx *c, const cb_list *l, const char *what, const char *in,
                             const char *var)
{
    for (size_t i = 0; i < l->n; i++)
        if (!sd__valid_name(l->v[i].text))
            return failf(c, SD_E_INVALID, l->v[i].pos, var,
                         "'%.64s' is not a valid %s name (a letter or _ then letters, digits, _ "
                         "or ., at most 64 bytes)",
                         l->v[i].text, what);
    if (l->n < 2 || !in)
        return SD_OK;
    cb_ref *r = sd__calloc(l->n, sizeof *r);
    if (!r)
        return nomem(c);
    for (size_t i = 0; i < l->n; i++)
        r[i] = (cb_ref){l->v[i].text, i};
    size_t a, b;
    sd_status st = SD_OK;
    if (find_dup(r, l->n, &a, &b))
        st = failf(c, SD_E_INVALID, l->v[b].pos, var, "%s '%s' is listed twice in %s", what,
                   l->v[b].text, in);
    sd__free(r);
    return st;
}

static sd_status check_name(pctx *c, const cb_item *it, const char *what, const char *var)
{
    if (sd__valid_name(it->text))
        return SD_OK;
    return failf(c, SD_E_INVALID, it->pos, var,
                 "'%.64s' is not a valid %s name (a letter or _ then letters, digits, _ or ., "
                 "at most 64 bytes)",
                 it->text, what);
}

static sd_status read_numbers(pctx *c, const yaml_node_t *n, const char *what, const char *expected,
                              const char *var, double **out, size_t *nout)
{
    char d[64];
    sd_status st;
    if (n->type != YAML_SEQUENCE_NODE)
        return failf(c, SD_E_PARSE, pos_of(n), var, "expected %s, not %s", expected,
                     describe(n, d, sizeof d));
    size_t count = seq_len(n);
    if ((st = check_count(c, n, count, what, var)) != SD_OK)
        return st;
    if (count && !(*out = sd__calloc(count, sizeof **out)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = get_node(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        if ((st = want_number(c, it, what, var, &(*out)[i])) != SD_OK)
            return st;
        (*nout)++;
    }
    return SD_OK;
}

/* ---- variables */

enum {
    VK_NAME,
    VK_TYPE,
    VK_MEASURE,
    VK_LABEL,
    VK_NOTE,
    VK_VALUES,
    VK_MISSING,
    VK_RANGE,
    VK_NETS,
    VK_WIDTH,
    VK_DECIMALS
};
static const char *const var_keys[] = {"name", "type",   "measure",  "label",
                                       "note", "values", "missing",  "missing_range",
                                       "nets", "width",  "decimals", NULL};

enum { NK_NAME, NK_CODES, NK_LABEL };
static const char *const net_keys[] = {"name", "codes", "label", NULL};

static sd_status read_values(pctx *c, const yaml_node_t *n, cb_var *v)
{
    const char *var = v->name.text;
    sd_status st =
        want_kind(c, n, YAML_MAPPING_NODE, "a mapping of codes to labels for values", var);
    if (st != SD_OK)
        return st;
    size_t count = map_len(n);
    if ((st = check_count(c, n, count, "values", var)) != SD_OK)
        return st;
    if (!count)
        return SD_OK;
    if (!(v->values = sd__calloc(count, sizeof *v->values)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *k, *val;
        const char *key;
        char d[64], what[96];
        if ((st = get_node(c, p->key, &k)) != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return failf(c, SD_E_PARSE, pos_of(k), var, "expected a code in values, not %s",
                         describe(k, d, sizeof d));
        if ((st = scalar_text(c, k, var, &key)) != SD_OK)
            return st;
        cb_value *cv = &v->values[v->nvalues++];
        if (!(cv->key.text = sd__strdup(key)))
            return nomem(c);
        cv->key.pos = pos_of(k);
        if ((st = get_node(c, p->value, &val)) != SD_OK)
            return st;
        snprintf(what, sizeof what, "the label of value '%.40s'", key);
        if (is_null(val))
            return failf(c, SD_E_PARSE, pos_of(val), var,
                         "expected a label for value '%.40s', not an empty value", key);
        if ((st = read_labels(c, val, what, var, &cv->labels)) != SD_OK)
            return st;
    }
    cb_ref *r = sd__calloc(v->nvalues, sizeof *r);
    if (!r)
        return nomem(c);
    for (size_t i = 0; i < v->nvalues; i++)
        r[i] = (cb_ref){v->values[i].key.text, i};
    size_t a, b;
    if (find_dup(r, v->nvalues, &a, &b))
        st = failf(c, SD_E_PARSE, v->values[b].key.pos, var,
                   "duplicate key '%.40s' in values of variable '%s'", v->values[b].key.text, var);
    sd__free(r);
    return st;
}

static sd_status read_range(pctx *c, const yaml_node_t *n, cb_var *v)
{
    const char *var = v->name.text;
    char d[64];
    v->range_pos = pos_of(n);
    if (n->type != YAML_SEQUENCE_NODE || seq_len(n) != 2)
        return failf(
            c, SD_E_PARSE, pos_of(n), var, "expected a list [lo, hi] for missing_range, not %s",
            n->type == YAML_SEQUENCE_NODE ? "a list of another length" : describe(n, d, sizeof d));
    yaml_node_t *lo, *hi;
    sd_status st;
    if ((st = get_node(c, n->data.sequence.items.start[0], &lo)) != SD_OK ||
        (st = get_node(c, n->data.sequence.items.start[1], &hi)) != SD_OK)
        return st;
    if (scalar_is(lo, "lowest"))
        v->lo = -HUGE_VAL;
    else if (!scalar_number(lo, &v->lo)) {
        return failf(c, SD_E_INVALID, pos_of(lo), var,
                     "the low end of missing_range must be a number or lowest, not %s",
                     describe(lo, d, sizeof d));
    }
    if (scalar_is(hi, "highest"))
        v->hi = HUGE_VAL;
    else if (!scalar_number(hi, &v->hi)) {
        return failf(c, SD_E_INVALID, pos_of(hi), var,
                     "the high end of missing_range must be a number or highest, not %s",
                     describe(hi, d, sizeof d));
    }
    if (v->lo > v->hi)
        return failf(c, SD_E_INVALID, pos_of(n), var,
                     "missing_range must be [lo, hi] with lo <= hi");
    v->has_range = true;
    return SD_OK;
}

static sd_status read_net(pctx *c, const yaml_node_t *n, size_t idx, cb_var *v, cb_net *net)
{
    const char *var = v->name.text;
    char d[64], ctx[160];
    if (n->type != YAML_MAPPING_NODE)
        return failf(c, SD_E_PARSE, pos_of(n), var,
                     "expected a mapping for net #%zu of variable '%s', not %s", idx + 1, var,
                     describe(n, d, sizeof d));
    const char *nm = peek_name(c, n);
    if (nm)
        snprintf(ctx, sizeof ctx, "in net '%s' of variable '%s'", nm, var);
    else
        snprintf(ctx, sizeof ctx, "in net #%zu of variable '%s'", idx + 1, var);
    yaml_node_t *vals[MAX_KEYS];
    cb_pos kpos[MAX_KEYS];
    sd_status st = read_keys(c, n, net_keys, ctx, var, vals, kpos);
    if (st != SD_OK)
        return st;
    if (!vals[NK_NAME])
        return failf(c, SD_E_INVALID, pos_of(n), var, "missing key 'name' %s", ctx);
    if ((st = want_item(c, vals[NK_NAME], "name", var, &net->name)) != SD_OK ||
        (st = check_name(c, &net->name, "net", var)) != SD_OK)
        return st;
    if (!vals[NK_CODES])
        return failf(c, SD_E_INVALID, pos_of(n), var, "missing key 'codes' %s", ctx);
    if ((st = read_numbers(c, vals[NK_CODES], "codes", "a list of codes for codes", var,
                           &net->codes, &net->ncodes)) != SD_OK)
        return st;
    if (net->ncodes == 0)
        return failf(c, SD_E_INVALID, pos_of(vals[NK_CODES]), var,
                     "codes must list at least one code %s", ctx);
    if (vals[NK_LABEL] && (st = read_labels(c, vals[NK_LABEL], "label", var, &net->label)) != SD_OK)
        return st;
    return SD_OK;
}

static sd_status read_nets(pctx *c, const yaml_node_t *n, cb_var *v)
{
    const char *var = v->name.text;
    sd_status st = want_kind(c, n, YAML_SEQUENCE_NODE, "a list of nets", var);
    if (st != SD_OK)
        return st;
    v->nets_pos = pos_of(n);
    size_t count = seq_len(n);
    if ((st = check_count(c, n, count, "nets", var)) != SD_OK)
        return st;
    if (!count)
        return SD_OK;
    if (!(v->nets = sd__calloc(count, sizeof *v->nets)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = get_node(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        cb_net *net = &v->nets[v->nnets++];
        if ((st = read_net(c, it, i, v, net)) != SD_OK)
            return st;
    }
    cb_ref *r = sd__calloc(v->nnets, sizeof *r);
    if (!r)
        return nomem(c);
    for (size_t i = 0; i < v->nnets; i++)
        r[i] = (cb_ref){v->nets[i].name.text, i};
    size_t a, b;
    if (find_dup(r, v->nnets, &a, &b))
        st = failf(c, SD_E_INVALID, v->nets[b].name.pos, var,
                   "net '%s' of variable '%s' is described twice (first at line %ld)",
                   v->nets[b].name.text, var, v->nets[a].name.pos.line);
    sd__free(r);
    return st;
}

/* The opening every named entry (a variable, a set) shares: a mapping,
 * its keys read against `keys` (name first, at index 0), a name present
 * and valid. `ctx` receives "in <what> '<name>'" (or "#<n>") for messages;
 * `var` says whether key errors name the entry as a variable. */
static sd_status read_named(pctx *c, const yaml_node_t *n, size_t idx, const char *what,
                            const char *const *keys, bool var, char *ctx, size_t ctxlen,
                            yaml_node_t **vals, cb_pos *kpos, cb_item *name)
{
    char d[64];
    if (n->type != YAML_MAPPING_NODE)
        return failf(c, SD_E_PARSE, pos_of(n), NULL, "expected a mapping for %s #%zu, not %s",
                     what, idx + 1, describe(n, d, sizeof d));
    const char *nm = peek_name(c, n);
    if (nm)
        snprintf(ctx, ctxlen, "in %s '%s'", what, nm);
    else
        snprintf(ctx, ctxlen, "in %s #%zu", what, idx + 1);
    sd_status st = read_keys(c, n, keys, ctx, var ? nm : NULL, vals, kpos);
    if (st != SD_OK)
        return st;
    if (!vals[0])
        return failf(c, SD_E_INVALID, pos_of(n), NULL, "missing key 'name' %s", ctx);
    if ((st = want_item(c, vals[0], "name", NULL, name)) != SD_OK ||
        (st = check_name(c, name, what, NULL)) != SD_OK)
        return st;
    return SD_OK;
}

static sd_status read_var(pctx *c, const yaml_node_t *n, size_t idx, cb_var *v)
{
    char ctx[96];
    v->pos = pos_of(n);
    yaml_node_t *vals[MAX_KEYS];
    cb_pos kpos[MAX_KEYS];
    sd_status st = read_named(c, n, idx, "variable", var_keys, true, ctx, sizeof ctx, vals, kpos,
                              &v->name);
    if (st != SD_OK)
        return st;
    const char *var = v->name.text;
    int w;
    if (vals[VK_TYPE]) {
        static const char *const types[] = {"numeric", "string", NULL};
        if ((st = want_word(c, vals[VK_TYPE], "type", types, "numeric or string", var, &w)) !=
            SD_OK)
            return st;
        v->has_type = true;
        v->type = w == 0 ? SD_TYPE_NUMERIC : SD_TYPE_STRING;
        v->type_pos = pos_of(vals[VK_TYPE]);
    }
    if (vals[VK_MEASURE]) {
        static const char *const measures[] = {"nominal", "ordinal", "scale", NULL};
        if ((st = want_word(c, vals[VK_MEASURE], "measure", measures, "nominal, ordinal or scale",
                            var, &w)) != SD_OK)
            return st;
        v->has_measure = true;
        v->measure = w == 0 ? SD_MEASURE_NOMINAL : w == 1 ? SD_MEASURE_ORDINAL : SD_MEASURE_SCALE;
        v->measure_pos = pos_of(vals[VK_MEASURE]);
    }
    if (vals[VK_LABEL] && (st = read_labels(c, vals[VK_LABEL], "label", var, &v->label)) != SD_OK)
        return st;
    if (vals[VK_NOTE] && (st = read_labels(c, vals[VK_NOTE], "note", var, &v->note)) != SD_OK)
        return st;
    if (vals[VK_VALUES] && (st = read_values(c, vals[VK_VALUES], v)) != SD_OK)
        return st;
    if (vals[VK_MISSING]) {
        if ((st = read_text_list(c, vals[VK_MISSING], "a list of values for missing", true, var,
                                 &v->missing)) != SD_OK)
            return st;
        v->has_missing = true;
    }
    if (vals[VK_RANGE] && (st = read_range(c, vals[VK_RANGE], v)) != SD_OK)
        return st;
    if (vals[VK_NETS] && (st = read_nets(c, vals[VK_NETS], v)) != SD_OK)
        return st;
    if (vals[VK_WIDTH]) {
        if ((st = want_uint(c, vals[VK_WIDTH], "width", CB_MAX_WIDTH, var, &v->width)) != SD_OK)
            return st;
        v->has_width = true;
    }
    if (vals[VK_DECIMALS]) {
        if ((st = want_uint(c, vals[VK_DECIMALS], "decimals", CB_MAX_DECIMALS, var,
                            &v->decimals)) != SD_OK)
            return st;
        v->has_decimals = true;
    }
    return SD_OK;
}

static sd_status read_vars(pctx *c, const yaml_node_t *n, sd_codebook *cb)
{
    sd_status st = want_kind(c, n, YAML_SEQUENCE_NODE, "a list of variables", NULL);
    if (st != SD_OK)
        return st;
    size_t count = seq_len(n);
    if (count > SD_MAX_VARS)
        return failf(c, SD_E_TOO_LARGE, pos_of(n), NULL, "more than %zu variables", SD_MAX_VARS);
    if (!count)
        return SD_OK;
    if (!(cb->vars = sd__calloc(count, sizeof *cb->vars)) ||
        !(cb->order = sd__calloc(count, sizeof *cb->order)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = get_node(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        cb_var *v = &cb->vars[cb->nvars++];
        if ((st = read_var(c, it, i, v)) != SD_OK)
            return st;
    }
    for (size_t i = 0; i < cb->nvars; i++)
        cb->order[i] = (cb_ref){cb->vars[i].name.text, i};
    size_t a, b;
    if (find_dup(cb->order, cb->nvars, &a, &b)) {
        const cb_item *nm = &cb->vars[b].name;
        return failf(c, SD_E_INVALID, nm->pos, nm->text,
                     "variable '%s' is described twice (first at line %ld)", nm->text,
                     cb->vars[a].name.pos.line);
    }
    return SD_OK;
}

/* ---- multiple-response sets */

enum { SK_NAME, SK_KIND, SK_COUNTED, SK_LABEL, SK_NOTE, SK_VARIABLES };
static const char *const set_keys[] = {"name", "kind",      "counted", "label",
                                       "note", "variables", NULL};

static sd_status read_set(pctx *c, const yaml_node_t *n, size_t idx, cb_set *s)
{
    char ctx[96], in[96];
    s->pos = pos_of(n);
    yaml_node_t *vals[MAX_KEYS];
    cb_pos kpos[MAX_KEYS];
    sd_status st = read_named(c, n, idx, "set", set_keys, false, ctx, sizeof ctx, vals, kpos,
                              &s->name);
    if (st != SD_OK)
        return st;
    snprintf(ctx, sizeof ctx, "in set '%s'", s->name.text);
    if (!vals[SK_KIND])
        return failf(c, SD_E_INVALID, pos_of(n), NULL, "missing key 'kind' %s", ctx);
    static const char *const kinds[] = {"dichotomy", "category", NULL};
    int w;
    if ((st = want_word(c, vals[SK_KIND], "kind", kinds, "dichotomy or category", NULL, &w)) !=
        SD_OK)
        return st;
    s->kind = w == 0 ? SD_MRSET_DICHOTOMY : SD_MRSET_CATEGORY;
    s->counted = 1;
    if (vals[SK_COUNTED]) {
        if (s->kind != SD_MRSET_DICHOTOMY)
            return failf(c, SD_E_INVALID, kpos[SK_COUNTED], NULL,
                         "counted applies only to dichotomy sets, and set '%s' is a category set",
                         s->name.text);
        if ((st = want_number(c, vals[SK_COUNTED], "counted", NULL, &s->counted)) != SD_OK)
            return st;
        s->has_counted = true;
    }
    if (vals[SK_LABEL] && (st = read_labels(c, vals[SK_LABEL], "label", NULL, &s->label)) != SD_OK)
        return st;
    if (vals[SK_NOTE] && (st = read_labels(c, vals[SK_NOTE], "note", NULL, &s->note)) != SD_OK)
        return st;
    if (!vals[SK_VARIABLES])
        return failf(c, SD_E_INVALID, pos_of(n), NULL, "missing key 'variables' %s", ctx);
    if ((st = read_text_list(c, vals[SK_VARIABLES], "a list of variable names for variables", false,
                             NULL, &s->vars)) != SD_OK)
        return st;
    snprintf(in, sizeof in, "set '%s'", s->name.text);
    if ((st = check_names(c, &s->vars, "variable", in, NULL)) != SD_OK)
        return st;
    if (s->vars.n < 2)
        return failf(c, SD_E_INVALID, s->vars.pos, NULL, "set '%s' needs at least 2 variables",
                     s->name.text);
    return SD_OK;
}

static sd_status read_sets(pctx *c, const yaml_node_t *n, sd_codebook *cb)
{
    sd_status st = want_kind(c, n, YAML_SEQUENCE_NODE, "a list of sets", NULL);
    if (st != SD_OK)
        return st;
    size_t count = seq_len(n);
    if ((st = check_count(c, n, count, "mrsets", NULL)) != SD_OK)
        return st;
    if (!count)
        return SD_OK;
    if (!(cb->sets = sd__calloc(count, sizeof *cb->sets)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = get_node(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        if ((st = read_set(c, it, i, &cb->sets[cb->nsets++])) != SD_OK)
            return st;
    }
    cb_ref *r = sd__calloc(cb->nsets, sizeof *r);
    if (!r)
        return nomem(c);
    for (size_t i = 0; i < cb->nsets; i++)
        r[i] = (cb_ref){cb->sets[i].name.text, i};
    size_t a, b;
    if (find_dup(r, cb->nsets, &a, &b))
        st = failf(c, SD_E_INVALID, cb->sets[b].name.pos, NULL,
                   "set '%s' is described twice (first at line %ld)", cb->sets[b].name.text,
                   cb->sets[a].name.pos.line);
    sd__free(r);
    return st;
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
static sd_status check_regex(pctx *c, const cb_item *it)
{
    const char *re = it->text;
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1] >= '1' && p[1] <= '9')
            return failf(c, SD_E_INVALID, it->pos, NULL,
                         "repweights '%.64s' holds a back-reference (\\%c); a regular expression "
                         "for repweights cannot",
                         re, p[1]);
        if (*p == '\\' && p[1])
            p++;
    }
    if (strlen(re) > CB_MAX_REGEX || !regex_small(re))
        return failf(c, SD_E_INVALID, it->pos, NULL,
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
        return failf(c, SD_E_INVALID, it->pos, NULL,
                     "repweights '%.64s' is not a valid regular expression (POSIX extended): %s",
                     re, why);
    }
    regfree(&rx);
    return SD_OK;
}

static sd_status read_design(pctx *c, const yaml_node_t *n, cb_design *dz)
{
    sd_status st = want_kind(c, n, YAML_MAPPING_NODE, "a mapping for design", NULL);
    if (st != SD_OK)
        return st;
    dz->present = true;
    dz->pos = pos_of(n);
    yaml_node_t *vals[MAX_KEYS];
    cb_pos kpos[MAX_KEYS];
    if ((st = read_keys(c, n, design_keys, "in design", NULL, vals, kpos)) != SD_OK)
        return st;
    if (vals[DK_WEIGHT] &&
        ((st = want_item(c, vals[DK_WEIGHT], "weight", NULL, &dz->weight)) != SD_OK ||
         (st = check_name(c, &dz->weight, "variable", NULL)) != SD_OK))
        return st;
    if (vals[DK_STRATA] &&
        ((st = want_item(c, vals[DK_STRATA], "strata", NULL, &dz->strata)) != SD_OK ||
         (st = check_name(c, &dz->strata, "variable", NULL)) != SD_OK))
        return st;
    if (vals[DK_CLUSTER] &&
        ((st = read_text_list(c, vals[DK_CLUSTER], "a name or a list of names for cluster", true,
                              NULL, &dz->cluster)) != SD_OK ||
         (st = check_names(c, &dz->cluster, "variable", "cluster", NULL)) != SD_OK))
        return st;
    if (vals[DK_FPC] && ((st = read_text_list(c, vals[DK_FPC], "a name or a list of names for fpc",
                                              true, NULL, &dz->fpc)) != SD_OK ||
                         (st = check_names(c, &dz->fpc, "variable", NULL, NULL)) != SD_OK))
        return st;
    if (dz->cluster.n && dz->fpc.n && dz->fpc.n != dz->cluster.n)
        return failf(c, SD_E_INVALID, dz->fpc.pos, NULL,
                     "fpc names %zu stages but cluster names %zu; give one fpc per stage",
                     dz->fpc.n, dz->cluster.n);
    if (!dz->cluster.n && dz->fpc.n > 1)
        return failf(c, SD_E_INVALID, dz->fpc.pos, NULL,
                     "fpc names %zu stages but there is no cluster; give one fpc", dz->fpc.n);
    if (vals[DK_NEST] && (st = want_bool(c, vals[DK_NEST], "nest", NULL, &dz->nest)) != SD_OK)
        return st;
    int w;
    if (vals[DK_LONELY]) {
        static const char *const lonely[] = {"fail",      "remove",  "adjust",
                                             "certainty", "average", NULL};
        if ((st = want_word(c, vals[DK_LONELY], "lonely_psu", lonely,
                            "fail, remove, adjust, certainty or average", NULL, &w)) != SD_OK)
            return st;
        if (!(dz->lonely_psu = sd__strdup(lonely[w])))
            return nomem(c);
    }
    if (vals[DK_REPWEIGHTS]) {
        yaml_node_t *r = vals[DK_REPWEIGHTS];
        if ((st = read_text_list(c, r, "a list of names or a regular expression for repweights",
                                 true, NULL, &dz->repweights)) != SD_OK)
            return st;
        if (r->type == YAML_SCALAR_NODE) {
            dz->repweights_regex = true;
            if ((st = check_regex(c, &dz->repweights.v[0])) != SD_OK)
                return st;
        } else {
            if ((st = check_names(c, &dz->repweights, "variable", "repweights", NULL)) != SD_OK)
                return st;
            if (dz->repweights.n < 2)
                return failf(c, SD_E_INVALID, pos_of(r), NULL,
                             "repweights must name at least 2 variables (or be one string "
                             "holding a regular expression)");
        }
    }
    if (vals[DK_REPTYPE]) {
        static const char *const types[] = {"jk1", "jkn", "brr", "fay", "bootstrap", "sdr", NULL};
        if ((st = want_word(c, vals[DK_REPTYPE], "reptype", types,
                            "jk1, jkn, brr, fay, bootstrap or sdr", NULL, &w)) != SD_OK)
            return st;
        if (!dz->repweights.n)
            return failf(c, SD_E_INVALID, kpos[DK_REPTYPE], NULL, "reptype needs repweights");
        if (!(dz->reptype = sd__strdup(types[w])))
            return nomem(c);
    }
    if (vals[DK_RHO]) {
        if ((st = want_number(c, vals[DK_RHO], "rho", NULL, &dz->rho)) != SD_OK)
            return st;
        if (dz->rho < 0 || dz->rho >= 1)
            return failf(c, SD_E_INVALID, pos_of(vals[DK_RHO]), NULL,
                         "rho must be at least 0 and less than 1");
        dz->has_rho = true;
    }
    if (vals[DK_SCALE]) {
        if ((st = want_number(c, vals[DK_SCALE], "scale", NULL, &dz->scale)) != SD_OK)
            return st;
        if (!(dz->scale > 0))
            return failf(c, SD_E_INVALID, pos_of(vals[DK_SCALE]), NULL,
                         "scale must be more than 0");
        dz->has_scale = true;
    }
    if (vals[DK_RSCALES]) {
        if ((st = read_numbers(c, vals[DK_RSCALES], "rscales", "a list of numbers for rscales",
                               NULL, &dz->rscales, &dz->nrscales)) != SD_OK)
            return st;
        if (!dz->repweights_regex && dz->repweights.n && dz->nrscales != dz->repweights.n)
            return failf(c, SD_E_INVALID, pos_of(vals[DK_RSCALES]), NULL,
                         "rscales gives %zu numbers but repweights names %zu variables",
                         dz->nrscales, dz->repweights.n);
    }
    if (vals[DK_MSE] && (st = want_bool(c, vals[DK_MSE], "mse", NULL, &dz->mse)) != SD_OK)
        return st;
    return SD_OK;
}

/* ---- the document */

enum { TK_VERSION, TK_TITLE, TK_VARIABLES, TK_MRSETS, TK_DESIGN };
static const char *const top_keys[] = {"sondage_codebook", "title",  "variables",
                                       "mrsets",           "design", NULL};

static sd_status read_root(pctx *c, const yaml_node_t *root, sd_codebook *cb)
{
    char d[64];
    if (is_null(root))
        return SD_OK; /* an empty document: nothing to apply */
    if (root->type != YAML_MAPPING_NODE)
        return failf(c, SD_E_PARSE, pos_of(root), NULL,
                     "expected a mapping at the top level (sondage_codebook, title, variables, "
                     "mrsets, design), not %s",
                     describe(root, d, sizeof d));
    yaml_node_t *vals[MAX_KEYS];
    cb_pos kpos[MAX_KEYS];
    sd_status st = read_keys(c, root, top_keys, "at the top level", NULL, vals, kpos);
    if (st != SD_OK)
        return st;
    if (vals[TK_VERSION]) {
        yaml_node_t *v = vals[TK_VERSION];
        if (!scalar_is(v, "1"))
            return failf(c, SD_E_INVALID, pos_of(v), NULL,
                         "sondage_codebook must be 1 (the only format version), not %s",
                         describe(v, d, sizeof d));
    }
    if (vals[TK_TITLE] && (st = read_labels(c, vals[TK_TITLE], "title", NULL, &cb->title)) != SD_OK)
        return st;
    if (vals[TK_VARIABLES] && (st = read_vars(c, vals[TK_VARIABLES], cb)) != SD_OK)
        return st;
    if (vals[TK_MRSETS] && (st = read_sets(c, vals[TK_MRSETS], cb)) != SD_OK)
        return st;
    if (vals[TK_DESIGN] && (st = read_design(c, vals[TK_DESIGN], &cb->design)) != SD_OK)
        return st;
    return SD_OK;
}

/* Line and column (1-based, counted in characters as libyaml does) of a
 * byte offset. */
static cb_pos pos_at(const char *s, size_t len, size_t off)
{
    cb_pos p = {1, 1};
    for (size_t i = 0; i < off && i < len; i++) {
        if (s[i] == '\n') {
            p.line++;
            p.col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            p.col++;
        }
    }
    return p;
}

static sd_status yaml_fail(pctx *c, const yaml_parser_t *ps, const char *yaml, size_t len)
{
    if (ps->error == YAML_MEMORY_ERROR)
        return nomem(c);
    cb_pos p;
    if (ps->error == YAML_READER_ERROR)
        p = pos_at(yaml, len, ps->problem_offset);
    else
        p = (cb_pos){(long)ps->problem_mark.line + 1, (long)ps->problem_mark.column + 1};
    const char *problem = ps->problem ? ps->problem : "unknown problem";
    if (ps->context)
        return failf(c, SD_E_PARSE, p, NULL, "invalid YAML: %s (%s at line %ld, column %ld)",
                     problem, ps->context, (long)ps->context_mark.line + 1,
                     (long)ps->context_mark.column + 1);
    return failf(c, SD_E_PARSE, p, NULL, "invalid YAML: %s", problem);
}

/* ---- loading: libyaml events into a yaml_document_t
 *
 * yaml_parser_load would do this, but libyaml 0.2.5 spends time proportional
 * to the flow nesting depth on every token, so "[[[[…" a few hundred KiB
 * long takes minutes. A codebook needs 6 levels; loading from events lets us
 * stop at CB_MAX_DEPTH before that cost grows. Anchors are kept sorted by
 * name (at most CB_MAX_ANCHORS) so that aliases are found in log time. */

#define CB_MAX_DEPTH 32
#define CB_MAX_ANCHORS 10000

typedef struct anchor {
    char *name; /* owned */
    int id;
} anchor;

typedef struct loader {
    pctx *c;
    yaml_parser_t *ps;
    const char *yaml;
    size_t len;
    yaml_document_t *doc;
    struct {
        int id;  /* a sequence or mapping node */
        int key; /* a mapping's key waiting for its value, 0 when none */
    } stack[CB_MAX_DEPTH];
    size_t depth;
    anchor *anchors; /* sorted by name */
    size_t nanchors;
} loader;

static int cmp_anchor(const void *key, const void *elt)
{
    return strcmp(key, ((const anchor *)elt)->name);
}

static sd_status add_anchor(loader *L, const char *name, int id, yaml_mark_t m)
{
    cb_pos p = {(long)m.line + 1, (long)m.column + 1};
    size_t lo = 0, hi = L->nanchors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(L->anchors[mid].name, name);
        if (r == 0)
            return failf(L->c, SD_E_PARSE, p, NULL, "invalid YAML: found duplicate anchor '%.40s'",
                         name);
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (L->nanchors >= CB_MAX_ANCHORS)
        return failf(L->c, SD_E_TOO_LARGE, p, NULL, "more than %d anchors", CB_MAX_ANCHORS);
    anchor *a = sd__reallocarray(L->anchors, L->nanchors + 1, sizeof *a);
    if (!a)
        return nomem(L->c);
    L->anchors = a;
    char *copy = sd__strdup(name);
    if (!copy)
        return nomem(L->c);
    memmove(&a[lo + 1], &a[lo], (L->nanchors - lo) * sizeof *a);
    a[lo] = (anchor){copy, id};
    L->nanchors++;
    return SD_OK;
}

/* Attach node `id` to the open collection, if any (else it is the root). */
static sd_status attach(loader *L, int id)
{
    if (!L->depth)
        return SD_OK;
    int parent = L->stack[L->depth - 1].id;
    yaml_node_t *pn = yaml_document_get_node(L->doc, parent);
    int ok;
    if (pn->type == YAML_SEQUENCE_NODE) {
        ok = yaml_document_append_sequence_item(L->doc, parent, id);
    } else if (!L->stack[L->depth - 1].key) {
        L->stack[L->depth - 1].key = id;
        return SD_OK;
    } else {
        ok = yaml_document_append_mapping_pair(L->doc, parent, L->stack[L->depth - 1].key, id);
        L->stack[L->depth - 1].key = 0;
    }
    return ok ? SD_OK : nomem(L->c);
}

/* A node made from event `ev`: set its marks, register its anchor, attach. */
static sd_status added(loader *L, int id, const yaml_event_t *ev, const yaml_char_t *anchor_name)
{
    if (!id)
        return nomem(L->c);
    yaml_node_t *n = yaml_document_get_node(L->doc, id);
    n->start_mark = ev->start_mark;
    n->end_mark = ev->end_mark;
    sd_status st;
    if (anchor_name && (st = add_anchor(L, (const char *)anchor_name, id, ev->start_mark)) != SD_OK)
        return st;
    return attach(L, id);
}

static sd_status open_collection(loader *L, int id, const yaml_event_t *ev,
                                 const yaml_char_t *anchor_name)
{
    if (L->depth >= CB_MAX_DEPTH)
        return failf(L->c, SD_E_TOO_LARGE,
                     (cb_pos){(long)ev->start_mark.line + 1, (long)ev->start_mark.column + 1}, NULL,
                     "the codebook nests lists and mappings deeper than %d levels", CB_MAX_DEPTH);
    sd_status st = added(L, id, ev, anchor_name);
    if (st != SD_OK)
        return st;
    L->stack[L->depth].id = id;
    L->stack[L->depth].key = 0;
    L->depth++;
    return SD_OK;
}

/* One event into the document; *done when the document ends. */
static sd_status load_event(loader *L, yaml_event_t *ev, bool *done)
{
    yaml_document_t *d = L->doc;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return added(L,
                     yaml_document_add_scalar(d, NULL, ev->data.scalar.value,
                                              (int)ev->data.scalar.length, ev->data.scalar.style),
                     ev, ev->data.scalar.anchor);
    case YAML_SEQUENCE_START_EVENT:
        return open_collection(L,
                               yaml_document_add_sequence(d, NULL, ev->data.sequence_start.style),
                               ev, ev->data.sequence_start.anchor);
    case YAML_MAPPING_START_EVENT:
        return open_collection(L, yaml_document_add_mapping(d, NULL, ev->data.mapping_start.style),
                               ev, ev->data.mapping_start.anchor);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (L->depth)
            L->depth--;
        return SD_OK;
    case YAML_ALIAS_EVENT: {
        const anchor *a = L->nanchors ? bsearch(ev->data.alias.anchor, L->anchors, L->nanchors,
                                                sizeof *a, cmp_anchor)
                                      : NULL;
        if (!a)
            return failf(L->c, SD_E_PARSE,
                         (cb_pos){(long)ev->start_mark.line + 1, (long)ev->start_mark.column + 1},
                         NULL, "invalid YAML: found undefined alias");
        return attach(L, a->id);
    }
    case YAML_DOCUMENT_END_EVENT:
        *done = true;
        return SD_OK;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
        return SD_OK;
    }
    return SD_OK;
}

/* Next event, or an error in libyaml's words. */
static sd_status next_event(loader *L, yaml_event_t *ev)
{
    if (!yaml_parser_parse(L->ps, ev))
        return yaml_fail(L->c, L->ps, L->yaml, L->len);
    return SD_OK;
}

/* Load the stream's first document into L->doc (*have set once it exists;
 * it has no root when the stream is empty), then check that no other
 * document follows (an empty one is tolerated). */
static sd_status load_stream(loader *L, bool *have)
{
    yaml_event_t ev;
    sd_status st;
    bool done = false, in_doc = false;
    while (!done) {
        if ((st = next_event(L, &ev)) != SD_OK)
            return st;
        yaml_event_type_t t = ev.type;
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (!yaml_document_initialize(L->doc, NULL, NULL, NULL, 1, 1)) {
                yaml_event_delete(&ev);
                return nomem(L->c);
            }
            *have = in_doc = true;
        } else if (in_doc) {
            st = load_event(L, &ev, &done);
        }
        yaml_event_delete(&ev);
        if (st != SD_OK)
            return st;
        if (t == YAML_STREAM_END_EVENT)
            return SD_OK;
    }
    for (;;) {
        if ((st = next_event(L, &ev)) != SD_OK)
            return st;
        yaml_event_type_t t = ev.type;
        cb_pos p = {(long)ev.start_mark.line + 1, (long)ev.start_mark.column + 1};
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            return SD_OK;
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT)
            return failf(L->c, SD_E_PARSE, p, NULL,
                         "a codebook is one YAML document; found a second one");
    }
}

sd_status sd__codebook_parse(const char *yaml, size_t len, const char *name, sd_codebook **out,
                             sd_error *err)
{
    *out = NULL;
    if (!yaml && len)
        return sd__fail(err, SD_E_INVALID, name, 0, 0, NULL, "no codebook text given");
    if (len > CB_MAX_INPUT)
        return sd__fail(err, SD_E_TOO_LARGE, name, 0, 0, NULL,
                        "the codebook is larger than %zu MiB", CB_MAX_INPUT >> 20);
    size_t valid = sd__utf8_valid_prefix(yaml ? yaml : "", len);
    if (valid != len) {
        cb_pos p = pos_at(yaml, len, valid);
        return sd__fail(err, SD_E_ENCODING, name, p.line, p.col, NULL,
                        "the codebook is not valid UTF-8 (byte %zu)", valid + 1);
    }
    sd_codebook *cb = sd__calloc(1, sizeof *cb);
    if (!cb || (name && !(cb->file = sd__strdup(name)))) {
        sd__free(cb);
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    }
    yaml_parser_t ps;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&ps)) {
        sd__codebook_free(cb);
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&ps, (const unsigned char *)(yaml ? yaml : ""), len);
    yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);
    pctx c = {&doc, name, err, 0};
    loader L = {.c = &c, .ps = &ps, .yaml = yaml, .len = len, .doc = &doc};
    bool have_doc = false;
    sd_status st = load_stream(&L, &have_doc);
    for (size_t i = 0; i < L.nanchors; i++)
        sd__free(L.anchors[i].name);
    sd__free(L.anchors);
    if (st == SD_OK && have_doc) {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root) {
            c.budget = (size_t)(doc.nodes.top - doc.nodes.start) + CB_MAX_EXPAND;
            st = read_root(&c, root, cb);
        }
    }
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&ps);
    if (st != SD_OK) {
        sd__codebook_free(cb);
        return st;
    }
    *out = cb;
    return SD_OK;
}

int sd__codebook_var_type(const sd_codebook *cb, const char *name, sd_type *type)
{
    if (!cb || !name)
        return 0;
    const cb_ref *r = find_ref(cb->order, cb->nvars, name);
    if (!r || !cb->vars[r->idx].has_type)
        return 0;
    if (type)
        *type = cb->vars[r->idx].type;
    return 1;
}

/* ------------------------------------------------------------ apply */

typedef struct actx {
    const sd_codebook *cb;
    sd_dataset *ds;
    sd_error *err;
    cb_ref *index; /* the dataset's variables sorted by name */
} actx;

static sd_status afail(actx *a, sd_status st, cb_pos p, const char *var, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static sd_status afail(actx *a, sd_status st, cb_pos p, const char *var, const char *fmt, ...)
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
    const cb_ref *r = find_ref(a->index, a->ds->nvars, name);
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
    if (st != SD_OK)
        goto done;

    if (cv->has_measure)
        v->measure = cv->measure;
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
    if (numeric && v->type != SD_TYPE_NUMERIC)
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

    sd_design_decl d;
    memset(&d, 0, sizeof d);
    bool ok = true;
    d.declared = true;
    if (dz->weight.text)
        ok &= (d.weight = sd__strdup(dz->weight.text)) != NULL;
    if (dz->strata.text)
        ok &= (d.strata = sd__strdup(dz->strata.text)) != NULL;
    d.cluster = dup_list(&dz->cluster, &ok);
    d.ncluster = d.cluster ? dz->cluster.n : 0;
    d.fpc = dup_list(&dz->fpc, &ok);
    d.nfpc = d.fpc ? dz->fpc.n : 0;
    d.repweights = dup_list(&dz->repweights, &ok);
    d.nrepweights = d.repweights ? dz->repweights.n : 0;
    d.nest = dz->nest;
    d.mse = dz->mse;
    if (dz->lonely_psu)
        ok &= (d.lonely_psu = sd__strdup(dz->lonely_psu)) != NULL;
    if (dz->reptype)
        ok &= (d.reptype = sd__strdup(dz->reptype)) != NULL;
    d.has_rho = dz->has_rho;
    d.rho = dz->rho;
    d.has_scale = dz->has_scale;
    d.scale = dz->scale;
    if (dz->nrscales) {
        if ((d.rscales = sd__reallocarray(NULL, dz->nrscales, sizeof *d.rscales))) {
            memcpy(d.rscales, dz->rscales, dz->nrscales * sizeof *d.rscales);
            d.nrscales = dz->nrscales;
        } else {
            ok = false;
        }
    }
    if (!ok) {
        sd__design_decl_free(&d);
        return anomem(a);
    }
    sd__design_decl_free(&a->ds->design);
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
        qsort(a.index, ds->nvars, sizeof *a.index, cmp_ref);
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
