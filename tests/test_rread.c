/* Reading results back: completeness (and the scenario hash) of a file rec wrote, attributes
 * and scalars, absent objects, and a file that is not HDF5. Then hostile files, crafted here with
 * the HDF5 C API: arrays where one value is expected (the reader must never read them into one
 * variable), huge strings, unexpected types, links leading out of the file, raw data stored in
 * another file, and paths that are not regular files. Each reads as absent / not complete; none
 * may crash or hang. Every test has a folder of its own (HDF5 locks open files). */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "check_main.h"
#include "scratch.h"
#include "results/rec.h"
#include "results/rread.h"

/* Each test's own folder (a checked fixture: made before the test, removed after it) and the
 * names a test gives its files there. */
static char dir[SCRATCH_SIZE];
static struct {
    char path[96];  /* the file read */
    char fifo[96];  /* a FIFO, or a second file */
    char other[96]; /* another file */
} fx;

static void make_scratch(void)
{
    scratch_make(dir, "rread");
    scratch_path_buf(dir, "file.h5", fx.path, sizeof fx.path);
    scratch_path_buf(dir, "fifo", fx.fifo, sizeof fx.fifo);
    scratch_path_buf(dir, "other.h5", fx.other, sizeof fx.other);
}

static void remove_scratch(void)
{
    scratch_remove(dir);
}

/* "DIR/NAME" */
static void craft_path(char *path, size_t size, const char *name)
{
    scratch_path_buf(dir, name, path, size);
}

START_TEST(test_rread)
{
    struct diag d;
    diag_init(&d);
    for (int complete = 0; complete <= 1; complete++) {
        struct rec *r = NULL;
        struct rec_options o = {.wallclock = 0};
        ck_assert_int_eq(rec_open(&r, fx.path, &o, &d), 0);
        rec_attr_string(r, "/", "scenario_hash", "abc123");
        rec_scalar_double(r, "/summary/ttft_s", "mean", "s", "test", 0.25);
        ck_assert_int_eq(rec_close(r, complete), 0);
        ck_assert(rread_complete(fx.path, NULL) == (complete == 1));
        ck_assert(rread_complete(fx.path, "abc123") == (complete == 1));
        ck_assert(!rread_complete(fx.path, "other"));
    }
    struct rread *rr = rread_open(fx.path);
    ck_assert_ptr_nonnull(rr);
    char *h = rread_attr_string(rr, "/", "scenario_hash");
    ck_assert_str_eq(h, "abc123");
    free(h);
    ck_assert_ptr_null(rread_attr_string(rr, "/", "no_such_attr"));
    ck_assert_ptr_null(rread_attr_string(rr, "/no/such/group", "x"));
    ck_assert_double_eq(rread_scalar(rr, "/summary/ttft_s/mean"), 0.25);
    ck_assert(isnan(rread_scalar(rr, "/summary/tpot_s/mean")));
    ck_assert(rread_exists(rr, "/summary/ttft_s"));
    ck_assert(!rread_exists(rr, "/summary/nothing/deeper"));
    int64_t v = 0;
    ck_assert_int_eq(rread_attr_int64(rr, "/", "complete", &v), 0);
    ck_assert_int_eq(v, 1);
    rread_close(rr);
    /* not HDF5 */
    FILE *f = fopen(fx.path, "w");
    fputs("plain text", f);
    fclose(f);
    ck_assert_ptr_null(rread_open(fx.path));
    ck_assert(!rread_complete(fx.path, NULL));
    unlink(fx.path);
    ck_assert(!rread_complete(fx.path, NULL)); /* missing */
    diag_release(&d);
}
END_TEST

/* ---- crafting hostile files ---------------------------------------------------------------- */

/* A new file at path, in the newest format (so attributes may exceed 64 kB: dense storage). */
static hid_t craft_create(const char *path)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    ck_assert(fapl >= 0);
    ck_assert(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) >= 0);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    ck_assert(f >= 0);
    return f;
}

