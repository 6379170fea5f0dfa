#!/usr/bin/python3
"""Plot a splitsim results file (HDF5): a queue run next to queueing theory, a split run as
CDFs of TTFT, TPOT and latency, the edge queue and the uplink SNR over time, and its summary; a
competition (policy.compete) as per-policy reward, TTFT and energy with their 95 % intervals,
TTFT and latency CDFs per policy, and the ranking of /competition.

usage: /usr/bin/python3 tools/plot_results.py RESULTS.h5 [-o OUT.png] [--allow-incomplete]

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib, hence /usr/bin/python3.
Each model has its own plot function, registered in PLOTTERS under the file's root `model`
attribute; a model without one gets the generic summary figure. Panels whose data the file
does not hold (recording.requests: false, recording.interval: 0 s) are left empty, saying why.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

MAX_POINTS = 20000  # points drawn in a time series; longer ones are thinned evenly


NO_SUMMARY_PLOTTERS = ("split",)  # models whose plot copes without /summary (incomplete runs)


class ResultsError(Exception):
    pass


def text(value):
    """An HDF5 string attribute (bytes or str) as str."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def open_results(path, allow_incomplete):
    """Opens `path`, checks it is a complete splitsim results file; returns the h5py.File."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ResultsError(f"cannot open as HDF5: {e}") from None
    try:
        fmt = text(f.attrs.get("format", b""))
        if fmt != "splitsim-results":
            raise ResultsError("not a splitsim results file (root attribute format is "
                               f"{fmt!r}, expected 'splitsim-results')")
        if int(f.attrs.get("complete", 0)) != 1 and not allow_incomplete:
            raise ResultsError("the run did not finish (root attribute complete != 1); "
                               "use --allow-incomplete to plot it anyway")
        # an interrupted split run has its /requests but no /summary yet: plotted from those
        if "summary" not in f and "competition" not in f and not (
                allow_incomplete and text(f.attrs.get("model", "")) in NO_SUMMARY_PLOTTERS):
            raise ResultsError("no /summary group (nor /competition)")
    except Exception:
        f.close()
        raise
    return f


def summary(f):
    """The /summary scalars as a dict of Python numbers."""
    if "summary" not in f:
        return {}
    return {k: d[()].item() for k, d in f["summary"].items()
            if isinstance(d, h5py.Dataset) and d.shape == ()}


def summary_metric(f, name):
    """/summary/<name>/{n,mean,ci95,p50,p95,p99} (split model) as a dict of floats; None when
    the file has no such group."""
    g = f["summary"].get(name) if "summary" in f else None
    if not isinstance(g, h5py.Group):
        return None
    return {k: float(d[()]) for k, d in g.items() if isinstance(d, h5py.Dataset) and d.shape == ()}


def scenario_value(f, section, key):
    """`key` of top-level `section` in the root `scenario` attribute (the resolved, canonical
    YAML: `section:` at column 0, then `  key: value` lines), as str; None when absent."""
    in_section = False
    for line in text(f.attrs.get("scenario", b"")).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            in_section = line.split("#", 1)[0].strip() == section + ":"
        elif in_section:
            k, sep, v = line.split("#", 1)[0].strip().partition(":")
            if sep and k.strip() == key:
                return v.strip()
    return None


def warmup_s(f):
    """The warm-up in s: the root attribute warmup_s (model split), /summary/warmup_s (model
    queue), else run.warmup from the scenario attribute (older files); None when unknown."""
    if "warmup_s" in f.attrs:
        return float(f.attrs["warmup_s"])
    g = f.get("summary")
    if isinstance(g, h5py.Group) and isinstance(g.get("warmup_s"), h5py.Dataset):
        return float(g["warmup_s"][()])
    v = scenario_value(f, "run", "warmup")
    parts = v.split() if v else []
    if len(parts) != 2 or parts[1] != "s":
        return None
    try:
        return float(parts[0])
    except ValueError:
        return None


def warmup_ns(f):
    """The warm-up in ns, rounded as the simulator rounds it; None when unknown."""
    w = warmup_s(f)
    return None if w is None else int(round(w * 1e9))


def measured_requests(requests, warm_ns):
    """The rows of a /requests table that /summary counts: its `measured` column (model
    split), else the finished ones (status 0) that arrived at or after the warm-up (`warm_ns`;
    None: unknown, every finished request)."""
    if "measured" in requests:
        return requests["measured"][()] == 1
    m = np.ones(requests["arrival_ns"].shape[0], dtype=bool)
    if "status" in requests:
        m &= requests["status"][()] == 0
    if warm_ns is not None:
        m &= requests["arrival_ns"][()] >= warm_ns
    return m


def percentile(values, q):
    """The q-th percentile (q in [0, 100], scalar or sequence) of the finite values, as the
    simulator computes /summary's p50, p95 and p99 (docs/RESULTS.md): with the n values sorted,
    h = (n - 1) q / 100 and x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]) (type 7),
    in the simulator's order of operations, so the numbers are the file's to the bit
    (np.percentile's default is the same definition, and agrees to the last bit or two); NaN
    where there is no finite value."""
    v = np.sort(np.asarray(values, dtype=float).ravel())
    v = v[np.isfinite(v)]
    qs = np.asarray(q, dtype=float)
    if not v.size:
        out = np.full(qs.shape, np.nan)
    else:
        h = (v.size - 1) * (qs / 100)
        k = np.minimum(np.floor(h).astype(np.int64), v.size - 1)
        up = np.minimum(k + 1, v.size - 1)
        out = v[k] + (h - k) * (v[up] - v[k])
    return out if np.ndim(q) else float(out)


def fmt_title(f, s, extra=""):
    model = text(f.attrs.get("model", "?"))
    nrep = int(f.attrs.get("replications", s.get("replications", 1)))
    first = int(f.attrs.get("first_replication", 0))
    reps = (f"replication {first}" if nrep == 1
            else f"{nrep} replications ({first}..{first + nrep - 1})")
    point = int(f.attrs.get("sweep_point", -1))
    return (f"splitsim {model}, seed {int(f.attrs.get('seed', -1))}, {reps}"
            + (f", sweep point {point}" if point >= 0 else "")
            + f", {int(s.get('measured', 0))} of {int(s.get('requests', 0))} requests measured"
            + extra)


def plot_summary_bars(f, s, ax):
    """Simulated vs theory for every summary metric that has a theory value."""
    pairs = [("time in system [s]", "mean_time_in_system_s", "ci95_time_in_system_s",
              "theory_time_in_system_s"),
             ("wait in queue [s]", "mean_wait_s", "ci95_wait_s", "theory_wait_s"),
             ("P(wait > 0)", "prob_wait", None, "theory_prob_wait"),
             ("utilisation", "utilisation", None, "rho")]
    pairs = [p for p in pairs if p[1] in s]
    x = np.arange(len(pairs))
    sim = [s[p[1]] for p in pairs]
    err = [s.get(p[2], 0.0) if p[2] else 0.0 for p in pairs]
    theory = [s.get(p[3], np.nan) for p in pairs]
    # a single server is busy at most all the time, whatever the offered load
    theory = [min(t, 1.0) if p[3] == "rho" else t for p, t in zip(pairs, theory)]
    ax.bar(x - 0.2, sim, 0.4, yerr=err, capsize=4, label="simulated (95% CI)")
    ax.bar(x + 0.2, theory, 0.4, label="theory")
    ax.set_xticks(x, [p[0] for p in pairs])
    ax.legend()
    ax.grid(axis="y", alpha=0.3)


def plot_generic(f, s):
    fig, ax = plt.subplots(figsize=(8, 5))
    plot_summary_bars(f, s, ax)
    fig.suptitle(fmt_title(f, s), fontsize=10)
    return fig


def plot_queue(f, s):
    rho = s["rho"]
    lam = s.get("lambda", np.nan)
    t_theory = s["theory_time_in_system_s"]
    stable = bool(np.isfinite(t_theory)) and rho < 1
    service = scenario_value(f, "edge", "service") or "?"
    arrival = scenario_value(f, "workload", "arrival") or "?"
    ues = scenario_value(f, "ues", "count") or "?"
    nrep = int(s.get("replications", f.attrs.get("replications", 1)))
    rates = f"{ues} UEs ({arrival}), {service} service, lambda {lam:.4g}/s, rho {rho:.4g}"
    if rho >= 1:
        rates += " >= 1: unstable, no theory"
    elif not stable:
        rates += ": no closed-form theory"
    extra = (f"\n{rates}; mean time in system "
             f"{s['mean_time_in_system_s']:.4g} +- {s['ci95_time_in_system_s']:.3g} s "
             + (f"(theory {t_theory:.4g} s)" if np.isfinite(t_theory) else "(no theory)"))

    if "requests" not in f:
        print("note: no /requests table (the scenario sets recording.requests: false); "
              "plotting the summary only")
        fig = plot_generic(f, s)
        fig.suptitle(fmt_title(f, s, extra), fontsize=10)
        return fig

    c = f["requests"]
    rep = c["replication"][()]
    arrival_ns = c["arrival_ns"][()]
    warmup = warmup_ns(f)
    if warmup is not None:
        measured = arrival_ns >= warmup
    else:
        # Requests of each replication are in arrival order, so its first
        # (requests - measured) rows are the warm-up.
        print("note: no warm-up in the file (no /summary/warmup_s, no `warmup: <number> s` "
              "under run: in the scenario attribute); taking the warm-up from "
              "/replications/requests - measured")
        measured = np.ones(rep.size, dtype=bool)
        r = f["replications"]
        for k, n, m in zip(r["replication"][()], r["requests"][()], r["measured"][()]):
            measured[np.flatnonzero(rep == k)[:int(n - m)]] = False
    if int(measured.sum()) != int(s["measured"]):
        print(f"warning: {int(measured.sum())} requests after warm-up in /requests, "
              f"but /summary/measured is {int(s['measured'])}", file=sys.stderr)
    tis = c["time_in_system_s"][()][measured]

    first = int(f.attrs.get("first_replication", rep.min() if rep.size else 0))
    one = rep == first
    arrival_s = arrival_ns[one] * 1e-9
    found = c["found_in_system"][()][one]

    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5))
    a.hist(tis, bins=100, density=True, alpha=0.6,
           label=f"simulated ({tis.size} after warm-up"
                 + (f", {nrep} replications" if nrep > 1 else "") + ")")
    if stable and service == "exponential" and tis.size:
        t = np.linspace(0, tis.max(), 400)
        r = 1.0 / t_theory  # mu - lambda
        a.plot(t, r * np.exp(-r * t), "r-", label=f"Exponential(rate {r:.4g}/s)")
    elif stable:
        a.axvline(t_theory, color="r", label=f"theory mean {t_theory:.4g} s")
    a.set_yscale("log")
    a.set_xlabel("time in system [s]")
    a.set_ylabel("density")
    a.set_title("(a) time in system")
    a.legend()

    step = max(1, found.size // MAX_POINTS)
    b.plot(arrival_s[::step], found[::step], lw=0.5,
           label="simulated" + (f" (every {step}th arrival)" if step > 1 else ""))
    running = np.cumsum(found) / np.arange(1, found.size + 1)
    b.plot(arrival_s[::step], running[::step], "k-", lw=1.5, label="running mean")
    if stable and service == "exponential":
        b.axhline(rho / (1 - rho), color="r", label=f"theory mean rho/(1-rho) = "
                  f"{rho / (1 - rho):.4g}")
    elif stable and service == "deterministic":
        lq = rho * rho / (2 * (1 - rho))
        b.axhline(lq + rho, color="r", label=f"theory mean Lq + rho = {lq + rho:.4g}")
    warm_end = (warmup * 1e-9 if warmup is not None
                else arrival_s[np.argmax(measured[one])] if measured[one].any() else 0.0)
    if warm_end > 0 and found.size:
        b.axvspan(0, warm_end, color="grey", alpha=0.2, label="warm-up")
    b.set_xlabel("arrival time [s]")
    b.set_ylabel("requests in system at arrival")
    b.set_title(f"(b) number in system seen at arrival, replication {first}")
    b.legend(loc="upper right")
    fig.suptitle(fmt_title(f, s, extra), fontsize=10)
    fig.tight_layout()
    return fig


SPLIT_MAX_SERVERS = 4  # more edge servers than this: their queues are drawn summed
SPLIT_MAX_UES = 8      # SNR traces drawn at most (the first ones sampled)
EDGE_SMOOTH_S = 60.0   # least window of the moving mean over the edge queue samples [s]


def first_segment(t):
    """The rows of a /timeseries table that belong to the file's first replication: the
    replications' series are stored one after another, each starting again at time 0."""
    back = np.flatnonzero(np.diff(t) < 0)
    return slice(0, int(back[0]) + 1 if back.size else t.size)


def short_source(q, width=70):
    """A provenance note shortened to its first clause (`ASSUMPTION (no measured table)`)."""
    q = " ".join(q.split())
    if q.upper().startswith("ASSUMPTION") and ":" in q:
        q = q.split(":", 1)[0]
    return q if len(q) <= width else q[:width - 3] + "..."


def quantity(value, unit):
    """`value` with a short SI-scaled unit (s -> ms below 1 s, B -> kB/MB/GB, Hz -> MHz)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if unit == "s" and 0 < abs(value) < 1:
        return f"{value * 1e3:.3g} ms"
    if unit in ("B", "Hz"):
        for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= scale:
                return f"{value / scale:.3g} {prefix}{unit}"
    if unit == "%":
        return f"{value * 100:.1f} %"
    return f"{value:.3g}" + (f" {unit}" if unit and unit != "1" else "")


def scenario_number(f, section, key):
    """A `<number> <unit>` scenario value as (float, unit); (None, '') when absent."""
    v = scenario_value(f, section, key)
    parts = v.split() if v else []
    try:
        return float(parts[0]), (parts[1] if len(parts) > 1 else "")
    except (IndexError, ValueError):
        return None, ""


def split_cdf(ax, values, m, name, unit, scale, logx, no_requests):
    """Empirical CDF of `values` (measured requests) with the file's mean and p95 marked; the
    summary's percentiles alone when the file has no /requests table."""
    if values is not None:
        v = np.sort(values[np.isfinite(values)]) * scale
    else:
        v = np.empty(0)
    if v.size:
        y = np.arange(1, v.size + 1) / v.size
        ax.step(np.r_[v[0], v], np.r_[0.0, y], where="post", lw=1.5,
                label=f"{v.size} measured requests")
    elif m is not None and int(m.get("n", 0)) > 0:
        xs = [m[k] * scale for k in ("p50", "p95", "p99")]
        ax.plot(xs, [0.5, 0.95, 0.99], "o", label="summary p50 / p95 / p99")
    ax.text(0.5, 0.5, no_requests if values is None and not v.size
            else "no measured requests" if not v.size else "",
            ha="center", va="center", transform=ax.transAxes, color="grey")
    if m is not None and int(m.get("n", 0)) > 0:
        ax.axvline(m["mean"] * scale, color="k", ls="--", lw=1,
                   label=f"mean {m['mean'] * scale:.3g} {unit}")
        ax.axvline(m["p95"] * scale, color="r", ls=":", lw=1.5,
                   label=f"p95 {m['p95'] * scale:.3g} {unit}")
    # a log axis where the values span decades (TTFT, latency: a long tail)
    xs = v if v.size else np.array([m[k] * scale for k in ("p50", "p99")]
                                   if m is not None and int(m.get("n", 0)) > 0 else [])
    if logx and xs.size and xs.min() > 0 and xs.max() > 20 * xs.min():
        ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{name} [{unit}]")
    ax.set_ylabel("fraction of requests ≤ x")
    ax.grid(alpha=0.3, which="both")


def split_edge(ax, f, warm_s, rep_label):
    """Edge queue length and batch size over time, per server or summed over many."""
    e = f["timeseries"]["edge"] if "timeseries" in f and "edge" in f["timeseries"] else None
    if e is None or e["time_s"].shape[0] == 0:
        ax.text(0.5, 0.5, "no edge time series\n(recording.interval: 0 s)", ha="center",
                va="center", transform=ax.transAxes, color="grey")
        ax.set_title(f"(d) edge queue and batch, {rep_label}")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    t = e["time_s"][()]
    seg = first_segment(t)
    t, server = t[seg], e["server"][()][seg]
    waiting, batch = e["waiting"][()][seg], e["batch"][()][seg]
    servers = np.unique(server)
    if servers.size <= SPLIT_MAX_SERVERS:
        series = [(f" server {k}" if servers.size > 1 else "", server == k) for k in servers]
        cols = [(t[m], waiting[m], batch[m], name) for name, m in series]
    else:
        times, inv = np.unique(t, return_inverse=True)
        cols = [(times, np.bincount(inv, weights=waiting), np.bincount(inv, weights=batch),
                 f", {servers.size} servers summed")]
    for i, (tt, w, b, name) in enumerate(cols):
        step = max(1, tt.size // MAX_POINTS)
        # the samples are instants (every recording.interval): a moving mean over about a
        # minute shows the load under the spikes
        dt = float(np.median(np.diff(tt))) if tt.size > 1 else 0.0
        window = max(EDGE_SMOOTH_S, (tt[-1] - tt[0]) / 50) if tt.size else EDGE_SMOOTH_S
        n = int(round(window / dt)) if dt > 0 else 1
        for v, what, color in ((b, "batch size (jobs in the iteration)", f"C{2 * i}"),
                               (w, "queue length (jobs waiting)", f"C{2 * i + 1}")):
            ax.step(tt[::step], v[::step], where="post", lw=0.6,
                    alpha=0.55 if tt.size <= 2000 else 0.25, color=color, label=f"{what}{name}")
            if 1 < n < v.size:
                mean = np.convolve(v.astype(float), np.ones(n) / n, mode="valid")
                tm = tt[n // 2:n // 2 + mean.size]
                ax.plot(tm[::step], mean[::step], lw=1.8, color=color, zorder=3,
                        label=f"  {n * dt:g} s moving mean")
    if warm_s:
        ax.axvspan(0, warm_s, color="grey", alpha=0.2, label="warm-up")
    ax.set_xlabel("simulated time [s]")
    ax.set_ylabel("jobs (prefills and decode steps)")
    ax.set_title(f"(d) edge queue and batch, {rep_label}")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)


def split_snr(ax, f, warm_s, rep_label):
    """Uplink SNR over time of the UEs the time series samples."""
    g = f["timeseries"]["snr"] if "timeseries" in f and "snr" in f["timeseries"] else None
    ax.set_title(f"(e) uplink SNR of the sampled UEs, {rep_label}")
    if g is None or g["time_s"].shape[0] == 0:
        why = ("the erasure channel has no SNR"
               if scenario_value(f, "channel", "model") == "erasure"
               else "recording.interval: 0 s or snr_ues: 0")
        ax.text(0.5, 0.5, f"no SNR time series\n({why})",
                ha="center", va="center", transform=ax.transAxes, color="grey")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    t = g["time_s"][()]
    seg = first_segment(t)
    t, ue, snr = t[seg], g["ue"][()][seg], g["snr_db"][()][seg]
    dist = g["distance_m"][()][seg] if "distance_m" in g else np.full(t.size, np.nan)
    if not np.isfinite(snr).any():
        ax.text(0.5, 0.5, "no SNR (erasure channel)", ha="center", va="center",
                transform=ax.transAxes, color="grey")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    ues = np.unique(ue)
    for u in ues[:SPLIT_MAX_UES]:
        m = ue == u
        step = max(1, int(m.sum()) // MAX_POINTS)
        d = dist[m]
        where = ("" if not np.isfinite(d).any()
                 else f", {np.nanmin(d):.0f} m" if np.nanmax(d) - np.nanmin(d) < 1
                 else f", {np.nanmin(d):.0f}-{np.nanmax(d):.0f} m")
        ax.plot(t[m][::step], snr[m][::step], lw=0.6, label=f"UE {int(u)}{where}")
    if warm_s:
        ax.axvspan(0, warm_s, color="grey", alpha=0.2)
    ax.set_xlabel("simulated time [s]")
    ax.set_ylabel("wideband uplink SNR [dB]")
    ax.legend(loc="lower right", fontsize=8, ncol=2,
              title=(f"first {SPLIT_MAX_UES} of {ues.size} UEs"
                     if ues.size > SPLIT_MAX_UES else None))
    ax.grid(alpha=0.3)


def plot_split(f, s):
    metrics = {k: summary_metric(f, k) for k in
               ("ttft_s", "tpot_s", "latency_s", "energy_j", "energy_compute_j",
                "energy_radio_j", "edge_wait_s", "edge_compute_s", "ue_compute_s", "bytes_up",
                "airtime_up_s", "retransmissions", "erasure", "quality", "deadline_met")}

    def stat(name, key="mean"):
        m = metrics.get(name)
        return m.get(key) if m and int(m.get("n", 0)) > 0 else None

    nrep = int(s.get("replications", f.attrs.get("replications", 1)))
    first = int(f.attrs.get("first_replication", 0))
    rep_label = f"replication {first}" if nrep == 1 else f"replication {first} of {nrep}"
    warmup = warmup_ns(f)
    warm_s = warmup * 1e-9 if warmup is not None else None
    sattrs = f["summary"].attrs if "summary" in f else {}
    qsource = text(f.attrs.get("quality_source", sattrs.get("quality_source", "")))
    ue_cost = text(sattrs.get("ue_cost_table", ""))
    edge_cost = text(sattrs.get("edge_cost_table", ""))

    # measured requests: finished (status 0) and arrived after the warm-up
    cols = None
    no_requests = "no /requests table\n(recording.requests: false)"
    if "requests" not in f:
        print("note: no /requests table (the scenario sets recording.requests: false); "
              "the CDF panels show the summary's percentiles only")
    else:
        c = f["requests"]
        arrival_ns = c["arrival_ns"][()]
        measured = measured_requests(c, warmup)
        if warmup is None and "measured" not in c:
            print("note: no warm-up in the file (no warmup_s, no `warmup: <number> s` under "
                  "run: in the scenario attribute); the CDFs include the warm-up")
        if "measured" in s and int(measured.sum()) != int(s["measured"]):
            print(f"warning: {int(measured.sum())} finished requests after warm-up in "
                  f"/requests, but /summary/measured is {int(s.get('measured', -1))}",
                  file=sys.stderr)
        cols = {k: c[k][()][measured].astype(float) for k in ("ttft_s", "tpot_s", "latency_s")
                if k in c}
        if "summary" not in f:
            # an interrupted run: the statistics from the requests it finished
            print("note: no /summary (the run was interrupted); statistics from /requests")
            s = dict(s, requests=arrival_ns.size, measured=int(measured.sum()),
                     refused=int((c["status"][()] == 1).sum()) if "status" in c else 0)
            for name in metrics:
                if name == "energy_j" and "energy_compute_j" in c and "energy_radio_j" in c:
                    v = c["energy_compute_j"][()] + c["energy_radio_j"][()]
                elif name in c:
                    v = c[name][()]
                else:
                    continue
                v = v[measured].astype(float)
                if name == "deadline_met":
                    v = v[v >= 0]
                v = v[np.isfinite(v)]
                if v.size:
                    metrics[name] = dict(n=v.size, mean=float(v.mean()),
                                         **{f"p{q}": percentile(v, q) for q in (50, 95, 99)})

    # the set-up, from the resolved scenario
    sv = lambda sec, key, default="?": scenario_value(f, sec, key) or default  # noqa: E731
    bw, _ = scenario_number(f, "cell", "bandwidth")
    k, L = s.get("split", scenario_value(f, "split", "layer")), s.get("blocks")
    setup = (f"{sv('llm', 'model')} split after block {k if k is not None else '?'}"
             + (f" of {L}" if L is not None else "") + f" ({sv('split', 'precision')}); "
             f"{sv('ues', 'count')} UEs {sv('ues', 'device')} ({sv('ues', 'mobility')}), "
             f"{sv('edge', 'servers')} x {sv('edge', 'device')} edge; "
             f"{sv('channel', 'model')} channel"
             + (f", {quantity(bw, 'Hz')}" if bw else "")
             + (f"; warm-up {warm_s:g} s" if warm_s is not None else ""))

    fig, axes = plt.subplots(2, 3, figsize=(17, 10))
    (a_ttft, a_tpot, a_lat), (a_edge, a_snr, a_text) = axes
    pooled = f", {nrep} replications pooled" if nrep > 1 else ""
    for ax, name, label, unit, scale, logx, title in (
            (a_ttft, "ttft_s", "time to first token", "s", 1.0, True, "(a) TTFT"),
            (a_tpot, "tpot_s", "time per output token", "ms", 1e3, True, "(b) TPOT"),
            (a_lat, "latency_s", "end-to-end latency", "s", 1.0, True, "(c) latency")):
        split_cdf(ax, cols.get(name) if cols is not None else None, metrics.get(name), label,
                  unit, scale, logx, no_requests)
        ax.set_title(f"{title}: empirical CDF{pooled}")
    deadline, dunit = scenario_number(f, "workload", "deadline")
    if deadline and dunit == "s":
        met = stat("deadline_met")
        a_lat.axvline(deadline, color="g", lw=1.2, label=f"deadline {deadline:g} s"
                      + (f" (met by {met * 100:.1f} %)" if met is not None else ""))
    for ax in (a_ttft, a_tpot, a_lat):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right", fontsize=8)

    split_edge(a_edge, f, warm_s, rep_label)
    split_snr(a_snr, f, warm_s, rep_label)

    def row(label, name, unit, scale=1.0, disp=None):
        mean, p95 = stat(name), stat(name, "p95")
        show = disp or unit
        f1 = quantity(mean * scale if mean is not None else None, show)
        f2 = quantity(p95 * scale if p95 is not None else None, show)
        return f"{label:<16}{f1:>11}{f2:>11}"

    lines = [f"{int(s.get('requests', 0))} requests arrived, {int(s.get('measured', 0))} measured,",
             f"{int(s.get('refused', 0))} refused (KV cache > budget)", "",
             f"{'per request':<16}{'mean':>11}{'p95':>11}",
             row("TTFT", "ttft_s", "s"), row("TPOT", "tpot_s", "s"),
             row("latency", "latency_s", "s"),
             row("UE energy", "energy_j", "J"),
             row("  compute", "energy_compute_j", "J"),
             row("  radio", "energy_radio_j", "J"),
             row("edge wait", "edge_wait_s", "s"),
             row("edge compute", "edge_compute_s", "s"),
             row("UE compute", "ue_compute_s", "s"),
             row("bytes up", "bytes_up", "B"),
             row("uplink airtime", "airtime_up_s", "s"),
             row("retransmissions", "retransmissions", "1"),
             row("erasure", "erasure", "1"),
             row("quality PPL/PPL0", "quality", "1"),
             f"{'deadline met':<16}{quantity(stat('deadline_met'), '%'):>11}", "",
             "quality: " + short_source(qsource, 50)]
    for who, src in (("UE", ue_cost), ("edge", edge_cost)):
        if "assum" in src.lower():
            lines.append(f"{who} compute cost: ASSUMED efficiency")
    a_text.axis("off")
    a_text.set_title("(f) summary (measured requests)" if "summary" in f else
                     "(f) from /requests: no /summary (interrupted run)")
    a_text.text(0.0, 1.0, "\n".join(lines), family="monospace", fontsize=9, va="top",
                ha="left", transform=a_text.transAxes)

    fig.suptitle(fmt_title(f, s, "\n" + setup), fontsize=10)
    fig.tight_layout()

    print(f"split: {setup}")
    print(f"  {int(s.get('measured', 0))} of {int(s.get('requests', 0))} requests measured, "
          f"{int(s.get('refused', 0))} refused")
    for label, name, unit in (("TTFT", "ttft_s", "s"), ("TPOT", "tpot_s", "s"),
                              ("latency", "latency_s", "s"), ("energy", "energy_j", "J")):
        print(f"  {label:<8} mean {quantity(stat(name), unit):>10}, "
              f"p95 {quantity(stat(name, 'p95'), unit):>10}")
    print(f"  erasure {quantity(stat('erasure'), '1')}, quality {quantity(stat('quality'), '1')}"
          f" ({short_source(qsource)}), deadline met {quantity(stat('deadline_met'), '%')}")
    return fig


# ---- competitions: /policies/NAME/... for every competitor, ranked in /competition ------------

def competition_rows(f):
    """The /competition table as {column: array} in rank order (best first), with the policy
    names under 'name'; None when the file has no /competition (an interrupted competition)."""
    if "competition" not in f:
        return None
    g = f["competition"]
    names = [n for n in text(g.attrs.get("policies", b"")).split(",") if n]
    cols = {k: d[()] for k, d in g.items() if isinstance(d, h5py.Dataset) and d.ndim == 1}
    order = np.argsort(cols["rank"], kind="stable") if "rank" in cols else np.arange(len(names))
    rows = {k: v[order] for k, v in cols.items()}
    rows["name"] = [names[int(i)] if 0 <= int(i) < len(names) else f"policy {int(i)}"
                    for i in rows.get("policy", order)]
    return rows


def competition_policies(f):
    """The competitors' names in the order the file lists them: /competition's `policies`
    attribute, else (an interrupted run) the groups under /policies."""
    if "competition" in f:
        return [n for n in text(f["competition"].attrs.get("policies", b"")).split(",") if n]
    return sorted(f["policies"]) if "policies" in f else []


def competition_measured(g, warmup):
    """The measured requests of one policy's group (its `measured` column; in older files the
    finished ones that arrived after the warm-up) as a boolean mask over its /requests rows;
    None without a /requests table."""
    if "requests" not in g:
        return None
    return measured_requests(g["requests"], warmup)


def competition_colour(names, name):
    """A policy's colour, the same in every panel: by its place in the file's policy list."""
    return f"C{names.index(name) % 10}" if name in names else "grey"


def competition_bars(ax, rows, names, mean, ci, label, scale=1.0, unit=""):
    """One bar per policy (rank order) with its 95 % interval where the file has one."""
    y = np.asarray(rows[mean], dtype=float) * scale
    err = (np.asarray(rows[ci], dtype=float) * scale) if ci in rows else None
    if err is not None:
        err = np.where(np.isfinite(err), err, 0.0)
    x = np.arange(len(rows["name"]))
    ax.bar(x, y, 0.6, yerr=err, capsize=4,
           color=[competition_colour(names, n) for n in rows["name"]],
           label="mean, 95 % CI over replications" if err is not None else "mean")
    ax.set_xticks(x, rows["name"], rotation=30, ha="right")
    ax.set_ylabel(f"{label}" + (f" [{unit}]" if unit else ""))
    ax.axhline(0, color="k", lw=0.6)
    ax.grid(axis="y", alpha=0.3)
    return x


def competition_cdf(ax, f, names, column, warmup, label, scale=1.0, unit="s"):
    """Empirical CDF of `column` over each policy's measured requests, one line per policy."""
    drawn = 0
    for name in names:
        g = f["policies"].get(name) if "policies" in f else None
        ok = competition_measured(g, warmup) if g is not None else None
        if ok is None or column not in g["requests"]:
            continue
        v = g["requests"][column][()][ok].astype(float) * scale
        v = np.sort(v[np.isfinite(v)])
        if not v.size:
            continue
        y = np.arange(1, v.size + 1) / v.size
        ax.step(np.r_[v[0], v], np.r_[0.0, y], where="post", lw=1.4,
                color=competition_colour(names, name),
                label=f"{name} ({v.size})")
        drawn += 1
    if not drawn:
        ax.text(0.5, 0.5, "no /requests in the policies' groups\n(recording.requests: false)",
                ha="center", va="center", transform=ax.transAxes, color="grey")
        return
    lo, hi = ax.get_xlim()
    if lo > 0 and hi > 20 * lo:
        ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{label} [{unit}]")
    ax.set_ylabel("fraction of requests ≤ x")
    ax.legend(loc="lower right", fontsize=8, title="policy (measured requests)")
    ax.grid(alpha=0.3, which="both")


def competition_table(rows):
    """The ranking as monospaced lines: reward, difference to the best (and whether the data
    tell the policy from the best), regret, evaluations."""
    def pm(m, h):
        if m is None or not np.isfinite(m):
            return "n/a"
        return f"{m:.3g}" + (f" ± {h:.2g}" if h is not None and np.isfinite(h) else "")

    def col(k, i):
        return float(rows[k][i]) if k in rows else None

    ties = {1: "yes", 0: "no", -1: "-"}
    lines = [f"{'rank':<5}{'policy':<12}{'reward':>15}{'diff_best':>15}{'tie':>4}{'regret':>15}"
             f"{'evals':>8}"]
    for i, name in enumerate(rows["name"]):
        rank = int(rows["rank"][i]) if "rank" in rows else i + 1
        evals = int(rows["evaluations"][i]) if "evaluations" in rows else 0
        tie = ties.get(int(rows["tie"][i]), "?") if "tie" in rows else "?"
        lines.append(f"{rank:<5}{name[:11]:<12}"
                     f"{pm(col('reward_mean', i), col('reward_ci95', i)):>15}"
                     f"{pm(col('diff_best', i), col('diff_best_ci95', i)):>15}{tie:>4}"
                     f"{pm(col('regret', i), col('regret_ci95', i)):>15}{evals:>8}")
    return lines


def plot_competition(f, s):
    """A competition: per-policy bars (reward, TTFT, energy with their 95 % intervals where the
    file has them), TTFT and latency CDFs per policy, and the ranking."""
    warmup = warmup_ns(f)
    rows = competition_rows(f)
    names = competition_policies(f)
    nrep = int(f.attrs.get("replications", 1))
    fig, axes = plt.subplots(2, 3, figsize=(17, 10))
    (a_rew, a_ttft, a_energy), (a_cdf, a_lat, a_text) = axes
    if rows is not None:
        competition_bars(a_rew, rows, names, "reward_mean", "reward_ci95", "mean realised reward")
        a_rew.set_title("(a) reward per policy, best first")
        x = competition_bars(a_ttft, rows, names, "ttft_mean_s", "ttft_ci95_s", "TTFT", unit="s")
        for q, marker in (("ttft_p50_s", "_"), ("ttft_p95_s", "v"), ("ttft_p99_s", "^")):
            if q in rows:
                a_ttft.plot(x, rows[q], marker, color="k", ms=8, ls="none",
                            label=q.split("_")[1])
        a_ttft.set_title("(b) TTFT per policy: mean (bar), percentiles (markers)")
        energy_ci = next((k for k in ("energy_ci95_j", "energy_mean_ci95_j") if k in rows), "")
        competition_bars(a_energy, rows, names, "energy_mean_j", energy_ci, "UE energy per request",
                         unit="J")
        if "quality_mean" in rows:
            for i, q in enumerate(rows["quality_mean"]):
                a_energy.annotate(f"PPL ×{q:.3g}", (i, 0), textcoords="offset points",
                                  xytext=(0, 4), ha="center", fontsize=8)
        a_energy.set_title("(c) UE energy per request (quality ratio at the foot)")
        for ax in (a_rew, a_ttft, a_energy):
            ax.legend(loc="best", fontsize=8)
        lines = competition_table(rows)
    else:
        for ax in (a_rew, a_ttft, a_energy):
            ax.text(0.5, 0.5, "no /competition\n(the run was interrupted)", ha="center",
                    va="center", transform=ax.transAxes, color="grey")
            ax.set_xticks([])
            ax.set_yticks([])
        done = {n: int(f["policies"][n].attrs.get("replications_done", 0)) for n in names}
        lines = ["no /competition: interrupted run", ""] + [
            f"{n:<12} {d} replication(s) done" for n, d in done.items()]
    competition_cdf(a_cdf, f, names, "ttft_s", warmup, "time to first token")
    a_cdf.set_title(f"(d) TTFT: empirical CDF per policy, {nrep} replication(s) pooled")
    competition_cdf(a_lat, f, names, "latency_s", warmup, "end-to-end latency")
    a_lat.set_title(f"(e) latency: empirical CDF per policy, {nrep} replication(s) pooled")
    qsource = text(f.attrs.get("quality_source", ""))
    lines += ["", "± : 95 % CI over replications"]
    # the columns' meaning (and sign) as the file states it
    for k in ("diff_best", "regret"):
        if rows is not None and k in f["competition"]:
            lines.append(f"{k}: " + text(f["competition"][k].attrs.get("description", "")))
    lines.append("quality: " + short_source(qsource, 50))
    if rows is not None:
        a = f["competition"].attrs
        if int(a.get("ceiling_decides", 0)) == 1:
            lines.append(f"warning: {int(np.sum(rows['at_quality_ceiling']))} request(s) at the "
                         "quality ceiling decide the ranking (rank_below_ceiling)")
        if int(a.get("same_split", -1)) >= 0:
            lines.append(f"warning: every policy chose k = {int(a['same_split'])} for every "
                         "request")
    a_text.axis("off")
    a_text.set_title("(f) ranking (/competition)" if rows is not None else "(f) progress")
    a_text.text(0.0, 1.0, "\n".join(lines), family="monospace", fontsize=9, va="top", ha="left",
                transform=a_text.transAxes)
    sv = lambda sec, key: scenario_value(f, sec, key) or "?"  # noqa: E731
    first = int(f.attrs.get("first_replication", 0))
    reps = (f"replication {first}" if nrep == 1
            else f"{nrep} replications ({first}..{first + nrep - 1})")
    point = int(f.attrs.get("sweep_point", -1))
    fig.suptitle(f"splitsim {text(f.attrs.get('model', '?'))} competition of {len(names)} "
                 f"policies, seed {int(f.attrs.get('seed', -1))}, {reps}"
                 + (f", sweep point {point}" if point >= 0 else "")
                 + f"\n{sv('llm', 'model')}, {sv('ues', 'count')} UEs {sv('ues', 'device')}, "
                 f"{sv('edge', 'servers')} x {sv('edge', 'device')} edge, "
                 f"{sv('channel', 'model')} channel; every policy on the same replications",
                 fontsize=10)
    fig.tight_layout()
    print(f"competition: {len(names)} policies ({', '.join(names)}), {nrep} replication(s)")
    for line in lines:
        print("  " + line)
    return fig


PLOTTERS = {"queue": plot_queue, "split": plot_split}


def main(argv=None):
    p = argparse.ArgumentParser(description="Plot a splitsim results file.")
    p.add_argument("results", help="results file written by `splitsim run`")
    p.add_argument("-o", "--output", help="PNG to write (default: RESULTS with .png)")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="plot a file whose run did not finish (complete != 1)")
    args = p.parse_args(argv)
    out = args.output or os.path.splitext(args.results)[0] + ".png"
    try:
        with open_results(args.results, args.allow_incomplete) as f:
            s = summary(f)
            model = text(f.attrs.get("model", ""))
            plotter = plot_competition if "policies" in f else PLOTTERS.get(model)
            if plotter is None:
                print(f"note: no plot for model {model!r}; plotting the summary only")
                plotter = plot_generic
            fig = plotter(f, s)
    except ResultsError as e:
        print(f"{args.results}: error: {e}", file=sys.stderr)
        return 2
    except KeyError as e:
        print(f"{args.results}: error: missing object or attribute {e}", file=sys.stderr)
        return 2
    fig.savefig(out, dpi=110)
    print(f"plot: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
