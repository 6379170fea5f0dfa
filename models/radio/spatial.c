#include "models/radio/spatial.h"

#include <math.h>

#include "models/radio/draws.h"

/* The node of a field's draws under its key. */
#define FIELD_NODE UINT64_C(0x5a7a11a1)

void spatial_field_init(struct spatial_field *f, uint64_t key, double decorrelation_m)
{
    const int n = SPATIAL_SINUSOIDS;
    uint64_t s = seq_start(key, FIELD_NODE);
    f->decorrelation_m = decorrelation_m;
    /* a random permutation of the direction strata (Fisher-Yates) and a random rotation */
    int perm[SPATIAL_SINUSOIDS];
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(seq_uniform(&s) * (i + 1));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    double rotation = seq_uniform(&s);
    double a = 1 / decorrelation_m, kmax = SPATIAL_MAX_KL * a;
    for (int i = 0; i < n; i++) {
        double u = ((double)i + seq_uniform(&s)) / n, q = 1 - u;
        /* k = a sqrt(1 / q^2 - 1) = a sqrt((1 - q)(1 + q)) / q, without cancellation */
        double k = q > 0 ? a * sqrt((1 - q) * (1 + q)) / q : kmax;
        if (!(k <= kmax))
            k = kmax;
        double theta = 2 * M_PI * ((double)perm[i] + rotation) / n;
        f->kx[i] = k * cos(theta) / (2 * M_PI);
        f->ky[i] = k * sin(theta) / (2 * M_PI);
        f->phase[i] = seq_uniform(&s);
    }
}

/* The cosines' loop vectorises (the AVX2 clone is picked at run time where the processor has
 * one: the same operations without fused multiply-adds, so the same bits either way). */
__attribute__((target_clones("avx2", "default"))) static double
field_sum(const struct spatial_field *f, double x_m, double y_m)
{
    double c[SPATIAL_SINUSOIDS], sum = 0;
    for (int i = 0; i < SPATIAL_SINUSOIDS; i++)
        c[i] = cos2pi(f->kx[i] * x_m + f->ky[i] * y_m + f->phase[i]);
    for (int i = 0; i < SPATIAL_SINUSOIDS; i++)
        sum += c[i];
    return sum * sqrt(2.0 / SPATIAL_SINUSOIDS);
}

double spatial_field_at(const struct spatial_field *f, double x_m, double y_m)
{
    return field_sum(f, x_m, y_m);
}

double spatial_uniform(const struct spatial_field *f, double x_m, double y_m)
{
    double u = 0.5 * erfc(-spatial_field_at(f, x_m, y_m) / M_SQRT2);
    return u > 0 ? (u < 1 ? u : 1 - 0x1p-53) : 0x1p-1074;
}
