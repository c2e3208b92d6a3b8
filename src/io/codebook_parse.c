/*
 * codebook_parse.c — the YAML codebook (docs/codebook.md, the reference)
 * parsed into private plain structs (codebook.h): variables with their
 * labels, value labels, missing values and nets; multiple-response sets;
 * the title. The design section is read by codebook_design.c, and
 * codebook_apply.c applies the whole to a dataset.
 *
 * A walk directed by the codebook's schema copies what it needs, keeping
 * each node's 1-based line and column so that apply can name the codebook
 * line of any contradiction with the data. Aliases are allowed (a shared
 * set of value labels is a natural use). What cannot be checked without the
 * data (is a value label's code a number? that depends on the variable's
 * type, which may come from the data file) is kept as raw text and checked
 * by sd__codebook_apply.
 */
#include "codebook.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ freeing */

void sd__cb_item_free(cb_item *it)
{
    sd__free(it->text);
    it->text = NULL;
}

void sd__cb_list_free(cb_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        sd__cb_item_free(&l->v[i]);
    sd__free(l->v);
    memset(l, 0, sizeof *l);
}

static void var_free(cb_var *v)
{
    sd__cb_item_free(&v->name);
    sd__labels_free(&v->label);
    sd__labels_free(&v->note);
    for (size_t i = 0; i < v->nvalues; i++) {
        sd__cb_item_free(&v->values[i].key);
        sd__labels_free(&v->values[i].labels);
    }
    sd__free(v->values);
    for (size_t i = 0; i < v->nnouns; i++) {
        sd__cb_item_free(&v->nouns[i].key);
        sd__labels_free(&v->nouns[i].labels);
    }
    sd__free(v->nouns);
    sd__cb_list_free(&v->missing);
    for (size_t i = 0; i < v->nnets; i++) {
        sd__cb_item_free(&v->nets[i].name);
        sd__free(v->nets[i].codes);
        sd__labels_free(&v->nets[i].label);
    }
    sd__free(v->nets);
}

static void set_free(cb_set *s)
{
    sd__cb_item_free(&s->name);
    sd__labels_free(&s->label);
    sd__labels_free(&s->note);
    sd__cb_list_free(&s->vars);
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
    sd__cb_design_free(&cb->design);
    sd__free(cb);
}

int sd__cb_cmp_ref(const void *a, const void *b)
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
    qsort(r, n, sizeof *r, sd__cb_cmp_ref);
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

const cb_ref *sd__cb_find_ref(const cb_ref *r, size_t n, const char *name)
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

sd_status sd__cb_want_item(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                           cb_item *out)
{
    const char *s;
    sd_status st = sd__ywant_text(c, n, what, var, &s);
    if (st != SD_OK)
        return st;
    if (!(out->text = sd__strdup(s)))
        return sd__ynomem(c);
    out->pos = sd__ypos(n);
    return SD_OK;
}

/* ---- lists of scalars */

/* A list of texts (raw), or — when `scalar_ok` — one text standing for a
 * list of one. Empty items are kept as "" (raw text). */
