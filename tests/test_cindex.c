/* Campaign indexes read back: the attributes, columns and indexed points of an index written with
 * the recorder as the sweep writes one; every kind of damage refused with one message naming the
 * file; what a campaign folder holds of each point; values looked up in a file's scenario. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"
#include "results/rec.h"
#include "run/cindex.h"
#include "scratch.h"

static char dir[SCRATCH_SIZE];

static void make_scratch(void)
{
    scratch_make(dir, "cindex");
}

static void remove_scratch(void)
{
    scratch_remove(dir);
}

/* What an index holds; each test changes what it breaks. */
struct spec {
    const char *format, *scenario, *axes, *policies;
    int64_t version, points;
    bool no_point_column;
    double bad_policy;       /* a /summary policy value (0: none) */
    double bad_replications; /* a /combinations replications value (0: none) */
};

/* An index of 4 points (2 combinations x 2 replications, 2 policies) at dir/campaign.h5:
 * /summary holds points 0, 1 and 3 (point 2 missing), /combinations both combinations. */
static char *write_index(const struct spec *s)
{
    char *path = scratch_path(dir, "campaign.h5");
    struct diag d;
    diag_init(&d);
    struct rec *r = NULL;
    struct rec_options o = {.wallclock = 0};
    ck_assert_int_eq(rec_open(&r, path, &o, &d), 0);
    rec_attr_string(r, "/", "format", s->format ? s->format : "splitsim-campaign");
    rec_attr_int64(r, "/", "format_version", s->version ? s->version : 1);
    rec_attr_string(r, "/", "model", "split");
    rec_attr_string(r, "/", "scenario",
                    s->scenario ? s->scenario : "model: split\nrun:\n  replications: 2\n");
    rec_attr_string(r, "/", "axes", s->axes ? s->axes : "cell.bandwidth");
    rec_attr_string(r, "/", "policies", s->policies ? s->policies : "fixed,latency");
    rec_attr_int64(r, "/", "points", s->points ? s->points : 4);
    struct rec_column sum[] = {{"point", REC_INT64, "1", ""},
                               {"policy", REC_FLOAT64, "1", ""}, /* to hold 0.5 */
                               {"replication", REC_INT64, "1", ""},
                               {"cell_bandwidth", REC_FLOAT64, "Hz", ""}};
    struct rec_table *t = NULL;
    ck_assert_int_eq(
        rec_table_create(r, "/summary", sum + s->no_point_column, 4 - s->no_point_column, &t), 0);
    static const int points[] = {3, 0, 1}; /* not in order: the reader sorts */
    for (int i = 0; i < 3; i++)
        for (int q = 0; q < 2; q++) {
            size_t c = 0;
            if (!s->no_point_column)
                rec_set_int64(t, c++, points[i]);
            rec_set_double(t, c++, i == 2 && q == 1 && s->bad_policy ? s->bad_policy : q);
            rec_set_int64(t, c++, points[i] % 2);
            rec_set_double(t, c, points[i] < 2 ? 5e6 : 2e7);
            rec_row_commit(t);
        }
    struct rec_column comb[] = {{"combination", REC_INT64, "1", ""},
                                {"policy", REC_INT64, "1", ""},
                                {"replications", REC_FLOAT64, "1", ""},
                                {"cell_bandwidth", REC_FLOAT64, "Hz", ""},
                                {"ttft_mean_s", REC_FLOAT64, "s", ""}};
    ck_assert_int_eq(rec_table_create(r, "/combinations", comb, 5, &t), 0);
    for (int k = 0; k < 2; k++)
        for (int q = 0; q < 2; q++) {
            rec_set_int64(t, 0, k);
            rec_set_int64(t, 1, q);
            rec_set_double(t, 2, k == 1 && s->bad_replications ? s->bad_replications : 2 - k);
            rec_set_double(t, 3, k ? 2e7 : 5e6);
            rec_set_double(t, 4, 0.5 + k + q / 10.0);
            rec_row_commit(t);
        }
    ck_assert_int_eq(rec_close(r, true), 0);
    diag_release(&d);
    return path;
}

START_TEST(test_open)
{
    char *path = write_index(&(struct spec){0});
    struct cindex c;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(cindex_open(&c, path, &d), 0);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_str_eq(c.dir, dir);
    ck_assert_str_eq(c.model, "split");
    ck_assert_int_eq(c.points, 4);
    ck_assert_int_eq(c.reps, 2);
    ck_assert_uint_eq(c.npolicies, 2);
    ck_assert_str_eq(c.policies[1], "latency");
    ck_assert_uint_eq(c.naxes, 1);
    ck_assert_str_eq(c.axes[0].path, "cell.bandwidth");
    ck_assert_str_eq(c.axes[0].index_col, "cell_bandwidth");
    ck_assert_uint_eq(c.ns, 6);
    ck_assert_uint_eq(c.nc, 4);
    ck_assert(c.axes[0].comb[3] == 2e7);
    ck_assert_uint_eq(c.npts, 3); /* each point once, by number */
    ck_assert_int_eq(c.pts[0].point, 0);
    ck_assert_int_eq(c.pts[1].point, 1);
    ck_assert_int_eq(c.pts[2].point, 3);
    ck_assert_int_eq(c.pts[2].replication, 1);
    ck_assert_uint_eq(c.pts[2].row, 0);
    ck_assert_uint_eq(cindex_lower_bound(&c, 2), 2);
    ck_assert_uint_eq(cindex_lower_bound(&c, 4), 3);
    size_t ttft = 0;
    while (strcmp(cindex_metrics[ttft].name, "ttft") != 0)
        ttft++;
    ck_assert(cindex_has_metric(&c, ttft));
    ck_assert(c.mcol[ttft][0][3] == 1.6);
    ck_assert_ptr_null(c.mcol[ttft][3]); /* no ttft_p95_s in this index */
    ck_assert_str_eq(c.munit[ttft], "s");
    for (size_t m = 0; m < cindex_nmetrics; m++)
        ck_assert(cindex_has_metric(&c, m) == (strcmp(cindex_metrics[m].model, "split") == 0));
    cindex_release(&c);
    diag_release(&d);
    free(path);
}
END_TEST

