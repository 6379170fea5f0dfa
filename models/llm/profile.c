#include "models/llm/profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/llm/derive.h"
#include "splitsim_config.h"

#if SPLITSIM_HAVE_OPENBLAS
#include <cblas.h>
#else
#include <gsl/gsl_cblas.h>
#endif

const char *profile_blas_name(void)
{
#if SPLITSIM_HAVE_OPENBLAS
    return openblas_get_config();
#else
    return "GSL reference CBLAS";
#endif
}

/* ---- the block's buffers ----------------------------------------------------------------- */

struct block {
    const struct arch *a;
    int d, f, q, kv, hd, heads, kvh, gf, vocab;
    float *wqkv, *wo, *wup, *wdown, *norm1, *norm2, *embed, *head; /* weights */
    float *x, *xn, *qkv, *att, *o, *y, *up, *h, *scores, *kcache, *vcache, *logits;
    float *cosv, *sinv; /* rotary tables: positions x hd/2 */
    int max_tokens, max_context;
};

static float *fill(size_t n, uint64_t *state)
{
    float *v = malloc((n ? n : 1) * sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++) {
            *state = *state * 6364136223846793005ull + 1442695040888963407ull;
            v[i] = ((float)(*state >> 40) / (float)(1 << 24) - 0.5f) * 0.02f;
        }
    return v;
}

static void block_free(struct block *b)
{
    float *all[] = {b->wqkv,   b->wo,     b->wup,  b->wdown, b->norm1,  b->norm2,
                    b->embed,  b->head,   b->x,    b->xn,    b->qkv,    b->att,
                    b->o,      b->y,      b->up,   b->h,     b->scores, b->kcache,
                    b->vcache, b->logits, b->cosv, b->sinv};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

static int block_alloc(struct block *b, const struct arch *a, int max_tokens, int max_context)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->d = (int)a->hidden;
    b->f = (int)a->ffn;
    b->hd = (int)a->head_dim;
    b->heads = (int)a->heads;
    b->kvh = (int)a->kv_heads;
    b->q = b->heads * b->hd;
    b->kv = b->kvh * b->hd;
    b->gf = a->mlp == ARCH_MLP_SWIGLU ? 2 * b->f : b->f;
    b->vocab = (int)a->vocab;
    b->max_tokens = max_tokens;
    b->max_context = max_context;
    int rows = max_tokens > 1 ? max_tokens : 1;
    int ctx = (max_context > rows ? max_context : rows) + 1; /* decode adds one position */
    size_t d = (size_t)b->d, n = (size_t)rows;
    uint64_t s = 42;
    b->wqkv = fill(d * (size_t)(b->q + 2 * b->kv), &s);
    b->wo = fill((size_t)b->q * d, &s);
    b->wup = fill(d * (size_t)b->gf, &s);
    b->wdown = fill((size_t)b->f * d, &s);
    b->norm1 = fill(2 * d, &s);
    b->norm2 = fill(2 * d, &s);
    b->embed = fill((size_t)b->vocab * d, &s);
    b->head = fill(d * (size_t)b->vocab, &s);
    b->x = fill(n * d, &s);
    b->xn = fill(n * d, &s);
    b->qkv = fill(n * (size_t)(b->q + 2 * b->kv), &s);
    b->att = fill(n * (size_t)b->q, &s);
    b->o = fill(n * d, &s);
    b->y = fill(n * d, &s);
    b->up = fill(n * (size_t)b->gf, &s);
    b->h = fill(n * (size_t)b->f, &s);
    b->scores = fill(n * (size_t)ctx, &s);
    b->kcache = fill((size_t)ctx * (size_t)b->kv, &s);
    b->vcache = fill((size_t)ctx * (size_t)b->kv, &s);
    b->logits = fill((size_t)b->vocab, &s);
    b->cosv = malloc((size_t)ctx * (size_t)(b->hd / 2 + 1) * sizeof(float));
    b->sinv = malloc((size_t)ctx * (size_t)(b->hd / 2 + 1) * sizeof(float));
    float *all[] = {b->wqkv,   b->wo,     b->wup,  b->wdown, b->norm1,  b->norm2,
                    b->embed,  b->head,   b->x,    b->xn,    b->qkv,    b->att,
                    b->o,      b->y,      b->up,   b->h,     b->scores, b->kcache,
                    b->vcache, b->logits, b->cosv, b->sinv};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (!all[i]) {
            block_free(b);
            return -ENOMEM;
        }
    for (int p = 0; p < ctx; p++)
        for (int i = 0; i < b->hd / 2; i++) {
            double theta = p * pow(10000.0, -2.0 * i / b->hd);
            b->cosv[(size_t)p * (size_t)(b->hd / 2) + (size_t)i] = (float)cos(theta);
            b->sinv[(size_t)p * (size_t)(b->hd / 2) + (size_t)i] = (float)sin(theta);
        }
    return 0;
}

