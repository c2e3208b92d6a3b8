/*
 * data.h — the data layer's interface: the dataset (codebook + columns) as
 * plain structures, and the builder functions readers use to fill it.
 *
 * A dataset owns everything below it: variables, labels, value labels,
 * missing-value specs, multiple-response sets, column arrays and string
 * levels. sd_dataset_free releases the tree.
 *
 * Columns: every variable has `sysmis` (1 = no value: empty CSV field, SPSS
 * system-missing, not asked). Numeric variables keep their value in `num`;
 * string variables keep an index into `levels` (distinct values) in `str`.
 * User-missing codes are not baked into the data: they are metadata, so the
 * same column can be tabulated with them excluded or included.
 */
#ifndef SD_DATA_H
#define SD_DATA_H

#include "../core/core.h"

/* A text in one language; lang NULL means untagged. */
typedef struct sd_label {
    char *lang; /* owned, or NULL */
    char *text; /* owned */
} sd_label;

typedef struct sd_labels {
    sd_label *v;
    size_t n, cap;
} sd_labels;

/* Set (replace or add) the text for a language. false on out-of-memory. */
bool sd__labels_set(sd_labels *l, const char *lang, const char *text);
/* Lookup with fallbacks: exact language, then untagged, then the first. */
const char *sd__labels_get(const sd_labels *l, const char *lang);
/* Exact language only, or NULL. */
const char *sd__labels_get_exact(const sd_labels *l, const char *lang);
void sd__labels_free(sd_labels *l);
bool sd__labels_copy(sd_labels *dst, const sd_labels *src);

/* A value label: a numeric code, or a string value for string variables. */
typedef struct sd_vlabel {
    double code;   /* numeric variables */
    char *str;     /* string variables: the value (owned); NULL for numeric */
    sd_labels labels;
    /* The noun people in this category are called by, per language, as
     * "singular|plural" or "singular|plural|f" (m, f: its gender), for the
     * findings in words ("3 marketeurs sur 4"); empty when not given. */
    sd_labels nouns;
} sd_vlabel;

/* A net: a row made of several codes of one variable (e.g. "closer" = 1+2). */
typedef struct sd_net {
    char *name;    /* owned */
    double *codes; /* owned, ncodes */
    size_t ncodes;
    sd_labels labels;
} sd_net;

struct sd_var {
    char *name;  /* owned; unique within the dataset */
    sd_type type;
    sd_measure measure;
    bool measure_given; /* the file or codebook stated the measure (data/measure.c) */
    sd_labels label;
    sd_labels note; /* e.g. "illustrative values: not published" */
    int width;    /* display width (numeric) or longest value in bytes (string) */
    int decimals; /* display decimals for numeric variables */

    sd_vlabel *vl; /* value labels, in the order they were given */
    size_t nvl, vlcap;

    /* User-missing values: discrete codes and at most one range (numeric),
     * discrete strings (string variables). */
    double *miss_codes;
    size_t nmiss, misscap;
    bool has_miss_range;
    double miss_lo, miss_hi;
    char **miss_strs;
    size_t nmiss_strs, missstrcap;

    sd_net *nets;
    size_t nnets, netcap;

    /* Column data, nrows long (NULL while the dataset has no rows). */
    uint8_t *sysmis;
    double *num;   /* SD_TYPE_NUMERIC */
    uint32_t *str; /* SD_TYPE_STRING: index into levels */
    char **levels; /* distinct string values, owned */
    size_t nlevels, levcap;
    sd_hindex *intern; /* builder-only hash of levels (owned); NULL once finished */
    /* The reader was asked for other columns only (sd_open_options.columns):
     * this one has its name but no values (sysmis, num and str stay NULL),
     * and the engine refuses to use it. */
    bool unread;
    /* A numeric column held narrow (a reader asked to, for a variable a
     * table uses as categories): whole codes 0..254 in u8, SD_U8_NONE for
     * no value; num and sysmis are then NULL. Only the paths that say so
     * read it (sd__var_sysmis, sd__var_value, the category maps of
     * engine/plan.c, measure.c, the public accessors); the engine widens
     * (sd__var_widen) a narrow variable any other part of a request uses,
     * and so does every other reader of a dataset's columns
     * (sd__dataset_widen). */
    bool narrow;
    uint8_t *u8;
};

