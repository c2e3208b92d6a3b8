/*
 * test_readstat.c — the ReadStat reader and the .sav writer, on files made
 * by other programs (tests/data/, see make_fixtures.sh): PSPP's .sav, .zsav
 * and .por, R foreign's .dta, haven's .xpt and .sas7bdat. Checks the
 * codebook (types, labels, value labels, missing specs, measures, formats),
 * real cells, user-missing codes kept as values, the same values across
 * formats, the .sav round trip, the error messages, and reading from memory.
 * Run from the repository root.
 */
#include "harness.h"

#include "data/data.h"
#include "io/readstat_mem.h"
#include "sondage.h"

#include <stdbool.h>
#include <unistd.h>

#define DATA "tests/data/"

static sd_dataset *open_ok(const char *path)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    sd_status st = sd_dataset_open(path, SD_FORMAT_AUTO, NULL, &ds, err);
    if (st != SD_OK)
        fprintf(stderr, "  %s: %s: %s\n", path, sd_status_str(st), sd_error_message(err));
    CHECK_INT(st, SD_OK);
    sd_error_free(err);
    return ds;
}

static const sd_var *var(const sd_dataset *ds, const char *name)
{
    const sd_var *v = sd_dataset_find(ds, name);
    if (!v)
        fprintf(stderr, "  variable %s not found\n", name);
    CHECK(v != NULL);
    return v;
}

/* The label of a numeric code, or NULL. */
static const char *vlabel_num(const sd_var *v, double code)
{
    for (size_t i = 0; i < sd_var_nvalue_labels(v); i++)
        if (!sd_var_value_string(v, i) && sd_var_value_code(v, i) == code)
            return sd_var_value_label(v, i, NULL);
    return NULL;
}

static const char *vlabel_str(const sd_var *v, const char *value)
{
    for (size_t i = 0; i < sd_var_nvalue_labels(v); i++)
        if (sd_var_value_string(v, i) && strcmp(sd_var_value_string(v, i), value) == 0)
            return sd_var_value_label(v, i, NULL);
    return NULL;
}

