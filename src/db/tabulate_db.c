/*
 * tabulate_db.c — a tabulation of a table whose rows stay in PostgreSQL,
 * computed there (db.h): the push-down.
 *
 * The engine's sums are sums over rows, and every row of a group that
 * shares a table's row and banner values, stratum, unit and replicate
 * pattern adds the same LQ values: so one aggregate query per table —
 *
 *     SELECT <row and banner columns>, <design keys>,
 *            count(*) FILTER (WHERE in), sum(w) FILTER (WHERE in),
 *            sum(w*w) FILTER (WHERE in), sum(w_r) FILTER (WHERE in)…
 *     FROM t GROUP BY <all of them>
 *
 * (`in`: the filters, as SQL with bound parameters, and a weight that
 * keeps the row) — gives, group by group, what the pass adds row by row,
 * and the engine's hook (engine/grouped.c) adds it to the same
 * accumulators. Plain GROUP BY aggregates, so a distributed engine (Citus)
 * runs them on its workers and merges partial sums (docs/postgresql.md).
 * The groups cover every row (the conditions are in FILTER clauses, not in
 * a WHERE), so their values are also the variables' observed values: the
 * categories come out as a file's would.
 *
 * The plan is the engine's own, run twice on small datasets made of the
 * codebook: first with no rows (which tables, which columns, and every
 * check of names and filters, with the engine's messages), then with each
 * variable's distinct values as rows (the categories, as a file with the
 * same values gives them). Each table's groups become a small dataset of
 * their own, on which the engine's category maps and banners index them.
 * The design comes from design_db.c. Every query runs in one REPEATABLE
 * READ transaction: one snapshot, even while a field server writes.
 */
#include "db.h"
#include "dbint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sd__db_keys_sql(const sd_dbdesign *dd, const sd_dataset *ds, sd_strbuf *sql,
                     sd_pgparams *p);

static sd_status nomem(const sd_dataset *ds, sd_error *err)
{
    return sd__fail(err, SD_E_NOMEM, ds->source, 0, 0, NULL, "out of memory");
}

/* One table's query and what came back. */
typedef struct tq {
    size_t *dims;     /* the variables grouped by (indexes in the codebook) */
    size_t ndims;
    bool *cat;        /* per dim: used as categories somewhere (K1 needs its values) */
    sd_dataset *K;    /* the groups as rows: the dims (and the sets of the table) */
    double *cnt, *sw, *sw2, *swr, *wval;
    int32_t *krow;
    size_t n, cap;
} tq;

static void tq_free(tq *q)
{
    sd__free(q->dims);
    sd__free(q->cat);
    sd_dataset_free(q->K);
    sd__free(q->cnt);
    sd__free(q->sw);
    sd__free(q->sw2);
    sd__free(q->swr);
    sd__free(q->wval);
    sd__free(q->krow);
    memset(q, 0, sizeof *q);
}

static bool add_dim(tq *q, size_t v, bool categorical)
{
    for (size_t i = 0; i < q->ndims; i++)
        if (q->dims[i] == v) {
            q->cat[i] |= categorical;
            return true;
        }
    size_t *d = sd__reallocarray(q->dims, q->ndims + 1, sizeof *d);
    if (!d)
        return false;
    q->dims = d;
    bool *c = sd__reallocarray(q->cat, q->ndims + 1, sizeof *c);
    if (!c)
        return false;
    q->cat = c;
    q->dims[q->ndims] = v;
    q->cat[q->ndims++] = categorical;
    return true;
}

/* The columns a table of the plan groups by. */
static bool table_dims(const sd_dataset *ds, const sd_wtable *t, tq *q)
{
    if (t->row_is_mrset) {
        const sd_mrset *m = ds->mr[t->row_index];
        for (size_t k = 0; k < m->nvars; k++)
            if (!add_dim(q, m->vars[k], true))
                return false;
    } else if (!add_dim(q, t->row_index, !t->row_is_scale)) {
        return false;
    }
    if (t->col_set >= 0) {
        const sd_mrset *m = ds->mr[t->col_set];
        for (size_t k = 0; k < m->nvars; k++)
            if (!add_dim(q, m->vars[k], true))
                return false;
    } else if (t->colpath) {
        for (size_t l = 0; l < t->col_depth; l++)
            if (!add_dim(q, (size_t)t->col_levels[l], true))
                return false;
    } else if (t->col_var >= 0 && !add_dim(q, (size_t)t->col_var, true)) {
        return false;
    }
    return true;
}

