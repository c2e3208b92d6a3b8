/*
 * test_others.c — files written by other programs' test suites
 * (tests/data/README.md says where each comes from): what ReadStat alone
 * drops or refuses and sondage reads around it. SPSS multiple-response sets
 * and the weight, read and written back; names SPSS cannot hold; encodings;
 * corrupt files refused with the part named. Run from the repository root.
 */
#include "harness.h"

#include "data/data.h"
#include "io/readstat_mem.h"
#include "io/sav_dict.h"
#include "sondage.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
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

/* The set's variable names joined by spaces, into buf. */
static const char *set_vars(const sd_mrset *m, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; m && i < sd_mrset_nvars(m); i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", i ? " " : "", sd_var_name(sd_mrset_var(m, i)));
    }
    return buf;
}

static void check_set(const sd_dataset *ds, const char *name, sd_mrset_kind kind, double counted,
                      const char *label, const char *vars)
{
    const sd_mrset *m = sd_dataset_find_mrset(ds, name);
    if (!m)
        fprintf(stderr, "  set %s not found\n", name);
    CHECK(m != NULL);
    if (!m)
        return;
    char buf[512];
    CHECK_INT(sd_mrset_kind_of(m), kind);
    if (kind == SD_MRSET_DICHOTOMY)
        CHECK_NEAR(sd_mrset_counted(m), counted, 0);
    if (label)
        CHECK_STR(sd_mrset_label(m, NULL), label);
    else
        CHECK(sd_mrset_label(m, NULL) == NULL);
    CHECK_STR(set_vars(m, buf, sizeof buf), vars);
}

/* pyreadstat's simple_alltypes.sav: PSPP's MRSETS /DISPLAY lists
 * $categorical_array (categories) and $mymrset (dichotomies, counted 1). */
static void check_pyreadstat_sets(const sd_dataset *ds)
{
    CHECK_INT(sd_dataset_nmrsets(ds), 2);
    check_set(ds, "$categorical_array", SD_MRSET_CATEGORY, 0, NULL,
              "ca_subvar_1 ca_subvar_2 ca_subvar_3");
    check_set(ds, "$mymrset", SD_MRSET_DICHOTOMY, 1, "My multiple response set",
              "bool1 bool2 bool3");
}

/* savReaderWriter's spssio_test.sav (written by IBM's I/O module): three
 * sets, and the weight weightVar. */
static void check_spssio_sets(const sd_dataset *ds)
{
    CHECK_INT(sd_dataset_nmrsets(ds), 3);
    check_set(ds, "$ages", SD_MRSET_CATEGORY, 0, "the ages", "Age AGE2 AGE3");
    check_set(ds, "$incomes", SD_MRSET_CATEGORY, 0, "three kinds of income",
              "Income1 Income2 Income3 Age AGE2 AGE3");
    check_set(ds, "$V", SD_MRSET_DICHOTOMY, 1, NULL, "V1 V2 V3");
    CHECK(ds->design.declared);
    CHECK_STR(ds->design.weight, "weightVar");
}

static void test_mrsets_read(void)
{
    sd_dataset *a = open_ok(DATA "simple_alltypes.sav");
    if (a) {
        CHECK_INT(sd_dataset_nrows(a), 6);
        check_pyreadstat_sets(a);
        CHECK(!a->design.declared); /* no weight in that file */
    }
    sd_dataset_free(a);
    sd_dataset *b = open_ok(DATA "spssio_test.sav");
    if (b) {
        CHECK_INT(sd_dataset_nrows(b), 9);
        CHECK_INT(sd_dataset_nvars(b), 22);
        check_spssio_sets(b);
    }
    sd_dataset_free(b);
}

static sd_dataset *roundtrip(const char *in, const char *out)
{
    sd_dataset *a = open_ok(in);
    if (!a)
        return NULL;
    sd_error *err = sd_error_new();
    sd_status st = sd_dataset_write_sav(a, out, "en", err);
    if (st != SD_OK)
        fprintf(stderr, "  write %s: %s\n", out, sd_error_message(err));
    CHECK_INT(st, SD_OK);
    sd_error_free(err);
    sd_dataset_free(a);
    return st == SD_OK ? open_ok(out) : NULL;
}

