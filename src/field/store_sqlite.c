/*
 * store_sqlite.c — the fieldwork store in one SQLite file (store.h has the
 * contract).
 *
 * Tables: responses (id INTEGER PRIMARY KEY, then one column per stored
 * variable: NUMERIC or TEXT) — what the readers read (read_sqlite.c), with
 * the codebook in sondage_codebook; sondage_sessions, sondage_quotas,
 * sondage_tokens, sondage_meta for the server.
 *
 * Durability: WAL journal with synchronous=FULL, so a commit returns once
 * its WAL frames are on disk (fsync). One writer thread owns the only write
 * connection; requests queue for it and it commits them in groups (group
 * commit): one transaction per batch, one SAVEPOINT per request so that a
 * request that fails rolls back alone, one fsync for the batch. A request
 * returns only after its batch's COMMIT, so the thank-you page is sent only
 * for a durable interview. Quota cells are updated with
 * `done = done + 1 WHERE done < lim` inside the same transaction, by the
 * only writer: a cell never goes over, however many respondents finish at
 * once. Readers (session pages, admin counts) use a small pool of read
 * connections; WAL lets them read while the writer writes.
 */
#include "store.h"

#include <math.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define MAX_BATCH 512
#define MAX_READERS 16

/* Invitation tokens go through the writer too: a request of its own kind. */
#define OP_TOKENS ((sd__store_op)99)

typedef struct tok_req {
    sd__store_req r; /* first: the queue holds &r */
    size_t n;
    char *tokens;    /* out: n * (SD_SID_LEN + 1) bytes */
} tok_req;

typedef struct rconn {
    sqlite3 *db;
    sqlite3_stmt *get;  /* a session by sid */
    sqlite3_stmt *cell; /* one quota cell */
    struct rconn *next; /* the free list */
} rconn;

typedef struct sqlite_store {
    sd__store base;
    char *path;
    sqlite3 *w; /* the write connection, used by the writer thread only (after open) */
    sqlite3_stmt *s_begin, *s_commit, *s_rollback, *s_savepoint, *s_release, *s_rollback_to;
    sqlite3_stmt *s_new, *s_token_claim, *s_token_sid, *s_save, *s_set_complete, *s_status,
        *s_quota_cell, *s_quota_hit, *s_insert, *s_set_rid, *s_screen, *s_token_new;
    pthread_t writer;
    bool writer_started;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    sd__store_req *head, *tail;
    bool stopping;
    /* read pool */
    pthread_mutex_t rmu;
    pthread_cond_t rcv;
    rconn *free_list;
    size_t nreaders;
} sqlite_store;

static sd_status db_fail(sqlite3 *db, sd_error *err, const char *path, const char *what)
{
    int code = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
    sd_status st = code == SQLITE_NOMEM ? SD_E_NOMEM
                   : code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? SD_E_FORMAT
                                                                      : SD_E_IO;
    return sd__fail(err, st, path, 0, 0, NULL, "%s: %s", what,
                    db ? sqlite3_errmsg(db) : "out of memory");
}

static void quote_ident(sd_strbuf *sb, const char *name)
{
    /* Names are validated (letters, digits, _ . @ # $): no quote inside. */
    sd__sb_putc(sb, '"');
    sd__sb_puts(sb, name);
    sd__sb_putc(sb, '"');
}

static sd_status exec(sqlite3 *db, const char *sql, sd_error *err, const char *path)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sd_status st = sd__fail(err, SD_E_IO, path, 0, 0, NULL, "%s", msg ? msg : "SQLite error");
        sqlite3_free(msg);
        return st;
    }
    return SD_OK;
}

static sd_status prep(sqlite3 *db, const char *sql, sqlite3_stmt **s, sd_error *err,
                      const char *path)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
        return db_fail(db, err, path, "cannot prepare a statement");
    return SD_OK;
}

/* Run a prepared statement to its end (it is reset, bindings cleared). */
static int run(sqlite3_stmt *s)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

/* ------------------------------------------------------------ sessions */

void sd__session_free(sd__session *s)
{
    if (!s)
        return;
    sd__free(s->answers);
    s->answers = NULL;
}

