/* Event core: ordering, cancellation, run limits, the free list, programmer-error asserts. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sim/rng.h"
#include "sim/sim.h"

/* Records the data of each event it runs, and the time it ran at. */
struct log {
    uint64_t data[4096];
    int64_t time[4096];
    size_t n;
};

static void log_event(struct sim *sim, void *obj, uint64_t data)
{
    struct log *l = obj;
    ck_assert_uint_lt(l->n, 4096);
    l->data[l->n] = data;
    l->time[l->n] = sim_now(sim);
    l->n++;
}

/* A sim with its queue (NULL: the default) and an empty log (static: too large for a stack). */
static struct log *start(struct sim *sim, const struct evq_type *type, size_t hint)
{
    static struct log l;
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(sim_init(sim, type, hint), 0);
    return &l;
}

START_TEST(test_time_order_and_clock)
{
    struct sim sim;
    struct log *l = start(&sim, NULL, 4);
    sim_schedule(&sim, 30, 0, log_event, l, 3);
    sim_schedule(&sim, 10, 0, log_event, l, 1);
    sim_schedule(&sim, 20, 0, log_event, l, 2);
    ck_assert_uint_eq(sim_pending_count(&sim), 3);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_uint_eq(l->n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(l->data[i], i + 1);
        ck_assert_int_eq(l->time[i], (int64_t)(10 * (i + 1)));
    }
    ck_assert_int_eq(sim_now(&sim), 30);
    ck_assert_uint_eq(sim.processed, 3);
    sim_release(&sim);
    sim_release(&sim);
}
END_TEST

START_TEST(test_fifo_and_priority)
{
    struct sim sim;
    struct log *l = start(&sim, evq_types[_i], 2);
    for (uint64_t k = 0; k < 100; k++)
        sim_schedule(&sim, 5, 0, log_event, l, k);
    sim_schedule(&sim, 5, -1, log_event, l, 1000); /* scheduled last, runs first */
    sim_schedule(&sim, 5, 1, log_event, l, 2000);  /* runs after all priority-0 events */
    sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    ck_assert_uint_eq(l->n, 102);
    ck_assert_uint_eq(l->data[0], 1000);
    for (uint64_t k = 0; k < 100; k++)
        ck_assert_uint_eq(l->data[k + 1], k);
    ck_assert_uint_eq(l->data[101], 2000);
    sim_release(&sim);
}
END_TEST

struct chain {
    struct log *log;
};

/* Schedules a zero-delay follow-up: it must run after events already due at the same time. */
static void zero_delay(struct sim *sim, void *obj, uint64_t data)
{
    struct log *l = obj;
    log_event(sim, l, data);
    if (data == 1)
        sim_schedule_in(sim, 0, 0, log_event, l, 99);
}

START_TEST(test_zero_delay_goes_last)
{
    struct sim sim;
    struct log *l = start(&sim, NULL, 2);
    sim_schedule(&sim, 1, 0, zero_delay, l, 1);
    sim_schedule(&sim, 1, 0, zero_delay, l, 2);
    sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    ck_assert_uint_eq(l->n, 3);
    ck_assert_uint_eq(l->data[0], 1);
    ck_assert_uint_eq(l->data[1], 2);
    ck_assert_uint_eq(l->data[2], 99);
    ck_assert_int_eq(l->time[2], 1);
    sim_release(&sim);
}
END_TEST

START_TEST(test_cancel)
{
    struct sim sim;
    struct log *l = start(&sim, NULL, 2);
    sim_event_handle a = sim_schedule(&sim, 10, 0, log_event, l, 1);
    sim_event_handle b = sim_schedule(&sim, 20, 0, log_event, l, 2);
    ck_assert(a != 0 && b != 0 && a != b);
    ck_assert(sim_pending(&sim, a));
    ck_assert(sim_cancel(&sim, a));
    ck_assert(!sim_pending(&sim, a));
    ck_assert(!sim_cancel(&sim, a)); /* twice: no-op */
    ck_assert(!sim_cancel(&sim, 0));
    ck_assert(!sim_cancel(&sim, UINT64_C(0xffffffff00000005)));
    ck_assert_uint_eq(sim_pending_count(&sim), 1);
    sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    ck_assert_uint_eq(l->n, 1);
    ck_assert_uint_eq(l->data[0], 2);
    ck_assert(!sim_cancel(&sim, b)); /* already ran: stale */
    /* The freed slot is reused with a new generation: the old handle stays stale. */
    sim_event_handle c = sim_schedule(&sim, 30, 0, log_event, l, 3);
    ck_assert(!sim_pending(&sim, a));
    ck_assert(!sim_pending(&sim, b));
    ck_assert(sim_pending(&sim, c));
    ck_assert_uint_eq(sim.processed, 1);
    sim_release(&sim);
}
END_TEST

/* Invariant test: random schedules and cancels, from outside and inside handlers; the events
 * that run are exactly the ones not cancelled, in (time, priority, insertion) order. */
