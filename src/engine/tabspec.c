/*
 * tabspec.c — the table specification handed to the engine: row variables
 * or sets, banner variables, weight, missing-value mode (names only; the
 * engine resolves them against a dataset).
 */
#include "engine.h"

#include <string.h>

sd_tabspec *sd_tabspec_new(void)
{
    return sd__calloc(1, sizeof(sd_tabspec));
}

void sd_tabspec_free(sd_tabspec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrows; i++)
        sd__free(s->rows[i]);
    for (size_t i = 0; i < s->ncols; i++)
        sd__free(s->cols[i]);
    sd__free(s->rows);
    sd__free(s->cols);
    sd__designspec_free(&s->design);
    sd__free(s);
}

static sd_status add_name(char ***v, size_t *n, size_t *cap, const char *name, const char *what,
                          sd_error *err)
{
    if (!name || !*name)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "empty name in %s: expected a variable name", what);
    char *c = sd__strdup(name);
    if (!c || !sd__grow((void **)v, cap, *n + 1, sizeof **v)) {
        sd__free(c);
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    (*v)[(*n)++] = c;
    return SD_OK;
}

sd_status sd_tabspec_add_row(sd_tabspec *s, const char *name, sd_error *err)
{
    return add_name(&s->rows, &s->nrows, &s->rowcap, name, "--rows", err);
}

sd_status sd_tabspec_add_col(sd_tabspec *s, const char *name, sd_error *err)
{
    return add_name(&s->cols, &s->ncols, &s->colcap, name, "--cols", err);
}

sd_status sd_tabspec_set_weight(sd_tabspec *s, const char *name, sd_error *err)
{
    return sd__designspec_set(&s->design, "weight", name, err);
}

sd_status sd_tabspec_set_option(sd_tabspec *s, const char *key, const char *value,
                                sd_error *err)
{
    if (!strcmp(key, "ci")) {
        static const char *names[] = {"logit", "wald", "wilson", "likelihood", "beta", "xlogit",
                                      "asin", "mean"};
        for (int i = 0; i < 8; i++)
            if (value && !strcmp(value, names[i])) {
                s->ci_method = i;
                s->glm_start = i == 3; /* likelihood follows R's glm fit exactly */
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "--ci: expected logit, wald, wilson, likelihood, beta, xlogit, asin or "
                        "mean, not '%s'",
                        value ? value : "");
    }
    if (!strcmp(key, "stats")) {
        s->show_stats = !value || strcmp(value, "false") != 0;
        return SD_OK;
    }
    if (!strcmp(key, "deff")) {
        s->deff = !value || strcmp(value, "false") != 0;
        return SD_OK;
    }
    if (!strcmp(key, "level")) {
        double x;
        if (!value || !sd__parse_double(value, strlen(value), false, &x) || !(x > 0 && x < 1))
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--level: expected a number between 0 and 1 such as 0.95, not '%s'",
                            value ? value : "");
        s->level = x;
        return SD_OK;
    }
    if (!strcmp(key, "tests")) {
        s->tests = !value || strcmp(value, "false") != 0;
        return SD_OK;
    }
    /* Test options (docs/tests.md); each one also asks for the tests. */
    static const char *const chisq_names[] = {"F", "Chisq"};
    static const char *const letters_names[] = {"design", "spss", "none"};
    static const char *const adjust_names[] = {"none", "bonferroni", "holm", "fdr"};
    struct {
        const char *key, *expected;
        const char *const *names;
        int n;
        int *field;
    } choices[] = {
        {"chisq", "F or Chisq", chisq_names, 2, &s->chisq_stat},
        {"letters", "design, spss or none", letters_names, 3, &s->letters},
        {"adjust", "none, bonferroni, holm or fdr", adjust_names, 4, &s->adjust},
    };
    for (size_t k = 0; k < sizeof choices / sizeof choices[0]; k++) {
        if (strcmp(key, choices[k].key))
            continue;
        for (int i = 0; i < choices[k].n; i++)
            if (value && !strcmp(value, choices[k].names[i])) {
                *choices[k].field = choices[k].field == &s->adjust ? i + 1 : i;
                s->tests = true;
                return SD_OK;
            }
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "--%s: expected %s, not '%s'",
                        key, choices[k].expected, value ? value : "");
    }
    if (!strcmp(key, "alpha") || !strcmp(key, "alpha2")) {
        double x;
        if (!value || !sd__parse_double(value, strlen(value), false, &x) || !(x > 0 && x < 1))
            return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                            "--%s: expected a significance level between 0 and 1 such as %s, "
                            "not '%s'",
                            key, key[5] ? "0.05" : "0.01", value ? value : "");
        *(key[5] ? &s->alpha2 : &s->alpha) = x;
        s->tests = true;
        return SD_OK;
    }
    return sd__designspec_set(&s->design, key, value, err);
}

void sd_tabspec_set_missing(sd_tabspec *s, sd_missing_mode mode)
{
    s->missing = mode;
}
