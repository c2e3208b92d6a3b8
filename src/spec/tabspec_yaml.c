/*
 * tabspec_yaml.c — the table spec file (docs/tables.md): a YAML document
 * whose `tables` is a list of table requests, each a mapping of the same
 * options as `sondage tab` (rows, cols, filter, pct, weight, tests...),
 * over `defaults` that every table starts from. A bare list is a list of
 * tables. This file only reads the document into (option, value, where)
 * entries; the engine applies them through the one option parser the
 * command line uses (engine/tabspec.c), so the two cannot disagree.
 */
#include "spec.h"
#include "../io/yaml_doc.h"

#include <string.h>

#define TF_MAX_TABLES 100000

void sd__tabfile_free(sd_tabfile *f)
{
    if (!f)
        return;
    for (size_t t = 0; t <= f->ntables; t++) {
        sd_tentry *e = t == 0 ? &f->defaults : &f->tables[t - 1];
        for (size_t i = 0; i < e->n; i++) {
            sd__free(e->opts[i].key);
            sd__free(e->opts[i].value);
        }
        sd__free(e->opts);
    }
    sd__free(f->tables);
    sd__free(f->file);
    sd__free(f);
}

static sd_status add_opt(sd_yctx *c, sd_tentry *e, const char *key, const char *value,
                         sd_ypos p, sd_ypos kp)
{
    char *k = sd__strdup(key), *v = sd__strdup(value);
    if (!k || !v || !sd__grow((void **)&e->opts, &e->cap, e->n + 1, sizeof *e->opts)) {
        sd__free(k);
        sd__free(v);
        return sd__ynomem(c);
    }
    e->opts[e->n++] = (sd_topt){k, v, p.line, p.col, kp.line, kp.col};
    return SD_OK;
}

/* A scalar option value as the command line would spell it: YAML's
 * booleans as true/false. */
static const char *value_text(const yaml_node_t *n, const char *s)
{
    static const char *const yes[] = {"true", "yes", "on", NULL};
    static const char *const no[] = {"false", "no", "off", NULL};
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return s;
    if (sd__yword_index(yes, s) >= 0)
        return "true";
    if (sd__yword_index(no, s) >= 0)
        return "false";
    return s;
}

/* Keys whose list is several options (each item one --rows, --cols,
 * --filter); any other key's list is one comma-separated value. */
static bool repeats(const char *key)
{
    return !strcmp(key, "rows") || !strcmp(key, "cols") || !strcmp(key, "filter");
}

static sd_status read_entry(sd_yctx *c, const yaml_node_t *map, const char *what, sd_tentry *e)
{
    sd_status st = sd__ywant_kind(c, map, YAML_MAPPING_NODE, what, NULL);
    if (st != SD_OK)
        return st;
    sd_ypos mp = sd__ypos(map);
    e->line = mp.line;
    e->col = mp.col;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        const char *key, *s;
        char d[64];
        if ((st = sd__yget(c, p->key, &k)) != SD_OK || (st = sd__yget(c, p->value, &v)) != SD_OK)
            return st;
        if (k->type != YAML_SCALAR_NODE)
            return sd__yfail(c, SD_E_PARSE, sd__ypos(k), NULL, "expected an option name in %s, "
                             "not %s", what, sd__ydescribe(k, d, sizeof d));
        if ((st = sd__ytext(c, k, NULL, &key)) != SD_OK)
            return st;
        if (sd__yis_null(v))
            return sd__yfail(c, SD_E_INVALID, sd__ypos(v), NULL,
                             "option '%.64s' has no value: expected one", key);
        if (v->type == YAML_SCALAR_NODE) {
            if ((st = sd__ytext(c, v, NULL, &s)) != SD_OK ||
                (st = add_opt(c, e, key, value_text(v, s), sd__ypos(v), sd__ypos(k))) != SD_OK)
                return st;
            continue;
        }
        if (v->type != YAML_SEQUENCE_NODE)
            return sd__yfail(c, SD_E_PARSE, sd__ypos(v), NULL,
                             "option '%.64s': expected a value or a list of values, not %s", key,
                             sd__ydescribe(v, d, sizeof d));
        size_t n = sd__yseq_len(v);
        if ((st = sd__ycheck_count(c, v, n, key, NULL)) != SD_OK)
            return st;
        sd_strbuf joined;
        sd__sb_init(&joined, SD_YMAX_TEXT * 4);
        for (size_t i = 0; i < n && st == SD_OK; i++) {
            yaml_node_t *it;
            if ((st = sd__yget(c, v->data.sequence.items.start[i], &it)) != SD_OK)
                break;
            if (it->type != YAML_SCALAR_NODE || sd__yis_null(it)) {
                st = sd__yfail(c, SD_E_PARSE, sd__ypos(it), NULL,
                               "option '%.64s': item %zu of the list is %s, expected a value",
                               key, i + 1, sd__ydescribe(it, d, sizeof d));
                break;
            }
            if ((st = sd__ytext(c, it, NULL, &s)) != SD_OK)
                break;
            if (repeats(key)) {
                st = add_opt(c, e, key, s, sd__ypos(it), sd__ypos(k));
            } else {
                if (i)
                    sd__sb_putc(&joined, ',');
                sd__sb_puts(&joined, s);
            }
        }
        if (st == SD_OK && !repeats(key) && n) {
            if (sd__sb_status(&joined) != SD_OK)
                st = sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(v), NULL, "option '%.64s': the list "
                               "is too long", key);
            else
                st = add_opt(c, e, key, sd__sb_str(&joined), sd__ypos(v), sd__ypos(k));
        }
        sd__sb_free(&joined);
        if (st != SD_OK)
            return st;
    }
    return SD_OK;
}

