#include "results/rec.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "sim/outfile.h"
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
    bool abandoned; /* after an error: writes go to memory, the .part keeps what it had */
    struct diag *diag;
    int error;
    size_t chunk_rows;
    int deflate_level; /* 0: none */
    int64_t wallclock;
    struct rec_table **tables;
    size_t ntables;
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

/*
 * HDF5's innermost reason in a few words: its POSIX driver reports a failed write as "file write
 * failed: time = ..., filename = ..., errno = 28, error message = 'No space left on device',
 * ..."; the quoted message is the part a user needs.
 */
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

/* Records the first failure with HDF5's innermost reason, and makes it sticky; the file is
 * abandoned (see abandon) so that what it holds stays as it was. */
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
 * After the first error nothing more goes to the file on disk: HDF5's descriptor is pointed at
 * an anonymous memory file, so HDF5 can still close the file normally (a failed H5Fclose leaves
 * HDF5 1.10 with a dangling file that crashes the program at exit) while the ".part" on disk
 * keeps exactly what it held when the error struck: the last checkpoint (rec_checkpoint), plus
 * raw data written since beyond its end, unless the error struck during a checkpoint's own
 * metadata writes.
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
    (void)r;
    if (H5Aexists(obj, name) > 0) {
        /* an update (e.g. replications_done) is written in place: same type, same size */
        hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
        hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
        bool same = t >= 0 && H5Tequal(t, type) > 0;
        herr_t rc = same ? H5Awrite(a, type, value) : -1;
        if (t >= 0)
            H5Tclose(t);
        if (a >= 0)
            H5Aclose(a);
        if (same)
            return rc < 0 ? -EIO : 0;
        if (H5Adelete(obj, name) < 0)
            return -EIO;
    }
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, type, value) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
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
    if (rc < 0)
        fail(r, rc, "cannot write attribute '%s' of '%s'", name, object);
    H5Oclose(obj);
    return r->error;
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
    r->part_path = r->path ? outfile_temp_name(path) : NULL;
    if (!r->part_path) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "results file: out of memory");
        rec_free(r);
        return -ENOMEM;
    }
    /* Creating the file first with open(2) tells why it cannot be created (HDF5 only says
     * "unable to open file"). */
    int prc = outfile_precreate(r->part_path, path, d);
    if (prc < 0) {
        rec_free(r);
        return prc;
    }

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* Crash safety (see the header): space freed in the file is never reused, and metadata
     * reaches the file only at checkpoints, so a kill between checkpoints leaves the last one
     * intact. Free-space strategies are an HDF5 1.10 feature: files need HDF5 >= 1.10 to read. */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 1);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5AC_cache_config_t mdc = {.version = H5AC__CURR_CACHE_CONFIG_VERSION};
    if (H5Pget_mdc_config(fapl, &mdc) >= 0) {
        mdc.evictions_enabled = 0;
        mdc.incr_mode = H5C_incr__off;
        mdc.flash_incr_mode = H5C_flash_incr__off;
        mdc.decr_mode = H5C_decr__off;
        H5Pset_mdc_config(fapl, &mdc);
    }
    r->file = H5Fcreate(r->part_path, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fapl);
    H5Pclose(fcpl);
    if (r->file < 0) {
        fail(r, -EIO, "cannot create '%s'", r->part_path);
        int rc = r->error;
        unlink(r->part_path);
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
    return r->part_path;
}

