/*
 * sondage.h — the public API of libsondage, and the whole of it.
 *
 * If a function, type or constant is not declared here, it is not part of the
 * published API (internal names are sd__… and live in src/LAYER/ headers).
 *
 * Conventions, stated once:
 *  - Every name is prefixed sd_. Handles are opaque.
 *  - Functions that can fail return sd_status and take `sd_error *err` last;
 *    err may be NULL. On failure err receives the message and, where known, the
 *    file, line, column and variable the problem is about.
 *  - Ownership: _new/_open return owned objects released by the matching
 *    _free/_close; _free(NULL) is a no-op. Accessors (plain nouns, _get) return
 *    borrowed pointers valid until their owner is modified or freed.
 *  - Strings are UTF-8. Labels carry a language tag ("fr", "en"); a lookup with
 *    a language falls back to the untagged label, then English, then any.
 *  - Nothing here prints, exits or reads the locale: numbers for machines are
 *    formatted with '.' whatever LC_NUMERIC says.
 */
#ifndef SONDAGE_H
#define SONDAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SD_API __attribute__((visibility("default")))
#else
#define SD_API
#endif

#define SD_VERSION "0.1.0"

/* ---------------------------------------------------------------- status */

/* One enum for every failure. Numbers are never reused: a retired code keeps
 * its slot. Added-in: 0.1. */
typedef enum sd_status {
    SD_OK = 0,
    SD_E_NOMEM = 1,       /* an allocation failed */
    SD_E_IO = 2,          /* a file could not be opened, read or written */
    SD_E_PARSE = 3,       /* text input is malformed (CSV, YAML, option value) */
    SD_E_FORMAT = 4,      /* a binary file is truncated, corrupt or not of its kind */
    SD_E_ENCODING = 5,    /* text is not valid UTF-8 */
    SD_E_TOO_LARGE = 6,   /* a size or count exceeds a documented cap */
    SD_E_NOT_FOUND = 7,   /* an unknown variable, set or name */
    SD_E_TYPE = 8,        /* a value or variable of the wrong type */
    SD_E_INVALID = 9,     /* an argument or specification is not acceptable */
    SD_E_CONFLICT = 10,   /* a codebook contradicts the data it describes */
    SD_E_EMPTY = 11,      /* the input holds no data */
    SD_E_UNSUPPORTED = 12,/* a feature or format this build does not handle */
    SD_E_INTERNAL = 13,   /* a bug in sondage */
    SD_STATUS_COUNT
} sd_status;

/* A short English sentence for a status code; never NULL. */
SD_API const char *sd_status_str(sd_status s);

/* ----------------------------------------------------------------- error */

/* Details of a failure: filled by the library, read by the caller. */
typedef struct sd_error sd_error;

SD_API sd_error *sd_error_new(void);
SD_API void sd_error_free(sd_error *e);
/* Forget a previous error so the object can be reused. */
SD_API void sd_error_clear(sd_error *e);
SD_API sd_status sd_error_status(const sd_error *e);
/* The message, without location ("" when none). */
SD_API const char *sd_error_message(const sd_error *e);
/* The file, or NULL. */
SD_API const char *sd_error_file(const sd_error *e);
/* 1-based line and column, 0 when unknown. */
SD_API long sd_error_line(const sd_error *e);
SD_API long sd_error_column(const sd_error *e);
/* The variable the error is about, or NULL. */
SD_API const char *sd_error_variable(const sd_error *e);

/* ----------------------------------------------------------- output files */

/* An output file that never leaves a cut, emptied or half-written file: the
 * bytes go to a temporary file in the target's folder, which replaces PATH
 * only when sd_outfile_commit has flushed and fsynced all of it. A failed
 * commit, or sd_outfile_abort, removes the temporary file and leaves an
 * existing PATH as it was. A PATH that exists and is not a regular file (a
 * terminal, /dev/null, a pipe) is written in place. _commit and _abort both
 * free the handle; errors name the file and the cause ("write error: No
 * space left on device (ENOSPC)"). Added-in: 0.1. */
typedef struct sd_outfile sd_outfile;

SD_API sd_status sd_outfile_open(const char *path, sd_outfile **out, sd_error *err);
/* The same checks on a stream the caller holds (e.g. stdout): commit
 * flushes it and reports a failure under `name`; it is never closed. */
SD_API sd_status sd_outfile_wrap(FILE *fp, const char *name, sd_outfile **out, sd_error *err);
/* The stream to write to (borrowed, valid until _commit or _abort). */
SD_API FILE *sd_outfile_stream(sd_outfile *o);
SD_API sd_status sd_outfile_commit(sd_outfile *o, sd_error *err);
SD_API void sd_outfile_abort(sd_outfile *o);
/* Do two paths name one existing regular file (same device and inode, so
 * hard links, symbolic links and other spellings count)? 1 or 0. */
SD_API int sd_path_same_file(const char *a, const char *b);

/* ---------------------------------------------------------------- dataset */

typedef struct sd_dataset sd_dataset;
typedef struct sd_var sd_var;
typedef struct sd_mrset sd_mrset;

