#!/usr/bin/env bash
# splitsim summarize end to end: README's worked example run exactly as README has it (its
# scenario, its two commands, its plot script: a sweep on 2 workers, --csv, pandas + matplotlib);
# the same campaign in JSON, per point, and as single files, read back with pandas and checked
# against the index and point files read with h5py (row counts, columns, swept values in MHz,
# every number); a queue campaign with choice, boolean and rate axes; hostile inputs (status 2,
# nothing written); interrupted and killed points (named on stderr, status 1, the rest
# summarized; CSV fields with commas quoted).   Usage: e2e_summarize.sh SPLITSIM
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py pandas matplotlib

# ---- README's worked example, block by block --------------------------------------------------
# The blocks follow the lines "<!-- summarize-example NAME ...": a change to README is what runs.
extract() { # name -> the fenced block after its marker
    awk -v name="$1" '
        index($0, "<!-- summarize-example " name " ") == 1 { want = 1; next }
        want && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }' "$root/README.md"
}
cd "$work" || exit 1
for b in bw.yaml commands.sh plot.py; do
    extract "$b" >"$work/$b"
    [ -s "$work/$b" ] || fail "README has no block '$b'"
done
[ "$(grep -cv '^\s*$' "$work/plot.py")" -lt 10 ] && ok "README's plot: $(wc -l <"$work/plot.py") lines of Python" \
    || fail "README's plot has 10 lines or more"
mkdir -p "$work/bin"
ln -s "$splitsim" "$work/bin/splitsim"
PATH="$work/bin:$PATH" bash -e "$work/commands.sh" >"$work/commands.out" 2>"$work/commands.err"
expect_status 0 $? "README's commands (sweep -j 2, summarize --csv)"
grep -q -- "-j 2" "$work/commands.sh" && ok "README's sweep runs on 2 workers" || fail "README's sweep: not -j 2"
MPLBACKEND=Agg "$py" "$work/plot.py" >"$work/plot.out" 2>&1
expect_status 0 $? "README's pandas + matplotlib plot runs"
expect_png "$work/ttft_p95.png" 10000 "README's plot: p95 TTFT against bandwidth per policy"

# ---- the campaign read back -------------------------------------------------------------------
"$splitsim" summarize runs/bw --json >bw.json 2>json.err
expect_status 0 $? "summarize --json"
"$splitsim" summarize runs/bw >default.csv 2>/dev/null && cmp -s default.csv bw.csv \
    && ok "CSV is the default" || fail "the default output is not the --csv one"
"$splitsim" summarize runs/bw --per-point >points.csv 2>/dev/null
expect_status 0 $? "summarize --per-point"
"$splitsim" summarize runs/bw/points/p4.h5 >p4.csv 2>/dev/null
expect_status 0 $? "summarize one point file"
"$splitsim" summarize runs/bw/campaign.h5 >index.csv 2>/dev/null && cmp -s index.csv bw.csv \
    && ok "the index file summarizes like its folder" || fail "index file and folder differ"

if "$py" - <<'PY'
import h5py, numpy as np, pandas as pd
csv = lambda f: pd.read_csv(f, float_precision="round_trip")   # the default parser may miss
json = lambda f: pd.read_json(f, precise_float=True)           # the last bit: these do not
eq = lambda a, b: a == b or (np.isnan(a) and np.isnan(b))
head = ["point", "combination", "replications", "replication_set"]
tail = ["policy", "metric", "unit", "n", "mean", "ci95", "p50", "p95", "p99",
        "p50_ci95", "p95_ci95", "p99_ci95"]
d = csv("bw.csv")
j = json("bw.json")
assert list(d.columns) == head + ["cell_bandwidth_MHz"] + tail, list(d.columns)
assert list(j.columns) == list(d.columns), list(j.columns)
c = h5py.File("runs/bw/campaign.h5", "r")
policies = c.attrs["policies"].split(",")
k = {n: v[()] for n, v in c["combinations"].items()}
ncomb = len(set(k["combination"]))
metrics = ["energy", "erasure", "latency", "quality", "reward", "tpot", "ttft"]
# rows: combinations x policies x metrics, in the index's order
assert ncomb == 4 and policies == ["fixed", "latency"]
assert len(d) == ncomb * len(policies) * len(metrics) == len(j), (len(d), len(j))
assert list(d.metric[:7]) == metrics
assert set(d.policy) == set(policies)
# swept values in MHz, as the user wrote them
assert sorted(set(d.cell_bandwidth_MHz)) == [2, 5, 10, 20]
assert np.array_equal(np.repeat(k["cell_bandwidth"] / 1e6, 7), d.cell_bandwidth_MHz)
# every number is the index's, bit for bit; n is the points' measured requests, summed
index_cols = {"energy": ("energy_{}_j", "energy_j"), "erasure": ("erasure_{}", "erasure"),
              "latency": ("latency_{}_s", "latency_s"), "quality": ("quality_{}", "quality"),
              "reward": ("reward_{}", "reward"), "tpot": ("tpot_{}_s", "tpot_s"),
              "ttft": ("ttft_{}_s", "ttft_s")}
