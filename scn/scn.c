#include "scn/scn.h"
#include "scn/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the schema ------------------------------------------------------------------------------
 * Every key a scenario may contain. Later models add their sections here, through the same
 * machinery; scenarios/README.md documents this table (a test compares the two). */

static const char *const model_choices[] = {"queue", NULL};
static const char *const arrival_choices[] = {"poisson", "periodic", NULL};
static const char *const service_choices[] = {"exponential", "deterministic", NULL};

#define U64_MAX_D 1.8446744073709552e19

static const struct scn_field run_fields[] = {
    {.key = "duration",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_run, duration_s),
     .dim = DIM_TIME,
     .min = 0,
     .min_exclusive = true,
     .max = 1e9,
     .doc = "simulated time during which requests arrive; the run then drains the queue"},
    {.key = "warmup",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_run, warmup_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 1e9,
     .def = "0 s",
     .doc = "requests arriving earlier are recorded but left out of the summary; < duration"},
    {.key = "seed",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_run, seed),
     .min = 0,
     .max = U64_MAX_D,
     .def = "1",
     .doc = "master seed of every random stream"},
    {.key = "replications",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_run, replications),
     .min = 1,
     .max = 100000,
     .def = "1",
     .doc = "independent replications (different random streams) in one run"},
    {.key = "first_replication",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_run, first_replication),
     .min = 0,
     .max = 4294967295.0,
     .def = "0",
     .doc = "number of the first replication (a sweep point sets it)"},
    {0},
};

static const struct scn_field ues_fields[] = {
    {.key = "count",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_ues, count),
     .min = 1,
     .max = 1000000,
     .def = "1",
     .doc = "number of user devices"},
    {0},
};

static const struct scn_field workload_fields[] = {
    {.key = "arrival",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_workload, arrival),
     .choices = arrival_choices,
     .def = "poisson",
     .doc = "request arrivals per UE: poisson (exponential gaps) or periodic (fixed gap, random "
            "phase)"},
    {.key = "rate",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_workload, rate_per_s),
     .dim = DIM_RATE,
     .min = 0,
     .min_exclusive = true,
     .max = 1e6,
     .def = "0.1 /s",
     .doc = "requests per second from each UE"},
    {0},
};

static const struct scn_field edge_fields[] = {
    {.key = "service",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_edge, service),
     .choices = service_choices,
     .def = "exponential",
     .doc = "service-time distribution of the edge server (one request at a time, FIFO)"},
    {.key = "service_time",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_edge, service_time_s),
     .dim = DIM_TIME,
     .min = 1e-6,
     .max = 1e6,
     .def = "1 s",
     .doc = "mean service time of one request"},
    {0},
};

static const struct scn_field recording_fields[] = {
    {.key = "requests",
     .type = FIELD_BOOL,
     .offset = offsetof(struct scn_recording, requests),
     .def = "true",
     .doc = "record every request in /requests (the summary is always written)"},
    {0},
};

const struct scn_field scn_schema[] = {
    {.key = "model",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn, model),
     .choices = model_choices,
     .def = "queue",
     .doc = "what is simulated: queue = UEs sending requests to one FIFO edge server"},
    {.key = "run",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, run),
     .fields = run_fields},
    {.key = "ues",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, ues),
     .fields = ues_fields},
    {.key = "workload",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, workload),
     .fields = workload_fields},
    {.key = "edge",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, edge),
     .fields = edge_fields},
    {.key = "recording",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, recording),
     .fields = recording_fields},
    {0},
};

/* Top-level keys bound elsewhere. */
static const char *const scn_other_keys[] = {"sweep", NULL};

/* ---- hashing and resolution ---------------------------------------------------------------- */

uint64_t scn_hash_text(const char *text)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        h ^= *c;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static int resolve(struct scn *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    field_emit(scn_schema, s, 0, f);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return -ENOMEM;
    }
    free(s->resolved);
    s->resolved = buf;
    s->hash = scn_hash_text(buf);
    snprintf(s->hash_hex, sizeof s->hash_hex, "%016" PRIx64, s->hash);
    return 0;
}

