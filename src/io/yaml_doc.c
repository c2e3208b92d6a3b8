/*
 * yaml_doc.c — YAML documents people write, read with libyaml (yaml_doc.h
 * says what each piece is for).
 *
 * Events are loaded into a yaml_document_t here rather than by
 * yaml_parser_load, only to cap the nesting depth (libyaml's time grows
 * with it; see "loading" below).
 */
#include "yaml_doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ small helpers */

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* ASCII case-insensitive equality (never the locale's). */
bool sd__yeq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return false;
    return *a == *b;
}

/* Index of s in a NULL-terminated word list (case-insensitive), or -1. */
int sd__yword_index(const char *const *words, const char *s)
{
    for (int i = 0; words[i]; i++)
        if (sd__yeq_nocase(words[i], s))
            return i;
    return -1;
}

/* ------------------------------------------------------------ the walk */


sd_ypos sd__ypos(const yaml_node_t *n)
{
    return (sd_ypos){(long)n->start_mark.line + 1, (long)n->start_mark.column + 1};
}

sd_status sd__yfail(sd_yctx *c, sd_status st, sd_ypos p, const char *var, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sd__fail(c->err, st, c->file, p.line, p.col, var, "%s", msg);
}

sd_status sd__ynomem(sd_yctx *c)
{
    return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
}

sd_status sd__yget(sd_yctx *c, int id, yaml_node_t **out)
{
    yaml_node_t *n = yaml_document_get_node(&c->doc, id);
    if (!n)
        return sd__fail(c->err, SD_E_INTERNAL, c->file, 0, 0, NULL,
                        "libyaml returned an unknown node");
    if (c->budget == 0)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(n), NULL,
                     "the %s expands to too many nodes through aliases (more than %zu "
                     "beyond its own)",
                     c->what, SD_YMAX_EXPAND);
    c->budget--;
    *out = n;
    return SD_OK;
}

bool sd__yis_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    return len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

/* Is the node the scalar `word` exactly (a "\0" escape cannot fool it)? */
bool sd__yis(const yaml_node_t *n, const char *word)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(word) &&
           memcmp(n->data.scalar.value, word, n->data.scalar.length) == 0;
}

/* How a node looks, for "not …" in messages: a list, a mapping, an empty
 * value, or its text in quotes (cut at 40 bytes on a character boundary). */
const char *sd__ydescribe(const yaml_node_t *n, char *buf, size_t cap)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (sd__yis_null(n))
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

/* Check a scalar's text: at most SD_YMAX_TEXT bytes, no NUL, valid UTF-8.
 * *s borrows the document's text (NUL-terminated). */
sd_status sd__ytext(sd_yctx *c, const yaml_node_t *n, const char *var, const char **s)
{
    const char *t = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (len > SD_YMAX_TEXT)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(n), var, "text longer than %zu bytes", SD_YMAX_TEXT);
    if (memchr(t, '\0', len))
        return sd__yfail(c, SD_E_PARSE, sd__ypos(n), var, "a text holds a NUL character");
    if (sd__utf8_valid_prefix(t, len) != len)
        return sd__yfail(c, SD_E_ENCODING, sd__ypos(n), var, "a text is not valid UTF-8");
    *s = t;
    return SD_OK;
}

/* A non-empty scalar's checked text, for a key whose value must be one
 * (`what` names it: "name must be a text, not a list"). */
sd_status sd__ywant_text(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                           const char **s)
{
    char d[64];
    if (n->type != YAML_SCALAR_NODE || sd__yis_null(n))
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "%s must be a text, not %s", what,
                     sd__ydescribe(n, d, sizeof d));
    return sd__ytext(c, n, var, s);
}

/* A finite number (sd__parse_double: locale-free, no spaces). */
bool sd__yscalar_number(const yaml_node_t *n, double *out)
{
    return n->type == YAML_SCALAR_NODE && !sd__yis_null(n) &&
           sd__parse_double((const char *)n->data.scalar.value, n->data.scalar.length, false,
                            out) &&
           isfinite(*out);
}

sd_status sd__ywant_number(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                             double *out)
{
    char d[64];
    if (sd__yscalar_number(n, out))
        return SD_OK;
    return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "%s must be a number, not %s", what,
                 sd__ydescribe(n, d, sizeof d));
}

