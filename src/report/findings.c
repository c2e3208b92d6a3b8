/*
 * findings.c — which figures of a result are written up, and how each
 * sentence is put together (docs/findings.md): the reliability gate (the
 * --min-base flag and the NCHS presentation standards for proportions,
 * 2017), the design-based test of each compared pair (sd_table_pair, or
 * the column letters when the result records no pairs), and the
 * sentences of each kind, worded by the language's table (prose.c).
 * Reads the result only through the public API.
 */
#include "prose.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ reliability gate */

unsigned sd__fig_reliability(const sd_table *t, size_t row, size_t col)
{
    unsigned f = 0;
    if (sd_table_cat_flags(t, SD_COLS, col) & SD_CATF_LOW_BASE)
        f |= SD_REL_LOW_BASE;
    sd_figure ef = sd__est_fig(t, row);
    double est = sd_table_cell(t, row, col, ef), se = sd_table_cell(t, row, col, SD_FIG_SE);
    double n = sd_table_base(t, col, SD_BASE_N), df = sd_table_cell(t, row, col, SD_FIG_DF);
    if (!isfinite(est) || !isfinite(se) || !isfinite(n))
        return f | SD_REL_NO_SE;
    if (isfinite(df) && df < 8)
        f |= SD_REL_REVIEW_DF;
    if (ef == SD_FIG_MEAN)
        return f;
    /* NCHS (Parker et al. 2017): effective sample size p(1-p)/SE^2, at
     * most the sample size; then the interval's absolute and relative
     * width. An estimate of 0 or 100 % has the sample size as its
     * effective size and no width, and goes to review. */
    double neff, width;
    if (est <= 0 || est >= 1) {
        neff = n;
        width = 0;
        f |= SD_REL_REVIEW_ZERO;
    } else {
        double lo = sd_table_cell(t, row, col, SD_FIG_CI_LOW),
               hi = sd_table_cell(t, row, col, SD_FIG_CI_HIGH);
        if (!isfinite(lo) || !isfinite(hi))
            return f | SD_REL_NO_SE;
        neff = se > 0 ? est * (1 - est) / (se * se) : n;
        if (neff > n)
            neff = n;
        width = hi - lo;
    }
    if (!(neff >= 30))
        return f | SD_REL_NEFF;
    if (width <= 0.05)
        return f;
    if (width >= 0.30)
        return f | SD_REL_WIDTH;
    if (width / est > 1.30)
        return f | SD_REL_RELWIDTH;
    if (width / (1 - est) > 1.30)
        f |= SD_REL_REVIEW_COMPLEMENT;
    return f;
}

static bool reliable(const sd_table *t, size_t row, size_t col)
{
    return (sd__fig_reliability(t, row, col) & SD_REL_WITHHELD) == 0;
}

/* ------------------------------------------------------ tests of a pair */

typedef struct ptest {
    bool have;  /* the pair was tested */
    bool sig;   /* at alpha2 */
    bool upper; /* at alpha (letters only) */
    double p;   /* NaN when only the letters are known */
    double alpha, alpha2;
} ptest;

static int method_rank(const char *m)
{
    if (m && strcmp(m, "pooled") == 0)
        return 0;
    if (m && strcmp(m, "ttest") == 0)
        return 1;
    return 2;
}

/* Does cell (row, col) carry the letter of column `of`? 1 lower, 2 upper. */
static int has_letter(const sd_table *t, size_t row, size_t col, size_t of)
{
    const char *l = sd_table_col_letter(t, of), *cl = sd_table_cell_letters(t, row, col);
    if (!l || !*l || !cl)
        return 0;
    for (const char *p = cl; *p; p++)
        if (toupper((unsigned char)*p) == (unsigned char)l[0])
            return isupper((unsigned char)*p) ? 2 : 1;
    return 0;
}

