#include "models/edge/edge.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariant.h"

/* ---- iteration time ------------------------------------------------------------------------ */

int64_t edge_iteration_ns(const struct cost_table *t, const struct edge_job *jobs, uint32_t n,
                          bool *extrapolated)
{
    /* Walk the layer boundaries (every job's from and to) in increasing order; between two
     * consecutive boundaries the set of covering jobs is constant. */
    uint32_t p = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++)
        if (jobs[i].from < jobs[i].to && jobs[i].from < p)
            p = jobs[i].from;
    double ms = 0;
    while (p != UINT32_MAX) {
        uint32_t q = UINT32_MAX;
        for (uint32_t i = 0; i < n; i++) {
            if (jobs[i].from > p && jobs[i].from < q)
                q = jobs[i].from;
            if (jobs[i].to > p && jobs[i].to < q)
                q = jobs[i].to;
        }
        if (q == UINT32_MAX)
            break;
        double tokens = 0, context = 0;
        uint32_t prefills = 0, decodes = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (jobs[i].from > p || jobs[i].to <= p)
                continue;
            if (jobs[i].kind == EDGE_PREFILL) {
                tokens += jobs[i].tokens;
                prefills++;
            } else {
                context += jobs[i].context;
                decodes++;
            }
        }
        if (prefills)
            ms += cost_range_prefill_ms(t, p, q, tokens, extrapolated);
        if (decodes)
            ms += cost_range_decode_ms(t, p, q, context / decodes, decodes, extrapolated);
        p = q;
    }
    double ns = round(ms * 1e6);
    if (!(ns <= COST_TIME_NS_MAX)) /* also NaN: never clamped, never simulated */
        return -ERANGE;
    return ns < 1 ? 1 : (int64_t)ns;
}

/* ---- server -------------------------------------------------------------------------------- */

int edge_init(struct edge_server *e, struct sim *sim, const struct cost_table *t, uint32_t id,
              const struct edge_params *p)
{
    memset(e, 0, sizeof *e);
    if (!sim || !t || !t->nlayers || !p || p->batch_max < 1 || !(p->batch_tokens > 0) ||
        !(p->kv_budget > 0) ||
        (p->order != EDGE_ORDER_FIFO && p->order != EDGE_ORDER_DECODE_FIRST &&
         p->order != EDGE_ORDER_PREFILL_FIRST))
        return -EINVAL;
    e->sim = sim;
    e->table = t;
    e->params = *p;
    e->id = id;
    e->running_cap = p->batch_max < 16 ? p->batch_max : 16;
    e->running = malloc(e->running_cap * sizeof *e->running);
    ring_init(&e->prefill, sizeof(struct edge_job));
    ring_init(&e->decode, sizeof(struct edge_job));
    if (!e->running) {
        edge_release(e);
        return -ENOMEM;
    }
    return 0;
}

void edge_release(struct edge_server *e)
{
    if (e->sim) {
        sim_cancel(e->sim, e->start_event);
        sim_cancel(e->sim, e->done_event);
    }
    e->start_event = e->done_event = 0;
    ring_release(&e->prefill);
    ring_release(&e->decode);
    free(e->running);
    e->running = NULL;
    e->nrunning = e->running_cap = 0;
    e->busy = false;
}

static void fail(struct edge_server *e, int code)
{
    if (!e->error)
        e->error = code;
    sim_stop(e->sim);
}

static sim_event_fn on_start, on_done;

/* Schedules an iteration start now if the server is idle with jobs waiting. */
static void kick(struct edge_server *e)
{
    if (e->busy || e->start_event || e->error || !edge_waiting(e))
        return;
    e->start_event = sim_schedule(e->sim, sim_now(e->sim), SIM_PRIORITY_MAX, on_start, e, 0);
    if (!e->start_event)
        fail(e, -ENOMEM);
}

/* The iteration being formed. */
struct forming {
    double tokens; /* prefill tokens taken */
    bool closed;   /* an oversized prefill runs alone */
};

enum take_result {
    TAKEN,
    NO_ROOM, /* batch_max, the token budget or an oversized prefill's iteration */
    NO_KV,   /* a prefill whose KV does not fit */
};

/* Takes job j into the iteration if it can join (reserving its KV). */
static enum take_result take(struct edge_server *e, const struct edge_job *j, struct forming *f)
{
    if (f->closed || e->nrunning >= e->params.batch_max)
        return NO_ROOM;
    if (j->kind == EDGE_PREFILL) {
        bool oversized = j->tokens > e->params.batch_tokens;
        if (oversized ? e->nrunning > 0 : f->tokens + j->tokens > e->params.batch_tokens)
            return NO_ROOM;
        if (j->kv_bytes > e->params.kv_budget - e->kv_used)
            return NO_KV;
        e->kv_used += j->kv_bytes;
        if (e->kv_used > e->params.kv_budget)
            e->kv_used = e->params.kv_budget;
        e->kv_holders++;
        f->tokens += j->tokens;
        f->closed = oversized;
    }
    e->running[e->nrunning++] = *j;
    return TAKEN;
}

/* Takes jobs from the head of q while they can join (a kind stops at its first job that
 * cannot). */
