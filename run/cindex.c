#include "run/cindex.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/rstats.h"
#include "scn/sweep.h"
#include "scn/ytree.h"

#define TEXT_MAX 65536 /* the longest attribute read (axes, policies, units) */

const struct cindex_metric cindex_metrics[] = {
    {"split", "energy", "J", {"energy_mean_j", "energy_ci95_j"}},
    {"split", "erasure", "1", {"erasure_mean", "erasure_ci95"}},
    {"split",
     "latency",
     "s",
     {"latency_mean_s", "latency_ci95_s", "latency_p50_s", "latency_p95_s", "latency_p99_s",
      "latency_p50_ci95_s", "latency_p95_ci95_s", "latency_p99_ci95_s"}},
    {"split", "quality", "1", {"quality_mean", "quality_ci95"}},
    {"split", "reward", "1", {"reward_mean", "reward_ci95"}},
    {"split", "tpot", "s", {"tpot_mean_s", "tpot_ci95_s"}},
    {"split",
     "ttft",
     "s",
     {"ttft_mean_s", "ttft_ci95_s", "ttft_p50_s", "ttft_p95_s", "ttft_p99_s", "ttft_p50_ci95_s",
      "ttft_p95_ci95_s", "ttft_p99_ci95_s"}},
    {"queue", "time_in_system", "s", {"time_in_system_mean_s", "time_in_system_ci95_s"}},
    {"queue", "wait", "s", {"wait_mean_s", "wait_ci95_s"}},
};
const size_t cindex_nmetrics = sizeof cindex_metrics / sizeof cindex_metrics[0];
_Static_assert(sizeof cindex_metrics / sizeof cindex_metrics[0] <= CINDEX_MAX_METRICS,
               "cindex_metrics outgrows struct cindex");

void cindex_release(struct cindex *c)
{
    rread_close(c->r);
    free(c->dir);
    free(c->model);
    for (size_t i = 0; c->policies && i < c->npolicies; i++)
        free(c->policies[i]);
    free(c->policies);
    for (size_t a = 0; c->axes && a < c->naxes; a++) {
        free(c->axes[a].path);
        free(c->axes[a].index_col);
        free(c->axes[a].sum);
        free(c->axes[a].comb);
    }
    free(c->axes);
    free(c->s_point);
    free(c->s_policy);
    free(c->s_rep);
    free(c->c_comb);
    free(c->c_policy);
    free(c->c_reps);
    for (size_t m = 0; m < CINDEX_MAX_METRICS; m++) {
        for (size_t k = 0; k < CINDEX_STATS; k++)
            free(c->mcol[m][k]);
        free(c->munit[m]);
    }
    free(c->pts);
    memset(c, 0, sizeof *c);
}

bool cindex_has_metric(const struct cindex *c, size_t m)
{
    return m < cindex_nmetrics && c->model && strcmp(cindex_metrics[m].model, c->model) == 0;
}

size_t cindex_lower_bound(const struct cindex *c, int64_t p)
{
    size_t i = 0, j = c->npts;
    while (i < j) {
        size_t mid = i + (j - i) / 2;
        if (c->pts[mid].point < p)
            i = mid + 1;
        else
            j = mid;
    }
    return i;
}

/* The scalar text at a dotted key path of a YAML mapping (a sequence's scalars joined by ","),
 * malloc'd; NULL when there is none. */
