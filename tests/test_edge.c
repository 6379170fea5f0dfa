/* The edge server: iteration times from the cost table, continuous batching under the batch
 * limits and scheduling orders, KV admission, and queueing theory (M/D/1 with batch_max = 1;
 * ceil(n/B) iterations to drain n simultaneous jobs). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/llm/derive.h"
#include "models/edge/edge.h"
#include "sim/rng.h"
#include "sim/stats.h"

static struct cost_table table(void)
{
    struct cost_table t;
    ck_assert_int_eq(
        cost_derive(&t, arch_find("llama-2-7b"), device_find("a100"), "test", "2026-01-01"), 0);
    ck_assert_uint_eq(t.nlayers, 34);
    return t;
}

static int64_t ms_to_ns(double ms)
{
    return (int64_t)llround(ms * 1e6);
}

/* ---- a recorder of completed jobs -------------------------------------------------------- */

struct done_rec {
    uint64_t seq;
    enum edge_job_kind kind;
    int64_t submitted, start, iteration_ns, end;
    uint32_t batch;
};

struct recorder {
    struct edge_server *e;
    struct done_rec v[256];
    size_t n;
};

static void record(struct sim *sim, void *ctx, const struct edge_job *j, int64_t start,
                   int64_t iteration_ns, uint32_t batch)
{
    struct recorder *r = ctx;
    ck_assert_uint_lt(r->n, sizeof r->v / sizeof r->v[0]);
    ck_assert_int_eq(start + iteration_ns, sim_now(sim));
    ck_assert_int_ge(start, j->submitted);
    ck_assert_uint_ge(batch, 1);
    ck_assert(!r->e->busy);
    r->v[r->n++] = (struct done_rec){.seq = j->seq,
                                     .kind = j->kind,
                                     .submitted = j->submitted,
                                     .start = start,
                                     .iteration_ns = iteration_ns,
                                     .end = sim_now(sim),
                                     .batch = batch};
}

static struct edge_job prefill(uint32_t from, uint32_t to, double tokens, double kv, void *ctx)
{
    return (struct edge_job){.kind = EDGE_PREFILL,
                             .from = from,
                             .to = to,
                             .tokens = tokens,
                             .kv_bytes = kv,
                             .done = record,
                             .ctx = ctx};
}

static struct edge_job decode(uint32_t from, uint32_t to, double context, void *ctx)
{
    return (struct edge_job){.kind = EDGE_DECODE,
                             .from = from,
                             .to = to,
                             .context = context,
                             .done = record,
                             .ctx = ctx};
}

static struct edge_params params(uint32_t batch_max, double batch_tokens, double kv_budget,
                                 enum edge_order order)
{
    return (struct edge_params){.batch_max = batch_max,
                                .batch_tokens = batch_tokens,
                                .kv_budget = kv_budget,
                                .order = order};
}

/* A server on a fresh sim with a recorder. */
struct fixture {
    struct cost_table t;
    struct sim sim;
    struct edge_server e;
    struct recorder rec;
};

static void setup(struct fixture *f, struct edge_params p)
{
    f->t = table();
    ck_assert_int_eq(sim_init(&f->sim, NULL, 16), 0);
    ck_assert_int_eq(edge_init(&f->e, &f->sim, &f->t, 0, &p), 0);
    f->rec.n = 0;
    f->rec.e = &f->e;
}

static void teardown(struct fixture *f)
{
    ck_assert_int_eq(f->e.error, 0);
    edge_release(&f->e);
    sim_release(&f->sim);
    cost_release(&f->t);
}

static void submit_ok(struct fixture *f, struct edge_job j)
{
    ck_assert_int_eq(edge_submit(&f->e, &j), 0);
}

