#include "results/rec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "results/segments.h"
#include "sim/outfile.h"
#include "sim/version.h"

#define DEFAULT_CHUNK_ROWS 4096
#define DEFAULT_DEFLATE    4

struct rec_col {
    char *name;
    enum rec_type type;
    char *units, *description;
    hid_t dset; /* in the current segment; H5I_INVALID_HID until the table has rows there */
    void *buf;  /* chunk_rows values of the column's type */
};

struct rec_table {
    struct rec *rec;
    char *group;
    struct rec_col *cols;
    size_t ncols;
    size_t buffered;      /* rows in the buffers, the last one being built */
    uint64_t written;     /* rows already in segments */
    uint64_t in_segment;  /* of which in the current segment */
    bool segment_columns; /* the columns exist in the current segment */
    bool described;       /* units and descriptions written (in the table's first segment) */
};

struct rec {
    char *path;   /* the final name */
    char *folder; /* "<path>.<host>.<pid>.part": the segments */
    unsigned seg; /* the current segment */
    hid_t file;   /* the current segment, open */
    bool abandoned;
    struct diag *diag;
    int error;
    size_t chunk_rows;
    int deflate_level; /* of the merged file; 0: none */
    int64_t wallclock;
    struct rec_table **tables;
    size_t ntables;
    char **groups; /* every group created so far (to recreate in a later segment) */
    size_t ngroups;
};

/* ---- errors ------------------------------------------------------------------------------- */

/* The innermost description on HDF5's error stack, or one that carries the system's reason
 * (a failed write says "... errno = 28, error message = 'No space left on device' ..."). */
struct error_walk {
    const char *innermost;
    const char *system;
};

static herr_t walk_error(unsigned n, const H5E_error2_t *e, void *out)
{
    (void)n;
    struct error_walk *w = out;
    if (!e->desc || !*e->desc)
        return 0;
    if (!w->innermost)
        w->innermost = e->desc;
    if (!w->system && strstr(e->desc, "error message = '"))
        w->system = e->desc;
    return 0;
}

/* HDF5's reason in a few words: the quoted system message when there is one. */
static void reason_text(const char *desc, char *out, size_t n)
{
    const char *key = "error message = '";
    const char *m = desc ? strstr(desc, key) : NULL;
    if (m) {
        m += strlen(key);
        const char *end = strchr(m, '\'');
        size_t len = end ? (size_t)(end - m) : strlen(m);
        snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), m);
        return;
    }
    snprintf(out, n, "%s", desc ? desc : "");
    out[strcspn(out, "\n")] = '\0';
}

static void abandon(struct rec *r);

/* Records the first failure with HDF5's reason (call it right after the failing HDF5 call: the
 * next call clears the reason), makes it sticky, and abandons the current segment. */
__attribute__((format(printf, 3, 4))) static int fail(struct rec *r, int code, const char *fmt, ...)
{
    struct error_walk w = {0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_error, &w);
    if (!r->error) {
        char reason[256];
        reason_text(w.system ? w.system : w.innermost, reason, sizeof reason);
        char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&what, fmt, ap) < 0)
            what = NULL;
        va_end(ap);
        diag_report(r->diag, DIAG_ERROR, r->path, 0, 0, "results file: %s%s%s",
                    what ? what : "write failed", *reason ? ": " : "", reason);
        free(what);
        r->error = code;
        abandon(r);
    }
    H5Eclear2(H5E_DEFAULT);
    return r->error;
}

/*
 * After the first error nothing more goes to disk: HDF5's descriptor of the current segment is
 * pointed at an anonymous memory file, so HDF5 can still close it normally (a failed H5Fclose
 * leaves HDF5 1.10 with a dangling file that crashes the program at exit). The closed segments
 * are untouched; the current one stays ".open" and is never merged.
 */
static void abandon(struct rec *r)
{
    if (r->abandoned || r->file < 0)
        return;
    r->abandoned = true;
    void *handle = NULL;
    if (H5Fget_vfd_handle(r->file, H5P_DEFAULT, &handle) < 0 || !handle)
        return;
    int fd = *(int *)handle;
    int mem = memfd_create("splitsim-abandoned", MFD_CLOEXEC);
    if (mem < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && ftruncate(mem, st.st_size) < 0) {
        close(mem);
        return;
    }
    dup2(mem, fd);
    close(mem);
}

