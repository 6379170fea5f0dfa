#include "models/llm/quality.h"

#include <math.h>

const struct quality_model quality_default = {
    .alpha_first = 40,
    .alpha_deep = 8,
    .depth_scale = 3,
    .beta = 2,
    .int8_penalty = 0.002,
    .int4_penalty = 0.05,
    .max_ratio = 1000,
    .source = "ASSUMPTION (no measured table): exp(alpha(k) e^2) with alpha 40 after block 1 "
              "falling to 8 over ~3 blocks, saturating at 1000 (a destroyed model); int8 +0.2 %, "
              "int4 +5 %; shaped by Sun et al. 2024 (massive activations) and 'Transformer layers "
              "as painters' (2025)",
};

/* The factor of quantising the hidden state to `precision`. */
static double precision_factor(const struct quality_model *q, enum quality_precision precision)
{
    return precision == QUALITY_INT8   ? 1 + q->int8_penalty
           : precision == QUALITY_INT4 ? 1 + q->int4_penalty
                                       : 1;
}

double quality_ceiling(const struct quality_model *q, enum quality_precision precision)
{
    if (q->max_ratio <= 0)
        return INFINITY;
    return q->max_ratio * precision_factor(q, precision);
}

double quality_ratio(const struct quality_model *q, uint32_t layers, uint32_t k, double erasure,
                     enum quality_precision precision)
{
    if (k == 0 || k >= layers)
        return 1.0; /* tokens, or nothing, cross the link */
    double e = erasure < 0 ? 0 : erasure > 1 ? 1 : erasure;
    double alpha =
        q->alpha_deep + (q->alpha_first - q->alpha_deep) * exp(-((double)k - 1) / q->depth_scale);
    double r = exp(alpha * pow(e, q->beta));
    if (q->max_ratio > 0 && r > q->max_ratio)
        r = q->max_ratio;
    return r * precision_factor(q, precision); /* x 1 for fp16: exact */
}
