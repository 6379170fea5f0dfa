/* The split model's request flow, event by event (split.h has the whole story): arrivals and
 * decisions, the UE's processor, the edge servers, the end of a request; setting up and releasing
 * a replication. */
#include "models/split/split_internal.h"

#include "models/radio/pathloss.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

static struct split_request *request_alloc(struct split_model *m)
{
    if (!m->free_list) {
        struct split_request **ns = realloc(m->slabs, (m->nslabs + 1) * sizeof *ns);
        if (!ns)
            return NULL;
        m->slabs = ns;
        struct split_request *slab = calloc(SPLIT_SLAB_REQUESTS, sizeof *slab);
        if (!slab)
            return NULL;
        m->slabs[m->nslabs++] = slab;
        for (size_t i = SPLIT_SLAB_REQUESTS; i-- > 0;) {
            slab[i].next_free = m->free_list;
            m->free_list = &slab[i];
        }
    }
    struct split_request *r = m->free_list;
    m->free_list = r->next_free;
    memset(r, 0, sizeof *r);
    r->m = m;
    return r;
}

static void request_free(struct split_model *m, struct split_request *r)
{
    r->next_free = m->free_list;
    m->free_list = r;
}

/* Spends UE energy; an empty battery stops the UE's new requests. */
void split_ue_spend(struct split_model *m, struct split_ue *ue, double joules)
{
    ue->energy += joules;
    if (m->par->battery_j > 0 && !ue->depleted && ue->energy >= m->par->battery_j) {
        ue->depleted = true;
        ue->depleted_at = sim_now(m->sim);
    }
}

double split_ue_snr_at(struct split_model *m, struct split_ue *ue, const struct chan_params *p,
                       int64_t t, double share, double *mean)
{
    struct mobility_point pt;
    mobility_at(&ue->mob, &m->mob, t, &pt);
    if (m->mob.moving) {
        /* the large-scale state is held over large_scale_step_ns (see split.h) */
        int64_t held = t > 0 ? t - t % m->large_scale_step_ns : 0;
        if (held != ue->large_scale_at) {
            struct mobility_point at = pt;
            if (held != t)
                mobility_at(&ue->mob, &m->mob, held, &at);
            chan_link_move(&ue->link, at.x, at.y);
            ue->large_scale_at = held;
            *mean = -1;
        }
    }
    if (*mean < 0)
        *mean = chan_mean_snr(&ue->link, p, share);
    return *mean * chan_fading_gain(&ue->link, p, t, pt.travelled_m);
}

/* The UE's SNR (linear) at time t with a share of the link's bandwidth. */
double split_ue_snr(struct split_model *m, struct split_ue *ue, const struct chan_params *p,
                    int64_t t, double share)
{
    double mean = -1;
    return split_ue_snr_at(m, ue, p, t, share, &mean);
}

/* The time over which a moving UE's large-scale state is held: the time the fastest UE takes to
 * travel a hundredth of the smallest decorrelation distance in use (split.h). */
static int64_t large_scale_step(const struct chan_params *p, const struct mobility_params *mob)
{
    double l = p->shadow_decorrelation_m;
    if (pathloss_has_los(p)) {
        l = fmin(l, p->los_decorrelation_m);
        l = fmin(l, p->shadow_decorrelation_los_m);
    }
    double v = mob->moving ? mob->speed_max_mps : 0;
    double ns = v > 0 ? l / SPLIT_LARGE_SCALE_STEPS / v * 1e9 : 1e18;
    return ns >= 1 ? (int64_t)fmin(ns, 1e18) : 1;
}

/* Layers the UE runs: [0, ue_to). */
static uint32_t ue_to(const struct split_model *m, const struct split_request *r)
{
    return r->k == m->in->blocks ? m->in->nlayers : r->k + 1;
}

/* ---- finishing ------------------------------------------------------------------------------ */

/* A finished request: the policy learns its outcome; its values join the statistics (when it
 * arrived after the warm-up) and its row the results. Changes no UE state. */
