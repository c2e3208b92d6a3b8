/*
 * store_pg.c — the fieldwork store in PostgreSQL (store.h has the
 * contract): `sondage serve Q --db postgresql://…`. Several field servers
 * may share one store; each keeps a small pool of connections.
 *
 * Tables: the responses (default `responses`, or the URI's table=: id
 * bigint identity, then one column per stored variable, double precision
 * or text) — what `sondage tab postgresql://…` tabulates in place, with the
 * codebook in sondage_codebook — and sondage_sessions, sondage_quotas,
 * sondage_tokens, sondage_meta for the servers (the same tables as the
 * SQLite store, so one schema holds one fieldwork).
 *
 * A completion is one transaction (READ COMMITTED): the session goes from
 * active to complete only if it was active (a second completion, from this
 * server or another, sees the first's outcome); each quota cell it falls in
 * is incremented by `UPDATE … SET done = done + 1 WHERE … AND done < lim`,
 * which takes the cell's row lock: a concurrent completion of the same
 * cell, on any server, waits for it and re-checks `done < lim` on the row
 * as committed — so a cell never goes over, however many servers share it;
 * cells are updated in questionnaire order, so servers lock them in one
 * order (a deadlock or serialization failure is retried anyway). A full
 * cell rolls everything back, and the session is screened out. The row is
 * inserted in the same transaction, whose COMMIT returns once its WAL is
 * flushed (synchronous_commit on): the thank-you page is only sent for a
 * durable interview. Opening the store (schema, codebook, quota limits and
 * counts from the stored interviews) holds an advisory lock and a lock on
 * the quota table, so that servers starting together, or one starting
 * while others take interviews, never count a cell twice or lose one.
 */
#include "store.h"
#include "io/pg.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_CONNS 16
#define RETRIES 8

typedef struct pconn {
    PGconn *c;
    struct pconn *next;
} pconn;

#define NWORKERS 8

typedef struct pg_store {
    sd__store base;
    sd_pguri uri;
    char *qresp;      /* the responses table, quoted */
    char *insert_sql; /* INSERT INTO responses (...) VALUES ($1...) RETURNING id */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pconn *free_list;
    size_t nconns;
    /* Writes: queued by submit, run by the workers, each answered by its
     * done once committed. */
    pthread_mutex_t qmu;
    pthread_cond_t qcv;
    sd__store_req *head, *tail;
    bool stopping;
    pthread_t workers[NWORKERS];
    size_t nworkers;
} pg_store;

#define SESSION_COLS "sid, csrf, coalesce(token, ''), lang, seed, page, status, coalesce(response_id, 0), answers"

static const struct {
    const char *name, *sql;
    int nparams;
} stmts[] = {
    {"new", "INSERT INTO sondage_sessions (sid, csrf, token, lang, seed, page, answers, status, "
            "started, updated) VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, 0, now(), now())",
     7},
    {"claim", "UPDATE sondage_tokens SET sid = $1 WHERE token = $2 AND sid IS NULL", 2},
    {"token_sid", "SELECT " SESSION_COLS " FROM sondage_sessions WHERE sid = (SELECT sid FROM "
                  "sondage_tokens WHERE token = $1 AND sid IS NOT NULL)",
     1},
    {"get", "SELECT " SESSION_COLS " FROM sondage_sessions WHERE sid = $1", 1},
    {"save", "UPDATE sondage_sessions SET page = $2, answers = $3, lang = $4, updated = now() "
             "WHERE sid = $1 AND status = 0",
     4},
    {"set_complete", "UPDATE sondage_sessions SET page = $2, answers = $3, lang = $4, status = 1, "
                     "updated = now() WHERE sid = $1 AND status = 0",
     4},
    {"status", "SELECT status, coalesce(response_id, 0) FROM sondage_sessions WHERE sid = $1", 1},
    {"quota_cell", "INSERT INTO sondage_quotas (variable, code, lim, done) VALUES ($1, $2, $3, 0) "
                   "ON CONFLICT (variable, code) DO NOTHING",
     3},
    {"quota_hit", "UPDATE sondage_quotas SET done = done + 1, lim = $3 WHERE variable = $1 AND "
                  "code = $2 AND done < $3",
     3},
    {"set_rid", "UPDATE sondage_sessions SET response_id = $1 WHERE sid = $2", 2},
    {"screen", "UPDATE sondage_sessions SET page = $2, answers = $3, lang = $4, status = 2, "
               "updated = now() WHERE sid = $1 AND status = 0",
     4},
    {"token_new", "INSERT INTO sondage_tokens (token, created) VALUES ($1, now())", 1},
    {"cell", "SELECT done >= lim FROM sondage_quotas WHERE variable = $1 AND code = $2", 2},
    {"counts", "SELECT lim, done FROM sondage_quotas WHERE variable = $1 AND code = $2", 2},
    {"scount", "SELECT status, count(*) FROM sondage_sessions GROUP BY status", 0},
};

static sd_status nomem(const pg_store *S, sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, S->uri.display, 0, 0, NULL, "out of memory");
}

/* A failure that a new attempt of the whole transaction may not meet. */
static bool retryable(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s && (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0);
}

