/*
 * read_sqlite.c — a table of a SQLite database as a dataset: the fieldwork
 * store (`sondage serve … --db FILE.sqlite`) or any table of rows.
 *
 * The table and its codebook: a table `sondage_codebook (tbl, codebook)`
 * names the data table and holds its YAML codebook (docs/codebook.md),
 * which is applied unless the caller gives one (--codebook). Without it the
 * database must hold exactly one table. Columns become variables in table
 * order, typed by the codebook where it declares them, else by the
 * column's declared type (TEXT, CHAR, CLOB: string; anything else numeric).
 * NULL is system-missing. Rows come in rowid order.
 *
 * The database is opened read-only and read in one transaction: a snapshot,
 * consistent even while a field server is writing (WAL mode lets readers
 * and the writer proceed together).
 */
#include "io.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

typedef struct rctx {
    sqlite3 *db;
    const char *path;
    sd_error *err;
} rctx;

static sd_status db_fail(rctx *r, const char *what)
{
    int code = sqlite3_errcode(r->db);
    sd_status st = code == SQLITE_NOMEM ? SD_E_NOMEM : code == SQLITE_CORRUPT ? SD_E_FORMAT : SD_E_IO;
    if (code == SQLITE_NOTADB)
        return sd__fail(r->err, SD_E_FORMAT, r->path, 0, 0, NULL,
                        "not a SQLite database (or an encrypted one)");
    return sd__fail(r->err, st, r->path, 0, 0, NULL, "%s: %s", what, sqlite3_errmsg(r->db));
}

static bool has_table(rctx *r, const char *name, sd_status *st)
{
    sqlite3_stmt *s;
    *st = SD_OK;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1,
                           &s, NULL) != SQLITE_OK) {
        *st = db_fail(r, "cannot read the schema");
        return false;
    }
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        *st = db_fail(r, "cannot read the schema");
        return false;
    }
    return rc == SQLITE_ROW;
}

