/* The split model's predictor: what a request split at k should see, from the cost tables, the
 * link budget and (for the oracle) the present load; the scenario's reward; the policy callbacks
 * built on them (split_internal.h). */
#include "models/split/split_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double split_quality_of_k(const struct split_model *m, uint32_t k, double e)
{
    enum quality_precision prec = m->par->precision;
    if (m->in->have_qtable) {
        bool extrapolated = false;
        return qtable_ratio(&m->in->qtable, k, e, prec, &extrapolated);
    }
    return quality_ratio(m->in->assumed, m->in->blocks, k, e, prec);
}

/* What a request of `prompt` and `output` tokens split at k should see, from the cost tables and
 * the link budget at wideband SNR `snr` (linear). With `state`, also the cell's and the edge
 * server's present load (the oracle's privileged view); without, an empty cell and edge unless
 * the policy sees the edge load (`edge_load`, NaN when hidden). Transfer times use the rate
 * link adaptation would choose; erasure is the erasure channel's p, or for the fading channel
 * the UE's recent packet-loss fraction raised to the number of HARQ tries. */
void split_predict(const struct split_model *m, const struct split_ue *ue, uint32_t server,
                   uint32_t prompt, uint32_t output, uint32_t k, double snr, double p_erasure,
                   bool state, double edge_load, struct split_pred *out)
{
    const struct split_inputs *in = m->in;
    const struct split_link_params *c = &m->par->link;
    uint32_t L = in->blocks, n = in->nlayers;
    double N = prompt, M = output, ctx = N + M / 2;
    bool x = false;
    /* link */
    double up_rate, dl_rate;
    if (split_fading(m)) {
        double share = m->cell.sharing == CELL_SHARE_FIXED ? m->cell.fixed_share
                       : state                             ? 1.0 / (double)(m->cell.nactive + 1)
                                                           : 1.0;
        struct chan_selection sel;
        chan_select(&in->up, snr / share, &sel);
        up_rate = share * in->up.bandwidth_hz * sel.efficiency;
        double snr_dl = snr * pow(10, (in->down.tx_power_dbm - in->up.tx_power_dbm) / 10) *
                        in->up.bandwidth_hz / in->down.bandwidth_hz;
        chan_select(&in->down, snr_dl, &sel);
        dl_rate = in->down.bandwidth_hz * sel.efficiency;
    } else {
        up_rate = dl_rate = c->erasure_rate_bps > 0 ? c->erasure_rate_bps : (double)INFINITY;
    }
    double hb = in->arch->hidden * m->value_bytes;
    double dl = c->token_bytes * 8 / dl_rate;
    /* UE */
    uint32_t ue_to = k == L ? n : k + 1;
    const struct cost_table *ut = split_ue_table(in, ue->id);
    double ue_pre = k == 0 ? 0 : 1e-3 * cost_range_prefill_ms(ut, 0, ue_to, N, &x);
    double ue_dec = k == 0 ? 0 : 1e-3 * cost_range_decode_ms(ut, 0, ue_to, ctx, 1, &x);
    /* edge */
    double e_pre = 0, e_dec = 0, wait = 0;
    if (k < L) {
        uint32_t from = k == 0 ? 0 : k + 1;
        const struct edge_server *e = &m->servers[server];
        double batch = state && e->busy ? (double)e->nrunning : 1;
        e_pre = 1e-3 * cost_range_prefill_ms(&in->edge_table, from, n, N, &x);
        e_dec = 1e-3 * cost_range_decode_ms(&in->edge_table, from, n, ctx, batch, &x);
        double bmax = (double)m->par->batch_max;
        if (state)
            wait = ((double)edge_waiting(e) / bmax + (e->busy ? SPLIT_RUNNING_ITERATION_LEFT : 0)) *
                   e_dec;
        else if (!isnan(edge_load))
            wait = edge_load * e_dec;
    }
    double up_prompt = (k == 0 ? N * c->token_bytes : k == L ? 0 : N * hb) * 8 / up_rate;
    double up_token = (k == 0 || k == L ? 0 : hb) * 8 / up_rate;
    if (k == L) {
        out->ttft = ue_pre;
        out->tpot = ue_dec;
    } else if (k == 0) {
        out->ttft = up_prompt + wait + e_pre + dl;
        out->tpot = e_dec;
    } else {
        out->ttft = ue_pre + up_prompt + wait + e_pre + dl;
        out->tpot = ue_dec + up_token + wait + e_dec + dl;
    }
    out->latency = out->ttft + (M - 1) * out->tpot;
    double uplink = up_prompt + (M - 1) * up_token;
    out->energy = ut->power_w * (ue_pre + (M - 1) * ue_dec) +
                  m->tx_draw_w * (isfinite(uplink) ? uplink : 0) +
                  (k == L ? 0 : m->rx_draw_w * M * (isfinite(dl) ? dl : 0));
    double e = 0;
    if (k > 0 && k < L)
        e = split_fading(m) ? pow(ue->loss_ewma, (double)c->harq_max + 1) : p_erasure;
    out->erasure = e;
    if (k > 0 && k < L && split_fading(m) && ue->erasure_n > 0) {
        /* the quality harm is convex in e: average it over the UE's recent erased fractions
         * (which do not depend on k) rather than take it at their mean */
        uint32_t nh = ue->erasure_n < SPLIT_ERASURE_HISTORY ? ue->erasure_n : SPLIT_ERASURE_HISTORY;
        double q = 0, es = 0;
        for (uint32_t i = 0; i < nh; i++) {
            q += split_quality_of_k(m, k, ue->erasure_hist[i]);
            es += ue->erasure_hist[i];
        }
        out->quality = q / nh;
        out->erasure = es / nh;
    } else {
        out->quality = split_quality_of_k(m, k, e);
    }
}

