/* Scenarios: the schema's defaults, the shipped default scenario, overrides, cross-field
 * checks, the resolved text's round trip, and scenarios/README.md kept in step with the schema. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/catalog.h"
#include "scn/scn.h"

static int load_text(const char *text, struct scn *s, struct ytree *t, struct diag *d)
{
    ytree_init(t);
    diag_init(d);
    return scn_load_text(s, t, "s.yaml", text, strlen(text), &models_catalog, d);
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
    struct scn s;
    struct ytree t;
    struct diag d;
    ck_assert_int_eq(load_text("run: {duration: 1 h}\n", &s, &t, &d), 0);
    ck_assert_str_eq(s.model, "queue");
    ck_assert(s.run.duration_s == 3600);
    ck_assert(s.run.warmup_s == 0);
    ck_assert_uint_eq(s.run.seed, 1);
    ck_assert_uint_eq(s.run.replications, 1);
    ck_assert_uint_eq(s.ues.count, 1);
    ck_assert_int_eq(s.workload.arrival, SCN_ARRIVAL_POISSON);
    ck_assert(s.workload.rate_per_s == 0.1);
    ck_assert_int_eq(s.edge.service, SCN_SERVICE_EXPONENTIAL);
    ck_assert(s.edge.service_time_s == 1);
    ck_assert(s.recording.requests);
    ck_assert_uint_eq(strlen(s.hash_hex), 16);
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

/* The resolved text is a scenario itself, and binds to the same text and hash. */
START_TEST(test_resolved_round_trip)
{
    struct scn a, b;
    struct ytree ta, tb;
    struct diag d;
    ck_assert_int_eq(load_text("run: {duration: 90 min, warmup: 1.5 min, seed: 99}\n"
                               "workload: {rate: 12 /h, arrival: periodic}\n"
                               "edge: {service_time: 250 ms}\nues: {count: 7}\n",
                               &a, &ta, &d),
                     0);
    ck_assert_ptr_nonnull(strstr(a.resolved, "  duration: 5400 s\n"));
    ck_assert_ptr_nonnull(strstr(a.resolved, "  rate: 0.003333333333333333 /s\n"));
    diag_release(&d);
    ck_assert_int_eq(load_text(a.resolved, &b, &tb, &d), 0);
    ck_assert_str_eq(a.resolved, b.resolved);
    ck_assert_uint_eq(a.hash, b.hash);
    ck_assert(a.workload.rate_per_s == b.workload.rate_per_s);
    scn_release(&a);
    scn_release(&b);
    ytree_release(&ta);
    ytree_release(&tb);
    diag_release(&d);
}
END_TEST

START_TEST(test_default_scenario_file)
{
    char *path = source_path("scenarios/queue.yaml");
    struct scn s;
    struct ytree t;
    struct diag d;
    ytree_init(&t);
    diag_init(&d);
    ck_assert_int_eq(scn_load(&s, &t, path, NULL, 0, &models_catalog, &d), 0);
    ck_assert_uint_eq(s.ues.count, 8);
    ck_assert(s.run.duration_s == 36 * 3600.0);
    ck_assert(s.workload.rate_per_s * 8 * s.edge.service_time_s == 0.8);
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    free(path);
}
END_TEST

/* Empties the tree and the messages for the next case. */
static void fresh(struct ytree *t, struct diag *d)
{
    ytree_release(t);
    diag_release(d);
    ytree_init(t);
    diag_init(d);
}

