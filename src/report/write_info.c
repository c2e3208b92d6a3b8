/*
 * write_info.c — a dataset's codebook for people (laid out as SPSS's
 * DISPLAY DICTIONARY: variables, value labels, missing values, sets) and for
 * machines (JSON, every language).
 */
#include "report.h"

#include <math.h>
#include <string.h>

static const char *type_name(sd_type t) { return t == SD_TYPE_STRING ? "string" : "numeric"; }

static const char *measure_name(sd_measure m)
{
    switch (m) {
    case SD_MEASURE_NOMINAL: return "nominal";
    case SD_MEASURE_ORDINAL: return "ordinal";
    case SD_MEASURE_SCALE: return "scale";
    }
    return "";
}

/* The missing-value spec as SPSS shows it: "8, 9" or "90 thru 99". */
static void missing_text(sd_strbuf *sb, const sd_var *v)
{
    bool any = false;
    for (size_t i = 0; i < v->nmiss; i++) {
        sd__sb_puts(sb, any ? ", " : "");
        sd__sb_num(sb, v->miss_codes[i]);
        any = true;
    }
    for (size_t i = 0; i < v->nmiss_strs; i++) {
        sd__sb_puts(sb, any ? ", \"" : "\"");
        sd__sb_puts(sb, v->miss_strs[i]);
        sd__sb_putc(sb, '"');
        any = true;
    }
    if (v->has_miss_range) {
        sd__sb_puts(sb, any ? ", " : "");
        if (isinf(v->miss_lo))
            sd__sb_puts(sb, "lowest");
        else
            sd__sb_num(sb, v->miss_lo);
        sd__sb_puts(sb, " thru ");
        if (isinf(v->miss_hi))
            sd__sb_puts(sb, "highest");
        else
            sd__sb_num(sb, v->miss_hi);
    }
}

