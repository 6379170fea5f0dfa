/* splitsim summarize, in-process on a real campaign (a sweep run here with the same library):
 * the tidy table's columns, row counts, swept values in their display units and by name,
 * policies by name, and every number equal to the one in the index or the point files (read here
 * with the HDF5 library directly); --per-point, JSON, a single results file; hostile inputs
 * refused with status 2 and nothing written; a campaign with an interrupted and a killed point
 * summarized without them, each named, status 1. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "cli/cli.h"
#include "h5read.h"
#include "run/run.h"
#include "run/summarize.h"
#include "scratch.h"

/* 2 bandwidths x (fading, UEs zipped: 2) = 4 combinations x 2 replications = 8 points, each a
 * competition of 2 policies; about 0.1 s each. */
static const char scenario[] = "model: split\n"
                               "run: {duration: 40 s, warmup: 5 s, seed: 5, replications: 2}\n"
                               "llm: {model: tinyllama-1.1b}\n"
                               "ues: {device: jetson-orin-nano}\n"
                               "workload: {rate: 12 /min, prompt_tokens: 32, output_tokens: 4}\n"
                               "recording: {requests: false, decisions: false}\n"
                               "split: {layer: 2}\n"
                               "policy: {compete: [fixed, latency], min_split: 1, max_split: 4}\n"
                               "sweep:\n"
                               "  grid:\n"
                               "    cell.bandwidth: [5 MHz, 20 MHz]\n"
                               "  zip:\n"
                               "    channel.fading: [rayleigh, none]\n"
                               "    ues.count: [1, 2]\n";

static const char *const header[] = {"point",
                                     "combination",
                                     "replications",
                                     "replication_set",
                                     "cell_bandwidth_MHz",
                                     "channel_fading",
                                     "ues_count",
                                     "policy",
                                     "metric",
                                     "unit",
                                     "n",
                                     "mean",
                                     "ci95",
                                     "p50",
                                     "p95",
                                     "p99",
                                     "p50_ci95",
                                     "p95_ci95",
                                     "p99_ci95"};
#define NCOLS (sizeof header / sizeof header[0])
enum {
    POINT,
    COMBINATION,
    REPLICATIONS,
    REPSET,
    BANDWIDTH,
    FADING,
    UES,
    POLICY,
    METRIC,
    UNIT,
    N,
    MEAN,
    CI95,
    P50,
    P95,
    P99,
    P50_CI95,
    P95_CI95,
    P99_CI95
};

/* The campaign of each test case (made once per case, before its tests). */
static char dir[SCRATCH_SIZE];

static struct {
    int status;
    char *out, *err;
} run;

static void run_release(void)
{
    free(run.out);
    free(run.err);
    memset(&run, 0, sizeof run);
}

static void run_cli(char **argv)
{
    run_release();
    int argc = 0;
    while (argv[argc])
        argc++;
    size_t no = 0, ne = 0;
    FILE *out = open_memstream(&run.out, &no), *err = open_memstream(&run.err, &ne);
    struct cli_io io = {.out = out, .err = err};
    run.status = cli_main(argc, argv, &io);
    fclose(out);
    fclose(err);
}

static void make_campaign(void)
{
    scratch_make(dir, "summarize");
    char *scn = scratch_path(dir, "scn.yaml"), *camp = scratch_path(dir, "camp");
    FILE *f = fopen(scn, "w");
    ck_assert_ptr_nonnull(f);
    fputs(scenario, f);
    fclose(f);
    run_cli((char *[]){"splitsim", "sweep", scn, "-o", camp, "-q", NULL});
    ck_assert_msg(run.status == 0, "sweep: %s", run.err);
    free(scn);
    free(camp);
}

static void remove_campaign(void)
{
    run_release();
    scratch_remove(dir);
}

/* ---- a small RFC 4180 reader ---------------------------------------------------------------- */

struct csv {
    char **field; /* rows x cols, row-major */
    size_t rows, cols;
};

