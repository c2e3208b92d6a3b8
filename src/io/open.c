/*
 * open.c — sd_dataset_open and the dataset writers: pick the reader from the
 * file name, apply a codebook, and hand back one dataset. Also the bundled
 * study, compiled into the library, under the name "@study".
 */
#include "io.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

const unsigned char *sd__embedded_study_csv(size_t *len);
const unsigned char *sd__embedded_study_codebook(size_t *len);

sd_format sd__format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return SD_FORMAT_AUTO;
    dot++;
    static const struct {
        const char *ext;
        sd_format fmt;
    } map[] = {{"csv", SD_FORMAT_CSV},   {"tsv", SD_FORMAT_CSV},     {"txt", SD_FORMAT_CSV},
               {"sav", SD_FORMAT_SAV},   {"zsav", SD_FORMAT_SAV},    {"por", SD_FORMAT_POR},
               {"dta", SD_FORMAT_DTA},   {"sas7bdat", SD_FORMAT_SAS7BDAT},
               {"xpt", SD_FORMAT_XPORT}, {"xport", SD_FORMAT_XPORT}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(dot, map[i].ext) == 0)
            return map[i].fmt;
    return SD_FORMAT_AUTO;
}

static sd_status open_codebook(const char *path, sd_codebook **cb, sd_error *err)
{
    char *text;
    size_t len;
    sd_status st = sd__read_file(path, &text, &len, err);
    if (st != SD_OK)
        return st;
    st = sd__codebook_parse(text, len, path, cb, err);
    sd__free(text);
    return st;
}

static sd_status open_embedded(sd_dataset **out, sd_error *err)
{
    size_t clen, blen;
    const char *csv = (const char *)sd__embedded_study_csv(&clen);
    const char *yaml = (const char *)sd__embedded_study_codebook(&blen);
    sd_codebook *cb = NULL;
    sd_status st = sd__codebook_parse(yaml, blen, "@study/codebook.yaml", &cb, err);
    if (st == SD_OK)
        st = sd__read_csv(csv, clen, "@study", cb, out, err);
    if (st == SD_OK && (st = sd__codebook_apply(cb, *out, err)) != SD_OK) {
        sd_dataset_free(*out);
        *out = NULL;
    }
    sd__codebook_free(cb);
    return st;
}

sd_status sd_dataset_open(const char *path, sd_format format, const char *codebook,
                          sd_dataset **out, sd_error *err)
{
    *out = NULL;
    if (!path)
        return sd__fail(err, SD_E_INVALID, NULL, 0, 0, NULL, "no file name given");
    if (strcmp(path, "@study") == 0 && !codebook)
        return open_embedded(out, err);
    if (format == SD_FORMAT_AUTO)
        format = sd__format_from_path(path);
    if (format == SD_FORMAT_AUTO)
        return sd__fail(err, SD_E_UNSUPPORTED, path, 0, 0, NULL,
                        "unknown file type: expected .csv, .tsv, .sav, .zsav, .por, .dta, "
                        ".sas7bdat or .xpt");
    sd_codebook *cb = NULL;
    sd_status st = SD_OK;
    if (codebook && (st = open_codebook(codebook, &cb, err)) != SD_OK)
        return st;
    if (format == SD_FORMAT_CSV) {
        char *text;
        size_t len;
        st = sd__read_file(path, &text, &len, err);
        if (st == SD_OK) {
            st = sd__read_csv(text, len, path, cb, out, err);
            sd__free(text);
        }
    } else {
        st = sd__read_readstat(path, format, out, err);
    }
    if (st == SD_OK && cb && (st = sd__codebook_apply(cb, *out, err)) != SD_OK) {
        sd_dataset_free(*out);
        *out = NULL;
    }
    sd__codebook_free(cb);
    return st;
}

sd_status sd_dataset_read_csv_mem(const char *data, size_t len, const char *name,
                                  sd_dataset **out, sd_error *err)
{
    *out = NULL;
    return sd__read_csv(data, len, name ? name : "(memory)", NULL, out, err);
}

sd_status sd_dataset_apply_codebook_mem(sd_dataset *ds, const char *yaml, size_t len,
                                        const char *name, sd_error *err)
{
    sd_codebook *cb = NULL;
    sd_status st = sd__codebook_parse(yaml, len, name ? name : "(memory)", &cb, err);
    if (st == SD_OK)
        st = sd__codebook_apply(cb, ds, err);
    sd__codebook_free(cb);
    return st;
}

sd_status sd_dataset_write_sav(const sd_dataset *ds, const char *path, const char *lang,
                               sd_error *err)
{
    return sd__write_sav(ds, path, lang, err);
}

static sd_status write_with(const char *path, sd_status (*fn)(const sd_dataset *, FILE *,
                                                              const char *, sd_error *),
                            const sd_dataset *ds, sd_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return sd__fail(err, SD_E_IO, path, 0, 0, NULL, "cannot create: %s", strerror(errno));
    sd_status st = fn(ds, fp, path, err);
    if (fclose(fp) != 0 && st == SD_OK)
        st = sd__fail(err, SD_E_IO, path, 0, 0, NULL, "write error: %s", strerror(errno));
    return st;
}

sd_status sd_dataset_write_csv(const sd_dataset *ds, const char *path, const char *codebook_path,
                               sd_error *err)
{
    sd_status st = write_with(path, sd__write_csv, ds, err);
    if (st == SD_OK && codebook_path)
        st = write_with(codebook_path, sd__codebook_write, ds, err);
    return st;
}
