/*
 * write_codebook.c — a dataset's metadata as a YAML codebook
 * (docs/codebook.md) that sd__codebook_parse + sd__codebook_apply read back
 * to the same title, variables, labels in every language, value labels
 * (and their nouns), missing values, nets, multiple-response sets and design.
 *
 * libyaml's emitter does the YAML (indentation, escaping, quoting where plain
 * text is not allowed); this file only picks double quotes for texts that
 * another YAML reader could take for a number, a boolean or null ("007",
 * "yes", "~"), and for texts holding control characters. Output is
 * deterministic: the dataset's own order, numbers through sd__fmt_double
 * (locale-free, round-trip), UTF-8 written as is, no line folding.
 */
#include "io.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <yaml.h>

typedef struct wctx {
    yaml_emitter_t em;
    FILE *fp;
    const char *file;
    sd_error *err;
    sd_status st;    /* first failure; later emits do nothing */
    int io_errno;    /* errno of a failed fwrite, 0 when none */
    const char *var; /* the variable being written, for messages */
} wctx;

static int write_out(void *data, unsigned char *buf, size_t size)
{
    wctx *w = data;
    if (size && fwrite(buf, 1, size, w->fp) != size) {
        w->io_errno = errno ? errno : EIO;
        return 0;
    }
    return 1;
}

static void emitter_fail(wctx *w)
{
    if (w->st != SD_OK)
        return;
    if (w->io_errno)
        w->st = sd__fail_errno(w->err, SD_E_IO, w->file, w->io_errno, "write error");
    else if (w->em.error == YAML_MEMORY_ERROR)
        w->st = sd__fail(w->err, SD_E_NOMEM, w->file, 0, 0, NULL, "out of memory");
    else
        w->st =
            sd__fail(w->err, SD_E_INTERNAL, w->file, 0, 0, w->var, "the YAML emitter failed: %s",
                     w->em.problem ? w->em.problem : "unknown problem");
}

/* Emit an initialised event (the emitter frees it, even on failure). */
static void emit(wctx *w, yaml_event_t *ev, int ok)
{
    if (!ok) {
        /* Initialisers fail only on no memory (UTF-8 is checked before). */
        if (w->st == SD_OK)
            w->st = sd__fail(w->err, SD_E_NOMEM, w->file, 0, 0, NULL, "out of memory");
        return;
    }
    if (w->st != SD_OK) {
        yaml_event_delete(ev);
        return;
    }
    if (!yaml_emitter_emit(&w->em, ev))
        emitter_fail(w);
}

