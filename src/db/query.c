/*
 * query.c — one statement of the push-down: prepared (unnamed) with its
 * parameters as text, run in single-row mode with results in binary form,
 * so that its rows stream back one at a time and numbers arrive with all
 * their bits (no text round trip).
 */
#include "dbint.h"

#include <string.h>

sd_status sd__dbq_start(sd_dbq *q, sd_pgsrc *src, const char *sql, const sd_pgparams *p,
                        const char *what, sd_error *err)
{
    memset(q, 0, sizeof *q);
    q->src = src;
    PGresult *r = PQprepare(src->conn, "", sql, (int)p->n, NULL);
    if (!r)
        return sd__fail(err, SD_E_NOMEM, src->display, 0, 0, NULL, "out of memory");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        sd_status st = sd__pg_fail(src->conn, r, src->display, what, err);
        PQclear(r);
        q->done = true;
        return st;
    }
    PQclear(r);
    if (!PQsendQueryPrepared(src->conn, "", (int)p->n, (const char *const *)p->v, NULL, NULL,
                             1)) {
        q->done = true;
        return sd__pg_fail(src->conn, NULL, src->display, what, err);
    }
    if (!PQsetSingleRowMode(src->conn)) {
        sd__dbq_end(q);
        return sd__fail(err, SD_E_INTERNAL, src->display, 0, 0, NULL,
                        "%s: cannot stream the rows", what);
    }
    return SD_OK;
}

bool sd__dbq_next(sd_dbq *q, sd_status *st, const char *what, sd_error *err)
{
    *st = SD_OK;
    PQclear(q->row);
    q->row = NULL;
    if (q->done)
        return false;
    PGresult *r = PQgetResult(q->src->conn);
    if (!r) {
        q->done = true;
        return false;
    }
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_SINGLE_TUPLE) {
        q->row = r;
        return true;
    }
    if (s != PGRES_TUPLES_OK)
        *st = sd__pg_fail(q->src->conn, r, q->src->display, what, err);
    PQclear(r);
    /* The end: collect the NULL that closes the command. */
    while ((r = PQgetResult(q->src->conn)))
        PQclear(r);
    q->done = true;
    return false;
}

void sd__dbq_end(sd_dbq *q)
{
    PQclear(q->row);
    q->row = NULL;
    if (!q->done) {
        PGresult *r;
        while ((r = PQgetResult(q->src->conn)))
            PQclear(r);
        q->done = true;
    }
}