typedef enum sd_type { SD_TYPE_NUMERIC = 0, SD_TYPE_STRING = 1 } sd_type;

typedef enum sd_measure {
    SD_MEASURE_NOMINAL = 0,
    SD_MEASURE_ORDINAL = 1,
    SD_MEASURE_SCALE = 2
} sd_measure;

/* Multiple-response set kinds: a dichotomy set counts one value across its
 * variables (e.g. 1 = selected); a category set counts each code once per
 * respondent across its variables. */
typedef enum sd_mrset_kind { SD_MRSET_DICHOTOMY = 0, SD_MRSET_CATEGORY = 1 } sd_mrset_kind;

/* File formats, detected from the name's extension by sd_dataset_open. */
typedef enum sd_format {
    SD_FORMAT_AUTO = 0,
    SD_FORMAT_CSV,
    SD_FORMAT_SAV, /* .sav and .zsav */
    SD_FORMAT_POR,
    SD_FORMAT_DTA,
    SD_FORMAT_SAS7BDAT,
    SD_FORMAT_XPORT,
    SD_FORMAT_SQLITE /* .sqlite, .sqlite3, .db: a table and its codebook (fieldwork store) */
} sd_format;

/* Read a data file. `codebook` (a YAML file, see docs/codebook.md) may be
 * NULL; when given, its labels, codes, missing values and multiple-response
 * sets are applied and checked against the data. On success *out owns the
 * dataset. A PostgreSQL URI (postgresql://…, with a table= parameter or
 * sd_open_options.table) opens a table whose rows stay in the database:
 * sd_tabulate runs there (docs/postgresql.md); the codebook is `codebook`
 * or the one the database keeps in its sondage_codebook table. */
SD_API sd_status sd_dataset_open(const char *path, sd_format format, const char *codebook,
                                 sd_dataset **out, sd_error *err);
/* How to open a data file: zero-initialise, then set what is needed (new
 * fields keep that meaning). Added-in: 0.2. */
typedef struct sd_open_options {
    sd_format format;     /* SD_FORMAT_AUTO: from the file name's extension */
    const char *codebook; /* YAML codebook to apply, or NULL */
    /* The encoding of the file's text, an iconv name ("WINDOWS-1252",
     * "ISO-8859-15", "UTF-16"), or NULL. NULL: CSV is read as UTF-8, or as
     * Windows-1252 when it is not UTF-8 and reads as Windows-1252; SPSS,
     * Stata and SAS files as they declare. Given, it overrides what a file
     * declares (for files that declare it wrongly). */
    const char *encoding;
    /* A PostgreSQL URI's table (--table), when the URI has no table=
     * parameter; NULL otherwise. Added-in: 0.2. */
    const char *table;
    /* CSV only: keep the values of these columns only (names, and names
     * matching the POSIX extended regular expression columns_match); the
     * others stay in the dataset by name with no values, and a request
     * that uses one fails. Every field is still split and checked (field
     * count, size, UTF-8). NULL / 0 / NULL: every column. Added-in: 0.2. */
    const char *const *columns;
    size_t ncolumns;
    const char *columns_match;
    /* CSV only: threads to parse a large file on (0: the machine's cores);
     * the dataset is the same for any number. Added-in: 0.2. */
    int threads;
    /* CSV without a codebook only: hold these columns in one byte a row
     * (rather than nine) while their values are whole numbers 0..254 or
     * empty; a column that meets another value is held as usual from then
     * on. For the variables a table uses as categories. Every function
     * reads such a column as any other; some turn it back first, in place,
     * so do not share the dataset between threads. Added-in: 0.2. */
    const char *const *narrow;
    size_t nnarrow;
} sd_open_options;
/* sd_dataset_open with options; `opts` may be NULL (all defaults). An
 * unknown encoding fails with SD_E_INVALID before the file is read. */
SD_API sd_status sd_dataset_open_with(const char *path, const sd_open_options *opts,
                                      sd_dataset **out, sd_error *err);
/* Read CSV text from memory (for fuzzers and tests). `name` is used in
 * messages. */
SD_API sd_status sd_dataset_read_csv_mem(const char *data, size_t len, const char *name,
                                         sd_dataset **out, sd_error *err);
/* Apply a YAML codebook held in memory to a dataset. */
SD_API sd_status sd_dataset_apply_codebook_mem(sd_dataset *ds, const char *yaml, size_t len,
                                               const char *name, sd_error *err);
SD_API void sd_dataset_free(sd_dataset *ds);
/* A file of the bundled study, compiled in (examples/dsi-marketing/):
 * "dsi-marketing.csv", "codebook.yaml", "report.yml", "published.csv",
 * "claims.csv", "targets.yml"; NULL (and *len 0) for another name.
 * NUL-terminated. Where a file name is asked for (--targets), a name
 * "@study/NAME" stands for these. */
SD_API const char *sd_study_file(const char *name, size_t *len);

