/*
 * tablefile — the small reader behind the YAML table files (cost tables, quality tables): one
 * set of checks and one wording of their errors, so every table reports a bad value alike.
 *
 * Concept: a table file is parsed into a ytree (scn/ytree), then a table-specific binder walks
 * the tree and copies what it needs into its own struct, reporting each problem where it stands
 * (file:line:col) and going on, so the user sees every problem of a file at once. struct
 * tablefile is the binder's state: the diagnostics and the count of errors reported so far.
 * The helpers here are the steps every binder takes: check the root and its format line, refuse
 * unknown keys (with a "did you mean"), require a key of a kind, read a string, a number in a
 * range, a list of numbers under rules. tablefile_parse and tablefile_load run a binder over
 * text or a file and sort its messages into file order.
 *
 * Messages (byte for byte what the tests and users see):
 *   "WHERE: unknown key 'K' (did you mean 'N'?)"          unknown key (hint when one is close)
 *   "WHERE.KEY: missing required key"                     (WHERE empty: "KEY: ...")
 *   "WHERE.KEY: expected a mapping, got a scalar"         wrong kind
 *   "WHERE.KEY: expected a string, got 'X' tagged !!int"  a tagged scalar that is not a string
 *   "WHAT: expected a finite number >= MIN, got 'X'"      tablefile_number, no upper bound
 *   "WHAT: expected a number in [LO, HI], got 'X'"        tablefile_number, bounded
 *   "WHAT: expected a non-empty list of numbers"          tablefile_numbers (any length)
 *   "WHAT: expected a list of N numbers, got M"           tablefile_numbers (fixed length)
 *   "WHAT: expected a number > 0, got 'X'"                rule .positive
 *   "WHAT: expected increasing values, got A after B"     rule .increasing
 *
 * Invariants: every problem found is one diagnostic and counts one in `errors`; a helper that
 * reports returns NULL or false, and returns a value only when it reported nothing; strings
 * and lists returned are owned by the caller; nothing here keeps a pointer into the tree.
 */
#ifndef SPLITSIM_MODELS_LLM_TABLEFILE_H
#define SPLITSIM_MODELS_LLM_TABLEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "scn/ytree.h"
#include "sim/diag.h"

/* The state of one binding: where messages go and how many errors were reported. */
struct tablefile {
    struct diag *d;
    size_t errors;
};

/* Reports an error at node `at` (NULL: no place) and counts it. */
void tablefile_error(struct tablefile *p, const struct ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports each key of `map` not in `allowed` (NULL-terminated), with a suggestion; `where` names
 * the mapping in the messages ("cost table", "layers[2]"). */
void tablefile_check_keys(struct tablefile *p, const struct ynode *map, const char *where,
                          const char *const *allowed);

/*
 * The root of a table file: a mapping (else "expected a WHAT (a mapping starting with format:
 * FORMAT)" at line 1 of `name`), with only the keys `allowed` (WHAT names it in the messages),
 * whose `format` is FORMAT (a missing one is reported and reading goes on). false when the rest
 * of the file should not be read (not a mapping, or another format).
 */
bool tablefile_header(struct tablefile *p, const struct ynode *root, const char *name,
                      const char *what, const char *format, const char *const *allowed);

/* map[key], of kind `kind`; NULL after reporting it missing or of another kind. `where` prefixes
 * the key in messages ("" for none). */
const struct ynode *tablefile_need(struct tablefile *p, const struct ynode *map, const char *key,
                                   const char *where, enum ynode_kind kind);

/* A copy of the string map[key] (caller frees); NULL after reporting (or out of memory). */
char *tablefile_need_string(struct tablefile *p, const struct ynode *map, const char *key,
                            const char *where);

/* tablefile_need_string of each of `keys` (NULL-terminated) into *out[i], in that order. */
void tablefile_need_strings(struct tablefile *p, const struct ynode *map, const char *where,
                            const char *const *keys, char **const *out);

/* A finite number in [lo, hi] from scalar node v (hi = INFINITY: no upper bound; the message
 * then reads "a finite number >= lo"), tagged as a number or not at all; false after
 * reporting it under the name `what`. */
bool tablefile_number(struct tablefile *p, const struct ynode *v, const char *what, double lo,
                      double hi, double *out);

/* tablefile_number of map[key] with no upper bound, named "WHERE.KEY". */
bool tablefile_need_number(struct tablefile *p, const struct ynode *map, const char *key,
                           const char *where, double min, double *out);

/* What a list of numbers must be. */
struct tablefile_list {
    size_t want;     /* exactly this many; 0: any number >= 1 */
    double lo, hi;   /* each value's range, as in tablefile_number */
    bool positive;   /* each > 0 (checked after the range, with its own message) */
    bool increasing; /* strictly */
    /* A further check of value v[i] at node `at` (the values before it passed every check);
     * false after reporting. NULL: none. */
    bool (*check)(struct tablefile *p, const struct ynode *at, const char *what, const double *v,
                  size_t i);
};

/*
 * The numbers of sequence `seq` under `rule`, in a new array (caller frees) of *n values; NULL
 * after reporting the first value that breaks a rule (or out of memory).
 */
double *tablefile_numbers(struct tablefile *p, const struct ynode *seq, const char *what,
                          const struct tablefile_list *rule, size_t *n);

/* One kind of table file. */
struct tablefile_kind {
    /* Binds a parsed tree into `table` (zeroed before), reporting through p; `name` is the
     * text's name (for a message about an empty or non-mapping root). */
    void (*bind)(struct tablefile *p, void *table, const struct ynode *root, const char *name);
    /* Frees what bind left in `table` and zeroes it (also after a failed bind). */
    void (*release)(void *table);
};

/*
 * Parses text (named `name` in messages) into `table` (zeroed first) with kind->bind; the
 * binder's messages are sorted into file order. 0, or -EINVAL (the text is not YAML, or the
 * binder reported errors) or another negative errno from reading, with `table` released.
 */
int tablefile_parse(const struct tablefile_kind *kind, void *table, size_t size, const char *name,
                    const char *text, size_t len, struct diag *d);

/* The same for the file at `path` (read with sim/slurp: regular files only, bounded). */
int tablefile_load(const struct tablefile_kind *kind, void *table, size_t size, const char *path,
                   struct diag *d);

#endif
