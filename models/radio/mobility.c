#include "models/radio/mobility.h"
#include "sim/simtime.h"

#include <errno.h>
#include <math.h>
#include <string.h>

const char *mobility_params_check(const struct mobility_params *p)
{
    if (!(p->radius_m > 0))
        return "cell radius must be > 0";
    if (!(p->local_speed_mps >= 0) || isinf(p->local_speed_mps))
        return "local speed of static UEs must be finite and >= 0";
    if (p->moving) {
        if (!(p->speed_min_mps > 0))
            return "minimum speed must be > 0 (random waypoint slows down forever otherwise)";
        if (!(p->speed_max_mps >= p->speed_min_mps))
            return "maximum speed must be >= minimum speed";
        if (p->pause_ns < 0)
            return "pause must be >= 0";
    }
    return NULL;
}

/* A point uniform in the disc: radius sqrt(U) R, angle 2 pi U. */
static void uniform_point(struct rng *g, double radius, double *x, double *y)
{
    double r = radius * sqrt(rng_uniform(g)), a = 2 * M_PI * rng_uniform(g);
    *x = r * cos(a);
    *y = r * sin(a);
}

/* Turns `l` into the leg that follows it, starting at `start`, drawn from the stream. */
static void next_leg(struct rng *g, const struct mobility_params *p, struct mobility_leg *l,
                     int64_t start)
{
    l->x0 = l->x1;
    l->y0 = l->y1;
    l->s0 += l->len;
    uniform_point(g, p->radius_m, &l->x1, &l->y1);
    double v = rng_uniform_range(g, p->speed_min_mps, p->speed_max_mps);
    if (p->speed_max_mps == p->speed_min_mps)
        v = p->speed_min_mps;
    l->len = hypot(l->x1 - l->x0, l->y1 - l->y0);
    l->start = start;
    l->end = sim_time_add(start, sim_time_round(l->len / v * 1e9));
    l->pause_end = l->end + p->pause_ns;
}

/* The first leg, starting at 0 from the placement. */
static void first_leg(struct mobility *m, const struct mobility_params *p, struct mobility_leg *l)
{
    *l = (struct mobility_leg){.x1 = m->home_x, .y1 = m->home_y};
    next_leg(&m->rng, p, l, 0);
}

int mobility_init(struct mobility *m, const struct mobility_params *p, uint64_t seed,
                  uint32_t replication, uint64_t id)
{
    memset(m, 0, sizeof *m);
    if (rng_init(&m->rng, seed, replication, RNG_KIND_MOBILITY, id) < 0)
        return -ENOMEM;
    uniform_point(&m->rng, p->radius_m, &m->home_x, &m->home_y);
    rng_save(&m->rng, &m->origin);
    if (p->moving)
        first_leg(m, p, &m->cur);
    return 0;
}

void mobility_release(struct mobility *m)
{
    rng_release(&m->rng);
}

/* The leg holding time t >= 0 (t in [start, pause_end)): the current one after drawing legs up
 * to t, the previous one, or, further back, one replayed into `scratch` from the placement with
 * the stream put back where it was. */
static const struct mobility_leg *leg_at(struct mobility *m, const struct mobility_params *p,
                                         int64_t t, struct mobility_leg *scratch)
{
    if (t >= m->cur.start) {
        while (t >= m->cur.pause_end) {
            m->prev = m->cur;
            m->has_prev = true;
            next_leg(&m->rng, p, &m->cur, m->cur.pause_end);
        }
        return &m->cur;
    }
    if (m->has_prev && t >= m->prev.start)
        return &m->prev;
    struct rng_snapshot here;
    rng_save(&m->rng, &here);
    rng_restore(&m->rng, &m->origin);
    first_leg(m, p, scratch);
    while (t >= scratch->pause_end)
        next_leg(&m->rng, p, scratch, scratch->pause_end);
    rng_restore(&m->rng, &here);
    return scratch;
}

void mobility_at(struct mobility *m, const struct mobility_params *p, int64_t t,
                 struct mobility_point *out)
{
    if (t < 0)
        t = 0;
    if (!p->moving) {
        out->x = m->home_x;
        out->y = m->home_y;
        out->travelled_m = p->local_speed_mps * ((double)t * 1e-9);
        return;
    }
    struct mobility_leg scratch;
    const struct mobility_leg *l = leg_at(m, p, t, &scratch);
    if (t >= l->end) { /* pausing at the destination */
        out->x = l->x1;
        out->y = l->y1;
        out->travelled_m = l->s0 + l->len;
        return;
    }
    /* start <= t < end, so end > start */
    double f = (double)(t - l->start) / (double)(l->end - l->start);
    out->x = l->x0 + f * (l->x1 - l->x0);
    out->y = l->y0 + f * (l->y1 - l->y0);
    out->travelled_m = l->s0 + f * l->len;
}

void mobility_position(struct mobility *m, const struct mobility_params *p, int64_t t, double *x,
                       double *y)
{
    struct mobility_point pt;
    mobility_at(m, p, t, &pt);
    *x = pt.x;
    *y = pt.y;
}

double mobility_distance(struct mobility *m, const struct mobility_params *p, int64_t t)
{
    struct mobility_point pt;
    mobility_at(m, p, t, &pt);
    return hypot(pt.x, pt.y);
}

double mobility_travelled(struct mobility *m, const struct mobility_params *p, int64_t t)
{
    struct mobility_point pt;
    mobility_at(m, p, t, &pt);
    return pt.travelled_m;
}
