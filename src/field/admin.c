/*
 * admin.c — the field server's admin area, behind HTTP Basic
 * authentication with the secret given at start (any user name; the
 * password compared in constant time; 401 otherwise):
 *
 *   /admin                 sessions and quota cells, live (refreshes itself)
 *   /admin/tables?lang=    every question tabulated by the first quota
 *                          variable, with its findings in words, through
 *                          the library (sd_tabulate, sd_result_write: text
 *                          and prose)
 *   /admin/export.csv      completed interviews as CSV (sd_dataset_write_csv)
 *   /admin/codebook.yaml   their codebook
 *   /admin/export.sav      as SPSS .sav (sd_dataset_write_sav), ?lang= labels
 *
 * Tables and exports read the store the way `sondage tab FILE.sqlite` does
 * (the SQLite reader, a consistent snapshot while interviews keep coming).
 */
#include "server.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char realm[] = "sondage admin";

static bool authorised(sd__server *S, struct MHD_Connection *c)
{
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(c, &pass);
    bool ok = pass && sd__secret_eq(pass, strlen(pass), S->secret, S->secret_len);
    if (user)
        MHD_free(user);
    if (pass)
        MHD_free(pass);
    return ok;
}

static enum MHD_Result deny(struct MHD_Connection *c)
{
    static const char body[] = "401: the admin area needs the secret printed when the server "
                               "started (user: admin)\n";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_basic_auth_fail_response(c, realm, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *admin_lang(sd__server *S, struct MHD_Connection *c)
{
    const char *l = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
    for (size_t i = 0; l && i < S->q->nlangs; i++)
        if (strcmp(l, S->q->langs[i]) == 0)
            return S->q->langs[i];
    return S->q->langs[0];
}

/* The admin pages' words: French for a French page, English otherwise (the
 * respondents' pages take their words from the questionnaire). */
#define NBSP "\xC2\xA0"
typedef struct admin_words {
    const char *counts, *tables, *exports, *codebook, *fieldwork, *interviews, *completed,
        *screened, *active, *quotas, *no_quota, *variable, *cell, *done, *limit, *left, *closed,
        *unreadable, *store_errors, *last, *no_interview, *n_interviews, *by;
} admin_words;

static const admin_words words_en = {
    "Counts", "Tables", "Exports", "codebook", "Fieldwork", "Interviews", "Completed",
    "Screened out", "In progress (started, not finished)", "Quotas", "No quota.", "Variable",
    "Cell", "Completed", "Limit", "Left", " (closed)", "The store cannot be read: ",
    "Store errors since the start: ", "last: ", "No completed interview yet.",
    " completed interviews", ", by "};
static const admin_words words_fr = {
    "Comptages", "Tableaux", "Exports", "dictionnaire des codes", "Terrain", "Entretiens",
    "Complets", "Écartés (hors cible ou quota atteint)", "En cours (commencés, non terminés)",
    "Quotas", "Aucun quota.", "Variable", "Cellule", "Complets", "Objectif", "Restant",
    " (fermée)", "Le fichier des réponses est illisible" NBSP ": ",
    "Erreurs d'écriture depuis le démarrage" NBSP ": ", "dernière" NBSP ": ",
    "Aucun entretien complet pour l'instant.", " entretiens complets", ", par "};

static const admin_words *words(const char *lang)
{
    return sd__lang_is_fr(lang) ? &words_fr : &words_en;
}

static void value_label(sd_strbuf *sb, const sd__questionnaire *q, const sd__quota *qt,
                        double code, const char *lang)
{
    const sd__question *qs = &q->qs[qt->question];
    char buf[SD_NUMBUF];
    sd__fmt_double(buf, code);
    sd__sb_puts(sb, buf);
    for (size_t k = 0; k < qs->nopts; k++)
        if (qs->opts[k].code == code) {
            sd__sb_puts(sb, " ");
            sd__html_esc(sb, sd__labels_get(&qs->opts[k].label, lang));
        }
}

/* <a href="PATH?lang=L">L</a> */
static void lang_link(sd_strbuf *sb, const char *path, const char *l)
{
    sd__sb_puts(sb, "<a href=\"");
    sd__sb_puts(sb, path);
    sd__sb_puts(sb, "?lang=");
    sd__html_esc(sb, l);
    sd__sb_puts(sb, "\">");
    sd__html_esc(sb, l);
    sd__sb_puts(sb, "</a>");
}

static void links(sd_strbuf *sb, const sd__questionnaire *q, const char *lang)
{
    const admin_words *W = words(lang);
    const char *colon = W == &words_fr ? NBSP ":" : ":";
    sd__sb_puts(sb, "<p><a href=\"/admin?lang=");
    sd__html_esc(sb, lang);
    sd__sb_puts(sb, "\">");
    sd__sb_puts(sb, W->counts);
    sd__sb_puts(sb, "</a>");
    for (size_t i = 0; i < q->nlangs; i++) {
        if (strcmp(q->langs[i], lang) == 0)
            continue;
        sd__sb_puts(sb, " (");
        lang_link(sb, "/admin", q->langs[i]);
        sd__sb_puts(sb, ")");
    }
    sd__sb_puts(sb, " · ");
    sd__sb_puts(sb, W->tables);
    sd__sb_puts(sb, colon);
    for (size_t i = 0; i < q->nlangs; i++) {
        sd__sb_puts(sb, " ");
        lang_link(sb, "/admin/tables", q->langs[i]);
    }
    sd__sb_printf(sb,
                  " · %s%s <a href=\"/admin/export.csv\">CSV</a> + <a "
                  "href=\"/admin/codebook.yaml\">%s</a>, .sav%s",
                  W->exports, colon, W->codebook, colon);
    for (size_t i = 0; i < q->nlangs; i++) {
        sd__sb_puts(sb, " ");
        lang_link(sb, "/admin/export.sav", q->langs[i]);
    }
    sd__sb_puts(sb, "</p>\n");
}

static enum MHD_Result page_counts(sd__server *S, struct MHD_Connection *c)
{
    const sd__questionnaire *q = S->q;
    const char *lang = admin_lang(S, c);
    sd_error *err = sd_error_new();
    long counts[3] = {0, 0, 0};
    sd__quota_count *cells = NULL;
    size_t ncells = 0;
    sd_status st = err ? S->st->ops->session_counts(S->st, counts, err) : SD_E_NOMEM;
    if (st == SD_OK)
        st = S->st->ops->quota_counts(S->st, &cells, &ncells, err);
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 24);
    const admin_words *W = words(lang);
    sd__html_head(&sb, q, lang, "admin", "Admin", 10);
    sd__sb_puts(&sb, "<header><p class=\"study\">");
    sd__html_esc(&sb, sd__labels_get(&q->title, lang));
    sd__sb_printf(&sb, "</p></header>\n<main class=\"admin\">\n<h1>%s</h1>\n", W->fieldwork);
    links(&sb, q, lang);
    if (st != SD_OK) {
        sd__sb_printf(&sb, "<p class=\"full\">%s", W->unreadable);
        sd__html_esc(&sb, err ? sd_error_message(err) : "out of memory");
        sd__sb_puts(&sb, "</p>\n");
    } else {
        /* Numbers for people, grouped as the page's language groups them
         * (fr: 12 345 with U+202F; en: 12,345). */
        char n1[64], n2[64], n0[64];
        sd__human_num(n1, sizeof n1, (double)counts[1], lang);
        sd__human_num(n2, sizeof n2, (double)counts[2], lang);
        sd__human_num(n0, sizeof n0, (double)counts[0], lang);
        sd__sb_printf(&sb,
                      "<h2>%s</h2>\n<table><tr><th>%s</th><td "
                      "data-count=\"complete\">%s</td></tr><tr><th>%s</th><td "
                      "data-count=\"screened-out\">%s</td></tr><tr><th>%s</th><td "
                      "data-count=\"active\">%s</td></tr></table>\n",
                      W->interviews, W->completed, n1, W->screened, n2, W->active, n0);
        sd__sb_printf(&sb, "<h2>%s</h2>\n", W->quotas);
        if (!ncells)
            sd__sb_printf(&sb, "<p>%s</p>\n", W->no_quota);
        else
            sd__sb_printf(&sb,
                          "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                          "</tr>\n",
                          W->variable, W->cell, W->done, W->limit, W->left);
        for (size_t i = 0; i < ncells; i++) {
            const sd__quota *qt = NULL;
            for (size_t k = 0; k < q->nquotas; k++)
                if (strcmp(q->quotas[k].var_name, cells[i].var) == 0)
                    qt = &q->quotas[k];
            long left = cells[i].limit - cells[i].done;
            sd__sb_puts(&sb, "<tr><td>");
            sd__html_esc(&sb, cells[i].var);
            sd__sb_puts(&sb, "</td><td>");
            if (qt)
                value_label(&sb, q, qt, cells[i].code, lang);
            char nd[64], nl[64], nr[64];
            sd__human_num(nd, sizeof nd, (double)cells[i].done, lang);
            sd__human_num(nl, sizeof nl, (double)cells[i].limit, lang);
            sd__human_num(nr, sizeof nr, (double)(left < 0 ? 0 : left), lang);
            sd__sb_printf(&sb,
                          "</td><td data-quota-done>%s</td><td>%s</td><td%s>%s%s</td></tr>\n",
                          nd, nl, left <= 0 ? " class=\"full\"" : "", nr,
                          left <= 0 ? W->closed : "");
        }
        if (ncells)
            sd__sb_puts(&sb, "</table>\n");
    }
    pthread_mutex_lock(&S->mu);
    if (S->store_errors) {
        sd__sb_printf(&sb, "<p class=\"full\">%s%lu (%s", W->store_errors, S->store_errors,
                      W->last);
        sd__html_esc(&sb, S->last_error);
        sd__sb_puts(&sb, ")</p>\n");
    }
    pthread_mutex_unlock(&S->mu);
    sd__html_tail(&sb);
    sd__free(cells);
    sd_error_free(err);
    return sd__send(c, MHD_HTTP_OK, "text/html; charset=utf-8", &sb, NULL, NULL, NULL);
}

/* The variables and sets worth a table: every coded question's variable,
 * each grid line, each multiple question's set; numbers and texts are not
 * categories. */
static bool tabulable(const sd__questionnaire *q, size_t qi, size_t *first, size_t *count)
{
    const sd__question *qs = &q->qs[qi];
    *first = 0;
    *count = 0;
    switch (qs->kind) {
    case SD_Q_SINGLE:
    case SD_Q_YESNO:
    case SD_Q_MULTIPLE: *count = 1; return true;
    case SD_Q_GRID: *count = qs->nitems; return true;
    case SD_Q_NUMERIC:
    case SD_Q_TEXT: return false;
    }
    return false;
}

/* A result written in a format into a malloc'ed text. */
static sd_status write_result(const sd_result *res, sd_outfmt fmt, const char *lang, char **text,
                              size_t *len, sd_error *err)
{
    FILE *fp = open_memstream(text, len);
    if (!fp)
        return SD_E_NOMEM;
    sd_status st = sd_result_write(res, fmt, lang, fp, err);
    if (fclose(fp) != 0 && st == SD_OK)
        st = SD_E_NOMEM;
    return st;
}

/* Paragraphs (blank-line separated) as <p> elements, escaped. */
static void paragraphs(sd_strbuf *sb, const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && t[i] == '\n')
            i++;
        size_t e = i;
        while (e < n && !(t[e] == '\n' && e + 1 < n && t[e + 1] == '\n'))
            e++;
        size_t end = e;
        while (end > i && t[end - 1] == '\n')
            end--;
        if (end > i) {
            sd__sb_puts(sb, "<p>");
            sd__html_escn(sb, t + i, end - i);
            sd__sb_puts(sb, "</p>");
        }
        i = e;
    }
}

