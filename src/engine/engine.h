/*
 * engine.h — the engine layer's interface: a table spec resolved against a
 * dataset into a plan (categories of each dimension, a category index per
 * row), and the one-pass tabulation into mergeable accumulators (sums only).
 *
 * The working state it returns (sd_work) is plain data: the stats layer
 * derives proportions and their uncertainty from it, the cube layer
 * (src/cube/) copies what users read into an sd_result. Nothing
 * here knows about files or formats.
 */
#ifndef SD_ENGINE_H
#define SD_ENGINE_H

#include "design.h"

/* What one category of a table dimension stands for. */
typedef enum sd_cat_kind {
    SD_CAT_TOTAL = 0, /* the Total column */
    SD_CAT_CODE,      /* a numeric code of a variable */
    SD_CAT_STRING,    /* a string value of a variable */
    SD_CAT_ITEM,      /* one variable of a multiple-response dichotomy set */
    SD_CAT_NET,       /* a net of codes of a variable */
    SD_CAT_MEAN,      /* a scale variable: its weighted sum (the mean's numerator) */
    SD_CAT_SUMSQ,     /* a scale variable: its weighted sum of squares (not shown) */
    SD_CAT_NESTED,    /* a nested banner's column: index into the table's colpath */
    SD_CAT_BELOW      /* a scale variable: rows at or below the column's median (not
                       * shown; the median's interval) */
} sd_cat_kind;

#define SD_MAX_NEST 3 /* levels of a nested banner (a>b>c) */

/* Percentages a table shows (--pct). */
typedef enum sd_pct { SD_PCT_COL = 0, SD_PCT_ROW, SD_PCT_TOTAL } sd_pct;

typedef struct sd_cat {
    sd_cat_kind kind;
    double code;       /* CODE; also the counted code of a category-set row */
    const char *str;   /* STRING: the value (borrowed from the dataset) */
    size_t index;      /* ITEM: variable index; NET: net index in its variable */
    bool user_missing; /* a user-missing code shown because missing=include */
} sd_cat;

/* The sums for one table: every array is mergeable by addition.
 *
 * A table's estimates are ratios of "linear quantities" (LQs): weighted
 * totals of a per-row value a_il. LQ l < nrows*ncols is cell (r, c) at
 * r * ncols + c (a = 1 when the row is in the cell); then one LQ per column
 * base (a = 1 when the row has a valid answer in that column). Variance
 * needs more sums than the totals, and which ones depends on the design:
 *  - clustered designs: the LQ totals of every sampled unit (unit_tot);
 *  - unclustered designs: per stratum, the sums and cross-products of the
 *    rows' weighted values (st_sum, st_cross), from which the centred
 *    sums of squares follow exactly;
 *  - replicate designs: the LQ totals under every replicate weight.
 * All are sums, so chunks of rows merge by addition. */
typedef enum sd_vmode {
    SD_VMODE_NONE = 0, /* counts only */
    SD_VMODE_UNITS,    /* per sampled unit totals */
    SD_VMODE_MOMENTS,  /* per stratum sums and cross-products */
    SD_VMODE_REPS      /* per replicate totals */
} sd_vmode;

