/*
 * prose_en.c — the findings' phrase rules in English (the fallback for
 * every language without its own table): words and sentence templates
 * only (prose.h says what each field is, docs/findings.md lists the
 * slots). "73%", "2,400", decimal point, curly double quotes.
 */
#include "prose.h"

#define LQ "\xE2\x80\x9C" /* “ */
#define RQ "\xE2\x80\x9D" /* ” */

static const char *const en_contract[] = {NULL};

const sd_prose_lang sd__prose_en = {
    .tag = "en",
    .decimal = '.',
    .thousands = ",",
    .pct = "{x}%",
    .frac = {"one in ten", "one in five", "a quarter", "a third", "two in five", "half",
             "three in five", "two thirds", "seven in ten", "three in four", "four in five",
             "nine in ten"},
    .frac_noun = {"one in ten {other}", "one in five {other}", "a quarter of {other}",
                  "a third of {other}", "two in five {other}", "half of {other}",
                  "three in five {other}", "two thirds of {other}", "seven in ten {other}",
                  "three in four {other}", "four in five {other}", "nine in ten {other}"},
    .singular = {false, false, false, false, false, false, false, false, false, false, false,
                 false},
    .qual = {"{f}", "nearly {f}", "more than {f}", "about {f}", "less than half", "a majority",
             "{pct}"},
    .qual_noun = {"{f}", "nearly {f}", "more than {f}", "about {f}", "less than half of {other}",
                  "a majority of {other}", "{pct} of {other}"},
    .exact = " ({pct})",
    .contract = en_contract,
    .all_one = "respondent",
    .all_other = "respondents",
    .all_gender = SD_GENDER_M,
    .group_one = LQ "{label}" RQ " respondent",
    .group_other = LQ "{label}" RQ " respondents",
    .asked = {"asked", "asked"},
    .answered = {"who answered", "who answered"},
    .ans_cat = "answer " LQ "{A}" RQ,
    .ans_net = "answer " LQ "{A}" RQ " (a net of answers)",
    .ans_item = "select " LQ "{A}" RQ,
    .p_eq = "p = {x}",
    .p_lt = "p < {x}",
    .p_ge = "p ≥ {x}",
    .level = "Of the {Na} {Ga} {asked}[q: " LQ "{Q}" RQ "], {Fa} {ans}.",
    .gap = "[q:Asked " LQ "{Q}" RQ ", ]{FNa} {ans}, whereas {FNb} do; the gap is significant "
           "({p}; {Na} {Ga} and {Nb} {Gb} {asked}).",
    .no_gap = "[q:Asked " LQ "{Q}" RQ ", ]{Pa} of {Ga} and {Pb} of {Gb} {ans}: the two groups do "
              "not differ significantly ({p}; {Na} {Ga} and {Nb} {Gb} {asked}).",
    .mean_level = "Of the {Na} {Ga} {asked}[q: " LQ "{Q}" RQ "], the mean answer is {Ma}.",
    .mean_gap = "[q:Asked " LQ "{Q}" RQ ", ]{Ga} give a mean answer of {Ma}, whereas {Gb} give "
                "{Mb}; the gap is significant ({p}; {Na} {Ga} and {Nb} {Gb} {asked}).",
    .mean_no_gap = "[q:Asked " LQ "{Q}" RQ ", ]{Ga} give a mean answer of {Ma} and {Gb} {Mb}: the "
                   "two groups do not differ significantly ({p}; {Na} {Ga} and {Nb} {Gb} "
                   "{asked}).",
    .ranking = "Of the {Na} {Ga} {asked}[q: " LQ "{Q}" RQ "], the answers, from most to least often "
               "selected, are {list}.",
    .rank_item = LQ "{A}" RQ " ({Pa})",
    .list_sep = ", ",
    .list_two = " and ",
    .list_last = ", and ",
    .change_down = "[q:Asked " LQ "{Q}" RQ ", ]the share of {Ga} who {ans} falls to {Pa}, from "
                   "{Pprev} in the earlier wave; the change is significant ({p}; {Na} {Ga} "
                   "{asked}).",
    .change_up = "[q:Asked " LQ "{Q}" RQ ", ]the share of {Ga} who {ans} rises to {Pa}, from {Pprev} "
                 "in the earlier wave; the change is significant ({p}; {Na} {Ga} {asked}).",
    .change_none = "[q:Asked " LQ "{Q}" RQ ", ]the share of {Ga} who {ans} is {Pa}, against {Pprev} "
                   "in the earlier wave: the change is not significant ({p}; {Na} {Ga} "
                   "{asked}).",
    .table_head = "Table {n}. {title}",
    .withheld = "Not written up, not reliable enough: {list}.",
    .withheld_item = LQ "{A}" RQ ", {G} ({why})",
    .withheld_cols = "{list}, every answer ({why})",
    .why_low_base = "base under {min} respondents",
    .why_neff = "effective sample size under 30",
    .why_width = "confidence interval 30 points wide or more",
    .why_relwidth = "confidence interval too wide for the percentage",
    .why_no_se = "no standard error",
    .nothing = "No finding written up for this table.",
    .note = "Note: {note}",
};