static void one_table(sd_strbuf *sb, const sd_dataset *ds, const char *row, const char *banner,
                      const char *lang)
{
    sd_error *err = sd_error_new();
    sd_tabspec *spec = sd_tabspec_new();
    sd_result *res = NULL;
    char *text = NULL, *prose = NULL;
    size_t len = 0, plen = 0;
    sd_status st = err && spec ? SD_OK : SD_E_NOMEM;
    if (st == SD_OK && (st = sd_tabspec_add_row(spec, row, err)) == SD_OK && banner &&
        strcmp(banner, row) != 0)
        st = sd_tabspec_add_col(spec, banner, err);
    if (st == SD_OK)
        st = sd_tabulate(ds, spec, &res, err);
    if (st == SD_OK)
        st = write_result(res, SD_OUT_TEXT, lang, &text, &len, err);
    /* The findings in words; a table without any says nothing. */
    bool have_prose = st == SD_OK && write_result(res, SD_OUT_PROSE, lang, &prose, &plen, NULL) ==
                                         SD_OK;
    sd__sb_puts(sb, "<pre data-table=\"");
    sd__html_esc(sb, row);
    sd__sb_puts(sb, "\">");
    if (st == SD_OK)
        sd__html_escn(sb, text, len);
    else {
        sd__html_esc(sb, row);
        sd__sb_puts(sb, ": ");
        sd__html_esc(sb, err ? sd_error_message(err) : "out of memory");
    }
    sd__sb_puts(sb, "</pre>\n");
    if (have_prose && plen) {
        sd__sb_puts(sb, "<div class=\"findings\" data-findings=\"");
        sd__html_esc(sb, row);
        sd__sb_puts(sb, "\">");
        paragraphs(sb, prose, plen);
        sd__sb_puts(sb, "</div>\n");
    }
    free(prose);
    free(text);
    sd_result_free(res);
    sd_tabspec_free(spec);
    sd_error_free(err);
}

