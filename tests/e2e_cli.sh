#!/usr/bin/env bash
# End-to-end tests of the splitsim binary: exit statuses, messages, results files on disk,
# bit-for-bit reproducibility, crash safety, shipped scenarios, and reading results back from
# Python.   Usage: e2e_cli.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
default="$root/scenarios/queue.yaml"
short=(--set "run.duration=4 h" --set "run.warmup=10 min")


"$splitsim" --version >"$work/out" 2>&1; expect_status 0 $? "--version exits 0"
expect_grep "splitsim 0." "$work/out" "--version names the release"
"$splitsim" >"$work/out" 2>&1; expect_status 2 $? "no command exits 2"
"$splitsim" frobnicate >"$work/out" 2>&1; expect_status 2 $? "unknown command exits 2"

# Every shipped scenario passes check.
for f in "$root"/scenarios/*.yaml "$root"/scenarios/*/*.yaml; do
    [ -e "$f" ] || continue
    "$splitsim" check "$f" >"$work/out" 2>&1
    expect_status 0 $? "check ${f#"$root"/}"
done

# Bad input: status 2, errors named, nothing created.
printf 'run:\n  duration: 1 h\nues: {count: 0}\n' >"$work/bad.yaml"
"$splitsim" run "$work/bad.yaml" --queue heap -o "$work/bad.h5" >"$work/out" 2>"$work/err"
expect_status 2 $? "bad scenario exits 2"
expect_grep "bad.yaml:3:14: error: ues.count: expected an integer in [1, 1000000], got '0'" "$work/err" "error names file:line:col"
expect_grep "--queue: expected quad-heap or binary-heap, got 'heap'" "$work/err" "unknown queue named"
if [ ! -e "$work/bad.h5" ] && [ ! -e "$work/bad.h5.part" ]; then ok "no file on bad input"; else fail "file left on bad input"; fi
"$splitsim" check "$work/missing.yaml" >"$work/out" 2>"$work/err"
expect_status 2 $? "missing scenario exits 2"
expect_grep "missing.yaml: error: cannot open: No such file or directory" "$work/err" "missing file named"
# SOURCE_DATE_EPOCH must be seconds, or unset: garbage is refused before anything is created,
# by run, sweep -o (the index) and tables derive alike.
for v in 12x -1 ''; do
    SOURCE_DATE_EPOCH=$v "$splitsim" run "$default" -q -o "$work/sde.h5" "${short[@]}" >"$work/out" 2>"$work/err"
    expect_status 2 $? "SOURCE_DATE_EPOCH='$v': run exits 2"
    expect_grep "SOURCE_DATE_EPOCH: expected a decimal integer >= 0" "$work/err" "SOURCE_DATE_EPOCH='$v' named"
done
if [ ! -e "$work/sde.h5" ]; then ok "no results file with a bad SOURCE_DATE_EPOCH"; else fail "results file written with a bad SOURCE_DATE_EPOCH"; fi
SOURCE_DATE_EPOCH=1e9 "$splitsim" tables derive tinyllama-1.1b a100 -o "$work/sde.yaml" >"$work/out" 2>"$work/err"
expect_status 2 $? "SOURCE_DATE_EPOCH=1e9: tables derive exits 2"

# A run writes a complete file and a summary.
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run "$default" "${short[@]}" -o "$work/a.h5" >"$work/out" 2>"$work/err"
expect_status 0 $? "run exits 0"
expect_grep "time in system [s]" "$work/out" "summary printed"
if [ -s "$work/a.h5" ] && [ ! -e "$work/a.h5.part" ]; then ok "results file in place, no .part left"; else fail "results file missing"; fi
(cd "$work" && "$splitsim" run "$default" "${short[@]}" -q) && [ -s "$work/queue.h5" ]
expect_status 0 $? "default output name is the scenario's name"

