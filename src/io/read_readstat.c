/*
 * read_readstat.c — the io layer's reader for SPSS (.sav, .zsav, .por), Stata
 * (.dta) and SAS (.sas7bdat, XPORT) files. ReadStat parses; this file turns
 * its callbacks into a dataset: names, types, variable labels, value labels,
 * user-missing codes and ranges, measures, display formats, file label, and
 * the columns.
 *
 * ReadStat's pointers are borrowed for one callback, so everything kept is
 * copied. Counts from file headers are capped before anything is allocated.
 * Input goes through our own readstat_io handlers (a file descriptor or a
 * memory buffer): the fuzzer reads from memory, "cannot open" gets the real
 * errno, and one known PSPP/ReadStat incompatibility in .por files is
 * repaired on the way in (see por_fix_plan).
 *
 * Around ReadStat 1.1.8: a .sav dictionary is walked first (sav_dict.c) for
 * the multiple-response sets ReadStat skips and to refuse impossible header
 * claims; the weight becomes the dataset's declared weight; a .sas7bdat's
 * deleted rows are found (sas_deleted.c) and left out. A file that reads
 * short where ReadStat stops quietly (Stata value labels, XPORT rows, the
 * rows a header promises) is refused, and ReadStat's generic verdicts are
 * said with the part it had reached (part_reached, rs_refusal, cut_short).
 *
 * Values: SPSS user-missing values keep their code (sysmis 0), since the
 * missing spec is metadata (data.h) and `--missing include` must be able to
 * tabulate them; system-missing becomes sysmis. Stata's and SAS's tagged
 * missing values (.a–.z, SAS's ._) are kept the same way, as user-missing
 * codes with their labels: the code is the double Stata itself stores for
 * the letter, 2^1023 × (1 + k/4096) with k = 1 for a … 26 for z (27 for
 * ._), above any number a Stata file can hold (tag_code). String values
 * lose trailing blanks (SPSS and SAS pad them), and an empty string is
 * sysmis, as an empty CSV field is.
 *
 * Some columns only (sd_csv_cols, for sd_dataset_open_for): ReadStat is
 * told to skip the others (READSTAT_HANDLER_SKIP_VARIABLE), so their cells
 * are never converted or stored; they keep their dictionary (names, labels,
 * value labels, declared missing codes, sets) as sd_var.unread, except the
 * tagged missing codes and string widths only their values would show. The
 * first variable is always read, since rows are counted from the values.
 * A names read (sel->header_only) stops after one row.
 */
#include "io.h"
#include "readstat_mem.h"
#include "sas_deleted.h"
#include "sav_dict.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <float.h>
#include <math.h>
#include <readstat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Most value labels kept in one label set, and in the whole file once sets
 * are applied to the variables that use them (a small file can point many
 * variables at one big set). */
#define RS_MAX_SET_LABELS SD_MAX_CATEGORIES
#define RS_MAX_APPLIED_LABELS ((size_t)1 << 22)
/* ... and the memory they take once applied (text, value and bookkeeping),
 * checked before any is applied: a few MB of labels shared by many
 * variables must not become gigabytes. */
#define RS_MAX_APPLIED_BYTES ((size_t)1 << 28)
#define RS_LABEL_OVERHEAD (sizeof(sd_vlabel) + sizeof(sd_label) + 32)

/* ------------------------------------------------------------ input */

#define POR_HEAD 1024      /* bytes scanned for the .por translation table */
#define POR_MAX_PATCH 192  /* table slots 64..255 */

/* Where ReadStat's bytes come from: a file descriptor, or memory. */
typedef struct rs_src {
    int fd;                   /* file mode: open descriptor; -1 in memory mode */
    const unsigned char *mem; /* memory mode: the bytes (borrowed) */
    size_t len;               /* memory mode: their count */
    long long pos;            /* current offset, both modes */
    int read_errno;           /* errno of the first failed read, 0 when none */
    /* The first read that came back short in a way no whole file gives:
     * some bytes but fewer than asked, or none where more than a 4-byte
     * probe was asked (see cut_short). */
    bool cut;
    long long cut_at;
    size_t cut_want, cut_got;
    bool cut_blank; /* the bytes it got were all spaces (XPORT padding) */
    size_t npatch;            /* .por repair: bytes to replace as they are read */
    long long patch_at[POR_MAX_PATCH];
    unsigned char patch_to[POR_MAX_PATCH];
} rs_src;

static int src_open(const char *path, void *io_ctx)
{
    (void)path;
    rs_src *s = io_ctx;
    if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) != 0)
        return -1;
    s->pos = 0;
    return 0;
}

static int src_close(void *io_ctx)
{
    (void)io_ctx; /* the descriptor belongs to sd__read_readstat */
    return 0;
}

static readstat_off_t src_seek(readstat_off_t off, readstat_io_flags_t whence, void *io_ctx)
{
    rs_src *s = io_ctx;
    long long base = 0, np;
    switch (whence) {
    case READSTAT_SEEK_SET: base = 0; break;
    case READSTAT_SEEK_CUR: base = s->pos; break;
    case READSTAT_SEEK_END:
        if (s->fd >= 0) {
            off_t end = lseek(s->fd, 0, SEEK_END);
            if (end < 0)
                return -1;
            base = end;
        } else {
            base = (long long)s->len;
        }
        break;
    }
    if (__builtin_add_overflow(base, (long long)off, &np) || np < 0)
        return -1;
    /* Past the end is allowed, as with lseek: the next read then gets 0. */
    if (s->fd >= 0 && lseek(s->fd, (off_t)np, SEEK_SET) < 0)
        return -1;
    s->pos = np;
    return (readstat_off_t)np;
}

static ssize_t src_read(void *buf, size_t n, void *io_ctx)
{
    rs_src *s = io_ctx;
    size_t got = 0;
    if (n > (size_t)SSIZE_MAX)
        n = (size_t)SSIZE_MAX;
    if (s->fd >= 0) {
        while (got < n) { /* regular files: short only at the end */
            ssize_t r = read(s->fd, (char *)buf + got, n - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                if (!s->read_errno)
                    s->read_errno = errno ? errno : EIO;
                return -1;
            }
            if (r == 0)
                break;
            got += (size_t)r;
        }
    } else {
        size_t left = (unsigned long long)s->pos < s->len ? s->len - (size_t)s->pos : 0;
        got = n < left ? n : left;
        if (got)
            memcpy(buf, s->mem + s->pos, got);
    }
    for (size_t i = 0; i < s->npatch; i++) {
        long long k = s->patch_at[i] - s->pos;
        if (k >= 0 && (unsigned long long)k < got)
            ((unsigned char *)buf)[k] = s->patch_to[i];
    }
    if (got < n && !s->cut && (got > 0 || n > 4)) {
        s->cut = true;
        s->cut_at = s->pos;
        s->cut_want = n;
        s->cut_got = got;
        s->cut_blank = true;
        for (size_t i = 0; i < got; i++)
            s->cut_blank &= ((const unsigned char *)buf)[i] == ' ';
    }
    s->pos += (long long)got;
    return (ssize_t)got;
}

