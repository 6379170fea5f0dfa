/*
 * tables: the cost-model catalogue, cost tables, and their calibration against measurements.
 *
 *   splitsim tables list
 *       the built-in architectures and devices, with their key numbers and sources, and the
 *       bundled tables;
 *   splitsim tables show MODEL DEVICE [--csv] | --table FILE [--csv] | --quality FILE
 *       prints a cost table readably (bundled, else derived; or the file given), or as CSV rows,
 *       or a quality table;
 *   splitsim tables derive MODEL DEVICE [-o FILE]
 *       writes the cost table the roofline gives for the model on the device (models/llm/derive.h);
 *   splitsim tables profile MODEL [--device NAME] [-o FILE] ...
 *       measures one block of the model on this CPU (models/llm/profile.h) into a measured table;
 *   splitsim tables peaks
 *       measures this machine's FP32 GEMM rate and weight-streaming bandwidth;
 *   splitsim tables compare --table FILE
 *       sets a table beside the roofline's for the same model and device;
 *   splitsim tables calibrate --vidur FILE --model NAME --device NAME
 *       fits the device's roofline efficiencies (eta compute, eta memory, launch cost) to a
 *       Microsoft Vidur per-operator profile (mlp.csv: one decoder block without attention,
 *       FP16, by token count) and prints the fit and its error per token count and operator
 *       (the fit itself: models/llm/calibrate.h).
 *       The fitted numbers are what models/llm/device.c records for calibrated devices;
 *   splitsim tables schema
 *       the keys of architecture and device files (models/llm/specfile.h), as Markdown.
 * One table (tables_commands[]) dispatches them and writes `splitsim tables --help`.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "sim/epoch.h"
#include "sim/outfile.h"
#include "models/llm/arch.h"
#include "models/llm/calibrate.h"
#include "models/llm/cost.h"
#include "models/llm/derive.h"
#include "models/llm/device.h"
#include "models/llm/profile.h"
#include "models/llm/qtable.h"
#include "models/llm/roofline.h"
#include "models/llm/specfile.h"
#include "sim/version.h"
#include "splitsim_config.h"

#define COUNT_OF(array) (sizeof array / sizeof array[0])

/* A subcommand's options and its --help text. */
struct subcommand_spec {
    const char *usage; /* printed for --help */
    const struct args_opt *opts;
    size_t nopts;
    bool help_lists_options; /* --help prints the options' help after `usage` */
};

/* What a subcommand holds while it runs: its diagnostics and its parsed arguments. */
struct subcommand {
    struct diag diag;
    struct args args;
};

/* Parses `splitsim tables SUB ...` (argv[1] is SUB) against spec's options; with --help, prints
 * the help to `out` and returns true (the subcommand is then done, but for subcommand_end). */
static bool subcommand_start(struct subcommand *s, const struct subcommand_spec *spec, int argc,
                             char **argv, FILE *out)
{
    diag_init(&s->diag);
    args_parse(&s->args, spec->opts, spec->nopts, argc, argv, 2, &s->diag);
    if (!s->args.help)
        return false;
    fputs(spec->usage, out);
    if (spec->help_lists_options)
        args_print_help(out, spec->opts, spec->nopts);
    return true;
}

static void subcommand_release(struct subcommand *s)
{
    args_release(&s->args);
    diag_release(&s->diag);
}

/* Prints the diagnostics, releases s and returns `status`. */
static int subcommand_end(struct subcommand *s, const struct cli_io *io, int status)
{
    diag_print(&s->diag, io->err, "splitsim");
    subcommand_release(s);
    return status;
}

static const struct args_opt calibrate_opts[] = {
    {"vidur", 0, "FILE", "Vidur mlp.csv profile of one decoder block", false},
    {"model", 0, "NAME", "architecture the profile measured (see 'splitsim tables list')", false},
    {"device", 0, "NAME", "device the profile ran on; its datasheet peaks are used", false},
};
static const struct subcommand_spec calibrate_spec = {
    "usage: splitsim tables calibrate --vidur FILE --model NAME --device NAME\n\n"
    "Fits a device's roofline efficiencies to a Vidur per-operator profile and\n"
    "prints the error per token count and per operator.\n\noptions:\n",
    calibrate_opts, COUNT_OF(calibrate_opts), true};

/* Token counts the report shows: the block (when measured), and each operator. */
static const double report_block_tokens[] = {1,   2,   8,    16,   64,   128,
                                             256, 512, 1024, 2048, 3072, 4096};
static const double report_op_tokens[] = {1, 64, 512, 4096};

static void print_block_errors(FILE *out, const struct arch *a, const struct device *fitted,
                               const struct calib_profile *pr)
{
    fprintf(out, "\n| tokens | measured block (ms) | roofline (ms) | error |\n|---|---|---|---|\n");
    for (size_t s = 0; s < COUNT_OF(report_block_tokens); s++) {
        const struct calib_point *p = calib_profile_find(pr, report_block_tokens[s]);
        if (!p)
            continue;
        struct calib_residual r = calib_block_residual(a, fitted, p);
        fprintf(out, "| %g | %.4f | %.4f | %+.1f %% |\n", r.tokens, r.measured_s * 1e3,
                r.model_s * 1e3, 100 * r.error);
    }
}