/* Write as SPSS .sav (labels in `lang`), or as CSV plus a YAML codebook that
 * keeps every label in every language. `codebook_path` may be NULL. */
SD_API sd_status sd_dataset_write_sav(const sd_dataset *ds, const char *path, const char *lang,
                                      sd_error *err);
SD_API sd_status sd_dataset_write_csv(const sd_dataset *ds, const char *path,
                                      const char *codebook_path, sd_error *err);
/* Load a dataset into a new PostgreSQL table (COPY, one transaction) and
 * record its codebook in the database's sondage_codebook table, so that
 * sd_dataset_open on the URI reads it back with every label. `table` may be
 * NULL when the URI has a table= parameter. An existing table is an error
 * unless `replace` is 1 (it is then replaced in the same transaction; a
 * failure leaves it as it was). Added-in: 0.2. */
SD_API sd_status sd_dataset_write_postgresql(const sd_dataset *ds, const char *uri,
                                             const char *table, int replace, sd_error *err);
/* Write only the YAML codebook (e.g. beside a .sav: labels in every
 * language, the design and its calibration). */
SD_API sd_status sd_dataset_write_codebook(const sd_dataset *ds, const char *path,
                                           sd_error *err);

SD_API size_t sd_dataset_nrows(const sd_dataset *ds);
SD_API size_t sd_dataset_nvars(const sd_dataset *ds);
SD_API const sd_var *sd_dataset_var(const sd_dataset *ds, size_t i);
/* By name (exact, case-sensitive); NULL when absent. */
SD_API const sd_var *sd_dataset_find(const sd_dataset *ds, const char *name);
SD_API size_t sd_dataset_nmrsets(const sd_dataset *ds);
SD_API const sd_mrset *sd_dataset_mrset(const sd_dataset *ds, size_t i);
SD_API const sd_mrset *sd_dataset_find_mrset(const sd_dataset *ds, const char *name);
/* The study title in a language, or NULL. */
SD_API const char *sd_dataset_title(const sd_dataset *ds, const char *lang);

SD_API const char *sd_var_name(const sd_var *v);
SD_API sd_type sd_var_type(const sd_var *v);
SD_API sd_measure sd_var_measure(const sd_var *v);
/* Variable label in a language (fallbacks as above); NULL when none. */
SD_API const char *sd_var_label(const sd_var *v, const char *lang);
SD_API size_t sd_var_nvalue_labels(const sd_var *v);
/* The i-th value label's code (numeric variables) or value (string ones). */
SD_API double sd_var_value_code(const sd_var *v, size_t i);
SD_API const char *sd_var_value_string(const sd_var *v, size_t i);
SD_API const char *sd_var_value_label(const sd_var *v, size_t i, const char *lang);
/* Is this row's value missing (system-missing, or a user-missing code)? */
SD_API int sd_var_is_missing(const sd_var *v, size_t row);
/* Numeric value of a row (meaningless when system-missing). */
SD_API double sd_var_num(const sd_var *v, size_t row);
/* String value of a row, or NULL when missing. */
SD_API const char *sd_var_str(const sd_var *v, size_t row);

SD_API const char *sd_mrset_name(const sd_mrset *m);
SD_API sd_mrset_kind sd_mrset_kind_of(const sd_mrset *m);
SD_API const char *sd_mrset_label(const sd_mrset *m, const char *lang);
SD_API size_t sd_mrset_nvars(const sd_mrset *m);
SD_API const sd_var *sd_mrset_var(const sd_mrset *m, size_t i);
/* The counted value of a dichotomy set. */
SD_API double sd_mrset_counted(const sd_mrset *m);

/* ---------------------------------------------------------------- tables */

typedef struct sd_tabspec sd_tabspec;
typedef struct sd_result sd_result;

typedef enum sd_missing_mode {
    SD_MISSING_EXCLUDE = 0, /* user- and system-missing values leave the base */
    SD_MISSING_INCLUDE = 1  /* user-missing codes are categories; system-missing still leave */
} sd_missing_mode;

SD_API sd_tabspec *sd_tabspec_new(void);
SD_API void sd_tabspec_free(sd_tabspec *s);
/* Add a row variable or multiple-response set by name. */
SD_API sd_status sd_tabspec_add_row(sd_tabspec *s, const char *name, sd_error *err);
/* Add a banner (column) variable by name; none gives the Total column only. */
SD_API sd_status sd_tabspec_add_col(sd_tabspec *s, const char *name, sd_error *err);
SD_API sd_status sd_tabspec_set_weight(sd_tabspec *s, const char *name, sd_error *err);
SD_API void sd_tabspec_set_missing(sd_tabspec *s, sd_missing_mode mode);
/* Set an option by its command-line name, without the dashes; list values
 * are comma-separated, flags take "true"/"false". Table options: "rows",
 * "cols" (comma lists of entries, as --rows/--cols), "filter" (each call
 * adds one, combined with and), "missing", "pct" (col|row|total), "sort"
 * (desc|asc|none), "hide-empty", "min-base", "means", "decimals", and the
 * statistics and tests options ("ci", "level", "deff", "stats", "tests",
 * "chisq", "letters", "adjust", "alpha", "alpha2"; docs/tables.md).
 * Design (named after R's svydesign/svrepdesign): "weight", "strata",
 * "cluster", "fpc", "nest", "lonely-psu", "repweights", "reptype", "rho",
 * "scale", "rscales", "mse", "make-replicates". A design declared in the
 * dataset's codebook fills whatever these leave unset. */
