/*
 * gen_data.c — the benchmark's data generator: a synthetic survey file of N
 * respondents, the same bytes for the same arguments on every machine.
 *
 *   gen_data [--repweights R | --bootstrap R] [--seed S] N OUT.csv
 *
 * Columns: id; role (1 or 2, about 85 % / 15 %); stratum (1..50); psu
 * (clusters nested in strata, 15..25 per stratum, about 1000 in all,
 * numbered uniquely across strata); w (a weight 0.50..3.00 with two
 * decimals); q1..q30 (q_k has K = 2 + (k % 9) categories coded 1..K, about
 * 3 % empty = missing; role 2 leans towards code 1, so tables are not flat).
 * With --repweights R, rw1..rwR are JK1-style replicate weights: a PSU's
 * group is psu mod R, and rw_r is 0 for the PSUs of group r-1, w * R/(R-1)
 * for the others (6 decimals). With --bootstrap R they are rescaled
 * bootstrap weights instead (R's "subbootstrap"): in replicate r, each
 * stratum's n_h - 1 PSUs are drawn with replacement from its n_h, and a
 * PSU drawn k times weighs w * k * n_h / (n_h - 1), written with 4
 * decimals (so rows of one PSU are proportional only to that rounding).
 *
 * Standalone on purpose (no libsondage): it has its own PRNG (splitmix64,
 * so the output does not depend on the C library's rand) and its own integer
 * formatting into a large buffer, because printf per field would make a
 * 10-million-row file take longer to write than to read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSTRATA 50
#define NQ 30
#define MAX_REPS 1000
#define BUFSZ (1u << 20)

typedef struct out {
    FILE *fp;
    char buf[BUFSZ];
    size_t n;
    int failed;
} out;

static void flush_out(out *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, o->fp) != o->n)
        o->failed = 1;
    o->n = 0;
}

static void put_str(out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->n + n > BUFSZ)
        flush_out(o);
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static inline void put_ch(out *o, char c)
{
    if (o->n + 1 > BUFSZ)
        flush_out(o);
    o->buf[o->n++] = c;
}

static inline void put_u64(out *o, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (o->n + (size_t)k > BUFSZ)
        flush_out(o);
    while (k)
        o->buf[o->n++] = tmp[--k];
}

/* v / 10^dec with exactly `dec` decimals. */
static inline void put_fixed(out *o, uint64_t v, int dec)
{
    uint64_t p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    put_u64(o, v / p);
    put_ch(o, '.');
    uint64_t f = v % p;
    char tmp[24];
    for (int i = dec - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + f % 10);
        f /= 10;
    }
    for (int i = 0; i < dec; i++)
        put_ch(o, tmp[i]);
}

static inline uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n < 2^32 (multiply-shift; bias below 2^-32). */
static inline uint32_t below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(((splitmix64(s) >> 32) * (uint64_t)n) >> 32);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return 0;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x > max)
        return 0;
    *v = (uint64_t)x;
    return 1;
}

