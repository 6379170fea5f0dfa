/* Scenarios: the schema's defaults, the shipped default scenario, overrides, cross-field
 * checks, the resolved text's round trip, and scenarios/README.md kept in step with the schema. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "models/catalog.h"
#include "scn/scn.h"
#include "scn/sweep.h"
#include "scratch.h"

/* A scenario loaded, with the tree its origins point into and its messages; `bound` when it
 * loaded (and s holds what to release). */
struct loaded {
    struct scn s;
    struct ytree t;
    struct diag d;
    bool bound;
};

/* Loads the scenario file at path, with the n overrides ov, against the models' catalogue. */
static int load_path(struct loaded *l, const char *path, const struct scn_override *ov, size_t n)
{
    ytree_init(&l->t);
    diag_init(&l->d);
    int rc = scn_load(&l->s, &l->t, path, ov, n, NULL, &models_catalog, &l->d);
    l->bound = rc == 0;
    return rc;
}

/* Loads text as s.yaml against cat; the test fails, with the messages, unless it loads. */
static void load_ok(struct loaded *l, const struct scn_catalog *cat, const char *text)
{
    ytree_init(&l->t);
    diag_init(&l->d);
    int rc = scn_load_text(&l->s, &l->t, "s.yaml", text, strlen(text), cat, &l->d);
    l->bound = rc == 0;
    if (rc != 0)
        diag_print(&l->d, stderr, "test");
    ck_assert_int_eq(rc, 0);
}

static void loaded_release(struct loaded *l)
{
    if (l->bound)
        scn_release(&l->s);
    ytree_release(&l->t);
    diag_release(&l->d);
}

/* Loads text as s.yaml against cat and expects it refused; its messages are left in d (the
 * caller releases d). */
static void refuse(const struct scn_catalog *cat, const char *text, struct diag *d)
{
    struct scn s;
    struct ytree t;
    ytree_init(&t);
    diag_init(d);
    ck_assert_int_lt(scn_load_text(&s, &t, "s.yaml", text, strlen(text), cat, d), 0);
    ytree_release(&t);
}

/* Message i of d reads `text`, whole, at file:line:col. */
static void expect_message(const struct diag *d, size_t i, const char *file, int line, int col,
                           const char *text)
{
    ck_assert_uint_lt(i, d->len);
    const struct diag_msg *m = &d->msgs[i];
    ck_assert_msg(m->file && strcmp(m->file, file) == 0 && m->line == line && m->col == col &&
                      strcmp(m->text, text) == 0,
                  "message %zu: %s:%d:%d: %s\nexpected: %s:%d:%d: %s", i,
                  m->file ? m->file : "(no file)", m->line, m->col, m->text, file, line, col, text);
}

/* text, loaded as s.yaml against cat, is refused with exactly one message, at line:col. */
static void refuse_one(const struct scn_catalog *cat, const char *text, const char *message,
                       int line, int col)
{
    struct diag d;
    refuse(cat, text, &d);
    ck_assert_uint_eq(d.len, 1);
    expect_message(&d, 0, "s.yaml", line, col, message);
    diag_release(&d);
}

static char *source_path(const char *rel)
{
    const char *root = getenv("SPLITSIM_SOURCE_ROOT");
    char *p = NULL;
    ck_assert_int_gt(asprintf(&p, "%s/%s", root ? root : "..", rel), 0);
    return p;
}

START_TEST(test_defaults)
{
    struct loaded l;
    load_ok(&l, &models_catalog, "run: {duration: 1 h}\n");
    const struct scn *s = &l.s;
    ck_assert_str_eq(s->model, "queue");
    ck_assert(s->run.duration_s == 3600);
    ck_assert(s->run.warmup_s == 0);
    ck_assert_uint_eq(s->run.seed, 1);
    ck_assert_uint_eq(s->run.replications, 1);
    ck_assert_uint_eq(s->ues.count, 1);
    ck_assert_int_eq(s->workload.arrival, SCN_ARRIVAL_POISSON);
    ck_assert(s->workload.rate_per_s == 0.1);
    ck_assert_int_eq(s->edge.service, SCN_SERVICE_EXPONENTIAL);
    ck_assert(s->edge.service_time_s == 1);
    ck_assert(s->recording.requests);
    ck_assert_uint_eq(strlen(s->hash_hex), 16);
    loaded_release(&l);
}
END_TEST

/* The resolved text is a scenario itself, and binds to the same text and hash. */
START_TEST(test_resolved_round_trip)
{
    struct loaded a, b;
    load_ok(&a, &models_catalog,
            "run: {duration: 90 min, warmup: 1.5 min, seed: 99}\n"
            "workload: {rate: 12 /h, arrival: periodic}\n"
            "edge: {service_time: 250 ms}\nues: {count: 7}\n");
    ck_assert_ptr_nonnull(strstr(a.s.resolved, "  duration: 5400 s\n"));
    ck_assert_ptr_nonnull(strstr(a.s.resolved, "  rate: 0.003333333333333333 /s\n"));
    load_ok(&b, &models_catalog, a.s.resolved);
    ck_assert_str_eq(a.s.resolved, b.s.resolved);
    ck_assert_uint_eq(a.s.hash, b.s.hash);
    ck_assert(a.s.workload.rate_per_s == b.s.workload.rate_per_s);
    loaded_release(&a);
    loaded_release(&b);
}
END_TEST

