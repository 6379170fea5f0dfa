#include "models/llm/tablefile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tablefile_error(struct tablefile *p, const struct ynode *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(p->d, DIAG_ERROR, at ? at->src : NULL, at ? at->line : 0, at ? at->col : 0, fmt,
                 ap);
    va_end(ap);
    p->errors++;
}

void tablefile_check_keys(struct tablefile *p, const struct ynode *map, const char *where,
                          const char *const *allowed)
{
    size_t n = 0;
    while (allowed[n])
        n++;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct ynode *k = map->items[i];
        bool known = false;
        for (size_t j = 0; j < n && !known; j++)
            known = strcmp(allowed[j], k->text) == 0;
        if (known)
            continue;
        char shown[DIAG_EXCERPT];
        const char *near = diag_nearest(k->text, allowed, n);
        tablefile_error(p, k, "%s: unknown key '%s'%s%s%s", where,
                        diag_excerpt(k->text, shown, sizeof shown), near ? " (did you mean '" : "",
                        near ? near : "", near ? "'?)" : "");
    }
}

bool tablefile_header(struct tablefile *p, const struct ynode *root, const char *name,
                      const char *what, const char *format, const char *const *allowed)
{
    if (!root || root->kind != YNODE_MAP) {
        struct ynode at = {.src = name, .line = 1, .col = 1};
        tablefile_error(p, root ? root : &at, "expected a %s (a mapping starting with format: %s)",
                        what, format);
        return false;
    }
    tablefile_check_keys(p, root, what, allowed);
    const struct ynode *f = tablefile_need(p, root, "format", "", YNODE_SCALAR);
    if (f && strcmp(f->text, format) != 0) {
        tablefile_error(p, f, "format: expected '%s', got '%s'", format, f->text);
        return false;
    }
    return true;
}

const struct ynode *tablefile_need(struct tablefile *p, const struct ynode *map, const char *key,
                                   const char *where, enum ynode_kind kind)
{
    const struct ynode *v = ynode_get(map, key, NULL);
    const char *dot = *where ? "." : "";
    if (!v) {
        tablefile_error(p, map, "%s%s%s: missing required key", where, dot, key);
        return NULL;
    }
    if (v->kind != kind) {
        tablefile_error(p, v, "%s%s%s: expected a %s, got a %s", where, dot, key,
                        ynode_kind_name(kind), ynode_kind_name(v->kind));
        return NULL;
    }
    return v;
}

char *tablefile_need_string(struct tablefile *p, const struct ynode *map, const char *key,
                            const char *where)
{
    const struct ynode *v = tablefile_need(p, map, key, where, YNODE_SCALAR);
    if (v && !ynode_tag_allows(v, YTAG_STR)) {
        char shown[DIAG_EXCERPT];
        tablefile_error(p, v, "%s%s%s: expected a string, got '%s' tagged %s", where,
                        *where ? "." : "", key, diag_excerpt(v->text, shown, sizeof shown),
                        ynode_tag_name(v->tag));
        return NULL;
    }
    return v ? strdup(v->text) : NULL;
}

void tablefile_need_strings(struct tablefile *p, const struct ynode *map, const char *where,
                            const char *const *keys, char **const *out)
{
    for (size_t i = 0; keys[i]; i++)
        *out[i] = tablefile_need_string(p, map, keys[i], where);
}

bool tablefile_number(struct tablefile *p, const struct ynode *v, const char *what, double lo,
                      double hi, double *out)
{
    char *end = NULL;
    bool scalar = v->kind == YNODE_SCALAR;
    double x = scalar ? strtod(v->text, &end) : (double)NAN;
    if (scalar && end != v->text && !*end && isfinite(x) && x >= lo && x <= hi &&
        ynode_tag_allows(v, YTAG_FLOAT)) {
        *out = x;
        return true;
    }
    char shown[DIAG_EXCERPT];
    const char *got =
        scalar ? diag_excerpt(v->text, shown, sizeof shown) : ynode_kind_name(v->kind);
    const char *tagged = v->tag != YTAG_NONE ? " tagged " : "";
    if (isinf(hi))
        tablefile_error(p, v, "%s: expected a finite number >= %g, got %s'%s'%s%s", what, lo,
                        scalar ? "" : "a ", got, tagged, ynode_tag_name(v->tag));
    else
        tablefile_error(p, v, "%s: expected a number in [%g, %g], got '%s'%s%s", what, lo, hi, got,
                        tagged, ynode_tag_name(v->tag));
    return false;
}

