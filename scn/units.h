/*
 * units — physical quantities written the way researchers write them: "20 MHz", "23 dBm",
 * "-174 dBm/Hz", "10 ms", "3 km/h", "4 GiB", "0.5 /s", "5 %".
 *
 * Concept: every quantity field has a dimension; a value is a finite number optionally followed
 * by a unit of that dimension, and is converted to the dimension's base unit (the one the
 * documentation names; a plain number is taken in it). Logarithmic power units are kept
 * logarithmic: powers are stored in dBm (W and mW are converted), spectral densities in dBm/Hz.
 *
 * Invariants: the result is always finite; a unit of another dimension is reported as such
 * ("expected a time, got a frequency"); unit names are case-sensitive where SI says so (ms vs
 * Ms: only the former exists here).
 */
#ifndef SPLITSIM_SCN_UNITS_H
#define SPLITSIM_SCN_UNITS_H

#include <stddef.h>

enum unit_dim {
    DIM_NONE,      /* dimensionless: plain number or % */
    DIM_TIME,      /* base s */
    DIM_RATE,      /* base 1/s */
    DIM_FREQUENCY, /* base Hz */
    DIM_POWER,     /* base dBm */
    DIM_PSD,       /* base dBm/Hz */
    DIM_GAIN,      /* base dB */
    DIM_DISTANCE,  /* base m */
    DIM_SPEED,     /* base m/s */
    DIM_SIZE,      /* base B (bytes) */
    DIM_BITRATE,   /* base bit/s */
    DIM_BYTERATE,  /* base B/s (memory bandwidth) */
    DIM_FLOPRATE,  /* base FLOP/s */
    DIM_ENERGY,    /* base J */
    DIM_COUNT_
};

/* The dimension's name for messages ("a time") and its base unit ("s"; "" for DIM_NONE). */
const char *unit_dim_name(enum unit_dim dim);
const char *unit_dim_base(enum unit_dim dim);

/* The units accepted for a dimension, as one comma-separated string for messages and docs. */
const char *unit_dim_units(enum unit_dim dim);

/*
 * Parses `text` as a quantity of dimension `dim` into *out (base unit). Returns 0, or -1 with a
 * message (what was found and what was expected, without the key path) in *why, which the
 * caller frees.
 */
int unit_parse(const char *text, enum unit_dim dim, double *out, char **why);

/*
 * The unit in which a set of n values of dimension `dim` (in the base unit) reads best, for
 * tables written for people and for pandas: the largest of the dimension's display units (from
 * GHz down to Hz, h down to us, /s down to /h, km down to m, ...) in which every value is 0 or
 * at least 1 in magnitude and exact to three decimals, so 5e6 Hz reads "5 MHz" (not "0.005 GHz"
 * or "5000 kHz") and 0.1 /s reads "6 /min"; the base unit when no display unit fits, when every
 * value is 0, and for the logarithmic dimensions (dBm, dBm/Hz, dB) and DIM_NONE ("" then). Sizes
 * use the decimal units (kB, MB, GB, TB). *factor gets the unit's size in the base unit: a
 * value reads base / *factor in it. Never NULL.
 */
const char *unit_display(enum unit_dim dim, const double *v, size_t n, double *factor);

#endif
