/*
 * test_tab.c — the engine on a small hand-built dataset whose every table
 * was counted by hand: weighted and unweighted cells, bases, missing
 * (excluded and included), nets, both kinds of multiple-response sets,
 * string variables, banner missing values, merging, and bad specs.
 */
#include "engine/engine.h"
#include "engine/plan.h"
#include "harness.h"

#define SYS (-1e300) /* marks a system-missing cell in the literals below */

static sd_var *num_var(sd_dataset *ds, const char *name, const double *vals)
{
    sd_var *v = NULL;
    sd__dataset_add_var(ds, name, SD_TYPE_NUMERIC, &v, NULL);
    for (size_t r = 0; r < ds->nrows; r++) {
        v->sysmis[r] = vals[r] == SYS;
        v->num[r] = vals[r] == SYS ? 0 : vals[r];
    }
    return v;
}

static sd_dataset *make(void)
{
    sd_dataset *ds = sd__dataset_new("mem");
    ds->nrows = 6;
    sd__dataset_reserve_rows(ds, 6);
    num_var(ds, "role", (double[]){1, 1, 2, 2, SYS, 2});
    sd_var *q = num_var(ds, "q", (double[]){1, 2, 1, 9, 2, SYS});
    sd__var_set_vlabel_num(q, 1, "fr", "Oui");
    sd__var_set_vlabel_num(q, 2, "fr", "Non");
    sd__var_set_vlabel_num(q, 3, "fr", "Peut-être");
    sd__var_set_vlabel_num(q, 9, "fr", "NSP");
    sd__var_add_missing_code(q, 9);
    sd__var_add_net(q, "any", (double[]){1, 2}, 2, NULL);
    num_var(ds, "w", (double[]){1, 2, 1, 3, 1, 0.5});
    sd_var *a1 = num_var(ds, "a1", (double[]){1, 0, 1, SYS, 0, 1});
    num_var(ds, "a2", (double[]){0, 1, 1, SYS, 0, 0});
    sd__labels_set(&a1->label, "fr", "Action 1");
    num_var(ds, "c1", (double[]){1, 2, SYS, 1, 3, SYS});
    num_var(ds, "c2", (double[]){2, SYS, SYS, 1, 3, 2});
    sd_var *s = NULL;
    sd__dataset_add_var(ds, "s", SD_TYPE_STRING, &s, NULL);
    const char *sv[] = {"y", "x", "y", NULL, "x", "z"};
    for (size_t r = 0; r < 6; r++) {
        s->sysmis[r] = sv[r] == NULL;
        if (sv[r])
            sd__var_intern(s, sv[r], 1, &s->str[r]);
    }
    sd__var_finish_levels(s, 6);
    sd_mrset *m = NULL;
    sd__dataset_add_mrset(ds, "acts", SD_MRSET_DICHOTOMY, &m, NULL);
    sd__mrset_add_var(m, 3);
    sd__mrset_add_var(m, 4);
    sd__dataset_add_mrset(ds, "cats", SD_MRSET_CATEGORY, &m, NULL);
    sd__mrset_add_var(m, 5);
    sd__mrset_add_var(m, 6);
    return ds;
}

/* The engine alone: its sums, before any statistics (the cube's labels
 * and keys are tested in tests/unit/cube/test_cube.c). */
static sd_work *run(sd_dataset *ds, const char *row, const char *col, const char *w,
                    sd_missing_mode mode)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, row, NULL);
    if (col)
        sd_tabspec_add_col(s, col, NULL);
    if (w)
        sd_tabspec_set_weight(s, w, NULL);
    sd_tabspec_set_missing(s, mode);
    sd_work *r = NULL;
    sd_error *e = sd_error_new();
    if (sd__tabulate_counts(ds, s, &r, e) != SD_OK)
        fprintf(stderr, "  tabulate failed: %s\n", sd_error_message(e));
    sd_error_free(e);
    sd_tabspec_free(s);
    return r;
}

#define CELL_N(t, r, c) ((t)->acc.n[(r) * (t)->ncols + (c)])
#define CELL_W(t, r, c) ((t)->acc.w[(r) * (t)->ncols + (c)])

