#include "models/llm/calibrate.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/slurp.h"

/* A Vidur profile is a few hundred kB; a larger file is not one. */
#define PROFILE_MAX_BYTES ((size_t)64 << 20)

/* Fields of a line looked at (Vidur's mlp.csv has about 70). */
#define CSV_MAX_FIELDS 128

/* Where the columns the fit needs are (-1: absent). */
struct columns {
    int tokens, tensor_parallel;
    int op[ROOFLINE_MAX_OPS];
};

/* Splits a CSV line in place into at most max fields (no quoting in Vidur's files). */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    char *nl = strpbrk(fields[n - 1], "\r\n");
    if (nl)
        *nl = '\0';
    return n;
}

/* Finds the columns in the header; -EINVAL with messages when one the fit needs is missing. */
static int header_columns(char **fields, size_t nf, const struct roofline_op *ops, size_t nops,
                          struct columns *col, const char *name, struct diag *d)
{
    col->tokens = col->tensor_parallel = -1;
    for (size_t i = 0; i < nops; i++)
        col->op[i] = -1;
    for (size_t c = 0; c < nf; c++) {
        if (strcmp(fields[c], "num_tokens") == 0)
            col->tokens = (int)c;
        if (strcmp(fields[c], "num_tensor_parallel_workers") == 0)
            col->tensor_parallel = (int)c;
        for (size_t i = 0; i < nops; i++) {
            char want[96];
            snprintf(want, sizeof want, "time_stats.%s.median", ops[i].name);
            if (strcmp(fields[c], want) == 0)
                col->op[i] = (int)c;
        }
    }
    if (col->tokens < 0) {
        diag_report(d, DIAG_ERROR, name, 1, 1,
                    "no num_tokens column; expected a Vidur mlp.csv profile");
        return -EINVAL;
    }
    int rc = 0;
    for (size_t i = 0; i < nops; i++)
        if (col->op[i] < 0) {
            diag_report(d, DIAG_ERROR, name, 1, 1,
                        "no column time_stats.%s.median; expected a Vidur mlp.csv profile of this "
                        "architecture",
                        ops[i].name);
            rc = -EINVAL;
        }
    return rc;
}

/* Adds the row at `lineno` unless it ran tensor-parallel, repeats a token count or finds the
 * profile full; -EINVAL with a message for a token count that is not a number >= 1. */
static int add_row(struct calib_profile *pr, char **fields, size_t nf, const struct columns *col,
                   size_t nops, const char *name, int lineno, struct diag *d)
{
    if (col->tensor_parallel >= 0 &&
        ((size_t)col->tensor_parallel >= nf || strcmp(fields[col->tensor_parallel], "1") != 0))
        return 0;
    if ((size_t)col->tokens >= nf || pr->n == CALIB_MAX_POINTS)
        return 0;
    struct calib_point *p = &pr->points[pr->n];
    const char *text = fields[col->tokens];
    char *end = NULL;
    p->tokens = strtod(text, &end);
    for (size_t i = 0; i < pr->n; i++) /* some token counts are profiled twice: keep the first */
        if (pr->points[i].tokens == p->tokens)
            return 0;
    if (end == text || !(p->tokens >= 1)) {
        diag_report(d, DIAG_ERROR, name, lineno, 1, "num_tokens: expected a count >= 1, got '%s'",
                    text);
        return -EINVAL;
    }
    p->block_s = 0;
    for (size_t i = 0; i < nops; i++) {
        double ms = (size_t)col->op[i] < nf ? strtod(fields[col->op[i]], NULL) : 0;
        p->op_s[i] = ms * 1e-3;
        p->block_s += p->op_s[i];
    }
    pr->n++;
    return 0;
}

int calib_profile_parse(struct calib_profile *pr, FILE *f, const char *name, const struct arch *a,
                        struct diag *d)
{
    pr->n = 0;
    pr->points = calloc(CALIB_MAX_POINTS, sizeof *pr->points);
    if (!pr->points) {
        diag_report(d, DIAG_ERROR, name, 0, 0, "out of memory");
        return -ENOMEM;
    }
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    size_t nops = roofline_block_ops(a, ops);
    struct columns col = {.tokens = -1, .tensor_parallel = -1};
    char *line = NULL, *fields[CSV_MAX_FIELDS];
    size_t cap = 0;
    int lineno = 0, rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        size_t nf = split_csv(line, fields, CSV_MAX_FIELDS);
        if (++lineno == 1)
            rc = header_columns(fields, nf, ops, nops, &col, name, d);
        else
            rc = add_row(pr, fields, nf, &col, nops, name, lineno, d);
    }
    free(line);
    if (rc == 0 && pr->n == 0) {
        diag_report(d, DIAG_ERROR, name, 0, 0, "no rows with num_tensor_parallel_workers = 1");
        rc = -EINVAL;
    }
    return rc;
}