START_TEST(test_default_scenario_file)
{
    char *path = source_path("scenarios/queue.yaml");
    struct loaded l;
    ck_assert_int_eq(load_path(&l, path, NULL, 0), 0);
    ck_assert_uint_eq(l.s.ues.count, 8);
    ck_assert(l.s.run.duration_s == 36 * 3600.0);
    ck_assert(l.s.workload.rate_per_s * 8 * l.s.edge.service_time_s == 0.8);
    loaded_release(&l);
    free(path);
}
END_TEST

START_TEST(test_overrides)
{
    char *path = source_path("scenarios/queue.yaml");
    struct loaded l;
    struct scn_override ov[] = {{"run.seed=42"},
                                {"ues.count=3"},
                                {"edge={service: deterministic}"},
                                {"run={duration: 5 h, seed: 7}"},
                                {"edge.service_time=2 s"}};
    ck_assert_int_eq(load_path(&l, path, ov, 5), 0);
    ck_assert_uint_eq(l.s.run.seed, 7); /* the later override wins */
    ck_assert_uint_eq(l.s.ues.count, 3);
    ck_assert_int_eq(l.s.edge.service, SCN_SERVICE_DETERMINISTIC);
    ck_assert(l.s.edge.service_time_s == 2);
    /* A mapping value merges into the file's mapping: its other keys stay (they were dropped,
     * silently, when the whole section was replaced). */
    ck_assert(l.s.run.duration_s == 5 * 3600.0);
    ck_assert(l.s.run.warmup_s == 30 * 60.0); /* from the file */
    loaded_release(&l);

    /* Merging is recursive, and where the tree holds no mapping the value is set as given. */
    const char *text = "model: split\nrun: {duration: 1 h}\npolicy:\n  name: mbrl\n"
                       "  mbrl: {hidden: 8, budget: 5}\n";
    ytree_init(&l.t);
    diag_init(&l.d);
    ck_assert_int_eq(ytree_parse(&l.t, "m.yaml", text, strlen(text), &l.t.root, &l.d), 0);
    ck_assert_int_eq(scn_apply_override(&l.t, "policy={mbrl: {budget: 6}}", 1, &l.d), 0);
    ck_assert_int_eq(scn_apply_override(&l.t, "recording={interval: 0 s}", 2, &l.d), 0);
    struct ynode file = {.src = "m.yaml", .line = 1, .col = 1};
    ck_assert_int_eq(scn_bind(&l.s, &l.t, l.t.root, &file, NULL, &models_catalog, &l.d), 0);
    l.bound = true;
    ck_assert_str_eq(l.s.policy.name, "mbrl");
    ck_assert_uint_eq(l.s.policy.mbrl.hidden, 8);
    ck_assert_uint_eq(l.s.policy.mbrl.budget, 6);
    ck_assert(l.s.recording.interval_s == 0);
    loaded_release(&l);

    /* Bad overrides: located at --set N:column, validated like the file. */
    struct scn_override bad[] = {{"run.seed=abc"}, {"ues.cont=3"}, {"recording.requests.x=1"}};
    ck_assert_int_lt(load_path(&l, path, bad, 3), 0);
    ck_assert_uint_eq(l.d.len, 1);
    expect_message(
        &l.d, 0, "--set", 3, 1,
        "cannot set 'recording.requests.x': 'recording.requests' is a scalar, not a section");
    loaded_release(&l);

    struct scn_override bad2[] = {{"run.seed=abc"}, {"ues.cont=3"}, {"noequals"}};
    ck_assert_int_lt(load_path(&l, path, bad2, 2), 0);
    ck_assert_uint_eq(l.d.len, 2);
    expect_message(&l.d, 0, "--set", 1, 10, "run.seed: expected an integer >= 0, got 'abc'");
    expect_message(&l.d, 1, "--set", 2, 5, "ues: unknown key 'cont' (did you mean 'count'?)");
    loaded_release(&l);

    ck_assert_int_lt(load_path(&l, path, &bad2[2], 1), 0);
    ck_assert_uint_eq(l.d.len, 1);
    expect_message(&l.d, 0, "--set", 1, 1, "expected key.path=value, got 'noequals'");
    loaded_release(&l);
    free(path);
}
END_TEST

/* A 38.901 path-loss model brings the standard's values for the channel keys left unset, keeps
 * the ones set (in the file or with --set), and the resolved text states them. */
START_TEST(test_tr38901_defaults)
{
    struct loaded l;
    load_ok(&l, &models_catalog, "model: split\nrun: {duration: 1 h}\nchannel: {pathloss: rma}\n");
    const struct scn_channel *c = &l.s.channel;
    ck_assert(c->bs_height_m == 35 && c->shadowing_db == 8 && c->shadowing_los_db == 4 &&
              c->shadow_decorrelation_m == 120 && c->shadow_decorrelation_los_m == 37 &&
              c->los_decorrelation_m == 60);
    ck_assert_ptr_nonnull(strstr(l.s.resolved, "shadowing_decorrelation: 120 m"));
    loaded_release(&l);
    load_ok(&l, &models_catalog,
            "model: split\nrun: {duration: 1 h}\nchannel: {pathloss: umi, shadowing: 3 dB, "
            "bs_height: 12 m}\n");
    ck_assert(l.s.channel.shadowing_db == 3 && l.s.channel.bs_height_m == 12 &&
              l.s.channel.shadow_decorrelation_m == 13 && l.s.channel.los_decorrelation_m == 50);
    loaded_release(&l);
    /* log-distance keeps the schema's defaults */
    load_ok(&l, &models_catalog, "model: split\nrun: {duration: 1 h}\n");
    ck_assert(l.s.channel.shadowing_db == 8 && l.s.channel.shadow_decorrelation_m == 50 &&
              l.s.channel.bs_height_m == 10);
    loaded_release(&l);
    /* an override counts as set */
    char *path = source_path("scenarios/default.yaml");
    struct scn_override ov[] = {{"channel.pathloss=uma"}, {"channel.shadowing_decorrelation=20 m"}};
    ck_assert_int_eq(load_path(&l, path, ov, 2), 0);
    ck_assert(l.s.channel.bs_height_m == 25 && l.s.channel.shadow_decorrelation_m == 20 &&
              l.s.channel.shadowing_db == 7.82); /* the file sets it */
    loaded_release(&l);
    free(path);
}
END_TEST

