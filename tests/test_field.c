/* The generic binder, on a table of its own: every type, defaults, every kind of error with
 * its exact text, origins, canonical emission and the documentation rows. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "scn/field.h"

struct inner {
    double rate;
};

struct cfg {
    bool flag;
    uint64_t count;
    double delay;
    int mode;
    char *name;
    struct inner inner;
};

static const char *const modes[] = {"fast", "slow", NULL};

static const struct scn_field inner_fields[] = {
    {.key = "rate",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct inner, rate),
     .dim = DIM_RATE,
     .min = 0,
     .min_exclusive = true,
     .max = 100,
     .def = "1 /s",
     .doc = "r"},
    {0},
};

static const struct scn_field fields[] = {
    {.key = "flag",
     .type = FIELD_BOOL,
     .offset = offsetof(struct cfg, flag),
     .def = "false",
     .doc = "a flag"},
    {.key = "count",
     .type = FIELD_UINT,
     .offset = offsetof(struct cfg, count),
     .min = 1,
     .max = 10,
     .doc = "required count"},
    {.key = "delay",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct cfg, delay),
     .dim = DIM_TIME,
     .min = 0,
     .max = 60,
     .def = "10 ms",
     .doc = "a delay"},
    {.key = "mode",
     .type = FIELD_ENUM,
     .offset = offsetof(struct cfg, mode),
     .choices = modes,
     .def = "slow",
     .doc = "a mode"},
    {.key = "name",
     .type = FIELD_STRING,
     .offset = offsetof(struct cfg, name),
     .def = "x y",
     .doc = "a name"},
    {.key = "inner",
     .type = FIELD_SECTION,
     .offset = offsetof(struct cfg, inner),
     .fields = inner_fields},
    {0},
};

/* Origins point into the tree, so it lives until the test's end (one per test process). */
static struct ytree t;

static size_t bind_text(const char *text, struct cfg *c, struct diag *d, struct field_origins *o)
{
    ytree_release(&t);
    ytree_init(&t);
    memset(c, 0, sizeof *c);
    ck_assert_int_eq(ytree_parse(&t, "f.yaml", text, strlen(text), &t.root, d), 0);
    struct ynode where = {.src = "f.yaml", .line = 1, .col = 1};
    return field_bind(fields, "", t.root, &where, c, NULL, NULL, o, d);
}

/* What field_emit prints for the table f bound to c (malloc'd). */
static char *emitted(const struct scn_field *f, const void *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    field_emit(f, c, 0, out);
    fclose(out);
    return buf;
}

/* What field_document prints for the table f (malloc'd). */
static char *documented(const struct scn_field *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    field_document(f, "", out);
    fclose(out);
    return buf;
}

/* A message expected: its line and its whole text. */
struct want {
    int line;
    const char *text;
};

/* Binds text, which must be refused with the n messages want, in this order. */
static void refused_with(const char *text, size_t n, const struct want *want)
{
    struct diag d;
    diag_init(&d);
    struct cfg c;
    ck_assert_uint_eq(bind_text(text, &c, &d, NULL), n);
    ck_assert_uint_eq(d.len, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(d.msgs[i].text, want[i].text);
        ck_assert_int_eq(d.msgs[i].line, want[i].line);
    }
    field_release(fields, &c);
    diag_release(&d);
}

/* A removed key (top level or nested) is refused with its reason instead of "unknown key"; an
 * unknown key next to it is still reported as unknown, and the rest binds. */
START_TEST(test_retired_keys)
{
    static const struct field_retired retired[] = {
        {"old", "use 'count' instead"}, {"inner.speed", "gone, see the docs"}, {NULL, NULL}};
    const char *text = "old: 3\ninner: {speed: 1, rate: 2 /s}\nconut: 1\ncount: 4\n";
    ytree_release(&t);
    ytree_init(&t);
    struct diag d;
    diag_init(&d);
    struct cfg c = {0};
    ck_assert_int_eq(ytree_parse(&t, "f.yaml", text, strlen(text), &t.root, &d), 0);
    struct ynode where = {.src = "f.yaml", .line = 1, .col = 1};
    ck_assert_uint_eq(field_bind(fields, "", t.root, &where, &c, NULL, retired, NULL, &d), 3);
    ck_assert_str_eq(d.msgs[0].text, "old: removed: use 'count' instead");
    ck_assert_str_eq(d.msgs[1].text, "top level: unknown key 'conut' (did you mean 'count'?)");
    ck_assert_str_eq(d.msgs[2].text, "inner.speed: removed: gone, see the docs");
    ck_assert_uint_eq(c.count, 4);
    ck_assert_ptr_null(field_find_retired(retired, "count"));
    ck_assert_ptr_nonnull(field_find_retired(retired, "inner.speed"));
    field_release(fields, &c);
    diag_release(&d);
}
END_TEST