SD_API sd_status sd_tabspec_set_option(sd_tabspec *s, const char *key, const char *value,
                                       sd_error *err);

/* Table requests from a spec file (YAML, docs/tables.md): one per entry of
 * its `tables`, each over its `defaults`, with the options of sondage tab
 * (rows, cols, filter, pct, weight, tests, ...). On success *specs holds *n
 * requests, freed by sd_tabspecs_free. Errors name the file, line and
 * column. */
SD_API sd_status sd_tabspec_read(const char *path, sd_tabspec ***specs, size_t *n,
                                 sd_error *err);
SD_API sd_status sd_tabspec_read_mem(const char *yaml, size_t len, const char *name,
                                     sd_tabspec ***specs, size_t *n, sd_error *err);
SD_API void sd_tabspecs_free(sd_tabspec **specs, size_t n);

/* Open a data file for these table requests (sd_dataset_open_with
 * otherwise): a CSV keeps the values of the columns they read only, the
 * names they use (patterns, A TO B, sets and their members, filters, the
 * design and the codebook's, a weighting's targets) found from its header
 * and codebook first, and holds their categories narrow (docs/tables.md).
 * A request this cannot resolve reads every column. The dataset serves
 * these requests (another may meet an unread variable). Added-in: 0.2. */
SD_API sd_status sd_dataset_open_for(const char *path, const sd_open_options *opts,
                                     sd_tabspec *const *specs, size_t n, sd_dataset **out,
                                     sd_error *err);

/* Tabulate: one pass over the rows, then the statistics. On success *out
 * owns the result: it holds copies of everything it shows (names, labels in
 * every language, codes), so it stays valid after the dataset is freed. */
SD_API sd_status sd_tabulate(const sd_dataset *ds, const sd_tabspec *spec, sd_result **out,
                             sd_error *err);
/* Tabulate n requests over a CSV file read once, a chunk of rows at a
 * time (the streaming mode, docs/tables.md): each chunk is read, tabulated
 * and dropped, so memory is the tables' sums and a chunk or two, whatever
 * the file's length. out[i] (n of them, owned by the caller) is the
 * result sd_tabulate gives request i on the whole file, to the last bit. A request or a file it cannot stream (a scale row,
 * a category set, a nested banner, replicate weights, an fpc, several
 * cluster stages, a weighting, likelihood intervals, a file that is not
 * UTF-8 CSV, a column that reads otherwise in a later chunk, any error in
 * the data) fails with SD_E_UNSUPPORTED and the reason in err: read the
 * file whole then (sd_dataset_open_for and sd_tabulate), which gives the
 * whole file's result or its error. Added-in: 0.2. */
SD_API sd_status sd_tabulate_stream(const char *path, const sd_open_options *opts,
                                    sd_tabspec *const *specs, size_t n, sd_result **out,
                                    sd_error *err);
SD_API void sd_result_free(sd_result *r);
/* Compare with the same tables from another, independent sample of the
 * same survey (an earlier wave): each cell gains the other sample's
 * estimate (SD_FIG_PREV), the change, its standard error and p-value.
 * Tables are matched in order and checked by their row variable; cells are
 * matched by their row and column keys, not their positions. */
SD_API sd_status sd_result_compare(sd_result *r, const sd_result *prev, sd_error *err);
/* Append src's tables to dst (numbered on after dst's) and free src, also
 * on failure (then dst is unchanged): the tables of several requests (a
 * spec file's) in one result. */
SD_API sd_status sd_result_merge(sd_result *dst, sd_result *src, sd_error *err);

/* ------------------------------------------------------ reading results
 *
 * A result is a list of tables; a table has rows and columns (its two
 * axes) and a cell at each crossing, holding figures (sd_figure). The
 * pointers returned below are borrowed from the result: valid until
 * sd_result_free, unchanged by sd_result_compare. Indexes out of range give
 * NaN, NULL or 0 as each function says, never undefined behaviour. */

typedef struct sd_table sd_table;

/* What a table's rows are. */
typedef enum sd_table_kind {
    SD_TABLE_VARIABLE = 0,      /* the categories of one variable (and its nets) */
    SD_TABLE_DICHOTOMY_SET = 1, /* the items of a multiple-response dichotomy set */
    SD_TABLE_CATEGORY_SET = 2,  /* the codes of a multiple-response category set */
    SD_TABLE_SUMMARY = 3        /* a scale variable's summaries (mean, ...) */
} sd_table_kind;

typedef enum sd_axis { SD_ROWS = 0, SD_COLS = 1 } sd_axis;

