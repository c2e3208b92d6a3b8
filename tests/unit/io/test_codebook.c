/*
 * test_codebook.c — the YAML codebook: parse + apply onto datasets built in
 * memory (every field checked through the public accessors and the structs),
 * every error with its exact message, status, line, column and variable,
 * the writer's exact output, and write -> parse -> apply round trips.
 */
#include "harness.h"
#include "io/io.h"

#include <locale.h>
#include <math.h>

/* ------------------------------------------------------------ fixtures */

/* A small survey: 4 rows; numeric role, q1..q3, w, fpc1, rw1, rw2, age;
 * string city, psu. */
static sd_dataset *make_ds(void)
{
    sd_dataset *ds = sd__dataset_new("mem");
    static const char *const nums[] = {"role", "q1", "q2", "q3", "w", "fpc1", "rw1", "rw2", "age"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        CHECK(sd__dataset_add_var(ds, nums[i], SD_TYPE_NUMERIC, NULL, NULL) == SD_OK);
    CHECK(sd__dataset_add_var(ds, "city", SD_TYPE_STRING, NULL, NULL) == SD_OK);
    CHECK(sd__dataset_add_var(ds, "psu", SD_TYPE_STRING, NULL, NULL) == SD_OK);
    CHECK(sd__dataset_reserve_rows(ds, 4));
    static const double role[] = {1, 2, 9, 95};
    static const char *const city[] = {"Paris", "Lyon", "NA", "Paris"};
    for (size_t r = 0; r < 4; r++) {
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
            sd_var *v = ds->vars[i];
            v->num[r] = i == 0 ? role[r] : (double)(r % 2);
            v->sysmis[r] = 0;
        }
        for (size_t k = 0; k < 2; k++) {
            sd_var *v = ds->vars[sd__dataset_var_index(ds, k ? "psu" : "city")];
            const char *s = k ? (r < 2 ? "a" : "b") : city[r];
            CHECK(sd__var_intern(v, s, strlen(s), &v->str[r]));
            v->sysmis[r] = 0;
        }
    }
    ds->nrows = 4;
    CHECK(sd__var_finish_levels(ds->vars[sd__dataset_var_index(ds, "city")], 4));
    CHECK(sd__var_finish_levels(ds->vars[sd__dataset_var_index(ds, "psu")], 4));
    return ds;
}

static sd_var *var_of(sd_dataset *ds, const char *name)
{
    long i = sd__dataset_var_index(ds, name);
    return i < 0 ? NULL : ds->vars[i];
}

/* Parse + apply; returns the status, err keeps the details. */
static sd_status load(sd_dataset *ds, const char *yaml, sd_error *err)
{
    sd_codebook *cb = NULL;
    sd_status st = sd__codebook_parse(yaml, strlen(yaml), "cb.yaml", &cb, err);
    if (st == SD_OK)
        st = sd__codebook_apply(cb, ds, err);
    if (st != SD_OK)
        CHECK(cb == NULL || sd_error_status(err) == st);
    sd__codebook_free(cb);
    return st;
}

/* Write a dataset's codebook into memory (caller frees). */
static char *write_mem(const sd_dataset *ds, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&buf, &n);
    CHECK(fp != NULL);
    sd_error *err = sd_error_new();
    sd_status st = sd__codebook_write(ds, fp, "out.yaml", err);
    if (st != SD_OK)
        fprintf(stderr, "  write: %s\n", sd_error_message(err));
    CHECK(st == SD_OK);
    fclose(fp);
    sd_error_free(err);
    if (len)
        *len = n;
    return buf;
}

static const char *FULL = "sondage_codebook: 1\n"
                          "title: {fr: \"DSI et marketing\", en: CIOs and marketers}\n"
                          "variables:\n"
                          "  - name: role\n"
                          "    type: numeric\n"
                          "    measure: ordinal\n"
                          "    label: {fr: Fonction, en: Role}\n"
                          "    note: {fr: \"valeurs illustratives\", en: illustrative values}\n"
                          "    values:\n"
                          "      1: {fr: DSI, en: CIO}\n"
                          "      2: {fr: Marketeur, en: Marketer}\n"
                          "      9: {fr: NSP, en: DK}\n"
                          "      -1.5: Négatif\n"
                          "    missing: [9]\n"
                          "    missing_range: [90, highest]\n"
                          "    nets:\n"
                          "      - name: any_role\n"
                          "        codes: [1, 2]\n"
                          "        label: {fr: Tous, en: All}\n"
                          "    width: 6\n"
                          "    decimals: 1\n"
                          "  - name: city\n"
                          "    type: string\n"
                          "    label: Ville\n"
                          "    values:\n"
                          "      Paris: {fr: Paris, en: Paris (France)}\n"
                          "      \"007\": Bond\n"
                          "    missing: [NA]\n"
                          "  - name: age\n"
                          "    measure: scale\n"
                          "    label: {fr: Âge}\n"
                          "    missing_range: [lowest, 0]\n"
                          "mrsets:\n"
                          "  - name: qs\n"
                          "    kind: dichotomy\n"
                          "    counted: 1\n"
                          "    label: {fr: Questions, en: Questions (all)}\n"
                          "    note: multiple answers\n"
                          "    variables: [q1, q2, q3]\n"
                          "  - name: places\n"
                          "    kind: category\n"
                          "    variables: [city, psu]\n"
                          "design:\n"
                          "  weight: w\n"
                          "  strata: psu\n"
                          "  cluster: [city, psu]\n"
                          "  fpc: [fpc1, fpc1]\n"
                          "  nest: true\n"
                          "  lonely_psu: adjust\n"
                          "  repweights: [rw1, rw2]\n"
                          "  reptype: Fay\n"
                          "  rho: 0.3\n"
                          "  scale: 0.5\n"
                          "  rscales: [1, 0.25]\n"
                          "  mse: yes\n";

/* ------------------------------------------------------------ parse + apply */

