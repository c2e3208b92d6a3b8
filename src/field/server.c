/*
 * server.c — the field server's respondent side on libmicrohttpd: routes,
 * sessions (a cookie holding a random id), CSRF checks, bounded bodies,
 * validation and navigation (answers.c), durable completion with quotas
 * (the store), pages (html.c). /admin is admin.c.
 *
 *   GET  /            start page (a button per language)
 *   POST /start       start (or, with an invitation, resume) an interview
 *   GET  /t/TOKEN     the start page of an invitation
 *   GET  /q           the current page, or the end page
 *   POST /q           answer the current page (next or back)
 *   POST /lang        change the interview's language
 *   GET  /r/SID       resume link: sets the session cookie, then /q
 *   GET  /style.css, /health
 *
 * libmicrohttpd runs a small pool of threads over epoll. A request that
 * writes (a page saved, an interview completed) hands its write to the
 * store and suspends its connection; the store's writer commits many at
 * once and resumes each connection once its write is durable, and the
 * page is sent then. No thread waits for a commit, and an idle or slow
 * connection holds no thread.
 */
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COOKIE_SESSION "sondage_s"
#define COOKIE_NONCE "sondage_n"
#define SESSION_DAYS 30

typedef struct req req;

/* ------------------------------------------------------------ responses */

static const char csp[] = "default-src 'none'; style-src 'self'; form-action 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'";

