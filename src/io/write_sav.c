/*
 * write_sav.c — the io layer's SPSS .sav writer, through ReadStat's writer:
 * variables and types, variable labels, value labels, user-missing codes and
 * ranges, measures, display formats, file label, and the rows.
 *
 * A .sav file carries one language, and neither sondage's nets nor its
 * variable notes: labels are taken in `lang` (with the usual fallbacks) and
 * the rest is left out. The CSV + codebook writer (sd_dataset_write_csv)
 * keeps everything, in every language. Of a declared design, .sav holds the
 * weight (the header's weight index, as SPSS's WEIGHT BY).
 *
 * ReadStat 1.1.8 writes no multiple-response sets and cuts short names at 8
 * bytes even inside a UTF-8 character (PSPP then renames the variable
 * VAR001). So the dictionary ReadStat writes is held in memory, walked with
 * sav_dict.c, its cut short names repaired in place (same length, so no
 * offset moves), and the sets' record (7, subtype 7) inserted before the
 * end-of-dictionary record; the rows then stream straight to the file.
 *
 * Names SPSS cannot take (a leading '_' or digit, a reserved word, a space,
 * more than 64 bytes, two names equal but for case) are renamed, each new
 * name listed with the original in the file's documents (DISPLAY
 * DOCUMENTS); the original stays in any CSV codebook written from the same
 * dataset.
 *
 * What ReadStat 1.1.8 would write in a form SPSS and PSPP misread is refused
 * with SD_E_UNSUPPORTED rather than written: two or more user-missing values
 * on a string wider than 8 bytes, value labels on a string longer than 248
 * bytes (see check_var and string_width).
 *
 * Compression: bytecode (READSTAT_COMPRESS_ROWS). Survey columns are mostly
 * small integer codes, which bytecode stores in one byte instead of eight;
 * every SPSS and PSPP version reads it, while zlib (.zsav) needs SPSS 21 or
 * later and an uncompressed file is several times larger for no gain.
 *
 * Output is byte-identical run to run: the file timestamp is a constant, and
 * since ReadStat prints it with localtime(), the header's date and time text
 * is pinned as it is written so the bytes do not depend on TZ either.
 */
#include "io.h"
#include "sav_dict.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 2024-01-01 00:00:00 UTC, and how the .sav header spells it. */
#define SAV_TIMESTAMP ((time_t)1704067200)
#define SAV_HDR_DATE_AT 92 /* "dd Mon yy" then "hh:mm:ss": 17 bytes */
static const char sav_hdr_date[17] = {'0', '1', ' ', 'J', 'a', 'n', ' ', '2', '4',
                                      '0', '0', ':', '0', '0', ':', '0', '0'};

/* Byte limits of the .sav format as ReadStat 1.1.8 writes it; longer text is
 * cut at a UTF-8 character boundary rather than mid-character. */
#define SAV_FILE_LABEL_MAX 64
#define SAV_VAR_LABEL_MAX 256
#define SAV_VALUE_LABEL_MAX 120
#define SAV_STRING_MAX 32767
#define SAV_MISSING_STR_MAX 8

/* Most bytes of dictionary held in memory before the rows start. */
#define SAV_MAX_DICT ((size_t)1 << 30)

typedef struct sav_out {
    FILE *fp;
    int err;             /* errno of the first failed write, 0 when none */
    bool hold;           /* the dictionary: kept in buf, not yet written */
    unsigned char *buf;  /* held bytes */
    size_t blen, bcap;
    bool too_big;
} sav_out;

static ssize_t sav_write(const void *data, size_t len, void *ctx)
{
    sav_out *o = ctx;
    if (len == 0)
        return 0; /* ReadStat may pass (NULL, 0) */
    if (o->hold) {
        if (len > SAV_MAX_DICT - o->blen) {
            o->too_big = true;
            return -1;
        }
        if (!sd__grow((void **)&o->buf, &o->bcap, o->blen + len, 1))
            return -1;
        memcpy(o->buf + o->blen, data, len);
        o->blen += len;
        return (ssize_t)len;
    }
    if (fwrite(data, 1, len, o->fp) != len) {
        if (!o->err)
            o->err = errno ? errno : EIO;
        return -1;
    }
    return (ssize_t)len;
}

