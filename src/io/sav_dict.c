/*
 * sav_dict.c — io-internal: a small reader of an SPSS system file's
 * dictionary, beside ReadStat.
 *
 * Why by hand: ReadStat 1.1.8 (the version Debian ships) skips extension
 * record 7 subtypes 7 and 19, which hold the multiple-response sets, and
 * its writer cannot emit them; it also takes a header whose case count is
 * impossible at its word. The dictionary is a plain sequence of tagged
 * records (PSPP's developer manual, "System File Format", describes each),
 * so walking it to find those records is a page of code; ReadStat still
 * reads everything else. The walker is also run on the dictionary ReadStat
 * writes, so write_sav.c can repair it and add the sets.
 *
 * Every count and length read from the file is checked against the file's
 * size before anything is allocated or read.
 */
#include "sav_dict.h"

#include "encoding.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SAV_HEADER 176
#define SAV_MAX_RECS ((size_t)1 << 24)    /* variable records: 16M segments */
#define SAV_MAX_EXT_LOAD ((size_t)1 << 28) /* one extension record loaded: 256 MiB */
#define SAV_MAX_SETS ((size_t)100000)

static int32_t get32(const unsigned char *p, bool swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    if (swap)
        v = __builtin_bswap32(v);
    return (int32_t)v;
}

typedef struct walker {
    sd__sav_pread rd;
    void *ctx;
    long long size, pos;
    bool swap;
    const char *file;
    sd_error *err;
} walker;

__attribute__((format(printf, 3, 4))) static sd_status corrupt(walker *w, const char *part,
                                                               const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sd__fail(w->err, SD_E_FORMAT, w->file, 0, 0, NULL,
                    "corrupt SPSS .sav file: %s (at byte %lld): %s", part, w->pos, msg);
}

static bool take(walker *w, void *buf, size_t n)
{
    if (w->pos < 0 || (unsigned long long)w->pos + n > (unsigned long long)w->size)
        return false;
    if (!w->rd(w->ctx, buf, n, w->pos))
        return false;
    w->pos += (long long)n;
    return true;
}

static bool skip(walker *w, unsigned long long n)
{
    if ((unsigned long long)w->pos + n > (unsigned long long)w->size)
        return false;
    w->pos += (long long)n;
    return true;
}

static bool int32_at(walker *w, int32_t *v)
{
    unsigned char b[4];
    if (!take(w, b, 4))
        return false;
    *v = get32(b, w->swap);
    return true;
}

void sd__sav_dict_free(sd__sav_dict *d)
{
    sd__free(d->recs);
    sd__free(d->ext);
    sd__free(d->vars);
    memset(d, 0, sizeof *d);
}

static sd_status nomem(walker *w)
{
    return sd__fail(w->err, SD_E_NOMEM, w->file, 0, 0, NULL, "out of memory");
}

static sd_status var_record(walker *w, sd__sav_dict *d, size_t *cap)
{
    unsigned char b[28];
    size_t k = d->nrecs + 1;
    char part[64];
    snprintf(part, sizeof part, "dictionary, variable record %zu", k);
    if (!take(w, b, sizeof b))
        return corrupt(w, part, "the file ends inside it (expected 28 more bytes)");
    if (d->nrecs >= SAV_MAX_RECS)
        return corrupt(w, part, "more than %zu variable records", SAV_MAX_RECS);
    if (!sd__grow((void **)&d->recs, cap, d->nrecs + 1, sizeof *d->recs))
        return nomem(w);
    sd__sav_varrec *r = &d->recs[d->nrecs++];
    r->type = get32(b, w->swap);
    int32_t has_label = get32(b + 4, w->swap), nmiss = get32(b + 8, w->swap);
    r->name_at = w->pos - 8;
    memcpy(r->name, b + 20, 8);
    r->name[8] = '\0';
    for (int i = 7; i >= 0 && (r->name[i] == ' ' || r->name[i] == '\0'); i--)
        r->name[i] = '\0';
    if (r->type < -1 || r->type > 255)
        return corrupt(w, part, "type %d, expected 0 (numeric), 1 to 255 (string) or -1", r->type);
    if (has_label != 0 && has_label != 1)
        return corrupt(w, part, "label flag %d, expected 0 or 1", has_label);
    if (has_label) {
        int32_t len;
        if (!int32_at(w, &len))
            return corrupt(w, part, "the file ends inside its label");
        if (len < 0 || !skip(w, ((unsigned long long)len + 3) / 4 * 4))
            return corrupt(w, part, "a label of %d bytes, more than the file holds", len);
    }
    if (nmiss < -3 || nmiss > 3)
        return corrupt(w, part, "%d missing values, expected -3 to 3", nmiss);
    if (!skip(w, 8ULL * (unsigned)abs(nmiss)))
        return corrupt(w, part, "the file ends inside its missing values");
    return SD_OK;
}

