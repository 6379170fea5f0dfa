/* Command-line option binding and converters. */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "cli/args.h"

static const struct args_opt opts[] = {
    {"rate", 0, "RATE", "a rate", false},
    {"count", 'n', "N", "a count", false},
    {"output", 'o', "FILE", "a file", false},
    {"quiet", 'q', NULL, "a flag", false},
};

static int parse(struct args *a, struct diag *d, int argc, char **argv)
{
    return args_parse(a, opts, 4, argc, argv, 1, d);
}

START_TEST(test_forms)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    char *argv[] = {"run", "--rate", "2.5", "-n", "7", "--output=x.h5", "-q", "pos", "--", "-z"};
    ck_assert_int_eq(parse(&a, &d, 10, argv), 0);
    ck_assert_str_eq(args_get(&a, "rate"), "2.5");
    ck_assert_str_eq(args_get(&a, "count"), "7");
    ck_assert_str_eq(args_get(&a, "output"), "x.h5");
    ck_assert(args_has(&a, "quiet"));
    ck_assert_uint_eq(a.npositional, 2);
    ck_assert_str_eq(a.positional[0], "pos");
    ck_assert_str_eq(a.positional[1], "-z");
    uint64_t n = 0;
    ck_assert_int_eq(args_uint64(&a, "count", 1, 10, &n, &d), 0);
    ck_assert_uint_eq(n, 7);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    args_release(&a);
    diag_release(&d);
}
END_TEST

START_TEST(test_errors_are_collected)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    char *argv[] = {"run", "--rat", "1", "--quiet=yes", "--count", "1", "--count", "2", "-o"};
    ck_assert_int_lt(parse(&a, &d, 9, argv), 0);
    ck_assert_uint_eq(diag_error_count(&d), 4);
    ck_assert_str_eq(d.msgs[0].text, "argument 2: unknown option '--rat' (did you mean '--rate'?)");
    ck_assert_str_eq(d.msgs[1].text, "argument 4: option '--quiet' takes no value, got 'yes'");
    ck_assert_str_eq(d.msgs[2].text,
                     "argument 7: option '--count' given twice (first as argument 5)");
    ck_assert_str_eq(d.msgs[3].text, "argument 9: option '-o' expects a value (FILE)");
    args_release(&a);
    diag_release(&d);
}
END_TEST

START_TEST(test_converters_reject)
{
    char *bad_ints[] = {"-3", "+3", "3.0", "0x10", "99999999999999999999999", " 4", "0"};
    for (size_t i = 0; i < sizeof bad_ints / sizeof *bad_ints; i++) {
        struct diag d;
        diag_init(&d);
        struct args a;
        char *argv[] = {"run", "-n", bad_ints[i]};
        ck_assert_int_eq(parse(&a, &d, 3, argv), 0);
        uint64_t v = 42;
        ck_assert_msg(args_uint64(&a, "count", 1, 1000, &v, &d) < 0, "accepted '%s'", bad_ints[i]);
        ck_assert_uint_eq(v, 42);
        args_release(&a);
        diag_release(&d);
    }
}
END_TEST

START_TEST(test_absent_leaves_default)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    char *argv[] = {"run", "-h"};
    ck_assert_int_eq(parse(&a, &d, 2, argv), 0);
    ck_assert(a.help);
    uint64_t v = 15;
    ck_assert_int_eq(args_uint64(&a, "count", 0, 10, &v, &d), 0);
    ck_assert_uint_eq(v, 15);
    ck_assert_ptr_null(args_get(&a, "nonexistent"));
    args_release(&a);
    diag_release(&d);
}
END_TEST

static Suite *args_suite(void)
{
    Suite *s = suite_create("args");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_forms);
    tcase_add_test(tc, test_errors_are_collected);
    tcase_add_test(tc, test_converters_reject);
    tcase_add_test(tc, test_absent_leaves_default);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(args_suite)
