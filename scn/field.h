/*
 * field — typed field tables and the generic binder between a YAML tree and a C struct.
 *
 * Concept: each section of a scenario is a NULL-terminated table of struct scn_field: the key a
 * researcher writes, its type (bool, unsigned integer, quantity with a dimension, enumeration,
 * string, list of names, or a nested section), where the value goes in the C struct (offsetof),
 * its inclusive range, its default written as scenario text (so a default goes through the same
 * parser as a user's value, and the documentation shows it verbatim), and a one-line description.
 * The same tables drive binding, the resolved-scenario emitter and the key reference in
 * scenarios/README.md, so the three cannot drift apart.
 *
 * Binding collects every error with the offending node's file:line:col and the full key path:
 * unknown keys (with the nearest valid key suggested), wrong node kinds, bad values, units of the
 * wrong dimension, out-of-range values and missing required keys. It records where each field's
 * value came from, so later cross-field checks can point at the right spot.
 *
 * A list of names (FIELD_LIST) is bound to an array, struct scn_list, from a YAML sequence
 * ([a, b]) or from one scalar whose names are separated by ',' ("a,b"; "" is the empty list,
 * "a," is [a]).
 * Its names are never cut: one longer than the field's name_max is an error at its
 * file:line:col naming the key, the name and the limit.
 *
 * A weighted list (a FIELD_LIST with `entry_key` and `weight_key`, e.g. ues.classes with device
 * and fraction) also takes mappings as its entries: {device: NAME, fraction: F}. Either every
 * entry has a weight or none has (a mapping without the weight key is a plain name); weights are
 * numbers in (0, 1] that sum to 1 within FIELD_WEIGHT_TOLERANCE. Each violation is an error at
 * the offending node naming what was found and what was expected. A weighted list emits as
 * [{device: a, fraction: 0.25}, {device: b, fraction: 0.75}] (shortest round-trip numbers), which
 * binds back to the same list; an unweighted one emits as before, [a, b].
 *
 * Invariants: a field without a default is required; every default in a table binds without
 * error (a unit test checks); a bound struct holds only validated values; a bound list's names
 * hold no ',' and are at most name_max bytes long; a bound list's weights are NULL or n numbers
 * in (0, 1] summing to 1 within FIELD_WEIGHT_TOLERANCE; a list emits as [a, b] (the names joined
 * by ', '), which binds back to the same list unless a name is empty ("a,,b" binds; what a name
 * means is checked by the table's owner, and the scenario refuses an empty device or policy).
 */
#ifndef SPLITSIM_SCN_FIELD_H
#define SPLITSIM_SCN_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scn/units.h"
#include "scn/ytree.h"
#include "sim/diag.h"

enum field_type {
    FIELD_BOOL,     /* bool; true/false */
    FIELD_UINT,     /* uint64_t; decimal digits only */
    FIELD_QUANTITY, /* double in the base unit of `dim` */
    FIELD_ENUM,     /* int: index into `choices` */
    FIELD_STRING,   /* char * (owned by the bound struct's owner; see field_release) */
    FIELD_LIST,     /* struct scn_list: names (owned like a string) */
    FIELD_SECTION,  /* nested table `fields` at `offset` */
};

/* What the text of a string or list field names. A file path written relative resolves against
 * a base directory (scn/filepath.h; which one, scn.h says): the resolved path is what the
 * scenario holds. A catalogue name is kept as written; only a value that is not one is a path. */
enum field_file {
    FIELD_TEXT,         /* plain text (a policy, a model) */
    FIELD_FILE,         /* a file path, or "" for none */
    FIELD_NAME_OR_FILE, /* a catalogue name, else a file path */
};

/* How far the weights of a weighted list may sum from 1. */
#define FIELD_WEIGHT_TOLERANCE      1e-9
#define FIELD_WEIGHT_TOLERANCE_TEXT "1e-9" /* the same, for messages */

/* A bound list of names: v[0 .. n), each owned (see field_release); {NULL, 0} when empty. A
 * weighted list's entries given with weights have w[0 .. n) (owned), else w is NULL. */
struct scn_list {
    char **v;
    size_t n;
    double *w;
};

