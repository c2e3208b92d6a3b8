/*
 * filter.c — `--filter EXPR` parsed into an expression tree (spec.h gives
 * the grammar): a hand-written recursive-descent parser, because the
 * language is a dozen tokens and every error must say at which character
 * it failed and what was expected there, which a generated parser would
 * not say better. Variable names are checked against the data later, by
 * the engine (engine/filter_eval.c).
 */
#include "spec.h"

#include <stdio.h>
#include <string.h>

#define F_MAX_TEXT 65536 /* bytes in one expression */
#define F_MAX_DEPTH 64   /* nesting of parentheses and "not" */
#define F_MAX_VALUES 10000

typedef enum tok_kind {
    T_END = 0,
    T_NAME,   /* a variable name or a keyword */
    T_NUMBER,
    T_STRING,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_OP      /* a comparison: cmp holds which */
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t at;      /* byte offset of its first character */
    size_t len;     /* bytes in the text */
    double num;
    char *str;      /* T_STRING: the unquoted value (owned); T_NAME: the name (owned) */
    sd_fcmp cmp;
} tok;

typedef struct parser {
    const char *s;
    size_t n, pos;
    tok t;          /* the current token */
    int depth;
    const char *origin, *file;
    long line, col;
    sd_error *err;
} parser;

static void fnode_free_one(sd_fnode *n);

void sd__filter_free(sd_fnode *n)
{
    fnode_free_one(n);
}

static void fnode_free_one(sd_fnode *n)
{
    if (!n)
        return;
    fnode_free_one(n->a);
    fnode_free_one(n->b);
    sd__free(n->var);
    for (size_t i = 0; i < n->nvals; i++)
        sd__free(n->vals[i].str);
    sd__free(n->vals);
    sd__free(n);
}

/* 1-based character (not byte) position of a byte offset. */
static size_t char_at(const char *s, size_t off)
{
    size_t c = 1;
    for (size_t i = 0; i < off; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static const char *tok_desc(const parser *p, char *buf, size_t cap)
{
    switch (p->t.kind) {
    case T_END: return "the end of the expression";
    case T_NAME:
    case T_NUMBER:
    case T_STRING:
    case T_LPAREN:
    case T_RPAREN:
    case T_COMMA:
    case T_OP: break;
    }
    snprintf(buf, cap, "'%.*s'", (int)(p->t.len > 40 ? 40 : p->t.len), p->s + p->t.at);
    return buf;
}

/* "--filter 'x = ': at character 5: expected a value, not the end of the
 * expression". In a spec file the message also names the file and the
 * line of the text (its column is that of the text's start). */
static sd_status fail_at(parser *p, size_t off, const char *expected)
{
    char d[64];
    const char *found = off == p->t.at ? tok_desc(p, d, sizeof d) : "what is there";
    return sd__fail(p->err, SD_E_PARSE, p->file, p->line, p->col, NULL,
                    "%s '%s': at character %zu: expected %s, not %s", p->origin, p->s,
                    char_at(p->s, off), expected, found);
}

static sd_status nomem(parser *p)
{
    return sd__fail(p->err, SD_E_NOMEM, p->file, p->line, 0, NULL, "out of memory");
}

static bool name_byte(unsigned char c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80)
        return true;
    if (first)
        return false;
    /* digits, and the punctuation survey tools put in names: q1.a,
     * LimeSurvey's Q2[SQ001], SPSS's @ and $ and #. */
    return (c >= '0' && c <= '9') || c == '.' || c == '[' || c == ']' || c == '@' || c == '#' ||
           c == '$';
}

static bool eq_word(const tok *t, const char *w)
{
    if (t->kind != T_NAME || strlen(w) != t->len)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->str[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[i])
            return false;
    }
    return true;
}