static ptest pair_test(const sd_result *r, const sd_table *t, size_t row, size_t a, size_t b)
{
    ptest pt = {false, false, false, NAN, 0.01, 0.05};
    double alpha = NAN, alpha2 = NAN;
    const char *method = sd_result_letters_method(r, &alpha, &alpha2);
    if (isfinite(alpha) && alpha > 0)
        pt.alpha = alpha;
    if (isfinite(alpha2) && alpha2 > 0)
        pt.alpha2 = alpha2;
    size_t np = sd_table_npairs(t);
    if (np) {
        int best = 3;
        for (size_t i = 0; i < np; i++) {
            sd_pair_info pi;
            if (!sd_table_pair(t, i, &pi) || pi.row != row ||
                !((pi.col_a == a && pi.col_b == b) || (pi.col_a == b && pi.col_b == a)) ||
                !isfinite(pi.p))
                continue;
            int rk = method_rank(pi.method);
            if (rk < best) {
                best = rk;
                pt.p = isfinite(pi.p_adjusted) ? pi.p_adjusted : pi.p;
            }
        }
        if (best < 3) {
            pt.have = true;
            pt.sig = pt.p < pt.alpha2;
            pt.upper = pt.p < pt.alpha;
        }
        return pt;
    }
    /* No pairs recorded: the column letters say whether the difference
     * holds at alpha2 (upper case: at alpha). */
    if (!method || strcmp(method, "none") == 0 || !*sd_table_col_letter(t, a) ||
        !*sd_table_col_letter(t, b))
        return pt;
    int k = has_letter(t, row, a, b);
    if (!k)
        k = has_letter(t, row, b, a);
    pt.have = true;
    pt.sig = k > 0;
    pt.upper = k == 2;
    return pt;
}

/* ------------------------------------------------------ sentences */

typedef struct fctx {
    const sd_result *r;
    const sd_table *t;
    size_t ti;
    const char *lang;
    const sd_prose_lang *L;
    int dec_pct, dec_mean;
    sd_findings *out;
    sd_error *err;
} fctx;

static sd_status nomem(sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

static sd_status fctx_init(fctx *c, const sd_result *r, size_t ti, const char *lang,
                           sd_findings *out, sd_error *err)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->t = sd_result_table(r, ti);
    if (!c->t)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no table %zu in the result",
                        ti + 1);
    c->ti = ti;
    c->lang = lang ? lang : "en";
    c->L = sd__prose_lang(c->lang);
    int d = sd_result_decimals(r);
    c->dec_pct = d;
    c->dec_mean = d >= 0 ? d : 1;
    c->out = out;
    c->err = err;
    return SD_OK;
}

/* Fill a sentence template twice: the whole finding (with the question),
 * and its short form without the question's lead-in ([q:...]), which
 * starts with a capital, for lists under the table's own heading. */
static void fill2(sd_strbuf *text, sd_strbuf *body, const char *tpl, const sd_slot *s, size_t n,
                  int gender, bool sing)
{
    sd__prose_fill(text, tpl, s, n, gender, sing);
    sd_slot v[16];
    size_t k = n < 16 ? n : 16;
    memcpy(v, s, k * sizeof *v);
    for (size_t i = 0; i < k; i++)
        if (strcmp(v[i].key, "Q") == 0)
            v[i].value = NULL;
    sd_strbuf raw;
    sd__sb_init(&raw, 1 << 20);
    sd__prose_fill(&raw, tpl, v, k, gender, sing);
    const char *r = sd__sb_str(&raw);
    if (*r >= 'a' && *r <= 'z')
        sd__sb_putc(body, (char)(*r - 'a' + 'A'));
    else if (*r)
        sd__sb_putc(body, *r);
    if (*r)
        sd__sb_puts(body, r + 1);
    sd__sb_free(&raw);
}

