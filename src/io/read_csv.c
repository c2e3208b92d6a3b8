/*
 * read_csv.c — the CSV reader of the io layer: RFC 4180 text held in memory
 * becomes a dataset (one column per header name, types inferred or taken
 * from the codebook).
 *
 * Hand-written rather than built on a CSV library (libcsv and friends split
 * fields through callbacks): the reader must detect the separator, infer
 * types with a fast path for small integers, accept decimal commas, name the
 * line and field of every error, honour codebook types, and read at least
 * 200 MB/s from the in-memory buffer without a malloc per field (225-250
 * MB/s measured on 1M rows x 31 small-integer columns, 77 MB; about 40% of
 * that time is the first touch of the 280 MB of column arrays).
 *
 * How it reads. Pass 1 tokenizes every record once and fills the columns in
 * place: numbers go straight into the numeric arrays. A column that meets a
 * value that is not a number becomes a string column from that row on (its
 * values are interned as they come); pass 2 then re-reads only the rows
 * before that point, and only for those columns. Rows are pre-sized from a
 * count of '\n' (an upper bound), and grown if lone-CR line ends beat it.
 *
 * Asked for some columns only (sd_csv_cols), it still splits every field
 * of every record (so the row's field count, the fields' size and their
 * UTF-8 are checked as always) but converts and stores only those: the
 * others become variables with a name and no values (sd_var.unread).
 *
 * Where fields end comes from csv_scan.h's masks of 64 bytes at a time.
 * A record of plain ASCII fields (no quote, no control byte, LF or CRLF at
 * its end) is read whole by the record path (rec_rows): its stop bits
 * walked one per field, codes and short decimals converted between known
 * ends, a run of skipped columns passed in one go. A record it cannot read
 * goes to the field path from its first byte: there, a run of skipped
 * columns is passed over a field per bit (csv_skip_fields), and a short
 * unquoted number is converted between its known ends; anything else in a
 * field (a quote first, text, non-ASCII bytes, a NUL, the last 64 bytes of
 * the text) takes the byte-by-byte path that was the whole reader before,
 * with its checks and its messages. The tests and the fuzzer compare the
 * scans with that path alone (sd__csv_scan_set).
 *
 * Asked to hold some columns narrow (sd_csv_cols.narrow: a table's
 * categories), it stores their whole codes 0..254 in one byte a row
 * (sd_var.u8, data.h); the first value that does not fit (255 and up, a
 * negative or fractional number, text) widens the column at that row
 * (its earlier rows become num and sysmis) and the read goes on with it
 * wide. A widen is one of the things a part of a parallel read cannot do
 * alone (the column's arrays are shared): it reads again on one thread.
 *
 * Semantics worth knowing: an empty field and the unquoted token NA are
 * system-missing; a field of spaces only is missing in a numeric column but
 * kept as text in a string column; a lone CR ends a line like LF and CRLF.
 */
#include "io.h"

#include "csv_scan.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ lexer */

enum { TOK_SEP, TOK_EOL, TOK_EOF, TOK_ERR };

typedef struct lexer {
    const char *p, *end;
    char sep;
    long line;          /* physical line of p, 1-based */
    uint8_t stop[256];  /* bytes that end an unquoted field */
    char *scratch;      /* unescaped quoted fields holding "" */
    size_t scap;
    const char *name;   /* for messages */
    sd_error *err;
    sd_status st;
} lexer;

typedef struct field {
    const char *s; /* into the input, or into lexer.scratch */
    size_t n;
    long line;     /* line where the field starts */
    bool quoted;
    unsigned hi;   /* OR of every byte: bit 7 set means non-ASCII */
} field;

static void lex_init(lexer *lx, const char *p, const char *end, char sep, long line,
                     const char *name, sd_error *err)
{
    memset(lx, 0, sizeof *lx);
    lx->p = p;
    lx->end = end;
    lx->sep = sep;
    lx->line = line;
    lx->name = name;
    lx->err = err;
    lx->stop[(unsigned char)sep] = 1;
    lx->stop['\n'] = 1;
    lx->stop['\r'] = 1;
    lx->stop[0] = 1;
}

