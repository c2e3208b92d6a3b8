/*
 * open.c — sd_dataset_open and the dataset writers: pick the reader from the
 * file name, apply a codebook, and hand back one dataset. Also the bundled
 * study, compiled into the library, under the name "@study".
 */
#include "io.h"
#include "encoding.h"
#include "pg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

const unsigned char *sd__embedded_study_csv(size_t *len);
const unsigned char *sd__embedded_study_codebook(size_t *len);
const unsigned char *sd__embedded_study_report(size_t *len);
const unsigned char *sd__embedded_study_published(size_t *len);
const unsigned char *sd__embedded_study_claims(size_t *len);
const unsigned char *sd__embedded_study_targets(size_t *len);

const char *sd_study_file(const char *name, size_t *len)
{
    static const struct {
        const char *name;
        const unsigned char *(*get)(size_t *);
    } files[] = {{"dsi-marketing.csv", sd__embedded_study_csv},
                 {"codebook.yaml", sd__embedded_study_codebook},
                 {"report.yml", sd__embedded_study_report},
                 {"published.csv", sd__embedded_study_published},
                 {"claims.csv", sd__embedded_study_claims},
                 {"targets.yml", sd__embedded_study_targets}};
    for (size_t i = 0; name && i < sizeof files / sizeof files[0]; i++)
        if (strcmp(name, files[i].name) == 0)
            return (const char *)files[i].get(len);
    *len = 0;
    return NULL;
}

sd_format sd__format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return SD_FORMAT_AUTO;
    dot++;
    static const struct {
        const char *ext;
        sd_format fmt;
    } map[] = {{"csv", SD_FORMAT_CSV},   {"tsv", SD_FORMAT_CSV},     {"txt", SD_FORMAT_CSV},
               {"sav", SD_FORMAT_SAV},   {"zsav", SD_FORMAT_SAV},    {"por", SD_FORMAT_POR},
               {"dta", SD_FORMAT_DTA},   {"sas7bdat", SD_FORMAT_SAS7BDAT},
               {"xpt", SD_FORMAT_XPORT}, {"xport", SD_FORMAT_XPORT},
               {"sqlite", SD_FORMAT_SQLITE}, {"sqlite3", SD_FORMAT_SQLITE}, {"db", SD_FORMAT_SQLITE}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(dot, map[i].ext) == 0)
            return map[i].fmt;
    return SD_FORMAT_AUTO;
}

static sd_status open_codebook(const char *path, sd_codebook **cb, sd_error *err)
{
    char *text;
    size_t len;
    sd_status st = sd__read_file(path, &text, &len, err);
    if (st != SD_OK)
        return st;
    st = sd__codebook_parse(text, len, path, cb, err);
    sd__free(text);
    return st;
}

static sd_status open_embedded(sd_dataset **out, sd_error *err)
{
    size_t clen, blen;
    const char *csv = (const char *)sd__embedded_study_csv(&clen);
    const char *yaml = (const char *)sd__embedded_study_codebook(&blen);
    sd_codebook *cb = NULL;
    sd_status st = sd__codebook_parse(yaml, blen, "@study/codebook.yaml", &cb, err);
    if (st == SD_OK)
        st = sd__read_csv(csv, clen, "@study", cb, out, err);
    if (st == SD_OK && (st = sd__codebook_apply(cb, *out, err)) != SD_OK) {
        sd_dataset_free(*out);
        *out = NULL;
    }
    if (st == SD_OK)
        sd__dataset_apply_measures(*out);
    sd__codebook_free(cb);
    return st;
}

sd_status sd_dataset_open(const char *path, sd_format format, const char *codebook,
                          sd_dataset **out, sd_error *err)
{
    sd_open_options o = {.format = format, .codebook = codebook};
    return sd_dataset_open_with(path, &o, out, err);
}

/* The header step reads a regular file only (a pipe read twice would
 * lose its rows) and, when the text must be decoded, its first HEAD_MAX
 * bytes only: a header cut there, or decoded otherwise than in the whole
 * file, gives other names, and the caller then reads every column. */
