#include "scn/field.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariant.h"

/* ---- origins ------------------------------------------------------------------------------ */

void field_origins_release(struct field_origins *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].path);
    free(o->v);
    memset(o, 0, sizeof *o);
}

static void origin_add(struct field_origins *o, const char *path, const struct ynode *node)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].path, path) == 0) {
            o->v[i].node = node;
            return;
        }
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 32;
        struct field_origin *v = realloc(o->v, cap * sizeof *v);
        if (!v)
            return;
        o->v = v;
        o->cap = cap;
    }
    char *p = strdup(path);
    if (p)
        o->v[o->n++] = (struct field_origin){p, node};
}

const struct ynode *field_origin(const struct field_origins *o, const char *path)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].path, path) == 0)
            return o->v[i].node;
    return NULL;
}

/* ---- lists ----------------------------------------------------------------------------------- */

void scn_list_release(struct scn_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->w);
    l->v = NULL;
    l->w = NULL;
    l->n = 0;
}

/* Appends a copy of the `len` bytes at `name`. 0 or -ENOMEM. */
static int list_push(struct scn_list *l, const char *name, size_t len)
{
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return -ENOMEM;
    l->v = v;
    if (!(v[l->n] = strndup(name, len)))
        return -ENOMEM;
    l->n++;
    return 0;
}

int scn_list_copy(struct scn_list *dst, const struct scn_list *src)
{
    *dst = (struct scn_list){0};
    for (size_t i = 0; i < src->n; i++)
        if (list_push(dst, src->v[i], strlen(src->v[i])) < 0) {
            scn_list_release(dst);
            return -ENOMEM;
        }
    if (src->w && src->n) {
        if (!(dst->w = malloc(src->n * sizeof *dst->w))) {
            scn_list_release(dst);
            return -ENOMEM;
        }
        memcpy(dst->w, src->w, src->n * sizeof *dst->w);
    }
    return 0;
}

char *scn_list_join(const struct scn_list *l, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + (i ? strlen(sep) : 0);
    char *out = malloc(len), *p = out;
    if (!out)
        return NULL;
    *p = '\0';
    for (size_t i = 0; i < l->n; i++)
        p = stpcpy(stpcpy(p, i ? sep : ""), l->v[i]);
    return out;
}

/* ---- descriptions ---------------------------------------------------------------------------- */

void field_format_number(double v, char *buf, size_t size)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* "an integer in [1, 100]", "a time > 0 s", "one of: a, b". Caller frees. */
static char *describe(const struct scn_field *f)
{
    char *out = NULL, lo[32], hi[32];
    field_format_number(f->min, lo, sizeof lo);
    field_format_number(f->max, hi, sizeof hi);
    const char *unit = f->type == FIELD_QUANTITY ? unit_dim_base(f->dim) : "";
    const char *sp = *unit ? " " : "";
    const char *what = unit_dim_name(f->dim);
    int rc = -1;
    switch (f->type) {
    case FIELD_BOOL:
        rc = asprintf(&out, "true or false");
        break;
    case FIELD_STRING:
    case FIELD_LIST: /* a name, or several: messages and the key reference say "a string" */
        rc = asprintf(&out, "a string");
        break;
    case FIELD_SECTION:
        rc = asprintf(&out, "a mapping");
        break;
    case FIELD_ENUM: {
        size_t len = 16;
        for (const char *const *c = f->choices; *c; c++)
            len += strlen(*c) + 2;
        out = malloc(len);
        if (!out)
            return NULL;
        strcpy(out, "one of: ");
        for (const char *const *c = f->choices; *c; c++) {
            strcat(out, *c);
            if (c[1])
                strcat(out, ", ");
        }
        return out;
    }
    case FIELD_UINT:
        if (f->max >= 1.8e19)
            rc = asprintf(&out, "an integer >= %" PRIu64, (uint64_t)f->min);
        else
            rc = asprintf(&out, "an integer in [%" PRIu64 ", %" PRIu64 "]", (uint64_t)f->min,
                          (uint64_t)f->max);
        break;
    case FIELD_QUANTITY:
        if (isinf(f->max) || f->max >= 1.8e19)
            rc = asprintf(&out, "%s %s %s%s%s", what, f->min_exclusive ? ">" : ">=", lo, sp, unit);
        else if (f->min_exclusive)
            rc = asprintf(&out, "%s in (%s, %s]%s%s", what, lo, hi, sp, unit);
        else
            rc = asprintf(&out, "%s in [%s, %s]%s%s", what, lo, hi, sp, unit);
        break;
    }
    return rc < 0 ? NULL : out;
}

