/* Devices and the roofline: operator lists, monotonicity, and the calibrated devices against the
 * GPU measurements they were fitted to (tests/vidur_measured.h; the fit itself: test_calibrate.c).
 */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "models/llm/calibrate.h"
#include "models/llm/roofline.h"
#include "vidur_measured.h"

START_TEST(test_catalogue)
{
    for (size_t i = 0; device_catalogue[i]; i++) {
        const struct device *d = device_catalogue[i];
        ck_assert(d->peak_flops > 0 && d->mem_bw > 0 && d->power_w > 0);
        ck_assert(d->eta_compute > 0 && d->eta_compute <= 1);
        ck_assert(d->eta_memory > 0 && d->eta_memory <= 1);
        ck_assert(d->eta_elementwise > 0 && d->eta_elementwise <= 1);
        ck_assert(strlen(d->source) > 10);
        ck_assert_ptr_eq(device_find(d->name), d);
    }
    ck_assert_ptr_null(device_find("tpu-v5"));
    /* twelve devices, four of them phone- or board-class UEs with a few watts and under
     * 100 GB/s (docs/TABLES.md lists them) */
    size_t n = 0, phones = 0;
    for (; device_catalogue[n]; n++)
        phones += device_catalogue[n]->power_w <= 10 && device_catalogue[n]->mem_bw < 100e9;
    ck_assert_uint_eq(n, 12);
    ck_assert_uint_eq(phones, 4);
    ck_assert_ptr_nonnull(device_find("apple-a17-pro"));
    ck_assert_ptr_nonnull(device_find("dimensity-9300"));
    ck_assert(device_find("h100")->calibrated);
    ck_assert(!device_find("l4")->calibrated);
}
END_TEST

START_TEST(test_operators)
{
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    size_t n = roofline_block_ops(arch_find("llama-2-7b"), ops);
    ck_assert_uint_eq(n, 9);
    ck_assert_str_eq(ops[1].name, "attn_pre_proj");
    ck_assert(ops[1].in == 4096 && ops[1].out == 3 * 4096);
    ck_assert_str_eq(ops[5].name, "mlp_up_proj");
    ck_assert(ops[5].out == 2 * 11008); /* fused gate and up */
    double linear = 0;
    for (size_t i = 0; i < n; i++)
        if (ops[i].kind == ROOFLINE_LINEAR)
            linear += ops[i].in * ops[i].out;
    ck_assert(linear == (double)arch_block_linear_params(arch_find("llama-2-7b")));
    /* phi-2: one norm (parallel block), plain GELU MLP */
    n = roofline_block_ops(arch_find("phi-2"), ops);
    ck_assert_uint_eq(n, 8);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_ne(ops[i].name, "post_attention_layernorm");
}
END_TEST

START_TEST(test_monotone_and_bounds)
{
    for (size_t i = 0; device_catalogue[i]; i++) {
        const struct device *d = device_catalogue[i];
        const struct arch *a = arch_find("llama-2-7b");
        double prev = 0;
        for (double n = 1; n <= 8192; n *= 2) {
            double t = roofline_block_seconds(a, d, n);
            ck_assert_msg(t >= prev, "%s: time falls at %g tokens", d->name, n);
            /* never faster than the pure roofline at full efficiency */
            double floor = fmax(2 * n * (double)arch_block_linear_params(a) / d->peak_flops,
                                2.0 * (double)arch_block_linear_params(a) / d->mem_bw);
            ck_assert(t >= floor);
            prev = t;
        }
    }
    /* Decode at batch 1 on an H100. Vidur measured this block (one token) at 0.1750 ms; the H100's
     * numbers were fitted to that profile and leave at most 11.0 % error at any of its 259 token
     * counts (tests/vidur_measured.h), so the roofline is within 11.0 % of it here, plus the
     * rounding of the two recorded numbers. */
    const struct vidur_profile *measured = vidur_profile_find("llama-2-7b", "h100");
    const struct device *h = device_find("h100");
    const struct arch *llama = arch_find("llama-2-7b");
    ck_assert_ptr_nonnull(measured);
    double t1 = roofline_block_seconds(llama, h, 1), t1_measured = measured->measured_ms[0] * 1e-3;
    ck_assert_double_eq_tol(t1 / t1_measured - 1, 0,
                            measured->fit.max_error + VIDUR_ERR_ROUNDING +
                                VIDUR_MS_ROUNDING / measured->measured_ms[0]);
    /* It is memory-bound: apart from the nine kernel launches it is the time to stream the
     * weights (2 bytes each) at eta_memory x bandwidth, and no more than 0.2 % above it: at one
     * token the activations add 0.03 % to the bytes of the linear operators, and the five
     * element-wise passes (78,080 values, 156 kB, at eta_elementwise 0.40) 0.1 %. */
    double weights = 2.0 * (double)arch_block_linear_params(llama);
    double streaming = weights / (h->eta_memory * h->mem_bw);
    double rest = t1 - 9 * h->launch_s;
    ck_assert_msg(rest >= streaming && rest <= 1.002 * streaming, "%g s vs %g s streaming", rest,
                  streaming);
}
END_TEST

