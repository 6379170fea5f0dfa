/* The split model's results tables: their columns (enums in split_internal.h, never literal
 * indices) and the rows a request, a decision and a UE get. */
#include "models/split/split_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct rec_column split_request_columns[RQ_COUNT_] = {
    [RQ_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [RQ_ID] = {"id", REC_INT64, "1", "request number within the replication, in arrival order"},
    [RQ_UE] = {"ue", REC_INT64, "1", "UE that sent the request"},
    [RQ_CLASS] = {"class", REC_INT64, "1",
                  "the UE's device class: a row of /classes (attribute classes names them)"},
    [RQ_SERVER] = {"server", REC_INT64, "1", "edge server (-1: split = L, no edge work)"},
    [RQ_SPLIT] = {"split", REC_INT64, "1", "k: decoder blocks run on the UE"},
    [RQ_STATUS] =
        {"status", REC_INT64, "1",
         "0 done; 1 refused (its KV cache exceeds the server's whole budget); 2 radio-link "
         "failure (a token not through in channel.max_rounds tries)"},
    [RQ_PROMPT] = {"prompt_tokens", REC_INT64, "1", "prompt length"},
    [RQ_OUTPUT] = {"output_tokens", REC_INT64, "1", "tokens generated"},
    [RQ_ARRIVAL] = {"arrival_ns", REC_INT64, "ns", "arrival time"},
    [RQ_FIRST] = {"first_token_ns", REC_INT64, "ns", "time the UE had the first token"},
    [RQ_DONE] = {"done_ns", REC_INT64, "ns", "time the UE had the last token"},
    [RQ_TTFT] = {"ttft_s", REC_FLOAT64, "s", "time to first token"},
    [RQ_TPOT] = {"tpot_s", REC_FLOAT64, "s",
                 "time per output token after the first, (done - first) / (M - 1); NaN for M = 1"},
    [RQ_LATENCY] = {"latency_s", REC_FLOAT64, "s", "end-to-end: done - arrival"},
    [RQ_SNR] = {"snr_db", REC_FLOAT64, "dB",
                "wideband uplink SNR at arrival (what the UE can estimate); NaN for the erasure "
                "channel"},
    [RQ_BYTES_UP] = {"bytes_up", REC_FLOAT64, "B", "payload sent up (retransmissions excluded)"},
    [RQ_BYTES_DOWN] = {"bytes_down", REC_FLOAT64, "B", "payload sent down"},
    [RQ_AIR_UP] = {"airtime_up_s", REC_FLOAT64, "s", "time the UE spent transmitting"},
    [RQ_AIR_DOWN] = {"airtime_down_s", REC_FLOAT64, "s", "time the UE spent receiving"},
    [RQ_RETX] = {"retransmissions", REC_INT64, "1", "packets sent again (uplink and downlink)"},
    [RQ_ERASURE] = {"erasure", REC_FLOAT64, "1",
                    "fraction of the hidden-state bytes that arrived erased"},
    [RQ_QUALITY] = {"quality", REC_FLOAT64, "1",
                    "perplexity ratio PPL(k, erasure) / PPL_0 (1 = unharmed); see /summary "
                    "quality_source"},
    [RQ_E_COMPUTE] = {"energy_compute_j", REC_FLOAT64, "J", "UE compute energy"},
    [RQ_E_RADIO] = {"energy_radio_j", REC_FLOAT64, "J", "UE radio energy (transmit + receive)"},
    [RQ_EDGE_WAIT] = {"edge_wait_s", REC_FLOAT64, "s",
                      "time the request's jobs waited in the edge queue, summed"},
    [RQ_EDGE_COMPUTE] = {"edge_compute_s", REC_FLOAT64, "s",
                         "length of the edge iterations that ran the request's jobs, summed"},
    [RQ_UE_COMPUTE] = {"ue_compute_s", REC_FLOAT64, "s", "UE processor time for the request"},
    [RQ_DEADLINE] = {"deadline_met", REC_INT64, "1",
                     "1 if latency <= workload.deadline, 0 if not, -1 without a deadline"},
    [RQ_REWARD] = {"reward", REC_FLOAT64, "1", "realised reward with the scenario's weights"},
    [RQ_MEASURED] = {"measured", REC_INT64, "1",
                     "1 if in the statistics (/summary): finished (status 0) and arrived at or "
                     "after the warm-up (root attribute warmup_s); 0 if not"},
};
const size_t split_request_column_count = RQ_COUNT_;