#define SD_U8_NONE 255

/* A cell of a numeric variable, wide or narrow: no value? its value (0
 * when it has none, for narrow columns). */
static inline bool sd__var_sysmis(const sd_var *v, size_t r)
{
    return v->narrow ? v->u8[r] == SD_U8_NONE : v->sysmis[r] != 0;
}
static inline double sd__var_value(const sd_var *v, size_t r)
{
    return v->narrow ? (v->u8[r] == SD_U8_NONE ? 0 : (double)v->u8[r]) : v->num[r];
}
/* A wide numeric column held narrow when every one of its `n` cells (the
 * rows its arrays hold: its dataset's rowcap) is system-missing or a whole
 * number 0..254; false (and left wide) otherwise, for a string, an unread
 * or a narrow column, or on no memory. */
bool sd__var_narrow(sd_var *v, size_t n);
/* A narrow column as num and sysmis, `n` cells as above (true at once for
 * a wide one); false on no memory. */
bool sd__var_widen(sd_var *v, size_t n);
/* A numeric column with no value in any of its `n` rows as a text column
 * of n missing values (a chunk of a file whose column is text in other
 * rows: empty fields say nothing of a type); false, unchanged, when it has
 * a value, is text already, unread, or on no memory. */
bool sd__var_blank_string(sd_var *v, size_t n);

struct sd_mrset {
    char *name; /* owned; unique among sets and variables */
    sd_mrset_kind kind;
    sd_labels label;
    sd_labels note;
    double counted; /* dichotomy sets: the value that means "selected" */
    size_t *vars;   /* indexes into the dataset's variables, owned */
    size_t nvars;
    const struct sd_dataset *ds; /* the owner (borrowed) */
};

typedef enum sd_lonely {
    SD_LONELY_FAIL = 0,
    SD_LONELY_REMOVE,
    SD_LONELY_ADJUST,
    SD_LONELY_CERTAINTY,
    SD_LONELY_AVERAGE
} sd_lonely;

typedef enum sd_reptype {
    SD_REP_NONE = 0,
    SD_REP_JK1,
    SD_REP_JKN,
    SD_REP_BRR,
    SD_REP_FAY,
    SD_REP_BOOTSTRAP,
    SD_REP_SDR
} sd_reptype;

#define SD_MAX_STAGES 4

/* Where a design field was declared: a codebook's line and column (the
 * file is the spec's `origin`); 0 for the command line or a program. */
typedef enum sd_dfield {
    SD_DF_WEIGHT = 0,
    SD_DF_STRATA,
    SD_DF_CLUSTER,
    SD_DF_FPC,
    SD_DF_LONELY,
    SD_DF_REPWEIGHTS,
    SD_DF_REPTYPE,
    SD_DF_RSCALES,
    SD_DF_COUNT
} sd_dfield;

typedef struct sd_dpos {
    long line, col;
} sd_dpos;

/* A survey design as declared, by a codebook's design section or by the
 * command line (named after R's svydesign/svrepdesign arguments): one
 * typed structure both fill, each field with where it came from; the
 * engine resolves it against the data (engine/design.c). Every pointer
 * owned; NULL/0 when not given. */