/* A 1-D dataspace of n elements, or a scalar one when n is 0. */
static hid_t craft_space(hsize_t n)
{
    hid_t s = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
    ck_assert(s >= 0);
    return s;
}

/* An attribute `name` of `obj` ("/" for the root) holding buf, written as `type`. */
static void craft_attr(hid_t file, const char *obj, const char *name, hid_t type, hid_t space,
                       const void *buf)
{
    hid_t a =
        H5Acreate_by_name(file, obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(a >= 0);
    if (buf)
        ck_assert(H5Awrite(a, type, buf) >= 0);
    H5Aclose(a);
}

static void craft_attr_int64(hid_t file, const char *obj, const char *name, int64_t v)
{
    hid_t s = craft_space(0);
    craft_attr(file, obj, name, H5T_NATIVE_INT64, s, &v);
    H5Sclose(s);
}

static hid_t craft_vlen_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    ck_assert(t >= 0);
    ck_assert(H5Tset_size(t, H5T_VARIABLE) >= 0);
    ck_assert(H5Tset_cset(t, H5T_CSET_UTF8) >= 0);
    return t;
}

static void craft_attr_string(hid_t file, const char *obj, const char *name, const char *v)
{
    hid_t t = craft_vlen_string_type();
    hid_t s = craft_space(0);
    craft_attr(file, obj, name, t, s, &v);
    H5Sclose(s);
    H5Tclose(t);
}

/* A dataset at `path` (intermediate groups created) holding buf, written as `type`. */
static void craft_dataset_dcpl(hid_t file, const char *path, hid_t type, hid_t space, hid_t dcpl,
                               const void *buf)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    ck_assert(lcpl >= 0);
    ck_assert(H5Pset_create_intermediate_group(lcpl, 1) >= 0);
    hid_t d = H5Dcreate2(file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    ck_assert(d >= 0);
    if (buf)
        ck_assert(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(d);
}

static void craft_dataset(hid_t file, const char *path, hid_t type, hid_t space, const void *buf)
{
    craft_dataset_dcpl(file, path, type, space, H5P_DEFAULT, buf);
}

static void craft_scalar_double(hid_t file, const char *path, double v)
{
    hid_t s = craft_space(0);
    craft_dataset(file, path, H5T_NATIVE_DOUBLE, s, &v);
    H5Sclose(s);
}

static void craft_close(hid_t file)
{
    ck_assert(H5Fclose(file) >= 0);
}

/* A FIFO at path (nothing ever writes to it: opening it for reading would block forever). */
static void craft_fifo(const char *path)
{
    unlink(path);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
}

static bool opens(const char *path)
{
    struct rread *r = rread_open(path);
    rread_close(r);
    return r != NULL;
}

/* ---- hostile files --------------------------------------------------------------------------- */

/* An array-valued `complete` (10^6 ones) once overflowed the stack of rread_complete. */
START_TEST(test_array_complete)
{
    hid_t f = craft_create(fx.path);
    enum { N = 1000000 };
    int64_t *ones = malloc(N * sizeof *ones);
    ck_assert_ptr_nonnull(ones);
    for (size_t i = 0; i < N; i++)
        ones[i] = 1;
    hid_t s = craft_space(N);
    craft_attr(f, "/", "complete", H5T_NATIVE_INT64, s, ones);
    H5Sclose(s);
    free(ones);
    /* the same as one value of an array type, and a 1-element array */
    hsize_t four = 4;
    hid_t at = H5Tarray_create2(H5T_NATIVE_INT64, 1, &four);
    int64_t four_ones[4] = {1, 1, 1, 1};
    s = craft_space(0);
    craft_attr(f, "/", "array_type", at, s, four_ones);
    H5Sclose(s);
    H5Tclose(at);
    s = craft_space(1);
    craft_attr(f, "/", "one_element", H5T_NATIVE_INT64, s, four_ones);
    H5Sclose(s);
    craft_attr_string(f, "/", "scenario_hash", "abc123");
    craft_close(f);

    ck_assert(!rread_complete(fx.path, NULL));
    ck_assert(!rread_complete(fx.path, "abc123"));
    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    int64_t v = 42;
    ck_assert_int_lt(rread_attr_int64(r, "/", "complete", &v), 0);
    ck_assert_int_lt(rread_attr_int64(r, "/", "array_type", &v), 0);
    ck_assert_int_eq(v, 42); /* untouched on failure */
    ck_assert_int_eq(rread_attr_int64(r, "/", "one_element", &v), 0);
    ck_assert_int_eq(v, 1);
    rread_close(r);
}
END_TEST

/* An array-valued `scenario_hash` (10^6 strings, variable or fixed length) once overflowed the
 * stack (one char * read) or the heap (one string's bytes read). */
START_TEST(test_array_hash)
{
    hid_t f = craft_create(fx.path);
    craft_attr_int64(f, "/", "complete", 1);
    enum { N = 1000000 };
    const char **strs = malloc(N * sizeof *strs);
    ck_assert_ptr_nonnull(strs);
    for (size_t i = 0; i < N; i++)
        strs[i] = "abc123";
    hid_t t = craft_vlen_string_type();
    hid_t s = craft_space(N);
    craft_attr(f, "/", "scenario_hash", t, s, strs);
    H5Tclose(t);
    free(strs);
    char *fixed = malloc((size_t)N * 16);
    ck_assert_ptr_nonnull(fixed);
    for (size_t i = 0; i < N; i++)
        memcpy(fixed + 16 * i, "0123456789abcdef", 16);
    t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 16);
    craft_attr(f, "/", "fixed_hashes", t, s, fixed);
    H5Tclose(t);
    H5Sclose(s);
    free(fixed);
    craft_close(f);

    ck_assert(!rread_complete(fx.path, "abc123"));
    ck_assert(rread_complete(fx.path, NULL)); /* complete itself is fine */
    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_null(rread_attr_string(r, "/", "scenario_hash"));
    ck_assert_ptr_null(rread_attr_string(r, "/", "fixed_hashes"));
    rread_close(r);
}
END_TEST

