#!/usr/bin/env bash
# Statistics a reviewer accepts (issue 13 items 3, 4, 5, 9), end to end, each number recomputed
# from the file's own /requests with numpy and scipy (not with the simulator's code):
# - a split run says its warm-up (root attribute warmup_s, /summary/warmup_s) and which
#   requests it measured (/requests/measured); the readers' percentile (tools/plot_results.py)
#   gives /summary's p50, p95 and p99 to the bit; the percentiles' intervals are t intervals
#   over the replications' own percentiles; split_min/split_max and at_quality_ceiling;
# - a competition: reward_mean over replication means, rank by it, diff_best = this policy
#   minus the best (never positive), its paired interval and the tie flag, the ranking below
#   the quality ceiling, the CIs of p95/p99 and energy; the console's tie and energy columns,
#   the quality assumption, the ceiling's note or warning, the warning when every policy chose
#   the same split; an interruption names the policy and the replication;
# - a campaign index: /summary's new columns are the point files' values, /combinations the
#   mean and t interval over the replications of each combination.
# Skipped (exit 77) where /usr/bin/python3 lacks h5py, numpy or scipy.
# Usage: e2e_statistics.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py numpy scipy
export PYTHONPATH="$root/tools" MPLCONFIGDIR="$work/mpl" HOME="$work"
camp=(--set run.replications=3)

# ---- one policy, three replications
"$splitsim" run "$root/scenarios/default.yaml" --set "run.duration=3 min" --set "run.warmup=30 s" \
    --set run.replications=3 -o "$work/s.h5" -q || fail "split run"
if $py - "$work/s.h5" <<'PY'
import sys, h5py, numpy as np
from scipy.stats import t
import plot_results as pr
f = h5py.File(sys.argv[1], "r")
s, r = f["summary"], f["requests"]
assert f.attrs["warmup_s"] == 30.0 and s["warmup_s"][()] == 30.0
assert s["warmup_s"].attrs["units"] == "s"
ok = (r["status"][:] == 0) & (r["arrival_ns"][:] >= 30_000_000_000)
assert np.array_equal(r["measured"][:] == 1, ok) and set(np.unique(r["measured"][:])) <= {0, 1}
assert ok.sum() == s["measured"][()]
rep = r["replication"][:]
cols = {n: r[n][:] for n in ("ttft_s", "tpot_s", "latency_s", "quality", "reward", "bytes_up")}
cols["energy_j"] = r["energy_compute_j"][:] + r["energy_radio_j"][:]
for name, v in cols.items():
    g = s[name]
    for q in (50, 95, 99):     # the readers' percentile: the file's, to the bit
        got = pr.percentile(v[ok], q)
        assert got == g[f"p{q}"][()], (name, q, got, g[f"p{q}"][()])
        assert abs(np.percentile(v[ok][np.isfinite(v[ok])], q) - got) <= 1e-12 * abs(got)
        # its interval: t over the replications' own percentiles (numpy, scipy)
        per = np.array([np.percentile(v[ok & (rep == i)][np.isfinite(v[ok & (rep == i)])], q)
                        for i in np.unique(rep)])
        h = t.ppf(0.975, per.size - 1) * per.std(ddof=1) / np.sqrt(per.size)
        assert abs(g[f"p{q}_ci95"][()] - h) <= 1e-8 * abs(h), (name, q, g[f"p{q}_ci95"][()], h)
k = r["split"][:]
assert (s["split_min"][()], s["split_max"][()]) == (k.min(), k.max())
ceiling = s.attrs["quality_ceiling"]
assert ceiling == 1000.0 and s.attrs["quality_source"].startswith("ASSUMPTION")
assert s["at_quality_ceiling"][()] == (ok & (r["quality"][:] >= ceiling)).sum()
PY
then ok "split run: warmup_s, measured, percentiles to the bit, their intervals, split range, ceiling"
else fail "split run statistics"; fi