static void record(struct split_model *m, const struct split_request *r, int status, int64_t done)
{
    double ttft = NAN, tpot = NAN, latency = NAN, erasure = NAN, quality = NAN, reward = NAN;
    int deadline = -1;
    if (status == SPLIT_DONE) {
        ttft = (double)(r->first_token - r->arrival) * 1e-9;
        latency = (double)(done - r->arrival) * 1e-9;
        if (r->output > 1)
            tpot = (double)(done - r->first_token) * 1e-9 / (double)(r->output - 1);
        erasure = r->hidden_bytes > 0 ? r->erased_bytes / r->hidden_bytes : 0;
        quality = split_quality_of_k(m, r->k, erasure);
        if (m->par->deadline_s > 0)
            deadline = latency <= m->par->deadline_s;
        reward = split_reward_of(m, r->k, quality, ttft, tpot, latency,
                                 r->energy_compute + r->energy_radio);
    }
    struct pol_outcome outcome = {
        .k = r->k,
        .failed = status != SPLIT_DONE,
        .reward = reward,
        .quality = quality,
        .erasure = erasure,
        .ttft_s = ttft,
        .tpot_s = tpot,
        .latency_s = latency,
        .energy_j = r->energy_compute + r->energy_radio,
    };
    policy_observe(&m->policy, &r->obs, &outcome);
    struct split_rep_totals *tot = m->totals;
    if (r->k < tot->split_lo)
        tot->split_lo = r->k;
    if (r->k > tot->split_hi)
        tot->split_hi = r->k;
    bool measured = status == SPLIT_DONE && r->arrival >= m->warmup;
    if (measured) {
        double e_c = r->energy_compute, e_r = r->energy_radio;
        const double v[SM_COUNT_] = {
            [SM_TTFT] = ttft,
            [SM_TPOT] = tpot,
            [SM_LATENCY] = latency,
            [SM_EDGE_WAIT] = (double)r->edge_wait * 1e-9,
            [SM_EDGE_COMPUTE] = (double)r->edge_compute * 1e-9,
            [SM_UE_COMPUTE] = (double)r->ue_compute * 1e-9,
            [SM_ENERGY_COMPUTE] = e_c,
            [SM_ENERGY_RADIO] = e_r,
            [SM_ENERGY] = e_c + e_r,
            [SM_BYTES_UP] = r->bytes_up,
            [SM_AIRTIME_UP] = (double)r->airtime_up * 1e-9,
            [SM_RETRANSMISSIONS] = (double)r->retransmissions,
            [SM_ERASURE] = erasure,
            [SM_QUALITY] = quality,
            [SM_DEADLINE_MET] = deadline < 0 ? (double)NAN : deadline,
            [SM_REWARD] = reward,
        };
        for (int k = 0; k < SM_COUNT_; k++)
            if (!isnan(v[k]) && split_values_push(&m->res->metric[k], v[k]) < 0)
                split_fail(m, -ENOMEM);
        tot->measured++;
    }
    if (status == SPLIT_DONE)
        tot->finished++;
    else if (status == SPLIT_REFUSED)
        tot->refused++;
    else
        tot->failed++;
    if (done > m->last_done)
        m->last_done = done;
    struct split_outcome o = {.ttft = ttft,
                              .tpot = tpot,
                              .latency = latency,
                              .erasure = erasure,
                              .quality = quality,
                              .reward = reward,
                              .deadline = deadline,
                              .measured = measured};
    split_write_request(m, r, status, done, &o);
}

void split_request_finish(struct split_model *m, struct split_request *r, int status)
{
    int64_t now = sim_now(m->sim);
    if (r->k < m->in->blocks) {
        if (r->kv_bytes > 0 && status != SPLIT_REFUSED)
            edge_release_kv(&m->servers[r->server], r->kv_bytes);
        m->outstanding[r->server]--;
    }
    m->in_progress--;
    if (status == SPLIT_DONE && r->k > 0 && r->k < m->in->blocks && split_fading(m)) {
        /* the UE's memory of its recent erased fractions (what its policy sees next) */
        struct split_ue *ue = &m->ues[r->ue];
        double erasure = r->hidden_bytes > 0 ? r->erased_bytes / r->hidden_bytes : 0;
        ue->erasure_ewma = (1 - SPLIT_ERASURE_EWMA_WEIGHT) * ue->erasure_ewma +
                           SPLIT_ERASURE_EWMA_WEIGHT * erasure;
        ue->erasure_hist[ue->erasure_n++ % SPLIT_ERASURE_HISTORY] = erasure;
    }
    record(m, r, status, now);
    request_free(m, r);
}