typedef struct sd_designspec {
    bool declared;     /* a codebook (or a file's WEIGHT BY) declared a design */
    char *origin;      /* the codebook's file, for messages; NULL otherwise */
    sd_dpos pos[SD_DF_COUNT];
    char *weight;
    bool no_weight;    /* --weight none: the codebook's weight is not used */
    char *strata;
    char *cluster[SD_MAX_STAGES];
    size_t ncluster;
    char *fpc[SD_MAX_STAGES];
    size_t nfpc;
    bool nest;
    sd_lonely lonely;
    bool has_lonely;   /* lonely was given (fail is also the default) */
    char **repweights; /* names; or one regular expression when repregex */
    size_t nrepweights;
    bool repregex;
    sd_reptype reptype;
    bool has_rho, has_scale, mse;
    double rho, scale;
    double *rscales;
    size_t nrscales;
    sd_reptype make_replicates; /* turn a linearization design into replicates */
    size_t replicates;          /* bootstrap replicates to make (default 50) */
    uint64_t seed;              /* bootstrap seed (default 1) */
    size_t patterns_max;        /* replicate patterns kept for domain df (0: 20000);
                                 * "patterns-max", a test knob, not a CLI option */
    int threads;                /* threads for the design's passes (--threads; 0: cores) */
    struct sd_calib_decl *calibration; /* the weight's calibration, or NULL */
} sd_designspec;

void sd__designspec_free(sd_designspec *d);
/* Deep copy. */
sd_status sd__designspec_copy(sd_designspec *dst, const sd_designspec *src, sd_error *err);
/* Is anything beyond a weight declared? */
bool sd__designspec_is_design(const sd_designspec *d);
/* Set one option by its CLI name without dashes ("strata", "cluster",
 * "fpc", "nest", "lonely-psu", "repweights", "reptype", "rho", "scale",
 * "rscales", "mse", "weight", "make-replicates"); list values are
 * comma-separated. Errors name the option and what was expected. */
sd_status sd__designspec_set(sd_designspec *d, const char *key, const char *value,
                             sd_error *err);
/* A --repweights regular expression, through the guarded compiler
 * (core/regex.c); the message names the option. */
sd_status sd__repweights_compile(regex_t *re, const char *value, sd_error *err);
/* Fill what `d` leaves unset from another spec (a codebook's), field by
 * field, positions included. */
sd_status sd__designspec_fill(sd_designspec *d, const sd_designspec *from, sd_error *err);


/* ---- population targets for weighting (docs/weighting.md), as written:
 * names and keys as text, totals as numbers; src/weight resolves them
 * against a dataset. Every pointer owned; lines and columns 1-based, for
 * messages (0 when unknown). */
typedef struct sd_target_entry {
    char *key;    /* a code or string value; for `totals`, the variable name */
    double total; /* a total, or a proportion when the entries sum to 1 */
    long line, col;
} sd_target_entry;

typedef struct sd_target_margin {
    char *var; /* the variable */
    sd_target_entry *v;
    size_t n;
    long line, col;
} sd_target_margin;

typedef struct sd_target_cell {
    char **keys;  /* one per cell variable (sd_targets.cellvars), same order */
    double total;
    long line, col;
} sd_target_cell;

struct sd_targets {
    char *source; /* the file (or codebook) they came from, for messages */
    bool has_population;
    double population; /* N, the intercept total */
    long pop_line, pop_col;
    sd_target_margin *margins; /* in the order written */
    size_t nmargins;
    sd_target_entry *totals;   /* numeric variables: key = the name */
    size_t ntotals;
    char **cellvars;           /* the variables of the cross-classification */
    size_t ncellvars;
    sd_target_cell *cells;
    size_t ncells;
    long cells_line, cells_col;
};

void sd__targets_free(sd_targets *t);
/* Deep copy; NULL on no memory. */
sd_targets *sd__targets_copy(const sd_targets *t);

/* A calibration recorded in a codebook's design section (written by
 * `sondage weight`): the design's weight is the calibrated one, made from
 * `base` by `method` to `targets`. */
typedef struct sd_calib_decl {
    char *method;  /* rake|poststratify|linear|raking|logit */
    char *base;    /* the weight before calibration; NULL: none (all 1) */
    bool has_bounds;
    double lower, upper;
    bool has_trim;
    double trim_lower, trim_upper;
    bool has_tolerance;
    double tolerance;
    long max_iter; /* 0: the method's default */
    bool force;
    sd_targets *targets;
    long line, col; /* of the calibration section */
} sd_calib_decl;