START_TEST(test_values_and_defaults)
{
    struct diag d;
    diag_init(&d);
    struct cfg c;
    struct field_origins o = {0};
    ck_assert_uint_eq(bind_text("count: 3\nmode: fast\ninner: {rate: 6 /min}\n", &c, &d, &o), 0);
    ck_assert_uint_eq(c.count, 3);
    ck_assert(!c.flag);
    ck_assert(c.delay == 0.01);
    ck_assert_int_eq(c.mode, 0);
    ck_assert_str_eq(c.name, "x y");
    ck_assert_double_eq_tol(c.inner.rate, 0.1, 1e-15);
    ck_assert_ptr_nonnull(field_origin(&o, "inner.rate"));
    ck_assert_int_eq(field_origin(&o, "inner.rate")->line, 3);
    ck_assert_ptr_null(field_origin(&o, "delay")); /* a default */
    char *buf = emitted(fields, &c);
    ck_assert_str_eq(buf, "flag: false\ncount: 3\ndelay: 0.01 s\nmode: fast\nname: x y\n"
                          "inner:\n  rate: 0.1 /s\n");
    free(buf);
    field_release(fields, &c);
    ck_assert_ptr_null(c.name);
    field_origins_release(&o);
    diag_release(&d);
    ytree_release(&t);
}
END_TEST

START_TEST(test_every_error_reported)
{
    refused_with("flag: yes\n"    /* 1: YAML 1.1 booleans are not booleans here */
                 "count: \"3\"\n" /* 2: quoted number */
                 "delay: 2 min\n" /* 3: out of range, in other units */
                 "mode: fsat\n"   /* 4: misspelt choice */
                 "inner: [1]\n"   /* 5: wrong kind */
                 "nmae: q\n",     /* 6: misspelt key */
                 6,
                 (const struct want[]){
                     {6, "top level: unknown key 'nmae' (did you mean 'name'?)"},
                     {1, "flag: expected true or false, got 'yes'"},
                     {2, "count: expected an integer in [1, 10], got the string '3'"},
                     {3, "delay: expected a time in [0, 60] s, got '2 min'"},
                     {4, "mode: expected one of: fast, slow; got 'fsat' (did you mean 'fast'?)"},
                     {5, "inner: expected a mapping of keys (rate: ...), got a sequence"},
                 });
}
END_TEST

/* An explicit tag states a value's type and is respected: a key takes a tagged value only when
 * the tag agrees with its type (!!str for names and choices, !!int for integers, !!int or
 * !!float for quantities, !!bool for booleans; !!null for none). */
START_TEST(test_tags_respected)
{
    struct diag d;
    diag_init(&d);
    struct cfg c;
    ck_assert_uint_eq(bind_text("flag: !!bool true\ncount: !!int 3\ndelay: !!float 0.5\n"
                                "mode: !!str fast\nname: !!str 8\ninner: !!map {rate: !!int 2}\n",
                                &c, &d, NULL),
                      0);
    ck_assert(c.flag);
    ck_assert_uint_eq(c.count, 3);
    ck_assert(c.delay == 0.5);
    ck_assert_int_eq(c.mode, 0);
    ck_assert_str_eq(c.name, "8");
    ck_assert(c.inner.rate == 2);
    field_release(fields, &c);
    diag_release(&d);
    refused_with("flag: !!str true\n"  /* 1 */
                 "count: !!str 8\n"    /* 2: was read as the integer 8 */
                 "delay: !!str 5\n"    /* 3 */
                 "mode: !!int 1\n"     /* 4 */
                 "name: !!null null\n" /* 5 */
                 "inner: {rate: !!bool true}\n",
                 6,
                 (const struct want[]){
                     {1, "flag: expected true or false, got 'true' tagged !!str"},
                     {2, "count: expected an integer in [1, 10], got '8' tagged !!str"},
                     {3, "delay: expected a time in [0, 60] s, got '5' tagged !!str"},
                     {4, "mode: expected one of: fast, slow; got '1' tagged !!int"},
                     {5, "name: expected a string, got 'null' tagged !!null"},
                     {6, "inner.rate: expected a rate in (0, 100] /s, got 'true' tagged !!bool"},
                 });
}
END_TEST