sd_status sd__cb_read_text_list(sd_yctx *c, const yaml_node_t *n, const char *expected, bool scalar_ok,
                                const char *var, cb_list *out)
{
    char d[64];
    sd_status st;
    out->pos = sd__ypos(n);
    if (scalar_ok && n->type == YAML_SCALAR_NODE) {
        if (!(out->v = sd__calloc(1, sizeof *out->v)))
            return sd__ynomem(c);
        const char *s;
        if ((st = sd__ytext(c, n, var, &s)) != SD_OK)
            return st;
        if (!(out->v[0].text = sd__strdup(s)))
            return sd__ynomem(c);
        out->v[0].pos = sd__ypos(n);
        out->n = 1;
        return SD_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(n), var, "expected %s, not %s", expected,
                     sd__ydescribe(n, d, sizeof d));
    size_t count = sd__yseq_len(n);
    if ((st = sd__ycheck_count(c, n, count, expected, var)) != SD_OK)
        return st;
    if (count && !(out->v = sd__calloc(count, sizeof *out->v)))
        return sd__ynomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        const char *s;
        if ((st = sd__yget(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        if (it->type != YAML_SCALAR_NODE)
            return sd__yfail(c, SD_E_PARSE, sd__ypos(it), var, "expected %s, but item %zu is %s",
                         expected, i + 1, sd__ydescribe(it, d, sizeof d));
        if ((st = sd__ytext(c, it, var, &s)) != SD_OK)
            return st;
        if (!(out->v[i].text = sd__strdup(s)))
            return sd__ynomem(c);
        out->v[i].pos = sd__ypos(it);
        out->n++;
    }
    return SD_OK;
}

/* Every item a valid name (`what`: "variable", used in messages) and, when
 * `in` is given ("set 's'"), no name twice. */
sd_status sd__cb_check_names(sd_yctx *c, const cb_list *l, const char *what, const char *in,
                             const char *var)
{
    for (size_t i = 0; i < l->n; i++)
        if (!sd__valid_name(l->v[i].text))
            return sd__yfail(c, SD_E_INVALID, l->v[i].pos, var,
                         "'%.64s' is not a valid %s name (a letter or _ then letters, digits, _ "
                         "or ., at most 64 bytes)",
                         l->v[i].text, what);
    if (l->n < 2 || !in)
        return SD_OK;
    cb_ref *r = sd__calloc(l->n, sizeof *r);
    if (!r)
        return sd__ynomem(c);
    for (size_t i = 0; i < l->n; i++)
        r[i] = (cb_ref){l->v[i].text, i};
    size_t a, b;
    sd_status st = SD_OK;
    if (find_dup(r, l->n, &a, &b))
        st = sd__yfail(c, SD_E_INVALID, l->v[b].pos, var, "%s '%s' is listed twice in %s", what,
                   l->v[b].text, in);
    sd__free(r);
    return st;
}

sd_status sd__cb_check_name(sd_yctx *c, const cb_item *it, const char *what, const char *var)
{
    if (sd__valid_name(it->text))
        return SD_OK;
    return sd__yfail(c, SD_E_INVALID, it->pos, var,
                 "'%.64s' is not a valid %s name (a letter or _ then letters, digits, _ or ., "
                 "at most 64 bytes)",
                 it->text, what);
}

sd_status sd__cb_read_numbers(sd_yctx *c, const yaml_node_t *n, const char *what, const char *expected,
                              const char *var, double **out, size_t *nout)
{
    char d[64];
    sd_status st;
    if (n->type != YAML_SEQUENCE_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(n), var, "expected %s, not %s", expected,
                     sd__ydescribe(n, d, sizeof d));
    size_t count = sd__yseq_len(n);
    if ((st = sd__ycheck_count(c, n, count, what, var)) != SD_OK)
        return st;
    if (count && !(*out = sd__calloc(count, sizeof **out)))
        return sd__ynomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = sd__yget(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        if ((st = sd__ywant_number(c, it, what, var, &(*out)[i])) != SD_OK)
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
    VK_NOUNS,
    VK_MISSING,
    VK_RANGE,
    VK_NETS,
    VK_WIDTH,
    VK_DECIMALS
};
static const char *const var_keys[] = {"name",   "type",    "measure",       "label",
                                       "note",   "values",  "nouns",         "missing",
                                       "missing_range", "nets", "width", "decimals", NULL};

enum { NK_NAME, NK_CODES, NK_LABEL };
static const char *const net_keys[] = {"name", "codes", "label", NULL};

/* A noun's forms: "singular|plural", or with a gender "singular|plural|f"
 * (or m), each form non-empty. */
static bool noun_ok(const char *s)
{
    const char *b1 = strchr(s, '|');
    if (!b1 || b1 == s)
        return false;
    const char *b2 = strchr(b1 + 1, '|');
    if (!b2)
        return b1[1] != '\0';
    return b2 > b1 + 1 && (strcmp(b2 + 1, "m") == 0 || strcmp(b2 + 1, "f") == 0);
}

/* A mapping of codes (or string values) to labels: `values`, or `nouns`
 * whose texts are a noun's forms. */
static sd_status read_code_map(sd_yctx *c, const yaml_node_t *n, cb_var *v, bool nouns)
{
    const char *var = v->name.text, *key_name = nouns ? "nouns" : "values";
    sd_status st = sd__ywant_kind(c, n, YAML_MAPPING_NODE,
                                  nouns ? "a mapping of codes to nouns for nouns"
                                        : "a mapping of codes to labels for values",
                                  var);
    if (st != SD_OK)
        return st;
    size_t count = sd__ymap_len(n);
    if ((st = sd__ycheck_count(c, n, count, key_name, var)) != SD_OK)
        return st;
    if (!count)
        return SD_OK;
    cb_value **out = nouns ? &v->nouns : &v->values;
    size_t *nout = nouns ? &v->nnouns : &v->nvalues;
    if (!(*out = sd__calloc(count, sizeof **out)))
        return sd__ynomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *k, *val;
        const char *key;
        char d[64], what[96];
        if ((st = sd__yget(c, p->key, &k)) != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var, "expected a code in %s, not %s",
                             key_name, sd__ydescribe(k, d, sizeof d));
        if ((st = sd__ytext(c, k, var, &key)) != SD_OK)
            return st;
        cb_value *cv = &(*out)[(*nout)++];
        if (!(cv->key.text = sd__strdup(key)))
            return sd__ynomem(c);
        cv->key.pos = sd__ypos(k);
        if ((st = sd__yget(c, p->value, &val)) != SD_OK)
            return st;
        snprintf(what, sizeof what, nouns ? "the noun of value '%.40s'" : "the label of value '%.40s'",
                 key);
        if (sd__yis_null(val))
            return sd__yfail(c, SD_E_PARSE, sd__ypos(val), var,
                             "expected %s for value '%.40s', not an empty value",
                             nouns ? "a noun" : "a label", key);
        if ((st = sd__yread_labels(c, val, what, var, &cv->labels)) != SD_OK)
            return st;
        for (size_t j = 0; nouns && j < cv->labels.n; j++)
            if (!noun_ok(cv->labels.v[j].text))
                return sd__yfail(c, SD_E_INVALID, sd__ypos(val), var,
                                 "expected 'singular|plural' or 'singular|plural|f' (or |m) for "
                                 "the noun of value '%.40s', not '%.60s'",
                                 key, cv->labels.v[j].text);
    }
    cb_ref *r = sd__calloc(*nout, sizeof *r);
    if (!r)
        return sd__ynomem(c);
    for (size_t i = 0; i < *nout; i++)
        r[i] = (cb_ref){(*out)[i].key.text, i};
    size_t a, b;
    if (find_dup(r, *nout, &a, &b))
        st = sd__yfail(c, SD_E_PARSE, (*out)[b].key.pos, var,
                       "duplicate key '%.40s' in %s of variable '%s'", (*out)[b].key.text,
                       key_name, var);
    sd__free(r);
    return st;
}

static sd_status read_range(sd_yctx *c, const yaml_node_t *n, cb_var *v)
{
    const char *var = v->name.text;
    char d[64];
    v->range_pos = sd__ypos(n);
    if (n->type != YAML_SEQUENCE_NODE || sd__yseq_len(n) != 2)
        return sd__yfail(
            c, SD_E_PARSE, sd__ypos(n), var, "expected a list [lo, hi] for missing_range, not %s",
            n->type == YAML_SEQUENCE_NODE ? "a list of another length" : sd__ydescribe(n, d, sizeof d));
    yaml_node_t *lo, *hi;
    sd_status st;
    if ((st = sd__yget(c, n->data.sequence.items.start[0], &lo)) != SD_OK ||
        (st = sd__yget(c, n->data.sequence.items.start[1], &hi)) != SD_OK)
        return st;
    if (sd__yis(lo, "lowest"))
        v->lo = -HUGE_VAL;
    else if (!sd__yscalar_number(lo, &v->lo)) {
        return sd__yfail(c, SD_E_INVALID, sd__ypos(lo), var,
                     "the low end of missing_range must be a number or lowest, not %s",
                     sd__ydescribe(lo, d, sizeof d));
    }
    if (sd__yis(hi, "highest"))
        v->hi = HUGE_VAL;
    else if (!sd__yscalar_number(hi, &v->hi)) {
        return sd__yfail(c, SD_E_INVALID, sd__ypos(hi), var,
                     "the high end of missing_range must be a number or highest, not %s",
                     sd__ydescribe(hi, d, sizeof d));
    }
    if (v->lo > v->hi)
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var,
                     "missing_range must be [lo, hi] with lo <= hi");
    v->has_range = true;
    return SD_OK;
}

static sd_status read_net(sd_yctx *c, const yaml_node_t *n, size_t idx, cb_var *v, cb_net *net)
{
    const char *var = v->name.text;
    char d[64], ctx[160];
    if (n->type != YAML_MAPPING_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(n), var,
                     "expected a mapping for net #%zu of variable '%s', not %s", idx + 1, var,
                     sd__ydescribe(n, d, sizeof d));
    const char *nm = sd__ypeek_name(c, n);
    if (nm)
        snprintf(ctx, sizeof ctx, "in net '%s' of variable '%s'", nm, var);
    else
        snprintf(ctx, sizeof ctx, "in net #%zu of variable '%s'", idx + 1, var);
    yaml_node_t *vals[SD_YMAX_KEYS];
    sd_ypos kpos[SD_YMAX_KEYS];
    sd_status st = sd__yread_keys(c, n, net_keys, ctx, var, vals, kpos);
    if (st != SD_OK)
        return st;
    if (!vals[NK_NAME])
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "missing key 'name' %s", ctx);
    if ((st = sd__cb_want_item(c, vals[NK_NAME], "name", var, &net->name)) != SD_OK ||
        (st = sd__cb_check_name(c, &net->name, "net", var)) != SD_OK)
        return st;
    if (!vals[NK_CODES])
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "missing key 'codes' %s", ctx);
    if ((st = sd__cb_read_numbers(c, vals[NK_CODES], "codes", "a list of codes for codes", var,
                           &net->codes, &net->ncodes)) != SD_OK)
        return st;
    if (net->ncodes == 0)
        return sd__yfail(c, SD_E_INVALID, sd__ypos(vals[NK_CODES]), var,
                     "codes must list at least one code %s", ctx);
    if (vals[NK_LABEL] && (st = sd__yread_labels(c, vals[NK_LABEL], "label", var, &net->label)) != SD_OK)
        return st;
    return SD_OK;
}

