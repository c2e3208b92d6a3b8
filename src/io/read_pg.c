/*
 * read_pg.c — a PostgreSQL table as a dataset whose rows stay in the
 * database (pg.h): the table's columns become variables (in column order,
 * typed by the codebook where it declares them, else numeric for the
 * numeric and boolean column types and string for the rest), the codebook
 * comes from --codebook or from the table `sondage_codebook (tbl,
 * codebook)` that `sondage convert … -o postgresql://…` writes, and each
 * variable's measure is decided by the measurement rule on its smallest
 * distinct valid values (a query per variable whose measure the codebook
 * leaves open). Tabulations go to the database (src/db/); for anything
 * else the rows can be read in (sd__pg_fetch_rows, COPY … TO STDOUT).
 */
#include "pg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Column type oids of the built-in numeric types (pg_type.h). */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700
};

static bool numeric_oid(Oid t)
{
    return t == OID_INT8 || t == OID_INT2 || t == OID_INT4 || t == OID_OID ||
           t == OID_FLOAT4 || t == OID_FLOAT8 || t == OID_NUMERIC || t == OID_BOOL;
}

static void src_free(sd_remote *r)
{
    sd_pgsrc *s = (sd_pgsrc *)r;
    if (!s)
        return;
    if (s->conn)
        PQfinish(s->conn);
    sd__free(s->display);
    sd__free(s->table);
    sd__free(s->qtable);
    for (size_t i = 0; i < s->nexpr; i++)
        sd__free(s->expr[i]);
    sd__free(s->expr);
    sd__free(s);
}

/* One-row, one-column query with text parameters; *val owned (NULL for a
 * NULL value or no row). */
static sd_status query_one(sd_pgsrc *s, const char *sql, int np, const char *const *params,
                           const char *what, char **val, sd_error *err)
{
    *val = NULL;
    PGresult *r = PQexecParams(s->conn, sql, np, NULL, params, NULL, NULL, 0);
    if (!r)
        return sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        sd_status st = sd__pg_fail(s->conn, r, s->display, what, err);
        PQclear(r);
        return st;
    }
    sd_status st = SD_OK;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) && !(*val = sd__strdup(PQgetvalue(r, 0, 0))))
        st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    PQclear(r);
    return st;
}

static sd_status has_codebook_table(sd_pgsrc *s, bool *yes, sd_error *err)
{
    char *v = NULL;
    sd_status st = query_one(s, "SELECT to_regclass('sondage_codebook') IS NOT NULL", 0, NULL,
                             "cannot read the schema", &v, err);
    *yes = st == SD_OK && v && strcmp(v, "t") == 0;
    sd__free(v);
    return st;
}

/* Without a table named: the one sondage_codebook describes. */
static sd_status default_table(sd_pgsrc *s, char **table, sd_error *err)
{
    bool cbt;
    sd_status st = has_codebook_table(s, &cbt, err);
    if (st != SD_OK)
        return st;
    if (!cbt)
        return sd__fail(err, SD_E_INVALID, s->display, 0, 0, NULL,
                        "which table? expected --table NAME or ?table=NAME in the URI (the "
                        "database has no sondage_codebook to say)");
    PGresult *r = PQexec(s->conn, "SELECT tbl FROM sondage_codebook ORDER BY tbl LIMIT 2");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        st = r ? sd__pg_fail(s->conn, r, s->display, "cannot read sondage_codebook", err)
               : sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
        PQclear(r);
        return st;
    }
    int n = PQntuples(r);
    if (n == 1 && !PQgetisnull(r, 0, 0)) {
        *table = sd__strdup(PQgetvalue(r, 0, 0));
        st = *table ? SD_OK : sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    } else {
        st = sd__fail(err, SD_E_INVALID, s->display, 0, 0, NULL,
                      "which table? expected --table NAME or ?table=NAME in the URI "
                      "(sondage_codebook describes %s)",
                      n == 0 ? "none" : "several");
    }
    PQclear(r);
    return st;
}

/* The codebook the database keeps for the table, parsed (NULL when none). */
static sd_status stored_codebook(sd_pgsrc *s, sd_codebook **cb, sd_error *err)
{
    *cb = NULL;
    bool cbt;
    sd_status st = has_codebook_table(s, &cbt, err);
    if (st != SD_OK || !cbt)
        return st;
    const char *params[1] = {s->table};
    char *yaml = NULL;
    st = query_one(s, "SELECT codebook FROM sondage_codebook WHERE tbl = $1", 1, params,
                   "cannot read sondage_codebook", &yaml, err);
    if (st != SD_OK || !yaml)
        return st;
    size_t n = strlen(s->display) + sizeof ":sondage_codebook";
    char *name = sd__malloc(n);
    if (!name)
        st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    else {
        snprintf(name, n, "%s:sondage_codebook", s->display);
        st = sd__codebook_parse(yaml, strlen(yaml), name, cb, err);
        sd__free(name);
    }
    sd__free(yaml);
    return st;
}

