/* Event queue: order invariants under random pushes and pops, for every implementation. */
#include <stdlib.h>

#include "check_main.h"
#include "sim/evq.h"
#include "sim/rng.h"

static const struct evq_type *impl(int i)
{
    return evq_types[i];
}

static int nimpl(void)
{
    int n = 0;
    while (evq_types[n])
        n++;
    return n;
}

START_TEST(test_registry)
{
    ck_assert_ptr_eq(evq_type_find(NULL), evq_types[0]);
    ck_assert_ptr_eq(evq_type_find("quad-heap"), &evq_quad_heap);
    ck_assert_ptr_eq(evq_type_find("binary-heap"), &evq_binary_heap);
    ck_assert_ptr_null(evq_type_find("calendar"));
    struct evq q;
    struct evq_type bad = evq_quad_heap;
    bad.abi = EVQ_ABI + 1;
    ck_assert_int_lt(evq_init(&q, &bad, 8), 0);
}
END_TEST

START_TEST(test_empty)
{
    struct evq q;
    ck_assert_int_eq(evq_init(&q, impl(_i), 0), 0);
    struct evq_entry e;
    ck_assert(!evq_pop(&q, &e));
    ck_assert(!evq_peek(&q, &e));
    ck_assert_uint_eq(evq_len(&q), 0);
    evq_release(&q);
    evq_release(&q); /* twice is harmless */
}
END_TEST

/* Random pushes interleaved with pops: every pop returns the least entry present, compared
 * against a brute-force reference; the queue grows past its initial capacity. */
START_TEST(test_random_order)
{
    struct evq q;
    ck_assert_int_eq(evq_init(&q, impl(_i), 4), 0);
    struct rng r;
    ck_assert_int_eq(rng_init(&r, 42, 0, RNG_KIND_TEST, (uint64_t)_i), 0);
    enum { N = 20000 };
    struct evq_entry *ref = malloc(N * sizeof *ref);
    size_t nref = 0;
    uint64_t seq = 0;
    for (int step = 0; step < N; step++) {
        bool push = nref == 0 || rng_uniform(&r) < 0.6;
        if (push && seq < N) {
            struct evq_entry e = {
                .time = (int64_t)rng_uniform_int(&r, 50), /* many equal times */
                .tie = evq_tie((int)rng_uniform_int(&r, 3) - 1, seq),
                .id = (uint32_t)seq,
            };
            seq++;
            ck_assert_int_eq(evq_push(&q, &e), 0);
            ref[nref++] = e;
        } else if (nref) {
            size_t best = 0;
            for (size_t k = 1; k < nref; k++)
                if (evq_entry_before(&ref[k], &ref[best]))
                    best = k;
            struct evq_entry top;
            ck_assert(evq_peek(&q, &top));
            ck_assert_uint_eq(top.id, ref[best].id);
            struct evq_entry got;
            ck_assert(evq_pop(&q, &got));
            ck_assert_uint_eq(got.id, ref[best].id);
            ck_assert_int_eq(got.time, ref[best].time);
            ref[best] = ref[--nref];
        }
        ck_assert_uint_eq(evq_len(&q), nref);
    }
    /* Drain: non-decreasing keys. */
    struct evq_entry prev, cur;
    bool have = false;
    while (evq_pop(&q, &cur)) {
        if (have)
            ck_assert(evq_entry_before(&prev, &cur));
        prev = cur;
        have = true;
    }
    free(ref);
    rng_release(&r);
    evq_release(&q);
}
END_TEST

START_TEST(test_fifo_equal_keys)
{
    struct evq q;
    ck_assert_int_eq(evq_init(&q, impl(_i), 2), 0);
    for (uint32_t k = 0; k < 1000; k++) {
        struct evq_entry e = {.time = 7, .tie = evq_tie(0, k), .id = k};
        ck_assert_int_eq(evq_push(&q, &e), 0);
    }
    for (uint32_t k = 0; k < 1000; k++) {
        struct evq_entry e;
        ck_assert(evq_pop(&q, &e));
        ck_assert_uint_eq(e.id, k);
    }
    evq_release(&q);
}
END_TEST

START_TEST(test_priority_before_sequence)
{
    struct evq_entry late_urgent = {.time = 5, .tie = evq_tie(-1, 10)};
    struct evq_entry early_normal = {.time = 5, .tie = evq_tie(0, 1)};
    struct evq_entry earlier_time = {.time = 4, .tie = evq_tie(127, 99)};
    struct evq_entry negative_time = {.time = -3, .tie = evq_tie(127, 100)};
    ck_assert(evq_entry_before(&late_urgent, &early_normal));
    ck_assert(evq_entry_before(&earlier_time, &late_urgent));
    ck_assert(evq_entry_before(&negative_time, &earlier_time));
    ck_assert(!evq_entry_before(&early_normal, &early_normal));
}
END_TEST

static Suite *evq_suite(void)
{
    Suite *s = suite_create("evq");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_priority_before_sequence);
    tcase_add_loop_test(tc, test_empty, 0, nimpl());
    tcase_add_loop_test(tc, test_random_order, 0, nimpl());
    tcase_add_loop_test(tc, test_fifo_equal_keys, 0, nimpl());
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(evq_suite)
