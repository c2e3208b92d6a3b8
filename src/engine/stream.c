/*
 * stream.c — a table job over a CSV file a chunk of rows at a time (issue
 * 14's streaming mode; `tab` and `report` use it where they can, docs/
 * tables.md "Streaming"): a chunk is read, tabulated and dropped, so the
 * job holds the tables' sums, a few chunks and the first chunk's
 * variables, not the file.
 *
 * How. Each chunk (SD_CHUNK_ROWS rows: one chunk of the in-memory pass) is
 * a dataset of its own, tabulated by the engine as any dataset is
 * (sd__tabulate_counts). Its categories, strata and PSUs are the chunk's;
 * they are matched by value to the job's, which grow as new ones come, and
 * the chunk's sums are added to the job's at those places. At the end the
 * strata and PSUs are put in the order the whole file's design would give
 * them (sorted values) and the job's design is made from the counts. The
 * in-memory pass adds a chunk's sums to the tables' in chunk order, from
 * zero, over the same rows: every sum here is added in that same order, so
 * the figures are the same to the last bit, and a test compares the two
 * outputs byte for byte. Chunks are parsed on threads of their own (the
 * feed below), tabulated in order on this one.
 *
 * A row variable's measure is decided over every chunk by the rule that
 * decides a whole file's (data/measure.c). A scale row's median is the
 * whole file's: its values are kept by column (the one thing that grows
 * with the rows) and sorted at the end of the read, as the whole file's
 * are, and a second read counts the rows at or below each median (the
 * median's interval) with the sums.
 *
 * What it does not do: a category set, a nested banner, replicate weights
 * given or made, an fpc, more than one cluster stage, a weighting or
 * calibration, likelihood intervals (their second pass). Those, and
 * anything a chunk alone cannot decide the same way as the whole file (a
 * column that turns to text in a later chunk, a variable whose measure the
 * whole file reads otherwise, an error), return SD_E_UNSUPPORTED with the
 * reason: the caller then reads the file whole, which gives the whole
 * file's result or error.
 */
#include "plan.h"
#include "../io/io.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>


/* ---- values of a design variable (strata, clusters), in order met */

typedef struct idval {
    double x;
    char *s; /* owned; NULL for a number */
} idval;

typedef struct idset {
    idval *v;
    size_t n, cap;
    sd_hindex h;
} idset;

static uint64_t id_hash(const idval *a)
{
    if (a->s)
        return sd__hash_str(a->s);
    double x = a->x == 0 ? 0 : a->x;
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return sd__hash_u64(u);
}

static bool id_same(const idval *a, const idval *b)
{
    return a->s ? b->s && !strcmp(a->s, b->s) : !b->s && a->x == b->x;
}

/* The index of a value (added when new); -1 on no memory. */
static long idset_find_add(idset *set, const idval *key)
{
    uint64_t h = id_hash(key);
    sd_hprobe p = sd__hindex_probe(&set->h, h);
    size_t it;
    while (sd__hindex_next(&set->h, &p, &it))
        if (id_same(&set->v[it], key))
            return (long)it;
    if (!sd__grow((void **)&set->v, &set->cap, set->n + 1, sizeof *set->v))
        return -1;
    idval c = {key->x == 0 ? 0 : key->x, NULL};
    if (key->s && !(c.s = sd__strdup(key->s)))
        return -1;
    if (!sd__hindex_add(&set->h, h, set->n)) {
        sd__free(c.s);
        return -1;
    }
    set->v[set->n] = c;
    return (long)set->n++;
}

static void idset_free(idset *set)
{
    for (size_t i = 0; i < set->n; i++)
        sd__free(set->v[i].s);
    sd__free(set->v);
    sd__hindex_free(&set->h);
    memset(set, 0, sizeof *set);
}

static int id_cmp(const idval *a, const idval *b)
{
    if (a->s || b->s)
        return strcmp(a->s ? a->s : "", b->s ? b->s : "");
    return (a->x > b->x) - (a->x < b->x);
}

/* Sort items: a value and where it was met (no state outside them). */
typedef struct idref {
    const idval *v;
    size_t at;
} idref;

static int cmp_idref(const void *x, const void *y)
{
    return id_cmp(((const idref *)x)->v, ((const idref *)y)->v);
}

/* ---- the job */

typedef struct unitkey {
    size_t h, c; /* stratum and cluster value, indexes into their sets */
} unitkey;

/* A scale row's valid values in one banner column, in the order the whole
 * file sorts them: by value, ties in row order (seq: met in chunk order,
 * each chunk's already in row order). */
typedef struct svent {
    double x, w;
    uint64_t seq;
} svent;

typedef struct svlist {
    svent *v;
    size_t n, cap;
} svlist;

typedef struct svtab {
    svlist *col; /* per column of the job's table */
    size_t ncols;
} svtab;

typedef struct job {
    const sd_tabspec *spec;
    sd_designspec dspec;  /* the request's design completed by the codebook's */
    sd_work *g;           /* the job's tables: the first chunk's work, grown */
    sd_dataset *first;    /* the first chunk: the variables and labels kept */
    const uint8_t *use;   /* what the request reads of each variable */
    idset strata, clus;
    size_t *cstrat;       /* no --nest: each cluster value's stratum + 1 (0: none yet) */
    size_t cstrat_n, cstrat_cap;
    unitkey *units;
    size_t nunits, ucap;
    sd_hindex uh;
    double *strows;       /* unclustered: rows per stratum */
    size_t strows_n, strows_cap;
    double rows, rows_in, maxw;
    size_t nw_blank, nw_negative, nw_zero;
    svtab *sv;            /* per table: a scale row's values (its column kept) */
    size_t nsv;
    const sd_dataset *hd; /* the header: every variable's stated measure and labels */
    sd_distinct *dist;    /* per variable that is a table's row: its values, as the
                           * measure rule counts them, over the chunks */
    uint64_t seq;
    char why[200];
} job;

static sd_status unsupported(job *j, const char *why)
{
    snprintf(j->why, sizeof j->why, "%s", why);
    return SD_E_UNSUPPORTED;
}

/* The value of design variable `name` in row r of a chunk. */
static bool row_id(const sd_dataset *ds, const char *name, size_t r, idval *out)
{
    long vi = sd__dataset_var_index(ds, name);
    if (vi < 0)
        return false;
    const sd_var *v = ds->vars[vi];
    out->s = v->type == SD_TYPE_STRING ? v->levels[v->str[r]] : NULL;
    out->x = v->type == SD_TYPE_STRING ? 0 : sd__var_value(v, r);
    return true;
}

/* Grow an array of `each`-byte items to n, the new ones zero. */
static bool grow_zero(void **p, size_t *cap, size_t old, size_t n, size_t each)
{
    if (n <= old)
        return true; /* `old` items are set; the capacity beyond is not */
    if (!sd__grow(p, cap, n, each))
        return false;
    memset((char *)*p + old * each, 0, (n - old) * each);
    return true;
}

