function varargout = read_results(file, png, allow_incomplete)
% READ_RESULTS  Load a splitsim results file (HDF5) in GNU Octave or MATLAB.
%
%   r = read_results('runs/default.h5')
%     loads the file into a struct (r.customers.<column>, r.summary.<name>, r.attrs.<name>)
%     and prints the mean time in system next to the file's summary and theory.
%   read_results(file, 'hist.png')
%     also writes a histogram of time_in_system_s to hist.png, where a figure can be drawn
%     without a display (Octave: needs gnuplot, e.g. Debian's gnuplot-nox; MATLAB: always).
%   read_results(file, '', true)
%     reads a file whose run did not finish (root attribute complete ~= 1).
%
%   Run from a shell:  octave --no-gui --eval "addpath('tools/octave'); read_results('runs/default.h5')"
%
% Octave reads the file with load('-hdf5', file): each group becomes a struct, each dataset a
% field (int64 columns stay int64; a 1-D column comes back as a 1xN row). load ignores every
% HDF5 attribute, so the root attributes (format, complete, seed, model) are read with h5dump
% (Debian's hdf5-tools) when it is installed. MATLAB uses h5info/h5read (columns come back Nx1).

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
  printf_('%s: model %s, seed %s\n', file, field_or(r.attrs, 'model', '?'), ...
          num2str(field_or(r.attrs, 'seed', NaN)));
  printf_('  summary: mean time in system %.6g s +- %.3g (95%%), theory %.6g s, rho %.4g\n', ...
          s.mean_time_in_system_s, s.ci95_time_in_system_s, s.theory_time_in_system_s, s.rho);
  if ~isfield(r, 'customers')
    printf_('  no /customers table in the file (run with --no-customers)\n');
    if nargout > 0, varargout{1} = r; end
    return;
  end
  c = r.customers;
  warmup = double(s.customers) - double(s.measured);
  t = c.time_in_system_s(double(c.id) >= warmup);
  printf_('  mean of time_in_system_s: %.6g s over %d customers after warm-up (%.6g s over all %d)\n', ...
          mean(t), numel(t), mean(c.time_in_system_s), numel(c.time_in_system_s));
  if ~isempty(png)
    write_histogram(t, s, png);
  end
  if nargout > 0, varargout{1} = r; end
end

function r = read_octave(file)
  d = load('-hdf5', file);
  r = d;                          % fields: summary, customers (if recorded)
  r.attrs = struct();
  for name = {'format', 'complete', 'seed', 'model'}
    [status, out] = system(sprintf('h5dump -a "/%s" "%s" 2>/dev/null', name{1}, file));
    if status == 127
      warning('read_results: h5dump (hdf5-tools) is not installed and Octave''s load ignores HDF5 attributes: format and complete are not checked');
      return;
    end
    v = regexp(out, '\(0\): ([^\n]*)', 'tokens', 'once');
    if status ~= 0 || isempty(v), continue; end     % no such attribute
    v = strtrim(v{1});
    if v(1) == '"'
      r.attrs.(name{1}) = v(2:end-1);
    else
      r.attrs.(name{1}) = str2double(v);
    end
  end
end

function r = read_matlab(file)
  info = h5info(file);
  r.attrs = struct();
  for a = info.Attributes'
    v = a.Value;
    if iscell(v), v = v{1}; end
    if isnumeric(v), v = double(v); end
    r.attrs.(a.Name) = v;
  end
  for g = info.Groups'
    name = g.Name(2:end);
    for ds = g.Datasets'
      r.(name).(ds.Name) = h5read(file, [g.Name '/' ds.Name]);
    end
  end
end

function write_histogram(t, s, png)
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
  if isfinite(r)
    semilogy(edges, r * exp(-r * edges), 'r-', 'linewidth', 2);
    legend('simulated', 'Exponential(mu - lambda)');
  end
  xlabel('time in system [s]'); ylabel('density');
  title(sprintf('time in system: mean %.4g s, theory %.4g s', mean(t), s.theory_time_in_system_s));
  print(f, device, png);
  close(f);
  printf_('  histogram: %s\n', png);
end

function v = field_or(s, name, default)
  if isfield(s, name), v = s.(name); else, v = default; end
end

function printf_(varargin)
  fprintf(1, varargin{:});      % printf exists only in Octave
end
