/*
 * questionnaire.c — the questionnaire file (docs/questionnaire.md, the
 * reference) into plain structs (field.h), checked whole: names, kinds,
 * options, languages, conditions (compiled against the pages before),
 * quotas. The YAML is loaded by the io layer's capped loader
 * (src/io/yaml_doc.c, shared with the codebook); every error names the
 * file, line and column. The walk follows the schema, never the document's
 * own shape, and its node visits are counted, so aliases cannot make it
 * loop or explode.
 */
#include "field.h"

#include "../io/yaml_doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_MAX_LIMIT 1000000000L

typedef yaml_node_t node;

typedef struct qctx {
    sd_yctx y;
    sd__questionnaire *q;
} qctx;

static sd_status qfail(qctx *c, const node *n, sd_status st, const char *var, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));
static sd_status qfail(qctx *c, const node *n, sd_status st, const char *var, const char *fmt,
                       ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sd_ypos p = n ? sd__ypos(n) : (sd_ypos){0, 0};
    return sd__fail(c->y.err, st, c->y.file, p.line, p.col, var, "%s", msg);
}

static sd_status nomem(qctx *c) { return sd__ynomem(&c->y); }

static const char *TEXT(const node *n) { return (const char *)n->data.scalar.value; }
static size_t LEN(const node *n) { return n->data.scalar.length; }

/* The i-th item of a sequence / key and value of the i-th pair of a
 * mapping, counted against the visit budget. */
static sd_status item(qctx *c, const node *seq, size_t i, node **out)
{
    return sd__yget(&c->y, seq->data.sequence.items.start[i], out);
}

static sd_status pair(qctx *c, const node *map, size_t i, node **k, node **v)
{
    const yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
    sd_status st = sd__yget(&c->y, p->key, k);
    return st == SD_OK ? sd__yget(&c->y, p->value, v) : st;
}

static sd_status want_text(qctx *c, const node *n, const char *what, const char *var,
                           const char **out)
{
    return sd__ywant_text(&c->y, n, what, var, out);
}

static sd_status want_number(qctx *c, const node *n, const char *what, const char *var,
                             double *x)
{
    return sd__ywant_number(&c->y, n, what, var, x);
}

static sd_status want_uint(qctx *c, const node *n, const char *what, unsigned long max,
                           const char *var, unsigned long *out)
{
    int v;
    sd_status st = sd__ywant_uint(&c->y, n, what, max, var, &v);
    if (st == SD_OK)
        *out = (unsigned long)v;
    return st;
}

static sd_status want_bool(qctx *c, const node *n, const char *what, const char *var, bool *out)
{
    return sd__ywant_bool(&c->y, n, what, var, out);
}

static sd_status want_word(qctx *c, const node *n, const char *what, const char *const *words,
                           const char *choices, const char *var, int *out)
{
    return sd__ywant_word(&c->y, n, what, words, choices, var, out);
}

static sd_status want_kind(qctx *c, const node *n, yaml_node_type_t k, const char *expected,
                           const char *var)
{
    return sd__ywant_kind(&c->y, n, k, expected, var);
}

static size_t seq_len(const node *n) { return sd__yseq_len(n); }
static size_t map_len(const node *n) { return sd__ymap_len(n); }

/* Check a mapping's keys against a NULL-terminated list; vals[i] is the
 * value of keys[i], NULL when absent or empty. */
static sd_status read_keys(qctx *c, const node *map, const char *const *keys, const char *ctx,
                           const char *var, node **vals)
{
    sd_ypos kpos[SD_YMAX_KEYS];
    if (map_len(map) > SD_Q_MAX_ITEMS)
        return qfail(c, map, SD_E_TOO_LARGE, var, "more than %zu keys %s", SD_Q_MAX_ITEMS, ctx);
    return sd__yread_keys(&c->y, map, keys, ctx, var, vals, kpos);
}

/* ---- labels: a text (every language) or {fr: …, en: …} */

static bool lang_known(const sd__questionnaire *q, const char *lang)
{
    for (size_t i = 0; i < q->nlangs; i++)
        if (strcmp(q->langs[i], lang) == 0)
            return true;
    return false;
}

/* A label in the questionnaire's languages only, with a text for each of
 * them (or an untagged text, shown in every language). */
static sd_status read_labels(qctx *c, const node *n, const char *what, const char *var,
                             sd_labels *out)
{
    sd_status st = sd__yread_labels(&c->y, n, what, var, out);
    if (st != SD_OK)
        return st;
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].lang && !lang_known(c->q, out->v[i].lang))
            return qfail(c, n, SD_E_INVALID, var,
                         "language '%s' (in %s) is not in the questionnaire's languages",
                         out->v[i].lang, what);
    if (!sd__labels_get_exact(out, NULL))
        for (size_t i = 0; i < c->q->nlangs; i++)
            if (!sd__labels_get_exact(out, c->q->langs[i]))
                return qfail(c, n, SD_E_INVALID, var, "%s has no text in '%s'", what,
                             c->q->langs[i]);
    return SD_OK;
}

/* A required label. */
static sd_status need_labels(qctx *c, const node *owner, const node *n,
                             const char *what, const char *ctx, const char *var, sd_labels *out)
{
    if (!n)
        return qfail(c, owner, SD_E_INVALID, var, "%s has no %s", ctx, what);
    return read_labels(c, n, what, var, out);
}

static sd_status opt_labels(qctx *c, const node *n, const char *what, const char *var,
                            sd_labels *out)
{
    return n ? read_labels(c, n, what, var, out) : SD_OK;
}

/* ---- names and variables */

long sd__questionnaire_var(const sd__questionnaire *q, const char *name)
{
    for (size_t i = 0; i < q->nvars; i++)
        if (strcmp(q->vars[i].name, name) == 0)
            return (long)i;
    return -1;
}

static bool set_name_used(const sd__questionnaire *q, const char *name)
{
    for (size_t i = 0; i < q->nq; i++)
        if (q->qs[i].kind == SD_Q_MULTIPLE && q->qs[i].name && strcmp(q->qs[i].name, name) == 0)
            return true;
    return false;
}