static void test_categorical_by_banner_unweighted(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "q", "role", NULL, SD_MISSING_EXCLUDE);
    CHECK(r && r->ntables == 1);
    const sd_wtable *t = &r->tables[0];
    /* rows: codes 1, 2, 3 (labelled, unobserved) then the net; 9 excluded */
    CHECK_INT(t->nrows, 4);
    CHECK(t->rows[0].code == 1 && t->rows[1].code == 2 && t->rows[2].code == 3);
    CHECK_INT(t->rows[3].kind, SD_CAT_NET);
    CHECK_INT(t->ncols, 3);
    CHECK(t->cols[1].code == 1 && t->cols[2].code == 2);
    CHECK_INT(CELL_N(t, 0, 0), 2);
    CHECK_INT(CELL_N(t, 1, 0), 2);
    CHECK_INT(CELL_N(t, 2, 0), 0);
    CHECK_INT(CELL_N(t, 3, 0), 4);
    CHECK_INT(t->acc.base_n[0], 4);
    CHECK_INT(t->acc.miss_n[0], 2);
    CHECK_INT(CELL_N(t, 0, 1), 1);
    CHECK_INT(CELL_N(t, 1, 1), 1);
    CHECK_INT(t->acc.base_n[1], 2);
    CHECK_INT(t->acc.miss_n[1], 0);
    CHECK_INT(CELL_N(t, 0, 2), 1);
    CHECK_INT(CELL_N(t, 1, 2), 0);
    CHECK_INT(t->acc.base_n[2], 1);
    CHECK_INT(t->acc.miss_n[2], 2);
    CHECK_INT(t->banner_missing_n, 1);
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_weighted_counts_and_bases(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "q", "role", "w", SD_MISSING_EXCLUDE);
    const sd_wtable *t = &r->tables[0];
    CHECK_NEAR(t->acc.base_w[0], 5, 1e-15);
    CHECK_NEAR(CELL_W(t, 0, 0), 2, 1e-15);
    CHECK_NEAR(CELL_W(t, 1, 0), 3, 1e-15);
    CHECK_NEAR(t->acc.miss_w[0], 3.5, 1e-15);
    CHECK_NEAR(t->acc.base_w[1], 3, 1e-15);
    CHECK_NEAR(t->acc.miss_w[2], 3.5, 1e-15);
    CHECK_INT(CELL_N(t, 1, 0), 2); /* n stays unweighted */
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_missing_include_makes_codes_categories(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "q", NULL, NULL, SD_MISSING_INCLUDE);
    const sd_wtable *t = &r->tables[0];
    CHECK_INT(t->ncols, 1);
    CHECK_INT(t->nrows, 5); /* 1, 2, 3, 9, net */
    CHECK(t->rows[3].code == 9 && t->rows[3].user_missing);
    CHECK_INT(CELL_N(t, 3, 0), 1);
    CHECK_INT(t->acc.base_n[0], 5);
    CHECK_INT(t->acc.miss_n[0], 1);
    CHECK_INT(CELL_N(t, 4, 0), 4); /* the net holds 1 and 2 only */
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_dichotomy_set(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "acts", "role", "w", SD_MISSING_EXCLUDE);
    const sd_wtable *t = &r->tables[0];
    CHECK(t->row_is_mrset);
    CHECK_INT(t->nrows, 2);
    CHECK_INT(t->acc.base_n[0], 5);
    CHECK_INT(t->acc.miss_n[0], 1);
    CHECK_INT(CELL_N(t, 0, 0), 3);
    CHECK_INT(CELL_N(t, 1, 0), 2);
    CHECK_NEAR(t->acc.base_w[0], 5.5, 1e-15);
    CHECK_NEAR(CELL_W(t, 0, 0), 2.5, 1e-15);
    CHECK_INT(t->acc.base_n[1], 2);
    CHECK_INT(CELL_N(t, 0, 1), 1);
    CHECK_INT(CELL_N(t, 1, 1), 1);
    CHECK_INT(t->acc.base_n[2], 2);
    CHECK_INT(t->acc.miss_n[2], 1);
    CHECK_INT(CELL_N(t, 0, 2), 2);
    CHECK_INT(CELL_N(t, 1, 2), 1);
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_category_set_counts_each_code_once(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "cats", NULL, NULL, SD_MISSING_EXCLUDE);
    const sd_wtable *t = &r->tables[0];
    CHECK_INT(t->nrows, 3);
    CHECK(t->rows[0].code == 1 && t->rows[1].code == 2 && t->rows[2].code == 3);
    CHECK_INT(CELL_N(t, 0, 0), 2);
    CHECK_INT(CELL_N(t, 1, 0), 3);
    CHECK_INT(CELL_N(t, 2, 0), 1);
    CHECK_INT(t->acc.base_n[0], 5);
    CHECK_INT(t->acc.miss_n[0], 1);
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_string_rows_sorted(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "s", "role", NULL, SD_MISSING_EXCLUDE);
    const sd_wtable *t = &r->tables[0];
    CHECK_INT(t->nrows, 3);
    CHECK_STR(t->rows[0].str, "x");
    CHECK_STR(t->rows[2].str, "z");
    CHECK_INT(CELL_N(t, 0, 0), 2);
    CHECK_INT(CELL_N(t, 1, 0), 2);
    CHECK_INT(CELL_N(t, 2, 0), 1);
    CHECK_INT(t->acc.miss_n[0], 1);
    CHECK_INT(CELL_N(t, 1, 2), 1); /* "y" among role 2 */
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_string_banner(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "q", "s", NULL, SD_MISSING_EXCLUDE);
    const sd_wtable *t = &r->tables[0];
    CHECK_INT(t->ncols, 4);
    CHECK_STR(t->cols[1].str, "x");
    CHECK_INT(CELL_N(t, 1, 1), 2); /* q=2 and s=x: rows 2 and 5 */
    CHECK_INT(t->acc.base_n[3], 0);
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void test_merge_adds(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "q", "role", "w", SD_MISSING_EXCLUDE);
    sd_wtable *t = &r->tables[0];
    sd_accum copy;
    sd__accum_init(&copy, t->nrows, t->ncols);
    sd__accum_merge(&copy, &t->acc);
    sd__accum_merge(&copy, &t->acc);
    CHECK_NEAR(copy.w[1 * t->ncols + 0], 6, 1e-15);
    CHECK_NEAR(copy.base_n[2], 2, 1e-15);
    sd__accum_free(&copy);
    sd__work_free(r);
    sd_dataset_free(ds);
}

