/* The split-inference request flow: one request against a hand calculation of its latency, the
 * flow's invariants on a loaded cell, k = 0 and k = L, the paper's erasure channel against its
 * binomial mean, common random numbers across splits, and reproducibility. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "check_main.h"
#include "split_world.h"
#include "h5read.h"
#include "models/split/split.h"
#include "sim/stats.h"

/* Runs replication `rep`; returns the number of requests still in progress at the end (0). */
static uint64_t run_rep(struct split_world *w, uint32_t rep, const struct split_recorders *tabs)
{
    struct sim sim;
    struct split_model m;
    ck_assert_int_eq(sim_init(&sim, NULL, 64), 0);
    const char *why = NULL;
    ck_assert_int_eq(split_init(&m, &sim, &w->in, rep, tabs, &w->res, NULL, &why), 0);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_int_eq(m.error, 0);
    uint64_t left = m.in_progress;
    for (uint32_t s = 0; s < m.nservers; s++) {
        ck_assert_double_eq(m.servers[s].kv_used, 0); /* every reservation released */
        ck_assert_uint_eq(edge_waiting(&m.servers[s]), 0);
    }
    ck_assert_uint_eq(m.cell.nactive, 0);
    ck_assert_int_eq(split_record_ues(&m), 0);
    split_release(&m);
    sim_release(&sim);
    return left;
}

/* A trace file with one request. */
static char *one_request_trace(double t, unsigned prompt, unsigned output)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "/tmp/splitsim-test-split-%d.csv", (int)getpid()), 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "time_s,ue,prompt_tokens,output_tokens\n%g,0,%u,%u\n", t, prompt, output);
    fclose(f);
    return path;
}

static int64_t ns_of(double ms)
{
    int64_t ns = llround(ms * 1e6);
    return ns > 0 ? ns : 1;
}

/* Uplink time of `bytes` alone in the cell at a constant SNR with a link-adaptation interval
 * longer than the transfer: one burst at the efficiency link adaptation picks, bits / (B x
 * efficiency), rounded up to the nanosecond as the cell schedules it (tests/test_transfer.c checks
 * the bursts and HARQ rounds). */
static int64_t uplink_ns(const struct split_inputs *in, struct chan_link *l, double bytes)
{
    double snr = chan_snr(l, &in->up, 0, 0, 1.0);
    struct chan_selection sel;
    chan_select(&in->up, snr, &sel);
    ck_assert_double_eq(chan_packet_error(&in->up, &sel, snr), 0);
    ck_assert(bytes * 8 / (in->up.bandwidth_hz * sel.efficiency) < 10); /* one 10 s block */
    return (int64_t)ceil(bytes * 8 / sel.efficiency / in->up.bandwidth_hz * 1e9);
}

static int64_t downlink_ns(const struct split_inputs *in, struct chan_link *l, double bytes)
{
    double snr = chan_snr(l, &in->down, 0, 0, 1.0);
    struct chan_selection sel;
    chan_select(&in->down, snr, &sel);
    return llround(bytes * 8 / (in->down.bandwidth_hz * sel.efficiency) * 1e9);
}

/*
 * One request (prompt 16, output 3, split k = 4 of TinyLlama's 22 blocks) in an otherwise empty
 * cell with a constant channel: its TTFT and latency are the sum of the pieces, each computed by
 * hand from the tables and the link budget, to the nanosecond.
 */
