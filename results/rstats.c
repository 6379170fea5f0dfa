#include "results/rstats.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_MAX 65536 /* the longest attribute read here: format, model, policy, units */

char *rstats_metric_name(const char *group, const char *unit)
{
    size_t g = strlen(group), u = unit ? strlen(unit) : 0;
    if (u && g > u + 1 && group[g - u - 1] == '_' && strcasecmp(group + g - u, unit) == 0)
        return strndup(group, g - u - 1);
    return strdup(group);
}

/* The scalar at "base/name". */
static double scalar_at(struct rread *r, const char *base, const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", base, name) < 0)
        return NAN;
    double v = rread_scalar(r, path);
    free(path);
    return v;
}

/* The units attribute of the dataset at `path` ("1" when it has none). */
static char *units_of(struct rread *r, const char *path)
{
    char *u = rread_attr_string_max(r, path, "units", TEXT_MAX);
    return u ? u : strdup("1");
}

/* The root attributes: a complete results file of the format read, of a known model. */
static int check_root(struct rread *r, const char *path, struct rstats *s, struct diag *d)
{
    char *format = rread_attr_string_max(r, "/", "format", TEXT_MAX);
    int64_t version = -1, complete = -1, done = -1;
    int rc = -EINVAL;
    if (!format || strcmp(format, "splitsim-results") != 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "not a splitsim results file (%s%s%s)",
                    format ? "its 'format' attribute is '" : "it has no 'format' attribute",
                    format ? format : "", format ? "'" : "");
    } else if (rread_attr_int64(r, "/", "format_version", &version) < 0 ||
               version != RSTATS_FORMAT_VERSION) {
        char *by = rread_attr_string_max(r, "/", "simulator_version", 256);
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "results format version %" PRId64 " (written by splitsim %s); this splitsim "
                    "reads format %d only",
                    version, by ? by : "?", RSTATS_FORMAT_VERSION);
        free(by);
    } else if (rread_attr_int64(r, "/", "complete", &complete) < 0 || complete != 1) {
        rread_attr_int64(r, "/", "replications_done", &done);
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "not complete (interrupted, failed or still being written: complete = %" PRId64
                    ", %" PRId64 " replication(s) finished); it holds no statistics to summarize "
                    "('splitsim inspect %s' tells what it holds)",
                    complete, done, path);
    } else if (!(s->model = rread_attr_string_max(r, "/", "model", TEXT_MAX)) ||
               (strcmp(s->model, "split") != 0 && strcmp(s->model, "queue") != 0)) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "unknown model '%s' (expected split or queue)",
                    s->model ? s->model : "(none)");
    } else {
        rc = 0;
    }
    free(format);
    return rc;
}

/* One metric of a split summary: the scalars of group base/summary/group. */
static int read_split_metric(struct rread *r, const char *summary, const char *group,
                             struct rstats_metric *m)
{
    char *g = NULL, *mean = NULL;
    if (asprintf(&g, "%s/%s", summary, group) < 0)
        return -ENOMEM;
    if (asprintf(&mean, "%s/mean", g) < 0) {
        free(g);
        return -ENOMEM;
    }
    m->unit = units_of(r, mean);
    m->name = m->unit ? rstats_metric_name(group, m->unit) : NULL;
    m->n = scalar_at(r, g, "n");
    m->mean = scalar_at(r, g, "mean");
    m->ci95 = scalar_at(r, g, "ci95");
    m->p50 = scalar_at(r, g, "p50");
    m->p95 = scalar_at(r, g, "p95");
    m->p99 = scalar_at(r, g, "p99");
    m->p50_ci95 = scalar_at(r, g, "p50_ci95");
    m->p95_ci95 = scalar_at(r, g, "p95_ci95");
    m->p99_ci95 = scalar_at(r, g, "p99_ci95");
    free(mean);
    free(g);
    return m->name ? 0 : -ENOMEM;
}

/* Policy p's metrics from the split summary under `base` ("" or "/policies/NAME"). */
static int read_split_policy(struct rread *r, const char *path, const char *base,
                             struct rstats_policy *p, struct diag *d)
{
    char *summary = NULL, **groups = NULL;
    size_t n = 0;
    if (asprintf(&summary, "%s/summary", base) < 0)
        return -ENOMEM;
    int rc = 0;
    if (rread_groups(r, summary, RSTATS_MAX_METRICS, &groups, &n) < 0 || n == 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "no statistics: %s is %s (a complete split results file has one group per "
                    "metric there)",
                    summary, rread_exists(r, summary) ? "not a group of metric groups" : "missing");
        rc = -EINVAL;
    } else if (!(p->m = calloc(n, sizeof *p->m))) {
        rc = -ENOMEM;
    } else {
        p->nmetrics = n;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = read_split_metric(r, summary, groups[i], &p->m[i]);
    rread_names_free(groups, n);
    free(summary);
    return rc;
}

/* The queue model's metrics: where each statistic is in /summary (NULL: not in the file). */
static const struct {
    const char *name, *n, *mean, *ci95;
} queue_metrics[] = {
    {"time_in_system", "measured", "mean_time_in_system_s", "ci95_time_in_system_s"},
    {"wait", "measured", "mean_wait_s", "ci95_wait_s"},
    {"prob_wait", NULL, "prob_wait", NULL},
    {"utilisation", NULL, "utilisation", NULL},
    {"theory_time_in_system", NULL, "theory_time_in_system_s", NULL},
    {"theory_wait", NULL, "theory_wait_s", NULL},
    {"theory_prob_wait", NULL, "theory_prob_wait", NULL},
};
#define NQUEUE (sizeof queue_metrics / sizeof queue_metrics[0])