/* Parses text (CRLF records, quoted fields) that must have `cols` fields per record. */
static struct csv csv_parse(const char *text, size_t cols)
{
    struct csv c = {.cols = cols};
    size_t cap = 64, n = 0;
    c.field = malloc(cap * sizeof *c.field);
    const char *p = text;
    while (*p) {
        for (size_t k = 0; k < cols; k++) {
            char *v = malloc(strlen(p) + 1), *o = v;
            if (*p == '"') {
                for (p++; !(*p == '"' && p[1] != '"'); p++) {
                    ck_assert_msg(*p, "unterminated quoted field");
                    *o++ = *p;
                    if (*p == '"')
                        p++;
                }
                p++;
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n')
                    *o++ = *p++;
            }
            *o = '\0';
            ck_assert_msg(k + 1 < cols ? *p == ',' : (p[0] == '\r' && p[1] == '\n'),
                          "record %zu: field %zu ends in '%.10s'", c.rows, k, p);
            p += k + 1 < cols ? 1 : 2;
            if (n == cap)
                c.field = realloc(c.field, (cap *= 2) * sizeof *c.field);
            c.field[n++] = v;
        }
        c.rows++;
    }
    return c;
}

static const char *cell(const struct csv *c, size_t row, size_t col)
{
    return c->field[row * c->cols + col];
}

static void csv_free(struct csv *c)
{
    for (size_t i = 0; i < c->rows * c->cols; i++)
        free(c->field[i]);
    free(c->field);
}

/* The number in a field ("": NaN). */
static double num(const char *s)
{
    return *s ? strtod(s, NULL) : (double)NAN;
}

static char *path_in(const char *name)
{
    return scratch_path(dir, name);
}

static double *column(const char *file, const char *path, size_t *n)
{
    double *v = h5_read_column(file, path, H5T_NATIVE_DOUBLE, n);
    ck_assert_msg(v != NULL, "%s:%s", file, path);
    return v;
}

/* n of `group` of `policy` in point p's file. */
static double point_n(int64_t p, const char *policy, const char *group)
{
    char name[64], path[128];
    snprintf(name, sizeof name, "camp/points/p%lld.h5", (long long)p);
    char *file = path_in(name);
    snprintf(path, sizeof path, "/policies/%s/summary/%s/n", policy, group);
    double v = NAN;
    ck_assert_int_eq(h5_read_scalar_double(file, path, &v), 0);
    free(file);
    return v;
}

/* ---- the campaign ---------------------------------------------------------------------------- */

/* The default: a row per combination, policy and metric, from /combinations; n from the points. */
START_TEST(test_combinations)
{
    char *camp = path_in("camp"), *index = path_in("camp/campaign.h5");
    run_cli((char *[]){"splitsim", "summarize", camp, NULL});
    ck_assert_msg(run.status == 0, "%s", run.err);
    ck_assert_str_eq(run.err, "");
    struct csv c = csv_parse(run.out, NCOLS);
    for (size_t k = 0; k < NCOLS; k++)
        ck_assert_str_eq(cell(&c, 0, k), header[k]);
    ck_assert_uint_eq(c.rows, 1 + 4 * 2 * 7); /* combinations x policies x metrics */
    size_t n = 0;
    double *comb = column(index, "/combinations/combination", &n);
    double *pol = column(index, "/combinations/policy", &n);
    double *bw = column(index, "/combinations/cell_bandwidth", &n);
    double *mean = column(index, "/combinations/ttft_mean_s", &n);
    double *p95 = column(index, "/combinations/ttft_p95_s", &n);
    double *p95ci = column(index, "/combinations/ttft_p95_ci95_s", &n);
    double *lat99 = column(index, "/combinations/latency_p99_ci95_s", &n);
    ck_assert_uint_eq(n, 8);
    static const char *const metrics[] = {"energy", "erasure", "latency", "quality",
                                          "reward", "tpot",    "ttft"};
    for (size_t r = 1; r < c.rows; r++) {
        size_t i = (r - 1) / 7, m = (r - 1) % 7;
        const char *policy = pol[i] == 0 ? "fixed" : "latency";
        int64_t k = (int64_t)comb[i];
        ck_assert_str_eq(cell(&c, r, METRIC), metrics[m]);
        ck_assert_str_eq(cell(&c, r, POLICY), policy);
        ck_assert_str_eq(cell(&c, r, POINT), "");
        ck_assert(num(cell(&c, r, COMBINATION)) == k);
        ck_assert_str_eq(cell(&c, r, REPLICATIONS), "2");
        ck_assert_str_eq(cell(&c, r, REPSET), "0-1");
        ck_assert(num(cell(&c, r, BANDWIDTH)) == bw[i] / 1e6); /* 5 or 20, in MHz */
        /* the zipped axes, by name and as integers: rayleigh with 1 UE, none with 2 */
        bool rayleigh = strcmp(cell(&c, r, FADING), "rayleigh") == 0;
        ck_assert(rayleigh || strcmp(cell(&c, r, FADING), "none") == 0);
        ck_assert_str_eq(cell(&c, r, UES), rayleigh ? "1" : "2");
        ck_assert_int_eq(rayleigh, k % 2 == 0);
        if (m == 6) { /* ttft: mean, p95 and its interval across the 2 replications */
            ck_assert_str_eq(cell(&c, r, UNIT), "s");
            ck_assert(num(cell(&c, r, MEAN)) == mean[i]);
            ck_assert(num(cell(&c, r, P95)) == p95[i]);
            ck_assert(num(cell(&c, r, P95_CI95)) == p95ci[i]);
            ck_assert(isfinite(p95ci[i]));
            ck_assert(num(cell(&c, r, N)) ==
                      point_n(2 * k, policy, "ttft_s") + point_n(2 * k + 1, policy, "ttft_s"));
        }
        if (m == 2) /* latency */
            ck_assert(num(cell(&c, r, P99_CI95)) == lat99[i]);
        if (m == 5) /* tpot: the index has no percentiles of it: empty, not made up */
            ck_assert_str_eq(cell(&c, r, P95), "");
    }
    csv_free(&c);
    free(comb);
    free(pol);
    free(bw);
    free(mean);
    free(p95);
    free(p95ci);
    free(lat99);
    free(camp);
    free(index);
}
END_TEST

