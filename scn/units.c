#include "scn/units.h"

#include "sim/diag.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum conv {
    LINEAR,    /* base = value * factor */
    WATTS,     /* base dBm = 10 log10(value * factor in mW) */
    DB_OFFSET, /* base = value + factor (dBW -> dBm) */
};

struct unit {
    const char *name;
    enum unit_dim dim;
    enum conv conv;
    double factor;
};

static const struct unit units[] = {
    {"%", DIM_NONE, LINEAR, 0.01},
    {"ns", DIM_TIME, LINEAR, 1e-9},
    {"us", DIM_TIME, LINEAR, 1e-6},
    {"\xc2\xb5s", DIM_TIME, LINEAR, 1e-6}, /* µs */
    {"ms", DIM_TIME, LINEAR, 1e-3},
    {"s", DIM_TIME, LINEAR, 1},
    {"min", DIM_TIME, LINEAR, 60},
    {"h", DIM_TIME, LINEAR, 3600},
    {"d", DIM_TIME, LINEAR, 86400},
    {"/s", DIM_RATE, LINEAR, 1},
    {"1/s", DIM_RATE, LINEAR, 1},
    {"/ms", DIM_RATE, LINEAR, 1e3},
    {"/min", DIM_RATE, LINEAR, 1.0 / 60},
    {"/h", DIM_RATE, LINEAR, 1.0 / 3600},
    {"Hz", DIM_FREQUENCY, LINEAR, 1},
    {"kHz", DIM_FREQUENCY, LINEAR, 1e3},
    {"MHz", DIM_FREQUENCY, LINEAR, 1e6},
    {"GHz", DIM_FREQUENCY, LINEAR, 1e9},
    {"dBm", DIM_POWER, LINEAR, 1},
    {"dBW", DIM_POWER, DB_OFFSET, 30},
    {"mW", DIM_POWER, WATTS, 1},
    {"W", DIM_POWER, WATTS, 1e3},
    {"dBm/Hz", DIM_PSD, LINEAR, 1},
    {"dBW/Hz", DIM_PSD, DB_OFFSET, 30},
    {"dB", DIM_GAIN, LINEAR, 1},
    {"m", DIM_DISTANCE, LINEAR, 1},
    {"km", DIM_DISTANCE, LINEAR, 1e3},
    {"m/s", DIM_SPEED, LINEAR, 1},
    {"km/h", DIM_SPEED, LINEAR, 1 / 3.6},
    {"B", DIM_SIZE, LINEAR, 1},
    {"kB", DIM_SIZE, LINEAR, 1e3},
    {"KiB", DIM_SIZE, LINEAR, 1024.0},
    {"MB", DIM_SIZE, LINEAR, 1e6},
    {"MiB", DIM_SIZE, LINEAR, 1048576.0},
    {"GB", DIM_SIZE, LINEAR, 1e9},
    {"GiB", DIM_SIZE, LINEAR, 1073741824.0},
    {"TB", DIM_SIZE, LINEAR, 1e12},
    {"TiB", DIM_SIZE, LINEAR, 1099511627776.0},
    {"bit/s", DIM_BITRATE, LINEAR, 1},
    {"kbit/s", DIM_BITRATE, LINEAR, 1e3},
    {"Mbit/s", DIM_BITRATE, LINEAR, 1e6},
    {"Gbit/s", DIM_BITRATE, LINEAR, 1e9},
    {"B/s", DIM_BYTERATE, LINEAR, 1},
    {"MB/s", DIM_BYTERATE, LINEAR, 1e6},
    {"GB/s", DIM_BYTERATE, LINEAR, 1e9},
    {"TB/s", DIM_BYTERATE, LINEAR, 1e12},
    {"GiB/s", DIM_BYTERATE, LINEAR, 1073741824.0},
    {"FLOP/s", DIM_FLOPRATE, LINEAR, 1},
    {"GFLOP/s", DIM_FLOPRATE, LINEAR, 1e9},
    {"TFLOP/s", DIM_FLOPRATE, LINEAR, 1e12},
    {"PFLOP/s", DIM_FLOPRATE, LINEAR, 1e15},
    {"J", DIM_ENERGY, LINEAR, 1},
    {"kJ", DIM_ENERGY, LINEAR, 1e3},
    {"mWh", DIM_ENERGY, LINEAR, 3.6},
    {"Wh", DIM_ENERGY, LINEAR, 3600},
};
#define NUNITS (sizeof units / sizeof units[0])

