/*
 * csv_scan.h — where the unquoted fields of a CSV record end, 64 bytes at a
 * time (issue 14: the reader's byte-at-a-time loop was 60% of a 1M-row job).
 *
 * A block of 64 bytes becomes four bit masks: `stop`, the bytes that end an
 * unquoted field (the separator, LF, CR, NUL: the lexer's stop table);
 * `hi`, the bytes with bit 7 set (non-ASCII text, whose UTF-8 is checked);
 * `seps`, the separators alone; and `quotes`. Bit i stands for byte i of
 * the block. A field's end is then the lowest stop bit at or after its
 * start: one count of trailing zeros, however long the field; and a run of
 * columns the request does not read is passed over a field per bit, with
 * no byte loop at all (csv_skip_fields).
 *
 * Hand-written: no library splits CSV fields for an existing lexer (the
 * SIMD CSV parsers are whole parsers with their own rules). SSE2 is part of
 * every x86-64; elsewhere the masks are built byte by byte, as
 * csv_masks_scalar does everywhere (the reference the tests hold the SSE2
 * masks to).
 *
 * The scan only reads whole blocks inside [p, end): a caller whose block
 * would pass the end gets NULL and reads the field byte by byte, as before.
 */
#ifndef SONDAGE_IO_CSV_SCAN_H
#define SONDAGE_IO_CSV_SCAN_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(SD_CSV_SCAN_SCALAR)
#include <emmintrin.h>
#define SD_CSV_SCAN_SSE2 1
#endif

enum { CSV_BLOCK = 64 };

typedef struct csv_masks {
    uint64_t stop, hi, seps, quotes;
} csv_masks;

/* The masks of p[0..64), byte by byte. */
static inline void csv_masks_scalar(const char *p, char sep, csv_masks *m)
{
    uint64_t s = 0, h = 0, e = 0, q = 0;
    for (unsigned i = 0; i < CSV_BLOCK; i++) {
        unsigned char c = (unsigned char)p[i];
        s |= (uint64_t)(c == (unsigned char)sep || c == '\n' || c == '\r' || c == 0) << i;
        h |= (uint64_t)(c >> 7) << i;
        e |= (uint64_t)(c == (unsigned char)sep) << i;
        q |= (uint64_t)(c == '"') << i;
    }
    m->stop = s;
    m->hi = h;
    m->seps = e;
    m->quotes = q;
}

static inline void csv_masks_get(const char *p, char sep, csv_masks *m)
{
#ifdef SD_CSV_SCAN_SSE2
    /* (constants the compiler keeps in registers across the read's loop) */
    static const char bytes[4][16] __attribute__((aligned(16))) = {
        {'\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n'},
        {'\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r', '\r'},
        {'"', '"', '"', '"', '"', '"', '"', '"', '"', '"', '"', '"', '"', '"', '"', '"'},
        {0}};
    const __m128i vn = _mm_load_si128((const __m128i *)(const void *)bytes[0]),
                  vr = _mm_load_si128((const __m128i *)(const void *)bytes[1]),
                  vq = _mm_load_si128((const __m128i *)(const void *)bytes[2]),
                  vz = _mm_setzero_si128();
    /* the separator's byte in every lane: a multiply spreads it */
    const __m128i vs = _mm_set1_epi32((int)((uint32_t)(unsigned char)sep * 0x01010101u));
    uint64_t s = 0, h = 0, e = 0, q = 0;
    for (unsigned i = 0; i < CSV_BLOCK; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i ms = _mm_cmpeq_epi8(v, vs);
        __m128i mt = _mm_or_si128(_mm_or_si128(ms, _mm_cmpeq_epi8(v, vn)),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, vr), _mm_cmpeq_epi8(v, vz)));
        s |= (uint64_t)(uint32_t)_mm_movemask_epi8(mt) << i;
        h |= (uint64_t)(uint32_t)_mm_movemask_epi8(v) << i;
        e |= (uint64_t)(uint32_t)_mm_movemask_epi8(ms) << i;
        q |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << i;
    }
    m->stop = s;
    m->hi = h;
    m->seps = e;
    m->quotes = q;