START_TEST(test_missing_required_and_absent_sections)
{
    refused_with("flag: true\n", 1,
                 (const struct want[]){{1, "count: missing required key (an integer in [1, 10])"}});
}
END_TEST

START_TEST(test_scalar_where_mapping_expected)
{
    refused_with("count: 1\ninner: 5\n", 1,
                 (const struct want[]){
                     {2, "inner: expected a mapping of keys (rate: ...), got a scalar '5'"}});
    refused_with("- 1\n- 2\n", 1,
                 (const struct want[]){
                     {1, "expected a mapping of sections (flag: ...) at the top level, got a "
                         "sequence"}});
}
END_TEST

START_TEST(test_find_and_locate)
{
    ck_assert_ptr_eq(field_find(fields, "inner.rate"), &inner_fields[0]);
    ck_assert_ptr_eq(field_find(fields, "count"), &fields[1]);
    ck_assert_ptr_null(field_find(fields, "inner.nope"));
    ck_assert_ptr_null(field_find(fields, "count.x"));
    struct cfg c = {.inner = {.rate = 2}};
    const void *holder = NULL;
    const struct scn_field *f = field_locate(fields, "inner.rate", &c, &holder);
    ck_assert_ptr_eq(f, &inner_fields[0]);
    ck_assert_ptr_eq(holder, &c.inner);
    ck_assert_ptr_null(field_locate(fields, "inner", &c, &holder));
}
END_TEST

START_TEST(test_document_rows)
{
    char *buf = documented(fields);
    ck_assert_ptr_nonnull(strstr(
        buf, "| `count` | integer | **required** | an integer in [1, 10] | required count |\n"));
    ck_assert_ptr_nonnull(
        strstr(buf, "| `inner.rate` | rate [/s] | 1 /s | a rate in (0, 100] /s | r |\n"));
    ck_assert_ptr_nonnull(
        strstr(buf, "| `mode` | choice | slow | one of: fast, slow | a mode |\n"));
    free(buf);
}
END_TEST

START_TEST(test_number_format_round_trips)
{
    double values[] = {0.1, 1.0 / 3, 129600, 1e-6, 6.02214076e23, 0.30000000000000004};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char buf[40];
        field_format_number(values[i], buf, sizeof buf);
        ck_assert(strtod(buf, NULL) == values[i]);
    }
    char buf[40];
    field_format_number(0.1, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.1");
}
END_TEST

/* ---- lists of names ---- */

struct lcfg {
    struct scn_list names;
};

static const struct scn_field list_fields[] = {
    {.key = "names",
     .type = FIELD_LIST,
     .offset = offsetof(struct lcfg, names),
     .def = "",
     .name_max = 8,
     .doc = "some names"},
    {0},
};

static size_t bind_list_text(const char *text, struct lcfg *c, struct diag *d)
{
    ytree_release(&t);
    ytree_init(&t);
    ck_assert_int_eq(ytree_parse(&t, "l.yaml", text, strlen(text), &t.root, d), 0);
    struct ynode where = {.src = "l.yaml", .line = 1, .col = 1};
    return field_bind(list_fields, "", t.root, &where, c, NULL, NULL, NULL, d);
}

/* A list binds to an array from a sequence or from one scalar (names separated by ','), emits
 * as [a, b], and what it emits binds back to the same array. */
