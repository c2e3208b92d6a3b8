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

#endif