static bool out_put(sav_out *o, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, o->fp) != n) {
        if (!o->err)
            o->err = errno ? errno : EIO;
        return false;
    }
    return true;
}

static bool mem_pread(void *ctx, void *buf, size_t n, long long off)
{
    const sav_out *o = ctx;
    if (off < 0 || (unsigned long long)off > o->blen || n > o->blen - (size_t)off)
        return false;
    memcpy(buf, o->buf + off, n);
    return true;
}

/* Longest prefix of s that fits in max bytes without splitting a UTF-8
 * character, copied into buf (max + 1 bytes). */
static const char *utf8_cut(const char *s, size_t max, char *buf)
{
    size_t n = strlen(s);
    if (n <= max)
        return s;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* ------------------------------------------------------------ names */

static bool reserved_word(const char *s)
{
    static const char *const words[] = {"ALL", "AND", "BY", "EQ",  "GE", "GT",   "LE",
                                        "LT",  "NE",  "NOT", "OR", "TO", "WITH", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strcasecmp(s, words[i]) == 0)
            return true;
    return false;
}

/* Bytes of the valid UTF-8 character at s (n left), 0 when not one. */
static size_t utf8_char(const char *s, size_t n)
{
    unsigned char c = (unsigned char)*s;
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (!len || len > n || sd__utf8_valid_prefix(s, len) != len)
        return 0;
    return len;
}

/* An SPSS variable name for `in` (out: SAV_NAME_MAX + 1 bytes): letters of
 * any script, digits, @ . _ $ # kept, anything else becomes '_'; it begins
 * with a letter or @ ('v' is put first otherwise, and before a reserved
 * word); at most 64 bytes, cut between characters; no final '.'. */
#define SAV_NAME_MAX 64
static void valid_name(const char *in, char *out)
{
    char tmp[SAV_NAME_MAX + 1];
    size_t o = 0, n = strlen(in);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_char(in + i, n - i);
        if (len > 1) {
            if (o + len > SAV_NAME_MAX)
                break;
            memcpy(tmp + o, in + i, len);
            o += len;
            i += len;
            continue;
        }
        if (o + 1 > SAV_NAME_MAX)
            break;
        char c = in[i++];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '@' || c == '.' || c == '_' || c == '$' || c == '#';
        tmp[o++] = len == 1 && ok ? c : '_';
    }
    tmp[o] = '\0';
    unsigned char c0 = (unsigned char)tmp[0];
    bool first_ok = (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '@' || c0 >= 0x80;
    size_t k = 0;
    if (!first_ok || reserved_word(tmp))
        out[k++] = 'v';
    size_t room = SAV_NAME_MAX - k, m = strlen(tmp);
    if (m > room) {
        m = room;
        while (m > 0 && ((unsigned char)tmp[m] & 0xC0) == 0x80)
            m--;
    }
    memcpy(out + k, tmp, m);
    k += m;
    if (k > 1 && out[k - 1] == '.')
        out[k - 1] = '_';
    out[k] = '\0';
}

typedef struct name_ix {
    const char *name;
    size_t i;
} name_ix;

static int cmp_name_ix(const void *a, const void *b)
{
    const name_ix *x = a, *y = b;
    int d = strcasecmp(x->name, y->name);
    return d ? d : (x->i > y->i) - (x->i < y->i);
}

/* The names variables get in the .sav: valid, and distinct whatever the
 * case (SPSS compares names without case). *renamed counts the changes. */
static sd_status sav_names(const sd_dataset *ds, char ***out, size_t *renamed, const char *path,
                           sd_error *err)
{
    size_t n = ds->nvars;
    char **names = sd__calloc(n, sizeof *names);
    name_ix *ix = sd__calloc(n, sizeof *ix);
    sd_status st = SD_OK;
    if (!names || !ix)
        st = sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < n && st == SD_OK; i++) {
        if (!(names[i] = sd__malloc(SAV_NAME_MAX + 1)))
            st = sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
        else
            valid_name(ds->vars[i]->name, names[i]);
    }
    /* Equal names (but for case) after that: the later ones get _2, _3, …
     * until every name is distinct. */
    for (int round = 0; st == SD_OK; round++) {
        for (size_t i = 0; i < n; i++)
            ix[i] = (name_ix){names[i], i};
        qsort(ix, n, sizeof *ix, cmp_name_ix);
        bool dup = false;
        for (size_t k = 1; k < n; k++) {
            size_t a = ix[k - 1].i, b = ix[k].i;
            if (strcasecmp(names[a], names[b]) != 0)
                continue;
            dup = true;
            char suffix[24];
            snprintf(suffix, sizeof suffix, "_%zu", k + 1 + (size_t)round * n);
            size_t m = strlen(names[b]), sl = strlen(suffix);
            if (m + sl > SAV_NAME_MAX) {
                m = SAV_NAME_MAX - sl;
                while (m > 0 && ((unsigned char)names[b][m] & 0xC0) == 0x80)
                    m--;
            }
            memcpy(names[b] + m, suffix, sl + 1);
        }
        if (!dup)
            break;
        if (round > 8)
            st = sd__fail(err, SD_E_INTERNAL, path, 0, 0, NULL, "cannot make the names distinct");
    }
    *renamed = 0;
    for (size_t i = 0; st == SD_OK && i < n; i++)
        *renamed += strcmp(names[i], ds->vars[i]->name) != 0;
    sd__free(ix);
    if (st != SD_OK) {
        for (size_t i = 0; names && i < n; i++)
            sd__free(names[i]);
        sd__free(names);
        return st;
    }
    *out = names;
    return SD_OK;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        sd__free(names[i]);
    sd__free(names);
}

