/*
 * quality — how much a split hurts the answer: the assumed default until a model's quality table
 * is measured.
 *
 * Concept: when the hidden state after layer k crosses a lossy link, a fraction e of its values
 * arrives erased (zeroed); the model's perplexity rises from its clean value PPL_0. No public
 * measurement of PPL(k, e) can be shipped (see docs/TABLES.md), so until a measured quality table
 * exists the simulator uses this parametric ASSUMPTION, shaped by the published facts:
 *   - harm grows faster than linearly in e (massive activations: losing a few values destroys
 *     perplexity once e is large enough to hit them);
 *   - a cut right after the first layers is the most fragile, middle layers are robust.
 * Form:   PPL(k, e) / PPL_0 = min(exp(alpha(k) * e^beta), max_ratio) * q(precision)
 *         alpha(k) = alpha_deep + (alpha_first - alpha_deep) * exp(-(k - 1) / depth_scale)
 * for a cut after block k (1 <= k < L); k = 0 (tokens sent) and k = L (nothing sent) lose nothing.
 * q(precision) is 1 for fp16 and a small assumed penalty for int8 and int4 activations.
 *
 * Invariants: the ratio is 1 without erasures at fp16, never below 1, non-decreasing in e, and
 * non-increasing in k over the blocks.
 */
#ifndef SPLITSIM_MODELS_QUALITY_H
#define SPLITSIM_MODELS_QUALITY_H

#include <stdint.h>

enum quality_precision {
    QUALITY_FP16,
    QUALITY_INT8,
    QUALITY_INT4,
};

struct quality_model {
    double alpha_first;                /* harm rate for a cut after the first block */
    double alpha_deep;                 /* harm rate for cuts deep in the model */
    double depth_scale;                /* blocks over which the fragility fades */
    double beta;                       /* exponent of e: > 1, harm superlinear in e */
    double int8_penalty, int4_penalty; /* relative perplexity increase from quantising */
    double max_ratio; /* a destroyed model's perplexity saturates: the ratio's ceiling */
    const char *source;
};

/* The assumed default (documented in docs/TABLES.md and stored in every results file that
 * uses it). */
extern const struct quality_model quality_default;

/* PPL(k, e) / PPL_0 for a model of `layers` blocks cut after block k (0 <= k <= layers), with
 * erasure fraction e in [0, 1] of the values sent at `precision`. */
double quality_ratio(const struct quality_model *q, uint32_t layers, uint32_t k, double erasure,
                     enum quality_precision precision);

/* The greatest ratio quality_ratio returns at `precision` (a destroyed model: max_ratio times the
 * precision's factor), bit for bit the value it returns there; +infinity without a ceiling. */
double quality_ceiling(const struct quality_model *q, enum quality_precision precision);

#endif