/* ---- binding --------------------------------------------------------------------------------- */

struct bind {
    struct diag *d;
    struct field_origins *origins;
    const struct field_retired *retired;
    size_t errors;
};

const struct field_retired *field_find_retired(const struct field_retired *retired,
                                               const char *path)
{
    for (const struct field_retired *r = retired; r && r->path; r++)
        if (strcmp(r->path, path) == 0)
            return r;
    return NULL;
}

__attribute__((format(printf, 4, 5))) static void
err_at(struct bind *b, const struct ynode *n, const struct ynode *fallback, const char *fmt, ...)
{
    const struct ynode *at = n ? n : fallback;
    va_list ap;
    va_start(ap, fmt);
    if (at)
        diag_vreport(b->d, DIAG_ERROR, at->src, at->line, at->col, fmt, ap);
    else
        diag_vreport(b->d, DIAG_ERROR, NULL, 0, 0, fmt, ap);
    va_end(ap);
    b->errors++;
}

static char *join(const char *prefix, const char *key)
{
    char *p = NULL;
    if (asprintf(&p, "%s%s%s", prefix, *prefix ? "." : "", key) < 0)
        return NULL;
    return p;
}

static bool in_range(const struct scn_field *f, double v)
{
    if (f->min_exclusive ? !(v > f->min) : !(v >= f->min))
        return false;
    return v <= f->max;
}

/* The scalar tag a field's values have. */
static enum ynode_tag tag_of(const struct scn_field *f)
{
    switch (f->type) {
    case FIELD_BOOL:
        return YTAG_BOOL;
    case FIELD_UINT:
        return YTAG_INT;
    case FIELD_QUANTITY:
        return YTAG_FLOAT;
    default:
        return YTAG_STR;
    }
}

/* A name of a list longer than the field allows: an error at `at`, never a cut. */
static bool name_too_long(struct bind *b, const struct scn_field *f, const char *path,
                          const char *name, size_t len, const struct ynode *at,
                          const struct ynode *where)
{
    SIM_ASSERT(f->name_max > 0, "list field %s states its longest name", path);
    if (len <= f->name_max)
        return false;
    char *copy = strndup(name, len);
    char shown[DIAG_EXCERPT];
    err_at(b, at, where, "%s: expected names of at most %zu bytes, got '%s' (%zu bytes)", path,
           f->name_max, copy ? diag_excerpt(copy, shown, sizeof shown) : "?", len);
    free(copy);
    return true;
}

static void bind_scalar(struct bind *b, const struct scn_field *f, const char *path,
                        const struct ynode *n, const struct ynode *where, void *base);

/* One entry of a list as written: the node of its name, and of its weight (NULL: none). */
struct list_entry {
    const struct ynode *name, *weight;
};

/* "a sequence", "'x,y'": what an entry that is not a name is, for messages. */
static const char *entry_shown(const struct ynode *it, char *buf, size_t size)
{
    char shown[DIAG_EXCERPT];
    if (it->kind == YNODE_SCALAR)
        snprintf(buf, size, "'%s'", diag_excerpt(it->text, shown, sizeof shown));
    else
        snprintf(buf, size, "a %s", ynode_kind_name(it->kind));
    return buf;
}

/* Whether node n is a name a list holds (a non-empty string without ','). */
static bool is_name(const struct ynode *n)
{
    return n->kind == YNODE_SCALAR && !strchr(n->text, ',') && *n->text &&
           ynode_tag_allows(n, YTAG_STR);
}

/* Reads entry i (node it) of weighted list field f: a name, or a mapping {entry_key: NAME,
 * weight_key: F} (the weight key optional). false with an error at the node. */
