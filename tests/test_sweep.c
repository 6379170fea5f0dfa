/* Sweeps: point counts and order, the scenario of each point, and the errors. */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/catalog.h"
#include "scn/sweep.h"

struct loaded {
    struct ytree t;
    struct scn base;
    struct sweep sw;
    struct diag d;
};

static int load(struct loaded *l, const char *text)
{
    ytree_init(&l->t);
    diag_init(&l->d);
    memset(&l->sw, 0, sizeof l->sw);
    ck_assert_int_eq(ytree_parse(&l->t, "s.yaml", text, strlen(text), &l->t.root, &l->d), 0);
    struct ynode file = {.src = "s.yaml", .line = 1, .col = 1};
    if (scn_bind(&l->base, &l->t, l->t.root, &file, NULL, &models_catalog, &l->d) < 0)
        return -1;
    return sweep_init(&l->sw, &l->t, &l->base, &l->d);
}

static void unload(struct loaded *l)
{
    sweep_release(&l->sw);
    scn_release(&l->base);
    ytree_release(&l->t);
    diag_release(&l->d);
}

static const char *base = "run: {duration: 1 h, replications: 2, first_replication: 10}\n";

START_TEST(test_grid_zip_replications)
{
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "%s"
                              "sweep:\n"
                              "  grid:\n"
                              "    workload.rate: [1 /s, 2 /s, 3 /s]\n"
                              "    ues.count: [4, 5]\n"
                              "  zip:\n"
                              "    edge.service: [exponential, deterministic]\n"
                              "    edge.service_time: [10 ms, 20 ms]\n",
                              base),
                     0);
    struct loaded l;
    ck_assert_int_eq(load(&l, text), 0);
    ck_assert_uint_eq(l.sw.grid_points, 6);
    ck_assert_uint_eq(l.sw.zip_len, 2);
    ck_assert_uint_eq(l.sw.points, 24);
    ck_assert_uint_eq(sweep_validate(&l.sw, &l.t, &l.base, &l.d), 0);
    /* p = (g * Z + z) * R + r; g = rate index * 2 + count index */
    struct {
        uint64_t p;
        double rate;
        uint64_t count;
        int service;
        double st;
        uint64_t rep;
    } want[] = {
        {0, 1, 4, SCN_SERVICE_EXPONENTIAL, 0.01, 10},
        {1, 1, 4, SCN_SERVICE_EXPONENTIAL, 0.01, 11},
        {2, 1, 4, SCN_SERVICE_DETERMINISTIC, 0.02, 10},
        {4, 1, 5, SCN_SERVICE_EXPONENTIAL, 0.01, 10},
        {8, 2, 4, SCN_SERVICE_EXPONENTIAL, 0.01, 10},
        {23, 3, 5, SCN_SERVICE_DETERMINISTIC, 0.02, 11},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        struct scn s;
        ck_assert_int_eq(sweep_point(&l.sw, &l.t, want[i].p, &s, &l.d), 0);
        ck_assert(s.workload.rate_per_s == want[i].rate);
        ck_assert_uint_eq(s.ues.count, want[i].count);
        ck_assert_int_eq(s.edge.service, want[i].service);
        ck_assert(s.edge.service_time_s == want[i].st);
        ck_assert_uint_eq(s.run.replications, 1);
        ck_assert_uint_eq(s.run.first_replication, want[i].rep);
        ck_assert_uint_eq(sweep_point_replication(&l.sw, want[i].p), want[i].rep);
        ck_assert(s.run.duration_s == 3600); /* the rest is the base scenario */
        char *line = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&line, &len);
        sweep_print_point(&l.sw, want[i].p, &s, f);
        fclose(f);
        ck_assert_ptr_nonnull(strstr(line, "workload.rate="));
        ck_assert_ptr_nonnull(strstr(line, s.hash_hex));
        free(line);
        scn_release(&s);
    }
    unload(&l);
    free(text);
}
END_TEST

START_TEST(test_no_sweep_is_replications)
{
    struct loaded l;
    ck_assert_int_eq(load(&l, base), 0);
    ck_assert_uint_eq(l.sw.points, 2);
    struct scn s;
    ck_assert_int_eq(sweep_point(&l.sw, &l.t, 1, &s, &l.d), 0);
    ck_assert_uint_eq(s.run.first_replication, 11);
    scn_release(&s);
    unload(&l);
}
END_TEST

