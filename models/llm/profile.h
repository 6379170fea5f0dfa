/*
 * profile — measured cost tables: one decoder block of a real architecture, run on this CPU.
 *
 * Concept: the block is built with the architecture's real shapes (models/llm/arch.h) and synthetic
 * weights (timing does not depend on weight values): RMSNorm or LayerNorm; fused QKV projection
 * with grouped-query attention; rotary embedding; causal attention over the prompt (prefill) or
 * over a KV cache (decode); output projection; SwiGLU or GELU MLP; residual adds. Matrix products
 * go through CBLAS (OpenBLAS where installed, else GSL's reference CBLAS; the table's source says
 * which), in FP32. The embedding gather and the final norm with the LM head are timed too.
 * Each size is run once to warm up, then `repeats` times; the median is kept. Measured times can
 * dip with more work by noise, so each series is made non-decreasing by isotonic regression
 * (pool-adjacent-violators: a lone spike is averaged with its neighbours rather than lifting
 * everything after it) before it is stored, and the table's source says so.
 *
 * The result is a cost table (models/llm/cost.h) with method "measured": identical blocks share the
 * one block's measurements.
 */
#ifndef SPLITSIM_MODELS_PROFILE_H
#define SPLITSIM_MODELS_PROFILE_H

#include "models/llm/arch.h"
#include "models/llm/cost.h"

struct profile_options {
    const char *device;   /* the table's device name, e.g. "xeon-2vcpu" */
    const char *machine;  /* what the device is, for the source (CPU model, threads) */
    unsigned max_tokens;  /* prefill grid 1, 2, 4 .. max_tokens */
    unsigned max_context; /* decode grid 1, 2, 4 .. max_context, batch 1 */
    unsigned repeats;     /* timed runs per size, >= 1; the median is kept */
    unsigned threads;     /* BLAS threads (OpenBLAS), 0: its default */
};

/* Measures a into *t. 0, or -ENOMEM. */
int profile_measure(struct cost_table *t, const struct arch *a, const struct profile_options *o,
                    const char *tool, const char *created);

/* Replaces v by the non-decreasing series closest to it in least squares (isotonic regression
 * by pool-adjacent-violators). */
void profile_make_monotone(double *v, size_t n);

/* Achieved peaks of this machine for the roofline: FP32 GEMM throughput (FLOP/s, a 2048^3
 * sgemm) and weight-streaming bandwidth (bytes/s, a 512 MiB sgemv), each the best of `repeats`
 * runs after a warm-up, with `threads` BLAS threads (0: the default). 0 or -ENOMEM. */
int profile_peaks(unsigned threads, unsigned repeats, double *flops, double *bandwidth);

/* "OpenBLAS 0.3.21 ..." or "GSL reference CBLAS". */
const char *profile_blas_name(void);

#endif