enum MHD_Result sd__send(struct MHD_Connection *c, unsigned status, const char *type,
                         sd_strbuf *body, const char *cookie, const char *extra_header,
                         const char *extra_value)
{
    struct MHD_Response *r;
    if (body && sd__sb_status(body) != SD_OK) {
        sd__sb_free(body);
        static const char oom[] = "internal error: the page could not be built\n";
        r = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        type = "text/plain; charset=utf-8";
    } else if (body && body->len) {
        size_t len = body->len;
        char *buf = sd__sb_take(body);
        r = MHD_create_response_from_buffer_with_free_callback(len, buf, sd__free);
        if (!r)
            sd__free(buf);
    } else {
        if (body)
            sd__sb_free(body);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    if (cookie)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    if (extra_header)
        MHD_add_response_header(r, extra_header, extra_value);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_html(struct MHD_Connection *c, unsigned status, sd_strbuf *sb,
                                 const char *cookie)
{
    return sd__send(c, status, "text/html; charset=utf-8", sb, cookie, NULL, NULL);
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to, const char *cookie)
{
    return sd__send(c, MHD_HTTP_SEE_OTHER, NULL, NULL, cookie, MHD_HTTP_HEADER_LOCATION, to);
}

static enum MHD_Result message(sd__server *S, struct MHD_Connection *c, unsigned status,
                               const char *lang, sd__msg m)
{
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 20);
    sd__html_message(&sb, S->q, lang, m);
    return send_html(c, status, &sb, NULL);
}

void sd__server_note_error(sd__server *s, const sd_error *err)
{
    pthread_mutex_lock(&s->mu);
    s->store_errors++;
    snprintf(s->last_error, sizeof s->last_error, "%s", err ? sd_error_message(err) : "");
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ helpers */

static bool is_hex_id(const char *s)
{
    if (!s || strlen(s) != SD_SID_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static bool lang_offered(const sd__questionnaire *q, const char *lang)
{
    for (size_t i = 0; lang && i < q->nlangs; i++)
        if (strcmp(q->langs[i], lang) == 0)
            return true;
    return false;
}

/* The language for a visitor without a session: ?lang=, else the first
 * offered language the browser names in Accept-Language, else the first. */
static const char *visitor_lang(sd__server *S, struct MHD_Connection *c)
{
    const sd__questionnaire *q = S->q;
    const char *l = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
    if (lang_offered(q, l))
        return l;
    const char *al = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
    if (al) {
        /* Languages in the order given (q-values are not weighed). */
        for (const char *p = al; *p;) {
            while (*p == ' ' || *p == ',')
                p++;
            for (size_t i = 0; i < q->nlangs; i++)
                if (strncasecmp(p, q->langs[i], 2) == 0 && (p[2] == '\0' || p[2] == '-' ||
                                                            p[2] == ';' || p[2] == ','))
                    return q->langs[i];
            while (*p && *p != ',')
                p++;
        }
    }
    return q->langs[0];
}

static void session_cookie(sd__server *S, char *buf, size_t cap, const char *sid)
{
    snprintf(buf, cap, COOKIE_SESSION "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", sid,
             SESSION_DAYS * 86400, S->cookie_secure ? "; Secure" : "");
}

static bool form_type_ok(struct MHD_Connection *c)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    static const char want[] = "application/x-www-form-urlencoded";
    return t && strncasecmp(t, want, sizeof want - 1) == 0 &&
           (t[sizeof want - 1] == '\0' || t[sizeof want - 1] == ';' || t[sizeof want - 1] == ' ');
}

/* A session with its answers. */
typedef struct live {
    sd__session s;
    sd__answers a;
} live;

static void live_free(live *L)
{
    sd__session_free(&L->s);
    sd__answers_free(&L->a);
}

/* What the write of a request is for: how to answer once it is durable. */
typedef enum act { ACT_START, ACT_SAVE_PAGE, ACT_SAVE_BACK, ACT_COMPLETE, ACT_SCREEN,
                   ACT_LANG } act;

/* One request's state, from its first call to its completion. */
struct req {
    sd__server *S;
    struct MHD_Connection *c;
    bool post;
    bool too_big;
    bool answered;   /* a response was queued early (413) */
    sd_strbuf body;
    /* A write in flight: the connection is suspended until it is done. */
    bool waiting;    /* submitted, not done yet */
    bool written;    /* done: answer from sr */
    act action;
    live L;          /* the session being written (owned once have_live) */
    bool have_live;
    sd__answers eff; /* ACT_SAVE_PAGE, ACT_COMPLETE: the answers written */
    sd_error *err;
    sd__store_req sr;
};

/* Load the session named by the cookie: 1 found, 0 none, -1 store error. */
static int load_session(sd__server *S, struct MHD_Connection *c, live *L, sd_error *err)
{
    memset(L, 0, sizeof *L);
    const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_SESSION);
    if (!is_hex_id(sid))
        return 0;
    bool found;
    if (S->st->ops->session_get(S->st, sid, &L->s, &found, err) != SD_OK)
        return -1;
    if (!found)
        return 0;
    if (!lang_offered(S->q, L->s.lang))
        memcpy(L->s.lang, S->q->langs[0], 3);
    if (sd__answers_decode(S->q, L->s.answers, strlen(L->s.answers), &L->a, err) != SD_OK) {
        sd__session_free(&L->s);
        return -1;
    }
    return 1;
}

static enum MHD_Result store_failed(sd__server *S, struct MHD_Connection *c, const char *lang,
                                    const sd_error *err)
{
    sd__server_note_error(S, err);
    return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
}

/* The page a session shows now (skipping pages hidden by its answers). */
static enum MHD_Result show_current(sd__server *S, struct MHD_Connection *c, live *L,
                                    const sd__page_errors *errs, const sd__answers *shown,
                                    const char *cookie)
{
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 24);
    if (L->s.status != SD_SESS_ACTIVE) {
        sd__html_end(&sb, S->q, L->s.lang, L->s.status == SD_SESS_COMPLETE);
        return send_html(c, MHD_HTTP_OK, &sb, cookie);
    }
    size_t page = sd__next_page(S->q, L->s.page, &L->a);
    if (page >= S->q->npages)
        page = sd__prev_page(S->q, S->q->npages, &L->a); /* answered all: the last one */
    if (page >= S->q->npages)
        page = 0;
    sd__page_view v = {.q = S->q, .lang = L->s.lang, .csrf = L->s.csrf, .sid = L->s.sid,
                       .seed = L->s.seed, .page = page, .a = shown ? shown : &L->a,
                       .errs = errs};
    sd__html_page(&sb, &v);
    return send_html(c, MHD_HTTP_OK, &sb, cookie);
}

static bool csrf_ok(const sd__form *f, const char *name, const char *want)
{
    const sd__form_field *x = sd__form_get(f, name);
    return x && want && *want && sd__secret_eq(x->value, x->value_len, want, strlen(want));
}

/* ------------------------------------------------------------ routes */

static enum MHD_Result get_start(sd__server *S, struct MHD_Connection *c, const char *token)
{
    const char *lang = visitor_lang(S, c);
    if (!token) {
        sd_error *err = sd_error_new();
        live L;
        int found = err ? load_session(S, c, &L, err) : -1;
        if (found > 0) {
            live_free(&L);
            sd_error_free(err);
            return redirect(c, "/q", NULL);
        }
        sd_error_free(err);
        if (S->tokens_only)
            return message(S, c, MHD_HTTP_FORBIDDEN, lang, SD_MSG_INVITE_NEEDED);
    } else if (!is_hex_id(token)) {
        return message(S, c, MHD_HTTP_NOT_FOUND, lang, SD_MSG_BAD_TOKEN);
    }
    char nonce[SD_SID_LEN + 1], cookie[160];
    if (sd__random_hex(nonce, SD_SID_LEN / 2, NULL) != SD_OK)
        return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
    snprintf(cookie, sizeof cookie, COOKIE_NONCE "=%s; Path=/; HttpOnly; SameSite=Lax%s", nonce,
             S->cookie_secure ? "; Secure" : "");
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 20);
    sd__html_start(&sb, S->q, lang, nonce, token);
    return send_html(c, MHD_HTTP_OK, &sb, cookie);
}

