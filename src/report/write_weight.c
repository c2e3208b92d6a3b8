/*
 * write_weight.c — a weighting's diagnostics for people (text, in the
 * report language's typography) and machines (JSON, docs/weighting.md):
 * convergence, the largest remaining margin error, the weights' spread,
 * Kish's efficiency and the design effect due to weighting, the effective
 * sample size of every group, every margin's target and achieved total,
 * and the warnings.
 */
#include "report.h"
#include "../weight/weight.h"

#include <math.h>
#include <string.h>

static void pnum(char *buf, double x, int dec, bool fr)
{
    if (!isfinite(x)) {
        memcpy(buf, isinf(x) ? (x > 0 ? "Inf" : "-Inf") : "-", isinf(x) ? (x > 0 ? 4 : 5) : 2);
        return;
    }
    sd__fmt_fixed(buf, x, dec, fr ? ',' : '.');
}

/* Decimals for a weight-sized number: 4 significant digits or more. */
static int decs(double x)
{
    double a = fabs(x);
    return a >= 1000 ? 1 : a >= 100 ? 2 : a >= 10 ? 3 : 4;
}

static void pct(char *buf, double x, bool fr)
{
    char n[SD_NUMBUF];
    pnum(n, 100 * x, 1, fr);
    snprintf(buf, SD_NUMBUF + 8, fr ? "%s\u00a0%%" : "%s%%", n);
}

/* A category for people: the value label when there is one. */
static const char *cat_label(const sd_dataset *ds, long vi, const char *key, double code,
                             const char *lang)
{
    if (!ds || vi < 0 || (size_t)vi >= ds->nvars || !key)
        return key ? key : "";
    const sd_var *v = ds->vars[vi];
    long k = v->type == SD_TYPE_NUMERIC ? (isfinite(code) ? sd__var_find_vlabel_num(v, code) : -1)
                                        : sd__var_find_vlabel_str(v, key);
    const char *l = k >= 0 ? sd__labels_get(&v->vl[k].labels, lang) : NULL;
    return l ? l : key;
}

static void stats_line(sd_strbuf *sb, const wstats *s, bool fr)
{
    char a[SD_NUMBUF], b[SD_NUMBUF], c[SD_NUMBUF], d[SD_NUMBUF];
    pnum(a, s->min, decs(s->min), fr);
    pnum(b, s->median, decs(s->median), fr);
    pnum(c, s->max, decs(s->max), fr);
    pnum(d, s->ratio, 2, fr);
    sd__sb_printf(sb, fr ? "min %s, médiane %s, max %s, max/min %s\n"
                         : "min %s, median %s, max %s, max/min %s\n",
                  a, b, c, d);
}

static void eff_line(sd_strbuf *sb, const wstats *s, bool fr)
{
    char a[SD_NUMBUF + 8], b[SD_NUMBUF], c[SD_NUMBUF], d[SD_NUMBUF];
    pct(a, s->eff, fr);
    pnum(b, s->deff, 3, fr);
    pnum(c, s->neff, 1, fr);
    pnum(d, s->n, 0, fr);
    sd__sb_printf(sb,
                  fr ? "%s (Kish), effet de plan dû à la pondération %s ; n effectif %s sur %s\n"
                     : "%s (Kish), design effect due to weighting %s; effective n %s of %s\n",
                  a, b, c, d);
}

static const char *method_text(sd_wmethod m, bool fr)
{
    switch (m) {
    case SD_WM_RAKE:
        return fr ? "rake (calage par post-stratifications successives sur les marges, rake de R)"
                  : "rake (iterative post-stratification on the margins, R's rake)";
    case SD_WM_POSTSTRAT:
        return fr ? "poststratify (post-stratification, postStratify de R)"
                  : "poststratify (post-stratification, R's postStratify)";
    case SD_WM_LINEAR:
        return fr ? "linear (calage linéaire, calibrate de R)"
                  : "linear (linear calibration, R's calibrate)";
    case SD_WM_RAKING:
        return fr ? "raking (calage par la fonction exponentielle, calibrate de R)"
                  : "raking (calibration with the raking function, R's calibrate)";
    case SD_WM_LOGIT:
        return fr ? "logit (calage logit borné, calibrate de R)"
                  : "logit (bounded logit calibration, R's calibrate)";
    }
    return "";
}

