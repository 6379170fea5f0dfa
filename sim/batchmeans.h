/*
 * batchmeans — a confidence interval for the long-run mean of one correlated series, with the
 * batches chosen from the data, and MSER-5 detection of the end of the warm-up.
 *
 * Concept: successive observations of one simulation run (customers of one queue) are
 * correlated, so their sample variance says nothing about the precision of their mean. The
 * method of batch means groups consecutive values into k batches of m and treats the batch
 * means as independent; that holds only when m is long against the correlation, and the
 * Student-t interval over them is right only when the batch means are also nearly normal.
 * A fixed number of batches (the queue model used 20) gets neither from the data, and its
 * interval covered the M/M/1 mean well under 95 % of the time in heavy traffic (numbers in
 * docs/PERFORMANCE.md). Here:
 *
 * 1. Scan (after Fishman 1978 and Law & Carson 1979: judge the correlation where there are many
 *    batches, so the estimate is precise, then use batches ten times larger): for m = 1, 2,
 *    4, ... while there are at least BM_SCAN_BATCHES batches, the lag-1 autocorrelation of the
 *    batch means; the first m where it is below BM_SCAN_MAX_LAG1 is the scan size m0. Batch
 *    means' lag-1 correlation falls about as 1/m once m is past the correlation time, so batches
 *    of 10 m0 have one of about 0.04.
 * 2. Interval batches: size max(BM_GROW m0, ceil(n / BM_MAX_BATCHES)), hence 10-20 batches.
 *    When no m0 exists (the correlation never fell below the threshold with 100 batches left)
 *    the run is too short for a valid interval: `short_run` is set, and the interval is still
 *    built from BM_MIN_BATCHES batches, for what it is worth.
 * 3. Adjustments, as Skart does (Tafazzoli, Wilson, Lada & Steiger 2011, INFORMS J. Computing
 *    23(2):297-314): the variance of the mean is inflated by (1 + phi) / (1 - phi), phi the
 *    lag-1 autocorrelation of the interval's batch means clamped to [0, 0.9] (an AR(1) view of
 *    what correlation is left); and the t quantile is replaced by Willink's (2005) skewness-
 *    adjusted one, G(t) = ((1 + 6a(t - a))^(1/3) - 1) / (2a) with a = skewness / (6 sqrt(k)),
 *    the batch means' skewness taken from the scan's batches (many, so it is precise) and scaled
 *    to the interval's batch size by sqrt(m0 / m). The adjusted interval [mean - G(t) se,
 *    mean - G(-t) se] is asymmetric (it reaches further on the side of the long tail); the
 *    half-width reported is that of the smallest interval centred on the mean that contains it.
 *
 * MSER-5 (White 1997, Simulation 69(6):323-334; White, Cobb & Spratt 2000, Proc. Winter
 * Simulation Conference 755-760): for batch means Z_1..Z_k of 5 values, the truncation d that
 * minimises the squared standard error of the mean of what is left,
 *   MSER(d) = sum_{j > d} (Z_j - mean(Z_{d+1..k}))^2 / (k - d)^2,
 * searched over d <= k / 2; a minimum at k / 2 itself means the series may still be in its
 * transient half-way through (a run too short, or no steady state).
 *
 * Every function reads a series of n values and allocates nothing; a value may itself be the
 * mean of a fixed number of observations (the queue model keeps means of 5), which changes no
 * result here except the unit of the batch sizes. Values must be finite.
 */
#ifndef SPLITSIM_SIM_BATCHMEANS_H
#define SPLITSIM_SIM_BATCHMEANS_H

#include <stdbool.h>
#include <stddef.h>

#define BM_SCAN_BATCHES  100 /* the scan judges correlation from at least this many batches */
#define BM_SCAN_MAX_LAG1 0.4 /* ... and stops at the first batch size whose lag-1 is below it */
#define BM_GROW          10  /* interval batches are at least this many times the scan size */
#define BM_MIN_BATCHES   10
#define BM_MAX_BATCHES   20

/*
 * The lag-1 autocorrelation of the means of the floor(n / m) consecutive batches of m >= 1
 * values (m = 1: of the values), sum (Y_j - Ybar)(Y_j+1 - Ybar) / sum (Y_j - Ybar)^2; 0 when
 * there are fewer than two batches or they are all equal.
 */
double bm_lag1(const double *x, size_t n, size_t m);

/* The sample skewness g1 = m3 / m2^(3/2) (moments about the mean, divided by the count) of
 * the floor(n / m) batch means of m values; 0 for fewer than three or all equal. */
double bm_skewness(const double *x, size_t n, size_t m);

/* Willink's skewness-adjusted quantile G(t) for a = skewness of the mean / 6 (see above);
 * G(t) = t when a = 0. */
double bm_willink(double t, double a);

/*
 * MSER on the batch means of m >= 1 values (m = 5: MSER-5): the number of leading values to
 * drop (a multiple of m), the minimiser d of MSER(d) over d = 0 .. floor(k / 2) batches, the
 * smallest on ties. *at_limit (may be NULL) is set when the minimum lies at floor(k / 2) > 0,
 * i.e. the search found no end of the transient in the first half. 0 for fewer than two
 * batches.
 */
size_t bm_mser(const double *x, size_t n, size_t m, bool *at_limit);

struct bm_result {
    double mean;         /* of all n values */
    size_t scan_size;    /* m0 (values per batch); 0 when the scan found none: short_run */
    size_t batch_size;   /* values per batch of the interval */
    size_t batches;      /* k; values past k x batch_size count in the mean only */
    double lag1;         /* lag-1 autocorrelation of the interval's batch means */
    double skewness;     /* estimated skewness of one of the interval's batch means */
    double lower, upper; /* the adjusted interval; -inf and +inf for fewer than two batches */
    double halfwidth;    /* max(upper - mean, mean - lower); +inf for fewer than two batches */
    bool short_run;      /* no scan size: too short for a valid interval */
};

/* The `confidence` (in (0, 1)) interval for the long-run mean of x[0 .. n), by the procedure
 * above. n = 0 gives a NaN mean and an infinite half-width. */
void bm_analyse(const double *x, size_t n, double confidence, struct bm_result *r);

#endif
