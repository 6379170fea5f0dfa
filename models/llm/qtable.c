#include "models/llm/qtable.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scn/ytree.h"

static const char *const precision_names[] = {"fp16", "int8", "int4"};

struct parser {
    struct diag *d;
    size_t errors;
};

__attribute__((format(printf, 3, 4))) static void perr(struct parser *p, const struct ynode *at,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(p->d, DIAG_ERROR, at ? at->src : NULL, at ? at->line : 0, at ? at->col : 0, fmt,
                 ap);
    va_end(ap);
    p->errors++;
}

static const struct ynode *need(struct parser *p, const struct ynode *map, const char *key,
                                enum ynode_kind kind)
{
    const struct ynode *v = ynode_get(map, key, NULL);
    if (!v)
        perr(p, map, "%s: missing required key", key);
    else if (v->kind != kind)
        perr(p, v, "%s: expected a %s, got a %s", key, ynode_kind_name(kind),
             ynode_kind_name(v->kind));
    else
        return v;
    return NULL;
}

static char *need_string(struct parser *p, const struct ynode *map, const char *key)
{
    const struct ynode *v = need(p, map, key, YNODE_SCALAR);
    if (v && !ynode_tag_allows(v, YTAG_STR)) {
        char shown[DIAG_EXCERPT];
        perr(p, v, "%s: expected a string, got '%s' tagged %s", key,
             diag_excerpt(v->text, shown, sizeof shown), ynode_tag_name(v->tag));
        return NULL;
    }
    return v ? strdup(v->text) : NULL;
}

static bool number(struct parser *p, const struct ynode *v, const char *what, double lo, double hi,
                   double *out)
{
    char *end = NULL;
    double x = v->kind == YNODE_SCALAR ? strtod(v->text, &end) : (double)NAN;
    if (v->kind != YNODE_SCALAR || end == v->text || *end || !isfinite(x) || x < lo || x > hi ||
        !ynode_tag_allows(v, YTAG_FLOAT)) {
        char shown[DIAG_EXCERPT];
        perr(p, v, "%s: expected a number in [%g, %g], got '%s'%s%s", what, lo, hi,
             v->kind == YNODE_SCALAR ? diag_excerpt(v->text, shown, sizeof shown)
                                     : ynode_kind_name(v->kind),
             v->tag != YTAG_NONE ? " tagged " : "", ynode_tag_name(v->tag));
        return false;
    }
    *out = x;
    return true;
}

/* A strictly increasing list of numbers in [lo, hi]. */
static double *grid(struct parser *p, const struct ynode *seq, const char *what, double lo,
                    double hi, size_t *n)
{
    if (seq->kind != YNODE_SEQ || seq->n == 0) {
        perr(p, seq, "%s: expected a non-empty list of numbers", what);
        return NULL;
    }
    double *v = calloc(seq->n, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < seq->n; i++) {
        bool ok = number(p, seq->items[i], what, lo, hi, &v[i]);
        if (ok && i && !(v[i] > v[i - 1])) {
            perr(p, seq->items[i], "%s: expected increasing values, got %g after %g", what, v[i],
                 v[i - 1]);
            ok = false;
        }
        if (!ok) {
            free(v);
            return NULL;
        }
    }
    *n = seq->n;
    return v;
}

