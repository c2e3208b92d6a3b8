/*
 * fuzz_questionnaire.c — libFuzzer target for the questionnaire parser
 * (src/field/questionnaire.c, condition.c) and the codebook it makes
 * (qcodebook.c through the codebook writer).
 *
 * Any bytes must give a questionnaire or an error (status, message, file
 * named), never a crash, a leak or undefined behaviour. A questionnaire
 * that parses must make a codebook that the codebook reader parses and
 * applies to the questionnaire's own empty dataset.
 */
#include "field/field.h"
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_error *err = sd_error_new();
    sd__questionnaire *q = NULL;
    sd_status st = sd__questionnaire_parse((const char *)data, size, "fuzz.yml", &q, err);
    if (st != SD_OK) {
        if (q || sd_error_status(err) != st || !*sd_error_message(err))
            abort();
        sd_error_free(err);
        return 0;
    }
    char *yaml = NULL;
    size_t len = 0;
    sd_dataset *ds = NULL;
    sd_codebook *cb = NULL;
    if (sd__questionnaire_codebook(q, &yaml, &len, err) != SD_OK ||
        sd__questionnaire_dataset(q, &ds, err) != SD_OK ||
        sd__codebook_parse(yaml, len, "fuzz-cb.yaml", &cb, err) != SD_OK ||
        sd__codebook_apply(cb, ds, err) != SD_OK)
        abort(); /* what the questionnaire makes, the reader takes */
    /* Every page's visibility and order on empty answers. */
    sd__answers a;
    if (sd__answers_init(&a, q->nvars)) {
        size_t order[SD_Q_MAX_ITEMS];
        for (size_t i = 0; i < q->nq; i++) {
            const sd__question *qs = &q->qs[i];
            size_t n = qs->kind == SD_Q_GRID ? qs->nitems : qs->nopts;
            if (n <= SD_Q_MAX_ITEMS)
                sd__option_order(qs, 1234, order, n);
            (void)sd__question_visible(q, i, &a);
        }
        (void)sd__next_page(q, 0, &a);
        sd__answers_free(&a);
    }
    sd__codebook_free(cb);
    sd_dataset_free(ds);
    sd__free(yaml);
    sd__questionnaire_free(q);
    sd_error_free(err);
    return 0;
}
