#!/usr/bin/env bash
# tools/plot_results.py draws a split run and a queue run, and a split run recorded without
# /requests and /timeseries (its panels say so instead of failing); it refuses an incomplete
# file unless --allow-incomplete. Skipped (exit 77) where /usr/bin/python3 lacks h5py,
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