/* Random access for the .sav dictionary walker (sav_dict.c). */
static bool src_pread(void *ctx, void *buf, size_t n, long long off)
{
    rs_src *s = ctx;
    if (off < 0)
        return false;
    if (s->fd < 0) {
        if ((unsigned long long)off > s->len || n > s->len - (size_t)off)
            return false;
        memcpy(buf, s->mem + off, n);
        return true;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(off + (long long)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static long long src_size(const rs_src *s)
{
    if (s->fd < 0)
        return (long long)s->len;
    struct stat sb;
    return fstat(s->fd, &sb) == 0 ? (long long)sb.st_size : -1;
}

static readstat_error_t src_update(long file_size, readstat_progress_handler progress,
                                   void *user_ctx, void *io_ctx)
{
    (void)file_size, (void)progress, (void)user_ctx, (void)io_ctx;
    return READSTAT_OK; /* no progress reports from the library */
}

/*
 * A portable file starts with 200 bytes of banner and a 256-byte table
 * giving, for each character of the portable set, the byte that stands for
 * it; lines are 80 bytes, each followed by LF or CR LF. PSPP (1.6 at least)
 * writes '0' in the slots of characters it has no byte for, and plain digits
 * in the slots of the superscript digits. ReadStat 1.1.8 fills its decoding
 * table slot by slot, so those later slots override '0'–'9' and every
 * PSPP-written .por fails with "Invalid file". A byte can only stand for one
 * character, and the first slot that names it is the real one, so we plan to
 * hand ReadStat, for every later duplicate in slots 64–255 (slots 0–63 are
 * control characters, which ReadStat ignores), a control byte that appears
 * nowhere in the table. Tables without duplicates (SPSS's) pass unchanged.
 */
static void por_fix_plan(rs_src *s, const unsigned char *head, size_t n)
{
    long long at[256];
    unsigned char byte[256];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 456; i++) {
        if (head[i] == '\r' || head[i] == '\n')
            continue;
        if (k >= 200) {
            at[k - 200] = (long long)i;
            byte[k - 200] = head[i];
        }
        k++;
    }
    if (k < 456)
        return; /* too short to be a portable file: ReadStat will say so */
    bool in_table[256] = {false}, seen[256] = {false};
    for (size_t j = 0; j < 256; j++)
        in_table[byte[j]] = true;
    int spare = -1;
    for (int b = 1; b < 32 && spare < 0; b++)
        if (b != '\r' && b != '\n' && !in_table[b])
            spare = b;
    if (spare < 0)
        return;
    for (size_t j = 64; j < 256; j++) {
        if (!seen[byte[j]]) {
            seen[byte[j]] = true;
        } else if (s->npatch < POR_MAX_PATCH) {
            s->patch_at[s->npatch] = at[j];
            s->patch_to[s->npatch++] = (unsigned char)spare;
        }
    }
}

/* ------------------------------------------------------------ text */

/* s[0..n) as a NUL-terminated UTF-8 copy. Files that declare an encoding are
 * converted by ReadStat; XPORT and some SAS and old Stata files do not, and
 * their bytes come through as they are. Valid UTF-8 is kept; anything else
 * is read as Latin-1 (each byte its own code point), so the dataset always
 * holds UTF-8 and no text is dropped. */
static char *utf8_dup(const char *s, size_t n)
{
    if (sd__utf8_valid_prefix(s, n) == n)
        return sd__strndup(s, n);
    return sd__latin1_to_utf8(s, n);
}

/* Length of s without trailing blanks. */
static size_t rtrim_len(const char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    return n;
}

/* A trimmed UTF-8 copy of s, or NULL (and *empty true) when s is blank. */
static char *text_copy(const char *s, bool *empty)
{
    size_t n = s ? rtrim_len(s) : 0;
    *empty = n == 0;
    return n ? utf8_dup(s, n) : NULL;
}

/* ------------------------------------------------------------ parse state */

typedef struct rs_vlabel {
    double code; /* numeric sets */
    char *str;   /* string sets: the value (owned), else NULL */
    char *text;  /* owned */
} rs_vlabel;

/* The code of a tagged missing value (.a–.z, SAS's ._): bit k of a mask. */
static int tag_index(char tag)
{
    if (tag >= 'a' && tag <= 'z')
        return tag - 'a' + 1;
    if (tag >= 'A' && tag <= 'Z')
        return tag - 'A' + 1;
    return tag == '_' ? 27 : 0;
}

static double tag_code(int k)
{
    return ldexp(1.0 + k / 4096.0, 1023);
}

/* A label set as ReadStat names it; sets are matched to variables at the end
 * because .sav files give the labels before the variables. */
typedef struct rs_set {
    char *name; /* owned */
    size_t seq; /* creation order, to keep duplicates of a name in order */
    rs_vlabel *v;
    size_t n, cap;
    size_t bytes; /* what its labels take once applied to one variable */
    uint32_t tags; /* bit k: a label for tagged missing k */
} rs_set;

typedef struct rs_col {
    sd_var *v;          /* the variable at this ReadStat index (borrowed) */
    char *set;          /* its label set's name (owned), or NULL */
    bool measure_known; /* the file gave a measure */
    uint32_t tags;      /* bit k: tagged missing k met in the data */
} rs_col;

typedef struct rs_ctx {
    sd_dataset *ds;
    sd_error *err;
    const char *file; /* for messages */
    sd_status st;     /* first failure inside a callback */
    rs_col *cols;     /* by ReadStat variable index */
    size_t ncols, colcap;
    rs_set *sets;
    size_t nsets, setcap;
    size_t last_set; /* index of the set the last label went to */
    size_t nrows;    /* 1 + the highest row index met */
    int weight_index; /* ReadStat index of the file's weight variable, -1: none */
    char declared[64]; /* the encoding the file declares, "" when none */
    bool got_metadata;  /* progress, to name the part where ReadStat stopped */
    int nvars_declared;
    int nrows_declared; /* -1 when the header does not say */
    size_t nvars_seen, nlabels_seen;
    sd_format fmt;
    uint32_t *rowmap; /* .sas7bdat with deleted rows: file row -> dataset row, */
    size_t nrowmap;   /* UINT32_MAX for a deleted one (sas_deleted.c) */
    const sd_csv_cols *sel; /* the columns to read (NULL: all); see on_variable */
    bool names_only;        /* sel->header_only: the dictionary and one row */
} rs_ctx;

/* Record a failure met inside a callback and tell ReadStat to stop. */
__attribute__((format(printf, 4, 5))) static int cb_fail(rs_ctx *c, sd_status st,
                                                          const char *var, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->st == SD_OK) {
        c->st = st;
        sd__fail(c->err, st, c->file, 0, 0, var, "%s", msg);
    }
    return READSTAT_HANDLER_ABORT;
}

static int cb_nomem(rs_ctx *c, const char *var)
{
    return cb_fail(c, SD_E_NOMEM, var, "out of memory");
}

static void ctx_free(rs_ctx *c)
{
    sd__free(c->rowmap);
    for (size_t i = 0; i < c->ncols; i++)
        sd__free(c->cols[i].set);
    sd__free(c->cols);
    for (size_t i = 0; i < c->nsets; i++) {
        for (size_t j = 0; j < c->sets[i].n; j++) {
            sd__free(c->sets[i].v[j].str);
            sd__free(c->sets[i].v[j].text);
        }
        sd__free(c->sets[i].v);
        sd__free(c->sets[i].name);
    }
    sd__free(c->sets);
}

/* ------------------------------------------------------------ callbacks */

static int on_metadata(readstat_metadata_t *m, void *ctx)
{
    rs_ctx *c = ctx;
    int nvars = readstat_get_var_count(m);
    int nrows = readstat_get_row_count(m);
    if (nvars < 0 || (size_t)nvars > SD_MAX_VARS)
        return cb_fail(c, SD_E_TOO_LARGE, NULL, "the file declares %d variables; the limit is %zu",
                       nvars, SD_MAX_VARS);
    if (nrows > 0 && (size_t)nrows > SD_MAX_ROWS)
        return cb_fail(c, SD_E_TOO_LARGE, NULL, "the file declares %d rows; the limit is %zu",
                       nrows, SD_MAX_ROWS);
    c->got_metadata = true;
    c->nvars_declared = nvars;
    c->nrows_declared = nrows;
    const char *enc = readstat_get_file_encoding(m);
    if (enc)
        snprintf(c->declared, sizeof c->declared, "%s", enc);
    bool empty;
    char *title = text_copy(readstat_get_file_label(m), &empty);
    if (!empty) {
        bool ok = title && sd__labels_set(&c->ds->title, NULL, title);
        sd__free(title);
        if (!ok)
            return cb_nomem(c, NULL);
    }
    return READSTAT_HANDLER_OK;
}

/* Width and decimals of a display format: SPSS "F8.2", "A40", "DATE11";
 * Stata "%9.2f", "%-12s"; SAS "BEST12.", "8.2", "$CHAR20.". -1 when absent. */
static void parse_format(const char *f, int *width, int *decimals)
{
    *width = *decimals = -1;
    if (!f)
        return;
    while (*f && !(*f >= '0' && *f <= '9'))
        f++;
    int w = 0, nd = 0;
    for (; *f >= '0' && *f <= '9' && nd < 5; f++, nd++)
        w = w * 10 + (*f - '0');
    if (nd)
        *width = w;
    if (*f == '.') {
        int d = 0;
        nd = 0;
        for (f++; *f >= '0' && *f <= '9' && nd < 3; f++, nd++)
            d = d * 10 + (*f - '0');
        if (nd)
            *decimals = d;
    }
}

static bool add_missing(sd_var *v, readstat_variable_t *rv)
{
    int nr = readstat_variable_get_missing_ranges_count(rv);
    if (nr > 16) /* readstat_missingness_t holds 16 lo/hi pairs */
        nr = 16;
    for (int i = 0; i < nr; i++) {
        readstat_value_t lo = readstat_variable_get_missing_range_lo(rv, i);
        readstat_value_t hi = readstat_variable_get_missing_range_hi(rv, i);
        bool lo_str = readstat_value_type_class(lo) == READSTAT_TYPE_CLASS_STRING;
        bool hi_str = readstat_value_type_class(hi) == READSTAT_TYPE_CLASS_STRING;
        if (v->type == SD_TYPE_NUMERIC) {
            if (lo_str || hi_str)
                continue;
            double a = readstat_double_value(lo), b = readstat_double_value(hi);
            if (isnan(a) || isnan(b))
                continue;
            if (a == b) {
                if (!sd__var_add_missing_code(v, a))
                    return false;
            } else if (!v->has_miss_range) {
                /* SPSS allows one range; no format ReadStat reads has more. */
                sd__var_set_missing_range(v, a < b ? a : b, a < b ? b : a);
            }
        } else if (lo_str && hi_str) {
            const char *a = readstat_string_value(lo), *b = readstat_string_value(hi);
            if (!a || !b || strcmp(a, b) != 0)
                continue; /* string ranges: not an SPSS feature */
            bool empty;
            char *t = text_copy(a, &empty);
            if (empty)
                continue;
            bool ok = t && sd__var_add_missing_str(v, t);
            sd__free(t);
            if (!ok)
                return false;
        }
    }
    return true;
}

static int on_variable(int index, readstat_variable_t *rv, const char *val_labels, void *ctx)
{
    rs_ctx *c = ctx;
    if (index < 0 || (size_t)index >= SD_MAX_VARS)
        return cb_fail(c, SD_E_TOO_LARGE, NULL, "more than %zu variables", SD_MAX_VARS);
    size_t ix = (size_t)index;
    if (ix >= c->ncols) {
        size_t old = c->colcap;
        if (!sd__grow((void **)&c->cols, &c->colcap, ix + 1, sizeof *c->cols))
            return cb_nomem(c, NULL);
        memset(c->cols + old, 0, (c->colcap - old) * sizeof *c->cols);
        c->ncols = ix + 1;
    }
    rs_col *col = &c->cols[ix];
    c->nvars_seen++;
    const char *rname = readstat_variable_get_name(rv);
    if (col->v)
        return cb_fail(c, SD_E_FORMAT, rname, "variable number %d is declared twice", index + 1);

    char *name = utf8_dup(rname ? rname : "", rname ? strlen(rname) : 0);
    if (!name)
        return cb_nomem(c, NULL);
    sd_type type = readstat_variable_get_type_class(rv) == READSTAT_TYPE_CLASS_STRING
                       ? SD_TYPE_STRING
                       : SD_TYPE_NUMERIC;
    sd_var *v = NULL;
    sd_status st = sd__dataset_add_var(c->ds, name, type, &v, NULL);
    if (st != SD_OK) {
        /* A file with a nameless or repeated variable is corrupt. */
        int r = st == SD_E_NOMEM      ? cb_nomem(c, name)
                : st == SD_E_TOO_LARGE ? cb_fail(c, st, NULL, "more than %zu variables", SD_MAX_VARS)
                : !*name ? cb_fail(c, SD_E_FORMAT, NULL, "variable number %d has no name", index + 1)
                         : cb_fail(c, SD_E_FORMAT, name, "variable name '%s' is used twice", name);
        sd__free(name);
        return r;
    }
    sd__free(name);
    col->v = v;
    /* Some columns only (sd_dataset_open_for): the others keep their
     * dictionary (labels, missing codes, sets) and get no values; ReadStat
     * then does not convert them. The first variable is always read: rows
     * are counted from the values met, so every row has one. */
    bool skip = c->sel && index > 0 && !sd__csv_cols_keep(c->sel, v->name);
    if (skip)
        v->unread = true;

    bool empty;
    char *label = text_copy(readstat_variable_get_label(rv), &empty);
    if (!empty) {
        bool ok = label && sd__labels_set(&v->label, NULL, label);
        sd__free(label);
        if (!ok)
            return cb_nomem(c, v->name);
    }

    if (type == SD_TYPE_NUMERIC) {
        int fw, fd;
        parse_format(readstat_variable_get_format(rv), &fw, &fd);
        int dw = readstat_variable_get_display_width(rv);
        int w = fw > dw ? fw : dw;
        if (w > 0)
            v->width = w > 255 ? 255 : w;
        if (fd >= 0)
            v->decimals = fd > 16 ? 16 : fd;
    } else {
        v->width = 1; /* grows to the longest value as values are interned */
    }

    switch (readstat_variable_get_measure(rv)) {
    case READSTAT_MEASURE_NOMINAL: v->measure = SD_MEASURE_NOMINAL; col->measure_known = true; break;
    case READSTAT_MEASURE_ORDINAL: v->measure = SD_MEASURE_ORDINAL; col->measure_known = true; break;
    case READSTAT_MEASURE_SCALE: /* SPSS has no scale strings */
        v->measure = type == SD_TYPE_STRING ? SD_MEASURE_NOMINAL : SD_MEASURE_SCALE;
        col->measure_known = true;
        break;
    case READSTAT_MEASURE_UNKNOWN: break;
    }

    if (!add_missing(v, rv))
        return cb_nomem(c, v->name);
    if (val_labels && *val_labels && !(col->set = sd__strdup(val_labels)))
        return cb_nomem(c, v->name);
    return skip ? READSTAT_HANDLER_SKIP_VARIABLE : READSTAT_HANDLER_OK;
}

static int on_fweight(readstat_variable_t *rv, void *ctx)
{
    rs_ctx *c = ctx;
    c->weight_index = readstat_variable_get_index(rv);
    return READSTAT_HANDLER_OK;
}

static int on_value(int obs_index, readstat_variable_t *rv, readstat_value_t value, void *ctx)
{
    rs_ctx *c = ctx;
    int index = readstat_variable_get_index(rv);
    if (obs_index < 0 || index < 0 || (size_t)index >= c->ncols || !c->cols[index].v)
        return cb_fail(c, SD_E_FORMAT, NULL, "a value for an undeclared variable (row %d)",
                       obs_index + 1);
    size_t row = (size_t)obs_index;
    if (c->rowmap) {
        if (row >= c->nrowmap)
            return cb_fail(c, SD_E_FORMAT, NULL, "data row %zu: more rows than the file declares",
                           row + 1);
        if (c->rowmap[row] == UINT32_MAX)
            return READSTAT_HANDLER_OK; /* deleted in SAS: not data */
        row = c->rowmap[row];
    }
    sd_var *v = c->cols[index].v;
    if (v->unread)
        return READSTAT_HANDLER_OK; /* skipped (on_variable): no arrays */
    if (row >= SD_MAX_ROWS)
        return cb_fail(c, SD_E_TOO_LARGE, NULL, "more than %zu rows", SD_MAX_ROWS);
    if (row >= c->ds->rowcap) {
        sd_status g = sd__dataset_grow_rows(c->ds, row + 1, c->file, 0, c->err);
        if (g != SD_OK) {
            if (c->st == SD_OK)
                c->st = g;
            return READSTAT_HANDLER_ABORT;
        }
    }
    if (row >= c->nrows)
        c->nrows = row + 1;

    bool is_str = readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING;
    if (v->type == SD_TYPE_NUMERIC) {
        if (!is_str && readstat_value_is_tagged_missing(value)) {
            int k = tag_index(readstat_value_tag(value));
            if (k == 0)
                return READSTAT_HANDLER_OK;
            c->cols[index].tags |= 1u << k;
            v->num[row] = tag_code(k); /* a user-missing code, declared in finish() */
            v->sysmis[row] = 0;
            return READSTAT_HANDLER_OK;
        }
        if (is_str || readstat_value_is_system_missing(value))
            return READSTAT_HANDLER_OK; /* the cell stays system-missing */
        double x = readstat_double_value(value);
        /* A portable file writes numbers as base-30 text: one that does not
         * fit a double (ReadStat gives an infinity) is a corrupt file, not a
         * missing value. */
        if (c->fmt == SD_FORMAT_POR && isinf(x))
            return cb_fail(c, SD_E_FORMAT, v->name,
                           "corrupt SPSS portable .por file: data row %zu: the value of '%s' is a "
                           "number too large for a double (beyond 1.8e308)",
                           (size_t)obs_index + 1, v->name);
        /* -DBL_MAX is SPSS's system-missing value whatever a file's header
         * claims, and the largest magnitudes are its HIGHEST and LOWEST
         * markers: as numbers they would not survive a .sav round trip, and
         * no survey answer is 1.8e308, so they are system-missing. */
        if (isnan(x) || fabs(x) >= 0x1.ffffffffffffep+1023)
            return READSTAT_HANDLER_OK;
        v->num[row] = x; /* user-missing codes are kept as they are */
        v->sysmis[row] = 0;
        return READSTAT_HANDLER_OK;
    }
    const char *s = is_str ? readstat_string_value(value) : NULL;
    size_t n = s ? rtrim_len(s) : 0;
    if (n == 0)
        return READSTAT_HANDLER_OK;
    if (n > SD_MAX_FIELD)
        return cb_fail(c, SD_E_TOO_LARGE, v->name, "a value of '%s' is longer than %zu bytes",
                       v->name, SD_MAX_FIELD);
    uint32_t level;
    bool ok;
    if (sd__utf8_valid_prefix(s, n) == n) {
        ok = sd__var_intern(v, s, n, &level);
    } else {
        char *t = utf8_dup(s, n);
        ok = t && sd__var_intern(v, t, strlen(t), &level);
        sd__free(t);
    }
    if (!ok)
        return cb_nomem(c, v->name);
    v->str[row] = level;
    v->sysmis[row] = 0;
    return READSTAT_HANDLER_OK;
}

static int on_value_label(const char *set_name, readstat_value_t value, const char *label,
                          void *ctx)
{
    rs_ctx *c = ctx;
    c->nlabels_seen++;
    if (!set_name || !*set_name || !label)
        return READSTAT_HANDLER_OK;
    int tag = readstat_value_is_tagged_missing(value) ? tag_index(readstat_value_tag(value)) : 0;
    if (readstat_value_is_system_missing(value) && !tag)
        return READSTAT_HANDLER_OK;

    rs_vlabel l = {0};
    if (tag) {
        l.code = tag_code(tag); /* .a–.z: a user-missing code, with its label */
    } else if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
        bool empty;
        const char *key = readstat_string_value(value);
        l.str = text_copy(key, &empty);
        if (empty)
            return READSTAT_HANDLER_OK; /* a blank value is system-missing: nothing to label */
        if (!l.str)
            return cb_nomem(c, NULL);
    } else {
        l.code = readstat_double_value(value);
        if (isnan(l.code))
            return READSTAT_HANDLER_OK;
    }
    bool empty;
    l.text = text_copy(label, &empty);
    if (empty)
        l.text = sd__strdup("");
    if (!l.text) {
        sd__free(l.str);
        return cb_nomem(c, NULL);
    }

    /* Labels of one set arrive together: look at the last set first. A name
     * met again later starts a second set; finish() applies both. */
    rs_set *s = NULL;
    if (c->nsets && strcmp(c->sets[c->last_set].name, set_name) == 0) {
        s = &c->sets[c->last_set];
    } else {
        if (!sd__grow((void **)&c->sets, &c->setcap, c->nsets + 1, sizeof *c->sets)) {
            sd__free(l.str);
            sd__free(l.text);
            return cb_nomem(c, NULL);
        }
        s = &c->sets[c->nsets];
        memset(s, 0, sizeof *s);
        if (!(s->name = sd__strdup(set_name))) {
            sd__free(l.str);
            sd__free(l.text);
            return cb_nomem(c, NULL);
        }
        s->seq = c->nsets;
        c->last_set = c->nsets++;
    }
    if (s->n >= RS_MAX_SET_LABELS) {
        sd__free(l.str);
        sd__free(l.text);
        return cb_fail(c, SD_E_TOO_LARGE, NULL, "value label set '%s' has more than %zu labels",
                       set_name, (size_t)RS_MAX_SET_LABELS);
    }
    if (!sd__grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v)) {
        sd__free(l.str);
        sd__free(l.text);
        return cb_nomem(c, NULL);
    }
    s->v[s->n++] = l;
    s->bytes += strlen(l.text) + 1 + (l.str ? strlen(l.str) + 1 : 0) + RS_LABEL_OVERHEAD;
    if (tag)
        s->tags |= 1u << tag;
    return READSTAT_HANDLER_OK;
}

