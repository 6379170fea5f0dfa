/* nn: forward against a long-double reference with a running rounding-error bound; every
 * gradient against central finite differences of that reference; Adam's first step and its
 * convergence on a least-squares fit; save/load round trips bit for bit; bad files refused with
 * "file:line:col: expected ..., found ...". */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "check_main.h"
#include "edited.h"
#include "sim/outfile.h"
#include "models/policy/nn.h"
#include "sim/diag.h"
#include "sim/rng.h"

#define U DBL_EPSILON / 2 /* unit roundoff of double */

/*
 * The network's output in long double (relative precision 2^-64), straight from the documented
 * parameter layout. When `bound` is given it also returns, per output, a bound on the error of
 * the double computation (running error analysis: a dot product of n terms errs by at most
 * gamma_{n+1} sum |w h|, the errors of the inputs propagate through |W|, and tanh adds its
 * 2^-52 and is 1-Lipschitz; ReLU is 1-Lipschitz and exact). `minz` receives the smallest |z|
 * over the hidden pre-activations (distance to a ReLU kink).
 */
static void reference(const struct nn *n, const long double *params, const double *x, size_t batch,
                      long double *y, double *bound, long double *minz)
{
    enum { W = 64 };
    long double h[W], z[W];
    double e[W], ez[W];
    *minz = INFINITY;
    for (size_t r = 0; r < batch; r++) {
        size_t in = n->sizes[0];
        for (size_t j = 0; j < in; j++) {
            h[j] = x[r * in + j];
            e[j] = 0;
        }
        for (size_t l = 0; l < n->nlayers; l++) {
            size_t out = n->sizes[l + 1];
            ck_assert(in <= W && out <= W);
            const long double *w = params + n->offset[l], *b = w + out * in;
            double gamma = (double)(in + 1) * U / (1 - (double)(in + 1) * U);
            for (size_t i = 0; i < out; i++) {
                long double s = b[i], mag = fabsl(b[i]);
                double prop = 0;
                for (size_t j = 0; j < in; j++) {
                    s += w[i * in + j] * h[j];
                    mag += fabsl(w[i * in + j] * h[j]);
                    prop += (double)fabsl(w[i * in + j]) * e[j];
                }
                z[i] = s;
                ez[i] = gamma * (double)mag + prop;
            }
            bool last = l + 1 == n->nlayers;
            for (size_t i = 0; i < out; i++) {
                if (last) {
                    h[i] = z[i];
                    e[i] = ez[i];
                } else if (n->act == NN_TANH) {
                    h[i] = tanhl(z[i]);
                    e[i] = ez[i] + 2 * DBL_EPSILON;
                } else {
                    h[i] = z[i] > 0 ? z[i] : 0;
                    e[i] = ez[i];
                }
                if (!last && fabsl(z[i]) < *minz)
                    *minz = fabsl(z[i]);
            }
            in = out;
        }
        for (size_t i = 0; i < in; i++) {
            y[r * in + i] = h[i];
            if (bound)
                bound[r * in + i] = e[i] * (1 + 1e-6); /* the bound's own rounding */
        }
    }
}

/* The test loss: L = sum c y + y^2 / 2, so dL/dy = c + y. */
static long double ref_loss(const struct nn *n, const long double *params, const double *x,
                            size_t batch, const double *c, long double *minz)
{
    size_t out = n->sizes[n->nlayers];
    long double y[64 * 8], l = 0;
    reference(n, params, x, batch, y, NULL, minz);
    for (size_t i = 0; i < batch * out; i++)
        l += c[i] * y[i] + y[i] * y[i] / 2;
    return l;
}

static void make_net(struct nn *n, enum nn_act act, struct rng *r)
{
    size_t sizes[] = {4, 16, 12, 3};
    ck_assert_int_eq(nn_init(n, 3, sizes, act), 0);
    ck_assert_int_eq(nn_reserve(n, 8), 0);
    nn_randomize(n, r);
    /* nonzero biases, so that their gradients and their file round trip mean something */
    for (size_t l = 0; l < n->nlayers; l++)
        for (size_t i = 0; i < n->sizes[l + 1]; i++)
            n->params[n->offset[l] + n->sizes[l + 1] * n->sizes[l] + i] = rng_normal(r, 0, 0.3);
}

