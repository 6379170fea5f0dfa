#!/usr/bin/python3
"""Standard figures of a splitsim campaign (`splitsim sweep FILE -o DIR`) or of one results file.

usage: /usr/bin/python3 tools/campaign_figures.py DIR_OR_FILE [-o OUTDIR] [--point I] [--x AXIS]

DIR_OR_FILE is a campaign directory (DIR/campaign.h5 and DIR/points/p<I>.h5), its campaign.h5,
or a plain results file of `splitsim run` (then only the per-point figures are drawn). Every
figure is written as PNG and PDF to OUTDIR (default: DIR/figures for a campaign, FILE-figures/
next to a results file):

  latency_cdf[_pI]     (a) empirical CDFs of TTFT, TPOT and end-to-end latency, one line per
                       policy, measured requests (finished, after the warm-up) of point I
                       (--point, default the campaign's first point); model: queue: time in
                       system and wait
  split_vs_snr[_pI]    (b) chosen split versus the UE's SNR estimate (fading channel) or its
  split_vs_erasure[_pI]    erasure probability (erasure channel), binned means per policy with
                       the oracle's split, from /decisions (decisions after the warm-up)
  reward_vs_AXIS       (c) campaign only: mean realised reward versus the swept AXIS (--x, key
                       path or /summary column; default the first axis) with 95 % bands, the
                       regret against exhaustive when it competes (paired per point, from the
                       point files' /competition), and the mean TTFT; one column of panels per
                       value of the other axes. model: queue: time in system (with theory) and
                       wait. Points that differ only in their replication are pooled: the band
                       is then a t interval over the points' values; a value with one point uses
                       the point's own reward_ci95 / regret_ci95 (NaN: no band).
  edge_queue[_pI]      (d) edge queue length and batch size over time, first replication of
                       point I, one panel per policy

Panels whose data is absent (no /requests, no /decisions, no time series, a queue model, no
sweep) are skipped with a note; what was written is printed. Exit status 0 when at least one
figure was written, 1 when none could be drawn, 2 when the input is not a campaign or results
file. Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (hence /usr/bin/python3);
reuses tools/plot_results.py.
"""
import argparse
import math
import os
import sys
import textwrap

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_results as pr  # noqa: E402  (selects matplotlib's Agg backend)
import matplotlib.pyplot as plt  # noqa: E402

SPLIT_BINS = 12          # most bins of the SNR or erasure axis in (b)
MIN_PER_BIN = 5          # decisions a bin needs to be drawn in (b)
MAX_SCATTER = 4000       # decisions drawn faintly behind the binned means in (b), per policy
MAX_PANEL_COLUMNS = 6    # combinations of the other axes drawn in (c)
DPI = 120
STYLES = ["-", "--", "-.", ":"]   # line styles cycled with the colours: equal policies stay visible
MARKERS = "osD^vP*X"


class InputError(Exception):
    pass


def t975(dof):
    """The 97.5 % quantile of Student's t with `dof` degrees of freedom."""
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, dof))
    except ImportError:
        table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365,
                 8: 2.306, 9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}
        for k in sorted(table):
            if dof <= k:
                return table[k]
        return 1.96


def yaml_value(scenario, path):
    """The value at dotted `path` (`policy.mbrl.ppo_steps`) of a resolved scenario (the
    canonical YAML of the `scenario` attribute: two spaces per level), as str; None if absent."""
    keys, stack = path.split("."), []
    for line in scenario.splitlines():
        body = line.split(" #", 1)[0].rstrip()
        if not body.strip() or body.lstrip().startswith("#"):
            continue
        level = (len(body) - len(body.lstrip())) // 2
        k, sep, v = body.strip().partition(":")
        if not sep:
            continue
        stack = stack[:level] + [k.strip()]
        if stack == keys:
            return v.strip()
    return None


def suptitle(fig, text):
    """A figure title wrapped to the figure's width."""
    width = max(60, int(fig.get_figwidth() * 14))
    fig.suptitle("\n".join(textwrap.fill(line, width) for line in text.split("\n")),
                 fontsize=10)


