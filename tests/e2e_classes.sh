#!/usr/bin/env bash
# UE device classes and the quality label of a campaign: a run with a weighted mix has the
# counts worked out by hand in /ues/class, /classes and /requests/class, every prefix of the UEs
# close to the mix, and the same classes under another seed; plain entries are u mod n and one
# device is class 0; hostile mixes are refused by `run` with exit 2 and no file; a sweep's index
# says ASSUMPTION (root attribute, column quality_assumed) when a point has no quality table.
#   Usage: e2e_classes.sh SPLITSIM
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
e2e_need_python h5py,numpy
cd "$work" || exit 1

# 11 UEs at 0.6, 0.25, 0.15: quotas 6.6, 2.75, 1.65, floors 6 2 1, the two left over to the
# largest remainders (.75, .65): 6, 3, 2.
cat >mix.yaml <<'EOF'
model: split
run: {duration: 60 s, replications: 2}
llm: {model: tinyllama-1.1b}
ues:
  count: 11
  classes:
    - {device: jetson-orin-nano, fraction: 0.6}
    - {device: raspberry-pi-5, fraction: 25 %}
    - {device: jetson-agx-orin, fraction: 0.15}
workload: {rate: 0.2 /s}
recording: {interval: 0 s}
EOF
"$splitsim" run mix.yaml -o mix.h5 >mix.out 2>mix.err
expect_status 0 $? "run with a weighted mix"
expect_grep "11 UE(s) on 3 device classes" mix.out "the summary names the classes"
expect_grep "UE classes (by fraction, docs/MODELS.md): 0 = jetson-orin-nano: 6 UE(s), fraction 0.6;" \
    mix.out "the summary shows the mix"
expect_grep "2 = jetson-agx-orin: 2 UE(s), fraction 0.15" mix.out "... every class of it"
"$splitsim" run mix.yaml -o mix2.h5 --set run.seed=99 >/dev/null 2>&1
expect_status 0 $? "the same mix under another seed"
if $py - mix.h5 mix2.h5 <<'PY'
import sys, h5py, numpy as np
f, g = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
ues, cls = f["ues"], f["classes"]
assert ues.attrs["classes"] == "jetson-orin-nano,raspberry-pi-5,jetson-agx-orin", ues.attrs["classes"]
for r in (0, 1):                                  # per replication: the hand-worked counts
    c = ues["class"][:][ues["replication"][:] == r]
    assert list(np.bincount(c, minlength=3)) == [6, 3, 2], c
assert list(cls["class"][:]) == [0, 1, 2] and list(cls["ues"][:]) == [6, 3, 2]
assert np.allclose(cls["fraction"][:], [0.6, 0.25, 0.15])
assert cls.attrs["assignment"].startswith("fractions")
for c, dev in enumerate(["jetson-orin-nano", "raspberry-pi-5", "jetson-agx-orin"]):
    assert cls.attrs[f"device_{c}"] == dev
    assert cls.attrs[f"cost_table_{c}"] == ""
    assert cls.attrs[f"cost_method_{c}"] == "derived"
    assert f"on {dev} (" in cls.attrs[f"cost_source_{c}"], cls.attrs[f"cost_source_{c}"]
# every prefix of the UEs is within 2 UEs of the mix (docs/MODELS.md)
order = ues["class"][:][ues["replication"][:] == 0][np.argsort(ues["ue"][:][ues["replication"][:] == 0])]
for t in range(1, 12):
    for c, frac in enumerate([0.6, 0.25, 0.15]):
        assert abs(np.sum(order[:t] == c) - t * frac) < 2, (t, c, order)
# /requests/class is the class of the request's UE
rq = f["requests"]
assert rq.attrs["classes"] == ues.attrs["classes"]
assert len(rq["class"]) > 20 and np.array_equal(rq["class"][:], order[rq["ue"][:]])
# no random stream decides a class
assert np.array_equal(g["ues"]["class"][:], ues["class"][:])
PY
then ok "/ues/class, /classes and /requests/class hold the mix"; else fail "class columns"; fi

# Plain entries: u mod n; one device: class 0, its cost table's provenance recorded.
"$splitsim" run mix.yaml -o plain.h5 --set "ues.classes=[jetson-orin-nano, raspberry-pi-5, l4]" \
    --set ues.count=7 >plain.out 2>&1
expect_status 0 $? "run with plain classes"
expect_grep "UE classes (in turn): 0 = jetson-orin-nano: 3 UE(s); 1 = raspberry-pi-5: 2 UE(s)" \
    plain.out "the summary shows plain classes"
"$splitsim" run mix.yaml -o one.h5 --set "ues.classes=" --set ues.device=l4 >one.out 2>&1
expect_status 0 $? "run with one device"
grep -q "UE classes" one.out && fail "one device printed a class line" || ok "one device: no class line"
if $py - plain.h5 one.h5 <<'PY'
import sys, h5py, numpy as np
p, o = (h5py.File(x, "r") for x in sys.argv[1:])
u = p["ues"]
assert np.array_equal(u["class"][:], u["ue"][:] % 3)
assert list(p["classes/ues"][:]) == [3, 2, 2] and np.allclose(p["classes/fraction"][:], 1 / 3)
assert p["classes"].attrs["assignment"] == "in turn: UE u is of class u mod n"
assert not o["ues/class"][:].any() and list(o["classes/ues"][:]) == [11]
assert o["classes"].attrs["device_0"] == "l4" and o["classes"].attrs["classes"] == "l4"
assert "on l4 (" in o["classes"].attrs["cost_source_0"]
PY
then ok "plain classes are u mod n; one device is class 0"; else fail "plain or single classes"; fi

