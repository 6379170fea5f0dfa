#include "results/rread.h"
#include "results/h5compat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

struct rread {
    hid_t file;
};

struct rread *rread_open(const char *path)
{
    /* H5Fopen would block forever on a FIFO and read a device such as /dev/zero */
    struct stat st;
    if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return NULL;
    struct rread *r = calloc(1, sizeof *r);
    if (!r) {
        H5Fclose(f);
        return NULL;
    }
    r->file = f;
    return r;
}

void rread_close(struct rread *r)
{
    if (!r)
        return;
    H5Fclose(r->file);
    free(r);
}

/* Whether path is absolute and each of its components is a hard link: HDF5 then never follows
 * a soft link or opens another file (an external link) on the way. Empty components are
 * skipped, as HDF5 does; "/" is the root group. */
static bool hard_path(hid_t file, const char *path)
{
    if (!path || path[0] != '/')
        return false;
    size_t n = strlen(path);
    char *prefix = malloc(n + 1);
    if (!prefix)
        return false;
    memcpy(prefix, path, n + 1);
    bool ok = true;
    for (size_t i = 0; ok;) {
        while (path[i] == '/')
            i++;
        if (!path[i])
            break;
        size_t j = i;
        while (path[j] && path[j] != '/')
            j++;
        prefix[j] = '\0';
        /* The prefix up to here is hard links only, so neither call leaves the file. H5Lget_info
         * is unnumbered in HDF5 1.10 (H5Lget_info2 from 1.12 on, where this name maps to it). */
        H5L_info_t li;
        ok = H5Lexists(file, prefix, H5P_DEFAULT) > 0 &&
             H5Lget_info(file, prefix, &li, H5P_DEFAULT) >= 0 && li.type == H5L_TYPE_HARD;
        prefix[j] = path[j];
        i = j;
    }
    free(prefix);
    return ok;
}

bool rread_exists(struct rread *r, const char *path)
{
    return hard_path(r->file, path);
}

/* Whether a dataspace holds exactly one value: scalar, or simple with one element. */
static bool one_value(hid_t space)
{
    switch (H5Sget_simple_extent_type(space)) {
    case H5S_SCALAR:
        return true;
    case H5S_SIMPLE:
        return H5Sget_simple_extent_npoints(space) == 1;
    default:
        return false;
    }
}

/* The attribute `name` of `object` when it holds one value of class `cls`, with its datatype in
 * *type (both to be closed by the caller); H5I_INVALID_HID otherwise. */