static void check_forward(enum nn_act act)
{
    struct rng r;
    rng_init(&r, 1, act, RNG_KIND_TEST, 1);
    struct nn n;
    make_net(&n, act, &r);
    enum { B = 8 };
    double x[B * 4], bound[B * 3];
    long double y[B * 3], minz, *lp = malloc(n.nparams * sizeof *lp);
    for (size_t i = 0; i < B * 4; i++)
        x[i] = rng_normal(&r, 0, 1);
    for (size_t i = 0; i < n.nparams; i++)
        lp[i] = n.params[i];
    reference(&n, lp, x, B, y, bound, &minz);
    const double *got = nn_forward(&n, x, B);
    for (size_t i = 0; i < B * 3; i++)
        ck_assert_msg(fabsl(got[i] - y[i]) <= bound[i],
                      "output %zu: %.17g, reference %.17Lg, bound %g", i, got[i], y[i], bound[i]);
    /* a batch row equals the same row alone: rows never mix */
    double row[3];
    memcpy(row, got + 5 * 3, sizeof row);
    const double *one = nn_forward(&n, x + 5 * 4, 1);
    for (size_t i = 0; i < 3; i++)
        ck_assert(fabs(one[i] - row[i]) <= bound[5 * 3 + i] * 2);
    free(lp);
    nn_release(&n);
    rng_release(&r);
}

START_TEST(test_forward_matches_reference)
{
    check_forward(NN_TANH);
    check_forward(NN_RELU);
}
END_TEST

/*
 * Every parameter's gradient against the central difference (L(p + h) - L(p - h)) / 2h of the
 * long-double reference, h = 1e-6. Its error: rounding, ~ 2^-64 S / h ~ 1e-13 S (S ~ 10 the size
 * of the loss's terms); truncation, h^2 |L'''| / 6 ~ 1e-13 |L'''| for the smooth loss, and for
 * ReLU as long as no hidden pre-activation crosses 0 within the step (checked, with a bound on
 * how far the step moves any pre-activation). The double gradient errs by the rounding of its
 * sums, ~ 1e-14 of their size. So a relative error < 1e-6 is asserted wherever the gradient
 * exceeds 1e-6 (1e-12 absolute below: all these errors are far under that). Measured: 9e-11.
 */
