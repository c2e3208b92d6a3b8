/*
 * sql_filter.c — a --filter expression (spec/filter.c) as an SQL boolean
 * over the table's columns, every value a bound parameter. The logic is
 * filter_eval.c's, three-valued: a comparison on a missing value (NULL, or
 * one of the variable's user-missing codes) is NULL, which SQL's AND, OR
 * and NOT carry exactly as filter_eval.c does (false wins an and, true an
 * or, not keeps unknown); missing(VAR) is never NULL; a row is in when the
 * whole is TRUE (FILTER (WHERE …) keeps only TRUE). Strings compare by
 * bytes (COLLATE "C"), as strcmp does; a quoted value on a numeric
 * variable is the code its value label names. The expression was checked
 * against the codebook before (the plan on the codebook alone, tabulate_db.c),
 * so the errors here are the few the SQL side adds.
 */
#include "db.h"
#include "dbint.h"

#include <string.h>

static const char *op_sql(sd_fcmp op)
{
    switch (op) {
    case SD_FC_EQ: return "=";
    case SD_FC_NE: return "<>";
    case SD_FC_LT: return "<";
    case SD_FC_LE: return "<=";
    case SD_FC_GT: return ">";
    case SD_FC_GE: return ">=";
    }
    return "=";
}

/* filter_eval.c's code_of: the number, or the code a label names. */
static bool code_of(const sd_var *v, const sd_fval *val, double *code)
{
    if (!val->is_str) {
        *code = val->num;
        return true;
    }
    for (size_t i = 0; i < v->nvl; i++) {
        if (v->vl[i].str)
            continue;
        for (size_t k = 0; k < v->vl[i].labels.n; k++)
            if (strcmp(v->vl[i].labels.v[k].text, val->str) == 0) {
                *code = v->vl[i].code;
                return true;
            }
    }
    return false;
}

static sd_status leaf(const sd_dataset *ds, const sd_pgsrc *src, const sd_fnode *n,
                      sd_strbuf *sql, sd_pgparams *p, sd_error *err)
{
    long vi = sd__dataset_var_index(ds, n->var);
    if (vi < 0)
        return sd__fail(err, SD_E_NOT_FOUND, ds->source, 0, 0, n->var,
                        "--filter: unknown variable '%s'", n->var);
    const sd_var *v = ds->vars[vi];
    const char *e = src->expr[vi];
    if (n->kind == SD_F_MISSING) {
        sd__pg_missing_cond(sql, p, v, e);
        return SD_OK;
    }
    bool num = v->type == SD_TYPE_NUMERIC;
    sd__sb_puts(sql, "(CASE WHEN ");
    sd__pg_missing_cond(sql, p, v, e);
    sd__sb_puts(sql, " THEN NULL ELSE ");
    if (n->kind == SD_F_IN) {
        if (num) {
            double *codes = sd__zalloc(n->nvals, sizeof *codes);
            if (!codes)
                return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
            for (size_t k = 0; k < n->nvals; k++)
                if (!code_of(v, &n->vals[k], &codes[k])) {
                    sd__free(codes);
                    return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                                    "--filter: '%s' has no value label \"%s\"", v->name,
                                    n->vals[k].str);
                }
            sd__sb_printf(sql, "%s = ANY($%d::float8[])", e,
                          sd__pgp_num_array(p, codes, n->nvals));
            sd__free(codes);
        } else {
            char **s = sd__zalloc(n->nvals, sizeof *s);
            if (!s)
                return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
            for (size_t k = 0; k < n->nvals; k++)
                s[k] = n->vals[k].str;
            sd__sb_printf(sql, "%s = ANY($%d::text[])", e, sd__pgp_text_array(p, s, n->nvals));
            sd__free(s);
        }
    } else if (num) {
        double code;
        if (!code_of(v, &n->vals[0], &code))
            return sd__fail(err, SD_E_INVALID, ds->source, 0, 0, v->name,
                            "--filter: '%s' has no value label \"%s\"", v->name,
                            n->vals[0].str);
        sd__sb_printf(sql, "%s %s $%d::float8", e, op_sql(n->cmp), sd__pgp_num(p, code));
    } else {
        sd__sb_printf(sql, "%s COLLATE \"C\" %s $%d::text COLLATE \"C\"", e, op_sql(n->cmp),
                      sd__pgp_add(p, n->vals[0].str ? n->vals[0].str : ""));
    }
    sd__sb_puts(sql, " END)");
    return SD_OK;
}

sd_status sd__db_filter_sql(const sd_dataset *ds, const sd_pgsrc *src, const sd_fnode *n,
                            sd_strbuf *sql, sd_pgparams *p, sd_error *err)
{
    sd_status st;
    switch (n->kind) {
    case SD_F_CMP:
    case SD_F_IN:
    case SD_F_MISSING: return leaf(ds, src, n, sql, p, err);
    case SD_F_NOT:
        sd__sb_puts(sql, "(NOT ");
        st = sd__db_filter_sql(ds, src, n->a, sql, p, err);
        sd__sb_putc(sql, ')');
        return st;
    case SD_F_AND:
    case SD_F_OR:
        sd__sb_putc(sql, '(');
        if ((st = sd__db_filter_sql(ds, src, n->a, sql, p, err)) != SD_OK)
            return st;
        sd__sb_puts(sql, n->kind == SD_F_AND ? " AND " : " OR ");
        st = sd__db_filter_sql(ds, src, n->b, sql, p, err);
        sd__sb_putc(sql, ')');
        return st;
    }
    return SD_E_INTERNAL;
}