START_TEST(test_single_request_hand_calculation)
{
    char *trace = one_request_trace(1.0, 16, 3);
    char *text = NULL;
    ck_assert_int_ge(
        asprintf(
            &text,
            "model: split\n"
            "run: {duration: 10 s}\n"
            "llm: {model: tinyllama-1.1b}\n"
            "ues: {count: 1, device: jetson-orin-nano}\n"
            "workload: {arrival: trace, trace: %s}\n"
            "channel: {fading: none, shadowing: 0 dB, harq_max: 0, adaptation_interval: 10 s}\n"
            "edge: {device: a100}\n"
            "split: {layer: 4}\n"
            "recording: {interval: 0 s}\n",
            trace),
        0);
    struct split_world w;
    split_world_load(&w, text);
    ck_assert_uint_eq(run_rep(&w, 0, NULL), 0);
    ck_assert_uint_eq(w.res.metric[SM_TTFT].n, 1);

    /* the same link the model built for UE 0 */
    struct mobility mob;
    struct mobility_params mp = {.radius_m = w.scn.cell.radius_m};
    ck_assert_int_eq(mobility_init(&mob, &mp, w.scn.run.seed, 0, 0), 0);
    struct chan_link link;
    ck_assert_int_eq(
        chan_link_init(&link, &w.in.up, w.scn.run.seed, 0, 0, mobility_distance(&mob, &mp, 0)), 0);

    const struct split_inputs *in = &w.in;
    uint32_t k = 4, n = in->nlayers;
    double hidden = in->arch->hidden * 2.0; /* fp16 */
    bool x = false;
    struct edge_job prefill = {.kind = EDGE_PREFILL, .from = k + 1, .to = n, .tokens = 16};
    int64_t ttft = ns_of(cost_range_prefill_ms(&in->ue_table, 0, k + 1, 16, &x)) +
                   uplink_ns(in, &link, 16 * hidden) +
                   edge_iteration_ns(&in->edge_table, &prefill, 1, &x) + downlink_ns(in, &link, 4);
    int64_t latency = ttft;
    for (uint32_t got = 1; got < 3; got++) {
        struct edge_job step = {.kind = EDGE_DECODE, .from = k + 1, .to = n, .context = 16 + got};
        latency += ns_of(cost_range_decode_ms(&in->ue_table, 0, k + 1, 16 + got, 1, &x)) +
                   uplink_ns(in, &link, hidden) + edge_iteration_ns(&in->edge_table, &step, 1, &x) +
                   downlink_ns(in, &link, 4);
    }
    ck_assert_double_eq(w.res.metric[SM_TTFT].v[0], (double)ttft * 1e-9);
    ck_assert_double_eq(w.res.metric[SM_LATENCY].v[0], (double)latency * 1e-9);
    ck_assert_double_eq(w.res.metric[SM_ERASURE].v[0], 0);
    ck_assert_double_eq(w.res.metric[SM_QUALITY].v[0], 1);
    ck_assert_double_eq(w.res.metric[SM_BYTES_UP].v[0], 18 * hidden);
    /* compute energy = device power x UE compute time */
    ck_assert_double_eq_tol(w.res.metric[SM_ENERGY_COMPUTE].v[0],
                            in->ue_table.power_w * w.res.metric[SM_UE_COMPUTE].v[0], 1e-12);
    mobility_release(&mob);
    split_world_release(&w);
    unlink(trace);
    free(trace);
    free(text);
}
END_TEST

static const char *loaded_cell = "model: split\n"
                                 "run: {duration: 120 s, seed: 5}\n"
                                 "llm: {model: tinyllama-1.1b}\n"
                                 "ues: {count: 24, device: jetson-orin-nano}\n"
                                 "workload: {rate: 6 /min, prompt_tokens: 64, output_tokens: 16, "
                                 "tokens: geometric}\n"
                                 "cell: {bandwidth: 5 MHz}\n"
                                 "channel: {pathloss: umi, fading: rayleigh, rate: mcs}\n"
                                 "edge: {servers: 2, batch_max: 8, device: l4}\n"
                                 "recording: {interval: 1 s}\n";

