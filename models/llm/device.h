/*
 * device — compute devices for cost tables: datasheet peaks plus measured efficiency.
 *
 * Concept: a layer's time on a device follows a roofline: the larger of its arithmetic time
 * (FLOPs / (eta_compute x peak FLOP/s)) and its memory time (bytes / (eta_memory x peak
 * bandwidth)), plus a fixed cost per kernel launch. Measured kernels are slower than either bound
 * where the two meet, so the larger is taken as a smooth maximum (c^p + m^p)^(1/p) with a fitted
 * p (p = 0 stands for the plain maximum); element-wise kernels get their own bandwidth
 * efficiency; and a GEMM's arithmetic is counted in whole tiles of `gemm_tile` tokens (a GPU runs
 * 129 tokens as two 128-token waves: the measured time jumps there). Peaks and power come from
 * vendor datasheets, or, where a vendor publishes none (phone GPUs, their memory bandwidth), are
 * derived from core counts, clocks and memory rates, and the source says which (docs/TABLES.md
 * cites each); the efficiency factors and the launch cost are fitted to measured per-operator
 * data where such data exists (A100, H100, A40: Microsoft Vidur's profiles, fitted by `splitsim
 * tables calibrate`), and are marked as assumptions elsewhere.
 *
 * Invariants: peaks are for the device's value type (FP16 dense unless value_bytes says 4);
 * 0 < eta <= 1; every entry names where its numbers come from.
 */
#ifndef SPLITSIM_MODELS_DEVICE_H
#define SPLITSIM_MODELS_DEVICE_H

#include <stdbool.h>

struct device {
    const char *name; /* lowercase, e.g. "h100" */
    const char *description;
    double peak_flops;      /* FP16 dense, FLOP/s */
    double mem_bw;          /* bytes/s */
    double memory;          /* bytes */
    double power_w;         /* board power (TDP or typical), W */
    double eta_compute;     /* fraction of peak FLOP/s reached by large GEMMs */
    double eta_memory;      /* fraction of peak bandwidth reached streaming weights */
    double eta_elementwise; /* fraction of peak bandwidth reached by element-wise kernels */
    double overlap;         /* p of the roofline's smooth maximum (c^p + m^p)^(1/p); 0: max */
    double launch_s;        /* fixed cost per kernel */
    double gemm_tile;       /* GEMM work is done in tiles of this many tokens (rounded up);
                               0 or 1: none */
    double value_bytes;     /* bytes per weight and activation value: 2 (FP16, the default when
                               0) or 4 (FP32, as the CPU profiler runs) */
    bool calibrated;        /* eta and launch fitted to measurements (else assumed) */
    const char *source;     /* datasheet, and the calibration or assumption */
};

/* Bytes per value (2 unless the device says otherwise). */
static inline double device_value_bytes(const struct device *d)
{
    return d->value_bytes > 0 ? d->value_bytes : 2.0;
}

/* The built-in devices, NULL-terminated, and lookup by name (NULL if unknown). */
extern const struct device *const device_catalogue[];
const struct device *device_find(const char *name);

#endif