/* ---- cross-field checks ---------------------------------------------------------------------- */

__attribute__((format(printf, 5, 6))) static void
err_origin(struct diag *d, const struct field_origins *o, const char *path,
           const struct ynode *fallback, const char *fmt, ...)
{
    const struct ynode *at = field_origin(o, path);
    if (!at)
        at = fallback;
    va_list ap;
    va_start(ap, fmt);
    if (at)
        diag_vreport(d, DIAG_ERROR, at->src, at->line, at->col, fmt, ap);
    else
        diag_vreport(d, DIAG_ERROR, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

size_t scn_check(const struct scn *s, const struct field_origins *o, const struct ynode *root,
                 struct diag *d)
{
    size_t errors = 0;
    if (s->run.warmup_s >= s->run.duration_s) {
        char w[32], u[32];
        field_format_number(s->run.warmup_s, w, sizeof w);
        field_format_number(s->run.duration_s, u, sizeof u);
        err_origin(d, o, field_origin(o, "run.warmup") ? "run.warmup" : "run.duration", root,
                   "run.warmup: expected a time < run.duration (%s s), got %s s", u, w);
        errors++;
    }
    if (s->run.first_replication + s->run.replications - 1 > UINT32_MAX) {
        err_origin(d, o, "run.replications", root,
                   "run.replications: first_replication + replications must stay below 2^32");
        errors++;
    }
    /* Bound the work a scenario can ask for, so a typo cannot start a week-long run. */
    double requests = (double)s->ues.count * s->workload.rate_per_s * s->run.duration_s;
    if (requests > 1e10) {
        err_origin(d, o, "workload.rate", root,
                   "workload.rate: %g UEs x %g /s x %g s is %.3g requests per replication; "
                   "expected at most 1e10",
                   (double)s->ues.count, s->workload.rate_per_s, s->run.duration_s, requests);
        errors++;
    }
    return errors;
}

/* ---- loading --------------------------------------------------------------------------------- */

void scn_release(struct scn *s)
{
    field_release(scn_schema, s);
    free(s->resolved);
    memset(s, 0, sizeof *s);
}

int scn_bind(struct scn *s, const struct ytree *tree, const struct ynode *root,
             const struct ynode *file_node, struct diag *d)
{
    (void)tree;
    memset(s, 0, sizeof *s);
    struct field_origins origins = {0};
    size_t first = d->len;
    size_t errors = field_bind(scn_schema, "", root, file_node, s, scn_other_keys, &origins, d);
    if (errors == 0)
        errors += scn_check(s, &origins, root ? root : file_node, d);
    diag_sort(d, first); /* in file order, as an editor lists them */
    field_origins_release(&origins);
    if (errors) {
        scn_release(s);
        return -EINVAL;
    }
    if (resolve(s) < 0) {
        scn_release(s);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

int scn_tree_set(struct ytree *tree, const char *path, struct ynode *value, const struct ynode *at,
                 struct diag *d)
{
    if (!tree->root) {
        tree->root = ynode_new(tree, YNODE_MAP, value->src, value->line, 1);
        if (!tree->root)
            return -ENOMEM;
    }
    if (tree->root->kind != YNODE_MAP) {
        diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                    "cannot set '%s': the scenario is not a mapping", path);
        return -EINVAL;
    }
    struct ynode *map = tree->root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0) {
            diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                        "'%s': expected a dotted key path like run.seed", path);
            return -EINVAL;
        }
        struct ynode *key =
            ynode_new(tree, YNODE_SCALAR, at->src, at->line, at->col + (int)(p - path));
        if (!key || !(key->text = strndup(p, len)))
            return -ENOMEM;
        if (!dot)
            return ynode_set(tree, map, key, value);
        struct ynode *next = ynode_get(map, key->text, NULL);
        if (!next) {
            next = ynode_new(tree, YNODE_MAP, at->src, at->line, at->col);
            if (!next || ynode_set(tree, map, key, next) < 0)
                return -ENOMEM;
        } else if (next->kind != YNODE_MAP) {
            diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                        "cannot set '%s': '%.*s' is a %s, not a section", path, (int)(dot - path),
                        path, ynode_kind_name(next->kind));
            return -EINVAL;
        }
        map = next;
        p = dot + 1;
    }
}

