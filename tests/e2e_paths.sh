#!/usr/bin/env bash
# File paths in a scenario resolve against the scenario file's folder, those of --set against the
# working directory (or --set-dir), absolute ones as written (scn/scn.h): a scenario naming a
# cost table, a device file and a trace relatively runs from another working directory with
# run, check and a 2-worker sweep, and from a Slurm array task started elsewhere; a missing file
# is named by its absolute path at the key's file:line:col, with exit status 2.
#
#   e2e_paths.sh SPLITSIM
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
real=$(cd "$work" && pwd -P) # messages name real paths (/tmp may be a link)
mkdir -p "$work/proj/scen/sub" "$work/proj/tables" "$work/proj/traces" "$work/elsewhere" "$work/third"
"$splitsim" tables derive tinyllama-1.1b jetson-orin-nano -o "$work/proj/tables/ue.yaml" >/dev/null \
    || fail "tables derive"
printf 'name: gpu\npeak: 200 TFLOP/s\nbandwidth: 1.5 TB/s\n' >"$work/proj/scen/gpu.yaml"
printf 'time_s,ue,prompt_tokens,output_tokens\n0.5,0,64,8\n0.5,1,32,4\n2,1,128,16\n' \
    >"$work/proj/traces/t.csv"
printf 'time_s,ue,prompt_tokens,output_tokens\n1,0,16,2\n' >"$work/proj/scen/sub/one.csv"
cat >"$work/proj/scen/s.yaml" <<'EOF'
model: split
run: {duration: 1 min}
llm: {model: tinyllama-1.1b}
ues: {count: 2, cost_table: ../tables/ue.yaml}
edge: {device: ./gpu.yaml}
workload:
  arrival: trace
  trace: ../traces/t.csv
recording: {interval: 0 s}
sweep:
  grid:
    workload.trace: [../traces/t.csv, sub/one.csv]
EOF

cd "$work/elsewhere" || exit 1
# check: from another folder, by a relative path; the resolved scenario shows absolute paths
"$splitsim" check ../proj/scen/s.yaml >check.out 2>&1
expect_status 0 $? "check from another folder"
expect_grep "  cost_table: $real/proj/tables/ue.yaml" check.out "check: the cost table beside the scenario"
expect_grep "  device: $real/proj/scen/gpu.yaml" check.out "check: the device file beside the scenario"
expect_grep "  trace: $real/proj/traces/t.csv" check.out "check: the trace beside the scenario"
expect_grep "# sweep: 2 points" check.out "check: every swept file is found"
# the same scenario from a third folder, by its absolute path: the same resolved text and hash
(cd "$work/third" && "$splitsim" check "$work/proj/scen/s.yaml") >check3.out 2>&1
cmp -s check.out check3.out && ok "the resolved scenario does not depend on the working directory" \
    || { fail "resolved scenario depends on the working directory"; diff check.out check3.out | head; }

# run
"$splitsim" run ../proj/scen/s.yaml -o r.h5 >run.out 2>&1
expect_status 0 $? "run from another folder"
expect_grep "3 requests (3 measured" run.out "run: every line of the trace is a request"
[ -f r.h5 ] && [ ! -e "$work/proj/scen/r.h5" ] && ok "run: -o resolves against the working directory" \
    || fail "run: results file misplaced"

# a 2-worker sweep over two traces named relatively
"$splitsim" sweep ../proj/scen/s.yaml -o camp -j 2 -q >sweep.out 2>&1
expect_status 0 $? "sweep -j 2 from another folder"
[ -f camp/points/p0.h5 ] && [ -f camp/points/p1.h5 ] && [ -f camp/campaign.h5 ] \
    && ok "sweep: both points and the index" || { fail "sweep files"; cat sweep.out; }
expect_grep "    workload.trace: [$real/proj/traces/t.csv, $real/proj/scen/sub/one.csv]" \
    camp/campaign.yaml "sweep: the campaign records the swept files by absolute path"

# --set: against the working directory (or --set-dir), not the scenario's folder
cp "$work/proj/traces/t.csv" local.csv
"$splitsim" check ../proj/scen/s.yaml --set workload.trace=local.csv >set.out 2>&1
expect_status 0 $? "--set path relative to the working directory"
expect_grep "  trace: $real/elsewhere/local.csv" set.out "--set: resolved in the working directory"
(cd "$work/third" && "$splitsim" check ../proj/scen/s.yaml --set workload.trace=local.csv \
    --set-dir ../elsewhere) >set2.out 2>&1
expect_status 0 $? "--set-dir names the folder of --set paths"
expect_grep "  trace: $real/elsewhere/local.csv" set2.out "--set-dir: resolved in that folder"

# a Slurm array task, started in another folder, finds the --set file of its submitter
"$splitsim" sweep ../proj/scen/s.yaml -o slurm --slurm --set workload.trace=local.csv \
    --set run.seed=5 >slurm.out 2>&1
expect_status 0 $? "sweep --slurm with a relative --set path"
(cd / && SLURM_ARRAY_TASK_ID=1 bash "$work/elsewhere/slurm/campaign.sbatch") >task.out 2>&1
expect_status 0 $? "a Slurm task started in / runs"
[ -f slurm/points/p1.h5 ] && ok "the Slurm task wrote its point" || { fail "Slurm point"; cat task.out; }

# a missing file: its absolute path, the key and where it was written; status 2, nothing run
sed 's|cost_table: ../tables/ue.yaml|cost_table: ../tables/missing.yaml|' ../proj/scen/s.yaml \
    >../proj/scen/missing.yaml
"$splitsim" run ../proj/scen/missing.yaml -o m.h5 >miss.out 2>miss.err
expect_status 2 $? "a missing file exits 2"
expect_grep "../proj/scen/missing.yaml:4:29: error: no such file: $real/proj/tables/missing.yaml (ues.cost_table at ../proj/scen/missing.yaml:4:29)" \
    miss.err "a missing file: absolute path, key, file:line:col"
[ ! -e m.h5 ] && ok "nothing written for a missing file" || fail "a results file for a missing file"
"$splitsim" check ../proj/scen/s.yaml --set edge.device=gpu.yaml >dev.out 2>dev.err
expect_status 2 $? "a missing --set device file exits 2"
expect_grep "--set:1:13: error: edge.device: expected a device of 'splitsim tables list' (e.g. a100, jetson-agx-orin) or a device file; no such file: $real/elsewhere/gpu.yaml (edge.device at --set:1:13)" \
    dev.err "a missing --set file: resolved in the working directory"

e2e_finish "paths"