static sd_status text(const sd_weighting *w, const sd_dataset *ds, const char *lang,
                      sd_strbuf *sb)
{
    bool fr = sd__lang_is_fr(lang);
    char a[SD_NUMBUF + 8], b[SD_NUMBUF + 8], c[SD_NUMBUF + 8], d[SD_NUMBUF + 8];
    const char *sep = fr ? " : " : ": ";
    sd__sb_printf(sb, fr ? "Pondération%s%s\n" : "Weighting%s%s\n", sep,
                  method_text(w->method, fr));
    const sd_targets *t = w->targets;
    sd__sb_printf(sb, fr ? "  cibles        %s" : "  targets       %s",
                  t && t->source ? t->source : "-");
    if (t) {
        sd__sb_printf(sb, fr ? " (%zu marge%s" : " (%zu margin%s", t->nmargins,
                      t->nmargins == 1 ? "" : "s");
        if (t->ncells)
            sd__sb_printf(sb, fr ? ", %zu cases" : ", %zu cells", t->ncells);
        if (t->ntotals)
            sd__sb_printf(sb, fr ? ", %zu total%s" : ", %zu total%s", t->ntotals,
                          t->ntotals == 1 ? "" : fr ? "aux" : "s");
        if (isfinite(w->N)) {
            pnum(a, w->N, w->N == floor(w->N) ? 0 : 2, fr);
            sd__sb_printf(sb, fr ? ", population %s" : ", population %s", a);
        }
        sd__sb_putc(sb, ')');
    }
    sd__sb_putc(sb, '\n');
    pnum(a, w->before.sum, decs(w->before.sum), fr);
    pnum(b, w->before.n, 0, fr);
    if (w->base)
        sd__sb_printf(sb, fr ? "  base          %s (%s lignes, total %s)\n"
                             : "  base weight   %s (%s rows, total %s)\n",
                      w->base, b, a);
    else
        sd__sb_printf(sb, fr ? "  base          aucune : %s lignes de poids 1\n"
                             : "  base weight   none: %s rows of weight 1\n",
                      b);
    if (w->method == SD_WM_POSTSTRAT) {
        sd__sb_puts(sb, fr ? "  convergence   forme close\n" : "  convergence   closed form\n");
    } else if (w->method == SD_WM_RAKE) {
        pnum(a, w->last_change, 6, fr);
        pnum(b, w->epsilon, w->epsilon < 1 ? 6 : 0, fr);
        sd__sb_printf(sb,
                      fr ? "  convergence   %s : %d passe%s, le tableau croisé a bougé de %s "
                           "(epsilon %s, %d passes au plus)\n"
                         : "  convergence   %s: %d sweep%s, the joint table moved by %s "
                           "(epsilon %s, at most %d sweeps)\n",
                      w->converged ? (fr ? "oui" : "yes") : (fr ? "NON" : "NO"), w->iterations,
                      w->iterations == 1 ? "" : "s", a, b, w->max_iter);
    } else if (w->iterations == 0 && w->method == SD_WM_LINEAR && !w->opts.has_bounds) {
        sd__sb_puts(sb, fr ? "  convergence   forme close (régression)\n"
                           : "  convergence   closed form (regression)\n");
    } else {
        snprintf(a, sizeof a, "%.3g", w->last_change);
        snprintf(b, sizeof b, "%.3g", w->epsilon);
        sd__sb_printf(sb,
                      fr ? "  convergence   %s : %d itération%s, écart relatif %s (epsilon %s, "
                           "%d au plus)\n"
                         : "  convergence   %s: %d iteration%s, relative misfit %s (epsilon %s, "
                           "at most %d)\n",
                      w->converged ? (fr ? "oui" : "yes") : (fr ? "NON" : "NO"), w->iterations,
                      w->iterations == 1 ? "" : "s", a, b, w->max_iter);
    }
    if (w->nmargins) {
        const wmargin *m = &w->margins[w->max_error_at];
        pnum(a, w->max_error, 6, fr);
        pnum(b, m->achieved, 4, fr);
        pnum(c, m->target, 4, fr);
        sd__sb_printf(sb,
                      fr ? "  marges        plus grand écart restant %s (%s%s%s : %s pour %s)\n"
                         : "  margins       largest remaining error %s (%s%s%s: %s for %s)\n",
                      a, m->var, m->key ? " = " : "", m->key ? m->key : "", b, c);
    }
    sd__sb_puts(sb, fr ? "  poids         " : "  weights       ");
    stats_line(sb, &w->after, fr);
    sd__sb_puts(sb, fr ? "  efficacité    " : "  efficiency    ");
    eff_line(sb, &w->after, fr);
    sd__sb_puts(sb, fr ? "  avant         " : "  before        ");
    eff_line(sb, &w->before, fr);
    if (w->opts.has_trim) {
        pnum(a, w->opts.trim_lower, decs(w->opts.trim_lower), fr);
        pnum(b, w->opts.trim_upper, decs(w->opts.trim_upper), fr);
        sd__sb_printf(sb,
                      fr ? "  écrêtage      %zu poids hors de [%s ; %s], %d passe%s\n"
                         : "  trimming      %zu weights outside [%s, %s], %d pass%s\n",
                      w->trimmed, a, b, w->trim_passes < 0 ? 0 : w->trim_passes,
                      w->trim_passes == 1 ? "" : (fr ? "s" : "es"));
    }
    if (w->nrep)
        sd__sb_printf(sb,
                      fr ? "  répliques     %zu repondérées de même%s\n"
                         : "  replicates    %zu re-weighted the same way%s\n",
                      w->nrep, w->rep_failed ? (fr ? " (certaines sans convergence)"
                                                   : " (some did not converge)")
                                             : "");
    if (w->ngroups) {
        sd__sb_puts(sb, fr ? "\nTaille d'échantillon effective par groupe\n"
                           : "\nEffective sample size by group\n");
        size_t vw = 8, kw = 8;
        for (size_t i = 0; i < w->ngroups; i++) {
            size_t x = sd__display_width(w->groups[i].var);
            vw = x > vw ? x : vw;
            x = sd__display_width(cat_label(ds, w->groups[i].var_index, w->groups[i].key,
                                         w->groups[i].code, lang));
            kw = x > kw ? x : kw;
        }
        kw = kw > 40 ? 40 : kw;
        sd__sb_puts(sb, "  ");
        sd__sb_pad(sb, fr ? "variable" : "variable", vw, false);
        sd__sb_puts(sb, "  ");
        sd__sb_pad(sb, fr ? "catégorie" : "category", kw, false);
        sd__sb_puts(sb, fr ? "         n      pondéré   n effectif   efficacité\n"
                           : "         n     weighted  effective n   efficiency\n");
        for (size_t i = 0; i < w->ngroups; i++) {
            const wgroup *g = &w->groups[i];
            sd__sb_puts(sb, "  ");
            sd__sb_pad(sb, g->var, vw, false);
            sd__sb_puts(sb, "  ");
            sd__sb_pad(sb, cat_label(ds, g->var_index, g->key, g->code, lang), kw, false);
            pnum(a, g->n, 0, fr);
            pnum(b, g->sum, 1, fr);
            pnum(c, g->neff, 1, fr);
            pct(d, g->eff, fr);
            sd__sb_printf(sb, " %9s %12s %12s %12s\n", a, b, c, d);
        }
    }
    if (w->nmargins) {
        sd__sb_puts(sb, fr ? "\nMarges\n" : "\nMargins\n");
        size_t vw = 8, kw = 8;
        for (size_t i = 0; i < w->nmargins; i++) {
            size_t x = sd__display_width(w->margins[i].var);
            vw = x > vw ? x : vw;
            x = sd__display_width(cat_label(ds, w->margins[i].var_index, w->margins[i].key,
                                         w->margins[i].code, lang));
            kw = x > kw ? x : kw;
        }
        kw = kw > 40 ? 40 : kw;
        sd__sb_puts(sb, "  ");
        sd__sb_pad(sb, "variable", vw, false);
        sd__sb_puts(sb, "  ");
        sd__sb_pad(sb, fr ? "catégorie" : "category", kw, false);
        sd__sb_puts(sb, fr ? "         n         cible        atteint        écart\n"
                           : "         n        target       achieved        error\n");
        for (size_t i = 0; i < w->nmargins; i++) {
            const wmargin *m = &w->margins[i];
            sd__sb_puts(sb, "  ");
            sd__sb_pad(sb, m->var, vw, false);
            sd__sb_puts(sb, "  ");
            sd__sb_pad(sb, m->key ? cat_label(ds, m->var_index, m->key, m->code, lang)
                                  : (fr ? "(total)" : "(total)"),
                       kw, false);
            pnum(a, m->n, 0, fr);
            pnum(b, m->target, 2, fr);
            pnum(c, m->achieved, 2, fr);
            pnum(d, m->achieved - m->target, 4, fr);
            sd__sb_printf(sb, " %9s %13s %14s %12s\n", a, b, c, d);
        }
    }
    for (size_t i = 0; i < w->issues.n; i++)
        sd__sb_printf(sb, fr ? "%sattention : %s\n" : "%swarning: %s\n", i ? "" : "\n",
                      w->issues.v[i].msg);
    return sd__sb_status(sb);
}

