/*
 * test_questionnaire.c — the questionnaire parser (every kind, defaults,
 * variables in order, the errors with their exact message, line and
 * column), conditions (grammar, scope, evaluation with unanswered
 * variables), the codebook it makes (read back by the codebook reader),
 * --quota overrides, navigation, option order with anchors, the form-body
 * parser and page validation (codes, ranges, decimals, lengths, exclusive
 * options, required questions, tampered values), answers' encoding.
 */
#include "harness.h"
#include "field/field.h"
#include "io/io.h"

static const char base[] =
    "sondage_questionnaire: 1\n"
    "languages: [fr, en]\n"
    "title: {fr: Titre, en: Title}\n"
    "quotas: {role: {1: 10, 2: 3}}\n"
    "pages:\n"
    "  - name: p1\n"
    "    questions:\n"
    "      - name: role\n"
    "        type: single\n"
    "        text: {fr: Fonction, en: Role}\n"
    "        options:\n"
    "          - {code: 1, label: {fr: DSI, en: CIO}}\n"
    "          - {code: 2, label: {fr: Marketeur, en: Marketer}}\n"
    "  - name: p2\n"
    "    show_if: role == 2\n"
    "    questions:\n"
    "      - name: seg\n"
    "        type: yesno\n"
    "        text: Agence ?\n"
    "        options: [{code: 9, label: {fr: NSP, en: DK}}]\n"
    "        missing: [9]\n"
    "  - name: p3\n"
    "    questions:\n"
    "      - name: acts\n"
    "        type: multiple\n"
    "        randomize: true\n"
    "        text: {fr: Actions, en: Actions}\n"
    "        options:\n"
    "          - {name: a1, label: A1}\n"
    "          - {name: a2, label: A2, show_if: 'seg == 1'}\n"
    "          - {name: a3, label: A3}\n"
    "          - {name: a_none, label: Aucune, exclusive: true}\n"
    "      - name: g\n"
    "        type: grid\n"
    "        required: false\n"
    "        text: Note…\n"
    "        items: [{name: g1, label: un}, {name: g2, label: deux}]\n"
    "        options: [{code: 1, label: bon}, {code: 2, label: mauvais}]\n"
    "      - name: n\n"
    "        type: numeric\n"
    "        min: 1\n"
    "        max: 100000\n"
    "        decimals: 1\n"
    "        text: Nombre\n"
    "  - name: p4\n"
    "    questions:\n"
    "      - name: t\n"
    "        type: text\n"
    "        required: no\n"
    "        max_length: 5\n"
    "        show_if: answered(n) and not (role in [1])\n"
    "        text: Texte\n";

static sd__questionnaire *parse(const char *y, sd_error *err)
{
    sd__questionnaire *q = NULL;
    sd_error_clear(err);
    if (sd__questionnaire_parse(y, strlen(y), "q.yml", &q, err) != SD_OK)
        return NULL;
    return q;
}

static void test_parse_base(void)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = parse(base, err);
    CHECK(q != NULL);
    if (!q) {
        fprintf(stderr, "  %s\n", sd_error_message(err));
        sd_error_free(err);
        return;
    }
    CHECK_INT(q->nlangs, 2);
    CHECK_STR(q->langs[0], "fr");
    CHECK_INT(q->npages, 4);
    CHECK_INT(q->nq, 6);
    static const char *const names[] = {"role", "seg", "a1", "a2", "a3", "a_none",
                                        "g1", "g2", "n", "t"};
    CHECK_INT(q->nvars, 10);
    for (size_t i = 0; i < q->nvars && i < 10; i++)
        CHECK_STR(q->vars[i].name, names[i]);
    CHECK(q->vars[9].type == SD_TYPE_STRING);
    const sd__question *seg = &q->qs[1];
    CHECK(seg->kind == SD_Q_YESNO);
    CHECK_INT(seg->nopts, 3);
    CHECK(seg->opts[0].code == 1 && seg->opts[1].code == 2 && seg->opts[2].code == 9);
    CHECK_STR(sd__labels_get(&seg->opts[0].label, "fr"), "Oui");
    CHECK_STR(sd__labels_get(&seg->opts[1].label, "en"), "No");
    CHECK(seg->required);
    CHECK_INT(seg->nmissing, 1);
    /* exclusive options of a shuffled question are anchored */
    CHECK(q->qs[2].opts[3].exclusive && q->qs[2].opts[3].anchor);
    CHECK(!q->qs[2].opts[0].anchor);
    CHECK(!q->qs[3].required);
    CHECK(q->qs[3].measure == SD_MEASURE_ORDINAL);
    CHECK(q->qs[4].has_min && q->qs[4].min == 1 && q->qs[4].max == 100000);
    CHECK_INT(q->qs[4].decimals, 1);
    CHECK_INT(q->qs[5].max_length, 5);
    CHECK(!q->qs[5].required);
    CHECK_INT(q->nquotas, 1);
    CHECK_INT(q->quotas[0].ncells, 2);
    CHECK_INT(q->quotas[0].cells[1].limit, 3);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

