/*
 * test_regex.c — the one regular-expression compiler (core/regex.c): the
 * patterns that made glibc's regcomp take 36 s and 3 GB are refused before
 * regcomp sees them, back-references are refused, ordinary --repweights
 * patterns compile and match as before; and the library's option path
 * (sd_tabspec_set_option) goes through the same guard.
 */
#include "core/core.h"
#include "harness.h"

static sd_regex_check check(const char *p)
{
    regex_t re;
    char why[128];
    sd_regex_check r = sd__regex_compile(&re, p, why, sizeof why);
    if (r == SD_RE_OK)
        regfree(&re);
    return r;
}

static bool matches(const char *p, const char *name)
{
    regex_t re;
    char why[128];
    if (sd__regex_compile(&re, p, why, sizeof why) != SD_RE_OK)
        return false;
    bool m = regexec(&re, name, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

static void test_pathological_refused(void)
{
    CHECK_INT(check("a++++++++++++++++++++++"), SD_RE_TOO_COMPLEX); /* the 23-byte one */
    CHECK_INT(check("((a{255}){255}){255}"), SD_RE_TOO_COMPLEX);
    CHECK_INT(check("(a{30}){30}"), SD_RE_TOO_COMPLEX);
    CHECK_INT(check("a{999}"), SD_RE_TOO_COMPLEX);
    CHECK_INT(check("((a*)*)*"), SD_RE_TOO_COMPLEX);
    char long_pat[400];
    memset(long_pat, 'a', sizeof long_pat - 1);
    long_pat[sizeof long_pat - 1] = '\0';
    CHECK_INT(check(long_pat), SD_RE_TOO_COMPLEX);
    regex_t re;
    char why[128];
    CHECK_INT(sd__regex_compile(&re, "(rw)\\1", why, sizeof why), SD_RE_BACKREF);
    CHECK_STR(why, "\\1");
    CHECK_INT(sd__regex_compile(&re, "rw[0-9", why, sizeof why), SD_RE_INVALID);
    CHECK_STR(why, "unmatched [, [^, [:, [., or [=");
}

static void test_ordinary_patterns_work(void)
{
    CHECK_INT(check("rw[0-9]+"), SD_RE_OK);
    CHECK_INT(check("^repw_[0-9]{1,3}$"), SD_RE_OK);
    CHECK_INT(check("(rw|w)[0-9]*"), SD_RE_OK);
    CHECK_INT(check("(rw[0-9]+)*"), SD_RE_OK);
    CHECK(matches("rw[0-9]+", "rw12"));
    CHECK(matches("rw[0-9]+", "xrw1y")); /* unanchored, as before */
    CHECK(!matches("^rw[0-9]+$", "xrw1"));
    CHECK(matches("^repw_[0-9]{1,3}$", "repw_080"));
    CHECK(!matches("^repw_[0-9]{1,3}$", "repw_0800"));
}

static void test_library_option_path_guarded(void)
{
    sd_tabspec *s = sd_tabspec_new();
    sd_error *e = sd_error_new();
    CHECK_INT(sd_tabspec_set_option(s, "repweights", "a++++++++++++++++++++++", e),
              SD_E_INVALID);
    CHECK_STR(sd_error_message(e),
              "--repweights: 'a++++++++++++++++++++++' is too complex a regular expression: "
              "expected at most 256 bytes and repetitions at most two deep, e.g. 'rw[0-9]+'");
    sd_error_clear(e);
    CHECK_INT(sd_tabspec_set_option(s, "repweights", "rw[0-9]+", e), SD_OK);
    sd_error_free(e);
    sd_tabspec_free(s);
}

int main(void)
{
    RUN(test_pathological_refused);
    RUN(test_ordinary_patterns_work);
    RUN(test_library_option_path_guarded);
    DONE();
}