static sd_status want_name(qctx *c, const node *n, const char *what, char **out)
{
    const char *s;
    sd_status st = want_text(c, n, what, NULL, &s);
    if (st != SD_OK)
        return st;
    if (!sd__valid_name(s))
        return qfail(c, n, SD_E_INVALID, NULL,
                     "'%.64s' is not a valid name (a letter or _ then letters, digits, _ or ., "
                     "at most 64 bytes)",
                     s);
    if (strcmp(s, "id") == 0)
        return qfail(c, n, SD_E_INVALID, s,
                     "'id' is the respondent's number, kept by the store: choose another name");
    if (!(*out = sd__strdup(s)))
        return nomem(c);
    return SD_OK;
}

static sd_status add_var(qctx *c, const node *at, const char *name, sd_type type,
                         size_t question, long opt, size_t *index)
{
    sd__questionnaire *q = c->q;
    if (sd__questionnaire_var(q, name) >= 0 || set_name_used(q, name))
        return qfail(c, at, SD_E_INVALID, name, "the name '%s' is used twice", name);
    if (q->nvars >= SD_Q_MAX_VARS)
        return qfail(c, at, SD_E_TOO_LARGE, name, "more than %zu variables", SD_Q_MAX_VARS);
    sd__qvar *v = sd__reallocarray(q->vars, q->nvars + 1, sizeof *v);
    if (!v)
        return nomem(c);
    q->vars = v;
    v[q->nvars] = (sd__qvar){.name = name, .type = type, .question = question, .opt = opt};
    *index = q->nvars++;
    return SD_OK;
}

static sd_status read_cond(qctx *c, const node *n, size_t page, const char *var,
                           sd__cond **out)
{
    const char *s;
    sd_status st = want_text(c, n, "a condition", var, &s);
    if (st != SD_OK)
        return st;
    sd__cond_scope scope = {.q = c->q, .before_page = page};
    /* Where the text starts: after the quote of a quoted scalar. */
    sd_ypos p = sd__ypos(n);
    yaml_scalar_style_t style = n->data.scalar.style;
    if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE || style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        p.col++;
    return sd__cond_compile(s, LEN(n), &scope, c->y.file, p.line, p.col, out, c->y.err);
}

/* ---- options and items */

static void opt_free(sd__qopt *o)
{
    sd__free(o->name);
    sd__labels_free(&o->label);
    sd__labels_free(&o->note);
    sd__cond_free(o->show_if);
}

enum { OPT_CODED, OPT_NAMED, OPT_ITEM };

/* A list of options (OPT_CODED: single, yesno, grid scale; OPT_NAMED:
 * multiple) or grid items (OPT_ITEM), appended to *arr. Conditions are
 * compiled later, when the page's variables are known. */
static sd_status read_opts(qctx *c, const node *n, int kind, const char *qname,
                           size_t qi, sd__qopt **arr, size_t *count,
                           node ***cond_nodes)
{
    static const char *const keys[] = {"code", "name", "label", "note", "anchor",
                                       "exclusive", "show_if", NULL};
    sd_status st = want_kind(c, n, YAML_SEQUENCE_NODE,
                             kind == OPT_ITEM ? "a list of items" : "a list of options", qname);
    if (st != SD_OK)
        return st;
    if (seq_len(n) + *count > SD_Q_MAX_ITEMS)
        return qfail(c, n, SD_E_TOO_LARGE, qname, "more than %zu options or items",
                     SD_Q_MAX_ITEMS);
    size_t total = *count + seq_len(n);
    sd__qopt *v = sd__reallocarray(*arr, total ? total : 1, sizeof *v);
    node **cn = sd__reallocarray(*cond_nodes, total ? total : 1, sizeof *cn);
    if (cn)
        *cond_nodes = cn;
    if (!v || !cn) {
        if (v)
            *arr = v;
        return nomem(c);
    }
    *arr = v;
    const char *what = kind == OPT_ITEM ? "item" : "option";
    for (size_t i = 0; i < seq_len(n); i++) {
        node *e;
        char ctx[128];
        if ((st = item(c, n, i, &e)) != SD_OK)
            return st;
        snprintf(ctx, sizeof ctx, "in %s #%zu of '%s'", what, i + 1, qname);
        if ((st = want_kind(c, e, YAML_MAPPING_NODE, kind == OPT_ITEM ? "a mapping for an item"
                                                              : "a mapping for an option",
                            qname)) != SD_OK)
            return st;
        node *val[8];
        if ((st = read_keys(c, e, keys, ctx, qname, val)) != SD_OK)
            return st;
        sd__qopt *o = &v[*count];
        memset(o, 0, sizeof *o);
        cn[*count] = NULL;
        (*count)++;
        if (kind == OPT_CODED) {
            if (!val[0])
                return qfail(c, e, SD_E_INVALID, qname, "%s #%zu of '%s' has no code", what,
                             i + 1, qname);
            if ((st = want_number(c, val[0], "code", qname, &o->code)) != SD_OK)
                return st;
            for (size_t k = 0; k + 1 < *count; k++)
                if (v[k].code == o->code)
                    return qfail(c, val[0], SD_E_INVALID, qname, "code %s is used twice in '%s'",
                                 TEXT(val[0]), qname);
            if (val[1])
                return qfail(c, val[1], SD_E_INVALID, qname,
                             "an option of '%s' has a code, not a name (names are for the "
                             "options of a multiple question and grid items)",
                             qname);
        } else {
            if (val[0])
                return qfail(c, val[0], SD_E_INVALID, qname,
                             "%s of '%s' has a code, not a name (each is its own variable)", what,
                             qname);
            if (!val[1])
                return qfail(c, e, SD_E_INVALID, qname, "%s #%zu of '%s' has no name", what,
                             i + 1, qname);
            if ((st = want_name(c, val[1], "name", &o->name)) != SD_OK)
                return st;
            if ((st = add_var(c, val[1], o->name, SD_TYPE_NUMERIC, qi, (long)(*count - 1),
                              &o->var)) != SD_OK)
                return st;
        }
        if ((st = need_labels(c, e, val[2], "label", ctx + 3, qname, &o->label)) != SD_OK ||
            (st = opt_labels(c, val[3], "note", qname, &o->note)) != SD_OK)
            return st;
        if (kind == OPT_ITEM && (val[4] || val[5] || val[6]))
            return qfail(c, val[4] ? val[4] : val[5] ? val[5] : val[6], SD_E_INVALID, qname,
                         "a grid item has only a name, a label and a note");
        if (val[4] && (st = want_bool(c, val[4], "anchor", qname, &o->anchor)) != SD_OK)
            return st;
        if (val[5]) {
            if (kind != OPT_NAMED)
                return qfail(c, val[5], SD_E_INVALID, qname,
                             "exclusive is for the options of a multiple question");
            if ((st = want_bool(c, val[5], "exclusive", qname, &o->exclusive)) != SD_OK)
                return st;
        }
        cn[*count - 1] = val[6];
    }
    return SD_OK;
}