static sd_status label_record(walker *w)
{
    const char *part = "value labels";
    int32_t n;
    if (!int32_at(w, &n))
        return corrupt(w, part, "the file ends inside the record");
    /* Each label takes at least 16 bytes: 8 for the value, 8 for the text. */
    if (n < 0 || (unsigned long long)n * 16 > (unsigned long long)(w->size - w->pos))
        return corrupt(w, part, "%d labels, more than the file holds", n);
    for (int32_t i = 0; i < n; i++) {
        unsigned char b[9];
        if (!take(w, b, 9))
            return corrupt(w, part, "the file ends inside label %d of %d", i + 1, n);
        size_t len = b[8];
        if (!skip(w, (len + 1 + 7) / 8 * 8 - 1))
            return corrupt(w, part, "the file ends inside label %d of %d", i + 1, n);
    }
    int32_t t, m;
    if (!int32_at(w, &t) || t != 4)
        return corrupt(w, part, "expected the list of variables the labels apply to (record 4)");
    if (!int32_at(w, &m) || m < 0 || !skip(w, 4ULL * (unsigned)m))
        return corrupt(w, part, "the file ends inside the list of variables they apply to");
    return SD_OK;
}

/* The variables ReadStat reports: every record but continuations and the
 * extra segments of very long strings (subtype 14 gives their widths). */
static sd_status find_vars(walker *w, sd__sav_dict *d, const char *vls, size_t vlslen)
{
    const char *end = vls ? vls + vlslen : NULL; /* NUL-terminated there */
    if (!(d->vars = sd__calloc(d->nrecs ? d->nrecs : 1, sizeof *d->vars)))
        return nomem(w);
    for (size_t i = 0; i < d->nrecs; i++) {
        if (d->recs[i].type == -1)
            continue;
        d->vars[d->nvars++] = i;
        /* "SHORT=WIDTH\0\t" pairs: a width over 255 spans several segments. */
        const char *p = vls;
        size_t nl = strlen(d->recs[i].name);
        long width = 0;
        while (p && p < end && nl) {
            while (p < end && (*p == '\t' || *p == '\0' || *p == '\n'))
                p++;
            const char *eq = p < end ? memchr(p, '=', (size_t)(end - p)) : NULL;
            if (!eq)
                break;
            if ((size_t)(eq - p) == nl && strncasecmp(p, d->recs[i].name, nl) == 0) {
                width = strtol(eq + 1, NULL, 10);
                break;
            }
            p = eq + 1;
            while (p < end && *p && *p != '\t')
                p++;
        }
        if (width > 255) {
            long segs = (width + 251) / 252;
            for (long s = 1; s < segs; s++) {
                size_t j = i + 1;
                while (j < d->nrecs && d->recs[j].type == -1)
                    j++;
                if (j >= d->nrecs)
                    return corrupt(w, "dictionary",
                                   "very long string '%s' (%ld bytes) lacks its %ld segments",
                                   d->recs[i].name, width, segs);
                i = j;
            }
        }
    }
    return SD_OK;
}