static void copy_fixed(char *dst, size_t cap, const unsigned char *src)
{
    size_t n = src ? strnlen((const char *)src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Fill a session from a row of sid, csrf, token, lang, seed, page, status,
 * response_id, answers. */
static bool session_from_row(sqlite3_stmt *s, sd__session *out)
{
    memset(out, 0, sizeof *out);
    copy_fixed(out->sid, sizeof out->sid, sqlite3_column_text(s, 0));
    copy_fixed(out->csrf, sizeof out->csrf, sqlite3_column_text(s, 1));
    copy_fixed(out->token, sizeof out->token, sqlite3_column_text(s, 2));
    copy_fixed(out->lang, sizeof out->lang, sqlite3_column_text(s, 3));
    out->seed = (uint64_t)sqlite3_column_int64(s, 4);
    sqlite3_int64 page = sqlite3_column_int64(s, 5);
    out->page = page < 0 ? 0 : (size_t)page;
    int status = sqlite3_column_int(s, 6);
    out->status = status == 1 ? SD_SESS_COMPLETE : status == 2 ? SD_SESS_SCREENED : SD_SESS_ACTIVE;
    out->response_id = (long)sqlite3_column_int64(s, 7);
    const char *a = (const char *)sqlite3_column_text(s, 8);
    int n = sqlite3_column_bytes(s, 8);
    out->answers = sd__strndup(a ? a : "", a ? (size_t)n : 0);
    return out->answers != NULL;
}

#define SESSION_COLS "sid, csrf, token, lang, seed, page, status, response_id, answers"

/* ------------------------------------------------------------ the writer */

static void bind_session(sqlite3_stmt *s, const sd__session *x)
{
    /* ?1 sid ?2 page ?3 answers ?4 lang */
    sqlite3_bind_text(s, 1, x->sid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)x->page);
    sqlite3_bind_text(s, 3, x->answers ? x->answers : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, x->lang, -1, SQLITE_STATIC);
}

static sd_status w_fail(sqlite_store *S, sd__store_req *o, const char *what)
{
    return db_fail(S->w, o->err, S->path, what);
}

static sd_status do_new(sqlite_store *S, sd__store_req *o)
{
    sd__session *x = o->sess;
    if (x->token[0]) {
        sqlite3_bind_text(S->s_token_claim, 1, x->sid, -1, SQLITE_STATIC);
        sqlite3_bind_text(S->s_token_claim, 2, x->token, -1, SQLITE_STATIC);
        if (run(S->s_token_claim) != SQLITE_DONE)
            return w_fail(S, o, "cannot claim the token");
        if (sqlite3_changes(S->w) == 0) {
            /* Unknown, or it started a session already: resume that one. */
            sqlite3_bind_text(S->s_token_sid, 1, x->token, -1, SQLITE_STATIC);
            int rc = sqlite3_step(S->s_token_sid);
            sd_status st = SD_OK;
            if (rc == SQLITE_ROW) {
                char tok[SD_SID_LEN + 1];
                memcpy(tok, x->token, sizeof tok);
                sd__session_free(x);
                if (!session_from_row(S->s_token_sid, x))
                    st = sd__fail(o->err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
                memcpy(x->token, tok, sizeof tok);
                o->resumed = true;
            } else if (rc == SQLITE_DONE) {
                st = sd__fail(o->err, SD_E_NOT_FOUND, S->path, 0, 0, NULL,
                              "unknown invitation token");
            } else {
                st = w_fail(S, o, "cannot read the token");
            }
            sqlite3_reset(S->s_token_sid);
            sqlite3_clear_bindings(S->s_token_sid);
            return st;
        }
    }
    sqlite3_stmt *s = S->s_new;
    sqlite3_bind_text(s, 1, x->sid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, x->csrf, -1, SQLITE_STATIC);
    if (x->token[0])
        sqlite3_bind_text(s, 3, x->token, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, x->lang, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)x->seed);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)x->page);
    sqlite3_bind_text(s, 7, x->answers ? x->answers : "", -1, SQLITE_STATIC);
    if (run(s) != SQLITE_DONE)
        return w_fail(S, o, "cannot create the session");
    return SD_OK;
}

static sd_status do_save(sqlite_store *S, sd__store_req *o)
{
    bind_session(S->s_save, o->sess);
    if (run(S->s_save) != SQLITE_DONE)
        return w_fail(S, o, "cannot save the page");
    return SD_OK;
}

static sd_status do_screen(sqlite_store *S, sd__store_req *o)
{
    bind_session(S->s_screen, o->sess);
    if (run(S->s_screen) != SQLITE_DONE)
        return w_fail(S, o, "cannot screen out");
    return SD_OK;
}