/* The variables: one per column, with the expression that reads it. */
static sd_status make_vars(sd_pgsrc *s, const sd_codebook *cb, sd_dataset *ds, sd_error *err)
{
    sd_strbuf sql;
    sd__sb_init(&sql, 1 << 16);
    sd__sb_printf(&sql, "SELECT * FROM %s LIMIT 0", s->qtable);
    if (sd__sb_status(&sql) != SD_OK) {
        sd__sb_free(&sql);
        return sd__fail(err, SD_E_TOO_LARGE, s->display, 0, 0, NULL, "table name too long");
    }
    PGresult *r = PQexec(s->conn, sd__sb_str(&sql));
    sd__sb_free(&sql);
    if (!r)
        return sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        sd_status st = state && strcmp(state, "42P01") == 0
                           ? sd__fail(err, SD_E_NOT_FOUND, s->display, 0, 0, NULL,
                                      "no table '%s' in the database", s->table)
                           : sd__pg_fail(s->conn, r, s->display, "cannot read the table", err);
        PQclear(r);
        return st;
    }
    int nf = PQnfields(r);
    sd_status st = SD_OK;
    if ((size_t)nf > SD_MAX_VARS)
        st = sd__fail(err, SD_E_TOO_LARGE, s->display, 0, 0, NULL, "more than %zu columns",
                      SD_MAX_VARS);
    if (st == SD_OK && !(s->expr = sd__zalloc((size_t)nf, sizeof *s->expr)))
        st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    for (int j = 0; st == SD_OK && j < nf; j++) {
        const char *name = PQfname(r, j);
        Oid oid = PQftype(r, j);
        bool num_col = numeric_oid(oid);
        sd_type type = num_col ? SD_TYPE_NUMERIC : SD_TYPE_STRING;
        sd_type declared;
        bool has_decl = cb && sd__codebook_var_type(cb, name, &declared);
        if (has_decl && declared == SD_TYPE_STRING && num_col) {
            st = sd__fail(err, SD_E_CONFLICT, s->display, 0, 0, name,
                          "column '%s' is numeric in the database but the codebook declares it "
                          "a string: expected a text column or a numeric variable",
                          name);
            break;
        }
        if (has_decl)
            type = declared;
        sd_var *v;
        if ((st = sd__dataset_add_var(ds, name, type, &v, err)) != SD_OK)
            break;
        if (type == SD_TYPE_NUMERIC)
            v->decimals = 0;
        char *q = sd__pg_quote_ident(s->conn, name);
        if (!q) {
            st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
            break;
        }
        sd_strbuf e;
        sd__sb_init(&e, 1 << 16);
        if (type == SD_TYPE_STRING)
            sd__sb_printf(&e, "%s::text", q);
        else if (oid == OID_BOOL)
            sd__sb_printf(&e, "%s::int::float8", q);
        else if (num_col)
            sd__sb_printf(&e, "%s::float8", q);
        else /* a text column the codebook declares numeric */
            sd__sb_printf(&e, "CAST(NULLIF(%s::text, '') AS float8)", q);
        sd__free(q);
        if (sd__sb_status(&e) != SD_OK || !(s->expr[j] = sd__sb_take(&e))) {
            sd__sb_free(&e);
            st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
            break;
        }
        s->nexpr = (size_t)j + 1;
    }
    PQclear(r);
    return st;
}

/* The measurement rule (data/measure.c) on the smallest distinct valid
 * values of each numeric variable whose measure the codebook leaves open. */
static sd_status measures(sd_pgsrc *s, sd_dataset *ds, sd_error *err)
{
    sd_status st = SD_OK;
    for (size_t i = 0; i < ds->nvars && st == SD_OK; i++) {
        sd_var *v = ds->vars[i];
        if (!sd__var_measure_needs_values(v)) {
            sd__var_apply_measure(v, NULL, 0);
            continue;
        }
        sd_strbuf sql;
        sd_pgparams p;
        sd__sb_init(&sql, 1 << 20);
        sd__pgp_init(&p);
        sd__sb_printf(&sql, "SELECT DISTINCT e FROM (SELECT %s AS e FROM %s) s WHERE NOT ",
                      s->expr[i], s->qtable);
        sd__pg_missing_cond(&sql, &p, v, "e");
        sd__sb_puts(&sql, " ORDER BY 1 LIMIT 25");
        PGresult *r = NULL;
        if (sd__sb_status(&sql) != SD_OK || sd__pgp_status(&p) != SD_OK)
            st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
        else if (!(r = PQexecParams(s->conn, sd__sb_str(&sql), (int)p.n, NULL,
                                    (const char *const *)p.v, NULL, NULL, 1)))
            st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
        else if (PQresultStatus(r) != PGRES_TUPLES_OK)
            st = sd__pg_fail(s->conn, r, s->display, "cannot read the values of a column", err);
        if (st == SD_OK) {
            double vals[25];
            size_t n = 0;
            for (int k = 0; k < PQntuples(r) && n < 25; k++)
                vals[n++] = sd__pg_float8(PQgetvalue(r, k, 0));
            sd__var_apply_measure(v, vals, n);
        }
        PQclear(r);
        sd__sb_free(&sql);
        sd__pgp_free(&p);
    }
    return st;
}

