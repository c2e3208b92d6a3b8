/*
 * test_store.c — the SQLite fieldwork store and the SQLite reader:
 * sessions saved and loaded, one completion per session, quota cells that
 * never go over under concurrent completions (8 threads), invitation
 * tokens (single use, resume, unknown), a store refused for another
 * questionnaire, and the store read back as a dataset (rows, values,
 * codebook) while it is open; the reader on plain SQLite tables (types from
 * the declared column types, the errors it gives).
 */
#include "harness.h"
#include "field/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

static const char qyaml[] =
    "languages: [fr, en]\n"
    "title: {fr: Titre, en: Title}\n"
    "quotas: {role: {2: 3}}\n"
    "pages:\n"
    "  - name: p1\n"
    "    questions:\n"
    "      - name: role\n"
    "        type: single\n"
    "        text: {fr: Fonction, en: Role}\n"
    "        options:\n"
    "          - {code: 1, label: {fr: DSI, en: CIO}}\n"
    "          - {code: 2, label: {fr: Marketeur, en: Marketer}}\n"
    "      - {name: size, type: numeric, text: Taille, required: false}\n"
    "      - {name: says, type: text, text: Dites, required: false}\n";

static char dir[256];

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static sd__questionnaire *questionnaire(const char *y)
{
    sd__questionnaire *q = NULL;
    sd_error *err = sd_error_new();
    if (sd__questionnaire_parse(y, strlen(y), "q.yml", &q, err) != SD_OK)
        fprintf(stderr, "  %s\n", sd_error_message(err));
    sd_error_free(err);
    return q;
}

static void new_session(sd__session *s, const char *sid, const char *token)
{
    memset(s, 0, sizeof *s);
    snprintf(s->sid, sizeof s->sid, "%s", sid);
    snprintf(s->csrf, sizeof s->csrf, "c%031d", 7);
    snprintf(s->lang, sizeof s->lang, "fr");
    if (token)
        snprintf(s->token, sizeof s->token, "%s", token);
    s->answers = sd__strdup("");
}