/* ---- the UE's processor --------------------------------------------------------------------- */

static void ue_start_next(struct split_model *m, struct split_ue *ue);

int split_ue_enqueue(struct split_model *m, struct split_ue *ue, struct split_request *r)
{
    struct split_request **slot = ring_push(&ue->jobs);
    if (!slot)
        return -ENOMEM;
    *slot = r;
    if (!ue->busy)
        ue_start_next(m, ue);
    return 0;
}

static void on_ue_compute_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)data;
    struct split_request *r = obj;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    ue->busy = false;
    if (r->k == m->in->blocks) {
        /* everything on the UE: each job produces a token */
        if (++r->received == 1)
            r->first_token = sim_now(m->sim);
        if (r->received == r->output)
            split_request_finish(m, r, SPLIT_DONE);
        else if (split_ue_enqueue(m, ue, r) < 0)
            split_fail(m, -ENOMEM);
    } else {
        double tokens = r->received == 0 ? r->prompt : 1;
        split_uplink_start(m, r, tokens * m->in->arch->hidden * m->value_bytes, false, true);
    }
    if (!ue->busy && ring_len(&ue->jobs))
        ue_start_next(m, ue);
}

static void ue_start_next(struct split_model *m, struct split_ue *ue)
{
    struct split_request *r = *(struct split_request **)ring_front(&ue->jobs);
    ring_pop(&ue->jobs);
    bool extrapolated = false;
    double ms = r->received == 0
                    ? cost_range_prefill_ms(split_ue_table(m->in, ue->id), 0, ue_to(m, r),
                                            r->prompt, &extrapolated)
                    : cost_range_decode_ms(split_ue_table(m->in, ue->id), 0, ue_to(m, r),
                                           (double)r->prompt + r->received, 1, &extrapolated);
    m->extrapolated_ue |= extrapolated;
    int64_t ns = split_ms_to_ns(ms);
    if (ns < 0) {
        split_fail(m, -ERANGE);
        return;
    }
    r->ue_compute += ns;
    double joules = split_ue_table(m->in, ue->id)->power_w * (double)ns * 1e-9;
    r->energy_compute += joules;
    split_ue_spend(m, ue, joules);
    ue->busy = true;
    if (!sim_schedule_in(m->sim, ns, 0, on_ue_compute_done, r, 0))
        split_fail(m, -ENOMEM);
}

/* ---- edge ----------------------------------------------------------------------------------- */

static void on_edge_done(struct sim *sim, void *ctx, const struct edge_job *job, int64_t start,
                         int64_t iteration_ns, uint32_t batch);

void split_edge_submit(struct split_model *m, struct split_request *r, enum edge_job_kind kind)
{
    uint32_t from = r->k == 0 ? 0 : r->k + 1;
    struct edge_job job = {
        .kind = kind,
        .from = from,
        .to = m->in->nlayers,
        .tokens = r->prompt,
        .done = on_edge_done,
        .ctx = r,
    };
    if (kind == EDGE_PREFILL) {
        r->kv_bytes = ((double)r->prompt + r->output) *
                      cost_range_kv_bytes_per_token(&m->in->edge_table, from, m->in->nlayers);
        job.kv_bytes = r->kv_bytes;
    } else {
        job.context = (double)r->prompt + (r->k == 0 ? r->edge_tokens : r->received);
    }
    int rc = edge_submit(&m->servers[r->server], &job);
    r->edge_busy = rc == 0;
    if (rc == -E2BIG)
        split_request_finish(m, r, SPLIT_REFUSED);
    else if (rc < 0)
        split_fail(m, rc);
}

