/*
 * write_sav.c — the io layer's SPSS .sav writer, through ReadStat's writer:
 * variables and types, variable labels, value labels, user-missing codes and
 * ranges, measures, display formats, file label, and the rows.
 *
 * A .sav file carries one language, and through ReadStat 1.1.8 no
 * multiple-response sets (nor sondage's nets and variable notes): labels are
 * taken in `lang` (with the usual fallbacks) and the rest is left out. The
 * CSV + codebook writer (sd_dataset_write_csv) keeps everything, in every
 * language.
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

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <string.h>

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

typedef struct sav_out {
    FILE *fp;
    unsigned long long off; /* bytes written so far */
    int err;                /* errno of the first failed write, 0 when none */
} sav_out;

static ssize_t sav_write(const void *data, size_t len, void *ctx)
{
    sav_out *o = ctx;
    const unsigned char *p = data;
    unsigned char hdr[sizeof sav_hdr_date];
    size_t done = 0;
    if (len == 0)
        return 0; /* ReadStat may pass (NULL, 0) */
    /* The header comes first, in one piece: pin its date and time. */
    if (o->off < SAV_HDR_DATE_AT + sizeof sav_hdr_date &&
        o->off + len >= SAV_HDR_DATE_AT + sizeof sav_hdr_date && o->off <= SAV_HDR_DATE_AT) {
        size_t at = (size_t)(SAV_HDR_DATE_AT - o->off);
        if (fwrite(p, 1, at, o->fp) != at)
            goto fail;
        memcpy(hdr, sav_hdr_date, sizeof hdr);
        if (fwrite(hdr, 1, sizeof hdr, o->fp) != sizeof hdr)
            goto fail;
        done = at + sizeof hdr;
    }
    if (fwrite(p + done, 1, len - done, o->fp) != len - done)
        goto fail;
    o->off += len;
    return (ssize_t)len;
fail:
    if (!o->err)
        o->err = errno ? errno : EIO;
    return -1;
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

static sd_status add_var(readstat_writer_t *w, const sd_var *v, size_t index, size_t nrows,
                         const char *lang, const char *path, sd_error *err)
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
        readstat_add_variable(w, v->name, str ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE, width);
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

static sd_status write_rows(readstat_writer_t *w, const sd_dataset *ds, const sav_out *o,
                            const char *path, sd_error *err)
{
    for (size_t r = 0; r < ds->nrows; r++) {
        readstat_error_t rc = readstat_begin_row(w);
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
    for (size_t i = 0; i < ds->nvars; i++)
        if ((st = add_var(w, ds->vars[i], i, ds->nrows, lang, path, err)) != SD_OK)
            return st;

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
    if ((st = write_rows(w, ds, o, path, err)) != SD_OK)
        return st;
    if ((rc = readstat_end_writing(w)) != READSTAT_OK)
        return rs_fail(o, rc, path, "finish the .sav file", err);
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
    if (st == SD_OK)
        return sd_outfile_commit(of, err);
    sd_outfile_abort(of);
    return st;
}
