/*
 * qyaml.c — one YAML document into a small tree of nodes, for the
 * questionnaire parser (questionnaire.c).
 *
 * libyaml does the YAML; this file only builds the tree from its events
 * (rather than yaml_parser_load, which gives no hook to cap the nesting
 * depth, and libyaml's time grows with that depth) and caps what a hostile
 * or mistaken file can make it hold: text size, node count, depth,
 * anchors. Aliases share the anchored node (so a walk must be directed by
 * the schema and bounded, which questionnaire.c does).
 */
#include "field.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define QY_MAX_INPUT ((size_t)1 << 24)
#define QY_MAX_NODES ((size_t)1000000)
#define QY_MAX_DEPTH 32
#define QY_MAX_ANCHORS 1000

typedef struct anchor {
    char *name;
    sd__qy_node *node;
} anchor;

typedef struct loader {
    sd__qy_doc *doc;
    const char *file;
    sd_error *err;
    sd__qy_node *stack[QY_MAX_DEPTH];
    size_t depth;
    anchor *anchors; /* sorted by name */
    size_t nanchors;
} loader;

static sd_status fail_at(loader *L, yaml_mark_t m, sd_status st, const char *msg, const char *arg)
{
    return sd__fail(L->err, st, L->file, (long)m.line + 1, (long)m.column + 1, NULL, msg, arg);
}

static sd_status nomem(loader *L)
{
    return sd__fail(L->err, SD_E_NOMEM, L->file, 0, 0, NULL, "out of memory");
}

static sd__qy_node *node_new(loader *L, sd__qy_kind kind, yaml_mark_t m)
{
    sd__qy_doc *d = L->doc;
    if (d->nall >= QY_MAX_NODES)
        return NULL;
    sd__qy_node *n = sd__calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (!sd__grow((void **)&d->all, &d->cap, d->nall + 1, sizeof *d->all)) {
        sd__free(n);
        return NULL;
    }
    d->all[d->nall++] = n;
    n->kind = kind;
    n->line = (long)m.line + 1;
    n->col = (long)m.column + 1;
    return n;
}

static bool add_kid(sd__qy_node *parent, sd__qy_node *kid)
{
    if (!sd__grow((void **)&parent->kids, &parent->cap, parent->nkids + 1, sizeof *parent->kids))
        return false;
    parent->kids[parent->nkids++] = kid;
    return true;
}

static int cmp_anchor(const void *key, const void *elt)
{
    return strcmp(key, ((const anchor *)elt)->name);
}

static sd_status set_anchor(loader *L, const yaml_char_t *name, sd__qy_node *n, yaml_mark_t m)
{
    if (!name)
        return SD_OK;
    const char *s = (const char *)name;
    size_t lo = 0, hi = L->nanchors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(L->anchors[mid].name, s);
        if (c == 0)
            return fail_at(L, m, SD_E_PARSE, "invalid YAML: found duplicate anchor '%.64s'", s);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (L->nanchors >= QY_MAX_ANCHORS)
        return fail_at(L, m, SD_E_TOO_LARGE, "more than %s anchors", "1000");
    anchor *a = sd__reallocarray(L->anchors, L->nanchors + 1, sizeof *a);
    if (!a)
        return nomem(L);
    L->anchors = a;
    char *copy = sd__strdup(s);
    if (!copy)
        return nomem(L);
    memmove(&a[lo + 1], &a[lo], (L->nanchors - lo) * sizeof *a);
    a[lo].name = copy;
    a[lo].node = n;
    L->nanchors++;
    return SD_OK;
}

/* Attach a finished node to the open collection, or make it the root. */
static sd_status attach(loader *L, sd__qy_node *n)
{
    if (!L->depth) {
        L->doc->root = n;
        return SD_OK;
    }
    return add_kid(L->stack[L->depth - 1], n) ? SD_OK : nomem(L);
}

static sd_status too_many(loader *L, yaml_mark_t m)
{
    if (L->doc->nall >= QY_MAX_NODES)
        return fail_at(L, m, SD_E_TOO_LARGE, "more than %s YAML nodes", "1000000");
    return nomem(L);
}

