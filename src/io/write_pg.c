/*
 * write_pg.c — a dataset loaded into a PostgreSQL table (pg.h): CREATE
 * TABLE with a column per variable (smallint or integer for whole-number
 * columns in their range, double precision for other numbers, text for
 * strings), the rows through COPY … FROM STDIN (text format), and the
 * codebook (YAML, every label in every language) in the table
 * `sondage_codebook (tbl, codebook)`, all in one transaction: a failure
 * leaves the database as it was. An existing table is replaced only when
 * asked (in the same transaction).
 */
#include "pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wctx {
    PGconn *c;
    const char *display;
    sd_error *err;
} wctx;

static sd_status nomem(wctx *w)
{
    return sd__fail(w->err, SD_E_NOMEM, w->display, 0, 0, NULL, "out of memory");
}

/* The narrowest column type that holds every value of v exactly. */
static const char *column_type(const sd_dataset *ds, const sd_var *v)
{
    if (v->type == SD_TYPE_STRING)
        return "text";
    double lo = 0, hi = 0;
    for (size_t r = 0; r < ds->nrows; r++) {
        if (v->sysmis[r])
            continue;
        double x = v->num[r];
        if (!isfinite(x) || x != floor(x) || (x == 0 && signbit(x)))
            return "double precision";
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    if (lo >= -32767 && hi <= 32767)
        return "smallint";
    if (lo >= -2147483647.0 && hi <= 2147483647.0)
        return "integer";
    return "double precision";
}

/* A value in COPY's text format: \N for none, backslash escapes. */
static void copy_value(sd_strbuf *sb, const sd_var *v, size_t r)
{
    if (v->sysmis[r]) {
        sd__sb_puts(sb, "\\N");
        return;
    }
    if (v->type == SD_TYPE_NUMERIC) {
        double x = v->num[r];
        if (isnan(x))
            sd__sb_puts(sb, "\\N");
        else if (isinf(x))
            sd__sb_puts(sb, x > 0 ? "Infinity" : "-Infinity");
        else
            sd__sb_num(sb, x);
        return;
    }
    for (const char *p = v->levels[v->str[r]]; *p; p++) {
        switch (*p) {
        case '\\': sd__sb_puts(sb, "\\\\"); break;
        case '\t': sd__sb_puts(sb, "\\t"); break;
        case '\n': sd__sb_puts(sb, "\\n"); break;
        case '\r': sd__sb_puts(sb, "\\r"); break;
        default: sd__sb_putc(sb, *p); break;
        }
    }
}

static sd_status put_copy(wctx *w, sd_strbuf *sb)
{
    if (sd__sb_status(sb) != SD_OK)
        return nomem(w);
    if (sb->len && PQputCopyData(w->c, sb->s, (int)sb->len) != 1)
        return sd__pg_fail(w->c, NULL, w->display, "cannot load the rows", w->err);
    sb->len = 0;
    if (sb->s)
        sb->s[0] = '\0';
    return SD_OK;
}

static sd_status load_rows(wctx *w, const sd_dataset *ds, const char *qtable)
{
    sd_strbuf sql;
    sd__sb_init(&sql, 1 << 16);
    sd__sb_printf(&sql, "COPY %s FROM STDIN", qtable);
    PGresult *r = sd__sb_status(&sql) == SD_OK ? PQexec(w->c, sd__sb_str(&sql)) : NULL;
    sd__sb_free(&sql);
    if (!r)
        return nomem(w);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        sd_status st = sd__pg_fail(w->c, r, w->display, "cannot load the rows", w->err);
        PQclear(r);
        return st;
    }
    PQclear(r);
    sd_strbuf buf;
    sd__sb_init(&buf, (size_t)1 << 30);
    sd_status st = SD_OK;
    for (size_t row = 0; row < ds->nrows && st == SD_OK; row++) {
        for (size_t j = 0; j < ds->nvars; j++) {
            if (j)
                sd__sb_putc(&buf, '\t');
            copy_value(&buf, ds->vars[j], row);
        }
        sd__sb_putc(&buf, '\n');
        if (buf.len >= (1 << 20))
            st = put_copy(w, &buf);
    }
    if (st == SD_OK)
        st = put_copy(w, &buf);
    sd__sb_free(&buf);
    if (PQputCopyEnd(w->c, st == SD_OK ? NULL : "sondage stopped") != 1 && st == SD_OK)
        st = sd__pg_fail(w->c, NULL, w->display, "cannot load the rows", w->err);
    while ((r = PQgetResult(w->c))) {
        if (st == SD_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = sd__pg_fail(w->c, r, w->display, "cannot load the rows", w->err);
        PQclear(r);
    }
    return st;
}

static sd_status save_codebook(wctx *w, const sd_dataset *ds, const char *table)
{
    char *yaml = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&yaml, &len);
    if (!fp)
        return nomem(w);
    sd_status st = sd__codebook_write(ds, fp, w->display, w->err);
    if (fclose(fp) != 0 && st == SD_OK)
        st = nomem(w);
    if (st == SD_OK)
        st = sd__pg_exec(w->c,
                         "CREATE TABLE IF NOT EXISTS sondage_codebook (tbl text PRIMARY KEY, "
                         "codebook text NOT NULL)",
                         w->display, "cannot create sondage_codebook", w->err);
    if (st == SD_OK) {
        const char *params[2] = {table, yaml ? yaml : ""};
        PGresult *r = PQexecParams(w->c,
                                   "INSERT INTO sondage_codebook (tbl, codebook) VALUES ($1, $2) "
                                   "ON CONFLICT (tbl) DO UPDATE SET codebook = EXCLUDED.codebook",
                                   2, NULL, params, NULL, NULL, 0);
        if (!r)
            st = nomem(w);
        else if (PQresultStatus(r) != PGRES_COMMAND_OK)
            st = sd__pg_fail(w->c, r, w->display, "cannot record the codebook", w->err);
        PQclear(r);
    }
    free(yaml); /* open_memstream's buffer: the C library's allocator */
    return st;
}

