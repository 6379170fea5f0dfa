/* Cost tables: derived from first principles, written and read back, interpolated, summed over
 * layer ranges; malformed files refused with positions. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "edited.h"
#include "models/llm/derive.h"

static struct cost_table derived(const char *model, const char *device)
{
    struct cost_table t;
    ck_assert_int_eq(cost_derive(&t, arch_find(model), device_find(device), "test", "2026-01-01"),
                     0);
    return t;
}

START_TEST(test_derived_counts)
{
    struct cost_table t = derived("llama-2-7b", "h100");
    const struct arch *a = arch_find("llama-2-7b");
    ck_assert_uint_eq(t.nlayers, 34); /* embedding, 32 blocks, head */
    ck_assert(cost_range_param_bytes(&t, 0, t.nlayers) == 2.0 * (double)arch_total_params(a));
    ck_assert(cost_range_param_bytes(&t, 0, t.nlayers) == 13476831232.0);
    ck_assert(cost_range_kv_bytes_per_token(&t, 0, t.nlayers) == 512 * 1024);
    ck_assert(cost_group_of(&t, 0)->hidden_bytes_per_token == 8192);
    ck_assert_str_eq(cost_group_of(&t, 33)->name, "head");
    ck_assert_str_eq(cost_group_of(&t, 5)->name, "block");
    ck_assert_ptr_null(cost_group_of(&t, 34));
    ck_assert_uint_eq(t.ncontext, 13); /* 1 .. 4096 */
    ck_assert_str_eq(t.method, "derived");
    cost_release(&t);
}
END_TEST

START_TEST(test_interpolation_and_sums)
{
    struct cost_table t = derived("tinyllama-1.1b", "a100");
    const struct cost_group *b = &t.groups[1];
    bool ex = false;
    /* grid points exactly */
    for (size_t i = 0; i < t.nprefill; i++)
        ck_assert(cost_group_prefill_ms(&t, b, t.prefill_tokens[i], &ex) == b->prefill_ms[i] ||
                  fabs(cost_group_prefill_ms(&t, b, t.prefill_tokens[i], &ex) / b->prefill_ms[i] -
                       1) < 1e-12);
    ck_assert(!ex);
    /* between 64 (index 6) and 128: log-log */
    double y = cost_group_prefill_ms(&t, b, 96, &ex);
    double w = (log(96) - log(64)) / (log(128) - log(64));
    double want = exp(log(b->prefill_ms[6]) + w * (log(b->prefill_ms[7]) - log(b->prefill_ms[6])));
    ck_assert_double_eq_tol(y, want, 1e-12);
    ck_assert(!ex);
    /* beyond the grid: extended and flagged */
    double far = cost_group_prefill_ms(&t, b, 8192, &ex);
    ck_assert(ex);
    ck_assert(far > b->prefill_ms[t.nprefill - 1]);
    /* decode: bilinear in logs; at a grid point exact */
    ex = false;
    ck_assert_double_eq_tol(cost_group_decode_ms(&t, b, 256, 4, &ex),
                            b->decode_ms[8 * t.nbatch + 2], 1e-12);
    ck_assert(!ex);
    /* range sums agree with per-layer sums */
    double sum = 0;
    for (uint32_t l = 3; l < 17; l++)
        sum += cost_group_prefill_ms(&t, cost_group_of(&t, l), 300, NULL);
    ck_assert_double_eq_tol(cost_range_prefill_ms(&t, 3, 17, 300, NULL), sum, 1e-9);
    double dsum = 0;
    for (uint32_t l = 0; l < t.nlayers; l++)
        dsum += cost_group_decode_ms(&t, cost_group_of(&t, l), 700, 3, NULL);
    ck_assert_double_eq_tol(cost_range_decode_ms(&t, 0, t.nlayers, 700, 3, NULL), dsum, 1e-9);
    ck_assert(cost_range_prefill_ms(&t, 5, 5, 10, NULL) == 0);
    cost_release(&t);
}
END_TEST

__attribute__((noinline)) static char *written(const struct cost_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cost_write(t, f);
    fclose(f);
    return buf;
}