static void check_gradients(enum nn_act act)
{
    struct rng r;
    rng_init(&r, 2, act, RNG_KIND_TEST, 2);
    struct nn n;
    make_net(&n, act, &r);
    enum { B = 6 };
    double x[B * 4], c[B * 3], dy[B * 3];
    for (size_t i = 0; i < B * 4; i++)
        x[i] = rng_normal(&r, 0, 1);
    for (size_t i = 0; i < B * 3; i++)
        c[i] = rng_normal(&r, 0, 1);
    const double *y = nn_forward(&n, x, B);
    for (size_t i = 0; i < B * 3; i++)
        dy[i] = c[i] + y[i];
    nn_zero_grad(&n);
    nn_backward(&n, dy);
    /* backward accumulates: what a second one adds must match the differences too */
    double *once = malloc(n.nparams * sizeof *once);
    memcpy(once, n.grads, n.nparams * sizeof *once);
    nn_backward(&n, dy);

    long double *lp = malloc(n.nparams * sizeof *lp), minz, mz;
    for (size_t i = 0; i < n.nparams; i++)
        lp[i] = n.params[i];
    ref_loss(&n, lp, x, B, c, &minz);
    const long double h = 1e-6L;
    if (act == NN_RELU) {
        /* A step h on one parameter moves its unit's pre-activation by at most h M (M bounds
         * the inputs, the hidden activations and the bias's 1), and a later layer's by at most
         * that times the row sums of |W| (ReLU is 1-Lipschitz). */
        nn_forward(&n, x, B);
        double m = 1, grow = 1;
        for (size_t l = 0; l + 1 < n.nlayers; l++)
            for (size_t i = 0; i < B * n.sizes[l]; i++)
                m = fmax(m, fabs(n.h[l][i]));
        for (size_t l = 1; l < n.nlayers; l++) {
            double worst_row = 1;
            for (size_t i = 0; i < n.sizes[l + 1]; i++) {
                double row = 0;
                for (size_t j = 0; j < n.sizes[l]; j++)
                    row += fabs(n.params[n.offset[l] + i * n.sizes[l] + j]);
                worst_row = fmax(worst_row, row);
            }
            grow *= worst_row;
        }
        ck_assert_msg(minz > h * m * grow, "a pre-activation (%Lg) is within a step (%Lg) of 0",
                      minz, h * m * grow);
    }
    double worst = 0;
    size_t checked = 0;
    for (size_t i = 0; i < n.nparams; i++) {
        long double keep = lp[i];
        lp[i] = keep + h;
        long double up = ref_loss(&n, lp, x, B, c, &mz);
        lp[i] = keep - h;
        long double down = ref_loss(&n, lp, x, B, c, &mz);
        lp[i] = keep;
        double fd = (double)((up - down) / (2 * h));
        for (int pass = 0; pass < 2; pass++) {
            double a = pass == 0 ? once[i] : n.grads[i] - once[i];
            double scale = fmax(fabs(a), fabs(fd));
            if (scale > 1e-6) {
                double rel = fabs(a - fd) / scale;
                worst = fmax(worst, rel);
                checked += pass == 0;
                ck_assert_msg(rel < 1e-6, "%s parameter %zu: backward %.12g, differences %.12g",
                              act == NN_TANH ? "tanh" : "relu", i, a, fd);
            } else {
                ck_assert_msg(fabs(a - fd) < 1e-12, "parameter %zu: %g vs %g", i, a, fd);
            }
        }
    }
    ck_assert(checked > n.nparams / 2); /* most gradients are large enough to compare */
    free(once);
    free(lp);
    nn_release(&n);
    rng_release(&r);
}

START_TEST(test_gradients_tanh)
{
    check_gradients(NN_TANH);
}
END_TEST

START_TEST(test_gradients_relu)
{
    check_gradients(NN_RELU);
}
END_TEST

START_TEST(test_zero_and_scale_grad)
{
    struct rng r;
    rng_init(&r, 3, 0, RNG_KIND_TEST, 3);
    struct nn n;
    make_net(&n, NN_TANH, &r);
    for (size_t i = 0; i < n.nparams; i++)
        n.grads[i] = (double)i;
    double sq = 0;
    for (size_t i = 0; i < n.nparams; i++)
        sq += (double)i * (double)i;
    ck_assert(nn_grad_sq(&n) == sq);
    nn_scale_grad(&n, 0.5);
    ck_assert(n.grads[7] == 3.5);
    nn_zero_grad(&n);
    ck_assert(nn_grad_sq(&n) == 0);
    nn_release(&n);
    rng_release(&r);
}
END_TEST

START_TEST(test_bad_shapes)
{
    struct nn n;
    size_t zero[] = {3, 0, 1}, ok[] = {3, 4, 1};
    ck_assert_int_eq(nn_init(&n, 2, zero, NN_TANH), -EINVAL);
    ck_assert_int_eq(nn_init(&n, 0, ok, NN_TANH), -EINVAL);
    ck_assert_int_eq(nn_init(&n, NN_MAX_LAYERS + 1, ok, NN_TANH), -EINVAL);
    ck_assert_int_eq(nn_init(&n, 2, ok, (enum nn_act)7), -EINVAL);
    nn_release(&n); /* safe on what a failed init left */
}
END_TEST

/* Bias correction makes the first step lr g / (|g| + eps) for every parameter. */
START_TEST(test_adam_first_step)
{
    enum { N = 5 };
    double p[N] = {1, -2, 3, 0, 0.5}, g[N] = {0.3, -7, 1e-3, 2, -0.01}, p0[N];
    memcpy(p0, p, sizeof p);
    struct nn_adam a;
    ck_assert_int_eq(nn_adam_init(&a, N, 0.01), 0);
    nn_adam_step(&a, p, g);
    for (int i = 0; i < N; i++) {
        double want = p0[i] - 0.01 * g[i] / (fabs(g[i]) + a.eps);
        /* a handful of roundings in the step, each within an ulp of lr or of p */
        ck_assert_msg(fabs(p[i] - want) <= 8 * U * (0.01 + fabs(p0[i])), "%d: %.17g vs %.17g", i,
                      p[i], want);
    }
    ck_assert_uint_eq(a.t, 1);
    nn_adam_reset(&a);
    ck_assert(a.t == 0 && a.m[2] == 0 && a.v[4] == 0);
    nn_adam_release(&a);
}
END_TEST

