/* Slurm job scripts: the option values accepted and refused (time, memory, names, #SBATCH lines,
 * setup files), the array layout under a task limit, node-local places, relative paths, and the
 * scripts' #SBATCH block read back as sbatch reads it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "run/slurm.h"
#include "scratch.h"
#include "sim/slurp.h"

START_TEST(test_time_formats)
{
    static const char *const good[] = {"90",       "0",        "30:00",     "2:00:00",
                                       "48:00:00", "1-12",     "1-12:30",   "1-12:30:15",
                                       "7-0",      "INFINITE", "unlimited", "100000:59"};
    static const char *const bad[] = {"",          "2h",         "1:60:00", "1:00:60", "1-24",
                                      "1-2:3:4:5", "1:2:3:4",    "-1",      "1-",      ":30",
                                      "30:",       "1--2",       "1.5",     " 90",     "90 ",
                                      "1-12:300",  "1234567890", "1-1-1",   "a-1",     "1:2:3x"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(slurm_time_valid(good[i]), "'%s' should be a valid time", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!slurm_time_valid(bad[i]), "'%s' should be refused", bad[i]);
}
END_TEST

START_TEST(test_mem_formats)
{
    static const char *const good[] = {"1", "4000", "4G", "512m", "2T", "16k"};
    static const char *const bad[] = {"",    "0",   "0G",   "4GB", "G",
                                      "4 G", "-4G", "4.5G", "4X",  "1234567890123456"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(slurm_mem_valid(good[i]), "'%s' should be valid", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!slurm_mem_valid(bad[i]), "'%s' should be refused", bad[i]);
}
END_TEST

START_TEST(test_extra_reserved)
{
    static const char *const taken[] = {
        "--array=0-3", "-a 0-3",      "--arr=1", "--chdir=/x", "-D/x",       "--dependency=after:1",
        "--output=x",  "--out x",     "-e err",  "--time=5",   "-t 5",       "--partition=a",
        "-p a",        "--account=x", "-A x",    "--mem=2G",   "--qos=high", "--constraint=x"};
    static const char *const free_[] = {"--gres=gpu:1", "--mem-per-cpu=2G",   "--mail-type=END",
                                        "--exclusive",  "--open-mode=append", "-N 1",
                                        "--job-name=x", "--comment=\"a b\"",  "--nice=10"};
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
        ck_assert_msg(slurm_extra_reserved(taken[i]), "'%s' should be reserved", taken[i]);
    for (size_t i = 0; i < sizeof free_ / sizeof free_[0]; i++)
        ck_assert_msg(!slurm_extra_reserved(free_[i]), "'%s' should be free", free_[i]);
}
END_TEST

/* Every layout covers the points with non-empty tasks, within the limit; the chunk asked for is
 * kept unless the limit forces it up. */
START_TEST(test_layout)
{
    struct slurm_layout l = slurm_layout(1500, 1, 1001);
    ck_assert(l.grown);
    ck_assert_uint_eq(l.chunk, 2);
    ck_assert_uint_eq(l.tasks, 750);
    l = slurm_layout(1001, 1, 1001);
    ck_assert(!l.grown);
    ck_assert_uint_eq(l.tasks, 1001);
    l = slurm_layout(1002, 1, 1001);
    ck_assert(l.grown);
    ck_assert_uint_eq(l.chunk, 2);
    ck_assert_uint_eq(l.tasks, 501);
    l = slurm_layout(8, 3, 1001);
    ck_assert(!l.grown);
    ck_assert_uint_eq(l.chunk, 3);
    ck_assert_uint_eq(l.tasks, 3);
    l = slurm_layout(UINT64_MAX, 1, SLURM_ARRAY_MAX_LIMIT);
    ck_assert(l.grown);
    ck_assert_uint_le(l.tasks, SLURM_ARRAY_MAX_LIMIT);
    for (uint64_t n = 1; n <= 300; n++)
        for (uint64_t chunk = 1; chunk <= 12; chunk++)
            for (uint64_t max = 1; max <= 40; max += 3) {
                l = slurm_layout(n, chunk, max);
                uint64_t wanted = (n + chunk - 1) / chunk;
                ck_assert_uint_le(l.tasks, max);
                ck_assert_uint_ge(l.chunk * l.tasks, n);       /* every point has a task */
                ck_assert_uint_lt(l.chunk * (l.tasks - 1), n); /* no task is empty */
                ck_assert(l.grown == (wanted > max));
                if (!l.grown)
                    ck_assert_uint_eq(l.chunk, chunk);
            }
}
END_TEST

