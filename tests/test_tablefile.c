/* The table-file reader's helpers: the checks every table takes and the wording of their errors. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "models/llm/tablefile.h"

/* At most 3 values, each > its predecessor + 1 (a check of the caller's own). */
static bool spaced(struct tablefile *p, const struct ynode *at, const char *what, const double *v,
                   size_t i)
{
    if (i && v[i] < v[i - 1] + 1) {
        tablefile_error(p, at, "%s: expected a gap of 1, got %g after %g", what, v[i], v[i - 1]);
        return false;
    }
    return true;
}

/* The rules a probe table's `rule` key picks from. */
static const struct tablefile_list rules[] = {
    {.hi = INFINITY},                              /* 0: any finite numbers >= 0 */
    {.lo = 0, .hi = 10, .increasing = true},       /* 1: a grid in [0, 10] */
    {.want = 2, .hi = INFINITY, .positive = true}, /* 2: two positive numbers */
    {.lo = -5, .hi = INFINITY, .check = spaced},   /* 3: the caller's check */
};

/* What the binder under test read. */
struct probe {
    char *name, *a, *b;
    double x, *v;
    size_t n;
};

static void probe_release(void *table)
{
    struct probe *t = table;
    free(t->name);
    free(t->a);
    free(t->b);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static void probe_bind(struct tablefile *p, void *table, const struct ynode *root, const char *name)
{
    struct probe *t = table;
    static const char *const keys[] = {"format", "name", "x", "rule", "v", "more", NULL};
    if (!tablefile_header(p, root, name, "probe table", "probe", keys))
        return;
    t->name = tablefile_need_string(p, root, "name", "");
    tablefile_need_number(p, root, "x", "", 1, &t->x);
    double rule = 0;
    const struct ynode *r = ynode_get(root, "rule", NULL);
    if (r)
        tablefile_number(p, r, "rule", 0, 3, &rule);
    const struct ynode *v = tablefile_need(p, root, "v", "", YNODE_SEQ);
    if (v)
        t->v = tablefile_numbers(p, v, "v", &rules[(size_t)rule], &t->n);
    const struct ynode *more = ynode_get(root, "more", NULL);
    if (more && more->kind == YNODE_MAP) {
        static const char *const strings[] = {"a", "b", NULL};
        tablefile_check_keys(p, more, "more", strings);
        tablefile_need_strings(p, more, "more", strings, (char **[]){&t->a, &t->b});
    }
}

static const struct tablefile_kind probe_kind = {.bind = probe_bind, .release = probe_release};

/* Parses text; the first message (or "") goes to msg, the count of messages to *count. */
static int probe_parse(const char *text, struct probe *t, char *msg, size_t size, size_t *count)
{
    struct diag d;
    diag_init(&d);
    int rc = tablefile_parse(&probe_kind, t, sizeof *t, "p.yaml", text, strlen(text), &d);
    snprintf(msg, size, "%s", d.len ? d.msgs[0].text : "");
    if (count)
        *count = d.len;
    diag_release(&d);
    return rc;
}

START_TEST(test_good)
{
    struct probe t;
    char msg[256];
    const char *text = "format: probe\nname: a\nx: 2.5\nrule: 1\nv: [1, 2, 3]\n"
                       "more: {a: x, b: y}\n";
    ck_assert_int_eq(probe_parse(text, &t, msg, sizeof msg, NULL), 0);
    ck_assert_str_eq(t.name, "a");
    ck_assert_str_eq(t.a, "x");
    ck_assert_str_eq(t.b, "y");
    ck_assert_double_eq(t.x, 2.5);
    ck_assert_uint_eq(t.n, 3);
    ck_assert_double_eq(t.v[2], 3);
    probe_release(&t);
}
END_TEST

START_TEST(test_messages)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"- 1\n", "expected a probe table (a mapping starting with format: probe)"},
        {"format: other\nname: a\n", "format: expected 'probe', got 'other'"},
        {"format: probe\nnmae: a\nx: 2\nv: [1]\n", "name: missing required key"},
        {"format: probe\nname: a\nx: 2\nv: [1]\nnmae: b\n",
         "probe table: unknown key 'nmae' (did you mean 'name'?)"},
        {"format: probe\nname: !!int 3\nx: 2\nv: [1]\n",
         "name: expected a string, got '3' tagged !!int"},
        {"format: probe\nname: a\nx: [2]\nv: [1]\n", "x: expected a scalar, got a sequence"},
        {"format: probe\nname: a\nx: 0.5\nv: [1]\n", "x: expected a finite number >= 1, got '0.5'"},
        {"format: probe\nname: a\nx: 2\nv: [1, {a: 1}]\n",
         "v: expected a finite number >= 0, got a 'mapping'"},
        {"format: probe\nname: a\nx: 2\nv: []\n", "v: expected a non-empty list of numbers"},
        {"format: probe\nname: a\nx: 2\nrule: 1\nv: [1, 11]\n",
         "v: expected a number in [0, 10], got '11'"},
        {"format: probe\nname: a\nx: 2\nrule: 1\nv: [1, {a: 1}]\n",
         "v: expected a number in [0, 10], got 'mapping'"},
        {"format: probe\nname: a\nx: 2\nrule: 1\nv: [2, 2]\n",
         "v: expected increasing values, got 2 after 2"},
        {"format: probe\nname: a\nx: 2\nrule: 2\nv: [2, 2, 2]\n",
         "v: expected a list of 2 numbers, got 3"},
        {"format: probe\nname: a\nx: 2\nrule: 2\nv: [2, 0]\n", "v: expected a number > 0, got '0'"},
        {"format: probe\nname: a\nx: 2\nrule: 3\nv: [-5, -4.5]\n",
         "v: expected a gap of 1, got -4.5 after -5"},
        {"format: probe\nname: a\nx: 2\nv: [1]\nmore: {a: x, b: y, zzz: z}\n",
         "more: unknown key 'zzz'"},
        {"format: probe\nname: a\nx: 2\nv: [1]\nmore: {a: x}\n", "more.b: missing required key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct probe t = {.name = NULL};
        char msg[256];
        ck_assert_int_eq(probe_parse(cases[i].text, &t, msg, sizeof msg, NULL), -EINVAL);
        ck_assert_msg(strcmp(msg, cases[i].message) == 0, "case %zu: got \"%s\"", i, msg);
        ck_assert_ptr_null(t.name); /* released */
        ck_assert_ptr_null(t.v);
    }
}
END_TEST

START_TEST(test_every_problem_in_file_order)
{
    /* x and v both bad, plus an unknown key reported first in the bind but last in the file:
     * every problem is reported, in file order */
    struct probe t;
    char msg[256];
    size_t n = 0;
    const char *text = "format: probe\nname: a\nx: 0\nv: [-1]\nzzz: 1\n";
    ck_assert_int_eq(probe_parse(text, &t, msg, sizeof msg, &n), -EINVAL);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(msg, "x: expected a finite number >= 1, got '0'");
}
END_TEST

START_TEST(test_not_yaml)
{
    struct probe t;
    char msg[256];
    ck_assert_int_lt(probe_parse("a: [1\n", &t, msg, sizeof msg, NULL), 0);
    ck_assert_ptr_null(t.name);
    struct diag d;
    diag_init(&d);
    ck_assert_int_lt(tablefile_load(&probe_kind, &t, sizeof t, "/nonexistent/p.yaml", &d), 0);
    ck_assert_uint_ge(d.errors, 1);
    diag_release(&d);
}
END_TEST

static Suite *tablefile_suite(void)
{
    Suite *s = suite_create("tablefile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_good);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_every_problem_in_file_order);
    tcase_add_test(tc, test_not_yaml);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(tablefile_suite)