/* Structural errors: each reported at its place with its text. */
START_TEST(test_structural_errors)
{
    struct {
        const char *sweep;
        const char *message;
    } cases[] = {
        {"sweep: [1]\n", "sweep: expected a mapping with grid: and/or zip:, got a sequence"},
        {"sweep: {grdi: {}}\n", "sweep: unknown key 'grdi' (did you mean 'grid'?)"},
        {"sweep: {grid: {ues.cuont: [1]}}\n",
         "sweep.grid: 'ues.cuont' is not a scenario key; expected a dotted path to a value, like "
         "workload.rate"},
        {"sweep: {grid: {ues: [1]}}\n", "sweep.grid: 'ues' is not a scenario key; expected a "
                                        "dotted path to a value, like workload.rate"},
        {"sweep: {grid: {run.replications: [1, 2]}}\n",
         "sweep.grid: 'run.replications' cannot be swept; replications multiply every point (set "
         "run.replications)"},
        {"sweep: {grid: {ues.count: []}}\n", "sweep.grid.ues.count: expected a non-empty list of "
                                             "values like [1, 2], got an empty sequence"},
        {"sweep: {grid: {ues.count: 3}}\n",
         "sweep.grid.ues.count: expected a non-empty list of values like [1, 2], got a scalar"},
        {"sweep: {grid: {ues.count: [[1]]}}\n",
         "sweep.grid.ues.count: expected a list of single values, got a sequence"},
        {"sweep: {zip: {ues.count: [1, 2], run.seed: [1]}}\n",
         "sweep.zip.run.seed: expected 2 values (as ues.count), got 1"},
        {"sweep: {grid: {ues.count: [1]}, zip: {ues.count: [2]}}\n",
         "sweep.zip: 'ues.count' is already a grid axis"},
        {"sweep: {grid: {run.seed: [1,2,3,4,5,6,7,8,9,10], ues.count: [1,2,3,4,5,6,7,8,9,10], "
         "workload.rate: [1,2,3,4,5,6,7,8,9,10], edge.service_time: [1,2,3,4,5,6,7,8,9,10], "
         "run.warmup: [1,2,3,4,5,6,7,8,9,10]}}\n",
         "(allowed: 2e+05 points)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = NULL;
        ck_assert_int_gt(asprintf(&text, "%s%s", base, cases[i].sweep), 0);
        struct loaded l;
        int rc = load(&l, text);
        if (i == sizeof cases / sizeof *cases - 1) {
            /* 10^5 combinations x 2 replications is allowed; check the counting instead. */
            ck_assert_int_eq(rc, 0);
            ck_assert_uint_eq(l.sw.points, 200000);
        } else {
            ck_assert_msg(rc < 0, "case %zu accepted", i);
            ck_assert_msg(l.d.len >= 1 && strcmp(l.d.msgs[0].text, cases[i].message) == 0,
                          "case %zu: got '%s'", i, l.d.len ? l.d.msgs[0].text : "(nothing)");
        }
        unload(&l);
        free(text);
    }
}
END_TEST

START_TEST(test_too_many_points)
{
    /* 101 x 100,000 replications = 10,100,000 > 10^7 */
    char *seeds = malloc(1024), *p = seeds;
    for (int i = 0; i < 101; i++)
        p += sprintf(p, "%s%d", i ? "," : "", i);
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "run: {duration: 1 h, replications: 100000}\n"
                              "sweep: {grid: {run.seed: [%s]}}\n",
                              seeds),
                     0);
    struct loaded l;
    ck_assert_int_lt(load(&l, text), 0);
    ck_assert_str_eq(
        l.d.msgs[0].text,
        "sweep: 10100000 points (grid x zip x replications); expected at most 1000000");
    unload(&l);
    free(text);
    free(seeds);
}
END_TEST

/* A bad value inside a list is reported once, at its place, with a note naming the point. */
START_TEST(test_invalid_point_values)
{
    const char *text = "run: {duration: 1 h}\n"
                       "sweep:\n"
                       "  grid:\n"
                       "    ues.count: [1, 0, 2]\n"
                       "    run.seed: [1, 2, 3]\n"
                       "    run.warmup: [0 s, 2 h]\n";
    struct loaded l;
    ck_assert_int_eq(load(&l, text), 0);
    /* 18 combinations: 6 with count 0, 9 with warm-up 2 h, 3 with both */
    ck_assert_uint_eq(sweep_validate(&l.sw, &l.t, &l.base, &l.d), 6 + 9 - 3);
    /* Bad values first, each once, with the first point that uses it; then the cross-check
     * error of the first combination that fails it. */
    ck_assert_uint_eq(diag_error_count(&l.d), 2);
    ck_assert_uint_eq(l.d.len, 4);
    ck_assert_str_eq(l.d.msgs[0].text, "ues.count: expected an integer in [1, 1000000], got '0'");
    ck_assert_int_eq(l.d.msgs[0].line, 4);
    ck_assert_int_eq(l.d.msgs[0].col, 20);
    ck_assert_int_eq(l.d.msgs[1].severity, DIAG_NOTE);
    ck_assert_str_eq(l.d.msgs[1].text,
                     "in sweep point 6 (ues.count=0, run.seed=1, run.warmup=0 s)");
    ck_assert_str_eq(l.d.msgs[2].text,
                     "run.warmup: expected a time < run.duration (3600 s), got 7200 s");
    ck_assert_int_eq(l.d.msgs[2].line, 6);
    ck_assert_int_eq(l.d.msgs[2].col, 23);
    ck_assert_str_eq(l.d.msgs[3].text,
                     "in sweep point 1 (ues.count=1, run.seed=1, run.warmup=2 h)");
    unload(&l);
}
END_TEST

