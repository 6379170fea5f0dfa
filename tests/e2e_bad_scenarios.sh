#!/usr/bin/env bash
# Data-driven tests of error messages: every tests/scenarios/bad/NAME.yaml (or NAME.gen, a
# script whose output is the scenario: inputs too large to keep in git) must make
# `splitsim check NAME.yaml [ARGS]` exit with status 2 and print exactly NAME.stderr. ARGS are
# the lines of NAME.args, one argument each (e.g. --set overrides: "run.seed=x" becomes
# --set run.seed=x). NAME.cmd, when present, replaces "check" by its lines, one argument each
# (e.g. "run", "-o", "NAME.yaml": an output that is the scenario itself). Cases run in a scratch
# copy of the folder, which must hold no new file afterwards (bad input writes nothing) and
# whose files must be unchanged. A 20-second limit guards against hangs. Files a scenario names
# resolve against its folder, and messages name them by absolute path: the folder reads as $DIR
# in NAME.stderr.
#
#   e2e_bad_scenarios.sh SPLITSIM            # check
#   e2e_bad_scenarios.sh SPLITSIM --update   # rewrite every NAME.stderr (review the diff!)
. "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"
update=${2:-}
src=$root/tests/scenarios/bad
# The cases run in a copy: a regression that writes where it must not cannot damage the sources.
# (three levels down, with the repository's tables/ beside: cases name ../../../tables/...)
dir=$work/tests/scenarios/cases
mkdir -p "$dir" "$work/gen" && cp -a "$src"/. "$dir"/
ln -s "$(cd "$src/../../.." && pwd)/tables" "$work/tables"
snapshot() { (cd "$dir" && find . -type f -printf '%p %s %T@\n' | sort); }
snapshot >"$work/before"

for input in "$dir"/*.yaml "$dir"/*.gen; do
    name=$(basename "${input%.*}")
    if [ "${input##*.}" = gen ]; then
        bash "$input" >"$work/gen/$name.yaml"
        rundir=$work/gen
    else
        rundir=$dir
    fi
    args=()
    if [ -f "$dir/$name.args" ]; then
        while IFS= read -r line; do args+=(--set "$line"); done <"$dir/$name.args"
    fi
    cmd=(check "$name.yaml")
    if [ -f "$dir/$name.cmd" ]; then
        cmd=()
        while IFS= read -r line; do cmd+=("$line"); done <"$dir/$name.cmd"
    fi
    (cd "$rundir" && timeout 20 "$splitsim" "${cmd[@]}" "${args[@]}") \
        >"$work/$name.out" 2>"$work/$name.raw"
    status=$?
    realdir=$(cd "$rundir" && pwd -P)
    sed "s|$realdir|\$DIR|g" "$work/$name.raw" >"$work/$name.err"
    if [ "$update" = --update ]; then
        cp "$work/$name.err" "$src/$name.stderr"
        cp "$work/$name.err" "$dir/$name.stderr"
        snapshot >"$work/before"
    fi
    if [ "$status" -ne 2 ]; then
        fail "$name: exit status $status, expected 2"
    elif ! cmp -s "$work/$name.err" "$dir/$name.stderr"; then
        fail "$name: stderr differs:"
        diff "$dir/$name.stderr" "$work/$name.err" | head -20
    elif [ -s "$work/$name.out" ]; then
        fail "$name: printed a scenario on stdout"
    elif snapshot | cmp -s - "$work/before"; [ $? -ne 0 ] || [ -n "$(ls -A "$work/gen" | grep -v '\.yaml$')" ]; then
        fail "$name: wrote or changed files:"
        snapshot | diff "$work/before" - | head -5
        snapshot >"$work/before"
    else
        ok "$name"
    fi
done
e2e_finish "bad scenarios" && [ "$passed" -ge 40 ]
