/*
 * pg_conn.c — PostgreSQL connections for the io layer and the layers above
 * (pg.h): the URI with sondage's `table=` parameter taken out (libpq
 * refuses parameters it does not know) and its password kept out of every
 * message, the connection, quoted identifiers, and libpq's failures as one
 * sondage error. libpq parses the URI itself; only `table=` and the
 * password are looked at here.
 */
#include "pg.h"

#include <math.h>
#include <string.h>

bool sd__pg_is_uri(const char *s)
{
    return s && (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0);
}

void sd__pg_uri_free(sd_pguri *u)
{
    sd__free(u->conninfo);
    sd__free(u->table);
    sd__free(u->display);
    memset(u, 0, sizeof *u);
}

/* Percent-decode s[0..n) into a new string; NULL on a bad escape or NUL. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = sd__malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int a = i + 2 < n ? sd__hexval((unsigned char)s[i + 1]) : -1;
            int b = i + 2 < n ? sd__hexval((unsigned char)s[i + 2]) : -1;
            if (a < 0 || b < 0 || (a == 0 && b == 0)) {
                sd__free(out);
                return NULL;
            }
            out[k++] = (char)(a * 16 + b);
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return out;
}

sd_status sd__pg_uri_parse(const char *uri, const char *table_opt, sd_pguri *out, sd_error *err)
{
    memset(out, 0, sizeof *out);
    if (!sd__pg_is_uri(uri))
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "'%.60s' is not a PostgreSQL URI: expected postgresql://...", uri);
    size_t slen = strncmp(uri, "postgresql://", 13) == 0 ? 13 : 11;
    const char *auth = uri + slen;
    size_t alen = strcspn(auth, "/?");
    const char *path = auth + alen;
    size_t plen = strcspn(path, "?");
    const char *query = path[plen] == '?' ? path + plen + 1 : NULL;
    /* userinfo@host: the userinfo ends at the last '@' of the authority. */
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    sd_strbuf ci, disp;
    sd__sb_init(&ci, 1 << 16);
    sd__sb_init(&disp, 1 << 16);
    sd__sb_add(&ci, uri, slen + alen + plen);
    sd__sb_add(&disp, uri, slen);
    if (at) {
        size_t ulen = (size_t)(at - auth);
        const char *colon = memchr(auth, ':', ulen);
        sd__sb_add(&disp, auth, colon ? (size_t)(colon - auth) : ulen);
        sd__sb_add(&disp, at, (size_t)(auth + alen - at) + plen);
    } else {
        sd__sb_add(&disp, auth, alen + plen);
    }
    sd_status st = SD_OK;
    char *table = NULL;
    bool qci = false, qdisp = false;
    for (const char *p = query; p && *p && st == SD_OK;) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : n;
        if (klen == 5 && memcmp(p, "table", 5) == 0) {
            sd__free(table);
            if (!eq || !(table = pct_decode(eq + 1, n - klen - 1)) || !*table)
                st = sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                              "the URI's table= parameter: expected a table name "
                              "(percent-encoded)");
        } else if (n) {
            sd__sb_putc(&ci, qci ? '&' : '?');
            sd__sb_add(&ci, p, n);
            qci = true;
            if (!(klen == 8 && memcmp(p, "password", 8) == 0)) {
                sd__sb_putc(&disp, qdisp ? '&' : '?');
                sd__sb_add(&disp, p, n);
                qdisp = true;
            }
        }
        p += n;
        if (*p == '&')
            p++;
    }
    if (st == SD_OK && table && table_opt && strcmp(table, table_opt) != 0)
        st = sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                      "the URI names table '%s' and --table '%s': expected one table", table,
                      table_opt);
    if (st == SD_OK && !table && table_opt && !(table = sd__strdup(table_opt)))
        st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (st == SD_OK && table) {
        sd__sb_putc(&disp, qdisp ? '&' : '?');
        sd__sb_puts(&disp, "table=");
        sd__sb_puts(&disp, table);
    }
    if (st == SD_OK && (sd__sb_status(&ci) != SD_OK || sd__sb_status(&disp) != SD_OK))
        st = sd__fail(err, SD_E_TOO_LARGE, NULL, 0, 0, NULL, "the URI is too long");
    if (st != SD_OK) {
        sd__sb_free(&ci);
        sd__sb_free(&disp);
        sd__free(table);
        return st;
    }
    out->conninfo = sd__sb_take(&ci);
    out->display = sd__sb_take(&disp);
    out->table = table;
    if (!out->conninfo || !out->display) {
        sd__pg_uri_free(out);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    return SD_OK;
}