static void test_apply_full(void)
{
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    sd_status st = load(ds, FULL, err);
    if (st != SD_OK)
        fprintf(stderr, "  %ld:%ld %s\n", sd_error_line(err), sd_error_column(err),
                sd_error_message(err));
    CHECK(st == SD_OK);
    if (st != SD_OK) {
        sd_error_free(err);
        sd_dataset_free(ds);
        return;
    }

    CHECK_STR(sd_dataset_title(ds, "fr"), "DSI et marketing");
    CHECK_STR(sd_dataset_title(ds, "en"), "CIOs and marketers");

    const sd_var *role = sd_dataset_find(ds, "role");
    CHECK(sd_var_type(role) == SD_TYPE_NUMERIC);
    CHECK(sd_var_measure(role) == SD_MEASURE_ORDINAL);
    CHECK_STR(sd_var_label(role, "fr"), "Fonction");
    CHECK_STR(sd_var_label(role, "en"), "Role");
    CHECK_STR(sd__labels_get_exact(&role->note, "fr"), "valeurs illustratives");
    CHECK_STR(sd__labels_get_exact(&role->note, "en"), "illustrative values");
    CHECK_INT(sd_var_nvalue_labels(role), 4);
    CHECK(sd_var_value_code(role, 0) == 1);
    CHECK_STR(sd_var_value_label(role, 0, "fr"), "DSI");
    CHECK_STR(sd_var_value_label(role, 0, "en"), "CIO");
    CHECK(sd_var_value_code(role, 1) == 2);
    CHECK_STR(sd_var_value_label(role, 1, "en"), "Marketer");
    CHECK(sd_var_value_code(role, 3) == -1.5);
    CHECK(sd_var_value_string(role, 3) == NULL);
    CHECK_STR(sd_var_value_label(role, 3, "en"), "Négatif"); /* untagged: any language */
    CHECK(role->vl[3].labels.v[0].lang == NULL);
    /* Rows hold 1, 2, 9, 95: 9 is a missing code, 95 is in [90, highest]. */
    CHECK(!sd_var_is_missing(role, 0));
    CHECK(!sd_var_is_missing(role, 1));
    CHECK(sd_var_is_missing(role, 2));
    CHECK(sd_var_is_missing(role, 3));
    CHECK_INT(role->nmiss, 1);
    CHECK(role->miss_codes[0] == 9);
    CHECK(role->has_miss_range && role->miss_lo == 90 && role->miss_hi == HUGE_VAL);
    CHECK_INT(role->nnets, 1);
    CHECK_STR(role->nets[0].name, "any_role");
    CHECK_INT(role->nets[0].ncodes, 2);
    CHECK(role->nets[0].codes[0] == 1 && role->nets[0].codes[1] == 2);
    CHECK_STR(sd__labels_get_exact(&role->nets[0].labels, "fr"), "Tous");
    CHECK_INT(role->width, 6);
    CHECK_INT(role->decimals, 1);

    const sd_var *city = sd_dataset_find(ds, "city");
    CHECK(sd_var_measure(city) == SD_MEASURE_NOMINAL);
    CHECK_STR(sd_var_label(city, "en"), "Ville");
    CHECK_INT(sd_var_nvalue_labels(city), 2);
    CHECK_STR(sd_var_value_string(city, 0), "Paris");
    CHECK_STR(sd_var_value_label(city, 0, "en"), "Paris (France)");
    CHECK_STR(sd_var_value_string(city, 1), "007"); /* raw text, not the number 7 */
    CHECK_STR(sd_var_value_label(city, 1, "fr"), "Bond");
    CHECK_INT(city->nmiss_strs, 1);
    CHECK(!sd_var_is_missing(city, 0)); /* Paris */
    CHECK(sd_var_is_missing(city, 2));  /* NA */

    const sd_var *age = sd_dataset_find(ds, "age");
    CHECK(sd_var_measure(age) == SD_MEASURE_SCALE);
    CHECK(age->has_miss_range && age->miss_lo == -HUGE_VAL && age->miss_hi == 0);
    CHECK(sd_var_is_missing(age, 0));  /* 0 */
    CHECK(!sd_var_is_missing(age, 1)); /* 1 */

    CHECK_INT(sd_dataset_nmrsets(ds), 2);
    const sd_mrset *qs = sd_dataset_find_mrset(ds, "qs");
    CHECK(qs != NULL);
    if (qs) {
        CHECK(sd_mrset_kind_of(qs) == SD_MRSET_DICHOTOMY);
        CHECK(sd_mrset_counted(qs) == 1);
        CHECK_STR(sd_mrset_label(qs, "en"), "Questions (all)");
        CHECK_STR(sd__labels_get(&qs->note, "fr"), "multiple answers");
        CHECK_INT(sd_mrset_nvars(qs), 3);
        CHECK_STR(sd_var_name(sd_mrset_var(qs, 0)), "q1");
        CHECK_STR(sd_var_name(sd_mrset_var(qs, 2)), "q3");
    }
    const sd_mrset *places = sd_dataset_find_mrset(ds, "places");
    CHECK(places && sd_mrset_kind_of(places) == SD_MRSET_CATEGORY && sd_mrset_nvars(places) == 2);

    const sd_designspec *d = &ds->design;
    CHECK(d->declared);
    /* typed, with where each field came from (the error of a design
     * variable the data lack names this line) */
    CHECK_STR(d->origin, "cb.yaml");
    CHECK(d->pos[SD_DF_WEIGHT].line > 0 && d->pos[SD_DF_WEIGHT].col > 0);
    CHECK_STR(d->weight, "w");
    CHECK_STR(d->strata, "psu");
    CHECK_INT(d->ncluster, 2);
    CHECK_STR(d->cluster[0], "city");
    CHECK_STR(d->cluster[1], "psu");
    CHECK_INT(d->nfpc, 2);
    CHECK_STR(d->fpc[1], "fpc1");
    CHECK(d->nest);
    CHECK(d->has_lonely && d->lonely == SD_LONELY_ADJUST);
    CHECK_INT(d->nrepweights, 2);
    CHECK_STR(d->repweights[1], "rw2");
    CHECK(d->reptype == SD_REP_FAY); /* words are read case-insensitively */
    CHECK(d->has_rho && d->rho == 0.3);
    CHECK(d->has_scale && d->scale == 0.5);
    CHECK_INT(d->nrscales, 2);
    CHECK(d->rscales[1] == 0.25);
    CHECK(d->mse);

    sd_error_free(err);
    sd_dataset_free(ds);
}

static void test_var_type(void)
{
    sd_codebook *cb = NULL;
    sd_error *err = sd_error_new();
    CHECK(sd__codebook_parse(FULL, strlen(FULL), "cb.yaml", &cb, err) == SD_OK);
    sd_type t = SD_TYPE_NUMERIC;
    CHECK_INT(sd__codebook_var_type(cb, "city", &t), 1);
    CHECK(t == SD_TYPE_STRING);
    CHECK_INT(sd__codebook_var_type(cb, "role", &t), 1);
    CHECK(t == SD_TYPE_NUMERIC);
    CHECK_INT(sd__codebook_var_type(cb, "age", &t), 0);  /* described, no type */
    CHECK_INT(sd__codebook_var_type(cb, "nope", &t), 0); /* not described */
    CHECK_INT(sd__codebook_var_type(NULL, "role", &t), 0);
    sd__codebook_free(cb);
    sd_error_free(err);
}

