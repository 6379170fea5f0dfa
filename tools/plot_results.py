#!/usr/bin/python3
"""Plot a splitsim results file (HDF5) next to queueing theory.

usage: /usr/bin/python3 tools/plot_results.py RESULTS.h5 [-o OUT.png] [--allow-incomplete]

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib, hence /usr/bin/python3.
Each model has its own plot function, registered in PLOTTERS under the file's root `model`
attribute; a model without one gets the generic summary figure.
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
        if "summary" not in f:
            raise ResultsError("no /summary group")
    except Exception:
        f.close()
        raise
    return f


def summary(f):
    """The /summary scalars as a dict of Python numbers."""
    return {k: d[()].item() for k, d in f["summary"].items() if d.shape == ()}


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


def warmup_ns(f):
    """run.warmup from the scenario attribute, in ns, rounded as the simulator rounds it;
    None when the scenario does not give it as `<number> s`."""
    v = scenario_value(f, "run", "warmup")
    parts = v.split() if v else []
    if len(parts) != 2 or parts[1] != "s":
        return None
    try:
        return int(round(float(parts[0]) * 1e9))
    except ValueError:
        return None


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
        print("note: no `warmup: <number> s` under run: in the scenario attribute; "
              "taking the warm-up from /replications/requests - measured")
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


PLOTTERS = {"queue": plot_queue}


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
            plotter = PLOTTERS.get(model)
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
