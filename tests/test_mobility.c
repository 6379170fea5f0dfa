/* Mobility: static and random-waypoint UEs; positions in the cell, speeds within bounds, legs,
 * speeds and the stationary spatial distribution against random-waypoint theory, the same path
 * and travelled distance whatever the query times and order, the travelled distance against
 * v t and the time-average speed, and the uniform initial placement. */
#include <math.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_ellint.h>

#include "check_main.h"
#include "models/radio/mobility.h"

static const struct mobility_params rwp = {.radius_m = 500,
                                           .moving = true,
                                           .speed_min_mps = 1,
                                           .speed_max_mps = 3,
                                           .pause_ns = 2000000000};

/*
 * Random waypoint against its theory, none of which the model computes. Waypoints uniform in a
 * disc of radius R, speed uniform in [v1, v2] per leg, pause P:
 *   - a leg joins two independent uniform points of the disc: mean length 128 R / (45 pi)
 *     (Santalo, "Integral geometry and geometric probability", 1976) and mean square length
 *     exactly R^2 (E|a - b|^2 = E|a|^2 + E|b|^2 = R^2 / 2 + R^2 / 2);
 *   - per leg the speed is uniform: mean (v1 + v2) / 2;
 *   - walking time per leg E[L / v] = E[L] E[1 / v], E[1 / v] = ln(v2 / v1) / (v2 - v1), so the
 *     time-average speed is E[L] / (E[L] E[1 / v] + P), below the mean of the speeds drawn (the
 *     speed decay of Yoon, Liu and Noble, "Random waypoint considered harmful", INFOCOM 2003).
 */
#define WP_R     100.0
#define WP_V1    1.0
#define WP_V2    3.0
#define WP_PAUSE 2.0
#define WP_LEG   (128 * WP_R / (45 * M_PI))

static const struct mobility_params wp = {.radius_m = WP_R,
                                          .moving = true,
                                          .speed_min_mps = WP_V1,
                                          .speed_max_mps = WP_V2,
                                          .pause_ns = (int64_t)(WP_PAUSE * 1e9)};

/* One UE's path sampled every WALK_DT_NS: the legs are found from the pauses, where the position
 * stands exactly still; each leg runs from one pause's position to the next's. */
struct walk {
    uint64_t legs;
    double len, len2;        /* sums over legs: length, length^2 */
    double speed, speed2;    /* ... length / walking time */
    double walking, pausing; /* sums of the walking times and pause times, s */
    double path;             /* distance covered between samples, summed, m */
    double r_max, step_max;  /* farthest from the centre; longest step between samples */
};

enum { WALK_UES = 16 };
#define WALK_DT_NS 100000000LL /* 0.1 s */
#define WALK_T_S   100000.0

static void walk(uint64_t id, struct walk *w)
{
    struct mobility m;
    ck_assert_int_eq(mobility_init(&m, &wp, 11, 0, id), 0);
    double px, py, wx = NAN, wy = NAN, dt = WALK_DT_NS / 1e9;
    /* when the UE reached its current pause (NaN while walking); when it left the last one */
    double arrived = NAN, left = NAN;
    mobility_position(&m, &wp, 0, &px, &py);
    for (int64_t t = WALK_DT_NS; t <= (int64_t)(WALK_T_S * 1e9); t += WALK_DT_NS) {
        double x, y, now = (double)t / 1e9;
        mobility_position(&m, &wp, t, &x, &y);
        double step = hypot(x - px, y - py);
        w->r_max = fmax(w->r_max, hypot(x, y));
        w->step_max = fmax(w->step_max, step);
        w->path += step;
        bool still = step == 0;
        if (still && isnan(arrived)) {
            /* the first sample equal to its predecessor: the UE arrived between the sample
             * before that one and that one (estimate: the middle) */
            arrived = now - 1.5 * dt;
            if (!isnan(left)) {
                double len = hypot(x - wx, y - wy), time = arrived - left;
                w->legs++;
                w->len += len, w->len2 += len * len;
                w->speed += len / time, w->speed2 += len / time * (len / time);
                w->walking += time;
            }
            wx = x, wy = y;
        } else if (!still && !isnan(arrived)) { /* left since the previous sample */
            left = now - dt / 2;
            w->pausing += left - arrived;
            arrived = NAN;
        }
        px = x, py = y;
    }
    mobility_release(&m);
    /* (checked once here: a Check assertion per sample costs a write to Check's pipe) */
    ck_assert_msg(w->r_max <= WP_R + 1e-9, "%g m from the centre", w->r_max);
    ck_assert_msg(w->step_max <= WP_V2 * dt + 1e-9, "speed %g m/s", w->step_max / dt);
}