START_TEST(test_list_binding)
{
    struct diag d;
    diag_init(&d);
    struct lcfg c = {0};
    ck_assert_uint_eq(bind_list_text("x: 1\n", &c, &d), 1); /* the unknown key; names defaults */
    ck_assert_uint_eq(c.names.n, 0);
    ck_assert_ptr_null(c.names.v);
    diag_release(&d);
    diag_init(&d);
    static const struct {
        const char *text;
        size_t n;
        const char *v[3];
        const char *emitted;
    } cases[] = {
        {"names: [a, bb, \"c d\"]\n", 3, {"a", "bb", "c d"}, "names: [a, bb, c d]\n"},
        {"names: []\n", 0, {NULL}, "names: []\n"},
        {"names: one\n", 1, {"one"}, "names: [one]\n"},
        {"names: a,bb\n", 2, {"a", "bb"}, "names: [a, bb]\n"},
        {"names: \"a,\"\n", 1, {"a"}, "names: [a]\n"},
        {"names: \"\"\n", 0, {NULL}, "names: []\n"},
        {"names: [\"12345678\"]\n", 1, {"12345678"}, "names: [\"12345678\"]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_uint_eq(bind_list_text(cases[i].text, &c, &d), 0);
        ck_assert_uint_eq(c.names.n, cases[i].n);
        for (size_t j = 0; j < cases[i].n; j++)
            ck_assert_str_eq(c.names.v[j], cases[i].v[j]);
        char *out = emitted(list_fields, &c);
        ck_assert_str_eq(out, cases[i].emitted);
        /* the emitted text binds back to the same list (binding again replaces the old one) */
        ck_assert_uint_eq(bind_list_text(out, &c, &d), 0);
        ck_assert_uint_eq(c.names.n, cases[i].n);
        for (size_t j = 0; j < cases[i].n; j++)
            ck_assert_str_eq(c.names.v[j], cases[i].v[j]);
        free(out);
    }
    ck_assert_uint_eq(d.len, 0);
    /* join and copy */
    ck_assert_uint_eq(bind_list_text("names: [a, bb, c]\n", &c, &d), 0);
    char *joined = scn_list_join(&c.names, ",");
    ck_assert_str_eq(joined, "a,bb,c");
    free(joined);
    struct scn_list copy;
    ck_assert_int_eq(scn_list_copy(&copy, &c.names), 0);
    field_release(list_fields, &c);
    ck_assert_uint_eq(c.names.n, 0);
    ck_assert_ptr_null(c.names.v);
    ck_assert_uint_eq(copy.n, 3);
    ck_assert_str_eq(copy.v[2], "c");
    scn_list_release(&copy);
    struct scn_list none = {0};
    joined = scn_list_join(&none, ", ");
    ck_assert_str_eq(joined, "");
    free(joined);
    diag_release(&d);
}
END_TEST

/* A name longer than the field's name_max is an error at its own line and column, naming the
 * key, the name and the limit; nothing is cut and the list keeps its value. */
START_TEST(test_list_name_too_long)
{
    struct diag d;
    diag_init(&d);
    struct lcfg c = {0};
    ck_assert_uint_eq(bind_list_text("names: [ok, abcdefghi, fine, 1234567890]\n", &c, &d), 2);
    ck_assert_uint_eq(d.len, 2);
    ck_assert_str_eq(d.msgs[0].text,
                     "names: expected names of at most 8 bytes, got 'abcdefghi' (9 bytes)");
    ck_assert_str_eq(d.msgs[0].file, "l.yaml");
    ck_assert_int_eq(d.msgs[0].line, 1);
    ck_assert_int_eq(d.msgs[0].col, 13);
    ck_assert_str_eq(d.msgs[1].text,
                     "names: expected names of at most 8 bytes, got '1234567890' (10 bytes)");
    ck_assert_int_eq(d.msgs[1].col, 30);
    ck_assert_uint_eq(c.names.n, 0); /* not bound */
    diag_release(&d);
    /* as one scalar: at the scalar */
    diag_init(&d);
    ck_assert_uint_eq(bind_list_text("\nnames: ok,abcdefghi\n", &c, &d), 1);
    ck_assert_str_eq(d.msgs[0].text,
                     "names: expected names of at most 8 bytes, got 'abcdefghi' (9 bytes)");
    ck_assert_int_eq(d.msgs[0].line, 2);
    ck_assert_int_eq(d.msgs[0].col, 8);
    ck_assert_uint_eq(c.names.n, 0);
    diag_release(&d);
    /* a long name is shown cut short in the message, its length in full */
    diag_init(&d);
    char text[256];
    snprintf(text, sizeof text, "names: [%0200d]\n", 7);
    ck_assert_uint_eq(bind_list_text(text, &c, &d), 1);
    ck_assert_ptr_nonnull(
        strstr(d.msgs[0].text, "names: expected names of at most 8 bytes, got '"));
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "...' (200 bytes)"));
    diag_release(&d);
    field_release(list_fields, &c);
}
END_TEST

