/*
 * answers.c — a respondent's answers: kept per stored variable, read from a
 * page's form and checked against the questionnaire (the codebook's codes,
 * ranges, lengths), made effective under the conditions, and encoded for
 * the session store. Also the navigation (visible pages, progress) and the
 * per-respondent option order.
 */
#include "field.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ the store */

bool sd__answers_init(sd__answers *a, size_t n)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->set = sd__zalloc(n, 1);
    a->num = sd__zalloc(n, sizeof *a->num);
    a->str = sd__zalloc(n, sizeof *a->str);
    if (!a->set || !a->num || !a->str) {
        sd__answers_free(a);
        return false;
    }
    return true;
}

void sd__answers_free(sd__answers *a)
{
    if (!a)
        return;
    if (a->str)
        for (size_t i = 0; i < a->n; i++)
            sd__free(a->str[i]);
    sd__free(a->set);
    sd__free(a->num);
    sd__free(a->str);
    memset(a, 0, sizeof *a);
}

void sd__answers_clear(sd__answers *a, size_t i)
{
    if (i >= a->n)
        return;
    a->set[i] = 0;
    a->num[i] = 0;
    sd__free(a->str[i]);
    a->str[i] = NULL;
}

bool sd__answers_set_num(sd__answers *a, size_t i, double x)
{
    if (i >= a->n)
        return false;
    sd__answers_clear(a, i);
    a->set[i] = 1;
    a->num[i] = x;
    return true;
}

bool sd__answers_set_str(sd__answers *a, size_t i, const char *s, size_t len)
{
    if (i >= a->n)
        return false;
    char *copy = sd__strndup(s, len);
    if (!copy)
        return false;
    sd__answers_clear(a, i);
    a->set[i] = 1;
    a->str[i] = copy;
    return true;
}