sd_status sd__read_pg(const char *uri, const char *table, const sd_codebook *cb,
                      sd_dataset **out, sd_error *err)
{
    *out = NULL;
    sd_pguri u;
    sd_status st = sd__pg_uri_parse(uri, table, &u, err);
    if (st != SD_OK)
        return st;
    sd_pgsrc *s = sd__calloc(1, sizeof *s);
    if (!s) {
        sd__pg_uri_free(&u);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    s->base.free = src_free;
    s->base.kind = "PostgreSQL";
    s->display = u.display;
    s->table = u.table;
    u.display = u.table = NULL;
    st = sd__pg_connect(&u, &s->conn, err);
    sd__pg_uri_free(&u);
    if (st == SD_OK && !s->table && (st = default_table(s, &s->table, err)) == SD_OK) {
        /* The name for messages gains the table sondage_codebook gave. */
        size_t n = strlen(s->display) + strlen(s->table) + 8;
        char *d = sd__malloc(n);
        if (!d)
            st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        else {
            snprintf(d, n, "%s%ctable=%s", s->display, strchr(s->display, '?') ? '&' : '?',
                     s->table);
            sd__free(s->display);
            s->display = d;
        }
    }
    if (st == SD_OK && !(s->qtable = sd__pg_quote_table(s->conn, s->table)))
        st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    sd_codebook *stored = NULL;
    if (st == SD_OK && !cb)
        st = stored_codebook(s, &stored, err);
    sd_dataset *ds = NULL;
    if (st == SD_OK && !(ds = sd__dataset_new(s->display)))
        st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    if (st == SD_OK)
        st = make_vars(s, cb ? cb : stored, ds, err);
    if (st == SD_OK) {
        sd_strbuf sql;
        sd__sb_init(&sql, 1 << 16);
        sd__sb_printf(&sql, "SELECT count(*) FROM %s", s->qtable);
        char *v = NULL;
        st = sd__sb_status(&sql) != SD_OK
                 ? sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory")
                 : query_one(s, sd__sb_str(&sql), 0, NULL, "cannot count the rows", &v, err);
        unsigned long n = 0;
        if (st == SD_OK && (!v || !sd__parse_ulong(v, strlen(v), (unsigned long)-1, &n)))
            st = sd__fail(err, SD_E_IO, s->display, 0, 0, NULL, "cannot count the rows");
        s->base.nrows = (size_t)n;
        sd__free(v);
        sd__sb_free(&sql);
    }
    /* Codebook first, then the rule (as open.c does for files). */
    if (st == SD_OK && (cb || stored))
        st = sd__codebook_apply(cb ? cb : stored, ds, err);
    if (st == SD_OK)
        st = measures(s, ds, err);
    sd__codebook_free(stored);
    if (st != SD_OK) {
        sd_dataset_free(ds);
        src_free(&s->base);
        return st;
    }
    ds->remote = &s->base;
    *out = ds;
    return SD_OK;
}

/* ---- the rows, read in */

/* One field of COPY's text format, unescaped into buf; false for \N. */
static bool copy_field(const char *p, size_t n, sd_strbuf *buf)
{
    buf->len = 0;
    if (n == 2 && p[0] == '\\' && p[1] == 'N')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c != '\\' || i + 1 >= n) {
            sd__sb_putc(buf, c);
            continue;
        }
        c = p[++i];
        switch (c) {
        case 'b': sd__sb_putc(buf, '\b'); break;
        case 'f': sd__sb_putc(buf, '\f'); break;
        case 'n': sd__sb_putc(buf, '\n'); break;
        case 'r': sd__sb_putc(buf, '\r'); break;
        case 't': sd__sb_putc(buf, '\t'); break;
        case 'v': sd__sb_putc(buf, '\v'); break;
        default: sd__sb_putc(buf, c); break; /* \\ and the rest */
        }
    }
    sd__sb_putc(buf, '\0');
    buf->len--;
    return true;
}

