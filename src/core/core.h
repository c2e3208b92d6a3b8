/*
 * core.h — the core layer's interface: errors, allocation, bounded string
 * buffers, locale-free numbers, overflow-checked sizes, UTF-8 checks.
 * Every other layer includes this; it includes only the public header.
 */
#ifndef SD_CORE_H
#define SD_CORE_H

#include "sondage.h"

#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ errors */

/* Record a failure in err (which may be NULL) and return `st`, so callers can
 * write `return sd__fail(err, SD_E_PARSE, …)`. A set error is kept: later
 * calls do not overwrite the first failure (sticky). file may be NULL; line
 * and col are 1-based, 0 when unknown; var may be NULL. */
sd_status sd__fail(sd_error *err, sd_status st, const char *file, long line, long col,
                   const char *var, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* A failure caused by a system call: "WHAT: No space left on device
 * (ENOSPC)", naming the errno as well as its text (just WHAT when errnum is
 * 0). */
sd_status sd__fail_errno(sd_error *err, sd_status st, const char *file, int errnum,
                         const char *what);
/* "ENOSPC", "EPIPE", … for the errors files meet; NULL for others. */
const char *sd__errno_name(int errnum);
/* Has err already recorded a failure? */
bool sd__error_is_set(const sd_error *err);
/* Fill in the file of an error that has none yet (readers learn it late). */
void sd__error_set_file(sd_error *err, const char *file);

/* ------------------------------------------------------------ memory */

/* Every allocation goes through these so tests can count and fail them.
 * They return NULL on failure (never abort); sizes of 0 return NULL. */
void *sd__malloc(size_t n);
void *sd__calloc(size_t count, size_t size);
void *sd__realloc(void *p, size_t n);
/* calloc that treats a count of 0 as 1, so an empty array is still a valid
 * pointer to free; NULL on overflow or no memory. */
void *sd__zalloc(size_t count, size_t size);
/* sd__zalloc for sums that a pass reads before it writes them: zeroed by
 * writing, so each page is the process's own from the start. calloc's
 * fresh pages are mapped to the shared zero page on their first read and
 * copied on their first write: a second fault and, with threads running,
 * a TLB shootdown on every core (3% of a replicate job's time). */
void *sd__zalloc_sums(size_t count, size_t size);
/* realloc for arrays: fails (NULL, p kept) when count*size overflows. */
void *sd__reallocarray(void *p, size_t count, size_t size);
void sd__free(void *p);
char *sd__strdup(const char *s);
char *sd__strndup(const char *s, size_t n);

/* Grow an array to hold at least `need` items (doubling). Returns false on
 * overflow or allocation failure (the array is kept). */
bool sd__grow(void **arr, size_t *cap, size_t need, size_t item_size);

/* ------------------------------------------------------------ sizes */