/* ---- questions */

static const char *const kind_words[] = {"single", "yesno", "multiple", "grid", "numeric", "text",
                                         NULL};

static void question_free(sd__question *qs)
{
    sd__free(qs->name);
    sd__labels_free(&qs->text);
    sd__labels_free(&qs->help);
    sd__labels_free(&qs->note);
    for (size_t i = 0; i < qs->nwording; i++) {
        sd__cond_free(qs->wording[i].cond);
        sd__labels_free(&qs->wording[i].text);
    }
    sd__free(qs->wording);
    for (size_t i = 0; i < qs->nopts; i++)
        opt_free(&qs->opts[i]);
    sd__free(qs->opts);
    for (size_t i = 0; i < qs->nitems; i++)
        opt_free(&qs->items[i]);
    sd__free(qs->items);
    sd__free(qs->missing);
    for (size_t i = 0; i < qs->nnets; i++) {
        sd__free(qs->nets[i].name);
        sd__free(qs->nets[i].codes);
        sd__labels_free(&qs->nets[i].label);
    }
    sd__free(qs->nets);
    sd__cond_free(qs->show_if);
}

enum {
    K_NAME, K_TYPE, K_TEXT, K_HELP, K_NOTE, K_REQUIRED, K_SHOW_IF, K_WORDING, K_OPTIONS, K_ITEMS,
    K_RANDOMIZE, K_DISPLAY, K_MISSING, K_MEASURE, K_MIN, K_MAX, K_DECIMALS, K_MAX_LENGTH, K_NETS,
    K_COUNT
};

static sd_status only_for(qctx *c, node *const *val, int key, const char *key_name,
                          bool allowed, const char *kinds, const char *qname)
{
    if (val[key] && !allowed)
        return qfail(c, val[key], SD_E_INVALID, qname, "%s is only for %s questions", key_name,
                     kinds);
    return SD_OK;
}

static sd_status read_wording(qctx *c, const node *n, size_t page, sd__question *qs)
{
    static const char *const keys[] = {"if", "text", NULL};
    sd_status st = want_kind(c, n, YAML_SEQUENCE_NODE, "a list of wordings ({if: …, text: …})", qs->name);
    if (st != SD_OK)
        return st;
    size_t nw = seq_len(n);
    if (nw > SD_Q_MAX_ITEMS)
        return qfail(c, n, SD_E_TOO_LARGE, qs->name, "more than %zu wordings", SD_Q_MAX_ITEMS);
    if (nw && !(qs->wording = sd__calloc(nw, sizeof *qs->wording)))
        return nomem(c);
    for (size_t i = 0; i < nw; i++) {
        node *e, *val[2];
        if ((st = item(c, n, i, &e)) != SD_OK ||
            (st = want_kind(c, e, YAML_MAPPING_NODE, "a mapping {if: …, text: …}", qs->name)) != SD_OK ||
            (st = read_keys(c, e, keys, "in a wording", qs->name, val)) != SD_OK)
            return st;
        sd__qwording *w = &qs->wording[qs->nwording++];
        if (!val[0] || !val[1])
            return qfail(c, e, SD_E_INVALID, qs->name, "a wording needs both if and text");
        if ((st = read_cond(c, val[0], page, qs->name, &w->cond)) != SD_OK ||
            (st = read_labels(c, val[1], "text", qs->name, &w->text)) != SD_OK)
            return st;
    }
    return SD_OK;
}

/* nets: [{name, codes: [..], label}]: codes among the options, names
 * unique within the question. */