struct fuzz {
    struct rng rng;
    sim_event_handle handles[3000];
    int64_t time[3000];
    int prio[3000];
    bool cancelled[3000];
    bool ran[3000];
    size_t born[3000]; /* events run before this one was scheduled */
    size_t n;
    size_t order[3000];
    size_t nrun;
};

static void fuzz_event(struct sim *sim, void *obj, uint64_t id)
{
    struct fuzz *f = obj;
    ck_assert(!f->cancelled[id]);
    ck_assert(!f->ran[id]);
    ck_assert_int_eq(sim_now(sim), f->time[id]);
    f->ran[id] = true;
    f->order[f->nrun++] = id;
    /* Sometimes schedule more, sometimes cancel a random pending one. */
    if (f->n < 3000 && rng_uniform(&f->rng) < 0.5) {
        size_t k = f->n++;
        f->time[k] = sim_now(sim) + (int64_t)rng_uniform_int(&f->rng, 20);
        f->prio[k] = (int)rng_uniform_int(&f->rng, 3) - 1;
        f->born[k] = f->nrun;
        f->handles[k] = sim_schedule(sim, f->time[k], f->prio[k], fuzz_event, f, k);
    }
    if (f->n && rng_uniform(&f->rng) < 0.3) {
        size_t k = rng_uniform_int(&f->rng, f->n);
        bool was_pending = !f->ran[k] && !f->cancelled[k];
        ck_assert(sim_cancel(sim, f->handles[k]) == was_pending);
        if (was_pending)
            f->cancelled[k] = true;
    }
}

START_TEST(test_random_schedule_cancel)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, evq_types[_i], 1), 0);
    struct fuzz *f = calloc(1, sizeof *f);
    ck_assert_int_eq(rng_init(&f->rng, 7, 0, RNG_KIND_TEST, 1), 0);
    for (; f->n < 1000; f->n++) {
        f->time[f->n] = (int64_t)rng_uniform_int(&f->rng, 100);
        f->prio[f->n] = (int)rng_uniform_int(&f->rng, 3) - 1;
        f->handles[f->n] = sim_schedule(&sim, f->time[f->n], f->prio[f->n], fuzz_event, f, f->n);
    }
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    for (size_t k = 0; k < f->n; k++)
        ck_assert_msg(f->ran[k] != f->cancelled[k], "event %zu ran=%d cancelled=%d", k, f->ran[k],
                      f->cancelled[k]);
    /* Order: time never decreases; and when b was already pending as a ran, a came first in
     * (time, priority, insertion = id) order. (An event scheduled by a handler for `now` runs
     * after that handler even with a lower priority number: it cannot run in the past.) */
    for (size_t i = 1; i < f->nrun; i++) {
        size_t a = f->order[i - 1], b = f->order[i];
        ck_assert_int_le(f->time[a], f->time[b]);
        if (f->born[b] <= i - 1 && f->time[a] == f->time[b]) {
            ck_assert_int_le(f->prio[a], f->prio[b]);
            if (f->prio[a] == f->prio[b])
                ck_assert_uint_lt(a, b);
        }
    }
    ck_assert_uint_eq(sim_pending_count(&sim), 0);
    ck_assert_uint_eq(sim.cancelled, 0);
    rng_release(&f->rng);
    free(f);
    sim_release(&sim);
}
END_TEST

static void noop(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)obj;
    (void)data;
}

START_TEST(test_run_limits)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 2), 0);
    for (int64_t t = 10; t <= 100; t += 10)
        sim_schedule(&sim, t, 0, noop, NULL, 0);
    ck_assert_int_eq(sim_run(&sim, 30, UINT64_MAX), SIM_STOP_TIME);
    ck_assert_uint_eq(sim.processed, 3); /* 10, 20 and 30: an event at the limit runs */
    ck_assert_int_eq(sim_now(&sim), 30);
    ck_assert_int_eq(sim_run(&sim, 35, UINT64_MAX), SIM_STOP_TIME);
    ck_assert_int_eq(sim_now(&sim), 35);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, 2), SIM_STOP_COUNT);
    ck_assert_uint_eq(sim.processed, 5);
    ck_assert_int_eq(sim_now(&sim), 50);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_uint_eq(sim.processed, 10);
    ck_assert_str_eq(sim_stop_name(SIM_STOP_EMPTY), "empty");
    ck_assert_str_eq(sim_stop_name(SIM_STOP_TIME), "time");
    sim_release(&sim);
}
END_TEST

static void stopper(struct sim *sim, void *obj, uint64_t data)
{
    (void)obj;
    if (data == 3)
        sim_stop(sim);
}

START_TEST(test_stop_request)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 2), 0);
    for (uint64_t k = 1; k <= 5; k++)
        sim_schedule(&sim, (int64_t)k, 0, stopper, NULL, k);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_REQUESTED);
    ck_assert_uint_eq(sim.processed, 3);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_uint_eq(sim.processed, 5);
    sim_release(&sim);
}
END_TEST