START_TEST(test_cross_checks)
{
    refuse_one(&models_catalog, "run:\n  duration: 1 h\n  warmup: 2 h\n",
               "run.warmup: expected a time < run.duration (3600 s), got 7200 s", 3, 11);
    refuse_one(&models_catalog,
               "run: {duration: 1000 d}\nues: {count: 1000000}\nworkload: {rate: 1000 /s}\n",
               "workload.rate: 1e+06 UEs x 1000 /s x 8.64e+07 s is 8.64e+16 requests per "
               "replication; expected at most 1e10",
               3, 18);
    refuse_one(&models_catalog,
               "run: {duration: 1 h, first_replication: 4294967295, replications: 2}\n",
               "run.replications: first_replication + replications must stay below 2^32", 1, 67);
}
END_TEST

/* The time series a scenario asks for is bounded at check time: at most 10^7 rows per
 * replication ((duration / interval + 1) x (servers + SNR UEs + 1)), an interval of 0 or >= 1 ns.
 */
START_TEST(test_time_series_bounded)
{
    /* erasure channel: 2 rows a sample (1 server, the cell); 5,000,000 samples = 10^7 rows */
    const char *base = "model: split\nchannel: {model: erasure}\nrecording: {interval: 1 s}\n";
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text, "%srun: {duration: 4999999 s}\n", base), 0);
    struct loaded l;
    load_ok(&l, &models_catalog, text);
    loaded_release(&l);
    free(text);
    ck_assert_int_gt(asprintf(&text, "%srun: {duration: 5000000 s}\n", base), 0);
    refuse_one(&models_catalog, text,
               "recording.interval: 10000002 time-series rows per replication (run.duration "
               "5e+06 s / 1 s = 5000001 samples, of 2 rows: 1 edge server(s), the SNR of 0 "
               "UE(s), the cell); expected at most 10000000: a longer interval, fewer "
               "recording.snr_ues, or 0 s for none",
               3, 23);
    free(text);
    /* 1 ns over 10 s (it wrote for minutes); below 1 ns (it never advanced) */
    refuse_one(&models_catalog,
               "model: split\nrun: {duration: 10 s}\nrecording: {interval: 1 ns}\n",
               "recording.interval: 30000000003 time-series rows per replication (run.duration "
               "10 s / 1e-09 s = 10000000001 samples, of 3 rows: 1 edge server(s), the SNR of 1 "
               "UE(s), the cell); expected at most 10000000: a longer interval, fewer "
               "recording.snr_ues, or 0 s for none",
               3, 23);
    refuse_one(
        &models_catalog, "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0.4 ns}\n",
        "recording.interval: expected 0 s (no time series) or at least 1 ns, got 4e-10 s", 3, 23);
    /* no time series, no bound */
    load_ok(&l, &models_catalog,
            "model: split\nrun: {duration: 1e9 s}\nworkload: {rate: 1e-6 /s}\n"
            "recording: {interval: 0 s}\n");
    loaded_release(&l);
}
END_TEST

/* A catalogue of the test's own: the scenario language knows names only through it. */
static const char *stub_llm(size_t i)
{
    return i == 0 ? "tiny" : NULL;
}

static uint32_t stub_llm_blocks(const char *name)
{
    return strcmp(name, "tiny") == 0 ? 4 : 0;
}

static int stub_llm_file_blocks(const char *path, uint32_t *blocks, struct diag *d)
{
    (void)blocks;
    diag_report(d, DIAG_ERROR, path, 1, 1, "not an architecture");
    return -EINVAL;
}

static bool stub_is_device(const char *name)
{
    return strcmp(name, "toaster") == 0;
}

static const char *stub_policy(size_t i)
{
    static const char *const names[] = {"fixed", "coin", NULL};
    return i < 2 ? names[i] : NULL;
}

/* Two models: "split" reads every key; "lamp", a third model as a newcomer would add it, reads
 * the run, ues.count and the cell's bandwidth. */
static const char *stub_model(size_t i)
{
    static const char *const names[] = {"split", "lamp", NULL};
    return i < 2 ? names[i] : NULL;
}

static const char *stub_model_doc(size_t i)
{
    return i == 0 ? "everything" : i == 1 ? "a lamp" : NULL;
}

static bool stub_model_reads(const char *name, const char *path)
{
    if (strcmp(name, "split") == 0)
        return true;
    return strcmp(name, "lamp") == 0 &&
           (strcmp(path, "model") == 0 || strncmp(path, "run.", 4) == 0 ||
            strcmp(path, "ues.count") == 0 || strcmp(path, "cell.bandwidth") == 0);
}