/* A 10^6-element dataset where a scalar is expected once overflowed the stack of rread_scalar;
 * empty and null dataspaces hold no value; one element of a 1-D dataset is a value. */
START_TEST(test_big_dataset)
{
    hid_t f = craft_create(fx.path);
    enum { N = 1000000 };
    int64_t *vals = calloc(N, sizeof *vals);
    ck_assert_ptr_nonnull(vals);
    hid_t s = craft_space(N);
    craft_dataset(f, "/policies/fixed/summary/requests", H5T_NATIVE_INT64, s, vals);
    H5Sclose(s);
    free(vals);
    double one = 7;
    s = craft_space(1);
    craft_dataset(f, "/one_element", H5T_NATIVE_DOUBLE, s, &one);
    H5Sclose(s);
    hsize_t zero = 0;
    s = H5Screate_simple(1, &zero, NULL);
    craft_dataset(f, "/empty", H5T_NATIVE_DOUBLE, s, NULL);
    H5Sclose(s);
    s = H5Screate(H5S_NULL);
    craft_dataset(f, "/null", H5T_NATIVE_DOUBLE, s, NULL);
    H5Sclose(s);
    hsize_t dims[2] = {1000, 1000};
    s = H5Screate_simple(2, dims, NULL);
    craft_dataset(f, "/matrix", H5T_NATIVE_FLOAT, s, NULL);
    H5Sclose(s);
    craft_close(f);

    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    ck_assert(rread_exists(r, "/policies/fixed/summary/requests"));
    ck_assert(isnan(rread_scalar(r, "/policies/fixed/summary/requests")));
    ck_assert_double_eq(rread_scalar(r, "/one_element"), 7);
    ck_assert(isnan(rread_scalar(r, "/empty")));
    ck_assert(isnan(rread_scalar(r, "/null")));
    ck_assert(isnan(rread_scalar(r, "/matrix")));
    rread_close(r);
}
END_TEST