int calib_profile_read(struct calib_profile *pr, const char *path, const struct arch *a,
                       struct diag *d)
{
    pr->points = NULL;
    pr->n = 0;
    char *text = NULL;
    size_t len = 0;
    int rc = slurp_file(path, PROFILE_MAX_BYTES, &text, &len, d);
    if (rc < 0)
        return rc == -ENOMEM ? rc : -EINVAL;
    FILE *f = len ? fmemopen(text, len, "r") : NULL;
    if (!f) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "%s", len ? "out of memory" : "empty file");
        free(text);
        return len ? -ENOMEM : -EINVAL;
    }
    rc = calib_profile_parse(pr, f, path, a, d);
    fclose(f);
    free(text);
    return rc;
}

void calib_profile_release(struct calib_profile *pr)
{
    free(pr->points);
    pr->points = NULL;
    pr->n = 0;
}

void calib_profile_span(const struct calib_profile *pr, double *min_tokens, double *max_tokens)
{
    *min_tokens = INFINITY;
    *max_tokens = 0;
    for (size_t i = 0; i < pr->n; i++) {
        *min_tokens = fmin(*min_tokens, pr->points[i].tokens);
        *max_tokens = fmax(*max_tokens, pr->points[i].tokens);
    }
}

const struct calib_point *calib_profile_find(const struct calib_profile *pr, double tokens)
{
    for (size_t i = 0; i < pr->n; i++)
        if (pr->points[i].tokens == tokens)
            return &pr->points[i];
    return NULL;
}

void calib_apply(struct device *dev, const struct calib_fit *fit)
{
    dev->eta_compute = fit->eta_compute;
    dev->eta_memory = fit->eta_memory;
    dev->eta_elementwise = fit->eta_elementwise;
    dev->overlap = fit->overlap;
    dev->launch_s = fit->launch_s;
    dev->gemm_tile = fit->gemm_tile;
}

void calib_block_error(const struct arch *a, const struct device *dev,
                       const struct calib_profile *pr, struct calib_fit *fit)
{
    fit->max_error = 0;
    fit->mean_error = 0;
    for (size_t i = 0; i < pr->n; i++) {
        const struct calib_point *p = &pr->points[i];
        double e = fabs(roofline_block_seconds(a, dev, p->tokens) / p->block_s - 1);
        fit->max_error = fmax(fit->max_error, e);
        fit->mean_error += e / (double)pr->n;
    }
}

/* The grid of the search (the header gives it in words). A bound is met up to `slack`, so that a
 * value reached by adding steps is not lost to rounding. */
struct axis {
    double lo, hi, step;
};
static const double overlap_grid[] = {0, 1, 1.5, 2, 3, 5};
static const double tile_grid[] = {0, 64, 128};
static const struct axis coarse_compute = {0.3, 1.0, 0.1}, coarse_memory = {0.3, 1.0, 0.1},
                         coarse_elementwise = {0.2, 1.0, 0.1}, coarse_launch = {0, 10e-6, 1e-6};
#define ETA_SLACK    1e-9
#define LAUNCH_SLACK 1e-12
/* The fine grid: each eta within ETA_REACH of the coarse point, kept in [ETA_MIN, ETA_MAX]; the
 * launch cost within LAUNCH_REACH, kept >= 0. */
#define ETA_REACH    0.08
#define ETA_STEP     0.02
#define ETA_MIN      0.05
#define ETA_MAX      1.0
#define LAUNCH_REACH 1e-6
#define LAUNCH_STEP  0.2e-6

/* The best CALIB_KEEP fits seen, by max error (of equal errors, the first seen first). */
struct candidates {
    struct calib_fit best[CALIB_KEEP];
    size_t n;
};

static void candidates_offer(struct candidates *c, const struct calib_fit *f)
{
    size_t i;
    if (c->n < CALIB_KEEP) {
        i = c->n++;
    } else {
        if (!(f->max_error < c->best[CALIB_KEEP - 1].max_error))
            return;
        i = CALIB_KEEP - 1;
    }
    c->best[i] = *f;
    while (i > 0 && c->best[i].max_error < c->best[i - 1].max_error) {
        struct calib_fit t = c->best[i];
        c->best[i] = c->best[i - 1];
        c->best[i - 1] = t;
        i--;
    }
}

/* Scores f (its numbers applied to dev) on the profile and returns it with its error. */
static struct calib_fit scored(const struct arch *a, struct device *dev,
                               const struct calib_profile *pr, struct calib_fit f)
{
    calib_apply(dev, &f);
    calib_block_error(a, dev, pr, &f);
    return f;
}

