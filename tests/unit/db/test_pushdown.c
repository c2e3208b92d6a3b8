/*
 * test_pushdown.c — the push-down through the library, where the command
 * line cannot reach (tests/scripts/pg_pushdown.sh compares the CLI's JSON):
 * replicate designs with more patterns than the design keeps (the
 * "patterns-max" knob), so that the overflow factor of the degrees of
 * freedom is filled from grouped sums; every cell statistic, test and
 * accumulator total of sd__tabulate_work on a table must equal the same
 * on its CSV to 1e-12. Needs the server SONDAGE_PG_URI names (make check
 * starts one); without it, a SKIP line.
 */
#include "harness.h"
#include "engine/engine.h"
#include "stats/stats.h"

#include "io/pg.h" /* libpq through its loader */
#include <unistd.h>

static const char *uri;
static char schema[64];

static bool close_enough(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    double d = fabs(a - b), m = fmax(fabs(a), fabs(b));
    return d <= 1e-12 * m || d <= 1e-15;
}

#define SAME(a, b, what)                                                                       \
    do {                                                                                       \
        if (!close_enough((a), (b))) {                                                         \
            fprintf(stderr, "  %s: %s: file %.17g, database %.17g\n", label, what, (double)(a), \
                    (double)(b));                                                              \
            h_failed_checks++;                                                                 \
        }                                                                                      \
    } while (0)

