/*
 * bench: speed measurements of the simulator itself.
 *
 * `splitsim bench events` runs the classic hold model (Jones 1986; Vaucher and Duval 1975):
 * P events are pending; processing one schedules exactly one more at now + Exp(mean 1 ms), so
 * the pending set stays at P while its time profile reaches steady state. Each repetition
 * builds a fresh simulation, schedules the P initial events, runs P untimed warm-up events, then
 * times E events (handler call, one exponential draw, one push and one pop each). The median
 * over the repetitions is printed, one line per P:
 *
 *     P=1000 events=10000000 events_per_s=2.1e+07
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "sim/rng.h"
#include "sim/sim.h"

static const struct args_opt bench_opts[] = {
    {"pending", 0, "LIST", "comma-separated pending-set sizes P (default: 1000,100000,1000000)",
     false},
    {"events", 0, "N", "timed events per repetition (default: 10000000)", false},
    {"repeat", 0, "N", "repetitions per P; the median is printed (default: 5)", false},
    {"queue", 0, "NAME", "event-queue implementation: quad-heap, binary-heap (default: quad-heap)",
     false},
    {"seed", 0, "N", "seed of the benchmark's random stream (default: 1)", false},
};
#define NBENCH_OPTS (sizeof bench_opts / sizeof bench_opts[0])
#define MAX_SIZES   16
#define MAX_REPEAT  101

struct hold {
    struct rng rng;
    double mean_ns;
};

static void hold_event(struct sim *sim, void *obj, uint64_t data)
{
    struct hold *h = obj;
    sim_schedule_in(sim, rng_exponential_ns(&h->rng, h->mean_ns), 0, hold_event, h, data);
}

/* One repetition; returns events per second, or a negative value when out of memory. */
static double hold_once(const struct evq_type *queue, uint64_t pending, uint64_t events,
                        uint64_t seed, uint32_t rep)
{
    struct sim sim;
    struct hold h = {.mean_ns = 1e6};
    if (sim_init(&sim, queue, (uint32_t)pending + 1) < 0)
        return -1;
    if (rng_init(&h.rng, seed, rep, RNG_KIND_BENCH, pending) < 0) {
        sim_release(&sim);
        return -1;
    }
    for (uint64_t i = 0; i < pending; i++)
        sim_schedule(&sim, rng_exponential_ns(&h.rng, h.mean_ns), 0, hold_event, &h, 0);
    sim_run(&sim, SIM_TIME_MAX, pending); /* warm-up */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum sim_stop why = sim_run(&sim, SIM_TIME_MAX, events);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    rng_release(&h.rng);
    sim_release(&sim);
    if (why != SIM_STOP_COUNT)
        return -1;
    return (double)events / secs;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int parse_sizes(const char *list, uint64_t *sizes, size_t *n, struct diag *d)
{
    *n = 0;
    const char *p = list;
    while (*p) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || v < 1 || v > 100000000 || (*end && *end != ',') || *p == '-') {
            diag_error(d,
                       "--pending: expected comma-separated integers in [1, 100000000], got "
                       "'%s'",
                       list);
            return -EINVAL;
        }
        if (*n == MAX_SIZES) {
            diag_error(d, "--pending: at most %d sizes, got more in '%s'", MAX_SIZES, list);
            return -EINVAL;
        }
        sizes[(*n)++] = v;
        p = *end ? end + 1 : end;
    }
    if (*n == 0) {
        diag_error(d, "--pending: expected at least one size, got ''");
        return -EINVAL;
    }
    return 0;
}

static void bench_usage(FILE *out)
{
    fprintf(out, "usage: splitsim bench events [OPTIONS]\n\n"
                 "Runs the hold model: P pending events, each processed event schedules one more\n"
                 "at now + Exp(1 ms). Prints one line per P: P=<n> events=<n> events_per_s=<x>,\n"
                 "the median over the repetitions.\n\noptions:\n");
    args_print_help(out, bench_opts, NBENCH_OPTS);
}

int cmd_bench(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    int first = 1;
    bool events_bench = argc > 1 && strcmp(argv[1], "events") == 0;
    if (events_bench)
        first = 2;
    int rc = args_parse(&a, bench_opts, NBENCH_OPTS, argc, argv, first, &d);
    if (a.help) {
        bench_usage(io->out);
        args_release(&a);
        diag_release(&d);
        return CLI_OK;
    }
    if (!events_bench)
        diag_error(&d, "expected a benchmark name: events%s%s%s", argc > 1 ? ", got '" : "",
                   argc > 1 ? argv[1] : "", argc > 1 ? "'" : "");
    else if (a.npositional)
        diag_error(&d, "unexpected argument '%s'", a.positional[0]);
    uint64_t sizes[MAX_SIZES] = {1000, 100000, 1000000};
    size_t nsizes = 3;
    uint64_t events = 10000000, repeat = 5, seed = 1;
    const char *list = args_get(&a, "pending");
    if (list)
        parse_sizes(list, sizes, &nsizes, &d);
    args_uint64(&a, "events", 1, UINT64_C(1) << 40, &events, &d);
    args_uint64(&a, "repeat", 1, MAX_REPEAT, &repeat, &d);
    args_uint64(&a, "seed", 0, UINT64_MAX, &seed, &d);
    const struct evq_type *queue = evq_types[0];
    const char *qname = args_get(&a, "queue");
    if (qname && !(queue = evq_type_find(qname)))
        diag_error(&d, "--queue: expected quad-heap or binary-heap, got '%s'", qname);
    args_release(&a);
    if (rc < 0 || diag_error_count(&d)) {
        diag_print(&d, io->err, "splitsim");
        diag_release(&d);
        return CLI_BAD_INPUT;
    }
    diag_release(&d);

    fprintf(io->err, "# hold model, queue %s, median of %" PRIu64 " repetition(s), mean gap 1 ms\n",
            queue->name, repeat);
    for (size_t i = 0; i < nsizes; i++) {
        double rates[MAX_REPEAT];
        for (uint64_t r = 0; r < repeat; r++) {
            rates[r] = hold_once(queue, sizes[i], events, seed, (uint32_t)r);
            if (rates[r] < 0) {
                fprintf(io->err, "splitsim: error: out of memory at P=%" PRIu64 "\n", sizes[i]);
                return CLI_FAILURE;
            }
        }
        qsort(rates, repeat, sizeof rates[0], cmp_double);
        double median =
            repeat % 2 ? rates[repeat / 2] : 0.5 * (rates[repeat / 2 - 1] + rates[repeat / 2]);
        fprintf(io->out, "P=%" PRIu64 " events=%" PRIu64 " events_per_s=%.4g\n", sizes[i], events,
                median);
        fflush(io->out);
    }
    return CLI_OK;
}
