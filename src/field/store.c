/*
 * store.c — what every store backend shares: the waiting forms of the
 * writes (submit, then wait on a semaphore until done), for the commands
 * and tests that have nothing else to do meanwhile; and the dispatch from a
 * target to its backend.
 */
#include "store.h"

#include <errno.h>
#include <semaphore.h>
#include <string.h>

static void post(sd__store_req *r) { sem_post(r->arg); }

sd_status sd__store_wait(sd__store *st, sd__store_req *r)
{
    sem_t done;
    if (sem_init(&done, 0, 0) != 0)
        return sd__fail(r->err, SD_E_INTERNAL, NULL, 0, 0, NULL, "cannot make a semaphore");
    r->done = post;
    r->arg = &done;
    sd_status rc = st->ops->submit(st, r);
    if (rc == SD_OK) {
        while (sem_wait(&done) != 0 && errno == EINTR) {
        }
        rc = r->st;
    }
    sem_destroy(&done);
    return rc;
}

sd_status sd__store_session_new(sd__store *st, sd__session *s, bool *resumed, sd_error *err)
{
    sd__store_req r = {.op = SD_STORE_NEW, .sess = s, .err = err};
    sd_status rc = sd__store_wait(st, &r);
    *resumed = r.resumed;
    return rc;
}

sd_status sd__store_session_save(sd__store *st, sd__session *s, sd_error *err)
{
    sd__store_req r = {.op = SD_STORE_SAVE, .sess = s, .err = err};
    return sd__store_wait(st, &r);
}

sd_status sd__store_complete(sd__store *st, sd__session *s, const sd__answers *row,
                             sd__outcome *outcome, long *id, sd_error *err)
{
    sd__store_req r = {.op = SD_STORE_COMPLETE, .sess = s, .row = row, .err = err};
    sd_status rc = sd__store_wait(st, &r);
    *outcome = r.outcome;
    *id = r.id;
    return rc;
}

sd_status sd__store_screen_out(sd__store *st, sd__session *s, sd_error *err)
{
    sd__store_req r = {.op = SD_STORE_SCREEN, .sess = s, .err = err};
    return sd__store_wait(st, &r);
}

sd_status sd__store_open(const char *target, const sd__questionnaire *q, bool set_quotas,
                         sd__store **out, sd_error *err)
{
    *out = NULL;
    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0)
        return sd__store_open_pg(target, q, set_quotas, out, err);
    return sd__store_open_sqlite(target, q, set_quotas, out, err);
}

void sd__store_close(sd__store *st)
{
    if (st)
        st->ops->close(st);
}
