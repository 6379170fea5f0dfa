#include "sim/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/grow.h"

#define DIAG_DEFAULT_MAX 100

void diag_init(struct diag *d)
{
    memset(d, 0, sizeof *d);
}

void diag_clear(struct diag *d)
{
    for (size_t i = 0; i < d->len; i++) {
        free(d->msgs[i].file);
        free(d->msgs[i].text);
    }
    d->len = 0;
    d->errors = d->warnings = d->dropped = 0;
}

void diag_release(struct diag *d)
{
    diag_clear(d);
    free(d->msgs);
    d->msgs = NULL;
    d->cap = 0;
    for (size_t i = 0; i < d->nquotable; i++)
        free(d->quotable[i]);
    free(d->quotable);
    d->quotable = NULL;
    d->nquotable = 0;
}

void diag_quote_freely(struct diag *d, const char *file)
{
    for (size_t i = 0; i < d->nquotable; i++)
        if (strcmp(d->quotable[i], file) == 0)
            return;
    char **q = realloc(d->quotable, (d->nquotable + 1) * sizeof *q);
    if (!q)
        return;
    d->quotable = q;
    if ((q[d->nquotable] = strdup(file)))
        d->nquotable++;
}

static bool quotable(const struct diag *d, const char *file)
{
    for (size_t i = 0; i < d->nquotable; i++)
        if (strcmp(d->quotable[i], file) == 0)
            return true;
    return false;
}

void diag_vreport(struct diag *d, enum diag_severity severity, const char *file, int line, int col,
                  const char *fmt, va_list ap)
{
    if (severity == DIAG_ERROR)
        d->errors++;
    else if (severity == DIAG_WARNING)
        d->warnings++;
    size_t max = d->max_messages ? d->max_messages : DIAG_DEFAULT_MAX;
    if (d->len >= max)
        goto dropped;
    if (d->len == d->cap && grow_array(&d->msgs, &d->cap, sizeof *d->msgs, 8) < 0)
        goto dropped;
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        goto dropped;
    if (d->dedupe) {
        for (size_t i = 0; i < d->len; i++) {
            const struct diag_msg *m = &d->msgs[i];
            if (m->severity == severity && m->line == line && m->col == col &&
                strcmp(m->text, text) == 0 &&
                ((!m->file && !file) || (m->file && file && strcmp(m->file, file) == 0))) {
                free(text);
                if (severity == DIAG_ERROR)
                    d->errors--;
                else if (severity == DIAG_WARNING)
                    d->warnings--;
                return;
            }
        }
    }
    char *fcopy = NULL;
    if (file && !(fcopy = strdup(file))) {
        free(text);
        goto dropped;
    }
    d->msgs[d->len++] = (struct diag_msg){
        .severity = severity, .file = fcopy, .line = line, .col = col, .text = text};
    return;
dropped:
    d->dropped++;
}

