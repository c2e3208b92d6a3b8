/*
 * field.h — the fieldwork layer's interface: the questionnaire (parsed from
 * YAML, docs/questionnaire.md), its conditions, the answers a respondent
 * gives, the codebook the questionnaire makes, form bodies, HTML pages, and
 * the HTTP server with its store (store.h).
 *
 * The CLI (src/cli/cmd_serve.c, cmd_tokens.c, cmd_codebook.c) uses these
 * sd__ names directly: fieldwork is an application of the library, not part
 * of its published API (include/sondage.h).
 */
#ifndef SD_FIELD_H
#define SD_FIELD_H

#include "../data/data.h"

/* ------------------------------------------------------------ answers */

/* One value per stored variable of a questionnaire (sd__questionnaire.vars):
 * set[i] says whether variable i has a value; numbers in num[i], texts in
 * str[i] (owned). */
typedef struct sd__answers {
    size_t n;
    uint8_t *set;
    double *num;
    char **str;
} sd__answers;

bool sd__answers_init(sd__answers *a, size_t n);
void sd__answers_free(sd__answers *a);
void sd__answers_clear(sd__answers *a, size_t i);
bool sd__answers_set_num(sd__answers *a, size_t i, double x);
bool sd__answers_set_str(sd__answers *a, size_t i, const char *s, size_t len);
bool sd__answers_copy(sd__answers *dst, const sd__answers *src);

/* ------------------------------------------------------------ conditions */

/* A compiled condition (condition.c): comparisons of earlier answers with
 * numbers, `in [..]`, answered(v), and, or, not, parentheses. Variables are
 * resolved to indexes when compiled. */
typedef struct sd__cond sd__cond;

/* Resolves a name to a variable index for the compiler: returns the index,
 * or -1 when unknown, -2 when not yet asked (a later page), -3 when the
 * variable holds text (only answered() may use it). */
typedef struct sd__cond_scope {
    const struct sd__questionnaire *q;
    size_t before_page; /* variables of pages before this one are visible */
} sd__cond_scope;

/* `src` is NUL-terminated at len; line and col say where it starts in the
 * file, so that errors name the column of the problem. */
sd_status sd__cond_compile(const char *src, size_t len, const sd__cond_scope *scope,
                           const char *file, long line, long col, sd__cond **out, sd_error *err);
void sd__cond_free(sd__cond *c);
/* True or false for these answers: a comparison with an unanswered variable
 * is false (so is !=); `not` inverts. */
bool sd__cond_eval(const sd__cond *c, const sd__answers *a);

/* ------------------------------------------------------------ questionnaire */

typedef enum sd__qkind {
    SD_Q_SINGLE = 0,   /* one code among options */
    SD_Q_YESNO = 1,    /* single choice with 1 Yes, 2 No (plus any options given) */
    SD_Q_MULTIPLE = 2, /* several options, one 1/0 variable each, and a set */
    SD_Q_GRID = 3,     /* items (rows) answered on one scale (options) */
    SD_Q_NUMERIC = 4,  /* a number, with range and decimals */
    SD_Q_TEXT = 5      /* open text */
} sd__qkind;

/* An option (single, yesno, multiple, grid scale) or a grid item. */
typedef struct sd__qopt {
    double code;        /* single/yesno/grid scale: the code stored */
    char *name;         /* multiple options and grid items: their variable (owned) */
    sd_labels label;    /* what the respondent reads; the value label */
    sd_labels note;     /* codebook note of the option's or item's variable */
    bool anchor;        /* keeps its place when options are shuffled */
    bool exclusive;     /* multiple: cannot be chosen with another option */
    sd__cond *show_if;  /* NULL: always offered */
    size_t var;         /* multiple options and grid items: index in q->vars */
} sd__qopt;

/* A net: a row of the tables made of several codes ("top 2 box"). */
typedef struct sd__qnet {
    char *name;    /* owned */
    double *codes; /* owned, ncodes >= 1 */
    size_t ncodes;
    sd_labels label;
} sd__qnet;

