/* Tidy tables: CSV as RFC 4180 has it (quoting, CRLF), JSON that parses (NaN and infinities as
 * null, strings escaped), reals that read back to the same double, invalid UTF-8 replaced. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "results/tidy.h"

/* Writes a two-row table with every kind of cell in `format`; the text (malloc'd). */
static char *write_table(enum tidy_format format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct tidy t;
    const char *cols[] = {"name", "x", "k", "flag", "empty"};
    ck_assert_int_eq(tidy_begin(&t, out, format, cols, 5), 0);
    tidy_set_text(&t, 0, "a, \"quoted\"\nline");
    tidy_set_real(&t, 1, 0.1);
    tidy_set_int(&t, 2, -42);
    tidy_set_bool(&t, 3, true);
    ck_assert_int_eq(tidy_emit(&t), 0);
    tidy_set_text(&t, 0, "plain");
    tidy_set_real(&t, 1, NAN);
    tidy_set_real(&t, 2, INFINITY);
    tidy_set_bool(&t, 3, false);
    tidy_set_text(&t, 4, NULL);
    ck_assert_int_eq(tidy_emit(&t), 0);
    ck_assert_int_eq(tidy_end(&t), 0);
    fclose(out);
    return text;
}

START_TEST(test_csv)
{
    char *text = write_table(TIDY_CSV);
    ck_assert_str_eq(text, "name,x,k,flag,empty\r\n"
                           "\"a, \"\"quoted\"\"\nline\",0.1,-42,true,\r\n"
                           "plain,,inf,false,\r\n");
    free(text);
}
END_TEST

START_TEST(test_json)
{
    char *text = write_table(TIDY_JSON);
    ck_assert_str_eq(text, "[\n"
                           "{\"name\": \"a, \\\"quoted\\\"\\nline\", \"x\": 0.1, \"k\": -42, "
                           "\"flag\": true, \"empty\": null},\n"
                           "{\"name\": \"plain\", \"x\": null, \"k\": null, \"flag\": false, "
                           "\"empty\": null}\n"
                           "]\n");
    free(text);
    /* no rows: an empty array; CSV: the header alone */
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct tidy t;
    const char *cols[] = {"a"};
    ck_assert_int_eq(tidy_begin(&t, out, TIDY_JSON, cols, 1), 0);
    ck_assert_int_eq(tidy_end(&t), 0);
    fclose(out);
    ck_assert_str_eq(text, "[]\n");
    free(text);
}
END_TEST

/* Every real set comes back bit for bit from the text (the fewest digits that do). */
START_TEST(test_reals_round_trip)
{
    const double v[] = {0.1,   1.0 / 3,  2.0 / 3 * 1e-300,    5e6,  -0.0, 123456789.123456789,
                        1e300, 4.9e-324, 0.30000000000000004, 1e-7, 42};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        struct tidy t;
        const char *cols[] = {"x"};
        ck_assert_int_eq(tidy_begin(&t, out, TIDY_CSV, cols, 1), 0);
        tidy_set_real(&t, 0, v[i]);
        tidy_emit(&t);
        tidy_end(&t);
        fclose(out);
        double back = strtod(text + strlen("x\r\n"), NULL);
        ck_assert_msg(back == v[i] && signbit(back) == signbit(v[i]), "%.17g came back as %s", v[i],
                      text);
        if (v[i] == 0.1)
            ck_assert_str_eq(text, "x\r\n0.1\r\n"); /* not 0.10000000000000001 */
        free(text);
    }
}
END_TEST

/* Invalid UTF-8 (a lone continuation byte, an overlong form, a surrogate, a cut sequence) is
 * replaced by U+FFFD; valid text of every length is kept. Control characters are escaped in
 * JSON. */
START_TEST(test_utf8_and_controls)
{
    char *s = tidy_utf8("ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    ck_assert_str_eq(s, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    free(s);
    s = tidy_utf8("\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82");
    ck_assert_str_eq(s,
                     "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                     "\xef\xbf\xbd\xef\xbf\xbd");
    free(s);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct tidy t;
    const char *cols[] = {"bad\xff"};
    ck_assert_int_eq(tidy_begin(&t, out, TIDY_JSON, cols, 1), 0);
    tidy_set_text(&t, 0, "tab\there\x01\\");
    tidy_emit(&t);
    tidy_end(&t);
    fclose(out);
    ck_assert_str_eq(text, "[\n{\"bad\xef\xbf\xbd\": \"tab\\there\\u0001\\\\\"}\n]\n");
    free(text);
}
END_TEST

/* A write that fails (a full device) is reported when the table ends. */
START_TEST(test_write_error)
{
    FILE *out = fopen("/dev/full", "w");
    if (!out)
        return; /* no /dev/full here */
    struct tidy t;
    const char *cols[] = {"x"};
    ck_assert_int_eq(tidy_begin(&t, out, TIDY_CSV, cols, 1), 0);
    for (int i = 0; i < 10000; i++) {
        tidy_set_int(&t, 0, i);
        tidy_emit(&t);
    }
    ck_assert_int_lt(tidy_end(&t), 0);
    fclose(out);
}
END_TEST

static Suite *tidy_suite(void)
{
    const TTest *const tests[] = {
        test_csv, test_json, test_reals_round_trip, test_utf8_and_controls, test_write_error, NULL};
    return check_suite("tidy", "core", 10, tests);
}

CHECK_MAIN(tidy_suite)