static bool weighted_entry_read(struct bind *b, const struct scn_field *f, const char *path,
                                size_t i, const struct ynode *it, const struct ynode *where,
                                struct list_entry *e)
{
    char shown[DIAG_EXCERPT], got[DIAG_EXCERPT + 8];
    *e = (struct list_entry){it, NULL};
    if (it->kind == YNODE_MAP) {
        e->name = NULL;
        for (size_t k = 0; k + 1 < it->n; k += 2) {
            const struct ynode *key = it->items[k], *v = it->items[k + 1];
            if (strcmp(key->text, f->entry_key) == 0) {
                e->name = v;
            } else if (strcmp(key->text, f->weight_key) == 0) {
                e->weight = v;
            } else {
                const char *names[] = {f->entry_key, f->weight_key};
                const char *near = diag_nearest(key->text, names, 2);
                diag_excerpt(key->text, shown, sizeof shown);
                if (near)
                    err_at(b, key, where, "%s[%zu]: unknown key '%s' (did you mean '%s'?)", path, i,
                           shown, near);
                else
                    err_at(b, key, where, "%s[%zu]: unknown key '%s' (expected %s and %s)", path, i,
                           shown, f->entry_key, f->weight_key);
                return false;
            }
        }
        if (!e->name) {
            err_at(b, it, where, "%s[%zu]: missing key '%s' (expected {%s: NAME, %s: F})", path, i,
                   f->entry_key, f->entry_key, f->weight_key);
            return false;
        }
        if (!is_name(e->name)) {
            err_at(b, e->name, where, "%s[%zu].%s: expected a name, got %s", path, i, f->entry_key,
                   entry_shown(e->name, got, sizeof got));
            return false;
        }
        return true;
    }
    if (!is_name(it)) {
        err_at(b, it, where,
               "%s: expected a list of names or of mappings {%s: NAME, %s: F}, got %s", path,
               f->entry_key, f->weight_key, entry_shown(it, got, sizeof got));
        return false;
    }
    return true;
}

/* The weights of a weighted list's entries e[0 .. n) (node n), into w: either every entry has
 * one or none has (then w is left alone and false is returned without error); each a number in
 * (0, 1]; together 1 within FIELD_WEIGHT_TOLERANCE. true when w holds them; an error sets
 * *bad. */
static bool weights_read(struct bind *b, const struct scn_field *f, const char *path,
                         const struct ynode *n, const struct list_entry *e, double *w,
                         const struct ynode *where, bool *bad)
{
    size_t with = 0;
    for (size_t i = 0; i < n->n; i++)
        with += e[i].weight != NULL;
    if (with == 0)
        return false;
    if (with < n->n) { /* the first entry that differs from entry 0 */
        size_t i = 1;
        while ((e[i].weight != NULL) == (e[0].weight != NULL))
            i++;
        if (e[i].weight)
            err_at(b, e[i].weight, where,
                   "%s[%zu]: a %s, but %s[0] has none; expected a %s on every entry or on none",
                   path, i, f->weight_key, path, f->weight_key);
        else
            err_at(b, n->items[i], where,
                   "%s[%zu]: no %s, but %s[0] has one; expected a %s on every entry or on none",
                   path, i, f->weight_key, path, f->weight_key);
        *bad = true;
        return false;
    }
    const struct scn_field weight = {.key = f->weight_key,
                                     .type = FIELD_QUANTITY,
                                     .dim = DIM_NONE,
                                     .min = 0,
                                     .min_exclusive = true,
                                     .max = 1};
    double sum = 0;
    char shown[DIAG_EXCERPT];
    for (size_t i = 0; i < n->n; i++) {
        char *at = NULL;
        if (asprintf(&at, "%s[%zu].%s", path, i, f->weight_key) < 0) {
            err_at(b, n, where, "%s: out of memory", path);
            *bad = true;
            return false;
        }
        double v = 0;
        size_t errors = b->errors;
        const struct ynode *wn = e[i].weight;
        if (wn->kind == YNODE_SCALAR && wn->quoted) /* a number, not the string "0.5" */
            err_at(b, wn, where, "%s: expected a number in (0, 1], got the string '%s'", at,
                   diag_excerpt(wn->text, shown, sizeof shown));
        else
            bind_scalar(b, &weight, at, wn, where, &v);
        free(at);
        if (b->errors > errors)
            *bad = true;
        w[i] = v;
        sum += v;
    }
    if (!*bad && !(fabs(sum - 1) <= FIELD_WEIGHT_TOLERANCE)) {
        char got[32]; /* 12 digits: 0.3 + 0.6 reads 0.9, 1 + 2e-9 still shows */
        snprintf(got, sizeof got, "%.12g", sum);
        err_at(b, n, where,
               "%s: the %ss sum to %s; expected 1 (within " FIELD_WEIGHT_TOLERANCE_TEXT ")", path,
               f->weight_key, got);
        *bad = true;
    }
    return !*bad;
}

