#include "sim/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

double stats_running_variance(const struct stats_running *s)
{
    return s->n < 2 ? 0.0 : s->m2 / (double)(s->n - 1);
}

double stats_running_halfwidth(const struct stats_running *s, double confidence)
{
    if (s->n < 2)
        return INFINITY;
    double t = gsl_cdf_tdist_Pinv(0.5 + confidence / 2.0, (double)(s->n - 1));
    return t * sqrt(stats_running_variance(s) / (double)s->n);
}

void stats_batch_init(struct stats_batch *b, uint64_t batch_size)
{
    *b = (struct stats_batch){.batch_size = batch_size ? batch_size : 1};
}

void stats_batch_add(struct stats_batch *b, double x)
{
    stats_running_add(&b->all, x);
    b->cur_sum += x;
    if (++b->cur_n == b->batch_size) {
        stats_running_add(&b->means, b->cur_sum / (double)b->cur_n);
        b->cur_sum = 0.0;
        b->cur_n = 0;
    }
}
