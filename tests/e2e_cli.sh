#!/usr/bin/env bash
# End-to-end tests of the splitsim binary: exit statuses, messages, results files on disk,
# bit-for-bit reproducibility, crash safety, and reading results back from Python.
# Usage: e2e_cli.sh PATH/TO/splitsim
set -u
splitsim=${1:?usage: e2e_cli.sh SPLITSIM}
work=$(mktemp -d /tmp/splitsim-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }
expect_status() { # expected actual description
    if [ "$2" -eq "$1" ]; then ok "$3"; else fail "$3 (exit $2, expected $1)"; fi
}
expect_grep() { # pattern file description
    if grep -qF -- "$1" "$2"; then ok "$3"; else fail "$3: '$1' not in output:"; cat "$2"; fi
}

"$splitsim" --version >"$work/out" 2>&1; expect_status 0 $? "--version exits 0"
expect_grep "splitsim 0." "$work/out" "--version names the release"
"$splitsim" >"$work/out" 2>&1; expect_status 2 $? "no command exits 2"
"$splitsim" frobnicate >"$work/out" 2>&1; expect_status 2 $? "unknown command exits 2"

# Bad input: status 2, every error named, nothing created.
"$splitsim" run --arrival-rate -1 --queue heap -o "$work/bad.h5" >"$work/out" 2>"$work/err"
expect_status 2 $? "bad options exit 2"
expect_grep "--arrival-rate: expected a number in" "$work/err" "range error names the option"
expect_grep "--queue: expected quad-heap or binary-heap, got 'heap'" "$work/err" "unknown queue named"
if [ ! -e "$work/bad.h5" ] && [ ! -e "$work/bad.h5.part" ]; then ok "no file on bad input"; else fail "file left on bad input"; fi
"$splitsim" run scenarios/x.yaml -o "$work/bad.h5" >"$work/out" 2>"$work/err"
expect_status 2 $? "positional argument refused"

# A run writes a complete file and a summary.
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run --customers 20000 --seed 4 -o "$work/a.h5" >"$work/out" 2>"$work/err"
expect_status 0 $? "run exits 0"
expect_grep "time in system [s]" "$work/out" "summary printed"
if [ -s "$work/a.h5" ] && [ ! -e "$work/a.h5.part" ]; then ok "results file in place, no .part left"; else fail "results file missing"; fi

# Same seed: the same file, byte for byte. Another seed: different data.
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run --customers 20000 --seed 4 -o "$work/b.h5" -q
if cmp -s "$work/a.h5" "$work/b.h5"; then ok "same seed, byte-identical results file"; else fail "same seed gave different files"; fi
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run --customers 20000 --seed 5 -o "$work/c.h5" -q
if cmp -s "$work/a.h5" "$work/c.h5"; then fail "different seeds gave identical files"; else ok "different seed, different file"; fi
# Without a fixed clock only the started/finished stamps may differ: h5diff compares the data.
"$splitsim" run --customers 20000 --seed 4 -o "$work/d.h5" -q
if command -v h5diff >/dev/null; then
    if h5diff "$work/a.h5" "$work/d.h5" /customers /customers >/dev/null &&
       h5diff "$work/a.h5" "$work/d.h5" /summary /summary >/dev/null; then ok "same seed, identical datasets (h5diff)"; else fail "h5diff found differences"; fi
fi

# The queue implementation does not change results.
SOURCE_DATE_EPOCH=1700000000 "$splitsim" run --customers 20000 --seed 4 --queue binary-heap -o "$work/e.h5" -q
if h5diff "$work/a.h5" "$work/e.h5" /customers /customers >/dev/null 2>&1; then ok "binary and quad heap give identical data"; else fail "queue implementation changed results"; fi

# A killed run leaves only the .part file: nothing that looks complete.
"$splitsim" run --customers 200000000 -o "$work/killed.h5" -q &
pid=$!
sleep 0.5
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
if [ ! -e "$work/killed.h5" ] && [ -e "$work/killed.h5.part" ]; then ok "SIGKILL leaves only killed.h5.part"; else fail "killed run left a final file"; ls -l "$work"; fi

# Unwritable output: status 1 (run-time failure), message names the file.
"$splitsim" run --customers 10 --warmup 0 -o /nonexistent-dir/x.h5 >"$work/out" 2>"$work/err"
expect_status 1 $? "unwritable output exits 1"
expect_grep "/nonexistent-dir/x.h5: error: results file: cannot create" "$work/err" "failure names the file"

# Read back from Python (Debian's h5py), as the README shows.
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    if /usr/bin/python3 - "$work/a.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format"] == "splitsim-results", f.attrs["format"]
assert int(f.attrs["complete"]) == 1
assert "model: mm1" in f.attrs["scenario"]
n = len(f["customers/id"])
assert n == 20000, n
for name, ds in f["customers"].items():
    assert len(ds) == n, name
    assert ds.attrs["units"], name
for name, ds in f["summary"].items():
    assert "units" in ds.attrs, name
t = f["customers/time_in_system_s"][:]
dep = f["customers/departure_ns"][:]; arr = f["customers/arrival_ns"][:]
assert np.allclose(t, (dep - arr) * 1e-9)
assert abs(f["summary/mean_time_in_system_s"][()] - t[1000:].mean()) < 1e-9
PY
    then ok "h5py reads the file as documented"; else fail "h5py read-back"; fi
else
    echo "skip - /usr/bin/python3 has no h5py"
fi

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