static void parse(struct parser *p, struct qtable *q, const struct ynode *root, const char *name)
{
    if (!root || root->kind != YNODE_MAP) {
        struct ynode at = {.src = name, .line = 1, .col = 1};
        perr(p, root ? root : &at, "expected a quality table (a mapping starting with format: %s)",
             QTABLE_FORMAT);
        return;
    }
    static const char *const keys[] = {
        "format", "format_version", "model",  "provenance", "metric", "dataset", "reference",
        "runs",   "erasure_mode",   "splits", "erasure",    "values", NULL};
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        bool known = false;
        for (size_t k = 0; keys[k] && !known; k++)
            known = strcmp(keys[k], root->items[i]->text) == 0;
        if (!known) {
            const char *near = diag_nearest(root->items[i]->text, keys, 12);
            char shown[DIAG_EXCERPT];
            perr(p, root->items[i], "quality table: unknown key '%s'%s%s%s",
                 diag_excerpt(root->items[i]->text, shown, sizeof shown),
                 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    const struct ynode *f = need(p, root, "format", YNODE_SCALAR);
    if (f && strcmp(f->text, QTABLE_FORMAT)) {
        perr(p, f, "format: expected '%s', got '%s'", QTABLE_FORMAT, f->text);
        return;
    }
    const struct ynode *v = need(p, root, "format_version", YNODE_SCALAR);
    if (v && (strcmp(v->text, "1") || !ynode_tag_allows(v, YTAG_INT)))
        perr(p, v, "format_version: expected 1, got '%s'%s%s", v->text,
             v->tag != YTAG_NONE ? " tagged " : "", ynode_tag_name(v->tag));
    q->model = need_string(p, root, "model");
    q->metric = need_string(p, root, "metric");
    q->dataset = need_string(p, root, "dataset");
    q->erasure_mode = need_string(p, root, "erasure_mode");
    if (q->erasure_mode && strcmp(q->erasure_mode, "element") && strcmp(q->erasure_mode, "packet"))
        perr(p, ynode_get(root, "erasure_mode", NULL),
             "erasure_mode: expected element or packet, got '%s'", q->erasure_mode);
    const struct ynode *prov = need(p, root, "provenance", YNODE_MAP);
    if (prov) {
        q->method = need_string(p, prov, "method");
        q->tool = need_string(p, prov, "tool");
        q->created = need_string(p, prov, "created");
        q->source = need_string(p, prov, "source");
        if (q->method && strcmp(q->method, "measured") && strcmp(q->method, "assumed"))
            perr(p, ynode_get(prov, "method", NULL),
                 "provenance.method: expected measured or assumed, got '%s'", q->method);
    }
    if ((v = need(p, root, "reference", YNODE_SCALAR)))
        number(p, v, "reference", 1e-12, 1e12, &q->reference);
    double runs = 0;
    if ((v = need(p, root, "runs", YNODE_SCALAR)) && number(p, v, "runs", 1, 1e6, &runs))
        q->runs = (unsigned)runs;
    if ((v = need(p, root, "splits", YNODE_SEQ)))
        q->splits = grid(p, v, "splits", 0, 1e6, &q->nsplits);
    if ((v = need(p, root, "erasure", YNODE_SEQ)))
        q->erasure = grid(p, v, "erasure", 0, 1, &q->nerasure);
    const struct ynode *vals = need(p, root, "values", YNODE_MAP);
    if (!vals || !q->splits || !q->erasure)
        return;
    for (size_t i = 0; i + 1 < vals->n; i += 2) {
        const struct ynode *k = vals->items[i], *rows = vals->items[i + 1];
        int prec = -1;
        for (int j = 0; j < 3; j++)
            if (strcmp(k->text, precision_names[j]) == 0)
                prec = j;
        if (prec < 0) {
            perr(p, k, "values: expected fp16, int8 or int4, got '%s'", k->text);
            continue;
        }
        if (rows->kind != YNODE_SEQ || rows->n != q->nsplits) {
            perr(p, rows, "values.%s: expected %zu rows (one per split)", k->text, q->nsplits);
            continue;
        }
        double *m = calloc(q->nsplits * q->nerasure, sizeof *m);
        if (!m)
            return;
        bool ok = true;
        for (size_t r = 0; r < q->nsplits && ok; r++) {
            const struct ynode *row = rows->items[r];
            if (row->kind != YNODE_SEQ || row->n != q->nerasure) {
                perr(p, row, "values.%s[%zu]: expected %zu numbers (one per erasure)", k->text, r,
                     q->nerasure);
                ok = false;
                break;
            }
            for (size_t c = 0; c < q->nerasure && ok; c++) {
                char what[64];
                snprintf(what, sizeof what, "values.%s[%zu]", k->text, r);
                ok = number(p, row->items[c], what, 1e-12, 1e12, &m[r * q->nerasure + c]);
                if (ok && c && m[r * q->nerasure + c] < m[r * q->nerasure + c - 1]) {
                    perr(p, row->items[c],
                         "%s: expected no improvement with more erasure, got %g after %g", what,
                         m[r * q->nerasure + c], m[r * q->nerasure + c - 1]);
                    ok = false;
                }
            }
        }
        if (ok && !q->values[prec])
            q->values[prec] = m;
        else
            free(m);
    }
    if (!q->values[QUALITY_FP16])
        perr(p, vals, "values: expected at least the fp16 table");
}

static int finish(struct qtable *q, struct ytree *t, int rc, const struct ynode *root,
                  const char *name, struct diag *d)
{
    struct parser p = {.d = d};
    if (rc == 0) {
        size_t first = d->len;
        parse(&p, q, root, name);
        diag_sort(d, first);
    }
    ytree_release(t);
    if (rc < 0 || p.errors) {
        qtable_release(q);
        return rc < 0 ? rc : -EINVAL;
    }
    return 0;
}

int qtable_parse(struct qtable *q, const char *name, const char *text, size_t len, struct diag *d)
{
    memset(q, 0, sizeof *q);
    struct ytree t;
    ytree_init(&t);
    struct ynode *root = NULL;
    int rc = ytree_parse(&t, name, text, len, &root, d);
    return finish(q, &t, rc, root, name, d);
}

int qtable_load(struct qtable *q, const char *path, struct diag *d)
{
    memset(q, 0, sizeof *q);
    struct ytree t;
    ytree_init(&t);
    int rc = ytree_load_file(&t, path, d);
    return finish(q, &t, rc, t.root, path, d);
}

void qtable_release(struct qtable *q)
{
    char *strings[] = {q->model,  q->method,  q->tool,   q->created,
                       q->source, q->dataset, q->metric, q->erasure_mode};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(strings[i]);
    free(q->splits);
    free(q->erasure);
    for (int i = 0; i < 3; i++)
        free(q->values[i]);
    memset(q, 0, sizeof *q);
}

/* Index i and weight w of x on grid v, clamped to the grid. */
static void locate(const double *v, size_t n, double x, size_t *i, double *w, bool *extrapolated)
{
    if (x < v[0] || x > v[n - 1]) {
        if (extrapolated)
            *extrapolated = true;
        x = x < v[0] ? v[0] : v[n - 1];
    }
    if (n == 1) {
        *i = 0;
        *w = 0;
        return;
    }
    size_t lo = 0;
    while (lo + 2 < n && x > v[lo + 1])
        lo++;
    *i = lo;
    *w = (x - v[lo]) / (v[lo + 1] - v[lo]);
}

double qtable_ratio(const struct qtable *q, double split, double erasure,
                    enum quality_precision precision, bool *extrapolated)
{
    const double *m = q->values[precision];
    if (!m) {
        m = q->values[QUALITY_FP16];
        if (extrapolated)
            *extrapolated = true;
    }
    size_t r, c;
    double wr, wc;
    locate(q->splits, q->nsplits, split, &r, &wr, extrapolated);
    locate(q->erasure, q->nerasure, erasure, &c, &wc, extrapolated);
    size_t r1 = q->nsplits > 1 ? r + 1 : r, c1 = q->nerasure > 1 ? c + 1 : c;
    size_t ne = q->nerasure;
    double top = m[r * ne + c] + wc * (m[r * ne + c1] - m[r * ne + c]);
    double bottom = m[r1 * ne + c] + wc * (m[r1 * ne + c1] - m[r1 * ne + c]);
    return (top + wr * (bottom - top)) / q->reference;
}
