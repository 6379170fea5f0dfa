#include "run/slurm.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sim/outfile.h"
#include "sim/slurp.h"

void slurm_options_init(struct slurm_options *o)
{
    memset(o, 0, sizeof *o);
    o->chunk = 1;
    o->array_max = SLURM_ARRAY_MAX_DEFAULT;
}

void slurm_options_release(struct slurm_options *o)
{
    free(o->setup);
    o->setup = NULL;
}

/* ---- values ---------------------------------------------------------------------------- */

/* The digits at *s (1 to max_digits of them) into *v, moving *s past them. */
static bool take_digits(const char **s, size_t max_digits, uint64_t *v)
{
    size_t n = 0;
    uint64_t x = 0;
    while (isdigit((unsigned char)(*s)[n])) {
        if (++n > max_digits)
            return false;
        x = x * 10 + (uint64_t)((*s)[n - 1] - '0');
    }
    *s += n;
    *v = x;
    return n > 0;
}

bool slurm_time_valid(const char *s)
{
    if (strcasecmp(s, "infinite") == 0 || strcasecmp(s, "unlimited") == 0)
        return true;
    const char *p = s;
    uint64_t f[4];
    size_t n = 0;
    bool days = strchr(s, '-') != NULL;
    if (days) {
        if (!take_digits(&p, 9, &f[n++]) || *p++ != '-')
            return false;
    }
    for (;;) {
        size_t digits = n == 0 ? 9 : 2;
        if (n == 4 || !take_digits(&p, digits, &f[n]))
            return false;
        n++;
        if (*p == '\0')
            break;
        if (*p++ != ':')
            return false;
    }
    /* without days: M, M:S, H:M:S; with days: D-H, D-H:M, D-H:M:S */
    size_t fields = n - (days ? 1 : 0);
    if (fields > 3)
        return false;
    for (size_t i = 1; i < n; i++) {
        bool hours = days && i == 1;
        if (f[i] >= (hours ? 24u : 60u))
            return false;
    }
    return true;
}

bool slurm_mem_valid(const char *s)
{
    const char *p = s;
    uint64_t v;
    if (!take_digits(&p, 15, &v) || v == 0)
        return false;
    return *p == '\0' || (strchr("KMGTkmgt", *p) && p[1] == '\0');
}

/* A name (partition, account, QoS): letters, digits and _ . + -; `list`: comma-separated. */
static bool name_valid(const char *s, bool list)
{
    if (!*s || strlen(s) > 256)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.+-", *p) && !(list && *p == ','))
            return false;
    return !list || (s[0] != ',' && s[strlen(s) - 1] != ',' && !strstr(s, ",,"));
}

/* A feature expression: names, counts and the operators & | ! * , : [ ] ( ). */
static bool constraint_valid(const char *s)
{
    if (!*s || strlen(s) > 1024)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.+-=@/&|!*,:[]()", *p))
            return false;
    return true;
}

const char *slurm_extra_reserved(const char *line)
{
    static const struct {
        const char *name;
        char short_name;
        const char *hint;
    } reserved[] = {
        {"--array", 'a', "--chunk, --array-max and --throttle shape the array"},
        {"--chdir", 'D', "the jobs run in the campaign folder; submit.sh sets it"},
        {"--dependency", 'd', "submit.sh makes the merge job wait for the array"},
        {"--output", 'o', "submit.sh writes the logs into DIR/logs"},
        {"--error", 'e', "submit.sh writes the logs into DIR/logs"},
        {"--time", 't', "use --time"},
        {"--partition", 'p', "use --partition"},
        {"--account", 'A', "use --account"},
        {"--mem", 0, "use --mem"},
        {"--qos", 'q', "use --qos"},
        {"--constraint", 'C', "use --constraint"},
    };
    size_t len = strcspn(line, "= \t");
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        const char *name = reserved[i].name;
        /* sbatch takes any unambiguous prefix of a long option ("--part") */
        if (line[0] == '-' && line[1] == '-' && len >= 4 && len <= strlen(name) &&
            strncmp(line, name, len) == 0)
            return reserved[i].hint;
        if (reserved[i].short_name && line[0] == '-' && line[1] == reserved[i].short_name)
            return reserved[i].hint;
    }
    return NULL;
}

