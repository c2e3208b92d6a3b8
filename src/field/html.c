/*
 * html.c — the pages a respondent sees, as plain HTML forms that work
 * without JavaScript: the start page (a button per language), question
 * pages (radio buttons, check boxes, drop-downs, grids, number and text
 * fields) with progress and the server's messages next to each question,
 * the end pages (`<body data-sondage="complete">`, `"screened-out"`), and
 * short pages for problems. Every text from the questionnaire or the
 * respondent is escaped. French pages follow French typography.
 *
 * Hand-written: the pages are few and small; a template engine would add a
 * dependency and a second escaping layer to get right.
 */
#include "field.h"

#include <string.h>

/* ------------------------------------------------------------ escaping */

void sd__html_escn(sd_strbuf *sb, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: continue;
        }
        sd__sb_add(sb, s + run, i - run);
        sd__sb_puts(sb, e);
        run = i + 1;
    }
    sd__sb_add(sb, s + run, n - run);
}

void sd__html_esc(sd_strbuf *sb, const char *s)
{
    if (s)
        sd__html_escn(sb, s, strlen(s));
}

/* ------------------------------------------------------------ words */

typedef struct ui {
    const char *next, *finish, *back, *page_of, *fix, *required, *choose, *start, *start_in,
        *resume, *range_both, *range_min, *range_max, *max_chars, *thanks, *screenout,
        *lang_name;
    const char *msg[10];
} ui;

static const ui ui_en = {
    .next = "Next",
    .finish = "Finish",
    .back = "Back",
    .page_of = "Page %zu of %zu",
    .fix = "Some answers need your attention: see the messages below.",
    .required = "required",
    .choose = "— Choose —",
    .start = "Start",
    .start_in = "Start in English",
    .resume = "To continue later, even on another device, keep this link:",
    .range_both = "A number from %s to %s.",
    .range_min = "A number of at least %s.",
    .range_max = "A number of at most %s.",
    .max_chars = "At most %s characters.",
    .thanks = "Thank you! Your answers have been saved.",
    .screenout = "Thank you for your interest. The survey ends here for you.",
    .lang_name = "English",
    .msg = {"This page does not exist.",
            "This form has expired: please go back to the survey and answer the page again.",
            "Your browser did not send back the survey's cookie: please allow cookies for this "
            "site, then start again.",
            "Your answers could not be saved. Please try again in a moment.",
            "The form is too large.", "The form could not be read.",
            "This survey is by invitation: please use the link you were sent.",
            "This invitation link is not valid.", "This request is not allowed here.",
            "The form was not sent as a web form."},
};

static const ui ui_fr = {
    .next = "Suivant",
    .finish = "Terminer",
    .back = "Précédent",
    .page_of = "Page %zu sur %zu",
    .fix = "Certaines réponses sont à revoir\u00a0: voyez les messages ci-dessous.",
    .required = "obligatoire",
    .choose = "— Choisir —",
    .start = "Commencer",
    .start_in = "Commencer en français",
    .resume = "Pour reprendre plus tard, même sur un autre appareil, gardez ce lien\u00a0:",
    .range_both = "Un nombre de %s à %s.",
    .range_min = "Un nombre d'au moins %s.",
    .range_max = "Un nombre d'au plus %s.",
    .max_chars = "%s caractères au plus.",
    .thanks = "Merci\u202f! Vos réponses sont enregistrées.",
    .screenout = "Merci de votre intérêt. L'enquête s'arrête ici pour vous.",
    .lang_name = "Français",
    .msg = {"Cette page n'existe pas.",
            "Ce formulaire a expiré\u00a0: revenez à l'enquête et répondez de nouveau à la page.",
            "Votre navigateur n'a pas renvoyé le cookie de l'enquête\u00a0: autorisez les cookies "
            "pour ce site, puis recommencez.",
            "Vos réponses n'ont pas pu être enregistrées. Réessayez dans un instant.",
            "Le formulaire est trop volumineux.", "Le formulaire n'a pas pu être lu.",
            "Cette enquête est sur invitation\u00a0: utilisez le lien que vous avez reçu.",
            "Ce lien d'invitation n'est pas valide.", "Cette requête n'est pas permise ici.",
            "Le formulaire n'a pas été envoyé comme un formulaire web."},
};

static const ui *words(const char *lang)
{
    return sd__lang_is_fr(lang) ? &ui_fr : &ui_en;
}

