#!/usr/bin/env bash
# Long fuzzing and full mutation runs of module fuzz, e.g.
#   scripts/fuzz.sh --seconds 600                 # every fuzz target for 10 minutes, one JVM each
#   scripts/fuzz.sh --seconds 600 --target MetadataFuzzTest
#   scripts/fuzz.sh --mutations-full              # every offset and every bit of the first 4 KiB of every file
# `mvn verify` runs each target for 30 s and a deterministic slice of the mutations; this script is for long runs.
# Figures: fuzz/<build dir>/fuzz-report/*.txt; findings (crash-*, timeout-*) under fuzz/<build dir>/jazzer/.
set -euo pipefail

usage() {
  cat <<USAGE
usage: $0 [--seconds N] [--target CLASS] [--mutations-full] [--build-dir DIR] [--offline]
  --seconds         seconds each fuzz target runs (default 600)
  --target          one fuzz target class (e.g. MetadataFuzzTest); default: all of them
  --mutations-full  run only the mutation tests, with every mutation (no fuzzing)
  --build-dir       Maven build directory name (-Dcairn.buildDir, default target-fuzz)
  --offline         pass -o to Maven
USAGE
}

seconds=600
target=""
mutations_full=false
build_dir=target-fuzz
offline=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --mutations-full) mutations_full=true; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --offline) offline="-o"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
# -DskipTests skips the tests of the modules -am builds; module fuzz does not read it.
args=(-B $offline "-Dcairn.buildDir=$build_dir" test -pl fuzz -am -DskipTests)
if $mutations_full; then
  args+=(-Dcairn.fuzz.skip=true -Dtest=CheckpointMutationTest -Dcairn.mutations.full=true)
elif [[ -n "$target" ]]; then
  args+=(-Dcairn.fuzz.skip=true "-Dtest=$target" "-Dcairn.fuzz.seconds=$seconds")
else
  # every target in its own JVM; the default execution runs the mutations' CI slice (about 70 s) first
  args+=("-Dcairn.fuzz.seconds=$seconds")
fi
mvn "${args[@]}"
cat "fuzz/$build_dir/fuzz-report/"*.txt