/* Each damage: -EINVAL, one error naming the index, saying what is wrong. */
START_TEST(test_damaged)
{
    static const struct {
        struct spec s;
        const char *says;
    } cases[] = {
        {{.format = "splitsim-results"}, "not a splitsim campaign index"},
        {{.version = 2}, "campaign index of another format version (2)"},
        {{.points = 2000000}, "no valid 'points' attribute"},
        {{.points = 5}, "no run.replications dividing its 5 points"},
        {{.scenario = "run: {seed: 3}\n"}, "no run.replications"},
        {{.scenario = "run: [\n"}, "no run.replications"},
        {{.axes = "cell.bandwidth,channel.fading"}, "/summary/channel_fading is missing"},
        {{.no_point_column = true}, "/summary/point is missing"},
        {{.policies = "fixed"}, "/summary/policy holds 1"},
        {{.bad_policy = 0.5}, "/summary/policy holds 0.5"},
        {{.bad_replications = 3}, "/combinations/replications holds 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_index(&cases[i].s);
        struct cindex c;
        struct diag d;
        diag_init(&d);
        ck_assert_int_eq(cindex_open(&c, path, &d), -EINVAL);
        ck_assert_uint_eq(d.len, 1);
        ck_assert_str_eq(d.msgs[0].file, path);
        ck_assert_msg(strstr(d.msgs[0].text, cases[i].says), "case %zu: '%s' not in '%s'", i,
                      cases[i].says, d.msgs[0].text);
        cindex_release(&c);
        diag_release(&d);
        free(path);
    }
}
END_TEST

static void touch(const char *name)
{
    char *p = scratch_path(dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    free(p);
}

/* What the points folder holds of each point the index lacks; the most telling wins. */
START_TEST(test_point_states)
{
    char *path = write_index(&(struct spec){.points = 8});
    char *points = scratch_path(dir, "points"), *part = scratch_path(dir, "points/p5.h5.n.1.part");
    ck_assert_int_eq(mkdir(points, 0700), 0);
    ck_assert_int_eq(mkdir(part, 0700), 0);
    touch("points/p0.h5");
    touch("points/p2.incomplete.h5");
    touch("points/p4.h5");            /* complete, but not indexed */
    touch("points/p5.incomplete.h5"); /* and p5's .part: the later kill */
    touch("points/p6.h5.open");       /* not a name a point leaves */
    touch("points/p7x.h5");
    touch("points/p99.h5"); /* no such point */
    touch("points/q7.h5");
    struct cindex c;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(cindex_open(&c, path, &d), 0);
    unsigned char *st = cindex_point_states(&c);
    ck_assert_ptr_nonnull(st);
    static const unsigned char want[8] = {CINDEX_INDEXED, CINDEX_INDEXED,   CINDEX_INTERRUPTED,
                                          CINDEX_INDEXED, CINDEX_UNINDEXED, CINDEX_FAILED,
                                          CINDEX_NOT_RUN, CINDEX_NOT_RUN};
    for (int p = 0; p < 8; p++)
        ck_assert_msg(st[p] == want[p], "point %d: state %d, expected %d", p, st[p], want[p]);
    free(st);
    cindex_release(&c);
    diag_release(&d);
    free(path);
    free(points);
    free(part);
}
END_TEST

START_TEST(test_scenario_values)
{
    char *path = write_index(&(struct spec){
        .scenario = "run:\n  replications: 2\nchannel: {fading: rayleigh}\nlist: [a, b]\n"});
    struct rread *r = rread_open(path);
    ck_assert_ptr_nonnull(r);
    const char *paths[] = {"channel.fading",        "list",   "run.replications", "run.seed",
                           "channel.fading.deeper", "channel"};
    char *v[6];
    ck_assert(cindex_scenario_values(r, paths, 6, v));
    ck_assert_str_eq(v[0], "rayleigh");
    ck_assert_str_eq(v[1], "a,b");
    ck_assert_str_eq(v[2], "2");
    for (int i = 3; i < 6; i++)
        ck_assert_ptr_null(v[i]);
    for (int i = 0; i < 6; i++)
        free(v[i]);
    rread_close(r);
    free(path);
}
END_TEST

static Suite *cindex_suite(void)
{
    Suite *s = suite_create("cindex");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, test_open);
    tcase_add_test(tc, test_damaged);
    tcase_add_test(tc, test_point_states);
    tcase_add_test(tc, test_scenario_values);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cindex_suite)