void sd__calib_decl_free(sd_calib_decl *c);
sd_calib_decl *sd__calib_decl_copy(const sd_calib_decl *c);

/* A dataset whose rows stay in a database (io/read_pg.c): the dataset holds
 * the codebook and no rows (nrows 0, no column arrays); `nrows` here counts
 * the rows the database holds, and the tabulations go to the database
 * (src/db/, GROUP BY push-down). The reader embeds this as the first member
 * of its own handle; sd_dataset_free calls `free`. */
typedef struct sd_remote {
    void (*free)(struct sd_remote *r);
    size_t nrows;      /* rows of the table when it was opened */
    const char *kind;  /* "PostgreSQL", for messages */
} sd_remote;

struct sd_dataset {
    char *source; /* path it was read from, or a name; owned */
    sd_labels title;
    size_t nrows;
    size_t rowcap; /* rows allocated in each column */
    sd_var **vars; /* owned pointers, so sd_var handles stay put */
    size_t nvars, varcap;
    sd_mrset **mr;
    size_t nmr, mrcap;
    /* Name indexes of vars and mr (names never change once added, so a
     * lookup is one probe however many variables a file has). */
    sd_hindex var_names, mr_names;
    sd_designspec design;
    sd_remote *remote; /* rows in a database, or NULL (owned) */
};

/* SD_OK when ds has its rows here; else SD_E_UNSUPPORTED naming what
 * (`what`, e.g. "weighting") needs them: a dataset whose rows stay in a
 * database tabulates there and nothing else. */
sd_status sd__dataset_rows_here(const sd_dataset *ds, const char *what, sd_error *err);
/* Every narrow column of ds widened (in place, though ds is const to its
 * callers: the values stay the same, only their storage changes), for the
 * parts that read columns as num and sysmis; SD_E_NOMEM naming the
 * variable, or SD_OK. Not for a dataset other threads read meanwhile. */
sd_status sd__dataset_widen(const sd_dataset *ds, sd_error *err);
/* One variable of ds widened (the same caveat). */
sd_status sd__dataset_widen_var(const sd_dataset *ds, size_t var, sd_error *err);

/* ---- builders (readers call these; each returns false only on no memory
 * unless it says otherwise) */

sd_dataset *sd__dataset_new(const char *source);
/* Add a variable; fails with SD_E_INVALID on a duplicate or empty name.
 * When the dataset already has rows, the new column is all system-missing. */
sd_status sd__dataset_add_var(sd_dataset *ds, const char *name, sd_type type, sd_var **out,
                              sd_error *err);
/* Make room for `nrows` rows in every column (new cells are sysmis).
 * false on no memory, or past SD_MAX_ROWS or SD_MAX_CELLS (rows x
 * variables), which are checked before anything is allocated. */
bool sd__dataset_reserve_rows(sd_dataset *ds, size_t nrows);
/* The same with the reason in err: SD_E_TOO_LARGE naming the cap that was
 * passed, or SD_E_NOMEM. */
sd_status sd__dataset_grow_rows(sd_dataset *ds, size_t nrows, const char *file, long line,
                                sd_error *err);
/* Index of a variable by name, or -1. */
long sd__dataset_var_index(const sd_dataset *ds, const char *name);
/* A variable the reader left without values (sd_var.unread) cannot be
 * used: SD_E_INTERNAL naming it, else SD_OK. */
sd_status sd__var_readable(const sd_dataset *ds, const sd_var *v, sd_error *err);
sd_status sd__dataset_add_mrset(sd_dataset *ds, const char *name, sd_mrset_kind kind,
                                sd_mrset **out, sd_error *err);
bool sd__mrset_add_var(sd_mrset *m, size_t var_index);

/* Intern a string value of a string variable; *idx receives its level. */
bool sd__var_intern(sd_var *v, const char *s, size_t n, uint32_t *idx);
/* Sort levels by byte order and renumber the column: deterministic order
 * whatever the order values were met. Frees the builder hash. */
