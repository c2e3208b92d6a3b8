/*
 * db.h — the db layer's interface: a tabulation of a dataset whose rows
 * stay in a database (sd_dataset.remote), computed there. Between the
 * engine (whose plan and accumulators it fills) and the stats layer (which
 * cannot tell the difference): the same sd_work as sd__tabulate_counts
 * gives for the same rows read from a file.
 */
#ifndef SD_DB_H
#define SD_DB_H

#include "../engine/engine.h"

/* sd__tabulate_counts for a database's dataset (ds->remote set). */
sd_status sd__db_tabulate_counts(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                                 sd_error *err);

#endif /* SD_DB_H */
