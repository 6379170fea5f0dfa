#include "results/rread.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

struct rread {
    hid_t file;
};

struct rread *rread_open(const char *path)
{
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

bool rread_exists(struct rread *r, const char *path)
{
    /* every component must exist for H5Oexists_by_name not to fail */
    char *copy = strdup(path);
    if (!copy)
        return false;
    bool ok = true;
    for (char *p = copy + 1; ok; p++) {
        char *slash = strchr(p, '/');
        if (slash)
            *slash = '\0';
        ok = H5Lexists(r->file, copy, H5P_DEFAULT) > 0;
        if (!slash)
            break;
        *slash = '/';
        p = slash;
    }
    free(copy);
    return ok;
}

static hid_t attr_open(struct rread *r, const char *object, const char *name)
{
    if (strcmp(object, "/") != 0 && !rread_exists(r, object))
        return H5I_INVALID_HID;
    if (H5Aexists_by_name(r->file, object, name, H5P_DEFAULT) <= 0)
        return H5I_INVALID_HID;
    return H5Aopen_by_name(r->file, object, name, H5P_DEFAULT, H5P_DEFAULT);
}

char *rread_attr_string(struct rread *r, const char *object, const char *name)
{
    hid_t a = attr_open(r, object, name);
    if (a < 0)
        return NULL;
    char *out = NULL;
    hid_t t = H5Aget_type(a);
    if (H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            if (H5Aread(a, mt, &v) >= 0 && v) {
                out = strdup(v);
                H5free_memory(v);
            }
            H5Tclose(mt);
        } else {
            size_t n = H5Tget_size(t);
            out = calloc(1, n + 1);
            if (out && H5Aread(a, t, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

int rread_attr_int64(struct rread *r, const char *object, const char *name, int64_t *v)
{
    hid_t a = attr_open(r, object, name);
    if (a < 0)
        return -1;
    herr_t rc = H5Aread(a, H5T_NATIVE_INT64, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

double rread_scalar(struct rread *r, const char *path)
{
    if (!rread_exists(r, path))
        return NAN;
    hid_t d = H5Dopen2(r->file, path, H5P_DEFAULT);
    if (d < 0)
        return NAN;
    double v = NAN;
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
        v = NAN;
    H5Dclose(d);
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
        char *h = rread_attr_string(r, "/", "scenario_hash");
        ok = h && strcmp(h, hash) == 0;
        free(h);
    }
    rread_close(r);
    return ok;
}