static void print_op_errors(FILE *out, const struct arch *a, const struct device *fitted,
                            const struct calib_profile *pr)
{
    struct roofline_op ops[ROOFLINE_MAX_OPS];
    size_t nops = roofline_block_ops(a, ops);
    fprintf(out, "\nper operator, error of the roofline (measured ms in parentheses):\n\n| op |");
    for (size_t s = 0; s < COUNT_OF(report_op_tokens); s++)
        fprintf(out, " %g tokens |", report_op_tokens[s]);
    fprintf(out, "\n|---|---|---|---|---|\n");
    for (size_t o = 0; o < nops; o++) {
        fprintf(out, "| %s |", ops[o].name);
        for (size_t s = 0; s < COUNT_OF(report_op_tokens); s++) {
            const struct calib_point *p = calib_profile_find(pr, report_op_tokens[s]);
            if (!p)
                continue;
            struct calib_residual r = calib_op_residual(a, o, fitted, p);
            if (r.measured_s > 0)
                fprintf(out, " %+.0f %% (%.3f) |", 100 * r.error, r.measured_s * 1e3);
            else
                fprintf(out, " - |");
        }
        fprintf(out, "\n");
    }
}

static void print_calibration(FILE *out, const char *path, const struct arch *a,
                              const struct device *base, const struct calib_profile *pr,
                              const struct calib_fit *f)
{
    double tmin, tmax;
    calib_profile_span(pr, &tmin, &tmax);
    fprintf(out, "# %s on %s: Vidur profile %s, %zu token counts (%g..%g)\n", a->name, base->name,
            path, pr->n, tmin, tmax);
    fprintf(
        out,
        "fit: eta_compute %.2f, eta_memory %.2f, eta_elementwise %.2f, overlap %g, GEMM tile %g "
        "tokens, launch %.1f us per kernel; block error max %.1f %%, mean %.1f %%\n",
        f->eta_compute, f->eta_memory, f->eta_elementwise, f->overlap, f->gemm_tile,
        f->launch_s * 1e6, 100 * f->max_error, 100 * f->mean_error);
    struct device fitted = *base;
    calib_apply(&fitted, f);
    print_block_errors(out, a, &fitted, pr);
    print_op_errors(out, a, &fitted, pr);
}

static int tables_calibrate(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (subcommand_start(&s, &calibrate_spec, argc, argv, io->out)) {
        subcommand_release(&s); /* with --help, argument errors go unreported here */
        return CLI_OK;
    }
    const char *path = args_get(&s.args, "vidur"), *mname = args_get(&s.args, "model"),
               *dname = args_get(&s.args, "device");
    const struct arch *arch = mname ? arch_find(mname) : NULL;
    const struct device *dev = dname ? device_find(dname) : NULL;
    if (!path)
        diag_error(&s.diag, "tables calibrate: expected --vidur FILE");
    if (!mname)
        diag_error(&s.diag, "tables calibrate: expected --model NAME");
    else if (!arch)
        diag_error(&s.diag, "--model: unknown architecture '%s' (see 'splitsim tables list')",
                   mname);
    if (!dname)
        diag_error(&s.diag, "tables calibrate: expected --device NAME");
    else if (!dev)
        diag_error(&s.diag, "--device: unknown device '%s' (see 'splitsim tables list')", dname);
    if (diag_error_count(&s.diag))
        return subcommand_end(&s, io, CLI_BAD_INPUT);
    struct calib_profile pr;
    struct calib_fit fit;
    int rc = calib_profile_read(&pr, path, arch, &s.diag);
    if (rc < 0) {
        rc = rc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
    } else if (calib_fit(arch, dev, &pr, &fit) < 0) {
        diag_error(&s.diag, "out of memory");
        rc = CLI_FAILURE;
    } else {
        print_calibration(io->out, path, arch, dev, &pr, &fit);
        rc = CLI_OK;
    }
    calib_profile_release(&pr);
    return subcommand_end(&s, io, rc);
}

/* The bundled tables live in SPLITSIM_TABLES_DIR/<kind>/<model>.<device>.yaml (kind: measured,
 * ...); SPLITSIM_TABLES (environment) overrides the directory. */
static const char *tables_dir(void)
{
    const char *env = getenv("SPLITSIM_TABLES");
    return env && *env ? env : SPLITSIM_TABLES_DIR;
}

static const char *const table_kinds[] = {"measured", NULL};