/* Reads and checks the setup file: text lines (tabs allowed), no NUL, carriage return or other
 * control character; an #SBATCH line in it is warned about (sbatch reads directives only
 * before the first command). */
static int read_setup(struct slurm_options *o, struct diag *d)
{
    size_t len = 0;
    if (slurp_file(o->setup_file, SLURM_SETUP_MAX_BYTES, &o->setup, &len, d) < 0) {
        diag_error(d, "--setup: cannot use '%s' (see above)", o->setup_file);
        return -EINVAL;
    }
    int line = 1, rc = 0;
    const char *start = o->setup;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)o->setup[i];
        if (ch == '\n') {
            line++;
            start = o->setup + i + 1;
            continue;
        }
        if (i == (size_t)(start - o->setup) && strncmp(start, "#SBATCH", 7) == 0)
            diag_report(d, DIAG_WARNING, o->setup_file, line, 1,
                        "--setup: sbatch ignores this #SBATCH line (the setup comes after the "
                        "script's first command); give it as --sbatch OPTION instead");
        if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
            continue;
        diag_report(d, DIAG_ERROR, o->setup_file, line, (int)(o->setup + i - start) + 1,
                    "--setup: expected shell lines, got %s; the setup is copied into every "
                    "job script",
                    ch == '\r'   ? "a carriage return (Windows line ends: convert the file "
                                   "with dos2unix)"
                    : ch == '\0' ? "a NUL byte (a binary file?)"
                                 : "a control character");
        rc = -EINVAL;
        break;
    }
    return rc;
}

/* An #SBATCH value: refused (with a message) when `ok` is false. */
static void check_value(const char *option, const char *value, bool ok, const char *expected,
                        struct diag *d)
{
    if (!value || ok)
        return;
    if (diag_has_control(value))
        diag_error(d,
                   "--%s: expected %s, got a value holding a control character (e.g. a "
                   "newline, which would add a line to the job scripts)",
                   option, expected);
    else
        diag_error(d, "--%s: expected %s, got '%s'", option, expected, value);
}

int slurm_options_check(struct slurm_options *o, struct diag *d)
{
    size_t before = diag_error_count(d);
    check_value("time", o->time, o->time && slurm_time_valid(o->time),
                "a Slurm time limit: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, "
                "DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS (e.g. 90, "
                "2:00:00 or 1-12)",
                d);
    check_value("partition", o->partition, o->partition && name_valid(o->partition, true),
                "a partition name, or several separated by commas (letters, digits, _ . + -)", d);
    check_value("account", o->account, o->account && name_valid(o->account, false),
                "an account name (letters, digits, _ . + -)", d);
    check_value("qos", o->qos, o->qos && name_valid(o->qos, false),
                "a QoS name (letters, digits, _ . + -)", d);
    check_value("mem", o->mem, o->mem && slurm_mem_valid(o->mem),
                "a memory size per node: a positive integer with an optional unit K, M (the "
                "default), G or T, e.g. 4G",
                d);
    check_value("constraint", o->constraint, o->constraint && constraint_valid(o->constraint),
                "node features, e.g. 'avx2' or 'intel&ib' (names, digits and & | ! * , : [ ] "
                "( ); no spaces or quotes)",
                d);
    for (size_t i = 0; i < o->nextra; i++) {
        const char *x = o->extra[i];
        const char *hint = diag_has_control(x) ? NULL : slurm_extra_reserved(x);
        if (diag_has_control(x))
            check_value("sbatch", x, false, "one sbatch option, e.g. --gres=gpu:1", d);
        else if (x[0] != '-' || x[1] == '\0')
            diag_error(d,
                       "--sbatch: expected one sbatch option as it would follow '#SBATCH ', "
                       "e.g. --gres=gpu:1 or --mail-type=END, got '%s'",
                       x);
        else if (hint)
            diag_error(d, "--sbatch: '%s' is set by splitsim (%s)", x, hint);
    }
    if (o->setup_file && diag_error_count(d) == before)
        read_setup(o, d);
    return diag_error_count(d) > before ? -EINVAL : 0;
}