/* The 12 rows of the survey (make_fixtures.sh); NAN = system-missing. */
static const double ids[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const double secteur[12] = {1, 3, 8, 2, 9, 5, 6, 4, 7, 8, 3, 2};
static const double satisf[12] = {4, 5, 3, 98, 2, 0, 1, 4, NAN, 5, 3, 97};
static const double score[12] = {12.5, 15.75, 9.25, NAN, 7, 11, 4.5, 16.25, 13, 18, 10.5, 8.75};
static const double poids[12] = {0.8123, 1.2, 1.05, 0.95, 1.1, 0.7,
                                 1.3,    0.9, 1.0,  1.15, 0.85, 1.0377};
static const char *const metier[12] = {"MKT", "DSI", "MKT", "CDP", "AUT", "NR",
                                       "MKT", "DSI", "CDP", "MKT", NULL,  "DSI"};
static const char *const comment[12] = {"Très bonne équipe",
                                        NULL,
                                        "Ça dépend des projets",
                                        NULL,
                                        "Délais à améliorer",
                                        NULL,
                                        "Trop de réunions",
                                        "Outils modernes, équipe réactive",
                                        NULL,
                                        "Rien à signaler",
                                        NULL,
                                        "Budget insuffisant"};

/* Every cell of a numeric column against the expected values. */
static void check_num_column(const sd_var *v, const double *want, double tol)
{
    if (!v)
        return;
    CHECK_INT(sd_var_type(v), SD_TYPE_NUMERIC);
    for (size_t r = 0; r < 12; r++) {
        if (isnan(want[r])) {
            CHECK(v->sysmis[r]);
            CHECK(sd_var_is_missing(v, r));
        } else {
            CHECK(!v->sysmis[r]);
            CHECK_NEAR(sd_var_num(v, r), want[r], tol);
        }
    }
}

static void check_str_column(const sd_var *v, const char *const *want)
{
    if (!v)
        return;
    CHECK_INT(sd_var_type(v), SD_TYPE_STRING);
    for (size_t r = 0; r < 12; r++) {
        if (!want[r]) {
            CHECK(v->sysmis[r]);
            CHECK(sd_var_str(v, r) == NULL);
        } else {
            CHECK_STR(sd_var_str(v, r), want[r]);
        }
    }
}

/* The codebook and cells of the PSPP-made .sav and .zsav. */
static void check_spss_survey(const sd_dataset *ds)
{
    CHECK_INT(sd_dataset_nrows(ds), 12);
    CHECK_INT(sd_dataset_nvars(ds), 7);
    CHECK_STR(sd_dataset_title(ds, NULL), "Enquête DSI marketing 2024 (fixture)");
    CHECK_STR(sd_dataset_title(ds, "fr"), "Enquête DSI marketing 2024 (fixture)");
    const char *names[7] = {"id", "secteur", "satisf", "metier", "commentaire", "score", "poids"};
    for (size_t i = 0; i < 7; i++)
        CHECK_STR(sd_var_name(sd_dataset_var(ds, i)), names[i]);

    const sd_var *id = var(ds, "id"), *sec = var(ds, "secteur"), *sat = var(ds, "satisf"),
                 *met = var(ds, "metier"), *com = var(ds, "commentaire"),
                 *sco = var(ds, "score"), *poi = var(ds, "poids");
    if (!id || !sec || !sat || !met || !com || !sco || !poi)
        return;

    /* Variable labels, untagged, with accents. */
    CHECK_STR(sd_var_label(id, NULL), "Identifiant du répondant");
    CHECK_STR(sd_var_label(sec, NULL), "Secteur d'activité de l'entreprise");
    CHECK_STR(sd_var_label(sec, "en"), "Secteur d'activité de l'entreprise");
    CHECK_STR(sd_var_label(met, NULL), "Métier exercé");
    CHECK_STR(sd_var_label(sco, NULL), "Score d'engagement (0-20)");
    CHECK(id->label.n == 1 && id->label.v[0].lang == NULL);

    /* Measures as PSPP's VARIABLE LEVEL set them. */
    CHECK_INT(sd_var_measure(id), SD_MEASURE_SCALE);
    CHECK_INT(sd_var_measure(sec), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(sat), SD_MEASURE_ORDINAL);
    CHECK_INT(sd_var_measure(met), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(com), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(sco), SD_MEASURE_SCALE);

    /* Display formats: F4.0, F1.0 with column width 10, F9.2, F9.4 (PSPP
     * widens F8.2 to F9.2 for free-field input). */
    CHECK_INT(id->width, 8);
    CHECK_INT(id->decimals, 0);
    CHECK_INT(sec->width, 10);
    CHECK_INT(sco->width, 9);
    CHECK_INT(sco->decimals, 2);
    CHECK_INT(poi->decimals, 4);
    CHECK_INT(met->width, 3);  /* strings: the longest value */
    CHECK_INT(com->width, 34); /* "Outils modernes, équipe réactive" in bytes */

    /* Value labels in the file's order. */
    CHECK_INT(sd_var_nvalue_labels(sec), 9);
    CHECK_NEAR(sd_var_value_code(sec, 0), 1, 0);
    CHECK_STR(sd_var_value_label(sec, 0, NULL), "Industrie");
    CHECK_STR(vlabel_num(sec, 5), "Santé");
    CHECK_STR(vlabel_num(sec, 8), "Ne sait pas");
    CHECK_STR(vlabel_num(sec, 9), "Refus");
    CHECK_INT(sd_var_nvalue_labels(sat), 6);
    CHECK_STR(vlabel_num(sat, 0), "Question non posée");
    CHECK_STR(vlabel_num(sat, 3), "Ni l'un ni l'autre");
    CHECK_INT(sd_var_nvalue_labels(met), 5);
    CHECK_STR(vlabel_str(met, "MKT"), "Marketeur (cadre marketing ou publicité)");
    CHECK_STR(vlabel_str(met, "DSI"), "Directeur des systèmes d'information");
    CHECK_STR(vlabel_str(met, "NR"), "Non renseigné"); /* key "NR " lost its padding */
    CHECK_INT(sd_var_nvalue_labels(com), 0);
    CHECK_INT(sd_var_nvalue_labels(sco), 0);

    /* User-missing specs. */
    CHECK_INT(sec->nmiss, 2);
    CHECK(sec->nmiss == 2 && sec->miss_codes[0] == 8 && sec->miss_codes[1] == 9);
    CHECK(!sec->has_miss_range);
    CHECK(sat->has_miss_range);
    CHECK_NEAR(sat->miss_lo, 97, 0);
    CHECK_NEAR(sat->miss_hi, 99, 0);
    CHECK(sat->nmiss == 1 && sat->miss_codes[0] == 0);
    CHECK(met->nmiss_strs == 1 && strcmp(met->miss_strs[0], "NR") == 0);
    CHECK(id->nmiss == 0 && !id->has_miss_range && sco->nmiss == 0);

    /* Cells. User-missing codes keep their value and are not sysmis. */
    check_num_column(id, ids, 0);
    check_num_column(sec, secteur, 0);
    check_num_column(sat, satisf, 0);
    check_num_column(sco, score, 0);
    check_num_column(poi, poids, 0);
    check_str_column(met, metier);
    check_str_column(com, comment);
    CHECK(!sec->sysmis[2] && sd_var_num(sec, 2) == 8 && sd_var_is_missing(sec, 2));
    CHECK(!sec->sysmis[4] && sd_var_num(sec, 4) == 9 && sd_var_is_missing(sec, 4));
    CHECK(!sd_var_is_missing(sec, 0));
    CHECK(!sat->sysmis[3] && sd_var_num(sat, 3) == 98 && sd_var_is_missing(sat, 3));
    CHECK(!sat->sysmis[11] && sd_var_num(sat, 11) == 97 && sd_var_is_missing(sat, 11));
    CHECK(!sat->sysmis[5] && sd_var_num(sat, 5) == 0 && sd_var_is_missing(sat, 5));
    CHECK(sat->sysmis[8] && sd_var_is_missing(sat, 8));
    CHECK(!sd_var_is_missing(sat, 0));
    CHECK(!met->sysmis[5] && sd_var_is_missing(met, 5)); /* 'NR' */
    CHECK(met->sysmis[10]);                             /* '' */
    CHECK(!sd_var_is_missing(met, 0));
    CHECK(sco->sysmis[3] && !sd_var_is_missing(sco, 2));
}

static void test_sav_pspp(void)
{
    sd_dataset *ds = open_ok(DATA "survey.sav");
    if (ds)
        check_spss_survey(ds);
    sd_dataset_free(ds);
}

static void test_zsav_pspp(void)
{
    sd_dataset *ds = open_ok(DATA "survey.zsav");
    if (ds)
        check_spss_survey(ds);
    sd_dataset_free(ds);
}

/* PSPP's EXPORT: names upper-cased and cut to 8 bytes, no file label, no
 * measures, numbers in base 30. The portable character set has no accented
 * letters and PSPP writes UTF-8 bytes that neither it nor ReadStat reads
 * back, so only ASCII text is compared. Reading it at all needs the
 * translation-table repair in read_readstat.c. */
static void test_por_pspp(void)
{
    sd_dataset *ds = open_ok(DATA "survey.por");
    if (!ds)
        return;
    CHECK_INT(sd_dataset_nrows(ds), 12);
    CHECK_INT(sd_dataset_nvars(ds), 7);
    CHECK(sd_dataset_title(ds, NULL) == NULL);
    const sd_var *id = var(ds, "ID"), *sec = var(ds, "SECTEUR"), *sat = var(ds, "SATISF"),
                 *met = var(ds, "METIER"), *com = var(ds, "COMMENTA"),
                 *sco = var(ds, "SCORE"), *poi = var(ds, "POIDS");
    if (!id || !sec || !sat || !met || !com || !sco || !poi) {
        sd_dataset_free(ds);
        return;
    }
    check_num_column(id, ids, 0);
    check_num_column(sec, secteur, 0);
    check_num_column(sat, satisf, 0);
    check_num_column(sco, score, 1e-12);
    check_num_column(poi, poids, 1e-12); /* base-30 digits: not always the same double */
    check_str_column(met, metier);
    CHECK(com->sysmis[1] && !com->sysmis[0]);

    CHECK_STR(sd_var_label(sat, NULL), "Satisfaction globale");
    CHECK_STR(sd_var_label(poi, NULL), "Poids de redressement");
    CHECK_INT(sd_var_nvalue_labels(sec), 9);
    CHECK_STR(vlabel_num(sec, 8), "Ne sait pas");
    CHECK_STR(vlabel_num(sec, 9), "Refus");
    CHECK_STR(vlabel_str(met, "CDP"), "Chef de projet");
    /* Missing specs survive; measures default (labels or string: nominal). */
    CHECK(sec->nmiss == 2 && sec->miss_codes[0] == 8 && sec->miss_codes[1] == 9);
    CHECK(sat->has_miss_range && sat->miss_lo == 97 && sat->miss_hi == 99);
    CHECK(sat->nmiss == 1 && sat->miss_codes[0] == 0);
    CHECK(!sec->sysmis[2] && sd_var_is_missing(sec, 2));
    CHECK(sd_var_is_missing(sat, 3) && !sd_var_is_missing(sat, 0));
    CHECK_INT(sd_var_measure(sec), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(sat), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(met), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(sco), SD_MEASURE_SCALE);
    CHECK_INT(sco->decimals, 2);
    CHECK_INT(poi->decimals, 4);
    sd_dataset_free(ds);
}

/* R foreign's Stata 10 file: same values, user-missing codes as plain
 * values (Stata has no such thing), value labels for secteur only, Latin-1
 * text converted to UTF-8. */
static void test_dta_foreign(void)
{
    sd_dataset *ds = open_ok(DATA "survey.dta");
    if (!ds)
        return;
    CHECK_INT(sd_dataset_nrows(ds), 12);
    CHECK_INT(sd_dataset_nvars(ds), 7);
    CHECK_STR(sd_dataset_title(ds, NULL), "Enquête DSI marketing 2024 (fixture)");
    const sd_var *id = var(ds, "id"), *sec = var(ds, "secteur"), *sat = var(ds, "satisf"),
                 *met = var(ds, "metier"), *com = var(ds, "commentaire"),
                 *sco = var(ds, "score"), *poi = var(ds, "poids");
    if (!id || !sec || !sat || !met || !com || !sco || !poi) {
        sd_dataset_free(ds);
        return;
    }
    check_num_column(id, ids, 0);
    check_num_column(sec, secteur, 0);
    check_num_column(sat, satisf, 0);
    check_num_column(sco, score, 0);
    check_num_column(poi, poids, 0);
    check_str_column(met, metier);
    check_str_column(com, comment);
    CHECK_STR(sd_var_label(id, NULL), "Identifiant du répondant");
    CHECK_STR(sd_var_label(com, NULL), "Commentaire libre");
    CHECK_INT(sd_var_nvalue_labels(sec), 9);
    CHECK_STR(vlabel_num(sec, 5), "Santé");
    CHECK_STR(vlabel_num(sec, 8), "Ne sait pas");
    CHECK_INT(sd_var_nvalue_labels(sat), 0);
    CHECK(sec->nmiss == 0 && !sat->has_miss_range);
    CHECK(!sd_var_is_missing(sec, 2) && sd_var_num(sec, 2) == 8);
    CHECK_INT(sd_var_measure(sec), SD_MEASURE_NOMINAL);
    /* Stata stores no measure: SPSS's rule for unknown measures makes the
     * five integer codes of satisf categories (data/measure.c). */
    CHECK_INT(sd_var_measure(sat), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(met), SD_MEASURE_NOMINAL);
    CHECK_INT(sco->width, 9); /* %9.0g */
    sd_dataset_free(ds);
}

/* haven's SAS files: secteur's 8 and 9 were written as special missing .A
 * and .B, which read as user-missing codes (the code Stata stores for the
 * letter, 2^1023 × (1 + k/4096)), not as system-missing (issue 11). */
#define TAG_A 0x1.001p+1023
#define TAG_B 0x1.002p+1023
static void check_sas_survey(const sd_dataset *ds)
{
    static const double sec_sas[12] = {1, 3, TAG_A, 2, TAG_B, 5, 6, 4, 7, TAG_A, 3, 2};
    CHECK_INT(sd_dataset_nrows(ds), 12);
    CHECK_INT(sd_dataset_nvars(ds), 7);
    const sd_var *id = var(ds, "id"), *sec = var(ds, "secteur"), *sat = var(ds, "satisf"),
                 *met = var(ds, "metier"), *com = var(ds, "comment"),
                 *sco = var(ds, "score"), *poi = var(ds, "poids");
    if (!id || !sec || !sat || !met || !com || !sco || !poi)
        return;
    check_num_column(id, ids, 0);
    check_num_column(sec, sec_sas, 0);
    CHECK(sd_var_is_missing(sec, 2) && sd_var_is_missing(sec, 4) && sd_var_is_missing(sec, 9));
    CHECK(!sd_var_is_missing(sec, 0));
    check_num_column(sat, satisf, 0);
    check_num_column(sco, score, 0);
    check_num_column(poi, poids, 0);
    check_str_column(met, metier);
    check_str_column(com, comment);
    CHECK_STR(sd_var_label(sec, NULL), "Secteur d'activité de l'entreprise");
    /* No measure and no labels in SAS: seven integer codes are categories
     * by SPSS's rule for unknown measures (data/measure.c). */
    CHECK_INT(sd_var_measure(sec), SD_MEASURE_NOMINAL);
    CHECK_INT(sd_var_measure(met), SD_MEASURE_NOMINAL);
}

static void test_xpt_haven(void)
{
    sd_dataset *ds = open_ok(DATA "survey.xpt");
    if (!ds)
        return;
    check_sas_survey(ds);
    CHECK_STR(sd_dataset_title(ds, NULL), "Enquete DSI marketing 2024");
    sd_dataset_free(ds);
}

static void test_sas7bdat_haven(void)
{
    sd_dataset *ds = open_ok(DATA "survey.sas7bdat");
    if (ds)
        check_sas_survey(ds);
    sd_dataset_free(ds);
}

/* ------------------------------------------------------------ round trip */

static bool labels_equal(const sd_labels *a, const sd_labels *b, const char *lang)
{
    const char *x = sd__labels_get(a, lang), *y = sd__labels_get(b, lang);
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Everything .sav keeps, compared variable by variable and cell by cell.
 * `lang` is the language b was written in (a's labels are looked up in it). */
static void check_same(const sd_dataset *a, const sd_dataset *b, const char *lang)
{
    CHECK_INT(sd_dataset_nrows(b), sd_dataset_nrows(a));
    CHECK_INT(sd_dataset_nvars(b), sd_dataset_nvars(a));
    CHECK(labels_equal(&a->title, &b->title, lang));
    if (sd_dataset_nvars(a) != sd_dataset_nvars(b) || sd_dataset_nrows(a) != sd_dataset_nrows(b))
        return;
    for (size_t i = 0; i < a->nvars; i++) {
        const sd_var *x = a->vars[i], *y = b->vars[i];
        CHECK_STR(y->name, x->name);
        CHECK_INT(y->type, x->type);
        CHECK_INT(y->measure, x->measure);
        CHECK(labels_equal(&x->label, &y->label, lang));
        if (x->type == SD_TYPE_NUMERIC) {
            CHECK_INT(y->decimals, x->decimals);
            CHECK_INT(y->width, x->width < 1 ? 8 : x->width);
        } else {
            size_t longest = 1; /* a string's width is its longest value */
            for (size_t k = 0; k < x->nlevels; k++)
                longest = strlen(x->levels[k]) > longest ? strlen(x->levels[k]) : longest;
            CHECK_INT(y->width, longest);
        }
        CHECK_INT(y->nvl, x->nvl);
        for (size_t k = 0; k < x->nvl && k < y->nvl; k++) {
            CHECK(x->vl[k].code == y->vl[k].code || x->type == SD_TYPE_STRING);
            CHECK((!x->vl[k].str && !y->vl[k].str) ||
                  (x->vl[k].str && y->vl[k].str && strcmp(x->vl[k].str, y->vl[k].str) == 0));
            CHECK(labels_equal(&x->vl[k].labels, &y->vl[k].labels, lang));
        }
        CHECK_INT(y->nmiss, x->nmiss);
        for (size_t k = 0; k < x->nmiss && k < y->nmiss; k++)
            CHECK(x->miss_codes[k] == y->miss_codes[k]);
        CHECK_INT(y->has_miss_range, x->has_miss_range);
        CHECK(!x->has_miss_range || (x->miss_lo == y->miss_lo && x->miss_hi == y->miss_hi));
        CHECK_INT(y->nmiss_strs, x->nmiss_strs);
        for (size_t k = 0; k < x->nmiss_strs && k < y->nmiss_strs; k++)
            CHECK_STR(y->miss_strs[k], x->miss_strs[k]);
        for (size_t r = 0; r < a->nrows; r++) {
            CHECK_INT(y->sysmis[r], x->sysmis[r]);
            if (x->sysmis[r] || y->sysmis[r])
                continue;
            if (x->type == SD_TYPE_NUMERIC)
                CHECK(x->num[r] == y->num[r]);
            else
                CHECK_STR(sd_var_str(y, r), sd_var_str(x, r));
            CHECK_INT(sd_var_is_missing(y, r), sd_var_is_missing(x, r));
        }
    }
}

static char *temp_path(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sondage_rs_XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    return path;
}

static sd_dataset *read_sav(const char *path)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    sd_status st = sd_dataset_open(path, SD_FORMAT_SAV, NULL, &ds, err);
    if (st != SD_OK)
        fprintf(stderr, "  read back: %s\n", sd_error_message(err));
    CHECK_INT(st, SD_OK);
    sd_error_free(err);
    return ds;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    CHECK_INT(sd__read_file(path, &data, len, NULL), SD_OK);
    return (unsigned char *)data;
}

static void test_roundtrip_pspp_sav(void)
{
    sd_dataset *a = open_ok(DATA "survey.sav");
    if (!a)
        return;
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "%s", temp_path());
    snprintf(p2, sizeof p2, "%s", temp_path());
    sd_error *err = sd_error_new();
    CHECK_INT(sd_dataset_write_sav(a, p1, "fr", err), SD_OK);
    CHECK_INT(sd_dataset_write_sav(a, p2, "fr", err), SD_OK);
    CHECK_STR(sd_error_message(err), "");
    sd_dataset *b = read_sav(p1);
    if (b) {
        check_same(a, b, "fr");
        check_spss_survey(b); /* and still the survey PSPP wrote */
    }
    /* Byte-identical run to run, with the pinned header date. */
    size_t n1 = 0, n2 = 0;
    unsigned char *d1 = slurp(p1, &n1), *d2 = slurp(p2, &n2);
    CHECK(d1 && d2 && n1 == n2 && memcmp(d1, d2, n1) == 0);
    CHECK(d1 && n1 > 109 && memcmp(d1 + 92, "01 Jan 2400:00:00", 17) == 0);
    CHECK(d1 && memcmp(d1, "$FL2", 4) == 0);
    free(d1);
    free(d2);
    sd_dataset_free(b);
    sd_dataset_free(a);
    sd_error_free(err);
    unlink(p1);
    unlink(p2);
}

/* A dataset built in memory: two languages, a very long string, three codes,
 * string missing values, an empty string column, no rows for a while. */
static sd_dataset *build(void)
{
    sd_dataset *ds = sd__dataset_new("built");
    sd_var *q = NULL, *s = NULL, *l = NULL, *e = NULL, *w = NULL;
    CHECK(ds != NULL);
    if (!ds)
        return NULL;
    CHECK_INT(sd__dataset_add_var(ds, "q1", SD_TYPE_NUMERIC, &q, NULL), SD_OK);
    CHECK_INT(sd__dataset_add_var(ds, "ville", SD_TYPE_STRING, &s, NULL), SD_OK);
    CHECK_INT(sd__dataset_add_var(ds, "texte_long", SD_TYPE_STRING, &l, NULL), SD_OK);
    CHECK_INT(sd__dataset_add_var(ds, "vide", SD_TYPE_STRING, &e, NULL), SD_OK);
    CHECK_INT(sd__dataset_add_var(ds, "poids", SD_TYPE_NUMERIC, &w, NULL), SD_OK);
    if (!q || !s || !l || !e || !w)
        return ds;
    CHECK(sd__labels_set(&ds->title, "fr", "Étude bilingue"));
    CHECK(sd__labels_set(&ds->title, "en", "Bilingual study"));
    CHECK(sd__labels_set(&q->label, "fr", "Satisfaction"));
    CHECK(sd__labels_set(&q->label, "en", "Satisfaction (en)"));
    CHECK(sd__labels_set(&s->label, "fr", "Ville de résidence"));
    CHECK(sd__var_set_vlabel_num(q, 1, "fr", "Oui"));
    CHECK(sd__var_set_vlabel_num(q, 1, "en", "Yes"));
    CHECK(sd__var_set_vlabel_num(q, 2, "fr", "Non"));
    CHECK(sd__var_set_vlabel_num(q, 2, "en", "No"));
    CHECK(sd__var_set_vlabel_num(q, 7, "fr", "Ne sait pas"));
    CHECK(sd__var_set_vlabel_num(q, -1.5, "fr", "Code négatif"));
    CHECK(sd__var_add_missing_code(q, 7));
    CHECK(sd__var_add_missing_code(q, 8));
    CHECK(sd__var_add_missing_code(q, 9));
    CHECK(sd__var_set_vlabel_str(s, "Paris", "fr", "Capitale"));
    CHECK(sd__var_set_vlabel_str(s, "Saint-Étienne", NULL, "Loire"));
    CHECK(sd__var_add_missing_str(s, "?"));
    q->measure = SD_MEASURE_ORDINAL;
    s->measure = SD_MEASURE_NOMINAL;
    l->measure = SD_MEASURE_NOMINAL;
    e->measure = SD_MEASURE_NOMINAL;
    w->measure = SD_MEASURE_SCALE;
    w->width = 12;
    w->decimals = 3;
    q->width = 4;
    q->decimals = 1;

    char longtext[301];
    for (size_t i = 0; i < 300; i++)
        longtext[i] = (char)('a' + i % 26);
    longtext[300] = '\0';
    const char *villes[5] = {"Paris", "Saint-Étienne", NULL, "?", "Lyon"};
    const double qv[5] = {1, 2, 7, NAN, -1.5};
    const double wv[5] = {1.25, 0.5, 2, 1e-3, 1234567.125};
    CHECK(sd__dataset_reserve_rows(ds, 5));
    for (size_t r = 0; r < 5; r++) {
        uint32_t lv;
        if (!isnan(qv[r])) {
            q->num[r] = qv[r];
            q->sysmis[r] = 0;
        }
        if (villes[r] && sd__var_intern(s, villes[r], strlen(villes[r]), &lv)) {
            s->str[r] = lv;
            s->sysmis[r] = 0;
        }
        if (r != 1 && sd__var_intern(l, longtext, r == 4 ? 300 : 10 + r, &lv)) {
            l->str[r] = lv;
            l->sysmis[r] = 0;
        }
        w->num[r] = wv[r];
        w->sysmis[r] = 0;
    }
    ds->nrows = 5;
    for (size_t i = 0; i < ds->nvars; i++)
        CHECK(sd__var_finish_levels(ds->vars[i], ds->nrows));
    return ds;
}

static void test_roundtrip_built(void)
{
    sd_dataset *a = build();
    if (!a)
        return;
    const char *p = temp_path();
    char path[64];
    snprintf(path, sizeof path, "%s", p);
    const char *langs[2] = {"fr", "en"};
    for (size_t k = 0; k < 2; k++) {
        sd_error *err = sd_error_new();
        CHECK_INT(sd_dataset_write_sav(a, path, langs[k], err), SD_OK);
        CHECK_STR(sd_error_message(err), "");
        sd_error_free(err);
        sd_dataset *b = read_sav(path);
        if (!b)
            continue;
        check_same(a, b, langs[k]);
        const sd_var *q = var(b, "q1"), *l = var(b, "texte_long"), *e = var(b, "vide");
        if (q && l && e) {
            /* One language per file, untagged when read back. */
            CHECK_STR(sd_var_label(q, NULL), k ? "Satisfaction (en)" : "Satisfaction");
            CHECK_STR(vlabel_num(q, 1), k ? "Yes" : "Oui");
            CHECK_STR(vlabel_num(q, 7), "Ne sait pas"); /* no "en": falls back */
            CHECK_STR(sd_dataset_title(b, NULL), k ? "Bilingual study" : "Étude bilingue");
            CHECK_INT(l->width, 300);
            CHECK_INT(strlen(sd_var_str(l, 4)), 300);
            CHECK_INT(e->width, 1);
            CHECK(e->sysmis[0] && e->sysmis[4]);
            CHECK(sd_var_is_missing(q, 2) && sd_var_num(q, 2) == 7);
        }
        sd_dataset_free(b);
    }
    unlink(path);
    sd_dataset_free(a);
}

/* Stata's %9.0g gives no decimals: written to .sav, the columns get the
 * decimals their values need, so SPSS does not show 12.5 as 13. */
static void test_write_infers_decimals(void)
{
    sd_dataset *a = open_ok(DATA "survey.dta");
    if (!a)
        return;
    char path[64];
    snprintf(path, sizeof path, "%s", temp_path());
    CHECK_INT(sd_dataset_write_sav(a, path, NULL, NULL), SD_OK);
    sd_dataset *b = read_sav(path);
    const sd_var *sco = b ? var(b, "score") : NULL, *poi = b ? var(b, "poids") : NULL,
                 *id = b ? var(b, "id") : NULL;
    if (sco && poi && id) {
        CHECK_INT(var(a, "score")->decimals, 0);
        CHECK_INT(sco->decimals, 2);
        CHECK_INT(poi->decimals, 4);
        CHECK_INT(id->decimals, 0);
        CHECK_INT(sco->width, 9);
        CHECK_NEAR(sd_var_num(poi, 11), 1.0377, 0);
    }
    sd_dataset_free(b);
    sd_dataset_free(a);
    unlink(path);
}

/* A dataset with no rows still writes a readable file. */
static void test_roundtrip_no_rows(void)
{
    sd_dataset *a = sd__dataset_new("empty");
    sd_var *v = NULL;
    CHECK_INT(sd__dataset_add_var(a, "x", SD_TYPE_NUMERIC, &v, NULL), SD_OK);
    char path[64];
    snprintf(path, sizeof path, "%s", temp_path());
    CHECK_INT(sd_dataset_write_sav(a, path, NULL, NULL), SD_OK);
    sd_dataset *b = read_sav(path);
    if (b) {
        CHECK_INT(sd_dataset_nrows(b), 0);
        CHECK_INT(sd_dataset_nvars(b), 1);
    }
    sd_dataset_free(b);
    sd_dataset_free(a);
    unlink(path);
}

/* What .sav cannot hold is refused with a message, and no file is left. */
static void test_write_errors(void)
{
    sd_dataset *a = build();
    if (!a)
        return;
    char path[64];
    snprintf(path, sizeof path, "%s", temp_path());
    unlink(path);
    sd_error *err = sd_error_new();
    sd_var *q = a->vars[0];
    CHECK(sd__var_add_missing_code(q, 10)); /* a fourth code */
    CHECK_INT(sd_dataset_write_sav(a, path, "fr", err), SD_E_UNSUPPORTED);
    CHECK_STR(sd_error_message(err), "variable 'q1' has more user-missing values than .sav "
                                     "holds (three codes, or one range and one code)");
    CHECK_STR(sd_error_variable(err), "q1");
    CHECK(access(path, F_OK) != 0);
    sd__var_clear_missing(q);

    /* Limits of ReadStat 1.1.8's .sav writer that SPSS would misread. */
    sd_var *s = a->vars[1], *l = a->vars[2];
    CHECK(sd__var_add_missing_str(s, "NSP")); /* "ville" is 14 bytes wide */
    sd_error_clear(err);
    CHECK_INT(sd_dataset_write_sav(a, path, "fr", err), SD_E_UNSUPPORTED);
    CHECK_STR(sd_error_message(err), "variable 'ville': a string wider than 8 bytes can carry "
                                     "only one user-missing value in a .sav written through "
                                     "ReadStat 1.1.8 (it has 2)");
    sd__var_clear_missing(s);
    CHECK(sd__var_set_vlabel_str(l, "abc", NULL, "label on a 300-byte string"));
    sd_error_clear(err);
    CHECK_INT(sd_dataset_write_sav(a, path, "fr", err), SD_E_UNSUPPORTED);
    CHECK_STR(sd_error_message(err),
              "variable 'texte_long': value labels on a string longer than 248 bytes cannot be "
              "written to .sav through ReadStat 1.1.8 (SPSS would ignore them)");
    CHECK(access(path, F_OK) != 0);
    sd_dataset_free(a);
    if (!(a = build())) {
        sd_error_free(err);
        return;
    }

    sd_error_clear(err);
    CHECK_INT(sd_dataset_write_sav(a, "/nonexistent-dir/x.sav", "fr", err), SD_E_IO);
    CHECK_STR(sd_error_message(err),
              "cannot create a temporary file in its folder: No such file or directory (ENOENT)");
    CHECK_STR(sd_error_file(err), "/nonexistent-dir/x.sav");

    /* A name CSV allows and SPSS does not: renamed (v_tmp), not refused. */
    sd_error_clear(err);
    sd_var *bad = NULL;
    CHECK_INT(sd__dataset_add_var(a, "_tmp", SD_TYPE_NUMERIC, &bad, NULL), SD_OK);
    CHECK_INT(sd_dataset_write_sav(a, path, "fr", err), SD_OK);
    sd_dataset *back = read_sav(path);
    CHECK(back && sd_dataset_find(back, "v_tmp") != NULL);
    CHECK(back && sd_dataset_find(back, "_tmp") == NULL);
    sd_dataset_free(back);
    unlink(path);

    sd_dataset *none = sd__dataset_new("none");
    sd_error_clear(err);
    CHECK_INT(sd_dataset_write_sav(none, path, "fr", err), SD_E_EMPTY);
    CHECK_STR(sd_error_message(err), "nothing to write: the dataset has no variables");
    sd_dataset_free(none);
    sd_error_free(err);
    sd_dataset_free(a);
}

/* ------------------------------------------------------------ read errors */

static void expect_error(const char *path, sd_format fmt, sd_status want, const char *msg)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = (sd_dataset *)&ds; /* must be reset to NULL */
    sd_status st = sd_dataset_open(path, fmt, NULL, &ds, err);
    CHECK_INT(st, want);
    CHECK(ds == NULL);
    CHECK_STR(sd_error_message(err), msg);
    CHECK_STR(sd_error_file(err), path);
    sd_error_free(err);
}