/* Many UEs, fading, MCS with BLER, two servers: every request finishes with consistent times. */
START_TEST(test_loaded_cell_invariants)
{
    for (int k = 0; k <= 22; k += 11) {
        char *text = NULL;
        ck_assert_int_ge(asprintf(&text, "%ssplit: {layer: %d}\n", loaded_cell, k), 0);
        struct split_world w;
        split_world_load(&w, text);
        ck_assert_uint_eq(run_rep(&w, 0, NULL), 0);
        const struct split_rep_totals *t = &w.res.reps[0];
        ck_assert_uint_gt(t->arrived, 200);
        ck_assert_uint_eq(t->finished + t->refused + t->failed, t->arrived);
        const struct split_values *ttft = &w.res.metric[SM_TTFT], *lat = &w.res.metric[SM_LATENCY];
        ck_assert_uint_eq(ttft->n, lat->n);
        for (size_t i = 0; i < ttft->n; i++) {
            ck_assert(ttft->v[i] > 0);
            ck_assert(ttft->v[i] <= lat->v[i]);
        }
        for (size_t i = 0; i < w.res.metric[SM_ERASURE].n; i++) {
            double e = w.res.metric[SM_ERASURE].v[i];
            ck_assert(e >= 0 && e <= 1);
            if (k == 0 || k == 22)
                ck_assert_double_eq(e, 0); /* token ids are reliable; k = L sends nothing */
        }
        if (k == 22) { /* all on the UE: nothing crosses the link, no edge work */
            for (size_t i = 0; i < w.res.metric[SM_BYTES_UP].n; i++)
                ck_assert_double_eq(w.res.metric[SM_BYTES_UP].v[i], 0);
            for (size_t i = 0; i < w.res.metric[SM_EDGE_COMPUTE].n; i++)
                ck_assert_double_eq(w.res.metric[SM_EDGE_COMPUTE].v[i], 0);
        }
        split_world_release(&w);
        free(text);
    }
}
END_TEST

/* The paper's channel: each value erased with probability p, so a request's mean erasure
 * fraction is p; 99.9 % interval from the sample. */
START_TEST(test_erasure_channel_mean)
{
    const char *text = "model: split\n"
                       "run: {duration: 600 s, seed: 3}\n"
                       "llm: {model: qwen2-0.5b}\n"
                       "ues: {count: 4, device: jetson-orin-nano}\n"
                       "workload: {rate: 6 /min, prompt_tokens: 32, output_tokens: 2}\n"
                       "channel: {model: erasure, erasure_probability: 0.1}\n"
                       "split: {layer: 3}\n"
                       "recording: {interval: 0 s}\n";
    struct split_world w;
    split_world_load(&w, text);
    ck_assert_uint_eq(run_rep(&w, 0, NULL), 0);
    const struct split_values *e = &w.res.metric[SM_ERASURE];
    ck_assert_uint_gt(e->n, 100);
    struct stats_running s = {0};
    for (size_t i = 0; i < e->n; i++)
        stats_running_add(&s, e->v[i]);
    double hw = stats_running_halfwidth(&s, 0.999);
    ck_assert_msg(fabs(s.mean - 0.1) < hw, "mean erasure %g, expected 0.1 +- %g", s.mean, hw);
    ck_assert(hw < 0.005);
    /* quality falls with erasures */
    for (size_t i = 0; i < w.res.metric[SM_QUALITY].n; i++)
        ck_assert(w.res.metric[SM_QUALITY].v[i] > 1);
    split_world_release(&w);
}
END_TEST

static void run_to_file(const char *text, const char *path)
{
    struct split_world w;
    split_world_load(&w, text);
    struct diag d;
    diag_init(&d);
    struct rec *r = NULL;
    struct rec_options o = {.wallclock = 1700000000};
    ck_assert_int_eq(rec_open(&r, path, &o, &d), 0);
    struct split_recorders tabs = {0};
    ck_assert_int_eq(rec_table_create(r, "/requests", split_request_columns,
                                      split_request_column_count, &tabs.requests),
                     0);
    ck_assert_uint_eq(run_rep(&w, 0, &tabs), 0);
    struct split_stat st[SM_COUNT_];
    ck_assert_int_eq(split_record_summary(r, "/summary", &w.in, &w.res, st), 0);
    ck_assert_int_eq(rec_close(r, true), 0);
    diag_release(&d);
    split_world_release(&w);
}