static sd_status read_nets(qctx *c, const node *n, sd__question *qs)
{
    static const char *const keys[] = {"name", "codes", "label", NULL};
    const char *nm = qs->name;
    sd_status st = want_kind(c, n, YAML_SEQUENCE_NODE, "a list of nets", nm);
    if (st != SD_OK)
        return st;
    size_t count = seq_len(n);
    if (count > SD_Q_MAX_ITEMS)
        return qfail(c, n, SD_E_TOO_LARGE, nm, "more than %zu nets", SD_Q_MAX_ITEMS);
    if (count && !(qs->nets = sd__calloc(count, sizeof *qs->nets)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        node *e, *val[3];
        char ctx[96];
        snprintf(ctx, sizeof ctx, "in net #%zu of '%s'", i + 1, nm);
        if ((st = item(c, n, i, &e)) != SD_OK ||
            (st = want_kind(c, e, YAML_MAPPING_NODE, "a mapping for a net", nm)) != SD_OK ||
            (st = read_keys(c, e, keys, ctx, nm, val)) != SD_OK)
            return st;
        sd__qnet *net = &qs->nets[qs->nnets++];
        const char *name;
        if (!val[0] || !val[1])
            return qfail(c, e, SD_E_INVALID, nm, "a net of '%s' needs a name and codes", nm);
        if ((st = want_text(c, val[0], "a net's name", nm, &name)) != SD_OK)
            return st;
        if (!sd__valid_name(name))
            return qfail(c, val[0], SD_E_INVALID, nm, "'%.64s' is not a valid net name", name);
        for (size_t k = 0; k + 1 < qs->nnets; k++)
            if (strcmp(qs->nets[k].name, name) == 0)
                return qfail(c, val[0], SD_E_INVALID, nm, "net '%s' is given twice in '%s'", name,
                             nm);
        if (!(net->name = sd__strdup(name)))
            return nomem(c);
        const node *cl = val[1];
        if ((st = want_kind(c, cl, YAML_SEQUENCE_NODE, "a list of codes", nm)) != SD_OK)
            return st;
        size_t nc = seq_len(cl);
        if (nc == 0 || nc > SD_Q_MAX_ITEMS)
            return qfail(c, cl, SD_E_INVALID, nm, "a net holds 1 to %zu codes", SD_Q_MAX_ITEMS);
        if (!(net->codes = sd__calloc(nc, sizeof *net->codes)))
            return nomem(c);
        for (size_t k = 0; k < nc; k++) {
            node *x;
            double code;
            bool found = false;
            if ((st = item(c, cl, k, &x)) != SD_OK ||
                (st = want_number(c, x, "a net's code", nm, &code)) != SD_OK)
                return st;
            for (size_t o = 0; o < qs->nopts; o++)
                found |= qs->opts[o].code == code;
            if (!found)
                return qfail(c, x, SD_E_INVALID, nm, "net code %s is not one of the options of '%s'",
                             TEXT(x), nm);
            net->codes[net->ncodes++] = code;
        }
        if (val[2] && (st = read_labels(c, val[2], "a net's label", nm, &net->label)) != SD_OK)
            return st;
    }
    return SD_OK;
}

static sd_status read_question(qctx *c, const node *n, size_t page, size_t qi)
{
    static const char *const keys[] = {
        "name",    "type",      "text",    "help",    "note",    "required", "show_if",
        "wording", "options",   "items",   "randomize", "display", "missing", "measure",
        "min",     "max",       "decimals", "max_length", "nets",     NULL};
    sd__questionnaire *q = c->q;
    sd__question *qs = &q->qs[qi];
    node *val[K_COUNT];
    sd_status st;
    char ctx[96];
    if ((st = want_kind(c, n, YAML_MAPPING_NODE, "a mapping for a question", NULL)) != SD_OK)
        return st;
    snprintf(ctx, sizeof ctx, "in question #%zu", qi + 1);
    if ((st = read_keys(c, n, keys, ctx, NULL, val)) != SD_OK)
        return st;
    if (!val[K_NAME])
        return qfail(c, n, SD_E_INVALID, NULL, "question #%zu has no name", qi + 1);
    if ((st = want_name(c, val[K_NAME], "name", &qs->name)) != SD_OK)
        return st;
    const char *nm = qs->name;
    qs->line = sd__ypos(n).line;
    qs->col = sd__ypos(n).col;
    qs->page = page;
    qs->required = true;
    int kind;
    if (!val[K_TYPE])
        return qfail(c, n, SD_E_INVALID, nm, "question '%s' has no type", nm);
    if ((st = want_word(c, val[K_TYPE], "type", kind_words,
                        "single, yesno, multiple, grid, numeric or text", nm, &kind)) != SD_OK)
        return st;
    qs->kind = (sd__qkind)kind;
    bool coded = kind == SD_Q_SINGLE || kind == SD_Q_YESNO;
    if ((st = only_for(c, val, K_OPTIONS, "options", coded || kind == SD_Q_MULTIPLE ||
                                                         kind == SD_Q_GRID,
                       "single, yesno, multiple and grid", nm)) != SD_OK ||
        (st = only_for(c, val, K_ITEMS, "items", kind == SD_Q_GRID, "grid", nm)) != SD_OK ||
        (st = only_for(c, val, K_RANDOMIZE, "randomize",
                       coded || kind == SD_Q_MULTIPLE || kind == SD_Q_GRID,
                       "single, yesno, multiple and grid", nm)) != SD_OK ||
        (st = only_for(c, val, K_DISPLAY, "display", kind == SD_Q_SINGLE, "single", nm)) !=
            SD_OK ||
        (st = only_for(c, val, K_MISSING, "missing", coded || kind == SD_Q_GRID,
                       "single, yesno and grid", nm)) != SD_OK ||
        (st = only_for(c, val, K_MEASURE, "measure", coded || kind == SD_Q_GRID,
                       "single, yesno and grid", nm)) != SD_OK ||
        (st = only_for(c, val, K_NETS, "nets", coded || kind == SD_Q_GRID,
                       "single, yesno and grid", nm)) != SD_OK ||
        (st = only_for(c, val, K_MIN, "min", kind == SD_Q_NUMERIC, "numeric", nm)) != SD_OK ||
        (st = only_for(c, val, K_MAX, "max", kind == SD_Q_NUMERIC, "numeric", nm)) != SD_OK ||
        (st = only_for(c, val, K_DECIMALS, "decimals", kind == SD_Q_NUMERIC, "numeric", nm)) !=
            SD_OK ||
        (st = only_for(c, val, K_MAX_LENGTH, "max_length", kind == SD_Q_TEXT, "text", nm)) !=
            SD_OK)
        return st;
    if ((st = need_labels(c, n, val[K_TEXT], "text", "the question", nm, &qs->text)) != SD_OK ||
        (st = opt_labels(c, val[K_HELP], "help", nm, &qs->help)) != SD_OK ||
        (st = opt_labels(c, val[K_NOTE], "note", nm, &qs->note)) != SD_OK)
        return st;
    if (val[K_REQUIRED] && (st = want_bool(c, val[K_REQUIRED], "required", nm, &qs->required)) !=
                               SD_OK)
        return st;
    if (val[K_RANDOMIZE] &&
        (st = want_bool(c, val[K_RANDOMIZE], "randomize", nm, &qs->randomize)) != SD_OK)
        return st;
    if (val[K_DISPLAY]) {
        static const char *const words[] = {"radio", "dropdown", NULL};
        int w;
        if ((st = want_word(c, val[K_DISPLAY], "display", words, "radio or dropdown", nm, &w)) !=
            SD_OK)
            return st;
        qs->dropdown = w == 1;
    }
    qs->measure = kind == SD_Q_GRID ? SD_MEASURE_ORDINAL
                  : kind == SD_Q_NUMERIC ? SD_MEASURE_SCALE
                                         : SD_MEASURE_NOMINAL;
    if (val[K_MEASURE]) {
        static const char *const words[] = {"nominal", "ordinal", "scale", NULL};
        int w;
        if ((st = want_word(c, val[K_MEASURE], "measure", words, "nominal, ordinal or scale", nm,
                            &w)) != SD_OK)
            return st;
        qs->measure = (sd_measure)w;
    }

    /* Variables: the question's own, or one per option / item. */
    node **opt_conds = NULL;
    if (kind == SD_Q_YESNO) {
        if (!(qs->opts = sd__calloc(2, sizeof *qs->opts)))
            return nomem(c);
        qs->nopts = 2;
        qs->opts[0].code = 1;
        qs->opts[1].code = 2;
        if (!sd__labels_set(&qs->opts[0].label, "fr", "Oui") ||
            !sd__labels_set(&qs->opts[0].label, "en", "Yes") ||
            !sd__labels_set(&qs->opts[1].label, "fr", "Non") ||
            !sd__labels_set(&qs->opts[1].label, "en", "No"))
            return nomem(c);
        if (!(opt_conds = sd__calloc(2, sizeof *opt_conds)))
            return nomem(c);
    }
    if (coded || kind == SD_Q_NUMERIC || kind == SD_Q_TEXT) {
        st = add_var(c, val[K_NAME], nm, kind == SD_Q_TEXT ? SD_TYPE_STRING : SD_TYPE_NUMERIC, qi,
                     -1, &qs->var);
        if (st != SD_OK) {
            sd__free(opt_conds);
            return st;
        }
    }
    if (kind == SD_Q_MULTIPLE && sd__questionnaire_var(q, nm) >= 0) {
        sd__free(opt_conds);
        return qfail(c, val[K_NAME], SD_E_INVALID, nm, "the name '%s' is used twice", nm);
    }
    if (val[K_OPTIONS] || kind == SD_Q_SINGLE || kind == SD_Q_MULTIPLE || kind == SD_Q_GRID) {
        if (!val[K_OPTIONS] && kind != SD_Q_YESNO) {
            sd__free(opt_conds);
            return qfail(c, n, SD_E_INVALID, nm, "question '%s' has no options", nm);
        }
        if (val[K_OPTIONS]) {
            st = read_opts(c, val[K_OPTIONS], kind == SD_Q_MULTIPLE ? OPT_NAMED : OPT_CODED, nm,
                           qi, &qs->opts, &qs->nopts, &opt_conds);
            if (st != SD_OK) {
                sd__free(opt_conds);
                return st;
            }
        }
    }
    if (kind == SD_Q_GRID) {
        node **item_conds = NULL;
        if (!val[K_ITEMS])
            st = qfail(c, n, SD_E_INVALID, nm, "grid '%s' has no items", nm);
        else
            st = read_opts(c, val[K_ITEMS], OPT_ITEM, nm, qi, &qs->items, &qs->nitems,
                           &item_conds);
        sd__free(item_conds);
        if (st == SD_OK && qs->nitems == 0)
            st = qfail(c, val[K_ITEMS], SD_E_INVALID, nm, "grid '%s' has no items", nm);
        if (st != SD_OK) {
            sd__free(opt_conds);
            return st;
        }
    }
    if ((coded || kind == SD_Q_MULTIPLE || kind == SD_Q_GRID) && qs->nopts < 2) {
        sd__free(opt_conds);
        return qfail(c, val[K_OPTIONS] ? val[K_OPTIONS] : n, SD_E_INVALID, nm,
                     "question '%s' needs at least 2 options", nm);
    }

    /* Conditions: compiled against earlier pages. */
    if (val[K_SHOW_IF])
        st = read_cond(c, val[K_SHOW_IF], page, nm, &qs->show_if);
    for (size_t i = 0; st == SD_OK && i < qs->nopts; i++)
        if (opt_conds && opt_conds[i])
            st = read_cond(c, opt_conds[i], page, nm, &qs->opts[i].show_if);
    sd__free(opt_conds);
    if (st == SD_OK && val[K_WORDING])
        st = read_wording(c, val[K_WORDING], page, qs);
    if (st != SD_OK)
        return st;

    if (val[K_MISSING]) {
        const node *m = val[K_MISSING];
        size_t nm_ = m->type == YAML_SEQUENCE_NODE ? seq_len(m) : 1;
        if (m->type == YAML_MAPPING_NODE)
            return qfail(c, m, SD_E_PARSE, nm, "expected a list of codes for missing, not a mapping");
        if (nm_ > SD_Q_MAX_ITEMS)
            return qfail(c, m, SD_E_TOO_LARGE, nm, "more than %zu missing codes", SD_Q_MAX_ITEMS);
        if (!(qs->missing = sd__calloc(nm_ ? nm_ : 1, sizeof *qs->missing)))
            return nomem(c);
        for (size_t i = 0; i < nm_; i++) {
            node *e = (node *)m;
            double x;
            if ((m->type == YAML_SEQUENCE_NODE && (st = item(c, m, i, &e)) != SD_OK) ||
                (st = want_number(c, e, "a missing code", nm, &x)) != SD_OK)
                return st;
            bool found = false;
            for (size_t k = 0; k < qs->nopts; k++)
                found |= qs->opts[k].code == x;
            if (!found)
                return qfail(c, e, SD_E_INVALID, nm,
                             "missing code %s is not one of the options of '%s'", TEXT(e), nm);
            qs->missing[qs->nmissing++] = x;
        }
    }
    if (val[K_NETS] && (st = read_nets(c, val[K_NETS], qs)) != SD_OK)
        return st;
    for (size_t i = 0; i < qs->nopts; i++)
        if (qs->opts[i].exclusive && !qs->opts[i].anchor && qs->randomize)
            qs->opts[i].anchor = true; /* "None of these" never moves */
    if (kind == SD_Q_NUMERIC) {
        if (val[K_MIN]) {
            if ((st = want_number(c, val[K_MIN], "min", nm, &qs->min)) != SD_OK)
                return st;
            qs->has_min = true;
        }
        if (val[K_MAX]) {
            if ((st = want_number(c, val[K_MAX], "max", nm, &qs->max)) != SD_OK)
                return st;
            qs->has_max = true;
        }
        if (qs->has_min && qs->has_max && qs->min > qs->max)
            return qfail(c, val[K_MIN], SD_E_INVALID, nm, "min is greater than max in '%s'", nm);
        if (val[K_DECIMALS]) {
            unsigned long d;
            if ((st = want_uint(c, val[K_DECIMALS], "decimals", 6, nm, &d)) != SD_OK)
                return st;
            qs->decimals = (int)d;
        }
    }
    if (kind == SD_Q_TEXT) {
        qs->max_length = 2000;
        if (val[K_MAX_LENGTH]) {
            unsigned long m;
            if ((st = want_uint(c, val[K_MAX_LENGTH], "max_length", SD_Q_MAX_LENGTH, nm, &m)) !=
                SD_OK)
                return st;
            if (m == 0)
                return qfail(c, val[K_MAX_LENGTH], SD_E_INVALID, nm,
                             "max_length must be at least 1");
            qs->max_length = m;
        }
    }
    return SD_OK;
}

/* ---- pages */

static sd_status read_page(qctx *c, const node *n, size_t pi)
{
    static const char *const keys[] = {"name", "title", "intro", "show_if", "questions", NULL};
    sd__questionnaire *q = c->q;
    sd__qpage *pg = &q->pages[pi];
    node *val[5];
    char ctx[64];
    snprintf(ctx, sizeof ctx, "in page #%zu", pi + 1);
    sd_status st;
    if ((st = want_kind(c, n, YAML_MAPPING_NODE, "a mapping for a page", NULL)) != SD_OK ||
        (st = read_keys(c, n, keys, ctx, NULL, val)) != SD_OK)
        return st;
    if (!val[0])
        return qfail(c, n, SD_E_INVALID, NULL, "page #%zu has no name", pi + 1);
    const char *s;
    if ((st = want_text(c, val[0], "name", NULL, &s)) != SD_OK)
        return st;
    if (!sd__valid_name(s))
        return qfail(c, val[0], SD_E_INVALID, NULL, "'%.64s' is not a valid page name", s);
    for (size_t i = 0; i < pi; i++)
        if (strcmp(q->pages[i].name, s) == 0)
            return qfail(c, val[0], SD_E_INVALID, NULL, "page name '%s' is used twice", s);
    if (!(pg->name = sd__strdup(s)))
        return nomem(c);
    if ((st = opt_labels(c, val[1], "title", NULL, &pg->title)) != SD_OK ||
        (st = opt_labels(c, val[2], "intro", NULL, &pg->intro)) != SD_OK)
        return st;
    if (!val[4])
        return qfail(c, n, SD_E_INVALID, NULL, "page '%s' has no questions", pg->name);
    const node *l = val[4];
    if ((st = want_kind(c, l, YAML_SEQUENCE_NODE, "a list of questions", NULL)) != SD_OK)
        return st;
    size_t nql = seq_len(l);
    if (nql == 0)
        return qfail(c, l, SD_E_INVALID, NULL, "page '%s' has no questions", pg->name);
    if (nql > SD_Q_MAX_ITEMS || q->nq + nql > SD_Q_MAX_VARS)
        return qfail(c, l, SD_E_TOO_LARGE, NULL, "too many questions");
    sd__question *qs = sd__reallocarray(q->qs, q->nq + nql, sizeof *qs);
    if (!qs)
        return nomem(c);
    q->qs = qs;
    pg->first = q->nq;
    for (size_t i = 0; i < nql; i++) {
        node *qn;
        memset(&q->qs[q->nq], 0, sizeof *q->qs);
        q->nq++;
        pg->n++;
        if ((st = item(c, l, i, &qn)) != SD_OK ||
            (st = read_question(c, qn, pi, q->nq - 1)) != SD_OK)
            return st;
    }
    /* The page's condition, once its own questions are known (so that a
     * condition on them says they are on this page). */
    if (val[3] && (st = read_cond(c, val[3], pi, NULL, &pg->show_if)) != SD_OK)
        return st;
    return SD_OK;
}

/* ---- quotas */

static sd_status check_quota_var(sd__questionnaire *q, const char *name, const char *file,
                                 long line, long col, size_t *var, size_t *question,
                                 sd_error *err)
{
    long v = sd__questionnaire_var(q, name);
    if (v < 0)
        return sd__fail(err, SD_E_NOT_FOUND, file, line, col, name,
                        "quota on '%s': no question of that name", name);
    const sd__question *qs = &q->qs[q->vars[v].question];
    if ((qs->kind != SD_Q_SINGLE && qs->kind != SD_Q_YESNO) || q->vars[v].opt >= 0)
        return sd__fail(err, SD_E_INVALID, file, line, col, name,
                        "quota on '%s': quotas are on single-choice or yes/no questions", name);
    *var = (size_t)v;
    *question = q->vars[v].question;
    return SD_OK;
}

static bool has_code(const sd__question *qs, double code)
{
    for (size_t k = 0; k < qs->nopts; k++)
        if (qs->opts[k].code == code)
            return true;
    return false;
}

static void quota_free(sd__quota *qt)
{
    sd__free(qt->var_name);
    sd__free(qt->cells);
}

/* Add or replace the quota of a variable; takes the cells. */
static sd_status put_quota(sd__questionnaire *q, const char *name, size_t var, size_t question,
                           sd__quota_cell *cells, size_t ncells)
{
    for (size_t i = 0; i < q->nquotas; i++)
        if (q->quotas[i].var == var) {
            sd__free(q->quotas[i].cells);
            q->quotas[i].cells = cells;
            q->quotas[i].ncells = ncells;
            return SD_OK;
        }
    sd__quota *v = sd__reallocarray(q->quotas, q->nquotas + 1, sizeof *v);
    char *nm = sd__strdup(name);
    if (!v || !nm) {
        if (v)
            q->quotas = v;
        sd__free(nm);
        sd__free(cells);
        return SD_E_NOMEM;
    }
    q->quotas = v;
    v[q->nquotas++] = (sd__quota){.var_name = nm, .var = var, .question = question,
                                  .cells = cells, .ncells = ncells};
    return SD_OK;
}

static sd_status read_quotas(qctx *c, const node *n)
{
    sd_status st;
    if ((st = want_kind(c, n, YAML_MAPPING_NODE, "a mapping of variables to cells for quotas", NULL)) !=
        SD_OK)
        return st;
    if (map_len(n) > SD_Q_MAX_ITEMS)
        return qfail(c, n, SD_E_TOO_LARGE, NULL, "more than %zu quotas", SD_Q_MAX_ITEMS);
    for (size_t p = 0; p < map_len(n); p++) {
        node *k, *v;
        const char *name;
        size_t var, question;
        if ((st = pair(c, n, p, &k, &v)) != SD_OK ||
            (st = want_text(c, k, "a quota's variable", NULL, &name)) != SD_OK ||
            (st = check_quota_var(c->q, name, c->y.file, sd__ypos(k).line, sd__ypos(k).col, &var, &question,
                                  c->y.err)) != SD_OK)
            return st;
        for (size_t i = 0; i < c->q->nquotas; i++)
            if (c->q->quotas[i].var == var)
                return qfail(c, k, SD_E_PARSE, name, "duplicate quota on '%s'", name);
        if ((st = want_kind(c, v, YAML_MAPPING_NODE, "a mapping of codes to counts", name)) != SD_OK)
            return st;
        size_t nc = map_len(v);
        if (nc > SD_Q_MAX_ITEMS)
            return qfail(c, v, SD_E_TOO_LARGE, name, "more than %zu cells", SD_Q_MAX_ITEMS);
        sd__quota_cell *cells = sd__calloc(nc ? nc : 1, sizeof *cells);
        if (!cells)
            return nomem(c);
        const sd__question *qs = &c->q->qs[question];
        for (size_t i = 0; i < nc; i++) {
            node *ck, *cv;
            unsigned long lim;
            if ((st = pair(c, v, i, &ck, &cv)) != SD_OK ||
                (st = want_number(c, ck, "a quota's code", name, &cells[i].code)) != SD_OK ||
                (st = want_uint(c, cv, "a quota's count", Q_MAX_LIMIT, name, &lim)) != SD_OK) {
                sd__free(cells);
                return st;
            }
            if (!has_code(qs, cells[i].code)) {
                sd__free(cells);
                return qfail(c, ck, SD_E_INVALID, name,
                             "quota on '%s': code %s is not one of its options", name, TEXT(ck));
            }
            for (size_t j = 0; j < i; j++)
                if (cells[j].code == cells[i].code) {
                    sd__free(cells);
                    return qfail(c, ck, SD_E_PARSE, name, "duplicate code %s in the quota on '%s'",
                                 TEXT(ck), name);
                }
            cells[i].limit = (long)lim;
        }
        if ((st = put_quota(c->q, name, var, question, cells, nc)) != SD_OK)
            return nomem(c);
    }
    return SD_OK;
}

sd_status sd__questionnaire_set_quota(sd__questionnaire *q, const char *spec, sd_error *err)
{
    const char *p = spec;
    const char *what = "--quota";
    while (*p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p)
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "%s: expected VARIABLE=CODE:COUNT,CODE:COUNT (e.g. role=1:2400,2:400), "
                            "not '%.*s'",
                            what, (int)(n > 60 ? 60 : n), p);
        char name[72];
        size_t nl = (size_t)(eq - p);
        if (nl >= sizeof name)
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "%s: name too long", what);
        memcpy(name, p, nl);
        name[nl] = '\0';
        size_t var, question;
        sd_status st = check_quota_var(q, name, what, 0, 0, &var, &question, err);
        if (st != SD_OK)
            return st;
        const char *c = eq + 1, *stop = p + n;
        size_t cap = 1;
        for (const char *t = c; t < stop; t++)
            cap += *t == ',';
        if (cap > SD_Q_MAX_ITEMS)
            return sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, name, "%s: too many cells", what);
        sd__quota_cell *cells = sd__calloc(cap, sizeof *cells);
        size_t nc = 0;
        if (!cells)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        while (c < stop) {
            const char *comma = memchr(c, ',', (size_t)(stop - c));
            const char *ce = comma ? comma : stop;
            const char *colon = memchr(c, ':', (size_t)(ce - c));
            double code;
            unsigned long lim;
            if (!colon || !sd__parse_double(c, (size_t)(colon - c), false, &code) ||
                !isfinite(code) ||
                !sd__parse_ulong(colon + 1, (size_t)(ce - colon - 1), Q_MAX_LIMIT, &lim)) {
                sd__free(cells);
                return sd__fail(err, SD_E_INVALID, NULL, 0, 0, name,
                                "%s: expected CODE:COUNT (a code and a whole number), not "
                                "'%.*s'",
                                what, (int)(ce - c > 40 ? 40 : ce - c), c);
            }
            if (!has_code(&q->qs[question], code)) {
                sd__free(cells);
                return sd__fail(err, SD_E_INVALID, NULL, 0, 0, name,
                                "%s: code %.*s is not one of the options of '%s'", what,
                                (int)(colon - c), c, name);
            }
            for (size_t j = 0; j < nc; j++)
                if (cells[j].code == code) {
                    sd__free(cells);
                    return sd__fail(err, SD_E_INVALID, NULL, 0, 0, name,
                                    "%s: code %.*s is given twice", what, (int)(colon - c), c);
                }
            cells[nc++] = (sd__quota_cell){code, (long)lim};
            c = comma ? comma + 1 : stop;
        }
        if (put_quota(q, name, var, question, cells, nc) != SD_OK)
            return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        p = end ? end + 1 : p + n;
    }
    return SD_OK;
}