static sd_status read_tables(sd_yctx *c, const yaml_node_t *seq, sd_tabfile *f)
{
    char d[64];
    if (seq->type != YAML_SEQUENCE_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(seq), NULL,
                         "tables must be a list of table requests, not %s",
                         sd__ydescribe(seq, d, sizeof d));
    size_t n = sd__yseq_len(seq);
    if (n > TF_MAX_TABLES)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(seq), NULL, "more than %d tables",
                         TF_MAX_TABLES);
    if (n == 0)
        return sd__yfail(c, SD_E_INVALID, sd__ypos(seq), NULL,
                         "tables is empty: expected at least one table request");
    if (!(f->tables = sd__zalloc(n, sizeof *f->tables)))
        return sd__ynomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *it;
        char what[48];
        snprintf(what, sizeof what, "table %zu (a mapping of options)", i + 1);
        sd_status st = sd__yget(c, seq->data.sequence.items.start[i], &it);
        if (st == SD_OK)
            st = read_entry(c, it, what, &f->tables[i]);
        f->ntables++;
        if (st != SD_OK)
            return st;
    }
    return SD_OK;
}

sd_status sd__tabfile_parse(const char *yaml, size_t len, const char *name, sd_tabfile **out,
                            sd_error *err)
{
    *out = NULL;
    sd_yctx c;
    yaml_node_t *root = NULL;
    sd_tabfile *f = NULL;
    sd_status st = sd__yaml_load(&c, yaml, len, name, "table spec", err, &root);
    if (st == SD_OK && (!(f = sd__calloc(1, sizeof *f)) || (name && !(f->file = sd__strdup(name)))))
        st = sd__ynomem(&c);
    if (st == SD_OK && !root)
        st = sd__fail(err, SD_E_EMPTY, name, 0, 0, NULL,
                      "the table spec is empty: expected tables: followed by a list of table "
                      "requests");
    if (st == SD_OK && root->type == YAML_SEQUENCE_NODE) {
        st = read_tables(&c, root, f);
    } else if (st == SD_OK) {
        static const char *const keys[] = {"sondage_tables", "defaults", "tables", NULL};
        yaml_node_t *vals[SD_YMAX_KEYS];
        sd_ypos kpos[SD_YMAX_KEYS];
        char d[64];
        if (root->type != YAML_MAPPING_NODE)
            st = sd__yfail(&c, SD_E_PARSE, sd__ypos(root), NULL,
                           "expected a mapping (defaults, tables) or a list of tables, not %s",
                           sd__ydescribe(root, d, sizeof d));
        if (st == SD_OK)
            st = sd__yread_keys(&c, root, keys, "at the top level", NULL, vals, kpos);
        if (st == SD_OK && vals[0] && !sd__yis(vals[0], "1"))
            st = sd__yfail(&c, SD_E_INVALID, sd__ypos(vals[0]), NULL,
                           "sondage_tables must be 1 (the only format version), not %s",
                           sd__ydescribe(vals[0], d, sizeof d));
        if (st == SD_OK && vals[1])
            st = read_entry(&c, vals[1], "defaults (a mapping of options)", &f->defaults);
        if (st == SD_OK && !vals[2])
            st = sd__yfail(&c, SD_E_INVALID, sd__ypos(root), NULL,
                           "no tables: expected tables: followed by a list of table requests");
        if (st == SD_OK)
            st = read_tables(&c, vals[2], f);
    }
    sd__yaml_done(&c);
    if (st != SD_OK) {
        sd__tabfile_free(f);
        return st;
    }
    *out = f;
    return SD_OK;
}
