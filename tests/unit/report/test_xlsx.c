/*
 * test_xlsx.c — the XLSX writer (src/report/write_xlsx.c) on a document of
 * the bundled study with every report part (title, introduction, a
 * section, notes, findings): a zip container, the same bytes twice and
 * under a French LC_NUMERIC, a clear error when TMPDIR cannot hold the
 * temporary file, no temporary file left behind. With arguments
 * (`test_xlsx OUT.xlsx LANG`) it also writes that workbook for
 * tests/scripts/xlsx_tables.sh, which reads its cells back through
 * LibreOffice.
 */
#include "harness.h"
#include "report/doc.h"

#include <dirent.h>
#include <locale.h>
#include <unistd.h>

static sd_result *study(void)
{
    sd_dataset *ds = NULL;
    sd_result *r = NULL, *r2 = NULL;
    sd_error *e = sd_error_new();
    sd_tabspec *s = sd_tabspec_new(), *s2 = sd_tabspec_new();
    if (sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, e) != SD_OK)
        fprintf(stderr, "  open failed: %s\n", sd_error_message(e));
    sd_tabspec_add_row(s, "integration", e);
    sd_tabspec_add_col(s, "role", e);
    sd_tabspec_set_missing(s, SD_MISSING_INCLUDE);
    sd_tabspec_set_option(s, "tests", "true", e);
    sd_tabspec_add_row(s2, "closer", e);
    sd_tabspec_add_col(s2, "company_size", e);
    sd_tabspec_set_option(s2, "filter", "role = \"Marketer\"", e);
    sd_tabspec_set_option(s2, "min-base", "50", e);
    sd_tabspec_set_option(s2, "tests", "true", e);
    if (sd_tabulate(ds, s, &r, e) != SD_OK || sd_tabulate(ds, s2, &r2, e) != SD_OK ||
        sd_result_merge(r, r2, e) != SD_OK)
        fprintf(stderr, "  tabulate failed: %s\n", sd_error_message(e));
    sd_dataset_free(ds);
    sd_tabspec_free(s);
    sd_tabspec_free(s2);
    sd_error_free(e);
    return r;
}

typedef struct report {
    sd_rdoc doc;
    sd_rsection sec;
    sd_finding f[2];
    sd_findings fs;
} report;

static void report_make(report *p, const sd_result *r)
{
    memset(p, 0, sizeof *p);
    p->doc.result = r;
    sd__labels_set(&p->doc.title, "fr", "Marketing et DSI : l'étude");
    sd__labels_set(&p->doc.title, "en", "Marketing and IT: the study");
    sd__labels_set(&p->doc.intro, "fr", "Une enquête auprès de 2 800 DSI et marketeurs.\n"
                                        "Deuxième paragraphe.");
    sd__labels_set(&p->doc.intro, "en", "A survey of 2,800 CIOs and marketers.");
    sd__labels_set(&p->doc.notes, "fr", "Chiffres illustratifs, non publiés.");
    sd__labels_set(&p->sec.title, "fr", "Intégration");
    sd__labels_set(&p->sec.text, "fr", "Ce que chaque fonction dit de l'intégration.");
    p->sec.from = p->sec.to = 1;
    p->doc.sections = &p->sec;
    p->doc.nsections = 1;
    p->f[0] = (sd_finding){.table = 0, .row = 0, .col_a = 2, .col_b = 1, .kind = SD_FIND_GAP,
                           .p = 0.0001, .lang = "fr",
                           .text = "Parmi les 400 marketeurs interrogés, 73 % déclarent que "
                                   "leur entreprise dispose de l'organisation nécessaire, "
                                   "contre 54 % des DSI."};
    p->f[1] = (sd_finding){.table = 1, .row = 0, .col_a = 1, .col_b = 1, .kind = SD_FIND_LEVEL,
                           .p = NAN, .lang = "fr", .text = "Un marketeur sur trois (30 %)."};
    p->fs.v = p->f;
    p->fs.n = p->fs.cap = 2;
    p->doc.findings = &p->fs;
}

static void report_free(report *p)
{
    sd__labels_free(&p->doc.title);
    sd__labels_free(&p->doc.intro);
    sd__labels_free(&p->doc.notes);
    sd__labels_free(&p->sec.title);
    sd__labels_free(&p->sec.text);
}

