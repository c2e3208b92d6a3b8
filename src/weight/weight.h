/*
 * weight.h — the weighting layer's interface: targets resolved against a
 * dataset, the methods of R's survey package (rake, postStratify,
 * calibrate with its linear, raking and logit functions, trimWeights), the
 * calibration step they hand to the design, and the diagnostics
 * (docs/weighting.md). Everything works on "patterns": rows with the same
 * auxiliary values (categories of every margin, numeric values) share their
 * adjustment, so the methods run on pattern sums and only the first and
 * last steps touch every row.
 */
#ifndef SD_WEIGHT_H
#define SD_WEIGHT_H

#include "../stats/stats.h"

typedef enum sd_wmethod {
    SD_WM_RAKE = 0,     /* R's rake: iterative post-stratification on the margins */
    SD_WM_POSTSTRAT,    /* R's postStratify on one margin or the cells */
    SD_WM_LINEAR,       /* calibrate(calfun = "linear") */
    SD_WM_RAKING,       /* calibrate(calfun = "raking") */
    SD_WM_LOGIT         /* calibrate(calfun = "logit", bounds) */
} sd_wmethod;

const char *sd__wmethod_name(sd_wmethod m);

/* A factor: a margin's variable, or the cells' cross-classification. */
typedef struct wfactor {
    char *name;        /* "stype", or "stype x sch.wide" for cells (owned) */
    bool cells;
    long var;          /* the variable (margins), -1 for cells */
    size_t ncat;       /* categories, sorted by value (R's factor levels) */
    double *target;    /* per category, a total */
    char **key;        /* per category: its text ("E" or "E, Yes"), owned */
    double *code;      /* per category: the numeric code (NaN for strings, cells) */
    long *line, *col;  /* per category: where its target is written */
    bool *active;      /* has respondents (or kept): in the model */
    double *n, *w0;    /* per category: rows, base weight */
    int32_t *of;       /* per row: its category (owned) */
    double sum;        /* targets' sum */
    long fline, fcol;  /* where the factor is written */
} wfactor;

/* A numeric total. */
typedef struct wtotal {
    char *name;        /* owned */
    const double *x;   /* the column (borrowed) */
    double total;
    long line, col;
} wtotal;

/* The problem: factors (margins in order, then cells), totals, the
 * population, and the patterns of rows. */
typedef struct wprob {
    size_t nrows;
    const char *source; /* the targets' file, for messages */
    wfactor *f;
    size_t nf;
    wtotal *num;
    size_t nnum;
    bool has_N;
    double N;          /* the intercept total (calibration) */
    size_t npat;
    int32_t *pat;      /* per row: its pattern */
    int32_t *pcat;     /* [npat][nf] categories */
    double *pnum;      /* [npat][nnum] numeric values */
    double *pcnt;      /* rows per pattern */
    double *ppos;      /* rows with a positive base weight per pattern */
} wprob;

/* A problem the weighting found: fatal ones stop it unless --force. */
typedef struct wissue {
    char *msg;         /* owned */
    bool fatal;
    long line, col;    /* in the targets, 0 when none */
    char *var;         /* owned or NULL */
} wissue;

typedef struct wissues {
    wissue *v;
    size_t n, cap;
} wissues;

