/*
 * prose.h — private to the findings' files: findings.c (which figures are
 * written up, and the reliability gate), prose.c (the shared phrase
 * machinery and the prose writer) and one prose_LANG.c per language. A
 * language is data: an sd_prose_lang of words and sentence templates
 * (docs/findings.md lists every slot); a third language is a new file and
 * one line in prose.c's registry.
 */
#ifndef SD_REPORT_PROSE_H
#define SD_REPORT_PROSE_H

#include "doc.h"

/* The fractions a natural frequency is made of, in increasing order
 * (prose.c holds their values). */
enum {
    SD_NF_1_10 = 0,
    SD_NF_1_5,
    SD_NF_1_4,
    SD_NF_1_3,
    SD_NF_2_5,
    SD_NF_1_2,
    SD_NF_3_5,
    SD_NF_2_3,
    SD_NF_7_10,
    SD_NF_3_4,
    SD_NF_4_5,
    SD_NF_9_10,
    SD_NF_COUNT
};

/* How a proportion is put into words (sd__natfreq; docs/findings.md). */
typedef enum sd_nfqual {
    SD_NFQ_BARE = 0, /* "3 sur 4": within 2 points and inside the interval */
    SD_NFQ_NEARLY,   /* "près de la moitié": just under the fraction */
    SD_NFQ_OVER,     /* "plus de la moitié": the whole interval above it */
    SD_NFQ_ABOUT,    /* "environ la moitié": just over, the interval holding it */
    SD_NFQ_UNDER,    /* "moins de la moitié": a wide interval, all of it under 50 % */
    SD_NFQ_MAJORITY, /* "une majorité": a wide interval, all of it above 50 % */
    SD_NFQ_PCT,      /* no fraction fits (under 8 %, over 92 %...): the percentage */
    SD_NFQ_COUNT
} sd_nfqual;

typedef struct sd_natfreq {
    sd_nfqual qual;
    int frac; /* SD_NF_*; SD_NF_1_2 for UNDER and MAJORITY; -1 for PCT */
} sd_natfreq;

/* The natural frequency of a proportion p with its interval [lo, hi]
 * (NaN bounds: treated as a point). Deterministic, language-free. */
sd_natfreq sd__natfreq(double p, double lo, double hi);
/* The value of a fraction SD_NF_* (0.5 for SD_NF_1_2). */
double sd__nf_value(int frac);

/* Gender of a group noun, for the languages that agree with it. */
enum { SD_GENDER_M = 0, SD_GENDER_F = 1 };

/* One language's phrase rules. Templates hold {slot}s (docs/findings.md)
 * and choices [g:masculine|feminine] (the group's gender) and
 * [n:singular|plural] (the grammatical number of the frequency before
 * it). Every field is required. */
typedef struct sd_prose_lang {
    const char *tag; /* a report language whose tag starts with it uses this table */
    /* Numbers for people: decimal mark, thousands separator, a
     * percentage ({x} the number). */
    char decimal;
    const char *thousands;
    const char *pct;
    /* Fractions, alone ("3 sur 4") and with the group's noun ({one},
     * {other}: "3 marketeurs sur 4"); singular[k] when a verb after it is
     * singular ("un DSI sur 10 répond"). */
    const char *frac[SD_NF_COUNT];
    const char *frac_noun[SD_NF_COUNT];
    bool singular[SD_NF_COUNT];
    /* Qualifiers around a fraction phrase {f}, alone and with the noun:
     * BARE "{f}", NEARLY "près de {f}"...; MAJORITY and UNDER stand for
     * themselves ({other} the group); PCT is "{pct}" / "{pct} des {other}". */
    const char *qual[SD_NFQ_COUNT];
    const char *qual_noun[SD_NFQ_COUNT];
    /* The exact percentage after a fraction: " ({pct})". */
    const char *exact;
    /* Contractions inside a frequency phrase, {from, to} pairs, NULL-ended
     * ("de un " -> "d'un "), matched at a word start. */
    const char *const *contract;
    /* Groups: everyone (the Total column), and a column whose value has
     * no noun in the codebook ({label}: its value label). */
    const char *all_one, *all_other;
    int all_gender;
    const char *group_one, *group_other;
    /* Participles of a base: everyone was asked; some did not answer
     * (indexed by gender). */
    const char *asked[2], *answered[2];
    /* What a row is: a category, a net of categories, an item of a
     * multiple-response question ({A} its label). */
    const char *ans_cat, *ans_net, *ans_item;
    /* p-values ({x} the number): an exact p, p under the smallest shown,
     * and the letters' levels when only they are known. */
    const char *p_eq, *p_lt, *p_ge;
    /* Sentences (docs/findings.md gives their slots). */
    const char *level, *gap, *no_gap;
    const char *mean_level, *mean_gap, *mean_no_gap;
    const char *ranking, *rank_item, *list_sep, *list_two, *list_last;
    const char *change_down, *change_up, *change_none;
    /* The prose writer: a table's heading ({n}, {title}), findings left
     * out by the reliability gate ({list}; items "{A}, {G} ({why})"),
     * the reasons, a table with nothing written up, and the note. */
    const char *table_head, *withheld, *withheld_item, *withheld_cols;
    const char *why_low_base, *why_neff, *why_width, *why_relwidth, *why_no_se;
    const char *nothing;
    /* The codebook's note on the question ({note}), under its findings. */
    const char *note;
} sd_prose_lang;

extern const sd_prose_lang sd__prose_fr;
extern const sd_prose_lang sd__prose_en;

/* The table for a report language (tags compared by prefix, "fr-CA" is
 * French); English when none matches. */
const sd_prose_lang *sd__prose_lang(const char *lang);

/* A named value for a template. */
typedef struct sd_slot {
    const char *key, *value;
} sd_slot;

/* Append a template with its slots filled and choices made (gender g,
 * number: singular when `sing`). An unknown slot is kept as written. */
void sd__prose_fill(sd_strbuf *sb, const char *tpl, const sd_slot *slots, size_t nslots,
                    int gender, bool sing);

/* Numbers in a language: x with `dec` decimals and thousands separators;
 * a proportion as a percentage ("73 %", dec < 0: whole numbers, one
 * decimal under 1 %). buf holds 64 bytes. */
void sd__prose_num(const sd_prose_lang *L, double x, int dec, char *buf);
void sd__prose_pct(const sd_prose_lang *L, double p, int dec, char *buf);

/* A group the sentences talk about: one column of a table. */
typedef struct sd_pgroup {
    const char *one, *other; /* the noun's forms (borrowed or in `own`) */
    int gender;
    double n;                /* unweighted base */
    bool all_answered;       /* no respondent of the column missing on the row */
    char own[2][512];        /* the fallback forms when the codebook gives none */
} sd_pgroup;

void sd__prose_group(const sd_prose_lang *L, const sd_table *t, size_t col, const char *lang,
                     sd_pgroup *g);

/* A frequency phrase for proportion p of group g ("3 marketeurs sur 4
 * (73 %)" with the noun, "3 sur 4 (73 %)" without); *sing tells whether
 * a verb after it is singular. */
void sd__prose_freq(sd_strbuf *sb, const sd_prose_lang *L, sd_natfreq nf, double p, int dec,
                    const sd_pgroup *g, bool with_noun, bool *sing);

/* Is a row one findings are written about (findings.c): every category,
 * net and item, a mean; for an item of a set tabulated alone, only the
 * row of its "selected" value. */
bool sd__finding_row(const sd_table *t, size_t row);

#endif /* SD_REPORT_PROSE_H */