static const struct scn_catalog stub_catalog = {
    .model = stub_model,
    .model_doc = stub_model_doc,
    .model_reads = stub_model_reads,
    .llm = stub_llm,
    .llm_blocks = stub_llm_blocks,
    .llm_file_blocks = stub_llm_file_blocks,
    .is_device = stub_is_device,
    .policy = stub_policy,
};

/* LLM, device and policy names are checked against the catalogue handed in, and the decoder
 * blocks come from it; the messages stay the scenario's, at the key's line and column. */
START_TEST(test_catalogue_handed_in)
{
    const char *head = "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n";
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: tiny}\nues: {device: toaster}\n"
                              "edge: {device: toaster}\nsplit: {layer: 4}\n"
                              "policy: {compete: [coin, fixed]}\n",
                              head),
                     0);
    struct loaded l;
    load_ok(&l, &stub_catalog, text);
    ck_assert_uint_eq(l.s.llm_layers, 4);
    ck_assert_ptr_eq(l.s.catalog, &stub_catalog);
    loaded_release(&l);
    free(text);
    /* the models' catalogue knows none of these names */
    struct diag d;
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: tiny}\nues: {device: toaster}\n"
                              "edge: {device: toaster}\npolicy: {name: coin}\n",
                              head),
                     0);
    refuse(&models_catalog, text, &d);
    diag_release(&d);
    free(text);
    /* the errors name the catalogue's entries */
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: tiny}\nues: {device: a100}\n"
                              "edge: {device: toaster}\nsplit: {layer: 5}\n"
                              "policy: {name: con}\n",
                              head),
                     0);
    refuse(&stub_catalog, text, &d);
    ck_assert_uint_eq(d.len, 3);
    /* in file order */
    char *cwd = getcwd(NULL, 0), *want = NULL; /* s.yaml lies in the working directory */
    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_gt(asprintf(&want,
                              "ues.device: expected a device of 'splitsim tables list' (e.g. "
                              "a100, jetson-agx-orin) or a device file; no such file: %s/a100 "
                              "(ues.device at s.yaml:5:15)",
                              cwd),
                     0);
    expect_message(&d, 0, "s.yaml", 5, 15, want);
    free(want);
    free(cwd);
    expect_message(&d, 1, "s.yaml", 7, 16,
                   "split.layer: expected a split in [0, 4] (tiny has 4 decoder blocks), got 5");
    expect_message(&d, 2, "s.yaml", 8, 16,
                   "policy.name: expected a policy (fixed, coin), got 'con' (did you mean "
                   "'coin'?)");
    diag_release(&d);
    free(text);
    /* an LLM neither in the catalogue nor a file */
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: llama-2-7b}\nues: {device: toaster}\n"
                              "edge: {device: toaster}\n",
                              head),
                     0);
    cwd = getcwd(NULL, 0);
    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_gt(asprintf(&want,
                              "llm.model: expected a model of the catalogue (tiny) or an "
                              "architecture file; no such file: %s/llama-2-7b (llm.model at "
                              "s.yaml:4:14)",
                              cwd),
                     0);
    refuse_one(&stub_catalog, text, want, 4, 14);
    free(want);
    free(cwd);
    free(text);
}
END_TEST

/* The models, and the keys each reads, come from the catalogue: a third model is a catalogue
 * entry, with no change to the scenario language. */
START_TEST(test_models_from_catalogue)
{
    /* the default (queue) is not in this catalogue: named, with the choices */
    refuse_one(&stub_catalog, "run: {duration: 1 s}\n",
               "model: expected one of: split, lamp; got 'queue'", 1, 1);
    refuse_one(&stub_catalog, "model: lamb\nrun: {duration: 1 s}\n",
               "model: expected one of: split, lamp; got 'lamb' (did you mean 'lamp'?)", 1, 8);
    /* the third model: its keys bind, and the resolved text shows only them */
    struct loaded l;
    load_ok(&l, &stub_catalog,
            "model: lamp\nrun: {duration: 1 s}\nues: {count: 3}\ncell: {bandwidth: 5 MHz}\n");
    ck_assert_str_eq(scn_model_name(&l.s), "lamp");
    ck_assert_uint_eq(l.s.ues.count, 3);
    ck_assert_ptr_nonnull(strstr(l.s.resolved, "model: lamp\n"));
    ck_assert_ptr_nonnull(strstr(l.s.resolved, "  count: 3\n"));
    ck_assert_ptr_nonnull(strstr(l.s.resolved, "  bandwidth: 5e+06 Hz\n"));
    ck_assert_ptr_null(strstr(l.s.resolved, "llm:"));
    ck_assert_ptr_null(strstr(l.s.resolved, "device:"));
    ck_assert_uint_eq(l.s.llm_layers, 0); /* the llm is not its business: not looked up */
    loaded_release(&l);
    /* a key it does not read is refused at its place, naming who reads it */
    refuse_one(&stub_catalog, "model: lamp\nrun: {duration: 1 s}\nsplit: {layer: 2}\n",
               "split.layer: not read by model: lamp (it applies to model: split)", 3, 16);
    /* a trace needs a model that reads one */
    refuse_one(&stub_catalog, "model: lamp\nrun: {duration: 1 s}\nworkload: {arrival: trace}\n",
               "workload.arrival: not read by model: lamp (it applies to model: split)", 3, 21);
}
END_TEST

/* policy.compete and ues.classes are arrays once bound; the resolved text shows them as before
 * (a YAML flow list), and a name too long for where it goes is an error at its position. */
