#include "models/policy/nn.h"
#include "sim/outfile.h"
#include "sim/slurp.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariant.h"
#include "splitsim_config.h"

#if SPLITSIM_HAVE_OPENBLAS
#include <cblas.h>
#else
#include <gsl/gsl_cblas.h>
#endif

/* ---- shape and workspace ----------------------------------------------------------------- */

static size_t max_width(const struct nn *n)
{
    size_t w = 0;
    for (size_t l = 0; l <= n->nlayers; l++)
        if (n->sizes[l] > w)
            w = n->sizes[l];
    return w;
}

int nn_init(struct nn *n, size_t nlayers, const size_t *sizes, enum nn_act act)
{
    memset(n, 0, sizeof *n);
    if (nlayers < 1 || nlayers > NN_MAX_LAYERS || (act != NN_TANH && act != NN_RELU))
        return -EINVAL;
    size_t total = 0;
    for (size_t l = 0; l <= nlayers; l++) {
        if (sizes[l] < 1 || sizes[l] > (1u << 20))
            return -EINVAL;
        n->sizes[l] = sizes[l];
    }
    for (size_t l = 0; l < nlayers; l++) {
        n->offset[l] = total;
        total += sizes[l + 1] * (sizes[l] + 1);
    }
    n->nlayers = nlayers;
    n->act = act;
    n->nparams = total;
    n->params = calloc(total, sizeof *n->params);
    n->grads = calloc(total, sizeof *n->grads);
    if (!n->params || !n->grads || nn_reserve(n, 1) < 0) {
        nn_release(n);
        return -ENOMEM;
    }
    return 0;
}

void nn_release(struct nn *n)
{
    free(n->params);
    free(n->grads);
    free(n->work);
    memset(n, 0, sizeof *n);
}

int nn_reserve(struct nn *n, size_t batch)
{
    if (batch <= n->cap)
        return 0;
    size_t per_row = 2 * max_width(n);
    for (size_t l = 0; l <= n->nlayers; l++)
        per_row += n->sizes[l];
    double *w = malloc(batch * per_row * sizeof *w);
    if (!w)
        return -ENOMEM;
    free(n->work);
    n->work = w;
    n->cap = batch;
    n->batch = 0;
    for (size_t l = 0; l <= n->nlayers; l++) {
        n->h[l] = w;
        w += batch * n->sizes[l];
    }
    n->delta[0] = w;
    n->delta[1] = w + batch * max_width(n);
    return 0;
}

void nn_randomize(struct nn *n, struct rng *r)
{
    for (size_t l = 0; l < n->nlayers; l++) {
        size_t in = n->sizes[l], out = n->sizes[l + 1];
        double a = n->act == NN_RELU ? sqrt(6.0 / (double)in) : sqrt(6.0 / (double)(in + out));
        double *w = n->params + n->offset[l];
        for (size_t i = 0; i < out * in; i++)
            w[i] = a * (2 * rng_uniform(r) - 1);
        memset(w + out * in, 0, out * sizeof *w);
    }
    nn_zero_grad(n);
}

void nn_scale_layer(struct nn *n, size_t l, double factor)
{
    SIM_ASSERT(l < n->nlayers, "no layer %zu", l);
    double *w = n->params + n->offset[l];
    for (size_t i = 0; i < n->sizes[l + 1] * n->sizes[l]; i++)
        w[i] *= factor;
}

/* ---- forward and backward ---------------------------------------------------------------- */

/* tanh through one exp (libm's goes through expm1 and took half of PPO's training time): with
 * t = e^{-2|x|} in (0, 1], tanh|x| = (1 - t) / (1 + t). Its absolute error is within 2^-52
 * (measured over [-20, 20]); only near 0 is its relative error larger than libm's, which no
 * network notices. */
static inline double fast_tanh(double x)
{
    double t = exp(-2 * fabs(x)), r = (1 - t) / (1 + t);
    return x < 0 ? -r : r;
}

const double *nn_forward(struct nn *n, const double *x, size_t batch)
{
    SIM_ASSERT(batch >= 1 && batch <= n->cap, "batch %zu, capacity %zu", batch, n->cap);
    n->batch = batch;
    memcpy(n->h[0], x, batch * n->sizes[0] * sizeof *x);
    for (size_t l = 0; l < n->nlayers; l++) {
        size_t in = n->sizes[l], out = n->sizes[l + 1];
        const double *w = n->params + n->offset[l], *b = w + out * in;
        double *y = n->h[l + 1];
        for (size_t r = 0; r < batch; r++)
            memcpy(y + r * out, b, out * sizeof *y);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, (int)out, (int)in, 1.0,
                    n->h[l], (int)in, w, (int)in, 1.0, y, (int)out);
        if (l + 1 == n->nlayers)
            break;
        size_t m = batch * out;
        if (n->act == NN_TANH)
            for (size_t i = 0; i < m; i++)
                y[i] = fast_tanh(y[i]);
        else
            for (size_t i = 0; i < m; i++)
                y[i] = y[i] > 0 ? y[i] : 0.0;
    }
    return n->h[n->nlayers];
}