bool sd__var_finish_levels(sd_var *v, size_t nrows);
/* Find a string level, or -1. */
long sd__var_find_level(const sd_var *v, const char *s);

/* Value labels: add or replace the label of a code/value in a language. */
bool sd__var_set_vlabel_num(sd_var *v, double code, const char *lang, const char *text);
bool sd__var_set_vlabel_str(sd_var *v, const char *value, const char *lang, const char *text);
/* Index of the value label for a code / string, or -1. */
long sd__var_find_vlabel_num(const sd_var *v, double code);
long sd__var_find_vlabel_str(const sd_var *v, const char *value);

bool sd__var_add_missing_code(sd_var *v, double code);
bool sd__var_add_missing_str(sd_var *v, const char *s);
void sd__var_set_missing_range(sd_var *v, double lo, double hi);
void sd__var_clear_missing(sd_var *v);
/* Is a numeric code / string value user-missing for this variable? */
bool sd__var_is_user_missing_num(const sd_var *v, double x);
bool sd__var_is_user_missing_str(const sd_var *v, const char *s);

bool sd__var_add_net(sd_var *v, const char *name, const double *codes, size_t ncodes,
                     sd_net **out);

/* Convert a string column whose every value is a number into a numeric one
 * (used when a codebook declares the column numeric). Returns SD_E_CONFLICT
 * naming the first value that is not a number. */
sd_status sd__var_to_numeric(sd_var *v, size_t nrows, const char *file, sd_error *err);
/* Convert a numeric column to string (values formatted with sd__fmt_double). */
bool sd__var_to_string(sd_var *v, size_t nrows);

/* What each numeric variable is, once read and its codebook applied: the
 * measurement rule of data/measure.c (categorical when labelled with few
 * values, SPSS's rule when no measure was stated). */
void sd__dataset_apply_measures(sd_dataset *ds);
/* What the measure rule reads of a variable's values (measure.c): its
 * distinct valid values, up to the 25 the rule needs, how many carry a
 * value label, a non-integer among them. Zero it, then count one set of
 * rows or several (the chunks of a file) into it. */
typedef struct sd_distinct {
    uint64_t small[16]; /* codes 0..1023 met */
    double other[25];
    size_t nother, n;
    size_t labelled;
    bool nonint;
} sd_distinct;
void sd__var_count_distinct(const sd_var *v, size_t nrows, sd_distinct *d);
/* present[c] = 1 for each code c in u[0..n) (the others left as they are):
 * one pass without a branch, eight bytes a step. */
void sd__u8_present(const uint8_t *u, size_t n, uint8_t present[256]);
/* The measure the rule gives v (its stated measure and labels) with those
 * values. */
sd_measure sd__var_measure_from(const sd_var *v, const sd_distinct *d);
/* The same rule for a variable whose rows are elsewhere (a database's):
 * does it need the values (false: its stated measure stands), and the rule
 * applied to its distinct valid values `vals` (at least the first 25 met,
 * or all of them when fewer; user-missing codes left out). */
bool sd__var_measure_needs_values(const sd_var *v);
void sd__var_apply_measure(sd_var *v, const double *vals, size_t n);

/* Codebooks without rows (varcopy.c): a variable's everything but its
 * column, added to dst; a set whose variables are dst's varmap[i] for the
 * source's i (NULL: the same indexes); a whole dataset's variables, sets,
 * title and design, with no rows. */
sd_status sd__var_copy_meta(sd_dataset *dst, const sd_var *src, sd_var **out, sd_error *err);
sd_status sd__mrset_copy_meta(sd_dataset *dst, const sd_mrset *src, const size_t *varmap,
                              sd_error *err);
sd_status sd__dataset_copy_meta(const sd_dataset *src, sd_dataset **out, sd_error *err);

/* Is a valid identifier for a variable or set name: valid UTF-8, a letter
 * (of any script) or '_' @ $ # then letters, digits, '_', '.', at most 64
 * bytes (SPSS allows 64). */
bool sd__valid_name(const char *s);

#endif /* SD_DATA_H */