/* A chunk's strata and units as the job's: maps from the chunk's numbers. */
static sd_status map_design(job *j, const sd_dataset *ds, const sd_design *d, size_t *smap,
                            size_t *umap)
{
    size_t n = ds->nrows, ns = d->nstrata;
    size_t *first = sd__zalloc(ns + (d->nstages ? d->nunits[0] : 0) + 1, sizeof *first);
    if (!first)
        return SD_E_NOMEM;
    size_t *ufirst = first + ns;
    for (size_t k = 0; k < ns + (d->nstages ? d->nunits[0] : 0); k++)
        first[k] = SIZE_MAX;
    for (size_t r = 0; r < n; r++) {
        if (first[d->stratum[r]] == SIZE_MAX)
            first[d->stratum[r]] = r;
        if (d->nstages && ufirst[d->unit[0][r]] == SIZE_MAX)
            ufirst[d->unit[0][r]] = r;
    }
    sd_status st = SD_OK;
    for (size_t k = 0; k < ns && st == SD_OK; k++) {
        idval key = {0, NULL};
        if (j->dspec.strata && (first[k] == SIZE_MAX ||
                                !row_id(ds, j->dspec.strata, first[k], &key))) {
            st = SD_E_INTERNAL;
            break;
        }
        long g = idset_find_add(&j->strata, &key);
        if (g < 0)
            st = SD_E_NOMEM;
        else
            smap[k] = (size_t)g;
    }
    if (st == SD_OK && !grow_zero((void **)&j->strows, &j->strows_cap, j->strows_n,
                                  j->strata.n, sizeof *j->strows))
        st = SD_E_NOMEM;
    if (st == SD_OK)
        j->strows_n = j->strata.n;
    if (st == SD_OK && !d->nstages)
        for (size_t k = 0; k < ns; k++)
            j->strows[smap[k]] += (double)d->sampsize[0][k];
    for (size_t u = 0; st == SD_OK && d->nstages && u < d->nunits[0]; u++) {
        size_t r = ufirst[u];
        idval key;
        if (r == SIZE_MAX || !row_id(ds, j->dspec.cluster[0], r, &key)) {
            st = SD_E_INTERNAL;
            break;
        }
        long c = idset_find_add(&j->clus, &key);
        if (c < 0) {
            st = SD_E_NOMEM;
            break;
        }
        unitkey uk = {smap[d->stratum[r]], (size_t)c};
        if (!j->dspec.nest && j->dspec.strata) {
            /* A cluster value in two strata: the whole file's error. */
            if (!grow_zero((void **)&j->cstrat, &j->cstrat_cap, j->cstrat_n, j->clus.n,
                           sizeof *j->cstrat)) {
                st = SD_E_NOMEM;
                break;
            }
            j->cstrat_n = j->clus.n;
            if (j->cstrat[uk.c] && j->cstrat[uk.c] != uk.h + 1) {
                st = unsupported(j, "a cluster has the same value in two strata");
                break;
            }
            j->cstrat[uk.c] = uk.h + 1;
        }
        uint64_t h = sd__hash_u64(uk.h * 0x9E3779B97F4A7C15ull ^ uk.c);
        sd_hprobe p = sd__hindex_probe(&j->uh, h);
        size_t it;
        long found = -1;
        while (found < 0 && sd__hindex_next(&j->uh, &p, &it))
            if (j->units[it].h == uk.h && j->units[it].c == uk.c)
                found = (long)it;
        if (found < 0) {
            if (!sd__grow((void **)&j->units, &j->ucap, j->nunits + 1, sizeof *j->units) ||
                !sd__hindex_add(&j->uh, h, j->nunits)) {
                st = SD_E_NOMEM;
                break;
            }
            j->units[j->nunits] = uk;
            found = (long)j->nunits++;
        }
        umap[u] = (size_t)found;
    }
    sd__free(first);
    return st;
}

/* ---- categories */

static bool sorted_kind(sd_cat_kind k)
{
    return k == SD_CAT_CODE || k == SD_CAT_STRING;
}

static int cat_cmp(const sd_cat *a, const sd_cat *b)
{
    if (a->kind == SD_CAT_STRING)
        return strcmp(a->str, b->str);
    return (a->code > b->code) - (a->code < b->code);
}

/* The union of a dimension's categories, the job's (a) and a chunk's (b):
 * `head` fixed ones first (Total), then the sorted ones (codes or strings,
 * of one kind), then `tail` fixed ones (nets); each list's map into it.
 * false when the lists do not fit together (the whole file would differ). */
static bool cats_union(const sd_cat *a, size_t na, const sd_cat *b, size_t nb, size_t head,
                       size_t tail, sd_cat **out, size_t *nout, size_t *amap, size_t *bmap)
{
    if (na < head + tail || nb < head + tail)
        return false;
    for (size_t k = 0; k < head; k++)
        if (!sd__cat_same(&a[k], &b[k]))
            return false;
    for (size_t k = 0; k < tail; k++)
        if (!sd__cat_same(&a[na - tail + k], &b[nb - tail + k]))
            return false;
    size_t ma = na - head - tail, mb = nb - head - tail;
    const sd_cat *sa = a + head, *sb = b + head;
    for (size_t k = 0; k < ma; k++)
        if (!sorted_kind(sa[k].kind) || (ma && sa[k].kind != sa[0].kind))
            return false;
    for (size_t k = 0; k < mb; k++)
        if (!sorted_kind(sb[k].kind) || (ma && sb[k].kind != sa[0].kind) ||
            sb[k].kind != sb[0].kind)
            return false;
    sd_cat *u = sd__zalloc(na + nb, sizeof *u);
    if (!u)
        return false;
    size_t n = 0;
    for (size_t k = 0; k < head; k++) {
        amap[k] = bmap[k] = n;
        u[n++] = a[k];
    }
    size_t i = 0, k = 0;
    while (i < ma || k < mb) {
        int c = i >= ma ? 1 : k >= mb ? -1 : cat_cmp(&sa[i], &sb[k]);
        if (c == 0 && !sd__cat_same(&sa[i], &sb[k])) {
            sd__free(u);
            return false;
        }
        if (c <= 0)
            amap[head + i++] = n;
        if (c >= 0)
            bmap[head + k++] = n;
        u[n++] = c <= 0 ? sa[i - 1] : sb[k - 1];
    }
    for (size_t t = 0; t < tail; t++) {
        amap[na - tail + t] = bmap[nb - tail + t] = n;
        u[n++] = a[na - tail + t];
    }
    *out = u;
    *nout = n;
    return true;
}

/* ---- sums */

/* Add a chunk's sums (src) into the job's (dst), src's row and column
 * categories at rmap and cmap, its strata or units at vmap. */
