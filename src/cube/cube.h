/*
 * cube.h — the cube layer: the result of a tabulation as users read it
 * (include/sondage.h, "reading results"). The engine's sums and the stats
 * layer's working state (sd_work) are turned into an sd_result that owns
 * copies of every name, label and figure it shows, so it outlives the
 * dataset and hides how the numbers were made. Writers read only the
 * public accessors (cube.c); this header is for the cube's own files.
 */
#ifndef SD_CUBE_H
#define SD_CUBE_H

#include "../stats/stats.h"

/* One row or column. */
typedef struct sd_ccat {
    sd_cat_type type;
    unsigned flags;   /* SD_CATF_* */
    double code;      /* a numeric category's code, else NaN */
    char *key;        /* owned; the machine name */
    sd_labels labels; /* owned; empty when the key is the label */
    sd_labels noun[3]; /* owned; a category's noun forms (sd_noun_form), per language */
    char letter[4];   /* banner columns with letters: "A", "B", ...; else "" */
    /* columns only */
    double base_n, base_w, miss_n, miss_w;
    struct sd_ccat *lev; /* a nested banner's column: each level's category (owned) */
    size_t nlev;
} sd_ccat;

/* One cell: every figure, and the column letters it earned. */
typedef struct sd_ccell {
    double fig[SD_FIG_COUNT_];
    char *letters; /* owned, or NULL for none */
} sd_ccell;

typedef struct sd_cpair {
    size_t row, col_a, col_b;
    double diff, se, statistic, df, p, p_adj;
    char *method; /* owned */
} sd_cpair;

/* The weight of a table's request: its variable (owned, or NULL), or
 * weights N/n from the fpc; and the weighting step of the design when the
 * weight was made by one (docs/weighting.md): its method, base weight and
 * targets (owned, NULL when none), Kish's efficiency, the design effect due
 * to weighting, the effective sample size. */
typedef struct sd_cweight {
    char *weight;
    bool from_fpc;
    char *method, *base, *targets;
    double eff, deff, neff;
} sd_cweight;

struct sd_table {
    size_t number;
    sd_table_kind kind;
    char *row_var;         /* owned */
    sd_labels row_label;   /* owned */
    sd_measure row_measure; /* the row variable's measure (sets: nominal) */
    sd_labels row_note;    /* owned: the row variable's or set's codebook note */
    char *row_set;         /* a variable that is an item of a dichotomy set: the
                            * set (owned), else NULL */
    sd_labels row_set_label; /* owned */
    double row_set_counted;  /* the set's "selected" value, NaN when no set */
    char *col_var;         /* owned, NULL for a Total-only table; "a>b" nested */
    sd_labels col_label;   /* owned; nested: the levels' labels joined by " > " */
    size_t col_depth;      /* 1, or a nested banner's levels */
    char *col_levels[SD_MAX_NEST];       /* nested: each level's variable (owned) */
    sd_labels col_level_label[SD_MAX_NEST];
    char *filter;          /* the filters as written, or NULL (owned) */
    sd_pct pct;            /* what PCT is a share of */
    bool forced;           /* --rows NAME:cat / NAME:mean overrode the measure */
    /* What its request asked to show (tables from several requests can
     * share a result: sd_result_merge). */
    bool show_stats, show_deff, show_tests;
    double level;
    sd_missing_mode missing; /* its request's --missing */
    double min_base;       /* columns under it are flagged SD_CATF_LOW_BASE */
    sd_ccat *rows, *cols;  /* owned */
    size_t nrows, ncols;
    sd_ccell *cells;       /* nrows * ncols, row-major, owned */
    double banner_missing_n, banner_missing_w;
    bool has_test;
    sd_test_info test;     /* statistic points to a string literal */
    sd_cpair *pairs;       /* owned */
    size_t npairs;
    sd_cweight wt;         /* its request's weight (owned copy) */
};

struct sd_result {
    char *source;         /* owned */
    sd_cweight wt;        /* the first request's weight (the tables': mixed) */
    bool mixed_weights;   /* its tables were weighted differently (merged) */
    char *compared;       /* owned, or NULL */
    sd_missing_mode missing;
    double level;
    bool show_stats, show_deff, show_tests;
    int letters;          /* 0 design, 1 spss, 2 none (sd_work.letters) */
    double alpha, alpha2;
    int decimals;         /* --decimals, -1 for the writers' defaults */
    bool findings;        /* --findings: JSON gives each table's findings */
    double rows_total, rows_in; /* rows of the data; rows in the analysis */
    size_t nw_blank, nw_negative, nw_zero; /* rows left out by their weight */
    sd_table *tables;     /* owned */
    size_t ntables;
};

/* Build a result from a tabulation whose statistics are filled (the work
 * keeps its own memory; free it after). */
sd_status sd__cube_build(const sd_work *w, sd_result **out, sd_error *err);

/* A table's or result's weight: freed, copied (false when out of memory). */
void sd__cweight_free(sd_cweight *w);
bool sd__cweight_copy(sd_cweight *dst, const sd_cweight *src);

#endif /* SD_CUBE_H */