/* Each recorded fit (the catalogue's A100, H100 and A40 for Llama-2-7B; phi-2's fit on H100
 * peaks) against the recorded measurements at twelve token counts (tests/vidur_measured.h):
 * - the catalogue holds the fitted numbers `splitsim tables calibrate` printed;
 * - the roofline gives the times calibrate printed with them, to the 0.00005 ms they were rounded
 *   to (so any change to the roofline's numbers beyond that rounding fails here);
 * - each time is within the fit's largest error over all 259 measured token counts (plus the
 *   rounding of the recorded error and measurement) of the measured time. */
START_TEST(test_calibrated_devices_meet_measurements)
{
    for (size_t v = 0; v < VIDUR_PROFILES; v++) {
        const struct vidur_profile *m = &vidur_profiles[v];
        const struct arch *a = arch_find(m->model);
        const struct device *catalogued = device_find(m->device);
        struct device dev = *catalogued;
        calib_apply(&dev, &m->fit);
        if (strcmp(m->model, "llama-2-7b") == 0) {
            ck_assert(catalogued->calibrated);
            ck_assert(dev.eta_compute == catalogued->eta_compute &&
                      dev.eta_memory == catalogued->eta_memory &&
                      dev.eta_elementwise == catalogued->eta_elementwise &&
                      dev.overlap == catalogued->overlap &&
                      dev.gemm_tile == catalogued->gemm_tile &&
                      dev.launch_s == catalogued->launch_s);
        }
        struct calib_point p = {0};
        for (size_t i = 0; i < VIDUR_SHOWN; i++) {
            p.tokens = vidur_tokens[i];
            p.block_s = m->measured_ms[i] * 1e-3;
            struct calib_residual r = calib_block_residual(a, &dev, &p);
            ck_assert_msg(fabs(r.model_s * 1e3 - m->roofline_ms[i]) <= VIDUR_MS_ROUNDING + 1e-12,
                          "%s on %s, %g tokens: %.6f ms, recorded %.4f", m->model, m->device,
                          p.tokens, r.model_s * 1e3, m->roofline_ms[i]);
            double bound =
                m->fit.max_error + VIDUR_ERR_ROUNDING + VIDUR_MS_ROUNDING / m->measured_ms[i];
            ck_assert_msg(fabs(r.error) <= bound, "%s on %s, %g tokens: error %.2f %%", m->model,
                          m->device, p.tokens, 100 * r.error);
        }
    }
    /* The twelve token counts above are all whole tiles; past one (136 tokens on the A100, 0.55 ms
     * measured) the tile makes the step the measurement shows: without it the roofline would
     * give 0.38 ms, 30 % short. */
    const struct vidur_profile *a100 = vidur_profile_find("llama-2-7b", "a100");
    ck_assert_ptr_nonnull(a100);
    double t = roofline_block_seconds(arch_find("llama-2-7b"), device_find("a100"),
                                      VIDUR_A100_PAST_TILE_TOKENS);
    ck_assert_double_eq_tol(t * 1e3 / VIDUR_A100_PAST_TILE_MS - 1, 0,
                            a100->fit.max_error + VIDUR_ERR_ROUNDING +
                                VIDUR_A100_PAST_TILE_MS_ROUNDING / VIDUR_A100_PAST_TILE_MS);
}
END_TEST

static Suite *roofline_suite(void)
{
    Suite *s = suite_create("roofline");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_catalogue);
    tcase_add_test(tc, test_operators);
    tcase_add_test(tc, test_monotone_and_bounds);
    tcase_add_test(tc, test_calibrated_devices_meet_measurements);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(roofline_suite)