/* |x - want| within `tol`: the tolerance is a few standard errors of the estimate. */
static void near(const char *what, double x, double want, double tol)
{
    ck_assert_msg(fabs(x - want) <= tol, "%s: %g, theory %g (tolerance %g)", what, x, want, tol);
}

START_TEST(test_waypoint_theory)
{
    struct walk w[WALK_UES] = {0}, all = {0};
    double avg_speed[WALK_UES], sum = 0, sum2 = 0;
    for (int i = 0; i < WALK_UES; i++) {
        walk((uint64_t)i, &w[i]);
        all.legs += w[i].legs;
        all.len += w[i].len, all.len2 += w[i].len2;
        all.speed += w[i].speed, all.speed2 += w[i].speed2;
        all.walking += w[i].walking, all.pausing += w[i].pausing;
        avg_speed[i] = w[i].path / WALK_T_S;
        sum += avg_speed[i], sum2 += avg_speed[i] * avg_speed[i];
    }
    double n = (double)all.legs, inv_v = log(WP_V2 / WP_V1) / (WP_V2 - WP_V1);
    double cycle = WP_LEG * inv_v + WP_PAUSE;
    /* a UE that never moves, or never stops, has no legs */
    ck_assert_msg(n > 0.9 * WALK_UES * WALK_T_S / cycle, "%g legs", n);
    /* tolerances: 5 standard errors, from the theory's standard deviations: L's is
     * R sqrt(1 - (E[L] / R)^2); L^2's is R^2 sqrt(2 / 3) (E|a - b|^4 = 5 R^4 / 3); L / v's is
     * sqrt(E[L^2] E[1 / v^2] - E[L / v]^2) with E[1 / v^2] = 1 / (v1 v2) */
    double se = 1 / sqrt(n), sd_v = (WP_V2 - WP_V1) / sqrt(12);
    near("mean leg length", all.len / n, WP_LEG, 5 * se * WP_R * sqrt(1 - pow(WP_LEG / WP_R, 2)));
    near("mean square leg length", all.len2 / n, WP_R * WP_R, 5 * se * WP_R * WP_R * sqrt(2 / 3.0));
    /* (plus 0.002 for the timing of the legs to +-dt / 2 at each end) */
    near("mean speed of a leg", all.speed / n, (WP_V1 + WP_V2) / 2, 5 * se * sd_v + 0.002);
    near("sd of the speeds of legs", sqrt(all.speed2 / n - pow(all.speed / n, 2)), sd_v, 0.01);
    double walk_sd = sqrt(WP_R * WP_R / (WP_V1 * WP_V2) - pow(WP_LEG * inv_v, 2));
    near("mean walking time of a leg", all.walking / n, WP_LEG * inv_v, 5 * se * walk_sd);
    near("mean pause", all.pausing / n, WP_PAUSE, 0.01);
    /* the time-average speed, 1.750 m/s here (the mean speed drawn, 2 m/s, would give 1.915):
     * within 2 %, which the spread over UEs shows is more than 4 standard errors */
    double mean = sum / WALK_UES, sem = sqrt((sum2 / WALK_UES - mean * mean) / (WALK_UES - 1));
    double want = WP_LEG / cycle;
    ck_assert_msg(sem < 0.005 * want, "time-average speed: standard error %g", sem);
    near("time-average speed", mean, want, 0.02 * want);
}
END_TEST