static sd_status on_event(loader *L, const yaml_event_t *ev)
{
    sd__qy_node *n;
    sd_status st;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (!(n = node_new(L, SD_QY_SCALAR, ev->start_mark)))
            return too_many(L, ev->start_mark);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->len = ev->data.scalar.length;
        if (!(n->text = sd__malloc(n->len + 1)))
            return nomem(L);
        memcpy(n->text, ev->data.scalar.value, n->len);
        n->text[n->len] = '\0';
        if ((st = set_anchor(L, ev->data.scalar.anchor, n, ev->start_mark)) != SD_OK)
            return st;
        return attach(L, n);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (L->depth >= QY_MAX_DEPTH)
            return fail_at(L, ev->start_mark, SD_E_TOO_LARGE,
                           "lists and mappings nested more than %s levels deep", "32");
        if (!(n = node_new(L, ev->type == YAML_SEQUENCE_START_EVENT ? SD_QY_SEQ : SD_QY_MAP,
                           ev->start_mark)))
            return too_many(L, ev->start_mark);
        st = set_anchor(L,
                        ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
                                                              : ev->data.mapping_start.anchor,
                        n, ev->start_mark);
        if (st != SD_OK)
            return st;
        if ((st = attach(L, n)) != SD_OK)
            return st;
        L->stack[L->depth++] = n;
        return SD_OK;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (L->depth)
            L->depth--;
        return SD_OK;
    case YAML_ALIAS_EVENT: {
        const anchor *a = bsearch(ev->data.alias.anchor, L->anchors, L->nanchors, sizeof *a,
                                  cmp_anchor);
        if (!a)
            return fail_at(L, ev->start_mark, SD_E_PARSE, "invalid YAML: found undefined alias%s",
                           "");
        return attach(L, a->node);
    }
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
        return SD_OK;
    }
    return SD_OK;
}

static sd_status parser_fail(loader *L, const yaml_parser_t *ps)
{
    if (ps->error == YAML_MEMORY_ERROR)
        return nomem(L);
    char msg[512];
    if (ps->context)
        snprintf(msg, sizeof msg, "invalid YAML: %s (%s at line %zu, column %zu)",
                 ps->problem ? ps->problem : "error", ps->context, ps->context_mark.line + 1,
                 ps->context_mark.column + 1);
    else
        snprintf(msg, sizeof msg, "invalid YAML: %s", ps->problem ? ps->problem : "error");
    return sd__fail(L->err, SD_E_PARSE, L->file, (long)ps->problem_mark.line + 1,
                    (long)ps->problem_mark.column + 1, NULL, "%s", msg);
}

sd_status sd__qy_load(const char *text, size_t len, const char *file, sd__qy_doc *doc,
                      sd_error *err)
{
    memset(doc, 0, sizeof *doc);
    if (len > QY_MAX_INPUT)
        return sd__fail(err, SD_E_TOO_LARGE, file, 0, 0, NULL,
                        "a questionnaire is at most 16 MiB, this one is %zu bytes", len);
    if (sd__utf8_valid_prefix(text, len) != len)
        return sd__fail(err, SD_E_ENCODING, file, 0, 0, NULL, "the file is not valid UTF-8");
    loader L = {.doc = doc, .file = file, .err = err};
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        return nomem(&L);
    yaml_parser_set_input_string(&ps, (const unsigned char *)(text ? text : ""), len);
    yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);
    sd_status st = SD_OK;
    int docs = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev)) {
            st = parser_fail(&L, &ps);
            break;
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1 && doc->root) {
            st = fail_at(&L, ev.start_mark, SD_E_PARSE,
                         "a questionnaire is one YAML document; found a second one%s", "");
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            /* Anchors do not cross documents. */
            for (size_t i = 0; i < L.nanchors; i++)
                sd__free(L.anchors[i].name);
            L.nanchors = 0;
        }
        st = on_event(&L, &ev);
        yaml_event_delete(&ev);
        if (st != SD_OK || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&ps);
    for (size_t i = 0; i < L.nanchors; i++)
        sd__free(L.anchors[i].name);
    sd__free(L.anchors);
    if (st != SD_OK)
        sd__qy_free(doc);
    return st;
}

void sd__qy_free(sd__qy_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->nall; i++) {
        sd__free(doc->all[i]->text);
        sd__free(doc->all[i]->kids);
        sd__free(doc->all[i]);
    }
    sd__free(doc->all);
    memset(doc, 0, sizeof *doc);
}
