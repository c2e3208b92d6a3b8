/*
 * opts.h — option parsing shared by the commands: comma lists, the
 * positional FILE, getopt_long's errors turned into our message shape.
 */
#ifndef SD_CLI_OPTS_H
#define SD_CLI_OPTS_H

#include "cli.h"

#include <getopt.h>

/* Report getopt_long's '?' or ':' return for `cmd` and return 2. */
int opts_bad(const char *cmd, int c, char **argv, const struct option *longopts);
/* The one optional FILE after the options ("@study" when none). NULL after
 * printing a usage error when there are several. */
const char *opts_file(const char *cmd, int argc, char **argv);
/* Split "a,b,c" and call add(ctx, name) for each; false on failure. */
bool opts_split(const char *list, bool (*add)(void *ctx, const char *name), void *ctx);

/* Open the FILE a command reads: the codebook (-b) and text encoding
 * (--encoding NAME) every reading command takes, passed to the library.
 * A command adds {"encoding", required_argument, NULL, 'E'} to its options
 * and ENCODING_HELP (or the same words aligned to its columns) to its help. */
#define ENCODING_HELP                                                                              \
    "      --encoding NAME    FILE's text encoding (iconv name: WINDOWS-1252,\n"                \
    "                         ISO-8859-15, UTF-16...); default UTF-8, or\n"                       \
    "                         Windows-1252 when a CSV is not UTF-8 and reads as it,\n"            \
    "                         and what SPSS, Stata and SAS files declare\n"
sd_status opts_open(const char *file, const char *codebook, const char *encoding,
                    sd_dataset **out, sd_error *err);
/* The same with --table NAME (a postgresql:// FILE's table; NULL: none). */
sd_status opts_open_table(const char *file, const char *table, const char *codebook,
                          const char *encoding, sd_dataset **out, sd_error *err);
/* A request that could not stream (sd_tabulate_stream, sd_report_run_stream
 * said SD_E_UNSUPPORTED, the reason in err): the note saying so when the
 * user asked --stream (`say`), and err cleared for the whole read. */
void opts_stream_fallback(bool say, sd_error *err);
#define TABLE_HELP                                                                                 \
    "      --table NAME       FILE is a postgresql:// URI: its table (or ?table=NAME)\n"


/* The table and design options of the commands that tabulate (tab,
 * report): 'D' takes a value, 'F' is a flag, each passed on by its name to
 * sd_tabspec_set_option. */
typedef struct opts_pair {
    const char *key, *value;
} opts_pair;
/* A command's own options followed by the table options, terminated as
 * getopt_long wants (free() it); NULL when out of memory. */
struct option *opts_with_table(const struct option *own);
/* Apply the pairs to a request; a usage error (exit 2) names the option. */
int opts_apply(const char *cmd, sd_tabspec *spec, const opts_pair *p, size_t n, sd_error *err);

#endif