static const char *L(const sd_labels *l, const char *lang) { return sd__labels_get(l, lang); }

/* ------------------------------------------------------------ frame */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1d2327;background:#f4f5f7}"
    "header{background:#233a5e;color:#fff;padding:.8em 1em}"
    "header .study{margin:0;font-weight:600}"
    ".bar{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;justify-content:space-between;"
    "margin-top:.4em}"
    ".langs{margin:0}.langs button{background:none;border:1px solid #9fb3d1;color:#fff;"
    "border-radius:3px;padding:.1em .6em;margin-left:.3em;font:inherit;font-size:.85em;"
    "cursor:pointer}"
    ".langs button[aria-pressed=true]{background:#fff;color:#233a5e}"
    ".progress{display:flex;align-items:center;gap:.6em;font-size:.9em}"
    "progress{width:10em;height:.7em}"
    "main{max-width:46em;margin:1.2em auto;padding:0 1em}"
    "h1{font-size:1.35em;margin:.2em 0 .6em}"
    ".intro{margin:0 0 1em}"
    "fieldset.q{background:#fff;border:1px solid #d5d9de;border-radius:6px;margin:0 0 1em;min-width:0;"
    "padding:1em 1.2em}"
    "fieldset.q.invalid{border-color:#b3261e;box-shadow:0 0 0 1px #b3261e}"
    "legend{font-weight:600;padding:0;float:left;width:100%;margin-bottom:.5em}"
    "legend+*{clear:left}"
    ".req{color:#b3261e;margin-left:.2em}"
    ".help{color:#555;font-size:.9em;margin:.1em 0 .6em;clear:left}"
    ".error{color:#b3261e;font-weight:600;margin:.2em 0 .6em;clear:left}"
    ".summary{background:#fdecea;border:1px solid #b3261e;border-radius:6px;padding:.6em 1em;"
    "margin:0 0 1em}"
    ".opts label{display:flex;align-items:baseline;gap:.5em;padding:.3em .2em;cursor:pointer;"
    "clear:left}"
    ".opts input{flex:none;margin:0}"
    "select,input[type=text],textarea{font:inherit;padding:.3em;border:1px solid #8a9199;"
    "border-radius:3px;max-width:100%}"
    "textarea{width:100%}"
    ".grid{overflow-x:auto;clear:left}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{padding:.4em;text-align:center;border-bottom:1px solid #e3e6ea;font-weight:normal}"
    "thead th{font-size:.85em;vertical-align:bottom}"
    "tbody th{text-align:left}"
    ".nav{display:flex;flex-direction:row-reverse;justify-content:space-between;margin:1.2em 0}"
    ".nav button{font:inherit;padding:.5em 1.4em;border-radius:4px;border:1px solid #233a5e;"
    "cursor:pointer}"
    ".nav .next{background:#233a5e;color:#fff}.nav .back{background:#fff;color:#233a5e}"
    ".start button{font:inherit;padding:.6em 1.4em;margin:0 .6em .6em 0;border-radius:4px;"
    "border:1px solid #233a5e;background:#233a5e;color:#fff;cursor:pointer}"
    ".resume{font-size:.85em;color:#555;word-break:break-all}"
    ".end{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:1.2em}"
    "pre{background:#fff;border:1px solid #d5d9de;padding:.8em;overflow-x:auto;font-size:.8em}"
    ".admin table{background:#fff;margin-bottom:1em}"
    ".admin td,.admin th{text-align:left}"
    ".admin .full{color:#b3261e;font-weight:600}"
    ".findings{background:#fff;border-left:4px solid #233a5e;padding:.2em 1em;margin:-.6em 0 1.4em;"
    "font-size:.92em}"
    "@media (max-width:520px){main{padding:0 .6em}fieldset.q{padding:.8em .6em}"
    "th,td{padding:.3em .15em}thead th{font-size:.72em;hyphens:auto}tbody th{font-size:.9em}}";

const char *sd__html_css(size_t *len)
{
    *len = sizeof css - 1;
    return css;
}