START_TEST(test_overrides)
{
    char *path = source_path("scenarios/queue.yaml");
    struct scn s;
    struct ytree t;
    struct diag d;
    ytree_init(&t);
    diag_init(&d);
    struct scn_override ov[] = {{"run.seed=42"},
                                {"ues.count=3"},
                                {"edge={service: deterministic}"},
                                {"run={duration: 5 h, seed: 7}"},
                                {"edge.service_time=2 s"}};
    ck_assert_int_eq(scn_load(&s, &t, path, ov, 5, &models_catalog, &d), 0);
    ck_assert_uint_eq(s.run.seed, 7); /* the later override wins */
    ck_assert_uint_eq(s.ues.count, 3);
    ck_assert_int_eq(s.edge.service, SCN_SERVICE_DETERMINISTIC);
    ck_assert(s.edge.service_time_s == 2);
    /* A mapping value merges into the file's mapping: its other keys stay (they were dropped,
     * silently, when the whole section was replaced). */
    ck_assert(s.run.duration_s == 5 * 3600.0);
    ck_assert(s.run.warmup_s == 30 * 60.0); /* from the file */
    scn_release(&s);
    fresh(&t, &d);

    /* Merging is recursive, and where the tree holds no mapping the value is set as given. */
    const char *text = "model: split\nrun: {duration: 1 h}\npolicy:\n  name: mbrl\n"
                       "  mbrl: {hidden: 8, budget: 5}\n";
    ck_assert_int_eq(ytree_parse(&t, "m.yaml", text, strlen(text), &t.root, &d), 0);
    ck_assert_int_eq(scn_apply_override(&t, "policy={mbrl: {budget: 6}}", 1, &d), 0);
    ck_assert_int_eq(scn_apply_override(&t, "recording={interval: 0 s}", 2, &d), 0);
    struct ynode file = {.src = "m.yaml", .line = 1, .col = 1};
    ck_assert_int_eq(scn_bind(&s, &t, t.root, &file, &models_catalog, &d), 0);
    ck_assert_str_eq(s.policy.name, "mbrl");
    ck_assert_uint_eq(s.policy.mbrl.hidden, 8);
    ck_assert_uint_eq(s.policy.mbrl.budget, 6);
    ck_assert(s.recording.interval_s == 0);
    scn_release(&s);
    fresh(&t, &d);

    /* Bad overrides: located at --set N:column, validated like the file. */
    struct scn_override bad[] = {{"run.seed=abc"}, {"ues.cont=3"}, {"recording.requests.x=1"}};
    ck_assert_int_lt(scn_load(&s, &t, path, bad, 3, &models_catalog, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].file, "--set");
    ck_assert_int_eq(d.msgs[0].line, 3);
    ck_assert_str_eq(
        d.msgs[0].text,
        "cannot set 'recording.requests.x': 'recording.requests' is a scalar, not a section");
    fresh(&t, &d);

    struct scn_override bad2[] = {{"run.seed=abc"}, {"ues.cont=3"}, {"noequals"}};
    ck_assert_int_lt(scn_load(&s, &t, path, bad2, 2, &models_catalog, &d), 0);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_str_eq(d.msgs[0].text, "run.seed: expected an integer >= 0, got 'abc'");
    ck_assert_int_eq(d.msgs[0].line, 1);
    ck_assert_int_eq(d.msgs[0].col, 10);
    ck_assert_str_eq(d.msgs[1].text, "ues: unknown key 'cont' (did you mean 'count'?)");
    ck_assert_int_eq(d.msgs[1].line, 2);
    fresh(&t, &d);

    ck_assert_int_lt(scn_load(&s, &t, path, &bad2[2], 1, &models_catalog, &d), 0);
    ck_assert_str_eq(d.msgs[0].text, "expected key.path=value, got 'noequals'");
    ytree_release(&t);
    diag_release(&d);
    free(path);
}
END_TEST

START_TEST(test_cross_checks)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(load_text("run:\n  duration: 1 h\n  warmup: 2 h\n", &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text,
                     "run.warmup: expected a time < run.duration (3600 s), got 7200 s");
    ck_assert_int_eq(d.msgs[0].line, 3);
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_lt(
        load_text("run: {duration: 1000 d}\nues: {count: 1000000}\nworkload: {rate: 1000 /s}\n", &s,
                  &t, &d),
        0);
    ck_assert_ptr_nonnull(
        strstr(d.msgs[0].text, "requests per replication; expected at most 1e10"));
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_lt(
        load_text("run: {duration: 1 h, first_replication: 4294967295, replications: 2}\n", &s, &t,
                  &d),
        0);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "must stay below 2^32"));
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

/* The time series a scenario asks for is bounded at check time: at most 10^7 rows per
 * replication ((duration / interval + 1) x (servers + SNR UEs + 1)), an interval of 0 or >= 1 ns.
 */