/*
 * A linear layer (3 -> 2) fitted by full-batch Adam to noise-free data y = W* x + b*. At a fixed
 * learning rate Adam hovers about lr from the minimum (its step is about lr whatever the size of
 * the gradient), so the rate is halved every 1000 steps, to 0.01 / 2^19 ~ 2e-8. The loss is a
 * strongly convex quadratic with Hessian H = [x 1]^T [x 1] / n (the same for both outputs), so
 * |theta - theta*| <= |g| / lambda_min(H) for the final gradient g (lambda_min from GSL): that
 * bound must hold, and the fit must recover W* and b* to 1e-6 (which needs convergence).
 */
START_TEST(test_adam_least_squares)
{
    enum { NS = 64, IN = 3, OUT = 2 };
    struct rng r;
    rng_init(&r, 4, 0, RNG_KIND_TEST, 4);
    double ws[OUT][IN] = {{1.5, -0.7, 0.2}, {-0.3, 0.9, 2.0}}, bs[OUT] = {0.25, -1.0};
    double x[NS * IN], y[NS * OUT], dy[NS * OUT];
    for (int s = 0; s < NS; s++) {
        for (int j = 0; j < IN; j++)
            x[s * IN + j] = rng_normal(&r, 0, 1);
        for (int i = 0; i < OUT; i++) {
            y[s * OUT + i] = bs[i];
            for (int j = 0; j < IN; j++)
                y[s * OUT + i] += ws[i][j] * x[s * IN + j];
        }
    }
    struct nn n;
    size_t sizes[] = {IN, OUT};
    ck_assert_int_eq(nn_init(&n, 1, sizes, NN_TANH), 0);
    ck_assert_int_eq(nn_reserve(&n, NS), 0);
    nn_randomize(&n, &r);
    struct nn_adam a;
    ck_assert_int_eq(nn_adam_init(&a, n.nparams, 0.01), 0);
    double loss0 = -1, loss = 0;
    for (int it = 0; it < 20000; it++) {
        if (it > 0 && it % 1000 == 0)
            a.lr /= 2;
        const double *p = nn_forward(&n, x, NS);
        loss = 0;
        for (int i = 0; i < NS * OUT; i++) {
            dy[i] = (p[i] - y[i]) / NS;
            loss += (p[i] - y[i]) * (p[i] - y[i]) / (2 * NS);
        }
        if (loss0 < 0)
            loss0 = loss;
        nn_zero_grad(&n);
        nn_backward(&n, dy);
        nn_adam_step(&a, n.params, n.grads);
    }
    nn_zero_grad(&n);
    const double *p = nn_forward(&n, x, NS);
    for (int i = 0; i < NS * OUT; i++)
        dy[i] = (p[i] - y[i]) / NS;
    nn_backward(&n, dy);
    double gnorm = sqrt(nn_grad_sq(&n));
    gsl_matrix *h = gsl_matrix_calloc(IN + 1, IN + 1);
    for (int s = 0; s < NS; s++)
        for (int i = 0; i <= IN; i++)
            for (int j = 0; j <= IN; j++) {
                double xi = i < IN ? x[s * IN + i] : 1, xj = j < IN ? x[s * IN + j] : 1;
                *gsl_matrix_ptr(h, (size_t)i, (size_t)j) += xi * xj / NS;
            }
    gsl_vector *ev = gsl_vector_alloc(IN + 1);
    gsl_eigen_symm_workspace *wk = gsl_eigen_symm_alloc(IN + 1);
    gsl_eigen_symm(h, ev, wk);
    double lmin = gsl_vector_min(ev);
    double dist = 0;
    for (int i = 0; i < OUT; i++) {
        for (int j = 0; j < IN; j++)
            dist += pow(n.params[i * IN + j] - ws[i][j], 2);
        dist += pow(n.params[OUT * IN + i] - bs[i], 2);
    }
    dist = sqrt(dist);
    /* plus the rounding of the data themselves: |y| < 10, so 1e-14 is far above it */
    ck_assert_msg(dist <= gnorm / lmin + 1e-14, "distance %g, bound %g", dist, gnorm / lmin);
    ck_assert_msg(dist < 1e-6, "distance %g (gradient %g, loss %g from %g)", dist, gnorm, loss,
                  loss0);
    gsl_eigen_symm_free(wk);
    gsl_vector_free(ev);
    gsl_matrix_free(h);
    nn_adam_release(&a);
    nn_release(&n);
    rng_release(&r);
}
END_TEST