static void test_mrsets_write(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sondage_others_%d.sav", (int)getpid());
    sd_dataset *a = roundtrip(DATA "simple_alltypes.sav", path);
    if (a)
        check_pyreadstat_sets(a);
    sd_dataset_free(a);
    sd_dataset *b = roundtrip(DATA "spssio_test.sav", path);
    if (b)
        check_spssio_sets(b);
    sd_dataset_free(b);
    unlink(path);
}

/* pread over a file, for the dictionary walker. */
static bool fd_pread(void *ctx, void *buf, size_t n, long long off)
{
    return pread(*(int *)ctx, buf, n, (off_t)off) == (ssize_t)n;
}

/* hebrews.sav (jamovi, through ReadStat) cuts the 8-byte short name of
 * 'ותק_ב' inside its last letter; PSPP then calls the variable VAR001. The
 * long name is read, and what sondage writes has a whole short name. */
static void test_short_name_cut(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sondage_heb_%d.sav", (int)getpid());
    sd_dataset *a = roundtrip(DATA "hebrews.sav", path);
    if (a) {
        CHECK_INT(sd_dataset_nvars(a), 1);
        CHECK_STR(sd_var_name(sd_dataset_var(a, 0)), "ותק_ב");
        CHECK_INT(sd_dataset_nrows(a), 99);
    }
    sd_dataset_free(a);
    int fd = open(path, O_RDONLY);
    struct stat sb;
    CHECK(fd >= 0 && fstat(fd, &sb) == 0);
    sd__sav_dict d;
    sd_error *err = sd_error_new();
    CHECK_INT(sd__sav_dict_read(fd_pread, &fd, (long long)sb.st_size, path, &d, err), SD_OK);
    CHECK_INT(d.nvars, 1);
    if (d.nvars == 1) {
        const char *s = d.recs[d.vars[0]].name;
        CHECK_INT(sd__utf8_valid_prefix(s, strlen(s)), strlen(s));
        CHECK_STR(s, "\xd7\x95\xd7\xaa\xd7\xa7__"); /* ותק then __ for the cut letter */
    }
    sd__sav_dict_free(&d);
    sd_error_free(err);
    close(fd);
    unlink(path);
}

/* Names SPSS refuses are renamed, distinct without regard to case. */
static void test_sav_names(void)
{
    static const char csv[] = "_id,1st,and,Age,AGE,my var,x.\n1,2,3,4,5,6,7\n";
    sd_dataset *a = NULL;
    sd_error *err = sd_error_new();
    CHECK_INT(sd_dataset_read_csv_mem(csv, sizeof csv - 1, "names.csv", &a, err), SD_OK);
    char path[64];
    snprintf(path, sizeof path, "/tmp/sondage_names_%d.sav", (int)getpid());
    CHECK_INT(sd_dataset_write_sav(a, path, "en", err), SD_OK);
    sd_dataset_free(a);
    sd_dataset *b = open_ok(path);
    static const char *const want[] = {"v_id", "v1st", "vand", "Age", "AGE_2", "my_var", "x_"};
    for (size_t i = 0; b && i < 7; i++) {
        CHECK_STR(sd_var_name(sd_dataset_var(b, i)), want[i]);
        CHECK_NEAR(sd_var_num(sd_dataset_var(b, i), 0), (double)(i + 1), 0);
    }
    sd_dataset_free(b);
    sd_error_free(err);
    unlink(path);
}

/* ------------------------------------------------------------ encodings */

static sd_status open_enc(const char *path, const char *enc, sd_dataset **ds, sd_error *err)
{
    sd_open_options o = {.encoding = enc};
    return sd_dataset_open_with(path, &o, ds, err);
}

/* The row's string value of a variable, or NULL. */
static const char *str_at(const sd_dataset *ds, const char *var, size_t row)
{
    const sd_var *v = ds ? sd_dataset_find(ds, var) : NULL;
    CHECK(v != NULL);
    return v ? sd_var_str(v, row) : NULL;
}

/* A CSV as French Excel saves it: Windows-1252, ';', decimal comma, CRLF.
 * Recognised without being told; --encoding reads the same. */