sd_status sd__ywant_uint(sd_yctx *c, const yaml_node_t *n, const char *what, unsigned long max,
                           const char *var, int *out)
{
    char d[64];
    unsigned long u;
    if (n->type == YAML_SCALAR_NODE && !sd__yis_null(n) &&
        sd__parse_ulong((const char *)n->data.scalar.value, n->data.scalar.length, max, &u)) {
        *out = (int)u;
        return SD_OK;
    }
    return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "%s must be a whole number from 0 to %lu, not %s",
                 what, max, sd__ydescribe(n, d, sizeof d));
}

sd_status sd__ywant_bool(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                           bool *out)
{
    static const char *const words[] = {"true", "yes", "false", "no", NULL};
    char d[64];
    int w = -1;
    if (n->type == YAML_SCALAR_NODE && !sd__yis_null(n) &&
        strlen((const char *)n->data.scalar.value) == n->data.scalar.length)
        w = sd__yword_index(words, (const char *)n->data.scalar.value);
    if (w < 0)
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "%s must be true or false, not %s", what,
                     sd__ydescribe(n, d, sizeof d));
    *out = w < 2;
    return SD_OK;
}

/* One of a list of words (case-insensitive); `choices` reads "a, b or c". */
sd_status sd__ywant_word(sd_yctx *c, const yaml_node_t *n, const char *what,
                           const char *const *words, const char *choices, const char *var, int *out)
{
    char d[64];
    int w = -1;
    if (n->type == YAML_SCALAR_NODE && !sd__yis_null(n) &&
        strlen((const char *)n->data.scalar.value) == n->data.scalar.length)
        w = sd__yword_index(words, (const char *)n->data.scalar.value);
    if (w < 0)
        return sd__yfail(c, SD_E_INVALID, sd__ypos(n), var, "%s must be %s, not %s", what, choices,
                     sd__ydescribe(n, d, sizeof d));
    *out = w;
    return SD_OK;
}

sd_status sd__ywant_kind(sd_yctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *expected,
                           const char *var)
{
    char d[64];
    if (n->type == t)
        return SD_OK;
    return sd__yfail(c, SD_E_PARSE, sd__ypos(n), var, "expected %s, not %s", expected,
                 sd__ydescribe(n, d, sizeof d));
}

size_t sd__yseq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

size_t sd__ymap_len(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

sd_status sd__ycheck_count(sd_yctx *c, const yaml_node_t *n, size_t count, const char *what,
                             const char *var)
{
    if (count > SD_YMAX_ITEMS)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(n), var, "more than %zu entries in %s", SD_YMAX_ITEMS,
                     what);
    return SD_OK;
}

/* The value of key "name" in a mapping when it is a usable text, else NULL
 * (used to name an entry in messages before its keys are checked). */
const char *sd__ypeek_name(sd_yctx *c, const yaml_node_t *map)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&c->doc, p->value);
        if (k && v && sd__yis(k, "name") && v->type == YAML_SCALAR_NODE && !sd__yis_null(v) &&
            v->data.scalar.length <= 64 &&
            strlen((char *)v->data.scalar.value) == v->data.scalar.length &&
            sd__utf8_valid_prefix((char *)v->data.scalar.value, v->data.scalar.length) ==
                v->data.scalar.length)
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

/* Check a mapping's keys against a NULL-terminated list (unknown and
 * repeated keys are errors) and fill vals[i] with the value of keys[i], or
 * NULL when absent or empty (an empty value is the same as no key), and
 * kpos[i] with the key's position. `ctx` reads "in variable 'role'". */
sd_status sd__yread_keys(sd_yctx *c, const yaml_node_t *map, const char *const *keys,
                           const char *ctx, const char *var, yaml_node_t **vals, sd_ypos *kpos)
{
    size_t nkeys = 0;
    while (keys[nkeys])
        nkeys++;
    bool seen[SD_YMAX_KEYS] = {false};
    for (size_t i = 0; i < nkeys; i++)
        vals[i] = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        const char *name;
        char d[64];
        sd_status st = sd__yget(c, p->key, &k);
        if (st != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var, "expected a key %s, not %s", ctx,
                         sd__ydescribe(k, d, sizeof d));
        if ((st = sd__ytext(c, k, var, &name)) != SD_OK)
            return st;
        size_t i = 0;
        while (i < nkeys && strcmp(keys[i], name) != 0)
            i++;
        if (i == nkeys) {
            char list[256] = "";
            size_t used = 0, bestd = 3;
            const char *best = NULL;
            for (size_t j = 0; j < nkeys; j++) {
                size_t dist = sd__edit_distance(name, keys[j]);
                if (dist < bestd) {
                    bestd = dist;
                    best = keys[j];
                }
                if (used < sizeof list) {
                    int w = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                     keys[j]);
                    used += w > 0 ? (size_t)w : 0;
                }
            }
            if (best)
                return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var,
                                 "unknown key '%.64s' %s; did you mean '%s'? (expected one of: %s)", name,
                                 ctx, best, list);
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var,
                             "unknown key '%.64s' %s; expected one of: %s", name, ctx, list);
        }
        if (seen[i])
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var, "duplicate key '%s' %s", name, ctx);
        seen[i] = true;
        kpos[i] = sd__ypos(k);
        if ((st = sd__yget(c, p->value, &v)) != SD_OK)
            return st;
        vals[i] = sd__yis_null(v) ? NULL : v;
    }
    return SD_OK;
}