/* ------------------------------------------------------------ finishing */

static int cmp_set(const void *a, const void *b)
{
    const rs_set *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d ? d : (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_set_key(const void *key, const void *elem)
{
    return strcmp(key, ((const rs_set *)elem)->name);
}

/* Tagged missing values met in a column or labelled in its set become its
 * user-missing codes: up to three one by one, more as one range (no number
 * lies between them). */
static bool declare_tags(sd_var *v, uint32_t tags)
{
    int n = __builtin_popcount(tags), lo = __builtin_ctz(tags), hi = 31 - __builtin_clz(tags);
    if (n > 3 && !v->has_miss_range) {
        sd__var_set_missing_range(v, tag_code(lo), tag_code(hi));
        return true;
    }
    for (int k = lo; k <= hi; k++)
        if ((tags >> k & 1) && !sd__var_is_user_missing_num(v, tag_code(k)) &&
            !sd__var_add_missing_code(v, tag_code(k)))
            return false;
    return true;
}

/* Tagged missing values a label set does not name get their own name as a
 * label (".a" ... ".z", "._"), as Stata and SAS show them: a table's row
 * is then ".b", not the code standing for it (2^1023 x (1 + 2/4096)). */
static bool label_tags(sd_var *v, uint32_t tags)
{
    for (int k = 1; k <= 27; k++) {
        if (!(tags >> k & 1) || sd__var_find_vlabel_num(v, tag_code(k)) >= 0)
            continue;
        char name[3] = {'.', k == 27 ? '_' : (char)('a' + k - 1), '\0'};
        if (!sd__var_set_vlabel_num(v, tag_code(k), NULL, name))
            return false;
    }
    return true;
}

/* Give each variable the labels of its set, the default measure, sorted
 * string levels; set the row count. */
static sd_status finish(rs_ctx *c)
{
    sd_dataset *ds = c->ds;
    ds->nrows = c->nrows;
    if (c->nsets > 1)
        qsort(c->sets, c->nsets, sizeof *c->sets, cmp_set);
    size_t applied = 0, bytes = 0;
    /* What applying the sets would take, before any is applied. */
    for (size_t i = 0; i < c->ncols; i++) {
        rs_col *col = &c->cols[i];
        rs_set *s = col->v && col->set && c->nsets
                        ? bsearch(col->set, c->sets, c->nsets, sizeof *c->sets, cmp_set_key)
                        : NULL;
        while (s && s > c->sets && strcmp(s[-1].name, col->set) == 0)
            s--;
        for (; s && s < c->sets + c->nsets && strcmp(s->name, col->set) == 0; s++)
            if (!sd__add_ok(bytes, s->bytes, &bytes) || bytes > RS_MAX_APPLIED_BYTES)
                return sd__fail(c->err, SD_E_TOO_LARGE, c->file, 0, 0, col->v->name,
                                "value labels would take more than %zu MiB once given to the "
                                "variables that share them (at variable '%s', %zu of %zu): "
                                "expected smaller label sets or fewer variables using them",
                                RS_MAX_APPLIED_BYTES >> 20, col->v->name, i + 1, c->ncols);
    }
    for (size_t i = 0; i < c->ncols; i++) {
        rs_col *col = &c->cols[i];
        sd_var *v = col->v;
        if (!v)
            continue;
        rs_set *s = col->set && c->nsets
                        ? bsearch(col->set, c->sets, c->nsets, sizeof *c->sets, cmp_set_key)
                        : NULL;
        while (s && s > c->sets && strcmp(s[-1].name, col->set) == 0)
            s--;
        uint32_t tags = col->tags;
        for (; s && s < c->sets + c->nsets && strcmp(s->name, col->set) == 0; s++) {
            tags |= s->tags;
            if (!sd__add_ok(applied, s->n, &applied) || applied > RS_MAX_APPLIED_LABELS)
                return sd__fail(c->err, SD_E_TOO_LARGE, c->file, 0, 0, v->name,
                                "more than %zu value labels in all", RS_MAX_APPLIED_LABELS);
            for (size_t j = 0; j < s->n; j++) {
                const rs_vlabel *l = &s->v[j];
                bool ok = true;
                if (v->type == SD_TYPE_NUMERIC && !l->str)
                    ok = sd__var_set_vlabel_num(v, l->code, NULL, l->text);
                else if (v->type == SD_TYPE_STRING && l->str)
                    ok = sd__var_set_vlabel_str(v, l->str, NULL, l->text);
                if (!ok)
                    return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, v->name, "out of memory");
            }
        }
        if (tags && v->type == SD_TYPE_NUMERIC && !declare_tags(v, tags))
            return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, v->name, "out of memory");
        v->measure_given = col->measure_known;
        if (!col->measure_known)
            v->measure = v->type == SD_TYPE_STRING || v->nvl ? SD_MEASURE_NOMINAL
                                                             : SD_MEASURE_SCALE;
        if (tags && v->type == SD_TYPE_NUMERIC && !label_tags(v, tags)) /* after the measure */
            return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, v->name, "out of memory");
        if (!v->unread && !sd__var_finish_levels(v, ds->nrows))
            return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, v->name, "out of memory");
    }
    if (ds->nvars == 0)
        return sd__fail(c->err, SD_E_EMPTY, c->file, 0, 0, NULL, "the file holds no variables");
    return SD_OK;
}