static void on_edge_done(struct sim *sim, void *ctx, const struct edge_job *job, int64_t start,
                         int64_t iteration_ns, uint32_t batch)
{
    (void)batch;
    struct split_request *r = ctx;
    struct split_model *m = r->m;
    r->edge_wait += start - job->submitted;
    r->edge_compute += iteration_ns;
    r->edge_busy = false;
    if (r->failed) { /* k = 0: a token was lost for good; stop decoding */
        if (r->dl_inflight == 0)
            split_request_finish(m, r, SPLIT_LINK_FAILED);
        return;
    }
    r->edge_tokens++;
    r->dl_inflight++;
    split_downlink_attempt(sim, r, 0);
    if (r->k == 0 && r->edge_tokens < r->output && !r->failed)
        split_edge_submit(m, r, EDGE_DECODE); /* the whole model is here: no round trip */
}

/* ---- arrivals ------------------------------------------------------------------------------- */

static uint32_t draw_tokens(struct split_ue *ue, int dist, uint64_t mean)
{
    double v = (double)mean;
    switch (dist) {
    case SPLIT_TOKENS_UNIFORM:
        v = 1 + (double)rng_uniform_int(&ue->workload, 2 * mean - 1);
        break;
    case SPLIT_TOKENS_GEOMETRIC:
        v = mean > 1 ? gsl_ran_geometric(ue->workload.gen, 1.0 / (double)mean) : 1;
        break;
    default:
        break;
    }
    return v > 4e9 ? 4000000000u : (uint32_t)v;
}

/* ---- decisions ------------------------------------------------------------------------------ */

static void start_request(struct split_model *m, struct split_ue *ue, uint32_t prompt,
                          uint32_t output)
{
    struct split_request *r = request_alloc(m);
    if (!r) {
        split_fail(m, -ENOMEM);
        return;
    }
    const struct split_link_params *c = &m->par->link;
    int64_t now = sim_now(m->sim);
    r->id = m->next_id++;
    r->ue = ue->id;
    r->prompt = prompt;
    r->output = output;
    r->arrival = now;
    r->p_erasure = c->erasure_probability;
    if (!split_fading(m) && c->erasure_probability_max > c->erasure_probability)
        r->p_erasure +=
            (c->erasure_probability_max - c->erasure_probability) * rng_uniform(&ue->workload);
    double snr = split_fading(m) ? split_ue_snr(m, ue, &m->in->up, now, 1.0) : (double)NAN;
    r->snr_db = 10 * log10(snr);
    ue->requests++;
    m->totals->arrived++;
    m->in_progress++;
    uint32_t server = 0;
    for (uint32_t s = 1; s < m->nservers; s++)
        if (m->outstanding[s] < m->outstanding[server])
            server = s;
    r->server = server;
    r->obs = (struct pol_obs){
        .request = r->id,
        .ue = ue->id,
        .now_s = (double)now * 1e-9,
        .snr_db = r->snr_db,
        .erasure = split_fading(m) ? ue->erasure_ewma : r->p_erasure,
        .prompt = prompt,
        .output = output,
        .edge_load = m->par->edge_load_visible
                         ? (double)m->outstanding[server] / (double)m->par->batch_max
                         : (double)NAN,
        .k_min = m->k_min,
        .k_max = m->k_max,
        .blocks = m->in->blocks,
        .last_k = ue->last_k,
    };
    struct decide_arg a = {
        .m = m, .ue = ue, .server = server, .snr_true = snr, .p_erasure = r->p_erasure};
    struct pol_ctx ctx = {.evaluate = split_oracle,
                          .evaluate_quality = split_oracle_quality,
                          .estimate_latency = split_estimate_latency,
                          .arg = &a};
    r->k = policy_decide(&m->policy, &r->obs, &ctx);
    ue->last_k = r->k;
    m->totals->decisions++;
    m->totals->evaluations += ctx.evaluations;
    if (m->rec.decisions && r->id % m->par->record_every == 0)
        split_record_decision(m, r, &a, ctx.evaluations);
    if (r->k < m->in->blocks)
        m->outstanding[server]++;
    if (r->k == 0)
        split_uplink_start(m, r, (double)prompt * c->token_bytes, true, false);
    else if (split_ue_enqueue(m, ue, r) < 0)
        split_fail(m, -ENOMEM);
}

