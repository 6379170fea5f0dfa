/* Quality tables: parsing, interpolation, extrapolation flags, and malformed files. */
#include <string.h>

#include "check_main.h"
#include "edited.h"
#include "models/llm/qtable.h"

static const char *good = "format: splitsim-quality-table\nformat_version: 1\nmodel: llama-2-7b\n"
                          "provenance: {method: measured, tool: t, created: c, source: s}\n"
                          "metric: perplexity\ndataset: WikiText-2 test\nreference: 5.0\nruns: 5\n"
                          "erasure_mode: element\nsplits: [1, 5]\nerasure: [0, 0.1, 0.3]\n"
                          "values:\n"
                          "  fp16:\n"
                          "    - [5.0, 10.0, 50.0]\n"
                          "    - [5.0, 6.0, 10.0]\n"
                          "  int8:\n"
                          "    - [5.5, 11.0, 55.0]\n"
                          "    - [5.5, 6.6, 11.0]\n";

START_TEST(test_values)
{
    struct qtable q;
    struct diag d;
    diag_init(&d);
    ck_assert_msg(qtable_parse(&q, "q.yaml", good, strlen(good), &d) == 0, "%s",
                  d.len ? d.msgs[0].text : "");
    bool ex = false;
    ck_assert_double_eq_tol(qtable_ratio(&q, 1, 0.1, QUALITY_FP16, &ex), 2.0, 1e-12);
    ck_assert_double_eq_tol(qtable_ratio(&q, 5, 0.3, QUALITY_FP16, &ex), 2.0, 1e-12);
    ck_assert(!ex);
    /* linear in split and erasure: split 3 (halfway), erasure 0.2 (halfway) */
    double top = (10.0 + 50.0) / 2, bottom = (6.0 + 10.0) / 2;
    ck_assert_double_eq_tol(qtable_ratio(&q, 3, 0.2, QUALITY_FP16, &ex), (top + bottom) / 2 / 5.0,
                            1e-12);
    ck_assert_double_eq_tol(qtable_ratio(&q, 1, 0, QUALITY_INT8, &ex), 1.1, 1e-12);
    ck_assert(!ex);
    /* int4 absent: fp16 values, flagged */
    ck_assert_double_eq_tol(qtable_ratio(&q, 5, 0, QUALITY_INT4, &ex), 1.0, 1e-12);
    ck_assert(ex);
    ex = false;
    ck_assert_double_eq_tol(qtable_ratio(&q, 9, 0.5, QUALITY_FP16, &ex), 2.0, 1e-12); /* clamped */
    ck_assert(ex);
    ck_assert_str_eq(q.erasure_mode, "element");
    ck_assert_uint_eq(q.runs, 5);
    qtable_release(&q);
    diag_release(&d);
}
END_TEST

START_TEST(test_malformed)
{
    struct {
        const char *from, *to, *message;
    } cases[] = {
        {"[5.0, 6.0, 10.0]", "[5.0, 6.0, 4.0]",
         "values.fp16[1]: expected no improvement with more erasure, got 4 after 6"},
        {"erasure: [0, 0.1, 0.3]", "erasure: [0, 0.1, 1.3]",
         "erasure: expected a number in [0, 1], got '1.3'"},
        {"runs: 5", "rnus: 5", "quality table: unknown key 'rnus' (did you mean 'runs'?)"},
        {"erasure_mode: element", "erasure_mode: bits",
         "erasure_mode: expected element or packet, got 'bits'"},
        {"  fp16:", "  fp32:", "values: expected fp16, int8 or int4, got 'fp32'"},
        {"method: measured", "method: guessed",
         "provenance.method: expected measured or assumed, got 'guessed'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *bad = edited(good, cases[i].from, cases[i].to);
        struct qtable q;
        struct diag d;
        diag_init(&d);
        ck_assert_msg(qtable_parse(&q, "q.yaml", bad, strlen(bad), &d) < 0, "case %zu accepted", i);
        size_t k = message_index(&d, cases[i].message, i);
        ck_assert_int_gt(d.msgs[k].line, 0);
        diag_release(&d);
        free(bad);
    }
}
END_TEST

static Suite *qtable_suite(void)
{
    Suite *s = suite_create("qtable");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_values);
    tcase_add_test(tc, test_malformed);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(qtable_suite)
