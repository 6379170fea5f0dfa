#include "sim/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariant.h"

#define NO_SLOT UINT32_MAX

/* Slot indices are stored +1 in handles so that 0 stays invalid. */
static inline sim_event_handle handle_make(uint32_t slot, uint32_t gen)
{
    return ((uint64_t)gen << 32) | ((uint64_t)slot + 1);
}

static int pool_grow(struct sim *sim, uint32_t want)
{
    if (want <= sim->pool_cap)
        return 0;
    uint64_t cap = sim->pool_cap ? sim->pool_cap : 16;
    while (cap < want)
        cap *= 2;
    if (cap > NO_SLOT - 1)
        cap = NO_SLOT - 1;
    if (cap < want)
        return -ENOMEM;
    struct sim_event *pool = realloc(sim->pool, cap * sizeof *pool);
    if (!pool)
        return -ENOMEM;
    /* Thread the new slots onto the free list in index order. */
    for (uint32_t i = sim->pool_cap; i < cap; i++) {
        pool[i] = (struct sim_event){.gen = 0, .next_free = i + 1 < cap ? i + 1 : sim->free_head};
    }
    sim->free_head = sim->pool_cap;
    sim->pool = pool;
    sim->pool_cap = (uint32_t)cap;
    return 0;
}

int sim_init(struct sim *sim, const struct evq_type *queue, uint32_t capacity_hint)
{
    memset(sim, 0, sizeof *sim);
    sim->free_head = NO_SLOT;
    int rc = evq_init(&sim->queue, queue ? queue : evq_types[0], capacity_hint);
    if (rc < 0)
        return rc;
    rc = pool_grow(sim, capacity_hint ? capacity_hint : 16);
    if (rc < 0) {
        evq_release(&sim->queue);
        return rc;
    }
    return 0;
}

void sim_release(struct sim *sim)
{
    evq_release(&sim->queue);
    free(sim->pool);
    sim->pool = NULL;
    sim->pool_cap = 0;
    sim->free_head = NO_SLOT;
}

int sim_reserve(struct sim *sim, uint32_t pending)
{
    int rc = pool_grow(sim, pending);
    if (rc < 0)
        return rc;
    return evq_reserve(&sim->queue, pending);
}

sim_event_handle sim_schedule(struct sim *sim, int64_t at, int priority, sim_event_fn *fn,
                              void *obj, uint64_t data)
{
    SIM_ASSERT(at >= sim->now, "event scheduled at %lld ns, before now (%lld ns)", (long long)at,
               (long long)sim->now);
    SIM_ASSERT(priority >= SIM_PRIORITY_MIN && priority <= SIM_PRIORITY_MAX,
               "priority %d outside [%d, %d]", priority, SIM_PRIORITY_MIN, SIM_PRIORITY_MAX);
    SIM_ASSERT(fn != NULL, "event without a handler");
    SIM_ASSERT(sim->seq <= EVQ_SEQ_MAX, "insertion sequence exhausted");

    if (sim->free_head == NO_SLOT) {
        uint64_t want = (uint64_t)sim->pool_cap * 2;
        if (want > NO_SLOT - 1 || pool_grow(sim, (uint32_t)want) < 0) {
            if (!sim->error)
                sim->error = -ENOMEM;
            return 0;
        }
    }
    uint32_t slot = sim->free_head;
    struct sim_event *ev = &sim->pool[slot];
    struct evq_entry entry = {.time = at, .tie = evq_tie(priority, sim->seq), .id = slot};
    if (evq_push(&sim->queue, &entry) < 0) {
        if (!sim->error)
            sim->error = -ENOMEM;
        return 0;
    }
    sim->seq++;
    sim->free_head = ev->next_free;
    ev->fn = fn;
    ev->obj = obj;
    ev->data = data;
    return handle_make(slot, ev->gen);
}

static inline struct sim_event *event_of(const struct sim *sim, sim_event_handle h)
{
    uint32_t slot = (uint32_t)(h & 0xffffffffu);
    if (slot == 0 || slot > sim->pool_cap)
        return NULL;
    struct sim_event *ev = &sim->pool[slot - 1];
    if (ev->gen != (uint32_t)(h >> 32) || ev->fn == NULL)
        return NULL;
    return ev;
}

bool sim_pending(const struct sim *sim, sim_event_handle h)
{
    return event_of(sim, h) != NULL;
}

bool sim_cancel(struct sim *sim, sim_event_handle h)
{
    struct sim_event *ev = event_of(sim, h);
    if (!ev)
        return false;
    ev->fn = NULL;
    sim->cancelled++;
    return true;
}

static inline void slot_free(struct sim *sim, uint32_t slot)
{
    struct sim_event *ev = &sim->pool[slot];
    ev->fn = NULL;
    ev->gen++;
    ev->next_free = sim->free_head;
    sim->free_head = slot;
}

enum sim_stop sim_run(struct sim *sim, int64_t until, uint64_t max_events)
{
    SIM_ASSERT(until >= sim->now, "run until %lld ns, before now (%lld ns)", (long long)until,
               (long long)sim->now);
    sim->stop_requested = false;
    uint64_t ran = 0;
    for (;;) {
        if (sim->error)
            return SIM_STOP_ERROR;
        if (sim->stop_requested || (sim->interrupt && *sim->interrupt))
            return SIM_STOP_REQUESTED;
        if (ran >= max_events)
            return SIM_STOP_COUNT;
        struct evq_entry e;
        if (until != SIM_TIME_MAX) {
            if (!evq_peek(&sim->queue, &e))
                return SIM_STOP_EMPTY;
            if (e.time > until) {
                sim->now = until;
                return SIM_STOP_TIME;
            }
        }
        if (!evq_pop(&sim->queue, &e)) /* without a time limit, pop is the only look */
            return SIM_STOP_EMPTY;
        struct sim_event *ev = &sim->pool[e.id];
        sim_event_fn *fn = ev->fn;
        void *obj = ev->obj;
        uint64_t data = ev->data;
        slot_free(sim, e.id);
        if (!fn) {
            sim->cancelled--;
            continue;
        }
        sim->now = e.time;
        sim->processed++;
        ran++;
        fn(sim, obj, data);
    }
}

const char *sim_stop_name(enum sim_stop why)
{
    switch (why) {
    case SIM_STOP_EMPTY:
        return "empty";
    case SIM_STOP_TIME:
        return "time";
    case SIM_STOP_COUNT:
        return "count";
    case SIM_STOP_REQUESTED:
        return "requested";
    case SIM_STOP_ERROR:
        return "error";
    }
    return "?";
}