/* ---- the document */

static sd_status read_langs(qctx *c, const node *n)
{
    sd__questionnaire *q = c->q;
    size_t count = n ? (n->type == YAML_SEQUENCE_NODE ? seq_len(n) : 1) : 1;
    if (n && n->type == YAML_MAPPING_NODE)
        return qfail(c, n, SD_E_PARSE, NULL, "expected a list of languages, not a mapping");
    if (count == 0 || count > 2)
        return qfail(c, n, SD_E_INVALID, NULL,
                     "languages must list fr, en or both (the pages' own texts exist in these)");
    if (!(q->langs = sd__calloc(count, sizeof *q->langs)))
        return nomem(c);
    for (size_t i = 0; i < count; i++) {
        static const char *const words[] = {"fr", "en", NULL};
        int w = 1;
        if (n) {
            node *e = (node *)n;
            sd_status st = n->type == YAML_SEQUENCE_NODE ? item(c, n, i, &e) : SD_OK;
            if (st == SD_OK)
                st = want_word(c, e, "a language", words, "fr or en", NULL, &w);
            if (st != SD_OK)
                return st;
            for (size_t k = 0; k < q->nlangs; k++)
                if (strcmp(q->langs[k], words[w]) == 0)
                    return qfail(c, e, SD_E_INVALID, NULL, "language '%s' is given twice",
                                 words[w]);
        }
        if (!(q->langs[q->nlangs] = sd__strdup(words[w])))
            return nomem(c);
        q->nlangs++;
    }
    return SD_OK;
}

