/*
 * cmd_serve.c — `sondage serve QUESTIONNAIRE --db FILE.sqlite` (or a
 * postgresql:// URI, which several servers may share): the fieldwork
 * server (src/field/server.c) until SIGINT or SIGTERM.
 */
#include "opts.h"

#include "field/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: sondage serve QUESTIONNAIRE --db FILE.sqlite|URI [OPTIONS]\n"
    "\n"
    "Serve the questionnaire (docs/questionnaire.md) on the web as plain HTML\n"
    "forms, and keep the answers in the store FILE.sqlite (created when absent;\n"
    "docs/fieldwork.md), or in PostgreSQL (a postgresql:// URI; several servers\n"
    "may share it). Each completed interview is written in one durable\n"
    "transaction before the thank-you page; quota cells never go over, across\n"
    "servers too. While it runs, `sondage info|tab` on the store read the\n"
    "answers. The admin area\n"
    "(/admin: counts, quotas, live tables, exports) asks for the admin secret,\n"
    "printed once at start unless given. Stops on SIGINT or SIGTERM.\n"
    "\n"
    "  -d, --db FILE|URI         the store: SQLite, or postgresql://... (the\n"
    "                            responses in table `responses`, or ?table=NAME)\n"
    "  -p, --port N              TCP port (default 8080; 0: any free port)\n"
    "      --bind ADDR           address to listen on (default 127.0.0.1)\n"
    "  -q, --quota SPEC          replace a variable's quota cells at start, e.g.\n"
    "                            'role=1:2400,2:400' (repeatable; ';' separates)\n"
    "      --access MODE         open (default: anyone with the link) or tokens\n"
    "                            (only invitation links: sondage tokens)\n"
    "      --admin-secret-file F the admin secret, first line of F (or the\n"
    "                            SONDAGE_ADMIN_SECRET environment variable)\n"
    "      --max-connections N   connections at once (default 512)\n"
    "      --per-ip N            connections per client address (default 64;\n"
    "                            0: no limit, e.g. behind a reverse proxy)\n"
    "      --timeout S           drop a connection idle for S seconds (default 30)\n"
    "      --threads N           threads answering requests (default 4)\n"
    "      --cookie-secure       cookies only over HTTPS (behind a TLS proxy)\n"
    "  -h, --help                this help\n";

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