/* Strings longer than RREAD_STRING_MAX (or a caller's maximum) read as absent, variable or
 * fixed length; they were returned whole. */
START_TEST(test_huge_string)
{
    hid_t f = craft_create(fx.path);
    size_t n = RREAD_STRING_MAX + 1;
    char *big = malloc(n + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', n);
    big[n] = '\0';
    craft_attr_string(f, "/", "vlen", big);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hid_t s = craft_space(0);
    craft_attr(f, "/", "fixed", t, s, big);
    H5Sclose(s);
    H5Tclose(t);
    free(big);
    craft_attr_string(f, "/", "ten", "0123456789");
    craft_close(f);

    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_null(rread_attr_string(r, "/", "vlen"));
    ck_assert_ptr_null(rread_attr_string(r, "/", "fixed"));
    ck_assert_ptr_null(rread_attr_string_max(r, "/", "ten", 9));
    char *ten = rread_attr_string_max(r, "/", "ten", 10);
    ck_assert_str_eq(ten, "0123456789");
    free(ten);
    rread_close(r);
}
END_TEST

/* Fixed-length strings come back NUL-terminated and without their padding, whatever the file
 * says: NUL-terminated or NUL-padded ones that fill their size, space-padded ones (Fortran). */
START_TEST(test_fixed_strings)
{
    hid_t f = craft_create(fx.path);
    static const struct {
        const char *name;
        H5T_str_t pad;
        size_t size;
        const char *bytes, *expect;
    } cases[] = {
        {"nullterm_full", H5T_STR_NULLTERM, 6, "abc123", "abc123"},
        {"nullpad_full", H5T_STR_NULLPAD, 6, "abc123", "abc123"},
        {"nullpad", H5T_STR_NULLPAD, 8, "abc\0\0\0\0\0", "abc"},
        {"spacepad", H5T_STR_SPACEPAD, 8, "abc     ", "abc"},
        {"spacepad_full", H5T_STR_SPACEPAD, 3, "abc", "abc"},
    };
    hid_t s = craft_space(0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, cases[i].size);
        H5Tset_strpad(t, cases[i].pad);
        craft_attr(f, "/", cases[i].name, t, s, cases[i].bytes);
        H5Tclose(t);
    }
    H5Sclose(s);
    craft_close(f);

    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *v = rread_attr_string(r, "/", cases[i].name);
        ck_assert_msg(v && strcmp(v, cases[i].expect) == 0, "%s: got '%s', expected '%s'",
                      cases[i].name, v ? v : "(null)", cases[i].expect);
        free(v);
    }
    rread_close(r);
}
END_TEST

/* An integer attribute stored as a float or a string is absent (a float `complete` of 1.0 was
 * taken for 1); a string dataset has no scalar value. */