/*
 * The stationary spatial distribution: denser in the centre than the uniform waypoints. While
 * walking, a random-waypoint UE in a disc of radius R is at distance r = rho R with density
 * g(rho) = (45 / 16) rho (1 - rho^2) E(rho), E the complete elliptic integral of the second kind
 * (Hyytiae, Lassila and Virtamo, "Spatial node distribution of the random waypoint mobility
 * model with applications", IEEE TMC 5(6), 2006: the density at x is proportional to the
 * integral over directions of l1 l2 (l1 + l2), l1 and l2 the distances from x to the edge both
 * ways; in a disc l1 l2 = R^2 - r^2). While pausing it is at a waypoint: uniform, 2 rho. The
 * share of time paused is P / (E[L] E[1 / v] + P), so the mixture also depends on the speed.
 */
static double walking_density(double rho, void *arg)
{
    (void)arg;
    return 45.0 / 16 * rho * (1 - rho * rho) * gsl_sf_ellint_Ecomp(rho, GSL_PREC_DOUBLE);
}

static double walking_density_r2(double rho, void *arg)
{
    return rho * rho * walking_density(rho, arg);
}

static double integral(double (*f)(double, void *), double a, double b)
{
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(100);
    gsl_function fn = {.function = f, .params = NULL};
    double v, err;
    ck_assert_int_eq(gsl_integration_qags(&fn, a, b, 1e-12, 1e-10, 100, ws, &v, &err), 0);
    gsl_integration_workspace_free(ws);
    return v;
}

START_TEST(test_waypoint_stationary_density)
{
    enum { UES = 16 };
    const int64_t s = 1000000000, warmup = 1000 * s, every = 5 * s, end = 200000 * s;
    struct mobility_params p = wp;
    p.pause_ns = 20 * s;
    double inner[UES], r2[UES]; /* per UE: share of samples within R / 2; mean (r / R)^2 */
    for (int i = 0; i < UES; i++) {
        struct mobility m;
        ck_assert_int_eq(mobility_init(&m, &p, 12, 0, (uint64_t)i), 0);
        double in = 0, sq = 0, n = 0;
        for (int64_t t = warmup; t <= end; t += every, n++) {
            double rho = mobility_distance(&m, &p, t) / WP_R;
            in += rho < 0.5;
            sq += rho * rho;
        }
        inner[i] = in / n;
        r2[i] = sq / n;
        mobility_release(&m);
    }
    ck_assert_double_eq_tol(integral(walking_density, 0, 1), 1, 1e-9);
    double paused = 20 / (WP_LEG * log(WP_V2 / WP_V1) / (WP_V2 - WP_V1) + 20);
    /* walking: 0.4683 and 11/35; pausing (uniform): 1/4 and 1/2 */
    double want_inner = paused * 0.25 + (1 - paused) * integral(walking_density, 0, 0.5);
    double want_r2 = paused * 0.5 + (1 - paused) * integral(walking_density_r2, 0, 1);
    const double *est[] = {inner, r2}, want[] = {want_inner, want_r2};
    const char *name[] = {"share of time within R / 2", "mean (r / R)^2"};
    for (int j = 0; j < 2; j++) {
        double sum = 0, sum2 = 0;
        for (int i = 0; i < UES; i++)
            sum += est[j][i], sum2 += est[j][i] * est[j][i];
        double mean = sum / UES, sem = sqrt((sum2 / UES - mean * mean) / (UES - 1));
        /* within 0.015 (uniform would be 0.25 and 0.5), which is over 5 standard errors */
        ck_assert_msg(sem < 0.003, "%s: standard error %g over UEs", name[j], sem);
        ck_assert_msg(fabs(mean - want[j]) < 0.015, "%s: %g, theory %g", name[j], mean, want[j]);
    }
}
END_TEST

