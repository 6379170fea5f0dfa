/*
 * tidy — tidy tables (one observation per row, one variable per column) written as CSV or JSON,
 * for pandas, R and spreadsheets.
 *
 * Concept: a writer is begun with its column names and then fed one row at a time: each cell of
 * the row is set (or left empty) and the row is emitted, so a table of any length is written in
 * bounded memory. A cell is empty, a real, an integer, a boolean or a text.
 *
 * CSV follows RFC 4180: a header record of the column names, then one record per row, fields
 * separated by commas, every record ended by CRLF; a field holding a comma, a double quote, CR or
 * LF is enclosed in double quotes, each double quote in it doubled. An empty cell and a NaN are
 * empty fields; +-infinity is written "inf" and "-inf" (what pandas and R read as infinities).
 * Booleans are "true" and "false".
 *
 * JSON (RFC 8259) is an array of objects, one per row, whose keys are the column names in
 * column order; an empty cell, a NaN and an infinity are null (JSON has no NaN); booleans are
 * true and false.
 *
 * Reals are written with the fewest significant digits (15, 16 or 17) that read back as the
 * same double, so a reader gets the very value that was set.
 *
 * Invariants: every text written (column names and cells) is valid UTF-8 — an invalid byte is
 * replaced by U+FFFD as it is stored — so both outputs are valid UTF-8, and JSON escapes what
 * it must (quotes, backslashes, control characters); memory holds one row.
 */
#ifndef SPLITSIM_RESULTS_TIDY_H
#define SPLITSIM_RESULTS_TIDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum tidy_format {
    TIDY_CSV,
    TIDY_JSON,
};

enum tidy_kind {
    TIDY_EMPTY,
    TIDY_REAL,
    TIDY_INT,
    TIDY_BOOL,
    TIDY_TEXT,
};

struct tidy_cell {
    enum tidy_kind kind;
    double real;
    int64_t integer;
    bool boolean;
    char *text; /* TIDY_TEXT: owned, valid UTF-8 */
};

struct tidy {
    FILE *out;
    enum tidy_format format;
    char **cols; /* owned, valid UTF-8 */
    size_t ncols;
    struct tidy_cell *row; /* [ncols]: the row being filled */
    uint64_t rows;         /* rows emitted */
    bool failed;           /* out of memory while filling the row */
};

/* Begins a table of `ncols` columns on `out` (the CSV header is written now; JSON's '[').
 * 0, or -ENOMEM (nothing written; tidy_release is still safe). */
int tidy_begin(struct tidy *t, FILE *out, enum tidy_format format, const char *const *cols,
               size_t ncols);

/* Cell setters for the row being filled; `col` must be < ncols. A NaN real reads as empty. */
void tidy_set_real(struct tidy *t, size_t col, double v);
void tidy_set_int(struct tidy *t, size_t col, int64_t v);
void tidy_set_bool(struct tidy *t, size_t col, bool v);
/* Copies s (NULL: empty), replacing each invalid UTF-8 byte with U+FFFD. */
void tidy_set_text(struct tidy *t, size_t col, const char *s);
/* Copies cell c (as the setters would). */
void tidy_set_cell(struct tidy *t, size_t col, const struct tidy_cell *c);
void tidy_set_empty(struct tidy *t, size_t col);

/* Writes the row and empties every cell for the next one. 0, or -ENOMEM when a text of the row
 * could not be stored (the row is not written). */
int tidy_emit(struct tidy *t);

/* Ends the table (JSON's ']'), flushes, and frees the writer. 0, or -EIO when any write to
 * `out` failed (a full disk, a closed pipe). */
int tidy_end(struct tidy *t);

/* Frees the writer without ending the table; a writer never begun (zeroed) or ended is a no-op. */
void tidy_release(struct tidy *t);

/* A copy of s with each invalid UTF-8 byte replaced by U+FFFD (malloc'd), or NULL when out of
 * memory. */
char *tidy_utf8(const char *s);

#endif
