#include "cli/args.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int find_long(const struct args_opt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

static int find_short(const struct args_opt *opts, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name && opts[i].short_name == c)
            return (int)i;
    return -1;
}

static void unknown_option(const struct args *a, int at, const char *arg, struct diag *d)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < a->nopts && n < 64; i++)
        names[n++] = a->opts[i].name;
    const char *word = arg;
    while (*word == '-')
        word++;
    char *base = strndup(word, strcspn(word, "="));
    const char *near = base ? diag_nearest(base, names, n) : NULL;
    if (near)
        diag_error(d, "argument %d: unknown option '%s' (did you mean '--%s'?)", at, arg, near);
    else
        diag_error(d, "argument %d: unknown option '%s' (see --help)", at, arg);
    free(base);
}

static void bind(struct args *a, int opt, const char *value, int at, struct diag *d)
{
    if (a->opts[opt].repeatable) {
        const char **all = realloc(a->all, (a->nall + 1) * sizeof *all);
        int *which = realloc(a->all_opt, (a->nall + 1) * sizeof *which);
        if (all)
            a->all = all;
        if (which)
            a->all_opt = which;
        if (!all || !which) {
            diag_error(d, "out of memory");
            return;
        }
        a->all[a->nall] = value;
        a->all_opt[a->nall++] = opt;
        a->values[opt] = value;
        a->where[opt] = at;
        return;
    }
    if (a->where[opt]) {
        diag_error(d, "argument %d: option '--%s' given twice (first as argument %d)", at,
                   a->opts[opt].name, a->where[opt]);
        return;
    }
    a->values[opt] = value;
    a->where[opt] = at;
}

int args_parse(struct args *a, const struct args_opt *opts, size_t nopts, int argc,
               char *const *argv, int first, struct diag *d)
{
    memset(a, 0, sizeof *a);
    a->opts = opts;
    a->nopts = nopts;
    a->values = calloc(nopts ? nopts : 1, sizeof *a->values);
    a->where = calloc(nopts ? nopts : 1, sizeof *a->where);
    if (!a->values || !a->where) {
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    size_t errors_before = diag_error_count(d);
    bool options_done = false;
    for (int i = first; i < argc; i++) {
        /* Positions in messages count the words after the program name ("run" is 1). */
        const int at = i + 1;
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (a->npositional == ARGS_MAX_POSITIONAL)
                diag_error(d, "argument %d: too many arguments ('%s')", at, arg);
            else
                a->positional[a->npositional++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            a->help = true;
            continue;
        }
        int opt;
        const char *value = NULL;
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            opt = find_long(opts, nopts, name, len);
            if (eq)
                value = eq + 1;
        } else {
            opt = arg[2] == '\0' ? find_short(opts, nopts, arg[1]) : -1;
        }
        if (opt < 0) {
            unknown_option(a, at, arg, d);
            /* Most likely a misspelt value option: skip its value too, so one typo gives one
             * error rather than a second one about a stray argument. */
            if (arg[1] == '-' && !value && i + 1 < argc && argv[i + 1][0] != '-')
                i++;
            continue;
        }
        if (!opts[opt].metavar) {
            if (value)
                diag_error(d, "argument %d: option '--%s' takes no value, got '%s'", at,
                           opts[opt].name, value);
            else
                bind(a, opt, "", at, d);
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) {
                diag_error(d, "argument %d: option '%s' expects a value (%s)", at, arg,
                           opts[opt].metavar);
                continue;
            }
            value = argv[++i];
        }
        bind(a, opt, value, at, d);
    }
    return diag_error_count(d) > errors_before ? -EINVAL : 0;
}

void args_release(struct args *a)
{
    free(a->values);
    free(a->where);
    free(a->all);
    free(a->all_opt);
    a->values = NULL;
    a->where = NULL;
    a->all = NULL;
    a->all_opt = NULL;
    a->nall = 0;
}

const char **args_all(const struct args *a, const char *name, size_t *n)
{
    *n = 0;
    const char **out = NULL;
    for (size_t i = 0; i < a->nall; i++) {
        if (strcmp(a->opts[a->all_opt[i]].name, name) != 0)
            continue;
        const char **grown = realloc(out, (*n + 1) * sizeof *grown);
        if (!grown) {
            free(out);
            *n = 0;
            return NULL;
        }
        out = grown;
        out[(*n)++] = a->all[i];
    }
    return out;
}

static int index_of(const struct args *a, const char *name)
{
    for (size_t i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *args_get(const struct args *a, const char *name)
{
    int i = index_of(a, name);
    return i < 0 ? NULL : a->values[i];
}

int args_uint64(const struct args *a, const char *name, uint64_t min, uint64_t max, uint64_t *out,
                struct diag *d)
{
    int i = index_of(a, name);
    if (i < 0 || !a->values[i])
        return 0;
    const char *s = a->values[i];
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || s[0] == '-' || s[0] == '+' ||
        (s[0] == ' ' || s[0] == '\t')) {
        diag_error(d, "argument %d: --%s: expected a non-negative integer, got '%s'", a->where[i],
                   name, s);
        return -EINVAL;
    }
    if (v < min || v > max) {
        diag_error(d,
                   "argument %d: --%s: expected an integer in [%" PRIu64 ", %" PRIu64 "], got '%s'",
                   a->where[i], name, min, max, s);
        return -EINVAL;
    }
    *out = v;
    return 0;
}

void args_print_help(FILE *out, const struct args_opt *opts, size_t nopts)
{
    for (size_t i = 0; i < nopts; i++) {
        char left[64];
        if (opts[i].short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].short_name, opts[i].name,
                     opts[i].metavar ? " " : "", opts[i].metavar ? opts[i].metavar : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
                     opts[i].metavar ? opts[i].metavar : "");
        fprintf(out, "  %-28s %s\n", left, opts[i].help);
    }
    fprintf(out, "  %-28s %s\n", "-h, --help", "show this help and exit");
}