def save(fig, outdir, stem, written):
    for ext in ("png", "pdf"):
        path = os.path.join(outdir, f"{stem}.{ext}")
        fig.savefig(path, dpi=DPI)
        written.append(path)
    plt.close(fig)
    print(f"wrote {os.path.join(outdir, stem)}.png and .pdf")


def grid(n, width=4.6, height=3.6, max_cols=4, **kw):
    cols = min(n, max_cols)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols + 0.6, height * rows + 0.9),
                             squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes.flat[:n]:   # shared axes: keep every panel's tick labels (some have none below)
        ax.tick_params(labelbottom=True, labelleft=True)
    return fig, list(axes.flat[:n])


# ---------------------------------------------------------------- inputs


class Campaign:
    """A campaign index (campaign.h5): its attributes, its /summary table and its points."""

    def __init__(self, path):
        self.path = path
        self.dir = os.path.dirname(os.path.abspath(path))
        self.f = h5py.File(path, "r")
        a = self.f.attrs
        fmt = pr.text(a.get("format", b""))
        if fmt != "splitsim-campaign":
            raise InputError(f"{path}: not a campaign index (format {fmt!r})")
        self.axes = [x for x in pr.text(a.get("axes", "")).split(",") if x]
        self.policies = [x for x in pr.text(a.get("policies", "")).split(",") if x]
        self.points = int(a.get("points", 0))
        self.complete = int(a.get("complete", 0)) == 1
        if "summary" not in self.f:
            raise InputError(f"{path}: no /summary table")
        s = self.f["summary"]
        self.cols = {k: d[()] for k, d in s.items() if isinstance(d, h5py.Dataset)}
        self.units = {k: pr.text(d.attrs.get("units", "")) for k, d in s.items()}
        self.files = {}
        self.choice_labels = {}

    def column(self, axis):
        return axis.replace(".", "_")

    def open_point(self, i):
        """Point i's results file (its root group), or None with a note when it cannot be read."""
        if i in self.files:
            return self.files[i]
        g = None
        direct = os.path.join(self.dir, "points", f"p{i}.h5")
        try:
            if os.path.exists(direct):
                g = h5py.File(direct, "r")
            else:  # follow the index's external link /points/p<I>
                g = self.f["points"][f"p{i}"]
        except (KeyError, OSError) as e:
            print(f"note: point {i}: cannot open its results file ({e})")
            g = None
        if g is not None and int(g.attrs.get("complete", 0)) != 1:
            print(f"note: point {i}: its results file is not complete (complete != 1)")
        self.files[i] = g
        return g

    def labels(self, axis):
        """{index: label} for a choice axis (its values are not numbers), else None."""
        if axis in self.choice_labels:
            return self.choice_labels[axis]
        col = self.cols.get(self.column(axis))
        out = None
        if col is not None:
            pts = self.cols["point"]
            for v in np.unique(col):
                i = int(pts[np.flatnonzero(col == v)[0]])
                f = self.open_point(i)
                raw = yaml_value(pr.text(f.attrs.get("scenario", "")), axis) if f else None
                if raw is None:
                    continue
                try:
                    float(raw.split()[0])
                    out = None   # numeric: no labels
                    break
                except (ValueError, IndexError):
                    out = out or {}
                    out[float(v)] = raw.strip('"')
        self.choice_labels[axis] = out
        return out

    def axis_values(self, i):
        """'key=value, ...' of point i's swept values."""
        rows = np.flatnonzero(self.cols["point"] == i)
        if not rows.size:
            return ""
        parts = []
        for a in self.axes:
            c = self.column(a)
            if c not in self.cols:
                continue
            parts.append(f"{a}={self.value_text(a, float(self.cols[c][rows[0]]))}")
        return ", ".join(parts)

    def value_text(self, axis, v):
        """A swept value as text: the choice's name, or the number with its unit."""
        lab = self.labels(axis)
        if lab and v in lab:
            return lab[v]
        u = self.units.get(self.column(axis), "")
        return f"{v:g}" + (f" {u}" if u and u != "1" else "")


