/*
 * test_core.c — the core layer: status strings, locale-free numbers,
 * bounded string buffers, UTF-8 checks, error details.
 */
#include "core/core.h"
#include "harness.h"

#include <locale.h>

static void test_status_strings_cover_every_code(void)
{
    for (int s = 0; s < SD_STATUS_COUNT; s++) {
        const char *m = sd_status_str((sd_status)s);
        CHECK(m != NULL);
        CHECK(strcmp(m, "unknown status") != 0);
        for (int t = 0; t < s; t++)
            CHECK(strcmp(m, sd_status_str((sd_status)t)) != 0);
    }
    CHECK_STR(sd_status_str(SD_STATUS_COUNT), "unknown status");
}

static void test_error_keeps_first_failure(void)
{
    sd_error *e = sd_error_new();
    CHECK_INT(sd__fail(e, SD_E_PARSE, "a.csv", 3, 7, "q1", "bad %d", 1), SD_E_PARSE);
    sd__fail(e, SD_E_IO, "b.csv", 1, 1, NULL, "second");
    CHECK_INT(sd_error_status(e), SD_E_PARSE);
    CHECK_STR(sd_error_message(e), "bad 1");
    CHECK_STR(sd_error_file(e), "a.csv");
    CHECK_INT(sd_error_line(e), 3);
    CHECK_INT(sd_error_column(e), 7);
    CHECK_STR(sd_error_variable(e), "q1");
    sd_error_clear(e);
    CHECK_INT(sd_error_status(e), SD_OK);
    CHECK(sd_error_file(e) == NULL);
    sd_error_free(e);
    sd_error_free(NULL);
    CHECK_INT(sd__fail(NULL, SD_E_IO, NULL, 0, 0, NULL, "x"), SD_E_IO);
}

static void fmt_is(double x, const char *want)
{
    char buf[SD_NUMBUF];
    sd__fmt_double(buf, x);
    CHECK_STR(buf, want);
}

static void test_fmt_double_shortest_round_trip(void)
{
    fmt_is(0.1, "0.1");
    fmt_is(0.73, "0.73");
    fmt_is(2400, "2400");
    fmt_is(-0.0, "0");
    fmt_is(1e-5, "1e-05");
    fmt_is(1.0 / 3, "0.3333333333333333");
    fmt_is(0.1 + 0.2, "0.30000000000000004");
    fmt_is(1e300, "1e+300");
    fmt_is(NAN, "NaN");
    fmt_is(-INFINITY, "-Inf");
    /* Every formatted value reads back exactly. */
    double xs[] = {123456.789, 5e-324, 1.7976931348623157e308, 0.5412, 2.0 / 3, 1e22, 1e23};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        char buf[SD_NUMBUF];
        int n = sd__fmt_double(buf, xs[i]);
        double back;
        CHECK(sd__parse_double(buf, (size_t)n, false, &back));
        CHECK(back == xs[i]);
    }
}

static void test_numbers_ignore_the_locale(void)
{
    if (!setlocale(LC_ALL, "fr_FR.UTF-8")) {
        printf("  (fr_FR.UTF-8 not installed: checked under C only)\n");
    }
    fmt_is(0.5, "0.5");
    char buf[SD_NUMBUF];
    sd__fmt_fixed(buf, 54.04, 1, '.');
    CHECK_STR(buf, "54.0");
    sd__fmt_fixed(buf, 54.06, 1, ',');
    CHECK_STR(buf, "54,1");
    sd__fmt_fixed(buf, -0.01, 1, ',');
    CHECK_STR(buf, "0,0");
    sd__fmt_fixed(buf, 1e40, 4, ','); /* too long for fixed notation: round-trip form */
    CHECK_STR(buf, "1e+40");
    double x;
    CHECK(sd__parse_double("0.25", 4, false, &x) && x == 0.25);
    CHECK(sd__parse_double("1,5", 3, true, &x) && x == 1.5);
    CHECK(!sd__parse_double("1,5", 3, false, &x));
    CHECK(sd__parse_double("12345678901234567890.5", 22, false, &x) && x == 12345678901234567890.5);
    setlocale(LC_ALL, "C");
}

static void test_parse_double_rejects_non_numbers(void)
{
    double x;
    const char *bad[] = {"", "-", ".", "1e", "1e+", "abc", " 1", "1 ", "1..2", "0x10", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!sd__parse_double(bad[i], strlen(bad[i]), false, &x));
    CHECK(sd__parse_double("-12", 3, false, &x) && x == -12);
    CHECK(sd__parse_double(".5", 2, false, &x) && x == 0.5);
    CHECK(sd__parse_double("5.", 2, false, &x) && x == 5);
    CHECK(sd__parse_double("1E3", 3, false, &x) && x == 1000);
    CHECK(sd__parse_double("9007199254740993", 16, false, &x) && x == 9007199254740992.0);
    CHECK(sd__parse_double("2.2250738585072014e-308", 23, false, &x) && x == 2.2250738585072014e-308);
    unsigned long u;
    CHECK(sd__parse_ulong("42", 2, 100, &u) && u == 42);
    CHECK(!sd__parse_ulong("101", 3, 100, &u));
    CHECK(!sd__parse_ulong("4a", 2, 100, &u));
}