sd_status sd__write_info_text(const sd_dataset *ds, const char *lang, sd_strbuf *sb)
{
    bool fr = sd__lang_is_fr(lang);
    const char *title = sd__labels_get(&ds->title, lang);
    sd__sb_printf(sb, fr ? "Fichier : %s\n" : "File: %s\n", ds->source ? ds->source : "");
    if (title)
        sd__sb_printf(sb, fr ? "Titre : %s\n" : "Title: %s\n", title);
    sd__sb_printf(sb,
                  fr ? "Lignes : %zu   Variables : %zu   Ensembles à réponses multiples : %zu\n"
                     : "Rows: %zu   Variables: %zu   Multiple-response sets: %zu\n",
                  sd_dataset_nrows(ds), ds->nvars, ds->nmr);
    if (ds->design.declared && ds->design.weight) /* a .sav's WEIGHT BY, or a codebook's */
        sd__sb_printf(sb, fr ? "Pondération : %s\n" : "Weight: %s\n", ds->design.weight);
    size_t nw = 4;
    for (size_t i = 0; i < ds->nvars; i++) {
        size_t w = sd__display_width(ds->vars[i]->name);
        nw = w > nw ? w : nw;
    }
    sd__sb_puts(sb, fr ? "\nInformations sur les variables\n" : "\nVariable information\n");
    sd__sb_pad(sb, "Pos", 4, false);
    sd__sb_putc(sb, ' ');
    sd__sb_pad(sb, fr ? "Nom" : "Name", nw, false);
    sd__sb_puts(sb, fr ? " Type     Mesure   Manquantes       Libellé\n"
                       : " Type     Measure  Missing          Label\n");
    for (size_t i = 0; i < ds->nvars; i++) {
        const sd_var *v = ds->vars[i];
        char pos[24];
        snprintf(pos, sizeof pos, "%zu", i + 1);
        sd__sb_pad(sb, pos, 4, false);
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, v->name, nw, false);
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, type_name(v->type), 8, false);
        sd__sb_putc(sb, ' ');
        sd__sb_pad(sb, measure_name(v->measure), 8, false);
        sd__sb_putc(sb, ' ');
        sd_strbuf m;
        sd__sb_init(&m, 4096);
        missing_text(&m, v);
        sd__sb_pad(sb, sd__sb_str(&m), 16, false);
        sd__sb_free(&m);
        const char *l = sd__labels_get(&v->label, lang);
        if (l) {
            sd__sb_putc(sb, ' ');
            sd__sb_puts(sb, l);
        }
        sd__sb_putc(sb, '\n');
    }
    bool header = false;
    for (size_t i = 0; i < ds->nvars; i++) {
        const sd_var *v = ds->vars[i];
        if (!v->nvl && !v->nnets)
            continue;
        if (!header) {
            sd__sb_puts(sb, fr ? "\nÉtiquettes de valeurs\n" : "\nValue labels\n");
            header = true;
        }
        sd__sb_printf(sb, "%s\n", v->name);
        for (size_t k = 0; k < v->nvl; k++) {
            char key[SD_NUMBUF];
            const char *ks = v->vl[k].str;
            if (!ks) {
                sd__fmt_double(key, v->vl[k].code);
                ks = key;
            }
            bool miss = v->vl[k].str ? sd__var_is_user_missing_str(v, v->vl[k].str)
                                     : sd__var_is_user_missing_num(v, v->vl[k].code);
            sd__sb_puts(sb, "  ");
            sd__sb_pad(sb, ks, 8, true);
            sd__sb_puts(sb, miss ? " M " : "   ");
            const char *l = sd__labels_get(&v->vl[k].labels, lang);
            sd__sb_puts(sb, l ? l : "");
            sd__sb_putc(sb, '\n');
        }
        for (size_t k = 0; k < v->nnets; k++) {
            const sd_net *n = &v->nets[k];
            sd__sb_printf(sb, fr ? "  net %s =" : "  net %s =", n->name);
            for (size_t c = 0; c < n->ncodes; c++) {
                sd__sb_putc(sb, c ? '+' : ' ');
                sd__sb_num(sb, n->codes[c]);
            }
            const char *l = sd__labels_get(&n->labels, lang);
            if (l)
                sd__sb_printf(sb, "  %s", l);
            sd__sb_putc(sb, '\n');
        }
    }
    if (header)
        sd__sb_puts(sb, fr ? "(M : valeur manquante déclarée)\n" : "(M: user-missing value)\n");
    if (ds->nmr) {
        sd__sb_puts(sb, fr ? "\nEnsembles à réponses multiples\n" : "\nMultiple-response sets\n");
        for (size_t i = 0; i < ds->nmr; i++) {
            const sd_mrset *m = ds->mr[i];
            sd__sb_printf(sb, "%s: ", m->name);
            if (m->kind == SD_MRSET_DICHOTOMY) {
                sd__sb_puts(sb, fr ? "dichotomies, valeur comptée " : "dichotomies, counted value ");
                sd__sb_num(sb, m->counted);
            } else {
                sd__sb_puts(sb, fr ? "catégories" : "categories");
            }
            const char *l = sd__labels_get(&m->label, lang);
            if (l)
                sd__sb_printf(sb, "; %s", l);
            sd__sb_puts(sb, "\n  ");
            for (size_t k = 0; k < m->nvars; k++) {
                sd__sb_puts(sb, k ? ", " : "");
                sd__sb_puts(sb, ds->vars[m->vars[k]]->name);
            }
            sd__sb_putc(sb, '\n');
        }
    }
    return sd__sb_status(sb);
}

static void json_labels(sd_strbuf *sb, const sd_labels *l)
{
    sd__sb_putc(sb, '{');
    for (size_t i = 0; i < l->n; i++) {
        sd__sb_puts(sb, i ? ", " : "");
        sd__sb_json_str(sb, l->v[i].lang ? l->v[i].lang : "");
        sd__sb_puts(sb, ": ");
        sd__sb_json_str(sb, l->v[i].text);
    }
    sd__sb_putc(sb, '}');
}

static void json_bound(sd_strbuf *sb, double x)
{
    if (isinf(x))
        sd__sb_puts(sb, x < 0 ? "\"lowest\"" : "\"highest\"");
    else
        sd__sb_json_num(sb, x);
}