static inline bool sd__mul_ok(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool sd__add_ok(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Threads for a job: `asked` when > 0, else the machine's online cores,
 * within 1..SD_THREADS_MAX (threads.c). */
#define SD_THREADS_MAX ((size_t)64)
size_t sd__thread_count(int asked);

/* Caps on sizes taken from input files, checked before any allocation. */
#define SD_MAX_VARS ((size_t)100000)
#define SD_MAX_ROWS ((size_t)1 << 31)
#define SD_MAX_FIELD ((size_t)1 << 24)     /* one CSV field or string value: 16 MiB */
#define SD_MAX_FILE ((size_t)1 << 36)      /* a whole input file: 64 GiB */
#define SD_MAX_STREAM ((size_t)1 << 32)    /* a whole input read from a pipe: 4 GiB */
#define SD_MAX_CELLS ((size_t)1 << 32)     /* rows x variables of one dataset */
#define SD_MAX_CATEGORIES ((size_t)100000) /* distinct values of a tabulated variable */

/* ------------------------------------------------------------ hashing */

/* A hash index (hash.c): maps a 64-bit hash to item numbers 0..n-1 whose
 * keys the caller stores (and compares) itself. At most half full, so every
 * probe ends. Use:
 *
 *     sd_hprobe p = sd__hindex_probe(&h, hash);
 *     size_t it;
 *     while (sd__hindex_next(&h, &p, &it))
 *         if (same_key(it, key)) return it;       // found
 *     sd__hindex_add(&h, hash, new_item);         // not found: add it
 *
 * Items are below SD_HINDEX_MAX. Zero-initialised (or sd__hindex_init) is
 * an empty index; sd__hindex_free releases it. */
#define SD_HINDEX_MAX ((size_t)UINT32_MAX - 1)

typedef struct sd_hslot {
    uint32_t item; /* item + 1; 0 = empty */
    uint32_t hash; /* sd__hash32 of the item's hash */
} sd_hslot;

typedef struct sd_hindex {
    sd_hslot *slot; /* owned; cap slots, NULL while empty */
    size_t cap;     /* a power of two, or 0 */
    size_t n;       /* items added */
} sd_hindex;

typedef struct sd_hprobe {
    size_t pos;
    uint32_t hash;
} sd_hprobe;

void sd__hindex_init(sd_hindex *h);
void sd__hindex_free(sd_hindex *h);
/* Forget every item, keeping the slots. */
void sd__hindex_clear(sd_hindex *h);
/* Room for n items without growing; false on no memory or n too large. */
bool sd__hindex_reserve(sd_hindex *h, size_t n);
/* Add an item under a hash (the caller has checked it is not there yet);
 * false on no memory or more than SD_HINDEX_MAX items. */
bool sd__hindex_add(sd_hindex *h, uint64_t hash, size_t item);

/* A well-mixed 64-bit hash of bytes, of a C string, of a 64-bit word. */
uint64_t sd__hash_bytes(const void *p, size_t n);
uint64_t sd__hash_str(const char *s);
static inline uint64_t sd__hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}
static inline uint32_t sd__hash32(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}

/* Start a lookup; then sd__hindex_next yields each item stored under the
 * same hash until it meets an empty slot (false). */
static inline sd_hprobe sd__hindex_probe(const sd_hindex *h, uint64_t hash)
{
    sd_hprobe p;
    p.hash = sd__hash32(hash);
    p.pos = h->cap ? (p.hash & (h->cap - 1)) : 0;
    return p;
}
static inline bool sd__hindex_next(const sd_hindex *h, sd_hprobe *p, size_t *item)
{
    if (!h->cap)
        return false;
    size_t mask = h->cap - 1;
    for (;;) {
        sd_hslot s = h->slot[p->pos];
        if (!s.item)
            return false;
        p->pos = (p->pos + 1) & mask;
        if (s.hash == p->hash) {
            *item = s.item - 1;
            return true;
        }
    }
}

/* ------------------------------------------------------------ strbuf */

/* A growable string with a cap and a sticky error: once an append fails
 * (cap reached or no memory), later appends do nothing and sd__sb_status
 * reports the first failure. The text is always NUL-terminated. */
typedef struct sd_strbuf {
    char *s;       /* owned; NULL until the first append */
    size_t len;    /* bytes used, excluding the NUL */
    size_t cap;    /* bytes allocated */
    size_t max;    /* most bytes allowed, excluding the NUL */
    sd_status err; /* first failure, SD_OK when none */
} sd_strbuf;

void sd__sb_init(sd_strbuf *sb, size_t max);
void sd__sb_free(sd_strbuf *sb);
void sd__sb_add(sd_strbuf *sb, const char *s, size_t n);
void sd__sb_puts(sd_strbuf *sb, const char *s);
void sd__sb_putc(sd_strbuf *sb, char c);
void sd__sb_printf(sd_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a number in the round-trip machine form (see sd__fmt_double). */
void sd__sb_num(sd_strbuf *sb, double x);
/* Append `s` as a JSON string literal, quotes included. */
void sd__sb_json_str(sd_strbuf *sb, const char *s);
/* The text (never NULL: "" when empty). */
const char *sd__sb_str(const sd_strbuf *sb);
sd_status sd__sb_status(const sd_strbuf *sb);
/* Take ownership of the text; the buffer is left empty. */
char *sd__sb_take(sd_strbuf *sb);

/* ------------------------------------------------------------ numbers */

/* Shortest text that reads back as exactly x, always with '.', whatever the
 * locale: 0.73, 1e-05, 2400. NaN is "NaN", infinities "Inf"/"-Inf" (callers
 * that cannot carry them print null or an empty field instead).
 * buf must hold SD_NUMBUF bytes; returns the length. */
#define SD_NUMBUF 32
int sd__fmt_double(char *buf, double x);
/* A number with a fixed count of decimals, '.' or the given decimal mark,
 * e.g. sd__fmt_fixed(buf, 0.7312, 1, ',') -> "0,7". */
int sd__fmt_fixed(char *buf, double x, int decimals, char mark);

/* Parse a whole decimal number ("-12", "0.5", "1e3", " 4 " is rejected:
 * no spaces). Locale-free and correctly rounded. Returns false when s[0..n)
 * is not a number. When `comma` is true, ',' is the decimal mark instead. */
bool sd__parse_double(const char *s, size_t n, bool comma, double *out);
/* An on/off option's value: NULL (given alone), true/yes/1 or false/no/0.
 * Anything else is refused, naming --key (an option that silently took
 * "maybe" as true would hide a typo in a spec). */
sd_status sd__parse_flag(const char *key, const char *value, bool *out, sd_error *err);
/* A hexadecimal digit's value (0-9, a-f, A-F), or -1 (percent-decoding). */
int sd__hexval(int c);
/* Parse a non-negative integer with an upper bound. */
bool sd__parse_ulong(const char *s, size_t n, unsigned long max, unsigned long *out);

/* ------------------------------------------------------------ text */

/* Length of the valid UTF-8 prefix of s[0..n); equals n when all valid.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
size_t sd__utf8_valid_prefix(const char *s, size_t n);
/* s[0..n) read as Latin-1 (each byte its own code point) in UTF-8: a
 * malloc'd NUL-ended copy, NULL on no memory. For text whose encoding is
 * unknown or cannot be converted: nothing is dropped. */
char *sd__latin1_to_utf8(const char *s, size_t n);
/* Levenshtein distance between two short names (for "did you mean"):
 * SIZE_MAX when either is longer than 64 bytes. */
size_t sd__edit_distance(const char *a, const char *b);
/* Is this language French (decimal comma, French typography, the French
 * words of the reports and of the field pages)? */
bool sd__lang_is_fr(const char *lang);
/* Count code points (a text's length in characters). */
size_t sd__utf8_width(const char *s);
/* Display width of a label in text output: code points, a control
 * character counting as the escape people are shown (see below). */
size_t sd__display_width(const char *s);
/* Control characters in people's text (ESC, BEL, CR, TAB, DEL, the C1
 * controls U+0080..U+009F; LF too unless kept) must never reach a terminal
 * raw: they are shown as \x1B or \u009B. sd__ctl_len gives the bytes of the
 * control at s (0 when none); sd__ctl_escape writes its escape (NUL-ended)
 * and returns the same; sd__sb_add_text appends s[0..n) escaped. */
size_t sd__ctl_len(const char *s);
size_t sd__ctl_escape(const char *s, char out[8]);
void sd__sb_add_text(sd_strbuf *sb, const char *s, size_t n, bool keep_newline);
/* Does a label language tag match? NULL or "" matches only untagged. */
bool sd__lang_eq(const char *a, const char *b);

/* The name an output file is reported under (its path, or the name given
 * to sd_outfile_wrap). The rest of the output-file API is public. */
const char *sd__outfile_name(const sd_outfile *o);

/* ------------------------------------------------------------ patterns */

/* The one way a regular expression is compiled (regex.c): POSIX extended,
 * no subexpression reports, after a guard on its size and repetition depth
 * and a refusal of back-references. On SD_RE_OK *re is compiled (regfree
 * it); otherwise nothing is left to free and `why` holds the back-reference
 * ("\\1") or regcomp's reason, lower-cased. */
#define SD_MAX_REGEX 256 /* bytes in a pattern */
typedef enum sd_regex_check {
    SD_RE_OK = 0,
    SD_RE_TOO_COMPLEX, /* longer than SD_MAX_REGEX, or repetitions nested too deep */
    SD_RE_BACKREF,
    SD_RE_INVALID
} sd_regex_check;
sd_regex_check sd__regex_compile(regex_t *re, const char *pattern, char *why, size_t whylen);

/* Read a whole file into memory (NUL-terminated). Caps at SD_MAX_FILE. */
sd_status sd__read_file(const char *path, char **data, size_t *len, sd_error *err);

/* A function compiled twice, for AVX2 where the processor has it (chosen
 * once, at load) and for any x86-64. Loops over doubles go element by
 * element either way (no FMA: ISO C mode does not contract), so both give
 * the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define SD_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SD_AVX2_CLONES
#endif

#endif /* SD_CORE_H */
