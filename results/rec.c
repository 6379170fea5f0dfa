#include "results/rec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "sim/version.h"

#define DEFAULT_CHUNK_ROWS 4096
#define DEFAULT_DEFLATE    4

struct rec_col {
    char *name;
    enum rec_type type;
    hid_t dset;
    void *buf; /* chunk_rows values of the column's type */
};

struct rec_table {
    struct rec *rec;
    char *group;
    struct rec_col *cols;
    size_t ncols;
    size_t buffered;  /* rows in the buffers, the last one being built */
    uint64_t written; /* rows already in the file */
};

struct rec {
    char *path;
    char *part_path;
    hid_t file;
    struct diag *diag;
    int error;
    size_t chunk_rows;
    int deflate_level; /* 0: none */
    int64_t wallclock;
    struct rec_table **tables;
    size_t ntables;
};

/* ---- errors ------------------------------------------------------------------------------- */

static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *out)
{
    (void)n;
    const char **desc = out;
    if (!*desc && e->desc && *e->desc)
        *desc = e->desc;
    return 0;
}

/* Records the first failure with HDF5's innermost reason, and makes it sticky. */
__attribute__((format(printf, 3, 4))) static int fail(struct rec *r, int code, const char *fmt, ...)
{
    const char *reason = NULL;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, &reason);
    if (!r->error) {
        char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&what, fmt, ap) < 0)
            what = NULL;
        va_end(ap);
        diag_report(r->diag, DIAG_ERROR, r->path, 0, 0, "results file: %s%s%s",
                    what ? what : "write failed", reason ? ": " : "", reason ? reason : "");
        free(what);
        r->error = code;
    }
    H5Eclear2(H5E_DEFAULT);
    return r->error;
}

/* ---- property lists and small helpers ---------------------------------------------------- */

static hid_t group_create_plist(void)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl >= 0)
        H5Pset_obj_track_times(gcpl, 0);
    return gcpl;
}

