/*
 * report_run.c — a report (docs/reports.md): its spec (a table spec with a
 * title, an introduction, sections and notes), the tables tabulated on one
 * dataset into one result, and the document every writer renders
 * (doc.h): sections mapped to the numbers their tables got, and the
 * findings in the language written.
 */
#include "doc.h"
#include "../engine/engine.h"
#include "../spec/spec.h"

#include <string.h>

const unsigned char *sd__embedded_study_report(size_t *len);

struct sd_report {
    sd_tabfile *file;   /* the parsed spec (owned) */
    sd_tabspec **specs; /* one per table request (owned) */
    size_t nspecs;
    sd_result *result;  /* after sd_report_run (owned) */
    size_t *first, *last; /* per request: the numbers its tables got */
    char **warnings;      /* the weightings' warnings of the last run (owned) */
    size_t nwarnings, warncap;
};

static void clear_warnings(sd_report *rep)
{
    for (size_t i = 0; i < rep->nwarnings; i++)
        sd__free(rep->warnings[i]);
    rep->nwarnings = 0;
}

static bool add_warning(sd_report *rep, const char *w)
{
    char *c = sd__strdup(w);
    if (!c || !sd__grow((void **)&rep->warnings, &rep->warncap, rep->nwarnings + 1,
                        sizeof *rep->warnings)) {
        sd__free(c);
        return false;
    }
    rep->warnings[rep->nwarnings++] = c;
    return true;
}

size_t sd_report_nwarnings(const sd_report *rep)
{
    return rep->nwarnings;
}

const char *sd_report_warning(const sd_report *rep, size_t i)
{
    return i < rep->nwarnings ? rep->warnings[i] : NULL;
}

void sd_report_free(sd_report *rep)
{
    if (!rep)
        return;
    sd__tabfile_free(rep->file);
    sd_tabspecs_free(rep->specs, rep->nspecs);
    sd_result_free(rep->result);
    sd__free(rep->first);
    sd__free(rep->last);
    clear_warnings(rep);
    sd__free(rep->warnings);
    sd__free(rep);
}

sd_status sd_report_read_mem(const char *yaml, size_t len, const char *name, sd_report **out,
                             sd_error *err)
{
    *out = NULL;
    sd_report *rep = sd__calloc(1, sizeof *rep);
    if (!rep)
        return sd__fail(err, SD_E_NOMEM, name, 0, 0, NULL, "out of memory");
    sd_status st = sd__tabfile_parse(yaml, len, name, &rep->file, err);
    if (st == SD_OK)
        st = sd__tabspecs_build(rep->file, &rep->specs, &rep->nspecs, err);
    if (st != SD_OK) {
        sd_report_free(rep);
        return st;
    }
    *out = rep;
    return SD_OK;
}

sd_status sd_report_read(const char *path, sd_report **out, sd_error *err)
{
    if (!path) {
        size_t len;
        const char *yaml = (const char *)sd__embedded_study_report(&len);
        return sd_report_read_mem(yaml, len, "@study/report.yml", out, err);
    }
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    sd_status st = sd__read_file(path, &text, &len, err);
    if (st == SD_OK)
        st = sd_report_read_mem(text, len, path, out, err);
    sd__free(text);
    return st;
}

size_t sd_report_nspecs(const sd_report *rep)
{
    return rep->nspecs;
}

sd_tabspec *sd_report_spec(sd_report *rep, size_t i)
{
    return i < rep->nspecs ? rep->specs[i] : NULL;
}

const sd_result *sd_report_result(const sd_report *rep)
{
    return rep->result;
}

/* Start a run: no result, no numbering, no warnings yet. */
static sd_status run_begin(sd_report *rep, sd_error *err)
{
    sd_result_free(rep->result);
    rep->result = NULL;
    sd__free(rep->first);
    sd__free(rep->last);
    rep->first = sd__zalloc(rep->nspecs, sizeof *rep->first);
    rep->last = sd__zalloc(rep->nspecs, sizeof *rep->last);
    if (!rep->first || !rep->last)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    clear_warnings(rep);
    return SD_OK;
}

/* Request i's tables (r, taken) after the earlier ones', numbered on from
 * *next. */