def open_input(path):
    """(Campaign or None, results file root or None) for a directory, an index or a file."""
    if os.path.isdir(path):
        index = os.path.join(path, "campaign.h5")
        if not os.path.exists(index):
            raise InputError(f"{path}: no campaign.h5 in this directory")
        return Campaign(index), None
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: cannot open as HDF5: {e}") from None
    fmt = pr.text(f.attrs.get("format", b""))
    if fmt == "splitsim-campaign":
        f.close()
        return Campaign(path), None
    if fmt != "splitsim-results":
        f.close()
        raise InputError(f"{path}: neither a splitsim campaign index nor a results file "
                         f"(format {fmt!r})")
    if int(f.attrs.get("complete", 0)) != 1:
        print(f"note: {path}: the run did not finish (complete != 1); drawing what it holds")
    return None, f


def policy_groups(f):
    """[(name, group)] of a results file: each competitor's /policies/NAME, or the root."""
    if "competition" in f and "policies" in f:
        names = pr.text(f["competition"].attrs.get("policies", f.attrs.get("policy", "")))
        return [(n, f["policies"][n]) for n in names.split(",") if n in f["policies"]]
    name = pr.text(f.attrs.get("policy", "")) or pr.text(f.attrs.get("model", "run"))
    return [(name, f)]


def point_title(f, camp, i):
    nrep = int(f.attrs.get("replications", 1))
    first = int(f.attrs.get("first_replication", 0))
    reps = (f"replication {first}" if nrep == 1
            else f"replications {first}..{first + nrep - 1}")
    where = f"point {i}" if i is not None and i >= 0 else os.path.basename(f.file.filename)
    swept = camp.axis_values(i) if camp is not None and i is not None else ""
    model = pr.text(f.attrs.get("model", "?"))
    return f"splitsim {model}, {where}" + (f" ({swept})" if swept else "") + f", {reps}"


def measured_mask(g, warm_ns):
    """The measured requests of group g's /requests (those /summary counts)."""
    return pr.measured_requests(g["requests"], warm_ns)


# ---------------------------------------------------------------- (a) CDFs


def ecdf(ax, v, label, color):
    v = np.sort(v[np.isfinite(v)])
    if not v.size:
        return None
    y = np.arange(1, v.size + 1) / v.size
    ax.step(np.r_[v[0], v], np.r_[0.0, y], where="post", lw=1.4, color=color, label=label,
            ls=STYLES[int(color[1:]) % len(STYLES)])
    return v


