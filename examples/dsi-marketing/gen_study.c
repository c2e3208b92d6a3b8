/* gen_study.c — writes the microdata of the bundled example study
 * (examples/dsi-marketing/dsi-marketing.csv) to stdout.
 *
 * A standalone tool beside the layers, not part of libsondage: it needs no library, so
 * the data can be rebuilt and checked without sondage itself. It hand-writes its PRNG
 * (splitmix64) because rand() is neither portable nor reproducible across libcs, and the
 * committed CSV must be byte-identical wherever it is regenerated.
 *
 * The study: Robert Half Technology / The Creative Group, 2015, 2,400 US CIOs and 400 US
 * advertising and marketing executives (see /work/shared/study and README.md beside this
 * file). Output: a header line, then 2,400 CIO rows (id 1..2400) and 400 marketer rows
 * (id 2401..2800); ',' separated, LF line ends, integers only, an empty field where a
 * question was not asked of the respondent's group.
 *
 * How the data are made. Each variable has an exact count per group and code, chosen so that
 * every published percentage is reproduced within 0.5 point with all respondents of the group
 * as the base (that is how the releases computed them). The codes of a table are laid out in
 * a list and dealt to the group's rows after a seeded Fisher-Yates shuffle, one independent
 * stream per variable (the stream is named after the variable), so counts are exact while
 * rows are not trivially aligned across variables. Changing one table leaves every other
 * variable's rows unchanged.
 *
 * COUNT TABLES (n; % of the group; status of the figure)
 *
 * role            1 CIO 2,400 (rows 1..2400)   2 Marketer 400 (rows 2401..2800)
 *
 * segment         marketers only: 1 marketing executive 200, 2 advertising executive 200.
 *                 The 200/200 split is that of the TCG hiring-survey vehicle of the period
 *                 (M1, M2), not restated in the releases: illustrative.
 *
 * metro           CIOs only: markets 1..24, 100 CIOs each (RHT: about 100 CIOs per market,
 *                 M3). Market names were not recovered.
 *
 * company_size    not published: illustrative. CIOs (companies of 100+ employees), within
 *                 each market, so the sample is stratified by market and size:
 *                   3 100-249: 34   4 250-499: 24   5 500-999: 18   6 1,000+: 24   (per 100)
 *                   = 816 / 576 / 432 / 576 of 2,400.
 *                 Marketing executives (companies 100+), of 200:
 *                   3: 70   4: 48   5: 34   6: 48
 *                 Advertising executives (agencies 20+), of 200:
 *                   1 20-49: 78   2 50-99: 52   3: 36   4: 16   5: 10   6: 8
 *
 * stratum         CIOs: stratum = metro (1..24); marketers: 24 + segment (25, 26).
 *
 * integration     published; every cell is exact, the three codes sum to 100:
 *                   marketers  1 Yes 292 (73.00, article only)  2 No 96 (24.00, confirmed)
 *                              9 DK 12 (3.00, inferred as 100 - 73 - 24)
 *                   CIOs       1 Yes 1,296 (54.00, article only)  2 No 1,008 (42.00, confirmed)
 *                              9 DK 96 (4.00, inferred)
 *                 Code 9 is a substantive answer here (not missing).
 *
 * actions         multiple response, items 0/1. Published (all exact):
 *                   encourage_collab  marketers 272 (68.00, confirmed)  CIOs 1,128 (47.00, confirmed)
 *                   hybrid_talent     marketers 184 (46.00, article)    CIOs 1,056 (44.00, article)
 *                   agency            marketers 180 (45.00, SUGGESTED: the real figure was not
 *                                     found; rank 3 below 46 and "près de 1 sur 2" put it at
 *                                     40-46)                            CIOs   816 (34.00, article)
 *                 Not published, illustrative:
 *                   act_none          marketers 40 (10.0)   CIOs 600 (25.0)
 *                                     eMarketer: marketers are 15 points more likely to be
 *                                     taking some action: 90 % vs 75 %.
 *                   act_other         marketers 20 (5.0)    CIOs 144 (6.0)
 *                 Coherence: a respondent with act_none = 1 has every other item 0; every
 *                 other respondent (an "actor") has at least one of the four action items.
 *                 To guarantee that, each actor first gets one "primary" item (counts below,
 *                 summing to the number of actors); the rest of each item's count is then
 *                 dealt among the actors who do not already hold it:
 *                                     collab hybrid agency other   actors
 *                   marketers primary   180     80     85    15  =   360
 *                             extra      92    104     95     5
 *                   CIOs      primary   720    580    400   100  = 1,800
 *                             extra     408    476    416    44
 *                 So an item's share among all respondents is exactly the published one
 *                 (nobody is missing on the set, and the base is the same whether it is all
 *                 respondents or those who selected at least one item).
 *
 * closer          published in full, all confirmed, but each group's column sums to 99 %
 *                 in the release (each figure was rounded on its own). The published values
 *                 times n give 396 marketers and 2,376 CIOs; the missing 1 % (4 marketers,
 *                 24 CIOs) was somewhere in the rounding of the seven codes. It is spread over
 *                 five groups -- net closer (1+2), same (3), net further (4+5), does not
 *                 apply (8), don't know (9) -- about +0.2 point each, because a net is itself
 *                 a published figure: putting the whole point in one code or one net would
 *                 push it past the rounding interval. Every code and both nets then round to
 *                 the published value:
 *                   code                     marketers            CIOs
 *                   1 much more              121 (30.25)  30     290 (12.08)  12
 *                   2 somewhat more          100 (25.00)  25     507 (21.13)  21
 *                   3 same amount            157 (39.25)  39     893 (37.21)  37
 *                   4 somewhat less           13 ( 3.25)   3      74 ( 3.08)   3
 *                   5 much less                0 ( 0.00)   0      51 ( 2.13)   2
 *                   8 does not apply           5 ( 1.25)   1     557 (23.21)  23
 *                   9 don't know               4 ( 1.00)   1      28 ( 1.17)   1
 *                   net closer_more (1+2)    221 (55.25)  55     797 (33.21)  33
 *                   net closer_less (4+5)     13 ( 3.25)   3     125 ( 5.21)   5
 *                   total                    400 (100)    99   2,400 (100)    99
 *                 Marketers' "much less" stays at 0 respondents (the published 0 % is taken
 *                 literally); their extra respondent in the "further" net goes to code 4.
 *                 Codes 8 and 9 are user-missing in the codebook but are in the base of
 *                 every published figure (use --missing include to reproduce them).
 *
 * challenge1      open question coded by theme; only "communication first in both groups"
 *                 was published: the counts are illustrative.
 *                   code                         marketers       CIOs
 *                   1 communication              164 (41 %)   912 (38 %)
 *                   2 project logistics           88 (22 %)   552 (23 %)
 *                   3 IT-related                  72 (18 %)   336 (14 %)
 *                   4 other                       44 (11 %)   360 (15 %)
 *                   9 don't know (missing)        32 ( 8 %)   240 (10 %)
 *
 * challenges      eight 0/1 items; the format is reconstructed and no figure exists in any
 *                 source: illustrative. Each group cites more often the four challenges its
 *                 own side voiced in the source (marketers about IT: language, attention,
 *                 time, consensus; CIOs about marketing: the other four). Items are dealt
 *                 independently (a respondent may cite none).
 *                   item              marketers       CIOs
 *                   ch_language       128 (32 %)   336 (14 %)
 *                   ch_attention      108 (27 %)   240 (10 %)
 *                   ch_time           120 (30 %)   432 (18 %)
 *                   ch_consensus       88 (22 %)   480 (20 %)
 *                   ch_expectations    48 (12 %)   720 (30 %)
 *                   ch_premature       40 (10 %)   576 (24 %)
 *                   ch_clarity         60 (15 %)   624 (26 %)
 *                   ch_budget          80 (20 %)   672 (28 %)
 *
 * Wave B (integration, actions) actually had 2,500 CIOs in 25 markets; the example uses
 * the same 2,400 CIO rows for both waves. Every z-test in the study changes by < 0.03.
 *
 * The program checks its own tables (each sums to its group's n) and the multiple-response
 * coherence before writing anything, and exits 3 with a message on stderr if one fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_CIO = 2400, N_MKT = 400, N_ALL = N_CIO + N_MKT, N_METRO = 24, PER_METRO = 100 };
enum { CIO_FIRST = 0, MKT_FIRST = N_CIO };
enum { ROLE_CIO = 1, ROLE_MKT = 2 };
#define NOT_ASKED (-1) /* in this program only: written out as an empty field */
#define SEED UINT64_C(0x50ADA6E2015D5101)

