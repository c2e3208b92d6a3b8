/*
 * server.h — the field server (server.c: respondents' pages; admin.c: the
 * admin area) on libmicrohttpd, over a store (store.h).
 */
#ifndef SD_FIELD_SERVER_H
#define SD_FIELD_SERVER_H

#include "store.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

/* libmicrohttpd is loaded when a server starts (mhd_load.c), not at
 * start-up: with GnuTLS and its libraries it was a third of the time
 * every command took to start. Its functions through one table; the
 * names below are macros for its entries (SD_MHD_REAL: the real
 * declarations alone). */
#define SD_MHD_FUNCS(X) \
    X(MHD_add_response_header) \
    X(MHD_basic_auth_get_username_password) \
    X(MHD_create_response_from_buffer) \
    X(MHD_create_response_from_buffer_with_free_callback) \
    X(MHD_create_response_from_fd) \
    X(MHD_destroy_response) \
    X(MHD_free) \
    X(MHD_get_daemon_info) \
    X(MHD_lookup_connection_value) \
    X(MHD_queue_basic_auth_fail_response) \
    X(MHD_queue_response) \
    X(MHD_quiesce_daemon) \
    X(MHD_resume_connection) \
    X(MHD_start_daemon) \
    X(MHD_stop_daemon) \
    X(MHD_suspend_connection)

typedef struct sd_mhd_api {
#define SD_MHD_FIELD(name) __typeof__(name) *name;
    SD_MHD_FUNCS(SD_MHD_FIELD)
#undef SD_MHD_FIELD
} sd_mhd_api;

extern _Atomic(const sd_mhd_api *) sd__mhd_table;
/* Load libmicrohttpd once (thread-safe): the table, or NULL (sd__mhd_error
 * says why). */
const sd_mhd_api *sd__mhd_load(void);
const char *sd__mhd_error(void);

static inline const sd_mhd_api *sd__mhd(void)
{
    const sd_mhd_api *t = atomic_load_explicit(&sd__mhd_table, memory_order_acquire);
    return t ? t : sd__mhd_load();
}

#ifndef SD_MHD_REAL
#define MHD_add_response_header (sd__mhd()->MHD_add_response_header)
#define MHD_basic_auth_get_username_password (sd__mhd()->MHD_basic_auth_get_username_password)
#define MHD_create_response_from_buffer (sd__mhd()->MHD_create_response_from_buffer)
#define MHD_create_response_from_buffer_with_free_callback (sd__mhd()->MHD_create_response_from_buffer_with_free_callback)
#define MHD_create_response_from_fd (sd__mhd()->MHD_create_response_from_fd)
#define MHD_destroy_response (sd__mhd()->MHD_destroy_response)
#define MHD_free (sd__mhd()->MHD_free)
#define MHD_get_daemon_info (sd__mhd()->MHD_get_daemon_info)
#define MHD_lookup_connection_value (sd__mhd()->MHD_lookup_connection_value)
#define MHD_queue_basic_auth_fail_response (sd__mhd()->MHD_queue_basic_auth_fail_response)
#define MHD_queue_response (sd__mhd()->MHD_queue_response)
#define MHD_quiesce_daemon (sd__mhd()->MHD_quiesce_daemon)
#define MHD_resume_connection (sd__mhd()->MHD_resume_connection)
#define MHD_start_daemon (sd__mhd()->MHD_start_daemon)
#define MHD_stop_daemon (sd__mhd()->MHD_stop_daemon)
#define MHD_suspend_connection (sd__mhd()->MHD_suspend_connection)
#endif

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
