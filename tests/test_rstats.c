/* Reading a results file's statistics back: a split run, a competition, a queue run, each metric
 * named as the index names it and with NaN where the file holds nothing; files that are not
 * complete results files of this format are refused with a message naming them. Files are
 * written with the recorder, as the simulator writes them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "results/rec.h"
#include "results/rstats.h"
#include "scratch.h"

static char dir[SCRATCH_SIZE];

static void make_scratch(void)
{
    scratch_make(dir, "rstats");
}

static void remove_scratch(void)
{
    scratch_remove(dir);
}

/* A results file at dir/name: root attributes, then what `fill` adds; closed complete or not. */
static char *write_file(const char *name, const char *model, const char *policy, bool complete,
                        void (*fill)(struct rec *))
{
    char *path = scratch_path(dir, name);
    struct diag d;
    diag_init(&d);
    struct rec *r = NULL;
    struct rec_options o = {.wallclock = 0};
    ck_assert_int_eq(rec_open(&r, path, &o, &d), 0);
    rec_attr_string(r, "/", "model", model);
    if (policy)
        rec_attr_string(r, "/", "policy", policy);
    rec_attr_int64(r, "/", "sweep_point", 7);
    rec_attr_int64(r, "/", "replications", 3);
    rec_attr_int64(r, "/", "first_replication", 10);
    fill(r);
    ck_assert_int_eq(rec_close(r, complete), 0);
    diag_release(&d);
    return path;
}

/* A metric group under `summary` with every statistic, or the mean alone. */
static void metric(struct rec *r, const char *summary, const char *group, const char *units,
                   double base, bool full)
{
    char g[128];
    snprintf(g, sizeof g, "%s/%s", summary, group);
    rec_scalar_double(r, g, "mean", units, "", base);
    if (!full)
        return;
    rec_scalar_int64(r, g, "n", "1", "", 100);
    rec_scalar_double(r, g, "ci95", units, "", base / 10);
    rec_scalar_double(r, g, "p50", units, "", base / 2);
    rec_scalar_double(r, g, "p95", units, "", base * 2);
    rec_scalar_double(r, g, "p99", units, "", base * 3);
    rec_scalar_double(r, g, "p50_ci95", units, "", (double)NAN);
    rec_scalar_double(r, g, "p95_ci95", units, "", base / 5);
    rec_scalar_double(r, g, "p99_ci95", units, "", base / 4);
}

static void fill_split(struct rec *r)
{
    metric(r, "/summary", "ttft_s", "s", 1.5, true);
    metric(r, "/summary", "energy_j", "J", 4.0, true);
    metric(r, "/summary", "bytes_up", "B", 1e6, false);
    rec_scalar_int64(r, "/summary", "requests", "1", "", 300); /* a scalar, not a metric */
}

static void fill_competition(struct rec *r)
{
    metric(r, "/policies/fixed/summary", "ttft_s", "s", 1.0, true);
    metric(r, "/policies/latency/summary", "ttft_s", "s", 0.5, true);
    metric(r, "/policies/latency/summary", "reward", "1", -2, true);
    rec_scalar_double(r, "/competition", "x", "1", "", 0);
}

static void fill_queue(struct rec *r)
{
    rec_scalar_double(r, "/summary", "mean_time_in_system_s", "s", "", 5.5);
    rec_scalar_double(r, "/summary", "ci95_time_in_system_s", "s", "", 0.5);
    rec_scalar_double(r, "/summary", "mean_wait_s", "s", "", 4.5);
    rec_scalar_double(r, "/summary", "ci95_wait_s", "s", "", 0.4);
    rec_scalar_int64(r, "/summary", "measured", "1", "", 1469);
    rec_scalar_double(r, "/summary", "prob_wait", "1", "", 0.8);
    rec_scalar_double(r, "/summary", "utilisation", "1", "", 0.79);
    rec_scalar_double(r, "/summary", "theory_time_in_system_s", "s", "", 5);
    rec_scalar_double(r, "/summary", "theory_wait_s", "s", "", 4);
    rec_scalar_double(r, "/summary", "theory_prob_wait", "1", "", (double)NAN);
}

static void fill_nothing(struct rec *r)
{
    (void)r;
}

static void fill_other_version(struct rec *r)
{
    rec_attr_int64(r, "/", "format_version", 2);
    fill_split(r);
}

static void fill_campaign(struct rec *r)
{
    rec_attr_string(r, "/", "format", "splitsim-campaign");
}

/* Reads path: the status, and the message when refused (malloc'd, or NULL). */
static int read_stats(const char *path, struct rstats *s, char **msg)
{
    struct diag d;
    diag_init(&d);
    struct rread *r = rread_open(path);
    ck_assert_ptr_nonnull(r);
    int rc = rstats_read(r, path, s, &d);
    *msg = NULL;
    if (rc < 0) {
        ck_assert_uint_eq(d.len, 1);
        ck_assert_str_eq(d.msgs[0].file, path);
        *msg = strdup(d.msgs[0].text);
    } else {
        ck_assert_uint_eq(d.len, 0);
    }
    rread_close(r);
    diag_release(&d);
    return rc;
}

