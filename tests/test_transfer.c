/* The split model's transfers (models/split/transfer.c): HARQ against the geometric law of
 * independent retries, and the uplink's duration against the link budget. With a constant channel
 * (no fading, no shadowing, one UE alone in the cell) every packet of a round is lost
 * independently with the same probability p; a hidden-state packet is sent up to harq_max + 1
 * times, so it ends erased with probability p^(H+1) and costs p + p^2 + ... + p^H
 * retransmissions on average. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "split_world.h"
#include "models/split/split_internal.h"

/* Runs replication 0; the uplink's and downlink's packet-error probabilities of UE 0. */
static void run(struct split_world *w, double *p_up, double *p_down)
{
    struct sim sim;
    struct split_model m;
    ck_assert_int_eq(sim_init(&sim, NULL, 64), 0);
    const char *why = NULL;
    ck_assert_int_eq(
        split_init(&m, &sim, &w->in, 0, &(struct split_recorders){0}, &w->res, NULL, &why), 0);
    struct chan_selection sel;
    double snr = chan_snr(&m.ues[0].link, &w->in.up, 0, 0, 1.0);
    chan_select(&w->in.up, snr, &sel);
    *p_up = chan_packet_error(&w->in.up, &sel, snr);
    snr = chan_snr(&m.ues[0].link, &w->in.down, 0, 0, 1.0);
    chan_select(&w->in.down, snr, &sel);
    *p_down = chan_packet_error(&w->in.down, &sel, snr);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_int_eq(m.error, 0);
    split_release(&m);
    sim_release(&sim);
}

/* Mean and its standard error over a metric's values. */
static void mean_se(const struct split_values *v, double *mean, double *se)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < v->n; i++) {
        s += v->v[i];
        s2 += v->v[i] * v->v[i];
    }
    *mean = s / (double)v->n;
    double var = (s2 - s * s / (double)v->n) / (double)(v->n - 1);
    *se = sqrt(var / (double)v->n);
}

/* A 3GPP-MCS link with no margin, the UE far out (SNR -7.9 dB, below CQI 1's threshold, which
 * is used anyway): p = 0.38 from the BLER curve, constant. Requests every 5 s, so that no two
 * transfers share the cell (a shared cell gives each a narrower band, a higher SNR, a lower p).
 * 64-token prompts at k = 4 of TinyLlama: 64 x 2048 x 2 B = 262,144 B in 175 packets of 1,498 B,
 * sent in one burst per round (a 10 s link-adaptation interval holds a whole round). */
#define HARQ_SCENARIO                                                                              \
    "model: split\n"                                                                               \
    "run: {duration: 5000 s, seed: %u}\n"                                                          \
    "llm: {model: tinyllama-1.1b}\n"                                                               \
    "ues: {count: 1, device: jetson-orin-nano}\n"                                                  \
    "cell: {radius: %g m}\n"                                                                       \
    "workload: {arrival: periodic, rate: 0.2 /s, prompt_tokens: 64, output_tokens: 1}\n"           \
    "channel: {fading: none, shadowing: 0 dB, rate: mcs, margin: 0 "                               \
    "dB, adaptation_interval: 10 s, harq_max: %u, max_rounds: 1000}\n"                             \
    "split: {layer: 4}\n"                                                                          \
    "recording: {interval: 0 s}\n"

static void check_harq(unsigned harq_max)
{
    /* a seed and cell size that put the UE where p is sizeable (found once; checked below) */
    char *text = NULL;
    ck_assert_int_ge(asprintf(&text, HARQ_SCENARIO, 1u, 700.0, harq_max), 0);
    struct split_world w;
    split_world_load(&w, text);
    double p, p_dl;
    run(&w, &p, &p_dl);
    ck_assert_msg(p > 0.05 && p < 0.7, "packet-error probability %g: not a useful test point", p);
    const double packets = 175;
    double erased = pow(p, harq_max + 1), retx = 0, p_i = 1;
    for (unsigned i = 1; i <= harq_max; i++)
        retx += (p_i *= p);
    /* the token coming back: resent until received, 1 / (1 - p_dl) tries on average */
    double retx_down = p_dl / (1 - p_dl);
    double mean, se;
    mean_se(&w.res.metric[SM_ERASURE], &mean, &se);
    ck_assert_uint_ge(w.res.metric[SM_ERASURE].n, 1000);
    ck_assert_msg(fabs(mean - erased) < 4 * se + 1e-12,
                  "H = %u, p = %g: erased fraction %g +- %g, theory p^(H+1) = %g", harq_max, p,
                  mean, se, erased);
    mean_se(&w.res.metric[SM_RETRANSMISSIONS], &mean, &se);
    double want = packets * retx + retx_down;
    ck_assert_msg(fabs(mean - want) < 4 * se + 1e-9,
                  "H = %u, p = %g: retransmissions %g +- %g per request, theory %g", harq_max, p,
                  mean, se, want);
    split_world_release(&w);
    free(text);
}

START_TEST(test_harq_geometric)
{
    check_harq((unsigned)_i);
}
END_TEST

/*
 * Without losses (a clear channel), the uplink of a round takes its bits over the rate link
 * adaptation picked, to the nanosecond per burst: B log2-free, from the CQI table's efficiency.
 * With the link-adaptation interval longer than the transfer, one burst: bits / (B x efficiency).
 */
START_TEST(test_uplink_time_one_burst)
{
    char *text = NULL;
    ck_assert_int_ge(
        asprintf(
            &text,
            "model: split\nrun: {duration: 20 s, seed: 1}\nllm: {model: tinyllama-1.1b}\n"
            "ues: {count: 1, device: jetson-orin-nano}\ncell: {radius: 30 m}\n"
            "workload: {rate: 0.5 /s, prompt_tokens: 16, output_tokens: 1}\n"
            "channel: {fading: none, shadowing: 0 dB, adaptation_interval: 10 s, harq_max: 0}\n"
            "split: {layer: 4}\nrecording: {interval: 0 s}\n"),
        0);
    struct split_world w;
    split_world_load(&w, text);
    double p, p_dl;
    run(&w, &p, &p_dl);
    ck_assert_double_eq(p, 0);
    const struct split_values *air = &w.res.metric[SM_AIRTIME_UP];
    ck_assert_uint_ge(air->n, 5);
    /* 16 x 2048 x 2 B = 65,536 B in 44 packets: 524,288 bits in one burst */
    struct sim sim;
    struct split_model m;
    struct split_results res = {0};
    ck_assert_int_eq(sim_init(&sim, NULL, 64), 0);
    const char *why = NULL;
    ck_assert_int_eq(split_init(&m, &sim, &w.in, 0, &(struct split_recorders){0}, &res, NULL, &why),
                     0);
    struct chan_selection sel;
    chan_select(&w.in.up, chan_snr(&m.ues[0].link, &w.in.up, 0, 0, 1.0), &sel);
    double want = ceil(524288.0 / sel.efficiency / w.in.up.bandwidth_hz * 1e9) * 1e-9;
    for (size_t i = 0; i < air->n; i++)
        ck_assert_double_eq_tol(air->v[i], want, 1.5e-9);
    split_release(&m);
    sim_release(&sim);
    split_results_release(&res);
    split_world_release(&w);
    free(text);
}
END_TEST

static Suite *transfer_suite(void)
{
    Suite *s = suite_create("transfer");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_harq_geometric, 0, 4);
    tcase_add_test(tc, test_uplink_time_one_burst);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(transfer_suite)