/* The codebook as a dataset of its own, without a design (the plan runs
 * without one: design_db.c resolves it against the database). */
static sd_status plan_dataset(const sd_dataset *ds, sd_dataset **out, sd_error *err)
{
    sd_status st = sd__dataset_copy_meta(ds, out, err);
    if (st == SD_OK)
        sd__designspec_free(&(*out)->design);
    return st;
}

/* The request as the plan runs it: no design, no weighting, no glm pass. */
static sd_tabspec plan_spec(const sd_tabspec *spec)
{
    sd_tabspec s = *spec;
    memset(&s.design, 0, sizeof s.design);
    memset(&s.weighting, 0, sizeof s.weighting);
    s.calib = NULL;
    s.glm_start = false;
    return s;
}

/* "the rows are in" for the request: its filters and a weight that keeps
 * the row. */
static sd_status in_cond(const sd_dataset *ds, const sd_pgsrc *src, const sd_tabspec *spec,
                         const sd_dbdesign *dd, sd_strbuf *sql, sd_pgparams *p, sd_error *err)
{
    sd__sb_putc(sql, '(');
    for (size_t k = 0; k < spec->nfilters; k++) {
        sd__sb_putc(sql, '(');
        sd_status st = sd__db_filter_sql(ds, src, spec->filters[k], sql, p, err);
        if (st != SD_OK)
            return st;
        sd__sb_puts(sql, ") AND ");
    }
    sd__db_wvalid(dd, ds, sql, p);
    sd__sb_putc(sql, ')');
    return SD_OK;
}

static bool needs_sw2(const sd_dbdesign *dd)
{
    return dd->vmode == SD_VMODE_MOMENTS || dd->d.pattern;
}