/* The path does not depend on when it is asked about. */
START_TEST(test_query_pattern_independent)
{
    struct mobility a, b;
    mobility_init(&a, &rwp, 7, 0, 1);
    mobility_init(&b, &rwp, 7, 0, 1);
    for (int64_t t = 0; t < 2000 * 1000000000LL; t += 37000000) {
        double xa, ya;
        mobility_position(&a, &rwp, t, &xa, &ya);
        if (t % (37000000LL * 50) == 0) {
            double xb, yb;
            mobility_position(&b, &rwp, t, &xb, &yb);
            ck_assert(xa == xb && ya == yb);
        }
    }
    mobility_release(&a);
    mobility_release(&b);
}
END_TEST

/* Position and travelled distance are functions of the time alone: a UE asked in a shuffled
 * order (far into the past, which replays its stream, and back again) answers bit for bit what
 * a UE asked in time order answers, and asking about the past leaves the state as it was. */
START_TEST(test_any_order)
{
    enum { N = 400 };
    const int64_t dt = 1700000000; /* 1.7 s: legs of ~100 m at 1-3 m/s span tens of samples */
    struct mobility a, b;
    ck_assert_int_eq(mobility_init(&a, &rwp, 9, 2, 4), 0);
    ck_assert_int_eq(mobility_init(&b, &rwp, 9, 2, 4), 0);
    struct mobility_point want[N], got;
    for (int i = 0; i < N; i++)
        mobility_at(&a, &rwp, i * dt, &want[i]);
    /* a fixed permutation: i -> (i * 263 + 71) mod N (263 is prime to 400) */
    for (int k = 0; k < N; k++) {
        int i = (k * 263 + 71) % N;
        mobility_at(&b, &rwp, i * dt, &got);
        ck_assert_msg(got.x == want[i].x && got.y == want[i].y &&
                          got.travelled_m == want[i].travelled_m,
                      "sample %d asked as number %d differs", i, k);
    }
    /* forward again from where the walk is, after the replays */
    for (int i = N; i < N + 50; i++) {
        struct mobility_point x, y;
        mobility_at(&a, &rwp, i * dt, &x);
        mobility_at(&b, &rwp, i * dt, &y);
        ck_assert(x.x == y.x && x.y == y.y && x.travelled_m == y.travelled_m);
    }
    mobility_release(&a);
    mobility_release(&b);
}
END_TEST

/* s(t) at constant speed v without pauses is v t (the legs' end times are rounded to the
 * nanosecond, so within v x 1 ns per leg); each step between samples is at most the distance
 * travelled, and equal to it inside a leg. */
START_TEST(test_travelled_constant_speed)
{
    const double v = 2.5;
    struct mobility_params p = {
        .radius_m = 200, .moving = true, .speed_min_mps = v, .speed_max_mps = v};
    struct mobility m;
    ck_assert_int_eq(mobility_init(&m, &p, 5, 0, 3), 0);
    const int64_t dt = 100000000; /* 0.1 s */
    struct mobility_point a, b;
    mobility_at(&m, &p, 0, &a);
    ck_assert(a.travelled_m == 0);
    int inside = 0;
    for (int64_t t = dt; t <= 20000 * dt; t += dt) {
        mobility_at(&m, &p, t, &b);
        double step = hypot(b.x - a.x, b.y - a.y), ds = b.travelled_m - a.travelled_m;
        ck_assert_msg(step <= ds + 1e-9, "step %g m over %g m travelled", step, ds);
        inside += fabs(step - ds) < 1e-9;
        a = b;
        double want = v * (double)t * 1e-9;
        ck_assert_msg(fabs(b.travelled_m - want) <= 1e-6 * want + 1e-6, "s = %.9g, v t = %.9g",
                      b.travelled_m, want);
    }
    /* legs average 0.9 x 200 m = 181 m, 72 s: nearly every step is inside one */
    ck_assert_int_gt(inside, 19000);
    mobility_release(&m);
}
END_TEST

/* With pauses and random speeds: s stands still exactly while the position does, and its time
 * average is the time-average speed of random-waypoint theory, E[L] / (E[L] E[1 / v] + P). */