static hid_t attr_open(struct rread *r, const char *object, const char *name, H5T_class_t cls,
                       hid_t *type)
{
    if (!name || !hard_path(r->file, object) ||
        H5Aexists_by_name(r->file, object, name, H5P_DEFAULT) <= 0)
        return H5I_INVALID_HID;
    hid_t a = H5Aopen_by_name(r->file, object, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return H5I_INVALID_HID;
    hid_t s = H5Aget_space(a), t = H5Aget_type(a);
    bool ok = s >= 0 && t >= 0 && one_value(s) && H5Tget_class(t) == cls;
    if (s >= 0)
        H5Sclose(s);
    if (!ok) {
        if (t >= 0)
            H5Tclose(t);
        H5Aclose(a);
        return H5I_INVALID_HID;
    }
    *type = t;
    return a;
}

/* A variable-length string attribute of type t, at most max bytes. */
static char *read_vlen_string(hid_t a, hid_t mt, size_t max)
{
    char *v = NULL, *out = NULL;
    if (H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Aread(a, mt, &v) < 0)
        return NULL;
    if (v && strlen(v) <= max)
        out = strdup(v);
    H5free_memory(v);
    return out;
}

/* A fixed-length string attribute of type t, whose declared size is at most max bytes; read as a
 * NUL-padded string of that size (HDF5 drops NUL and space padding) into one more byte. */
static char *read_fixed_string(hid_t a, hid_t t, hid_t mt, size_t max)
{
    size_t n = H5Tget_size(t);
    if (n == 0 || n > max || H5Tset_size(mt, n) < 0 || H5Tset_strpad(mt, H5T_STR_NULLPAD) < 0)
        return NULL;
    char *out = calloc(1, n + 1);
    if (out && H5Aread(a, mt, out) < 0) {
        free(out);
        out = NULL;
    }
    return out;
}

char *rread_attr_string_max(struct rread *r, const char *object, const char *name, size_t max)
{
    hid_t t = H5I_INVALID_HID;
    hid_t a = attr_open(r, object, name, H5T_STRING, &t);
    if (a < 0)
        return NULL;
    char *out = NULL;
    H5T_cset_t cset = H5Tget_cset(t);
    htri_t var = H5Tis_variable_str(t);
    hid_t mt = cset >= 0 && var >= 0 ? H5Tcopy(H5T_C_S1) : H5I_INVALID_HID;
    if (mt >= 0 && H5Tset_cset(mt, cset) >= 0)
        out = var ? read_vlen_string(a, mt, max) : read_fixed_string(a, t, mt, max);
    if (mt >= 0)
        H5Tclose(mt);
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

char *rread_attr_string(struct rread *r, const char *object, const char *name)
{
    return rread_attr_string_max(r, object, name, RREAD_STRING_MAX);
}

int rread_attr_int64(struct rread *r, const char *object, const char *name, int64_t *v)
{
    hid_t t = H5I_INVALID_HID;
    hid_t a = attr_open(r, object, name, H5T_INTEGER, &t);
    if (a < 0)
        return -1;
    int64_t x = 0;
    herr_t rc = H5Aread(a, H5T_NATIVE_INT64, &x);
    H5Tclose(t);
    H5Aclose(a);
    if (rc < 0)
        return -1;
    *v = x;
    return 0;
}

/* Closes a dataset's dataspace, type and creation property list (those that were opened). */
static void close_dataset_handles(hid_t space, hid_t type, hid_t dcpl)
{
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (dcpl >= 0)
        H5Pclose(dcpl);
}

/* Whether dataset d holds one integer or float value stored in this file: compact or contiguous,
 * without external storage (raw data in other files), not virtual (mapped from other files), not
 * chunked (a chunk may be far larger than the dataset). */
static bool scalar_dataset(hid_t d)
{
    hid_t s = H5Dget_space(d), t = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
    bool ok = s >= 0 && t >= 0 && dcpl >= 0 && one_value(s);
    if (ok) {
        H5T_class_t cls = H5Tget_class(t);
        H5D_layout_t layout = H5Pget_layout(dcpl);
        ok = (cls == H5T_INTEGER || cls == H5T_FLOAT) &&
             (layout == H5D_COMPACT || layout == H5D_CONTIGUOUS) &&
             H5Pget_external_count(dcpl) == 0;
    }
    close_dataset_handles(s, t, dcpl);
    return ok;
}

double rread_scalar(struct rread *r, const char *path)
{
    if (!hard_path(r->file, path))
        return NAN;
    hid_t o = H5Oopen(r->file, path, H5P_DEFAULT);
    if (o < 0)
        return NAN;
    double v = NAN, x;
    if (H5Iget_type(o) == H5I_DATASET && scalar_dataset(o) &&
        H5Dread(o, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &x) >= 0)
        v = x;
    H5Oclose(o);
    return v;
}

bool rread_complete(const char *path, const char *hash)
{
    struct rread *r = rread_open(path);
    if (!r)
        return false;
    int64_t complete = 0;
    bool ok = rread_attr_int64(r, "/", "complete", &complete) == 0 && complete == 1;
    if (ok && hash) {
        /* a longer hash cannot be equal: read no more than this one */
        char *h = rread_attr_string_max(r, "/", "scenario_hash", strlen(hash));
        ok = h && strcmp(h, hash) == 0;
        free(h);
    }
    rread_close(r);
    return ok;
}

/* Whether dataset d is a column rread_column may read: rank 1 of at most max values of the
 * integer or float class, stored in this file, in chunks of at most RREAD_CHUNK_MAX bytes. Its
 * length in *len. */
static bool column_dataset(hid_t d, size_t max, hsize_t *len)
{
    hid_t s = H5Dget_space(d), t = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
    bool ok = s >= 0 && t >= 0 && dcpl >= 0 && H5Sget_simple_extent_type(s) == H5S_SIMPLE &&
              H5Sget_simple_extent_ndims(s) == 1 && H5Sget_simple_extent_dims(s, len, NULL) == 1 &&
              *len <= max;
    if (ok) {
        H5T_class_t cls = H5Tget_class(t);
        H5D_layout_t layout = H5Pget_layout(dcpl);
        ok = (cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Pget_external_count(dcpl) == 0 &&
             (layout == H5D_COMPACT || layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED);
        hsize_t chunk = 0;
        if (ok && layout == H5D_CHUNKED)
            ok = H5Pget_chunk(dcpl, 1, &chunk) == 1 && chunk > 0 &&
                 chunk <= RREAD_CHUNK_MAX / sizeof(double);
    }
    close_dataset_handles(s, t, dcpl);
    return ok;
}

int rread_column(struct rread *r, const char *path, size_t max, double **v, size_t *n)
{
    if (!hard_path(r->file, path))
        return -1;
    hid_t o = H5Oopen(r->file, path, H5P_DEFAULT);
    if (o < 0)
        return -1;
    hsize_t len = 0;
    double *out = NULL;
    int rc = -1;
    if (H5Iget_type(o) == H5I_DATASET && column_dataset(o, max, &len) &&
        (out = malloc((len ? len : 1) * sizeof *out)) &&
        (len == 0 || H5Dread(o, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0)) {
        *v = out;
        *n = (size_t)len;
        out = NULL;
        rc = 0;
    }
    free(out);
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return rc;
}

struct group_names {
    char **v;
    size_t n, seen, max;
    bool failed;
};

static herr_t add_group(hid_t g, const char *name, const h5_link_info *info, void *data)
{
    struct group_names *gn = data;
    if (gn->seen++ == gn->max) {
        gn->failed = true;
        return 1; /* stop */
    }
    if (info->type != H5L_TYPE_HARD)
        return 0;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    bool group = o >= 0 && H5Iget_type(o) == H5I_GROUP;
    if (o >= 0)
        H5Oclose(o);
    if (!group)
        return 0;
    if (!(gn->v[gn->n] = strdup(name))) {
        gn->failed = true;
        return 1;
    }
    gn->n++;
    return 0;
}

void rread_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

int rread_groups(struct rread *r, const char *path, size_t max, char ***names, size_t *n)
{
    if (!hard_path(r->file, path))
        return -1;
    hid_t g = H5Oopen(r->file, path, H5P_DEFAULT);
    if (g < 0)
        return -1;
    struct group_names gn = {.max = max, .v = calloc(max ? max : 1, sizeof(char *))};
    hsize_t idx = 0;
    bool ok = gn.v && H5Iget_type(g) == H5I_GROUP &&
              h5_link_iterate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, add_group, &gn) >= 0 &&
              !gn.failed;
    H5Oclose(g);
    H5Eclear2(H5E_DEFAULT);
    if (!ok) {
        rread_names_free(gn.v, gn.n);
        return -1;
    }
    *names = gn.v;
    *n = gn.n;
    return 0;
}
