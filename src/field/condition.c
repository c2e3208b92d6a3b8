/*
 * condition.c — the conditions of a questionnaire (`show_if: role == 2 and
 * segment in [1, 2]`), compiled once into a small tree and evaluated on a
 * respondent's answers.
 *
 * Hand-written: the grammar is a dozen lines (docs/questionnaire.md) and no
 * library for C parses exactly it; a recursive-descent parser with a depth
 * cap keeps it small and its messages precise.
 *
 *   expr := and ('or' and)*         and := not ('and' not)*
 *   not  := 'not' not | atom        atom := '(' expr ')' | 'answered' '(' NAME ')'
 *                                         | NAME OP NUMBER | NAME 'in' '[' NUMBER (',' NUMBER)* ']'
 *   OP   := == | != | < | <= | > | >=
 */
#include "field.h"

#include <math.h>
#include <string.h>

#define COND_MAX_DEPTH 32
#define COND_MAX_NODES 256
#define COND_MAX_LEN 4096

typedef enum op {
    OP_OR,
    OP_AND,
    OP_NOT,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_IN,
    OP_ANSWERED
} op;

typedef struct cnode {
    op op;
    int a, b;      /* children (OR, AND: both; NOT: a) */
    size_t var;    /* comparisons, IN, ANSWERED */
    double x;      /* comparisons */
    double *vals;  /* IN: owned */
    size_t nvals;
} cnode;

struct sd__cond {
    cnode *n; /* owned */
    size_t nn;
    int root;
};

typedef struct cparse {
    const char *s;
    size_t len, pos;
    const sd__cond_scope *scope;
    const char *file;
    long line, col;
    sd_error *err;
    sd__cond *c;
    int depth;
    size_t name_at; /* where the last name read starts */
} cparse;

static sd_status cfail(cparse *p, sd_status st, const char *fmt, const char *arg)
{
    /* The column is where the problem is within the condition's text (on
     * its line; a condition is one line). */
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    long col = p->col ? p->col + (long)p->pos : 0;
    return sd__fail(p->err, st, p->file, p->line, col, NULL, "condition '%.80s': %s", p->s, msg);
}

static void skip_ws(cparse *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static bool name_char(char ch, bool first)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '@' ||
        ch == '#' || ch == '$')
        return true;
    return !first && ((ch >= '0' && ch <= '9') || ch == '.');
}

/* A name at the cursor (copied into buf), or false. */
static bool take_name(cparse *p, char *buf, size_t cap)
{
    skip_ws(p);
    size_t st = p->pos;
    if (st >= p->len || !name_char(p->s[st], true))
        return false;
    size_t e = st + 1;
    while (e < p->len && name_char(p->s[e], false))
        e++;
    /* A name ends with no '.' (so "x." is not a name followed by nothing). */
    if (e - st >= cap)
        return false;
    memcpy(buf, p->s + st, e - st);
    buf[e - st] = '\0';
    p->name_at = st;
    p->pos = e;
    return true;
}

static bool peek_word(cparse *p, const char *w)
{
    skip_ws(p);
    size_t n = strlen(w);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, w, n) != 0)
        return false;
    return p->pos + n == p->len || !name_char(p->s[p->pos + n], false);
}

static bool take_punct(cparse *p, const char *w)
{
    skip_ws(p);
    size_t n = strlen(w);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, w, n) != 0)
        return false;
    p->pos += n;
    return true;
}

static sd_status take_number(cparse *p, double *x)
{
    skip_ws(p);
    size_t st = p->pos, e = st;
    while (e < p->len && (strchr("0123456789+-.eE", p->s[e]) != NULL))
        e++;
    if (e == st || !sd__parse_double(p->s + st, e - st, false, x) || !isfinite(*x))
        return cfail(p, SD_E_PARSE, "expected a number%s", "");
    p->pos = e;
    return SD_OK;
}

static int add_node(cparse *p, cnode n)
{
    sd__cond *c = p->c;
    if (c->nn >= COND_MAX_NODES)
        return -1;
    cnode *v = sd__reallocarray(c->n, c->nn + 1, sizeof *v);
    if (!v)
        return -1;
    c->n = v;
    v[c->nn] = n;
    return (int)c->nn++;
}

static sd_status node_fail(cparse *p, cnode *pending)
{
    if (pending)
        sd__free(pending->vals);
    if (p->c->nn >= COND_MAX_NODES)
        return cfail(p, SD_E_TOO_LARGE, "more than %s terms", "256");
    return sd__fail(p->err, SD_E_NOMEM, p->file, 0, 0, NULL, "out of memory");
}