sd_status sd__pg_fetch_rows(const sd_dataset *rds, sd_dataset **out, sd_error *err)
{
    *out = NULL;
    sd_pgsrc *s = (sd_pgsrc *)rds->remote;
    sd_dataset *ds = NULL;
    sd_status st = sd__dataset_copy_meta(rds, &ds, err);
    if (st != SD_OK)
        return st;
    sd_strbuf sql;
    sd__sb_init(&sql, (size_t)1 << 26);
    sd__sb_puts(&sql, "COPY (SELECT ");
    for (size_t j = 0; j < s->nexpr; j++)
        sd__sb_printf(&sql, "%s%s", j ? ", " : "", s->expr[j]);
    sd__sb_printf(&sql, " FROM %s) TO STDOUT", s->qtable);
    PGresult *r = NULL;
    if (st == SD_OK && (sd__sb_status(&sql) != SD_OK || !(r = PQexec(s->conn, sd__sb_str(&sql)))))
        st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    if (st == SD_OK && PQresultStatus(r) != PGRES_COPY_OUT)
        st = sd__pg_fail(s->conn, r, s->display, "cannot read the rows", err);
    PQclear(r);
    sd__sb_free(&sql);
    sd_strbuf f;
    sd__sb_init(&f, SD_MAX_FIELD);
    size_t row = 0;
    int n = 0;
    char *line = NULL;
    while (st == SD_OK && (n = PQgetCopyData(s->conn, &line, 0)) > 0) {
        if (row >= SD_MAX_ROWS || !sd__dataset_reserve_rows(ds, row + 1)) {
            st = row >= SD_MAX_ROWS ? sd__fail(err, SD_E_TOO_LARGE, s->display, 0, 0, NULL,
                                               "more than %zu rows", SD_MAX_ROWS)
                                    : sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL,
                                               "out of memory");
            break;
        }
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n')
            len--;
        const char *p = line;
        for (size_t j = 0; j < ds->nvars && st == SD_OK; j++) {
            size_t k = 0;
            while (p + k < line + len && p[k] != '\t')
                k++;
            sd_var *v = ds->vars[j];
            if (copy_field(p, k, &f)) {
                if (sd__sb_status(&f) != SD_OK)
                    st = sd__fail(err, SD_E_TOO_LARGE, s->display, (long)row + 1, 0, v->name,
                                  "row %zu of '%s': a value longer than 16 MiB", row + 1,
                                  v->name);
                else if (v->type == SD_TYPE_NUMERIC) {
                    double x;
                    const char *t = sd__sb_str(&f);
                    if (strcmp(t, "Infinity") == 0 || strcmp(t, "-Infinity") == 0)
                        x = t[0] == '-' ? -INFINITY : INFINITY;
                    else if (strcmp(t, "NaN") == 0)
                        x = NAN;
                    else if (!sd__parse_double(t, f.len, false, &x))
                        st = sd__fail(err, SD_E_TYPE, s->display, (long)row + 1, 0, v->name,
                                      "row %zu of '%s': '%.40s' is not a number", row + 1,
                                      v->name, t);
                    if (st == SD_OK && !isnan(x)) {
                        v->num[row] = x;
                        v->sysmis[row] = 0;
                    }
                } else if (sd__utf8_valid_prefix(sd__sb_str(&f), f.len) != f.len) {
                    st = sd__fail(err, SD_E_ENCODING, s->display, (long)row + 1, 0, v->name,
                                  "row %zu of '%s': the text is not valid UTF-8", row + 1,
                                  v->name);
                } else if (!sd__var_intern(v, sd__sb_str(&f), f.len, &v->str[row])) {
                    st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
                } else {
                    v->sysmis[row] = 0;
                }
            }
            p += k + (p + k < line + len);
        }
        PQfreemem(line);
        line = NULL;
        row++;
    }
    sd__sb_free(&f);
    if (st == SD_OK && n == -2)
        st = sd__pg_fail(s->conn, NULL, s->display, "cannot read the rows", err);
    if (st != SD_OK && n > 0) {
        /* Stopped early: drain the copy so the connection stays usable. */
        while ((n = PQgetCopyData(s->conn, &line, 0)) > 0)
            PQfreemem(line);
    }
    while ((r = PQgetResult(s->conn))) {
        if (st == SD_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = sd__pg_fail(s->conn, r, s->display, "cannot read the rows", err);
        PQclear(r);
    }
    if (st == SD_OK) {
        ds->nrows = row;
        for (size_t j = 0; j < ds->nvars && st == SD_OK; j++)
            if (ds->vars[j]->type == SD_TYPE_STRING && !sd__var_finish_levels(ds->vars[j], row))
                st = sd__fail(err, SD_E_NOMEM, s->display, 0, 0, NULL, "out of memory");
    }
    if (st != SD_OK) {
        sd_dataset_free(ds);
        return st;
    }
    *out = ds;
    return SD_OK;
}
