#include "scn/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int axes_read(const struct ynode *map, const char *section, struct sweep_axis **out,
                     size_t *n, struct diag *d)
{
    *out = NULL;
    *n = 0;
    if (!map)
        return 0;
    if (map->kind != YNODE_MAP) {
        diag_report(d, DIAG_ERROR, map->src, map->line, map->col,
                    "sweep.%s: expected a mapping of key paths to value lists, got a %s", section,
                    ynode_kind_name(map->kind));
        return -EINVAL;
    }
    *out = calloc(map->n / 2 + 1, sizeof **out);
    if (!*out)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct ynode *k = map->items[i], *v = map->items[i + 1];
        const struct scn_field *f = field_find(scn_schema, k->text);
        const struct field_retired *gone = f ? NULL : field_find_retired(scn_retired, k->text);
        if (gone) {
            diag_report(d, DIAG_ERROR, k->src, k->line, k->col, "sweep.%s: '%s' was removed: %s",
                        section, k->text, gone->why);
            rc = -EINVAL;
            continue;
        }
        if (!f || f->type == FIELD_SECTION) {
            char shown[DIAG_EXCERPT];
            diag_report(d, DIAG_ERROR, k->src, k->line, k->col,
                        "sweep.%s: '%s' is not a scenario key; expected a dotted path to a "
                        "value, like workload.rate",
                        section, diag_excerpt(k->text, shown, sizeof shown));
            rc = -EINVAL;
            continue;
        }
        if (strcmp(k->text, "run.replications") == 0 ||
            strcmp(k->text, "run.first_replication") == 0) {
            diag_report(d, DIAG_ERROR, k->src, k->line, k->col,
                        "sweep.%s: '%s' cannot be swept; replications multiply every point "
                        "(set run.replications)",
                        section, k->text);
            rc = -EINVAL;
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < *n; j++)
            dup |= strcmp((*out)[j].path, k->text) == 0;
        if (dup) {
            diag_report(d, DIAG_ERROR, k->src, k->line, k->col,
                        "sweep: '%s' is swept twice (in grid and zip)", k->text);
            rc = -EINVAL;
            continue;
        }
        if (v->kind != YNODE_SEQ || v->n == 0) {
            diag_report(d, DIAG_ERROR, v->src, v->line, v->col,
                        "sweep.%s.%s: expected a non-empty list of values like [1, 2], got %s%s",
                        section, k->text, v->kind == YNODE_SEQ ? "an empty " : "a ",
                        ynode_kind_name(v->kind));
            rc = -EINVAL;
            continue;
        }
        for (size_t j = 0; j < v->n; j++) {
            const struct ynode *x = v->items[j];
            if (x->kind == YNODE_SCALAR || (x->kind == YNODE_SEQ && f->type == FIELD_LIST))
                continue; /* a list's value may be a sequence: [[a, b], [c]] */
            diag_report(d, DIAG_ERROR, x->src, x->line, x->col,
                        "sweep.%s.%s: expected a list of %s, got a %s", section, k->text,
                        f->type == FIELD_LIST ? "values (each a name, \"a,b\" or a list [a, b])"
                                              : "single values",
                        ynode_kind_name(x->kind));
            rc = -EINVAL;
        }
        (*out)[(*n)++] = (struct sweep_axis){.path = k->text, .key = k, .values = v};
    }
    return rc;
}

void sweep_release(struct sweep *sw)
{
    free(sw->grid);
    free(sw->zip);
    free(sw->file_dir);
    free(sw->set_dir);
    memset(sw, 0, sizeof *sw);
}