static sd_status read_root(qctx *c, const node *root)
{
    static const char *const keys[] = {"sondage_questionnaire", "title", "languages", "intro",
                                       "thanks", "screenout", "pages", "quotas", NULL};
    sd__questionnaire *q = c->q;
    sd_status st;
    char d[64];
    if (!root || root->type != YAML_MAPPING_NODE)
        return qfail(c, root, SD_E_PARSE, NULL,
                     "expected a mapping at the top level (sondage_questionnaire, title, "
                     "languages, pages, quotas…), not %s",
                     root ? sd__ydescribe(root, d, sizeof d) : "an empty document");
    node *val[8];
    if ((st = read_keys(c, root, keys, "at the top level", NULL, val)) != SD_OK)
        return st;
    if (val[0]) {
        unsigned long v;
        if ((st = want_uint(c, val[0], "sondage_questionnaire", 1000, NULL, &v)) != SD_OK)
            return st;
        if (v != 1)
            return qfail(c, val[0], SD_E_UNSUPPORTED, NULL,
                         "sondage_questionnaire must be 1 (the only version)");
    }
    if ((st = read_langs(c, val[2])) != SD_OK)
        return st;
    if ((st = need_labels(c, root, val[1], "title", "the questionnaire", NULL, &q->title)) !=
            SD_OK ||
        (st = opt_labels(c, val[3], "intro", NULL, &q->intro)) != SD_OK ||
        (st = opt_labels(c, val[4], "thanks", NULL, &q->thanks)) != SD_OK ||
        (st = opt_labels(c, val[5], "screenout", NULL, &q->screenout)) != SD_OK)
        return st;
    if (!val[6])
        return qfail(c, root, SD_E_INVALID, NULL, "the questionnaire has no pages");
    const node *pages = val[6];
    if ((st = want_kind(c, pages, YAML_SEQUENCE_NODE, "a list of pages", NULL)) != SD_OK)
        return st;
    size_t np = seq_len(pages);
    if (np == 0)
        return qfail(c, pages, SD_E_INVALID, NULL, "the questionnaire has no pages");
    if (np > SD_Q_MAX_ITEMS)
        return qfail(c, pages, SD_E_TOO_LARGE, NULL, "more than %zu pages", SD_Q_MAX_ITEMS);
    if (!(q->pages = sd__calloc(np, sizeof *q->pages)))
        return nomem(c);
    for (size_t i = 0; i < np; i++) {
        node *pn;
        q->npages++;
        if ((st = item(c, pages, i, &pn)) != SD_OK || (st = read_page(c, pn, i)) != SD_OK)
            return st;
    }
    if (val[7] && (st = read_quotas(c, val[7])) != SD_OK)
        return st;
    return SD_OK;
}