int scn_apply_override(struct ytree *tree, const char *text, int index, struct diag *d)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text) {
        char shown[DIAG_EXCERPT];
        diag_report(d, DIAG_ERROR, "--set", index, 1, "expected key.path=value, got '%s'",
                    diag_excerpt(text, shown, sizeof shown));
        return -EINVAL;
    }
    char *path = strndup(text, (size_t)(eq - text));
    if (!path)
        return -ENOMEM;
    struct ynode *value = NULL;
    struct diag local;
    diag_init(&local);
    size_t first_node = tree->nodes;
    int rc = ytree_parse(tree, "--set", eq + 1, strlen(eq + 1), &value, &local);
    if (rc == 0 && !value) {
        /* "key=" sets an empty string */
        value = ynode_new(tree, YNODE_SCALAR, ytree_src(tree, "--set"), index, 1);
        if (!value || !(value->text = strdup(""))) {
            rc = -ENOMEM;
        } else {
            value->quoted = true;
        }
    }
    if (rc < 0) {
        for (size_t i = 0; i < local.len; i++)
            diag_report(d, DIAG_ERROR, "--set", index, (int)(eq - text) + 1 + local.msgs[i].col,
                        "%s: in value '%s': %s", path, eq + 1, local.msgs[i].text);
        if (local.len == 0)
            diag_report(d, DIAG_ERROR, "--set", index, 1, "%s: cannot parse value '%s'", path,
                        eq + 1);
    } else {
        /* Re-home the value's nodes onto the override: line = its index, column within the
         * "key=value" argument. */
        int shift = (int)(eq - text) + 1;
        for (size_t i = first_node; i < tree->nodes; i++) {
            tree->all[i]->line = index;
            tree->all[i]->col += shift;
        }
        struct ynode at = {.src = value->src, .line = index, .col = 1};
        rc = scn_tree_set(tree, path, value, &at, d);
    }
    diag_release(&local);
    free(path);
    return rc;
}

static int load_tree(struct scn *s, struct ytree *tree, const char *path,
                     const struct scn_override *overrides, size_t noverrides, struct diag *d)
{
    struct ynode file_node = {.src = ytree_src(tree, path), .line = 1, .col = 1};
    if (!tree->root) {
        diag_report(d, DIAG_ERROR, path, 1, 1,
                    "empty scenario; expected a mapping with at least run.duration");
        return -EINVAL;
    }
    size_t before = diag_error_count(d);
    for (size_t i = 0; i < noverrides; i++)
        scn_apply_override(tree, overrides[i].text, (int)i + 1, d);
    if (diag_error_count(d) > before)
        return -EINVAL;
    return scn_bind(s, tree, tree->root, &file_node, d);
}

int scn_load(struct scn *s, struct ytree *tree, const char *path,
             const struct scn_override *overrides, size_t noverrides, struct diag *d)
{
    memset(s, 0, sizeof *s);
    int rc = ytree_load_file(tree, path, d);
    if (rc < 0)
        return rc;
    return load_tree(s, tree, path, overrides, noverrides, d);
}

int scn_load_text(struct scn *s, struct ytree *tree, const char *name, const char *text, size_t len,
                  struct diag *d)
{
    memset(s, 0, sizeof *s);
    int rc = ytree_parse(tree, name, text, len, &tree->root, d);
    if (rc < 0)
        return rc;
    rc = load_tree(s, tree, name, NULL, 0, d);
    if (rc < 0)
        return rc;
    struct sweep sw;
    rc = sweep_init(&sw, tree, s, d);
    if (rc == 0) {
        if (sweep_validate(&sw, tree, s, d) > 0)
            rc = -EINVAL;
        sweep_release(&sw);
    }
    if (rc < 0)
        scn_release(s);
    return rc;
}

void scn_document(FILE *out)
{
    fprintf(out, "| key | type [base unit] | default | accepted values | meaning |\n"
                 "|---|---|---|---|---|\n");
    field_document(scn_schema, "", out);
}