sd_status sd__sav_dict_read(sd__sav_pread rd, void *ctx, long long size, const char *file,
                            sd__sav_dict *d, sd_error *err)
{
    memset(d, 0, sizeof *d);
    walker w = {.rd = rd, .ctx = ctx, .size = size, .file = file, .err = err};
    unsigned char h[SAV_HEADER];
    if (!take(&w, h, sizeof h))
        return corrupt(&w, "header", "the file is shorter than the 176-byte header");
    int32_t layout = get32(h + 64, false);
    if (layout != 2 && layout != 3) {
        w.swap = true;
        layout = get32(h + 64, true);
        if (layout != 2 && layout != 3)
            return corrupt(&w, "header", "layout code %d, expected 2 or 3", get32(h + 64, false));
    }
    d->swap = w.swap;
    d->case_size = get32(h + 68, w.swap);
    d->weight_index = get32(h + 76, w.swap);
    d->ncases = get32(h + 80, w.swap);
    if (d->ncases < -1) {
        w.pos = 80;
        return corrupt(&w, "header", "a case count of %d, expected -1 (not given) or 0 or more",
                       d->ncases);
    }
    size_t rcap = 0, ecap = 0;
    char *vls = NULL;
    size_t vlslen = 0;
    sd_status st = SD_OK;
    for (;;) {
        long long at = w.pos;
        int32_t type;
        if (!int32_at(&w, &type)) {
            st = corrupt(&w, "dictionary", "the file ends before the end-of-dictionary record");
            break;
        }
        if (type == 2) {
            st = var_record(&w, d, &rcap);
        } else if (type == 3) {
            st = label_record(&w);
        } else if (type == 6) {
            int32_t n;
            if (!int32_at(&w, &n) || n < 0 || !skip(&w, 80ULL * (unsigned)n))
                st = corrupt(&w, "documents", "more lines than the file holds");
        } else if (type == 7) {
            int32_t sub, sz, cnt;
            if (!int32_at(&w, &sub) || !int32_at(&w, &sz) || !int32_at(&w, &cnt)) {
                st = corrupt(&w, "extension record", "the file ends inside its header");
                break;
            }
            unsigned long long len = (unsigned long long)(unsigned)sz * (unsigned)cnt;
            if (sz < 0 || cnt < 0 || len > (unsigned long long)(w.size - w.pos)) {
                st = corrupt(&w, "extension record",
                             "subtype %d claims %d × %d bytes, more than the file holds", sub,
                             sz, cnt);
                break;
            }
            if (!sd__grow((void **)&d->ext, &ecap, d->next + 1, sizeof *d->ext)) {
                st = nomem(&w);
                break;
            }
            d->ext[d->next++] = (sd__sav_ext){sub, w.pos, (size_t)len};
            w.pos += (long long)len;
        } else if (type == 999) {
            int32_t filler;
            if (!int32_at(&w, &filler)) {
                st = corrupt(&w, "dictionary", "the file ends inside the end-of-dictionary record");
                break;
            }
            d->end_at = at;
            d->data_at = w.pos;
            break;
        } else {
            w.pos = at;
            st = corrupt(&w, "dictionary", "record type %d, expected 2, 3, 6, 7 or 999", type);
        }
        if (st != SD_OK)
            break;
    }
    for (size_t i = 0; st == SD_OK && i < d->next; i++)
        if (d->ext[i].subtype == 14 && !vls) {
            vlslen = d->ext[i].len;
            st = sd__sav_ext_load(rd, ctx, d, i, file, &vls, err);
        }
    if (st == SD_OK)
        st = find_vars(&w, d, vls, vlslen);
    sd__free(vls);
    if (st != SD_OK)
        sd__sav_dict_free(d);
    return st;
}

sd_status sd__sav_ext_load(sd__sav_pread rd, void *ctx, const sd__sav_dict *d, size_t i,
                           const char *file, char **out, sd_error *err)
{
    const sd__sav_ext *e = &d->ext[i];
    *out = NULL;
    if (e->len > SAV_MAX_EXT_LOAD)
        return sd__fail(err, SD_E_TOO_LARGE, file, 0, 0, NULL,
                        "extension record %d is %zu bytes; the limit is %zu", e->subtype, e->len,
                        SAV_MAX_EXT_LOAD);
    char *buf = sd__malloc(e->len + 1);
    if (!buf)
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    if (e->len && !rd(ctx, buf, e->len, e->data_at)) {
        sd__free(buf);
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt SPSS .sav file: extension record %d (at byte %lld) cannot be "
                        "read whole",
                        e->subtype, e->data_at);
    }
    buf[e->len] = '\0';
    *out = buf;
    return SD_OK;
}