static int usage(void)
{
    fputs("usage: gen_data [--repweights R | --bootstrap R] [--seed S] N OUT.csv\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t n = 0, reps = 0, seed = 20240611;
    int boot = 0;
    const char *path = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--repweights") == 0 || strcmp(argv[i], "--bootstrap") == 0) &&
            i + 1 < argc) {
            boot = strcmp(argv[i], "--bootstrap") == 0;
            if (!parse_u64(argv[++i], MAX_REPS, &reps) || reps < 2) {
                fprintf(stderr, "gen_data: %s: expected 2..%d\n", argv[i - 1], MAX_REPS);
                return 2;
            }
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], UINT64_MAX, &seed)) {
                fputs("gen_data: --seed: expected a non-negative integer\n", stderr);
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage();
        } else if (npos == 0) {
            if (!parse_u64(argv[i], (uint64_t)1 << 31, &n) || n == 0) {
                fprintf(stderr, "gen_data: N: expected 1..%" PRIu64 ", not '%s'\n",
                        (uint64_t)1 << 31, argv[i]);
                return 2;
            }
            npos++;
        } else if (npos == 1) {
            path = argv[i];
            npos++;
        } else {
            return usage();
        }
    }
    if (npos != 2)
        return usage();

    /* PSUs per stratum (15..25, fixed) and the first PSU number of each. */
    uint32_t npsu[NSTRATA], first[NSTRATA], total = 0;
    for (uint32_t s = 0; s < NSTRATA; s++) {
        npsu[s] = 15 + (s * 7) % 11;
        first[s] = total + 1;
        total += npsu[s];
    }

    /* Bootstrap: how many times each PSU is drawn in each replicate (from
     * its own generator, so the respondents are those of the other files). */
    uint8_t *draws = NULL;
    if (boot) {
        draws = calloc((size_t)reps * (total + 1), 1);
        if (!draws) {
            fputs("gen_data: out of memory\n", stderr);
            return 1;
        }
        uint64_t bs = seed ^ 0xB0075EEDull;
        for (uint64_t r = 0; r < reps; r++)
            for (uint32_t s = 0; s < NSTRATA; s++)
                for (uint32_t k = 0; k + 1 < npsu[s]; k++)
                    draws[r * (total + 1) + first[s] + below(&bs, npsu[s])]++;
    }

    static out o;
    o.fp = fopen(path, "wb");
    if (!o.fp) {
        fprintf(stderr, "gen_data: %s: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    put_str(&o, "id,role,stratum,psu,w");
    for (int k = 1; k <= NQ; k++) {
        put_str(&o, ",q");
        put_u64(&o, (uint64_t)k);
    }
    for (uint64_t r = 1; r <= reps; r++) {
        put_str(&o, ",rw");
        put_u64(&o, r);
    }
    put_ch(&o, '\n');

    uint64_t st = seed;
    for (uint64_t i = 1; i <= n && !o.failed; i++) {
        uint32_t role = below(&st, 100) < 85 ? 1 : 2;
        uint32_t s = below(&st, NSTRATA);
        uint32_t psu = first[s] + below(&st, npsu[s]);
        uint64_t cents = 50 + below(&st, 251);
        put_u64(&o, i);
        put_ch(&o, ',');
        put_u64(&o, role);
        put_ch(&o, ',');
        put_u64(&o, s + 1);
        put_ch(&o, ',');
        put_u64(&o, psu);
        put_ch(&o, ',');
        put_fixed(&o, cents, 2);
        for (uint32_t k = 1; k <= NQ; k++) {
            uint32_t K = 2 + k % 9;
            uint32_t u = below(&st, 10000);
            put_ch(&o, ',');
            if (u < 300)
                continue; /* missing: an empty field */
            uint32_t code = 1 + below(&st, K);
            if (role == 2 && u < 3300)
                code = 1;
            put_u64(&o, code);
        }
        for (uint64_t r = 1; r <= reps && boot; r++) {
            /* w * k * n_h / (n_h - 1) to 1e-4: cents * k * 100 * n_h / (n_h - 1). */
            uint64_t k = draws[(r - 1) * (total + 1) + psu], nh = npsu[s];
            uint64_t num = cents * k * 100u * nh;
            put_ch(&o, ',');
            put_fixed(&o, (num + (nh - 1) / 2) / (nh - 1), 4);
        }
        for (uint64_t r = 1; r <= reps && !boot; r++) {
            put_ch(&o, ',');
            if (psu % reps == r - 1) {
                put_str(&o, "0.000000");
            } else {
                /* w * R/(R-1), rounded to 1e-6: cents * 10^4 * R / (R-1). */
                uint64_t num = cents * 10000u * reps;
                put_fixed(&o, (num + (reps - 1) / 2) / (reps - 1), 6);
            }
        }
        put_ch(&o, '\n');
    }
    flush_out(&o);
    free(draws);
    if (fclose(o.fp) != 0 || o.failed) {
        fprintf(stderr, "gen_data: %s: write error\n", path);
        return 1;
    }
    return 0;
}