static enum MHD_Result page_tables(sd__server *S, struct MHD_Connection *c)
{
    const sd__questionnaire *q = S->q;
    const char *lang = admin_lang(S, c);
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    sd_status st = err ? sd_dataset_open(S->db_path, SD_FORMAT_SQLITE, NULL, &ds, err)
                       : SD_E_NOMEM;
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 28);
    const admin_words *W = words(lang);
    sd__html_head(&sb, q, lang, "admin-tables", W->tables, 30);
    sd__sb_puts(&sb, "<header><p class=\"study\">");
    sd__html_esc(&sb, sd__labels_get(&q->title, lang));
    sd__sb_printf(&sb, "</p></header>\n<main class=\"admin\">\n<h1>%s</h1>\n", W->tables);
    links(&sb, q, lang);
    const char *banner = q->nquotas ? q->quotas[0].var_name : NULL;
    if (st != SD_OK) {
        sd__sb_printf(&sb, "<p class=\"full\">%s", W->unreadable);
        sd__html_esc(&sb, err ? sd_error_message(err) : "out of memory");
        sd__sb_puts(&sb, "</p>\n");
    } else if (sd_dataset_nrows(ds) == 0) {
        sd__sb_printf(&sb, "<p data-rows=\"0\">%s</p>\n", W->no_interview);
    } else {
        sd__sb_printf(&sb, "<p data-rows=\"%zu\">%zu%s%s", sd_dataset_nrows(ds),
                      sd_dataset_nrows(ds), W->n_interviews, banner ? W->by : "");
        if (banner)
            sd__html_esc(&sb, banner);
        sd__sb_puts(&sb, ".</p>\n");
        for (size_t i = 0; i < q->nq; i++) {
            size_t first, count;
            if (!tabulable(q, i, &first, &count))
                continue;
            const sd__question *qs = &q->qs[i];
            if (qs->kind == SD_Q_GRID)
                for (size_t k = 0; k < qs->nitems; k++)
                    one_table(&sb, ds, qs->items[k].name, banner, lang);
            else
                one_table(&sb, ds, qs->name, banner, lang);
        }
    }
    sd__html_tail(&sb);
    sd_dataset_free(ds);
    sd_error_free(err);
    return sd__send(c, MHD_HTTP_OK, "text/html; charset=utf-8", &sb, NULL, NULL, NULL);
}