/* A list's axis may hold sequences, weighted mixes among them: each binds like the file's
 * value; a bad mix is reported at its place with the point's values written out; a key that is
 * not a list still takes single values only. */
START_TEST(test_list_axis_sequences)
{
    const char *text = "model: split\nrun: {duration: 1 h}\n"
                       "sweep:\n"
                       "  grid:\n"
                       "    ues.classes: [\"a100,l4\", [l4], [{device: a100, fraction: 0.3}, "
                       "{device: l4, fraction: 0.7}]]\n";
    struct loaded l;
    ck_assert_int_eq(load(&l, text), 0);
    ck_assert_uint_eq(l.sw.points, 3);
    ck_assert_uint_eq(sweep_validate(&l.sw, &l.t, &l.base, &l.d), 0);
    struct scn s;
    ck_assert_int_eq(sweep_point(&l.sw, &l.t, 0, &s, &l.d), 0);
    ck_assert(s.ues.classes.n == 2 && !s.ues.classes.w);
    scn_release(&s);
    ck_assert_int_eq(sweep_point(&l.sw, &l.t, 2, &s, &l.d), 0);
    ck_assert(s.ues.classes.n == 2 && s.ues.classes.w && s.ues.classes.w[1] == 0.7);
    ck_assert_ptr_nonnull(strstr(s.resolved, "classes: [{device: a100, fraction: 0.3}, "
                                             "{device: l4, fraction: 0.7}]\n"));
    char *def = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&def, &len);
    ck_assert_int_eq(sweep_write_definition(&l.sw, &l.base, f), 0);
    fclose(f);
    ck_assert_str_eq(def, "sweep:\n  grid:\n    ues.classes: [[a100, l4], [l4], [{device: a100, "
                          "fraction: 0.3}, {device: l4, fraction: 0.7}]]\n");
    free(def);
    scn_release(&s);
    unload(&l);
    text = "model: split\nrun: {duration: 1 h}\n"
           "sweep:\n"
           "  grid:\n"
           "    ues.classes: [l4, [{device: a100, fraction: 0.3}, {device: l4, fraction: 0.6}]]\n";
    ck_assert_int_eq(load(&l, text), 0);
    ck_assert_uint_eq(sweep_validate(&l.sw, &l.t, &l.base, &l.d), 1);
    ck_assert_uint_eq(l.d.len, 2);
    ck_assert_str_eq(l.d.msgs[0].text,
                     "ues.classes: the fractions sum to 0.9; expected 1 (within 1e-9)");
    ck_assert_int_eq(l.d.msgs[0].line, 5);
    ck_assert_int_eq(l.d.msgs[0].col, 23);
    ck_assert_str_eq(l.d.msgs[1].text, "in sweep point 1 (ues.classes=[{device: a100, fraction: "
                                       "0.3}, {device: l4, fraction: 0.6}])");
    unload(&l);
    text = "run: {duration: 1 h}\nsweep: {grid: {ues.count: [1, [2]]}}\n";
    ck_assert_int_lt(load(&l, text), 0);
    ck_assert_str_eq(l.d.msgs[0].text,
                     "sweep.grid.ues.count: expected a list of single values, got a sequence");
    unload(&l);
    text = "model: split\nrun: {duration: 1 h}\nsweep: {grid: {ues.classes: [l4, {a: 1}]}}\n";
    ck_assert_int_lt(load(&l, text), 0);
    ck_assert_str_eq(l.d.msgs[0].text,
                     "sweep.grid.ues.classes: expected a list of values (each a name, \"a,b\" or "
                     "a list [a, b]), got a mapping");
    unload(&l);
}
END_TEST

/* More bad values than the message list holds: still invalid (the fuzzer found this). */
START_TEST(test_many_bad_values_still_invalid)
{
    char *text = malloc(4096), *p = text;
    p += sprintf(p, "run: {duration: 1 s}\nsweep: {grid: {ues.count: [1");
    for (int i = 0; i < 60; i++)
        p += sprintf(p, ", x%d", i);
    sprintf(p, "]}}\n");
    struct loaded l;
    ck_assert_int_eq(load(&l, text), 0);
    ck_assert_uint_gt(sweep_validate(&l.sw, &l.t, &l.base, &l.d), 0);
    ck_assert_uint_eq(diag_error_count(&l.d), 60);
    ck_assert_uint_eq(l.d.len, 100); /* the cap */
    unload(&l);
    free(text);
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_grid_zip_replications);
    tcase_add_test(tc, test_no_sweep_is_replications);
    tcase_add_test(tc, test_structural_errors);
    tcase_add_test(tc, test_too_many_points);
    tcase_add_test(tc, test_invalid_point_values);
    tcase_add_test(tc, test_many_bad_values_still_invalid);
    tcase_add_test(tc, test_list_axis_sequences);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(sweep_suite)
