/* Arrays grown by doubling: capacities, elements kept, refusal without change. */
#include <stdint.h>

#include "check_main.h"
#include "sim/grow.h"

START_TEST(test_doubles_and_keeps)
{
    uint32_t *v = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        if (n == cap) {
            size_t before = cap;
            ck_assert_int_eq(grow_array(&v, &cap, sizeof *v, 3), 0);
            ck_assert_uint_eq(cap, before ? 2 * before : 3);
        }
        v[n++] = i * 7;
    }
    ck_assert_uint_eq(cap, 1536); /* 3, 6, 12, ..., 1536 */
    for (uint32_t i = 0; i < 1000; i++)
        ck_assert_uint_eq(v[i], i * 7);
    free(v);
}
END_TEST

START_TEST(test_overflow_refused_unchanged)
{
    struct big {
        char c[64];
    };
    struct big *v = NULL;
    size_t cap = 0;
    ck_assert_int_eq(grow_array(&v, &cap, sizeof *v, 1), 0);
    struct big *kept = v;
    cap = SIZE_MAX / 64; /* doubling would overflow the size */
    ck_assert_int_eq(grow_array(&v, &cap, sizeof *v, 1), -ENOMEM);
    ck_assert_ptr_eq(v, kept);
    ck_assert_uint_eq(cap, SIZE_MAX / 64);
    size_t huge = SIZE_MAX / 2 + 1; /* doubling wraps */
    ck_assert_int_eq(grow_array(&v, &huge, 1, 1), -ENOMEM);
    ck_assert_ptr_eq(v, kept);
    free(v);
}
END_TEST

static Suite *grow_suite(void)
{
    Suite *s = suite_create("grow");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_doubles_and_keeps);
    tcase_add_test(tc, test_overflow_refused_unchanged);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(grow_suite)
