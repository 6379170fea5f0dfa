/* The split model's predictor (models/split/predict.c), the function behind every true
 * evaluation: its numbers against hand computation on small cases. The cost tables are written
 * here with round numbers (prefill time proportional to the tokens, decode time constant, so the
 * tables' log-log interpolation is exact), the link is the erasure channel at a fixed rate, and
 * every expected value is worked out from those numbers, piece by piece, in the comments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "split_world.h"
#include "models/split/split_internal.h"

/* TinyLlama-1.1B: L = 22 blocks, hidden size 2048. */
#define L_BLOCKS 22
#define HIDDEN   2048

/* A cost table for TinyLlama: per token, prefill costs `emb`, `blk` (each block) and `head` ms;
 * one decode step costs `d_emb`, `d_blk`, `d_head` ms whatever the context and batch. */
static char *write_table(const char *tag, const char *device, double power_w, double emb,
                         double blk, double head, double d_emb, double d_blk, double d_head)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "/tmp/splitsim-test-predict-%s-%d.yaml", tag, (int)getpid()),
                     0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "format: splitsim-cost-table\nformat_version: 1\nmodel: tinyllama-1.1b\n"
            "device: %s\nprovenance: {method: measured, tool: test, created: \"2026-12-04\", "
            "source: \"round numbers for hand computation\"}\npower_w: %g\n"
            "units: {time: ms, size: B}\nprefill_tokens: [1, 1024]\n"
            "decode_context: [1, 4096]\ndecode_batch: [1, 64]\nlayers:\n",
            device, power_w);
    const char *names[] = {"embedding", "block", "head"};
    const unsigned counts[] = {1, L_BLOCKS, 1};
    const double pre[] = {emb, blk, head}, dec[] = {d_emb, d_blk, d_head};
    for (int g = 0; g < 3; g++)
        fprintf(f,
                "  - {name: %s, count: %u, param_bytes: 1000, kv_bytes_per_token: %d, "
                "hidden_bytes_per_token: %d, prefill_ms: [%.17g, %.17g], "
                "decode_ms: [[%.17g, %.17g], [%.17g, %.17g]]}\n",
                names[g], counts[g], g == 1 ? 1024 : 0, 2 * HIDDEN, pre[g], 1024 * pre[g], dec[g],
                dec[g], dec[g], dec[g]);
    fclose(f);
    return path;
}

struct world {
    struct split_world s;
    struct sim sim;
    struct split_model m;
    char *ue_table, *edge_table;
};

/* UE table: 0.01 ms/token embedding, 0.1 ms/token per block, 0.5 ms/token head; decode 0.02,
 * 0.2, 1 ms; 10 W. Edge table: a tenth of the UE's per-token prefill times, decode 0.002, 0.02,
 * 0.1 ms; 300 W. Link: erasure channel, 1 Mbit/s, erasure probability p, 4-byte token ids;
 * transmit draw 2 W (33.01 dBm), receive draw 1 W (30 dBm). */
static void world_open(struct world *w, double p, double deadline_s, const char *extra)
{
    memset(w, 0, sizeof *w);
    w->ue_table = write_table("ue", "jetson-orin-nano", 10, 0.01, 0.1, 0.5, 0.02, 0.2, 1);
    w->edge_table = write_table("edge", "a100", 300, 0.001, 0.01, 0.05, 0.002, 0.02, 0.1);
    char *text = NULL;
    ck_assert_int_ge(
        asprintf(&text,
                 "model: split\nrun: {duration: 1 s}\nllm: {model: tinyllama-1.1b}\n"
                 "ues: {count: 1, cost_table: %s, tx_power_draw: 2 W, rx_power_draw: 1 W}\n"
                 "edge: {cost_table: %s, batch_max: 8}\n"
                 "workload: {rate: 0.000001 /s, deadline: %.17g s}\n"
                 "channel: {model: erasure, erasure_probability: %.17g, erasure_rate: 1 Mbit/s, "
                 "token_bytes: 4 B}\n"
                 "recording: {interval: 0 s}\n%s",
                 w->ue_table, w->edge_table, deadline_s, p, extra ? extra : ""),
        0);
    split_world_load(&w->s, text);
    free(text);
    ck_assert_int_eq(sim_init(&w->sim, NULL, 64), 0);
    const char *why = NULL;
    ck_assert_int_eq(split_init(&w->m, &w->sim, &w->s.in, 0, &(struct split_recorders){0},
                                &w->s.res, NULL, &why),
                     0);
}

