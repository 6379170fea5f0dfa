/* Trace files: the accepted form, and every kind of bad line reported with line:column. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/split/trace.h"

static int parse(const char *text, struct trace *t, struct diag *d)
{
    return trace_parse(t, "t.csv", text, strlen(text), d);
}

/* Parses text that must load into exactly the n requests `want`, every field. */
static void expect_requests(const char *text, const struct trace_entry *want, size_t n)
{
    struct trace t;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(parse(text, &t, &d), 0);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_uint_eq(t.n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(t.v[i].time_ns, want[i].time_ns);
        ck_assert_uint_eq(t.v[i].ue, want[i].ue);
        ck_assert_uint_eq(t.v[i].prompt, want[i].prompt);
        ck_assert_uint_eq(t.v[i].output, want[i].output);
    }
    trace_release(&t);
    diag_release(&d);
}

START_TEST(test_good_trace)
{
    static const struct trace_entry want[] = {
        {500000000, 0, 128, 32}, {500000000, 3, 1, 1}, {2250000000, 1, 7, 9}};
    expect_requests("time_s,ue,prompt_tokens,output_tokens\n"
                    "# a comment\n"
                    "\n"
                    "0.5,0,128,32\r\n"
                    "0.5, 3 ,1,1\n"
                    "2.25,1,7,9",
                    want, 3);
}
END_TEST

/* Parses the len bytes of text, which must be refused, with nothing loaded, its first message
 * at line:col; returns that message's text (malloc'd). */
static char *refused(const char *text, size_t len, int line, int col)
{
    struct trace t;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(trace_parse(&t, "t.csv", text, len, &d), -EINVAL);
    ck_assert_uint_ge(d.len, 1);
    ck_assert_int_eq(d.msgs[0].line, line);
    ck_assert_int_eq(d.msgs[0].col, col);
    ck_assert_ptr_null(t.v);
    char *message = strdup(d.msgs[0].text);
    ck_assert_ptr_nonnull(message);
    diag_release(&d);
    return message;
}

/* text is refused, its first message at line:col and containing needle. */
static void expect_error(const char *text, int line, int col, const char *needle)
{
    char *message = refused(text, strlen(text), line, col);
    ck_assert_msg(strstr(message, needle), "'%s' lacks '%s'", message, needle);
    free(message);
}

/* Bad traces: the text, where its first message is, and what the message says. */
static const struct {
    const char *text;
    int line, col;
    const char *needle;
} bad_traces[] = {
    {"1,0,5\n", 1, 6, "expected 4 comma-separated fields"},
    {"1,0,5,x\n", 1, 7, "output_tokens: expected a whole number"},
    {"1,0,0,3\n", 1, 5, "prompt_tokens: expected a token count in [1, 1000000]"},
    {"-1,0,1,1\n", 1, 1, "time_s: expected a time in seconds >= 0"},
    {"1,0.5,1,1\n", 1, 3, "ue: expected a whole number"},
    {"2,0,1,1\n1,0,1,1\n", 2, 1, "expected times in order"},
    {"# nothing\n", 1, 1, "expected at least one request line"},
    /* What a field may hold is decided, not left to strtod: plain decimal times, digits for
     * counts, the schema's limits; only the real header is skipped. strtod's other forms: */
    {"0x10,0,1,1\n", 1, 1, "time_s: expected a time in seconds >= 0"},
    {"inf,0,1,1\n", 1, 1, "time_s: expected a time in seconds >= 0"},
    {"1,0,1e3,1\n", 1, 5, "prompt_tokens: expected a whole number"},
    {"1,+1,1,1\n", 1, 3, "ue: expected a whole number"},
    {"1e,0,1,1\n", 1, 1, "time_s: expected a time in seconds >= 0"},
    {".,0,1,1\n", 1, 1, "time_s: expected a time in seconds >= 0"},
    /* a first line that is not the header is a request line, checked like one */
    {"nan,0,1,1\n1,0,1,1\n", 1, 1, "time_s: expected a time in seconds >= 0"},
    {"time,ue,prompt,output\n1,0,1,1\n", 1, 1, "time_s: expected a time"},
    /* the scenario schema's limits */
    {"1,0,1000000000,1\n", 1, 5, "prompt_tokens: expected a token count in [1, 1000000]"},
    {"1,0,1,1000001\n", 1, 7, "output_tokens: expected a token count in [1, 1000000]"},
    {"1,1000000,1,1\n", 1, 3, "ue: expected a UE number below 1000000"},
};

/* Each bad trace is refused at its place, with its message. */
START_TEST(test_bad_traces)
{
    expect_error(bad_traces[_i].text, bad_traces[_i].line, bad_traces[_i].col,
                 bad_traces[_i].needle);
}
END_TEST

/* No NUL bytes; what is accepted at the edges of what the bad traces test. */
START_TEST(test_hostile_fields)
{
    /* an embedded NUL byte ("6\0 4" once read as 6) */
    const char nul[] = "1,6\0 4,1,1\n";
    char *message = refused(nul, sizeof nul - 1, 1, 4);
    ck_assert_str_eq(message, "NUL byte in the line; a trace is plain text");
    free(message);
    /* accepted: exponents in times, the largest counts, the header with blanks */
    static const struct trace_entry good[] = {
        {1000000, 999999, 1000000, 1000000}, {2000000000, 0, 1, 1}, {5000000000, 0, 1, 1}};
    expect_requests(" time_s , ue,prompt_tokens,output_tokens\r\n"
                    "1e-3,999999,1000000,1000000\n"
                    "2.,0,1,1\n"
                    ".5E1,0,1,1\n",
                    good, 3);
}
END_TEST

static Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_good_trace);
    tcase_add_loop_test(tc, test_bad_traces, 0, sizeof bad_traces / sizeof bad_traces[0]);
    tcase_add_test(tc, test_hostile_fields);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(trace_suite)
