#!/usr/bin/python3
"""check_killed.py REFERENCE FILE...: what a killed or failed run left holds exactly the finished
replications of the complete reference run (same scenario).

Every FILE must open with h5py; its root attribute replications_done = k counts the finished
replications, and every table of the reference (/requests, /decisions, /ues, /replications,
/timeseries/...) restricted to the first k replications must equal FILE's rows of those
replications bit for bit. FILE may hold rows of the replication in progress beyond them (or
none); complete is 0, or 1 for a run killed while closing (then k is every replication).
Prints one line per file and exits 1 if any check fails.
"""
import sys

import h5py
import numpy as np


def tables(f):
    out = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and "replication" in obj and \
                isinstance(obj["replication"], h5py.Dataset) and obj["replication"].ndim == 1:
            out.append(name)
    f.visititems(visit)
    return out


def main():
    ref = h5py.File(sys.argv[1], "r")
    first = int(ref.attrs["first_replication"])
    bad = 0
    for path in sys.argv[2:]:
        problems = []
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            print(f"{path}: UNREADABLE: {e}")
            bad += 1
            continue
        complete = int(f.attrs.get("complete", -1))
        k = int(f.attrs.get("replications_done", -1))
        # killed while closing, after the last checkpoint: complete, just not renamed yet
        if complete not in (0, 1) or (complete == 1 and k != int(ref.attrs["replications"])):
            problems.append(f"complete = {complete} with {k} replication(s) finished")
        if k < 0:
            problems.append("no replications_done")
        rows = 0
        try:
            rows = compare(ref, f, first, k, problems)
        except Exception as e:  # a damaged file raises anywhere in h5py
            problems.append(f"read error: {e}")
        print(f"{path}: {k} replication(s) finished, {rows} row(s) of them: "
              + ("OK" if not problems else "; ".join(problems[:4])))
        bad += bool(problems)
    sys.exit(1 if bad else 0)


def compare(ref, f, first, k, problems):
    """Rows of the first k replications in every table: the reference's equal f's."""
    rows = 0
    for name in tables(ref):
        keep = ref[name]["replication"][()] < first + k
        if name not in f:
            if keep.any():
                problems.append(f"/{name} missing")
            continue
        have = f[name]["replication"][()] < first + k
        rows += int(have.sum())
        for col in ref[name]:
            a = ref[name][col][()][keep]
            b = f[name][col][()][have]
            if a.dtype != b.dtype or a.tobytes() != b.tobytes():
                problems.append(f"/{name}/{col} differs ({len(a)} vs {len(b)} rows)")
    return rows


if __name__ == "__main__":
    main()