/* An alternative wording, shown when its condition holds. */
typedef struct sd__qwording {
    sd__cond *cond;
    sd_labels text;
} sd__qwording;

typedef struct sd__question {
    char *name;       /* owned; the variable (single, yesno, numeric, text) or set name */
    sd__qkind kind;
    sd_labels text;   /* the question as asked; the variable or set label */
    sd_labels help;   /* shown under the question, optional */
    sd_labels note;   /* codebook note, never shown */
    sd__qwording *wording; /* owned, nwording: first whose condition holds wins */
    size_t nwording;
    bool required;
    bool randomize;   /* shuffle options (grid: items), anchored ones stay */
    bool dropdown;    /* single: a <select> instead of radio buttons */
    sd_measure measure;
    sd__qopt *opts;   /* owned, nopts: options, or the grid's scale */
    size_t nopts;
    sd__qopt *items;  /* owned, nitems: grid rows */
    size_t nitems;
    double *missing;  /* owned, nmissing: codes that are user-missing in the codebook */
    size_t nmissing;
    sd__qnet *nets;   /* owned, nnets: nets of a coded question (each grid line has them) */
    size_t nnets;
    bool has_min, has_max;
    double min, max;
    int decimals;     /* numeric: decimals allowed (0: whole numbers) */
    size_t max_length;/* text: bytes */
    sd__cond *show_if;
    size_t page;      /* index of its page */
    size_t var;       /* single, yesno, numeric, text: index in q->vars */
    long line, col;
} sd__question;

typedef struct sd__qpage {
    char *name; /* owned */
    sd_labels title, intro;
    sd__cond *show_if;
    size_t first, n; /* its questions: q->qs[first .. first+n) */
} sd__qpage;

typedef struct sd__quota_cell {
    double code;
    long limit;
} sd__quota_cell;

/* Cells of one variable; codes not listed have no limit. */
typedef struct sd__quota {
    char *var_name; /* owned */
    size_t var;     /* index in q->vars */
    size_t question;
    sd__quota_cell *cells; /* owned */
    size_t ncells;
} sd__quota;

/* A stored variable: what the respondent's answers become, in order. */
typedef struct sd__qvar {
    const char *name; /* borrowed from its question, option or item */
    sd_type type;
    size_t question;  /* index in q->qs */
    long opt;         /* multiple: option index; grid: item index; -1 otherwise */
} sd__qvar;

typedef struct sd__questionnaire {
    char *file;            /* owned: the name used in messages */
    char *text;            /* owned: the YAML as read */
    size_t text_len;
    sd_labels title, intro, thanks, screenout;
    char **langs;          /* owned: 1 or 2 of "fr", "en"; the first is the default */
    size_t nlangs;
    sd__qpage *pages;      /* owned */
    size_t npages;
    sd__question *qs;      /* owned, in page order */
    size_t nq;
    sd__quota *quotas;     /* owned */
    size_t nquotas;
    sd__qvar *vars;        /* owned, every stored variable in order (the store's id is not one) */
    size_t nvars;
} sd__questionnaire;

/* Caps: a questionnaire's own limits (docs/questionnaire.md). */
#define SD_Q_MAX_TEXT ((size_t)65536)
#define SD_Q_MAX_ITEMS ((size_t)1000) /* pages, questions per page, options, items */
#define SD_Q_MAX_VARS ((size_t)10000)
#define SD_Q_MAX_LENGTH ((size_t)65536) /* an open answer, bytes */

/* Parse YAML text / a file. Errors name the file, line and column. */
sd_status sd__questionnaire_parse(const char *yaml, size_t len, const char *name,
                                  sd__questionnaire **out, sd_error *err);
sd_status sd__questionnaire_open(const char *path, sd__questionnaire **out, sd_error *err);
void sd__questionnaire_free(sd__questionnaire *q);
/* Index of a stored variable, or -1. */
long sd__questionnaire_var(const sd__questionnaire *q, const char *name);
/* Replace quotas from an option value: "role=1:2400,2:400" (several
 * variables separated by ';'). Each variable must be a single or yes/no
 * question and each code one of its options; its cells replace the
 * questionnaire's for that variable. */