/* What one row or column stands for. */
typedef enum sd_cat_type {
    SD_CAT_TYPE_TOTAL = 0,    /* the Total column */
    SD_CAT_TYPE_CATEGORY = 1, /* a code or value of a variable */
    SD_CAT_TYPE_NET = 2,      /* a net: several codes of one variable */
    SD_CAT_TYPE_ITEM = 3,     /* one variable of a multiple-response set */
    SD_CAT_TYPE_SUMMARY = 4   /* a summary of a scale variable (key "mean", ...) */
} sd_cat_type;

/* Flags of a row or column (sd_table_cat_flags). */
#define SD_CATF_USER_MISSING 1u /* a user-missing code shown under --missing include */
#define SD_CATF_LOW_BASE 2u     /* a column whose unweighted base is under --min-base */

/* The figures of a cell (sd_table_cell); NaN when not computed or not
 * computable (a percentage of an empty base, an SE the design cannot give). */
typedef enum sd_figure {
    SD_FIG_N = 0,      /* unweighted count */
    SD_FIG_COUNT,      /* weighted count; summary rows: the weighted total */
    SD_FIG_PCT,        /* proportion of the column base, 0..1 (category rows) */
    SD_FIG_MEAN,       /* summary rows: the summary's value */
    SD_FIG_SE,         /* standard error of PCT or MEAN, by the design */
    SD_FIG_DF,         /* degrees of freedom of its interval */
    SD_FIG_CI_LOW,
    SD_FIG_CI_HIGH,
    SD_FIG_DEFF,       /* design effect (docs/statistics.md) */
    SD_FIG_EFF_BASE,   /* n / deff */
    SD_FIG_TOTAL_SE,   /* summary rows: SE of the weighted total */
    SD_FIG_PREV,       /* sd_result_compare: the other sample's estimate */
    SD_FIG_CHANGE,
    SD_FIG_CHANGE_SE,
    SD_FIG_CHANGE_P,
    SD_FIG_COUNT_      /* number of figures, not a figure */
} sd_figure;

/* Figures of a column's base (sd_table_base). */
typedef enum sd_base {
    SD_BASE_N = 0,     /* respondents with a valid answer to the row variable */
    SD_BASE_COUNT,     /* the same, weighted */
    SD_BASE_MISSING_N, /* respondents of the column missing on the row variable */
    SD_BASE_MISSING_COUNT
} sd_base;

/* A table's test of independence (Rao-Scott, R's svychisq). */
typedef struct sd_test_info {
    const char *statistic; /* "F" or "Chisq" */
    double value, df, ddf; /* ddf: NaN for "Chisq" */
    double p;
} sd_test_info;

/* One comparison of two columns in one row (--tests). */
typedef struct sd_pair_info {
    size_t row, col_a, col_b; /* indexes into the table's rows and columns */
    double diff, se, statistic, df, p;
    const char *method;       /* "pooled" (Rao-Scott 2x2), "unpooled" (svycontrast),
                               * "ttest" (svyttest, a mean), "spss" (--letters spss) */
    double p_adjusted;        /* p after --adjust over the row's pairs (= p without) */
} sd_pair_info;

SD_API size_t sd_result_ntables(const sd_result *r);
/* The i-th table, or NULL when i is out of range. */
SD_API const sd_table *sd_result_table(const sd_result *r, size_t i);
/* The input's name ("@study" for the bundled study); never NULL. */
SD_API const char *sd_result_source(const sd_result *r);
/* The weight variable, or NULL. A result merged from requests weighted
 * differently (a report: sd_result_merge) gives its first request's here;
 * each table's is sd_table_weight and sd_table_weighting below. */
SD_API const char *sd_result_weight(const sd_result *r);
/* No weight variable but an fpc: the weights are N/n by stage, as R's
 * svydesign derives them (docs/statistics.md); 1 then, else 0. */
SD_API int sd_result_weights_from_fpc(const sd_result *r);
/* When the weight was made by a weighting step of the design (--targets,
 * or a calibration its codebook records; docs/weighting.md): its method
 * ("rake", ...), base weight and targets' file; NULL when none. */
typedef enum sd_wpart { SD_WPART_METHOD = 0, SD_WPART_BASE, SD_WPART_TARGETS } sd_wpart;
SD_API const char *sd_result_weighting(const sd_result *r, sd_wpart what);
/* Its Kish efficiency (sum w)^2 / (n sum w^2), the design effect due to
 * weighting (1 / efficiency) and the effective sample size; NaN when the
 * weight was not made by a weighting step. */
typedef enum sd_wfigure {
    SD_WFIG_EFFICIENCY = 0,
    SD_WFIG_DEFF,
    SD_WFIG_EFFECTIVE_N
} sd_wfigure;
SD_API double sd_result_weighting_figure(const sd_result *r, sd_wfigure what);
/* 1 when its tables were not all weighted alike (merged requests with
 * different weights or weighting steps), else 0. */
