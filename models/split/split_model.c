/*
 * The split-inference model (`model: split`) behind the model interface: the inputs every
 * replication shares (models/split/split.h), one run per policy (several in a competition, each
 * under /policies/NAME, on the same replications), the per-policy summaries, the competition
 * table, and the terminal summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/model.h"
#include "models/policy/compete.h"
#include "models/split/split.h"

/* One policy's run. */
struct split_policy_run {
    const struct pol_type *type;
    char group[96]; /* "" at the root, or "/policies/NAME" in a competition */
    struct split_results res;
    struct split_stat stats[SM_COUNT_];
};

/* A policy of policy.compete is a registered name of at most SCN_MAX_POLICY_NAME bytes (the
 * scenario checks both), so its group always fits. */
_Static_assert(sizeof((struct split_policy_run *)0)->group >
                   sizeof "/policies/" - 1 + SCN_MAX_POLICY_NAME,
               "a policy's group holds the longest policy name");

struct split_run {
    const struct scn *scn;
    struct split_inputs in;
    bool have_inputs;
    struct split_policy_run *runs;
    const char **names; /* [nruns] */
    size_t nruns;
    char *policies;              /* the names joined by ',' (the "policy" attribute) */
    struct split_recorders tabs; /* the current policy's tables */
    struct split_model live;
    size_t live_policy;
    bool have_live;
};

static size_t split_files(const struct scn *s, struct model_file *in, struct model_file *out)
{
    const struct model_file named[] = {
        {"llm.model", s->llm.model, false},
        {"llm.quality_table", s->llm.quality_table, false},
        {"ues.device", s->ues.device, false},
        {"ues.cost_table", s->ues.cost_table, false},
        {"edge.device", s->edge.device, false},
        {"edge.cost_table", s->edge.cost_table, false},
        {"workload.trace", s->workload.trace, false},
        {"policy.mbrl.weights_in", s->policy.mbrl.weights_in, true},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0] && n < MODEL_MAX_FILES; i++)
        if (named[i].path && *named[i].path && access(named[i].path, F_OK) == 0)
            in[n++] = named[i];
    for (size_t i = 0; i < s->ues.classes.n && n < MODEL_MAX_FILES; i++) /* device files */
        if (access(s->ues.classes.v[i], F_OK) == 0)
            in[n++] = (struct model_file){"ues.classes", s->ues.classes.v[i], false};
    *out = (struct model_file){"policy.mbrl.weights_out", s->policy.mbrl.weights_out, false};
    return n;
}

static void split_release_run(void *state);

/* The policies of the run: policy.compete, else policy.name. */
static int split_policies(struct split_run *m, const struct scn *s, struct diag *d)
{
    const struct scn_list *compete = &s->policy.compete;
    size_t n = compete->n ? compete->n : 1;
    m->runs = calloc(n, sizeof *m->runs);
    m->names = calloc(n, sizeof *m->names);
    m->policies = compete->n ? scn_list_join(compete, ",") : strdup(s->policy.name);
    if (!m->runs || !m->names || !m->policies) {
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = compete->n ? compete->v[i] : s->policy.name;
        struct split_policy_run *r = &m->runs[m->nruns];
        r->type = pol_type_find(name);
        if (!r->type) { /* the scenario checked every name */
            diag_error(d, "policy '%s': no such policy", name);
            return -EINVAL;
        }
        m->names[m->nruns] = r->type->name;
        if (compete->n)
            snprintf(r->group, sizeof r->group, "/policies/%s", r->type->name);
        m->nruns++;
    }
    return 0;
}