static void world_close(struct world *w)
{
    split_release(&w->m);
    sim_release(&w->sim);
    split_world_release(&w->s);
    unlink(w->ue_table);
    unlink(w->edge_table);
    free(w->ue_table);
    free(w->edge_table);
}

static void predict(struct world *w, uint32_t k, bool state, struct split_pred *p)
{
    split_predict(&w->m, &w->m.ues[0], 0, 16, 3, k, NAN, w->s.scn.channel.erasure_probability,
                  state, NAN, p);
}

#define EQ(a, b) ck_assert_double_eq_tol((a), (b), 1e-12 * fmax(1, fabs((double)(b))))

/* The UE's own prediction at split k (no server state) is TTFT, TPOT and latency (s), energy (J),
 * erasure probability and quality as given; returns it. */
static struct split_pred predicts(struct world *w, uint32_t k, double ttft, double tpot,
                                  double latency, double energy, double erasure, double quality)
{
    struct split_pred p;
    predict(w, k, false, &p);
    EQ(p.ttft, ttft);
    EQ(p.tpot, tpot);
    EQ(p.latency, latency);
    EQ(p.energy, energy);
    EQ(p.erasure, erasure);
    EQ(p.quality, quality);
    return p;
}

/*
 * k = 4, a prompt of N = 16 tokens, M = 3 output tokens, p = 0:
 *   UE prefill, layers 0..4 (embedding + 4 blocks): 16 x (0.01 + 4 x 0.1) ms      = 6.56 ms
 *   hidden state up: 16 tokens x 2048 values x 2 B x 8 bit / 1e6 bit/s           = 524.288 ms
 *   edge prefill, blocks 5..22 (18) + head: 16 x (18 x 0.01 + 0.05) ms            = 3.68 ms
 *   first token down: 4 B x 8 / 1e6                                             = 0.032 ms
 *   TTFT = 534.56 ms
 *   per further token: UE 0.02 + 4 x 0.2 = 0.82 ms; up 2048 x 2 x 8 / 1e6 = 32.768 ms;
 *   edge 18 x 0.02 + 0.1 = 0.46 ms; down 0.032 ms: TPOT = 34.08 ms
 *   latency = TTFT + 2 TPOT = 602.72 ms
 *   energy = 10 W x (6.56 + 2 x 0.82) ms + 2 W x (524.288 + 2 x 32.768) ms + 1 W x 3 x 0.032 ms
 *          = 0.082 + 1.179648 + 0.000096 J = 1.261744 J
 */
START_TEST(test_mid_split_by_hand)
{
    struct world w;
    world_open(&w, 0, 0, NULL);
    struct split_pred p = predicts(&w, 4, 534.56e-3, 34.08e-3, 602.72e-3, 1.261744, 0, 1);
    /* the oracle's view of an idle server is the same */
    struct split_pred q;
    predict(&w, 4, true, &q);
    EQ(q.ttft, p.ttft);
    EQ(q.latency, p.latency);
    world_close(&w);
}
END_TEST

/*
 * k = 0 (all on the edge): the prompt's 16 token ids go up, 16 x 4 B x 8 / 1e6 = 0.512 ms; edge
 * prefill of every layer 16 x (0.001 + 22 x 0.01 + 0.05) = 4.336 ms; down 0.032 ms:
 * TTFT = 4.88 ms; then the edge decodes on its own, 0.002 + 22 x 0.02 + 0.1 = 0.542 ms a step,
 * without waiting for the UE (each token goes down, 0.032 ms, while the next is computed):
 * TPOT = 0.542 ms; latency = 4.88 + 2 x 0.542 = 5.964 ms.
 * Energy: 2 W x 0.512 ms + 1 W x 3 x 0.032 ms = 1.12e-3 J. Nothing is erased at k = 0.
 * k = L (all on the UE): TTFT = prefill 16 x (0.01 + 22 x 0.1 + 0.5) = 43.36 ms; TPOT = 0.02 +
 * 22 x 0.2 + 1 = 5.42 ms; latency 54.2 ms; energy 10 W x (43.36 + 2 x 5.42) ms = 0.542 J.
 */
