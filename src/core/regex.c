/*
 * regex.c — the one place sondage compiles a regular expression (a
 * --repweights pattern, from the command line, the library or a codebook):
 * POSIX extended, matched against variable names, after a guard that
 * refuses patterns glibc's regcomp would spend seconds and gigabytes on
 * ("a+++…" or "((a{255}){255}){255}") and back-references (whose matching
 * can take exponential time). The guard is hand-written because no library
 * bounds regcomp's work; it reads the pattern once, as regcomp would.
 */
#include "core.h"

#include <string.h>

/* Is an extended regular expression small enough for glibc's regcomp?
 * regcomp copies a subexpression once more for every x+ and once per count
 * of x{m,n}, so nested repetitions multiply the tree's size ("a++++…"
 * doubles at each +), and repetitions stacked on repetitions ("a****…",
 * "((a*)*)*") make its epsilon-closure step take exponential time. So:
 * an upper bound on the tree's size must stay under MAX_NODES, and
 * an element may be repeated at most twice over (rw[0-9]+ once, (rw[0-9]+)*
 * twice). Each level of parentheses keeps its size so far, the size and
 * repetition depth of its last element, and its deepest repetition. */
#define MAX_NODES 1000.0
#define MAX_REPEAT 2

static bool regex_small(const char *re)
{
    struct {
        double sum, last;  /* tree size so far; size of the last element */
        int rep, deepest;  /* repetition depth of the last element; the most in the group */
    } lv[SD_MAX_REGEX + 2];
    int top = 0;
    memset(&lv[0], 0, sizeof lv[0]);
    for (const char *p = re; *p; p++) {
        double atom = 1;
        int atom_rep = 0;
        double copies = 0; /* > 0: a repetition operator making this many copies */
        switch (*p) {
        case '(':
            if (top > SD_MAX_REGEX)
                return false;
            top++;
            memset(&lv[top], 0, sizeof lv[top]);
            continue;
        case ')':
            if (top == 0)
                break; /* a literal ')' (or an error regcomp reports) */
            atom = lv[top].sum + 2;
            atom_rep = lv[top].deepest;
            top--;
            break;
        case '|':
            lv[top].sum += 1;
            lv[top].last = 0;
            lv[top].rep = 0;
            continue;
        case '*':
        case '?':
            copies = 1;
            break;
        case '+':
            copies = 2;
            break;
        case '{': {
            /* {m}, {m,} or {m,n}: up to max(m, n) + 1 copies. */
            double m = 0, n = -1, *cur = &m;
            const char *q = p + 1;
            for (; *q && *q != '}'; q++) {
                if (*q >= '0' && *q <= '9')
                    *cur = (*cur < 0 ? 0 : *cur) * 10 + (*q - '0');
                else if (*q == ',' && cur == &m)
                    cur = &n;
                else
                    break;
            }
            if (*q != '}')
                break; /* not an interval: a literal '{' */
            copies = (n > m ? n : m) + 1;
            p = q;
            break;
        }
        case '[':
            /* A bracket expression is one element: skip to its ']' (a ']'
             * first, and [:class:] [.x.] [=x=] inside, do not close it). */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']') {
                if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                    char end = p[1];
                    p += 2;
                    while (*p && !(*p == end && p[1] == ']'))
                        p++;
                    if (*p)
                        p++;
                }
                if (*p)
                    p++;
            }
            if (!*p)
                p--;
            break;
        case '\\':
            if (p[1])
                p++;
            break;
        default:
            break;
        }
        if (copies > 0) {
            lv[top].sum += lv[top].last * (copies - 1) + 1;
            lv[top].last *= copies;
            if (++lv[top].rep > MAX_REPEAT)
                return false;
        } else {
            lv[top].sum += atom;
            lv[top].last = atom;
            lv[top].rep = atom_rep;
        }
        if (lv[top].rep > lv[top].deepest)
            lv[top].deepest = lv[top].rep;
        if (lv[top].sum > MAX_NODES || lv[top].last > MAX_NODES)
            return false;
    }
    double total = 0;
    for (int i = 0; i <= top; i++)
        total += lv[i].sum;
    return total <= MAX_NODES;
}

sd_regex_check sd__regex_compile(regex_t *re, const char *pattern, char *why, size_t whylen)
{
    if (whylen)
        why[0] = '\0';
    for (const char *p = pattern; *p; p++) {
        if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
            if (whylen)
                snprintf(why, whylen, "\\%c", p[1]);
            return SD_RE_BACKREF;
        }
        if (*p == '\\' && p[1])
            p++;
    }
    if (strlen(pattern) > SD_MAX_REGEX || !regex_small(pattern))
        return SD_RE_TOO_COMPLEX;
    int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        if (whylen) {
            regerror(rc, re, why, whylen);
            for (char *q = why; *q; q++)
                if (*q >= 'A' && *q <= 'Z')
                    *q = (char)(*q - 'A' + 'a');
        }
        regfree(re);
        return SD_RE_INVALID;
    }
    return SD_RE_OK;
}