int sweep_init(struct sweep *sw, const struct ytree *tree, const struct scn *base, struct diag *d)
{
    memset(sw, 0, sizeof *sw);
    sw->catalog = base->catalog;
    if ((base->file_dir && !(sw->file_dir = strdup(base->file_dir))) ||
        (base->set_dir && !(sw->set_dir = strdup(base->set_dir)))) {
        sweep_release(sw);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    sw->replications = base->run.replications;
    sw->first_replication = base->run.first_replication;
    sw->grid_points = 1;
    sw->zip_len = 1;
    const struct ynode *sec = ynode_get(tree->root, "sweep", NULL);
    int rc = 0;
    if (sec) {
        if (sec->kind != YNODE_MAP) {
            diag_report(d, DIAG_ERROR, sec->src, sec->line, sec->col,
                        "sweep: expected a mapping with grid: and/or zip:, got a %s",
                        ynode_kind_name(sec->kind));
            sweep_release(sw); /* on failure nothing stays to release */
            return -EINVAL;
        }
        for (size_t i = 0; i + 1 < sec->n; i += 2) {
            const struct ynode *k = sec->items[i];
            if (strcmp(k->text, "grid") && strcmp(k->text, "zip")) {
                const char *names[] = {"grid", "zip"};
                const char *near = diag_nearest(k->text, names, 2);
                char shown[DIAG_EXCERPT];
                diag_report(d, DIAG_ERROR, k->src, k->line, k->col,
                            "sweep: unknown key '%s' (%s%s%s)",
                            diag_excerpt(k->text, shown, sizeof shown),
                            near ? "did you mean '" : "expected grid or zip", near ? near : "",
                            near ? "'?" : "");
                rc = -EINVAL;
            }
        }
        struct ynode *zip_key = NULL;
        int r1 = axes_read(ynode_get(sec, "grid", NULL), "grid", &sw->grid, &sw->ngrid, d);
        int r2 = axes_read(ynode_get(sec, "zip", &zip_key), "zip", &sw->zip, &sw->nzip, d);
        if (r1 < 0 || r2 < 0)
            rc = r1 < 0 ? r1 : r2;
        /* The same path in grid and zip. */
        for (size_t i = 0; i < sw->ngrid; i++)
            for (size_t j = 0; j < sw->nzip; j++)
                if (strcmp(sw->grid[i].path, sw->zip[j].path) == 0) {
                    const struct ynode *k = sw->zip[j].key;
                    diag_report(d, DIAG_ERROR, k->src, k->line, k->col,
                                "sweep.zip: '%s' is already a grid axis", k->text);
                    rc = -EINVAL;
                }
        for (size_t j = 0; j < sw->nzip; j++) {
            size_t len = sw->zip[j].values->n;
            if (j == 0)
                sw->zip_len = len;
            else if (len != sw->zip_len) {
                const struct ynode *v = sw->zip[j].values;
                diag_report(d, DIAG_ERROR, v->src, v->line, v->col,
                            "sweep.zip.%s: expected %" PRIu64 " values (as %s), got %zu",
                            sw->zip[j].path, sw->zip_len, sw->zip[0].path, len);
                rc = -EINVAL;
            }
        }
        for (size_t i = 0; i < sw->ngrid; i++) {
            uint64_t len = sw->grid[i].values->n;
            if (sw->grid_points > SWEEP_MAX_POINTS / len)
                sw->grid_points = (uint64_t)SWEEP_MAX_POINTS + 1;
            else
                sw->grid_points *= len;
        }
    }
    if (rc == 0) {
        /* the exact count for the message (grid_points is capped to avoid overflow) */
        double points = (double)sw->zip_len * (double)sw->replications;
        for (size_t i = 0; i < sw->ngrid; i++)
            points *= (double)sw->grid[i].values->n;
        if (points > SWEEP_MAX_POINTS) {
            const struct ynode *at = sec ? sec : tree->root;
            char count[64];
            if (points < 1e18)
                snprintf(count, sizeof count, "%.0f", points);
            else
                snprintf(count, sizeof count, "%.3g", points);
            diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                        "sweep: %s points (grid x zip x replications); expected at most %u", count,
                        SWEEP_MAX_POINTS);
            rc = -EINVAL;
        }
        sw->points = rc == 0 ? (uint64_t)points : 0;
    }
    if (rc < 0)
        sweep_release(sw);
    return rc;
}

uint64_t sweep_point_replication(const struct sweep *sw, uint64_t p)
{
    return sw->first_replication + p % sw->replications;
}

/* The value nodes of point p, axis by axis (grid then zip). */
static const struct ynode *axis_value(const struct sweep *sw, uint64_t p, size_t axis)
{
    uint64_t q = p / sw->replications;
    uint64_t z = q % sw->zip_len, g = q / sw->zip_len;
    if (axis >= sw->ngrid)
        return sw->zip[axis - sw->ngrid].values->items[z];
    for (size_t i = sw->ngrid; i-- > axis + 1;)
        g /= sw->grid[i].values->n;
    return sw->grid[axis].values->items[g % sw->grid[axis].values->n];
}

size_t sweep_value_index(const struct sweep *sw, uint64_t p, size_t axis)
{
    uint64_t q = p / sw->replications;
    uint64_t z = q % sw->zip_len, g = q / sw->zip_len;
    if (axis >= sw->ngrid)
        return (size_t)z;
    for (size_t i = sw->ngrid; i-- > axis + 1;)
        g /= sw->grid[i].values->n;
    return (size_t)(g % sw->grid[axis].values->n);
}