static void test_read_errors(void)
{
    expect_error(DATA "truncated.sav", SD_FORMAT_AUTO, SD_E_FORMAT,
                 "corrupt SPSS .sav file: value labels (at byte 1224): the file ends inside "
                 "the list of variables they apply to");
    expect_error(DATA "not_sav.sav", SD_FORMAT_AUTO, SD_E_FORMAT,
                 "not a readable SPSS .sav file: it does not start with an SPSS system-file "
                 "header ($FL2 or $FL3)");
    /* A .sav header with nonsense after it: the part and what was expected,
     * not ReadStat's generic "Invalid file". */
    expect_error(DATA "corrupt.sav", SD_FORMAT_AUTO, SD_E_FORMAT,
                 "corrupt SPSS .sav file: dictionary (at byte 176): record type 1482184792, "
                 "expected 2, 3, 6, 7 or 999");
    expect_error(DATA "no_such_file.sav", SD_FORMAT_AUTO, SD_E_IO,
                 "cannot open: No such file or directory");
    expect_error(DATA "empty.sav", SD_FORMAT_AUTO, SD_E_EMPTY,
                 "not a readable SPSS .sav file: it is empty (0 bytes)");
    /* Right bytes, wrong reader. */
    expect_error(DATA "survey.sav", SD_FORMAT_DTA, SD_E_FORMAT,
                 "not a readable Stata .dta file: header: it starts with neither a format "
                 "number (102 to 119) nor <stata_dta>");
    expect_error(DATA "survey.dta", SD_FORMAT_POR, SD_E_FORMAT,
                 "corrupt SPSS portable .por file: header: the file ends early (at byte 81)");
    expect_error(DATA "not_sav.sav", SD_FORMAT_XPORT, SD_E_FORMAT,
                 "corrupt SAS transport (XPORT) file: header: the file ends early (at byte 36)");
    expect_error(DATA "survey.por", SD_FORMAT_SAS7BDAT, SD_E_FORMAT,
                 "corrupt or unsupported SAS .sas7bdat file: header or metadata pages: what is "
                 "there is not what the format has at that point (around byte 164)");
    expect_error(DATA, SD_FORMAT_SAV, SD_E_IO, "not a regular file");
}