def figure_cdf(f, camp, i, outdir, suffix, written):
    groups = [(n, g) for n, g in policy_groups(f) if "requests" in g]
    if not groups:
        print("skip (a) latency CDFs: no /requests table (recording.requests: false)")
        return
    model = pr.text(f.attrs.get("model", ""))
    warm = pr.warmup_ns(f)
    if model == "queue":
        panels = [("time_in_system_s", "time in system", "s", 1.0),
                  ("wait_s", "wait in queue", "s", 1.0)]
    else:
        panels = [("ttft_s", "time to first token (TTFT)", "s", 1.0),
                  ("tpot_s", "time per output token (TPOT)", "ms", 1e3),
                  ("latency_s", "end-to-end latency", "s", 1.0)]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 4.8))
    for ax, (col, what, unit, scale) in zip(axes, panels):
        allv = []
        for j, (name, g) in enumerate(groups):
            r = g["requests"]
            if col not in r:
                continue
            m = measured_mask(g, warm)
            v = r[col][()][m].astype(float) * scale
            v = v[np.isfinite(v)]
            if not v.size:
                continue
            label = (f"{name}: mean {v.mean():.3g} {unit}, "
                     f"p95 {pr.percentile(v, 95):.3g} {unit} (n={v.size})")
            ecdf(ax, v, label, f"C{j}")
            allv.append(v)
        if not allv:
            why = ("no finite values among the measured requests\n(TPOT is NaN for "
                   "one-token answers)" if col == "tpot_s" else "no measured requests")
            ax.text(0.5, 0.5, why, ha="center", va="center",
                    transform=ax.transAxes, color="grey")
        else:
            v = np.concatenate(allv)
            if v.min() > 0 and v.max() > 20 * v.min():
                ax.set_xscale("log")
            ax.legend(loc="lower right", fontsize=7)
        ax.axhline(0.95, color="grey", ls=":", lw=0.8)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(f"{what} [{unit}]")
        ax.set_ylabel("fraction of measured requests ≤ x")
        ax.set_title(f"(a) {what}: empirical CDF", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    nrep = int(f.attrs.get("replications", 1))
    suptitle(fig, point_title(f, camp, i) + "\nmeasured requests: finished, after the warm-up"
             + (f", {nrep} replications pooled" if nrep > 1 else "")
             + "; dotted line: 95th percentile")
    fig.tight_layout()
    save(fig, outdir, f"latency_cdf{suffix}", written)


# ---------------------------------------------------------------- (b) split vs channel


def binned_mean(x, y, edges):
    idx = np.clip(np.digitize(x, edges) - 1, 0, edges.size - 2)
    mean = np.full(edges.size - 1, np.nan)
    half = np.full(edges.size - 1, np.nan)
    for b in range(edges.size - 1):
        v = y[idx == b]
        if v.size >= MIN_PER_BIN:
            mean[b] = v.mean()
            half[b] = 1.96 * v.std(ddof=1) / math.sqrt(v.size)
    return mean, half


def figure_split(f, camp, i, outdir, suffix, written):
    if pr.text(f.attrs.get("model", "")) == "queue":
        print("skip (b) split versus channel: model queue has no split decisions")
        return
    groups = [(n, g) for n, g in policy_groups(f)
              if "decisions" in g and g["decisions"]["split"].shape[0] > 0]
    if not groups:
        print("skip (b) split versus channel: no /decisions (recording.decisions: false)")
        return
    erasure = pr.scenario_value(f, "channel", "model") == "erasure"
    if not erasure and not any(np.isfinite(g["decisions"]["snr_db"][()]).any() for _, g in groups):
        erasure = True
    xcol = "erasure" if erasure else "snr_db"
    warm = pr.warmup_ns(f)
    warm_s = warm * 1e-9 if warm is not None else 0.0
    data = []
    for name, g in groups:
        d = g["decisions"]
        keep = d["time_s"][()] >= warm_s
        x = d[xcol][()][keep].astype(float)
        ok = np.isfinite(x)
        data.append((name, x[ok], d["split"][()][keep][ok].astype(float),
                     d["oracle_split"][()][keep][ok].astype(float)))
    pooled = np.concatenate([x for _, x, _, _ in data]) if data else np.empty(0)
    if not pooled.size:
        print(f"skip (b) split versus channel: no finite {xcol} in /decisions")
        return
    lo, hi = ((pooled.min(), pooled.max()) if erasure
              else tuple(np.percentile(pooled, [1, 99])))
    if hi <= lo:
        hi = lo + 1e-9
    fewest = min(x.size for _, x, _, _ in data)
    nbins = int(np.clip(fewest // 15, 4, SPLIT_BINS))    # about 15 decisions a bin, or more
    edges = np.linspace(lo, hi, nbins + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    kmin = min(min(k.min(initial=np.inf), o.min(initial=np.inf)) for _, _, k, o in data)
    kmax = max(max(k.max(initial=-np.inf), o.max(initial=-np.inf)) for _, _, k, o in data)
    rng = np.random.default_rng(0)
    fig, axes = grid(len(data), sharex=True, sharey=True)
    for j, (ax, (name, x, k, o)) in enumerate(zip(axes, data)):
        if x.size > MAX_SCATTER:
            sel = rng.choice(x.size, MAX_SCATTER, replace=False)
        else:
            sel = np.arange(x.size)
        ax.plot(x[sel], k[sel] + rng.uniform(-0.2, 0.2, sel.size), ".", ms=2, alpha=0.15,
                color=f"C{j}", rasterized=True)
        mk, hk = binned_mean(x, k, edges)
        mo, _ = binned_mean(x, o, edges)
        ax.errorbar(centres, mk, yerr=hk, fmt="o-", color=f"C{j}", capsize=3, lw=1.6, ms=4,
                    label=f"{name}: mean chosen k (95 % CI)")
        ax.plot(centres, mo, "k--", marker="x", ms=6, lw=1.4, label="oracle's best k (mean)")
        agree = float(np.mean(k == o)) if k.size else float("nan")
        ax.set_title(f"{name}: {k.size} decisions, k = oracle's in {agree * 100:.0f} %",
                     fontsize=9)
        ax.set_xlabel("erasure probability p the UE saw [1]" if erasure
                      else "UE's uplink SNR estimate at decision [dB]")
        ax.set_ylabel("split k [decoder blocks on the UE]")
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=7)
        if np.isfinite(kmin) and np.isfinite(kmax):
            ax.set_ylim(kmin - 0.7, kmax + 0.7)
    suptitle(fig, point_title(f, camp, i) + "\nchosen split versus the "
             + ("erasure probability" if erasure else "SNR estimate")
             + f" ({nbins} bins, those with at least {MIN_PER_BIN} decisions; dots: "
             "single decisions, jittered), decisions after the warm-up")
    fig.tight_layout()
    save(fig, outdir, f"split_vs_{'erasure' if erasure else 'snr'}{suffix}", written)


# ---------------------------------------------------------------- (c) versus a parameter


def pooled_value(values, halves):
    """Mean and 95 % half-width of one x value: a t interval over the points when there are
    several (replications), the point's own half-width when there is one."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return np.nan, np.nan, 0
    if v.size == 1:
        h = halves[0] if halves else np.nan
        return float(v[0]), float(h) if h is not None else np.nan, 1
    return float(v.mean()), t975(v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size), v.size


def regret_rows(camp, ex_index):
    """{(point, policy): (regret, half-width)} from the point files' /competition (paired),
    or from /summary (exhaustive's reward_mean minus the policy's, no interval)."""
    c = camp.cols
    out = {}
    ex_reward = {int(p): float(r) for p, q, r in zip(c["point"], c["policy"], c["reward_mean"])
                 if int(q) == ex_index}
    for p in np.unique(c["point"]):
        p = int(p)
        f = camp.open_point(p)
        comp = f["competition"] if f is not None and "competition" in f else None
        for row in np.flatnonzero(c["point"] == p):
            q = int(c["policy"][row])
            if comp is not None and "regret" in comp and q < comp["regret"].shape[0]:
                h = comp["regret_ci95"][q] if "regret_ci95" in comp else np.nan
                out[(p, q)] = (float(comp["regret"][q]), float(h))
            elif p in ex_reward:
                out[(p, q)] = (ex_reward[p] - float(c["reward_mean"][row]), np.nan)
    return out


def focus(ax, means, ends):
    """Y limits that show the means: the bands only as far as twice the means' spread; a
    symmetric-log axis when one policy's mean is far out (a heavy-tailed reward). True when a
    band was cut."""
    means = means[np.isfinite(means)]
    ends = ends[np.isfinite(ends)]
    if not means.size:
        return False
    lo, hi = float(means.min()), float(means.max())
    mag = np.abs(means)
    typical = float(np.median(mag))
    if mag.max() > 30 * max(typical, 1e-12) and mag.max() > 0:
        ax.set_yscale("symlog", linthresh=max(typical, 1e-3 * mag.max()))
        span_lo, span_hi = lo - abs(lo), hi + abs(hi)   # a decade beyond, in log terms
    else:
        span = max(hi - lo, 0.05 * max(abs(lo), abs(hi)), 1e-9)
        span_lo, span_hi = lo - 2 * span, hi + 2 * span
    if ends.size:
        ylo = max(min(lo, float(ends.min())), span_lo)
        yhi = min(max(hi, float(ends.max())), span_hi)
    else:
        ylo, yhi = lo, hi
    if ax.get_yscale() == "symlog":
        lin = max(typical, 1e-3 * mag.max())
        pad_lo = pad_hi = 0.0
        ylo, yhi = ylo - 0.3 * max(abs(ylo), lin), yhi + 0.3 * max(abs(yhi), lin)
    else:
        pad_lo = pad_hi = 0.06 * max(yhi - ylo, 1e-9)
    pad = max(pad_lo, pad_hi)
    ax.set_ylim(ylo - pad, yhi + pad)
    return bool(ends.size) and (ends.min() < ylo - pad or ends.max() > yhi + pad)


def figure_versus(camp, xaxis, outdir, written):
    c = camp.cols
    if not camp.axes:
        print("skip (c) versus a parameter: the campaign has no swept axis")
        return
    if xaxis is None:
        xaxis = camp.axes[0]
    match = [a for a in camp.axes if xaxis in (a, camp.column(a))]
    if not match:
        raise InputError(f"--x {xaxis}: not a swept axis (axes: {', '.join(camp.axes)})")
    xaxis = match[0]
    xcol = camp.column(xaxis)
    if xcol not in c or "point" not in c:
        print(f"skip (c) versus a parameter: /summary has no column {xcol}")
        return
    if not c["point"].size:
        print("skip (c) versus a parameter: /summary has no rows (no point is complete)")
        return
    others = [a for a in camp.axes if a != xaxis and camp.column(a) in c]
    model = pr.text(camp.f.attrs.get("model", ""))
    if not model:   # an index without the attribute: by which metrics hold values
        finite = lambda k: k in c and np.isfinite(c[k]).any()  # noqa: E731
        queue_only = finite("time_in_system_mean_s") and not finite("reward_mean")
        model = "queue" if queue_only else "split"
    queue = model == "queue"
    npol = max(1, len(camp.policies))
    pol_names = camp.policies or [None]
    if pol_names == [None]:
        f0 = camp.open_point(int(c["point"][0]))
        pol_names = [pr.text(f0.attrs.get("policy", "")) or pr.text(f0.attrs.get("model", "run"))
                     if f0 is not None else "run"]
    pol_index = list(range(npol)) if camp.policies else [-1]

    rows = []   # (label, value column, half-width column or None, unit)
    if queue:
        rows.append(("mean time in system", "time_in_system_mean_s", "time_in_system_ci95_s", "s"))
        rows.append(("mean wait in queue", "wait_mean_s", None, "s"))
    else:
        rows.append(("mean realised reward", "reward_mean", "reward_ci95", "1"))
        ex = camp.policies.index("exhaustive") if "exhaustive" in camp.policies else None
        if ex is not None:
            rows.append(("regret (exhaustive's reward − policy's)", "regret", "regret", "1"))
            regrets = regret_rows(camp, ex)
        if "ttft_mean_s" in c:
            rows.append(("mean time to first token", "ttft_mean_s", "ttft_ci95_s", "s"))

    combos = (sorted({tuple(float(c[camp.column(a)][r]) for a in others)
                      for r in range(c["point"].size)}) if others else [()])
    if len(combos) > MAX_PANEL_COLUMNS:
        print(f"note (c): {len(combos)} combinations of the other axes; drawing the first "
              f"{MAX_PANEL_COLUMNS}")
        combos = combos[:MAX_PANEL_COLUMNS]
    labels = camp.labels(xaxis)
    xs_all = np.unique(c[xcol])
    logx = (labels is None and xs_all.size > 2 and xs_all.min() > 0
            and xs_all.max() >= 20 * xs_all.min())
    theory = {}
    if queue:
        for p in np.unique(c["point"]):
            f = camp.open_point(int(p))
            if f is not None and "summary" in f and "theory_time_in_system_s" in f["summary"]:
                theory[int(p)] = float(f["summary"]["theory_time_in_system_s"][()])

    fig, axes = plt.subplots(len(rows), len(combos), sharex=True,
                             figsize=(5.4 * len(combos) + 0.8, 3.5 * len(rows) + 1.2),
                             squeeze=False)
    pooled_max = 1
    clipped = False
    for col_i, combo in enumerate(combos):
        sel = np.ones(c["point"].size, dtype=bool)
        for a, v in zip(others, combo):
            sel &= c[camp.column(a)] == v
        for row_i, (what, vcol, hcol, unit) in enumerate(rows):
            ax = axes[row_i][col_i]
            drawn = False
            means, ends = [], []
            for j, (q, name) in enumerate(zip(pol_index, pol_names)):
                if vcol == "regret" and name == "exhaustive":
                    continue
                mine = sel & (c["policy"] == q)
                xs, ms, hs = [], [], []
                for xv in np.unique(c[xcol][mine]):
                    rr = np.flatnonzero(mine & (c[xcol] == xv))
                    if vcol == "regret":
                        pairs = [regrets.get((int(c["point"][r]), q)) for r in rr]
                        pairs = [p for p in pairs if p is not None]
                        vals = [p[0] for p in pairs]
                        halves = [p[1] for p in pairs]
                    else:
                        vals = list(c[vcol][rr]) if vcol in c else []
                        halves = list(c[hcol][rr]) if hcol and hcol in c else [np.nan]
                    m, h, n = pooled_value(vals, halves)
                    pooled_max = max(pooled_max, n)
                    xs.append(float(xv))
                    ms.append(m)
                    hs.append(h)
                xs, ms, hs = np.array(xs), np.array(ms), np.array(hs)
                if not xs.size or not np.isfinite(ms).any():
                    continue
                drawn = True
                ax.plot(xs, ms, color=f"C{j}", ls=STYLES[j % len(STYLES)],
                        marker=MARKERS[j % len(MARKERS)], lw=1.5, ms=4, label=name)
                means.append(ms[np.isfinite(ms)])
                band = np.isfinite(hs)
                if band.any():
                    ax.fill_between(xs[band], (ms - hs)[band], (ms + hs)[band],
                                    color=f"C{j}", alpha=0.15, lw=0)
                    ends.append(np.r_[(ms - hs)[band], (ms + hs)[band]])
            if queue and vcol == "time_in_system_mean_s" and theory:
                txs, tys = [], []
                for xv in np.unique(c[xcol][sel]):
                    pts = [int(p) for p in c["point"][sel & (c[xcol] == xv)]]
                    t = [theory[p] for p in pts if p in theory and np.isfinite(theory[p])]
                    if t:
                        txs.append(float(xv))
                        tys.append(t[0])
                if txs:
                    ax.plot(txs, tys, "k--", lw=1.2, label="M/M/1 or M/D/1 theory")
            if not drawn:
                ax.text(0.5, 0.5, "no values", ha="center", va="center",
                        transform=ax.transAxes, color="grey")
            else:
                clipped |= focus(ax, np.concatenate(means),
                                 np.concatenate(ends) if ends else np.empty(0))
            if vcol == "regret":
                ax.axhline(0, color="k", lw=0.8)
            ax.set_ylabel(f"{what} [{unit}]", fontsize=9)
            ax.grid(alpha=0.3, which="both")
            if logx:
                ax.set_xscale("log")
            if row_i == 0:
                ttl = ", ".join(f"{a}={camp.value_text(a, v)}" for a, v in zip(others, combo))
                ax.set_title(ttl or "", fontsize=9)
            if row_i == len(rows) - 1:
                u = camp.units.get(xcol, "")
                ax.set_xlabel(xaxis + (f" [{u}]" if u and u != "1" and labels is None
                                       else " [1]" if labels is None else ""))
                if labels:
                    ticks = sorted(labels)
                    ax.set_xticks(ticks, [labels[t] for t in ticks])
            if row_i == 0 and col_i == len(combos) - 1:
                ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
                          title="policy" if camp.policies else None)
    how = ("bands: 95 % t interval over the points that differ only in their replication"
           if pooled_max > 1 else
           "bands: each point's own 95 % half-width (reward_ci95, ttft_ci95_s, paired "
           "regret_ci95; none where NaN)")
    if clipped:
        how += "; bands wider than the spread of the means are cut at the axes"
    suptitle(fig, f"campaign {os.path.basename(camp.dir)}: {camp.points} points, swept "
             f"{', '.join(camp.axes)}" + ("" if camp.complete else " (INCOMPLETE)")
             + f"\n{how}")
    fig.tight_layout()
    save(fig, outdir, f"{'time_in_system' if queue else 'reward'}_vs_{xcol}", written)


# ---------------------------------------------------------------- (d) edge queue


def figure_edge(f, camp, i, outdir, suffix, written):
    groups = [(n, g) for n, g in policy_groups(f)
              if "timeseries" in g and "edge" in g["timeseries"]
              and g["timeseries"]["edge"]["time_s"].shape[0] > 0]
    if not groups:
        print("skip (d) edge queue: no /timeseries/edge (model queue, or recording.interval: 0 s)")
        return
    warm = pr.warmup_ns(f)
    first = int(f.attrs.get("first_replication", 0))
    fig, axes = grid(len(groups), width=6.0, height=3.8, max_cols=3, sharex=True, sharey=True)
    for ax, (name, g) in zip(axes, groups):
        pr.split_edge(ax, g, warm * 1e-9 if warm else None, f"replication {first}")
        ax.set_title(f"{name}: edge queue and batch, replication {first}", fontsize=9)
        leg = ax.get_legend()
        if leg is not None:
            leg.set_visible(ax is axes[0])
    suptitle(fig, point_title(f, camp, i) + "\nedge server samples every recording.interval "
             "(thin: instants; thick: moving mean); grey: warm-up")
    fig.tight_layout()
    save(fig, outdir, f"edge_queue{suffix}", written)


# ---------------------------------------------------------------- main


def main(argv=None):
    p = argparse.ArgumentParser(description="Standard figures of a splitsim campaign or results "
                                            "file (PNG and PDF).")
    p.add_argument("input", metavar="DIR_OR_FILE",
                   help="campaign directory, its campaign.h5, or a results file")
    p.add_argument("-o", "--outdir", help="where to write (default: DIR/figures, or "
                                          "FILE-figures next to a results file)")
    p.add_argument("--point", type=int, help="the point of the per-point figures (a), (b), (d) "
                                             "(default: the campaign's first)")
    p.add_argument("--x", dest="xaxis", metavar="AXIS",
                   help="swept key path (or /summary column) of figure (c); default the first")
    a = p.parse_args(argv)
    try:
        camp, f = open_input(a.input)
        if camp is not None:
            outdir = a.outdir or os.path.join(camp.dir, "figures")
            pts = np.unique(camp.cols["point"]) if "point" in camp.cols else np.arange(camp.points)
            i = a.point if a.point is not None else (int(pts[0]) if pts.size else 0)
            if a.point is not None and a.point not in pts and not 0 <= a.point < camp.points:
                raise InputError(f"--point {a.point}: the campaign has points 0..{camp.points - 1}")
            if not camp.complete:
                print(f"note: {camp.path}: the campaign is not complete (complete != 1)")
            f = camp.open_point(i)
            if f is None and a.point is None:   # the first point that can be read
                for j in pts[1:]:
                    f = camp.open_point(int(j))
                    if f is not None:
                        i = int(j)
                        break
            suffix = f"_p{i}"
        else:
            outdir = a.outdir or os.path.splitext(a.input)[0] + "-figures"
            i = int(f.attrs.get("sweep_point", -1))
            if a.point is not None and a.point != i:
                print(f"note: --point {a.point} ignored: a plain results file "
                      f"(its sweep_point is {i})")
            suffix = ""
            if a.xaxis:
                print("note: --x ignored: a plain results file has no campaign /summary")
        os.makedirs(outdir, exist_ok=True)
        written = []
        if f is not None:
            print(f"point figures from {f.file.filename}"
                  + (f" (point {i})" if camp is not None else ""))
            figure_cdf(f, camp, i, outdir, suffix, written)
            figure_split(f, camp, i, outdir, suffix, written)
            figure_edge(f, camp, i, outdir, suffix, written)
        else:
            print(f"skip (a), (b), (d): point {i} cannot be read")
        if camp is not None:
            figure_versus(camp, a.xaxis, outdir, written)
        else:
            print("skip (c) versus a parameter: a plain results file (no campaign /summary)")
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (KeyError, OSError) as e:
        print(f"{a.input}: error: missing or unreadable object: {e}", file=sys.stderr)
        return 2
    if not written:
        print("nothing written: no figure could be drawn from this input")
        return 1
    print(f"{len(written)} files in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
