/* The CPU profiler on a tiny architecture: the measured table is complete, valid (it reads back
 * through the loader) and states how it was measured. */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/llm/profile.h"

static const struct arch tiny = {.name = "tiny",
                                 .source = "test",
                                 .layers = 3,
                                 .hidden = 64,
                                 .ffn = 160,
                                 .heads = 4,
                                 .kv_heads = 2,
                                 .head_dim = 16,
                                 .vocab = 100,
                                 .max_positions = 64,
                                 .mlp = ARCH_MLP_SWIGLU,
                                 .norm = ARCH_NORM_RMS};

static const struct arch tiny_gelu = {.name = "tiny-gelu",
                                      .source = "test",
                                      .layers = 2,
                                      .hidden = 48,
                                      .ffn = 96,
                                      .heads = 3,
                                      .kv_heads = 3,
                                      .head_dim = 16,
                                      .vocab = 50,
                                      .max_positions = 64,
                                      .mlp = ARCH_MLP_GELU,
                                      .norm = ARCH_NORM_LAYER,
                                      .parallel_block = true,
                                      .linear_bias = true};

static void check(const struct arch *a)
{
    struct profile_options o = {.device = "test-cpu",
                                .machine = "a test machine",
                                .max_tokens = 16,
                                .max_context = 32,
                                .repeats = 1};
    struct cost_table t;
    ck_assert_int_eq(profile_measure(&t, a, &o, "test", "2026-01-01"), 0);
    ck_assert_uint_eq(t.nlayers, a->layers + 2);
    ck_assert_uint_eq(t.nprefill, 5); /* 1 .. 16 */
    ck_assert_uint_eq(t.ncontext, 6); /* 1 .. 32 */
    ck_assert_uint_eq(t.nbatch, 1);
    ck_assert_str_eq(t.method, "measured");
    ck_assert_ptr_nonnull(strstr(t.source, "a test machine"));
    ck_assert(t.groups[1].kv_bytes_per_token == 2.0 * a->kv_heads * a->head_dim * 4);
    for (size_t g = 0; g < 3; g++)
        for (size_t i = 0; i < t.nprefill; i++) {
            ck_assert(t.groups[g].prefill_ms[i] > 0);
            if (i)
                ck_assert(t.groups[g].prefill_ms[i] >= t.groups[g].prefill_ms[i - 1]);
        }
    /* it is a valid table file */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cost_write(&t, f);
    fclose(f);
    struct cost_table u;
    struct diag d;
    diag_init(&d);
    ck_assert_msg(cost_parse(&u, "m.yaml", text, len, &d) == 0, "%s", d.len ? d.msgs[0].text : "");
    ck_assert_uint_eq(u.nlayers, t.nlayers);
    cost_release(&u);
    diag_release(&d);
    free(text);
    cost_release(&t);
}

START_TEST(test_swiglu_rms_gqa)
{
    check(&tiny);
}
END_TEST

START_TEST(test_gelu_layernorm_parallel)
{
    check(&tiny_gelu);
}
END_TEST

START_TEST(test_isotonic)
{
    double v[] = {1, 3, 2, 4, 10, 5, 6, 7};
    profile_make_monotone(v, 8);
    double want[] = {1, 2.5, 2.5, 4, 7, 7, 7, 7}; /* 10,5,6,7 pool to their mean 7 */
    for (int i = 0; i < 8; i++)
        ck_assert_double_eq_tol(v[i], want[i], 1e-12);
    double spike[] = {1, 100, 2, 3, 4};
    profile_make_monotone(spike, 5);
    ck_assert_double_eq_tol(spike[4], 27.25, 1e-12); /* a spike is averaged, not propagated */
    ck_assert(spike[0] == 1);
}
END_TEST

START_TEST(test_blas_named)
{
    ck_assert(strlen(profile_blas_name()) > 3);
}
END_TEST

static Suite *profile_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_swiglu_rms_gqa);
    tcase_add_test(tc, test_gelu_layernorm_parallel);
    tcase_add_test(tc, test_isotonic);
    tcase_add_test(tc, test_blas_named);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(profile_suite)