/* ------------------------------------------------------------ memory */

static void test_read_mem(void)
{
    static const struct {
        const char *path;
        sd_format fmt;
    } files[] = {{DATA "survey.sav", SD_FORMAT_SAV},  {DATA "survey.zsav", SD_FORMAT_SAV},
                 {DATA "survey.por", SD_FORMAT_POR},  {DATA "survey.dta", SD_FORMAT_DTA},
                 {DATA "survey.xpt", SD_FORMAT_XPORT}, {DATA "survey.sas7bdat", SD_FORMAT_SAS7BDAT}};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len = 0;
        unsigned char *data = slurp(files[f].path, &len);
        if (!data)
            continue;
        sd_dataset *ds = NULL;
        sd_error *err = sd_error_new();
        CHECK_INT(sd__read_readstat_mem(data, len, files[f].fmt, "mem", &ds, err), SD_OK);
        if (ds) {
            CHECK_INT(sd_dataset_nrows(ds), 12);
            CHECK_INT(sd_dataset_nvars(ds), 7);
            CHECK_STR(ds->source, "mem");
        }
        sd_dataset_free(ds);
        /* Every prefix fails cleanly (or, for formats without a row count,
         * may succeed with fewer rows); ASan checks for leaks and overruns. */
        size_t step = len / 97 + 1;
        for (size_t n = 0; n < len; n += step) {
            sd_error_clear(err);
            ds = NULL;
            sd_status st = sd__read_readstat_mem(data, n, files[f].fmt, "mem", &ds, err);
            CHECK(st == SD_OK || st == SD_E_FORMAT || st == SD_E_EMPTY);
            CHECK((st == SD_OK) == (ds != NULL));
            CHECK(st == SD_OK || *sd_error_message(err));
            if (ds)
                CHECK(sd_dataset_nrows(ds) <= 12);
            sd_dataset_free(ds);
        }
        sd_error_free(err);
        free(data);
    }
}

int main(void)
{
    RUN(test_sav_pspp);
    RUN(test_zsav_pspp);
    RUN(test_por_pspp);
    RUN(test_dta_foreign);
    RUN(test_xpt_haven);
    RUN(test_sas7bdat_haven);
    RUN(test_roundtrip_pspp_sav);
    RUN(test_roundtrip_built);
    RUN(test_roundtrip_no_rows);
    RUN(test_write_infers_decimals);
    RUN(test_write_errors);
    RUN(test_read_errors);
    RUN(test_read_mem);
    DONE();
}
