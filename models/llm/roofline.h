/*
 * roofline — the time of a transformer's operators on a device, from first principles.
 *
 * Concept: every operator of a decoder block is either a matrix multiplication (a linear layer:
 * weights in x out, 2 N in out FLOPs for N tokens, reading its weights once and its activations)
 * or an element-wise pass over activations (norms, rotary embedding, activation function,
 * residual add: memory only). Its time is the roofline
 *     t = max(FLOPs / (eta_compute x peak), bytes / (eta_memory x bandwidth)) + launch
 * (a smooth maximum where the device says so; element-wise passes use their own bandwidth
 * efficiency) with the device's peaks and fitted efficiencies (models/llm/device.h). The operator list
 * follows the architecture (fused QKV, fused gate+up for SwiGLU, one norm for parallel blocks) and
 * uses the names of Microsoft Vidur's profiles, so the two can be compared operator by operator.
 * Attention over the KV cache is not among these operators (Vidur does not measure it either).
 *
 * Invariants: times are positive and never decrease with the token count.
 */
#ifndef SPLITSIM_MODELS_ROOFLINE_H
#define SPLITSIM_MODELS_ROOFLINE_H

#include <stddef.h>

#include "models/llm/arch.h"
#include "models/llm/device.h"

enum roofline_kind {
    ROOFLINE_LINEAR,
    ROOFLINE_ELEMENTWISE,
};

struct roofline_op {
    const char *name; /* Vidur's name: attn_pre_proj, mlp_up_proj, input_layernorm, ... */
    enum roofline_kind kind;
    double in, out; /* linear: weight matrix shape */
    double values;  /* element-wise: activation values read plus written per token */
};

#define ROOFLINE_MAX_OPS 12

/* Fills ops with the operators of one block without attention; returns how many. */
size_t roofline_block_ops(const struct arch *a, struct roofline_op *ops);

/* Seconds for one operator over `tokens` tokens, FP16 weights and activations. */
double roofline_op_seconds(const struct roofline_op *op, const struct device *d, double tokens);

/* Seconds of a block's attention over the prompt (causal, `tokens` queries and keys). */
double roofline_attention_prefill_seconds(const struct arch *a, const struct device *d,
                                          double tokens);

/* Seconds of a block's attention for one decode step of `batch` requests, each attending over
 * `context` cached tokens (memory-bound: the KV cache is read once per request). */
double roofline_attention_decode_seconds(const struct arch *a, const struct device *d,
                                         double context, double batch);

/* Seconds for all operators of a block without attention (what Vidur's profile sums to). */
double roofline_block_seconds(const struct arch *a, const struct device *d, double tokens);

#endif