/* ---- layout and places --------------------------------------------------------------------- */

struct slurm_layout slurm_layout(uint64_t points, uint64_t chunk, uint64_t array_max)
{
    struct slurm_layout l = {.chunk = chunk ? chunk : 1};
    if (array_max == 0)
        array_max = 1;
    if (points == 0)
        points = 1;
    l.tasks = (points - 1) / l.chunk + 1;
    if (l.tasks > array_max) {
        /* chunk >= points / array_max gives tasks = ceil(points / chunk) <= array_max */
        l.chunk = (points - 1) / array_max + 1;
        l.tasks = (points - 1) / l.chunk + 1;
        l.grown = true;
    }
    return l;
}

/* True when canonical path p is `dir` or lies below it. */
static bool below(const char *p, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

const char *slurm_node_local(const char *path, const char *tmpdir)
{
    static const char *const local[] = {"/tmp", "/var/tmp", "/dev/shm"};
    /* $TMPDIR first: "/tmp/job123" says more than "/tmp" */
    if (tmpdir && tmpdir[0] == '/' && tmpdir[strspn(tmpdir, "/")] != '\0' && below(path, tmpdir))
        return tmpdir;
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (below(path, local[i]))
            return local[i];
    return NULL;
}

char *slurm_relative(const char *target, const char *base)
{
    /* the longest common prefix that ends at a component boundary of both */
    size_t common = 0;
    for (size_t i = 0;; i++) {
        bool tend = target[i] == '\0' || target[i] == '/';
        bool bend = base[i] == '\0' || base[i] == '/';
        if (tend && bend)
            common = i;
        if (target[i] != base[i] || target[i] == '\0')
            break;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    const char *sep = "";
    for (const char *b = base + common; *b; b++)
        if (*b == '/' && b[1] != '\0' && b[1] != '/') {
            fprintf(f, "%s..", sep);
            sep = "/";
        }
    const char *rest = target + common;
    while (*rest == '/')
        rest++;
    if (*rest)
        fprintf(f, "%s%s", sep, rest);
    else if (!*sep)
        fputc('.', f);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- the scripts --------------------------------------------------------------------------- */

/* s as one single-quoted shell word: nothing in it is expanded. */
static void shell_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* s as sbatch reads a word of an #SBATCH line: in double quotes (spaces), with \ " ' and #
 * (which would start a comment) escaped by a backslash. */
static void sbatch_quote(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (strchr("\\\"'#", *s))
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Paths resolved when the scripts are written: canonical, and the scenario relative to the
 * campaign folder. */
struct paths {
    char exe[PATH_MAX], scenario[PATH_MAX], dir[PATH_MAX];
    char *scenario_rel; /* malloc'd */
};

static int resolve(const struct slurm_campaign *c, struct paths *p, struct diag *d)
{
    ssize_t n = readlink("/proc/self/exe", p->exe, sizeof p->exe - 1);
    if (n < 0 || !realpath(c->scenario, p->scenario) || !realpath(c->dir, p->dir)) {
        diag_error(d, "--slurm: cannot resolve absolute paths: %s", strerror(errno));
        return -EIO;
    }
    p->exe[n] = '\0';
    const char *all[] = {p->exe, p->scenario, p->dir};
    for (size_t i = 0; i < 3; i++)
        if (diag_has_control(all[i])) {
            diag_error(d,
                       "--slurm: the path '%s' holds a control character (e.g. a newline), which "
                       "a job script cannot carry safely; rename it",
                       all[i]);
            return -EINVAL;
        }
    if (c->set_dir && diag_has_control(c->set_dir)) {
        diag_error(d,
                   "--slurm: the path '%s' holds a control character (e.g. a newline), which "
                   "a job script cannot carry safely; rename it",
                   c->set_dir);
        return -EINVAL;
    }
    for (size_t i = 0; i < c->nsets; i++)
        if (diag_has_control(c->sets[i])) {
            diag_error(d,
                       "--slurm: --set '%s' holds a control character; a job script cannot "
                       "carry it safely",
                       c->sets[i]);
            return -EINVAL;
        }
    p->scenario_rel = slurm_relative(p->scenario, p->dir);
    if (!p->scenario_rel) {
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

/* Warns about the campaign folder, the scenario or the executable in a node-local place. */
static void warn_node_local(const struct paths *p, struct diag *d)
{
    char tmpdir[PATH_MAX];
    const char *t = getenv("TMPDIR");
    const char *tmp = t && *t && realpath(t, tmpdir) ? tmpdir : NULL;
    static const char shared[] = "use a shared file system (home, project or scratch space)";
    struct {
        const char *what, *path, *consequence, *remedy;
    } items[] = {
        {"the campaign folder", p->dir,
         "array tasks on other nodes would write their points where the merge job never looks",
         shared},
        {"the scenario", p->scenario, "array tasks on other nodes cannot read it", shared},
        {"the splitsim executable", p->exe, "array tasks on other nodes cannot run it",
         "build splitsim on a shared file system, or set SPLITSIM=/path/to/splitsim when "
         "running submit.sh"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        const char *place = slurm_node_local(items[i].path, tmp);
        if (place)
            diag_warning(d,
                         "--slurm: %s '%s' lies in %s%s%s, which on most clusters is a disk of "
                         "its own on each node: %s; %s",
                         items[i].what, items[i].path, place == tmp ? "$TMPDIR (" : "", place,
                         place == tmp ? ")" : "", items[i].consequence, items[i].remedy);
    }
}

/* The comment at the top of a job script and its #SBATCH lines. `array` is NULL for the merge
 * job. sbatch reads directives only up to the first command, so they all come first. */
static void directives(FILE *f, const struct slurm_options *o, const struct paths *p,
                       const char *job, const char *array)
{
    fprintf(f, "#SBATCH --job-name=%s\n", job);
    if (array)
        fprintf(f, "#SBATCH --array=%s\n", array);
    fputs("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n#SBATCH --chdir=", f);
    sbatch_quote(f, p->dir);
    fputc('\n', f);
    const struct {
        const char *name, *value;
    } v[] = {{"time", o->time},       {"partition", o->partition},
             {"account", o->account}, {"qos", o->qos},
             {"mem", o->mem},         {"constraint", o->constraint}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (v[i].value)
            fprintf(f, "#SBATCH --%s=%s\n", v[i].name, v[i].value);
    for (size_t i = 0; i < o->nextra; i++)
        fprintf(f, "#SBATCH %s\n", o->extra[i]);
}

/* `scenario=...`: the scenario at its place relative to the campaign folder (`dir` is the
 * folder's shell expression, "" for the working directory), else where it was when the scripts
 * were written (the campaign folder moved alone). */
static void scenario_lines(FILE *f, const struct paths *p, const char *dir)
{
    fputs("# The scenario: at its place relative to the campaign folder, else where it was.\n"
          "scenario=",
          f);
    shell_quote(f, p->scenario_rel);
    fprintf(f, "\n[ -e \"%s$scenario\" ] || scenario=", dir);
    shell_quote(f, p->scenario);
    fputc('\n', f);
}

/* The commands every job starts with: into the campaign folder, the setup lines, the
 * executable. */
static void prologue(FILE *f, const struct slurm_options *o, const struct paths *p,
                     const char *script)
{
    fprintf(f,
            "set -eu\n"
            "# Work in the campaign folder: Slurm starts the job there (--chdir); run by hand,\n"
            "# the script moves there itself.\n"
            "[ -e %s ] || cd -- \"$(dirname -- \"$0\")\"\n"
            "[ -e %s ] || { echo \"%s: cannot find the campaign folder; submit with its "
            "submit.sh\" >&2; exit 1; }\n",
            script, script, script);
    if (o->setup) {
        fputs("# Setup lines (--setup ", f);
        for (const char *ch = o->setup_file; *ch; ch++)
            fputc((unsigned char)*ch < 0x20 ? '?' : *ch, f);
        fputs(", as it read when this script was written); unset variables allowed.\n"
              "splitsim_campaign=$PWD\nset +u\n",
              f);
        size_t n = strlen(o->setup);
        fputs(o->setup, f);
        if (n && o->setup[n - 1] != '\n')
            fputc('\n', f);
        fputs("set -u\ncd -- \"$splitsim_campaign\"\n", f);
    }
    fputs("splitsim=${SPLITSIM:-", f);
    shell_quote(f, p->exe);
    fputs("}\n", f);
    scenario_lines(f, p, "");
}

/* `exec "$splitsim" sweep -o . OPTION --set ... -- SCENARIO`, ending the line. */
static void sweep_line(FILE *f, const struct slurm_campaign *c, const char *option)
{
    fprintf(f, "exec \"$splitsim\" sweep -o . %s", option);
    if (c->nsets && c->set_dir) { /* a job starts elsewhere: --set paths resolve as they did here */
        fputs(" --set-dir ", f);
        shell_quote(f, c->set_dir);
    }
    for (size_t i = 0; i < c->nsets; i++) {
        fputs(" --set ", f);
        shell_quote(f, c->sets[i]);
    }
    fputs(" -- \"$scenario\"\n", f);
}

static const char where_comment[] =
    "# The job works in the campaign folder and names the point files, the index and the\n"
    "# scenario relative to it. SPLITSIM=/path/to/splitsim in the environment (of submit.sh)\n"
    "# runs that executable.\n";

/* Opens DIR/NAME for writing under a temporary name (sim/outfile.h). */
static int script_open(struct outfile *o, const char *dir, const char *name, struct diag *d)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0) {
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    int rc = outfile_open(o, path, d);
    free(path);
    return rc;
}

static int write_array(const struct slurm_campaign *c, const struct slurm_options *o,
                       const struct paths *p, struct slurm_layout l, struct diag *d)
{
    struct outfile of;
    if (script_open(&of, c->dir, "campaign.sbatch", d) < 0)
        return -EIO;
    FILE *f = of.f;
    char array[64];
    if (o->throttle)
        snprintf(array, sizeof array, "0-%" PRIu64 "%%%" PRIu64, l.tasks - 1, o->throttle);
    else
        snprintf(array, sizeof array, "0-%" PRIu64, l.tasks - 1);
    fprintf(f,
            "#!/bin/bash\n"
            "# Generated by 'splitsim sweep --slurm': the job array of a campaign of %" PRIu64
            " point(s),\n# one array task per chunk of %" PRIu64 " point(s) (%" PRIu64
            " task(s)). Submit it with submit.sh next to this\n"
            "# file, from any directory: it also submits the merge job that writes the "
            "index.\n%s",
            c->points, l.chunk, l.tasks, where_comment);
    directives(f, o, p, "splitsim-sweep", array);
    prologue(f, o, p, "campaign.sbatch");
    fprintf(f,
            ": \"${SLURM_ARRAY_TASK_ID:?not an array task (by hand: SLURM_ARRAY_TASK_ID=I bash "
            "campaign.sbatch)}\"\n"
            "from=$((SLURM_ARRAY_TASK_ID * %" PRIu64 "))\n"
            "to=$((from + %" PRIu64 " - 1))\n"
            "[ \"$to\" -lt %" PRIu64 " ] || to=%" PRIu64 "\n",
            l.chunk, l.chunk, c->points, c->points - 1);
    sweep_line(f, c, "--points \"$from-$to\"");
    return outfile_commit(&of, 0755, d) < 0 ? -EIO : 0;
}

static int write_merge(const struct slurm_campaign *c, const struct slurm_options *o,
                       const struct paths *p, struct diag *d)
{
    struct outfile of;
    if (script_open(&of, c->dir, "merge.sbatch", d) < 0)
        return -EIO;
    fprintf(of.f,
            "#!/bin/bash\n"
            "# Generated by 'splitsim sweep --slurm': writes the campaign index once the "
            "array is done.\n%s",
            where_comment);
    directives(of.f, o, p, "splitsim-merge", NULL);
    prologue(of.f, o, p, "merge.sbatch");
    sweep_line(of.f, c, "--merge");
    return outfile_commit(&of, 0755, d) < 0 ? -EIO : 0;
}

static int write_submit(const struct slurm_campaign *c, const struct paths *p, struct diag *d)
{
    struct outfile of;
    if (script_open(&of, c->dir, "submit.sh", d) < 0)
        return -EIO;
    FILE *f = of.f;
    fputs("#!/bin/bash\n"
          "# Generated by 'splitsim sweep --slurm': submits the campaign's job array, then the "
          "merge job\n# that writes the index when the array is done (afterany: also when some "
          "points failed;\n# run this again to redo them: complete points are skipped). Works "
          "from any directory,\n# also after the campaign folder moved together with the "
          "scenario: the campaign folder\n# is where this file lies. SPLITSIM=/path/to/splitsim "
          "runs that executable instead of\n# the one that wrote these files (the jobs inherit "
          "it).\n"
          "set -eu\n"
          "dir=$(CDPATH='' cd -- \"$(dirname -- \"${BASH_SOURCE[0]}\")\" && pwd -P)\n"
          "splitsim=${SPLITSIM:-",
          f);
    shell_quote(f, p->exe);
    fputs("}\n", f);
    scenario_lines(f, p, "$dir/");
    fputs("case $scenario in /*) ;; *) scenario=$dir/$scenario ;; esac\n"
          "if ! command -v -- \"$splitsim\" >/dev/null; then\n"
          "    echo \"submit.sh: no splitsim executable at '$splitsim'; set "
          "SPLITSIM=/path/to/splitsim\" >&2\n"
          "    exit 1\n"
          "fi\n"
          "if [ ! -r \"$scenario\" ]; then\n"
          "    echo \"submit.sh: cannot read the scenario $scenario\" >&2\n"
          "    exit 1\n"
          "fi\n"
          "# Slurm expands %A, %a and %j in --output; %% stands for one %\n"
          "logs=${dir//%/%%}/logs\n"
          "mkdir -p -- \"$dir/logs\"\n"
          "jid=$(sbatch --parsable --chdir=\"$dir\" --output=\"$logs/%A_%a.out\" "
          "\"$dir/campaign.sbatch\")\n"
          "mid=$(sbatch --parsable --chdir=\"$dir\" --dependency=afterany:\"${jid%%;*}\" "
          "--output=\"$logs/merge_%j.out\" \"$dir/merge.sbatch\")\n"
          "echo \"submitted the array (job ${jid%%;*}) and the merge (job ${mid%%;*}); logs in "
          "$dir/logs\"\n",
          f);
    return outfile_commit(&of, 0755, d) < 0 ? -EIO : 0;
}

int slurm_write(const struct slurm_campaign *c, const struct slurm_options *o, FILE *out,
                struct diag *d)
{
    struct paths p = {.scenario_rel = NULL};
    int rc = resolve(c, &p, d);
    if (rc < 0) {
        free(p.scenario_rel);
        return rc;
    }
    warn_node_local(&p, d);
    struct slurm_layout l = slurm_layout(c->points, o->chunk, o->array_max);
    if (l.grown)
        diag_report(d, DIAG_NOTE, NULL, 0, 0,
                    "--slurm: %" PRIu64 " points in chunks of %" PRIu64 " would need %" PRIu64
                    " array tasks, more than --array-max %" PRIu64
                    " (Slurm's default MaxArraySize is %d); chunks grown to %" PRIu64
                    " points: %" PRIu64 " tasks",
                    c->points, o->chunk, (c->points - 1) / o->chunk + 1, o->array_max,
                    SLURM_ARRAY_MAX_DEFAULT, l.chunk, l.tasks);
    if ((rc = write_array(c, o, &p, l, d)) == 0 && (rc = write_merge(c, o, &p, d)) == 0)
        rc = write_submit(c, &p, d);
    if (rc == 0) {
        fprintf(out, "slurm: %" PRIu64 " points in %" PRIu64 " array task(s) of %" PRIu64,
                c->points, l.tasks, l.chunk);
        if (o->throttle)
            fprintf(out, ", at most %" PRIu64 " running at once", o->throttle);
        fprintf(out, "; submit with %s/submit.sh\n", p.dir);
    }
    free(p.scenario_rel);
    return rc;
}