static sd_status render(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *e)
{
    sd__sb_init(out, SD_MAX_REPORT);
    return sd__write_xlsx(doc, lang, out, e);
}

/* Files named sondage-xlsx-* in dir. */
static int leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));)
        n += strncmp(de->d_name, "sondage-xlsx-", 13) == 0;
    closedir(d);
    return n;
}

static void test_workbook_bytes(void)
{
    sd_result *r = study();
    CHECK(r != NULL);
    if (!r)
        return;
    report p;
    report_make(&p, r);
    char dir[] = "/tmp/sondage-test-xlsx-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    setenv("TMPDIR", dir, 1);
    sd_error *e = sd_error_new();
    sd_strbuf a, b, c;
    CHECK_INT(render(&p.doc, "fr", &a, e), SD_OK);
    CHECK_INT(render(&p.doc, "fr", &b, e), SD_OK);
    /* A zip: a local file header first, the end of central directory last. */
    CHECK(a.len > 1000 && memcmp(a.s, "PK\x03\x04", 4) == 0);
    CHECK(a.len > 22 && memcmp(a.s + a.len - 22, "PK\x05\x06", 4) == 0);
    /* Deterministic: the same bytes twice. */
    CHECK(a.len == b.len && memcmp(a.s, b.s, a.len) == 0);
    /* Numbers written under the C locale whatever LC_NUMERIC says. */
    if (setlocale(LC_ALL, "fr_FR.UTF-8")) {
        CHECK_INT(render(&p.doc, "fr", &c, e), SD_OK);
        CHECK(a.len == c.len && memcmp(a.s, c.s, a.len) == 0);
        sd__sb_free(&c);
        setlocale(LC_ALL, "C");
    }
    /* Another language, another workbook (sheet names, labels). */
    CHECK_INT(render(&p.doc, "en", &c, e), SD_OK);
    CHECK(c.len != a.len || memcmp(a.s, c.s, a.len) != 0);
    sd__sb_free(&c);
    /* Without findings or report parts (sondage tab --format xlsx). */
    sd_rdoc bare = {.result = r};
    CHECK_INT(render(&bare, "de", &c, e), SD_OK);
    CHECK(c.len > 1000 && memcmp(c.s, "PK\x03\x04", 4) == 0);
    sd__sb_free(&c);
    CHECK_INT(leftovers(dir), 0);
    sd__sb_free(&a);
    sd__sb_free(&b);
    rmdir(dir);
    unsetenv("TMPDIR");
    sd_error_free(e);
    report_free(&p);
    sd_result_free(r);
}

static void test_tmpdir_missing(void)
{
    sd_result *r = study();
    if (!r)
        return;
    sd_rdoc doc = {.result = r};
    setenv("TMPDIR", "/nonexistent/sondage-tmp", 1);
    sd_error *e = sd_error_new();
    sd_strbuf out;
    CHECK_INT(render(&doc, "en", &out, e), SD_E_IO);
    const char *m = sd_error_message(e);
    CHECK(m && strstr(m, "temporary file for the workbook") != NULL);
    CHECK_STR(sd_error_file(e), "/nonexistent/sondage-tmp");
    sd__sb_free(&out);
    unsetenv("TMPDIR");
    sd_error_free(e);
    sd_result_free(r);
}

/* `test_xlsx OUT LANG`: write the report workbook for the script. */
static int write_out(const char *path, const char *lang)
{
    sd_result *r = study();
    if (!r)
        return 1;
    report p;
    report_make(&p, r);
    sd_error *e = sd_error_new();
    sd_strbuf out;
    int rc = 0;
    if (render(&p.doc, lang, &out, e) != SD_OK) {
        fprintf(stderr, "test_xlsx: %s\n", sd_error_message(e));
        rc = 1;
    } else {
        FILE *fp = fopen(path, "wb");
        if (!fp || fwrite(out.s, 1, out.len, fp) != out.len)
            rc = 1;
        if (fp && fclose(fp) != 0)
            rc = 1;
    }
    sd__sb_free(&out);
    sd_error_free(e);
    report_free(&p);
    sd_result_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3)
        return write_out(argv[1], argv[2]);
    RUN(test_workbook_bytes);
    RUN(test_tmpdir_missing);
    return h_failed_tests ? 1 : 0;
}