void sd__html_head(sd_strbuf *sb, const sd__questionnaire *q, const char *lang,
                   const char *state, const char *title, int refresh)
{
    sd__sb_puts(sb, "<!DOCTYPE html>\n<html lang=\"");
    sd__html_esc(sb, lang);
    sd__sb_puts(sb, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                    "content=\"width=device-width, initial-scale=1\">");
    if (refresh > 0)
        sd__sb_printf(sb, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh);
    sd__sb_puts(sb, "<title>");
    if (title) {
        sd__html_esc(sb, title);
        sd__sb_puts(sb, " — ");
    }
    sd__html_esc(sb, L(&q->title, lang));
    sd__sb_puts(sb, "</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\n<body "
                    "data-sondage=\"");
    sd__html_esc(sb, state);
    sd__sb_puts(sb, "\">\n");
}

void sd__html_tail(sd_strbuf *sb) { sd__sb_puts(sb, "</main>\n</body>\n</html>\n"); }

static void header(sd_strbuf *sb, const sd__questionnaire *q, const char *lang)
{
    sd__sb_puts(sb, "<header><p class=\"study\">");
    sd__html_esc(sb, L(&q->title, lang));
    sd__sb_puts(sb, "</p>");
}

/* The language switch of a running interview: a small form of its own. */
static void lang_form(sd_strbuf *sb, const sd__questionnaire *q, const char *lang,
                      const char *csrf)
{
    if (q->nlangs < 2)
        return;
    sd__sb_puts(sb, "<form method=\"post\" action=\"/lang\" class=\"langs\"><input "
                    "type=\"hidden\" name=\"csrf\" value=\"");
    sd__html_esc(sb, csrf);
    sd__sb_puts(sb, "\">");
    for (size_t i = 0; i < q->nlangs; i++) {
        const char *lg = q->langs[i];
        sd__sb_puts(sb, "<button name=\"lang\" value=\"");
        sd__html_esc(sb, lg);
        sd__sb_puts(sb, "\" lang=\"");
        sd__html_esc(sb, lg);
        sd__sb_printf(sb, "\" aria-pressed=\"%s\">", strcmp(lg, lang) == 0 ? "true" : "false");
        sd__html_esc(sb, words(lg)->lang_name);
        sd__sb_puts(sb, "</button>");
    }
    sd__sb_puts(sb, "</form>");
}

/* ------------------------------------------------------------ questions */

static bool answered(const sd__answers *a, size_t var, double code)
{
    return var < a->n && a->set[var] && a->num[var] == code;
}

static void attr_id(sd_strbuf *sb, const char *prefix, const char *name)
{
    sd__sb_puts(sb, prefix);
    sd__html_esc(sb, name);
}

static void choice(sd_strbuf *sb, const char *type, const char *name, const char *value,
                   bool checked, const char *label)
{
    sd__sb_puts(sb, "<label><input type=\"");
    sd__sb_puts(sb, type);
    sd__sb_puts(sb, "\" name=\"");
    sd__html_esc(sb, name);
    sd__sb_puts(sb, "\" value=\"");
    sd__html_esc(sb, value);
    sd__sb_puts(sb, checked ? "\" checked>" : "\">");
    sd__html_esc(sb, label);
    sd__sb_puts(sb, "</label>");
}