/* --per-point: every metric of every point file; JSON: the same rows, null for what is missing. */
START_TEST(test_per_point_and_json)
{
    char *camp = path_in("camp"), *p3 = path_in("camp/points/p3.h5");
    run_cli((char *[]){"splitsim", "summarize", camp, "--per-point", NULL});
    ck_assert_msg(run.status == 0, "%s", run.err);
    struct csv c = csv_parse(run.out, NCOLS);
    ck_assert_uint_eq(c.rows, 1 + 8 * 2 * 16); /* points x policies x the 16 metrics */
    size_t found = 0;
    for (size_t r = 1; r < c.rows; r++) {
        int64_t p = (int64_t)num(cell(&c, r, POINT));
        ck_assert(num(cell(&c, r, COMBINATION)) == p / 2);
        ck_assert(num(cell(&c, r, REPSET)) == p % 2); /* its replication */
        ck_assert_str_eq(cell(&c, r, P95_CI95), "");  /* one replication: no interval */
        if (p == 3 && strcmp(cell(&c, r, POLICY), "latency") == 0 &&
            strcmp(cell(&c, r, METRIC), "ttft") == 0) {
            double v = 0;
            ck_assert_int_eq(h5_read_scalar_double(p3, "/policies/latency/summary/ttft_s/p95", &v),
                             0);
            ck_assert(num(cell(&c, r, P95)) == v);
            ck_assert_int_eq(h5_read_scalar_double(p3, "/policies/latency/summary/ttft_s/ci95", &v),
                             0);
            ck_assert(num(cell(&c, r, CI95)) == v); /* the batch-means interval of the point */
            ck_assert_str_eq(cell(&c, r, BANDWIDTH), "5");
            ck_assert_str_eq(cell(&c, r, FADING), "none");
            found++;
        }
    }
    ck_assert_uint_eq(found, 1);
    csv_free(&c);

    run_cli((char *[]){"splitsim", "summarize", camp, "--json", NULL});
    ck_assert_int_eq(run.status, 0);
    const char *first = "[\n{\"point\": null, \"combination\": 0, ";
    ck_assert(strncmp(run.out, first, strlen(first)) == 0);
    ck_assert_str_eq(run.out + strlen(run.out) - 4, "}\n]\n");
    size_t rows = 0;
    for (const char *s = run.out; (s = strstr(s, "\n{")); s++)
        rows++;
    ck_assert_uint_eq(rows, 4 * 2 * 7);
    ck_assert_ptr_nonnull(strstr(run.out, "\"cell_bandwidth_MHz\": 20, \"channel_fading\": "
                                          "\"none\", \"ues_count\": 2, \"policy\": \"latency\""));
    ck_assert_ptr_nonnull(strstr(run.out, "\"p95\": null"));
    ck_assert_ptr_null(strstr(run.out, "nan"));
    ck_assert_ptr_null(strstr(run.out, "NaN"));
    ck_assert_ptr_null(strstr(run.out, "inf"));
    free(camp);
    free(p3);
}
END_TEST

