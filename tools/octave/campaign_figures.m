function written = campaign_figures(where, outdir, point, xaxis)
% CAMPAIGN_FIGURES  Figures of a splitsim campaign (`splitsim sweep FILE -o DIR`), in Octave or MATLAB.
%
%   campaign_figures(DIR)                      DIR holds campaign.h5 and points/p<I>.h5
%   campaign_figures(DIR, OUTDIR, POINT, AXIS) also: where to write (default DIR/figures-octave;
%                                              tools/campaign_figures.py writes DIR/figures),
%                                              the point of the CDF (default the first), the
%                                              swept key path of the x axis (default the first)
%   files = campaign_figures(...)              the PNGs written (a cell array)
%
% Writes, as PNG:
%   ttft_cdf_p<I>.png   the empirical CDF of the time to first token of point I, one line per
%                       policy (measured requests: finished, arriving after run.warmup, every
%                       replication of the point); model: queue: the time in system
%   reward_vs_<AXIS>.png  mean realised reward (model: queue: mean time in system) versus the
%                       swept AXIS, one line per policy with its 95 % band, one panel per value
%                       of the other axes. Points that differ only in their replication are
%                       pooled: the band is a t interval over their values; a value with one
%                       point uses its own reward_ci95 (time_in_system_ci95_s).
%
% Run from a shell (gnuplot draws without a display; Debian: gnuplot-nox):
%   octave --no-gui --eval "addpath('tools/octave'); campaign_figures('runs/campaign')"
%
% Octave reads the index's /summary with load('-hdf5', index, 'summary') (plain numeric 1-D
% datasets; loading the whole index would follow /points into every point file) and a point
% file with load('-hdf5'); load ignores HDF5 attributes, so the index's `axes`, `policies` and
% `model` and the point's `warmup_s` (or, in older files, its `scenario`: run.warmup) come from
% h5dump (Debian's hdf5-tools); a split point's /requests/measured says which requests count.
% MATLAB uses h5info/h5read/h5readatt.

  if nargin < 1 || isempty(where), where = 'runs/campaign'; end
  if exist(where, 'dir')
    index = fullfile(where, 'campaign.h5');
    dir_ = where;
  else
    index = where;
    dir_ = fileparts(where);
    if isempty(dir_), dir_ = '.'; end
  end
  if ~exist(index, 'file'), error('campaign_figures: %s: no such file', index); end
  if nargin < 2 || isempty(outdir), outdir = fullfile(dir_, 'figures-octave'); end
  if nargin < 3, point = []; end
  if nargin < 4, xaxis = ''; end
  written = {};

  fmt = read_attr(index, 'format');
  if ischar(fmt) && ~isempty(fmt) && ~strcmp(fmt, 'splitsim-campaign')
    error('campaign_figures: %s: not a campaign index (format "%s")', index, fmt);
  end
  s = read_table(index, 'summary');
  if isempty(fieldnames(s)) || ~isfield(s, 'point')
    error('campaign_figures: %s: no /summary table', index);
  end
  axes_ = split_list(read_attr(index, 'axes'));
  policies = split_list(read_attr(index, 'policies'));
  complete = read_attr(index, 'complete');
  if isnumeric(complete) && ~isempty(complete) && complete ~= 1
    out('note: %s: the campaign is not complete (complete ~= 1)\n', index);
  end
  if isempty(axes_)        % no h5dump: the columns that are neither bookkeeping nor metrics
    known = {'point', 'policy', 'replication', 'replications', 'requests', 'evaluations'};
    names = fieldnames(s);
    for k = 1:numel(names)
      n = names{k};
      if ~any(strcmp(n, known)) && isempty(regexp(n, '(_mean|_ci95|_p\d+)(_s|_j)?$', 'once'))
        axes_{end+1} = n;                                            %#ok<AGROW>
      end
    end
  end
  model = read_attr(index, 'model');
  if ~ischar(model) || isempty(model)
    model = 'split';
    if isfield(s, 'time_in_system_mean_s') && any(isfinite(s.time_in_system_mean_s)) && ...
       ~(isfield(s, 'reward_mean') && any(isfinite(s.reward_mean)))
      model = 'queue';
    end
  end
  pol = double(s.policy(:));
  npol = max(1, numel(policies));
  if isempty(policies) && any(pol >= 0)
    for q = 0:max(pol), policies{end+1} = sprintf('policy %d', q); end  %#ok<AGROW>
    npol = numel(policies);
  end
  device = drawing_device();
  if isempty(device), return; end
  if ~exist(outdir, 'dir'), mkdir(outdir); end

  % ---- (a) TTFT CDF per policy, one point
  pts = unique(double(s.point(:)));
  if isempty(point), point = pts(1); end
  pfile = fullfile(dir_, 'points', sprintf('p%d.h5', point));
  if ~exist(pfile, 'file')
    out('skip TTFT CDF: %s: no such file\n', pfile);
  else
    written = [written, ttft_cdf(pfile, point, policies, model, outdir, device)];
  end

  % ---- (c) reward versus a swept parameter, 95 % band
  if isempty(axes_)
    out('skip reward versus a parameter: the campaign has no swept axis\n');
  else
    if isempty(xaxis), xaxis = axes_{1}; end
    xcol = strrep(xaxis, '.', '_');
    if ~isfield(s, xcol)
      error('campaign_figures: %s: no /summary column %s (axes: %s)', index, xcol, strjoin(axes_, ', '));
    end
    others = {};
    for k = 1:numel(axes_)
      c = strrep(axes_{k}, '.', '_');
      if ~strcmp(c, xcol) && isfield(s, c), others{end+1} = axes_{k}; end  %#ok<AGROW>
    end
    written = [written, versus(s, index, xaxis, xcol, others, policies, npol, model, ...
                               dir_, outdir, device)];
  end
end

function files = ttft_cdf(pfile, point, policies, model, outdir, device)
  files = {};
  p = load_point(pfile);
  warm = warmup_ns(pfile);
  groups = {}; names = {};
  if isfield(p, 'policies')
    order = policies;
    if isempty(order), order = fieldnames(p.policies)'; end
    for k = 1:numel(order)
      if isfield(p.policies, order{k}) && isfield(p.policies.(order{k}), 'requests')
        groups{end+1} = p.policies.(order{k}).requests;       %#ok<AGROW>
        names{end+1} = order{k};                               %#ok<AGROW>
      end
    end
  elseif isfield(p, 'requests')
    groups = {p.requests};
    names = {read_attr(pfile, 'policy')};           % the policy of a single-policy run
    if ~ischar(names{1}) || isempty(names{1}), names = {model}; end
  end
  if isempty(groups)
    out('skip TTFT CDF: point %d has no /requests (recording.requests: false)\n', point);
    return;
  end
  if strcmp(model, 'queue')
    col = 'time_in_system_s'; what = 'time in system';
  else
    col = 'ttft_s'; what = 'time to first token';
  end
  f = figure('visible', 'off', 'position', [0 0 1000 620], 'paperpositionmode', 'auto');
  hold on;
  colours = lines_colours();
  styles = {'-', '--', '-.', ':'};
  legends = {}; allv = [];
  for k = 1:numel(groups)
    r = groups{k};
    if ~isfield(r, col), continue; end
    v = double(r.(col)(:));
    m = true(size(v));
    if isfield(r, 'measured')                      % what /summary counts (split files)
      m = r.measured(:) == 1;
    else                                           % older files and model: queue
      if isfield(r, 'status'), m = m & double(r.status(:)) == 0; end
      if ~isempty(warm), m = m & double(r.arrival_ns(:)) >= warm; end
    end
    v = sort(v(m & isfinite(v)));
    if isempty(v), continue; end
    y = (1:numel(v))' / numel(v);
    stairs([v(1); v], [0; y], styles{mod(k - 1, 4) + 1}, 'color', colours(mod(k - 1, size(colours, 1)) + 1, :), ...
           'linewidth', 1.5);
    legends{end+1} = sprintf('%s: mean %.3g s, p95 %.3g s (n=%d)', names{k}, mean(v), ...
                             splitsim_percentile(v, 95), numel(v));  %#ok<AGROW>
    allv = [allv; v];                                                      %#ok<AGROW>
  end
  if isempty(allv)
    close(f);
    out('skip TTFT CDF: no measured requests in point %d\n', point);
    return;
  end
  if min(allv) > 0 && max(allv) > 20 * min(allv), set(gca, 'xscale', 'log'); end
  plot([min(allv) max(allv)], [0.95 0.95], 'k:');
  ylim([0 1.02]); grid on;
  xlabel([what ' [s]']); ylabel('fraction of measured requests <= x');
  legend(legends, 'location', 'southeast', 'interpreter', 'none');
  if isempty(warm), how = 'no warm-up known'; else, how = sprintf('after the %.3g s warm-up', warm * 1e-9); end
  title(sprintf('point %d: empirical CDF of the %s (finished requests %s; dotted: 0.95)', point, what, how), ...
        'interpreter', 'none');
  png = fullfile(outdir, sprintf('ttft_cdf_p%d.png', point));
  write_png(f, device, png);
  files = {png};
end

function files = versus(s, index, xaxis, xcol, others, policies, npol, model, dir_, outdir, device)
  files = {};
  if strcmp(model, 'queue')
    vcol = 'time_in_system_mean_s'; hcol = 'time_in_system_ci95_s';
    what = 'mean time in system [s]'; stem = 'time_in_system';
  else
    vcol = 'reward_mean'; hcol = 'reward_ci95';
    what = 'mean realised reward [1]'; stem = 'reward';
  end
  if ~isfield(s, vcol)
    out('skip %s versus %s: no /summary column %s\n', stem, xaxis, vcol);
    return;
  end
  x = double(s.(xcol)(:));
  v = double(s.(vcol)(:));
  if isfield(s, hcol), h = double(s.(hcol)(:)); else, h = nan(size(v)); end
  pol = double(s.policy(:));
  pt = double(s.point(:));
  if isempty(others)
    combos = zeros(1, 0); other = zeros(numel(x), 0);
  else
    other = zeros(numel(x), numel(others));
    for k = 1:numel(others), other(:, k) = double(s.(strrep(others{k}, '.', '_'))(:)); end
    combos = unique(other, 'rows');
  end
  ncombo = max(1, size(combos, 1));
  if ncombo > 4
    out('note: %d combinations of the other axes; drawing the first 4\n', ncombo);
    ncombo = 4;
  end
  labels = choice_labels(xaxis, x, pt, dir_);
  single = read_attr(fullfile(dir_, 'points', sprintf('p%d.h5', pt(1))), 'policy');
  if ~ischar(single) || isempty(single), single = model; end   % queue: no policy
  olabels = cell(size(others));
  for k = 1:numel(others), olabels{k} = choice_labels(others{k}, other(:, k), pt, dir_); end
  colours = lines_colours();
  styles = {'-', '--', '-.', ':'};
  f = figure('visible', 'off', 'position', [0 0 520 * ncombo + 260 640], 'paperpositionmode', 'auto');
  pooled = false;
  for c = 1:ncombo
    subplot(1, ncombo, c);
    hold on;
    if isempty(others), sel = true(size(x)); else, sel = all(other == combos(c, :), 2); end
    series = {}; means = []; ends = [];
    for q = 1:npol
      if isempty(policies), mine = sel & pol == -1; name = single;
      else, mine = sel & pol == q - 1; name = policies{q}; end
      xs = unique(x(mine))';
      ms = nan(size(xs)); hs = nan(size(xs));
      for j = 1:numel(xs)
        rows = find(mine & x == xs(j));
        vals = v(rows); ok = isfinite(vals);
        if sum(ok) > 1                       % replications of one combination: t interval
          vals = vals(ok);
          ms(j) = mean(vals);
          hs(j) = t975(numel(vals) - 1) * std(vals) / sqrt(numel(vals));
          pooled = true;
        elseif sum(ok) == 1                  % one point: its own half-width
          ms(j) = vals(ok); hs(j) = h(rows(ok));
        end
      end
      if isempty(xs) || ~any(isfinite(ms)), continue; end
      series{end+1} = struct('q', q, 'name', name, 'xs', xs, 'ms', ms, 'hs', hs);  %#ok<AGROW>
      means = [means, ms(isfinite(ms))];                                  %#ok<AGROW>
      b = isfinite(hs) & isfinite(ms);
      ends = [ends, ms(b) - hs(b), ms(b) + hs(b)];                        %#ok<AGROW>
    end
    % y limits that show the means: the bands only as far as twice the means' spread
    lo = -1; hi = 1;
    if ~isempty(means)
      lo = min(means); hi = max(means); span = max([hi - lo, 0.05 * max(abs([lo hi])), 1e-9]);
      if ~isempty(ends)
        lo = max(min([lo ends]), lo - 2 * span); hi = min(max([hi ends]), hi + 2 * span);
      end
      pad = 0.06 * max(hi - lo, 1e-9);
      lo = lo - pad; hi = hi + pad;
    end
    handles = []; names = {};
    for k = 1:numel(series)                  % bands first, clipped (gnuplot does not clip fills)
      e = series{k};
      col = colours(mod(e.q - 1, size(colours, 1)) + 1, :);
      b = isfinite(e.hs) & isfinite(e.ms);
      if any(b)
        fill([e.xs(b), fliplr(e.xs(b))], ...
             min(max([e.ms(b) - e.hs(b), fliplr(e.ms(b) + e.hs(b))], lo), hi), col, ...
             'facealpha', 0.15, 'edgecolor', 'none');
      end
    end
    for k = 1:numel(series)
      e = series{k};
      col = colours(mod(e.q - 1, size(colours, 1)) + 1, :);
      handles(end+1) = plot(e.xs, e.ms, styles{mod(e.q - 1, 4) + 1}, 'color', col, ...
                            'linewidth', 1.5, 'marker', 'o');             %#ok<AGROW>
      names{end+1} = e.name;                                              %#ok<AGROW>
    end
    ylim([lo hi]);
    grid on;
    if isempty(labels)
      u = units_of(index, xcol);
      xlabel(sprintf('%s%s', xaxis, u), 'interpreter', 'none');
    else
      xlabel(xaxis, 'interpreter', 'none');
      set(gca, 'xtick', labels.values, 'xticklabel', labels.names);
    end
    ylabel(what);
    ttl = '';
    for k = 1:numel(others)
      lab = olabels{k};
      if isempty(lab)
        u = units_of(index, strrep(others{k}, '.', '_'));
        if strcmp(u, ' [1]'), u = ''; end
        ttl = sprintf('%s%s=%g%s ', ttl, others{k}, combos(c, k), strrep(strrep(u, '[', ''), ']', ''));
      else
        ttl = sprintf('%s%s=%s ', ttl, others{k}, lab.names{lab.values == combos(c, k)});
      end
    end
    if pooled
      band = '95 % t interval over replications';
    else
      band = ['95 % band: ' hcol];
    end
    title(strtrim(sprintf('%s (%s)', ttl, band)), 'interpreter', 'none');
    if c == ncombo && ~isempty(handles)
      legend(handles, names, 'location', 'eastoutside', 'interpreter', 'none');
    end
  end
  png = fullfile(outdir, sprintf('%s_vs_%s.png', stem, xcol));
  write_png(f, device, png);
  files = {png};
end

function l = choice_labels(axis_, x, pt, dir_)
% Tick labels of a choice axis (its /summary values are indices into the sweep's list): the
% value in one point file's resolved scenario per index; [] for a numeric axis.
  l = [];
  vals = unique(x)';
  names = cell(size(vals));
  for j = 1:numel(vals)
    p = pt(find(x == vals(j), 1));
    scen = read_attr(fullfile(dir_, 'points', sprintf('p%d.h5', p)), 'scenario');
    if ~ischar(scen), return; end
    t = yaml_value(scen, axis_);
    if isempty(t) || ~isnan(str2double(strtok(t))), return; end   % numeric
    names{j} = strrep(t, '"', '');
  end
  l.values = vals;
  l.names = names;
end

function v = yaml_value(scenario, path)
% The value at the dotted key path of a resolved scenario (canonical YAML, two spaces a level).
  v = '';
  keys = strsplit(path, '.');
  stack = {};
  for l = strsplit(scenario, char(10))
    line = regexprep(l{1}, '\s+#.*$', '');
    body = regexprep(line, '^ +', '');
    kv = regexp(body, '^([^:#][^:]*):(.*)$', 'tokens', 'once');  % Octave drops empty tokens
    if isempty(kv), continue; end
    level = floor((numel(line) - numel(body)) / 2);
    stack = [stack(1:min(level, numel(stack))), {strtrim(kv{1})}];
    if numel(stack) == numel(keys) && all(strcmp(stack, keys))
      if numel(kv) > 1, v = strtrim(kv{2}); end
      return;
    end
  end
end

function u = units_of(index, xcol)
% ' [unit]' of a /summary column for an axis label; '' when dimensionless or unknown.
  u = read_attr(index, 'units', ['/summary/' xcol]);
  if ischar(u) && ~isempty(u), u = [' [' u ']']; else, u = ''; end
end

function w = warmup_ns(file)
% The warm-up of a results file, in ns: its root attribute warmup_s (split files), else run.warmup
% from its `scenario` attribute; [] when unknown.
  w = read_attr(file, 'warmup_s');
  if isnumeric(w) && isscalar(w) && isfinite(w), w = round(w * 1e9); return; end
  w = [];
  scen = read_attr(file, 'scenario');
  if ~ischar(scen), return; end
  t = regexp(scen, '\n\s+warmup:\s*(\S+) s', 'tokens', 'once');
  if ~isempty(t) && isfinite(str2double(t{1})), w = round(str2double(t{1}) * 1e9); end
end

function p = load_point(file)
  if exist('h5read')
    info = h5info(file);
    p = struct();
    for g = info.Groups'
      name = g.Name(2:end);
      if any(strcmp(name, {'requests', 'policies'})), p.(name) = read_group(file, g); end
    end
  else
    p = struct();
    try
      p = load('-hdf5', file, 'requests', 'policies');   % nothing to return when neither is there
    catch
    end
  end
end

function t = read_table(file, group)
  if exist('h5read')
    t = read_group(file, h5info(file, ['/' group]));
  else
    d = load('-hdf5', file, group);
    if isfield(d, group), t = d.(group); else, t = struct(); end
  end
end

function s = read_group(file, g)
% A group's datasets as columns, and its subgroups (as load('-hdf5') gives them in Octave).
  s = struct();
  for ds = g.Datasets'
    sz = ds.Dataspace.Size;
    if ~isempty(sz) && any(sz == 0)
      s.(ds.Name) = zeros(0, 1);
    else
      s.(ds.Name) = h5read(file, [g.Name '/' ds.Name]);
    end
  end
  for sub = g.Groups'
    s.(sub.Name(find(sub.Name == '/', 1, 'last') + 1:end)) = read_group(file, sub);
  end
end

function v = read_attr(file, name, loc)
% Attribute `name` of object `loc` (default the root): a string or a number; '' when absent
% or unreadable.
  if nargin < 3, loc = '/'; end
  v = '';
  if exist('h5readatt')
    try
      v = h5readatt(file, loc, name);
      if iscell(v), v = v{1}; end
      if isnumeric(v), v = double(v); end
    catch
      v = '';
    end
    return;
  end
  if loc(end) ~= '/', loc = [loc '/']; end
  [status, txt] = system(sprintf('h5dump -w 0 -a "%s%s" "%s" 2>/dev/null', loc, name, file));
  if status == 127
    warning('campaign_figures: h5dump (hdf5-tools) is not installed: attributes unknown');
    return;
  end
  k = regexp(txt, '\(0\): ', 'end', 'once');
  if status ~= 0 || isempty(k), return; end
  body = txt(k+1:end);
  if body(1) == '"'
    body = body(2:find(body == '"', 1, 'last') - 1);
    lines = strsplit(body, char(10));     % h5dump indents a string's continuation lines
    rest = lines(2:end);
    blank = cellfun(@(l) all(l == ' '), rest);
    indent = cellfun(@(l) numel(l) - numel(regexprep(l, '^ +', '')), rest(~blank));
    if isempty(indent), indent = 0; end
    rest = cellfun(@(l) l(min(min(indent), numel(l)) + 1:end), rest, 'UniformOutput', false);
    v = strrep(strrep(strjoin([lines(1) rest], char(10)), '\"', '"'), '\\', '\');
  else
    v = str2double(strtok(body));
  end
end

function c = split_list(v)
  if ~ischar(v) || isempty(v), c = {}; return; end
  c = strsplit(v, ',');
  c = c(~cellfun(@isempty, c));
end

function q = t975(dof)
% The 97.5 % quantile of Student's t (tinv needs a toolbox).
  table = [12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 ...
           2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086];
  if dof <= numel(table), q = table(dof);
  elseif dof <= 30, q = 2.042;
  else, q = 1.96; end
end

function c = lines_colours()
  c = [0.12 0.47 0.71; 1.00 0.50 0.05; 0.17 0.63 0.17; 0.84 0.15 0.16; 0.58 0.40 0.74;
       0.55 0.34 0.29; 0.89 0.47 0.76; 0.50 0.50 0.50];
end

function device = drawing_device()
% The print device for a PNG, or '' (with a note) where no figure can be drawn.
  device = '-dpng';
  if exist('OCTAVE_VERSION', 'builtin') ~= 0 && isempty(getenv('DISPLAY'))
    if ~any(strcmp(available_graphics_toolkits(), 'gnuplot'))
      out('no figures: Octave cannot draw without a display unless gnuplot is installed (apt-get install gnuplot-nox)\n');
      device = '';
      return;
    end
    warning('off', 'Octave:gnuplot-graphics');
    warning('off', 'print:nogs');
    graphics_toolkit('gnuplot');
    device = '-dpngcairo';    % gnuplot's own PNG terminal; -dpng would need Ghostscript
  end
end

function write_png(f, device, png)
  if exist('OCTAVE_VERSION', 'builtin') ~= 0
    print(f, device, png);
  else
    print(f, device, '-r0', png);
  end
  close(f);
  out('wrote %s\n', png);
end

function out(varargin)
  fprintf(1, varargin{:});      % printf exists only in Octave
end