/* Replace the first occurrence of `from` in base by `to`. */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(base, from);
    if (!at)
        return NULL;
    size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    return s;
}

typedef struct bad {
    const char *from, *to;
    sd_status st;
    long line, col;
    const char *msg;
} bad;

static void test_errors(void)
{
    static const bad cases[] = {
        {"languages: [fr, en]", "languages: [fr, de]", SD_E_INVALID, 2, 17,
         "a language must be fr or en, not 'de'"},
        {"title: {fr: Titre, en: Title}", "title: {fr: Titre}", SD_E_INVALID, 3, 8,
         "title has no text in 'en'"},
        {"title: {fr: Titre, en: Title}", "title: {fr: Titre, en: Title, de: Titel}",
         SD_E_INVALID, 3, 8, "language 'de' (in title) is not in the questionnaire's languages"},
        {"        type: single\n", "        type: radio\n", SD_E_INVALID, 9, 15,
         "type must be single, yesno, multiple, grid, numeric or text, not 'radio'"},
        {"          - {code: 2, label: {fr: Marketeur", "          - {code: 1, label: {fr: Marketeur",
         SD_E_INVALID, 13, 20, "code 1 is used twice in 'role'"},
        {"      - name: seg\n", "      - name: role\n", SD_E_INVALID, 17, 15,
         "the name 'role' is used twice"},
        {"      - name: seg\n", "      - name: id\n", SD_E_INVALID, 17, 15,
         "'id' is the respondent's number, kept by the store: choose another name"},
        {"    show_if: role == 2\n", "    show_if: seg == 2\n", SD_E_INVALID, 15, 14,
         "condition 'seg == 2': 'seg' is not asked on an earlier page (a condition can only use "
         "answers already given)"},
        {"    show_if: role == 2\n", "    show_if: role = 2\n", SD_E_PARSE, 15, 19,
         "condition 'role = 2': expected ==, !=, <, <=, >, >= or 'in' after 'role'"},
        {"    show_if: role == 2\n", "    show_if: (role == 2\n", SD_E_PARSE, 15, 24,
         "condition '(role == 2': expected ')'"},
        {"answered(n) and not", "answered(t) and not", SD_E_INVALID, 51, 27,
         "condition 'answered(t) and not (role in [1])': 't' is not asked on an earlier page (a "
         "condition can only use answers already given)"},
        {"        missing: [9]\n", "        missing: [8]\n", SD_E_INVALID, 21, 19,
         "missing code 8 is not one of the options of 'seg'"},
        {"        min: 1\n", "        min: 1\n        max_length: 3\n", SD_E_INVALID, 42, 21,
         "max_length is only for text questions"},
        {"        decimals: 1\n", "        decimals: 7\n", SD_E_INVALID, 43, 19,
         "decimals must be a whole number from 0 to 6, not '7'"},
        {"        min: 1\n", "        min: 200000\n", SD_E_INVALID, 41, 14,
         "min is greater than max in 'n'"},
        {"quotas: {role: {1: 10, 2: 3}}", "quotas: {role: {1: 10, 5: 3}}", SD_E_INVALID, 4, 24,
         "quota on 'role': code 5 is not one of its options"},
        {"quotas: {role: {1: 10, 2: 3}}", "quotas: {n: {1: 10}}", SD_E_INVALID, 4, 10,
         "quota on 'n': quotas are on single-choice or yes/no questions"},
        {"          - {name: a1, label: A1}\n", "          - {code: 1, label: A1}\n",
         SD_E_INVALID, 29, 20,
         "option of 'acts' has a code, not a name (each is its own variable)"},
        {"sondage_questionnaire: 1", "sondage_questionnaire: 2", SD_E_UNSUPPORTED, 1, 24,
         "sondage_questionnaire must be 1 (the only version)"},
        {"        text: Nombre\n", "        text: Nombre\n        colour: red\n", SD_E_PARSE, 45,
         9,
         "unknown key 'colour' in question #5; expected one of: name, type, text, help, note, "
         "required, show_if, wording, options, items, randomize, display, missing, measure, "
         "min, max, decimals, max_length, nets"},
    };
    sd_error *err = sd_error_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *y = variant(cases[i].from, cases[i].to);
        CHECK(y != NULL);
        if (!y)
            continue;
        sd__questionnaire *q = parse(y, err);
        CHECK(q == NULL);
        sd__questionnaire_free(q);
        if (sd_error_status(err) != cases[i].st || sd_error_line(err) != cases[i].line ||
            sd_error_column(err) != cases[i].col ||
            strcmp(sd_error_message(err), cases[i].msg) != 0) {
            fprintf(stderr, "  case %zu: %d %ld:%ld %s\n", i, sd_error_status(err),
                    sd_error_line(err), sd_error_column(err), sd_error_message(err));
            h_failed_checks++;
        }
        CHECK_STR(sd_error_file(err), "q.yml");
        free(y);
    }
    /* Shapes of the whole document */
    static const struct {
        const char *y, *msg;
    } docs[] = {
        {"", "expected a mapping at the top level (sondage_questionnaire, title, languages, "
             "pages, quotas…), not an empty document"},
        {"title: T\n", "the questionnaire has no pages"},
        {"title: T\npages: []\n", "the questionnaire has no pages"},
        {"title: T\npages:\n  - name: p\n    questions: []\n", "page 'p' has no questions"},
        {"title: T\npages:\n  - name: p\n    questions:\n      - {name: a, type: single, text: "
         "A, options: [{code: 1, label: x}]}\n",
         "question 'a' needs at least 2 options"},
        {"title: T\npages:\n  - name: p\n    questions:\n      - {name: a, type: grid, text: A, "
         "options: [{code: 1, label: x}, {code: 2, label: y}]}\n",
         "grid 'a' has no items"},
        {"title: T\na: [\n", "invalid YAML: did not find expected node content (while parsing "
                             "a flow node at line 3, column 1)"},
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        sd__questionnaire *q = parse(docs[i].y, err);
        CHECK(q == NULL);
        sd__questionnaire_free(q);
        if (strcmp(sd_error_message(err), docs[i].msg) != 0) {
            fprintf(stderr, "  doc %zu: %s\n", i, sd_error_message(err));
            h_failed_checks++;
        }
    }
    sd_error_free(err);
}