# Same scenario: the same file, byte for byte. Another seed: different data.
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run "$default" "${short[@]}" -o "$work/b.h5" -q
if cmp -s "$work/a.h5" "$work/b.h5"; then ok "same scenario, byte-identical results file"; else fail "same scenario gave different files"; fi
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run "$default" "${short[@]}" --set run.seed=5 -o "$work/c.h5" -q
if cmp -s "$work/a.h5" "$work/c.h5"; then fail "different seeds gave identical files"; else ok "different seed, different file"; fi
# Without a fixed clock only the started/finished stamps may differ: h5diff compares the data.
"$splitsim" run "$default" "${short[@]}" -o "$work/d.h5" -q
if h5diff "$work/a.h5" "$work/d.h5" /requests /requests >/dev/null &&
   h5diff "$work/a.h5" "$work/d.h5" /summary /summary >/dev/null; then ok "same scenario, identical datasets (h5diff)"; else fail "h5diff found differences"; fi
# The queue implementation does not change results.
"$splitsim" run "$default" "${short[@]}" --queue binary-heap -o "$work/e.h5" -q
if h5diff "$work/a.h5" "$work/e.h5" /requests /requests >/dev/null 2>&1; then ok "binary and quad heap give identical data"; else fail "queue implementation changed results"; fi
# A sweep point is the base scenario with its values: point 3 of load-sweep = its grid values.
"$splitsim" run "$root/scenarios/load-sweep.yaml" --point 3 --set "run.duration=2 h" -o "$work/p3.h5" -q
"$splitsim" run "$root/scenarios/load-sweep.yaml" --set "run.duration=2 h" --set edge.service=deterministic \
    --set "workload.rate=0.025 /s" --set run.replications=1 -o "$work/p3b.h5" -q 2>/dev/null
if h5diff "$work/p3.h5" "$work/p3b.h5" /replications /replications >/dev/null 2>&1; then ok "sweep point = base + its values"; else fail "sweep point differs from its overrides"; fi

# A killed run leaves only its temporary file (killed.h5.HOST.PID.part): nothing that looks
# complete (tests/e2e_hostile.sh checks what the temporary holds).
"$splitsim" run "$root/scenarios/large.yaml" --set "run.duration=1000 d" -o "$work/killed.h5" -q 2>/dev/null &
pid=$!
part="$work/killed.h5.$(hostname | tr -cd 'A-Za-z0-9_-' | cut -c1-32).$pid.part"
for _ in $(seq 1 100); do [ -e "$part" ] && break; sleep 0.2; done # started writing
sleep 0.2
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
if [ ! -e "$work/killed.h5" ] && [ -e "$part" ]; then
    ok "SIGKILL leaves only killed.h5.HOST.PID.part"; else fail "killed run left a final file"; ls -l "$work"; fi

# SIGINT: the run stops, closes its file marked incomplete beside the final name, exits 1.
"$splitsim" run "$root/scenarios/large.yaml" --set "run.duration=1000 d" -o "$work/int.h5" -q 2>"$work/err" &
pid=$!
sleep 0.5
kill -INT $pid; wait $pid; status=$?
expect_status 1 $status "SIGINT exits 1"
expect_grep "interrupted in replication 0 at " "$work/err" "interruption reported (model: queue, no policy to name)"
expect_grep "what was simulated is in '$work/int.incomplete.h5'" "$work/err" "interruption says where the data is"
# a split run names its policy as well
"$splitsim" run "$root/scenarios/default.yaml" --set "run.duration=100 d" --set "recording.interval=0 s" \
    -o "$work/int-split.h5" -q 2>"$work/err-split" &
pid=$!
for _ in $(seq 1 100); do ls "$work"/int-split.h5.*.part >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.3
kill -INT $pid; wait $pid
expect_grep "interrupted in replication 0 of policy 'fixed' at " "$work/err-split" "interruption names the policy and the replication"
if [ ! -e "$work/int.h5" ] && [ -e "$work/int.incomplete.h5" ] && ! ls "$work"/int.h5.*.part >/dev/null 2>&1 &&
   h5dump -a /complete "$work/int.incomplete.h5" | grep -q "(0): 0"; then
    ok "interrupted file closed cleanly as int.incomplete.h5, complete = 0"; else fail "interrupted file"; ls -l "$work"; fi