/* Binds list field f from a YAML sequence of names (a weighted list: or of mappings). */
static void bind_list(struct bind *b, const struct scn_field *f, const char *path,
                      const struct ynode *n, const struct ynode *where, void *ptr)
{
    char shown[DIAG_EXCERPT];
    struct list_entry *e = calloc(n->n ? n->n : 1, sizeof *e);
    double *w = f->weight_key ? calloc(n->n ? n->n : 1, sizeof *w) : NULL;
    if (!e || (f->weight_key && !w)) {
        err_at(b, n, where, "%s: out of memory", path);
        goto out;
    }
    bool bad_entry = false; /* a weighted list's entries are each checked */
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *it = n->items[i];
        if (f->weight_key) {
            bad_entry |= !weighted_entry_read(b, f, path, i, it, where, &e[i]);
            continue;
        }
        if (!is_name(it)) {
            err_at(b, it, where, "%s: expected a list of names, got %s%s%s", path,
                   it->kind == YNODE_SCALAR ? "'" : "a ",
                   it->kind == YNODE_SCALAR ? diag_excerpt(it->text, shown, sizeof shown)
                                            : ynode_kind_name(it->kind),
                   it->kind == YNODE_SCALAR ? "'" : "");
            goto out;
        }
        e[i] = (struct list_entry){it, NULL};
    }
    if (bad_entry)
        goto out;
    size_t errors = b->errors;
    for (size_t i = 0; i < n->n; i++)
        name_too_long(b, f, path, e[i].name->text, strlen(e[i].name->text), e[i].name, where);
    bool bad = b->errors > errors;
    bool weighted = f->weight_key && weights_read(b, f, path, n, e, w, where, &bad);
    if (bad)
        goto out;
    struct scn_list l = {0};
    for (size_t i = 0; i < n->n; i++)
        if (list_push(&l, e[i].name->text, strlen(e[i].name->text)) < 0) {
            scn_list_release(&l);
            err_at(b, n, where, "%s: out of memory", path);
            goto out;
        }
    if (weighted && l.n) {
        l.w = w;
        w = NULL;
    }
    scn_list_release(ptr);
    *(struct scn_list *)ptr = l;
out:
    free(e);
    free(w);
}

/* Binds list field f from one scalar `text` (node n, NULL for the default): its names are
 * separated by ','; "" is the empty list, and a trailing ',' adds no name. */
static void bind_joined(struct bind *b, const struct scn_field *f, const char *path,
                        const char *text, const struct ynode *n, const struct ynode *where,
                        void *ptr)
{
    struct scn_list l = {0};
    size_t errors = b->errors;
    for (const char *v = *text ? text : NULL; v;) {
        const char *comma = strchr(v, ',');
        size_t len = comma ? (size_t)(comma - v) : strlen(v);
        if (!name_too_long(b, f, path, v, len, n, where) && list_push(&l, v, len) < 0) {
            err_at(b, n, where, "%s: out of memory", path);
            break;
        }
        v = comma && comma[1] ? comma + 1 : NULL; /* as in a flow sequence, "a," is [a] */
    }
    if (b->errors > errors) {
        scn_list_release(&l);
        return;
    }
    scn_list_release(ptr);
    *(struct scn_list *)ptr = l;
}

