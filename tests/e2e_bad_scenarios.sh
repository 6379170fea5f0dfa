#!/usr/bin/env bash
# Data-driven tests of error messages: every tests/scenarios/bad/NAME.yaml (or NAME.gen, a
# script whose output is the scenario: inputs too large to keep in git) must make
# `splitsim check NAME.yaml [ARGS]` exit with status 2 and print exactly NAME.stderr. ARGS are
# the lines of NAME.args, one argument each (e.g. --set overrides: "run.seed=x" becomes
# --set run.seed=x). A 20-second limit guards against hangs.
#
#   e2e_bad_scenarios.sh SPLITSIM            # check
#   e2e_bad_scenarios.sh SPLITSIM --update   # rewrite every NAME.stderr (review the diff!)
set -u
splitsim=$(realpath "${1:?usage: e2e_bad_scenarios.sh SPLITSIM [--update]}")
update=${2:-}
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/scenarios/bad" && pwd)
work=$(mktemp -d /tmp/splitsim-bad-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

for input in "$dir"/*.yaml "$dir"/*.gen; do
    name=$(basename "${input%.*}")
    if [ "${input##*.}" = gen ]; then
        bash "$input" >"$work/$name.yaml"
        rundir=$work
    else
        rundir=$dir
    fi
    args=()
    if [ -f "$dir/$name.args" ]; then
        while IFS= read -r line; do args+=(--set "$line"); done <"$dir/$name.args"
    fi
    (cd "$rundir" && timeout 20 "$splitsim" check "$name.yaml" "${args[@]}") \
        >"$work/$name.out" 2>"$work/$name.err"
    status=$?
    if [ "$update" = --update ]; then
        cp "$work/$name.err" "$dir/$name.stderr"
    fi
    if [ "$status" -ne 2 ]; then
        failed=$((failed + 1)); echo "FAIL - $name: exit status $status, expected 2"
    elif ! cmp -s "$work/$name.err" "$dir/$name.stderr"; then
        failed=$((failed + 1)); echo "FAIL - $name: stderr differs:"
        diff "$dir/$name.stderr" "$work/$name.err" | head -20
    elif [ -s "$work/$name.out" ]; then
        failed=$((failed + 1)); echo "FAIL - $name: printed a scenario on stdout"
    else
        passed=$((passed + 1)); echo "ok - $name"
    fi
done
echo "bad scenarios: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -ge 40 ]