# ---- one replication of an overloaded edge (TTFT grows all run): too short for a valid
# batch-means interval, said on the console and in /summary; a calm run is long enough
"$splitsim" run "$root/scenarios/default.yaml" --set run.duration=150s --set workload.rate=2 \
    -o "$work/short.h5" >"$work/short.out" 2>&1 || fail "overloaded run"
expect_grep "warning: the run is too short for a valid 95% CI of ttft_s" "$work/short.out" \
    "a one-replication run too short for its interval says so"
"$splitsim" run "$root/scenarios/default.yaml" -o "$work/calm.h5" >"$work/calm.out" 2>&1 ||
    fail "calm run"
if grep -q "too short" "$work/calm.out"; then fail "a calm 20-minute run warned of a short run"; fi
if $py - "$work/short.h5" "$work/calm.h5" <<'PY'
import sys, h5py
short, calm = (h5py.File(f, "r")["summary"] for f in sys.argv[1:])
assert short["ci95_short"][()] == 1 and short["ttft_s/ci95_short"][()] == 1
assert calm["ci95_short"][()] == 0 and calm["ttft_s/ci95_short"][()] == 0
assert 0 < calm["ttft_s/ci95"][()] < calm["ttft_s/mean"][()]
PY
then ok "ci95_short in /summary: 1 for the overloaded run, 0 for the calm one"
else fail "ci95_short flags"; fi

# ---- a competition: fixed, exhaustive and latency on three replications
"$splitsim" run "$root/tests/scenarios/campaign.yaml" "${camp[@]}" -o "$work/c.h5" >"$work/c.out" 2>&1 ||
    { fail "competition run"; cat "$work/c.out"; }
check_competition() { # file
$py - "$1" <<'PY'
import sys, h5py, numpy as np
from scipy.stats import t
f = h5py.File(sys.argv[1], "r")
c = f["competition"]
names = c.attrs["policies"].split(",")
ceiling = c.attrs["quality_ceiling"]
def hw(x):
    return t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size) if x.size > 1 else np.nan
def rep_means(n, below=False):
    r = f[f"policies/{n}/requests"]
    ok = r["measured"][:] == 1
    if below:
        ok &= r["quality"][:] < ceiling
    rep = r["replication"][:]
    return np.array([r["reward"][:][ok & (rep == i)].mean() for i in np.unique(rep)])
m = {n: rep_means(n) for n in names}
assert c.attrs["replications_compared"] == len(m[names[0]])
mean = np.array([m[n].mean() for n in names])
assert np.allclose(c["reward_mean"][:], mean, rtol=1e-12, atol=0)
assert np.allclose(c["reward_ci95"][:], [hw(m[n]) for n in names], rtol=1e-8)
order = sorted(range(len(names)), key=lambda i: (-mean[i], i))
assert list(c["rank"][:]) == [order.index(i) + 1 for i in range(len(names))]
best = order[0]
diff = c["diff_best"][:]
assert np.all(diff <= 0) and diff[best] == 0
assert np.allclose(diff, mean - mean[best], rtol=0, atol=1e-12)
for i, n in enumerate(names):      # paired interval and tie
    d = m[n] - m[names[best]]
    assert abs(c["diff_best_ci95"][i] - hw(d)) <= 1e-8 * max(hw(d), 1e-300), (n, hw(d))
    if i != best:
        assert c["tie"][i] == int(abs(diff[i]) <= c["diff_best_ci95"][i]), n
assert c["tie"][best] == int(any(c["tie"][i] == 1 for i in range(len(names)) if i != best))
if "exhaustive" in names:
    x = names.index("exhaustive")
    assert np.allclose(c["regret"][:], mean[x] - mean, rtol=0, atol=1e-12)