/* ---- the operators ------------------------------------------------------------------------- */

static void norm(const struct block *b, const float *w, const float *in, float *out, int n)
{
    int d = b->d;
    bool layer = b->a->norm == ARCH_NORM_LAYER;
    for (int t = 0; t < n; t++) {
        const float *x = in + (size_t)t * (size_t)d;
        float *y = out + (size_t)t * (size_t)d;
        float mean = 0, ss = 0;
        if (layer) {
            for (int i = 0; i < d; i++)
                mean += x[i];
            mean /= (float)d;
        }
        for (int i = 0; i < d; i++)
            ss += (x[i] - mean) * (x[i] - mean);
        float r = 1.0f / sqrtf(ss / (float)d + 1e-5f);
        for (int i = 0; i < d; i++)
            y[i] = (x[i] - mean) * r * w[i] + (layer ? w[d + i] : 0.0f);
    }
}

/* out (n x cols) = in (n x k) . w (k x cols), row-major */
static void matmul(const float *in, const float *w, float *out, int n, int k, int cols)
{
    if (n == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, k, cols, 1.0f, w, cols, in, 1, 0.0f, out, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, cols, k, 1.0f, in, k, w, cols,
                    0.0f, out, cols);
}

/* Rotary embedding on the Q and K parts of qkv for positions pos0 .. pos0 + n - 1. */
static void rope(const struct block *b, float *qkv, int n, int pos0)
{
    int stride = b->q + 2 * b->kv, half = b->hd / 2;
    for (int t = 0; t < n; t++) {
        const float *c = b->cosv + (size_t)(pos0 + t) * (size_t)half;
        const float *s = b->sinv + (size_t)(pos0 + t) * (size_t)half;
        float *row = qkv + (size_t)t * (size_t)stride;
        for (int h = 0; h < b->heads + b->kvh; h++) {
            float *v = row + (size_t)h * (size_t)b->hd;
            for (int i = 0; i < half; i++) {
                float x0 = v[i], x1 = v[i + half];
                v[i] = x0 * c[i] - x1 * s[i];
                v[i + half] = x0 * s[i] + x1 * c[i];
            }
        }
    }
}

static void softmax_row(float *v, int n)
{
    float m = v[0], sum = 0;
    for (int i = 1; i < n; i++)
        m = v[i] > m ? v[i] : m;
    for (int i = 0; i < n; i++)
        sum += (v[i] = expf(v[i] - m));
    for (int i = 0; i < n; i++)
        v[i] /= sum;
}

/* Causal attention over the prompt: att (n x q). */
static void attention_prefill(struct block *b, int n)
{
    int stride = b->q + 2 * b->kv, group = b->heads / b->kvh;
    float scale = 1.0f / sqrtf((float)b->hd);
    for (int h = 0; h < b->heads; h++) {
        const float *qh = b->qkv + (size_t)h * (size_t)b->hd;
        const float *kh = b->qkv + (size_t)b->q + (size_t)(h / group) * (size_t)b->hd;
        const float *vh = kh + b->kv;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, b->hd, scale, qh, stride, kh,
                    stride, 0.0f, b->scores, n);
        for (int i = 0; i < n; i++) {
            float *row = b->scores + (size_t)i * (size_t)n;
            for (int j = i + 1; j < n; j++)
                row[j] = -INFINITY;
            softmax_row(row, n);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, b->hd, n, 1.0f, b->scores, n, vh,
                    stride, 0.0f, b->att + (size_t)h * (size_t)b->hd, b->q);
    }
}

