/* Calibration (models/llm/calibrate.h): reading Vidur profiles, the error statistics against sums
 * done by hand, fits that recover efficiencies chosen in advance, and the recorded measurements
 * (tests/vidur_measured.h) against the statistics docs/TABLES.md gives for them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "models/llm/calibrate.h"
#include "vidur_measured.h"

/* Parses `csv` as a profile of architecture `model`; the parse's status. */
static int parse_text(struct calib_profile *pr, const char *csv, const char *model, struct diag *d)
{
    char *text = strdup(csv);
    ck_assert_ptr_nonnull(text);
    FILE *f = fmemopen(text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    int rc = calib_profile_parse(pr, f, "mlp.csv", arch_find(model), d);
    fclose(f);
    free(text);
    return rc;
}

/* The header of a TinyLlama profile: every operator's median (and a mean, to be ignored), the
 * token count and the tensor parallelism, in an order of our own. */
static void write_header(FILE *f, const struct arch *a)
{
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    size_t n = roofline_block_ops(a, ops);
    fputs("num_tensor_parallel_workers", f);
    for (size_t i = n; i-- > 0;)
        fprintf(f, ",time_stats.%s.mean,time_stats.%s.median", ops[i].name, ops[i].name);
    fputs(",num_tokens\n", f);
}

/* A row: operator i takes (i + 1) x ms milliseconds (columns as write_header puts them). */
static void write_row(FILE *f, size_t nops, int tensor_parallel, double ms, const char *tokens,
                      const char *end)
{
    fprintf(f, "%d", tensor_parallel);
    for (size_t i = nops; i-- > 0;)
        fprintf(f, ",99,%.17g", (double)(i + 1) * ms);
    fprintf(f, ",%s%s", tokens, end);
}

START_TEST(test_parse_rows)
{
    const struct arch *a = arch_find("tinyllama-1.1b");
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    write_header(f, a);
    write_row(f, 9, 1, 0.010, "1", "\n");
    write_row(f, 9, 2, 0.500, "8", "\n");   /* tensor-parallel: not read */
    write_row(f, 9, 1, 0.020, "8", "\r\n"); /* a CRLF line */
    write_row(f, 9, 1, 0.700, "1", "\n");   /* 1 token again: the first row stays */
    write_row(f, 9, 1, 0.040, "4096", "");  /* no final newline */
    fclose(f);
    struct diag d;
    diag_init(&d);
    struct calib_profile pr;
    ck_assert_int_eq(parse_text(&pr, csv, "tinyllama-1.1b", &d), 0);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_uint_eq(pr.n, 3);
    const double tokens[] = {1, 8, 4096}, ms[] = {0.010, 0.020, 0.040};
    for (size_t p = 0; p < 3; p++) {
        ck_assert(pr.points[p].tokens == tokens[p]);
        for (size_t i = 0; i < 9; i++) /* milliseconds to seconds, in operator order */
            ck_assert_double_eq_tol(pr.points[p].op_s[i], (double)(i + 1) * ms[p] * 1e-3, 1e-18);
        /* the block: (1 + 2 + ... + 9) x ms */
        ck_assert_double_eq_tol(pr.points[p].block_s, 45 * ms[p] * 1e-3, 1e-15);
    }
    ck_assert_ptr_eq(calib_profile_find(&pr, 8), &pr.points[1]);
    ck_assert_ptr_null(calib_profile_find(&pr, 2));
    double lo, hi;
    calib_profile_span(&pr, &lo, &hi);
    ck_assert(lo == 1 && hi == 4096);
    calib_profile_release(&pr);
    ck_assert_ptr_null(pr.points);
    diag_release(&d);
    free(csv);
}
END_TEST

/* Parses `csv` (a TinyLlama profile) expecting a refusal whose first message is `want`, at `line`.
 */
static void expect_refused(const char *csv, int line, const char *want, size_t messages)
{
    struct diag d;
    diag_init(&d);
    struct calib_profile pr;
    ck_assert_int_eq(parse_text(&pr, csv, "tinyllama-1.1b", &d), -EINVAL);
    ck_assert_uint_eq(d.errors, messages);
    ck_assert_msg(strstr(d.msgs[0].text, want), "'%s' lacks '%s'", d.msgs[0].text, want);
    ck_assert_int_eq(d.msgs[0].line, line);
    ck_assert_str_eq(d.msgs[0].file, "mlp.csv");
    calib_profile_release(&pr);
    diag_release(&d);
}

START_TEST(test_parse_refusals)
{
    expect_refused("a,b\n1,2\n", 1, "no num_tokens column; expected a Vidur mlp.csv profile", 1);
    /* two of TinyLlama's nine operators present: one message for each of the seven missing */
    expect_refused("num_tokens,time_stats.add.median,time_stats.mlp_act.median\n1,1,1\n", 1,
                   "no column time_stats.input_layernorm.median", 7);
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    write_header(f, arch_find("tinyllama-1.1b"));
    write_row(f, 9, 1, 0.01, "1", "\n");
    write_row(f, 9, 1, 0.01, "0", "\n");
    fclose(f);
    expect_refused(csv, 3, "num_tokens: expected a count >= 1, got '0'", 1);
    free(csv);
    f = open_memstream(&csv, &len);
    write_header(f, arch_find("tinyllama-1.1b"));
    write_row(f, 9, 2, 0.01, "1", "\n");
    fclose(f);
    expect_refused(csv, 0, "no rows with num_tensor_parallel_workers = 1", 1);
    free(csv);
}
END_TEST

/* Rows beyond CALIB_MAX_POINTS token counts are skipped, not an error. */
START_TEST(test_parse_keeps_at_most_max_points)
{
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    write_header(f, arch_find("tinyllama-1.1b"));
    for (int t = 1; t <= CALIB_MAX_POINTS + 10; t++) {
        char tokens[16];
        snprintf(tokens, sizeof tokens, "%d", t);
        write_row(f, 9, 1, 0.01, tokens, "\n");
    }
    fclose(f);
    struct diag d;
    diag_init(&d);
    struct calib_profile pr;
    ck_assert_int_eq(parse_text(&pr, csv, "tinyllama-1.1b", &d), 0);
    ck_assert_uint_eq(pr.n, CALIB_MAX_POINTS);
    ck_assert(pr.points[CALIB_MAX_POINTS - 1].tokens == CALIB_MAX_POINTS);
    calib_profile_release(&pr);
    diag_release(&d);
    free(csv);
}
END_TEST

START_TEST(test_read_file)
{
    char path[] = "/tmp/splitsim-test-calibrate-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    write_header(f, arch_find("phi-2"));
    write_row(f, 8, 1, 0.01, "16", "\n");
    fclose(f);
    struct diag d;
    diag_init(&d);
    struct calib_profile pr;
    ck_assert_int_eq(calib_profile_read(&pr, path, arch_find("phi-2"), &d), 0);
    ck_assert_uint_eq(pr.n, 1);
    ck_assert_double_eq_tol(pr.points[0].block_s, 36 * 0.01e-3, 1e-15); /* 1 + ... + 8 */
    calib_profile_release(&pr);
    /* the same file read as a Llama profile lacks post_attention_layernorm (phi-2 has one norm) */
    ck_assert_int_eq(calib_profile_read(&pr, path, arch_find("llama-2-7b"), &d), -EINVAL);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "time_stats.post_attention_layernorm.median"));
    calib_profile_release(&pr);
    diag_clear(&d);
    f = fopen(path, "w");
    fclose(f);
    ck_assert_int_eq(calib_profile_read(&pr, path, arch_find("phi-2"), &d), -EINVAL);
    ck_assert_str_eq(d.msgs[0].text, "empty file");
    calib_profile_release(&pr);
    unlink(path);
    diag_release(&d);
}
END_TEST

