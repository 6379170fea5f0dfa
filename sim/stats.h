/*
 * stats — output analysis: running moments and Student-t confidence intervals.
 *
 * Concept: struct stats_running keeps the count, mean and sum of squared deviations of a stream
 * of values with Welford's update (numerically stable for any stream length), and gives the
 * Student-t interval for their mean, honest when the values are independent (replication means,
 * batch means). stats_halfwidth gives the same interval for values already in an array
 * (replication means, paired differences), with the sample standard deviation computed in two
 * passes. The interval of one correlated run (successive customers of one queue wait for each
 * other) is sim/batchmeans.h's.
 *
 * Every interval here is the two-sided Student-t one: half-width t(0.5 + confidence / 2, n - 1)
 * * s / sqrt(n), with s the sample standard deviation (n - 1 in the denominator) of n values.
 */
#ifndef SPLITSIM_SIM_STATS_H
#define SPLITSIM_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_running {
    uint64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
};

static inline void stats_running_add(struct stats_running *s, double x)
{
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
}

/*
 * The critical value of the two-sided `confidence` (in (0, 1), e.g. 0.95) Student-t interval
 * with `df` >= 1 degrees of freedom: the 0.5 + confidence / 2 quantile of the t distribution
 * (12.7062 for 0.95 and df 1, 1.95996 as df grows).
 */
double stats_t_critical(double confidence, double df);

/*
 * Half-width of the two-sided `confidence` Student-t interval for the mean of the n values x,
 * from their sample standard deviation (two-pass, as gsl_stats_sd); NaN for fewer than two
 * values (no interval: results record it as NaN).
 */
double stats_halfwidth(const double *x, size_t n, double confidence);

/* Sample variance (n - 1 in the denominator); 0 for fewer than two observations. */
double stats_running_variance(const struct stats_running *s);

/*
 * Half-width of the two-sided `confidence` (e.g. 0.95) Student-t interval for the mean of the
 * observations in s; +infinity for fewer than two observations.
 */
double stats_running_halfwidth(const struct stats_running *s, double confidence);

#endif
