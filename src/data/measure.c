/*
 * measure.c — what a numeric variable is: categories or a scale. One rule,
 * applied once a dataset is read and its codebook applied (io/open.c), so
 * every reader and every command sees the same answer (docs/statistics.md,
 * "What a variable is"):
 *
 *  - a value label on a valid (not user-missing) code and at most 24
 *    distinct valid values make a variable categorical (nominal), whatever
 *    measure the file or codebook stores: SPSS files mark such variables
 *    "scale" all the time; labels only on missing codes change nothing;
 *  - a variable whose measure nobody stated (CSV without a codebook, Stata,
 *    SAS) follows SPSS's rule for unknown measures: no valid value at all,
 *    nominal; a non-integer value, scale; fewer than 24 distinct valid
 *    values, nominal; otherwise scale. A labelled one is nominal when at
 *    most 24 values or most of its distinct values carry labels (country
 *    codes), else scale (a top-coded income).
 *
 * The command line has the last word (--rows VAR:cat, VAR:mean).
 */
#include "data.h"

#include <math.h>
#include <string.h>

#define SCALE_MIN 24 /* SPSS's default minimum of distinct values for scale */
#define SMALL 1024   /* codes 0..1023 counted in a bitmap */

typedef sd_distinct distinct; /* data.h */
_Static_assert(sizeof ((distinct *)0)->small * 8 >= SMALL, "a bit for every small code");
_Static_assert(sizeof ((distinct *)0)->other / sizeof(double) >= SCALE_MIN + 1,
               "room for the values the rule counts");

/* Count x once; false when it was seen before. */
static bool distinct_add(distinct *d, double x)
{
    if (x == 0)
        x = 0; /* -0 */
    if (x >= 0 && x < SMALL && x == floor(x)) {
        size_t i = (size_t)x;
        uint64_t bit = (uint64_t)1 << (i % 64);
        if (d->small[i / 64] & bit)
            return false;
        d->small[i / 64] |= bit;
    } else {
        for (size_t k = 0; k < d->nother; k++)
            if (d->other[k] == x)
                return false;
        d->other[d->nother++] = x;
    }
    d->n++;
    return true;
}

void sd__u8_present(const uint8_t *u, size_t n, uint8_t present[256])
{
    size_t r = 0;
    for (; r + 8 <= n; r += 8) {
        present[u[r]] = 1;
        present[u[r + 1]] = 1;
        present[u[r + 2]] = 1;
        present[u[r + 3]] = 1;
        present[u[r + 4]] = 1;
        present[u[r + 5]] = 1;
        present[u[r + 6]] = 1;
        present[u[r + 7]] = 1;
    }
    for (; r < n; r++)
        present[u[r]] = 1;
}

/* Distinct valid values of v, counted up to SCALE_MIN + 1 (enough for every
 * rule above); stops early at a non-integer when `stop_nonint`. */
static void count_values(const sd_var *v, size_t nrows, bool stop_nonint, distinct *d)
{
    bool has_miss = v->nmiss || v->has_miss_range;
    if (v->narrow) {
        /* Whole codes 0..254: a seen-table (user-missing codes marked seen
         * from the start), values counted in the order met as below. */
        uint8_t seen[256] = {0};
        seen[SD_U8_NONE] = 1;
        for (int c = 0; has_miss && c < SD_U8_NONE; c++)
            seen[c] = sd__var_is_user_missing_num(v, c);
        const uint8_t *u = v->u8;
        /* The codes present, in one pass without a branch; the ordered
         * loop then stops once it has met them all (in the first rows,
         * as a rule, where it read every row of a column to its end). */
        uint8_t present[256] = {0};
        sd__u8_present(u, nrows, present);
        size_t want = 0, got = 0;
        for (int c = 0; c < 256; c++)
            want += present[c] && !seen[c];
        for (size_t r = 0; r < nrows && d->n <= SCALE_MIN && got < want; r++) {
            if (seen[u[r]])
                continue;
            seen[u[r]] = 1;
            got++;
            if (distinct_add(d, u[r]) && sd__var_find_vlabel_num(v, u[r]) >= 0)
                d->labelled++;
        }
        return;
    }
    for (size_t r = 0; r < nrows && d->n <= SCALE_MIN; r++) {
        if (v->sysmis[r])
            continue;
        double x = v->num[r];
        if (has_miss && sd__var_is_user_missing_num(v, x))
            continue;
        if (x != floor(x) || !isfinite(x)) {
            d->nonint = true;
            if (stop_nonint)
                return;
        }
        if (distinct_add(d, x) && sd__var_find_vlabel_num(v, x) >= 0)
            d->labelled++;
    }
}

