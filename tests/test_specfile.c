/* Architecture and device files: a file reproduces a catalogue entry exactly; errors carry
 * positions; units work. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "models/llm/specfile.h"

/* Loads `text` from a temporary file as an architecture into *a or, with a NULL, as a device
 * into *dev; messages in d (cleared first). */
static int load(const char *text, struct arch_spec *a, struct device_spec *dev, struct diag *d)
{
    char *path = strdup("/tmp/splitsim-test-spec-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    diag_clear(d);
    int rc = a ? arch_spec_load(a, path, d) : device_spec_load(dev, path, d);
    unlink(path);
    free(path);
    return rc;
}

START_TEST(test_llama_from_file)
{
    struct arch_spec s;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(load("name: llama-2-7b-file\nlayers: 32\nhidden: 4096\nffn: 11008\n"
                          "heads: 32\nvocab: 32000\n",
                          &s, NULL, &d),
                     0);
    ck_assert_uint_eq(s.arch.kv_heads, 32);  /* default: heads */
    ck_assert_uint_eq(s.arch.head_dim, 128); /* default: hidden / heads */
    ck_assert_uint_eq(arch_total_params(&s.arch), arch_total_params(arch_find("llama-2-7b")));
    ck_assert_str_eq(s.arch.name, "llama-2-7b-file");
    arch_spec_release(&s);
    diag_release(&d);
}
END_TEST

START_TEST(test_arch_errors)
{
    struct arch_spec s;
    struct diag d;
    diag_init(&d);
    ck_assert_int_lt(load("name: x\nlayers: 0\nhidden: 64\nffn: 128\nheads: 6\nkv_heads: 4\n"
                          "vocab: 10\nmlp: swiglo\n",
                          &s, NULL, &d),
                     0);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_str_eq(d.msgs[0].text, "layers: expected an integer in [1, 1000], got '0'");
    ck_assert_int_eq(d.msgs[0].line, 2);
    ck_assert_str_eq(d.msgs[1].text,
                     "mlp: expected one of: swiglu, gelu; got 'swiglo' (did you mean 'swiglu'?)");
    /* kv_heads must divide heads */
    ck_assert_int_lt(
        load("name: x\nlayers: 2\nhidden: 64\nffn: 128\nheads: 6\nkv_heads: 4\nvocab: 10\n", &s,
             NULL, &d),
        0);
    ck_assert_str_eq(d.msgs[0].text, "kv_heads: expected a divisor of heads (6), got 4");
    diag_release(&d);
}
END_TEST

START_TEST(test_device_units)
{
    struct device_spec s;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(load("name: g\npeak: 312 TFLOP/s\nbandwidth: 2039 GB/s\n"
                          "memory: 80 GB\nlaunch: 3 us\nvalue_bytes: 4\n",
                          NULL, &s, &d),
                     0);
    ck_assert(s.device.peak_flops == 312e12);
    ck_assert(s.device.mem_bw == 2039e9);
    ck_assert(s.device.memory == 80e9);
    ck_assert_double_eq_tol(s.device.launch_s, 3e-6, 1e-18);
    ck_assert(device_value_bytes(&s.device) == 4);
    ck_assert(s.device.eta_compute == 0.7);
    device_spec_release(&s);
    ck_assert_int_lt(load("name: g\npeak: 200 MHz\n", NULL, &s, &d), 0);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_str_eq(d.msgs[0].text,
                     "bandwidth: missing required key (a bandwidth in [1e+06, 1e+16] B/s)");
    ck_assert_str_eq(d.msgs[1].text, "peak: expected a compute rate (FLOP/s, GFLOP/s, TFLOP/s, "
                                     "PFLOP/s), got a frequency '200 MHz'");
    /* Implausible rates are refused at their value (1e-6 FLOP/s once gave 8 ns per request). */
    ck_assert_int_lt(load("name: g\npeak: 1e-6 FLOP/s\nbandwidth: 0.5 B/s\n", NULL, &s, &d), 0);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_str_eq(d.msgs[0].text,
                     "peak: expected a compute rate >= 1e+06 FLOP/s, got '1e-6 FLOP/s'");
    ck_assert_int_eq(d.msgs[0].line, 2);
    ck_assert_int_eq(d.msgs[0].col, 7);
    ck_assert_str_eq(d.msgs[1].text,
                     "bandwidth: expected a bandwidth in [1e+06, 1e+16] B/s, got '0.5 B/s'");
    diag_release(&d);
}
END_TEST

static Suite *specfile_suite(void)
{
    Suite *s = suite_create("specfile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_llama_from_file);
    tcase_add_test(tc, test_arch_errors);
    tcase_add_test(tc, test_device_units);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(specfile_suite)
