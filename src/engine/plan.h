/*
 * plan.h — engine-private: the category map of one variable (its categories
 * in display order and each row's category index).
 */
#ifndef SD_PLAN_H
#define SD_PLAN_H

#include "engine.h"
#include "../spec/spec.h"

typedef struct sd_catmap {
    sd_cat *cats;       /* categories in display order (owned) */
    size_t ncats;
    int32_t *idx;       /* per row: index into cats, -1 when missing (owned); NULL
                         * for a narrow variable (data.h), whose rows are read
                         * through its codes: */
    const uint8_t *u8;  /* the variable's column (borrowed), or NULL */
    int32_t map8[256];  /* code -> index into cats, -1 (SD_U8_NONE: -1) */
    uint64_t *netmask;  /* per category: bit k set when it belongs to net k (owned) */
    size_t nnets;       /* nets of the variable used (at most 64) */
} sd_catmap;

/* Row r's category, -1 for none. */
static inline int32_t sd__catmap_at(const sd_catmap *m, size_t r)
{
    return m->u8 ? m->map8[m->u8[r]] : m->idx[r];
}

/* Build the map of variable `var`. User-missing values are categories when
 * mode is SD_MISSING_INCLUDE; value-labelled codes that nobody chose are
 * categories too (with zero counts), as SPSS CTABLES shows them. */
sd_status sd__catmap_build(const sd_dataset *ds, size_t var, sd_missing_mode mode,
                           bool with_nets, sd_catmap *out, sd_error *err);
void sd__catmap_free(sd_catmap *m);

/* The codes of a multiple-response category set: the union of its
 * variables' categories, in order, and each variable's category -> union
 * index map. */
typedef struct sd_catset {
    sd_catmap *maps;  /* per variable (owned) */
    int32_t **cat2u;  /* per variable: its category -> index into cats (owned) */
    size_t nvars;
    sd_cat *cats;     /* the union (owned) */
    size_t ncats;
} sd_catset;

sd_status sd__catset_build(const sd_dataset *ds, const sd_mrset *m, sd_missing_mode mode,
                           sd_catset *out, sd_error *err);
void sd__catset_free(sd_catset *s);

/* ---- banners (banner.c) */

/* A banner: its columns (the Total column is not one of them) and each
 * row's columns. A variable's or a nested banner's rows are in at most one
 * column (idx); a multiple-response set's rows in any number (off/list). */
typedef struct sd_colmap {
    sd_cat *cats;      /* per column (owned); nested banners: SD_CAT_NESTED */
    size_t ncols;
    size_t depth;      /* 1, or the levels of a nested banner */
    long var[SD_MAX_NEST]; /* per level: the variable (-1 for a set banner) */
    long set;          /* a multiple-response banner's set, else -1 */
    sd_cat *path;      /* nested: ncols x depth, each level's category (owned) */
    int32_t *idx;      /* one column per row: its column, -1 for none (owned) */
    const uint8_t *u8; /* or a narrow variable's codes (borrowed) */
    int32_t map8[256]; /* and each code's column, -1 for none */
    uint32_t *off;     /* several: row r's columns are list[off[r] .. off[r+1]) (owned) */
    uint32_t *list;
} sd_colmap;

/* Is every row in one column at most (idx or u8)? */
static inline bool sd__colmap_one(const sd_colmap *m)
{
    return m->idx || m->u8;
}
/* Such a banner's column of row r (from 0), -1 for none. */
static inline int32_t sd__colmap_col(const sd_colmap *m, size_t r)
{
    return m->u8 ? m->map8[m->u8[r]] : m->idx[r];
}

/* Build a banner from its --cols entry: a variable, `a>b>c` (nested, up to
 * SD_MAX_NEST levels of variables) or a multiple-response set. */
sd_status sd__colmap_build(const sd_dataset *ds, const char *entry, sd_missing_mode mode,
                           sd_colmap *out, sd_error *err);
void sd__colmap_free(sd_colmap *m);
/* Row r's columns, numbered from 1 (0 is Total), into buf (room for
 * m->ncols); returns how many. */
static inline size_t sd__colmap_row(const sd_colmap *m, size_t r, uint32_t *buf)
{
    if (!m)
        return 0;
    if (sd__colmap_one(m)) {
        int32_t c = sd__colmap_col(m, r);
        if (c < 0)
            return 0;
        buf[0] = (uint32_t)c + 1;
        return 1;
    }
    size_t n = m->off[r + 1] - m->off[r];
    for (size_t k = 0; k < n; k++)
        buf[k] = m->list[m->off[r] + k] + 1;
    return n;
}

/* ---- the pass over rows (pass.c) */

/* What every table of one request shares in its pass (read-only). */
typedef struct sd_passctx {
    const sd_dataset *ds;
    size_t nrows;
    const sd_design *d;     /* the resolved design */
    const double *wt;       /* weights, NULL for 1 */
    const int32_t *unit;    /* SD_VMODE_UNITS: each row's unit */
    const uint8_t *in;      /* rows in the analysis, NULL for all */
    sd_missing_mode mode;
} sd_passctx;

/* A table's row dimension: one of these is set. */
typedef struct sd_rowdim {
    const sd_catmap *map;   /* a categorical variable (with its nets) */
    const sd_var *scale;    /* a scale variable */
    const sd_mrset *mr;     /* a dichotomy set */
    const sd_catset *cs;    /* a category set */
} sd_rowdim;

/* One table of the pass: what its rows are read through. Its sums are
 * t->acc once every chunk is merged (and the first pass's column means
 * during the glm pass). */