typedef struct sd_accum {
    size_t nrows, ncols;
    size_t nlq;     /* nrows * ncols + ncols */
    double *n;      /* unweighted count per LQ (nlq) */
    double *w;      /* weighted total per LQ (nlq) */
    double *base_n; /* = n + nrows*ncols: per column, respondents with a valid row answer */
    double *base_w; /* = w + nrows*ncols */
    double *miss_n; /* per column: respondents missing on the row variable */
    double *miss_w;
    double bm_n, bm_w; /* rows in Total whose banner value is missing */
    sd_vmode vmode;
    size_t nunits;     /* SD_VMODE_UNITS: units of the deepest stage used */
    double *unit_tot;  /* [nunits][nlq] */
    size_t nstrata;    /* SD_VMODE_MOMENTS */
    double *st_sum;    /* [nstrata][nlq]: sum of w*a */
    double *st_cross;  /* [nstrata][nlq][nlq]: sum of (w*a_l)(w*a_m) */
    double *st_diag;   /* instead of st_cross for a categorical variable's table,
                        * whose rows are in one category: [nstrata][nlq] sums of
                        * w^2 a; every cross-product is one of them or a sum of
                        * them (stats/variance.c rebuilds it) */
    size_t nrep;       /* SD_VMODE_REPS */
    double *rep_tot;   /* [nrep][nlq]; while rows are added, cell by cell,
                        * [nlq][nrep] (sd__accum_finish turns it) */
    /* glm start sums (tabulate.c), when the spec asks for them: per LQ,
     * over its rows, of a(W), a(W) L(W) and d(W), W = w / column mean w. */
    double *glm_a, *glm_al, *glm_d;
    /* Replicate designs: per column, per replicate pattern, the sum of w^2
     * over the column's base rows: the Gram matrix of the domain's
     * replicate weights, for its degrees of freedom. */
    size_t npattern;
    double *pat_w2;    /* [ncols][npattern] */
    /* Calibrated designs (design.cal, docs/weighting.md): per LQ, the sums
     * of u a per auxiliary column, [nlq][calp]; unclustered designs also
     * per stratum the sums of w a z, [nstrata][nlq][calp]. */
    size_t calp;
    double *cal_a;
    double *cal_sza;
    /* Rows whose pattern the design did not keep (over its cap): per
     * column, the triangular factor of their replicate weights (reprank.c),
     * which stops taking rows once its rank is the design's. */
    struct sd_repfactor *ovf; /* [ncols], or NULL */
    size_t ovf_u;             /* the design's rank they stop at */
} sd_accum;

/* Statistics of one cell, filled by the stats layer (NaN when not
 * computable). */
typedef struct sd_cellstat {
    double est;     /* the column proportion (or mean) */
    double se;      /* standard error */
    double df;      /* degrees of freedom used for the interval */
    double ci_low, ci_high;
    double deff;    /* design effect (R's deff = TRUE) */
    double eff_base;/* n / deff */
    double cv;      /* se / est */
    double total_se;/* scale rows: SE of the weighted total */
    /* Scale rows (the mean's cell): R's sqrt(svyvar) and svyquantile(~x,
     * 0.5) with its default rule, Woodruff interval and SE. */
    double sd, median, median_low, median_high, median_se;
    /* Column-letter tests (src/stats/tests.c): the letters of the banner
     * columns this cell is significantly above, upper case at alpha, lower
     * case at alpha2, in column order; "" when none. */
    char letters[64];
} sd_cellstat;

/* Rao-Scott test of independence of a table's rows and banner columns
 * (R's svychisq), filled by src/stats/tests.c. */
typedef struct sd_chisq {
    bool done;       /* computed: a categorical row variable by a banner */
    double n;        /* N: rows valid on both */
    double nu;       /* design degrees of freedom of those rows */
    double x2;       /* Pearson X2 of the weighted table scaled to N */
    double f, ndf, ddf, f_p;  /* second-order F (statistic "F") */
    double df, chisq_p;       /* X2's df (nr-1)(nc-1), first-order p ("Chisq") */
} sd_chisq;

/* How a pair of banner columns is compared (tests.c, docs/tests.md). */
enum {
    SD_PAIR_POOLED = 0, /* Rao-Scott test of the pair's 2x2 table (default) */
    SD_PAIR_UNPOOLED,   /* svycontrast: difference over its design SE */
    SD_PAIR_TTEST,      /* a scale variable's means: svyttest */
    SD_PAIR_SPSS        /* --letters spss: pooled z on effective bases */
};

/* One compared pair of banner columns c < d in one row (tests.c): the
 * difference est_c - est_d, the SE the test implies, the statistic (a t;
 * the pooled test's F(1, df) is its square), df, the two-sided p and the
 * p after --adjust over the row's pairs. */
typedef struct sd_pairtest {
    size_t row, c, d;
    double diff, se, t, df, p, p_adj;
    int method;
} sd_pairtest;

/* The medians a table's scale row is given (sd_tabspec.given_medians):
 * one per category in cols (borrowed). */
typedef struct sd_given_medians {
    const sd_cat *cols;
    const double *median;
    size_t ncols;
} sd_given_medians;

/* Do two categories stand for the same thing (kind, value, net, item)? */
bool sd__cat_same(const sd_cat *a, const sd_cat *b);

