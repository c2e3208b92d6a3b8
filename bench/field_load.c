/*
 * field_load.c — a load client for `sondage serve`: C threads, each with
 * one keep-alive connection to 127.0.0.1, run whole interviews as a browser
 * would (GET /, POST /start, then POST /q page after page, filling each
 * form from the page's own HTML: a random radio button, one check box, a
 * drop-down's option, a number from the page's range, a short text) until
 * the end page, data-sondage="complete" or "screened-out".
 *
 * Bounded: it stops after --interviews completed or screened-out
 * interviews, or --seconds, whichever comes first. Prints one summary line
 * of key=value pairs (interviews, completes, screened, errors, seconds,
 * per_second, request latency p50/p90/p99/max in ms, completion-request
 * latency p50/p99). With --log FILE, the session id of every interview that
 * got its thank-you page is appended to FILE (flushed at once), for the
 * crash test to check against the store. Connection failures are counted
 * and the thread reconnects (the crash test kills the server under it).
 *
 *   field_load --port P [--conns 32] [--interviews 1000] [--seconds 10]
 *              [--log FILE] [--seed S] [--marketers PCT]
 *
 * Standalone (libc and pthreads only): bench/ and tests/scripts use it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAXBODY (1 << 20)
#define MAXLAT (1 << 22)

static int g_port = 8080;
static int g_conns = 32;
static long g_interviews = 1000;
static double g_seconds = 10;
static int g_marketers = 50;
static unsigned long g_seed = 1;
static FILE *g_log;
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;

static atomic_long started, completes, screened, errors, conn_errors;
static atomic_int stop_flag;
static double t_start;

/* Latencies, in microseconds, of every request and of each final POST. */
static uint32_t *lat_all, *lat_done;
static atomic_long n_all, n_done;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct conn {
    int fd;
    char cookie_s[64], cookie_n[64];
    char *buf;   /* response */
    size_t blen;
    char *body;  /* points into buf */
    size_t body_len;
    int status;
    uint64_t rng;
} conn;

