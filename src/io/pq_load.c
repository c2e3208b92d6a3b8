/*
 * pq_load.c — libpq loaded when sondage first connects to PostgreSQL
 * (pg.h, SD_PQ_FUNCS): dlopen of the library Debian's libpq5 installs,
 * each function looked up once into a table the macros of pg.h call
 * through. A machine without libpq still runs every other command, and
 * a connection there fails with a one-line error saying what to install.
 */
#define SD_PQ_REAL 1
#include "pg.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

_Atomic(const sd_pq_api *) sd__pq_table;

static sd_pq_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[200];

static void load(void)
{
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why,
                 "cannot load the PostgreSQL client library libpq.so.5 (install libpq5): %s",
                 dlerror());
        return;
    }
    /* POSIX: a function's address may travel through a void pointer. */
#define SD_PQ_SYM(name)                                                                      \
    if (!(*(void **)(void *)&api.name = dlsym(h, #name))) {                                   \
        snprintf(why, sizeof why, "libpq.so.5 has no %s: expected libpq 10 or later", #name); \
        return;                                                                               \
    }
    SD_PQ_FUNCS(SD_PQ_SYM)
#undef SD_PQ_SYM
    atomic_store_explicit(&sd__pq_table, &api, memory_order_release);
}

const sd_pq_api *sd__pq_load(void)
{
    pthread_once(&once, load);
    return atomic_load_explicit(&sd__pq_table, memory_order_acquire);
}

const char *sd__pq_error(void)
{
    return why[0] ? why : "libpq is not loaded";
}
