#!/usr/bin/env bash
# Split policies end to end: a competition in a loaded fading cell (ranking with intervals,
# identical results on a repeated run, latency-aware policies faster to the first token than the
# paper's latency-blind objective), the paper's experiment (tools/paper_figures.py --check: MBRL
# near the oracle with >= 50x fewer true evaluations, better than every fixed split), and MBRL
# weights reused across runs.   Usage: e2e_policies.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py matplotlib
cd "$root" || exit 1

cell=(--set "run.duration=3 min" --set "run.warmup=30 s" --set run.replications=4
      --set policy.mbrl.ppo_steps=8000)
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run scenarios/compete-cell.yaml "${cell[@]}" -o "$work/c1.h5" >"$work/out" 2>&1
if [ $? -eq 0 ]; then ok "competition runs"; else fail "competition run"; cat "$work/out"; fi
grep -q "^competition: 7 policies" "$work/out" && ok "ranking printed" || { fail "no ranking"; cat "$work/out"; }
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run scenarios/compete-cell.yaml "${cell[@]}" -o "$work/c2.h5" -q
cmp -s "$work/c1.h5" "$work/c2.h5" && ok "repeated competition: identical file" || fail "repeated competition differs"
if $py - "$work/c1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
c = f["competition"]
names = c.attrs["policies"].split(",")
assert sorted(c["rank"][:]) == list(range(1, len(names) + 1))
assert np.all(np.isfinite(c["reward_ci95"][:])), "intervals need replications"
assert np.all(c["diff_best"][:] <= 0)
ev = dict(zip(names, c["evaluations"][:]))
dec = dict(zip(names, c["decisions"][:]))
assert ev["fixed"] == ev["random"] == ev["latency"] == 0
assert ev["exhaustive"] == 16 * dec["exhaustive"] and ev["paper"] == 16 * dec["paper"]
assert 0 < ev["greedy"] < ev["exhaustive"]
assert 0 < ev["mbrl"] <= 200 * 4
# common random numbers: every policy saw the same requests
ids = {n: np.sort(f[f"policies/{n}/requests/arrival_ns"][:]) for n in names}
assert all(np.array_equal(ids[names[0]], v) for v in ids.values())
# latency-aware policies reach the first token sooner than the paper's objective, in every
# replication (paired: same requests)
def rep_ttft(n):
    r = f[f"policies/{n}/requests"]
    ok = (r["status"][:] == 0) & (r["arrival_ns"][:] >= 30e9)
    rep = r["replication"][:]
    return np.array([r["ttft_s"][:][ok & (rep == i)].mean() for i in np.unique(rep)])
paper = rep_ttft("paper")
for n in ["latency", "exhaustive"]:
    d = paper - rep_ttft(n)
    print(f"TTFT paper - {n}: {d.mean():.4f} s (per replication {np.round(d, 4)})")
    assert d.mean() > 0 and (d > 0).sum() >= len(d) - 1, n
PY
then ok "competition table, evaluations, common arrivals, latency-aware TTFT < paper"; else fail "competition checks"; fi

if $py tools/paper_figures.py --splitsim "$splitsim" --out "$work/paper" --replications 2 --check >"$work/paper.out" 2>&1; then
    ok "paper reproduction claims (tools/paper_figures.py --check)"
else
    fail "paper reproduction claims"; cat "$work/paper.out"
fi
for png in best_split_vs_p reward_vs_p evaluations; do
    s=$(stat -c %s "$work/paper/$png.png" 2>/dev/null || echo 0)
    [ "$s" -gt 15000 ] && ok "paper figure $png ($s bytes)" || fail "paper figure $png missing or trivial"
done

# MBRL weights: trained once, reused: two runs from the same weights decide identically
p=(--set "run.duration=300 s" --set run.replications=1 --set "policy.compete=[]" --set policy.name=mbrl)
"$splitsim" run scenarios/paper/paper.yaml "${p[@]}" --set "policy.mbrl.weights_out=$work/w.txt" -o "$work/m0.h5" -q \
    && [ -s "$work/w.txt" ] && ok "mbrl writes its weights" || fail "mbrl weights_out"
for i in 1 2; do
    "$splitsim" run scenarios/paper/paper.yaml "${p[@]}" --set "policy.mbrl.weights_in=$work/w.txt" \
        --set policy.mbrl.budget=0 --set run.seed=11 -o "$work/m$i.h5" -q || fail "mbrl weights_in run $i"
done
if $py - "$work/m1.h5" "$work/m2.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(x, "r")["decisions"] for x in sys.argv[1:])
assert (a["evaluations"][:] == 0).all() and (b["evaluations"][:] == 0).all()
assert np.array_equal(a["erasure"][:], b["erasure"][:])      # the same requests
assert np.array_equal(a["split"][:], b["split"][:])          # the same decisions
# and they are the trained policy's, not a constant: close to the oracle's best split
k, best = a["split"][:], a["oracle_split"][:]
print(f"reloaded mbrl: {np.mean(np.abs(k - best) <= 1):.2f} of decisions within 1 of the oracle")
assert np.mean(np.abs(k - best) <= 1) > 0.6 and len(np.unique(k)) > 1
PY
then ok "mbrl reloaded weights: no evaluations, same decisions"; else fail "mbrl reloaded weights"; fi

e2e_finish "e2e policies"