/* Run one table's GROUP BY; its groups become the rows of q->K. */
static sd_status run_query(sd_pgsrc *src, const sd_dataset *ds, const sd_tabspec *spec,
                           sd_dbdesign *dd, tq *q, sd_error *err)
{
    sd_status st = SD_OK;
    /* The groups' dataset: the dims' codebook, and the sets whose items
     * are all among them. */
    if (!(q->K = sd__dataset_new(ds->source)))
        return nomem(ds, err);
    size_t *map = sd__zalloc(ds->nvars, sizeof *map);
    if (!map)
        return nomem(ds, err);
    for (size_t i = 0; i < ds->nvars; i++)
        map[i] = SIZE_MAX;
    for (size_t i = 0; i < q->ndims && st == SD_OK; i++) {
        map[q->dims[i]] = i;
        st = sd__var_copy_meta(q->K, ds->vars[q->dims[i]], NULL, err);
    }
    for (size_t m = 0; m < ds->nmr && st == SD_OK; m++) {
        bool all = ds->mr[m]->nvars > 0;
        for (size_t k = 0; k < ds->mr[m]->nvars; k++)
            all &= map[ds->mr[m]->vars[k]] != SIZE_MAX;
        if (all)
            st = sd__mrset_copy_meta(q->K, ds->mr[m], map, err);
    }
    sd__free(map);
    if (st != SD_OK)
        return st;
    bool glm = spec->glm_start;
    bool sw2 = dd->wexpr && needs_sw2(dd);
    sd_strbuf sql;
    sd_pgparams p;
    sd__sb_init(&sql, (size_t)1 << 26);
    sd__pgp_init(&p);
    sd__sb_puts(&sql, "SELECT ");
    for (size_t i = 0; i < q->ndims; i++)
        sd__sb_printf(&sql, "%s%s", i ? ", " : "", src->expr[q->dims[i]]);
    if (dd->nkeys) {
        sd__sb_puts(&sql, ", ");
        sd__db_keys_sql(dd, ds, &sql, &p);
    }
    size_t ngroup = q->ndims + dd->nkeys;
    if (glm && dd->wexpr) {
        sd__sb_printf(&sql, ", %s", dd->wexpr);
        ngroup++;
    }
    /* The aggregates, each over the rows in the analysis. */
    sd_strbuf in;
    sd__sb_init(&in, (size_t)1 << 26);
    st = in_cond(ds, src, spec, dd, &in, &p, err);
    const char *IN = sd__sb_str(&in);
    sd__sb_printf(&sql, ", count(*) FILTER (WHERE %s)", IN);
    if (dd->wexpr) {
        sd__sb_printf(&sql, ", sum(%s) FILTER (WHERE %s)", dd->wexpr, IN);
        if (sw2)
            sd__sb_printf(&sql, ", sum(%s * %s) FILTER (WHERE %s)", dd->wexpr, dd->wexpr, IN);
    }
    for (size_t r = 0; r < dd->nrep; r++)
        sd__sb_printf(&sql, ", sum(%s) FILTER (WHERE %s)", dd->repexpr[r], IN);
    sd__sb_printf(&sql, " FROM %s GROUP BY ", src->qtable);
    for (size_t i = 0; i < ngroup; i++)
        sd__sb_printf(&sql, "%s%zu", i ? ", " : "", i + 1);
    sd__sb_free(&in);
    if (st == SD_OK && (sd__sb_status(&sql) != SD_OK || sd__pgp_status(&p) != SD_OK))
        st = nomem(ds, err);
    sd_dbq dq;
    memset(&dq, 0, sizeof dq);
    if (st == SD_OK)
        st = sd__dbq_start(&dq, src, sd__sb_str(&sql), &p, "cannot tabulate", err);
    sd__sb_free(&sql);
    sd__pgp_free(&p);
    size_t R = dd->nrep;
    sd_status qst = SD_OK;
    while (st == SD_OK && sd__dbq_next(&dq, &qst, "cannot tabulate", err)) {
        const PGresult *r = dq.row;
        size_t k = q->n;
        if (k == q->cap) {
            size_t nc = q->cap ? q->cap * 2 : 256;
            double *a = sd__reallocarray(q->cnt, nc, sizeof *a);
            if (a)
                q->cnt = a;
            double *b = a ? sd__reallocarray(q->sw, nc, sizeof *b) : NULL;
            if (b)
                q->sw = b;
            double *c = b ? sd__reallocarray(q->sw2, nc, sizeof *c) : NULL;
            if (c)
                q->sw2 = c;
            double *e = c ? sd__reallocarray(q->wval, nc, sizeof *e) : NULL;
            if (e)
                q->wval = e;
            int32_t *f = e ? sd__reallocarray(q->krow, nc, sizeof *f) : NULL;
            if (f)
                q->krow = f;
            size_t rcells;
            double *g = NULL;
            if (f && sd__mul_ok(nc, R ? R : 1, &rcells) &&
                (g = sd__reallocarray(q->swr, rcells, sizeof *g)))
                q->swr = g;
            if (!g || !sd__dataset_reserve_rows(q->K, nc)) {
                st = nomem(ds, err);
                break;
            }
            q->cap = nc;
        }
        for (size_t i = 0; i < q->ndims && st == SD_OK; i++) {
            sd_var *v = q->K->vars[i];
            int c = (int)i;
            if (PQgetisnull(r, 0, c))
                continue;
            if (v->type == SD_TYPE_NUMERIC) {
                double x = sd__pg_float8(PQgetvalue(r, 0, c));
                if (isnan(x))
                    continue; /* a file's NaN is no value either */
                v->num[k] = x;
                v->sysmis[k] = 0;
            } else if (!sd__var_intern(v, PQgetvalue(r, 0, c), (size_t)PQgetlength(r, 0, c),
                                       &v->str[k])) {
                st = nomem(ds, err);
            } else {
                v->sysmis[k] = 0;
            }
        }
        int c = (int)q->ndims;
        int32_t kr = sd__db_key_row(dd, r, c);
        c += (int)dd->nkeys;
        double wv = 1;
        if (glm && dd->wexpr) {
            wv = PQgetisnull(r, 0, c) ? 0 : sd__pg_float8(PQgetvalue(r, 0, c));
            c++;
        }
        double cnt = (double)sd__pg_int8(PQgetvalue(r, 0, c++));
        if (kr == -2) {
            st = sd__fail(err, SD_E_INTERNAL, ds->source, 0, 0, NULL,
                          "a group's design values were not among the design's");
            break;
        }
        double sw = cnt, s2 = cnt;
        if (dd->wexpr) {
            sw = PQgetisnull(r, 0, c) ? 0 : sd__pg_float8(PQgetvalue(r, 0, c));
            c++;
            if (sw2) {
                s2 = PQgetisnull(r, 0, c) ? 0 : sd__pg_float8(PQgetvalue(r, 0, c));
                c++;
            }
        } else if (dd->w_key_rows && kr >= 0) {
            double w = dd->d.w[kr];
            sw = cnt * w;
            s2 = cnt * w * w;
            wv = w;
        }
        for (size_t j = 0; j < R; j++, c++)
            q->swr[k * R + j] = PQgetisnull(r, 0, c) ? 0 : sd__pg_float8(PQgetvalue(r, 0, c));
        q->cnt[k] = cnt;
        q->sw[k] = sw;
        q->sw2[k] = s2;
        q->wval[k] = wv;
        q->krow[k] = kr;
        q->n = k + 1;
        q->K->nrows = k + 1;
    }
    sd__dbq_end(&dq);
    if (st == SD_OK)
        st = qst;
    for (size_t i = 0; st == SD_OK && i < q->K->nvars; i++)
        if (q->K->vars[i]->type == SD_TYPE_STRING &&
            !sd__var_finish_levels(q->K->vars[i], q->K->nrows))
            st = nomem(ds, err);
    return st;
}