/* One new token attending over `context` cached tokens: att (1 x q). */
static void attention_decode(struct block *b, int context)
{
    int group = b->heads / b->kvh;
    float scale = 1.0f / sqrtf((float)b->hd);
    for (int h = 0; h < b->heads; h++) {
        const float *qh = b->qkv + (size_t)h * (size_t)b->hd;
        const float *kc = b->kcache + (size_t)(h / group) * (size_t)b->hd;
        const float *vc = b->vcache + (size_t)(h / group) * (size_t)b->hd;
        cblas_sgemv(CblasRowMajor, CblasNoTrans, context, b->hd, scale, kc, b->kv, qh, 1, 0.0f,
                    b->scores, 1);
        softmax_row(b->scores, context);
        cblas_sgemv(CblasRowMajor, CblasTrans, context, b->hd, 1.0f, vc, b->kv, b->scores, 1, 0.0f,
                    b->att + (size_t)h * (size_t)b->hd, 1);
    }
}

static void residual(float *x, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] += y[i];
}

static void mlp_activation(struct block *b, int n)
{
    size_t f = (size_t)b->f;
    for (size_t t = 0; t < (size_t)n; t++) {
        const float *u = b->up + t * (size_t)b->gf;
        float *h = b->h + t * f;
        if (b->a->mlp == ARCH_MLP_SWIGLU) {
            for (size_t i = 0; i < f; i++) {
                float g = u[i];
                h[i] = g / (1.0f + expf(-g)) * u[f + i];
            }
        } else {
            for (size_t i = 0; i < f; i++) {
                float x = u[i];
                h[i] = 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
            }
        }
    }
}

/* The block for n tokens; decode (context > 0) attends over the cache instead. */
static void block_run(struct block *b, int n, int context)
{
    size_t nd = (size_t)n * (size_t)b->d;
    norm(b, b->norm1, b->x, b->xn, n);
    matmul(b->xn, b->wqkv, b->qkv, n, b->d, b->q + 2 * b->kv);
    rope(b, b->qkv, n, context);
    if (context > 0)
        attention_decode(b, context);
    else
        attention_prefill(b, n);
    matmul(b->att, b->wo, b->y, n, b->q, b->d);
    if (!b->a->parallel_block) {
        residual(b->x, b->y, nd);
        norm(b, b->norm2, b->x, b->xn, n);
    }
    matmul(b->xn, b->wup, b->up, n, b->d, b->gf);
    mlp_activation(b, n);
    matmul(b->h, b->wdown, b->o, n, b->f, b->d);
    residual(b->x, b->o, nd);
    if (b->a->parallel_block)
        residual(b->x, b->y, nd);
}

static void embedding_run(struct block *b, int n)
{
    for (int t = 0; t < n; t++)
        memcpy(b->x + (size_t)t * (size_t)b->d,
               b->embed + (size_t)((t * 7919) % b->vocab) * (size_t)b->d,
               (size_t)b->d * sizeof(float));
}

/* Final norm over n positions, LM head for the last one. */
static void head_run(struct block *b, int n)
{
    norm(b, b->norm1, b->x, b->xn, n);
    matmul(b->xn + (size_t)(n - 1) * (size_t)b->d, b->head, b->logits, 1, b->d, b->vocab);
}

/* ---- timing -------------------------------------------------------------------------------- */

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Median milliseconds of `repeats` runs after one warm-up. */
static double time_ms(struct block *b, enum cost_part part, int n, int context, unsigned repeats)
{
    double runs[64];
    unsigned r = repeats > 63 ? 63 : repeats;
    for (unsigned i = 0; i <= r; i++) {
        double t0 = seconds();
        if (part == COST_EMBEDDING)
            embedding_run(b, n);
        else if (part == COST_BLOCK)
            block_run(b, n, context);
        else
            head_run(b, n);
        double dt = seconds() - t0;
        if (i > 0)
            runs[i - 1] = dt;
    }
    qsort(runs, r, sizeof *runs, cmp_double);
    double ms = 1e3 * runs[r / 2];
    return ms > 1e-6 ? ms : 1e-6; /* below the clock's resolution: 1 ns, tables need > 0 */
}

/* Pool-adjacent-violators: the non-decreasing series closest to v in least squares, so that a
 * single noisy spike is averaged with its neighbours instead of lifting everything after it. */