typedef struct sd_wtable {
    size_t number;     /* 1-based: the --rows entry it tabulates */
    /* Row dimension: a variable or a multiple-response set. */
    bool row_is_mrset;
    bool row_is_scale; /* a scale variable: rows MEAN and SUMSQ */
    size_t row_index;  /* variable or set index in the dataset */
    const char *row_name;
    sd_cat *rows;
    size_t nrows;
    size_t nnets;      /* the last nnets rows are nets */
    int force;         /* the row entry's NAME:cat (1) or NAME:mean (2), else 0 */
    /* Column dimension: Total first, then the banner's categories. */
    long col_var;      /* the banner's variable, -1 for Total only, a set or nested */
    long col_set;      /* a multiple-response banner's set, else -1 */
    char *col_name;    /* the banner as written ("role", "role>size"); NULL for
                        * Total only (owned) */
    size_t col_depth;  /* levels of a nested banner (1 otherwise) */
    long col_levels[SD_MAX_NEST]; /* nested: each level's variable */
    sd_cat *colpath;   /* nested: (ncols - 1) x col_depth level categories (owned) */
    bool one_col;      /* every row is in one banner column at most */
    size_t letter0;    /* letter of its first banner column (0 = A): letters run
                        * on across the banners of one row variable */
    sd_cat *cols;
    size_t ncols;
    double banner_missing_n; /* rows in Total whose banner value is missing */
    double banner_missing_w;
    sd_accum acc;
    sd_cellstat *stats; /* nrows * ncols, or NULL before the stats layer ran */
    sd_cellstat *mean_stats; /* --means: per column, the mean of the codes (valid
                              * categories only), or NULL */
    sd_chisq chisq;     /* the Rao-Scott test, when tests were asked for */
    bool has_letters;   /* stats[].letters were computed for this table */
    sd_pairtest *pairs; /* the compared pairs, row by row (owned) */
    size_t npairs;
    /* A scale variable (rows MEAN, SUMSQ, BELOW): its valid values of
     * nonzero weight by column, sorted by value (ties in row order),
     * column c's at [sv_off[c], sv_off[c + 1]); and each column's median
     * (R's svyquantile, qrule "math"). */
    double *sv_x, *sv_w;
    size_t *sv_off;
    double *median;
} sd_wtable;

/* The working state of one tabulation: the tables' sums (engine) and, once
 * the stats layer ran, each cell's statistics. Private to the library: the
 * cube layer (src/cube/) copies what a user may read into an sd_result and
 * frees this. */
typedef struct sd_work {
    const sd_dataset *dataset; /* the data tabulated (borrowed: valid while it lives) */
    sd_dataset *keep; /* a dataset made for this tabulation (a database's rows or
                       * grouped sums, src/db/) that `dataset` and the string
                       * categories point into: owned, freed with the work */
    char *filter;     /* the request's filters as written, joined by " and " (owned) */
    double rows_in;   /* rows in the analysis (in the filter, weight > 0) */
    size_t nw_blank, nw_negative, nw_zero; /* rows left out by their weight */
    sd_pct pct;       /* the percentages shown */
    int sort;
    bool hide_empty, means, findings;
    double min_base;
    int decimals;
    sd_wtable *tables;
    size_t ntables;
    sd_missing_mode missing;
    char *weight;     /* weight variable name, or NULL (owned) */
    char *source;     /* dataset source (owned) */
    double rows_used; /* rows of the dataset */
    sd_design design; /* the resolved design the sums were gathered for */
    int ci_method;    /* sd_ci_method of the intervals in stats */
    double level;     /* their confidence level */
    bool deff;        /* write design effects (--deff) */
    bool show_stats;  /* text and CSV show se and intervals (--stats) */
    /* Tests (src/stats/tests.c), copied from the spec by the stats layer. */
    bool tests;       /* tests were computed: writers print them */
    int chisq_stat;   /* 0: Rao-Scott F, 1: Chisq (first-order corrected p) */
    int letters;      /* 0: design-based t (default), 1: spss, 2: none */
    int adjust;       /* 1 none, 2 bonferroni, 3 holm, 4 fdr (resolved) */
    double alpha, alpha2; /* resolved levels */
    int pair_test;    /* SD_PAIR_POOLED (default) or SD_PAIR_UNPOOLED */
} sd_work;

void sd__work_free(sd_work *w);