/* Documents listing each renamed variable: "NEW = ORIGINAL", or the two
 * on two lines when they do not fit the 80 bytes of one. */
static void add_rename_notes(readstat_writer_t *w, const sd_dataset *ds, char **names)
{
    readstat_add_note(w, "Renamed by sondage for SPSS (new name = original name):");
    for (size_t i = 0; i < ds->nvars; i++) {
        const char *orig = ds->vars[i]->name;
        if (strcmp(orig, names[i]) == 0)
            continue;
        char line[81], cut[65];
        const char *o = utf8_cut(orig, 64, cut);
        if (strlen(names[i]) + 3 + strlen(o) <= 80) {
            snprintf(line, sizeof line, "%s = %s", names[i], o);
            readstat_add_note(w, line);
        } else {
            snprintf(line, sizeof line, "%s =", names[i]);
            readstat_add_note(w, line);
            snprintf(line, sizeof line, "  %s", o);
            readstat_add_note(w, line);
        }
    }
}

/* ------------------------------------------------------------ dictionary */

/* Does a short name (NUL-terminated, at most 8 bytes) end inside a UTF-8
 * character? */
static bool short_cut(const char *s)
{
    size_t n = strlen(s);
    return sd__utf8_valid_prefix(s, n) != n;
}

static bool short_taken(const sd__sav_dict *d, size_t self, const char *s)
{
    for (size_t i = 0; i < d->nrecs; i++)
        if (i != self && d->recs[i].type != -1 && strcasecmp(d->recs[i].name, s) == 0)
            return true;
    return false;
}

/* Replace, at the starts of "KEY=…" entries of an extension record, `from=`
 * by `to=` (same length). */
static void patch_keys(unsigned char *p, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from);
    for (size_t i = 0; i + n < len; i++) {
        bool start = i == 0 || p[i - 1] == '\t' || p[i - 1] == '\0' || p[i - 1] == '\n';
        if (start && memcmp(p + i, from, n) == 0 && p[i + n] == '=')
            memcpy(p + i, to, n);
    }
}

/* The dictionary ReadStat has written (held in o->buf): repair short names
 * cut inside a character, add the sets, pin the header's date, and write it
 * all out. */
