/*
 * pg.h — a PostgreSQL table as a source of data (io layer, through libpq):
 * the connection URI and its `table=` parameter, the connection, the
 * dataset whose rows stay in the database (read_pg.c), and loading a
 * dataset into a table (write_pg.c). The push-down of tabulations to the
 * database (src/db/) and the fieldwork store on PostgreSQL (src/field/)
 * use the same helpers.
 */
#ifndef SD_IO_PG_H
#define SD_IO_PG_H

#include "io.h"

#include <libpq-fe.h>
#include <stdatomic.h>

/* libpq is loaded at the first connection (pq_load.c), not at start-up:
 * with its TLS, Kerberos and LDAP libraries it was a third of the time
 * every command took to start (2 ms of 6), connection or not. The
 * functions sondage calls, through one table; the names below are macros
 * for its entries (SD_PQ_REAL: the real declarations alone). */
#define SD_PQ_FUNCS(X) \
    X(PQclear) \
    X(PQcmdTuples) \
    X(PQconnectdb) \
    X(PQerrorMessage) \
    X(PQescapeIdentifier) \
    X(PQexec) \
    X(PQexecParams) \
    X(PQexecPrepared) \
    X(PQfinish) \
    X(PQfname) \
    X(PQfreemem) \
    X(PQftype) \
    X(PQgetCopyData) \
    X(PQgetResult) \
    X(PQgetisnull) \
    X(PQgetlength) \
    X(PQgetvalue) \
    X(PQnfields) \
    X(PQntuples) \
    X(PQprepare) \
    X(PQputCopyData) \
    X(PQputCopyEnd) \
    X(PQresultErrorField) \
    X(PQresultErrorMessage) \
    X(PQresultStatus) \
    X(PQsendQueryPrepared) \
    X(PQsetClientEncoding) \
    X(PQsetNoticeProcessor) \
    X(PQsetSingleRowMode) \
    X(PQstatus) \
    X(PQtransactionStatus)

typedef struct sd_pq_api {
#define SD_PQ_FIELD(name) __typeof__(name) *name;
    SD_PQ_FUNCS(SD_PQ_FIELD)
#undef SD_PQ_FIELD
} sd_pq_api;

/* The table once loaded (NULL before; pq_load.c). */
extern _Atomic(const sd_pq_api *) sd__pq_table;
/* Load libpq once (thread-safe): the table, or NULL when it cannot be
 * loaded (sd__pq_error says why). */
const sd_pq_api *sd__pq_load(void);
const char *sd__pq_error(void);

static inline const sd_pq_api *sd__pq(void)
{
    const sd_pq_api *t = atomic_load_explicit(&sd__pq_table, memory_order_acquire);
    return t ? t : sd__pq_load();
}

#ifndef SD_PQ_REAL
#define PQclear (sd__pq()->PQclear)
#define PQcmdTuples (sd__pq()->PQcmdTuples)
#define PQconnectdb (sd__pq()->PQconnectdb)
#define PQerrorMessage (sd__pq()->PQerrorMessage)
#define PQescapeIdentifier (sd__pq()->PQescapeIdentifier)
#define PQexec (sd__pq()->PQexec)
#define PQexecParams (sd__pq()->PQexecParams)
#define PQexecPrepared (sd__pq()->PQexecPrepared)
#define PQfinish (sd__pq()->PQfinish)
#define PQfname (sd__pq()->PQfname)
#define PQfreemem (sd__pq()->PQfreemem)
#define PQftype (sd__pq()->PQftype)
#define PQgetCopyData (sd__pq()->PQgetCopyData)
#define PQgetResult (sd__pq()->PQgetResult)
#define PQgetisnull (sd__pq()->PQgetisnull)
#define PQgetlength (sd__pq()->PQgetlength)
#define PQgetvalue (sd__pq()->PQgetvalue)
#define PQnfields (sd__pq()->PQnfields)
#define PQntuples (sd__pq()->PQntuples)
#define PQprepare (sd__pq()->PQprepare)
#define PQputCopyData (sd__pq()->PQputCopyData)
#define PQputCopyEnd (sd__pq()->PQputCopyEnd)
#define PQresultErrorField (sd__pq()->PQresultErrorField)
#define PQresultErrorMessage (sd__pq()->PQresultErrorMessage)
#define PQresultStatus (sd__pq()->PQresultStatus)
#define PQsendQueryPrepared (sd__pq()->PQsendQueryPrepared)
#define PQsetClientEncoding (sd__pq()->PQsetClientEncoding)
#define PQsetNoticeProcessor (sd__pq()->PQsetNoticeProcessor)
#define PQsetSingleRowMode (sd__pq()->PQsetSingleRowMode)
#define PQstatus (sd__pq()->PQstatus)
#define PQtransactionStatus (sd__pq()->PQtransactionStatus)
#endif

