/*
 * derive — a cost table computed from an architecture and a device: the roofline per layer.
 *
 * Concept: the embedding, each decoder block (its operators via models/llm/roofline.h plus
 * attention over the prompt or the KV cache) and the final norm with the LM head get prefill times
 * on a token grid (1, 2, 4, ... 4096) and decode-step times on a grid of context lengths (1 ... the
 * model's context, powers of two) and batch sizes (1 ... 64); byte counts come from
 * models/llm/arch.h at FP16. In prefill the LM head runs for the last prompt position only, as in a
 * serving engine; the hidden state after the head is one token id (4 bytes).
 *
 * Invariants: the result passes every check of cost_parse (monotone, positive), and states its
 * method ("derived"), the tool, and the sources of the architecture and device numbers.
 *
 * cost_layout is the part every table a program makes shares (this one and a measured one,
 * models/llm/profile.h): grids of powers of two, provenance, and three groups (COST_EMBEDDING;
 * COST_BLOCK, a->layers identical decoder blocks; COST_HEAD, the final norm with the LM head)
 * with their layer numbering and byte counts; the maker then fills in the times.
 */
#ifndef SPLITSIM_MODELS_DERIVE_H
#define SPLITSIM_MODELS_DERIVE_H

#include "models/llm/arch.h"
#include "models/llm/cost.h"
#include "models/llm/device.h"

/* Where a made table comes from, and its grids. */
struct cost_origin {
    const char *device, *method, *tool, *created, *source; /* copied */
    double power_w;
    double value_bytes;                        /* bytes of one weight or activation value */
    double max_tokens, max_context, max_batch; /* grids: 1, 2, 4, ... up to these */
};

/* The groups of a made table, in order. */
enum cost_part { COST_EMBEDDING, COST_BLOCK, COST_HEAD, COST_PARTS };

/*
 * Lays out *t for architecture a as described above, with every prefill_ms[nprefill] and
 * decode_ms[ncontext * nbatch] of the groups zero for the caller to fill. 0 or -ENOMEM (*t
 * released).
 */
int cost_layout(struct cost_table *t, const struct arch *a, const struct cost_origin *o);

/* Fills *t (release with cost_release). `tool` and `created` (e.g. "2026-11-27") are recorded
 * as the table's provenance. 0 or -ENOMEM. */
int cost_derive(struct cost_table *t, const struct arch *a, const struct device *d,
                const char *tool, const char *created);

#endif