/* ---- small helpers -------------------------------------------------------------------------- */

static hid_t group_create_plist(void)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl >= 0)
        H5Pset_obj_track_times(gcpl, 0);
    return gcpl;
}

static void remember_group(struct rec *r, const char *path)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i], path) == 0)
            return;
    char **ng = realloc(r->groups, (r->ngroups + 1) * sizeof *ng);
    if (!ng)
        return;
    r->groups = ng;
    if ((r->groups[r->ngroups] = strdup(path)))
        r->ngroups++;
}

static bool known_group(const struct rec *r, const char *path)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i], path) == 0)
            return true;
    return false;
}

/* Opens group `path` of the current segment, creating it and its parents if needed. */
static hid_t group_open_or_create(struct rec *r, const char *path)
{
    if (strcmp(path, "/") == 0)
        return H5Gopen2(r->file, "/", H5P_DEFAULT);
    if (H5Lexists(r->file, path, H5P_DEFAULT) > 0)
        return H5Gopen2(r->file, path, H5P_DEFAULT);
    /* Create parents one by one, so each gets the no-timestamps property list. */
    char *copy = strdup(path);
    if (!copy)
        return H5I_INVALID_HID;
    hid_t gcpl = group_create_plist();
    hid_t g = H5I_INVALID_HID;
    for (char *p = copy + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (H5Lexists(r->file, copy, H5P_DEFAULT) <= 0)
                g = H5Gcreate2(r->file, copy, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            else
                g = H5Gopen2(r->file, copy, H5P_DEFAULT);
            if (g >= 0)
                remember_group(r, copy);
            *p = saved;
            if (g < 0 || saved == '\0')
                break;
            H5Gclose(g);
        }
    }
    H5Pclose(gcpl);
    free(copy);
    return g;
}

static int attr_write(hid_t obj, const char *name, hid_t type, const void *value)
{
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        return -EIO;
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, type, value) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return rc < 0 ? -EIO : 0;
}

static int attr_string_on(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    int rc = attr_write(obj, name, type, &value);
    H5Tclose(type);
    return rc;
}

enum attr_kind { ATTR_STRING, ATTR_INT64, ATTR_DOUBLE };

/* Sets an attribute of `object` in the current segment (the merge keeps the last value); a
 * group created in an earlier segment is created again here. */
static int attr_set(struct rec *r, const char *object, const char *name, enum attr_kind kind,
                    const void *value)
{
    if (r->error)
        return r->error;
    hid_t obj = H5I_INVALID_HID;
    if (strcmp(object, "/") != 0 && H5Lexists(r->file, object, H5P_DEFAULT) <= 0 &&
        known_group(r, object))
        obj = group_open_or_create(r, object);
    else
        obj = H5Oopen(r->file, object, H5P_DEFAULT);
    if (obj < 0)
        return fail(r, -EIO, "cannot open '%s' to set attribute '%s'", object, name);
    int rc = kind == ATTR_STRING  ? attr_string_on(obj, name, *(const char *const *)value)
             : kind == ATTR_INT64 ? attr_write(obj, name, H5T_NATIVE_INT64, value)
                                  : attr_write(obj, name, H5T_NATIVE_DOUBLE, value);
    if (rc < 0)
        fail(r, rc, "cannot write attribute '%s' of '%s'", name, object);
    H5Oclose(obj);
    return r->error;
}

int rec_attr_string(struct rec *r, const char *object, const char *name, const char *value)
{
    return attr_set(r, object, name, ATTR_STRING, &value);
}

int rec_attr_int64(struct rec *r, const char *object, const char *name, int64_t value)
{
    return attr_set(r, object, name, ATTR_INT64, &value);
}

int rec_attr_double(struct rec *r, const char *object, const char *name, double value)
{
    return attr_set(r, object, name, ATTR_DOUBLE, &value);
}

static int stamp_time(struct rec *r, const char *name)
{
    time_t t = r->wallclock >= 0 ? (time_t)r->wallclock : time(NULL);
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, sizeof buf, "unknown");
    return rec_attr_string(r, "/", name, buf);
}

/* ---- segments ------------------------------------------------------------------------------- */