bool sd__issue_add(wissues *is, bool fatal, long line, long col, const char *var,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void sd__issues_free(wissues *is);

/* Resolve targets against the dataset (resolve.c): categories, proportions
 * scaled by N (the population, or the base weights' total), checks
 * (missing values, categories without targets, targets without
 * respondents, margins that disagree), the patterns. w0: base weights. */
sd_status sd__wprob_build(const sd_dataset *ds, const sd_targets *t, sd_wmethod method,
                          const double *w0, wprob *p, wissues *is, sd_error *err);
void sd__wprob_free(wprob *p);
/* Sum a per-row weight into per-pattern sums (W, npat). */
void sd__wprob_sum(const wprob *p, const double *w, double *W);

/* R's rake on pattern sums W (rake.c): post-stratify on every factor in
 * turn until the joint table changes by less than eps between sweeps, at
 * most maxit sweeps; or exactly `fixed` sweeps when fixed > 0 (replicates
 * follow the full sample's count). F: the adjustment of each pattern; G
 * (may be NULL): [npat][nf], the adjustment after each factor of the last
 * sweep (the weights R's raking residuals use). */
typedef struct rake_out {
    int sweeps;
    bool converged;
    double delta;      /* the last sweep's largest change of the joint table */
} rake_out;
sd_status sd__rake(const wprob *p, const double *W, int maxit, double eps, int fixed, double *F,
                   double *G, rake_out *out, sd_error *err);

/* R's postStratify on factor k: per category target / base total (F per
 * pattern). */
sd_status sd__poststratify(const wprob *p, size_t k, const double *W, double *F, sd_error *err);

/* Calibration (calibrate.c): the model matrix of R's calibrate (intercept,
 * treatment dummies of each factor's active categories, numeric
 * columns) per pattern, and its targets. */
typedef struct wmodel {
    size_t q;          /* columns */
    double *X;         /* [npat][q] */
    double *pop;       /* q */
    char **colname;    /* q, owned ("(Intercept)", "stypeH", "api99") */
    size_t *fcol;      /* per factor: its first dummy column; category c's is
                        * fcol + rank among active categories - 1 (the first is
                        * the reference) */
    int32_t **catcol;  /* per factor, per category: its column or -1 */
    int32_t *catblock; /* the storage catcol points into (owned) */
} wmodel;
sd_status sd__wmodel_build(const wprob *p, wmodel *m, sd_error *err);
void sd__wmodel_free(wmodel *m);

typedef struct grake_out {
    int iterations;
    bool failed;       /* did not converge within maxit */
    double achieved;   /* the largest |misfit| / (1 + |pop|) at the end */
    double scale;      /* R's rescaling (1 when none) */
} grake_out;
/* g per pattern for pattern sums W: regcalibrate's closed form for linear
 * without bounds, else grake's Newton iterations with calfun. */
sd_status sd__calibrate(const wprob *p, const wmodel *m, const double *W, sd_wmethod method,
                        bool has_bounds, double lower, double upper, double eps, int maxit,
                        double *g, grake_out *out, sd_error *err);
/* Moore-Penrose inverse of a symmetric q x q matrix (MASS::ginv's rule:
 * eigenvalues below tol times the largest are dropped), after scaling to a
 * unit diagonal. */
sd_status sd__pinv_sym(const double *A, size_t q, double tol, double *out, sd_error *err);

/* R's trimWeights(strict = TRUE) (trim.c): clamp to [lo, hi] and share
 * what was cut equally among the rows inside, until every weight is
 * inside. Returns the passes, -1 when the bounds cannot hold the total
 * (then w is only clamped), -2 when out of memory. *ntrim: rows outside at the first pass. */
int sd__trim(double *w, size_t n, double lo, double hi, size_t *ntrim);

/* Weight statistics (diag.c). */
typedef struct wstats {
    double n, sum, min, median, max, mean, ratio, cv;
    double eff;        /* Kish: (sum w)^2 / (n sum w^2) */
    double deff;       /* 1 / eff, the design effect due to weighting */
    double neff;       /* (sum w)^2 / sum w^2 */
} wstats;
bool sd__wstats(const double *w, size_t n, wstats *s);

/* Per category of a margin, a total, or a cell: target and achieved. */
typedef struct wmargin {
    char *var;         /* owned */
    char *key;         /* owned; NULL for a numeric total */
    double code;       /* numeric code, NaN otherwise */
    long var_index;    /* the variable, -1 for cells */
    double target, achieved, n;
} wmargin;

/* Per category of a banner group: effective sample size. */
typedef struct wgroup {
    char *var, *key;   /* owned */
    double code;
    long var_index;
    double n, sum, neff, eff;
} wgroup;

struct sd_weighting {
    sd_wmethod method;
    sd_weightopts opts;     /* as given (targets path owned) */
    sd_targets *targets;    /* a copy, recorded with the weights */
    sd_designspec design;   /* the effective design */
    char *base;             /* the base weight's name, NULL: none */
    char *default_name;
    size_t nrows;
    sd_calib *cal;          /* the step: weights, replicates, linearisation */
    /* diagnostics */
    int iterations;         /* rake: sweeps; calibration: Newton steps; 0 closed form */
    int max_iter;
    double epsilon;         /* the stopping rule used */
    bool converged;
    double last_change;     /* rake: largest change of the joint table; else misfit */
    double N;               /* the population used, NaN when none */
    wstats before, after;
    wmargin *margins;
    size_t nmargins;
    double max_error;       /* largest |achieved - target| over margins, totals, cells */
    size_t max_error_at;    /* index in margins */
    size_t trimmed;         /* weights outside the trim bounds at the first pass */
    int trim_passes;
    wgroup *groups;
    size_t ngroups;
    size_t nrep;            /* replicates re-weighted */
    size_t rep_failed;      /* of which did not converge */
    wissues issues;
    /* Kept for the linearisation, built when a table first needs it
     * (sd__weighting_linearise): the problem's patterns (rows' categories
     * freed), the model, rake's adjustments after each margin of the last
     * sweep, the base weights and the weights before trimming. */
    wprob prob;
    wmodel model;
    double *G;              /* [npat][nf], rake only */
    double *w0;             /* the base weights, NULL: all 1 */
    double *wcal;           /* before trimming, NULL: the final ones (cal->w) */
    bool linearised;
};

/* Build the calibration's linearisation pieces (sd_calib col, z, u and its
 * solve) if not done yet: what R's svyrecvar needs (weighting.c). */
sd_status sd__weighting_linearise(sd_weighting *w, sd_error *err);

/* Effective sample sizes per group and the margins' errors (diag.c). */
sd_status sd__weighting_diag(sd_weighting *w, const sd_dataset *ds, const sd_tabspec *spec,
                             const wprob *p, const double *w0, sd_error *err);

#endif /* SD_WEIGHT_H */