void profile_make_monotone(double *v, size_t n)
{
    double *sum = malloc(n * sizeof *sum);
    size_t *len = malloc(n * sizeof *len);
    if (!sum || !len) {
        for (size_t i = 1; i < n; i++) /* fallback: running maximum */
            v[i] = v[i] < v[i - 1] ? v[i - 1] : v[i];
        free(sum);
        free(len);
        return;
    }
    size_t blocks = 0;
    for (size_t i = 0; i < n; i++) {
        sum[blocks] = v[i];
        len[blocks] = 1;
        blocks++;
        while (blocks > 1 && sum[blocks - 2] / (double)len[blocks - 2] >
                                 sum[blocks - 1] / (double)len[blocks - 1]) {
            sum[blocks - 2] += sum[blocks - 1];
            len[blocks - 2] += len[blocks - 1];
            blocks--;
        }
    }
    for (size_t b = 0, i = 0; b < blocks; b++)
        for (size_t k = 0; k < len[b]; k++)
            v[i++] = sum[b] / (double)len[b];
    free(sum);
    free(len);
}

int profile_measure(struct cost_table *t, const struct arch *a, const struct profile_options *o,
                    const char *tool, const char *created)
{
    memset(t, 0, sizeof *t);
#if SPLITSIM_HAVE_OPENBLAS
    if (o->threads)
        openblas_set_num_threads((int)o->threads);
#endif
    struct block b;
    if (block_alloc(&b, a, (int)o->max_tokens, (int)o->max_context) < 0)
        return -ENOMEM;
    char *source = NULL;
    if (asprintf(&source,
                 "one %s block with real shapes and synthetic FP32 weights, run on %s with %s; "
                 "median of %u runs after a warm-up; each series made non-decreasing by isotonic "
                 "regression (pool-adjacent-violators)",
                 a->name, o->machine, profile_blas_name(), o->repeats) < 0)
        source = NULL;
    struct cost_origin origin = {.device = o->device,
                                 .method = "measured",
                                 .tool = tool,
                                 .created = created,
                                 .source = source,
                                 .power_w = 0,
                                 .value_bytes = 4,
                                 .max_tokens = o->max_tokens,
                                 .max_context = o->max_context,
                                 .max_batch = 1};
    int rc = source ? cost_layout(t, a, &origin) : -ENOMEM;
    free(source);
    if (rc < 0) {
        block_free(&b);
        return rc;
    }
    for (int k = 0; k < COST_PARTS; k++) {
        struct cost_group *g = &t->groups[k];
        for (size_t i = 0; i < t->nprefill; i++)
            g->prefill_ms[i] =
                time_ms(&b, (enum cost_part)k, (int)t->prefill_tokens[i], 0, o->repeats);
        for (size_t r = 0; r < t->ncontext; r++)
            g->decode_ms[r] =
                time_ms(&b, (enum cost_part)k, 1, (int)t->decode_context[r], o->repeats);
        profile_make_monotone(g->prefill_ms, t->nprefill);
        profile_make_monotone(g->decode_ms, t->ncontext);
    }
    block_free(&b);
    return 0;
}

int profile_peaks(unsigned threads, unsigned repeats, double *flops, double *bandwidth)
{
#if SPLITSIM_HAVE_OPENBLAS
    if (threads)
        openblas_set_num_threads((int)threads);
#else
    (void)threads;
#endif
    const int n = 2048, rows = 8192, cols = 16384;
    uint64_t st = 7;
    float *a = fill((size_t)n * (size_t)n, &st), *b = fill((size_t)n * (size_t)n, &st),
          *c = fill((size_t)n * (size_t)n, &st);
    float *w = fill((size_t)rows * (size_t)cols, &st), *x = fill((size_t)cols, &st),
          *y = fill((size_t)rows, &st);
    int rc = 0;
    if (!a || !b || !c || !w || !x || !y) {
        rc = -ENOMEM;
        goto out;
    }
    *flops = 0;
    *bandwidth = 0;
    for (unsigned r = 0; r <= repeats; r++) {
        double t0 = seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        double t1 = seconds();
        cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, cols, 1.0f, w, cols, x, 1, 0.0f, y, 1);
        double t2 = seconds();
        if (r == 0)
            continue; /* warm-up */
        double f = 2.0 * n * (double)n * n / (t1 - t0);
        double bw = 4.0 * rows * (double)cols / (t2 - t1);
        *flops = f > *flops ? f : *flops;
        *bandwidth = bw > *bandwidth ? bw : *bandwidth;
    }
out:
    free(a);
    free(b);
    free(c);
    free(w);
    free(x);
    free(y);
    return rc;
}
