/*
 * nn — small dense neural networks (multi-layer perceptrons) in double precision, with their
 * gradients, an Adam optimiser and a text file format; what the learning policies are built from.
 *
 * Concept: a network maps an input row x (sizes[0] values) through `nlayers` affine layers
 * h_{l+1} = f(h_l W_l^T + b_l), where W_l is sizes[l+1] x sizes[l] (row-major) and f is the
 * hidden activation (tanh or ReLU) on every layer but the last, which is linear. All parameters
 * live in one flat array, layer after layer, each layer's weights (row-major) followed by its
 * biases; the gradients live in a second flat array of the same layout, so optimisers, gradient
 * clipping and tests treat a network as one vector. Inputs, outputs and gradients with respect
 * to outputs are batches of rows (batch x width, row-major); batches go through CBLAS dgemm.
 *
 * nn_forward keeps the activations of its batch; nn_backward, given dL/dy for that batch,
 * *adds* dL/dparams to the gradient array (so several losses or batches can be accumulated;
 * nn_zero_grad clears it). Nothing allocates after nn_reserve: forward and backward work in the
 * workspace sized for the largest batch reserved.
 *
 * File format (text, written with %.17g so a reload is bit-for-bit exact; tokens separated by
 * any white space, '#' to the end of a line is a comment):
 *
 *     splitsim-nn 1
 *     networks <count>
 *     network <name>
 *     sizes <n0> <n1> ... <nL>
 *     activation tanh|relu
 *     layer 1 weights <n1> <n0>        then n1 rows of n0 numbers
 *     layer 1 bias <n1>                then n1 numbers
 *     ...                              (every layer, then the next network)
 *     end
 *
 * Several networks share a file (a policy's surrogate, actor and critic); loading names the
 * networks it expects, in order, with their shapes, and refuses anything else with a message
 * "file:line:col: expected ..., found ...". A load that fails changes no network.
 *
 * Invariants: 1 <= nlayers <= NN_MAX_LAYERS; every size >= 1; a forward batch is <= the
 * reserved capacity; nn_backward follows the nn_forward whose batch it differentiates; the
 * same inputs, parameters and BLAS give the same outputs bit for bit (no hidden randomness:
 * initialisation draws from the struct rng it is given).
 */
#ifndef SPLITSIM_MODELS_NN_H
#define SPLITSIM_MODELS_NN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/rng.h"

#define NN_MAX_LAYERS 8

#define NN_FORMAT         "splitsim-nn"
#define NN_FORMAT_VERSION 1

enum nn_act {
    NN_TANH,
    NN_RELU,
};

struct nn {
    size_t nlayers;                  /* affine layers */
    size_t sizes[NN_MAX_LAYERS + 1]; /* widths: input, hidden..., output */
    enum nn_act act;                 /* of the hidden layers; the output is linear */
    size_t nparams;
    double *params;               /* flat: W_0 (sizes[1] x sizes[0]), b_0, W_1, b_1, ... */
    double *grads;                /* the same layout */
    size_t offset[NN_MAX_LAYERS]; /* where W_l starts; b_l follows it */
    /* workspace */
    size_t cap, batch;            /* reserved rows; rows of the last forward */
    double *h[NN_MAX_LAYERS + 1]; /* activations of the last forward: h[0] = its input */
    double *delta[2];             /* backward scratch */
    double *work;                 /* the block behind h and delta */
};

/*
 * Creates a network of `nlayers` affine layers with widths sizes[0..nlayers] (every
 * parameter 0; call nn_randomize) and room for a batch of one. 0, -EINVAL (bad shape) or
 * -ENOMEM (nothing held).
 */
int nn_init(struct nn *n, size_t nlayers, const size_t *sizes, enum nn_act act);

/* Frees everything; safe on a zeroed or released struct. */
void nn_release(struct nn *n);

/*
 * Draws the weights from r: Glorot (Xavier) uniform, U(-a, a) with a = sqrt(6 / (in + out)),
 * for tanh networks; He uniform, a = sqrt(6 / in), for ReLU networks; biases 0. The output layer
 * is drawn like the others. Clears the gradients.
 */
void nn_randomize(struct nn *n, struct rng *r);

/* Multiplies layer l's weights (not its bias) by `factor` (e.g. 0.01 for a policy head whose
 * first distribution should be nearly uniform). */
void nn_scale_layer(struct nn *n, size_t l, double factor);

/* Makes room for forward batches of up to `batch` rows. 0 or -ENOMEM (capacity unchanged). */
int nn_reserve(struct nn *n, size_t batch);

/*
 * Runs a batch of `batch` input rows x (batch x sizes[0]) through the network and returns its
 * outputs (batch x sizes[nlayers]), valid until the next forward. batch <= the reserved
 * capacity (checked: a larger batch is a bug in the caller).
 */
const double *nn_forward(struct nn *n, const double *x, size_t batch);

/*
 * Given dy = dL/dy of the last forward's outputs (batch x sizes[nlayers]), adds dL/dparams
 * to n->grads. The activations of that forward must still be in place.
 */
void nn_backward(struct nn *n, const double *dy);

/* Sets every gradient to 0. */
void nn_zero_grad(struct nn *n);

/* The sum of the squared gradients (for global grad-norm clipping over several networks). */
double nn_grad_sq(const struct nn *n);

/* Multiplies every gradient by `factor`. */
void nn_scale_grad(struct nn *n, double factor);

/*
 * Adam (Kingma & Ba 2015) with bias correction: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). Its moments belong to one parameter
 * vector; one optimiser per network (Adam is elementwise, so separate optimisers stepped
 * together equal one over the concatenated vector).
 */
struct nn_adam {
    size_t n;
    double lr, beta1, beta2, eps;
    uint64_t t; /* steps taken */
    double *m, *v;
};

/* For a vector of n parameters; beta1 0.9, beta2 0.999, eps 1e-8 (change the fields to taste).
 * 0 or -ENOMEM. */
int nn_adam_init(struct nn_adam *a, size_t n, double lr);
void nn_adam_release(struct nn_adam *a);

/* One step on params given grads (both of the optimiser's length). */
void nn_adam_step(struct nn_adam *a, double *params, const double *grads);

/* Clears the moments and the step count. */
void nn_adam_reset(struct nn_adam *a);

/*
 * Writes `count` networks, named names[i] (no white space), to `path` (via "<path>.part",
 * renamed when complete). 0, or a negative errno with a message in d.
 */
int nn_save(const char *path, const struct nn *const *nets, const char *const *names, size_t count,
            struct diag *d);

/*
 * Reads `count` networks from the text `text` (len bytes) named `name` (for messages), which
 * must hold exactly these networks, in this order, with these names, shapes and activations,
 * into nets[i] (initialised networks; their parameters are replaced only when the whole text is
 * valid). 0, or -EINVAL with "name:line:col: expected ..., found ..." in d.
 */
int nn_parse(const char *name, const char *text, size_t len, struct nn *const *nets,
             const char *const *names, size_t count, struct diag *d);

/* nn_parse on a file's contents. 0, -EINVAL (unreadable or invalid: message in d) or -ENOMEM. */
int nn_load(const char *path, struct nn *const *nets, const char *const *names, size_t count,
            struct diag *d);

#endif
