/*
 * fuzz_csv.c — libFuzzer target for the CSV reader and writer (src/io/
 * read_csv.c, write_csv.c).
 *
 * Any bytes must give a dataset or an error (status, message, no dataset),
 * never a crash, a leak or undefined behaviour. A dataset that reads must
 * also survive write → read unchanged: names, types, measures, missing
 * cells, numbers bit for bit, strings byte for byte. Each input is read
 * twice: without a codebook (types inferred) and with a small codebook that
 * declares `a` a string and `b` a number (types forced), so the seed corpus
 * uses those names. Each read is also made in parts on three threads (from
 * the first byte on, as a large file is) and with `b` and `c` asked narrow:
 * the same status, message, line and column, or the same cells.
 *
 * Each read is also streamed (sd__csv_stream_*, the streaming mode of a
 * table) in chunks of 1, 2 and 5 records and of sizes taken from the
 * input's bytes, wide, with `b` and `c` narrow and with only some columns
 * kept, against the whole read on one thread (see streamed()); before each
 * chunk, the scan for where the next one starts (sd__csv_stream_skip, which
 * lets chunks be parsed on several threads) must say where the read stops,
 * or give up only on text the read fails on.
 */
#define _GNU_SOURCE
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd_codebook *types_cb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char yaml[] = "variables:\n"
                               "  - name: a\n"
                               "    type: string\n"
                               "  - name: b\n"
                               "    type: numeric\n";
    if (sd__codebook_parse(yaml, sizeof yaml - 1, "fuzz.yaml", &types_cb, NULL) != SD_OK)
        types_cb = NULL; /* the codebook reader may not be built: fuzz without it */
    return 0;
}

/* Invariants of any dataset the reader returns. */
static void check_shape(const sd_dataset *ds)
{
    if (ds->nvars == 0 || ds->nrows > ds->rowcap)
        abort();
    for (size_t j = 0; j < ds->nvars; j++) {
        const sd_var *v = ds->vars[j];
        if (!v->name || !*v->name || v->intern)
            abort();
        if (v->unread)
            continue; /* a column a selection leaves out: no values */
        if (v->type == SD_TYPE_STRING) {
            for (size_t k = 1; k < v->nlevels; k++)
                if (strcmp(v->levels[k - 1], v->levels[k]) >= 0)
                    abort(); /* levels sorted and distinct */
            for (size_t r = 0; r < ds->nrows; r++)
                if (!v->sysmis[r] && v->str[r] >= v->nlevels)
                    abort();
        } else if (v->measure == SD_MEASURE_ORDINAL) {
            abort();
        }
    }
}

static void check_same(const sd_dataset *a, const sd_dataset *b)
{
    if (a->nrows != b->nrows || a->nvars != b->nvars)
        abort();
    for (size_t j = 0; j < a->nvars; j++) {
        const sd_var *u = a->vars[j], *v = b->vars[j];
        if (strcmp(u->name, v->name) != 0 || u->type != v->type || u->measure != v->measure ||
            u->nlevels != v->nlevels)
            abort();
        for (size_t r = 0; r < a->nrows; r++) {
            if (u->sysmis[r] != v->sysmis[r])
                abort();
            if (u->sysmis[r])
                continue;
            if (u->type == SD_TYPE_NUMERIC) {
                if (memcmp(&u->num[r], &v->num[r], sizeof(double)) != 0)
                    abort();
            } else if (strcmp(u->levels[u->str[r]], v->levels[v->str[r]]) != 0) {
                abort();
            }
        }
    }
}

/* The same values through the public accessors (narrow columns too). */
static void check_values(const sd_dataset *a, const sd_dataset *b)
{
    if (a->nrows != b->nrows || a->nvars != b->nvars)
        abort();
    for (size_t j = 0; j < a->nvars; j++) {
        const sd_var *u = a->vars[j], *v = b->vars[j];
        if (strcmp(u->name, v->name) != 0 || u->type != v->type || u->measure != v->measure ||
            u->unread != v->unread)
            abort();
        for (size_t r = 0; !u->unread && r < a->nrows; r++) {
            int m = sd_var_is_missing(u, r);
            if (m != sd_var_is_missing(v, r))
                abort();
            if (m)
                continue;
            if (u->type == SD_TYPE_NUMERIC) {
                double x = sd_var_num(u, r), y = sd_var_num(v, r);
                if (memcmp(&x, &y, sizeof x) != 0)
                    abort();
            } else if (strcmp(sd_var_str(u, r), sd_var_str(v, r)) != 0) {
                abort();
            }
        }
    }
}

/* The read in parts (and narrow) fails exactly as the single one, or gives
 * the same dataset. */