static void test_csv_cp1252(void)
{
    sd_error *err = sd_error_new();
    for (int told = 0; told < 2; told++) {
        sd_dataset *ds = NULL;
        sd_status st = open_enc(DATA "cases/excel_fr_cp1252.csv", told ? "WINDOWS-1252" : NULL,
                                &ds, err);
        if (st != SD_OK)
            fprintf(stderr, "  %s\n", sd_error_message(err));
        CHECK_INT(st, SD_OK);
        if (!ds)
            continue;
        CHECK_INT(sd_dataset_nrows(ds), 3);
        CHECK_STR(str_at(ds, "nom", 0), "Thérèse");
        CHECK_STR(str_at(ds, "ville", 0), "Besançon");
        CHECK_STR(str_at(ds, "ville", 1), "Paris €");
        CHECK_STR(str_at(ds, "nom", 2), "Élodie");
        CHECK_NEAR(sd_var_num(sd_dataset_find(ds, "note"), 0), 12.5, 0);
        sd_dataset_free(ds);
    }
    sd_error_free(err);
}

/* --encoding wins over the guess: 0xA4 is '€' in ISO-8859-15 and '¤' in
 * Windows-1252. An unknown name is refused before the file is read. */
static void test_csv_encoding_option(void)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK_INT(open_enc(DATA "cases/latin9.csv", "ISO-8859-15", &ds, err), SD_OK);
    CHECK_STR(str_at(ds, "prix", 0), "3 €");
    CHECK_STR(str_at(ds, "nom", 0), "Café");
    sd_dataset_free(ds);
    ds = NULL;
    CHECK_INT(open_enc(DATA "cases/latin9.csv", NULL, &ds, err), SD_OK);
    CHECK_STR(str_at(ds, "prix", 0), "3 ¤");
    sd_dataset_free(ds);
    ds = NULL;
    CHECK_INT(open_enc(DATA "cases/latin9.csv", "NO-SUCH-CODESET", &ds, err), SD_E_INVALID);
    CHECK(ds == NULL);
    CHECK_STR(sd_error_message(err), "unknown encoding 'NO-SUCH-CODESET': expected a name iconv "
                                     "knows (iconv -l), such as WINDOWS-1252, ISO-8859-15 or "
                                     "UTF-16");
    /* A byte the encoding given does not have: the line is named. */
    sd_error_clear(err);
    static const char bad[] = "a,b\nx,1\n\x81,2\n";
    char path[64];
    snprintf(path, sizeof path, "/tmp/sondage_enc_%d.csv", (int)getpid());
    FILE *fp = fopen(path, "wb");
    CHECK(fp && fwrite(bad, 1, sizeof bad - 1, fp) == sizeof bad - 1);
    if (fp)
        fclose(fp);
    CHECK_INT(open_enc(path, "WINDOWS-1252", &ds, err), SD_E_ENCODING);
    CHECK_INT(sd_error_line(err), 3);
    CHECK_STR(sd_error_message(err),
              "byte 9 is not valid WINDOWS-1252 text: expected the encoding given (--encoding)");
    /* Undefined in Windows-1252 and not UTF-8: not guessed, refused. */
    sd_error_clear(err);
    CHECK_INT(open_enc(path, NULL, &ds, err), SD_E_ENCODING);
    CHECK_INT(sd_error_line(err), 3);
    unlink(path);
    /* UTF-16 with its byte-order mark (Excel's "Unicode text"). */
    static const char u16[] = "\xff\xfex\0,\0y\0\n\0\xe9\0,\0" "2\0\n\0";
    fp = fopen(path, "wb");
    CHECK(fp && fwrite(u16, 1, sizeof u16 - 1, fp) == sizeof u16 - 1);
    if (fp)
        fclose(fp);
    sd_error_clear(err);
    CHECK_INT(open_enc(path, NULL, &ds, err), SD_OK);
    CHECK_STR(str_at(ds, "x", 0), "é");
    sd_dataset_free(ds);
    unlink(path);
    sd_error_free(err);
}

/* kshedden/datareader's test19.sas7bdat declares Windows-1252 and holds
 * UTF-8 (Chinese, Cyrillic, Korean): ReadStat cannot convert it. Refused
 * with the declared encoding named; --encoding UTF-8 reads it as the
 * reference CSV beside it (test_files/ref/test19.csv) has it. */
