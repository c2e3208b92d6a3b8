/*
 * io.h — the io layer's interface: readers that turn files into datasets,
 * the codebook (YAML) that describes them, and writers that turn datasets
 * back into files. Consumers use sd_dataset_open (open.c); these are the
 * pieces it dispatches to.
 */
#ifndef SD_IO_H
#define SD_IO_H

#include "../data/data.h"

#include <regex.h>

/* ------------------------------------------------------------ codebook */

/* A parsed codebook (docs/codebook.md), not yet applied to any data. It
 * keeps every node's line and column for messages. Opaque outside
 * codebook_parse.c. */
typedef struct sd_codebook sd_codebook;

/* Parse YAML text. `name` (the file name) is used in messages; errors name
 * its line and column. */
sd_status sd__codebook_parse(const char *yaml, size_t len, const char *name, sd_codebook **out,
                             sd_error *err);
void sd__codebook_free(sd_codebook *cb);
/* The type the codebook declares for a variable: 1 and *type set when
 * declared, 0 when the codebook is silent (the reader then infers it). */
int sd__codebook_var_type(const sd_codebook *cb, const char *name, sd_type *type);
/* Apply to a dataset: labels, value labels, missing values, measure, nets,
 * multiple-response sets, title, design. Fails with SD_E_CONFLICT (file,
 * line, column and variable named) when the codebook contradicts the data:
 * a variable it names is absent, a declared type differs and cannot be
 * converted, a code is not a number for a numeric variable, a set names an
 * unknown variable. The dataset may be partly modified on failure. */
sd_status sd__codebook_apply(const sd_codebook *cb, sd_dataset *ds, sd_error *err);
/* Write a dataset's codebook as YAML that sd__codebook_parse reads back to
 * the same labels, codes, missing values, nets and sets. */
sd_status sd__codebook_write(const sd_dataset *ds, FILE *fp, const char *name, sd_error *err);

/* ------------------------------------------------------------ targets */

/* Weighting targets (docs/weighting.md) from YAML text; errors name the
 * line and column. */
sd_status sd__targets_parse(const char *yaml, size_t len, const char *name, sd_targets **out,
                            sd_error *err);
/* A codebook design's `calibration` mapping (method, base, bounds, trim,
 * tolerance, max_iter, force, targets), from a node of the codebook's
 * document (read_targets.c). */
struct sd_yctx;
struct yaml_node_s;
sd_status sd__calibration_read(struct sd_yctx *c, const struct yaml_node_s *n,
                               sd_calib_decl **out);

/* ------------------------------------------------------------ readers */

/* Read CSV (RFC 4180) from memory: UTF-8 with or without BOM; the
 * separator (',' ';' or tab) is detected from the header line; quoted
 * fields may hold separators, quotes ("") and newlines; CRLF or LF. The
 * first line names the variables. Empty fields are system-missing. A column
 * whose non-empty values all parse as numbers is numeric, otherwise string
 * (categorical, distinct values as levels). `cb` may be NULL; when given,
 * its declared types win over inference (a column declared string keeps
 * "007" as text). Errors name `name`, the line and the column. */
sd_status sd__read_csv(const char *data, size_t len, const char *name, const sd_codebook *cb,
                       sd_dataset **out, sd_error *err);
/* The columns a CSV read keeps (sd_open_options.columns): these names, and
 * those the extended regular expression matches when has_re. */
typedef struct sd_csv_cols {
    const char *const *names;
    size_t n;
    bool has_re;
    regex_t re;
    bool all;     /* keep every column (only `release` and `narrow` matter) */
    bool release; /* the text is a mapping (sd__csv_map): release it behind */
    /* Threads to parse on (sd__thread_count: 0 is the machine's cores), for
     * bodies of at least par_min bytes (0: CSV_PAR_MIN; tests lower it). */
    int threads;
    size_t par_min;
    size_t *parts_out; /* tests: set to the parts the rows were read in (1: one thread) */
    /* Read the header only: every column a variable without values
     * (sd_var.unread), no rows (a request's columns are found from it). */
    bool header_only;
    /* Kept columns to hold narrow (data.h) while they fit (a column the
     * codebook declares numeric too; text in it is then a conflict). */
    const char *const *narrow;
    size_t nnarrow;
} sd_csv_cols;
bool sd__csv_cols_keep(const sd_csv_cols *sel, const char *name);
/* Is `name` one of sel->narrow? */
bool sd__csv_cols_narrow(const sd_csv_cols *sel, const char *name);
/* A CSV file mapped read-only (csv_map.c): true and data/len set, or
 * false (not a regular file, empty: read it the usual way). */
typedef struct sd_csv_map {
    const char *data;
    size_t len;
} sd_csv_map;
bool sd__csv_map(const char *path, sd_csv_map *m);
void sd__csv_unmap(sd_csv_map *m);
/* Give back the whole pages of a mapping within [from, to) (they are read
 * again from the page cache if touched). */
void sd__csv_release(const char *from, const char *to);
/* A CSV file's variables without their rows (the header read, every
 * column sd_var.unread), its codebook applied (opts->codebook: sets,
 * design): what a request's columns are found from (engine/columns.c).
 * SD_E_UNSUPPORTED for any other kind of file. */
sd_status sd__dataset_open_header(const char *path, const sd_open_options *opts,
                                  sd_dataset **out, sd_error *err);