static void take_from(struct edge_server *e, struct ring *q, struct forming *f)
{
    const struct edge_job *j;
    while ((j = ring_front(q)) && take(e, j, f) == TAKEN)
        ring_pop(q);
}

static void form_iteration(struct edge_server *e)
{
    struct forming f = {0};
    e->nrunning = 0;
    switch (e->params.order) {
    case EDGE_ORDER_FIFO:
        for (;;) {
            const struct edge_job *p = ring_front(&e->prefill), *d = ring_front(&e->decode);
            struct ring *q = !p ? &e->decode : !d || p->seq < d->seq ? &e->prefill : &e->decode;
            const struct edge_job *j = ring_front(q);
            if (!j)
                break;
            enum take_result r = take(e, j, &f);
            if (r == NO_KV) {
                /* Prefills behind it wait too, but decode steps (their KV is reserved) run:
                 * holding them back would deadlock, as the KV it waits for is only freed when
                 * they finish. */
                take_from(e, &e->decode, &f);
                break;
            }
            if (r != TAKEN)
                break; /* head-of-line: nothing behind a job that cannot join */
            ring_pop(q);
        }
        break;
    case EDGE_ORDER_DECODE_FIRST:
        take_from(e, &e->decode, &f);
        take_from(e, &e->prefill, &f);
        break;
    case EDGE_ORDER_PREFILL_FIRST:
        take_from(e, &e->prefill, &f);
        take_from(e, &e->decode, &f);
        break;
    }
}

static void on_start(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct edge_server *e = obj;
    e->start_event = 0;
    if (e->busy || e->error)
        return;
    /* An iteration holds at most min(batch_max, waiting) jobs: make room before taking any. */
    uint64_t waiting = edge_waiting(e);
    uint32_t need = waiting < e->params.batch_max ? (uint32_t)waiting : e->params.batch_max;
    if (need > e->running_cap) {
        uint32_t cap =
            e->running_cap > e->params.batch_max / 2 ? e->params.batch_max : 2 * e->running_cap;
        cap = cap < need ? need : cap;
        struct edge_job *r = realloc(e->running, (size_t)cap * sizeof *r);
        if (!r) {
            fail(e, -ENOMEM);
            return;
        }
        e->running = r;
        e->running_cap = cap;
    }
    form_iteration(e);
    if (!e->nrunning)
        return; /* everything waits for KV */
    bool extrapolated = false;
    int64_t ns = edge_iteration_ns(e->table, e->running, e->nrunning, &extrapolated);
    e->extrapolated |= extrapolated;
    if (ns < 0) {
        fail(e, (int)ns); /* the iteration never starts: the run stops */
        return;
    }
    e->busy = true;
    e->iteration_start = sim_now(sim);
    e->iteration_ns = ns;
    e->done_event = sim_schedule_in(sim, ns, 0, on_done, e, 0);
    if (!e->done_event)
        fail(e, -ENOMEM); /* stays busy: the run stops */
}

static void on_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct edge_server *e = obj;
    e->done_event = 0;
    /* Idle before the callbacks: what they submit or release only schedules the next start,
     * which runs after them and leaves e->running alone until then. */
    e->busy = false;
    e->iterations++;
    e->jobs_done += e->nrunning;
    e->busy_ns += e->iteration_ns;
    for (uint32_t i = 0; i < e->nrunning; i++)
        if (e->running[i].done)
            e->running[i].done(sim, e->running[i].ctx, &e->running[i], e->iteration_start,
                               e->iteration_ns, e->nrunning);
    kick(e);
}

static bool job_valid(const struct edge_server *e, const struct edge_job *j)
{
    if (j->from >= j->to || j->to > e->table->nlayers)
        return false;
    switch (j->kind) {
    case EDGE_PREFILL:
        return j->tokens > 0 && isfinite(j->tokens) && j->kv_bytes >= 0 && isfinite(j->kv_bytes);
    case EDGE_DECODE:
        return j->context > 0 && isfinite(j->context);
    }
    return false;
}

int edge_submit(struct edge_server *e, const struct edge_job *job)
{
    if (e->error)
        return e->error;
    if (!job_valid(e, job))
        return -EINVAL;
    if (job->kind == EDGE_PREFILL && job->kv_bytes > e->params.kv_budget)
        return -E2BIG;
    struct edge_job j = *job;
    j.submitted = sim_now(e->sim);
    j.seq = e->next_seq;
    struct edge_job *slot = ring_push(job->kind == EDGE_PREFILL ? &e->prefill : &e->decode);
    if (!slot)
        return -ENOMEM;
    *slot = j;
    e->next_seq++;
    kick(e);
    return e->error;
}

void edge_release_kv(struct edge_server *e, double kv_bytes)
{
    SIM_ASSERT(e->kv_holders > 0, "edge %u: KV released with no reservation held", e->id);
    SIM_ASSERT(kv_bytes >= 0, "edge %u: negative KV release %g", e->id, kv_bytes);
    e->kv_holders--;
    e->kv_used -= kv_bytes;
    if (!e->kv_holders || e->kv_used < 0)
        e->kv_used = 0;
    kick(e);
}