static void add_mapped(sd_accum *dst, const sd_accum *src, const size_t *rmap,
                       const size_t *cmap, const size_t *vmap, size_t *lqm)
{
    size_t snc = src->ncols, scells = src->nrows * snc, dnc = dst->ncols;
    size_t dcells = dst->nrows * dnc, L = src->nlq, DL = dst->nlq;
    for (size_t l = 0; l < L; l++)
        lqm[l] = l < scells ? rmap[l / snc] * dnc + cmap[l % snc] : dcells + cmap[l - scells];
    for (size_t l = 0; l < L; l++) {
        dst->n[lqm[l]] += src->n[l];
        dst->w[lqm[l]] += src->w[l];
    }
    for (size_t c = 0; c < snc; c++) {
        dst->miss_n[cmap[c]] += src->miss_n[c];
        dst->miss_w[cmap[c]] += src->miss_w[c];
    }
    dst->bm_n += src->bm_n;
    dst->bm_w += src->bm_w;
    for (size_t u = 0; src->unit_tot && u < src->nunits; u++) {
        double *d = dst->unit_tot + vmap[u] * DL;
        const double *s = src->unit_tot + u * L;
        for (size_t l = 0; l < L; l++)
            d[lqm[l]] += s[l];
    }
    for (size_t h = 0; src->st_sum && h < src->nstrata; h++) {
        double *d = dst->st_sum + vmap[h] * DL;
        const double *s = src->st_sum + h * L;
        for (size_t l = 0; l < L; l++)
            d[lqm[l]] += s[l];
        if (src->st_diag) {
            d = dst->st_diag + vmap[h] * DL;
            s = src->st_diag + h * L;
            for (size_t l = 0; l < L; l++)
                d[lqm[l]] += s[l];
        }
        if (src->st_cross) {
            d = dst->st_cross + vmap[h] * DL * DL;
            s = src->st_cross + h * L * L;
            for (size_t l = 0; l < L; l++)
                for (size_t m = 0; m < L; m++)
                    d[lqm[l] * DL + lqm[m]] += s[l * L + m];
        }
    }
}

/* The variance sums' count: units or strata. */
static size_t var_count(const sd_accum *a)
{
    return a->vmode == SD_VMODE_UNITS ? a->nunits : a->vmode == SD_VMODE_MOMENTS ? a->nstrata
                                                                                 : 0;
}

/* Room in a table's sums for `count` units or strata (the new ones zero). */
static bool grow_var(sd_accum *a, size_t count)
{
    size_t old = var_count(a), L = a->nlq, cap;
    if (count <= old || a->vmode == SD_VMODE_NONE)
        return true;
    size_t k;
    if (!sd__mul_ok(count, L, &k) || !sd__mul_ok(k, a->st_cross ? L : 1, &k) ||
        k > ((size_t)1 << 28))
        return false;
    if (a->vmode == SD_VMODE_UNITS) {
        cap = old * L;
        if (!grow_zero((void **)&a->unit_tot, &cap, old * L, count * L, sizeof(double)))
            return false;
        a->nunits = count;
        return true;
    }
    cap = old * L;
    if (!grow_zero((void **)&a->st_sum, &cap, old * L, count * L, sizeof(double)))
        return false;
    cap = old * L;
    if (a->st_diag && !grow_zero((void **)&a->st_diag, &cap, old * L, count * L, sizeof(double)))
        return false;
    cap = old * L * L;
    if (a->st_cross &&
        !grow_zero((void **)&a->st_cross, &cap, old * L * L, count * L * L, sizeof(double)))
        return false;
    a->nstrata = count;
    return true;
}

/* A table's sums laid out for new categories (rmap, cmap: where the old
 * ones go); the variance sums keep their units or strata. */
static bool relayout(sd_accum *a, size_t nrows, size_t ncols, const size_t *rmap,
                     const size_t *cmap)
{
    sd_accum b;
    size_t count = var_count(a);
    if (!sd__accum_init(&b, nrows, ncols))
        return false;
    if (!sd__accum_init_var(&b, a->vmode, count, a->st_diag != NULL)) {
        sd__accum_free(&b);
        return false;
    }
    size_t *ident = sd__zalloc(count ? count : 1, sizeof *ident);
    size_t *lqm = sd__zalloc(a->nlq ? a->nlq : 1, sizeof *lqm);
    if (!ident || !lqm) {
        sd__free(ident);
        sd__free(lqm);
        sd__accum_free(&b);
        return false;
    }
    for (size_t k = 0; k < count; k++)
        ident[k] = k;
    add_mapped(&b, a, rmap, cmap, ident, lqm);
    sd__free(ident);
    sd__free(lqm);
    sd__accum_free(a);
    *a = b;
    return true;
}

/* A string category's value kept in the first chunk's variable (the
 * chunk it came from is dropped). */
static bool keep_str(job *j, size_t var, sd_cat *c)
{
    if (c->kind != SD_CAT_STRING)
        return true;
    sd_var *v = j->first->vars[var];
    uint32_t idx;
    if (!sd__var_intern(v, c->str, strlen(c->str), &idx))
        return false;
    c->str = v->levels[idx];
    return true;
}

/* Do two tables of the same request have the same shape? */
static bool same_shape(const sd_wtable *a, const sd_wtable *b)
{
    return a->number == b->number && a->row_is_mrset == b->row_is_mrset &&
           a->row_is_scale == b->row_is_scale && a->row_index == b->row_index &&
           a->nnets == b->nnets && a->force == b->force && a->col_var == b->col_var &&
           a->col_set == b->col_set && a->col_depth == b->col_depth &&
           a->one_col == b->one_col && a->acc.vmode == b->acc.vmode &&
           (a->acc.st_diag != NULL) == (b->acc.st_diag != NULL) &&
           (a->acc.st_cross != NULL) == (b->acc.st_cross != NULL) &&
           ((a->col_name == NULL) == (b->col_name == NULL)) &&
           (!a->col_name || !strcmp(a->col_name, b->col_name));
}

/* Can the job stream this table (the first chunk's)? */
static const char *table_why(const job *j, const sd_wtable *t)
{
    const sd_dataset *ds = j->first;
    if (t->row_is_mrset && ds->mr[t->row_index]->kind != SD_MRSET_DICHOTOMY)
        return "a category set";
    if (t->col_depth > 1)
        return "a nested banner";
    if (t->col_set >= 0 && ds->mr[t->col_set]->kind != SD_MRSET_DICHOTOMY)
        return "a category-set banner";
    if (t->acc.rep_tot || t->acc.pat_w2 || t->acc.cal_a || t->acc.ovf || t->acc.glm_a)
        return "sums the streaming mode does not gather";
    return NULL;
}

/* The fixed categories of a table's rows (head, tail) and columns. */
static void fixed_rows(const sd_wtable *t, size_t *head, size_t *tail)
{
    bool fixed = t->row_is_mrset || t->row_is_scale; /* set items, a scale's sums */
    *head = fixed ? t->nrows : 0;
    *tail = fixed ? 0 : t->nnets;
}

static void fixed_cols(const sd_wtable *t, size_t *head)
{
    *head = t->col_set >= 0 || t->col_var < 0 ? t->ncols : 1; /* Total (and set items) */
}

/* A scale row's values of a chunk's table (c) into the job's lists for
 * table t, whose columns become nuc (the old ones at camap, c's at cbmap). */