START_TEST(test_lists_bound)
{
    struct loaded l;
    load_ok(&l, &models_catalog,
            "model: split\nrun: {duration: 1 s}\n"
            "ues: {count: 3, classes: [jetson-orin-nano, raspberry-pi-5]}\n"
            "policy:\n  compete: greedy,exhaustive\n"); /* one scalar */
    const struct scn *s = &l.s;
    ck_assert_uint_eq(s->ues.classes.n, 2);
    ck_assert_str_eq(s->ues.classes.v[0], "jetson-orin-nano");
    ck_assert_str_eq(s->ues.classes.v[1], "raspberry-pi-5");
    ck_assert_uint_eq(s->policy.compete.n, 2);
    ck_assert_str_eq(s->policy.compete.v[0], "greedy");
    ck_assert_str_eq(s->policy.compete.v[1], "exhaustive");
    ck_assert_ptr_nonnull(strstr(s->resolved, "  classes: [jetson-orin-nano, raspberry-pi-5]\n"));
    ck_assert_ptr_nonnull(strstr(s->resolved, "  compete: [greedy, exhaustive]\n"));
    loaded_release(&l);
    /* defaults: empty */
    load_ok(&l, &models_catalog, "model: split\nrun: {duration: 1 s}\n");
    ck_assert_uint_eq(s->ues.classes.n, 0);
    ck_assert_uint_eq(s->policy.compete.n, 0);
    ck_assert_ptr_nonnull(strstr(s->resolved, "  classes: []\n"));
    ck_assert_ptr_nonnull(strstr(s->resolved, "  compete: []\n"));
    loaded_release(&l);
}
END_TEST

/* ues.classes with fractions: bound with its weights, shown in the resolved text as mappings,
 * which bind back to the same scenario (same hash); plain entries keep their text; --set gives
 * a mix too, its errors at the override's column. */
START_TEST(test_weighted_classes)
{
    struct loaded a, b;
    load_ok(&a, &models_catalog,
            "model: split\nrun: {duration: 1 s}\nues:\n  count: 8\n  classes:\n"
            "    - {device: jetson-orin-nano, fraction: 75 %}\n"
            "    - device: raspberry-pi-5\n      fraction: 0.25\n");
    ck_assert_uint_eq(a.s.ues.classes.n, 2);
    ck_assert(a.s.ues.classes.w && a.s.ues.classes.w[0] == 0.75 && a.s.ues.classes.w[1] == 0.25);
    ck_assert_ptr_nonnull(strstr(a.s.resolved, "  classes: [{device: jetson-orin-nano, fraction: "
                                               "0.75}, {device: raspberry-pi-5, fraction: "
                                               "0.25}]\n"));
    load_ok(&b, &models_catalog, a.s.resolved);
    ck_assert_str_eq(a.s.resolved, b.s.resolved);
    ck_assert_uint_eq(a.s.hash, b.s.hash);
    loaded_release(&a);
    loaded_release(&b);
    /* another mix is another scenario */
    load_ok(&a, &models_catalog,
            "model: split\nrun: {duration: 1 s}\nues:\n  count: 8\n  classes:\n"
            "    - {device: jetson-orin-nano, fraction: 0.5}\n"
            "    - {device: raspberry-pi-5, fraction: 0.5}\n");
    load_ok(&b, &models_catalog,
            "model: split\nrun: {duration: 1 s}\nues:\n  count: 8\n  classes: "
            "[jetson-orin-nano, raspberry-pi-5]\n");
    ck_assert_uint_ne(a.s.hash, b.s.hash);
    ck_assert_ptr_null(b.s.ues.classes.w);
    loaded_release(&a);
    loaded_release(&b);
    /* --set */
    char *path = source_path("scenarios/default.yaml");
    struct scn_override ov[] = {
        {"ues.classes=[{device: a100, fraction: 0.2}, {device: l4, fraction: 0.8}]"}};
    ck_assert_int_eq(load_path(&a, path, ov, 1), 0);
    ck_assert(a.s.ues.classes.n == 2 && a.s.ues.classes.w[1] == 0.8);
    ck_assert_str_eq(a.s.ues.classes.v[1], "l4");
    loaded_release(&a);
    struct scn_override bad[] = {{"run.seed=2"},
                                 {"ues.classes=[{device: a100, fraction: 0.2}, l4]"}};
    ck_assert_int_lt(load_path(&a, path, bad, 2), 0);
    ck_assert_uint_eq(a.d.len, 1);
    expect_message(&a.d, 0, "--set", 2, 45,
                   "ues.classes[1]: no fraction, but ues.classes[0] has one; expected a fraction "
                   "on every entry or on none");
    loaded_release(&a);
    free(path);
    /* in a file */
    refuse_one(&models_catalog,
               "model: split\nrun: {duration: 1 s}\nues:\n  classes:\n"
               "    - {device: a100, fraction: 0.5}\n    - {device: l4, fraction: 0.4}\n",
               "ues.classes: the fractions sum to 0.9; expected 1 (within 1e-9)", 5, 5);
    refuse_one(&models_catalog,
               "model: split\nrun: {duration: 1 s}\nues:\n  classes:\n"
               "    - {device: a100, fraction: -0.5}\n    - {device: l4, fraction: 1}\n",
               "ues.classes[0].fraction: expected a number in (0, 1], got '-0.5'", 5, 32);
    /* the devices are checked as before, and a mixed fleet takes no ues.cost_table */
    char *text = NULL, *table = source_path("scenarios/README.md"); /* any readable file */
    ck_assert_int_gt(asprintf(&text,
                              "model: split\nrun: {duration: 1 s}\nues:\n  cost_table: %s\n"
                              "  classes: [{device: a100, fraction: 1}]\n",
                              table),
                     0);
    refuse_one(&models_catalog, text,
               "ues.classes: a mixed fleet derives its tables from the devices; expected no "
               "ues.cost_table",
               5, 12);
    free(text);
    free(table);
}
END_TEST

