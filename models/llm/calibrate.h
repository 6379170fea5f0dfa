/*
 * calibrate — a device's roofline efficiencies fitted to a measured per-operator profile.
 *
 * Concept: a profile is one decoder block without attention, measured at many token counts:
 * each operator's median time (Microsoft Vidur's mlp.csv: FP16, one GPU, the operators named as
 * in models/llm/roofline.h). Its block time is the sum of the operators' times (Vidur's
 * embedding excluded). The roofline predicts the same block from the device's datasheet peaks and
 * six fitted numbers (models/llm/device.h): eta_compute, eta_memory, eta_elementwise, the
 * smooth-maximum exponent (overlap), the GEMM tile and the launch cost per kernel. calib_fit
 * chooses them to minimise the largest relative error of the block time over the profile
 * (minimax). That error surface has many local minima, so the search is a grid: a coarse grid on
 * every fourth token count (CALIB_SUBSAMPLE), the best CALIB_KEEP of it refined on a fine grid
 * around each, each refined candidate scored on every token count, the best of those kept. It is
 * not exhaustive: a pattern in the measurements that the coarse stage's quarter of the token
 * counts misses (every other point 3 % high, say) can leave a worse fit than the grid holds. The
 * fitted numbers are what models/llm/device.c records for its calibrated devices; docs/TABLES.md
 * has the commands, the search in numbers and the error left.
 *
 * An error is relative: model / measured - 1 at one token count. A fit's max_error and
 * mean_error are the largest and the mean of its absolute value over every token count of the
 * profile.
 *
 * The grid: overlap in {0, 1, 1.5, 2, 3, 5}, GEMM tile in {0, 64, 128} tokens; coarse eta_compute
 * and eta_memory 0.3 to 1 by 0.1, eta_elementwise 0.2 to 1 by 0.1, launch 0 to 10 us by 1 us;
 * fine: each eta within 0.08 of the coarse value by 0.02 (kept in [0.05, 1], up to rounding),
 * launch within 1 us by 0.2 us (kept >= 0).
 *
 * Invariants: a profile holds distinct token counts, each >= 1, in file order (the first row of
 * a count is kept), at most CALIB_MAX_POINTS; times are in seconds; op_s[i] is the time of the
 * i-th operator of roofline_block_ops(arch) and block_s their sum. The fit is deterministic
 * (same inputs, same numbers; of equal errors the first found is kept) and 0 <= mean_error <=
 * max_error. Nothing here prints: readers report problems into a struct diag.
 */
#ifndef SPLITSIM_MODELS_CALIBRATE_H
#define SPLITSIM_MODELS_CALIBRATE_H

#include <stddef.h>
#include <stdio.h>

#include "models/llm/arch.h"
#include "models/llm/device.h"
#include "models/llm/roofline.h"
#include "sim/diag.h"

/* Token counts a profile holds; rows beyond are skipped (Vidur's files have 259 up to 4096). */
#define CALIB_MAX_POINTS 1024

/* The coarse grid is scored on every CALIB_SUBSAMPLE-th token count; the best CALIB_KEEP of its
 * points are refined. */
#define CALIB_SUBSAMPLE 4
#define CALIB_KEEP      24

/* One measured token count. */
struct calib_point {
    double tokens;                 /* tokens in the batch, >= 1 */
    double block_s;                /* the block: the sum of op_s */
    double op_s[ROOFLINE_MAX_OPS]; /* each operator's median, in roofline_block_ops order */
};

/* A measured profile of one architecture's block on one device. */
struct calib_profile {
    struct calib_point *points;
    size_t n;
};

/* The roofline's fitted numbers (as struct device names them) and the error they leave. */
struct calib_fit {
    double eta_compute, eta_memory, eta_elementwise;
    double overlap;   /* p of the smooth maximum; 0: the plain maximum */
    double gemm_tile; /* tokens; 0: none */
    double launch_s;  /* per kernel */
    double max_error, mean_error;
};

/* The roofline against one measurement. */
struct calib_residual {
    double tokens;
    double measured_s, model_s;
    double error; /* model_s / measured_s - 1 */
};

/*
 * Reads the rows of a Vidur mlp.csv profile of architecture `a` that ran without tensor
 * parallelism (num_tensor_parallel_workers = 1, or no such column), matching the operators by
 * Vidur's column names (time_stats.NAME.median, in milliseconds). `name` is the file's name for
 * messages. 0; -EINVAL with messages in d (no num_tokens column, an operator's column missing, a
 * token count that is not a number >= 1, no row left); -ENOMEM. Release with
 * calib_profile_release in every case.
 */
int calib_profile_parse(struct calib_profile *pr, FILE *f, const char *name, const struct arch *a,
                        struct diag *d);

/* As calib_profile_parse, from a regular file of at most 64 MiB (sim/slurp.h). */
int calib_profile_read(struct calib_profile *pr, const char *path, const struct arch *a,
                       struct diag *d);

void calib_profile_release(struct calib_profile *pr);

/* The smallest and largest token count (INFINITY and 0 for an empty profile). */
void calib_profile_span(const struct calib_profile *pr, double *min_tokens, double *max_tokens);

/* The point measured at `tokens`, or NULL. */
const struct calib_point *calib_profile_find(const struct calib_profile *pr, double tokens);

/* Copies the fitted numbers into dev (its peaks and names stay). */
void calib_apply(struct device *dev, const struct calib_fit *fit);

/* The block error of the roofline of `a` on dev over the profile: sets fit->max_error and
 * fit->mean_error (the fitted numbers in fit are not read: dev's are used). */
void calib_block_error(const struct arch *a, const struct device *dev,
                       const struct calib_profile *pr, struct calib_fit *fit);

/*
 * The minimax fit of base's efficiencies, exponent, tile and launch cost (its peaks are kept) to
 * the profile of architecture `a`, with its error over every point. 0; -EINVAL for an empty
 * profile; -ENOMEM.
 */
int calib_fit(const struct arch *a, const struct device *base, const struct calib_profile *pr,
              struct calib_fit *fit);

/* The block of `a` on dev against point p. */
struct calib_residual calib_block_residual(const struct arch *a, const struct device *dev,
                                           const struct calib_point *p);

/* Operator `op` (an index into roofline_block_ops(a)) on dev against point p; error is NaN where
 * the operator was not measured (time 0). */
struct calib_residual calib_op_residual(const struct arch *a, size_t op, const struct device *dev,
                                        const struct calib_point *p);

#endif