/* Read the next token into p->t. */
static sd_status next(parser *p)
{
    sd__free(p->t.str);
    memset(&p->t, 0, sizeof p->t);
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
    tok *t = &p->t;
    t->at = p->pos;
    if (p->pos >= p->n) {
        t->kind = T_END;
        return SD_OK;
    }
    const char *s = p->s;
    unsigned char c = (unsigned char)s[p->pos];
    if (c == '(' || c == ')' || c == ',') {
        t->kind = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : T_COMMA;
        t->len = 1;
        p->pos++;
        return SD_OK;
    }
    static const struct {
        const char *text;
        sd_fcmp cmp;
    } ops[] = {{"==", SD_FC_EQ}, {"!=", SD_FC_NE}, {"<>", SD_FC_NE}, {"<=", SD_FC_LE},
               {">=", SD_FC_GE}, {"=", SD_FC_EQ},  {"<", SD_FC_LT},  {">", SD_FC_GT}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t l = strlen(ops[i].text);
        if (p->n - p->pos >= l && memcmp(s + p->pos, ops[i].text, l) == 0) {
            t->kind = T_OP;
            t->cmp = ops[i].cmp;
            t->len = l;
            p->pos += l;
            return SD_OK;
        }
    }
    if (c == '"' || c == '\'') {
        /* A quoted value; the quote doubled stands for itself. */
        sd_strbuf sb;
        sd__sb_init(&sb, F_MAX_TEXT);
        size_t i = p->pos + 1;
        for (;;) {
            if (i >= p->n) {
                sd__sb_free(&sb);
                return fail_at(p, p->pos, "a closing quote for this value");
            }
            if ((unsigned char)s[i] == c) {
                if (i + 1 < p->n && (unsigned char)s[i + 1] == c) {
                    sd__sb_putc(&sb, (char)c);
                    i += 2;
                    continue;
                }
                break;
            }
            sd__sb_putc(&sb, s[i++]);
        }
        if (sd__sb_status(&sb) != SD_OK || !(t->str = sd__sb_take(&sb))) {
            sd__sb_free(&sb);
            if (!(t->str = sd__strdup("")))
                return nomem(p);
        }
        t->kind = T_STRING;
        t->len = i + 1 - p->pos;
        p->pos = i + 1;
        return SD_OK;
    }
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
        size_t i = p->pos + 1;
        while (i < p->n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'e' ||
                            s[i] == 'E' ||
                            ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E'))))
            i++;
        if (!sd__parse_double(s + p->pos, i - p->pos, false, &t->num)) {
            t->len = i - p->pos;
            t->kind = T_NUMBER;
            return fail_at(p, p->pos, "a number such as 3, -1 or 2.5");
        }
        t->kind = T_NUMBER;
        t->len = i - p->pos;
        p->pos = i;
        return SD_OK;
    }
    if (name_byte(c, true)) {
        size_t i = p->pos + 1;
        while (i < p->n && name_byte((unsigned char)s[i], false))
            i++;
        t->kind = T_NAME;
        t->len = i - p->pos;
        if (!(t->str = sd__strndup(s + p->pos, t->len)))
            return nomem(p);
        p->pos = i;
        return SD_OK;
    }
    t->len = 1;
    t->kind = T_OP; /* only to describe it */
    return fail_at(p, p->pos,
                   "a variable, a value, a comparison (= != < <= > >=), 'in', 'and', 'or', "
                   "'not', 'missing' or a parenthesis");
}

static sd_fnode *node(parser *p, sd_fkind k)
{
    sd_fnode *n = sd__calloc(1, sizeof *n);
    if (n)
        n->kind = k;
    (void)p;
    return n;
}

static sd_status parse_or(parser *p, sd_fnode **out);

static sd_status parse_value(parser *p, sd_fval *v)
{
    if (p->t.kind == T_NUMBER) {
        v->num = p->t.num;
        return next(p);
    }
    if (p->t.kind == T_STRING) {
        v->is_str = true;
        v->str = p->t.str;
        p->t.str = NULL;
        return next(p);
    }
    return fail_at(p, p->t.at, "a value (a number, or a text in quotes such as \"Paris\")");
}

static bool is_keyword(const tok *t)
{
    return eq_word(t, "and") || eq_word(t, "or") || eq_word(t, "not") || eq_word(t, "in") ||
           eq_word(t, "missing");
}