/* Opens segment r->seg as "seg-N.h5.open". */
static int segment_open(struct rec *r)
{
    char *path = seg_path(r->folder, r->seg, true);
    if (!path)
        return fail(r, -ENOMEM, "out of memory");
    int rc = outfile_precreate(path, r->path, r->diag);
    if (rc < 0) {
        free(path);
        if (!r->error)
            r->error = rc;
        return rc;
    }
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    r->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (r->file < 0)
        fail(r, -EIO, "cannot create '%s'", path);
    free(path);
    return r->error;
}

static int table_flush(struct rec_table *t);

/* Closes every column and the current segment; renames it closed when all went well. */
static int segment_close(struct rec *r)
{
    for (size_t i = 0; i < r->ntables; i++) {
        struct rec_table *t = r->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].dset >= 0 && H5Dclose(t->cols[c].dset) < 0)
                fail(r, -EIO, "cannot close dataset '%s/%s'", t->group, t->cols[c].name);
            t->cols[c].dset = H5I_INVALID_HID;
        }
        t->segment_columns = false;
        t->in_segment = 0;
    }
    /* Flushing first lets a write failure abandon the segment (abandon()) before the close,
     * which then cannot fail; should the close fail anyway, the handle is dead: forget it. */
    if (r->file >= 0 && !r->error && H5Fflush(r->file, H5F_SCOPE_LOCAL) < 0)
        fail(r, -EIO, "cannot write segment %u", r->seg);
    if (r->file >= 0 && H5Fclose(r->file) < 0) {
        r->file = H5I_INVALID_HID;
        fail(r, -EIO, "cannot write segment %u", r->seg);
    }
    r->file = H5I_INVALID_HID;
    if (r->error)
        return r->error;
    char *open = seg_path(r->folder, r->seg, true), *closed = seg_path(r->folder, r->seg, false);
    if (!open || !closed || rename(open, closed) < 0) {
        int e = open && closed ? errno : ENOMEM;
        diag_report(r->diag, DIAG_ERROR, r->path, 0, 0, "results file: cannot rename '%s': %s",
                    open ? open : "?", strerror(e));
        r->error = -e;
    }
    free(open);
    free(closed);
    return r->error;
}

/* Removes the folder of segments (after a successful merge). */
static void folder_remove(const char *folder)
{
    DIR *dir = opendir(folder);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strncmp(e->d_name, "seg-", 4) != 0)
            continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", folder, e->d_name) >= 0) {
            unlink(p);
            free(p);
        }
    }
    closedir(dir);
    rmdir(folder);
}

/* ---- open and close ------------------------------------------------------------------------ */

static void rec_free(struct rec *r)
{
    for (size_t i = 0; i < r->ntables; i++) {
        struct rec_table *t = r->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].dset >= 0)
                H5Dclose(t->cols[c].dset);
            free(t->cols[c].name);
            free(t->cols[c].units);
            free(t->cols[c].description);
            free(t->cols[c].buf);
        }
        free(t->cols);
        free(t->group);
        free(t);
    }
    for (size_t i = 0; i < r->ngroups; i++)
        free(r->groups[i]);
    free(r->groups);
    free(r->tables);
    free(r->path);
    free(r->folder);
    free(r);
}

