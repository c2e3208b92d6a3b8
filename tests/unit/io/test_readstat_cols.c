/*
 * test_readstat_cols.c — ReadStat files read for some columns only
 * (read_readstat.c, sd_csv_cols): on every SPSS, Stata and SAS file of
 * tests/data that reads, a read of every other variable (and the first,
 * always read) gives those variables the whole read's cells, type, measure,
 * labels and missing codes; the others have their dictionary and no values
 * (sd_var.unread; the tagged missing codes only values show are not
 * declared for them); the rows are the same (deleted SAS rows, tagged Stata
 * missing values included); a read by pattern does the same; a names read
 * (sd__dataset_open_names) has every name and the declared weight; and
 * sd_dataset_open_for on a .sav tabulates as the whole read does.
 */
#include "harness.h"
#include "io/io.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>

static sd_format fmt_of(const char *name)
{
    size_t n = strlen(name);
#define ENDS(s) (n > strlen(s) && strcmp(name + n - strlen(s), s) == 0)
    if (ENDS(".sav") || ENDS(".zsav"))
        return SD_FORMAT_SAV;
    if (ENDS(".por"))
        return SD_FORMAT_POR;
    if (ENDS(".dta"))
        return SD_FORMAT_DTA;
    if (ENDS(".sas7bdat"))
        return SD_FORMAT_SAS7BDAT;
    if (ENDS(".xpt"))
        return SD_FORMAT_XPORT;
#undef ENDS
    return SD_FORMAT_AUTO;
}

