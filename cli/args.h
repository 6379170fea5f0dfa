/*
 * args — command-line options of the subcommands, parsed without global state.
 *
 * Concept: each subcommand declares a table of options; args_parse binds argv against it and
 * reports every problem (unknown option with a "did you mean", missing value, repeated option)
 * into a struct diag, naming the offending argument by its position. Typed converters turn an
 * option's text into a checked number; they report what was found and what was expected.
 *
 * Invariants: argv is not modified; values point into argv; a later occurrence of a value
 * option is an error, not a silent override, unless the option is repeatable; "--" ends the
 * options.
 */
#ifndef SPLITSIM_CLI_ARGS_H
#define SPLITSIM_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"

#define ARGS_MAX_POSITIONAL 16

struct args_opt {
    const char *name;    /* long name without dashes, e.g. "arrival-rate" */
    char short_name;     /* e.g. 'o', or 0 */
    const char *metavar; /* NULL for a flag, else the value's name in help, e.g. "RATE" */
    const char *help;    /* one line; "(default: ...)" included where there is one */
    bool repeatable;     /* may be given several times (see args_all) */
};

struct args {
    const struct args_opt *opts;
    size_t nopts;
    const char **values; /* per option: its (last) value, "" for a set flag, NULL if absent */
    const char **all;    /* every value of repeatable options, in order */
    int *all_opt;        /* which option each entry of `all` belongs to */
    size_t nall;
    int *where; /* per option: argv index where it was given, 0 if absent */
    const char *positional[ARGS_MAX_POSITIONAL];
    size_t npositional;
    bool help; /* -h or --help was given */
};

/*
 * Parses argv[first..argc). Returns 0, or -EINVAL with messages in d (all problems, not just
 * the first). -ENOMEM on allocation failure. Call args_release afterwards in every case.
 */
int args_parse(struct args *a, const struct args_opt *opts, size_t nopts, int argc,
               char *const *argv, int first, struct diag *d);
void args_release(struct args *a);

/* The value of option `name` (NULL if absent); a set flag gives "". */
const char *args_get(const struct args *a, const char *name);

/* The values of repeatable option `name` in the order given; *n gets their number. The array
 * is allocated (caller frees); NULL when there are none. */
const char **args_all(const struct args *a, const char *name, size_t *n);

/* True if flag or option `name` was given. */
static inline bool args_has(const struct args *a, const char *name)
{
    return args_get(a, name) != NULL;
}

/*
 * Converters: if option `name` is present, parse it into *out and check its range; leave *out
 * alone when absent. On bad text or range, report "--name: expected ..., got '...'" and return
 * -EINVAL.
 */
int args_uint64(const struct args *a, const char *name, uint64_t min, uint64_t max, uint64_t *out,
                struct diag *d);

/* Prints "usage" lines for the options to out. */
void args_print_help(FILE *out, const struct args_opt *opts, size_t nopts);

#endif