static sd_status read_nets(sd_yctx *c, const yaml_node_t *n, cb_var *v)
{
    const char *var = v->name.text;
    sd_status st = sd__ywant_kind(c, n, YAML_SEQUENCE_NODE, "a list of nets", var);
    if (st != SD_OK)
        return st;
    v->nets_pos = sd__ypos(n);
    size_t count = sd__yseq_len(n);
    if ((st = sd__ycheck_count(c, n, count, "nets", var)) != SD_OK)
        return st;
    if (!count)
        return SD_OK;
    if (!(v->nets = sd__calloc(count, sizeof *v->nets)))
        return sd__ynomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = sd__yget(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        cb_net *net = &v->nets[v->nnets++];
        if ((st = read_net(c, it, i, v, net)) != SD_OK)
            return st;
    }
    cb_ref *r = sd__calloc(v->nnets, sizeof *r);
    if (!r)
        return sd__ynomem(c);
    for (size_t i = 0; i < v->nnets; i++)
        r[i] = (cb_ref){v->nets[i].name.text, i};
    size_t a, b;
    if (find_dup(r, v->nnets, &a, &b))
        st = sd__yfail(c, SD_E_INVALID, v->nets[b].name.pos, var,
                   "net '%s' of variable '%s' is described twice (first at line %ld)",
                   v->nets[b].name.text, var, v->nets[a].name.pos.line);
    sd__free(r);
    return st;
}

