#include "sim/batchmeans.h"

#include <math.h>

#include "sim/stats.h"

/* The mean of batch j (m values from x[j m]). */
static double batch_mean(const double *x, size_t j, size_t m)
{
    double s = 0;
    for (size_t i = 0; i < m; i++)
        s += x[j * m + i];
    return s / (double)m;
}

/* The mean of the k batch means of m values (= of the first k m values). */
static double batches_mean(const double *x, size_t k, size_t m)
{
    double s = 0;
    for (size_t j = 0; j < k; j++)
        s += batch_mean(x, j, m);
    return s / (double)k;
}

double bm_lag1(const double *x, size_t n, size_t m)
{
    size_t k = m ? n / m : 0;
    if (k < 2)
        return 0;
    double mean = batches_mean(x, k, m);
    double prev = batch_mean(x, 0, m) - mean, num = 0, den = prev * prev;
    for (size_t j = 1; j < k; j++) {
        double d = batch_mean(x, j, m) - mean;
        num += prev * d;
        den += d * d;
        prev = d;
    }
    return den > 0 ? num / den : 0;
}

double bm_skewness(const double *x, size_t n, size_t m)
{
    size_t k = m ? n / m : 0;
    if (k < 3)
        return 0;
    double mean = batches_mean(x, k, m), m2 = 0, m3 = 0;
    for (size_t j = 0; j < k; j++) {
        double d = batch_mean(x, j, m) - mean;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= (double)k;
    m3 /= (double)k;
    return m2 > 0 ? m3 / pow(m2, 1.5) : 0;
}

double bm_willink(double t, double a)
{
    if (a == 0)
        return t;
    return (cbrt(1 + 6 * a * (t - a)) - 1) / (2 * a);
}

size_t bm_mser(const double *x, size_t n, size_t m, bool *at_limit)
{
    size_t k = m ? n / m : 0;
    if (at_limit)
        *at_limit = false;
    if (k < 2)
        return 0;
    /* Backwards over the batches: Welford's mean and sum of squares of the suffix j .. k-1,
     * so that MSER(d) is known for every d in one pass. */
    size_t limit = k / 2, best = limit;
    double mean = 0, m2 = 0, best_value = INFINITY;
    for (size_t j = k; j-- > 0;) {
        double z = batch_mean(x, j, m), count = (double)(k - j), delta = z - mean;
        mean += delta / count;
        m2 += delta * (z - mean);
        if (j <= limit) {
            double value = m2 / (count * count);
            if (value <= best_value) {
                best_value = value;
                best = j;
            }
        }
    }
    if (at_limit)
        *at_limit = best == limit && limit > 0;
    return best * m;
}

/* The scan: the first power-of-two batch size with at least BM_SCAN_BATCHES batches whose
 * batch means' lag-1 autocorrelation is below BM_SCAN_MAX_LAG1; 0 when none. */
static size_t scan(const double *x, size_t n)
{
    for (size_t m = 1; n / m >= BM_SCAN_BATCHES; m *= 2)
        if (bm_lag1(x, n, m) < BM_SCAN_MAX_LAG1)
            return m;
    return 0;
}

void bm_analyse(const double *x, size_t n, double confidence, struct bm_result *r)
{
    *r = (struct bm_result){.mean = (double)NAN,
                            .lower = -(double)INFINITY,
                            .upper = (double)INFINITY,
                            .halfwidth = (double)INFINITY};
    if (n == 0) {
        r->short_run = true;
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    r->mean = sum / (double)n;
    r->scan_size = scan(x, n);
    r->short_run = r->scan_size == 0;
    size_t m;
    if (r->short_run) {
        size_t k = n < BM_MIN_BATCHES ? n : BM_MIN_BATCHES;
        m = n / k;
    } else {
        size_t fewest = (n + BM_MAX_BATCHES - 1) / BM_MAX_BATCHES;
        m = BM_GROW * r->scan_size > fewest ? BM_GROW * r->scan_size : fewest;
    }
    size_t k = n / m;
    r->batch_size = m;
    r->batches = k;
    if (k < 2)
        return;
    /* The batch means' variance, two-pass. */
    double bmean = batches_mean(x, k, m), ss = 0;
    for (size_t j = 0; j < k; j++) {
        double d = batch_mean(x, j, m) - bmean;
        ss += d * d;
    }
    r->lag1 = bm_lag1(x, n, m);
    double phi = fmin(fmax(r->lag1, 0.0), 0.9);
    double se = sqrt(ss / (double)(k - 1) / (double)k * (1 + phi) / (1 - phi));
    /* The skewness of one interval batch mean, from the scan's batches (or, with none, from
     * batches of n / BM_SCAN_BATCHES values), scaled as for independent sums. */
    size_t ms = r->scan_size ? r->scan_size : (n / BM_SCAN_BATCHES ? n / BM_SCAN_BATCHES : 1);
    r->skewness = bm_skewness(x, n, ms) * sqrt((double)ms / (double)m);
    double t = stats_t_critical(confidence, (double)(k - 1));
    double a = r->skewness / (6 * sqrt((double)k));
    r->lower = r->mean - bm_willink(t, a) * se;
    r->upper = r->mean - bm_willink(-t, a) * se;
    r->halfwidth = fmax(r->upper - r->mean, r->mean - r->lower);
}