SD_API int sd_result_weights_mixed(const sd_result *r);
/* A table's own request's weight, as the sd_result_ functions above. */
SD_API const char *sd_table_weight(const sd_table *t);
SD_API int sd_table_weights_from_fpc(const sd_table *t);
SD_API const char *sd_table_weighting(const sd_table *t, sd_wpart what);
SD_API double sd_table_weighting_figure(const sd_table *t, sd_wfigure what);
SD_API sd_missing_mode sd_result_missing(const sd_result *r);
/* The compared sample's name after sd_result_compare, else NULL. */
SD_API const char *sd_result_compared(const sd_result *r);
/* The confidence level of the intervals (0.95 by default). */
SD_API double sd_result_level(const sd_result *r);
/* What the request asked to show, for writers: */
SD_API int sd_result_shows_stats(const sd_result *r); /* --stats: intervals in text/CSV */
SD_API int sd_result_shows_deff(const sd_result *r);  /* --deff */
SD_API int sd_result_shows_tests(const sd_result *r); /* --tests */
/* The letters' significance levels (upper case, lower case) and method
 * ("design" or "spss"); NULL method when no letters were computed. */
SD_API const char *sd_result_letters_method(const sd_result *r, double *alpha,
                                            double *alpha2);

/* --findings: the JSON writer adds each table's findings in words. */
SD_API int sd_result_wants_findings(const sd_result *r);
/* --decimals for people's formats, or -1 for the writers' defaults. */
SD_API int sd_result_decimals(const sd_result *r);
/* Rows of the data, rows in the analysis (in every --filter, with a weight
 * above 0), and rows left out by a blank, negative or zero weight. */
typedef enum sd_rowcount {
    SD_ROWS_DATA = 0,
    SD_ROWS_ANALYSED,
    SD_ROWS_WEIGHT_BLANK,
    SD_ROWS_WEIGHT_NEGATIVE,
    SD_ROWS_WEIGHT_ZERO
} sd_rowcount;
SD_API double sd_result_rows(const sd_result *r, sd_rowcount which);

/* The table's number (1-based); the tables of one row variable by several
 * banners share a number and are shown side by side. */
SD_API size_t sd_table_number(const sd_table *t);
SD_API sd_table_kind sd_table_kind_of(const sd_table *t);
/* The row variable or set, and its label in `lang` (NULL when none). */
SD_API const char *sd_table_row_var(const sd_table *t);
SD_API const char *sd_table_row_label(const sd_table *t, const char *lang);
/* The row variable's measure as the codebook gives it (ordinal: an ordered
 * scale, which charts draw as diverging bars); a multiple-response set is
 * nominal. Added-in: 0.2. */
SD_API sd_measure sd_table_row_measure(const sd_table *t);
/* 1 when --rows NAME:cat or NAME:mean decided what the table shows
 * (categories or summaries) instead of the measure (docs/statistics.md). */
SD_API int sd_table_row_forced(const sd_table *t);
/* The row variable's (or set's) note in the codebook, e.g. "illustrative
 * values: not published"; NULL when none. Added-in: 0.2. */
SD_API const char *sd_table_row_note(const sd_table *t, const char *lang);
/* When the row variable is an item of a multiple-response dichotomy set:
 * the set's name (NULL otherwise), its label in `lang` (the question the
 * item belongs to; NULL when it has none) and the value that means
 * "selected" (NaN when no set). Added-in: 0.2. */
SD_API const char *sd_table_row_set(const sd_table *t, const char *lang, const char **label,
                                    double *counted);
/* The banner variable, or NULL for a Total-only table; its label or NULL. */
SD_API const char *sd_table_col_var(const sd_table *t);
SD_API const char *sd_table_col_label(const sd_table *t, const char *lang);
/* The title: the row variable's label in `lang`, or its name. */
SD_API const char *sd_table_title(const sd_table *t, const char *lang);
/* The --filter expressions as given (joined by " and "), or NULL. */
SD_API const char *sd_table_filter(const sd_table *t);
/* What a cell's PCT is a share of: "col" (its column's base), "row" (its
 * row's Total), "total" (the Total column's base). */
SD_API const char *sd_table_pct_of(const sd_table *t);
/* --min-base: columns with fewer respondents carry SD_CATF_LOW_BASE. */
SD_API double sd_table_min_base(const sd_table *t);
/* Banner levels: 0 for a Total-only table, 1 for a variable or a set, 2 or
 * 3 for a nested banner (a>b>c). Each level's variable and label, and for
 * a column its level's key and label (level 0 of a plain banner is the
 * column itself). NULL when out of range. */
SD_API size_t sd_table_col_depth(const sd_table *t);
SD_API const char *sd_table_col_level_var(const sd_table *t, size_t level);
SD_API const char *sd_table_col_level_var_label(const sd_table *t, size_t level,
                                                const char *lang);
SD_API const char *sd_table_col_level_key(const sd_table *t, size_t col, size_t level);
SD_API double sd_table_col_level_code(const sd_table *t, size_t col, size_t level);
SD_API const char *sd_table_col_level_label(const sd_table *t, size_t col, size_t level,
                                            const char *lang);
/* What the table's request asked to show: intervals in people's formats,
 * design effects, tests (letters, the test of independence). */
