/*
 * design.h — the survey design, as declared (names and settings, named
 * after R's svydesign/svrepdesign arguments) and as resolved against a
 * dataset (per-row stratum and cluster indexes, per-unit population sizes,
 * replicate weight columns). The engine accumulates by these; the stats
 * layer turns the sums into variances.
 */
#ifndef SD_DESIGN_H
#define SD_DESIGN_H

#include "../data/data.h"

/* Weighting options, as given (src/weight runs them; names after the CLI). */
typedef struct sd_weightopts {
    char *targets;      /* the targets file (owned), NULL: no weighting asked */
    int method;         /* 0 rake, 1 poststratify, 2 linear, 3 raking, 4 logit; -1: default */
    bool has_bounds;
    double lower, upper; /* g = w / base bounds (R's calibrate bounds) */
    bool has_trim;
    double trim_lower, trim_upper; /* weight bounds (R's trimWeights) */
    bool has_tolerance;
    double tolerance;   /* rake: epsilon; calibration: epsilon */
    long max_iter;      /* 0: the method's default */
    bool force;         /* carry on when targets cannot be met (with warnings) */
} sd_weightopts;

void sd__weightopts_free(sd_weightopts *o);
/* Set one option by its CLI name ("targets", "method", "bounds", "trim",
 * "tolerance", "max-iter", "force"); SD_E_NOT_FOUND when `key` is not a
 * weighting option. */
sd_status sd__weightopts_set(sd_weightopts *o, const char *key, const char *value,
                             sd_error *err);

/* A calibration step of the design, made by src/weight and read by the
 * engine and the stats layer (docs/weighting.md, "Variance"): the
 * calibrated weights, the re-calibrated replicate weights when the design
 * has replicates, and what linearisation needs. R's svyrecvar replaces each
 * row's weighted value w_i a_il of a linear quantity l by the residual
 *     e_il = w_i a_il - sum_t z[t][i] * beta[col[t][i]][l],
 * where beta_l = solve(A_l) and A_l[j] = sum_i sum_t [col[t][i] == j] u[t][i] a_il.
 * The engine gathers A per table (mergeable sums); the stats layer solves.
 * Shared by reference (sd__calib_ref / sd__calib_unref). */
typedef struct sd_calib {
    size_t refs;
    size_t nrows;
    double *w;          /* the final weights (owned) */
    size_t nrep;
    double *repw;       /* nrep x nrows re-calibrated replicate weights, or NULL */
    size_t p;           /* auxiliary columns */
    size_t nterms;      /* entries per row */
    int32_t *col;       /* nterms x nrows; -1: none */
    double *z, *u;      /* nterms x nrows */
    /* solve: beta = S A (S dense p x p), or, for raking, R's ten sweeps of
     * post-stratification over the margins' blocks of columns:
     *   beta_j += (A_j - sum_k M[j][k] beta_k) / cnt_j, block by block. */
    double *S;
    size_t nblocks;
    size_t *block;      /* nblocks + 1 column starts */
    double *M;          /* p x p, or NULL for zero */
    double *cnt;        /* p */
    int sweeps;
    /* What people read about it (made by src/weight; owned strings). */
    char *name;         /* the weight it makes ("weight_rake", or the recorded variable) */
    char *method;       /* rake, poststratify, linear, raking, logit */
    char *base;         /* the base weight, NULL: none */
    char *targets;      /* where the targets came from */
    double eff, deff, neff; /* Kish's efficiency, 1 / efficiency, effective n */
} sd_calib;

sd_calib *sd__calib_ref(sd_calib *c);
void sd__calib_unref(sd_calib *c);
/* beta = solve(A), both p long. */
void sd__calib_solve(const sd_calib *c, const double *A, double *beta);

