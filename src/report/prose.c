/*
 * prose.c — the findings in words: the shared phrase machinery (natural
 * frequencies chosen from an estimate and its interval, templates filled
 * with a language's words, numbers in the language's typography, the
 * groups a sentence talks about) and the prose writer of a document. The
 * words themselves are data, one table per language (prose_fr.c,
 * prose_en.c); docs/findings.md gives the rules and the slots.
 * Hand-written: no library turns survey estimates into sentences.
 */
#include "prose.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ registry */

/* Every language with phrase rules; the first is the fallback. A new
 * language is a prose_LANG.c and one line here. */
static const sd_prose_lang *const langs[] = {&sd__prose_en, &sd__prose_fr};

const sd_prose_lang *sd__prose_lang(const char *lang)
{
    for (size_t i = 0; lang && i < sizeof langs / sizeof *langs; i++) {
        size_t n = strlen(langs[i]->tag);
        if (strncmp(lang, langs[i]->tag, n) == 0 && (lang[n] == '\0' || lang[n] == '-' ||
                                                     lang[n] == '_'))
            return langs[i];
    }
    return langs[0];
}

/* ---------------------------------------------------- natural frequencies */

static const double nf_values[SD_NF_COUNT] = {0.1, 0.2,     0.25, 1.0 / 3, 0.4,  0.5,
                                              0.6, 2.0 / 3, 0.7,  0.75,    0.8,  0.9};

double sd__nf_value(int frac)
{
    return frac >= 0 && frac < SD_NF_COUNT ? nf_values[frac] : NAN;
}

#define NF_EPS 1e-9

/* How far under a fraction "près de" reaches, and over one "plus de". */
static double near_tol(int k)
{
    double f = nf_values[k];
    return k == SD_NF_1_2 ? 0.05 : (0.25 * f < 0.035 ? 0.25 * f : 0.035);
}

static double over_tol(int k)
{
    double f = nf_values[k];
    return 0.35 * f < 0.06 ? 0.35 * f : 0.06;
}

sd_natfreq sd__natfreq(double p, double lo, double hi)
{
    sd_natfreq pct = {SD_NFQ_PCT, -1};
    if (!isfinite(p))
        return pct;
    if (!isfinite(lo) || !isfinite(hi) || lo > p || hi < p)
        lo = hi = p;
    /* Near the half, a wide interval says no more than which side of it
     * the figure is on. */
    if (hi - lo > 0.15 + NF_EPS && p > 0.35 && p < 0.65) {
        if (lo > 0.5)
            return (sd_natfreq){SD_NFQ_MAJORITY, SD_NF_1_2};
        if (hi < 0.5)
            return (sd_natfreq){SD_NFQ_UNDER, SD_NF_1_2};
    }
    /* The half first: "plus de la moitié" only when all the interval is
     * above it. */
    if (lo > 0.5 && p <= 0.565 + NF_EPS)
        return (sd_natfreq){SD_NFQ_OVER, SD_NF_1_2};
    /* The nearest fraction, bare when within 2 points (1 for one in ten)
     * and inside the interval; a tie goes to the half, else the larger. */
    int best = 0;
    for (int k = 1; k < SD_NF_COUNT; k++) {
        double dk = fabs(p - nf_values[k]), db = fabs(p - nf_values[best]);
        if (dk < db - NF_EPS || (fabs(dk - db) <= NF_EPS && best != SD_NF_1_2))
            best = k;
    }
    double f = nf_values[best];
    double bare = f / 10 < 0.02 ? f / 10 : 0.02;
    if (fabs(p - f) <= bare + NF_EPS && lo <= f + NF_EPS && hi >= f - NF_EPS)
        return (sd_natfreq){SD_NFQ_BARE, best};
    /* Else just under the fraction above ("près de"), or over the one
     * below with all the interval over it ("plus de"): the closer. */
    int above = -1, below = -1;
    for (int k = 0; k < SD_NF_COUNT; k++) {
        if (nf_values[k] > p + NF_EPS && above < 0)
            above = k;
        if (nf_values[k] < p - NF_EPS)
            below = k;
    }
    double da = above >= 0 ? nf_values[above] - p : INFINITY;
    double db = below >= 0 ? p - nf_values[below] : INFINITY;
    bool near_ok = above >= 0 && da <= near_tol(above) + NF_EPS;
    bool over_ok = below >= 0 && db <= over_tol(below) + NF_EPS && lo > nf_values[below] + NF_EPS;
    if (near_ok && over_ok) {
        bool tie = fabs(da - db) <= NF_EPS;
        if (tie ? below != SD_NF_1_2 : da < db)
            return (sd_natfreq){SD_NFQ_NEARLY, above};
        return (sd_natfreq){SD_NFQ_OVER, below};
    }
    if (near_ok)
        return (sd_natfreq){SD_NFQ_NEARLY, above};
    if (over_ok)
        return (sd_natfreq){SD_NFQ_OVER, below};
    /* Near a fraction the interval holds, neither under nor surely over. */
    if (fabs(p - f) <= 0.03 + NF_EPS && lo <= f + NF_EPS && hi >= f - NF_EPS)
        return (sd_natfreq){SD_NFQ_ABOUT, best};
    return pct;
}