/* ------------------------------------------------------------ MR sets */

typedef struct mr_parse {
    const char *p, *end;
} mr_parse;

static bool mr_num(mr_parse *m, unsigned long *v)
{
    const char *s = m->p;
    unsigned long x = 0;
    while (m->p < m->end && *m->p >= '0' && *m->p <= '9') {
        if (x > 100000000UL)
            return false;
        x = x * 10 + (unsigned long)(*m->p++ - '0');
    }
    *v = x;
    return m->p > s;
}

static bool mr_char(mr_parse *m, char c)
{
    if (m->p < m->end && *m->p == c) {
        m->p++;
        return true;
    }
    return false;
}

/* A counted string: decimal length, a space, that many bytes. */
static bool mr_counted(mr_parse *m, const char **s, size_t *n)
{
    unsigned long len;
    if (!mr_num(m, &len) || !mr_char(m, ' ') || len > (size_t)(m->end - m->p))
        return false;
    *s = m->p;
    *n = len;
    m->p += len;
    return true;
}

/* Text of the file (in `enc`) as UTF-8: kept when valid, else converted. */
static char *text_utf8(const char *s, size_t n, const char *enc)
{
    if (sd__utf8_valid_prefix(s, n) == n)
        return sd__strndup(s, n);
    char *out = NULL;
    size_t len;
    if (sd__enc_to_utf8(enc && *enc ? enc : "WINDOWS-1252", s, n, &out, &len, NULL, NULL, NULL) ==
        SD_OK)
        return out;
    /* Undecodable: each byte its own code point (Latin-1), nothing lost. */
    return sd__latin1_to_utf8(s, n);
}

/* The file's encoding for iconv: subtype 20 names it; subtype 3's eighth
 * field is a code page. NULL when neither says. */
static char *file_encoding(sd__sav_pread rd, void *ctx, const sd__sav_dict *d, const char *file)
{
    for (size_t i = 0; i < d->next; i++)
        if (d->ext[i].subtype == 20 && d->ext[i].len > 0 && d->ext[i].len < 64) {
            char *s = NULL;
            if (sd__sav_ext_load(rd, ctx, d, i, file, &s, NULL) == SD_OK)
                return s;
        }
    for (size_t i = 0; i < d->next; i++)
        if (d->ext[i].subtype == 3 && d->ext[i].len == 32) {
            unsigned char b[32];
            if (!rd(ctx, b, 32, d->ext[i].data_at))
                return NULL;
            int32_t cp = get32(b + 28, d->swap);
            char name[32];
            if (cp == 65001)
                snprintf(name, sizeof name, "UTF-8");
            else if (cp == 2 || cp == 3)
                return NULL; /* 7-bit ASCII, 8-bit ASCII: no conversion needed */
            else if (cp > 0)
                snprintf(name, sizeof name, "CP%d", (int)cp);
            else
                return NULL;
            return sd__strdup(name);
        }
    return NULL;
}

typedef struct mr_ctx {
    const sd__sav_dict *d;
    sd_var *const *vars;
    size_t nvars;
    sd_dataset *ds;
    const char *file;
    const char *enc;
    sd_error *err;
    size_t nsets;
} mr_ctx;

static sd_status mr_bad(mr_ctx *c, int subtype, size_t line, const char *what)
{
    return sd__fail(c->err, SD_E_FORMAT, c->file, 0, 0, NULL,
                    "corrupt SPSS .sav file: multiple-response sets (record 7, subtype %d), set "
                    "%zu: %s",
                    subtype, line, what);
}

/* The dataset variable whose short name is s[0..n) (any case), or NULL. */
static sd_var *by_short(mr_ctx *c, const char *s, size_t n, size_t *index)
{
    for (size_t i = 0; i < c->d->nvars && i < c->nvars; i++) {
        const char *nm = c->d->recs[c->d->vars[i]].name;
        if (strlen(nm) == n && strncasecmp(nm, s, n) == 0) {
            *index = i;
            return c->vars[i];
        }
    }
    return NULL;
}