START_TEST(test_split)
{
    char *path = write_file("split.h5", "split", "greedy", true, fill_split);
    struct rstats s;
    char *msg = NULL;
    ck_assert_int_eq(read_stats(path, &s, &msg), 0);
    ck_assert_str_eq(s.model, "split");
    ck_assert_int_eq(s.sweep_point, 7);
    ck_assert_int_eq(s.replications, 3);
    ck_assert_int_eq(s.first_replication, 10);
    ck_assert_uint_eq(s.npolicies, 1);
    ck_assert_str_eq(s.p[0].name, "greedy");
    ck_assert_uint_eq(s.p[0].nmetrics, 3); /* in name order, without the scalar "requests" */
    ck_assert_str_eq(s.p[0].m[0].name, "bytes_up");
    ck_assert_str_eq(s.p[0].m[0].unit, "B");
    ck_assert(isnan(s.p[0].m[0].n) && isnan(s.p[0].m[0].p95)); /* only its mean is there */
    ck_assert(s.p[0].m[0].mean == 1e6);
    const struct rstats_metric *m = rstats_find(&s, NULL, "ttft");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->unit, "s");
    ck_assert(m->n == 100 && m->mean == 1.5 && m->ci95 == 0.15 && m->p50 == 0.75 && m->p95 == 3 &&
              m->p99 == 4.5 && m->p95_ci95 == 0.3 && m->p99_ci95 == 0.375);
    ck_assert(isnan(m->p50_ci95));
    ck_assert_ptr_nonnull(rstats_find(&s, "greedy", "energy"));
    ck_assert_ptr_null(rstats_find(&s, "greedy", "energy_j"));
    ck_assert_ptr_null(rstats_find(&s, "fixed", "ttft"));
    rstats_release(&s);
    free(path);
}
END_TEST

START_TEST(test_competition_and_queue)
{
    char *path = write_file("compete.h5", "split", "fixed,latency", true, fill_competition);
    struct rstats s;
    char *msg = NULL;
    ck_assert_int_eq(read_stats(path, &s, &msg), 0);
    ck_assert_uint_eq(s.npolicies, 2);
    ck_assert_str_eq(s.p[0].name, "fixed");
    ck_assert_str_eq(s.p[1].name, "latency");
    ck_assert_uint_eq(s.p[1].nmetrics, 2);
    ck_assert(rstats_find(&s, "latency", "ttft")->mean == 0.5);
    ck_assert(rstats_find(&s, "fixed", "ttft")->mean == 1.0);
    ck_assert_ptr_null(rstats_find(&s, NULL, "ttft")); /* two policies: name one */
    rstats_release(&s);
    free(path);

    path = write_file("queue.h5", "queue", NULL, true, fill_queue);
    ck_assert_int_eq(read_stats(path, &s, &msg), 0);
    ck_assert_uint_eq(s.npolicies, 1);
    ck_assert_str_eq(s.p[0].name, "");
    ck_assert_uint_eq(s.p[0].nmetrics, 7);
    const struct rstats_metric *m = rstats_find(&s, NULL, "time_in_system");
    ck_assert(m->n == 1469 && m->mean == 5.5 && m->ci95 == 0.5 && isnan(m->p95));
    ck_assert_str_eq(m->unit, "s");
    m = rstats_find(&s, NULL, "prob_wait");
    ck_assert(isnan(m->n) && m->mean == 0.8 && isnan(m->ci95));
    ck_assert(isnan(rstats_find(&s, NULL, "theory_prob_wait")->mean));
    rstats_release(&s);
    free(path);
}
END_TEST

/* Refused, each with a message that names the file and says what it is. */
START_TEST(test_refused)
{
    static const struct {
        const char *name, *model, *policy;
        bool complete;
        void (*fill)(struct rec *);
        const char *message;
    } cases[] = {
        {"incomplete.h5", "split", "greedy", false, fill_split, "not complete"},
        {"v2.h5", "split", "greedy", true, fill_other_version, "results format version 2"},
        {"campaign.h5", "split", "", true, fill_campaign, "not a splitsim results file"},
        {"model.h5", "mm1", NULL, true, fill_split, "unknown model 'mm1'"},
        {"nosummary.h5", "split", "greedy", true, fill_nothing, "no statistics: /summary"},
        {"noqueue.h5", "queue", NULL, true, fill_nothing, "no statistics"},
        {"missing_policy.h5", "split", "fixed,exhaustive", true, fill_competition,
         "/policies/exhaustive/summary is missing"},
        {"no_policies.h5", "split", ",", true, fill_competition, "names no policy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_file(cases[i].name, cases[i].model, cases[i].policy, cases[i].complete,
                                cases[i].fill);
        if (!cases[i].complete) {
            free(path);
            path = scratch_path(dir, "incomplete.incomplete.h5");
        }
        struct rstats s;
        char *msg = NULL;
        ck_assert_int_eq(read_stats(path, &s, &msg), -EINVAL);
        ck_assert_msg(strstr(msg, cases[i].message), "%s: '%s' not in '%s'", cases[i].name,
                      cases[i].message, msg);
        rstats_release(&s);
        free(msg);
        free(path);
    }
}
END_TEST

START_TEST(test_metric_names)
{
    static const char *const cases[][3] = {
        {"ttft_s", "s", "ttft"},
        {"energy_j", "J", "energy"},
        {"bytes_up", "B", "bytes_up"},
        {"reward", "1", "reward"},
        {"airtime_up_s", "s", "airtime_up"},
        {"_s", "s", "_s"},
        {"s", "s", "s"},
        {"wait_ms", "s", "wait_ms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = rstats_metric_name(cases[i][0], cases[i][1]);
        ck_assert_str_eq(n, cases[i][2]);
        free(n);
    }
}
END_TEST

static Suite *rstats_suite(void)
{
    Suite *s = suite_create("rstats");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_competition_and_queue);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_metric_names);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(rstats_suite)
