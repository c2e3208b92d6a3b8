/*
 * test_prose.c — the findings in words (src/report/findings.c, prose.c,
 * prose_fr.c, prose_en.c; docs/findings.md). Every phrase of
 * /work/shared/study (study.json: natural_frequency_cases_fr,
 * gap_phrases_fr, qualifiers_fr, number_format_notes_fr, tests) is a case:
 * for the published percentage, sondage writes the published phrase or
 * one a careful editor would accept instead, each listed below. The
 * figures are the published ones on the published bases (400 marketers,
 * 2,400 CIOs) with the study's pooled p-values, in a result built by hand;
 * then the bundled study itself, tabulated.
 */
#include "cube/cube.h"
#include "report/prose.h"
#include "harness.h"

#include <locale.h>

#define NBSP "\xC2\xA0"
#define NNBSP "\xE2\x80\xAF"
#define LQ "\xC2\xAB" NBSP
#define RQ NBSP "\xC2\xBB"
#define PCT NNBSP "%"

/* ------------------------------------------------------------ helpers */

/* Does text hold one of the accepted phrases (NULL-ended)? */
static void check_any(const char *text, const char *const *accepted, const char *what)
{
    for (const char *const *a = accepted; *a; a++)
        if (text && strstr(text, *a))
            return;
    fprintf(stderr, "  %s: none of the accepted phrases (first: \"%s\") in:\n  %s\n", what,
            accepted[0], text ? text : "(null)");
    h_failed_checks++;
}

static void check_has(const char *text, const char *s)
{
    if (!text || !strstr(text, s)) {
        fprintf(stderr, "  \"%s\" not in:\n  %s\n", s, text ? text : "(null)");
        h_failed_checks++;
    }
}

static void check_not(const char *text, const char *s)
{
    if (text && strstr(text, s)) {
        fprintf(stderr, "  \"%s\" should not be in:\n  %s\n", s, text);
        h_failed_checks++;
    }
}

static void set2(sd_labels *l, const char *fr, const char *en)
{
    if (fr)
        CHECK(sd__labels_set(l, "fr", fr));
    if (en)
        CHECK(sd__labels_set(l, "en", en));
}

typedef struct fgroup {
    const char *label_fr, *label_en, *noun_fr, *noun_en, *gender;
    double n;
} fgroup;

static const fgroup CIO = {"DSI", "CIO", "DSI|DSI", "CIO|CIOs", "m", 2400};
static const fgroup MKT = {"Marketeur", "Marketer", "marketeur|marketeurs", "marketer|marketers",
                           "m", 400};

typedef struct frow {
    const char *fr, *en;
    sd_cat_type type;
    double pa, pb; /* column 1 (first group), column 2 */
    double p;      /* the pair's p-value; NaN: no pair recorded */
} frow;

static void split_noun(sd_ccat *c, const char *lang, const char *forms, const char *gender)
{
    const char *b = strchr(forms, '|');
    char *one = sd__strndup(forms, (size_t)(b - forms));
    CHECK(sd__labels_set(&c->noun[SD_NOUN_ONE], lang, one));
    CHECK(sd__labels_set(&c->noun[SD_NOUN_OTHER], lang, b + 1));
    CHECK(sd__labels_set(&c->noun[SD_NOUN_GENDER], lang, gender));
    sd__free(one);
}

static void set_cell(sd_ccell *cell, double p, double n)
{
    for (int f = 0; f < SD_FIG_COUNT_; f++)
        cell->fig[f] = NAN;
    cell->fig[SD_FIG_N] = cell->fig[SD_FIG_COUNT] = round(p * n);
    cell->fig[SD_FIG_PCT] = p;
    double se = sqrt(p * (1 - p) / n);
    cell->fig[SD_FIG_SE] = se;
    cell->fig[SD_FIG_DF] = n - 1;
    if (p > 0 && p < 1) { /* the logit interval, sondage's default */
        double l = log(p / (1 - p)), h = 1.959963984540054 * se / (p * (1 - p));
        cell->fig[SD_FIG_CI_LOW] = 1 / (1 + exp(-(l - h)));
        cell->fig[SD_FIG_CI_HIGH] = 1 / (1 + exp(-(l + h)));
    }
}

/* One table: rows by Total, group a, group b, with nouns when `nouns`. */
static sd_result *fake(sd_table_kind kind, const char *qfr, const char *qen, const frow *rows,
                       size_t nr, const fgroup *ga, const fgroup *gb, bool nouns)
{
    sd_result *r = sd__calloc(1, sizeof *r);
    r->source = sd__strdup("fake");
    r->show_tests = true;
    r->letters = 0;
    r->alpha = 0.01;
    r->alpha2 = 0.05;
    r->decimals = -1;
    r->level = 0.95;
    r->ntables = 1;
    r->tables = sd__calloc(1, sizeof *r->tables);
    sd_table *t = &r->tables[0];
    t->number = 1;
    t->kind = kind;
    t->row_var = sd__strdup("q");
    set2(&t->row_label, qfr, qen);
    t->row_set_counted = NAN;
    t->col_var = sd__strdup("role");
    set2(&t->col_label, "Fonction", "Role");
    t->col_depth = 1;
    t->pct = SD_PCT_COL;
    t->show_tests = true;
    t->level = 0.95;
    t->min_base = 30;
    t->nrows = nr;
    t->ncols = 3;
    t->rows = sd__calloc(nr, sizeof *t->rows);
    t->cols = sd__calloc(3, sizeof *t->cols);
    t->cells = sd__calloc(nr * 3, sizeof *t->cells);
    const fgroup *g[3] = {NULL, ga, gb};
    for (size_t j = 0; j < 3; j++) {
        sd_ccat *c = &t->cols[j];
        c->code = j ? (double)j : NAN;
        c->type = j ? SD_CAT_TYPE_CATEGORY : SD_CAT_TYPE_TOTAL;
        c->key = sd__strdup(j ? (j == 1 ? "1" : "2") : "total");
        c->base_n = c->base_w = j ? g[j]->n : ga->n + gb->n;
        if (j) {
            set2(&c->labels, g[j]->label_fr, g[j]->label_en);
            snprintf(c->letter, sizeof c->letter, "%c", (char)('A' + j - 1));
            if (nouns) {
                split_noun(c, "fr", g[j]->noun_fr, g[j]->gender);
                split_noun(c, "en", g[j]->noun_en, "m");
            }
            if (c->base_n < 30)
                c->flags |= SD_CATF_LOW_BASE;
        } else {
            set2(&c->labels, "Ensemble", "Total");
        }
    }
    t->pairs = sd__calloc(nr ? nr : 1, sizeof *t->pairs);
    for (size_t i = 0; i < nr; i++) {
        sd_ccat *c = &t->rows[i];
        c->type = rows[i].type;
        c->code = (double)(i + 1);
        char key[32];
        snprintf(key, sizeof key, "%zu", i + 1);
        c->key = sd__strdup(key);
        set2(&c->labels, rows[i].fr, rows[i].en);
        double pt = (rows[i].pa * ga->n + rows[i].pb * gb->n) / (ga->n + gb->n);
        set_cell(&t->cells[i * 3 + 0], pt, ga->n + gb->n);
        set_cell(&t->cells[i * 3 + 1], rows[i].pa, ga->n);
        set_cell(&t->cells[i * 3 + 2], rows[i].pb, gb->n);
        if (isfinite(rows[i].p)) {
            sd_cpair *q = &t->pairs[t->npairs++];
            q->row = i;
            q->col_a = 1;
            q->col_b = 2;
            q->diff = rows[i].pa - rows[i].pb;
            q->p = q->p_adj = rows[i].p;
            q->method = sd__strdup("pooled");
        }
    }
    return r;
}