static sd_status add(fctx *c, sd_fkind_rep kind, size_t row, size_t a, size_t b, double p,
                     bool change, sd_strbuf *text, sd_strbuf *body)
{
    if (sd__sb_status(text) != SD_OK || sd__sb_status(body) != SD_OK) {
        sd__sb_free(text);
        sd__sb_free(body);
        return nomem(c->err);
    }
    sd_findings *o = c->out;
    if (!sd__grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v)) {
        sd__sb_free(text);
        sd__sb_free(body);
        return nomem(c->err);
    }
    sd_finding *f = &o->v[o->n];
    memset(f, 0, sizeof *f);
    f->table = c->ti;
    f->row = row;
    f->col_a = a;
    f->col_b = b;
    f->kind = kind;
    f->p = p;
    f->change = change;
    size_t ll = strlen(c->lang);
    if (ll > sizeof f->lang - 1)
        ll = sizeof f->lang - 1;
    memcpy(f->lang, c->lang, ll);
    f->lang[ll] = '\0';
    o->n++; /* owned by the list from here, even on failure below */
    if ((!(f->text = sd__sb_take(text)) && !(f->text = sd__strdup(""))) ||
        (!(f->body = sd__sb_take(body)) && !(f->body = sd__strdup("")))) {
        sd__sb_free(body);
        return nomem(c->err);
    }
    return SD_OK;
}

/* A variable tabulated alone that is an item of a multiple-response set:
 * its findings are about the item of the set's question, on the row of
 * the value that means "selected". */
static bool item_table(const fctx *c, const char **set_label, double *counted)
{
    return sd_table_row_set(c->t, c->lang, set_label, counted) != NULL;
}

/* The question: the row variable's (or set's) label, the wording asked. */
static const char *question(const fctx *c)
{
    const char *sl = NULL;
    if (item_table(c, &sl, NULL) && sl)
        return sl;
    const char *q = sd_table_row_label(c->t, c->lang);
    if (!q)
        q = sd_table_title(c->t, c->lang);
    return q ? q : sd_table_row_var(c->t);
}

static const char *answer_label(const fctx *c, size_t row)
{
    if (item_table(c, NULL, NULL)) {
        const char *il = sd_table_row_label(c->t, c->lang);
        return il ? il : sd_table_row_var(c->t);
    }
    const char *a = sd_table_cat_label(c->t, SD_ROWS, row, c->lang);
    return a ? a : "";
}

/* What answering row `row` is: a category, a net, an item. */
static const char *ans_tpl(const fctx *c, size_t row)
{
    if (item_table(c, NULL, NULL))
        return c->L->ans_item;
    switch (sd_table_cat_type(c->t, SD_ROWS, row)) {
    case SD_CAT_TYPE_NET: return c->L->ans_net;
    case SD_CAT_TYPE_ITEM: return c->L->ans_item;
    case SD_CAT_TYPE_CATEGORY:
        return sd_table_kind_of(c->t) == SD_TABLE_CATEGORY_SET ? c->L->ans_item : c->L->ans_cat;
    case SD_CAT_TYPE_TOTAL:
    case SD_CAT_TYPE_SUMMARY: break;
    }
    return c->L->ans_cat;
}

static void answer(sd_strbuf *sb, const fctx *c, size_t row, int gender, bool sing)
{
    sd__prose_fill(sb, ans_tpl(c, row), (const sd_slot[]){{"A", answer_label(c, row)}}, 1,
                   gender, sing);
}

static const char *participle(const sd_prose_lang *L, const sd_pgroup *a, const sd_pgroup *b)
{
    bool all = a->all_answered && (!b || b->all_answered);
    int g = a->gender == SD_GENDER_F && (!b || b->gender == SD_GENDER_F) ? SD_GENDER_F
                                                                         : SD_GENDER_M;
    return all ? L->asked[g] : L->answered[g];
}

/* A level such as an alpha in the language ("0,05"). */
static void level_text(const sd_prose_lang *L, double x, char *buf)
{
    char raw[SD_NUMBUF];
    sd__fmt_double(raw, x);
    size_t i = 0;
    for (; raw[i] && i < 63; i++)
        buf[i] = raw[i] == '.' ? L->decimal : raw[i];
    buf[i] = '\0';
}