static long var_position(const sd_dataset *ds, const sd_var *v)
{
    for (size_t i = 0; i < ds->nvars; i++)
        if (ds->vars[i] == v)
            return (long)i;
    return -1;
}

/* One line: $name=C … / D … / E …, then the label and the short names. */
static sd_status mr_line(mr_ctx *c, int subtype, size_t line, mr_parse *m)
{
    const char *name = m->p;
    while (m->p < m->end && *m->p != '=')
        m->p++;
    size_t nlen = (size_t)(m->p - name);
    if (!mr_char(m, '=') || nlen == 0)
        return mr_bad(c, subtype, line, "expected NAME= at the start");
    sd_mrset_kind kind;
    const char *cv = NULL, *label = NULL;
    size_t cvn = 0, labeln = 0;
    bool label_from_var = false;
    if (mr_char(m, 'C')) {
        kind = SD_MRSET_CATEGORY;
        if (!mr_char(m, ' '))
            return mr_bad(c, subtype, line, "expected a space after C");
    } else if (mr_char(m, 'D')) {
        kind = SD_MRSET_DICHOTOMY;
        if (!mr_counted(m, &cv, &cvn) || !mr_char(m, ' '))
            return mr_bad(c, subtype, line, "expected the counted value after D");
    } else if (mr_char(m, 'E')) {
        kind = SD_MRSET_DICHOTOMY;
        unsigned long flag;
        if (!mr_char(m, ' ') || !mr_num(m, &flag) || !mr_char(m, ' '))
            return mr_bad(c, subtype, line, "expected a flag (1 or 11) after E");
        label_from_var = flag == 11;
        if (!mr_counted(m, &cv, &cvn) || !mr_char(m, ' '))
            return mr_bad(c, subtype, line, "expected the counted value after E");
    } else {
        return mr_bad(c, subtype, line, "expected C, D or E after NAME=");
    }
    if (!mr_counted(m, &label, &labeln))
        return mr_bad(c, subtype, line, "expected the label's length and text");

    /* Variables: short names separated by spaces, up to the line feed. */
    size_t *idx = NULL, nidx = 0, icap = 0;
    sd_status st = SD_OK;
    while (m->p < m->end && *m->p != '\n') {
        while (m->p < m->end && *m->p == ' ')
            m->p++;
        const char *v = m->p;
        while (m->p < m->end && *m->p != ' ' && *m->p != '\n')
            m->p++;
        size_t vn = (size_t)(m->p - v);
        if (vn == 0)
            continue;
        size_t at;
        sd_var *var = by_short(c, v, vn, &at);
        long pos = var ? var_position(c->ds, var) : -1;
        if (pos < 0) {
            char what[96];
            snprintf(what, sizeof what, "it names variable '%.*s', which the file does not have",
                     (int)(vn > 16 ? 16 : vn), v);
            st = mr_bad(c, subtype, line, what);
            break;
        }
        if (!sd__grow((void **)&idx, &icap, nidx + 1, sizeof *idx)) {
            st = sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
            break;
        }
        idx[nidx++] = (size_t)pos;
    }
    /* Counted value: a number for numeric sets. */
    double counted = 1;
    bool keep = st == SD_OK && nidx >= 2;
    if (keep && kind == SD_MRSET_DICHOTOMY) {
        while (cvn && cv[cvn - 1] == ' ')
            cvn--;
        while (cvn && *cv == ' ')
            cv++, cvn--;
        keep = cvn > 0 && sd__parse_double(cv, cvn, false, &counted) && isfinite(counted);
        for (size_t i = 0; keep && i < nidx; i++)
            keep = c->ds->vars[idx[i]]->type == SD_TYPE_NUMERIC;
    }
    char *nm = keep ? text_utf8(name, nlen, c->enc) : NULL;
    sd_mrset *set = NULL;
    if (keep && !nm)
        st = sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
    if (st == SD_OK && keep) {
        if (c->nsets >= SAV_MAX_SETS) {
            st = mr_bad(c, subtype, line, "more than 100000 sets");
        } else if (sd__dataset_add_mrset(c->ds, nm, kind, &set, NULL) != SD_OK) {
            char what[160];
            snprintf(what, sizeof what,
                     "set name '%.64s' is not a valid name or is already used by a variable "
                     "or a set",
                     nm);
            st = mr_bad(c, subtype, line, what);
        } else {
            c->nsets++;
            set->counted = kind == SD_MRSET_DICHOTOMY ? counted : 1;
            for (size_t i = 0; i < nidx && st == SD_OK; i++)
                if (!sd__mrset_add_var(set, idx[i]))
                    st = sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
            const char *vl = label_from_var && labeln == 0
                                 ? sd__labels_get(&c->ds->vars[idx[0]]->label, NULL)
                                 : NULL;
            char *lt = vl ? sd__strdup(vl) : labeln ? text_utf8(label, labeln, c->enc) : NULL;
            if (st == SD_OK && (vl || labeln) && (!lt || !sd__labels_set(&set->label, NULL, lt)))
                st = sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
            sd__free(lt);
        }
    }
    sd__free(nm);
    sd__free(idx);
    return st;
}