/*
 * A device with round numbers, so TinyLlama's block can be timed by hand: 1 PFLOP/s, 1 TB/s,
 * every efficiency 1, the plain maximum, no tiles, 1 us per kernel, FP16.
 *
 * TinyLlama (hidden 2048, ffn 5632, 32 query heads and 4 KV heads of 64) has four linear operators,
 * (in, out) = (2048, 2560) QKV, (2048, 2048) output, (2048, 11264) gate+up, (5632, 2048) down:
 * 44,040,192 weights and 29,696 activations in + out per token; and five element-wise passes
 * reading and writing 4,096 + 4,608 + 4,096 + 16,896 + 6,144 = 35,840 values per token. At 1 or
 * 2 tokens every linear operator is memory-bound (its FLOPs take 1000 x less than its bytes), so
 * the block takes 2 bytes x (44,040,192 + 29,696 t + 35,840 t) / 1 TB/s + 9 x 1 us:
 *     t = 1: 88,211,456 B -> 88.211456 us, + 9 us = 97.211456 us;
 *     t = 2: 88,342,528 B -> 88.342528 us, + 9 us = 97.342528 us.
 */
static const struct device round_device = {.name = "round",
                                           .peak_flops = 1e15,
                                           .mem_bw = 1e12,
                                           .eta_compute = 1,
                                           .eta_memory = 1,
                                           .eta_elementwise = 1,
                                           .launch_s = 1e-6};