R = 3
for i, (comb, pol) in enumerate(zip(k["combination"], k["policy"])):
    rows = d.iloc[7 * i: 7 * i + 7]
    name = policies[pol]
    assert set(rows.policy) == {name} and set(rows.combination) == {comb}
    assert set(rows.replications) == {3} and set(rows.replication_set) == {"0-2"}
    assert rows.point.isna().all()
    for _, r in rows.iterrows():
        pattern, group = index_cols[r.metric]
        col = pattern.format
        assert eq(r["mean"], k[col("mean")][i]) and eq(r["ci95"], k[col("ci95")][i]), (r.metric, i)
        for q in ("p50", "p95", "p99"):
            if col(q) in k:
                assert r[q] == k[col(q)][i] and r[q + "_ci95"] == k[col(q + "_ci95")][i]
                assert np.isfinite(r[q + "_ci95"])
            else:                                   # not in the index: empty, not made up
                assert np.isnan(r[q]) and np.isnan(r[q + "_ci95"]), (r.metric, q)
        assert r.unit == c["combinations"][col("mean")].attrs["units"]
        n = 0
        for pt in range(comb * R, comb * R + R):
            with h5py.File(f"runs/bw/points/p{pt}.h5", "r") as f:
                n += f[f"policies/{name}/summary/{group}/n"][()]
        assert r.n == n, (r.metric, r.n, n)
# JSON holds the same table (null where CSV is empty)
pd.testing.assert_frame_equal(d, j, check_dtype=False)
assert '"p50": null' in open("bw.json").read() and "NaN" not in open("bw.json").read()

# --per-point: every metric of every point file, as the file has it
p = csv("points.csv")
with h5py.File("runs/bw/points/p0.h5", "r") as f:
    groups = sorted(g for g in f["policies/fixed/summary"]
                    if isinstance(f["policies/fixed/summary"][g], h5py.Group))
