#include "models/radio/pathloss.h"

#include <math.h>

#define SPEED_OF_LIGHT 299792458.0

const char *pathloss_check(const struct chan_params *p)
{
    /* TR 38.901 Table 7.4.1-1 and its applicability: f_c 0.5 .. 100 GHz (RMa: .. 30 GHz);
     * h_UT 1.5 .. 22.5 m (RMa: 1 .. 10 m); h_BS above the UE (the standard's 10, 25 and 35 m
     * are defaults, any height up to 150 m is accepted); RMa: h 5 .. 50 m, W 5 .. 50 m */
    double fc = p->carrier_hz, hut = p->ue_height_m, hbs = p->bs_height_m;
    switch (p->pathloss) {
    case CHAN_PATHLOSS_LOG_DISTANCE:
        if (!(p->pathloss_exponent >= 1 && p->pathloss_exponent <= 8))
            return "path-loss exponent must be in [1, 8]";
        if (!isfinite(p->pathloss_ref_db))
            return "path loss at 1 m must be finite";
        return NULL;
    case CHAN_PATHLOSS_UMI:
    case CHAN_PATHLOSS_UMA:
        if (!(fc >= 0.5e9 && fc <= 100e9))
            return "the 38.901 UMi and UMa path losses need a carrier frequency in [0.5, 100] GHz";
        if (!(hut >= 1.5 && hut <= 22.5))
            return "the 38.901 UMi and UMa path losses need a UE height in [1.5, 22.5] m";
        break;
    case CHAN_PATHLOSS_RMA:
        if (!(fc >= 0.5e9 && fc <= 30e9))
            return "the 38.901 RMa path loss needs a carrier frequency in [0.5, 30] GHz";
        if (!(hut >= 1 && hut <= 10))
            return "the 38.901 RMa path loss needs a UE height in [1, 10] m";
        if (!(p->building_height_m >= 5 && p->building_height_m <= 50))
            return "the 38.901 RMa path loss needs a mean building height in [5, 50] m";
        if (!(p->street_width_m >= 5 && p->street_width_m <= 50))
            return "the 38.901 RMa path loss needs a street width in [5, 50] m";
        break;
    default:
        return "unknown path-loss model";
    }
    if (!(hbs > hut && hbs <= 150))
        return "the 38.901 path losses need a base station height above the UE's, at most 150 m";
    return NULL;
}

bool pathloss_has_los(const struct chan_params *p)
{
    return p->pathloss != CHAN_PATHLOSS_LOG_DISTANCE;
}

/* The LOS breakpoint law shared by UMi and UMa: a + b log10 d_3D + 20 log10 f_c before the
 * breakpoint d'_BP (h_E = 1 m), a + 40 log10 d_3D + 20 log10 f_c - c log10(d'_BP^2 + dh^2)
 * after, where c = 40 - b keeps it continuous. */
static double urban_los_db(const struct chan_params *p, double d2d, double d3d, double a, double b)
{
    double hbs = p->bs_height_m, hut = p->ue_height_m, dh = hbs - hut;
    double dbp = 4 * (hbs - 1) * (hut - 1) * p->carrier_hz / SPEED_OF_LIGHT;
    double fc = 20 * log10(p->carrier_hz / 1e9);
    if (d2d <= dbp)
        return a + b * log10(d3d) + fc;
    return a + 40 * log10(d3d) + fc - (40 - b) / 2 * log10(dbp * dbp + dh * dh);
}

static double rma_los_at(const struct chan_params *p, double d3d)
{
    double h = p->building_height_m, h172 = pow(h, 1.72);
    return 20 * log10(40 * M_PI * d3d * (p->carrier_hz / 1e9) / 3) +
           fmin(0.03 * h172, 10) * log10(d3d) - fmin(0.044 * h172, 14.77) +
           0.002 * log10(h) * d3d;
}

static double rma_los_db(const struct chan_params *p, double d2d, double d3d)
{
    double dbp = 2 * M_PI * p->bs_height_m * p->ue_height_m * p->carrier_hz / SPEED_OF_LIGHT;
    if (d2d <= dbp)
        return rma_los_at(p, d3d);
    return rma_los_at(p, dbp) + 40 * log10(d3d / dbp);
}

static double rma_nlos_db(const struct chan_params *p, double d3d)
{
    double h = p->building_height_m, w = p->street_width_m, hbs = p->bs_height_m;
    double hut = p->ue_height_m, l = log10(11.75 * hut);
    return 161.04 - 7.1 * log10(w) + 7.5 * log10(h) -
           (24.37 - 3.7 * (h / hbs) * (h / hbs)) * log10(hbs) +
           (43.42 - 3.1 * log10(hbs)) * (log10(d3d) - 3) + 20 * log10(p->carrier_hz / 1e9) -
           (3.2 * l * l - 4.97);
}

double pathloss_db(const struct chan_params *p, double d2d, bool los)
{
    if (p->pathloss == CHAN_PATHLOSS_LOG_DISTANCE) {
        double d = d2d > 1 ? d2d : 1;
        return p->pathloss_ref_db + 10 * p->pathloss_exponent * log10(d);
    }
    if (!(d2d >= 10))
        d2d = 10;
    double hut = p->ue_height_m, dh = p->bs_height_m - hut;
    double d3d = sqrt(d2d * d2d + dh * dh), fc = log10(p->carrier_hz / 1e9);
    double pl_los, pl_nlos;
    switch (p->pathloss) {
    case CHAN_PATHLOSS_UMI:
        pl_los = urban_los_db(p, d2d, d3d, 32.4, 21);
        pl_nlos = 35.3 * log10(d3d) + 22.4 + 21.3 * fc - 0.3 * (hut - 1.5);
        break;
    case CHAN_PATHLOSS_UMA:
        pl_los = urban_los_db(p, d2d, d3d, 28.0, 22);
        pl_nlos = 13.54 + 39.08 * log10(d3d) + 20 * fc - 0.6 * (hut - 1.5);
        break;
    default: /* RMa */
        pl_los = rma_los_db(p, d2d, d3d);
        pl_nlos = rma_nlos_db(p, d3d);
        break;
    }
    return los || pl_los > pl_nlos ? pl_los : pl_nlos;
}

double pathloss_los_probability(const struct chan_params *p, double d2d)
{
    double pr;
    switch (p->pathloss) {
    case CHAN_PATHLOSS_UMI:
        if (d2d <= 18)
            return 1;
        pr = 18 / d2d + exp(-d2d / 36) * (1 - 18 / d2d);
        break;
    case CHAN_PATHLOSS_UMA: {
        if (d2d <= 18)
            return 1;
        double hut = p->ue_height_m;
        double c = hut <= 13 ? 0 : pow((hut - 13) / 10, 1.5);
        pr = (18 / d2d + exp(-d2d / 63) * (1 - 18 / d2d)) *
             (1 + c * 1.25 * pow(d2d / 100, 3) * exp(-d2d / 150));
        break;
    }
    case CHAN_PATHLOSS_RMA:
        if (d2d <= 10)
            return 1;
        pr = exp(-(d2d - 10) / 1000);
        break;
    default:
        return 0;
    }
    return pr < 0 ? 0 : (pr > 1 ? 1 : pr);
}