static sd_status resolve(cparse *p, const char *name, bool text_ok, size_t *var);

static sd_status parse_or(cparse *p, int *out);

static sd_status parse_atom(cparse *p, int *out)
{
    sd_status st;
    if (take_punct(p, "(")) {
        if ((st = parse_or(p, out)) != SD_OK)
            return st;
        if (!take_punct(p, ")"))
            return cfail(p, SD_E_PARSE, "expected ')'%s", "");
        return SD_OK;
    }
    char name[72];
    if (peek_word(p, "answered")) {
        size_t save = p->pos;
        p->pos += strlen("answered");
        if (take_punct(p, "(")) {
            if (!take_name(p, name, sizeof name))
                return cfail(p, SD_E_PARSE, "expected a variable name in answered()%s", "");
            size_t var;
            if ((st = resolve(p, name, true, &var)) != SD_OK)
                return st;
            if (!take_punct(p, ")"))
                return cfail(p, SD_E_PARSE, "expected ')'%s", "");
            cnode n = {.op = OP_ANSWERED, .var = var, .a = -1, .b = -1};
            if ((*out = add_node(p, n)) < 0)
                return node_fail(p, NULL);
            return SD_OK;
        }
        p->pos = save; /* a variable called "answered" */
    }
    if (!take_name(p, name, sizeof name))
        return cfail(p, SD_E_PARSE, "expected a variable name, 'not' or '('%s", "");
    size_t var;
    if ((st = resolve(p, name, false, &var)) != SD_OK)
        return st;
    cnode n = {.var = var, .a = -1, .b = -1};
    if (peek_word(p, "in")) {
        p->pos += 2;
        if (!take_punct(p, "["))
            return cfail(p, SD_E_PARSE, "expected '[' after 'in'%s", "");
        n.op = OP_IN;
        do {
            double x;
            if ((st = take_number(p, &x)) != SD_OK) {
                sd__free(n.vals);
                return st;
            }
            if (n.nvals >= 1000) {
                sd__free(n.vals);
                return cfail(p, SD_E_TOO_LARGE, "more than %s values in a list", "1000");
            }
            double *v = sd__reallocarray(n.vals, n.nvals + 1, sizeof *v);
            if (!v)
                return node_fail(p, &n);
            n.vals = v;
            v[n.nvals++] = x;
        } while (take_punct(p, ","));
        if (!take_punct(p, "]")) {
            sd__free(n.vals);
            return cfail(p, SD_E_PARSE, "expected ']' or ','%s", "");
        }
    } else {
        static const struct {
            const char *s;
            op o;
        } ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE},
                   {">=", OP_GE}, {"<", OP_LT},  {">", OP_GT}};
        size_t k = 0;
        while (k < sizeof ops / sizeof ops[0] && !take_punct(p, ops[k].s))
            k++;
        if (k == sizeof ops / sizeof ops[0])
            return cfail(p, SD_E_PARSE, "expected ==, !=, <, <=, >, >= or 'in' after '%.64s'",
                         name);
        n.op = ops[k].o;
        if ((st = take_number(p, &n.x)) != SD_OK)
            return st;
    }
    if ((*out = add_node(p, n)) < 0)
        return node_fail(p, &n);
    return SD_OK;
}

static sd_status parse_not(cparse *p, int *out)
{
    if (++p->depth > COND_MAX_DEPTH)
        return cfail(p, SD_E_TOO_LARGE, "nested more than %s levels deep", "32");
    sd_status st;
    if (peek_word(p, "not")) {
        p->pos += 3;
        int a;
        if ((st = parse_not(p, &a)) != SD_OK)
            return st;
        cnode n = {.op = OP_NOT, .a = a, .b = -1};
        if ((*out = add_node(p, n)) < 0)
            return node_fail(p, NULL);
    } else if ((st = parse_atom(p, out)) != SD_OK) {
        return st;
    }
    p->depth--;
    return SD_OK;
}

static sd_status parse_and(cparse *p, int *out)
{
    sd_status st = parse_not(p, out);
    while (st == SD_OK && peek_word(p, "and")) {
        p->pos += 3;
        int b;
        if ((st = parse_not(p, &b)) != SD_OK)
            return st;
        cnode n = {.op = OP_AND, .a = *out, .b = b};
        if ((*out = add_node(p, n)) < 0)
            return node_fail(p, NULL);
    }
    return st;
}

