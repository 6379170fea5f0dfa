/*
 * ytree — a YAML document as a small tree of nodes that remember where they came from.
 *
 * Concept: libyaml's event parser turns the text into mappings, sequences and scalars; ytree
 * keeps them as a tree in which every node carries its source (a file name, or "--set" for a
 * command-line override), 1-based line and column, and, for scalars, whether the value was
 * quoted (a quoted "1" is a string, a plain 1 may be a number). The scenario binder walks this
 * tree against its field tables.
 *
 * What is refused, each as one diagnostic with file:line:col (never a crash, hang or unbounded
 * allocation): files over YTREE_MAX_BYTES, documents with more than YTREE_MAX_NODES nodes or
 * nested deeper than YTREE_MAX_DEPTH, anchors and aliases (which makes "billion laughs" alias
 * bombs impossible), more than one document, non-scalar mapping keys, duplicate keys, scalars with
 * NUL characters, and whatever libyaml itself rejects (tabs in indentation, invalid UTF-8, control
 * characters, syntax errors), with its message made readable. Files are read with sim/slurp
 * (regular files only, never blocking).
 *
 * Explicit tags are kept and respected, never dropped: the YAML 1.2 core tags !!str, !!int,
 * !!float, !!bool, !!null (on scalars) and !!map, !!seq (on collections) are accepted, the
 * non-specific "!" reads as !!str on a scalar; any other tag (!!binary, !!timestamp, !local) is
 * refused, as are a collection tag on a scalar and the reverse, and a scalar whose text is not
 * of its tag's type ("!!int 0.5"; decimal forms only). Whether a tag agrees with what a key
 * expects is the binder's business (ynode_tag_allows): a "!!str 8" is a string, not a number.
 *
 * Invariants: a mapping's items alternate key, value (keys are scalars, unique); every node
 * belongs to exactly one tree and is freed with it; source names are owned by the tree.
 */
#ifndef SPLITSIM_SCN_YTREE_H
#define SPLITSIM_SCN_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"

#define YTREE_MAX_BYTES (16u << 20)
#define YTREE_MAX_NODES 1000000u
#define YTREE_MAX_DEPTH 64

enum ynode_kind {
    YNODE_SCALAR,
    YNODE_MAP,
    YNODE_SEQ,
};

/* A node's explicit tag (YTAG_NONE: none; the node's kind and text decide). */
enum ynode_tag {
    YTAG_NONE,
    YTAG_STR,
    YTAG_INT,
    YTAG_FLOAT,
    YTAG_BOOL,
    YTAG_NULL,
    YTAG_MAP,
    YTAG_SEQ,
};

struct ynode {
    enum ynode_kind kind;
    enum ynode_tag tag;   /* explicit tag, checked against kind and text */
    const char *src;      /* file name or "--set"; owned by the tree */
    int line, col;        /* 1-based */
    bool quoted;          /* scalar written in quotes or as a block literal */
    char *text;           /* scalar value, NUL-terminated */
    struct ynode **items; /* map: key0, value0, key1, value1, ...; seq: elements */
    size_t n;             /* number of items (2 x pairs for a map) */
    size_t cap;
};

struct ytree {
    struct ynode *root; /* NULL for an empty document */
    char **srcs;        /* source names, owned */
    size_t nsrcs;
    struct ynode **all; /* every node allocated, freed with the tree */
    size_t nodes, cap;  /* nodes allocated so far (bounded by YTREE_MAX_NODES) */
};

void ytree_init(struct ytree *t);
void ytree_release(struct ytree *t);

/*
 * Parses `len` bytes of YAML text from source `src` into *out (a new node owned by t).
 * Returns 0, or -EINVAL with diagnostics in d. An empty document gives *out = NULL and 0.
 */
int ytree_parse(struct ytree *t, const char *src, const char *text, size_t len, struct ynode **out,
                struct diag *d);

/* Reads and parses a whole regular file (at most YTREE_MAX_BYTES, with sim/slurp: never a FIFO
 * or a device) as the tree's root. */
int ytree_load_file(struct ytree *t, const char *path, struct diag *d);

/* The value of key `key` in mapping `map`, or NULL; *key_node gets the key's node if wanted. */
struct ynode *ynode_get(const struct ynode *map, const char *key, struct ynode **key_node);

/* Sets `key` in `map` to `value` (replacing an existing value), adding the key node `key_node`
 * if the key is new. 0 or -ENOMEM. */
int ynode_set(struct ytree *t, struct ynode *map, struct ynode *key_node, struct ynode *value);

/* A new empty mapping or scalar node owned by t (NULL on allocation failure or node limit). */
struct ynode *ynode_new(struct ytree *t, enum ynode_kind kind, const char *src, int line, int col);

/* A deep copy of n inside t (for sweep points); NULL on failure. */
struct ynode *ynode_copy(struct ytree *t, const struct ynode *n);

/* Interns a source name in t; the returned pointer lives as long as t. NULL on failure. */
const char *ytree_src(struct ytree *t, const char *name);

/*
 * Whether scalar n may be read as a value of type `want` (YTAG_STR for strings and choices,
 * YTAG_INT, YTAG_FLOAT for quantities, YTAG_BOOL): an untagged scalar may be read as anything
 * (its text decides); a tagged one only as its tag's type, except that an !!int may be read as a
 * float.
 */
bool ynode_tag_allows(const struct ynode *n, enum ynode_tag want);

/* "!!str", "!!int", ... ("" for YTAG_NONE), for messages. */
const char *ynode_tag_name(enum ynode_tag tag);

/* "mapping", "sequence" or "scalar", for messages. */
const char *ynode_kind_name(enum ynode_kind kind);

#endif
