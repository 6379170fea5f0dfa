#!/usr/bin/env bash
# Hostile point files in a campaign folder (results/rread.h): `sweep` resumed over them neither
# crashes nor hangs. A point file whose `complete` or `scenario_hash` is an array of 10^6 values
# is not complete: its point is run again; a FIFO there is neither read nor replaced. A complete point file whose summary
# holds a 10^6-element `requests`, or an external link to a FIFO, is indexed with that value
# missing (-1).   Usage: e2e_rread.sh SPLITSIM
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py
scn="$root/tests/scenarios/campaign.yaml"

# sweep DIR: resumes the campaign in DIR; a hang (the guard: 120 s, then SIGKILL: a process
# blocked opening a FIFO does not end on SIGTERM) or a signal is reported.
sweep() {
    timeout -k 10 120 "$splitsim" sweep "$scn" -o "$1" -j 2 >"$1.out" 2>"$1.err"
    local st=$?
    case $st in
    124 | 137) echo "# sweep hung (stopped after 120 s)" ;;
    129 | 13[0-9] | 1[4-9][0-9]) echo "# sweep died of signal $((st - 128))" ;;
    esac
    [ $st -ne 0 ] && { echo "# exit $st"; tail -5 "$1.err" | sed 's/^/# /'; }
    return $st
}

"$splitsim" sweep "$scn" -o "$work/base" -j 2 -q >/dev/null 2>&1 || { echo "base campaign failed"; exit 1; }
# case NAME: a copy of the complete campaign to craft p0.h5 in
case_dir() { cp -r "$work/base" "$work/$1"; }

# p0.h5 complete and indexed again after the sweep reran it
rerun_ok() { # DIR
    grep -q "1 point(s) to run, 7 already complete" "$1.err" &&
        grep -q "8 of 8 points complete" "$1.out" &&
        $py - "$1/points/p0.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["complete"].shape == () and int(f.attrs["complete"]) == 1
PY
}

# array-valued attributes (dense attribute storage: the newest format)
case_dir array-complete
$py - "$work/array-complete/points/p0.h5" <<'PY'
import sys, h5py, numpy as np
h = h5py.File(sys.argv[1], "r").attrs["scenario_hash"]
with h5py.File(sys.argv[1], "w", libver="latest") as f:
    f.attrs["complete"] = np.ones(10**6, dtype="i8")
    f.attrs["scenario_hash"] = h
PY
sweep "$work/array-complete" && rerun_ok "$work/array-complete" \
    && ok "array-valued 'complete': the point is rerun" || fail "array-valued 'complete'"

case_dir array-hash
$py - "$work/array-hash/points/p0.h5" <<'PY'
import sys, h5py, numpy as np
h = h5py.File(sys.argv[1], "r").attrs["scenario_hash"]
with h5py.File(sys.argv[1], "w", libver="latest") as f:
    f.attrs["complete"] = np.int64(1)
    f.attrs.create("scenario_hash", [h] * 10**6, dtype=h5py.string_dtype())
PY
sweep "$work/array-hash" && rerun_ok "$work/array-hash" \
    && ok "array-valued 'scenario_hash': the point is rerun" || fail "array-valued 'scenario_hash'"

# A FIFO where a point file belongs is not complete, and is not replaced either: an output path
# that exists and is not a regular file is refused (sim/outfile.h; as -o /dev/null would be), so
# the point fails with a message naming it, and nothing hangs.
case_dir fifo
rm "$work/fifo/points/p0.h5" && mkfifo "$work/fifo/points/p0.h5"
sweep "$work/fifo"
st=$?
[ $st -eq 1 ] && grep -q "points/p0.h5' exists and is not a regular file" "$work/fifo.err" &&
    grep -q "1 point(s) failed" "$work/fifo.err" && [ -p "$work/fifo/points/p0.h5" ] \
    && ok "a FIFO as point file: not read, not replaced; the point fails, named" \
    || fail "a FIFO as point file"

# complete point files with a summary value that is not one value: indexed as missing
index_ok() { # DIR: no point rerun; point 0's 'fixed' row has requests -1, every other row > 0
    grep -q "0 point(s) to run, 8 already complete" "$1.err" &&
        grep -q "8 of 8 points complete" "$1.out" &&
        $py - "$1/campaign.h5" <<'PY'
import sys, h5py
s = h5py.File(sys.argv[1], "r")["summary"]
rows = list(zip(s["point"][:], s["policy"][:], s["requests"][:]))
assert len(rows) == 24, rows
for p, pol, n in rows:
    assert (n == -1) == (p == 0 and pol == 0), (p, pol, n)
PY
}

case_dir big-dataset
$py - "$work/big-dataset/points/p0.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    del f["policies/fixed/summary/requests"]
    f["policies/fixed/summary/requests"] = np.zeros(10**6, dtype="i8")
PY
sweep "$work/big-dataset" && index_ok "$work/big-dataset" \
    && ok "10^6-element summary 'requests': indexed as missing" || fail "10^6-element summary dataset"

case_dir external-fifo
mkfifo "$work/external-fifo/points/fifo.h5"
$py - "$work/external-fifo/points/p0.h5" "$work/external-fifo/points/fifo.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    del f["policies/fixed/summary/requests"]
    f["policies/fixed/summary/requests"] = h5py.ExternalLink(sys.argv[2], "/requests")
PY
sweep "$work/external-fifo" && index_ok "$work/external-fifo" \
    && ok "summary 'requests' an external link to a FIFO: indexed as missing" \
    || fail "external link to a FIFO"

# a complete point file whose /competition 'policies' attribute is a million commas: the index
# takes the policies from the point's scenario, so it keeps its 24 rows
case_dir many-policies
$py - "$work/many-policies/points/p0.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["competition"].attrs["policies"] = "fixed" + "," * 10**6
    del f["policies/fixed/summary/requests"]
    f["policies/fixed/summary/requests"] = [1, 2]
PY
sweep "$work/many-policies" && index_ok "$work/many-policies" \
    && ok "a 'policies' attribute of a million commas: the index keeps one row per policy" \
    || fail "a crafted 'policies' attribute"

e2e_finish "e2e rread"
