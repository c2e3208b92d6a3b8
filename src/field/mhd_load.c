/*
 * mhd_load.c — libmicrohttpd loaded when the field server starts
 * (server.h, SD_MHD_FUNCS): dlopen of the library Debian's
 * libmicrohttpd12 installs, each function looked up once into a table the
 * macros of server.h call through. Every other command runs without it;
 * `serve` there fails with a one-line error saying what to install.
 */
#define SD_MHD_REAL 1
#include "server.h"

#include <dlfcn.h>
#include <stdio.h>

_Atomic(const sd_mhd_api *) sd__mhd_table;

static sd_mhd_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[200];

static void load(void)
{
    void *h = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why,
                 "cannot load the HTTP server library libmicrohttpd.so.12 (install "
                 "libmicrohttpd12): %s",
                 dlerror());
        return;
    }
    /* POSIX: a function's address may travel through a void pointer. */
#define SD_MHD_SYM(name)                                                                     \
    if (!(*(void **)(void *)&api.name = dlsym(h, #name))) {                                   \
        snprintf(why, sizeof why, "libmicrohttpd.so.12 has no %s: expected 0.9.71 or later",  \
                 #name);                                                                      \
        return;                                                                               \
    }
    SD_MHD_FUNCS(SD_MHD_SYM)
#undef SD_MHD_SYM
    atomic_store_explicit(&sd__mhd_table, &api, memory_order_release);
}

const sd_mhd_api *sd__mhd_load(void)
{
    pthread_once(&once, load);
    return atomic_load_explicit(&sd__mhd_table, memory_order_acquire);
}

const char *sd__mhd_error(void)
{
    return why[0] ? why : "libmicrohttpd is not loaded";
}