START_TEST(test_list_name_too_long)
{
    char name[SCN_MAX_POLICY_NAME + 2];
    memset(name, 'g', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    char *text = NULL, *want = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "model: split\nrun: {duration: 1 s}\n"
                              "policy: {compete: [greedy, %s]}\n",
                              name),
                     0);
    /* the name is shown cut to its first 60 bytes, its length in full */
    ck_assert_int_gt(asprintf(&want,
                              "policy.compete: expected names of at most 63 bytes, got '%.60s...' "
                              "(64 bytes)",
                              name),
                     0);
    refuse_one(&models_catalog, text, want, 3, 28);
    free(text);
    free(want);
    /* a device file's path: up to PATH_MAX - 1 bytes */
    char *path = calloc(1, SCN_MAX_PATH_NAME + 2);
    memset(path, 'd', SCN_MAX_PATH_NAME + 1);
    ck_assert_int_gt(
        asprintf(&text, "model: split\nrun: {duration: 1 s}\nues:\n  classes: %s\n", path), 0);
    ck_assert_int_gt(asprintf(&want,
                              "ues.classes: expected names of at most 4095 bytes, got '%.60s...' "
                              "(4096 bytes)",
                              path),
                     0);
    refuse_one(&models_catalog, text, want, 4, 12);
    free(text);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_empty_and_non_mapping)
{
    refuse_one(&models_catalog, "", "empty scenario; expected a mapping with at least run.duration",
               1, 1);
    refuse_one(&models_catalog, "just text\n",
               "expected a mapping of sections (model: ...) at the top level, got a scalar", 1, 1);
    refuse_one(&models_catalog, "model: queue\n",
               "run.duration: missing required key (a time in (0, 1e+09] s)", 1, 1);
}
END_TEST

/* scenarios/README.md holds the key reference between two markers; it must be exactly what
 * `splitsim check --schema` prints from the schema. */
START_TEST(test_readme_matches_schema)
{
    char *path = source_path("scenarios/README.md");
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *doc = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&doc, &cap, '\0', f);
    fclose(f);
    ck_assert(n > 0);
    const char *begin = "<!-- keys:begin (generated by `splitsim check --schema`) -->\n";
    const char *end = "<!-- keys:end -->";
    char *b = strstr(doc, begin), *e = strstr(doc, end);
    ck_assert_msg(b && e && e > b, "markers missing in %s", path);
    b += strlen(begin);
    char *table = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&table, &len);
    scn_document(&models_catalog, m);
    fclose(m);
    ck_assert_msg((size_t)(e - b) == len && strncmp(b, table, len) == 0,
                  "scenarios/README.md is out of date; replace the key table with the output of "
                  "'splitsim check --schema'");
    free(table);
    free(doc);
    free(path);
}
END_TEST

/* ---- file paths: relative to the scenario file, --set relative to its directory ------------ */

/* A folder tree for the path tests: REAL/proj/{scen/{s.yaml, dev.yaml, q.csv, sub/t.csv},
 * data/{t.csv, ue.cost, w.txt}, else/dev.yaml}; REAL is the scratch folder's real path. */
struct tree_dir {
    char dir[SCRATCH_SIZE];
    char *real;
};