/* The opening every named entry (a variable, a set) shares: a mapping,
 * its keys read against `keys` (name first, at index 0), a name present
 * and valid. `ctx` receives "in <what> '<name>'" (or "#<n>") for messages;
 * `var` says whether key errors name the entry as a variable. */
static sd_status read_named(sd_yctx *c, const yaml_node_t *n, size_t idx, const char *what,
                            const char *const *keys, bool var, char *ctx, size_t ctxlen,
                            yaml_node_t **vals, sd_ypos *kpos, cb_item *name)
{
    char d[64];
    if (n->type != YAML_MAPPING_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(n), NULL, "expected a mapping for %s #%zu, not %s",
                     what, idx + 1, sd__ydescribe(n, d, sizeof d));
    const char *nm = sd__ypeek_name(c, n);
    if (nm)
        snprintf(ctx, ctxlen, "in %s '%s'", what, nm);
    else
        snprintf(ctx, ctxlen, "in %s #%zu", what, idx + 1);
    sd_status st = sd__yread_keys(c, n, keys, ctx, var ? nm : NULL, vals, kpos);
    if (st != SD_OK)
        return st;
    if (!vals[0])
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), NULL, "missing key 'name' %s", ctx);
    if ((st = sd__cb_want_item(c, vals[0], "name", NULL, name)) != SD_OK ||
        (st = sd__cb_check_name(c, name, what, NULL)) != SD_OK)
        return st;
    return SD_OK;
}

