#!/usr/bin/env bash
# Slurm campaigns under a stand-in for sbatch that reads the scripts as sbatch does, runs every
# array task (the %N throttle ignored) and then the merge job, each from a copy of its script in
# a spool folder and in the working directory Slurm would give it: the campaign written from
# one folder, moved with its scenario, and submitted from another gives the same index as a
# local -j 2 run; the #SBATCH options and setup lines reach the jobs; SPLITSIM picks the
# executable; a job script submitted by itself finds its folder; a 1,500-point sweep fits in
# Slurm's default array limit, every point in exactly one task; bad option values exit 2 with a
# message and write nothing; node-local folders are warned about.   Usage: e2e_slurm.sh SPLITSIM
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py
cd "$work" || exit 1
mkdir -p bin spool elsewhere proj/scenarios proj/gen
export FAKE_SBATCH_LOG="$work/sbatch.log" FAKE_SBATCH_SPOOL="$work/spool" FAKE_SBATCH_TASKS="$work/tasks.log"
cat >bin/sbatch <<'EOF'
#!/usr/bin/python3
"""A stand-in for sbatch. Logs its arguments (one JSON list a line), reads the script's #SBATCH
directives as sbatch does (only before the first command; quotes, backslashes and # comments as
in src/sbatch/opt.c), lets the command line override them, refuses an array over MaxArraySize
(FAKE_MAX_ARRAY_SIZE, default 1001) and a dependency on an unknown job, then runs the job at
once: each array task in turn from a copy of the script in a spool folder, in the --chdir folder
(else the folder sbatch was called from), its output where --output says (%A %a %j %% expanded).
Prints the job id; each task's exit status goes to FAKE_SBATCH_TASKS."""
import json, os, re, shutil, subprocess, sys

def words(line):
    out, cur, q, esc, have = [], "", None, False, False
    for ch in line:
        if esc:
            cur += ch; esc = False; have = True; continue
        if ch == "\\":
            esc = True; continue
        if q:
            if ch == q: q = None
            else: cur += ch
            continue
        if ch in "\"'":
            q = ch; have = True; continue
        if ch == "#":
            break
        if ch.isspace():
            if have or cur: out.append(cur)
            cur, have = "", False
            continue
        cur += ch; have = True
    if q: sys.exit("sbatch: error: unmatched quote in: " + line)
    if have or cur: out.append(cur)
    return out

def options(argv):
    opts, rest, i = {}, [], 0
    while i < len(argv):
        a = argv[i]
        if not a.startswith("-") or rest:
            rest.append(a)
        elif "=" in a:
            k, v = a.split("=", 1); opts[k] = v
        elif a in ("--parsable",):
            opts[a] = ""
        else:
            opts[a] = argv[i + 1]; i += 1
        i += 1
    return opts, rest

