/* The FIFO ring: order kept across growth and wrap-around, pointers, empty rings. */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "sim/ring.h"

/* An element larger than a word, so that copies of the wrong size would show. */
struct item {
    uint64_t seq;
    double x;
    char tag[13];
};

static struct item make(uint64_t seq)
{
    struct item it = {.seq = seq, .x = (double)seq * 0.5};
    snprintf(it.tag, sizeof it.tag, "#%llu", (unsigned long long)(seq % 100000));
    return it;
}

static void push_item(struct ring *r, uint64_t seq)
{
    struct item *slot = ring_push(r);
    ck_assert_ptr_nonnull(slot);
    *slot = make(seq);
}

static void push_ptr(struct ring *r, int *p)
{
    int **slot = ring_push(r);
    ck_assert_ptr_nonnull(slot);
    *slot = p;
}

static int *front_ptr(const struct ring *r)
{
    int **slot = ring_front(r);
    ck_assert_ptr_nonnull(slot);
    return *slot;
}

static void check(const struct item *it, uint64_t seq)
{
    struct item want = make(seq);
    ck_assert_ptr_nonnull(it);
    ck_assert_uint_eq(it->seq, want.seq);
    ck_assert_double_eq(it->x, want.x);
    ck_assert_str_eq(it->tag, want.tag);
}

/* A ring of items holding seq 0 .. n-1. */
static struct ring filled(uint64_t n)
{
    struct ring r;
    ring_init(&r, sizeof(struct item));
    for (uint64_t i = 0; i < n; i++)
        push_item(&r, i);
    return r;
}

START_TEST(test_empty)
{
    struct ring r;
    ring_init(&r, sizeof(struct item));
    ck_assert_ptr_null(ring_front(&r));
    ck_assert_uint_eq(ring_len(&r), 0);
    ck_assert_uint_eq(r.cap, 0); /* nothing allocated before the first push */
    ring_release(&r);
    ring_release(&r); /* twice is fine */
    ck_assert_ptr_null(ring_front(&r));
}
END_TEST

START_TEST(test_fifo_order)
{
    struct ring r = filled(5);
    ck_assert_uint_eq(ring_len(&r), 5);
    ck_assert_uint_eq(r.cap, RING_MIN_CAP);
    for (uint64_t i = 0; i < 5; i++) {
        check(ring_front(&r), i);
        ring_pop(&r);
    }
    ck_assert_ptr_null(ring_front(&r));
    ring_release(&r);
}
END_TEST

/* Pushes and pops in an irregular pattern so the head wraps and the ring grows while wrapped;
 * every element comes out in order, intact. */
START_TEST(test_growth_while_wrapped)
{
    struct ring r;
    ring_init(&r, sizeof(struct item));
    uint64_t in = 0, out = 0;
    for (int round = 0; round < 2000; round++) {
        int pushes = 1 + (round * 7) % 5, pops = (round * 5) % 4;
        for (int k = 0; k < pushes; k++)
            push_item(&r, in++);
        for (int k = 0; k < pops && ring_len(&r); k++) {
            check(ring_front(&r), out++);
            ring_pop(&r);
        }
        ck_assert_uint_eq(ring_len(&r), in - out);
        ck_assert_uint_le(ring_len(&r), r.cap);
        ck_assert_uint_eq(r.cap & (r.cap - 1), 0); /* a power of two */
        ck_assert_uint_lt(r.head, r.cap);
    }
    ck_assert_uint_gt(r.cap, RING_MIN_CAP); /* it grew */
    while (ring_len(&r)) {
        check(ring_front(&r), out++);
        ring_pop(&r);
    }
    ck_assert_uint_eq(in, out);
    ring_release(&r);
}
END_TEST

/* Exactly full with the head in the middle: the grow unrolls both parts in order. */
START_TEST(test_grow_from_full_wrapped)
{
    struct ring r;
    ring_init(&r, sizeof(void *));
    int x[2 * RING_MIN_CAP + 1];
    for (int i = 0; i < RING_MIN_CAP; i++)
        push_ptr(&r, &x[i]);
    for (int i = 0; i < 5; i++)
        ring_pop(&r);
    for (int i = RING_MIN_CAP; i < RING_MIN_CAP + 5; i++)
        push_ptr(&r, &x[i]);
    ck_assert_uint_eq(ring_len(&r), r.cap); /* full, wrapped */
    ck_assert_uint_eq(r.head, 5);
    push_ptr(&r, &x[RING_MIN_CAP + 5]); /* grows */
    ck_assert_uint_eq(r.cap, 2 * RING_MIN_CAP);
    ck_assert_uint_eq(r.head, 0);
    for (int i = 5; i <= RING_MIN_CAP + 5; i++) {
        ck_assert_ptr_eq(front_ptr(&r), &x[i]);
        ring_pop(&r);
    }
    ck_assert_uint_eq(ring_len(&r), 0);
    ring_release(&r);
}
END_TEST

START_TEST(test_reuse_after_release)
{
    struct ring r = filled(40);
    ring_release(&r);
    ck_assert_uint_eq(ring_len(&r), 0);
    push_item(&r, 7); /* same element size kept */
    check(ring_front(&r), 7);
    ring_release(&r);
}
END_TEST

START_TEST(test_pop_empty_aborts)
{
    struct ring r;
    ring_init(&r, sizeof(int));
    ring_pop(&r);
}
END_TEST

static Suite *ring_suite(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_fifo_order);
    tcase_add_test(tc, test_growth_while_wrapped);
    tcase_add_test(tc, test_grow_from_full_wrapped);
    tcase_add_test(tc, test_reuse_after_release);
    tcase_add_test_raise_signal(tc, test_pop_empty_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(ring_suite)