static void test_language_fallback(void)
{
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(ds,
               "variables:\n"
               "  - name: role\n"
               "    label: {fr: Fonction}\n"
               "    values: {1: {FR: DSI}}\n"
               "  - name: city\n"
               "    label: {_: City, fr: Ville}\n",
               err) == SD_OK);
    const sd_var *role = sd_dataset_find(ds, "role");
    CHECK_STR(sd_var_label(role, "en"), "Fonction"); /* only fr: any label */
    CHECK_STR(sd_var_label(role, NULL), "Fonction");
    CHECK_STR(sd_var_value_label(role, 0, "en"), "DSI");
    CHECK_STR(role->vl[0].labels.v[0].lang, "fr"); /* tags are kept in lowercase */
    const sd_var *city = sd_dataset_find(ds, "city");
    CHECK_STR(sd_var_label(city, "en"), "City"); /* en absent: the untagged one */
    CHECK_STR(sd_var_label(city, "fr"), "Ville");
    CHECK(city->label.v[0].lang == NULL);

    /* A second codebook that gives only en keeps fr; missing values are
     * replaced, not added to. */
    CHECK(load(ds,
               "variables:\n"
               "  - name: role\n"
               "    label: {en: Role}\n"
               "    missing: [1]\n",
               err) == SD_OK);
    CHECK(load(ds, "variables: [{name: role, missing: [2], values: {1: {en: CIO}}}]\n", err) ==
          SD_OK);
    CHECK_STR(sd_var_label(role, "fr"), "Fonction");
    CHECK_STR(sd_var_label(role, "en"), "Role");
    CHECK_STR(sd_var_value_label(role, 0, "fr"), "DSI");
    CHECK_STR(sd_var_value_label(role, 0, "en"), "CIO");
    CHECK_INT(role->nmiss, 1);
    CHECK(role->miss_codes[0] == 2);
    CHECK(!sd_var_is_missing(role, 0));
    CHECK(sd_var_is_missing(role, 1));
    CHECK(load(ds, "variables: [{name: role, missing: []}]\n", err) == SD_OK);
    CHECK_INT(role->nmiss, 0);
    CHECK(!sd_var_is_missing(role, 1));
    sd_error_free(err);
    sd_dataset_free(ds);
}

static void test_empty_and_forms(void)
{
    static const char *const empty[] = {"",
                                        "# nothing here\n",
                                        "---\n",
                                        "~\n",
                                        "variables: []\nmrsets: []\n",
                                        "title:\nvariables:\n"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        sd_dataset *ds = make_ds();
        sd_error *err = sd_error_new();
        CHECK(load(ds, empty[i], err) == SD_OK);
        CHECK_INT(ds->title.n, 0);
        CHECK(!ds->design.declared);
        CHECK_INT(sd_var_nvalue_labels(sd_dataset_find(ds, "role")), 0);
        sd_error_free(err);
        sd_dataset_free(ds);
    }
    /* Aliases share a set of value labels; one scalar stands for a list of
     * one in missing, cluster and fpc; an empty value is no value; a
     * repweights string is a regular expression. */
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(ds,
               "variables:\n"
               "  - name: q1\n"
               "    values: &yn {0: {fr: Non, en: No}, 1: {fr: Oui, en: Yes}}\n"
               "    missing: 9\n"
               "    note:\n"
               "  - name: q2\n"
               "    values: *yn\n"
               "design: {cluster: psu, fpc: fpc1, repweights: \"^rw[0-9]+$\", reptype: jk1}\n",
               err) == SD_OK);
    const sd_var *q2 = sd_dataset_find(ds, "q2");
    CHECK_INT(sd_var_nvalue_labels(q2), 2);
    CHECK_STR(sd_var_value_label(q2, 1, "fr"), "Oui");
    const sd_var *q1 = sd_dataset_find(ds, "q1");
    CHECK_INT(q1->nmiss, 1);
    CHECK(q1->miss_codes[0] == 9);
    CHECK_INT(q1->note.n, 0);
    CHECK_INT(ds->design.ncluster, 1);
    CHECK_STR(ds->design.cluster[0], "psu");
    CHECK_INT(ds->design.nfpc, 1);
    CHECK_INT(ds->design.nrepweights, 1);
    CHECK_STR(ds->design.repweights[0], "^rw[0-9]+$");
    CHECK(ds->design.weight == NULL && !ds->design.nest && !ds->design.has_rho);
    sd_error_free(err);
    sd_dataset_free(ds);
}

/* ------------------------------------------------------------ errors */

typedef struct err_case {
    const char *yaml;
    sd_status st;
    long line, col;
    const char *var; /* NULL: none expected */
    const char *msg;
} err_case;

