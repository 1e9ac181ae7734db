#!/usr/bin/env bash
# Crash-consistency soak: runs CrashConsistencyTest (cli) with as many kills as asked, e.g.
#   scripts/crash-soak.sh --kills 1000 --backends memory,rocksdb [--seed S] [--events N] [--storage s3] [--offline]
# The CI build runs the same test with 50 kills per backend; this script is for long runs only.
set -euo pipefail

usage() {
  cat <<USAGE
usage: $0 [--kills N] [--backends memory,rocksdb] [--seed S] [--events N] [--keys N] [--parallelism N]
       [--storage file|file:///dir|s3] [--offline]
  --kills     kills that must land per backend (default 1000)
  --backends  comma-separated state backends (default memory,rocksdb)
  --seed      seed of the kill schedule (default: random, printed by the test and in the report)
  --events    events per demo run (default: the test's, 300000 memory / 100000 rocksdb)
  --keys      distinct keys of the demo (default: the test's, 5000)
  --parallelism  demo parallelism (default: the test's, 2); with --storage s3, --events 400000 --keys 400000
              --parallelism 1 makes the memory backend's state files larger than one 5 MiB part (multipart)
  --storage   'file' (checkpoints under the data dir), a file:// URI of the checkpoint base directory,
              or 's3': an S3Proxy on 127.0.0.1 started by the test (objects under cli/target/crash/s3proxy/);
              the orphan check then also requires no open multipart upload under the job prefix
  --offline   pass -o to Maven
USAGE
}

kills=1000
backends=memory,rocksdb
seed=""
events=""
keys=""
parallelism=""
storage=file
offline=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --backends) backends="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --storage) storage="$2"; shift 2 ;;
    --offline) offline="-o"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$storage" == file || "$storage" == s3 || "$storage" == file://* ]]; then
  echo "--storage must be 'file', 's3' or a file:// URI, not '$storage'" >&2
  exit 2
fi
if ! [[ "$kills" =~ ^[0-9]+$ ]] || [[ "$kills" -lt 1 ]]; then
  echo "--kills must be a positive number, not '$kills'" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
props=(-Dcairn.crash.kills="$kills" -Dcairn.crash.backends="$backends" -Dcairn.crash.storage="$storage")
[[ -n "$seed" ]] && props+=(-Dcairn.crash.seed="$seed")
[[ -n "$events" ]] && props+=(-Dcairn.crash.events="$events")
[[ -n "$keys" ]] && props+=(-Dcairn.crash.keys="$keys")
[[ -n "$parallelism" ]] && props+=(-Dcairn.crash.parallelism="$parallelism")

cd "$root"
status=0
mvn -B $offline -pl cli -am verify -Dtest=CrashConsistencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  "${props[@]}" || status=$?

report="$root/cli/target/crash-report.md"
if [[ -f "$report" ]]; then
  echo
  echo "crash report: $report"
  echo "run logs:     $root/cli/target/crash/<backend>/logs/"
else
  echo "no crash report was written (the build failed before the test ran?)" >&2
fi
exit "$status"