/* The path of the bundled table for (model, device), or NULL (caller frees). */
static char *bundled_table(const char *model, const char *device)
{
    for (size_t k = 0; table_kinds[k]; k++) {
        char *path = NULL;
        if (asprintf(&path, "%s/%s/%s.%s.yaml", tables_dir(), table_kinds[k], model, device) < 0)
            return NULL;
        if (access(path, R_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void list_bundled(FILE *out)
{
    fprintf(out, "\nbundled tables (%s):\n", tables_dir());
    size_t shown = 0;
    for (size_t k = 0; table_kinds[k]; k++) {
        char *dir = NULL;
        if (asprintf(&dir, "%s/%s", tables_dir(), table_kinds[k]) < 0)
            return;
        DIR *dp = opendir(dir);
        char *names[512];
        size_t n = 0;
        struct dirent *e;
        while (dp && (e = readdir(dp)) && n < 512) {
            size_t len = strlen(e->d_name);
            if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0 &&
                (names[n] = strndup(e->d_name, len - 5)))
                n++;
        }
        if (dp)
            closedir(dp);
        qsort(names, n, sizeof *names, name_cmp);
        for (size_t i = 0; i < n; i++) {
            /* model names contain dots (qwen2-0.5b): the device is after the last one */
            char *dot = strrchr(names[i], '.');
            if (dot) {
                *dot = '\0';
                fprintf(out, "  %-16s %-14s %s\n", names[i], dot + 1, table_kinds[k]);
                shown++;
            }
            free(names[i]);
        }
        free(dir);
    }
    if (!shown)
        fprintf(out, "  (none)\n");
    fprintf(out, "every other (model, device) pair of the lists above: derived by the roofline\n");
}

static const struct subcommand_spec list_spec = {
    "usage: splitsim tables list\n\n"
    "Prints the built-in architectures (layers, hidden and FFN sizes, KV heads,\n"
    "vocabulary, parameters) and devices (FP16 peak, memory bandwidth, power,\n"
    "efficiencies) with where their numbers come from, and the bundled tables.\n",
    NULL, 0, false};

/* A subcommand without options or arguments (list, schema): --help, or an error for anything
 * given. True when the caller is done (help printed, or an error in s->diag). */
static bool no_arguments(struct subcommand *s, const struct subcommand_spec *spec, const char *sub,
                         int argc, char **argv, FILE *out)
{
    if (subcommand_start(s, spec, argc, argv, out))
        return true;
    if (s->args.npositional)
        diag_error(&s->diag, "tables %s: unexpected argument '%s'", sub, s->args.positional[0]);
    return diag_error_count(&s->diag) > 0;
}

static int tables_list(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (no_arguments(&s, &list_spec, "list", argc, argv, io->out))
        return subcommand_end(&s, io, diag_error_count(&s.diag) ? CLI_BAD_INPUT : CLI_OK);
    fprintf(io->out, "architectures:\n  %-16s %6s %6s %6s %5s %8s %10s  %s\n", "name", "layers",
            "hidden", "ffn", "kv", "vocab", "params", "source");
    for (size_t i = 0; arch_catalogue[i]; i++) {
        const struct arch *a = arch_catalogue[i];
        fprintf(io->out, "  %-16s %6u %6u %6u %5u %8u %9.3fB  %s\n", a->name, a->layers, a->hidden,
                a->ffn, a->kv_heads, a->vocab, (double)arch_total_params(a) / 1e9, a->source);
    }
    fprintf(io->out, "\ndevices:\n  %-20s %12s %10s %7s %9s %9s %8s  %s\n", "name", "FP16 TFLOP/s",
            "mem GB/s", "power W", "eta comp", "eta mem", "launch", "source");
    for (size_t i = 0; device_catalogue[i]; i++) {
        const struct device *v = device_catalogue[i];
        fprintf(io->out, "  %-20s %12.1f %10.1f %7.0f %9.2f %9.2f %6.1fus  %s\n", v->name,
                v->peak_flops / 1e12, v->mem_bw / 1e9, v->power_w, v->eta_compute, v->eta_memory,
                v->launch_s * 1e6, v->source);
    }
    list_bundled(io->out);
    return subcommand_end(&s, io, CLI_OK);
}

static const struct args_opt derive_opts[] = {
    {"output", 'o', "FILE", "write the table here (default: standard output)", false},
};
static const struct subcommand_spec derive_spec = {
    "usage: splitsim tables derive MODEL DEVICE [-o FILE]\n\n"
    "Writes the cost table the roofline gives for MODEL on DEVICE: names from\n"
    "'splitsim tables list', or architecture and device files ('tables schema').\n\n"
    "options:\n",
    derive_opts, COUNT_OF(derive_opts), true};
static const struct args_opt show_opts[] = {
    {"table", 0, "FILE", "show this table file instead of deriving one", false},
    {"quality", 0, "FILE", "show this quality table (validated)", false},
    {"csv", 0, NULL, "one row per (layer, token count): layer,name,tokens,prefill_ms,decode_ms",
     false},
};
static const struct subcommand_spec show_spec = {
    "usage: splitsim tables show MODEL DEVICE [--csv]\n"
    "       splitsim tables show --table FILE [--csv]\n"
    "       splitsim tables show --quality FILE\n\n"
    "Prints a cost table per layer group (sizes, prefill and decode times, the\n"
    "whole model at 512 tokens): for MODEL DEVICE the bundled table when there\n"
    "is one (tables/measured/), else the roofline's; or the file given, validated.\n"
    "--quality validates and prints a quality table.\n\noptions:\n",
    show_opts, COUNT_OF(show_opts), true};

/* "2026-11-27" from SOURCE_DATE_EPOCH (sim/epoch.h) or the clock, so derived files can be
 * reproducible. 0, or -EINVAL with a message in d when the variable holds garbage. */
static int today(char *buf, size_t size, struct diag *d)
{
    int64_t seconds = -1;
    if (epoch_from_env(&seconds, d) < 0)
        return -EINVAL;
    time_t t = seconds >= 0 ? (time_t)seconds : time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d", &tm))
        snprintf(buf, size, "unknown");
    return 0;
}

/* Architecture and device files named on the command line, kept while they are used (zeroed
 * when not loaded: releasing them is then a no-op). */
struct specs {
    struct arch_spec arch;
    struct device_spec device;
};

static void specs_release(struct specs *sp)
{
    arch_spec_release(&sp->arch);
    device_spec_release(&sp->device);
}

/* A command-line name that is a file rather than a catalogue name. */
static bool is_file(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

/* Reports a name that is neither a file nor in the catalogue of `kind`, with the catalogue's
 * nearest name as a "did you mean" (sim/diag.h). */
static void unknown_name(struct diag *d, const char *kind, const char *name,
                         const char *const *catalogue_names, size_t n)
{
    const char *near = diag_nearest(name, catalogue_names, n);
    diag_error(d, "unknown %s '%s'%s%s%s (see 'splitsim tables list', or give a file)", kind, name,
               near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* unknown_name over a catalogue: a NULL-terminated array of pointers to entries with a `name`
 * (arch_catalogue, device_catalogue), of which the first 64 are candidates. */
#define REPORT_UNKNOWN(diag, kind, word, catalogue)                                                \
    do {                                                                                           \
        const char *names_[64];                                                                    \
        size_t n_ = 0;                                                                             \
        for (; (catalogue)[n_] && n_ < 64; n_++)                                                   \
            names_[n_] = (catalogue)[n_]->name;                                                    \
        unknown_name(diag, kind, word, names_, n_);                                                \
    } while (0)

/* Looks up MODEL and DEVICE (positional 0 and 1 after the subcommand): catalogue names, or
 * files describing an architecture or a device (models/llm/specfile.h). */
static int model_device(const struct args *a, const char *sub, const struct arch **arch,
                        const struct device **dev, struct specs *sp, struct diag *d)
{
    memset(sp, 0, sizeof *sp);
    *arch = NULL;
    *dev = NULL;
    if (a->npositional != 2) {
        diag_error(d,
                   "tables %s: expected MODEL DEVICE (see 'splitsim tables list'), got %zu "
                   "argument(s)",
                   sub, a->npositional);
        return -EINVAL;
    }
    const char *model = a->positional[0], *device = a->positional[1];
    if (is_file(model))
        *arch = arch_spec_load(&sp->arch, model, d) == 0 ? &sp->arch.arch : NULL;
    else if (!(*arch = arch_find(model)))
        REPORT_UNKNOWN(d, "model", model, arch_catalogue);
    if (is_file(device))
        *dev = device_spec_load(&sp->device, device, d) == 0 ? &sp->device.device : NULL;
    else if (!(*dev = device_find(device)))
        REPORT_UNKNOWN(d, "device", device, device_catalogue);
    if (*arch && *dev)
        return 0;
    specs_release(sp);
    return -EINVAL;
}

/* Writes t to `path` (NULL: to out), under a temporary name renamed when complete
 * (sim/outfile.h), so an interrupted write never leaves a table that looks whole. */
static int write_table(const struct cost_table *t, const char *path, FILE *out, struct diag *d)
{
    if (!path) {
        cost_write(t, out);
        return CLI_OK;
    }
    struct outfile of;
    if (outfile_open(&of, path, d) < 0)
        return CLI_FAILURE;
    cost_write(t, of.f);
    return outfile_commit(&of, 0, d) < 0 ? CLI_FAILURE : CLI_OK;
}

/* The roofline's table; -ERANGE (with a message) when a layer time exceeds what a table may hold
 * (the loader would refuse it), -ENOMEM. */
static int derive(const struct arch *arch, const struct device *dev, struct cost_table *t,
                  struct diag *d)
{
    char tool[128], date[16], what[160];
    snprintf(tool, sizeof tool, "splitsim %s (git %s) tables derive", version_release(),
             version_git_revision());
    if (today(date, sizeof date, d) < 0)
        return -EINVAL;
    int rc = cost_derive(t, arch, dev, tool, date);
    if (rc == 0 && cost_check_times(t, what, sizeof what) < 0) {
        diag_error(d,
                   "the roofline of %s on %s gives %s; expected at most %g ms (one day) for one "
                   "layer: the device is too slow for this model",
                   arch->name, dev->name, what, COST_MAX_MS);
        cost_release(t);
        return -ERANGE;
    }
    return rc;
}

static int tables_derive(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (subcommand_start(&s, &derive_spec, argc, argv, io->out))
        return subcommand_end(&s, io, CLI_OK);
    const struct arch *arch = NULL;
    const struct device *dev = NULL;
    struct specs sp;
    if (model_device(&s.args, "derive", &arch, &dev, &sp, &s.diag) < 0 ||
        diag_error_count(&s.diag)) {
        specs_release(&sp);
        return subcommand_end(&s, io, CLI_BAD_INPUT);
    }
    struct cost_table t;
    int drc = derive(arch, dev, &t, &s.diag);
    specs_release(&sp);
    if (drc < 0) {
        if (drc == -ENOMEM)
            diag_error(&s.diag, "out of memory");
        return subcommand_end(&s, io, drc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT);
    }
    int rc = write_table(&t, args_get(&s.args, "output"), io->out, &s.diag);
    cost_release(&t);
    return subcommand_end(&s, io, rc);
}

static void show_readable(FILE *out, const struct cost_table *t)
{
    fprintf(out, "%s on %s: %u layers, %s (%s, %s)\nsource: %s\n\n", t->model, t->device,
            t->nlayers, t->method, t->tool, t->created, t->source);
    fprintf(out, "%-10s %5s %14s %12s %12s\n", "group", "count", "params/layer", "KV B/token",
            "hidden B/tok");
    for (size_t i = 0; i < t->ngroups; i++) {
        const struct cost_group *g = &t->groups[i];
        fprintf(out, "%-10s %5u %14.0f %12.0f %12.0f\n", g->name, g->count, g->param_bytes,
                g->kv_bytes_per_token, g->hidden_bytes_per_token);
    }
    fprintf(out, "\nprefill ms per layer, by prompt tokens:\n%-10s", "group");
    for (size_t j = 0; j < t->nprefill; j += 2)
        fprintf(out, " %9g", t->prefill_tokens[j]);
    fputc('\n', out);
    for (size_t i = 0; i < t->ngroups; i++) {
        fprintf(out, "%-10s", t->groups[i].name);
        for (size_t j = 0; j < t->nprefill; j += 2)
            fprintf(out, " %9.4f", t->groups[i].prefill_ms[j]);
        fputc('\n', out);
    }
    fprintf(out, "\ndecode-step ms per layer at batch 1, by context length:\n%-10s", "group");
    for (size_t r = 0; r < t->ncontext; r += 2)
        fprintf(out, " %9g", t->decode_context[r]);
    fputc('\n', out);
    for (size_t i = 0; i < t->ngroups; i++) {
        fprintf(out, "%-10s", t->groups[i].name);
        for (size_t r = 0; r < t->ncontext; r += 2)
            fprintf(out, " %9.4f", t->groups[i].decode_ms[r * t->nbatch]);
        fputc('\n', out);
    }
    bool ex = false;
    double prefill = cost_range_prefill_ms(t, 0, t->nlayers, 512, &ex);
    double decode = cost_range_decode_ms(t, 0, t->nlayers, 512, 1, &ex);
    fprintf(out,
            "\nwhole model: %.3f ms to prefill 512 tokens, %.3f ms per token decoding at "
            "context 512 (batch 1); %.3f GB of weights\n",
            prefill, decode, cost_range_param_bytes(t, 0, t->nlayers) / 1e9);
}

static void show_csv(FILE *out, const struct cost_table *t)
{
    fprintf(out, "layer,name,tokens,prefill_ms,decode_ms\n");
    for (uint32_t l = 0; l < t->nlayers; l++) {
        const struct cost_group *g = cost_group_of(t, l);
        for (size_t j = 0; j < t->nprefill; j++) {
            double n = t->prefill_tokens[j];
            fprintf(out, "%u,%s,%.17g,%.17g,", l, g->name, n, g->prefill_ms[j]);
            /* decode at context = tokens, batch 1, where the context grid covers it */
            if (n >= t->decode_context[0] && n <= t->decode_context[t->ncontext - 1])
                fprintf(out, "%.17g", cost_group_decode_ms(t, g, n, 1, NULL));
            fputc('\n', out);
        }
    }
}

static void show_quality(FILE *out, const struct qtable *q)
{
    fprintf(out,
            "%s: %s on %s, reference %g, %s erasure, mean of %u runs (%s, %s, %s)\nsource: %s\n",
            q->model, q->metric, q->dataset, q->reference, q->erasure_mode, q->runs, q->method,
            q->tool, q->created, q->source);
    static const char *const names[] = {"fp16", "int8", "int4"};
    for (int p = 0; p < 3; p++) {
        if (!q->values[p])
            continue;
        fprintf(out, "\n%s: %s / reference, by split (rows) and erased fraction (columns)\n%6s",
                names[p], q->metric, "split");
        for (size_t c = 0; c < q->nerasure; c++)
            fprintf(out, " %7g", q->erasure[c]);
        fputc('\n', out);
        for (size_t r = 0; r < q->nsplits; r++) {
            fprintf(out, "%6g", q->splits[r]);
            for (size_t c = 0; c < q->nerasure; c++)
                fprintf(out, " %7.3f", q->values[p][r * q->nerasure + c] / q->reference);
            fputc('\n', out);
        }
    }
}

/* The cost table `tables show` shows: the file of --table, else the bundled table of (MODEL,
 * DEVICE) (measured beats derived), else the roofline's. A CLI status. */
static int shown_table(const struct args *a, struct cost_table *t, struct diag *d)
{
    const char *file = args_get(a, "table");
    if (file) {
        if (a->npositional)
            diag_error(d, "tables show: --table FILE takes no MODEL DEVICE");
        return diag_error_count(d) || cost_load(t, file, d) < 0 ? CLI_BAD_INPUT : CLI_OK;
    }
    char *bundled = a->npositional == 2 ? bundled_table(a->positional[0], a->positional[1]) : NULL;
    if (bundled) {
        int rc = cost_load(t, bundled, d) < 0 ? CLI_BAD_INPUT : CLI_OK;
        free(bundled);
        return rc;
    }
    const struct arch *arch = NULL;
    const struct device *dev = NULL;
    struct specs sp;
    if (model_device(a, "show", &arch, &dev, &sp, d) < 0)
        return CLI_BAD_INPUT;
    int drc = derive(arch, dev, t, d);
    specs_release(&sp);
    return drc == 0 ? CLI_OK : drc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
}

static int tables_show(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (subcommand_start(&s, &show_spec, argc, argv, io->out))
        return subcommand_end(&s, io, CLI_OK);
    const char *qfile = args_get(&s.args, "quality");
    if (qfile) {
        struct qtable q;
        if (diag_error_count(&s.diag) || qtable_load(&q, qfile, &s.diag) < 0)
            return subcommand_end(&s, io, CLI_BAD_INPUT);
        show_quality(io->out, &q);
        qtable_release(&q);
        return subcommand_end(&s, io, CLI_OK);
    }
    if (diag_error_count(&s.diag))
        return subcommand_end(&s, io, CLI_BAD_INPUT);
    struct cost_table t;
    memset(&t, 0, sizeof t);
    int rc = shown_table(&s.args, &t, &s.diag);
    if (rc == CLI_OK) {
        if (args_has(&s.args, "csv"))
            show_csv(io->out, &t);
        else
            show_readable(io->out, &t);
    }
    cost_release(&t);
    return subcommand_end(&s, io, rc);
}

static const struct args_opt profile_opts[] = {
    {"device", 0, "NAME", "the table's device name (default: this-cpu)", false},
    {"max-tokens", 0, "N", "prefill grid 1, 2, 4 .. N tokens (default: 512)", false},
    {"max-context", 0, "N", "decode grid 1, 2, 4 .. N cached tokens (default: 2048)", false},
    {"repeats", 0, "N", "timed runs per size; the median is kept (default: 3)", false},
    {"threads", 0, "N", "BLAS threads (default: OpenBLAS's choice, all cores)", false},
    {"output", 'o', "FILE", "write the table here (default: standard output)", false},
};
static const struct subcommand_spec profile_spec = {
    "usage: splitsim tables profile MODEL [OPTIONS]\n\n"
    "Measures one decoder block of MODEL (real shapes, synthetic weights),\n"
    "its embedding and its head on this CPU, and writes a measured table.\n\n"
    "options:\n",
    profile_opts, COUNT_OF(profile_opts), true};

/* "Intel(R) Xeon(R) Processor, 2 CPUs online" */
static void machine_name(char *buf, size_t size, unsigned threads)
{
    char model[128] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                snprintf(model, sizeof model, "%s", colon + 2);
                model[strcspn(model, "\n")] = '\0';
            }
            break;
        }
    if (f)
        fclose(f);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads)
        snprintf(buf, size, "%s (%ld CPUs online, %u BLAS threads)", model, cpus, threads);
    else
        snprintf(buf, size, "%s (%ld CPUs online)", model, cpus);
}

static int tables_profile(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (subcommand_start(&s, &profile_spec, argc, argv, io->out))
        return subcommand_end(&s, io, CLI_OK);
    uint64_t max_tokens = 512, max_context = 2048, repeats = 3, threads = 0;
    args_uint64(&s.args, "max-tokens", 1, 65536, &max_tokens, &s.diag);
    args_uint64(&s.args, "max-context", 1, 1048576, &max_context, &s.diag);
    args_uint64(&s.args, "repeats", 1, 63, &repeats, &s.diag);
    args_uint64(&s.args, "threads", 1, 1024, &threads, &s.diag);
    const struct arch *arch = NULL;
    if (s.args.npositional != 1)
        diag_error(&s.diag, "tables profile: expected one MODEL (see 'splitsim tables list')");
    else if (!(arch = arch_find(s.args.positional[0])))
        diag_error(&s.diag, "unknown model '%s' (see 'splitsim tables list')",
                   s.args.positional[0]);
    if (diag_error_count(&s.diag))
        return subcommand_end(&s, io, CLI_BAD_INPUT);
    char machine[256], tool[128], date[16];
    machine_name(machine, sizeof machine, (unsigned)threads);
    snprintf(tool, sizeof tool, "splitsim %s (git %s) tables profile", version_release(),
             version_git_revision());
    if (today(date, sizeof date, &s.diag) < 0)
        return subcommand_end(&s, io, CLI_BAD_INPUT);
    const char *device = args_get(&s.args, "device");
    struct profile_options o = {.device = device ? device : "this-cpu",
                                .machine = machine,
                                .max_tokens = (unsigned)max_tokens,
                                .max_context = (unsigned)max_context,
                                .repeats = (unsigned)repeats,
                                .threads = (unsigned)threads};
    struct cost_table t;
    if (profile_measure(&t, arch, &o, tool, date) < 0) {
        diag_error(&s.diag, "out of memory building a %s block", arch->name);
        return subcommand_end(&s, io, CLI_FAILURE);
    }
    int rc = write_table(&t, args_get(&s.args, "output"), io->out, &s.diag);
    cost_release(&t);
    return subcommand_end(&s, io, rc);
}

static const struct args_opt peaks_opts[] = {
    {"threads", 0, "N", "BLAS threads (default: OpenBLAS's choice, all cores)", false},
    {"repeats", 0, "N", "timed runs; the best is kept (default: 5)", false},
};
static const struct subcommand_spec peaks_spec = {
    "usage: splitsim tables peaks [--threads N] [--repeats N]\n\n"
    "Measures this machine's achieved FP32 GEMM throughput and weight-streaming\n"
    "bandwidth, the peaks a CPU device entry needs.\n\noptions:\n",
    peaks_opts, COUNT_OF(peaks_opts), true};

static int tables_peaks(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    bool help = subcommand_start(&s, &peaks_spec, argc, argv, io->out);
    uint64_t threads = 0, repeats = 5;
    args_uint64(&s.args, "threads", 1, 1024, &threads, &s.diag);
    args_uint64(&s.args, "repeats", 1, 100, &repeats, &s.diag);
    int rc = CLI_OK;
    double flops = 0, bw = 0;
    if (help) {
        /* done: the help is printed, and any problem with the options reported */
    } else if (diag_error_count(&s.diag) || s.args.npositional) {
        if (s.args.npositional)
            diag_error(&s.diag, "tables peaks: unexpected argument '%s'", s.args.positional[0]);
        rc = CLI_BAD_INPUT;
    } else if (profile_peaks((unsigned)threads, (unsigned)repeats, &flops, &bw) < 0) {
        diag_error(&s.diag, "out of memory (the benchmark needs about 600 MB)");
        rc = CLI_FAILURE;
    } else {
        char machine[256];
        machine_name(machine, sizeof machine, (unsigned)threads);
        fprintf(io->out,
                "%s, %s\nFP32 GEMM (sgemm 2048^3): %.1f GFLOP/s\n"
                "weight streaming (sgemv, 512 MiB): %.1f GB/s\n",
                machine, profile_blas_name(), flops / 1e9, bw / 1e9);
    }
    return subcommand_end(&s, io, rc);
}

/* Prints how far the roofline's table r is from table t (of `file`), every third grid point. */
static void print_comparison(FILE *out, const char *file, const struct cost_table *t,
                             const struct cost_table *r)
{
    fprintf(out, "%s on %s: roofline (derived) against %s (%s)\n", t->model, t->device, file,
            t->method);
    fprintf(out, "\n| group | prefill tokens | table ms | roofline ms | roofline error |\n"
                 "|---|---|---|---|---|\n");
    for (size_t g = 0; g < t->ngroups && g < r->ngroups; g++)
        for (size_t i = 0; i < t->nprefill; i += 3) {
            double mine = t->groups[g].prefill_ms[i];
            double roof = cost_group_prefill_ms(r, &r->groups[g], t->prefill_tokens[i], NULL);
            fprintf(out, "| %s | %g | %.4f | %.4f | %+.0f %% |\n", t->groups[g].name,
                    t->prefill_tokens[i], mine, roof, 100 * (roof / mine - 1));
        }
    fprintf(out, "\n| group | decode context | table ms | roofline ms | roofline error |\n"
                 "|---|---|---|---|---|\n");
    for (size_t g = 0; g < t->ngroups && g < r->ngroups; g++)
        for (size_t i = 0; i < t->ncontext; i += 3) {
            double mine = t->groups[g].decode_ms[i * t->nbatch];
            double roof = cost_group_decode_ms(r, &r->groups[g], t->decode_context[i],
                                               t->decode_batch[0], NULL);
            fprintf(out, "| %s | %g | %.4f | %.4f | %+.0f %% |\n", t->groups[g].name,
                    t->decode_context[i], mine, roof, 100 * (roof / mine - 1));
        }
    bool ex = false;
    double tp = cost_range_prefill_ms(t, 0, t->nlayers, 512, &ex),
           rp = cost_range_prefill_ms(r, 0, r->nlayers, 512, &ex);
    double td = cost_range_decode_ms(t, 0, t->nlayers, 512, 1, &ex),
           rd = cost_range_decode_ms(r, 0, r->nlayers, 512, 1, &ex);
    fprintf(out,
            "\nwhole model: prefill of 512 tokens %.1f ms (table) vs %.1f ms (roofline, "
            "%+.0f %%); decode at context 512 %.2f vs %.2f ms/token (%+.0f %%)\n",
            tp, rp, 100 * (rp / tp - 1), td, rd, 100 * (rd / td - 1));
}

/* The roofline's table for the (model, device) that table t names; a CLI status. */
static int roofline_of(const struct cost_table *t, const char *file, struct cost_table *r,
                       struct diag *d)
{
    const struct arch *arch = arch_find(t->model);
    const struct device *dev = device_find(t->device);
    if (!arch || !dev) {
        diag_report(d, DIAG_ERROR, file, 0, 0,
                    "no roofline for %s on %s: the %s is not in 'splitsim tables list'", t->model,
                    t->device, arch ? "device" : "model");
        return CLI_BAD_INPUT;
    }
    int drc = derive(arch, dev, r, d);
    return drc == 0 ? CLI_OK : drc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
}

static const struct args_opt compare_opts[] = {
    {"table", 0, "FILE", "the (measured) table to compare with the roofline", false},
};
static const struct subcommand_spec compare_spec = {
    "usage: splitsim tables compare --table FILE\n\n"
    "Prints how far the roofline's derived table for the file's model and\n"
    "device is from the file, per layer group, token count and context.\n\noptions:\n",
    compare_opts, COUNT_OF(compare_opts), true};

/* Compares a table file with the roofline's table for the same (model, device). */
static int tables_compare(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (subcommand_start(&s, &compare_spec, argc, argv, io->out))
        return subcommand_end(&s, io, CLI_OK);
    const char *file = args_get(&s.args, "table");
    if (!file)
        diag_error(&s.diag, "tables compare: expected --table FILE");
    struct cost_table t, r;
    memset(&t, 0, sizeof t);
    memset(&r, 0, sizeof r);
    int rc = CLI_BAD_INPUT;
    if (!diag_error_count(&s.diag) && cost_load(&t, file, &s.diag) == 0)
        rc = roofline_of(&t, file, &r, &s.diag);
    if (rc == CLI_OK)
        print_comparison(io->out, file, &t, &r);
    cost_release(&t);
    cost_release(&r);
    return subcommand_end(&s, io, rc);
}

static const struct subcommand_spec schema_spec = {
    "usage: splitsim tables schema\n\n"
    "Prints the keys of architecture and device files (Markdown tables), the\n"
    "files 'tables show' and 'tables derive' take in place of catalogue names.\n",
    NULL, 0, false};

static int tables_schema(int argc, char **argv, const struct cli_io *io)
{
    struct subcommand s;
    if (no_arguments(&s, &schema_spec, "schema", argc, argv, io->out))
        return subcommand_end(&s, io, diag_error_count(&s.diag) ? CLI_BAD_INPUT : CLI_OK);
    fprintf(io->out, "## Architecture files\n\n");
    arch_spec_document(io->out);
    fprintf(io->out, "\n## Device files\n\n");
    device_spec_document(io->out);
    return subcommand_end(&s, io, CLI_OK);
}

/* The subcommands, in the order `splitsim tables --help` lists them. */
static const struct {
    const char *name;
    int (*fn)(int argc, char **argv, const struct cli_io *io);
    const char *summary; /* one line */
} tables_commands[] = {
    {"list", tables_list, "the built-in architectures and devices, their sources; bundled tables"},
    {"show", tables_show,
     "a cost table readably or as CSV (bundled, derived or a file); a quality "
     "table"},
    {"derive", tables_derive, "write the roofline's cost table for a model on a device"},
    {"profile", tables_profile, "measure a model's block on this CPU into a measured table"},
    {"peaks", tables_peaks, "measure this machine's FP32 GEMM rate and streaming bandwidth"},
    {"compare", tables_compare, "a table beside the roofline's for its model and device"},
    {"calibrate", tables_calibrate, "fit a device's efficiencies to a Vidur per-operator profile"},
    {"schema", tables_schema, "the keys of architecture and device files (Markdown)"},
};
#define NTABLES_COMMANDS COUNT_OF(tables_commands)

static void tables_usage(FILE *out)
{
    fprintf(out, "usage: splitsim tables SUBCOMMAND [ARGUMENTS] [OPTIONS]\n\n"
                 "LLM architectures, devices and the cost tables derived, measured or fitted\n"
                 "from them (docs/TABLES.md).\n\nsubcommands:\n");
    for (size_t i = 0; i < NTABLES_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", tables_commands[i].name, tables_commands[i].summary);
    fprintf(out, "\n'splitsim tables SUBCOMMAND --help' describes a subcommand's arguments and "
                 "options.\n");
}

int cmd_tables(int argc, char **argv, const struct cli_io *io)
{
    const char *sub = argc > 1 ? argv[1] : "";
    for (size_t i = 0; i < NTABLES_COMMANDS; i++)
        if (strcmp(sub, tables_commands[i].name) == 0)
            return tables_commands[i].fn(argc, argv, io);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        tables_usage(io->out);
        return CLI_OK;
    }
    const char *names[NTABLES_COMMANDS];
    for (size_t i = 0; i < NTABLES_COMMANDS; i++)
        names[i] = tables_commands[i].name;
    struct diag d;
    diag_init(&d);
    const char *near = *sub ? diag_nearest(sub, names, NTABLES_COMMANDS) : NULL;
    if (!*sub)
        diag_error(&d, "tables: expected a subcommand (see 'splitsim tables --help')");
    else if (near)
        diag_error(&d, "tables: unknown subcommand '%s' (did you mean '%s'?)", sub, near);
    else
        diag_error(&d, "tables: unknown subcommand '%s' (see 'splitsim tables --help')", sub);
    int rc = cli_report(&d, io, CLI_BAD_INPUT);
    diag_release(&d);
    return rc;
}