static void render_question(sd_strbuf *sb, const sd__page_view *v, size_t qi)
{
    const sd__questionnaire *q = v->q;
    const sd__question *qs = &q->qs[qi];
    const ui *W = words(v->lang);
    const sd__answers *a = v->a;
    const char *err = v->errs && qi < v->errs->n ? v->errs->msg[qi] : NULL;
    size_t order[SD_Q_MAX_ITEMS];
    sd__sb_puts(sb, "<fieldset class=\"q");
    if (err)
        sd__sb_puts(sb, " invalid");
    sd__sb_puts(sb, "\"");
    attr_id(sb, " id=\"q-", qs->name);
    sd__sb_puts(sb, "\"");
    if (err) {
        attr_id(sb, " aria-describedby=\"e-", qs->name);
        sd__sb_puts(sb, "\" aria-invalid=\"true\"");
    }
    sd__sb_puts(sb, "><legend>");
    sd__html_esc(sb, sd__question_text(qs, a, v->lang));
    if (qs->required) {
        sd__sb_puts(sb, "<span class=\"req\" title=\"");
        sd__html_esc(sb, W->required);
        sd__sb_puts(sb, "\">*</span>");
    }
    sd__sb_puts(sb, "</legend>");
    if (qs->help.n) {
        sd__sb_puts(sb, "<p class=\"help\">");
        sd__html_esc(sb, L(&qs->help, v->lang));
        sd__sb_puts(sb, "</p>");
    }
    if (err) {
        attr_id(sb, "<p class=\"error\" id=\"e-", qs->name);
        sd__sb_puts(sb, "\" role=\"alert\">");
        sd__html_esc(sb, err);
        sd__sb_puts(sb, "</p>");
    }
    char code[SD_NUMBUF];
    switch (qs->kind) {
    case SD_Q_SINGLE:
    case SD_Q_YESNO:
        sd__option_order(qs, v->seed, order, qs->nopts);
        if (qs->dropdown) {
            sd__sb_puts(sb, "<div class=\"opts\"><select name=\"");
            sd__html_esc(sb, qs->name);
            sd__sb_puts(sb, "\" aria-label=\"");
            sd__html_esc(sb, sd__question_text(qs, a, v->lang));
            sd__sb_puts(sb, "\"><option value=\"\">");
            sd__html_esc(sb, W->choose);
            sd__sb_puts(sb, "</option>");
            for (size_t k = 0; k < qs->nopts; k++) {
                const sd__qopt *o = &qs->opts[order[k]];
                if (!sd__option_visible(o, a))
                    continue;
                sd__fmt_double(code, o->code);
                sd__sb_puts(sb, "<option value=\"");
                sd__sb_puts(sb, code);
                sd__sb_puts(sb, answered(a, qs->var, o->code) ? "\" selected>" : "\">");
                sd__html_esc(sb, L(&o->label, v->lang));
                sd__sb_puts(sb, "</option>");
            }
            sd__sb_puts(sb, "</select></div>");
            break;
        }
        sd__sb_puts(sb, "<div class=\"opts\">");
        for (size_t k = 0; k < qs->nopts; k++) {
            const sd__qopt *o = &qs->opts[order[k]];
            if (!sd__option_visible(o, a))
                continue;
            sd__fmt_double(code, o->code);
            choice(sb, "radio", qs->name, code, answered(a, qs->var, o->code),
                   L(&o->label, v->lang));
        }
        sd__sb_puts(sb, "</div>");
        break;
    case SD_Q_MULTIPLE:
        sd__option_order(qs, v->seed, order, qs->nopts);
        sd__sb_puts(sb, "<div class=\"opts\">");
        for (size_t k = 0; k < qs->nopts; k++) {
            const sd__qopt *o = &qs->opts[order[k]];
            if (!sd__option_visible(o, a))
                continue;
            choice(sb, "checkbox", o->name, "1", answered(a, o->var, 1), L(&o->label, v->lang));
        }
        sd__sb_puts(sb, "</div>");
        break;
    case SD_Q_GRID:
        sd__option_order(qs, v->seed, order, qs->nitems);
        sd__sb_puts(sb, "<div class=\"grid\"><table><thead><tr><td></td>");
        for (size_t k = 0; k < qs->nopts; k++) {
            sd__sb_puts(sb, "<th scope=\"col\">");
            sd__html_esc(sb, L(&qs->opts[k].label, v->lang));
            sd__sb_puts(sb, "</th>");
        }
        sd__sb_puts(sb, "</tr></thead><tbody>");
        for (size_t r = 0; r < qs->nitems; r++) {
            const sd__qopt *it = &qs->items[order[r]];
            const char *il = L(&it->label, v->lang);
            sd__sb_puts(sb, "<tr><th scope=\"row\">");
            sd__html_esc(sb, il);
            sd__sb_puts(sb, "</th>");
            for (size_t k = 0; k < qs->nopts; k++) {
                const sd__qopt *o = &qs->opts[k];
                sd__fmt_double(code, o->code);
                sd__sb_puts(sb, "<td><input type=\"radio\" name=\"");
                sd__html_esc(sb, it->name);
                sd__sb_puts(sb, "\" value=\"");
                sd__sb_puts(sb, code);
                sd__sb_puts(sb, "\" aria-label=\"");
                sd__html_esc(sb, il);
                sd__sb_puts(sb, " — ");
                sd__html_esc(sb, L(&o->label, v->lang));
                sd__sb_puts(sb, answered(a, it->var, o->code) ? "\" checked></td>" : "\"></td>");
            }
            sd__sb_puts(sb, "</tr>");
        }
        sd__sb_puts(sb, "</tbody></table></div>");
        break;
    case SD_Q_NUMERIC: {
        char lo[64], hi[64], val[64] = "";
        if (qs->has_min || qs->has_max) {
            sd__human_num(lo, sizeof lo, qs->min, v->lang);
            sd__human_num(hi, sizeof hi, qs->max, v->lang);
            sd__sb_puts(sb, "<p class=\"help\">");
            if (qs->has_min && qs->has_max)
                sd__sb_printf(sb, W->range_both, lo, hi);
            else if (qs->has_min)
                sd__sb_printf(sb, W->range_min, lo);
            else
                sd__sb_printf(sb, W->range_max, hi);
            sd__sb_puts(sb, "</p>");
        }
        if (qs->var < a->n && a->set[qs->var]) {
            sd__fmt_double(val, a->num[qs->var]);
            if (strcmp(v->lang, "fr") == 0)
                for (char *p = val; *p; p++)
                    if (*p == '.')
                        *p = ',';
        }
        sd__sb_puts(sb, "<div class=\"opts\"><input type=\"text\" inputmode=\"decimal\" "
                        "size=\"12\" autocomplete=\"off\" name=\"");
        sd__html_esc(sb, qs->name);
        sd__sb_puts(sb, "\" aria-label=\"");
        sd__html_esc(sb, sd__question_text(qs, a, v->lang));
        sd__sb_puts(sb, "\" value=\"");
        sd__html_esc(sb, val);
        sd__sb_puts(sb, "\"></div>");
        break;
    }
    case SD_Q_TEXT: {
        char n[64];
        sd__human_num(n, sizeof n, (double)qs->max_length, v->lang);
        sd__sb_puts(sb, "<p class=\"help\">");
        sd__sb_printf(sb, W->max_chars, n);
        sd__sb_puts(sb, "</p><div class=\"opts\"><textarea rows=\"4\" name=\"");
        sd__html_esc(sb, qs->name);
        sd__sb_printf(sb, "\" maxlength=\"%zu\" aria-label=\"", qs->max_length);
        sd__html_esc(sb, sd__question_text(qs, a, v->lang));
        sd__sb_puts(sb, "\">");
        if (qs->var < a->n && a->set[qs->var])
            sd__html_esc(sb, a->str[qs->var]);
        sd__sb_puts(sb, "</textarea></div>");
        break;
    }
    }
    sd__sb_puts(sb, "</fieldset>\n");
}