static char *yaml_value(const struct ynode *root, const char *path)
{
    char *copy = strdup(path), *save = NULL;
    if (!copy)
        return NULL;
    const struct ynode *n = root;
    for (char *k = strtok_r(copy, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
        n = n->kind == YNODE_MAP ? ynode_get(n, k, NULL) : NULL;
    free(copy);
    if (!n)
        return NULL;
    if (n->kind == YNODE_SCALAR)
        return strdup(n->text);
    if (n->kind != YNODE_SEQ)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    for (size_t i = 0; f && i < n->n; i++)
        fprintf(f, "%s%s", i ? "," : "",
                n->items[i]->kind == YNODE_SCALAR ? n->items[i]->text : "");
    if (f)
        fclose(f);
    return text;
}

bool cindex_scenario_values(struct rread *r, const char *const *paths, size_t n, char **out)
{
    char *text = rread_attr_string(r, "/", "scenario");
    struct ytree t;
    ytree_init(&t);
    struct diag d;
    diag_init(&d);
    struct ynode *root = NULL;
    bool ok = text && ytree_parse(&t, "scenario", text, strlen(text), &root, &d) == 0 && root;
    for (size_t i = 0; i < n; i++)
        out[i] = ok ? yaml_value(root, paths[i]) : NULL;
    ytree_release(&t);
    diag_release(&d);
    free(text);
    return ok;
}

/* A list attribute of the index ("a,b"; "" is none) into names[], at most max. */
static int read_list(struct cindex *c, const char *attr, size_t max, char ***names, size_t *n,
                     struct diag *d)
{
    char *text = rread_attr_string_max(c->r, "/", attr, TEXT_MAX);
    if (!text) {
        diag_report(d, DIAG_ERROR, c->path, 0, 0,
                    "damaged campaign index: no '%s' attribute (an index names it)", attr);
        return -EINVAL;
    }
    *n = 0;
    *names = calloc(max + 1, sizeof **names);
    char *save = NULL;
    int rc = *names ? 0 : -ENOMEM;
    for (char *s = rc ? NULL : strtok_r(text, ",", &save); s && rc == 0;
         s = strtok_r(NULL, ",", &save)) {
        if (*n == max) {
            diag_report(d, DIAG_ERROR, c->path, 0, 0,
                        "damaged campaign index: its '%s' attribute names more than %zu", attr,
                        max);
            rc = -EINVAL;
        } else if (!((*names)[(*n)++] = strdup(s))) {
            rc = -ENOMEM;
        }
    }
    free(text);
    return rc;
}

/* The root attributes: format, version, model, points, replications, axes, policies. */
static int read_root(struct cindex *c, char ***axes, size_t *naxes, struct diag *d)
{
    char *format = rread_attr_string_max(c->r, "/", "format", TEXT_MAX);
    int64_t version = -1;
    bool index = format && strcmp(format, "splitsim-campaign") == 0;
    free(format);
    const char *why = NULL;
    if (!index)
        why = "not a splitsim campaign index";
    else if (rread_attr_int64(c->r, "/", "format_version", &version) < 0 ||
             version != CINDEX_FORMAT)
        why = "campaign index of another format version";
    else if (!(c->model = rread_attr_string_max(c->r, "/", "model", TEXT_MAX)) ||
             (strcmp(c->model, "split") != 0 && strcmp(c->model, "queue") != 0))
        why = "damaged campaign index: no model split or queue";
    else if (rread_attr_int64(c->r, "/", "points", &c->points) < 0 || c->points < 0 ||
             c->points > (int64_t)SWEEP_MAX_POINTS)
        why = "damaged campaign index: no valid 'points' attribute";
    if (why) {
        if (version >= 0 && version != CINDEX_FORMAT)
            diag_report(d, DIAG_ERROR, c->path, 0, 0,
                        "%s (%" PRId64 "); this splitsim reads format %d only", why, version,
                        CINDEX_FORMAT);
        else
            diag_report(d, DIAG_ERROR, c->path, 0, 0, "%s", why);
        return -EINVAL;
    }
    const char *run_reps = "run.replications";
    char *reps = NULL;
    cindex_scenario_values(c->r, &run_reps, 1, &reps);
    char *end = NULL;
    c->reps = reps ? strtoll(reps, &end, 10) : 0;
    bool reps_ok = reps && end && *end == '\0' && c->reps >= 1 && c->points % c->reps == 0;
    free(reps);
    if (!reps_ok) {
        diag_report(d, DIAG_ERROR, c->path, 0, 0,
                    "damaged campaign index: its scenario has no run.replications dividing its "
                    "%" PRId64 " points",
                    c->points);
        return -EINVAL;
    }
    int rc = read_list(c, "axes", CINDEX_MAX_AXES, axes, naxes, d);
    return rc < 0 ? rc
                  : read_list(c, "policies", RSTATS_MAX_POLICIES, &c->policies, &c->npolicies, d);
}

/* Column `/table/name` into *v; *n is the table's length, set by its first column read
 * (SIZE_MAX before) and checked for the others. An optional column that is absent is NULL. */
static int read_col(struct cindex *c, const char *table, const char *name, bool required, size_t *n,
                    double **v, struct diag *d)
{
    char *path = NULL;
    if (asprintf(&path, "/%s/%s", table, name) < 0)
        return -ENOMEM;
    double *col = NULL;
    size_t len = 0;
    int rc = 0;
    if (rread_column(c->r, path, CINDEX_MAX_ROWS, &col, &len) < 0) {
        if (required) {
            diag_report(d, DIAG_ERROR, c->path, 0, 0,
                        "damaged campaign index: %s is missing or does not read back", path);
            rc = -EINVAL;
        }
    } else if (*n != SIZE_MAX && len != *n) {
        diag_report(d, DIAG_ERROR, c->path, 0, 0,
                    "damaged campaign index: %s has %zu row(s), the other columns of /%s %zu", path,
                    len, table, *n);
        free(col);
        col = NULL;
        rc = -EINVAL;
    } else {
        *n = len;
    }
    *v = col;
    free(path);
    return rc;
}

/* Every column used: /summary's and /combinations' identities, the axes, the metrics. */
static int read_tables(struct cindex *c, struct diag *d)
{
    c->ns = c->nc = SIZE_MAX;
    int rc = read_col(c, "summary", "point", true, &c->ns, &c->s_point, d);
    if (rc == 0)
        rc = read_col(c, "summary", "policy", true, &c->ns, &c->s_policy, d);
    if (rc == 0)
        rc = read_col(c, "summary", "replication", true, &c->ns, &c->s_rep, d);
    if (rc == 0)
        rc = read_col(c, "combinations", "combination", true, &c->nc, &c->c_comb, d);
    if (rc == 0)
        rc = read_col(c, "combinations", "policy", true, &c->nc, &c->c_policy, d);
    if (rc == 0)
        rc = read_col(c, "combinations", "replications", true, &c->nc, &c->c_reps, d);
    for (size_t a = 0; rc == 0 && a < c->naxes; a++) {
        rc = read_col(c, "summary", c->axes[a].index_col, true, &c->ns, &c->axes[a].sum, d);
        if (rc == 0)
            rc = read_col(c, "combinations", c->axes[a].index_col, true, &c->nc, &c->axes[a].comb,
                          d);
    }
    for (size_t m = 0; rc == 0 && m < cindex_nmetrics; m++) {
        if (!cindex_has_metric(c, m))
            continue;
        for (size_t k = 0; rc == 0 && k < CINDEX_STATS && cindex_metrics[m].col[k]; k++)
            rc = read_col(c, "combinations", cindex_metrics[m].col[k], false, &c->nc,
                          &c->mcol[m][k], d);
        char path[96];
        snprintf(path, sizeof path, "/combinations/%s", cindex_metrics[m].col[0]);
        c->munit[m] = rread_attr_string_max(c->r, path, "units", TEXT_MAX);
        if (rc == 0 && !c->munit[m] && !(c->munit[m] = strdup(cindex_metrics[m].unit)))
            rc = -ENOMEM;
    }
    return rc;
}

/* Whether v is an integer in [lo, hi]. */
static bool integral_in(double v, double lo, double hi)
{
    return v >= lo && v <= hi && v == floor(v);
}

/* The rows hold what a sweep writes: points of the sweep, policies of the list, combinations of
 * it, replications counted within run.replications. */
static int check_rows(struct cindex *c, struct diag *d)
{
    double np = (double)c->npolicies, lo = c->npolicies ? 0 : -1, hi = c->npolicies ? np - 1 : -1;
    double last_point = (double)c->points - 1, last_comb = (double)(c->points / c->reps) - 1;
    const char *bad = NULL;
    double v = 0;
    for (size_t i = 0; !bad && i < c->ns; i++) {
        if (!integral_in(v = c->s_point[i], 0, last_point))
            bad = "/summary/point";
        else if (!integral_in(v = c->s_policy[i], lo, hi))
            bad = "/summary/policy";
        else if (!integral_in(v = c->s_rep[i], 0, 9e15))
            bad = "/summary/replication";
    }
    for (size_t i = 0; !bad && i < c->nc; i++) {
        if (!integral_in(v = c->c_comb[i], 0, last_comb))
            bad = "/combinations/combination";
        else if (!integral_in(v = c->c_policy[i], lo, hi))
            bad = "/combinations/policy";
        else if (!integral_in(v = c->c_reps[i], 1, (double)c->reps))
            bad = "/combinations/replications";
    }
    if (!bad)
        return 0;
    diag_report(d, DIAG_ERROR, c->path, 0, 0,
                "damaged campaign index: %s holds %g, which no sweep of %" PRId64
                " point(s) in combinations of %" PRId64 " replication(s) with %zu competitor(s) "
                "writes",
                bad, v, c->points, c->reps, c->npolicies);
    return -EINVAL;
}

static int cmp_ref(const void *a, const void *b)
{
    const struct cindex_point *x = a, *y = b;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The indexed points, each once, by number. */
static int index_points(struct cindex *c)
{
    c->pts = calloc(c->ns ? c->ns : 1, sizeof *c->pts);
    if (!c->pts)
        return -ENOMEM;
    for (size_t i = 0; i < c->ns; i++)
        c->pts[i] = (struct cindex_point){(int64_t)c->s_point[i], (int64_t)c->s_rep[i], i};
    qsort(c->pts, c->ns, sizeof *c->pts, cmp_ref);
    for (size_t i = 0; i < c->ns; i++)
        if (c->npts == 0 || c->pts[c->npts - 1].point != c->pts[i].point)
            c->pts[c->npts++] = c->pts[i];
    return 0;
}

/* The swept keys named by the index's `axes` (names taken over). */
static int setup_axes(struct cindex *c, char **names, size_t n)
{
    c->axes = calloc(n ? n : 1, sizeof *c->axes);
    if (!c->axes)
        return -ENOMEM;
    c->naxes = n;
    for (size_t a = 0; a < n; a++) {
        c->axes[a].path = names[a];
        names[a] = NULL;
        if (!(c->axes[a].index_col = strdup(c->axes[a].path)))
            return -ENOMEM;
        for (char *ch = c->axes[a].index_col; *ch; ch++)
            if (*ch == '.')
                *ch = '_';
    }
    return 0;
}

int cindex_open(struct cindex *c, const char *path, struct diag *d)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    char *copy = strdup(path);
    c->dir = copy ? strdup(dirname(copy)) : NULL;
    free(copy);
    if (!c->dir)
        return -ENOMEM;
    if (!(c->r = rread_open(path))) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "HDF5 cannot open it: not an HDF5 file, or damaged");
        return -EINVAL;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = read_root(c, &names, &n, d);
    if (rc == 0)
        rc = setup_axes(c, names, n);
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    if (rc == 0)
        rc = read_tables(c, d);
    if (rc == 0)
        rc = check_rows(c, d);
    return rc == 0 ? index_points(c) : rc;
}

/* The state of name (an entry of points/) and the point it is of, or false. */
static bool point_entry(const char *name, int64_t points, int64_t *p, unsigned char *state)
{
    if (name[0] != 'p' || name[1] < '0' || name[1] > '9')
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(name + 1, &end, 10);
    if (errno || v < 0 || v >= points)
        return false;
    size_t len = strlen(end);
    if (strcmp(end, ".h5") == 0)
        *state = CINDEX_UNINDEXED;
    else if (strcmp(end, ".incomplete.h5") == 0)
        *state = CINDEX_INTERRUPTED;
    else if (strncmp(end, ".h5.", 4) == 0 && len > 9 && strcmp(end + len - 5, ".part") == 0)
        *state = CINDEX_FAILED;
    else
        return false;
    *p = v;
    return true;
}

unsigned char *cindex_point_states(const struct cindex *c)
{
    unsigned char *st = calloc(c->points ? (size_t)c->points : 1, 1);
    char *dir = NULL;
    if (!st || asprintf(&dir, "%s/points", c->dir) < 0) {
        free(st);
        return NULL;
    }
    for (size_t j = 0; j < c->npts; j++)
        st[c->pts[j].point] = CINDEX_INDEXED;
    DIR *dp = opendir(dir);
    for (struct dirent *e; dp && (e = readdir(dp));) {
        int64_t p = 0;
        unsigned char s = CINDEX_NOT_RUN;
        if (point_entry(e->d_name, c->points, &p, &s) && s > st[p])
            st[p] = s;
    }
    if (dp)
        closedir(dp);
    free(dir);
    return st;
}