static void jkey(sd_strbuf *sb, const char *k)
{
    sd__sb_json_str(sb, k);
    sd__sb_putc(sb, ':');
}

/* A number, or null when not finite. */
static void jnum(sd_strbuf *sb, double x)
{
    if (isfinite(x))
        sd__sb_num(sb, x);
    else
        sd__sb_puts(sb, "null");
}

static void jstats(sd_strbuf *sb, const wstats *s)
{
    sd__sb_puts(sb, "{\"n\":");
    jnum(sb, s->n);
    sd__sb_puts(sb, ",\"sum\":");
    jnum(sb, s->sum);
    sd__sb_puts(sb, ",\"min\":");
    jnum(sb, s->min);
    sd__sb_puts(sb, ",\"median\":");
    jnum(sb, s->median);
    sd__sb_puts(sb, ",\"max\":");
    jnum(sb, s->max);
    sd__sb_puts(sb, ",\"ratio\":");
    jnum(sb, s->ratio);
    sd__sb_puts(sb, ",\"mean\":");
    jnum(sb, s->mean);
    sd__sb_puts(sb, ",\"cv\":");
    jnum(sb, s->cv);
    sd__sb_puts(sb, ",\"efficiency\":");
    jnum(sb, s->eff);
    sd__sb_puts(sb, ",\"deff\":");
    jnum(sb, s->deff);
    sd__sb_puts(sb, ",\"effective_n\":");
    jnum(sb, s->neff);
    sd__sb_putc(sb, '}');
}