void nn_backward(struct nn *n, const double *dy)
{
    size_t batch = n->batch;
    SIM_ASSERT(batch >= 1, "nn_backward without a forward");
    const double *d = dy;
    int which = 0;
    for (size_t l = n->nlayers; l-- > 0;) {
        size_t in = n->sizes[l], out = n->sizes[l + 1];
        const double *w = n->params + n->offset[l];
        double *gw = n->grads + n->offset[l], *gb = gw + out * in;
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out, (int)in, (int)batch, 1.0, d,
                    (int)out, n->h[l], (int)in, 1.0, gw, (int)in);
        for (size_t r = 0; r < batch; r++)
            for (size_t j = 0; j < out; j++)
                gb[j] += d[r * out + j];
        if (l == 0)
            break;
        double *dp = n->delta[which];
        which ^= 1;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)batch, (int)in, (int)out, 1.0,
                    d, (int)out, w, (int)in, 0.0, dp, (int)in);
        const double *h = n->h[l];
        size_t m = batch * in;
        if (n->act == NN_TANH)
            for (size_t i = 0; i < m; i++)
                dp[i] *= 1 - h[i] * h[i];
        else
            for (size_t i = 0; i < m; i++)
                dp[i] = h[i] > 0 ? dp[i] : 0.0;
        d = dp;
    }
}

void nn_zero_grad(struct nn *n)
{
    memset(n->grads, 0, n->nparams * sizeof *n->grads);
}

double nn_grad_sq(const struct nn *n)
{
    double s = 0;
    for (size_t i = 0; i < n->nparams; i++)
        s += n->grads[i] * n->grads[i];
    return s;
}

void nn_scale_grad(struct nn *n, double factor)
{
    for (size_t i = 0; i < n->nparams; i++)
        n->grads[i] *= factor;
}

/* ---- Adam -------------------------------------------------------------------------------- */