/* The finding about `row` of table 0 (the first), or NULL. */
static const sd_finding *about(const sd_findings *f, size_t row, int kind)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].row == row && (kind < 0 || (int)f->v[i].kind == kind))
            return &f->v[i];
    return NULL;
}

static const char *text_of(const sd_findings *f, size_t row, int kind)
{
    const sd_finding *x = about(f, row, kind);
    return x ? x->text : NULL;
}

static void compute(const sd_result *r, const char *lang, sd_findings *f)
{
    memset(f, 0, sizeof *f);
    sd_error *e = sd_error_new();
    CHECK(sd__findings_compute(r, lang, f, e) == SD_OK);
    sd_error_free(e);
}

/* No finding of a result holds the framing words the study says a neutral
 * writer must not use (study.md §4: "ne ... plus que" and "seulement" only
 * for a tested drop, and never evaluative words or the misreadings). */
static void check_neutral(const sd_findings *f)
{
    static const char *const banned[] = {
        "seulement", "ne sont plus", "ne sont que", "plus qu'un", "peinent", "spectaculaire",
        "favorable", "volonté", "enclins", "souhait", "only", "dramatic", "willing", NULL};
    for (size_t i = 0; i < f->n; i++)
        for (const char *const *b = banned; *b; b++)
            check_not(f->v[i].text, *b);
}

/* ---------------------------------------------- the study's tables, by hand */

/* integration: col 1 CIOs, col 2 marketers (published figures, study.json
 * tests: pooled p). */
static const frow INTEGRATION[] = {
    {"Oui", "Yes", SD_CAT_TYPE_CATEGORY, 0.54, 0.73, 1.24e-12},
    {"Non", "No", SD_CAT_TYPE_CATEGORY, 0.42, 0.24, 9.1e-12},
    {"Ne sait pas", "Don't know", SD_CAT_TYPE_CATEGORY, 0.04, 0.03, 0.33},
};
static const char *const Q_INT_FR = "Votre entreprise dispose-t-elle de l'organisation nécessaire "
                                    "pour soutenir une intégration fluide du marketing et de l'IT "
                                    "dans les projets de marketing digital ?";
static const char *const Q_INT_EN = "Does your company have the structure in place to support "
                                    "seamless integration between marketing and IT for digital "
                                    "marketing projects?";

static const frow ACTIONS[] = {
    {"Demander aux équipes IT et marketing de collaborer plus étroitement",
     "Tasking employees in IT and marketing to collaborate more closely", SD_CAT_TYPE_ITEM, 0.47,
     0.68, 7.43e-15},
    {"Recruter des talents aux compétences à la fois techniques et marketing",
     "Bringing in talent with technical and marketing skills", SD_CAT_TYPE_ITEM, 0.44, 0.46,
     0.456},
    {"Faire appel à des agences de marketing digital externes",
     "Using outside digital marketing agencies", SD_CAT_TYPE_ITEM, 0.34, 0.45, 2.09e-5},
};
static const char *const Q_ACT_FR = "Parmi les actions suivantes, lesquelles votre entreprise "
                                    "met-elle en œuvre pour soutenir sa stratégie de marketing "
                                    "digital ? (plusieurs réponses possibles)";
static const char *const Q_ACT_EN = "Which of the following is your company doing to support a "
                                    "digital marketing strategy? (multiple responses permitted)";

static const frow CLOSER[] = {
    {"Beaucoup plus étroitement", "Much more closely", SD_CAT_TYPE_CATEGORY, 0.12, 0.30, 3.5e-21},
    {"Un peu plus étroitement", "Somewhat more closely", SD_CAT_TYPE_CATEGORY, 0.21, 0.25,
     0.0718},
    {"Autant qu'avant", "The same amount", SD_CAT_TYPE_CATEGORY, 0.37, 0.39, 0.444},
    {"Sans objet", "Does not apply", SD_CAT_TYPE_CATEGORY, 0.23, 0.01, 1.76e-24},
    {"Plus proche", "Closer", SD_CAT_TYPE_NET, 0.33, 0.55, 2.26e-17},
    {"Plus éloigné", "Further apart", SD_CAT_TYPE_NET, 0.05, 0.03, 0.0806},
};
static const char *const Q_CLO_FR = "Par rapport à il y a trois ans, dans quelle mesure "
                                    "collaborez-vous étroitement avec les responsables "
                                    "informatiques de votre entreprise ?";
static const char *const Q_CLO_EN = "Compared to three years ago, how closely are you "
                                    "collaborating with technology leaders within your company?";

/* Misreading 1 (study README): 73 % "favorables à l'intégration" was a
 * question about having the structure. Natural frequencies 73 (3/4) and 54
 * (1/2: "un sur 2", "peinent à dépasser la majorité", "a bare majority");
 * gap phrase "La chute est spectaculaire" (significant). */
