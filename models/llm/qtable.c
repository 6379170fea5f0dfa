#include "models/llm/qtable.h"

#include <stdlib.h>
#include <string.h>

#include "models/llm/tablefile.h"
#include "scn/ytree.h"

static const char *const precision_names[] = {"fp16", "int8", "int4"};

/* A grid of the table: a non-empty, strictly increasing list of numbers in [lo, hi]. */
static double *grid(struct tablefile *p, const struct ynode *seq, const char *what, double lo,
                    double hi, size_t *n)
{
    struct tablefile_list rule = {.lo = lo, .hi = hi, .increasing = true};
    return tablefile_numbers(p, seq, what, &rule, n);
}

static void parse(struct tablefile *p, void *table, const struct ynode *root, const char *name)
{
    struct qtable *q = table;
    static const char *const keys[] = {
        "format", "format_version", "model",  "provenance", "metric", "dataset", "reference",
        "runs",   "erasure_mode",   "splits", "erasure",    "values", NULL};
    if (!tablefile_header(p, root, name, "quality table", QTABLE_FORMAT, keys))
        return;
    const struct ynode *v = tablefile_need(p, root, "format_version", "", YNODE_SCALAR);
    if (v && (strcmp(v->text, "1") || !ynode_tag_allows(v, YTAG_INT)))
        tablefile_error(p, v, "format_version: expected 1, got '%s'%s%s", v->text,
                        v->tag != YTAG_NONE ? " tagged " : "", ynode_tag_name(v->tag));
    static const char *const strings[] = {"model", "metric", "dataset", "erasure_mode", NULL};
    tablefile_need_strings(p, root, "", strings,
                           (char **[]){&q->model, &q->metric, &q->dataset, &q->erasure_mode});
    if (q->erasure_mode && strcmp(q->erasure_mode, "element") && strcmp(q->erasure_mode, "packet"))
        tablefile_error(p, ynode_get(root, "erasure_mode", NULL),
                        "erasure_mode: expected element or packet, got '%s'", q->erasure_mode);
    const struct ynode *prov = tablefile_need(p, root, "provenance", "", YNODE_MAP);
    if (prov) {
        static const char *const prov_strings[] = {"method", "tool", "created", "source", NULL};
        tablefile_need_strings(p, prov, "", prov_strings,
                               (char **[]){&q->method, &q->tool, &q->created, &q->source});
        if (q->method && strcmp(q->method, "measured") && strcmp(q->method, "assumed"))
            tablefile_error(p, ynode_get(prov, "method", NULL),
                            "provenance.method: expected measured or assumed, got '%s'", q->method);
    }
    if ((v = tablefile_need(p, root, "reference", "", YNODE_SCALAR)))
        tablefile_number(p, v, "reference", 1e-12, 1e12, &q->reference);
    double runs = 0;
    if ((v = tablefile_need(p, root, "runs", "", YNODE_SCALAR)) &&
        tablefile_number(p, v, "runs", 1, 1e6, &runs))
        q->runs = (unsigned)runs;
    if ((v = tablefile_need(p, root, "splits", "", YNODE_SEQ)))
        q->splits = grid(p, v, "splits", 0, 1e6, &q->nsplits);
    if ((v = tablefile_need(p, root, "erasure", "", YNODE_SEQ)))
        q->erasure = grid(p, v, "erasure", 0, 1, &q->nerasure);
    const struct ynode *vals = tablefile_need(p, root, "values", "", YNODE_MAP);
    if (!vals || !q->splits || !q->erasure)
        return;
    for (size_t i = 0; i + 1 < vals->n; i += 2) {
        const struct ynode *k = vals->items[i], *rows = vals->items[i + 1];
        int prec = -1;
        for (int j = 0; j < 3; j++)
            if (strcmp(k->text, precision_names[j]) == 0)
                prec = j;
        if (prec < 0) {
            tablefile_error(p, k, "values: expected fp16, int8 or int4, got '%s'", k->text);
            continue;
        }
        if (rows->kind != YNODE_SEQ || rows->n != q->nsplits) {
            tablefile_error(p, rows, "values.%s: expected %zu rows (one per split)", k->text,
                            q->nsplits);
            continue;
        }
        double *m = calloc(q->nsplits * q->nerasure, sizeof *m);
        if (!m)
            return;
        bool ok = true;
        for (size_t r = 0; r < q->nsplits && ok; r++) {
            const struct ynode *row = rows->items[r];
            if (row->kind != YNODE_SEQ || row->n != q->nerasure) {
                tablefile_error(p, row, "values.%s[%zu]: expected %zu numbers (one per erasure)",
                                k->text, r, q->nerasure);
                ok = false;
                break;
            }
            for (size_t c = 0; c < q->nerasure && ok; c++) {
                char what[64];
                snprintf(what, sizeof what, "values.%s[%zu]", k->text, r);
                ok = tablefile_number(p, row->items[c], what, 1e-12, 1e12, &m[r * q->nerasure + c]);
                if (ok && c && m[r * q->nerasure + c] < m[r * q->nerasure + c - 1]) {
                    tablefile_error(
                        p, row->items[c],
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
        tablefile_error(p, vals, "values: expected at least the fp16 table");
}

static void release(void *table)
{
    qtable_release(table);
}

static const struct tablefile_kind kind = {.bind = parse, .release = release};

int qtable_parse(struct qtable *t, const char *name, const char *text, size_t len, struct diag *d)
{
    return tablefile_parse(&kind, t, sizeof *t, name, text, len, d);
}

int qtable_load(struct qtable *t, const char *path, struct diag *d)
{
    return tablefile_load(&kind, t, sizeof *t, path, d);
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