# the ranking below the quality ceiling
below = np.array([np.nanmean(rep_means(n, True)) for n in names])
order = sorted(range(len(names)), key=lambda i: (-below[i], i))
assert list(c["rank_below_ceiling"][:]) == [order.index(i) + 1 for i in range(len(names))]
assert c.attrs["ceiling_decides"] == int(any(c["rank_below_ceiling"][:] != c["rank"][:]))
for i, n in enumerate(names):      # every other column is the policy's /summary
    s = f[f"policies/{n}/summary"]
    for col, g, k in (("ttft_p95_ci95_s", "ttft_s", "p95_ci95"), ("ttft_p99_ci95_s", "ttft_s", "p99_ci95"),
                      ("latency_p99_s", "latency_s", "p99"), ("latency_p99_ci95_s", "latency_s", "p99_ci95"),
                      ("energy_mean_j", "energy_j", "mean"), ("energy_ci95_j", "energy_j", "ci95"),
                      ("quality_ci95", "quality", "ci95"), ("at_quality_ceiling", None, "at_quality_ceiling"),
                      ("split_min", None, "split_min"), ("split_max", None, "split_max")):
        want = s[g][k][()] if g else s[k][()]
        assert c[col][i] == want or (np.isnan(want) and np.isnan(c[col][i])), (n, col)
    assert np.isfinite(c["ttft_p95_ci95_s"][i]) and np.isfinite(c["energy_ci95_j"][i])
split = set(zip(c["split_min"][:], c["split_max"][:]))
same = len(split) == 1 and next(iter(split))[0] == next(iter(split))[1]
assert c.attrs["same_split"] == (next(iter(split))[0] if same else -1)
print(f"ranks {list(c['rank'][:])}, ties {list(c['tie'][:])}, ceiling decides {c.attrs['ceiling_decides']}")
PY
}
if check_competition "$work/c.h5"; then ok "competition: basis, rank, sign, paired intervals, ties, ceiling, CIs"
else fail "competition table"; fi
expect_grep "3 of 3 replication(s) compared" "$work/c.out" "console: replications compared"
expect_grep " vs best tie  quality " "$work/c.out" "console: vs best and tie columns"
expect_grep "    energy evaluations" "$work/c.out" "console: energy column"
expect_grep "quality: ASSUMED parametric model" "$work/c.out" "console: the quality assumption"
console_agrees() { # file console-output
$py - "$1" "$2" <<'PY'
import sys, h5py
c = h5py.File(sys.argv[1], "r")["competition"]
out = open(sys.argv[2]).read()
n = int(sum(c["at_quality_ceiling"][:]))
decides = c.attrs["ceiling_decides"] == 1
assert (n > 0) == ("hit the quality ceiling" in out), n
assert decides == ("decide the ranking" in out)
assert ("warning: every policy chose split" in out) == (c.attrs["same_split"] >= 0)
print(f"{n} request(s) at the quality ceiling; it decides the ranking: {decides}")
PY
}
if console_agrees "$work/c.h5" "$work/c.out"; then ok "console: the ceiling's note or warning as the file says"
else fail "console ceiling lines"; cat "$work/c.out"; fi

# the loaded cell, where the latency-blind reward meets the quality ceiling
"$splitsim" run "$root/scenarios/compete-cell.yaml" --set "run.duration=2 min" --set "run.warmup=30 s" \
    "${camp[@]}" --set policy.mbrl.ppo_steps=2000 -o "$work/cell.h5" >"$work/cell.out" 2>&1 ||
    { fail "compete-cell run"; cat "$work/cell.out"; }
if check_competition "$work/cell.h5" && console_agrees "$work/cell.h5" "$work/cell.out"; then
    ok "compete-cell: the table, and the console's ceiling lines as the file says"
else fail "compete-cell competition"; cat "$work/cell.out"; fi

# every policy forced to k = 0: warned, and flagged in the file
"$splitsim" run "$root/tests/scenarios/campaign.yaml" "${camp[@]}" --set policy.min_split=0 \
    --set policy.max_split=0 --set split.layer=0 -o "$work/same.h5" >"$work/same.out" 2>&1 ||
    { fail "same-split run"; cat "$work/same.out"; }