static void test_integration(void)
{
    sd_result *r = fake(SD_TABLE_VARIABLE, Q_INT_FR, Q_INT_EN, INTEGRATION, 3, &CIO, &MKT, true);
    sd_findings f;
    compute(r, "fr", &f);
    const char *yes = text_of(&f, 0, SD_FIND_GAP);
    check_any(yes, (const char *const[]){"3 marketeurs sur 4 (73" PCT ")",
                                         "près de 3 marketeurs sur 4 (73" PCT ")", NULL},
              "73 % of marketers");
    check_any(yes, (const char *const[]){"contre plus de la moitié des DSI (54" PCT ")",
                                         "contre une majorité des DSI (54" PCT ")",
                                         "contre un peu plus d'un DSI sur 2 (54" PCT ")", NULL},
              "54 % of CIOs");
    check_not(yes, " un DSI sur 2 (54"); /* study.md §4: not a bare one in two */
    check_has(yes, "l'écart est significatif (p < 0,001");
    /* What was asked: the structure, from the question's wording. */
    check_has(yes, "À la question " LQ "Votre entreprise dispose-t-elle de l'organisation "
                   "nécessaire");
    check_has(yes, "répondent " LQ "Oui" RQ);
    check_has(yes, "400 marketeurs et 2" NNBSP "400 DSI interrogés");
    CHECK(about(&f, 0, SD_FIND_GAP) && about(&f, 0, SD_FIND_GAP)->col_a == 2 &&
          about(&f, 0, SD_FIND_GAP)->col_b == 1);
    CHECK_NEAR(about(&f, 0, -1)->p, 1.24e-12, 1e-12);
    /* 42 % vs 24 % "No" (confirmed figures): a gap, the CIOs first. */
    const char *no = text_of(&f, 1, SD_FIND_GAP);
    check_any(no, (const char *const[]){"plus de 2 DSI sur 5 (42" PCT ")",
                                        "2 DSI sur 5 (42" PCT ")", NULL},
              "42 % of CIOs");
    check_any(no, (const char *const[]){"contre un quart des marketeurs (24" PCT ")",
                                        "contre près d'un quart des marketeurs (24" PCT ")", NULL},
              "24 % of marketers");
    /* 3 % vs 4 % don't know: no gap, percentages only. */
    const char *dk = text_of(&f, 2, SD_FIND_NO_GAP);
    check_has(dk, "4" PCT " des DSI et 3" PCT " des marketeurs répondent " LQ "Ne sait pas" RQ);
    check_has(dk, "ne diffèrent pas significativement (p = 0,330");
    check_neutral(&f);
    sd__findings_free(&f);

    compute(r, "en", &f);
    yes = text_of(&f, 0, SD_FIND_GAP);
    check_any(yes, (const char *const[]){"three in four marketers (73%)",
                                         "nearly three in four marketers (73%)", NULL},
              "en 73 %");
    check_any(yes, (const char *const[]){"whereas more than half of CIOs (54%)",
                                         "whereas a majority of CIOs (54%)",
                                         "whereas a bare majority of CIOs (54%)", NULL},
              "en 54 %");
    check_has(yes, "Asked “Does your company have the structure in place");
    check_has(yes, "the gap is significant (p < 0.001; 400 marketers and 2,400 CIOs asked)");
    check_not(yes, "favourable");
    check_neutral(&f);
    sd__findings_free(&f);
    sd_result_free(r);
}

/* Misreading 2: 68/47, 46/44 and ~45/34 are items of one "select all that
 * apply" question. Natural frequencies 68 (7/10, "nearly seven in 10"), 47
 * ("moins d'un sur 2", "le chiffre chute à"), 46 and 44 ("ne ... plus
 * que": not a tested gap), ~45 ("près de 1 marketeur sur 2"), 34
 * ("contre seulement 34 %"). */
static void test_actions(void)
{
    sd_result *r = fake(SD_TABLE_DICHOTOMY_SET, Q_ACT_FR, Q_ACT_EN, ACTIONS, 3, &CIO, &MKT, true);
    sd_findings f;
    compute(r, "fr", &f);
    const char *collab = text_of(&f, 0, SD_FIND_GAP);
    check_any(collab, (const char *const[]){"7 marketeurs sur 10 (68" PCT ")",
                                            "près de 7 marketeurs sur 10 (68" PCT ")",
                                            "deux tiers des marketeurs (68" PCT ")", NULL},
              "68 %");
    check_any(collab, (const char *const[]){"contre près de la moitié des DSI (47" PCT ")",
                                            "contre moins de la moitié des DSI (47" PCT ")",
                                            "contre moins d'un DSI sur 2 (47" PCT ")", NULL},
              "47 %");
    /* Items of the question, not opinions: "citent" the item, asked the
     * set's question. */
    check_has(collab, "À la question " LQ "Parmi les actions suivantes, lesquelles votre "
                      "entreprise met-elle en œuvre");
    check_has(collab, "citent " LQ "Demander aux équipes IT et marketing de collaborer plus "
                      "étroitement" RQ);
    /* 46 vs 44: the first non-gap. */
    const sd_finding *hy = about(&f, 1, SD_FIND_NO_GAP);
    CHECK(hy != NULL && about(&f, 1, SD_FIND_GAP) == NULL);
    check_any(hy ? hy->text : NULL,
              (const char *const[]){"44" PCT " des DSI et 46" PCT " des marketeurs",
                                    "46" PCT " des marketeurs et 44" PCT " des DSI", NULL},
              "46/44");
    check_has(hy ? hy->text : NULL, "les deux groupes ne diffèrent pas significativement "
                                    "(p = 0,456");
    check_not(hy ? hy->text : NULL, "contre");
    check_not(hy ? hy->text : NULL, "écart est significatif");
    const char *ag = text_of(&f, 2, SD_FIND_GAP);
    check_any(ag, (const char *const[]){"près de la moitié des marketeurs (45" PCT ")",
                                        "près d'un marketeur sur 2 (45" PCT ")", NULL},
              "~45 %");
    check_any(ag, (const char *const[]){"contre un tiers des DSI (34" PCT ")",
                                        "contre 34" PCT " des DSI", NULL},
              "34 %");
    /* The items ranked, in each group. */
    const sd_finding *rk = NULL;
    for (size_t i = 0; i < f.n; i++)
        if (f.v[i].kind == SD_FIND_RANKING && f.v[i].col_a == 2)
            rk = &f.v[i];
    CHECK(rk != NULL && rk->row == 0);
    check_has(rk ? rk->text : NULL, "Parmi les 400 marketeurs interrogés, les réponses à la "
                                    "question " LQ "Parmi les actions suivantes");
    check_has(rk ? rk->text : NULL, "étroitement" RQ " (68" PCT "), " LQ "Recruter");
    check_has(rk ? rk->text : NULL, "(46" PCT ") et " LQ "Faire appel");
    check_neutral(&f);
    sd__findings_free(&f);

    compute(r, "en", &f);
    collab = text_of(&f, 0, SD_FIND_GAP);
    check_any(collab, (const char *const[]){"seven in ten marketers (68%)",
                                            "nearly seven in ten marketers (68%)",
                                            "two thirds of marketers (68%)", NULL},
              "en 68 %");
    check_any(collab, (const char *const[]){"whereas nearly half of CIOs (47%)",
                                            "whereas 47% of CIOs", NULL},
              "en 47 %");
    check_has(collab, "select “Tasking employees");
    hy = about(&f, 1, SD_FIND_NO_GAP);
    check_has(hy ? hy->text : NULL, "44% of CIOs and 46% of marketers select “Bringing in talent");
    check_has(hy ? hy->text : NULL, "the two groups do not differ significantly (p = 0.456");
    check_neutral(&f);
    sd__findings_free(&f);
    sd_result_free(r);
}