static double gap_ns(const struct split_model *m)
{
    return 1e9 / m->par->rate_per_s;
}

/* Arrival events carry the model in obj and the UE in data. */
static void on_ue_arrival(struct sim *sim, void *obj, uint64_t data)
{
    struct split_model *m = obj;
    struct split_ue *ue = &m->ues[data];
    if (ue->depleted)
        return; /* an empty battery: no more requests from this UE */
    uint32_t prompt = draw_tokens(ue, m->par->tokens, m->par->prompt_tokens);
    uint32_t output = draw_tokens(ue, m->par->tokens, m->par->output_tokens);
    int64_t next = m->par->arrival == SPLIT_ARRIVAL_POISSON
                       ? sim_time_add(sim_now(sim), rng_exponential_ns(&ue->arrivals, gap_ns(m)))
                       : sim_time_add(sim_now(sim), sim_time_round(gap_ns(m)));
    if (next < m->duration && !sim_schedule(sim, next, 0, on_ue_arrival, m, data))
        split_fail(m, -ENOMEM);
    start_request(m, ue, prompt, output);
}

static void on_trace_arrival(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct split_model *m = obj;
    const struct trace *t = &m->in->trace;
    int64_t now = sim_now(sim);
    while (m->trace_next < t->n && t->v[m->trace_next].time_ns == now) {
        const struct trace_entry *e = &t->v[m->trace_next++];
        if (!m->ues[e->ue].depleted)
            start_request(m, &m->ues[e->ue], e->prompt, e->output);
    }
    if (m->trace_next < t->n && t->v[m->trace_next].time_ns < m->duration &&
        !sim_schedule(sim, t->v[m->trace_next].time_ns, 0, on_trace_arrival, m, 0))
        split_fail(m, -ENOMEM);
}

/* ---- time series ---------------------------------------------------------------------------- */

static void on_sample(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct split_model *m = obj;
    double t = (double)sim_now(sim) * 1e-9;
    int rc = 0;
    if (m->rec.ts_edge) {
        for (uint32_t s = 0; s < m->nservers; s++) {
            struct rec_table *tb = m->rec.ts_edge;
            rec_set_int64(tb, TSE_REPLICATION, m->replication);
            rec_set_double(tb, TSE_TIME, t);
            rec_set_int64(tb, TSE_SERVER, s);
            rec_set_int64(tb, TSE_WAITING, (int64_t)edge_waiting(&m->servers[s]));
            rec_set_int64(tb, TSE_BATCH, edge_batch(&m->servers[s]));
            rec_set_double(tb, TSE_KV, m->servers[s].kv_used);
            rc |= rec_row_commit(tb);
        }
    }
    if (m->rec.ts_snr && split_fading(m)) {
        uint64_t n = m->par->record_snr_ues < m->nues ? m->par->record_snr_ues : m->nues;
        for (uint32_t u = 0; u < n; u++) {
            struct rec_table *tb = m->rec.ts_snr;
            double snr = split_ue_snr(m, &m->ues[u], &m->in->up, sim_now(sim), 1.0);
            rec_set_int64(tb, TSS_REPLICATION, m->replication);
            rec_set_double(tb, TSS_TIME, t);
            rec_set_int64(tb, TSS_UE, u);
            rec_set_double(tb, TSS_SNR, 10 * log10(snr));
            rec_set_double(tb, TSS_DISTANCE, m->ues[u].link.distance_m);
            rec_set_double(tb, TSS_SHADOWING, m->ues[u].link.shadow_db);
            rec_set_int64(tb, TSS_LOS, m->ues[u].link.los);
            rc |= rec_row_commit(tb);
        }
    }
    if (m->rec.ts_cell) {
        struct rec_table *tb = m->rec.ts_cell;
        rec_set_int64(tb, TSC_REPLICATION, m->replication);
        rec_set_double(tb, TSC_TIME, t);
        rec_set_int64(tb, TSC_UPLINKS, (int64_t)m->cell.nactive);
        rec_set_int64(tb, TSC_REQUESTS, (int64_t)m->in_progress);
        rc |= rec_row_commit(tb);
    }
    if (rc < 0)
        split_fail(m, -EIO);
    int64_t next = sim_time_add(sim_now(sim), sim_time_from_s(m->par->record_interval_s));
    if ((next < m->duration || (m->in_progress > 0 && next < SIM_TIME_MAX)) &&
        !sim_schedule(sim, next, SPLIT_PRIO_SAMPLE, on_sample, m, 0))
        split_fail(m, -ENOMEM);
}