/* The same for a CSV file or a file ReadStat reads (.sav, .dta, SAS...),
 * whose dictionary comes with its first column's values only (it is read
 * through: ReadStat has no header-only read): for sd_dataset_open_for,
 * which then reads the file with a request's columns only. */
sd_status sd__dataset_open_names(const char *path, const sd_open_options *opts,
                                 sd_dataset **out, sd_error *err);
/* sd__read_csv keeping the values of the columns `sel` names only (NULL:
 * all); the others are variables without values (sd_var.unread). */
sd_status sd__read_csv_cols(const char *data, size_t len, const char *name,
                            const sd_codebook *cb, const sd_csv_cols *sel, sd_dataset **out,
                            sd_error *err);

/* A CSV text read a chunk of records at a time (the streaming mode of a
 * table job, engine/stream.c): open reads the header; read gives a
 * dataset of the header's variables holding the `rows` records at most
 * from a record start (*out NULL at the end; *to: where it stopped), with
 * the reader's rules as in a whole read of those records (types, narrow
 * columns, errors naming the file's line). A record start is the body's
 * (sd__csv_stream_body), where a read stopped, or where skip says the
 * record `rows` records on starts; skip is false on text the reader would
 * fail on (read it in order then: the read says what is wrong). Neither
 * changes the stream, so chunks may be read at once on several threads.
 * The text (a mapping, sel->release) must outlive the stream. */
typedef struct sd_csv_stream sd_csv_stream;
sd_status sd__csv_stream_open(const char *data, size_t len, const char *name,
                              const sd_codebook *cb, const sd_csv_cols *sel, sd_csv_stream **out,
                              sd_error *err);
void sd__csv_stream_free(sd_csv_stream *s);
/* A record start: its offset from the header's first byte, and its line. */
typedef struct sd_csv_pos {
    size_t off;
    long line;
} sd_csv_pos;
sd_csv_pos sd__csv_stream_body(const sd_csv_stream *s);
sd_status sd__csv_stream_read(const sd_csv_stream *s, sd_csv_pos from, size_t rows,
                              sd_dataset **out, sd_csv_pos *to, sd_error *err);
bool sd__csv_stream_skip(const sd_csv_stream *s, sd_csv_pos from, size_t rows, sd_csv_pos *to);
/* Field ends found 64 bytes at a time (csv_scan.h; on by default) or byte by
 * byte: for the tests and the fuzzer, which compare the two. Set it before
 * any read starts. */
void sd__csv_scan_set(bool on);

/* A CSV file (a regular file read as UTF-8; SD_E_UNSUPPORTED for anything
 * else) a chunk at a time, as sd__csv_stream_read and _skip read its text,
 * each chunk with the codebook (opts->codebook) and the measure rule
 * applied to it as to a whole file. opts->columns and opts->narrow choose
 * the columns as in sd_dataset_open_with. */
typedef struct sd_dstream sd_dstream;
sd_status sd__dstream_open(const char *path, const sd_open_options *opts, sd_dstream **out,
                           sd_error *err);
sd_csv_pos sd__dstream_body(const sd_dstream *s);
bool sd__dstream_skip(const sd_dstream *s, sd_csv_pos from, size_t rows, sd_csv_pos *to);
sd_status sd__dstream_read(const sd_dstream *s, sd_csv_pos from, size_t rows, sd_dataset **out,
                           sd_csv_pos *to, sd_error *err);
void sd__dstream_free(sd_dstream *s);

/* Read SPSS .sav/.zsav, .por, Stata .dta, SAS .sas7bdat or XPORT through
 * ReadStat, keeping variable labels, value labels, user-missing codes and
 * ranges, measurement levels. Labels are untagged (the files carry one
 * language); a codebook can add the others. `sel` (NULL: every column)
 * names the columns to read as a CSV selection does (names and pattern;
 * not narrow): the others are variables with their dictionary and no
 * values (sd_var.unread), and the first variable is always read. */
sd_status sd__read_readstat(const char *path, sd_format fmt, const char *encoding,
                            const sd_csv_cols *sel, sd_dataset **out, sd_error *err);

/* CSV bytes as the UTF-8 sd__read_csv takes: returned as they are (*out
 * NULL) when they are UTF-8 (or no encoding is detected: the reader then
 * names the line that is not UTF-8); converted into *out (owned) from
 * `encoding` when given, from UTF-16 after its byte-order mark, or from
 * Windows-1252 when they read as that (encoding.c). */
sd_status sd__csv_decode(const char *data, size_t len, const char *encoding, const char *name,
                         char **out, size_t *outlen, sd_error *err);

/* Read a table of a SQLite database (the fieldwork store or any table):
 * see read_sqlite.c. `cb` may be NULL: the codebook the database keeps in
 * its sondage_codebook table is then applied. */
sd_status sd__read_sqlite(const char *path, const sd_codebook *cb, sd_dataset **out,
                          sd_error *err);

/* ------------------------------------------------------------ writers */

/* CSV with a header line, ',' separator, LF line ends, RFC 4180 quoting,
 * numbers in round-trip form, missing as empty fields. */
sd_status sd__write_csv(const sd_dataset *ds, FILE *fp, const char *name, sd_error *err);
/* SPSS .sav through ReadStat; labels in `lang` (fallbacks as usual). */
sd_status sd__write_sav(const sd_dataset *ds, const char *path, const char *lang,
                        sd_error *err);

/* The format a path's extension names, or SD_FORMAT_AUTO when unknown. */
sd_format sd__format_from_path(const char *path);

#endif /* SD_IO_H */