static void test_sessions_and_completion(void)
{
    char db[300];
    path_in(db, sizeof db, "a.sqlite");
    sd__questionnaire *q = questionnaire(qyaml);
    sd_error *err = sd_error_new();
    sd__store *st = NULL;
    CHECK(q && sd__store_open(db, q, true, &st, err) == SD_OK);
    if (!st) {
        fprintf(stderr, "  %s\n", sd_error_message(err));
        goto out;
    }
    sd__session s;
    bool resumed;
    new_session(&s, "00000000000000000000000000000001", NULL);
    s.seed = 42;
    CHECK(sd__store_session_new(st, &s, &resumed, err) == SD_OK && !resumed);
    sd__free(s.answers);
    s.answers = sd__strdup("role=1&size=12&says=l%27%C3%A9t%C3%A9");
    s.page = 1;
    CHECK(sd__store_session_save(st, &s, err) == SD_OK);
    sd__session back;
    bool found;
    CHECK(st->ops->session_get(st, s.sid, &back, &found, err) == SD_OK && found);
    CHECK_STR(back.answers, s.answers);
    CHECK_INT(back.page, 1);
    CHECK(back.seed == 42);
    CHECK_STR(back.lang, "fr");
    CHECK(back.status == SD_SESS_ACTIVE);
    sd__session_free(&back);
    CHECK(st->ops->session_get(st, "ffffffffffffffffffffffffffffffff", &back, &found, err) ==
              SD_OK &&
          !found);
    sd__answers row;
    CHECK(sd__answers_decode(q, s.answers, strlen(s.answers), &row, err) == SD_OK);
    sd__outcome oc;
    long id = 0;
    CHECK(sd__store_complete(st, &s, &row, &oc, &id, err) == SD_OK);
    CHECK(oc == SD_OUTCOME_COMPLETE && id == 1);
    /* A second completion of the same session stores nothing more. */
    id = 0;
    CHECK(sd__store_complete(st, &s, &row, &oc, &id, err) == SD_OK);
    CHECK(oc == SD_OUTCOME_COMPLETE && id == 1);
    CHECK(st->ops->session_get(st, s.sid, &back, &found, err) == SD_OK && found);
    CHECK(back.status == SD_SESS_COMPLETE && back.response_id == 1);
    sd__session_free(&back);
    sd__answers_free(&row);
    sd__session_free(&s);

    /* The store as a dataset, while it is open. */
    sd_dataset *ds = NULL;
    CHECK(sd_dataset_open(db, SD_FORMAT_AUTO, NULL, &ds, err) == SD_OK);
    if (ds) {
        CHECK_INT(sd_dataset_nrows(ds), 1);
        CHECK_INT(sd_dataset_nvars(ds), 4);
        const sd_var *role = sd_dataset_find(ds, "role");
        const sd_var *says = sd_dataset_find(ds, "says");
        CHECK(role && sd_var_num(role, 0) == 1);
        CHECK_STR(role ? sd_var_value_label(role, 0, "en") : NULL, "CIO");
        CHECK_STR(role ? sd_var_label(role, "fr") : NULL, "Fonction");
        CHECK_STR(says ? sd_var_str(says, 0) : NULL, "l'été");
        CHECK(sd_var_num(sd_dataset_find(ds, "id"), 0) == 1);
        CHECK_STR(sd_dataset_title(ds, "en"), "Title");
    }
    sd_dataset_free(ds);
    long counts[3];
    CHECK(st->ops->session_counts(st, counts, err) == SD_OK);
    CHECK(counts[0] == 0 && counts[1] == 1 && counts[2] == 0);
out:
    sd__store_close(st);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

typedef struct job {
    sd__store *st;
    const sd__questionnaire *q;
    int thread;
    int completes, screened, errors;
} job;

static void *finish_many(void *arg)
{
    job *j = arg;
    sd_error *err = sd_error_new();
    for (int k = 0; k < 25; k++) {
        char sid[40];
        snprintf(sid, sizeof sid, "%016x%016x", 0x100 + j->thread, k);
        sd__session s;
        bool resumed;
        new_session(&s, sid, NULL);
        sd__answers row;
        sd__answers_init(&row, j->q->nvars);
        sd__answers_set_num(&row, 0, 2);
        sd__outcome oc;
        long id;
        sd_error_clear(err);
        if (sd__store_session_new(j->st, &s, &resumed, err) != SD_OK ||
            sd__store_complete(j->st, &s, &row, &oc, &id, err) != SD_OK)
            j->errors++;
        else if (oc == SD_OUTCOME_COMPLETE)
            j->completes++;
        else
            j->screened++;
        sd__answers_free(&row);
        sd__session_free(&s);
    }
    sd_error_free(err);
    return NULL;
}

static void test_quota_concurrent(void)
{
    char db[300];
    path_in(db, sizeof db, "b.sqlite");
    sd__questionnaire *q = questionnaire(qyaml);
    sd_error *err = sd_error_new();
    sd__store *st = NULL;
    CHECK(q && sd__store_open(db, q, true, &st, err) == SD_OK);
    if (!st)
        goto out;
    pthread_t th[8];
    job jobs[8];
    for (int i = 0; i < 8; i++) {
        jobs[i] = (job){.st = st, .q = q, .thread = i};
        pthread_create(&th[i], NULL, finish_many, &jobs[i]);
    }
    int completes = 0, screened = 0, errors = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        completes += jobs[i].completes;
        screened += jobs[i].screened;
        errors += jobs[i].errors;
    }
    CHECK_INT(errors, 0);
    CHECK_INT(completes, 3); /* the marketers' cell holds 3, never 4 */
    CHECK_INT(screened, 197);
    bool full = false;
    CHECK(st->ops->cell_full(st, 0, 2, &full, err) == SD_OK && full);
    sd__quota_count *cells = NULL;
    size_t n = 0;
    CHECK(st->ops->quota_counts(st, &cells, &n, err) == SD_OK);
    CHECK(n == 1 && cells && cells[0].done == 3 && cells[0].limit == 3);
    sd__free(cells);
    long counts[3];
    CHECK(st->ops->session_counts(st, counts, err) == SD_OK);
    CHECK(counts[1] == 3 && counts[2] == 197);
    sd__store_close(st);
    st = NULL;
    /* Reopened with a larger limit: counts come from the rows. */
    CHECK(sd__questionnaire_set_quota(q, "role=2:5", err) == SD_OK);
    CHECK(sd__store_open(db, q, true, &st, err) == SD_OK);
    if (st) {
        CHECK(st->ops->quota_counts(st, &cells, &n, err) == SD_OK);
        CHECK(n == 1 && cells && cells[0].done == 3 && cells[0].limit == 5);
        sd__free(cells);
        CHECK(st->ops->cell_full(st, 0, 2, &full, err) == SD_OK && !full);
    }
out:
    sd__store_close(st);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static void test_tokens(void)
{
    char db[300];
    path_in(db, sizeof db, "c.sqlite");
    sd__questionnaire *q = questionnaire(qyaml);
    sd_error *err = sd_error_new();
    sd__store *st = NULL;
    char *tokens = NULL;
    CHECK(q && sd__store_open(db, q, false, &st, err) == SD_OK);
    if (!st)
        goto out;
    CHECK(st->ops->tokens_create(st, 2, &tokens, err) == SD_OK);
    if (!tokens)
        goto out;
    CHECK_INT(strlen(tokens), 32);
    CHECK(strcmp(tokens, tokens + 33) != 0);
    sd__session s, t;
    bool resumed;
    new_session(&s, "0000000000000000000000000000000a", tokens);
    CHECK(sd__store_session_new(st, &s, &resumed, err) == SD_OK && !resumed);
    /* The same invitation again (another browser): the first session. */
    new_session(&t, "0000000000000000000000000000000b", tokens);
    CHECK(sd__store_session_new(st, &t, &resumed, err) == SD_OK && resumed);
    CHECK_STR(t.sid, "0000000000000000000000000000000a");
    CHECK_STR(t.token, tokens);
    sd__session_free(&t);
    new_session(&t, "0000000000000000000000000000000c", "deadbeefdeadbeefdeadbeefdeadbeef");
    sd_error_clear(err);
    CHECK(sd__store_session_new(st, &t, &resumed, err) == SD_E_NOT_FOUND);
    CHECK_STR(sd_error_message(err), "unknown invitation token");
    sd__session_free(&t);
    sd__session_free(&s);
out:
    sd__free(tokens);
    sd__store_close(st);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static void test_other_questionnaire(void)
{
    char db[300];
    path_in(db, sizeof db, "a.sqlite"); /* made by test_sessions_and_completion */
    char *other = sd__strdup(qyaml);
    char *at = strstr(other, "name: size");
    memcpy(at, "name: sise", 10);
    sd__questionnaire *q = questionnaire(other);
    sd_error *err = sd_error_new();
    sd__store *st = NULL;
    CHECK(q && sd__store_open(db, q, true, &st, err) == SD_E_CONFLICT);
    CHECK_STR(sd_error_message(err), "this store was made for another questionnaire: column 3 is "
                                     "'size' (NUMERIC), the questionnaire's is 'sise' (NUMERIC)");
    CHECK(st == NULL);
    sd_error_clear(err);
    /* A PostgreSQL store (store_pg.c) whose server is not there: a
     * connection error naming the URI, no store (tests/scripts/field_pg.sh
     * runs the real one). */
    sd_status pst = sd__store_open("postgresql:///y?host=/nonexistent-sondage-dir", q, true, &st, err);
    CHECK(pst == SD_E_IO);
    CHECK(st == NULL);
    CHECK(strstr(sd_error_message(err), "cannot connect") != NULL);
    sd__questionnaire_free(q);
    sd__free(other);
    sd_error_free(err);
}

static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "  %s\n", msg);
        h_failed_checks++;
    }
    sqlite3_free(msg);
    sqlite3_close(h);
}