/* The table to read and, when the database keeps one, its codebook. */
static sd_status find_table(rctx *r, char **table, char **yaml, size_t *ylen)
{
    sd_status st;
    *table = NULL;
    *yaml = NULL;
    *ylen = 0;
    sqlite3_stmt *s;
    if (has_table(r, "sondage_codebook", &st)) {
        if (sqlite3_prepare_v2(r->db, "SELECT tbl, codebook FROM sondage_codebook ORDER BY tbl",
                               -1, &s, NULL) != SQLITE_OK)
            return db_fail(r, "cannot read sondage_codebook");
        int rc, n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (++n > 1) {
                sqlite3_finalize(s);
                sd__free(*table);
                sd__free(*yaml);
                *table = *yaml = NULL;
                return sd__fail(r->err, SD_E_UNSUPPORTED, r->path, 0, 0, NULL,
                                "sondage_codebook describes several tables; sondage reads "
                                "databases whose sondage_codebook has one row");
            }
            const unsigned char *t = sqlite3_column_text(s, 0);
            const char *y = (const char *)sqlite3_column_blob(s, 1);
            int yl = sqlite3_column_bytes(s, 1);
            if (!t || !y) {
                sqlite3_finalize(s);
                return sd__fail(r->err, SD_E_FORMAT, r->path, 0, 0, NULL,
                                "sondage_codebook has an empty table name or codebook");
            }
            if (!(*table = sd__strdup((const char *)t)) || !(*yaml = sd__malloc((size_t)yl + 1))) {
                sqlite3_finalize(s);
                return sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
            }
            memcpy(*yaml, y, (size_t)yl);
            (*yaml)[yl] = '\0';
            *ylen = (size_t)yl;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return db_fail(r, "cannot read sondage_codebook");
        if (n == 1)
            return SD_OK;
    } else if (st != SD_OK) {
        return st;
    }
    /* No codebook table (or an empty one): the one table there is. */
    if (sqlite3_prepare_v2(r->db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                           "LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'sondage_codebook' ORDER BY name",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(r, "cannot read the schema");
    int rc, n = 0;
    char names[200] = "";
    size_t used = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (!t)
            continue;
        n++;
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", n > 1 ? ", " : "",
                                     t);
        if (n == 1 && !(*table = sd__strdup(t))) {
            sqlite3_finalize(s);
            return sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_fail(r, "cannot read the schema");
    if (n == 1)
        return SD_OK;
    sd__free(*table);
    *table = NULL;
    if (n == 0)
        return sd__fail(r->err, SD_E_EMPTY, r->path, 0, 0, NULL, "the database holds no table");
    return sd__fail(r->err, SD_E_UNSUPPORTED, r->path, 0, 0, NULL,
                    "the database holds several tables (%s) and no sondage_codebook saying "
                    "which to read",
                    names);
}

/* "name" with inner quotes doubled: an identifier in SQL text. */
static void quote_ident(sd_strbuf *sb, const char *name)
{
    sd__sb_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sd__sb_putc(sb, '"');
        sd__sb_putc(sb, *p);
    }
    sd__sb_putc(sb, '"');
}

static bool text_affinity(const char *decl)
{
    if (!decl)
        return false;
    /* SQLite's affinity rules (section 3.1 of its datatype page), INT first. */
    char up[64];
    size_t n = 0;
    for (; decl[n] && n + 1 < sizeof up; n++)
        up[n] = decl[n] >= 'a' && decl[n] <= 'z' ? (char)(decl[n] - 'a' + 'A') : decl[n];
    up[n] = '\0';
    if (strstr(up, "INT"))
        return false;
    return strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT");
}

static sd_status read_rows(rctx *r, const char *table, const sd_codebook *cb, sd_dataset **out)
{
    sd_strbuf sql;
    sd__sb_init(&sql, 1 << 16);
    sd__sb_puts(&sql, "SELECT * FROM ");
    quote_ident(&sql, table);
    size_t plain_len = sql.len;
    sd__sb_puts(&sql, " ORDER BY rowid");
    if (sd__sb_status(&sql) != SD_OK) {
        sd__sb_free(&sql);
        return sd__fail(r->err, SD_E_TOO_LARGE, r->path, 0, 0, NULL, "table name too long");
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(r->db, sd__sb_str(&sql), -1, &s, NULL) != SQLITE_OK) {
        /* A WITHOUT ROWID table: its primary key order is the scan order. */
        sql.s[plain_len] = '\0';
        if (sqlite3_prepare_v2(r->db, sd__sb_str(&sql), -1, &s, NULL) != SQLITE_OK) {
            sd__sb_free(&sql);
            return db_fail(r, "cannot read the table");
        }
    }
    sd__sb_free(&sql);
    int ncol = sqlite3_column_count(s);
    sd_dataset *ds = sd__dataset_new(r->path);
    sd_status st = ds ? SD_OK : sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
    if (st == SD_OK && (size_t)ncol > SD_MAX_VARS)
        st = sd__fail(r->err, SD_E_TOO_LARGE, r->path, 0, 0, NULL, "more than %zu columns",
                      SD_MAX_VARS);
    for (int j = 0; st == SD_OK && j < ncol; j++) {
        const char *name = sqlite3_column_name(s, j);
        if (!name) {
            st = sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
            break;
        }
        sd_type type;
        if (!cb || !sd__codebook_var_type(cb, name, &type))
            type = text_affinity(sqlite3_column_decltype(s, j)) ? SD_TYPE_STRING : SD_TYPE_NUMERIC;
        sd_var *v;
        st = sd__dataset_add_var(ds, name, type, &v, r->err);
        if (st == SD_OK && type == SD_TYPE_NUMERIC)
            v->decimals = 0;
    }
    size_t row = 0;
    int rc = SQLITE_DONE;
    while (st == SD_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (row >= SD_MAX_ROWS) {
            st = sd__fail(r->err, SD_E_TOO_LARGE, r->path, 0, 0, NULL, "more than %zu rows",
                          SD_MAX_ROWS);
            break;
        }
        if (!sd__dataset_reserve_rows(ds, row + 1)) {
            st = sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
            break;
        }
        for (int j = 0; j < ncol && st == SD_OK; j++) {
            sd_var *v = ds->vars[j];
            int t = sqlite3_column_type(s, j);
            if (t == SQLITE_NULL)
                continue; /* reserved cells are system-missing */
            if (t == SQLITE_BLOB) {
                st = sd__fail(r->err, SD_E_TYPE, r->path, (long)row + 1, j + 1, v->name,
                              "row %zu of '%s': a binary value (BLOB), expected a number or a "
                              "text",
                              row + 1, v->name);
                break;
            }
            if (v->type == SD_TYPE_NUMERIC) {
                double x;
                if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
                    x = sqlite3_column_double(s, j);
                } else {
                    const char *txt = (const char *)sqlite3_column_text(s, j);
                    int n = sqlite3_column_bytes(s, j);
                    if (!txt || !sd__parse_double(txt, (size_t)n, false, &x)) {
                        st = sd__fail(r->err, SD_E_TYPE, r->path, (long)row + 1, j + 1, v->name,
                                      "row %zu of '%s': '%.40s' is not a number (declare the "
                                      "column a string in the codebook to keep it as text)",
                                      row + 1, v->name, txt ? txt : "");
                        break;
                    }
                }
                if (isnan(x))
                    continue;
                v->num[row] = x;
                v->sysmis[row] = 0;
            } else {
                const char *txt = (const char *)sqlite3_column_text(s, j);
                int n = sqlite3_column_bytes(s, j);
                if (!txt) {
                    st = sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
                    break;
                }
                if ((size_t)n > SD_MAX_FIELD ||
                    sd__utf8_valid_prefix(txt, (size_t)n) != (size_t)n ||
                    memchr(txt, '\0', (size_t)n)) {
                    st = sd__fail(r->err, SD_E_ENCODING, r->path, (long)row + 1, j + 1, v->name,
                                  "row %zu of '%s': the text is not valid UTF-8 (or holds a NUL "
                                  "or is longer than 16 MiB)",
                                  row + 1, v->name);
                    break;
                }
                if (!sd__var_intern(v, txt, (size_t)n, &v->str[row])) {
                    st = sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
                    break;
                }
                v->sysmis[row] = 0;
            }
        }
        row++;
    }
    if (st == SD_OK && rc != SQLITE_DONE)
        st = db_fail(r, "cannot read the table");
    sqlite3_finalize(s);
    if (st == SD_OK) {
        ds->nrows = row;
        for (size_t j = 0; j < ds->nvars && st == SD_OK; j++)
            if (ds->vars[j]->type == SD_TYPE_STRING && !sd__var_finish_levels(ds->vars[j], row))
                st = sd__fail(r->err, SD_E_NOMEM, r->path, 0, 0, NULL, "out of memory");
    }
    if (st != SD_OK) {
        sd_dataset_free(ds);
        return st;
    }
    *out = ds;
    return SD_OK;
}