static sd_status keep_values(job *j, const sd_wtable *t, const sd_wtable *c, size_t nuc,
                             const size_t *camap, const size_t *cbmap)
{
    svtab *sv = &j->sv[t - j->g->tables];
    if (!c->sv_off)
        return SD_OK;
    if (nuc != sv->ncols) {
        svlist *col = sd__zalloc(nuc, sizeof *col);
        if (!col)
            return SD_E_NOMEM;
        for (size_t k = 0; k < sv->ncols; k++)
            col[camap[k]] = sv->col[k];
        sd__free(sv->col);
        sv->col = col;
        sv->ncols = nuc;
    }
    for (size_t k = 0; k < c->ncols; k++) {
        svlist *l = &sv->col[cbmap[k]];
        size_t a = c->sv_off[k], b = c->sv_off[k + 1];
        if (b > a && !sd__grow((void **)&l->v, &l->cap, l->n + (b - a), sizeof *l->v))
            return SD_E_NOMEM;
        for (size_t i = a; i < b; i++)
            l->v[l->n++] = (svent){c->sv_x[i], c->sv_w[i], j->seq++};
    }
    return SD_OK;
}

/* A scale table's sorted values and medians, replaced (taken). */
static void set_values(sd_wtable *t, size_t *off, double *x, double *w, double *med)
{
    sd__free(t->sv_off);
    sd__free(t->sv_x);
    sd__free(t->sv_w);
    sd__free(t->median);
    t->sv_off = off;
    t->sv_x = x;
    t->sv_w = w;
    t->median = med;
}