START_TEST(test_end_splits_by_hand)
{
    struct world w;
    world_open(&w, 0.2, 0, NULL);
    predicts(&w, 0, 4.88e-3, 0.542e-3, 5.964e-3, 1.12e-3, 0, 1);
    predicts(&w, L_BLOCKS, 43.36e-3, 5.42e-3, 54.2e-3, 0.542, 0, 1);
    /* a split in between carries the channel's erasure probability, and its quality drops */
    struct split_pred p;
    predict(&w, 4, false, &p);
    EQ(p.erasure, 0.2);
    ck_assert(p.quality > 1);
    world_close(&w);
}
END_TEST

/*
 * The oracle sees the server's load: with the server busy running a batch and 4 jobs waiting
 * (batch_max 8), a decode step waits (4 / 8 + 1/2) iterations, where 1/2 is the mean residual
 * of the iteration running (renewal theory for a fixed-length iteration seen at a random time);
 * the table's decode time does not depend on the batch, so the iteration is 0.46 ms at k = 4 and
 * the wait is 0.46 ms: TTFT 534.56 + 0.46 = 535.02 ms, TPOT 34.08 + 0.46 = 34.54 ms. Without the
 * state (a UE's own estimate) the wait is the visible edge load times the iteration: 0.5 x 0.46.
 */
START_TEST(test_oracle_sees_the_queue)
{
    struct world w;
    world_open(&w, 0, 0, NULL);
    struct edge_server *e = &w.m.servers[0];
    e->busy = true;
    e->nrunning = 1;
    for (int i = 0; i < 4; i++) {
        struct edge_job job = {.kind = EDGE_DECODE, .from = 5, .to = L_BLOCKS + 2, .context = 20};
        ck_assert_int_eq(edge_submit(e, &job), 0);
    }
    ck_assert_uint_eq(edge_waiting(e), 4);
    struct split_pred p;
    predict(&w, 4, true, &p);
    EQ(p.ttft, 535.02e-3);
    EQ(p.tpot, 34.54e-3);
    split_predict(&w.m, &w.m.ues[0], 0, 16, 3, 4, NAN, 0, false, 0.5, &p);
    EQ(p.ttft, (534.56 + 0.23) * 1e-3);
    EQ(p.tpot, (34.08 + 0.23) * 1e-3);
    world_close(&w);
}
END_TEST

/*
 * The reward with weights quality 1, latency 0.5 (TTFT, reference 0.1 s), energy 0.25 (reference
 * 2 J), ue_load 0.1, edge_load 0.2, deadline 3 with a 0.5 s deadline; k = 4 of 22 (k_max 22),
 * quality 1.25, TTFT 0.3 s, latency 0.7 s (missed), energy 1 J:
 *   1 x (1 - 1.25) + 0.1 x (22 - 4) / 22 - 0.5 x 0.3 / 0.1 - 0.25 x 1 / 2 - 0.2 x 18 / 22 - 3
 *   = -0.25 + 0.0818181818 - 1.5 - 0.125 - 0.1636363636 - 3 = -4.9568181818...
 */
START_TEST(test_reward_by_hand)
{
    struct world w;
    world_open(&w, 0, 0.5,
               "reward: {quality: 1, latency: 0.5, latency_metric: ttft, latency_ref: 0.1 s, "
               "energy: 0.25, energy_ref: 2 J, ue_load: 0.1, edge_load: 0.2, deadline: 3}\n");
    double r = split_reward_of(&w.m, 4, 1.25, 0.3, 0.01, 0.7, 1);
    EQ(r, -0.25 + 0.1 * 18.0 / 22 - 1.5 - 0.125 - 0.2 * 18.0 / 22 - 3);
    /* met deadline: no penalty */
    EQ(split_reward_of(&w.m, 4, 1.25, 0.3, 0.01, 0.4, 1) - r, 3);
    world_close(&w);
}
END_TEST

static Suite *predict_suite(void)
{
    Suite *s = suite_create("predict");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mid_split_by_hand);
    tcase_add_test(tc, test_end_splits_by_hand);
    tcase_add_test(tc, test_oracle_sees_the_queue);
    tcase_add_test(tc, test_reward_by_hand);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(predict_suite)