log = os.environ["FAKE_SBATCH_LOG"]
with open(log, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\n")
cli, rest = options(sys.argv[1:])
script, args = rest[0], rest[1:]
directives = []
with open(script) as f:
    lines = f.read().split("\n")
for n, line in enumerate(lines):
    if n == 0 and line.startswith("#!"):
        continue
    if line.startswith("#SBATCH"):
        directives += words(line[len("#SBATCH"):])
    elif line.strip() and not line.startswith("#"):
        break
opts, _ = options(directives)
opts.update(cli)
spool = os.environ["FAKE_SBATCH_SPOOL"]
state = os.path.join(spool, "next_id")
jid = int(open(state).read()) if os.path.exists(state) else 100
open(state, "w").write(str(jid + 1))
dep = opts.get("--dependency")
if dep and not os.path.exists(os.path.join(spool, "job%s.sh" % dep.split(":")[1])):
    sys.exit("sbatch: error: Job dependency problem")
tasks = [None]
if "--array" in opts:
    m = re.fullmatch(r"(\d+)-(\d+)(%\d+)?", opts["--array"])
    if not m or int(m.group(2)) >= int(os.environ.get("FAKE_MAX_ARRAY_SIZE", "1001")):
        sys.exit("sbatch: error: Batch job submission failed: Invalid job array specification")
    tasks = range(int(m.group(1)), int(m.group(2)) + 1)
copy = os.path.join(spool, "job%d.sh" % jid)
shutil.copy(script, copy)
cwd = opts.get("--chdir", os.getcwd())
pattern = opts.get("--output", "slurm-%A_%a.out" if tasks != [None] else "slurm-%j.out")
for t in tasks:
    env = dict(os.environ, SLURM_JOB_ID=str(jid), SLURM_SUBMIT_DIR=os.getcwd())
    out = pattern.replace("%%", "\0").replace("%j", str(jid)).replace("%A", str(jid))
    if t is not None:
        env.update(SLURM_ARRAY_JOB_ID=str(jid), SLURM_ARRAY_TASK_ID=str(t))
        out = out.replace("%a", str(t))
    out = os.path.join(cwd, out.replace("\0", "%"))
    with open(out, "w") as f:
        rc = subprocess.call(["bash", copy] + args, cwd=cwd, env=env, stdout=f, stderr=f)
    with open(os.environ["FAKE_SBATCH_TASKS"], "a") as f:
        f.write("%d %s %d\n" % (jid, t, rc))
print(jid if "--parsable" in opts else "Submitted batch job %d" % jid)
EOF
chmod +x bin/sbatch
same() { # index1 index2: both complete, identical /summary tables of 8 x 3 rows
    $py - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(x, "r") for x in sys.argv[1:])
assert int(a.attrs["complete"]) == 1 and int(b.attrs["complete"]) == 1
assert int(b.attrs["points_complete"]) == 8
sa, sb = a["summary"], b["summary"]
assert set(sa) == set(sb)
for k in sa:
    assert np.array_equal(sa[k][:], sb[k][:], equal_nan=True), k
assert len(sa["point"]) == 8 * 3
PY
}
tasks_ok() { # every job and task the stand-in ran exited 0
    [ -s "$FAKE_SBATCH_TASKS" ] && ! awk '$3 != 0' "$FAKE_SBATCH_TASKS" | grep -q .
}

cp "$root/tests/scenarios/campaign.yaml" proj/scenarios/
"$splitsim" sweep proj/scenarios/campaign.yaml -o local -j 2 -q 2>/dev/null
cat >proj/setup.sh <<'EOF'
# what a cluster needs before splitsim runs: module load hdf5 openmpi
: "${FAKE_MODULE_VARIABLE_THAT_IS_UNSET}"
echo "setup ran in $PWD"
cd /
EOF

# 1. Written from proj/gen with every option, moved with its scenario, submitted from elsewhere.
(cd proj/gen && "$splitsim" sweep ../scenarios/campaign.yaml -o ../runs/camp --slurm --chunk 3 \
    --throttle 2 --time 0:30:00 --partition short,long --account proj1 --mem 1G --qos normal \
    --constraint 'avx2&ib' --sbatch --gres=gpu:1 --sbatch '--comment="two words"' \
    --setup ../setup.sh) >gen.out 2>gen.err
expect_status 0 $? "--slurm with every option"
expect_grep "8 points in 3 array task(s) of 3, at most 2 running at once; submit with $work/proj/runs/camp/submit.sh" gen.out "layout and how to submit"
expect_grep "warning: --slurm: the campaign folder '$work/proj/runs/camp' lies in /tmp, which on most clusters is a disk of its own on each node" gen.err "a campaign in /tmp is warned about"
expect_grep "warning: --slurm: the scenario '$work/proj/scenarios/campaign.yaml' lies in /tmp" gen.err "a scenario in /tmp is warned about"
s=proj/runs/camp/campaign.sbatch
for line in "#SBATCH --array=0-2%2" "#SBATCH --time=0:30:00" "#SBATCH --partition=short,long" \
    "#SBATCH --account=proj1" "#SBATCH --qos=normal" "#SBATCH --mem=1G" "#SBATCH --constraint=avx2&ib" \
    "#SBATCH --gres=gpu:1" "#SBATCH --comment=\"two words\"" "#SBATCH --chdir=\"$work/proj/runs/camp\"" \
    "scenario='../../scenarios/campaign.yaml'" ': "${FAKE_MODULE_VARIABLE_THAT_IS_UNSET}"'; do
    grep -qxF -- "$line" "$s" || { fail "campaign.sbatch lacks: $line"; cat "$s"; }
