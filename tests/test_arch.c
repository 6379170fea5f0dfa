/* Architectures: parameter counts and per-token bytes from first principles, against the
 * models' known sizes (docs/TABLES.md's sources; the totals are what the models' releases
 * report). */
#include <math.h>

#include "check_main.h"
#include "models/llm/arch.h"

START_TEST(test_llama_2_7b_exact)
{
    const struct arch *a = arch_find("llama-2-7b");
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(arch_block_linear_params(a), 202375168); /* 4 x 4096^2 + 3 x 4096 x 11008 */
    ck_assert_uint_eq(arch_block_params(a), 202383360);        /* + 2 RMSNorm weights */
    ck_assert_uint_eq(arch_embedding_params(a), 131072000);
    ck_assert_uint_eq(arch_head_params(a), 131076096);
    ck_assert_uint_eq(arch_total_params(a), 6738415616);     /* "6.74 B" */
    ck_assert_uint_eq(arch_kv_bytes_per_token(a, 2), 16384); /* 16 KiB per block in FP16 */
    ck_assert_uint_eq(a->layers * arch_kv_bytes_per_token(a, 2), 512 * 1024);
    ck_assert_uint_eq(arch_hidden_bytes_per_token(a, 2), 8192);
    ck_assert_uint_eq(arch_hidden_bytes_per_token(a, 1), 4096); /* int8 */
    ck_assert_double_eq_tol(arch_block_linear_flops(a) / 1e9, 0.405, 5e-4);
    ck_assert_double_eq_tol(arch_block_attention_flops(a, 1000), 4.0 * 1000 * 4096, 1e-6);
}
END_TEST

/* Every catalogue entry against the published totals (billions) and per-block sizes (millions),
 * to the precision they are quoted with. The last three were worked out by hand from their
 * published configs, e.g. Llama-3.2-1B's block: 2 x 2048^2 (Q, O) + 2 x 2048 x 512 (K, V) +
 * 3 x 2048 x 8192 (SwiGLU) + 2 x 2048 (norms) = 60,821,504. */
START_TEST(test_catalogue_sizes)
{
    struct {
        const char *name;
        double block_m, embedding_m, total_b, kv_kib_all_layers;
    } known[] = {
        {"llama-2-13b", 317.2, 163.8, 13.016, 800}, {"llama-3-8b", 218.1, 525.3, 8.030, 128},
        {"mistral-7b", 218.1, 131.1, 7.242, 128},   {"qwen2-7b", 233.1, 545.0, 7.616, 56},
        {"qwen2-1.5b", 46.8, 233.4, 1.544, 28},     {"qwen2-0.5b", 14.9, 136.1, 0.494, 12},
        {"phi-3-mini", 113.3, 98.5, 3.821, 384},    {"tinyllama-1.1b", 44.0, 65.5, 1.100, 22},
        {"phi-2", 78.7, 131.1, 2.780, 320},         {"gpt2", 7.1, 39.4, 0.124, 36},
        {"gpt2-xl", 30.7, 82.0, 1.558, 300},        {"llama-3.2-1b", 60.8, 262.7, 1.236, 32},
        {"llama-3.2-3b", 100.7, 394.0, 3.213, 112}, {"qwen2.5-3b", 77.1, 311.2, 3.086, 36},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        const struct arch *a = arch_find(known[i].name);
        ck_assert_msg(a != NULL, "%s missing", known[i].name);
        ck_assert_msg(fabs((double)arch_block_params(a) / 1e6 - known[i].block_m) < 0.051,
                      "%s block %g M", a->name, (double)arch_block_params(a) / 1e6);
        ck_assert_msg(fabs((double)arch_embedding_params(a) / 1e6 - known[i].embedding_m) < 0.051,
                      "%s embedding %g M", a->name, (double)arch_embedding_params(a) / 1e6);
        ck_assert_msg(fabs((double)arch_total_params(a) / 1e9 - known[i].total_b) < 0.0006,
                      "%s total %.4f B", a->name, (double)arch_total_params(a) / 1e9);
        double kv = (double)(a->layers * arch_kv_bytes_per_token(a, 2)) / 1024;
        ck_assert_msg(fabs(kv - known[i].kv_kib_all_layers) < 0.5, "%s KV %g KiB", a->name, kv);
    }
    ck_assert_ptr_null(arch_find("llama-2-70b"));
    /* every entry is checked: the list above and llama-2-7b (exactly, above) */
    size_t n = 0;
    while (arch_catalogue[n])
        n++;
    ck_assert_uint_eq(n, sizeof known / sizeof *known + 1);
    for (size_t i = 0; arch_catalogue[i]; i++)
        ck_assert(arch_catalogue[i]->heads * arch_catalogue[i]->head_dim >=
                  arch_catalogue[i]->hidden / 2);
}
END_TEST

/* The entries added for phone-sized models (issue 13) against the sizes their releases publish,
 * which count every parameter once (tied embeddings once): within 2 %. */
START_TEST(test_published_sizes)
{
    struct {
        const char *name;
        double published_b; /* where: the model card */
    } published[] = {
        {"llama-3.2-1b", 1.23}, /* Meta's Llama 3.2 model card: 1B (1.23B) */
        {"llama-3.2-3b", 3.21}, /* same: 3B (3.21B) */
        {"qwen2.5-3b", 3.09},   /* Qwen2.5-3B model card: 3.09B, 2.77B non-embedding */
        {"tinyllama-1.1b", 1.1}, {"qwen2-1.5b", 1.54},
    };
    for (size_t i = 0; i < sizeof published / sizeof *published; i++) {
        const struct arch *a = arch_find(published[i].name);
        ck_assert_msg(a != NULL, "%s missing", published[i].name);
        double total = (double)arch_total_params(a) / 1e9;
        ck_assert_msg(fabs(total / published[i].published_b - 1) < 0.02,
                      "%s: %.3f B derived, %.2f B published", a->name, total,
                      published[i].published_b);
    }
    /* Qwen's card also gives the count without the (tied) embedding: 2.77 B */
    const struct arch *q = arch_find("qwen2.5-3b");
    double non_embedding = (double)(arch_total_params(q) - arch_embedding_params(q)) / 1e9;
    ck_assert_msg(fabs(non_embedding - 2.77) < 0.01, "qwen2.5-3b: %.3f B", non_embedding);
    /* tied: the head adds its final norm only */
    ck_assert_uint_eq(arch_head_params(arch_find("llama-3.2-1b")), 2048);
}
END_TEST

static Suite *arch_suite(void)
{
    Suite *s = suite_create("arch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_llama_2_7b_exact);
    tcase_add_test(tc, test_catalogue_sizes);
    tcase_add_test(tc, test_published_sizes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(arch_suite)