sd_status sd__write_info_json(const sd_dataset *ds, const char *lang, sd_strbuf *sb)
{
    (void)lang;
    sd__sb_puts(sb, "{\n  \"sondage\": \"" SD_VERSION "\",\n  \"source\": ");
    sd__sb_json_str(sb, ds->source ? ds->source : "");
    sd__sb_puts(sb, ",\n  \"title\": ");
    json_labels(sb, &ds->title);
    sd__sb_printf(sb, ",\n  \"rows\": %zu,\n  \"variables\": [", sd_dataset_nrows(ds));
    for (size_t i = 0; i < ds->nvars; i++) {
        const sd_var *v = ds->vars[i];
        sd__sb_puts(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        sd__sb_json_str(sb, v->name);
        sd__sb_printf(sb, ", \"position\": %zu, \"type\": \"%s\", \"measure\": \"%s\", "
                          "\"width\": %d, \"decimals\": %d, \"label\": ",
                      i + 1, type_name(v->type), measure_name(v->measure), v->width, v->decimals);
        json_labels(sb, &v->label);
        if (v->note.n) {
            sd__sb_puts(sb, ", \"note\": ");
            json_labels(sb, &v->note);
        }
        sd__sb_puts(sb, ", \"values\": [");
        for (size_t k = 0; k < v->nvl; k++) {
            sd__sb_puts(sb, k ? ", {\"code\": " : "{\"code\": ");
            if (v->vl[k].str)
                sd__sb_json_str(sb, v->vl[k].str);
            else
                sd__sb_json_num(sb, v->vl[k].code);
            sd__sb_puts(sb, ", \"label\": ");
            json_labels(sb, &v->vl[k].labels);
            sd__sb_putc(sb, '}');
        }
        sd__sb_puts(sb, "], \"missing\": [");
        for (size_t k = 0; k < v->nmiss; k++) {
            sd__sb_puts(sb, k ? ", " : "");
            sd__sb_json_num(sb, v->miss_codes[k]);
        }
        for (size_t k = 0; k < v->nmiss_strs; k++) {
            sd__sb_puts(sb, k || v->nmiss ? ", " : "");
            sd__sb_json_str(sb, v->miss_strs[k]);
        }
        sd__sb_putc(sb, ']');
        if (v->has_miss_range) {
            sd__sb_puts(sb, ", \"missing_range\": [");
            json_bound(sb, v->miss_lo);
            sd__sb_puts(sb, ", ");
            json_bound(sb, v->miss_hi);
            sd__sb_putc(sb, ']');
        }
        if (v->nnets) {
            sd__sb_puts(sb, ", \"nets\": [");
            for (size_t k = 0; k < v->nnets; k++) {
                sd__sb_puts(sb, k ? ", {\"name\": " : "{\"name\": ");
                sd__sb_json_str(sb, v->nets[k].name);
                sd__sb_puts(sb, ", \"codes\": [");
                for (size_t c = 0; c < v->nets[k].ncodes; c++) {
                    sd__sb_puts(sb, c ? ", " : "");
                    sd__sb_json_num(sb, v->nets[k].codes[c]);
                }
                sd__sb_puts(sb, "], \"label\": ");
                json_labels(sb, &v->nets[k].labels);
                sd__sb_putc(sb, '}');
            }
            sd__sb_putc(sb, ']');
        }
        sd__sb_putc(sb, '}');
    }
    sd__sb_puts(sb, ds->nvars ? "\n  ],\n  \"mrsets\": [" : "],\n  \"mrsets\": [");
    for (size_t i = 0; i < ds->nmr; i++) {
        const sd_mrset *m = ds->mr[i];
        sd__sb_puts(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        sd__sb_json_str(sb, m->name);
        sd__sb_printf(sb, ", \"kind\": \"%s\"",
                      m->kind == SD_MRSET_DICHOTOMY ? "dichotomy" : "category");
        if (m->kind == SD_MRSET_DICHOTOMY) {
            sd__sb_puts(sb, ", \"counted\": ");
            sd__sb_json_num(sb, m->counted);
        }
        sd__sb_puts(sb, ", \"label\": ");
        json_labels(sb, &m->label);
        sd__sb_puts(sb, ", \"variables\": [");
        for (size_t k = 0; k < m->nvars; k++) {
            sd__sb_puts(sb, k ? ", " : "");
            sd__sb_json_str(sb, ds->vars[m->vars[k]]->name);
        }
        sd__sb_puts(sb, "]}");
    }
    sd__sb_puts(sb, ds->nmr ? "\n  ]\n}\n" : "]\n}\n");
    return sd__sb_status(sb);
}