static void run(struct fixture *f)
{
    ck_assert_int_eq(sim_run(&f->sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
}

/* The recorded completions grouped into iterations must be exactly `want` (seq numbers, in the
 * iteration's order, iterations separated by UINT64_MAX). */
static void expect_iterations(const struct recorder *r, const uint64_t *want, size_t nwant)
{
    size_t k = 0, i = 0;
    while (k < nwant) {
        size_t first = i;
        for (; k < nwant && want[k] != UINT64_MAX; k++, i++) {
            ck_assert_msg(i < r->n, "fewer completions than expected");
            ck_assert_msg(r->v[i].seq == want[k], "completion %zu: seq %llu, expected %llu", i,
                          (unsigned long long)r->v[i].seq, (unsigned long long)want[k]);
            ck_assert_int_eq(r->v[i].start, r->v[first].start);
            ck_assert_int_eq(r->v[i].end, r->v[first].end);
        }
        ck_assert_uint_eq(r->v[first].batch, i - first);
        if (i < r->n)
            ck_assert_int_ge(r->v[i].start, r->v[first].end); /* next iteration starts later */
        k++;                                                  /* skip the separator */
    }
    ck_assert_uint_eq(r->n, i);
}

#define SEP UINT64_MAX
#define EXPECT(r, ...)                                                                             \
    do {                                                                                           \
        const uint64_t want_[] = {__VA_ARGS__};                                                    \
        expect_iterations(r, want_, sizeof want_ / sizeof want_[0]);                               \
    } while (0)

/* ---- 1. iteration time ------------------------------------------------------------------- */

START_TEST(test_iteration_identical_decodes)
{
    struct fixture f;
    setup(&f, params(64, 4096, 1e12, EDGE_ORDER_FIFO));
    for (int i = 0; i < 8; i++)
        submit_ok(&f, decode(0, 34, 1000, &f.rec));
    run(&f);
    bool ex = false;
    int64_t want = ms_to_ns(cost_range_decode_ms(&f.t, 0, 34, 1000, 8, &ex));
    ck_assert(!ex);
    EXPECT(&f.rec, 0, 1, 2, 3, 4, 5, 6, 7);
    ck_assert_int_eq(f.rec.v[0].iteration_ns, want);
    ck_assert_int_eq(f.rec.v[0].start, 0);
    ck_assert_int_eq(sim_now(&f.sim), want);
    ck_assert_uint_eq(f.e.iterations, 1);
    ck_assert_uint_eq(f.e.jobs_done, 8);
    ck_assert_int_eq(f.e.busy_ns, want);
    ck_assert(!f.e.extrapolated);

    /* Different contexts: the decode time at the mean context. */
    struct edge_job j[3] = {decode(1, 33, 100, NULL), decode(1, 33, 200, NULL),
                            decode(1, 33, 600, NULL)};
    ck_assert_int_eq(edge_iteration_ns(&f.t, j, 3, NULL),
                     ms_to_ns(cost_range_decode_ms(&f.t, 1, 33, 300, 3, NULL)));
    /* One prefill: the prefill time of its range. */
    struct edge_job pf = prefill(0, 34, 512, 0, NULL);
    ck_assert_int_eq(edge_iteration_ns(&f.t, &pf, 1, NULL),
                     ms_to_ns(cost_range_prefill_ms(&f.t, 0, 34, 512, NULL)));
    ck_assert_int_eq(edge_iteration_ns(&f.t, NULL, 0, NULL), 1); /* at least 1 ns */
    teardown(&f);
}
END_TEST

START_TEST(test_iteration_mixed_splits)
{
    struct cost_table t = table();
    /* Prefill A [0, 20) 100 tokens, prefill B [10, 34) 200 tokens, decode C [0, 34) at 500,
     * decode D [5, 34) at 1500, decode E [30, 32) at 700. Runs of layers with the same jobs:
     *   [0, 5)   A          | C
     *   [5, 10)  A          | C D     (mean 1000, batch 2)
     *   [10, 20) A B (300)  | C D
     *   [20, 30) B (200)    | C D
     *   [30, 32) B          | C D E   (mean 900, batch 3)
     *   [32, 34) B          | C D */
    struct edge_job j[5] = {prefill(0, 20, 100, 0, NULL), prefill(10, 34, 200, 0, NULL),
                            decode(0, 34, 500, NULL), decode(5, 34, 1500, NULL),
                            decode(30, 32, 700, NULL)};
    bool ex = false;
    double ms =
        cost_range_prefill_ms(&t, 0, 5, 100, &ex) + cost_range_decode_ms(&t, 0, 5, 500, 1, &ex) +
        cost_range_prefill_ms(&t, 5, 10, 100, &ex) + cost_range_decode_ms(&t, 5, 10, 1000, 2, &ex) +
        cost_range_prefill_ms(&t, 10, 20, 300, &ex) +
        cost_range_decode_ms(&t, 10, 20, 1000, 2, &ex) +
        cost_range_prefill_ms(&t, 20, 30, 200, &ex) +
        cost_range_decode_ms(&t, 20, 30, 1000, 2, &ex) +
        cost_range_prefill_ms(&t, 30, 32, 200, &ex) +
        cost_range_decode_ms(&t, 30, 32, 900, 3, &ex) +
        cost_range_prefill_ms(&t, 32, 34, 200, &ex) +
        cost_range_decode_ms(&t, 32, 34, 1000, 2, &ex);
    ck_assert(!ex);
    /* Summation order may differ: allow the last-place rounding of the ns. */
    int64_t got = edge_iteration_ns(&t, j, 5, &ex);
    ck_assert_int_le(llabs(got - ms_to_ns(ms)), 1);
    ck_assert(!ex);
    /* The same jobs in another order give the same time. */
    struct edge_job r[5] = {j[4], j[2], j[0], j[3], j[1]};
    ck_assert_int_le(llabs(edge_iteration_ns(&t, r, 5, NULL) - got), 1);
    /* Disjoint ranges: the plain sum; layers no job covers cost nothing. */
    struct edge_job g[2] = {decode(0, 3, 64, NULL), decode(20, 25, 64, NULL)};
    ck_assert_int_le(llabs(edge_iteration_ns(&t, g, 2, NULL) -
                           ms_to_ns(cost_range_decode_ms(&t, 0, 3, 64, 1, NULL) +
                                    cost_range_decode_ms(&t, 20, 25, 64, 1, NULL))),
                     1);
    /* A context beyond the grid is reported. */
    struct edge_job far = decode(0, 34, 1e6, NULL);
    ex = false;
    edge_iteration_ns(&t, &far, 1, &ex);
    ck_assert(ex);
    cost_release(&t);
}
END_TEST

START_TEST(test_extrapolation_recorded)
{
    struct fixture f;
    setup(&f, params(4, 1e9, 1e12, EDGE_ORDER_FIFO));
    submit_ok(&f, prefill(0, 34, 8192, 0, &f.rec)); /* the grid ends at 4096 tokens */
    run(&f);
    ck_assert(f.e.extrapolated);
    teardown(&f);
}
END_TEST

/* An iteration time that cannot be represented (a table extrapolated far beyond its grid) is
 * refused with -ERANGE, and a server meeting one fails and stops the run: it is never clamped (it
 * was clamped to 4e18 ns and simulated). */
START_TEST(test_unrepresentable_iteration_refused)
{
    struct fixture f;
    setup(&f, params(4, 1e9, 1e12, EDGE_ORDER_FIFO));
    /* Within the limits (one day for one layer), but steep: 4096 tokens cost a day. */
    for (size_t k = 0; k < f.t.ngroups; k++)
        f.t.groups[k].prefill_ms[f.t.nprefill - 1] = 8.64e7;
    struct edge_job far = prefill(0, 34, 1e6, 0, &f.rec);
    ck_assert_int_eq(edge_iteration_ns(&f.t, &far, 1, NULL), -ERANGE);
    struct edge_job near = prefill(0, 34, 4096, 0, &f.rec);
    ck_assert_int_le(llabs(edge_iteration_ns(&f.t, &near, 1, NULL) - (int64_t)(34 * 8.64e13)), 4);
    submit_ok(&f, far);
    ck_assert_int_ne(sim_run(&f.sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_int_eq(f.e.error, -ERANGE);
    ck_assert_uint_eq(f.rec.n, 0);
    f.e.error = 0; /* expected: teardown checks for unexpected ones */
    teardown(&f);
}
END_TEST

/* ---- 2. continuous batching -------------------------------------------------------------- */

/* Timed actions: submit ctx->jobs[data] or release data bytes of KV. */
struct script {
    struct fixture *f;
    struct edge_job jobs[16];
};

static void ev_submit(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    struct script *s = obj;
    submit_ok(s->f, s->jobs[data]);
}

static void ev_release(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    struct script *s = obj;
    edge_release_kv(&s->f->e, (double)data);
}

START_TEST(test_joins_next_iteration)
{
    struct fixture f;
    setup(&f, params(8, 4096, 1e12, EDGE_ORDER_FIFO));
    struct script s = {.f = &f};
    s.jobs[0] = decode(0, 34, 100, &f.rec);
    int64_t t1 = ms_to_ns(cost_range_decode_ms(&f.t, 0, 34, 100, 1, NULL));
    submit_ok(&f, s.jobs[0]); /* seq 0 */
    ck_assert_uint_eq(edge_waiting(&f.e), 1);
    /* Halfway through the first iteration two more arrive; the first iteration is not changed. */
    sim_schedule(&f.sim, t1 / 2, 0, ev_submit, &s, 0); /* seq 1 */
    sim_schedule(&f.sim, t1 / 2, 0, ev_submit, &s, 0); /* seq 2 */
    ck_assert_int_eq(sim_run(&f.sim, t1 / 2, UINT64_MAX), SIM_STOP_TIME);
    ck_assert_uint_eq(edge_batch(&f.e), 1);
    ck_assert_uint_eq(edge_waiting(&f.e), 2);
    run(&f);
    EXPECT(&f.rec, 0, SEP, 1, 2);
    ck_assert_int_eq(f.rec.v[0].iteration_ns, t1);
    ck_assert_int_eq(f.rec.v[1].start, t1);
    ck_assert_int_eq(f.rec.v[1].iteration_ns,
                     ms_to_ns(cost_range_decode_ms(&f.t, 0, 34, 100, 2, NULL)));
    ck_assert_int_eq(f.rec.v[1].submitted, t1 / 2);
    ck_assert_uint_eq(f.e.iterations, 2);
    ck_assert_uint_eq(f.e.jobs_done, 3);
    ck_assert_int_eq(f.e.busy_ns, sim_now(&f.sim));
    ck_assert_uint_eq(edge_waiting(&f.e), 0);
    ck_assert_uint_eq(edge_batch(&f.e), 0);
    /* Idle: a later job starts at once. */
    int64_t idle_until = sim_now(&f.sim) + 1000;
    sim_schedule(&f.sim, idle_until, 0, ev_submit, &s, 0); /* seq 3 */
    run(&f);
    ck_assert_uint_eq(f.rec.n, 4);
    ck_assert_int_eq(f.rec.v[3].start, idle_until);
    ck_assert_int_eq(f.e.busy_ns, sim_now(&f.sim) - 1000);
    teardown(&f);
}
END_TEST

START_TEST(test_batch_max)
{
    struct fixture f;
    setup(&f, params(4, 4096, 1e12, EDGE_ORDER_FIFO));
    for (int i = 0; i < 10; i++)
        submit_ok(&f, decode(0, 34, 256, &f.rec));
    run(&f);
    EXPECT(&f.rec, 0, 1, 2, 3, SEP, 4, 5, 6, 7, SEP, 8, 9);
    ck_assert_uint_eq(f.e.iterations, 3);
    teardown(&f);
}
END_TEST

START_TEST(test_batch_tokens)
{
    struct edge_params p = params(16, 1000, 1e12, EDGE_ORDER_FIFO);
    struct fixture f;
    setup(&f, p);
    for (int i = 0; i < 5; i++)
        submit_ok(&f, prefill(0, 34, 300, 0, &f.rec)); /* 3 fit in 1000 tokens */
    run(&f);
    EXPECT(&f.rec, 0, 1, 2, SEP, 3, 4);
    ck_assert_int_eq(f.rec.v[0].iteration_ns,
                     ms_to_ns(cost_range_prefill_ms(&f.t, 0, 34, 900, NULL)));
    teardown(&f);

    /* A prefill over the budget runs alone when it comes first ... */
    setup(&f, p);
    submit_ok(&f, prefill(0, 34, 2000, 0, &f.rec)); /* 0 */
    submit_ok(&f, decode(0, 34, 64, &f.rec));       /* 1 */
    submit_ok(&f, prefill(0, 34, 100, 0, &f.rec));  /* 2 */
    run(&f);
    EXPECT(&f.rec, 0, SEP, 1, 2);
    teardown(&f);

    /* ... and, with FIFO, holds back what follows it when it does not. */
    setup(&f, p);
    submit_ok(&f, decode(0, 34, 64, &f.rec));       /* 0 */
    submit_ok(&f, prefill(0, 34, 2000, 0, &f.rec)); /* 1 */
    submit_ok(&f, prefill(0, 34, 100, 0, &f.rec));  /* 2 */
    run(&f);
    EXPECT(&f.rec, 0, SEP, 1, SEP, 2);
    teardown(&f);

    /* Token budget with FIFO head-of-line: 600 + 600 > 1000 stops the iteration, the decode
     * behind waits too. */
    setup(&f, p);
    submit_ok(&f, prefill(0, 34, 600, 0, &f.rec)); /* 0 */
    submit_ok(&f, prefill(0, 34, 600, 0, &f.rec)); /* 1 */
    submit_ok(&f, decode(0, 34, 64, &f.rec));      /* 2 */
    run(&f);
    EXPECT(&f.rec, 0, SEP, 1, 2);
    teardown(&f);
}
END_TEST

static void run_orders(enum edge_order order, const uint64_t *want, size_t nwant)
{
    struct fixture f;
    setup(&f, params(2, 4096, 1e12, order));
    submit_ok(&f, prefill(0, 34, 128, 0, &f.rec)); /* 0 */
    submit_ok(&f, decode(0, 34, 64, &f.rec));      /* 1 */
    submit_ok(&f, prefill(0, 34, 128, 0, &f.rec)); /* 2 */
    submit_ok(&f, decode(0, 34, 64, &f.rec));      /* 3 */
    submit_ok(&f, decode(0, 34, 64, &f.rec));      /* 4 */
    run(&f);
    expect_iterations(&f.rec, want, nwant);
    teardown(&f);
}

START_TEST(test_orders)
{
    const uint64_t fifo[] = {0, 1, SEP, 2, 3, SEP, 4};
    const uint64_t dfirst[] = {1, 3, SEP, 4, 0, SEP, 2};
    const uint64_t pfirst[] = {0, 2, SEP, 1, 3, SEP, 4};
    run_orders(EDGE_ORDER_FIFO, fifo, sizeof fifo / sizeof fifo[0]);
    run_orders(EDGE_ORDER_DECODE_FIRST, dfirst, sizeof dfirst / sizeof dfirst[0]);
    run_orders(EDGE_ORDER_PREFILL_FIRST, pfirst, sizeof pfirst / sizeof pfirst[0]);
}
END_TEST

START_TEST(test_bad_input)
{
    struct cost_table t = table();
    struct sim sim;
    struct edge_server e;
    ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
    struct edge_params bad[] = {
        params(0, 100, 100, EDGE_ORDER_FIFO),    params(1, 0, 100, EDGE_ORDER_FIFO),
        params(1, NAN, 100, EDGE_ORDER_FIFO),    params(1, 100, 0, EDGE_ORDER_FIFO),
        params(1, 100, 100, (enum edge_order)7),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(edge_init(&e, &sim, &t, 0, &bad[i]), -EINVAL);
        edge_release(&e);
    }
    struct edge_params p = params(1, 100, 100, EDGE_ORDER_FIFO);
    ck_assert_int_eq(edge_init(&e, &sim, &t, 0, &p), 0);
    struct edge_job jobs[] = {
        prefill(5, 5, 10, 0, NULL),   prefill(0, 35, 10, 0, NULL), prefill(0, 34, 0, 0, NULL),
        prefill(0, 34, 10, -1, NULL), decode(0, 34, 0, NULL),      decode(0, 34, NAN, NULL),
        decode(3, 2, 10, NULL),
    };
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
        ck_assert_int_eq(edge_submit(&e, &jobs[i]), -EINVAL);
    ck_assert_uint_eq(edge_waiting(&e), 0);
    ck_assert_uint_eq(e.next_seq, 0);
    edge_release(&e);
    sim_release(&sim);
    cost_release(&t);
}
END_TEST

/* ---- 3. KV admission --------------------------------------------------------------------- */

/* Budget 1000 bytes. Request 0 (700 bytes) runs first and keeps its KV; 1 ms after it ends,
 * request 1 (500 bytes, does not fit), request 2 (100 bytes, would fit) and a decode step
 * arrive; request 0 releases its KV 100 ms later. Whatever the order, the decode step runs at
 * once and both prefills wait for the release (admission in submission order). */
START_TEST(test_kv_admission)
{
    enum edge_order orders[] = {EDGE_ORDER_FIFO, EDGE_ORDER_DECODE_FIRST, EDGE_ORDER_PREFILL_FIRST};
    for (size_t o = 0; o < 3; o++) {
        struct fixture f;
        setup(&f, params(8, 4096, 1000, orders[o]));
        struct script s = {.f = &f};
        s.jobs[0] = prefill(0, 34, 16, 500, &f.rec);
        s.jobs[1] = prefill(0, 34, 16, 100, &f.rec);
        s.jobs[2] = decode(0, 34, 64, &f.rec);
        submit_ok(&f, prefill(0, 34, 16, 700, &f.rec));            /* seq 0 */
        int64_t t0 = edge_iteration_ns(&f.t, &s.jobs[0], 1, NULL); /* job 0 alike */
        int64_t t1 = t0 + SIM_MS, t2 = t1 + 100 * SIM_MS;
        ck_assert_int_eq(edge_submit(&f.e, &(struct edge_job){0}), -EINVAL); /* from == to */
        struct edge_job huge = prefill(0, 34, 16, 1001, &f.rec);
        ck_assert_int_eq(edge_submit(&f.e, &huge), -E2BIG);
        ck_assert_uint_eq(edge_waiting(&f.e), 1);
        for (uint64_t i = 0; i < 3; i++)
            sim_schedule(&f.sim, t1, 0, ev_submit, &s, i); /* seq 1, 2, 3 */
        sim_schedule(&f.sim, t2, 0, ev_release, &s, 700);
        ck_assert_int_eq(sim_run(&f.sim, t1 - 1, UINT64_MAX), SIM_STOP_TIME);
        ck_assert_uint_eq(f.rec.n, 1);
        ck_assert_int_eq(f.rec.v[0].end, t0);
        ck_assert(f.e.kv_used == 700);
        ck_assert(!f.e.busy);
        ck_assert_int_eq(sim_run(&f.sim, t1, UINT64_MAX), SIM_STOP_TIME);
        ck_assert_uint_eq(edge_batch(&f.e), 1); /* the decode step */
        ck_assert_uint_eq(edge_waiting(&f.e), 2);
        run(&f);
        EXPECT(&f.rec, 0, SEP, 3, SEP, 1, 2);
        ck_assert_int_eq(f.rec.v[1].start, t1);
        ck_assert_int_eq(f.rec.v[2].start, t2);
        ck_assert(f.e.kv_used == 600);
        ck_assert_uint_eq(f.e.kv_holders, 2);
        edge_release_kv(&f.e, 500);
        ck_assert(f.e.kv_used == 100);
        edge_release_kv(&f.e, 100);
        ck_assert(f.e.kv_used == 0);
        ck_assert_uint_eq(f.e.kv_holders, 0);
        teardown(&f);
    }
}
END_TEST

/* Releasing KV wakes an idle server whose only waiting job is a blocked prefill. */
START_TEST(test_kv_release_starts_iteration)
{
    struct fixture f;
    setup(&f, params(8, 4096, 1000, EDGE_ORDER_FIFO));
    struct script s = {.f = &f};
    submit_ok(&f, prefill(0, 34, 16, 1000, &f.rec)); /* the whole budget */
    submit_ok(&f, prefill(0, 34, 16, 1, &f.rec));
    run(&f);
    EXPECT(&f.rec, 0);
    ck_assert_uint_eq(edge_waiting(&f.e), 1);
    int64_t at = sim_now(&f.sim) + 5 * SIM_MS;
    sim_schedule(&f.sim, at, 0, ev_release, &s, 1000);
    run(&f);
    EXPECT(&f.rec, 0, SEP, 1);
    ck_assert_int_eq(f.rec.v[1].start, at);
    ck_assert(f.e.kv_used == 1);
    teardown(&f);
}
END_TEST

/* Closed loop, everything from the done callbacks: each request is a prefill and then DECODES
 * decode steps, each submitted when the previous one ends; the last one releases the KV. The
 * budget holds two requests, so at most two are in progress. */
enum { CL_REQUESTS = 40, CL_DECODES = 5 };

struct closed_loop {
    struct edge_server *e;
    struct rng sizes;
    struct request {
        struct closed_loop *cl;
        double prompt, kv;
        int steps;
        int64_t last_end;
    } r[CL_REQUESTS];
    uint32_t started, finished, max_holders;
};

static edge_done_fn cl_done;

static void cl_start(struct closed_loop *cl)
{
    struct request *q = &cl->r[cl->started++];
    q->cl = cl;
    q->prompt = 1 + (double)rng_uniform_int(&cl->sizes, 1000);
    q->kv = 400 + (double)rng_uniform_int(&cl->sizes, 100);
    struct edge_job j = prefill(0, 34, q->prompt, q->kv, NULL);
    j.done = cl_done;
    j.ctx = q;
    ck_assert_int_eq(edge_submit(cl->e, &j), 0);
}

static void cl_done(struct sim *sim, void *ctx, const struct edge_job *j, int64_t start,
                    int64_t iteration_ns, uint32_t batch)
{
    (void)batch;
    struct request *q = ctx;
    struct closed_loop *cl = q->cl;
    struct edge_server *e = cl->e;
    ck_assert_int_eq(start + iteration_ns, sim_now(sim));
    ck_assert(e->kv_used >= 0 && e->kv_used <= e->params.kv_budget);
    cl->max_holders = e->kv_holders > cl->max_holders ? (uint32_t)e->kv_holders : cl->max_holders;
    if (q->steps)
        ck_assert_int_eq(j->submitted, q->last_end); /* each step follows the previous one */
    q->last_end = sim_now(sim);
    if (q->steps++ < CL_DECODES) {
        struct edge_job d = decode(0, 34, q->prompt + q->steps, NULL);
        d.done = cl_done;
        d.ctx = q;
        ck_assert_int_eq(edge_submit(e, &d), 0);
        return;
    }
    edge_release_kv(e, q->kv);
    cl->finished++;
    if (cl->started < CL_REQUESTS)
        cl_start(cl);
}

START_TEST(test_closed_loop_reentrant)
{
    enum edge_order orders[] = {EDGE_ORDER_FIFO, EDGE_ORDER_DECODE_FIRST, EDGE_ORDER_PREFILL_FIRST};
    for (size_t o = 0; o < 3; o++) {
        struct fixture f;
        setup(&f, params(4, 2048, 1000, orders[o]));
        struct closed_loop *cl = calloc(1, sizeof *cl);
        cl->e = &f.e;
        ck_assert_int_eq(rng_init(&cl->sizes, 5, 0, RNG_KIND_TEST, o), 0);
        for (int i = 0; i < 6; i++) /* more than fit: the rest wait for KV */
            cl_start(cl);
        run(&f);
        ck_assert_uint_eq(cl->finished, CL_REQUESTS);
        ck_assert_uint_eq(cl->max_holders, 2);
        ck_assert_uint_eq(f.e.jobs_done, CL_REQUESTS * (1 + CL_DECODES));
        ck_assert_uint_eq(edge_waiting(&f.e), 0);
        ck_assert(f.e.kv_used == 0);
        ck_assert_uint_eq(f.e.kv_holders, 0);
        ck_assert_int_eq(f.e.busy_ns, sim_now(&f.sim)); /* never idle while work could run */
        rng_release(&cl->sizes);
        free(cl);
        teardown(&f);
    }
}
END_TEST

/* ---- 4. theory --------------------------------------------------------------------------- */

/* Identical prefills (fixed service time S) arriving as a Poisson process at one job at a time:
 * the M/D/1 queue, mean wait rho S / (2 (1 - rho)) (Pollaczek-Khinchine). */
struct md1 {
    struct edge_server e;
    struct rng arrivals;
    struct edge_job job;
    double gap_ns;
    int64_t until, warmup;
    struct stats_running wait_s;
};

static void md1_done(struct sim *sim, void *ctx, const struct edge_job *j, int64_t start,
                     int64_t iteration_ns, uint32_t batch)
{
    (void)sim, (void)iteration_ns;
    struct md1 *m = ctx;
    ck_assert_uint_eq(batch, 1);
    if (j->submitted >= m->warmup)
        stats_running_add(&m->wait_s, (double)(start - j->submitted) * 1e-9);
    edge_release_kv(&m->e, j->kv_bytes);
}

static void md1_arrival(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct md1 *m = obj;
    ck_assert_int_eq(edge_submit(&m->e, &m->job), 0);
    int64_t next = sim_now(sim) + rng_exponential_ns(&m->arrivals, m->gap_ns);
    if (next < m->until)
        sim_schedule(sim, next, 0, md1_arrival, m, 0);
}

static void check_md1(const struct cost_table *t, double rho)
{
    /* 30 replications of ~40,000 jobs; the replications' means are i.i.d., so the 99.9 %
     * Student-t interval across them is exact up to normality of the means. Theory must lie
     * inside it, and it must be narrow (< 4 % of theory) so the check can see a wrong model. */
    enum { R = 30 };
    const double jobs = 40000, warmup_jobs = 1000;
    struct edge_params p = params(1, 4096, 1e6, EDGE_ORDER_FIFO);
    struct edge_job job = prefill(0, 34, 512, 1000, NULL);
    int64_t S = edge_iteration_ns(t, &job, 1, NULL);
    double lambda = rho / (double)S; /* per ns */
    double theory = rho * (double)S * 1e-9 / (2 * (1 - rho));
    struct stats_running w = {0}, util = {0};
    for (uint32_t rep = 0; rep < R; rep++) {
        struct sim sim;
        struct md1 *m = calloc(1, sizeof *m);
        ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
        ck_assert_int_eq(edge_init(&m->e, &sim, t, 0, &p), 0);
        ck_assert_int_eq(rng_init(&m->arrivals, 17, rep, RNG_KIND_TEST, (uint64_t)(rho * 100)), 0);
        m->job = job;
        m->job.done = md1_done;
        m->job.ctx = m;
        m->gap_ns = 1 / lambda;
        m->until = (int64_t)((jobs + warmup_jobs) / lambda);
        m->warmup = (int64_t)(warmup_jobs / lambda);
        sim_schedule(&sim, 0, 0, md1_arrival, m, 0);
        ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
        ck_assert_int_eq(m->e.error, 0);
        ck_assert_uint_eq(m->e.iterations, m->e.jobs_done);
        ck_assert_int_eq(m->e.busy_ns, (int64_t)m->e.jobs_done * S);
        ck_assert(m->e.kv_used == 0);
        stats_running_add(&w, m->wait_s.mean);
        stats_running_add(&util, (double)m->e.busy_ns / (double)sim_now(&sim));
        rng_release(&m->arrivals);
        edge_release(&m->e);
        sim_release(&sim);
        free(m);
    }
    double hw = stats_running_halfwidth(&w, 0.999);
    ck_assert_msg(fabs(w.mean - theory) < hw, "rho %g: mean wait %g +- %g s, theory %g s", rho,
                  w.mean, hw, theory);
    ck_assert_msg(hw < 0.04 * theory, "rho %g: interval %g too wide (theory %g)", rho, hw, theory);
    double uhw = stats_running_halfwidth(&util, 0.999);
    ck_assert_msg(fabs(util.mean - rho) < uhw, "rho %g: utilisation %g +- %g", rho, util.mean, uhw);
}

START_TEST(test_md1_pollaczek_khinchine)
{
    struct cost_table t = table();
    check_md1(&t, 0.5);
    check_md1(&t, 0.8);
    cost_release(&t);
}
END_TEST

START_TEST(test_drain_in_ceil_n_over_b)
{
    const uint32_t n = 1000, B = 64;
    struct edge_params p = params(B, 4096, 1e12, EDGE_ORDER_FIFO);
    struct fixture f;
    setup(&f, p);
    for (uint32_t i = 0; i < n; i++) {
        struct edge_job j = decode(0, 34, 512, &f.rec);
        j.done = NULL;
        submit_ok(&f, j);
    }
    run(&f);
    ck_assert_uint_eq(f.e.iterations, (n + B - 1) / B);
    ck_assert_uint_eq(f.e.jobs_done, n);
    int64_t full = ms_to_ns(cost_range_decode_ms(&f.t, 0, 34, 512, B, NULL));
    int64_t last = ms_to_ns(cost_range_decode_ms(&f.t, 0, 34, 512, n % B, NULL));
    ck_assert_int_eq(sim_now(&f.sim), (int64_t)(n / B) * full + last);
    ck_assert_int_eq(f.e.busy_ns, sim_now(&f.sim));
    teardown(&f);

    /* Prefills limited by the token budget rather than batch_max: 100 of 300 tokens at 1200
     * tokens per iteration take ceil(100 / 4) iterations. */
    p = params(B, 1200, 1e12, EDGE_ORDER_PREFILL_FIRST);
    setup(&f, p);
    for (uint32_t i = 0; i < 100; i++) {
        struct edge_job j = prefill(0, 34, 300, 0, NULL);
        j.done = NULL;
        submit_ok(&f, j);
    }
    run(&f);
    ck_assert_uint_eq(f.e.iterations, 25);
    ck_assert_int_eq(sim_now(&f.sim),
                     25 * ms_to_ns(cost_range_prefill_ms(&f.t, 0, 34, 1200, NULL)));
    teardown(&f);
}
END_TEST

static Suite *edge_suite(void)
{
    Suite *s = suite_create("edge");
    TCase *ti = tcase_create("iteration");
    tcase_add_test(ti, test_iteration_identical_decodes);
    tcase_add_test(ti, test_iteration_mixed_splits);
    tcase_add_test(ti, test_extrapolation_recorded);
    tcase_add_test(ti, test_unrepresentable_iteration_refused);
    suite_add_tcase(s, ti);
    TCase *tb = tcase_create("batching");
    tcase_add_test(tb, test_joins_next_iteration);
    tcase_add_test(tb, test_batch_max);
    tcase_add_test(tb, test_batch_tokens);
    tcase_add_test(tb, test_orders);
    tcase_add_test(tb, test_bad_input);
    suite_add_tcase(s, tb);
    TCase *tk = tcase_create("kv");
    tcase_add_test(tk, test_kv_admission);
    tcase_add_test(tk, test_kv_release_starts_iteration);
    tcase_add_test(tk, test_closed_loop_reentrant);
    suite_add_tcase(s, tk);
    TCase *tt = tcase_create("theory");
    tcase_set_timeout(tt, 60);
    tcase_add_test(tt, test_md1_pollaczek_khinchine);
    tcase_add_test(tt, test_drain_in_ceil_n_over_b);
    suite_add_tcase(s, tt);
    return s;
}

CHECK_MAIN(edge_suite)
