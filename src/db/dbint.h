/*
 * dbint.h — the db layer's private parts: statements run with bound
 * parameters and their rows streamed back in binary form (query.c), the
 * filter as SQL (sql_filter.c), and the survey design resolved from the
 * database's distinct design keys (design_db.c).
 */
#ifndef SD_DBINT_H
#define SD_DBINT_H

#include "../engine/plan.h"
#include "../io/pg.h"

/* ---- statements (query.c) */

/* A statement prepared with its parameters and run in single-row mode:
 * rows come one at a time (binary format), so a result of any size is
 * never held whole. */
typedef struct sd_dbq {
    sd_pgsrc *src;
    PGresult *row; /* the current row, or NULL */
    bool done;
} sd_dbq;

sd_status sd__dbq_start(sd_dbq *q, sd_pgsrc *src, const char *sql, const sd_pgparams *p,
                        const char *what, sd_error *err);
/* The next row into q->row: true, or false at the end or on an error
 * (then *st holds it). */
bool sd__dbq_next(sd_dbq *q, sd_status *st, const char *what, sd_error *err);
/* Drain and release what remains. */
void sd__dbq_end(sd_dbq *q);

/* ---- filters (sql_filter.c) */

/* Append filter n as an SQL boolean over src's column expressions. */
sd_status sd__db_filter_sql(const sd_dataset *ds, const sd_pgsrc *src, const sd_fnode *n,
                            sd_strbuf *sql, sd_pgparams *p, sd_error *err);

/* ---- the design (design_db.c) */

/* A survey design resolved against a table: the design's strata, units,
 * population sizes and replicate patterns, numbered as design.c numbers
 * them, over the table's distinct design keys ("key rows": the per-row
 * arrays of `d` are per key row). Every query of the request groups by the
 * same key expressions; a group's key row is found from its key bytes. */
typedef struct sd_dbdesign {
    sd_design d;
    sd_designspec spec;  /* the request's design, completed by the codebook (owned) */
    char **keyexpr;      /* SQL expressions grouped by (owned) */
    size_t nkeys;
    bool *keytext;       /* per key: text (else float8) */
    size_t nkrows;       /* key rows */
    sd_hindex hidx;      /* key bytes -> an entry of kbytes */
    char *kbytes;        /* key bytes of each distinct key met, concatenated */
    size_t *koff;        /* per entry: start in kbytes (nentries + 1) */
    int32_t *krow;       /* per entry: its key row, -1 for rows out of every design
                          * (a weight that leaves them out) */
    size_t nentries, kcap, ecap;
    char *wexpr;         /* the weight column's expression, NULL: none */
    bool w_key_rows;     /* the weight is the key row's (from the fpc) */
    char **repexpr;      /* replicate weight expressions (given replicates) */
    size_t nrep;
    sd_vmode vmode;      /* the sums the tables gather, as tabulate.c's var_mode */
    size_t vcount;
    const int32_t *vunit; /* SD_VMODE_UNITS: each key row's unit */
    double rows, rows_in, nw_blank, nw_negative, nw_zero;
} sd_dbdesign;

/* Resolve the request's design (its options over the codebook's) with one
 * GROUP BY over the design's columns, which also counts the rows and the
 * rows a weight leaves out. */
sd_status sd__db_design(sd_pgsrc *src, const sd_dataset *ds, const sd_tabspec *spec,
                        sd_dbdesign *out, sd_error *err);
void sd__db_design_free(sd_dbdesign *dd);
/* Append to sql the condition "the weight keeps the row" (TRUE without a
 * weight column): a number > 0 and finite, not missing. */
void sd__db_wvalid(const sd_dbdesign *dd, const sd_dataset *ds, sd_strbuf *sql,
                   sd_pgparams *p);
/* The key row of the current result row, whose first key column is col0:
 * its key row, -1 (rows the design leaves out), or -2 (a key the design's
 * query did not see: an internal error within one snapshot). */
int32_t sd__db_key_row(const sd_dbdesign *dd, const PGresult *r, int col0);

#endif /* SD_DBINT_H */