int rec_open(struct rec **out, const char *path, const struct rec_options *opt, struct diag *d)
{
    *out = NULL;
    struct rec *r = calloc(1, sizeof *r);
    if (!r) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "results file: out of memory");
        return -ENOMEM;
    }
    r->diag = d;
    r->file = H5I_INVALID_HID;
    r->chunk_rows = opt && opt->chunk_rows ? opt->chunk_rows : DEFAULT_CHUNK_ROWS;
    r->deflate_level = opt && opt->deflate_level ? opt->deflate_level : DEFAULT_DEFLATE;
    if (opt && opt->no_compression)
        r->deflate_level = 0;
    r->wallclock = opt ? opt->wallclock : -1;
    r->path = strdup(path);
    r->folder = r->path ? outfile_temp_name(path) : NULL;
    if (!r->folder) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "results file: out of memory");
        rec_free(r);
        return -ENOMEM;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* a stale folder of an earlier process with this host and pid is replaced */
    folder_remove(r->folder);
    if (mkdir(r->folder, 0777) < 0) {
        int e = errno;
        diag_report(d, DIAG_ERROR, path, 0, 0, "results file: cannot create '%s': %s", r->folder,
                    strerror(e));
        rec_free(r);
        return -e;
    }
    if (segment_open(r) == 0) {
        rec_attr_string(r, "/", "format", REC_FORMAT);
        rec_attr_int64(r, "/", "format_version", REC_FORMAT_VERSION);
        rec_attr_string(r, "/", "simulator_version", version_release());
        rec_attr_string(r, "/", "git_revision", version_git_revision());
        stamp_time(r, "started");
        rec_attr_int64(r, "/", "complete", 0);
    }
    if (r->error) {
        int rc = r->error;
        if (r->file >= 0)
            H5Fclose(r->file);
        r->file = H5I_INVALID_HID;
        H5Eclear2(H5E_DEFAULT);
        char *open = seg_path(r->folder, r->seg, true);
        if (open)
            unlink(open);
        free(open);
        rmdir(r->folder);
        rec_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int rec_error(const struct rec *r)
{
    return r->error;
}

char *rec_incomplete_path(const char *path)
{
    size_t n = strlen(path);
    char *out = NULL;
    int rc = n > 3 && strcmp(path + n - 3, ".h5") == 0
                 ? asprintf(&out, "%.*s.incomplete.h5", (int)(n - 3), path)
                 : asprintf(&out, "%s.incomplete", path);
    return rc < 0 ? NULL : out;
}

const char *rec_temp_path(const struct rec *r)
{
    return r->folder;
}

int rec_checkpoint(struct rec *r, const char *object, const char *name, int64_t value)
{
    if (r->error)
        return r->error;
    for (size_t i = 0; i < r->ntables && !r->error; i++)
        table_flush(r->tables[i]);
    rec_attr_int64(r, object, name, value);
    if (r->error)
        return r->error;
    if (segment_close(r) == 0) {
        r->seg++;
        segment_open(r);
    }
    return r->error;
}

/* Merges the closed segments into `dest` via a temporary, then removes the folder. */
static int merge_into(struct rec *r, const char *dest)
{
    char **segs = NULL;
    size_t n = 0;
    int rc = seg_list(r->folder, &segs, &n, r->diag);
    char *tmp = NULL;
    if (rc == 0 && asprintf(&tmp, "%s.merge", r->folder) < 0) {
        tmp = NULL;
        rc = -ENOMEM;
    }
    if (rc == 0)
        rc = seg_merge_to_file(segs, n, tmp, r->deflate_level, r->diag);
    seg_list_free(segs, n);
    if (rc == 0 && rename(tmp, dest) < 0) {
        rc = -errno;
        diag_report(r->diag, DIAG_ERROR, r->path, 0, 0,
                    "results file: cannot rename '%s' to '%s': %s", tmp, dest, strerror(-rc));
        unlink(tmp);
    }
    free(tmp);
    if (rc == 0)
        folder_remove(r->folder);
    return rc;
}

int rec_close(struct rec *r, bool complete)
{
    if (!r)
        return 0;
    for (size_t i = 0; i < r->ntables; i++)
        table_flush(r->tables[i]);
    stamp_time(r, "finished");
    if (complete && !r->error)
        rec_attr_int64(r, "/", "complete", 1);
    segment_close(r);
    if (r->error) {
        diag_report(r->diag, DIAG_NOTE, r->path, 0, 0,
                    "results file: what was recorded up to the last checkpoint before the error "
                    "is in '%s' ('splitsim inspect' tells what; 'splitsim recover' writes it as "
                    "one file)",
                    r->folder);
    } else {
        /* A complete file takes the final name, replacing an older one at once (rename is
         * atomic); an incomplete one goes beside it, so an interrupted run never replaces a
         * complete result. */
        char *dest = complete ? strdup(r->path) : rec_incomplete_path(r->path);
        int rc = dest ? merge_into(r, dest) : -ENOMEM;
        if (rc < 0 && !r->error)
            r->error = rc;
        if (rc == 0 && complete) {
            /* an interrupted run's leftovers are superseded by this complete file */
            char *stale = rec_incomplete_path(r->path);
            if (stale)
                unlink(stale);
            free(stale);
        }
        free(dest);
    }
    int rc = r->error;
    rec_free(r);
    return rc;
}

/* ---- tables -------------------------------------------------------------------------------- */

static hid_t mem_type(enum rec_type type)
{
    return type == REC_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
}

static hid_t file_type(enum rec_type type)
{
    return type == REC_INT64 ? H5T_STD_I64LE : H5T_IEEE_F64LE;
}

static size_t type_size(enum rec_type type)
{
    return type == REC_INT64 ? sizeof(int64_t) : sizeof(double);
}

static void fill_buffer(struct rec_col *c, size_t from, size_t to)
{
    if (c->type == REC_INT64) {
        int64_t *v = c->buf;
        for (size_t i = from; i < to; i++)
            v[i] = 0;
    } else {
        double *v = c->buf;
        for (size_t i = from; i < to; i++)
            v[i] = (double)NAN;
    }
}

static int describe(hid_t obj, const char *units, const char *description)
{
    int rc = attr_string_on(obj, "units", units ? units : "");
    if (rc == 0 && description)
        rc = attr_string_on(obj, "description", description);
    return rc;
}

/* A column in the current segment: chunked and extendable, uncompressed (the merge compresses:
 * a checkpoint then costs no compression), without a chunk cache so that a chunk reaches the
 * file when written and a full disk shows at once. */
static hid_t column_create(struct rec *r, hid_t group, const struct rec_col *col, bool describe_it)
{
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = r->chunk_rows;
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    H5Pset_chunk(dcpl, 1, &chunk);
    if (col->type == REC_INT64) {
        int64_t fill = 0;
        H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, &fill);
    } else {
        double fill = (double)NAN;
        H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill);
    }
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 0, 0, 1.0);
    hid_t dset = H5Dcreate2(group, col->name, file_type(col->type), space, H5P_DEFAULT, dcpl, dapl);
    H5Pclose(dapl);
    H5Pclose(dcpl);
    H5Sclose(space);
    /* the merge takes a column's attributes from its first segment: later ones need none */
    if (dset >= 0 && describe_it && describe(dset, col->units, col->description) < 0) {
        H5Dclose(dset);
        dset = H5I_INVALID_HID;
    }
    return dset;
}