/* closer: 55 ("plus de la moitié", "More than half (55 percent)"; not the
 * lede's bare "1 marketeur sur 2"), 33 ("un tiers seulement", "One-third"),
 * 3 vs 5 ("ils ne sont que 3 %", "5 % d'entre eux", "only 5%"): the
 * second non-gap (pooled p = 0.08). 23 % "Nearly a quarter". */
static void test_closer(void)
{
    sd_result *r = fake(SD_TABLE_VARIABLE, Q_CLO_FR, Q_CLO_EN, CLOSER, 6, &CIO, &MKT, true);
    sd_findings f;
    compute(r, "fr", &f);
    const char *more = text_of(&f, 4, SD_FIND_GAP);
    check_has(more, "plus de la moitié des marketeurs (55" PCT ") répondent " LQ "Plus proche" RQ);
    check_has(more, "contre un tiers des DSI (33" PCT ")");
    check_not(more, "un marketeur sur 2 (55");
    const sd_finding *less = about(&f, 5, SD_FIND_NO_GAP);
    CHECK(less != NULL && about(&f, 5, SD_FIND_GAP) == NULL);
    check_has(less ? less->text : NULL,
              "5" PCT " des DSI et 3" PCT " des marketeurs répondent " LQ "Plus éloigné" RQ);
    check_has(less ? less->text : NULL, "ne diffèrent pas significativement (p = 0,081");
    CHECK(less && fabs(less->p - 0.0806) < 1e-12);
    check_has(text_of(&f, 3, SD_FIND_GAP), "près d'un quart des DSI (23" PCT ")");
    check_has(text_of(&f, 0, SD_FIND_GAP), "près d'un tiers des marketeurs (30" PCT ")");
    check_has(text_of(&f, 1, SD_FIND_NO_GAP), "21" PCT " des DSI et 25" PCT " des marketeurs");
    check_neutral(&f);
    sd__findings_free(&f);

    compute(r, "en", &f);
    check_has(text_of(&f, 4, SD_FIND_GAP), "more than half of marketers (55%) answer “Closer”");
    check_has(text_of(&f, 4, SD_FIND_GAP), "whereas a third of CIOs (33%) do");
    check_has(text_of(&f, 5, SD_FIND_NO_GAP), "5% of CIOs and 3% of marketers answer “Further "
                                               "apart”");
    check_has(text_of(&f, 3, SD_FIND_GAP), "nearly a quarter of CIOs (23%)");
    check_neutral(&f);
    sd__findings_free(&f);
    sd_result_free(r);
}

/* ---------------------------------------------- natural frequencies */

typedef struct nfcase {
    double p, lo, hi;
    sd_nfqual q;
    int frac;
} nfcase;

