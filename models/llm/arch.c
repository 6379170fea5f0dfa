#include "models/llm/arch.h"

#include <string.h>

uint64_t arch_block_linear_params(const struct arch *a)
{
    uint64_t d = a->hidden, f = a->ffn, q = (uint64_t)a->heads * a->head_dim,
             kv = (uint64_t)a->kv_heads * a->head_dim;
    uint64_t g = a->mlp == ARCH_MLP_SWIGLU ? 3 : 2;
    return d * q + 2 * d * kv + q * d + g * d * f;
}

static uint64_t norm_params(const struct arch *a)
{
    return (a->norm == ARCH_NORM_RMS ? 1u : 2u) * (uint64_t)a->hidden;
}

uint64_t arch_block_params(const struct arch *a)
{
    uint64_t d = a->hidden, f = a->ffn, q = (uint64_t)a->heads * a->head_dim,
             kv = (uint64_t)a->kv_heads * a->head_dim;
    uint64_t p = arch_block_linear_params(a);
    if (a->linear_bias) /* Q, K, V, O; up (and gate), down */
        p += q + 2 * kv + d + (a->mlp == ARCH_MLP_SWIGLU ? 2 : 1) * f + d;
    else if (a->qkv_bias)
        p += q + 2 * kv;
    p += (a->parallel_block ? 1 : 2) * norm_params(a);
    return p;
}

uint64_t arch_embedding_params(const struct arch *a)
{
    uint64_t p = (uint64_t)a->vocab * a->hidden;
    if (a->learned_pos)
        p += (uint64_t)a->max_positions * a->hidden;
    return p;
}

uint64_t arch_head_matrix_params(const struct arch *a)
{
    return (uint64_t)a->vocab * a->hidden;
}

uint64_t arch_head_params(const struct arch *a)
{
    uint64_t p = norm_params(a);
    if (!a->tied_embeddings)
        p += arch_head_matrix_params(a);
    if (a->lm_head_bias)
        p += a->vocab;
    return p;
}

uint64_t arch_total_params(const struct arch *a)
{
    return arch_embedding_params(a) + (uint64_t)a->layers * arch_block_params(a) +
           arch_head_params(a);
}

uint64_t arch_kv_bytes_per_token(const struct arch *a, double bytes_per_value)
{
    return (uint64_t)(2.0 * a->kv_heads * a->head_dim * bytes_per_value);
}

uint64_t arch_hidden_bytes_per_token(const struct arch *a, double bytes_per_value)
{
    return (uint64_t)(a->hidden * bytes_per_value);
}

double arch_block_linear_flops(const struct arch *a)
{
    return 2.0 * (double)arch_block_linear_params(a);
}

double arch_block_attention_flops(const struct arch *a, double context)
{
    return 4.0 * context * a->heads * a->head_dim;
}

/* ---- the catalogue: published configurations (config.json of each model) ---------------- */

#define HF "Hugging Face config.json of "

static const struct arch llama_2_7b = {.name = "llama-2-7b",
                                       .source = HF "meta-llama/Llama-2-7b-hf",
                                       .layers = 32,
                                       .hidden = 4096,
                                       .ffn = 11008,
                                       .heads = 32,
                                       .kv_heads = 32,
                                       .head_dim = 128,
                                       .vocab = 32000,
                                       .max_positions = 4096,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS};
static const struct arch llama_2_13b = {.name = "llama-2-13b",
                                        .source = HF "meta-llama/Llama-2-13b-hf",
                                        .layers = 40,
                                        .hidden = 5120,
                                        .ffn = 13824,
                                        .heads = 40,
                                        .kv_heads = 40,
                                        .head_dim = 128,
                                        .vocab = 32000,
                                        .max_positions = 4096,
                                        .mlp = ARCH_MLP_SWIGLU,
                                        .norm = ARCH_NORM_RMS};
static const struct arch llama_3_8b = {.name = "llama-3-8b",
                                       .source = HF "meta-llama/Meta-Llama-3-8B",
                                       .layers = 32,
                                       .hidden = 4096,
                                       .ffn = 14336,
                                       .heads = 32,
                                       .kv_heads = 8,
                                       .head_dim = 128,
                                       .vocab = 128256,
                                       .max_positions = 8192,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS};
static const struct arch mistral_7b = {.name = "mistral-7b",
                                       .source = HF "mistralai/Mistral-7B-v0.1",
                                       .layers = 32,
                                       .hidden = 4096,
                                       .ffn = 14336,
                                       .heads = 32,
                                       .kv_heads = 8,
                                       .head_dim = 128,
                                       .vocab = 32000,
                                       .max_positions = 32768,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS};
static const struct arch qwen2_7b = {.name = "qwen2-7b",
                                     .source = HF "Qwen/Qwen2-7B",
                                     .layers = 28,
                                     .hidden = 3584,
                                     .ffn = 18944,
                                     .heads = 28,
                                     .kv_heads = 4,
                                     .head_dim = 128,
                                     .vocab = 152064,
                                     .max_positions = 32768,
                                     .mlp = ARCH_MLP_SWIGLU,
                                     .norm = ARCH_NORM_RMS,
                                     .qkv_bias = true};
static const struct arch qwen2_1_5b = {.name = "qwen2-1.5b",
                                       .source = HF "Qwen/Qwen2-1.5B",
                                       .layers = 28,
                                       .hidden = 1536,
                                       .ffn = 8960,
                                       .heads = 12,
                                       .kv_heads = 2,
                                       .head_dim = 128,
                                       .vocab = 151936,
                                       .max_positions = 32768,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS,
                                       .qkv_bias = true,
                                       .tied_embeddings = true};
