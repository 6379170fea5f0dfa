#include "scn/ytree.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sim/slurp.h"

void ytree_init(struct ytree *t)
{
    memset(t, 0, sizeof *t);
}

void ytree_release(struct ytree *t)
{
    for (size_t i = 0; i < t->nodes; i++) {
        free(t->all[i]->text);
        free(t->all[i]->items);
        free(t->all[i]);
    }
    free(t->all);
    for (size_t i = 0; i < t->nsrcs; i++)
        free(t->srcs[i]);
    free(t->srcs);
    memset(t, 0, sizeof *t);
}

const char *ytree_src(struct ytree *t, const char *name)
{
    for (size_t i = 0; i < t->nsrcs; i++)
        if (strcmp(t->srcs[i], name) == 0)
            return t->srcs[i];
    char **srcs = realloc(t->srcs, (t->nsrcs + 1) * sizeof *srcs);
    if (!srcs)
        return NULL;
    t->srcs = srcs;
    if (!(srcs[t->nsrcs] = strdup(name)))
        return NULL;
    return srcs[t->nsrcs++];
}

const char *ynode_kind_name(enum ynode_kind kind)
{
    switch (kind) {
    case YNODE_SCALAR:
        return "scalar";
    case YNODE_MAP:
        return "mapping";
    case YNODE_SEQ:
        return "sequence";
    }
    return "?";
}

const char *ynode_tag_name(enum ynode_tag tag)
{
    static const char *const names[] = {
        [YTAG_NONE] = "",         [YTAG_STR] = "!!str",   [YTAG_INT] = "!!int",
        [YTAG_FLOAT] = "!!float", [YTAG_BOOL] = "!!bool", [YTAG_NULL] = "!!null",
        [YTAG_MAP] = "!!map",     [YTAG_SEQ] = "!!seq"};
    return (unsigned)tag < sizeof names / sizeof *names ? names[tag] : "?";
}

bool ynode_tag_allows(const struct ynode *n, enum ynode_tag want)
{
    return n->tag == YTAG_NONE || n->tag == want || (n->tag == YTAG_INT && want == YTAG_FLOAT);
}

struct ynode *ynode_new(struct ytree *t, enum ynode_kind kind, const char *src, int line, int col)
{
    if (t->nodes >= YTREE_MAX_NODES)
        return NULL;
    if (t->nodes == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct ynode **all = realloc(t->all, cap * sizeof *all);
        if (!all)
            return NULL;
        t->all = all;
        t->cap = cap;
    }
    struct ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->src = src;
    n->line = line;
    n->col = col;
    t->all[t->nodes++] = n;
    return n;
}

static int push_item(struct ynode *parent, struct ynode *item)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? 2 * parent->cap : 8;
        struct ynode **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->n++] = item;
    return 0;
}

struct ynode *ynode_get(const struct ynode *map, const char *key, struct ynode **key_node)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (strcmp(map->items[i]->text, key) == 0) {
            if (key_node)
                *key_node = map->items[i];
            return map->items[i + 1];
        }
    return NULL;
}

int ynode_set(struct ytree *t, struct ynode *map, struct ynode *key_node, struct ynode *value)
{
    (void)t;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (strcmp(map->items[i]->text, key_node->text) == 0) {
            map->items[i + 1] = value;
            return 0;
        }
    if (push_item(map, key_node) < 0 || push_item(map, value) < 0)
        return -ENOMEM;
    return 0;
}

struct ynode *ynode_copy(struct ytree *t, const struct ynode *n)
{
    struct ynode *c = ynode_new(t, n->kind, n->src, n->line, n->col);
    if (!c)
        return NULL;
    c->quoted = n->quoted;
    c->tag = n->tag;
    if (n->text && !(c->text = strdup(n->text)))
        return NULL;
    for (size_t i = 0; i < n->n; i++) {
        struct ynode *item = ynode_copy(t, n->items[i]);
        if (!item || push_item(c, item) < 0)
            return NULL;
    }
    return c;
}

/* ---- parsing ------------------------------------------------------------------------------ */

/* The keys of one open mapping, hashed once it has more than LINEAR_KEYS of them, so duplicate
 * detection stays linear in the document size (a 20,000-key mapping took a second before). */
#define LINEAR_KEYS 16

struct keyset {
    size_t *slot; /* index of the key's item + 1 in the mapping; 0 = empty */
    size_t cap;   /* power of two, or 0 */
};