struct sd_tabspec {
    char **rows;           /* entries as written: names, A TO B, q*, NAME:cat|mean */
    size_t nrows, rowcap;
    char **cols;           /* entries: names, patterns, a>b>c, sets */
    size_t ncols, colcap;
    char **filter_text;    /* --filter, as written (combined with and) */
    struct sd_fnode **filters; /* parsed */
    size_t nfilters, filtercap;
    sd_pct pct;
    int sort;              /* 0 none, 1 descending, 2 ascending (by Total) */
    bool hide_empty;
    bool has_min_base;
    double min_base;       /* --min-base (default 30) */
    bool means;            /* a mean row under a categorical variable */
    bool findings;         /* JSON: each table's findings in words (--findings) */
    int decimals;          /* people's formats; -1: the writers' defaults */
    int threads;           /* --threads: the pass's threads; 0: the machine's cores */
    size_t chunk_rows;     /* rows per chunk of the pass (0: the default); a test knob */
    sd_designspec design; /* weight and design options */
    sd_missing_mode missing;
    int ci_method;        /* sd_ci_method */
    double level;         /* 0 means the default 0.95 */
    bool deff;            /* --deff */
    bool show_stats;      /* --stats */
    /* Tests: off unless asked for ("tests", or any of the options below). */
    bool tests;
    int chisq_stat;       /* "chisq": 0 = F (default), 1 = Chisq */
    int letters;          /* "letters": 0 = design (default), 1 = spss, 2 = none */
    int adjust;           /* "adjust": 0 default, 1 none, 2 bonferroni, 3 holm, 4 fdr */
    double alpha, alpha2; /* "alpha", "alpha2": 0 means the default (docs/tests.md) */
    int pair_test;        /* "pair-test": pooled (default) or unpooled */
    bool glm_start;       /* gather glm start sums (likelihood intervals) */
    /* "variances" = "shown" (cmd_tab, for CSV and text): keep the variance
     * sums only if a figure made from them is shown (--stats, --deff,
     * tests, findings); otherwise the pass adds counts and weights alone
     * and the SEs are null (the writers do not print them). */
    bool variances_if_shown;
    /* A stream's second read (stream.c): table k's scale row takes these
     * medians of its banner's categories (the whole file's) rather than
     * its rows' own; NULL, or ngiven tables, each possibly empty. */
    const struct sd_given_medians *given_medians;
    size_t ngiven;
    sd_weightopts weighting; /* --targets and its options (src/weight runs them) */
    sd_calib *calib;      /* the weighting the estimates carry (a reference), or NULL */
};

/* The table requests of a parsed spec file (spec/tabspec_yaml.c): each
 * table's options over the defaults, through sd_tabspec_set_option. */
struct sd_tabfile;
sd_status sd__tabspecs_build(const struct sd_tabfile *f, sd_tabspec ***out, size_t *n,
                             sd_error *err);

/* What a request reads of each variable of ds (use: ds->nvars entries,
 * or'ed into): SD_USE_AXIS as categories only (a table's rows, banners,
 * a category set's members: may be held narrow), SD_USE_VALUES as values
 * (weights, design variables, filters, scale rows, dichotomy items). The
 * request's names resolved as sd_tabulate resolves them (ds may be a
 * file's header only, sd_var.unread); its weighting's are not included
 * (columns.c adds them). Fails as sd_tabulate would on a name. */
enum { SD_USE_AXIS = 1, SD_USE_VALUES = 2 };
sd_status sd__tabspec_uses(const sd_dataset *ds, const sd_tabspec *spec, uint8_t *use,
                           sd_error *err);

/* The columns requests read of a file whose header (and codebook) is hd
 * (columns.c): every one they use, and those they use as categories only
 * (to hold narrow); both arrays owned by the caller, names borrowed from
 * hd. false when a request does not resolve, or on no memory. */
bool sd__request_columns(const sd_dataset *hd, sd_tabspec *const *specs, size_t n,
                         const char ***keep, size_t *nkeep, const char ***narrow,
                         size_t *nnarrow);

/* Rows per chunk of the pass over a dataset's rows (tabulate.c) and of a
 * stream (stream.c), unless a request says otherwise (chunk_rows). A
 * chunk's sums start at zero and are added to the tables' in chunk order,
 * so the sums (and every figure) are the same whatever the number of
 * threads, and a stream's are the whole file's: one size for both. */
#define SD_CHUNK_ROWS ((size_t)1 << 16)