/* Called by the store once a request's write is durable (or failed):
 * resume the connection, whose handler then answers (finish). */
static void write_done(sd__store_req *sr)
{
    req *r = sr->arg;
    sd__server *S = r->S;
    r->written = true;
    r->waiting = false;
    MHD_resume_connection(r->c);
    __atomic_sub_fetch(&S->inflight, 1, __ATOMIC_SEQ_CST);
}

/* Hand the request's write to the store and suspend the connection. */
static enum MHD_Result begin_write(req *r, sd__store_op op, const sd__answers *row, act a)
{
    sd__server *S = r->S;
    r->action = a;
    r->sr = (sd__store_req){.op = op, .sess = &r->L.s, .row = row, .err = r->err,
                            .done = write_done, .arg = r};
    r->waiting = true;
    __atomic_add_fetch(&S->inflight, 1, __ATOMIC_SEQ_CST);
    MHD_suspend_connection(r->c);
    if (S->st->ops->submit(S->st, &r->sr) != SD_OK) {
        r->sr.st = sd_error_status(r->err) != SD_OK ? sd_error_status(r->err) : SD_E_IO;
        write_done(&r->sr);
    }
    return MHD_YES;
}

static enum MHD_Result post_start(req *r, const sd__form *f)
{
    sd__server *S = r->S;
    struct MHD_Connection *c = r->c;
    const char *vlang = visitor_lang(S, c);
    const char *nonce = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NONCE);
    if (!nonce)
        return message(S, c, MHD_HTTP_FORBIDDEN, vlang, SD_MSG_NO_COOKIE);
    if (!csrf_ok(f, "nonce", nonce))
        return message(S, c, MHD_HTTP_FORBIDDEN, vlang, SD_MSG_EXPIRED);
    const sd__form_field *lf = sd__form_get(f, "lang");
    const char *lang = lf && lang_offered(S->q, lf->value) ? lf->value : vlang;
    const sd__form_field *tf = sd__form_get(f, "token");
    if (tf && !is_hex_id(tf->value))
        return message(S, c, MHD_HTTP_NOT_FOUND, lang, SD_MSG_BAD_TOKEN);
    if (!tf && S->tokens_only)
        return message(S, c, MHD_HTTP_FORBIDDEN, lang, SD_MSG_INVITE_NEEDED);
    live *L = &r->L;
    memset(L, 0, sizeof *L);
    r->have_live = true;
    sd_status st = SD_OK;
    if (st == SD_OK)
        st = sd__random_hex(L->s.sid, SD_SID_LEN / 2, r->err);
    if (st == SD_OK)
        st = sd__random_hex(L->s.csrf, SD_SID_LEN / 2, r->err);
    if (st == SD_OK)
        st = sd__random_bytes(&L->s.seed, sizeof L->s.seed, r->err);
    if (st == SD_OK && !(L->s.answers = sd__strdup("")))
        st = SD_E_NOMEM;
    if (st == SD_OK && !sd__answers_init(&L->a, S->q->nvars))
        st = SD_E_NOMEM;
    if (st != SD_OK)
        return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
    if (tf)
        memcpy(L->s.token, tf->value, SD_SID_LEN + 1);
    memcpy(L->s.lang, lang, 3);
    L->s.page = sd__next_page(S->q, 0, &L->a);
    return begin_write(r, SD_STORE_NEW, NULL, ACT_START);
}

