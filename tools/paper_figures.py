#!/usr/bin/python3
"""Reproduce the paper's experiment (scenarios/paper/paper.yaml) and draw its figures.

usage: /usr/bin/python3 tools/paper_figures.py [--splitsim build/splitsim] [--out runs/paper]
                                               [--replications R] [--check]

Runs the competition of the paper scenario (greedy, exhaustive, random, mbrl on identical
requests) and the fixed splits n = 1..10, then writes to OUT:
  best_split_vs_p.png   the chosen split versus the erasure probability p, per policy, with the
                        oracle's best split
  reward_vs_p.png       mean realised reward versus p, per policy and for every fixed split
  evaluations.png       true evaluations (perplexity runs) each policy paid for (log scale)
  summary.txt           the numbers behind docs/PAPER-REPRODUCTION.md
With --check it exits 1 unless: mbrl reaches 97 % of the exhaustive oracle's mean reward (its
regret is at most 3 % of |oracle reward|), using at least 50x fewer true evaluations, and beats
every fixed split on average; greedy never pays more evaluations than exhaustive.

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (hence /usr/bin/python3).
"""
import argparse
import os
import subprocess
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SCENARIO = "scenarios/paper/paper.yaml"
BINS = np.linspace(0.01, 0.30, 11)


def run(splitsim, out, sets):
    cmd = [splitsim, "run", SCENARIO, "-o", out, "-q"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)


def group_data(f, g):
    """(p, k, oracle k, reward) per request of group g, joined by (replication, id)."""
    d, r = f[g + "/decisions"], f[g + "/requests"]
    key_d = d["replication"][:].astype(np.int64) * (1 << 32) + d["id"][:]
    key_r = r["replication"][:].astype(np.int64) * (1 << 32) + r["id"][:]
    order = np.argsort(key_d)
    pos = order[np.searchsorted(key_d[order], key_r)]
    return {
        "p": d["erasure"][:][pos],
        "k": d["split"][:][pos],
        "oracle_k": d["oracle_split"][:][pos],
        "reward": r["reward"][:],
        "evaluations": int(f[g + "/summary/evaluations"][()]),
        "decisions": int(f[g + "/summary/decisions"][()]),
        "reward_mean": float(f[g + "/summary/reward/mean"][()]),
    }


def binned(p, y):
    idx = np.clip(np.digitize(p, BINS) - 1, 0, len(BINS) - 2)
    return np.array([y[idx == i].mean() if np.any(idx == i) else np.nan
                     for i in range(len(BINS) - 1)])


def label_versus_p(ax, ylabel, title):
    """Labels a figure's axes against the erasure probability p, with a title, grid and legend."""
    ax.set_xlabel("erasure probability p")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()


