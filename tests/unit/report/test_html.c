/*
 * test_html.c — the HTML writer's pieces (src/report/html_text.c,
 * write_html.c, svg_chart.c): escaping of every text (markup, quotes,
 * control characters, invalid UTF-8), numbers in the report language's
 * typography, and a whole report document (title, introduction, sections,
 * notes, findings) rendered from the bundled study. What the page looks like
 * in a browser is tests/scripts/html_report.sh.
 */
#include "report/doc.h"
#include "report/html.h"
#include "harness.h"

static char *esc(const char *s)
{
    sd_strbuf sb;
    sd__sb_init(&sb, 1 << 20);
    sd__html_text(&sb, s);
    return sd__sb_take(&sb);
}

#define CHECK_ESC(in, out)                                                                     \
    do {                                                                                       \
        char *h_e = esc(in);                                                                   \
        CHECK_STR(h_e ? h_e : "", out);                                                        \
        sd__free(h_e);                                                                         \
    } while (0)

static void test_escape(void)
{
    CHECK_ESC("plain", "plain");
    CHECK_ESC("<a href='x'>&\"</a>", "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    CHECK_ESC("&amp;", "&amp;amp;");
    CHECK_ESC("élan ✓ 😀", "élan ✓ 😀");
    /* control characters: visible pictures; tab and line ends: a space */
    CHECK_ESC("\x1b[31m\x07", "\xE2\x90\x9B[31m\xE2\x90\x87");
    CHECK_ESC("a\tb\nc\rd", "a b c d");
    CHECK_ESC("x\x7fy", "x\xE2\x90\xA1y");
    /* C1 controls, noncharacters, invalid or overlong UTF-8, surrogates */
    CHECK_ESC("\xC2\x85", "\xEF\xBF\xBD");
    CHECK_ESC("\xEF\xBF\xBE", "\xEF\xBF\xBD");
    CHECK_ESC("\xEF\xB7\x90", "\xEF\xBF\xBD");
    CHECK_ESC("\xFF", "\xEF\xBF\xBD");
    CHECK_ESC("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_ESC("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_ESC("\xE2\x82", "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_ESC("", "");
    sd_strbuf sb;
    sd__sb_init(&sb, 64);
    sd__html_text(&sb, NULL);
    CHECK_INT(sb.len, 0);
    sd__html_textn(&sb, "<b>", 2);
    CHECK_STR(sd__sb_str(&sb), "&lt;b");
    sd__sb_free(&sb);
}

static void test_numbers(void)
{
    char b[SD_HTMLNUM];
    sd__html_pct(b, 0.73, 1, "fr");
    CHECK_STR(b, "73,0\xE2\x80\xAF%");
    sd__html_pct(b, 0.73, 1, "en");
    CHECK_STR(b, "73.0%");
    sd__html_pct(b, 0.73, 0, "fr-CA");
    CHECK_STR(b, "73\xE2\x80\xAF%");
    sd__html_pct(b, -0.00001, 1, "en");
    CHECK_STR(b, "0.0%");
    sd__html_pct(b, NAN, 1, "fr");
    CHECK_STR(b, "\xE2\x80\x93");
    sd__people_typeset(b, 2800, 0, "fr");
    CHECK_STR(b, "2\xE2\x80\xAF" "800");
    sd__people_typeset(b, 2800, 0, "en");
    CHECK_STR(b, "2,800");
    sd__people_typeset(b, 999, 0, "en");
    CHECK_STR(b, "999");
    sd__people_typeset(b, 1234567.25, 2, "en");
    CHECK_STR(b, "1,234,567.25");
    sd__people_typeset(b, 1234567.25, 1, "fr");
    CHECK_STR(b, "1\xE2\x80\xAF" "234\xE2\x80\xAF" "567,2");
    sd__people_typeset(b, -1234, 0, "en");
    CHECK_STR(b, "\xE2\x88\x92" "1,234");
    sd__people_typeset(b, 1e300, 0, "en"); /* bounded, whatever it shows */
    CHECK(strlen(b) < SD_HTMLNUM);
}

static sd_result *tab_study(void)
{
    sd_dataset *ds = NULL;
    sd_result *r = NULL;
    sd_error *e = sd_error_new();
    sd_tabspec *s = sd_tabspec_new();
    if (sd_dataset_open("@study", SD_FORMAT_AUTO, NULL, &ds, e) != SD_OK)
        fprintf(stderr, "  open failed: %s\n", sd_error_message(e));
    const char *rows[] = {"integration", "actions", "closer", "id"};
    for (size_t i = 0; i < 4; i++)
        sd_tabspec_add_row(s, rows[i], e);
    sd_tabspec_add_col(s, "role", e);
    sd_tabspec_set_option(s, "tests", "true", e);
    if (sd_tabulate(ds, s, &r, e) != SD_OK)
        fprintf(stderr, "  tabulate failed: %s\n", sd_error_message(e));
    sd_dataset_free(ds);
    sd_tabspec_free(s);
    sd_error_free(e);
    return r;
}

static const char *after(const char *hay, const char *needle)
{
    const char *p = hay ? strstr(hay, needle) : NULL;
    return p ? p + strlen(needle) : NULL;
}

/* The parts of a report document, in order, each text escaped. */
static void test_report_document(void)
{
    sd_result *r = tab_study();
    CHECK(r != NULL);
    if (!r)
        return;
    sd_rdoc doc;
    memset(&doc, 0, sizeof doc);
    doc.result = r;
    sd__labels_set(&doc.title, "fr", "DSI & marketing <2015>");
    sd__labels_set(&doc.title, "en", "CIOs & marketers");
    sd__labels_set(&doc.intro, "fr", "Premier paragraphe.\n\nSecond paragraphe.");
    sd__labels_set(&doc.notes, "fr", "Note de fin.");
    sd_rsection sec[2];
    memset(sec, 0, sizeof sec);
    sd__labels_set(&sec[0].title, "fr", "Organisation");
    sd__labels_set(&sec[0].text, "fr", "Ce que les entreprises ont en place.");
    sec[0].from = 1;
    sec[0].to = 1;
    sd__labels_set(&sec[1].title, "fr", "Actions et collaboration");
    sec[1].from = 2;
    sec[1].to = 3;
    doc.sections = sec;
    doc.nsections = 2;
    sd_findings fs;
    memset(&fs, 0, sizeof fs);
    sd_finding f[2];
    memset(f, 0, sizeof f);
    f[0].table = 0;
    f[0].kind = SD_FIND_GAP;
    f[0].p = 1e-6;
    memcpy(f[0].lang, "fr", 3);
    f[0].text = f[0].body = "Parmi les 400 marketeurs, 73 % <oui> contre 54 % des DSI.";
    f[1].table = 1;
    f[1].kind = SD_FIND_NO_GAP;
    memcpy(f[1].lang, "fr", 3);
    f[1].text = f[1].body = "Talents hybrides : 46 % et 44 %, sans écart significatif.";
    fs.v = f;
    fs.n = 2;
    doc.findings = &fs;
    sd_strbuf sb;
    sd__sb_init(&sb, SD_MAX_REPORT);
    sd_error *e = sd_error_new();
    CHECK_INT(sd__write_html(&doc, "fr", &sb, e), SD_OK);
    const char *h = sd__sb_str(&sb);
    CHECK(strncmp(h, "<!DOCTYPE html>\n<html lang=\"fr\">", 32) == 0);
    CHECK(strstr(h, "<title>DSI &amp; marketing &lt;2015&gt;</title>") != NULL);
    const char *p = after(h, "<h1>DSI &amp; marketing &lt;2015&gt;</h1>");
    CHECK(p != NULL);
    p = after(p, "<p>Premier paragraphe.</p>\n<p>Second paragraphe.</p>");
    CHECK(p != NULL);
    /* contents, then section 1 with table 1 and its finding, section 2
     * with tables 2 and 3, then table 4 (no section), then the notes */
    p = after(p, "<a href=\"#t4\">Tableau 4. Identifiant du répondant</a>");
    CHECK(p != NULL);
    p = after(p, "<h2 id=\"s1\">Organisation</h2>\n<p>Ce que les entreprises ont en place.</p>");
    CHECK(p != NULL);
    p = after(p, "<article class=\"block first lead\" id=\"t1\">");
    CHECK(p != NULL);
    p = after(p, "<li class=\"f-gap\">Parmi les 400 marketeurs, 73 % &lt;oui&gt; contre 54 % "
                 "des DSI.</li>");
    CHECK(p != NULL);
    p = after(p, "<h2 id=\"s2\">Actions et collaboration</h2>");
    CHECK(p != NULL);
    p = after(p, "id=\"t2\">");
    CHECK(p != NULL);
    p = after(p, "<li class=\"f-no-gap\">Talents hybrides");
    CHECK(p != NULL);
    p = after(p, "id=\"t3\">");
    CHECK(p != NULL);
    CHECK(p && strstr(p, "f-gap") == NULL); /* table 3 has no finding */
    p = after(p, "</section>\n<article class=\"block\" id=\"t4\">");
    CHECK(p != NULL);
    p = after(p, "data-kind=\"means\"");
    CHECK(p != NULL);
    p = after(p, "<footer>\n<p class=\"note\">Note de fin.</p>");
    CHECK(p != NULL);
    /* the same document twice gives the same bytes */
    sd_strbuf again;
    sd__sb_init(&again, SD_MAX_REPORT);
    CHECK_INT(sd__write_html(&doc, "fr", &again, e), SD_OK);
    CHECK(again.len == sb.len && memcmp(sd__sb_str(&again), h, sb.len) == 0);
    sd__sb_free(&again);
    /* without findings, none; English falls back for what has no "en" */
    doc.findings = NULL;
    sd__sb_free(&sb);
    sd__sb_init(&sb, SD_MAX_REPORT);
    CHECK_INT(sd__write_html(&doc, "en", &sb, e), SD_OK);
    h = sd__sb_str(&sb);
    CHECK(strstr(h, "class=\"findings\"") == NULL);
    CHECK(strstr(h, "<h1>CIOs &amp; marketers</h1>") != NULL);
    CHECK(strstr(h, "<h2 id=\"s1\">Organisation</h2>") != NULL);
    CHECK(strstr(h, "Table 1.") != NULL && strstr(h, "73.0%") != NULL);
    /* a cap too small: the writer reports it, never a cut page */
    sd_strbuf small;
    sd__sb_init(&small, 1000);
    sd_error_clear(e);
    CHECK_INT(sd__write_html(&doc, "en", &small, e), SD_E_TOO_LARGE);
    CHECK(strstr(sd_error_message(e), "cannot render the HTML page") != NULL);
    sd__sb_free(&small);
    sd__sb_free(&sb);
    sd_error_free(e);
    sd__labels_free(&doc.title);
    sd__labels_free(&doc.intro);
    sd__labels_free(&doc.notes);
    for (int i = 0; i < 2; i++) {
        sd__labels_free(&sec[i].title);
        sd__labels_free(&sec[i].text);
    }
    sd_result_free(r);
}

int main(void)
{
    RUN(test_escape);
    RUN(test_numbers);
    RUN(test_report_document);
    DONE();
}
