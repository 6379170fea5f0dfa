/*
 * pathloss — the distance-dependent loss of a link and its line-of-sight probability: a
 * log-distance law, or the 3GPP TR 38.901 (Release 17) models UMi-Street Canyon, UMa and RMa.
 *
 * Concept (d_2D the horizontal distance to the base station, clamped to >= 10 m for the 38.901
 * models — their lower limit — and >= 1 m for log-distance; d_3D = sqrt(d_2D^2 + (h_BS - h_UT)^2);
 * f_c in GHz where the formulas say so; beyond the standard's upper distances, 5 or 10 km, the
 * formulas are extrapolated):
 *   log-distance  PL = PL(1 m) + 10 n log10(d)                     (no LOS/NLOS distinction)
 *   UMi-SC (Table 7.4.1-1), breakpoint d'_BP = 4 (h_BS - 1)(h_UT - 1) f_c / c (f_c in Hz):
 *     LOS   PL_1 = 32.4 + 21 log10 d_3D + 20 log10 f_c                       d_2D <= d'_BP
 *           PL_2 = 32.4 + 40 log10 d_3D + 20 log10 f_c - 9.5 log10(d'_BP^2 + (h_BS - h_UT)^2)
 *     NLOS  max(PL_LOS, 35.3 log10 d_3D + 22.4 + 21.3 log10 f_c - 0.3 (h_UT - 1.5))
 *   UMa (Table 7.4.1-1), the same breakpoint (effective environment height h_E = 1 m, which the
 *   standard fixes for h_UT < 13 m; above, where it would draw h_E, 1 m is kept):
 *     LOS   PL_1 = 28 + 22 log10 d_3D + 20 log10 f_c                          d_2D <= d'_BP
 *           PL_2 = 28 + 40 log10 d_3D + 20 log10 f_c - 9 log10(d'_BP^2 + (h_BS - h_UT)^2)
 *     NLOS  max(PL_LOS, 13.54 + 39.08 log10 d_3D + 20 log10 f_c - 0.6 (h_UT - 1.5))
 *   RMa (Table 7.4.1-1), d_BP = 2 pi h_BS h_UT f_c / c, h the mean building height, W the street
 *   width:
 *     LOS   PL_1 = 20 log10(40 pi d_3D f_c / 3) + min(0.03 h^1.72, 10) log10 d_3D
 *                  - min(0.044 h^1.72, 14.77) + 0.002 log10(h) d_3D           d_2D <= d_BP
 *           PL_2 = PL_1(d_BP) + 40 log10(d_3D / d_BP)
 *     NLOS  max(PL_LOS, 161.04 - 7.1 log10 W + 7.5 log10 h - (24.37 - 3.7 (h / h_BS)^2) log10 h_BS
 *                       + (43.42 - 3.1 log10 h_BS)(log10 d_3D - 3) + 20 log10 f_c
 *                       - (3.2 (log10(11.75 h_UT))^2 - 4.97))
 * LOS probability (Table 7.4.2-1, outdoor UEs):
 *   UMi-SC  1 for d_2D <= 18 m, else 18 / d_2D + exp(-d_2D / 36)(1 - 18 / d_2D)
 *   UMa     1 for d_2D <= 18 m, else (18 / d_2D + exp(-d_2D / 63)(1 - 18 / d_2D))
 *                                    (1 + C'(h_UT) 5/4 (d_2D / 100)^3 exp(-d_2D / 150)),
 *           C'(h_UT) = 0 for h_UT <= 13 m, ((h_UT - 13) / 10)^1.5 above
 *   RMa     1 for d_2D <= 10 m, else exp(-(d_2D - 10) / 1000)
 *   log-distance: 0 (every link is NLOS; the distinction does not exist there).
 * Which state a link is in — drawn per link, or from a spatially consistent field (spatial.h) —
 * is channel.h's business; this module only gives the laws.
 *
 * Invariants: the path loss is finite for any finite distance, non-decreasing in it, and NLOS
 * is never below LOS; the LOS probability is in [0, 1], 1 near the base station.
 */
#ifndef SPLITSIM_MODELS_RADIO_PATHLOSS_H
#define SPLITSIM_MODELS_RADIO_PATHLOSS_H

#include <stdbool.h>

#include "models/radio/channel.h"

/* Checks the path-loss parameters against the model's range of validity; NULL or a message. */
const char *pathloss_check(const struct chan_params *p);

/* Whether the model tells LOS from NLOS (the 38.901 models). */
bool pathloss_has_los(const struct chan_params *p);

/* The path loss in dB at horizontal distance d_2D, in the LOS or NLOS state. */
double pathloss_db(const struct chan_params *p, double d2d_m, bool los);

/* The probability that a UE at horizontal distance d_2D is in line of sight. */
double pathloss_los_probability(const struct chan_params *p, double d2d_m);

#endif
