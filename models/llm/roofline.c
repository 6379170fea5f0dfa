#include "models/llm/roofline.h"

#include <math.h>

size_t roofline_block_ops(const struct arch *a, struct roofline_op *ops)
{
    double d = a->hidden, f = a->ffn, q = (double)a->heads * a->head_dim,
           kv = (double)a->kv_heads * a->head_dim;
    bool swiglu = a->mlp == ARCH_MLP_SWIGLU;
    size_t n = 0;
    ops[n++] = (struct roofline_op){"input_layernorm", ROOFLINE_ELEMENTWISE, 0, 0, 2 * d};
    ops[n++] = (struct roofline_op){"attn_pre_proj", ROOFLINE_LINEAR, d, q + 2 * kv, 0};
    ops[n++] = (struct roofline_op){"attn_rope", ROOFLINE_ELEMENTWISE, 0, 0, 2 * (q + kv)};
    ops[n++] = (struct roofline_op){"attn_post_proj", ROOFLINE_LINEAR, q, d, 0};
    if (!a->parallel_block)
        ops[n++] =
            (struct roofline_op){"post_attention_layernorm", ROOFLINE_ELEMENTWISE, 0, 0, 2 * d};
    ops[n++] = (struct roofline_op){"mlp_up_proj", ROOFLINE_LINEAR, d, swiglu ? 2 * f : f, 0};
    ops[n++] = (struct roofline_op){"mlp_act", ROOFLINE_ELEMENTWISE, 0, 0, swiglu ? 3 * f : 2 * f};
    ops[n++] = (struct roofline_op){"mlp_down_proj", ROOFLINE_LINEAR, f, d, 0};
    ops[n++] = (struct roofline_op){"add", ROOFLINE_ELEMENTWISE, 0, 0, 3 * d};
    return n;
}

double roofline_op_seconds(const struct roofline_op *op, const struct device *d, double tokens)
{
    double flops = 0, bytes;
    if (op->kind == ROOFLINE_LINEAR) {
        double rows = d->gemm_tile > 1 && tokens > d->gemm_tile
                          ? ceil(tokens / d->gemm_tile) * d->gemm_tile
                          : tokens;
        flops = 2 * rows * op->in * op->out;
        bytes = device_value_bytes(d) * (op->in * op->out + tokens * (op->in + op->out));
    } else {
        bytes = device_value_bytes(d) * tokens * op->values;
    }
    if (op->kind == ROOFLINE_ELEMENTWISE)
        return bytes / (d->eta_elementwise * d->mem_bw) + d->launch_s;
    double compute = flops / (d->eta_compute * d->peak_flops);
    double memory = bytes / (d->eta_memory * d->mem_bw);
    double t;
    if (d->overlap > 0) {
        double hi = compute > memory ? compute : memory;
        double lo = compute > memory ? memory : compute;
        t = hi * pow(1 + pow(lo / hi, d->overlap), 1 / d->overlap);
    } else {
        t = compute > memory ? compute : memory;
    }
    return t + d->launch_s;
}

double roofline_block_seconds(const struct arch *a, const struct device *d, double tokens)
{
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    size_t n = roofline_block_ops(a, ops);
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += roofline_op_seconds(&ops[i], d, tokens);
    return t;
}

/* A fused attention kernel: roofline of its FLOPs and bytes, as one kernel. */
static double attention_seconds(const struct device *d, double flops, double bytes)
{
    double compute = flops / (d->eta_compute * d->peak_flops);
    double memory = bytes / (d->eta_memory * d->mem_bw);
    return (compute > memory ? compute : memory) + d->launch_s;
}

double roofline_attention_prefill_seconds(const struct arch *a, const struct device *d,
                                          double tokens)
{
    double q = (double)a->heads * a->head_dim, kv = (double)a->kv_heads * a->head_dim;
    double flops = 2 * tokens * tokens * q; /* QK^T and PV, halved by the causal mask */
    double b = device_value_bytes(d);
    double bytes = b * tokens * (q + 2 * kv + q) + b * tokens * 2 * kv; /* Q,K,V in, O out,
                                                                               KV cache written */
    return attention_seconds(d, flops, bytes);
}

double roofline_attention_decode_seconds(const struct arch *a, const struct device *d,
                                         double context, double batch)
{
    double q = (double)a->heads * a->head_dim, kv = (double)a->kv_heads * a->head_dim;
    double flops = batch * 4 * context * q;
    double bytes = batch * device_value_bytes(d) * (2 * context * kv + 2 * q + 2 * kv);
    return attention_seconds(d, flops, bytes);
}