#define HEAD_MAX ((size_t)1 << 20)

static sd_status read_head(const char *path, char **text, size_t *len, sd_error *err)
{
    *text = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    char *buf = sd__malloc(HEAD_MAX + 1);
    size_t n = buf ? fread(buf, 1, HEAD_MAX, fp) : 0;
    bool bad = ferror(fp) != 0;
    fclose(fp);
    if (!buf || bad) {
        sd__free(buf);
        return sd__fail(err, buf ? SD_E_IO : SD_E_NOMEM, path, 0, 0, NULL, "cannot read");
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SD_OK;
}

/* The columns a CSV read keeps and holds narrow, from the options (the
 * regular expression columns_match is compiled by the caller). Narrow with
 * a codebook too: a variable it declares string is not held narrow, one it
 * declares numeric is (read_csv.c), and nothing the codebook applies reads
 * or writes column data. */
static sd_csv_cols csv_sel(const sd_open_options *opts)
{
    sd_csv_cols sel = {.names = opts->columns, .n = opts->ncolumns, .threads = opts->threads};
    sel.all = !opts->columns && !opts->columns_match;
    sel.narrow = opts->narrow;
    sel.nnarrow = opts->narrow ? opts->nnarrow : 0;
    return sel;
}

/* The reads open_impl makes: the whole file (its columns as opts say), a
 * CSV's header only (sd__dataset_open_header), or the names of a CSV or
 * ReadStat file (sd__dataset_open_names). */
enum { OPEN_ALL, OPEN_HEADER, OPEN_NAMES };

static bool readstat_format(sd_format f)
{
    return f == SD_FORMAT_SAV || f == SD_FORMAT_POR || f == SD_FORMAT_DTA ||
           f == SD_FORMAT_SAS7BDAT || f == SD_FORMAT_XPORT;
}

static sd_status open_impl(const char *path, const sd_open_options *opts, int mode,
                           sd_dataset **out, sd_error *err)
{
    *out = NULL;
    sd_open_options none = {0};
    if (!opts)
        opts = &none;
    sd_format format = opts->format;
    const char *codebook = opts->codebook, *encoding = opts->encoding;
    if (encoding && !*encoding)
        encoding = NULL;
    if (encoding && !sd__enc_known(encoding))
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "unknown encoding '%s': expected a name iconv knows (iconv -l), such "
                        "as WINDOWS-1252, ISO-8859-15 or UTF-16",
                        encoding);
    if (!path)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no file name given");
    if (strcmp(path, "@study") == 0 && !codebook && !opts->table && mode == OPEN_ALL)
        return open_embedded(out, err);
    bool header_only = mode != OPEN_ALL;
    sd_format probe = format == SD_FORMAT_AUTO ? sd__format_from_path(path) : format;
    if (header_only && (sd__pg_is_uri(path) || opts->table ||
                        !(probe == SD_FORMAT_CSV ||
                          (mode == OPEN_NAMES && readstat_format(probe)))))
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL, "not a CSV file");
    struct stat sb;
    if (header_only && (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)))
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL, "not a regular file");
    if (sd__pg_is_uri(path)) {
        sd_codebook *pcb = NULL;
        sd_status pst = codebook ? open_codebook(codebook, &pcb, err) : SD_OK;
        if (pst == SD_OK)
            pst = sd__read_pg(path, opts->table, pcb, out, err);
        sd__codebook_free(pcb);
        return pst;
    }
    if (opts->table)
        return sd__fail(err, SD_E_INVALID, path, 0, 0, NULL,
                        "--table names a table of a database: expected a postgresql:// URI");
    if (format == SD_FORMAT_AUTO)
        format = sd__format_from_path(path);
    if (format == SD_FORMAT_AUTO)
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL,
                        "unknown file type: expected .csv, .tsv, .sav, .zsav, .por, .dta, "
                        ".sas7bdat, .xpt or .sqlite");
    sd_codebook *cb = NULL;
    sd_status st = SD_OK;
    if (codebook && (st = open_codebook(codebook, &cb, err)) != SD_OK)
        return st;
    sd_csv_cols sel = csv_sel(opts);
    if (opts->columns_match && (format == SD_FORMAT_CSV || readstat_format(format))) {
        char why[128];
        if (sd__regex_compile(&sel.re, opts->columns_match, why, sizeof why) != SD_RE_OK)
            st = sd__fail(err, SD_E_INVALID, path, 0, 0, NULL,
                          "columns to read: '%.64s' is not a regular expression we take "
                          "(%s)",
                          opts->columns_match, why);
        else
            sel.has_re = true;
    }
    if (format == SD_FORMAT_CSV) {
        sel.header_only = header_only;
        /* No encoding named: mapped, not copied, and read as UTF-8; text
         * that is not UTF-8 is read again, decoded. */
        sd_csv_map map;
        bool mapped = false;
        if (st == SD_OK && !encoding && sd__csv_map(path, &map)) {
            sel.release = true;
            st = sd__read_csv_cols(map.data, map.len, path, cb, &sel, out, err);
            sd__csv_unmap(&map);
            sel.release = false;
            mapped = st != SD_E_ENCODING;
            if (!mapped) {
                sd_error_clear(err);
                st = SD_OK;
            }
        }
        if (st == SD_OK && !mapped) {
            char *text = NULL;
            size_t len;
            st = header_only ? read_head(path, &text, &len, err)
                             : sd__read_file(path, &text, &len, err);
            char *utf8 = NULL;
            size_t ulen = 0;
            if (st == SD_OK)
                st = sd__csv_decode(text, len, encoding, path, &utf8, &ulen, err);
            if (st == SD_OK)
                st = utf8 ? sd__read_csv_cols(utf8, ulen, path, cb, &sel, out, err)
                          : sd__read_csv_cols(text, len, path, cb, &sel, out, err);
            sd__free(utf8);
            sd__free(text);
        }
    } else if (format == SD_FORMAT_SQLITE) {
        st = sd__read_sqlite(path, cb, out, err);
    } else if (st == SD_OK) {
        /* The names read: no column but the first (which ReadStat reads). */
        static const char *const no_name[] = {""};
        sd_csv_cols names = {.names = no_name, .n = 0, .header_only = true};
        st = sd__read_readstat(path, format, encoding, header_only ? &names : &sel, out, err);
    }
    if (sel.has_re)
        regfree(&sel.re);
    if (st == SD_OK && cb && (st = sd__codebook_apply(cb, *out, err)) != SD_OK) {
        sd_dataset_free(*out);
        *out = NULL;
    }
    if (st == SD_OK)
        sd__dataset_apply_measures(*out); /* after the reader and the codebook */
    sd__codebook_free(cb);
    return st;
}