# Progress on a terminal (script gives the run a pseudo-terminal), none otherwise; same results.
if command -v script >/dev/null; then
    big=(--set "run.duration=2 d" --set recording.requests=false)
    SOURCE_DATE_EPOCH=1700000000 script -qc "'$splitsim' run '$root/scenarios/large.yaml' ${big[*]@Q} -o '$work/tty.h5'" /dev/null >"$work/tty.out" 2>&1
    SOURCE_DATE_EPOCH=1700000000 "$splitsim" run "$root/scenarios/large.yaml" "${big[@]}" -o "$work/notty.h5" >"$work/notty.out" 2>&1
    expect_grep "replication 1/1: simulated" "$work/tty.out" "progress shown on a terminal"
    if grep -q "replication 1/1: simulated" "$work/notty.out"; then fail "progress printed without a terminal"; else ok "no progress without a terminal"; fi
    if cmp -s "$work/tty.h5" "$work/notty.h5"; then ok "progress slices change no result (byte-identical file)"; else fail "progress changed results"; fi
fi

# An output that cannot be created: status 2 before anything is simulated, with the reason.
"$splitsim" run "$default" "${short[@]}" -o /nonexistent-dir/x.h5 >"$work/out" 2>"$work/err"
expect_status 2 $? "output in a missing folder exits 2 before simulating"
expect_grep "results file: cannot create '/nonexistent-dir/x.h5': folder '/nonexistent-dir': No such file or directory" "$work/err" "failure names the file and the reason"

# Cost tables: list, derive to a file, show it (readable and CSV), refuse unknown names.
"$splitsim" tables list >"$work/out" 2>&1; expect_status 0 $? "tables list exits 0"
expect_grep "llama-2-7b" "$work/out" "tables list names the models"
"$splitsim" tables derive llama-2-7b h100 -o "$work/l7.yaml"; expect_status 0 $? "tables derive writes a file"
"$splitsim" tables show --table "$work/l7.yaml" --csv >"$work/csv" 2>&1; expect_status 0 $? "tables show --table reads it back"
if [ "$(head -1 "$work/csv")" = "layer,name,tokens,prefill_ms,decode_ms" ] && [ "$(wc -l <"$work/csv")" -eq $((34 * 13 + 1)) ]; then
    ok "CSV: header and one row per (layer, token count)"; else fail "CSV layout"; head -3 "$work/csv"; fi
"$splitsim" tables show llama-2-7b h10 >"$work/out" 2>"$work/err"; expect_status 2 $? "unknown device exits 2"
expect_grep "unknown device 'h10'; did you mean 'h100'?" "$work/err" "unknown device gets a suggestion"
sed 's/^format_version: 1/format_version: 9/' "$work/l7.yaml" >"$work/bad-table.yaml"
"$splitsim" tables show --table "$work/bad-table.yaml" >"$work/out" 2>"$work/err"; expect_status 2 $? "bad table exits 2"
expect_grep "bad-table.yaml:4:17: error: format_version: expected 1, got 9" "$work/err" "bad table names file:line:col"

# Architecture and device files in place of catalogue names.
printf 'name: g\npeak: 200 TFLOP/s\nbandwidth: 1.5 TB/s\n' >"$work/g.yaml"
printf 'name: m\nlayers: 4\nhidden: 256\nffn: 512\nheads: 4\nvocab: 1000\n' >"$work/m.yaml"
"$splitsim" tables show "$work/m.yaml" "$work/g.yaml" >"$work/out" 2>&1; expect_status 0 $? "tables show takes files"
expect_grep "m on g: 6 layers, derived" "$work/out" "a derived table from files"
printf 'name: g\npeak: 1 MHz\nbandwidth: 1 TB/s\n' >"$work/bad-g.yaml"
"$splitsim" tables derive llama-2-7b "$work/bad-g.yaml" >"$work/out" 2>"$work/err"; expect_status 2 $? "bad device file exits 2"
expect_grep "bad-g.yaml:2:7: error: peak: expected a compute rate" "$work/err" "bad device file names file:line:col"