START_TEST(test_time_series_bounded)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    /* erasure channel: 2 rows a sample (1 server, the cell); 5,000,000 samples = 10^7 rows */
    const char *base = "model: split\nchannel: {model: erasure}\nrecording: {interval: 1 s}\n";
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text, "%srun: {duration: 4999999 s}\n", base), 0);
    ck_assert_int_eq(load_text(text, &s, &t, &d), 0);
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    free(text);
    ck_assert_int_gt(asprintf(&text, "%srun: {duration: 5000000 s}\n", base), 0);
    ck_assert_int_lt(load_text(text, &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text,
                     "recording.interval: 10000002 time-series rows per replication (run.duration "
                     "5e+06 s / 1 s = 5000001 samples, of 2 rows: 1 edge server(s), the SNR of 0 "
                     "UE(s), the cell); expected at most 10000000: a longer interval, fewer "
                     "recording.snr_ues, or 0 s for none");
    ck_assert_int_eq(d.msgs[0].line, 3);
    ck_assert_int_eq(d.msgs[0].col, 23);
    ytree_release(&t);
    diag_release(&d);
    free(text);
    /* 1 ns over 10 s (it wrote for minutes); below 1 ns (it never advanced) */
    ck_assert_int_lt(
        load_text("model: split\nrun: {duration: 10 s}\nrecording: {interval: 1 ns}\n", &s, &t, &d),
        0);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "30000000003 time-series rows per replication"));
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_lt(
        load_text("model: split\nrun: {duration: 1 s}\nrecording: {interval: 0.4 ns}\n", &s, &t,
                  &d),
        0);
    ck_assert_str_eq(d.msgs[0].text,
                     "recording.interval: expected 0 s (no time series) or at least 1 ns, got "
                     "4e-10 s");
    ytree_release(&t);
    diag_release(&d);
    /* no time series, no bound */
    ck_assert_int_eq(load_text("model: split\nrun: {duration: 1e9 s}\nworkload: {rate: 1e-6 /s}\n"
                               "recording: {interval: 0 s}\n",
                               &s, &t, &d),
                     0);
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
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

static int load_stub(const char *text, struct scn *s, struct ytree *t, struct diag *d)
{
    ytree_init(t);
    diag_init(d);
    return scn_load_text(s, t, "s.yaml", text, strlen(text), &stub_catalog, d);
}

/* LLM, device and policy names are checked against the catalogue handed in, and the decoder
 * blocks come from it; the messages stay the scenario's, at the key's line and column. */