static sd_status json(const sd_weighting *w, const sd_dataset *ds, const char *lang,
                      sd_strbuf *sb)
{
    sd__sb_puts(sb, "{\"weighting\":{");
    jkey(sb, "method");
    sd__sb_json_str(sb, sd__wmethod_name(w->method));
    sd__sb_putc(sb, ',');
    jkey(sb, "targets");
    if (w->targets && w->targets->source)
        sd__sb_json_str(sb, w->targets->source);
    else
        sd__sb_puts(sb, "null");
    sd__sb_puts(sb, ",\"population\":");
    jnum(sb, w->N);
    sd__sb_puts(sb, ",\"base_weight\":");
    if (w->base)
        sd__sb_json_str(sb, w->base);
    else
        sd__sb_puts(sb, "null");
    sd__sb_printf(sb, ",\"rows\":%zu,\"iterations\":%d,\"max_iter\":", w->nrows, w->iterations);
    if (w->max_iter)
        sd__sb_printf(sb, "%d", w->max_iter);
    else
        sd__sb_puts(sb, "null");
    sd__sb_puts(sb, ",\"epsilon\":");
    jnum(sb, w->epsilon);
    sd__sb_printf(sb, ",\"converged\":%s,\"last_change\":", w->converged ? "true" : "false");
    jnum(sb, w->method == SD_WM_POSTSTRAT ? NAN : w->last_change);
    sd__sb_puts(sb, ",\"max_margin_error\":");
    jnum(sb, w->nmargins ? w->max_error : NAN);
    sd__sb_puts(sb, ",\"max_margin_error_at\":");
    if (w->nmargins) {
        const wmargin *m = &w->margins[w->max_error_at];
        sd__sb_puts(sb, "{\"variable\":");
        sd__sb_json_str(sb, m->var);
        sd__sb_puts(sb, ",\"category\":");
        if (m->key)
            sd__sb_json_str(sb, m->key);
        else
            sd__sb_puts(sb, "null");
        sd__sb_putc(sb, '}');
    } else {
        sd__sb_puts(sb, "null");
    }
    sd__sb_puts(sb, ",\"weights\":");
    jstats(sb, &w->after);
    sd__sb_puts(sb, ",\"base_weights\":");
    jstats(sb, &w->before);
    sd__sb_puts(sb, ",\"bounds\":");
    if (w->opts.has_bounds) {
        sd__sb_putc(sb, '[');
        jnum(sb, w->opts.lower);
        sd__sb_putc(sb, ',');
        jnum(sb, w->opts.upper);
        sd__sb_putc(sb, ']');
    } else {
        sd__sb_puts(sb, "null");
    }
    sd__sb_puts(sb, ",\"trim\":");
    if (w->opts.has_trim) {
        sd__sb_puts(sb, "{\"lower\":");
        jnum(sb, w->opts.trim_lower);
        sd__sb_puts(sb, ",\"upper\":");
        jnum(sb, w->opts.trim_upper);
        sd__sb_printf(sb, ",\"trimmed\":%zu,\"passes\":%d}", w->trimmed, w->trim_passes);
    } else {
        sd__sb_puts(sb, "null");
    }
    sd__sb_puts(sb, ",\"replicates\":");
    if (w->nrep)
        sd__sb_printf(sb, "{\"count\":%zu,\"not_converged\":%zu}", w->nrep, w->rep_failed);
    else
        sd__sb_puts(sb, "null");
    sd__sb_puts(sb, ",\"groups\":[");
    for (size_t i = 0; i < w->ngroups; i++) {
        const wgroup *g = &w->groups[i];
        sd__sb_puts(sb, i ? ",{\"variable\":" : "{\"variable\":");
        sd__sb_json_str(sb, g->var);
        sd__sb_puts(sb, ",\"category\":");
        sd__sb_json_str(sb, g->key);
        sd__sb_puts(sb, ",\"label\":");
        sd__sb_json_str(sb, cat_label(ds, g->var_index, g->key, g->code, lang));
        sd__sb_puts(sb, ",\"n\":");
        jnum(sb, g->n);
        sd__sb_puts(sb, ",\"weighted\":");
        jnum(sb, g->sum);
        sd__sb_puts(sb, ",\"effective_n\":");
        jnum(sb, g->neff);
        sd__sb_puts(sb, ",\"efficiency\":");
        jnum(sb, g->eff);
        sd__sb_putc(sb, '}');
    }
    sd__sb_puts(sb, "],\"margins\":[");
    for (size_t i = 0; i < w->nmargins; i++) {
        const wmargin *m = &w->margins[i];
        sd__sb_puts(sb, i ? ",{\"variable\":" : "{\"variable\":");
        sd__sb_json_str(sb, m->var);
        sd__sb_puts(sb, ",\"category\":");
        if (m->key)
            sd__sb_json_str(sb, m->key);
        else
            sd__sb_puts(sb, "null");
        sd__sb_puts(sb, ",\"n\":");
        jnum(sb, m->n);
        sd__sb_puts(sb, ",\"target\":");
        jnum(sb, m->target);
        sd__sb_puts(sb, ",\"achieved\":");
        jnum(sb, m->achieved);
        sd__sb_puts(sb, ",\"error\":");
        jnum(sb, m->achieved - m->target);
        sd__sb_putc(sb, '}');
    }
    sd__sb_puts(sb, "],\"warnings\":[");
    for (size_t i = 0; i < w->issues.n; i++) {
        if (i)
            sd__sb_putc(sb, ',');
        sd__sb_json_str(sb, w->issues.v[i].msg);
    }
    sd__sb_puts(sb, "]}}\n");
    return sd__sb_status(sb);
}

sd_status sd_weighting_write(const sd_weighting *w, const sd_dataset *ds, sd_outfmt fmt,
                             const char *lang, FILE *fp, sd_error *err)
{
    if (!w || !fp)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no weighting or no file");
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_status st;
    switch (fmt) {
    case SD_OUT_TEXT: st = text(w, ds, lang, &sb); break;
    case SD_OUT_JSON: st = json(w, ds, lang, &sb); break;
    case SD_OUT_CSV:
    case SD_OUT_XLSX:
    case SD_OUT_HTML:
    case SD_OUT_MD:
    case SD_OUT_PROSE:
    default:
        sd__sb_free(&sb);
        return sd__fail(err, SD_E_UNSUPPORTED, NULL, 0, 0, NULL,
                        "weighting diagnostics are text or json only");
    }
    if (st == SD_OK && fwrite(sd__sb_str(&sb), 1, sb.len, fp) != sb.len)
        st = sd__fail(err, SD_E_IO, NULL, 0, 0, NULL, "write error on output");
    else if (st != SD_OK)
        sd__fail(err, st, NULL, 0, 0, NULL, "cannot render the diagnostics: %s",
                 sd_status_str(st));
    sd__sb_free(&sb);
    return st;
}