int nn_adam_init(struct nn_adam *a, size_t n, double lr)
{
    *a = (struct nn_adam){.n = n, .lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    a->m = calloc(n ? n : 1, sizeof *a->m);
    a->v = calloc(n ? n : 1, sizeof *a->v);
    if (!a->m || !a->v) {
        nn_adam_release(a);
        return -ENOMEM;
    }
    return 0;
}

void nn_adam_release(struct nn_adam *a)
{
    free(a->m);
    free(a->v);
    memset(a, 0, sizeof *a);
}

void nn_adam_reset(struct nn_adam *a)
{
    a->t = 0;
    memset(a->m, 0, a->n * sizeof *a->m);
    memset(a->v, 0, a->n * sizeof *a->v);
}

void nn_adam_step(struct nn_adam *a, double *params, const double *grads)
{
    a->t++;
    double c1 = 1 - pow(a->beta1, (double)a->t), c2 = 1 - pow(a->beta2, (double)a->t);
    double step = a->lr / c1, rc2 = 1 / sqrt(c2);
    for (size_t i = 0; i < a->n; i++) {
        double g = grads[i];
        a->m[i] = a->beta1 * a->m[i] + (1 - a->beta1) * g;
        a->v[i] = a->beta2 * a->v[i] + (1 - a->beta2) * g * g;
        params[i] -= step * a->m[i] / (sqrt(a->v[i]) * rc2 + a->eps);
    }
}

/* ---- the file format --------------------------------------------------------------------- */

static const char *const act_names[] = {[NN_TANH] = "tanh", [NN_RELU] = "relu"};

int nn_save(const char *path, const struct nn *const *nets, const char *const *names, size_t count,
            struct diag *d)
{
    for (size_t i = 0; i < count; i++) {
        if (!names[i][0] || strpbrk(names[i], " \t\r\n#")) {
            diag_error(d, "%s: network name '%s' is empty or has white space", path, names[i]);
            return -EINVAL;
        }
        for (size_t j = 0; j < nets[i]->nparams; j++)
            if (!isfinite(nets[i]->params[j])) {
                diag_error(d, "%s: network '%s' has a non-finite parameter (%zu); not written",
                           path, names[i], j);
                return -EINVAL;
            }
    }
    struct outfile of;
    int orc = outfile_open(&of, path, d);
    if (orc < 0)
        return orc;
    FILE *f = of.f;
    fprintf(f, "%s %d\n", NN_FORMAT, NN_FORMAT_VERSION);
    fprintf(f, "networks %zu\n", count);
    for (size_t i = 0; i < count; i++) {
        const struct nn *n = nets[i];
        fprintf(f, "network %s\nsizes", names[i]);
        for (size_t l = 0; l <= n->nlayers; l++)
            fprintf(f, " %zu", n->sizes[l]);
        fprintf(f, "\nactivation %s\n", act_names[n->act]);
        for (size_t l = 0; l < n->nlayers; l++) {
            size_t in = n->sizes[l], out = n->sizes[l + 1];
            const double *w = n->params + n->offset[l];
            fprintf(f, "layer %zu weights %zu %zu\n", l + 1, out, in);
            for (size_t r = 0; r < out; r++)
                for (size_t c = 0; c < in; c++)
                    fprintf(f, "%.17g%c", w[r * in + c], c + 1 == in ? '\n' : ' ');
            fprintf(f, "layer %zu bias %zu\n", l + 1, out);
            for (size_t r = 0; r < out; r++)
                fprintf(f, "%.17g%c", w[out * in + r], r + 1 == out ? '\n' : ' ');
        }
    }
    fprintf(f, "end\n");
    return outfile_commit(&of, 0, d);
}

/* A cursor over the text: the next token (a run of non-space characters) and where it is. */
struct lex {
    const char *name, *p, *end, *line_start;
    int line;
    const char *tok; /* the current token (NULL at the end of the text) */
    size_t len;
    int tok_line, tok_col;
    struct diag *d;
};

static void lex_next(struct lex *x)
{
    for (;;) {
        while (x->p < x->end && isspace((unsigned char)*x->p)) {
            if (*x->p == '\n') {
                x->line++;
                x->line_start = x->p + 1;
            }
            x->p++;
        }
        if (x->p < x->end && *x->p == '#') {
            while (x->p < x->end && *x->p != '\n')
                x->p++;
            continue;
        }
        break;
    }
    x->tok_line = x->line;
    x->tok_col = (int)(x->p - x->line_start) + 1;
    if (x->p == x->end) {
        x->tok = NULL;
        x->len = 0;
        return;
    }
    x->tok = x->p;
    while (x->p < x->end && !isspace((unsigned char)*x->p) && *x->p != '#')
        x->p++;
    x->len = (size_t)(x->p - x->tok);
}

/* Reports "expected <what>, found <the current token>" and returns -EINVAL. */
static int lex_expected(struct lex *x, const char *what)
{
    char buf[DIAG_EXCERPT], quoted[DIAG_EXCERPT + 2];
    if (x->tok) {
        char tok[DIAG_EXCERPT * 4];
        size_t n = x->len < sizeof tok - 1 ? x->len : sizeof tok - 1;
        memcpy(tok, x->tok, n);
        tok[n] = 0;
        snprintf(quoted, sizeof quoted, "'%s'", diag_excerpt(tok, buf, sizeof buf));
    } else {
        snprintf(quoted, sizeof quoted, "the end of the file");
    }
    diag_report(x->d, DIAG_ERROR, x->name, x->tok_line, x->tok_col, "expected %s, found %s", what,
                quoted);
    return -EINVAL;
}

static bool tok_is(const struct lex *x, const char *word)
{
    return x->tok && x->len == strlen(word) && memcmp(x->tok, word, x->len) == 0;
}

static int expect_word(struct lex *x, const char *word)
{
    char what[96];
    snprintf(what, sizeof what, "'%s'", word);
    if (!tok_is(x, word))
        return lex_expected(x, what);
    lex_next(x);
    return 0;
}

/* The current token as an unsigned decimal integer equal to `want`; `what` (a format with one
 * %zu for want) says what it is. */
static int expect_count(struct lex *x, size_t want, const char *what, ...)
    __attribute__((format(printf, 3, 4)));

static int expect_count(struct lex *x, size_t want, const char *what, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, what);
    vsnprintf(msg, sizeof msg, what, ap);
    va_end(ap);
    if (!x->tok || x->len > 19)
        return lex_expected(x, msg);
    size_t v = 0;
    for (size_t i = 0; i < x->len; i++) {
        if (!isdigit((unsigned char)x->tok[i]))
            return lex_expected(x, msg);
        v = 10 * v + (size_t)(x->tok[i] - '0');
    }
    if (v != want)
        return lex_expected(x, msg);
    lex_next(x);
    return 0;
}

