/*
 * diag — diagnostics: errors and warnings collected for the user, printed GCC-style.
 *
 * Concept: library code never prints and never exits; it records what went wrong in a struct
 * diag that the caller owns, and returns a negative code. main() prints the collected messages
 * and decides the exit status. Each message may carry a location (file, 1-based line and column);
 * printed, it reads
 *
 *     scenarios/urban.yaml:14:12: error: ues.count: expected an integer >= 1, got '-3'
 *        14 |   count: -3
 *           |          ^
 *
 * so editors can jump to it. Messages without a file print as "splitsim: error: ...".
 *
 * Quoting is bounded and discreet. Only regular files are read for it, at most
 * DIAG_SCAN_BYTES of them, and at most DIAG_QUOTE_BYTES of the quoted line. The lines of a
 * scenario (a file the caller marks with diag_quote_freely) are quoted for every message, cut to
 * 200 characters; of any other file (a table, a trace, a weights file, or whatever a scenario
 * names, such as /etc/passwd) only one line is quoted, for its first message that has a line,
 * cut to DIAG_QUOTE_OTHER characters; its further messages are listed without a quote.
 *
 * Invariants: messages keep the order they were reported in; at most `max_messages` are kept
 * (the rest are counted in `dropped`, so a flood of errors stays bounded in memory); error and
 * warning counts include dropped messages. Allocation failures inside diag are absorbed (the
 * message is counted as dropped), so reporting an error can never itself fail.
 */
#ifndef SPLITSIM_SIM_DIAG_H
#define SPLITSIM_SIM_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity {
    DIAG_NOTE,
    DIAG_WARNING,
    DIAG_ERROR,
};

struct diag_msg {
    enum diag_severity severity;
    char *file; /* NULL when the message has no location */
    int line;   /* 1-based; 0 when unknown */
    int col;    /* 1-based; 0 when unknown */
    char *text;
};

struct diag {
    struct diag_msg *msgs;
    size_t len, cap;
    size_t max_messages; /* 0: the default (100) */
    bool dedupe;         /* drop a message identical to one already kept (same place, text) */
    size_t errors, warnings, dropped;
    char **quotable; /* files whose lines may be quoted freely (scenarios); owned */
    size_t nquotable;
};

/* Bytes of a file scanned for the line to quote, characters of a scenario's line and of another
 * file's line shown, and the bytes of the line read (bounds the work of quoting). */
#define DIAG_SCAN_BYTES  ((size_t)64 << 20)
#define DIAG_QUOTE_SCN   200
#define DIAG_QUOTE_OTHER 120
#define DIAG_QUOTE_BYTES 1024

void diag_init(struct diag *d);
void diag_release(struct diag *d);

/* Reports a message at file:line:col (file may be NULL; line/col 0 when unknown). */
void diag_report(struct diag *d, enum diag_severity severity, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vreport(struct diag *d, enum diag_severity severity, const char *file, int line, int col,
                  const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Shorthands for a message without a location. */
void diag_error(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline size_t diag_error_count(const struct diag *d)
{
    return d->errors;
}

/*
 * Prints every message to `out` with the program name `prog` ("splitsim"), quoting the source
 * line with a caret under the column where the file can be read.
 */
void diag_print(const struct diag *d, FILE *out, const char *prog);

/*
 * The candidate closest to `word` by edit distance, for "did you mean" hints; NULL when none is
 * close enough (distance at most a third of the word's length, and at least 1 allowed).
 */
const char *diag_nearest(const char *word, const char *const *candidates, size_t n);

/* Orders messages from index `from` on by file, line and column (stable: equal places keep
 * their order; messages without a file come first). */
void diag_sort(struct diag *d, size_t from);

/*
 * Copies s into buf (of `size` >= 8 bytes) for quoting in a message: whole if it fits, else cut
 * at a UTF-8 character boundary and ended with "...". Returns buf.
 */
const char *diag_excerpt(const char *s, char *buf, size_t size);

/* Whether s holds an ASCII control character (below 0x20, or DEL): a name or value that would
 * break a line of a message, a job script or a file listing. */
bool diag_has_control(const char *s);

/* The size of an excerpt buffer that keeps messages readable. */
#define DIAG_EXCERPT 64

/*
 * Marks `file` as a scenario source whose lines diag_print may quote for every message (see
 * above). Files not marked are quoted once, cut short. An allocation failure leaves the file
 * unmarked (quoted sparingly), so this cannot fail.
 */
void diag_quote_freely(struct diag *d, const char *file);

/* Removes all messages and resets the counts (the files marked by diag_quote_freely stay). */
void diag_clear(struct diag *d);

#endif