START_TEST(test_interrupt_flag)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 2), 0);
    volatile sig_atomic_t flag = 0;
    sim.interrupt = &flag;
    for (uint64_t k = 1; k <= 5; k++)
        sim_schedule(&sim, (int64_t)k, 0, noop, NULL, k);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, 2), SIM_STOP_COUNT);
    flag = 1;
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_REQUESTED);
    ck_assert_uint_eq(sim.processed, 2);
    flag = 0;
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_uint_eq(sim.processed, 5);
    sim_release(&sim);
}
END_TEST

struct hold {
    struct rng rng;
};

static void hold_event(struct sim *sim, void *obj, uint64_t data)
{
    struct hold *h = obj;
    sim_schedule_in(sim, rng_exponential_ns(&h->rng, 1000.0), 0, hold_event, h, data);
}

/* After sim_reserve, a steady-state loop never reallocates the pool or the queue. */
START_TEST(test_no_allocation_in_steady_state)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 1), 0);
    ck_assert_int_eq(sim_reserve(&sim, 512), 0);
    struct hold h;
    ck_assert_int_eq(rng_init(&h.rng, 1, 0, RNG_KIND_TEST, 0), 0);
    for (int i = 0; i < 500; i++)
        sim_schedule(&sim, rng_exponential_ns(&h.rng, 1000.0), 0, hold_event, &h, 0);
    const struct sim_event *pool = sim.pool;
    uint32_t cap = sim.pool_cap;
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, 100000), SIM_STOP_COUNT);
    ck_assert_ptr_eq(sim.pool, pool);
    ck_assert_uint_eq(sim.pool_cap, cap);
    ck_assert_uint_eq(sim_pending_count(&sim), 500);
    rng_release(&h.rng);
    sim_release(&sim);
}
END_TEST

/* Two simulations interleaved in one process behave exactly like each one alone. */
START_TEST(test_independent_instances)
{
    struct sim a, b, alone;
    struct hold ha, hb, halone;
    ck_assert_int_eq(sim_init(&a, NULL, 8), 0);
    ck_assert_int_eq(sim_init(&b, NULL, 8), 0);
    ck_assert_int_eq(sim_init(&alone, NULL, 8), 0);
    rng_init(&ha.rng, 5, 0, RNG_KIND_TEST, 0);
    rng_init(&hb.rng, 6, 0, RNG_KIND_TEST, 0);
    rng_init(&halone.rng, 5, 0, RNG_KIND_TEST, 0);
    for (int i = 0; i < 10; i++) {
        sim_schedule(&a, 0, 0, hold_event, &ha, 0);
        sim_schedule(&b, 0, 0, hold_event, &hb, 0);
        sim_schedule(&alone, 0, 0, hold_event, &halone, 0);
    }
    for (int k = 0; k < 100; k++) {
        sim_run(&a, SIM_TIME_MAX, 7);
        sim_run(&b, SIM_TIME_MAX, 3);
    }
    sim_run(&alone, SIM_TIME_MAX, 700);
    ck_assert_int_eq(sim_now(&a), sim_now(&alone));
    struct evq_entry ta, talone;
    ck_assert(evq_peek(&a.queue, &ta) && evq_peek(&alone.queue, &talone));
    ck_assert_int_eq(ta.time, talone.time);
    rng_release(&ha.rng);
    rng_release(&hb.rng);
    rng_release(&halone.rng);
    sim_release(&a);
    sim_release(&b);
    sim_release(&alone);
}
END_TEST

START_TEST(test_past_schedule_aborts)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 2), 0);
    sim_schedule(&sim, 10, 0, noop, NULL, 0);
    sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    sim_schedule(&sim, 9, 0, noop, NULL, 0); /* before now = 10: a programmer error */
}
END_TEST

START_TEST(test_bad_priority_aborts)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 2), 0);
    sim_schedule(&sim, 1, 200, noop, NULL, 0);
}
END_TEST

static Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_time_order_and_clock);
    tcase_add_loop_test(tc, test_fifo_and_priority, 0, 2);
    tcase_add_test(tc, test_zero_delay_goes_last);
    tcase_add_test(tc, test_cancel);
    tcase_add_loop_test(tc, test_random_schedule_cancel, 0, 2);
    tcase_add_test(tc, test_run_limits);
    tcase_add_test(tc, test_stop_request);
    tcase_add_test(tc, test_interrupt_flag);
    tcase_add_test(tc, test_no_allocation_in_steady_state);
    tcase_add_test(tc, test_independent_instances);
    suite_add_tcase(s, tc);
    /* Forked, so the abort ends only the child; ASan's leak check is moot after abort. */
    TCase *tp = tcase_create("programmer-errors");
    tcase_add_test_raise_signal(tp, test_past_schedule_aborts, SIGABRT);
    tcase_add_test_raise_signal(tp, test_bad_priority_aborts, SIGABRT);
    suite_add_tcase(s, tp);
    return s;
}

CHECK_MAIN(sim_suite)
