/*
 * h5read — small readers the tests use to check results files independently of the recorder.
 */
#ifndef SPLITSIM_TESTS_H5READ_H
#define SPLITSIM_TESTS_H5READ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

/* Reads a 1-D dataset as `memtype` into a malloc'd array; *n gets its length. NULL on error. */
static inline void *h5_read_column(const char *file, const char *path, hid_t memtype, size_t *n)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return NULL;
    void *buf = NULL;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        hssize_t len = H5Sget_simple_extent_npoints(s);
        *n = (size_t)len;
        buf = malloc((len ? (size_t)len : 1) * H5Tget_size(memtype));
        if (H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            free(buf);
            buf = NULL;
        }
        H5Sclose(s);
        H5Dclose(d);
    }
    H5Fclose(f);
    return buf;
}

/* Reads a string attribute (variable-length) of `object`; malloc'd copy, or NULL. */
static inline char *h5_read_attr_string(const char *file, const char *object, const char *name)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return NULL;
    char *out = NULL;
    hid_t a = H5Aopen_by_name(f, object, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        char *s = NULL;
        if (H5Aread(a, t, &s) >= 0 && s) {
            out = strdup(s);
            H5free_memory(s);
        }
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(f);
    return out;
}

/* Reads an integer attribute; returns 0 on success. */
static inline int h5_read_attr_int64(const char *file, const char *object, const char *name,
                                     int64_t *v)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return -1;
    int rc = -1;
    hid_t a = H5Aopen_by_name(f, object, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        rc = H5Aread(a, H5T_NATIVE_INT64, v) >= 0 ? 0 : -1;
        H5Aclose(a);
    }
    H5Fclose(f);
    return rc;
}

/* Reads a scalar double dataset; returns 0 on success. */
static inline int h5_read_scalar_double(const char *file, const char *path, double *v)
{
    size_t n = 0;
    double *x = h5_read_column(file, path, H5T_NATIVE_DOUBLE, &n);
    if (!x)
        return -1;
    *v = x[0];
    free(x);
    return 0;
}

/* Reads a whole file into memory (for byte comparisons); NULL on error. */
static inline unsigned char *file_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(len > 0 ? (size_t)len : 1);
    *n = fread(buf, 1, (size_t)len, f);
    fclose(f);
    return buf;
}

#endif
