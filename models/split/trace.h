/*
 * trace — request arrivals read from a file: when, from which UE, and how many tokens.
 *
 * Concept: a CSV text file, one request per line, `time_s,ue,prompt_tokens,output_tokens`
 * (time in seconds from the start of the run, UE number from 0, token counts >= 1). Blank lines
 * and lines starting with '#' are skipped; a first line that reads exactly
 * `time_s,ue,prompt_tokens,output_tokens` is a header. Times must not decrease (a trace is a
 * log, written in time order); every problem is reported with file:line:col.
 *
 * What a field may hold: the time is a plain decimal number, optionally with an exponent ("12",
 * "0.25", "1e3"), at most 9e9 s; the UE number and the token counts are digits only. The limits
 * are the scenario schema's (scn/scn.h): UE numbers below SCN_MAX_UES, token counts in
 * [1, SCN_MAX_TOKENS]. Signs, hex, inf, nan and NUL bytes are refused; the file must be a
 * regular file of at most 1 GiB.
 *
 * Invariants of a loaded trace: 0 <= time[i] <= time[i+1]; ue < SCN_MAX_UES;
 * 1 <= prompt, output <= SCN_MAX_TOKENS.
 */
#ifndef SPLITSIM_MODELS_TRACE_H
#define SPLITSIM_MODELS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

struct trace_entry {
    int64_t time_ns;
    uint32_t ue;
    uint32_t prompt, output;
};

struct trace {
    struct trace_entry *v;
    size_t n;
};

/* Parses `len` bytes of text named `name`. 0, or -EINVAL / -ENOMEM with messages in d (and
 * nothing held). */
int trace_parse(struct trace *t, const char *name, const char *text, size_t len, struct diag *d);

/* Reads and parses a file. */
int trace_load(struct trace *t, const char *path, struct diag *d);

void trace_release(struct trace *t);

#endif
