# shellcheck shell=bash disable=SC2034  # its variables are for the scripts that source it
# e2e_common.sh — what every end-to-end test script starts with; sourced, never run:
#
#     . "$(dirname "${BASH_SOURCE[0]}")/e2e_common.sh"    # first line after the header comment
#
# The script's first argument is the splitsim binary (its usage line names it). After sourcing:
#   splitsim   that binary's absolute path          root   the source tree
#   work       a new private folder (/tmp/splitsim-SCRIPT-XXXXXX), removed when the script exits
#   py         /usr/bin/python3 (the Python whose packages the tests rely on; Debian's python3-*)
#   passed, failed   counters that ok and fail keep, and these functions:
#   ok DESCRIPTION / fail DESCRIPTION          count and print "ok - ..." / "FAIL - ..."
#   e2e_need_python MODULE...                  skip the script (exit 77) unless py imports them
#   expect_status EXPECTED ACTUAL DESCRIPTION  ok when the two statuses are equal
#   expect_grep PATTERN FILE DESCRIPTION       ok when the fixed string is in FILE (else shows it)
#   size FILE                                  its size in bytes (0 when missing)
#   expect_png FILE MIN_BYTES DESCRIPTION      ok when FILE is a PNG of more than MIN_BYTES
#   e2e_finish LABEL                           prints "LABEL: N passed, N failed"; its status is
#                                              0 only when nothing failed (end the script with it)
# Invariants: `set -u` is on; nothing is written outside $work; the exit status of a script that
# ends with e2e_finish is what meson reads (0 passed, 77 skipped, anything else failed).
set -u
splitsim=$(realpath "${1:?usage: $(basename "$0") SPLITSIM}")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "/tmp/splitsim-$(basename "$0" .sh)-XXXXXX")
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }

e2e_need_python() {
    local modules
    modules=$(IFS=,; echo "$*")
    "$py" -c "import $modules" 2>/dev/null || { echo "skip - $py lacks $modules"; exit 77; }
}

expect_status() { # expected actual description
    if [ "$2" -eq "$1" ]; then ok "$3"; else fail "$3 (exit $2, expected $1)"; fi
}

expect_grep() { # pattern file description
    if grep -qF -- "$1" "$2"; then ok "$3"; else fail "$3: '$1' not in output:"; cat "$2"; fi
}

size() { stat -c %s "$1" 2>/dev/null || echo 0; }

expect_png() { # file min-bytes description
    local n
    n=$(size "$1")
    if [ "$n" -gt "$2" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
        ok "$3 (${1##*/}, $n bytes)"
    else
        fail "$3: ${1##*/} is $n bytes (expected a PNG > $2 bytes)"
    fi
}

e2e_finish() { # label
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