/* What a list refuses, with the messages of before lists were arrays. */
START_TEST(test_list_errors)
{
    struct diag d;
    diag_init(&d);
    struct lcfg c = {0};
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"names: [a, [b]]\n", "names: expected a list of names, got a sequence"},
        {"names: [a, \"x,y\"]\n", "names: expected a list of names, got 'x,y'"},
        {"names: [a, \"\"]\n", "names: expected a list of names, got ''"},
        {"names: [!!int 3]\n", "names: expected a list of names, got '3'"},
        {"names: {a: b}\n", "names: expected a string, got a mapping"},
        {"names: !!int 3\n", "names: expected a string, got '3' tagged !!int"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_uint_eq(bind_list_text(cases[i].text, &c, &d), 1);
        ck_assert_uint_eq(d.len, 1);
        ck_assert_str_eq(d.msgs[0].text, cases[i].message);
        ck_assert_uint_eq(c.names.n, 0);
        diag_release(&d);
        diag_init(&d);
    }
    diag_release(&d);
    field_release(list_fields, &c);
}
END_TEST

/* A weighted list: mappings {device: NAME, fraction: F} with fractions on every entry, or on
 * none (then it is the plain list it always was). */
struct wcfg {
    struct scn_list mix;
};

static const struct scn_field weighted_fields[] = {
    {.key = "mix",
     .type = FIELD_LIST,
     .offset = offsetof(struct wcfg, mix),
     .def = "",
     .name_max = 8,
     .entry_key = "device",
     .weight_key = "fraction",
     .doc = "a weighted mix"},
    {0},
};

static size_t bind_mix_text(const char *text, struct wcfg *c, struct diag *d)
{
    ytree_release(&t);
    ytree_init(&t);
    ck_assert_int_eq(ytree_parse(&t, "w.yaml", text, strlen(text), &t.root, d), 0);
    struct ynode where = {.src = "w.yaml", .line = 1, .col = 1};
    return field_bind(weighted_fields, "", t.root, &where, c, NULL, NULL, NULL, d);
}

START_TEST(test_weighted_list_binding)
{
    struct diag d;
    diag_init(&d);
    struct wcfg c = {0};
    static const struct {
        const char *text;
        size_t n;
        const char *v[3];
        double w[3]; /* all 0: no weights */
        const char *emitted;
    } cases[] = {
        {"mix: [{device: a, fraction: 0.25}, {device: b, fraction: 75 %}]\n",
         2,
         {"a", "b"},
         {0.25, 0.75},
         "mix: [{device: a, fraction: 0.25}, {device: b, fraction: 0.75}]\n"},
        {"mix:\n  - device: a\n    fraction: 0.1\n  - {fraction: 0.2, device: \"b c\"}\n"
         "  - {device: a, fraction: 0.7}\n",
         3,
         {"a", "b c", "a"},
         {0.1, 0.2, 0.7},
         "mix: [{device: a, fraction: 0.1}, {device: b c, fraction: 0.2}, "
         "{device: a, fraction: 0.7}]\n"},
        /* one class takes everything; sums within 1e-9 of 1 are 1 */
        {"mix: [{device: a, fraction: 1}]\n", 1, {"a"}, {1}, "mix: [{device: a, fraction: 1}]\n"},
        {"mix: [{device: a, fraction: 0.3333333333}, {device: b, fraction: 0.6666666666}]\n",
         2,
         {"a", "b"},
         {0.3333333333, 0.6666666666},
         "mix: [{device: a, fraction: 0.3333333333}, {device: b, fraction: 0.6666666666}]\n"},
        /* no fractions: the plain list, mappings or not */
        {"mix: [{device: a}, b]\n", 2, {"a", "b"}, {0}, "mix: [a, b]\n"},
        {"mix: a,b\n", 2, {"a", "b"}, {0}, "mix: [a, b]\n"},
        /* flow indicators in a name are quoted inside the flow collection */
        {"mix: [{device: \"x]\", fraction: 0.5}, {device: \"{y\", fraction: 0.5}]\n",
         2,
         {"x]", "{y"},
         {0.5, 0.5},
         "mix: [{device: \"x]\", fraction: 0.5}, {device: \"{y\", fraction: 0.5}]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int again = 0; again < 2; again++) {
            /* the first time from the case's text, then from what that emitted */
            char *out = again ? emitted(weighted_fields, &c) : NULL;
            ck_assert_uint_eq(bind_mix_text(again ? out : cases[i].text, &c, &d), 0);
            ck_assert_uint_eq(c.mix.n, cases[i].n);
            for (size_t j = 0; j < cases[i].n; j++) {
                ck_assert_str_eq(c.mix.v[j], cases[i].v[j]);
                if (cases[i].w[0] > 0)
                    ck_assert(c.mix.w[j] == cases[i].w[j]);
            }
            if (cases[i].w[0] == 0)
                ck_assert_ptr_null(c.mix.w);
            char *now = emitted(weighted_fields, &c);
            ck_assert_str_eq(now, cases[i].emitted);
            free(now);
            free(out);
        }
    }
    ck_assert_uint_eq(d.len, 0);
    /* a copy keeps the weights, and releasing frees them */
    ck_assert_uint_eq(bind_mix_text("mix: [{device: a, fraction: 0.4}, {device: b, "
                                    "fraction: 0.6}]\n",
                                    &c, &d),
                      0);
    struct scn_list copy;
    ck_assert_int_eq(scn_list_copy(&copy, &c.mix), 0);
    ck_assert(copy.w && copy.w[0] == 0.4 && copy.w[1] == 0.6 && copy.w != c.mix.w);
    scn_list_release(&copy);
    ck_assert_ptr_null(copy.w);
    field_release(weighted_fields, &c);
    ck_assert_ptr_null(c.mix.w);
    diag_release(&d);
}
END_TEST