bool sd__answers_copy(sd__answers *dst, const sd__answers *src)
{
    if (!sd__answers_init(dst, src->n))
        return false;
    for (size_t i = 0; i < src->n; i++) {
        if (!src->set[i])
            continue;
        if (src->str[i] ? !sd__answers_set_str(dst, i, src->str[i], strlen(src->str[i]))
                        : !sd__answers_set_num(dst, i, src->num[i])) {
            sd__answers_free(dst);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------ visibility */

bool sd__page_visible(const sd__questionnaire *q, size_t page, const sd__answers *a)
{
    return page < q->npages && sd__cond_eval(q->pages[page].show_if, a);
}

bool sd__question_visible(const sd__questionnaire *q, size_t qi, const sd__answers *a)
{
    return qi < q->nq && sd__page_visible(q, q->qs[qi].page, a) &&
           sd__cond_eval(q->qs[qi].show_if, a);
}

bool sd__option_visible(const sd__qopt *o, const sd__answers *a)
{
    return sd__cond_eval(o->show_if, a);
}

/* Is the stored value of a coded question one of its options shown? */
static bool coded_ok(const sd__question *qs, double x, const sd__answers *a)
{
    for (size_t k = 0; k < qs->nopts; k++)
        if (qs->opts[k].code == x)
            return sd__option_visible(&qs->opts[k], a);
    return false;
}

static bool copy_var(sd__answers *out, const sd__answers *in, size_t v)
{
    if (!in->set[v])
        return true;
    return in->str[v] ? sd__answers_set_str(out, v, in->str[v], strlen(in->str[v]))
                      : sd__answers_set_num(out, v, in->num[v]);
}

bool sd__answers_effective(const sd__questionnaire *q, const sd__answers *in, sd__answers *out)
{
    if (!sd__answers_init(out, q->nvars))
        return false;
    for (size_t p = 0; p < q->npages; p++) {
        const sd__qpage *pg = &q->pages[p];
        if (!sd__cond_eval(pg->show_if, out))
            continue;
        for (size_t i = pg->first; i < pg->first + pg->n; i++) {
            const sd__question *qs = &q->qs[i];
            if (!sd__cond_eval(qs->show_if, out))
                continue;
            bool ok = true;
            switch (qs->kind) {
            case SD_Q_SINGLE:
            case SD_Q_YESNO:
                if (in->set[qs->var] && coded_ok(qs, in->num[qs->var], out))
                    ok = copy_var(out, in, qs->var);
                break;
            case SD_Q_MULTIPLE:
                for (size_t k = 0; k < qs->nopts && ok; k++)
                    if (sd__option_visible(&qs->opts[k], out))
                        ok = copy_var(out, in, qs->opts[k].var);
                break;
            case SD_Q_GRID:
                for (size_t k = 0; k < qs->nitems && ok; k++)
                    if (in->set[qs->items[k].var] && coded_ok(qs, in->num[qs->items[k].var], out))
                        ok = copy_var(out, in, qs->items[k].var);
                break;
            case SD_Q_NUMERIC:
            case SD_Q_TEXT: ok = copy_var(out, in, qs->var); break;
            }
            if (!ok) {
                sd__answers_free(out);
                return false;
            }
        }
    }
    return true;
}

size_t sd__next_page(const sd__questionnaire *q, size_t from, const sd__answers *a)
{
    while (from < q->npages && !sd__page_visible(q, from, a))
        from++;
    return from;
}

size_t sd__prev_page(const sd__questionnaire *q, size_t from, const sd__answers *a)
{
    for (size_t p = from; p-- > 0;)
        if (sd__page_visible(q, p, a))
            return p;
    return from;
}

void sd__progress(const sd__questionnaire *q, size_t page, const sd__answers *a, size_t *pos,
                  size_t *total)
{
    *pos = 0;
    *total = 0;
    for (size_t p = 0; p < q->npages; p++) {
        if (!sd__page_visible(q, p, a) && p != page)
            continue;
        if (p < page)
            (*pos)++;
        (*total)++;
    }
}

void sd__option_order(const sd__question *qs, uint64_t seed, size_t *order, size_t n)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (!qs->randomize || n < 2)
        return;
    const sd__qopt *o = qs->kind == SD_Q_GRID ? qs->items : qs->opts;
    /* Shuffle the free positions among themselves (Fisher–Yates). */
    size_t free_pos[SD_Q_MAX_ITEMS];
    size_t nf = 0;
    for (size_t i = 0; i < n && i < SD_Q_MAX_ITEMS; i++)
        if (!o[i].anchor)
            free_pos[nf++] = i;
    uint64_t st = seed ^ sd__hash64(qs->name);
    for (size_t i = nf; i > 1; i--) {
        size_t j = (size_t)(sd__splitmix64(&st) % i);
        size_t t = order[free_pos[i - 1]];
        order[free_pos[i - 1]] = order[free_pos[j]];
        order[free_pos[j]] = t;
    }
}

const char *sd__question_text(const sd__question *qs, const sd__answers *a, const char *lang)
{
    for (size_t i = 0; i < qs->nwording; i++)
        if (sd__cond_eval(qs->wording[i].cond, a))
            return sd__labels_get(&qs->wording[i].text, lang);
    return sd__labels_get(&qs->text, lang);
}

/* ------------------------------------------------------------ messages */

typedef struct msgs {
    const char *choose, *choose_some, *every_line, *number, *whole, *decimals, *range_both,
        *range_min, *range_max, *write, *too_long, *not_offered, *exclusive;
} msgs;

static const msgs msg_en = {
    .choose = "Please choose an answer.",
    .choose_some = "Please choose at least one answer.",
    .every_line = "Please answer every line.",
    .number = "Please enter a number.",
    .whole = "Please enter a whole number.",
    .decimals = "Please enter a number with at most %d decimals.",
    .range_both = "Please enter a number from %s to %s.",
    .range_min = "Please enter a number of at least %s.",
    .range_max = "Please enter a number of at most %s.",
    .write = "Please write an answer.",
    .too_long = "Your answer is too long: at most %zu characters.",
    .not_offered = "This answer is not one of the choices.",
    .exclusive = "\u201c%s\u201d cannot be combined with other answers.",
};

/* French typography: a no-break space before ':' and inside « ». */
static const msgs msg_fr = {
    .choose = "Veuillez choisir une réponse.",
    .choose_some = "Veuillez choisir au moins une réponse.",
    .every_line = "Veuillez répondre à chaque ligne.",
    .number = "Veuillez saisir un nombre.",
    .whole = "Veuillez saisir un nombre entier.",
    .decimals = "Veuillez saisir un nombre d'au plus %d décimales.",
    .range_both = "Veuillez saisir un nombre de %s à %s.",
    .range_min = "Veuillez saisir un nombre d'au moins %s.",
    .range_max = "Veuillez saisir un nombre d'au plus %s.",
    .write = "Veuillez écrire une réponse.",
    .too_long = "Votre réponse est trop longue\u00a0: %zu caractères au plus.",
    .not_offered = "Cette réponse ne fait pas partie des choix proposés.",
    .exclusive = "«\u00a0%s\u00a0» ne peut pas être combinée avec d'autres réponses.",
};

static const msgs *messages(const char *lang)
{
    return sd__lang_is_fr(lang) ? &msg_fr : &msg_en;
}

static bool set_msg(sd__page_errors *e, size_t qi, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool set_msg(sd__page_errors *e, size_t qi, const char *fmt, ...)
{
    if (e->msg[qi])
        return true; /* the first problem of a question is shown */
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(e->msg[qi] = sd__strdup(buf)))
        return false;
    e->count++;
    return true;
}

void sd__page_errors_free(sd__page_errors *e)
{
    if (!e)
        return;
    if (e->msg)
        for (size_t i = 0; i < e->n; i++)
            sd__free(e->msg[i]);
    sd__free(e->msg);
    memset(e, 0, sizeof *e);
}

void sd__human_num(char *buf, size_t cap, double x, const char *lang)
{
    bool fr = sd__lang_is_fr(lang);
    char raw[SD_NUMBUF];
    sd__fmt_double(raw, x);
    /* Group the whole part: en from 4 digits with ',', fr from 5 with a
     * narrow no-break space (French typography). Exponents stay as is. */
    const char *p = raw;
    size_t o = 0;
    if (*p == '-')
        buf[o++] = *p++;
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    bool group = !strchr(raw, 'e') && digits >= (fr ? 5u : 4u);
    for (size_t i = 0; i < digits && o + 4 < cap; i++) {
        if (group && i && (digits - i) % 3 == 0) {
            if (fr) {
                memcpy(buf + o, "\u202f", 3);
                o += 3;
            } else {
                buf[o++] = ',';
            }
        }
        buf[o++] = p[i];
    }
    for (p += digits; *p && o + 1 < cap; p++)
        buf[o++] = *p == '.' && fr ? ',' : *p;
    buf[o] = '\0';
}

/* Parse a number as a person types it: spaces (also no-break ones) are
 * ignored; '.' is the decimal mark, and ',' too in French. Only digits, one
 * leading sign and one mark. *decs receives the count of decimals. */
static bool parse_answer_number(const char *s, size_t n, const char *lang, double *x, int *decs)
{
    char buf[64];
    size_t o = 0;
    bool fr = sd__lang_is_fr(lang), comma = false, mark = false, digit = false;
    int k = 0;
    *decs = 0; /* decimals up to the last that is not 0: "1.50" has 1 */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            continue;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
            i++;
            continue;
        }
        if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0xAF) {
            i += 2;
            continue;
        }
        if (o + 1 >= sizeof buf)
            return false;
        if (c >= '0' && c <= '9') {
            digit = true;
            if (mark && (++k, c != '0'))
                *decs = k;
        } else if ((c == '-' || c == '+') && o == 0) {
        } else if ((c == '.' || (c == ',' && fr)) && !mark) {
            mark = true;
            comma = c == ',';
        } else {
            return false;
        }
        buf[o++] = (char)c;
    }
    if (!digit)
        return false;
    return sd__parse_double(buf, o, comma, x) && isfinite(*x);
}