static const err_case ERRS[] = {
    /* YAML syntax: libyaml's problem, with its mark and context. */
    {"variables:\n  - name: role\n   label: x\n", SD_E_PARSE, 3, 4, NULL,
     "invalid YAML: did not find expected '-' indicator (while parsing a block collection at "
     "line 2, column 3)"},
    {"title: \"abc\n", SD_E_PARSE, 2, 1, NULL,
     "invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 1, "
     "column 8)"},
    {"title: *nope\n", SD_E_PARSE, 1, 8, NULL, "invalid YAML: found undefined alias"},
    {"title: a\x01z\n", SD_E_PARSE, 1, 9, NULL, "invalid YAML: control characters are not allowed"},
    {"a: &x 1\nb: &x 2\n", SD_E_PARSE, 2, 4, NULL, "invalid YAML: found duplicate anchor 'x'"},
    /* libyaml's time grows with nesting depth: deep documents stop early. */
    {"title: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]]]\n",
     SD_E_TOO_LARGE, 1, 39, NULL, "the codebook nests lists and mappings deeper than 32 levels"},
    {"title: x\n---\ntitle: y\n", SD_E_PARSE, 3, 1, NULL,
     "a codebook is one YAML document; found a second one"},
    /* Encoding and text. */
    {"title: caf\xc3(\n", SD_E_ENCODING, 1, 11, NULL, "the codebook is not valid UTF-8 (byte 11)"},
    {"title: \"a\\0b\"\n", SD_E_PARSE, 1, 8, NULL, "a text holds a NUL character"},
    /* Shape. */
    {"- a\n- b\n", SD_E_PARSE, 1, 1, NULL,
     "expected a mapping at the top level (sondage_codebook, title, variables, mrsets, design), "
     "not a list"},
    {"variables:\n  role: {label: x}\n", SD_E_PARSE, 2, 3, NULL,
     "expected a list of variables, not a mapping"},
    {"variables:\n  - role\n", SD_E_PARSE, 2, 5, NULL,
     "expected a mapping for variable #1, not 'role'"},
    {"variables:\n  - name: role\n    lable: Role\n", SD_E_PARSE, 3, 5, "role",
     "unknown key 'lable' in variable 'role'; did you mean 'label'? (expected one of: name, type, "
     "measure, label, note, values, nouns, missing, missing_range, nets, width, decimals)"},
    {"variables:\n  - lable: Role\n", SD_E_PARSE, 2, 5, NULL,
     "unknown key 'lable' in variable #1; did you mean 'label'? (expected one of: name, type, "
     "measure, label, note, values, nouns, missing, missing_range, nets, width, decimals)"},
    {"titel: x\n", SD_E_PARSE, 1, 1, NULL,
     "unknown key 'titel' at the top level; did you mean 'title'? (expected one of: "
     "sondage_codebook, title, variables, mrsets, design)"},
    {"variables: []\nvariables: []\n", SD_E_PARSE, 2, 1, NULL,
     "duplicate key 'variables' at the top level"},
    {"variables:\n  - name: role\n    values: [1, 2]\n", SD_E_PARSE, 3, 13, "role",
     "expected a mapping of codes to labels for values, not a list"},
    {"variables:\n  - name: role\n    values: {1: ~}\n", SD_E_PARSE, 3, 17, "role",
     "expected a label for value '1', not an empty value"},
    {"variables:\n  - name: role\n    values: {1: a, 1: b}\n", SD_E_PARSE, 3, 20, "role",
     "duplicate key '1' in values of variable 'role'"},
    {"variables:\n  - name: role\n    label: [a]\n", SD_E_PARSE, 3, 12, "role",
     "expected a text or a mapping of languages to texts for label, not a list"},
    {"variables:\n  - name: role\n    label: {fr: a, FR: b}\n", SD_E_PARSE, 3, 20, "role",
     "duplicate language 'FR' in label"},
    {"variables:\n  - name: role\n    label: {en-GB: Role}\n", SD_E_INVALID, 3, 13, "role",
     "'en-GB' is not a language tag (in label); expected 2 to 8 letters such as fr or en, or _ "
     "for the untagged text"},
    {"variables:\n  - name: role\n    missing: {a: 1}\n", SD_E_PARSE, 3, 14, "role",
     "expected a list of values for missing, not a mapping"},
    {"variables:\n  - name: role\n    missing: [1, [2]]\n", SD_E_PARSE, 3, 18, "role",
     "expected a list of values for missing, but item 2 is a list"},
    {"variables:\n  - name: [role]\n", SD_E_INVALID, 2, 11, NULL,
     "name must be a text, not a list"},
    {"variables:\n  - name: role\n    missing_range: [1]\n", SD_E_PARSE, 3, 20, "role",
     "expected a list [lo, hi] for missing_range, not a list of another length"},
    {"mrsets: {name: x}\n", SD_E_PARSE, 1, 9, NULL, "expected a list of sets, not a mapping"},
    {"mrsets:\n  - name: s\n    kind: category\n    variabels: [q1, q2]\n", SD_E_PARSE, 4, 5, NULL,
     "unknown key 'variabels' in set 's'; did you mean 'variables'? (expected one of: name, kind, "
     "counted, label, note, variables)"},
    {"design: [w]\n", SD_E_PARSE, 1, 9, NULL, "expected a mapping for design, not a list"},
    {"design:\n  wieght: w\n", SD_E_PARSE, 2, 3, NULL,
     "unknown key 'wieght' in design; did you mean 'weight'? (expected one of: weight, strata, "
     "cluster, fpc, nest, lonely_psu, repweights, reptype, rho, scale, rscales, mse, "
     "calibration)"},
    {"variables:\n  - name: role\n    nets:\n      - name: n\n        code: [1]\n", SD_E_PARSE, 5,
     9, "role",
     "unknown key 'code' in net 'n' of variable 'role'; did you mean 'codes'? (expected one of: "
     "name, codes, label)"},
    /* Values. */
    {"variables:\n  - name: role\n    measure: interval\n", SD_E_INVALID, 3, 14, "role",
     "measure must be nominal, ordinal or scale, not 'interval'"},
    {"variables:\n  - name: role\n    type: text\n", SD_E_INVALID, 3, 11, "role",
     "type must be numeric or string, not 'text'"},
    {"variables:\n  - label: Role\n", SD_E_INVALID, 2, 5, NULL,
     "missing key 'name' in variable #1"},
    {"variables:\n  - name: 1abc\n", SD_E_INVALID, 2, 11, NULL,
     "'1abc' is not a valid variable name (a letter or _ then letters, digits, _ or ., at most "
     "64 bytes)"},
    {"variables:\n  - name: role\n  - name: city\n  - name: role\n", SD_E_INVALID, 4, 11, "role",
     "variable 'role' is described twice (first at line 2)"},
    {"variables:\n  - name: role\n    width: -3\n", SD_E_INVALID, 3, 12, "role",
     "width must be a whole number from 0 to 32767, not '-3'"},
    {"variables:\n  - name: role\n    decimals: 17\n", SD_E_INVALID, 3, 15, "role",
     "decimals must be a whole number from 0 to 16, not '17'"},
    {"variables:\n  - name: role\n    missing_range: [highest, 5]\n", SD_E_INVALID, 3, 21, "role",
     "the low end of missing_range must be a number or lowest, not 'highest'"},
    {"variables:\n  - name: role\n    missing_range: [5, 1]\n", SD_E_INVALID, 3, 20, "role",
     "missing_range must be [lo, hi] with lo <= hi"},
    {"variables:\n  - name: role\n    nets:\n      - name: n\n        codes: [1, x]\n",
     SD_E_INVALID, 5, 20, "role", "codes must be a number, not 'x'"},
    {"variables:\n  - name: role\n    nets:\n      - {name: n, codes: [1]}\n      - {name: n, "
     "codes: [2]}\n",
     SD_E_INVALID, 5, 16, "role",
     "net 'n' of variable 'role' is described twice (first at line 4)"},
    {"variables:\n  - name: role\n    nets:\n      - {name: n, codes: []}\n", SD_E_INVALID, 4, 26,
     "role", "codes must list at least one code in net 'n' of variable 'role'"},
    {"sondage_codebook: 2\n", SD_E_INVALID, 1, 19, NULL,
     "sondage_codebook must be 1 (the only format version), not '2'"},
    {"mrsets:\n  - {name: s, kind: dichotomy, variables: [q1]}\n", SD_E_INVALID, 2, 43, NULL,
     "set 's' needs at least 2 variables"},
    {"mrsets:\n  - {name: s, kind: both, variables: [q1, q2]}\n", SD_E_INVALID, 2, 21, NULL,
     "kind must be dichotomy or category, not 'both'"},
    {"mrsets:\n  - {name: s, variables: [q1, q2]}\n", SD_E_INVALID, 2, 5, NULL,
     "missing key 'kind' in set 's'"},
    {"mrsets:\n  - {name: s, kind: category, counted: 2, variables: [city, psu]}\n", SD_E_INVALID,
     2, 31, NULL, "counted applies only to dichotomy sets, and set 's' is a category set"},
    {"mrsets:\n  - {name: s, kind: dichotomy, variables: [q1, q2, q1]}\n", SD_E_INVALID, 2, 52,
     NULL, "variable 'q1' is listed twice in set 's'"},
    {"mrsets:\n  - {name: s, kind: dichotomy, variables: [q1, q2]}\n  - {name: s, kind: "
     "dichotomy, variables: [q1, q3]}\n",
     SD_E_INVALID, 3, 12, NULL, "set 's' is described twice (first at line 2)"},
    {"design: {nest: maybe}\n", SD_E_INVALID, 1, 16, NULL,
     "nest must be true or false, not 'maybe'"},
    {"design: {lonely_psu: skip}\n", SD_E_INVALID, 1, 22, NULL,
     "lonely_psu must be fail, remove, adjust, certainty or average, not 'skip'"},
    {"design: {repweights: [rw1, rw2], reptype: jk2}\n", SD_E_INVALID, 1, 43, NULL,
     "reptype must be jk1, jkn, brr, fay, bootstrap or sdr, not 'jk2'"},
    {"design: {reptype: jk1}\n", SD_E_INVALID, 1, 10, NULL, "reptype needs repweights"},
    {"design: {repweights: [rw1]}\n", SD_E_INVALID, 1, 22, NULL,
     "repweights must name at least 2 variables (or be one string holding a regular expression)"},
    {"design: {repweights: \"rw(\"}\n", SD_E_INVALID, 1, 22, NULL,
     "repweights 'rw(' is not a valid regular expression (POSIX extended): unmatched ( or \\("},
    /* glibc's regcomp copies a subexpression per + and per {m,n} count:
     * stacked or nested repetitions would exhaust memory (found by the fuzzer). */
    {"design: {repweights: \"(a{9}){9}{9}\"}\n", SD_E_INVALID, 1, 22, NULL,
     "repweights '(a{9}){9}{9}' is too complex a regular expression (at most 256 bytes, "
     "repetitions at most two deep); e.g. ^rw[0-9]+$"},
    {"design: {repweights: \"^}}++++++++++++++++++++++++++++++\"}\n", SD_E_INVALID, 1, 22, NULL,
     "repweights '^}}++++++++++++++++++++++++++++++' is too complex a regular expression (at most "
     "256 bytes, repetitions at most two deep); e.g. ^rw[0-9]+$"},
    {"design: {repweights: \"h)****z\"}\n", SD_E_INVALID, 1, 22, NULL,
     "repweights 'h)****z' is too complex a regular expression (at most 256 bytes, repetitions "
     "at most two deep); e.g. ^rw[0-9]+$"},
    {"design: {repweights: \"(rw)\\\\1\"}\n", SD_E_INVALID, 1, 22, NULL,
     "repweights '(rw)\\1' holds a back-reference (\\1); a regular expression for repweights "
     "cannot"},
    {"design: {repweights: [rw1, rw2], rscales: [1]}\n", SD_E_INVALID, 1, 43, NULL,
     "rscales gives 1 numbers but repweights names 2 variables"},
    {"design: {rho: 1}\n", SD_E_INVALID, 1, 15, NULL, "rho must be at least 0 and less than 1"},
    {"design: {scale: abc}\n", SD_E_INVALID, 1, 17, NULL, "scale must be a number, not 'abc'"},
    {"design: {cluster: [psu], fpc: [fpc1, fpc1]}\n", SD_E_INVALID, 1, 31, NULL,
     "fpc names 2 stages but cluster names 1; give one fpc per stage"},
    /* The codebook against the data. */
    {"variables:\n  - name: nope\n    label: x\n", SD_E_CONFLICT, 2, 5, "nope",
     "variable 'nope' is in the codebook but not in the data"},
    {"variables:\n  - name: city\n    type: numeric\n", SD_E_CONFLICT, 3, 11, "city",
     "variable 'city' is declared numeric in the codebook but is string in the data"},
    {"variables:\n  - name: role\n    type: string\n", SD_E_CONFLICT, 3, 11, "role",
     "variable 'role' is declared string in the codebook but is numeric in the data"},
    {"variables:\n  - name: role\n    values:\n      1: a\n      one: b\n", SD_E_CONFLICT, 5, 7,
     "role", "value 'one' of variable 'role' is not a number, but the variable is numeric"},
    {"variables:\n  - name: role\n    values:\n      1: a\n      1.0: b\n", SD_E_INVALID, 5, 7,
     "role", "value '1.0' of variable 'role' is the same code as '1' (line 4)"},
    {"variables:\n  - name: role\n    missing: [9, NA]\n", SD_E_CONFLICT, 3, 18, "role",
     "missing value 'NA' of variable 'role' is not a number, but the variable is numeric"},
    {"variables:\n  - name: city\n    missing_range: [1, 2]\n", SD_E_CONFLICT, 3, 20, "city",
     "missing_range needs a numeric variable, but 'city' is string"},
    {"variables:\n  - name: city\n    nets: [{name: n, codes: [1]}]\n", SD_E_CONFLICT, 3, 11,
     "city", "nets need a numeric variable, but 'city' is string"},
    {"variables:\n  - name: city\n    measure: scale\n", SD_E_CONFLICT, 3, 14, "city",
     "variable 'city' is string, so its measure must be nominal or ordinal, not scale"},
    {"mrsets:\n  - {name: s, kind: dichotomy, variables: [q1, q9]}\n", SD_E_CONFLICT, 2, 48, "q9",
     "set 's' names variable 'q9', which is not in the data"},
    {"mrsets:\n  - {name: s, kind: dichotomy, variables: [q1, city]}\n", SD_E_CONFLICT, 2, 48,
     "city", "set 's' is a dichotomy set, so its variables must be numeric, but 'city' is string"},
    {"mrsets:\n  - {name: s, kind: category, variables: [city, q1]}\n", SD_E_CONFLICT, 2, 49, "q1",
     "set 's' mixes types: 'city' is string but 'q1' is numeric"},
    {"mrsets:\n  - {name: role, kind: category, variables: [q1, q2]}\n", SD_E_CONFLICT, 2, 12, NULL,
     "set name 'role' is already the name of a variable in the data"},
    /* Nouns (for the findings in words). */
    {"variables:\n  - name: role\n    values: {1: DSI}\n    nouns: {1: DSI}\n", SD_E_INVALID, 4,
     16, "role",
     "expected 'singular|plural' or 'singular|plural|f' (or |m) for the noun of value '1', not "
     "'DSI'"},
    {"variables:\n  - name: role\n    values: {1: DSI}\n    nouns: {1: {fr: \"a|b|x\"}}\n",
     SD_E_INVALID, 4, 16, "role",
     "expected 'singular|plural' or 'singular|plural|f' (or |m) for the noun of value '1', not "
     "'a|b|x'"},
    {"variables:\n  - name: role\n    nouns: [a]\n", SD_E_PARSE, 3, 12, "role",
     "expected a mapping of codes to nouns for nouns, not a list"},
    {"variables:\n  - name: role\n    nouns: {3: \"a|b\"}\n", SD_E_CONFLICT, 3, 13, "role",
     "nouns of variable 'role' name value '3', which has no value label"},
    {"variables:\n  - name: role\n    nouns: {x: \"a|b\"}\n", SD_E_CONFLICT, 3, 13, "role",
     "value 'x' in nouns of variable 'role' is not a number, but the variable is numeric"},
    {"variables:\n  - name: role\n    values: {1: a}\n    nouns: {1: \"a|b\", 1: \"c|d\"}\n",
     SD_E_PARSE, 4, 23, "role", "duplicate key '1' in nouns of variable 'role'"},
    {"design:\n  weight: city\n", SD_E_CONFLICT, 2, 11, "city",
     "design weight 'city' must be numeric, but it is string"},
    {"design:\n  cluster: [psu, ssu]\n", SD_E_CONFLICT, 2, 18, "ssu",
     "design cluster 'ssu' is not a variable in the data"},
    {"design:\n  repweights: [rw1, city]\n", SD_E_CONFLICT, 2, 21, "city",
     "design repweights 'city' must be numeric, but it is string"},
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof ERRS / sizeof ERRS[0]; i++) {
        const err_case *e = &ERRS[i];
        sd_dataset *ds = make_ds();
        sd_error *err = sd_error_new();
        sd_status st = load(ds, e->yaml, err);
        int before = h_failed_checks;
        CHECK_INT(st, e->st);
        CHECK_INT(sd_error_status(err), e->st);
        CHECK_STR(sd_error_message(err), e->msg);
        CHECK_STR(sd_error_file(err), "cb.yaml");
        CHECK_INT(sd_error_line(err), e->line);
        CHECK_INT(sd_error_column(err), e->col);
        if (e->var)
            CHECK_STR(sd_error_variable(err), e->var);
        else
            CHECK(sd_error_variable(err) == NULL);
        if (h_failed_checks != before)
            fprintf(stderr, "  ^ case %zu: %s\n", i, e->yaml);
        sd_error_free(err);
        sd_dataset_free(ds);
    }
}