# Every bundled table loads and validates.
for f in "$root"/tables/*/*.yaml; do
    [ -e "$f" ] || continue
    "$splitsim" tables show --table "$f" >"$work/out" 2>&1
    expect_status 0 $? "bundled table ${f#"$root"/} loads"
done
"$splitsim" tables compare --table "$root/tables/measured/gpt2.xeon-2vcpu.yaml" >"$work/out" 2>&1
expect_status 0 $? "tables compare against the roofline"
expect_grep "whole model: prefill of 512 tokens" "$work/out" "compare prints the whole-model line"
# Calibration (models/llm/calibrate.h; its numbers: test_calibrate.c): a made-up profile in
# Vidur's format (every operator 0.1 ms at every token count) is fitted and reported.
{
    printf 'time_stats.%s.median,' input_layernorm attn_pre_proj attn_rope attn_post_proj \
        post_attention_layernorm mlp_up_proj mlp_act mlp_down_proj add
    printf 'num_tokens,num_tensor_parallel_workers\n'
    for t in 1 2 4 8 16 32 64 128 256 512 1024 2048 4096; do
        printf '0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,%s,1\n' "$t"
    done
} >"$work/mlp.csv"
"$splitsim" tables calibrate --vidur "$work/mlp.csv" --model llama-2-7b --device a100 >"$work/out" 2>&1
expect_status 0 $? "tables calibrate fits a profile"
expect_grep "# llama-2-7b on a100: Vidur profile $work/mlp.csv, 13 token counts (1..4096)" "$work/out" "calibrate names the profile"
expect_grep "| 4096 | 0.9000 | " "$work/out" "calibrate prints the measured block per token count"
expect_grep "| mlp_act | " "$work/out" "calibrate prints the error per operator"

# Read back from Python (Debian's h5py), as the README shows.
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    if /usr/bin/python3 - "$work/a.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format"] == "splitsim-results", f.attrs["format"]
assert int(f.attrs["format_version"]) == 3
assert int(f.attrs["complete"]) == 1
assert "model: queue" in f.attrs["scenario"]
r = f["requests"]
n = len(r["id"])
assert n > 1000, n
for name, ds in r.items():
    assert len(ds) == n, name
    assert ds.attrs["units"], name
for name, ds in f["summary"].items():
    assert "units" in ds.attrs, name
t = r["time_in_system_s"][:]
assert np.allclose(t, (r["departure_ns"][:] - r["arrival_ns"][:]) * 1e-9)
measured = r["arrival_ns"][:] >= f["summary/warmup_s"][()] * 1e9
assert abs(f["summary/mean_time_in_system_s"][()] - t[measured].mean()) < 1e-9
waited = r["service_start_ns"][:] > r["arrival_ns"][:]
assert abs(f["summary/prob_wait"][()] - waited[measured].mean()) < 1e-12
rep = f["replications"]
assert int(rep["measured"][0]) == measured.sum() and int(rep["truncated"][0]) == 0
assert 10 <= int(rep["batches"][0]) <= 20 and int(rep["batch_size"][0]) % 5 == 0
assert int(rep["interval_short"][0]) == 0 and f["summary"].attrs["interval_warning"] == ""
PY
    then ok "h5py reads the file as documented"; else fail "h5py read-back"; fi
else
    echo "skip - /usr/bin/python3 has no h5py"
fi

# The queue's batch-means interval: a heavy load over a few hours is too short for a valid one
# (a warning on the terminal and in /summary); analysis.warmup: mser5 cuts the warm-up from the
# data and says how much.
heavy=(--set "run.duration=10 h" --set "workload.rate=0.11875 /s")
"$splitsim" run "$default" "${heavy[@]}" -o "$work/heavy.h5" >"$work/out" 2>&1
expect_status 0 $? "heavy short queue run exits 0"
expect_grep "warning: the run is too short for a valid batch-means interval" "$work/out" "too-short interval warned"
"$splitsim" run "$default" "${heavy[@]}" --set analysis.warmup=mser5 -o "$work/mser.h5" >"$work/out" 2>&1
expect_status 0 $? "queue run with analysis.warmup=mser5 exits 0"
expect_grep "analysis.warmup: mser5 left out" "$work/out" "MSER-5 cut reported"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    if /usr/bin/python3 - "$work/heavy.h5" "$work/mser.h5" <<'PY'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert "too short" in a["summary"].attrs["interval_warning"]
assert int(a["replications/interval_short"][0]) == 1
cut = int(b["replications/truncated"][0])
assert cut % 5 == 0 and int(b["summary/measured"][()]) + cut == int(a["summary/measured"][()])
assert "warmup: mser5" in b.attrs["scenario"]
PY
    then ok "interval warning and MSER-5 cut in the results"; else fail "interval warning / MSER-5 in the results"; fi
fi

# ---- model: split (scenarios/default.yaml), shortened ------------------------------------------
split="$root/scenarios/default.yaml"
sshort=(--set "run.duration=3 min" --set "run.warmup=30 s")
"$splitsim" check "$split" >"$work/out" 2>&1; expect_status 0 $? "check default (split)"
expect_grep "# split model: llama-2-7b has 32 decoder blocks; split k = 8" "$work/out" "check names the split"
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run "$split" "${sshort[@]}" -o "$work/s1.h5" >"$work/out" 2>"$work/err"
expect_status 0 $? "split run exits 0"
expect_grep "ttft_s [s]" "$work/out" "split summary has TTFT"
expect_grep "quality: ASSUMED parametric model" "$work/out" "summary says quality is assumed"
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run "$split" "${sshort[@]}" -o "$work/s2.h5" -q
if cmp -s "$work/s1.h5" "$work/s2.h5"; then ok "split runs are byte-identical"; else fail "split runs differ"; fi
for v in "split.layer=0" "split.layer=32" "channel.model=erasure" "channel.rate=mcs" \
         "channel.fading=nakagami" "channel.pathloss=log_distance" "edge.scheduling=decode_first" \
         "ues.mobility=random_waypoint" "split.precision=int4" "run.replications=2" \
         "recording.requests=false" "recording.interval=0 s" "edge.servers=3" "cell.sharing=fixed"; do
    "$splitsim" run "$split" "${sshort[@]}" --set "$v" -o "$work/v.h5" -q 2>"$work/err"
    expect_status 0 $? "split run with $v"
done
printf 'time_s,ue,prompt_tokens,output_tokens\n0.5,0,64,8\n0.5,3,32,4\n2,1,128,16\n' >"$work/t.csv"
"$splitsim" run "$split" --set workload.arrival=trace --set "workload.trace=$work/t.csv" \
    --set "run.duration=1 min" --set "run.warmup=0 s" -o "$work/t.h5" >"$work/out" 2>&1
expect_status 0 $? "split run from a trace"
expect_grep "3 requests (3 measured" "$work/out" "every trace line is a request"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    if /usr/bin/python3 - "$work/s1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert int(f.attrs["complete"]) == 1 and f.attrs["model"] == "split"
assert "ASSUMPTION" in f.attrs["quality_source"], f.attrs["quality_source"]
assert "ASSUMPTION" in f["summary"].attrs["quality_source"]
r = f["requests"]
n = len(r["id"])
assert n > 50, n
for name, ds in r.items():
    assert len(ds) == n and ds.attrs["units"], name
ok = r["status"][:] == 0
a, ft, d = r["arrival_ns"][:][ok], r["first_token_ns"][:][ok], r["done_ns"][:][ok]
assert (a <= ft).all() and (ft <= d).all()
assert np.allclose(r["ttft_s"][:][ok], (ft - a) * 1e-9)
m = ok & (r["arrival_ns"][:] >= 30e9)
for k in ["ttft_s", "latency_s", "energy_compute_j", "quality"]:
    x = r[k][:][m]
    assert abs(x.mean() - f[f"summary/{k}/mean"][()]) <= 1e-9 * abs(x.mean()), k
    assert abs(np.percentile(x, 95) - f[f"summary/{k}/p95"][()]) <= 1e-9 * abs(x.mean()) + 1e-12, k
for g in ["timeseries/edge", "timeseries/cell", "timeseries/snr", "ues"]:
    assert len(f[g]["time_s" if g.startswith("time") else "ue"]) > 0, g
PY
    then ok "split results: columns, times, summary = recomputed from /requests"; else fail "split results read-back"; fi
fi

e2e_finish "e2e"
