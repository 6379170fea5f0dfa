/* The split model's transfers: the uplink (bursts through the shared cell at the rate link
 * adaptation picks, packet losses at each packet's SNR, HARQ rounds, erasures) and the downlink
 * (each token resent until received, or the link declared failed). */
#include "models/split/split_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* ---- downlink: one token back, resent until received ---------------------------------------- */

static void on_downlink_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)data;
    struct split_request *r = obj;
    struct split_model *m = r->m;
    r->dl_inflight--;
    if (r->failed) {
        if (r->dl_inflight == 0 && !r->edge_busy)
            split_request_finish(m, r, SPLIT_LINK_FAILED);
        return;
    }
    if (++r->received == 1)
        r->first_token = sim_now(m->sim);
    if (r->received == r->output)
        split_request_finish(m, r, SPLIT_DONE);
    else if (r->k > 0 && split_ue_enqueue(m, &m->ues[r->ue], r) < 0)
        split_fail(m, -ENOMEM);
}

/* A token could not be delivered in channel.max_rounds tries: radio-link failure. The request
 * ends once none of its work is in flight (with k = 0 the edge may still be decoding it). */
void split_link_failed(struct split_model *m, struct split_request *r)
{
    r->failed = true;
    if (r->dl_inflight == 0 && !r->edge_busy)
        split_request_finish(m, r, SPLIT_LINK_FAILED);
}

void split_downlink_attempt(struct sim *sim, void *obj, uint64_t data)
{
    struct split_request *r = obj;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    const struct split_link_params *c = &m->par->link;
    double bits = c->token_bytes * 8;
    int64_t ns = 0;
    bool lost = false;
    if (data == 0)
        r->bytes_down += c->token_bytes;
    if (!split_fading(m)) {
        ns = c->erasure_rate_bps > 0 ? sim_time_round(bits / c->erasure_rate_bps * 1e9) : 0;
    } else {
        double snr = split_ue_snr(m, ue, &m->in->down, sim_now(sim), 1.0);
        struct chan_selection sel;
        chan_select(&m->in->down, snr, &sel);
        ns = sim_time_round(bits / (m->in->down.bandwidth_hz * sel.efficiency) * 1e9);
        double p = chan_packet_error(&m->in->down, &sel, snr);
        lost = p >= 1 || (p > 0 && rng_uniform(&ue->loss) < p);
    }
    if (ns < 1 && split_fading(m))
        ns = 1;
    r->airtime_down += ns;
    double joules = m->rx_draw_w * (double)ns * 1e-9;
    r->energy_radio += joules;
    split_ue_spend(m, ue, joules);
    sim_event_handle h = 1;
    if (lost && data + 1 >= c->max_rounds) {
        r->dl_inflight--;
        split_link_failed(m, r);
    } else if (lost) {
        r->retransmissions++;
        h = sim_schedule_in(sim, sim_time_add(ns, sim_time_from_s(c->harq_rtt_s)), 0,
                            split_downlink_attempt, r, data + 1);
    } else {
        h = sim_schedule_in(sim, ns, 0, on_downlink_done, r, 0);
    }
    if (!h)
        split_fail(m, -ENOMEM);
}

/* ---- uplink: packets through the shared cell, HARQ rounds ----------------------------------- */

static void uplink_delivered(struct split_model *m, struct split_request *r)
{
    split_edge_submit(m, r, r->received == 0 && r->edge_tokens == 0 ? EDGE_PREFILL : EDGE_DECODE);
}

static void on_uplink_instant(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)data;
    struct split_request *r = obj;
    uplink_delivered(r->m, r);
}

static void uplink_burst(struct sim *sim, void *obj, uint64_t data);

/* A burst has gone: which of its packets were lost? The burst carried bits [pos0, pos1) of the
 * round at a constant rate; each packet (or fragment of one) in it is lost with the
 * packet-error probability at the SNR in the middle of its airtime (the fading is continuous;
 * it is taken as constant over one packet). A packet split across bursts is lost if any of its
 * fragments is. */