START_TEST(test_block_error_by_hand)
{
    const struct arch *a = arch_find("tinyllama-1.1b");
    ck_assert_double_eq_tol(roofline_block_seconds(a, &round_device, 1), 97.211456e-6, 1e-15);
    ck_assert_double_eq_tol(roofline_block_seconds(a, &round_device, 2), 97.342528e-6, 1e-15);
    /* measured 100 us at 1 token and 90 us at 2: errors 97.211456 / 100 - 1 = -0.02788544 and
     * 97.342528 / 90 - 1 = +0.0815836444...; max 0.0815836444, mean 0.0547345422 */
    struct calib_point pts[] = {{.tokens = 1, .block_s = 100e-6}, {.tokens = 2, .block_s = 90e-6}};
    struct calib_profile pr = {pts, 2};
    struct calib_fit fit;
    calib_block_error(a, &round_device, &pr, &fit);
    ck_assert_double_eq_tol(fit.max_error, 0.08158364444, 1e-10);
    ck_assert_double_eq_tol(fit.mean_error, (0.02788544 + 0.08158364444) / 2, 1e-10);
    struct calib_residual r = calib_block_residual(a, &round_device, &pts[0]);
    ck_assert(r.tokens == 1 && r.measured_s == 100e-6);
    ck_assert_double_eq_tol(r.model_s, 97.211456e-6, 1e-15);
    ck_assert_double_eq_tol(r.error, -0.02788544, 1e-10);
    /* mlp_up_proj (operator 5) at 1 token: 2 x (2048 x 11264 + 13,312) B = 46,163,968 B ->
     * 46.163968 us + 1 us; measured 50 us: error -0.05672064. Operator 6 was not measured. */
    pts[0].op_s[5] = 50e-6;
    r = calib_op_residual(a, 5, &round_device, &pts[0]);
    ck_assert_double_eq_tol(r.model_s, 47.163968e-6, 1e-15);
    ck_assert_double_eq_tol(r.error, -0.05672064, 1e-10);
    ck_assert(isnan(calib_op_residual(a, 6, &round_device, &pts[0]).error));
}
END_TEST

/* Token counts of a synthetic profile: Vidur's range, denser where the GEMM tiles jump. */
static const double synthetic_tokens[] = {1,   2,    4,    8,    16,   24,  32,  48,
                                          64,  96,   128,  136,  192,  256, 384, 512,
                                          768, 1024, 1536, 2048, 3072, 4096};
#define NSYNTHETIC (sizeof synthetic_tokens / sizeof *synthetic_tokens)

/* The profile `truth` would measure: each operator's roofline time. */
static void synthesize(const struct arch *a, const struct device *truth, struct calib_point *pts)
{
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    size_t n = roofline_block_ops(a, ops);
    for (size_t p = 0; p < NSYNTHETIC; p++) {
        pts[p] = (struct calib_point){.tokens = synthetic_tokens[p]};
        for (size_t i = 0; i < n; i++) {
            pts[p].op_s[i] = roofline_op_seconds(&ops[i], truth, synthetic_tokens[p]);
            pts[p].block_s += pts[p].op_s[i];
        }
    }
}