/* ------------------------------------------------------------ templates */

void sd__prose_fill(sd_strbuf *sb, const char *tpl, const sd_slot *slots, size_t nslots,
                    int gender, bool sing)
{
    const char *p = tpl ? tpl : "";
    while (*p) {
        if (*p == '{') {
            const char *e = strchr(p + 1, '}');
            const sd_slot *s = NULL;
            for (size_t i = 0; e && i < nslots && !s; i++)
                if (strlen(slots[i].key) == (size_t)(e - p - 1) &&
                    memcmp(slots[i].key, p + 1, (size_t)(e - p - 1)) == 0)
                    s = &slots[i];
            if (s) {
                sd__sb_puts(sb, s->value ? s->value : "");
                p = e + 1;
                continue;
            }
        }
        if (*p == '[' && p[1] == 'q' && p[2] == ':') {
            /* [q:...]: the question's lead-in, left out of a finding's short
             * form (its table's heading already says the question) */
            const char *end = strchr(p + 3, ']');
            bool have_q = false;
            for (size_t i = 0; i < nslots; i++)
                have_q |= strcmp(slots[i].key, "Q") == 0 && slots[i].value;
            if (end) {
                if (have_q) {
                    sd_strbuf in;
                    sd__sb_init(&in, 1 << 20);
                    sd__sb_add(&in, p + 3, (size_t)(end - p - 3));
                    sd__prose_fill(sb, sd__sb_str(&in), slots, nslots, gender, sing);
                    sd__sb_free(&in);
                }
                p = end + 1;
                continue;
            }
        }
        if (*p == '[' && (p[1] == 'g' || p[1] == 'n') && p[2] == ':') {
            const char *bar = strchr(p + 3, '|');
            const char *end = bar ? strchr(bar + 1, ']') : NULL;
            if (end) {
                bool second = p[1] == 'g' ? gender == SD_GENDER_F : !sing;
                if (second)
                    sd__sb_add(sb, bar + 1, (size_t)(end - bar - 1));
                else
                    sd__sb_add(sb, p + 3, (size_t)(bar - p - 3));
                p = end + 1;
                continue;
            }
        }
        sd__sb_putc(sb, *p++);
    }
}

/* Apply a language's contractions to s, into sb. */
static void contract(sd_strbuf *sb, const sd_prose_lang *L, const char *s)
{
    for (size_t i = 0; s[i];) {
        bool done = false;
        for (const char *const *c = L->contract; c && c[0] && !done; c += 2) {
            size_t n = strlen(c[0]);
            if ((i == 0 || s[i - 1] == ' ') && strncmp(s + i, c[0], n) == 0) {
                sd__sb_puts(sb, c[1]);
                i += n;
                done = true;
            }
        }
        if (!done)
            sd__sb_putc(sb, s[i++]);
    }
}

/* ------------------------------------------------------------ numbers */