/* Binds one scalar value; `n` is NULL when the default is used (then `text` is the default). */
static void bind_scalar(struct bind *b, const struct scn_field *f, const char *path,
                        const struct ynode *n, const struct ynode *where, void *base)
{
    const char *full = n ? n->text : f->def;
    char shown[DIAG_EXCERPT];
    const char *text = full ? diag_excerpt(full, shown, sizeof shown) : NULL;
    void *ptr = (char *)base + f->offset;
    if (n && n->kind == YNODE_SEQ && f->type == FIELD_LIST) {
        bind_list(b, f, path, n, where, ptr);
        return;
    }
    if (n && n->kind != YNODE_SCALAR && f->type == FIELD_LIST && f->weight_key) {
        err_at(b, n, where,
               "%s: expected a list of names or of mappings {%s: NAME, %s: F}, got a %s", path,
               f->entry_key, f->weight_key, ynode_kind_name(n->kind));
        return;
    }
    if (n && n->kind != YNODE_SCALAR) {
        char *want = describe(f);
        err_at(b, n, where, "%s: expected %s, got a %s", path, want ? want : "a value",
               ynode_kind_name(n->kind));
        free(want);
        return;
    }
    SIM_ASSERT(text != NULL, "field %s has neither value nor default", path);
    if (n && !ynode_tag_allows(n, tag_of(f))) {
        /* an explicit tag states a type: "!!str 8" is a string, not an integer */
        char *want = describe(f);
        err_at(b, n, where, "%s: expected %s%s got '%s' tagged %s", path, want ? want : "a value",
               f->type == FIELD_ENUM ? ";" : ",", text, ynode_tag_name(n->tag));
        free(want);
        return;
    }
    switch (f->type) {
    case FIELD_BOOL:
        if (strcmp(full, "true") == 0 && !(n && n->quoted))
            *(bool *)ptr = true;
        else if (strcmp(full, "false") == 0 && !(n && n->quoted))
            *(bool *)ptr = false;
        else
            err_at(b, n, where, "%s: expected true or false, got '%s'", path, text);
        return;
    case FIELD_UINT: {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(full, &end, 10);
        bool digits = full[0] >= '0' && full[0] <= '9' && *end == '\0' && errno != ERANGE;
        if (!digits || (n && n->quoted) || !in_range(f, (double)v)) {
            char *want = describe(f);
            err_at(b, n, where, "%s: expected %s, got %s'%s'", path, want ? want : "an integer",
                   n && n->quoted ? "the string " : "", text);
            free(want);
            return;
        }
        *(uint64_t *)ptr = v;
        return;
    }
    case FIELD_QUANTITY: {
        double v;
        char *why = NULL;
        if (unit_parse(full, f->dim, &v, &why) < 0) {
            err_at(b, n, where, "%s: %s", path, why ? why : "invalid value");
            free(why);
            return;
        }
        if (!in_range(f, v)) {
            char *want = describe(f), got[32];
            field_format_number(v, got, sizeof got);
            const char *unit = unit_dim_base(f->dim);
            if (strchr(text, ' ') || !*unit || strcmp(got, text) == 0)
                err_at(b, n, where, "%s: expected %s, got '%s'", path, want ? want : "?", text);
            else
                err_at(b, n, where, "%s: expected %s, got '%s' (%s %s)", path, want ? want : "?",
                       text, got, unit);
            free(want);
            return;
        }
        *(double *)ptr = v;
        return;
    }
    case FIELD_ENUM:
        for (int i = 0; f->choices[i]; i++)
            if (strcmp(f->choices[i], full) == 0) {
                *(int *)ptr = i;
                return;
            }
        {
            size_t nc = 0;
            while (f->choices[nc])
                nc++;
            const char *near = diag_nearest(full, f->choices, nc);
            char *want = describe(f);
            if (near)
                err_at(b, n, where, "%s: expected %s; got '%s' (did you mean '%s'?)", path,
                       want ? want : "?", text, near);
            else
                err_at(b, n, where, "%s: expected %s; got '%s'", path, want ? want : "?", text);
            free(want);
        }
        return;
    case FIELD_STRING: {
        char *s = strdup(full);
        if (!s) {
            err_at(b, n, where, "%s: out of memory", path);
            return;
        }
        free(*(char **)ptr);
        *(char **)ptr = s;
        return;
    }
    case FIELD_LIST:
        bind_joined(b, f, path, full, n, where, ptr);
        return;
    case FIELD_SECTION:
        break;
    }
}

