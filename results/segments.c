#include "results/segments.h"
#include "results/h5compat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/grow.h"

#define SLICE_BYTES (4u << 20) /* rows copied at a time: about 4 MiB */
#define LINK_MAX    4096       /* longest external link value copied */

char *seg_path(const char *folder, unsigned index, bool open)
{
    char *p = NULL;
    if (asprintf(&p, "%s/seg-%06u.h5%s", folder, index, open ? ".open" : "") < 0)
        return NULL;
    return p;
}

void seg_list_free(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

/* seg_list's failure for want of memory: nothing listed, reported. */
static int list_nomem(const char *folder, char ***paths, size_t *n, struct diag *d)
{
    seg_list_free(*paths, *n);
    *paths = NULL;
    *n = 0;
    diag_report(d, DIAG_ERROR, folder, 0, 0, "out of memory");
    return -ENOMEM;
}

int seg_list(const char *folder, char ***paths, size_t *n, struct diag *d)
{
    *paths = NULL;
    *n = 0;
    struct stat st;
    if (stat(folder, &st) < 0 || !S_ISDIR(st.st_mode)) {
        int e = stat(folder, &st) < 0 ? errno : ENOTDIR;
        diag_report(d, DIAG_ERROR, folder, 0, 0, "cannot read the segments: %s", strerror(e));
        return -e;
    }
    size_t cap = 0;
    for (unsigned i = 0;; i++) {
        char *p = seg_path(folder, i, false);
        if (!p)
            return list_nomem(folder, paths, n, d);
        if (access(p, F_OK) != 0) {
            free(p);
            return 0;
        }
        if (*n == cap && grow_array(paths, &cap, sizeof **paths, 16) < 0) {
            free(p);
            return list_nomem(folder, paths, n, d);
        }
        (*paths)[(*n)++] = p;
    }
}

bool seg_is_folder(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return false;
    char *closed = seg_path(path, 0, false), *open = seg_path(path, 0, true);
    bool yes = (closed && access(closed, F_OK) == 0) || (open && access(open, F_OK) == 0);
    free(closed);
    free(open);
    return yes;
}

/* ---- the merge ---------------------------------------------------------------------------- */

/* A column of the output, kept open from one segment to the next: its chunk cache then holds
 * the partly filled last chunk, so every chunk is compressed and written once. */
struct column {
    char *name;
    hid_t dset;
};

struct merge {
    hid_t seg, out;
    int deflate;
    int rc;
    struct column *cols;
    size_t ncols, cap;
};

/* Creates group `path` of out and its parents where missing. */
static int ensure_group(hid_t out, const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    int rc = 0;
    for (char *p = copy;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (*copy && H5Lexists(out, copy, H5P_DEFAULT) <= 0) {
                hid_t g = H5Gcreate2(out, copy, H5P_DEFAULT, gcpl, H5P_DEFAULT);
                if (g < 0)
                    rc = -1;
                else
                    H5Gclose(g);
            }
            *p = saved;
            if (!saved || rc < 0)
                break;
        }
    }
    H5Pclose(gcpl);
    free(copy);
    return rc;
}

