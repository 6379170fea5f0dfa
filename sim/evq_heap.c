/*
 * The binary heap: an implicit 2-ary heap over a flat array of evq_entry, the textbook baseline
 * the default 4-ary heap (evq_quad.c) is measured against. Hole-based sifting (one copy per level
 * instead of a swap), branch-free child selection. The array grows by doubling and never
 * shrinks, so a simulation in steady state allocates nothing.
 */
#include "sim/evq.h"

#include <errno.h>
#include <stdlib.h>

struct heap {
    struct evq_entry *v;
    size_t cap;
};

static int heap_init(struct evq *q, size_t capacity_hint)
{
    struct heap *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->cap = capacity_hint < 16 ? 16 : capacity_hint;
    h->v = malloc(h->cap * sizeof *h->v);
    if (!h->v) {
        free(h);
        return -ENOMEM;
    }
    q->state = h;
    q->len = 0;
    return 0;
}

static void heap_release(struct evq *q)
{
    struct heap *h = q->state;
    if (h) {
        free(h->v);
        free(h);
    }
}

static int heap_reserve(struct evq *q, size_t n)
{
    struct heap *h = q->state;
    if (n <= h->cap)
        return 0;
    struct evq_entry *v = realloc(h->v, n * sizeof *v);
    if (!v)
        return -ENOMEM;
    h->v = v;
    h->cap = n;
    return 0;
}

static bool heap_peek(const struct evq *q, struct evq_entry *out)
{
    const struct heap *h = q->state;
    if (!q->len)
        return false;
    *out = h->v[0];
    return true;
}

static inline int heap_push(struct evq *q, const struct evq_entry *e, size_t d)
{
    struct heap *h = q->state;
    if (q->len == h->cap) {
        size_t cap = h->cap * 2;
        struct evq_entry *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    struct evq_entry *v = h->v;
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / d;
        if (!evq_entry_before(e, &v[parent]))
            break;
        v[i] = v[parent];
        i = parent;
    }
    v[i] = *e;
    return 0;
}

static inline bool heap_pop(struct evq *q, struct evq_entry *out, size_t d)
{
    if (q->len == 0)
        return false;
    struct heap *h = q->state;
    struct evq_entry *v = h->v;
    *out = v[0];
    size_t n = --q->len;
    if (n == 0)
        return true;
    const struct evq_entry last = v[n];
    const evq_key last_key = evq_entry_key(&last);
    size_t i = 0;
    for (;;) {
        size_t first = d * i + 1;
        if (first >= n)
            break;
        size_t end = first + d < n ? first + d : n;
        /* The next level is the children of one of these; fetch all their child blocks now,
         * so the descent overlaps its cache misses instead of taking them one by one. */
        size_t grand = d * first + 1;
        for (size_t g = grand; g < grand + d * d && g < n; g += 64 / sizeof *v)
            __builtin_prefetch(&v[g]);
        size_t best = first;
        evq_key best_key = evq_entry_key(&v[first]);
        for (size_t c = first + 1; c < end; c++) {
            /* Branch-free selection: the winner among children is unpredictable. */
            evq_key k = evq_entry_key(&v[c]);
            bool less = k < best_key;
            best = less ? c : best;
            best_key = less ? k : best_key;
        }
        if (!(best_key < last_key))
            break;
        v[i] = v[best];
        i = best;
    }
    v[i] = last;
    return true;
}

static int binary_push(struct evq *q, const struct evq_entry *e)
{
    return heap_push(q, e, 2);
}

static bool binary_pop(struct evq *q, struct evq_entry *out)
{
    return heap_pop(q, out, 2);
}

const struct evq_type evq_binary_heap = {
    .abi = EVQ_ABI,
    .name = "binary-heap",
    .init = heap_init,
    .release = heap_release,
    .push = binary_push,
    .pop = binary_pop,
    .peek = heap_peek,
    .reserve = heap_reserve,
};