static sd_status flush_dict(sav_out *o, const sd_dataset *ds, const char *lang, const char *path,
                            sd_error *err)
{
    o->hold = false;
    if (o->too_big)
        return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL,
                        "the .sav dictionary is larger than %zu bytes", SAV_MAX_DICT);
    sd__sav_dict d;
    sd_status st = sd__sav_dict_read(mem_pread, o, (long long)o->blen, path, &d, err);
    if (st != SD_OK)
        return sd__fail(err, SD_E_INTERNAL, path, 0, 0, NULL,
                        "the dictionary ReadStat wrote does not walk: %s", sd_error_message(err));
    if (d.nvars != ds->nvars || o->blen < 176) {
        sd__sav_dict_free(&d);
        return sd__fail(err, SD_E_INTERNAL, path, 0, 0, NULL,
                        "ReadStat wrote %zu variables, expected %zu", d.nvars, ds->nvars);
    }
    for (size_t i = 0; i < d.nrecs; i++) {
        sd__sav_varrec *r = &d.recs[i];
        if (r->type == -1 || !short_cut(r->name))
            continue;
        char old[9], fix[9];
        memcpy(old, r->name, sizeof old);
        size_t n = strlen(old), k = sd__utf8_valid_prefix(old, n);
        memcpy(fix, old, sizeof fix);
        memset(fix + k, '_', n - k);
        static const char alt[] = "_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (size_t a = 0; a < sizeof alt - 1 && short_taken(&d, i, fix); a++)
            fix[n - 1] = alt[a];
        if (k == 0)
            fix[0] = 'V'; /* a name must start with a letter */
        memcpy(o->buf + r->name_at, fix, n);
        memcpy(r->name, fix, sizeof fix);
        for (size_t e = 0; e < d.next; e++)
            if (d.ext[e].subtype == 13 || d.ext[e].subtype == 14)
                patch_keys(o->buf + d.ext[e].data_at, d.ext[e].len, old, fix);
    }
    memcpy(o->buf + SAV_HDR_DATE_AT, sav_hdr_date, sizeof sav_hdr_date);

    char *mr = NULL;
    size_t mrlen = 0;
    if (ds->nmr) {
        char **shorts = sd__calloc(ds->nvars, sizeof *shorts);
        if (shorts) {
            for (size_t i = 0; i < ds->nvars; i++)
                shorts[i] = d.recs[d.vars[i]].name;
            mr = sd__sav_format_mrsets(ds, shorts, lang, &mrlen);
        }
        sd__free(shorts);
        if (!mr || mrlen > (size_t)INT32_MAX) {
            sd__free(mr);
            sd__sav_dict_free(&d);
            return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
        }
    }
    size_t end = (size_t)d.end_at;
    sd__sav_dict_free(&d);
    bool ok = out_put(o, o->buf, end);
    if (ok && mrlen) {
        int32_t hdr[4] = {7, 7, 1, (int32_t)mrlen};
        ok = out_put(o, hdr, sizeof hdr) && out_put(o, mr, mrlen);
    }
    ok = ok && out_put(o, o->buf + end, o->blen - end);
    sd__free(mr);
    sd__free(o->buf);
    o->buf = NULL;
    o->blen = o->bcap = 0;
    if (!ok)
        return sd__fail_errno(err, SD_E_IO, path, o->err, "write error");
    return SD_OK;
}

static size_t longest_value(const sd_var *v)
{
    size_t w = 1;
    for (size_t i = 0; i < v->nlevels; i++) {
        size_t n = strlen(v->levels[i]);
        w = n > w ? n : w;
    }
    for (size_t i = 0; i < v->nvl; i++) {
        size_t n = v->vl[i].str ? strlen(v->vl[i].str) : 0;
        w = n > w ? n : w;
    }
    for (size_t i = 0; i < v->nmiss_strs; i++) {
        size_t n = strlen(v->miss_strs[i]);
        w = n > w ? n : w;
    }
    return w;
}

/* Declared width of a string variable: its longest value, label key or
 * missing value, at least 1. ReadStat 1.1.8 writes the long value-label
 * record of a string wider than 8 bytes with the width rounded up to 8, and
 * SPSS and PSPP ignore the labels when that differs from the variable's
 * width, so a labelled string wider than 8 is declared with that rounding. */
static size_t string_width(const sd_var *v)
{
    size_t w = longest_value(v);
    if (v->nvl && w > 8 && w % 8)
        w += 8 - w % 8;
    return w;
}

static readstat_measure_t rs_measure(sd_measure m)
{
    switch (m) {
    case SD_MEASURE_NOMINAL: return READSTAT_MEASURE_NOMINAL;
    case SD_MEASURE_ORDINAL: return READSTAT_MEASURE_ORDINAL;
    case SD_MEASURE_SCALE: return READSTAT_MEASURE_SCALE;
    }
    return READSTAT_MEASURE_UNKNOWN;
}