static void test_quota_override(void)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = parse(base, err);
    CHECK(q && sd__questionnaire_set_quota(q, "role=1:5,2:0", err) == SD_OK);
    if (q) {
        CHECK_INT(q->quotas[0].ncells, 2);
        CHECK_INT(q->quotas[0].cells[0].limit, 5);
        CHECK_INT(q->quotas[0].cells[1].limit, 0);
        CHECK(sd__questionnaire_set_quota(q, "seg=1:7;role=2:4", err) == SD_OK);
        CHECK_INT(q->nquotas, 2);
        CHECK_INT(q->quotas[0].ncells, 1);
        CHECK_INT(q->quotas[1].cells[0].limit, 7);
        static const struct {
            const char *spec, *msg;
        } bads[] = {
            {"role", "--quota: expected VARIABLE=CODE:COUNT,CODE:COUNT (e.g. role=1:2400,2:400), "
                     "not 'role'"},
            {"nope=1:2", "quota on 'nope': no question of that name"},
            {"role=3:2", "--quota: code 3 is not one of the options of 'role'"},
            {"role=1:x", "--quota: expected CODE:COUNT (a code and a whole number), not '1:x'"},
            {"role=1:2,1:3", "--quota: code 1 is given twice"},
            {"t=1:1", "quota on 't': quotas are on single-choice or yes/no questions"},
        };
        for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
            sd_error_clear(err);
            CHECK(sd__questionnaire_set_quota(q, bads[i].spec, err) != SD_OK);
            CHECK_STR(sd_error_message(err), bads[i].msg);
        }
    }
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static void test_conditions(void)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = parse(base, err);
    CHECK(q != NULL);
    if (!q) {
        sd_error_free(err);
        return;
    }
    sd__cond_scope scope = {.q = q, .before_page = 3};
    sd__answers a;
    CHECK(sd__answers_init(&a, q->nvars));
    static const struct {
        const char *src;
        int unanswered, role2_seg1;
    } cases[] = {
        {"role == 2", 0, 1},
        {"role != 2", 0, 0}, /* unanswered: false, like == */
        {"not role == 2", 1, 0},
        {"role in [1, 2] and seg >= 1", 0, 1},
        {"role < 2 or seg > 1", 0, 0},
        {"answered(role)", 0, 1},
        {"not (answered(seg) or role <= 1)", 1, 0},
        {"role == 2 and (seg == 9 or seg == 1) and not role == 1", 0, 1},
        {"role == 2.0", 0, 1},
        {"a1 == 1", 0, 0}, /* option variables of earlier pages; none here */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sd__cond *c = NULL;
        scope.before_page = strstr(cases[i].src, "a1") ? 3 : 2;
        if (strstr(cases[i].src, "a1")) {
            /* a1 is asked on page 3: only conditions of later pages use it */
            CHECK(sd__cond_compile(cases[i].src, strlen(cases[i].src), &scope, "q.yml", 1, 1, &c,
                                   err) == SD_OK);
        } else {
            CHECK(sd__cond_compile(cases[i].src, strlen(cases[i].src), &scope, "q.yml", 1, 1, &c,
                                   err) == SD_OK);
        }
        if (!c) {
            fprintf(stderr, "  %s: %s\n", cases[i].src, sd_error_message(err));
            continue;
        }
        sd__answers_clear(&a, 0);
        sd__answers_clear(&a, 1);
        if (sd__cond_eval(c, &a) != cases[i].unanswered) {
            fprintf(stderr, "  %s unanswered\n", cases[i].src);
            h_failed_checks++;
        }
        sd__answers_set_num(&a, 0, 2);
        sd__answers_set_num(&a, 1, 1);
        if (sd__cond_eval(c, &a) != cases[i].role2_seg1) {
            fprintf(stderr, "  %s role=2 seg=1\n", cases[i].src);
            h_failed_checks++;
        }
        sd__cond_free(c);
    }
    /* text variables: only answered() */
    sd__cond *c = NULL;
    scope.before_page = 3;
    sd_error_clear(err);
    CHECK(sd__cond_compile("t == 1", 6, &scope, "q.yml", 4, 10, &c, err) != SD_OK);
    scope.before_page = 100;
    q->qs[5].page = 0; /* pretend t is asked earlier */
    sd_error_clear(err);
    CHECK(sd__cond_compile("t == 1", 6, &scope, "q.yml", 4, 10, &c, err) == SD_E_TYPE);
    CHECK_STR(sd_error_message(err),
              "condition 't == 1': 't' is an open text: only answered(t) can use it");
    CHECK_INT(sd_error_column(err), 10);
    sd_error_clear(err);
    char deep[200];
    memset(deep, '(', 40);
    snprintf(deep + 40, sizeof deep - 40, "role == 1");
    CHECK(sd__cond_compile(deep, strlen(deep), &scope, "q.yml", 1, 1, &c, err) == SD_E_TOO_LARGE);
    q->qs[5].page = 2;
    sd__answers_free(&a);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static void test_codebook(void)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = parse(base, err);
    char *yaml = NULL;
    size_t len = 0;
    CHECK(q && sd__questionnaire_codebook(q, &yaml, &len, err) == SD_OK);
    sd_codebook *cb = NULL;
    CHECK(yaml && sd__codebook_parse(yaml, len, "cb.yaml", &cb, err) == SD_OK);
    sd_dataset *ds = NULL;
    CHECK(q && sd__questionnaire_dataset(q, &ds, err) == SD_OK);
    if (ds) {
        CHECK_INT(ds->nvars, 11);
        CHECK_STR(ds->vars[0]->name, "id");
        CHECK_STR(sd__labels_get(&ds->vars[0]->label, "fr"), "Identifiant du répondant");
        const sd_var *seg = ds->vars[2];
        CHECK_STR(seg->name, "seg");
        CHECK_INT(seg->nvl, 3);
        CHECK_STR(sd_var_value_label(seg, 2, "en"), "DK");
        CHECK(sd__var_is_user_missing_num(seg, 9));
        const sd_var *a1 = ds->vars[3];
        CHECK_STR(sd_var_value_label(a1, 0, "fr"), "Cité");
        CHECK_STR(sd_var_value_label(a1, 1, "en"), "Not selected");
        const sd_var *g1 = ds->vars[7];
        CHECK_STR(sd__labels_get(&g1->label, "fr"), "Note… un");
        CHECK(g1->measure == SD_MEASURE_ORDINAL);
        CHECK(ds->vars[9]->measure == SD_MEASURE_SCALE);
        CHECK_INT(ds->vars[9]->decimals, 1);
        CHECK(ds->vars[10]->type == SD_TYPE_STRING);
        CHECK_INT(ds->nmr, 1);
        CHECK_STR(ds->mr[0]->name, "acts");
        CHECK_INT(ds->mr[0]->nvars, 4);
        /* The YAML reads back onto the same variables. */
        CHECK(cb && sd__codebook_apply(cb, ds, err) == SD_OK);
    }
    if (yaml) {
        CHECK(strstr(yaml, "- name: acts\n  kind: dichotomy\n  counted: 1\n") != NULL);
        CHECK(strstr(yaml, "  missing: [9]\n") != NULL);
    }
    sd_dataset_free(ds);
    sd__codebook_free(cb);
    sd__free(yaml);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static void test_navigation(void)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = parse(base, err);
    sd__answers a;
    CHECK(q && sd__answers_init(&a, q->nvars));
    if (!q) {
        sd_error_free(err);
        return;
    }
    CHECK_INT(sd__next_page(q, 0, &a), 0);
    CHECK_INT(sd__next_page(q, 1, &a), 2); /* p2 needs role == 2 */
    sd__answers_set_num(&a, 0, 2);
    CHECK_INT(sd__next_page(q, 1, &a), 1);
    CHECK_INT(sd__prev_page(q, 2, &a), 1);
    size_t pos, total;
    sd__progress(q, 2, &a, &pos, &total);
    CHECK_INT(pos, 2);
    CHECK_INT(total, 4);
    /* Changing role drops seg (its page is hidden now), and a2 (shown when
     * seg == 1). */
    sd__answers_set_num(&a, 1, 1);
    sd__answers_set_num(&a, 3, 1);
    sd__answers eff;
    CHECK(sd__answers_effective(q, &a, &eff));
    CHECK(eff.set[1] && eff.set[3]);
    sd__answers_free(&eff);
    sd__answers_set_num(&a, 0, 1);
    CHECK(sd__answers_effective(q, &a, &eff));
    CHECK(!eff.set[1] && !eff.set[3]);
    sd__answers_free(&eff);
    /* Option order: a permutation, the exclusive option anchored last,
     * the same for a seed, different across seeds (for some seed). */
    size_t o1[4], o2[4];
    bool differs = false;
    for (uint64_t seed = 1; seed < 40; seed++) {
        sd__option_order(&q->qs[2], seed, o1, 4);
        sd__option_order(&q->qs[2], seed, o2, 4);
        CHECK(memcmp(o1, o2, sizeof o1) == 0);
        CHECK_INT(o1[3], 3);
        int seen = 0;
        for (int k = 0; k < 4; k++)
            seen |= 1 << o1[k];
        CHECK_INT(seen, 15);
        differs |= o1[0] != 0;
    }
    CHECK(differs);
    sd__answers_free(&a);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static const sd__form_limits lim = {4096, 32, 64, 256};