/* Copies one attribute (scalar: numbers and strings), replacing one of the same name. */
static herr_t copy_attr(hid_t from, const char *name, const H5A_info_t *info, void *to_)
{
    (void)info;
    hid_t to = *(hid_t *)to_;
    hid_t a = H5Aopen(from, name, H5P_DEFAULT);
    hid_t ft = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    herr_t rc = -1;
    if (ft >= 0 && sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR) {
        hid_t mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
        size_t size = mt >= 0 ? H5Tget_size(mt) : 0;
        bool vstr = H5Tis_variable_str(ft) > 0;
        unsigned char buf[256];
        if (mt >= 0 && size > 0 && size <= sizeof buf && H5Aread(a, mt, buf) >= 0) {
            if (H5Aexists(to, name) > 0)
                H5Adelete(to, name);
            hid_t b = H5Acreate2(to, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT);
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

static int copy_attrs(hid_t from, hid_t to)
{
    return H5Aiterate2(from, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attr, &to) < 0 ? -1 : 0;
}

/* The parent group's path of `name` (malloc'd; "" for a root member). */
static char *parent_of(const char *name)
{
    char *p = strdup(name);
    if (p) {
        char *slash = strrchr(p, '/');
        *(slash ? slash : p) = '\0';
    }
    return p;
}

/* Creates out's column `name` like the segment's `src`: type, chunk, fill value, attributes;
 * compressed as asked. */
static hid_t column_like(struct merge *m, const char *name, hid_t src)
{
    hid_t ft = H5Dget_type(src), sdcpl = H5Dget_create_plist(src);
    hid_t mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_DEFAULT) : H5I_INVALID_HID;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk = 4096, zero = 0, unlimited = H5S_UNLIMITED;
    if (sdcpl >= 0 && H5Pget_layout(sdcpl) == H5D_CHUNKED)
        H5Pget_chunk(sdcpl, 1, &chunk);
    H5Pset_obj_track_times(dcpl, 0);
    H5Pset_chunk(dcpl, 1, &chunk);
    if (m->deflate > 0) {
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, (unsigned)m->deflate);
    }
    unsigned char fill[64];
    H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
    if (sdcpl >= 0 && mt >= 0 && H5Tget_size(mt) <= sizeof fill &&
        H5Pfill_value_defined(sdcpl, &defined) >= 0 && defined == H5D_FILL_VALUE_USER_DEFINED &&
        H5Pget_fill_value(sdcpl, mt, fill) >= 0)
        H5Pset_fill_value(dcpl, mt, fill);
    hid_t space = H5Screate_simple(1, &zero, &unlimited);
    hid_t dst = ft >= 0 ? H5Dcreate2(m->out, name, ft, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)
                        : H5I_INVALID_HID;
    if (dst >= 0 && copy_attrs(src, dst) < 0) {
        H5Dclose(dst);
        dst = H5I_INVALID_HID;
    }
    H5Sclose(space);
    H5Pclose(dcpl);
    if (mt >= 0)
        H5Tclose(mt);
    if (sdcpl >= 0)
        H5Pclose(sdcpl);
    if (ft >= 0)
        H5Tclose(ft);
    return dst;
}

/* The output column `name`, open (created like `src` the first time). */
static hid_t column_open(struct merge *m, const char *name, hid_t src)
{
    for (size_t i = 0; i < m->ncols; i++)
        if (strcmp(m->cols[i].name, name) == 0)
            return m->cols[i].dset;
    if (m->ncols == m->cap && grow_array(&m->cols, &m->cap, sizeof *m->cols, 64) < 0)
        return H5I_INVALID_HID;
    char *copy = strdup(name);
    hid_t dset =
        copy ? (H5Lexists(m->out, name, H5P_DEFAULT) > 0 ? H5Dopen2(m->out, name, H5P_DEFAULT)
                                                         : column_like(m, name, src))
             : H5I_INVALID_HID;
    if (dset < 0) {
        free(copy);
        return dset;
    }
    m->cols[m->ncols++] = (struct column){copy, dset};
    return dset;
}

static int columns_close(struct merge *m)
{
    int rc = 0;
    for (size_t i = 0; i < m->ncols; i++) {
        if (H5Dclose(m->cols[i].dset) < 0)
            rc = -1;
        free(m->cols[i].name);
    }
    free(m->cols);
    m->cols = NULL;
    m->ncols = m->cap = 0;
    return rc;
}

/* Appends the segment's rows of column `name` to out's. */
static int append_column(struct merge *m, const char *name, hid_t src)
{
    hid_t dst = column_open(m, name, src);
    if (dst < 0)
        return -1;
    hid_t sspace = H5Dget_space(src), dspace = H5Dget_space(dst);
    hsize_t n = 0, have = 0;
    H5Sget_simple_extent_dims(sspace, &n, NULL);
    H5Sget_simple_extent_dims(dspace, &have, NULL);
    H5Sclose(dspace);
    hid_t ft = H5Dget_type(src);
    hid_t mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_DEFAULT) : H5I_INVALID_HID;
    size_t size = mt >= 0 ? H5Tget_size(mt) : 0;
    int rc = size > 0 ? 0 : -1;
    hsize_t total = have + n;
    if (rc == 0 && n > 0 && H5Dset_extent(dst, &total) < 0)
        rc = -1;
    hsize_t slice = SLICE_BYTES / (size ? size : 1);
    void *buf = rc == 0 && n > 0 ? malloc((n < slice ? n : slice) * size) : NULL;
    if (n > 0 && !buf)
        rc = -1;
    for (hsize_t at = 0; rc == 0 && at < n; at += slice) {
        hsize_t count = n - at < slice ? n - at : slice, to = have + at;
        hid_t mem = H5Screate_simple(1, &count, NULL);
        hid_t fs = H5Dget_space(dst);
        if (H5Sselect_hyperslab(sspace, H5S_SELECT_SET, &at, NULL, &count, NULL) < 0 ||
            H5Dread(src, mt, mem, sspace, H5P_DEFAULT, buf) < 0 ||
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, &to, NULL, &count, NULL) < 0 ||
            H5Dwrite(dst, mt, mem, fs, H5P_DEFAULT, buf) < 0)
            rc = -1;
        H5Sclose(fs);
        H5Sclose(mem);
    }
    free(buf);
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    H5Sclose(sspace);
    return rc;
}