typedef enum sd_show { SD_SHOW_STATS = 0, SD_SHOW_DEFF = 1, SD_SHOW_TESTS = 2 } sd_show;
SD_API int sd_table_shows(const sd_table *t, sd_show what);
/* Its request's --missing (tables of several requests can differ). */
SD_API sd_missing_mode sd_table_missing(const sd_table *t);
/* The confidence level of its intervals. */
SD_API double sd_table_level(const sd_table *t);
/* Rows or columns (columns: Total first, then the banner's categories). */
SD_API size_t sd_table_size(const sd_table *t, sd_axis axis);
SD_API sd_cat_type sd_table_cat_type(const sd_table *t, sd_axis axis, size_t i);
/* The machine name of a row or column: the code in round-trip form, the
 * string value, the item variable's name, the net's name, "total", "mean".
 * NULL when out of range. */
SD_API const char *sd_table_cat_key(const sd_table *t, sd_axis axis, size_t i);
/* The numeric code of a category row or column, NaN for anything else. */
SD_API double sd_table_cat_code(const sd_table *t, sd_axis axis, size_t i);
/* Its label in `lang` (value label, item label, net label, "Total" /
 * "Ensemble", "Mean" / "Moyenne"), falling back to the key; NULL out of range. */
SD_API const char *sd_table_cat_label(const sd_table *t, sd_axis axis, size_t i,
                                      const char *lang);
/* The noun a category's people are called by, from the codebook's
 * `nouns` (docs/codebook.md): ONE "marketeur", OTHER "marketeurs", GENDER
 * "m" or "f". Exactly `lang`, else the untagged noun, else NULL (never
 * another language's: a sentence in French wants a French noun or none). */
typedef enum sd_noun_form { SD_NOUN_ONE = 0, SD_NOUN_OTHER = 1, SD_NOUN_GENDER = 2 } sd_noun_form;
SD_API const char *sd_table_cat_noun(const sd_table *t, sd_axis axis, size_t i, const char *lang,
                                     sd_noun_form form);
SD_API unsigned sd_table_cat_flags(const sd_table *t, sd_axis axis, size_t i);
/* A banner column's letter ("A", "B", ...) when letters were computed, else "". */
SD_API const char *sd_table_col_letter(const sd_table *t, size_t col);
SD_API double sd_table_base(const sd_table *t, size_t col, sd_base which);
/* Respondents with a valid row answer but no banner value (in Total only):
 * unweighted when weighted is 0, else weighted. */
SD_API double sd_table_banner_missing(const sd_table *t, int weighted);
SD_API double sd_table_cell(const sd_table *t, size_t row, size_t col, sd_figure f);
/* The letters of the columns this cell is significantly above (upper case
 * at alpha, lower case at alpha2); "" when none or not computed. */
SD_API const char *sd_table_cell_letters(const sd_table *t, size_t row, size_t col);
/* The test of independence: 1 and *out filled when one was computed. */
SD_API int sd_table_test(const sd_table *t, sd_test_info *out);
SD_API size_t sd_table_npairs(const sd_table *t);
/* The i-th pair comparison: 1 and *out filled, 0 when out of range. */
SD_API int sd_table_pair(const sd_table *t, size_t i, sd_pair_info *out);

/* ------------------------------------------------------------- weighting */

/* Population targets (a YAML file, docs/weighting.md): margins, totals of
 * numeric variables, cells of a cross-classification, the population. */
typedef struct sd_targets sd_targets;

SD_API sd_status sd_targets_open(const char *path, sd_targets **out, sd_error *err);
SD_API sd_status sd_targets_read_mem(const char *yaml, size_t len, const char *name,
                                     sd_targets **out, sd_error *err);
SD_API void sd_targets_free(sd_targets *t);

/* A weighting: the new weights, what the variance needs (linearisation
 * residuals, re-weighted replicates) and diagnostics. */
typedef struct sd_weighting sd_weighting;

/* Weight a dataset to targets (`t`, or else the file the spec's "targets"
 * option names), as R's survey package does: the spec's design (base
 * weight, strata, clusters, replicates: sd_tabspec_set_option) and its
 * weighting options "method" (rake, poststratify, linear, raking, logit),
 * "bounds" and "trim" ("L,U"), "tolerance", "max-iter", "force". Its --cols
 * variables give the groups of the effective sample sizes. When the
 * targets cannot be met (a category with no respondents, contradictory
 * margins, impossible bounds, no convergence) it fails with SD_E_INVALID
 * naming the cell, unless "force": then the weighting carries warnings. */
SD_API sd_status sd_weight(const sd_dataset *ds, const sd_tabspec *spec, const sd_targets *t,
                           sd_weighting **out, sd_error *err);