const char *sweep_axis_path(const struct sweep *sw, size_t axis)
{
    return axis < sw->ngrid ? sw->grid[axis].path : sw->zip[axis - sw->ngrid].path;
}

/* Writes node n as flow YAML (a scalar as its text): a swept value for messages. */
static void node_write(const struct ynode *n, FILE *f)
{
    if (n->kind == YNODE_SCALAR) {
        fputs(n->text, f);
        return;
    }
    fputc(n->kind == YNODE_MAP ? '{' : '[', f);
    for (size_t i = 0; i < n->n; i++) {
        fputs(i == 0 ? "" : n->kind == YNODE_MAP && i % 2 ? ": " : ", ", f);
        node_write(n->items[i], f);
    }
    fputc(n->kind == YNODE_MAP ? '}' : ']', f);
}

static void note_point(const struct sweep *sw, uint64_t p, const struct ynode *at, struct diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        for (size_t a = 0; a < sw->ngrid + sw->nzip; a++) {
            char shown[DIAG_EXCERPT], *value = NULL;
            size_t vlen = 0;
            FILE *vf = open_memstream(&value, &vlen);
            if (vf) {
                node_write(axis_value(sw, p, a), vf);
                fclose(vf);
            }
            fprintf(f, "%s%s=%s", a ? ", " : "",
                    a < sw->ngrid ? sw->grid[a].path : sw->zip[a - sw->ngrid].path,
                    value ? diag_excerpt(value, shown, sizeof shown) : "?");
            free(value);
        }
        fclose(f);
    }
    diag_report(d, DIAG_NOTE, at->src, at->line, at->col, "in sweep point %" PRIu64 " (%s)", p,
                buf && *buf ? buf : "no axes");
    free(buf);
}

int sweep_point(const struct sweep *sw, const struct ytree *tree, uint64_t p, struct scn *s,
                struct diag *d)
{
    struct ytree scratch;
    ytree_init(&scratch);
    int rc = -ENOMEM;
    const struct ynode *root = tree->root;
    /* Copy the scenario without its sweep section (which a point does not contain, and whose
     * copy would make listing every point quadratic in the sweep's size). */
    scratch.root = ynode_new(&scratch, YNODE_MAP, root->src, root->line, root->col);
    if (!scratch.root)
        goto out;
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        if (strcmp(root->items[i]->text, "sweep") == 0)
            continue;
        struct ynode *k = ynode_copy(&scratch, root->items[i]);
        struct ynode *v = ynode_copy(&scratch, root->items[i + 1]);
        if (!k || !v || ynode_set(&scratch, scratch.root, k, v) < 0)
            goto out;
    }
    const struct ynode *at = ynode_get(root, "sweep", NULL);
    if (!at)
        at = root;
    size_t before = diag_error_count(d);
    for (size_t a = 0; a < sw->ngrid + sw->nzip; a++) {
        const char *path = a < sw->ngrid ? sw->grid[a].path : sw->zip[a - sw->ngrid].path;
        struct ynode *v = ynode_copy(&scratch, axis_value(sw, p, a));
        if (!v || scn_tree_set(&scratch, path, v, v, d) < 0)
            goto out;
    }
    char rep[32];
    snprintf(rep, sizeof rep, "%" PRIu64, sweep_point_replication(sw, p));
    const char *fixed[][2] = {{"run.replications", "1"}, {"run.first_replication", rep}};
    for (size_t i = 0; i < 2; i++) {
        struct ynode *v = ynode_new(&scratch, YNODE_SCALAR, at->src, at->line, at->col);
        if (!v || !(v->text = strdup(fixed[i][1])) ||
            scn_tree_set(&scratch, fixed[i][0], v, v, d) < 0)
            goto out;
    }
    struct ynode file_node = {.src = root->src, .line = 1, .col = 1};
    struct scn_dirs dirs = {.file = sw->file_dir, .set = sw->set_dir};
    rc = scn_bind(s, &scratch, scratch.root, &file_node, &dirs, sw->catalog, d);
    if (rc < 0 && diag_error_count(d) > before)
        note_point(sw, p, at, d);
out:
    if (rc == -ENOMEM)
        diag_error(d, "out of memory expanding sweep point %" PRIu64, p);
    ytree_release(&scratch);
    return rc;
}

/* Size of a bound leaf field's value in struct scn. */
static size_t field_size(const struct scn_field *f)
{
    switch (f->type) {
    case FIELD_BOOL:
        return sizeof(bool);
    case FIELD_UINT:
        return sizeof(uint64_t);
    case FIELD_QUANTITY:
        return sizeof(double);
    case FIELD_ENUM:
        return sizeof(int);
    case FIELD_STRING:
        return sizeof(char *);
    case FIELD_LIST:
        return sizeof(struct scn_list);
    case FIELD_SECTION:
        break;
    }
    return 0;
}

