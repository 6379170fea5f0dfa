/*
 * cell — the uplink bandwidth of a cell shared among the UEs transmitting at the same time.
 *
 * Concept: every transfer has a size in bits and a spectral efficiency (bit/s/Hz, from its
 * link's SNR). With equal sharing the n active transfers each get B/n of the bandwidth, so a
 * transfer's rate is (B/n) * efficiency and every rate changes whenever a transfer starts or
 * ends (egalitarian processor sharing); with a fixed share each transfer gets share * B whatever
 * the others do. With Poisson arrivals and exponential sizes, equal sharing is the M/M/1-PS
 * queue, whose mean transfer time is (S/C)/(1 - rho) and whose expected time given size x is
 * (x/C)/(1 - rho) (tests check both).
 *
 * Equal sharing is computed in virtual time: V advances at B/n Hz per second (the bandwidth each
 * active transfer has), and a transfer of x bits at efficiency e started at virtual time V_0
 * ends when V reaches V_0 + x/e, whatever happens in between. So a start or an end costs
 * O(log n) (a heap of virtual finish tags) instead of touching every active transfer, and one
 * pending completion event, for the smallest tag, is moved (cancel + schedule) as n changes.
 * V restarts at 0 whenever the cell empties. A fixed share needs no virtual time: the finish
 * time is known at the start and is the heap key.
 *
 * Invariants: a transfer completes exactly once, at the (nanosecond-rounded-up) time its bits
 * are through; transfers with the same finish time complete in start order; work per start or
 * end is O(log active transfers).
 */
#ifndef SPLITSIM_MODELS_CELL_H
#define SPLITSIM_MODELS_CELL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

enum cell_sharing {
    CELL_SHARE_EQUAL, /* B / n to each of the n active transfers */
    CELL_SHARE_FIXED, /* share * B to each, independently */
};

/* Called when a transfer has been delivered. */
typedef void cell_done_fn(struct sim *sim, void *ctx, uint64_t transfer_id, int64_t start_ns);

struct cell_transfer {
    uint64_t id;
    double key;   /* virtual finish tag (equal) or finish time in ns (fixed) */
    uint64_t seq; /* start order, to break ties */
    double efficiency;
    int64_t start;
    cell_done_fn *done;
    void *ctx;
};

struct cell {
    struct sim *sim;
    double bandwidth_hz;
    enum cell_sharing sharing;
    double fixed_share;
    struct cell_transfer *heap; /* min-heap on (key, seq) */
    size_t nactive, cap;
    double vtime;    /* equal sharing: virtual time at `updated`, in Hz s */
    int64_t updated; /* time vtime was last brought up to date */
    uint64_t seq;
    sim_event_handle next_done; /* the pending completion, or 0 */
};

int cell_init(struct cell *c, struct sim *sim, double bandwidth_hz, enum cell_sharing sharing,
              double fixed_share);
void cell_release(struct cell *c);

/* Starts a transfer of `bits` at spectral efficiency `efficiency`; `done` is called when it is
 * delivered. 0 or -ENOMEM. */
int cell_start(struct cell *c, uint64_t id, double bits, double efficiency, cell_done_fn *done,
               void *ctx);

/* The rate (bit/s) a transfer of efficiency e would get right now. */
double cell_rate(const struct cell *c, double efficiency);

#endif