/* What .sav cannot hold, checked before anything is written. */
static sd_status check_var(const sd_var *v, const char *path, sd_error *err)
{
    if (v->type == SD_TYPE_NUMERIC) {
        size_t n = v->nmiss + (v->has_miss_range ? 2 : 0);
        if (n > 3)
            return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                            "variable '%s' has more user-missing values than .sav holds "
                            "(three codes, or one range and one code)",
                            v->name);
    } else {
        if (v->nmiss_strs > 3)
            return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                            "variable '%s' has more than three user-missing values, the most "
                            ".sav holds",
                            v->name);
        /* ReadStat 1.1.8 lays out the missing values of a string wider than
         * 8 bytes (record 7, subtype 22) with one length for all values,
         * where SPSS and PSPP expect one per value: with two or more the
         * file misreads there, so those are refused rather than written. */
        if (v->nmiss_strs > 1 && string_width(v) > 8)
            return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                            "variable '%s': a string wider than 8 bytes can carry only one "
                            "user-missing value in a .sav written through ReadStat 1.1.8 (it "
                            "has %zu)",
                            v->name, v->nmiss_strs);
        for (size_t i = 0; i < v->nmiss_strs; i++)
            if (strlen(v->miss_strs[i]) > SAV_MISSING_STR_MAX)
                return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                                "variable '%s': user-missing value '%s' is longer than the "
                                "%d bytes .sav allows",
                                v->name, v->miss_strs[i], SAV_MISSING_STR_MAX);
        /* The rounding in string_width cannot help past 248 bytes (longer
         * strings are split in 255-byte segments, stored in 256). */
        if (v->nvl && longest_value(v) > 248)
            return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                            "variable '%s': value labels on a string longer than 248 bytes "
                            "cannot be written to .sav through ReadStat 1.1.8 (SPSS would "
                            "ignore them)",
                            v->name);
        if (string_width(v) > SAV_STRING_MAX)
            return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                            "variable '%s' has a value longer than the %d bytes .sav allows",
                            v->name, SAV_STRING_MAX);
    }
    return SD_OK;
}

/* Declare one variable (and its label set) to the writer. */
/* The F w.d format of a numeric column. CSV files, Stata's %g formats and
 * SAS files give no decimals, so 0 decimals on a column that holds
 * non-integers is read as "not given": it gets the decimals its values need
 * (at most 6), lest SPSS show 12.5 as 13. The width grows to fit the
 * largest value. Valid for SPSS: 1 <= w <= 40, d <= 16, room for the point. */
static void numeric_format(const sd_var *v, size_t nrows, int *width, int *decimals)
{
    int d = v->decimals < 0 ? 0 : v->decimals > 16 ? 16 : v->decimals;
    int w = v->width < 1 ? 8 : v->width > 40 ? 40 : v->width;
    if (d == 0) {
        for (size_t r = 0; r < nrows; r++) {
            double x = v->num[r];
            if (v->sysmis[r] || !isfinite(x) || x == floor(x))
                continue;
            double tol = 1e-9 * (fabs(x) > 1 ? fabs(x) : 1), scale = 10;
            int need = 1;
            for (; need < 6; need++, scale *= 10)
                if (fabs(round(x * scale) / scale - x) <= tol)
                    break;
            d = need > d ? need : d;
            if (d == 6)
                break;
        }
    }
    for (size_t r = 0; r < nrows; r++) {
        double x = v->num[r];
        if (v->sysmis[r] || !isfinite(x))
            continue;
        double a = fabs(x);
        int digits = a < 10 ? 1 : a >= 1e38 ? 39 : (int)floor(log10(a)) + 1;
        int need = digits + (x < 0) + (d ? d + 1 : 0);
        w = need > w ? (need > 40 ? 40 : need) : w;
    }
    if (d > 0 && w < d + 2)
        w = d + 2;
    *width = w;
    *decimals = d;
}