/* A value label on a code that is not user-missing. */
static bool labelled_valid(const sd_var *v)
{
    for (size_t i = 0; i < v->nvl; i++)
        if (!v->vl[i].str && !sd__var_is_user_missing_num(v, v->vl[i].code))
            return true;
    return false;
}

/* Does the rule need v's values (false: the stated measure stands)? */
static bool needs_values(const sd_var *v, bool labels)
{
    return !v->measure_given || (v->measure == SD_MEASURE_SCALE && labels);
}

/* The rule's measure for v, once its distinct valid values are counted
 * in d. */
static sd_measure decide(const sd_var *v, bool labels, const distinct *d)
{
    if (v->measure_given)
        return d->n <= SCALE_MIN ? SD_MEASURE_NOMINAL : v->measure;
    if (labels)
        return d->n <= SCALE_MIN || 2 * d->labelled >= d->n ? SD_MEASURE_NOMINAL
                                                            : SD_MEASURE_SCALE;
    if (d->nonint || d->n >= SCALE_MIN)
        return SD_MEASURE_SCALE;
    return SD_MEASURE_NOMINAL; /* also when no value is valid */
}

void sd__dataset_apply_measures(sd_dataset *ds)
{
    for (size_t i = 0; i < ds->nvars; i++) {
        sd_var *v = ds->vars[i];
        if (v->unread)
            continue; /* no values to tell anything from */
        if (v->type != SD_TYPE_NUMERIC) {
            if (v->measure == SD_MEASURE_SCALE)
                v->measure = SD_MEASURE_NOMINAL;
            continue;
        }
        bool labels = labelled_valid(v);
        if (!needs_values(v, labels))
            continue; /* the stated measure stands */
        distinct d;
        memset(&d, 0, sizeof d);
        count_values(v, ds->nrows, v->measure_given ? false : !labels, &d);
        v->measure = decide(v, labels, &d);
    }
}

bool sd__var_measure_needs_values(const sd_var *v)
{
    return v->type == SD_TYPE_NUMERIC && needs_values(v, labelled_valid(v));
}

void sd__var_apply_measure(sd_var *v, const double *vals, size_t n)
{
    if (v->type != SD_TYPE_NUMERIC) {
        if (v->measure == SD_MEASURE_SCALE)
            v->measure = SD_MEASURE_NOMINAL;
        return;
    }
    bool labels = labelled_valid(v);
    if (!needs_values(v, labels))
        return;
    distinct d;
    memset(&d, 0, sizeof d);
    for (size_t k = 0; k < n && d.n <= SCALE_MIN; k++) {
        double x = vals[k];
        if (x != floor(x) || !isfinite(x))
            d.nonint = true;
        if (distinct_add(&d, x) && sd__var_find_vlabel_num(v, x) >= 0)
            d.labelled++;
    }
    v->measure = decide(v, labels, &d);
}

void sd__var_count_distinct(const sd_var *v, size_t nrows, sd_distinct *d)
{
    if (v->type == SD_TYPE_NUMERIC && !v->unread)
        count_values(v, nrows, false, d);
}

sd_measure sd__var_measure_from(const sd_var *v, const sd_distinct *d)
{
    if (v->type != SD_TYPE_NUMERIC)
        return v->measure == SD_MEASURE_SCALE ? SD_MEASURE_NOMINAL : v->measure;
    bool labels = labelled_valid(v);
    if (!needs_values(v, labels))
        return v->measure;
    return decide(v, labels, d);
}