/* Common random numbers: another split changes no UE's arrivals, sizes or channel. */
START_TEST(test_common_random_numbers)
{
    char a[128], b[128], c[128];
    snprintf(a, sizeof a, "/tmp/splitsim-test-crn-a-%d.h5", (int)getpid());
    snprintf(b, sizeof b, "/tmp/splitsim-test-crn-b-%d.h5", (int)getpid());
    snprintf(c, sizeof c, "/tmp/splitsim-test-crn-c-%d.h5", (int)getpid());
    char *t1 = NULL, *t2 = NULL;
    ck_assert_int_ge(asprintf(&t1, "%ssplit: {layer: 2}\n", loaded_cell), 0);
    ck_assert_int_ge(asprintf(&t2, "%ssplit: {layer: 15}\n", loaded_cell), 0);
    run_to_file(t1, a);
    run_to_file(t2, b);
    run_to_file(t1, c);
    size_t na = 0, nb = 0;
    int64_t *arr_a = h5_read_column(a, "/requests/arrival_ns", H5T_NATIVE_INT64, &na);
    int64_t *arr_b = h5_read_column(b, "/requests/arrival_ns", H5T_NATIVE_INT64, &nb);
    int64_t *ue_a = h5_read_column(a, "/requests/ue", H5T_NATIVE_INT64, &na);
    int64_t *ue_b = h5_read_column(b, "/requests/ue", H5T_NATIVE_INT64, &nb);
    int64_t *id_a = h5_read_column(a, "/requests/id", H5T_NATIVE_INT64, &na);
    int64_t *id_b = h5_read_column(b, "/requests/id", H5T_NATIVE_INT64, &nb);
    int64_t *pr_a = h5_read_column(a, "/requests/prompt_tokens", H5T_NATIVE_INT64, &na);
    int64_t *pr_b = h5_read_column(b, "/requests/prompt_tokens", H5T_NATIVE_INT64, &nb);
    double *snr_a = h5_read_column(a, "/requests/snr_db", H5T_NATIVE_DOUBLE, &na);
    double *snr_b = h5_read_column(b, "/requests/snr_db", H5T_NATIVE_DOUBLE, &nb);
    ck_assert_uint_eq(na, nb);
    /* rows are in completion order; match them by request id (= arrival order) */
    int64_t *pos = calloc(na, sizeof *pos);
    for (size_t i = 0; i < nb; i++)
        pos[id_b[i]] = (int64_t)i;
    for (size_t i = 0; i < na; i++) {
        size_t j = (size_t)pos[id_a[i]];
        ck_assert_int_eq(arr_a[i], arr_b[j]);
        ck_assert_int_eq(ue_a[i], ue_b[j]);
        ck_assert_int_eq(pr_a[i], pr_b[j]);
        ck_assert_double_eq(snr_a[i], snr_b[j]); /* bit-identical fading at the same instant */
    }
    /* same seed, same split: the same file, byte for byte */
    size_t sa = 0, sc = 0;
    unsigned char *fa = file_bytes(a, &sa), *fc = file_bytes(c, &sc);
    ck_assert_uint_eq(sa, sc);
    ck_assert(memcmp(fa, fc, sa) == 0);
    free(fa);
    free(fc);
    free(pos);
    free(arr_a), free(arr_b), free(ue_a), free(ue_b), free(id_a), free(id_b);
    free(pr_a), free(pr_b), free(snr_a), free(snr_b);
    free(t1), free(t2);
    unlink(a), unlink(b), unlink(c);
}
END_TEST

