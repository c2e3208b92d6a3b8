/*
 * yaml_doc.h — reading YAML documents that people write (the codebook, the
 * table spec, a questionnaire, weighting targets) with libyaml: a capped
 * loader that keeps every node's line and column, and the small readers a
 * schema-directed walk needs (texts, numbers, words, keys of a mapping,
 * labels in several languages), each failing with one message that names
 * the file, the line, the column and what was expected.
 *
 * A walk is directed by the reader's schema, never by the document's own
 * shape, so an alias cycle cannot loop; the nodes aliases make a walk visit
 * are capped (sd__yget counts them).
 */
#ifndef SD_YAML_DOC_H
#define SD_YAML_DOC_H

#include "../data/data.h"

#include <yaml.h>

/* Caps on what a document may hold; each failure is SD_E_TOO_LARGE. */
#define SD_YMAX_INPUT ((size_t)1 << 28)  /* 256 MiB of YAML */
#define SD_YMAX_TEXT ((size_t)65536)     /* one label, note, name or value, in bytes */
#define SD_YMAX_ITEMS SD_MAX_VARS        /* entries in any one list or mapping */
#define SD_YMAX_LANGS 64                 /* languages in one label */
#define SD_YMAX_EXPAND ((size_t)1 << 21) /* node visits beyond the document's own nodes */
#define SD_YMAX_DEPTH 32                 /* nesting of lists and mappings */
#define SD_YMAX_ANCHORS 10000
#define SD_YMAX_KEYS 32                  /* keys one sd__yread_keys call knows */

typedef struct sd_ypos {
    long line, col; /* 1-based */
} sd_ypos;

/* A loaded document and the context of its walk. */
typedef struct sd_yctx {
    yaml_document_t doc;
    bool have_doc;
    const char *file; /* borrowed: the name used in messages */
    const char *what; /* borrowed: the kind of document, "codebook", "table spec" */
    sd_error *err;
    size_t budget;    /* node visits left */
} sd_yctx;

/* Load one YAML document (UTF-8, a leading byte-order mark allowed) into
 * c. *root is NULL for an empty stream or document. Call sd__yaml_done
 * afterwards, whatever the status. `what` names the document in messages
 * ("the codebook is not valid UTF-8"). */
sd_status sd__yaml_load(sd_yctx *c, const char *text, size_t len, const char *file,
                        const char *what, sd_error *err, yaml_node_t **root);
void sd__yaml_done(sd_yctx *c);

sd_ypos sd__ypos(const yaml_node_t *n);
/* Record a failure at p (file from c) and return st. */
sd_status sd__yfail(sd_yctx *c, sd_status st, sd_ypos p, const char *var, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
sd_status sd__ynomem(sd_yctx *c);
/* A node by id, counted against the visit budget. */
sd_status sd__yget(sd_yctx *c, int id, yaml_node_t **out);
/* Is the node an empty value (plain "", ~ or null)? */
bool sd__yis_null(const yaml_node_t *n);
/* Is the node the scalar `word` exactly (a "\0" escape cannot fool it)? */
bool sd__yis(const yaml_node_t *n, const char *word);
/* How a node looks, for "not ..." in messages. */
const char *sd__ydescribe(const yaml_node_t *n, char *buf, size_t cap);
/* A scalar's checked text (capped, no NUL, valid UTF-8), borrowed. */
sd_status sd__ytext(sd_yctx *c, const yaml_node_t *n, const char *var, const char **s);
/* A non-empty scalar's text, for a key whose value must be one. */
sd_status sd__ywant_text(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                         const char **s);
bool sd__yscalar_number(const yaml_node_t *n, double *out);
sd_status sd__ywant_number(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                           double *out);
sd_status sd__ywant_uint(sd_yctx *c, const yaml_node_t *n, const char *what, unsigned long max,
                         const char *var, int *out);
sd_status sd__ywant_bool(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                         bool *out);
/* One of a NULL-terminated list of words (ASCII case-insensitive);
 * `choices` reads "a, b or c" in the message. */
sd_status sd__ywant_word(sd_yctx *c, const yaml_node_t *n, const char *what,
                         const char *const *words, const char *choices, const char *var,
                         int *out);
sd_status sd__ywant_kind(sd_yctx *c, const yaml_node_t *n, yaml_node_type_t t,
                         const char *expected, const char *var);
size_t sd__yseq_len(const yaml_node_t *n);
size_t sd__ymap_len(const yaml_node_t *n);
sd_status sd__ycheck_count(sd_yctx *c, const yaml_node_t *n, size_t count, const char *what,
                           const char *var);
/* The value of key "name" in a mapping when it is a usable text, else NULL. */
const char *sd__ypeek_name(sd_yctx *c, const yaml_node_t *map);
/* Check a mapping's keys against a NULL-terminated list (at most
 * SD_YMAX_KEYS; unknown and repeated keys are errors) and fill vals[i] with
 * the value of keys[i], or NULL when absent or empty, and kpos[i] with the
 * key's position. `ctx` reads "in variable 'role'". */
sd_status sd__yread_keys(sd_yctx *c, const yaml_node_t *map, const char *const *keys,
                         const char *ctx, const char *var, yaml_node_t **vals, sd_ypos *kpos);
/* A label: a text (untagged) or a mapping language -> text. */
sd_status sd__yread_labels(sd_yctx *c, const yaml_node_t *n, const char *what, const char *var,
                           sd_labels *out);
/* ASCII case-insensitive comparisons (never the locale's). */
bool sd__yeq_nocase(const char *a, const char *b);
int sd__yword_index(const char *const *words, const char *s);

#endif /* SD_YAML_DOC_H */