/* What a weighted list refuses: each an error at the offending node's line and column, naming
 * what was found and what was expected; the list keeps its old value. */
START_TEST(test_weighted_list_errors)
{
    static const struct {
        const char *text;
        int line, col;
        const char *message;
    } cases[] = {
        {"mix: [{device: a, fraction: 0.5}, {device: b, fraction: 0.4}]\n", 1, 6,
         "mix: the fractions sum to 0.9; expected 1 (within 1e-9)"},
        {"mix: [{device: a, fraction: 0.6}, {device: b, fraction: 0.4000001}]\n", 1, 6,
         "mix: the fractions sum to 1.0000001; expected 1 (within 1e-9)"},
        {"mix: [{device: a, fraction: -0.5}, {device: b, fraction: 0.5}]\n", 1, 29,
         "mix[0].fraction: expected a number in (0, 1], got '-0.5'"},
        {"mix: [{device: a, fraction: 0}, {device: b, fraction: 1}]\n", 1, 29,
         "mix[0].fraction: expected a number in (0, 1], got '0'"},
        {"mix: [{device: a, fraction: 1.5}]\n", 1, 29,
         "mix[0].fraction: expected a number in (0, 1], got '1.5'"},
        {"mix: [{device: a, fraction: nan}, {device: b, fraction: 0.5}]\n", 1, 29,
         "mix[0].fraction: expected a finite decimal number, got 'nan'"},
        {"mix: [{device: a, fraction: .inf}]\n", 1, 29,
         "mix[0].fraction: expected a number, got '.inf'"},
        {"mix: [{device: a, fraction: half}, {device: b, fraction: 0.5}]\n", 1, 29,
         "mix[0].fraction: expected a number, got 'half'"},
        {"mix: [{device: a, fraction: \"0.5\"}, {device: b, fraction: 0.5}]\n", 1, 29,
         "mix[0].fraction: expected a number in (0, 1], got the string '0.5'"},
        {"mix: [{device: a, fraction: !!str 1}]\n", 1, 29,
         "mix[0].fraction: expected a number in (0, 1], got '1' tagged !!str"},
        {"mix: [{device: a, fraction: [0.5]}, {device: b, fraction: 0.5}]\n", 1, 29,
         "mix[0].fraction: expected a number in (0, 1], got a sequence"},
        {"mix: [{device: a, fraction: 5 ms}]\n", 1, 29,
         "mix[0].fraction: expected a number (%), got a time '5 ms'"},
        /* mixed entries */
        {"mix: [a, {device: b, fraction: 0.5}]\n", 1, 32,
         "mix[1]: a fraction, but mix[0] has none; expected a fraction on every entry or on none"},
        {"mix: [{device: a, fraction: 0.5}, b]\n", 1, 35,
         "mix[1]: no fraction, but mix[0] has one; expected a fraction on every entry or on none"},
        {"mix:\n  - {device: a, fraction: 0.5}\n  - {device: b, fraction: 0.25}\n"
         "  - {device: c}\n",
         4, 5,
         "mix[2]: no fraction, but mix[0] has one; expected a fraction on every entry or on none"},
        /* the entries' own shape */
        {"mix: [{device: a, fracton: 1}]\n", 1, 19,
         "mix[0]: unknown key 'fracton' (did you mean "
         "'fraction'?)"},
        {"mix: [{device: a, weight: 1}]\n", 1, 19,
         "mix[0]: unknown key 'weight' (expected device and fraction)"},
        {"mix: [{fraction: 1}]\n", 1, 7,
         "mix[0]: missing key 'device' (expected {device: NAME, fraction: F})"},
        {"mix: [{device: [a], fraction: 1}]\n", 1, 16,
         "mix[0].device: expected a name, got a sequence"},
        {"mix: [{device: \"a,b\", fraction: 1}]\n", 1, 16,
         "mix[0].device: expected a name, got 'a,b'"},
        {"mix: [{device: abcdefghi, fraction: 1}]\n", 1, 16,
         "mix: expected names of at most 8 bytes, got 'abcdefghi' (9 bytes)"},
        {"mix: [a, [b]]\n", 1, 10,
         "mix: expected a list of names or of mappings {device: NAME, fraction: F}, got a "
         "sequence"},
        {"mix: {device: a, fraction: 1}\n", 1, 6,
         "mix: expected a list of names or of mappings {device: NAME, fraction: F}, got a "
         "mapping"},
    };
    struct wcfg c = {0};
    struct diag d;
    diag_init(&d);
    ck_assert_uint_eq(bind_mix_text("mix: [{device: k, fraction: 1}]\n", &c, &d), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(bind_mix_text(cases[i].text, &c, &d) == 1, "case %zu: %zu errors", i, d.len);
        ck_assert_uint_eq(d.len, 1);
        ck_assert_str_eq(d.msgs[0].text, cases[i].message);
        ck_assert_str_eq(d.msgs[0].file, "w.yaml");
        ck_assert_msg(d.msgs[0].line == cases[i].line && d.msgs[0].col == cases[i].col,
                      "case %zu at %d:%d, expected %d:%d", i, d.msgs[0].line, d.msgs[0].col,
                      cases[i].line, cases[i].col);
        ck_assert(c.mix.n == 1 && strcmp(c.mix.v[0], "k") == 0 && c.mix.w[0] == 1); /* kept */
        diag_release(&d);
        diag_init(&d);
    }
    diag_release(&d);
    field_release(weighted_fields, &c);
}
END_TEST