START_TEST(test_travelled_pauses)
{
    enum { UES = 8 };
    const int64_t dt = 100000000;
    const double T = 20000;
    double sum = 0;
    for (int u = 0; u < UES; u++) {
        struct mobility m;
        ck_assert_int_eq(mobility_init(&m, &wp, 13, 0, (uint64_t)u), 0);
        struct mobility_point a, b;
        mobility_at(&m, &wp, 0, &a);
        for (int64_t t = dt; t <= (int64_t)(T * 1e9); t += dt) {
            mobility_at(&m, &wp, t, &b);
            bool still = b.x == a.x && b.y == a.y, stopped = b.travelled_m == a.travelled_m;
            ck_assert_msg(still == stopped, "at %g s: moved %d, travelled %d", (double)t * 1e-9,
                          !still, !stopped);
            ck_assert(b.travelled_m >= a.travelled_m);
            a = b;
        }
        sum += b.travelled_m / T;
        mobility_release(&m);
    }
    double want = WP_LEG / (WP_LEG * log(WP_V2 / WP_V1) / (WP_V2 - WP_V1) + WP_PAUSE);
    /* 8 UEs x 20,000 s: about 1,500 legs; the spread of the average is ~1 % */
    near("time-average of s(t) / t", sum / UES, want, 0.04 * want);
}
END_TEST

/* A static UE stays put; with a local speed v it travels v t about its spot. */
START_TEST(test_static_local_speed)
{
    struct mobility_params st = {.radius_m = 100, .local_speed_mps = 1.25};
    struct mobility m;
    ck_assert_int_eq(mobility_init(&m, &st, 3, 0, 1), 0);
    struct mobility_point a, b;
    mobility_at(&m, &st, 0, &a);
    mobility_at(&m, &st, 8000000000LL, &b);
    ck_assert(a.x == b.x && a.y == b.y);
    ck_assert_double_eq_tol(b.travelled_m, 10, 1e-12);
    st.local_speed_mps = -1;
    ck_assert_ptr_nonnull(mobility_params_check(&st));
    mobility_release(&m);
}
END_TEST

/* Initial placement is uniform in the disc: P(r < R/2) = 1/4, mean r = 2R/3. */
START_TEST(test_uniform_placement)
{
    struct mobility_params st = {.radius_m = 100};
    enum { N = 40000 };
    int inner = 0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        struct mobility m;
        mobility_init(&m, &st, 3, 0, (uint64_t)i);
        double r = mobility_distance(&m, &st, 0);
        ck_assert(mobility_distance(&m, &st, 1000000000000LL) == r); /* static */
        inner += r < 50;
        sum += r;
        mobility_release(&m);
    }
    ck_assert(fabs((double)inner / N - 0.25) < 5 * sqrt(0.25 * 0.75 / N));
    /* sd of r is R/sqrt(18) */
    ck_assert(fabs(sum / N - 200.0 / 3) < 5 * (100 / sqrt(18.0)) / sqrt(N));
}
END_TEST

START_TEST(test_params)
{
    struct mobility_params p = rwp;
    ck_assert_ptr_null(mobility_params_check(&p));
    p.speed_min_mps = 0;
    ck_assert_ptr_nonnull(mobility_params_check(&p));
    p = rwp;
    p.speed_max_mps = 0.5;
    ck_assert_ptr_nonnull(mobility_params_check(&p));
    p = rwp;
    p.radius_m = 0;
    ck_assert_ptr_nonnull(mobility_params_check(&p));
}
END_TEST

static Suite *mobility_suite(void)
{
    return check_suite("mobility", "core", 60,
                       (const TTest *[]){test_waypoint_theory, test_waypoint_stationary_density,
                                         test_query_pattern_independent, test_any_order,
                                         test_travelled_constant_speed, test_travelled_pauses,
                                         test_static_local_speed, test_uniform_placement,
                                         test_params, NULL});
}

CHECK_MAIN(mobility_suite)