/* The engine's part of sd_tabulate for n requests over a CSV file read
 * once, a chunk of rows at a time (stream.c): out[i] is the work the whole
 * file would give request i; they share the first chunk's dataset as their
 * dataset, owned by out[n - 1] (its keep), so free that one last.
 * SD_E_UNSUPPORTED, with the reason in err and in why (whylen bytes), when
 * a request or the file needs a whole read; nothing is then kept. */
sd_status sd__tabulate_stream(const char *path, const sd_open_options *opts,
                              sd_tabspec *const *specs, size_t n, sd_work **out, char *why,
                              size_t whylen, sd_error *err);

/* Count-only tabulation (the engine's part of sd_tabulate). */
sd_status sd__tabulate_counts(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                              sd_error *err);

/* A table's sums, as the engine gathers them and anything else may add to
 * (chunks of rows on other threads; in time, sums computed elsewhere, such
 * as a database's GROUP BY): every field of sd_accum is a sum over rows,
 * so two sets of sums over disjoint rows, of one shape, merge by addition
 * (sd__accum_merge), in any grouping; only the replicate-rank factors
 * (ovf) merge by folding, which keeps the same rank. A set made by
 * sd__accum_init_like has the shape of another and is all zero. While rows
 * are added (and merged) rep_tot lies cell by cell; sd__accum_finish, once,
 * turns it replicate by replicate, fills the Total cells' and the bases'
 * replicate totals of a table whose banner cells alone were added
 * (`bases_from_cells`: pass.c's reps_rows) and folds what
 * the factors hold. */
bool sd__accum_init(sd_accum *a, size_t nrows, size_t ncols);
bool sd__accum_init_like(sd_accum *dst, const sd_accum *src);
/* The glm start sums' arrays (R's likelihood intervals). */
bool sd__accum_init_glm(sd_accum *a);
void sd__accum_zero(sd_accum *a);
bool sd__accum_finish(sd_accum *a, bool bases_from_cells);
/* Allocate the variance sums for a mode (after sd__accum_init); `diag`: a
 * categorical variable's table keeps diagonal moments only. */
bool sd__accum_init_var(sd_accum *a, sd_vmode mode, size_t count, bool diag);
/* Allocate the calibration sums (after sd__accum_init_var). */
bool sd__accum_init_cal(sd_accum *a, size_t p, size_t nstrata);
void sd__accum_free(sd_accum *a);
/* dst += src; both of one table's shape. */
void sd__accum_merge(sd_accum *dst, const sd_accum *src);

/* ---- the rank of replicate weights (reprank.c) */

#define SD_RANK_TOL 1e-5 /* R's degf: qr(weights, tol = 1e-5)$rank */

/* dqrdc2's numerical rank of the m x p column-major matrix a (overwritten);
 * SIZE_MAX on no memory. */
size_t sd__qr_rank(double *a, size_t m, size_t p, double tol);

/* Rows of replicate weights folded into an upper-triangular R x R factor
 * (T'T is their Gram matrix), by blocks. `full`: its rank reached U, the
 * design's, and it takes no more rows (its domain's rank is U). Merged by
 * folding one factor's rows into the other. */
typedef struct sd_repfactor {
    double *T;        /* R x R, row-major */
    double *X;        /* rows waiting to be folded, column by column (R x cap) */
    size_t nx, cap;
    size_t rows;      /* rows taken */
    size_t next;      /* look at the rank when rows reaches it (0: at U) */
    bool full;
} sd_repfactor;

bool sd__rf_init(sd_repfactor *f, size_t R);
void sd__rf_free(sd_repfactor *f);
/* Take the row s * x[0..R) (nothing once full). */
void sd__rf_add(sd_repfactor *f, size_t R, size_t U, const double *x, double s);
/* Fold what waits (and look at the rank once more). */
void sd__rf_finish(sd_repfactor *f, size_t R, size_t U);
/* dst gains src's rows. */
void sd__rf_merge(sd_repfactor *dst, const sd_repfactor *src, size_t R, size_t U);
/* Rows of the factor that hold anything, waiting rows included. */
size_t sd__rf_nonzero_rows(const sd_repfactor *f, size_t R);
/* dqrdc2's rank of a factor's T; SIZE_MAX on no memory. */
size_t sd__rf_rank_of(const double *T, size_t R);

/* R's qrule "math" (svyquantile's default): the p-quantile of values x
 * sorted ascending with weights w > 0. */
double sd__qrule_math(const double *x, const double *w, size_t n, double p);

#endif /* SD_ENGINE_H */