sd_status sd_dataset_open_with(const char *path, const sd_open_options *opts, sd_dataset **out,
                               sd_error *err)
{
    return open_impl(path, opts, OPEN_ALL, out, err);
}

sd_status sd__dataset_open_header(const char *path, const sd_open_options *opts,
                                  sd_dataset **out, sd_error *err)
{
    return open_impl(path, opts, OPEN_HEADER, out, err);
}

sd_status sd__dataset_open_names(const char *path, const sd_open_options *opts,
                                 sd_dataset **out, sd_error *err)
{
    return open_impl(path, opts, OPEN_NAMES, out, err);
}

/* ---- a CSV file a chunk at a time (engine/stream.c) */

struct sd_dstream {
    sd_csv_map map;
    sd_codebook *cb;
    sd_csv_stream *cs;
    char *path;
};

sd_status sd__dstream_open(const char *path, const sd_open_options *opts, sd_dstream **out,
                           sd_error *err)
{
    *out = NULL;
    sd_open_options none = {0};
    if (!opts)
        opts = &none;
    sd_format format = opts->format == SD_FORMAT_AUTO && path ? sd__format_from_path(path)
                                                              : opts->format;
    if (!path || sd__pg_is_uri(path) || opts->table || format != SD_FORMAT_CSV ||
        (opts->encoding && *opts->encoding) || opts->columns_match)
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL,
                        "not a UTF-8 CSV file named by its path");
    sd_dstream *s = sd__calloc(1, sizeof *s);
    if (!s || !(s->path = sd__strdup(path))) {
        sd__free(s);
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    sd_status st = SD_OK;
    if (opts->codebook && (st = open_codebook(opts->codebook, &s->cb, err)) != SD_OK) {
        sd__dstream_free(s);
        return st;
    }
    if (!sd__csv_map(path, &s->map)) {
        sd__dstream_free(s);
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL,
                        "not a regular file that can be mapped");
    }
    sd_csv_cols sel = csv_sel(opts); /* no columns_match here: refused above */
    sel.threads = 1;
    sel.release = true;
    if ((st = sd__csv_stream_open(s->map.data, s->map.len, s->path, s->cb, &sel, &s->cs, err)) !=
        SD_OK) {
        sd__dstream_free(s);
        return st;
    }
    *out = s;
    return SD_OK;
}