static void expect_error(const char *row, const char *col, const char *w, sd_status st,
                         const char *msg)
{
    sd_dataset *ds = make();
    sd_tabspec *s = sd_tabspec_new();
    sd_tabspec_add_row(s, row, NULL);
    if (col)
        sd_tabspec_add_col(s, col, NULL);
    if (w)
        sd_tabspec_set_weight(s, w, NULL);
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_tabulate(ds, s, &r, e), st);
    CHECK(r == NULL);
    CHECK_STR(sd_error_message(e), msg);
    CHECK_STR(sd_error_file(e), "mem");
    sd_error_free(e);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
}

static void test_bad_specs(void)
{
    expect_error("qq", NULL, NULL, SD_E_NOT_FOUND, "unknown variable or set 'qq'; did you mean 'q'?");
    expect_error("nothing_like_it", NULL, NULL, SD_E_NOT_FOUND,
                 "unknown variable or set 'nothing_like_it': expected one of the names "
                 "`sondage info` lists");
    expect_error("q", "rol", NULL, SD_E_NOT_FOUND, "unknown banner variable 'rol'; did you mean 'role'?");
    expect_error("q", NULL, "s", SD_E_TYPE,
                 "weight variable 's' is a string: expected a numeric variable");
    expect_error("q", "role>acts", NULL, SD_E_UNSUPPORTED,
                 "banner 'role>acts': 'acts' is a multiple-response set; a nested banner's "
                 "levels are variables (a set can be a banner on its own)");
    expect_error("a1 TO q", NULL, NULL, SD_E_INVALID,
                 "'a1 TO q': a1 comes after q in the file: expected A TO B in file order");
    expect_error("zz*", NULL, NULL, SD_E_NOT_FOUND,
                 "no variable or set matches 'zz*': expected a pattern such as q* (any "
                 "characters) or q? (one character) that matches a name");
}