/* ---- the categories' dataset: each variable's distinct values as rows */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static sd_status values_dataset(const sd_dataset *ds, tq *qs, size_t nq, sd_dataset **out,
                                sd_error *err)
{
    sd_status st = plan_dataset(ds, out, err);
    if (st != SD_OK)
        return st;
    sd_dataset *K1 = *out;
    /* Where each variable's values are: the first table grouping by it. */
    size_t *src_q = sd__zalloc(ds->nvars, sizeof *src_q), *src_i = NULL;
    bool *cat = sd__zalloc(ds->nvars, sizeof *cat);
    if (!src_q || !cat || !(src_i = sd__zalloc(ds->nvars, sizeof *src_i))) {
        sd__free(src_q);
        sd__free(cat);
        return nomem(ds, err);
    }
    for (size_t v = 0; v < ds->nvars; v++)
        src_q[v] = SIZE_MAX;
    for (size_t t = 0; t < nq; t++)
        for (size_t i = 0; i < qs[t].ndims; i++) {
            size_t v = qs[t].dims[i];
            cat[v] |= qs[t].cat[i];
            if (src_q[v] == SIZE_MAX) {
                src_q[v] = t;
                src_i[v] = i;
            }
        }
    /* Distinct values per categorical variable. */
    double **vals = sd__zalloc(ds->nvars, sizeof *vals);
    size_t *nvals = sd__zalloc(ds->nvars, sizeof *nvals);
    size_t rows = 0;
    if (!vals || !nvals)
        st = nomem(ds, err);
    for (size_t v = 0; v < ds->nvars && st == SD_OK; v++) {
        if (!cat[v] || src_q[v] == SIZE_MAX)
            continue;
        const sd_var *g = qs[src_q[v]].K->vars[src_i[v]];
        size_t n = qs[src_q[v]].K->nrows;
        if (g->type == SD_TYPE_STRING) {
            nvals[v] = g->nlevels;
        } else {
            if (!(vals[v] = sd__zalloc(n ? n : 1, sizeof **vals))) {
                st = nomem(ds, err);
                break;
            }
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (!g->sysmis[k])
                    vals[v][m++] = g->num[k] == 0 ? 0 : g->num[k];
            if (m > 1)
                qsort(vals[v], m, sizeof **vals, cmp_double);
            size_t u = 0;
            for (size_t k = 0; k < m; k++)
                if (k == 0 || vals[v][k] != vals[v][u - 1])
                    vals[v][u++] = vals[v][k];
            nvals[v] = u;
        }
        rows = nvals[v] > rows ? nvals[v] : rows;
    }
    if (st == SD_OK && rows && !sd__dataset_reserve_rows(K1, rows))
        st = nomem(ds, err);
    for (size_t v = 0; v < ds->nvars && st == SD_OK; v++) {
        if (!nvals[v])
            continue;
        sd_var *kv = K1->vars[v];
        const sd_var *g = qs[src_q[v]].K->vars[src_i[v]];
        for (size_t k = 0; k < nvals[v] && st == SD_OK; k++) {
            if (kv->type == SD_TYPE_NUMERIC)
                kv->num[k] = vals[v][k];
            else if (!sd__var_intern(kv, g->levels[k], strlen(g->levels[k]), &kv->str[k]))
                st = nomem(ds, err);
            kv->sysmis[k] = 0;
        }
    }
    if (st == SD_OK)
        K1->nrows = rows;
    for (size_t v = 0; v < ds->nvars && st == SD_OK; v++)
        if (K1->vars[v]->type == SD_TYPE_STRING && !sd__var_finish_levels(K1->vars[v], rows))
            st = nomem(ds, err);
    for (size_t v = 0; vals && v < ds->nvars; v++)
        sd__free(vals[v]);
    sd__free(vals);
    sd__free(nvals);
    sd__free(src_q);
    sd__free(src_i);
    sd__free(cat);
    return st;
}

