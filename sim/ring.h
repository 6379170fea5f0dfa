/*
 * ring — a first-in first-out queue of fixed-size elements in one growing circular array.
 *
 * Concept: a model's waiting lines (an edge server's prefill and decode jobs, a UE's compute
 * jobs) take elements at the tail and give them up at the head, in order, many millions of
 * times a run. A ring keeps them in one array used circularly: pushing and popping move no
 * element and allocate nothing, except when the array is full; it then doubles, with the
 * elements copied in order to the start of the new array. Elements are of any one type, fixed
 * when the ring is made (ring_init's `size`, e.g. sizeof(struct edge_job) or sizeof(void *));
 * the functions take and give untyped pointers to them, which the caller treats as its type.
 *
 *     struct ring q;
 *     ring_init(&q, sizeof(struct job));
 *     struct job *slot = ring_push(&q);      // NULL: out of memory, nothing queued
 *     if (slot) *slot = job;
 *     const struct job *j = ring_front(&q);  // NULL when empty
 *     ring_pop(&q);                          // the ring must not be empty
 *     ring_release(&q);
 *
 * Invariants: cap is 0 (nothing allocated yet) or a power of two >= RING_MIN_CAP; len <= cap;
 * element i from the head (0 <= i < len) is at index (head + i) & (cap - 1); head < cap when
 * cap > 0. A pointer from ring_push or ring_front is valid until the next ring_push (which may
 * move the elements) or ring_release. No allocation happens except in ring_push on a full ring.
 */
#ifndef SPLITSIM_SIM_RING_H
#define SPLITSIM_SIM_RING_H

#include <stddef.h>

#include "sim/invariant.h"

#define RING_MIN_CAP 16 /* elements of the first array */

struct ring {
    unsigned char *v; /* cap elements of `size` bytes */
    size_t size;      /* bytes of one element */
    size_t head, len, cap;
};

/* An empty ring of elements of `size` >= 1 bytes; allocates nothing. */
static inline void ring_init(struct ring *r, size_t size)
{
    *r = (struct ring){.size = size};
}

/* Frees the array; the ring is empty (and usable) again. */
void ring_release(struct ring *r);

/* Doubles the array (the first: RING_MIN_CAP elements), the elements moved to its start in
 * order. 0 or -ENOMEM (nothing changed). ring_push calls it; not needed otherwise. */
int ring_grow(struct ring *r);

/* A new element at the tail, uninitialised, for the caller to fill; NULL when out of memory
 * (nothing queued). */
static inline void *ring_push(struct ring *r)
{
    if (r->len == r->cap && ring_grow(r) < 0)
        return NULL;
    size_t i = (r->head + r->len++) & (r->cap - 1);
    return r->v + i * r->size;
}

/* The element at the head, or NULL when the ring is empty. */
static inline void *ring_front(const struct ring *r)
{
    return r->len ? r->v + r->head * r->size : NULL;
}

/* Removes the element at the head (the ring must not be empty). */
static inline void ring_pop(struct ring *r)
{
    SIM_ASSERT(r->len > 0, "ring_pop on an empty ring");
    r->head = (r->head + 1) & (r->cap - 1);
    r->len--;
}

/* Elements queued. */
static inline size_t ring_len(const struct ring *r)
{
    return r->len;
}

#endif