/* The first line of a libpq message, without "ERROR:  " and the newline. */
static void first_line(const char *m, char *buf, size_t cap)
{
    if (!m)
        m = "";
    if (strncmp(m, "ERROR:  ", 8) == 0)
        m += 8;
    size_t n = strcspn(m, "\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, m, n);
    buf[n] = '\0';
}

sd_status sd__pg_fail(PGconn *c, const PGresult *res, const char *display, const char *what,
                      sd_error *err)
{
    char msg[400];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    first_line(primary ? primary : res ? PQresultErrorMessage(res) : PQerrorMessage(c), msg,
               sizeof msg);
    if (!*msg)
        first_line(PQerrorMessage(c), msg, sizeof msg);
    sd_status st = SD_E_IO;
    if (state && (strcmp(state, "42P01") == 0 || strcmp(state, "42703") == 0 ||
                  strcmp(state, "3F000") == 0))
        st = SD_E_NOT_FOUND;
    else if (state && strncmp(state, "22", 2) == 0)
        st = SD_E_INVALID;
    else if (state && strncmp(state, "53", 2) == 0)
        st = SD_E_TOO_LARGE;
    return sd__fail(err, st, display, 0, 0, NULL, "%s: %s", what, msg);
}

/* The server's notices (NOTICE, WARNING) are not for people here: libpq
 * would print them on the error stream, and the library never prints. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

sd_status sd__pg_connect(const sd_pguri *u, PGconn **out, sd_error *err)
{
    *out = NULL;
    if (!sd__pq_load())
        return sd__fail(err, SD_E_IO, u->display, 0, 0, NULL, "%s", sd__pq_error());
    PGconn *c = PQconnectdb(u->conninfo);
    if (!c)
        return sd__fail(err, SD_E_NOMEM, u->display, 0, 0, NULL, "out of memory");
    if (PQstatus(c) != CONNECTION_OK) {
        sd_status st = sd__pg_fail(c, NULL, u->display, "cannot connect", err);
        PQfinish(c);
        return st;
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    if (PQsetClientEncoding(c, "UTF8") != 0) {
        sd_status st = sd__pg_fail(c, NULL, u->display, "cannot use UTF-8", err);
        PQfinish(c);
        return st;
    }
    /* Numbers as text read back exactly (shortest round-trip form). */
    sd_status st = sd__pg_exec(c, "SET extra_float_digits = 3", u->display,
                               "cannot set up the session", err);
    if (st != SD_OK) {
        PQfinish(c);
        return st;
    }
    *out = c;
    return SD_OK;
}

sd_status sd__pg_exec(PGconn *c, const char *sql, const char *display, const char *what,
                      sd_error *err)
{
    PGresult *r = PQexec(c, sql);
    sd_status st = SD_OK;
    if (!r)
        st = sd__fail(err, SD_E_NOMEM, display, 0, 0, NULL, "out of memory");
    else if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        st = sd__pg_fail(c, r, display, what, err);
    PQclear(r);
    return st;
}

char *sd__pg_quote_ident(PGconn *c, const char *name)
{
    char *q = PQescapeIdentifier(c, name, strlen(name));
    if (!q)
        return NULL;
    char *out = sd__strdup(q);
    PQfreemem(q);
    return out;
}

char *sd__pg_quote_table(PGconn *c, const char *table)
{
    const char *dot = strchr(table, '.');
    if (!dot || dot == table || !dot[1])
        return sd__pg_quote_ident(c, table);
    char *schema = sd__strndup(table, (size_t)(dot - table));
    char *a = schema ? sd__pg_quote_ident(c, schema) : NULL;
    char *b = a ? sd__pg_quote_ident(c, dot + 1) : NULL;
    sd__free(schema);
    char *out = NULL;
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    if (a && b && (out = sd__malloc(la + lb + 2))) {
        memcpy(out, a, la);
        out[la] = '.';
        memcpy(out + la + 1, b, lb + 1);
    }
    sd__free(a);
    sd__free(b);
    return out;
}