/* A battery: once a UE has spent it, it sends no new request; without one, it goes on. */
START_TEST(test_battery_stops_new_requests)
{
#define BATTERY_SCENARIO                                                                           \
    "model: split\n"                                                                               \
    "run: {duration: 300 s, seed: 2}\n"                                                            \
    "llm: {model: tinyllama-1.1b}\n"                                                               \
    "ues: {count: 3, device: jetson-orin-nano, battery: %s}\n"                                     \
    "workload: {rate: 12 /min, prompt_tokens: 64, output_tokens: 8}\n"                             \
    "split: {layer: 11}\n"                                                                         \
    "recording: {interval: 0 s}\n"
    uint64_t arrived[2];
    for (int b = 0; b < 2; b++) {
        char *text = NULL;
        ck_assert_int_ge(asprintf(&text, BATTERY_SCENARIO, b ? "20 J" : "0 J"), 0);
        struct split_world w;
        split_world_load(&w, text);
        struct sim sim;
        struct split_model m;
        ck_assert_int_eq(sim_init(&sim, NULL, 64), 0);
        const char *why = NULL;
        ck_assert_int_eq(split_init(&m, &sim, &w.in, 0, NULL, &w.res, NULL, &why), 0);
        ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
        for (uint32_t u = 0; u < m.nues; u++) {
            ck_assert(m.ues[u].depleted == (b == 1));
            if (b) { /* it ran out, then finished what it had started, and no more */
                ck_assert_double_ge(m.ues[u].energy, 20);
                ck_assert_int_lt(m.ues[u].depleted_at, 300 * SIM_S);
            }
        }
        arrived[b] = w.res.reps[0].arrived;
        ck_assert_uint_eq(w.res.reps[0].finished, arrived[b]);
        split_release(&m);
        sim_release(&sim);
        split_world_release(&w);
        free(text);
    }
    ck_assert_uint_lt(arrived[1], arrived[0] / 2);
}
END_TEST

/* A request whose KV cache cannot fit in the whole budget is refused, not queued forever;
 * smaller ones still run. */
START_TEST(test_kv_refusal)
{
    const char *text = "model: split\n"
                       "run: {duration: 120 s, seed: 4}\n"
                       "llm: {model: tinyllama-1.1b}\n"
                       "ues: {count: 4, device: jetson-orin-nano}\n"
                       "workload: {rate: 6 /min, prompt_tokens: 200, output_tokens: 4, tokens: "
                       "geometric}\n"
                       "edge: {kv_memory: 4 MiB}\n" /* 44 KiB per token at k = 0 */
                       "split: {layer: 0}\n"
                       "recording: {interval: 0 s}\n";
    struct split_world w;
    split_world_load(&w, text);
    ck_assert_uint_eq(run_rep(&w, 0, NULL), 0);
    const struct split_rep_totals *t = &w.res.reps[0];
    ck_assert_uint_gt(t->refused, 0);
    ck_assert_uint_gt(t->finished, 0);
    ck_assert_uint_eq(t->finished + t->refused + t->failed, t->arrived);
    split_world_release(&w);
}
END_TEST

/* Arrival gaps and waypoint legs too long for int64 nanoseconds (rate 1e-12 /s, a crawling
 * UE) mean "never", not an abort: the run ends with no request, whatever the arrival process. */
START_TEST(test_rare_arrivals)
{
    static const char *const variants[] = {
        "workload: {rate: 1e-12 /s, arrival: poisson}\n",
        "workload: {rate: 1e-12 /s, arrival: periodic}\n",
        "workload: {rate: 1e-12 /s}\n"
        "ues: {count: 3, device: jetson-orin-nano, mobility: random_waypoint, speed_min: 1e-300 "
        "m/s, speed_max: 1e-300 m/s}\n",
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "model: split\nrun: {duration: 30 d, seed: 4}\nllm: {model: tinyllama-1.1b}\n"
                 "recording: {interval: 0 s}\n%s%s",
                 i < 2 ? "ues: {count: 3, device: jetson-orin-nano}\n" : "", variants[i]);
        struct split_world w;
        split_world_load(&w, text);
        ck_assert_uint_eq(run_rep(&w, 0, NULL), 0);
        ck_assert_uint_eq(w.res.reps[0].arrived, 0);
        split_world_release(&w);
    }
}
END_TEST

/* A UE compute time that cannot be represented in the run's nanoseconds (a table extrapolated
 * far beyond its grid) stops the run with -ERANGE: it is never clamped (it once became 1 ns). */