static char *temp_path(void)
{
    char *path = strdup("/tmp/splitsim-test-nn-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return path;
}

START_TEST(test_save_load_exact)
{
    struct rng r;
    rng_init(&r, 5, 0, RNG_KIND_TEST, 5);
    struct nn a, b, a2, b2;
    size_t sb[] = {2, 7, 1};
    make_net(&a, NN_RELU, &r);
    ck_assert_int_eq(nn_init(&b, 2, sb, NN_TANH), 0);
    nn_randomize(&b, &r);
    b.params[3] = -0.0;
    b.params[4] = 1e-310; /* subnormal */
    b.params[5] = 0.1;    /* not exact in binary */
    make_net(&a2, NN_RELU, &r);
    ck_assert_int_eq(nn_init(&b2, 2, sb, NN_TANH), 0);
    char *path = temp_path();
    struct diag d;
    diag_init(&d);
    const struct nn *save[] = {&a, &b};
    struct nn *load[] = {&a2, &b2};
    const char *names[] = {"first", "second"};
    ck_assert_int_eq(nn_save(path, save, names, 2, &d), 0);
    ck_assert_int_eq(nn_load(path, load, names, 2, &d), 0);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    ck_assert(memcmp(a.params, a2.params, a.nparams * sizeof *a.params) == 0);
    ck_assert(memcmp(b.params, b2.params, b.nparams * sizeof *b.params) == 0);
    ck_assert(signbit(b2.params[3]));
    double x[8 * 4];
    for (size_t i = 0; i < 8 * 4; i++)
        x[i] = rng_normal(&r, 0, 1);
    double y1[8 * 3];
    memcpy(y1, nn_forward(&a, x, 8), sizeof y1);
    ck_assert(memcmp(y1, nn_forward(&a2, x, 8), sizeof y1) == 0);
    /* no temporary ("PATH.HOST.PID.part") left behind */
    char *part = outfile_temp_name(path);
    ck_assert_int_ne(access(part, F_OK), 0);
    free(part);
    /* a non-finite parameter is refused, and nothing is written */
    a.params[0] = NAN;
    ck_assert_int_eq(nn_save(path, save, names, 2, &d), -EINVAL);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "non-finite"));
    remove(path);
    free(path);
    diag_release(&d);
    nn_release(&a);
    nn_release(&b);
    nn_release(&a2);
    nn_release(&b2);
    rng_release(&r);
}
END_TEST

/* A file for one network "net" of sizes 2 3 1, tanh; the cases below edit it. */
static const char good[] = "splitsim-nn 1\n"
                           "networks 1\n"
                           "network net\n"
                           "sizes 2 3 1\n"
                           "activation tanh\n"
                           "layer 1 weights 3 2\n"
                           "0.5 -0.25\n"
                           "1 2\n"
                           "3 4   # a comment\n"
                           "layer 1 bias 3\n"
                           "0.1 0.2 0.3\n"
                           "layer 2 weights 1 3\n"
                           "7 8 9\n"
                           "layer 2 bias 1\n"
                           "-1\n"
                           "end\n";