/* Creates the table's columns in the current segment. */
static int table_columns(struct rec_table *t)
{
    struct rec *r = t->rec;
    hid_t g = group_open_or_create(r, t->group);
    if (g < 0)
        return fail(r, -EIO, "cannot create group '%s'", t->group);
    for (size_t c = 0; c < t->ncols; c++) {
        t->cols[c].dset = column_create(r, g, &t->cols[c], !t->described);
        if (t->cols[c].dset < 0) {
            fail(r, -EIO, "cannot create dataset '%s/%s'", t->group, t->cols[c].name);
            H5Gclose(g);
            return r->error;
        }
    }
    H5Gclose(g);
    t->segment_columns = true;
    t->described = true;
    return 0;
}

int rec_table_create(struct rec *r, const char *group, const struct rec_column *cols, size_t ncols,
                     struct rec_table **out)
{
    *out = NULL;
    if (r->error)
        return r->error;
    struct rec_table **tables = realloc(r->tables, (r->ntables + 1) * sizeof *tables);
    if (!tables)
        return fail(r, -ENOMEM, "out of memory creating table '%s'", group);
    r->tables = tables;
    struct rec_table *t = calloc(1, sizeof *t);
    if (!t)
        return fail(r, -ENOMEM, "out of memory creating table '%s'", group);
    r->tables[r->ntables++] = t; /* owned by r from here on, freed by rec_close */
    t->rec = r;
    t->group = strdup(group);
    t->cols = calloc(ncols, sizeof *t->cols);
    if (!t->group || !t->cols)
        return fail(r, -ENOMEM, "out of memory creating table '%s'", group);
    t->ncols = ncols;
    for (size_t c = 0; c < ncols; c++) {
        struct rec_col *col = &t->cols[c];
        col->dset = H5I_INVALID_HID;
        col->type = cols[c].type;
        col->name = strdup(cols[c].name);
        col->units = strdup(cols[c].units ? cols[c].units : "");
        col->description = cols[c].description ? strdup(cols[c].description) : NULL;
        col->buf = malloc(r->chunk_rows * type_size(cols[c].type));
        if (!col->name || !col->units || (cols[c].description && !col->description) || !col->buf)
            return fail(r, -ENOMEM, "out of memory creating table '%s'", group);
        fill_buffer(col, 0, r->chunk_rows);
    }
    /* created at once, so that a table that never gets a row is in the file too */
    if (table_columns(t) < 0)
        return r->error;
    *out = t;
    return 0;
}