static const struct arch qwen2_0_5b = {.name = "qwen2-0.5b",
                                       .source = HF "Qwen/Qwen2-0.5B",
                                       .layers = 24,
                                       .hidden = 896,
                                       .ffn = 4864,
                                       .heads = 14,
                                       .kv_heads = 2,
                                       .head_dim = 64,
                                       .vocab = 151936,
                                       .max_positions = 32768,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS,
                                       .qkv_bias = true,
                                       .tied_embeddings = true};
static const struct arch phi_3_mini = {.name = "phi-3-mini",
                                       .source = HF "microsoft/Phi-3-mini-4k-instruct",
                                       .layers = 32,
                                       .hidden = 3072,
                                       .ffn = 8192,
                                       .heads = 32,
                                       .kv_heads = 32,
                                       .head_dim = 96,
                                       .vocab = 32064,
                                       .max_positions = 4096,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS};
static const struct arch tinyllama = {.name = "tinyllama-1.1b",
                                      .source =
                                          HF "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T",
                                      .layers = 22,
                                      .hidden = 2048,
                                      .ffn = 5632,
                                      .heads = 32,
                                      .kv_heads = 4,
                                      .head_dim = 64,
                                      .vocab = 32000,
                                      .max_positions = 2048,
                                      .mlp = ARCH_MLP_SWIGLU,
                                      .norm = ARCH_NORM_RMS};
static const struct arch phi_2 = {.name = "phi-2",
                                  .source = HF "microsoft/phi-2",
                                  .layers = 32,
                                  .hidden = 2560,
                                  .ffn = 10240,
                                  .heads = 32,
                                  .kv_heads = 32,
                                  .head_dim = 80,
                                  .vocab = 51200,
                                  .max_positions = 2048,
                                  .mlp = ARCH_MLP_GELU,
                                  .norm = ARCH_NORM_LAYER,
                                  .parallel_block = true,
                                  .linear_bias = true,
                                  .lm_head_bias = true};
static const struct arch gpt2 = {.name = "gpt2",
                                 .source = HF "openai-community/gpt2",
                                 .layers = 12,
                                 .hidden = 768,
                                 .ffn = 3072,
                                 .heads = 12,
                                 .kv_heads = 12,
                                 .head_dim = 64,
                                 .vocab = 50257,
                                 .max_positions = 1024,
                                 .mlp = ARCH_MLP_GELU,
                                 .norm = ARCH_NORM_LAYER,
                                 .linear_bias = true,
                                 .tied_embeddings = true,
                                 .learned_pos = true};
static const struct arch gpt2_xl = {.name = "gpt2-xl",
                                    .source = HF "openai-community/gpt2-xl",
                                    .layers = 48,
                                    .hidden = 1600,
                                    .ffn = 6400,
                                    .heads = 25,
                                    .kv_heads = 25,
                                    .head_dim = 64,
                                    .vocab = 50257,
                                    .max_positions = 1024,
                                    .mlp = ARCH_MLP_GELU,
                                    .norm = ARCH_NORM_LAYER,
                                    .linear_bias = true,
                                    .tied_embeddings = true,
                                    .learned_pos = true};

static const struct arch llama_3_2_1b = {.name = "llama-3.2-1b",
                                         .source = HF "meta-llama/Llama-3.2-1B",
                                         .layers = 16,
                                         .hidden = 2048,
                                         .ffn = 8192,
                                         .heads = 32,
                                         .kv_heads = 8,
                                         .head_dim = 64,
                                         .vocab = 128256,
                                         .max_positions = 131072,
                                         .mlp = ARCH_MLP_SWIGLU,
                                         .norm = ARCH_NORM_RMS,
                                         .tied_embeddings = true};
static const struct arch llama_3_2_3b = {.name = "llama-3.2-3b",
                                         .source = HF "meta-llama/Llama-3.2-3B",
                                         .layers = 28,
                                         .hidden = 3072,
                                         .ffn = 8192,
                                         .heads = 24,
                                         .kv_heads = 8,
                                         .head_dim = 128,
                                         .vocab = 128256,
                                         .max_positions = 131072,
                                         .mlp = ARCH_MLP_SWIGLU,
                                         .norm = ARCH_NORM_RMS,
                                         .tied_embeddings = true};
static const struct arch qwen2_5_3b = {.name = "qwen2.5-3b",
                                       .source = HF "Qwen/Qwen2.5-3B",
                                       .layers = 36,
                                       .hidden = 2048,
                                       .ffn = 11008,
                                       .heads = 16,
                                       .kv_heads = 2,
                                       .head_dim = 128,
                                       .vocab = 151936,
                                       .max_positions = 32768,
                                       .mlp = ARCH_MLP_SWIGLU,
                                       .norm = ARCH_NORM_RMS,
                                       .qkv_bias = true,
                                       .tied_embeddings = true};

const struct arch *const arch_catalogue[] = {
    &llama_2_7b,   &llama_2_13b,  &llama_3_8b, &mistral_7b, &qwen2_7b, &qwen2_1_5b,
    &qwen2_0_5b,   &phi_3_mini,   &tinyllama,  &phi_2,      &gpt2,     &gpt2_xl,
    &llama_3_2_1b, &llama_3_2_3b, &qwen2_5_3b, NULL,
};

const struct arch *arch_find(const char *name)
{
    for (size_t i = 0; arch_catalogue[i]; i++)
        if (strcmp(arch_catalogue[i]->name, name) == 0)
            return arch_catalogue[i];
    return NULL;
}