static sd_status add_var(readstat_writer_t *w, const sd_var *v, const char *sav_name,
                         size_t index, size_t nrows, const char *lang, const char *path,
                         sd_error *err)
{
    char buf[SAV_VAR_LABEL_MAX + 1];
    bool str = v->type == SD_TYPE_STRING;
    readstat_label_set_t *set = NULL;
    if (v->nvl) {
        char name[32];
        snprintf(name, sizeof name, "labels%zu", index);
        set = readstat_add_label_set(w, str ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE, name);
        if (!set)
            return sd__fail(err, SD_E_NOMEM, path, 0, 0, v->name, "out of memory");
        for (size_t i = 0; i < v->nvl; i++) {
            const char *text = sd__labels_get(&v->vl[i].labels, lang);
            text = utf8_cut(text ? text : "", SAV_VALUE_LABEL_MAX, buf);
            if (str && v->vl[i].str)
                readstat_label_string_value(set, v->vl[i].str, text);
            else if (!str && !v->vl[i].str)
                readstat_label_double_value(set, v->vl[i].code, text);
        }
    }
    size_t width = str ? string_width(v) : 0;
    readstat_variable_t *rv =
        readstat_add_variable(w, sav_name, str ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE, width);
    if (!rv)
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, v->name, "out of memory");

    const char *label = sd__labels_get(&v->label, lang);
    if (label)
        readstat_variable_set_label(rv, utf8_cut(label, SAV_VAR_LABEL_MAX, buf));
    if (set)
        readstat_variable_set_label_set(rv, set);
    /* SPSS has no scale strings. */
    readstat_variable_set_measure(rv, rs_measure(str && v->measure == SD_MEASURE_SCALE
                                                     ? SD_MEASURE_NOMINAL
                                                     : v->measure));

    char fmt[32];
    if (str) {
        snprintf(fmt, sizeof fmt, "A%zu", width);
        readstat_variable_set_display_width(rv, width > 40 ? 40 : (int)width);
    } else {
        int wd, d;
        numeric_format(v, nrows, &wd, &d);
        snprintf(fmt, sizeof fmt, "F%d.%d", wd, d);
        readstat_variable_set_display_width(rv, wd);
    }
    readstat_variable_set_format(rv, fmt);

    readstat_error_t rc = READSTAT_OK;
    if (str) {
        for (size_t i = 0; i < v->nmiss_strs && rc == READSTAT_OK; i++)
            rc = readstat_variable_add_missing_string_value(rv, v->miss_strs[i]);
    } else {
        if (v->has_miss_range)
            rc = readstat_variable_add_missing_double_range(rv, v->miss_lo, v->miss_hi);
        for (size_t i = 0; i < v->nmiss && rc == READSTAT_OK; i++)
            rc = readstat_variable_add_missing_double_value(rv, v->miss_codes[i]);
    }
    if (rc != READSTAT_OK)
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, v->name,
                        "variable '%s': cannot write its user-missing values: %s (ReadStat)",
                        v->name, readstat_error_message(rc));
    return SD_OK;
}

/* A ReadStat call failed: a failed write is an I/O error with its errno;
 * anything else is a bug here, since every limit was checked first. */
static sd_status rs_fail(const sav_out *o, readstat_error_t rc, const char *path, const char *what,
                         sd_error *err)
{
    if (o->err)
        return sd__fail_errno(err, SD_E_IO, path, o->err, "write error");
    return sd__fail(err, SD_E_INTERNAL, path, 0, 0, NULL, "cannot %s: %s (ReadStat)", what,
                    readstat_error_message(rc));
}

/* ReadStat writes the dictionary when the first row begins (or, with no
 * rows, when writing ends): it is held and finished by flush_dict. */
static sd_status write_rows(readstat_writer_t *w, const sd_dataset *ds, sav_out *o,
                            const char *lang, const char *path, sd_error *err)
{
    for (size_t r = 0; r < ds->nrows; r++) {
        o->hold = r == 0;
        readstat_error_t rc = readstat_begin_row(w);
        if (r == 0 && rc == READSTAT_OK) {
            sd_status st = flush_dict(o, ds, lang, path, err);
            if (st != SD_OK)
                return st;
        }
        for (size_t i = 0; i < ds->nvars && rc == READSTAT_OK; i++) {
            const sd_var *v = ds->vars[i];
            readstat_variable_t *rv = readstat_get_variable(w, (int)i);
            if (v->sysmis[r])
                rc = readstat_insert_missing_value(w, rv);
            else if (v->type == SD_TYPE_STRING)
                rc = readstat_insert_string_value(w, rv, v->levels[v->str[r]]);
            else
                rc = readstat_insert_double_value(w, rv, v->num[r]);
        }
        if (rc == READSTAT_OK)
            rc = readstat_end_row(w);
        if (rc != READSTAT_OK)
            return rs_fail(o, rc, path, "write the rows", err);
    }
    return SD_OK;
}