void sd__prose_num(const sd_prose_lang *L, double x, int dec, char *buf)
{
    char raw[SD_NUMBUF];
    if (!isfinite(x)) {
        memcpy(buf, "-", 2);
        return;
    }
    int n = sd__fmt_fixed(raw, x, dec, L->decimal);
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    size_t intlen = 0;
    while (digits[intlen] >= '0' && digits[intlen] <= '9')
        intlen++;
    size_t tl = strlen(L->thousands), o = 0;
    if (raw[0] == '-')
        buf[o++] = '-';
    for (size_t i = 0; i < intlen; i++) {
        if (i && (intlen - i) % 3 == 0 && o + tl < 40) {
            memcpy(buf + o, L->thousands, tl);
            o += tl;
        }
        buf[o++] = digits[i];
    }
    size_t rest = (size_t)n - (size_t)(digits - raw) - intlen;
    if (o + rest < 63) {
        memcpy(buf + o, digits + intlen, rest);
        o += rest;
    }
    buf[o] = '\0';
}

void sd__prose_pct(const sd_prose_lang *L, double p, int dec, char *buf)
{
    double x = p * 100;
    if (dec < 0)
        dec = (x > 0 && x < 0.5) || (x < 100 && x >= 99.5) ? 1 : 0;
    char num[64];
    sd__prose_num(L, x, dec, num);
    sd_strbuf sb;
    sd__sb_init(&sb, 63);
    sd__prose_fill(&sb, L->pct, (const sd_slot[]){{"x", num}}, 1, SD_GENDER_M, false);
    size_t n = sd__sb_status(&sb) == SD_OK ? sb.len : 0;
    memcpy(buf, sd__sb_str(&sb), n);
    buf[n] = '\0';
    sd__sb_free(&sb);
}

/* ------------------------------------------------------------ groups */

/* A fallback noun form, "répondants « Marketeur »", cut to fit `own`. */
static void group_form(char *dst, size_t cap, const char *tpl, const char *label)
{
    sd_strbuf sb;
    sd__sb_init(&sb, 1 << 16);
    sd__prose_fill(&sb, tpl, (const sd_slot[]){{"label", label}}, 1, SD_GENDER_M, false);
    const char *s = sd__sb_status(&sb) == SD_OK ? sd__sb_str(&sb) : "";
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    sd__sb_free(&sb);
}

void sd__prose_group(const sd_prose_lang *L, const sd_table *t, size_t col, const char *lang,
                     sd_pgroup *g)
{
    memset(g, 0, sizeof *g);
    g->n = sd_table_base(t, col, SD_BASE_N);
    g->all_answered = sd_table_base(t, col, SD_BASE_MISSING_N) == 0;
    if (sd_table_cat_type(t, SD_COLS, col) == SD_CAT_TYPE_TOTAL) {
        g->one = L->all_one;
        g->other = L->all_other;
        g->gender = L->all_gender;
        return;
    }
    const char *one = sd_table_cat_noun(t, SD_COLS, col, lang, SD_NOUN_ONE);
    const char *other = sd_table_cat_noun(t, SD_COLS, col, lang, SD_NOUN_OTHER);
    if (one && other) {
        const char *gd = sd_table_cat_noun(t, SD_COLS, col, lang, SD_NOUN_GENDER);
        g->one = one;
        g->other = other;
        g->gender = gd && gd[0] == 'f' ? SD_GENDER_F : SD_GENDER_M;
        return;
    }
    const char *label = sd_table_cat_label(t, SD_COLS, col, lang);
    group_form(g->own[0], sizeof g->own[0], L->group_one, label ? label : "");
    group_form(g->own[1], sizeof g->own[1], L->group_other, label ? label : "");
    g->one = g->own[0];
    g->other = g->own[1];
    g->gender = SD_GENDER_M;
}

/* ------------------------------------------------------------ frequencies */

