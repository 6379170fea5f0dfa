#!/usr/bin/env bash
# End-to-end tests of input files that are not regular files: every command that reads a file a
# user names (a scenario, a cost or quality table, an architecture or device file, a trace, a
# weights file, a profile) refuses a FIFO, a character device and a directory up front, by name,
# with exit status 2 and without blocking or reading it. A 10-second limit on every command turns
# a hang (a FIFO without a writer, /dev/zero read to its end) into a failure.
#
#   e2e_special_files.sh PATH/TO/splitsim
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
fifo="$work/fifo"
mkfifo "$fifo"

# expect DESCRIPTION MESSAGE -- COMMAND...: exit status 2 within the limit, MESSAGE in stderr.
expect() {
    local what=$1 message=$2
    shift 3
    timeout 10 "$@" >"$work/out" 2>"$work/err" </dev/null
    local status=$?
    if [ "$status" -ne 2 ]; then
        fail "$what: exit status $status, expected 2"
        head -5 "$work/err"
    elif ! grep -qF -- "$message" "$work/err"; then
        fail "$what: '$message' not in stderr:"
        head -5 "$work/err"
    else
        ok "$what"
    fi
}

zero="/dev/zero: error: expected a regular file, got a character device"
fifo_msg="$fifo: error: expected a regular file, got a FIFO"
dir_msg="$work: error: expected a regular file, got a directory"

# Scenarios
expect "check /dev/zero" "$zero" -- "$splitsim" check /dev/zero
expect "check a FIFO" "$fifo_msg" -- "$splitsim" check "$fifo"
expect "check a directory" "$dir_msg" -- "$splitsim" check "$work"
expect "run a FIFO" "$fifo_msg" -- "$splitsim" run "$fifo" -o "$work/r.h5"
expect "sweep a FIFO" "$fifo_msg" -- "$splitsim" sweep "$fifo" --list

# Tables, devices, architectures and profiles named on the command line
expect "tables show --table /dev/zero" "$zero" -- "$splitsim" tables show --table /dev/zero
expect "tables show --table FIFO" "$fifo_msg" -- "$splitsim" tables show --table "$fifo"
expect "tables show --quality FIFO" "$fifo_msg" -- "$splitsim" tables show --quality "$fifo"
expect "tables compare --table FIFO" "$fifo_msg" -- "$splitsim" tables compare --table "$fifo"
expect "tables derive FIFO-model" "$fifo_msg" -- "$splitsim" tables derive "$fifo" a100
expect "tables derive /dev/zero-device" "$zero" -- "$splitsim" tables derive llama-2-7b /dev/zero
expect "tables calibrate --vidur FIFO" "$fifo_msg" -- \
    "$splitsim" tables calibrate --vidur "$fifo" --model llama-2-7b --device a100

# Files a scenario names, as FIFOs: refused at the key that names them
write_scenario() { # NAME LINES...
    local name=$1
    shift
    printf '%s\n' "$@" >"$work/$name.yaml"
}
write_scenario trace "model: split" "run: {duration: 1 h}" "workload:" "  arrival: trace" \
    "  trace: $fifo"
expect "workload.trace FIFO" \
    "workload.trace: expected a regular trace file, got '$fifo' (a FIFO)" -- \
    "$splitsim" check "$work/trace.yaml"
write_scenario weights "model: split" "run: {duration: 1 h}" "policy:" "  name: mbrl" \
    "  mbrl: {weights_in: $fifo}"
expect "policy.mbrl.weights_in FIFO" \
    "policy.mbrl.weights_in: expected a regular MBRL weights file, got '$fifo' (a FIFO)" -- \
    "$splitsim" check "$work/weights.yaml"
write_scenario tables "model: split" "run: {duration: 1 h}" "ues: {cost_table: $fifo}" \
    "llm: {quality_table: $fifo}"
expect "ues.cost_table FIFO" \
    "ues.cost_table: expected a regular cost-table file, got '$fifo' (a FIFO)" -- \
    "$splitsim" check "$work/tables.yaml"
expect "llm.quality_table FIFO" \
    "llm.quality_table: expected a regular quality-table file, got '$fifo' (a FIFO)" -- \
    "$splitsim" check "$work/tables.yaml"
write_scenario device "model: split" "run: {duration: 1 h}" "edge: {device: $fifo}"
expect "edge.device FIFO" "$fifo_msg" -- "$splitsim" check "$work/device.yaml"
write_scenario llm "model: split" "run: {duration: 1 h}" "llm: {model: $fifo}"
expect "llm.model FIFO" "$fifo_msg" -- "$splitsim" check "$work/llm.yaml"

e2e_finish "special files"