expect_grep "warning: every policy chose split k = 0 for every request" "$work/same.out" "console: same split warned"
if check_competition "$work/same.h5" >/dev/null && $py -c "
import sys, h5py
c = h5py.File(sys.argv[1], 'r')['competition']
assert c.attrs['same_split'] == 0 and list(c['tie'][:]) == [1, 1, 1]
assert list(c['diff_best'][:]) == [0, 0, 0]" "$work/same.h5"; then
    ok "same split: attribute same_split = 0, every policy tied"; else fail "same split in the file"; fi

# an interruption names the policy and the replication
"$splitsim" run "$root/scenarios/compete-cell.yaml" --set "run.duration=100 d" --set "recording.interval=0 s" \
    -o "$work/int.h5" -q 2>"$work/int.err" &
pid=$!
for _ in $(seq 1 100); do ls "$work"/int.h5.*.part >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
kill -INT $pid; wait $pid
expect_status 1 $? "interrupted competition exits 1"
expect_grep "interrupted in replication 0 of policy 'fixed' (competitor 1 of 7) at " "$work/int.err" \
    "interruption names the policy and the replication"

# ---- a campaign: 2 x 2 combinations x 3 replications
if "$splitsim" sweep "$root/tests/scenarios/campaign.yaml" "${camp[@]}" -o "$work/camp" -j 2 -q >"$work/camp.out" 2>&1; then
    ok "campaign runs"; else fail "campaign"; cat "$work/camp.out"; fi
if $py - "$work/camp/campaign.h5" <<'PY'
import sys, h5py, numpy as np
from scipy.stats import t
c = h5py.File(sys.argv[1], "r")
s = {k: v[:] for k, v in c["summary"].items()}
k = {n: v[:] for n, v in c["combinations"].items()}
# /summary: the point files' values
for i in range(s["point"].size):
    p, q = int(s["point"][i]), int(s["policy"][i])
    f = c[f"points/p{p}"]
    g = f[f"policies/{f['competition'].attrs['policies'].split(',')[q]}/summary"]
    for col, path in (("ttft_p50_s", "ttft_s/p50"), ("ttft_p99_s", "ttft_s/p99"),
                      ("latency_p50_s", "latency_s/p50"), ("latency_p99_s", "latency_s/p99"),
                      ("quality_ci95", "quality/ci95"), ("energy_ci95_j", "energy_j/ci95"),
                      ("ci95_short", "ci95_short")):
        assert s[col][i] == g[path][()] or (np.isnan(s[col][i]) and np.isnan(g[path][()])), col
# /combinations: mean and t interval over the replications of each combination and policy
assert k["combination"].size == 4 * 3 and np.all(k["replications"] == 3)
for j in range(k["combination"].size):
    rows = (s["point"] // 3 == k["combination"][j]) & (s["policy"] == k["policy"][j])
    assert rows.sum() == 3 and k["first_point"][j] == s["point"][rows].min()
    for a in c.attrs["axes"].split(","):
        a = a.replace(".", "_")
        assert np.all(s[a][rows] == k[a][j])
    for col, ci in (("reward_mean", "reward_ci95"), ("quality_mean", "quality_ci95"),
                    ("ttft_p50_s", "ttft_p50_ci95_s"), ("ttft_p95_s", "ttft_p95_ci95_s"),
                    ("ttft_p99_s", "ttft_p99_ci95_s"), ("latency_p99_s", "latency_p99_ci95_s"),
                    ("energy_mean_j", "energy_ci95_j")):
        v = s[col][rows]
        h = t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
        assert abs(k[col][j] - v.mean()) <= 1e-12 * abs(v.mean()), col
        assert abs(k[ci][j] - h) <= 1e-8 * h, (col, k[ci][j], h)
    assert np.isnan(k["time_in_system_mean_s"][j]) and np.isnan(k["wait_ci95_s"][j])
PY
then ok "campaign index: new /summary columns, /combinations across replications"; else fail "campaign index"; fi

e2e_finish "e2e statistics"