enum col {
    C_ID, C_ROLE, C_SEGMENT, C_COMPANY_SIZE, C_METRO,
    C_INTEGRATION,
    C_ENCOURAGE_COLLAB, C_HYBRID_TALENT, C_AGENCY, C_ACT_OTHER, C_ACT_NONE,
    C_CLOSER, C_CHALLENGE1,
    C_CH_LANGUAGE, C_CH_ATTENTION, C_CH_TIME, C_CH_CONSENSUS,
    C_CH_EXPECTATIONS, C_CH_PREMATURE, C_CH_CLARITY, C_CH_BUDGET,
    C_STRATUM,
    N_COLS
};
static const char *const col_name[N_COLS] = {
    "id", "role", "segment", "company_size", "metro",
    "integration",
    "encourage_collab", "hybrid_talent", "agency", "act_other", "act_none",
    "closer", "challenge1",
    "ch_language", "ch_attention", "ch_time", "ch_consensus",
    "ch_expectations", "ch_premature", "ch_clarity", "ch_budget",
    "stratum",
};

typedef struct { int code; int n; } cell;
#define LEN(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* ---- count tables (see the header comment for where each number comes from) ---- */

static const cell segment_mkt[] = {{1, 200}, {2, 200}};
static const cell size_cio_per_metro[] = {{3, 34}, {4, 24}, {5, 18}, {6, 24}};
static const cell size_mkt_marketing[] = {{3, 70}, {4, 48}, {5, 34}, {6, 48}};
static const cell size_mkt_agency[] = {{1, 78}, {2, 52}, {3, 36}, {4, 16}, {5, 10}, {6, 8}};