static int split_setup(void **state, const struct scn *s, struct model_plan *plan, struct diag *d)
{
    struct split_run *m = calloc(1, sizeof *m);
    if (!m) {
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    m->scn = s;
    *state = m;
    int rc = split_inputs_load(&m->in, s, d);
    if (rc < 0)
        return rc;
    m->have_inputs = true;
    if ((rc = split_policies(m, s, d)) < 0)
        return rc;
    /* every policy must set up (e.g. load its weights file) before a file is created */
    for (size_t i = 0; i < m->nruns; i++)
        if ((rc = split_policy_check(s, &m->in, m->runs[i].type, d)) < 0)
            return rc;
    *plan = (struct model_plan){
        .npolicies = m->nruns, .policy = m->names, .competition = s->policy.compete.n > 0};
    return 0;
}

static void split_describe(const void *state, const struct scn *s, FILE *out)
{
    (void)state;
    fprintf(out, "# split model: %s has %" PRIu32 " decoder blocks; split k = %" PRIu64 "\n",
            s->llm.model, s->llm_layers, s->split.layer);
}

static void split_record_header(void *state, struct rec *rec)
{
    struct split_run *m = state;
    rec_attr_string(rec, "/", "quality_source", m->in.quality_source);
    rec_attr_string(rec, "/", "policy", m->policies);
    rec_attr_double(rec, "/", "warmup_s", m->in.par.warmup_s);
    split_record_classes(rec, &m->in, m->scn); /* an error sticks in rec */
}

static void table(struct rec *rec, const char *group, const char *name,
                  const struct rec_column *cols, size_t ncols, struct rec_table **out)
{
    char path[160];
    snprintf(path, sizeof path, "%s%s", group, name);
    rec_table_create(rec, path, cols, ncols, out);
}

/* The `classes` attribute (the devices of the `class` column) of table `name` under group. */
static int name_classes(struct rec *rec, const char *group, const char *name, const char *names)
{
    char path[160];
    snprintf(path, sizeof path, "%s%s", group, name);
    return rec_attr_string(rec, path, "classes", names);
}

static int split_policy_begin(void *state, size_t p, struct rec *rec, const char *group)
{
    struct split_run *m = state;
    const struct scn *s = m->scn;
    struct split_recorders *t = &m->tabs;
    memset(t, 0, sizeof *t);
    if (s->recording.requests)
        table(rec, group, "/requests", split_request_columns, split_request_column_count,
              &t->requests);
    if (s->recording.decisions) {
        size_t nc = 0;
        struct rec_column *dc =
            split_decision_columns(&m->in, m->runs[p].type->predict != NULL, &nc);
        if (!dc)
            return -ENOMEM;
        table(rec, group, "/decisions", dc, nc, &t->decisions);
        split_decision_columns_free(dc, nc);
    }
    if (s->recording.interval_s > 0) {
        table(rec, group, "/timeseries/edge", split_ts_edge_columns, split_ts_edge_column_count,
              &t->ts_edge);
        table(rec, group, "/timeseries/cell", split_ts_cell_columns, split_ts_cell_column_count,
              &t->ts_cell);
        if (s->channel.model == SCN_CHANNEL_FADING && s->recording.snr_ues > 0)
            table(rec, group, "/timeseries/snr", split_ts_snr_columns, split_ts_snr_column_count,
                  &t->ts_snr);
    }
    table(rec, group, "/ues", split_ue_columns, split_ue_column_count, &t->ues);
    char *names = split_class_names(&m->in, s);
    if (!names)
        return -ENOMEM;
    name_classes(rec, group, "/ues", names);
    if (t->requests)
        name_classes(rec, group, "/requests", names);
    free(names);
    return rec_error(rec);
}

static int split_replication_start(void *state, size_t p, struct sim *sim, uint32_t replication,
                                   const char **why)
{
    struct split_run *m = state;
    struct split_policy_run *r = &m->runs[p];
    m->live_policy = p;
    m->have_live = true;
    return split_init(&m->live, sim, &m->in, replication, &m->tabs, &r->res, r->type, why);
}

static int split_replication_error(const void *state)
{
    const struct split_run *m = state;
    return m->have_live ? split_error(&m->live) : 0;
}

static int split_replication_end(void *state, size_t p, const char **why)
{
    struct split_run *m = state;
    (void)p;
    if (split_record_ues(&m->live) < 0)
        return -EIO;
    return split_finish(&m->live, why);
}

static void split_replication_release(void *state)
{
    struct split_run *m = state;
    if (m->have_live)
        split_release(&m->live);
    m->have_live = false;
}

static struct compete_entry *competition_entries(const struct split_run *m)
{
    struct compete_entry *e = calloc(m->nruns, sizeof *e);
    for (size_t i = 0; e && i < m->nruns; i++)
        e[i] = (struct compete_entry){.name = m->runs[i].type->name,
                                      .res = &m->runs[i].res,
                                      .stats = m->runs[i].stats,
                                      .evaluation_cost_s = m->scn->policy.evaluation_cost_s};
    return e;
}

/* A warning naming the metrics whose one-replication interval is not valid (sim/batchmeans):
 * their requests stayed correlated over every batch size the run allowed. */
static void print_short_intervals(FILE *out, const struct split_stat *st,
                                  const enum split_metric *shown, size_t n)
{
    size_t nshort = 0;
    for (size_t i = 0; i < n; i++) {
        if (!st[shown[i]].ci95_short || st[shown[i]].n == 0)
            continue;
        fprintf(out, "%s%s",
                nshort++ ? ", " : "  warning: the run is too short for a valid 95% CI of ",
                split_metric_info[shown[i]].name);
    }
    if (nshort)
        fprintf(out, " (one replication: its batch means stay correlated; run longer or set "
                     "run.replications >= 2)\n");
}

/* Summaries of every policy's run, and the competition table when there are several. */
static int split_summary(void *state, struct rec *rec)
{
    struct split_run *m = state;
    int rc = 0;
    for (size_t i = 0; i < m->nruns && rc == 0; i++) {
        char group[128];
        snprintf(group, sizeof group, "%s/summary", m->runs[i].group);
        rc = split_record_summary(rec, group, &m->in, &m->runs[i].res, m->runs[i].stats);
    }
    if (rc == 0 && m->scn->policy.compete.n) {
        struct compete_entry *e = competition_entries(m);
        if (!e)
            return -ENOMEM;
        struct compete_outcome o;
        rc = compete_rank(e, m->nruns, m->in.quality_ceiling, &o);
        if (rc == 0)
            rc = compete_record(rec, e, m->nruns, &o);
        free(e);
    }
    return rc;
}

/* `text` as lines of at most 100 columns, broken at spaces: "  " before the first, "    "
 * before the others. */
static void print_wrapped(FILE *out, const char *text)
{
    const size_t width = 100;
    const char *indent = "  ";
    while (*text) {
        size_t room = width - strlen(indent), n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0) /* one word longer than the line */
                n = strcspn(text, " ");
        }
        fprintf(out, "%s%.*s\n", indent, (int)n, text);
        text += n;
        while (*text == ' ')
            text++;
        indent = "    ";
    }
}