/* ---- setup ---------------------------------------------------------------------------------- */

int split_policy_check(const struct scn *s, const struct split_inputs *in,
                       const struct pol_type *ptype, struct diag *d)
{
    struct rng rng;
    if (rng_init(&rng, in->par.seed, 0, RNG_KIND_POLICY, 0) < 0)
        return -ENOMEM;
    struct pol_config cfg = in->par.policy;
    cfg.rng = &rng;
    cfg.diag = d;
    if (!ptype)
        ptype = pol_type_find(in->par.policy_name);
    struct policy p;
    const char *why = NULL;
    int rc = policy_init(&p, ptype, &cfg, &why);
    if (rc == 0)
        policy_release(&p);
    else if (why)
        scn_error_at(s, d,
                     *s->policy.mbrl.weights_in && ptype->predict ? "policy.mbrl.weights_in"
                     : s->policy.compete.n                        ? "policy.compete"
                                                                  : "policy.name",
                     "policy %s: %s", ptype->name, why);
    rng_release(&rng);
    return rc;
}

int split_init(struct split_model *m, struct sim *sim, const struct split_inputs *in,
               uint32_t replication, const struct split_recorders *rec, struct split_results *res,
               const struct pol_type *ptype, const char **why)
{
    memset(m, 0, sizeof *m);
    *why = NULL;
    m->sim = sim;
    m->par = &in->par;
    m->in = in;
    m->replication = replication;
    if (rec)
        m->rec = *rec;
    m->res = res;
    const struct split_params *p = &in->par;
    m->duration = sim_time_from_s(p->duration_s);
    m->warmup = sim_time_from_s(p->warmup_s);
    m->value_bytes = p->value_bytes;
    m->ue_power_w = in->ue_table.power_w;
    m->tx_draw_w = p->tx_draw_w;
    m->rx_draw_w = p->rx_draw_w;
    m->mob = p->mob;
    m->large_scale_step_ns = large_scale_step(&in->up, &p->mob);
    if (res->nreps == res->cap) {
        size_t nc = res->cap ? 2 * res->cap : 8;
        struct split_rep_totals *nr = realloc(res->reps, nc * sizeof *nr);
        if (!nr)
            return -ENOMEM;
        res->reps = nr;
        res->cap = nc;
    }
    m->totals = &res->reps[res->nreps++];
    memset(m->totals, 0, sizeof *m->totals);
    m->totals->split_lo = UINT32_MAX; /* no request yet */
    for (int k = 0; k < SM_COUNT_; k++)
        m->totals->start[k] = res->metric[k].n;

    int rc = cell_init(&m->cell, sim, p->cell_bandwidth_hz, p->cell_sharing, p->cell_share);
    if (rc < 0)
        return rc;
    m->nservers = p->nservers;
    m->servers = calloc(m->nservers, sizeof *m->servers);
    m->outstanding = calloc(m->nservers, sizeof *m->outstanding);
    m->nues = p->nues;
    m->ues = calloc(m->nues, sizeof *m->ues);
    if (!m->servers || !m->outstanding || !m->ues)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->nservers; i++)
        if ((rc = edge_init(&m->servers[i], sim, &in->edge_table, i, &p->edge)) < 0)
            return rc;
    uint64_t seed = p->seed;
    chan_area_init(&m->area, &in->up, seed, replication);
    for (uint32_t u = 0; u < m->nues; u++) {
        struct split_ue *ue = &m->ues[u];
        ue->id = u;
        ring_init(&ue->jobs, sizeof(struct split_request *));
        ue->depleted_at = -1;
        if (rng_init(&ue->arrivals, seed, replication, RNG_KIND_ARRIVAL, u) < 0 ||
            rng_init(&ue->workload, seed, replication, RNG_KIND_WORKLOAD, u) < 0 ||
            rng_init(&ue->loss, seed, replication, RNG_KIND_LINK, u) < 0 ||
            mobility_init(&ue->mob, &m->mob, seed, replication, u) < 0)
            return -ENOMEM;
        ue->distance0 = mobility_distance(&ue->mob, &m->mob, 0);
        chan_link_init(&ue->link, &in->up, seed, replication, u, ue->distance0);
        struct mobility_point at0;
        mobility_at(&ue->mob, &m->mob, 0, &at0);
        chan_link_set_area(&ue->link, &m->area);
        chan_link_move(&ue->link, at0.x, at0.y);
        chan_link_large_scale(&ue->link, &in->up);
        ue->shadow0_db = ue->link.shadow_db;
        ue->los0 = ue->link.los;
        if (p->arrival == SPLIT_ARRIVAL_TRACE)
            continue;
        int64_t first = p->arrival == SPLIT_ARRIVAL_POISSON
                            ? rng_exponential_ns(&ue->arrivals, gap_ns(m))
                            : sim_time_round(rng_uniform(&ue->arrivals) * gap_ns(m));
        if (first < m->duration && !sim_schedule(sim, first, 0, on_ue_arrival, m, u))
            return -ENOMEM;
    }
    if (p->arrival == SPLIT_ARRIVAL_TRACE && in->trace.n && in->trace.v[0].time_ns < m->duration &&
        !sim_schedule(sim, in->trace.v[0].time_ns, 0, on_trace_arrival, m, 0))
        return -ENOMEM;
    if (p->record_interval_s > 0 && !sim_schedule(sim, 0, SPLIT_PRIO_SAMPLE, on_sample, m, 0))
        return -ENOMEM;

    /* the policy: a fresh instance per replication, with its own stream */
    m->k_min = p->k_min;
    m->k_max = p->k_max;
    for (uint32_t u = 0; u < m->nues; u++)
        m->ues[u].last_k = m->k_min;
    if (rng_init(&m->policy_rng, seed, replication, RNG_KIND_POLICY, 0) < 0)
        return -ENOMEM;
    if (!ptype)
        ptype = pol_type_find(p->policy_name);
    struct pol_config cfg = p->policy;
    cfg.rng = &m->policy_rng;
    if ((rc = policy_init(&m->policy, ptype, &cfg, why)) < 0)
        return rc;
    if (ptype->predict && m->rec.decisions) {
        m->pred = calloc(m->k_max - m->k_min + 1, sizeof *m->pred);
        if (!m->pred)
            return -ENOMEM;
    }
    return 0;
}

int split_error(const struct split_model *m)
{
    if (m->error)
        return m->error;
    for (uint32_t s = 0; s < m->nservers; s++)
        if (m->servers[s].error)
            return m->servers[s].error;
    return 0;
}

int split_finish(struct split_model *m, const char **why)
{
    m->totals->end_s = (double)m->last_done * 1e-9;
    return policy_finish(&m->policy, why);
}

void split_release(struct split_model *m)
{
    policy_release(&m->policy);
    rng_release(&m->policy_rng);
    free(m->pred);
    for (uint32_t u = 0; m->ues && u < m->nues; u++) {
        struct split_ue *ue = &m->ues[u];
        rng_release(&ue->arrivals);
        rng_release(&ue->workload);
        rng_release(&ue->loss);
        mobility_release(&ue->mob);
        ring_release(&ue->jobs);
    }
    free(m->ues);
    for (uint32_t i = 0; m->servers && i < m->nservers; i++)
        edge_release(&m->servers[i]);
    free(m->servers);
    free(m->outstanding);
    cell_release(&m->cell);
    for (size_t i = 0; i < m->nslabs; i++)
        free(m->slabs[i]);
    free(m->slabs);
    memset(m, 0, sizeof *m);
}