/* What ReadStat leaves out of a .sav: multiple-response sets (sav_dict.c),
 * the weight (as the dataset's declared design, so tables are weighted as
 * SPSS weights them), and the check that the data hold the cases the header
 * promises. */
static sd_status sav_extras(rs_ctx *c, rs_src *src, const sd__sav_dict *d, const char *encoding)
{
    if (!c->names_only && d->ncases >= 0 && c->nrows != (size_t)d->ncases)
        return sd__fail(c->err, SD_E_FORMAT, c->file, 0, 0, NULL,
                        "corrupt SPSS .sav file: data row %zu: the header promises %d cases "
                        "and the data hold %zu",
                        c->nrows + 1 < (size_t)d->ncases ? c->nrows + 1 : (size_t)d->ncases,
                        (int)d->ncases, c->nrows);
    sd_var **vars = sd__calloc(c->ncols ? c->ncols : 1, sizeof *vars);
    if (!vars)
        return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < c->ncols; i++)
        vars[i] = c->cols[i].v;
    sd_status st = sd__sav_read_mrsets(src_pread, src, d, vars, c->ncols, c->ds, encoding,
                                       c->file, c->err);
    sd__free(vars);
    if (st == SD_OK && c->weight_index >= 0 && (size_t)c->weight_index < c->ncols &&
        c->cols[c->weight_index].v) {
        sd_designspec *dd = &c->ds->design;
        if (!(dd->weight = sd__strdup(c->cols[c->weight_index].v->name)))
            return sd__fail(c->err, SD_E_NOMEM, c->file, 0, 0, NULL, "out of memory");
        dd->declared = true;
    }
    return st;
}

