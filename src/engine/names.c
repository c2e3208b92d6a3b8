/*
 * names.c — the names a user writes in --rows, --cols and a spec file,
 * resolved against a dataset: exact names, `A TO B` (every variable from A
 * to B in file order, as SPSS), wildcards (`ch_*`, `q?`; brackets match
 * themselves, so LimeSurvey's `Q2[*]` is every sub-question of Q2), and
 * for an unknown name a suggestion of the nearest one.
 */
#include "plan.h"

#include <fnmatch.h>
#include <string.h>

sd_status sd__unknown_name(const sd_dataset *ds, const char *name, const char *what,
                           bool sets_too, const char *prefix, sd_error *err)
{
    const char *best = NULL;
    size_t bestd = 3;
    for (size_t i = 0; i < ds->nvars; i++) {
        size_t d = sd__edit_distance(name, ds->vars[i]->name);
        if (d < bestd) {
            bestd = d;
            best = ds->vars[i]->name;
        }
    }
    for (size_t i = 0; sets_too && i < ds->nmr; i++) {
        size_t d = sd__edit_distance(name, ds->mr[i]->name);
        if (d < bestd) {
            bestd = d;
            best = ds->mr[i]->name;
        }
    }
    if (best)
        return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, name,
                        "%sunknown %s '%s'; did you mean '%s'?", prefix ? prefix : "", what,
                        name, best);
    return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, name,
                    "%sunknown %s '%s': expected one of the names `sondage info` lists",
                    prefix ? prefix : "", what, name);
}

static bool add(sd_names *out, const char *name)
{
    char *c = sd__strdup(name);
    if (!c || !sd__grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v)) {
        sd__free(c);
        return false;
    }
    out->v[out->n++] = c;
    return true;
}

void sd__names_free(sd_names *n)
{
    for (size_t i = 0; i < n->n; i++)
        sd__free(n->v[i]);
    sd__free(n->v);
    memset(n, 0, sizeof *n);
}

/* "A TO B": the position of " TO " (any case), or NULL. */
static const char *find_to(const char *s)
{
    for (const char *p = s; *p; p++)
        if (p[0] == ' ' && (p[1] == 'T' || p[1] == 't') && (p[2] == 'O' || p[2] == 'o') &&
            p[3] == ' ')
            return p;
    return NULL;
}

/* A wildcard pattern for fnmatch with brackets taken literally. */
static char *glob_of(const char *s)
{
    sd_strbuf sb;
    sd__sb_init(&sb, 4096);
    for (const char *p = s; *p; p++) {
        if (*p == '[' || *p == ']' || *p == '\\')
            sd__sb_putc(&sb, '\\');
        sd__sb_putc(&sb, *p);
    }
    if (sd__sb_status(&sb) != SD_OK) {
        sd__sb_free(&sb);
        return NULL;
    }
    return sd__sb_take(&sb);
}

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return sd__strndup(s, n);
}

sd_status sd__expand_names(const sd_dataset *ds, const char *entry, bool sets_too,
                           const char *noun, sd_names *out, sd_error *err)
{
    char *e = trimmed(entry);
    if (!e)
        return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    sd_status st = SD_OK;
    const char *to = find_to(e);
    if (*e == '\0') {
        st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, NULL,
                      "an empty name: expected a %s name", noun);
    } else if (sd__dataset_var_index(ds, e) >= 0 ||
               (sets_too && sd_dataset_find_mrset(ds, e))) {
        if (!add(out, e))
            st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
    } else if (to) {
        char *a = sd__strndup(e, (size_t)(to - e)), *b = trimmed(to + 4);
        char *at = a ? trimmed(a) : NULL;
        long ia = at ? sd__dataset_var_index(ds, at) : -1;
        long ib = b ? sd__dataset_var_index(ds, b) : -1;
        if (!a || !b || !at)
            st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        else if (ia < 0)
            st = sd__unknown_name(ds, at, "variable", false, NULL, err);
        else if (ib < 0)
            st = sd__unknown_name(ds, b, "variable", false, NULL, err);
        else if (ib < ia)
            st = sd__fail(err, SD_E_INVALID, ds->source, 0, 0, at,
                          "'%s': %s comes after %s in the file: expected A TO B in file order",
                          e, at, b);
        for (long i = ia; st == SD_OK && i <= ib; i++)
            if (!add(out, ds->vars[i]->name))
                st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        sd__free(a);
        sd__free(at);
        sd__free(b);
    } else if (strpbrk(e, "*?")) {
        char *g = glob_of(e);
        size_t before = out->n;
        if (!g)
            st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        for (size_t i = 0; st == SD_OK && i < ds->nvars; i++)
            if (fnmatch(g, ds->vars[i]->name, 0) == 0 && !add(out, ds->vars[i]->name))
                st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        for (size_t i = 0; st == SD_OK && sets_too && i < ds->nmr; i++)
            if (fnmatch(g, ds->mr[i]->name, 0) == 0 && !add(out, ds->mr[i]->name))
                st = sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
        if (st == SD_OK && out->n == before)
            st = sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, e,
                          "no %s matches '%s': expected a pattern such as q* (any "
                          "characters) or q? (one character) that matches a name",
                          noun, e);
        sd__free(g);
    } else {
        st = sd__unknown_name(ds, e, noun, sets_too, NULL, err);
    }
    sd__free(e);
    return st;
}