SD_API void sd_weighting_free(sd_weighting *w);
SD_API size_t sd_weighting_nwarnings(const sd_weighting *w);
SD_API const char *sd_weighting_warning(const sd_weighting *w, size_t i);
/* The weights, one per row of the dataset (borrowed). */
SD_API const double *sd_weighting_weights(const sd_weighting *w);
/* The default name of the new weight: weight_<method>. */
SD_API const char *sd_weighting_default_name(const sd_weighting *w);
/* Add the weights as a new variable `name` (NULL: the default name) and
 * make it the dataset's design weight, recording the calibration, so that
 * a codebook written from the dataset keeps it (and `tab` on it gives the
 * same standard errors as weighting the original). */
SD_API sd_status sd_dataset_add_weighting(sd_dataset *ds, const sd_weighting *w,
                                          const char *name, sd_error *err);
/* Make a spec's estimates carry a weighting: its weights, and its
 * calibration in every standard error (its linearisation is made on the
 * first call). The spec keeps a reference; w NULL takes the spec's
 * weighting away. */
SD_API sd_status sd_tabspec_set_weighting(sd_tabspec *s, sd_weighting *w, sd_error *err);
/* Run the weighting a spec asks for: its "targets" option, or else the
 * calibration the dataset's codebook records for the design's weight; then
 * sd_tabspec_set_weighting. *out receives the weighting (for its
 * diagnostics), or NULL when none was asked for. */
SD_API sd_status sd_tabspec_weight(sd_tabspec *s, const sd_dataset *ds, sd_weighting **out,
                                   sd_error *err);

/* --------------------------------------------------------------- writers */

typedef enum sd_outfmt {
    SD_OUT_TEXT = 0,  /* tables for people, plain text */
    SD_OUT_CSV = 1,   /* one line per cell */
    SD_OUT_JSON = 2,  /* docs/json.md */
    SD_OUT_XLSX = 3,  /* a workbook: banner tables, letters, bases (binary) */
    SD_OUT_HTML = 4,  /* one self-contained page: tables and SVG charts */
    SD_OUT_MD = 5,    /* Markdown tables */
    SD_OUT_PROSE = 6  /* the findings in sentences */
} sd_outfmt;

/* Write a result in a format, labels in `lang` (any language tag; labels
 * fall back as above). XLSX is binary: fp must be opened for it. */
SD_API sd_status sd_result_write(const sd_result *r, sd_outfmt fmt, const char *lang, FILE *fp,
                                 sd_error *err);
/* Write a weighting's diagnostics (text or JSON; docs/weighting.md). */
SD_API sd_status sd_weighting_write(const sd_weighting *w, const sd_dataset *ds, sd_outfmt fmt,
                                    const char *lang, FILE *fp, sd_error *err);

/* ---------------------------------------------------------------- reports */

/* A report (docs/reports.md): the tables of a report spec — a table spec
 * with a title, an introduction, sections of tables with their text, and
 * notes, in several languages — tabulated on one dataset, with their
 * findings in words, written in any format. */
typedef struct sd_report sd_report;

/* Read a report spec; path NULL reads the bundled study's own
 * (examples/dsi-marketing/report.yml, compiled in). Errors name the file,
 * line and column. */
SD_API sd_status sd_report_read(const char *path, sd_report **out, sd_error *err);
SD_API sd_status sd_report_read_mem(const char *yaml, size_t len, const char *name,
                                    sd_report **out, sd_error *err);
SD_API void sd_report_free(sd_report *rep);
/* Its table requests, to set options on all of them (the command line's). */
SD_API size_t sd_report_nspecs(const sd_report *rep);
SD_API sd_tabspec *sd_report_spec(sd_report *rep, size_t i);
/* Tabulate every table on ds (again, when run before). */
SD_API sd_status sd_report_run(sd_report *rep, const sd_dataset *ds, sd_error *err);
/* sd_report_run over a CSV file read once, a chunk of rows at a time
 * (sd_tabulate_stream: every table of the report in that read).
 * SD_E_UNSUPPORTED (the reason in err) when it cannot: open the file and
 * call sd_report_run then. Added-in: 0.2. */
SD_API sd_status sd_report_run_stream(sd_report *rep, const char *path,
                                      const sd_open_options *opts, sd_error *err);
/* The warnings of the last run's weightings (with "force"). */
SD_API size_t sd_report_nwarnings(const sd_report *rep);
SD_API const char *sd_report_warning(const sd_report *rep, size_t i);
/* The tables, after sd_report_run (borrowed; NULL before). */
SD_API const sd_result *sd_report_result(const sd_report *rep);
/* The languages the report is written in (those of its title; "en" when
 * it has none), at most cap; borrowed strings. */
SD_API size_t sd_report_languages(const sd_report *rep, const char **out, size_t cap);
/* Write the report in a format and a language (XLSX is binary). */
SD_API sd_status sd_report_write(const sd_report *rep, sd_outfmt fmt, const char *lang,
                                 FILE *fp, sd_error *err);

/* Write a dataset's codebook (as SPSS DISPLAY DICTIONARY would show it). */
SD_API sd_status sd_dataset_write_info(const sd_dataset *ds, sd_outfmt fmt, const char *lang,
                                       FILE *fp, sd_error *err);

#ifdef __cplusplus
}
#endif
#endif /* SONDAGE_H */