static sd_status form(const char *body, sd__form *f, sd_error *err)
{
    sd_error_clear(err);
    return sd__form_parse(body, strlen(body), &lim, f, err);
}

static void test_form(void)
{
    sd_error *err = sd_error_new();
    sd__form f;
    CHECK(form("a=1&b=x+y%26z&&c=&d&e=%C3%A9t%C3%A9", &f, err) == SD_OK);
    CHECK_INT(f.n, 5);
    CHECK_STR(sd__form_get(&f, "b")->value, "x y&z");
    CHECK_STR(sd__form_get(&f, "c")->value, "");
    CHECK_STR(sd__form_get(&f, "d")->value, "");
    CHECK_STR(sd__form_get(&f, "e")->value, "été");
    CHECK(sd__form_get(&f, "zz") == NULL);
    sd__form_free(&f);
    CHECK(form("a=1&a=2", &f, err) == SD_OK);
    CHECK_INT(sd__form_count(&f, "a"), 2);
    sd__form_free(&f);
    CHECK(form("", &f, err) == SD_OK);
    CHECK_INT(f.n, 0);
    sd__form_free(&f);
    static const struct {
        const char *body;
        sd_status st;
        const char *msg;
    } bads[] = {
        {"a=%zz", SD_E_PARSE, "the value of 'a' has a bad %-escape"},
        {"a=%4", SD_E_PARSE, "the value of 'a' has a bad %-escape"},
        {"%=1", SD_E_PARSE, "a form field name has a bad %-escape"},
        {"=1", SD_E_PARSE, "a form field has no name"},
        {"a=%00", SD_E_ENCODING, "the value of 'a' is not valid text"},
        {"a=%FF", SD_E_ENCODING, "the value of 'a' is not valid text"},
        {"a%0A=1", SD_E_ENCODING, "a form field name is not valid text"},
        {"a=%07", SD_E_ENCODING, "the value of 'a' is not valid text"},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        CHECK(form(bads[i].body, &f, err) == bads[i].st);
        CHECK_STR(sd_error_message(err), bads[i].msg);
        CHECK(f.n == 0 && f.f == NULL);
    }
    CHECK(form("a=line%0D%0Anext%09tab", &f, err) == SD_OK);
    sd__form_free(&f);
    /* Limits */
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(form(big, &f, err) == SD_E_TOO_LARGE);
    CHECK_STR(sd_error_message(err), "the form is larger than 4096 bytes");
    char many[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(many, "a=1&"); /* lint: allow */
    CHECK(form(many, &f, err) == SD_E_TOO_LARGE);
    CHECK_STR(sd_error_message(err), "the form has more than 32 fields");
    char longname[100];
    memset(longname, 'n', 70);
    snprintf(longname + 70, 30, "=1");
    CHECK(form(longname, &f, err) == SD_E_TOO_LARGE);
    char longval[400] = "v=";
    memset(longval + 2, 'x', 300);
    longval[302] = '\0';
    CHECK(form(longval, &f, err) == SD_E_TOO_LARGE);
    CHECK_STR(sd_error_message(err), "the value of 'v' is longer than 256 bytes");
    /* Encoding round trip */
    sd_strbuf sb;
    sd__sb_init(&sb, 1024);
    sd__form_append(&sb, "a", "x y&z=é", strlen("x y&z=é"));
    sd__form_append(&sb, "b", "", 0);
    CHECK_STR(sd__sb_str(&sb), "a=x%20y%26z%3D%C3%A9&b=");
    CHECK(form(sd__sb_str(&sb), &f, err) == SD_OK);
    CHECK_STR(sd__form_get(&f, "a")->value, "x y&z=é");
    sd__form_free(&f);
    sd__sb_free(&sb);
    sd_error_free(err);
}

/* Read page `page` of base from a form body, in a language. */
static bool page(sd__questionnaire *q, size_t pg, const char *body, const char *lang,
                 sd__answers *a, sd__page_errors *e)
{
    sd__form f;
    sd_error *err = sd_error_new();
    CHECK(sd__form_parse(body, strlen(body), &lim, &f, err) == SD_OK);
    bool ok = sd__page_read(q, pg, &f, lang, a, e);
    sd__form_free(&f);
    sd_error_free(err);
    return ok;
}

static void test_validation(void)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = parse(base, err);
    sd__answers a;
    sd__page_errors e;
    CHECK(q && sd__answers_init(&a, q->nvars));
    if (!q) {
        sd_error_free(err);
        return;
    }
    CHECK(!page(q, 0, "", "fr", &a, &e));
    CHECK_STR(e.msg[0], "Veuillez choisir une réponse.");
    sd__page_errors_free(&e);
    CHECK(!page(q, 0, "role=3", "en", &a, &e)); /* not an option */
    CHECK_STR(e.msg[0], "This answer is not one of the choices.");
    sd__page_errors_free(&e);
    CHECK(!page(q, 0, "role=1&role=2", "en", &a, &e));
    CHECK_STR(e.msg[0], "This answer is not one of the choices.");
    sd__page_errors_free(&e);
    CHECK(page(q, 0, "role=2&x=ignored", "en", &a, &e));
    CHECK(a.set[0] && a.num[0] == 2);
    sd__page_errors_free(&e);
    CHECK(page(q, 1, "seg=9", "en", &a, &e));
    sd__page_errors_free(&e);
    /* p3: multiple (a2 hidden since seg != 1), grid optional, numeric, text */
    static const struct {
        const char *body, *lang;
        size_t q;
        const char *msg;
    } bads[] = {
        {"n=3", "fr", 2, "Veuillez choisir au moins une réponse."},
        {"a1=1&a_none=1&n=3", "fr",
         2, "«\u00a0Aucune\u00a0» ne peut pas être combinée avec d'autres réponses."},
        {"a1=1&a_none=1&n=3", "en", 2, "\u201cAucune\u201d cannot be combined with other answers."},
        {"a2=1&n=3", "en", 2, "This answer is not one of the choices."},
        {"a1=yes&n=3", "en", 2, "This answer is not one of the choices."},
        {"a1=1&g1=1", "en", 3, "Please answer every line."}, /* g optional: no; n missing */
        {"a1=1", "en", 4, "Please enter a number."},
        {"a1=1&n=0", "en", 4, "Please enter a number from 1 to 100,000."},
        {"a1=1&n=200000", "fr", 4, "Veuillez saisir un nombre de 1 à 100\u202f000."},
        {"a1=1&n=1.25", "en", 4, "Please enter a number with at most 1 decimals."},
        {"a1=1&n=1%2C5", "en", 4, "Please enter a number."},
        {"a1=1&n=1e3", "en", 4, "Please enter a number."},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        sd__answers w;
        CHECK(sd__answers_copy(&w, &a));
        bool ok = page(q, 2, bads[i].body, bads[i].lang, &w, &e);
        if (bads[i].q == 3) {
            /* the grid is optional: only the number is missing */
            CHECK(!ok && e.msg[3] == NULL && e.msg[4] != NULL);
        } else {
            CHECK(!ok);
            if (!e.msg || !e.msg[bads[i].q] || strcmp(e.msg[bads[i].q], bads[i].msg) != 0) {
                fprintf(stderr, "  case %zu: %s\n", i,
                        e.msg && e.msg[bads[i].q] ? e.msg[bads[i].q] : "(none)");
                h_failed_checks++;
            }
        }
        sd__page_errors_free(&e);
        sd__answers_free(&w);
    }
    /* fr accepts a decimal comma and spaces; a whole page that reads */
    CHECK(page(q, 2, "a3=1&n=1+234%2C5&g1=2", "fr", &a, &e));
    sd__page_errors_free(&e);
    /* p4: the text (shown: n answered, role 2), its length in characters */
    CHECK(!page(q, 3, "t=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", "en", &a, &e));
    CHECK_STR(e.msg[5], "Your answer is too long: at most 5 characters.");
    sd__page_errors_free(&e);
    CHECK(page(q, 3, "t=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", "en", &a, &e));
    sd__page_errors_free(&e);
    CHECK(page(q, 3, "t=ab%0D%0Ac", "en", &a, &e));
    sd__page_errors_free(&e);
    CHECK(a.num[8] == 1234.5);
    CHECK(a.set[2] && a.num[2] == 0 && a.set[4] && a.num[4] == 1); /* a1 0, a3 1 */
    CHECK(!a.set[3]);                                               /* a2 not offered */
    CHECK(a.set[6] && a.num[6] == 2 && !a.set[7]);
    CHECK_STR(a.str[9], "ab\nc");
    /* encode / decode */
    sd_strbuf sb;
    sd__sb_init(&sb, 4096);
    sd__answers_encode(q, &a, &sb);
    CHECK_STR(sd__sb_str(&sb), "role=2&seg=9&a1=0&a3=1&a_none=0&g1=2&n=1234.5&t=ab%0Ac");
    sd__answers back;
    CHECK(sd__answers_decode(q, sd__sb_str(&sb), sb.len, &back, err) == SD_OK);
    for (size_t i = 0; i < q->nvars; i++) {
        CHECK(back.set[i] == a.set[i]);
        if (a.set[i] && !a.str[i])
            CHECK(back.num[i] == a.num[i]);
    }
    CHECK_STR(back.str[9], "ab\nc");
    sd__answers_free(&back);
    sd__sb_free(&sb);
    /* effective: the text question shows only when role is not 1 */
    sd__answers eff;
    sd__answers_set_num(&a, 0, 1);
    CHECK(sd__answers_effective(q, &a, &eff));
    CHECK(!eff.set[9] && !eff.set[1]);
    sd__answers_free(&eff);
    sd__answers_free(&a);
    sd__questionnaire_free(q);
    sd_error_free(err);
}

static void test_human_numbers(void)
{
    char b[64];
    sd__human_num(b, sizeof b, 100000, "fr");
    CHECK_STR(b, "100\u202f000");
    sd__human_num(b, sizeof b, 1000, "fr");
    CHECK_STR(b, "1000");
    sd__human_num(b, sizeof b, -1234567.5, "en");
    CHECK_STR(b, "-1,234,567.5");
    sd__human_num(b, sizeof b, 0.25, "fr");
    CHECK_STR(b, "0,25");
    CHECK(sd__secret_eq("abc", 3, "abc", 3));
    CHECK(!sd__secret_eq("abd", 3, "abc", 3));
    CHECK(!sd__secret_eq("ab", 2, "abc", 3));
    CHECK(!sd__secret_eq("abcd", 4, "abc", 3));
    CHECK(!sd__secret_eq("", 0, "", 0));
}

int main(void)
{
    RUN(test_parse_base);
    RUN(test_errors);
    RUN(test_quota_override);
    RUN(test_conditions);
    RUN(test_codebook);
    RUN(test_navigation);
    RUN(test_form);
    RUN(test_validation);
    RUN(test_human_numbers);
    DONE();
}