/* A blank, negative or zero weight takes the row out of the analysis, as
 * SPSS does: out of every count, reported, never an error. */
static void test_bad_weights_leave_rows_out(void)
{
    sd_dataset *ds = make();
    ds->vars[2]->num[1] = -2; /* w of row 2 */
    sd_work *r = run(ds, "q", NULL, "w", SD_MISSING_EXCLUDE);
    CHECK(r != NULL);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        CHECK_INT(r->nw_negative, 1);
        CHECK_INT(r->nw_blank, 0);
        CHECK_INT(t->acc.base_n[0] + t->acc.miss_n[0], 5); /* 6 rows, one left out */
        CHECK_NEAR(r->rows_in, 5, 0);
        sd__work_free(r);
    }
    /* a1 (1, 0, 1, blank, 0, 1) as a weight: rows 2, 4 and 5 are out */
    r = run(ds, "q", NULL, "a1", SD_MISSING_EXCLUDE);
    if (r) {
        CHECK_INT(r->nw_blank, 1);
        CHECK_INT(r->nw_zero, 2);
        CHECK_NEAR(r->rows_in, 3, 0);
        const sd_wtable *t = &r->tables[0];
        CHECK_INT(t->acc.base_n[0], 2); /* rows 1 and 3 (q = 1); row 6 has no q */
        CHECK_INT(t->acc.miss_n[0], 1);
        sd__work_free(r);
    }
    sd_dataset_free(ds);
}

/* Banners of sets (a respondent in every column they chose), nested
 * banners (one column per combination) and filters (a domain). */
static void test_set_and_nested_banners_and_filters(void)
{
    sd_dataset *ds = make();
    sd_work *r = run(ds, "q", "acts", NULL, SD_MISSING_EXCLUDE);
    CHECK(r != NULL);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        CHECK_INT(t->ncols, 3); /* Total, a1, a2 */
        CHECK(!t->one_col);
        CHECK_INT(t->cols[1].kind, SD_CAT_ITEM);
        /* a1 chosen in rows 1, 3, 6 (q = 1, 1, none); a2 in rows 2, 3 (q =
         * 2, 1); row 5 (q = 2) chose neither: banner missing */
        CHECK_INT(t->acc.base_n[1], 2);
        CHECK_INT(t->acc.miss_n[1], 1);
        CHECK_INT(t->acc.base_n[2], 2);
        CHECK_INT(CELL_N(t, 0, 1), 2);
        CHECK_INT(CELL_N(t, 0, 2), 1);
        CHECK_INT(CELL_N(t, 1, 2), 1);
        CHECK_INT(t->banner_missing_n, 1);
        sd__work_free(r);
    }
    r = run(ds, "q", "role>s", NULL, SD_MISSING_EXCLUDE);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        CHECK_INT(t->col_depth, 2);
        CHECK_INT(t->ncols, 1 + 2 * 3); /* role 1, 2 by s x, y, z */
        /* (role, s): row 1 (1, y), row 2 (1, x), row 3 (2, y); row 5 has
         * no role; rows 4 and 6 have no valid q */
        CHECK(t->colpath[0].code == 1 && !strcmp(t->colpath[1].str, "x"));
        CHECK_INT(t->acc.base_n[1], 1);
        CHECK_INT(t->acc.base_n[2], 1);
        CHECK_INT(t->acc.base_n[3], 0);
        CHECK_INT(t->acc.base_n[5], 1);
        CHECK_INT(t->banner_missing_n, 1);
        sd__work_free(r);
    }
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    sd_tabspec_add_row(s, "q", NULL);
    CHECK_INT(sd_tabspec_set_option(s, "filter", "role = 1 or missing(role)", e), SD_OK);
    r = NULL;
    CHECK_INT(sd__tabulate_counts(ds, s, &r, e), SD_OK);
    if (r) {
        const sd_wtable *t = &r->tables[0];
        /* rows 1, 2 (role 1) and 5 (no role): q = 1, 2, 2 */
        CHECK_NEAR(r->rows_in, 3, 0);
        CHECK_INT(t->acc.base_n[0], 3);
        CHECK_INT(t->acc.miss_n[0], 0);
        CHECK_INT(CELL_N(t, 1, 0), 2);
        CHECK_STR(r->filter, "role = 1 or missing(role)");
        sd__work_free(r);
    }
    CHECK_INT(sd_tabspec_set_option(s, "filter", "role = ", e), SD_E_PARSE);
    CHECK_STR(sd_error_message(e),
              "--filter 'role = ': at character 8: expected a value (a number, or a text in "
              "quotes such as \"Paris\"), not the end of the expression");
    sd_error_free(e);
    sd_tabspec_free(s);
    sd_dataset_free(ds);
}