static void p_text(const sd_prose_lang *L, const ptest *pt, char *buf)
{
    char x[64];
    const char *tpl;
    if (isfinite(pt->p) && pt->p < 0.001) {
        sd__prose_num(L, 0.001, 3, x);
        tpl = L->p_lt;
    } else if (isfinite(pt->p)) {
        sd__prose_num(L, pt->p, 3, x);
        tpl = L->p_eq;
    } else if (pt->sig) {
        level_text(L, pt->upper ? pt->alpha : pt->alpha2, x);
        tpl = L->p_lt;
    } else {
        level_text(L, pt->alpha2, x);
        tpl = L->p_ge;
    }
    sd_strbuf sb;
    sd__sb_init(&sb, 63);
    sd__prose_fill(&sb, tpl, (const sd_slot[]){{"x", x}}, 1, SD_GENDER_M, false);
    size_t n = sd__sb_status(&sb) == SD_OK ? sb.len : 0;
    memcpy(buf, sd__sb_str(&sb), n);
    buf[n] = '\0';
    sd__sb_free(&sb);
}

static bool is_mean_row(const sd_table *t, size_t row)
{
    return sd_table_cat_type(t, SD_ROWS, row) == SD_CAT_TYPE_SUMMARY;
}

/* The rows findings are about: every category, net and item, and a
 * summary table's (or --means row's) mean; not the sd or median rows. */
bool sd__finding_row(const sd_table *t, size_t row)
{
    double counted = NAN;
    if (sd_table_row_set(t, NULL, NULL, &counted))
        return sd_table_cat_type(t, SD_ROWS, row) == SD_CAT_TYPE_CATEGORY &&
               sd_table_cat_code(t, SD_ROWS, row) == counted;
    if (!is_mean_row(t, row))
        return true;
    const char *k = sd_table_cat_key(t, SD_ROWS, row);
    return k && strcmp(k, "mean") == 0;
}

static sd_natfreq nf_of(const sd_table *t, size_t row, size_t col)
{
    return sd__natfreq(sd_table_cell(t, row, col, SD_FIG_PCT),
                       sd_table_cell(t, row, col, SD_FIG_CI_LOW),
                       sd_table_cell(t, row, col, SD_FIG_CI_HIGH));
}

static sd_status level(fctx *c, size_t row, size_t col)
{
    const sd_table *t = c->t;
    if (!sd__finding_row(t, row) || !reliable(t, row, col))
        return SD_OK;
    const sd_prose_lang *L = c->L;
    sd_pgroup g;
    sd__prose_group(L, t, col, c->lang, &g);
    char na[64], m[64];
    sd__prose_num(L, g.n, 0, na);
    sd_strbuf text, fa, ans;
    sd__sb_init(&text, 1 << 20);
    sd__sb_init(&fa, 1 << 20);
    sd__sb_init(&ans, 1 << 20);
    bool sing = false;
    if (is_mean_row(t, row)) {
        sd__prose_num(L, sd_table_cell(t, row, col, SD_FIG_MEAN), c->dec_mean, m);
    } else {
        sd__prose_freq(&fa, L, nf_of(t, row, col), sd_table_cell(t, row, col, SD_FIG_PCT),
                       c->dec_pct, &g, false, &sing);
        answer(&ans, c, row, g.gender, sing);
    }
    const sd_slot s[] = {{"Q", question(c)},         {"A", answer_label(c, row)},
                         {"Na", na},                 {"Ga", g.other},
                         {"asked", participle(L, &g, NULL)},
                         {"Fa", sd__sb_str(&fa)},    {"ans", sd__sb_str(&ans)},
                         {"Ma", m}};
    sd_strbuf body;
    sd__sb_init(&body, 1 << 20);
    fill2(&text, &body, is_mean_row(t, row) ? L->mean_level : L->level, s, 8, g.gender, sing);
    sd__sb_free(&fa);
    sd__sb_free(&ans);
    return add(c, SD_FIND_LEVEL, row, col, col, NAN, false, &text, &body);
}