sd_status sd__read_sqlite(const char *path, const sd_codebook *cb, sd_dataset **out,
                          sd_error *err)
{
    *out = NULL;
    /* A clear message for a file that is not there or not SQLite, before
     * SQLite's own. */
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    char magic[16];
    size_t got = fread(magic, 1, sizeof magic, fp);
    fclose(fp);
    if (got != sizeof magic || memcmp(magic, "SQLite format 3", 16) != 0)
        return sd__fail(err, SD_E_FORMAT, path, 0, 0, NULL, "not a SQLite database");
    rctx r = {.path = path, .err = err};
    if (sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sd_status st = r.db ? db_fail(&r, "cannot open")
                            : sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
        sqlite3_close(r.db);
        return st;
    }
    sqlite3_busy_timeout(r.db, 10000);
    sd_status st = SD_OK;
    if (sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        st = db_fail(&r, "cannot start reading");
    char *table = NULL, *yaml = NULL;
    size_t ylen = 0;
    sd_codebook *stored = NULL;
    if (st == SD_OK)
        st = find_table(&r, &table, &yaml, &ylen);
    if (st == SD_OK && yaml && !cb) {
        size_t n = strlen(path) + sizeof ":sondage_codebook";
        char *name = sd__malloc(n);
        if (!name)
            st = sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
        else {
            snprintf(name, n, "%s:sondage_codebook", path);
            st = sd__codebook_parse(yaml, ylen, name, &stored, err);
            sd__free(name);
        }
    }
    if (st == SD_OK)
        st = read_rows(&r, table, cb ? cb : stored, out);
    sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(r.db);
    if (st == SD_OK && stored && (st = sd__codebook_apply(stored, *out, err)) != SD_OK) {
        sd_dataset_free(*out);
        *out = NULL;
    }
    sd__codebook_free(stored);
    sd__free(table);
    sd__free(yaml);
    return st;
}