START_TEST(test_catalogue_handed_in)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    const char *head = "model: split\nrun: {duration: 1 s}\nrecording: {interval: 0 s}\n";
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: tiny}\nues: {device: toaster}\n"
                              "edge: {device: toaster}\nsplit: {layer: 4}\n"
                              "policy: {compete: [coin, fixed]}\n",
                              head),
                     0);
    ck_assert_int_eq(load_stub(text, &s, &t, &d), 0);
    ck_assert_uint_eq(s.llm_layers, 4);
    ck_assert_ptr_eq(s.catalog, &stub_catalog);
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    free(text);
    /* the models' catalogue knows none of these names */
    ytree_init(&t);
    diag_init(&d);
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: tiny}\nues: {device: toaster}\n"
                              "edge: {device: toaster}\npolicy: {name: coin}\n",
                              head),
                     0);
    ck_assert_int_lt(scn_load_text(&s, &t, "s.yaml", text, strlen(text), &models_catalog, &d), 0);
    ytree_release(&t);
    diag_release(&d);
    free(text);
    /* the errors name the catalogue's entries */
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: tiny}\nues: {device: a100}\n"
                              "edge: {device: toaster}\nsplit: {layer: 5}\n"
                              "policy: {name: con}\n",
                              head),
                     0);
    ck_assert_int_lt(load_stub(text, &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 3);
    /* in file order */
    ck_assert_str_eq(d.msgs[0].text,
                     "ues.device: expected a device of 'splitsim tables list' (e.g. a100, "
                     "jetson-agx-orin) or a device file, got 'a100'");
    ck_assert_int_eq(d.msgs[0].line, 5);
    ck_assert_str_eq(d.msgs[1].text, "split.layer: expected a split in [0, 4] (tiny has 4 decoder "
                                     "blocks), got 5");
    ck_assert_int_eq(d.msgs[1].line, 7);
    ck_assert_str_eq(d.msgs[2].text,
                     "policy.name: expected a policy (fixed, coin), got 'con' (did you mean "
                     "'coin'?)");
    ck_assert_int_eq(d.msgs[2].line, 8);
    ytree_release(&t);
    diag_release(&d);
    free(text);
    /* an LLM neither in the catalogue nor a file */
    ck_assert_int_gt(asprintf(&text,
                              "%sllm: {model: llama-2-7b}\nues: {device: toaster}\n"
                              "edge: {device: toaster}\n",
                              head),
                     0);
    ck_assert_int_lt(load_stub(text, &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text, "llm.model: expected a model of the catalogue (tiny) or an "
                                     "architecture file, got 'llama-2-7b'");
    ck_assert_int_eq(d.msgs[0].line, 4);
    ck_assert_int_eq(d.msgs[0].col, 14);
    ytree_release(&t);
    diag_release(&d);
    free(text);
}
END_TEST

/* The models, and the keys each reads, come from the catalogue: a third model is a catalogue
 * entry, with no change to the scenario language. */
START_TEST(test_models_from_catalogue)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    /* the default (queue) is not in this catalogue: named, with the choices */
    ck_assert_int_lt(load_stub("run: {duration: 1 s}\n", &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text, "model: expected one of: split, lamp; got 'queue'");
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_lt(load_stub("model: lamb\nrun: {duration: 1 s}\n", &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text,
                     "model: expected one of: split, lamp; got 'lamb' (did you mean 'lamp'?)");
    ck_assert_int_eq(d.msgs[0].line, 1);
    ck_assert_int_eq(d.msgs[0].col, 8);
    ytree_release(&t);
    diag_release(&d);
    /* the third model: its keys bind, and the resolved text shows only them */
    ck_assert_int_eq(load_stub("model: lamp\nrun: {duration: 1 s}\nues: {count: 3}\n"
                               "cell: {bandwidth: 5 MHz}\n",
                               &s, &t, &d),
                     0);
    ck_assert_str_eq(scn_model_name(&s), "lamp");
    ck_assert_uint_eq(s.ues.count, 3);
    ck_assert_ptr_nonnull(strstr(s.resolved, "model: lamp\n"));
    ck_assert_ptr_nonnull(strstr(s.resolved, "  count: 3\n"));
    ck_assert_ptr_nonnull(strstr(s.resolved, "  bandwidth: 5e+06 Hz\n"));
    ck_assert_ptr_null(strstr(s.resolved, "llm:"));
    ck_assert_ptr_null(strstr(s.resolved, "device:"));
    ck_assert_uint_eq(s.llm_layers, 0); /* the llm is not its business: not looked up */
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    /* a key it does not read is refused at its place, naming who reads it */
    ck_assert_int_lt(load_stub("model: lamp\nrun: {duration: 1 s}\nsplit: {layer: 2}\n", &s, &t,
                               &d),
                     0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text,
                     "split.layer: not read by model: lamp (it applies to model: split)");
    ck_assert_int_eq(d.msgs[0].line, 3);
    ytree_release(&t);
    diag_release(&d);
    /* a trace needs a model that reads one */
    ck_assert_int_lt(load_stub("model: lamp\nrun: {duration: 1 s}\nworkload: {arrival: trace}\n",
                               &s, &t, &d),
                     0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text,
                     "workload.arrival: not read by model: lamp (it applies to model: split)");
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

/* policy.compete and ues.classes are arrays once bound; the resolved text shows them as before
 * (a YAML flow list), and a name too long for where it goes is an error at its position. */
START_TEST(test_lists_bound)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    const char *text = "model: split\nrun: {duration: 1 s}\n"
                       "ues: {count: 3, classes: [jetson-orin-nano, raspberry-pi-5]}\n"
                       "policy:\n  compete: greedy,exhaustive\n"; /* one scalar */
    ck_assert_int_eq(load_text(text, &s, &t, &d), 0);
    ck_assert_uint_eq(s.ues.classes.n, 2);
    ck_assert_str_eq(s.ues.classes.v[0], "jetson-orin-nano");
    ck_assert_str_eq(s.ues.classes.v[1], "raspberry-pi-5");
    ck_assert_uint_eq(s.policy.compete.n, 2);
    ck_assert_str_eq(s.policy.compete.v[0], "greedy");
    ck_assert_str_eq(s.policy.compete.v[1], "exhaustive");
    ck_assert_ptr_nonnull(strstr(s.resolved, "  classes: [jetson-orin-nano, raspberry-pi-5]\n"));
    ck_assert_ptr_nonnull(strstr(s.resolved, "  compete: [greedy, exhaustive]\n"));
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
    /* defaults: empty */
    ck_assert_int_eq(load_text("model: split\nrun: {duration: 1 s}\n", &s, &t, &d), 0);
    ck_assert_uint_eq(s.ues.classes.n, 0);
    ck_assert_uint_eq(s.policy.compete.n, 0);
    ck_assert_ptr_nonnull(strstr(s.resolved, "  classes: []\n"));
    ck_assert_ptr_nonnull(strstr(s.resolved, "  compete: []\n"));
    scn_release(&s);
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

START_TEST(test_list_name_too_long)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    char name[SCN_MAX_POLICY_NAME + 2];
    memset(name, 'g', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    char *text = NULL;
    ck_assert_int_gt(asprintf(&text,
                              "model: split\nrun: {duration: 1 s}\n"
                              "policy: {compete: [greedy, %s]}\n",
                              name),
                     0);
    ck_assert_int_lt(load_text(text, &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].file, "s.yaml");
    ck_assert_int_eq(d.msgs[0].line, 3);
    ck_assert_int_eq(d.msgs[0].col, 28);
    ck_assert_ptr_nonnull(
        strstr(d.msgs[0].text, "policy.compete: expected names of at most 63 bytes, got 'ggg"));
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "...' (64 bytes)"));
    ytree_release(&t);
    diag_release(&d);
    free(text);
    /* a device file's path: up to PATH_MAX - 1 bytes */
    char *path = calloc(1, SCN_MAX_PATH_NAME + 2);
    memset(path, 'd', SCN_MAX_PATH_NAME + 1);
    ck_assert_int_gt(
        asprintf(&text, "model: split\nrun: {duration: 1 s}\nues:\n  classes: %s\n", path), 0);
    ck_assert_int_lt(load_text(text, &s, &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_int_eq(d.msgs[0].line, 4);
    ck_assert_int_eq(d.msgs[0].col, 12);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "ues.classes: expected names of at most 4095 "
                                                 "bytes, got 'ddd"));
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "...' (4096 bytes)"));
    ytree_release(&t);
    diag_release(&d);
    free(text);
    free(path);
}
END_TEST