/* Whether a leaf field's value owns memory (freed with field_value_release). */
static bool owns_memory(const struct scn_field *f)
{
    return f->type == FIELD_STRING || f->type == FIELD_LIST;
}

/* A bound leaf value, whatever its type. */
union bound_value {
    bool b;
    uint64_t u;
    double q;
    int e;
    char *s;
    struct scn_list l;
};

/* One axis, bound once: its field, where the field sits in struct scn, and each value. */
struct bound_axis {
    const struct scn_field *f;
    size_t offset, size;
    union bound_value *value; /* [n]; strings and lists owned here */
    bool *ok;
    size_t n;
};

/* The first point (lowest index) whose axis `a` takes value `j`. */
static uint64_t first_point_with(const struct sweep *sw, size_t a, size_t j)
{
    if (a >= sw->ngrid)
        return (uint64_t)j * sw->replications;
    uint64_t g = j;
    for (size_t i = a + 1; i < sw->ngrid; i++)
        g *= sw->grid[i].values->n;
    return g * sw->zip_len * sw->replications;
}

uint64_t sweep_validate(const struct sweep *sw, const struct ytree *tree, const struct scn *base,
                        struct diag *d)
{
    return sweep_validate_range(sw, tree, base, 0, sw->points, d);
}

uint64_t sweep_validate_range(const struct sweep *sw, const struct ytree *tree,
                              const struct scn *base, uint64_t from, uint64_t to, struct diag *d)
{
    uint64_t bad = 0, bad_values = 0;
    bool dedupe = d->dedupe;
    d->dedupe = true;
    const struct ynode *at = ynode_get(tree->root, "sweep", NULL);
    if (!at)
        at = tree->root;
    size_t naxes = sw->ngrid + sw->nzip;
    struct bound_axis *ax = calloc(naxes ? naxes : 1, sizeof *ax);
    struct field_origins origins = {0};
    origins.v = calloc(naxes ? naxes : 1, sizeof *origins.v);
    origins.cap = naxes;
    if (!ax || !origins.v) {
        diag_error(d, "out of memory validating the sweep");
        bad = 1;
        goto out;
    }
    /* Bind every value of every axis once; a bad value is reported once, with the first point
     * that uses it. */
    for (size_t a = 0; a < naxes; a++) {
        const struct sweep_axis *axis = a < sw->ngrid ? &sw->grid[a] : &sw->zip[a - sw->ngrid];
        struct scn tmp = *base;
        const void *found = NULL;
        const struct scn_field *f = field_locate(scn_schema, axis->path, &tmp, &found);
        size_t n = axis->values->n;
        ax[a].f = f;
        ax[a].offset = (size_t)((const char *)found - (const char *)&tmp) + f->offset;
        ax[a].size = field_size(f);
        ax[a].value = calloc(n, sizeof *ax[a].value);
        ax[a].ok = calloc(n, sizeof *ax[a].ok);
        if (ax[a].value && ax[a].ok)
            ax[a].n = n;
        if (!ax[a].value || !ax[a].ok) {
            diag_error(d, "out of memory validating the sweep");
            bad = 1;
            goto out;
        }
        char *holder = (char *)&tmp + ((const char *)found - (const char *)&tmp);
        for (size_t j = 0; j < n; j++) {
            if (owns_memory(f)) /* tmp shares base's: bind into an empty value */
                memset(holder + f->offset, 0, ax[a].size);
            size_t before = diag_error_count(d);
            const struct ynode *v = axis->values->items[j];
            ax[a].ok[j] = field_bind_one(f, axis->path, v, holder, d) == 0 &&
                          scn_resolve_value(&tmp, f, axis->path, v, holder + f->offset, d) == 0;
            bad_values += !ax[a].ok[j];
            if (!ax[a].ok[j] && diag_error_count(d) > before)
                note_point(sw, first_point_with(sw, a, j), at, d);
            memcpy(&ax[a].value[j], (char *)&tmp + ax[a].offset, ax[a].size);
        }
        if (!(origins.v[a].path = strdup(axis->path))) {
            diag_error(d, "out of memory validating the sweep");
            bad = 1;
            goto out;
        }
    }
    origins.n = naxes;
    /* Every combination: copy the bound values in and run the cross checks. */
    if (to > sw->points)
        to = sw->points;
    for (uint64_t p = from - from % sw->replications; p < to; p += sw->replications) {
        struct scn s = *base;
        bool values_ok = true;
        uint64_t q = p / sw->replications;
        uint64_t z = q % sw->zip_len, g = q / sw->zip_len;
        for (size_t a = naxes; a-- > 0;) {
            size_t j;
            if (a >= sw->ngrid) {
                j = (size_t)z;
            } else {
                j = (size_t)(g % ax[a].n);
                g /= ax[a].n;
            }
            values_ok &= ax[a].ok[j];
            memcpy((char *)&s + ax[a].offset, &ax[a].value[j], ax[a].size);
            origins.v[a].node =
                (a < sw->ngrid ? sw->grid[a].values : sw->zip[a - sw->ngrid].values)->items[j];
        }
        if (!values_ok) {
            bad++;
        } else {
            size_t before = diag_error_count(d);
            if (scn_check(&s, &origins, at, d) > 0) {
                bad++;
                if (diag_error_count(d) > before)
                    note_point(sw, p, at, d);
            }
        }
        /* Stop early once the message list is full, or after many invalid points: the rest
         * would repeat what was said. */
        if ((bad && d->len >= (d->max_messages ? d->max_messages : 100)) ||
            bad == SWEEP_MAX_REPORTED) {
            if (p + sw->replications < to)
                diag_report(d, DIAG_NOTE, at->src, at->line, at->col,
                            "stopped checking after %" PRIu64 " invalid points", bad);
            break;
        }
    }
out:
    for (size_t a = 0; ax && a < naxes; a++) {
        for (size_t j = 0; j < ax[a].n; j++)
            field_value_release(ax[a].f, &ax[a].value[j]);
        free(ax[a].value);
        free(ax[a].ok);
    }
    free(ax);
    origins.n = naxes; /* free every path set so far */
    field_origins_release(&origins);
    d->dedupe = dedupe;
    /* Checking may stop early; every value appears in some point, so a bad value alone makes
     * the sweep invalid. */
    return bad ? bad : bad_values;
}

