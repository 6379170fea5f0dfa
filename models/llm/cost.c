#include "models/llm/cost.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/llm/tablefile.h"
#include "scn/ytree.h"

/* ---- parsing --------------------------------------------------------------------------- */

/* A time of one layer, in a list of them: at most COST_MAX_MS and no smaller than the one
 * before it (more work never costs less). */
static bool layer_time_ok(struct tablefile *p, const struct ynode *at, const char *what,
                          const double *v, size_t i)
{
    if (v[i] > COST_MAX_MS) {
        tablefile_error(p, at,
                        "%s: expected a time of at most %g ms (one day) for one layer, got %g ms",
                        what, COST_MAX_MS, v[i]);
        return false;
    }
    if (i && v[i] < v[i - 1]) {
        tablefile_error(p, at,
                        "%s: expected a time no smaller than the previous one (more work never "
                        "costs less), got %g after %g",
                        what, v[i], v[i - 1]);
        return false;
    }
    return true;
}

/* A grid: a non-empty, strictly increasing list of positive numbers. */
static const struct tablefile_list grid_rule = {
    .lo = 0, .hi = INFINITY, .positive = true, .increasing = true};

static const char *const top_keys[] = {
    "format", "format_version", "model",          "device",       "provenance", "power_w",
    "units",  "prefill_tokens", "decode_context", "decode_batch", "layers",     NULL};
static const char *const provenance_keys[] = {"method", "tool", "created", "source", NULL};
static const char *const layer_keys[] = {
    "name",       "count",     "param_bytes", "kv_bytes_per_token", "hidden_bytes_per_token",
    "prefill_ms", "decode_ms", NULL};