done
grep -qxF "#SBATCH --time=0:30:00" proj/runs/camp/merge.sbatch && grep -qF "module load hdf5" proj/runs/camp/merge.sbatch \
    && ok "the options and the setup lines are in both job scripts" || fail "merge.sbatch lacks the options"
mv proj moved
camp="$work/moved/runs/camp"
(cd elsewhere && PATH="$work/bin:$PATH" "$camp/submit.sh") >submit.out 2>&1
expect_status 0 $? "submit.sh from another folder, after the folder moved"
tasks_ok && [ "$(wc -l <"$FAKE_SBATCH_TASKS")" -eq 4 ] && ok "3 array tasks and the merge ran, each exiting 0" \
    || { fail "jobs failed"; cat "$FAKE_SBATCH_TASKS" "$camp"/logs/*; }
same local/campaign.h5 "$camp/campaign.h5" && ok "index complete and equal to the local -j 2 run" \
    || { fail "slurm index differs from the local run"; cat "$camp"/logs/*; }
$py - "$FAKE_SBATCH_LOG" "$camp" <<'PY' && ok "sbatch calls: --chdir where the folder now is, merge after the array" || fail "sbatch calls"
import json, sys
calls = [json.loads(l) for l in open(sys.argv[1])]
camp = sys.argv[2]
assert len(calls) == 2, calls
assert "--chdir=" + camp in calls[0] and calls[0][-1] == camp + "/campaign.sbatch", calls[0]
assert "--dependency=afterany:100" in calls[1] and calls[1][-1] == camp + "/merge.sbatch", calls[1]
assert "--output=" + camp + "/logs/%A_%a.out" in calls[0], calls[0]
PY
grep -q "setup ran in $camp" "$camp/logs/100_0.out" && grep -q "setup ran in $camp" "$camp"/logs/merge_101.out \
    && ok "the setup lines ran in every job (unset variables allowed, its cd undone)" || { fail "setup"; cat "$camp"/logs/*; }
expect_grep "submitted the array (job 100) and the merge (job 101); logs in $camp/logs" submit.out "submit.sh says what it submitted"

# 2. SPLITSIM picks the executable; a missing one stops submit.sh before anything is submitted.
printf '#!/bin/bash\necho "$*" >>%q/wrapper.log\nexec %q "$@"\n' "$work" "$splitsim" >bin/my-splitsim
chmod +x bin/my-splitsim
: >"$FAKE_SBATCH_TASKS"
(cd / && PATH="$work/bin:$PATH" SPLITSIM="$work/bin/my-splitsim" "$camp/submit.sh") >submit2.out 2>&1
tasks_ok && [ "$(grep -c "sweep -o \. --points" wrapper.log)" -eq 3 ] && [ "$(grep -c "sweep -o \. --merge" wrapper.log)" -eq 1 ] \
    && ok "SPLITSIM: every job ran that executable" || { fail "SPLITSIM not used"; cat wrapper.log submit2.out; }
(cd / && PATH="$work/bin:$PATH" SPLITSIM="$work/no/splitsim" "$camp/submit.sh") >submit3.out 2>&1
st=$?
[ $st -ne 0 ] && [ "$(wc -l <"$FAKE_SBATCH_LOG")" -eq 4 ] && ok "a missing SPLITSIM stops submit.sh (exit $st), nothing submitted" \
    || fail "missing SPLITSIM"
expect_grep "submit.sh: no splitsim executable at '$work/no/splitsim'; set SPLITSIM=/path/to/splitsim" submit3.out "... and says why"

# 3. A job script submitted by itself, from another folder: its #SBATCH --chdir (a folder name
#    with a space, quotes, '#' and '%', read back as sbatch reads it) finds the campaign.
odd="$work/c 2 \"q\" 'x' #3 50%"
"$splitsim" sweep moved/scenarios/campaign.yaml -o "$odd" --slurm --chunk 5 >/dev/null 2>&1
: >"$FAKE_SBATCH_TASKS"
(cd / && PATH="$work/bin:$PATH" && sbatch "$odd/campaign.sbatch" && sbatch "$odd/merge.sbatch") >direct.out 2>&1
tasks_ok && same local/campaign.h5 "$odd/campaign.h5" && ok "sbatch DIR/campaign.sbatch, then merge.sbatch, from /: same index" \
    || { fail "direct sbatch"; cat direct.out "$FAKE_SBATCH_TASKS"; }
# ... and run by hand, by bash, from another folder
rm -rf "$odd/points" "$odd/campaign.h5"
(cd elsewhere && for t in 0 1; do SLURM_ARRAY_TASK_ID=$t bash "$odd/campaign.sbatch" || exit 1; done && bash "$odd/merge.sbatch") >byhand.out 2>&1
same local/campaign.h5 "$odd/campaign.h5" && ok "the job scripts run by hand from another folder: same index" \
    || { fail "by hand"; cat byhand.out; }
(cd elsewhere && bash "$odd/campaign.sbatch") >notask.out 2>&1
expect_grep "not an array task (by hand: SLURM_ARRAY_TASK_ID=I bash campaign.sbatch)" notask.out "by hand without a task id: told how"

# 4. 1,500 points: chunks grow to fit Slurm's default MaxArraySize; every point in one task.
printf 'model: queue\nrun: {duration: 1 s}\nsweep:\n  grid:\n    run.seed: [%s]\n' "$(seq -s, 1 1500)" >big.yaml
"$splitsim" sweep big.yaml -o big --slurm >big.out 2>big.err
expect_status 0 $? "--slurm of 1,500 points"
expect_grep "--slurm: 1500 points in chunks of 1 would need 1500 array tasks, more than --array-max 1001 (Slurm's default MaxArraySize is 1001); chunks grown to 2 points: 750 tasks" big.err "the grown chunk is noted"
expect_grep "1500 points in 750 array task(s) of 2;" big.out "750 tasks of 2"
grep -qx "#SBATCH --array=0-749" big/campaign.sbatch && ok "--array=0-749" || fail "array line"
printf '#!/bin/bash\nwhile [ $# -gt 0 ]; do [ "$1" = --points ] && echo "$2" >>%q/ranges; shift; done; exit 0\n' "$work" >bin/ranges-splitsim
chmod +x bin/ranges-splitsim
: >"$FAKE_SBATCH_TASKS"
(cd elsewhere && PATH="$work/bin:$PATH" SPLITSIM="$work/bin/ranges-splitsim" "$work/big/submit.sh") >big-submit.out 2>&1
expect_status 0 $? "the stand-in sbatch (MaxArraySize 1001) accepts the array"
$py - ranges <<'PY' && ok "the 750 tasks cover points 0-1499 exactly once" || fail "task ranges"
import sys
seen = []
for line in open(sys.argv[1]):
    a, b = map(int, line.split("-"))
    seen += range(a, b + 1)
assert sorted(seen) == list(range(1500)), (len(seen), len(set(seen)))
PY
"$splitsim" sweep big.yaml -o big2 --slurm --array-max 100 --throttle 20 >big2.out 2>&1
grep -qx "#SBATCH --array=0-99%20" big2/campaign.sbatch && ok "--array-max 100 --throttle 20: 100 tasks of 15, %20" \
    || { fail "--array-max 100"; cat big2.out; }
"$splitsim" sweep big.yaml -o big3 --slurm --chunk 10 >big3.out 2>&1
grep -qx "#SBATCH --array=0-149" big3/campaign.sbatch && ! grep -q "grown" big3.out \
    && ok "--chunk 10: 150 tasks, nothing grown" || { fail "--chunk 10"; cat big3.out; }

# 5. Bad values: exit 2, a message naming the option, nothing written.
printf 'module load a\r\n' >crlf.sh
bad() { # expected-message args...
    local msg=$1
    shift
    rm -rf badcamp
    "$splitsim" sweep moved/scenarios/campaign.yaml -o badcamp "$@" >bad.out 2>&1
    local st=$?
    if [ $st -eq 2 ] && grep -qF -- "$msg" bad.out && [ ! -e badcamp ]; then
        ok "refused: $(printf '%q ' "$@")(exit 2)"
    else
        fail "$(printf '%q ' "$@"): exit $st, expected 2 with '$msg' and no folder"
        cat bad.out
    fi
}
bad "--time: expected a Slurm time limit: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS (e.g. 90, 2:00:00 or 1-12), got '2h'" --slurm --time 2h
bad "got '1:60:00'" --slurm --time 1:60:00
bad "--mem: expected a memory size per node: a positive integer with an optional unit K, M (the default), G or T, e.g. 4G, got '4GB'" --slurm --mem 4GB
bad "--partition: expected a partition name, or several separated by commas (letters, digits, _ . + -), got 'a b'" --slurm --partition 'a b'
bad "--account: expected an account name (letters, digits, _ . + -), got a value holding a control character" --slurm --account $'acc\n#SBATCH --x'
bad "--sbatch: expected one sbatch option, e.g. --gres=gpu:1, got a value holding a control character" --slurm --sbatch $'--gres=gpu:1\ntouch PWNED'
bad "--sbatch: '--array=0-9' is set by splitsim (--chunk, --array-max and --throttle shape the array)" --slurm --sbatch --array=0-9
bad "--sbatch: '-p short' is set by splitsim (use --partition)" --slurm --sbatch '-p short'
bad "--sbatch: expected one sbatch option as it would follow '#SBATCH ', e.g. --gres=gpu:1 or --mail-type=END, got 'gres=gpu:1'" --slurm --sbatch gres=gpu:1
bad "--array-max: expected an integer in [1, 4000001], got '0'" --slurm --array-max 0
bad "--throttle: expected an integer in [1, 4294967295], got '0'" --slurm --throttle 0
bad "--throttle: expected a non-negative integer, got 'x'" --slurm --throttle x
bad "--chunk: expected an integer in [1, 18446744073709551615], got '0'" --slurm --chunk 0
bad "--setup: cannot use 'no-such.sh'" --slurm --setup no-such.sh
bad "crlf.sh:1:14: error: --setup: expected shell lines, got a carriage return (Windows line ends: convert the file with dos2unix)" --slurm --setup crlf.sh
bad "--time: only with --slurm (it shapes the Slurm job scripts)" --time 1:00:00
bad "--setup: only with --slurm" -j 2 --setup crlf.sh
[ ! -e PWNED ] && ok "no line was injected" || fail "an injected line ran"

# 6. $TMPDIR counts as node-local too.
mkdir -p nodelocal
TMPDIR="$work/nodelocal" "$splitsim" sweep moved/scenarios/campaign.yaml -o nodelocal/c --slurm >tmpdir.out 2>&1
expect_grep "the campaign folder '$work/nodelocal/c' lies in \$TMPDIR ($work/nodelocal), which on most clusters" tmpdir.out "a campaign in \$TMPDIR is warned about"

e2e_finish "e2e slurm"
