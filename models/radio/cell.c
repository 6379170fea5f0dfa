#include "models/radio/cell.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cell_init(struct cell *c, struct sim *sim, double bandwidth_hz, enum cell_sharing sharing,
              double fixed_share)
{
    memset(c, 0, sizeof *c);
    c->sim = sim;
    c->bandwidth_hz = bandwidth_hz;
    c->sharing = sharing;
    c->fixed_share = fixed_share;
    c->cap = 16;
    c->heap = malloc(c->cap * sizeof *c->heap);
    return c->heap ? 0 : -ENOMEM;
}

void cell_release(struct cell *c)
{
    if (c->next_done)
        sim_cancel(c->sim, c->next_done);
    free(c->heap);
    c->heap = NULL;
    c->nactive = 0;
}

double cell_rate(const struct cell *c, double efficiency)
{
    double share = c->sharing == CELL_SHARE_FIXED ? c->fixed_share
                   : c->nactive                   ? 1.0 / (double)c->nactive
                                                  : 1.0;
    return share * c->bandwidth_hz * efficiency;
}

static bool before(const struct cell_transfer *a, const struct cell_transfer *b)
{
    return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static void sift_up(struct cell_transfer *h, size_t i)
{
    struct cell_transfer x = h[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&x, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = x;
}

static void sift_down(struct cell_transfer *h, size_t n, size_t i)
{
    struct cell_transfer x = h[i];
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n)
            break;
        size_t m = l + 1 < n && before(&h[l + 1], &h[l]) ? l + 1 : l;
        if (!before(&h[m], &x))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

/* Brings the virtual time up to now (equal sharing: it advanced at B/n per second). */
static void catch_up(struct cell *c)
{
    int64_t now = sim_now(c->sim);
    if (c->sharing == CELL_SHARE_EQUAL && c->nactive && now > c->updated)
        c->vtime += (double)(now - c->updated) * 1e-9 * c->bandwidth_hz / (double)c->nactive;
    c->updated = now;
}

static sim_event_fn on_done;

/* Seconds until the head transfer's bits are through, at the current rates. */
static double head_seconds(const struct cell *c)
{
    const struct cell_transfer *h = &c->heap[0];
    if (c->sharing == CELL_SHARE_FIXED)
        return (h->key - (double)sim_now(c->sim)) * 1e-9;
    return (h->key - c->vtime) * (double)c->nactive / c->bandwidth_hz;
}

/* (Re)schedules the single completion event for the transfer that finishes first. */
static void reschedule(struct cell *c)
{
    if (c->next_done)
        sim_cancel(c->sim, c->next_done);
    c->next_done = 0;
    if (!c->nactive)
        return;
    int64_t delay = sim_time_trunc(ceil(head_seconds(c) * 1e9));
    c->next_done = sim_schedule_in(c->sim, delay > 0 ? delay : 0, 0, on_done, c, 0);
}

static void on_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct cell *c = obj;
    c->next_done = 0;
    catch_up(c);
    /* Deliver every transfer that is through (within 1 ns of rounding), in finish order. */
    while (c->nactive && head_seconds(c) <= 1e-9) {
        struct cell_transfer done = c->heap[0];
        c->heap[0] = c->heap[--c->nactive];
        if (c->nactive)
            sift_down(c->heap, c->nactive, 0);
        else
            c->vtime = 0; /* empty: restart virtual time, keeping it small and exact */
        done.done(sim, done.ctx, done.id, done.start);
        catch_up(c); /* a callback may have started transfers */
    }
    reschedule(c);
}

int cell_start(struct cell *c, uint64_t id, double bits, double efficiency, cell_done_fn *done,
               void *ctx)
{
    catch_up(c);
    if (c->nactive == c->cap) {
        struct cell_transfer *a = realloc(c->heap, 2 * c->cap * sizeof *a);
        if (!a)
            return -ENOMEM;
        c->heap = a;
        c->cap *= 2;
    }
    double key =
        c->sharing == CELL_SHARE_FIXED
            ? (double)sim_now(c->sim) + bits / (c->fixed_share * c->bandwidth_hz * efficiency) * 1e9
            : c->vtime + bits / efficiency;
    c->heap[c->nactive] = (struct cell_transfer){.id = id,
                                                 .key = key,
                                                 .seq = c->seq++,
                                                 .efficiency = efficiency,
                                                 .start = sim_now(c->sim),
                                                 .done = done,
                                                 .ctx = ctx};
    sift_up(c->heap, c->nactive++);
    reschedule(c);
    return 0;
}