/* Writes REAL/name (its folder exists), returning its path. */
static char *put(const struct tree_dir *td, const char *name, const char *text)
{
    char *path = scratch_path(td->real, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void tree_make(struct tree_dir *td)
{
    scratch_make(td->dir, "scnpaths");
    td->real = realpath(td->dir, NULL); /* /tmp may be a link */
    ck_assert_ptr_nonnull(td->real);
    const char *dirs[] = {"proj", "proj/scen", "proj/scen/sub", "proj/data", "proj/else"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *path = scratch_path(td->real, dirs[i]);
        ck_assert_int_eq(mkdir(path, 0777), 0);
        free(path);
    }
    const char *files[] = {"proj/scen/dev.yaml", "proj/scen/q.csv",   "proj/scen/sub/t.csv",
                           "proj/data/t.csv",    "proj/data/ue.cost", "proj/data/w.txt",
                           "proj/else/dev.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        free(put(td, files[i], ""));
}

static void tree_remove(struct tree_dir *td)
{
    scratch_remove(td->dir);
    free(td->real);
}

/* Asserts that string `got` is REAL/`rel`. */
static void expect_in(const struct tree_dir *td, const char *got, const char *rel)
{
    char *want = scratch_path(td->real, rel);
    ck_assert_msg(strcmp(got, want) == 0, "got '%s', expected '%s'", got, want);
    free(want);
}

/* Empties the tree and the messages between cases that load by hand. */
static void fresh(struct ytree *t, struct diag *d)
{
    ytree_release(t);
    diag_release(d);
    ytree_init(t);
    diag_init(d);
}

START_TEST(test_paths_relative_to_file)
{
    struct tree_dir td;
    tree_make(&td);
    char *edge_table = NULL, *text = NULL;
    ck_assert_int_gt(asprintf(&edge_table, "%s/proj/./data//ue.cost", td.real), 0);
    ck_assert_int_gt(asprintf(&text,
                              "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n"
                              "llm: {quality_table: ./q.csv}\n"
                              "ues: {device: dev.yaml}\n"
                              "edge: {device: a100, cost_table: \"%s\"}\n"
                              "workload: {arrival: trace, trace: ../data/t.csv}\n"
                              "policy:\n  name: mbrl\n"
                              "  mbrl: {weights_in: ../data/w.txt, weights_out: out/w.txt}\n",
                              edge_table),
                     0);
    char *file = put(&td, "proj/scen/s.yaml", text);
    struct scn s;
    struct ytree t;
    struct diag d;
    ytree_init(&t);
    diag_init(&d);
    /* loaded from another working directory (the test's), by a path with ".." in it */
    char *spelt = NULL;
    ck_assert_int_gt(asprintf(&spelt, "%s/proj/data/../scen/s.yaml", td.real), 0);
    ck_assert_int_eq(scn_load(&s, &t, spelt, NULL, 0, NULL, &models_catalog, &d), 0);
    expect_in(&td, s.file_dir, "proj/scen");
    expect_in(&td, s.llm.quality_table, "proj/scen/q.csv");
    expect_in(&td, s.ues.device, "proj/scen/dev.yaml");
    expect_in(&td, s.workload.trace, "proj/data/t.csv");
    expect_in(&td, s.policy.mbrl.weights_in, "proj/data/w.txt");
    /* a file written need not exist yet */
    expect_in(&td, s.policy.mbrl.weights_out, "proj/scen/out/w.txt");
    /* an absolute path stays as written; a catalogue name stays a name */
    ck_assert_str_eq(s.edge.cost_table, edge_table);
    ck_assert_str_eq(s.edge.device, "a100");
    ck_assert_str_eq(s.llm.model, "llama-2-7b");
    /* the resolved text holds the absolute paths, and binds back to the same scenario from
     * anywhere (here: text named in another folder) */
    char *line = NULL;
    ck_assert_int_gt(asprintf(&line, "  trace: %s/proj/data/t.csv\n", td.real), 0);
    ck_assert_ptr_nonnull(strstr(s.resolved, line));
    struct scn again;
    struct ytree t2;
    ytree_init(&t2);
    ck_assert_int_eq(scn_load_text(&again, &t2, "/nonexistent-splitsim/r.yaml", s.resolved,
                                   strlen(s.resolved), &models_catalog, &d),
                     0);
    ck_assert_str_eq(again.resolved, s.resolved);
    ck_assert_uint_eq(again.hash, s.hash);
    scn_release(&again);
    ytree_release(&t2);
    scn_release(&s);
    fresh(&t, &d);
    /* a scenario in a subfolder: its names are beside it */
    free(put(&td, "proj/scen/sub/s.yaml",
             "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n"
             "workload: {arrival: trace, trace: t.csv}\nues: {device: ../dev.yaml}\n"));
    free(spelt);
    ck_assert_int_gt(asprintf(&spelt, "%s/proj/scen/sub/s.yaml", td.real), 0);
    ck_assert_int_eq(scn_load(&s, &t, spelt, NULL, 0, NULL, &models_catalog, &d), 0);
    expect_in(&td, s.workload.trace, "proj/scen/sub/t.csv");
    expect_in(&td, s.ues.device, "proj/scen/dev.yaml");
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    free(line);
    free(spelt);
    free(file);
    free(text);
    free(edge_table);
    tree_remove(&td);
}
END_TEST

START_TEST(test_paths_of_set)
{
    struct tree_dir td;
    tree_make(&td);
    char *file = put(&td, "proj/scen/s.yaml",
                     "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n"
                     "ues: {cost_table: ../data/ue.cost}\n");
    struct scn s;
    struct ytree t;
    struct diag d;
    ytree_init(&t);
    diag_init(&d);
    /* --set paths resolve against the directory given (a Slurm job's), not the file's */
    struct scn_override ov[] = {{"ues.cost_table="},
                                {"ues.classes=[dev.yaml, a100]"},
                                {"workload={arrival: trace, trace: ../data/t.csv}"}};
    char *set_dir = scratch_path(td.real, "proj/else");
    ck_assert_int_eq(scn_load(&s, &t, file, ov, 3, set_dir, &models_catalog, &d), 0);
    expect_in(&td, s.set_dir, "proj/else");
    ck_assert_uint_eq(s.ues.classes.n, 2);
    expect_in(&td, s.ues.classes.v[0], "proj/else/dev.yaml");
    ck_assert_str_eq(s.ues.classes.v[1], "a100");
    expect_in(&td, s.workload.trace, "proj/data/t.csv");
    ck_assert_str_eq(s.ues.cost_table, "");
    scn_release(&s);
    fresh(&t, &d);
    /* by default, against the working directory; the file's own paths still against its folder */
    struct scn_override out[] = {{"policy.mbrl.weights_out=w-out.txt"}};
    ck_assert_int_eq(scn_load(&s, &t, file, out, 1, NULL, &models_catalog, &d), 0);
    char *cwd = getcwd(NULL, 0), *want = NULL;
    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_gt(asprintf(&want, "%s/w-out.txt", cwd), 0);
    ck_assert_str_eq(s.policy.mbrl.weights_out, want);
    expect_in(&td, s.ues.cost_table, "proj/data/ue.cost");
    scn_release(&s);
    fresh(&t, &d);
    /* a missing file: "no such file", its absolute path, the key and the override's place */
    struct scn_override missing[] = {{"run.seed=2"}, {"ues.cost_table=nope.cost"}};
    ck_assert_int_lt(scn_load(&s, &t, file, missing, 2, set_dir, &models_catalog, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    free(want);
    ck_assert_int_gt(asprintf(&want,
                              "no such file: %s/proj/else/nope.cost (ues.cost_table at --set:2:16)",
                              td.real),
                     0);
    ck_assert_str_eq(d.msgs[0].text, want);
    ck_assert_str_eq(d.msgs[0].file, "--set");
    ck_assert_int_eq(d.msgs[0].line, 2);
    ck_assert_int_eq(d.msgs[0].col, 16);
    ytree_release(&t);
    diag_release(&d);
    free(want);
    free(cwd);
    free(set_dir);
    free(file);
    tree_remove(&td);
}
END_TEST

/* A missing file named in the file: at the key's file:line:col; a list's name that resolves
 * too long is refused; swept paths resolve like the file's. */
START_TEST(test_paths_errors_and_sweeps)
{
    struct tree_dir td;
    tree_make(&td);
    char *file = put(&td, "proj/scen/s.yaml",
                     "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n"
                     "workload:\n  arrival: trace\n  trace: nope.csv\n");
    struct scn s;
    struct ytree t;
    struct diag d;
    ytree_init(&t);
    diag_init(&d);
    ck_assert_int_lt(scn_load(&s, &t, file, NULL, 0, NULL, &models_catalog, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    char *want = NULL;
    ck_assert_int_gt(asprintf(&want,
                              "no such file: %s/proj/scen/nope.csv (workload.trace at %s:6:10)",
                              td.real, file),
                     0);
    ck_assert_str_eq(d.msgs[0].text, want);
    ck_assert_str_eq(d.msgs[0].file, file);
    ck_assert_int_eq(d.msgs[0].line, 6);
    ck_assert_int_eq(d.msgs[0].col, 10);
    fresh(&t, &d);
    free(file);
    /* a device file whose resolved path is longer than a list's names may be */
    char *name = calloc(1, SCN_MAX_PATH_NAME - 4);
    memset(name, 'd', SCN_MAX_PATH_NAME - 5);
    char *text = NULL;
    ck_assert_int_gt(
        asprintf(&text, "model: split\nrun: {duration: 1 s}\nues: {classes: [a100, %s]}\n", name),
        0);
    file = put(&td, "proj/scen/long.yaml", text);
    ck_assert_int_lt(scn_load(&s, &t, file, NULL, 0, NULL, &models_catalog, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "ues.classes: 'ddd"));
    ck_assert_ptr_nonnull(
        strstr(d.msgs[0].text, "expected names of at most 4095 bytes without ','"));
    fresh(&t, &d);
    free(file);
    free(text);
    free(name);
    /* a sweep over files: each value against the file's folder, a missing one at its place */
    file = put(&td, "proj/scen/sweep.yaml",
               "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n"
               "workload: {arrival: trace, trace: sub/t.csv}\n"
               "sweep:\n  grid:\n    workload.trace: [../data/t.csv, sub/none.csv]\n");
    ck_assert_int_eq(scn_load(&s, &t, file, NULL, 0, NULL, &models_catalog, &d), 0);
    struct sweep sw;
    ck_assert_int_eq(sweep_init(&sw, &t, &s, &d), 0);
    ck_assert_uint_eq(sweep_validate(&sw, &t, &s, &d), 1);
    ck_assert_uint_ge(d.len, 1);
    free(want);
    ck_assert_int_gt(asprintf(&want,
                              "no such file: %s/proj/scen/sub/none.csv (workload.trace at %s:7:37)",
                              td.real, file),
                     0);
    ck_assert_str_eq(d.msgs[0].text, want);
    struct scn p0;
    ck_assert_int_eq(sweep_point(&sw, &t, 0, &p0, &d), 0);
    expect_in(&td, p0.workload.trace, "proj/data/t.csv");
    char *def = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&def, &len);
    ck_assert_int_eq(sweep_write_definition(&sw, &s, out), 0);
    fclose(out);
    free(want);
    ck_assert_int_gt(
        asprintf(&want, "    workload.trace: [%s/proj/data/t.csv, %s/proj/scen/sub/none.csv]\n",
                 td.real, td.real),
        0);
    ck_assert_ptr_nonnull(strstr(def, want));
    free(def);
    scn_release(&p0);
    sweep_release(&sw);
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    free(want);
    free(file);
    tree_remove(&td);
}
END_TEST

static Suite *scn_suite(void)
{
    Suite *s = suite_create("scn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_resolved_round_trip);
    tcase_add_test(tc, test_weighted_classes);
    tcase_add_test(tc, test_default_scenario_file);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_cross_checks);
    tcase_add_test(tc, test_tr38901_defaults);
    tcase_add_test(tc, test_time_series_bounded);
    tcase_add_test(tc, test_catalogue_handed_in);
    tcase_add_test(tc, test_models_from_catalogue);
    tcase_add_test(tc, test_lists_bound);
    tcase_add_test(tc, test_list_name_too_long);
    tcase_add_test(tc, test_empty_and_non_mapping);
    tcase_add_test(tc, test_readme_matches_schema);
    tcase_add_test(tc, test_paths_relative_to_file);
    tcase_add_test(tc, test_paths_of_set);
    tcase_add_test(tc, test_paths_errors_and_sweeps);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(scn_suite)