struct parse {
    struct ytree *t;
    const char *src;
    const char *text;
    size_t len;
    struct diag *d;
    struct ynode *stack[YTREE_MAX_DEPTH + 1];
    struct keyset keys[YTREE_MAX_DEPTH + 1];
    int depth;
    struct ynode *root;
    int documents;
    bool failed;
};

/* 1-based line and column of byte offset `off` (for libyaml reader errors, which give only an
 * offset). Columns count bytes. */
static void offset_position(const char *text, size_t len, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

__attribute__((format(printf, 4, 5))) static void perr(struct parse *p, int line, int col,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(p->d, DIAG_ERROR, p->src, line, col, fmt, ap);
    va_end(ap);
    p->failed = true;
}

static void report_libyaml(struct parse *p, const yaml_parser_t *yp)
{
    int line, col;
    const char *problem = yp->problem ? yp->problem : "unknown problem";
    if (yp->error == YAML_READER_ERROR) {
        offset_position(p->text, p->len, yp->problem_offset, &line, &col);
        if (strstr(problem, "UTF-8") || strstr(problem, "UTF-16"))
            perr(p, line, col,
                 "invalid UTF-8 in the file (%s at byte %zu); scenarios must be UTF-8 "
                 "text",
                 problem, yp->problem_offset);
        else if (strstr(problem, "control characters"))
            perr(p, line, col,
                 "control character (byte 0x%02x) in the file; scenarios must be "
                 "plain text",
                 (unsigned)(yp->problem_value & 0xff));
        else
            perr(p, line, col, "cannot read the file as YAML text: %s", problem);
        return;
    }
    line = (int)yp->problem_mark.line + 1;
    col = (int)yp->problem_mark.column + 1;
    size_t at = yp->problem_mark.index;
    if (at < p->len && p->text[at] == '\t')
        perr(p, line, col, "tab character here; YAML indents with spaces only");
    else if (yp->context)
        perr(p, line, col, "YAML syntax: %s %s", problem, yp->context);
    else
        perr(p, line, col, "YAML syntax: %s", problem);
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

/* Finds key `text` among the keys of `map` (hashed in ks), or inserts item `item` (the index
 * the key will have). Returns the existing key's item index, or SIZE_MAX when inserted;
 * SIZE_MAX - 1 on allocation failure. */
static size_t keyset_find_or_add(struct keyset *ks, const struct ynode *map, const char *text,
                                 size_t item)
{
    size_t nkeys = map->n / 2 + 1;
    if (2 * nkeys > ks->cap) {
        size_t cap = ks->cap ? 2 * ks->cap : 64;
        while (2 * nkeys > cap)
            cap *= 2;
        size_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return SIZE_MAX - 1;
        for (size_t i = 0; i < map->n; i += 2) {
            size_t h = (size_t)hash_text(map->items[i]->text) & (cap - 1);
            while (slot[h])
                h = (h + 1) & (cap - 1);
            slot[h] = i + 1;
        }
        free(ks->slot);
        ks->slot = slot;
        ks->cap = cap;
    }
    size_t h = (size_t)hash_text(text) & (ks->cap - 1);
    for (; ks->slot[h]; h = (h + 1) & (ks->cap - 1))
        if (strcmp(map->items[ks->slot[h] - 1]->text, text) == 0)
            return ks->slot[h] - 1;
    ks->slot[h] = item + 1;
    return SIZE_MAX;
}

/* Adds a finished node to the open collection, checking map keys. */
static void attach(struct parse *p, struct ynode *n)
{
    if (p->depth == 0) {
        p->root = n;
        return;
    }
    struct ynode *parent = p->stack[p->depth - 1];
    if (parent->kind == YNODE_MAP && parent->n % 2 == 0) {
        /* n is a key */
        if (n->kind != YNODE_SCALAR) {
            perr(p, n->line, n->col, "a %s cannot be a mapping key; keys are plain names",
                 ynode_kind_name(n->kind));
            return;
        }
        size_t dup = SIZE_MAX;
        if (parent->n / 2 < LINEAR_KEYS) {
            for (size_t i = 0; i < parent->n && dup == SIZE_MAX; i += 2)
                if (strcmp(parent->items[i]->text, n->text) == 0)
                    dup = i;
        } else {
            dup = keyset_find_or_add(&p->keys[p->depth - 1], parent, n->text, parent->n);
            if (dup == SIZE_MAX - 1) {
                perr(p, n->line, n->col, "out of memory");
                return;
            }
        }
        if (dup != SIZE_MAX) {
            char shown[DIAG_EXCERPT];
            perr(p, n->line, n->col, "duplicate key '%s' (first at line %d, column %d)",
                 diag_excerpt(n->text, shown, sizeof shown), parent->items[dup]->line,
                 parent->items[dup]->col);
            return;
        }
    }
    if (push_item(parent, n) < 0)
        perr(p, n->line, n->col, "out of memory");
}

static struct ynode *make(struct parse *p, enum ynode_kind kind, const yaml_mark_t *m)
{
    struct ynode *n = ynode_new(p->t, kind, p->src, (int)m->line + 1, (int)m->column + 1);
    if (!n) {
        if (p->t->nodes >= YTREE_MAX_NODES)
            perr(p, (int)m->line + 1, (int)m->column + 1,
                 "document too large: more than %u YAML nodes", YTREE_MAX_NODES);
        else
            perr(p, (int)m->line + 1, (int)m->column + 1, "out of memory");
    }
    return n;
}

/* The tag libyaml reports (NULL: none) as a ynode_tag; -1 for a tag splitsim does not read. */
static int resolve_tag(const yaml_char_t *tag, enum ynode_kind kind)
{
    static const char core[] = "tag:yaml.org,2002:";
    static const char *const names[] = {
        [YTAG_STR] = "str",   [YTAG_INT] = "int", [YTAG_FLOAT] = "float", [YTAG_BOOL] = "bool",
        [YTAG_NULL] = "null", [YTAG_MAP] = "map", [YTAG_SEQ] = "seq"};
    const char *t = (const char *)tag;
    if (!t)
        return YTAG_NONE;
    if (strcmp(t, "!") == 0) /* non-specific: a string, or the collection it tags */
        return kind == YNODE_SCALAR ? YTAG_STR : kind == YNODE_MAP ? YTAG_MAP : YTAG_SEQ;
    if (strncmp(t, core, sizeof core - 1) != 0)
        return -1;
    for (int i = YTAG_STR; i <= YTAG_SEQ; i++)
        if (strcmp(t + sizeof core - 1, names[i]) == 0)
            return i;
    return -1;
}

static bool digits(const char **s)
{
    const char *start = *s;
    while (**s >= '0' && **s <= '9')
        (*s)++;
    return *s > start;
}

/* Whether `text` is a value of scalar tag `tag` in the YAML 1.2 core schema (decimal forms). */
static bool tag_text_ok(enum ynode_tag tag, const char *text)
{
    static const char *const bools[] = {"true", "false", "True", "False", "TRUE", "FALSE", NULL};
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const specials[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};
    const char *const *words = tag == YTAG_BOOL ? bools : tag == YTAG_NULL ? nulls : NULL;
    for (size_t i = 0; words && words[i]; i++)
        if (strcmp(text, words[i]) == 0)
            return true;
    if (tag != YTAG_INT && tag != YTAG_FLOAT)
        return tag == YTAG_STR;
    const char *s = text;
    if (*s == '+' || *s == '-')
        s++;
    if (tag == YTAG_INT)
        return digits(&s) && !*s;
    for (size_t i = 0; specials[i]; i++)
        if (strcmp(s, specials[i]) == 0 && (i < 3 || s == text))
            return true;
    bool whole = digits(&s), frac = false;
    if (*s == '.') {
        s++;
        frac = digits(&s);
    }
    if (!whole && !frac)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!digits(&s))
            return false;
    }
    return !*s;
}

