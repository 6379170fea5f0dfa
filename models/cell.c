#include "models/cell.h"

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
    c->active = malloc(c->cap * sizeof *c->active);
    return c->active ? 0 : -ENOMEM;
}

void cell_release(struct cell *c)
{
    free(c->active);
    c->active = NULL;
}

double cell_rate(const struct cell *c, double efficiency)
{
    double share = c->sharing == CELL_SHARE_FIXED ? c->fixed_share
                   : c->nactive                   ? 1.0 / (double)c->nactive
                                                  : 1.0;
    return share * c->bandwidth_hz * efficiency;
}

/* Drains every active transfer up to now at the rates in force since the last update. */
static void catch_up(struct cell *c)
{
    int64_t now = sim_now(c->sim);
    double dt = (double)(now - c->updated) * 1e-9;
    if (dt > 0)
        for (size_t i = 0; i < c->nactive; i++) {
            double left = c->active[i].remaining_bits - cell_rate(c, c->active[i].efficiency) * dt;
            c->active[i].remaining_bits = left > 0 ? left : 0;
        }
    c->updated = now;
}

static sim_event_fn on_done;

/* (Re)schedules the single completion event for the transfer that finishes first. */
static void reschedule(struct cell *c)
{
    if (c->next_done)
        sim_cancel(c->sim, c->next_done);
    c->next_done = 0;
    if (!c->nactive)
        return;
    double first = INFINITY;
    for (size_t i = 0; i < c->nactive; i++) {
        double t = c->active[i].remaining_bits / cell_rate(c, c->active[i].efficiency);
        first = t < first ? t : first;
    }
    int64_t delay = (int64_t)ceil(first * 1e9);
    c->next_done = sim_schedule_in(c->sim, delay > 0 ? delay : 0, 0, on_done, c, 0);
}

static void on_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct cell *c = obj;
    c->next_done = 0;
    catch_up(c);
    /* Deliver every transfer that has (within rounding) nothing left: 1 ns at its rate. */
    for (size_t i = 0; i < c->nactive;) {
        struct cell_transfer *t = &c->active[i];
        if (t->remaining_bits <= cell_rate(c, t->efficiency) * 1e-9) {
            struct cell_transfer done = *t;
            c->active[i] = c->active[--c->nactive];
            done.done(sim, done.ctx, done.id, done.start);
        } else {
            i++;
        }
    }
    reschedule(c);
}

int cell_start(struct cell *c, uint64_t id, double bits, double efficiency, cell_done_fn *done,
               void *ctx)
{
    catch_up(c);
    if (c->nactive == c->cap) {
        struct cell_transfer *a = realloc(c->active, 2 * c->cap * sizeof *a);
        if (!a)
            return -ENOMEM;
        c->active = a;
        c->cap *= 2;
    }
    c->active[c->nactive++] = (struct cell_transfer){.id = id,
                                                     .remaining_bits = bits,
                                                     .efficiency = efficiency,
                                                     .start = sim_now(c->sim),
                                                     .done = done,
                                                     .ctx = ctx};
    reschedule(c);
    return 0;
}