static const cell integration_cio[] = {{1, 1296}, {2, 1008}, {9, 96}};
static const cell integration_mkt[] = {{1, 292}, {2, 96}, {9, 12}};

static const cell closer_cio[] = {{1, 290}, {2, 507}, {3, 893}, {4, 74}, {5, 51}, {8, 557}, {9, 28}};
static const cell closer_mkt[] = {{1, 121}, {2, 100}, {3, 157}, {4, 13}, {5, 0}, {8, 5}, {9, 4}};

static const cell challenge1_cio[] = {{1, 912}, {2, 552}, {3, 336}, {4, 360}, {9, 240}};
static const cell challenge1_mkt[] = {{1, 164}, {2, 88}, {3, 72}, {4, 44}, {9, 32}};

/* The four action items that make a respondent an "actor", in column order. */
enum { N_ACT = 4 };
typedef struct {
    int none;           /* act_none = 1 */
    int k[N_ACT];       /* encourage_collab, hybrid_talent, agency, act_other */
    int primary[N_ACT]; /* one per actor: sums to n - none */
} actions_spec;
static const actions_spec actions_cio = {600, {1128, 1056, 816, 144}, {720, 580, 400, 100}};
static const actions_spec actions_mkt = {40, {272, 184, 180, 20}, {180, 80, 85, 15}};

enum { N_CH = 8 }; /* ch_language .. ch_budget, in column order */
static const int challenges_cio[N_CH] = {336, 240, 432, 480, 720, 576, 624, 672};
static const int challenges_mkt[N_CH] = {128, 108, 120, 88, 48, 40, 60, 80};

/* ---- deterministic randomness ---- */

typedef struct { uint64_t s; } rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, n), without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t lo = (UINT64_C(0) - n) % n; /* 2^64 mod n: the biased low values */
    uint64_t x;
    do
        x = rng_next(r);
    while (x < lo);
    return x % n;
}

/* One stream per name (FNV-1a of the name, mixed with the seed). */
static rng rng_for(const char *stream, int index)
{
    uint64_t h = UINT64_C(0xCBF29CE484222325);
    for (const unsigned char *p = (const unsigned char *)stream; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001B3);
    }
    h ^= (uint64_t)(unsigned)index * UINT64_C(0xD6E8FEB86659FD93);
    rng r = {h ^ SEED};
    (void)rng_next(&r);
    return r;
}

static void shuffle(int *a, int n, rng *r)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* ---- the data ---- */

typedef struct {
    int v[N_COLS][N_ALL]; /* column-major; NOT_ASKED where not asked */
    int scratch[N_ALL];
    int codes[N_ALL];
    int rows[N_ALL];
    const char *failed; /* group of the first table that does not sum to n, */
    int failed_index;   /* and its stream index (a column, or 100+ for helpers) */
} study;

static void fail_table(study *s, const char *stream, int index)
{
    if (!s->failed) {
        s->failed = stream;
        s->failed_index = index;
    }
}

/* Gives rows[0..n-1] the codes of t (counts summing to n) in the order of a shuffle
 * seeded by (stream, index). Writes into out[row]. */