static void test_caps(void)
{
    /* A label over 64 KiB. */
    size_t n = 70000;
    char *big = malloc(n + 32);
    memcpy(big, "title: ", 7);
    memset(big + 7, 'a', n);
    memcpy(big + 7 + n, "\n", 2);
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(ds, big, err) == SD_E_TOO_LARGE);
    CHECK_STR(sd_error_message(err), "text longer than 65536 bytes");
    CHECK_INT(sd_error_line(err), 1);
    CHECK_INT(sd_error_column(err), 8);
    free(big);

    /* Aliases that multiply: 45 nets sharing a list of 50000 codes make the
     * walk visit more nodes than the cap allows. */
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 24);
    sd__sb_puts(&sb, "variables:\n  - name: role\n    nets:\n      - {name: n0, codes: &c [");
    for (int i = 0; i < 50000; i++)
        sd__sb_printf(&sb, "%s%d", i ? "," : "", i);
    sd__sb_puts(&sb, "]}\n");
    for (int k = 1; k < 45; k++)
        sd__sb_printf(&sb, "      - {name: n%d, codes: *c}\n", k);
    CHECK(sd__sb_status(&sb) == SD_OK);
    sd_error_clear(err);
    CHECK(load(ds, sd__sb_str(&sb), err) == SD_E_TOO_LARGE);
    CHECK_STR(sd_error_message(err),
              "the codebook expands to too many nodes through aliases (more than 2097152 beyond "
              "its own)");
    sd__sb_free(&sb);
    sd_error_free(err);
    sd_dataset_free(ds);
}

