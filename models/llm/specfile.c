#include "models/llm/specfile.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scn/field.h"
#include "scn/ytree.h"

/* ---- architecture ---------------------------------------------------------------------------- */

struct arch_fields {
    char *name, *source;
    uint64_t layers, hidden, ffn, heads, kv_heads, head_dim, vocab, max_positions;
    int mlp, norm;
    bool parallel_block, qkv_bias, linear_bias, lm_head_bias, tied_embeddings, learned_pos;
};

static const char *const mlp_choices[] = {"swiglu", "gelu", NULL};
static const char *const norm_choices[] = {"rms", "layer", NULL};

#define U(k, m, lo, hi, dflt, text)                                                                \
    {                                                                                              \
        .key = k, .type = FIELD_UINT, .offset = offsetof(struct arch_fields, m), .min = lo,        \
        .max = hi, .def = dflt, .doc = text                                                        \
    }
#define B(k, m, text)                                                                              \
    {                                                                                              \
        .key = k, .type = FIELD_BOOL, .offset = offsetof(struct arch_fields, m), .def = "false",   \
        .doc = text                                                                                \
    }

static const struct scn_field arch_fields_table[] = {
    {.key = "name",
     .type = FIELD_STRING,
     .offset = offsetof(struct arch_fields, name),
     .doc = "the model's name (lowercase)"},
    {.key = "source",
     .type = FIELD_STRING,
     .offset = offsetof(struct arch_fields, source),
     .def = "a user-supplied architecture file",
     .doc = "where the configuration comes from"},
    U("layers", layers, 1, 1000, NULL, "decoder blocks"),
    U("hidden", hidden, 1, 1e6, NULL, "hidden size d"),
    U("ffn", ffn, 1, 1e7, NULL, "FFN (intermediate) size f"),
    U("heads", heads, 1, 1e4, NULL, "attention heads"),
    U("kv_heads", kv_heads, 0, 1e4, "0", "KV heads (0: as many as heads)"),
    U("head_dim", head_dim, 0, 1e5, "0", "head size (0: hidden / heads)"),
    U("vocab", vocab, 1, 1e8, NULL, "vocabulary size"),
    U("max_positions", max_positions, 1, 1e8, "4096", "context length"),
    {.key = "mlp",
     .type = FIELD_ENUM,
     .offset = offsetof(struct arch_fields, mlp),
     .choices = mlp_choices,
     .def = "swiglu",
     .doc = "MLP kind: 3 matrices (swiglu) or 2 (gelu)"},
    {.key = "norm",
     .type = FIELD_ENUM,
     .offset = offsetof(struct arch_fields, norm),
     .choices = norm_choices,
     .def = "rms",
     .doc = "RMSNorm (weight) or LayerNorm (weight, bias)"},
    B("parallel_block", parallel_block, "attention and MLP share one input norm (phi-2)"),
    B("qkv_bias", qkv_bias, "biases on Q, K, V (Qwen2)"),
    B("linear_bias", linear_bias, "biases on every linear layer (GPT-2, phi-2)"),
    B("lm_head_bias", lm_head_bias, "a bias on the LM head"),
    B("tied_embeddings", tied_embeddings, "the LM head reuses the embedding matrix"),
    B("learned_pos", learned_pos, "learned absolute position embeddings (GPT-2)"),
    {0},
};

/* Parses and binds one file against a table; returns the error count or -1 (parse failed). */
static int bind_file(const char *path, const struct scn_field *table, void *base, struct diag *d)
{
    struct ytree t;
    ytree_init(&t);
    int rc = ytree_load_file(&t, path, d);
    size_t errors = 0;
    if (rc == 0) {
        struct ynode file = {.src = ytree_src(&t, path), .line = 1, .col = 1};
        if (!t.root) {
            diag_report(d, DIAG_ERROR, path, 1, 1, "empty file; expected a mapping of keys");
            errors = 1;
        } else {
            size_t first = d->len;
            errors = field_bind(table, "", t.root, &file, base, NULL, NULL, NULL, d);
            diag_sort(d, first);
        }
    }
    ytree_release(&t);
    return rc < 0 ? -1 : (int)errors;
}

int arch_spec_load(struct arch_spec *s, const char *path, struct diag *d)
{
    memset(s, 0, sizeof *s);
    struct arch_fields f;
    memset(&f, 0, sizeof f);
    int errors = bind_file(path, arch_fields_table, &f, d);
    if (errors == 0) {
        if (f.kv_heads == 0)
            f.kv_heads = f.heads;
        if (f.head_dim == 0)
            f.head_dim = f.hidden / f.heads;
        if (f.heads % f.kv_heads) {
            diag_report(d, DIAG_ERROR, path, 0, 0,
                        "kv_heads: expected a divisor of heads (%llu), got %llu",
                        (unsigned long long)f.heads, (unsigned long long)f.kv_heads);
            errors = 1;
        } else if (f.head_dim == 0) {
            diag_report(d, DIAG_ERROR, path, 0, 0,
                        "head_dim: hidden / heads is 0; give head_dim explicitly");
            errors = 1;
        }
    }
    if (errors) {
        field_release(arch_fields_table, &f);
        return -EINVAL;
    }
    s->name = f.name;
    s->source = f.source;
    s->arch = (struct arch){.name = s->name,
                            .source = s->source,
                            .layers = (uint32_t)f.layers,
                            .hidden = (uint32_t)f.hidden,
                            .ffn = (uint32_t)f.ffn,
                            .heads = (uint32_t)f.heads,
                            .kv_heads = (uint32_t)f.kv_heads,
                            .head_dim = (uint32_t)f.head_dim,
                            .vocab = (uint32_t)f.vocab,
                            .max_positions = (uint32_t)f.max_positions,
                            .mlp = f.mlp == 0 ? ARCH_MLP_SWIGLU : ARCH_MLP_GELU,
                            .norm = f.norm == 0 ? ARCH_NORM_RMS : ARCH_NORM_LAYER,
                            .parallel_block = f.parallel_block,
                            .qkv_bias = f.qkv_bias,
                            .linear_bias = f.linear_bias,
                            .lm_head_bias = f.lm_head_bias,
                            .tied_embeddings = f.tied_embeddings,
                            .learned_pos = f.learned_pos};
    return 0;
}

