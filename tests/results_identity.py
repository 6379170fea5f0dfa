#!/usr/bin/python3
"""Results identity: the shipped scenarios' results, dataset by dataset, before and after a change.

A refactor must not change any result. This script runs every shipped scenario (and the sweeps of
those that have one) with SOURCE_DATE_EPOCH fixed, hashes every dataset (type, shape, raw bytes)
and every attribute of every results file (a sweep's point files whole, its index object by
object), and either records the hashes or compares them with a
record:

    tests/results_identity.py record [--full]   # writes tests/results_hashes.txt
    tests/results_identity.py compare [--full]  # exit 1 and names each object that differs

The quick set (a few seconds, run by `tests/run`) is every scenario whose run takes under a
second; --full adds the long ones (bench-1000, compete-cell, paper, and the 15-point sweep of
large.yaml: about five minutes). The attributes that depend on the build or the clock
(git_revision, started, finished) are left out; SOURCE_DATE_EPOCH fixes the clock ones anyway.
A record holds both sets; `compare` checks the runs it makes. Hashes are of this machine's
floating-point results (same compiler, libm and BLAS); record again after a change meant to alter
results, and say so in the commit.

Options: --build DIR (default build/), --hashes FILE (default tests/results_hashes.txt),
--keep DIR (leave the results files there).
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOLATILE_ATTRS = {"git_revision", "started", "finished"}

# (id, command arguments after `splitsim`, full-only); every shipped scenario appears.
RUNS = [
    ("default", ["run", "scenarios/default.yaml"], False),
    ("queue", ["run", "scenarios/queue.yaml"], False),
    ("load-sweep", ["run", "scenarios/load-sweep.yaml"], False),
    ("load-sweep.sweep", ["sweep", "scenarios/load-sweep.yaml"], False),
    ("large", ["run", "scenarios/large.yaml"], False),
    ("bench-1000", ["run", "scenarios/bench-1000.yaml"], True),
    ("compete-cell", ["run", "scenarios/compete-cell.yaml"], True),
    ("paper", ["run", "scenarios/paper/paper.yaml"], True),
    ("large.sweep", ["sweep", "scenarios/large.yaml"], True),
]


def shipped_scenarios():
    out = set()
    for d, _, files in os.walk(os.path.join(ROOT, "scenarios")):
        for f in files:
            if f.endswith(".yaml"):
                out.add(os.path.relpath(os.path.join(d, f), ROOT))
    return out


def value_bytes(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    a = np.asarray(v)
    if a.dtype.kind in "OSU":
        return repr(a.tolist()).encode()
    return a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()


def file_hashes(path):
    """{object path: hash} for every group and dataset of one results file; an object's hash
    covers its attributes, and a dataset's also its type, shape and values."""
    out = {}
    with h5py.File(path, "r") as f:

        def digest(name, obj):
            h = hashlib.sha256()
            for k in sorted(obj.attrs.keys()):
                if k not in VOLATILE_ATTRS:
                    h.update(k.encode() + b"=" + value_bytes(obj.attrs[k]) + b";")
            if isinstance(obj, h5py.Dataset):
                h.update(obj.dtype.str.encode() + repr(obj.shape).encode())
                h.update(value_bytes(obj[()]))
            out[name] = h.hexdigest()[:20]

        digest("/", f)
        f.visititems(lambda name, obj: digest("/" + name, obj))
    return out


def whole_file(hashes):
    """One hash for a file (sweep point files are recorded whole)."""
    h = hashlib.sha256()
    for k in sorted(hashes):
        h.update(f"{k} {hashes[k]};".encode())
    return {"(file)": h.hexdigest()[:20]}


def run_all(build, full, workdir):
    exe = os.path.join(ROOT, build, "splitsim")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    hashes = {}
    for rid, args, long_run in RUNS:
        if long_run and not full:
            continue
        out = os.path.join(workdir, rid)
        # run in the project's root with the scenario's relative name: scenario_file is recorded
        cmd = [exe, args[0], "-q", args[1], "-o", out + (".h5" if args[0] == "run" else "")]
        r = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"results_identity: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
        files = [out + ".h5"] if args[0] == "run" else sorted(
            os.path.join(dp, f) for dp, _, fs in os.walk(out) for f in fs if f.endswith(".h5"))
        for p in files:
            rel = rid if args[0] == "run" else rid + ":" + os.path.relpath(p, out)
            fh = file_hashes(p)
            if "/points/" in p:
                fh = whole_file(fh)
            for obj, h in fh.items():
                hashes[(rel, obj)] = h
        print(f"  {rid}: {len(files)} file(s)", file=sys.stderr)
    return hashes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["record", "compare"])
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--build", default="build")
    ap.add_argument("--hashes", default=os.path.join(ROOT, "tests", "results_hashes.txt"))
    ap.add_argument("--keep")
    a = ap.parse_args()

    listed = {args[1] for _, args, _ in RUNS}
    missing = shipped_scenarios() - listed
    if missing:
        sys.exit("results_identity: shipped scenario(s) not covered: " + ", ".join(sorted(missing)))

    workdir = a.keep or tempfile.mkdtemp(prefix="results-identity.")
    os.makedirs(workdir, exist_ok=True)
    try:
        got = run_all(a.build, a.full, workdir)
    finally:
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    if a.mode == "record":
        old = {}
        if os.path.exists(a.hashes) and not a.full:
            old = read_hashes(a.hashes)  # keep the long runs' lines from a --full record
        ran = {rel.split(":")[0] for rel, _ in got}
        merged = {k: v for k, v in old.items() if k[0].split(":")[0] not in ran}
        merged.update(got)
        with open(a.hashes + ".tmp", "w") as f:
            f.write("# tests/results_identity.py record: sha256 of every dataset and attribute of the\n"
                    "# shipped scenarios' results (SOURCE_DATE_EPOCH=0); run id, object, hash\n")
            for (rel, obj), h in sorted(merged.items()):
                f.write(f"{rel} {obj} {h}\n")
        os.replace(a.hashes + ".tmp", a.hashes)
        print(f"recorded {len(got)} hashes into {a.hashes}")
        return 0

    want = read_hashes(a.hashes)
    ran = {rel.split(":")[0] for rel, _ in got}
    want = {k: v for k, v in want.items() if k[0].split(":")[0] in ran}
    if not want:
        sys.exit(f"results_identity: {a.hashes} records none of these runs")
    bad = 0
    for k in sorted(set(want) | set(got)):
        if k not in got:
            print(f"missing now: {k[0]} {k[1]}")
        elif k not in want:
            print(f"new now:     {k[0]} {k[1]}")
        elif want[k] != got[k]:
            print(f"differs:     {k[0]} {k[1]}")
        else:
            continue
        bad += 1
    print(f"results identity: {len(got)} objects compared, {bad} differ" +
          ("" if a.full else " (quick set; --full for all)"))
    return 1 if bad else 0


def read_hashes(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rel, rest = line.rstrip("\n").split(" ", 1)
            obj, h = rest.rsplit(" ", 1)
            out[(rel, obj)] = h
    return out


if __name__ == "__main__":
    sys.exit(main())