static void on_burst_done(struct sim *sim, void *ctx, uint64_t transfer_id, int64_t start)
{
    (void)transfer_id;
    (void)start;
    struct split_request *r = ctx;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    int64_t now = sim_now(sim), d = now - r->tx_start;
    r->airtime_up += d;
    double joules = m->tx_draw_w * (double)d * 1e-9;
    r->energy_radio += joules;
    split_ue_spend(m, ue, joules);
    double size = r->tx_packet_bytes * 8, pos0 = r->tx_pos, pos1 = r->tx_pos + r->tx_burst_bits;
    double mean = -1;
    uint32_t lost = 0;
    for (double first = floor(pos0 / size) * size; first < pos1; first += size) {
        double a = first > pos0 ? first : pos0, b = first + size < pos1 ? first + size : pos1;
        int64_t t = r->tx_start + (int64_t)(((a + b) / 2 - pos0) / (pos1 - pos0) * (double)d);
        double p = chan_packet_error(&m->in->up, &r->tx_sel,
                                     split_ue_snr_at(m, ue, &m->in->up, t, r->tx_share, &mean));
        bool bad = r->tx_frag_lost || p >= 1 || (p > 0 && rng_uniform(&ue->loss) < p);
        r->tx_frag_lost = false;
        if (first + size <= pos1 * (1 + 1e-12)) /* this packet is complete */
            lost += bad;
        else
            r->tx_frag_lost = bad; /* its rest goes in the next burst */
    }
    r->tx_pos = pos1;
    r->tx_lost += lost;
    double sent = (pos1 - pos0) / size;
    if (sent > 0)
        ue->loss_ewma += (1 - pow(SPLIT_LOSS_MEMORY_PER_PACKET, sent)) *
                         ((double)lost / fmax(sent, 1) - ue->loss_ewma);
    if (r->tx_pos < r->tx_round_bits * (1 - 1e-12)) {
        uplink_burst(sim, r, 0); /* the round goes on */
        return;
    }
    if (r->tx_lost == 0) {
        uplink_delivered(m, r);
    } else if (r->tx_reliable && r->tx_round + 1 >= m->par->link.max_rounds) {
        split_link_failed(m, r); /* token ids that cannot get through */
    } else if (r->tx_reliable || r->tx_round < m->par->link.harq_max) {
        /* HARQ: the round's lost packets go again after the round-trip time */
        r->tx_round++;
        r->retransmissions += r->tx_lost;
        r->tx_round_bits = r->tx_lost * size;
        r->tx_pos = 0;
        r->tx_lost = 0;
        if (!sim_schedule_in(sim, sim_time_from_s(m->par->link.harq_rtt_s), 0, uplink_burst, r, 0))
            split_fail(m, -ENOMEM);
    } else {
        if (r->tx_hidden)
            r->erased_bytes += r->tx_lost * r->tx_packet_bytes;
        uplink_delivered(m, r);
    }
}

/* Link adaptation per burst: the rate is picked for the SNR now (with the share of the cell the
 * transfer would get were nothing else to change), and the burst carries what that rate sends
 * in one link-adaptation interval (all that is left of the round if less), so no rate is used
 * for long after the channel state it was chosen for. Packets may straddle bursts
 * (segmentation). */
static void uplink_burst(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct split_request *r = obj;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    r->tx_share = m->cell.sharing == CELL_SHARE_EQUAL ? 1.0 / (double)(m->cell.nactive + 1)
                                                      : m->cell.fixed_share;
    double snr = split_ue_snr(m, ue, &m->in->up, sim_now(sim), r->tx_share);
    chan_select(&m->in->up, snr, &r->tx_sel);
    r->tx_start = sim_now(sim);
    double rate = r->tx_share * m->in->up.bandwidth_hz * r->tx_sel.efficiency;
    double fit = rate * (double)m->par->link.adaptation_ns * 1e-9,
           left = r->tx_round_bits - r->tx_pos;
    /* whole packets when at least one fits, so that short transfers go in one burst */
    double size = r->tx_packet_bytes * 8;
    if (fit >= size)
        fit = floor(fit / size) * size;
    r->tx_burst_bits = fit >= left ? left : fit;
    if (cell_start(&m->cell, r->id, r->tx_burst_bits, r->tx_sel.efficiency, on_burst_done, r) < 0)
        split_fail(m, -ENOMEM);
}

void split_uplink_start(struct split_model *m, struct split_request *r, double bytes, bool reliable,
                        bool hidden)
{
    struct split_ue *ue = &m->ues[r->ue];
    const struct split_link_params *c = &m->par->link;
    r->bytes_up += bytes;
    if (hidden)
        r->hidden_bytes += bytes;
    if (!split_fading(m)) {
        /* the paper's abstraction: each value erased independently with probability p */
        if (hidden && r->p_erasure > 0) {
            unsigned int values = (unsigned int)llround(bytes / m->value_bytes);
            unsigned int erased = gsl_ran_binomial(ue->loss.gen, r->p_erasure, values);
            r->erased_bytes += erased * m->value_bytes;
        }
        int64_t ns =
            c->erasure_rate_bps > 0 ? sim_time_round(bytes * 8 / c->erasure_rate_bps * 1e9) : 0;
        r->airtime_up += ns;
        double joules = m->tx_draw_w * (double)ns * 1e-9;
        r->energy_radio += joules;
        split_ue_spend(m, ue, joules);
        if (!sim_schedule_in(m->sim, ns, 0, on_uplink_instant, r, 0))
            split_fail(m, -ENOMEM);
        return;
    }
    double packets = ceil(bytes / c->packet_bytes);
    r->tx_packet_bytes = bytes / packets;
    r->tx_round_bits = packets * r->tx_packet_bytes * 8;
    r->tx_pos = 0;
    r->tx_lost = 0;
    r->tx_frag_lost = false;
    r->tx_round = 0;
    r->tx_reliable = reliable;
    r->tx_hidden = hidden;
    uplink_burst(m->sim, r, 0);
}