static void bind_section(struct bind *b, const struct scn_field *fields, const char *prefix,
                         const struct ynode *map, const struct ynode *where, void *base,
                         const char *const *skip)
{
    char shown[DIAG_EXCERPT];
    if (map && map->kind != YNODE_MAP) {
        if (*prefix)
            err_at(b, map, where, "%s: expected a mapping of keys (%s: ...), got a %s%s%s%s",
                   prefix, fields[0].key, ynode_kind_name(map->kind),
                   map->kind == YNODE_SCALAR ? " '" : "",
                   map->kind == YNODE_SCALAR ? diag_excerpt(map->text, shown, sizeof shown) : "",
                   map->kind == YNODE_SCALAR ? "'" : "");
        else
            err_at(b, map, where,
                   "expected a mapping of sections (%s: ...) at the top level, got a %s",
                   fields[0].key, ynode_kind_name(map->kind));
        map = NULL;
        where = NULL; /* report nothing more for this section */
        return;
    }
    /* Unknown keys. */
    if (map) {
        for (size_t i = 0; i + 1 < map->n; i += 2) {
            const struct ynode *k = map->items[i];
            bool known = false;
            for (const struct scn_field *f = fields; f->key && !known; f++)
                known = strcmp(f->key, k->text) == 0;
            for (const char *const *s = skip; s && *s && !known; s++)
                known = strcmp(*s, k->text) == 0;
            if (known)
                continue;
            char *full = join(prefix, k->text);
            const struct field_retired *gone = full ? field_find_retired(b->retired, full) : NULL;
            if (gone)
                err_at(b, k, where, "%s: removed: %s", full, gone->why);
            free(full);
            if (gone)
                continue;
            const char *names[64];
            size_t nn = 0;
            for (const struct scn_field *f = fields; f->key && nn < 64; f++)
                names[nn++] = f->key;
            for (const char *const *s = skip; s && *s && nn < 64; s++)
                names[nn++] = *s;
            const char *near = diag_nearest(k->text, names, nn);
            const char *sect = *prefix ? prefix : "top level";
            char key[DIAG_EXCERPT];
            diag_excerpt(k->text, key, sizeof key);
            if (near)
                err_at(b, k, where, "%s: unknown key '%s' (did you mean '%s'?)", sect, key, near);
            else {
                char list[512] = "";
                for (size_t j = 0; j < nn; j++) {
                    if (strlen(list) + strlen(names[j]) + 3 >= sizeof list)
                        break;
                    strcat(list, names[j]);
                    if (j + 1 < nn)
                        strcat(list, ", ");
                }
                err_at(b, k, where, "%s: unknown key '%s' (expected one of: %s)", sect, key, list);
            }
        }
    }
    for (const struct scn_field *f = fields; f->key; f++) {
        char *path = join(prefix, f->key);
        if (!path) {
            err_at(b, NULL, where, "out of memory");
            return;
        }
        struct ynode *keynode = NULL;
        const struct ynode *value = ynode_get(map, f->key, &keynode);
        const struct ynode *here = map ? map : where;
        if (f->type == FIELD_SECTION) {
            bind_section(b, f->fields, path, value, value ? keynode : here,
                         (char *)base + f->offset, NULL);
        } else if (value) {
            bind_scalar(b, f, path, value, keynode, base);
            origin_add(b->origins, path, value);
        } else if (f->def) {
            bind_scalar(b, f, path, NULL, here, base);
            origin_add(b->origins, path, NULL);
        } else {
            char *want = describe(f);
            err_at(b, here, NULL, "%s: missing required key (%s)", path, want ? want : "?");
            free(want);
        }
        free(path);
    }
}

size_t field_bind_one(const struct scn_field *f, const char *path, const struct ynode *value,
                      void *holder, struct diag *d)
{
    struct bind b = {.d = d};
    bind_scalar(&b, f, path, value, value, holder);
    return b.errors;
}