#else
    csv_masks_scalar(p, sep, m);
#endif
}

/* The block the scan is in: bytes [base, base + 64) of the input, as an
 * address (base 0: no block yet). A scan only moves forward. */
typedef struct csv_scan {
    uintptr_t base;
    csv_masks m;
    char sep;
} csv_scan;

static inline void csv_scan_init(csv_scan *sc, char sep)
{
    sc->base = 0;
    sc->m.stop = sc->m.hi = sc->m.seps = sc->m.quotes = 0;
    sc->sep = sep;
}

/* Load the block at p if there are 64 bytes from p. */
static inline bool csv_scan_load(csv_scan *sc, const char *p, const char *end)
{
    if ((size_t)(end - p) < CSV_BLOCK)
        return false;
    csv_masks_get(p, sc->sep, &sc->m);
    sc->base = (uintptr_t)p;
    return true;
}

/* The first stop byte at or after p, with *hi nonzero if a byte of [p, that
 * stop) is non-ASCII; NULL if it is not in a whole block before end. */
static inline const char *csv_scan_next(csv_scan *sc, const char *p, const char *end,
                                        uint64_t *hi)
{
    uint64_t h = 0;
    for (;;) {
        uintptr_t off = (uintptr_t)p - sc->base;
        if (off < CSV_BLOCK) {
            uint64_t m = sc->m.stop >> off, hm = sc->m.hi >> off;
            if (m) {
                /* bits 0..k of m, k its lowest set bit: the stop byte is
                 * ASCII, so its own hi bit is 0 */
                *hi = h | (hm & (m ^ (m - 1)));
                return p + __builtin_ctzll(m);
            }
            h |= hm;
            p += CSV_BLOCK - off;
        }
        if (!csv_scan_load(sc, p, end)) {
            *hi = h;
            return NULL;
        }
    }
}

/* The length of the field at p when it is 1 to max bytes ended by the
 * separator inside a block (the block at p is loaded when the scan's does
 * not reach the field's end); 0 otherwise: an empty field, a line end, a
 * longer field, or no whole block left. The runs of read_csv.c take their
 * fields this way. */
static inline size_t csv_sep_field(csv_scan *sc, const char *p, const char *end, size_t max)
{
    uintptr_t off = (uintptr_t)p - sc->base;
    uint64_t m = off < CSV_BLOCK ? sc->m.stop >> off : 0;
    if (!m) {
        if (!csv_scan_load(sc, p, end) || !(m = sc->m.stop))
            return 0;
        off = 0;
    }
    size_t len = (size_t)__builtin_ctzll(m);
    return len - 1 < max && ((sc->m.seps >> (off + len)) & 1) ? len : 0;
}

/* The set bits of x (baseline x86-64 has no POPCNT instruction, and the
 * compiler's builtin then calls a library routine). */