static sd_status read_var(sd_yctx *c, const yaml_node_t *n, size_t idx, cb_var *v)
{
    char ctx[96];
    v->pos = sd__ypos(n);
    yaml_node_t *vals[SD_YMAX_KEYS];
    sd_ypos kpos[SD_YMAX_KEYS];
    sd_status st = read_named(c, n, idx, "variable", var_keys, true, ctx, sizeof ctx, vals, kpos,
                              &v->name);
    if (st != SD_OK)
        return st;
    const char *var = v->name.text;
    int w;
    if (vals[VK_TYPE]) {
        static const char *const types[] = {"numeric", "string", NULL};
        if ((st = sd__ywant_word(c, vals[VK_TYPE], "type", types, "numeric or string", var, &w)) !=
            SD_OK)
            return st;
        v->has_type = true;
        v->type = w == 0 ? SD_TYPE_NUMERIC : SD_TYPE_STRING;
        v->type_pos = sd__ypos(vals[VK_TYPE]);
    }
    if (vals[VK_MEASURE]) {
        static const char *const measures[] = {"nominal", "ordinal", "scale", NULL};
        if ((st = sd__ywant_word(c, vals[VK_MEASURE], "measure", measures, "nominal, ordinal or scale",
                            var, &w)) != SD_OK)
            return st;
        v->has_measure = true;
        v->measure = w == 0 ? SD_MEASURE_NOMINAL : w == 1 ? SD_MEASURE_ORDINAL : SD_MEASURE_SCALE;
        v->measure_pos = sd__ypos(vals[VK_MEASURE]);
    }
    if (vals[VK_LABEL] && (st = sd__yread_labels(c, vals[VK_LABEL], "label", var, &v->label)) != SD_OK)
        return st;
    if (vals[VK_NOTE] && (st = sd__yread_labels(c, vals[VK_NOTE], "note", var, &v->note)) != SD_OK)
        return st;
    if (vals[VK_VALUES] && (st = read_code_map(c, vals[VK_VALUES], v, false)) != SD_OK)
        return st;
    if (vals[VK_NOUNS] && (st = read_code_map(c, vals[VK_NOUNS], v, true)) != SD_OK)
        return st;
    if (vals[VK_MISSING]) {
        if ((st = sd__cb_read_text_list(c, vals[VK_MISSING], "a list of values for missing", true, var,
                                 &v->missing)) != SD_OK)
            return st;
        v->has_missing = true;
    }
    if (vals[VK_RANGE] && (st = read_range(c, vals[VK_RANGE], v)) != SD_OK)
        return st;
    if (vals[VK_NETS] && (st = read_nets(c, vals[VK_NETS], v)) != SD_OK)
        return st;
    if (vals[VK_WIDTH]) {
        if ((st = sd__ywant_uint(c, vals[VK_WIDTH], "width", CB_MAX_WIDTH, var, &v->width)) != SD_OK)
            return st;
        v->has_width = true;
    }
    if (vals[VK_DECIMALS]) {
        if ((st = sd__ywant_uint(c, vals[VK_DECIMALS], "decimals", CB_MAX_DECIMALS, var,
                            &v->decimals)) != SD_OK)
            return st;
        v->has_decimals = true;
    }
    return SD_OK;
}

