/* Quantities with units: conversions to base units, and the messages for bad values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "scn/units.h"

static double parse_ok(const char *text, enum unit_dim dim)
{
    double v = -12345;
    char *why = NULL;
    ck_assert_msg(unit_parse(text, dim, &v, &why) == 0, "'%s': %s", text, why ? why : "");
    ck_assert_ptr_null(why);
    return v;
}

static char *parse_bad(const char *text, enum unit_dim dim)
{
    double v = 42;
    char *why = NULL;
    ck_assert_msg(unit_parse(text, dim, &v, &why) < 0, "'%s' accepted", text);
    ck_assert(v == 42);
    ck_assert_ptr_nonnull(why);
    return why;
}

START_TEST(test_conversions)
{
    ck_assert(parse_ok("10 ms", DIM_TIME) == 0.01);
    ck_assert(parse_ok("10ms", DIM_TIME) == 0.01);
    ck_assert(parse_ok("2.5", DIM_TIME) == 2.5); /* plain number: base unit */
    ck_assert(parse_ok("3 min", DIM_TIME) == 180);
    ck_assert(parse_ok("1 h", DIM_TIME) == 3600);
    ck_assert(parse_ok("250 us", DIM_TIME) == 250e-6);
    ck_assert(parse_ok("250 \xc2\xb5s", DIM_TIME) == 250e-6);
    ck_assert(parse_ok("20 MHz", DIM_FREQUENCY) == 20e6);
    ck_assert(parse_ok("23 dBm", DIM_POWER) == 23);
    ck_assert_double_eq_tol(parse_ok("0.2 W", DIM_POWER), 23.0103, 1e-4);
    ck_assert_double_eq_tol(parse_ok("1 mW", DIM_POWER), 0, 1e-12);
    ck_assert(parse_ok("0 dBW", DIM_POWER) == 30);
    ck_assert(parse_ok("-174 dBm/Hz", DIM_PSD) == -174);
    ck_assert_double_eq_tol(parse_ok("3 km/h", DIM_SPEED), 3 / 3.6, 1e-12);
    ck_assert(parse_ok("4 GiB", DIM_SIZE) == 4294967296.0);
    ck_assert(parse_ok("4 GB", DIM_SIZE) == 4e9);
    ck_assert(parse_ok("0.5 /s", DIM_RATE) == 0.5);
    ck_assert_double_eq_tol(parse_ok("6 /min", DIM_RATE), 0.1, 1e-15);
    ck_assert(parse_ok("5 %", DIM_NONE) == 0.05);
    ck_assert(parse_ok("-3.5e2", DIM_GAIN) == -350);
    ck_assert(parse_ok("1.5 km", DIM_DISTANCE) == 1500);
    ck_assert(parse_ok("100 Mbit/s", DIM_BITRATE) == 1e8);
    double z = parse_ok("-0", DIM_TIME);
    ck_assert(z == 0 && !signbit(z));
}
END_TEST