static enum MHD_Result finish_start(req *r)
{
    sd__server *S = r->S;
    live *L = &r->L;
    if (r->sr.st == SD_E_NOT_FOUND)
        return message(S, r->c, MHD_HTTP_NOT_FOUND, L->s.lang, SD_MSG_BAD_TOKEN);
    if (r->sr.st != SD_OK)
        return store_failed(S, r->c, L->s.lang, r->err);
    if (r->sr.resumed) {
        /* The invitation's own session: its answers, its language. */
        sd__answers_free(&L->a);
        if (!lang_offered(S->q, L->s.lang))
            memcpy(L->s.lang, S->q->langs[0], 3);
        if (sd__answers_decode(S->q, L->s.answers, strlen(L->s.answers), &L->a, r->err) != SD_OK)
            return store_failed(S, r->c, L->s.lang, r->err);
    }
    char cookie[200];
    session_cookie(S, cookie, sizeof cookie, L->s.sid);
    return show_current(S, r->c, L, NULL, NULL, cookie);
}

static enum MHD_Result get_q(sd__server *S, struct MHD_Connection *c)
{
    sd_error *err = sd_error_new();
    live L;
    int found = err ? load_session(S, c, &L, err) : -1;
    enum MHD_Result ret;
    if (found < 0)
        ret = store_failed(S, c, visitor_lang(S, c), err);
    else if (found == 0)
        ret = redirect(c, "/", NULL);
    else {
        ret = show_current(S, c, &L, NULL, NULL, NULL);
        live_free(&L);
    }
    sd_error_free(err);
    return ret;
}

/* The quota cells answered on a page that are full already: screen out
 * early rather than after the whole interview. */
static sd_status early_quota(sd__server *S, size_t page, const sd__answers *eff, bool *full,
                             sd_error *err)
{
    const sd__questionnaire *q = S->q;
    *full = false;
    for (size_t i = 0; i < q->nquotas && !*full; i++) {
        const sd__quota *qt = &q->quotas[i];
        if (q->qs[qt->question].page != page || !eff->set[qt->var])
            continue;
        for (size_t k = 0; k < qt->ncells; k++)
            if (qt->cells[k].code == eff->num[qt->var]) {
                sd_status st = S->st->ops->cell_full(S->st, i, qt->cells[k].code, full, err);
                if (st != SD_OK)
                    return st;
                break;
            }
    }
    return SD_OK;
}

static enum MHD_Result post_q(req *r, const sd__form *f)
{
    sd__server *S = r->S;
    struct MHD_Connection *c = r->c;
    const sd__questionnaire *q = S->q;
    live *L = &r->L;
    int found = load_session(S, c, L, r->err);
    if (found <= 0)
        return found < 0 ? store_failed(S, c, visitor_lang(S, c), r->err)
               : MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_SESSION)
                   ? message(S, c, MHD_HTTP_FORBIDDEN, visitor_lang(S, c), SD_MSG_EXPIRED)
                   : message(S, c, MHD_HTTP_FORBIDDEN, visitor_lang(S, c), SD_MSG_NO_COOKIE);
    r->have_live = true;
    const char *lang = L->s.lang;
    size_t page = sd__next_page(q, L->s.page, &L->a);
    const sd__form_field *pf = sd__form_get(f, "page");
    const sd__form_field *nav = sd__form_get(f, "nav");
    if (!csrf_ok(f, "csrf", L->s.csrf))
        return message(S, c, MHD_HTTP_FORBIDDEN, lang, SD_MSG_EXPIRED);
    if (L->s.status != SD_SESS_ACTIVE || page >= q->npages || !pf ||
        strcmp(pf->value, q->pages[page].name) != 0)
        /* Finished, or a page answered already (a second click, the
         * browser's back button): show where the interview is. */
        return show_current(S, c, L, NULL, NULL, NULL);
    if (nav && strcmp(nav->value, "back") == 0) {
        L->s.page = sd__prev_page(q, page, &L->a);
        return begin_write(r, SD_STORE_SAVE, NULL, ACT_SAVE_BACK);
    }
    sd__answers work;
    sd__page_errors errs;
    if (!sd__answers_copy(&work, &L->a))
        return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
    enum MHD_Result ret;
    if (!sd__page_read(q, page, f, lang, &work, &errs)) {
        ret = errs.count ? show_current(S, c, L, &errs, &work, NULL)
                         : message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
        sd__page_errors_free(&errs);
        sd__answers_free(&work);
        return ret;
    }
    sd__page_errors_free(&errs);
    bool ok = sd__answers_effective(q, &work, &r->eff);
    sd__answers_free(&work);
    if (!ok)
        return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
    sd_strbuf enc;
    sd__sb_init(&enc, (size_t)1 << 28);
    sd__answers_encode(q, &r->eff, &enc);
    char *text = sd__sb_status(&enc) == SD_OK ? sd__sb_take(&enc) : NULL;
    sd__sb_free(&enc);
    if (!text && !(text = sd__strdup("")))
        return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, lang, SD_MSG_SAVE_FAILED);
    sd__free(L->s.answers);
    L->s.answers = text;
    bool full = false;
    if (early_quota(S, page, &r->eff, &full, r->err) != SD_OK)
        return store_failed(S, c, lang, r->err);
    if (full) {
        L->s.page = page;
        return begin_write(r, SD_STORE_SCREEN, NULL, ACT_SCREEN);
    }
    size_t next = sd__next_page(q, page + 1, &r->eff);
    if (next >= q->npages) {
        L->s.page = q->npages;
        return begin_write(r, SD_STORE_COMPLETE, &r->eff, ACT_COMPLETE);
    }
    L->s.page = next;
    return begin_write(r, SD_STORE_SAVE, NULL, ACT_SAVE_PAGE);
}