/* Opens group `path`, creating it and its parents if needed. */
static hid_t group_open_or_create(struct rec *r, const char *path)
{
    if (strcmp(path, "/") == 0)
        return H5Gopen2(r->file, "/", H5P_DEFAULT);
    htri_t exists = H5Lexists(r->file, path, H5P_DEFAULT);
    if (exists > 0)
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
            if (H5Lexists(r->file, copy, H5P_DEFAULT) <= 0) {
                g = H5Gcreate2(r->file, copy, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            } else {
                g = H5Gopen2(r->file, copy, H5P_DEFAULT);
            }
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

static int attr_write(struct rec *r, hid_t obj, const char *name, hid_t type, const void *value)
{
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        return -EIO;
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, type, value) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    (void)r;
    return rc < 0 ? -EIO : 0;
}

static int attr_string_on(struct rec *r, hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    int rc = attr_write(r, obj, name, type, &value);
    H5Tclose(type);
    return rc;
}

typedef int attr_fn(struct rec *r, hid_t obj, const char *name, const void *value);

static int with_object(struct rec *r, const char *object, const char *name, attr_fn *fn,
                       const void *value)
{
    if (r->error)
        return r->error;
    hid_t obj = H5Oopen(r->file, object, H5P_DEFAULT);
    if (obj < 0)
        return fail(r, -EIO, "cannot open '%s' to set attribute '%s'", object, name);
    int rc = fn(r, obj, name, value);
    H5Oclose(obj);
    if (rc < 0)
        return fail(r, rc, "cannot write attribute '%s' of '%s'", name, object);
    return 0;
}

static int set_string(struct rec *r, hid_t obj, const char *name, const void *value)
{
    return attr_string_on(r, obj, name, value);
}

static int set_int64(struct rec *r, hid_t obj, const char *name, const void *value)
{
    return attr_write(r, obj, name, H5T_NATIVE_INT64, value);
}

static int set_double(struct rec *r, hid_t obj, const char *name, const void *value)
{
    return attr_write(r, obj, name, H5T_NATIVE_DOUBLE, value);
}

int rec_attr_string(struct rec *r, const char *object, const char *name, const char *value)
{
    return with_object(r, object, name, set_string, value);
}

int rec_attr_int64(struct rec *r, const char *object, const char *name, int64_t value)
{
    return with_object(r, object, name, set_int64, &value);
}

int rec_attr_double(struct rec *r, const char *object, const char *name, double value)
{
    return with_object(r, object, name, set_double, &value);
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

/* ---- open and close ------------------------------------------------------------------------ */

static void rec_free(struct rec *r)
{
    for (size_t i = 0; i < r->ntables; i++) {
        struct rec_table *t = r->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].dset >= 0)
                H5Dclose(t->cols[c].dset);
            free(t->cols[c].name);
            free(t->cols[c].buf);
        }
        free(t->cols);
        free(t->group);
        free(t);
    }
    free(r->tables);
    free(r->path);
    free(r->part_path);
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
    if (!r->path || asprintf(&r->part_path, "%s.part", path) < 0) {
        r->part_path = NULL;
        diag_report(d, DIAG_ERROR, path, 0, 0, "results file: out of memory");
        rec_free(r);
        return -ENOMEM;
    }

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    r->file = H5Fcreate(r->part_path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (r->file < 0) {
        fail(r, -EIO, "cannot create '%s'", r->part_path);
        int rc = r->error;
        rec_free(r);
        return rc;
    }
    rec_attr_string(r, "/", "format", REC_FORMAT);
    rec_attr_int64(r, "/", "format_version", REC_FORMAT_VERSION);
    rec_attr_string(r, "/", "simulator_version", version_release());
    rec_attr_string(r, "/", "git_revision", version_git_revision());
    stamp_time(r, "started");
    rec_attr_int64(r, "/", "complete", 0);
    if (!r->error && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        fail(r, -EIO, "cannot flush");
    if (r->error) {
        int rc = r->error;
        H5Fclose(r->file);
        unlink(r->part_path);
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

static int table_flush(struct rec_table *t);

int rec_close(struct rec *r, bool complete)
{
    if (!r)
        return 0;
    for (size_t i = 0; i < r->ntables; i++)
        table_flush(r->tables[i]);
    stamp_time(r, "finished");
    if (complete && !r->error)
        rec_attr_int64(r, "/", "complete", 1);
    for (size_t i = 0; i < r->ntables; i++) {
        struct rec_table *t = r->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].dset >= 0 && H5Dclose(t->cols[c].dset) < 0)
                fail(r, -EIO, "cannot close dataset '%s/%s'", t->group, t->cols[c].name);
            t->cols[c].dset = H5I_INVALID_HID;
        }
    }
    bool closed = H5Fclose(r->file) >= 0;
    if (!closed)
        fail(r, -EIO, "cannot close '%s'", r->part_path);
    if (closed && rename(r->part_path, r->path) < 0) {
        diag_report(r->diag, DIAG_ERROR, r->path, 0, 0, "results file: cannot rename '%s': %s",
                    r->part_path, strerror(errno));
        if (!r->error)
            r->error = -errno;
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

static int describe(struct rec *r, hid_t obj, const char *units, const char *description)
{
    int rc = attr_string_on(r, obj, "units", units ? units : "");
    if (rc == 0 && description)
        rc = attr_string_on(r, obj, "description", description);
    return rc;
}

static hid_t column_create(struct rec *r, hid_t group, const struct rec_column *spec)
{
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = r->chunk_rows;
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    H5Pset_chunk(dcpl, 1, &chunk);
    if (r->deflate_level > 0) {
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, (unsigned)r->deflate_level);
    }
    if (spec->type == REC_INT64) {
        int64_t fill = 0;
        H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, &fill);
    } else {
        double fill = (double)NAN;
        H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill);
    }
    hid_t dset =
        H5Dcreate2(group, spec->name, file_type(spec->type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (dset >= 0 && describe(r, dset, spec->units, spec->description) < 0) {
        H5Dclose(dset);
        dset = H5I_INVALID_HID;
    }
    return dset;
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
    for (size_t c = 0; c < ncols; c++)
        t->cols[c].dset = H5I_INVALID_HID;

    hid_t g = group_open_or_create(r, group);
    if (g < 0)
        return fail(r, -EIO, "cannot create group '%s'", group);
    for (size_t c = 0; c < ncols; c++) {
        struct rec_col *col = &t->cols[c];
        col->type = cols[c].type;
        col->name = strdup(cols[c].name);
        col->buf = malloc(r->chunk_rows * type_size(cols[c].type));
        if (!col->name || !col->buf) {
            H5Gclose(g);
            return fail(r, -ENOMEM, "out of memory creating table '%s'", group);
        }
        fill_buffer(col, 0, r->chunk_rows);
        col->dset = column_create(r, g, &cols[c]);
        if (col->dset < 0) {
            H5Gclose(g);
            return fail(r, -EIO, "cannot create dataset '%s/%s'", group, cols[c].name);
        }
    }
    H5Gclose(g);
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
    hsize_t start = t->written, count = t->buffered, size = t->written + t->buffered;
    for (size_t c = 0; c < t->ncols; c++) {
        struct rec_col *col = &t->cols[c];
        if (H5Dset_extent(col->dset, &size) < 0)
            return fail(r, -EIO, "cannot extend dataset '%s/%s'", t->group, col->name);
        hid_t fspace = H5Dget_space(col->dset);
        hid_t mspace = H5Screate_simple(1, &count, NULL);
        herr_t rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL);
        if (rc >= 0)
            rc = H5Dwrite(col->dset, mem_type(col->type), mspace, fspace, H5P_DEFAULT, col->buf);
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (rc < 0)
            return fail(r, -EIO, "cannot write dataset '%s/%s'", t->group, col->name);
        fill_buffer(col, 0, t->buffered);
    }
    t->written += t->buffered;
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
    if (rc >= 0 && describe(r, dset, units, description) < 0)
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
    H5Gclose(g);
    if (rc < 0)
        return fail(r, -EIO, "cannot link '%s' to %s", name, target);
    return 0;
}