/* ---- labels */

/* A label: a text (untagged) or a mapping language -> text, where the
 * language is 2 to 8 ASCII letters (kept in lowercase) or _ (untagged). */
sd_status sd__yread_labels(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                             sd_labels *out)
{
    char d[64];
    const char *text;
    sd_status st;
    if (n->type == YAML_SCALAR_NODE && !sd__yis_null(n)) {
        if ((st = sd__ytext(c, n, var, &text)) != SD_OK)
            return st;
        if (!sd__labels_set(out, NULL, text))
            return sd__ynomem(c);
        return SD_OK;
    }
    if (n->type != YAML_MAPPING_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(n), var,
                     "expected a text or a mapping of languages to texts for %s, not %s", what,
                     sd__ydescribe(n, d, sizeof d));
    if (sd__ymap_len(n) > SD_YMAX_LANGS)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(n), var, "%s has more than %d languages", what,
                     SD_YMAX_LANGS);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        const char *tag;
        if ((st = sd__yget(c, p->key, &k)) != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var, "expected a language for %s, not %s", what,
                         sd__ydescribe(k, d, sizeof d));
        if ((st = sd__ytext(c, k, var, &tag)) != SD_OK)
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
            return sd__yfail(c, SD_E_INVALID, sd__ypos(k), var,
                         "'%.64s' is not a language tag (in %s); expected 2 to 8 letters such as "
                         "fr or en, or _ for the untagged text",
                         tag, what);
        const char *lg = strcmp(tag, "_") == 0 ? NULL : lang;
        if (sd__labels_get_exact(out, lg))
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), var, "duplicate language '%s' in %s", tag, what);
        if ((st = sd__yget(c, p->value, &v)) != SD_OK)
            return st;
        if (v->type != YAML_SCALAR_NODE || sd__yis_null(v))
            return sd__yfail(c, SD_E_PARSE, sd__ypos(v), var, "expected a text for %s in '%s', not %s",
                         what, tag, sd__ydescribe(v, d, sizeof d));
        if ((st = sd__ytext(c, v, var, &text)) != SD_OK)
            return st;
        if (!sd__labels_set(out, lg, text))
            return sd__ynomem(c);
    }
    return SD_OK;
}

/* Line and column (1-based, counted in characters as libyaml does) of a
 * byte offset. */