static uint64_t rnd(conn *c)
{
    uint64_t z = (c->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int connect_to(conn *c)
{
    if (c->fd >= 0)
        return 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {.tv_sec = 30};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    return 0;
}

static void drop(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void take_cookie(conn *c, const char *h, const char *end)
{
    /* Set-Cookie: name=value; ... */
    const char *v = h + strlen("Set-Cookie:");
    while (*v == ' ')
        v++;
    char *dst = NULL;
    if (strncmp(v, "sondage_s=", 10) == 0)
        dst = c->cookie_s;
    else if (strncmp(v, "sondage_n=", 10) == 0)
        dst = c->cookie_n;
    if (!dst)
        return;
    const char *e = v;
    while (e < end && *e != ';' && *e != '\r')
        e++;
    size_t n = (size_t)(e - v);
    if (n >= 63)
        n = 63;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* One request; the response's status, headers and body land in c. 0 on
 * success, -1 on a connection problem. */
static int request(conn *c, const char *method, const char *path, const char *body)
{
    char head[2048];
    for (int attempt = 0; attempt < 2; attempt++) {
        if (connect_to(c) != 0)
            return -1;
        char cookies[160] = "";
        if (c->cookie_s[0] || c->cookie_n[0])
            snprintf(cookies, sizeof cookies, "Cookie: %s%s%s\r\n", c->cookie_s,
                     c->cookie_s[0] && c->cookie_n[0] ? "; " : "", c->cookie_n);
        size_t blen = body ? strlen(body) : 0;
        int hn;
        if (body)
            hn = snprintf(head, sizeof head,
                          "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: "
                          "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n",
                          method, path, cookies, blen);
        else
            hn = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
                          method, path, cookies);
        double t0 = now();
        bool ok = send(c->fd, head, (size_t)hn, MSG_NOSIGNAL) == hn &&
                  (!blen || send(c->fd, body, blen, MSG_NOSIGNAL) == (ssize_t)blen);
        size_t got = 0, need = 0, hend = 0;
        bool closing = false;
        while (ok) {
            ssize_t r = recv(c->fd, c->buf + got, MAXBODY - got - 1, 0);
            if (r <= 0) {
                ok = false;
                break;
            }
            got += (size_t)r;
            c->buf[got] = '\0';
            if (!hend) {
                char *e = strstr(c->buf, "\r\n\r\n");
                if (!e)
                    continue;
                hend = (size_t)(e - c->buf) + 4;
                c->status = atoi(c->buf + 9);
                size_t cl = 0;
                for (char *h = strstr(c->buf, "\r\n") + 2; h < e; h = strstr(h, "\r\n") + 2) {
                    if (strncasecmp(h, "Content-Length:", 15) == 0)
                        cl = (size_t)strtoul(h + 15, NULL, 10);
                    else if (strncasecmp(h, "Set-Cookie:", 11) == 0)
                        take_cookie(c, h, e);
                    else if (strncasecmp(h, "Connection: close", 17) == 0)
                        closing = true;
                }
                need = hend + cl;
            }
            if (hend && got >= need)
                break;
        }
        if (!ok) {
            drop(c);
            if (attempt == 0 && !atomic_load(&stop_flag))
                continue; /* a keep-alive connection closed by the server: retry once */
            return -1;
        }
        double dt = now() - t0;
        long i = atomic_fetch_add(&n_all, 1);
        if (i < MAXLAT)
            lat_all[i] = (uint32_t)(dt * 1e6);
        c->body = c->buf + hend;
        c->body_len = need - hend;
        c->body[c->body_len] = '\0';
        if (closing)
            drop(c);
        return 0;
    }
    return -1;
}

/* The value of attribute `attr` in the tag that starts at p. */
static bool attr(const char *p, const char *tag_end, const char *attr, char *out, size_t cap)
{
    char key[32];
    snprintf(key, sizeof key, " %s=\"", attr);
    const char *a = strstr(p, key);
    if (!a || a > tag_end)
        return false;
    a += strlen(key);
    const char *e = strchr(a, '"');
    if (!e || (size_t)(e - a) >= cap)
        return false;
    memcpy(out, a, (size_t)(e - a));
    out[e - a] = '\0';
    return true;
}

static void append(char *dst, size_t cap, const char *name, const char *value)
{
    size_t n = strlen(dst);
    snprintf(dst + n, cap - n, "%s%s=%s", n ? "&" : "", name, value);
}

/* Fill the form of a question page: one answer per radio group (a random
 * option; for role, marketer with probability g_marketers %), one check box
 * per group of boxes, a drop-down's first real option, a number in range,
 * a word for texts. */
static void fill(conn *c, char *out, size_t cap)
{
    char csrf[64] = "", page[80] = "";
    const char *b = c->body;
    const char *p = strstr(b, "name=\"csrf\"");
    out[0] = '\0';
    if (p)
        attr(p - 40, p + 80, "value", csrf, sizeof csrf);
    const char *form = strstr(b, "action=\"/q\"");
    p = form ? strstr(form, "name=\"page\"") : NULL;
    if (p)
        attr(p - 40, p + 200, "value", page, sizeof page);
    /* csrf of the /q form (the language form comes first) */
    if (form) {
        const char *q = strstr(form, "name=\"csrf\" value=\"");
        if (q) {
            q += strlen("name=\"csrf\" value=\"");
            const char *e = strchr(q, '"');
            if (e && e - q < 60) {
                memcpy(csrf, q, (size_t)(e - q));
                csrf[e - q] = '\0';
            }
        }
    }
    append(out, cap, "csrf", csrf);
    append(out, cap, "page", page);
    append(out, cap, "nav", "next");
    /* Each fieldset is a question. */
    for (const char *fs = strstr(form ? form : b, "<fieldset"); fs; fs = strstr(fs + 1, "<fieldset")) {
        const char *fe = strstr(fs, "</fieldset>");
        if (!fe)
            break;
        /* radio groups: collect names in order, pick per name */
        char names[64][80];
        int counts[64] = {0}, nn = 0;
        char vals[64][16][24];
        for (const char *in = strstr(fs, "<input"); in && in < fe; in = strstr(in + 1, "<input")) {
            const char *te = strchr(in, '>');
            char type[16], name[80], value[24];
            if (!attr(in, te, "type", type, sizeof type) || !attr(in, te, "name", name, sizeof name))
                continue;
            if (strcmp(type, "radio") == 0) {
                if (!attr(in, te, "value", value, sizeof value))
                    continue;
                int k = 0;
                while (k < nn && strcmp(names[k], name) != 0)
                    k++;
                if (k == nn && nn < 64)
                    snprintf(names[nn++], 80, "%s", name);
                if (k < 64 && counts[k] < 16)
                    snprintf(vals[k][counts[k]++], 24, "%s", value);
            } else if (strcmp(type, "text") == 0) {
                append(out, cap, name, "12");
            }
        }
        /* check boxes: one of the group's boxes, chosen at random */
        int boxes = 0;
        char box_names[64][80];
        for (const char *in = strstr(fs, "type=\"checkbox\""); in && in < fe;
             in = strstr(in + 1, "type=\"checkbox\"")) {
            const char *te = strchr(in, '>');
            char name[80];
            if (attr(in - 1, te, "name", name, sizeof name) && boxes < 64)
                snprintf(box_names[boxes++], 80, "%s", name);
        }
        if (boxes)
            append(out, cap, box_names[rnd(c) % (unsigned)boxes], "1");
        for (int k = 0; k < nn; k++) {
            if (counts[k] <= 0)
                continue;
            const char *v = vals[k][rnd(c) % (unsigned)counts[k]];
            if (strcmp(names[k], "role") == 0)
                v = (int)(rnd(c) % 100) < g_marketers ? "2" : "1";
            append(out, cap, names[k], v);
        }
        const char *sel = strstr(fs, "<select");
        if (sel && sel < fe) {
            char name[80];
            const char *te = strchr(sel, '>');
            const char *opt = strstr(sel, "<option value=\"");
            if (opt)
                opt = strstr(opt + 1, "<option value=\""); /* skip "choose" */
            char value[24];
            if (attr(sel, te, "name", name, sizeof name) && opt &&
                attr(opt, strchr(opt, '>'), "value", value, sizeof value))
                append(out, cap, name, value);
        }
        const char *ta = strstr(fs, "<textarea");
        if (ta && ta < fe) {
            char name[80];
            if (attr(ta, strchr(ta, '>'), "name", name, sizeof name))
                append(out, cap, name, "load+test");
        }
        fs = fe;
    }
}

static const char *state_of(const char *body)
{
    const char *p = strstr(body, "data-sondage=\"");
    return p ? p + strlen("data-sondage=\"") : "";
}

static void *worker(void *arg)
{
    conn *c = arg;
    char *form = malloc(1 << 16);
    while (!atomic_load(&stop_flag)) {
        if (atomic_fetch_add(&started, 1) >= g_interviews)
            break;
        c->cookie_s[0] = c->cookie_n[0] = '\0';
        bool ok = request(c, "GET", "/", NULL) == 0 && c->status == 200;
        char nonce[64] = "";
        if (ok) {
            const char *p = strstr(c->body, "name=\"nonce\" value=\"");
            ok = p && attr(p - 1, strchr(p, '>'), "value", nonce, sizeof nonce);
        }
        if (ok) {
            snprintf(form, 1 << 16, "nonce=%s&lang=%s", nonce, rnd(c) % 2 ? "fr" : "en");
            ok = request(c, "POST", "/start", form) == 0 && c->status == 200;
        }
        int pages = 0;
        while (ok && pages++ < 100) {
            const char *st = state_of(c->body);
            if (strncmp(st, "complete\"", 9) == 0) {
                atomic_fetch_add(&completes, 1);
                if (g_log) {
                    pthread_mutex_lock(&g_log_mu);
                    fprintf(g_log, "%s\n", c->cookie_s + strlen("sondage_s="));
                    fflush(g_log);
                    pthread_mutex_unlock(&g_log_mu);
                }
                break;
            }
            if (strncmp(st, "screened-out\"", 13) == 0) {
                atomic_fetch_add(&screened, 1);
                break;
            }
            if (strncmp(st, "page\"", 5) != 0 || strstr(c->body, "class=\"error\"")) {
                ok = false;
                break;
            }
            fill(c, form, 1 << 16);
            double t0 = now();
            ok = request(c, "POST", "/q", form) == 0 && c->status == 200;
            const char *s2 = ok ? state_of(c->body) : "";
            if (ok && (strncmp(s2, "complete\"", 9) == 0 || strncmp(s2, "screened-out\"", 13) == 0)) {
                long i = atomic_fetch_add(&n_done, 1);
                if (i < MAXLAT)
                    lat_done[i] = (uint32_t)((now() - t0) * 1e6);
            }
        }
        if (!ok) {
            if (c->fd < 0)
                atomic_fetch_add(&conn_errors, 1);
            else
                atomic_fetch_add(&errors, 1);
            if (c->fd < 0 && connect_to(c) != 0) {
                usleep(100000); /* the server is gone: wait, try again */
            }
        }
        if (now() - t_start > g_seconds)
            atomic_store(&stop_flag, 1);
    }
    free(form);
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(uint32_t *v, long n, double p)
{
    if (n <= 0)
        return 0;
    long i = (long)(p * (double)(n - 1) + 0.5);
    return v[i] / 1000.0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--port") == 0)
            g_port = atoi(v);
        else if (strcmp(k, "--conns") == 0)
            g_conns = atoi(v);
        else if (strcmp(k, "--interviews") == 0)
            g_interviews = atol(v);
        else if (strcmp(k, "--seconds") == 0)
            g_seconds = atof(v);
        else if (strcmp(k, "--marketers") == 0)
            g_marketers = atoi(v);
        else if (strcmp(k, "--seed") == 0)
            g_seed = strtoul(v, NULL, 10);
        else if (strcmp(k, "--log") == 0) {
            if (!(g_log = fopen(v, "a"))) {
                perror(v);
                return 2;
            }
        } else {
            fprintf(stderr, "field_load: unknown option %s\n", k);
            return 2;
        }
    }
    if (g_conns < 1 || g_conns > 1024 || g_interviews < 1 || g_seconds <= 0) {
        fputs("field_load: bad --conns, --interviews or --seconds\n", stderr);
        return 2;
    }
    lat_all = calloc(MAXLAT, sizeof *lat_all);
    lat_done = calloc(MAXLAT, sizeof *lat_done);
    conn *cs = calloc((size_t)g_conns, sizeof *cs);
    pthread_t *th = calloc((size_t)g_conns, sizeof *th);
    if (!lat_all || !lat_done || !cs || !th)
        return 3;
    t_start = now();
    for (int i = 0; i < g_conns; i++) {
        cs[i].fd = -1;
        cs[i].buf = malloc(MAXBODY);
        cs[i].rng = g_seed * 1000003u + (uint64_t)i;
        pthread_create(&th[i], NULL, worker, &cs[i]);
    }
    for (int i = 0; i < g_conns; i++)
        pthread_join(th[i], NULL);
    double secs = now() - t_start;
    long na = atomic_load(&n_all), nd = atomic_load(&n_done);
    if (na > MAXLAT)
        na = MAXLAT;
    if (nd > MAXLAT)
        nd = MAXLAT;
    qsort(lat_all, (size_t)na, sizeof *lat_all, cmp_u32);
    qsort(lat_done, (size_t)nd, sizeof *lat_done, cmp_u32);
    long done = atomic_load(&completes) + atomic_load(&screened);
    printf("interviews=%ld completes=%ld screened=%ld errors=%ld conn_errors=%ld requests=%ld "
           "seconds=%.3f per_second=%.1f requests_per_second=%.0f req_p50_ms=%.2f "
           "req_p90_ms=%.2f req_p99_ms=%.2f req_max_ms=%.2f final_p50_ms=%.2f final_p99_ms=%.2f\n",
           done, atomic_load(&completes), atomic_load(&screened), atomic_load(&errors),
           atomic_load(&conn_errors), atomic_load(&n_all), secs, done / secs,
           atomic_load(&n_all) / secs, pct(lat_all, na, 0.5), pct(lat_all, na, 0.9),
           pct(lat_all, na, 0.99), na ? lat_all[na - 1] / 1000.0 : 0, pct(lat_done, nd, 0.5),
           pct(lat_done, nd, 0.99));
    for (int i = 0; i < g_conns; i++) {
        drop(&cs[i]);
        free(cs[i].buf);
    }
    if (g_log)
        fclose(g_log);
    free(cs);
    free(th);
    free(lat_all);
    free(lat_done);
    return atomic_load(&errors) ? 1 : 0;
}