/* ---- connections */

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static sd_status conn_open(pg_store *S, PGconn **out, sd_error *err)
{
    PGconn *c = NULL;
    sd_status st = sd__pg_connect(&S->uri, &c, err);
    if (st != SD_OK)
        return st;
    PQsetNoticeProcessor(c, quiet, NULL);
    st = sd__pg_exec(c, "SET synchronous_commit = on", S->uri.display,
                     "cannot set up the session", err);
    *out = c;
    return st;
}

static sd_status conn_prepare(pg_store *S, PGconn *c, sd_error *err)
{
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        PGresult *r = PQprepare(c, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
        sd_status st = !r ? nomem(S, err)
                       : PQresultStatus(r) != PGRES_COMMAND_OK
                           ? sd__pg_fail(c, r, S->uri.display, "cannot prepare a statement", err)
                           : SD_OK;
        PQclear(r);
        if (st != SD_OK)
            return st;
    }
    PGresult *r = PQprepare(c, "insert", S->insert_sql, (int)S->base.q->nvars, NULL);
    sd_status st = !r ? nomem(S, err)
                   : PQresultStatus(r) != PGRES_COMMAND_OK
                       ? sd__pg_fail(c, r, S->uri.display, "cannot prepare a statement", err)
                       : SD_OK;
    PQclear(r);
    return st;
}

static sd_status conn_get(pg_store *S, pconn **out, sd_error *err)
{
    pthread_mutex_lock(&S->mu);
    while (!S->free_list && S->nconns >= MAX_CONNS)
        pthread_cond_wait(&S->cv, &S->mu);
    pconn *p = S->free_list;
    if (p) {
        S->free_list = p->next;
        pthread_mutex_unlock(&S->mu);
        *out = p;
        return SD_OK;
    }
    S->nconns++;
    pthread_mutex_unlock(&S->mu);
    sd_status st = SD_OK;
    if (!(p = sd__calloc(1, sizeof *p)))
        st = nomem(S, err);
    else if ((st = conn_open(S, &p->c, err)) == SD_OK)
        st = conn_prepare(S, p->c, err);
    if (st != SD_OK) {
        if (p) {
            PQfinish(p->c);
            sd__free(p);
        }
        pthread_mutex_lock(&S->mu);
        S->nconns--;
        pthread_cond_signal(&S->cv);
        pthread_mutex_unlock(&S->mu);
        return st;
    }
    *out = p;
    return SD_OK;
}

/* Back to the pool; a broken connection is closed (the next request makes
 * a new one: a restarted database server is reconnected to). */
static void conn_put(pg_store *S, pconn *p)
{
    if (PQstatus(p->c) != CONNECTION_OK || PQtransactionStatus(p->c) != PQTRANS_IDLE) {
        if (PQstatus(p->c) == CONNECTION_OK)
            PQclear(PQexec(p->c, "ROLLBACK"));
        if (PQstatus(p->c) != CONNECTION_OK || PQtransactionStatus(p->c) != PQTRANS_IDLE) {
            PQfinish(p->c);
            sd__free(p);
            pthread_mutex_lock(&S->mu);
            S->nconns--;
            pthread_cond_signal(&S->cv);
            pthread_mutex_unlock(&S->mu);
            return;
        }
    }
    pthread_mutex_lock(&S->mu);
    p->next = S->free_list;
    S->free_list = p;
    pthread_cond_signal(&S->cv);
    pthread_mutex_unlock(&S->mu);
}

/* ---- statements */

/* Run a prepared statement; *res is its result when it succeeded
 * (PQclear it), else NULL and *retry tells whether the transaction may be
 * tried again. */
static sd_status run(pg_store *S, PGconn *c, const char *name, int n, const char *const *v,
                     PGresult **res, bool *retry, sd_error *err)
{
    *res = NULL;
    if (retry)
        *retry = false;
    PGresult *r = PQexecPrepared(c, name, n, v, NULL, NULL, 0);
    if (!r)
        return nomem(S, err);
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
        *res = r;
        return SD_OK;
    }
    if (retry && retryable(r)) {
        *retry = true;
        PQclear(r);
        return SD_E_IO;
    }
    sd_status st = sd__pg_fail(c, r, S->uri.display, "the store", err);
    PQclear(r);
    return st;
}

static long changes(const PGresult *r)
{
    const char *t = PQcmdTuples((PGresult *)r);
    long n = 0;
    for (; t && *t >= '0' && *t <= '9'; t++)
        n = n * 10 + (*t - '0');
    return n;
}

static sd_status exec_simple(pg_store *S, PGconn *c, const char *sql, bool *retry, sd_error *err)
{
    if (retry)
        *retry = false;
    PGresult *r = PQexec(c, sql);
    if (!r)
        return nomem(S, err);
    sd_status st = SD_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        if (retry && retryable(r)) {
            *retry = true;
            st = SD_E_IO;
        } else {
            st = sd__pg_fail(c, r, S->uri.display, "the store", err);
        }
    }
    PQclear(r);
    return st;
}