sd_status sd__questionnaire_set_quota(sd__questionnaire *q, const char *spec, sd_error *err);

/* The codebook the questionnaire makes (qcodebook.c): an empty dataset with
 * `id` then every stored variable, labels in every language, value labels,
 * missing codes, measures, and a dichotomy set per multiple question. */
sd_status sd__questionnaire_dataset(const sd__questionnaire *q, sd_dataset **out, sd_error *err);
/* The same, written as YAML (sd__codebook_write) into a NUL-terminated
 * string the caller frees with sd__free. */
sd_status sd__questionnaire_codebook(const sd__questionnaire *q, char **yaml, size_t *len,
                                     sd_error *err);

/* ------------------------------------------------------------ navigation */

/* Visibility under answers (answers.c): a page shows when its condition
 * holds; a question when its page shows and its condition holds. */
bool sd__page_visible(const sd__questionnaire *q, size_t page, const sd__answers *a);
bool sd__question_visible(const sd__questionnaire *q, size_t qi, const sd__answers *a);
bool sd__option_visible(const sd__qopt *o, const sd__answers *a);
/* The answers as they count: values of questions (and options) that are
 * not shown under the earlier answers are dropped, page by page. */
bool sd__answers_effective(const sd__questionnaire *q, const sd__answers *in, sd__answers *out);
/* The first visible page at or after `from` (npages when none: the end). */
size_t sd__next_page(const sd__questionnaire *q, size_t from, const sd__answers *a);
/* The last visible page before `from` (from itself when none). */
size_t sd__prev_page(const sd__questionnaire *q, size_t from, const sd__answers *a);
/* Position of a page among the visible ones, and their count, for the
 * progress bar. */
void sd__progress(const sd__questionnaire *q, size_t page, const sd__answers *a, size_t *pos,
                  size_t *total);
/* Display order of a question's options (or grid items): a permutation of
 * 0..n-1 into `order`, shuffled from `seed` when the question asks for it,
 * anchored ones in place. */
void sd__option_order(const sd__question *qs, uint64_t seed, size_t *order, size_t n);

/* ------------------------------------------------------------ forms */

/* A decoded application/x-www-form-urlencoded body (form.c). Names and
 * values are NUL-terminated copies in one buffer. */
typedef struct sd__form_field {
    const char *name, *value;
    size_t name_len, value_len;
} sd__form_field;

typedef struct sd__form {
    sd__form_field *f; /* owned */
    size_t n;
    char *buf;         /* owned: the decoded texts */
} sd__form;

typedef struct sd__form_limits {
    size_t max_body;   /* bytes of encoded body */
    size_t max_fields;
    size_t max_name;   /* decoded bytes */
    size_t max_value;  /* decoded bytes */
} sd__form_limits;

/* Parse a body: '&'-separated name=value pairs, '+' is a space, %XX a
 * byte; names and values must be valid UTF-8 without NUL or other control
 * characters than tab, CR and LF (and names none of these). Fails with
 * SD_E_TOO_LARGE beyond a limit, SD_E_PARSE on a bad escape, SD_E_ENCODING
 * on bad text. On failure *out is empty. */
sd_status sd__form_parse(const char *body, size_t len, const sd__form_limits *lim, sd__form *out,
                         sd_error *err);
void sd__form_free(sd__form *f);
/* The first value of a name, or NULL; the count of fields with that name. */
const sd__form_field *sd__form_get(const sd__form *f, const char *name);
size_t sd__form_count(const sd__form *f, const char *name);
/* Append name=value percent-encoded ('&' before all but the first). */
void sd__form_append(sd_strbuf *sb, const char *name, const char *value, size_t vlen);

/* Answers to and from the form encoding stored with a session. */
void sd__answers_encode(const sd__questionnaire *q, const sd__answers *a, sd_strbuf *sb);
sd_status sd__answers_decode(const sd__questionnaire *q, const char *s, size_t len,
                             sd__answers *a, sd_error *err);

/* ------------------------------------------------------------ validation */

/* One message per question (indexed like q->qs), in the respondent's
 * language, or NULL; `count` of them are set. */