static int read_queue(struct rread *r, const char *path, struct rstats_policy *p, struct diag *d)
{
    if (!rread_exists(r, "/summary/mean_time_in_system_s")) {
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "no statistics: /summary/mean_time_in_system_s is missing (a complete queue "
                    "results file has it)");
        return -EINVAL;
    }
    if (!(p->m = calloc(NQUEUE, sizeof *p->m)))
        return -ENOMEM;
    p->nmetrics = NQUEUE;
    for (size_t i = 0; i < NQUEUE; i++) {
        struct rstats_metric *m = &p->m[i];
        char mean[128];
        snprintf(mean, sizeof mean, "/summary/%s", queue_metrics[i].mean);
        m->name = strdup(queue_metrics[i].name);
        m->unit = units_of(r, mean);
        if (!m->name || !m->unit)
            return -ENOMEM;
        m->n = queue_metrics[i].n ? scalar_at(r, "/summary", queue_metrics[i].n) : (double)NAN;
        m->mean = rread_scalar(r, mean);
        m->ci95 =
            queue_metrics[i].ci95 ? scalar_at(r, "/summary", queue_metrics[i].ci95) : (double)NAN;
        m->p50 = m->p95 = m->p99 = m->p50_ci95 = m->p95_ci95 = m->p99_ci95 = NAN;
    }
    return 0;
}

/* The competitors named by the root attribute `policy` (comma-separated), each with a group
 * /policies/NAME. */
static int read_competition(struct rread *r, const char *path, struct rstats *s, struct diag *d)
{
    char *list = rread_attr_string_max(r, "/", "policy", TEXT_MAX);
    size_t n = 1;
    for (const char *c = list; c && *c; c++)
        n += *c == ',';
    int rc = 0;
    if (!list || !*list || n > RSTATS_MAX_POLICIES) {
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "a competition (it has /policies) whose 'policy' attribute does not name "
                    "between 1 and %d competitors",
                    RSTATS_MAX_POLICIES);
        rc = -EINVAL;
    } else if (!(s->p = calloc(n, sizeof *s->p))) {
        rc = -ENOMEM;
    }
    char *save = NULL;
    for (char *name = rc ? NULL : strtok_r(list, ",", &save); rc == 0 && name;
         name = strtok_r(NULL, ",", &save)) {
        struct rstats_policy *p = &s->p[s->npolicies++];
        char *base = NULL;
        if (!(p->name = strdup(name)) || asprintf(&base, "/policies/%s", name) < 0) {
            rc = -ENOMEM;
            break;
        }
        rc = read_split_policy(r, path, base, p, d);
        free(base);
    }
    free(list);
    if (rc == 0 && s->npolicies == 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "a competition (it has /policies) whose 'policy' attribute names no policy");
        rc = -EINVAL;
    }
    return rc;
}

int rstats_read(struct rread *r, const char *path, struct rstats *s, struct diag *d)
{
    memset(s, 0, sizeof *s);
    s->sweep_point = s->replications = s->first_replication = -1;
    int rc = check_root(r, path, s, d);
    if (rc < 0)
        return rc;
    rread_attr_int64(r, "/", "sweep_point", &s->sweep_point);
    rread_attr_int64(r, "/", "replications", &s->replications);
    rread_attr_int64(r, "/", "first_replication", &s->first_replication);
    if (strcmp(s->model, "split") == 0 && rread_exists(r, "/policies"))
        return read_competition(r, path, s, d);
    if (!(s->p = calloc(1, sizeof *s->p)))
        return -ENOMEM;
    s->npolicies = 1;
    if (strcmp(s->model, "queue") == 0) {
        s->p->name = strdup("");
        return s->p->name ? read_queue(r, path, s->p, d) : -ENOMEM;
    }
    s->p->name = rread_attr_string_max(r, "/", "policy", TEXT_MAX);
    if (!s->p->name && !(s->p->name = strdup("")))
        return -ENOMEM;
    return read_split_policy(r, path, "", s->p, d);
}

void rstats_release(struct rstats *s)
{
    for (size_t i = 0; s->p && i < s->npolicies; i++) {
        for (size_t j = 0; s->p[i].m && j < s->p[i].nmetrics; j++) {
            free(s->p[i].m[j].name);
            free(s->p[i].m[j].unit);
        }
        free(s->p[i].m);
        free(s->p[i].name);
    }
    free(s->p);
    free(s->model);
    memset(s, 0, sizeof *s);
}

const struct rstats_metric *rstats_find(const struct rstats *s, const char *policy,
                                        const char *metric)
{
    for (size_t i = 0; i < s->npolicies; i++) {
        const struct rstats_policy *p = &s->p[i];
        if (policy ? strcmp(p->name, policy) != 0 : s->npolicies != 1)
            continue;
        for (size_t j = 0; j < p->nmetrics; j++)
            if (strcmp(p->m[j].name, metric) == 0)
                return &p->m[j];
    }
    return NULL;
}
