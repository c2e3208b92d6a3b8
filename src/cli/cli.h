/*
 * cli.h — the command-line layer: one file per command, and the only code
 * in sondage that prints or exits.
 */
#ifndef SD_CLI_H
#define SD_CLI_H

#include "sondage.h"

#include <stdbool.h>

/* Exit statuses (docs/sondage.1.md). */
enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

int cmd_info(int argc, char **argv);
int cmd_tab(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* Print `sondage: error: FILE:LINE:COL: message` for a library error and
 * return the exit status it maps to. */
int cli_report(const sd_error *err);
/* Print a usage error (`sondage: error: …` then a hint) and return 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse --format / --lang / --missing values; false after printing. */
bool cli_outfmt(const char *cmd, const char *s, bool allow_csv, sd_outfmt *out);
bool cli_lang(const char *cmd, const char *s);
/* Open -o FILE (or stdout for NULL / "-"); NULL after printing. */
FILE *cli_output(const char *path);
int cli_close_output(FILE *fp, const char *path);

#endif