/* The part of the file ReadStat had reached, from what it had reported. */
static void part_reached(const rs_ctx *c, sd_format fmt, char *buf, size_t cap)
{
    if (!c->got_metadata)
        snprintf(buf, cap, fmt == SD_FORMAT_SAS7BDAT ? "header or metadata pages" : "header");
    else if (c->nvars_declared > 0 && c->nvars_seen == 0)
        snprintf(buf, cap, "dictionary (its %d variables)", c->nvars_declared);
    else if (c->nvars_declared > 0 && c->nvars_seen < (size_t)c->nvars_declared)
        snprintf(buf, cap, "dictionary, variable %zu of %d", c->nvars_seen + 1,
                 c->nvars_declared);
    else if (c->nrows_declared > 0 && c->nrows >= (size_t)c->nrows_declared)
        snprintf(buf, cap, fmt == SD_FORMAT_DTA ? "value labels (after the %zu data rows)"
                                                : "after the %zu data rows",
                 c->nrows);
    else if (c->nrows == 0)
        snprintf(buf, cap, "dictionary or value labels (no data row read yet)");
    else
        snprintf(buf, cap, "data row %zu", c->nrows + 1);
}

/* ReadStat's verdict, said with the part it stopped in. */
static sd_status rs_refusal(const rs_ctx *c, const rs_src *src, readstat_error_t rc,
                            sd_format fmt, const char *kind, const char *file,
                            const sd__sav_dict *d, sd_error *err)
{
    char part[96];
    part_reached(c, fmt, part, sizeof part);
    if (rc == READSTAT_ERROR_ROW_COUNT_MISMATCH || (rc == READSTAT_ERROR_READ && src->cut &&
                                                     c->nrows > 0)) {
        if (d && d->ncases >= 0)
            return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                            "corrupt %s file: data row %zu: the header promises %d rows and the "
                            "data hold %zu",
                            kind, c->nrows + 1, (int)d->ncases, c->nrows);
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt %s file: data row %zu: the file ends inside it (%zu rows read "
                        "whole)",
                        kind, c->nrows + 1, c->nrows);
    }
    if (rc == READSTAT_ERROR_READ)
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt %s file: %s: the file ends early (at byte %lld)", kind, part,
                        src->cut ? src->cut_at + (long long)src->cut_got : src->pos);
    if (rc == READSTAT_ERROR_MALLOC)
        /* ReadStat refuses any one allocation over 16 MiB: a size claimed
         * by the file, not this machine's memory. */
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt %s file: %s: a size it claims is zero or larger than the 16 MiB "
                        "ReadStat accepts (around byte %lld)",
                        kind, part, src->pos);
    if (rc == READSTAT_ERROR_PARSE)
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt or unsupported %s file: %s: what is there is not what the "
                        "format has at that point (around byte %lld)",
                        kind, part, src->pos);
    if (rc == READSTAT_ERROR_UNSUPPORTED_COMPRESSION)
        return sd__fail(err, SD_E_UNSUPPORTED, file, 0, 0, NULL,
                        "unsupported %s file: %s: its compression is one ReadStat 1.1.8 does not "
                        "read (SAS's binary RDC compression, for one); save it uncompressed or "
                        "with COMPRESS=CHAR",
                        kind, part);
    if (rc == READSTAT_ERROR_UNSUPPORTED_FILE_FORMAT_VERSION) {
        char ver[48] = "";
        unsigned char h[40];
        if (fmt == SD_FORMAT_DTA && src_pread((void *)src, h, sizeof h, 0)) {
            if (memcmp(h, "<stata_dta><header><release>", 28) == 0)
                snprintf(ver, sizeof ver, " (release %.3s)", (const char *)h + 28);
            else if (h[0] >= 100 && h[0] <= 125)
                snprintf(ver, sizeof ver, " (format %u)", (unsigned)h[0]);
            else
                return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                                "not a readable %s file: header: it starts with neither a "
                                "format number (102 to 119) nor <stata_dta>",
                                kind);
        }
        return sd__fail(err, SD_E_UNSUPPORTED, file, 0, 0, NULL,
                        "unsupported %s file: header: this version of the format%s is one "
                        "ReadStat 1.1.8 does not read",
                        kind, ver);
    }
    if (rc == READSTAT_ERROR_UNSUPPORTED_CHARSET)
        return sd__fail(err, SD_E_UNSUPPORTED, file, 0, 0, NULL,
                        "unsupported %s file: header: it declares a character set ReadStat "
                        "1.1.8 does not know; name the file's encoding with --encoding",
                        kind);
    const char *why = readstat_error_message(rc);
    return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL, "not a readable %s file: %s: %s (ReadStat)",
                    kind, part, why ? why : "unknown error");
}

