/*
 * simtime — simulated time: int64 nanoseconds from 0, and arithmetic on it that cannot overflow.
 *
 * Concept: durations computed from doubles (exponential gaps at very low rates, transfers over a
 * near-dead link) may not fit in int64 nanoseconds (about 292 years). They saturate at
 * SIM_TIME_MAX, which stands for "beyond the simulated horizon", so a model's usual test
 * `t < end` reads such an event as one that never happens. NaN saturates too.
 *
 * Invariants: no function here overflows (signed overflow is undefined behaviour in C) for any
 * input, and for every value that fits, the result is the exact rounding the name says.
 */
#ifndef SPLITSIM_SIM_SIMTIME_H
#define SPLITSIM_SIM_SIMTIME_H

#include <math.h>
#include <stdint.h>

#define SIM_NS       INT64_C(1)
#define SIM_US       INT64_C(1000)
#define SIM_MS       INT64_C(1000000)
#define SIM_S        INT64_C(1000000000)
#define SIM_TIME_MAX INT64_MAX

/* ns rounded to the nearest integer (halves away from zero, as llround), saturating at
 * +-SIM_TIME_MAX. */
static inline int64_t sim_time_round(double ns)
{
    if (!(ns < 0x1p63)) /* also NaN */
        return SIM_TIME_MAX;
    if (ns <= -0x1p63)
        return -SIM_TIME_MAX;
    return llround(ns);
}

/* ns rounded towards zero, saturating like sim_time_round. */
static inline int64_t sim_time_trunc(double ns)
{
    if (!(ns < 0x1p63))
        return SIM_TIME_MAX;
    if (ns <= -0x1p63)
        return -SIM_TIME_MAX;
    return (int64_t)ns;
}

/* Seconds to the nearest nanosecond, saturating. */
static inline int64_t sim_time_from_s(double seconds)
{
    return sim_time_round(seconds * 1e9);
}

/* t + d for d >= 0, saturating at SIM_TIME_MAX. */
static inline int64_t sim_time_add(int64_t t, int64_t d)
{
    return d > SIM_TIME_MAX - t ? SIM_TIME_MAX : t + d;
}

#endif