static int expect_number(struct lex *x, double *out)
{
    char buf[64];
    if (!x->tok || x->len >= sizeof buf)
        return lex_expected(x, "a finite number");
    memcpy(buf, x->tok, x->len);
    buf[x->len] = 0;
    char *e;
    errno = 0;
    double v = strtod(buf, &e);
    if (e == buf || *e || !isfinite(v))
        return lex_expected(x, "a finite number");
    *out = v;
    lex_next(x);
    return 0;
}

static int parse_net(struct lex *x, const struct nn *n, const char *name, double *params)
{
    int rc;
    char what[160];
    if ((rc = expect_word(x, "network")) < 0)
        return rc;
    snprintf(what, sizeof what, "network name '%s'", name);
    if (!tok_is(x, name))
        return lex_expected(x, what);
    lex_next(x);
    if ((rc = expect_word(x, "sizes")) < 0)
        return rc;
    for (size_t l = 0; l <= n->nlayers; l++) {
        if ((rc = expect_count(x, n->sizes[l], "width %zu for layer %zu of network '%s'",
                               n->sizes[l], l, name)) < 0)
            return rc;
    }
    if ((rc = expect_word(x, "activation")) < 0)
        return rc;
    snprintf(what, sizeof what, "activation '%s' for network '%s'", act_names[n->act], name);
    if (!tok_is(x, act_names[n->act]))
        return lex_expected(x, what);
    lex_next(x);
    for (size_t l = 0; l < n->nlayers; l++) {
        size_t in = n->sizes[l], out = n->sizes[l + 1];
        double *w = params + n->offset[l];
        if ((rc = expect_word(x, "layer")) < 0 ||
            (rc = expect_count(x, l + 1, "layer number %zu", l + 1)) < 0 ||
            (rc = expect_word(x, "weights")) < 0 ||
            (rc = expect_count(x, out, "row count %zu", out)) < 0 ||
            (rc = expect_count(x, in, "column count %zu", in)) < 0)
            return rc;
        for (size_t i = 0; i < out * in; i++)
            if ((rc = expect_number(x, &w[i])) < 0)
                return rc;
        if ((rc = expect_word(x, "layer")) < 0 ||
            (rc = expect_count(x, l + 1, "layer number %zu", l + 1)) < 0 ||
            (rc = expect_word(x, "bias")) < 0 ||
            (rc = expect_count(x, out, "bias length %zu", out)) < 0)
            return rc;
        for (size_t i = 0; i < out; i++)
            if ((rc = expect_number(x, &w[out * in + i])) < 0)
                return rc;
    }
    return 0;
}

int nn_parse(const char *name, const char *text, size_t len, struct nn *const *nets,
             const char *const *names, size_t count, struct diag *d)
{
    struct lex x = {
        .name = name, .p = text, .end = text + len, .line_start = text, .line = 1, .d = d};
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += nets[i]->nparams;
    double *tmp = malloc((total ? total : 1) * sizeof *tmp);
    if (!tmp) {
        diag_error(d, "%s: out of memory", name);
        return -ENOMEM;
    }
    lex_next(&x);
    int rc = expect_word(&x, NN_FORMAT);
    if (rc == 0)
        rc = expect_count(&x, NN_FORMAT_VERSION, "format version %zu", (size_t)NN_FORMAT_VERSION);
    if (rc == 0)
        rc = expect_word(&x, "networks");
    if (rc == 0)
        rc = expect_count(&x, count, "network count %zu", count);
    for (size_t i = 0, at = 0; rc == 0 && i < count; at += nets[i]->nparams, i++)
        rc = parse_net(&x, nets[i], names[i], tmp + at);
    if (rc == 0)
        rc = expect_word(&x, "end");
    if (rc == 0 && x.tok)
        rc = lex_expected(&x, "the end of the file after 'end'");
    if (rc == 0)
        for (size_t i = 0, at = 0; i < count; at += nets[i]->nparams, i++)
            memcpy(nets[i]->params, tmp + at, nets[i]->nparams * sizeof *tmp);
    free(tmp);
    return rc;
}

int nn_load(const char *path, struct nn *const *nets, const char *const *names, size_t count,
            struct diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    int lrc = slurp_file(path, (size_t)1 << 32, &buf, &len, d);
    if (lrc < 0)
        return lrc;
    int rc = nn_parse(path, buf, len, nets, names, count, d);
    free(buf);
    return rc;
}