/* 1 when written, 0 when not (a figure withheld, the pair not tested). */
static sd_status pair(fctx *c, size_t row, size_t a, size_t b, bool *written)
{
    const sd_table *t = c->t;
    *written = false;
    if (!sd__finding_row(t, row) || !reliable(t, row, a) || !reliable(t, row, b))
        return SD_OK;
    ptest pt = pair_test(c->r, t, row, a, b);
    if (!pt.have)
        return SD_OK;
    bool mean = is_mean_row(t, row);
    sd_figure ef = mean ? SD_FIG_MEAN : SD_FIG_PCT;
    if (pt.sig && sd_table_cell(t, row, b, ef) > sd_table_cell(t, row, a, ef)) {
        size_t x = a;
        a = b;
        b = x;
    }
    const sd_prose_lang *L = c->L;
    sd_pgroup ga, gb;
    sd__prose_group(L, t, a, c->lang, &ga);
    sd__prose_group(L, t, b, c->lang, &gb);
    char na[64], nb[64], pa[64], pb[64], ma[64], mb[64], p[64];
    sd__prose_num(L, ga.n, 0, na);
    sd__prose_num(L, gb.n, 0, nb);
    sd__prose_pct(L, sd_table_cell(t, row, a, SD_FIG_PCT), c->dec_pct, pa);
    sd__prose_pct(L, sd_table_cell(t, row, b, SD_FIG_PCT), c->dec_pct, pb);
    sd__prose_num(L, sd_table_cell(t, row, a, SD_FIG_MEAN), c->dec_mean, ma);
    sd__prose_num(L, sd_table_cell(t, row, b, SD_FIG_MEAN), c->dec_mean, mb);
    p_text(L, &pt, p);
    sd_strbuf text, fa, fb, ans;
    sd__sb_init(&text, 1 << 20);
    sd__sb_init(&fa, 1 << 20);
    sd__sb_init(&fb, 1 << 20);
    sd__sb_init(&ans, 1 << 20);
    bool sa = false, sb = false;
    if (!mean) {
        sd__prose_freq(&fa, L, nf_of(t, row, a), sd_table_cell(t, row, a, SD_FIG_PCT),
                       c->dec_pct, &ga, true, &sa);
        sd__prose_freq(&fb, L, nf_of(t, row, b), sd_table_cell(t, row, b, SD_FIG_PCT),
                       c->dec_pct, &gb, true, &sb);
        /* After a gap's frequency the verb agrees with it; after the two
         * percentages of a non-gap it is plural. */
        answer(&ans, c, row, ga.gender, pt.sig && sa);
    }
    const sd_slot s[] = {{"Q", question(c)},
                         {"A", answer_label(c, row)},
                         {"Na", na},
                         {"Nb", nb},
                         {"Ga", ga.other},
                         {"Gb", gb.other},
                         {"asked", participle(L, &ga, &gb)},
                         {"FNa", sd__sb_str(&fa)},
                         {"FNb", sd__sb_str(&fb)},
                         {"Pa", pa},
                         {"Pb", pb},
                         {"Ma", ma},
                         {"Mb", mb},
                         {"ans", sd__sb_str(&ans)},
                         {"p", p}};
    const char *tpl = mean ? (pt.sig ? L->mean_gap : L->mean_no_gap) : (pt.sig ? L->gap : L->no_gap);
    sd_strbuf body;
    sd__sb_init(&body, 1 << 20);
    fill2(&text, &body, tpl, s, sizeof s / sizeof *s, ga.gender, sa);
    sd__sb_free(&fa);
    sd__sb_free(&fb);
    sd__sb_free(&ans);
    *written = true;
    return add(c, pt.sig ? SD_FIND_GAP : SD_FIND_NO_GAP, row, a, b, pt.p, false, &text, &body);
}

typedef struct rank_ent {
    size_t row;
    double est;
} rank_ent;