/* The scenario's reward for split k with these outcomes. */
double split_reward_of(const struct split_model *m, uint32_t k, double quality, double ttft,
                       double tpot, double latency, double energy)
{
    const struct split_reward_params *w = &m->par->reward;
    double metric = w->latency_metric == SPLIT_METRIC_TTFT   ? ttft
                    : w->latency_metric == SPLIT_METRIC_TPOT ? tpot
                                                             : latency;
    if (isnan(metric))
        metric = 0;
    double kmax = m->k_max > 0 ? (double)m->k_max : 1;
    double missed = m->par->deadline_s > 0 && latency > m->par->deadline_s;
    return w->quality * (1 - quality) + w->ue_load * (kmax - (double)k) / kmax -
           w->latency * metric / w->latency_ref_s - w->energy * energy / w->energy_ref_j -
           w->edge_load * ((double)m->in->blocks - (double)k) / (double)m->in->blocks -
           w->deadline * missed;
}

static double latency_metric_of(const struct split_model *m, const struct split_pred *p)
{
    int metric = m->par->reward.latency_metric;
    return metric == SPLIT_METRIC_TTFT   ? p->ttft
           : metric == SPLIT_METRIC_TPOT ? p->tpot
                                         : p->latency;
}

/* The true evaluation: the expected reward of k with the exact present state. */
double split_oracle(void *arg, const struct pol_obs *obs, uint32_t k)
{
    const struct decide_arg *a = arg;
    struct split_pred p;
    split_predict(a->m, a->ue, a->server, obs->prompt, obs->output, k, a->snr_true, a->p_erasure,
                  true, NAN, &p);
    return split_reward_of(a->m, k, p.quality, p.ttft, p.tpot, p.latency, p.energy);
}

/* The true expected quality of k (what the paper's perplexity run measures). */
double split_oracle_quality(void *arg, const struct pol_obs *obs, uint32_t k)
{
    const struct decide_arg *a = arg;
    struct split_pred p;
    split_predict(a->m, a->ue, a->server, obs->prompt, obs->output, k, a->snr_true, a->p_erasure,
                  true, NAN, &p);
    return p.quality;
}

/* The UE's own estimate: tables and its channel estimate (and the edge load when visible). */
double split_estimate_latency(void *arg, const struct pol_obs *obs, uint32_t k)
{
    const struct decide_arg *a = arg;
    double snr = isnan(obs->snr_db) ? 1 : pow(10, obs->snr_db / 10);
    struct split_pred p;
    split_predict(a->m, a->ue, a->server, obs->prompt, obs->output, k, snr, obs->erasure, false,
                  obs->edge_load, &p);
    return latency_metric_of(a->m, &p);
}
