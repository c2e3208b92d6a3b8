/*
 * server.h — the field server (server.c: respondents' pages; admin.c: the
 * admin area) on libmicrohttpd, over a store (store.h).
 */
#ifndef SD_FIELD_SERVER_H
#define SD_FIELD_SERVER_H

#include "store.h"

#include <microhttpd.h>
#include <pthread.h>

typedef struct sd__server_config {
    const char *bind;          /* an IPv4 or IPv6 address; NULL: 127.0.0.1 */
    unsigned port;             /* 0: any free port (see sd__server_port) */
    bool tokens_only;          /* only invitation links start an interview */
    const char *admin_secret;  /* the /admin password (HTTP Basic), not empty */
    const char *db_path;       /* the store as the readers open it (admin tables, exports) */
    unsigned max_connections;  /* 0: 512 */
    unsigned per_ip;           /* connections per client address; 0: no limit */
    unsigned timeout;          /* seconds of inactivity before a connection is dropped; 0: 30 */
    bool cookie_secure;        /* cookies only over HTTPS (behind a TLS proxy) */
    unsigned threads;          /* libmicrohttpd's thread pool; 0: 4 */
} sd__server_config;

typedef struct sd__server {
    struct MHD_Daemon *d;
    const sd__questionnaire *q; /* borrowed */
    sd__store *st;              /* borrowed */
    char *secret;               /* owned */
    size_t secret_len;
    char *db_path;              /* owned */
    bool tokens_only, cookie_secure;
    sd__form_limits lim;
    char *codebook;             /* owned: the questionnaire's codebook YAML */
    size_t codebook_len;
    pthread_mutex_t mu;         /* guards the counters below */
    unsigned long store_errors;
    char last_error[256];
    long inflight;              /* writes submitted, not done yet (atomic) */
} sd__server;

/* Start serving (threads of its own); stop and free with sd__server_stop. */
sd_status sd__server_start(const sd__questionnaire *q, sd__store *st,
                           const sd__server_config *cfg, sd__server **out, sd_error *err);
unsigned sd__server_port(const sd__server *s);
void sd__server_stop(sd__server *s);

/* For admin.c: answer a request under /admin (auth checked there). */
enum MHD_Result sd__admin_handle(sd__server *s, struct MHD_Connection *c, const char *url);
/* Shared response helpers (server.c). */
enum MHD_Result sd__send(struct MHD_Connection *c, unsigned status, const char *type,
                         sd_strbuf *body, const char *cookie, const char *extra_header,
                         const char *extra_value);
void sd__server_note_error(sd__server *s, const sd_error *err);

#endif /* SD_FIELD_SERVER_H */