static sd_ypos pos_at(const char *s, size_t len, size_t off)
{
    sd_ypos p = {1, 1};
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

static sd_status yaml_fail(sd_yctx *c, const yaml_parser_t *ps, const char *yaml, size_t len)
{
    if (ps->error == YAML_MEMORY_ERROR)
        return sd__ynomem(c);
    sd_ypos p;
    if (ps->error == YAML_READER_ERROR)
        p = pos_at(yaml, len, ps->problem_offset);
    else
        p = (sd_ypos){(long)ps->problem_mark.line + 1, (long)ps->problem_mark.column + 1};
    const char *problem = ps->problem ? ps->problem : "unknown problem";
    if (ps->context)
        return sd__yfail(c, SD_E_PARSE, p, NULL, "invalid YAML: %s (%s at line %ld, column %ld)",
                     problem, ps->context, (long)ps->context_mark.line + 1,
                     (long)ps->context_mark.column + 1);
    return sd__yfail(c, SD_E_PARSE, p, NULL, "invalid YAML: %s", problem);
}

/* ---- loading: libyaml events into a yaml_document_t
 *
 * yaml_parser_load would do this, but libyaml 0.2.5 spends time proportional
 * to the flow nesting depth on every token, so "[[[[…" a few hundred KiB
 * long takes minutes. A codebook needs 6 levels; loading from events lets us
 * stop at SD_YMAX_DEPTH before that cost grows. Anchors are kept sorted by
 * name (at most SD_YMAX_ANCHORS) so that aliases are found in log time. */


typedef struct anchor {
    char *name; /* owned */
    int id;
} anchor;

typedef struct loader {
    sd_yctx *c;
    yaml_parser_t *ps;
    const char *yaml;
    size_t len;
    yaml_document_t *doc;
    struct {
        int id;  /* a sequence or mapping node */
        int key; /* a mapping's key waiting for its value, 0 when none */
    } stack[SD_YMAX_DEPTH];
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
    sd_ypos p = {(long)m.line + 1, (long)m.column + 1};
    size_t lo = 0, hi = L->nanchors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(L->anchors[mid].name, name);
        if (r == 0)
            return sd__yfail(L->c, SD_E_PARSE, p, NULL, "invalid YAML: found duplicate anchor '%.40s'",
                         name);
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (L->nanchors >= SD_YMAX_ANCHORS)
        return sd__yfail(L->c, SD_E_TOO_LARGE, p, NULL, "more than %d anchors", SD_YMAX_ANCHORS);
    anchor *a = sd__reallocarray(L->anchors, L->nanchors + 1, sizeof *a);
    if (!a)
        return sd__ynomem(L->c);
    L->anchors = a;
    char *copy = sd__strdup(name);
    if (!copy)
        return sd__ynomem(L->c);
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
    return ok ? SD_OK : sd__ynomem(L->c);
}

/* A node made from event `ev`: set its marks, register its anchor, attach. */
static sd_status added(loader *L, int id, const yaml_event_t *ev, const yaml_char_t *anchor_name)
{
    if (!id)
        return sd__ynomem(L->c);
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
    if (L->depth >= SD_YMAX_DEPTH)
        return sd__yfail(L->c, SD_E_TOO_LARGE,
                     (sd_ypos){(long)ev->start_mark.line + 1, (long)ev->start_mark.column + 1}, NULL,
                     "the %s nests lists and mappings deeper than %d levels", L->c->what,
                     SD_YMAX_DEPTH);
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
            return sd__yfail(L->c, SD_E_PARSE,
                         (sd_ypos){(long)ev->start_mark.line + 1, (long)ev->start_mark.column + 1},
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
                return sd__ynomem(L->c);
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
        sd_ypos p = {(long)ev.start_mark.line + 1, (long)ev.start_mark.column + 1};
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            return SD_OK;
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT)
            return sd__yfail(L->c, SD_E_PARSE, p, NULL,
                         "a %s is one YAML document; found a second one", L->c->what);
    }
}


/* ---- the entry point */

sd_status sd__yaml_load(sd_yctx *c, const char *text, size_t len, const char *file,
                        const char *what, sd_error *err, yaml_node_t **root)
{
    memset(c, 0, sizeof *c);
    c->file = file;
    c->what = what;
    c->err = err;
    *root = NULL;
    if (!text && len)
        return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL, "no %s text given", what);
    if (len > SD_YMAX_INPUT)
        return sd__fail(err, SD_E_TOO_LARGE, file, 0, 0, NULL, "the %s is larger than %zu MiB",
                        what, SD_YMAX_INPUT >> 20);
    /* A byte-order mark (Windows editors write one) is not content. */
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    text = text ? text + skip : "";
    len -= skip;
    size_t valid = sd__utf8_valid_prefix(text, len);
    if (valid != len) {
        sd_ypos p = pos_at(text, len, valid);
        return sd__fail(err, SD_E_ENCODING, file, p.line, p.col, NULL,
                        "the %s is not valid UTF-8 (byte %zu)", what, valid + skip + 1);
    }
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);
    loader L = {.c = c, .ps = &ps, .yaml = text, .len = len, .doc = &c->doc};
    sd_status st = load_stream(&L, &c->have_doc);
    for (size_t i = 0; i < L.nanchors; i++)
        sd__free(L.anchors[i].name);
    sd__free(L.anchors);
    yaml_parser_delete(&ps);
    if (st == SD_OK && c->have_doc) {
        *root = yaml_document_get_root_node(&c->doc);
        c->budget = (size_t)(c->doc.nodes.top - c->doc.nodes.start) + SD_YMAX_EXPAND;
    }
    return st;
}

void sd__yaml_done(sd_yctx *c)
{
    if (c->have_doc)
        yaml_document_delete(&c->doc);
    c->have_doc = false;
}