/* Every point of the coarse grid, scored on `sub`, into c. */
static void coarse_search(const struct arch *a, struct device *dev, const struct calib_profile *sub,
                          struct candidates *c)
{
    for (size_t t = 0; t < sizeof tile_grid / sizeof *tile_grid; t++)
        for (size_t o = 0; o < sizeof overlap_grid / sizeof *overlap_grid; o++)
            for (double ec = coarse_compute.lo; ec <= coarse_compute.hi + ETA_SLACK;
                 ec += coarse_compute.step)
                for (double em = coarse_memory.lo; em <= coarse_memory.hi + ETA_SLACK;
                     em += coarse_memory.step)
                    for (double ee = coarse_elementwise.lo; ee <= coarse_elementwise.hi + ETA_SLACK;
                         ee += coarse_elementwise.step)
                        for (double l = coarse_launch.lo; l <= coarse_launch.hi + LAUNCH_SLACK;
                             l += coarse_launch.step) {
                            struct calib_fit f = {.eta_compute = ec,
                                                  .eta_memory = em,
                                                  .eta_elementwise = ee,
                                                  .overlap = overlap_grid[o],
                                                  .gemm_tile = tile_grid[t],
                                                  .launch_s = l};
                            f = scored(a, dev, sub, f);
                            candidates_offer(c, &f);
                        }
}

/* The best point of the fine grid around `start` (its overlap and tile kept), scored on `sub`. */
static struct calib_fit refine(const struct arch *a, struct device *dev,
                               const struct calib_profile *sub, struct calib_fit start)
{
    struct calib_fit best = start;
    double c0 = start.eta_compute, m0 = start.eta_memory, e0 = start.eta_elementwise,
           l0 = start.launch_s;
    for (double ec = fmax(ETA_MIN, c0 - ETA_REACH); ec <= fmin(ETA_MAX, c0 + ETA_REACH) + ETA_SLACK;
         ec += ETA_STEP)
        for (double em = fmax(ETA_MIN, m0 - ETA_REACH);
             em <= fmin(ETA_MAX, m0 + ETA_REACH) + ETA_SLACK; em += ETA_STEP)
            for (double ee = fmax(ETA_MIN, e0 - ETA_REACH);
                 ee <= fmin(ETA_MAX, e0 + ETA_REACH) + ETA_SLACK; ee += ETA_STEP)
                for (double l = fmax(0, l0 - LAUNCH_REACH); l <= l0 + LAUNCH_REACH + LAUNCH_SLACK;
                     l += LAUNCH_STEP) {
                    struct calib_fit f = {.eta_compute = ec,
                                          .eta_memory = em,
                                          .eta_elementwise = ee,
                                          .overlap = start.overlap,
                                          .gemm_tile = start.gemm_tile,
                                          .launch_s = l};
                    f = scored(a, dev, sub, f);
                    if (f.max_error < best.max_error)
                        best = f;
                }
    return best;
}

int calib_fit(const struct arch *a, const struct device *base, const struct calib_profile *pr,
              struct calib_fit *fit)
{
    *fit = (struct calib_fit){.max_error = INFINITY};
    if (pr->n == 0)
        return -EINVAL;
    struct calib_profile sub = {
        .points = malloc((pr->n + CALIB_SUBSAMPLE - 1) / CALIB_SUBSAMPLE * sizeof *sub.points)};
    struct candidates *c = malloc(sizeof *c);
    if (!sub.points || !c) {
        free(sub.points);
        free(c);
        return -ENOMEM;
    }
    for (size_t i = 0; i < pr->n; i += CALIB_SUBSAMPLE)
        sub.points[sub.n++] = pr->points[i];
    struct device dev = *base;
    c->n = 0;
    coarse_search(a, &dev, &sub, c);
    for (size_t k = 0; k < c->n; k++) {
        struct calib_fit here = refine(a, &dev, &sub, c->best[k]);
        here = scored(a, &dev, pr, here); /* on every point */
        if (here.max_error < fit->max_error)
            *fit = here;
    }
    free(sub.points);
    free(c);
    return 0;
}

struct calib_residual calib_block_residual(const struct arch *a, const struct device *dev,
                                           const struct calib_point *p)
{
    double model = roofline_block_seconds(a, dev, p->tokens);
    return (struct calib_residual){.tokens = p->tokens,
                                   .measured_s = p->block_s,
                                   .model_s = model,
                                   .error = model / p->block_s - 1};
}

struct calib_residual calib_op_residual(const struct arch *a, size_t op, const struct device *dev,
                                        const struct calib_point *p)
{
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    roofline_block_ops(a, ops);
    double model = roofline_op_seconds(&ops[op], dev, p->tokens);
    double measured = p->op_s[op];
    return (struct calib_residual){.tokens = p->tokens,
                                   .measured_s = measured,
                                   .model_s = model,
                                   .error = measured > 0 ? model / measured - 1 : (double)NAN};
}