static void test_natfreq(void)
{
    static const nfcase cases[] = {
        /* bare within 2 points and inside the interval */
        {0.73, 0.684, 0.771, SD_NFQ_BARE, SD_NF_3_4},
        {0.68, 0.632, 0.724, SD_NFQ_BARE, SD_NF_2_3},
        {0.332, 0.314, 0.351, SD_NFQ_BARE, SD_NF_1_3},
        {0.10, 0.074, 0.133, SD_NFQ_BARE, SD_NF_1_10},
        {0.50, 0.45, 0.55, SD_NFQ_BARE, SD_NF_1_2},
        /* "plus de la moitié" only when the whole interval is above 50 % */
        {0.5525, 0.503, 0.601, SD_NFQ_OVER, SD_NF_1_2},
        {0.54, 0.520, 0.560, SD_NFQ_OVER, SD_NF_1_2},
        {0.525, 0.476, 0.573, SD_NFQ_ABOUT, SD_NF_1_2},
        {0.535, 0.486, 0.583, SD_NFQ_PCT, -1},
        {0.55, 0.499, 0.600, SD_NFQ_PCT, -1},
        /* "près de la moitié" just under */
        {0.47, 0.450, 0.490, SD_NFQ_NEARLY, SD_NF_1_2},
        {0.45, 0.402, 0.499, SD_NFQ_NEARLY, SD_NF_1_2},
        {0.485, 0.436, 0.534, SD_NFQ_BARE, SD_NF_1_2},
        {0.495, 0.4905, 0.4995, SD_NFQ_NEARLY, SD_NF_1_2},
        /* over the fraction below, all the interval over it */
        {0.44, 0.420, 0.460, SD_NFQ_OVER, SD_NF_2_5},
        {0.42, 0.4003, 0.4398, SD_NFQ_OVER, SD_NF_2_5},
        {0.86, 0.845, 0.873, SD_NFQ_OVER, SD_NF_4_5},
        {0.121, 0.108, 0.135, SD_NFQ_OVER, SD_NF_1_10},
        /* just under the fraction above */
        {0.232, 0.216, 0.249, SD_NFQ_NEARLY, SD_NF_1_4},
        {0.3025, 0.259, 0.349, SD_NFQ_NEARLY, SD_NF_1_3},
        {0.08, 0.06, 0.11, SD_NFQ_NEARLY, SD_NF_1_10},
        /* wide intervals near the half: only the side */
        {0.63, 0.53, 0.72, SD_NFQ_MAJORITY, SD_NF_1_2},
        {0.65, 0.55, 0.74, SD_NFQ_BARE, SD_NF_2_3}, /* far enough from the half */
        {0.62, 0.49, 0.74, SD_NFQ_BARE, SD_NF_3_5},
        {0.37, 0.26, 0.48, SD_NFQ_UNDER, SD_NF_1_2},
        /* no fraction: small, large, or too far from one */
        {0.05, 0.04, 0.06, SD_NFQ_PCT, -1},
        {0.03, 0.018, 0.055, SD_NFQ_PCT, -1},
        {0.14, 0.126, 0.155, SD_NFQ_PCT, -1},
        {0.97, 0.96, 0.98, SD_NFQ_PCT, -1},
        {0.95, 0.94, 0.96, SD_NFQ_OVER, SD_NF_9_10},
        {NAN, NAN, NAN, SD_NFQ_PCT, -1},
        /* no interval: treated as a point */
        {0.73, NAN, NAN, SD_NFQ_NEARLY, SD_NF_3_4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sd_natfreq nf = sd__natfreq(cases[i].p, cases[i].lo, cases[i].hi);
        if (nf.qual != cases[i].q || nf.frac != cases[i].frac) {
            fprintf(stderr, "  case %zu: p %g [%g, %g]: qual %d frac %d, expected %d %d\n", i,
                    cases[i].p, cases[i].lo, cases[i].hi, nf.qual, nf.frac, cases[i].q,
                    cases[i].frac);
            h_failed_checks++;
        }
    }
}

/* The words of one frequency: with and without the noun, gender, elision. */
static void freq(const char *lang, double p, double lo, double hi, const char *one,
                 const char *other, int gender, bool noun, const char *want, bool want_sing)
{
    const sd_prose_lang *L = sd__prose_lang(lang);
    sd_pgroup g;
    memset(&g, 0, sizeof g);
    g.one = one;
    g.other = other;
    g.gender = gender;
    sd_strbuf sb;
    sd__sb_init(&sb, 1 << 16);
    bool sing = !want_sing;
    sd__prose_freq(&sb, L, sd__natfreq(p, lo, hi), p, -1, &g, noun, &sing);
    CHECK_STR(sd__sb_str(&sb), want);
    CHECK(sing == want_sing);
    sd__sb_free(&sb);
}

static void test_freq_words(void)
{
    freq("fr", 0.73, 0.684, 0.771, "marketeur", "marketeurs", SD_GENDER_M, true,
         "3 marketeurs sur 4 (73" PCT ")", false);
    freq("fr", 0.73, 0.684, 0.771, "marketeur", "marketeurs", SD_GENDER_M, false,
         "3 sur 4 (73" PCT ")", false);
    freq("fr", 0.10, 0.074, 0.133, "DSI", "DSI", SD_GENDER_M, true, "un DSI sur 10 (10" PCT ")",
         true);
    freq("fr", 0.10, 0.074, 0.133, "personne", "personnes", SD_GENDER_F, true,
         "une personne sur 10 (10" PCT ")", true);
    freq("fr", 0.10, 0.074, 0.133, "personne", "personnes", SD_GENDER_F, false,
         "une sur 10 (10" PCT ")", true);
    freq("fr", 0.08, 0.06, 0.11, "personne", "personnes", SD_GENDER_F, true,
         "près d'une personne sur 10 (8" PCT ")", true);
    freq("fr", 0.121, 0.108, 0.135, "DSI", "DSI", SD_GENDER_M, true,
         "plus d'un DSI sur 10 (12" PCT ")", true);
    freq("fr", 0.3025, 0.259, 0.349, "DSI", "DSI", SD_GENDER_M, false, "près d'un tiers (30" PCT ")",
         false);
    freq("fr", 0.5525, 0.503, 0.601, "marketeur", "marketeurs", SD_GENDER_M, true,
         "plus de la moitié des marketeurs (55" PCT ")", false);
    freq("fr", 0.47, 0.45, 0.49, "DSI", "DSI", SD_GENDER_M, true,
         "près de la moitié des DSI (47" PCT ")", false);
    freq("fr", 0.63, 0.53, 0.72, "DSI", "DSI", SD_GENDER_M, true,
         "une majorité des DSI (63" PCT ")", false);
    freq("fr", 0.37, 0.26, 0.48, "DSI", "DSI", SD_GENDER_M, true,
         "moins de la moitié des DSI (37" PCT ")", false);
    freq("fr", 0.05, 0.04, 0.06, "DSI", "DSI", SD_GENDER_M, true, "5" PCT " des DSI", false);
    freq("fr", 0.004, 0.001, 0.01, "DSI", "DSI", SD_GENDER_M, true, "0,4" PCT " des DSI", false);
    freq("en", 0.73, 0.684, 0.771, "marketer", "marketers", SD_GENDER_M, true,
         "three in four marketers (73%)", false);
    freq("en", 0.68, 0.632, 0.724, "marketer", "marketers", SD_GENDER_M, false,
         "two thirds (68%)", false);
    freq("en", 0.332, 0.314, 0.351, "CIO", "CIOs", SD_GENDER_M, true, "a third of CIOs (33%)",
         false);
    freq("en", 0.47, 0.45, 0.49, "CIO", "CIOs", SD_GENDER_M, false, "nearly half (47%)", false);
    freq("en", 0.5525, 0.503, 0.601, "CIO", "CIOs", SD_GENDER_M, false, "more than half (55%)",
         false);
    freq("en", 0.63, 0.53, 0.72, "CIO", "CIOs", SD_GENDER_M, true, "a majority of CIOs (63%)",
         false);
    freq("en", 0.232, 0.216, 0.249, "CIO", "CIOs", SD_GENDER_M, true,
         "nearly a quarter of CIOs (23%)", false);
    freq("en", 0.05, 0.04, 0.06, "CIO", "CIOs", SD_GENDER_M, true, "5% of CIOs", false);
    /* Languages: by prefix, English for the rest. */
    CHECK(sd__prose_lang("fr-CA") == &sd__prose_fr);
    CHECK(sd__prose_lang("fr_FR") == &sd__prose_fr);
    CHECK(sd__prose_lang("de") == &sd__prose_en);
    CHECK(sd__prose_lang("fra") == &sd__prose_en);
    CHECK(sd__prose_lang(NULL) == &sd__prose_en);
}

/* number_format_notes_fr: "73 %" with a narrow no-break space, "2 400"
 * (not "2.400"), a decimal comma; en "73%", "2,400". */
static void test_numbers(void)
{
    char b[64];
    sd__prose_pct(&sd__prose_fr, 0.73, -1, b);
    CHECK_STR(b, "73\xE2\x80\xAF%");
    sd__prose_pct(&sd__prose_en, 0.73, -1, b);
    CHECK_STR(b, "73%");
    sd__prose_pct(&sd__prose_fr, 0.5534, 1, b);
    CHECK_STR(b, "55,3\xE2\x80\xAF%");
    sd__prose_pct(&sd__prose_fr, 0.997, -1, b);
    CHECK_STR(b, "99,7\xE2\x80\xAF%");
    sd__prose_num(&sd__prose_fr, 2400, 0, b);
    CHECK_STR(b, "2\xE2\x80\xAF" "400");
    sd__prose_num(&sd__prose_en, 2400, 0, b);
    CHECK_STR(b, "2,400");
    sd__prose_num(&sd__prose_fr, 1234567.25, 2, b);
    CHECK_STR(b, "1\xE2\x80\xAF" "234\xE2\x80\xAF" "567,25");
    sd__prose_num(&sd__prose_en, -1234.5, 1, b);
    CHECK_STR(b, "-1,234.5");
    sd__prose_num(&sd__prose_en, 400, 0, b);
    CHECK_STR(b, "400");
    /* Templates: slots, choices, unknown slots kept. */
    sd_strbuf sb;
    sd__sb_init(&sb, 1 << 10);
    sd__prose_fill(&sb, "{a} [g:un|une] [n:répond|répondent] {zz}",
                   (const sd_slot[]){{"a", "x"}}, 1, SD_GENDER_F, false);
    CHECK_STR(sd__sb_str(&sb), "x une répondent {zz}");
    sd__sb_free(&sb);
}

/* The numbers of a French report do not depend on LC_NUMERIC. */
static void test_locale(void)
{
    if (!setlocale(LC_ALL, "fr_FR.UTF-8"))
        return;
    sd_result *r = fake(SD_TABLE_VARIABLE, Q_INT_FR, Q_INT_EN, INTEGRATION, 3, &CIO, &MKT, true);
    sd_findings f;
    compute(r, "en", &f);
    check_has(text_of(&f, 2, SD_FIND_NO_GAP), "(p = 0.330; 2,400 CIOs");
    sd__findings_free(&f);
    sd_result_free(r);
    setlocale(LC_ALL, "C");
}

/* ---------------------------------------------- the reliability gate */

static void test_gate(void)
{
    static const frow rows[] = {
        {"a", "a", SD_CAT_TYPE_CATEGORY, 0.50, 0.50, 0.9},
        {"b", "b", SD_CAT_TYPE_CATEGORY, 0.30, 0.30, 0.9},
    };
    fgroup small = MKT, big = CIO;
    small.n = 100;
    sd_result *r = fake(SD_TABLE_VARIABLE, "Q", "Q", rows, 2, &big, &small, true);
    sd_table *t = &r->tables[0];
    CHECK_INT(sd__fig_reliability(t, 0, 1), 0);
    CHECK_INT(sd__fig_reliability(t, 0, 2), 0);
    /* effective sample size 0.25 / 0.1^2 = 25 < 30 */
    t->cells[0 * 3 + 2].fig[SD_FIG_SE] = 0.1;
    CHECK_INT(sd__fig_reliability(t, 0, 2) & SD_REL_WITHHELD, SD_REL_NEFF);
    /* an interval 30 points wide */
    t->cells[0 * 3 + 2].fig[SD_FIG_SE] = 0.05;
    t->cells[0 * 3 + 2].fig[SD_FIG_CI_LOW] = 0.35;
    t->cells[0 * 3 + 2].fig[SD_FIG_CI_HIGH] = 0.65;
    CHECK_INT(sd__fig_reliability(t, 0, 2) & SD_REL_WITHHELD, SD_REL_WIDTH);
    /* width 0.06 on 0.05: 120 % relative, kept; width 0.07: 140 %, withheld */
    t->cells[1 * 3 + 2].fig[SD_FIG_PCT] = 0.05;
    t->cells[1 * 3 + 2].fig[SD_FIG_SE] = 0.02;
    t->cells[1 * 3 + 2].fig[SD_FIG_CI_LOW] = 0.02;
    t->cells[1 * 3 + 2].fig[SD_FIG_CI_HIGH] = 0.08;
    CHECK_INT(sd__fig_reliability(t, 1, 2), 0);
    t->cells[1 * 3 + 2].fig[SD_FIG_CI_HIGH] = 0.09;
    CHECK_INT(sd__fig_reliability(t, 1, 2), SD_REL_RELWIDTH);
    /* a complement too wide goes to review only */
    t->cells[1 * 3 + 2].fig[SD_FIG_PCT] = 0.95;
    t->cells[1 * 3 + 2].fig[SD_FIG_CI_LOW] = 0.91;
    t->cells[1 * 3 + 2].fig[SD_FIG_CI_HIGH] = 0.98;
    CHECK_INT(sd__fig_reliability(t, 1, 2), SD_REL_REVIEW_COMPLEMENT);
    /* 0 % and few degrees of freedom: review, written up */
    t->cells[1 * 3 + 1].fig[SD_FIG_PCT] = 0;
    t->cells[1 * 3 + 1].fig[SD_FIG_SE] = 0;
    t->cells[1 * 3 + 1].fig[SD_FIG_DF] = 5;
    CHECK_INT(sd__fig_reliability(t, 1, 1), SD_REL_REVIEW_ZERO | SD_REL_REVIEW_DF);
    /* no standard error */
    t->cells[1 * 3 + 0].fig[SD_FIG_SE] = NAN;
    CHECK_INT(sd__fig_reliability(t, 1, 0), SD_REL_NO_SE);
    /* a low base (under --min-base) */
    t->cols[2].flags |= SD_CATF_LOW_BASE;
    CHECK(sd__fig_reliability(t, 1, 2) & SD_REL_LOW_BASE);
    /* Never written up: no comparison with the low-base column, no level. */
    sd_findings f;
    compute(r, "fr", &f);
    for (size_t i = 0; i < f.n; i++)
        CHECK(f.v[i].col_a != 2 && f.v[i].col_b != 2);
    CHECK(about(&f, 0, SD_FIND_LEVEL) != NULL); /* the other column stands alone */
    sd__findings_free(&f);
    /* ...and flagged in the prose. */
    sd_rdoc doc;
    memset(&doc, 0, sizeof doc);
    doc.result = r;
    sd_strbuf sb;
    sd__sb_init(&sb, 1 << 20);
    sd_error *e = sd_error_new();
    CHECK(sd__write_prose(&doc, "fr", &sb, e) == SD_OK);
    /* A column under the base rule is named once for all its answers. */
    check_has(sd__sb_str(&sb), "Non rédigé, fiabilité insuffisante" NBSP
                               ": marketeurs, pour toutes les réponses (base de moins de 30 "
                               "répondants).");
    sd__sb_free(&sb);
    sd_error_free(e);
    sd_result_free(r);
}

/* ---------------------------------------------- other shapes */

/* Without recorded pairs, the letters say whether the gap holds. */
static void test_letters(void)
{
    sd_result *r = fake(SD_TABLE_VARIABLE, Q_INT_FR, Q_INT_EN, INTEGRATION, 3, &CIO, &MKT, true);
    sd_table *t = &r->tables[0];
    for (size_t k = 0; k < t->npairs; k++)
        sd__free(t->pairs[k].method);
    t->npairs = 0;
    t->cells[0 * 3 + 2].letters = sd__strdup("A");
    t->cells[1 * 3 + 1].letters = sd__strdup("b");
    sd_findings f;
    compute(r, "fr", &f);
    check_has(text_of(&f, 0, SD_FIND_GAP), "l'écart est significatif (p < 0,01" NNBSP ";");
    check_has(text_of(&f, 1, SD_FIND_GAP), "l'écart est significatif (p < 0,05" NNBSP ";");
    check_has(text_of(&f, 2, SD_FIND_NO_GAP), "pas significativement (p ≥ 0,05" NNBSP ";");
    CHECK(about(&f, 0, -1) && isnan(about(&f, 0, -1)->p));
    sd__findings_free(&f);
    /* No tests at all: levels only, never a gap. */
    r->show_tests = false;
    compute(r, "fr", &f);
    CHECK_INT(f.n, 6);
    for (size_t i = 0; i < f.n; i++)
        CHECK_INT(f.v[i].kind, SD_FIND_LEVEL);
    check_has(text_of(&f, 0, SD_FIND_LEVEL),
              "Parmi les 2" NNBSP "400 DSI interrogés, plus de la moitié (54" PCT ") répondent " LQ
              "Oui" RQ " à la question " LQ "Votre entreprise");
    sd__findings_free(&f);
    sd_result_free(r);
}

/* Columns without nouns in the codebook; a table without a banner. */
static void test_fallback_nouns(void)
{
    sd_result *r = fake(SD_TABLE_VARIABLE, Q_INT_FR, Q_INT_EN, INTEGRATION, 3, &CIO, &MKT, false);
    sd_findings f;
    compute(r, "fr", &f);
    check_has(text_of(&f, 0, SD_FIND_GAP), "3 répondants " LQ "Marketeur" RQ " sur 4 (73" PCT ")");
    sd__findings_free(&f);
    compute(r, "en", &f);
    check_has(text_of(&f, 0, SD_FIND_GAP), "three in four “Marketer” respondents (73%)");
    sd__findings_free(&f);
    /* Total only: a level per row, about everyone. */
    r->tables[0].ncols = 1;
    compute(r, "fr", &f);
    CHECK_INT(f.n, 3);
    check_has(text_of(&f, 0, SD_FIND_LEVEL), "Parmi les 2" NNBSP "800 personnes interrogées, ");
    sd__findings_free(&f);
    /* Row percentages are not written up. */
    r->tables[0].pct = SD_PCT_ROW;
    compute(r, "fr", &f);
    CHECK_INT(f.n, 0);
    sd__findings_free(&f);
    r->tables[0].ncols = 3; /* what the result owns, to free it */
    sd_result_free(r);
}

/* A change since a compared wave: "le chiffre chute à". */
static void test_change(void)
{
    static const frow rows[] = {{"Cité", "Selected", SD_CAT_TYPE_CATEGORY, 0.47, 0.68, NAN}};
    sd_result *r = fake(SD_TABLE_VARIABLE, "Q", "Q", rows, 1, &CIO, &MKT, true);
    r->compared = sd__strdup("wave1");
    sd_table *t = &r->tables[0];
    t->cells[1].fig[SD_FIG_PREV] = 0.68;
    t->cells[1].fig[SD_FIG_CHANGE_P] = 1e-9;
    t->cells[2].fig[SD_FIG_PREV] = 0.66;
    t->cells[2].fig[SD_FIG_CHANGE_P] = 0.4;
    sd_findings f;
    compute(r, "fr", &f);
    const sd_finding *down = NULL, *same = NULL;
    for (size_t i = 0; i < f.n; i++)
        if (f.v[i].change)
            *(f.v[i].col_a == 1 ? &down : &same) = &f.v[i];
    CHECK(down && down->kind == SD_FIND_GAP && same && same->kind == SD_FIND_NO_GAP);
    check_has(down ? down->text : NULL, "la part des DSI qui répondent " LQ "Cité" RQ
                                        " chute à 47" PCT ", contre 68" PCT
                                        " lors de la vague précédente");
    check_has(same ? same->text : NULL, "est de 68" PCT ", contre 66" PCT);
    check_has(same ? same->text : NULL, "l'évolution n'est pas significative (p = 0,400");
    sd__findings_free(&f);
    compute(r, "en", &f);
    for (size_t i = 0; i < f.n; i++)
        if (f.v[i].change && f.v[i].col_a == 1)
            check_has(f.v[i].text, "the share of CIOs who answer “Selected” falls to 47%, from 68%");
    sd__findings_free(&f);
    sd_result_free(r);
}

/* A summary row: means compared. */
static void test_means(void)
{
    static const frow rows[] = {{"Moyenne", "Mean", SD_CAT_TYPE_SUMMARY, 0, 0, 0.002}};
    sd_result *r = fake(SD_TABLE_SUMMARY, "Note sur 10", "Score out of 10", rows, 1, &CIO, &MKT,
                        true);
    sd_table *t = &r->tables[0];
    sd__free(t->rows[0].key);
    t->rows[0].key = sd__strdup("mean");
    double m[3] = {6.5, 6.4, 7.1};
    for (int j = 0; j < 3; j++) {
        t->cells[j].fig[SD_FIG_PCT] = NAN;
        t->cells[j].fig[SD_FIG_MEAN] = m[j];
        t->cells[j].fig[SD_FIG_SE] = 0.1;
    }
    sd__free(t->pairs[0].method);
    t->pairs[0].method = sd__strdup("ttest"); /* a scale's means: svyttest */
    sd_findings f;
    compute(r, "fr", &f);
    check_has(text_of(&f, 0, SD_FIND_GAP), "À la question " LQ "Note sur 10" RQ
                                           ", la moyenne est de 7,1 chez les marketeurs, contre "
                                           "6,4 chez les DSI" NNBSP "; l'écart est significatif "
                                           "(p = 0,002");
    sd__findings_free(&f);
    sd_result_free(r);
}

/* ---------------------------------------------- the bundled study */

static sd_result *study(const char *rows)
{
    sd_dataset *ds = NULL;
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    sd_tabspec *s = sd_tabspec_new();
    CHECK(sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, e) == SD_OK);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", rows);
    for (char *p = buf, *q; p; p = q) {
        if ((q = strchr(p, ',')))
            *q++ = '\0';
        CHECK(sd_tabspec_add_row(s, p, e) == SD_OK);
    }
    CHECK(sd_tabspec_add_col(s, "role", e) == SD_OK);
    CHECK(sd_tabspec_set_option(s, "missing", "include", e) == SD_OK);
    CHECK(sd_tabspec_set_option(s, "findings", "true", e) == SD_OK);
    if (sd_tabulate(ds, s, &r, e) != SD_OK)
        fprintf(stderr, "  tabulate: %s\n", sd_error_message(e));
    sd_dataset_free(ds);
    sd_tabspec_free(s);
    sd_error_free(e);
    return r;
}

