/*
 * qcodebook.c — the codebook a questionnaire makes: an empty dataset (no
 * rows) holding `id` and every stored variable with its labels in the
 * questionnaire's languages, value labels, user-missing codes and measure,
 * and one dichotomy set per multiple question; written as YAML by the io
 * layer's codebook writer, so the readers take it back as any codebook.
 */
#include "field.h"

#include "../io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy the labels in the questionnaire's languages (and the untagged one). */
static bool copy_labels(sd_labels *dst, const sd_labels *src, const sd__questionnaire *q)
{
    for (size_t i = 0; i < src->n; i++) {
        const char *lang = src->v[i].lang;
        bool keep = !lang;
        for (size_t k = 0; k < q->nlangs && !keep; k++)
            keep = strcmp(q->langs[k], lang) == 0;
        if (keep && !sd__labels_set(dst, lang, src->v[i].text))
            return false;
    }
    return true;
}

static bool set_label2(sd_labels *dst, const sd__questionnaire *q, const char *fr,
                       const char *en)
{
    sd_labels tmp = {0};
    bool ok = sd__labels_set(&tmp, "fr", fr) && sd__labels_set(&tmp, "en", en) &&
              copy_labels(dst, &tmp, q);
    sd__labels_free(&tmp);
    return ok;
}

static bool vlabel(sd_var *v, double code, const sd_labels *l, const sd__questionnaire *q)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *lang = l->v[i].lang;
        bool keep = !lang;
        for (size_t k = 0; k < q->nlangs && !keep; k++)
            keep = strcmp(q->langs[k], lang) == 0;
        if (keep && !sd__var_set_vlabel_num(v, code, lang, l->v[i].text))
            return false;
    }
    return true;
}

/* A grid line's label: the question then the line, "How would you rate…
 * the business units" (joined by a space after an ellipsis, else by a dash),
 * so that a table of one line says what was asked. */
static bool grid_label(sd_labels *dst, const sd__question *qs, const sd__qopt *it,
                       const sd__questionnaire *q)
{
    for (size_t k = 0; k < q->nlangs; k++) {
        const char *lang = q->langs[k];
        const char *t = sd__labels_get(&qs->text, lang), *i = sd__labels_get(&it->label, lang);
        size_t n = strlen(t);
        bool ellipsis = (n >= 3 && strcmp(t + n - 3, "\u2026") == 0) ||
                        (n >= 3 && strcmp(t + n - 3, "...") == 0);
        sd_strbuf sb;
        sd__sb_init(&sb, 2 * SD_Q_MAX_TEXT + 8);
        sd__sb_puts(&sb, t);
        sd__sb_puts(&sb, ellipsis ? " " : " \u2014 ");
        sd__sb_puts(&sb, i);
        bool ok = sd__sb_status(&sb) == SD_OK && sd__labels_set(dst, lang, sd__sb_str(&sb));
        sd__sb_free(&sb);
        if (!ok)
            return false;
    }
    return true;
}

static bool coded_var(sd_var *v, const sd__question *qs, const sd__questionnaire *q)
{
    v->measure = qs->measure;
    v->decimals = 0;
    for (size_t k = 0; k < qs->nopts; k++)
        if (!vlabel(v, qs->opts[k].code, &qs->opts[k].label, q))
            return false;
    for (size_t k = 0; k < qs->nmissing; k++)
        if (!sd__var_add_missing_code(v, qs->missing[k]))
            return false;
    for (size_t k = 0; k < qs->nnets; k++) {
        sd_net *net;
        if (!sd__var_add_net(v, qs->nets[k].name, qs->nets[k].codes, qs->nets[k].ncodes, &net) ||
            !copy_labels(&net->labels, &qs->nets[k].label, q))
            return false;
    }
    return true;
}