static void parse_group(struct tablefile *p, const struct cost_table *t, const struct ynode *m,
                        struct cost_group *g, size_t index)
{
    char where[64];
    snprintf(where, sizeof where, "layers[%zu]", index);
    if (m->kind != YNODE_MAP) {
        tablefile_error(p, m, "%s: expected a mapping, got a %s", where, ynode_kind_name(m->kind));
        return;
    }
    tablefile_check_keys(p, m, where, layer_keys);
    g->name = tablefile_need_string(p, m, "name", where);
    double count = 0;
    if (tablefile_need_number(p, m, "count", where, 1, &count)) {
        if (count != floor(count) || count > COST_MAX_LAYERS)
            tablefile_error(p, ynode_get(m, "count", NULL),
                            "%s.count: expected a whole number in [1, %u]", where, COST_MAX_LAYERS);
        else
            g->count = (uint32_t)count;
    }
    tablefile_need_number(p, m, "param_bytes", where, 0, &g->param_bytes);
    tablefile_need_number(p, m, "kv_bytes_per_token", where, 0, &g->kv_bytes_per_token);
    tablefile_need_number(p, m, "hidden_bytes_per_token", where, 0, &g->hidden_bytes_per_token);
    char what[96];
    size_t n = 0;
    const struct ynode *pf = tablefile_need(p, m, "prefill_ms", where, YNODE_SEQ);
    if (pf && t->nprefill) {
        snprintf(what, sizeof what, "%s.prefill_ms", where);
        struct tablefile_list rule = {
            .want = t->nprefill, .hi = INFINITY, .positive = true, .check = layer_time_ok};
        g->prefill_ms = tablefile_numbers(p, pf, what, &rule, &n);
    }
    const struct ynode *dm = tablefile_need(p, m, "decode_ms", where, YNODE_SEQ);
    if (!dm || !t->ncontext || !t->nbatch)
        return;
    if (dm->n != t->ncontext) {
        tablefile_error(p, dm, "%s.decode_ms: expected %zu rows (one per decode_context), got %zu",
                        where, t->ncontext, dm->n);
        return;
    }
    g->decode_ms = calloc(t->ncontext * t->nbatch, sizeof *g->decode_ms);
    if (!g->decode_ms) {
        tablefile_error(p, dm, "out of memory");
        return;
    }
    for (size_t r = 0; r < t->ncontext; r++) {
        snprintf(what, sizeof what, "%s.decode_ms[%zu]", where, r);
        struct tablefile_list rule = {
            .want = t->nbatch, .hi = INFINITY, .positive = true, .check = layer_time_ok};
        double *row = tablefile_numbers(p, dm->items[r], what, &rule, &n);
        if (!row)
            return;
        for (size_t c = 0; c < t->nbatch; c++) {
            g->decode_ms[r * t->nbatch + c] = row[c];
            if (r && row[c] < g->decode_ms[(r - 1) * t->nbatch + c]) {
                tablefile_error(
                    p, dm->items[r]->items[c],
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

static void parse_table(struct tablefile *p, void *table, const struct ynode *root,
                        const char *name)
{
    struct cost_table *t = table;
    if (!tablefile_header(p, root, name, "cost table", COST_FORMAT, top_keys))
        return;
    double version = 0;
    if (tablefile_need_number(p, root, "format_version", "", 1, &version) &&
        version != COST_FORMAT_VERSION)
        tablefile_error(p, ynode_get(root, "format_version", NULL),
                        "format_version: expected %d, got %g (a newer splitsim wrote this table?)",
                        COST_FORMAT_VERSION, version);
    t->model = tablefile_need_string(p, root, "model", "");
    t->device = tablefile_need_string(p, root, "device", "");
    tablefile_need_number(p, root, "power_w", "", 0, &t->power_w);
    const struct ynode *prov = tablefile_need(p, root, "provenance", "", YNODE_MAP);
    if (prov) {
        tablefile_check_keys(p, prov, "provenance", provenance_keys);
        tablefile_need_strings(p, prov, "provenance", provenance_keys,
                               (char **[]){&t->method, &t->tool, &t->created, &t->source});
        if (t->method && strcmp(t->method, "derived") && strcmp(t->method, "measured"))
            tablefile_error(p, ynode_get(prov, "method", NULL),
                            "provenance.method: expected derived or measured, got '%s'", t->method);
    }
    const struct ynode *units = tablefile_need(p, root, "units", "", YNODE_MAP);
    if (units) {
        static const char *const unit_keys[] = {"time", "size", NULL};
        tablefile_check_keys(p, units, "units", unit_keys);
        const struct ynode *tu = tablefile_need(p, units, "time", "units", YNODE_SCALAR);
        const struct ynode *su = tablefile_need(p, units, "size", "units", YNODE_SCALAR);
        if (tu && strcmp(tu->text, "ms"))
            tablefile_error(p, tu, "units.time: expected ms, got '%s'", tu->text);
        if (su && strcmp(su->text, "B"))
            tablefile_error(p, su, "units.size: expected B, got '%s'", su->text);
    }
    const struct ynode *g;
    if ((g = tablefile_need(p, root, "prefill_tokens", "", YNODE_SEQ)))
        t->prefill_tokens = tablefile_numbers(p, g, "prefill_tokens", &grid_rule, &t->nprefill);
    if ((g = tablefile_need(p, root, "decode_context", "", YNODE_SEQ)))
        t->decode_context = tablefile_numbers(p, g, "decode_context", &grid_rule, &t->ncontext);
    if ((g = tablefile_need(p, root, "decode_batch", "", YNODE_SEQ)))
        t->decode_batch = tablefile_numbers(p, g, "decode_batch", &grid_rule, &t->nbatch);
    const struct ynode *layers = tablefile_need(p, root, "layers", "", YNODE_SEQ);
    if (!layers)
        return;
    if (layers->n == 0) {
        tablefile_error(p, layers, "layers: expected at least one layer group");
        return;
    }
    t->groups = calloc(layers->n, sizeof *t->groups);
    if (!t->groups) {
        tablefile_error(p, layers, "out of memory");
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
            tablefile_error(
                p, at ? at : m,
                "layers[%zu].count: the groups up to here hold %llu layers; expected at most %u "
                "in all",
                i, (unsigned long long)total, COST_MAX_LAYERS);
            return;
        }
        t->groups[i].first = t->nlayers;
        t->nlayers = (uint32_t)total;
    }
}

static void release(void *table)
{
    cost_release(table);
}

static const struct tablefile_kind kind = {.bind = parse_table, .release = release};

int cost_parse(struct cost_table *t, const char *name, const char *text, size_t len, struct diag *d)
{
    return tablefile_parse(&kind, t, sizeof *t, name, text, len, d);
}

int cost_load(struct cost_table *t, const char *path, struct diag *d)
{
    return tablefile_load(&kind, t, sizeof *t, path, d);
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