bool tablefile_need_number(struct tablefile *p, const struct ynode *map, const char *key,
                           const char *where, double min, double *out)
{
    const struct ynode *v = tablefile_need(p, map, key, where, YNODE_SCALAR);
    char what[128];
    snprintf(what, sizeof what, "%s%s%s", where, *where ? "." : "", key);
    return v && tablefile_number(p, v, what, min, INFINITY, out);
}

/* Value i of a list against the rule's checks after its range; false after reporting. */
static bool list_value_ok(struct tablefile *p, const struct ynode *at, const char *what,
                          const struct tablefile_list *rule, const double *v, size_t i)
{
    if (rule->positive && !(v[i] > 0)) {
        tablefile_error(p, at, "%s: expected a number > 0, got '%s'", what, at->text);
        return false;
    }
    if (rule->increasing && i && !(v[i] > v[i - 1])) {
        tablefile_error(p, at, "%s: expected increasing values, got %g after %g", what, v[i],
                        v[i - 1]);
        return false;
    }
    return !rule->check || rule->check(p, at, what, v, i);
}

double *tablefile_numbers(struct tablefile *p, const struct ynode *seq, const char *what,
                          const struct tablefile_list *rule, size_t *n)
{
    if (seq->kind != YNODE_SEQ || seq->n == 0 || (rule->want && seq->n != rule->want)) {
        if (rule->want)
            tablefile_error(p, seq, "%s: expected a list of %zu numbers, got %s%zu", what,
                            rule->want, seq->kind == YNODE_SEQ ? "" : "a non-list; ",
                            seq->kind == YNODE_SEQ ? seq->n : 0);
        else
            tablefile_error(p, seq, "%s: expected a non-empty list of numbers", what);
        return NULL;
    }
    double *v = calloc(seq->n, sizeof *v);
    if (!v) {
        tablefile_error(p, seq, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < seq->n; i++) {
        const struct ynode *at = seq->items[i];
        if (!tablefile_number(p, at, what, rule->lo, rule->hi, &v[i]) ||
            !list_value_ok(p, at, what, rule, v, i)) {
            free(v);
            return NULL;
        }
    }
    *n = seq->n;
    return v;
}

/* Binds a parsed tree (rc: the parse's result) into `table`, in file order; frees the tree. */
static int bind_tree(const struct tablefile_kind *kind, void *table, struct ytree *tree, int rc,
                     const struct ynode *root, const char *name, struct diag *d)
{
    struct tablefile p = {.d = d};
    if (rc == 0) {
        size_t first = d->len;
        kind->bind(&p, table, root, name);
        diag_sort(d, first); /* in file order, as an editor lists them */
    }
    ytree_release(tree);
    if (rc == 0 && p.errors)
        rc = -EINVAL;
    if (rc < 0)
        kind->release(table);
    return rc;
}

int tablefile_parse(const struct tablefile_kind *kind, void *table, size_t size, const char *name,
                    const char *text, size_t len, struct diag *d)
{
    memset(table, 0, size);
    struct ytree tree;
    ytree_init(&tree);
    struct ynode *root = NULL;
    int rc = ytree_parse(&tree, name, text, len, &root, d);
    return bind_tree(kind, table, &tree, rc, root, name, d);
}

int tablefile_load(const struct tablefile_kind *kind, void *table, size_t size, const char *path,
                   struct diag *d)
{
    memset(table, 0, size);
    struct ytree tree;
    ytree_init(&tree);
    int rc = ytree_load_file(&tree, path, d);
    return bind_tree(kind, table, &tree, rc, tree.root, path, d);
}