struct scn_field {
    const char *key;
    enum field_type type;
    size_t offset;
    enum unit_dim dim;              /* FIELD_QUANTITY */
    double min, max;                /* inclusive range (FIELD_UINT, FIELD_QUANTITY) */
    bool min_exclusive;             /* range is (min, max] */
    const char *def;                /* default as scenario text; NULL: required */
    const char *const *choices;     /* FIELD_ENUM, NULL-terminated */
    const struct scn_field *fields; /* FIELD_SECTION */
    const char *doc;
    size_t name_max;      /* FIELD_LIST: the longest name accepted, in bytes (> 0) */
    enum field_file file; /* FIELD_STRING, FIELD_LIST: whether the text names files */
    /* FIELD_LIST: a weighted list's entry keys ({entry_key: NAME, weight_key: F}); NULL: names
     * only */
    const char *entry_key, *weight_key;
};

/* A key removed from the schema: binding one is an error that says why and what replaces it. */
struct field_retired {
    const char *path; /* full key path, e.g. "channel.coherence" */
    const char *why;
};

/* Where a bound value came from (its node, NULL for a default), by full key path. */
struct field_origin {
    char *path;
    const struct ynode *node;
};

struct field_origins {
    struct field_origin *v;
    size_t n, cap;
};

void field_origins_release(struct field_origins *o);

/* The node a path's value came from, or NULL (default, or unknown path). */
const struct ynode *field_origin(const struct field_origins *o, const char *path);

/*
 * Binds mapping `map` (NULL: an absent section, all defaults) against `fields` into `base`,
 * whose section path is `prefix` ("" at the top; "run" for the run section). `skip` names
 * top-level keys bound elsewhere (e.g. "sweep"), or NULL; `retired` (NULL or ended by a NULL
 * path) the removed keys, whose use is reported with their reason. Errors go to d; returns their
 * number.
 */
size_t field_bind(const struct scn_field *fields, const char *prefix, const struct ynode *map,
                  const struct ynode *where, void *base, const char *const *skip,
                  const struct field_retired *retired, struct field_origins *origins,
                  struct diag *d);

/* The retired entry of `path`, or NULL. */
const struct field_retired *field_find_retired(const struct field_retired *retired,
                                               const char *path);

/* Binds one value node to leaf field f inside `holder` (the struct that holds the field, see
 * field_locate); `path` names it in messages. Returns the number of errors (0 or 1). */
size_t field_bind_one(const struct scn_field *f, const char *path, const struct ynode *value,
                      void *holder, struct diag *d);

/* Frees the strings and lists a bind stored in `base`. */
void field_release(const struct scn_field *fields, void *base);

/* Frees what leaf field f's value at `value` (a char * or a struct scn_list) owns, and clears
 * it; nothing for the other types. */
void field_value_release(const struct scn_field *f, void *value);

/* Frees a list's names and clears it. */
void scn_list_release(struct scn_list *l);

/* Makes *dst a copy of src (names and weights duplicated). 0, or -ENOMEM with *dst empty. */
int scn_list_copy(struct scn_list *dst, const struct scn_list *src);

/* The names joined by `sep` ("" for the empty list), malloc'd; NULL when out of memory. */
char *scn_list_join(const struct scn_list *l, const char *sep);

/* Finds the field at a dotted path ("run.seed"); NULL if none. */
const struct scn_field *field_find(const struct scn_field *fields, const char *path);

/* Finds the field at a dotted path and the address of the struct holding it inside `base`
 * (for reading one bound value); NULL if the path names no leaf field. */
const struct scn_field *field_locate(const struct scn_field *fields, const char *path,
                                     const void *base, const void **holder);

/* Writes one bound value in canonical form ("0.5 /s", "true", "poisson"). */
void field_emit_value(const struct scn_field *f, const void *holder, FILE *out);

/* Appends the bound values of `fields` as canonical YAML (defaults filled in) to out. */
void field_emit(const struct scn_field *fields, const void *base, int indent, FILE *out);

/* Like field_emit at indent 0, keeping only the leaves for which keep(full path, ctx) is true
 * (and the sections holding one). */
typedef bool field_keep_fn(const char *path, const void *ctx);
void field_emit_filtered(const struct scn_field *fields, const void *base, field_keep_fn *keep,
                         const void *ctx, FILE *out);

/* Appends one Markdown table row per leaf field ("| key | type | default | range | doc |"). */
void field_document(const struct scn_field *fields, const char *prefix, FILE *out);

/* Formats a quantity canonically (shortest text that reads back to the same double). */
void field_format_number(double v, char *buf, size_t size);

#endif
