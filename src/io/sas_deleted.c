/*
 * sas_deleted.c — io-internal: the deleted rows of a SAS .sas7bdat file,
 * found by walking its pages beside ReadStat.
 *
 * Why by hand: ReadStat 1.1.8 reads rows that SAS marks deleted as data
 * (its issue 284; fixed upstream long after 1.1.8), so parso's
 * all_rand_normal_with_deleted.sas7bdat gives 37 rows where SAS, parso and
 * pandas give 36. The layout, from the sas7bdat format notes (Shotwell,
 * Cummins; FredHutch/sas7bdat-specification) and checked on parso's test
 * files: the row-size subheader counts the deleted rows; a page whose type
 * has bit 0x80 set carries one bit per row slot, most significant bit
 * first, 1 = deleted, in ceil(capacity / 8) bytes placed at the end of the
 * page's free area: just below the lowest subheader on a 'mix' page
 * (capacity: the mix-page row count), at the very end of a 'data' page
 * (capacity: the rows a full data page holds). The count of set bits must
 * equal the header's count, or the file is not read.
 */
#include "sas_deleted.h"

#include <string.h>

#define SAS_MAX_PAGES ((unsigned long long)1 << 24)

typedef struct sas_walk {
    sd__sav_pread rd;
    void *ctx;
    long long size;
    bool u64, le;
} sas_walk;

static uint64_t get_int(const unsigned char *p, int n, bool le)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = le ? v | (uint64_t)p[i] << (8 * i) : v << 8 | p[i];
    return v;
}

void sd__sas_deleted_free(sd__sas_deleted *d)
{
    sd__free(d->deleted);
    memset(d, 0, sizeof *d);
}

/* The row-size subheader's fields: row length, total rows, deleted rows,
 * rows on a mix page. false when this page has none. */
static bool row_size(const sas_walk *w, const unsigned char *page, size_t ps, size_t sc,
                     uint64_t *rl, uint64_t *total, uint64_t *del, uint64_t *mixcap)
{
    size_t ph = w->u64 ? 40 : 24, pl = w->u64 ? 24 : 12, iw = w->u64 ? 8 : 4;
    for (size_t i = 0; i < sc; i++) {
        const unsigned char *p = page + ph + i * pl;
        if (ph + (i + 1) * pl > ps)
            return false;
        uint64_t off = get_int(p, (int)iw, w->le), len = get_int(p + iw, (int)iw, w->le);
        if (len < (w->u64 ? 128 : 64) || off > ps || len > ps - off)
            continue;
        const unsigned char *s = page + off;
        if (memcmp(s, "\xF7\xF7\xF7\xF7", 4) != 0)
            continue;
        *rl = get_int(s + (w->u64 ? 40 : 20), (int)iw, w->le);
        *total = get_int(s + (w->u64 ? 48 : 24), (int)iw, w->le);
        *del = get_int(s + (w->u64 ? 56 : 28), (int)iw, w->le);
        *mixcap = get_int(s + (w->u64 ? 120 : 60), (int)iw, w->le);
        return true;
    }
    return false;
}