static void test_sas_encoding_override(void)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK_INT(open_enc(DATA "test19.sas7bdat", NULL, &ds, err), SD_E_ENCODING);
    CHECK(ds == NULL);
    CHECK_STR(sd_error_message(err),
              "text in this SAS .sas7bdat file is not valid WINDOWS-1252, the encoding it "
              "declares: name its real encoding (--encoding, e.g. ISO-8859-1 or UTF-8)");
    CHECK_INT(open_enc(DATA "test19.sas7bdat", "UTF-8", &ds, err), SD_OK);
    if (ds) {
        CHECK_INT(sd_dataset_nrows(ds), 10);
        CHECK_INT(sd_dataset_nvars(ds), 100);
        CHECK_STR(str_at(ds, "Column2", 0), "高雄市");
        CHECK_STR(str_at(ds, "Column2", 1), "Иркутск");
        CHECK_STR(str_at(ds, "Column6", 0), "부산");
        CHECK_NEAR(sd_var_num(sd_dataset_find(ds, "Column1"), 0), 0.636, 1e-12);
        CHECK_NEAR(sd_var_num(sd_dataset_find(ds, "Column3"), 1), 49, 0);
    }
    sd_dataset_free(ds);
    sd_error_free(err);
}

/* kshedden/datareader's test2_115.dta: Stata 13 (format 115) declares no
 * encoding and holds UTF-8; ReadStat takes Windows-1252 and cannot convert.
 * Refused, saying so; --encoding UTF-8 reads it. */
static void test_dta_encoding_override(void)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK_INT(open_enc(DATA "test2_115.dta", NULL, &ds, err), SD_E_ENCODING);
    CHECK_STR(sd_error_message(err),
              "text in this Stata .dta file is not valid Windows-1252, the encoding taken when "
              "a file declares none: name its real encoding (--encoding, e.g. UTF-8)");
    CHECK_INT(open_enc(DATA "test2_115.dta", "UTF-8", &ds, err), SD_OK);
    if (ds) {
        CHECK_INT(sd_dataset_nrows(ds), 10);
        CHECK_STR(str_at(ds, "column2", 0), "高雄市");
        CHECK_STR(str_at(ds, "column2", 1), "Иркутск");
    }
    sd_dataset_free(ds);
    sd_error_free(err);
}

/* ------------------------------------------------------------ Stata .a–.z */

#define TAG(k) ldexp(1.0 + (k) / 4096.0, 1023)

/* haven's tagged-na-int.dta and tagged-na-double.dta: x = 1..5, .a, .h,
 * .z, with labels a = "apple", z = ".zebra". The tagged values were read
 * as system-missing and their labels dropped; they are user-missing codes
 * with their labels now, so --missing include tabulates them, and .h,
 * which has none, is labelled ".h". */
static void test_stata_tagged_missing(void)
{
    static const char *const files[] = {DATA "tagged-na-int.dta", DATA "tagged-na-double.dta"};
    for (size_t f = 0; f < 2; f++) {
        sd_dataset *ds = open_ok(files[f]);
        const sd_var *x = ds ? sd_dataset_find(ds, "x") : NULL;
        CHECK(x != NULL);
        if (!x) {
            sd_dataset_free(ds);
            continue;
        }
        static const double want[8] = {1, 2, 3, 4, 5, TAG(1), TAG(8), TAG(26)};
        CHECK_INT(sd_dataset_nrows(ds), 8);
        for (size_t r = 0; r < 8; r++) {
            CHECK(!x->sysmis[r]);
            CHECK_NEAR(sd_var_num(x, r), want[r], 0);
            CHECK_INT(sd_var_is_missing(x, r), r >= 5);
        }
        /* .h has no label in the file: it is labelled with its name */
        CHECK_INT(sd_var_nvalue_labels(x), 3);
        for (size_t i = 0; i < sd_var_nvalue_labels(x); i++) {
            double code = sd_var_value_code(x, i);
            CHECK(code == TAG(1) || code == TAG(8) || code == TAG(26));
            CHECK_STR(sd_var_value_label(x, i, NULL),
                      code == TAG(1) ? "apple" : code == TAG(8) ? ".h" : ".zebra");
        }
        sd_dataset_free(ds);
    }
}