static const struct {
    const char *name, *base, *list;
} dims[DIM_COUNT_] = {
    [DIM_NONE] = {"a number", "", "%"},
    [DIM_TIME] = {"a time", "s", "ns, us, ms, s, min, h, d"},
    [DIM_RATE] = {"a rate", "/s", "/s, /ms, /min, /h"},
    [DIM_FREQUENCY] = {"a frequency", "Hz", "Hz, kHz, MHz, GHz"},
    [DIM_POWER] = {"a power", "dBm", "dBm, dBW, mW, W"},
    [DIM_PSD] = {"a power spectral density", "dBm/Hz", "dBm/Hz, dBW/Hz"},
    [DIM_GAIN] = {"a gain or loss", "dB", "dB"},
    [DIM_DISTANCE] = {"a distance", "m", "m, km"},
    [DIM_SPEED] = {"a speed", "m/s", "m/s, km/h"},
    [DIM_SIZE] = {"a size", "B", "B, kB, KiB, MB, MiB, GB, GiB, TB, TiB"},
    [DIM_BITRATE] = {"a bit rate", "bit/s", "bit/s, kbit/s, Mbit/s, Gbit/s"},
    [DIM_BYTERATE] = {"a bandwidth", "B/s", "B/s, MB/s, GB/s, TB/s, GiB/s"},
    [DIM_FLOPRATE] = {"a compute rate", "FLOP/s", "FLOP/s, GFLOP/s, TFLOP/s, PFLOP/s"},
    [DIM_ENERGY] = {"an energy", "J", "J, kJ, mWh, Wh"},
};

const char *unit_dim_name(enum unit_dim dim)
{
    return dim < DIM_COUNT_ ? dims[dim].name : "?";
}

const char *unit_dim_base(enum unit_dim dim)
{
    return dim < DIM_COUNT_ ? dims[dim].base : "?";
}

const char *unit_dim_units(enum unit_dim dim)
{
    return dim < DIM_COUNT_ ? dims[dim].list : "?";
}

__attribute__((format(printf, 2, 3))) static int fail(char **why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(why, fmt, ap) < 0)
        *why = NULL;
    va_end(ap);
    return -1;
}

int unit_parse(const char *full, enum unit_dim dim, double *out, char **why)
{
    *why = NULL;
    /* Messages quote an excerpt; parsing uses the whole text. */
    char shown[DIAG_EXCERPT], unit_shown[DIAG_EXCERPT];
    const char *text = diag_excerpt(full, shown, sizeof shown);
    const char *expected = unit_dim_name(dim);
    char *end = NULL;
    errno = 0;
    double v = strtod(full, &end);
    if (end == full || isspace((unsigned char)full[0])) {
        if (dim == DIM_NONE)
            return fail(why, "expected a number, got '%s'", text);
        return fail(why, "expected %s (a number, optionally with a unit: %s), got '%s'", expected,
                    unit_dim_units(dim), text);
    }
    /* strtod also takes "inf", "nan" and hexadecimal: the number must be plain decimal. */
    for (const char *c = full; c < end; c++)
        if (!strchr("0123456789+-.eE", *c))
            return fail(why, "expected a finite decimal number, got '%s'", text);
    if (!isfinite(v) || errno == ERANGE)
        return fail(why, "expected a finite number, got '%s' (out of range)", text);
    while (*end == ' ')
        end++;
    if (*end == '\0') {
        *out = v == 0 ? 0 : v; /* no negative zero */
        return 0;
    }
    const struct unit *u = NULL;
    for (size_t i = 0; i < NUNITS; i++)
        if (strcmp(units[i].name, end) == 0) {
            u = &units[i];
            break;
        }
    if (!u && dim == DIM_NONE)
        return fail(why,
                    "unknown unit '%s' in '%s'; expected a plain number or a percentage "
                    "(e.g. 5 %%)",
                    diag_excerpt(end, unit_shown, sizeof unit_shown), text);
    if (!u)
        return fail(why, "unknown unit '%s' in '%s'; expected %s in %s",
                    diag_excerpt(end, unit_shown, sizeof unit_shown), text, expected,
                    unit_dim_units(dim));
    if (u->dim != dim)
        return fail(why, "expected %s (%s), got %s '%s'", expected, unit_dim_units(dim),
                    unit_dim_name(u->dim), text);
    double base;
    switch (u->conv) {
    case WATTS:
        if (!(v > 0))
            return fail(why, "expected a power > 0 %s, got '%s' (in dBm that is -infinity)",
                        u->name, text);
        base = 10 * log10(v * u->factor);
        break;
    case DB_OFFSET:
        base = v + u->factor;
        break;
    default:
        base = v * u->factor;
    }
    if (!isfinite(base))
        return fail(why, "expected a finite quantity, got '%s' (overflows)", text);
    *out = base == 0 ? 0 : base;
    return 0;
}

