/*
 * test_columns.c — sd_dataset_open_for (engine/columns.c), the open `tab`
 * uses: a CSV with a codebook or a spec file keeps the values of the
 * columns its requests read only — the ones the command line names and
 * the ones only the codebook brings in (its design's strata and PSUs, the
 * members of a set, a filter's variables, a weighting's targets, A TO B
 * and q* ranges) — holds their categories narrow, and every request gives
 * the same JSON, byte for byte, as on the file read in full.
 */
#include "engine/engine.h"
#include "harness.h"

#define STUDY "examples/dsi-marketing/dsi-marketing.csv"
#define CB "tests/data/cases/study_design.yaml"
#define STUDY_CB "examples/dsi-marketing/codebook.yaml"

static const sd_var *var(const sd_dataset *ds, const char *name)
{
    long i = sd__dataset_var_index(ds, name);
    return i >= 0 ? ds->vars[i] : NULL;
}

/* Each request weighted as `tab` does, then tabulated, as JSON. */
static char *tab_json(const sd_dataset *ds, sd_tabspec **specs, size_t n)
{
    sd_error *e = sd_error_new();
    char *all = NULL;
    size_t alen = 0;
    FILE *fp = open_memstream(&all, &alen);
    sd_status st = fp ? SD_OK : SD_E_NOMEM;
    for (size_t i = 0; i < n && st == SD_OK; i++) {
        sd_weighting *w = NULL;
        sd_result *r = NULL;
        st = sd_tabspec_set_weighting(specs[i], NULL, e);
        if (st == SD_OK)
            st = sd_tabspec_weight(specs[i], ds, &w, e);
        if (st == SD_OK)
            st = sd_tabulate(ds, specs[i], &r, e);
        if (st == SD_OK)
            st = sd_result_write(r, SD_OUT_JSON, "en", fp, e);
        sd_result_free(r);
        sd_weighting_free(w);
    }
    if (fp)
        fclose(fp);
    if (st != SD_OK) {
        fprintf(stderr, "  %s\n", sd_error_message(e));
        free(all);
        all = NULL;
    }
    sd_error_free(e);
    return all;
}

static sd_tabspec *spec_of(const char *const *opts)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    for (size_t i = 0; opts[i]; i += 2)
        CHECK_INT(sd_tabspec_set_option(s, opts[i], opts[i + 1], e), SD_OK);
    sd_error_free(e);
    return s;
}

/* Open `file` for the requests with the codebook, then check: the JSON
 * equals the full read's; `read` (comma-separated) have values, `unread`
 * have none, `narrow` are held narrow, `wide` are read and not narrow. */
static void check_open(const char *file, const char *codebook, sd_tabspec **specs, size_t n,
                       const char *read, const char *unread, const char *narrow,
                       const char *wide)
{
    sd_open_options o = {.format = SD_FORMAT_AUTO, .codebook = codebook, .threads = 2};
    sd_dataset *full = NULL, *sel = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_open_with(file, &o, &full, e), SD_OK);
    CHECK_INT(sd_dataset_open_for(file, &o, specs, n, &sel, e), SD_OK);
    if (!full || !sel) {
        fprintf(stderr, "  %s\n", sd_error_message(e));
        sd_error_free(e);
        sd_dataset_free(full);
        sd_dataset_free(sel);
        h_failed_checks++;
        return;
    }
    const char *lists[] = {read, unread, narrow, wide};
    for (int l = 0; l < 4; l++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", lists[l]);
        for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
            const sd_var *v = var(sel, t);
            bool ok = v && (l == 0   ? !v->unread
                            : l == 1 ? v->unread && !v->num && !v->u8 && !v->str
                            : l == 2 ? !v->unread && v->narrow
                                     : !v->unread && !v->narrow);
            if (!ok) {
                fprintf(stderr, "  %s should be %s\n", t,
                        l == 0 ? "read" : l == 1 ? "unread" : l == 2 ? "narrow" : "wide");
                h_failed_checks++;
            }
        }
    }
    CHECK_INT(sd_dataset_nvars(sel), sd_dataset_nvars(full));
    /* Each result on its own dataset: the request widens what it reads
     * as values (in place), which does not change the figures. */
    char *want = tab_json(full, specs, n);
    char *got = tab_json(sel, specs, n);
    CHECK(want != NULL && got != NULL);
    if (want && got && strcmp(want, got)) {
        size_t i = 0;
        while (got[i] && got[i] == want[i])
            i++;
        fprintf(stderr, "  json differs at byte %zu: ...%.80s\n", i, got + (i > 40 ? i - 40 : 0));
        h_failed_checks++;
    }
    /* Read as categories only by every request: still narrow after all
     * of them (a request widens only what it reads as values). */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", narrow);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
        if (!var(sel, t) || !var(sel, t)->narrow) {
            fprintf(stderr, "  %s should still be narrow\n", t);
            h_failed_checks++;
        }
    free(want);
    free(got);
    sd_dataset_free(full);
    sd_dataset_free(sel);
    sd_error_free(e);
}

static void check_one(const char *const *opts, const char *read, const char *unread,
                      const char *narrow, const char *wide)
{
    sd_tabspec *s = spec_of(opts);
    check_open(STUDY, CB, &s, 1, read, unread, narrow, wide);
    sd_tabspec_free(s);
}

/* The design's strata and PSUs are read (wide) though no option names
 * them: the codebook does. */