static void deal(study *s, int *out, const int *rows, int n, const cell *t, int nt,
                 const char *stream, int index)
{
    int k = 0;
    for (int i = 0; i < nt; i++) {
        if (t[i].n < 0 || t[i].n > n - k) {
            fail_table(s, stream, index);
            return;
        }
        for (int j = 0; j < t[i].n; j++)
            s->codes[k++] = t[i].code;
    }
    if (k != n) {
        fail_table(s, stream, index);
        return;
    }
    rng r = rng_for(stream, index);
    shuffle(s->codes, n, &r);
    for (int i = 0; i < n; i++)
        out[rows[i]] = s->codes[i];
}

/* Deals k ones and n - k zeros. */
static void deal_01(study *s, int *out, const int *rows, int n, int k, const char *stream,
                    int index)
{
    cell t[2] = {{1, k}, {0, n - k}};
    deal(s, out, rows, n, t, 2, stream, index);
}

/* The rows of [first, first + n) whose column c equals code, into s->rows; returns the count. */
static int select_rows(study *s, int first, int n, int c, int code)
{
    int m = 0;
    for (int i = first; i < first + n; i++)
        if (s->v[c][i] == code)
            s->rows[m++] = i;
    return m;
}

static void group_rows(int *rows, int first, int n)
{
    for (int i = 0; i < n; i++)
        rows[i] = first + i;
}

static void make_actions(study *s, int first, int n, const actions_spec *a, const char *g)
{
    static const int item_col[N_ACT] = {C_ENCOURAGE_COLLAB, C_HYBRID_TALENT, C_AGENCY, C_ACT_OTHER};
    int all[N_ALL];
    group_rows(all, first, n);
    deal_01(s, s->v[C_ACT_NONE], all, n, a->none, g, C_ACT_NONE);
    for (int i = 0; i < N_ACT; i++)
        for (int r = first; r < first + n; r++)
            s->v[item_col[i]][r] = 0;

    /* The actors each get one primary item (scratch = its index). */
    int actors = select_rows(s, first, n, C_ACT_NONE, 0);
    int actor_rows[N_ALL];
    memcpy(actor_rows, s->rows, (size_t)actors * sizeof actor_rows[0]);
    cell prim[N_ACT];
    for (int i = 0; i < N_ACT; i++)
        prim[i] = (cell){i, a->primary[i]};
    deal(s, s->scratch, actor_rows, actors, prim, N_ACT, g, 100);

    /* Then each item's remaining count among the actors who do not hold it yet. */
    for (int i = 0; i < N_ACT; i++) {
        int m = 0;
        for (int j = 0; j < actors; j++) {
            int r = actor_rows[j];
            if (s->scratch[r] == i)
                s->v[item_col[i]][r] = 1;
            else
                s->rows[m++] = r;
        }
        deal_01(s, s->v[item_col[i]], s->rows, m, a->k[i] - a->primary[i], g, item_col[i]);
    }
}

