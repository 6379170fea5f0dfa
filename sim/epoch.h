/*
 * epoch — the fixed wall-clock time of a reproducible run, from SOURCE_DATE_EPOCH.
 *
 * Concept: results files carry the time they were started and finished; two runs of one
 * scenario give byte-identical files only when that time is fixed. The reproducible-builds
 * convention (reproducible-builds.org/specs/source-date-epoch) fixes it with the environment
 * variable SOURCE_DATE_EPOCH: the number of seconds since 1970-01-01 00:00:00 UTC, written as
 * `date +%s` writes it. Every command that stamps a time reads it here, so all of them accept
 * and refuse the same values.
 *
 * Accepted: one or more decimal digits and nothing else (no sign, no spaces, no fraction, no
 * other base), at most EPOCH_MAX (9999-12-31T23:59:59Z, the last second an ISO 8601 stamp with a
 * four-digit year can show). Anything else set in the variable, the empty string included, is an
 * error, never read as 0 or as "unset": the convention asks a consumer to fail on a malformed
 * value rather than guess. Messages (without a location, so they print "splitsim: error: ..."):
 *
 *   SOURCE_DATE_EPOCH: expected a decimal integer >= 0 (seconds since 1970-01-01 00:00:00 UTC),
 *     got '12x'
 *   SOURCE_DATE_EPOCH: expected a decimal integer >= 0 (seconds since 1970-01-01 00:00:00 UTC),
 *     got '' (set but empty; unset it to use the clock)
 *   SOURCE_DATE_EPOCH: expected at most 253402300799 (9999-12-31T23:59:59Z), got '99999999999999'
 *
 * (each on one line; the value is quoted cut to DIAG_EXCERPT bytes). Invariants: on success the
 * value is in [0, EPOCH_MAX]; on failure exactly one error is reported and the output is left
 * untouched.
 */
#ifndef SPLITSIM_SIM_EPOCH_H
#define SPLITSIM_SIM_EPOCH_H

#include <stdint.h>

#include "sim/diag.h"

#define EPOCH_ENV "SOURCE_DATE_EPOCH"
#define EPOCH_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/*
 * Parses `text` as a value of SOURCE_DATE_EPOCH into *seconds. 0, or -EINVAL with the message
 * above in d.
 */
int epoch_parse(const char *text, int64_t *seconds, struct diag *d);

/*
 * Reads SOURCE_DATE_EPOCH from the environment: 0 with *seconds = -1 when it is not set (the
 * caller uses the clock; -1 is what rec_options.wallclock takes for that), 0 with its value, or
 * -EINVAL with a message in d when it is set to anything but an accepted value.
 */
int epoch_from_env(int64_t *seconds, struct diag *d);

#endif
