/*
 * cell — the uplink bandwidth of a cell shared among the UEs transmitting at the same time.
 *
 * Concept: every transfer has a size in bits and a spectral efficiency (bit/s/Hz, from its
 * link's SNR). With equal sharing the n active transfers each get B/n of the bandwidth, so a
 * transfer's rate is (B/n) * efficiency and every rate changes whenever a transfer starts or
 * ends (egalitarian processor sharing); with a fixed share each transfer gets share * B whatever
 * the others do. The cell keeps one pending completion event, for the transfer that will finish
 * first at the current rates, and moves it (sim_cancel + sim_schedule) when the set of active
 * transfers changes; between changes the remaining bits drain linearly. With Poisson arrivals
 * and exponential sizes, equal sharing is the M/M/1-PS queue, whose mean transfer time is
 * (S/C)/(1 - rho) and whose expected time given size x is (x/C)/(1 - rho) (tests check both).
 *
 * Invariants: remaining bits never increase; a transfer completes exactly once, at the event
 * time its remaining bits reach zero (to within 1 ns of rounding); work per change is O(active
 * transfers).
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
    double remaining_bits;
    double efficiency; /* bit/s/Hz */
    int64_t start;
    cell_done_fn *done;
    void *ctx;
};

struct cell {
    struct sim *sim;
    double bandwidth_hz;
    enum cell_sharing sharing;
    double fixed_share;
    struct cell_transfer *active;
    size_t nactive, cap;
    int64_t updated;            /* time the remaining bits were last brought up to date */
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