/* A single point file and the index file itself. */
START_TEST(test_files)
{
    char *p0 = path_in("camp/points/p0.h5"), *index = path_in("camp/campaign.h5");
    run_cli((char *[]){"splitsim", "summarize", p0, "--csv", NULL});
    ck_assert_msg(run.status == 0, "%s", run.err);
    const char *head = "point,combination,replications,replication_set,policy,metric,unit,n,mean,"
                       "ci95,p50,p95,p99,p50_ci95,p95_ci95,p99_ci95\r\n0,,1,0,fixed,airtime_up,s,";
    ck_assert_msg(strncmp(run.out, head, strlen(head)) == 0, "%s", run.out);
    struct csv c = csv_parse(run.out, 16);
    ck_assert_uint_eq(c.rows, 1 + 2 * 16);
    csv_free(&c);
    run_cli((char *[]){"splitsim", "summarize", "--help", NULL});
    ck_assert_int_eq(run.status, 0);
    ck_assert_ptr_nonnull(strstr(run.out, "usage: splitsim summarize FILE|DIR [--csv|--json]"));
    run_cli((char *[]){"splitsim", "--help", NULL});
    ck_assert_ptr_nonnull(
        strstr(run.out, "  summarize a results file or campaign as one tidy table"));
    run_cli((char *[]){"splitsim", "summarize", p0, index, NULL}); /* one input */
    ck_assert_int_eq(run.status, 2);
    ck_assert_str_eq(run.out, "");
    char *by_dir = NULL;
    run_cli((char *[]){"splitsim", "summarize", dir, NULL}); /* not a campaign folder */
    ck_assert_int_eq(run.status, 2);
    char *camp = path_in("camp");
    run_cli((char *[]){"splitsim", "summarize", camp, NULL});
    by_dir = strdup(run.out);
    run_cli((char *[]){"splitsim", "summarize", index, NULL});
    ck_assert_int_eq(run.status, 0);
    ck_assert_str_eq(run.out, by_dir);
    free(by_dir);
    free(camp);
    free(p0);
    free(index);
}
END_TEST

/* Copies file `from` to `to` (in the scratch folder), then sets an integer root attribute. */
static char *copy_with(const char *from, const char *to, const char *attr, int64_t v)
{
    char *src = path_in(from), *dst = path_in(to);
    size_t n = 0;
    unsigned char *bytes = file_bytes(src, &n);
    ck_assert_ptr_nonnull(bytes);
    FILE *f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    free(bytes);
    free(src);
    if (attr) {
        hid_t h = H5Fopen(dst, H5F_ACC_RDWR, H5P_DEFAULT);
        ck_assert(h >= 0);
        hid_t a = H5Aopen(h, attr, H5P_DEFAULT);
        ck_assert(a >= 0);
        ck_assert(H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0);
        H5Aclose(a);
        H5Fclose(h);
    }
    return dst;
}

/* Hostile inputs: refused with status 2, a message naming them, nothing on stdout. */
START_TEST(test_hostile)
{
    char *text = path_in("text.h5"), *fifo = path_in("fifo"), *part = path_in("x.h5.node.7.part"),
         *seg = path_in("x.h5.node.7.part/seg-000000.h5"), *missing = path_in("missing.h5"),
         *empty = path_in("empty");
    FILE *f = fopen(text, "w");
    fputs("time,ttft\n1,2\n", f);
    fclose(f);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(mkdir(part, 0700), 0);
    free(copy_with("camp/points/p1.h5", "x.h5.node.7.part/seg-000000.h5", NULL, 0));
    ck_assert_int_eq(mkdir(empty, 0700), 0);
    char *incomplete = copy_with("camp/points/p1.h5", "p1.incomplete.h5", "complete", 0);
    char *v2 = copy_with("camp/points/p1.h5", "v2.h5", "format_version", 2);
    char *i2 = copy_with("camp/campaign.h5", "camp/other.h5", "format_version", 7);
    char *i3 = copy_with("camp/campaign.h5", "camp/bad_points.h5", "points", 3); /* 2 reps */
    char devzero[] = "/dev/zero";
    const struct {
        char *path;
        const char *says;
    } cases[] = {
        {missing, "cannot open: No such file or directory"},
        {text, "not an HDF5 file"},
        {fifo, "got a FIFO"},
        {devzero, "got a character device"},
        {part, "the temporary folder of a run that did not finish"},
        {empty, "not a campaign folder"},
        {incomplete, "not complete"},
        {v2, "results format version 2"},
        {i2, "campaign index of another format version (7)"},
        {i3, "no run.replications dividing its 3 points"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int json = 0; json <= 1; json++) {
            run_cli((char *[]){"splitsim", "summarize", cases[i].path, json ? "--json" : "--csv",
                               NULL});
            ck_assert_msg(run.status == 2, "%s: status %d", cases[i].path, run.status);
            ck_assert_msg(strstr(run.err, cases[i].path) && strstr(run.err, cases[i].says),
                          "'%s' not in: %s", cases[i].says, run.err);
            ck_assert_str_eq(run.out, "");
        }
    }
    free(text);
    free(fifo);
    free(part);
    free(seg);
    free(missing);
    free(empty);
    free(incomplete);
    free(v2);
    free(i2);
    free(i3);
}
END_TEST

