/*
 * tabspec_yaml.c — the table spec file (docs/tables.md): a YAML document
 * whose `tables` is a list of table requests, each a mapping of the same
 * options as `sondage tab` (rows, cols, filter, pct, weight, tests...),
 * over `defaults` that every table starts from. A bare list is a list of
 * tables. A report spec (docs/reports.md) adds a title, an introduction,
 * sections (each a title, a text and its tables) and notes, each a label
 * in several languages. This file only reads the document into (option, value, where)
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
    for (size_t i = 0; i < f->nsections; i++) {
        sd__labels_free(&f->sections[i].title);
        sd__labels_free(&f->sections[i].text);
    }
    sd__free(f->sections);
    sd__labels_free(&f->title);
    sd__labels_free(&f->intro);
    sd__labels_free(&f->notes);
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

/* A list of table requests, appended to f->tables. */
static sd_status read_tables(sd_yctx *c, const yaml_node_t *seq, sd_tabfile *f)
{
    char d[64];
    if (seq->type != YAML_SEQUENCE_NODE)
        return sd__yfail(c, SD_E_PARSE, sd__ypos(seq), NULL,
                         "tables must be a list of table requests, not %s",
                         sd__ydescribe(seq, d, sizeof d));
    size_t n = sd__yseq_len(seq), total;
    if (!sd__add_ok(f->ntables, n, &total) || total > TF_MAX_TABLES)
        return sd__yfail(c, SD_E_TOO_LARGE, sd__ypos(seq), NULL, "more than %d tables",
                         TF_MAX_TABLES);
    if (n == 0)
        return sd__yfail(c, SD_E_INVALID, sd__ypos(seq), NULL,
                         "tables is empty: expected at least one table request");
    sd_tentry *v = sd__reallocarray(f->tables, total, sizeof *v);
    if (!v)
        return sd__ynomem(c);
    f->tables = v;
    memset(v + f->ntables, 0, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *it;
        char what[48];
        snprintf(what, sizeof what, "table %zu (a mapping of options)", f->ntables + 1);
        sd_status st = sd__yget(c, seq->data.sequence.items.start[i], &it);
        if (st == SD_OK)
            st = read_entry(c, it, what, &f->tables[f->ntables]);
        f->ntables++;
        if (st != SD_OK)
            return st;
    }
    return SD_OK;
}

static sd_status add_section(sd_yctx *c, sd_tabfile *f, sd_tsection **out)
{
    sd_tsection *v = sd__reallocarray(f->sections, f->nsections + 1, sizeof *v);
    if (!v)
        return sd__ynomem(c);
    f->sections = v;
    *out = &v[f->nsections++];
    memset(*out, 0, sizeof **out);
    (*out)->first = f->ntables;
    return SD_OK;
}

/* A report's sections: each a title, a text and its tables. */
static sd_status read_sections(sd_yctx *c, const yaml_node_t *seq, sd_tabfile *f)
{
    static const char *const keys[] = {"title", "text", "tables", NULL};
    sd_status st = sd__ywant_kind(c, seq, YAML_SEQUENCE_NODE, "a list of sections", NULL);
    for (size_t i = 0; st == SD_OK && i < sd__yseq_len(seq); i++) {
        yaml_node_t *it, *vals[SD_YMAX_KEYS];
        sd_ypos kpos[SD_YMAX_KEYS];
        sd_tsection *sec;
        if ((st = sd__yget(c, seq->data.sequence.items.start[i], &it)) != SD_OK ||
            (st = sd__ywant_kind(c, it, YAML_MAPPING_NODE,
                                 "a section (a mapping of title, text, tables)", NULL)) != SD_OK ||
            (st = sd__yread_keys(c, it, keys, "in a section", NULL, vals, kpos)) != SD_OK ||
            (st = add_section(c, f, &sec)) != SD_OK)
            break;
        if (vals[0] && (st = sd__yread_labels(c, vals[0], "a section's title", NULL,
                                              &sec->title)) != SD_OK)
            break;
        if (vals[1] &&
            (st = sd__yread_labels(c, vals[1], "a section's text", NULL, &sec->text)) != SD_OK)
            break;
        if (vals[2] && (st = read_tables(c, vals[2], f)) != SD_OK)
            break;
        f->sections[f->nsections - 1].count = f->ntables - f->sections[f->nsections - 1].first;
    }
    return st;
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
        sd_tsection *sec;
        if ((st = add_section(&c, f, &sec)) == SD_OK && (st = read_tables(&c, root, f)) == SD_OK)
            f->sections[0].count = f->ntables;
    } else if (st == SD_OK) {
        enum { K_TVER, K_RVER, K_TITLE, K_INTRO, K_DEFAULTS, K_TABLES, K_SECTIONS, K_NOTES };
        static const char *const keys[] = {"sondage_tables", "sondage_report", "title",
                                           "introduction",   "defaults",       "tables",
                                           "sections",       "notes",          NULL};
        yaml_node_t *vals[SD_YMAX_KEYS];
        sd_ypos kpos[SD_YMAX_KEYS];
        char d[64];
        if (root->type != YAML_MAPPING_NODE)
            st = sd__yfail(&c, SD_E_PARSE, sd__ypos(root), NULL,
                           "expected a mapping (defaults, tables) or a list of tables, not %s",
                           sd__ydescribe(root, d, sizeof d));
        if (st == SD_OK)
            st = sd__yread_keys(&c, root, keys, "at the top level", NULL, vals, kpos);
        for (int k = K_TVER; st == SD_OK && k <= K_RVER; k++)
            if (vals[k] && !sd__yis(vals[k], "1"))
                st = sd__yfail(&c, SD_E_INVALID, sd__ypos(vals[k]), NULL,
                               "%s must be 1 (the only format version), not %s", keys[k],
                               sd__ydescribe(vals[k], d, sizeof d));
        if (st == SD_OK && vals[K_TITLE])
            st = sd__yread_labels(&c, vals[K_TITLE], "title", NULL, &f->title);
        if (st == SD_OK && vals[K_INTRO])
            st = sd__yread_labels(&c, vals[K_INTRO], "introduction", NULL, &f->intro);
        if (st == SD_OK && vals[K_NOTES])
            st = sd__yread_labels(&c, vals[K_NOTES], "notes", NULL, &f->notes);
        if (st == SD_OK && vals[K_DEFAULTS])
            st = read_entry(&c, vals[K_DEFAULTS], "defaults (a mapping of options)",
                            &f->defaults);
        if (st == SD_OK && !vals[K_TABLES] && !vals[K_SECTIONS])
            st = sd__yfail(&c, SD_E_INVALID, sd__ypos(root), NULL,
                           "no tables: expected tables: followed by a list of table requests");
        if (st == SD_OK && vals[K_TABLES]) {
            sd_tsection *sec;
            if ((st = add_section(&c, f, &sec)) == SD_OK &&
                (st = read_tables(&c, vals[K_TABLES], f)) == SD_OK)
                f->sections[f->nsections - 1].count = f->ntables;
        }
        if (st == SD_OK && vals[K_SECTIONS])
            st = read_sections(&c, vals[K_SECTIONS], f);
        if (st == SD_OK && f->ntables == 0)
            st = sd__yfail(&c, SD_E_INVALID, sd__ypos(root), NULL,
                           "no tables in any section: expected tables: in a section");
    }
    sd__yaml_done(&c);
    if (st != SD_OK) {
        sd__tabfile_free(f);
        return st;
    }
    *out = f;
    return SD_OK;
}
