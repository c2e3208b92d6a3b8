/*
 * write_csv.c — the CSV writer of the io layer: a dataset becomes RFC 4180
 * text that read_csv.c reads back to the same columns.
 *
 * Header line of names, ',' separator, LF line ends; a field is quoted only
 * when it must be: it holds a separator, a quote, CR or LF, starts or ends
 * with a space or tab, starts with a byte-order mark, or is the text "NA"
 * (which would otherwise read back as missing). Header names are also quoted
 * when they hold ';' or a tab, so separator detection sees only commas.
 * Numbers go through sd__fmt_double (round-trip, '.', locale-free);
 * system-missing and non-finite values are empty fields; -0 is written "-0".
 * Output is gathered in a local buffer and written with fwrite, every write
 * checked.
 */
#include "io.h"

#include <errno.h>
#include <math.h>
#include <string.h>

typedef struct writer {
    FILE *fp;
    size_t n;
    bool failed;
    int errnum;
    char buf[1 << 15];
} writer;

static void w_flush(writer *w)
{
    if (!w->failed && w->n && fwrite(w->buf, 1, w->n, w->fp) != w->n) {
        w->failed = true;
        w->errnum = errno;
    }
    w->n = 0;
}

static void w_add(writer *w, const char *s, size_t n)
{
    while (n) {
        if (w->n == sizeof w->buf)
            w_flush(w);
        size_t k = sizeof w->buf - w->n;
        if (k > n)
            k = n;
        memcpy(w->buf + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
    }
}

static inline void w_putc(writer *w, char c)
{
    if (w->n == sizeof w->buf)
        w_flush(w);
    w->buf[w->n++] = c;
}

static bool needs_quotes(const char *s, size_t n, bool header)
{
    if (n == 0)
        return false;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
        return true;
    if (n == 2 && s[0] == 'N' && s[1] == 'A')
        return true;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        return true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r' || (header && (c == ';' || c == '\t')))
            return true;
    }
    return false;
}

static void w_text(writer *w, const char *s, bool header)
{
    size_t n = strlen(s);
    if (!needs_quotes(s, n, header)) {
        w_add(w, s, n);
        return;
    }
    w_putc(w, '"');
    const char *q;
    while ((q = memchr(s, '"', n)) != NULL) {
        size_t k = (size_t)(q - s) + 1;
        w_add(w, s, k); /* up to and including the quote ... */
        w_putc(w, '"'); /* ... which is doubled */
        s += k;
        n -= k;
    }
    w_add(w, s, n);
    w_putc(w, '"');
}

static void w_num(writer *w, double x)
{
    if (!isfinite(x))
        return;
    if (x == 0 && signbit(x)) {
        w_add(w, "-0", 2);
        return;
    }
    char buf[SD_NUMBUF];
    int n = sd__fmt_double(buf, x);
    w_add(w, buf, (size_t)n);
}

sd_status sd__write_csv(const sd_dataset *ds, FILE *fp, const char *name, sd_error *err)
{
    writer *w = sd__malloc(sizeof *w);
    if (!w)
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    w->fp = fp;
    w->n = 0;
    w->failed = false;
    w->errnum = 0;
    sd_status st = SD_OK;
    for (size_t j = 0; j < ds->nvars; j++) {
        if (j)
            w_putc(w, ',');
        w_text(w, ds->vars[j]->name, true);
    }
    w_putc(w, '\n');
    for (size_t r = 0; r < ds->nrows && !w->failed; r++) {
        for (size_t j = 0; j < ds->nvars; j++) {
            const sd_var *v = ds->vars[j];
            if (j)
                w_putc(w, ',');
            if (v->sysmis[r])
                continue;
            if (v->type == SD_TYPE_NUMERIC) {
                w_num(w, v->num[r]);
            } else if (v->str[r] < v->nlevels) {
                w_text(w, v->levels[v->str[r]], false);
            } else {
                st = sd__fail(err, SD_E_INTERNAL, name, 0, 0, v->name,
                              "row %zu of variable '%s' names level %u of %zu", r + 1, v->name,
                              (unsigned)v->str[r], v->nlevels);
                goto out;
            }
        }
        w_putc(w, '\n');
    }
    w_flush(w);
    if (!w->failed && fflush(fp) != 0) {
        w->failed = true;
        w->errnum = errno;
    }
    if (w->failed)
        st = w->errnum ? sd__fail_errno(err, SD_E_IO, name, w->errnum, "write error")
                       : sd__fail(err, SD_E_IO, name, 0, 0, NULL, "write error: short write");
out:
    sd__free(w);
    return st;
}