typedef struct sd__page_errors {
    char **msg; /* owned, n */
    size_t n;
    size_t count;
} sd__page_errors;

/* Read a page's submitted form into `a` (values of the page's visible
 * questions replace earlier ones, those of its hidden questions are
 * cleared; everything else in the form is ignored) and check every value
 * against the question: codes among the shown options, numbers in range
 * with the allowed decimals, texts within max_length characters, required
 * questions answered, exclusive options alone. The options of a shown
 * multiple question are set to 1 or 0. Returns false on a problem (each
 * question's message set; errs->n is q->nq) or no memory (errs->count 0);
 * `a` then holds what could be read, for showing the page again. */
bool sd__page_read(const sd__questionnaire *q, size_t page, const sd__form *form,
                   const char *lang, sd__answers *a, sd__page_errors *errs);
void sd__page_errors_free(sd__page_errors *e);

/* The text of a question in a language, its wording chosen by answers. */
const char *sd__question_text(const sd__question *qs, const sd__answers *a, const char *lang);

/* ------------------------------------------------------------ HTML */

/* Append s with & < > " ' escaped. */
void sd__html_esc(sd_strbuf *sb, const char *s);
void sd__html_escn(sd_strbuf *sb, const char *s, size_t n);
/* A number for a person (answers.c): fr "100 000" and "1,5", en "100,000"
 * and "1.5"; buf holds at least 64 bytes. */
void sd__human_num(char *buf, size_t cap, double x, const char *lang);

/* What a questionnaire page shows (html.c). */
typedef struct sd__page_view {
    const sd__questionnaire *q;
    const char *lang;
    const char *csrf;              /* the session's CSRF token */
    const char *sid;               /* for the resume link */
    uint64_t seed;                 /* option order */
    size_t page;
    const sd__answers *a;          /* values shown (and conditions) */
    const sd__page_errors *errs;   /* NULL when none */
} sd__page_view;

void sd__html_page(sd_strbuf *sb, const sd__page_view *v);
/* The start page: title, intro, a button per language; `nonce` is the
 * double-submit token of the start form, `token` an invitation or NULL. */
void sd__html_start(sd_strbuf *sb, const sd__questionnaire *q, const char *lang,
                    const char *nonce, const char *token);
/* The end: <body data-sondage="complete"> with the thanks, or
 * data-sondage="screened-out" with the screen-out text. */
void sd__html_end(sd_strbuf *sb, const sd__questionnaire *q, const char *lang, bool complete);
/* A short page for a problem: data-sondage is `state` (e.g. "error"). */
typedef enum sd__msg {
    SD_MSG_NOT_FOUND, SD_MSG_EXPIRED, SD_MSG_NO_COOKIE, SD_MSG_SAVE_FAILED, SD_MSG_TOO_LARGE,
    SD_MSG_BAD_FORM, SD_MSG_INVITE_NEEDED, SD_MSG_BAD_TOKEN, SD_MSG_METHOD, SD_MSG_MEDIA_TYPE
} sd__msg;
void sd__html_message(sd_strbuf *sb, const sd__questionnaire *q, const char *lang, sd__msg m);
/* The style sheet served at /style.css. */
const char *sd__html_css(size_t *len);
/* Start and end of an admin page (admin.c uses them). */
void sd__html_head(sd_strbuf *sb, const sd__questionnaire *q, const char *lang,
                   const char *state, const char *title, int refresh);
void sd__html_tail(sd_strbuf *sb);

/* Randomness (rand.c): bytes from the kernel (getrandom), as hex. */
sd_status sd__random_bytes(void *buf, size_t n, sd_error *err);
sd_status sd__random_hex(char *out, size_t nbytes, sd_error *err); /* out: 2*nbytes+1 */
/* Equal strings, in time that depends only on b's length (b is the secret). */
bool sd__secret_eq(const char *a, size_t alen, const char *b, size_t blen);
uint64_t sd__splitmix64(uint64_t *state);
uint64_t sd__hash64(const char *s);

#endif /* SD_FIELD_H */