/* Point 5 interrupted, point 6 killed, the index rewritten: the others are summarized, the two
 * are named on stderr, status 1. */
START_TEST(test_interrupted_points)
{
    char *scn = path_in("scn.yaml"), *camp = path_in("camp");
    char *p5 = path_in("camp/points/p5.h5"), *p5i = path_in("camp/points/p5.incomplete.h5");
    char *part = path_in("camp/points/p6.h5.node.123.part");
    char *p6 = path_in("camp/points/p6.h5"), *seg = path_in("camp/points/p6.h5.node.123.part/"
                                                            "seg-000000.h5");
    char *stale = path_in("camp/campaign.h5");
    ck_assert_int_eq(rename(p5, p5i), 0);
    ck_assert_int_eq(mkdir(part, 0700), 0);
    ck_assert_int_eq(rename(p6, seg), 0);
    run_cli((char *[]){"splitsim", "sweep", scn, "-o", camp, "--merge", NULL});
    ck_assert_int_eq(run.status, 1); /* an incomplete index: campaign.incomplete.h5 */

    run_cli((char *[]){"splitsim", "summarize", camp, NULL});
    ck_assert_int_eq(run.status, 1);
    ck_assert_msg(strstr(run.err, "point 5: interrupted (points/p5.incomplete.h5 holds what it "
                                  "ran); not summarized") &&
                      strstr(run.err, "point 6: failed or killed") &&
                      strstr(run.err, "2 of the campaign's 8 point(s) are not in this summary"),
                  "%s", run.err);
    struct csv c = csv_parse(run.out, NCOLS);
    ck_assert_uint_eq(c.rows, 1 + 4 * 2 * 7); /* every combination still has a point */
    for (size_t r = 1; r < c.rows; r++) {
        int k = (int)num(cell(&c, r, COMBINATION));
        ck_assert_str_eq(cell(&c, r, REPLICATIONS), k >= 2 ? "1" : "2");
        ck_assert_str_eq(cell(&c, r, REPSET), k == 2 ? "0" : k == 3 ? "1" : "0-1");
        ck_assert_str_ne(cell(&c, r, N), "");
    }
    csv_free(&c);

    run_cli((char *[]){"splitsim", "summarize", camp, "--per-point", NULL});
    ck_assert_int_eq(run.status, 1);
    c = csv_parse(run.out, NCOLS);
    ck_assert_uint_eq(c.rows, 1 + 6 * 2 * 16);
    for (size_t r = 1; r < c.rows; r++)
        ck_assert(num(cell(&c, r, POINT)) != 5 && num(cell(&c, r, POINT)) != 6);
    csv_free(&c);

    /* the older, complete index names points whose files are gone: their n is left empty */
    run_cli((char *[]){"splitsim", "summarize", stale, NULL});
    ck_assert_int_eq(run.status, 1);
    ck_assert_msg(strstr(run.err, "is a newer index") &&
                      strstr(run.err, "2 indexed point file(s) could not be read"),
                  "%s", run.err);
    c = csv_parse(run.out, NCOLS);
    for (size_t r = 1; r < c.rows; r++)
        ck_assert_int_eq(num(cell(&c, r, COMBINATION)) >= 2, *cell(&c, r, N) == '\0');
    csv_free(&c);
    free(scn);
    free(camp);
    free(p5);
    free(p5i);
    free(part);
    free(p6);
    free(seg);
    free(stale);
}
END_TEST

static Suite *summarize_suite(void)
{
    Suite *s = suite_create("summarize");
    TCase *tc = tcase_create("campaign");
    tcase_add_unchecked_fixture(tc, make_campaign, remove_campaign);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_combinations);
    tcase_add_test(tc, test_per_point_and_json);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_hostile);
    suite_add_tcase(s, tc);
    tc = tcase_create("interrupted");
    tcase_add_unchecked_fixture(tc, make_campaign, remove_campaign);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_interrupted_points);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(summarize_suite)