/* ---- a table's sums from its groups */

/* Allocate t's sums for the design (tabulate.c's run_table). */
static sd_status init_sums(const sd_dataset *ds, sd_wtable *t, const sd_dbdesign *dd,
                           sd_error *err)
{
    const sd_design *d = &dd->d;
    sd__accum_free(&t->acc);
    t->banner_missing_n = t->banner_missing_w = 0;
    sd__free(t->sv_x);
    sd__free(t->sv_w);
    sd__free(t->sv_off);
    sd__free(t->median);
    t->sv_x = t->sv_w = t->median = NULL;
    t->sv_off = NULL;
    return sd__table_sums_init(ds, t, dd->vmode, dd->vcount, d, err);
}

static bool same_cats(const sd_cat *a, const sd_cat *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].kind != b[i].kind || a[i].user_missing != b[i].user_missing)
            return false;
        if (a[i].kind == SD_CAT_CODE && a[i].code != b[i].code)
            return false;
        if (a[i].kind == SD_CAT_STRING && strcmp(a[i].str, b[i].str) != 0)
            return false;
    }
    return true;
}

static sd_status fill_table(const sd_dataset *ds, const sd_tabspec *spec, sd_wtable *t, tq *q,
                            const sd_dbdesign *dd, sd_error *err)
{
    sd_dataset *K = q->K;
    sd_status st = init_sums(ds, t, dd, err);
    if (st != SD_OK)
        return st;
    sd_catmap map;
    sd_catset cs;
    sd_colmap cm;
    memset(&map, 0, sizeof map);
    memset(&cs, 0, sizeof cs);
    memset(&cm, 0, sizeof cm);
    sd_rowdim rd;
    memset(&rd, 0, sizeof rd);
    bool ok = true;
    const char *rname = t->row_name;
    if (t->row_is_scale) {
        long vi = sd__dataset_var_index(K, rname);
        rd.scale = vi >= 0 ? K->vars[vi] : NULL;
        ok = rd.scale != NULL;
    } else if (!t->row_is_mrset) {
        long vi = sd__dataset_var_index(K, rname);
        if (vi < 0)
            ok = false;
        else if ((st = sd__catmap_build(K, (size_t)vi, spec->missing, true, &map, err)) == SD_OK) {
            rd.map = &map;
            ok = map.ncats + map.nnets == t->nrows && same_cats(map.cats, t->rows, map.ncats);
        }
    } else {
        const sd_mrset *m = sd_dataset_find_mrset(K, rname);
        if (!m)
            ok = false;
        else if (m->kind == SD_MRSET_DICHOTOMY)
            rd.mr = m;
        else if ((st = sd__catset_build(K, m, spec->missing, &cs, err)) == SD_OK) {
            rd.cs = &cs;
            ok = cs.ncats == t->nrows && same_cats(cs.cats, t->rows, cs.ncats);
        }
    }
    if (st == SD_OK && ok && t->col_name) {
        st = sd__colmap_build(K, t->col_name, spec->missing, &cm, err);
        ok = st != SD_OK || cm.ncols + 1 == t->ncols;
    }
    if (st == SD_OK && !ok)
        st = sd__fail(err, SD_E_INTERNAL, ds->source, 0, 0, rname,
                      "table of '%s': the database's groups do not give the plan's categories",
                      rname);
    size_t n = q->n;
    uint8_t *inmask = NULL;
    uint32_t *cbuf = NULL;
    int32_t *stratum = NULL, *unit = NULL, *pattern = NULL;
    double *ovf = NULL;
    const sd_design *d = &dd->d;
    if (st == SD_OK) {
        inmask = sd__zalloc(n, 1);
        cbuf = sd__zalloc(t->ncols, sizeof *cbuf);
        stratum = sd__zalloc(n, sizeof *stratum);
        unit = sd__zalloc(n, sizeof *unit);
        pattern = sd__zalloc(n, sizeof *pattern);
        if (!inmask || !cbuf || !stratum || !unit || !pattern)
            st = nomem(ds, err);
    }
    if (st == SD_OK && d->overflow) {
        size_t cells;
        if (!sd__mul_ok(n ? n : 1, d->nrep, &cells) ||
            !(ovf = sd__zalloc(cells, sizeof *ovf)))
            st = nomem(ds, err);
    }
    for (size_t k = 0; st == SD_OK && k < n; k++) {
        inmask[k] = q->cnt[k] > 0;
        int32_t kr = q->krow[k];
        if (kr < 0) {
            inmask[k] = 0; /* rows the weight leaves out (counted 0 anyway) */
            pattern[k] = -1;
            continue;
        }
        stratum[k] = d->stratum[kr];
        unit[k] = dd->vunit ? dd->vunit[kr] : 0;
        pattern[k] = d->pattern ? d->pattern[kr] : -1;
        if (ovf && pattern[k] == -2)
            for (size_t r = 0; r < d->nrep; r++)
                ovf[k * d->nrep + r] = d->repw[r][kr];
    }
    if (st == SD_OK) {
        sd_passctx pc = {K, n, d, q->sw, unit, inmask, spec->missing};
        const sd_colmap *cmp = t->col_name ? &cm : NULL;
        if (t->row_is_scale && sd__scale_values(t, rd.scale, &pc, cmp, cbuf) != SD_OK)
            st = nomem(ds, err);
        sd_groups g = {n,
                       q->cnt,
                       q->sw,
                       q->sw2,
                       dd->nrep ? q->swr : NULL,
                       stratum,
                       unit,
                       d->pattern ? pattern : NULL,
                       ovf,
                       q->wval};
        if (st == SD_OK)
            st = sd__pass_groups(t, &pc, &rd, cmp, cbuf, &g, false, err);
        if (st == SD_OK && spec->glm_start && !t->row_is_scale)
            st = sd__pass_groups(t, &pc, &rd, cmp, cbuf, &g, true, err);
        if (st == SD_OK && !sd__accum_finish(&t->acc, false))
            st = nomem(ds, err);
        t->banner_missing_n = t->acc.bm_n;
        t->banner_missing_w = t->acc.bm_w;
    }
    sd__free(inmask);
    sd__free(cbuf);
    sd__free(stratum);
    sd__free(unit);
    sd__free(pattern);
    sd__free(ovf);
    sd__catmap_free(&map);
    sd__catset_free(&cs);
    sd__colmap_free(&cm);
    return st;
}