static bool same_num(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Variable j of `part` against the whole read's. */
static int same_var(const sd_dataset *whole, const sd_dataset *part, size_t j, bool read)
{
    const sd_var *u = whole->vars[j], *v = part->vars[j];
    /* An unread variable has its dictionary; the tagged missing codes a
     * Stata or SAS file's values show (and their ".a" labels) are declared
     * for read ones only. */
    if (strcmp(u->name, v->name) || u->type != v->type || u->measure != v->measure ||
        (read ? u->nvl != v->nvl : v->nvl > u->nvl) ||
        (read ? u->nmiss != v->nmiss : v->nmiss > u->nmiss) ||
        v->unread != !read)
        return 0;
    const char *lu = sd__labels_get(&u->label, NULL), *lv = sd__labels_get(&v->label, NULL);
    if ((lu == NULL) != (lv == NULL) || (lu && strcmp(lu, lv)))
        return 0;
    if (!read)
        return 1;
    for (size_t r = 0; r < whole->nrows; r++) {
        if (u->type == SD_TYPE_NUMERIC) {
            if (u->sysmis[r] != v->sysmis[r] || (!u->sysmis[r] && !same_num(u->num[r], v->num[r])))
                return 0;
        } else if (u->sysmis[r] != v->sysmis[r] ||
                   (!u->sysmis[r] && strcmp(u->levels[u->str[r]], v->levels[v->str[r]]))) {
            return 0;
        }
    }
    return 1;
}

static void check_file(const char *path, sd_format f, int *files, int *skipped_vars)
{
    sd_error *e = sd_error_new();
    sd_dataset *whole = NULL;
    if (sd__read_readstat(path, f, NULL, NULL, &whole, e) != SD_OK) {
        sd_error_free(e);
        return; /* the corrupt ones: tested elsewhere */
    }
    (*files)++;
    const char **names = calloc(whole->nvars + 1, sizeof *names);
    size_t nn = 0;
    for (size_t j = 1; j < whole->nvars; j += 2)
        names[nn++] = whole->vars[j]->name;
    sd_csv_cols sel = {.names = names, .n = nn};
    sd_dataset *part = NULL;
    CHECK_INT(sd__read_readstat(path, f, NULL, &sel, &part, e), SD_OK);
    if (part) {
        CHECK_INT(part->nrows, whole->nrows);
        CHECK_INT(part->nvars, whole->nvars);
        for (size_t j = 0; j < whole->nvars && j < part->nvars; j++) {
            bool read = j == 0 || j % 2 == 1;
            if (!same_var(whole, part, j, read)) {
                fprintf(stderr, "  %s: variable %s differs\n", path, whole->vars[j]->name);
                CHECK(0);
            }
            *skipped_vars += !read;
        }
        CHECK(same_num(whole->design.weight ? 1 : 0, part->design.weight ? 1 : 0));
    }
    sd_dataset_free(part);
    /* by pattern: the names ending in a digit, or none */
    memset(&sel, 0, sizeof sel);
    sel.has_re = regcomp(&sel.re, "[0-9]$", REG_EXTENDED | REG_NOSUB) == 0;
    part = NULL;
    CHECK_INT(sd__read_readstat(path, f, NULL, &sel, &part, e), SD_OK);
    for (size_t j = 0; part && j < whole->nvars; j++) {
        size_t n = strlen(whole->vars[j]->name);
        bool read = j == 0 || (n && isdigit((unsigned char)whole->vars[j]->name[n - 1]));
        if (!same_var(whole, part, j, read)) {
            fprintf(stderr, "  %s: variable %s differs (pattern)\n", path, whole->vars[j]->name);
            CHECK(0);
        }
    }
    if (sel.has_re)
        regfree(&sel.re);
    sd_dataset_free(part);
    /* the names read */
    sd_open_options o = {.format = f};
    sd_dataset *hd = NULL;
    CHECK_INT(sd__dataset_open_names(path, &o, &hd, e), SD_OK);
    if (hd) {
        CHECK_INT(hd->nvars, whole->nvars);
        for (size_t j = 0; j < hd->nvars && j < whole->nvars; j++)
            CHECK_STR(hd->vars[j]->name, whole->vars[j]->name);
        CHECK((hd->design.weight == NULL) == (whole->design.weight == NULL));
        CHECK(hd->nrows <= 1);
    }
    sd_dataset_free(hd);
    free(names);
    sd_dataset_free(whole);
    sd_error_free(e);
}

static void test_every_file(void)
{
    DIR *d = opendir("tests/data");
    CHECK(d != NULL);
    if (!d)
        return;
    int files = 0, skipped = 0;
    struct dirent *de;
    char path[512];
    while ((de = readdir(d))) {
        sd_format f = fmt_of(de->d_name);
        if (f == SD_FORMAT_AUTO)
            continue;
        snprintf(path, sizeof path, "tests/data/%s", de->d_name);
        check_file(path, f, &files, &skipped);
    }
    closedir(d);
    CHECK(files >= 15); /* SPSS, Stata and SAS files, deleted rows, tagged missing */
    CHECK(skipped >= 40);
}

/* A names read refuses what it cannot read, and a corrupt file's error is
 * the real read's (the names read is not where it is said). */
static void test_names_refusals(void)
{
    sd_error *e = sd_error_new();
    sd_dataset *hd = NULL;
    sd_open_options o = {0};
    CHECK(sd__dataset_open_names("tests/data/ages.yaml", &o, &hd, e) != SD_OK);
    CHECK(hd == NULL);
    CHECK(sd__dataset_open_names("tests/data/truncated.sav", &o, &hd, NULL) != SD_OK ||
          hd != NULL);
    sd_dataset_free(hd);
    hd = NULL;
    sd_error_clear(e);
    CHECK(sd_dataset_open_with("tests/data/truncated.sav", &o, &hd, e) != SD_OK);
    CHECK(strstr(sd_error_message(e), "corrupt") != NULL ||
          strstr(sd_error_message(e), "cut short") != NULL ||
          strstr(sd_error_message(e), "ends") != NULL);
    sd_error_free(e);
}

/* A tagged missing value without a label is labelled with its name. */
static void test_tag_labels(void)
{
    sd_error *e = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK_INT(sd__read_readstat("tests/data/survey.sas7bdat", SD_FORMAT_SAS7BDAT, NULL, NULL,
                                &ds, e),
              SD_OK);
    long vi = ds ? sd__dataset_var_index(ds, "secteur") : -1;
    CHECK(vi >= 0);
    if (vi >= 0) {
        const sd_var *v = ds->vars[vi];
        double a = ldexp(1.0 + 1 / 4096.0, 1023), b = ldexp(1.0 + 2 / 4096.0, 1023);
        long la = sd__var_find_vlabel_num(v, a), lb = sd__var_find_vlabel_num(v, b);
        CHECK(la >= 0 && lb >= 0);
        if (la >= 0 && lb >= 0) {
            CHECK_STR(sd__labels_get(&v->vl[la].labels, NULL), ".a");
            CHECK_STR(sd__labels_get(&v->vl[lb].labels, NULL), ".b");
        }
        CHECK(sd__var_is_user_missing_num(v, a));
        CHECK_INT(v->measure, SD_MEASURE_SCALE); /* as before the labels */
    }
    sd_dataset_free(ds);
    sd_error_free(e);
}

int main(void)
{
    RUN(test_every_file);
    RUN(test_names_refusals);
    RUN(test_tag_labels);
    DONE();
}