sd_status sd__write_pg(const sd_dataset *ds, const char *uri, const char *table, bool replace,
                       sd_error *err)
{
    sd_pguri u;
    sd_status st = sd__pg_uri_parse(uri, table, &u, err);
    if (st != SD_OK)
        return st;
    if (!u.table) {
        st = sd__fail(err, SD_E_INVALID, u.display, 0, 0, NULL,
                      "which table? expected --table NAME or ?table=NAME in the URI");
        sd__pg_uri_free(&u);
        return st;
    }
    wctx w = {NULL, u.display, err};
    st = sd__pg_connect(&u, &w.c, err);
    char *qtable = NULL;
    if (st == SD_OK && !(qtable = sd__pg_quote_table(w.c, u.table)))
        st = nomem(&w);
    if (st == SD_OK)
        st = sd__pg_exec(w.c, "BEGIN", u.display, "cannot start a transaction", err);
    if (st == SD_OK) {
        const char *params[1] = {qtable};
        PGresult *r = PQexecParams(w.c, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, params,
                                   NULL, NULL, 0);
        if (!r)
            st = nomem(&w);
        else if (PQresultStatus(r) != PGRES_TUPLES_OK)
            st = sd__pg_fail(w.c, r, u.display, "cannot read the schema", err);
        else if (strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
            if (!replace)
                st = sd__fail(err, SD_E_INVALID, u.display, 0, 0, NULL,
                              "table '%s' exists: expected a new table name, or --replace to "
                              "replace it",
                              u.table);
            else {
                sd_strbuf sql;
                sd__sb_init(&sql, 1 << 16);
                sd__sb_printf(&sql, "DROP TABLE %s", qtable);
                st = sd__sb_status(&sql) != SD_OK
                         ? nomem(&w)
                         : sd__pg_exec(w.c, sd__sb_str(&sql), u.display, "cannot replace the table",
                                       err);
                sd__sb_free(&sql);
            }
        }
        PQclear(r);
    }
    if (st == SD_OK) {
        sd_strbuf sql;
        sd__sb_init(&sql, (size_t)1 << 26);
        sd__sb_printf(&sql, "CREATE TABLE %s (", qtable);
        for (size_t j = 0; j < ds->nvars && st == SD_OK; j++) {
            char *q = sd__pg_quote_ident(w.c, ds->vars[j]->name);
            if (!q) {
                st = nomem(&w);
                break;
            }
            sd__sb_printf(&sql, "%s%s %s", j ? ", " : "", q, column_type(ds, ds->vars[j]));
            sd__free(q);
        }
        sd__sb_putc(&sql, ')');
        if (st == SD_OK)
            st = sd__sb_status(&sql) != SD_OK
                     ? nomem(&w)
                     : sd__pg_exec(w.c, sd__sb_str(&sql), u.display, "cannot create the table",
                                   err);
        sd__sb_free(&sql);
    }
    if (st == SD_OK)
        st = load_rows(&w, ds, qtable);
    if (st == SD_OK)
        st = save_codebook(&w, ds, u.table);
    if (st == SD_OK)
        st = sd__pg_exec(w.c, "COMMIT", u.display, "cannot commit", err);
    if (w.c)
        PQfinish(w.c); /* without COMMIT: rolled back */
    sd__free(qtable);
    sd__pg_uri_free(&u);
    return st;
}