static char *read_secret(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "sondage: error: %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!*buf) {
        fprintf(stderr, "sondage: error: %s: the admin secret is empty\n", path);
        return NULL;
    }
    return strdup(buf);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"port", required_argument, NULL, 'p'},
        {"bind", required_argument, NULL, 'B'},
        {"quota", required_argument, NULL, 'q'},
        {"access", required_argument, NULL, 'A'},
        {"admin-secret-file", required_argument, NULL, 'S'},
        {"max-connections", required_argument, NULL, 'M'},
        {"per-ip", required_argument, NULL, 'I'},
        {"timeout", required_argument, NULL, 'T'},
        {"cookie-secure", no_argument, NULL, 'C'},
        {"threads", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    sd__server_config cfg = {.bind = "127.0.0.1", .port = 8080, .per_ip = 64};
    const char *db = NULL, *secret_file = NULL;
    const char *quotas[64];
    size_t nquotas = 0;
    unsigned long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":d:p:q:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'p':
            if (!parse_uint(optarg, 65535, &v))
                return cli_usage("serve", "--port: expected 0 to 65535, not '%s'", optarg);
            cfg.port = (unsigned)v;
            break;
        case 'B': cfg.bind = optarg; break;
        case 'q':
            if (nquotas == sizeof quotas / sizeof quotas[0])
                return cli_usage("serve", "--quota: at most 64 times");
            quotas[nquotas++] = optarg;
            break;
        case 'A':
            if (strcmp(optarg, "open") == 0)
                cfg.tokens_only = false;
            else if (strcmp(optarg, "tokens") == 0)
                cfg.tokens_only = true;
            else
                return cli_usage("serve", "--access: expected open or tokens, not '%s'", optarg);
            break;
        case 'S': secret_file = optarg; break;
        case 'M':
            if (!parse_uint(optarg, 100000, &v) || v == 0)
                return cli_usage("serve", "--max-connections: expected 1 to 100000, not '%s'",
                                 optarg);
            cfg.max_connections = (unsigned)v;
            break;
        case 'I':
            if (!parse_uint(optarg, 100000, &v))
                return cli_usage("serve", "--per-ip: expected 0 to 100000, not '%s'", optarg);
            cfg.per_ip = (unsigned)v;
            break;
        case 'T':
            if (!parse_uint(optarg, 86400, &v) || v == 0)
                return cli_usage("serve", "--timeout: expected 1 to 86400 seconds, not '%s'",
                                 optarg);
            cfg.timeout = (unsigned)v;
            break;
        case 'C': cfg.cookie_secure = true; break;
        case 'N':
            if (!parse_uint(optarg, 256, &v) || v == 0)
                return cli_usage("serve", "--threads: expected 1 to 256, not '%s'", optarg);
            cfg.threads = (unsigned)v;
            break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return opts_bad("serve", c, argv, longopts);
        }
    }
    if (optind >= argc)
        return cli_usage("serve", "QUESTIONNAIRE is required: the questionnaire's YAML file");
    if (optind + 1 < argc)
        return cli_usage("serve", "one QUESTIONNAIRE expected, got '%s' and '%s'", argv[optind],
                         argv[optind + 1]);
    if (!db)
        return cli_usage("serve", "--db FILE is required: the store for the answers");
    cfg.db_path = db;

    char *secret = NULL;
    bool generated = false;
    if (secret_file) {
        if (!(secret = read_secret(secret_file)))
            return EXIT_INPUT;
    } else if (getenv("SONDAGE_ADMIN_SECRET") && *getenv("SONDAGE_ADMIN_SECRET")) {
        secret = strdup(getenv("SONDAGE_ADMIN_SECRET"));
    } else {
        char hex[33];
        if (sd__random_hex(hex, 16, NULL) != SD_OK) {
            fputs("sondage: error: no randomness for the admin secret\n", stderr);
            return EXIT_INTERNAL;
        }
        secret = strdup(hex);
        generated = true;
    }
    if (!secret) {
        fputs("sondage: error: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    cfg.admin_secret = secret;

    /* Signals are taken by sigwait below: block them before any thread
     * starts, so every thread inherits the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    sd_error *err = sd_error_new();
    sd__questionnaire *q = NULL;
    sd__store *st = NULL;
    sd__server *srv = NULL;
    int rc = EXIT_OK;
    if (!err) {
        fputs("sondage: error: out of memory\n", stderr);
        free(secret);
        return EXIT_INTERNAL;
    }
    if (sd__questionnaire_open(argv[optind], &q, err) != SD_OK)
        rc = cli_report(err);
    for (size_t i = 0; rc == EXIT_OK && i < nquotas; i++)
        if (sd__questionnaire_set_quota(q, quotas[i], err) != SD_OK)
            rc = cli_usage("serve", "%s", sd_error_message(err));
    if (rc == EXIT_OK && sd__store_open(db, q, true, &st, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK && sd__server_start(q, st, &cfg, &srv, err) != SD_OK)
        rc = cli_report(err);
    if (rc == EXIT_OK) {
        unsigned port = sd__server_port(srv);
        const char *host = cfg.bind;
        bool v6 = strchr(host, ':') != NULL;
        fprintf(stderr, "sondage: serving %s at http://%s%s%s:%u/ (store: %s, access: %s)\n",
                argv[optind], v6 ? "[" : "", host, v6 ? "]" : "", port,
                st->name && *st->name ? st->name : db,
                cfg.tokens_only ? "tokens" : "open");
        if (generated)
            fprintf(stderr,
                    "sondage: admin: http://%s%s%s:%u/admin user admin, secret %s (shown "
                    "once)\n",
                    v6 ? "[" : "", host, v6 ? "]" : "", port, secret);
        else
            fprintf(stderr, "sondage: admin: http://%s%s%s:%u/admin (secret as given)\n",
                    v6 ? "[" : "", host, v6 ? "]" : "", port);
        fflush(stderr);
        int sig = 0;
        sigwait(&stop, &sig);
        fprintf(stderr, "sondage: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    sd__server_stop(srv);
    sd__store_close(st);
    sd__questionnaire_free(q);
    sd_error_free(err);
    free(secret);
    return rc;
}