static sd_status run_add(sd_report *rep, size_t i, sd_result *r, size_t *next, sd_error *err)
{
    size_t n = r ? sd_result_ntables(r) : 0;
    size_t k = n ? sd_table_number(sd_result_table(r, n - 1)) : 0;
    rep->first[i] = *next;
    rep->last[i] = *next + k - (k > 0);
    *next += k;
    sd_status st = SD_OK;
    if (rep->result)
        st = sd_result_merge(rep->result, r, err);
    else
        rep->result = r;
    if (st != SD_OK) {
        sd_result_free(rep->result);
        rep->result = NULL;
    }
    return st;
}

sd_status sd_report_run(sd_report *rep, const sd_dataset *ds, sd_error *err)
{
    sd_status st = run_begin(rep, err);
    size_t next = 1;
    for (size_t i = 0; st == SD_OK && i < rep->nspecs; i++) {
        sd_result *r = NULL;
        /* A table's weighting (--targets, or the one its codebook records)
         * is a step of its design, run first; its warnings are kept. */
        sd_weighting *w = NULL;
        st = sd_tabspec_set_weighting(rep->specs[i], NULL, err);
        if (st == SD_OK)
            st = sd_tabspec_weight(rep->specs[i], ds, &w, err);
        for (size_t k = 0; st == SD_OK && k < sd_weighting_nwarnings(w); k++)
            if (!add_warning(rep, sd_weighting_warning(w, k)))
                st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
        sd_weighting_free(w);
        if (st == SD_OK)
            st = sd_tabulate(ds, rep->specs[i], &r, err);
        if (st == SD_OK)
            st = run_add(rep, i, r, &next, err);
        else
            sd_result_free(r);
    }
    if (st != SD_OK) {
        sd_result_free(rep->result);
        rep->result = NULL;
    }
    return st;
}

sd_status sd_report_run_stream(sd_report *rep, const char *path, const sd_open_options *opts,
                               sd_error *err)
{
    sd_status st = run_begin(rep, err);
    sd_result **rs = st == SD_OK ? sd__zalloc(rep->nspecs + 1, sizeof *rs) : NULL;
    if (st == SD_OK && !rs)
        st = sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t i = 0; st == SD_OK && i < rep->nspecs; i++)
        st = sd_tabspec_set_weighting(rep->specs[i], NULL, err);
    if (st == SD_OK)
        st = sd_tabulate_stream(path, opts, rep->specs, rep->nspecs, rs, err);
    size_t next = 1;
    for (size_t i = 0; st == SD_OK && i < rep->nspecs; i++) {
        st = run_add(rep, i, rs[i], &next, err);
        rs[i] = NULL;
    }
    for (size_t i = 0; rs && i < rep->nspecs; i++)
        sd_result_free(rs[i]);
    sd__free(rs);
    return st;
}

/* The document of a run report: its parts, and each section's tables by
 * number. The sections array is owned by the caller (free it). */
static sd_status make_doc(const sd_report *rep, sd_rdoc *doc, sd_error *err)
{
    memset(doc, 0, sizeof *doc);
    doc->result = rep->result;
    doc->title = rep->file->title;
    doc->intro = rep->file->intro;
    doc->notes = rep->file->notes;
    doc->nsections = rep->file->nsections;
    doc->sections = sd__zalloc(doc->nsections, sizeof *doc->sections);
    if (!doc->sections)
        return sd__fail(err, SD_E_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t s = 0; s < doc->nsections; s++) {
        const sd_tsection *ts = &rep->file->sections[s];
        sd_rsection *rs = &doc->sections[s];
        rs->title = ts->title; /* borrowed: the doc does not free labels */
        rs->text = ts->text;
        rs->from = ts->count ? rep->first[ts->first] : 1;
        rs->to = ts->count ? rep->last[ts->first + ts->count - 1] : 0;
    }
    return SD_OK;
}

sd_status sd_report_write(const sd_report *rep, sd_outfmt fmt, const char *lang, FILE *fp,
                          sd_error *err)
{
    if (!rep->result)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL,
                        "the report has not been run: expected sd_report_run first");
    sd_rdoc doc;
    sd_status st = make_doc(rep, &doc, err);
    if (st == SD_OK)
        st = sd__doc_write(&doc, fmt, lang, fp, err);
    sd__free(doc.sections);
    return st;
}

size_t sd_report_languages(const sd_report *rep, const char **out, size_t cap)
{
    size_t n = 0;
    const sd_labels *t = &rep->file->title;
    for (size_t i = 0; i < t->n && n < cap; i++)
        if (t->v[i].lang)
            out[n++] = t->v[i].lang;
    if (n == 0 && cap)
        out[n++] = "en";
    return n;
}
