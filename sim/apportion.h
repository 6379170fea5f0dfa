/*
 * apportion — sharing `total` items (UEs) among n classes in given proportions, exactly and in a
 * balanced order.
 *
 * Concept: two steps, both deterministic and free of random draws.
 *
 * Counts (apportion_counts): Hamilton's method of the largest remainder. Class i's quota is
 * q_i = total x w_i / sum(w); it gets floor(q_i) items, and the items left over (fewer than n)
 * go one each to the classes with the largest remainders q_i - floor(q_i): each to the
 * lowest-numbered class whose remainder is within 1e-9 of the largest one left (so that equal
 * remainders tie as they should, whatever the rounding of their binary forms, and the lower
 * class index wins). So the counts sum to `total` exactly and each is floor(q_i) or
 * floor(q_i) + 1.
 *
 * Order (apportion_order): which class item t (0-based) gets, by Tijdeman's solution of the
 * chairman assignment problem (R. Tijdeman, Discrete Mathematics 32:323-330, 1980). With
 * N = total, c_i the counts, p_i(t) the items class i has among the first t, and
 * delta = 1 / (2n - 2): item t + 1 goes, among the classes with (t + 1) c_i / N - p_i(t) >= delta,
 * to the one whose next item is due first (the least t' with t' c_i / N - p_i(t) >= 1 - delta;
 * ties: the lower index). Tijdeman proved that then, for every prefix t and class i,
 *     | p_i(t) - t c_i / N | <= 1 - delta < 1,
 * so class i has exactly c_i items at t = N, and every prefix of the items follows the
 * proportions to within one item (within two of t w_i / sum(w), since |c_i - q_i| < 1). Equal
 * counts give plain round robin (0, 1, ..., n-1, 0, 1, ...); counts in proportion k : l repeat
 * the order of k + l items. Exact integer arithmetic: O(N n) time.
 *
 * Invariants: no allocation (the caller passes the arrays); the same input gives the same output
 * on every machine; nothing is read from a random stream.
 */
#ifndef SPLITSIM_SIM_APPORTION_H
#define SPLITSIM_SIM_APPORTION_H

#include <stddef.h>
#include <stdint.h>

/* counts[0 .. n) for `total` items in proportion to the weights w[0 .. n) (each finite and > 0;
 * they need not sum to 1), by the largest remainder. 0, or -EINVAL (n == 0, a weight not
 * finite or not positive, total above UINT32_MAX) with counts untouched. */
int apportion_counts(const double *w, size_t n, uint64_t total, uint64_t *counts);

/* order[0 .. N), N = the sum of counts[0 .. n), so that class i appears counts[i] times in an
 * order whose every prefix follows the counts (see above); `picks` is a workspace of n that ends
 * equal to counts. 0, or -EINVAL (n == 0 or above UINT32_MAX), -ERANGE (N above UINT32_MAX, or
 * N x N x 2n beyond 64 bits: at N = 10^6, millions of classes). */
int apportion_order(const uint64_t *counts, size_t n, uint32_t *order, uint64_t *picks);

#endif
