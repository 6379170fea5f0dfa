#include "models/llm/derive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/llm/roofline.h"

#define MAX_TOKENS 4096
#define MAX_BATCH  64

static double *powers_of_two(double max, size_t *n)
{
    *n = 0;
    for (double x = 1; x <= max; x *= 2)
        (*n)++;
    double *v = calloc(*n ? *n : 1, sizeof *v);
    if (v)
        for (size_t i = 0; i < *n; i++)
            v[i] = (double)(1ull << i);
    return v;
}

/* An element-wise pass over `values` activation values per token. */
static double elementwise_ms(const struct device *d, double tokens, double values)
{
    struct roofline_op op = {"elementwise", ROOFLINE_ELEMENTWISE, 0, 0, values};
    return 1e3 * roofline_op_seconds(&op, d, tokens);
}

static double linear_ms(const struct device *d, double tokens, double in, double out)
{
    struct roofline_op op = {"linear", ROOFLINE_LINEAR, in, out, 0};
    return 1e3 * roofline_op_seconds(&op, d, tokens);
}

static double prefill_ms(const struct arch *a, const struct device *d, int kind, double n)
{
    double dm = a->hidden;
    switch (kind) {
    case COST_EMBEDDING:
        return elementwise_ms(d, n, 2 * dm); /* gather a row, write it */
    case COST_BLOCK:
        return 1e3 *
               (roofline_block_seconds(a, d, n) + roofline_attention_prefill_seconds(a, d, n));
    default: /* final norm over the prompt; the head for its last position */
        return elementwise_ms(d, n, 2 * dm) + linear_ms(d, 1, dm, a->vocab);
    }
}

static double decode_ms(const struct arch *a, const struct device *d, int kind, double context,
                        double batch)
{
    double dm = a->hidden;
    switch (kind) {
    case COST_EMBEDDING:
        return elementwise_ms(d, batch, 2 * dm);
    case COST_BLOCK:
        return 1e3 * (roofline_block_seconds(a, d, batch) +
                      roofline_attention_decode_seconds(a, d, context, batch));
    default:
        return elementwise_ms(d, batch, 2 * dm) + linear_ms(d, batch, dm, a->vocab);
    }
}

int cost_layout(struct cost_table *t, const struct arch *a, const struct cost_origin *o)
{
    memset(t, 0, sizeof *t);
    t->prefill_tokens = powers_of_two(o->max_tokens, &t->nprefill);
    t->decode_context = powers_of_two(o->max_context, &t->ncontext);
    t->decode_batch = powers_of_two(o->max_batch, &t->nbatch);
    t->groups = calloc(COST_PARTS, sizeof *t->groups);
    t->model = strdup(a->name);
    t->device = strdup(o->device);
    t->method = strdup(o->method);
    t->tool = strdup(o->tool);
    t->created = strdup(o->created);
    t->source = strdup(o->source);
    t->power_w = o->power_w;
    if (!t->prefill_tokens || !t->decode_context || !t->decode_batch || !t->groups || !t->model ||
        !t->device || !t->method || !t->tool || !t->created || !t->source)
        goto nomem;
    t->ngroups = COST_PARTS;
    static const char *const names[] = {"embedding", "block", "head"};
    const double vb = o->value_bytes;
    const double bytes[COST_PARTS] = {vb * (double)arch_embedding_params(a),
                                      vb * (double)arch_block_params(a),
                                      vb * (double)arch_head_params(a)};
    for (int k = 0; k < COST_PARTS; k++) {
        struct cost_group *g = &t->groups[k];
        g->name = strdup(names[k]);
        g->count = k == COST_BLOCK ? a->layers : 1;
        g->first = t->nlayers;
        t->nlayers += g->count;
        g->param_bytes = bytes[k];
        g->kv_bytes_per_token = k == COST_BLOCK ? (double)arch_kv_bytes_per_token(a, vb) : 0;
        g->hidden_bytes_per_token = k == COST_HEAD ? 4 : (double)arch_hidden_bytes_per_token(a, vb);
        g->prefill_ms = calloc(t->nprefill, sizeof *g->prefill_ms);
        g->decode_ms = calloc(t->ncontext * t->nbatch, sizeof *g->decode_ms);
        if (!g->name || !g->prefill_ms || !g->decode_ms)
            goto nomem;
    }
    return 0;
nomem:
    cost_release(t);
    return -ENOMEM;
}

int cost_derive(struct cost_table *t, const struct arch *a, const struct device *d,
                const char *tool, const char *created)
{
    char *source = NULL;
    if (asprintf(&source,
                 "roofline per operator (models/roofline.c) of %s (%s) on %s (%s); %s weights "
                 "and activations",
                 a->name, a->source, d->name, d->source,
                 device_value_bytes(d) == 4 ? "FP32" : "FP16") < 0) {
        memset(t, 0, sizeof *t);
        return -ENOMEM;
    }
    struct cost_origin o = {.device = d->name,
                            .method = "derived",
                            .tool = tool,
                            .created = created,
                            .source = source,
                            .power_w = d->power_w,
                            .value_bytes = device_value_bytes(d),
                            .max_tokens = MAX_TOKENS,
                            .max_context = a->max_positions ? a->max_positions : MAX_TOKENS,
                            .max_batch = MAX_BATCH};
    int rc = cost_layout(t, a, &o);
    free(source);
    if (rc < 0)
        return rc;
    for (int k = 0; k < COST_PARTS; k++) {
        struct cost_group *g = &t->groups[k];
        for (size_t i = 0; i < t->nprefill; i++)
            g->prefill_ms[i] = prefill_ms(a, d, k, t->prefill_tokens[i]);
        for (size_t r = 0; r < t->ncontext; r++)
            for (size_t c = 0; c < t->nbatch; c++)
                g->decode_ms[r * t->nbatch + c] =
                    decode_ms(a, d, k, t->decode_context[r], t->decode_batch[c]);
    }
    return 0;
}