const struct rec_column split_ts_edge_columns[TSE_COUNT_] = {
    [TSE_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [TSE_TIME] = {"time_s", REC_FLOAT64, "s", "sampling time"},
    [TSE_SERVER] = {"server", REC_INT64, "1", "edge server"},
    [TSE_WAITING] = {"waiting", REC_INT64, "1", "jobs waiting (prefills and decode steps)"},
    [TSE_BATCH] = {"batch", REC_INT64, "1", "jobs in the iteration running (0: idle)"},
    [TSE_KV] = {"kv_used_bytes", REC_FLOAT64, "B", "KV cache reserved"},
};
const size_t split_ts_edge_column_count = TSE_COUNT_;

const struct rec_column split_ts_snr_columns[TSS_COUNT_] = {
    [TSS_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [TSS_TIME] = {"time_s", REC_FLOAT64, "s", "sampling time"},
    [TSS_UE] = {"ue", REC_INT64, "1", "UE"},
    [TSS_SNR] = {"snr_db", REC_FLOAT64, "dB", "wideband uplink SNR (whole cell bandwidth)"},
    [TSS_DISTANCE] = {"distance_m", REC_FLOAT64, "m", "distance to the base station"},
    [TSS_SHADOWING] = {"shadowing_db", REC_FLOAT64, "dB", "log-normal shadowing at its position"},
    [TSS_LOS] = {"los", REC_INT64, "1", "1: in line of sight (umi, uma, rma path loss)"},
};
const size_t split_ts_snr_column_count = TSS_COUNT_;

const struct rec_column split_ts_cell_columns[TSC_COUNT_] = {
    [TSC_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [TSC_TIME] = {"time_s", REC_FLOAT64, "s", "sampling time"},
    [TSC_UPLINKS] = {"uplinks", REC_INT64, "1", "uplink transfers sharing the cell"},
    [TSC_REQUESTS] = {"requests", REC_INT64, "1", "requests in progress"},
};
const size_t split_ts_cell_column_count = TSC_COUNT_;

const struct rec_column split_ue_columns[UEC_COUNT_] = {
    [UEC_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [UEC_UE] = {"ue", REC_INT64, "1", "UE"},
    [UEC_CLASS] = {"class", REC_INT64, "1",
                   "its device class: a row of /classes (attribute classes names them)"},
    [UEC_REQUESTS] = {"requests", REC_INT64, "1", "requests the UE sent"},
    [UEC_ENERGY] = {"energy_j", REC_FLOAT64, "J", "energy the UE used (compute + radio)"},
    [UEC_DEPLETED] = {"depleted_s", REC_FLOAT64, "s", "time its battery ran out (NaN: never)"},
    [UEC_DISTANCE] = {"distance_m", REC_FLOAT64, "m", "initial distance to the base station"},
    [UEC_SHADOWING] = {"shadowing_db", REC_FLOAT64, "dB",
                       "its log-normal shadowing at its initial position (fading channel)"},
    [UEC_LOS] = {"los", REC_INT64, "1",
                 "1: in line of sight at its initial position (umi, uma, rma path loss)"},
};
const size_t split_ue_column_count = UEC_COUNT_;

void split_write_request(struct split_model *m, const struct split_request *r, int status,
                         int64_t done, const struct split_outcome *o)
{
    struct rec_table *t = m->rec.requests;
    if (!t || r->id % m->par->record_every != 0)
        return;
    rec_set_int64(t, RQ_REPLICATION, m->replication);
    rec_set_int64(t, RQ_ID, (int64_t)r->id);
    rec_set_int64(t, RQ_UE, r->ue);
    rec_set_int64(t, RQ_CLASS, m->in->ue_class[r->ue]);
    rec_set_int64(t, RQ_SERVER, r->k == m->in->blocks ? -1 : (int64_t)r->server);
    rec_set_int64(t, RQ_SPLIT, r->k);
    rec_set_int64(t, RQ_STATUS, status);
    rec_set_int64(t, RQ_PROMPT, r->prompt);
    rec_set_int64(t, RQ_OUTPUT, r->output);
    rec_set_int64(t, RQ_ARRIVAL, r->arrival);
    rec_set_int64(t, RQ_FIRST, status == SPLIT_DONE ? r->first_token : -1);
    rec_set_int64(t, RQ_DONE, done);
    rec_set_double(t, RQ_TTFT, o->ttft);
    rec_set_double(t, RQ_TPOT, o->tpot);
    rec_set_double(t, RQ_LATENCY, o->latency);
    rec_set_double(t, RQ_SNR, r->snr_db);
    rec_set_double(t, RQ_BYTES_UP, r->bytes_up);
    rec_set_double(t, RQ_BYTES_DOWN, r->bytes_down);
    rec_set_double(t, RQ_AIR_UP, (double)r->airtime_up * 1e-9);
    rec_set_double(t, RQ_AIR_DOWN, (double)r->airtime_down * 1e-9);
    rec_set_int64(t, RQ_RETX, r->retransmissions);
    rec_set_double(t, RQ_ERASURE, o->erasure);
    rec_set_double(t, RQ_QUALITY, o->quality);
    rec_set_double(t, RQ_E_COMPUTE, r->energy_compute);
    rec_set_double(t, RQ_E_RADIO, r->energy_radio);
    rec_set_double(t, RQ_EDGE_WAIT, (double)r->edge_wait * 1e-9);
    rec_set_double(t, RQ_EDGE_COMPUTE, (double)r->edge_compute * 1e-9);
    rec_set_double(t, RQ_UE_COMPUTE, (double)r->ue_compute * 1e-9);
    rec_set_int64(t, RQ_DEADLINE, o->deadline);
    rec_set_double(t, RQ_REWARD, o->reward);
    rec_set_int64(t, RQ_MEASURED, o->measured);
    if (rec_row_commit(t) < 0)
        split_fail(m, -EIO);
}

void split_record_decision(struct split_model *m, const struct split_request *r,
                           struct decide_arg *a, uint64_t evaluations)
{
    struct rec_table *t = m->rec.decisions;
    uint32_t best = m->k_min;
    double best_v = -INFINITY, chosen_v = NAN;
    for (uint32_t k = m->k_min; k <= m->k_max; k++) {
        double v = split_oracle(a, &r->obs, k);
        if (v > best_v) {
            best_v = v;
            best = k;
        }
        if (k == r->k)
            chosen_v = v;
    }
    rec_set_int64(t, DC_REPLICATION, m->replication);
    rec_set_int64(t, DC_ID, (int64_t)r->id);
    rec_set_int64(t, DC_UE, r->ue);
    rec_set_double(t, DC_TIME, r->obs.now_s);
    rec_set_double(t, DC_SNR, r->obs.snr_db);
    rec_set_double(t, DC_ERASURE, r->obs.erasure);
    rec_set_double(t, DC_EDGE_LOAD, r->obs.edge_load);
    rec_set_int64(t, DC_SPLIT, r->k);
    rec_set_int64(t, DC_EVALUATIONS, (int64_t)evaluations);
    rec_set_int64(t, DC_ORACLE_SPLIT, best);
    rec_set_double(t, DC_ORACLE_REWARD, best_v);
    rec_set_double(t, DC_CHOSEN_REWARD, chosen_v);
    if (m->pred && policy_predict(&m->policy, &r->obs, m->pred) == 0)
        for (uint32_t k = m->k_min; k <= m->k_max; k++)
            rec_set_double(t, DC_PREDICTED_FIRST + (k - m->k_min), m->pred[k - m->k_min]);
    if (rec_row_commit(t) < 0)
        split_fail(m, -EIO);
}

struct rec_column *split_decision_columns(const struct split_inputs *in, bool predictions,
                                          size_t *n)
{
    static const struct rec_column fixed[DC_PREDICTED_FIRST] = {
        [DC_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
        [DC_ID] = {"id", REC_INT64, "1", "request (see /requests/id)"},
        [DC_UE] = {"ue", REC_INT64, "1", "UE"},
        [DC_TIME] = {"time_s", REC_FLOAT64, "s", "decision time (the request's arrival)"},
        [DC_SNR] = {"snr_db", REC_FLOAT64, "dB",
                    "the UE's channel estimate (NaN: erasure channel)"},
        [DC_ERASURE] =
            {"erasure", REC_FLOAT64, "1",
             "the erasure estimate the UE saw (erasure channel: its p; fading: recent erased "
             "fraction)"},
        [DC_EDGE_LOAD] = {"edge_load", REC_FLOAT64, "1", "edge load the UE saw (NaN: not visible)"},
        [DC_SPLIT] = {"split", REC_INT64, "1", "the chosen k"},
        [DC_EVALUATIONS] = {"evaluations", REC_INT64, "1",
                            "true evaluations the policy paid for in this decision"},
        [DC_ORACLE_SPLIT] = {"oracle_split", REC_INT64, "1",
                             "the k with the best true expected reward (not counted)"},
        [DC_ORACLE_REWARD] = {"oracle_reward", REC_FLOAT64, "1", "its true expected reward"},
        [DC_CHOSEN_REWARD] = {"chosen_reward", REC_FLOAT64, "1",
                              "the true expected reward of the chosen k"},
    };
    size_t nf = sizeof fixed / sizeof fixed[0];
    uint32_t k_min = in->par.k_min, k_max = in->par.k_max;
    size_t np = predictions ? k_max - k_min + 1 : 0;
    struct rec_column *c = calloc(nf + np, sizeof *c);
    if (!c)
        return NULL;
    memcpy(c, fixed, sizeof fixed);
    for (size_t i = 0; i < np; i++) {
        char *name = NULL;
        if (asprintf(&name, "predicted_k%zu", (size_t)k_min + i) < 0) {
            split_decision_columns_free(c, nf + i);
            return NULL;
        }
        c[nf + i] = (struct rec_column){name, REC_FLOAT64, "1",
                                        "the policy's own predicted reward of this k"};
    }
    *n = nf + np;
    return c;
}

void split_decision_columns_free(struct rec_column *cols, size_t n)
{
    for (size_t i = DC_PREDICTED_FIRST; cols && i < n; i++)
        free((char *)(uintptr_t)cols[i].name);
    free(cols);
}

int split_record_ues(struct split_model *m)
{
    struct rec_table *t = m->rec.ues;
    m->totals->end_s = (double)m->last_done * 1e-9;
    if (!t)
        return 0;
    for (uint32_t u = 0; u < m->nues; u++) {
        const struct split_ue *ue = &m->ues[u];
        rec_set_int64(t, UEC_REPLICATION, m->replication);
        rec_set_int64(t, UEC_UE, u);
        rec_set_int64(t, UEC_CLASS, m->in->ue_class[u]);
        rec_set_int64(t, UEC_REQUESTS, (int64_t)ue->requests);
        rec_set_double(t, UEC_ENERGY, ue->energy);
        rec_set_double(t, UEC_DEPLETED,
                       ue->depleted ? (double)ue->depleted_at * 1e-9 : (double)NAN);
        rec_set_double(t, UEC_DISTANCE, ue->distance0);
        rec_set_double(t, UEC_SHADOWING, split_fading(m) ? ue->shadow0_db : (double)NAN);
        rec_set_int64(t, UEC_LOS, ue->los0);
        if (rec_row_commit(t) < 0)
            return -EIO;
    }
    return 0;
}

char *split_class_names(const struct split_inputs *in, const struct scn *s)
{
    char *names = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&names, &len);
    if (!f)
        return NULL;
    for (uint32_t c = 0; c < in->nclasses; c++)
        fprintf(f, "%s%s", c ? "," : "", split_class_device(in, s, c));
    if (fclose(f) != 0) {
        free(names);
        return NULL;
    }
    return names;
}

int split_record_classes(struct rec *rec, const struct split_inputs *in, const struct scn *s)
{
    static const struct rec_column cols[] = {
        {"class", REC_INT64, "1", "device class (the `class` of /ues and /requests)"},
        {"ues", REC_INT64, "1", "its UEs"},
        {"fraction", REC_FLOAT64, "1",
         "the share of the UEs asked for: its ues.classes fraction; 1/n for plain entries (in "
         "turn), 1 for one device"},
    };
    struct rec_table *t = NULL;
    rec_table_create(rec, "/classes", cols, sizeof cols / sizeof cols[0], &t);
    for (uint32_t c = 0; t && c < in->nclasses; c++) {
        rec_set_int64(t, 0, c);
        rec_set_int64(t, 1, (int64_t)in->class_ues[c]);
        rec_set_double(t, 2, in->class_fraction[c]);
        rec_row_commit(t);
    }
    char *names = split_class_names(in, s);
    if (!names)
        return -ENOMEM;
    rec_attr_string(rec, "/classes", "classes", names);
    free(names);
    rec_attr_string(rec, "/classes", "assignment",
                    s->ues.classes.w         ? "fractions: counts by the largest remainder, UEs in "
                                               "Tijdeman's order (docs/MODELS.md)"
                    : s->ues.classes.n       ? "in turn: UE u is of class u mod n"
                    : *in->par.ue_cost_table ? "one device: ues.cost_table"
                                             : "one device: ues.device");
    for (uint32_t c = 0; c < in->nclasses; c++) {
        const struct cost_table *ct = split_class_table(in, c);
        const char *file = c == 0 && *in->par.ue_cost_table ? in->par.ue_cost_table : "";
        char name[48];
        snprintf(name, sizeof name, "device_%" PRIu32, c);
        rec_attr_string(rec, "/classes", name, split_class_device(in, s, c));
        snprintf(name, sizeof name, "cost_table_%" PRIu32, c);
        rec_attr_string(rec, "/classes", name, file);
        snprintf(name, sizeof name, "cost_method_%" PRIu32, c);
        rec_attr_string(rec, "/classes", name, ct->method ? ct->method : "");
        snprintf(name, sizeof name, "cost_source_%" PRIu32, c);
        rec_attr_string(rec, "/classes", name, ct->source ? ct->source : "");
    }
    return rec_error(rec);
}