sd_status sd__db_tabulate_counts(const sd_dataset *ds, const sd_tabspec *spec, sd_work **out,
                                 sd_error *err)
{
    *out = NULL;
    sd_pgsrc *src = (sd_pgsrc *)ds->remote;
    sd_tabspec ps = plan_spec(spec);
    /* The plan on the codebook alone: the tables, the checks. */
    sd_dataset *K0 = NULL, *K1 = NULL;
    sd_work *w0 = NULL, *res = NULL;
    sd_status st = plan_dataset(ds, &K0, err);
    if (st == SD_OK)
        st = sd__tabulate_counts(K0, &ps, &w0, err);
    size_t nq = w0 ? w0->ntables : 0;
    tq *qs = nq ? sd__zalloc(nq, sizeof *qs) : NULL;
    if (st == SD_OK && nq && !qs)
        st = nomem(ds, err);
    for (size_t i = 0; st == SD_OK && i < nq; i++)
        if (!table_dims(K0, &w0->tables[i], &qs[i]))
            st = nomem(ds, err);
    sd__work_free(w0);
    sd_dataset_free(K0);
    bool began = false;
    if (st == SD_OK) {
        st = sd__pg_exec(src->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                         src->display, "cannot start a transaction", err);
        began = st == SD_OK;
    }
    sd_dbdesign dd;
    memset(&dd, 0, sizeof dd);
    if (st == SD_OK)
        st = sd__db_design(src, ds, spec, &dd, err);
    for (size_t i = 0; st == SD_OK && i < nq; i++)
        st = run_query(src, ds, spec, &dd, &qs[i], err);
    if (began)
        sd__pg_exec(src->conn, st == SD_OK ? "COMMIT" : "ROLLBACK", src->display,
                    "cannot end the transaction", st == SD_OK ? err : NULL);
    /* The plan again, on the categories the database has. */
    if (st == SD_OK)
        st = values_dataset(ds, qs, nq, &K1, err);
    if (st == SD_OK)
        st = sd__tabulate_counts(K1, &ps, &res, err);
    if (st == SD_OK && res->ntables != nq)
        st = sd__fail(err, SD_E_INTERNAL, ds->source, 0, 0, NULL,
                      "the plan has %zu tables on the database's categories, %zu on the "
                      "codebook's",
                      res->ntables, nq);
    for (size_t i = 0; st == SD_OK && i < nq; i++)
        st = fill_table(ds, spec, &res->tables[i], &qs[i], &dd, err);
    if (st == SD_OK) {
        double in = 0;
        for (size_t k = 0; nq && k < qs[0].n; k++)
            in += qs[0].cnt[k];
        res->rows_in = in;
        res->rows_used = dd.rows;
        res->nw_blank = (size_t)dd.nw_blank;
        res->nw_negative = (size_t)dd.nw_negative;
        res->nw_zero = (size_t)dd.nw_zero;
        sd__free(res->weight);
        res->weight = NULL;
        if (dd.spec.weight && !(res->weight = sd__strdup(dd.spec.weight)))
            st = nomem(ds, err);
        sd__design_free(&res->design);
        res->design = dd.d;
        memset(&dd.d, 0, sizeof dd.d);
        res->keep = K1;
        res->dataset = K1;
        K1 = NULL;
    }
    for (size_t i = 0; i < nq; i++)
        tq_free(&qs[i]);
    sd__free(qs);
    sd__db_design_free(&dd);
    sd_dataset_free(K1);
    if (st != SD_OK) {
        sd__work_free(res);
        return st;
    }
    *out = res;
    return SD_OK;
}