static void apply(sd_tabspec *s, const char *args)
{
    char *copy = strdup(args), *save = NULL;
    char *tok[64];
    int n = 0;
    for (char *t = strtok_r(copy, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
        tok[n++] = t;
    for (int i = 0; i < n; i++) {
        const char *key = tok[i] + 2;
        if (i + 1 < n && strncmp(tok[i + 1], "--", 2) != 0)
            CHECK_INT(sd_tabspec_set_option(s, key, tok[++i], NULL), SD_OK);
        else
            CHECK_INT(sd_tabspec_set_option(s, key, "true", NULL), SD_OK);
    }
    free(copy);
}

static void compare(const char *label, const char *csv, const char *table, const char *args)
{
    sd_error *e = sd_error_new();
    sd_dataset *local = NULL, *remote = NULL;
    CHECK_INT(sd_dataset_open(csv, SD_FORMAT_AUTO, NULL, &local, e), SD_OK);
    char tname[160], u[600];
    snprintf(tname, sizeof tname, "%s.%s", schema, table);
    snprintf(u, sizeof u, "%s", uri);
    CHECK_INT(sd_dataset_write_postgresql(local, u, tname, 1, e), SD_OK);
    sd_open_options o = {.table = tname};
    CHECK_INT(sd_dataset_open_with(u, &o, &remote, e), SD_OK);
    if (!local || !remote) {
        fprintf(stderr, "  %s: %s\n", label, sd_error_message(e));
        h_failed_checks++;
        sd_dataset_free(local);
        sd_dataset_free(remote);
        sd_error_free(e);
        return;
    }
    CHECK_INT(sd_dataset_nrows(remote), sd_dataset_nrows(local));
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, "y", NULL);
    sd_tabspec_add_row(s, "x:mean", NULL);
    sd_tabspec_add_col(s, "g", NULL);
    sd_tabspec_set_option(s, "tests", "true", NULL);
    apply(s, args);
    sd_work *a = NULL, *b = NULL;
    CHECK_INT(sd__tabulate_work(local, s, &a, e), SD_OK);
    CHECK_INT(sd__tabulate_work(remote, s, &b, e), SD_OK);
    if (a && b) {
        CHECK_INT(b->ntables, a->ntables);
        CHECK_INT(b->design.npattern, a->design.npattern);
        CHECK_INT(b->design.overflow > 0, a->design.overflow > 0);
        SAME(a->rows_in, b->rows_in, "rows in the analysis");
        for (size_t i = 0; i < a->ntables && i < b->ntables; i++) {
            const sd_wtable *p = &a->tables[i], *q = &b->tables[i];
            CHECK_INT(q->nrows, p->nrows);
            CHECK_INT(q->ncols, p->ncols);
            if (q->nrows != p->nrows || q->ncols != p->ncols)
                continue;
            for (size_t l = 0; l < p->acc.nlq; l++) {
                SAME(p->acc.n[l], q->acc.n[l], "n");
                SAME(p->acc.w[l], q->acc.w[l], "w");
            }
            for (size_t k = 0; k < p->nrows * p->ncols; k++) {
                const sd_cellstat *x = &p->stats[k], *y = &q->stats[k];
                SAME(x->est, y->est, "est");
                SAME(x->se, y->se, "se");
                SAME(x->df, y->df, "df");
                SAME(x->ci_low, y->ci_low, "ci_low");
                SAME(x->ci_high, y->ci_high, "ci_high");
                SAME(x->deff, y->deff, "deff");
                SAME(x->median, y->median, "median");
                SAME(x->median_se, y->median_se, "median_se");
                CHECK_STR(y->letters, x->letters);
            }
            CHECK_INT(q->chisq.done, p->chisq.done);
            SAME(p->chisq.f, q->chisq.f, "F");
            SAME(p->chisq.ddf, q->chisq.ddf, "ddf");
            SAME(p->chisq.f_p, q->chisq.f_p, "F p");
            CHECK_INT(q->npairs, p->npairs);
            for (size_t k = 0; k < p->npairs && k < q->npairs; k++) {
                SAME(p->pairs[k].diff, q->pairs[k].diff, "pair diff");
                SAME(p->pairs[k].se, q->pairs[k].se, "pair se");
                SAME(p->pairs[k].df, q->pairs[k].df, "pair df");
                SAME(p->pairs[k].p, q->pairs[k].p, "pair p");
            }
        }
    } else {
        fprintf(stderr, "  %s: %s\n", label, sd_error_message(e));
    }
    sd__work_free(a);
    sd__work_free(b);
    sd_tabspec_free(s);
    sd_dataset_free(local);
    sd_dataset_free(remote);
    sd_error_free(e);
}

#define JK1_30                                                                                 \
    "--repweights r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20,r21,"  \
    "r22,r23,r24,r25,r26,r27,r28,r29,r30 --reptype jk1 --scale 0.96666666666666667"

static void test_patterns_over_the_cap(void)
{
    compare("rep_rank patterns-max 1", "tests/oracle/data/rep_rank.csv", "rep_rank",
            "--weight w --repweights r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,r11,r12,r13,r14,r15,r16 "
            "--reptype jkn --rscales 0.75,0.75,0.75,0.75,0.8,0.8,0.8,0.8,0.8,0.66666666666666663,"
            "0.66666666666666663,0.66666666666666663,0.75,0.75,0.75,0.75 --patterns-max 1");
    compare("rep_jk1 patterns-max 5", "tests/oracle/data/rep_jk1.csv", "rep_jk1",
            "--weight w " JK1_30 " --patterns-max 5 --ci likelihood");
}

static void test_patterns_kept(void)
{
    compare("rep_jk1", "tests/oracle/data/rep_jk1.csv", "rep_jk1b", "--weight w " JK1_30);
    compare("rep_bootstrap regex", "tests/oracle/data/rep_bootstrap.csv", "rep_boot",
            "--weight w --repweights ^r[0-9]+$ --reptype bootstrap --scale 0.024545900834560628");
}

static void test_linearization(void)
{
    compare("nhanes", "tests/oracle/data/nhanes.csv", "nhanes",
            "--weight w --strata st --cluster psu --nest --ci beta");
    compare("twostage", "tests/oracle/data/twostage.csv", "twostage",
            "--weight w --cluster psu,ssu --fpc fpc1,fpc2 --ci likelihood");
    compare("api_strat fpc weights", "tests/oracle/data/api_strat.csv", "api_strat",
            "--strata st --fpc fpc1");
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int main(void)
{
    uri = getenv("SONDAGE_PG_URI");
    if (!uri || !*uri) {
        printf("SKIP test_pushdown: no PostgreSQL server (SONDAGE_PG_URI unset)\n");
        return 0;
    }
    snprintf(schema, sizeof schema, "sdt_unit_%ld", (long)getpid());
    PGconn *c = PQconnectdb(uri);
    PQsetNoticeProcessor(c, quiet, NULL);
    char sql[200];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        printf("FAIL test_pushdown_server: cannot create a schema: %s\n", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        return 1;
    }
    PQclear(r);
    RUN(test_patterns_over_the_cap);
    RUN(test_patterns_kept);
    RUN(test_linearization);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    PQclear(PQexec(c, sql));
    snprintf(sql, sizeof sql, "DELETE FROM sondage_codebook WHERE tbl LIKE '%s.%%'", schema);
    PQclear(PQexec(c, sql));
    PQfinish(c);
    DONE();
}
