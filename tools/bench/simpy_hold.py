#!/usr/bin/python3
"""Classic "hold model" event-rate benchmark for SimPy (Debian python3-simpy).

Optional manual reference benchmark for comparing with `splitsim bench events`.
Not part of the meson build or CI. See tools/bench/README.md.

Debian 12 ships python3-simpy 2.3.1, i.e. the *SimPy 2* API (module `SimPy`,
Process subclasses doing `yield hold, self, delay`), not SimPy 3/4's
`simpy.Environment` / `env.timeout()`. The model is the same:

  * P processes are activated, process i at time Exp(mean 1 ms) from t=0
    (random.expovariate(1000.0), time unit = seconds). These are the P
    initially scheduled events.
  * Each time a process is resumed (= one processed event) it increments a
    global counter and does `yield hold, self, Exp(mean 1 ms)`, i.e. schedules
    exactly one new event at now + Exp(1 ms); the pending set stays at P.
  * Warm-up (default, same as splitsim's cmd_bench.c and ns3_hold.cc): a
    first, untimed simulate() processes P events so the pending set's time
    profile reaches steady state. --no-warmup skips it.
  * A countdown is decremented per processed event; when it hits 0,
    stopSimulation() is called and simulate() returns right after that event.
    So exactly E events are processed in the timed simulate().
  * Only that simulate() is timed (time.perf_counter); creating/activating the
    P processes and the warm-up are not. Median of 5 runs per P.

Default E is 1,000,000 for every P (pure-Python is ~100x slower than C++);
use --events-scale to change it (E = 1e6 * scale).

Run (Python's -O drops SimPy's `if __debug__:` checks, as -DNDEBUG does):
  /usr/bin/python3 -O tools/bench/simpy_hold.py [--runs=N] [--events-scale=X] [--no-warmup]

Output: one line per P, e.g.
  P=1000 events=1000000 events_per_s=123456.7 scheduler=SimPy2-heapq
"""

import gc
import random
import sys
import time

import SimPy
from SimPy.Simulation import Process, Simulation, hold

MEAN_RATE = 1000.0  # 1 / (1 ms)


def run_once(pending, events, seed, warmup):
    random.seed(seed)
    sim = Simulation()
    expo = random.expovariate
    left = [0]  # events still to process before stopSimulation()

    class Holder(Process):
        def run(self):
            lf = left
            s = self
            while True:
                lf[0] -= 1
                if not lf[0]:
                    sim.stopSimulation()
                yield hold, s, expo(MEAN_RATE)

    for i in range(pending):
        p = Holder(name="h", sim=sim)
        sim.activate(p, p.run(), at=expo(MEAN_RATE))

    def phase(n):
        left[0] = n
        sim._stop = False  # simulate() leaves _stop set when it returns
        sim.simulate(until=float("inf"))
        if left[0] != 0:
            sys.exit("error: %d events left unprocessed" % left[0])

    gc.collect()
    gc.disable()  # keep the cyclic GC out of the timed loop
    if warmup:
        phase(pending)
    t0 = time.perf_counter()
    phase(events)
    t1 = time.perf_counter()
    gc.enable()
    return events / (t1 - t0)


def main(argv):
    runs = 5
    scale = 1.0
    warmup = True
    for a in argv[1:]:
        if a.startswith("--runs="):
            runs = max(1, int(a[7:]))
        elif a.startswith("--events-scale="):
            scale = float(a[15:])
        elif a == "--no-warmup":
            warmup = False
        else:
            sys.exit("usage: simpy_hold.py [--runs=N] [--events-scale=X] [--no-warmup]")
    print("# SimPy %s python %s%s warmup=%s"
          % (SimPy.__version__, sys.version.split()[0], "" if __debug__ else " -O",
             "P" if warmup else "none"), flush=True)
    for pending in (1000, 100000, 1000000):
        events = max(1, int(1000000 * scale))
        rates = []
        for r in range(runs):
            rates.append(run_once(pending, events, r + 1, warmup))
            print("#   P=%d run %d: %.0f ev/s" % (pending, r + 1, rates[-1]),
                  file=sys.stderr, flush=True)
        rates.sort()
        if runs % 2:
            med = rates[runs // 2]
        else:
            med = 0.5 * (rates[runs // 2 - 1] + rates[runs // 2])
        print("P=%d events=%d events_per_s=%.1f scheduler=SimPy2-heapq"
              % (pending, events, med), flush=True)


if __name__ == "__main__":
    main(sys.argv)
