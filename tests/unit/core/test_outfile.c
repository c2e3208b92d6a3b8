/*
 * test_outfile.c — output files (src/core/outfile.c): a commit replaces the
 * target, an abort or a failed write leaves it as it was and removes the
 * temporary file, devices are written in place, same-file checks follow
 * links; and the dataset writers refuse to overwrite their own source.
 */
#include "core/core.h"
#include "harness.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
    char *data = NULL;
    size_t len;
    if (sd__read_file(path, &data, &len, NULL) != SD_OK)
        return NULL;
    return data;
}

static void spit(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

/* Files in the folder, temporary ones included. */
static int nfiles(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' || strlen(e->d_name) > 2;
    if (d)
        closedir(d);
    return n;
}

static void test_commit_replaces_abort_keeps(void)
{
    char p[128];
    path_in(p, sizeof p, "t.txt");
    spit(p, "old\n");
    chmod(p, 0640);
    sd_outfile *o = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_outfile_open(p, &o, e), SD_OK);
    fputs("new\n", sd_outfile_stream(o));
    char *t = slurp(p);
    CHECK_STR(t, "old\n"); /* untouched until the commit */
    free(t);
    CHECK_INT(nfiles(), 2);
    CHECK_INT(sd_outfile_commit(o, e), SD_OK);
    t = slurp(p);
    CHECK_STR(t, "new\n");
    free(t);
    struct stat st;
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK_INT(nfiles(), 1);

    CHECK_INT(sd_outfile_open(p, &o, e), SD_OK);
    fputs("half", sd_outfile_stream(o));
    sd_outfile_abort(o);
    t = slurp(p);
    CHECK_STR(t, "new\n");
    free(t);
    CHECK_INT(nfiles(), 1);
    sd_outfile_abort(NULL);
    /* A name of 250 bytes: its temporary file still fits NAME_MAX. */
    char longname[300], lp[400];
    memset(longname, 'n', 250);
    longname[250] = '\0';
    path_in(lp, sizeof lp, longname);
    CHECK_INT(sd_outfile_open(lp, &o, e), SD_OK);
    if (o) {
        fputs("x\n", sd_outfile_stream(o));
        CHECK_INT(sd_outfile_commit(o, e), SD_OK);
    }
    CHECK(access(lp, F_OK) == 0);
    unlink(lp);
    unlink(p);
    sd_error_free(e);
}

static void test_devices_and_errors(void)
{
    sd_outfile *o = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_outfile_open("/dev/full", &o, e), SD_OK);
    fputs("x", sd_outfile_stream(o));
    CHECK_INT(sd_outfile_commit(o, e), SD_E_IO);
    CHECK_STR(sd_error_message(e), "write error: No space left on device (ENOSPC)");
    CHECK_STR(sd_error_file(e), "/dev/full");
    sd_error_clear(e);
    CHECK_INT(sd_outfile_open("/dev/null", &o, e), SD_OK);
    fputs("x", sd_outfile_stream(o));
    CHECK_INT(sd_outfile_commit(o, e), SD_OK);
    struct stat st;
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)); /* not renamed over */
    CHECK_INT(sd_outfile_open(dir, &o, e), SD_E_IO);
    CHECK_STR(sd_error_message(e), "is a folder: expected a file name to write");
    sd_error_clear(e);
    CHECK_INT(sd_outfile_open("", &o, e), SD_E_INVALID);
    sd_error_clear(e);
    CHECK_INT(sd_outfile_wrap(stdout, "standard output", &o, e), SD_OK);
    CHECK(sd_outfile_stream(o) == stdout);
    CHECK_STR(sd__outfile_name(o), "standard output");
    CHECK_INT(sd_outfile_commit(o, e), SD_OK);
    FILE *ro = fopen("/dev/null", "r");
    CHECK_INT(sd_outfile_wrap(ro, "ro", &o, e), SD_OK);
    fputs("x", sd_outfile_stream(o));
    CHECK_INT(sd_outfile_commit(o, e), SD_E_IO);
    CHECK_STR(sd_error_file(e), "ro");
    CHECK(strncmp(sd_error_message(e), "write error: ", 13) == 0);
    fclose(ro);
    sd_error_free(e);
}

static void test_same_file(void)
{
    char a[128], b[128], c[128];
    path_in(a, sizeof a, "a.csv");
    path_in(b, sizeof b, "b.csv");
    path_in(c, sizeof c, "c.csv");
    spit(a, "x\n1\n");
    CHECK(link(a, b) == 0);
    CHECK(symlink(a, c) == 0);
    CHECK_INT(sd_path_same_file(a, a), 1);
    CHECK_INT(sd_path_same_file(a, b), 1);
    CHECK_INT(sd_path_same_file(c, a), 1);
    CHECK_INT(sd_path_same_file(a, "/nonexistent/x"), 0);
    CHECK_INT(sd_path_same_file("/dev/null", "/dev/null"), 0);
    CHECK_INT(sd_path_same_file("-", a), 0);

    /* The writers refuse their own source, whatever the spelling. */
    sd_dataset *ds = NULL;
    sd_error *e = sd_error_new();
    CHECK_INT(sd_dataset_open(a, SD_FORMAT_CSV, NULL, &ds, e), SD_OK);
    CHECK_INT(sd_dataset_write_csv(ds, b, NULL, e), SD_E_INVALID);
    CHECK_STR(sd_error_message(e), "is the file the data was read from: expected another output "
                                   "file");
    sd_error_clear(e);
    char d[128], y[128];
    path_in(d, sizeof d, "d.csv");
    path_in(y, sizeof y, "d.yaml");
    CHECK_INT(sd_dataset_write_csv(ds, d, d, e), SD_E_INVALID);
    CHECK(access(d, F_OK) != 0);
    sd_error_clear(e);
    CHECK_INT(sd_dataset_write_csv(ds, d, y, e), SD_OK);
    CHECK(access(d, F_OK) == 0 && access(y, F_OK) == 0);
    sd_error_clear(e);
    CHECK_INT(sd_dataset_write_sav(ds, c, "en", e), SD_E_INVALID);
    char *t = slurp(a);
    CHECK_STR(t, "x\n1\n");
    free(t);
    sd_dataset_free(ds);
    sd_error_free(e);
    unlink(a);
    unlink(b);
    unlink(c);
    unlink(d);
    unlink(y);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/sd_outfile_XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_commit_replaces_abort_keeps);
    RUN(test_devices_and_errors);
    RUN(test_same_file);
    rmdir(dir);
    DONE();
}
