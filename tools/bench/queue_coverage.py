#!/usr/bin/python3
"""Coverage of the queue model's batch-means interval: how often it holds the theory.

Runs the shipped scenarios/queue.yaml (8 UEs, one FIFO server, mean service 1 s) at several
offered loads rho (workload.rate = rho / 8 per UE) and run lengths, each with many replications
(independent random streams: replication r of seed 1), without the per-request table, and
counts the replications whose own 95 % interval (/replications/ci95_time_in_system_s around
mean_time_in_system_s) contains the theory's mean time in system: M/M/1, W = 1 / (1 - rho), or
with --service deterministic M/D/1, W = 1 + rho / (2 (1 - rho)) (the file's theory value is
checked against these). A valid 95 % interval covers about 95 % of the time; the binomial
standard error over 200 replications is 1.5 points.

    /usr/bin/python3 tools/bench/queue_coverage.py [--build build] [--replications 200]
        [--durations "36 h,360 h"] [--loads 0.5,0.8,0.9,0.95] [--jobs 2]
        [--service exponential|deterministic] [--require 0.93]

Prints one Markdown row per (run length, load): coverage with its Wilson 95 % interval, the
share of runs the procedure called too short (/replications/interval_short; "-" for a build
without the column), the coverage of the others, the mean half-width relative to W, and the
wall time. --require P exits 1 if, for any run length, the coverage at the last load listed is
below P.
Each (length, load) is split over --jobs processes by run.first_replication, so the replications
are the same whatever --jobs is.
"""
import argparse
import concurrent.futures
import math
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UES = 8  # in scenarios/queue.yaml; service_time 1 s


def theory(rho, service):
    if service == "exponential":
        return 1 / (1 - rho)
    return 1 + rho / (2 * (1 - rho))


def run_part(splitsim, rho, duration, service, first, count, path):
    cmd = [splitsim, "run", os.path.join(ROOT, "scenarios", "queue.yaml"), "-q", "-o", path,
           "--set", f"workload.rate={rho / UES!r} /s", "--set", f"run.duration={duration}",
           "--set", f"edge.service={service}", "--set", "recording.requests=false",
           "--set", f"run.replications={count}", "--set", f"run.first_replication={first}"]
    subprocess.run(cmd, check=True)
    with h5py.File(path, "r") as f:
        rep = f["replications"]
        mean = rep["mean_time_in_system_s"][:]
        ci = rep["ci95_time_in_system_s"][:]
        short = rep["interval_short"][:] if "interval_short" in rep else None
        file_theory = float(f["summary/theory_time_in_system_s"][()])
    os.unlink(path)
    return mean, ci, short, file_theory


def wilson(k, n, z=1.959964):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def measure(pool, args, tmp, duration, rho):
    w = theory(rho, args.service)
    per = -(-args.replications // args.jobs)
    parts = []
    start = time.monotonic()
    for first in range(0, args.replications, per):
        count = min(per, args.replications - first)
        path = os.path.join(tmp, f"{duration.replace(' ', '')}-{rho}-{first}.h5")
        parts.append(pool.submit(run_part, args.splitsim, rho, duration, args.service, first,
                                 count, path))
    results = [p.result() for p in parts]
    wall = time.monotonic() - start
    mean = np.concatenate([r[0] for r in results])
    ci = np.concatenate([r[1] for r in results])
    has_short = all(r[2] is not None for r in results)
    short = np.concatenate([r[2] for r in results]).astype(bool) if has_short else None
    for r in results:
        if abs(r[3] - w) > 1e-9 * w:
            sys.exit(f"theory in the file {r[3]} differs from {w} (rho {rho})")
    hit = np.abs(mean - w) <= ci
    lo, hi = wilson(int(hit.sum()), len(hit))
    row = {"duration": duration, "rho": rho, "n": len(hit), "coverage": hit.mean(),
           "lo": lo, "hi": hi, "width": float(np.mean(ci)) / w, "wall": wall}
    if short is not None:
        row["short"] = short.mean()
        row["valid_coverage"] = hit[~short].mean() if (~short).any() else float("nan")
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--durations", default="36 h,360 h")
    ap.add_argument("--loads", default="0.5,0.8,0.9,0.95")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--service", choices=["exponential", "deterministic"], default="exponential")
    ap.add_argument("--require", type=float, default=None)
    args = ap.parse_args()
    args.splitsim = os.path.join(args.build, "splitsim")
    loads = [float(x) for x in args.loads.split(",")]
    durations = [d.strip() for d in args.durations.split(",")]
    print(f"# {args.replications} replications per cell, {args.service} service, "
          f"{args.splitsim}")
    print("| run length | rho | W theory [s] | coverage | Wilson 95 % | too short | coverage of "
          "the others | mean half-width / W | wall [s] |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    total = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="queue-coverage-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for duration in durations:
            for rho in loads:
                r = measure(pool, args, tmp, duration, rho)
                short = f"{100 * r['short']:.1f} %" if "short" in r else "-"
                valid = (f"{100 * r['valid_coverage']:.1f} %" if "short" in r and
                         not math.isnan(r["valid_coverage"]) else "-")
                print(f"| {duration} | {rho:g} | {theory(rho, args.service):.4g} | "
                      f"{100 * r['coverage']:.1f} % | {100 * r['lo']:.1f}-{100 * r['hi']:.1f} % | "
                      f"{short} | {valid} | {r['width']:.3f} | {r['wall']:.1f} |", flush=True)
            if args.require is not None and r["coverage"] < args.require:
                failed = True
    print(f"# total wall time {time.monotonic() - total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
