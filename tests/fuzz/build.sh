#!/bin/sh
# Builds the scenario-loader fuzzer (libFuzzer + ASan + UBSan) and a sanitized replay binary.
#
#     tests/fuzz/build.sh [OUTDIR]        (default /tmp/splitsim-fuzz)
#
# Produces OUTDIR/fuzz_scenario (the fuzzer) and OUTDIR/fuzz_replay_asan (replay.c with the same
# sanitizers, no libFuzzer). Needs clang (clang-14 on Debian 12: apt-get install clang-14
# libclang-rt-14-dev) and libyaml-dev. CC overrides the compiler.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-/tmp/splitsim-fuzz}
if [ -z "${CC:-}" ]; then
    if command -v clang-14 >/dev/null 2>&1; then CC=clang-14; else CC=clang; fi
fi
mkdir -p "$out"

# Only what the loader needs: diagnostics and scn/ (no sim/version.c, so no generated headers).
srcs="$root/sim/diag.c $root/scn/field.c $root/scn/scn.c $root/scn/sweep.c $root/scn/units.c $root/scn/ytree.c"
cflags="-std=gnu17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -I$root"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
libs="-lyaml -lgsl -lgslcblas -lm"

set -x
$CC $cflags $san -fsanitize=fuzzer "$here/fuzz_scenario.c" $srcs $libs -o "$out/fuzz_scenario"
$CC $cflags $san "$here/replay.c" $srcs $libs -o "$out/fuzz_replay_asan"