START_TEST(test_int_as_float_or_string)
{
    hid_t f = craft_create(fx.path);
    double one = 1.0;
    hid_t s = craft_space(0);
    craft_attr(f, "/", "complete", H5T_NATIVE_DOUBLE, s, &one);
    H5Sclose(s);
    craft_attr_string(f, "/", "as_string", "1");
    hid_t t = craft_vlen_string_type();
    s = craft_space(0);
    const char *text = "0.25";
    craft_dataset(f, "/summary/text", t, s, &text);
    H5Sclose(s);
    H5Tclose(t);
    craft_close(f);

    ck_assert(!rread_complete(fx.path, NULL));
    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    int64_t v = 42;
    ck_assert_int_lt(rread_attr_int64(r, "/", "complete", &v), 0);
    ck_assert_int_lt(rread_attr_int64(r, "/", "as_string", &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_ptr_null(rread_attr_string(r, "/", "complete")); /* a float is no string */
    ck_assert(isnan(rread_scalar(r, "/summary/text")));
    rread_close(r);
    unlink(fx.path);

    /* and a string file whose `complete` is the string "1" */
    f = craft_create(fx.path);
    craft_attr_string(f, "/", "complete", "1");
    craft_close(f);
    ck_assert(!rread_complete(fx.path, NULL));
}
END_TEST

/* Compound, enum, reference, vlen, opaque and bitfield values, as attributes and datasets, are
 * absent (an enum `complete` whose value is 1 was taken for 1). */
START_TEST(test_other_types)
{
    hid_t f = craft_create(fx.path);
    craft_scalar_double(f, "/target", 1.0);
    hid_t s = craft_space(0);

    hid_t en = H5Tenum_create(H5T_NATIVE_INT64);
    int64_t ev = 1;
    H5Tenum_insert(en, "TRUE", &ev);
    ev = 0;
    H5Tenum_insert(en, "FALSE", &ev);
    ev = 1;
    craft_attr(f, "/", "complete", en, s, &ev);
    craft_dataset(f, "/enum", en, s, &ev);
    H5Tclose(en);

    struct pair {
        int64_t a;
        double b;
    } pv = {1, 2.0};
    hid_t ct = H5Tcreate(H5T_COMPOUND, sizeof pv);
    H5Tinsert(ct, "a", HOFFSET(struct pair, a), H5T_NATIVE_INT64);
    H5Tinsert(ct, "b", HOFFSET(struct pair, b), H5T_NATIVE_DOUBLE);
    craft_attr(f, "/", "compound", ct, s, &pv);
    craft_dataset(f, "/compound", ct, s, &pv);
    H5Tclose(ct);

    hobj_ref_t ref;
    ck_assert(H5Rcreate(&ref, f, "/target", H5R_OBJECT, -1) >= 0);
    craft_attr(f, "/", "reference", H5T_STD_REF_OBJ, s, &ref);
    craft_dataset(f, "/reference", H5T_STD_REF_OBJ, s, &ref);

    int64_t seq[3] = {1, 1, 1};
    hvl_t vl = {.len = 3, .p = seq};
    hid_t vt = H5Tvlen_create(H5T_NATIVE_INT64);
    craft_attr(f, "/", "vlen", vt, s, &vl);
    craft_dataset(f, "/vlen", vt, s, &vl);
    H5Tclose(vt);
    char chars[] = "abc123";
    hvl_t vc = {.len = 6, .p = chars};
    vt = H5Tvlen_create(H5T_NATIVE_CHAR); /* a sequence of chars is not a string */
    craft_attr(f, "/", "vlen_chars", vt, s, &vc);
    H5Tclose(vt);

    hid_t ot = H5Tcreate(H5T_OPAQUE, 8);
    H5Tset_tag(ot, "splitsim test");
    craft_attr(f, "/", "opaque", ot, s, seq);
    craft_dataset(f, "/opaque", ot, s, seq);
    H5Tclose(ot);
    craft_attr(f, "/", "bitfield", H5T_NATIVE_B64, s, seq);
    craft_dataset(f, "/bitfield", H5T_NATIVE_B64, s, seq);
    H5Sclose(s);
    craft_close(f);

    ck_assert(!rread_complete(fx.path, NULL));
    struct rread *r = rread_open(fx.path);
    ck_assert_ptr_nonnull(r);
    ck_assert_double_eq(rread_scalar(r, "/target"), 1.0);
    static const char *const names[] = {"complete",   "compound", "reference", "vlen",
                                        "vlen_chars", "opaque",   "bitfield"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int64_t v = 42;
        ck_assert_msg(rread_attr_int64(r, "/", names[i], &v) < 0 && v == 42, "attribute %s",
                      names[i]);
        ck_assert_msg(rread_attr_string(r, "/", names[i]) == NULL, "string attribute %s", names[i]);
    }
    static const char *const dsets[] = {"/enum", "/compound", "/reference",
                                        "/vlen", "/opaque",   "/bitfield"};
    for (size_t i = 0; i < sizeof dsets / sizeof dsets[0]; i++)
        ck_assert_msg(isnan(rread_scalar(r, dsets[i])), "dataset %s", dsets[i]);
    rread_close(r);
}
END_TEST

/* Only hard links are followed: a group where a dataset is expected, dangling soft and external
 * links, and links to other files (one of them a FIFO, which blocked the reader forever) are
 * all absent. */
START_TEST(test_links)
{
    const char *path = fx.path, *fifo = fx.fifo, *other = fx.other;
    hid_t f = craft_create(other);
    craft_scalar_double(f, "/x", 3.0);
    craft_attr_int64(f, "/", "complete", 1);
    craft_close(f);
    craft_fifo(fifo);

    f = craft_create(path);
    craft_scalar_double(f, "/summary/x", 2.0);
    ck_assert(H5Lcreate_soft("/nowhere", f, "/dangling_soft", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_soft("/summary/x", f, "/soft", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_soft("/summary", f, "/soft_group", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_external("/nonexistent/file.h5", "/x", f, "dangling_external", H5P_DEFAULT,
                                 H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_external(other, "/x", f, "external", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_external(other, "/", f, "external_root", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_external(fifo, "/x", f, "fifo", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_external(fifo, "/", f, "fifo_group", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    ck_assert(H5Lcreate_soft("/fifo", f, "/soft_to_fifo", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    craft_close(f);

    struct rread *r = rread_open(path);
    ck_assert_ptr_nonnull(r);
    ck_assert_double_eq(rread_scalar(r, "/summary/x"), 2.0);
    ck_assert(isnan(rread_scalar(r, "/summary"))); /* a group */
    ck_assert(isnan(rread_scalar(r, "/")));
    ck_assert(isnan(rread_scalar(r, "/summary/x/y"))); /* below a dataset */
    ck_assert(isnan(rread_scalar(r, "")));
    ck_assert(!rread_exists(r, "/summary/x/y"));
    ck_assert(rread_exists(r, "/"));
    static const char *const absent[] = {
        "/dangling_soft",   "/soft", "/soft_group/x", "/dangling_external", "/external",
        "/external_root/x", "/fifo", "/fifo_group/x", "/soft_to_fifo",
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        ck_assert_msg(isnan(rread_scalar(r, absent[i])), "%s read", absent[i]);
        ck_assert_msg(!rread_exists(r, absent[i]), "%s exists", absent[i]);
    }
    int64_t v = 42;
    ck_assert_int_lt(rread_attr_int64(r, "/external_root", "complete", &v), 0);
    ck_assert_int_lt(rread_attr_int64(r, "/fifo_group", "complete", &v), 0);
    ck_assert_ptr_null(rread_attr_string(r, "/fifo", "x"));
    ck_assert_int_eq(v, 42);
    rread_close(r);
}
END_TEST

/* A dataset whose raw data lives in another file (external storage, here a FIFO that blocked
 * the reader forever) or is mapped from other files (a virtual dataset) has no value here. */
START_TEST(test_external_storage)
{
    const char *path = fx.path, *raw = fx.other, *fifo = fx.fifo;
    craft_fifo(fifo);
    hid_t f = craft_create(path);
    hid_t s = craft_space(0);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    ck_assert(H5Pset_external(dcpl, raw, 0, sizeof(double)) >= 0);
    double v = 5.0;
    craft_dataset_dcpl(f, "/external", H5T_NATIVE_DOUBLE, s, dcpl, &v);
    H5Pclose(dcpl);
    H5Sclose(s);
    /* a virtual dataset of one element mapped from the FIFO */
    s = craft_space(1);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    ck_assert(H5Pset_virtual(dcpl, s, fifo, "/x", s) >= 0);
    craft_dataset_dcpl(f, "/virtual", H5T_NATIVE_DOUBLE, s, dcpl, NULL);
    H5Pclose(dcpl);
    H5Sclose(s);
    craft_close(f);
    craft_fifo(raw); /* the raw data file becomes a FIFO */

    struct rread *r = rread_open(path);
    ck_assert_ptr_nonnull(r);
    ck_assert(isnan(rread_scalar(r, "/external")));
    ck_assert(isnan(rread_scalar(r, "/virtual")));
    rread_close(r);
}
END_TEST

/* Paths that are no HDF5 file: a directory, a FIFO (which blocked H5Fopen forever), /dev/zero,
 * /dev/null, an empty file, text, a truncated results file; a symbolic link to a results file is
 * one. */
START_TEST(test_not_a_file)
{
    char folder[96], fifo[96], empty[96], text[96], good[96], cut[96], link[96];
    craft_path(folder, sizeof folder, "folder.h5");
    craft_path(fifo, sizeof fifo, "fifo.h5");
    craft_path(empty, sizeof empty, "empty.h5");
    craft_path(text, sizeof text, "text.h5");
    craft_path(good, sizeof good, "good.h5");
    craft_path(cut, sizeof cut, "cut.h5");
    craft_path(link, sizeof link, "link.h5");
    ck_assert_int_eq(mkdir(folder, 0700), 0);
    craft_fifo(fifo);
    FILE *fp = fopen(empty, "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    fp = fopen(text, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("\x89HDF\r\n\x1a\n but not really\n", fp);
    fclose(fp);
    hid_t f = craft_create(good);
    craft_attr_int64(f, "/", "complete", 1);
    craft_scalar_double(f, "/summary/x", 1.0);
    craft_close(f);
    fp = fopen(good, "rb");
    ck_assert_ptr_nonnull(fp);
    char head[256];
    size_t n = fread(head, 1, sizeof head, fp);
    fclose(fp);
    ck_assert_uint_gt(n, 64);
    fp = fopen(cut, "wb");
    ck_assert_ptr_nonnull(fp);
    fwrite(head, 1, n / 2, fp);
    fclose(fp);
    ck_assert_int_eq(symlink(good, link), 0);

    const char *const bad[] = {folder, fifo, "/dev/zero", "/dev/null", empty, text, cut, ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!opens(bad[i]), "%s opened", bad[i]);
        ck_assert_msg(!rread_complete(bad[i], NULL), "%s complete", bad[i]);
    }
    ck_assert(opens(link));
    ck_assert(rread_complete(link, NULL));
}
END_TEST

/* Columns: a table column rec wrote (chunked, compressed, int64 and float64) reads back whole;
 * anything but a 1-D numeric column of at most `max` values stored in this file is refused, and
 * so is a chunk larger than RREAD_CHUNK_MAX. Groups: the hard-linked groups of a group, in name
 * order, and a limit on how many links are looked at. */
START_TEST(test_columns_and_groups)
{
    struct diag d;
    diag_init(&d);
    struct rec *r = NULL;
    struct rec_options o = {.chunk_rows = 4, .deflate_level = 6};
    ck_assert_int_eq(rec_open(&r, fx.path, &o, &d), 0);
    static const struct rec_column cols[] = {{"i", REC_INT64, "1", "an integer"},
                                             {"x", REC_FLOAT64, "s", "a real"}};
    struct rec_table *t = NULL;
    ck_assert_int_eq(rec_table_create(r, "/t", cols, 2, &t), 0);
    for (int k = 0; k < 11; k++) {
        rec_set_int64(t, 0, 1000 - k);
        rec_set_double(t, 1, k == 3 ? (double)NAN : 0.5 * k);
        rec_row_commit(t);
    }
    rec_scalar_double(r, "/summary/b", "mean", "s", "test", 1);
    rec_scalar_double(r, "/summary/a", "mean", "s", "test", 2);
    rec_scalar_double(r, "/summary/c", "n", "1", "test", 3);
    ck_assert_int_eq(rec_close(r, 1), 0);
    diag_release(&d);

    hid_t f = H5Fopen(fx.path, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert(f >= 0);
    craft_scalar_double(f, "/summary/scalar", 4.0); /* a dataset, not a group */
    ck_assert(H5Lcreate_soft("/summary/a", f, "/summary/soft", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    hsize_t two[2] = {2, 2};
    hid_t s2 = H5Screate_simple(2, two, NULL);
    double four[4] = {1, 2, 3, 4};
    craft_dataset(f, "/matrix", H5T_NATIVE_DOUBLE, s2, four);
    H5Sclose(s2);
    hid_t s1 = craft_space(3);
    hid_t st = craft_vlen_string_type();
    const char *strs[3] = {"a", "b", "c"};
    craft_dataset(f, "/strings", st, s1, strs);
    H5Tclose(st);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk = (RREAD_CHUNK_MAX / sizeof(double)) + 1;
    ck_assert(H5Pset_chunk(dcpl, 1, &chunk) >= 0);
    ck_assert(H5Pset_deflate(dcpl, 1) >= 0); /* the one chunk written stays small on disk */
    hsize_t three = 3, unlimited = H5S_UNLIMITED;
    hid_t su = H5Screate_simple(1, &three, &unlimited);
    craft_dataset_dcpl(f, "/big_chunks", H5T_NATIVE_DOUBLE, su, dcpl, four);
    H5Sclose(su);
    H5Pclose(dcpl);
    H5Sclose(s1);
    craft_close(f);

    struct rread *rr = rread_open(fx.path);
    ck_assert_ptr_nonnull(rr);
    double *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(rread_column(rr, "/t/i", 100, &v, &n), 0);
    ck_assert_uint_eq(n, 11);
    ck_assert(v[0] == 1000 && v[10] == 990);
    free(v);
    ck_assert_int_eq(rread_column(rr, "/t/x", 11, &v, &n), 0);
    ck_assert(v[2] == 1.0 && isnan(v[3]) && v[10] == 5.0);
    free(v);
    v = NULL;
    n = 7;
    static const char *const refused[] = {"/t/x/no",  "/t",          "/matrix",
                                          "/strings", "/big_chunks", "/summary/a/mean",
                                          "/nothing", "t/x"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ck_assert_msg(rread_column(rr, refused[i], 100, &v, &n) < 0, "%s read", refused[i]);
    ck_assert_int_lt(rread_column(rr, "/t/x", 10, &v, &n), 0); /* longer than max */
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(n, 7);

    char **names = NULL;
    ck_assert_int_eq(rread_groups(rr, "/summary", 100, &names, &n), 0);
    ck_assert_uint_eq(n, 3); /* not the scalar, not the soft link */
    ck_assert_str_eq(names[0], "a");
    ck_assert_str_eq(names[1], "b");
    ck_assert_str_eq(names[2], "c");
    rread_names_free(names, n);
    ck_assert_int_eq(rread_groups(rr, "/summary/a", 100, &names, &n), 0);
    ck_assert_uint_eq(n, 0);
    rread_names_free(names, n);
    names = NULL;
    ck_assert_int_lt(rread_groups(rr, "/summary", 4, &names, &n), 0); /* 5 links */
    ck_assert_int_lt(rread_groups(rr, "/summary/scalar", 100, &names, &n), 0);
    ck_assert_int_lt(rread_groups(rr, "/summary/soft", 100, &names, &n), 0);
    ck_assert_ptr_null(names);
    rread_close(rr);
}
END_TEST

static Suite *rread_suite(void)
{
    Suite *s = suite_create("rread");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, test_rread);
    tcase_add_test(tc, test_columns_and_groups);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, test_array_complete);
    tcase_add_test(tc, test_array_hash);
    tcase_add_test(tc, test_big_dataset);
    tcase_add_test(tc, test_huge_string);
    tcase_add_test(tc, test_fixed_strings);
    tcase_add_test(tc, test_int_as_float_or_string);
    tcase_add_test(tc, test_other_types);
    tcase_add_test(tc, test_links);
    tcase_add_test(tc, test_external_storage);
    tcase_add_test(tc, test_not_a_file);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(rread_suite)