void sd__prose_freq(sd_strbuf *sb, const sd_prose_lang *L, sd_natfreq nf, double p, int dec,
                    const sd_pgroup *g, bool with_noun, bool *sing)
{
    char pct[64];
    sd__prose_pct(L, p, dec, pct);
    const sd_slot slots[] = {{"pct", pct}, {"one", g->one}, {"other", g->other}};
    const char *const *qual = with_noun ? L->qual_noun : L->qual;
    *sing = false;
    if (nf.qual == SD_NFQ_PCT || nf.frac < 0 || nf.frac >= SD_NF_COUNT) {
        sd__prose_fill(sb, qual[SD_NFQ_PCT], slots, 3, g->gender, false);
        return;
    }
    sd_strbuf f, q;
    sd__sb_init(&f, 1 << 16);
    sd__sb_init(&q, 1 << 16);
    if (nf.qual == SD_NFQ_MAJORITY || nf.qual == SD_NFQ_UNDER) {
        sd__prose_fill(&q, qual[nf.qual], slots, 3, g->gender, false);
    } else {
        sd__prose_fill(&f, with_noun ? L->frac_noun[nf.frac] : L->frac[nf.frac], slots, 3,
                       g->gender, false);
        *sing = L->singular[nf.frac];
        const sd_slot fs[] = {{"f", sd__sb_str(&f)}};
        sd__prose_fill(&q, qual[nf.qual], fs, 1, g->gender, false);
    }
    contract(sb, L, sd__sb_str(&q));
    sd__prose_fill(sb, L->exact, slots, 3, g->gender, false);
    sd__sb_free(&f);
    sd__sb_free(&q);
}

/* ------------------------------------------------------------ the writer */

/* The figures of table t the reliability gate left out, as one sentence. */
static void withheld(sd_strbuf *sb, const sd_prose_lang *L, const sd_table *t, const char *lang)
{
    size_t nr = sd_table_size(t, SD_ROWS), nc = sd_table_size(t, SD_COLS);
    size_t from = nc > 1 ? 1 : 0, count = 0;
    char min[64];
    sd__prose_num(L, sd_table_min_base(t), 0, min);
    sd_strbuf list;
    sd__sb_init(&list, 1 << 24);
    /* A column under --min-base withholds all its figures: it is named
     * once, not once per answer. */
    size_t nfr = 0, row1 = 0;
    for (size_t r = 0; r < nr; r++)
        if (sd__finding_row(t, r) && !nfr++)
            row1 = r;
    bool any_row = nfr > 0;
    size_t nlow = 0, k = 0;
    for (size_t c = from; c < nc && any_row; c++)
        nlow += (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE) != 0;
    if (nlow) {
        sd_strbuf cols, wb;
        sd__sb_init(&cols, 1 << 20);
        sd__sb_init(&wb, 1 << 16);
        for (size_t c = from; c < nc; c++) {
            if (!(sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE))
                continue;
            if (k++)
                sd__sb_puts(&cols, k < nlow ? L->list_sep : nlow == 2 ? L->list_two : L->list_last);
            sd_pgroup g;
            sd__prose_group(L, t, c, lang, &g);
            sd__sb_puts(&cols, g.other);
        }
        sd__prose_fill(&wb, L->why_low_base, (const sd_slot[]){{"min", min}}, 1, SD_GENDER_M,
                       false);
        if (nfr == 1) {
            /* One figure per column (an item, a yes/no): name it. */
            const char *a = sd_table_row_set(t, lang, NULL, NULL)
                                ? sd_table_row_label(t, lang)
                                : sd_table_cat_label(t, SD_ROWS, row1, lang);
            const sd_slot s[] = {
                {"A", a ? a : ""}, {"G", sd__sb_str(&cols)}, {"why", sd__sb_str(&wb)}};
            sd__prose_fill(&list, L->withheld_item, s, 3, SD_GENDER_M, false);
        } else {
            const sd_slot s[] = {{"list", sd__sb_str(&cols)}, {"why", sd__sb_str(&wb)}};
            sd__prose_fill(&list, L->withheld_cols, s, 2, SD_GENDER_M, false);
        }
        count++;
        sd__sb_free(&cols);
        sd__sb_free(&wb);
    }
    for (size_t r = 0; r < nr; r++) {
        if (!sd__finding_row(t, r))
            continue;
        for (size_t c = from; c < nc; c++) {
            if (sd_table_cat_flags(t, SD_COLS, c) & SD_CATF_LOW_BASE)
                continue; /* named above */
            unsigned why = sd__fig_reliability(t, r, c) & SD_REL_WITHHELD;
            if (!why)
                continue;
            sd_pgroup g;
            sd__prose_group(L, t, c, lang, &g);
            const char *w = why & SD_REL_LOW_BASE  ? L->why_low_base
                            : why & SD_REL_NO_SE   ? L->why_no_se
                            : why & SD_REL_NEFF    ? L->why_neff
                            : why & SD_REL_WIDTH   ? L->why_width
                                                   : L->why_relwidth;
            sd_strbuf wb;
            sd__sb_init(&wb, 1 << 16);
            sd__prose_fill(&wb, w, (const sd_slot[]){{"min", min}}, 1, g.gender, false);
            const char *a = sd_table_row_set(t, lang, NULL, NULL)
                                ? sd_table_row_label(t, lang) /* the item */
                                : sd_table_cat_label(t, SD_ROWS, r, lang);
            const sd_slot s[] = {{"A", a ? a : ""}, {"G", g.other}, {"why", sd__sb_str(&wb)}};
            if (count++)
                sd__sb_puts(&list, L->list_sep);
            sd__prose_fill(&list, L->withheld_item, s, 3, g.gender, false);
            sd__sb_free(&wb);
        }
    }
    if (count) {
        sd__prose_fill(sb, L->withheld, (const sd_slot[]){{"list", sd__sb_str(&list)}}, 1,
                       SD_GENDER_M, false);
        sd__sb_puts(sb, "\n\n");
    }
    sd__sb_free(&list);
}