def save(fig, path):
    """Lays fig out, writes it to path (PNG, 120 dpi) and closes it."""
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--splitsim", default="build/splitsim")
    ap.add_argument("--out", default="runs/paper")
    ap.add_argument("--replications", type=int, default=0,
                    help="override run.replications (0: the scenario's)")
    ap.add_argument("--check", action="store_true", help="exit 1 unless the claims hold")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    common = [f"run.replications={a.replications}"] if a.replications else []
    comp = os.path.join(a.out, "competition.h5")
    run(a.splitsim, comp, common + ["policy.compete=[greedy, exhaustive, random, mbrl]"])
    fixed = {}
    for n in range(1, 11):
        path = os.path.join(a.out, f"fixed-{n}.h5")
        run(a.splitsim, path, common + ["policy.compete=[]", "policy.name=fixed",
                                        f"split.layer={n}", "recording.decisions=true"])
        with h5py.File(path, "r") as f:
            fixed[n] = group_data(f, "")
    with h5py.File(comp, "r") as f:
        names = f["competition"].attrs["policies"]
        names = names.decode() if isinstance(names, bytes) else str(names)
        pol = {n: group_data(f, f"/policies/{n}") for n in names.split(",")}
        quality_source = f.attrs["quality_source"]
        quality_source = quality_source.decode() if isinstance(quality_source, bytes) else str(
            quality_source)
    centers = (BINS[:-1] + BINS[1:]) / 2

    # best split versus p
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ex = pol["exhaustive"]
    ax.plot(centers, binned(ex["p"], ex["oracle_k"]), "k--", lw=2, label="oracle (best k)")
    for n, d in pol.items():
        ax.plot(centers, binned(d["p"], d["k"]), marker="o", label=n)
    label_versus_p(ax, "chosen split n (mean in bin)",
                   "Best split versus channel quality (paper scenario)")
    save(fig, os.path.join(a.out, "best_split_vs_p.png"))

    # reward versus p
    fig, ax = plt.subplots(figsize=(7, 4.5))
    cmap = plt.get_cmap("Greys")
    for n, d in fixed.items():
        ax.plot(centers, binned(d["p"], d["reward"]), color=cmap(0.3 + 0.06 * n), lw=1,
                label="fixed n=1..10" if n == 1 else None)
    for n, d in pol.items():
        ax.plot(centers, binned(d["p"], d["reward"]), marker="o", lw=2, label=n)
    label_versus_p(ax, "mean realised reward",
                   "Reward versus p: 10 (PPL0 - PPL)/PPL0 + (10 - n)/10")
    save(fig, os.path.join(a.out, "reward_vs_p.png"))

    # evaluations
    fig, ax = plt.subplots(figsize=(6, 4))
    labels = list(pol)
    ev = [max(pol[n]["evaluations"], 0.5) for n in labels]
    ax.bar(labels, ev)
    ax.set_yscale("log")
    ax.set_ylabel("true evaluations (perplexity runs), all replications")
    ax.set_title("Evaluation cost")
    for i, n in enumerate(labels):
        ax.text(i, ev[i], str(pol[n]["evaluations"]), ha="center", va="bottom")
    save(fig, os.path.join(a.out, "evaluations.png"))

    oracle = pol["exhaustive"]["reward_mean"]
    lines = [f"quality: {quality_source}", "",
             f"{'policy':12s} {'reward':>9s} {'evaluations':>12s} {'per decision':>13s}"]
    for n, d in pol.items():
        lines.append(f"{n:12s} {d['reward_mean']:9.4f} {d['evaluations']:12d} "
                     f"{d['evaluations'] / max(d['decisions'], 1):13.3f}")
    for n, d in fixed.items():
        lines.append(f"{'fixed n=' + str(n):12s} {d['reward_mean']:9.4f} {0:12d} {0:13.3f}")
    ok = True
    checks = []
    if "mbrl" in pol:
        m = pol["mbrl"]
        regret = oracle - m["reward_mean"]
        ratio = pol["exhaustive"]["evaluations"] / max(m["evaluations"], 1)
        best_fixed = max(d["reward_mean"] for d in fixed.values())
        checks = [
            (f"mbrl regret {regret:.4f} <= 3 % of |oracle| ({0.03 * abs(oracle):.4f})",
             regret <= 0.03 * abs(oracle)),
            (f"mbrl uses {ratio:.0f}x fewer true evaluations than exhaustive (>= 50x)",
             ratio >= 50),
            (f"mbrl mean reward {m['reward_mean']:.4f} > best fixed split {best_fixed:.4f}",
             m["reward_mean"] > best_fixed),
        ]
    checks.append(("greedy pays no more evaluations than exhaustive",
                   pol["greedy"]["evaluations"] <= pol["exhaustive"]["evaluations"]))
    # the oracle's split moves deeper as the channel worsens
    ok_k = binned(ex["p"], ex["oracle_k"])
    checks.append((f"oracle split rises with p ({ok_k[0]:.1f} at low p, {ok_k[-1]:.1f} at high p)",
                   ok_k[-1] > ok_k[0]))
    lines.append("")
    for text, good in checks:
        lines.append(("ok   " if good else "FAIL ") + text)
        ok &= good
    summary = "\n".join(lines)
    with open(os.path.join(a.out, "summary.txt"), "w") as fh:
        fh.write(summary + "\n")
    print(summary)
    print(f"figures: {a.out}/best_split_vs_p.png, reward_vs_p.png, evaluations.png")
    if a.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
