/*
 * evq — the pending-event set of a simulation, behind a five-function interface.
 *
 * Concept: a priority queue of entries (time, tie, id). `time` is the simulated time in integer
 * nanoseconds, `tie` packs the event's priority (high 8 bits, biased so that a lower priority
 * number sorts first) above the simulation's insertion sequence number (low 56 bits), and `id`
 * names the event's slot in the simulation's event pool. Entries are ordered lexicographically
 * by (time, tie); since every insertion gets a fresh sequence number, no two entries compare
 * equal, the order is total, and equal-time events of equal priority pop in insertion (FIFO)
 * order on every run and with every queue implementation.
 *
 * Invariants: pop() returns the least entry; len counts the entries held (cancelled events are
 * removed lazily by the simulation, so the queue itself never searches).
 *
 * Implementations are `const struct evq_type` descriptors found by name (evq_type_find), so a
 * calendar or ladder queue can be added in its own file, registered in evq.c, and selected for a
 * benchmark without touching the simulation core.
 */
#ifndef SPLITSIM_SIM_EVQ_H
#define SPLITSIM_SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVQ_ABI 1

/* Number of low bits of evq_entry.tie that hold the insertion sequence number. */
#define EVQ_SEQ_BITS 56
#define EVQ_SEQ_MAX  ((UINT64_C(1) << EVQ_SEQ_BITS) - 1)

struct evq_entry {
    int64_t time; /* simulated time, ns */
    uint64_t tie; /* (priority + 128) << 56 | insertion sequence */
    uint32_t id;  /* slot in the simulation's event pool */
};

/* Builds the tie-break key from a priority in [-128, 127] and a sequence number <= EVQ_SEQ_MAX. */
static inline uint64_t evq_tie(int priority, uint64_t seq)
{
    return ((uint64_t)(priority + 128) << EVQ_SEQ_BITS) | seq;
}

/* A 128-bit unsigned integer (GCC and Clang); __extension__ keeps -Wpedantic quiet. */
__extension__ typedef unsigned __int128 evq_key;

/* The entry's full ordering key as one 128-bit unsigned number (time made unsigned by
 * flipping its sign bit), so that comparisons compile without branches. */
static inline evq_key evq_entry_key(const struct evq_entry *e)
{
    uint64_t t = (uint64_t)e->time ^ (UINT64_C(1) << 63);
    return ((evq_key)t << 64) | e->tie;
}

/* True when a must pop before b. */
static inline bool evq_entry_before(const struct evq_entry *a, const struct evq_entry *b)
{
    return evq_entry_key(a) < evq_entry_key(b);
}

struct evq;

struct evq_type {
    unsigned abi;     /* EVQ_ABI; checked by evq_init */
    const char *name; /* the name benchmarks and configuration use */
    /* Allocates the implementation's state for about `capacity_hint` entries. 0 or -ENOMEM. */
    int (*init)(struct evq *q, size_t capacity_hint);
    /* Frees the state; the queue may hold entries. */
    void (*release)(struct evq *q);
    /* Inserts an entry. 0, or -ENOMEM when the queue could not grow (it is left unchanged). */
    int (*push)(struct evq *q, const struct evq_entry *e);
    /* Removes the least entry into *out; false when empty. */
    bool (*pop)(struct evq *q, struct evq_entry *out);
    /* Copies the least entry into *out without removing it; false when empty. */
    bool (*peek)(const struct evq *q, struct evq_entry *out);
    /* Optional: makes room for `n` entries in all. 0 or -ENOMEM. */
    int (*reserve)(struct evq *q, size_t n);
};

struct evq {
    const struct evq_type *type;
    void *state; /* owned by the implementation */
    size_t len;  /* entries held; maintained by the implementation */
};

/* The registered implementations, NULL-terminated; the first is the default. */
extern const struct evq_type *const evq_types[];

extern const struct evq_type evq_quad_heap;   /* 4-ary implicit heap (default) */
extern const struct evq_type evq_binary_heap; /* binary implicit heap */

/* The implementation registered under `name`, or NULL. NULL or "" gives the default. */
const struct evq_type *evq_type_find(const char *name);

/* Initialises q with implementation `type`. 0, -EINVAL (ABI mismatch) or -ENOMEM. */
int evq_init(struct evq *q, const struct evq_type *type, size_t capacity_hint);

/* Releases q's storage; q may be released once more or re-initialised afterwards. */
void evq_release(struct evq *q);

static inline int evq_push(struct evq *q, const struct evq_entry *e)
{
    return q->type->push(q, e);
}

static inline bool evq_pop(struct evq *q, struct evq_entry *out)
{
    return q->type->pop(q, out);
}

static inline bool evq_peek(const struct evq *q, struct evq_entry *out)
{
    return q->type->peek(q, out);
}

/* Makes room for n entries without further allocation (where the implementation can). */
static inline int evq_reserve(struct evq *q, size_t n)
{
    return q->type->reserve ? q->type->reserve(q, n) : 0;
}

static inline size_t evq_len(const struct evq *q)
{
    return q->len;
}

#endif