/* ------------------------------------------------------------ corrupt files */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    CHECK(b && fread(b, 1, (size_t)n, fp) == (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

/* Read len bytes of a real file as fmt; expect SD_E_FORMAT and msg. */
static void refused(const unsigned char *b, size_t len, sd_format fmt, const char *msg)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK_INT(sd__read_readstat_mem(b, len, fmt, "cut", &ds, err), SD_E_FORMAT);
    CHECK(ds == NULL);
    CHECK_STR(sd_error_message(err), msg);
    sd_dataset_free(ds);
    sd_error_free(err);
}

static void put32(unsigned char *p, int32_t v) { memcpy(p, &v, 4); }

/* Corrupt files that read as whole: refused, naming the part. */
static void test_corrupt_refused(void)
{
    size_t n;
    unsigned char *b = slurp(DATA "survey.dta", &n); /* foreign's format 114 */
    if (b) {
        /* One byte short: the last value-label table was dropped silently. */
        refused(b, n - 1, SD_FORMAT_DTA,
                "corrupt Stata .dta file: value labels: the file ends inside them (at byte "
                "2556, where 1 more bytes were expected)");
        /* A label table claiming 2 GiB: the part named, never "Unable to
         * allocate memory". */
        unsigned char *o = NULL;
        for (size_t i = 1000; i + 7 < n && !o; i++)
            if (memcmp(b + i, "secteur", 7) == 0)
                o = b + i - 4;
        CHECK(o != NULL);
        if (o) {
            put32(o, 0x7fffffff);
            refused(b, n, SD_FORMAT_DTA,
                    "corrupt Stata .dta file: value labels (after the 12 data rows): a size it "
                    "claims is zero or larger than the 16 MiB ReadStat accepts (around byte "
                    "2353)");
        }
    }
    free(b);
    b = slurp(DATA "tagged-na-int.dta", &n); /* haven's format 118 */
    if (b)
        refused(b, n - 1, SD_FORMAT_DTA,
                "corrupt Stata .dta file: end: it does not close with </stata_dta> (cut short?)");
    free(b);
    b = slurp(DATA "survey.xpt", &n);
    if (b) {
        /* A NAMESTR header claiming 0 variables: ReadStat's allocation of
         * nothing is refused; said as the file's claim, with the part. */
        unsigned char *o = NULL;
        for (size_t i = 0; i + 38 < n && !o; i++)
            if (memcmp(b + i, "NAMESTR HEADER RECORD!!!!!!!", 28) == 0)
                o = b + i + 28;
        CHECK(o != NULL);
        if (o) {
            unsigned char keep[4];
            memcpy(keep, o + 6, 4);
            memcpy(o + 6, "0000", 4);
            refused(b, n, SD_FORMAT_XPORT,
                    "corrupt SAS transport (XPORT) file: header: a size it claims is zero or "
                    "larger than the 16 MiB ReadStat accepts (around byte 640)");
            memcpy(o + 6, "0006", 4);
            refused(b, n, SD_FORMAT_XPORT,
                    "corrupt or unsupported SAS transport (XPORT) file: dictionary (its 6 "
                    "variables): what is there is not what the format has at that point (around "
                    "byte 1600)");
            memcpy(o + 6, keep, 4);
        }
        /* Cut inside row 12 (80 bytes short): 11 rows were read, exit 0. */
        refused(b, n - 80, SD_FORMAT_XPORT,
                "corrupt SAS transport (XPORT) file: data row 12: the file ends inside it (33 of "
                "its 77 bytes are there)");
        refused(b, n - 500, SD_FORMAT_XPORT,
                "corrupt SAS transport (XPORT) file: data row 6: the file ends inside it (75 of "
                "its 77 bytes are there)");
        /* A whole file still reads, with its 12 rows. */
        sd_dataset *ds = NULL;
        CHECK_INT(sd__read_readstat_mem(b, n, SD_FORMAT_XPORT, "whole", &ds, NULL), SD_OK);
        CHECK(ds && sd_dataset_nrows(ds) == 12);
        sd_dataset_free(ds);
    }
    free(b);
    /* XPORT 8 (pyreadstat's dates_xpt_v8.xpt) gives its row count in the
     * OBSV8 header: a file that disagrees is refused. */
    b = slurp(DATA "dates_xpt_v8.xpt", &n);
    if (b) {
        sd_dataset *ds = NULL;
        CHECK_INT(sd__read_readstat_mem(b, n, SD_FORMAT_XPORT, "whole", &ds, NULL), SD_OK);
        CHECK(ds && sd_dataset_nrows(ds) == 19);
        sd_dataset_free(ds);
        refused(b, n - 160, SD_FORMAT_XPORT,
                "corrupt SAS transport (XPORT) file: data row 18: the header promises 19 rows and "
                "the data hold 17");
        unsigned char *o = NULL;
        for (size_t i = 0; i + 28 < n && !o; i++)
            if (memcmp(b + i, "OBSV8   HEADER RECORD!!!!!!!", 28) == 0)
                o = b + i;
        CHECK(o != NULL);
        if (o) {
            memcpy(o + 28, "             12", 15);
            refused(b, n, SD_FORMAT_XPORT,
                    "corrupt SAS transport (XPORT) file: data row 13: the header promises 12 rows "
                    "and the data hold 19");
        }
    }
    free(b);
    /* A .por number past what a double holds (base-30 "1+TT": 30^899) was
     * read as missing; refused, naming the row and the variable. */
    b = slurp(DATA "survey.por", &n);
    if (b) {
        unsigned char *o = NULL;
        for (size_t i = 0; i + 5 < n && !o; i++)
            if (memcmp(b + i, "F.MF/", 5) == 0)
                o = b + i;
        CHECK(o != NULL);
        if (o) {
            memcpy(o, "1+TT/", 5);
            refused(b, n, SD_FORMAT_POR,
                    "corrupt SPSS portable .por file: data row 2: the value of 'SCORE' is a "
                    "number too large for a double (beyond 1.8e308)");
        }
    }
    free(b);
    b = slurp(DATA "survey.sav", &n);
    if (b) {
        /* A negative case count read as 0 rows. */
        put32(b + 80, -5);
        refused(b, n, SD_FORMAT_SAV,
                "corrupt SPSS .sav file: header (at byte 80): a case count of -5, expected -1 "
                "(not given) or 0 or more");
        /* More cases promised than there are. */
        put32(b + 80, 1000000);
        refused(b, n, SD_FORMAT_SAV,
                "corrupt SPSS .sav file: data row 13: the header promises 1000000 rows and the "
                "data hold 12");
        /* A value-label count far beyond the file: refused before any
         * allocation, never "Unable to allocate memory". */
        put32(b + 80, 12);
        size_t at = 776; /* the first value-label record (type 3) of survey.sav */
        int32_t t3;
        memcpy(&t3, b + at, 4);
        CHECK_INT(t3, 3);
        CHECK(at > 0);
        if (at) {
            put32(b + at + 4, 0x7fffffff);
            sd_error *err = sd_error_new();
            sd_dataset *ds = NULL;
            CHECK_INT(sd__read_readstat_mem(b, n, SD_FORMAT_SAV, "cut", &ds, err), SD_E_FORMAT);
            CHECK(strstr(sd_error_message(err), "value labels") != NULL);
            CHECK(strstr(sd_error_message(err), "2147483647 labels, more than the file holds") !=
                  NULL);
            CHECK(strstr(sd_error_message(err), "allocate") == NULL);
            sd_error_free(err);
        }
    }
    free(b);
}

/* ------------------------------------------------------------ SAS deleted rows */

/* parso's files with rows deleted in SAS (PROC SQL DELETE): ReadStat 1.1.8
 * reads them as data (37 rows for 36). The rows kept are parso's reference
 * CSVs' (src/test/resources/csv/). */
static void test_sas_deleted_rows(void)
{
    sd_dataset *a = open_ok(DATA "all_rand_normal_with_deleted.sas7bdat");
    if (a) {
        CHECK_INT(sd_dataset_nrows(a), 36);
        const sd_var *x1 = sd_dataset_find(a, "x1");
        CHECK(x1 != NULL);
        /* x1 runs 0..10, 20..90, 100..900, 1000..9000; 50 was deleted */
        static const double want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 60};
        for (size_t i = 0; x1 && i < sizeof want / sizeof want[0]; i++)
            CHECK_NEAR(sd_var_num(x1, i), want[i], 0);
        if (x1)
            CHECK_NEAR(sd_var_num(x1, 35), 9000, 0);
    }
    sd_dataset_free(a);
    sd_dataset *b = open_ok(DATA "all_rand_normal_with_deleted2.sas7bdat");
    if (b) {
        CHECK_INT(sd_dataset_nrows(b), 32); /* 0, 9, 50, 500 and 3000 deleted */
        const sd_var *x1 = sd_dataset_find(b, "x1");
        static const double want[] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30, 40, 60};
        for (size_t i = 0; x1 && i < sizeof want / sizeof want[0]; i++)
            CHECK_NEAR(sd_var_num(x1, i), want[i], 0);
    }
    sd_dataset_free(b);
    /* A deleted row on a data page (the second page), not the mix page. */
    sd_dataset *c = open_ok(DATA "data_page_with_deleted.sas7bdat");
    if (c) {
        CHECK_INT(sd_dataset_nrows(c), 997);
        CHECK_STR(str_at(c, "VAR1", 130), "93");
        CHECK_STR(str_at(c, "VAR1", 131), "30");
        CHECK_STR(str_at(c, "VAR2", 131), "91");
    }
    sd_dataset_free(c);
}

