#include "sim/apportion.h"

#include <errno.h>
#include <math.h>

#include "sim/invariant.h"

/* Class i's quota total x w_i / sum: its floor (at most total) and its remainder. */
static uint64_t quota_floor(const double *w, size_t i, double sum, uint64_t total, double *rem)
{
    double q = (double)total * (w[i] / sum), f = floor(q);
    *rem = q - f;
    return f >= (double)total ? total : (uint64_t)f;
}

/* Remainders closer than this are equal (rounding of the quotas stays far below it). */
#define REMAINDER_TIE 1e-9

int apportion_counts(const double *w, size_t n, uint64_t total, uint64_t *counts)
{
    if (n == 0 || total > UINT32_MAX)
        return -EINVAL;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(w[i]) || !(w[i] > 0))
            return -EINVAL;
        sum += w[i];
    }
    if (!isfinite(sum))
        return -EINVAL;
    uint64_t given = 0;
    double rem;
    for (size_t i = 0; i < n; i++)
        given += counts[i] = quota_floor(w, i, sum, total, &rem);
    /* the floors sum to at most the quotas' sum, total (up to rounding far below one item) */
    SIM_ASSERT(given <= total, "the floors of the quotas leave items over");
    /* the items left over (at most n) go one each to the largest remainders: each to the
     * lowest-numbered class whose remainder is within REMAINDER_TIE of the largest left */
    for (uint64_t left = total - given; left > 0; left--) {
        double top = -1;
        for (size_t i = 0; i < n; i++)
            if (counts[i] == quota_floor(w, i, sum, total, &rem) && rem > top)
                top = rem;
        size_t best = 0;
        while (best < n && !(counts[best] == quota_floor(w, best, sum, total, &rem) &&
                             rem >= top - REMAINDER_TIE))
            best++;
        SIM_ASSERT(best < n, "at most one item left over per class");
        counts[best]++;
    }
    return 0;
}

int apportion_order(const uint64_t *counts, size_t n, uint32_t *order, uint64_t *picks)
{
    if (n == 0 || n > UINT32_MAX)
        return -EINVAL;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (counts[i] > UINT64_MAX - total)
            return -ERANGE;
        total += counts[i];
        picks[i] = 0;
    }
    /* with delta = 1 / m, m = 2n - 2, everything is scaled by N m to stay in integers */
    uint64_t m = n > 1 ? 2 * (uint64_t)n - 2 : 1;
    if (total > 0 && (total > UINT32_MAX || m > UINT64_MAX / total / total))
        return -ERANGE;
    for (uint64_t t = 1; t <= total; t++) {
        size_t best = n;
        uint64_t best_due = 0;
        for (size_t i = 0; i < n; i++) {
            if (counts[i] == 0)
                continue;
            /* a candidate: t c_i / N - p_i >= delta, i.e. t c_i m >= p_i N m + N */
            if (t * counts[i] * m < picks[i] * total * m + total)
                continue;
            /* due: the least t' with t' c_i / N - p_i >= 1 - delta, i.e.
             * t' c_i m >= (p_i + 1) N m - N */
            uint64_t need = (picks[i] + 1) * total * m - total, per = counts[i] * m;
            uint64_t due = need / per + (need % per != 0);
            if (best == n || due < best_due) {
                best = i;
                best_due = due;
            }
        }
        SIM_ASSERT(best < n, "Tijdeman's rule finds a class for item %llu", (unsigned long long)t);
        order[t - 1] = (uint32_t)best;
        picks[best]++;
    }
    return 0;
}