static void make_group(study *s, int role, int first, int n)
{
    const char *g = role == ROLE_CIO ? "cio" : "marketer";
    int all[N_ALL];
    group_rows(all, first, n);
    for (int i = first; i < first + n; i++) {
        s->v[C_ID][i] = i + 1;
        s->v[C_ROLE][i] = role;
    }

    if (role == ROLE_CIO) {
        cell metros[N_METRO];
        for (int m = 0; m < N_METRO; m++)
            metros[m] = (cell){m + 1, PER_METRO};
        deal(s, s->v[C_METRO], all, n, metros, N_METRO, g, C_METRO);
        for (int m = 1; m <= N_METRO; m++) {
            int k = select_rows(s, first, n, C_METRO, m);
            deal(s, s->v[C_COMPANY_SIZE], s->rows, k, size_cio_per_metro,
                 LEN(size_cio_per_metro), g, 1000 + m);
        }
        for (int i = first; i < first + n; i++)
            s->v[C_STRATUM][i] = s->v[C_METRO][i];
        deal(s, s->v[C_INTEGRATION], all, n, integration_cio, LEN(integration_cio), g,
             C_INTEGRATION);
        make_actions(s, first, n, &actions_cio, g);
        deal(s, s->v[C_CLOSER], all, n, closer_cio, LEN(closer_cio), g, C_CLOSER);
        deal(s, s->v[C_CHALLENGE1], all, n, challenge1_cio, LEN(challenge1_cio), g,
             C_CHALLENGE1);
        for (int i = 0; i < N_CH; i++)
            deal_01(s, s->v[C_CH_LANGUAGE + i], all, n, challenges_cio[i], g, C_CH_LANGUAGE + i);
    } else {
        deal(s, s->v[C_SEGMENT], all, n, segment_mkt, LEN(segment_mkt), g, C_SEGMENT);
        int k = select_rows(s, first, n, C_SEGMENT, 1);
        deal(s, s->v[C_COMPANY_SIZE], s->rows, k, size_mkt_marketing, LEN(size_mkt_marketing),
             g, 1001);
        k = select_rows(s, first, n, C_SEGMENT, 2);
        deal(s, s->v[C_COMPANY_SIZE], s->rows, k, size_mkt_agency, LEN(size_mkt_agency), g,
             1002);
        for (int i = first; i < first + n; i++)
            s->v[C_STRATUM][i] = N_METRO + s->v[C_SEGMENT][i];
        deal(s, s->v[C_INTEGRATION], all, n, integration_mkt, LEN(integration_mkt), g,
             C_INTEGRATION);
        make_actions(s, first, n, &actions_mkt, g);
        deal(s, s->v[C_CLOSER], all, n, closer_mkt, LEN(closer_mkt), g, C_CLOSER);
        deal(s, s->v[C_CHALLENGE1], all, n, challenge1_mkt, LEN(challenge1_mkt), g,
             C_CHALLENGE1);
        for (int i = 0; i < N_CH; i++)
            deal_01(s, s->v[C_CH_LANGUAGE + i], all, n, challenges_mkt[i], g, C_CH_LANGUAGE + i);
    }
}

/* Multiple-response coherence and "asked of" rules; returns the first broken rule or NULL. */
static const char *check(const study *s)
{
    for (int r = 0; r < N_ALL; r++) {
        int cio = s->v[C_ROLE][r] == ROLE_CIO;
        if ((s->v[C_METRO][r] == NOT_ASKED) == cio)
            return "metro is asked of CIOs only";
        if ((s->v[C_SEGMENT][r] == NOT_ASKED) != cio)
            return "segment is asked of marketers only";
        for (int c = C_ROLE; c < N_COLS; c++)
            if (c != C_METRO && c != C_SEGMENT && s->v[c][r] == NOT_ASKED)
                return "a question asked of everybody has an empty answer";
        int any = s->v[C_ENCOURAGE_COLLAB][r] + s->v[C_HYBRID_TALENT][r] + s->v[C_AGENCY][r] +
                  s->v[C_ACT_OTHER][r];
        if (s->v[C_ACT_NONE][r] == 1 && any != 0)
            return "act_none = 1 with another action selected";
        if (s->v[C_ACT_NONE][r] == 0 && any == 0)
            return "a respondent with no action selected and act_none = 0";
    }
    return NULL;
}

static void write_csv(const study *s, FILE *f)
{
    for (int c = 0; c < N_COLS; c++)
        fprintf(f, "%s%c", col_name[c], c + 1 < N_COLS ? ',' : '\n');
    for (int r = 0; r < N_ALL; r++)
        for (int c = 0; c < N_COLS; c++) {
            if (s->v[c][r] != NOT_ASKED)
                fprintf(f, "%d", s->v[c][r]);
            fputc(c + 1 < N_COLS ? ',' : '\n', f);
        }
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: gen_study > dsi-marketing.csv\n", stderr);
        return 2;
    }
    study *s = malloc(sizeof *s);
    if (!s) {
        fputs("gen_study: error: out of memory\n", stderr);
        return 3;
    }
    for (int c = 0; c < N_COLS; c++)
        for (int r = 0; r < N_ALL; r++)
            s->v[c][r] = NOT_ASKED;
    s->failed = NULL;
    s->failed_index = 0;

    make_group(s, ROLE_CIO, CIO_FIRST, N_CIO);
    make_group(s, ROLE_MKT, MKT_FIRST, N_MKT);

    if (s->failed) {
        int i = s->failed_index;
        fprintf(stderr, "gen_study: error: a count table does not sum to its group's n: %s, %s\n",
                s->failed, i >= 0 && i < N_COLS ? col_name[i] : "helper table");
        free(s);
        return 3;
    }
    const char *bad = check(s);
    if (bad) {
        fprintf(stderr, "gen_study: error: %s\n", bad);
        free(s);
        return 3;
    }
    write_csv(s, stdout);
    free(s);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("gen_study: error: cannot write the output\n", stderr);
        return 3;
    }
    return 0;
}