/* A chunk as a whole file of its rows would be: its codebook applied,
 * then the measure rule. */
static sd_status dstream_done(const sd_dstream *s, sd_status st, sd_dataset **out,
                              sd_error *err)
{
    if (st == SD_OK && *out && s->cb && (st = sd__codebook_apply(s->cb, *out, err)) != SD_OK) {
        sd_dataset_free(*out);
        *out = NULL;
    }
    if (st == SD_OK && *out)
        sd__dataset_apply_measures(*out);
    return st;
}

sd_csv_pos sd__dstream_body(const sd_dstream *s)
{
    return sd__csv_stream_body(s->cs);
}

bool sd__dstream_skip(const sd_dstream *s, sd_csv_pos from, size_t rows, sd_csv_pos *to)
{
    return sd__csv_stream_skip(s->cs, from, rows, to);
}

sd_status sd__dstream_read(const sd_dstream *s, sd_csv_pos from, size_t rows, sd_dataset **out,
                           sd_csv_pos *to, sd_error *err)
{
    return dstream_done(s, sd__csv_stream_read(s->cs, from, rows, out, to, err), out, err);
}

void sd__dstream_free(sd_dstream *s)
{
    if (!s)
        return;
    sd__csv_stream_free(s->cs);
    sd__csv_unmap(&s->map);
    sd__codebook_free(s->cb);
    sd__free(s->path);
    sd__free(s);
}

sd_status sd_dataset_read_csv_mem(const char *data, size_t len, const char *name,
                                  sd_dataset **out, sd_error *err)
{
    *out = NULL;
    sd_status st = sd__read_csv(data, len, name ? name : "(memory)", NULL, out, err);
    if (st == SD_OK)
        sd__dataset_apply_measures(*out);
    return st;
}

sd_status sd_dataset_apply_codebook_mem(sd_dataset *ds, const char *yaml, size_t len,
                                        const char *name, sd_error *err)
{
    sd_codebook *cb = NULL;
    sd_status st = sd__codebook_parse(yaml, len, name ? name : "(memory)", &cb, err);
    if (st == SD_OK)
        st = sd__codebook_apply(cb, ds, err);
    if (st == SD_OK)
        sd__dataset_apply_measures(ds);
    sd__codebook_free(cb);
    return st;
}

/* An output that is the file the dataset was read from is refused before
 * anything is opened. */
static sd_status check_not_source(const sd_dataset *ds, const char *path, sd_error *err)
{
    if (!path)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no output file name given");
    if (ds->source && sd_path_same_file(path, ds->source))
        return sd__fail(err, SD_E_INVALID, path, 0, 0, NULL,
                        "is the file the data was read from: expected another output file");
    return SD_OK;
}