static void test_strbuf_cap_is_sticky(void)
{
    sd_strbuf sb;
    sd__sb_init(&sb, 8);
    sd__sb_puts(&sb, "abcd");
    sd__sb_printf(&sb, "%d", 123);
    CHECK_STR(sd__sb_str(&sb), "abcd123");
    sd__sb_puts(&sb, "xy");
    CHECK_INT(sd__sb_status(&sb), SD_E_TOO_LARGE);
    sd__sb_puts(&sb, "z");
    CHECK_STR(sd__sb_str(&sb), "abcd123");
    sd__sb_free(&sb);
    sd__sb_init(&sb, 1 << 20);
    sd__sb_json_str(&sb, "a\"b\\c\n\x01é");
    CHECK_STR(sd__sb_str(&sb), "\"a\\\"b\\\\c\\n\\u0001é\"");
    char *s = sd__sb_take(&sb);
    CHECK_STR(s, "\"a\\\"b\\\\c\\n\\u0001é\"");
    sd__free(s);
    sd__sb_printf(&sb, "%0300d", 7);
    CHECK_INT(sb.len, 300);
    sd__sb_free(&sb);
}

static void test_utf8(void)
{
    const char ok[] = "Ne sait pas \xC3\xA9 \xE2\x80\xAF \xF0\x9F\x98\x80";
    CHECK_INT(sd__utf8_valid_prefix(ok, strlen(ok)), strlen(ok));
    CHECK_INT(sd__utf8_valid_prefix("ab\xC3", 3), 2);           /* truncated */
    CHECK_INT(sd__utf8_valid_prefix("a\xC0\xAF", 3), 1);        /* overlong */
    CHECK_INT(sd__utf8_valid_prefix("\xED\xA0\x80", 3), 0);     /* surrogate */
    CHECK_INT(sd__utf8_valid_prefix("\xF4\x90\x80\x80", 4), 0); /* > U+10FFFF */
    CHECK_INT(sd__utf8_valid_prefix("\xFF", 1), 0);
    CHECK_INT(sd__utf8_width("é\xE2\x80\xAF%"), 3);
    CHECK(sd__lang_eq(NULL, ""));
    CHECK(sd__lang_eq("fr", "fr"));
    CHECK(!sd__lang_eq("fr", NULL));
}

static void test_overflow_helpers(void)
{
    size_t r;
    CHECK(!sd__mul_ok(SIZE_MAX / 2 + 1, 2, &r));
    CHECK(sd__mul_ok(1000, 1000, &r) && r == 1000000);
    CHECK(!sd__add_ok(SIZE_MAX, 1, &r));
    CHECK(sd__calloc(SIZE_MAX / 2, 4) == NULL);
    CHECK(sd__malloc(0) == NULL);
}

/* Issue 11: control characters from labels never reach people raw. */
static void test_controls_made_visible(void)
{
    CHECK_INT(sd__display_width("abc"), 3);
    CHECK_INT(sd__display_width("\x1b[2J"), 4 + 3);
    CHECK_INT(sd__utf8_width("\x1b[2J"), 4); /* characters, for lengths */
    CHECK_INT(sd__display_width("\xc2\x9b" "2J"), 6 + 2);
    CHECK_INT(sd__display_width("\xc3\xa9t\xc3\xa9"), 3); /* "été": no control */
    CHECK_INT(sd__ctl_len("\xc2\xa0"), 0);               /* NBSP is not a control */
    sd_strbuf sb;
    sd__sb_init(&sb, 1000);
    const char *s = "a\x07" "b\rc\nd\x7f\xc2\x85" "e";
    sd__sb_add_text(&sb, s, strlen(s), true);
    CHECK_STR(sd__sb_str(&sb), "a\\x07b\\x0Dc\nd\\x7F\\u0085e");
    sd__sb_free(&sb);
    sd__sb_init(&sb, 1000);
    sd__sb_add_text(&sb, "x\ny", 3, false);
    CHECK_STR(sd__sb_str(&sb), "x\\x0Ay");
    /* A lone 0xC2 at the end of a piece is left for the next piece. */
    sd__sb_add_text(&sb, "\xc2", 1, false);
    CHECK_INT(sb.len, 7);
    sd__sb_free(&sb);
}

int main(void)
{
    RUN(test_controls_made_visible);
    RUN(test_status_strings_cover_every_code);
    RUN(test_error_keeps_first_failure);
    RUN(test_fmt_double_shortest_round_trip);
    RUN(test_numbers_ignore_the_locale);
    RUN(test_parse_double_rejects_non_numbers);
    RUN(test_strbuf_cap_is_sticky);
    RUN(test_utf8);
    RUN(test_overflow_helpers);
    DONE();
}