/* The fleet of a mixed run: each class's device, UEs and the share asked for (nothing for
 * one device). */
static void print_classes(FILE *out, const struct split_run *m)
{
    const struct split_inputs *in = &m->in;
    const struct scn *s = m->scn;
    if (in->nclasses < 2)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *t = open_memstream(&text, &len);
    if (!t)
        return;
    fprintf(t, "UE classes (%s):", s->ues.classes.w ? "by fraction, docs/MODELS.md" : "in turn");
    for (uint32_t c = 0; c < in->nclasses; c++) {
        fprintf(t, "%s %" PRIu32 " = %s: %" PRIu64 " UE(s)", c ? ";" : "", c,
                split_class_device(in, s, c), in->class_ues[c]);
        if (s->ues.classes.w)
            fprintf(t, ", fraction %g", in->class_fraction[c]);
    }
    if (fclose(t) == 0)
        print_wrapped(out, text);
    free(text);
}

static void print_one(FILE *out, const char *file, const struct split_run *m, uint64_t events,
                      double wall)
{
    const struct scn *s = m->scn;
    const struct split_inputs *in = &m->in;
    const struct split_results *res = &m->runs[0].res;
    const struct split_stat *st = m->runs[0].stats;
    uint64_t arrived = 0, refused = 0, failed = 0, measured = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        arrived += res->reps[i].arrived;
        refused += res->reps[i].refused;
        failed += res->reps[i].failed;
        measured += res->reps[i].measured;
    }
    static const char *const prec[] = {"fp16", "int8", "int4"};
    static const char *const chan[] = {"fading", "erasure"};
    fprintf(out,
            "splitsim run: %s split after block %" PRIu64 " of %" PRIu32
            " (%s hidden state); %" PRIu64 " UE(s) on ",
            s->llm.model, s->split.layer, in->blocks, prec[s->split.precision], s->ues.count);
    if (in->nclasses > 1) /* a mixed fleet: the next line shows it */
        fprintf(out, "%" PRIu32 " device classes", in->nclasses);
    else
        fputs(in->ue_table.device, out);
    fprintf(out, ", %" PRIu64 " edge server(s) %s; %s channel\n", s->edge.servers,
            in->edge_table.device, chan[s->channel.model]);
    print_classes(out, m);
    fprintf(out,
            "  %" PRIu64 " replication(s) from %" PRIu64 ", seed %" PRIu64 ", %" PRIu64
            " requests (%" PRIu64 " measured after warm-up, %" PRIu64 " refused, %" PRIu64
            " radio-link failures)\n",
            s->run.replications, s->run.first_replication, s->run.seed, arrived, measured, refused,
            failed);
    if (measured == 0)
        fprintf(out, "  no request was measured (none arrived between the warm-up and the end of "
                     "run.duration): no statistics\n");
    fprintf(out, "  %-26s %11s %11s %11s %11s %11s\n", "metric", "mean", "95% CI +-", "p50", "p95",
            "p99");
    static const enum split_metric shown[] = {
        SM_TTFT,   SM_TPOT,     SM_LATENCY, SM_EDGE_WAIT, SM_EDGE_COMPUTE, SM_UE_COMPUTE,
        SM_ENERGY, SM_BYTES_UP, SM_ERASURE, SM_QUALITY,   SM_DEADLINE_MET};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const struct split_stat *x = &st[shown[i]];
        if (x->n == 0)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s [%s]", split_metric_info[shown[i]].name,
                 split_metric_info[shown[i]].units);
        fprintf(out, "  %-26s %11.4g %11.3g %11.4g %11.4g %11.4g\n", name, x->mean, x->ci95, x->p50,
                x->p95, x->p99);
    }
    print_short_intervals(out, st, shown, sizeof shown / sizeof shown[0]);
    fprintf(out, "  quality: %s\n",
            in->have_qtable ? in->quality_source
                            : "ASSUMED parametric model (no measured "
                              "quality table; docs/TABLES.md)");
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time (%.3g events/s)\n", events, wall,
            wall > 0 ? (double)events / wall : 0.0);
    fprintf(out, "results: %s\n", file);
}