void sd__questionnaire_free(sd__questionnaire *q)
{
    if (!q)
        return;
    sd__free(q->file);
    sd__free(q->text);
    sd__labels_free(&q->title);
    sd__labels_free(&q->intro);
    sd__labels_free(&q->thanks);
    sd__labels_free(&q->screenout);
    for (size_t i = 0; i < q->nlangs; i++)
        sd__free(q->langs[i]);
    sd__free(q->langs);
    for (size_t i = 0; i < q->npages; i++) {
        sd__free(q->pages[i].name);
        sd__labels_free(&q->pages[i].title);
        sd__labels_free(&q->pages[i].intro);
        sd__cond_free(q->pages[i].show_if);
    }
    sd__free(q->pages);
    for (size_t i = 0; i < q->nq; i++)
        question_free(&q->qs[i]);
    sd__free(q->qs);
    for (size_t i = 0; i < q->nquotas; i++)
        quota_free(&q->quotas[i]);
    sd__free(q->quotas);
    sd__free(q->vars);
    sd__free(q);
}

sd_status sd__questionnaire_parse(const char *yaml, size_t len, const char *name,
                                  sd__questionnaire **out, sd_error *err)
{
    *out = NULL;
    if (!name)
        name = "(questionnaire)";
    sd__questionnaire *q = sd__calloc(1, sizeof *q);
    if (!q || !(q->file = sd__strdup(name)) || !(q->text = sd__malloc(len + 1))) {
        sd__questionnaire_free(q);
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    }
    if (len)
        memcpy(q->text, yaml, len);
    q->text[len] = '\0';
    q->text_len = len;
    qctx c = {.q = q};
    yaml_node_t *root = NULL;
    sd_status st = sd__yaml_load(&c.y, yaml, len, q->file, "questionnaire", err, &root);
    if (st == SD_OK)
        st = read_root(&c, root);
    sd__yaml_done(&c.y);
    if (st != SD_OK) {
        sd__questionnaire_free(q);
        return st;
    }
    *out = q;
    return SD_OK;
}

sd_status sd__questionnaire_open(const char *path, sd__questionnaire **out, sd_error *err)
{
    char *text;
    size_t len;
    *out = NULL;
    sd_status st = sd__read_file(path, &text, &len, err);
    if (st != SD_OK)
        return st;
    st = sd__questionnaire_parse(text, len, path, out, err);
    sd__free(text);
    return st;
}
