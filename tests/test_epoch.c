/* SOURCE_DATE_EPOCH: what is accepted, what is refused and how the refusal reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sim/epoch.h"

START_TEST(test_accepted)
{
    static const struct {
        const char *text;
        int64_t seconds;
    } ok[] = {
        {"0", 0},
        {"1700000000", 1700000000},
        {"007", 7},
        {"253402300799", EPOCH_MAX},
        {"00000000000000000000253402300799", EPOCH_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        struct diag d;
        diag_init(&d);
        int64_t s = -5;
        ck_assert_int_eq(epoch_parse(ok[i].text, &s, &d), 0);
        ck_assert_int_eq(s, ok[i].seconds);
        ck_assert_uint_eq(d.len, 0);
        diag_release(&d);
    }
}
END_TEST

START_TEST(test_refused)
{
#define EXPECTED                                                                                   \
    "SOURCE_DATE_EPOCH: expected a decimal integer >= 0 (seconds since 1970-01-01 00:00:00 UTC), "
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"12x", EXPECTED "got '12x'"},
        {"-1", EXPECTED "got '-1'"},
        {"", EXPECTED "got '' (set but empty; unset it to use the clock)"},
        {" 12", EXPECTED "got ' 12'"},
        {"12 ", EXPECTED "got '12 '"},
        {"+12", EXPECTED "got '+12'"},
        {"0x10", EXPECTED "got '0x10'"},
        {"1.5", EXPECTED "got '1.5'"},
        {"1e9", EXPECTED "got '1e9'"},
        {"99999999999999999999999999x", EXPECTED "got '99999999999999999999999999x'"},
        {"253402300800",
         "SOURCE_DATE_EPOCH: expected at most 253402300799 (9999-12-31T23:59:59Z), got "
         "'253402300800'"},
        {"9223372036854775808",
         "SOURCE_DATE_EPOCH: expected at most 253402300799 (9999-12-31T23:59:59Z), got "
         "'9223372036854775808'"},
    };
#undef EXPECTED
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct diag d;
        diag_init(&d);
        int64_t s = 42;
        ck_assert_int_eq(epoch_parse(bad[i].text, &s, &d), -EINVAL);
        ck_assert_int_eq(s, 42); /* untouched */
        ck_assert_uint_eq(d.errors, 1);
        ck_assert_ptr_null(d.msgs[0].file);
        ck_assert_msg(strcmp(d.msgs[0].text, bad[i].message) == 0, "'%s': got \"%s\"", bad[i].text,
                      d.msgs[0].text);
        diag_release(&d);
    }
}
END_TEST

START_TEST(test_environment)
{
    struct diag d;
    diag_init(&d);
    int64_t s = 0;
    ck_assert_int_eq(unsetenv(EPOCH_ENV), 0);
    ck_assert_int_eq(epoch_from_env(&s, &d), 0);
    ck_assert_int_eq(s, -1); /* unset: the clock */
    ck_assert_int_eq(setenv(EPOCH_ENV, "1700000000", 1), 0);
    ck_assert_int_eq(epoch_from_env(&s, &d), 0);
    ck_assert_int_eq(s, 1700000000);
    ck_assert_int_eq(setenv(EPOCH_ENV, "", 1), 0); /* set but empty: an error, not "unset" */
    ck_assert_int_eq(epoch_from_env(&s, &d), -EINVAL);
    ck_assert_int_eq(setenv(EPOCH_ENV, "12x", 1), 0);
    ck_assert_int_eq(epoch_from_env(&s, &d), -EINVAL);
    ck_assert_int_eq(s, 1700000000);
    ck_assert_uint_eq(d.errors, 2);
    unsetenv(EPOCH_ENV);
    diag_release(&d);
}
END_TEST

static Suite *epoch_suite(void)
{
    Suite *s = suite_create("epoch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_accepted);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_environment);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(epoch_suite)
