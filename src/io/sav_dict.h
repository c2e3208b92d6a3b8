/*
 * sav_dict.h — io-internal: a small walker of an SPSS system file's
 * dictionary (the records between the 176-byte header and the data), for
 * what ReadStat 1.1.8 neither reads nor writes: multiple-response sets
 * (record 7, subtypes 7 and 19), and the header's case count and weight
 * index checked against the file. The writer uses the same walker on the
 * dictionary ReadStat has just produced, to repair short names and to add
 * the sets (write_sav.c).
 */
#ifndef SD_SAV_DICT_H
#define SD_SAV_DICT_H

#include "../data/data.h"

/* Read n bytes at offset off into buf; false when they are not all there. */
typedef bool (*sd__sav_pread)(void *ctx, void *buf, size_t n, long long off);

/* One variable record (type 2) as the file has it. */
typedef struct sd__sav_varrec {
    char name[9];      /* short name, trailing blanks removed */
    int32_t type;      /* 0 numeric, 1..255 string width, -1 continuation */
    long long name_at; /* offset of the 8-byte name field */
} sd__sav_varrec;

/* An extension record (type 7): where its data lie. */
typedef struct sd__sav_ext {
    int32_t subtype;
    long long data_at;
    size_t len; /* size × count, checked */
} sd__sav_ext;

typedef struct sd__sav_dict {
    bool swap;         /* the file's byte order differs from ours */
    int32_t ncases;    /* the header's case count (-1: not given) */
    int32_t weight_index; /* 1-based dictionary index of the weight, 0: none */
    int32_t case_size; /* the header's nominal case size (8-byte units) */
    sd__sav_varrec *recs; /* every type-2 record, in order */
    size_t nrecs;
    sd__sav_ext *ext;
    size_t next;
    long long end_at;  /* offset of the termination record (type 999) */
    long long data_at; /* offset just after it: the data */
    /* The variables ReadStat reports, in its order: index into recs of
     * each one's first record (continuations and the extra segments of
     * very long strings removed). */
    size_t *vars;
    size_t nvars;
} sd__sav_dict;

/* Walk the dictionary of a file of `size` bytes. Fails with SD_E_FORMAT
 * naming the part (header, variable record N, value labels, extension
 * record) and what was expected. */
sd_status sd__sav_dict_read(sd__sav_pread rd, void *ctx, long long size, const char *file,
                            sd__sav_dict *d, sd_error *err);
void sd__sav_dict_free(sd__sav_dict *d);
/* The data of extension record i (owned by the caller), NUL-terminated. */
sd_status sd__sav_ext_load(sd__sav_pread rd, void *ctx, const sd__sav_dict *d, size_t i,
                           const char *file, char **out, sd_error *err);

/* Add to `ds` the multiple-response sets of the file (record 7, subtypes 7
 * and 19). `vars[i]` is the dataset variable for ReadStat's variable i
 * (NULL when it has none). Set names keep their '$'. Sets a dataset cannot
 * hold (a string counted value, fewer than two variables) are left out;
 * text is converted from `encoding` when given, else from the encoding the
 * file declares;
 * a set naming an unknown variable makes the file corrupt (SD_E_FORMAT). */
sd_status sd__sav_read_mrsets(sd__sav_pread rd, void *ctx, const sd__sav_dict *d,
                              sd_var *const *vars, size_t nvars, sd_dataset *ds,
                              const char *encoding, const char *file, sd_error *err);

/* The text of a subtype-7 record for the dataset's sets, `shorts[i]` being
 * the short name of variable i as written (any case). Labels in `lang`. An
 * empty string when the dataset has no sets. */
char *sd__sav_format_mrsets(const sd_dataset *ds, char *const *shorts, const char *lang,
                            size_t *len);

#endif /* SD_SAV_DICT_H */
