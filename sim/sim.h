/*
 * sim — the discrete-event core: a clock, a pending-event set and an event pool.
 *
 * Concept: simulated time is an int64 count of nanoseconds from 0 (about 292 years of range).
 * An event is a callback (fn, obj, data) due at a time with a priority in [-128, 127]; events
 * run in order of (time, priority, insertion sequence), lower priority numbers first, so
 * equal-time events replay identically on every run. A handler may schedule and cancel events.
 *
 * Invariants:
 *  - sim_now() never decreases; every event runs at exactly its scheduled time.
 *  - Scheduling before sim_now() is a programmer error and aborts (always on, see invariant.h).
 *  - Events live in a pool of slots recycled through a free list; the pool and the queue grow by
 *    doubling and never shrink, so once warmed up (or after sim_reserve) the loop allocates
 *    nothing. If growing fails, sim_schedule returns 0 and sim_run stops with SIM_STOP_ERROR.
 *  - Cancellation is lazy: a cancelled event keeps its queue entry and is skipped when it pops.
 *    A handle names one scheduling; it goes stale when the event runs or is cancelled, and
 *    cancelling a stale handle is a harmless no-op (slots carry a generation count).
 *  - The engine draws no random numbers: models own their streams (see rng.h).
 *
 * All state hangs off struct sim; there is no global mutable state, so any number of
 * simulations can run in one process.
 */
#ifndef SPLITSIM_SIM_SIM_H
#define SPLITSIM_SIM_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/evq.h"
#include "sim/simtime.h"

#define SIM_PRIORITY_MIN (-128)
#define SIM_PRIORITY_MAX 127

struct sim;

/* An event handler. `obj` and `data` are what was given to sim_schedule. */
typedef void sim_event_fn(struct sim *sim, void *obj, uint64_t data);

/* A handle naming one scheduled event; 0 is never a valid handle. */
typedef uint64_t sim_event_handle;

struct sim_event {
    sim_event_fn *fn; /* NULL once cancelled */
    void *obj;
    uint64_t data;
    uint32_t gen;       /* bumped each time the slot is recycled */
    uint32_t next_free; /* free-list link, valid while the slot is free */
};

struct sim {
    int64_t now;
    uint64_t seq;       /* next insertion sequence number */
    uint64_t processed; /* events run so far (cancelled ones excluded) */
    uint64_t cancelled; /* cancelled events still sitting in the queue */
    struct evq queue;
    struct sim_event *pool; /* event slots */
    uint32_t pool_cap;
    uint32_t free_head; /* first free slot, or UINT32_MAX */
    bool stop_requested;
    /* Optional: set asynchronously (a signal handler) to ask for a stop; checked before each
     * event. NULL: not watched. */
    const volatile sig_atomic_t *interrupt;
    int error; /* first allocation failure (negative errno), sticky */
};

enum sim_stop {
    SIM_STOP_EMPTY,     /* no event left */
    SIM_STOP_TIME,      /* next event lies beyond the time limit; the clock stands at the limit */
    SIM_STOP_COUNT,     /* the event budget of this call is spent */
    SIM_STOP_REQUESTED, /* a handler called sim_stop(), or *interrupt was set */
    SIM_STOP_ERROR,     /* scheduling failed for lack of memory (see sim.error) */
};

/*
 * Initialises a simulation at time 0 with the event-queue implementation `queue` (NULL for the
 * default) and room for `capacity_hint` pending events. 0, -EINVAL or -ENOMEM; on failure
 * nothing stays allocated.
 */
int sim_init(struct sim *sim, const struct evq_type *queue, uint32_t capacity_hint);

/* Frees everything the simulation owns. Safe on a zeroed or already released struct. */
void sim_release(struct sim *sim);

/* Grows the pool and queue so that `pending` events fit without allocating. 0 or -ENOMEM. */
int sim_reserve(struct sim *sim, uint32_t pending);

static inline int64_t sim_now(const struct sim *sim)
{
    return sim->now;
}

/*
 * Schedules fn(sim, obj, data) at absolute time `at` >= sim_now() with `priority` in
 * [SIM_PRIORITY_MIN, SIM_PRIORITY_MAX]. Returns the event's handle, or 0 if memory ran out (the
 * error is also remembered in sim->error and ends sim_run).
 */
sim_event_handle sim_schedule(struct sim *sim, int64_t at, int priority, sim_event_fn *fn,
                              void *obj, uint64_t data);

/* Like sim_schedule, at sim_now() + delay (delay >= 0; the sum saturates at SIM_TIME_MAX). */
static inline sim_event_handle sim_schedule_in(struct sim *sim, int64_t delay, int priority,
                                               sim_event_fn *fn, void *obj, uint64_t data)
{
    return sim_schedule(sim, sim_time_add(sim->now, delay), priority, fn, obj, data);
}

/* Cancels a pending event. True if it was pending; false for a stale or zero handle. */
bool sim_cancel(struct sim *sim, sim_event_handle h);

/* True while the event named by h is pending. */
bool sim_pending(const struct sim *sim, sim_event_handle h);

/* Number of pending (not cancelled) events. */
static inline uint64_t sim_pending_count(const struct sim *sim)
{
    return evq_len(&sim->queue) - sim->cancelled;
}

/*
 * Runs events in order until none is left, the next one is due after `until` (events at exactly
 * `until` run; the clock then stands at `until`), `max_events` events have run in this call,
 * a handler called sim_stop(), or memory ran out. Pass SIM_TIME_MAX and UINT64_MAX for no limit.
 */
enum sim_stop sim_run(struct sim *sim, int64_t until, uint64_t max_events);

/* Asks sim_run to return after the current event. */
static inline void sim_stop(struct sim *sim)
{
    sim->stop_requested = true;
}

/* A short name for a stop reason ("empty", "time", ...). */
const char *sim_stop_name(enum sim_stop why);

#endif