/* The display units of each dimension, largest first (unit_display). */
static const struct {
    enum unit_dim dim;
    const char *name;
    double factor;
} display[] = {
    {DIM_TIME, "h", 3600},
    {DIM_TIME, "min", 60},
    {DIM_TIME, "s", 1},
    {DIM_TIME, "ms", 1e-3},
    {DIM_TIME, "us", 1e-6},
    {DIM_TIME, "ns", 1e-9},
    {DIM_RATE, "/s", 1},
    {DIM_RATE, "/min", 1.0 / 60},
    {DIM_RATE, "/h", 1.0 / 3600},
    {DIM_FREQUENCY, "GHz", 1e9},
    {DIM_FREQUENCY, "MHz", 1e6},
    {DIM_FREQUENCY, "kHz", 1e3},
    {DIM_FREQUENCY, "Hz", 1},
    {DIM_DISTANCE, "km", 1e3},
    {DIM_DISTANCE, "m", 1},
    {DIM_SPEED, "m/s", 1},
    {DIM_SPEED, "km/h", 1 / 3.6},
    {DIM_SIZE, "TB", 1e12},
    {DIM_SIZE, "GB", 1e9},
    {DIM_SIZE, "MB", 1e6},
    {DIM_SIZE, "kB", 1e3},
    {DIM_SIZE, "B", 1},
    {DIM_BITRATE, "Gbit/s", 1e9},
    {DIM_BITRATE, "Mbit/s", 1e6},
    {DIM_BITRATE, "kbit/s", 1e3},
    {DIM_BITRATE, "bit/s", 1},
    {DIM_BYTERATE, "TB/s", 1e12},
    {DIM_BYTERATE, "GB/s", 1e9},
    {DIM_BYTERATE, "MB/s", 1e6},
    {DIM_BYTERATE, "B/s", 1},
    {DIM_FLOPRATE, "PFLOP/s", 1e15},
    {DIM_FLOPRATE, "TFLOP/s", 1e12},
    {DIM_FLOPRATE, "GFLOP/s", 1e9},
    {DIM_FLOPRATE, "FLOP/s", 1},
    {DIM_ENERGY, "kJ", 1e3},
    {DIM_ENERGY, "J", 1},
};
#define NDISPLAY (sizeof display / sizeof display[0])

/* Whether every value reads as 0, or as at least 1 exact to three decimals, in a unit of size f. */
static bool display_fits(const double *v, size_t n, double f)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        double x = fabs(v[i]) / f, milli = x * 1000;
        if (x == 0)
            continue;
        if (x < 1 - 1e-12 || fabs(milli - nearbyint(milli)) > 1e-9 * milli)
            return false;
        any = true;
    }
    return any;
}

const char *unit_display(enum unit_dim dim, const double *v, size_t n, double *factor)
{
    *factor = 1;
    for (size_t i = 0; i < NDISPLAY; i++)
        if (display[i].dim == dim && display_fits(v, n, display[i].factor)) {
            *factor = display[i].factor;
            return display[i].name;
        }
    return unit_dim_base(dim);
}