static sd_status read_vars(sd_yctx *c, const yaml_node_t *n, sd_codebook *cb)
{
    sd_status st = sd__ywant_kind(c, n, YAML_SEQUENCE_NODE, "a list of variables", NULL);
    if (st != SD_OK)
        return st;
    size_t count = sd__yseq_len(n);
    if (count > SD_MAX_VARS)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(n), NULL, "more than %zu variables", SD_MAX_VARS);
    if (!count)
        return SD_OK;
    if (!(cb->vars = sd__calloc(count, sizeof *cb->vars)) ||
        !(cb->order = sd__calloc(count, sizeof *cb->order)))
        return sd__ynomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = sd__yget(c, n->data.sequence.items.start[i], &it)) != SD_OK)
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
        return sd__yfail(c, SD_E_INVALID, nm->pos, nm->text,
                     "variable '%s' is described twice (first at line %ld)", nm->text,
                     cb->vars[a].name.pos.line);
    }
    return SD_OK;
}

/* ---- multiple-response sets */

enum { SK_NAME, SK_KIND, SK_COUNTED, SK_LABEL, SK_NOTE, SK_VARIABLES };
static const char *const set_keys[] = {"name", "kind",      "counted", "label",
                                       "note", "variables", NULL};

static sd_status read_set(sd_yctx *c, const yaml_node_t *n, size_t idx, cb_set *s)
{
    char ctx[96], in[96];
    s->pos = sd__ypos(n);
    yaml_node_t *vals[SD_YMAX_KEYS];
    sd_ypos kpos[SD_YMAX_KEYS];
    sd_status st = read_named(c, n, idx, "set", set_keys, false, ctx, sizeof ctx, vals, kpos,
                              &s->name);
    if (st != SD_OK)
        return st;
    snprintf(ctx, sizeof ctx, "in set '%s'", s->name.text);
    if (!vals[SK_KIND])
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), NULL, "missing key 'kind' %s", ctx);
    static const char *const kinds[] = {"dichotomy", "category", NULL};
    int w;
    if ((st = sd__ywant_word(c, vals[SK_KIND], "kind", kinds, "dichotomy or category", NULL, &w)) !=
        SD_OK)
        return st;
    s->kind = w == 0 ? SD_MRSET_DICHOTOMY : SD_MRSET_CATEGORY;
    s->counted = 1;
    if (vals[SK_COUNTED]) {
        if (s->kind != SD_MRSET_DICHOTOMY)
            return sd__yfail(c, SD_E_INVALID, kpos[SK_COUNTED], NULL,
                         "counted applies only to dichotomy sets, and set '%s' is a category set",
                         s->name.text);
        if ((st = sd__ywant_number(c, vals[SK_COUNTED], "counted", NULL, &s->counted)) != SD_OK)
            return st;
        s->has_counted = true;
    }
    if (vals[SK_LABEL] && (st = sd__yread_labels(c, vals[SK_LABEL], "label", NULL, &s->label)) != SD_OK)
        return st;
    if (vals[SK_NOTE] && (st = sd__yread_labels(c, vals[SK_NOTE], "note", NULL, &s->note)) != SD_OK)
        return st;
    if (!vals[SK_VARIABLES])
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), NULL, "missing key 'variables' %s", ctx);
    if ((st = sd__cb_read_text_list(c, vals[SK_VARIABLES], "a list of variable names for variables", false,
                             NULL, &s->vars)) != SD_OK)
        return st;
    snprintf(in, sizeof in, "set '%s'", s->name.text);
    if ((st = sd__cb_check_names(c, &s->vars, "variable", in, NULL)) != SD_OK)
        return st;
    if (s->vars.n < 2)
        return sd__yfail(c, SD_E_INVALID, s->vars.pos, NULL, "set '%s' needs at least 2 variables",
                     s->name.text);
    return SD_OK;
}