/* ------------------------------------------------------------ writing */

static void test_write_exact(void)
{
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(ds,
               "title: Étude\n"
               "variables:\n"
               "  - name: role\n"
               "    label: {_: Role, fr: Fonction}\n"
               "    values: {1: {fr: DSI, en: CIO}, 2: \"yes\", 0.5: \"a: b\"}\n"
               "    missing: [9, -1]\n"
               "    missing_range: [lowest, -90]\n"
               "    nets: [{name: n, codes: [1, 2], label: Both}]\n"
               "  - name: city\n"
               "    values: {\"007\": Bond, \"\": vide, \"~\": tilde, \"x\\ny\": two lines}\n"
               "    missing: [NA]\n"
               "mrsets:\n"
               "  - {name: s, kind: dichotomy, counted: 2, note: {en: N}, variables: [q1, q2]}\n"
               "design: {weight: w, repweights: \"^rw\"}\n",
               err) == SD_OK);
    char *out = write_mem(ds, NULL);
    const char *want_head = "sondage_codebook: 1\n"
                            "title: Étude\n"
                            "variables:\n"
                            "- name: role\n"
                            "  type: numeric\n"
                            "  measure: nominal\n"
                            "  label: {_: Role, fr: Fonction}\n"
                            "  values:\n"
                            "    1: {fr: DSI, en: CIO}\n"
                            "    2: \"yes\"\n"
                            "    0.5: 'a: b'\n"
                            "  missing: [9, -1]\n"
                            "  missing_range: [lowest, -90]\n"
                            "  nets:\n"
                            "  - name: n\n"
                            "    codes: [1, 2]\n"
                            "    label: Both\n"
                            "  width: 8\n"
                            "  decimals: 0\n"
                            "- name: q1\n"
                            "  type: numeric\n"
                            "  measure: nominal\n"
                            "  width: 8\n"
                            "  decimals: 0\n";
    CHECK(out && strncmp(out, want_head, strlen(want_head)) == 0);
    const char *want_tail = "- name: city\n"
                            "  type: string\n"
                            "  measure: nominal\n"
                            "  values:\n"
                            "    \"007\": Bond\n"
                            "    \"\": vide\n"
                            "    \"~\": tilde\n"
                            "    ? \"x\\ny\"\n"
                            "    : two lines\n"
                            "  missing: [NA]\n"
                            "  width: 8\n"
                            "  decimals: 0\n"
                            "- name: psu\n"
                            "  type: string\n"
                            "  measure: nominal\n"
                            "  width: 8\n"
                            "  decimals: 0\n"
                            "mrsets:\n"
                            "- name: s\n"
                            "  kind: dichotomy\n"
                            "  counted: 2\n"
                            "  note: {en: \"N\"}\n" /* n is a YAML 1.1 boolean */
                            "  variables: [q1, q2]\n"
                            "design:\n"
                            "  weight: w\n"
                            "  repweights: \"^rw\"\n";
    CHECK(out && strlen(out) > strlen(want_tail) &&
          strcmp(out + strlen(out) - strlen(want_tail), want_tail) == 0);
    if (h_failed_checks)
        fprintf(stderr, "----\n%s----\n", out ? out : "(null)");
    free(out);

    /* A name the reader would refuse is refused before anything is written. */
    CHECK(sd__dataset_add_var(ds, "bad name", SD_TYPE_NUMERIC, NULL, NULL) == SD_OK);
    FILE *fp = tmpfile();
    sd_error_clear(err);
    CHECK(sd__codebook_write(ds, fp, "out.yaml", err) == SD_E_INVALID);
    CHECK_STR(sd_error_message(err), "cannot write variable 'bad name' to a codebook: not a "
                                     "valid name (a letter or _ then letters, digits, _ or ., at "
                                     "most 64 bytes)");
    CHECK(ftell(fp) == 0);
    fclose(fp);
    sd_error_free(err);
    sd_dataset_free(ds);
}