/* Record a failure (the first one sticks) and report TOK_ERR. */
static int lex_fail(lexer *lx, sd_status st, long line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int lex_fail(lexer *lx, sd_status st, long line, size_t col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lx->st = sd__fail(lx->err, st, lx->name, line, (long)col, NULL, "%s", msg);
    return TOK_ERR;
}

/* Lines in s[0..n): LF, CRLF and a lone CR each count once. */
static long count_lines(const char *s, size_t n)
{
    long k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
            k++;
    return k;
}

/* Step over a line end at p (LF, CRLF or a lone CR). */
static inline const char *skip_eol(const char *p, const char *end)
{
    return p + ((*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1);
}

/* What ends a field at p: the separator, a line end, or the end of input. */
static inline __attribute__((always_inline)) int lex_term(lexer *lx, const char *p, size_t col)
{
    const char *end = lx->end;
    if (p >= end) {
        lx->p = p;
        return TOK_EOF;
    }
    char c = *p;
    if (c == lx->sep) {
        lx->p = p + 1;
        return TOK_SEP;
    }
    if (c == '\n' || c == '\r') {
        lx->p = skip_eol(p, end);
        lx->line++;
        return TOK_EOL;
    }
    if (c == '\0')
        return lex_fail(lx, SD_E_ENCODING, lx->line, col,
                        "NUL byte in field %zu: expected UTF-8 text without NUL bytes", col);
    /* Only reachable after a closing quote. */
    return lex_fail(lx, SD_E_PARSE, lx->line, col,
                    "text after the closing quote of field %zu: expected a separator or the "
                    "end of the line",
                    col);
}

static int lex_too_large(lexer *lx, long line, size_t col)
{
    return lex_fail(lx, SD_E_TOO_LARGE, line, col,
                    "field %zu is longer than %zu bytes: expected at most 16 MiB per value", col,
                    SD_MAX_FIELD);
}

/* Append to the scratch buffer (capped at SD_MAX_FIELD). */
static int scratch_add(lexer *lx, size_t *len, const char *s, size_t n, long line, size_t col)
{
    size_t need;
    if (!sd__add_ok(*len, n, &need) || need > SD_MAX_FIELD)
        return lex_too_large(lx, line, col);
    if (need > lx->scap) {
        size_t cap = lx->scap ? lx->scap : 256;
        while (cap < need)
            cap *= 2;
        char *b = sd__realloc(lx->scratch, cap);
        if (!b)
            return lex_fail(lx, SD_E_NOMEM, line, col, "out of memory reading field %zu", col);
        lx->scratch = b;
        lx->scap = cap;
    }
    memcpy(lx->scratch + *len, s, n);
    *len = need;
    return TOK_SEP; /* anything but TOK_ERR */
}

/* A quoted field: "" is a quote; separators and line ends are text. */
static int lex_quoted(lexer *lx, field *f, size_t col)
{
    const char *p = lx->p + 1, *end = lx->end, *seg = p;
    long start = lx->line;
    size_t len = 0;
    bool copied = false;
    unsigned hi = 0;
    for (;;) {
        if (p >= end)
            return lex_fail(lx, SD_E_PARSE, start, col,
                            "unterminated quoted field %zu: expected a closing '\"'", col);
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            if (p + 1 < end && p[1] == '"') {
                if (scratch_add(lx, &len, seg, (size_t)(p + 1 - seg), start, col) == TOK_ERR)
                    return TOK_ERR;
                copied = true;
                p += 2;
                seg = p;
                continue;
            }
            break;
        }
        if (c == '\n' || (c == '\r' && !(p + 1 < end && p[1] == '\n')))
            lx->line++;
        else if (c == '\0')
            return lex_fail(lx, SD_E_ENCODING, lx->line, col,
                            "NUL byte in field %zu: expected UTF-8 text without NUL bytes", col);
        hi |= c;
        p++;
    }
    if (copied) {
        if (scratch_add(lx, &len, seg, (size_t)(p - seg), start, col) == TOK_ERR)
            return TOK_ERR;
        f->s = lx->scratch;
        f->n = len;
    } else {
        f->s = seg;
        f->n = (size_t)(p - seg);
        if (f->n > SD_MAX_FIELD)
            return lex_too_large(lx, start, col);
    }
    f->quoted = true;
    f->hi = hi;
    return lex_term(lx, p + 1, col);
}

/* Read one field; `col` (1-based) is only used in messages. */
static inline __attribute__((always_inline)) int lex_field(lexer *lx, field *f,
                                                           size_t col)
{
    const char *p = lx->p, *end = lx->end;
    f->line = lx->line;
    if (p < end && *p == '"')
        return lex_quoted(lx, f, col);
    const char *s = p;
    unsigned hi = 0;
    while (p < end && !lx->stop[(unsigned char)*p])
        hi |= (unsigned char)*p++;
    f->s = s;
    f->n = (size_t)(p - s);
    f->quoted = false;
    f->hi = hi;
    if (f->n > SD_MAX_FIELD)
        return lex_too_large(lx, f->line, col);
    return lex_term(lx, p, col);
}

/* The separator of the header line: the most frequent unquoted ',' ';' or
 * tab; ',' on a tie or when there is none. */
static char detect_sep(const char *p, const char *end)
{
    size_t nc = 0, ns = 0, nt = 0;
    bool inq = false, at_start = true;
    for (; p < end; p++) {
        char c = *p;
        if (inq) {
            if (c == '"') {
                if (p + 1 < end && p[1] == '"')
                    p++;
                else
                    inq = false;
            }
            continue;
        }
        if (c == '\n' || c == '\r')
            break;
        if (c == '"' && at_start) {
            inq = true;
            at_start = false;
            continue;
        }
        at_start = c == ',' || c == ';' || c == '\t';
        nc += c == ',';
        ns += c == ';';
        nt += c == '\t';
    }
    if (ns > nc && ns > nt)
        return ';';
    if (nt > nc && nt > ns)
        return '\t';
    return ',';
}

/* ------------------------------------------------------------ columns */

enum { COL_NUM, COL_NUM_DECL, COL_STR, COL_SKIP, COL_U8 };

static inline bool is_num_kind(int kind)
{
    return kind == COL_NUM || kind == COL_NUM_DECL;
}

typedef struct column {
    sd_var *v;
    int kind;
    bool decl;       /* the codebook declares it numeric: text is a conflict */
    bool nonint;     /* a value is not an integer: measure scale */
    size_t str_from; /* string columns: first row interned by pass 1 */
    double *num;     /* v->num, v->sysmis, v->str, v->u8, cached */
    uint8_t *mis;
    uint32_t *str;
    uint8_t *u8;     /* COL_U8: the narrow codes (num and mis NULL) */
    size_t skipn;    /* skipped columns from here that end with a separator:
                      * the run of COL_SKIP, less its last if it ends the row */
    size_t u8run;    /* the same for COL_U8 (col_runs) */
    size_t numrun;   /* and for number columns */
} column;

typedef struct reader {
    lexer lx;
    sd_dataset *ds;
    column *cols;
    size_t ncols;
    bool comma;        /* ';' separator: "1,5" is a number too */
    size_t pass2_rows; /* rows pass 2 re-reads */
    bool release;      /* the text is a file mapping: give its pages back behind */
    const char *released; /* up to here */
    const char *name;
    sd_error *err;
    /* A part of a parallel read (see "parts" below): rows r0..rlimit-1 are
     * its own; anything a part cannot do alone sets bail. */
    bool part, bail;
    size_t r0, rlimit, rows;
    /* A stream's chunk (sd__csv_stream_read): stop at a record once this many rows
     * are read; 0 reads to the end. */
    size_t maxrec;
} reader;

static void cache_cols(reader *R)
{
    for (size_t j = 0; j < R->ncols; j++) {
        column *c = &R->cols[j];
        if (c->kind == COL_SKIP)
            continue;
        c->num = c->v->num;
        c->mis = c->v->sysmis;
        c->str = c->v->str;
        c->u8 = c->v->u8;
    }
}

static inline bool is_missing(const field *f)
{
    return f->n == 0 || (!f->quoted && f->n == 2 && f->s[0] == 'N' && f->s[1] == 'A');
}

enum { NUM_NO, NUM_INT, NUM_FRAC, NUM_BLANK };

/* Powers of ten a double holds exactly. */
static const uint64_t pow10_u64[] = {1ull,
                                     10ull,
                                     100ull,
                                     1000ull,
                                     10000ull,
                                     100000ull,
                                     1000000ull,
                                     10000000ull,
                                     100000000ull,
                                     1000000000ull,
                                     10000000000ull,
                                     100000000000ull,
                                     1000000000000ull,
                                     10000000000000ull,
                                     100000000000000ull,
                                     1000000000000000ull};
static const double pow10_exact[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Is the field a number? Small non-negative integers take a fast path;
 * anything else is trimmed of spaces and parsed locale-free. */
static inline int to_number(const field *f, bool comma, double *x)
{
    const char *s = f->s;
    size_t n = f->n;
    if (n - 1 < 9) {
        uint32_t v = 0;
        size_t i = 0;
        for (; i < n; i++) {
            unsigned d = (unsigned)(unsigned char)s[i] - '0';
            if (d > 9)
                break;
            v = v * 10 + d;
        }
        if (i == n) {
            *x = (double)v;
            return NUM_INT;
        }
    }
    /* Short decimals such as weights ("1.23"): an exact integer over an
     * exact power of ten is correctly rounded (Clinger's fast path). */
    if (n >= 3 && n <= 16) {
        const double *p10 = pow10_exact;
        uint64_t v = 0;
        size_t i = 0, dot = n;
        for (; i < n; i++) {
            unsigned d = (unsigned)(unsigned char)s[i] - '0';
            if (d <= 9)
                v = v * 10 + d;
            else if (s[i] == '.' && dot == n && i > 0 && i + 1 < n)
                dot = i;
            else
                break;
        }
        if (i == n && dot < n) {
            *x = (double)v / p10[n - 1 - dot];
            return *x == floor(*x) ? NUM_INT : NUM_FRAC;
        }
    }
    while (n && *s == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return NUM_BLANK;
    if (!sd__parse_double(s, n, false, x) && !(comma && sd__parse_double(s, n, true, x)))
        return NUM_NO;
    if (!isfinite(*x))
        return NUM_NO; /* "1e999": keep the text rather than an infinity */
    return *x == floor(*x) ? NUM_INT : NUM_FRAC;
}

static sd_status check_utf8(reader *R, const field *f, size_t col, const char *var)
{
    size_t ok = sd__utf8_valid_prefix(f->s, f->n);
    if (ok == f->n)
        return SD_OK;
    return sd__fail(R->err, SD_E_ENCODING, R->name, f->line + count_lines(f->s, ok), (long)col,
                    var,
                    "invalid UTF-8 in field %zu: expected UTF-8 text (or Windows-1252, "
                    "recognised when the whole file reads as it); name the file's encoding "
                    "with --encoding",
                    col);
}

static sd_status nomem(reader *R, long line)
{
    return sd__fail(R->err, SD_E_NOMEM, R->name, line, 0, NULL, "out of memory");
}

/* A part met what only a whole read can do (a string to intern, a column
 * turning to text, more rows than its share): the read starts again on
 * one thread. */
static sd_status bail(reader *R)
{
    R->bail = true;
    return SD_E_INTERNAL;
}

/* The runs of skipped, narrow and number columns from each column, the last
 * column of a record left out of them (it ends with a line end). */
static void col_runs(reader *R)
{
    for (size_t j = R->ncols, skip = 0, u8 = 0, num = 0; j-- > 0;) {
        column *c = &R->cols[j];
        skip = c->kind == COL_SKIP ? skip + 1 : 0;
        u8 = c->kind == COL_U8 ? u8 + 1 : 0;
        num = is_num_kind(c->kind) ? num + 1 : 0;
        c->skipn = j + skip < R->ncols ? skip : skip - (skip > 0);
        c->u8run = j + u8 < R->ncols ? u8 : u8 - (u8 > 0);
        c->numrun = j + num < R->ncols ? num : num - (num > 0);
    }
}

/* A narrow column met a value that does not fit at some row: it holds
 * num and sysmis from now on, its rows so far converted. */
static sd_status widen(reader *R, column *c, long line)
{
    if (R->part)
        return bail(R);
    if (!sd__var_widen(c->v, R->ds->rowcap))
        return nomem(R, line);
    c->kind = COL_NUM;
    c->num = c->v->num;
    c->mis = c->v->sysmis;
    c->u8 = NULL;
    col_runs(R);
    return SD_OK;
}

static inline sd_status put_string(reader *R, column *c, size_t r, const field *f, long line)
{
    if (R->part)
        return bail(R);
    uint32_t idx;
    if (!sd__var_intern(c->v, f->s, f->n, &idx))
        return nomem(R, line);
    c->str[r] = idx;
    c->mis[r] = 0;
    return SD_OK;
}

/* A numeric column met text at row r: it holds strings from now on. Its
 * arrays are swapped here (the data layer's conversion would format the
 * numbers, and "007" must stay "007"); pass 2 re-reads rows before r. */
static sd_status make_string(reader *R, column *c, size_t r, long line)
{
    uint32_t *str = sd__calloc(R->ds->rowcap, sizeof *str);
    if (!str)
        return nomem(R, line);
    sd__free(c->v->num);
    c->v->num = NULL;
    c->v->str = str;
    c->v->type = SD_TYPE_STRING;
    c->v->width = 1; /* grows to the longest value as values are interned */
    c->kind = COL_STR;
    c->str_from = r;
    c->num = NULL;
    c->str = str;
    col_runs(R);
    if (r > R->pass2_rows)
        R->pass2_rows = r;
    return SD_OK;
}

static sd_status conflict(reader *R, const column *c, size_t col, const field *f, long line)
{
    size_t n = f->n;
    const char *more = "";
    if (n > 60) { /* cut on a character boundary */
        n = 60;
        while (n > 0 && ((unsigned char)f->s[n] & 0xC0) == 0x80)
            n--;
        more = "...";
    }
    return sd__fail(R->err, SD_E_CONFLICT, R->name, line, (long)col, c->v->name,
                    "variable '%s' is declared numeric in the codebook but holds '%.*s%s'",
                    c->v->name, (int)n, f->s, more);
}

/* Store field f as row r of column j (pass 1). */
static inline sd_status put(reader *R, column *c, size_t j, size_t r, const field *f, long line)
{
    sd_status st;
    if ((f->hi & 0x80) && (st = check_utf8(R, f, j + 1, c->v->name)) != SD_OK)
        return st;
    if (c->kind == COL_SKIP || is_missing(f))
        return SD_OK; /* cells start system-missing; a skipped column has none */
    if (c->kind != COL_STR) {
        double x;
        switch (to_number(f, R->comma, &x)) {
        case NUM_INT:
            if (c->kind == COL_U8 && !signbit(x) && x < SD_U8_NONE) {
                c->u8[r] = (uint8_t)x;
                return SD_OK;
            }
            /* fall through */
        case NUM_FRAC:
            if (c->kind == COL_U8 && (st = widen(R, c, line)) != SD_OK)
                return st;
            c->nonint |= x != floor(x);
            c->num[r] = x;
            c->mis[r] = 0;
            return SD_OK;
        case NUM_BLANK:
            return SD_OK;
        default:
            break;
        }
        if (c->kind == COL_NUM_DECL || c->decl)
            return conflict(R, c, j + 1, f, line);
        if (R->part)
            return bail(R);
        if (c->kind == COL_U8 && (st = widen(R, c, line)) != SD_OK)
            return st;
        if ((st = make_string(R, c, r, line)) != SD_OK)
            return st;
    }
    return put_string(R, c, r, f, line);
}

/* Field ends from csv_scan.h's block masks; off, every field is read byte
 * by byte (the reference the tests compare the scan with). */
static bool csv_scan_off;

void sd__csv_scan_set(bool on)
{
    csv_scan_off = !on;
}

/* A mapped file's pages are given back every RELEASE_STEP bytes read. */
#define RELEASE_STEP ((ptrdiff_t)16 << 20)

/* ------------------------------------------------------------ passes */

/* The header: count the names first (so a line of a million columns fails
 * before any is built), then check and add them; duplicates are found with
 * the dataset's name index (columns and variables share their numbers). */
static sd_status read_header(reader *R, const sd_codebook *cb, const sd_csv_cols *sel)
{
    lexer *lx = &R->lx;
    const char *start = lx->p;
    field f;
    int tok;
    size_t n = 0;
    sd_status st;
    do {
        tok = lex_field(lx, &f, n + 1);
        if (tok == TOK_ERR)
            return lx->st;
        if (++n > SD_MAX_VARS)
            return sd__fail(R->err, SD_E_TOO_LARGE, R->name, f.line, (long)n, NULL,
                            "more than %zu columns: expected at most %zu variables", SD_MAX_VARS,
                            SD_MAX_VARS);
    } while (tok == TOK_SEP);

    R->cols = sd__calloc(n, sizeof *R->cols);
    if (!R->cols)
        return nomem(R, 1);
    lx->p = start;
    lx->line = 1;
    st = SD_OK;
    for (size_t j = 0; j < n && st == SD_OK; j++) {
        tok = lex_field(lx, &f, j + 1);
        if ((f.hi & 0x80) && (st = check_utf8(R, &f, j + 1, NULL)) != SD_OK)
            break;
        if (f.n == 0) {
            st = sd__fail(R->err, SD_E_PARSE, R->name, f.line, (long)(j + 1), NULL,
                          "empty variable name in column %zu: expected a name for every column",
                          j + 1);
            break;
        }
        char *name = sd__strndup(f.s, f.n);
        if (!name) {
            st = nomem(R, f.line);
            break;
        }
        long k = sd__dataset_var_index(R->ds, name);
        if (k >= 0)
            st = sd__fail(R->err, SD_E_PARSE, R->name, f.line, (long)(j + 1), name,
                          "variable name '%s' in column %zu is already used by column %ld: "
                          "expected unique names",
                          name, j + 1, k + 1);
        sd_type decl = SD_TYPE_NUMERIC;
        int kind = COL_NUM;
        if (st == SD_OK && cb && sd__codebook_var_type(cb, name, &decl) == 1)
            kind = decl == SD_TYPE_STRING ? COL_STR : COL_NUM_DECL;
        sd_var *v = NULL;
        if (st == SD_OK)
            st = sd__dataset_add_var(R->ds, name,
                                     kind == COL_STR ? SD_TYPE_STRING : SD_TYPE_NUMERIC, &v,
                                     R->err);
        sd__free(name);
        if (st != SD_OK)
            break;
        if (kind == COL_STR)
            v->width = 1; /* grows to the longest value */
        bool declnum = kind == COL_NUM_DECL;
        if (sel && (sel->header_only || !sd__csv_cols_keep(sel, v->name))) {
            v->unread = true;
            kind = COL_SKIP;
        } else if (sel && kind != COL_STR && sd__csv_cols_narrow(sel, v->name)) {
            v->narrow = true; /* its rows, when reserved, are u8 */
            kind = COL_U8;
        }
        R->cols[j].v = v;
        R->cols[j].decl = declnum;
        R->cols[j].kind = kind;
        R->ncols = j + 1;
    }
    col_runs(R);
    return st;
}

/* At the start of a record: a blank line to skip? (Not with one column,
 * where a blank line is a missing value.) */
static inline bool skip_blank(reader *R)
{
    lexer *lx = &R->lx;
    if (R->ncols > 1 && (*lx->p == '\n' || *lx->p == '\r')) {
        lx->p = skip_eol(lx->p, lx->end);
        lx->line++;
        return true;
    }
    return false;
}

/* ---- numbers met again
 *
 * Replicate weights repeat within a row: a jackknife's are the weight
 * times one factor but for the replicate that drops the row's PSU, a
 * bootstrap's a few multiples of it. The last numbers converted are kept
 * by their bytes (fields of 3 to 16 bytes, read 16 bytes at a time where
 * the map has them), so a field met again costs a compare, not its digits:
 * the value is a function of the bytes alone. */
enum { MEMO_N = 64 };

typedef struct memo_ent {
    uint64_t lo, hi, v;
    double x;       /* v / 10^dp, for dp >= 0 */
    int32_t n, dp;
    bool frac;      /* x is not an integer */
} memo_ent;

/* The n (3..16) bytes at p as two words, bytes past n cleared. */
static inline void memo_key(const char *p, size_t n, uint64_t *lo, uint64_t *hi)
{
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    if (n < 8) {
        a &= ((uint64_t)1 << (8 * n)) - 1;
        b = 0;
    } else if (n < 16) {
        b &= ((uint64_t)1 << (8 * (n - 8))) - 1;
    }
    *lo = a;
    *hi = b;
}

static inline size_t memo_slot(uint64_t lo, uint64_t hi)
{
    return (size_t)(((lo ^ hi) * 0x9e3779b97f4a7c15ull) >> 58); /* MEMO_N = 64 */
}

static inline const memo_ent *memo_hit(const memo_ent *m, const char *p, size_t n)
{
    uint64_t lo, hi;
    memo_key(p, n, &lo, &hi);
    const memo_ent *e = &m[memo_slot(lo, hi)];
    return e->n == (int32_t)n && e->lo == lo && e->hi == hi ? e : NULL;
}

/* Keep a number just converted; its entry, whose value and flag the
 * caller then uses rather than working them out again. */
static inline const memo_ent *memo_put(memo_ent *m, const char *p, size_t n, uint64_t v, int dp)
{
    uint64_t lo, hi;
    memo_key(p, n, &lo, &hi);
    memo_ent *e = &m[memo_slot(lo, hi)];
    *e = (memo_ent){lo,         hi, v, dp >= 0 ? (double)v / pow10_exact[dp] : (double)v,
                    (int32_t)n, dp, dp >= 0 && v % pow10_u64[dp] != 0};
    return e;
}

/* The digits of [p, q) summed into *v, at most one '.' noted in *dot: where
 * the scan stopped (q when every byte was a digit or that one '.'). */
static inline const char *digits(const char *p, const char *q, uint64_t *v, const char **dot)
{
    uint64_t x = 0;
    const char *t = p, *d0 = NULL;
    for (; t < q; t++) {
        unsigned d = (unsigned)(unsigned char)*t - '0';
        if (d <= 9)
            x = x * 10 + d;
        else if (*t == '.' && !d0)
            d0 = t;
        else
            break;
    }
    *v = x;
    *dot = d0;
    return t;
}

/* ---- the record path
 *
 * A whole record at once from csv_row_masks (csv_scan.h), the usual case
 * of a large file: plain ASCII fields without quotes, ended by separators
 * and a LF or CRLF. The stop bits are walked one per field, across blocks
 * of 64 bytes that follow one another from where the path last loaded one
 * (a record starts where the one before ended, so its block is mostly
 * loaded already); a run of skipped columns clears its bits in one go. Each
 * field's bytes are known before it is looked at: codes of one or two
 * digits and short decimals are converted here, anything else (text, NA, a
 * sign, a long number) goes to put() as the field path would give it.
 *
 * A record with a stop byte that is not a separator where one is due (a
 * quote, a control byte, non-ASCII text, a lone CR, too few or too many
 * fields), or too near the end of the text for whole blocks, is left to
 * the field path from its first byte: nothing of it has been stored then
 * but fields that path stores the same way again. */
typedef struct rec_scan {
    const char *base; /* the block: [base, base + 64) */
    uint64_t stop, brk; /* its masks, stop's bits before `at` cleared */
    const char *at;   /* where the path stopped; a record elsewhere reloads */
    size_t tried, left; /* records tried, and left to the field path */
} rec_scan;

enum { REC_BLOCKS = 1024 }; /* blocks a record may span (64 KiB) */

/* A short number between its ends: digits with at most one '.' inside
 * (neither first nor last), 1 to 15 bytes; the memo (not NULL) where 16
 * bytes can be read at s. false: put() reads it. */
static inline __attribute__((always_inline)) bool rec_number(memo_ent *memo, const char *s,
                                                             size_t n, const char *end,
                                                             double *x, bool *frac)
{
    if (n > 15)
        return false;
    const memo_ent *e = NULL;
    bool wide = memo && end - s >= 16;
    if (wide && (e = memo_hit(memo, s, n)) != NULL) {
        *x = e->x;
        *frac = e->frac;
        return true;
    }
    uint64_t v;
    const char *fe = s + n, *dot;
    if (digits(s, fe, &v, &dot) != fe || (dot && (dot == s || dot + 1 == fe)))
        return false;
    int dp = dot ? (int)(fe - dot - 1) : -1;
    if (wide) {
        e = memo_put(memo, s, n, v, dp);
        *x = e->x;
        *frac = e->frac;
    } else {
        *x = dp >= 0 ? (double)v / pow10_exact[dp] : (double)v;
        *frac = dp >= 0 && v % pow10_u64[dp] != 0;
    }
    return true;
}

/* The n bytes at s as a code of one or two digits? */
static inline bool rec_code(const char *s, size_t n, uint8_t *v)
{
    if (n - 1 >= 2)
        return false;
    unsigned d0 = (unsigned)(unsigned char)s[0] - '0', d1 = (unsigned)(unsigned char)s[n - 1] - '0';
    if (d0 > 9 || d1 > 9)
        return false;
    *v = (uint8_t)(n == 2 ? d0 * 10 + d1 : d0);
    return true;
}

/* A field the record path does not convert, [s, e) of column c at row r:
 * put() reads it as the field path would. */
static __attribute__((noinline)) sd_status rec_put(reader *R, column *c, const char *s,
                                                   const char *e, size_t r)
{
    field f = {s, (size_t)(e - s), R->lx.line, false, 0};
    return put(R, c, (size_t)(c - R->cols), r, &f, R->lx.line);
}

/* The record's last field, [s, e) of column c (any kind). */
static inline sd_status rec_last(reader *R, column *c, const char *s, const char *e, size_t r,
                                 memo_ent *memo)
{
    size_t n = (size_t)(e - s);
    if (!n || c->kind == COL_SKIP)
        return SD_OK;
    if (c->kind == COL_U8) {
        if (rec_code(s, n, &c->u8[r]))
            return SD_OK;
    } else if (is_num_kind(c->kind)) {
        double x;
        bool frac;
        if (rec_number(memo, s, n, R->lx.end, &x, &frac)) {
            c->num[r] = x;
            c->mis[r] = 0;
            c->nonint |= frac;
            return SD_OK;
        }
    }
    return rec_put(R, c, s, e, r);
}

/* Records from lx->p into rows r.. until rmax, a blank line, the release
 * step, or a record the path leaves (rs->left counts those): how many were
 * read, lx->p and lx->line past them. A failure of put() sets *st. */
SD_AVX2_CLONES /* (the masks' SSE2 in three-operand VEX form: no register copies) */
static __attribute__((noinline)) size_t rec_rows(reader *R, rec_scan *rs, size_t r,
                                                  size_t rmax, memo_ent *memo, sd_status *st)
{
    lexer *lx = &R->lx;
    const char *const end = lx->end;
    const char sep = lx->sep;
    column *const cols = R->cols;
    column *const clast = cols + (R->ncols - 1);
    const char *base = rs->base;
    uint64_t stop = rs->stop, brk = rs->brk;
    const char *p = lx->p;
    size_t r0 = r;
    *st = SD_OK;
    if (p != rs->at) {
        if (end - p < CSV_BLOCK)
            goto field_path;
        base = p;
        csv_row_masks(p, sep, &stop, &brk);
    }
/* stop's lowest bit is the next stop byte: the blocks after base loaded
 * until it has one */
#define REC_NEXT()                                                                   \
    do {                                                                             \
        while (!stop) {                                                              \
            base += CSV_BLOCK;                                                       \
            if (end - base < CSV_BLOCK || ++blocks > REC_BLOCKS)                      \
                goto field_path;                                                     \
            csv_row_masks(base, sep, &stop, &brk);                                   \
        }                                                                            \
    } while (0)
/* the field from s ends at the next stop, e, which must be a separator */
#define REC_END(e)                                                                   \
    do {                                                                             \
        uint64_t bit_ = stop & (0 - stop);                                           \
        (e) = base + __builtin_ctzll(stop);                                          \
        if (brk & bit_)                                                              \
            goto field_path; /* a line end too soon, a quote, ... */                 \
        stop ^= bit_;                                                                \
    } while (0)
    for (; r < rmax; r++) {
        if (end - p < CSV_BLOCK)
            break; /* the last records: the field path's */
        if (clast > cols && (*p == '\n' || *p == '\r'))
            break; /* a blank line: skip_blank's */
        if (R->release && p - R->released >= RELEASE_STEP)
            break;
        unsigned blocks = 0;
        const char *s = p, *e;
        column *c = cols;
        rs->tried++;
        while (c < clast) {
            REC_NEXT();
            if (c->kind == COL_U8) {
                /* a run of codes: one or two digits each */
                for (;;) {
                    REC_NEXT();
                    size_t off = (size_t)(s - base);
                    if (off < CSV_BLOCK - 2) {
                        /* codes of one digit from s, each followed by a
                         * separator: stop bits at every other byte */
                        const uint64_t odd = 0xAAAAAAAAAAAAAAAAull;
                        uint64_t bad = ((stop >> off) ^ odd) | ((brk >> off) & odd);
                        size_t g = bad ? (size_t)__builtin_ctzll(bad) >> 1 : 32, i = 0;
                        if (g > c->u8run)
                            g = c->u8run;
                        for (; i < g; i++) {
                            unsigned d = (unsigned)(unsigned char)s[2 * i] - '0';
                            if (d > 9)
                                break;
                            c[i].u8[r] = (uint8_t)d;
                        }
                        if (i) {
                            unsigned sh = (unsigned)(off + 2 * i);
                            stop = sh < 64 ? stop & (~0ull << sh) : 0;
                            s += 2 * i;
                            c += i;
                            if (c < clast && c->kind == COL_U8)
                                continue;
                            break;
                        }
                    }
                    REC_END(e);
                    size_t n = (size_t)(e - s);
                    if (!rec_code(s, n, &c->u8[r]) && n &&
                        (*st = rec_put(R, c, s, e, r)) != SD_OK)
                        goto failed;
                    s = e + 1;
                    if (!(++c < clast && c->kind == COL_U8))
                        break;
                }
                continue;
            }
            if (is_num_kind(c->kind)) {
                /* a run of numbers (replicate weights): a field that is the
                 * one before and its separator again costs a compare */
                size_t pw = 0; /* the field before: its bytes and separator */
                double px = 0;
                bool pf = false;
                /* recent numbers kept for runs only (a lone column's values
                 * seldom come back within a few records) */
                memo_ent *mm = c + 1 < clast && is_num_kind(c[1].kind) ? memo : NULL;
                do {
                    REC_NEXT();
                    if (pw && end - s >= CSV_BLOCK + 16 && csv_same16(s, s - pw, pw)) {
                        /* the field before and its separator again, k >= 1
                         * times: their bytes repeat every pw */
                        size_t k = csv_repeat64(s, pw) / pw;
                        if (k > c->numrun)
                            k = c->numrun;
                        if (k) {
                            for (size_t i = 0; i < k; i++) {
                                c[i].num[r] = px;
                                c[i].mis[r] = 0;
                                if (pf)
                                    c[i].nonint = true;
                            }
                            /* their separators: the stops before s + k pw */
                            s += k * pw;
                            size_t off = (size_t)(s - base);
                            while (off >= CSV_BLOCK) {
                                base += CSV_BLOCK;
                                off -= CSV_BLOCK;
                                if (end - base < CSV_BLOCK || ++blocks > REC_BLOCKS)
                                    goto field_path;
                                csv_row_masks(base, sep, &stop, &brk);
                            }
                            stop &= ~0ull << off;
                            c += k - 1;
                            continue;
                        }
                    }
                    REC_END(e);
                    size_t n = (size_t)(e - s);
                    double x;
                    bool frac;
                    pw = 0;
                    if (n && rec_number(mm, s, n, end, &x, &frac)) {
                        c->num[r] = x;
                        c->mis[r] = 0;
                        if (frac)
                            c->nonint = true;
                        pw = n + 1;
                        px = x;
                        pf = frac;
                    } else if (n && (*st = rec_put(R, c, s, e, r)) != SD_OK) {
                        goto failed;
                    }
                    s = e + 1;
                } while (++c < clast && is_num_kind(c->kind));
                continue;
            }
            size_t k = c->skipn;
            if (k > 1) {
                /* a run of k skipped columns, each ended by a separator:
                 * the k-th stop from here, with no other stop on the way */
                c += k;
                for (;;) {
                    unsigned have = csv_popcount(stop);
                    if (have >= k) {
                        uint64_t t = stop;
                        for (size_t i = 0; i < k; i++)
                            t &= t - 1;
                        uint64_t gone = stop ^ t;
                        if (brk & gone)
                            goto field_path;
                        s = base + (64 - __builtin_clzll(gone));
                        stop = t;
                        break;
                    }
                    if (brk & stop)
                        goto field_path;
                    k -= have;
                    stop = 0;
                    REC_NEXT();
                }
                continue;
            }
            /* one skipped column, or text */
            REC_END(e);
            if (c->kind != COL_SKIP && e > s && (*st = rec_put(R, c, s, e, r)) != SD_OK)
                goto failed;
            s = e + 1;
            c++;
        }
        /* the last field, ended by LF or CRLF */
        REC_NEXT();
        unsigned b = (unsigned)__builtin_ctzll(stop);
        e = base + b;
        if (!((brk >> b) & 1) ||
            (*e != '\n' && !(*e == '\r' && e + 1 < end && e[1] == '\n')))
            goto field_path; /* more fields than the header, a quote, ... */
        stop &= stop - 1;
        if ((*st = rec_last(R, c, s, e, r, memo)) != SD_OK)
            goto failed;
        p = e + 1;
        lx->line++;
        if (*e == '\r') { /* CRLF: its LF is a stop bit too */
            p++;
            if (b < 63) {
                stop &= stop - 1;
            } else if (end - p >= CSV_BLOCK) {
                base = p; /* the LF began the next block: one from p */
                csv_row_masks(p, sep, &stop, &brk);
            } else {
                lx->p = p;
                rs->at = NULL;
                return r + 1 - r0;
            }
        }
        lx->p = p;
        continue;
    field_path:
        rs->left++;
        rs->at = NULL;
        return r - r0;
    }
#undef REC_NEXT
#undef REC_END
    rs->base = base;
    rs->stop = stop;
    rs->brk = brk;
    rs->at = p;
    return r - r0;
failed:
    rs->at = NULL;
    return r - r0;
}

static sd_status pass1(reader *R)
{
    memo_ent memo[MEMO_N];
    memset(memo, 0, sizeof memo); /* n = 0: no entry */
    lexer *lx = &R->lx;
    column *cols = R->cols;
    size_t ncols = R->ncols, r = R->r0;
    const char *end = lx->end;
    const uint8_t *stop = lx->stop;
    field f;
    sd_status st;
    csv_scan sc;
    csv_scan_init(&sc, lx->sep);
    bool scan = !csv_scan_off;
    rec_scan rs = {0};
    bool rec = scan;
    while (lx->p < end) {
        if (R->maxrec && r >= R->maxrec)
            break;
        if (skip_blank(R))
            continue;
        long line = lx->line;
        if (R->release && lx->p - R->released >= RELEASE_STEP) {
            sd__csv_release(R->released, lx->p);
            R->released = lx->p;
        }
        if (r >= (R->part ? R->rlimit : R->ds->rowcap)) {
            if (R->part)
                return bail(R);
            if ((st = sd__dataset_grow_rows(R->ds, r + 1, R->name, line, R->err)) != SD_OK)
                return st;
            cache_cols(R);
        }
        if (rec) {
            size_t rmax = R->part ? R->rlimit : R->ds->rowcap;
            if (R->maxrec && R->maxrec < rmax)
                rmax = R->maxrec;
            size_t left = rs.left, got = rec_rows(R, &rs, r, rmax, memo, &st);
            r += got;
            if (st != SD_OK)
                return st;
            /* a file whose records the record path mostly leaves: the
             * field path alone from here (at most twice the work so far) */
            if (rs.left > 64 && rs.left * 8 > rs.tried)
                rec = false;
            if (got && rs.left == left)
                continue; /* stopped at a limit or a blank line */
            if (lx->p >= end || (R->maxrec && r >= R->maxrec))
                continue;
            if (r >= (R->part ? R->rlimit : R->ds->rowcap) || skip_blank(R))
                continue;
            line = lx->line; /* the record the field path reads */
        }
        size_t j = 0;
        int tok;
        /* The row's last field, if a number kept as a double by the path
         * below (its length, 1 to 15 bytes, and value): a replicate weight
         * is often the one before it again. */
        size_t last_n = 0;
        double last_x = 0;
        bool last_frac = false;
        do {
            const char *p = lx->p;
            size_t prev_n = last_n;
            last_n = 0;
            if (scan && j < ncols) {
                column *c = &cols[j];
                size_t k;
                const char *q;
                uint64_t hi;
                if (c->kind == COL_U8) {
                    /* A run of narrow-code columns (answers to questions),
                     * straight from the block masks: a field of one or two
                     * digits ended by the separator is its code. Anything
                     * else (an empty field, the row's last field, a block's
                     * end) is left to the paths below. */
                    const char *f0 = p;
                    size_t j0 = j;
                    for (;;) {
                        size_t len = csv_sep_field(&sc, f0, end, 2);
                        if (!len)
                            break;
                        unsigned d0 = (unsigned)(unsigned char)f0[0] - '0',
                                 d1 = (unsigned)(unsigned char)f0[len - 1] - '0';
                        if (d0 > 9 || d1 > 9)
                            break;
                        cols[j].u8[r] = (uint8_t)(len == 2 ? d0 * 10 + d1 : d0);
                        f0 += len + 1;
                        if (++j >= ncols || cols[j].kind != COL_U8)
                            break;
                    }
                    if (j > j0) {
                        lx->p = f0;
                        tok = TOK_SEP;
                        continue;
                    }
                }
                if (is_num_kind(c->kind) && end - p >= 16) {
                    /* A run of number columns (replicate weights), straight
                     * from the block masks: a field of 1 to 15 bytes ended
                     * by the separator, digits with at most one '.' inside
                     * (at most 9 digits without one), is the last field
                     * again, a recent number (the memo) or converted here.
                     * Anything else goes the paths below. */
                    const char *f0 = p;
                    size_t j0 = j, pn = prev_n;
                    double px = last_x;
                    bool pf = last_frac;
                    for (;;) {
                        if (end - f0 < 16)
                            break;
                        double x;
                        bool frac;
                        size_t len;
                        /* the last field and its separator again? */
                        if (pn && csv_same16(f0, f0 - (pn + 1), pn + 1)) {
                            len = pn;
                            x = px;
                            frac = pf;
                        } else {
                            if (!(len = csv_sep_field(&sc, f0, end, 15)))
                                break;
                            const memo_ent *e = memo_hit(memo, f0, len);
                            if (!e) {
                                uint64_t v;
                                const char *fe = f0 + len, *dot;
                                const char *t = digits(f0, fe, &v, &dot);
                                if (t != fe || (dot && (dot == f0 || dot + 1 == fe)) ||
                                    (!dot && len > 9))
                                    break;
                                e = memo_put(memo, f0, len, v, dot ? (int)(fe - dot - 1) : -1);
                            }
                            x = e->x;
                            frac = e->frac;
                        }
                        column *cc = &cols[j];
                        cc->num[r] = x;
                        cc->mis[r] = 0;
                        cc->nonint |= frac;
                        pn = len;
                        px = x;
                        pf = frac;
                        f0 += len + 1;
                        if (++j >= ncols || !is_num_kind(cols[j].kind))
                            break;
                    }
                    if (j > j0) {
                        lx->p = f0;
                        last_n = pn;
                        last_x = px;
                        last_frac = pf;
                        tok = TOK_SEP;
                        continue;
                    }
                }
                if (c->skipn && (k = csv_skip_fields(&sc, &lx->p, end, c->skipn)) > 0) {
                    /* a run of skipped columns, passed over in one go */
                    j += k;
                    tok = TOK_SEP;
                    continue;
                }
                if (c->kind != COL_SKIP && c->kind != COL_STR &&
                    (q = csv_scan_next(&sc, p, end, &hi)) && (size_t)(q - p) - 1 < 16) {
                    /* A number of at most 16 bytes, digits and at most one
                     * '.': the cases of the loop below, without its checks
                     * for what cannot be there. */
                    uint64_t v = 0;
                    int dp = -1; /* digits after the '.', -1: none */
                    size_t n = (size_t)(q - p);
                    bool num;
                    const memo_ent *e = NULL;
                    if (n <= 2) { /* a code of one or two digits */
                        unsigned d0 = (unsigned)(unsigned char)p[0] - '0',
                                 d1 = (unsigned)(unsigned char)q[-1] - '0';
                        num = d0 <= 9 && d1 <= 9;
                        v = n == 2 ? d0 * 10 + d1 : d0;
                    } else if (end - p >= 16 && (e = memo_hit(memo, p, n))) {
                        num = true; /* the same bytes as a recent number */
                        v = e->v;
                        dp = e->dp;
                    } else {
                        const char *dot;
                        const char *t = digits(p, q, &v, &dot);
                        num = t == q && (!dot || (dot > p && dot + 1 < q));
                        dp = dot ? (int)(q - dot - 1) : -1;
                        if (num && end - p >= 16)
                            e = memo_put(memo, p, n, v, dp);
                    }
                    bool done = false;
                    if (!num) {
                        /* text, or a '.' first or last: the field path */
                    } else if (dp < 0) {
                        if (q - p < 10 && c->kind == COL_U8 && v < SD_U8_NONE) {
                            c->u8[r] = (uint8_t)v;
                            done = true;
                        } else if (q - p < 10 && c->kind != COL_U8) {
                            c->num[r] = (double)v;
                            c->mis[r] = 0;
                            done = true;
                            last_n = n;
                            last_x = (double)v;
                            last_frac = false;
                        }
                    } else if (c->kind != COL_U8) {
                        /* v has at most 15 digits: v / 10^dp is an
                         * integer exactly when 10^dp divides v */
                        if (e) { /* met again, or just kept */
                            c->nonint |= e->frac;
                            c->num[r] = e->x;
                            last_n = n < 16 ? n : 0;
                            last_x = e->x;
                            last_frac = e->frac;
                        } else {
                            if (!c->nonint)
                                c->nonint = v % pow10_u64[dp] != 0;
                            c->num[r] = (double)v / pow10_exact[dp];
                        }
                        c->mis[r] = 0;
                        done = true;
                    }
                    if (done) {
                        if ((tok = lex_term(lx, q, j + 1)) == TOK_ERR)
                            return lx->st;
                        j++;
                        continue;
                    }
                }
            }
            if (j < ncols && p < end && *p != '"') {
                /* The common case, inline: an unquoted field, its digits
                 * summed while it is scanned (and one '.' noted). */
                const char *s = p, *dot = NULL, *q;
                uint64_t v = 0, hi;
                unsigned bad = 0;
                column *c = &cols[j];
                if (scan && (q = csv_scan_next(&sc, p, end, &hi))) {
                    /* The field's end from the block masks. A skipped
                     * column's bytes are not looked at unless non-ASCII
                     * (put checks their UTF-8); any other field here is
                     * one the number path above left, which put reads. */
                    bad = c->kind == COL_SKIP ? hi != 0 : 1;
                    p = q;
                } else {
                    while (p < end && !stop[(unsigned char)*p]) {
                        unsigned d = (unsigned)(unsigned char)*p - '0';
                        if (d <= 9)
                            v = v * 10 + d;
                        else if (*p == '.' && !dot)
                            dot = p;
                        else
                            bad = 1;
                        p++;
                    }
                }
                size_t n = (size_t)(p - s);
                /* Digits with one '.' inside, at most 16 bytes: to_number's
                 * short-decimal path, without its rescans. */
                bool dec = dot && !bad && dot > s && dot + 1 < p && n <= 16;
                bad |= dot && !dec;
                long fline = lx->line; /* an earlier quoted field may span lines */
                if (n > SD_MAX_FIELD) {
                    lex_too_large(lx, fline, j + 1);
                    return lx->st;
                }
                if ((tok = lex_term(lx, p, j + 1)) == TOK_ERR)
                    return lx->st;
                if (c->kind == COL_SKIP && !bad) {
                    /* a number: nothing to check, nothing to keep */
                } else if (!bad && !dot && n - 1 < 9 && c->kind == COL_U8 && v < SD_U8_NONE) {
                    c->u8[r] = (uint8_t)v;
                } else if (!bad && !dot && n - 1 < 9 && c->kind != COL_STR && c->kind != COL_U8) {
                    c->num[r] = (double)v;
                    c->mis[r] = 0;
                } else if (dec && c->kind != COL_STR && c->kind != COL_U8) {
                    double x = (double)v / pow10_exact[(size_t)(p - dot - 1)];
                    c->nonint |= x != floor(x);
                    c->num[r] = x;
                    c->mis[r] = 0;
                } else {
                    f.s = s;
                    f.n = n;
                    f.line = fline;
                    f.quoted = false;
                    f.hi = 0;
                    for (size_t i = 0; i < n; i++)
                        f.hi |= (unsigned char)s[i];
                    if ((st = put(R, c, j, r, &f, line)) != SD_OK)
                        return st;
                }
            } else {
                tok = lex_field(lx, &f, j + 1);
                if (tok == TOK_ERR)
                    return lx->st;
                if (j < ncols && (st = put(R, &cols[j], j, r, &f, line)) != SD_OK)
                    return st;
            }
            j++;
        } while (tok == TOK_SEP);
        if (j != ncols)
            return sd__fail(R->err, SD_E_PARSE, R->name, line, 0, NULL,
                            "row has %zu field%s, expected %zu as in the header", j,
                            j == 1 ? "" : "s", ncols);
        r++;
    }
    if (R->part)
        R->rows = r - R->r0;
    else
        R->ds->nrows = r;
    return SD_OK;
}

/* Re-read the rows before each string column became one. */
static sd_status pass2(reader *R, const char *body, long line)
{
    lexer *lx = &R->lx;
    lx->p = body;
    lx->line = line;
    size_t r = 0;
    field f;
    sd_status st;
    while (r < R->pass2_rows && lx->p < lx->end) {
        if (skip_blank(R))
            continue;
        size_t j = 0;
        int tok;
        do {
            tok = lex_field(lx, &f, j + 1);
            if (tok == TOK_ERR)
                return lx->st;
            column *c = &R->cols[j];
            if (c->kind == COL_STR && r < c->str_from) {
                c->mis[r] = 1;
                if (!is_missing(&f) && (st = put_string(R, c, r, &f, f.line)) != SD_OK)
                    return st;
            }
            j++;
        } while (tok == TOK_SEP && j < R->ncols);
        r++;
    }
    return SD_OK;
}

static sd_status finish(reader *R)
{
    for (size_t j = 0; j < R->ncols; j++) {
        column *c = &R->cols[j];
        sd_var *v = c->v;
        v->measure = v->type == SD_TYPE_NUMERIC && c->nonint ? SD_MEASURE_SCALE
                                                             : SD_MEASURE_NOMINAL;
        if (c->kind == COL_SKIP)
            continue;
        if (v->type == SD_TYPE_STRING && !sd__var_finish_levels(v, R->ds->nrows))
            return nomem(R, 0);
    }
    return SD_OK;
}

/* An upper bound on the data rows in body[0..rest): one per '\n' plus a
 * last line without one, and no more than the bytes allow (a record of n
 * columns takes at least n-1 separators and a line end). */
static size_t max_rows(const char *body, size_t rest, size_t ncols, bool release)
{
    size_t nl = 0;
    const char *end = body + rest;
    for (const char *b = body; b < end;) {
        const char *e = (size_t)(end - b) > RELEASE_STEP ? b + RELEASE_STEP : end;
        csv_count_lf_quotes(b, (size_t)(e - b), &nl, NULL); /* line ends only */
        if (release)
            sd__csv_release(b, e);
        b = e;
    }
    size_t ub = nl + 1;
    size_t by_size = ncols > 1 ? (rest + 1) / ncols : rest;
    if (by_size < ub)
        ub = by_size;
    return ub < SD_MAX_ROWS ? ub : SD_MAX_ROWS;
}

/* ------------------------------------------------------------ parts */

/* A large body is read on several threads, one part each (issue 14).
 *
 * The body is cut into nt ranges of about equal bytes; each cut moves on
 * to just after the next '\n' that is outside quotes (the parity of the
 * '"' before it, counted by the threads first, with the '\n's that size
 * each part's rows). Part k owns rows [r0_k, r0_k + its '\n' count), the
 * last one row more for a last line without '\n'; the parts write their
 * rows into the same column arrays, each with its own lexer and its own
 * copy of the columns' state (nonint flags, merged after).
 *
 * Why a part's rows are the ones a single read finds: part 0 starts at a
 * record; a part that starts at a record and reads its bytes without a
 * failure ends at a record (its lexer stopped at its end between records,
 * as a single read would there), so the next one starts at one too. So
 * any failure of any part, and anything a part cannot do alone (intern a
 * string, turn a column to text, need more rows than its share, as lone-CR
 * line ends can), discards the parallel read and reads again on one
 * thread: errors are the single read's, with its lines and columns, and
 * the dataset is the same for any number of threads. Rows a part did not
 * use (blank lines, line ends inside quotes) are closed up afterwards. */

#define CSV_PAR_MIN ((size_t)8 << 20) /* bytes of body below which one thread reads */

typedef struct part {
    reader R;
    const char *from, *to; /* raw range (counting), then the part's bytes */
    size_t nl, nq;         /* '\n' and '"' in the raw range */
    size_t moved;          /* '\n' of [raw from, part from): the previous part's */
    sd_status st;
    bool release;
} part;

/* Blocks of COUNT_BLOCK bytes counted for both bytes while in cache, the
 * pages given back behind every RELEASE_STEP (two whole passes would touch
 * every page twice and keep the whole mapping resident). */
#define COUNT_BLOCK ((size_t)256 << 10)

static void *count_part(void *arg)
{
    part *P = arg;
    size_t nl = 0, nq = 0;
    const char *end = P->to, *rel = P->from;
    for (const char *b = P->from; b < end;) {
        const char *e = (size_t)(end - b) > COUNT_BLOCK ? b + COUNT_BLOCK : end;
        csv_count_lf_quotes(b, (size_t)(e - b), &nl, &nq);
        b = e;
        if (P->release && b - rel >= RELEASE_STEP) {
            sd__csv_release(rel, b);
            rel = b;
        }
    }
    if (P->release)
        sd__csv_release(rel, end);
    P->nl = nl;
    P->nq = nq;
    return NULL;
}

static void *parse_part(void *arg)
{
    part *P = arg;
    P->st = pass1(&P->R);
    if (P->R.release)
        sd__csv_release(P->R.released, P->to);
    return NULL;
}

/* Run fn on every part, part 0 on this thread (and any part whose thread
 * could not start). */
static void run_parts(part *parts, size_t nt, void *(*fn)(void *))
{
    pthread_t th[SD_THREADS_MAX];
    bool started[SD_THREADS_MAX] = {false};
    for (size_t k = 1; k < nt; k++)
        started[k] = pthread_create(&th[k], NULL, fn, &parts[k]) == 0;
    fn(&parts[0]);
    for (size_t k = 1; k < nt; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            fn(&parts[k]);
    }
}

/* Close up rows [from, from + n) to start at `to` (to < from), leaving the
 * rows freed, up to gap_end, system-missing. */
static void move_rows(reader *R, size_t to, size_t from, size_t n, size_t gap_end)
{
    size_t a = to + n, m = gap_end - a;
    for (size_t j = 0; j < R->ncols; j++) {
        column *c = &R->cols[j];
        if (c->kind == COL_SKIP)
            continue;
        if (c->u8) {
            memmove(c->u8 + to, c->u8 + from, n);
            memset(c->u8 + a, SD_U8_NONE, m);
        }
        if (c->mis) {
            memmove(c->mis + to, c->mis + from, n);
            memset(c->mis + a, 1, m);
        }
        if (c->num) {
            memmove(c->num + to, c->num + from, n * sizeof *c->num);
            memset(c->num + a, 0, m * sizeof *c->num);
        }
        if (c->str) {
            memmove(c->str + to, c->str + from, n * sizeof *c->str);
            memset(c->str + a, 0, m * sizeof *c->str);
        }
    }
}

/* The body read in nt parts: *parallel true with the rows in place, or
 * false (read it on one thread). */
static void pass1_parts(reader *R, const char *body, long body_line, size_t nt,
                        bool *parallel)
{
    *parallel = false;
    const char *end = R->lx.end;
    size_t rest = (size_t)(end - body);
    part *parts = sd__zalloc(nt, sizeof *parts);
    column *copies = sd__zalloc(nt * R->ncols, sizeof *copies);
    if (!parts || !copies)
        goto done; /* one thread then */
    for (size_t k = 0; k < nt; k++) {
        parts[k].from = body + rest / nt * k;
        parts[k].to = k + 1 == nt ? end : body + rest / nt * (k + 1);
        parts[k].release = R->release;
    }
    run_parts(parts, nt, count_part);

    /* Cuts: after the first '\n' outside quotes from each raw start. */
    const char *cut[SD_THREADS_MAX + 1];
    size_t quotes = 0;
    cut[0] = body;
    cut[nt] = end;
    for (size_t k = 1; k < nt; k++) {
        quotes += parts[k - 1].nq;
        bool inq = quotes & 1;
        const char *p = parts[k].from, *lim = parts[k].to;
        size_t moved = 0;
        for (; p < lim; p++) {
            if (*p == '"')
                inq = !inq;
            else if (*p == '\n') {
                moved++;
                if (!inq)
                    break;
            }
        }
        if (p >= lim)
            goto done; /* a record as long as a part: one thread */
        cut[k] = p + 1;
        parts[k].moved = moved;
    }
    /* Rows of each part: its '\n's (the last part: and a last line). */
    size_t rows[SD_THREADS_MAX], total = 0;
    for (size_t k = 0; k < nt; k++) {
        rows[k] = parts[k].nl - parts[k].moved + (k + 1 < nt ? parts[k + 1].moved : 1);
        total += rows[k];
    }
    /* Too many rows or no memory: the single read says which. */
    if (sd__dataset_grow_rows(R->ds, total, R->name, body_line, NULL) != SD_OK)
        goto done;
    cache_cols(R);
    size_t r0 = 0;
    long line = body_line;
    for (size_t k = 0; k < nt; k++) {
        reader *Q = &parts[k].R;
        *Q = *R;
        Q->cols = copies + k * R->ncols;
        memcpy(Q->cols, R->cols, R->ncols * sizeof *R->cols);
        lex_init(&Q->lx, cut[k], cut[k + 1], R->lx.sep, line, R->name, NULL);
        Q->err = NULL;
        Q->part = true;
        Q->r0 = r0;
        Q->rlimit = r0 + rows[k];
        Q->released = cut[k];
        parts[k].to = cut[k + 1];
        r0 += rows[k];
        line += (long)rows[k];
    }
    run_parts(parts, nt, parse_part);
    for (size_t k = 0; k < nt; k++) {
        if (parts[k].st != SD_OK)
            goto done;
    }
    /* Close up unused rows; merge what the parts learnt of the columns. */
    size_t at = parts[0].R.rows;
    for (size_t k = 1; k < nt; k++) {
        size_t from = parts[k].R.r0, n = parts[k].R.rows;
        if (at < from)
            move_rows(R, at, from, n, from + n);
        at += n;
    }
    R->ds->nrows = at;
    for (size_t k = 0; k < nt; k++)
        for (size_t j = 0; j < R->ncols; j++)
            R->cols[j].nonint |= parts[k].R.cols[j].nonint;
    *parallel = true;
done:
    if (parts)
        for (size_t k = 0; k < nt; k++)
            sd__free(parts[k].R.lx.scratch);
    sd__free(parts);
    sd__free(copies);
}

bool sd__csv_cols_narrow(const sd_csv_cols *sel, const char *name)
{
    for (size_t i = 0; i < sel->nnarrow; i++)
        if (!strcmp(sel->narrow[i], name))
            return true;
    return false;
}

bool sd__csv_cols_keep(const sd_csv_cols *sel, const char *name)
{
    if (sel->all)
        return true;
    for (size_t i = 0; i < sel->n; i++)
        if (!strcmp(sel->names[i], name))
            return true;
    return sel->has_re && regexec(&sel->re, name, 0, NULL, 0) == 0;
}

sd_status sd__read_csv(const char *data, size_t len, const char *name, const sd_codebook *cb,
                       sd_dataset **out, sd_error *err)
{
    return sd__read_csv_cols(data, len, name, cb, NULL, out, err);
}

/* A read from the header on: a new dataset, its variables from the header
 * line (a read started before, on threads, is dropped first). */
static sd_status start(reader *R, const char *p, const char *end, char sep,
                       const sd_codebook *cb, const sd_csv_cols *sel)
{
    sd_dataset_free(R->ds);
    sd__free(R->cols);
    sd__free(R->lx.scratch);
    R->cols = NULL;
    R->ncols = 0;
    lex_init(&R->lx, p, end, sep, 1, R->name, R->err);
    if (!(R->ds = sd__dataset_new(R->name)))
        return nomem(R, 0);
    return read_header(R, cb, sel);
}

/* Where a CSV text's header starts (after a UTF-8 BOM); an empty or too
 * large text fails. */
static sd_status text_start(const char *data, size_t len, const char *name, const char **start,
                            sd_error *err)
{
    const char *p = data, *end = data ? data + len : data;
    if (p && end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    const char *q = p;
    while (q && q < end && (*q == '\n' || *q == '\r'))
        q++;
    if (!q || q == end)
        return sd__fail(err, SD_E_EMPTY, name, 0, 0, NULL,
                        "empty file: expected a header line naming the variables");
    if (len > SD_MAX_FILE)
        return sd__fail(err, SD_E_TOO_LARGE, name, 0, 0, NULL,
                        "input is larger than %zu bytes: expected at most 64 GiB", SD_MAX_FILE);
    *start = p;
    return SD_OK;
}

sd_status sd__read_csv_cols(const char *data, size_t len, const char *name,
                            const sd_codebook *cb, const sd_csv_cols *sel, sd_dataset **out,
                            sd_error *err)
{
    *out = NULL;
    const char *p, *end = data ? data + len : data;
    sd_status tst = text_start(data, len, name, &p, err);
    if (tst != SD_OK)
        return tst;

    reader R;
    memset(&R, 0, sizeof R);
    R.name = name;
    R.err = err;
    R.release = sel && sel->release;
    R.released = data;
    char sep = detect_sep(p, end);
    R.comma = sep == ';';
    sd_status st = start(&R, p, end, sep, cb, sel);
    if (st != SD_OK)
        goto done;
    if (sel && sel->header_only) {
        st = finish(&R); /* the names only: no row is read */
        goto done;
    }

    const char *body = R.lx.p;
    long body_line = R.lx.line;
    size_t rest = (size_t)(end - body);
    size_t nt = sd__thread_count(sel ? sel->threads : 1);
    size_t par_min = sel && sel->par_min ? sel->par_min : CSV_PAR_MIN;
    bool parallel = false;
    if (nt > 1 && rest >= par_min && rest / nt >= 2) {
        bool text = false; /* a kept text column: its strings are interned in order */
        for (size_t j = 0; j < R.ncols; j++)
            text |= R.cols[j].kind == COL_STR;
        if (!text)
            pass1_parts(&R, body, body_line, nt, &parallel);
        if (!parallel && R.ds->rowcap && (st = start(&R, p, end, sep, cb, sel)) != SD_OK)
            goto done; /* again from the header, on one thread */
    }
    if (!parallel && rest > 0) {
        if ((st = sd__dataset_grow_rows(R.ds, max_rows(body, rest, R.ncols, R.release), name,
                                        body_line,
                                        err)) != SD_OK)
            goto done;
        cache_cols(&R);
    }
    if (!parallel && (st = pass1(&R)) != SD_OK)
        goto done;
    if (R.release)
        sd__csv_release(R.released, end);
    if (R.pass2_rows && (st = pass2(&R, body, body_line)) != SD_OK)
        goto done;
    st = finish(&R);
    if (sel && sel->parts_out)
        *sel->parts_out = parallel ? nt : 1;
done:
    sd__free(R.cols);
    sd__free(R.lx.scratch);
    if (st != SD_OK) {
        sd_dataset_free(R.ds);
        return st;
    }
    *out = R.ds;
    return SD_OK;
}

/* ------------------------------------------------------------ stream */

/* A stream reads the body a chunk of records at a time, each into a
 * dataset of its own with the header's variables (the header is read again
 * for each: a line), by a reader of its own: several chunks may be read at
 * once, on other threads, each from where its first record starts. A
 * string column is one within its chunk (pass 2 re-reads the chunk's rows
 * only). Where a chunk starts is where the last one stopped, or where
 * sd__csv_stream_skip finds it: a scan for the records' ends, by the
 * reader's rules (quoted fields, blank lines, LF, CRLF and lone CR), at the
 * speed of memchr where a stretch of text has no quote and no CR. */
struct sd_csv_stream {
    const char *name;
    const char *p0, *end; /* the text from the header on */
    char sep;
    size_t ncols;
    bool release;
    const sd_codebook *cb;
    sd_csv_cols sel;
    sd_csv_pos body; /* the first record */
};

/* A reader's own: its dataset (unless taken), columns and scratch. */
static void reader_free(reader *R)
{
    sd_dataset_free(R->ds);
    sd__free(R->cols);
    sd__free(R->lx.scratch);
    R->ds = NULL;
    R->cols = NULL;
    R->lx.scratch = NULL;
}

sd_status sd__csv_stream_open(const char *data, size_t len, const char *name,
                              const sd_codebook *cb, const sd_csv_cols *sel, sd_csv_stream **out,
                              sd_error *err)
{
    *out = NULL;
    const char *p, *end = data ? data + len : data;
    sd_status tst = text_start(data, len, name, &p, err);
    if (tst != SD_OK)
        return tst;
    sd_csv_stream *s = sd__calloc(1, sizeof *s);
    if (!s)
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    s->name = name;
    s->release = sel && sel->release;
    s->p0 = p;
    s->end = end;
    s->sep = detect_sep(p, end);
    s->cb = cb;
    if (sel)
        s->sel = *sel;
    else
        s->sel.all = true;
    s->sel.header_only = false;
    reader R;
    memset(&R, 0, sizeof R);
    R.name = name;
    R.err = err;
    sd_status st = start(&R, p, end, s->sep, cb, &s->sel);
    s->ncols = R.ncols;
    s->body = (sd_csv_pos){(size_t)(R.lx.p - p), R.lx.line};
    reader_free(&R);
    if (st != SD_OK) {
        sd__free(s);
        return st;
    }
    *out = s;
    return SD_OK;
}

sd_csv_pos sd__csv_stream_body(const sd_csv_stream *s)
{
    return s->body;
}

sd_status sd__csv_stream_read(const sd_csv_stream *s, sd_csv_pos from, size_t rows,
                              sd_dataset **out, sd_csv_pos *to, sd_error *err)
{
    *out = NULL;
    *to = from;
    const char *at = s->p0 + from.off;
    if (at >= s->end || rows == 0) {
        to->off = (size_t)(s->end - s->p0);
        return SD_OK;
    }
    reader R;
    memset(&R, 0, sizeof R);
    R.name = s->name;
    R.err = err;
    R.comma = s->sep == ';';
    sd_status st = start(&R, s->p0, s->end, s->sep, s->cb, &s->sel);
    if (st == SD_OK) {
        R.lx.p = at;
        R.lx.line = from.line;
        R.maxrec = rows;
        st = sd__dataset_grow_rows(R.ds, rows, R.name, from.line, err);
    }
    if (st == SD_OK) {
        cache_cols(&R);
        st = pass1(&R);
    }
    if (st == SD_OK) {
        *to = (sd_csv_pos){(size_t)(R.lx.p - s->p0), R.lx.line};
        if (R.ds->nrows == 0)
            to->off = (size_t)(s->end - s->p0); /* blank lines to the end */
    }
    if (st == SD_OK && R.ds->nrows && R.pass2_rows)
        st = pass2(&R, at, from.line);
    if (st == SD_OK && R.ds->nrows)
        st = finish(&R);
    if (s->release)
        sd__csv_release(at, s->p0 + to->off);
    if (st == SD_OK && R.ds->nrows) {
        *out = R.ds;
        R.ds = NULL;
    }
    reader_free(&R);
    return st;
}

/* One record from its start p (exactly as pass 1 splits it); false on
 * text the reader fails on (it says why when it reads it). */
static bool scan_record(const char *end, char sep, size_t ncols, const char **pp, size_t *rec,
                        long *line)
{
    const char *p = *pp;
    if (ncols > 1 && (*p == '\n' || *p == '\r')) { /* a blank line */
        *pp = skip_eol(p, end);
        (*line)++;
        return true;
    }
    for (;;) {
        if (p < end && *p == '"') {
            const char *q = p + 1;
            for (;;) {
                q = memchr(q, '"', (size_t)(end - q));
                if (!q)
                    return false; /* unterminated */
                if (q + 1 < end && q[1] == '"') {
                    q += 2;
                    continue;
                }
                break;
            }
            *line += count_lines(p + 1, (size_t)(q - p - 1));
            p = q + 1;
            if (p < end && *p != sep && *p != '\n' && *p != '\r')
                return false; /* text after the closing quote, or a NUL */
        } else {
            while (p < end && *p != sep && *p != '\n' && *p != '\r' && *p != '\0')
                p++;
            if (p < end && *p == '\0')
                return false;
        }
        if (p >= end) {
            (*rec)++;
            *pp = p;
            return true;
        }
        if (*p == sep) {
            p++;
            continue;
        }
        *pp = skip_eol(p, end);
        (*line)++;
        (*rec)++;
        return true;
    }
}

bool sd__csv_stream_skip(const sd_csv_stream *s, sd_csv_pos from, size_t rows, sd_csv_pos *to)
{
    const char *p = s->p0 + from.off, *end = s->end, *rs = p;
    size_t rec = 0;
    long line = from.line;
    enum { BLOCK = 1 << 16 };
    bool blanks = s->ncols > 1; /* an empty line is a blank line, not a record */
    while (p < end && rec < rows) {
        size_t n = (size_t)(end - p) < BLOCK ? (size_t)(end - p) : BLOCK;
        const char *bend = p + n;
        /* While only LFs end lines, 64 bytes at a time: each LF ends a
         * record, or a blank line when it is where a record would start
         * (just after an LF, or at rs). */
        bool odd = false;
        while (p < bend && rec < rows) {
            size_t m = (size_t)(bend - p) < CSV_BLOCK ? (size_t)(bend - p) : CSV_BLOCK;
            uint64_t nl, oddm;
            csv_lf_masks(p, m, &nl, &oddm);
            if (oddm) {
                odd = true;
                break;
            }
            uint64_t first = (nl << 1) | (p == rs); /* LFs at a record's start */
            uint64_t ends = blanks ? nl & ~first : nl;
            size_t k = csv_popcount(ends);
            if (rec + k >= rows) {
                /* The last record wanted ends in this block: LF by LF. */
                while (nl && rec < rows) {
                    const char *q = p + __builtin_ctzll(nl);
                    nl &= nl - 1;
                    if (!(q == rs && blanks))
                        rec++;
                    line++;
                    rs = q + 1;
                }
                p = rs;
                break;
            }
            rec += k;
            line += csv_popcount(nl);
            if (nl)
                rs = p + (63 - __builtin_clzll(nl)) + 1;
            p += m; /* a record in progress goes on past the block */
        }
        if (!odd)
            continue;
        /* Quotes or CRs: record by record from the last record start, to
         * past this block. */
        p = rs;
        while (p < end && rec < rows && p < bend) {
            if (!scan_record(end, s->sep, s->ncols, &p, &rec, &line))
                return false;
            rs = p;
        }
    }
    if (p >= end && rs < end && rec < rows)
        rs = end; /* the last record, without a line end */
    *to = (sd_csv_pos){(size_t)(rs - s->p0), line};
    return true;
}

void sd__csv_stream_free(sd_csv_stream *s)
{
    sd__free(s);
}