/* Sets n's tag from libyaml's, reporting a tag that is unknown, on the wrong kind of node, or
 * that the scalar's text does not match. */
static void set_tag(struct parse *p, struct ynode *n, const yaml_char_t *tag)
{
    char shown[DIAG_EXCERPT];
    int t = resolve_tag(tag, n->kind);
    if (t < 0) {
        const char *name = (const char *)tag;
        bool core = strncmp(name, "tag:yaml.org,2002:", 18) == 0;
        perr(p, n->line, n->col,
             "YAML tag '%s%s' is not supported; expected no tag or one of !!str, !!int, !!float, "
             "!!bool, !!null, !!map, !!seq",
             core ? "!!" : "", diag_excerpt(core ? name + 18 : name, shown, sizeof shown));
        return;
    }
    n->tag = (enum ynode_tag)t;
    bool collection_tag = t == YTAG_MAP || t == YTAG_SEQ;
    if (t != YTAG_NONE &&
        (collection_tag != (n->kind != YNODE_SCALAR) || (t == YTAG_MAP && n->kind != YNODE_MAP) ||
         (t == YTAG_SEQ && n->kind != YNODE_SEQ))) {
        perr(p, n->line, n->col, "YAML tag %s on a %s", ynode_tag_name(n->tag),
             ynode_kind_name(n->kind));
        return;
    }
    if (n->kind == YNODE_SCALAR && t != YTAG_NONE && !tag_text_ok(n->tag, n->text))
        perr(p, n->line, n->col, "'%s' is not a valid %s",
             diag_excerpt(n->text, shown, sizeof shown), ynode_tag_name(n->tag));
}