static void test_study(void)
{
    sd_result *r = study("integration,actions,closer");
    CHECK(r && sd_result_ntables(r) == 3);
    if (!r)
        return;
    sd_findings fr, en, again;
    compute(r, "fr", &fr);
    compute(r, "en", &en);
    compute(r, "fr", &again);
    /* Deterministic. */
    CHECK_INT(fr.n, again.n);
    for (size_t i = 0; i < fr.n && i < again.n; i++)
        CHECK_STR(fr.v[i].text, again.v[i].text);
    sd__findings_free(&again);
    /* The pair tests are the design's (pooled, sd_table_pair). */
    CHECK(sd_table_npairs(sd_result_table(r, 0)) > 0);
    const sd_finding *yes = NULL, *hybrid = NULL, *further = NULL, *closer = NULL;
    for (size_t i = 0; i < fr.n; i++) {
        const sd_finding *x = &fr.v[i];
        const char *key = sd_table_cat_key(sd_result_table(r, x->table), SD_ROWS, x->row);
        if (x->kind == SD_FIND_RANKING)
            continue;
        if (x->table == 0 && !strcmp(key, "1"))
            yes = x;
        if (x->table == 1 && !strcmp(key, "hybrid_talent"))
            hybrid = x;
        if (x->table == 2 && !strcmp(key, "closer_less"))
            further = x;
        if (x->table == 2 && !strcmp(key, "closer_more"))
            closer = x;
    }
    CHECK(yes && yes->kind == SD_FIND_GAP && yes->p < 1e-6);
    CHECK_STR(yes ? yes->text : NULL,
              "À la question " LQ "Votre entreprise dispose-t-elle de l'organisation nécessaire "
              "pour soutenir une intégration fluide du marketing et de l'IT dans les projets de "
              "marketing digital ?" RQ ", 3 marketeurs sur 4 (73" PCT ") répondent " LQ "Oui" RQ
              ", contre plus de la moitié des DSI (54" PCT ")" NNBSP "; l'écart est significatif "
              "(p < 0,001" NNBSP "; 400 marketeurs et 2" NNBSP "400 DSI interrogés).");
    /* The two non-gaps of the study (46 vs 44, 3 vs 5). */
    CHECK(hybrid && hybrid->kind == SD_FIND_NO_GAP && hybrid->p > 0.4 && hybrid->p < 0.5);
    check_has(hybrid ? hybrid->text : NULL, "44" PCT " des DSI et 46" PCT " des marketeurs citent");
    CHECK(further && further->kind == SD_FIND_NO_GAP && further->p > 0.05 && further->p < 0.1);
    check_has(further ? further->text : NULL, "5" PCT " des DSI et 3" PCT " des marketeurs");
    CHECK(closer && closer->kind == SD_FIND_GAP);
    check_has(closer ? closer->text : NULL, "plus de la moitié des marketeurs (55" PCT ")");
    check_neutral(&fr);
    check_neutral(&en);
    /* The same findings in English, one for one. */
    CHECK_INT(en.n, fr.n);
    for (size_t i = 0; i < en.n && i < fr.n; i++) {
        CHECK(en.v[i].kind == fr.v[i].kind && en.v[i].row == fr.v[i].row &&
              en.v[i].table == fr.v[i].table);
        CHECK_STR(en.v[i].lang, "en");
    }
    sd__findings_free(&fr);
    sd__findings_free(&en);
    sd_result_free(r);

    /* An item of a set tabulated alone is the set's question. */
    r = study("agency");
    compute(r, "en", &fr);
    CHECK_INT(fr.n, 1); /* the "selected" row only */
    check_has(fr.n ? fr.v[0].text : NULL,
              "Asked “Which of the following is your company doing to support a digital "
              "marketing strategy? (multiple responses permitted)”, nearly half of marketers "
              "(45%) select “Using outside digital marketing agencies”, whereas a third of CIOs "
              "(34%) do");
    sd__findings_free(&fr);
    sd_result_free(r);
}

int main(void)
{
    RUN(test_natfreq);
    RUN(test_freq_words);
    RUN(test_numbers);
    RUN(test_integration);
    RUN(test_actions);
    RUN(test_closer);
    RUN(test_gate);
    RUN(test_letters);
    RUN(test_fallback_nouns);
    RUN(test_change);
    RUN(test_means);
    RUN(test_study);
    RUN(test_locale);
    DONE();
}