# Hostile mixes: refused by run, exit 2, nothing written.
hostile() { # description value expected-message
    rm -f bad.h5
    "$splitsim" run mix.yaml -o bad.h5 --set "ues.classes=$2" >bad.out 2>bad.err
    local st=$?
    if [ "$st" -eq 2 ] && grep -qF -- "$3" bad.err && [ ! -e bad.h5 ] && [ -z "$(ls bad.* 2>/dev/null | grep -v 'bad\.\(out\|err\)')" ]; then
        ok "refused: $1"
    else
        fail "$1: exit $st"; cat bad.err
    fi
}
hostile "fractions summing to 0.9" "[{device: l4, fraction: 0.5}, {device: a100, fraction: 0.4}]" \
    "--set:1:13: error: ues.classes: the fractions sum to 0.9; expected 1 (within 1e-9)"
hostile "a negative fraction" "[{device: l4, fraction: -0.5}, {device: a100, fraction: 1.5}]" \
    "ues.classes[0].fraction: expected a number in (0, 1], got '-0.5'"
hostile "NaN" "[{device: l4, fraction: nan}, {device: a100, fraction: 0.5}]" \
    "ues.classes[0].fraction: expected a finite decimal number, got 'nan'"
hostile "a string" "[{device: l4, fraction: \"0.5\"}, {device: a100, fraction: 0.5}]" \
    "ues.classes[0].fraction: expected a number in (0, 1], got the string '0.5'"
hostile "mixed entries" "[l4, {device: a100, fraction: 0.5}]" \
    "ues.classes[1]: a fraction, but ues.classes[0] has none; expected a fraction on every entry or on none"

# The campaign index: ASSUMPTION when a point has no quality table.
cat >q.yaml <<'EOF'
format: splitsim-quality-table
format_version: 1
model: tinyllama-1.1b
provenance: {method: measured, tool: e2e, created: today, source: made up for a test}
metric: perplexity
dataset: none
reference: 5.0
runs: 1
erasure_mode: element
splits: [0, 22]
erasure: [0, 1]
values:
  fp16:
    - [5.0, 5.0]
    - [5.0, 50.0]
EOF
cat >sweep.yaml <<'EOF'
model: split
run: {duration: 30 s, replications: 2}
llm: {model: tinyllama-1.1b}
ues:
  count: 4
  classes: [{device: jetson-orin-nano, fraction: 0.5}, {device: raspberry-pi-5, fraction: 0.5}]
workload: {rate: 0.2 /s}
recording: {interval: 0 s, requests: false, decisions: false}
sweep:
  grid:
    llm.quality_table: ["", q.yaml]
EOF
"$splitsim" sweep sweep.yaml -o camp -j 2 >camp.out 2>camp.err
expect_status 0 $? "a sweep with and without a quality table"
expect_grep "quality: ASSUMED parametric model at 2 of 4 points" camp.out "the sweep says ASSUMED"
"$splitsim" sweep sweep.yaml -o measured -j 2 --set 'sweep={grid: {llm.quality_table: [q.yaml]}}' \
    >measured.out 2>&1
expect_status 0 $? "a sweep with a quality table only"
grep -q "ASSUMED" measured.out && fail "measured sweep says ASSUMED" || ok "measured sweep: no ASSUMED line"
printf 'model: queue\nrun: {duration: 1 h}\nsweep: {grid: {run.seed: [1, 2]}}\n' >queue.yaml
"$splitsim" sweep queue.yaml -o queue >/dev/null 2>&1
expect_status 0 $? "a queue-model sweep"
if $py - camp/campaign.h5 measured/campaign.h5 queue/campaign.h5 <<'PY'
import sys, h5py, numpy as np
a, m, q = (h5py.File(x, "r") for x in sys.argv[1:])
src = a.attrs["quality_source"]
assert src.startswith("ASSUMPTION: 2 of 4 points have no llm.quality_table"), src
assert a.attrs["quality_assumed_points"] == 2
s = a["summary"]
assert list(s["point"][:]) == [0, 1, 2, 3] and list(s["quality_assumed"][:]) == [1, 1, 0, 0]
assert list(a["combinations/quality_assumed"][:]) == [1, 0]
assert a["points/p0"].attrs["quality_source"].startswith("ASSUMPTION")   # what the point says
assert a["points/p2"].attrs["quality_source"] == "made up for a test"
assert m.attrs["quality_source"].startswith("measured") and m.attrs["quality_assumed_points"] == 0
assert not m["summary/quality_assumed"][:].any()
assert q.attrs["quality_source"].startswith("none") and list(q["summary/quality_assumed"][:]) == [-1, -1]
PY
then ok "the index's quality_source and quality_assumed"; else fail "index quality label"; fi

e2e_finish classes-e2e
