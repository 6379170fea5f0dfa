/*
 * fuzz_scenario — libFuzzer harness for the scenario loader.
 *
 * Feeds arbitrary bytes to scn_load_text (YAML parse -> tree -> bind against the schema ->
 * sweep validation of every point) and prints the collected diagnostics to /dev/null, so the
 * message formatting is exercised too. Any input must either load or fail with diagnostics;
 * a crash, sanitizer report, leak, hang or runaway allocation is a bug in the loader.
 *
 * diag_print quotes the source line under each message by re-opening the named file. So that
 * this path is fuzzed as well, the input is named "<private temp dir>/fuzz.yaml" and written
 * there before printing (fuzz_common.h).
 *
 * Two extra properties are checked when an input loads; a violation aborts:
 *   - scn.h's invariant: the resolved text binds back to an identical scenario (same text, same
 *     hash);
 *   - sweep_validate (which binds each axis value once and cross-checks every combination) agrees
 *     with sweep_point (which grafts a point's values onto a copy of the tree and binds it like a
 *     file): every point of a sweep that validated must bind. Up to 8 points are checked (all
 *     when there are at most 8: the first, the last and evenly spaced ones otherwise), and each
 *     is printed with sweep_print_point to /dev/null.
 *
 * Built two ways (tests/fuzz/meson.build): linked with libFuzzer as fuzz_scenario (clang, the
 * `fuzz` build option), and linked with replay.c as fuzz_replay, whose main() runs stored inputs
 * (the fuzz-regression test, any compiler).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "scn/scn.h"
#include "scn/sweep.h"
#include "scn/ytree.h"
#include "sim/diag.h"
#include "tests/fuzz/fuzz_common.h"

/* The resolved text must load again, to the same resolved text and hash. */
static void fuzz_check_roundtrip(const struct scn *s)
{
    struct ytree t;
    ytree_init(&t);
    struct diag d;
    diag_init(&d);
    struct scn again;
    int rc = scn_load_text(&again, &t, "resolved.yaml", s->resolved, strlen(s->resolved),
                           &models_catalog, &d);
    if (rc != 0) {
        fprintf(stderr, "fuzz_scenario: resolved scenario does not load again (rc %d):\n%s\n", rc,
                s->resolved);
        diag_print(&d, stderr, "splitsim");
        abort();
    }
    if (strcmp(again.resolved, s->resolved) != 0 || again.hash != s->hash) {
        fprintf(stderr,
                "fuzz_scenario: resolved scenario is not a fixed point:\n--- first\n%s"
                "--- again\n%s",
                s->resolved, again.resolved);
        abort();
    }
    scn_release(&again);
    ytree_release(&t);
    diag_release(&d);
}

/* Every sampled point of a validated sweep must bind on its own. */
static void fuzz_check_points(const struct ytree *t, const struct scn *base)
{
    struct diag d;
    diag_init(&d);
    struct sweep sw;
    if (sweep_init(&sw, t, base, &d) != 0) {
        fprintf(stderr, "fuzz_scenario: sweep_init fails after a successful load:\n");
        diag_print(&d, stderr, "splitsim");
        abort();
    }
    const uint64_t nsample = 8;
    uint64_t n = sw.points < nsample ? sw.points : nsample;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t p = sw.points <= nsample ? i : i * (sw.points - 1) / (nsample - 1);
        struct scn s;
        if (sweep_point(&sw, t, p, &s, &d) != 0) {
            fprintf(stderr,
                    "fuzz_scenario: sweep point %llu of %llu does not bind, but "
                    "sweep_validate accepted the sweep:\n",
                    (unsigned long long)p, (unsigned long long)sw.points);
            diag_print(&d, stderr, "splitsim");
            abort();
        }
        sweep_print_point(&sw, p, &s, fuzz_devnull());
        scn_release(&s);
    }
    sweep_release(&sw);
    diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *name = fuzz_input_name("fuzz.yaml");
    struct ytree t;
    ytree_init(&t);
    struct diag d;
    diag_init(&d);
    struct scn s;
    if (scn_load_text(&s, &t, name, (const char *)data, size, &models_catalog, &d) == 0) {
        fuzz_check_roundtrip(&s);
        fuzz_check_points(&t, &s);
        scn_release(&s);
    }
    if (d.len)
        fuzz_write_input(data, size);
    diag_print(&d, fuzz_devnull(), "splitsim");
    ytree_release(&t);
    diag_release(&d);
    return 0;
}