START_TEST(test_write_read_round_trip)
{
    for (size_t i = 0; device_catalogue[i]; i++) {
        struct cost_table t = derived("qwen2-1.5b", device_catalogue[i]->name), u;
        char *text = written(&t);
        struct diag d;
        diag_init(&d);
        ck_assert_msg(cost_parse(&u, "t.yaml", text, strlen(text), &d) == 0, "%s: %s",
                      device_catalogue[i]->name, d.len ? d.msgs[0].text : "");
        ck_assert_uint_eq(u.nlayers, t.nlayers);
        ck_assert_uint_eq(u.ngroups, 3);
        for (size_t g = 0; g < 3; g++) {
            ck_assert(memcmp(u.groups[g].prefill_ms, t.groups[g].prefill_ms,
                             t.nprefill * sizeof(double)) == 0);
            ck_assert(memcmp(u.groups[g].decode_ms, t.groups[g].decode_ms,
                             t.ncontext * t.nbatch * sizeof(double)) == 0);
        }
        char *again = written(&u);
        ck_assert_str_eq(text, again);
        free(text);
        free(again);
        cost_release(&t);
        cost_release(&u);
        diag_release(&d);
    }
}
END_TEST

/* Malformed tables: the message and where it points. */
START_TEST(test_malformed)
{
    struct cost_table t = derived("gpt2", "l4");
    char *good = written(&t);
    cost_release(&t);
    struct {
        const char *from, *to; /* edit of the good text */
        const char *message;
    } cases[] = {
        {"format: splitsim-cost-table", "format: csv",
         "format: expected 'splitsim-cost-table', got 'csv'"},
        {"power_w:", "powr_w:", "cost table: unknown key 'powr_w' (did you mean 'power_w'?)"},
        {"units: {time: ms, size: B}", "units: {time: s, size: B}",
         "units.time: expected ms, got 's'"},
        {"decode_batch: [1, 2, 4", "decode_batch: [1, 4, 2",
         "decode_batch: expected increasing values, got 2 after 4"},
        {"  method: derived", "  method: guessed",
         "provenance.method: expected derived or measured, got 'guessed'"},
        {"    count: 12", "    count: 0",
         "layers[1].count: expected a finite number >= 1, got '0'"},
        {"    kv_bytes_per_token: 0", "    kv_bytes_per_token: -4",
         "layers[0].kv_bytes_per_token: expected a finite number >= 0, got '-4'"},
        {"model: \"gpt2\"\n", "", "model: missing required key"},
        /* explicit tags are respected */
        {"    kv_bytes_per_token: 0", "    kv_bytes_per_token: !!str 0",
         "layers[0].kv_bytes_per_token: expected a finite number >= 0, got '0' tagged !!str"},
        {"model: \"gpt2\"", "model: !!int 2", "model: expected a string, got '2' tagged !!int"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *bad = edited(good, cases[i].from, cases[i].to);
        struct diag d;
        diag_init(&d);
        ck_assert_msg(cost_parse(&t, "bad.yaml", bad, strlen(bad), &d) < 0, "case %zu accepted", i);
        size_t k = message_index(&d, cases[i].message, i);
        ck_assert_str_eq(d.msgs[k].file, "bad.yaml");
        ck_assert_int_gt(d.msgs[k].line, 0);
        diag_release(&d);
        free(bad);
    }
    free(good);
}
END_TEST

START_TEST(test_monotonicity_enforced)
{
    /* A prefill time that falls with more tokens is refused at its value. */
    const char *text =
        "format: splitsim-cost-table\nformat_version: 1\nmodel: m\ndevice: d\n"
        "provenance: {method: measured, tool: t, created: c, source: s}\npower_w: 10\n"
        "units: {time: ms, size: B}\nprefill_tokens: [1, 2, 4]\ndecode_context: [1, 8]\n"
        "decode_batch: [1]\nlayers:\n"
        "  - name: block\n    count: 2\n    param_bytes: 10\n    kv_bytes_per_token: 4\n"
        "    hidden_bytes_per_token: 8\n    prefill_ms: [1.0, 0.5, 2.0]\n"
        "    decode_ms:\n      - [1.0]\n      - [0.9]\n";
    struct cost_table t;
    struct diag d;
    diag_init(&d);
    ck_assert_int_lt(cost_parse(&t, "m.yaml", text, strlen(text), &d), 0);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_str_eq(d.msgs[0].text, "layers[0].prefill_ms: expected a time no smaller than the "
                                     "previous one (more work never costs less), got 0.5 after 1");
    ck_assert_int_eq(d.msgs[0].line, 17);
    ck_assert_int_eq(d.msgs[0].col, 23);
    ck_assert_str_eq(d.msgs[1].text, "layers[0].decode_ms[1]: expected a time no smaller than at "
                                     "the shorter context above (1), got 0.9");
    diag_release(&d);
}
END_TEST

/* A table text with the given groups' counts and one layer's prefill times (decode: 1 ms). */
static char *table_text(const unsigned *counts, size_t n, const char *prefill)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "format: splitsim-cost-table\nformat_version: 1\nmodel: m\ndevice: d\n"
               "provenance: {method: measured, tool: t, created: c, source: s}\npower_w: 10\n"
               "units: {time: ms, size: B}\nprefill_tokens: [1, 2]\ndecode_context: [1]\n"
               "decode_batch: [1]\nlayers:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f,
                "  - {name: g, count: %u, param_bytes: 1, kv_bytes_per_token: 1, "
                "hidden_bytes_per_token: 1, prefill_ms: %s, decode_ms: [[1]]}\n",
                counts[i], prefill);
    fclose(f);
    return buf;
}