static sd_status read_sets(sd_yctx *c, const yaml_node_t *n, sd_codebook *cb)
{
    sd_status st = sd__ywant_kind(c, n, YAML_SEQUENCE_NODE, "a list of sets", NULL);
    if (st != SD_OK)
        return st;
    size_t count = sd__yseq_len(n);
    if ((st = sd__ycheck_count(c, n, count, "mrsets", NULL)) != SD_OK)
        return st;
    if (!count)
        return SD_OK;
    if (!(cb->sets = sd__calloc(count, sizeof *cb->sets)))
        return sd__ynomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        if ((st = sd__yget(c, n->data.sequence.items.start[i], &it)) != SD_OK)
            return st;
        if ((st = read_set(c, it, i, &cb->sets[cb->nsets++])) != SD_OK)
            return st;
    }
    cb_ref *r = sd__calloc(cb->nsets, sizeof *r);
    if (!r)
        return sd__ynomem(c);
    for (size_t i = 0; i < cb->nsets; i++)
        r[i] = (cb_ref){cb->sets[i].name.text, i};
    size_t a, b;
    if (find_dup(r, cb->nsets, &a, &b))
        st = sd__yfail(c, SD_E_INVALID, cb->sets[b].name.pos, NULL,
                   "set '%s' is described twice (first at line %ld)", cb->sets[b].name.text,
                   cb->sets[a].name.pos.line);
    sd__free(r);
    return st;
}

/* ---- the document */

enum { TK_VERSION, TK_TITLE, TK_VARIABLES, TK_MRSETS, TK_DESIGN };
static const char *const top_keys[] = {"sondage_codebook", "title",  "variables",
                                       "mrsets",           "design", NULL};

static sd_status read_root(sd_yctx *c, const yaml_node_t *root, sd_codebook *cb)
{
    char d[64];
    if (sd__yis_null(root))
        return SD_OK; /* an empty document: nothing to apply */
    if (root->type != YAML_MAPPING_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(root), NULL,
                     "expected a mapping at the top level (sondage_codebook, title, variables, "
                     "mrsets, design), not %s",
                     sd__ydescribe(root, d, sizeof d));
    yaml_node_t *vals[SD_YMAX_KEYS];
    sd_ypos kpos[SD_YMAX_KEYS];
    sd_status st = sd__yread_keys(c, root, top_keys, "at the top level", NULL, vals, kpos);
    if (st != SD_OK)
        return st;
    if (vals[TK_VERSION]) {
        yaml_node_t *v = vals[TK_VERSION];
        if (!sd__yis(v, "1"))
            return sd__yfail(c, SD_E_INVALID, sd__ypos(v), NULL,
                         "sondage_codebook must be 1 (the only format version), not %s",
                         sd__ydescribe(v, d, sizeof d));
    }
    if (vals[TK_TITLE] && (st = sd__yread_labels(c, vals[TK_TITLE], "title", NULL, &cb->title)) != SD_OK)
        return st;
    if (vals[TK_VARIABLES] && (st = read_vars(c, vals[TK_VARIABLES], cb)) != SD_OK)
        return st;
    if (vals[TK_MRSETS] && (st = read_sets(c, vals[TK_MRSETS], cb)) != SD_OK)
        return st;
    if (vals[TK_DESIGN] && (st = sd__cb_read_design(c, vals[TK_DESIGN], &cb->design)) != SD_OK)
        return st;
    return SD_OK;
}

sd_status sd__codebook_parse(const char *yaml, size_t len, const char *name, sd_codebook **out,
                             sd_error *err)
{
    *out = NULL;
    sd_yctx c;
    yaml_node_t *root = NULL;
    sd_status st = sd__yaml_load(&c, yaml, len, name, "codebook", err, &root);
    sd_codebook *cb = NULL;
    if (st == SD_OK && (!(cb = sd__calloc(1, sizeof *cb)) ||
                        (name && !(cb->file = sd__strdup(name)))))
        st = sd__ynomem(&c);
    if (st == SD_OK && root)
        st = read_root(&c, root, cb);
    sd__yaml_done(&c);
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
    const cb_ref *r = sd__cb_find_ref(cb->order, cb->nvars, name);
    if (!r || !cb->vars[r->idx].has_type)
        return 0;
    if (type)
        *type = cb->vars[r->idx].type;
    return 1;
}
