#include "results/inspect.h"
#include "results/h5compat.h"
#include "results/segments.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "sim/grow.h"

#define SLICE         65536   /* values read at a time */
#define ATTR_TEXT_MAX 4096    /* longer string attributes are not shown */
#define MAX_TABLES    100000u /* groups described; a file with more is summarised */

/* ---- attributes ------------------------------------------------------------------------- */

/* A scalar attribute of `obj`, opened; negative when absent or not scalar. */
static hid_t scalar_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return H5I_INVALID_HID;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return a;
    hid_t sp = H5Aget_space(a);
    bool scalar = sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR;
    if (sp >= 0)
        H5Sclose(sp);
    if (!scalar) {
        H5Aclose(a);
        return H5I_INVALID_HID;
    }
    return a;
}

/* A scalar integer attribute; false when absent or of another kind. */
static bool attr_int(hid_t obj, const char *name, int64_t *v)
{
    hid_t a = scalar_attr(obj, name);
    if (a < 0)
        return false;
    hid_t t = H5Aget_type(a);
    bool ok = t >= 0 && H5Tget_class(t) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT64, v) >= 0;
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return ok;
}

/* A scalar string attribute of at most ATTR_TEXT_MAX bytes, first line only (malloc'd), or
 * NULL. */
static char *attr_text(hid_t obj, const char *name)
{
    hid_t a = scalar_attr(obj, name);
    if (a < 0)
        return NULL;
    char *out = NULL;
    hid_t t = H5Aget_type(a);
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (H5Aread(a, mt, &v) >= 0 && v) {
                out = strndup(v, ATTR_TEXT_MAX);
                H5free_memory(v);
            }
            H5Tclose(mt);
        } else {
            size_t n = H5Tget_size(t);
            if (n > 0 && n <= ATTR_TEXT_MAX && (out = calloc(1, n + 1)) && H5Aread(a, t, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    if (out) {
        out[strcspn(out, "\n")] = '\0';
        for (char *c = out; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
    }
    return out;
}

/* ---- tables ------------------------------------------------------------------------------- */

struct table {
    char *group;
    uint64_t columns, scalars, rows_min, rows_max;
};

struct walk {
    hid_t file;
    struct table *t;
    size_t n, cap;
    bool truncated;
    uint64_t datasets, unreadable;
    char *first_unreadable;
};

static struct table *table_of(struct walk *w, const char *group)
{
    for (size_t i = w->n; i-- > 0;)
        if (strcmp(w->t[i].group, group) == 0)
            return &w->t[i];
    if (w->n == MAX_TABLES) {
        w->truncated = true;
        return NULL;
    }
    if (w->n == w->cap && grow_array(&w->t, &w->cap, sizeof *w->t, 16) < 0)
        return NULL;
    struct table *t = &w->t[w->n];
    memset(t, 0, sizeof *t);
    if (!(t->group = strdup(group)))
        return NULL;
    t->rows_min = UINT64_MAX;
    w->n++;
    return t;
}

/* Reads every value of a numeric dataset in slices; false when one does not read back. */
static bool reads_back(hid_t dset, hid_t space, int rank, const hsize_t *dims)
{
    hid_t t = H5Dget_type(dset);
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (t >= 0)
        H5Tclose(t);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        return true; /* strings and the like: opened, not decoded */
    double *buf = malloc(SLICE * sizeof *buf);
    if (!buf)
        return false;
    bool ok = true;
    if (rank == 0) {
        ok = H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    } else if (rank == 1) {
        for (hsize_t at = 0; ok && at < dims[0]; at += SLICE) {
            hsize_t count = dims[0] - at < SLICE ? dims[0] - at : SLICE;
            hid_t mem = H5Screate_simple(1, &count, NULL);
            ok = mem >= 0 &&
                 H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, NULL, &count, NULL) >= 0 &&
                 H5Dread(dset, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, buf) >= 0;
            if (mem >= 0)
                H5Sclose(mem);
        }
    }
    free(buf);
    return ok;
}

static herr_t visit(hid_t obj, const char *name, const h5_obj_info *info, void *data)
{
    struct walk *w = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    w->datasets++;
    char *group = strdup(name);
    if (!group)
        return -1;
    char *slash = strrchr(group, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(group, "");
    hid_t dset = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t space = dset >= 0 ? H5Dget_space(dset) : H5I_INVALID_HID;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    /* scalars are counted per summary group ("/summary/ttft_s/mean" under "/summary") */
    char *summary = strstr(group, "summary");
    if (rank == 0 && summary && (summary[7] == '/' || summary[7] == '\0'))
        summary[7] = '\0';
    struct table *t = table_of(w, group);
    free(group);
    hsize_t dims[H5S_MAX_RANK] = {0};
    bool ok = rank >= 0 && rank <= 1 && H5Sget_simple_extent_dims(space, dims, NULL) >= 0 &&
              reads_back(dset, space, rank, dims);
    if (t && rank == 0) {
        t->scalars++;
    } else if (t && rank == 1) {
        t->columns++;
        if (dims[0] < t->rows_min)
            t->rows_min = dims[0];
        if (dims[0] > t->rows_max)
            t->rows_max = dims[0];
    }
    if (!ok && rank <= 1) {
        w->unreadable++;
        if (!w->first_unreadable)
            w->first_unreadable = strdup(name);
    }
    if (space >= 0)
        H5Sclose(space);
    if (dset >= 0)
        H5Dclose(dset);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

/* ---- the description ------------------------------------------------------------------------ */

static void show_text(FILE *out, hid_t root, const char *label, const char *name)
{
    char *v = attr_text(root, name);
    if (v && *v)
        fprintf(out, "  %-18s %s\n", label, v);
    free(v);
}

/* Per-policy progress of a competition: /policies/NAME replications_done. */
static herr_t show_policy(hid_t g, const char *name, const void *info, void *data)
{
    (void)info;
    FILE *out = data;
    hid_t p = H5Oopen(g, name, H5P_DEFAULT);
    if (p < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    int64_t done = -1;
    if (attr_int(p, "replications_done", &done))
        fprintf(out, "    policy %-12s %" PRId64 " replication(s) finished\n", name, done);
    H5Oclose(p);
    return 0;
}

static herr_t show_policy_link(hid_t g, const char *name, const h5_link_info *info, void *data)
{
    return show_policy(g, name, info, data);
}

static herr_t count_link(hid_t g, const char *name, const h5_link_info *info, void *data)
{
    (void)g;
    (void)name;
    uint64_t *n = data;
    n[info->type == H5L_TYPE_EXTERNAL]++;
    return 0;
}

static int describe(const char *path, hid_t file, FILE *out, struct diag *d);

/* A run's temporary folder: its closed segments merged in memory, then described. */
static int inspect_folder(const char *path, FILE *out, struct diag *d)
{
    char **segs = NULL;
    size_t n = 0;
    int rc = seg_list(path, &segs, &n, d);
    if (rc < 0)
        return -EINVAL;
    char *open = seg_path(path, (unsigned)n, true);
    bool writing = open && access(open, F_OK) == 0;
    free(open);
    fprintf(out,
            "%s: the temporary folder of a run that did not finish (killed, or stopped by an "
            "error):\n  %zu closed segment(s), all it recorded up to its last checkpoint%s\n",
            path, n, writing ? "; the segment it was writing when it stopped is not used" : "");
    if (n == 0) {
        fprintf(out, "  nothing to recover: it stopped before its first checkpoint\n");
        seg_list_free(segs, n);
        return 0;
    }
    fprintf(out, "  'splitsim recover %s' writes them as one results file; merged, they hold:\n",
            path);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 1 << 20, 0); /* in memory only */
    hid_t mem = H5Fcreate("splitsim-inspect", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    rc = mem >= 0 ? seg_merge(segs, n, mem, 0, d) : -EIO;
    seg_list_free(segs, n);
    if (rc == 0)
        rc = describe(path, mem, out, d);
    if (mem >= 0)
        H5Fclose(mem);
    H5Eclear2(H5E_DEFAULT);
    return rc < 0 ? -EIO : 0;
}

int inspect_file(const char *path, FILE *out, struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (seg_is_folder(path))
        return inspect_folder(path, out, d);
    /* a regular file, checked on the opened descriptor (O_NONBLOCK: a FIFO cannot block) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(e));
        return -EINVAL;
    }
    struct stat st;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "expected a regular file (a results file), got %s",
                    S_ISDIR(st.st_mode)    ? "a folder"
                    : S_ISFIFO(st.st_mode) ? "a FIFO"
                    : S_ISCHR(st.st_mode)  ? "a character device"
                                           : "something else");
        return -EINVAL;
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        H5Eclear2(H5E_DEFAULT);
        diag_report(d, DIAG_ERROR, path, 0, 0,
                    "HDF5 cannot open it (%lld bytes): not an HDF5 file, or damaged",
                    (long long)st.st_size);
        return -EIO;
    }
    fprintf(out, "%s: %lld bytes\n", path, (long long)st.st_size);
    int rc = describe(path, file, out, d);
    H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    return rc;
}

/* Describes an open results file (or a merged view of a run's segments). */
static int describe(const char *path, hid_t file, FILE *out, struct diag *d)
{
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    char *format = attr_text(root, "format");
    int64_t version = -1, complete = -1, reps = -1, done = -1, pdone = -1, points = -1,
            pcomplete = -1;
    attr_int(root, "format_version", &version);
    attr_int(root, "complete", &complete);
    attr_int(root, "replications", &reps);
    attr_int(root, "replications_done", &done);
    attr_int(root, "policies_done", &pdone);
    attr_int(root, "points", &points);
    attr_int(root, "points_complete", &pcomplete);
    fprintf(out, "  %-18s %s", "kind:", format ? format : "an HDF5 file splitsim did not write");
    if (format && version >= 0)
        fprintf(out, " (format %" PRId64 ")", version);
    fputc('\n', out);
    free(format);
    fprintf(out, "  %-18s %s\n", "complete:",
            complete == 1   ? "yes"
            : complete == 0 ? "no (interrupted, failed or still being written)"
                            : "unknown (no 'complete' attribute)");
    show_text(out, root, "model:", "model");
    show_text(out, root, "scenario file:", "scenario_file");
    show_text(out, root, "scenario hash:", "scenario_hash");
    int64_t seed = 0;
    if (attr_int(root, "seed", &seed))
        fprintf(out, "  %-18s %" PRId64 "\n", "seed:", seed);
    show_text(out, root, "policy:", "policy");
    if (reps >= 0 || done >= 0) {
        fprintf(out, "  %-18s ", "replications:");
        if (done >= 0)
            fprintf(out, "%" PRId64 " finished", done);
        else
            fprintf(out, "? finished");
        if (reps >= 0)
            fprintf(out, " of %" PRId64, reps);
        fputc('\n', out);
    }
    if (pdone >= 0)
        fprintf(out, "  %-18s %" PRId64 " finished\n", "policies:", pdone);
    if (H5Lexists(file, "/policies", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(file, "/policies", H5P_DEFAULT);
        if (g >= 0) {
            h5_link_iterate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, show_policy_link, out);
            H5Gclose(g);
        }
    }
    if (points >= 0)
        fprintf(out, "  %-18s %" PRId64 " of %" PRId64 " complete\n", "campaign points:", pcomplete,
                points);
    show_text(out, root, "started:", "started");
    show_text(out, root, "finished:", "finished");
    show_text(out, root, "written by:", "simulator_version");
    H5Eclear2(H5E_DEFAULT);

    struct walk w = {.file = file};
    herr_t vrc = h5_obj_visit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &w);
    H5Eclear2(H5E_DEFAULT);
    fprintf(out, "  tables:\n");
    for (size_t i = 0; i < w.n; i++) {
        const struct table *t = &w.t[i];
        if (t->columns) {
            fprintf(out, "    /%-28s %" PRIu64 " row(s), %" PRIu64 " column(s)", t->group,
                    t->rows_max, t->columns);
            if (t->rows_min != t->rows_max)
                fprintf(out, " (columns of unequal length: %" PRIu64 " to %" PRIu64 ")",
                        t->rows_min, t->rows_max);
            fputc('\n', out);
        }
        if (t->scalars)
            fprintf(out, "    /%-28s %" PRIu64 " value(s)\n", t->group, t->scalars);
        free(t->group);
    }
    if (w.n == 0)
        fprintf(out, "    none\n");
    if (w.truncated)
        fprintf(out, "    ... (more than %u groups; the rest not listed)\n", MAX_TABLES);
    free(w.t);
    if (H5Lexists(file, "/points", H5P_DEFAULT) > 0) {
        uint64_t links[2] = {0, 0};
        hid_t g = H5Gopen2(file, "/points", H5P_DEFAULT);
        if (g >= 0) {
            h5_link_iterate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, links);
            H5Gclose(g);
        }
        fprintf(out, "    /points: %" PRIu64 " link(s) to point files\n", links[1]);
    }
    H5Gclose(root);
    H5Eclear2(H5E_DEFAULT);
    if (vrc < 0 || w.unreadable) {
        fprintf(out,
                "  readable:          NO: %" PRIu64 " of %" PRIu64 " dataset(s) do not read "
                "back (first: /%s)\n",
                w.unreadable, w.datasets, w.first_unreadable ? w.first_unreadable : "?");
        diag_report(d, DIAG_ERROR, path, 0, 0, "%" PRIu64 " dataset(s) do not read back",
                    w.unreadable ? w.unreadable : 1);
        free(w.first_unreadable);
        return -EIO;
    }
    fprintf(out, "  readable:          yes (all %" PRIu64 " dataset(s) read back)\n", w.datasets);
    return 0;
}
