#include "sim/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

double stats_t_critical(double confidence, double df)
{
    return gsl_cdf_tdist_Pinv(0.5 + confidence / 2.0, df);
}

double stats_halfwidth(const double *x, size_t n, double confidence)
{
    if (n < 2)
        return NAN;
    return stats_t_critical(confidence, (double)(n - 1)) * gsl_stats_sd(x, 1, n) / sqrt((double)n);
}

double stats_running_variance(const struct stats_running *s)
{
    return s->n < 2 ? 0.0 : s->m2 / (double)(s->n - 1);
}

double stats_running_halfwidth(const struct stats_running *s, double confidence)
{
    if (s->n < 2)
        return INFINITY;
    double t = stats_t_critical(confidence, (double)(s->n - 1));
    return t * sqrt(stats_running_variance(s) / (double)s->n);
}