static void test_reader_plain_tables(void)
{
    char db[300], cbp[300];
    path_in(db, sizeof db, "plain.sqlite");
    exec_sql(db, "CREATE TABLE t (k INTEGER, w REAL, city TEXT, code VARCHAR(3), x);"
                 "INSERT INTO t VALUES (1, 0.5, 'Paris', '007', 3), (2, NULL, 'Lyon', NULL, 4.5),"
                 " (3, 2, NULL, 'A', NULL);");
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK(sd_dataset_open(db, SD_FORMAT_AUTO, NULL, &ds, err) == SD_OK);
    if (ds) {
        CHECK_INT(sd_dataset_nrows(ds), 3);
        CHECK(sd_var_type(sd_dataset_find(ds, "k")) == SD_TYPE_NUMERIC);
        CHECK(sd_var_type(sd_dataset_find(ds, "city")) == SD_TYPE_STRING);
        CHECK(sd_var_type(sd_dataset_find(ds, "code")) == SD_TYPE_STRING);
        CHECK(sd_var_type(sd_dataset_find(ds, "x")) == SD_TYPE_NUMERIC);
        CHECK(sd_var_is_missing(sd_dataset_find(ds, "w"), 1));
        CHECK_STR(sd_var_str(sd_dataset_find(ds, "code"), 0), "007");
        CHECK(sd_var_num(sd_dataset_find(ds, "x"), 1) == 4.5);
    }
    sd_dataset_free(ds);
    ds = NULL;
    /* A codebook given: its types win (k as text). */
    path_in(cbp, sizeof cbp, "plain.yaml");
    FILE *fp = fopen(cbp, "w");
    fputs("variables:\n  - {name: k, type: string, label: Key}\n", fp);
    fclose(fp);
    CHECK(sd_dataset_open(db, SD_FORMAT_AUTO, cbp, &ds, err) == SD_OK);
    if (ds) {
        CHECK(sd_var_type(sd_dataset_find(ds, "k")) == SD_TYPE_STRING);
        CHECK_STR(sd_var_str(sd_dataset_find(ds, "k"), 2), "3");
        CHECK_STR(sd_var_label(sd_dataset_find(ds, "k"), "en"), "Key");
    }
    sd_dataset_free(ds);
    ds = NULL;
    /* Text in a numeric column */
    exec_sql(db, "INSERT INTO t VALUES ('x', 1, 'a', 'b', 1)");
    sd_error_clear(err);
    CHECK(sd_dataset_open(db, SD_FORMAT_AUTO, NULL, &ds, err) == SD_E_TYPE);
    CHECK_STR(sd_error_message(err), "row 4 of 'k': 'x' is not a number (declare the column a "
                                     "string in the codebook to keep it as text)");
    CHECK_INT(sd_error_line(err), 4);
    CHECK_INT(sd_error_column(err), 1);
    /* Two tables and no sondage_codebook */
    exec_sql(db, "CREATE TABLE u (a)");
    sd_error_clear(err);
    CHECK(sd_dataset_open(db, SD_FORMAT_AUTO, NULL, &ds, err) == SD_E_UNSUPPORTED);
    CHECK_STR(sd_error_message(err), "the database holds several tables (t, u) and no "
                                     "sondage_codebook saying which to read");
    /* Not a database */
    char bad[300];
    path_in(bad, sizeof bad, "bad.sqlite");
    fp = fopen(bad, "w");
    fputs("not sqlite at all, just text\n", fp);
    fclose(fp);
    sd_error_clear(err);
    CHECK(sd_dataset_open(bad, SD_FORMAT_AUTO, NULL, &ds, err) == SD_E_FORMAT);
    CHECK_STR(sd_error_message(err), "not a SQLite database");
    path_in(bad, sizeof bad, "missing.sqlite");
    sd_error_clear(err);
    CHECK(sd_dataset_open(bad, SD_FORMAT_AUTO, NULL, &ds, err) == SD_E_IO);
    CHECK(ds == NULL);
    sd_error_free(err);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/sondage-test-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_sessions_and_completion);
    RUN(test_quota_concurrent);
    RUN(test_tokens);
    RUN(test_other_questionnaire);
    RUN(test_reader_plain_tables);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "  could not remove %s\n", dir);
    DONE();
}