size_t field_bind(const struct scn_field *fields, const char *prefix, const struct ynode *map,
                  const struct ynode *where, void *base, const char *const *skip,
                  const struct field_retired *retired, struct field_origins *origins,
                  struct diag *d)
{
    struct bind b = {.d = d, .origins = origins, .retired = retired};
    bind_section(&b, fields, prefix, map, where, base, skip);
    return b.errors;
}

void field_value_release(const struct scn_field *f, void *value)
{
    if (f->type == FIELD_STRING) {
        free(*(char **)value);
        *(char **)value = NULL;
    } else if (f->type == FIELD_LIST) {
        scn_list_release(value);
    }
}

void field_release(const struct scn_field *fields, void *base)
{
    for (const struct scn_field *f = fields; f->key; f++) {
        if (f->type == FIELD_SECTION)
            field_release(f->fields, (char *)base + f->offset);
        else
            field_value_release(f, (char *)base + f->offset);
    }
}

const struct scn_field *field_find(const struct scn_field *fields, const char *path)
{
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    for (const struct scn_field *f = fields; f->key; f++) {
        if (strlen(f->key) != len || strncmp(f->key, path, len) != 0)
            continue;
        if (!dot)
            return f;
        return f->type == FIELD_SECTION ? field_find(f->fields, dot + 1) : NULL;
    }
    return NULL;
}

const struct scn_field *field_locate(const struct scn_field *fields, const char *path,
                                     const void *base, const void **holder)
{
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    for (const struct scn_field *f = fields; f->key; f++) {
        if (strlen(f->key) != len || strncmp(f->key, path, len) != 0)
            continue;
        if (f->type == FIELD_SECTION)
            return dot ? field_locate(f->fields, dot + 1, (const char *)base + f->offset, holder)
                       : NULL;
        if (dot)
            return NULL;
        *holder = base;
        return f;
    }
    return NULL;
}

/* ---- emitting and documenting ---------------------------------------------------------------- */

static bool needs_quotes(const char *s)
{
    if (!*s || strchr(" -?:,[]{}#&*!|>'\"%@`", s[0]) || strstr(s, ": ") || strstr(s, " #"))
        return true;
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\')
            return true;
    return strcmp(s, "true") == 0 || strcmp(s, "false") == 0 || strcmp(s, "null") == 0 ||
           strtod(s, NULL) != 0 || s[0] == '0';
}

/* Writes s as a YAML scalar; `flow`: inside a flow collection ([a, b], {k: v}), where the flow
 * indicators end a plain scalar. */
static void emit_scalar(const char *s, bool flow, FILE *out)
{
    if (!needs_quotes(s) && !(flow && strpbrk(s, ",[]{}"))) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if ((unsigned char)*c < 0x20)
            fprintf(out, "\\x%02x", (unsigned char)*c);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}

static void emit_string(const char *s, FILE *out)
{
    emit_scalar(s, false, out);
}

void field_emit_value(const struct scn_field *f, const void *base, FILE *out)
{
    const void *ptr = (const char *)base + f->offset;
    char num[40];
    switch (f->type) {
    case FIELD_BOOL:
        fputs(*(const bool *)ptr ? "true" : "false", out);
        break;
    case FIELD_UINT:
        fprintf(out, "%" PRIu64, *(const uint64_t *)ptr);
        break;
    case FIELD_QUANTITY:
        field_format_number(*(const double *)ptr, num, sizeof num);
        fputs(num, out);
        if (*unit_dim_base(f->dim))
            fprintf(out, " %s", unit_dim_base(f->dim));
        break;
    case FIELD_ENUM:
        fputs(f->choices[*(const int *)ptr], out);
        break;
    case FIELD_STRING:
        emit_string(*(char *const *)ptr ? *(char *const *)ptr : "", out);
        break;
    case FIELD_LIST: {
        const struct scn_list *l = ptr;
        fputc('[', out);
        for (size_t i = 0; i < l->n; i++) {
            fputs(i ? ", " : "", out);
            if (l->w && f->weight_key) {
                field_format_number(l->w[i], num, sizeof num);
                fprintf(out, "{%s: ", f->entry_key);
                emit_scalar(l->v[i], true, out);
                fprintf(out, ", %s: %s}", f->weight_key, num);
            } else {
                emit_scalar(l->v[i], true, out);
            }
        }
        fputc(']', out);
        break;
    }
    case FIELD_SECTION:
        break;
    }
}

