/*
 * derive — a cost table computed from an architecture and a device: the roofline per layer.
 *
 * Concept: the embedding, each decoder block (its operators via models/llm/roofline.h plus attention
 * over the prompt or the KV cache) and the final norm with the LM head get prefill times on a
 * token grid (1, 2, 4, ... 4096) and decode-step times on a grid of context lengths (1 ... the
 * model's context, powers of two) and batch sizes (1 ... 64); byte counts come from
 * models/llm/arch.h at FP16. In prefill the LM head runs for the last prompt position only, as in a
 * serving engine; the hidden state after the head is one token id (4 bytes).
 *
 * Invariants: the result passes every check of cost_parse (monotone, positive), and states its
 * method ("derived"), the tool, and the sources of the architecture and device numbers.
 */
#ifndef SPLITSIM_MODELS_DERIVE_H
#define SPLITSIM_MODELS_DERIVE_H

#include "models/llm/arch.h"
#include "models/llm/cost.h"
#include "models/llm/device.h"

/* Fills *t (release with cost_release). `tool` and `created` (e.g. "2026-11-27") are recorded
 * as the table's provenance. 0 or -ENOMEM. */
int cost_derive(struct cost_table *t, const struct arch *a, const struct device *d,
                const char *tool, const char *created);

#endif
