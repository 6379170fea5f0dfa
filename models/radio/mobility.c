#include "models/radio/mobility.h"
#include "sim/simtime.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "sim/invariant.h"

const char *mobility_params_check(const struct mobility_params *p)
{
    if (!(p->radius_m > 0))
        return "cell radius must be > 0";
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
static void uniform_point(struct mobility *m, double radius, double *x, double *y)
{
    double r = radius * sqrt(rng_uniform(&m->rng)), a = 2 * M_PI * rng_uniform(&m->rng);
    *x = r * cos(a);
    *y = r * sin(a);
}

/* Draws the leg that starts at `start` from the current destination. */
static void next_leg(struct mobility *m, const struct mobility_params *p, int64_t start)
{
    m->x0 = m->x1;
    m->y0 = m->y1;
    uniform_point(m, p->radius_m, &m->x1, &m->y1);
    double v = rng_uniform_range(&m->rng, p->speed_min_mps, p->speed_max_mps);
    if (p->speed_max_mps == p->speed_min_mps)
        v = p->speed_min_mps;
    double len = hypot(m->x1 - m->x0, m->y1 - m->y0);
    m->leg_start = start;
    m->leg_end = sim_time_add(start, sim_time_round(len / v * 1e9));
    m->pause_end = m->leg_end + p->pause_ns;
}

int mobility_init(struct mobility *m, const struct mobility_params *p, uint64_t seed,
                  uint32_t replication, uint64_t id)
{
    memset(m, 0, sizeof *m);
    if (rng_init(&m->rng, seed, replication, RNG_KIND_MOBILITY, id) < 0)
        return -ENOMEM;
    uniform_point(m, p->radius_m, &m->x1, &m->y1);
    m->x0 = m->x1;
    m->y0 = m->y1;
    if (p->moving)
        next_leg(m, p, 0);
    return 0;
}

void mobility_release(struct mobility *m)
{
    rng_release(&m->rng);
}

void mobility_position(struct mobility *m, const struct mobility_params *p, int64_t t, double *x,
                       double *y)
{
    SIM_ASSERT(t >= m->now, "mobility queried at %lld ns after %lld ns", (long long)t,
               (long long)m->now);
    m->now = t;
    if (!p->moving) {
        *x = m->x1;
        *y = m->y1;
        return;
    }
    while (t >= m->pause_end)
        next_leg(m, p, m->pause_end);
    if (t >= m->leg_end) { /* pausing at the destination */
        *x = m->x1;
        *y = m->y1;
        return;
    }
    double f = m->leg_end > m->leg_start
                   ? (double)(t - m->leg_start) / (double)(m->leg_end - m->leg_start)
                   : 1.0;
    *x = m->x0 + f * (m->x1 - m->x0);
    *y = m->y0 + f * (m->y1 - m->y0);
}

double mobility_distance(struct mobility *m, const struct mobility_params *p, int64_t t)
{
    double x, y;
    mobility_position(m, p, t, &x, &y);
    return hypot(x, y);
}
