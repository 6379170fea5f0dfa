/*
 * vidur_measured — the measured GPU block times this repository records, for the tests that hold
 * the roofline and its calibration to them.
 *
 * Source: Microsoft Vidur's per-operator profiles (github.com/microsoft/vidur, commit 7d47513,
 * data/profiling/compute/<gpu>/<org>/<model>/mlp.csv, MIT licence; ../shared/costdata/vidur/
 * PROVENANCE.md gives the blobs), one decoder block without attention in FP16. The data are not
 * bundled; docs/TABLES.md ("Calibration against Vidur's measured profiles") records, for each
 * profile, the block time (the sum of the operators' medians) at twelve token counts, as
 * `splitsim tables calibrate` prints it (ms, 4 decimals), the roofline's time with the fit it
 * found (ditto), and that fit with its block error over all 259 token counts of the profile
 * (max and mean, percent with 1 decimal). The Llama-2-7B fits are the catalogue's a100, h100 and
 * a40 (models/llm/device.c); the phi-2 fit is not in the catalogue.
 */
#ifndef SPLITSIM_TESTS_VIDUR_MEASURED_H
#define SPLITSIM_TESTS_VIDUR_MEASURED_H

#include <stddef.h>
#include <string.h>

#include "models/llm/calibrate.h"

#define VIDUR_SHOWN 12

/* The token counts docs/TABLES.md shows. */
static const double vidur_tokens[VIDUR_SHOWN] = {1,   2,   8,    16,   64,   128,
                                                 256, 512, 1024, 2048, 3072, 4096};

/* Rounding of the recorded numbers: times printed with 4 decimals in ms, errors with 1 decimal in
 * percent. */
#define VIDUR_MS_ROUNDING  0.00005
#define VIDUR_ERR_ROUNDING 0.0005

/* docs/TABLES.md also quotes the A100 block just past one GEMM tile: "0.38 ms at 128 tokens but
 * 0.55 ms at 136" (a second wave of 128-token tiles), the second to two significant digits. */
#define VIDUR_A100_PAST_TILE_TOKENS      136
#define VIDUR_A100_PAST_TILE_MS          0.55
#define VIDUR_A100_PAST_TILE_MS_ROUNDING 0.005

struct vidur_profile {
    const char *model, *device;
    struct calib_fit fit; /* errors: of the block time over all 259 token counts */
    double measured_ms[VIDUR_SHOWN];
    double roofline_ms[VIDUR_SHOWN]; /* with the fit */
};

static const struct vidur_profile vidur_profiles[] = {
    {.model = "llama-2-7b",
     .device = "a100",
     .fit = {.eta_compute = 0.80,
             .eta_memory = 0.68,
             .eta_elementwise = 0.24,
             .overlap = 3,
             .gemm_tile = 128,
             .launch_s = 0.2e-6,
             .max_error = 0.082,
             .mean_error = 0.033},
     .measured_ms = {0.2900, 0.2800, 0.2830, 0.2870, 0.3030, 0.3825, 0.5565, 1.0425, 2.1230, 4.1720,
                     6.1535, 8.1705},
     .roofline_ms = {0.2941, 0.2945, 0.2970, 0.3004, 0.3244, 0.3760, 0.5525, 1.0141, 1.9962, 3.9799,
                     5.9664, 7.9534}},
    {.model = "llama-2-7b",
     .device = "h100",
     .fit = {.eta_compute = 0.80,
             .eta_memory = 0.98,
             .eta_elementwise = 0.40,
             .overlap = 3,
             .gemm_tile = 128,
             .launch_s = 7.2e-6,
             .max_error = 0.110,
             .mean_error = 0.043},
     .measured_ms = {0.1750, 0.1710, 0.1720, 0.1810, 0.1830, 0.1990, 0.2860, 0.3745, 0.6570, 1.2665,
                     1.9990, 2.5920},
     .roofline_ms = {0.1882, 0.1884, 0.1893, 0.1906, 0.1988, 0.2136, 0.2613, 0.4001, 0.7133, 1.3538,
                     1.9964, 2.6394}},
    {.model = "llama-2-7b",
     .device = "a40",
     .fit = {.eta_compute = 0.82,
             .eta_memory = 0.80,
             .eta_elementwise = 0.44,
             .overlap = 2,
             .gemm_tile = 64,
             .launch_s = 7.4e-6,
             .max_error = 0.082,
             .mean_error = 0.031},
     .measured_ms = {0.7480, 0.7480, 0.7550, 0.7720, 0.9390, 0.9460, 1.3930, 2.2220, 4.2770, 8.0945,
                     12.2690, 16.4435},
     .roofline_ms = {0.7943, 0.7950, 0.8000, 0.8074, 0.8707, 0.9987, 1.3515, 2.2169, 4.1016, 7.9718,
                     11.8666, 15.7676}},
    {.model = "phi-2",
     .device = "h100",
     .fit = {.eta_compute = 0.68,
             .eta_memory = 1.00,
             .eta_elementwise = 0.80,
             .overlap = 1.5,
             .gemm_tile = 128,
             .launch_s = 4.8e-6,
             .max_error = 0.173,
             .mean_error = 0.067},
     .measured_ms = {0.0820, 0.0840, 0.0845, 0.0860, 0.0970, 0.1020, 0.1270, 0.1960, 0.3885, 0.5635,
                     0.7905, 1.1180},
     .roofline_ms = {0.0854, 0.0855, 0.0861, 0.0870, 0.0944, 0.1071, 0.1365, 0.2013, 0.3368, 0.6126,
                     0.8899, 1.1676}},
};
#define VIDUR_PROFILES (sizeof vidur_profiles / sizeof vidur_profiles[0])

/* The recorded profile of `model` on `device`, or NULL. */
static inline const struct vidur_profile *vidur_profile_find(const char *model, const char *device)
{
    for (size_t i = 0; i < VIDUR_PROFILES; i++)
        if (strcmp(vidur_profiles[i].model, model) == 0 &&
            strcmp(vidur_profiles[i].device, device) == 0)
            return &vidur_profiles[i];
    return NULL;
}

#endif