START_TEST(test_unrepresentable_time_stops_run)
{
    char *trace = one_request_trace(0.5, 1000000, 2);
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "model: split\nrun: {duration: 10 s}\nllm: {model: tinyllama-1.1b}\n"
                              "workload: {arrival: trace, trace: %s}\nsplit: {layer: 22}\n"
                              "recording: {interval: 0 s}\n",
                              trace),
                     0);
    struct split_world w;
    split_world_load(&w, text);
    /* Within the limits (one day for one layer), but steep: 4096 tokens cost a day. */
    struct cost_table *t = &w.in.ue_table;
    for (size_t k = 0; k < t->ngroups; k++)
        t->groups[k].prefill_ms[t->nprefill - 1] = 8.64e7;
    struct sim sim;
    struct split_model m;
    ck_assert_int_eq(sim_init(&sim, NULL, 64), 0);
    const char *why = NULL;
    ck_assert_int_eq(split_init(&m, &sim, &w.in, 0, NULL, &w.res, NULL, &why), 0);
    ck_assert_int_ne(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_int_eq(m.error, -ERANGE);
    split_release(&m);
    sim_release(&sim);
    split_world_release(&w);
    unlink(trace);
    free(trace);
    free(text);
}
END_TEST

/* Moving UEs (random waypoint) and Rician fading: the flow's invariants hold and the run is
 * reproducible. */
START_TEST(test_mobility_runs)
{
    char *text = NULL;
    ck_assert_int_ge(asprintf(&text,
                              "%ssplit: {layer: 6}\n"
                              "ues: {count: 24, device: jetson-orin-nano, mobility: "
                              "random_waypoint, speed_min: 5 m/s, speed_max: 15 m/s}\n",
                              "model: split\n"
                              "run: {duration: 120 s, seed: 8}\n"
                              "llm: {model: tinyllama-1.1b}\n"
                              "workload: {rate: 6 /min, prompt_tokens: 64, output_tokens: 16}\n"
                              "channel: {fading: rician, rician_k: 5}\n"
                              "recording: {interval: 1 s}\n"),
                     0);
    double sum[2];
    for (int i = 0; i < 2; i++) {
        struct split_world w;
        split_world_load(&w, text);
        ck_assert_uint_eq(run_rep(&w, 0, NULL), 0);
        ck_assert_uint_gt(w.res.metric[SM_LATENCY].n, 100);
        sum[i] = 0;
        for (size_t j = 0; j < w.res.metric[SM_LATENCY].n; j++)
            sum[i] += w.res.metric[SM_LATENCY].v[j];
        split_world_release(&w);
    }
    ck_assert_double_eq(sum[0], sum[1]);
    free(text);
}
END_TEST

/* A mixed fleet: UE u uses class u mod n; everything on the UE (k = L), so its energy is its
 * device's power times its prefill time, exactly. */
START_TEST(test_mixed_fleet)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "/tmp/splitsim-test-fleet-%d.csv", (int)getpid()), 0);
    FILE *f = fopen(path, "w");
    fprintf(f, "1,0,16,1\n1,1,16,1\n1,2,16,1\n");
    fclose(f);
    char *text = NULL;
    ck_assert_int_ge(asprintf(&text,
                              "model: split\n"
                              "run: {duration: 10 s}\n"
                              "llm: {model: tinyllama-1.1b}\n"
                              "ues: {count: 3, classes: [jetson-orin-nano, raspberry-pi-5]}\n"
                              "workload: {arrival: trace, trace: %s}\n"
                              "split: {layer: 22}\n"
                              "recording: {interval: 0 s}\n",
                              path),
                     0);
    struct split_world w;
    split_world_load(&w, text);
    ck_assert_uint_eq(w.in.nclasses, 2);
    struct sim sim;
    struct split_model m;
    const char *why = NULL;
    ck_assert_int_eq(sim_init(&sim, NULL, 64), 0);
    ck_assert_int_eq(split_init(&m, &sim, &w.in, 0, NULL, &w.res, NULL, &why), 0);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    bool x = false;
    for (uint32_t u = 0; u < 3; u++) {
        const struct cost_table *t = split_ue_table(&w.in, u);
        ck_assert_str_eq(t->device, u % 2 ? "raspberry-pi-5" : "jetson-orin-nano");
        double e =
            t->power_w * (double)ns_of(cost_range_prefill_ms(t, 0, w.in.nlayers, 16, &x)) * 1e-9;
        ck_assert_double_eq_tol(m.ues[u].energy, e, 1e-12 * e);
    }
    /* the two classes really differ: the Pi takes far longer for the same work */
    ck_assert(cost_range_prefill_ms(split_ue_table(&w.in, 1), 0, w.in.nlayers, 16, &x) >
              5 * cost_range_prefill_ms(split_ue_table(&w.in, 0), 0, w.in.nlayers, 16, &x));
    split_release(&m);
    sim_release(&sim);
    split_world_release(&w);
    unlink(path);
    free(path);
    free(text);
}
END_TEST