/* Write an export into an unlinked temporary file and send it. */
static enum MHD_Result export_file(sd__server *S, struct MHD_Connection *c, bool sav)
{
    const char *lang = admin_lang(S, c);
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/sondage-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    sd_status st = !err ? SD_E_NOMEM : fd < 0 ? SD_E_IO : SD_OK;
    if (fd >= 0)
        close(fd);
    if (st == SD_OK)
        st = sd_dataset_open(S->db_path, SD_FORMAT_SQLITE, NULL, &ds, err);
    if (st == SD_OK)
        st = sav ? sd_dataset_write_sav(ds, path, lang, err)
                 : sd_dataset_write_csv(ds, path, NULL, err);
    int rfd = -1;
    struct stat sbuf;
    if (st == SD_OK && ((rfd = open(path, O_RDONLY)) < 0 || fstat(rfd, &sbuf) != 0))
        st = SD_E_IO;
    if (fd >= 0)
        unlink(path);
    sd_dataset_free(ds);
    if (st != SD_OK) {
        if (rfd >= 0)
            close(rfd);
        sd_strbuf sb;
        sd__sb_init(&sb, 4096);
        sd__sb_puts(&sb, "export failed: ");
        sd__sb_puts(&sb, err && *sd_error_message(err) ? sd_error_message(err) : "I/O error");
        sd__sb_puts(&sb, "\n");
        sd_error_free(err);
        return sd__send(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", &sb,
                        NULL, NULL, NULL);
    }
    sd_error_free(err);
    struct MHD_Response *r = MHD_create_response_from_fd((size_t)sbuf.st_size, rfd);
    if (!r) {
        close(rfd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            sav ? "application/x-spss-sav" : "text/csv; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                            sav ? "attachment; filename=\"responses.sav\""
                                : "attachment; filename=\"responses.csv\"");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result sd__admin_handle(sd__server *S, struct MHD_Connection *c, const char *url)
{
    if (!authorised(S, c))
        return deny(c);
    if (strcmp(url, "/admin") == 0 || strcmp(url, "/admin/") == 0)
        return page_counts(S, c);
    if (strcmp(url, "/admin/tables") == 0)
        return page_tables(S, c);
    if (strcmp(url, "/admin/export.csv") == 0)
        return export_file(S, c, false);
    if (strcmp(url, "/admin/export.sav") == 0)
        return export_file(S, c, true);
    if (strcmp(url, "/admin/codebook.yaml") == 0) {
        sd_strbuf sb;
        sd__sb_init(&sb, (size_t)1 << 28);
        sd__sb_add(&sb, S->codebook, S->codebook_len);
        return sd__send(c, MHD_HTTP_OK, "application/yaml; charset=utf-8", &sb, NULL,
                        MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                        "attachment; filename=\"responses.yaml\"");
    }
    sd_strbuf sb;
    sd__sb_init(&sb, 64);
    sd__sb_puts(&sb, "not found\n");
    return sd__send(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", &sb, NULL, NULL, NULL);
}