void sd__html_page(sd_strbuf *sb, const sd__page_view *v)
{
    const sd__questionnaire *q = v->q;
    const sd__qpage *pg = &q->pages[v->page];
    const ui *W = words(v->lang);
    sd__html_head(sb, q, v->lang, "page", pg->title.n ? L(&pg->title, v->lang) : NULL, 0);
    header(sb, q, v->lang);
    size_t pos, total;
    sd__progress(q, v->page, v->a, &pos, &total);
    sd__sb_puts(sb, "<div class=\"bar\"><div class=\"progress\">");
    sd__sb_printf(sb, "<progress max=\"%zu\" value=\"%zu\">%zu %%</progress><span>", total, pos,
                  total ? pos * 100 / total : 0);
    sd__sb_printf(sb, W->page_of, pos + 1, total);
    sd__sb_puts(sb, "</span></div>");
    lang_form(sb, q, v->lang, v->csrf);
    sd__sb_puts(sb, "</div></header>\n<main>\n<form method=\"post\" action=\"/q\" novalidate>");
    sd__sb_puts(sb, "<input type=\"hidden\" name=\"csrf\" value=\"");
    sd__html_esc(sb, v->csrf);
    sd__sb_puts(sb, "\"><input type=\"hidden\" name=\"page\" value=\"");
    sd__html_esc(sb, pg->name);
    sd__sb_puts(sb, "\">\n");
    if (pg->title.n) {
        sd__sb_puts(sb, "<h1>");
        sd__html_esc(sb, L(&pg->title, v->lang));
        sd__sb_puts(sb, "</h1>\n");
    }
    if (pg->intro.n) {
        sd__sb_puts(sb, "<p class=\"intro\">");
        sd__html_esc(sb, L(&pg->intro, v->lang));
        sd__sb_puts(sb, "</p>\n");
    }
    if (v->errs && v->errs->count) {
        sd__sb_puts(sb, "<p class=\"summary\" role=\"alert\">");
        sd__html_esc(sb, W->fix);
        sd__sb_puts(sb, "</p>\n");
    }
    for (size_t i = pg->first; i < pg->first + pg->n; i++)
        if (sd__cond_eval(q->qs[i].show_if, v->a))
            render_question(sb, v, i);
    bool last = sd__next_page(q, v->page + 1, v->a) >= q->npages;
    bool first = sd__prev_page(q, v->page, v->a) == v->page;
    sd__sb_puts(sb, "<div class=\"nav\"><button name=\"nav\" value=\"next\" class=\"next\">");
    sd__html_esc(sb, last ? W->finish : W->next);
    sd__sb_puts(sb, "</button>");
    if (!first) {
        sd__sb_puts(sb, "<button name=\"nav\" value=\"back\" class=\"back\">");
        sd__html_esc(sb, W->back);
        sd__sb_puts(sb, "</button>");
    }
    sd__sb_puts(sb, "</div></form>\n");
    if (v->sid) {
        sd__sb_puts(sb, "<p class=\"resume\">");
        sd__html_esc(sb, W->resume);
        sd__sb_puts(sb, " <a href=\"/r/");
        sd__html_esc(sb, v->sid);
        sd__sb_puts(sb, "\">/r/");
        sd__html_esc(sb, v->sid);
        sd__sb_puts(sb, "</a></p>\n");
    }
    sd__html_tail(sb);
}