static void parts(const char *data, size_t size, const sd_codebook *cb, sd_status st1,
                  const sd_error *err1, const sd_dataset *ds1, bool narrow)
{
    static const char *const nn[] = {"b", "c"};
    sd_csv_cols sel = {.all = true, .threads = 3, .par_min = 1};
    if (narrow) {
        sel.narrow = nn;
        sel.nnarrow = 2;
    }
    sd_error *err = sd_error_new();
    sd_dataset *ds = NULL;
    sd_status st = sd__read_csv_cols(data, size, "fuzz.csv", cb, &sel, &ds, err);
    if (st != st1)
        abort();
    if (st != SD_OK) {
        if (ds || strcmp(sd_error_message(err), sd_error_message(err1)) != 0 ||
            sd_error_line(err) != sd_error_line(err1) ||
            sd_error_column(err) != sd_error_column(err1))
            abort();
    } else {
        check_shape(ds);
        if (narrow)
            check_values(ds1, ds);
        else
            check_same(ds1, ds);
        sd_dataset_free(ds);
    }
    sd_error_free(err);
}

/* ------------------------------------------------------------ stream */

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* A chunk of the stream against rows [at, at + chunk rows) of the whole
 * read: the header's variables; a numeric variable of the chunk that is a
 * string in the whole is a column holding text in another chunk (a chunk's
 * types are its own), the other way round never; where both types agree,
 * the same cells (narrow or wide, through the data layer's accessors),
 * and a chunk's fractional values are the whole's. */
static void check_chunk(const sd_dataset *whole, size_t at, const sd_dataset *ck)
{
    if (ck->nvars != whole->nvars || ck->nrows == 0 || at + ck->nrows > whole->nrows)
        abort();
    for (size_t j = 0; j < ck->nvars; j++) {
        const sd_var *w = whole->vars[j], *v = ck->vars[j];
        if (strcmp(w->name, v->name) != 0 || v->unread != w->unread)
            abort();
        if (v->unread)
            continue;
        if (v->type != w->type) {
            if (w->type != SD_TYPE_STRING)
                abort(); /* text in a chunk is text in the file */
            continue;
        }
        if (v->type == SD_TYPE_NUMERIC && v->measure == SD_MEASURE_SCALE &&
            w->measure != SD_MEASURE_SCALE)
            abort();
        for (size_t r = 0; r < ck->nrows; r++) {
            size_t rw = at + r;
            if (v->type == SD_TYPE_NUMERIC) {
                bool m = sd__var_sysmis(v, r);
                if (m != sd__var_sysmis(w, rw))
                    abort();
                double x = sd__var_value(v, r), y = sd__var_value(w, rw);
                if (!m && memcmp(&x, &y, sizeof x) != 0)
                    abort();
            } else {
                bool m = v->sysmis[r] != 0;
                if (m != (w->sysmis[rw] != 0))
                    abort();
                if (!m && strcmp(v->levels[v->str[r]], w->levels[w->str[rw]]) != 0)
                    abort();
            }
        }
    }
}

/* The rows of the k-th chunk: fixed (`fixed` > 0), or 1..7 from the
 * input's bytes in turn. */
static size_t chunk_rows(const char *data, size_t size, size_t fixed, size_t k)
{
    if (fixed)
        return fixed;
    return size ? 1 + (unsigned char)data[k % size] % 7 : 1;
}

/* Stream the input in chunks and hold it to the whole read (st1, err1,
 * whole; whole NULL when it failed):
 *  - a whole read that fails makes the stream fail, at its open or at some
 *    chunk (the chunks before it read fine), with the same status, message,
 *    line, column and variable;
 *  - a whole read that succeeds makes every chunk succeed, each holding
 *    1..rows records (fewer only as the last), their rows adding up to the
 *    whole's, each chunk's cells as check_chunk says; the end says so again.
 * Excluded, as a stream cannot meet them: the whole file's row cap
 * (SD_MAX_ROWS, a chunk holds far fewer rows) and memory a whole read runs
 * out of; neither can come from an input the fuzzer makes (64 KiB). */
static void stream_one(const char *data, size_t size, const sd_codebook *cb,
                       const sd_csv_cols *sel, sd_status st1, const sd_error *err1,
                       const sd_dataset *whole, size_t fixed)
{
    sd_error *err = sd_error_new();
    sd_csv_stream *s = (sd_csv_stream *)&err; /* must be reset to NULL on failure */
    sd_status st = sd__csv_stream_open(data, size, "fuzz.csv", cb, sel, &s, err);
    size_t at = 0, k = 0;
    bool ended = false;
    if (st != SD_OK && s)
        abort();
    sd_csv_pos pos = st == SD_OK ? sd__csv_stream_body(s) : (sd_csv_pos){0, 0};
    while (st == SD_OK) {
        size_t rows = chunk_rows(data, size, fixed, k++);
        sd_dataset *ck = (sd_dataset *)&err; /* likewise */
        /* Where the scan says the next chunk starts is where the read
         * stops; a scan that gives up is on text the read fails on. */
        sd_csv_pos want, to;
        bool scanned = sd__csv_stream_skip(s, pos, rows, &want);
        st = sd__csv_stream_read(s, pos, rows, &ck, &to, err);
        if (st == SD_OK && (!scanned || to.off != want.off || to.line != want.line))
            abort();
        if (st == SD_OK)
            pos = to;
        if (st != SD_OK) {
            if (ck)
                abort();
            break;
        }
        if (!ck) {
            ended = true;
            break;
        }
        if (ck->nrows > rows)
            abort();
        check_shape(ck);
        if (whole)
            check_chunk(whole, at, ck);
        at += ck->nrows;
        bool last = ck->nrows < rows;
        sd_dataset_free(ck);
        if (last) { /* a short chunk ends the text */
            ck = (sd_dataset *)&err;
            if (sd__csv_stream_read(s, pos, rows, &ck, &to, err) != SD_OK || ck)
                abort();
            ended = true;
            break;
        }
    }
    if (st1 == SD_OK) {
        if (st != SD_OK || !ended || at != whole->nrows)
            abort();
        /* The end stays the end. */
        sd_dataset *ck = (sd_dataset *)&err;
        sd_csv_pos to;
        if (sd__csv_stream_read(s, pos, 1, &ck, &to, err) != SD_OK || ck)
            abort();
    } else if (st != st1 || sd_error_status(err) != st1 ||
               strcmp(sd_error_message(err), sd_error_message(err1)) != 0 ||
               sd_error_line(err) != sd_error_line(err1) ||
               sd_error_column(err) != sd_error_column(err1) ||
               !same_str(sd_error_file(err), sd_error_file(err1)) ||
               !same_str(sd_error_variable(err), sd_error_variable(err1))) {
        abort();
    }
    sd__csv_stream_free(s);
    sd_error_free(err);
}

/* The whole read on one thread, then streamed in chunks of 1, 2, 5 and
 * of varying sizes, with the same selection as the whole read: every
 * column wide (no selection), every column with `b` and `c` narrow, `b`
 * and `c` only with `b` narrow (as a table's streaming asks), or no column
 * at all (a table that counts rows). */
static void streamed(const char *data, size_t size, const sd_codebook *cb, int mode)
{
    static const char *const bc[] = {"b", "c"}, *const none[] = {""};
    sd_csv_cols sel = {.all = true, .threads = 1, .narrow = bc, .nnarrow = 2};
    if (mode == 2) {
        sel.all = false;
        sel.names = bc;
        sel.n = 2;
        sel.nnarrow = 1;
    } else if (mode == 3) {
        sel.all = false;
        sel.names = none;
        sel.n = 0;
        sel.nnarrow = 0;
    }
    const sd_csv_cols *use = mode ? &sel : NULL;
    sd_error *err = sd_error_new();
    sd_dataset *whole = NULL;
    sd_status st = sd__read_csv_cols(data, size, "fuzz.csv", cb, use, &whole, err);
    if ((st == SD_OK) != (whole != NULL))
        abort();
    static const size_t sizes[] = {1, 2, 5, 0};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        stream_one(data, size, cb, use, st, err, whole, sizes[i]);
    /* Read byte by byte (csv_scan.h's block scan off): the same dataset, or
     * the same error. */
    sd_error *err0 = sd_error_new();
    sd_dataset *slow = NULL;
    sd__csv_scan_set(false);
    sd_status st0 = sd__read_csv_cols(data, size, "fuzz.csv", cb, use, &slow, err0);
    sd__csv_scan_set(true);
    if (st0 != st)
        abort();
    if (st == SD_OK)
        check_values(whole, slow);
    else if (strcmp(sd_error_message(err0), sd_error_message(err)) != 0 ||
             sd_error_line(err0) != sd_error_line(err) ||
             sd_error_column(err0) != sd_error_column(err) ||
             !same_str(sd_error_variable(err0), sd_error_variable(err)))
        abort();
    sd_dataset_free(slow);
    sd_error_free(err0);
    sd_dataset_free(whole);
    sd_error_free(err);
}

static void one(const char *data, size_t size, const sd_codebook *cb)
{
    sd_error *err = sd_error_new();
    sd_dataset *ds = (sd_dataset *)&err; /* must be reset to NULL on failure */
    sd_status st = sd__read_csv(data, size, "fuzz.csv", cb, &ds, err);
    for (int mode = 0; mode < 4; mode++)
        streamed(data, size, cb, mode);
    if (st != SD_OK) {
        if (ds || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
        parts(data, size, cb, st, err, NULL, false);
        parts(data, size, cb, st, err, NULL, true);
        sd_error_free(err);
        return;
    }
    if (!ds || sd_error_status(err) != SD_OK)
        abort();
    check_shape(ds);
    parts(data, size, cb, st, err, ds, false);
    parts(data, size, cb, st, err, ds, true);

    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (fp) {
        st = sd__write_csv(ds, fp, "fuzz-out.csv", err);
        if (fclose(fp) != 0 || st != SD_OK)
            abort();
        sd_dataset *back = NULL;
        if (sd__read_csv(text, len, "fuzz-out.csv", cb, &back, err) != SD_OK)
            abort(); /* what we write, we read */
        check_same(ds, back);
        sd_dataset_free(back);
        free(text);
    }
    sd_dataset_free(ds);
    sd_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one((const char *)data, size, NULL);
    if (types_cb)
        one((const char *)data, size, types_cb);
    return 0;
}