static void map_start(wctx *w, bool flow)
{
    yaml_event_t ev;
    emit(w, &ev,
         yaml_mapping_start_event_initialize(
             &ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(wctx *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_start(wctx *w, bool flow)
{
    yaml_event_t ev;
    emit(w, &ev,
         yaml_sequence_start_event_initialize(
             &ev, NULL, NULL, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(wctx *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void scalar(wctx *w, const char *s, yaml_scalar_style_t style)
{
    if (w->st != SD_OK)
        return;
    size_t len = strlen(s);
    if (len > INT_MAX) {
        w->st = sd__fail(w->err, SD_E_TOO_LARGE, w->file, 0, 0, w->var,
                         "cannot write a text of %zu bytes to the codebook", len);
        return;
    }
    if (sd__utf8_valid_prefix(s, len) != len) {
        w->st = sd__fail(w->err, SD_E_ENCODING, w->file, 0, 0, w->var,
                         "cannot write '%.40s' to the codebook: not valid UTF-8", s);
        return;
    }
    yaml_event_t ev;
    emit(w, &ev,
         yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s, (int)len, 1, 1,
                                      style));
}

/* A key or a word known to be plain-safe (names, enum words). */
static void plain(wctx *w, const char *s) { scalar(w, s, YAML_PLAIN_SCALAR_STYLE); }

static bool eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

/* Would a YAML reader take this plain text for something other than a
 * string (null, a boolean, a number), or does it hold control characters? */
static bool needs_quotes(const char *s)
{
    static const char *const special[] = {"~",  "null", "true", "false", "yes", "no",
                                          "on", "off",  "y",    "n",     NULL};
    if (!*s || strchr("0123456789+-.", s[0]))
        return true;
    for (int i = 0; special[i]; i++)
        if (eq_nocase(s, special[i]))
            return true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* Free text (labels, notes, string values). */
static void text(wctx *w, const char *s)
{
    scalar(w, s, needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
}

static void number(wctx *w, double x)
{
    char buf[SD_NUMBUF];
    sd__fmt_double(buf, x);
    plain(w, buf);
}

static void integer(wctx *w, long x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", x);
    plain(w, buf);
}

static bool lang_ok(const char *lang)
{
    size_t n = strlen(lang);
    if (n < 2 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((lang[i] >= 'a' && lang[i] <= 'z') || (lang[i] >= 'A' && lang[i] <= 'Z')))
            return false;
    return true;
}

/* A label: a plain text when it is only untagged, else a mapping language
 * -> text with _ for the untagged text: on one line ({fr: Oui, en: Yes})
 * when its texts are short, one language per line otherwise. */
static void labels(wctx *w, const sd_labels *l)
{
    if (l->n == 1 && !l->v[0].lang) {
        text(w, l->v[0].text);
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < l->n; i++)
        total += strlen(l->v[i].text) + 4;
    map_start(w, total <= 60);
    for (size_t i = 0; i < l->n && w->st == SD_OK; i++) {
        const char *lang = l->v[i].lang;
        if (lang && !lang_ok(lang)) {
            w->st = sd__fail(w->err, SD_E_INVALID, w->file, 0, 0, w->var,
                             "cannot write label language '%.40s' to the codebook: a language "
                             "is 2 to 8 letters",
                             lang);
            return;
        }
        text(w, lang ? lang : "_");
        text(w, l->v[i].text);
    }
    map_end(w);
}

static void key_labels(wctx *w, const char *key, const sd_labels *l)
{
    if (!l->n)
        return;
    plain(w, key);
    labels(w, l);
}

static void name_list(wctx *w, char *const *names, size_t n)
{
    seq_start(w, true);
    for (size_t i = 0; i < n; i++)
        plain(w, names[i]);
    seq_end(w);
}

static void write_missing(wctx *w, const sd_var *v)
{
    if (v->type == SD_TYPE_NUMERIC) {
        size_t finite = 0;
        for (size_t i = 0; i < v->nmiss; i++)
            finite += isfinite(v->miss_codes[i]) != 0;
        if (finite) {
            plain(w, "missing");
            seq_start(w, true);
            for (size_t i = 0; i < v->nmiss; i++)
                if (isfinite(v->miss_codes[i]))
                    number(w, v->miss_codes[i]);
            seq_end(w);
        }
        /* A range the codebook can hold: lo finite or -inf, hi finite or +inf. */
        double lo = v->miss_lo, hi = v->miss_hi;
        if (v->has_miss_range && !isnan(lo) && !isnan(hi) && lo != HUGE_VAL && hi != -HUGE_VAL &&
            lo <= hi) {
            plain(w, "missing_range");
            seq_start(w, true);
            if (isinf(lo))
                plain(w, "lowest");
            else
                number(w, lo);
            if (isinf(hi))
                plain(w, "highest");
            else
                number(w, hi);
            seq_end(w);
        }
    } else if (v->nmiss_strs) {
        plain(w, "missing");
        seq_start(w, true);
        for (size_t i = 0; i < v->nmiss_strs; i++)
            text(w, v->miss_strs[i]);
        seq_end(w);
    }
}

/* Nets are written when they keep at least one code (non-finite codes,
 * which no codebook can hold, are left out). */
static bool net_writable(const sd_net *n)
{
    for (size_t k = 0; k < n->ncodes; k++)
        if (isfinite(n->codes[k]))
            return true;
    return false;
}

static void write_var(wctx *w, const sd_var *v)
{
    w->var = v->name;
    map_start(w, false);
    plain(w, "name");
    plain(w, v->name);
    plain(w, "type");
    plain(w, v->type == SD_TYPE_STRING ? "string" : "numeric");
    plain(w, "measure");
    plain(w, v->measure == SD_MEASURE_SCALE     ? "scale"
             : v->measure == SD_MEASURE_ORDINAL ? "ordinal"
                                                : "nominal");
    key_labels(w, "label", &v->label);
    key_labels(w, "note", &v->note);
    size_t nvl = 0;
    for (size_t i = 0; i < v->nvl; i++)
        nvl += (v->vl[i].str || isfinite(v->vl[i].code)) && v->vl[i].labels.n;
    if (nvl) {
        plain(w, "values");
        map_start(w, false);
        for (size_t i = 0; i < v->nvl; i++) {
            const sd_vlabel *vl = &v->vl[i];
            if (!vl->labels.n || (!vl->str && !isfinite(vl->code)))
                continue;
            if (vl->str)
                text(w, vl->str);
            else
                number(w, vl->code);
            labels(w, &vl->labels);
        }
        map_end(w);
    }
    size_t nnouns = 0;
    for (size_t i = 0; i < v->nvl; i++)
        nnouns += (v->vl[i].str || isfinite(v->vl[i].code)) && v->vl[i].labels.n &&
                  v->vl[i].nouns.n;
    if (nnouns) {
        plain(w, "nouns");
        map_start(w, false);
        for (size_t i = 0; i < v->nvl; i++) {
            const sd_vlabel *vl = &v->vl[i];
            if (!vl->labels.n || !vl->nouns.n || (!vl->str && !isfinite(vl->code)))
                continue;
            if (vl->str)
                text(w, vl->str);
            else
                number(w, vl->code);
            labels(w, &vl->nouns);
        }
        map_end(w);
    }
    write_missing(w, v);
    size_t nnets = 0;
    for (size_t i = 0; i < v->nnets; i++)
        nnets += net_writable(&v->nets[i]);
    if (nnets) {
        plain(w, "nets");
        seq_start(w, false);
        for (size_t i = 0; i < v->nnets; i++) {
            const sd_net *n = &v->nets[i];
            if (!net_writable(n))
                continue;
            map_start(w, false);
            plain(w, "name");
            plain(w, n->name);
            plain(w, "codes");
            seq_start(w, true);
            for (size_t k = 0; k < n->ncodes; k++)
                if (isfinite(n->codes[k]))
                    number(w, n->codes[k]);
            seq_end(w);
            key_labels(w, "label", &n->labels);
            map_end(w);
        }
        seq_end(w);
    }
    plain(w, "width");
    integer(w, v->width < 0 ? 0 : v->width > 32767 ? 32767 : v->width);
    plain(w, "decimals");
    integer(w, v->decimals < 0 ? 0 : v->decimals > 16 ? 16 : v->decimals);
    map_end(w);
    w->var = NULL;
}

static void write_set(wctx *w, const sd_dataset *ds, const sd_mrset *m)
{
    map_start(w, false);
    plain(w, "name");
    plain(w, m->name);
    plain(w, "kind");
    plain(w, m->kind == SD_MRSET_CATEGORY ? "category" : "dichotomy");
    if (m->kind == SD_MRSET_DICHOTOMY && isfinite(m->counted)) {
        plain(w, "counted");
        number(w, m->counted);
    }
    key_labels(w, "label", &m->label);
    key_labels(w, "note", &m->note);
    plain(w, "variables");
    seq_start(w, true);
    for (size_t i = 0; i < m->nvars; i++)
        if (m->vars[i] < ds->nvars)
            plain(w, ds->vars[m->vars[i]]->name);
    seq_end(w);
    map_end(w);
}

/* One name as a scalar, several as a flow list. */
static void names(wctx *w, const char *key, char *const *v, size_t n)
{
    if (!n)
        return;
    plain(w, key);
    if (n == 1)
        plain(w, v[0]);
    else
        name_list(w, v, n);
}

/* A bound for people and the reader: .inf and -.inf are YAML's infinities. */
static void bound(wctx *w, double x)
{
    if (isinf(x))
        plain(w, x > 0 ? ".inf" : "-.inf");
    else
        number(w, x);
}

static void pair(wctx *w, const char *key, double lo, double hi)
{
    plain(w, key);
    seq_start(w, true);
    bound(w, lo);
    bound(w, hi);
    seq_end(w);
}

/* A weight's calibration: its options and targets (read_targets.c reads
 * it back). */
static void write_calibration(wctx *w, const sd_calib_decl *c)
{
    plain(w, "calibration");
    map_start(w, false);
    plain(w, "method");
    plain(w, c->method);
    if (c->base) {
        plain(w, "base");
        plain(w, c->base);
    }
    if (c->has_bounds)
        pair(w, "bounds", c->lower, c->upper);
    if (c->has_trim)
        pair(w, "trim", c->trim_lower, c->trim_upper);
    if (c->has_tolerance) {
        plain(w, "tolerance");
        number(w, c->tolerance);
    }
    if (c->max_iter) {
        plain(w, "max_iter");
        number(w, (double)c->max_iter);
    }
    if (c->force) {
        plain(w, "force");
        plain(w, "true");
    }
    const sd_targets *t = c->targets;
    plain(w, "targets");
    map_start(w, false);
    if (t->has_population) {
        plain(w, "population");
        number(w, t->population);
    }
    if (t->nmargins) {
        plain(w, "margins");
        map_start(w, false);
        for (size_t i = 0; i < t->nmargins; i++) {
            plain(w, t->margins[i].var);
            map_start(w, true);
            for (size_t k = 0; k < t->margins[i].n; k++) {
                scalar(w, t->margins[i].v[k].key, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
                number(w, t->margins[i].v[k].total);
            }
            map_end(w);
        }
        map_end(w);
    }
    if (t->ntotals) {
        plain(w, "totals");
        map_start(w, false);
        for (size_t i = 0; i < t->ntotals; i++) {
            plain(w, t->totals[i].key);
            number(w, t->totals[i].total);
        }
        map_end(w);
    }
    if (t->ncells) {
        plain(w, "cells");
        seq_start(w, false);
        for (size_t i = 0; i < t->ncells; i++) {
            map_start(w, true);
            for (size_t k = 0; k < t->ncellvars; k++) {
                plain(w, t->cellvars[k]);
                scalar(w, t->cells[i].keys[k], YAML_DOUBLE_QUOTED_SCALAR_STYLE);
            }
            plain(w, "total");
            number(w, t->cells[i].total);
            map_end(w);
        }
        seq_end(w);
    }
    map_end(w);
    map_end(w);
}

static void write_design(wctx *w, const sd_designspec *d)
{
    plain(w, "design");
    map_start(w, false);
    if (d->weight) {
        plain(w, "weight");
        plain(w, d->weight);
    }
    if (d->strata) {
        plain(w, "strata");
        plain(w, d->strata);
    }
    names(w, "cluster", (char **)d->cluster, d->ncluster);
    names(w, "fpc", (char **)d->fpc, d->nfpc);
    if (d->nest) {
        plain(w, "nest");
        plain(w, "true");
    }
    static const char *const lonely[] = {"fail", "remove", "adjust", "certainty", "average"};
    if (d->has_lonely) {
        plain(w, "lonely_psu");
        plain(w, lonely[d->lonely]);
    }
    if (d->repregex && d->nrepweights == 1) {
        /* One element is a regular expression (a list names at least 2). */
        plain(w, "repweights");
        scalar(w, d->repweights[0], YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    } else if (d->nrepweights > 1) {
        plain(w, "repweights");
        name_list(w, d->repweights, d->nrepweights);
    }
    static const char *const reptypes[] = {"", "jk1", "jkn", "brr", "fay", "bootstrap", "sdr"};
    if (d->reptype != SD_REP_NONE) {
        plain(w, "reptype");
        plain(w, reptypes[d->reptype]);
    }
    if (d->has_rho && isfinite(d->rho)) {
        plain(w, "rho");
        number(w, d->rho);
    }
    if (d->has_scale && isfinite(d->scale)) {
        plain(w, "scale");
        number(w, d->scale);
    }
    if (d->nrscales) {
        plain(w, "rscales");
        seq_start(w, true);
        for (size_t i = 0; i < d->nrscales; i++)
            if (isfinite(d->rscales[i]))
                number(w, d->rscales[i]);
        seq_end(w);
    }
    if (d->mse) {
        plain(w, "mse");
        plain(w, "true");
    }
    if (d->calibration)
        write_calibration(w, d->calibration);
    map_end(w);
}

/* Names the reader would refuse make a codebook that cannot be read back:
 * say so before writing anything. */
static sd_status check_names(const sd_dataset *ds, const char *file, sd_error *err)
{
    for (size_t i = 0; i < ds->nvars; i++) {
        const sd_var *v = ds->vars[i];
        if (!sd__valid_name(v->name))
            return sd__fail(err, SD_E_INVALID, file, 0, 0, v->name,
                            "cannot write variable '%.64s' to a codebook: not a valid name (a "
                            "letter or _ then letters, digits, _ or ., at most 64 bytes)",
                            v->name);
        for (size_t k = 0; k < v->nnets; k++)
            if (!sd__valid_name(v->nets[k].name))
                return sd__fail(err, SD_E_INVALID, file, 0, 0, v->name,
                                "cannot write net '%.64s' of variable '%s' to a codebook: not a "
                                "valid name",
                                v->nets[k].name, v->name);
    }
    for (size_t i = 0; i < ds->nmr; i++)
        if (!sd__valid_name(ds->mr[i]->name))
            return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL,
                            "cannot write set '%.64s' to a codebook: not a valid name",
                            ds->mr[i]->name);
    return SD_OK;
}

sd_status sd__codebook_write(const sd_dataset *ds, FILE *fp, const char *name, sd_error *err)
{
    if (!ds || !fp)
        return sd__fail(err, SD_E_INVALID, name, 0, 0, NULL, "no dataset or no file given");
    sd_status st = check_names(ds, name, err);
    if (st != SD_OK)
        return st;
    wctx w;
    memset(&w, 0, sizeof w);
    w.fp = fp;
    w.file = name;
    w.err = err;
    if (!yaml_emitter_initialize(&w.em))
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    yaml_emitter_set_output(&w.em, write_out, &w);
    yaml_emitter_set_unicode(&w.em, 1);
    yaml_emitter_set_width(&w.em, -1);
    yaml_emitter_set_indent(&w.em, 2);
    yaml_emitter_set_break(&w.em, YAML_LN_BREAK);

    yaml_event_t ev;
    emit(&w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(&w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    map_start(&w, false);
    plain(&w, "sondage_codebook");
    plain(&w, "1");
    key_labels(&w, "title", &ds->title);
    plain(&w, "variables");
    seq_start(&w, false);
    for (size_t i = 0; i < ds->nvars && w.st == SD_OK; i++)
        write_var(&w, ds->vars[i]);
    seq_end(&w);
    if (ds->nmr) {
        plain(&w, "mrsets");
        seq_start(&w, false);
        for (size_t i = 0; i < ds->nmr && w.st == SD_OK; i++)
            write_set(&w, ds, ds->mr[i]);
        seq_end(&w);
    }
    if (ds->design.declared)
        write_design(&w, &ds->design);
    map_end(&w);
    emit(&w, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(&w, &ev, yaml_stream_end_event_initialize(&ev));
    if (w.st == SD_OK && !yaml_emitter_flush(&w.em))
        emitter_fail(&w);
    yaml_emitter_delete(&w.em);
    if (w.st == SD_OK && ferror(fp))
        w.st = sd__fail(err, SD_E_IO, name, 0, 0, NULL, "write error");
    return w.st;
}