/* A whole number as PostgreSQL prints it ("-12"). */
static long long int_text(const char *t)
{
    bool neg = t && *t == '-';
    unsigned long long n = 0;
    for (t += neg; t && *t >= '0' && *t <= '9'; t++)
        n = n * 10 + (unsigned long long)(*t - '0');
    return neg ? -(long long)n : (long long)n;
}

static void copy_fixed(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static bool session_from_row(const PGresult *r, sd__session *out)
{
    memset(out, 0, sizeof *out);
    copy_fixed(out->sid, sizeof out->sid, PQgetvalue(r, 0, 0));
    copy_fixed(out->csrf, sizeof out->csrf, PQgetvalue(r, 0, 1));
    copy_fixed(out->token, sizeof out->token, PQgetvalue(r, 0, 2));
    copy_fixed(out->lang, sizeof out->lang, PQgetvalue(r, 0, 3));
    out->seed = (uint64_t)int_text(PQgetvalue(r, 0, 4)); /* stored as a signed bigint */
    long long page = int_text(PQgetvalue(r, 0, 5));
    out->page = page < 0 ? 0 : (size_t)page;
    long long status = int_text(PQgetvalue(r, 0, 6));
    out->status = status == 1 ? SD_SESS_COMPLETE : status == 2 ? SD_SESS_SCREENED : SD_SESS_ACTIVE;
    out->response_id = (long)int_text(PQgetvalue(r, 0, 7));
    out->answers = sd__strdup(PQgetvalue(r, 0, 8));
    return out->answers != NULL;
}

/* The four parameters of save, set_complete and screen. */
typedef struct sparams {
    char page[24];
    const char *v[4];
} sparams;

static void session_params(const sd__session *x, sparams *p)
{
    snprintf(p->page, sizeof p->page, "%zu", x->page);
    p->v[0] = x->sid;
    p->v[1] = p->page;
    p->v[2] = x->answers ? x->answers : "";
    p->v[3] = x->lang;
}

/* Run `body` as one transaction, again after a deadlock or serialization
 * failure. */
typedef sd_status (*txn_fn)(pg_store *S, PGconn *c, void *ctx, bool *retry, sd_error *err);

static sd_status transaction(pg_store *S, txn_fn body, void *ctx, sd_error *err)
{
    pconn *p;
    sd_status st = conn_get(S, &p, err);
    if (st != SD_OK)
        return st;
    for (int attempt = 0; attempt < RETRIES; attempt++) {
        bool retry = false;
        st = exec_simple(S, p->c, "BEGIN", NULL, err);
        if (st == SD_OK)
            st = body(S, p->c, ctx, &retry, err);
        if (st == SD_OK)
            st = exec_simple(S, p->c, "COMMIT", &retry, err);
        if (st == SD_OK || !retry)
            break;
        PQclear(PQexec(p->c, "ROLLBACK"));
    }
    if (st != SD_OK && PQtransactionStatus(p->c) != PQTRANS_IDLE)
        PQclear(PQexec(p->c, "ROLLBACK"));
    conn_put(S, p);
    return st;
}

/* ---- sessions */

typedef struct new_ctx {
    sd__session *s;
    bool resumed;
} new_ctx;


static sd_status t_new(pg_store *S, PGconn *c, void *ctx, bool *retry, sd_error *err)
{
    new_ctx *n = ctx;
    sd__session *x = n->s;
    PGresult *r;
    sd_status st;
    n->resumed = false;
    if (x->token[0]) {
        const char *v[2] = {x->sid, x->token};
        if ((st = run(S, c, "claim", 2, v, &r, retry, err)) != SD_OK)
            return st;
        long ch = changes(r);
        PQclear(r);
        if (ch == 0) {
            /* Unknown, or it started a session already: resume that one. */
            const char *t[1] = {x->token};
            if ((st = run(S, c, "token_sid", 1, t, &r, retry, err)) != SD_OK)
                return st;
            if (PQntuples(r) == 0) {
                PQclear(r);
                return sd__fail(err, SD_E_NOT_FOUND, S->uri.display, 0, 0, NULL,
                                "unknown invitation token");
            }
            char tok[SD_SID_LEN + 1];
            memcpy(tok, x->token, sizeof tok);
            sd__session_free(x);
            bool ok = session_from_row(r, x);
            PQclear(r);
            memcpy(x->token, tok, sizeof tok);
            n->resumed = true;
            return ok ? SD_OK : nomem(S, err);
        }
    }
    char seed[24], page[24];
    snprintf(seed, sizeof seed, "%lld", (long long)x->seed);
    snprintf(page, sizeof page, "%zu", x->page);
    const char *v[7] = {x->sid, x->csrf, x->token, x->lang, seed, page,
                        x->answers ? x->answers : ""};
    if ((st = run(S, c, "new", 7, v, &r, retry, err)) != SD_OK)
        return st;
    PQclear(r);
    return SD_OK;
}

static sd_status p_session_get(sd__store *st, const char *sid, sd__session *out, bool *found,
                               sd_error *err)
{
    pg_store *S = (pg_store *)st;
    *found = false;
    memset(out, 0, sizeof *out);
    pconn *p;
    sd_status rc = conn_get(S, &p, err);
    if (rc != SD_OK)
        return rc;
    const char *v[1] = {sid};
    PGresult *r;
    if ((rc = run(S, p->c, "get", 1, v, &r, NULL, err)) == SD_OK) {
        if (PQntuples(r) > 0) {
            *found = true;
            if (!session_from_row(r, out))
                rc = nomem(S, err);
        }
        PQclear(r);
    }
    conn_put(S, p);
    return rc;
}

typedef struct sess_ctx {
    const sd__session *s;
    const char *stmt;
} sess_ctx;

static sd_status t_update(pg_store *S, PGconn *c, void *ctx, bool *retry, sd_error *err)
{
    sess_ctx *x = ctx;
    sparams sp;
    session_params(x->s, &sp);
    PGresult *r;
    sd_status st = run(S, c, x->stmt, 4, sp.v, &r, retry, err);
    PQclear(r);
    return st;
}

/* ---- completion */

typedef struct done_ctx {
    const sd__session *s;
    const sd__answers *row;
    sd__outcome outcome;
    long id;
    bool full;
} done_ctx;

static sd_status t_complete(pg_store *S, PGconn *c, void *ctx, bool *retry, sd_error *err)
{
    done_ctx *d = ctx;
    const sd__questionnaire *q = S->base.q;
    const sd__answers *row = d->row;
    d->full = false;
    sparams sp;
    session_params(d->s, &sp);
    PGresult *r;
    sd_status st = run(S, c, "set_complete", 4, sp.v, &r, retry, err);
    if (st != SD_OK)
        return st;
    long ch = changes(r);
    PQclear(r);
    if (ch == 0) {
        /* Complete or screened out already (by any server): say which. */
        const char *v[1] = {d->s->sid};
        if ((st = run(S, c, "status", 1, v, &r, retry, err)) != SD_OK)
            return st;
        if (PQntuples(r) == 0)
            st = sd__fail(err, SD_E_NOT_FOUND, S->uri.display, 0, 0, NULL, "no such session");
        else {
            long long status = int_text(PQgetvalue(r, 0, 0));
            d->outcome = status == 2 ? SD_OUTCOME_SCREENED : SD_OUTCOME_COMPLETE;
            d->id = (long)int_text(PQgetvalue(r, 0, 1));
            if (status == 0)
                st = sd__fail(err, SD_E_INTERNAL, S->uri.display, 0, 0, NULL,
                              "session state changed");
        }
        PQclear(r);
        return st;
    }
    /* Quotas: every cell this respondent falls in must have room, in the
     * questionnaire's order (one lock order for every server). */
    for (size_t i = 0; i < q->nquotas; i++) {
        const sd__quota *qt = &q->quotas[i];
        if (!row->set[qt->var])
            continue;
        double code = row->num[qt->var];
        long limit = -1;
        for (size_t k = 0; k < qt->ncells; k++)
            if (qt->cells[k].code == code)
                limit = qt->cells[k].limit;
        if (limit < 0)
            continue;
        char cbuf[SD_NUMBUF], lbuf[24];
        sd__fmt_double(cbuf, code);
        snprintf(lbuf, sizeof lbuf, "%ld", limit);
        const char *v[3] = {qt->var_name, cbuf, lbuf};
        if ((st = run(S, c, "quota_cell", 3, v, &r, retry, err)) != SD_OK)
            return st;
        PQclear(r);
        if ((st = run(S, c, "quota_hit", 3, v, &r, retry, err)) != SD_OK)
            return st;
        ch = changes(r);
        PQclear(r);
        if (ch == 0) {
            d->full = true;
            d->outcome = SD_OUTCOME_SCREENED;
            return SD_OK; /* p_complete rolls back and screens out */
        }
    }
    size_t nv = q->nvars;
    const char **v = sd__zalloc(nv ? nv : 1, sizeof *v);
    char *nums = sd__zalloc(nv ? nv : 1, SD_NUMBUF);
    if (!v || !nums) {
        sd__free(v);
        sd__free(nums);
        return nomem(S, err);
    }
    for (size_t i = 0; i < nv; i++) {
        if (i >= row->n || !row->set[i])
            v[i] = NULL;
        else if (q->vars[i].type == SD_TYPE_STRING)
            v[i] = row->str[i] ? row->str[i] : "";
        else {
            sd__fmt_double(nums + i * SD_NUMBUF, row->num[i]);
            v[i] = nums + i * SD_NUMBUF;
        }
    }
    st = run(S, c, "insert", (int)nv, v, &r, retry, err);
    sd__free(v);
    sd__free(nums);
    if (st != SD_OK)
        return st;
    d->id = PQntuples(r) > 0 ? (long)int_text(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    char idb[24];
    snprintf(idb, sizeof idb, "%ld", d->id);
    const char *rv[2] = {idb, d->s->sid};
    if ((st = run(S, c, "set_rid", 2, rv, &r, retry, err)) != SD_OK)
        return st;
    PQclear(r);
    d->outcome = SD_OUTCOME_COMPLETE;
    return SD_OK;
}

/* A full cell: the completion's transaction is rolled back (no count, no
 * row, the session still active), then the session is screened out. */
static sd_status t_complete_or_none(pg_store *S, PGconn *c, void *ctx, bool *retry,
                                    sd_error *err)
{
    done_ctx *d = ctx;
    sd_status st = t_complete(S, c, ctx, retry, err);
    if (st == SD_OK && d->full)
        st = exec_simple(S, c, "ROLLBACK TO SAVEPOINT start", retry, err);
    return st;
}

static sd_status t_complete_txn(pg_store *S, PGconn *c, void *ctx, bool *retry, sd_error *err)
{
    sd_status st = exec_simple(S, c, "SAVEPOINT start", retry, err);
    if (st == SD_OK)
        st = t_complete_or_none(S, c, ctx, retry, err);
    done_ctx *d = ctx;
    if (st == SD_OK && d->full) {
        sess_ctx x = {d->s, "screen"};
        st = t_update(S, c, &x, retry, err);
    }
    return st;
}

/* ---- counts */

static sd_status p_cell_full(sd__store *st, size_t quota, double code, bool *full, sd_error *err)
{
    pg_store *S = (pg_store *)st;
    *full = false;
    if (quota >= st->q->nquotas)
        return SD_OK;
    pconn *p;
    sd_status rc = conn_get(S, &p, err);
    if (rc != SD_OK)
        return rc;
    char cbuf[SD_NUMBUF];
    sd__fmt_double(cbuf, code);
    const char *v[2] = {st->q->quotas[quota].var_name, cbuf};
    PGresult *r;
    if ((rc = run(S, p->c, "cell", 2, v, &r, NULL, err)) == SD_OK) {
        *full = PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
    }
    conn_put(S, p);
    return rc;
}

static sd_status p_quota_counts(sd__store *st, sd__quota_count **out, size_t *n, sd_error *err)
{
    pg_store *S = (pg_store *)st;
    const sd__questionnaire *q = st->q;
    *out = NULL;
    *n = 0;
    size_t total = 0;
    for (size_t i = 0; i < q->nquotas; i++)
        total += q->quotas[i].ncells;
    sd__quota_count *v = sd__zalloc(total, sizeof *v);
    if (!v)
        return nomem(S, err);
    pconn *p;
    sd_status rc = conn_get(S, &p, err);
    if (rc != SD_OK) {
        sd__free(v);
        return rc;
    }
    for (size_t i = 0; rc == SD_OK && i < q->nquotas; i++)
        for (size_t k = 0; rc == SD_OK && k < q->quotas[i].ncells; k++) {
            sd__quota_count *c = &v[(*n)++];
            c->var = q->quotas[i].var_name;
            c->code = q->quotas[i].cells[k].code;
            c->limit = q->quotas[i].cells[k].limit;
            char cbuf[SD_NUMBUF];
            sd__fmt_double(cbuf, c->code);
            const char *pv[2] = {c->var, cbuf};
            PGresult *r;
            if ((rc = run(S, p->c, "counts", 2, pv, &r, NULL, err)) == SD_OK) {
                if (PQntuples(r) > 0) {
                    c->limit = (long)int_text(PQgetvalue(r, 0, 0));
                    c->done = (long)int_text(PQgetvalue(r, 0, 1));
                }
                PQclear(r);
            }
        }
    conn_put(S, p);
    if (rc != SD_OK) {
        sd__free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return SD_OK;
}

static sd_status p_session_counts(sd__store *st, long counts[3], sd_error *err)
{
    pg_store *S = (pg_store *)st;
    counts[0] = counts[1] = counts[2] = 0;
    pconn *p;
    sd_status rc = conn_get(S, &p, err);
    if (rc != SD_OK)
        return rc;
    PGresult *r;
    if ((rc = run(S, p->c, "scount", 0, NULL, &r, NULL, err)) == SD_OK) {
        for (int i = 0; i < PQntuples(r); i++) {
            long long status = int_text(PQgetvalue(r, i, 0));
            if (status >= 0 && status <= 2)
                counts[status] = (long)int_text(PQgetvalue(r, i, 1));
        }
        PQclear(r);
    }
    conn_put(S, p);
    return rc;
}

typedef struct tok_ctx {
    size_t n;
    char *tokens;
} tok_ctx;

static sd_status t_tokens(pg_store *S, PGconn *c, void *ctx, bool *retry, sd_error *err)
{
    tok_ctx *t = ctx;
    for (size_t i = 0; i < t->n; i++) {
        char *tk = t->tokens + i * (SD_SID_LEN + 1);
        sd_status st = sd__random_hex(tk, SD_SID_LEN / 2, err);
        if (st != SD_OK)
            return st;
        const char *v[1] = {tk};
        PGresult *r;
        if ((st = run(S, c, "token_new", 1, v, &r, retry, err)) != SD_OK)
            return st;
        PQclear(r);
    }
    return SD_OK;
}

static sd_status p_tokens_create(sd__store *st, size_t n, char **out, sd_error *err)
{
    pg_store *S = (pg_store *)st;
    size_t cap;
    *out = NULL;
    tok_ctx t = {n, NULL};
    if (!sd__mul_ok(n, SD_SID_LEN + 1, &cap) || !(t.tokens = sd__malloc(cap ? cap : 1)))
        return nomem(S, err);
    sd_status rc = transaction(S, t_tokens, &t, err);
    if (rc != SD_OK) {
        sd__free(t.tokens);
        return rc;
    }
    *out = t.tokens;
    return SD_OK;
}

/* ---- writes: the queue and its workers */

static void run_req(pg_store *S, sd__store_req *r)
{
    switch (r->op) {
    case SD_STORE_NEW: {
        new_ctx n = {r->sess, false};
        r->st = transaction(S, t_new, &n, r->err);
        r->resumed = n.resumed;
        break;
    }
    case SD_STORE_SAVE:
    case SD_STORE_SCREEN: {
        sess_ctx x = {r->sess, r->op == SD_STORE_SAVE ? "save" : "screen"};
        r->st = transaction(S, t_update, &x, r->err);
        break;
    }
    case SD_STORE_COMPLETE: {
        done_ctx d = {r->sess, r->row, SD_OUTCOME_COMPLETE, 0, false};
        r->st = transaction(S, t_complete_txn, &d, r->err);
        r->outcome = d.outcome;
        r->id = d.outcome == SD_OUTCOME_COMPLETE ? d.id : 0;
        break;
    }
    }
}

static void *worker_main(void *arg)
{
    pg_store *S = arg;
    for (;;) {
        pthread_mutex_lock(&S->qmu);
        while (!S->head && !S->stopping)
            pthread_cond_wait(&S->qcv, &S->qmu);
        sd__store_req *r = S->head;
        if (!r) { /* stopping, and nothing left to write */
            pthread_mutex_unlock(&S->qmu);
            return NULL;
        }
        S->head = r->next_;
        if (!S->head)
            S->tail = NULL;
        r->next_ = NULL;
        pthread_mutex_unlock(&S->qmu);
        run_req(S, r);
        r->done(r); /* r may be gone from here on */
    }
}

static sd_status p_submit(sd__store *st, sd__store_req *r)
{
    pg_store *S = (pg_store *)st;
    r->next_ = NULL;
    r->full_ = false;
    r->st = SD_OK;
    r->outcome = SD_OUTCOME_COMPLETE;
    r->id = 0;
    r->resumed = false;
    pthread_mutex_lock(&S->qmu);
    if (S->stopping) {
        pthread_mutex_unlock(&S->qmu);
        return sd__fail(r->err, SD_E_IO, S->uri.display, 0, 0, NULL, "the store is closing");
    }
    if (S->tail)
        S->tail->next_ = r;
    else
        S->head = r;
    S->tail = r;
    pthread_cond_signal(&S->qcv);
    pthread_mutex_unlock(&S->qmu);
    return SD_OK;
}

static void p_close(sd__store *st)
{
    pg_store *S = (pg_store *)st;
    if (!S)
        return;
    /* The workers write what is queued, then stop. */
    pthread_mutex_lock(&S->qmu);
    S->stopping = true;
    pthread_cond_broadcast(&S->qcv);
    pthread_mutex_unlock(&S->qmu);
    for (size_t i = 0; i < S->nworkers; i++)
        pthread_join(S->workers[i], NULL);
    for (pconn *p = S->free_list, *nx; p; p = nx) {
        nx = p->next;
        PQfinish(p->c);
        sd__free(p);
    }
    pthread_mutex_destroy(&S->mu);
    pthread_cond_destroy(&S->cv);
    pthread_mutex_destroy(&S->qmu);
    pthread_cond_destroy(&S->qcv);
    sd__pg_uri_free(&S->uri);
    sd__free(S->qresp);
    sd__free(S->insert_sql);
    sd__free(S);
}

static const sd__store_ops pg_ops = {
    .submit = p_submit,
    .session_get = p_session_get,
    .cell_full = p_cell_full,
    .quota_counts = p_quota_counts,
    .session_counts = p_session_counts,
    .tokens_create = p_tokens_create,
    .close = p_close,
};

/* ---- opening */

/* The responses table: id, then exactly the questionnaire's variables in
 * order and of their types; *exists false when there is none. */
static sd_status check_columns(pg_store *S, PGconn *c, bool *exists, sd_error *err)
{
    const sd__questionnaire *q = S->base.q;
    *exists = false;
    const char *v[1] = {S->qresp};
    PGresult *r = PQexecParams(c,
                               "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM "
                               "pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > "
                               "0 AND NOT a.attisdropped ORDER BY a.attnum",
                               1, NULL, v, NULL, NULL, 0);
    if (!r)
        return nomem(S, err);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        sd_status st = sd__pg_fail(c, r, S->uri.display, "cannot read the schema", err);
        PQclear(r);
        return st;
    }
    int n = PQntuples(r);
    sd_status st = SD_OK;
    *exists = n > 0;
    for (int i = 0; i < n && st == SD_OK; i++) {
        const char *name = PQgetvalue(r, i, 0), *type = PQgetvalue(r, i, 1);
        size_t k = (size_t)i;
        const char *want = k == 0 ? "id" : k - 1 < q->nvars ? q->vars[k - 1].name : NULL;
        const char *want_type = k == 0 ? "bigint"
                                : want && q->vars[k - 1].type == SD_TYPE_STRING ? "text"
                                                                                : "double precision";
        if (!want)
            st = sd__fail(err, SD_E_CONFLICT, S->uri.display, 0, 0, name,
                          "this store was made for another questionnaire: it has a column '%s' "
                          "after the questionnaire's last variable",
                          name);
        else if (strcmp(name, want) != 0 || strcmp(type, want_type) != 0)
            st = sd__fail(err, SD_E_CONFLICT, S->uri.display, 0, 0, want,
                          "this store was made for another questionnaire: column %zu is '%s' "
                          "(%s), the questionnaire's is '%s' (%s)",
                          k + 1, name, type, want, want_type);
    }
    if (st == SD_OK && n > 0 && (size_t)n != q->nvars + 1)
        st = sd__fail(err, SD_E_CONFLICT, S->uri.display, 0, 0, q->vars[n - 1].name,
                      "this store was made for another questionnaire: it has no column '%s'",
                      q->vars[n - 1].name);
    PQclear(r);
    return st;
}

static sd_status exec_params(pg_store *S, PGconn *c, const char *sql, int n, const char *const *v,
                             const char *what, sd_error *err)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
    sd_status st = !r ? nomem(S, err)
                   : (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
                       ? sd__pg_fail(c, r, S->uri.display, what, err)
                       : SD_OK;
    PQclear(r);
    return st;
}

static sd_status create_schema(pg_store *S, PGconn *c, const char *codebook, sd_error *err)
{
    const sd__questionnaire *q = S->base.q;
    static const char *const ddl[] = {
        "CREATE TABLE IF NOT EXISTS sondage_meta (key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sondage_codebook (tbl text PRIMARY KEY, codebook text NOT "
        "NULL)",
        "CREATE TABLE IF NOT EXISTS sondage_sessions (sid text PRIMARY KEY, csrf text NOT NULL, "
        "token text UNIQUE, lang text NOT NULL, seed bigint NOT NULL, page bigint NOT NULL, "
        "answers text NOT NULL, status integer NOT NULL DEFAULT 0, response_id bigint, started "
        "timestamptz NOT NULL, updated timestamptz NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sondage_tokens (token text PRIMARY KEY, created timestamptz "
        "NOT NULL, sid text)",
        "CREATE TABLE IF NOT EXISTS sondage_quotas (variable text NOT NULL, code double "
        "precision NOT NULL, lim bigint NOT NULL, done bigint NOT NULL DEFAULT 0, PRIMARY KEY "
        "(variable, code))",
    };
    sd_status st = SD_OK;
    for (size_t i = 0; st == SD_OK && i < sizeof ddl / sizeof ddl[0]; i++)
        st = exec_simple(S, c, ddl[i], NULL, err);
    bool exists = false;
    if (st == SD_OK)
        st = check_columns(S, c, &exists, err);
    if (st == SD_OK && !exists) {
        sd_strbuf sql;
        sd__sb_init(&sql, (size_t)1 << 24);
        sd__sb_printf(&sql, "CREATE TABLE %s (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                      S->qresp);
        for (size_t i = 0; i < q->nvars && st == SD_OK; i++) {
            char *qi = sd__pg_quote_ident(c, q->vars[i].name);
            if (!qi) {
                st = nomem(S, err);
                break;
            }
            sd__sb_printf(&sql, ", %s %s", qi,
                          q->vars[i].type == SD_TYPE_STRING ? "text" : "double precision");
            sd__free(qi);
        }
        sd__sb_putc(&sql, ')');
        if (st == SD_OK)
            st = sd__sb_status(&sql) != SD_OK ? nomem(S, err)
                                              : exec_simple(S, c, sd__sb_str(&sql), NULL, err);
        sd__sb_free(&sql);
    }
    if (st == SD_OK) {
        const char *v[2] = {S->uri.table, codebook};
        st = exec_params(S, c,
                         "INSERT INTO sondage_codebook (tbl, codebook) VALUES ($1, $2) ON "
                         "CONFLICT (tbl) DO UPDATE SET codebook = EXCLUDED.codebook",
                         2, v, "cannot store the codebook", err);
    }
    if (st == SD_OK) {
        char *text = sd__strndup(q->text, q->text_len);
        const char *v[1] = {text};
        st = !text ? nomem(S, err)
                   : exec_params(S, c,
                                 "INSERT INTO sondage_meta (key, value) VALUES ('schema', '1'), "
                                 "('questionnaire', $1) ON CONFLICT (key) DO UPDATE SET value = "
                                 "EXCLUDED.value",
                                 1, v, "cannot store the questionnaire", err);
        sd__free(text);
    }
    return st;
}

/* Limits from the questionnaire, counts from the stored interviews. The
 * table lock waits for completions in flight on other servers and holds
 * new ones until the counts are made (each statement then sees them). */
static sd_status sync_quotas(pg_store *S, PGconn *c, sd_error *err)
{
    const sd__questionnaire *q = S->base.q;
    sd_status st = exec_simple(S, c, "LOCK TABLE sondage_quotas IN SHARE ROW EXCLUSIVE MODE",
                               NULL, err);
    if (st == SD_OK)
        st = exec_simple(S, c, "DELETE FROM sondage_quotas", NULL, err);
    for (size_t i = 0; st == SD_OK && i < q->nquotas; i++) {
        const sd__quota *qt = &q->quotas[i];
        char *qi = sd__pg_quote_ident(c, qt->var_name);
        if (!qi)
            return nomem(S, err);
        sd_strbuf sql;
        sd__sb_init(&sql, 1 << 16);
        sd__sb_printf(&sql,
                      "INSERT INTO sondage_quotas (variable, code, lim, done) VALUES ($1, $2, $3, "
                      "(SELECT count(*) FROM %s WHERE %s = $2::float8))",
                      S->qresp, qi);
        sd__free(qi);
        for (size_t k = 0; st == SD_OK && k < qt->ncells; k++) {
            char cbuf[SD_NUMBUF], lbuf[24];
            sd__fmt_double(cbuf, qt->cells[k].code);
            snprintf(lbuf, sizeof lbuf, "%ld", qt->cells[k].limit);
            const char *v[3] = {qt->var_name, cbuf, lbuf};
            st = sd__sb_status(&sql) != SD_OK
                     ? nomem(S, err)
                     : exec_params(S, c, sd__sb_str(&sql), 3, v, "cannot store the quotas", err);
        }
        sd__sb_free(&sql);
    }
    return st;
}

sd_status sd__store_open_pg(const char *uri, const sd__questionnaire *q, bool set_quotas,
                            sd__store **out, sd_error *err)
{
    *out = NULL;
    char *codebook = NULL;
    size_t cblen;
    sd_status st = sd__questionnaire_codebook(q, &codebook, &cblen, err);
    if (st != SD_OK)
        return st;
    pg_store *S = sd__calloc(1, sizeof *S);
    if (!S) {
        sd__free(codebook);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    S->base.ops = &pg_ops;
    S->base.q = q;
    S->base.name = "";
    pthread_mutex_init(&S->mu, NULL);
    pthread_cond_init(&S->cv, NULL);
    pthread_mutex_init(&S->qmu, NULL);
    pthread_cond_init(&S->qcv, NULL);
    st = sd__pg_uri_parse(uri, NULL, &S->uri, err);
    if (st == SD_OK && !S->uri.table && !(S->uri.table = sd__strdup("responses")))
        st = nomem(S, err);
    if (st == SD_OK)
        S->base.name = S->uri.display;
    PGconn *c = NULL;
    if (st == SD_OK)
        st = conn_open(S, &c, err);
    if (st == SD_OK && !(S->qresp = sd__pg_quote_table(c, S->uri.table)))
        st = nomem(S, err);
    /* The INSERT of a completed interview. */
    if (st == SD_OK) {
        sd_strbuf sql;
        sd__sb_init(&sql, (size_t)1 << 24);
        sd__sb_printf(&sql, "INSERT INTO %s (", S->qresp);
        for (size_t i = 0; i < q->nvars && st == SD_OK; i++) {
            char *qi = sd__pg_quote_ident(c, q->vars[i].name);
            if (!qi)
                st = nomem(S, err);
            else
                sd__sb_printf(&sql, "%s%s", i ? ", " : "", qi);
            sd__free(qi);
        }
        sd__sb_puts(&sql, ") VALUES (");
        for (size_t i = 0; i < q->nvars; i++)
            sd__sb_printf(&sql, "%s$%zu", i ? ", " : "", i + 1);
        sd__sb_puts(&sql, ") RETURNING id");
        if (st == SD_OK && q->nvars > 60000)
            st = sd__fail(err, SD_E_TOO_LARGE, S->uri.display, 0, 0, NULL,
                          "more variables than PostgreSQL binds in one statement");
        if (st == SD_OK && (sd__sb_status(&sql) != SD_OK || !(S->insert_sql = sd__sb_take(&sql))))
            st = nomem(S, err);
        sd__sb_free(&sql);
    }
    /* Schema, codebook and quotas in one transaction, one server at a time. */
    if (st == SD_OK && (st = exec_simple(S, c, "BEGIN", NULL, err)) == SD_OK) {
        st = exec_simple(S, c, "SELECT pg_advisory_xact_lock(7250117)", NULL, err);
        if (st == SD_OK)
            st = create_schema(S, c, codebook, err);
        if (st == SD_OK && set_quotas)
            st = sync_quotas(S, c, err);
        if (st == SD_OK)
            st = exec_simple(S, c, "COMMIT", NULL, err);
        else
            PQclear(PQexec(c, "ROLLBACK"));
    }
    sd__free(codebook);
    if (c)
        PQfinish(c);
    if (st != SD_OK) {
        p_close(&S->base);
        return st;
    }
    /* One connection now: the store is reachable and its statements
     * prepare (a mistake shows at start, not at the first respondent). */
    pconn *p;
    if ((st = conn_get(S, &p, err)) != SD_OK) {
        p_close(&S->base);
        return st;
    }
    conn_put(S, p);
    for (size_t i = 0; i < NWORKERS; i++) {
        if (pthread_create(&S->workers[i], NULL, worker_main, S) != 0) {
            p_close(&S->base);
            return sd__fail(err, SD_E_INTERNAL, NULL, 0, 0, NULL, "cannot start the store's threads");
        }
        S->nworkers++;
    }
    *out = &S->base;
    return SD_OK;
}