void rec_set_int64(struct rec_table *t, size_t col, int64_t v)
{
    if (col < t->ncols && t->cols[col].type == REC_INT64)
        ((int64_t *)t->cols[col].buf)[t->buffered] = v;
}

void rec_set_double(struct rec_table *t, size_t col, double v)
{
    if (col < t->ncols && t->cols[col].type == REC_FLOAT64)
        ((double *)t->cols[col].buf)[t->buffered] = v;
}

static int table_flush(struct rec_table *t)
{
    struct rec *r = t->rec;
    if (r->error)
        return r->error;
    if (t->buffered == 0)
        return 0;
    if (!t->segment_columns && table_columns(t) < 0)
        return r->error;
    hsize_t start = t->in_segment, count = t->buffered, size = t->in_segment + t->buffered;
    for (size_t c = 0; c < t->ncols; c++) {
        struct rec_col *col = &t->cols[c];
        if (H5Dset_extent(col->dset, &size) < 0)
            return fail(r, -EIO, "cannot extend dataset '%s/%s'", t->group, col->name);
        hid_t fspace = H5Dget_space(col->dset);
        hid_t mspace = H5Screate_simple(1, &count, NULL);
        herr_t rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL);
        if (rc >= 0)
            rc = H5Dwrite(col->dset, mem_type(col->type), mspace, fspace, H5P_DEFAULT, col->buf);
        if (rc < 0) /* before any other HDF5 call, which would clear the reason */
            fail(r, -EIO, "cannot write dataset '%s/%s'", t->group, col->name);
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (rc < 0)
            return r->error;
        fill_buffer(col, 0, t->buffered);
    }
    t->written += t->buffered;
    t->in_segment += t->buffered;
    t->buffered = 0;
    return 0;
}

int rec_row_commit(struct rec_table *t)
{
    struct rec *r = t->rec;
    if (r->error)
        return r->error;
    if (++t->buffered == r->chunk_rows)
        return table_flush(t);
    return 0;
}

uint64_t rec_table_rows(const struct rec_table *t)
{
    return t->written + t->buffered;
}

/* ---- scalars ------------------------------------------------------------------------------- */

static int scalar_write(struct rec *r, const char *group, const char *name, const char *units,
                        const char *description, enum rec_type type, const void *value)
{
    if (r->error)
        return r->error;
    hid_t g = group_open_or_create(r, group);
    if (g < 0)
        return fail(r, -EIO, "cannot create group '%s'", group);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t dset = H5Dcreate2(g, name, file_type(type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t rc =
        dset >= 0 ? H5Dwrite(dset, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, value) : -1;
    if (rc < 0)
        fail(r, -EIO, "cannot write dataset '%s/%s'", group, name);
    if (rc >= 0 && describe(dset, units, description) < 0)
        rc = -1;
    if (dset >= 0)
        H5Dclose(dset);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Gclose(g);
    if (rc < 0)
        return fail(r, -EIO, "cannot write dataset '%s/%s'", group, name);
    return 0;
}

int rec_scalar_double(struct rec *r, const char *group, const char *name, const char *units,
                      const char *description, double value)
{
    return scalar_write(r, group, name, units, description, REC_FLOAT64, &value);
}

int rec_scalar_int64(struct rec *r, const char *group, const char *name, const char *units,
                     const char *description, int64_t value)
{
    return scalar_write(r, group, name, units, description, REC_INT64, &value);
}

int rec_link_external(struct rec *r, const char *group, const char *name, const char *target,
                      const char *object)
{
    if (r->error)
        return r->error;
    hid_t g = group_open_or_create(r, group);
    if (g < 0)
        return fail(r, -EIO, "cannot create group '%s'", group);
    herr_t rc = H5Lcreate_external(target, object, g, name, H5P_DEFAULT, H5P_DEFAULT);
    if (rc < 0)
        fail(r, -EIO, "cannot link '%s' to %s", name, target);
    H5Gclose(g);
    return r->error;
}
