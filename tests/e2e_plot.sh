#!/usr/bin/env bash
# tools/plot_results.py draws a split run and a queue run, and a split run recorded without
# /requests and /timeseries (its panels say so instead of failing); a competition (a shortened
# scenarios/compete-cell.yaml: per-policy bars and CDFs, its ranking as /competition has it), and
# an interrupted one without /competition; it refuses an incomplete file unless
# --allow-incomplete. Skipped (exit 77) where /usr/bin/python3 lacks h5py,
# numpy or matplotlib (Debian's python3-h5py, python3-numpy, python3-matplotlib).
# Usage: e2e_plot.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py numpy matplotlib
python=$py
plot="$root/tools/plot_results.py"
export MPLCONFIGDIR="$work/mpl" HOME="$work" # matplotlib wants a writable cache
plot() { # description output.log args...
    local what=$1 log=$2; shift 2
    if "$python" "$plot" "$@" >"$log" 2>&1; then ok "$what exits 0"; else fail "$what exits $?:"; cat "$log"; fi
}
split_short=(--set "run.duration=3 min" --set "run.warmup=30 s")

# model: split, default name next to the file
if "$splitsim" run "$root/scenarios/default.yaml" "${split_short[@]}" -o "$work/s.h5" -q; then
    plot "plot split run" "$work/s.log" "$work/s.h5"
    expect_png "$work/s.png" 20000 "split plot RESULTS.png next to the file"
    if grep -q "TTFT.*mean" "$work/s.log" && grep -q "^plot: $work/s.png" "$work/s.log"; then
        ok "split plot prints its summary"; else fail "split plot summary missing:"; cat "$work/s.log"; fi
    plot "plot split run with -o" "$work/s-o.log" "$work/s.h5" -o "$work/chosen.png"
    expect_png "$work/chosen.png" 20000 "split plot -o writes the chosen file"
else
    fail "splitsim run scenarios/default.yaml"
fi

# model: split without /requests and /timeseries
if "$splitsim" run "$root/scenarios/default.yaml" "${split_short[@]}" --set recording.requests=false \
       --set "recording.interval=0 s" -o "$work/bare.h5" -q; then
    plot "plot split run without /requests and /timeseries" "$work/bare.log" "$work/bare.h5"
    expect_png "$work/bare.png" 20000 "split plot of the summary only"
else
    fail "splitsim run scenarios/default.yaml without recording"
fi

# model: queue, as before
if "$splitsim" run "$root/scenarios/queue.yaml" --set "run.duration=2 h" --set "run.warmup=600 s" \
       -o "$work/q.h5" -q; then
    plot "plot queue run" "$work/q.log" "$work/q.h5" -o "$work/q.png"
    expect_png "$work/q.png" 20000 "queue plot"
else
    fail "splitsim run scenarios/queue.yaml"
fi

# A competition: /policies/NAME/... and /competition instead of /requests and /summary
if "$splitsim" run "$root/scenarios/compete-cell.yaml" "${split_short[@]}" --set run.replications=2 \
       --set "policy.compete=[fixed, latency, random, exhaustive]" -o "$work/c.h5" -q; then
    plot "plot competition" "$work/c.log" "$work/c.h5"
    expect_png "$work/c.png" 20000 "competition plot"
    # the ranking it prints is /competition's, best first, every policy once
    if "$python" - "$work/c.h5" "$work/c.log" <<'PY'
import sys, h5py, re
f = h5py.File(sys.argv[1], "r")
c = f["competition"]
names = c.attrs["policies"].split(",")
by_rank = [names[p] for _, p in sorted(zip(c["rank"][()], c["policy"][()]))]
log = open(sys.argv[2]).read()
printed = re.findall(r"^  (\d+)\s+(\S+)\s+(\S+) ±", log, re.M)
assert [n for _, n, _ in printed] == by_rank, (printed, by_rank)
means = dict(zip(names, c["reward_mean"][()]))
for _, n, m in printed:
    assert abs(float(m) - means[n]) <= 0.006 * abs(means[n]) + 1e-9, (n, m, means[n])
assert "competition: 4 policies" in log
PY
    then ok "competition plot prints /competition's ranking"; else fail "competition ranking"; cat "$work/c.log"; fi
    # interrupted: the policies' groups but no /competition yet
    "$python" - "$work/c.h5" "$work/ci.h5" <<'PY'
import shutil, sys, h5py
shutil.copyfile(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    del f["competition"]
    f.attrs.modify("complete", 0)
PY
    plot "plot interrupted competition" "$work/ci.log" "$work/ci.h5" --allow-incomplete
    expect_png "$work/ci.png" 20000 "interrupted competition plot"
    grep -q "no /competition: interrupted run" "$work/ci.log" && ok "interrupted competition says so" \
        || { fail "interrupted competition"; cat "$work/ci.log"; }
else
    fail "splitsim run scenarios/compete-cell.yaml"
fi

# An incomplete file is refused (status 2, no PNG) unless --allow-incomplete.
if [ -e "$work/s.h5" ] && "$python" - "$work/s.h5" "$work/inc.h5" <<'PY'
import shutil, sys, h5py
shutil.copyfile(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    f.attrs.modify("complete", 0)
PY
then
    "$python" "$plot" "$work/inc.h5" >"$work/inc.log" 2>&1; status=$?
    if [ "$status" -eq 2 ] && [ ! -e "$work/inc.png" ] && grep -q "allow-incomplete" "$work/inc.log"; then
        ok "incomplete file refused"; else fail "incomplete file: exit $status"; cat "$work/inc.log"; fi
    plot "plot incomplete file with --allow-incomplete" "$work/inc2.log" "$work/inc.h5" --allow-incomplete
    expect_png "$work/inc.png" 20000 "incomplete split plot"
else
    fail "could not make an incomplete copy"
fi

e2e_finish "plot"