/* A coded answer (single, yesno, a grid line): "" or absent is none. */
static int read_code(const sd__question *qs, const sd__form *form, const char *name,
                     const sd__answers *a, double *x)
{
    size_t count = sd__form_count(form, name);
    if (count == 0)
        return 0;
    const sd__form_field *f = sd__form_get(form, name);
    if (count == 1 && f->value_len == 0)
        return 0;
    if (count > 1 || !sd__parse_double(f->value, f->value_len, false, x) || !coded_ok(qs, *x, a))
        return -1;
    return 1;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

bool sd__page_read(const sd__questionnaire *q, size_t page, const sd__form *form,
                   const char *lang, sd__answers *a, sd__page_errors *errs)
{
    memset(errs, 0, sizeof *errs);
    if (!(errs->msg = sd__zalloc(q->nq, sizeof *errs->msg)))
        return false;
    errs->n = q->nq;
    const msgs *M = messages(lang);
    const sd__qpage *pg = &q->pages[page];
    bool mem = true;
    for (size_t i = pg->first; i < pg->first + pg->n && mem; i++) {
        const sd__question *qs = &q->qs[i];
        bool shown = sd__cond_eval(qs->show_if, a);
        switch (qs->kind) {
        case SD_Q_SINGLE:
        case SD_Q_YESNO: {
            double x;
            int r = shown ? read_code(qs, form, qs->name, a, &x) : 0;
            sd__answers_clear(a, qs->var);
            if (r < 0)
                mem = set_msg(errs, i, "%s", M->not_offered);
            else if (r > 0)
                mem = sd__answers_set_num(a, qs->var, x);
            else if (shown && qs->required)
                mem = set_msg(errs, i, "%s", M->choose);
            break;
        }
        case SD_Q_MULTIPLE: {
            size_t chosen = 0;
            const sd__qopt *excl = NULL;
            for (size_t k = 0; k < qs->nopts && mem; k++) {
                const sd__qopt *o = &qs->opts[k];
                bool offered = shown && sd__option_visible(o, a);
                size_t count = sd__form_count(form, o->name);
                const sd__form_field *f = sd__form_get(form, o->name);
                sd__answers_clear(a, o->var);
                if (!offered) {
                    if (count)
                        mem = set_msg(errs, i, "%s", M->not_offered);
                    continue;
                }
                bool on = count == 1 && strcmp(f->value, "1") == 0;
                if (count && !on) {
                    mem = set_msg(errs, i, "%s", M->not_offered);
                    continue;
                }
                mem = sd__answers_set_num(a, o->var, on ? 1 : 0);
                chosen += on;
                if (on && o->exclusive)
                    excl = o;
            }
            if (!mem)
                break;
            if (excl && chosen > 1)
                mem = set_msg(errs, i, M->exclusive, sd__labels_get(&excl->label, lang));
            else if (shown && qs->required && chosen == 0)
                mem = set_msg(errs, i, "%s", M->choose_some);
            break;
        }
        case SD_Q_GRID: {
            bool missing_line = false;
            for (size_t k = 0; k < qs->nitems && mem; k++) {
                const sd__qopt *it = &qs->items[k];
                double x;
                int r = shown ? read_code(qs, form, it->name, a, &x) : 0;
                sd__answers_clear(a, it->var);
                if (r < 0)
                    mem = set_msg(errs, i, "%s", M->not_offered);
                else if (r > 0)
                    mem = sd__answers_set_num(a, it->var, x);
                else
                    missing_line = true;
            }
            if (mem && shown && qs->required && missing_line)
                mem = set_msg(errs, i, "%s", M->every_line);
            break;
        }
        case SD_Q_NUMERIC: {
            const sd__form_field *f = shown ? sd__form_get(form, qs->name) : NULL;
            size_t count = shown ? sd__form_count(form, qs->name) : 0;
            sd__answers_clear(a, qs->var);
            if (!f || blank(f->value, f->value_len)) {
                if (shown && qs->required)
                    mem = set_msg(errs, i, "%s", M->number);
                break;
            }
            double x;
            int decs;
            if (count > 1 || !parse_answer_number(f->value, f->value_len, lang, &x, &decs)) {
                mem = set_msg(errs, i, "%s", qs->decimals ? M->number : M->whole);
                break;
            }
            if (decs > qs->decimals) {
                if (qs->decimals == 0)
                    mem = set_msg(errs, i, "%s", M->whole);
                else
                    mem = set_msg(errs, i, M->decimals, qs->decimals);
                break;
            }
            if ((qs->has_min && x < qs->min) || (qs->has_max && x > qs->max)) {
                char lo[64], hi[64];
                sd__human_num(lo, sizeof lo, qs->min, lang);
                sd__human_num(hi, sizeof hi, qs->max, lang);
                if (qs->has_min && qs->has_max)
                    mem = set_msg(errs, i, M->range_both, lo, hi);
                else if (qs->has_min)
                    mem = set_msg(errs, i, M->range_min, lo);
                else
                    mem = set_msg(errs, i, M->range_max, hi);
                break;
            }
            mem = sd__answers_set_num(a, qs->var, x == 0 ? 0 : x); /* no -0 */
            break;
        }
        case SD_Q_TEXT: {
            const sd__form_field *f = shown ? sd__form_get(form, qs->name) : NULL;
            size_t count = shown ? sd__form_count(form, qs->name) : 0;
            sd__answers_clear(a, qs->var);
            if (!f || blank(f->value, f->value_len)) {
                if (shown && qs->required)
                    mem = set_msg(errs, i, "%s", M->write);
                break;
            }
            if (count > 1) {
                mem = set_msg(errs, i, "%s", M->not_offered);
                break;
            }
            /* CRLF and lone CR become LF: one newline convention stored. */
            char *t = sd__malloc(f->value_len + 1);
            if (!t) {
                mem = false;
                break;
            }
            size_t o = 0;
            for (size_t k = 0; k < f->value_len; k++) {
                char ch = f->value[k];
                if (ch == '\r') {
                    if (k + 1 < f->value_len && f->value[k + 1] == '\n')
                        k++;
                    ch = '\n';
                }
                t[o++] = ch;
            }
            t[o] = '\0';
            if (sd__utf8_width(t) > qs->max_length)
                mem = set_msg(errs, i, M->too_long, qs->max_length);
            else
                mem = sd__answers_set_str(a, qs->var, t, o);
            sd__free(t);
            break;
        }
        }
    }
    if (!mem) {
        sd__page_errors_free(errs);
        return false;
    }
    return errs->count == 0;
}

/* ------------------------------------------------------------ encoding */

void sd__answers_encode(const sd__questionnaire *q, const sd__answers *a, sd_strbuf *sb)
{
    for (size_t i = 0; i < q->nvars && i < a->n; i++) {
        if (!a->set[i])
            continue;
        if (q->vars[i].type == SD_TYPE_STRING) {
            const char *s = a->str[i] ? a->str[i] : "";
            sd__form_append(sb, q->vars[i].name, s, strlen(s));
        } else {
            char buf[SD_NUMBUF];
            int n = sd__fmt_double(buf, a->num[i]);
            sd__form_append(sb, q->vars[i].name, buf, (size_t)n);
        }
    }
}

sd_status sd__answers_decode(const sd__questionnaire *q, const char *s, size_t len,
                             sd__answers *a, sd_error *err)
{
    if (!sd__answers_init(a, q->nvars))
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    sd__form_limits lim = {.max_body = (size_t)1 << 28,
                           .max_fields = SD_Q_MAX_VARS,
                           .max_name = 64,
                           .max_value = 4 * SD_Q_MAX_LENGTH};
    sd__form f;
    sd_status st = sd__form_parse(s, len, &lim, &f, err);
    for (size_t i = 0; st == SD_OK && i < f.n; i++) {
        long v = sd__questionnaire_var(q, f.f[i].name);
        if (v < 0)
            continue; /* a variable the questionnaire no longer has */
        if (q->vars[v].type == SD_TYPE_STRING) {
            if (!sd__answers_set_str(a, (size_t)v, f.f[i].value, f.f[i].value_len))
                st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        } else {
            double x;
            if (!sd__parse_double(f.f[i].value, f.f[i].value_len, false, &x))
                st = sd__fail(err, SD_E_FORMAT, NULL, 0, 0, f.f[i].name,
                              "stored answer '%.64s' is not a number", f.f[i].name);
            else if (!sd__answers_set_num(a, (size_t)v, x))
                st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    sd__form_free(&f);
    if (st != SD_OK)
        sd__answers_free(a);
    return st;
}