static enum MHD_Result post_lang(req *r, const sd__form *f)
{
    sd__server *S = r->S;
    struct MHD_Connection *c = r->c;
    live *L = &r->L;
    int found = load_session(S, c, L, r->err);
    if (found < 0)
        return store_failed(S, c, visitor_lang(S, c), r->err);
    if (found == 0)
        return redirect(c, "/", NULL);
    r->have_live = true;
    const sd__form_field *lf = sd__form_get(f, "lang");
    if (!csrf_ok(f, "csrf", L->s.csrf))
        return message(S, c, MHD_HTTP_FORBIDDEN, L->s.lang, SD_MSG_EXPIRED);
    if (!lf || !lang_offered(S->q, lf->value))
        return message(S, c, MHD_HTTP_BAD_REQUEST, L->s.lang, SD_MSG_BAD_FORM);
    memcpy(L->s.lang, lf->value, 3);
    if (L->s.status != SD_SESS_ACTIVE)
        return redirect(c, "/q", NULL);
    return begin_write(r, SD_STORE_SAVE, NULL, ACT_LANG);
}

/* Answer a request whose write is done. */
static enum MHD_Result finish(req *r)
{
    sd__server *S = r->S;
    live *L = &r->L;
    if (r->action == ACT_START)
        return finish_start(r);
    if (r->sr.st != SD_OK)
        return store_failed(S, r->c, L->s.lang, r->err);
    switch (r->action) {
    case ACT_START: break;
    case ACT_LANG: return redirect(r->c, "/q", NULL);
    case ACT_SAVE_BACK: return show_current(S, r->c, L, NULL, NULL, NULL);
    case ACT_SAVE_PAGE:
        sd__answers_free(&L->a);
        L->a = r->eff;
        memset(&r->eff, 0, sizeof r->eff);
        return show_current(S, r->c, L, NULL, NULL, NULL);
    case ACT_SCREEN: L->s.status = SD_SESS_SCREENED; return show_current(S, r->c, L, NULL, NULL, NULL);
    case ACT_COMPLETE:
        L->s.status =
            r->sr.outcome == SD_OUTCOME_COMPLETE ? SD_SESS_COMPLETE : SD_SESS_SCREENED;
        return show_current(S, r->c, L, NULL, NULL, NULL);
    }
    return MHD_NO;
}

static enum MHD_Result get_resume(sd__server *S, struct MHD_Connection *c, const char *sid)
{
    if (!is_hex_id(sid))
        return message(S, c, MHD_HTTP_NOT_FOUND, visitor_lang(S, c), SD_MSG_NOT_FOUND);
    char cookie[200];
    session_cookie(S, cookie, sizeof cookie, sid);
    return redirect(c, "/q", cookie);
}

/* ------------------------------------------------------------ dispatch */

