/*
 * spatial — a Gaussian random field over the plane with exponential correlation, evaluated at
 * any point: the large-scale quantities that move with a UE (shadowing, the line-of-sight state)
 * without a grid and without state.
 *
 * Concept: Gudmundson's model (Electron. Lett. 27(23), 1991) gives log-normal shadowing the
 * autocorrelation R(d) = exp(-d / L) between two positions d apart (L the decorrelation
 * distance, 3GPP TR 38.901 Table 7.5-6 per scenario); TR 38.901 §7.6.3 asks for the same
 * correlation between the links of one base station to UEs at different positions, and for the
 * line-of-sight state to be drawn by comparing such a spatially consistent variable with the
 * LOS probability. Here one field F(x, y) with E[F] = 0, E[F^2] = 1 and
 * E[F(x) F(x + r)] = exp(-|r| / L) serves all of them, built by the spectral method (Shinozuka
 * and Deodatis, Appl. Mech. Rev. 44(4), 1991; the sum-of-sinusoids generator of the QuaDRiGa
 * channel model uses the same idea):
 *     F(x) = sqrt(2 / N) sum_n cos(k_n . x + phi_n),   n = 0 .. N-1, N = SPATIAL_SINUSOIDS,
 * with phases phi_n uniform and wave vectors k_n = k_n (cos theta_n, sin theta_n) drawn from the
 * field's spectrum. The 2D isotropic exponential correlation has the Hankel-transform pair
 *     exp(-r / L) = int_0^inf J0(k r) g(k) dk,   g(k) = a k / (a^2 + k^2)^(3/2),   a = 1 / L,
 * so the wavenumber has CDF G(k) = 1 - a / sqrt(a^2 + k^2) and quantile
 *     k = a sqrt(1 / (1 - u)^2 - 1);
 * with theta uniform, E[cos(k . r)] = E[J0(k |r|)] = exp(-|r| / L), the correlation exactly.
 * The draws are stratified, so one field (one replication) already shows nearly the exponential
 * correlation and not only the average over many: u_n in the n-th of N equal strata, and the
 * directions theta_n = 2 pi (pi(n) + v) / N, a random rotation v of N equally spaced angles
 * matched to the wavenumbers by a random permutation pi. Each k_n and theta_n keeps its
 * distribution's share, so the ensemble correlation stays exactly exp(-|r| / L) apart from one
 * cut: wavenumbers above SPATIAL_MAX_KL / L (the top 1e-3 of the spectrum, wavelengths below
 * 2 pi L / 1000) are set to it, which changes the correlation by less than 1.5e-3 at any lag and
 * keeps the phase arguments far from where cos2pi's reduction loses precision.
 * The marginal is a sum of N independent sinusoids: Gaussian to within the central limit (kurtosis
 * 3 - 3 / (2N)); docs/MODELS.md gives the measured correlation, marginal and the spread of one
 * field's correlation.
 *
 * Invariants: a field is a pure function of (key, L, x, y): the same value whatever was asked
 * before, in any order (common random numbers); |F| <= sqrt(2 N); spatial_uniform is in (0, 1).
 */
#ifndef SPLITSIM_MODELS_RADIO_SPATIAL_H
#define SPLITSIM_MODELS_RADIO_SPATIAL_H

#include <stdint.h>

#define SPATIAL_SINUSOIDS 64
#define SPATIAL_MAX_KL    1000.0 /* k L cap: G(1000 / L) = 1 - 1e-3 */

struct spatial_field {
    double decorrelation_m; /* L */
    /* per sinusoid: the wave vector in cycles per metre (k / 2 pi) and the phase in cycles */
    double kx[SPATIAL_SINUSOIDS], ky[SPATIAL_SINUSOIDS], phase[SPATIAL_SINUSOIDS];
};

/* A field of decorrelation distance L > 0 (metres) drawn from `key`. */
void spatial_field_init(struct spatial_field *f, uint64_t key, double decorrelation_m);

/* F(x, y): approximately N(0, 1), with correlation exp(-d / L) between points d apart. */
double spatial_field_at(const struct spatial_field *f, double x_m, double y_m);

/* Phi(F(x, y)): the field mapped through the normal CDF, approximately uniform on (0, 1) and
 * spatially correlated (TR 38.901 §7.6.3.3's spatially consistent uniform variable). */
double spatial_uniform(const struct spatial_field *f, double x_m, double y_m);

#endif
