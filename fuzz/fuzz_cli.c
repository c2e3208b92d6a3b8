/*
 * fuzz_cli.c — libFuzzer target for the command line: option parsing of
 * every command (src/cli/, getopt_long), the spec parsing behind it (row
 * and banner lists, A TO B, wildcards, NAME:mean, a>b nests, filters,
 * design and statistics options) and the whole run to the output files.
 *
 * The input is a command line, arguments separated by NUL or newline bytes
 * (at most 40 of 512 bytes). It runs in a private folder holding a small
 * survey (d.csv with codebook d.yaml, a second wave w.csv): an argument
 * holding '/' is refused, so nothing outside that folder is read or
 * written, and files a command writes there are removed after each run.
 * Only info, tab and convert (and --help, --version) are run: demo is the
 * bundled study, covered elsewhere. Any command line must end with an exit
 * status of 0, 1 or 2 (3 only for out of memory), never a crash, a leak,
 * undefined behaviour or a hang. fuzz/options/cli closes the target's
 * stdout and stderr (libFuzzer keeps its own). The folder is entered only
 * for each run, so libFuzzer's own relative paths still work.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sd_cli_main(int argc, char **argv);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char d_csv[] =
    "id,region,sex,q1,q2,a1,a2,w,st,psu,rw1,rw2,rw3,rw4,x,name\n"
    "1,1,1,1,2,1,0,1.5,1,1,1.4,1.6,0,3,12.5,Ann\n"
    "2,1,2,2,9,0,1,0.5,1,1,0.4,0.6,1,0,7,Bob\n"
    "3,2,1,1,1,1,1,1,1,2,1,1.2,0.8,2,3.25,\"Cé, Dé\"\n"
    "4,2,2,9,2,,0,2,1,2,2.1,1.9,2,2,,Dan\n"
    "5,,1,2,1,0,0,1,2,3,0.9,1.1,1,1,4,Eve\n"
    "6,2,2,,1,1,,1,2,3,1,1,1,1,5.5,Fay\n"
    "7,1,1,1,2,1,1,0.8,2,4,0.7,0.9,0.8,0,9,Gus\n"
    "8,2,2,2,1,0,1,1.2,2,4,1.3,1.1,1.2,2.4,1,Hal\n";
static const char w_csv[] =
    "id,region,sex,q1,q2,a1,a2,w,st,psu,rw1,rw2,rw3,rw4,x,name\n"
    "1,1,1,2,2,1,0,1,1,1,1,1,0,2,10,Ann\n"
    "2,2,2,1,1,0,1,1,1,2,1,1,2,0,8,Bob\n"
    "3,2,1,1,9,1,1,2,2,3,2,2,2,2,6,Cid\n";
static const char d_yaml[] =
    "title: {fr: \"Petit\", en: \"Small\"}\n"
    "variables:\n"
    "  - name: region\n"
    "    label: {fr: Région, en: Region}\n"
    "    values: {1: {fr: Nord, en: North}, 2: {fr: Sud, en: South}}\n"
    "  - name: q1\n"
    "    label: \"Satisfied?\"\n"
    "    values: {1: \"Yes\", 2: \"No\", 9: \"DK\"}\n"
    "    missing: [9]\n"
    "    nets:\n"
    "      - {name: any, codes: [1, 2], label: \"Yes or no\"}\n"
    "  - name: x\n"
    "    measure: scale\n"
    "mrsets:\n"
    "  - name: acts\n"
    "    kind: dichotomy\n"
    "    counted: 1\n"
    "    variables: [a1, a2]\n";

static const char *const keep[] = {"d.csv", "w.csv", "d.yaml", NULL};
static char dir[64];
static int home = -1; /* the folder libFuzzer runs in, kept while we are away */

static void put(const char *name, const char *text)
{
    FILE *fp = fopen(name, "wb");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

/* Remove what a run wrote (the folder keeps only the survey). */
static void tidy(void)
{
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        bool base = false;
        for (int i = 0; keep[i]; i++)
            base |= strcmp(e->d_name, keep[i]) == 0;
        if (!base)
            unlink(e->d_name);
    }
    if (d)
        closedir(d);
}

static void bye(void)
{
    if (chdir(dir) != 0)
        return;
    tidy();
    for (int i = 0; keep[i]; i++)
        unlink(keep[i]);
    if (fchdir(home) == 0)
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/fuzz_cli_XXXXXX");
    home = open(".", O_RDONLY | O_DIRECTORY);
    if (home < 0 || !mkdtemp(dir) || chdir(dir) != 0)
        abort();
    put("d.csv", d_csv);
    put("w.csv", w_csv);
    put("d.yaml", d_yaml);
    if (fchdir(home) != 0)
        abort();
    atexit(bye);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAXARG = 40, MAXLEN = 512 };
    char *argv[MAXARG + 2];
    int argc = 0;
    argv[argc++] = (char *)"sondage";
    size_t i = 0;
    while (i < size && argc <= MAXARG) {
        size_t j = i;
        while (j < size && data[j] != '\0' && data[j] != '\n')
            j++;
        if (j - i > MAXLEN || memchr(data + i, '/', j - i)) {
            for (int k = 1; k < argc; k++)
                free(argv[k]);
            return 0; /* too long, or a path out of the folder */
        }
        char *a = malloc(j - i + 1);
        if (!a)
            break;
        memcpy(a, data + i, j - i);
        a[j - i] = '\0';
        argv[argc++] = a;
        i = j + 1;
    }
    argv[argc] = NULL;
    bool run = argc >= 2 && (!strcmp(argv[1], "info") || !strcmp(argv[1], "tab") ||
                             !strcmp(argv[1], "convert") || !strcmp(argv[1], "--help") ||
                             !strcmp(argv[1], "--version"));
    if (run) {
        /* getopt keeps where it was in the last argv: start it afresh. */
        char *none[] = {(char *)"sondage", NULL};
        optind = 0;
        opterr = 0;
        getopt(1, none, "");
        if (chdir(dir) != 0)
            abort();
        int rc = sd_cli_main(argc, argv);
        fflush(stdout);
        clearerr(stdout);
        if (rc < 0 || rc > 3)
            abort();
        tidy();
        if (fchdir(home) != 0)
            abort();
    }
    for (int k = 1; k < argc; k++)
        free(argv[k]);
    return 0;
}