static enum MHD_Result dispatch(sd__server *S, struct MHD_Connection *c, const char *url,
                                const char *method, req *r)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strncmp(url, "/admin", 6) == 0 && (url[6] == '\0' || url[6] == '/')) {
        if (!get)
            return message(S, c, MHD_HTTP_METHOD_NOT_ALLOWED, visitor_lang(S, c), SD_MSG_METHOD);
        return sd__admin_handle(S, c, url);
    }
    if (get) {
        if (strcmp(url, "/") == 0)
            return get_start(S, c, NULL);
        if (strcmp(url, "/q") == 0)
            return get_q(S, c);
        if (strncmp(url, "/t/", 3) == 0)
            return get_start(S, c, url + 3);
        if (strncmp(url, "/r/", 3) == 0)
            return get_resume(S, c, url + 3);
        if (strcmp(url, "/style.css") == 0) {
            size_t n;
            const char *css = sd__html_css(&n);
            struct MHD_Response *resp =
                MHD_create_response_from_buffer(n, (void *)css, MHD_RESPMEM_PERSISTENT);
            if (!resp)
                return MHD_NO;
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/css; charset=utf-8");
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
            MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
            enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
            MHD_destroy_response(resp);
            return ret;
        }
        if (strcmp(url, "/health") == 0) {
            sd_strbuf sb;
            sd__sb_init(&sb, 64);
            sd__sb_puts(&sb, "ok\n");
            return sd__send(c, MHD_HTTP_OK, "text/plain; charset=utf-8", &sb, NULL, NULL, NULL);
        }
        return message(S, c, MHD_HTTP_NOT_FOUND, visitor_lang(S, c), SD_MSG_NOT_FOUND);
    }
    if (strcmp(method, "POST") != 0)
        return message(S, c, MHD_HTTP_METHOD_NOT_ALLOWED, visitor_lang(S, c), SD_MSG_METHOD);
    bool known = strcmp(url, "/start") == 0 || strcmp(url, "/q") == 0 || strcmp(url, "/lang") == 0;
    if (!known)
        return message(S, c, MHD_HTTP_NOT_FOUND, visitor_lang(S, c), SD_MSG_NOT_FOUND);
    if (r->too_big)
        return message(S, c, MHD_HTTP_CONTENT_TOO_LARGE, visitor_lang(S, c), SD_MSG_TOO_LARGE);
    if (!form_type_ok(c))
        return message(S, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, visitor_lang(S, c),
                       SD_MSG_MEDIA_TYPE);
    sd__form f;
    sd_error *err = sd_error_new();
    sd_status st = err ? sd__form_parse(r->body.s ? r->body.s : "", r->body.len, &S->lim, &f, err)
                       : SD_E_NOMEM;
    sd_error_free(err);
    if (st == SD_E_TOO_LARGE)
        return message(S, c, MHD_HTTP_CONTENT_TOO_LARGE, visitor_lang(S, c), SD_MSG_TOO_LARGE);
    if (st != SD_OK)
        return message(S, c, MHD_HTTP_BAD_REQUEST, visitor_lang(S, c), SD_MSG_BAD_FORM);
    if (!(r->err = sd_error_new())) {
        sd__form_free(&f);
        return message(S, c, MHD_HTTP_SERVICE_UNAVAILABLE, visitor_lang(S, c), SD_MSG_SAVE_FAILED);
    }
    enum MHD_Result ret = strcmp(url, "/start") == 0 ? post_start(r, &f)
                          : strcmp(url, "/q") == 0   ? post_q(r, &f)
                                                     : post_lang(r, &f);
    sd__form_free(&f);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **ctx)
{
    (void)version;
    sd__server *S = cls;
    req *r = *ctx;
    if (!r) {
        if (!(r = sd__calloc(1, sizeof *r)))
            return MHD_NO;
        r->S = S;
        r->c = c;
        r->post = strcmp(method, "POST") == 0;
        sd__sb_init(&r->body, S->lim.max_body);
        *ctx = r;
        if (r->post) {
            const char *cl =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            unsigned long n;
            if (cl && (!sd__parse_ulong(cl, strlen(cl), (unsigned long)S->lim.max_body, &n))) {
                /* Refuse before reading a byte of it. */
                r->answered = true;
                return message(S, c, MHD_HTTP_CONTENT_TOO_LARGE, visitor_lang(S, c),
                               SD_MSG_TOO_LARGE);
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big) {
            sd__sb_add(&r->body, upload, *upload_size);
            if (sd__sb_status(&r->body) != SD_OK) {
                r->too_big = true;
                sd__sb_free(&r->body);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->answered || r->waiting)
        return MHD_YES;
    if (r->written) {
        r->written = false;
        return finish(r);
    }
    return dispatch(S, c, url, method, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *r = *ctx;
    if (r) {
        sd__sb_free(&r->body);
        if (r->have_live)
            live_free(&r->L);
        sd__answers_free(&r->eff);
        sd_error_free(r->err);
        sd__free(r);
        *ctx = NULL;
    }
}

/* ------------------------------------------------------------ lifetime */

sd_status sd__server_start(const sd__questionnaire *q, sd__store *st,
                           const sd__server_config *cfg, sd__server **out, sd_error *err)
{
    *out = NULL;
    if (!cfg->admin_secret || !*cfg->admin_secret)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "the admin secret is empty");
    sd__server *S = sd__calloc(1, sizeof *S);
    if (!S)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    pthread_mutex_init(&S->mu, NULL);
    S->q = q;
    S->st = st;
    S->tokens_only = cfg->tokens_only;
    S->cookie_secure = cfg->cookie_secure;
    S->secret_len = strlen(cfg->admin_secret);
    /* The longest answer a page may carry bounds a field; the whole body is
     * bounded by what a page can hold. */
    size_t longest = 256;
    for (size_t i = 0; i < q->nq; i++)
        if (q->qs[i].kind == SD_Q_TEXT && 4 * q->qs[i].max_length + 64 > longest)
            longest = 4 * q->qs[i].max_length + 64;
    S->lim = (sd__form_limits){.max_body = (size_t)1 << 20,
                               .max_fields = 2 * SD_Q_MAX_ITEMS + 16,
                               .max_name = 72,
                               .max_value = longest};
    sd_status rc = SD_OK;
    if (!(S->secret = sd__strdup(cfg->admin_secret)) ||
        !(S->db_path = sd__strdup(cfg->db_path ? cfg->db_path : "")))
        rc = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (rc == SD_OK)
        rc = sd__questionnaire_codebook(q, &S->codebook, &S->codebook_len, err);
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    const char *bind = cfg->bind ? cfg->bind : "127.0.0.1";
    bool v6 = false;
    if (rc == SD_OK) {
        if (inet_pton(AF_INET, bind, &a4.sin_addr) == 1) {
            a4.sin_family = AF_INET;
            a4.sin_port = htons((uint16_t)cfg->port);
        } else if (inet_pton(AF_INET6, bind, &a6.sin6_addr) == 1) {
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons((uint16_t)cfg->port);
            v6 = true;
        } else {
            rc = sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                          "--bind: '%.64s' is not an IPv4 or IPv6 address", bind);
        }
    }
    if (rc == SD_OK && !sd__mhd_load())
        rc = sd__fail(err, SD_E_IO, NULL, 0, 0, NULL, "%s", sd__mhd_error());
    if (rc == SD_OK) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0);
        S->d = MHD_start_daemon(
            flags, (uint16_t)cfg->port, NULL, NULL, handle, S, MHD_OPTION_NOTIFY_COMPLETED,
            completed, S, MHD_OPTION_SOCK_ADDR,
            v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)(cfg->max_connections ? cfg->max_connections : 512),
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(cfg->timeout ? cfg->timeout : 30),
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_LISTEN_BACKLOG_SIZE,
            (unsigned)1024, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 4),
            MHD_OPTION_END);
        if (!S->d)
            rc = sd__fail(err, SD_E_IO, NULL, 0, 0, NULL,
                          "cannot listen on %s port %u (in use, or not allowed)", bind, cfg->port);
    }
    if (rc != SD_OK) {
        sd__server_stop(S);
        return rc;
    }
    *out = S;
    return SD_OK;
}

unsigned sd__server_port(const sd__server *s)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

void sd__server_stop(sd__server *s)
{
    if (!s)
        return;
    if (s->d) {
        /* No new connection; the writes in flight finish (the store still
         * runs) and resume their connections before the daemon stops. */
        MHD_socket listen = MHD_quiesce_daemon(s->d);
        for (int i = 0; i < 1000 && __atomic_load_n(&s->inflight, __ATOMIC_SEQ_CST); i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(s->d);
        if (listen != MHD_INVALID_SOCKET)
            close(listen); /* ours once quiesced, after the daemon's threads are gone */
    }
    pthread_mutex_destroy(&s->mu);
    sd__free(s->secret);
    sd__free(s->db_path);
    sd__free(s->codebook);
    sd__free(s);
}