/* text (freed here) must be refused with exactly one message, `message` at line:col. */
static void expect_one_error(char *text, int line, int col, const char *message)
{
    struct cost_table t;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(cost_parse(&t, "m.yaml", text, strlen(text), &d), -EINVAL);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text, message);
    ck_assert_int_eq(d.msgs[0].line, line);
    ck_assert_int_eq(d.msgs[0].col, col);
    diag_release(&d);
    free(text);
}

/* Times beyond one day for one layer are refused at their value (a table scaled by 1e18 once
 * gave 1 ns per step); derived tables are held to the same bound. */
START_TEST(test_time_limit)
{
    unsigned one = 1;
    expect_one_error(table_text(&one, 1, "[1, 1e20]"), 12, 107,
                     "layers[0].prefill_ms: expected a time of at most 8.64e+07 ms (one day) for "
                     "one layer, got 1e+20 ms");
    /* exactly one day is accepted */
    char *text = table_text(&one, 1, "[1, 8.64e7]");
    struct cost_table t;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(cost_parse(&t, "m.yaml", text, strlen(text), &d), 0);
    char what[160];
    ck_assert_int_eq(cost_check_times(&t, what, sizeof what), 0);
    t.groups[0].decode_ms[0] = 1e9; /* as a derived table might hold */
    ck_assert_int_eq(cost_check_times(&t, what, sizeof what), -ERANGE);
    ck_assert_str_eq(what, "g, decode step at context 1, batch 1: 1e+09 ms");
    cost_release(&t);
    diag_release(&d);
    free(text);
}
END_TEST

/* The layer count is summed in 64 bits and bounded: 42,950 groups summing to 2^32 + 24 layers
 * were accepted as a 24-layer table. */
START_TEST(test_layer_count_limit)
{
    const size_t n = 42950;
    unsigned *counts = malloc(n * sizeof *counts);
    for (size_t i = 0; i + 1 < n; i++)
        counts[i] = 100000;
    counts[n - 1] = 67320; /* 42,949 x 100,000 + 67,320 = 2^32 + 24 */
    char *text = table_text(counts, n, "[1, 2]");
    struct cost_table t;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(cost_parse(&t, "m.yaml", text, strlen(text), &d), -EINVAL);
    ck_assert_uint_eq(t.nlayers, 0);
    ck_assert_str_eq(d.msgs[0].text, "layers[0].count: expected a whole number in [1, 10000]");
    diag_release(&d);
    free(text);
    /* groups within the bound whose sum exceeds it: refused at the group that crosses it */
    unsigned three[] = {4000, 4000, 4000};
    expect_one_error(table_text(three, 3, "[1, 2]"), 14, 22,
                     "layers[2].count: the groups up to here hold 12000 layers; expected at most "
                     "10000 in all");
    /* 10000 in all is accepted */
    unsigned most[] = {4000, 4000, 2000};
    text = table_text(most, 3, "[1, 2]");
    diag_init(&d);
    ck_assert_int_eq(cost_parse(&t, "m.yaml", text, strlen(text), &d), 0);
    ck_assert_uint_eq(t.nlayers, 10000);
    ck_assert_uint_eq(t.groups[2].first, 8000);
    cost_release(&t);
    diag_release(&d);
    free(text);
    free(counts);
}
END_TEST

static Suite *cost_suite(void)
{
    Suite *s = suite_create("cost");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_derived_counts);
    tcase_add_test(tc, test_interpolation_and_sums);
    tcase_add_test(tc, test_write_read_round_trip);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_monotonicity_enforced);
    tcase_add_test(tc, test_time_limit);
    tcase_add_test(tc, test_layer_count_limit);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cost_suite)