/* Fits a profile synthesized from the A100's peaks with `chosen` efficiencies and expects them
 * back to within `tol` (the fine grid's values are sums of steps, so not exact), with no error. */
static void expect_recovered(const struct calib_fit *chosen, double tol)
{
    const struct arch *a = arch_find("tinyllama-1.1b");
    struct device truth = *device_find("a100");
    calib_apply(&truth, chosen);
    struct calib_point pts[NSYNTHETIC];
    synthesize(a, &truth, pts);
    struct calib_profile pr = {pts, NSYNTHETIC};
    struct calib_fit fit;
    ck_assert_int_eq(calib_fit(a, device_find("a100"), &pr, &fit), 0);
    ck_assert_double_eq_tol(fit.eta_compute, chosen->eta_compute, tol);
    ck_assert_double_eq_tol(fit.eta_memory, chosen->eta_memory, tol);
    ck_assert_double_eq_tol(fit.eta_elementwise, chosen->eta_elementwise, tol);
    ck_assert_double_eq_tol(fit.launch_s, chosen->launch_s, tol * 1e-5);
    ck_assert(fit.overlap == chosen->overlap);
    ck_assert(fit.gemm_tile == chosen->gemm_tile);
    ck_assert_msg(fit.max_error < 1e-9, "max error %g", fit.max_error);
    ck_assert(fit.mean_error <= fit.max_error);
}

/* Efficiencies to recover: on the coarse grid; and between its points, on the fine grid around
 * them. */
static const struct calib_fit chosen_fits[] = {
    {.eta_compute = 0.70,
     .eta_memory = 0.80,
     .eta_elementwise = 0.50,
     .overlap = 2,
     .gemm_tile = 128,
     .launch_s = 3e-6},
    {.eta_compute = 0.74,
     .eta_memory = 0.86,
     .eta_elementwise = 0.42,
     .overlap = 3,
     .gemm_tile = 64,
     .launch_s = 4.4e-6},
};

START_TEST(test_fit_recovers_chosen_efficiencies)
{
    expect_recovered(&chosen_fits[_i], 1e-9);
}
END_TEST

/* A profile no roofline meets: the A100's, with 8 of its 22 points measured 3 % low and 7 of them
 * 3 % high (points 0, 3, 6, ... and 1, 4, 7, ...). With the A100's own numbers the errors are, by
 * hand, 1 / 0.97 - 1 = +3.0928 % and 1 / 1.03 - 1 = -2.9126 %: max 3.0928 %, mean (8 x 3.0928 +
 * 7 x 2.9126) / 22 = 2.0514 %. The fit reports its own errors over every point (not only the
 * quarter the coarse search scores), and the same inputs give the same fit. */
START_TEST(test_fit_reports_its_own_error)
{
    const struct arch *a = arch_find("tinyllama-1.1b");
    const struct device *a100 = device_find("a100");
    struct calib_point pts[NSYNTHETIC];
    synthesize(a, a100, pts);
    static const double noise[] = {0.97, 1.03, 1.0};
    for (size_t p = 0; p < NSYNTHETIC; p++)
        pts[p].block_s *= noise[p % 3];
    struct calib_profile pr = {pts, NSYNTHETIC};
    struct calib_fit scored;
    calib_block_error(a, a100, &pr, &scored);
    ck_assert_double_eq_tol(scored.max_error, 1 / 0.97 - 1, 1e-12);
    ck_assert_double_eq_tol(scored.mean_error, (8 * (1 / 0.97 - 1) + 7 * (1 - 1 / 1.03)) / 22,
                            1e-12);
    struct calib_fit fit, again;
    ck_assert_int_eq(calib_fit(a, a100, &pr, &fit), 0);
    struct device fitted = *a100;
    calib_apply(&fitted, &fit);
    calib_block_error(a, &fitted, &pr, &scored);
    ck_assert(scored.max_error == fit.max_error && scored.mean_error == fit.mean_error);
    ck_assert(fit.mean_error <= fit.max_error);
    ck_assert_int_eq(calib_fit(a, a100, &pr, &again), 0);
    ck_assert(memcmp(&fit, &again, sizeof fit) == 0);
    struct calib_profile empty = {NULL, 0};
    ck_assert_int_eq(calib_fit(a, a100, &empty, &again), -EINVAL);
}
END_TEST