static inline unsigned csv_popcount(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Pass over up to k fields from *pp (a field's start) that are plain ASCII,
 * unquoted and ended by the separator, in the block: how many, *pp moved
 * past their separators. A block with less than half of itself left after
 * *pp is replaced by the one at *pp first. 0 (a quote, a line end, a NUL or
 * a non-ASCII byte first, or no whole block left): the field path reads the
 * field. */
static inline size_t csv_skip_fields(csv_scan *sc, const char **pp, const char *end, size_t k)
{
    const char *p = *pp;
    uintptr_t off = (uintptr_t)p - sc->base;
    if (off >= CSV_BLOCK / 2) {
        if (!csv_scan_load(sc, p, end))
            return 0;
        off = 0;
    }
    uint64_t stop = sc->m.stop >> off, hi = sc->m.hi >> off, seps = sc->m.seps >> off,
             quotes = sc->m.quotes >> off;
    size_t n = 0;
    unsigned start = 0;
    /* The common case at once: the first min(k, stops) fields all clean.
     * The stops before the first line end or non-ASCII byte: when k or
     * more, the k-th is found bit by bit; fewer (a run that goes on in the
     * next block) are counted at once, the last one the highest bit. */
    uint64_t badm = (stop & ~seps) | hi;
    uint64_t t = badm ? stop & ((badm & (0 - badm)) - 1) : stop, last = 0;
    unsigned m = csv_popcount(t);
    if (m <= k) {
        n = m;
        last = t ? (uint64_t)1 << (63 - __builtin_clzll(t)) : 0;
    } else {
        for (; n < k; n++) {
            last = t;
            t &= t - 1;
        }
    }
    if (n) {
        unsigned b = (unsigned)__builtin_ctzll(last); /* the n-th stop */
        uint64_t upto = b == 63 ? ~0ull : (2ull << b) - 1;
        uint64_t starts = 1 | ((stop & (upto >> 1)) << 1);
        if (!(stop & ~seps & upto) && !(hi & upto) && !(quotes & starts)) {
            *pp = p + b + 1;
            return n;
        }
    }
    /* Field by field, up to the first that is not clean. */
    n = 0;
    while (n < k && stop) {
        unsigned b = (unsigned)__builtin_ctzll(stop);
        uint64_t below = (1ull << b) - 1; /* the bytes before the stop */
        if (!((seps >> b) & 1) || ((quotes >> start) & 1) || (hi & below))
            break; /* (the fields before this one had no hi byte) */
        n++;
        start = b + 1;
        stop &= stop - 1;
    }
    *pp = p + start;
    return n;
}

/* ---- whole records
 *
 * The masks read_csv.c's record path walks (csv_row_masks): `stop`, every
 * byte that ends a field or that the path leaves to the field path: the
 * separator, '"', and every byte below 0x20 or above 0x7F (line ends, NUL,
 * tab, other controls, non-ASCII text); and `brk`, those of them that are
 * not the separator. A signed compare with 0x20 finds the low and the high
 * bytes at once. The reference, byte by byte, is csv_row_masks_scalar. */
static inline void csv_row_masks_scalar(const char *p, char sep, uint64_t *stop, uint64_t *brk)
{
    uint64_t s = 0, b = 0;
    for (unsigned i = 0; i < CSV_BLOCK; i++) {
        unsigned char c = (unsigned char)p[i];
        uint64_t is_sep = c == (unsigned char)sep;
        uint64_t other = !is_sep && (c < 0x20 || c > 0x7F || c == '"');
        s |= (is_sep | other) << i;
        b |= other << i;
    }
    *stop = s;
    *brk = b;
}

static inline void csv_row_masks(const char *p, char sep, uint64_t *stop, uint64_t *brk)
{
#ifdef SD_CSV_SCAN_SSE2
    const __m128i vs = _mm_set1_epi8(sep), vq = _mm_set1_epi8('"'), v20 = _mm_set1_epi8(0x20);
    uint64_t s = 0, b = 0;
    for (unsigned i = 0; i < CSV_BLOCK; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i ms = _mm_cmpeq_epi8(v, vs);
        __m128i mo = _mm_andnot_si128(ms, _mm_or_si128(_mm_cmplt_epi8(v, v20),
                                                       _mm_cmpeq_epi8(v, vq)));
        s |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(ms, mo)) << i;
        b |= (uint64_t)(uint32_t)_mm_movemask_epi8(mo) << i;
    }
    *stop = s;
    *brk = b;
#else
    csv_row_masks_scalar(p, sep, stop, brk);
#endif
}

/* The first w (1..16) bytes at a and at b equal? Reads 16 bytes at each. */
static inline bool csv_same16(const char *a, const char *b, size_t w)
{
#ifdef SD_CSV_SCAN_SSE2
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)a),
            y = _mm_loadu_si128((const __m128i *)(const void *)b);
    uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y));
    uint32_t want = (uint32_t)((1u << w) - 1); /* (w <= 16: no overflow) */
    return (eq & want) == want;