START_TEST(test_node_local)
{
    ck_assert_str_eq(slurm_node_local("/tmp", NULL), "/tmp");
    ck_assert_str_eq(slurm_node_local("/tmp/u/camp", NULL), "/tmp");
    ck_assert_str_eq(slurm_node_local("/var/tmp/c", NULL), "/var/tmp");
    ck_assert_str_eq(slurm_node_local("/dev/shm/c", NULL), "/dev/shm");
    ck_assert_ptr_null(slurm_node_local("/tmpfoo/c", NULL));
    ck_assert_ptr_null(slurm_node_local("/home/u/tmp/c", NULL));
    ck_assert_ptr_null(slurm_node_local("/var/tmpx", NULL));
    ck_assert_str_eq(slurm_node_local("/scratch/local/j1/c", "/scratch/local"), "/scratch/local");
    ck_assert_str_eq(slurm_node_local("/scratch/local/c", "/scratch/local/"), "/scratch/local/");
    ck_assert_ptr_null(slurm_node_local("/scratch/localx/c", "/scratch/local"));
    ck_assert_ptr_null(slurm_node_local("/home/u/c", "/"));  /* TMPDIR=/ would name everything */
    ck_assert_ptr_null(slurm_node_local("/home/u/c", "//")); /* likewise */
    ck_assert_ptr_null(slurm_node_local("/home/u/c", ""));
    ck_assert_str_eq(slurm_node_local("/tmp/job1/c", "/tmp/job1"), "/tmp/job1");
    ck_assert_str_eq(slurm_node_local("/tmp/c", "/tmp/job1"), "/tmp");
}
END_TEST

