#include "results/tidy.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when the byte at s starts none. */
static size_t utf8_valid(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong form */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogate */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

char *tidy_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1); /* each byte at most one U+FFFD (3 bytes) */
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid(u + i);
        if (len == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        }
    }
    out[o] = '\0';
    return out;
}

/* The fewest significant digits (15, 16, 17) that read back as v. */
static void format_real(double v, char *buf, size_t size)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static void csv_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void json_text(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void write_cell(const struct tidy *t, const struct tidy_cell *c)
{
    char buf[40];
    bool json = t->format == TIDY_JSON;
    switch (c->kind) {
    case TIDY_REAL:
        if (isnan(c->real)) {
            fputs(json ? "null" : "", t->out);
        } else if (isinf(c->real)) {
            fputs(json ? "null" : c->real > 0 ? "inf" : "-inf", t->out);
        } else {
            format_real(c->real, buf, sizeof buf);
            fputs(buf, t->out);
        }
        break;
    case TIDY_INT:
        fprintf(t->out, "%" PRId64, c->integer);
        break;
    case TIDY_BOOL:
        fputs(c->boolean ? "true" : "false", t->out);
        break;
    case TIDY_TEXT:
        (json ? json_text : csv_text)(t->out, c->text);
        break;
    default:
        fputs(json ? "null" : "", t->out);
    }
}

void tidy_set_empty(struct tidy *t, size_t col)
{
    struct tidy_cell *c = &t->row[col];
    free(c->text);
    memset(c, 0, sizeof *c);
}

void tidy_set_real(struct tidy *t, size_t col, double v)
{
    tidy_set_empty(t, col);
    if (!isnan(v)) {
        t->row[col].kind = TIDY_REAL;
        t->row[col].real = v;
    }
}

void tidy_set_int(struct tidy *t, size_t col, int64_t v)
{
    tidy_set_empty(t, col);
    t->row[col].kind = TIDY_INT;
    t->row[col].integer = v;
}

void tidy_set_bool(struct tidy *t, size_t col, bool v)
{
    tidy_set_empty(t, col);
    t->row[col].kind = TIDY_BOOL;
    t->row[col].boolean = v;
}

void tidy_set_text(struct tidy *t, size_t col, const char *s)
{
    tidy_set_empty(t, col);
    if (!s)
        return;
    char *copy = tidy_utf8(s);
    if (!copy) {
        t->failed = true;
        return;
    }
    t->row[col].kind = TIDY_TEXT;
    t->row[col].text = copy;
}

void tidy_set_cell(struct tidy *t, size_t col, const struct tidy_cell *c)
{
    switch (c->kind) {
    case TIDY_REAL:
        tidy_set_real(t, col, c->real);
        break;
    case TIDY_INT:
        tidy_set_int(t, col, c->integer);
        break;
    case TIDY_BOOL:
        tidy_set_bool(t, col, c->boolean);
        break;
    case TIDY_TEXT:
        tidy_set_text(t, col, c->text);
        break;
    default:
        tidy_set_empty(t, col);
    }
}

int tidy_begin(struct tidy *t, FILE *out, enum tidy_format format, const char *const *cols,
               size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    t->format = format;
    t->cols = calloc(ncols ? ncols : 1, sizeof *t->cols);
    t->row = calloc(ncols ? ncols : 1, sizeof *t->row);
    bool ok = t->cols && t->row;
    for (size_t i = 0; ok && i < ncols; i++, t->ncols++)
        ok = (t->cols[i] = tidy_utf8(cols[i])) != NULL;
    if (!ok) {
        tidy_release(t);
        return -ENOMEM;
    }
    if (format == TIDY_JSON) {
        fputc('[', out);
        return 0;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            fputc(',', out);
        csv_text(out, t->cols[i]);
    }
    fputs("\r\n", out);
    return 0;
}

int tidy_emit(struct tidy *t)
{
    int rc = t->failed ? -ENOMEM : 0;
    if (rc == 0 && t->format == TIDY_JSON) {
        fputs(t->rows ? ",\n{" : "\n{", t->out);
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                fputs(", ", t->out);
            json_text(t->out, t->cols[i]);
            fputs(": ", t->out);
            write_cell(t, &t->row[i]);
        }
        fputc('}', t->out);
    } else if (rc == 0) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                fputc(',', t->out);
            write_cell(t, &t->row[i]);
        }
        fputs("\r\n", t->out);
    }
    if (rc == 0)
        t->rows++;
    for (size_t i = 0; i < t->ncols; i++)
        tidy_set_empty(t, i);
    t->failed = false;
    return rc;
}

int tidy_end(struct tidy *t)
{
    if (t->format == TIDY_JSON)
        fputs(t->rows ? "\n]\n" : "]\n", t->out);
    int rc = fflush(t->out) != 0 || ferror(t->out) ? -EIO : 0;
    tidy_release(t);
    return rc;
}

void tidy_release(struct tidy *t)
{
    for (size_t i = 0; t->row && i < t->ncols; i++)
        free(t->row[i].text);
    for (size_t i = 0; t->cols && i < t->ncols; i++)
        free(t->cols[i]);
    free(t->row);
    free(t->cols);
    memset(t, 0, sizeof *t);
}
