#!/bin/sh
# Sets up and builds the libFuzzer targets from the same static library as the program (meson's
# `fuzz` option), in a build folder of their own:
#
#     tests/fuzz/build.sh [BUILDDIR]        (default: build-fuzz in the repository root)
#
# Produces BUILDDIR/tests/fuzz/fuzz_scenario and fuzz_tables (the fuzzers: libFuzzer + ASan +
# UBSan) and fuzz_replay and fuzz_tables_replay (the same harnesses with replay.c's main(), also
# sanitized). Needs clang with the libFuzzer runtime (Debian 12: apt-get install clang-14
# libclang-rt-14-dev) besides the project's own build dependencies. CC overrides the compiler
# (default clang-14, else clang). An existing BUILDDIR is only rebuilt.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build-fuzz}
if [ -z "${CC:-}" ]; then
    if command -v clang-14 >/dev/null 2>&1; then CC=clang-14; else CC=clang; fi
fi
if [ ! -f "$dir/build.ninja" ]; then
    CC=$CC meson setup "$dir" "$root" --werror -Dfuzz=enabled -Db_sanitize=address,undefined \
        -Db_lundef=false -Dtests=false -Dmpi=disabled
fi
meson compile -C "$dir"