sd_status sd__questionnaire_dataset(const sd__questionnaire *q, sd_dataset **out, sd_error *err)
{
    *out = NULL;
    sd_dataset *ds = sd__dataset_new(q->file);
    if (!ds)
        return sd__fail(err, SD_E_NOMEM, q->file, 0, 0, NULL, "out of memory");
    sd_status st = SD_OK;
    bool ok = copy_labels(&ds->title, &q->title, q);
    sd_var *v = NULL;
    if (ok && (st = sd__dataset_add_var(ds, "id", SD_TYPE_NUMERIC, &v, err)) == SD_OK) {
        v->measure = SD_MEASURE_SCALE;
        ok = set_label2(&v->label, q, "Identifiant du répondant", "Respondent ID");
    }
    for (size_t i = 0; ok && st == SD_OK && i < q->nvars; i++) {
        const sd__qvar *qv = &q->vars[i];
        const sd__question *qs = &q->qs[qv->question];
        if ((st = sd__dataset_add_var(ds, qv->name, qv->type, &v, err)) != SD_OK)
            break;
        switch (qs->kind) {
        case SD_Q_SINGLE:
        case SD_Q_YESNO:
            ok = copy_labels(&v->label, &qs->text, q) && copy_labels(&v->note, &qs->note, q) &&
                 coded_var(v, qs, q);
            break;
        case SD_Q_GRID: {
            const sd__qopt *it = &qs->items[qv->opt];
            ok = grid_label(&v->label, qs, it, q) &&
                 copy_labels(&v->note, it->note.n ? &it->note : &qs->note, q) &&
                 coded_var(v, qs, q);
            break;
        }
        case SD_Q_MULTIPLE: {
            const sd__qopt *o = &qs->opts[qv->opt];
            sd_labels yes = {0}, no = {0};
            ok = copy_labels(&v->label, &o->label, q) && copy_labels(&v->note, &o->note, q) &&
                 set_label2(&yes, q, "Cité", "Selected") &&
                 set_label2(&no, q, "Non cité", "Not selected") && vlabel(v, 1, &yes, q) &&
                 vlabel(v, 0, &no, q);
            sd__labels_free(&yes);
            sd__labels_free(&no);
            v->measure = SD_MEASURE_NOMINAL;
            break;
        }
        case SD_Q_NUMERIC:
            v->measure = SD_MEASURE_SCALE;
            v->decimals = qs->decimals;
            ok = copy_labels(&v->label, &qs->text, q) && copy_labels(&v->note, &qs->note, q);
            break;
        case SD_Q_TEXT:
            v->measure = SD_MEASURE_NOMINAL;
            v->width = qs->max_length > 32767 ? 32767 : (int)qs->max_length;
            ok = copy_labels(&v->label, &qs->text, q) && copy_labels(&v->note, &qs->note, q);
            break;
        }
    }
    /* One dichotomy set per multiple question, counting 1. */
    for (size_t i = 0; ok && st == SD_OK && i < q->nq; i++) {
        const sd__question *qs = &q->qs[i];
        if (qs->kind != SD_Q_MULTIPLE)
            continue;
        sd_mrset *m;
        if ((st = sd__dataset_add_mrset(ds, qs->name, SD_MRSET_DICHOTOMY, &m, err)) != SD_OK)
            break;
        m->counted = 1;
        ok = copy_labels(&m->label, &qs->text, q) && copy_labels(&m->note, &qs->note, q);
        for (size_t k = 0; ok && k < qs->nopts; k++)
            ok = sd__mrset_add_var(m, (size_t)sd__dataset_var_index(ds, qs->opts[k].name));
    }
    if (st == SD_OK && !ok)
        st = sd__fail(err, SD_E_NOMEM, q->file, 0, 0, NULL, "out of memory");
    if (st != SD_OK) {
        sd_dataset_free(ds);
        return st;
    }
    *out = ds;
    return SD_OK;
}

sd_status sd__questionnaire_codebook(const sd__questionnaire *q, char **yaml, size_t *len,
                                     sd_error *err)
{
    *yaml = NULL;
    *len = 0;
    sd_dataset *ds;
    sd_status st = sd__questionnaire_dataset(q, &ds, err);
    if (st != SD_OK)
        return st;
    char *buf = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&buf, &n);
    if (!fp) {
        sd_dataset_free(ds);
        return sd__fail(err, SD_E_NOMEM, q->file, 0, 0, NULL, "out of memory");
    }
    st = sd__codebook_write(ds, fp, q->file, err);
    if (fclose(fp) != 0 && st == SD_OK)
        st = sd__fail(err, SD_E_NOMEM, q->file, 0, 0, NULL, "out of memory");
    sd_dataset_free(ds);
    if (st != SD_OK) {
        free(buf);
        return st;
    }
    /* open_memstream's buffer comes from malloc: hand over a copy made by
     * sd__malloc so the caller frees it with sd__free, as everywhere. */
    char *copy = sd__malloc(n + 1);
    if (!copy) {
        free(buf);
        return sd__fail(err, SD_E_NOMEM, q->file, 0, 0, NULL, "out of memory");
    }
    memcpy(copy, buf, n);
    copy[n] = '\0';
    free(buf);
    *yaml = copy;
    *len = n;
    return SD_OK;
}
