/*
 * fuzz_tables — libFuzzer harness for the table and trace readers.
 *
 * The first byte of an input chooses the reader, the rest is the file's text:
 *   'c'  a cost table            cost_parse          (models/llm/cost.c)
 *   'q'  a quality table         qtable_parse        (models/llm/qtable.c)
 *   'a'  an architecture file    arch_spec_load      (models/llm/specfile.c, read from a file)
 *   'd'  a device file           device_spec_load    (models/llm/specfile.c, read from a file)
 *   't'  a workload trace (CSV)  trace_parse         (models/split/trace.c)
 * Any other first byte chooses by its value modulo 5, in that order; an empty input does nothing.
 * Text readers get the input in memory, named "<private temp dir>/fuzz.yaml" (fuzz.csv for a
 * trace); the spec loaders read that file. The collected diagnostics are printed with diag_print
 * to /dev/null, with the input written where diag_print looks to quote it (fuzz_common.h). Any
 * input must either load or fail with diagnostics: a crash, sanitizer report, leak, hang or
 * runaway allocation is a bug in a reader.
 *
 * When an input loads, what it loaded is used, and the headers' invariants are checked (a
 * violation aborts):
 *   - cost table: the groups number the layers without a gap or a wrap (cost.h's layer
 *     numbering); cost_write's text loads again and writes the same text (cost.h); the lookups
 *     and range sums of every group are asked at and around the grid and beyond it;
 *   - quality table: qtable_ratio at every precision, on and off the grids;
 *   - architecture: its parameter and byte counts and FLOPs; cost_derive on the built-in A100
 *     gives a table whose text cost_parse accepts (derive.h);
 *   - device: cost_derive of the built-in TinyLlama on it gives a table cost_parse accepts;
 *   - trace: times are >= 0 and in order, token counts >= 1 (trace.h).
 *
 * Built two ways (tests/fuzz/meson.build): linked with libFuzzer as fuzz_tables (clang, the
 * `fuzz` build option), and linked with replay.c as fuzz_tables_replay, whose main() runs stored
 * inputs (the fuzz-tables-regression test, any compiler).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/llm/arch.h"
#include "models/llm/cost.h"
#include "models/llm/derive.h"
#include "models/llm/device.h"
#include "models/llm/qtable.h"
#include "models/llm/specfile.h"
#include "models/split/trace.h"
#include "sim/diag.h"
#include "tests/fuzz/fuzz_common.h"

/* A sink for computed values, so that no query is optimised away. */
static volatile double fuzz_sink;

/* cost_write's text of t (malloc'd); aborts when out of memory. */
static char *cost_text(const struct cost_table *t, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    cost_write(t, f);
    if (fclose(f) != 0 || !buf)
        abort();
    return buf;
}

/* cost_write's text must load again (`what` says where the table came from); with `same`, to a
 * table whose text is the same. */
static void check_cost_text(const struct cost_table *t, const char *what, bool same)
{
    size_t len = 0;
    char *text = cost_text(t, &len);
    struct diag d;
    diag_init(&d);
    struct cost_table again;
    if (cost_parse(&again, "written.yaml", text, len, &d) != 0) {
        fprintf(stderr, "fuzz_tables: the text of %s does not load:\n", what);
        diag_print(&d, stderr, "splitsim");
        fprintf(stderr, "--- text\n%s", text);
        abort();
    }
    if (same) {
        size_t len2 = 0;
        char *text2 = cost_text(&again, &len2);
        if (len2 != len || memcmp(text, text2, len) != 0) {
            fprintf(stderr,
                    "fuzz_tables: %s, written and read back, writes other text:\n"
                    "--- first\n%s--- again\n%s",
                    what, text, text2);
            abort();
        }
        free(text2);
    }
    cost_release(&again);
    diag_release(&d);
    free(text);
}

/* Grid points, their midpoints, and values below and beyond the grid (at least one value). */
static size_t probes(const double *grid, size_t n, double *out, size_t cap)
{
    size_t k = 0;
    if (n == 0) {
        out[k++] = 1;
        return k;
    }
    out[k++] = grid[0] / 2;
    out[k++] = grid[n - 1] * 2;
    out[k++] = 1e12;
    for (size_t i = 0; i < n && k + 2 <= cap; i++) {
        out[k++] = grid[i];
        if (i + 1 < n)
            out[k++] = (grid[i] + grid[i + 1]) / 2;
    }
    return k;
}

/* The layers are numbered across the groups, without a gap or a wrap: each group's first layer
 * is the sum of the counts before it, and there are as many layers as all groups count. */
static void check_cost_layers(const struct cost_table *t)
{
    uint64_t total = 0;
    for (size_t g = 0; g < t->ngroups; g++) {
        if (t->groups[g].first != total) {
            fprintf(stderr, "fuzz_tables: group %zu starts at layer %u, after %llu layers\n", g,
                    t->groups[g].first, (unsigned long long)total);
            abort();
        }
        total += t->groups[g].count;
    }
    if (total != t->nlayers) {
        fprintf(stderr, "fuzz_tables: %u layers, but the groups count %llu\n", t->nlayers,
                (unsigned long long)total);
        abort();
    }
}