static int cmp_rank(const void *x, const void *y)
{
    const rank_ent *a = x, *b = y;
    if (a->est != b->est)
        return a->est > b->est ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static sd_status ranking(fctx *c, size_t col)
{
    const sd_table *t = c->t;
    sd_table_kind k = sd_table_kind_of(t);
    if (k != SD_TABLE_DICHOTOMY_SET && k != SD_TABLE_CATEGORY_SET)
        return SD_OK;
    size_t nr = sd_table_size(t, SD_ROWS), n = 0;
    rank_ent *v = sd__zalloc(nr ? nr : 1, sizeof *v);
    if (!v)
        return nomem(c->err);
    for (size_t r = 0; r < nr; r++)
        if (!is_mean_row(t, r) && sd_table_cat_type(t, SD_ROWS, r) != SD_CAT_TYPE_NET &&
            reliable(t, r, col))
            v[n++] = (rank_ent){r, sd_table_cell(t, r, col, SD_FIG_PCT)};
    if (n < 2) {
        sd__free(v);
        return SD_OK;
    }
    qsort(v, n, sizeof *v, cmp_rank);
    const sd_prose_lang *L = c->L;
    sd_pgroup g;
    sd__prose_group(L, t, col, c->lang, &g);
    sd_strbuf list, text;
    sd__sb_init(&list, 1 << 20);
    sd__sb_init(&text, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sd__sb_puts(&list, i + 1 < n ? L->list_sep : n == 2 ? L->list_two : L->list_last);
        char pa[64];
        sd__prose_pct(L, v[i].est, c->dec_pct, pa);
        const sd_slot s[] = {{"A", answer_label(c, v[i].row)}, {"Pa", pa}};
        sd__prose_fill(&list, L->rank_item, s, 2, g.gender, false);
    }
    char na[64];
    sd__prose_num(L, g.n, 0, na);
    const sd_slot s[] = {{"Q", question(c)}, {"Na", na}, {"Ga", g.other},
                         {"asked", participle(L, &g, NULL)}, {"list", sd__sb_str(&list)}};
    sd_strbuf body;
    sd__sb_init(&body, 1 << 20);
    fill2(&text, &body, L->ranking, s, 5, g.gender, false);
    size_t first = v[0].row;
    sd__free(v);
    sd__sb_free(&list);
    return add(c, SD_FIND_RANKING, first, col, col, NAN, false, &text, &body);
}

/* A cell's change since the compared wave (proportions). */
static sd_status change(fctx *c, size_t row, size_t col)
{
    const sd_table *t = c->t;
    if (is_mean_row(t, row) || !reliable(t, row, col))
        return SD_OK;
    double est = sd_table_cell(t, row, col, SD_FIG_PCT),
           prev = sd_table_cell(t, row, col, SD_FIG_PREV),
           cp = sd_table_cell(t, row, col, SD_FIG_CHANGE_P);
    if (!isfinite(est) || !isfinite(prev) || !isfinite(cp))
        return SD_OK;
    ptest pt = pair_test(c->r, t, row, col, col);
    pt.have = true;
    pt.p = cp;
    pt.sig = cp < pt.alpha2;
    const sd_prose_lang *L = c->L;
    sd_pgroup g;
    sd__prose_group(L, t, col, c->lang, &g);
    char na[64], pa[64], pp[64], p[64];
    sd__prose_num(L, g.n, 0, na);
    sd__prose_pct(L, est, c->dec_pct, pa);
    sd__prose_pct(L, prev, c->dec_pct, pp);
    p_text(L, &pt, p);
    sd_strbuf text, ans;
    sd__sb_init(&text, 1 << 20);
    sd__sb_init(&ans, 1 << 20);
    answer(&ans, c, row, g.gender, false);
    const sd_slot s[] = {{"Q", question(c)},    {"Na", na},  {"Ga", g.other},
                         {"asked", participle(L, &g, NULL)},
                         {"ans", sd__sb_str(&ans)}, {"Pa", pa}, {"Pprev", pp}, {"p", p}};
    const char *tpl = !pt.sig ? L->change_none : est < prev ? L->change_down : L->change_up;
    sd_strbuf body;
    sd__sb_init(&body, 1 << 20);
    fill2(&text, &body, tpl, s, sizeof s / sizeof *s, g.gender, false);
    sd__sb_free(&ans);
    return add(c, pt.sig ? SD_FIND_GAP : SD_FIND_NO_GAP, row, col, col, cp, true, &text, &body);
}

/* ------------------------------------------------------ entry points */

static bool writable_table(const sd_table *t)
{
    const char *of = sd_table_pct_of(t);
    return of && strcmp(of, "col") == 0;
}

static bool banner_col(const sd_table *t, size_t col)
{
    return col < sd_table_size(t, SD_COLS) && sd_table_cat_type(t, SD_COLS, col) != SD_CAT_TYPE_TOTAL;
}

sd_status sd__finding_pair(const sd_result *r, size_t table, size_t row, size_t col_a,
                           size_t col_b, const char *lang, sd_findings *out, sd_error *err)
{
    fctx c;
    sd_status st = fctx_init(&c, r, table, lang, out, err);
    if (st != SD_OK || row >= sd_table_size(c.t, SD_ROWS) || !banner_col(c.t, col_a) ||
        !banner_col(c.t, col_b) || col_a == col_b || !writable_table(c.t))
        return st;
    bool w;
    return pair(&c, row, col_a, col_b, &w);
}

sd_status sd__finding_level(const sd_result *r, size_t table, size_t row, size_t col,
                            const char *lang, sd_findings *out, sd_error *err)
{
    fctx c;
    sd_status st = fctx_init(&c, r, table, lang, out, err);
    if (st != SD_OK || row >= sd_table_size(c.t, SD_ROWS) ||
        col >= sd_table_size(c.t, SD_COLS) || !writable_table(c.t))
        return st;
    return level(&c, row, col);
}

sd_status sd__finding_ranking(const sd_result *r, size_t table, size_t col, const char *lang,
                              sd_findings *out, sd_error *err)
{
    fctx c;
    sd_status st = fctx_init(&c, r, table, lang, out, err);
    if (st != SD_OK || col >= sd_table_size(c.t, SD_COLS) || !writable_table(c.t))
        return st;
    return ranking(&c, col);
}

sd_status sd__findings_table(const sd_result *r, size_t table, const char *lang,
                             sd_findings *out, sd_error *err)
{
    fctx c;
    sd_status st = fctx_init(&c, r, table, lang, out, err);
    if (st != SD_OK || !writable_table(c.t))
        return st;
    const sd_table *t = c.t;
    size_t nr = sd_table_size(t, SD_ROWS), nc = sd_table_size(t, SD_COLS);
    bool banner = false;
    for (size_t j = 0; j < nc; j++)
        banner |= banner_col(t, j);
    /* A multiple-response question: its items ranked in each group. */
    for (size_t j = 0; j < nc && st == SD_OK; j++)
        if (banner_col(t, j) == banner)
            st = ranking(&c, j);
    bool *used = sd__zalloc(nc ? nc : 1, sizeof *used);
    if (!used)
        return nomem(err);
    for (size_t i = 0; i < nr && st == SD_OK; i++) {
        if (!sd__finding_row(t, i))
            continue;
        memset(used, 0, nc * sizeof *used);
        for (size_t a = 0; banner && a < nc && st == SD_OK; a++)
            for (size_t b = a + 1; banner_col(t, a) && b < nc && st == SD_OK; b++) {
                bool w = false;
                if (banner_col(t, b))
                    st = pair(&c, i, a, b, &w);
                if (w)
                    used[a] = used[b] = true;
            }
        /* A figure compared with no other is still worth its sentence. */
        for (size_t j = 0; j < nc && st == SD_OK; j++)
            if (banner_col(t, j) == banner && !used[j])
                st = level(&c, i, j);
    }
    sd__free(used);
    if (sd_result_compared(r))
        for (size_t i = 0; i < nr && st == SD_OK; i++)
            for (size_t j = 0; j < nc && st == SD_OK; j++)
                st = change(&c, i, j);
    return st;
}

sd_status sd__findings_compute(const sd_result *r, const char *lang, sd_findings *out,
                               sd_error *err)
{
    sd_status st = SD_OK;
    for (size_t ti = 0; ti < sd_result_ntables(r) && st == SD_OK; ti++)
        st = sd__findings_table(r, ti, lang, out, err);
    return st;
}

void sd__findings_free(sd_findings *f)
{
    for (size_t i = 0; f && i < f->n; i++) {
        sd__free(f->v[i].text);
        sd__free(f->v[i].body);
    }
    if (f) {
        sd__free(f->v);
        memset(f, 0, sizeof *f);
    }
}