/* A weighted mix: 70 % and 30 % of 10 UEs are 7 and 3, in the order worked out by hand from the
 * rule of sim/apportion.h (item 1: only class 0 is owed 1/2 or more; item 2: only class 1; ...;
 * item 5: both are owed 1/2 and due at 5: the lower), whatever the seed; each UE's cost table is
 * its class's. Plain entries stay u mod n. */
START_TEST(test_weighted_fleet)
{
    static const uint32_t want[10] = {0, 1, 0, 0, 0, 1, 0, 0, 1, 0};
    for (int seed = 1; seed <= 2; seed++) {
        char *text = NULL;
        ck_assert_int_ge(asprintf(&text,
                                  "model: split\nrun: {duration: 10 s, seed: %d}\n"
                                  "llm: {model: tinyllama-1.1b}\n"
                                  "ues:\n  count: 10\n  classes:\n"
                                  "    - {device: jetson-orin-nano, fraction: 0.7}\n"
                                  "    - {device: raspberry-pi-5, fraction: 0.3}\n",
                                  seed),
                         0);
        struct split_world w;
        split_world_load(&w, text);
        ck_assert_uint_eq(w.in.nclasses, 2);
        ck_assert(w.in.class_ues[0] == 7 && w.in.class_ues[1] == 3);
        ck_assert(w.in.class_fraction[0] == 0.7 && w.in.class_fraction[1] == 0.3);
        for (uint32_t u = 0; u < 10; u++) {
            ck_assert_uint_eq(w.in.ue_class[u], want[u]);
            ck_assert_str_eq(split_ue_table(&w.in, u)->device,
                             want[u] ? "raspberry-pi-5" : "jetson-orin-nano");
        }
        split_world_release(&w);
        free(text);
    }
    struct split_world w;
    split_world_load(&w, "model: split\nrun: {duration: 10 s}\nllm: {model: tinyllama-1.1b}\n"
                         "ues: {count: 5, classes: [jetson-orin-nano, raspberry-pi-5, l4]}\n");
    ck_assert(w.in.class_ues[0] == 2 && w.in.class_ues[1] == 2 && w.in.class_ues[2] == 1);
    ck_assert(w.in.class_fraction[2] == 1.0 / 3);
    for (uint32_t u = 0; u < 5; u++)
        ck_assert_uint_eq(w.in.ue_class[u], u % 3);
    split_world_release(&w);
    split_world_load(&w, "model: split\nrun: {duration: 10 s}\nllm: {model: tinyllama-1.1b}\n"
                         "ues: {count: 4}\n");
    ck_assert(w.in.nclasses == 1 && w.in.class_ues[0] == 4 && w.in.class_fraction[0] == 1);
    ck_assert_uint_eq(w.in.ue_class[3], 0);
    split_world_release(&w);
}
END_TEST

static Suite *split_suite(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("flow");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_single_request_hand_calculation);
    tcase_add_test(tc, test_loaded_cell_invariants);
    tcase_add_test(tc, test_erasure_channel_mean);
    tcase_add_test(tc, test_common_random_numbers);
    tcase_add_test(tc, test_battery_stops_new_requests);
    tcase_add_test(tc, test_kv_refusal);
    tcase_add_test(tc, test_rare_arrivals);
    tcase_add_test(tc, test_mobility_runs);
    tcase_add_test(tc, test_mixed_fleet);
    tcase_add_test(tc, test_weighted_fleet);
    tcase_add_test(tc, test_unrepresentable_time_stops_run);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(split_suite)