/* ---- parameters */

void sd__pgp_init(sd_pgparams *p) { memset(p, 0, sizeof *p); }

void sd__pgp_free(sd_pgparams *p)
{
    for (size_t i = 0; i < p->n; i++)
        sd__free(p->v[i]);
    sd__free(p->v);
    memset(p, 0, sizeof *p);
}

sd_status sd__pgp_status(const sd_pgparams *p) { return p->err; }

int sd__pgp_add(sd_pgparams *p, const char *text)
{
    if (p->err != SD_OK)
        return 0;
    char *c = NULL;
    if (p->n >= 60000) { /* the protocol carries at most 65535 parameters */
        p->err = SD_E_TOO_LARGE;
        return 0;
    }
    if (!sd__grow((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v) || !(c = sd__strdup(text))) {
        p->err = SD_E_NOMEM;
        return 0;
    }
    p->v[p->n++] = c;
    return (int)p->n;
}

static void num_text(char *buf, double x)
{
    if (isnan(x))
        memcpy(buf, "NaN", 4);
    else if (isinf(x))
        memcpy(buf, x > 0 ? "Infinity" : "-Infinity", x > 0 ? 9 : 10);
    else
        sd__fmt_double(buf, x);
}

int sd__pgp_num(sd_pgparams *p, double x)
{
    char buf[SD_NUMBUF];
    num_text(buf, x);
    return sd__pgp_add(p, buf);
}

int sd__pgp_num_array(sd_pgparams *p, const double *x, size_t n)
{
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 26);
    sd__sb_putc(&sb, '{');
    for (size_t i = 0; i < n; i++) {
        char buf[SD_NUMBUF];
        num_text(buf, x[i]);
        if (i)
            sd__sb_putc(&sb, ',');
        sd__sb_puts(&sb, buf);
    }
    sd__sb_putc(&sb, '}');
    int k = sd__sb_status(&sb) == SD_OK ? sd__pgp_add(p, sd__sb_str(&sb)) : 0;
    if (!k && p->err == SD_OK)
        p->err = SD_E_NOMEM;
    sd__sb_free(&sb);
    return k;
}

int sd__pgp_text_array(sd_pgparams *p, char *const *s, size_t n)
{
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 26);
    sd__sb_putc(&sb, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sd__sb_putc(&sb, ',');
        sd__sb_putc(&sb, '"');
        for (const char *c = s[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                sd__sb_putc(&sb, '\\');
            sd__sb_putc(&sb, *c);
        }
        sd__sb_putc(&sb, '"');
    }
    sd__sb_putc(&sb, '}');
    int k = sd__sb_status(&sb) == SD_OK ? sd__pgp_add(p, sd__sb_str(&sb)) : 0;
    if (!k && p->err == SD_OK)
        p->err = SD_E_NOMEM;
    sd__sb_free(&sb);
    return k;
}

void sd__pg_missing_cond(sd_strbuf *sql, sd_pgparams *p, const sd_var *v, const char *expr)
{
    sd__sb_printf(sql, "(%s IS NULL", expr);
    if (v->type == SD_TYPE_NUMERIC) {
        if (v->nmiss)
            sd__sb_printf(sql, " OR %s = ANY($%d::float8[])", expr,
                          sd__pgp_num_array(p, v->miss_codes, v->nmiss));
        if (v->has_miss_range) {
            int lo = sd__pgp_num(p, v->miss_lo);
            int hi = sd__pgp_num(p, v->miss_hi);
            sd__sb_printf(sql, " OR %s BETWEEN $%d::float8 AND $%d::float8", expr, lo, hi);
        }
    } else if (v->nmiss_strs) {
        sd__sb_printf(sql, " OR %s = ANY($%d::text[])", expr,
                      sd__pgp_text_array(p, v->miss_strs, v->nmiss_strs));
    }
    sd__sb_putc(sql, ')');
}

double sd__pg_float8(const char *bytes)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | (unsigned char)bytes[i];
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

int64_t sd__pg_int8(const char *bytes)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | (unsigned char)bytes[i];
    return (int64_t)u;
}
