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


def fmt_title(f, s, extra=""):
    model = text(f.attrs.get("model", "?"))
    return (f"splitsim {model}, seed {int(f.attrs.get('seed', -1))}, "
            f"replication {int(f.attrs.get('replication', 0))}, "
            f"{int(s.get('measured', 0))} of {int(s.get('customers', 0))} customers measured"
            + extra)


def plot_summary_bars(f, s, ax):
    """Simulated vs theory for every summary metric that has a theory value."""
    pairs = [("time in system [s]", "mean_time_in_system_s", "ci95_time_in_system_s",
              "theory_time_in_system_s"),
             ("wait in queue [s]", "mean_wait_s", "ci95_wait_s", "theory_wait_s"),
             ("P(wait > 0)", "prob_wait", None, "rho"),
             ("utilisation", "utilisation", None, "rho")]
    pairs = [p for p in pairs if p[1] in s]
    x = np.arange(len(pairs))
    sim = [s[p[1]] for p in pairs]
    err = [s.get(p[2], 0.0) if p[2] else 0.0 for p in pairs]
    theory = [s.get(p[3], np.nan) for p in pairs]
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


def plot_mm1(f, s):
    rho = s["rho"]
    t_theory = s["theory_time_in_system_s"]
    stable = np.isfinite(t_theory) and rho < 1
    # mu - lambda = 1/T and lambda = rho*mu, so mu = 1/(T (1 - rho)).
    mu = 1.0 / (t_theory * (1.0 - rho)) if stable else np.nan
    lam = rho * mu
    rates = (f"lambda {lam:.4g}/s, mu {mu:.4g}/s, rho {rho:.4g}" if stable
             else f"rho {rho:.4g} >= 1: unstable, no theory")
    extra = (f"\n{rates}; mean time in system "
             f"{s['mean_time_in_system_s']:.4g} +- {s['ci95_time_in_system_s']:.3g} s "
             f"(theory {t_theory:.4g} s)")

    if "customers" not in f:
        print("note: no /customers table (run with --no-customers); "
              "plotting the summary only")
        fig = plot_generic(f, s)
        fig.suptitle(fmt_title(f, s, extra), fontsize=10)
        return fig

    c = f["customers"]
    ids = c["id"][()]
    warmup = int(s["customers"] - s["measured"])
    tis = c["time_in_system_s"][()][ids >= warmup]
    arrival_s = c["arrival_ns"][()] * 1e-9
    found = c["found_in_system"][()]

    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5))
    a.hist(tis, bins=100, density=True, alpha=0.6,
           label=f"simulated ({tis.size} after warm-up)")
    if stable:
        t = np.linspace(0, tis.max(), 400)
        r = mu - lam
        a.plot(t, r * np.exp(-r * t), "r-", label=f"Exponential(rate {r:.4g}/s)")
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
    if stable:
        b.axhline(rho / (1 - rho), color="r", label=f"theory mean rho/(1-rho) = "
                  f"{rho / (1 - rho):.4g}")
    if 0 < warmup < ids.size:
        b.axvspan(arrival_s[0], arrival_s[np.searchsorted(ids, warmup)], color="grey",
                  alpha=0.2, label="warm-up")
    b.set_xlabel("arrival time [s]")
    b.set_ylabel("customers in system at arrival")
    b.set_title("(b) number in system seen at arrival")
    b.legend(loc="upper right")
    fig.suptitle(fmt_title(f, s, extra), fontsize=10)
    fig.tight_layout()
    return fig


PLOTTERS = {"mm1": plot_mm1}


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