void sweep_print_point(const struct sweep *sw, uint64_t p, const struct scn *s, FILE *out)
{
    fprintf(out, "point %" PRIu64 ": replication=%" PRIu64, p, sweep_point_replication(sw, p));
    for (size_t a = 0; a < sw->ngrid + sw->nzip; a++) {
        const char *path = a < sw->ngrid ? sw->grid[a].path : sw->zip[a - sw->ngrid].path;
        const void *holder = NULL;
        const struct scn_field *f = field_locate(scn_schema, path, s, &holder);
        fprintf(out, " %s=", path);
        if (f)
            field_emit_value(f, holder, out);
    }
    fprintf(out, " hash=%s\n", s->hash_hex);
}

int sweep_write_definition(const struct sweep *sw, const struct scn *base, FILE *out)
{
    if (sw->ngrid + sw->nzip == 0)
        return 0;
    struct diag d;
    diag_init(&d);
    int rc = 0;
    fputs("sweep:\n", out);
    for (int part = 0; part < 2 && rc == 0; part++) {
        const struct sweep_axis *axes = part == 0 ? sw->grid : sw->zip;
        size_t n = part == 0 ? sw->ngrid : sw->nzip;
        if (n)
            fprintf(out, "  %s:\n", part == 0 ? "grid" : "zip");
        for (size_t a = 0; a < n && rc == 0; a++) {
            struct scn tmp = *base;
            const void *found = NULL;
            const struct scn_field *f = field_locate(scn_schema, axes[a].path, &tmp, &found);
            if (!f) {
                rc = -EINVAL;
                break;
            }
            char *holder = (char *)&tmp + ((const char *)found - (const char *)&tmp);
            fprintf(out, "    %s: [", axes[a].path);
            for (size_t j = 0; j < axes[a].values->n; j++) {
                if (owns_memory(f)) /* tmp shares base's: bind into an empty value */
                    memset(holder + f->offset, 0, field_size(f));
                const struct ynode *v = axes[a].values->items[j];
                if (field_bind_one(f, axes[a].path, v, holder, &d) != 0 ||
                    scn_resolve_value(&tmp, f, axes[a].path, v, holder + f->offset, &d) != 0) {
                    if (owns_memory(f))
                        field_value_release(f, holder + f->offset);
                    rc = -EINVAL;
                    break;
                }
                fputs(j ? ", " : "", out);
                field_emit_value(f, holder, out);
                if (owns_memory(f))
                    field_value_release(f, holder + f->offset);
            }
            fputs("]\n", out);
        }
    }
    diag_release(&d);
    return rc;
}
