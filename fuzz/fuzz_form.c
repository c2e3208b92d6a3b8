/*
 * fuzz_form.c — libFuzzer target for the form-body parser the field server
 * runs on every POST (src/field/form.c), and what reads the decoded fields
 * (src/field/answers.c: a page's validation, the stored answers' decoding).
 *
 * Any bytes must give a form or an error (status and message, no fields),
 * never a crash, a leak or undefined behaviour. A form that parses is
 * encoded again and must parse back to the same fields, byte for byte.
 * Each parsed form is also read as every page of a small questionnaire
 * (all question kinds) and decoded as stored answers.
 */
#include "field/field.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd__questionnaire *q;

static const char yaml[] =
    "languages: [fr, en]\n"
    "title: T\n"
    "pages:\n"
    "  - name: p1\n"
    "    questions:\n"
    "      - {name: a, type: single, text: A, options: [{code: 1, label: x}, {code: 2, label: y}]}\n"
    "      - {name: b, type: yesno, text: B, required: false}\n"
    "  - name: p2\n"
    "    show_if: a == 1\n"
    "    questions:\n"
    "      - name: m\n"
    "        type: multiple\n"
    "        text: M\n"
    "        options: [{name: m1, label: x}, {name: m2, label: y, show_if: b == 1},\n"
    "                  {name: m3, label: none, exclusive: true}]\n"
    "      - {name: g, type: grid, text: G, items: [{name: g1, label: x}, {name: g2, label: y}],\n"
    "         options: [{code: 1, label: x}, {code: 9, label: y}]}\n"
    "      - {name: n, type: numeric, text: N, min: -5, max: 1e6, decimals: 2, required: false}\n"
    "      - {name: t, type: text, text: T, max_length: 20, required: false}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sd__questionnaire_parse(yaml, sizeof yaml - 1, "fuzz.yml", &q, NULL) != SD_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sd__form_limits lim = {1 << 16, 256, 72, 4096};
    sd_error *err = sd_error_new();
    sd__form f;
    sd_status st = sd__form_parse((const char *)data, size, &lim, &f, err);
    if (st != SD_OK) {
        if (f.n || f.f || f.buf || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
        sd_error_free(err);
        return 0;
    }
    /* encode -> parse gives the same fields */
    sd_strbuf sb;
    sd__sb_init(&sb, (size_t)1 << 20);
    for (size_t i = 0; i < f.n; i++) {
        if (strlen(f.f[i].name) != f.f[i].name_len || f.f[i].name_len == 0 ||
            f.f[i].name_len > lim.max_name || f.f[i].value_len > lim.max_value)
            abort();
        sd__form_append(&sb, f.f[i].name, f.f[i].value, f.f[i].value_len);
    }
    if (sd__sb_status(&sb) == SD_OK) {
        sd__form g;
        sd__form_limits big = {1 << 20, 256, 72, 4096};
        if (sd__form_parse(sd__sb_str(&sb), sb.len, &big, &g, err) != SD_OK || g.n != f.n)
            abort();
        for (size_t i = 0; i < f.n; i++)
            if (strcmp(f.f[i].name, g.f[i].name) != 0 || f.f[i].value_len != g.f[i].value_len ||
                memcmp(f.f[i].value, g.f[i].value, f.f[i].value_len) != 0)
                abort();
        sd__form_free(&g);
    }
    sd__sb_free(&sb);
    /* every page read from it, in both languages */
    sd__answers a;
    if (!sd__answers_init(&a, q->nvars))
        abort();
    for (size_t p = 0; p < q->npages; p++) {
        sd__page_errors e;
        bool ok = sd__page_read(q, p, &f, p % 2 ? "fr" : "en", &a, &e);
        if (!ok && e.msg && e.count == 0)
            abort();
        sd__page_errors_free(&e);
    }
    sd__answers eff;
    if (sd__answers_effective(q, &a, &eff))
        sd__answers_free(&eff);
    sd__answers_free(&a);
    /* the bytes as a session's stored answers */
    sd_error_clear(err);
    if (sd__answers_decode(q, (const char *)data, size, &a, err) == SD_OK)
        sd__answers_free(&a);
    sd__form_free(&f);
    sd_error_free(err);
    return 0;
}