START_TEST(test_bad_files)
{
    struct nn n;
    size_t sizes[] = {2, 3, 1};
    ck_assert_int_eq(nn_init(&n, 2, sizes, NN_TANH), 0);
    struct nn *nets[] = {&n};
    const char *names[] = {"net"};
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(nn_parse("f.nn", good, strlen(good), nets, names, 1, &d), 0);
    ck_assert_uint_eq(n.nparams, 13);
    ck_assert(n.params[0] == 0.5 && n.params[8] == 0.3 && n.params[11] == 9 && n.params[12] == -1);
    static const struct {
        const char *from, *to; /* the first occurrence of `from` in good becomes `to` */
        int line, col;
        const char *msg;
    } cases[] = {
        {"splitsim-nn 1", "splitsim-xx 1", 1, 1, "expected 'splitsim-nn', found 'splitsim-xx'"},
        {"splitsim-nn 1", "splitsim-nn 2", 1, 13, "expected format version 1, found '2'"},
        {"networks 1", "networks 2", 2, 10, "expected network count 1, found '2'"},
        {"network net", "network other", 3, 9, "expected network name 'net', found 'other'"},
        {"sizes 2 3 1", "sizes 2 4 1", 4, 9,
         "expected width 3 for layer 1 of network 'net', found '4'"},
        {"activation tanh", "activation relu", 5, 12,
         "expected activation 'tanh' for network 'net', found 'relu'"},
        {"1 2\n", "1 x\n", 8, 3, "expected a finite number, found 'x'"},
        {"1 2\n", "1 nan\n", 8, 3, "expected a finite number, found 'nan'"},
        {"1 2\n", "1 1e999\n", 8, 3, "expected a finite number, found '1e999'"},
        {"layer 1 bias 3\n0.1 0.2 0.3\n", "layer 1 bias 3\n0.1 0.2\n", 12, 1,
         "expected a finite number, found 'layer'"},
        {"layer 2 weights", "layer 3 weights", 12, 7, "expected layer number 2, found '3'"},
        {"end\n", "", 16, 1, "expected 'end', found the end of the file"},
        {"end\n", "end more\n", 16, 5, "expected the end of the file after 'end', found 'more'"},
        {"splitsim-nn 1\n", "", 1, 1, "expected 'splitsim-nn', found 'networks'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *bad = edited(good, cases[i].from, cases[i].to);
        for (size_t j = 0; j < n.nparams; j++)
            n.params[j] = 42;
        diag_clear(&d);
        ck_assert_int_eq(nn_parse("f.nn", bad, strlen(bad), nets, names, 1, &d), -EINVAL);
        ck_assert_uint_eq(d.len, 1);
        ck_assert_str_eq(d.msgs[0].file, "f.nn");
        ck_assert_msg(strcmp(d.msgs[0].text, cases[i].msg) == 0, "case %zu: '%s'", i,
                      d.msgs[0].text);
        ck_assert_msg(d.msgs[0].line == cases[i].line && d.msgs[0].col == cases[i].col,
                      "case %zu: at %d:%d", i, d.msgs[0].line, d.msgs[0].col);
        for (size_t j = 0; j < n.nparams; j++)
            ck_assert(n.params[j] == 42); /* a failed load changes nothing */
        free(bad);
    }
    /* an empty file, and a file that is not there */
    diag_clear(&d);
    ck_assert_int_eq(nn_parse("e.nn", "", 0, nets, names, 1, &d), -EINVAL);
    ck_assert_str_eq(d.msgs[0].text, "expected 'splitsim-nn', found the end of the file");
    diag_clear(&d);
    ck_assert_int_eq(nn_load("/nonexistent/x.nn", nets, names, 1, &d), -EINVAL);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "cannot open"));
    diag_release(&d);
    nn_release(&n);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("nn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_forward_matches_reference);
    tcase_add_test(tc, test_gradients_tanh);
    tcase_add_test(tc, test_gradients_relu);
    tcase_add_test(tc, test_zero_and_scale_grad);
    tcase_add_test(tc, test_bad_shapes);
    tcase_add_test(tc, test_adam_first_step);
    tcase_add_test(tc, test_adam_least_squares);
    tcase_add_test(tc, test_save_load_exact);
    tcase_add_test(tc, test_bad_files);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
