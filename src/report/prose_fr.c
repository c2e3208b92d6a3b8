/*
 * prose_fr.c — the findings' phrase rules in French: words and sentence
 * templates only (prose.h says what each field is, docs/findings.md lists
 * the slots). French typography: a narrow no-break space (U+202F) before
 * "%", ";", "?" and "!" and as the thousands separator, a no-break space
 * (U+00A0) inside « » and before ":", a decimal comma.
 */
#include "prose.h"

#define NBSP "\xC2\xA0"      /* U+00A0 */
#define NNBSP "\xE2\x80\xAF" /* U+202F */
#define LQ "\xC2\xAB" NBSP   /* « */
#define RQ NBSP "\xC2\xBB"   /* » */

static const char *const fr_contract[] = {"de un ", "d'un ", "de une ", "d'une ", NULL};

const sd_prose_lang sd__prose_fr = {
    .tag = "fr",
    .decimal = ',',
    .thousands = NNBSP,
    .pct = "{x}" NNBSP "%",
    .frac = {"[g:un|une] sur 10", "[g:un|une] sur 5", "un quart", "un tiers", "2 sur 5",
             "la moitié", "3 sur 5", "deux tiers", "7 sur 10", "3 sur 4", "4 sur 5", "9 sur 10"},
    .frac_noun = {"[g:un|une] {one} sur 10", "[g:un|une] {one} sur 5", "un quart des {other}",
                  "un tiers des {other}", "2 {other} sur 5", "la moitié des {other}",
                  "3 {other} sur 5", "deux tiers des {other}", "7 {other} sur 10",
                  "3 {other} sur 4", "4 {other} sur 5", "9 {other} sur 10"},
    .singular = {true, true, false, false, false, false, false, false, false, false, false, false},
    .qual = {"{f}", "près de {f}", "plus de {f}", "environ {f}", "moins de la moitié",
             "une majorité", "{pct}"},
    .qual_noun = {"{f}", "près de {f}", "plus de {f}", "environ {f}",
                  "moins de la moitié des {other}", "une majorité des {other}",
                  "{pct} des {other}"},
    .exact = " ({pct})",
    .contract = fr_contract,
    .all_one = "personne",
    .all_other = "personnes",
    .all_gender = SD_GENDER_F,
    .group_one = "répondant " LQ "{label}" RQ,
    .group_other = "répondants " LQ "{label}" RQ,
    .asked = {"interrogés", "interrogées"},
    .answered = {"ayant répondu", "ayant répondu"},
    .ans_cat = "[n:répond|répondent] " LQ "{A}" RQ,
    .ans_net = "[n:répond|répondent] " LQ "{A}" RQ " (réponses regroupées)",
    .ans_item = "[n:cite|citent] " LQ "{A}" RQ,
    .p_eq = "p = {x}",
    .p_lt = "p < {x}",
    .p_ge = "p ≥ {x}",
    .level = "Parmi les {Na} {Ga} {asked}, {Fa} {ans}[q: à la question " LQ "{Q}" RQ "].",
    .gap = "[q:À la question " LQ "{Q}" RQ ", ]{FNa} {ans}, contre {FNb}" NNBSP
           "; l'écart est significatif ({p}" NNBSP "; {Na} {Ga} et {Nb} {Gb} {asked}).",
    .no_gap = "[q:À la question " LQ "{Q}" RQ ", ]{Pa} des {Ga} et {Pb} des {Gb} {ans}" NBSP
              ": les deux groupes ne diffèrent pas significativement ({p}" NNBSP
              "; {Na} {Ga} et {Nb} {Gb} {asked}).",
    .mean_level = "Parmi les {Na} {Ga} {asked}, la moyenne des réponses[q: à la question " LQ
                  "{Q}" RQ "] est de {Ma}.",
    .mean_gap = "[q:À la question " LQ "{Q}" RQ ", ]la moyenne est de {Ma} chez les {Ga}, contre "
                "{Mb} chez les {Gb}" NNBSP "; l'écart est significatif ({p}" NNBSP
                "; {Na} {Ga} et {Nb} {Gb} {asked}).",
    .mean_no_gap = "[q:À la question " LQ "{Q}" RQ ", ]la moyenne est de {Ma} chez les {Ga} et de "
                   "{Mb} chez les {Gb}" NBSP ": les deux groupes ne diffèrent pas "
                   "significativement ({p}" NNBSP "; {Na} {Ga} et {Nb} {Gb} {asked}).",
    .ranking = "Parmi les {Na} {Ga} {asked}, les réponses[q: à la question " LQ "{Q}" RQ
               "] sont, de la plus citée à la moins citée" NBSP ": {list}.",
    .rank_item = LQ "{A}" RQ " ({Pa})",
    .list_sep = ", ",
    .list_two = " et ",
    .list_last = " et ",
    .change_down = "[q:À la question " LQ "{Q}" RQ ", ]la part des {Ga} qui {ans} chute à {Pa}, "
                   "contre {Pprev} lors de la vague précédente" NNBSP
                   "; l'évolution est significative ({p}" NNBSP "; {Na} {Ga} {asked}).",
    .change_up = "[q:À la question " LQ "{Q}" RQ ", ]la part des {Ga} qui {ans} progresse à {Pa}, "
                 "contre {Pprev} lors de la vague précédente" NNBSP
                 "; l'évolution est significative ({p}" NNBSP "; {Na} {Ga} {asked}).",
    .change_none = "[q:À la question " LQ "{Q}" RQ ", ]la part des {Ga} qui {ans} est de {Pa}, "
                   "contre {Pprev} lors de la vague précédente" NBSP
                   ": l'évolution n'est pas significative ({p}" NNBSP "; {Na} {Ga} {asked}).",
    .table_head = "Tableau {n}. {title}",
    .withheld = "Non rédigé, fiabilité insuffisante" NBSP ": {list}.",
    .withheld_item = LQ "{A}" RQ ", {G} ({why})",
    .withheld_cols = "{list}, pour toutes les réponses ({why})",
    .why_low_base = "base de moins de {min} répondants",
    .why_neff = "effectif efficace de moins de 30",
    .why_width = "intervalle de confiance de 30 points ou plus",
    .why_relwidth = "intervalle de confiance trop large pour le pourcentage",
    .why_no_se = "sans erreur type",
    .nothing = "Aucun constat rédigé pour ce tableau.",
    .note = "Note" NBSP ": {note}",
};
