/*
 * plan.h — engine-private: the category map of one variable (its categories
 * in display order and each row's category index).
 */
#ifndef SD_PLAN_H
#define SD_PLAN_H

#include "engine.h"

typedef struct sd_catmap {
    sd_cat *cats;       /* categories in display order (owned) */
    size_t ncats;
    int32_t *idx;       /* per row: index into cats, -1 when missing (owned) */
    uint64_t *netmask;  /* per category: bit k set when it belongs to net k (owned) */
    size_t nnets;       /* nets of the variable used (at most 64) */
} sd_catmap;

/* Build the map of variable `var`. User-missing values are categories when
 * mode is SD_MISSING_INCLUDE; value-labelled codes that nobody chose are
 * categories too (with zero counts), as SPSS CTABLES shows them. */
sd_status sd__catmap_build(const sd_dataset *ds, size_t var, sd_missing_mode mode,
                           bool with_nets, sd_catmap *out, sd_error *err);
void sd__catmap_free(sd_catmap *m);

#endif