static void test_codebook_design(void)
{
    const char *opts[] = {"rows", "integration,closer", "cols", "role", NULL};
    check_one(opts, "integration,closer,role,stratum,id",
              "segment,company_size,metro,encourage_collab,ch_budget,challenge1",
              "integration,closer,role", "stratum,id");
}

/* A scale row (NAME:mean) is read as values. */
static void test_scale_row(void)
{
    const char *opts[] = {"rows", "metro:mean,integration", "cols", "role", NULL};
    check_one(opts, "metro,integration,role", "closer,segment", "integration,role", "metro");
}

/* A category set's members are read as categories (narrow), a dichotomy
 * set's as values. */
static void test_sets(void)
{
    const char *opts[] = {"rows", "answers", "cols", "actions", NULL};
    check_one(opts, "integration,closer,encourage_collab,hybrid_talent,agency,act_other,act_none",
              "segment,company_size,metro,ch_language,ch_budget", "integration,closer",
              "encourage_collab,act_none,stratum,id");
    const char *nest[] = {"rows", "challenges", "cols", "role>company_size", "stats", "true",
                          NULL};
    check_one(nest, "ch_language,ch_budget,role,company_size", "integration,closer,metro",
              "role,company_size", "ch_language,ch_budget");
}

/* A filter's variables are read as values. */
static void test_filter(void)
{
    const char *opts[] = {"rows", "integration", "cols", "role", "filter",
                          "company_size in (3, 4) and metro < 20", NULL};
    check_one(opts, "integration,role,company_size,metro", "segment,closer,ch_budget",
              "integration,role", "company_size,metro");
}

/* Ranges and patterns are expanded against the file's names. */
static void test_ranges(void)
{
    const char *to[] = {"rows", "ch_language TO ch_time", "cols", "role", NULL};
    check_one(to, "ch_language,ch_attention,ch_time", "ch_consensus,ch_budget,closer",
              "ch_language,ch_attention,ch_time,role", "");
    const char *glob[] = {"rows", "ch_*", "cols", "seg*", NULL};
    check_one(glob, "ch_language,ch_budget,segment", "integration,closer,challenge1",
              "ch_language,ch_budget,segment", "");
}

/* A weighting's targets (role and company_size) are read; a weighting
 * reads every column as values, so none is narrow. */
static void test_weighting(void)
{
    const char *opts[] = {"rows", "integration", "cols", "closer", "targets",
                          "examples/dsi-marketing/targets.yml", NULL};
    check_one(opts, "integration,closer,role,company_size", "segment,metro,ch_budget", "",
              "integration,closer,role,company_size");
}

/* A spec file's tables: their rows, banners, sets, ranges and filters. */
static void test_spec_file(void)
{
    sd_tabspec **specs = NULL;
    size_t n = 0;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_tabspec_read("examples/dsi-marketing/tables.yml", &specs, &n, e), SD_OK);
    if (specs) {
        check_open(STUDY, STUDY_CB, specs, n,
                   "integration,closer,role,company_size,encourage_collab,ch_language,ch_budget",
                   "segment,metro,stratum,id,challenge1", "integration,closer,ch_language",
                   "encourage_collab,role"); /* role: a filter's too */
    }
    sd_tabspecs_free(specs, n);
    sd_error_free(e);
}

/* A file that is not UTF-8 (Windows-1252, found from its text; or named
 * with an encoding) keeps the selection: its header is decoded alone. */
static void test_encoded(void)
{
    const char *opts[] = {"rows", "ville", NULL};
    sd_tabspec *s = spec_of(opts);
    check_open("tests/data/cases/excel_fr_cp1252.csv", NULL, &s, 1, "ville", "nom,note", "",
               "ville"); /* text: never narrow */
    sd_open_options o = {.encoding = "ISO-8859-15"};
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    const char *popts[] = {"rows", "nom", NULL};
    sd_tabspec *p = spec_of(popts);
    CHECK_INT(sd_dataset_open_for("tests/data/cases/latin9.csv", &o, &p, 1, &ds, e), SD_OK);
    CHECK(ds && var(ds, "nom") && !var(ds, "nom")->unread);
    CHECK(ds && var(ds, "prix") && var(ds, "prix")->unread);
    sd_dataset_free(ds);
    sd_tabspec_free(p);
    sd_tabspec_free(s);
    sd_error_free(e);
}

/* A request that names what the file does not have reads every column
 * (the tabulation then says what is wrong). */
static void test_unresolved(void)
{
    const char *opts[] = {"rows", "no_such_variable", NULL};
    sd_tabspec *s = spec_of(opts);
    sd_open_options o = {.codebook = CB};
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_open_for(STUDY, &o, &s, 1, &ds, e), SD_OK);
    for (size_t i = 0; ds && i < ds->nvars; i++)
        CHECK(!ds->vars[i]->unread && !ds->vars[i]->narrow);
    sd_dataset_free(ds);
    sd_tabspec_free(s);
    sd_error_free(e);
}

int main(void)
{
    RUN(test_codebook_design);
    RUN(test_scale_row);
    RUN(test_sets);
    RUN(test_filter);
    RUN(test_ranges);
    RUN(test_weighting);
    RUN(test_spec_file);
    RUN(test_encoded);
    RUN(test_unresolved);
    return h_failed_tests ? 1 : 0;
}