typedef struct sd_tpass {
    sd_wtable *t;
    sd_rowdim rd;
    const sd_colmap *cm;    /* the banner, NULL for Total only */
    bool glm;               /* it takes R's glm start sums (a second pass) */
} sd_tpass;

/* A thread's scratch, and its sums of the chunk it is on (one per table,
 * shaped as the table's). */
typedef struct sd_worker {
    sd_accum *acc;
    size_t n;
    uint32_t *lq;           /* the LQs one row touches */
    double *av;
    size_t cap;
    uint32_t *cbuf;         /* a row's banner columns */
    uint32_t *stamp;        /* category sets: per category, the last visit that counted it */
    size_t nstamp;
    uint32_t visit;         /* visits of a row by a table so far */
    double *rep;            /* a tile's replicate weights, row by row */
    size_t tile;            /* rows per tile */
    bool direct;            /* acc are the tables' own sums (one chunk, one thread) */
} sd_worker;

/* A table's sums allocated (zero) for the design: cells, variance sums
 * (vmode over vcount strata, units or replicates), calibration sums,
 * replicate patterns and the factors of rows over the pattern cap. The
 * local pass and the database push-down both start a table from it. */
sd_status sd__table_sums_init(const sd_dataset *ds, sd_wtable *t, sd_vmode vmode,
                              size_t vcount, const sd_design *d, sd_error *err);
/* `direct`: add to the tables' sums themselves (copy back acc[i].bm_n and
 * bm_w afterwards), for a single chunk. */
bool sd__worker_init(sd_worker *w, const sd_passctx *pc, const sd_tpass *tp, size_t n,
                     bool direct);
void sd__worker_free(sd_worker *w);
/* Add rows [r0, r1) to the worker's sums of every table; with `glm`, R's
 * glm start sums only (a second pass: it needs the column means of the
 * first, merged). The worker's sums start from zero (one chunk per call):
 * a table on the hot path adds a row to one cell only and fills its Total
 * cells and bases at the end of the call. */
void sd__pass_rows(const sd_passctx *pc, const sd_tpass *tp, size_t n, sd_worker *w,
                   size_t r0, size_t r1, bool glm);
/* A table whose cells' replicate totals are gathered alone, its bases' made
 * from them once the pass is done. */
bool sd__tpass_reps_cells(const sd_tpass *tp);
/* A scale variable's sorted valid values by column and each column's
 * median (t->sv_*, t->median), before its pass; SD_E_NOMEM or SD_OK. */
sd_status sd__scale_values(sd_wtable *t, const sd_var *v, const sd_passctx *pc,
                           const sd_colmap *cm, uint32_t *cols);

/* ---- grouped sums (grouped.c): the hook for sums computed elsewhere */

/* Groups of rows that share every value a table's sums depend on (a
 * database's GROUP BY, src/db/): group k is row k of the passctx's dataset,
 * whose columns hold the group's row and banner values. */
typedef struct sd_groups {
    size_t n;               /* groups (pc->nrows) */
    const double *cnt;      /* rows of the group in the analysis; 0: skipped */
    const double *sw;       /* their sum of w */
    const double *sw2;      /* their sum of w^2 (per-stratum moments, patterns), or NULL */
    const double *swr;      /* [n][nrep]: their sums of each replicate weight, or NULL */
    const int32_t *stratum; /* SD_VMODE_MOMENTS: each group's stratum */
    const int32_t *unit;    /* SD_VMODE_UNITS: each group's variance unit */
    const int32_t *pattern; /* replicate pattern (-1 none, -2 over the cap), or NULL */
    const double *ovf_row;  /* [n][nrep]: a -2 group's multipliers w_r / w, or NULL */
    const double *wval;     /* the glm pass: the one weight of each group's rows */
} sd_groups;

/* Fill t's accumulators (allocated for the design, as plan_table does)
 * from groups instead of rows: the same sums sd__pass_rows adds row by row
 * (the banner cm, NULL for Total only; cols room for its columns); with
 * `glm`, the glm start sums only (after a first call). Then, as after a
 * pass, sd__accum_finish(&t->acc, false) and the banner's missing counts
 * from acc.bm_n, bm_w. A scale row variable's values and medians come from
 * sd__scale_values with pc->wt the groups' sums of w and pc->in their
 * cnt > 0. */
sd_status sd__pass_groups(sd_wtable *t, const sd_passctx *pc, const sd_rowdim *rd,
                          const sd_colmap *cm, uint32_t *cols, const sd_groups *g, bool glm,
                          sd_error *err);

/* ---- names (names.c) */

typedef struct sd_names {
    char **v; /* owned */
    size_t n, cap;
} sd_names;

void sd__names_free(sd_names *n);
/* Append to *out the names one entry stands for: itself, `A TO B` (file
 * order), or a wildcard pattern; sets too when `sets_too`. `noun` names
 * what is expected in messages ("variable or set", "banner variable"). */
sd_status sd__expand_names(const sd_dataset *ds, const char *entry, bool sets_too,
                           const char *noun, sd_names *out, sd_error *err);
/* An unknown name: SD_E_NOT_FOUND with the nearest name as a suggestion. */
sd_status sd__unknown_name(const sd_dataset *ds, const char *name, const char *what,
                           bool sets_too, const char *prefix, sd_error *err);

/* ---- filters (filter_eval.c) */

/* The rows every filter keeps (1) or not (0), or *mask NULL when n is 0.
 * texts[k] is filters[k] as written, for messages. */
sd_status sd__filter_mask(const sd_dataset *ds, sd_fnode *const *filters, char *const *texts,
                          size_t n, uint8_t **mask, sd_error *err);

#endif