/* ------------------------------------------------------------ round trip */

static bool labels_same(const sd_labels *a, const sd_labels *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!sd__lang_eq(a->v[i].lang, b->v[i].lang) || strcmp(a->v[i].text, b->v[i].text))
            return false;
    return true;
}

static bool str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool list_same(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]))
            return false;
    return true;
}

static void compare_ds(const sd_dataset *a, const sd_dataset *b)
{
    CHECK(labels_same(&a->title, &b->title));
    CHECK_INT(a->nvars, b->nvars);
    for (size_t i = 0; i < a->nvars && i < b->nvars; i++) {
        const sd_var *x = a->vars[i], *y = b->vars[i];
        int before = h_failed_checks;
        CHECK_STR(x->name, y->name);
        CHECK(x->type == y->type);
        CHECK(x->measure == y->measure);
        CHECK(labels_same(&x->label, &y->label));
        CHECK(labels_same(&x->note, &y->note));
        CHECK_INT(x->width, y->width);
        CHECK_INT(x->decimals, y->decimals);
        CHECK_INT(x->nvl, y->nvl);
        for (size_t k = 0; k < x->nvl && k < y->nvl; k++) {
            CHECK(str_same(x->vl[k].str, y->vl[k].str));
            CHECK(x->vl[k].str || x->vl[k].code == y->vl[k].code);
            CHECK(labels_same(&x->vl[k].labels, &y->vl[k].labels));
        }
        CHECK_INT(x->nmiss, y->nmiss);
        for (size_t k = 0; k < x->nmiss && k < y->nmiss; k++)
            CHECK(x->miss_codes[k] == y->miss_codes[k]);
        CHECK(list_same(x->miss_strs, x->nmiss_strs, y->miss_strs, y->nmiss_strs));
        CHECK(x->has_miss_range == y->has_miss_range);
        CHECK(!x->has_miss_range || (x->miss_lo == y->miss_lo && x->miss_hi == y->miss_hi));
        CHECK_INT(x->nnets, y->nnets);
        for (size_t k = 0; k < x->nnets && k < y->nnets; k++) {
            CHECK_STR(x->nets[k].name, y->nets[k].name);
            CHECK_INT(x->nets[k].ncodes, y->nets[k].ncodes);
            for (size_t j = 0; j < x->nets[k].ncodes && j < y->nets[k].ncodes; j++)
                CHECK(x->nets[k].codes[j] == y->nets[k].codes[j]);
            CHECK(labels_same(&x->nets[k].labels, &y->nets[k].labels));
        }
        if (h_failed_checks != before)
            fprintf(stderr, "  ^ variable %s\n", x->name);
    }
    CHECK_INT(a->nmr, b->nmr);
    for (size_t i = 0; i < a->nmr && i < b->nmr; i++) {
        const sd_mrset *x = a->mr[i], *y = b->mr[i];
        CHECK_STR(x->name, y->name);
        CHECK(x->kind == y->kind);
        CHECK(x->counted == y->counted);
        CHECK(labels_same(&x->label, &y->label));
        CHECK(labels_same(&x->note, &y->note));
        CHECK_INT(x->nvars, y->nvars);
        for (size_t k = 0; k < x->nvars && k < y->nvars; k++)
            CHECK_INT(x->vars[k], y->vars[k]);
    }
    const sd_designspec *p = &a->design, *q = &b->design;
    CHECK(p->declared == q->declared);
    CHECK(str_same(p->weight, q->weight));
    CHECK(str_same(p->strata, q->strata));
    CHECK(list_same(p->cluster, p->ncluster, q->cluster, q->ncluster));
    CHECK(list_same(p->fpc, p->nfpc, q->fpc, q->nfpc));
    CHECK(list_same(p->repweights, p->nrepweights, q->repweights, q->nrepweights));
    CHECK(p->nest == q->nest && p->mse == q->mse);
    CHECK(p->has_lonely == q->has_lonely && p->lonely == q->lonely);
    CHECK(p->reptype == q->reptype && p->repregex == q->repregex);
    CHECK(p->has_rho == q->has_rho && (!p->has_rho || p->rho == q->rho));
    CHECK(p->has_scale == q->has_scale && (!p->has_scale || p->scale == q->scale));
    CHECK_INT(p->nrscales, q->nrscales);
    for (size_t k = 0; k < p->nrscales && k < q->nrscales; k++)
        CHECK(p->rscales[k] == q->rscales[k]);
}

/* Apply `yaml` (plus a few things only the builders can set), write, read
 * the text back onto a fresh dataset, and compare every field; writing the
 * second dataset must give the same bytes. */
static void round_trip(const char *yaml, bool extra)
{
    sd_dataset *a = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(a, yaml, err) == SD_OK);
    if (extra) {
        /* Untagged and tagged labels together, as a .sav plus a codebook
         * give; awkward strings and numbers. */
        sd_var *role = var_of(a, "role");
        CHECK(sd__labels_set(&role->label, NULL, "Role (from the .sav)"));
        CHECK(sd__var_set_vlabel_num(role, 0.1, NULL, "a tenth"));
        CHECK(sd__var_set_vlabel_num(role, 1e-300, "de", "winzig"));
        CHECK(sd__var_set_vlabel_num(role, -2.5e15, NULL, "  spaces around  "));
        CHECK(sd__var_add_missing_code(role, 123456789.125));
        sd_var *city = var_of(a, "city");
        static const char *const odd[] = {
            "yes",       "No",  "null", "1e3",   "-",      "#x",   "a: b", "[x]",  "'q'",  "\"dq\"",
            "tab\there", "ünï", "",     " lead", "trail ", "%pct", "@at",  "&amp", "*star"};
        for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
            CHECK(sd__var_set_vlabel_str(city, odd[i], "fr", odd[i]));
            CHECK(sd__var_add_missing_str(city, odd[i]));
        }
        CHECK(sd__labels_set(&city->note, "en", "line one\nline two\r\n\x7f end"));
        CHECK(sd__labels_set(&a->title, "no", "Norsk tittel")); /* "no" is a YAML 1.1 boolean */
        a->vars[1]->width = 12;
        a->vars[1]->decimals = 3;
    }
    size_t n1, n2;
    char *text1 = write_mem(a, &n1);
    sd_dataset *b = make_ds();
    sd_status st = load(b, text1 ? text1 : "", err);
    if (st != SD_OK)
        fprintf(stderr, "  read back: %ld:%ld %s\n%s", sd_error_line(err), sd_error_column(err),
                sd_error_message(err), text1);
    CHECK(st == SD_OK);
    compare_ds(a, b);
    char *text2 = write_mem(b, &n2);
    CHECK(text1 && text2 && n1 == n2 && memcmp(text1, text2, n1) == 0);
    free(text1);
    free(text2);
    sd_error_free(err);
    sd_dataset_free(a);
    sd_dataset_free(b);
}

