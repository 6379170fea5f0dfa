#!/usr/bin/env bash
# Campaigns: -j 2 and a 2-rank mpirun give identical indexes; an interrupted campaign resumed
# gives the same index as an uninterrupted one (SIGTERM of the sweep, SIGKILL of a worker);
# complete points are skipped; the Slurm scripts, run as array tasks then merged, give the same
# index; a log line per point when stderr is not a terminal.   Usage: e2e_campaign.sh SPLITSIM
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py
scn="$root/tests/scenarios/campaign.yaml"
same() { # index1 index2: identical /summary tables and 'complete'
    $py - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(x, "r") for x in sys.argv[1:])
assert int(a.attrs["complete"]) == 1 and int(b.attrs["complete"]) == 1
sa, sb = a["summary"], b["summary"]
assert set(sa) == set(sb)
for k in sa:
    assert np.array_equal(sa[k][:], sb[k][:], equal_nan=True), k
assert len(sa["point"]) == 8 * 3
PY
}

"$splitsim" sweep "$scn" -o "$work/j2" -j 2 >"$work/out" 2>"$work/err"
[ $? -eq 0 ] && ok "-j 2 campaign" || { fail "-j 2 campaign"; cat "$work/err"; }
grep -q "^point 0: done" "$work/err" && ok "a log line per point" || fail "no per-point log line"
[ -e "$work/j2/campaign.h5" ] && ls "$work/j2/points/"p*.h5 >/dev/null 2>&1 && ! ls "$work/j2/points/"*.part >/dev/null 2>&1 \
    && ok "point files and index, no .part left" || fail "campaign files"
if $py - "$work/j2/campaign.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format"] == "splitsim-campaign" and f.attrs["axes"] == "reward.latency,channel.fading"
s = f["summary"]
assert sorted(set(s["point"][:])) == list(range(8))
assert sorted(set(s["reward_latency"][:])) == [0, 5] and sorted(set(s["channel_fading"][:])) == [0, 1]
assert f["points/p5"].attrs["sweep_point"] == 5           # the external link resolves
assert np.all(np.isfinite(s["ttft_mean_s"][:]))
PY
then ok "index: axes, rows, links"; else fail "index contents"; fi
"$splitsim" sweep "$scn" -o "$work/j2" -j 2 >"$work/out" 2>"$work/err"
grep -q "0 point(s) to run, 8 already complete" "$work/err" && ok "rerun skips complete points" || { fail "rerun"; cat "$work/err"; }
"$splitsim" sweep "$scn" -o "$work/j2" -j 2 --fresh >"$work/out" 2>"$work/err"
grep -q "8 point(s) to run, 0 already complete" "$work/err" && same "$work/j2/campaign.h5" "$work/j2/campaign.h5" \
    && ok "--fresh reruns every point" || { fail "--fresh"; cat "$work/err"; }

if "$splitsim" --version | grep -q "mpi yes" && command -v mpirun >/dev/null; then
    ASAN_OPTIONS=detect_leaks=0 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 \
        mpirun -np 2 --oversubscribe "$splitsim" sweep "$scn" -o "$work/mpi" -q >"$work/mpi.out" 2>&1
    [ $? -eq 0 ] && ok "2-rank mpirun campaign" || { fail "mpirun campaign"; tail -20 "$work/mpi.out"; }
    same "$work/j2/campaign.h5" "$work/mpi/campaign.h5" && ok "mpirun and -j 2: identical summary tables" \
        || fail "mpirun and -j 2 differ"
else
    echo "skip - no MPI build or no mpirun"
fi

# Interrupt: SIGTERM the sweep mid-way, then resume.
"$splitsim" sweep "$scn" -o "$work/int" -j 2 --set "run.duration=3 h" >"$work/int.out" 2>&1 &
pid=$!
sleep 1.5
kill -TERM "$pid"; wait "$pid"; st=$?
[ "$st" -ne 0 ] && ok "interrupted sweep exits $st" || fail "interrupted sweep exit 0"
# What docs/RESULTS.md calls them: a point stopped by the interrupt is "interrupted", not FAILED,
# and left points/pI.incomplete.h5.
stopped=$(sed -n 's/^point \([0-9]*\): interrupted in .*/\1/p' "$work/int.out")
named=1
for i in $stopped; do [ -e "$work/int/points/p$i.incomplete.h5" ] || named=0; done
grep -q "complete points are kept (points/pI.h5), interrupted ones left points/pI.incomplete.h5" "$work/int.out" \
    && ! grep -q "FAILED" "$work/int.out" && [ $named -eq 1 ] \
    && ok "interrupted points named as RESULTS.md says (${stopped:-none running})" \
    || { fail "interrupted points reported otherwise"; cat "$work/int.out"; ls "$work/int/points"; }
n=$(ls "$work/int/points/"p*.h5 2>/dev/null | wc -l)
"$splitsim" sweep "$scn" -o "$work/int" -j 2 --set "run.duration=3 h" >"$work/int2.out" 2>&1 \
    && ok "resumed sweep completes ($n point files existed)" || { fail "resume"; cat "$work/int2.out"; }
"$splitsim" sweep "$scn" -o "$work/full" -j 2 --set "run.duration=3 h" -q >/dev/null 2>&1
same "$work/full/campaign.h5" "$work/int/campaign.h5" && ok "interrupted + resumed = uninterrupted index" \
    || fail "resumed index differs"
# SIGKILL one worker: only its point is lost and redone.
"$splitsim" sweep "$scn" -o "$work/kill" -j 2 --set "run.duration=3 h" >"$work/kill.out" 2>&1 &
pid=$!
sleep 1
w=$(pgrep -P "$pid" | head -1)
[ -n "$w" ] && kill -KILL "$w"
wait "$pid"
grep -q "worker killed by signal 9" "$work/kill.out" && ok "a killed worker is reported" || { fail "killed worker not reported"; cat "$work/kill.out"; }
"$splitsim" sweep "$scn" -o "$work/kill" -j 2 --set "run.duration=3 h" -q >/dev/null 2>&1
same "$work/full/campaign.h5" "$work/kill/campaign.h5" && ok "killed worker + resume = uninterrupted index" \
    || fail "index after a killed worker differs"

# Slurm: the generated scripts, run as the array tasks would, then the merge.
"$splitsim" sweep "$scn" -o "$work/slurm" --slurm --chunk 3 >"$work/slurm.out" 2>&1
grep -q "8 points in 3 array task(s) of 3" "$work/slurm.out" && grep -q "^#SBATCH --array=0-2" "$work/slurm/campaign.sbatch" \
    && ok "slurm scripts written" || { fail "slurm scripts"; cat "$work/slurm.out"; }
for t in 0 1 2; do SLURM_ARRAY_TASK_ID=$t bash "$work/slurm/campaign.sbatch" >/dev/null 2>&1 || fail "array task $t"; done
bash "$work/slurm/merge.sbatch" >/dev/null 2>&1
same "$work/j2/campaign.h5" "$work/slurm/campaign.h5" && ok "slurm tasks + merge = -j 2 index" || fail "slurm index differs"

e2e_finish "e2e campaign"