START_TEST(test_relative)
{
    static const char *const cases[][3] = {
        {"/a/b/s.yaml", "/a/c/d", "../../b/s.yaml"},
        {"/a/b/c/s.yaml", "/a/b", "c/s.yaml"},
        {"/a/b", "/a/b", "."},
        {"/s.yaml", "/", "s.yaml"},
        {"/a/b/s.yaml", "/", "a/b/s.yaml"},
        {"/", "/a", ".."},
        {"/ab/s", "/a", "../ab/s"},
        {"/a", "/a/b/c", "../.."},
        {"/a/b", "/a/bc", "../b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = slurm_relative(cases[i][0], cases[i][1]);
        ck_assert_ptr_nonnull(r);
        ck_assert_msg(strcmp(r, cases[i][2]) == 0, "%s from %s: got '%s', expected '%s'",
                      cases[i][0], cases[i][1], r, cases[i][2]);
        free(r);
    }
}
END_TEST

/* The first message whose text holds `part`, or NULL. */
static const struct diag_msg *find_msg(const struct diag *d, const char *part)
{
    for (size_t i = 0; i < d->len; i++)
        if (strstr(d->msgs[i].text, part))
            return &d->msgs[i];
    return NULL;
}

START_TEST(test_options_refused)
{
    struct slurm_options o;
    slurm_options_init(&o);
    const char *extra[] = {"gres=gpu:1", "--array=0-9", "--gres=gpu:1\n#SBATCH --x", "--ok=1"};
    o.time = "2h";
    o.partition = "a b";
    o.account = "acc\nx";
    o.qos = "";
    o.mem = "4GB";
    o.constraint = "a'b";
    o.extra = extra;
    o.nextra = 4;
    o.setup_file = "/nonexistent/setup.sh"; /* not read while other values are wrong */
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(slurm_options_check(&o, &d), -EINVAL);
    ck_assert_uint_eq(diag_error_count(&d), 9);
    ck_assert_ptr_nonnull(find_msg(&d, "--time: expected a Slurm time limit"));
    ck_assert_ptr_nonnull(find_msg(&d, "got '2h'"));
    ck_assert_ptr_nonnull(find_msg(&d, "--partition: expected a partition name"));
    ck_assert_ptr_nonnull(find_msg(&d, "--account: expected an account name (letters, digits, "
                                       "_ . + -), got a value holding a control character"));
    ck_assert_ptr_nonnull(find_msg(&d, "--qos: expected a QoS name"));
    ck_assert_ptr_nonnull(find_msg(&d, "--mem: expected a memory size per node"));
    ck_assert_ptr_nonnull(find_msg(&d, "--constraint: expected node features"));
    ck_assert_ptr_nonnull(find_msg(&d, "--sbatch: expected one sbatch option as it would follow"));
    ck_assert_ptr_nonnull(find_msg(&d, "--sbatch: '--array=0-9' is set by splitsim"));
    ck_assert_ptr_nonnull(find_msg(&d, "--sbatch: expected one sbatch option, e.g. --gres=gpu:1, "
                                       "got a value holding a control character"));
    ck_assert_ptr_null(o.setup);
    diag_release(&d);
    slurm_options_release(&o);
}
END_TEST

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

START_TEST(test_setup_file)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "slurm-setup");
    char *good = scratch_path(dir, "good.sh"), *crlf = scratch_path(dir, "crlf.sh"),
         *nul = scratch_path(dir, "nul.sh"), *sb = scratch_path(dir, "sbatch.sh");
    write_file(good, "module load hdf5\n\texport X=1", 28);
    write_file(crlf, "module load a\r\nmodule load b\r\n", 30);
    write_file(nul, "ok\nmod\0ule\n", 11);
    write_file(sb, "module load a\n#SBATCH --gres=gpu:1\n", 35);
    struct {
        const char *path;
        int rc, line, col;
        const char *text;
    } cases[] = {
        {good, 0, 0, 0, NULL},
        {crlf, -EINVAL, 1, 14, "a carriage return (Windows line ends"},
        {nul, -EINVAL, 2, 4, "a NUL byte"},
        {sb, 0, 2, 1, "sbatch ignores this #SBATCH line"},
        {"/nonexistent/setup.sh", -EINVAL, 0, 0, "--setup: cannot use '/nonexistent/setup.sh'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct slurm_options o;
        slurm_options_init(&o);
        o.setup_file = cases[i].path;
        struct diag d;
        diag_init(&d);
        ck_assert_int_eq(slurm_options_check(&o, &d), cases[i].rc);
        if (cases[i].text) {
            const struct diag_msg *m = find_msg(&d, cases[i].text);
            ck_assert_msg(m != NULL, "case %zu: no message '%s'", i, cases[i].text);
            if (cases[i].line) {
                ck_assert_str_eq(m->file, cases[i].path);
                ck_assert_int_eq(m->line, cases[i].line);
                ck_assert_int_eq(m->col, cases[i].col);
            }
        } else {
            ck_assert_uint_eq(d.len, 0);
            ck_assert_str_eq(o.setup, "module load hdf5\n\texport X=1");
        }
        diag_release(&d);
        slurm_options_release(&o);
    }
    free(good);
    free(crlf);
    free(nul);
    free(sb);
    scratch_remove(dir);
}
END_TEST

/* One word of an #SBATCH line as sbatch reads it (src/sbatch/opt.c, _get_argument: backslash
 * escapes the next character, single or double quotes group, an unquoted # ends the line; older
 * versions group with double quotes only and end at any unescaped #). */
static char *sbatch_word(const char *p, bool old_slurm)
{
    char *out = calloc(strlen(p) + 1, 1);
    size_t n = 0;
    char q = 0;
    bool esc = false;
    while (*p == ' ')
        p++;
    for (; *p && *p != '\n' && (q || *p != ' '); p++) {
        if (esc) {
            esc = false;
        } else if (*p == '\\') {
            esc = true;
            continue;
        } else if (old_slurm && *p == '#') {
            break;
        } else if (q) {
            if (*p == q) {
                q = 0;
                continue;
            }
        } else if (*p == '"' || (!old_slurm && *p == '\'')) {
            q = *p;
            continue;
        } else if (*p == '#') {
            break;
        }
        out[n++] = *p;
    }
    ck_assert_msg(!q, "unmatched quote");
    return out;
}

