/*
 * labels.c — multilingual labels: a short list of (language, text) pairs.
 */
#include "data.h"

#include <string.h>

bool sd__labels_set(sd_labels *l, const char *lang, const char *text)
{
    if (lang && !*lang)
        lang = NULL;
    char *t = sd__strdup(text);
    if (!t)
        return false;
    for (size_t i = 0; i < l->n; i++) {
        if (sd__lang_eq(l->v[i].lang, lang)) {
            sd__free(l->v[i].text);
            l->v[i].text = t;
            return true;
        }
    }
    char *lg = NULL;
    if (lang && !(lg = sd__strdup(lang))) {
        sd__free(t);
        return false;
    }
    if (!sd__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) {
        sd__free(t);
        sd__free(lg);
        return false;
    }
    l->v[l->n].lang = lg;
    l->v[l->n].text = t;
    l->n++;
    return true;
}

const char *sd__labels_get_exact(const sd_labels *l, const char *lang)
{
    for (size_t i = 0; i < l->n; i++)
        if (sd__lang_eq(l->v[i].lang, lang))
            return l->v[i].text;
    return NULL;
}

const char *sd__labels_get(const sd_labels *l, const char *lang)
{
    /* The language asked for, the untagged text, English, then any. */
    const char *t = sd__labels_get_exact(l, lang);
    if (!t)
        t = sd__labels_get_exact(l, NULL);
    if (!t)
        t = sd__labels_get_exact(l, "en");
    if (!t && l->n)
        t = l->v[0].text;
    return t;
}

void sd__labels_free(sd_labels *l)
{
    for (size_t i = 0; i < l->n; i++) {
        sd__free(l->v[i].lang);
        sd__free(l->v[i].text);
    }
    sd__free(l->v);
    memset(l, 0, sizeof *l);
}

bool sd__labels_copy(sd_labels *dst, const sd_labels *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (!sd__labels_set(dst, src->v[i].lang, src->v[i].text))
            return false;
    return true;
}