static void seconds_text(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.3gs", v);
}

static void print_ranked(FILE *out, const struct compete_entry *e, size_t n)
{
    fprintf(out, "  %-4s %-11s %17s %17s %-3s %8s %9s %9s %9s %9s %11s\n", "rank", "policy",
            "reward", "vs best", "tie", "quality", "TTFT", "TTFT p95", "TPOT", "energy",
            "evaluations");
    static const char *const tie[] = {"-", "no", "yes"};
    for (unsigned r = 1; r <= n; r++)
        for (size_t i = 0; i < n; i++) {
            if (e[i].rank != r)
                continue;
            const struct split_stat *st = e[i].stats;
            char rw[40], vb[40], t1[16], t2[16], t3[16], en[16];
            if (isnan(e[i].reward_mean))
                snprintf(rw, sizeof rw, "n/a");
            else if (isnan(e[i].reward_ci95))
                snprintf(rw, sizeof rw, "%.4g", e[i].reward_mean);
            else
                snprintf(rw, sizeof rw, "%.4g +- %.2g", e[i].reward_mean, e[i].reward_ci95);
            if (isnan(e[i].diff_best))
                snprintf(vb, sizeof vb, "n/a");
            else if (isnan(e[i].diff_best_ci95) || e[i].diff_best == 0)
                snprintf(vb, sizeof vb, "%.3g", e[i].diff_best);
            else
                snprintf(vb, sizeof vb, "%.3g +- %.2g", e[i].diff_best, e[i].diff_best_ci95);
            seconds_text(st[SM_TTFT].mean, t1, sizeof t1);
            seconds_text(st[SM_TTFT].p95, t2, sizeof t2);
            seconds_text(st[SM_TPOT].mean, t3, sizeof t3);
            snprintf(en, sizeof en, isnan(st[SM_ENERGY].mean) ? "n/a" : "%.3gJ",
                     st[SM_ENERGY].mean);
            fprintf(out, "  %-4u %-11s %17s %17s %-3s %8.4g %9s %9s %9s %9s %11" PRIu64 "\n", r,
                    e[i].name, rw, vb, tie[e[i].tie + 1], st[SM_QUALITY].mean, t1, t2, t3, en,
                    e[i].evaluations);
        }
}

/* The quality ceiling's share in the ranking (a note, or a warning when it decides it), and a
 * warning when every policy chose the same split. */
