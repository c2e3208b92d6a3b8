/*
 * fuzz_targets.c — libFuzzer target for the weighting targets YAML
 * (src/io/read_targets.c) and the weighting that uses it (src/weight/).
 *
 * Any bytes must read as targets or give an error, never a crash, a leak
 * or undefined behaviour. Targets that read are used to weight a small
 * fixed dataset by every method (an error is fine), and a weighting that
 * succeeds has its diagnostics written as text and JSON. The seed corpus
 * (fuzz/corpus/targets/) uses the fixed dataset's names: numeric sex (1,
 * 2), age, w; string region (north, south, east).
 */
#include "weight/weight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char csv[] = "sex,region,age,w\n1,north,20,1\n1,south,35,2\n2,north,50,1\n"
                          "2,east,65,3\n1,east,30,1\n2,south,45,2\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_targets *t = NULL;
    if (sd_targets_read_mem((const char *)data, size, "fuzz.yml", &t, NULL) != SD_OK)
        return 0;
    sd_dataset *ds = NULL;
    if (sd_dataset_read_csv_mem(csv, strlen(csv), "fuzz.csv", &ds, NULL) != SD_OK)
        abort();
    static const char *const methods[] = {"rake", "poststratify", "linear", "raking", "logit"};
    for (size_t m = 0; m < 5; m++) {
        sd_tabspec *s = sd_tabspec_new();
        if (!s || sd_tabspec_set_option(s, "method", methods[m], NULL) != SD_OK ||
            sd_tabspec_set_option(s, "weight", "w", NULL) != SD_OK ||
            (m == 4 && sd_tabspec_set_option(s, "bounds", "0.5,2", NULL) != SD_OK) ||
            (m == 0 && sd_tabspec_set_option(s, "trim", "0.5,4", NULL) != SD_OK) ||
            sd_tabspec_set_option(s, "force", "true", NULL) != SD_OK)
            abort();
        sd_weighting *w = NULL;
        if (sd_weight(ds, s, t, &w, NULL) == SD_OK) {
            FILE *fp = fopen("/dev/null", "w");
            if (!fp)
                abort();
            sd_weighting_write(w, ds, SD_OUT_TEXT, "fr", fp, NULL);
            sd_weighting_write(w, ds, SD_OUT_JSON, "en", fp, NULL);
            fclose(fp);
        }
        sd_weighting_free(w);
        sd_tabspec_free(s);
    }
    sd_dataset_free(ds);
    sd_targets_free(t);
    return 0;
}