/* Writes every table's buffered rows and all metadata: a consistent file on disk. */
static int sync_file(struct rec *r)
{
    for (size_t i = 0; i < r->ntables && !r->error; i++)
        table_flush(r->tables[i]);
    if (!r->error && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        fail(r, -EIO, "cannot write '%s'", r->part_path);
    return r->error;
}

int rec_checkpoint(struct rec *r, const char *object, const char *name, int64_t value)
{
    if (r->error)
        return r->error;
    /* the data first, then the mark that counts it: the mark is never ahead of the data */
    if (sync_file(r) == 0 && rec_attr_int64(r, object, name, value) == 0)
        sync_file(r);
    return r->error;
}

/* ---- compaction ------------------------------------------------------------------------- */

/* Copies one root attribute of the file being compacted (numbers and strings, scalar). */
static herr_t copy_attr(hid_t src, const char *name, const H5A_info_t *info, void *dst_)
{
    (void)info;
    hid_t dst = *(hid_t *)dst_;
    hid_t a = H5Aopen(src, name, H5P_DEFAULT);
    hid_t ft = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    herr_t rc = -1;
    if (ft >= 0 && sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR) {
        hid_t mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
        size_t size = mt >= 0 ? H5Tget_size(mt) : 0;
        bool vstr = H5Tis_variable_str(ft) > 0;
        unsigned char buf[64];
        if (mt >= 0 && size > 0 && size <= sizeof buf && H5Aread(a, mt, buf) >= 0) {
            hid_t b = H5Acreate2(dst, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT);
            rc = b >= 0 ? H5Awrite(b, mt, buf) : -1;
            if (b >= 0)
                H5Aclose(b);
            if (vstr)
                H5free_memory(*(char **)(void *)buf);
        }
        if (mt >= 0)
            H5Tclose(mt);
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (ft >= 0)
        H5Tclose(ft);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* Copies one root link: objects whole (H5Ocopy keeps chunks, filters and nested external
 * links as they are), external links as links. */
#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t link_info;
#define link_iterate H5Literate2
#else
typedef H5L_info_t link_info;
#define link_iterate H5Literate
#endif

static herr_t copy_link(hid_t src, const char *name, const link_info *info, void *dst_)
{
    hid_t dst = *(hid_t *)dst_;
    if (info->type == H5L_TYPE_HARD)
        return H5Ocopy(src, name, dst, name, H5P_DEFAULT, H5P_DEFAULT);
    if (info->type != H5L_TYPE_EXTERNAL || info->u.val_size > 4096)
        return -1;
    char val[4096];
    const char *file = NULL, *obj = NULL;
    unsigned flags = 0;
    if (H5Lget_val(src, name, val, sizeof val, H5P_DEFAULT) < 0 ||
        H5Lunpack_elink_val(val, info->u.val_size, &flags, &file, &obj) < 0)
        return -1;
    return H5Lcreate_external(file, obj, dst, name, H5P_DEFAULT, H5P_DEFAULT);
}

/*
 * Rewrites a finished file compactly into `out`: the crash-safe layout never reuses space, so
 * every chunk rewritten at a checkpoint leaves its old copy behind (a competition's file can
 * double). The copy has HDF5's default layout (readable by any HDF5 since 1.8) and the same
 * objects, attributes and values. 0, or -1 (then the caller keeps the original, which is
 * complete and valid too).
 */
static int compact(const char *in, const char *out)
{
    hid_t src = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (src < 0)
        return -1;
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    hid_t dst = H5Fcreate(out, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    int rc = -1;
    if (dst >= 0) {
        hid_t sroot = H5Gopen2(src, "/", H5P_DEFAULT), droot = H5Gopen2(dst, "/", H5P_DEFAULT);
        if (sroot >= 0 && droot >= 0 &&
            link_iterate(sroot, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_link, &droot) >= 0 &&
            H5Aiterate2(sroot, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attr, &droot) >= 0)
            rc = 0;
        if (sroot >= 0)
            H5Gclose(sroot);
        if (droot >= 0)
            H5Gclose(droot);
        if (H5Fclose(dst) < 0)
            rc = -1;
        if (rc < 0)
            unlink(out);
    }
    H5Fclose(src);
    H5Eclear2(H5E_DEFAULT);
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
    for (size_t i = 0; i < r->ntables; i++) {
        struct rec_table *t = r->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].dset >= 0 && H5Dclose(t->cols[c].dset) < 0)
                fail(r, -EIO, "cannot close dataset '%s/%s'", t->group, t->cols[c].name);
            t->cols[c].dset = H5I_INVALID_HID;
        }
    }
    if (H5Fclose(r->file) < 0)
        fail(r, -EIO, "cannot close '%s'", r->part_path);
    r->file = H5I_INVALID_HID;
    if (r->error) {
        /* abandoned at the first error: the temporary keeps what it held then */
        diag_report(r->diag, DIAG_NOTE, r->path, 0, 0,
                    "results file: what was written before the error is in '%s' (complete = 0; "
                    "'splitsim inspect' tells what it holds)",
                    r->part_path);
    } else {
        /* A complete file takes the final name, replacing an older one at once (rename is
         * atomic); an incomplete one goes beside it, so an interrupted run never replaces a
         * complete result. */
        char *dest = complete ? strdup(r->path) : rec_incomplete_path(r->path);
        char *compacted = NULL;
        if (complete && asprintf(&compacted, "%.*s.c.part", (int)(strlen(r->part_path) - 5),
                                 r->part_path) >= 0) {
            if (compact(r->part_path, compacted) == 0) {
                unlink(r->part_path);
                free(r->part_path);
                r->part_path = compacted;
            } else {
                free(compacted);
            }
        }
        if (!dest || rename(r->part_path, dest) < 0) {
            int e = dest ? errno : ENOMEM;
            diag_report(r->diag, DIAG_ERROR, r->path, 0, 0,
                        "results file: cannot rename '%s' to '%s': %s", r->part_path,
                        dest ? dest : "?", strerror(e));
            r->error = -e;
        } else if (complete) {
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
    /* No chunk cache: a chunk goes to the file when it is written, so a write failure (a full
     * disk) shows at once, before any metadata of the next checkpoint reaches the file. */
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 0, 0, 1.0);
    hid_t dset =
        H5Dcreate2(group, spec->name, file_type(spec->type), space, H5P_DEFAULT, dcpl, dapl);
    H5Pclose(dapl);
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
        if (rc < 0) /* before any other HDF5 call, which would clear the reason */
            fail(r, -EIO, "cannot write dataset '%s/%s'", t->group, col->name);
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (rc < 0)
            return r->error;
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
    if (rc < 0)
        fail(r, -EIO, "cannot write dataset '%s/%s'", group, name);
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