void sd__html_start(sd_strbuf *sb, const sd__questionnaire *q, const char *lang,
                    const char *nonce, const char *token)
{
    sd__html_head(sb, q, lang, "start", NULL, 0);
    header(sb, q, lang);
    sd__sb_puts(sb, "</header>\n<main>\n<h1>");
    sd__html_esc(sb, L(&q->title, lang));
    sd__sb_puts(sb, "</h1>\n");
    /* The intro in every language offered, each tagged. */
    for (size_t i = 0; i < q->nlangs && q->intro.n; i++) {
        const char *lg = q->nlangs > 1 ? q->langs[i] : lang;
        sd__sb_puts(sb, "<p class=\"intro\" lang=\"");
        sd__html_esc(sb, lg);
        sd__sb_puts(sb, "\">");
        sd__html_esc(sb, L(&q->intro, lg));
        sd__sb_puts(sb, "</p>\n");
    }
    sd__sb_puts(sb, "<form method=\"post\" action=\"/start\" class=\"start\"><input "
                    "type=\"hidden\" name=\"nonce\" value=\"");
    sd__html_esc(sb, nonce);
    sd__sb_puts(sb, "\">");
    if (token) {
        sd__sb_puts(sb, "<input type=\"hidden\" name=\"token\" value=\"");
        sd__html_esc(sb, token);
        sd__sb_puts(sb, "\">");
    }
    for (size_t i = 0; i < q->nlangs; i++) {
        const char *lg = q->langs[i];
        sd__sb_puts(sb, "<button name=\"lang\" value=\"");
        sd__html_esc(sb, lg);
        sd__sb_puts(sb, "\" lang=\"");
        sd__html_esc(sb, lg);
        sd__sb_puts(sb, "\">");
        sd__html_esc(sb, q->nlangs > 1 ? words(lg)->start_in : words(lg)->start);
        sd__sb_puts(sb, "</button>");
    }
    sd__sb_puts(sb, "</form>\n");
    sd__html_tail(sb);
}

void sd__html_end(sd_strbuf *sb, const sd__questionnaire *q, const char *lang, bool complete)
{
    const ui *W = words(lang);
    sd__html_head(sb, q, lang, complete ? "complete" : "screened-out", NULL, 0);
    header(sb, q, lang);
    sd__sb_puts(sb, "</header>\n<main>\n<div class=\"end\"><p>");
    const sd_labels *l = complete ? &q->thanks : &q->screenout;
    sd__html_esc(sb, l->n ? L(l, lang) : complete ? W->thanks : W->screenout);
    sd__sb_puts(sb, "</p></div>\n");
    sd__html_tail(sb);
}

void sd__html_message(sd_strbuf *sb, const sd__questionnaire *q, const char *lang, sd__msg m)
{
    const ui *W = words(lang);
    sd__html_head(sb, q, lang, "error", NULL, 0);
    header(sb, q, lang);
    sd__sb_puts(sb, "</header>\n<main>\n<div class=\"end\"><p>");
    sd__html_esc(sb, W->msg[m]);
    sd__sb_puts(sb, "</p><p><a href=\"/\">");
    sd__html_esc(sb, L(&q->title, lang));
    sd__sb_puts(sb, "</a></p></div>\n");
    sd__html_tail(sb);
}
