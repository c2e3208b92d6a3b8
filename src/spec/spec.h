/*
 * spec.h — the spec layer: what a user asks for, parsed into plain structs
 * that know nothing of any data (the engine resolves them against a
 * dataset). Today: filter expressions (filter.c); the table spec file
 * (tabspec_yaml.c).
 */
#ifndef SD_SPEC_H
#define SD_SPEC_H

#include "../data/data.h"

/* ---- filter expressions (docs/tables.md, "Filters")
 *
 *   expr := or;  or := and ("or" and)*;  and := not ("and" not)*
 *   not  := "not" not | "(" expr ")" | "missing" "(" VAR ")"
 *         | VAR OP VALUE | VAR "in" "(" VALUE ("," VALUE)* ")"
 *   OP   := = == != <> < <= > >=;  VALUE := a number or a quoted string
 */
typedef enum sd_fkind {
    SD_F_AND = 0,
    SD_F_OR,
    SD_F_NOT,
    SD_F_CMP,     /* var op value */
    SD_F_IN,      /* var in (values) */
    SD_F_MISSING  /* missing(var): system- or user-missing */
} sd_fkind;

typedef enum sd_fcmp { SD_FC_EQ = 0, SD_FC_NE, SD_FC_LT, SD_FC_LE, SD_FC_GT, SD_FC_GE } sd_fcmp;

typedef struct sd_fval {
    bool is_str;
    double num;
    char *str; /* owned when is_str */
} sd_fval;

typedef struct sd_fnode {
    sd_fkind kind;
    struct sd_fnode *a, *b; /* operands of and/or; a for not (owned) */
    char *var;              /* owned: CMP, IN, MISSING */
    size_t at;              /* 1-based character of the variable, for messages */
    sd_fcmp cmp;
    sd_fval *vals;          /* owned: one for CMP, several for IN */
    size_t nvals;
} sd_fnode;

/* Parse an expression. A syntax error says at which character it failed
 * and what was expected; `origin` (may be NULL) names where the text came
 * from in messages ("--filter", or the spec file) and file/line/col the
 * spec file's position of the text (NULL/0 for the command line). */
sd_status sd__filter_parse(const char *text, const char *origin, const char *file, long line,
                           long col, sd_fnode **out, sd_error *err);
void sd__filter_free(sd_fnode *n);

/* ---- the table spec file (tabspec_yaml.c, docs/tables.md) */

/* One option as written: its command-line name, its value, where it is. */
typedef struct sd_topt {
    char *key, *value; /* owned */
    long line, col;    /* the value's position */
    long kline, kcol;  /* the key's */
} sd_topt;

typedef struct sd_tentry {
    sd_topt *opts;     /* owned, in the file's order */
    size_t n, cap;
    long line, col;    /* the entry's mapping */
} sd_tentry;

/* A report's section: its tables are tables[first, first + count). */
typedef struct sd_tsection {
    sd_labels title, text;
    size_t first, count;
} sd_tsection;

typedef struct sd_tabfile {
    char *file;        /* owned: the name used in messages */
    sd_labels title, intro, notes; /* a report spec's parts (empty otherwise) */
    sd_tentry defaults;
    sd_tentry *tables; /* owned, every section's, in order */
    size_t ntables;
    sd_tsection *sections; /* owned; a plain table spec has one untitled section */
    size_t nsections;
} sd_tabfile;

sd_status sd__tabfile_parse(const char *yaml, size_t len, const char *name, sd_tabfile **out,
                            sd_error *err);
void sd__tabfile_free(sd_tabfile *f);

#endif /* SD_SPEC_H */
