#!/usr/bin/env bash
# Octave reads a results file as the README shows: load('-hdf5') gives every column, and the
# columns reproduce the summary; for a queue run and for a split run (nested /summary groups,
# NaN in columns, the `measured` column, and tools/octave/splitsim_percentile.m giving the
# file's p50, p95 and p99 to the bit where prctile would not). It runs headless as
# docs/RESULTS.md ("Plotting without a display") says: `octave --no-gui` with DISPLAY unset, the
# gnuplot toolkit, print -dpngcairo; the figures of read_results and of the documented snippet
# must be written. Skipped (exit 77) where Octave is
# not installed.
# Usage: e2e_octave.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
command -v octave >/dev/null || { echo "skip - octave not installed"; exit 77; }
"$splitsim" run "$root/scenarios/queue.yaml" --set "run.duration=2 h" --set "run.warmup=600 s" \
    --set run.seed=2 -o "$work/r.h5" -q || exit 1
"$splitsim" run "$root/scenarios/default.yaml" --set "run.duration=3 min" --set "run.warmup=30 s" \
    -o "$work/s.h5" -q || exit 1
export HOME="$work" # Octave wants to write its history there
unset DISPLAY       # as on a server or cluster node: the headless set-up is what is tested
octave --no-gui --no-history --quiet --eval "
  r = load('-hdf5', '$work/r.h5');
  t = r.requests.time_in_system_s;
  assert(isa(r.requests.id, 'int64'));
  assert(numel(t) > 1000);
  m = mean(t(r.requests.arrival_ns >= int64(600e9)));
  assert(abs(m - r.summary.mean_time_in_system_s) < 1e-9);
  addpath('$root/tools/octave');
  read_results('$work/r.h5');
  disp('octave queue: ok');

  s = load('-hdf5', '$work/s.h5');
  c = s.requests;
  assert(isa(c.arrival_ns, 'int64'));
  measured = c.arrival_ns >= int64(30e9) & c.status == 0;
  assert(sum(measured) == double(s.summary.measured));
  assert(sum(measured) > 20);
  assert(any(isnan(c.tpot_s)) || all(c.output_tokens > 1)); % NaN for one-token answers
  m = mean(c.ttft_s(measured));
  assert(abs(m - s.summary.ttft_s.mean) <= 1e-9 * abs(s.summary.ttft_s.mean));
  tp = c.tpot_s(measured & isfinite(c.tpot_s));
  assert(abs(mean(tp) - s.summary.tpot_s.mean) <= 1e-9 * abs(s.summary.tpot_s.mean));
  assert(numel(tp) == double(s.summary.tpot_s.n));
  assert(isequal(c.measured == 1, measured));            % the file says which requests count
  assert(s.summary.warmup_s == 30);
  for m = {'ttft_s', 'tpot_s', 'latency_s', 'quality', 'reward', 'bytes_up'}  % the file's percentiles, to the bit
    v = c.(m{1})(c.measured == 1);
    for q = [50 95 99]
      want = s.summary.(m{1}).(sprintf('p%d', q));
      assert(splitsim_percentile(v, q) == want, sprintf('%s p%d: %.17g, file %.17g', m{1}, q, splitsim_percentile(v, q), want));
    end
  end
  assert(abs(splitsim_percentile(1:5, 95) - 4.8) < 1e-12 && prctile(1:5, 95) == 5); % why not prctile
  assert(isnan(splitsim_percentile([], 50)));
  read_results('$work/s.h5', '$work/ttft.png');
  d = dir('$work/ttft.png');
  assert(numel(d) == 1 && d.bytes > 1024, 'read_results wrote no TTFT CDF (or an empty one)');
  disp('octave split: ok');

  % docs/RESULTS.md, Plotting without a display: the snippet for one's own figures
  if any(strcmp(available_graphics_toolkits(), 'gnuplot'))
    graphics_toolkit('gnuplot');
    f = figure('visible', 'off');
    plot(sort(c.ttft_s(measured)), (1:sum(measured)) / sum(measured));
    print(f, '-dpngcairo', '$work/own.png');  close(f);
    d = dir('$work/own.png');
    assert(numel(d) == 1 && d.bytes > 1024, 'the headless snippet wrote no figure');
    disp('octave headless: ok');
  else
    disp('octave headless: no gnuplot (apt-get install gnuplot-nox)');
  end
" >"$work/out" 2>&1
status=$?
cat "$work/out"
[ "$status" -eq 0 ] && grep -q "octave queue: ok" "$work/out" && grep -q "octave split: ok" "$work/out" \
    && grep -q "octave headless: " "$work/out"