void diag_report(struct diag *d, enum diag_severity severity, const char *file, int line, int col,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, severity, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_error(struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, DIAG_ERROR, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

void diag_warning(struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, DIAG_WARNING, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

static int msg_cmp(const struct diag_msg *a, const struct diag_msg *b)
{
    if (!a->file || !b->file)
        return (a->file != NULL) - (b->file != NULL);
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

void diag_sort(struct diag *d, size_t from)
{
    /* Insertion sort: stable, and message lists are short (capped). */
    for (size_t i = from + 1; i < d->len; i++) {
        struct diag_msg m = d->msgs[i];
        size_t j = i;
        while (j > from && msg_cmp(&d->msgs[j - 1], &m) > 0) {
            d->msgs[j] = d->msgs[j - 1];
            j--;
        }
        d->msgs[j] = m;
    }
}

/* Length of the valid UTF-8 sequence starting at s (at most n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80         ? 1
                 : (s[0] >> 5) == 6  ? 2
                 : (s[0] >> 4) == 14 ? 3
                 : (s[0] >> 3) == 30 ? 4
                                     : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

static const char *severity_name(enum diag_severity s)
{
    switch (s) {
    case DIAG_NOTE:
        return "note";
    case DIAG_WARNING:
        return "warning";
    case DIAG_ERROR:
        return "error";
    }
    return "?";
}

/*
 * Reads line `line` (1-based) of `file` into buf (at most DIAG_QUOTE_BYTES bytes of it, no
 * newline); returns its length, or -1 when the file is not a readable regular file or the line
 * does not start within its first DIAG_SCAN_BYTES bytes. Never blocks (a FIFO is refused before
 * it is read).
 */
static ssize_t read_line(const char *file, int line, char *buf)
{
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    char chunk[65536];
    size_t scanned = 0, n = 0;
    int at = 1;
    bool found = false, ended = false;
    while (!ended && n < DIAG_QUOTE_BYTES && scanned < DIAG_SCAN_BYTES) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t i = 0;
        for (; i < (size_t)r && at < line; i++)
            if (chunk[i] == '\n')
                at++;
        if (at == line && scanned + i < DIAG_SCAN_BYTES)
            found = true;
        for (; found && i < (size_t)r && n < DIAG_QUOTE_BYTES; i++) {
            if (chunk[i] == '\n') {
                ended = true;
                break;
            }
            buf[n++] = chunk[i];
        }
        scanned += (size_t)r;
    }
    close(fd);
    /* A line that would start at the very end of the file does not exist. */
    return found && (n > 0 || ended) ? (ssize_t)n : -1;
}

/* Prints line `line` of `file` (cut to `max_chars` characters) with a caret under column `col`;
 * returns false, printing nothing, if it cannot be read. */
static bool print_source_line(FILE *out, const char *file, int line, int col, size_t max_chars)
{
    char buf[DIAG_QUOTE_BYTES];
    ssize_t n = read_line(file, line, buf);
    if (n < 0)
        return false;
    while (n > 0 && buf[n - 1] == '\r')
        n--;
    fprintf(out, "%5d | ", line);
    /* Control characters (tabs too) print as spaces, invalid UTF-8 as '?', so the caret stays
     * aligned and the terminal sane. */
    size_t chars = 0;
    ssize_t i = 0;
    while (i < n && chars < max_chars) {
        const unsigned char *c = (const unsigned char *)buf + i;
        size_t len = utf8_len(c, (size_t)(n - i));
        if (len == 0) {
            fputc('?', out);
            i++;
        } else if (len == 1) {
            fputc(*c < 0x20 || *c == 0x7f ? ' ' : *c, out);
            i++;
        } else {
            fwrite(c, 1, len, out);
            i += (ssize_t)len;
        }
        chars++;
    }
    fputc('\n', out);
    if (col >= 1 && col <= i + 1)
        fprintf(out, "      | %*s^\n", col - 1, "");
    return true;
}

void diag_print(const struct diag *d, FILE *out, const char *prog)
{
    /* quoted[i]: message i quoted a line of a file that is not a scenario. Without memory, such
     * files are not quoted at all. */
    bool *quoted = calloc(d->len ? d->len : 1, sizeof *quoted);
    for (size_t i = 0; i < d->len; i++) {
        const struct diag_msg *m = &d->msgs[i];
        const char *sev = severity_name(m->severity);
        if (m->file && m->line > 0 && m->col > 0)
            fprintf(out, "%s:%d:%d: %s: %s\n", m->file, m->line, m->col, sev, m->text);
        else if (m->file && m->line > 0)
            fprintf(out, "%s:%d: %s: %s\n", m->file, m->line, sev, m->text);
        else if (m->file)
            fprintf(out, "%s: %s: %s\n", m->file, sev, m->text);
        else
            fprintf(out, "%s: %s: %s\n", prog, sev, m->text);
        if (!m->file || m->line <= 0)
            continue;
        if (quotable(d, m->file)) {
            print_source_line(out, m->file, m->line, m->col, DIAG_QUOTE_SCN);
            continue;
        }
        /* Another file: one line of it at most, for its first message with a line. */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = quoted[j] && strcmp(d->msgs[j].file, m->file) == 0;
        if (!seen && quoted)
            quoted[i] = print_source_line(out, m->file, m->line, m->col, DIAG_QUOTE_OTHER);
    }
    free(quoted);
    if (d->dropped)
        fprintf(out, "%s: note: %zu further message(s) not shown\n", prog, d->dropped);
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, so "rnu" is one
 * edit from "run"); words longer than 64 bytes are compared on their prefix. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strnlen(a, 64), lb = strnlen(b, 64);
    size_t rows[3][65];
    size_t *pprev = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            cur[j] = min3(prev[j - 1] + (a[i - 1] != b[j - 1]), prev[j] + 1, cur[j - 1] + 1);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pprev[j - 2] + 1 < cur[j])
                cur[j] = pprev[j - 2] + 1;
        }
        size_t *t = pprev;
        pprev = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *diag_nearest(const char *word, const char *const *candidates, size_t n)
{
    size_t limit = strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t dist = edit_distance(word, candidates[i]);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}

bool diag_has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

const char *diag_excerpt(const char *s, char *buf, size_t size)
{
    size_t len = strlen(s);
    if (len < size) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    size_t cut = size - 4;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--; /* do not split a multi-byte character */
    memcpy(buf, s, cut);
    memcpy(buf + cut, "...", 4);
    return buf;
}