sd_status sd__sav_read_mrsets(sd__sav_pread rd, void *ctx, const sd__sav_dict *d,
                              sd_var *const *vars, size_t nvars, sd_dataset *ds,
                              const char *encoding, const char *file, sd_error *err)
{
    char *enc = NULL;
    bool any = false;
    for (size_t i = 0; i < d->next; i++)
        any |= d->ext[i].subtype == 7 || d->ext[i].subtype == 19;
    if (!any)
        return SD_OK;
    enc = encoding ? sd__strdup(encoding) : file_encoding(rd, ctx, d, file);
    mr_ctx c = {d, vars, nvars, ds, file, enc, err, 0};
    sd_status st = SD_OK;
    for (size_t i = 0; i < d->next && st == SD_OK; i++) {
        int sub = d->ext[i].subtype;
        if (sub != 7 && sub != 19)
            continue;
        char *text;
        if ((st = sd__sav_ext_load(rd, ctx, d, i, file, &text, err)) != SD_OK)
            break;
        mr_parse m = {text, text + d->ext[i].len};
        size_t line = 0;
        while (st == SD_OK && m.p < m.end) {
            while (m.p < m.end && (*m.p == '\n' || *m.p == '\0' || *m.p == ' '))
                m.p++;
            if (m.p >= m.end)
                break;
            st = mr_line(&c, sub, ++line, &m);
        }
        sd__free(text);
    }
    sd__free(enc);
    return st;
}

/* ------------------------------------------------------------ writing */

char *sd__sav_format_mrsets(const sd_dataset *ds, char *const *shorts, const char *lang,
                            size_t *len)
{
    sd_strbuf sb;
    sd__sb_init(&sb, SAV_MAX_EXT_LOAD);
    for (size_t i = 0; i < ds->nmr; i++) {
        const sd_mrset *m = ds->mr[i];
        if (m->name[0] != '$')
            sd__sb_putc(&sb, '$');
        sd__sb_puts(&sb, m->name);
        sd__sb_putc(&sb, '=');
        if (m->kind == SD_MRSET_CATEGORY) {
            sd__sb_puts(&sb, "C ");
        } else {
            char num[40];
            int n = sd__fmt_double(num, m->counted);
            sd__sb_printf(&sb, "D%d %s ", n, num);
        }
        const char *label = sd__labels_get(&m->label, lang);
        size_t ln = label ? strlen(label) : 0;
        sd__sb_printf(&sb, "%zu ", ln);
        if (ln)
            sd__sb_add(&sb, label, ln);
        for (size_t k = 0; k < m->nvars; k++) {
            sd__sb_putc(&sb, ' ');
            for (const char *p = shorts[m->vars[k]]; *p; p++)
                sd__sb_putc(&sb, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
        }
        sd__sb_putc(&sb, '\n');
    }
    if (sd__sb_status(&sb) != SD_OK) {
        sd__sb_free(&sb);
        return NULL;
    }
    *len = sb.len;
    char *out = sb.len ? sd__sb_take(&sb) : sd__strdup("");
    sd__sb_free(&sb);
    return out;
}
