/* YAML trees: positions, quoting, and every hostile input refused with one clear message,
 * quickly and within bounded memory. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "scn/ytree.h"

static int parse(const char *text, size_t len, struct ytree *t, struct diag *d)
{
    ytree_init(t);
    diag_init(d);
    return ytree_parse(t, "t.yaml", text, len, &t->root, d);
}

START_TEST(test_positions_and_quoting)
{
    struct ytree t;
    struct diag d;
    const char *text = "run:\n  seed: 3\n  name: \"3\"\nlist: [a, 'b']\n";
    ck_assert_int_eq(parse(text, strlen(text), &t, &d), 0);
    ck_assert_int_eq(t.root->kind, YNODE_MAP);
    struct ynode *key = NULL;
    struct ynode *run = ynode_get(t.root, "run", &key);
    ck_assert_int_eq(key->line, 1);
    ck_assert_int_eq(key->col, 1);
    struct ynode *seed = ynode_get(run, "seed", NULL);
    ck_assert_str_eq(seed->text, "3");
    ck_assert_int_eq(seed->line, 2);
    ck_assert_int_eq(seed->col, 9);
    ck_assert(!seed->quoted);
    ck_assert(ynode_get(run, "name", NULL)->quoted);
    struct ynode *list = ynode_get(t.root, "list", NULL);
    ck_assert_int_eq(list->kind, YNODE_SEQ);
    ck_assert_uint_eq(list->n, 2);
    ck_assert_int_eq(list->items[1]->col, 11);
    ck_assert_ptr_null(ynode_get(t.root, "missing", NULL));
    ck_assert_str_eq(seed->src, "t.yaml");
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

/* Each hostile input: one error, at the expected place, with the expected text. */
START_TEST(test_hostile_inputs)
{
    struct {
        const char *name;
        const char *text;
        size_t len; /* 0: strlen */
        int line, col;
        const char *message;
    } cases[] = {
        {"tab", "run:\n\tseed: 1\n", 0, 2, 1, "tab character here; YAML indents with spaces only"},
        {"duplicate", "a: 1\nb: 2\na: 3\n", 0, 3, 1,
         "duplicate key 'a' (first at line 1, column 1)"},
        {"alias", "a: &x 1\n", 0, 1, 4, "YAML anchors ('&x') are not supported"},
        {"alias-use", "a: *x\n", 0, 1, 4,
         "YAML aliases ('*x') are not supported; write the value out"},
        {"two-docs", "a: 1\n---\nb: 2\n", 0, 2, 1,
         "more than one YAML document ('---'); a scenario is one document"},
        {"complex-key", "? [a, b]\n: 1\n", 0, 1, 3,
         "a sequence cannot be a mapping key; keys are plain names"},
        {"bad-utf8", "a: \xc3\x28\n", 0, 1, 5,
         "invalid UTF-8 in the file (invalid trailing UTF-8 octet at byte 4); scenarios must be "
         "UTF-8 text"},
        {"control", "a: \x01\n", 0, 1, 4,
         "control character (byte 0x01) in the file; scenarios must be plain text"},
        {"nul", "a: \"x\\0y\"\n", 0, 1, 4, "NUL character in a value"},
        {"syntax", "a: [1, 2\n", 0, 2, 1,
         "YAML syntax: did not find expected ',' or ']' while parsing a flow sequence"},
        {"unknown-tag", "a: !!binary aGk=\n", 0, 1, 4,
         "YAML tag '!!binary' is not supported; expected no tag or one of !!str, !!int, "
         "!!float, !!bool, !!null, !!map, !!seq"},
        {"local-tag", "a: !mine 3\n", 0, 1, 4,
         "YAML tag '!mine' is not supported; expected no tag or one of !!str, !!int, !!float, "
         "!!bool, !!null, !!map, !!seq"},
        {"map-tag-on-scalar", "a: !!map 3\n", 0, 1, 4, "YAML tag !!map on a scalar"},
        {"str-tag-on-map", "a: !!str {b: 1}\n", 0, 1, 4, "YAML tag !!str on a mapping"},
        {"seq-tag-on-map", "a: !!seq {b: 1}\n", 0, 1, 4, "YAML tag !!seq on a mapping"},
        {"int-not-int", "a: !!int 0.5\n", 0, 1, 4, "'0.5' is not a valid !!int"},
        {"int-hex", "a: !!int 0x10\n", 0, 1, 4, "'0x10' is not a valid !!int"},
        {"float-not-float", "a: !!float 5 s\n", 0, 1, 4, "'5 s' is not a valid !!float"},
        {"bool-not-bool", "a: !!bool yes\n", 0, 1, 4, "'yes' is not a valid !!bool"},
        {"null-not-null", "a: !!null 0\n", 0, 1, 4, "'0' is not a valid !!null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ytree t;
        struct diag d;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        ck_assert_msg(parse(cases[i].text, len, &t, &d) < 0, "%s accepted", cases[i].name);
        ck_assert_msg(d.len == 1, "%s: %zu messages", cases[i].name, d.len);
        ck_assert_str_eq(d.msgs[0].text, cases[i].message);
        ck_assert_msg(d.msgs[0].line == cases[i].line && d.msgs[0].col == cases[i].col,
                      "%s: at %d:%d", cases[i].name, d.msgs[0].line, d.msgs[0].col);
        ytree_release(&t);
        diag_release(&d);
    }
}
END_TEST

/* Explicit tags are kept (and copied), untagged scalars have none, "!" is a string. */
START_TEST(test_tags_kept)
{
    struct ytree t;
    struct diag d;
    const char *text = "a: !!str 8\nb: 8\nc: ! 8\nd: !!int -3\ne: !!float .inf\nf: !!float 1e5\n"
                       "g: !!bool False\nh: !!null ~\ni: !!seq [1]\nj: !!map {}\n"
                       "k: !<tag:yaml.org,2002:int> 4\nl: !!float -2.\n";
    ck_assert_int_eq(parse(text, strlen(text), &t, &d), 0);
    const struct {
        const char *key;
        enum ynode_tag tag;
    } want[] = {{"a", YTAG_STR},   {"b", YTAG_NONE},  {"c", YTAG_STR},  {"d", YTAG_INT},
                {"e", YTAG_FLOAT}, {"f", YTAG_FLOAT}, {"g", YTAG_BOOL}, {"h", YTAG_NULL},
                {"i", YTAG_SEQ},   {"j", YTAG_MAP},   {"k", YTAG_INT},  {"l", YTAG_FLOAT}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(ynode_get(t.root, want[i].key, NULL)->tag == want[i].tag, "%s: tag %d",
                      want[i].key, ynode_get(t.root, want[i].key, NULL)->tag);
    struct ynode *a = ynode_get(t.root, "a", NULL);
    ck_assert_int_eq(ynode_copy(&t, a)->tag, YTAG_STR);
    ck_assert(!ynode_tag_allows(a, YTAG_INT));
    ck_assert(ynode_tag_allows(a, YTAG_STR));
    ck_assert(ynode_tag_allows(ynode_get(t.root, "b", NULL), YTAG_INT));
    ck_assert(ynode_tag_allows(ynode_get(t.root, "d", NULL), YTAG_FLOAT));
    ck_assert(!ynode_tag_allows(ynode_get(t.root, "e", NULL), YTAG_INT));
    ck_assert_str_eq(ynode_tag_name(YTAG_STR), "!!str");
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

/* Processor time this process used since `a` (CLOCK_PROCESS_CPUTIME_ID): what the parser costs,
 * not how busy the machine is with other work (wall-clock bounds failed on a loaded machine). */
/* Sanitized builds run several times slower; the bounds below are for an optimised build. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOWDOWN 5.0
#else
#define SLOWDOWN 1.0
#endif

static double seconds(struct timespec a)
{
    struct timespec b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    return (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
}

START_TEST(test_deep_nesting_refused_fast)
{
    size_t n = 100000;
    char *text = malloc(2 * n + 1);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(parse(text, 2 * n, &t, &d), 0);
    ck_assert_str_eq(d.msgs[0].text, "nested too deeply (more than 64 levels)");
    ck_assert(seconds(t0) < 1.0 * SLOWDOWN);
    ytree_release(&t);
    diag_release(&d);
    free(text);
}
END_TEST

START_TEST(test_billion_laughs_refused_at_first_anchor)
{
    const char *text =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(parse(text, strlen(text), &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text, "YAML anchors ('&a') are not supported");
    ck_assert_uint_lt(t.nodes, 10);
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

START_TEST(test_node_limit)
{
    /* A flat list of 1.2 million items: refused at the node limit, in bounded time. */
    size_t items = 1200000;
    char *text = malloc(3 * items + 3);
    char *p = text;
    *p++ = '[';
    for (size_t i = 0; i < items; i++) {
        *p++ = '1';
        *p++ = ',';
    }
    p[-1] = ']';
    *p = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(parse(text, (size_t)(p - text), &t, &d), 0);
    ck_assert_str_eq(d.msgs[0].text, "document too large: more than 1000000 YAML nodes");
    ck_assert_uint_eq(t.nodes, YTREE_MAX_NODES);
    ck_assert(seconds(t0) < 2.0 * SLOWDOWN);
    ytree_release(&t);
    diag_release(&d);
    free(text);
}
END_TEST

START_TEST(test_size_limit_and_empty)
{
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(parse("a: 1", (size_t)YTREE_MAX_BYTES + 1, &t, &d), 0);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "file too large"));
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_eq(parse("", 0, &t, &d), 0);
    ck_assert_ptr_null(t.root);
    ytree_release(&t);
    diag_release(&d);
    ck_assert_int_eq(parse("# only a comment\n", 17, &t, &d), 0);
    ck_assert_ptr_null(t.root);
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

START_TEST(test_load_file_errors)
{
    struct ytree t;
    struct diag d;
    ytree_init(&t);
    diag_init(&d);
    ck_assert_int_lt(ytree_load_file(&t, "/nonexistent/s.yaml", &d), 0);
    ck_assert_str_eq(d.msgs[0].text, "cannot open: No such file or directory");
    ck_assert_int_lt(ytree_load_file(&t, "/", &d), 0); /* a directory */
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

START_TEST(test_copy_and_set)
{
    struct ytree t;
    struct diag d;
    const char *text = "a: {b: 1}\n";
    ck_assert_int_eq(parse(text, strlen(text), &t, &d), 0);
    struct ynode *copy = ynode_copy(&t, t.root);
    struct ynode *key = ynode_new(&t, YNODE_SCALAR, "x", 1, 1);
    key->text = strdup("c");
    struct ynode *val = ynode_new(&t, YNODE_SCALAR, "x", 1, 1);
    val->text = strdup("2");
    ck_assert_int_eq(ynode_set(&t, copy, key, val), 0);
    ck_assert_ptr_nonnull(ynode_get(copy, "c", NULL));
    ck_assert_ptr_null(ynode_get(t.root, "c", NULL)); /* the original is untouched */
    ck_assert_str_eq(ynode_get(ynode_get(copy, "a", NULL), "b", NULL)->text, "1");
    ytree_release(&t);
    diag_release(&d);
}
END_TEST

/* Duplicate keys are found in big mappings too, through the hashed key set. */
START_TEST(test_duplicate_in_large_mapping)
{
    size_t n = 20000;
    char *text = malloc(n * 16 + 64), *p = text;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "k%zu: 1\n", i);
    p += sprintf(p, "k17: 2\n");
    struct ytree t;
    struct diag d;
    ck_assert_int_lt(parse(text, (size_t)(p - text), &t, &d), 0);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.msgs[0].text, "duplicate key 'k17' (first at line 18, column 1)");
    ck_assert_int_eq(d.msgs[0].line, 20001);
    ytree_release(&t);
    diag_release(&d);
    /* and no false alarm without a duplicate */
    ck_assert_int_eq(parse(text, (size_t)(p - text) - 7, &t, &d), 0);
    ck_assert_uint_eq(t.root->n, 2 * n);
    ytree_release(&t);
    diag_release(&d);
    free(text);
}
END_TEST

static Suite *ytree_suite(void)
{
    Suite *s = suite_create("ytree");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_positions_and_quoting);
    tcase_add_test(tc, test_hostile_inputs);
    tcase_add_test(tc, test_tags_kept);
    tcase_add_test(tc, test_deep_nesting_refused_fast);
    tcase_add_test(tc, test_billion_laughs_refused_at_first_anchor);
    tcase_add_test(tc, test_node_limit);
    tcase_add_test(tc, test_size_limit_and_empty);
    tcase_add_test(tc, test_load_file_errors);
    tcase_add_test(tc, test_copy_and_set);
    tcase_add_test(tc, test_duplicate_in_large_mapping);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(ytree_suite)