/* The design resolved against a dataset. Arrays are per row unless said. */
typedef struct sd_design {
    size_t nrows;
    const double *w;    /* weights (borrowed), NULL = all 1 */
    double *w_owned;    /* replicate-made designs keep their own, as do weights
                         * with blank or negative values (set to 0) */
    size_t nw_blank, nw_negative, nw_zero; /* rows whose weight was so */
    size_t nstrata;     /* >= 1 */
    int32_t *stratum;   /* 0..nstrata-1 */
    size_t nstages;     /* cluster stages given (0: every row is its own PSU) */
    int32_t *unit[SD_MAX_STAGES]; /* stage s unit, numbered 0..nunits[s]-1 globally */
    size_t nunits[SD_MAX_STAGES];
    int32_t *parent[SD_MAX_STAGES]; /* per unit of stage s: its stratum (s=0) or unit of s-1 */
    /* Population sizes per stage, per "parent" (stratum for stage 0, unit of
     * stage s-1 for stage s); INFINITY when no fpc at that stage. For an
     * unclustered design stage 0's units are the rows. */
    double *popsize[SD_MAX_STAGES];
    size_t *sampsize[SD_MAX_STAGES]; /* sampled units per parent */
    /* When an fpc varies within its parents (R allows it, with a warning):
     * the population size of each stage-s unit, from its first row; NULL
     * when popsize[s] says it all. */
    double *unitpop[SD_MAX_STAGES];
    bool w_from_fpc;    /* no weight given: w_owned derived from the fpc */
    bool has_fpc[SD_MAX_STAGES];
    size_t fpc_stages;  /* stages with fpc given */
    sd_lonely lonely;
    /* Replicates. */
    sd_reptype reptype;
    size_t nrep;
    int threads; /* for its own passes (replicate patterns); 0: the machine's cores */
    const double **repw; /* nrep columns (borrowed or owned via rep_owned) */
    double *rep_owned;   /* nrep * nrows when made here */
    double scale;
    double *rscales;     /* nrep, owned */
    bool mse;
    /* Replicates made from the PSUs (--make-replicates): replicate r's
     * weight of a row is w * repmult[r * nunits[0] + its PSU]. The engine
     * then gathers PSU totals and the stats layer combines them. */
    double *repmult;
    int32_t *rowunit;    /* unclustered designs whose rows are units: made
                          * replicates, a varying fpc (owned) */
    /* Replicate-weight patterns, for the degrees of freedom of a domain
     * (R's rank of the domain's replicate weights): rows whose replicate
     * weights are proportional to their weight share a pattern. */
    int32_t *pattern;    /* per row; -1: no weight in any replicate; -2: a
                          * pattern over the cap (its own replicate weights) */
    size_t npattern;
    size_t overflow;     /* rows with pattern -2 */
    double *patvec;      /* npattern x nrep multipliers (owned) */
    /* The rank of all the design's replicate weights (R's qr rank over its
     * rows of nonzero weight), an upper bound of every domain's; 0 when
     * unknown (reprank.c). */
    size_t rank;
    /* No design was declared (each row its own PSU) and the data has one
     * row: there is no variance to estimate, so SEs are undefined (null)
     * rather than a lonely-PSU error. */
    bool no_variance;
    /* A calibration step (sd__design_calibrate): a reference, and its z
     * summed per variance unit (clustered designs, at the deepest stage
     * used) or per stratum with cross-products (unclustered ones). */
    sd_calib *cal;
    double *cal_zu;      /* [nunits][p] */
    double *cal_zh;      /* [nstrata][p] */
    double *cal_zzh;     /* [nstrata][p][p] */
} sd_design;

/* The degrees of freedom of a replicate design are the rank of its
 * replicate weights, found from a Gram matrix on their smaller side
 * (replicates, or PSUs / replicate patterns / rows): that side may be at
 * most this long (two 4096 x 4096 matrices: 256 MiB). */
#define SD_MAX_GRAM_SIDE ((size_t)4096)

/* Resolve: check every name and every rule (fpc constant within strata,
 * clusters nested in strata unless nest, no missing design values, weights
 * finite and >= 0), number strata and units in sorted order of their
 * values. */
sd_status sd__design_resolve(const sd_dataset *ds, const sd_designspec *spec, sd_design *out,
                             sd_error *err);
void sd__design_free(sd_design *d);

/* ---- parts of the resolution (replicates.c, design.c) */
/* --repweights: the replicate weight columns, their type and scales. */
sd_status sd__design_given_replicates(const sd_dataset *ds, const sd_designspec *spec,
                                      sd_design *d, sd_error *err);
/* --make-replicates: PSU multipliers of jackknife, BRR or bootstrap. */
sd_status sd__design_make_replicates(const sd_dataset *ds, const sd_designspec *spec,
                                     sd_design *d, sd_error *err);
/* Refuse replicates whose degrees-of-freedom matrix would pass the cap. */
sd_status sd__design_gram_fits(const sd_dataset *ds, size_t R, size_t rows, const char *what,
                               sd_error *err);
/* Each row its own PSU (an unclustered design made into replicates). */
sd_status sd__design_rowunits(sd_design *d);
/* Weights so large that their sum, or the sum of their squares (variances
 * square them), would pass DBL_MAX over n rows are refused, naming the
 * largest: sums of finite weights then never overflow (1e308 twice gave
 * percentages of 0 and a base of Inf). A bound with room to spare:
 * n * max|w|^2 <= DBL_MAX / 16. `role` names the weight in the message. */
sd_status sd__design_weights_fit(const sd_dataset *ds, const sd_var *v, const char *role,
                                 const double *w, size_t n, sd_error *err);
/* The same check when the largest in size, `big` in row `at`, is known. */
sd_status sd__design_weight_fits(const sd_dataset *ds, const sd_var *v, const char *role,
                                 double big, size_t at, size_t n, sd_error *err);
/* Make a resolved design calibrated (calib.c): its weights become the
 * calibration's, its replicate weights the re-calibrated ones (replicates
 * made from PSUs become explicit columns), and, without replicates, the
 * sums of z per variance unit or stratum are made. Keeps a reference. */
sd_status sd__design_calibrate(sd_design *d, sd_calib *cal, sd_error *err);
/* The variance units the engine accumulates by for a linearization design
 * (the deepest stage used), or NULL for an unclustered one. */
const int32_t *sd__design_var_units(const sd_design *d, size_t *count);
/* The design's rank (d->rank), once its patterns are known (reprank.c). */
sd_status sd__design_rank(sd_design *d);
/* The rank of a domain's replicate weights from the structure of jackknife
 * replicates made here, given its per-PSU sums of w^2 (patterns are PSUs):
 * false when the structure does not apply (the QR then decides). */
bool sd__design_made_rank(const sd_design *d, const double *pat_w2, size_t *rank);
/* Group rows by replicate-weight pattern (for domain degrees of freedom). */
sd_status sd__design_patterns(sd_design *d, size_t max, int threads, sd_error *err);
/* Does the design ask for variances (anything beyond a weight)? */
bool sd__design_has_variance(const sd_design *d);

#endif /* SD_DESIGN_H */