sd_status sd_dataset_write_postgresql(const sd_dataset *ds, const char *uri, const char *table,
                                      int replace, sd_error *err)
{
    sd_status st = sd__dataset_rows_here(ds, "loading into a table", err);
    if (st == SD_OK)
        st = sd__dataset_widen(ds, err); /* writers read columns as values */
    return st == SD_OK ? sd__write_pg(ds, uri, table, replace != 0, err) : st;
}

/* The dataset with its rows here: ds itself, or (owned by *tmp) a copy of
 * a database's dataset with its rows read in (an export). */
static sd_status rows_here(const sd_dataset *ds, const sd_dataset **use, sd_dataset **tmp,
                           sd_error *err)
{
    *tmp = NULL;
    *use = ds;
    if (!ds->remote)
        return SD_OK;
    sd_status st = sd__pg_fetch_rows(ds, tmp, err);
    if (st == SD_OK)
        *use = *tmp;
    return st;
}

sd_status sd_dataset_write_sav(const sd_dataset *ds, const char *path, const char *lang,
                               sd_error *err)
{
    sd_status st = check_not_source(ds, path, err);
    const sd_dataset *use = ds;
    sd_dataset *tmp = NULL;
    if (st == SD_OK)
        st = sd__dataset_widen(ds, err); /* writers read columns as values */
    if (st == SD_OK)
        st = rows_here(ds, &use, &tmp, err);
    if (st == SD_OK)
        st = sd__write_sav(use, path, lang, err);
    sd_dataset_free(tmp);
    return st;
}

/* The CSV and its codebook: both written to temporary files, and each
 * replaces its target only when both were written in full. */
sd_status sd_dataset_write_csv(const sd_dataset *ds, const char *path, const char *codebook_path,
                               sd_error *err)
{
    sd_status st = check_not_source(ds, path, err);
    if (st == SD_OK && codebook_path && (st = check_not_source(ds, codebook_path, err)) == SD_OK &&
        (strcmp(path, codebook_path) == 0 || sd_path_same_file(path, codebook_path)))
        st = sd__fail(err, SD_E_INVALID, codebook_path, 0, 0, NULL,
                      "is also the CSV output: expected another file for the codebook");
    if (st == SD_OK)
        st = sd__dataset_widen(ds, err); /* writers read columns as values */
    if (st != SD_OK)
        return st;
    const sd_dataset *use = ds;
    sd_dataset *tmp = NULL;
    if ((st = rows_here(ds, &use, &tmp, err)) != SD_OK)
        return st;
    ds = use;
    sd_outfile *csv = NULL, *cb = NULL;
    st = sd_outfile_open(path, &csv, err);
    if (st == SD_OK && codebook_path)
        st = sd_outfile_open(codebook_path, &cb, err);
    if (st == SD_OK)
        st = sd__write_csv(ds, sd_outfile_stream(csv), path, err);
    if (st == SD_OK && cb)
        st = sd__codebook_write(ds, sd_outfile_stream(cb), codebook_path, err);
    if (st == SD_OK) {
        st = sd_outfile_commit(csv, err);
        csv = NULL;
    }
    if (st == SD_OK && cb) {
        st = sd_outfile_commit(cb, err);
        cb = NULL;
    }
    sd_outfile_abort(csv);
    sd_outfile_abort(cb);
    sd_dataset_free(tmp);
    return st;
}

sd_status sd_dataset_write_codebook(const sd_dataset *ds, const char *path, sd_error *err)
{
    sd_status st = check_not_source(ds, path, err);
    sd_outfile *cb = NULL;
    if (st == SD_OK)
        st = sd_outfile_open(path, &cb, err);
    if (st == SD_OK)
        st = sd__codebook_write(ds, sd_outfile_stream(cb), path, err);
    if (st == SD_OK) {
        st = sd_outfile_commit(cb, err);
        cb = NULL;
    }
    sd_outfile_abort(cb);
    return st;
}