/* What ReadStat does not read is said as unsupported, with what it is:
 * parso's comp_deleted.sas7bdat (binary RDC compression, a deleted row)
 * and a .dta whose format number is newer than any ReadStat knows. */
static void test_unsupported_said(void)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    CHECK_INT(sd_dataset_open(DATA "comp_deleted.sas7bdat", SD_FORMAT_AUTO, NULL, &ds, err),
              SD_E_UNSUPPORTED);
    CHECK_STR(sd_error_message(err),
              "unsupported SAS .sas7bdat file: header or metadata pages: its compression is one "
              "ReadStat 1.1.8 does not read (SAS's binary RDC compression, for one); save it "
              "uncompressed or with COMPRESS=CHAR");
    size_t n;
    unsigned char *b = slurp(DATA "survey.dta", &n);
    if (b) {
        b[0] = 121;
        sd_error_clear(err);
        CHECK_INT(sd__read_readstat_mem(b, n, SD_FORMAT_DTA, "new.dta", &ds, err),
                  SD_E_UNSUPPORTED);
        CHECK_STR(sd_error_message(err),
                  "unsupported Stata .dta file: header: this version of the format (format 121) "
                  "is one ReadStat 1.1.8 does not read");
    }
    free(b);
    sd_error_free(err);
}