/* The recorded measurements (tests/vidur_measured.h): with each recorded fit, the module's error
 * statistics over the twelve token counts docs/TABLES.md shows are the ones its error column
 * gives by hand, and stay within the fit's error over all 259 token counts. */
START_TEST(test_measured_profiles)
{
    /* From the error columns of docs/TABLES.md (percent): the largest |error| and the mean of the
     * twelve |errors|, e.g. A100: (1.4 + 5.2 + 5.0 + 4.7 + 7.0 + 1.7 + 0.7 + 2.7 + 6.0 + 4.6 + 3.0
     * + 2.7) / 12 = 3.725. Each printed error is rounded to 0.05 points, and so is their mean. */
    static const double max_pct[] = {7.0, 10.2, 7.3, 13.3};
    static const double mean_pct[] = {
        (1.4 + 5.2 + 5.0 + 4.7 + 7.0 + 1.7 + 0.7 + 2.7 + 6.0 + 4.6 + 3.0 + 2.7) / 12,
        (7.6 + 10.2 + 10.1 + 5.3 + 8.7 + 7.3 + 8.6 + 6.8 + 8.6 + 6.9 + 0.1 + 1.8) / 12,
        (6.2 + 6.3 + 6.0 + 4.6 + 7.3 + 5.6 + 3.0 + 0.2 + 4.1 + 1.5 + 3.3 + 4.1) / 12,
        (4.2 + 1.8 + 1.8 + 1.1 + 2.7 + 5.0 + 7.5 + 2.7 + 13.3 + 8.7 + 12.6 + 4.4) / 12};
    for (size_t v = 0; v < VIDUR_PROFILES; v++) {
        const struct vidur_profile *m = &vidur_profiles[v];
        const struct arch *a = arch_find(m->model);
        struct device dev = *device_find(m->device);
        calib_apply(&dev, &m->fit);
        struct calib_point pts[VIDUR_SHOWN];
        for (size_t i = 0; i < VIDUR_SHOWN; i++)
            pts[i] = (struct calib_point){.tokens = vidur_tokens[i],
                                          .block_s = m->measured_ms[i] * 1e-3};
        struct calib_profile pr = {pts, VIDUR_SHOWN};
        struct calib_fit shown;
        calib_block_error(a, &dev, &pr, &shown);
        ck_assert_msg(fabs(100 * shown.max_error - max_pct[v]) <= 0.05 + 1e-9,
                      "%s on %s: max %.3f %%, docs %.1f %%", m->model, m->device,
                      100 * shown.max_error, max_pct[v]);
        ck_assert_msg(fabs(100 * shown.mean_error - mean_pct[v]) <= 0.05 + 1e-9,
                      "%s on %s: mean %.3f %%, docs %.3f %%", m->model, m->device,
                      100 * shown.mean_error, mean_pct[v]);
        ck_assert(shown.max_error <= m->fit.max_error + VIDUR_ERR_ROUNDING);
    }
}
END_TEST

static Suite *calibrate_suite(void)
{
    Suite *s = suite_create("calibrate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_parse_rows);
    tcase_add_test(tc, test_parse_refusals);
    tcase_add_test(tc, test_parse_keeps_at_most_max_points);
    tcase_add_test(tc, test_read_file);
    tcase_add_test(tc, test_block_error_by_hand);
    tcase_add_loop_test(tc, test_fit_recovers_chosen_efficiencies, 0,
                        (int)(sizeof chosen_fits / sizeof *chosen_fits));
    tcase_add_test(tc, test_fit_reports_its_own_error);
    tcase_add_test(tc, test_measured_profiles);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(calibrate_suite)