/* After ReadStat read a file without complaint: a read that came back short
 * means the file was cut where ReadStat stops quietly (Stata value labels,
 * the last XPORT rows). */
static sd_status cut_short(const rs_ctx *c, rs_src *src, sd_format fmt, const char *kind,
                           const char *file, sd_error *err)
{
    /* Stata 117 and later: the file opens with <stata_dta> and must close
     * with </stata_dta>, which ReadStat never reads. */
    unsigned char head[11], tail[12];
    long long size = src_size(src);
    if (fmt == SD_FORMAT_DTA && size >= 23 && src_pread((void *)src, head, sizeof head, 0) &&
        memcmp(head, "<stata_dta>", 11) == 0 &&
        (!src_pread((void *)src, tail, sizeof tail, size - 12) ||
         memcmp(tail, "</stata_dta>", 12) != 0))
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt %s file: end: it does not close with </stata_dta> (cut short?)",
                        kind);
    if (fmt == SD_FORMAT_DTA && src->cut)
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt %s file: value labels: the file ends inside them (at byte %lld, "
                        "where %zu more bytes were expected)",
                        kind, src->cut_at + (long long)src->cut_got, src->cut_want - src->cut_got);
    /* XPORT version 8/9: the OBSV8 header record gives the row count. */
    if (fmt == SD_FORMAT_XPORT) {
        long long n = -1;
        unsigned char rec[80];
        for (long long at = 0; at + 80 <= size && at < ((long long)1 << 24); at += 80) {
            if (!src_pread(src, rec, 80, at))
                break;
            if (memcmp(rec, "HEADER RECORD*******OBSV", 24) == 0 &&
                memcmp(rec + 28, "HEADER RECORD!!!!!!!", 20) == 0) {
                char num[33];
                size_t k = 0;
                for (size_t i = 48; i < 80; i++)
                    if (rec[i] >= '0' && rec[i] <= '9' && k < 18)
                        num[k++] = (char)rec[i];
                num[k] = '\0';
                if (k)
                    n = strtoll(num, NULL, 10);
                break;
            }
        }
        if (n >= 0 && (size_t)n != c->nrows)
            return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                            "corrupt %s file: data row %zu: the header promises %lld rows and the "
                            "data hold %zu",
                            kind, (size_t)n < c->nrows ? (size_t)n + 1 : c->nrows + 1, n,
                            c->nrows);
    }
    if (fmt == SD_FORMAT_XPORT && !src->cut_blank && src->cut)
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "corrupt %s file: data row %zu: the file ends inside it (%zu of its %zu "
                        "bytes are there)",
                        kind, c->nrows + 1, src->cut_got, src->cut_want);
    return SD_OK;
}