sd_status sd__sas_find_deleted(sd__sav_pread rd, void *ctx, long long size, const char *file,
                               sd__sas_deleted *out, sd_error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char h[288];
    if (size < (long long)sizeof h || !rd(ctx, h, sizeof h, 0))
        return SD_OK; /* ReadStat will say what is wrong */
    sas_walk w = {rd, ctx, size, h[32] == 0x33, h[37] == 0x01};
    size_t a1 = h[35] == 0x33 ? 4 : 0;
    uint64_t hl = get_int(h + 196 + a1, 4, w.le), ps = get_int(h + 200 + a1, 4, w.le);
    uint64_t npages = get_int(h + 204 + a1, w.u64 ? 8 : 4, w.le);
    size_t ph = w.u64 ? 40 : 24, pl = w.u64 ? 24 : 12, iw = w.u64 ? 8 : 4;
    if (hl < sizeof h || ps < 1024 || ps > ((uint64_t)1 << 24) || npages > SAS_MAX_PAGES ||
        hl > (uint64_t)size)
        return SD_OK;
    unsigned char *page = sd__malloc((size_t)ps);
    if (!page)
        return sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
    uint64_t rl = 0, total = 0, del = 0, mixcap = 0, seen = 0, marked = 0;
    bool have_rs = false, compressed = false;
    sd_status st = SD_OK;
    for (uint64_t pg = 0; pg < npages; pg++) {
        long long at = (long long)(hl + pg * ps);
        if (at + (long long)ps > size || !rd(ctx, page, (size_t)ps, at))
            break;
        unsigned type = (unsigned)get_int(page + (w.u64 ? 32 : 16), 2, w.le);
        size_t bc = (size_t)get_int(page + (w.u64 ? 34 : 18), 2, w.le);
        size_t sc = (size_t)get_int(page + (w.u64 ? 36 : 20), 2, w.le);
        if (ph + sc * pl > ps)
            break;
        if (!have_rs)
            have_rs = row_size(&w, page, (size_t)ps, sc, &rl, &total, &del, &mixcap);
        if (!have_rs)
            continue;
        if (del == 0 || total > SD_MAX_ROWS || del > total || rl == 0 || rl > ((uint64_t)1 << 31))
            break; /* nothing deleted (or nonsense): ReadStat reads as it does */
        if (!out->deleted && !(out->deleted = sd__calloc((size_t)total ? (size_t)total : 1, 1))) {
            st = sd__fail(err, SD_E_NOMEM, file, 0, 0, NULL, "out of memory");
            break;
        }
        for (size_t i = 0; i < sc; i++) {
            const unsigned char *p = page + ph + i * pl;
            if (p[2 * iw] == 4 || p[2 * iw] == 5) /* compressed row data */
                compressed = true;
        }
        unsigned base = type & 0x0F00;
        size_t rows = 0, cap = 0, end = 0;
        if (base == 0x200) { /* mix: subheaders, then rows */
            rows = (size_t)(mixcap < total - seen ? mixcap : total - seen);
            cap = (size_t)mixcap;
            end = (size_t)ps;
            for (size_t i = 0; i < sc; i++) {
                const unsigned char *p = page + ph + i * pl;
                uint64_t off = get_int(p, (int)iw, w.le), len = get_int(p + iw, (int)iw, w.le);
                if (len && off < end)
                    end = (size_t)off;
            }
        } else if (base == 0x100) { /* data: rows only */
            rows = bc < total - seen ? bc : (size_t)(total - seen);
            cap = (size_t)((8 * (ps - ph)) / (1 + 8 * rl));
            end = (size_t)ps;
        } else {
            continue;
        }
        if ((type & 0x80) && rows) {
            size_t blen = (cap + 7) / 8;
            if (cap < rows || blen > end) {
                st = SD_E_UNSUPPORTED;
                break;
            }
            const unsigned char *bits = page + end - blen;
            for (size_t r = 0; r < rows; r++)
                if (bits[r / 8] >> (7 - r % 8) & 1) {
                    out->deleted[seen + r] = 1;
                    marked++;
                }
        }
        seen += rows;
    }
    sd__free(page);
    if (st == SD_E_NOMEM)
        return st;
    if (del && have_rs && (st != SD_OK || marked != del || compressed)) {
        sd__sas_deleted_free(out);
        return sd__fail(err, SD_E_UNSUPPORTED, file, 0, 0, NULL,
                        "the file marks %llu of its %llu rows deleted, in a layout sondage cannot "
                        "read (%s): refused rather than read them as data",
                        (unsigned long long)del, (unsigned long long)total,
                        compressed ? "a compressed file" : "flags not where expected");
    }
    if (!del || !have_rs) {
        sd__sas_deleted_free(out);
        return SD_OK;
    }
    out->total = (size_t)total;
    out->ndeleted = (size_t)del;
    return SD_OK;
}