sd_status sd__write_prose(const sd_rdoc *doc, const char *lang, sd_strbuf *out, sd_error *err)
{
    const sd_prose_lang *L = sd__prose_lang(lang);
    const sd_result *r = doc->result;
    sd_findings own;
    memset(&own, 0, sizeof own);
    const sd_findings *fs = doc->findings;
    if (!fs) {
        sd_status st = sd__findings_compute(r, lang, &own, err);
        if (st != SD_OK) {
            sd__findings_free(&own);
            return st;
        }
        fs = &own;
    }
    size_t last = (size_t)-1;
    for (size_t ti = 0; ti < sd_result_ntables(r); ti++) {
        const sd_table *t = sd_result_table(r, ti);
        size_t num = sd_table_number(t);
        if (num != last) {
            char n[64];
            sd__prose_num(L, (double)num, 0, n);
            /* An item tabulated alone is headed by its set's question. */
            const char *title = sd_table_title(t, lang), *sl = NULL;
            if (sd_table_row_set(t, lang, &sl, NULL) && sl)
                title = sl;
            const sd_slot s[] = {{"n", n}, {"title", title ? title : ""}};
            sd__prose_fill(out, L->table_head, s, 2, SD_GENDER_M, false);
            sd__sb_puts(out, "\n\n");
            last = num;
        }
        size_t written = 0;
        for (size_t i = 0; i < fs->n; i++)
            if (fs->v[i].table == ti) {
                sd__sb_puts(out, fs->v[i].body);
                sd__sb_puts(out, "\n\n");
                written++;
            }
        size_t before = out->len;
        withheld(out, L, t, lang);
        if (!written && out->len == before) {
            sd__sb_puts(out, L->nothing);
            sd__sb_puts(out, "\n\n");
        }
        /* What the codebook says of the question (illustrative values...),
         * once per table number. */
        const sd_table *next = sd_result_table(r, ti + 1);
        const char *note = sd_table_row_note(t, lang);
        if (note && (!next || sd_table_number(next) != num)) {
            sd__prose_fill(out, L->note, (const sd_slot[]){{"note", note}}, 1, SD_GENDER_M,
                           false);
            sd__sb_puts(out, "\n\n");
        }
    }
    sd__findings_free(&own);
    return sd__sb_status(out);
}