/* Whether a section has a leaf the filter keeps. */
static bool section_kept(const struct scn_field *fields, const char *prefix, field_keep_fn *keep,
                         const void *ctx)
{
    bool any = false;
    for (const struct scn_field *f = fields; f->key && !any; f++) {
        char *path = join(prefix, f->key);
        if (!path)
            return true;
        any = f->type == FIELD_SECTION ? section_kept(f->fields, path, keep, ctx) : keep(path, ctx);
        free(path);
    }
    return any;
}

static void emit(const struct scn_field *fields, const char *prefix, const void *base, int indent,
                 field_keep_fn *keep, const void *ctx, FILE *out)
{
    for (const struct scn_field *f = fields; f->key; f++) {
        char *path = join(prefix, f->key);
        if (!path)
            return;
        if (f->type == FIELD_SECTION) {
            if (!keep || section_kept(f->fields, path, keep, ctx)) {
                fprintf(out, "%*s%s:\n", indent, "", f->key);
                emit(f->fields, path, (const char *)base + f->offset, indent + 2, keep, ctx, out);
            }
        } else if (!keep || keep(path, ctx)) {
            fprintf(out, "%*s%s: ", indent, "", f->key);
            field_emit_value(f, base, out);
            fputc('\n', out);
        }
        free(path);
    }
}

void field_emit(const struct scn_field *fields, const void *base, int indent, FILE *out)
{
    emit(fields, "", base, indent, NULL, NULL, out);
}

void field_emit_filtered(const struct scn_field *fields, const void *base, field_keep_fn *keep,
                         const void *ctx, FILE *out)
{
    emit(fields, "", base, 0, keep, ctx, out);
}

void field_document(const struct scn_field *fields, const char *prefix, FILE *out)
{
    for (const struct scn_field *f = fields; f->key; f++) {
        char *path = join(prefix, f->key);
        if (!path)
            return;
        if (f->type == FIELD_SECTION) {
            field_document(f->fields, path, out);
        } else {
            /* a file's path: where a relative one points (scn.h) */
            static const char *const paths[][2] = {
                {NULL, NULL},
                {"a path, relative to the scenario's folder (--set: the working directory)",
                 "paths, relative to the scenario's folder (--set: the working directory)"},
                {"a name, or a path relative to the scenario's folder (--set: the working "
                 "directory)",
                 "names, or paths relative to the scenario's folder (--set: the working "
                 "directory)"}};
            char *want =
                f->file != FIELD_TEXT ? strdup(paths[f->file][f->type == FIELD_LIST]) : describe(f);
            static const char *const strings[] = {"string", "file", "name or file"};
            static const char *const lists[] = {"list of names", "list of files",
                                                "list of names or files"};
            const char *type = f->type == FIELD_BOOL     ? "bool"
                               : f->type == FIELD_UINT   ? "integer"
                               : f->type == FIELD_ENUM   ? "choice"
                               : f->type == FIELD_STRING ? strings[f->file]
                               : f->type == FIELD_LIST   ? lists[f->file]
                                                         : unit_dim_name(f->dim) + 2;
            char unit[64] = "";
            if (f->type == FIELD_QUANTITY)
                snprintf(unit, sizeof unit, " [%s]",
                         *unit_dim_base(f->dim) ? unit_dim_base(f->dim) : "1");
            char weighted[96] = "";
            if (f->type == FIELD_LIST && f->weight_key)
                snprintf(weighted, sizeof weighted, ", or of {%s, %s} mappings", f->entry_key,
                         f->weight_key);
            fprintf(out, "| `%s` | %s%s%s | %s | %s | %s |\n", path, type, weighted, unit,
                    f->def ? f->def : "**required**", want ? want : "", f->doc);
            free(want);
        }
        free(path);
    }
}