/* ------------------------------------------------------------ driver */

static const char *format_name(sd_format fmt, const char *file)
{
    switch (fmt) {
    case SD_FORMAT_SAV: {
        size_t n = strlen(file);
        return n >= 5 && strcmp(file + n - 5, ".zsav") == 0 ? "SPSS .zsav" : "SPSS .sav";
    }
    case SD_FORMAT_POR: return "SPSS portable .por";
    case SD_FORMAT_DTA: return "Stata .dta";
    case SD_FORMAT_SAS7BDAT: return "SAS .sas7bdat";
    case SD_FORMAT_XPORT: return "SAS transport (XPORT)";
    case SD_FORMAT_AUTO:
    case SD_FORMAT_CSV:
    case SD_FORMAT_SQLITE: break;
    }
    return NULL;
}

/* `head` holds the first `n` bytes. A file that is not a .sav at all would
 * otherwise often be reported by ReadStat as unreadable ("Unable to read from
 * file") when it is shorter than a .sav header; the magic says it plainly. */
static sd_status parse(rs_src *src, sd_format fmt, const char *file, const char *encoding,
                       const sd_csv_cols *sel, const unsigned char *head, size_t n,
                       sd_dataset **out, sd_error *err)
{
    const char *kind = format_name(fmt, file);
    if (!kind)
        return sd__fail(err, SD_E_INVALID, file, 0, 0, NULL,
                        "not a format ReadStat reads (expected .sav, .zsav, .por, .dta, "
                        ".sas7bdat or .xpt)");
    if (fmt == SD_FORMAT_SAV &&
        (n < 4 || (memcmp(head, "$FL2", 4) != 0 && memcmp(head, "$FL3", 4) != 0)))
        return sd__fail(err, SD_E_FORMAT, file, 0, 0, NULL,
                        "not a readable %s file: it does not start with an SPSS system-file "
                        "header ($FL2 or $FL3)",
                        kind);
    /* The .sav dictionary is walked first: a header or record that claims
     * more than the file holds is refused here, naming the part. */
    sd__sav_dict dict = {0};
    bool have_dict = false;
    if (fmt == SD_FORMAT_SAV) {
        sd_status dst = sd__sav_dict_read(src_pread, src, src_size(src), file, &dict, err);
        if (dst != SD_OK)
            return dst;
        have_dict = true;
    }
    rs_ctx c = {.err = err, .file = file, .weight_index = -1, .fmt = fmt,
                .sel = sel && !sel->all ? sel : NULL, .names_only = sel && sel->header_only};
    /* A .sas7bdat whose deleted rows cannot be found is refused, but only
     * once ReadStat has read it: a reason of ReadStat's (an unsupported
     * compression) says more. */
    sd_error *del_err = NULL;
    if (fmt == SD_FORMAT_SAS7BDAT) {
        sd__sas_deleted del;
        if (!(del_err = sd_error_new()))
            return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
        sd_status dst = sd__sas_find_deleted(src_pread, src, src_size(src), file, &del, del_err);
        if (dst == SD_E_NOMEM) {
            sd_error_free(del_err);
            return sd__fail(err, dst, file, 0, 0, NULL, "out of memory");
        }
        if (dst == SD_OK) {
            sd_error_free(del_err);
            del_err = NULL;
        }
        if (del.deleted && del.total <= UINT32_MAX) {
            if (!(c.rowmap = sd__calloc(del.total ? del.total : 1, sizeof *c.rowmap))) {
                sd__sas_deleted_free(&del);
                sd_error_free(del_err);
                return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
            }
            uint32_t next = 0;
            for (size_t i = 0; i < del.total; i++)
                c.rowmap[i] = del.deleted[i] ? UINT32_MAX : next++;
            c.nrowmap = del.total;
        }
        sd__sas_deleted_free(&del);
    }
    readstat_parser_t *p = readstat_parser_init();
    if (!p || !(c.ds = sd__dataset_new(file))) {
        readstat_parser_free(p);
        sd__sav_dict_free(&dict);
        sd__free(c.rowmap);
        sd_error_free(del_err);
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    }
    readstat_set_metadata_handler(p, on_metadata);
    readstat_set_fweight_handler(p, on_fweight);
    readstat_set_variable_handler(p, on_variable);
    readstat_set_value_handler(p, on_value);
    readstat_set_value_label_handler(p, on_value_label);
    readstat_set_open_handler(p, src_open);
    readstat_set_close_handler(p, src_close);
    readstat_set_seek_handler(p, src_seek);
    readstat_set_read_handler(p, src_read);
    readstat_set_update_handler(p, src_update);
    readstat_set_io_ctx(p, src);
    if (c.names_only)
        readstat_set_row_limit(p, 1); /* the rows' checks are the real read's */
    if (encoding && readstat_set_file_character_encoding(p, encoding) != READSTAT_OK) {
        readstat_parser_free(p);
        sd__sav_dict_free(&dict);
        sd_dataset_free(c.ds);
        sd__free(c.rowmap);
        sd_error_free(del_err);
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    }

    readstat_error_t rc = READSTAT_OK;
    switch (fmt) {
    case SD_FORMAT_SAV: rc = readstat_parse_sav(p, file, &c); break;
    case SD_FORMAT_POR: rc = readstat_parse_por(p, file, &c); break;
    case SD_FORMAT_DTA: rc = readstat_parse_dta(p, file, &c); break;
    case SD_FORMAT_SAS7BDAT: rc = readstat_parse_sas7bdat(p, file, &c); break;
    case SD_FORMAT_XPORT: rc = readstat_parse_xport(p, file, &c); break;
    case SD_FORMAT_AUTO:
    case SD_FORMAT_CSV:
    case SD_FORMAT_SQLITE: break;
    }
    readstat_parser_free(p);

    sd_status st;
    if (c.st != SD_OK) {
        st = c.st; /* a callback failed and said why */
    } else if (src->read_errno) {
        st = sd__fail(err, SD_E_IO, file, 0, 0, NULL, "read error: %s", strerror(src->read_errno));
    } else if (rc == READSTAT_ERROR_CONVERT || rc == READSTAT_ERROR_CONVERT_BAD_STRING ||
               rc == READSTAT_ERROR_CONVERT_SHORT_STRING ||
               rc == READSTAT_ERROR_CONVERT_LONG_STRING) {
        if (encoding)
            st = sd__fail(err, SD_E_ENCODING, file, 0, 0, NULL,
                          "text in this %s file is not valid %s (the encoding given): expected "
                          "the file's real encoding",
                          kind, encoding);
        else if (c.declared[0])
            st = sd__fail(err, SD_E_ENCODING, file, 0, 0, NULL,
                          "text in this %s file is not valid %s, the encoding it declares: "
                          "name its real encoding (--encoding, e.g. ISO-8859-1 or UTF-8)",
                          kind, c.declared);
        else /* Stata before 14 declares none; ReadStat takes Windows-1252 */
            st = sd__fail(err, SD_E_ENCODING, file, 0, 0, NULL,
                          "text in this %s file is not valid Windows-1252, the encoding taken "
                          "when a file declares none: name its real encoding (--encoding, e.g. "
                          "UTF-8)",
                          kind);
    } else if (rc != READSTAT_OK) {
        st = rs_refusal(&c, src, rc, fmt, kind, file, have_dict ? &dict : NULL, err);
    } else if (del_err) {
        st = sd__fail(err, sd_error_status(del_err), file, 0, 0, NULL, "%s",
                      sd_error_message(del_err));
    } else if (c.names_only || (st = cut_short(&c, src, fmt, kind, file, err)) == SD_OK) {
        st = finish(&c);
    }
    sd_error_free(del_err);
    if (st == SD_OK && have_dict)
        st = sav_extras(&c, src, &dict, encoding);
    sd__sav_dict_free(&dict);
    ctx_free(&c);
    if (st != SD_OK) {
        sd_dataset_free(c.ds);
        return st;
    }
    *out = c.ds;
    return SD_OK;
}