/* The scripts of a campaign in a folder whose name holds quotes, '#', '%' and spaces: sbatch
 * reads its --chdir back as the folder; every #SBATCH line comes before the first command; the
 * options and the setup lines are there; the layout note is given. */
START_TEST(test_scripts)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "slurm-scripts");
    char *camp = scratch_path(dir, "c \"q\" 'x' #1 50%");
    char *scen = scratch_path(dir, "s.yaml");
    char *setup = scratch_path(dir, "setup.sh");
    ck_assert_int_eq(mkdir(camp, 0777), 0);
    write_file(scen, "model: queue\n", 13);
    write_file(setup, "module load hdf5 openmpi\n", 25);
    struct slurm_options o;
    slurm_options_init(&o);
    const char *extra[] = {"--gres=gpu:1"};
    o.time = "1-12";
    o.partition = "short,long";
    o.mem = "2G";
    o.throttle = 50;
    o.extra = extra;
    o.nextra = 1;
    o.setup_file = setup;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(slurm_options_check(&o, &d), 0);
    const char *sets[] = {"run.seed=7"};
    struct slurm_campaign c = {
        .scenario = scen, .dir = camp, .sets = sets, .nsets = 1, .points = 1500};
    char *said = NULL;
    size_t saidlen = 0;
    FILE *out = open_memstream(&said, &saidlen);
    ck_assert_int_eq(slurm_write(&c, &o, out, &d), 0);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(said, "1500 points in 750 array task(s) of 2, at most 50"));
    ck_assert_ptr_nonnull(find_msg(&d, "1500 points in chunks of 1 would need 1500 array tasks, "
                                       "more than --array-max 1001"));
    ck_assert_ptr_nonnull(find_msg(&d, "the campaign folder")); /* it lies in /tmp */
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(camp, real));
    const char *names[] = {"campaign.sbatch", "merge.sbatch"};
    for (int k = 0; k < 2; k++) {
        char *path = scratch_path(camp, names[k]), *text = NULL;
        size_t len = 0;
        ck_assert_int_eq(slurp_file(path, 1 << 20, &text, &len, &d), 0);
        bool commands = false, chdir_seen = false;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            if (strncmp(line, "#SBATCH", 7) == 0) {
                ck_assert_msg(!commands, "%s: '%s' comes after a command", names[k], line);
                for (int old = 0; old < 2 && strncmp(line, "#SBATCH --chdir=", 16) == 0; old++) {
                    char *w = sbatch_word(line + 7, old);
                    ck_assert_str_eq(w + strlen("--chdir="), real);
                    free(w);
                    chdir_seen = true;
                }
            } else if (line[0] != '#') {
                commands = true;
            }
        }
        ck_assert(chdir_seen);
        free(text);
        ck_assert_int_eq(slurp_file(path, 1 << 20, &text, &len, &d), 0);
        ck_assert_ptr_nonnull(strstr(text, "\n#SBATCH --time=1-12\n#SBATCH --partition=short,long"
                                           "\n#SBATCH --mem=2G\n#SBATCH --gres=gpu:1\n"));
        ck_assert_ptr_nonnull(strstr(text, "\nmodule load hdf5 openmpi\n"));
        ck_assert_ptr_nonnull(strstr(text, "\nscenario='../s.yaml'\n"));
        ck_assert_ptr_nonnull(strstr(text, " --set 'run.seed=7' -- \"$scenario\"\n"));
        ck_assert(k == 1 || strstr(text, "\n#SBATCH --array=0-749%50\n"));
        ck_assert(k == 0 || !strstr(text, "--array"));
        free(text);
        free(path);
    }
    free(said);
    diag_release(&d);
    slurm_options_release(&o);
    free(camp);
    free(scen);
    free(setup);
    scratch_remove(dir);
}
END_TEST

static Suite *slurm_suite(void)
{
    Suite *s = suite_create("slurm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_time_formats);
    tcase_add_test(tc, test_mem_formats);
    tcase_add_test(tc, test_extra_reserved);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_node_local);
    tcase_add_test(tc, test_relative);
    tcase_add_test(tc, test_options_refused);
    tcase_add_test(tc, test_setup_file);
    tcase_add_test(tc, test_scripts);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(slurm_suite)