/* ------------------------------------------------------------ names */

/* savReaderWriter's german.sav: überhaupt, völlig, spaß could not be
 * written to a CSV codebook ("not a valid name"); they are now, and read
 * back; a Polish and a Hebrew name from a CSV too. */
static void test_unicode_names_codebook(void)
{
    char csv[64], yaml[64];
    snprintf(csv, sizeof csv, "/tmp/sondage_de_%d.csv", (int)getpid());
    snprintf(yaml, sizeof yaml, "/tmp/sondage_de_%d.yaml", (int)getpid());
    sd_error *err = sd_error_new();
    sd_dataset *a = open_ok(DATA "german.sav");
    if (a) {
        sd_status st = sd_dataset_write_csv(a, csv, yaml, err);
        if (st != SD_OK)
            fprintf(stderr, "  %s\n", sd_error_message(err));
        CHECK_INT(st, SD_OK);
    }
    sd_dataset_free(a);
    sd_dataset *b = NULL;
    CHECK_INT(sd_dataset_open(csv, SD_FORMAT_AUTO, yaml, &b, err), SD_OK);
    static const char *const want[] = {"python", "programmieren", "macht",
                                       "überhaupt", "völlig", "spaß"};
    for (size_t i = 0; b && i < 6; i++)
        CHECK_STR(sd_var_name(sd_dataset_var(b, i)), want[i]);
    sd_dataset_free(b);
    static const char pl[] = "źdźbło,שם,wiek\n1,2,3\n";
    sd_dataset *c = NULL;
    CHECK_INT(sd_dataset_read_csv_mem(pl, sizeof pl - 1, "pl.csv", &c, err), SD_OK);
    CHECK_INT(sd_dataset_write_csv(c, csv, yaml, err), SD_OK);
    sd_dataset_free(c);
    c = NULL;
    CHECK_INT(sd_dataset_open(csv, SD_FORMAT_AUTO, yaml, &c, err), SD_OK);
    CHECK(c && sd_dataset_find(c, "źdźbło") && sd_dataset_find(c, "שם"));
    sd_dataset_free(c);
    unlink(csv);
    unlink(yaml);
    sd_error_free(err);
}

int main(void)
{
    RUN(test_mrsets_read);
    RUN(test_mrsets_write);
    RUN(test_short_name_cut);
    RUN(test_sav_names);
    RUN(test_csv_cp1252);
    RUN(test_csv_encoding_option);
    RUN(test_sas_encoding_override);
    RUN(test_dta_encoding_override);
    RUN(test_stata_tagged_missing);
    RUN(test_corrupt_refused);
    RUN(test_unicode_names_codebook);
    RUN(test_sas_deleted_rows);
    RUN(test_unsupported_said);
    DONE();
}
