/*
 * arch — LLM architectures and what follows from them: parameters, memory and arithmetic per
 * layer, from first principles.
 *
 * Concept: a decoder-only transformer is an embedding, `layers` identical decoder blocks, and a
 * final norm with the LM head. Its published configuration (hidden size d, FFN size f, heads h,
 * KV heads h_kv, head size hd, vocabulary V, MLP kind, norm kind, biases, tied embeddings) fixes
 * every count a cost table needs:
 *   linear parameters of a block  P_lin = d*h*hd + 2*d*h_kv*hd + h*hd*d + g*d*f
 *                                 (g = 3 for SwiGLU, 2 for a plain GELU MLP)
 *   plus biases and norm weights as the model has them;
 *   KV-cache bytes per token and block = 2 * h_kv * hd * bytes per activation;
 *   hidden state crossing the link per token = d * bytes per activation;
 *   linear FLOPs per token and block = 2 * P_lin; attention FLOPs per token at context L =
 *   4 * L * h * hd (QK^T and PV).
 * The built-in catalogue holds the architectures of docs/TABLES.md (from the models' published
 * configs, see the table sources there); its counts are checked in tests against the models'
 * known sizes (Llama-2-7B: 6,738,415,616 parameters, 512 KiB of KV cache per token in FP16).
 *
 * Invariants: counts are exact integers (parameters, bytes at 2 bytes per FP16 value); nothing
 * here depends on a device.
 */
#ifndef SPLITSIM_MODELS_ARCH_H
#define SPLITSIM_MODELS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

enum arch_mlp {
    ARCH_MLP_SWIGLU, /* gate, up, down: 3 matrices */
    ARCH_MLP_GELU,   /* up, down: 2 matrices */
};

enum arch_norm {
    ARCH_NORM_RMS,   /* weight only: d parameters */
    ARCH_NORM_LAYER, /* weight and bias: 2d parameters */
};

struct arch {
    const char *name;   /* lowercase, e.g. "llama-2-7b" */
    const char *source; /* where the configuration comes from */
    uint32_t layers, hidden, ffn, heads, kv_heads, head_dim, vocab;
    uint32_t max_positions; /* context length; learned position embeddings if `learned_pos` */
    enum arch_mlp mlp;
    enum arch_norm norm;
    bool parallel_block; /* attention and MLP share one input norm (phi-2) */
    bool qkv_bias;       /* biases on Q, K, V only (Qwen2) */
    bool linear_bias;    /* biases on every linear layer (GPT-2, phi-2) */
    bool lm_head_bias;
    bool tied_embeddings; /* the LM head reuses the embedding matrix */
    bool learned_pos;     /* learned absolute position embeddings (GPT-2) */
};

/* Parameters of one decoder block (linears, biases, norms). */
uint64_t arch_block_params(const struct arch *a);

/* Parameters of the weight matrices of one block alone (P_lin). */
uint64_t arch_block_linear_params(const struct arch *a);

/* Parameters of the embedding (token, plus positions when learned). */
uint64_t arch_embedding_params(const struct arch *a);

/* Parameters of the final norm and LM head that are not shared with the embedding. */
uint64_t arch_head_params(const struct arch *a);

/* Parameters the LM head multiplies with per token (V*d, shared or not). */
uint64_t arch_head_matrix_params(const struct arch *a);

/* All parameters, counted once. */
uint64_t arch_total_params(const struct arch *a);

/* KV-cache bytes per token and block at `bytes_per_value` bytes per cached value. */
uint64_t arch_kv_bytes_per_token(const struct arch *a, double bytes_per_value);

/* Hidden-state bytes per token at `bytes_per_value` (what crosses the link at a cut). */
uint64_t arch_hidden_bytes_per_token(const struct arch *a, double bytes_per_value);

/* FLOPs of one block's linear layers for one token (2 * P_lin). */
double arch_block_linear_flops(const struct arch *a);

/* FLOPs of one block's attention for one token attending over `context` tokens. */
double arch_block_attention_flops(const struct arch *a, double context);

/* The built-in architectures, NULL-terminated, and lookup by name (NULL if unknown). */
extern const struct arch *const arch_catalogue[];
const struct arch *arch_find(const char *name);

#endif
