/*
 * invariant — always-on assertions for programmer mistakes.
 *
 * SIM_ASSERT stays active in release builds (unlike assert()), because a broken invariant in a
 * simulator silently produces wrong science. It is only for bugs in the calling code (scheduling
 * into the past, cancelling a foreign handle); bad user input is reported through struct diag and
 * never reaches an assertion.
 */
#ifndef SPLITSIM_SIM_INVARIANT_H
#define SPLITSIM_SIM_INVARIANT_H

#include <stdio.h>
#include <stdlib.h>

#define SIM_ASSERT(cond, ...)                                                                      \
    do {                                                                                           \
        if (__builtin_expect(!(cond), 0)) {                                                        \
            fprintf(stderr, "%s:%d: %s: invariant '%s' violated: ", __FILE__, __LINE__, __func__,  \
                    #cond);                                                                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