static sd_status write_all(const sd_dataset *ds, readstat_writer_t *w, sav_out *o,
                           const char *path, const char *lang, sd_error *err)
{
    sd_status st;
    readstat_set_data_writer(w, sav_write);
    readstat_writer_set_file_timestamp(w, SAV_TIMESTAMP);
    readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS);
    const char *title = sd__labels_get(&ds->title, lang);
    if (title) {
        char buf[SAV_FILE_LABEL_MAX + 1];
        readstat_writer_set_file_label(w, utf8_cut(title, SAV_FILE_LABEL_MAX, buf));
    }
    char **names = NULL;
    size_t renamed = 0;
    if ((st = sav_names(ds, &names, &renamed, path, err)) != SD_OK)
        return st;
    for (size_t i = 0; i < ds->nvars && st == SD_OK; i++)
        st = add_var(w, ds->vars[i], names[i], i, ds->nrows, lang, path, err);
    if (st == SD_OK && renamed)
        add_rename_notes(w, ds, names);
    free_names(names, ds->nvars);
    if (st != SD_OK)
        return st;
    /* The weight of a declared design: SPSS's WEIGHT BY. */
    long wi = ds->design.declared && ds->design.weight
                  ? sd__dataset_var_index(ds, ds->design.weight)
                  : -1;
    if (wi >= 0 && ds->vars[wi]->type == SD_TYPE_NUMERIC)
        readstat_writer_set_fweight_variable(w, readstat_get_variable(w, (int)wi));

    readstat_error_t rc = readstat_begin_writing_sav(w, o, (long)ds->nrows);
    if (rc == READSTAT_OK && (rc = readstat_validate_metadata(w)) != READSTAT_OK)
        return sd__fail(err, SD_E_INVALID, path, 0, 0, NULL,
                        "cannot write the file label: %s (ReadStat)", readstat_error_message(rc));
    for (size_t i = 0; i < ds->nvars && rc == READSTAT_OK; i++) {
        rc = readstat_validate_variable(w, readstat_get_variable(w, (int)i));
        if (rc != READSTAT_OK)
            return sd__fail(err, SD_E_INVALID, path, 0, 0, ds->vars[i]->name,
                            "variable '%s' cannot be written to .sav: %s (ReadStat)",
                            ds->vars[i]->name, readstat_error_message(rc));
    }
    if (rc != READSTAT_OK)
        return rs_fail(o, rc, path, "start the .sav file", err);
    if ((st = write_rows(w, ds, o, lang, path, err)) != SD_OK)
        return st;
    o->hold = ds->nrows == 0;
    if ((rc = readstat_end_writing(w)) != READSTAT_OK)
        return rs_fail(o, rc, path, "finish the .sav file", err);
    if (ds->nrows == 0)
        return flush_dict(o, ds, lang, path, err);
    return SD_OK;
}

sd_status sd__write_sav(const sd_dataset *ds, const char *path, const char *lang, sd_error *err)
{
    if (ds->nvars == 0)
        return sd__fail(err, SD_E_EMPTY, path, 0, 0, NULL,
                        "nothing to write: the dataset has no variables");
    if (ds->nrows > (size_t)INT_MAX)
        return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL,
                        "%zu rows: a .sav file holds at most %d", ds->nrows, INT_MAX);
    if (ds->nvars > (size_t)INT_MAX)
        return sd__fail(err, SD_E_TOO_LARGE, path, 0, 0, NULL, "too many variables for .sav");
    for (size_t i = 0; i < ds->nvars; i++) {
        sd_status st = check_var(ds->vars[i], path, err);
        if (st != SD_OK)
            return st;
    }

    /* A temporary file beside `path` replaces it only once all is written:
     * a failure leaves no half-written file and an existing one untouched. */
    sd_outfile *of = NULL;
    sd_status st = sd_outfile_open(path, &of, err);
    if (st != SD_OK)
        return st;
    sav_out o = {.fp = sd_outfile_stream(of)};
    readstat_writer_t *w = readstat_writer_init();
    st = w ? write_all(ds, w, &o, path, lang, err)
           : sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    readstat_writer_free(w);
    sd__free(o.buf);
    if (st == SD_OK)
        return sd_outfile_commit(of, err);
    sd_outfile_abort(of);
    return st;
}
