/*
 * The default event queue: an implicit 4-ary heap laid out for the cache.
 *
 * Keys (time, tie: 16 bytes) and slot ids (4 bytes) live in two parallel arrays. The key array is
 * 64-byte aligned and shifted by three entries, so the four children of any node fill exactly one
 * cache line: a level of the descent in pop() costs one line, and the ids are touched only for
 * the entries that move. While comparing a node's children, pop() prefetches the children of
 * all four, so the next level's miss overlaps this level's work. Arrays grow by doubling and
 * never shrink. See docs/PERFORMANCE.md for what each of these steps bought.
 */
#include "sim/evq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAD 3 /* node i lives at keys[i + PAD]; children 4i+1..4i+4 at 4(i+1)..4(i+1)+3 */

struct qkey {
    int64_t time;
    uint64_t tie;
};

struct quad {
    struct qkey *keys; /* 64-byte aligned, cap + PAD entries */
    uint32_t *ids;
    size_t cap;
};

static inline evq_key qkey_key(const struct qkey *k)
{
    uint64_t t = (uint64_t)k->time ^ (UINT64_C(1) << 63);
    return ((evq_key)t << 64) | k->tie;
}

static int quad_grow(struct quad *h, size_t cap)
{
    size_t bytes = (cap + PAD) * sizeof(struct qkey);
    bytes = (bytes + 63) & ~(size_t)63;
    struct qkey *keys = aligned_alloc(64, bytes);
    uint32_t *ids = realloc(h->ids, cap * sizeof *ids);
    if (!keys || !ids) {
        free(keys);
        if (ids)
            h->ids = ids;
        return -ENOMEM;
    }
    if (h->keys)
        memcpy(keys, h->keys, (h->cap + PAD) * sizeof *keys);
    free(h->keys);
    h->keys = keys;
    h->ids = ids;
    h->cap = cap;
    return 0;
}

static int quad_init(struct evq *q, size_t capacity_hint)
{
    struct quad *h = calloc(1, sizeof *h);
    if (!h || quad_grow(h, capacity_hint < 16 ? 16 : capacity_hint) < 0) {
        if (h) {
            free(h->keys);
            free(h->ids);
        }
        free(h);
        return -ENOMEM;
    }
    q->state = h;
    q->len = 0;
    return 0;
}

static void quad_release(struct evq *q)
{
    struct quad *h = q->state;
    if (h) {
        free(h->keys);
        free(h->ids);
        free(h);
    }
}

static int quad_reserve(struct evq *q, size_t n)
{
    struct quad *h = q->state;
    return n <= h->cap ? 0 : quad_grow(h, n);
}

static bool quad_peek(const struct evq *q, struct evq_entry *out)
{
    if (q->len == 0)
        return false;
    const struct quad *h = q->state;
    *out = (struct evq_entry){.time = h->keys[PAD].time, .tie = h->keys[PAD].tie, .id = h->ids[0]};
    return true;
}

static int quad_push(struct evq *q, const struct evq_entry *e)
{
    struct quad *h = q->state;
    if (q->len == h->cap && quad_grow(h, h->cap * 2) < 0)
        return -ENOMEM;
    struct qkey *k = h->keys + PAD;
    uint32_t *ids = h->ids;
    const struct qkey nk = {e->time, e->tie};
    const evq_key key = qkey_key(&nk);
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!(key < qkey_key(&k[parent])))
            break;
        k[i] = k[parent];
        ids[i] = ids[parent];
        i = parent;
    }
    k[i] = nk;
    ids[i] = e->id;
    return 0;
}

static bool quad_pop(struct evq *q, struct evq_entry *out)
{
    if (q->len == 0)
        return false;
    struct quad *h = q->state;
    struct qkey *k = h->keys + PAD;
    uint32_t *ids = h->ids;
    *out = (struct evq_entry){.time = k[0].time, .tie = k[0].tie, .id = ids[0]};
    size_t n = --q->len;
    if (n == 0)
        return true;
    const struct qkey last = k[n];
    const uint32_t last_id = ids[n];
    const evq_key last_key = qkey_key(&last);
    size_t i = 0;
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= n)
            break;
        /* Children of each child: one cache line each. */
        for (size_t c = 0; c < 4 && 4 * (first + c) + 1 < n; c++)
            __builtin_prefetch(&k[4 * (first + c) + 1]);
        size_t best = first;
        evq_key best_key = qkey_key(&k[first]);
        size_t end = first + 4 < n ? first + 4 : n;
        for (size_t c = first + 1; c < end; c++) {
            evq_key kc = qkey_key(&k[c]);
            bool less = kc < best_key;
            best = less ? c : best;
            best_key = less ? kc : best_key;
        }
        if (!(best_key < last_key))
            break;
        k[i] = k[best];
        ids[i] = ids[best];
        i = best;
    }
    k[i] = last;
    ids[i] = last_id;
    return true;
}

const struct evq_type evq_quad_heap = {
    .abi = EVQ_ABI,
    .name = "quad-heap",
    .init = quad_init,
    .release = quad_release,
    .push = quad_push,
    .pop = quad_pop,
    .peek = quad_peek,
    .reserve = quad_reserve,
};