START_TEST(test_empty_and_non_mapping)
{
    struct scn s;
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(load_text("", &s, &t, &d), 0);
    ck_assert_str_eq(d.msgs[0].text,
                     "empty scenario; expected a mapping with at least run.duration");
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_lt(load_text("just text\n", &s, &t, &d), 0);
    ck_assert_str_eq(d.msgs[0].text,
                     "expected a mapping of sections (model: ...) at the top level, got a scalar");
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_lt(load_text("model: queue\n", &s, &t, &d), 0);
    ck_assert_str_eq(d.msgs[0].text, "run.duration: missing required key (a time in (0, 1e+09] s)");
    ytree_release(&t);
    diag_release(&d);
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

static Suite *scn_suite(void)
{
    Suite *s = suite_create("scn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_resolved_round_trip);
    tcase_add_test(tc, test_default_scenario_file);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_cross_checks);
    tcase_add_test(tc, test_time_series_bounded);
    tcase_add_test(tc, test_catalogue_handed_in);
    tcase_add_test(tc, test_models_from_catalogue);
    tcase_add_test(tc, test_lists_bound);
    tcase_add_test(tc, test_list_name_too_long);
    tcase_add_test(tc, test_empty_and_non_mapping);
    tcase_add_test(tc, test_readme_matches_schema);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(scn_suite)
