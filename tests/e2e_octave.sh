#!/usr/bin/env bash
# Octave reads a results file as the README shows: load('-hdf5') gives every column, and the
# columns reproduce the summary. Skipped (exit 77) where Octave is not installed.
# Usage: e2e_octave.sh PATH/TO/splitsim
set -u
splitsim=${1:?usage: e2e_octave.sh SPLITSIM}
command -v octave >/dev/null || { echo "skip - octave not installed"; exit 77; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d /tmp/splitsim-e2e-octave-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$splitsim" run "$root/scenarios/queue.yaml" --set "run.duration=2 h" --set "run.warmup=600 s" \
    --set run.seed=2 -o "$work/r.h5" -q || exit 1
export HOME="$work" # Octave wants to write its history there
octave --no-gui --no-history --quiet --eval "
  r = load('-hdf5', '$work/r.h5');
  t = r.requests.time_in_system_s;
  assert(isa(r.requests.id, 'int64'));
  assert(numel(t) > 1000);
  m = mean(t(r.requests.arrival_ns >= int64(600e9)));
  assert(abs(m - r.summary.mean_time_in_system_s) < 1e-9);
  addpath('$root/tools/octave');
  read_results('$work/r.h5');
  disp('octave: ok');
" >"$work/out" 2>&1
status=$?
cat "$work/out"
[ "$status" -eq 0 ] && grep -q "octave: ok" "$work/out"