static void use_cost(const struct cost_table *t)
{
    check_cost_layers(t);
    double tok[16], ctx[16], bat[16];
    size_t ntok = probes(t->prefill_tokens, t->nprefill, tok, 16);
    size_t nctx = probes(t->decode_context, t->ncontext, ctx, 16);
    size_t nbat = probes(t->decode_batch, t->nbatch, bat, 16);
    bool extrapolated = false;
    double sum = 0;
    for (size_t g = 0; g < t->ngroups && g < 64; g++) {
        const struct cost_group *grp = &t->groups[g];
        for (size_t i = 0; i < ntok; i++)
            sum += cost_group_prefill_ms(t, grp, tok[i], &extrapolated);
        for (size_t i = 0; i < nctx; i++)
            for (size_t j = 0; j < nbat; j++)
                sum += cost_group_decode_ms(t, grp, ctx[i], bat[j], &extrapolated);
    }
    uint32_t n = t->nlayers, cuts[] = {0, 1, n / 2, n > 0 ? n - 1 : 0, n};
    for (size_t a = 0; a < sizeof cuts / sizeof cuts[0]; a++) {
        if (cuts[a] < n && !cost_group_of(t, cuts[a])) {
            fprintf(stderr, "fuzz_tables: layer %u of %u has no group\n", cuts[a], n);
            abort();
        }
        for (size_t b = a; b < sizeof cuts / sizeof cuts[0]; b++) {
            if (cuts[b] < cuts[a])
                continue;
            sum += cost_range_prefill_ms(t, cuts[a], cuts[b], tok[0], &extrapolated);
            sum += cost_range_decode_ms(t, cuts[a], cuts[b], ctx[0], bat[0], &extrapolated);
            sum += cost_range_param_bytes(t, cuts[a], cuts[b]);
            sum += cost_range_kv_bytes_per_token(t, cuts[a], cuts[b]);
        }
    }
    fuzz_sink = sum;
}

static void fuzz_cost(const char *name, const uint8_t *data, size_t size, struct diag *d)
{
    struct cost_table t;
    if (cost_parse(&t, name, (const char *)data, size, d) != 0)
        return;
    use_cost(&t);
    check_cost_text(&t, "a cost table", true);
    cost_release(&t);
}

static void fuzz_qtable(const char *name, const uint8_t *data, size_t size, struct diag *d)
{
    struct qtable q;
    if (qtable_parse(&q, name, (const char *)data, size, d) != 0)
        return;
    double sp[16], er[16];
    size_t nsp = probes(q.splits, q.nsplits, sp, 16);
    size_t ner = probes(q.erasure, q.nerasure, er, 16);
    double sum = 0;
    bool extrapolated = false;
    for (int p = QUALITY_FP16; p <= QUALITY_INT4; p++)
        for (size_t i = 0; i < nsp; i++)
            for (size_t j = 0; j < ner; j++)
                sum += qtable_ratio(&q, sp[i], er[j], (enum quality_precision)p, &extrapolated);
    fuzz_sink = sum;
    qtable_release(&q);
}

/* A table derived on a device or from an architecture the user gave must load (derive.h). */
static void check_derived(const struct arch *a, const struct device *dev, const char *what)
{
    struct cost_table t;
    if (cost_derive(&t, a, dev, "fuzz_tables", "2026-01-01") != 0)
        abort(); /* out of memory */
    use_cost(&t);
    check_cost_text(&t, what, false);
    cost_release(&t);
}

static void fuzz_arch(const char *name, const uint8_t *data, size_t size, struct diag *d)
{
    fuzz_write_input(data, size);
    struct arch_spec s;
    if (arch_spec_load(&s, name, d) != 0)
        return;
    const struct arch *a = &s.arch;
    double sum = (double)arch_total_params(a) + (double)arch_block_params(a) +
                 (double)arch_embedding_params(a) + (double)arch_head_params(a) +
                 (double)arch_kv_bytes_per_token(a, 2) + (double)arch_hidden_bytes_per_token(a, 2) +
                 arch_block_linear_flops(a) + arch_block_attention_flops(a, a->max_positions);
    fuzz_sink = sum;
    const struct device *a100 = device_find("a100");
    if (!a100)
        abort();
    check_derived(a, a100, "a table derived from an architecture file");
    arch_spec_release(&s);
}

static void fuzz_device(const char *name, const uint8_t *data, size_t size, struct diag *d)
{
    fuzz_write_input(data, size);
    struct device_spec s;
    if (device_spec_load(&s, name, d) != 0)
        return;
    const struct arch *tiny = arch_find("tinyllama-1.1b");
    if (!tiny)
        abort();
    check_derived(tiny, &s.device, "a table derived on a device file");
    device_spec_release(&s);
}

static void fuzz_trace(const char *name, const uint8_t *data, size_t size, struct diag *d)
{
    struct trace t;
    if (trace_parse(&t, name, (const char *)data, size, d) != 0)
        return;
    for (size_t i = 0; i < t.n; i++) {
        const struct trace_entry *e = &t.v[i];
        if (e->time_ns < 0 || (i && e->time_ns < t.v[i - 1].time_ns) || e->prompt < 1 ||
            e->output < 1) {
            fprintf(stderr, "fuzz_tables: trace entry %zu breaks trace.h's invariant\n", i);
            abort();
        }
    }
    trace_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const char kinds[] = "cqadt";
    const char *k = memchr(kinds, data[0], 5);
    int kind = k ? (int)(k - kinds) : data[0] % 5;
    data++;
    size--;
    const char *name = fuzz_input_name(kind == 4 ? "fuzz.csv" : "fuzz.yaml");
    struct diag d;
    diag_init(&d);
    switch (kind) {
    case 0:
        fuzz_cost(name, data, size, &d);
        break;
    case 1:
        fuzz_qtable(name, data, size, &d);
        break;
    case 2:
        fuzz_arch(name, data, size, &d);
        break;
    case 3:
        fuzz_device(name, data, size, &d);
        break;
    default:
        fuzz_trace(name, data, size, &d);
        break;
    }
    if (d.len && kind != 2 && kind != 3)
        fuzz_write_input(data, size);
    diag_print(&d, fuzz_devnull(), "splitsim");
    diag_release(&d);
    return 0;
}
