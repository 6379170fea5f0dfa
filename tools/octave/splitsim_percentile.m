function q = splitsim_percentile(x, p)
% SPLITSIM_PERCENTILE  The percentiles of splitsim's results files (docs/RESULTS.md).
%
%   q = splitsim_percentile(x, p)
%     the p-th percentiles (p in [0, 100], a scalar or a vector) of the finite values of x, as
%     the simulator computes p50, p95 and p99: with the n values sorted, v(1) <= ... <= v(n),
%     h = (n - 1) p / 100, k = floor(h) and q = v(k + 1) + (h - k) (v(k + 2) - v(k + 1)) (linear
%     interpolation between order statistics: Hyndman and Fan's type 7, numpy's and R's
%     default), in the simulator's order of operations, so the numbers are the file's to the
%     bit. NaN where x has no finite value.
%
% Octave's and MATLAB's prctile and quantile use another definition by default (method 5, the
% k-th of n values at (k - 0.5) / n) and give other numbers on the same data: 5 instead of 4.8
% for the 95th percentile of 1:5, 20 instead of 19.5 for that of [10 20]. Runs in Octave and
% MATLAB alike (no toolbox).
  v = sort(double(x(isfinite(x))));
  n = numel(v);
  q = nan(size(p));
  if n == 0, return; end
  for i = 1:numel(p)
    h = (n - 1) * (p(i) / 100);
    k = floor(h);
    if k >= n - 1
      q(i) = v(n);
    else
      q(i) = v(k + 1) + (h - k) * (v(k + 2) - v(k + 1));
    end
  end
end