assert len(groups) == 16
assert len(p) == 12 * 2 * 16, len(p)
for pt in range(12):
    with h5py.File(f"runs/bw/points/p{pt}.h5", "r") as f:
        for name in policies:
            rows = p[(p.point == pt) & (p.policy == name)]
            assert len(rows) == 16 and set(rows.combination) == {pt // 3}
            assert set(rows.replication_set.astype(str)) == {str(pt % 3)}
            for _, r in rows.iterrows():
                g = f[f"policies/{name}/summary/" + groups[list(rows.metric).index(r.metric)]]
                for s in ("n", "mean", "ci95", "p50", "p95", "p99"):
                    a, b = r[s], g[s][()]
                    assert eq(a, b), (pt, name, r.metric, s, a, b)
                assert np.isnan(r.p95_ci95)            # one replication: no interval
# one point file: its policies' metrics, no swept columns
one = csv("p4.csv")
assert list(one.columns) == head + tail and len(one) == 2 * 16 and set(one.point) == {4}
stats = ["policy", "metric", "unit", "n", "mean", "ci95", "p50", "p95", "p99"]
assert one[stats].equals(p[p.point == 4][stats].reset_index(drop=True))
PY
then ok "CSV, JSON, --per-point and a point file: rows, columns, MHz, every number as in the files"
else fail "tidy tables do not match the files"; fi

# ---- a queue campaign: a rate (per min), a choice and a boolean swept -------------------------
cat >queue.yaml <<'EOF'
model: queue
run: {duration: 2 h, warmup: 10 min, seed: 3, replications: 2}
ues: {count: 4}
workload: {rate: 0.1 /s}
edge: {service: exponential, service_time: 1 s}
sweep:
  grid:
    workload.rate: [0.05 /s, 0.1 /s]
    edge.service: [exponential, deterministic]
  zip:
    recording.requests: [true, false]
EOF
"$splitsim" sweep queue.yaml -o runs/q -j 2 -q 2>/dev/null && "$splitsim" summarize runs/q >q.csv 2>q.err
expect_status 0 $? "queue campaign summarized"
"$splitsim" run queue.yaml -o q1.h5 -q >/dev/null 2>&1 && "$splitsim" summarize q1.h5 --json >q1.json 2>/dev/null
expect_status 0 $? "a queue results file summarized"
if "$py" - <<'PY'
import h5py, numpy as np, pandas as pd
d = pd.read_csv("q.csv", float_precision="round_trip")
assert list(d.columns[4:8]) == ["workload_rate_per_min", "edge_service", "recording_requests",
                                "policy"], list(d.columns)
assert sorted(set(d.workload_rate_per_min)) == [3, 6]
assert set(d.edge_service) == {"exponential", "deterministic"}
assert d.recording_requests.dtype == bool
assert d.policy.isna().all()
assert list(d.metric[:2]) == ["time_in_system", "wait"] and len(d) == 8 * 2
c = h5py.File("runs/q/campaign.h5", "r")
assert np.array_equal(d["mean"][::2], c["combinations/time_in_system_mean_s"][()])
assert np.array_equal(d["ci95"][1::2], c["combinations/wait_ci95_s"][()])
assert d.p95.isna().all()
q = pd.read_json("q1.json", precise_float=True)
assert list(q.metric) == ["time_in_system", "wait", "prob_wait", "utilisation",
                          "theory_time_in_system", "theory_wait", "theory_prob_wait"]
f = h5py.File("q1.h5", "r")
assert q["mean"][0] == f["summary/mean_time_in_system_s"][()] and q.n[0] == f["summary/measured"][()]
assert q["mean"][6] == f["summary/theory_prob_wait"][()] and q.unit[0] == "s"
PY
then ok "queue: rate in /min, choice by name, boolean, queue metrics as in the files"
else fail "queue tables"; fi

# ---- hostile inputs: status 2, a message naming the file, nothing on stdout --------------------
printf 'not hdf5\n' >text.h5
mkdir -p notcamp run.h5.node7.123.part
cp runs/bw/points/p1.h5 run.h5.node7.123.part/seg-000000.h5
"$py" - <<'PY'
import h5py, shutil
for src, dst, attr, v in [("runs/bw/points/p1.h5", "p1.incomplete.h5", "complete", 0),
                          ("runs/bw/points/p1.h5", "v2.h5", "format_version", 2),
                          ("runs/bw/campaign.h5", "runs/bw/v9.h5", "format_version", 9)]:
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        f.attrs[attr] = v
PY
hostile() { # input, what the message says
    "$splitsim" summarize "$1" --csv >h.out 2>h.err
    local st=$?
    if [ $st -eq 2 ] && [ ! -s h.out ] && grep -qF -- "$1" h.err && grep -qF -- "$2" h.err; then
        ok "hostile: $1 refused ($2)"
    else
        fail "hostile: $1: status $st, $(wc -c <h.out) bytes out, stderr: $(cat h.err)"
    fi
}
hostile missing.h5 "No such file"
hostile text.h5 "not an HDF5 file"
hostile notcamp "not a campaign folder"
hostile run.h5.node7.123.part "the temporary folder of a run that did not finish"
hostile p1.incomplete.h5 "not complete"
hostile v2.h5 "results format version 2"
hostile runs/bw/v9.h5 "campaign index of another format version (9)"
hostile bw.yaml "not an HDF5 file"

# ---- an interrupted and a killed point ---------------------------------------------------------
cp -r runs/bw runs/int
rm -f runs/int/v9.h5
mv runs/int/points/p4.h5 runs/int/points/p4.incomplete.h5
mkdir runs/int/points/p7.h5.node7.4242.part
mv runs/int/points/p7.h5 runs/int/points/p7.h5.node7.4242.part/seg-000000.h5
"$splitsim" sweep bw.yaml -o runs/int --merge >merge.out 2>&1    # the index, without them
[ -f runs/int/campaign.incomplete.h5 ] &&
    expect_grep "10 of 12 points complete (rerun the same command to finish); index runs/int/campaign.incomplete.h5" \
        merge.out "an unfinished sweep names the index file it wrote (campaign.incomplete.h5)" ||
    fail "an unfinished sweep wrote no campaign.incomplete.h5"
"$splitsim" summarize runs/int >int.csv 2>int.err
expect_status 1 $? "a campaign with an interrupted and a killed point: status 1"
expect_grep "point 4: interrupted (points/p4.incomplete.h5 holds what it ran); not summarized" int.err \
    "the interrupted point is named with its index"
expect_grep "point 7: failed or killed" int.err "the killed point is named with its index"
if "$py" - <<'PY'
import pandas as pd
d = pd.read_csv("int.csv")
assert len(d) == 4 * 2 * 7                      # every combination still has points
short = d[d.combination.isin([1, 2])]
assert set(short.replications) == {2} and set(short.replication_set) == {"0,2"}, set(short.replication_set)
assert set(d[~d.combination.isin([1, 2])].replication_set) == {"0-2"}
PY
then ok "the other points summarized; a replication set with a comma read back (RFC 4180 quoting)"
else fail "interrupted campaign table"; fi
grep -q '"0,2"' int.csv && ok "CSV quotes the field with a comma" || fail "no quoted field in int.csv"
"$splitsim" summarize runs/int --per-point --json >int.json 2>/dev/null
expect_status 1 $? "--per-point on it: status 1"
"$py" -c "
import pandas as pd
d = pd.read_json('int.json')
assert len(d) == 10 * 2 * 16 and not set(d.point) & {4, 7}
" && ok "--per-point leaves out exactly the two points" || fail "--per-point rows"

e2e_finish "summarize-e2e"
