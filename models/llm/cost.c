#include "models/llm/cost.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scn/ytree.h"

/* ---- parsing --------------------------------------------------------------------------- */

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

/* Reports keys of `map` not in `allowed` (NULL-terminated), with a suggestion. */
static void check_keys(struct parser *p, const struct ynode *map, const char *where,
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
        perr(p, k, "%s: unknown key '%s'%s%s%s", where, diag_excerpt(k->text, shown, sizeof shown),
             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
}

static const struct ynode *need(struct parser *p, const struct ynode *map, const char *key,
                                const char *where, enum ynode_kind kind)
{
    const struct ynode *v = ynode_get(map, key, NULL);
    if (!v) {
        perr(p, map, "%s%s%s: missing required key", where, *where ? "." : "", key);
        return NULL;
    }
    if (v->kind != kind) {
        perr(p, v, "%s%s%s: expected a %s, got a %s", where, *where ? "." : "", key,
             ynode_kind_name(kind), ynode_kind_name(v->kind));
        return NULL;
    }
    return v;
}

static char *need_string(struct parser *p, const struct ynode *map, const char *key,
                         const char *where)
{
    const struct ynode *v = need(p, map, key, where, YNODE_SCALAR);
    if (v && !ynode_tag_allows(v, YTAG_STR)) {
        char shown[DIAG_EXCERPT];
        perr(p, v, "%s%s%s: expected a string, got '%s' tagged %s", where, *where ? "." : "", key,
             diag_excerpt(v->text, shown, sizeof shown), ynode_tag_name(v->tag));
        return NULL;
    }
    return v ? strdup(v->text) : NULL;
}

/* A finite number >= min from a scalar node. */
static bool number(struct parser *p, const struct ynode *v, const char *what, double min,
                   double *out)
{
    char *end = NULL;
    double x = v->kind == YNODE_SCALAR ? strtod(v->text, &end) : (double)NAN;
    if (v->kind != YNODE_SCALAR || end == v->text || *end || !isfinite(x) || x < min ||
        !ynode_tag_allows(v, YTAG_FLOAT)) {
        char shown[DIAG_EXCERPT];
        perr(p, v, "%s: expected a finite number >= %g, got %s'%s'%s%s", what, min,
             v->kind == YNODE_SCALAR ? "" : "a ",
             v->kind == YNODE_SCALAR ? diag_excerpt(v->text, shown, sizeof shown)
                                     : ynode_kind_name(v->kind),
             v->tag != YTAG_NONE ? " tagged " : "", ynode_tag_name(v->tag));
        return false;
    }
    *out = x;
    return true;
}

static bool need_number(struct parser *p, const struct ynode *map, const char *key,
                        const char *where, double min, double *out)
{
    const struct ynode *v = need(p, map, key, where, YNODE_SCALAR);
    char what[128];
    snprintf(what, sizeof what, "%s%s%s", where, *where ? "." : "", key);
    return v && number(p, v, what, min, out);
}

/* A list of `want` numbers (want 0: any length >= 1, returned in *n); positive (> 0) when
 * `positive`; strictly increasing when `increasing`; non-decreasing times of one layer (in
 * (0, COST_MAX_MS]) when `monotone`. */
static double *numbers(struct parser *p, const struct ynode *seq, const char *what, size_t want,
                       size_t *n, bool positive, bool increasing, bool monotone)
{
    if (seq->kind != YNODE_SEQ || seq->n == 0 || (want && seq->n != want)) {
        if (want)
            perr(p, seq, "%s: expected a list of %zu numbers, got %s%zu", what, want,
                 seq->kind == YNODE_SEQ ? "" : "a non-list; ", seq->kind == YNODE_SEQ ? seq->n : 0);
        else
            perr(p, seq, "%s: expected a non-empty list of numbers", what);
        return NULL;
    }
    double *v = calloc(seq->n, sizeof *v);
    if (!v) {
        perr(p, seq, "out of memory");
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < seq->n && ok; i++) {
        ok = number(p, seq->items[i], what, 0, &v[i]);
        if (ok && positive && !(v[i] > 0)) {
            perr(p, seq->items[i], "%s: expected a number > 0, got '%s'", what,
                 seq->items[i]->text);
            ok = false;
        }
        if (ok && i && increasing && !(v[i] > v[i - 1])) {
            perr(p, seq->items[i], "%s: expected increasing values, got %g after %g", what, v[i],
                 v[i - 1]);
            ok = false;
        }
        if (ok && monotone && v[i] > COST_MAX_MS) {
            perr(p, seq->items[i],
                 "%s: expected a time of at most %g ms (one day) for one layer, got %g ms", what,
                 COST_MAX_MS, v[i]);
            ok = false;
        }
        if (ok && i && monotone && v[i] < v[i - 1]) {
            perr(p, seq->items[i],
                 "%s: expected a time no smaller than the previous one (more work never costs "
                 "less), got %g after %g",
                 what, v[i], v[i - 1]);
            ok = false;
        }
    }
    if (!ok) {
        free(v);
        return NULL;
    }
    *n = seq->n;
    return v;
}

static const char *const top_keys[] = {
    "format", "format_version", "model",          "device",       "provenance", "power_w",
    "units",  "prefill_tokens", "decode_context", "decode_batch", "layers",     NULL};
static const char *const provenance_keys[] = {"method", "tool", "created", "source", NULL};
static const char *const layer_keys[] = {
    "name",       "count",     "param_bytes", "kv_bytes_per_token", "hidden_bytes_per_token",
    "prefill_ms", "decode_ms", NULL};

static void parse_group(struct parser *p, const struct cost_table *t, const struct ynode *m,
                        struct cost_group *g, size_t index)
{
    char where[64];
    snprintf(where, sizeof where, "layers[%zu]", index);
    if (m->kind != YNODE_MAP) {
        perr(p, m, "%s: expected a mapping, got a %s", where, ynode_kind_name(m->kind));
        return;
    }
    check_keys(p, m, where, layer_keys);
    g->name = need_string(p, m, "name", where);
    double count = 0;
    if (need_number(p, m, "count", where, 1, &count)) {
        if (count != floor(count) || count > COST_MAX_LAYERS)
            perr(p, ynode_get(m, "count", NULL), "%s.count: expected a whole number in [1, %u]",
                 where, COST_MAX_LAYERS);
        else
            g->count = (uint32_t)count;
    }
    need_number(p, m, "param_bytes", where, 0, &g->param_bytes);
    need_number(p, m, "kv_bytes_per_token", where, 0, &g->kv_bytes_per_token);
    need_number(p, m, "hidden_bytes_per_token", where, 0, &g->hidden_bytes_per_token);
    char what[96];
    size_t n = 0;
    const struct ynode *pf = need(p, m, "prefill_ms", where, YNODE_SEQ);
    if (pf && t->nprefill) {
        snprintf(what, sizeof what, "%s.prefill_ms", where);
        g->prefill_ms = numbers(p, pf, what, t->nprefill, &n, true, false, true);
    }
    const struct ynode *dm = need(p, m, "decode_ms", where, YNODE_SEQ);
    if (!dm || !t->ncontext || !t->nbatch)
        return;
    if (dm->n != t->ncontext) {
        perr(p, dm, "%s.decode_ms: expected %zu rows (one per decode_context), got %zu", where,
             t->ncontext, dm->n);
        return;
    }
    g->decode_ms = calloc(t->ncontext * t->nbatch, sizeof *g->decode_ms);
    if (!g->decode_ms) {
        perr(p, dm, "out of memory");
        return;
    }
    for (size_t r = 0; r < t->ncontext; r++) {
        snprintf(what, sizeof what, "%s.decode_ms[%zu]", where, r);
        double *row = numbers(p, dm->items[r], what, t->nbatch, &n, true, false, true);
        if (!row)
            return;
        for (size_t c = 0; c < t->nbatch; c++) {
            g->decode_ms[r * t->nbatch + c] = row[c];
            if (r && row[c] < g->decode_ms[(r - 1) * t->nbatch + c]) {
                perr(p, dm->items[r]->items[c],
                     "%s: expected a time no smaller than at the shorter context above (%g), got "
                     "%g",
                     what, g->decode_ms[(r - 1) * t->nbatch + c], row[c]);
                free(row);
                return;
            }
        }
        free(row);
    }
}

static void parse_table(struct parser *p, struct cost_table *t, const struct ynode *root,
                        const char *name)
{
    if (!root || root->kind != YNODE_MAP) {
        struct ynode at = {.src = name, .line = 1, .col = 1};
        perr(p, root ? root : &at, "expected a cost table (a mapping starting with format: %s)",
             COST_FORMAT);
        return;
    }
    check_keys(p, root, "cost table", top_keys);
    const struct ynode *fmt = need(p, root, "format", "", YNODE_SCALAR);
    if (fmt && strcmp(fmt->text, COST_FORMAT) != 0) {
        perr(p, fmt, "format: expected '%s', got '%s'", COST_FORMAT, fmt->text);
        return;
    }
    double version = 0;
    if (need_number(p, root, "format_version", "", 1, &version) && version != COST_FORMAT_VERSION)
        perr(p, ynode_get(root, "format_version", NULL),
             "format_version: expected %d, got %g (a newer splitsim wrote this table?)",
             COST_FORMAT_VERSION, version);
    t->model = need_string(p, root, "model", "");
    t->device = need_string(p, root, "device", "");
    need_number(p, root, "power_w", "", 0, &t->power_w);
    const struct ynode *prov = need(p, root, "provenance", "", YNODE_MAP);
    if (prov) {
        check_keys(p, prov, "provenance", provenance_keys);
        t->method = need_string(p, prov, "method", "provenance");
        t->tool = need_string(p, prov, "tool", "provenance");
        t->created = need_string(p, prov, "created", "provenance");
        t->source = need_string(p, prov, "source", "provenance");
        if (t->method && strcmp(t->method, "derived") && strcmp(t->method, "measured"))
            perr(p, ynode_get(prov, "method", NULL),
                 "provenance.method: expected derived or measured, got '%s'", t->method);
    }
    const struct ynode *units = need(p, root, "units", "", YNODE_MAP);
    if (units) {
        static const char *const unit_keys[] = {"time", "size", NULL};
        check_keys(p, units, "units", unit_keys);
        const struct ynode *tu = need(p, units, "time", "units", YNODE_SCALAR);
        const struct ynode *su = need(p, units, "size", "units", YNODE_SCALAR);
        if (tu && strcmp(tu->text, "ms"))
            perr(p, tu, "units.time: expected ms, got '%s'", tu->text);
        if (su && strcmp(su->text, "B"))
            perr(p, su, "units.size: expected B, got '%s'", su->text);
    }
    const struct ynode *g;
    if ((g = need(p, root, "prefill_tokens", "", YNODE_SEQ)))
        t->prefill_tokens = numbers(p, g, "prefill_tokens", 0, &t->nprefill, true, true, false);
    if ((g = need(p, root, "decode_context", "", YNODE_SEQ)))
        t->decode_context = numbers(p, g, "decode_context", 0, &t->ncontext, true, true, false);
    if ((g = need(p, root, "decode_batch", "", YNODE_SEQ)))
        t->decode_batch = numbers(p, g, "decode_batch", 0, &t->nbatch, true, true, false);
    const struct ynode *layers = need(p, root, "layers", "", YNODE_SEQ);
    if (!layers)
        return;
    if (layers->n == 0) {
        perr(p, layers, "layers: expected at least one layer group");
        return;
    }
    t->groups = calloc(layers->n, sizeof *t->groups);
    if (!t->groups) {
        perr(p, layers, "out of memory");
        return;
    }
    t->ngroups = layers->n;
    uint64_t total = 0; /* 64 bits: 42,950 groups of 100,000 once wrapped to 24 layers */
    for (size_t i = 0; i < layers->n; i++) {
        parse_group(p, t, layers->items[i], &t->groups[i], i);
        total += t->groups[i].count;
        if (total > COST_MAX_LAYERS) {
            const struct ynode *m = layers->items[i];
            const struct ynode *at = m->kind == YNODE_MAP ? ynode_get(m, "count", NULL) : NULL;
            perr(p, at ? at : m,
                 "layers[%zu].count: the groups up to here hold %llu layers; expected at most %u "
                 "in all",
                 i, (unsigned long long)total, COST_MAX_LAYERS);
            return;
        }
        t->groups[i].first = t->nlayers;
        t->nlayers = (uint32_t)total;
    }
}

/* Binds a parsed tree (rc: the parse's result) into t; frees the tree. */
static int bind_tree(struct cost_table *t, struct ytree *tree, int rc, const struct ynode *root,
                     const char *name, struct diag *d)
{
    struct parser p = {.d = d};
    if (rc == 0) {
        size_t first = d->len;
        parse_table(&p, t, root, name);
        diag_sort(d, first); /* in file order, as an editor lists them */
    }
    ytree_release(tree);
    if (rc < 0 || p.errors) {
        cost_release(t);
        return rc < 0 ? rc : -EINVAL;
    }
    return 0;
}

int cost_parse(struct cost_table *t, const char *name, const char *text, size_t len, struct diag *d)
{
    memset(t, 0, sizeof *t);
    struct ytree tree;
    ytree_init(&tree);
    struct ynode *root = NULL;
    int rc = ytree_parse(&tree, name, text, len, &root, d);
    return bind_tree(t, &tree, rc, root, name, d);
}

int cost_load(struct cost_table *t, const char *path, struct diag *d)
{
    memset(t, 0, sizeof *t);
    struct ytree tree;
    ytree_init(&tree);
    int rc = ytree_load_file(&tree, path, d);
    return bind_tree(t, &tree, rc, tree.root, path, d);
}

void cost_release(struct cost_table *t)
{
    for (size_t i = 0; t->groups && i < t->ngroups; i++) {
        free(t->groups[i].name);
        free(t->groups[i].prefill_ms);
        free(t->groups[i].decode_ms);
    }
    free(t->groups);
    free(t->model);
    free(t->device);
    free(t->method);
    free(t->tool);
    free(t->created);
    free(t->source);
    free(t->prefill_tokens);
    free(t->decode_context);
    free(t->decode_batch);
    memset(t, 0, sizeof *t);
}

int cost_check_times(const struct cost_table *t, char *what, size_t size)
{
    for (size_t k = 0; k < t->ngroups; k++) {
        const struct cost_group *g = &t->groups[k];
        for (size_t i = 0; i < t->nprefill; i++)
            if (!(g->prefill_ms[i] > 0 && g->prefill_ms[i] <= COST_MAX_MS)) {
                snprintf(what, size, "%s, prefill of %g tokens: %g ms", g->name,
                         t->prefill_tokens[i], g->prefill_ms[i]);
                return -ERANGE;
            }
        for (size_t r = 0; r < t->ncontext; r++)
            for (size_t c = 0; c < t->nbatch; c++) {
                double ms = g->decode_ms[r * t->nbatch + c];
                if (!(ms > 0 && ms <= COST_MAX_MS)) {
                    snprintf(what, size, "%s, decode step at context %g, batch %g: %g ms", g->name,
                             t->decode_context[r], t->decode_batch[c], ms);
                    return -ERANGE;
                }
            }
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------ */

static void write_list(FILE *out, const double *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%.17g", i ? ", " : "", v[i]);
    fputc(']', out);
}

/* s as a YAML double-quoted scalar that reads back as exactly s: quotes, backslashes and
 * control characters (line breaks included, which YAML would fold) escaped. */
static void write_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* s in a comment: control characters (a line break would end the comment) shown as '?'. */
static void write_comment_text(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

void cost_write(const struct cost_table *t, FILE *out)
{
    fputs("# splitsim cost table: ", out);
    write_comment_text(out, t->model);
    fputs(" on ", out);
    write_comment_text(out, t->device);
    fputs(". Times in milliseconds per layer, sizes in bytes;\n# layers are groups of identical "
          "layers in model order (docs/TABLES.md).\n",
          out);
    fprintf(out, "format: %s\nformat_version: %d\nmodel: ", COST_FORMAT, COST_FORMAT_VERSION);
    write_quoted(out, t->model);
    fprintf(out, "\ndevice: ");
    write_quoted(out, t->device);
    fprintf(out, "\nprovenance:\n  method: %s\n  tool: ", t->method);
    write_quoted(out, t->tool);
    fprintf(out, "\n  created: ");
    write_quoted(out, t->created);
    fprintf(out, "\n  source: ");
    write_quoted(out, t->source);
    fprintf(out, "\npower_w: %.17g\nunits: {time: ms, size: B}\nprefill_tokens: ", t->power_w);
    write_list(out, t->prefill_tokens, t->nprefill);
    fprintf(out, "\ndecode_context: ");
    write_list(out, t->decode_context, t->ncontext);
    fprintf(out, "\ndecode_batch: ");
    write_list(out, t->decode_batch, t->nbatch);
    fprintf(out, "\nlayers:\n");
    for (size_t i = 0; i < t->ngroups; i++) {
        const struct cost_group *g = &t->groups[i];
        fprintf(out, "  - name: ");
        write_quoted(out, g->name);
        fprintf(out,
                "\n    count: %u\n    param_bytes: %.17g\n    kv_bytes_per_token: %.17g\n"
                "    hidden_bytes_per_token: %.17g\n    prefill_ms: ",
                g->count, g->param_bytes, g->kv_bytes_per_token, g->hidden_bytes_per_token);
        write_list(out, g->prefill_ms, t->nprefill);
        fprintf(out, "\n    decode_ms:   # one row per decode_context, one column per "
                     "decode_batch\n");
        for (size_t r = 0; r < t->ncontext; r++) {
            fprintf(out, "      - ");
            write_list(out, &g->decode_ms[r * t->nbatch], t->nbatch);
            fputc('\n', out);
        }
    }
}

/* ---- queries ------------------------------------------------------------------------------ */

const struct cost_group *cost_group_of(const struct cost_table *t, uint32_t layer)
{
    for (size_t i = 0; i < t->ngroups; i++)
        if (layer < t->groups[i].first + t->groups[i].count)
            return &t->groups[i];
    return NULL;
}

/* Position of x on grid v (n >= 1): segment index i (v[i] <= x <= v[i+1] inside) and weight
 * w in log space; w < 0 or > 1 outside (extrapolation). */
static void locate(const double *v, size_t n, double x, size_t *i, double *w, bool *extrapolated)
{
    if (n == 1) {
        *i = 0;
        *w = 0;
        if (x != v[0] && extrapolated)
            *extrapolated = true;
        return;
    }
    size_t lo = 0;
    while (lo + 2 < n && x > v[lo + 1])
        lo++;
    *i = lo;
    *w = (log(x) - log(v[lo])) / (log(v[lo + 1]) - log(v[lo]));
    if ((*w < 0 || *w > 1) && extrapolated)
        *extrapolated = true;
}

static double lerp_log(double a, double b, double w)
{
    return exp(log(a) + w * (log(b) - log(a)));
}

double cost_group_prefill_ms(const struct cost_table *t, const struct cost_group *g, double tokens,
                             bool *extrapolated)
{
    size_t i;
    double w;
    locate(t->prefill_tokens, t->nprefill, tokens, &i, &w, extrapolated);
    if (t->nprefill == 1)
        return g->prefill_ms[0];
    return lerp_log(g->prefill_ms[i], g->prefill_ms[i + 1], w);
}

double cost_group_decode_ms(const struct cost_table *t, const struct cost_group *g, double context,
                            double batch, bool *extrapolated)
{
    size_t r, c;
    double wr, wc;
    locate(t->decode_context, t->ncontext, context, &r, &wr, extrapolated);
    locate(t->decode_batch, t->nbatch, batch, &c, &wc, extrapolated);
    size_t r1 = t->ncontext > 1 ? r + 1 : r, c1 = t->nbatch > 1 ? c + 1 : c;
    const double *m = g->decode_ms;
    double top = lerp_log(m[r * t->nbatch + c], m[r * t->nbatch + c1], wc);
    double bottom = lerp_log(m[r1 * t->nbatch + c], m[r1 * t->nbatch + c1], wc);
    return lerp_log(top, bottom, wr);
}

/* Number of layers of group g inside [from, to). */
static uint32_t overlap(const struct cost_group *g, uint32_t from, uint32_t to)
{
    uint32_t lo = from > g->first ? from : g->first;
    uint32_t hi = to < g->first + g->count ? to : g->first + g->count;
    return hi > lo ? hi - lo : 0;
}

double cost_range_prefill_ms(const struct cost_table *t, uint32_t from, uint32_t to, double tokens,
                             bool *extrapolated)
{
    double sum = 0;
    for (size_t i = 0; i < t->ngroups; i++) {
        uint32_t n = overlap(&t->groups[i], from, to);
        if (n)
            sum += n * cost_group_prefill_ms(t, &t->groups[i], tokens, extrapolated);
    }
    return sum;
}

double cost_range_decode_ms(const struct cost_table *t, uint32_t from, uint32_t to, double context,
                            double batch, bool *extrapolated)
{
    double sum = 0;
    for (size_t i = 0; i < t->ngroups; i++) {
        uint32_t n = overlap(&t->groups[i], from, to);
        if (n)
            sum += n * cost_group_decode_ms(t, &t->groups[i], context, batch, extrapolated);
    }
    return sum;
}

double cost_range_param_bytes(const struct cost_table *t, uint32_t from, uint32_t to)
{
    double sum = 0;
    for (size_t i = 0; i < t->ngroups; i++)
        sum += overlap(&t->groups[i], from, to) * t->groups[i].param_bytes;
    return sum;
}

double cost_range_kv_bytes_per_token(const struct cost_table *t, uint32_t from, uint32_t to)
{
    double sum = 0;
    for (size_t i = 0; i < t->ngroups; i++)
        sum += overlap(&t->groups[i], from, to) * t->groups[i].kv_bytes_per_token;
    return sum;
}