/* Is s a PostgreSQL connection URI (postgresql:// or postgres://)? */
bool sd__pg_is_uri(const char *s);

/* A URI taken apart: what libpq connects with (the URI without sondage's
 * own `table=` parameter), the table (the parameter, or `table_opt` from
 * --table; both given and different is an error), and the name used in
 * messages and results: the URI without its password, with its table. */
typedef struct sd_pguri {
    char *conninfo; /* owned */
    char *table;    /* owned, or NULL when neither gives one */
    char *display;  /* owned */
} sd_pguri;

sd_status sd__pg_uri_parse(const char *uri, const char *table_opt, sd_pguri *out, sd_error *err);
void sd__pg_uri_free(sd_pguri *u);

/* Connect (UTF-8 client encoding); errors name `display`. */
sd_status sd__pg_connect(const sd_pguri *u, PGconn **out, sd_error *err);

/* A failed command or query as an sd_error: the server's message (its
 * first line) after `what`, the status from its SQLSTATE class (undefined
 * table or column: SD_E_NOT_FOUND; data exceptions: SD_E_INVALID; out of
 * memory or disk: SD_E_TOO_LARGE; the rest SD_E_IO). `res` may be NULL (a
 * connection failure): the connection's message then. */
sd_status sd__pg_fail(PGconn *c, const PGresult *res, const char *display, const char *what,
                      sd_error *err);

/* Run a command without parameters or rows; SD_OK or the failure. */
sd_status sd__pg_exec(PGconn *c, const char *sql, const char *display, const char *what,
                      sd_error *err);

/* A table name as SQL text: "name", or "schema"."name" for schema.name
 * (the first dot splits), each part quoted by PQescapeIdentifier. */
char *sd__pg_quote_table(PGconn *c, const char *table);
/* One identifier quoted (PQescapeIdentifier), owned by sondage's allocator. */
char *sd__pg_quote_ident(PGconn *c, const char *name);

/* Parameters of a statement, as text (values never go into SQL text). */
typedef struct sd_pgparams {
    char **v;      /* owned strings */
    size_t n, cap;
    sd_status err; /* first failure (no memory), SD_OK when none */
} sd_pgparams;

void sd__pgp_init(sd_pgparams *p);
void sd__pgp_free(sd_pgparams *p);
sd_status sd__pgp_status(const sd_pgparams *p);
/* Add a parameter; returns its number ($1 is 1), 0 on failure (sticky). */
int sd__pgp_add(sd_pgparams *p, const char *text);
/* A number in round-trip form ("Infinity", "-Infinity", "NaN" as
 * PostgreSQL reads them). */
int sd__pgp_num(sd_pgparams *p, double x);
/* A float8[] or text[] literal of values. */
int sd__pgp_num_array(sd_pgparams *p, const double *x, size_t n);
int sd__pgp_text_array(sd_pgparams *p, char *const *s, size_t n);

/* Append to sql the condition "expr is missing for v": NULL (system-
 * missing) or one of v's user-missing codes, range or strings, through
 * parameters. Never NULL itself. */
void sd__pg_missing_cond(sd_strbuf *sql, sd_pgparams *p, const sd_var *v, const char *expr);

/* Values of a binary-format result: float8 and int8 (network order). */
double sd__pg_float8(const char *bytes);
int64_t sd__pg_int8(const char *bytes);

/* The dataset of a table: its handle (the dataset's `remote`). */
typedef struct sd_pgsrc {
    sd_remote base;  /* first: sd_dataset.remote points here */
    PGconn *conn;
    char *display;   /* the source's name (no password) */
    char *table;     /* as given */
    char *qtable;    /* quoted, for SQL text */
    char **expr;     /* per variable: the SQL expression that reads its values */
    size_t nexpr;
} sd_pgsrc;

/* Open a table as a dataset without its rows (read_pg.c): its columns as
 * variables, the codebook (`cb`, else the one the database keeps in its
 * sondage_codebook table) applied, each variable's measure decided. */
sd_status sd__read_pg(const char *uri, const char *table, const sd_codebook *cb,
                      sd_dataset **out, sd_error *err);
/* A database's dataset with its rows read into it (COPY ... TO STDOUT), for
 * what needs them here (export, weighting). */
sd_status sd__pg_fetch_rows(const sd_dataset *remote, sd_dataset **out, sd_error *err);

/* Load a dataset into a new table with COPY and record its codebook in
 * sondage_codebook, in one transaction (write_pg.c). An existing table is
 * an error unless `replace` (then it is dropped in the same transaction). */
sd_status sd__write_pg(const sd_dataset *ds, const char *uri, const char *table, bool replace,
                       sd_error *err);

#endif /* SD_IO_PG_H */