static int cmp_svent(const void *x, const void *y)
{
    const svent *a = x, *b = y;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* A scale table's values, sorted as the whole file's (sd__scale_values),
 * into t's sv arrays, and each column's median. */
static sd_status sort_values(svtab *sv, sd_wtable *t)
{
    if (sv->ncols != t->ncols)
        return SD_E_INTERNAL;
    size_t total = 0;
    for (size_t k = 0; k < sv->ncols; k++)
        total += sv->col[k].n;
    size_t *off = sd__zalloc(t->ncols + 1, sizeof *off);
    double *x = sd__zalloc(total + 1, sizeof *x), *w = sd__zalloc(total + 1, sizeof *w);
    double *med = sd__zalloc(t->ncols + 1, sizeof *med);
    if (!off || !x || !w || !med) {
        sd__free(off);
        sd__free(x);
        sd__free(w);
        sd__free(med);
        return SD_E_NOMEM;
    }
    for (size_t k = 0; k < sv->ncols; k++) {
        svlist *l = &sv->col[k];
        if (l->n > 1)
            qsort(l->v, l->n, sizeof *l->v, cmp_svent);
        off[k + 1] = off[k] + l->n;
        for (size_t i = 0; i < l->n; i++) {
            x[off[k] + i] = l->v[i].x;
            w[off[k] + i] = l->v[i].w;
        }
        med[k] = sd__qrule_math(x + off[k], w + off[k], l->n, 0.5);
    }
    set_values(t, off, x, w, med);
    return SD_OK;
}

/* Merge one table of a chunk (c) into the job's (t). */
static sd_status merge_table(job *j, sd_wtable *t, const sd_wtable *c, const size_t *vmap)
{
    size_t rh, rt, ch, ct;
    fixed_rows(t, &rh, &rt);
    fixed_rows(c, &ch, &ct);
    if (rh != ch || rt != ct)
        return unsupported(j, "a table whose rows differ between chunks");
    size_t chead, chead2;
    fixed_cols(t, &chead);
    fixed_cols(c, &chead2);
    if (chead != chead2)
        return unsupported(j, "a table whose banner differs between chunks");
    sd_cat *ur = NULL, *uc = NULL;
    size_t nur = 0, nuc = 0;
    size_t *ramap = sd__zalloc(t->nrows + 1, sizeof *ramap);
    size_t *rbmap = sd__zalloc(c->nrows + 1, sizeof *rbmap);
    size_t *camap = sd__zalloc(t->ncols + 1, sizeof *camap);
    size_t *cbmap = sd__zalloc(c->ncols + 1, sizeof *cbmap);
    size_t *lqm = sd__zalloc(c->acc.nlq + 1, sizeof *lqm);
    sd_status st = SD_OK;
    if (!ramap || !rbmap || !camap || !cbmap || !lqm) {
        st = SD_E_NOMEM;
        goto done;
    }
    if (!cats_union(t->rows, t->nrows, c->rows, c->nrows, rh, rt, &ur, &nur, ramap, rbmap) ||
        !cats_union(t->cols, t->ncols, c->cols, c->ncols, chead, 0, &uc, &nuc, camap, cbmap)) {
        st = unsupported(j, "categories of different kinds in different chunks (a column "
                            "that turns to text)");
        goto done;
    }
    if (nur > SD_MAX_CATEGORIES + t->nnets || nuc > SD_MAX_CATEGORIES + 1) {
        st = unsupported(j, "a variable with too many distinct values");
        goto done;
    }
    for (size_t k = 0; k < nur && st == SD_OK; k++)
        if (!t->row_is_mrset && !keep_str(j, t->row_index, &ur[k]))
            st = SD_E_NOMEM;
    for (size_t k = 0; k < nuc && st == SD_OK; k++)
        if (t->col_var >= 0 && !keep_str(j, (size_t)t->col_var, &uc[k]))
            st = SD_E_NOMEM;
    if (st != SD_OK)
        goto done;
    if (nur != t->nrows || nuc != t->ncols) {
        if (!relayout(&t->acc, nur, nuc, ramap, camap)) {
            st = unsupported(j, "a table too large for its variance sums");
            goto done;
        }
    }
    if (t->row_is_scale && (st = keep_values(j, t, c, nuc, camap, cbmap)) != SD_OK)
        goto done;
    sd__free(t->rows);
    sd__free(t->cols);
    t->rows = ur;
    t->cols = uc;
    t->nrows = nur;
    t->ncols = nuc;
    ur = uc = NULL;
    add_mapped(&t->acc, &c->acc, rbmap, cbmap, vmap, lqm);
done:
    sd__free(ur);
    sd__free(uc);
    sd__free(ramap);
    sd__free(rbmap);
    sd__free(camap);
    sd__free(cbmap);
    sd__free(lqm);
    return st;
}

/* The used variables must read alike in every chunk (a column that turns
 * to text in one would be text in the whole file). */
static bool same_vars(const job *j, const sd_dataset *ds)
{
    if (ds->nvars != j->first->nvars)
        return false;
    for (size_t i = 0; i < ds->nvars; i++)
        if (j->use[i] && (ds->vars[i]->type != j->first->vars[i]->type ||
                          ((j->use[i] & SD_USE_AXIS) &&
                           ds->vars[i]->measure != j->first->vars[i]->measure)))
            return false;
    return true;
}

/* A chunk's work into the job's. */
static sd_status absorb(job *j, sd_dataset *ds, sd_work *w)
{
    if (w->ntables != j->g->ntables || w->design.nstages != j->g->design.nstages ||
        !same_vars(j, ds))
        return unsupported(j, "variables that read otherwise in a later chunk");
    const sd_design *d = &w->design;
    size_t *smap = sd__zalloc(d->nstrata + 1, sizeof *smap);
    size_t *umap = sd__zalloc((d->nstages ? d->nunits[0] : 0) + 1, sizeof *umap);
    sd_status st = smap && umap ? map_design(j, ds, d, smap, umap) : SD_E_NOMEM;
    const size_t *vmap = d->nstages ? umap : smap;
    size_t count = d->nstages ? j->nunits : j->strata.n;
    for (size_t i = 0; st == SD_OK && i < w->ntables; i++) {
        sd_wtable *t = &j->g->tables[i], *c = &w->tables[i];
        if (!same_shape(t, c))
            st = unsupported(j, "tables that differ between chunks");
        else if (!grow_var(&t->acc, count))
            st = unsupported(j, "a table too large for its variance sums");
        else
            st = merge_table(j, t, c, vmap);
    }
    sd__free(smap);
    sd__free(umap);
    if (st != SD_OK)
        return st;
    for (size_t i = 0; i < w->ntables; i++) {
        const sd_wtable *t = &w->tables[i];
        if (!t->row_is_mrset && (i == 0 || t->number != w->tables[i - 1].number))
            sd__var_count_distinct(ds->vars[t->row_index], ds->nrows, &j->dist[t->row_index]);
    }
    j->rows += (double)ds->nrows;
    j->rows_in += w->rows_in;
    j->nw_blank += w->nw_blank;
    j->nw_negative += w->nw_negative;
    j->nw_zero += w->nw_zero;
    for (size_t r = 0; d->w && r < ds->nrows; r++)
        j->maxw = fabs(d->w[r]) > j->maxw ? fabs(d->w[r]) : j->maxw;
    return SD_OK;
}

/* ---- the end: the whole file's order and design */

/* The rank of every value of a set in sorted order (the design's
 * numbering: index_column's). */
static size_t *ranks(const idset *set)
{
    size_t n = set->n;
    idref *ord = sd__zalloc(n + 1, sizeof *ord);
    size_t *rank = sd__zalloc(n + 1, sizeof *rank);
    if (!ord || !rank) {
        sd__free(ord);
        sd__free(rank);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = (idref){&set->v[i], i};
    qsort(ord, n, sizeof *ord, cmp_idref);
    for (size_t i = 0; i < n; i++)
        rank[ord[i].at] = i;
    sd__free(ord);
    return rank;
}

/* A unit's place: its stratum's rank, then its cluster value's (the
 * order make_units gives). */
typedef struct unitref {
    size_t h, c, at;
} unitref;

static int cmp_unitref(const void *x, const void *y)
{
    const unitref *a = x, *b = y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return (a->c > b->c) - (a->c < b->c);
}

/* Reorder the first `count` blocks of `each` doubles: block i to perm[i]. */
static bool permute(double *p, size_t count, size_t each, const size_t *perm)
{
    if (!p || !count)
        return true;
    double *q = sd__reallocarray(NULL, count * each, sizeof *q);
    if (!q)
        return false;
    for (size_t i = 0; i < count; i++)
        memcpy(q + perm[i] * each, p + i * each, each * sizeof *q);
    memcpy(p, q, count * each * sizeof *q);
    sd__free(q);
    return true;
}

static sd_status finish(job *j)
{
    sd_work *g = j->g;
    size_t ns = j->strata.n;
    size_t *srank = ranks(&j->strata), *crank = ranks(&j->clus);
    size_t *uperm = sd__zalloc(j->nunits + 1, sizeof *uperm);
    unitref *uord = sd__zalloc(j->nunits + 1, sizeof *uord);
    sd_status st = srank && crank && uperm && uord ? SD_OK : SD_E_NOMEM;
    bool clustered = g->design.nstages > 0;
    if (st == SD_OK && clustered) {
        for (size_t u = 0; u < j->nunits; u++)
            uord[u] = (unitref){srank[j->units[u].h], crank[j->units[u].c], u};
        qsort(uord, j->nunits, sizeof *uord, cmp_unitref);
        for (size_t k = 0; k < j->nunits; k++)
            uperm[uord[k].at] = k;
    }
    for (size_t i = 0; st == SD_OK && i < g->ntables; i++) {
        sd_accum *a = &g->tables[i].acc;
        size_t L = a->nlq;
        bool ok = clustered ? permute(a->unit_tot, a->nunits, L, uperm)
                            : permute(a->st_sum, a->nstrata, L, srank) &&
                                  permute(a->st_diag, a->nstrata, L, srank) &&
                                  permute(a->st_cross, a->nstrata, L * L, srank);
        if (!ok)
            st = SD_E_NOMEM;
    }
    /* The design, as the whole file's would be (what the stats layer
     * reads of it). */
    sd_design *d = &g->design;
    sd_design nd;
    memset(&nd, 0, sizeof nd);
    if (st == SD_OK) {
        nd.nrows = (size_t)j->rows;
        nd.threads = d->threads;
        nd.lonely = j->dspec.lonely;
        nd.nstrata = ns ? ns : 1;
        nd.nstages = d->nstages;
        nd.nw_blank = j->nw_blank;
        nd.nw_negative = j->nw_negative;
        nd.nw_zero = j->nw_zero;
        nd.sampsize[0] = sd__zalloc(nd.nstrata, sizeof *nd.sampsize[0]);
        nd.popsize[0] = sd__zalloc(nd.nstrata, sizeof *nd.popsize[0]);
        if (clustered) {
            nd.nunits[0] = j->nunits;
            nd.parent[0] = sd__zalloc(j->nunits + 1, sizeof *nd.parent[0]);
        }
        if (!nd.sampsize[0] || !nd.popsize[0] || (clustered && !nd.parent[0]))
            st = SD_E_NOMEM;
    }
    for (size_t h = 0; st == SD_OK && h < nd.nstrata; h++)
        nd.popsize[0][h] = INFINITY;
    if (st == SD_OK && clustered) {
        for (size_t u = 0; u < j->nunits; u++) {
            size_t h = srank[j->units[u].h];
            nd.parent[0][uperm[u]] = (int32_t)h;
            nd.sampsize[0][h]++;
        }
    } else if (st == SD_OK) {
        for (size_t h = 0; h < ns; h++)
            nd.sampsize[0][srank[h]] = (size_t)j->strows[h];
    }
    nd.no_variance = !j->dspec.strata && !j->dspec.ncluster && nd.nrows == 1;
    /* What the whole file's design would have refused. */
    if (st == SD_OK && nd.lonely == SD_LONELY_FAIL && (j->dspec.strata || j->dspec.ncluster))
        for (size_t h = 0; h < nd.nstrata; h++)
            if (nd.sampsize[0][h] == 1)
                st = unsupported(j, "a stratum with one PSU under --lonely-psu fail");
    if (st == SD_OK && nd.nrows && j->maxw > sqrt(DBL_MAX / 16 / (double)nd.nrows))
        st = unsupported(j, "weights too large for the sums");
    if (st == SD_OK) {
        sd__design_free(d);
        *d = nd;
        memset(&nd, 0, sizeof nd);
        g->rows_used = j->rows;
        g->rows_in = j->rows_in;
        g->nw_blank = j->nw_blank;
        g->nw_negative = j->nw_negative;
        g->nw_zero = j->nw_zero;
    }
    sd__design_free(&nd);
    sd__free(srank);
    sd__free(crank);
    sd__free(uperm);
    sd__free(uord);
    return st;
}

/* Table entries go on lettering across a row entry's banners. */
static void reletter(sd_work *g)
{
    size_t letter = 0;
    for (size_t i = 0; i < g->ntables; i++) {
        if (i == 0 || g->tables[i].number != g->tables[i - 1].number)
            letter = 0;
        g->tables[i].letter0 = letter;
        letter += g->tables[i].ncols - 1;
    }
}

/* What the request asks that a stream cannot give (NULL: nothing). */
static const char *spec_why(const job *j, const sd_dataset *hd)
{
    const sd_tabspec *s = j->spec;
    const sd_designspec *d = &j->dspec;
    if (s->glm_start)
        return "likelihood intervals (a second pass)";
    if (s->calib || s->weighting.targets || hd->design.calibration)
        return "a weighting";
    if (d->nrepweights || d->reptype != SD_REP_NONE || d->make_replicates != SD_REP_NONE)
        return "replicate weights";
    if (d->nfpc)
        return "an fpc";
    if (d->ncluster > 1)
        return "more than one cluster stage";
    return NULL;
}

/* ---- the reader: chunks parsed on threads of their own while the last
 * ones are tabulated, or in line on one thread. A parser takes the next
 * chunk, finds where the one after it starts (sd__dstream_skip: a scan of
 * line ends, far quicker than the parse) and parses its own; the chunks
 * are tabulated in order. A chunk whose parse does not stop where the scan
 * said, or text the scan does not follow, fails the stream: the file is
 * then read whole, which says what is wrong with it. */

#define FEED_DEPTH 4   /* chunks parsed ahead of the tabulation at most */
#define FEED_THREADS 4 /* parsers at most */

typedef struct fslot {
    size_t k;
    bool ready, ok;
    sd_dataset *ds;
} fslot;

typedef struct feed {
    sd_dstream *ss;
    size_t rows;
    size_t nth;
    pthread_t th[FEED_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    fslot slot[FEED_DEPTH];
    size_t next_k, consumed, total;
    sd_csv_pos next_start;
    bool at_end, failed, stop;
    sd_error *err; /* in line: the reads' */
} feed;

static void *feed_run(void *arg)
{
    feed *f = arg;
    sd_error *e = sd_error_new();
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->stop && !f->at_end && !f->failed && f->next_k - f->consumed >= FEED_DEPTH)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->stop || f->at_end || f->failed || !e) {
            f->failed |= !e;
            break;
        }
        size_t k = f->next_k;
        sd_csv_pos from = f->next_start, want;
        if (!sd__dstream_skip(f->ss, from, f->rows, &want)) {
            f->failed = true;
            break;
        }
        if (want.off == from.off) { /* nothing left */
            f->at_end = true;
            f->total = k;
            break;
        }
        f->next_start = want;
        f->next_k++;
        pthread_mutex_unlock(&f->mu);
        sd_dataset *ds = NULL;
        sd_csv_pos to;
        bool ok = sd__dstream_read(f->ss, from, f->rows, &ds, &to, e) == SD_OK &&
                  to.off == want.off && to.line == want.line;
        sd_error_clear(e);
        pthread_mutex_lock(&f->mu);
        fslot *sl = &f->slot[k % FEED_DEPTH];
        sl->k = k;
        sl->ds = ds;
        sl->ok = ok;
        sl->ready = true;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    sd_error_free(e);
    return NULL;
}

static void feed_start(feed *f, sd_dstream *ss, size_t rows, int threads, sd_error *err)
{
    memset(f, 0, sizeof *f);
    f->ss = ss;
    f->rows = rows;
    f->err = err;
    f->next_start = sd__dstream_body(ss);
    size_t nt = sd__thread_count(threads);
    if (nt < 2)
        return;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    for (size_t i = 0; i < (nt < FEED_THREADS ? nt : FEED_THREADS); i++) {
        if (pthread_create(&f->th[i], NULL, feed_run, f) != 0)
            break;
        f->nth++;
    }
    if (!f->nth) {
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
    }
}

/* The next chunk in order (NULL at the end); false when the read failed. */
static bool feed_next(feed *f, sd_dataset **out)
{
    *out = NULL;
    if (!f->nth) {
        sd_csv_pos to;
        if (sd__dstream_read(f->ss, f->next_start, f->rows, out, &to, f->err) != SD_OK)
            return false;
        f->next_start = to;
        return true;
    }
    pthread_mutex_lock(&f->mu);
    size_t k = f->consumed;
    fslot *sl = &f->slot[k % FEED_DEPTH];
    while (!(sl->ready && sl->k == k) && !f->failed && !(f->at_end && k >= f->total))
        pthread_cond_wait(&f->cv, &f->mu);
    bool ok = true;
    if (sl->ready && sl->k == k) {
        *out = sl->ds;
        ok = sl->ok;
        sl->ds = NULL;
        sl->ready = false;
        f->consumed++;
        if (!ok) {
            sd_dataset_free(*out);
            *out = NULL;
            f->failed = true;
        }
        pthread_cond_broadcast(&f->cv);
    } else if (f->failed) {
        ok = false;
    }
    pthread_mutex_unlock(&f->mu);
    return ok;
}

static void feed_stop(feed *f)
{
    if (!f->nth)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    for (size_t i = 0; i < f->nth; i++)
        pthread_join(f->th[i], NULL);
    for (size_t k = 0; k < FEED_DEPTH; k++)
        sd_dataset_free(f->slot[k].ds);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    f->nth = 0;
}

/* One job's chunk: its own request over the chunk (a copy of the
 * request: one pass chunk, one thread, the lonely-PSU question left to
 * finish), merged into the job's tables. */
static sd_status job_chunk(job *j, const sd_tabspec *cs, sd_dataset *ds, bool first,
                           sd_error *quiet)
{
    sd_work *cw = NULL;
    if (sd__tabulate_counts(ds, cs, &cw, quiet) != SD_OK)
        return unsupported(j, "a chunk that does not tabulate alone");
    sd_status st = SD_OK;
    if (!j->g) {
        /* The first chunk's work gives the tables; their sums start from
         * zero and take the chunk as every later one (cw again). */
        j->g = cw;
        j->first = first ? ds : NULL;
        if (!(j->sv = sd__zalloc(j->g->ntables + 1, sizeof *j->sv)))
            st = SD_E_NOMEM;
        else
            j->nsv = j->g->ntables;
        for (size_t i = 0; i < j->g->ntables && st == SD_OK; i++) {
            const char *tw = table_why(j, &j->g->tables[i]);
            if (tw)
                st = unsupported(j, tw);
        }
        cw = NULL;
        if (st == SD_OK && sd__tabulate_counts(ds, cs, &cw, quiet) != SD_OK)
            st = unsupported(j, "a chunk that does not tabulate alone");
        for (size_t i = 0; st == SD_OK && i < j->g->ntables; i++) {
            sd_accum *a = &j->g->tables[i].acc;
            sd__accum_zero(a);
            if (a->vmode == SD_VMODE_UNITS)
                a->nunits = 0;
            else if (a->vmode == SD_VMODE_MOMENTS)
                a->nstrata = 0;
        }
    }
    if (st == SD_OK)
        st = absorb(j, ds, cw);
    sd__work_free(cw);
    return st;
}

/* A job's end: the whole file's checks, order and design; its work. */
static sd_status job_end(job *j, sd_dataset *first)
{
    if (!j->g)
        return unsupported(j, "a file without rows");
    j->first = first;
    /* A row variable's measure is the whole file's: from its values over
     * every chunk, by the rule that made each chunk's (data/measure.c). */
    for (size_t i = 0; i < j->g->ntables; i++) {
        const sd_wtable *t = &j->g->tables[i];
        if (t->row_is_mrset)
            continue;
        sd_measure m = sd__var_measure_from(j->hd->vars[t->row_index], &j->dist[t->row_index]);
        if (first->vars[t->row_index]->type != SD_TYPE_NUMERIC)
            m = first->vars[t->row_index]->measure;
        if (t->force == 0 && (m == SD_MEASURE_SCALE) != t->row_is_scale)
            return unsupported(j, "a variable the whole file reads otherwise (a scale or "
                                  "categories)");
        first->vars[t->row_index]->measure = m;
    }
    sd_status st = finish(j);
    if (st != SD_OK)
        return st;
    reletter(j->g);
    for (size_t i = 0; i < j->g->ntables; i++) {
        sd_wtable *t = &j->g->tables[i];
        t->row_name = t->row_is_mrset ? first->mr[t->row_index]->name
                                      : first->vars[t->row_index]->name;
        t->banner_missing_n = t->acc.bm_n;
        t->banner_missing_w = t->acc.bm_w;
    }
    return SD_OK;
}

static void job_free(job *j)
{
    for (size_t i = 0; j->sv && i < j->nsv; i++) {
        for (size_t k = 0; k < j->sv[i].ncols; k++)
            sd__free(j->sv[i].col[k].v);
        sd__free(j->sv[i].col);
    }
    sd__free(j->sv);
    sd__free(j->dist);
    sd__work_free(j->g);
    idset_free(&j->strata);
    idset_free(&j->clus);
    sd__free(j->cstrat);
    sd__free(j->units);
    sd__hindex_free(&j->uh);
    sd__free(j->strows);
    sd__free((void *)j->use);
    sd__designspec_free(&j->dspec);
}

/* A job for request `spec` (its uses, its design): SD_E_UNSUPPORTED when
 * it asks what a stream cannot give. */
static sd_status job_init(job *j, sd_tabspec *spec, const sd_dataset *hd, sd_tabspec *cs,
                          sd_error *quiet)
{
    memset(j, 0, sizeof *j);
    j->spec = spec;
    j->hd = hd;
    uint8_t *use = sd__zalloc(hd->nvars + 1, 1);
    j->use = use;
    j->dist = sd__zalloc(hd->nvars + 1, sizeof *j->dist);
    if (!use || !j->dist)
        return SD_E_NOMEM;
    if (sd__tabspec_uses(hd, spec, use, quiet) != SD_OK)
        return unsupported(j, "a request that does not resolve against the file's header");
    if (sd__designspec_copy(&j->dspec, &spec->design, quiet) != SD_OK ||
        sd__designspec_fill(&j->dspec, &hd->design, quiet) != SD_OK)
        return unsupported(j, "a design that does not resolve");
    const char *w = spec_why(j, hd);
    if (w)
        return unsupported(j, w);
    /* Each chunk as its own request: one pass chunk of the in-memory
     * pass's size (the same sums in the same order), on one thread. */
    *cs = *spec;
    cs->chunk_rows = spec->chunk_rows ? spec->chunk_rows : SD_CHUNK_ROWS;
    cs->threads = 1;
    cs->design.lonely = SD_LONELY_REMOVE;
    cs->design.has_lonely = true;
    return SD_OK;
}

/* A variable the first chunk reads as a scale by the measure rule alone
 * (stated by nobody, no value labels) is a scale in the whole file, which
 * has all of its values and more (data/measure.c: a non-integer, or 24
 * distinct values, make a scale): so it is in a later chunk too, though
 * that chunk alone might have too few values to say so. */
static void promote_scales(const sd_dataset *first, sd_dataset *ds)
{
    for (size_t i = 0; i < ds->nvars && i < first->nvars; i++) {
        const sd_var *f = first->vars[i];
        sd_var *v = ds->vars[i];
        if (f->measure == SD_MEASURE_SCALE && v->measure != SD_MEASURE_SCALE &&
            !f->measure_given && f->nvl == 0 && f->type == SD_TYPE_NUMERIC &&
            v->type == SD_TYPE_NUMERIC && v->nvl == 0)
            v->measure = SD_MEASURE_SCALE;
    }
}

/* A column a chunk reads as text and another as numbers with no value at
 * all (empty fields are of no type): text in both, as in the whole file. */
static void align_types(sd_dataset *first, sd_dataset *ds)
{
    for (size_t i = 0; i < ds->nvars && i < first->nvars; i++) {
        sd_var *f = first->vars[i], *v = ds->vars[i];
        if (f->type == SD_TYPE_STRING && v->type == SD_TYPE_NUMERIC)
            (void)sd__var_blank_string(v, ds->nrows);
        else if (f->type == SD_TYPE_NUMERIC && v->type == SD_TYPE_STRING)
            (void)sd__var_blank_string(f, first->nrows);
    }
}

/* One read of the file for every job, to their ends; *first: the first
 * chunk (every job's variables and labels). */
static sd_status read_file(sd_dstream *ss, job *jobs, const sd_tabspec *cs, size_t n,
                           int threads, sd_dataset **first, char *reason, size_t rlen,
                           sd_error *quiet)
{
    *first = NULL;
    sd_dataset *ds = NULL;
    sd_error *rerr = sd_error_new();
    if (!rerr)
        return SD_E_NOMEM;
    sd_status st = SD_OK;
    feed fd;
    feed_start(&fd, ss, cs[0].chunk_rows, threads, rerr);
    while (st == SD_OK) {
        if (!feed_next(&fd, &ds)) {
            snprintf(reason, rlen,
                     "the file's rows need a whole read (an error, or text the whole file "
                     "reads otherwise)");
            st = SD_E_UNSUPPORTED;
            break;
        }
        if (!ds)
            break;
        bool is_first = *first == NULL;
        if (!is_first) {
            promote_scales(*first, ds);
            align_types(*first, ds);
        }
        for (size_t i = 0; i < n && st == SD_OK; i++) {
            if (!is_first)
                jobs[i].first = *first;
            if ((st = job_chunk(&jobs[i], &cs[i], ds, is_first, quiet)) != SD_OK)
                snprintf(reason, rlen, "%s", jobs[i].why);
        }
        if (is_first)
            *first = ds; /* kept: the variables and labels of every work */
        else
            sd_dataset_free(ds);
        ds = NULL;
    }
    feed_stop(&fd);
    for (size_t i = 0; i < n && st == SD_OK; i++)
        if ((st = job_end(&jobs[i], *first)) != SD_OK)
            snprintf(reason, rlen, "%s", jobs[i].why);
    sd_error_free(rerr);
    return st;
}

/* After a first read: does any job have a scale row? Then its medians
 * (the whole file's, from the values kept) for the second read. */
static sd_status scale_medians(job *jobs, size_t n, sd_tabspec *cs, sd_given_medians **given,
                               bool *any)
{
    *any = false;
    for (size_t i = 0; i < n; i++) {
        sd_work *g = jobs[i].g;
        given[i] = NULL;
        for (size_t k = 0; k < g->ntables; k++) {
            sd_wtable *t = &g->tables[k];
            if (!t->row_is_scale)
                continue;
            *any = true;
            if (!given[i] && !(given[i] = sd__zalloc(g->ntables, sizeof *given[i])))
                return SD_E_NOMEM;
            sd_status st = sort_values(&jobs[i].sv[k], t);
            if (st != SD_OK)
                return st;
            given[i][k] = (sd_given_medians){t->cols, t->median, t->ncols};
        }
        cs[i].given_medians = given[i];
        cs[i].ngiven = given[i] ? g->ntables : 0;
    }
    return SD_OK;
}

/* The second read's scale tables take the first's values (the same
 * columns, or the file read otherwise: refused). */
static sd_status take_values(job *a, job *b)
{
    for (size_t k = 0; k < b->g->ntables; k++) {
        sd_wtable *s = &a->g->tables[k], *t = &b->g->tables[k];
        if (!t->row_is_scale)
            continue;
        bool same = k < a->g->ntables && s->ncols == t->ncols;
        for (size_t c = 0; same && c < t->ncols; c++)
            same = sd__cat_same(&s->cols[c], &t->cols[c]);
        if (!same)
            return unsupported(b, "a scale row's columns that differ between two reads");
        set_values(t, s->sv_off, s->sv_x, s->sv_w, s->median);
        s->sv_off = NULL;
        s->sv_x = s->sv_w = s->median = NULL;
    }
    return SD_OK;
}

sd_status sd__tabulate_stream(const char *path, const sd_open_options *opts,
                              sd_tabspec *const *specs, size_t n, sd_work **out, char *why,
                              size_t whylen, sd_error *err)
{
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    job *jobs = sd__zalloc(n + 1, sizeof *jobs), *again = NULL;
    sd_tabspec *cs = sd__zalloc(n + 1, sizeof *cs);
    sd_given_medians **given = sd__zalloc(n + 1, sizeof *given);
    sd_dataset *hd = NULL, *first = NULL, *first2 = NULL;
    const char **keep = NULL, **narrow = NULL;
    size_t nkeep = 0, nnarrow = 0;
    sd_error *quiet = sd_error_new();
    char reason[200] = "";
    sd_status st = jobs && cs && given && quiet && n ? SD_OK : SD_E_NOMEM;
    if (st == SD_OK && sd__dataset_open_header(path, opts, &hd, quiet) != SD_OK) {
        snprintf(reason, sizeof reason,
                 "not a CSV file on disk (a pipe, a database, the bundled study and other "
                 "formats are read whole)");
        st = SD_E_UNSUPPORTED;
    }
    if (st == SD_OK && !sd__request_columns(hd, specs, n, &keep, &nkeep, &narrow, &nnarrow)) {
        snprintf(reason, sizeof reason,
                 "a request that does not resolve against the file's header");
        st = SD_E_UNSUPPORTED;
    }
    for (size_t i = 0; st == SD_OK && i < n; i++) {
        st = job_init(&jobs[i], specs[i], hd, &cs[i], quiet);
        if (st == SD_OK && cs[i].chunk_rows != cs[0].chunk_rows)
            st = unsupported(&jobs[i], "requests with chunks of different sizes");
        if (st != SD_OK)
            snprintf(reason, sizeof reason, "%s", jobs[i].why);
    }
    static const char *const no_column[] = {""};
    sd_open_options o = opts ? *opts : (sd_open_options){0};
    o.columns = nkeep ? keep : no_column;
    o.ncolumns = nkeep;
    o.narrow = narrow;
    o.nnarrow = nnarrow;
    int threads = n ? specs[0]->threads : 0;
    sd_dstream *ss = NULL; /* opened once: the second read (a scale row's) reads it again */
    if (st == SD_OK && sd__dstream_open(path, &o, &ss, quiet) != SD_OK) {
        snprintf(reason, sizeof reason, "a file that cannot be mapped as UTF-8 CSV");
        st = SD_E_UNSUPPORTED;
    }
    if (st == SD_OK)
        st = read_file(ss, jobs, cs, n, threads, &first, reason, sizeof reason, quiet);
    /* A scale row: its median is the whole file's, and the rows at or
     * below it are counted in a second read (its values kept from the
     * first: "keep just their column"). */
    bool any = false;
    if (st == SD_OK)
        st = scale_medians(jobs, n, cs, given, &any);
    if (st == SD_OK && any) {
        if (!(again = sd__zalloc(n + 1, sizeof *again)))
            st = SD_E_NOMEM;
        for (size_t i = 0; st == SD_OK && i < n; i++) {
            sd_tabspec keep_cs = cs[i];
            st = job_init(&again[i], specs[i], hd, &cs[i], quiet);
            cs[i].given_medians = keep_cs.given_medians;
            cs[i].ngiven = keep_cs.ngiven;
        }
        if (st == SD_OK)
            st = read_file(ss, again, cs, n, threads, &first2, reason, sizeof reason, quiet);
        for (size_t i = 0; st == SD_OK && i < n; i++)
            if ((st = take_values(&jobs[i], &again[i])) != SD_OK)
                snprintf(reason, sizeof reason, "%s", again[i].why);
        if (st == SD_OK) {
            /* The second read's works, with its first chunk. */
            for (size_t i = 0; i < n; i++) {
                job t = jobs[i];
                jobs[i] = again[i];
                again[i] = t;
            }
            sd_dataset *f = first;
            first = first2;
            first2 = f;
        }
    }
    if (st == SD_OK) {
        /* The works share the first chunk: the last one owns it. */
        for (size_t i = 0; i < n; i++) {
            out[i] = jobs[i].g;
            out[i]->dataset = first;
            jobs[i].g = NULL;
        }
        out[n - 1]->keep = first;
        first = NULL;
    }
    if (st == SD_E_NOMEM)
        sd__fail(err, SD_E_NOMEM, path, 0, 0, NULL, "out of memory");
    else if (st != SD_OK)
        sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL, "%s", reason);
    if (why)
        snprintf(why, whylen, "%s", st == SD_OK ? "" : reason);
    for (size_t i = 0; jobs && i < n; i++)
        job_free(&jobs[i]);
    for (size_t i = 0; again && i < n; i++)
        job_free(&again[i]);
    for (size_t i = 0; given && i < n; i++)
        sd__free(given[i]);
    sd__free(given);
    sd__free(jobs);
    sd__free(again);
    sd__free(cs);
    sd_dataset_free(first);
    sd_dataset_free(first2);
    sd__dstream_free(ss);
    sd_dataset_free(hd);
    sd__free(keep);
    sd__free(narrow);
    sd_error_free(quiet);
    return st == SD_OK ? SD_OK : st == SD_E_NOMEM ? SD_E_NOMEM : SD_E_UNSUPPORTED;
}