static sd_status parse_or(cparse *p, int *out)
{
    if (++p->depth > COND_MAX_DEPTH)
        return cfail(p, SD_E_TOO_LARGE, "nested more than %s levels deep", "32");
    sd_status st = parse_and(p, out);
    while (st == SD_OK && peek_word(p, "or")) {
        p->pos += 2;
        int b;
        if ((st = parse_and(p, &b)) != SD_OK)
            return st;
        cnode n = {.op = OP_OR, .a = *out, .b = b};
        if ((*out = add_node(p, n)) < 0)
            return node_fail(p, NULL);
    }
    p->depth--;
    return st;
}

static sd_status resolve(cparse *p, const char *name, bool text_ok, size_t *var)
{
    const sd__questionnaire *q = p->scope->q;
    long i = sd__questionnaire_var(q, name);
    size_t after = p->pos;
    p->pos = p->name_at; /* a message points at the name */
    if (i < 0)
        return cfail(p, SD_E_NOT_FOUND,
                     "no question or option variable called '%.64s' is asked before this page",
                     name);
    const sd__qvar *v = &q->vars[i];
    if (q->qs[v->question].page >= p->scope->before_page)
        return cfail(p, SD_E_INVALID,
                     "'%.64s' is not asked on an earlier page (a condition can only use "
                     "answers already given)",
                     name);
    if (v->type == SD_TYPE_STRING && !text_ok) {
        char what[200];
        snprintf(what, sizeof what, "'%.64s' is an open text: only answered(%.64s) can use it",
                 name, name);
        return cfail(p, SD_E_TYPE, "%s", what);
    }
    *var = (size_t)i;
    p->pos = after;
    return SD_OK;
}

sd_status sd__cond_compile(const char *src, size_t len, const sd__cond_scope *scope,
                           const char *file, long line, long col, sd__cond **out, sd_error *err)
{
    *out = NULL;
    if (len > COND_MAX_LEN)
        return sd__fail(err, SD_E_TOO_LARGE, file, line, col, NULL,
                        "a condition is at most %d bytes", COND_MAX_LEN);
    if (memchr(src, '\0', len))
        return sd__fail(err, SD_E_PARSE, file, line, col, NULL, "a condition holds a NUL byte");
    sd__cond *c = sd__calloc(1, sizeof *c);
    if (!c)
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    cparse p = {.s = src, .len = len, .scope = scope, .file = file, .line = line, .col = col,
                .err = err, .c = c};
    sd_status st = parse_or(&p, &c->root);
    if (st == SD_OK) {
        skip_ws(&p);
        if (p.pos != p.len)
            st = cfail(&p, SD_E_PARSE, "unexpected text, expected 'and', 'or' or the end%s", "");
    }
    if (st != SD_OK) {
        sd__cond_free(c);
        return st;
    }
    *out = c;
    return SD_OK;
}

void sd__cond_free(sd__cond *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nn; i++)
        sd__free(c->n[i].vals);
    sd__free(c->n);
    sd__free(c);
}

static bool eval(const sd__cond *c, int i, const sd__answers *a)
{
    const cnode *n = &c->n[i];
    switch (n->op) {
    case OP_OR: return eval(c, n->a, a) || eval(c, n->b, a);
    case OP_AND: return eval(c, n->a, a) && eval(c, n->b, a);
    case OP_NOT: return !eval(c, n->a, a);
    case OP_ANSWERED: return n->var < a->n && a->set[n->var];
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_IN: break;
    }
    if (n->var >= a->n || !a->set[n->var])
        return false;
    double v = a->num[n->var];
    switch (n->op) {
    case OP_EQ: return v == n->x;
    case OP_NE: return v != n->x;
    case OP_LT: return v < n->x;
    case OP_LE: return v <= n->x;
    case OP_GT: return v > n->x;
    case OP_GE: return v >= n->x;
    case OP_IN:
        for (size_t k = 0; k < n->nvals; k++)
            if (v == n->vals[k])
                return true;
        return false;
    case OP_OR:
    case OP_AND:
    case OP_NOT:
    case OP_ANSWERED: break;
    }
    return false;
}

bool sd__cond_eval(const sd__cond *c, const sd__answers *a)
{
    return !c || !c->nn || eval(c, c->root, a);
}
