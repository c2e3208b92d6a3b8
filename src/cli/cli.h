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
int cmd_report(int argc, char **argv);
int cmd_codebook(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_tokens(int argc, char **argv);
int cmd_weight(int argc, char **argv);

/* Print `sondage: error: FILE:LINE:COL: message` for a library error and
 * return the exit status it maps to. */
int cli_report(const sd_error *err);
/* Print a usage error (`sondage: error: …` then a hint) and return 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse --format / --lang / --missing values; false after printing. */
bool cli_outfmt(const char *cmd, const char *s, bool allow_csv, sd_outfmt *out);
bool cli_lang(const char *cmd, const char *s);
/* Like cli_report, for an error met while writing `path` (NULL or "-":
 * standard output): the message names the output when the error has no
 * file of its own. */
int cli_report_output(const sd_error *err, const char *path);
/* Open -o FILE (or stdout for NULL / "-") through sd_outfile (a temporary
 * file renamed over FILE on success); NULL after printing. */
sd_outfile *cli_output(const char *path, sd_error *err);
/* Write everything out and replace the target; prints any failure and
 * returns the exit status. */
int cli_close_output(sd_outfile *out, sd_error *err);
/* Refuse (usage error, after printing) an output that is one of the inputs
 * or another output, by device and inode (links and spellings count) or by
 * name: `inputs` and `outputs` are NULL-terminated lists of name/role pairs
 * with NULL or "@study" names skipped. */
bool cli_outputs_ok(const char *cmd, const char *const *inputs, const char *const *outputs);
/* Is s a PostgreSQL URI (postgresql://, postgres://)? */
bool cli_is_uri(const char *s);

#endif