/* missing(VAR), VAR op value, VAR in (values), ( expr ), not x */
static sd_status parse_not(parser *p, sd_fnode **out)
{
    sd_status st;
    if (++p->depth > F_MAX_DEPTH)
        return fail_at(p, p->t.at, "fewer nested parentheses and 'not' (64 at most)");
    if (eq_word(&p->t, "not")) {
        sd_fnode *n = node(p, SD_F_NOT);
        if (!n)
            return nomem(p);
        if ((st = next(p)) != SD_OK || (st = parse_not(p, &n->a)) != SD_OK) {
            sd__filter_free(n);
            return st;
        }
        *out = n;
        p->depth--;
        return SD_OK;
    }
    if (p->t.kind == T_LPAREN) {
        size_t open = p->t.at;
        if ((st = next(p)) != SD_OK || (st = parse_or(p, out)) != SD_OK)
            return st;
        if (p->t.kind != T_RPAREN) {
            sd__filter_free(*out);
            *out = NULL;
            char what[96];
            snprintf(what, sizeof what, "')' to close the '(' at character %zu, or 'and', 'or'",
                     char_at(p->s, open));
            return fail_at(p, p->t.at, what);
        }
        p->depth--;
        return next(p);
    }
    if (eq_word(&p->t, "missing")) {
        if ((st = next(p)) != SD_OK)
            return st;
        if (p->t.kind != T_LPAREN)
            return fail_at(p, p->t.at, "'(' after missing, as in missing(q1)");
        if ((st = next(p)) != SD_OK)
            return st;
        if (p->t.kind != T_NAME || is_keyword(&p->t))
            return fail_at(p, p->t.at, "a variable name in missing(...)");
        sd_fnode *n = node(p, SD_F_MISSING);
        if (!n)
            return nomem(p);
        n->var = p->t.str;
        p->t.str = NULL;
        n->at = char_at(p->s, p->t.at);
        if ((st = next(p)) != SD_OK) {
            sd__filter_free(n);
            return st;
        }
        if (p->t.kind != T_RPAREN) {
            sd__filter_free(n);
            return fail_at(p, p->t.at, "')' after the variable of missing(...)");
        }
        *out = n;
        p->depth--;
        return next(p);
    }
    if (p->t.kind != T_NAME || is_keyword(&p->t))
        return fail_at(p, p->t.at,
                       "a condition: a variable (role = 2), missing(VAR), 'not' or '('");
    sd_fnode *n = node(p, SD_F_CMP);
    if (!n)
        return nomem(p);
    n->var = p->t.str;
    p->t.str = NULL;
    n->at = char_at(p->s, p->t.at);
    if ((st = next(p)) != SD_OK)
        goto fail;
    if (eq_word(&p->t, "in")) {
        n->kind = SD_F_IN;
        if ((st = next(p)) != SD_OK)
            goto fail;
        if (p->t.kind != T_LPAREN) {
            st = fail_at(p, p->t.at, "'(' and a list of values after in, as in q in (1, 2)");
            goto fail;
        }
        if ((st = next(p)) != SD_OK)
            goto fail;
        for (;;) {
            if (n->nvals >= F_MAX_VALUES) {
                st = fail_at(p, p->t.at, "at most 10000 values in a list");
                goto fail;
            }
            sd_fval *nv = sd__reallocarray(n->vals, n->nvals + 1, sizeof *nv);
            if (!nv) {
                st = nomem(p);
                goto fail;
            }
            n->vals = nv;
            memset(&n->vals[n->nvals], 0, sizeof *nv);
            n->nvals++;
            if ((st = parse_value(p, &n->vals[n->nvals - 1])) != SD_OK)
                goto fail;
            if (p->t.kind == T_COMMA) {
                if ((st = next(p)) != SD_OK)
                    goto fail;
                continue;
            }
            if (p->t.kind != T_RPAREN) {
                st = fail_at(p, p->t.at, "',' or ')' in the list of values");
                goto fail;
            }
            break;
        }
        if ((st = next(p)) != SD_OK)
            goto fail;
        *out = n;
        p->depth--;
        return SD_OK;
    }
    if (p->t.kind != T_OP) {
        st = fail_at(p, p->t.at, "a comparison (= != < <= > >=) or 'in' after the variable");
        goto fail;
    }
    n->cmp = p->t.cmp;
    if (!(n->vals = sd__calloc(1, sizeof *n->vals))) {
        st = nomem(p);
        goto fail;
    }
    n->nvals = 1;
    if ((st = next(p)) != SD_OK || (st = parse_value(p, &n->vals[0])) != SD_OK)
        goto fail;
    *out = n;
    p->depth--;
    return SD_OK;
fail:
    sd__filter_free(n);
    return st;
}

static sd_status parse_binary(parser *p, sd_fnode **out, bool is_or)
{
    sd_status st = is_or ? parse_binary(p, out, false) : parse_not(p, out);
    while (st == SD_OK && eq_word(&p->t, is_or ? "or" : "and")) {
        sd_fnode *n = node(p, is_or ? SD_F_OR : SD_F_AND);
        if (!n)
            return nomem(p);
        n->a = *out;
        *out = n;
        if ((st = next(p)) != SD_OK)
            break;
        st = is_or ? parse_binary(p, &n->b, false) : parse_not(p, &n->b);
    }
    return st;
}

static sd_status parse_or(parser *p, sd_fnode **out)
{
    return parse_binary(p, out, true);
}

sd_status sd__filter_parse(const char *text, const char *origin, const char *file, long line,
                           long col, sd_fnode **out, sd_error *err)
{
    *out = NULL;
    parser p = {.s = text ? text : "", .origin = origin ? origin : "filter", .file = file,
                .line = line, .col = col, .err = err};
    p.n = strlen(p.s);
    if (p.n > F_MAX_TEXT)
        return sd__fail(err, SD_E_TOO_LARGE, file, line, 0, NULL,
                        "%s: an expression of more than %d bytes", p.origin, F_MAX_TEXT);
    if (sd__utf8_valid_prefix(p.s, p.n) != p.n)
        return sd__fail(err, SD_E_ENCODING, file, line, 0, NULL, "%s: not valid UTF-8",
                        p.origin);
    sd_status st = next(&p);
    if (st == SD_OK && p.t.kind == T_END)
        st = fail_at(&p, 0, "a condition such as role = 2");
    if (st == SD_OK)
        st = parse_or(&p, out);
    if (st == SD_OK && p.t.kind != T_END)
        st = fail_at(&p, p.t.at, "'and', 'or' or the end of the expression");
    sd__free(p.t.str);
    if (st != SD_OK) {
        sd__filter_free(*out);
        *out = NULL;
    }
    return st;
}