static void print_warnings(FILE *out, const struct compete_entry *e, size_t n,
                           const struct compete_outcome *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *t = open_memstream(&text, &len);
    if (!t)
        return;
    if (o->at_ceiling > 0) {
        fprintf(t,
                "%s: %" PRIu64 " measured request(s) hit the quality ceiling (perplexity ratio %g:",
                o->ceiling_decides ? "warning" : "note", o->at_ceiling, o->quality_ceiling);
        for (size_t i = 0, k = 0; i < n; i++)
            if (e[i].at_ceiling)
                fprintf(t, "%s %s %" PRIu64, k++ ? "," : "", e[i].name, e[i].at_ceiling);
        if (o->ceiling_decides) {
            fprintf(t, ") and decide the ranking: from the requests below it,");
            for (unsigned r = 1, k = 0; r <= n; r++)
                for (size_t i = 0; i < n; i++)
                    if (e[i].rank_below_ceiling == r && e[i].rank != r)
                        fprintf(t, "%s %s would rank %u (not %u)", k++ ? "," : "", e[i].name, r,
                                e[i].rank);
            fprintf(t, "; the ceiling is an assumption of the quality model (docs/RESULTS.md)");
        } else {
            fprintf(t, "); the ranking is the same without them");
        }
        fputc('\n', t);
    }
    if (o->same_split)
        fprintf(t,
                "warning: every policy chose split k = %" PRIu32 " for every request: they "
                "decided alike, and the ranking cannot tell them apart (check policy.min_split, "
                "policy.max_split and the reward weights)\n",
                o->split);
    if (fclose(t) == 0)
        for (char *line = text, *end; line && *line; line = end + 1) {
            end = strchr(line, '\n');
            *end = '\0';
            print_wrapped(out, line);
        }
    free(text);
}

static void print_competition(FILE *out, const struct split_run *m)
{
    struct compete_entry *e = competition_entries(m);
    struct compete_outcome o;
    if (!e || compete_rank(e, m->nruns, m->in.quality_ceiling, &o) < 0) {
        free(e);
        return;
    }
    fprintf(out,
            "competition: %zu policies on identical arrivals and channels, %zu of %" PRIu64
            " replication(s) compared\n"
            "  reward: mean over the replications of each one's mean realised reward (+- 95%% "
            "CI); vs best: this policy's reward minus the best's, paired by replication; tie: "
            "that interval contains 0%s\n",
            m->nruns, o.compared, m->scn->run.replications,
            o.compared < 2 ? " (needs 2+ replications: '-')" : "");
    print_classes(out, m);
    print_ranked(out, e, m->nruns);
    for (size_t i = 0; i < m->nruns; i++) {
        if (isnan(e[i].regret) || strcmp(e[i].name, "exhaustive") == 0)
            continue;
        if (isnan(e[i].regret_ci95))
            fprintf(out, "  regret of %s vs exhaustive: %.4g (intervals need 2+ replications)\n",
                    e[i].name, e[i].regret);
        else
            fprintf(out, "  regret of %s vs exhaustive: %.4g +- %.2g\n", e[i].name, e[i].regret,
                    e[i].regret_ci95);
    }
    fprintf(out, "  quality: %s\n",
            m->in.have_qtable ? m->in.quality_source
                              : "ASSUMED parametric model (no measured quality table; "
                                "docs/TABLES.md)");
    print_warnings(out, e, m->nruns, &o);
    free(e);
}

static void split_print(const void *state, FILE *out, const char *file, uint64_t events,
                        double wall)
{
    const struct split_run *m = state;
    if (m->nruns == 1) {
        print_one(out, file, m, events, wall);
        return;
    }
    print_competition(out, m);
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time\n", events, wall);
    fprintf(out, "results: %s\n", file);
}

static void split_release_run(void *state)
{
    struct split_run *m = state;
    if (!m)
        return;
    split_replication_release(m);
    for (size_t i = 0; m->runs && i < m->nruns; i++)
        split_results_release(&m->runs[i].res);
    free(m->runs);
    free(m->names);
    free(m->policies);
    if (m->have_inputs)
        split_inputs_release(&m->in);
    free(m);
}

/* What the split model reads: every section, but not the queue model's service law (the edge
 * servers' times come from the cost tables). */
static const char *const split_reads[] = {
    "model",    "run.",   "llm.",    "ues.",    "workload.",  "edge.", "cell.",
    "channel.", "split.", "policy.", "reward.", "recording.", NULL};
static const char *const split_ignores[] = {"edge.service", "edge.service_time", NULL};

const struct model_type model_split = {
    .name = "split",
    .doc = "split inference: UEs, fading uplinks, a shared cell, edge servers, split policies",
    .reads = split_reads,
    .ignores = split_ignores,
    .files = split_files,
    .setup = split_setup,
    .describe = split_describe,
    .record_header = split_record_header,
    .policy_begin = split_policy_begin,
    .replication_start = split_replication_start,
    .replication_error = split_replication_error,
    .replication_end = split_replication_end,
    .replication_release = split_replication_release,
    .summary = split_summary,
    .print = split_print,
    .release = split_release_run,
};