START_TEST(test_bad_values)
{
    struct {
        const char *text;
        enum unit_dim dim;
        const char *message;
    } cases[] = {
        {"fast", DIM_TIME,
         "expected a time (a number, optionally with a unit: ns, us, ms, s, min, h, d), got "
         "'fast'"},
        {"10 MHz", DIM_TIME,
         "expected a time (ns, us, ms, s, min, h, d), got a frequency '10 MHz'"},
        {"10 parsecs", DIM_DISTANCE,
         "unknown unit 'parsecs' in '10 parsecs'; expected a distance in m, km"},
        {"10 Ms", DIM_TIME,
         "unknown unit 'Ms' in '10 Ms'; expected a time in ns, us, ms, s, min, h, d"},
        {"inf", DIM_TIME, "expected a finite decimal number, got 'inf'"},
        {"nan s", DIM_TIME, "expected a finite decimal number, got 'nan s'"},
        {"0x10", DIM_NONE, "expected a finite decimal number, got '0x10'"},
        {"1e999", DIM_NONE, "expected a finite number, got '1e999' (out of range)"},
        {"1e308 TiB", DIM_SIZE, "expected a finite quantity, got '1e308 TiB' (overflows)"},
        {"0 W", DIM_POWER, "expected a power > 0 W, got '0 W' (in dBm that is -infinity)"},
        {"", DIM_NONE, "expected a number, got ''"},
        {" 5", DIM_NONE, "expected a number, got ' 5'"},
        {"5 %%", DIM_NONE,
         "unknown unit '%%' in '5 %%'; expected a plain number or a percentage (e.g. 5 %)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *why = parse_bad(cases[i].text, cases[i].dim);
        ck_assert_str_eq(why, cases[i].message);
        free(why);
    }
}
END_TEST

START_TEST(test_dimension_names)
{
    ck_assert_str_eq(unit_dim_name(DIM_TIME), "a time");
    ck_assert_str_eq(unit_dim_base(DIM_TIME), "s");
    ck_assert_str_eq(unit_dim_base(DIM_RATE), "/s");
    ck_assert_str_eq(unit_dim_base(DIM_NONE), "");
    for (int d = 0; d < DIM_COUNT_; d++) {
        ck_assert(strlen(unit_dim_name(d)) > 2);
        ck_assert(strlen(unit_dim_units(d)) > 0);
    }
}
END_TEST

/* The unit a column of swept values is shown in: the largest in which each reads >= 1 and exact to
 * three decimals. */
START_TEST(test_display_units)
{
    double f = 0;
    const double bw[] = {5e6, 10e6, 20e6};
    ck_assert_str_eq(unit_display(DIM_FREQUENCY, bw, 3, &f), "MHz");
    ck_assert(f == 1e6);
    const double khz[] = {180e3, 1.4e6};
    ck_assert_str_eq(unit_display(DIM_FREQUENCY, khz, 2, &f), "kHz");
    ck_assert(f == 1e3);
    const double one_hz[] = {1e9, 1};
    ck_assert_str_eq(unit_display(DIM_FREQUENCY, one_hz, 2, &f), "Hz");
    const double rate[] = {0.1, 0.025};
    ck_assert_str_eq(unit_display(DIM_RATE, rate, 2, &f), "/min");
    ck_assert(fabs(0.025 / f - 1.5) < 1e-12);
    const double third[] = {1.0 / 3};
    ck_assert_str_eq(unit_display(DIM_RATE, third, 1, &f), "/min");
    const double odd[] = {1.0 / 7}; /* no unit gives three exact decimals: the base unit */
    ck_assert_str_eq(unit_display(DIM_RATE, odd, 1, &f), "/s");
    ck_assert(f == 1);
    const double times[] = {0.5, 2};
    ck_assert_str_eq(unit_display(DIM_TIME, times, 2, &f), "ms");
    const double minutes[] = {1800, 86400};
    ck_assert_str_eq(unit_display(DIM_TIME, minutes, 2, &f), "min");
    const double speed[] = {3 / 3.6, 0}; /* 3 km/h, and zero fits any unit */
    ck_assert_str_eq(unit_display(DIM_SPEED, speed, 2, &f), "km/h");
    const double zeros[] = {0, 0};
    ck_assert_str_eq(unit_display(DIM_DISTANCE, zeros, 2, &f), "m");
    ck_assert_str_eq(unit_display(DIM_DISTANCE, NULL, 0, &f), "m");
    const double nan_and_km[] = {NAN, 2000};
    ck_assert_str_eq(unit_display(DIM_DISTANCE, nan_and_km, 2, &f), "km");
    const double power[] = {23, 20};
    ck_assert_str_eq(unit_display(DIM_POWER, power, 2, &f), "dBm");
    ck_assert(f == 1);
    ck_assert_str_eq(unit_display(DIM_NONE, power, 2, &f), "");
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_conversions);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_dimension_names);
    tcase_add_test(tc, test_display_units);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(units_suite)