static int copy_external(struct merge *m, const char *name, const h5_link_info *info)
{
    if (info->u.val_size > LINK_MAX)
        return -1;
    char val[LINK_MAX];
    const char *file = NULL, *obj = NULL;
    unsigned flags = 0;
    if (H5Lget_val(m->seg, name, val, sizeof val, H5P_DEFAULT) < 0 ||
        H5Lunpack_elink_val(val, info->u.val_size, &flags, &file, &obj) < 0)
        return -1;
    if (H5Lexists(m->out, name, H5P_DEFAULT) > 0 && H5Ldelete(m->out, name, H5P_DEFAULT) < 0)
        return -1;
    return H5Lcreate_external(file, obj, m->out, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1 : 0;
}

static herr_t merge_link(hid_t root, const char *name, const h5_link_info *info, void *data)
{
    (void)root;
    struct merge *m = data;
    char *parent = parent_of(name);
    int rc = parent && ensure_group(m->out, parent) == 0 ? 0 : -1;
    free(parent);
    if (rc == 0 && info->type == H5L_TYPE_EXTERNAL) {
        rc = copy_external(m, name, info);
    } else if (rc == 0 && info->type == H5L_TYPE_HARD) {
        hid_t obj = H5Oopen(m->seg, name, H5P_DEFAULT);
        H5I_type_t kind = obj >= 0 ? H5Iget_type(obj) : H5I_BADID;
        if (kind == H5I_GROUP) {
            rc = ensure_group(m->out, name);
            hid_t g = rc == 0 ? H5Gopen2(m->out, name, H5P_DEFAULT) : H5I_INVALID_HID;
            if (g < 0 || copy_attrs(obj, g) < 0)
                rc = -1;
            if (g >= 0)
                H5Gclose(g);
        } else if (kind == H5I_DATASET) {
            hid_t space = H5Dget_space(obj);
            int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
            if (space >= 0)
                H5Sclose(space);
            if (rank == 1) {
                rc = append_column(m, name, obj);
            } else if (rank == 0) { /* a scalar: the last segment's */
                if (H5Lexists(m->out, name, H5P_DEFAULT) > 0)
                    H5Ldelete(m->out, name, H5P_DEFAULT);
                rc = H5Ocopy(m->seg, name, m->out, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1 : 0;
            } else {
                rc = -1;
            }
        } else {
            rc = -1;
        }
        if (obj >= 0)
            H5Oclose(obj);
    }
    if (rc < 0)
        m->rc = -1;
    return rc < 0 ? -1 : 0;
}

int seg_merge(char *const *segs, size_t n, hid_t out, int deflate_level, struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct merge m = {.out = out, .deflate = deflate_level};
    int result = 0;
    for (size_t i = 0; i < n && result == 0; i++) {
        m.rc = 0;
        m.seg = H5Fopen(segs[i], H5F_ACC_RDONLY, H5P_DEFAULT);
        if (m.seg < 0) {
            H5Eclear2(H5E_DEFAULT);
            diag_report(d, DIAG_ERROR, segs[i], 0, 0, "segment cannot be opened");
            result = -EIO;
            break;
        }
        hid_t sroot = H5Gopen2(m.seg, "/", H5P_DEFAULT), oroot = H5Gopen2(out, "/", H5P_DEFAULT);
        herr_t rc = h5_link_visit(m.seg, H5_INDEX_NAME, H5_ITER_INC, merge_link, &m);
        if (rc >= 0 && m.rc == 0 && copy_attrs(sroot, oroot) < 0)
            rc = -1;
        H5Gclose(sroot);
        H5Gclose(oroot);
        H5Fclose(m.seg);
        H5Eclear2(H5E_DEFAULT);
        if (rc < 0 || m.rc < 0) {
            diag_report(d, DIAG_ERROR, segs[i], 0, 0, "segment could not be merged");
            result = -EIO;
        }
    }
    if (columns_close(&m) < 0 && result == 0) {
        H5Eclear2(H5E_DEFAULT);
        diag_report(d, DIAG_ERROR, "(merged file)", 0, 0, "cannot write the merged columns");
        result = -EIO;
    }
    return result;
}

int seg_merge_to_file(char *const *segs, size_t n, const char *path, int deflate_level,
                      struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    hid_t out = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (out < 0) {
        H5Eclear2(H5E_DEFAULT);
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot create the merged file");
        return -EIO;
    }
    int rc = seg_merge(segs, n, out, deflate_level, d);
    if (H5Fclose(out) < 0 && rc == 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot write the merged file");
        rc = -EIO;
    }
    H5Eclear2(H5E_DEFAULT);
    if (rc < 0)
        unlink(path);
    return rc;
}

int seg_recover(const char *folder, const char *out, struct diag *d)
{
    char **segs = NULL;
    size_t n = 0;
    int rc = seg_list(folder, &segs, &n, d);
    if (rc == 0 && n == 0) {
        diag_report(d, DIAG_ERROR, folder, 0, 0,
                    "no closed segment: the run was stopped before its first checkpoint, so "
                    "nothing was recorded");
        rc = -ENOENT;
    }
    if (rc == 0)
        rc = seg_merge_to_file(segs, n, out, 4, d);
    seg_list_free(segs, n);
    return rc;
}

char *seg_recovered_name(const char *folder)
{
    char *name = strdup(folder);
    if (!name)
        return NULL;
    size_t len = strlen(name);
    while (len > 1 && name[len - 1] == '/')
        name[--len] = '\0';
    /* drop ".part", the pid and the host */
    for (int i = 0; i < 3; i++) {
        char *dot = strrchr(name, '.');
        char *slash = strrchr(name, '/');
        if (!dot || (slash && dot < slash) || dot == name) {
            free(name);
            return NULL;
        }
        *dot = '\0';
    }
    len = strlen(name);
    char *out = NULL;
    int rc = len > 3 && strcmp(name + len - 3, ".h5") == 0
                 ? asprintf(&out, "%.*s.incomplete.h5", (int)(len - 3), name)
                 : asprintf(&out, "%s.incomplete", name);
    free(name);
    return rc < 0 ? NULL : out;
}
