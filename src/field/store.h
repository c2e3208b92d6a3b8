/*
 * store.h — where fieldwork keeps its state: sessions (a respondent's
 * progress), completed interviews (one row each, the codebook's
 * variables), quota counts and invitation tokens. A small interface that
 * each backend implements (store_sqlite.c, store_pg.c: several servers on
 * one PostgreSQL store), so the server knows nothing of SQL.
 *
 * The contract every backend keeps:
 *  - complete() is one transaction: the session becomes complete, its quota
 *    cells are incremented only while under their limit (else the session is
 *    screened out and nothing else changes), and the row is inserted; it
 *    returns only once that transaction is durable.
 *  - A session completes at most once: a second complete() reports the first
 *    outcome. A token starts at most one session.
 *  - Every value reaches the database as a bound parameter, never as SQL
 *    text; only validated variable names (quoted) appear in statements.
 */
#ifndef SD_FIELD_STORE_H
#define SD_FIELD_STORE_H

#include "field.h"

#define SD_SID_LEN 32 /* hex characters of a session id, CSRF or invitation token */

typedef enum sd__sess_status {
    SD_SESS_ACTIVE = 0,
    SD_SESS_COMPLETE = 1,
    SD_SESS_SCREENED = 2
} sd__sess_status;

/* A respondent's session as stored. */
typedef struct sd__session {
    char sid[SD_SID_LEN + 1];
    char csrf[SD_SID_LEN + 1];
    char token[SD_SID_LEN + 1]; /* "" for an open link */
    char lang[3];
    uint64_t seed;              /* option shuffles */
    size_t page;                /* the page to show next (npages: at the end) */
    sd__sess_status status;
    long response_id;           /* complete: the row's id; else 0 */
    char *answers;              /* owned: sd__answers_encode text ("" when none) */
} sd__session;

void sd__session_free(sd__session *s);

/* Outcome of a completion. */
typedef enum sd__outcome {
    SD_OUTCOME_COMPLETE = 0, /* stored; *id is its row */
    SD_OUTCOME_SCREENED = 1, /* a quota cell was full: screened out, nothing stored */
} sd__outcome;

/* One quota cell's state. */
typedef struct sd__quota_count {
    const char *var; /* borrowed from the questionnaire */
    double code;
    long limit, done;
} sd__quota_count;

typedef struct sd__store sd__store;

/* A write: it returns at once; `done` is called (from the store's thread)
 * once the write is durable, or has failed. */
typedef enum sd__store_op {
    SD_STORE_NEW = 0,      /* create a session (sess in; with a token, maybe resumed: out) */
    SD_STORE_SAVE = 1,     /* save progress (page, answers, lang) of an active session */
    SD_STORE_COMPLETE = 2, /* complete (the contract above); row: the effective answers */
    SD_STORE_SCREEN = 3    /* screen out an active session (a cell found full early) */
} sd__store_op;

typedef struct sd__store_req sd__store_req;
struct sd__store_req {
    sd__store_op op;
    sd__session *sess;       /* borrowed; NEW fills it in when it resumes */
    const sd__answers *row;  /* COMPLETE: borrowed */
    sd_error *err;           /* borrowed: a failure's details */
    /* Called once, from any thread, when the write is durable or failed;
     * the request (and what it borrows) may be freed from then on. */
    void (*done)(sd__store_req *r);
    void *arg;               /* the caller's */
    /* Results, valid in done: */
    sd_status st;
    sd__outcome outcome;     /* COMPLETE: complete, or screened out (a full cell); when the
                              * session had ended already, how it ended */
    long id;                 /* COMPLETE: the row's id */
    bool resumed;            /* NEW with a token that had started a session: *sess is it */
    /* The backend's own, not to be touched: */
    sd__store_req *next_;
    bool full_;
};

typedef struct sd__store_ops {
    /* Queue a write; SD_OK means done will be called, anything else that it
     * will not (the store is closing). SD_E_NOT_FOUND in r->st for an
     * unknown token. */
    sd_status (*submit)(sd__store *st, sd__store_req *r);
    /* Load a session; *found false when there is none with that id. */
    sd_status (*session_get)(sd__store *st, const char *sid, sd__session *out, bool *found,
                             sd_error *err);
    /* Is a cell full now (done >= limit)? Not atomic: completion decides. */
    sd_status (*cell_full)(sd__store *st, size_t quota, double code, bool *full, sd_error *err);
    /* Every cell, in questionnaire order; *out owned by the caller (sd__free). */
    sd_status (*quota_counts)(sd__store *st, sd__quota_count **out, size_t *n, sd_error *err);
    /* Sessions by status: [active, complete, screened out]. */
    sd_status (*session_counts)(sd__store *st, long counts[3], sd_error *err);
    /* Create n invitation tokens (durably); *out holds n strings of
     * SD_SID_LEN hex characters, NUL-terminated, one after the other. */
    sd_status (*tokens_create)(sd__store *st, size_t n, char **out, sd_error *err);
    void (*close)(sd__store *st);
} sd__store_ops;

/* Submit a request and wait for its done (store.c); r->done and r->arg
 * are taken for that. Returns r->st, or the submit's failure. */
sd_status sd__store_wait(sd__store *st, sd__store_req *r);
/* The writes, waiting for them. */
sd_status sd__store_session_new(sd__store *st, sd__session *s, bool *resumed, sd_error *err);
sd_status sd__store_session_save(sd__store *st, sd__session *s, sd_error *err);
sd_status sd__store_complete(sd__store *st, sd__session *s, const sd__answers *row,
                             sd__outcome *outcome, long *id, sd_error *err);
sd_status sd__store_screen_out(sd__store *st, sd__session *s, sd_error *err);

struct sd__store {
    const sd__store_ops *ops;
    const sd__questionnaire *q; /* borrowed: outlives the store */
    const char *name;           /* for people: the path, or the URI without its password */
};

/* Open (creating when absent) the store for a questionnaire: `target` is a
 * path (SQLite) or a postgresql:// URI (its table= names the responses
 * table, default `responses`). The codebook is written into the store; an existing store
 * made for other variables is refused. With `set_quotas` (the server), the
 * questionnaire's quotas (with any --quota override) replace the stored
 * limits and the counts are recomputed from the stored interviews; a
 * completion always checks the limits of the questionnaire it was given. */
sd_status sd__store_open(const char *target, const sd__questionnaire *q, bool set_quotas,
                         sd__store **out, sd_error *err);
void sd__store_close(sd__store *st);

sd_status sd__store_open_sqlite(const char *path, const sd__questionnaire *q, bool set_quotas,
                                sd__store **out, sd_error *err);
sd_status sd__store_open_pg(const char *uri, const sd__questionnaire *q, bool set_quotas,
                            sd__store **out, sd_error *err);

#endif /* SD_FIELD_STORE_H */