static void on_event(struct parse *p, const yaml_event_t *e)
{
    const yaml_mark_t *m = &e->start_mark;
    int line = (int)m->line + 1, col = (int)m->column + 1;
    char shown[DIAG_EXCERPT];
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++p->documents > 1)
            perr(p, line, col, "more than one YAML document ('---'); a scenario is one document");
        break;
    case YAML_ALIAS_EVENT:
        perr(p, line, col, "YAML aliases ('*%s') are not supported; write the value out",
             diag_excerpt((const char *)e->data.alias.anchor, shown, sizeof shown));
        break;
    case YAML_SCALAR_EVENT: {
        if (e->data.scalar.anchor) {
            perr(p, line, col, "YAML anchors ('&%s') are not supported",
                 diag_excerpt((const char *)e->data.scalar.anchor, shown, sizeof shown));
            break;
        }
        if (strlen((const char *)e->data.scalar.value) != e->data.scalar.length) {
            perr(p, line, col, "NUL character in a value");
            break;
        }
        struct ynode *n = make(p, YNODE_SCALAR, m);
        if (!n)
            break;
        n->quoted = e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        n->text = strdup((const char *)e->data.scalar.value);
        if (!n->text) {
            perr(p, line, col, "out of memory");
            break;
        }
        set_tag(p, n, e->data.scalar.tag);
        if (p->failed)
            break;
        attach(p, n);
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool map = e->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *anchor =
            map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
        if (anchor) {
            perr(p, line, col, "YAML anchors ('&%s') are not supported",
                 diag_excerpt((const char *)anchor, shown, sizeof shown));
            break;
        }
        if (p->depth >= YTREE_MAX_DEPTH) {
            perr(p, line, col, "nested too deeply (more than %d levels)", YTREE_MAX_DEPTH);
            break;
        }
        struct ynode *n = make(p, map ? YNODE_MAP : YNODE_SEQ, m);
        if (!n)
            break;
        set_tag(p, n, map ? e->data.mapping_start.tag : e->data.sequence_start.tag);
        if (p->failed)
            break;
        attach(p, n);
        p->keys[p->depth] = (struct keyset){0};
        p->stack[p->depth++] = n;
        break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (p->depth > 0) {
            p->depth--;
            free(p->keys[p->depth].slot);
            p->keys[p->depth] = (struct keyset){0};
        }
        break;
    default:
        break;
    }
}

int ytree_parse(struct ytree *t, const char *src, const char *text, size_t len, struct ynode **out,
                struct diag *d)
{
    *out = NULL;
    struct parse p = {.t = t, .text = text, .len = len, .d = d};
    p.src = ytree_src(t, src);
    if (!p.src) {
        diag_report(d, DIAG_ERROR, src, 0, 0, "out of memory");
        return -ENOMEM;
    }
    if (len > YTREE_MAX_BYTES) {
        diag_report(d, DIAG_ERROR, src, 1, 1, "file too large: %zu bytes (at most %u)", len,
                    YTREE_MAX_BYTES);
        return -EINVAL;
    }
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp)) {
        diag_report(d, DIAG_ERROR, src, 0, 0, "out of memory");
        return -ENOMEM;
    }
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&yp, &e)) {
            report_libyaml(&p, &yp);
            break;
        }
        bool end = e.type == YAML_STREAM_END_EVENT;
        on_event(&p, &e);
        yaml_event_delete(&e);
        /* Stop at the first structural error: what follows would be noise. */
        if (end || p.failed)
            break;
    }
    yaml_parser_delete(&yp);
    for (int i = 0; i < p.depth; i++) /* collections left open by an error */
        free(p.keys[i].slot);
    if (p.failed)
        return -EINVAL;
    *out = p.root;
    return 0;
}

int ytree_load_file(struct ytree *t, const char *path, struct diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = slurp_file(path, YTREE_MAX_BYTES, &buf, &len, d);
    if (rc < 0)
        return rc;
    rc = ytree_parse(t, path, buf, len, &t->root, d);
    free(buf);
    return rc;
}