static sd_status empty_file(sd_format fmt, const char *file, sd_error *err)
{
    const char *kind = format_name(fmt, file);
    return sd__fail(err, SD_E_EMPTY, file, 0, 0, NULL, "not a readable %s file: it is empty (0 bytes)",
                    kind ? kind : "data");
}

sd_status sd__read_readstat(const char *path, sd_format fmt, const char *encoding,
                            const sd_csv_cols *sel, sd_dataset **out, sd_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "not a regular file");
    }
    if (sb.st_size == 0) {
        close(fd);
        return empty_file(fmt, path, err);
    }
    rs_src src = {.fd = fd};
    unsigned char head[POR_HEAD];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) {
        int e = errno;
        close(fd);
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "read error: %s", strerror(e));
    }
    if (fmt == SD_FORMAT_POR)
        por_fix_plan(&src, head, (size_t)n);
    sd_status st = parse(&src, fmt, path, encoding, sel, head, (size_t)n, out, err);
    close(fd);
    return st;
}

sd_status sd__read_readstat_mem(const void *data, size_t len, sd_format fmt, const char *name,
                                sd_dataset **out, sd_error *err)
{
    *out = NULL;
    if (!name)
        name = "(memory)";
    if (len == 0) {
        return empty_file(fmt, name, err);
    }
    if (!data)
        return sd__fail(err, SD_E_INVALID, name, 0, 0, NULL, "no data given");
    rs_src src = {.fd = -1, .mem = data, .len = len};
    size_t n = len < POR_HEAD ? len : POR_HEAD;
    if (fmt == SD_FORMAT_POR)
        por_fix_plan(&src, data, n);
    return parse(&src, fmt, name, NULL, NULL, data, n, out, err);
}
