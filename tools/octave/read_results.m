function varargout = read_results(file, png, allow_incomplete)
% READ_RESULTS  Load a splitsim results file (HDF5) in GNU Octave or MATLAB.
%
%   r = read_results('runs/default.h5')
%     loads the file into a struct (r.requests.<column>, r.replications.<column>,
%     r.summary.<name>, r.attrs.<name>; nested groups become nested structs) and prints:
%     - model queue: the mean time in system of the measured requests (arrival_ns >= the
%       scenario's run.warmup) of the file's first replication next to the file's summary and
%       theory;
%     - model split: the summary's means (TTFT, TPOT, latency, energy, quality; e.g.
%       r.summary.ttft_s.mean) and the mean and 95th percentile of TTFT recomputed from
%       r.requests over the measured requests (r.requests.measured == 1: finished, arrival at
%       or after the warm-up, every replication) next to r.summary.ttft_s.mean and .p95; the
%       percentile is splitsim_percentile's, the files' definition (not prctile's).
%   read_results(file, 'out.png')
%     also writes a figure to out.png (queue: a histogram of time_in_system_s; split: the
%     empirical CDF of ttft_s; measured requests of every replication), where a figure can be
%     drawn without a display (Octave: needs gnuplot, e.g. Debian's gnuplot-nox; MATLAB: always).
%   read_results(file, '', true)
%     reads a file whose run did not finish (root attribute complete ~= 1).
%
%   Run from a shell:  octave --no-gui --eval "addpath('tools/octave'); read_results('runs/default.h5')"
%
% Octave reads the file with load('-hdf5', file): each group becomes a struct, each dataset a
% field (int64 columns stay int64, NaN stays NaN; a 1-D column comes back as a 1xN row; a split
% file's /summary/ttft_s/mean is r.summary.ttft_s.mean). load ignores every HDF5 attribute, so
% the root attributes (format, complete, seed, model, replications, first_replication, scenario,
% quality_source, warmup_s) are read with h5dump (Debian's hdf5-tools) when it is installed.
% A split file says which requests are measured (/requests/measured) and its warm-up (root
% attribute warmup_s, /summary/warmup_s); a queue file its warm-up (/summary/warmup_s); for
% older files the warm-up is the `warmup: <number> s` line under `run:` in the scenario
% attribute (the resolved YAML). MATLAB uses h5info/h5read (columns come back Nx1), group by
% group.

  if nargin < 1 || isempty(file), file = 'runs/default.h5'; end
  if nargin < 2, png = ''; end
  if nargin < 3, allow_incomplete = false; end
  if ~exist(file, 'file'), error('read_results: %s: no such file', file); end

  if exist('h5read')           % MATLAB (or an Octave package providing h5read)
    r = read_matlab(file);
  else
    r = read_octave(file);
  end
  if ~isfield(r, 'summary')
    error('read_results: %s: no /summary group (not a splitsim results file?)', file);
  end

  if isfield(r.attrs, 'format') && ~strcmp(r.attrs.format, 'splitsim-results')
    error('read_results: %s: not a splitsim results file (format is "%s")', file, r.attrs.format);
  end
  if isfield(r.attrs, 'complete') && r.attrs.complete ~= 1 && ~allow_incomplete
    error('read_results: %s: the run did not finish (complete ~= 1)', file);
  end

  s = r.summary;
  model = field_or(r.attrs, 'model', '');
  if isempty(model) && isfield(s, 'ttft_s'), model = 'split'; end   % no h5dump: by its layout
  printf_('%s: model %s, seed %s\n', file, field_or(r.attrs, 'model', model_or_unknown(model)), ...
          num2str(field_or(r.attrs, 'seed', NaN)));
  if strcmp(model, 'split')
    report_split(r, png);
    if nargout > 0, varargout{1} = r; end
    return;
  end
  printf_('  summary: mean time in system %.6g s +- %.3g (95%%), theory %.6g s, rho %.4g\n', ...
          s.mean_time_in_system_s, s.ci95_time_in_system_s, s.theory_time_in_system_s, s.rho);
  if ~isfield(r, 'requests')
    if isfield(r, 'customers')
      printf_('  no /requests table: an older results file (/customers); read it with an older read_results.m\n');
    else
      printf_('  no /requests table in the file (the scenario sets recording.requests: false)\n');
    end
    if nargout > 0, varargout{1} = r; end
    return;
  end
  c = r.requests;
  rep = double(c.replication(:));
  tis = c.time_in_system_s(:);
  scenario = field_or(r.attrs, 'scenario', '');
  warmup = scenario_value(scenario, 'run', 'warmup');     % '1800 s'
  w = regexp(warmup, '^(\S+)\s+s$', 'tokens', 'once');
  if isfield(s, 'warmup_s')
    w = {num2str(s.warmup_s, 17)};                        % /summary/warmup_s
  end
  if ~isempty(w) && isfinite(str2double(w{1}))
    warmup_ns = round(str2double(w{1}) * 1e9);            % as the simulator rounds it
    measured = c.arrival_ns(:) >= int64(warmup_ns);
    how = sprintf('warm-up %s s', w{1});
  else
    measured = true(size(rep));
    how = 'no warm-up known, all requests';
    printf_('  note: no `warmup: <number> s` under run: in the scenario attribute (no h5dump, or an older file); the mean below includes the warm-up and need not match the summary\n');
  end
  if isfield(r.attrs, 'first_replication')
    first = double(r.attrs.first_replication);
  elseif isfield(r, 'replications')
    first = double(r.replications.replication(1));
  else
    first = min(rep);
  end
  one = rep == first;
  t = tis(measured & one);
  printf_('  replication %d: mean of time_in_system_s %.10g s over %d measured requests (%s; %.6g s over all %d)\n', ...
          first, mean(t), numel(t), how, mean(tis(one)), sum(one));
  printf_('  /summary/mean_time_in_system_s %.10g s over %d replication(s); difference %.3g s\n', ...
          s.mean_time_in_system_s, double(s.replications), mean(t) - s.mean_time_in_system_s);
  if isfield(r, 'replications')
    k = find(double(r.replications.replication(:)) == first, 1);
    if ~isempty(k)
      printf_('  /replications/mean_time_in_system_s of replication %d: %.10g s\n', first, ...
              r.replications.mean_time_in_system_s(k));
    end
  end
  % one replication: the summary is that replication's mean (relative 1e-9: sums in another order)
  if double(s.replications) == 1 && ~isempty(w) && ...
     abs(mean(t) - s.mean_time_in_system_s) > 1e-9 * max(1, abs(s.mean_time_in_system_s))
    warning('read_results: the mean of the measured requests differs from /summary/mean_time_in_system_s by more than 1e-9');
  end
  if ~isempty(png)
    write_histogram(tis(measured), s, png, scenario_value(scenario, 'edge', 'service'));
  end
  if nargout > 0, varargout{1} = r; end
end

function v = scenario_value(scenario, section, key)
% The value of `key` under the top-level `section:` of the resolved scenario YAML, as a string;
% '' when absent.
  v = '';
  in_section = false;
  for l = strsplit(scenario, char(10))
    line = regexprep(l{1}, '#.*$', '');
    if isempty(strtrim(line)), continue; end
    if ~isspace(line(1))
      in_section = strcmp(strtrim(line), [section ':']);
    elseif in_section
      kv = regexp(line, '^\s+([^:]+):(.*)$', 'tokens', 'once');
      if ~isempty(kv) && strcmp(strtrim(kv{1}), key)
        v = strtrim(kv{2});
        return;
      end
    end
  end
end

function r = read_octave(file)
  d = load('-hdf5', file);
  r = d;                          % fields: summary, replications, requests (if recorded)
  r.attrs = struct();
  for name = {'format', 'complete', 'seed', 'model', 'replications', 'first_replication', ...
              'scenario', 'quality_source', 'warmup_s'}
    [status, out] = system(sprintf('h5dump -w 0 -a "/%s" "%s" 2>/dev/null', name{1}, file));
    if status == 127
      warning('read_results: h5dump (hdf5-tools) is not installed and Octave''s load ignores HDF5 attributes: format and complete are not checked');
      return;
    end
    v = regexp(out, '\(0\): ([^\n]*)', 'tokens', 'once');
    if status ~= 0 || isempty(v), continue; end     % no such attribute
    v = strtrim(v{1});
    if v(1) == '"' && (numel(v) == 1 || v(end) ~= '"')
      r.attrs.(name{1}) = h5dump_multiline(out);     % a string over several lines
    elseif v(1) == '"'
      r.attrs.(name{1}) = v(2:end-1);
    else
      r.attrs.(name{1}) = str2double(v);
    end
  end
end

function v = h5dump_multiline(out)
% The text of a string attribute that h5dump printed over several lines: from after `(0): "`
% to the last `"`, each continuation line less the indentation h5dump added (the smallest one:
% the resolved scenario YAML has top-level keys after its first line).
  k = regexp(out, '\(0\): "', 'end', 'once');
  body = out(k+1:end);
  body = body(1:find(body == '"', 1, 'last') - 1);
  lines = strsplit(body, char(10));
  rest = lines(2:end);
  indent = cellfun(@(l) numel(l) - numel(regexprep(l, '^ +', '')), rest(~cellfun(@(l) all(l == ' '), rest)));
  if isempty(indent), indent = 0; end
  rest = cellfun(@(l) l(min(min(indent), numel(l)) + 1:end), rest, 'UniformOutput', false);
  v = strjoin([lines(1) rest], char(10));
  v = strrep(strrep(v, '\"', '"'), '\\', '\');
end

function r = read_matlab(file)
  info = h5info(file);
  r = read_group(file, info);
  r.attrs = struct();
  for a = info.Attributes'
    v = a.Value;
    if iscell(v), v = v{1}; end
    if isnumeric(v), v = double(v); end
    r.attrs.(a.Name) = v;
  end
end

function s = read_group(file, g)
% A group's datasets and (recursively, as load('-hdf5') does in Octave) its subgroups.
  s = struct();
  for ds = g.Datasets'
    sz = ds.Dataspace.Size;
    if ~isempty(sz) && any(sz == 0)
      s.(ds.Name) = zeros(0, 1);               % a table with no rows yet
    else
      s.(ds.Name) = h5read(file, [g.Name '/' ds.Name]);
    end
  end
  for sub = g.Groups'
    s.(sub.Name(find(sub.Name == '/', 1, 'last') + 1:end)) = read_group(file, sub);
  end
end

function report_split(r, png)
% A split-model file: the summary's means, and the mean TTFT of the measured requests
% recomputed from /requests next to /summary/ttft_s/mean.
  s = r.summary;
  printf_('  %d requests, %d measured after the warm-up, %d refused; %d replication(s); split k = %d of %d blocks\n', ...
          double(s.requests), double(s.measured), double(s.refused), double(s.replications), ...
          double(field_or(s, 'split', -1)), double(field_or(s, 'blocks', -1)));
  printf_('  %-12s %12s %12s %12s\n', 'summary', 'mean', '95% CI +-', 'p95');
  rows = {'ttft_s', 's'; 'tpot_s', 's'; 'latency_s', 's'; 'energy_j', 'J'; 'quality', '(PPL / PPL_0)'};
  for k = 1:size(rows, 1)
    if isfield(s, rows{k, 1})
      m = s.(rows{k, 1});
      printf_('  %-12s %12.6g %12.3g %12.6g %s\n', rows{k, 1}, m.mean, m.ci95, m.p95, rows{k, 2});
    end
  end
  q = field_or(r.attrs, 'quality_source', '');
  if ~isempty(q)
    c = strfind(q, ':');
    if strncmp(q, 'ASSUMPTION', 10) && ~isempty(c), q = q(1:c(1)-1); end
    printf_('  quality: %s\n', q);
  end
  if ~isfield(r, 'requests')
    printf_('  no /requests table in the file (the scenario sets recording.requests: false)\n');
    return;
  end
  c = r.requests;
  [measured, how, known] = measured_requests(r);
  ttft = c.ttft_s(:);
  t = ttft(measured & isfinite(ttft));
  printf_('  mean of ttft_s %.10g s over %d requests (%s)\n', mean(t), numel(t), how);
  printf_('  /summary/ttft_s/mean %.10g s over %d; difference %.3g s\n', s.ttft_s.mean, ...
          double(s.ttft_s.n), mean(t) - s.ttft_s.mean);
  p95 = splitsim_percentile(t, 95);
  printf_('  95th percentile of ttft_s %.10g s (splitsim_percentile); /summary/ttft_s/p95 %.10g s\n', ...
          p95, s.ttft_s.p95);
  if known && abs(mean(t) - s.ttft_s.mean) > 1e-9 * max(1, abs(s.ttft_s.mean))
    warning('read_results: the mean TTFT of the measured requests differs from /summary/ttft_s/mean by more than 1e-9');
  end
  if known && abs(p95 - s.ttft_s.p95) > 1e-9 * max(1, abs(s.ttft_s.p95))
    warning('read_results: the 95th percentile of the measured requests differs from /summary/ttft_s/p95 by more than 1e-9');
  end
  if ~isempty(png)
    write_cdf(t, s.ttft_s, png);
  end
end

function [measured, how, known] = measured_requests(r)
% The measured requests of a split file's /requests (those /summary counts): its `measured`
% column; in an older file, the finished ones (status 0) arriving at or after the warm-up (root
% attribute warmup_s, else the scenario's run.warmup). known: false when the warm-up is unknown
% (then every finished request).
  c = r.requests;
  known = true;
  if isfield(c, 'measured')
    measured = c.measured(:) == 1;
    how = 'measured == 1';
    return;
  end
  measured = double(c.status(:)) == 0;        % finished (1: refused, 2: radio-link failure)
  w = field_or(r.attrs, 'warmup_s', NaN);
  if ~isfinite(w)
    t = regexp(scenario_value(field_or(r.attrs, 'scenario', ''), 'run', 'warmup'), ...
               '^(\S+)\s+s$', 'tokens', 'once');
    if ~isempty(t), w = str2double(t{1}); end
  end
  if isfinite(w)
    measured = measured & c.arrival_ns(:) >= int64(round(w * 1e9));   % as the simulator rounds it
    how = sprintf('finished, warm-up %.9g s', w);
  else
    known = false;
    how = 'no warm-up known, all finished requests';
    printf_('  note: no warm-up in the file (no h5dump?); the statistics below include the warm-up and need not match the summary\n');
  end
end

function write_cdf(t, m, png)
% The empirical CDF of TTFT: the sorted values against i/n, the summary's mean and p95 marked.
  device = drawing_device();
  if isempty(device), return; end
  if isempty(t)
    printf_('  no CDF: no measured requests\n');
    return;
  end
  f = figure('visible', 'off', 'position', [0 0 800 500], 'paperpositionmode', 'auto');
  t = sort(t(:));
  y = (1:numel(t))' / numel(t);
  plot(t, y, 'b-', 'linewidth', 1.5);
  hold on;
  plot([m.mean m.mean], [0 1], 'k--');
  plot([m.p95 m.p95], [0 1], 'r:', 'linewidth', 1.5);
  if t(1) > 0 && t(end) > 20 * t(1)
    set(gca, 'xscale', 'log');                 % a long tail
  end
  ylim([0 1.02]);
  grid on;
  xlabel('time to first token [s]'); ylabel('fraction of requests <= x');
  legend(sprintf('%d measured requests', numel(t)), sprintf('mean %.3g s', m.mean), ...
         sprintf('p95 %.3g s', m.p95), 'location', 'southeast');
  title(sprintf('TTFT empirical CDF: mean %.4g s, p95 %.4g s', mean(t), m.p95));
  if exist('OCTAVE_VERSION', 'builtin') ~= 0
    print(f, device, png);                     % gnuplot: the figure's size in pixels
  else
    print(f, device, '-r0', png);              % MATLAB: the figure's size on screen
  end
  close(f);
  printf_('  CDF: %s\n', png);
end

function device = drawing_device()
% The print device for a PNG, or '' (with a note) where no figure can be drawn.
  is_octave = exist('OCTAVE_VERSION', 'builtin') ~= 0;
  device = '-dpng';
  if is_octave && isempty(getenv('DISPLAY'))
    if ~any(strcmp(available_graphics_toolkits(), 'gnuplot'))
      printf_('  no figure: Octave cannot draw without a display unless gnuplot is installed (apt-get install gnuplot-nox)\n');
      device = '';
      return;
    end
    warning('off', 'Octave:gnuplot-graphics');
    warning('off', 'print:nogs');
    graphics_toolkit('gnuplot');
    device = '-dpngcairo';    % gnuplot's own PNG terminal; -dpng would need Ghostscript
  end
end

function write_histogram(t, s, png, service)
  is_octave = exist('OCTAVE_VERSION', 'builtin') ~= 0;
  device = '-dpng';
  if is_octave && isempty(getenv('DISPLAY'))
    if ~any(strcmp(available_graphics_toolkits(), 'gnuplot'))
      printf_('  no histogram: Octave cannot draw without a display unless gnuplot is installed (apt-get install gnuplot-nox)\n');
      return;
    end
    warning('off', 'Octave:gnuplot-graphics');
    warning('off', 'print:nogs');
    graphics_toolkit('gnuplot');
    device = '-dpngcairo';    % gnuplot's own PNG terminal; -dpng would need Ghostscript
  end
  f = figure('visible', 'off');
  edges = linspace(0, max(t), 101);
  n = histc(t(:), edges);
  width = edges(2) - edges(1);
  centres = edges(1:end-1) + width / 2;
  density = n(1:end-1)' / (numel(t) * width);
  keep = density > 0;                      % empty bins have no place on a log axis
  semilogy(centres(keep), density(keep), 'b.-');
  hold on;
  r = 1 / s.theory_time_in_system_s;       % mu - lambda
  if isfinite(r) && strcmp(service, 'exponential')
    semilogy(edges, r * exp(-r * edges), 'r-', 'linewidth', 2);
    legend('simulated', 'Exponential(mu - lambda)');
  elseif isfinite(r)                         % deterministic service: not exponential
    semilogy([1 1] / r, [min(density(keep)) max(density(keep))], 'r-', 'linewidth', 2);
    legend('simulated', 'theory mean');
  end
  xlabel('time in system [s]'); ylabel('density');
  title(sprintf('time in system: mean %.4g s, theory %.4g s', mean(t), s.theory_time_in_system_s));
  print(f, device, png);
  close(f);
  printf_('  histogram: %s\n', png);
end

function m = model_or_unknown(model)
  m = model;
  if isempty(m), m = '?'; end
end

function v = field_or(s, name, default)
  if isfield(s, name), v = s.(name); else, v = default; end
end

function printf_(varargin)
  fprintf(1, varargin{:});      % printf exists only in Octave
end