/* The session's stored status and row id (after a refused transition). */
static sd_status read_status(sqlite_store *S, sd__store_req *o)
{
    sqlite3_bind_text(S->s_status, 1, o->sess->sid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(S->s_status);
    sd_status st = SD_OK;
    if (rc == SQLITE_ROW) {
        int status = sqlite3_column_int(S->s_status, 0);
        o->outcome = status == 2 ? SD_OUTCOME_SCREENED : SD_OUTCOME_COMPLETE;
        o->id = (long)sqlite3_column_int64(S->s_status, 1);
        if (status == 0)
            st = sd__fail(o->err, SD_E_INTERNAL, S->path, 0, 0, NULL, "session state changed");
    } else if (rc == SQLITE_DONE) {
        st = sd__fail(o->err, SD_E_NOT_FOUND, S->path, 0, 0, NULL, "no such session");
    } else {
        st = w_fail(S, o, "cannot read the session");
    }
    sqlite3_reset(S->s_status);
    sqlite3_clear_bindings(S->s_status);
    return st;
}

static sd_status do_complete(sqlite_store *S, sd__store_req *o)
{
    const sd__questionnaire *q = S->base.q;
    const sd__answers *row = o->row;
    bind_session(S->s_set_complete, o->sess);
    if (run(S->s_set_complete) != SQLITE_DONE)
        return w_fail(S, o, "cannot complete the session");
    if (sqlite3_changes(S->w) == 0)
        return read_status(S, o); /* complete or screened out already */
    /* Quotas: every cell this respondent falls in must have room. */
    for (size_t i = 0; i < q->nquotas; i++) {
        const sd__quota *qt = &q->quotas[i];
        if (!row->set[qt->var])
            continue;
        double code = row->num[qt->var];
        bool limited = false;
        for (size_t k = 0; k < qt->ncells; k++)
            limited |= qt->cells[k].code == code;
        if (!limited)
            continue;
        long limit = 0;
        for (size_t k = 0; k < qt->ncells; k++)
            if (qt->cells[k].code == code)
                limit = qt->cells[k].limit;
        /* The limit is this server's (its --quota overrides included); the
         * row is made when missing so that a cell is never unlimited by
         * accident. */
        sqlite3_bind_text(S->s_quota_cell, 1, qt->var_name, -1, SQLITE_STATIC);
        sqlite3_bind_double(S->s_quota_cell, 2, code);
        sqlite3_bind_int64(S->s_quota_cell, 3, limit);
        if (run(S->s_quota_cell) != SQLITE_DONE)
            return w_fail(S, o, "cannot count the quota");
        sqlite3_bind_text(S->s_quota_hit, 1, qt->var_name, -1, SQLITE_STATIC);
        sqlite3_bind_double(S->s_quota_hit, 2, code);
        sqlite3_bind_int64(S->s_quota_hit, 3, limit);
        if (run(S->s_quota_hit) != SQLITE_DONE)
            return w_fail(S, o, "cannot count the quota");
        if (sqlite3_changes(S->w) == 0) {
            o->outcome = SD_OUTCOME_SCREENED;
            o->full_ = true;
            return SD_OK; /* the caller rolls back and screens out */
        }
    }
    sqlite3_stmt *s = S->s_insert;
    for (size_t i = 0; i < q->nvars; i++) {
        int p = (int)i + 1;
        if (i >= row->n || !row->set[i])
            sqlite3_bind_null(s, p);
        else if (q->vars[i].type == SD_TYPE_STRING)
            sqlite3_bind_text(s, p, row->str[i] ? row->str[i] : "", -1, SQLITE_STATIC);
        else
            sqlite3_bind_double(s, p, row->num[i]);
    }
    if (run(s) != SQLITE_DONE)
        return w_fail(S, o, "cannot store the interview");
    o->id = (long)sqlite3_last_insert_rowid(S->w);
    sqlite3_bind_int64(S->s_set_rid, 1, o->id);
    sqlite3_bind_text(S->s_set_rid, 2, o->sess->sid, -1, SQLITE_STATIC);
    if (run(S->s_set_rid) != SQLITE_DONE)
        return w_fail(S, o, "cannot complete the session");
    o->outcome = SD_OUTCOME_COMPLETE;
    return SD_OK;
}

static sd_status do_tokens(sqlite_store *S, tok_req *t)
{
    sd__store_req *o = &t->r;
    size_t n = t->n, cap;
    if (!sd__mul_ok(n, SD_SID_LEN + 1, &cap) || !(t->tokens = sd__malloc(cap ? cap : 1)))
        return sd__fail(o->err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char *tk = t->tokens + i * (SD_SID_LEN + 1);
        sd_status st = sd__random_hex(tk, SD_SID_LEN / 2, o->err);
        if (st != SD_OK)
            return st;
        sqlite3_bind_text(S->s_token_new, 1, tk, -1, SQLITE_STATIC);
        if (run(S->s_token_new) != SQLITE_DONE)
            return w_fail(S, o, "cannot store the tokens");
    }
    return SD_OK;
}

static void run_op(sqlite_store *S, sd__store_req *o)
{
    if (run(S->s_savepoint) != SQLITE_DONE) {
        o->st = w_fail(S, o, "cannot start a savepoint");
        return;
    }
    if (o->op == OP_TOKENS) {
        o->st = do_tokens(S, (tok_req *)o);
    } else {
        switch (o->op) {
        case SD_STORE_NEW: o->st = do_new(S, o); break;
        case SD_STORE_SAVE: o->st = do_save(S, o); break;
        case SD_STORE_SCREEN: o->st = do_screen(S, o); break;
        case SD_STORE_COMPLETE:
            o->st = do_complete(S, o);
            if (o->st == SD_OK && o->full_) {
                /* A full cell: undo the increments, then screen out. */
                run(S->s_rollback_to);
                o->st = do_screen(S, o);
            }
            break;
        }
    }
    if (o->st != SD_OK)
        run(S->s_rollback_to);
    run(S->s_release);
}

static void *writer_main(void *arg)
{
    sqlite_store *S = arg;
    for (;;) {
        pthread_mutex_lock(&S->mu);
        while (!S->head && !S->stopping)
            pthread_cond_wait(&S->wake, &S->mu);
        if (!S->head && S->stopping) {
            pthread_mutex_unlock(&S->mu);
            return NULL;
        }
        sd__store_req *batch = S->head, *last = batch;
        size_t n = 1;
        while (last->next_ && n < MAX_BATCH) {
            last = last->next_;
            n++;
        }
        S->head = last->next_;
        if (!S->head)
            S->tail = NULL;
        last->next_ = NULL;
        pthread_mutex_unlock(&S->mu);

        bool began = run(S->s_begin) == SQLITE_DONE;
        for (sd__store_req *o = batch; o; o = o->next_) {
            if (began)
                run_op(S, o);
            else
                o->st = db_fail(S->w, o->err, S->path, "cannot start a transaction");
        }
        if (began && run(S->s_commit) != SQLITE_DONE) {
            /* Nothing of the batch is stored: every request fails. */
            char msg[256];
            snprintf(msg, sizeof msg, "cannot commit: %s", sqlite3_errmsg(S->w));
            run(S->s_rollback);
            for (sd__store_req *o = batch; o; o = o->next_)
                if (o->st == SD_OK)
                    o->st = sd__fail(o->err, SD_E_IO, S->path, 0, 0, NULL, "%s", msg);
        }
        /* Tell each requester; a request may be freed as soon as its done
         * is called, so read next first. */
        for (sd__store_req *o = batch, *nx; o; o = nx) {
            nx = o->next_;
            o->done(o);
        }
    }
}

/* Queue a request for the writer; its done is called after its batch's
 * commit. */
static sd_status s_submit(sd__store *st, sd__store_req *o)
{
    sqlite_store *S = (sqlite_store *)st;
    o->next_ = NULL;
    o->full_ = false;
    o->st = SD_OK;
    o->outcome = SD_OUTCOME_COMPLETE;
    o->id = 0;
    o->resumed = false;
    pthread_mutex_lock(&S->mu);
    if (S->stopping) {
        pthread_mutex_unlock(&S->mu);
        return sd__fail(o->err, SD_E_IO, S->path, 0, 0, NULL, "the store is closing");
    }
    if (S->tail)
        S->tail->next_ = o;
    else
        S->head = o;
    S->tail = o;
    pthread_cond_signal(&S->wake);
    pthread_mutex_unlock(&S->mu);
    return SD_OK;
}

/* ------------------------------------------------------------ readers */

static sd_status reader_get(sqlite_store *S, rconn **out, sd_error *err)
{
    pthread_mutex_lock(&S->rmu);
    while (!S->free_list && S->nreaders >= MAX_READERS)
        pthread_cond_wait(&S->rcv, &S->rmu);
    rconn *r = S->free_list;
    if (r) {
        S->free_list = r->next;
        pthread_mutex_unlock(&S->rmu);
        *out = r;
        return SD_OK;
    }
    S->nreaders++;
    pthread_mutex_unlock(&S->rmu);
    sd_status st = SD_OK;
    if (!(r = sd__calloc(1, sizeof *r)))
        st = sd__fail(err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
    else if (sqlite3_open_v2(S->path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
             SQLITE_OK)
        st = db_fail(r->db, err, S->path, "cannot open for reading");
    else {
        sqlite3_busy_timeout(r->db, 10000);
        st = prep(r->db, "SELECT " SESSION_COLS " FROM sondage_sessions WHERE sid = ?1", &r->get,
                  err, S->path);
        if (st == SD_OK)
            st = prep(r->db,
                      "SELECT done >= lim FROM sondage_quotas WHERE variable = ?1 AND code = ?2",
                      &r->cell, err, S->path);
    }
    if (st != SD_OK) {
        if (r) {
            sqlite3_finalize(r->get);
            sqlite3_finalize(r->cell);
            sqlite3_close(r->db);
            sd__free(r);
        }
        pthread_mutex_lock(&S->rmu);
        S->nreaders--;
        pthread_cond_signal(&S->rcv);
        pthread_mutex_unlock(&S->rmu);
        return st;
    }
    *out = r;
    return SD_OK;
}

static void reader_put(sqlite_store *S, rconn *r)
{
    pthread_mutex_lock(&S->rmu);
    r->next = S->free_list;
    S->free_list = r;
    pthread_cond_signal(&S->rcv);
    pthread_mutex_unlock(&S->rmu);
}

/* ------------------------------------------------------------ the ops */

static sd_status s_session_get(sd__store *st, const char *sid, sd__session *out, bool *found,
                               sd_error *err)
{
    sqlite_store *S = (sqlite_store *)st;
    rconn *r;
    *found = false;
    memset(out, 0, sizeof *out);
    sd_status rc = reader_get(S, &r, err);
    if (rc != SD_OK)
        return rc;
    sqlite3_bind_text(r->get, 1, sid, -1, SQLITE_STATIC);
    int step = sqlite3_step(r->get);
    if (step == SQLITE_ROW) {
        *found = true;
        if (!session_from_row(r->get, out))
            rc = sd__fail(err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
    } else if (step != SQLITE_DONE) {
        rc = db_fail(r->db, err, S->path, "cannot read the session");
    }
    sqlite3_reset(r->get);
    sqlite3_clear_bindings(r->get);
    reader_put(S, r);
    return rc;
}

static sd_status s_cell_full(sd__store *st, size_t quota, double code, bool *full, sd_error *err)
{
    sqlite_store *S = (sqlite_store *)st;
    *full = false;
    if (quota >= st->q->nquotas)
        return SD_OK;
    rconn *r;
    sd_status rc = reader_get(S, &r, err);
    if (rc != SD_OK)
        return rc;
    sqlite3_bind_text(r->cell, 1, st->q->quotas[quota].var_name, -1, SQLITE_STATIC);
    sqlite3_bind_double(r->cell, 2, code);
    int step = sqlite3_step(r->cell);
    if (step == SQLITE_ROW)
        *full = sqlite3_column_int(r->cell, 0) != 0;
    else if (step != SQLITE_DONE)
        rc = db_fail(r->db, err, S->path, "cannot read the quota");
    sqlite3_reset(r->cell);
    sqlite3_clear_bindings(r->cell);
    reader_put(S, r);
    return rc;
}

static sd_status s_quota_counts(sd__store *st, sd__quota_count **out, size_t *n, sd_error *err)
{
    sqlite_store *S = (sqlite_store *)st;
    const sd__questionnaire *q = st->q;
    *out = NULL;
    *n = 0;
    size_t total = 0;
    for (size_t i = 0; i < q->nquotas; i++)
        total += q->quotas[i].ncells;
    sd__quota_count *v = sd__zalloc(total, sizeof *v);
    if (!v)
        return sd__fail(err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
    rconn *r;
    sd_status rc = reader_get(S, &r, err);
    if (rc != SD_OK) {
        sd__free(v);
        return rc;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT lim, done FROM sondage_quotas WHERE variable = ?1 AND code = ?2",
                           -1, &s, NULL) != SQLITE_OK)
        rc = db_fail(r->db, err, S->path, "cannot read the quotas");
    for (size_t i = 0; rc == SD_OK && i < q->nquotas; i++)
        for (size_t k = 0; rc == SD_OK && k < q->quotas[i].ncells; k++) {
            sd__quota_count *c = &v[(*n)++];
            c->var = q->quotas[i].var_name;
            c->code = q->quotas[i].cells[k].code;
            c->limit = q->quotas[i].cells[k].limit;
            sqlite3_bind_text(s, 1, c->var, -1, SQLITE_STATIC);
            sqlite3_bind_double(s, 2, c->code);
            int step = sqlite3_step(s);
            if (step == SQLITE_ROW) {
                c->limit = (long)sqlite3_column_int64(s, 0);
                c->done = (long)sqlite3_column_int64(s, 1);
            } else if (step != SQLITE_DONE) {
                rc = db_fail(r->db, err, S->path, "cannot read the quotas");
            }
            sqlite3_reset(s);
        }
    sqlite3_finalize(s);
    reader_put(S, r);
    if (rc != SD_OK) {
        sd__free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return SD_OK;
}

static sd_status s_session_counts(sd__store *st, long counts[3], sd_error *err)
{
    sqlite_store *S = (sqlite_store *)st;
    counts[0] = counts[1] = counts[2] = 0;
    rconn *r;
    sd_status rc = reader_get(S, &r, err);
    if (rc != SD_OK)
        return rc;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT status, count(*) FROM sondage_sessions GROUP BY status", -1,
                           &s, NULL) != SQLITE_OK) {
        rc = db_fail(r->db, err, S->path, "cannot count the sessions");
    } else {
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            int status = sqlite3_column_int(s, 0);
            if (status >= 0 && status <= 2)
                counts[status] = (long)sqlite3_column_int64(s, 1);
        }
        if (step != SQLITE_DONE)
            rc = db_fail(r->db, err, S->path, "cannot count the sessions");
        sqlite3_finalize(s);
    }
    reader_put(S, r);
    return rc;
}

static sd_status s_tokens_create(sd__store *st, size_t n, char **out, sd_error *err)
{
    tok_req t = {.r = {.op = OP_TOKENS, .err = err}, .n = n};
    sd_status rc = sd__store_wait(st, &t.r);
    if (rc != SD_OK) {
        sd__free(t.tokens);
        *out = NULL;
        return rc;
    }
    *out = t.tokens;
    return SD_OK;
}

static void s_close(sd__store *st)
{
    sqlite_store *S = (sqlite_store *)st;
    if (!S)
        return;
    if (S->writer_started) {
        pthread_mutex_lock(&S->mu);
        S->stopping = true;
        pthread_cond_broadcast(&S->wake);
        pthread_mutex_unlock(&S->mu);
        pthread_join(S->writer, NULL);
    }
    sqlite3_stmt **all[] = {&S->s_begin,      &S->s_commit,     &S->s_rollback,
                            &S->s_savepoint,  &S->s_release,    &S->s_rollback_to,
                            &S->s_new,        &S->s_token_claim, &S->s_token_sid,
                            &S->s_save,       &S->s_set_complete, &S->s_status,
                            &S->s_quota_cell, &S->s_quota_hit, &S->s_insert,     &S->s_set_rid,
                            &S->s_screen,     &S->s_token_new};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(*all[i]);
    sqlite3_close(S->w);
    for (rconn *r = S->free_list, *nx; r; r = nx) {
        nx = r->next;
        sqlite3_finalize(r->get);
        sqlite3_finalize(r->cell);
        sqlite3_close(r->db);
        sd__free(r);
    }
    pthread_mutex_destroy(&S->mu);
    pthread_cond_destroy(&S->wake);
    pthread_mutex_destroy(&S->rmu);
    pthread_cond_destroy(&S->rcv);
    sd__free(S->path);
    sd__free(S);
}

static const sd__store_ops sqlite_ops = {
    .submit = s_submit,
    .session_get = s_session_get,
    .cell_full = s_cell_full,
    .quota_counts = s_quota_counts,
    .session_counts = s_session_counts,
    .tokens_create = s_tokens_create,
    .close = s_close,
};

/* ------------------------------------------------------------ opening */

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* The responses table must have id then exactly the questionnaire's
 * variables, in order and of the same types. */
static sd_status check_columns(sqlite_store *S, sd_error *err, bool *exists)
{
    const sd__questionnaire *q = S->base.q;
    sqlite3_stmt *s;
    *exists = false;
    sd_status st = prep(S->w, "SELECT name, type FROM pragma_table_info('responses') ORDER BY cid",
                        &s, err, S->path);
    if (st != SD_OK)
        return st;
    size_t i = 0;
    int rc;
    while (st == SD_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        *exists = true;
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *type = (const char *)sqlite3_column_text(s, 1);
        const char *want = i == 0 ? "id" : i - 1 < q->nvars ? q->vars[i - 1].name : NULL;
        const char *want_type = i == 0 ? "INTEGER"
                                : want && q->vars[i - 1].type == SD_TYPE_STRING ? "TEXT"
                                                                                : "NUMERIC";
        if (!want)
            st = sd__fail(err, SD_E_CONFLICT, S->path, 0, 0, name,
                          "this store was made for another questionnaire: it has a column '%s' "
                          "after the questionnaire's last variable",
                          name ? name : "");
        else if (!name || strcmp(name, want) != 0 || !type || strcmp(type, want_type) != 0)
            st = sd__fail(err, SD_E_CONFLICT, S->path, 0, 0, want,
                          "this store was made for another questionnaire: column %zu is '%s' "
                          "(%s), the questionnaire's is '%s' (%s)",
                          i + 1, name ? name : "", type ? type : "", want, want_type);
        i++;
    }
    if (st == SD_OK && rc != SQLITE_DONE)
        st = db_fail(S->w, err, S->path, "cannot read the schema");
    if (st == SD_OK && *exists && i != q->nvars + 1)
        st = sd__fail(err, SD_E_CONFLICT, S->path, 0, 0, q->vars[i - 1].name,
                      "this store was made for another questionnaire: it has no column '%s'",
                      q->vars[i - 1].name);
    sqlite3_finalize(s);
    return st;
}

static sd_status create_schema(sqlite_store *S, const char *codebook, sd_error *err)
{
    const sd__questionnaire *q = S->base.q;
    sd_status st = exec(S->w,
                        "CREATE TABLE IF NOT EXISTS sondage_meta (key TEXT PRIMARY KEY, value TEXT "
                        "NOT NULL);"
                        "CREATE TABLE IF NOT EXISTS sondage_codebook (tbl TEXT PRIMARY KEY, "
                        "codebook TEXT NOT NULL);"
                        "CREATE TABLE IF NOT EXISTS sondage_sessions (sid TEXT PRIMARY KEY, csrf "
                        "TEXT NOT NULL, token TEXT UNIQUE, lang TEXT NOT NULL, seed INTEGER NOT "
                        "NULL, page INTEGER NOT NULL, answers TEXT NOT NULL, status INTEGER NOT "
                        "NULL DEFAULT 0, response_id INTEGER, started TEXT NOT NULL, updated TEXT "
                        "NOT NULL);"
                        "CREATE TABLE IF NOT EXISTS sondage_tokens (token TEXT PRIMARY KEY, "
                        "created TEXT NOT NULL, sid TEXT);"
                        "CREATE TABLE IF NOT EXISTS sondage_quotas (variable TEXT NOT NULL, code "
                        "REAL NOT NULL, lim INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, "
                        "PRIMARY KEY (variable, code));",
                        err, S->path);
    if (st != SD_OK)
        return st;
    bool exists;
    if ((st = check_columns(S, err, &exists)) != SD_OK)
        return st;
    if (!exists) {
        sd_strbuf sql;
        sd__sb_init(&sql, (size_t)1 << 24);
        sd__sb_puts(&sql, "CREATE TABLE responses (id INTEGER PRIMARY KEY");
        for (size_t i = 0; i < q->nvars; i++) {
            sd__sb_puts(&sql, ", ");
            quote_ident(&sql, q->vars[i].name);
            sd__sb_puts(&sql, q->vars[i].type == SD_TYPE_STRING ? " TEXT" : " NUMERIC");
        }
        sd__sb_puts(&sql, ")");
        st = sd__sb_status(&sql) != SD_OK
                 ? sd__fail(err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory")
                 : exec(S->w, sd__sb_str(&sql), err, S->path);
        sd__sb_free(&sql);
        if (st != SD_OK)
            return st;
    }
    sqlite3_stmt *s;
    if ((st = prep(S->w,
                   "INSERT INTO sondage_codebook (tbl, codebook) VALUES ('responses', ?1) ON "
                   "CONFLICT (tbl) DO UPDATE SET codebook = excluded.codebook",
                   &s, err, S->path)) != SD_OK)
        return st;
    sqlite3_bind_text(s, 1, codebook, -1, SQLITE_STATIC);
    if (run(s) != SQLITE_DONE)
        st = db_fail(S->w, err, S->path, "cannot store the codebook");
    sqlite3_finalize(s);
    if (st != SD_OK ||
        (st = prep(S->w,
                   "INSERT INTO sondage_meta (key, value) VALUES ('schema', '1'), "
                   "('questionnaire', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   &s, err, S->path)) != SD_OK)
        return st;
    sqlite3_bind_text(s, 1, q->text, (int)q->text_len, SQLITE_STATIC);
    if (run(s) != SQLITE_DONE)
        st = db_fail(S->w, err, S->path, "cannot store the questionnaire");
    sqlite3_finalize(s);
    return st;
}

/* Limits from the questionnaire; counts from the stored interviews. */
static sd_status sync_quotas(sqlite_store *S, sd_error *err)
{
    const sd__questionnaire *q = S->base.q;
    sd_status st = exec(S->w, "DELETE FROM sondage_quotas", err, S->path);
    for (size_t i = 0; st == SD_OK && i < q->nquotas; i++) {
        const sd__quota *qt = &q->quotas[i];
        sd_strbuf sql;
        sd__sb_init(&sql, 4096);
        sd__sb_puts(&sql, "INSERT INTO sondage_quotas (variable, code, lim, done) VALUES (?1, ?2, "
                          "?3, (SELECT count(*) FROM responses WHERE ");
        quote_ident(&sql, qt->var_name);
        sd__sb_puts(&sql, " = ?2))");
        sqlite3_stmt *s = NULL;
        if (sd__sb_status(&sql) != SD_OK)
            st = sd__fail(err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
        else
            st = prep(S->w, sd__sb_str(&sql), &s, err, S->path);
        sd__sb_free(&sql);
        for (size_t k = 0; st == SD_OK && k < qt->ncells; k++) {
            sqlite3_bind_text(s, 1, qt->var_name, -1, SQLITE_STATIC);
            sqlite3_bind_double(s, 2, qt->cells[k].code);
            sqlite3_bind_int64(s, 3, qt->cells[k].limit);
            if (run(s) != SQLITE_DONE)
                st = db_fail(S->w, err, S->path, "cannot store the quotas");
        }
        sqlite3_finalize(s);
    }
    return st;
}

static sd_status prepare_writer(sqlite_store *S, sd_error *err)
{
    const sd__questionnaire *q = S->base.q;
    struct {
        sqlite3_stmt **s;
        const char *sql;
    } list[] = {
        {&S->s_begin, "BEGIN IMMEDIATE"},
        {&S->s_commit, "COMMIT"},
        {&S->s_rollback, "ROLLBACK"},
        {&S->s_savepoint, "SAVEPOINT op"},
        {&S->s_release, "RELEASE op"},
        {&S->s_rollback_to, "ROLLBACK TO op"},
        {&S->s_new, "INSERT INTO sondage_sessions (sid, csrf, token, lang, seed, page, answers, "
                    "status, started, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, " NOW ", " NOW
                    ")"},
        {&S->s_token_claim, "UPDATE sondage_tokens SET sid = ?1 WHERE token = ?2 AND sid IS NULL"},
        {&S->s_token_sid, "SELECT " SESSION_COLS " FROM sondage_sessions WHERE sid = (SELECT sid "
                          "FROM sondage_tokens WHERE token = ?1 AND sid IS NOT NULL)"},
        {&S->s_save, "UPDATE sondage_sessions SET page = ?2, answers = ?3, lang = ?4, updated = "
                     NOW " WHERE sid = ?1 AND status = 0"},
        {&S->s_set_complete, "UPDATE sondage_sessions SET page = ?2, answers = ?3, lang = ?4, "
                             "status = 1, updated = " NOW " WHERE sid = ?1 AND status = 0"},
        {&S->s_status, "SELECT status, response_id FROM sondage_sessions WHERE sid = ?1"},
        {&S->s_quota_cell, "INSERT INTO sondage_quotas (variable, code, lim, done) VALUES (?1, "
                           "?2, ?3, 0) ON CONFLICT (variable, code) DO NOTHING"},
        {&S->s_quota_hit, "UPDATE sondage_quotas SET done = done + 1, lim = ?3 WHERE variable = "
                          "?1 AND code = ?2 AND done < ?3"},
        {&S->s_set_rid, "UPDATE sondage_sessions SET response_id = ?1 WHERE sid = ?2"},
        {&S->s_screen, "UPDATE sondage_sessions SET page = ?2, answers = ?3, lang = ?4, status = "
                       "2, updated = " NOW " WHERE sid = ?1 AND status = 0"},
        {&S->s_token_new, "INSERT INTO sondage_tokens (token, created) VALUES (?1, " NOW ")"},
    };
    sd_status st = SD_OK;
    for (size_t i = 0; st == SD_OK && i < sizeof list / sizeof list[0]; i++)
        st = prep(S->w, list[i].sql, list[i].s, err, S->path);
    if (st != SD_OK)
        return st;
    sd_strbuf sql;
    sd__sb_init(&sql, (size_t)1 << 24);
    sd__sb_puts(&sql, "INSERT INTO responses (");
    for (size_t i = 0; i < q->nvars; i++) {
        if (i)
            sd__sb_puts(&sql, ", ");
        quote_ident(&sql, q->vars[i].name);
    }
    sd__sb_puts(&sql, ") VALUES (");
    for (size_t i = 0; i < q->nvars; i++)
        sd__sb_printf(&sql, "%s?%zu", i ? ", " : "", i + 1);
    sd__sb_puts(&sql, ")");
    if (q->nvars > 32766)
        st = sd__fail(err, SD_E_TOO_LARGE, S->path, 0, 0, NULL,
                      "more variables than SQLite binds in one statement (32766)");
    else if (sd__sb_status(&sql) != SD_OK)
        st = sd__fail(err, SD_E_NOMEM, S->path, 0, 0, NULL, "out of memory");
    else
        st = prep(S->w, sd__sb_str(&sql), &S->s_insert, err, S->path);
    sd__sb_free(&sql);
    return st;
}

sd_status sd__store_open_sqlite(const char *path, const sd__questionnaire *q, bool set_quotas,
                                sd__store **out, sd_error *err)
{
    *out = NULL;
    if (!sqlite3_threadsafe())
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL,
                        "this SQLite library was built without thread support");
    char *codebook = NULL;
    size_t cblen;
    sd_status st = sd__questionnaire_codebook(q, &codebook, &cblen, err);
    if (st != SD_OK)
        return st;
    sqlite_store *S = sd__calloc(1, sizeof *S);
    if (!S || !(S->path = sd__strdup(path))) {
        sd__free(S);
        sd__free(codebook);
        return sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    S->base.ops = &sqlite_ops;
    S->base.q = q;
    S->base.name = S->path;
    pthread_mutex_init(&S->mu, NULL);
    pthread_cond_init(&S->wake, NULL);
    pthread_mutex_init(&S->rmu, NULL);
    pthread_cond_init(&S->rcv, NULL);
    if (sqlite3_open_v2(path, &S->w, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                         SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        st = db_fail(S->w, err, path, "cannot open");
    if (st == SD_OK) {
        sqlite3_busy_timeout(S->w, 10000);
        sqlite3_stmt *s;
        /* WAL or nothing: rollback journals would block the readers. */
        if ((st = prep(S->w, "PRAGMA journal_mode = WAL", &s, err, path)) == SD_OK) {
            int rc = sqlite3_step(s);
            const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
            if (rc != SQLITE_ROW)
                st = db_fail(S->w, err, path, "cannot use it");
            else if (!mode || strcmp(mode, "wal") != 0)
                st = sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL,
                              "cannot switch the database to WAL mode (journal mode is '%s')",
                              mode ? mode : "");
            sqlite3_finalize(s);
        }
    }
    if (st == SD_OK)
        st = exec(S->w, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF", err, path);
    if (st == SD_OK)
        st = exec(S->w, "BEGIN IMMEDIATE", err, path);
    if (st == SD_OK) {
        st = create_schema(S, codebook, err);
        if (st == SD_OK && set_quotas)
            st = sync_quotas(S, err);
        if (st == SD_OK)
            st = exec(S->w, "COMMIT", err, path);
        else
            sqlite3_exec(S->w, "ROLLBACK", NULL, NULL, NULL);
    }
    sd__free(codebook);
    if (st == SD_OK)
        st = prepare_writer(S, err);
    if (st == SD_OK) {
        if (pthread_create(&S->writer, NULL, writer_main, S) != 0)
            st = sd__fail(err, SD_E_INTERNAL, path, 0, 0, NULL, "cannot start the writer thread");
        else
            S->writer_started = true;
    }
    if (st != SD_OK) {
        s_close(&S->base);
        return st;
    }
    *out = &S->base;
    return SD_OK;
}