void arch_spec_release(struct arch_spec *s)
{
    free(s->name);
    free(s->source);
    memset(s, 0, sizeof *s);
}

/* ---- device -------------------------------------------------------------------------------- */

struct device_fields {
    char *name, *description, *source;
    double peak, bandwidth, memory, power, eta_c, eta_m, eta_e, overlap, launch;
    uint64_t tile, value_bytes;
};

#define Q(k, m, dim_, lo, excl, hi, dflt, text)                                                    \
    {                                                                                              \
        .key = k, .type = FIELD_QUANTITY, .offset = offsetof(struct device_fields, m),             \
        .dim = dim_, .min = lo, .min_exclusive = excl, .max = hi, .def = dflt, .doc = text         \
    }

static const struct scn_field device_fields_table[] = {
    {.key = "name",
     .type = FIELD_STRING,
     .offset = offsetof(struct device_fields, name),
     .doc = "the device's name (lowercase)"},
    {.key = "description",
     .type = FIELD_STRING,
     .offset = offsetof(struct device_fields, description),
     .def = "user-supplied device",
     .doc = "what the device is"},
    {.key = "source",
     .type = FIELD_STRING,
     .offset = offsetof(struct device_fields, source),
     .def = "a user-supplied device file",
     .doc = "where its numbers come from"},
    /* Lower bounds of plausibility (a microcontroller has more); slower devices give layer
     * times the cost tables refuse anyway. */
    Q("peak", peak, DIM_FLOPRATE, 1e6, false, 1e20, NULL, "peak dense FLOP/s of the value type"),
    Q("bandwidth", bandwidth, DIM_BYTERATE, 1e6, false, 1e16, NULL, "peak memory bandwidth"),
    Q("memory", memory, DIM_SIZE, 0, true, 1e16, "16 GB", "memory size"),
    Q("power_w", power, DIM_NONE, 0, true, 1e6, "100", "power in watts (for energy estimates)"),
    Q("eta_compute", eta_c, DIM_NONE, 0, true, 1, "0.7", "fraction of peak FLOP/s reached"),
    Q("eta_memory", eta_m, DIM_NONE, 0, true, 1, "0.8", "fraction of bandwidth reached"),
    Q("eta_elementwise", eta_e, DIM_NONE, 0, true, 1, "0.6",
      "fraction of bandwidth element-wise kernels reach"),
    Q("overlap", overlap, DIM_NONE, 0, false, 100, "0", "smooth-maximum exponent (0: max)"),
    Q("launch", launch, DIM_TIME, 0, false, 1, "5 us", "fixed cost per kernel or call"),
    {.key = "gemm_tile",
     .type = FIELD_UINT,
     .offset = offsetof(struct device_fields, tile),
     .min = 0,
     .max = 65536,
     .def = "0",
     .doc = "GEMM tile in tokens (0: none)"},
    {.key = "value_bytes",
     .type = FIELD_UINT,
     .offset = offsetof(struct device_fields, value_bytes),
     .min = 1,
     .max = 8,
     .def = "2",
     .doc = "bytes per weight and activation (2: FP16, 4: FP32)"},
    {0},
};

int device_spec_load(struct device_spec *s, const char *path, struct diag *d)
{
    memset(s, 0, sizeof *s);
    struct device_fields f;
    memset(&f, 0, sizeof f);
    if (bind_file(path, device_fields_table, &f, d) != 0) {
        field_release(device_fields_table, &f);
        return -EINVAL;
    }
    s->name = f.name;
    s->description = f.description;
    s->source = f.source;
    s->device = (struct device){.name = s->name,
                                .description = s->description,
                                .peak_flops = f.peak,
                                .mem_bw = f.bandwidth,
                                .memory = f.memory,
                                .power_w = f.power,
                                .eta_compute = f.eta_c,
                                .eta_memory = f.eta_m,
                                .eta_elementwise = f.eta_e,
                                .overlap = f.overlap,
                                .launch_s = f.launch,
                                .gemm_tile = (double)f.tile,
                                .value_bytes = (double)f.value_bytes,
                                .source = s->source};
    return 0;
}

void device_spec_release(struct device_spec *s)
{
    free(s->name);
    free(s->description);
    free(s->source);
    memset(s, 0, sizeof *s);
}

void arch_spec_document(FILE *out)
{
    fprintf(out, "| key | type [base unit] | default | accepted values | meaning |\n"
                 "|---|---|---|---|---|\n");
    field_document(arch_fields_table, "", out);
}

void device_spec_document(FILE *out)
{
    fprintf(out, "| key | type [base unit] | default | accepted values | meaning |\n"
                 "|---|---|---|---|---|\n");
    field_document(device_fields_table, "", out);
}