#else
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&a1, a + 8, 8);
    memcpy(&b0, b, 8);
    memcpy(&b1, b + 8, 8);
    uint64_t d0 = a0 ^ b0, d1 = a1 ^ b1;
    if (w < 8) {
        d0 &= ((uint64_t)1 << (8 * w)) - 1;
        d1 = 0;
    } else if (w < 16) {
        d1 &= ((uint64_t)1 << (8 * (w - 8))) - 1;
    }
    return !(d0 | d1);
#endif
}

/* How many of the 64 bytes from p (1 <= w <= 16) equal the byte w before
 * each, from the first: a field and its separator over and over (a
 * jackknife's replicate weights) are w-periodic bytes. Reads [p - w, p + 64). */
static inline size_t csv_repeat64(const char *p, size_t w)
{
#ifdef SD_CSV_SCAN_SSE2
    uint64_t eq = 0;
    for (unsigned i = 0; i < CSV_BLOCK; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i)),
                y = _mm_loadu_si128((const __m128i *)(const void *)(p + i - w));
        eq |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) << i;
    }
    return ~eq ? (size_t)__builtin_ctzll(~eq) : CSV_BLOCK;
#else
    size_t k = 0;
    while (k < CSV_BLOCK && p[k] == p[k - w])
        k++;
    return k;
#endif
}

/* ---- line ends
 *
 * Where records end, for the parts and the chunks a read is cut into: the
 * '\n' bytes of a block (`nl`) and the bytes that make a line end other
 * than a plain LF (`odd`: '"', which may hide one, and '\r'), m <= 64
 * bytes from p (bits past m clear). */
static inline void csv_lf_masks(const char *p, size_t m, uint64_t *nl, uint64_t *odd)
{
#ifdef SD_CSV_SCAN_SSE2
    if (m == CSV_BLOCK) {
        const __m128i vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'),
                      vq = _mm_set1_epi8('"');
        uint64_t a = 0, b = 0;
        for (unsigned i = 0; i < CSV_BLOCK; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            a |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn)) << i;
            b |= (uint64_t)(uint32_t)_mm_movemask_epi8(
                     _mm_or_si128(_mm_cmpeq_epi8(v, vr), _mm_cmpeq_epi8(v, vq)))
                 << i;
        }
        *nl = a;
        *odd = b;
        return;
    }
#endif
    uint64_t a = 0, b = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)p[i];
        a |= (uint64_t)(c == '\n') << i;
        b |= (uint64_t)(c == '"' || c == '\r') << i;
    }
    *nl = a;
    *odd = b;
}


/* Add the '\n' and (nq not NULL) the '"' bytes of p[0..n) to *nl and *nq:
 * with SSE2, 16 bytes at a time into byte counters (a match is -1), summed
 * every 255 steps before they could wrap. Inlined with nq NULL, the quote
 * counting is not compiled in. */
static inline void csv_count_lf_quotes(const char *p, size_t n, size_t *nl, size_t *nq)
{
    size_t a = 0, b = 0, i = 0;
#ifdef SD_CSV_SCAN_SSE2
    const __m128i vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'), z = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i cn = z, cq = z;
        for (unsigned k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            cn = _mm_sub_epi8(cn, _mm_cmpeq_epi8(v, vn));
            if (nq)
                cq = _mm_sub_epi8(cq, _mm_cmpeq_epi8(v, vq));
        }
        __m128i sn = _mm_sad_epu8(cn, z), sq = _mm_sad_epu8(cq, z);
        a += (size_t)_mm_cvtsi128_si32(sn) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sn, 8));
        b += (size_t)_mm_cvtsi128_si32(sq) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sq, 8));
    }
#endif
    for (; i < n; i++) {
        a += p[i] == '\n';
        b += p[i] == '"';
    }
    *nl += a;
    if (nq)
        *nq += b;
}

#endif