/* Issue 11: 64 distinct small codes, then a negative, fractional or large
 * one, never returned (the hash held the small codes too and filled up). */
static void test_catmap_small_codes_then_others(void)
{
    enum { N = 64 + 3 + 5000 };
    static double vals[N];
    for (int i = 0; i < 64; i++)
        vals[i] = i;
    vals[64] = -1;
    vals[65] = 0.5;
    vals[66] = 1024;
    for (int i = 67; i < N; i++)
        vals[i] = 2000 + (i - 67) % 2500 - 0.25; /* 2500 distinct large codes, each twice */
    sd_dataset *ds = sd__dataset_new("mem");
    ds->nrows = N;
    sd__dataset_reserve_rows(ds, N);
    sd_var *q = num_var(ds, "q", vals);
    sd__var_set_vlabel_num(q, -2, NULL, "Refused"); /* a labelled code nobody chose */
    sd__var_set_vlabel_num(q, 5, NULL, "Five");
    sd_catmap m;
    sd_error *e = sd_error_new();
    CHECK_INT(sd__catmap_build(ds, 0, SD_MISSING_EXCLUDE, false, &m, e), SD_OK);
    CHECK_INT(m.ncats, 64 + 3 + 2500 + 1);
    CHECK(m.cats[0].code == -2);
    CHECK(m.cats[1].code == -1);
    CHECK(m.cats[2].code == 0);
    CHECK(m.cats[3].code == 0.5);
    CHECK(m.cats[66].code == 63);
    CHECK(m.cats[67].code == 1024);
    CHECK(m.cats[68].code == 1999.75);
    CHECK(m.cats[m.ncats - 1].code == 4498.75);
    CHECK_INT(m.idx[64], 1);
    CHECK_INT(m.idx[65], 3);
    CHECK_INT(m.idx[0], 2);
    CHECK_INT(m.idx[66], 67);
    CHECK_INT(m.idx[67], 68);
    CHECK_INT(m.idx[67 + 2500], 68);
    sd__catmap_free(&m);
    /* -0 is 0; a NaN is one category, shown last (codes 1, 2, 3 are gone). */
    ds->vars[0]->num[1] = -0.0;
    ds->vars[0]->num[2] = NAN;
    ds->vars[0]->num[3] = NAN;
    CHECK_INT(sd__catmap_build(ds, 0, SD_MISSING_EXCLUDE, false, &m, e), SD_OK);
    CHECK_INT(m.ncats, 64 + 3 + 2500 + 1 - 3 + 1);
    CHECK(isnan(m.cats[m.ncats - 1].code));
    CHECK_INT(m.idx[1], m.idx[0]);
    CHECK_INT(m.idx[2], (long long)m.ncats - 1);
    CHECK_INT(m.idx[3], (long long)m.ncats - 1);
    sd__catmap_free(&m);
    sd_error_free(e);
    sd_dataset_free(ds);
}

int main(void)
{
    RUN(test_catmap_small_codes_then_others);
    RUN(test_categorical_by_banner_unweighted);
    RUN(test_weighted_counts_and_bases);
    RUN(test_missing_include_makes_codes_categories);
    RUN(test_dichotomy_set);
    RUN(test_category_set_counts_each_code_once);
    RUN(test_string_rows_sorted);
    RUN(test_string_banner);
    RUN(test_merge_adds);
    RUN(test_bad_specs);
    RUN(test_bad_weights_leave_rows_out);
    RUN(test_set_and_nested_banners_and_filters);
    DONE();
}