static void test_round_trip(void)
{
    round_trip(FULL, false);
    round_trip(FULL, true);
    round_trip("design: {repweights: \"^rw[0-9]+$\", reptype: bootstrap}\n", false);
    round_trip("design: {}\n", false);
    round_trip("design: {repweights: \"^(rw|repw)_?[[:digit:]]{1,3}[]a-z]*$\"}\n", false);
    round_trip("", false);
}

static void test_write_deterministic(void)
{
    sd_dataset *a = make_ds(), *b = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(a, FULL, err) == SD_OK);
    CHECK(load(b, FULL, err) == SD_OK);
    size_t n1, n2;
    char *t1 = write_mem(a, &n1), *t2 = write_mem(b, &n2);
    CHECK(t1 && t2 && n1 == n2 && memcmp(t1, t2, n1) == 0);
    /* UTF-8 is kept as is, not escaped. */
    CHECK(t1 && strstr(t1, "Négatif") && strstr(t1, "Âge"));
    free(t1);
    free(t2);
    sd_error_free(err);
    sd_dataset_free(a);
    sd_dataset_free(b);
}

/* Nouns: read onto value labels given here or earlier, written back. */
static void test_nouns(void)
{
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    const char *cb = "variables:\n"
                     "  - name: role\n"
                     "    values: {1: {fr: DSI, en: CIO}, 2: Marketeuse}\n"
                     "    nouns:\n"
                     "      1: {fr: \"DSI|DSI\", en: \"CIO|CIOs\"}\n"
                     "      2: {fr: \"marketeuse|marketeuses|f\"}\n"
                     "  - name: city\n"
                     "    values: {Paris: Paris}\n"
                     "    nouns: {Paris: \"Parisien|Parisiens|m\"}\n";
    CHECK(load(ds, cb, err) == SD_OK);
    sd_var *v = var_of(ds, "role");
    long k = v ? sd__var_find_vlabel_num(v, 2) : -1;
    CHECK(k >= 0);
    if (k >= 0)
        CHECK_STR(sd__labels_get_exact(&v->vl[k].nouns, "fr"), "marketeuse|marketeuses|f");
    /* Nouns for a code labelled by the data (an earlier codebook). */
    CHECK(load(ds, "variables: [{name: role, nouns: {1: \"chef|chefs\"}}]\n", err) == SD_OK);
    k = v ? sd__var_find_vlabel_num(v, 1) : -1;
    if (k >= 0) {
        CHECK_STR(sd__labels_get_exact(&v->vl[k].nouns, NULL), "chef|chefs");
        CHECK_STR(sd__labels_get_exact(&v->vl[k].nouns, "en"), "CIO|CIOs");
    }
    char *out = write_mem(ds, NULL);
    CHECK(out && strstr(out, "  nouns:\n    1: {fr: DSI|DSI, en: CIO|CIOs, _: chef|chefs}\n"
                             "    2: {fr: marketeuse|marketeuses|f}\n"));
    CHECK(out && strstr(out, "  nouns:\n    Paris: Parisien|Parisiens|m\n"));
    if (h_failed_checks)
        fprintf(stderr, "----\n%s----\n", out ? out : "(null)");
    /* What was written reads back to the same text. */
    sd_dataset *b = make_ds();
    CHECK(out && load(b, out, err) == SD_OK);
    char *again = write_mem(b, NULL);
    CHECK(out && again && strcmp(out, again) == 0);
    free(again);
    free(out);
    sd_dataset_free(b);
    sd_error_free(err);
    sd_dataset_free(ds);
}

/* The public entry point reads the same text. */
static void test_public_apply(void)
{
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    CHECK(sd_dataset_apply_codebook_mem(ds, FULL, strlen(FULL), "mem.yaml", err) == SD_OK);
    CHECK_STR(sd_var_label(sd_dataset_find(ds, "role"), "en"), "Role");
    CHECK(sd_dataset_apply_codebook_mem(ds, "variables: [{name: zz}]\n", 24, "mem.yaml", err) ==
          SD_E_CONFLICT);
    CHECK_STR(sd_error_file(err), "mem.yaml");
    CHECK_INT(sd_error_line(err), 1);
    CHECK_INT(sd_error_column(err), 13);
    sd_error_free(err);
    sd_dataset_free(ds);
}

/* Numbers are read and written with '.' whatever LC_NUMERIC says. */
static void test_locale(void)
{
    if (!setlocale(LC_ALL, "fr_FR.UTF-8")) {
        fprintf(stderr, "  fr_FR.UTF-8 not installed: checked under C only\n");
        return;
    }
    sd_dataset *ds = make_ds();
    sd_error *err = sd_error_new();
    CHECK(load(ds, "variables: [{name: role, values: {0.5: half}, missing: [2.25]}]\n"
                   "design: {rho: 0.125, rscales: [0.5, 1.5], repweights: [rw1, rw2]}\n",
               err) == SD_OK);
    CHECK(sd_var_value_code(sd_dataset_find(ds, "role"), 0) == 0.5);
    char *out = write_mem(ds, NULL);
    CHECK(out && strstr(out, "    0.5: half\n") && strstr(out, "  missing: [2.25]\n") &&
          strstr(out, "  rho: 0.125\n") && strstr(out, "  rscales: [0.5, 1.5]\n"));
    free(out);
    setlocale(LC_ALL, "C");
    sd_error_free(err);
    sd_dataset_free(ds);
}

/* The example in docs/codebook.md parses (tests run from the repo root). */
static void test_doc_example(void)
{
    char *text;
    size_t len;
    sd_error *err = sd_error_new();
    CHECK(sd__read_file("docs/codebook.md", &text, &len, err) == SD_OK);
    if (sd_error_status(err) != SD_OK) {
        sd_error_free(err);
        return;
    }
    const char *start = strstr(text, "```yaml\n");
    const char *end = start ? strstr(start + 8, "\n```") : NULL;
    CHECK(start && end);
    if (start && end) {
        sd_codebook *cb = NULL;
        sd_status st = sd__codebook_parse(start + 8, (size_t)(end + 1 - (start + 8)),
                                          "docs/codebook.md", &cb, err);
        if (st != SD_OK)
            fprintf(stderr, "  %ld:%ld %s\n", sd_error_line(err), sd_error_column(err),
                    sd_error_message(err));
        CHECK(st == SD_OK);
        sd_type t;
        CHECK(cb && sd__codebook_var_type(cb, "city", &t) == 1 && t == SD_TYPE_STRING);
        sd__codebook_free(cb);
    }
    sd__free(text);
    sd_error_free(err);
}

int main(void)
{
    RUN(test_apply_full);
    RUN(test_var_type);
    RUN(test_language_fallback);
    RUN(test_empty_and_forms);
    RUN(test_errors);
    RUN(test_caps);
    RUN(test_write_exact);
    RUN(test_round_trip);
    RUN(test_nouns);
    RUN(test_write_deterministic);
    RUN(test_public_apply);
    RUN(test_doc_example);
    RUN(test_locale);
    DONE();
}
