/*
 * test_hash.c — the core hash index: lookups end whatever was added, items
 * are found again after growing, colliding hashes are told apart by the
 * caller, and the dataset's name index built on it.
 */
#include "core/core.h"
#include "data/data.h"
#include "harness.h"

/* Find `key` among items whose keys are keys[0..n), adding it when new. */
static size_t find_add(sd_hindex *h, uint64_t *keys, size_t *n, uint64_t key, uint64_t hash)
{
    sd_hprobe p = sd__hindex_probe(h, hash);
    size_t it;
    while (sd__hindex_next(h, &p, &it))
        if (keys[it] == key)
            return it;
    keys[*n] = key;
    CHECK(sd__hindex_add(h, hash, *n));
    return (*n)++;
}

static void test_hindex_empty_lookup_ends(void)
{
    sd_hindex h;
    sd__hindex_init(&h);
    sd_hprobe p = sd__hindex_probe(&h, 42);
    size_t it;
    CHECK(!sd__hindex_next(&h, &p, &it));
    sd__hindex_free(&h);
    sd__hindex_free(&h); /* twice is fine */
}

static void test_hindex_finds_every_item_after_growing(void)
{
    enum { N = 20000 };
    static uint64_t keys[N];
    size_t n = 0;
    sd_hindex h = {0};
    for (uint64_t k = 0; k < N; k++)
        CHECK_INT(find_add(&h, keys, &n, k * 7919, sd__hash_u64(k * 7919)), k);
    CHECK_INT(n, N);
    CHECK_INT(h.n, N);
    CHECK(h.cap >= 2 * N); /* never more than half full */
    for (uint64_t k = 0; k < N; k++)
        CHECK_INT(find_add(&h, keys, &n, k * 7919, sd__hash_u64(k * 7919)), k);
    CHECK_INT(n, N);
    /* A key never added: the probe ends on an empty slot. */
    sd_hprobe p = sd__hindex_probe(&h, sd__hash_u64(3));
    size_t it, seen = 0;
    while (sd__hindex_next(&h, &p, &it)) {
        CHECK(keys[it] != 3);
        seen++;
    }
    CHECK(seen < 64);
    sd__hindex_free(&h);
}

static void test_hindex_all_hashes_equal(void)
{
    /* Every key under one hash: still correct (the caller compares), and
     * every lookup ends. */
    enum { N = 300 };
    uint64_t keys[N];
    size_t n = 0;
    sd_hindex h = {0};
    for (uint64_t k = 0; k < N; k++)
        CHECK_INT(find_add(&h, keys, &n, k, 12345), k);
    for (uint64_t k = 0; k < N; k++)
        CHECK_INT(find_add(&h, keys, &n, k, 12345), k);
    CHECK_INT(n, N);
    sd__hindex_clear(&h);
    CHECK_INT(h.n, 0);
    n = 0;
    CHECK_INT(find_add(&h, keys, &n, 99, 12345), 0);
    sd__hindex_free(&h);
}

static void test_hindex_reserve_and_limits(void)
{
    sd_hindex h = {0};
    CHECK(sd__hindex_reserve(&h, 1000));
    size_t cap = h.cap;
    CHECK(cap >= 2000);
    for (size_t i = 0; i < 1000; i++)
        CHECK(sd__hindex_add(&h, sd__hash_u64(i), i));
    CHECK_INT(h.cap, cap); /* reserved: no growth */
    CHECK(!sd__hindex_add(&h, 1, SD_HINDEX_MAX));
    CHECK(!sd__hindex_reserve(&h, SD_HINDEX_MAX + 1));
    sd__hindex_free(&h);
}

static void test_hash_functions(void)
{
    CHECK(sd__hash_str("q1") == sd__hash_bytes("q1x", 2));
    CHECK(sd__hash_str("q1") != sd__hash_str("q2"));
    CHECK(sd__hash_str("") == sd__hash_bytes("", 0));
    CHECK(sd__hash_u64(1) != sd__hash_u64(2));
    /* The 32 bits kept differ in their low bits for neighbouring names. */
    int same = 0;
    char a[16], b[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(a, sizeof a, "v%d", i);
        snprintf(b, sizeof b, "v%d", i + 1);
        same += (sd__hash32(sd__hash_str(a)) & 1023) == (sd__hash32(sd__hash_str(b)) & 1023);
    }
    CHECK(same < 10);
}

static void test_dataset_name_index(void)
{
    sd_dataset *ds = sd__dataset_new("t");
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "v%d", i);
        CHECK_INT(sd__dataset_add_var(ds, name, SD_TYPE_NUMERIC, NULL, NULL), SD_OK);
    }
    CHECK_INT(sd__dataset_var_index(ds, "v0"), 0);
    CHECK_INT(sd__dataset_var_index(ds, "v4999"), 4999);
    CHECK_INT(sd__dataset_var_index(ds, "v5000"), -1);
    CHECK(sd_dataset_find(ds, "v17") == sd_dataset_var(ds, 17));
    sd_error *e = sd_error_new();
    CHECK_INT(sd__dataset_add_var(ds, "v17", SD_TYPE_NUMERIC, NULL, e), SD_E_INVALID);
    sd_mrset *m;
    CHECK_INT(sd__dataset_add_mrset(ds, "set1", SD_MRSET_DICHOTOMY, &m, NULL), SD_OK);
    CHECK(sd_dataset_find_mrset(ds, "set1") == m);
    CHECK(sd_dataset_find_mrset(ds, "set2") == NULL);
    sd_error_clear(e);
    CHECK_INT(sd__dataset_add_var(ds, "set1", SD_TYPE_NUMERIC, NULL, e), SD_E_INVALID);
    CHECK_INT(sd__dataset_add_mrset(ds, "v3", SD_MRSET_DICHOTOMY, &m, NULL), SD_E_INVALID);
    sd_error_free(e);
    sd_dataset_free(ds);
}

static void test_string_levels_intern(void)
{
    sd_dataset *ds = sd__dataset_new("t");
    sd_var *v;
    CHECK_INT(sd__dataset_add_var(ds, "s", SD_TYPE_STRING, &v, NULL), SD_OK);
    uint32_t idx;
    char buf[32];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "level %d", i % 1000);
        CHECK(sd__var_intern(v, buf, (size_t)n, &idx));
        CHECK_INT(idx, i % 1000);
    }
    CHECK_INT(v->nlevels, 1000);
    CHECK_INT(sd__var_find_level(v, "level 999"), 999);
    CHECK_INT(sd__var_find_level(v, "level 1000"), -1);
    /* A prefix of a level is another level. */
    CHECK(sd__var_intern(v, "level 99", 7, &idx));
    CHECK_STR(v->levels[idx], "level 9");
    sd_dataset_free(ds);
}

int main(void)
{
    RUN(test_hindex_empty_lookup_ends);
    RUN(test_hindex_finds_every_item_after_growing);
    RUN(test_hindex_all_hashes_equal);
    RUN(test_hindex_reserve_and_limits);
    RUN(test_hash_functions);
    RUN(test_dataset_name_index);
    RUN(test_string_levels_intern);
    DONE();
}