START_TEST(test_weighted_list_document_row)
{
    char *buf = documented(weighted_fields);
    ck_assert_str_eq(buf,
                     "| `mix` | list of names, or of {device, fraction} mappings |  | a string "
                     "| a weighted mix |\n");
    free(buf);
}
END_TEST

START_TEST(test_list_document_row)
{
    char *buf = documented(list_fields);
    ck_assert_str_eq(buf, "| `names` | list of names |  | a string | some names |\n");
    free(buf);
}
END_TEST

static Suite *field_suite(void)
{
    Suite *s = suite_create("field");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_values_and_defaults);
    tcase_add_test(tc, test_every_error_reported);
    tcase_add_test(tc, test_retired_keys);
    tcase_add_test(tc, test_tags_respected);
    tcase_add_test(tc, test_missing_required_and_absent_sections);
    tcase_add_test(tc, test_scalar_where_mapping_expected);
    tcase_add_test(tc, test_find_and_locate);
    tcase_add_test(tc, test_document_rows);
    tcase_add_test(tc, test_number_format_round_trips);
    tcase_add_test(tc, test_list_binding);
    tcase_add_test(tc, test_list_name_too_long);
    tcase_add_test(tc, test_weighted_list_binding);
    tcase_add_test(tc, test_weighted_list_errors);
    tcase_add_test(tc, test_weighted_list_document_row);
    tcase_add_test(tc, test_list_errors);
    tcase_add_test(tc, test_list_document_row);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(field_suite)
